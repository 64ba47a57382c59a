//! A stream's header: which messages it holds, and what its shard has
//! taken from the stream coming the other way.

use alloc::vec::Vec;

use crate::rlp::{Decode, Encode, Rlp, RlpError, encode_fields, fields_len, list_items};

use super::message::RejectReason;

/// The header of the stream from shard `S` to shard `D`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamHeader {
    /// The index of the first message still held (below it: acknowledged
    /// and garbage-collected).
    pub begin: u64,
    /// One past the index of the last message.
    pub end: u64,
    /// The next index `S` expects in the stream `D → S` (everything below
    /// is inducted: the acknowledgement `D` garbage-collects by).
    pub signals_end: u64,
    /// Requests of `D → S` that `S` refused, by index, with the reason:
    /// `D` answers each with a reject response to its caller.
    pub reject_signals: Vec<(u64, RejectReason)>,
}

struct Signal<'a>(&'a (u64, RejectReason));

impl Encode for Signal<'_> {
    fn encoded_len(&self) -> usize {
        fields_len(&[&self.0.0, &self.0.1])
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_fields(&[&self.0.0, &self.0.1], out);
    }
}

impl StreamHeader {
    fn with_fields<R>(&self, f: impl FnOnce(&[&dyn Encode]) -> R) -> R {
        let signals: Vec<Signal<'_>> = self.reject_signals.iter().map(Signal).collect();
        f(&[
            &self.begin,
            &self.end,
            &self.signals_end,
            &SignalList(&signals),
        ])
    }
}

struct SignalList<'a>(&'a [Signal<'a>]);

impl Encode for SignalList<'_> {
    fn encoded_len(&self) -> usize {
        crate::rlp::list_len(self.0)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        crate::rlp::encode_list(self.0, out);
    }
}

impl Encode for StreamHeader {
    fn encoded_len(&self) -> usize {
        self.with_fields(fields_len)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        self.with_fields(|fields| encode_fields(fields, out));
    }
}

impl Decode for StreamHeader {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let [begin, end, signals_end, signals] = rlp.fixed_list::<4>()?;
        let reject_signals = list_items(&signals)?
            .iter()
            .map(|s| {
                let [index, reason] = s.fixed_list::<2>()?;
                Ok((index.decode()?, reason.decode()?))
            })
            .collect::<Result<Vec<_>, RlpError>>()?;
        let header = Self {
            begin: begin.decode()?,
            end: end.decode()?,
            signals_end: signals_end.decode()?,
            reject_signals,
        };
        let ordered = header.reject_signals.windows(2).all(|w| match w {
            [a, b] => a.0 < b.0,
            _ => true,
        });
        if header.begin > header.end || !ordered {
            return Err(RlpError::Invalid {
                offset: rlp.offset(),
                what: "stream header out of order",
            });
        }
        Ok(header)
    }
}
