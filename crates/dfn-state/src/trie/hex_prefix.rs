//! Hex-prefix encoding of node paths (Yellow Paper, appendix C).
//!
//! The first nibble holds two flags: bit 1 says leaf (vs extension), bit 0
//! says the path has an odd number of nibbles. An odd path puts its first
//! nibble in the low half of the first byte; an even one pads it with zero.

use alloc::vec::Vec;

use super::error::NodeError;

/// Appends the hex-prefix encoding of `nibbles` (one per byte).
pub(crate) fn encode(nibbles: &[u8], leaf: bool, out: &mut Vec<u8>) {
    let flag = if leaf { 0x20 } else { 0x00 };
    let rest = if let Some((first, rest)) = nibbles.split_first().filter(|_| nibbles.len() % 2 == 1)
    {
        out.push(flag | 0x10 | (first & 0x0f));
        rest
    } else {
        out.push(flag);
        nibbles
    };
    out.extend(rest.chunks_exact(2).map(|pair| match pair {
        [hi, lo] => (hi << 4) | (lo & 0x0f),
        _ => 0,
    }));
}

/// Length of the hex-prefix encoding of a path of `nibbles` nibbles.
pub(crate) const fn encoded_len(nibbles: usize) -> usize {
    nibbles / 2 + 1
}

/// Decodes a hex-prefix path: its nibbles and whether it ends in a leaf.
pub(crate) fn decode(bytes: &[u8]) -> Result<(Vec<u8>, bool), NodeError> {
    let (&first, rest) = bytes.split_first().ok_or(NodeError::EmptyPath)?;
    let flag = first >> 4;
    if flag > 3 {
        return Err(NodeError::BadPathFlag { flag });
    }
    let leaf = flag & 2 != 0;
    let mut nibbles = Vec::with_capacity(rest.len() * 2 + 1);
    if flag & 1 != 0 {
        nibbles.push(first & 0x0f);
    } else if first & 0x0f != 0 {
        return Err(NodeError::BadPathPadding { byte: first });
    }
    nibbles.extend(rest.iter().flat_map(|b| [b >> 4, b & 0x0f]));
    Ok((nibbles, leaf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn yellow_paper_examples() {
        let cases: [(&[u8], bool, &[u8]); 5] = [
            (&[1, 2, 3, 4, 5], false, &[0x11, 0x23, 0x45]),
            (&[0, 1, 2, 3, 4, 5], false, &[0x00, 0x01, 0x23, 0x45]),
            (&[0, 0xf, 1, 0xc, 0xb, 8], true, &[0x20, 0x0f, 0x1c, 0xb8]),
            (&[0xf, 1, 0xc, 0xb, 8], true, &[0x3f, 0x1c, 0xb8]),
            (&[], true, &[0x20]),
        ];
        for (nibbles, leaf, bytes) in cases {
            let mut out = vec![];
            encode(nibbles, leaf, &mut out);
            assert_eq!(out, bytes);
            assert_eq!(encoded_len(nibbles.len()), bytes.len());
            assert_eq!(decode(bytes).unwrap(), (nibbles.to_vec(), leaf));
        }
    }

    #[test]
    fn bad_flags() {
        assert!(matches!(
            decode(&[0x40]),
            Err(NodeError::BadPathFlag { flag: 4 })
        ));
        assert!(matches!(
            decode(&[0x21]),
            Err(NodeError::BadPathPadding { byte: 0x21 })
        ));
        assert!(matches!(decode(&[]), Err(NodeError::EmptyPath)));
    }
}
