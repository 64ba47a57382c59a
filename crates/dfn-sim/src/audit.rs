//! The audit hash: SHA-256 over a record of everything that happened.
//!
//! Records are small fixed layouts, written little-endian into a 4 KiB
//! buffer that is hashed whenever it fills (SHA-256 runs on whole buffers,
//! not per record). A unicast message costs a 33-byte send record (with a
//! `u64` message) and a 25-byte delivery record: with the x86 SHA
//! extensions, about a fifth of the simulator's time in its benchmark. A
//! non-cryptographic hash would save part of that; SHA-256 was kept so that
//! an audit hash is as trustworthy as the rest of dfn's hashes.
//!
//! | record | bytes |
//! |---|---|
//! | send | `0x01`, time, sender, receiver (`u32::MAX` for broadcast), message number, then the message's own [`audit`](crate::SimMessage::audit) bytes |
//! | delivery | `0x02`, time, receiver, relay (the hop's sender), message number |
//! | event | `0x03`, time, node, label length and bytes, instance flag and value, then the event's [`audit`](crate::SimEvent::audit) bytes |
//! | fault | `0x04`, time, fault kind and its arguments |
//!
//! Times and message numbers are `u64`, node ids `u32`. Drops are not
//! recorded one by one: a dropped copy is visible as a missing delivery.

use core::fmt;

use sha2::{Digest, Sha256};

const FLUSH_AT: usize = 4096;

pub(crate) const TAG_SEND: u8 = 1;
pub(crate) const TAG_DELIVER: u8 = 2;
pub(crate) const TAG_EVENT: u8 = 3;
pub(crate) const TAG_FAULT: u8 = 4;

/// Where messages and events write what identifies them; the simulator's
/// audit log.
pub struct AuditSink {
    buf: Vec<u8>,
    hasher: Sha256,
    records: u64,
}

impl fmt::Debug for AuditSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditSink")
            .field("records", &self.records)
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl AuditSink {
    pub(crate) fn new(seed: u64) -> AuditSink {
        let mut sink = AuditSink {
            buf: Vec::with_capacity(FLUSH_AT + 256),
            hasher: Sha256::new(),
            records: 0,
        };
        sink.write(b"dfn-sim audit v1");
        sink.write_u64(seed);
        sink
    }

    /// Append bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        if bytes.len() >= FLUSH_AT {
            self.flush();
            self.hasher.update(bytes);
            return;
        }
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= FLUSH_AT {
            self.flush();
        }
    }

    /// Append a `u64`, little-endian.
    pub fn write_u64(&mut self, v: u64) {
        self.write(&v.to_le_bytes());
    }

    /// Append a `u32`, little-endian.
    pub fn write_u32(&mut self, v: u32) {
        self.write(&v.to_le_bytes());
    }

    /// Append one byte.
    pub fn write_u8(&mut self, v: u8) {
        self.write(&[v]);
    }

    /// Start a record of the given kind at `time`.
    pub(crate) fn record(&mut self, tag: u8, time: u64) {
        self.records = self.records.wrapping_add(1);
        self.write_u8(tag);
        self.write_u64(time);
    }

    /// A delivery record, written in one piece (the hot path).
    pub(crate) fn delivery(&mut self, time: u64, to: u32, relay: u32, number: u64) {
        self.records = self.records.wrapping_add(1);
        let mut rec = [0u8; 25];
        let (tag, rest) = rec.split_at_mut(1);
        tag.copy_from_slice(&[TAG_DELIVER]);
        let (t, rest) = rest.split_at_mut(8);
        t.copy_from_slice(&time.to_le_bytes());
        let (a, rest) = rest.split_at_mut(4);
        a.copy_from_slice(&to.to_le_bytes());
        let (b, n) = rest.split_at_mut(4);
        b.copy_from_slice(&relay.to_le_bytes());
        n.copy_from_slice(&number.to_le_bytes());
        self.write(&rec);
    }

    fn flush(&mut self) {
        self.hasher.update(&self.buf);
        self.buf.clear();
    }

    /// Number of records written so far.
    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    /// The hash of everything recorded so far (the log goes on).
    pub(crate) fn hash(&self) -> AuditHash {
        let mut h = self.hasher.clone();
        h.update(&self.buf);
        h.update(self.records.to_le_bytes());
        AuditHash(h.finalize().into())
    }
}

/// SHA-256 of a run's audit log: equal for two runs exactly when (up to
/// SHA-256 collisions) they sent, delivered and reported the same things at
/// the same times.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AuditHash(pub [u8; 32]);

impl AuditHash {
    /// Lowercase hex, 64 characters.
    #[must_use]
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(hex_digit(b >> 4));
            s.push(hex_digit(b & 0x0f));
        }
        s
    }
}

fn hex_digit(v: u8) -> char {
    char::from_digit(u32::from(v), 16).unwrap_or('?')
}

impl fmt::Display for AuditHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for AuditHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditHash({})", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffering_does_not_change_the_hash() {
        // One big write and many small ones hash the same bytes.
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut a = AuditSink::new(7);
        a.write(&data);
        let mut b = AuditSink::new(7);
        for chunk in data.chunks(13) {
            b.write(chunk);
        }
        assert_eq!(a.hash(), b.hash());
        let mut c = AuditSink::new(8);
        c.write(&data);
        assert_ne!(a.hash(), c.hash());
    }

    #[test]
    fn delivery_record_layout() {
        let mut a = AuditSink::new(1);
        a.delivery(5, 6, 7, 8);
        let mut b = AuditSink::new(1);
        b.record(TAG_DELIVER, 5);
        b.write_u32(6);
        b.write_u32(7);
        b.write_u64(8);
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.records(), 1);
    }

    #[test]
    fn hex_is_lowercase_64_chars() {
        let h = AuditHash([0xab; 32]);
        assert_eq!(h.to_hex().len(), 64);
        assert!(h.to_hex().starts_with("abab"));
    }
}
