//! Decoding node bytes read from a store or a proof.

use alloc::vec::Vec;

use super::error::NodeError;
use super::hex_prefix;
use crate::hash::B256;
use crate::rlp::Rlp;

/// A child reference inside an encoded node.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RawRef<'a> {
    Empty,
    Hash(B256),
    /// An embedded node (its encoding is under 32 bytes).
    Inline(Rlp<'a>),
}

/// A decoded node; references to children are not followed.
///
/// Lives briefly on the stack while one node is read, never in a
/// collection, so the size of the branch variant does not matter.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum RawNode<'a> {
    /// The empty string: only the root of an empty trie.
    Empty,
    Leaf {
        path: Vec<u8>,
        value: &'a [u8],
    },
    Extension {
        path: Vec<u8>,
        child: RawRef<'a>,
    },
    Branch {
        children: [RawRef<'a>; 16],
        value: Option<&'a [u8]>,
    },
}

/// Decodes a whole node encoding.
pub(crate) fn decode(bytes: &[u8]) -> Result<RawNode<'_>, NodeError> {
    decode_item(&Rlp::new(bytes)?)
}

/// Decodes a node from an RLP item (a stored node or an embedded one).
pub(crate) fn decode_item<'a>(rlp: &Rlp<'a>) -> Result<RawNode<'a>, NodeError> {
    if !rlp.is_list() {
        let data = rlp.data()?;
        return if data.is_empty() {
            Ok(RawNode::Empty)
        } else {
            Err(NodeError::NotAList { len: data.len() })
        };
    }
    let mut items = rlp.list()?;
    let mut first = [None; 17];
    let mut found = 0;
    for item in &mut items {
        let item = item?;
        if let Some(slot) = first.get_mut(found) {
            *slot = Some(item);
        }
        found += 1;
    }
    match (found, first) {
        (2, [Some(path), Some(second), ..]) => {
            let (path, leaf) = hex_prefix::decode(path.data()?)?;
            if leaf {
                let value = second.data()?;
                if value.is_empty() {
                    return Err(NodeError::EmptyValue);
                }
                Ok(RawNode::Leaf { path, value })
            } else {
                if path.is_empty() {
                    return Err(NodeError::EmptyExtension);
                }
                let child = reference(&second)?;
                if matches!(child, RawRef::Empty) {
                    return Err(NodeError::MissingChild);
                }
                Ok(RawNode::Extension { path, child })
            }
        }
        (17, items) => {
            let mut children = [RawRef::Empty; 16];
            for (child, item) in children.iter_mut().zip(items.iter()) {
                if let Some(item) = item {
                    *child = reference(item)?;
                }
            }
            let value = match items.get(16) {
                Some(Some(v)) => Some(v.data()?).filter(|v| !v.is_empty()),
                _ => None,
            };
            let entries = children
                .iter()
                .filter(|c| !matches!(c, RawRef::Empty))
                .count()
                + usize::from(value.is_some());
            if entries < 2 {
                return Err(NodeError::BranchTooSmall { entries });
            }
            Ok(RawNode::Branch { children, value })
        }
        (found, _) => Err(NodeError::WrongItemCount { found }),
    }
}

fn reference<'a>(item: &Rlp<'a>) -> Result<RawRef<'a>, NodeError> {
    if item.is_list() {
        let len = item.raw().len();
        if len >= 32 {
            return Err(NodeError::InlineTooLong { len });
        }
        return Ok(RawRef::Inline(*item));
    }
    let data = item.data()?;
    match data.len() {
        0 => Ok(RawRef::Empty),
        32 => Ok(B256::from_slice(data).map_or(RawRef::Empty, RawRef::Hash)),
        len => Err(NodeError::BadReference { len }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_and_errors() {
        // ["\x20\x01", "v"] -> leaf with path [0, 1]
        let leaf = [0xc4, 0x82, 0x20, 0x01, 0x76];
        match decode(&leaf).unwrap() {
            RawNode::Leaf { path, value } => {
                assert_eq!(path, [0, 1]);
                assert_eq!(value, b"v");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(decode(&[0x80]).unwrap(), RawNode::Empty));
        assert!(matches!(
            decode(&[0x81, 0x81]),
            Err(NodeError::NotAList { len: 1 })
        ));
        // leaf with empty value
        assert!(matches!(
            decode(&[0xc2, 0x20, 0x80]),
            Err(NodeError::EmptyValue)
        ));
        // extension with empty path
        assert!(matches!(
            decode(&[0xc3, 0x00, 0xc1, 0x01]),
            Err(NodeError::EmptyExtension)
        ));
        // three items
        assert!(matches!(
            decode(&[0xc3, 0x20, 0x01, 0x02]),
            Err(NodeError::WrongItemCount { found: 3 })
        ));
        // branch with a single child and no value
        let mut branch = alloc::vec![0xd1, 0xc2, 0x20, 0x01];
        branch.extend([0x80; 15]);
        branch.push(0x80);
        // payload: 3 + 15 + 1 = 19 bytes, header 0xc0 + 19 = 0xd3
        branch[0] = 0xd3;
        assert!(matches!(
            decode(&branch),
            Err(NodeError::BranchTooSmall { entries: 1 })
        ));
        // a 5-byte string as a child reference
        let mut bad = alloc::vec![0xd8, 0x85, 1, 2, 3, 4, 5];
        bad.extend([0x80; 16]);
        bad[0] = 0xc0 + (bad.len() - 1) as u8;
        assert!(matches!(
            decode(&bad),
            Err(NodeError::BadReference { len: 5 })
        ));
    }
}
