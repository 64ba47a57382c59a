//! The gossip overlay: a seeded random graph over the nodes, and the
//! per-broadcast "seen" sets that deduplicate flooding.

use crate::rng::SimRng;

/// An undirected overlay graph in compressed adjacency form.
///
/// Built from a ring (node `i` linked to `i + 1 mod n`, which makes the
/// graph connected whatever the draws) plus, for every node, `fanout`
/// distinct random peers; links are symmetric, so a node's degree is about
/// `2 + 2 * fanout`. Neighbour lists are sorted, so flooding order depends on
/// the seed only.
#[derive(Clone, Debug, Default)]
pub(crate) struct Overlay {
    offsets: Vec<u32>,
    peers: Vec<u32>,
}

impl Overlay {
    pub(crate) fn build(n: usize, fanout: usize, rng: &mut SimRng) -> Overlay {
        let mut edges: Vec<(u32, u32)> =
            Vec::with_capacity(n.saturating_mul(2 + 2 * fanout.min(n)));
        let n32 = u32::try_from(n).unwrap_or(u32::MAX);
        if n32 > 1 {
            for i in 0..n32 {
                let j = if i + 1 == n32 { 0 } else { i + 1 };
                edges.push((i, j));
                edges.push((j, i));
            }
            let k = fanout.min(n - 1);
            let mut picked: Vec<u32> = Vec::with_capacity(k);
            for i in 0..n32 {
                picked.clear();
                while picked.len() < k {
                    let p = rng.below(u64::from(n32)) as u32;
                    if p != i && !picked.contains(&p) {
                        picked.push(p);
                    }
                }
                for &p in &picked {
                    edges.push((i, p));
                    edges.push((p, i));
                }
            }
        }
        edges.sort_unstable();
        edges.dedup();
        let mut offsets = vec![0u32; n + 1];
        for &(a, _) in &edges {
            if let Some(o) = offsets.get_mut(a as usize + 1) {
                *o += 1;
            }
        }
        for i in 0..n {
            let prev = offsets.get(i).copied().unwrap_or(0);
            if let Some(o) = offsets.get_mut(i + 1) {
                *o += prev;
            }
        }
        Overlay {
            offsets,
            peers: edges.into_iter().map(|(_, b)| b).collect(),
        }
    }

    /// The neighbours of `node`, sorted.
    pub(crate) fn neighbours(&self, node: u32) -> &[u32] {
        let i = node as usize;
        let (Some(&lo), Some(&hi)) = (self.offsets.get(i), self.offsets.get(i + 1)) else {
            return &[];
        };
        self.peers.get(lo as usize..hi as usize).unwrap_or(&[])
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        (self.offsets.capacity() + self.peers.capacity()) * 4
    }
}

/// A fixed-size set of node ids.
#[derive(Clone, Debug, Default)]
pub(crate) struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    pub(crate) fn with_len(n: usize) -> BitSet {
        BitSet {
            words: vec![0; n.div_ceil(64)],
        }
    }

    /// Clear every bit, keeping the storage.
    pub(crate) fn reset(&mut self, n: usize) {
        self.words.clear();
        self.words.resize(n.div_ceil(64), 0);
    }

    /// Set bit `i`; whether it was clear before.
    pub(crate) fn insert(&mut self, i: u32) -> bool {
        let Some(w) = self.words.get_mut((i / 64) as usize) else {
            return false;
        };
        let mask = 1u64 << (i % 64);
        let was_clear = *w & mask == 0;
        *w |= mask;
        was_clear
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, i: u32) -> bool {
        self.words
            .get((i / 64) as usize)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    fn reachable(o: &Overlay, n: usize) -> usize {
        let mut seen = BitSet::with_len(n);
        let mut stack = vec![0u32];
        seen.insert(0);
        let mut count = 1;
        while let Some(v) = stack.pop() {
            for &p in o.neighbours(v) {
                if seen.insert(p) {
                    count += 1;
                    stack.push(p);
                }
            }
        }
        count
    }

    #[test]
    fn overlay_is_connected_symmetric_and_without_self_loops() {
        let mut rng = SimRng::stream(9, Stream::Topology);
        let n = 500;
        let o = Overlay::build(n, 3, &mut rng);
        assert_eq!(reachable(&o, n), n);
        for v in 0..n as u32 {
            let ns = o.neighbours(v);
            assert!(ns.len() >= 2 + 3);
            assert!(!ns.contains(&v));
            assert!(ns.windows(2).all(|w| w[0] < w[1]));
            for &p in ns {
                assert!(o.neighbours(p).contains(&v));
            }
        }
    }

    #[test]
    fn tiny_overlays() {
        let mut rng = SimRng::stream(1, Stream::Topology);
        assert!(Overlay::build(0, 4, &mut rng).neighbours(0).is_empty());
        assert!(Overlay::build(1, 4, &mut rng).neighbours(0).is_empty());
        let o = Overlay::build(2, 4, &mut rng);
        assert_eq!(o.neighbours(0), &[1]);
        assert_eq!(o.neighbours(1), &[0]);
    }

    #[test]
    fn bitset_insert_reports_novelty() {
        let mut b = BitSet::with_len(130);
        assert!(b.insert(129));
        assert!(!b.insert(129));
        assert!(b.contains(129));
        assert!(!b.contains(128));
        assert!(!b.insert(1000));
        b.reset(130);
        assert!(!b.contains(129));
    }
}
