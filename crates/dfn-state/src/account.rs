//! An account as the state trie stores it.

use alloc::vec::Vec;

use ruint::aliases::U256;

use crate::hash::{B256, EMPTY_ROOT, KECCAK_EMPTY};
use crate::rlp::{Decode, Encode, Rlp, RlpError, encode_list_header, header_len};

/// The four fields of an account, RLP-encoded as `[nonce, balance,
/// storage_root, code_hash]` under `keccak256(address)` in the state trie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    /// Transactions sent (or contracts created, for a contract).
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// Root of the account's storage trie.
    pub storage_root: B256,
    /// Keccak-256 of the account's code.
    pub code_hash: B256,
}

impl Default for Account {
    /// No nonce, no balance, no storage, no code.
    fn default() -> Self {
        Self {
            nonce: 0,
            balance: U256::ZERO,
            storage_root: EMPTY_ROOT,
            code_hash: KECCAK_EMPTY,
        }
    }
}

impl Account {
    /// Empty in the sense of EIP-161: no nonce, no balance, no code
    /// (storage is not considered).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nonce == 0 && self.balance.is_zero() && self.code_hash == KECCAK_EMPTY
    }

    fn payload_len(&self) -> usize {
        self.nonce.encoded_len() + self.balance.encoded_len() + 33 + 33
    }
}

impl Encode for Account {
    fn encoded_len(&self) -> usize {
        let payload = self.payload_len();
        header_len(payload) + payload
    }

    fn encode(&self, out: &mut Vec<u8>) {
        encode_list_header(self.payload_len(), out);
        self.nonce.encode(out);
        self.balance.encode(out);
        self.storage_root.encode(out);
        self.code_hash.encode(out);
    }
}

impl Decode for Account {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let [nonce, balance, storage_root, code_hash] = rlp.fixed_list::<4>()?;
        Ok(Self {
            nonce: nonce.decode()?,
            balance: balance.decode()?,
            storage_root: storage_root.decode()?,
            code_hash: code_hash.decode()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rlp::decode_exact;

    #[test]
    fn round_trip_and_golden_bytes() {
        let acct = Account {
            nonce: 1,
            balance: U256::from(0x05f4_46a7u64),
            ..Account::default()
        };
        let enc = acct.to_rlp();
        // From ethereum/tests hex_encoded_securetrie_test (test1).
        let expected = "f848018405f446a7a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";
        let hex: alloc::string::String = enc.iter().map(|b| alloc::format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
        assert_eq!(decode_exact::<Account>(&enc).unwrap(), acct);
        assert_eq!(enc.len(), acct.encoded_len());
        assert!(Account::default().is_empty());
        assert!(!acct.is_empty());
    }
}
