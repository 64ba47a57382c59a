//! The canonical byte encoding of a [`CertifiedRead`], in RLP (the
//! encoding the state trie's nodes already use):
//!
//! ```text
//! read    = [version = 1, [header*], address (20), [node*], storage]
//! header  = [header bytes (130), notarization S, group id u64, group key K,
//!            path index u64, path size u64, [hash (32)*]]
//! storage = [] | [slot U256, [node*]]
//! ```
//!
//! `S` and `K` are compressed points (MinSig: 48 and 96 bytes). Integers
//! are minimal big-endian RLP integers. Decoding accepts only this form
//! (strict RLP, exact lengths, points checked for subgroup and identity),
//! so decoding then encoding gives the input back; it allocates only for
//! items present in the input, and at most [`MAX_HEADERS`] headers,
//! [`MAX_TRIE_NODES`] nodes per trie proof and [`MAX_PATH`] hashes per
//! group path.

use alloc::vec::Vec;

use dfn_beacon::GroupId;
use dfn_beacon::merkle::MerkleProof;
use dfn_crypto::error::PointError;
use dfn_crypto::{PublicKey, Signature, Variant};
use dfn_state::rlp::{Encode, Rlp, RlpError, encode_bytes, encode_list_header};
use dfn_state::{Address, U256};
use thiserror::Error;

use crate::certified::{CertifiedRead, NotarizedHeader, StorageRead};
use crate::header::{Header, HeaderError};

/// The version of the proof encoding.
pub const PROOF_VERSION: u64 = 1;
/// The most headers (the certified one and its confirmations) a proof may
/// carry.
pub const MAX_HEADERS: usize = 16;
/// The most nodes a trie proof may carry (a secure-trie path has at most
/// 64 branches and a leaf).
pub const MAX_TRIE_NODES: usize = 80;
/// The most hashes a group's Merkle path may carry.
pub const MAX_PATH: usize = 64;

/// Why bytes are not a canonical [`CertifiedRead`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Not canonical RLP of the expected shape.
    #[error("rlp: {0}")]
    Rlp(#[from] RlpError),
    /// An unknown encoding version.
    #[error("unknown proof version {0}")]
    Version(u64),
    /// More items than the limit.
    #[error("more than {max} {what}")]
    TooMany {
        /// What.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// A header does not parse.
    #[error("header: {0}")]
    Header(HeaderError),
    /// A point does not decode.
    #[error("{field}: {error}")]
    Point {
        /// Which field.
        field: &'static str,
        /// What is wrong.
        error: PointError,
    },
    /// The storage item has neither zero nor two fields.
    #[error("the storage item has {0} fields")]
    StorageShape(usize),
    /// A post's signature is not 65 bytes.
    #[error("a signature of {0} bytes")]
    SignatureLength(usize),
}

/// Appends a list whose payload `payload` writes.
fn list(out: &mut Vec<u8>, payload: impl FnOnce(&mut Vec<u8>)) {
    let mut inner = Vec::new();
    payload(&mut inner);
    encode_list_header(inner.len(), out);
    out.extend_from_slice(&inner);
}

fn byte_list<T: AsRef<[u8]>>(out: &mut Vec<u8>, items: &[T]) {
    list(out, |out| {
        items.iter().for_each(|i| encode_bytes(i.as_ref(), out));
    });
}

/// The items of `rlp`, a list of at most `max`.
fn bounded<'a>(rlp: &Rlp<'a>, max: usize, what: &'static str) -> Result<Vec<Rlp<'a>>, DecodeError> {
    let mut items = Vec::new();
    for item in rlp.list()? {
        if items.len() == max {
            return Err(DecodeError::TooMany { what, max });
        }
        items.push(item?);
    }
    Ok(items)
}

fn byte_items(rlp: &Rlp<'_>, max: usize, what: &'static str) -> Result<Vec<Vec<u8>>, DecodeError> {
    bounded(rlp, max, what)?
        .iter()
        .map(|i| Ok(i.data()?.to_vec()))
        .collect()
}

impl<V: Variant> NotarizedHeader<V> {
    fn encode(&self, out: &mut Vec<u8>) {
        list(out, |out| {
            encode_bytes(&self.header.to_bytes(), out);
            encode_bytes(self.signature.to_bytes().as_ref(), out);
            self.group.0.encode(out);
            encode_bytes(self.group_key.to_bytes().as_ref(), out);
            self.path.index.encode(out);
            self.path.size.encode(out);
            byte_list(out, &self.path.path);
        });
    }

    fn decode(rlp: &Rlp<'_>) -> Result<Self, DecodeError> {
        let [header, signature, group, group_key, index, size, path] = rlp.fixed_list::<7>()?;
        let point = |field| move |error| DecodeError::Point { field, error };
        let path = bounded(&path, MAX_PATH, "path hashes")?
            .iter()
            .map(|h| h.decode::<[u8; 32]>())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            header: Header::from_bytes(header.data()?).map_err(DecodeError::Header)?,
            signature: Signature::from_bytes(signature.data()?).map_err(point("notarization"))?,
            group: GroupId(group.decode()?),
            group_key: PublicKey::from_bytes(group_key.data()?).map_err(point("group key"))?,
            path: MerkleProof {
                index: index.decode()?,
                size: size.decode()?,
                path,
            },
        })
    }
}

impl<V: Variant> CertifiedRead<V> {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        list(&mut out, |out| {
            PROOF_VERSION.encode(out);
            list(out, |out| self.headers.iter().for_each(|h| h.encode(out)));
            self.address.encode(out);
            byte_list(out, &self.account_proof);
            list(out, |out| {
                if let Some(s) = &self.storage {
                    s.key.encode(out);
                    byte_list(out, &s.proof);
                }
            });
        });
        out
    }

    /// Decodes the canonical encoding of untrusted bytes (never panics).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let [version, headers, address, account_proof, storage] =
            Rlp::new(bytes)?.fixed_list::<5>()?;
        let version: u64 = version.decode()?;
        if version != PROOF_VERSION {
            return Err(DecodeError::Version(version));
        }
        let headers = bounded(&headers, MAX_HEADERS, "headers")?
            .iter()
            .map(NotarizedHeader::decode)
            .collect::<Result<Vec<_>, _>>()?;
        let storage = match bounded(&storage, 2, "storage fields")?.as_slice() {
            [] => None,
            [key, proof] => Some(StorageRead {
                key: key.decode::<U256>()?,
                proof: byte_items(proof, MAX_TRIE_NODES, "storage proof nodes")?,
            }),
            other => return Err(DecodeError::StorageShape(other.len())),
        };
        Ok(Self {
            headers,
            address: address.decode::<Address>()?,
            account_proof: byte_items(&account_proof, MAX_TRIE_NODES, "account proof nodes")?,
            storage,
        })
    }
}
