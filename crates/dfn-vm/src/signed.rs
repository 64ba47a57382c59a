//! Signed transactions as they travel the network: the RLP envelopes of
//! legacy (pre-EIP-155 and EIP-155), EIP-2930, EIP-1559 and EIP-4844
//! transactions, their signing hash and hash, and the recovery of the
//! sender from the secp256k1 signature.
//!
//! Decoding is strict: the RLP must be canonical (the decoder of
//! `dfn-state` rejects every non-minimal form), so a decoded transaction
//! re-encodes to exactly the bytes it came from.

use alloc::vec::Vec;

use dfn_state::rlp::{Encode, Rlp, RlpError, encode_bytes, encode_list_header};
use dfn_state::{Address, B256, U256};
use k256::ecdsa::{RecoveryId, Signature as EcdsaSignature, VerifyingKey};

use crate::keccak::keccak256;
use crate::transaction::{AccessListItem, Transaction, TxType};

/// Why bytes are not a valid signed transaction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TxDecodeError {
    /// No bytes at all.
    #[error("empty transaction")]
    Empty,
    /// A typed envelope whose type byte is not 1, 2 or 3.
    #[error("unknown transaction type {0:#04x}")]
    UnknownType(u8),
    /// The RLP is malformed or not canonical, or a field has the wrong
    /// shape (length, item count, integer size).
    #[error("malformed transaction RLP: {0}")]
    Rlp(#[from] RlpError),
    /// A legacy `v` that is neither 27/28 nor `chain_id·2 + 35/36`.
    #[error("legacy signature v {0} is neither 27/28 nor EIP-155")]
    InvalidV(u64),
    /// A typed transaction's y parity other than 0 or 1.
    #[error("signature y parity {0} is not 0 or 1")]
    InvalidYParity(u8),
    /// Signed for another chain.
    #[error("transaction signed for chain {found}, expected chain {expected}")]
    WrongChainId {
        /// The chain the transaction is checked against.
        expected: u64,
        /// The chain it was signed for.
        found: u64,
    },
    /// `s` in the upper half of the curve order (forbidden since EIP-2).
    #[error("signature s is in the upper half of the curve order (EIP-2)")]
    HighS,
    /// `r` or `s` is zero or not below the curve order.
    #[error("signature r or s out of range")]
    InvalidSignature,
    /// No public key recovers from the signature and signing hash.
    #[error("no public key recovers from the signature")]
    Unrecoverable,
    /// An EIP-4844 transaction must call an account, never create one.
    #[error("blob transaction without a recipient")]
    BlobCreate,
}

/// The secp256k1 signature of a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxSignature {
    /// Whether the recovered point's y is odd (the recovery id).
    pub y_parity: bool,
    /// `r`.
    pub r: U256,
    /// `s` (in the lower half of the curve order).
    pub s: U256,
}

/// A decoded transaction whose sender was recovered from its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTransaction {
    /// The transaction, `sender` set to the recovered signer. A legacy or
    /// EIP-2930 gas price is in both `max_fee_per_gas` and
    /// `max_priority_fee_per_gas`.
    pub tx: Transaction,
    /// The chain signed for; `None` only for a pre-EIP-155 legacy
    /// transaction, valid on every chain.
    pub chain_id: Option<u64>,
    /// The signature.
    pub signature: TxSignature,
    /// The transaction hash: Keccak-256 of the encoding.
    pub hash: B256,
}

/// The first byte of every legacy encoding (an RLP list header) is at
/// least this; a typed envelope starts with its type, below 0x80.
const LIST_START: u8 = 0xc0;

/// `v` of a pre-EIP-155 signature with even y.
const V_PRE_155: u64 = 27;
/// `v = chain_id·2 + 35 + y_parity` under EIP-155.
const V_155_OFFSET: u64 = 35;

/// Half the secp256k1 group order, the largest `s` EIP-2 allows.
const HALF_ORDER: U256 = U256::from_limbs([
    0xdfe9_2f46_681b_20a0,
    0x5d57_6e73_57a4_501d,
    0xffff_ffff_ffff_ffff,
    0x7fff_ffff_ffff_ffff,
]);

impl SignedTransaction {
    /// Decodes a transaction as it is gossiped and put in blocks (the
    /// legacy RLP list, or `type ‖ rlp(fields)`; an EIP-4844 transaction
    /// without its blob sidecar), checks that it was signed for
    /// `chain_id` (a pre-EIP-155 legacy transaction names no chain and
    /// is accepted) and that `s` is low (EIP-2), and recovers the sender.
    pub fn decode(bytes: &[u8], chain_id: u64) -> Result<Self, TxDecodeError> {
        let (&first, rest) = bytes.split_first().ok_or(TxDecodeError::Empty)?;
        let mut signed = if first >= LIST_START {
            decode_legacy(&Rlp::new(bytes)?)?
        } else {
            let tx_type = match first {
                1 => TxType::AccessList,
                2 => TxType::Eip1559,
                3 => TxType::Blob,
                other => return Err(TxDecodeError::UnknownType(other)),
            };
            decode_typed(tx_type, &Rlp::new(rest)?)?
        };
        if let Some(found) = signed.chain_id {
            if found != chain_id {
                return Err(TxDecodeError::WrongChainId {
                    expected: chain_id,
                    found,
                });
            }
        }
        signed.hash = keccak256(bytes);
        signed.tx.sender = recover(&signed.signing_hash(), &signed.signature)?;
        Ok(signed)
    }

    /// The encoding [`SignedTransaction::decode`] reads (and [`Self::hash`]
    /// hashes).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        self.envelope(true)
    }

    /// The hash the sender signed: Keccak-256 of the fields without the
    /// signature (for EIP-155, with `chain_id, 0, 0` in its place).
    #[must_use]
    pub fn signing_hash(&self) -> B256 {
        keccak256(self.envelope(false))
    }

    /// The type byte (if typed) and the RLP list of the fields, with the
    /// signature or with what is signed in its place.
    fn envelope(&self, signed: bool) -> Vec<u8> {
        let tx = &self.tx;
        let sig = &self.signature;
        let chain_id = self.chain_id.unwrap_or(0);
        let mut p = Vec::with_capacity(tx.data.len() + 128);
        let type_byte = match tx.tx_type {
            TxType::Legacy => None,
            TxType::AccessList => Some(1u8),
            TxType::Eip1559 => Some(2),
            TxType::Blob => Some(3),
        };
        if type_byte.is_some() {
            chain_id.encode(&mut p);
        }
        tx.nonce.encode(&mut p);
        if matches!(tx.tx_type, TxType::Eip1559 | TxType::Blob) {
            tx.max_priority_fee_per_gas.encode(&mut p);
        }
        tx.max_fee_per_gas.encode(&mut p);
        tx.gas_limit.encode(&mut p);
        match &tx.to {
            Some(to) => to.encode(&mut p),
            None => encode_bytes(&[], &mut p),
        }
        tx.value.encode(&mut p);
        tx.data.encode(&mut p);
        if type_byte.is_some() {
            encode_access_list(&tx.access_list, &mut p);
        }
        if tx.tx_type == TxType::Blob {
            tx.max_fee_per_blob_gas.encode(&mut p);
            let hashes: usize = tx
                .blob_versioned_hashes
                .iter()
                .map(Encode::encoded_len)
                .sum();
            encode_list_header(hashes, &mut p);
            tx.blob_versioned_hashes
                .iter()
                .for_each(|h| h.encode(&mut p));
        }
        match (signed, type_byte, self.chain_id) {
            (true, Some(_), _) => u8::from(sig.y_parity).encode(&mut p),
            (true, None, None) => (V_PRE_155 + u64::from(sig.y_parity)).encode(&mut p),
            (true, None, Some(id)) => id
                .saturating_mul(2)
                .saturating_add(V_155_OFFSET + u64::from(sig.y_parity))
                .encode(&mut p),
            (false, None, Some(id)) => {
                id.encode(&mut p);
                0u8.encode(&mut p);
                0u8.encode(&mut p);
            }
            (false, _, _) => {}
        }
        if signed {
            sig.r.encode(&mut p);
            sig.s.encode(&mut p);
        }
        let mut out = Vec::with_capacity(p.len() + 10);
        out.extend(type_byte);
        encode_list_header(p.len(), &mut out);
        out.extend_from_slice(&p);
        out
    }
}

fn encode_access_list(list: &[AccessListItem], out: &mut Vec<u8>) {
    let item_payload = |item: &AccessListItem| {
        let keys = 33 * item.storage_keys.len();
        21 + dfn_state::rlp::header_len(keys) + keys
    };
    let total: usize = list
        .iter()
        .map(|item| {
            let payload = item_payload(item);
            dfn_state::rlp::header_len(payload) + payload
        })
        .sum();
    encode_list_header(total, out);
    for item in list {
        encode_list_header(item_payload(item), out);
        item.address.encode(out);
        encode_list_header(33 * item.storage_keys.len(), out);
        for key in &item.storage_keys {
            encode_bytes(&key.to_be_bytes::<32>(), out);
        }
    }
}

/// `to`: empty for a creation, else exactly 20 bytes.
fn decode_to(rlp: &Rlp<'_>) -> Result<Option<Address>, TxDecodeError> {
    if rlp.data()?.is_empty() {
        Ok(None)
    } else {
        Ok(Some(rlp.decode()?))
    }
}

fn decode_access_list(rlp: &Rlp<'_>) -> Result<Vec<AccessListItem>, TxDecodeError> {
    let mut list = Vec::new();
    for item in rlp.list()? {
        let [address, keys] = item?.fixed_list::<2>()?;
        let storage_keys = keys
            .list()?
            .map(|key| Ok(U256::from_be_bytes(key?.decode::<[u8; 32]>()?)))
            .collect::<Result<Vec<_>, TxDecodeError>>()?;
        list.push(AccessListItem {
            address: address.decode()?,
            storage_keys,
        });
    }
    Ok(list)
}

/// Decodes `r` and `s`; range and EIP-2 checks come with recovery.
fn decode_rs(r: &Rlp<'_>, s: &Rlp<'_>, y_parity: bool) -> Result<TxSignature, TxDecodeError> {
    Ok(TxSignature {
        y_parity,
        r: r.decode()?,
        s: s.decode()?,
    })
}

fn empty_tx(tx_type: TxType) -> Transaction {
    Transaction {
        tx_type,
        sender: Address::ZERO,
        to: None,
        nonce: 0,
        gas_limit: 0,
        max_fee_per_gas: U256::ZERO,
        max_priority_fee_per_gas: U256::ZERO,
        value: U256::ZERO,
        data: Vec::new(),
        access_list: Vec::new(),
        blob_versioned_hashes: Vec::new(),
        max_fee_per_blob_gas: U256::ZERO,
    }
}

/// `[nonce, gasPrice, gas, to, value, data, v, r, s]`.
fn decode_legacy(rlp: &Rlp<'_>) -> Result<SignedTransaction, TxDecodeError> {
    let [nonce, price, gas, to, value, data, v, r, s] = rlp.fixed_list::<9>()?;
    let v: u64 = v.decode()?;
    let (chain_id, y_parity) = match v {
        27 | 28 => (None, v == 28),
        _ if v >= V_155_OFFSET => (Some((v - V_155_OFFSET) / 2), (v - V_155_OFFSET) % 2 == 1),
        _ => return Err(TxDecodeError::InvalidV(v)),
    };
    let price: U256 = price.decode()?;
    let tx = Transaction {
        to: decode_to(&to)?,
        nonce: nonce.decode()?,
        gas_limit: gas.decode()?,
        max_fee_per_gas: price,
        max_priority_fee_per_gas: price,
        value: value.decode()?,
        data: data.decode()?,
        ..empty_tx(TxType::Legacy)
    };
    Ok(SignedTransaction {
        tx,
        chain_id,
        signature: decode_rs(&r, &s, y_parity)?,
        hash: B256::ZERO,
    })
}

/// The fields of EIP-2930 (11), EIP-1559 (12) and EIP-4844 (14)
/// transactions, which share their order.
fn decode_typed(tx_type: TxType, rlp: &Rlp<'_>) -> Result<SignedTransaction, TxDecodeError> {
    let items = dfn_state::rlp::list_items(rlp)?;
    let expected = match tx_type {
        TxType::AccessList => 11,
        TxType::Eip1559 => 12,
        TxType::Blob | TxType::Legacy => 14,
    };
    if items.len() != expected {
        return Err(RlpError::WrongItemCount {
            offset: rlp.offset(),
            expected,
            found: items.len(),
        }
        .into());
    }
    let mut fields = items.iter();
    let mut next = || {
        fields.next().ok_or(TxDecodeError::Rlp(RlpError::Truncated {
            offset: rlp.offset(),
            needed: expected,
            available: items.len(),
        }))
    };
    let chain_id: u64 = next()?.decode()?;
    let mut tx = empty_tx(tx_type);
    tx.nonce = next()?.decode()?;
    if tx_type == TxType::AccessList {
        tx.max_fee_per_gas = next()?.decode()?;
        tx.max_priority_fee_per_gas = tx.max_fee_per_gas;
    } else {
        tx.max_priority_fee_per_gas = next()?.decode()?;
        tx.max_fee_per_gas = next()?.decode()?;
    }
    tx.gas_limit = next()?.decode()?;
    tx.to = decode_to(next()?)?;
    tx.value = next()?.decode()?;
    tx.data = next()?.decode()?;
    tx.access_list = decode_access_list(next()?)?;
    if tx_type == TxType::Blob {
        if tx.to.is_none() {
            return Err(TxDecodeError::BlobCreate);
        }
        tx.max_fee_per_blob_gas = next()?.decode()?;
        tx.blob_versioned_hashes = next()?
            .list()?
            .map(|h| Ok(h?.decode::<B256>()?))
            .collect::<Result<Vec<_>, TxDecodeError>>()?;
    }
    let y_parity = match next()?.decode::<u8>()? {
        0 => false,
        1 => true,
        other => return Err(TxDecodeError::InvalidYParity(other)),
    };
    let (r, s) = (next()?, next()?);
    Ok(SignedTransaction {
        tx,
        chain_id: Some(chain_id),
        signature: decode_rs(r, s, y_parity)?,
        hash: B256::ZERO,
    })
}

/// The address whose key made `signature` over `hash`.
fn recover(hash: &B256, signature: &TxSignature) -> Result<Address, TxDecodeError> {
    if signature.s > HALF_ORDER {
        return Err(TxDecodeError::HighS);
    }
    let sig = EcdsaSignature::from_scalars(
        signature.r.to_be_bytes::<32>(),
        signature.s.to_be_bytes::<32>(),
    )
    .map_err(|_| TxDecodeError::InvalidSignature)?;
    let recid = RecoveryId::new(signature.y_parity, false);
    let key = VerifyingKey::recover_from_prehash(&hash.0, &sig, recid)
        .map_err(|_| TxDecodeError::Unrecoverable)?;
    let point = key.to_encoded_point(false);
    let hashed = keccak256(point.as_bytes().get(1..).unwrap_or(&[]));
    let mut address = [0u8; 20];
    address.copy_from_slice(hashed.0.get(12..).unwrap_or(&[0; 20]));
    Ok(Address(address))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_order_is_n_over_two() {
        let n = U256::from_str_radix(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
            16,
        )
        .unwrap();
        assert_eq!(HALF_ORDER, n >> 1);
    }
}
