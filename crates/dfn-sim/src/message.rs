//! What the simulator needs to know about messages and events.

use core::convert::Infallible;
use std::sync::Arc;

use crate::audit::AuditSink;

/// A message carried by the simulated network.
///
/// The simulator never encodes messages: it asks for their size on the wire
/// (for bandwidth and byte counters) and for what to put in the audit hash.
///
/// # Audit cost
///
/// [`audit`](SimMessage::audit) is called once per message *sent* (once per
/// broadcast, however many nodes it reaches), never per delivery: a delivery
/// is recorded as (time, receiver, relay, message number) and refers back to
/// the sent message by its number. A small message should feed all its
/// bytes; a large one should feed a digest it already has (a block hash, a
/// signature) plus its length, so that auditing stays cheap. What is fed must
/// identify the message well enough that two runs which differ in content
/// also differ in audit hash.
pub trait SimMessage: Clone {
    /// Size of the message on the wire, in bytes.
    fn wire_len(&self) -> usize;

    /// Feed what identifies this message into the audit hash.
    fn audit(&self, sink: &mut AuditSink);
}

/// An event a node reports with [`Output::Event`](crate::Output::Event).
///
/// Events go into the audit hash (as time, node, label and whatever
/// [`audit`](SimEvent::audit) feeds) and into the metrics: counted per
/// [`label`](SimEvent::label), and, for events with an
/// [`instance`](SimEvent::instance), timed against the first node that
/// reported the same label and instance (see [`Probe`](crate::Probe)).
pub trait SimEvent {
    /// The kind of event, such as `"beacon"` or `"finalized"`. Labels name
    /// rows of the metrics tables.
    fn label(&self) -> &'static str;

    /// Which occurrence this is (a round, a height), when the same event is
    /// expected at many nodes. `None` (the default) for events that are not
    /// compared across nodes.
    fn instance(&self) -> Option<u64> {
        None
    }

    /// Feed what identifies this event into the audit hash. The label, the
    /// instance, the node and the time are already recorded.
    fn audit(&self, sink: &mut AuditSink) {
        let _ = sink;
    }
}

macro_rules! int_message {
    ($($t:ty),*) => {$(
        impl SimMessage for $t {
            fn wire_len(&self) -> usize {
                core::mem::size_of::<$t>()
            }

            fn audit(&self, sink: &mut AuditSink) {
                sink.write(&self.to_le_bytes());
            }
        }
    )*};
}

int_message!(u8, u16, u32, u64, u128);

impl SimMessage for () {
    fn wire_len(&self) -> usize {
        0
    }

    fn audit(&self, _sink: &mut AuditSink) {}
}

/// Raw bytes: the wire length is the length; every byte is audited.
impl SimMessage for Vec<u8> {
    fn wire_len(&self) -> usize {
        self.len()
    }

    fn audit(&self, sink: &mut AuditSink) {
        sink.write_u64(self.len() as u64);
        sink.write(self);
    }
}

/// Shared bytes, cheap to clone for broadcast: the wire length is the
/// length; every byte is audited (once per send).
impl SimMessage for Arc<[u8]> {
    fn wire_len(&self) -> usize {
        self.len()
    }

    fn audit(&self, sink: &mut AuditSink) {
        sink.write_u64(self.len() as u64);
        sink.write(self);
    }
}

/// For nodes that report no events.
impl SimEvent for Infallible {
    fn label(&self) -> &'static str {
        match *self {}
    }
}

/// A bare label as an event.
impl SimEvent for &'static str {
    fn label(&self) -> &'static str {
        self
    }
}
