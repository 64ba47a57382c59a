//! The notarized chain a process holds: notarized blocks by height, their
//! exact chain scores, the highest-scoring tip, and the finalized prefix.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::sync::Arc;
use alloc::vec::Vec;

use dfn_crypto::{Signature, Variant};

use crate::block::{Block, BlockHash};
use crate::score::Score;

/// A notarized block linked to the genesis through notarized parents.
#[derive(Clone, Debug)]
pub struct ChainEntry<V: Variant> {
    /// The block.
    pub block: Arc<Block<V>>,
    /// Its notarization (the notary group's signature).
    pub notarization: Signature<V>,
    /// The score of the chain it ends.
    pub score: Score,
}

/// A notarized block and its notarization's signature.
type Notarized<V> = (Arc<Block<V>>, Signature<V>);

/// How tips compare: higher score first, then greater height, then the
/// smaller hash. A total order: every process picks the same tip from the
/// same blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TipKey {
    /// The chain's score.
    pub score: Score,
    /// The tip's height.
    pub height: u64,
    /// The tip's hash, reversed in the order (smaller wins).
    pub hash: core::cmp::Reverse<BlockHash>,
}

/// Two different blocks finalized at one height: the synchrony assumption
/// was broken. The first finalization stands; this is the alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FinalityConflict {
    /// The height.
    pub height: u64,
    /// The block finalized before.
    pub finalized: BlockHash,
    /// The block the rule now points at.
    pub other: BlockHash,
}

/// The notarized blocks a process knows.
#[derive(Debug)]
pub struct ChainStore<V: Variant> {
    genesis: BlockHash,
    entries: BTreeMap<BlockHash, ChainEntry<V>>,
    by_height: BTreeMap<u64, Vec<BlockHash>>,
    /// Notarized blocks whose parent is not linked yet, by parent.
    orphans: BTreeMap<BlockHash, Vec<Notarized<V>>>,
    orphan_count: usize,
    best: TipKey,
    /// The finalized chain by height (the genesis at 0), pruned with the
    /// rest.
    finalized: BTreeMap<u64, BlockHash>,
}

impl<V: Variant> ChainStore<V> {
    /// A chain holding only the genesis block `genesis` (height 0, final).
    pub fn new(genesis: BlockHash) -> Self {
        Self {
            genesis,
            entries: BTreeMap::new(),
            by_height: BTreeMap::new(),
            orphans: BTreeMap::new(),
            orphan_count: 0,
            best: TipKey {
                score: Score::ZERO,
                height: 0,
                hash: core::cmp::Reverse(genesis),
            },
            finalized: BTreeMap::from([(0, genesis)]),
        }
    }

    /// The genesis hash.
    pub fn genesis(&self) -> BlockHash {
        self.genesis
    }

    /// Whether `hash` is the genesis or a linked notarized block.
    pub fn contains(&self, hash: &BlockHash) -> bool {
        *hash == self.genesis || self.entries.contains_key(hash)
    }

    /// A linked notarized block.
    pub fn get(&self, hash: &BlockHash) -> Option<&ChainEntry<V>> {
        self.entries.get(hash)
    }

    /// The score of the chain ending at `hash` (0 for the genesis).
    pub fn score(&self, hash: &BlockHash) -> Option<Score> {
        if *hash == self.genesis {
            return Some(Score::ZERO);
        }
        self.entries.get(hash).map(|e| e.score)
    }

    /// The linked notarized blocks at `height`.
    pub fn at_height(&self, height: u64) -> &[BlockHash] {
        self.by_height.get(&height).map_or(&[], Vec::as_slice)
    }

    /// Whether a notarized block at `height` waits for its parent.
    pub fn has_orphan_at(&self, height: u64) -> bool {
        self.orphans
            .values()
            .flatten()
            .any(|(b, _)| b.height() == height)
    }

    /// The height of the lowest parent a waiting notarized block needs:
    /// the lowest height where this store misses a block of a notarized
    /// chain. `None` when nothing waits.
    pub fn lowest_missing_parent(&self) -> Option<u64> {
        self.orphans
            .values()
            .flatten()
            .map(|(b, _)| b.height().saturating_sub(1))
            .min()
    }

    /// Notarized blocks waiting for their parents.
    pub fn orphans(&self) -> usize {
        self.orphan_count
    }

    /// The highest-scoring tip.
    pub fn best(&self) -> TipKey {
        self.best
    }

    /// The hash of the highest-scoring tip.
    pub fn best_hash(&self) -> BlockHash {
        self.best.hash.0
    }

    /// The highest finalized height and block.
    pub fn finalized(&self) -> (u64, BlockHash) {
        self.finalized
            .last_key_value()
            .map_or((0, self.genesis), |(h, b)| (*h, *b))
    }

    /// The finalized block at `height`, if kept.
    pub fn finalized_at(&self, height: u64) -> Option<BlockHash> {
        self.finalized.get(&height).copied()
    }

    /// Adds a notarized block. Returns the blocks linked by this call (it
    /// and any waiting descendants), in height order; none if its parent
    /// is unknown yet (it waits) or it is known already.
    pub fn insert(
        &mut self,
        block: Arc<Block<V>>,
        notarization: Signature<V>,
        max_orphans: usize,
    ) -> Vec<BlockHash> {
        let hash = block.hash();
        if self.entries.contains_key(&hash) || block.height() <= self.finalized().0 {
            return Vec::new();
        }
        let Some(parent_score) = self.linked_parent_score(&block) else {
            if self.orphan_count < max_orphans {
                let waiting = self.orphans.entry(block.parent()).or_default();
                if !waiting.iter().any(|(b, _)| b.hash() == hash) {
                    waiting.push((block, notarization));
                    self.orphan_count += 1;
                }
            }
            return Vec::new();
        };
        let mut linked = Vec::new();
        let mut queue = alloc::vec![(block, notarization, parent_score)];
        while let Some((block, notarization, parent_score)) = queue.pop() {
            let hash = block.hash();
            if self.entries.contains_key(&hash) {
                continue;
            }
            let score = parent_score.extend(block.slot());
            let key = TipKey {
                score,
                height: block.height(),
                hash: core::cmp::Reverse(hash),
            };
            if key > self.best {
                self.best = key;
            }
            self.by_height.entry(block.height()).or_default().push(hash);
            self.entries.insert(
                hash,
                ChainEntry {
                    block,
                    notarization,
                    score,
                },
            );
            linked.push(hash);
            for (child, sig) in self.orphans.remove(&hash).unwrap_or_default() {
                self.orphan_count = self.orphan_count.saturating_sub(1);
                queue.push((child, sig, score));
            }
        }
        linked.sort_by_key(|h| self.entries.get(h).map(|e| e.block.height()));
        linked
    }

    /// The parent's score if the parent is linked, at the height below.
    fn linked_parent_score(&self, block: &Block<V>) -> Option<Score> {
        let parent = block.parent();
        if parent == self.genesis {
            return (block.height() == 1).then_some(Score::ZERO);
        }
        let entry = self.entries.get(&parent)?;
        (entry.block.height() + 1 == block.height()).then_some(entry.score)
    }

    /// The ancestors of `hash` (itself included) down to, not including,
    /// height `above`, highest first.
    pub fn ancestors(&self, hash: BlockHash, above: u64) -> Vec<&ChainEntry<V>> {
        let mut out = Vec::new();
        let mut at = hash;
        while let Some(entry) = self.entries.get(&at) {
            if entry.block.height() <= above {
                break;
            }
            out.push(entry);
            at = entry.block.parent();
        }
        out
    }

    /// Finalizes `hash` and its ancestors. Returns the newly final blocks
    /// in height order, or the conflict if the rule points at a block off
    /// the finalized chain (nothing changes then).
    pub fn finalize(&mut self, hash: BlockHash) -> Result<Vec<Arc<Block<V>>>, FinalityConflict> {
        let (final_height, final_hash) = self.finalized();
        let Some(entry) = self.entries.get(&hash) else {
            // The genesis, or a block pruned after it was finalized.
            return Ok(Vec::new());
        };
        let height = entry.block.height();
        if height <= final_height {
            return match self.finalized.get(&height) {
                Some(f) if *f != hash => Err(FinalityConflict {
                    height,
                    finalized: *f,
                    other: hash,
                }),
                _ => Ok(Vec::new()),
            };
        }
        let chain = self.ancestors(hash, final_height);
        let links_to_final = chain
            .last()
            .is_some_and(|lowest| lowest.block.parent() == final_hash);
        if !links_to_final {
            let other = chain.last().map_or(hash, |e| e.block.parent());
            return Err(FinalityConflict {
                height: final_height,
                finalized: final_hash,
                other,
            });
        }
        let blocks: Vec<Arc<Block<V>>> = chain.iter().rev().map(|e| Arc::clone(&e.block)).collect();
        for b in &blocks {
            self.finalized.insert(b.height(), b.hash());
        }
        self.drop_forks();
        Ok(blocks)
    }

    /// Drops the blocks that do not extend the finalized chain (they can
    /// never be finalized), and recomputes the best tip.
    fn drop_forks(&mut self) {
        let (final_height, _) = self.finalized();
        let mut dead: BTreeSet<BlockHash> = BTreeSet::new();
        for (height, hashes) in &self.by_height {
            for hash in hashes {
                let Some(entry) = self.entries.get(hash) else {
                    continue;
                };
                let off_final = *height <= final_height
                    && self.finalized.get(height).is_some_and(|f| f != hash);
                if off_final || dead.contains(&entry.block.parent()) {
                    dead.insert(*hash);
                }
            }
        }
        if dead.is_empty() {
            return;
        }
        for hash in &dead {
            self.entries.remove(hash);
        }
        for hashes in self.by_height.values_mut() {
            hashes.retain(|h| !dead.contains(h));
        }
        self.by_height.retain(|_, v| !v.is_empty());
        self.best = self
            .entries
            .iter()
            .map(|(hash, e)| TipKey {
                score: e.score,
                height: e.block.height(),
                hash: core::cmp::Reverse(*hash),
            })
            .max()
            .unwrap_or(TipKey {
                score: Score::ZERO,
                height: 0,
                hash: core::cmp::Reverse(self.genesis),
            });
    }

    /// Forgets blocks below `height` (finalized ones included) and
    /// orphans at or below the finalized height.
    pub fn prune_below(&mut self, height: u64) {
        let kept = self.by_height.split_off(&height);
        for hash in self.by_height.values().flatten() {
            self.entries.remove(hash);
        }
        self.by_height = kept;
        let keep_final = self.finalized.split_off(&height);
        if !keep_final.is_empty() {
            self.finalized = keep_final;
        }
        let (final_height, _) = self.finalized();
        let before = self.orphans.values().map(Vec::len).sum::<usize>();
        for waiting in self.orphans.values_mut() {
            waiting.retain(|(b, _)| b.height() > final_height);
        }
        self.orphans.retain(|_, v| !v.is_empty());
        let after = self.orphans.values().map(Vec::len).sum::<usize>();
        self.orphan_count = self.orphan_count.saturating_sub(before - after);
    }

    /// The best chain's blocks from `from` on, at most `count`, lowest
    /// first.
    pub fn best_chain_from(&self, from: u64, count: u32) -> Vec<&ChainEntry<V>> {
        let mut chain = self.ancestors(self.best_hash(), from.saturating_sub(1));
        chain.reverse();
        chain.truncate(count as usize);
        chain
    }
}
