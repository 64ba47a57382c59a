//! Many keys at once: sorted first, then either built straight into an
//! empty arena or inserted in key order.
//!
//! Building from sorted keys needs no walks from the root: each node is
//! made once, leaves side by side in key order and inner nodes in
//! depth-first order, so the hashing pass that follows reads memory almost
//! sequentially.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::error::TrieError;
use super::mpt::Slot;
use super::mpt::{Link, Mpt};
use super::nibbles::{first_difference, nibble_at};
use super::node::{Cache, Node, NodeId, SmallBytes};
use super::store::NodeStore;

/// Sort key: the first 8 key bytes as a big-endian integer (short keys
/// padded with zeros), so most comparisons are one integer comparison.
fn prefix64(key: &[u8]) -> u64 {
    let mut head = [0u8; 8];
    for (dst, src) in head.iter_mut().zip(key) {
        *dst = *src;
    }
    u64::from_be_bytes(head)
}

/// Positions of `pairs` in key order; of equal keys only the last one
/// given is kept (as if they were inserted one by one).
fn sorted_unique<K: AsRef<[u8]>, V>(pairs: &[(K, V)]) -> Vec<usize> {
    let key = |i: usize| pairs.get(i).map_or(&[][..], |p| p.0.as_ref());
    let mut order: Vec<(u64, usize)> = (0..pairs.len()).map(|i| (prefix64(key(i)), i)).collect();
    order.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| key(a.1).cmp(key(b.1)))
            .then_with(|| a.1.cmp(&b.1))
    });
    let mut out: Vec<usize> = Vec::with_capacity(order.len());
    for (_, i) in order {
        match out.last_mut() {
            // Same key as the previous one, given later: it wins.
            Some(last) if key(*last) == key(i) => *last = i,
            _ => out.push(i),
        }
    }
    out
}

/// Bucket of a key for the scatter below: its first `bits` bits (short keys
/// padded with zeros), which never decreases as keys increase.
fn bucket(key: &[u8], bits: u32) -> usize {
    let mut head = [0u8; 4];
    for (dst, src) in head.iter_mut().zip(key) {
        *dst = *src;
    }
    let top = u32::from_be_bytes(head);
    top.checked_shr(32 - bits).unwrap_or(0) as usize
}

impl Mpt {
    /// Applies `pairs` as [`Mpt::insert`] would one by one, in order (an
    /// empty value removes its key), but faster.
    pub(crate) fn insert_batch<S, K, V>(
        &mut self,
        store: &S,
        pairs: &[(K, V)],
    ) -> Result<(), TrieError>
    where
        S: NodeStore + ?Sized,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        if self.is_empty() {
            return self.build(pairs);
        }
        for i in sorted_unique(pairs) {
            if let Some((k, v)) = pairs.get(i) {
                self.insert(store, k.as_ref(), v.as_ref())?;
            }
        }
        Ok(())
    }

    /// Builds the trie of `pairs` into an emptied arena.
    ///
    /// Leaves are first scattered, in one sequential pass over the input,
    /// into buckets by their leading key bits (the arena is laid out bucket
    /// by bucket); each bucket, small enough to stay in cache, is then
    /// sorted in place. This avoids reading the input in key order, which
    /// would cost a cache miss per pair.
    fn build<K: AsRef<[u8]>, V: AsRef<[u8]>>(&mut self, pairs: &[(K, V)]) -> Result<(), TrieError> {
        self.clear();
        let n = pairs.len();
        NodeId::from_index(n + n / 2).ok_or(TrieError::TooManyNodes)?;
        // About 256 pairs a bucket.
        let bits = n.checked_ilog2().unwrap_or(0).saturating_sub(8).min(16);
        let mut starts = alloc::vec![0usize; (1usize << bits) + 1];
        for (k, _) in pairs {
            if let Some(c) = starts.get_mut(bucket(k.as_ref(), bits) + 1) {
                *c += 1;
            }
        }
        for i in 1..starts.len() {
            let before = starts.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = starts.get_mut(i) {
                *c += before;
            }
        }
        // Leaves, then about 0.4 inner nodes per leaf for random keys:
        // reserved once, so the arena is never copied while it grows.
        self.slots.reserve(n + n / 2);
        self.slots.resize_with(n, || Slot {
            node: Node::Free,
            cache: Cache::DIRTY,
        });
        let mut next = starts.clone();
        // Stable: within a bucket, pairs keep their input order.
        for (seq, (k, v)) in pairs.iter().enumerate() {
            let (k, v) = (k.as_ref(), v.as_ref());
            let Some(pos) = next.get_mut(bucket(k, bits)) else {
                continue;
            };
            if let Some(slot) = self.slots.get_mut(*pos) {
                slot.node = Node::Leaf {
                    key: SmallBytes::new(k),
                    value: SmallBytes::new(v),
                };
                // Input position, to keep the last of equal keys.
                slot.cache = Cache::order(seq);
            }
            *pos += 1;
        }
        let mut order: Vec<(u64, u64, usize)> = Vec::new();
        let mut moved: Vec<Slot> = Vec::new();
        for w in starts.windows(2) {
            if let (Some(&a), Some(&b)) = (w.first(), w.get(1)) {
                if let Some(bucket) = self.slots.get_mut(a..b) {
                    sort_bucket(bucket, &mut order, &mut moved);
                }
            }
        }
        // Keep the last of each run of equal keys, drop empty values, and
        // close the gaps.
        let mut kept = 0;
        for i in 0..n {
            let last_of_run = match (self.slots.get(i), self.slots.get(i + 1)) {
                (Some(a), Some(b)) => slot_key(a) != slot_key(b),
                _ => true,
            };
            let non_empty = self.slots.get(i).is_some_and(|s| match &s.node {
                Node::Leaf { value, .. } => !value.as_slice().is_empty(),
                _ => false,
            });
            if last_of_run && non_empty {
                self.slots.swap(kept, i);
                if let Some(slot) = self.slots.get_mut(kept) {
                    slot.cache = Cache::DIRTY;
                }
                kept += 1;
            }
        }
        self.slots.truncate(kept);
        self.link_sorted_leaves()
    }

    /// Builds the inner nodes over the sorted, distinct leaves that fill
    /// the arena.
    fn link_sorted_leaves(&mut self) -> Result<(), TrieError> {
        let leaves = self.slots.len();
        if leaves == 0 {
            return Ok(());
        }
        let leaf = |i: usize| NodeId::from_index(i).ok_or(TrieError::TooManyNodes);
        // (first leaf, end, nibble depth, where the subtree hangs)
        let mut tasks: Vec<(usize, usize, usize, Link)> = alloc::vec![(0, leaves, 0, Link::Root)];
        while let Some((lo, hi, depth, at)) = tasks.pop() {
            if hi - lo == 1 {
                let id = leaf(lo)?;
                self.link_set(at, Some(id));
                continue;
            }
            let first = self.leaf_key(lo);
            let common = first_difference(first, self.leaf_key(hi - 1), depth) - depth;
            if common > 0 {
                let path: Box<[u8]> = (depth..depth + common)
                    .map(|i| nibble_at(first, i))
                    .collect();
                // The child is set when its task runs.
                let ext = self.alloc(Node::Extension {
                    path,
                    child: leaf(lo)?,
                })?;
                self.link_set(at, Some(ext));
                tasks.push((lo, hi, depth + common, Link::Ext(ext)));
                continue;
            }
            let mut lo = lo;
            let mut value = None;
            if first.len() * 2 == depth {
                // The shortest key ends at this branch: its value moves in.
                let id = leaf(lo)?;
                if let Node::Leaf { value: v, .. } = self.node(id) {
                    value = Some(Box::from(v.as_slice()));
                }
                self.release(id);
                lo += 1;
            }
            let branch = self.alloc(Node::Branch {
                children: [None; 16],
                value,
            })?;
            self.link_set(at, Some(branch));
            // Children in reverse, so the stack builds nibble 0 first.
            let mut end = hi;
            while end > lo {
                let nibble = nibble_at(self.leaf_key(end - 1), depth);
                let start = self.group_start(lo, end, depth, nibble);
                tasks.push((start, end, depth + 1, Link::Child(branch, nibble)));
                end = start;
            }
        }
        Ok(())
    }

    /// The whole key of the leaf in slot `i`.
    fn leaf_key(&self, i: usize) -> &[u8] {
        match NodeId::from_index(i).map(|id| self.node(id)) {
            Some(Node::Leaf { key, .. }) => key.as_slice(),
            _ => &[],
        }
    }

    /// First slot in `lo..end` whose key has `nibble` at `depth`; the keys
    /// there are sorted and agree before `depth`, so binary search works.
    fn group_start(&self, lo: usize, end: usize, depth: usize, nibble: u8) -> usize {
        let (mut a, mut b) = (lo, end);
        while a < b {
            let mid = a + (b - a) / 2;
            if nibble_at(self.leaf_key(mid), depth) < nibble {
                a = mid + 1;
            } else {
                b = mid;
            }
        }
        a
    }
}

/// Sorts a bucket of leaf slots by key, then input order. The slots are
/// large, so the sort runs on small (key prefix, sequence, position)
/// entries and each slot is moved once.
fn sort_bucket(bucket: &mut [Slot], order: &mut Vec<(u64, u64, usize)>, moved: &mut Vec<Slot>) {
    order.clear();
    order.extend(
        bucket
            .iter()
            .enumerate()
            .map(|(pos, s)| (prefix64(slot_key(s)), s.cache.order_of(), pos)),
    );
    let slot_at = |pos: usize| bucket.get(pos).map_or(&[][..], slot_key);
    order.sort_unstable_by(|x, y| {
        x.0.cmp(&y.0)
            .then_with(|| slot_at(x.2).cmp(slot_at(y.2)))
            .then_with(|| x.1.cmp(&y.1))
    });
    moved.clear();
    moved.extend(bucket.iter_mut().map(|s| {
        core::mem::replace(
            s,
            Slot {
                node: Node::Free,
                cache: Cache::DIRTY,
            },
        )
    }));
    for (dst, &(_, _, pos)) in bucket.iter_mut().zip(order.iter()) {
        if let Some(src) = moved.get_mut(pos) {
            core::mem::swap(dst, src);
        }
    }
}

/// The key of a leaf slot (empty for anything else).
fn slot_key(slot: &Slot) -> &[u8] {
    match &slot.node {
        Node::Leaf { key, .. } => key.as_slice(),
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_keeps_the_last_duplicate() {
        let pairs = [
            (&b"b"[..], 1),
            (&b"a"[..], 2),
            (&b"b"[..], 3),
            (&b""[..], 4),
            (&b"ab"[..], 5),
        ];
        assert_eq!(sorted_unique(&pairs), [3, 1, 4, 2]);
    }
}
