//! What travels in a stream: requests (cross-shard calls) and their
//! responses, RLP-encoded.

use alloc::vec::Vec;

use ruint::aliases::U256;

use crate::address::Address;
use crate::rlp::{Decode, Encode, Rlp, RlpError, encode_fields, fields_len};

/// A call's id, unique among the calls its source shard ever made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallId(pub u64);

/// Why a request was refused without being executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum RejectReason {
    /// The destination's queue for requests from this source was full.
    QueueFull,
    /// The callee is not on the shard the request reached (the map changed).
    WrongShard,
}

impl RejectReason {
    fn code(self) -> u8 {
        match self {
            RejectReason::QueueFull => 1,
            RejectReason::WrongShard => 2,
        }
    }

    fn from_code(code: u8, rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        match code {
            1 => Ok(RejectReason::QueueFull),
            2 => Ok(RejectReason::WrongShard),
            _ => Err(RlpError::Invalid {
                offset: rlp.offset(),
                what: "unknown reject reason",
            }),
        }
    }
}

impl Encode for RejectReason {
    fn encoded_len(&self) -> usize {
        1
    }

    fn encode(&self, out: &mut Vec<u8>) {
        self.code().encode(out);
    }
}

impl Decode for RejectReason {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        Self::from_code(rlp.decode()?, rlp)
    }
}

/// A cross-shard call: `caller` (on the source shard) calls `callee` (on
/// the destination shard) with `value` and `payload` (calldata).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The call's id at its source.
    pub call: CallId,
    /// The calling account.
    pub caller: Address,
    /// The called account.
    pub callee: Address,
    /// Value moved with the call (debited at the source when sent,
    /// credited at the destination when executed, refunded on failure).
    pub value: U256,
    /// Calldata.
    pub payload: Vec<u8>,
}

/// How a call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Executed; the return data.
    Returned(Vec<u8>),
    /// Executed and failed (reverted); the revert data.
    Failed(Vec<u8>),
    /// Not executed.
    Rejected(RejectReason),
}

/// The one answer to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The request's id at its source (the response's destination).
    pub call: CallId,
    /// The called account (answering).
    pub callee: Address,
    /// The calling account (to be told).
    pub caller: Address,
    /// Value returned to the caller (the call's value when it failed or
    /// was rejected, else 0).
    pub refund: U256,
    /// How it ended.
    pub outcome: Outcome,
}

/// A stream message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamMessage {
    /// A call.
    Request(Request),
    /// The answer to a call that came the other way.
    Response(Response),
}

impl StreamMessage {
    fn encode_parts(&self, f: impl FnOnce(&[&dyn Encode]) -> usize) -> usize {
        match self {
            StreamMessage::Request(r) => {
                f(&[&0u8, &r.call.0, &r.caller, &r.callee, &r.value, &r.payload])
            }
            StreamMessage::Response(r) => {
                let (kind, data): (u8, &[u8]) = match &r.outcome {
                    Outcome::Returned(d) => (0, d),
                    Outcome::Failed(d) => (1, d),
                    Outcome::Rejected(reason) => (2 + reason.code(), &[]),
                };
                f(&[
                    &1u8, &r.call.0, &r.callee, &r.caller, &r.refund, &kind, &data,
                ])
            }
        }
    }
}

impl Encode for StreamMessage {
    fn encoded_len(&self) -> usize {
        self.encode_parts(fields_len)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        self.encode_parts(|fields| {
            encode_fields(fields, out);
            0
        });
    }
}

impl Decode for StreamMessage {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let items = crate::rlp::list_items(rlp)?;
        match items.as_slice() {
            [tag, call, caller, callee, value, payload] if tag.decode::<u8>()? == 0 => {
                Ok(StreamMessage::Request(Request {
                    call: CallId(call.decode()?),
                    caller: caller.decode()?,
                    callee: callee.decode()?,
                    value: value.decode()?,
                    payload: payload.decode()?,
                }))
            }
            [tag, call, callee, caller, refund, kind, data] if tag.decode::<u8>()? == 1 => {
                let data: Vec<u8> = data.decode()?;
                let outcome = match kind.decode::<u8>()? {
                    0 => Outcome::Returned(data),
                    1 => Outcome::Failed(data),
                    code if data.is_empty() => {
                        Outcome::Rejected(RejectReason::from_code(code.saturating_sub(2), kind)?)
                    }
                    _ => {
                        return Err(RlpError::Invalid {
                            offset: rlp.offset(),
                            what: "a rejection carries no data",
                        });
                    }
                };
                Ok(StreamMessage::Response(Response {
                    call: CallId(call.decode()?),
                    callee: callee.decode()?,
                    caller: caller.decode()?,
                    refund: refund.decode()?,
                    outcome,
                }))
            }
            _ => Err(RlpError::Invalid {
                offset: rlp.offset(),
                what: "not a stream message",
            }),
        }
    }
}
