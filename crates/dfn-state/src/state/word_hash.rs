//! [`WordHash`]: the hash tables of the state and of the EVM, fed whole
//! machine words.
//!
//! Their keys are fixed-size byte strings (20-byte addresses, 32-byte
//! words and hashes) that `Hash` hands the hasher as one byte slice. The
//! default hasher (foldhash) takes slices longer than 16 bytes through an
//! out-of-line routine meant for long strings; the same key as 8-byte
//! words costs a couple of inlined multiplies. The keys hashed are the
//! same, so is the hasher's seeding: only how the bytes reach it changes.

use core::hash::{BuildHasher, Hasher};

use hashbrown::DefaultHashBuilder;

/// Builds [`WordHasher`]s over hashbrown's default hasher.
#[derive(Clone, Debug, Default)]
pub struct WordHash(DefaultHashBuilder);

impl BuildHasher for WordHash {
    type Hasher = WordHasher<<DefaultHashBuilder as BuildHasher>::Hasher>;

    #[inline]
    fn build_hasher(&self) -> Self::Hasher {
        WordHasher(self.0.build_hasher())
    }
}

/// A hasher that passes byte slices to `H` eight bytes at a time.
#[derive(Clone, Debug)]
pub struct WordHasher<H>(H);

impl<H: Hasher> Hasher for WordHasher<H> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            self.0.write_u64(u64::from_le_bytes(w));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            if let Some(head) = w.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            self.0.write_u64(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0.write_u8(i);
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.0.write_u32(i);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0.write_u64(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.0.write_usize(i);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

#[cfg(test)]
mod tests {
    use core::hash::BuildHasher;

    use ruint::aliases::U256;

    use super::*;
    use crate::address::Address;

    #[test]
    fn equal_keys_hash_equal_and_distinct_keys_apart() {
        let h = WordHash::default();
        let (a, b) = (U256::from(1) << 200, U256::from(2) << 200);
        assert_eq!(h.hash_one(a), h.hash_one(U256::from(1) << 200));
        assert_ne!(h.hash_one(a), h.hash_one(b));
        let (x, y) = (Address([7; 20]), Address([8; 20]));
        assert_eq!(h.hash_one((x, a)), h.hash_one((Address([7; 20]), a)));
        assert_ne!(h.hash_one((x, a)), h.hash_one((y, a)));
        // Tails shorter than a word still count.
        assert_ne!(
            h.hash_one([1u8; 13]),
            h.hash_one([1u8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2])
        );
    }
}
