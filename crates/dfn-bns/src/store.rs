//! The neuron table: a vector indexed by neuron id.
//!
//! Governance hands out ids sequentially and never reuses one, so a slot
//! per id gives constant-time lookups (a million neurons with five
//! followees each are validated and snapshotted several times faster than
//! in a tree) and iteration in id order. A removed neuron leaves an empty
//! slot behind.

use alloc::vec::Vec;

use crate::ids::NeuronId;
use crate::neuron::Neuron;

/// Neurons by id (the subset of a map's interface governance uses).
#[derive(Clone, Debug, Default)]
pub(crate) struct NeuronStore {
    slots: Vec<Option<Neuron>>,
    live: usize,
}

impl NeuronStore {
    fn index(id: &NeuronId) -> Option<usize> {
        usize::try_from(id.0).ok()
    }

    pub(crate) fn get(&self, id: &NeuronId) -> Option<&Neuron> {
        self.slots.get(Self::index(id)?)?.as_ref()
    }

    pub(crate) fn get_mut(&mut self, id: &NeuronId) -> Option<&mut Neuron> {
        self.slots.get_mut(Self::index(id)?)?.as_mut()
    }

    pub(crate) fn contains_key(&self, id: &NeuronId) -> bool {
        self.get(id).is_some()
    }

    /// Stores `neuron` under `id`, a fresh id at or past the end.
    pub(crate) fn insert(&mut self, id: NeuronId, neuron: Neuron) {
        let Some(i) = Self::index(&id) else {
            return;
        };
        if self.slots.len() <= i {
            self.slots.resize(i + 1, None);
        }
        if let Some(slot) = self.slots.get_mut(i) {
            if slot.replace(neuron).is_none() {
                self.live += 1;
            }
        }
    }

    pub(crate) fn remove(&mut self, id: &NeuronId) -> Option<Neuron> {
        let removed = self.slots.get_mut(Self::index(id)?)?.take();
        if removed.is_some() {
            self.live -= 1;
        }
        removed
    }

    /// Every neuron in ascending id order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Neuron> {
        self.slots.iter().flatten()
    }

    /// The number of neurons.
    pub(crate) fn len(&self) -> usize {
        self.live
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::KeyId;
    use crate::neuron::DissolveState;
    use dfn_crypto::Time;

    fn neuron(id: u64) -> Neuron {
        Neuron {
            id: NeuronId(id),
            owner: KeyId([0; 32]),
            controller: KeyId([0; 32]),
            hot_keys: Vec::new(),
            stake: id,
            maturity: 0,
            held_deposits: 0,
            dissolve: DissolveState::Dissolving { when: Time::ZERO },
            following: Vec::new(),
        }
    }

    #[test]
    fn map_semantics_in_id_order() {
        let mut s = NeuronStore::default();
        for id in [1, 2, 5] {
            s.insert(NeuronId(id), neuron(id));
        }
        assert_eq!(s.len(), 3);
        assert!(s.contains_key(&NeuronId(5)) && !s.contains_key(&NeuronId(3)));
        assert_eq!(s.remove(&NeuronId(2)).map(|n| n.stake), Some(2));
        assert_eq!(s.remove(&NeuronId(2)), None);
        assert_eq!(s.get(&NeuronId(u64::MAX)), None);
        if let Some(n) = s.get_mut(&NeuronId(5)) {
            n.stake = 50;
        }
        let order: Vec<(u64, u64)> = s.values().map(|n| (n.id.0, n.stake)).collect();
        assert_eq!(order, [(1, 1), (5, 50)]);
        assert_eq!(s.len(), 2);
    }
}
