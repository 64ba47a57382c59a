//! The messages and events of the interop simulation: the chain
//! messages of every network, a private network's signed posts to the
//! public chain, and the requests and answers between private and public
//! processes (beacon values, twin reads, certified call results).

use dfn_beacon::ValueProof;
use dfn_interop::{SignedPost, TwinId};
use dfn_psp::PspMessage;
use dfn_sim::{AuditSink, SimEvent, SimMessage};
use dfn_state::{Address, U256};

use super::fixture::V;

#[derive(Clone, Debug)]
pub enum Msg {
    Chain(PspMessage<V>),
    /// A call posted by a private network, signed with its account's key.
    Call(SignedPost),
    Values {
        from: u64,
    },
    Value(ValueProof<V>),
    Read {
        slot: U256,
    },
    Proof(Vec<u8>),
    ReadCall {
        poster: Address,
        id: TwinId,
    },
    CallProof(Vec<u8>),
}

impl SimMessage for Msg {
    fn wire_len(&self) -> usize {
        match self {
            Msg::Chain(m) => m.encoded_len(),
            Msg::Call(c) => c.to_bytes().len(),
            Msg::Values { .. } => 9,
            Msg::Value(v) => 8 + 48 + 8 + 96 + 32 * v.path.path.len(),
            Msg::Read { .. } => 33,
            Msg::ReadCall { .. } => 53,
            Msg::Proof(b) | Msg::CallProof(b) => b.len(),
        }
    }
    fn audit(&self, sink: &mut AuditSink) {
        match self {
            Msg::Chain(m) => sink.write(&m.to_bytes()),
            Msg::Call(c) => sink.write(&c.to_bytes()),
            Msg::Values { from } => sink.write_u64(*from),
            Msg::Value(v) => sink.write(v.signature.to_bytes().as_ref()),
            Msg::Read { slot } => sink.write(&slot.to_be_bytes::<32>()),
            Msg::ReadCall { poster, id } => {
                sink.write(&poster.0);
                sink.write(&id.0);
            }
            Msg::Proof(b) | Msg::CallProof(b) => sink.write(b),
        }
    }
}

#[derive(Debug)]
pub enum Ev {
    Finalized { net: u8, height: u64 },
    Decided { call_id: u64, committed: bool },
    Returned { call_id: u64 },
}

impl SimEvent for Ev {
    fn label(&self) -> &'static str {
        match self {
            Ev::Finalized { .. } => "finalized",
            Ev::Decided { .. } => "decided",
            Ev::Returned { .. } => "returned",
        }
    }
    fn audit(&self, sink: &mut AuditSink) {
        match self {
            Ev::Finalized { net, height } => {
                sink.write_u32(u32::from(*net));
                sink.write_u64(*height);
            }
            Ev::Decided { call_id, committed } => {
                sink.write_u64(*call_id);
                sink.write_u32(u32::from(*committed));
            }
            Ev::Returned { call_id } => sink.write_u64(*call_id),
        }
    }
}
