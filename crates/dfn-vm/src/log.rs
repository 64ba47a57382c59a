//! Logs (LOG0..LOG4), their RLP form, the logs hash state tests compare
//! and the receipt bloom filter.

use alloc::vec::Vec;

use dfn_state::rlp::{Encode, bytes_len, encode_bytes, encode_list_header, header_len};
use dfn_state::{Address, B256, keccak256};

/// One log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// The account that emitted it.
    pub address: Address,
    /// Up to four topics.
    pub topics: Vec<B256>,
    /// The data.
    pub data: Vec<u8>,
}

impl Log {
    fn topics_payload_len(&self) -> usize {
        self.topics.len() * 33
    }

    fn payload_len(&self) -> usize {
        let topics = self.topics_payload_len();
        21 + header_len(topics) + topics + bytes_len(&self.data)
    }
}

impl Encode for Log {
    fn encoded_len(&self) -> usize {
        let p = self.payload_len();
        header_len(p) + p
    }

    /// `[address, [topic, ...], data]`.
    fn encode(&self, out: &mut Vec<u8>) {
        encode_list_header(self.payload_len(), out);
        self.address.encode(out);
        encode_list_header(self.topics_payload_len(), out);
        for t in &self.topics {
            t.encode(out);
        }
        encode_bytes(&self.data, out);
    }
}

/// `keccak256(rlp([log, ...]))`: what state tests call the logs hash.
#[must_use]
pub fn logs_hash(logs: &[Log]) -> B256 {
    let payload: usize = logs.iter().map(Encode::encoded_len).sum();
    let mut out = Vec::with_capacity(header_len(payload) + payload);
    encode_list_header(payload, &mut out);
    for log in logs {
        log.encode(&mut out);
    }
    keccak256(&out)
}

/// The 2048-bit bloom filter of a receipt over its logs' addresses and topics.
#[must_use]
pub fn logs_bloom(logs: &[Log]) -> [u8; 256] {
    let mut bloom = [0u8; 256];
    let mut add = |data: &[u8]| {
        let h = keccak256(data);
        for pair in h.0.chunks_exact(2).take(3) {
            let (hi, lo) = match pair {
                [hi, lo] => (*hi, *lo),
                _ => continue,
            };
            let bit = (usize::from(hi) << 8 | usize::from(lo)) & 2047;
            if let Some(byte) = bloom.get_mut(255 - bit / 8) {
                *byte |= 1 << (bit % 8);
            }
        }
    };
    for log in logs {
        add(&log.address.0);
        for t in &log.topics {
            add(&t.0);
        }
    }
    bloom
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_logs_hash() {
        assert_eq!(
            alloc::format!("{}", logs_hash(&[])),
            "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
        );
        assert_eq!(logs_bloom(&[]), [0u8; 256]);
    }

    #[test]
    fn bloom_sets_three_bits_per_item() {
        let log = Log {
            address: Address([0x11; 20]),
            topics: alloc::vec![],
            data: alloc::vec![],
        };
        let ones: u32 = logs_bloom(&[log]).iter().map(|b| b.count_ones()).sum();
        assert!((1..=3).contains(&ones));
    }
}
