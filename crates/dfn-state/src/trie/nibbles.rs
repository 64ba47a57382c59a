//! Keys as sequences of 4-bit nibbles, high nibble of each byte first.

use alloc::vec::Vec;

/// Nibble `i` of `key` (0 past the end; callers stay below `2 * key.len()`).
#[inline]
pub(crate) fn nibble_at(key: &[u8], i: usize) -> u8 {
    key.get(i / 2)
        .map_or(0, |b| if i % 2 == 0 { b >> 4 } else { b & 0x0f })
}

/// All nibbles of `key`, one per byte.
pub(crate) fn to_nibbles(key: &[u8]) -> Vec<u8> {
    key.iter().flat_map(|b| [b >> 4, b & 0x0f]).collect()
}

/// Packs an even number of nibbles back into bytes; `None` if odd.
pub(crate) fn pack(nibbles: &[u8]) -> Option<Vec<u8>> {
    if nibbles.len() % 2 != 0 {
        return None;
    }
    Some(
        nibbles
            .chunks_exact(2)
            .map(|pair| match pair {
                [hi, lo] => (hi << 4) | (lo & 0x0f),
                _ => 0,
            })
            .collect(),
    )
}

/// How many nibbles of `path` match `key` from nibble `depth` on.
pub(crate) fn match_len(path: &[u8], key: &[u8], depth: usize) -> usize {
    let available = (key.len() * 2).saturating_sub(depth);
    path.iter()
        .take(available)
        .enumerate()
        .take_while(|(i, n)| nibble_at(key, depth + i) == **n)
        .count()
}

/// The first nibble index at or after `depth` where `a` and `b` differ, or
/// the shorter one's nibble length if one is a prefix of the other.
pub(crate) fn first_difference(a: &[u8], b: &[u8], depth: usize) -> usize {
    let start = depth / 2;
    let (a_tail, b_tail) = (
        a.get(start..).unwrap_or_default(),
        b.get(start..).unwrap_or_default(),
    );
    match a_tail.iter().zip(b_tail).position(|(x, y)| x != y) {
        Some(i) => {
            let byte = start + i;
            let hi_equal = a_tail.get(i).map(|x| x >> 4) == b_tail.get(i).map(|y| y >> 4);
            let at = if hi_equal { byte * 2 + 1 } else { byte * 2 };
            at.max(depth)
        }
        None => a.len().min(b.len()) * 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nibble_access() {
        let key = [0xab, 0xcd];
        assert_eq!(to_nibbles(&key), [0xa, 0xb, 0xc, 0xd]);
        assert_eq!(nibble_at(&key, 3), 0xd);
        assert_eq!(pack(&[0xa, 0xb, 0xc, 0xd]), Some(key.to_vec()));
        assert_eq!(pack(&[1]), None);
    }

    #[test]
    fn differences() {
        assert_eq!(first_difference(&[0xab, 0xcd], &[0xab, 0xce], 0), 3);
        assert_eq!(first_difference(&[0xab, 0xcd], &[0xab, 0xdd], 0), 2);
        assert_eq!(first_difference(&[0xab], &[0xab, 0xdd], 1), 2);
        assert_eq!(first_difference(&[0xab, 0xcd], &[0xbb, 0xcd], 0), 0);
        assert_eq!(match_len(&[0xa, 0xb, 0xc], &[0xab, 0xcd], 0), 3);
        assert_eq!(match_len(&[0xc, 0xe], &[0xab, 0xcd], 2), 1);
        assert_eq!(match_len(&[0xd, 0x1], &[0xab, 0xcd], 3), 1);
    }
}
