//! The node's stdout: one line per event, `key=value` fields separated by
//! spaces, always starting with `t_ms=<ms since start> node=<index>
//! event=<kind>` (see the README for every kind and its fields).

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Instant;

/// Counters printed by the periodic `stats` line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// Gossip messages taken in.
    pub gossip_in: u64,
    /// Direct messages taken in.
    pub direct_in: u64,
    /// Messages whose bytes did not decode (dropped).
    pub decode_errors: u64,
    /// Messages from a peer that is not in the genesis (dropped).
    pub unknown_sender: u64,
    /// Messages of a kind that does not belong on the channel they came by
    /// (dropped).
    pub misrouted: u64,
    /// Gossip messages published.
    pub published: u64,
    /// Publications that failed (no peer subscribed, too large).
    pub publish_failed: u64,
    /// Direct messages sent.
    pub sent: u64,
    /// Direct messages that failed (peer down, timeout).
    pub send_failed: u64,
    /// Dials that failed.
    pub dial_failed: u64,
    /// Messages the state machine rejected.
    pub rejected: u64,
}

/// Writes the log lines of process `index`.
#[derive(Clone, Copy, Debug)]
pub struct Log {
    index: usize,
    origin: Instant,
}

impl Log {
    /// The log of process `index`, timed from `origin`.
    pub fn new(index: usize, origin: Instant) -> Self {
        Self { index, origin }
    }

    /// One line: the common prefix, then `fields` as `key=value`.
    pub fn line(&self, event: &str, fields: &[(&str, &dyn std::fmt::Display)]) {
        let mut line = format!(
            "t_ms={} node={} event={event}",
            self.origin.elapsed().as_millis(),
            self.index
        );
        for (key, value) in fields {
            // Writing to a String cannot fail.
            let _ = write!(line, " {key}={value}");
        }
        // A closed stdout (the reader went away) must not stop the node.
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }

    /// The `stats` line.
    pub fn stats(&self, s: &Stats, height: u64, finalized: u64, peers: usize) {
        self.line(
            "stats",
            &[
                ("height", &height),
                ("finalized", &finalized),
                ("peers", &peers),
                ("gossip_in", &s.gossip_in),
                ("direct_in", &s.direct_in),
                ("decode_errors", &s.decode_errors),
                ("unknown_sender", &s.unknown_sender),
                ("misrouted", &s.misrouted),
                ("published", &s.published),
                ("publish_failed", &s.publish_failed),
                ("sent", &s.sent),
                ("send_failed", &s.send_failed),
                ("dial_failed", &s.dial_failed),
                ("rejected", &s.rejected),
            ],
        );
    }
}
