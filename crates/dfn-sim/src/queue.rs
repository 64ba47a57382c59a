//! The event queue: events come out ordered by (time, sequence number),
//! where the sequence number is the order in which they were scheduled, so
//! ties at one millisecond are broken the same way in every run.
//!
//! Implementation: a timing wheel of one bucket per millisecond over a
//! horizon of [`WHEEL`] ms, with a binary heap for events further ahead.
//!
//! - A bucket (a `VecDeque`, which keeps its storage when emptied) holds
//!   the events of one millisecond in scheduling order, so
//!   scheduling and taking the next event are O(1) and touch one cache
//!   line, instead of the ~log2(n) scattered comparisons of a heap with
//!   hundreds of thousands of pending messages.
//! - An occupancy bitmap finds the next non-empty bucket with a few word
//!   scans.
//! - Events beyond the horizon wait in the heap, ordered by (time, seq),
//!   and move into their bucket when the horizon reaches them, that is
//!   before any event for the same millisecond can be scheduled directly
//!   (a direct schedule needs `time < base + WHEEL`), so each bucket stays
//!   in sequence order.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Wheel horizon in milliseconds (a power of two).
pub(crate) const WHEEL: usize = 4096;
const MASK: u64 = WHEEL as u64 - 1;
const WORDS: usize = WHEEL / 64;

#[derive(Debug)]
struct Far<T> {
    time: u64,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Far<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl<T> Eq for Far<T> {}
impl<T> PartialOrd for Far<T> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Far<T> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

/// A queue of `T` keyed by millisecond time, FIFO within a millisecond.
#[derive(Debug)]
pub(crate) struct EventQueue<T> {
    buckets: Vec<VecDeque<T>>,
    occupied: [u64; WORDS],
    /// The millisecond of the current bucket; nothing earlier is queued.
    base: u64,
    /// Events in the wheel, not yet taken.
    in_wheel: usize,
    far: BinaryHeap<Reverse<Far<T>>>,
    seq: u64,
}

impl<T> EventQueue<T> {
    pub(crate) fn new() -> EventQueue<T> {
        EventQueue {
            buckets: (0..WHEEL).map(|_| VecDeque::new()).collect(),
            occupied: [0; WORDS],
            base: 0,
            in_wheel: 0,
            far: BinaryHeap::new(),
            seq: 0,
        }
    }

    /// Number of queued events.
    pub(crate) fn len(&self) -> usize {
        self.in_wheel + self.far.len()
    }

    /// Schedule `item` at `time`; a time before the current bucket is
    /// raised to it (the simulator never schedules into the past).
    pub(crate) fn push(&mut self, time: u64, item: T) {
        let time = time.max(self.base);
        self.seq = self.seq.wrapping_add(1);
        if time - self.base < WHEEL as u64 {
            self.put(time, item);
        } else {
            self.far.push(Reverse(Far {
                time,
                seq: self.seq,
                item,
            }));
        }
    }

    fn put(&mut self, time: u64, item: T) {
        let b = (time & MASK) as usize;
        if let Some(bucket) = self.buckets.get_mut(b) {
            bucket.push_back(item);
            self.in_wheel += 1;
            if let Some(w) = self.occupied.get_mut(b / 64) {
                *w |= 1 << (b % 64);
            }
        }
    }

    /// The time of the next event, without taking it.
    pub(crate) fn peek_time(&self) -> Option<u64> {
        let cur = (self.base & MASK) as usize;
        if self.buckets.get(cur).is_some_and(|b| !b.is_empty()) {
            return Some(self.base);
        }
        if self.in_wheel > 0 {
            if let Some(d) = self.next_occupied(cur) {
                return Some(self.base + d);
            }
        }
        self.far.peek().map(|Reverse(f)| f.time)
    }

    /// Take the next event if its time is at most `limit`.
    pub(crate) fn pop_until(&mut self, limit: u64) -> Option<(u64, T)> {
        let cur = (self.base & MASK) as usize;
        let current = self.buckets.get(cur).is_some_and(|b| !b.is_empty());
        if current {
            if self.base > limit {
                return None;
            }
        } else if self.peek_time()? > limit {
            // Leave `base` where it is: events may still be scheduled
            // before the next one.
            return None;
        }
        self.pop()
    }

    /// Take the next event.
    pub(crate) fn pop(&mut self) -> Option<(u64, T)> {
        loop {
            let cur = (self.base & MASK) as usize;
            if let Some(bucket) = self.buckets.get_mut(cur) {
                if let Some(item) = bucket.pop_front() {
                    self.in_wheel -= 1;
                    if bucket.is_empty() {
                        // Unmark it at once, so that the current bucket is
                        // either non-empty or unmarked (what `peek_time`
                        // relies on).
                        if let Some(w) = self.occupied.get_mut(cur / 64) {
                            *w &= !(1 << (cur % 64));
                        }
                    }
                    return Some((self.base, item));
                }
            }
            if self.in_wheel > 0 {
                let d = self.next_occupied(cur)?;
                self.base += d;
            } else {
                self.base = self.far.peek().map(|Reverse(f)| f.time)?;
            }
            self.migrate();
        }
    }

    /// Distance in ms from bucket `from` to the next occupied bucket,
    /// looking at `from` itself first.
    fn next_occupied(&self, from: usize) -> Option<u64> {
        let word = from / 64;
        let bit = from % 64;
        // Rest of the first word.
        if let Some(&w) = self.occupied.get(word) {
            let masked = w & (u64::MAX << bit);
            if masked != 0 {
                return Some(u64::from(masked.trailing_zeros()) - bit as u64);
            }
        }
        for step in 1..=WORDS {
            let idx = (word + step) % WORDS;
            let w = self.occupied.get(idx).copied().unwrap_or(0);
            let w = if step == WORDS {
                // Back at the first word: only the bits before `bit`.
                w & ((1u64 << bit) - 1)
            } else {
                w
            };
            if w != 0 {
                let pos = idx * 64 + w.trailing_zeros() as usize;
                let d = (pos + WHEEL - from) % WHEEL;
                return Some(d as u64);
            }
        }
        None
    }

    /// Move far events that the horizon has reached into their buckets.
    fn migrate(&mut self) {
        let horizon = self.base.saturating_add(WHEEL as u64);
        while self.far.peek().is_some_and(|Reverse(f)| f.time < horizon) {
            if let Some(Reverse(f)) = self.far.pop() {
                self.put(f.time, f.item);
            }
        }
    }

    /// Heap bytes held by the queue.
    pub(crate) fn heap_bytes(&self) -> usize {
        let item = core::mem::size_of::<T>();
        self.buckets
            .iter()
            .map(|b| b.capacity() * item)
            .sum::<usize>()
            + self.buckets.capacity() * core::mem::size_of::<VecDeque<T>>()
            + self.far.capacity() * core::mem::size_of::<Reverse<Far<T>>>()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    /// The wheel must give exactly the order of a (time, seq) heap.
    #[test]
    fn matches_a_reference_heap() {
        let mut rng = SimRng::for_purpose(5, 0);
        let mut q = EventQueue::<u64>::new();
        let mut reference = BinaryHeap::new();
        let mut seq = 0u64;
        let mut now = 0u64;
        for round in 0..20_000u64 {
            // Mostly near events, some far beyond the horizon, some at now.
            let pushes = rng.below(3);
            for _ in 0..pushes {
                let delay = match rng.below(10) {
                    0 => 0,
                    1 => WHEEL as u64 + rng.below(3 * WHEEL as u64),
                    2 => WHEEL as u64 - 1,
                    _ => rng.below(200),
                };
                let t = now + delay;
                seq += 1;
                q.push(t, seq);
                reference.push(Reverse((t, seq)));
            }
            if round % 3 != 0 {
                let peek = q.peek_time();
                // Sometimes with a limit just below the next event.
                if round % 7 == 0 {
                    if let Some(p) = peek.filter(|&p| p > 0) {
                        assert_eq!(q.pop_until(p - 1), None);
                    }
                }
                let got = if round % 2 == 0 {
                    q.pop_until(u64::MAX)
                } else {
                    q.pop()
                };
                let want = reference.pop().map(|Reverse(x)| x);
                assert_eq!(got, want);
                assert_eq!(peek, want.map(|w| w.0));
                if let Some((t, _)) = got {
                    now = t;
                }
            }
            assert_eq!(q.len(), reference.len());
        }
        while let Some(Reverse(want)) = reference.pop() {
            assert_eq!(q.pop(), Some(want));
        }
        assert_eq!(q.pop(), None);
        assert_eq!(q.peek_time(), None);
    }

    #[test]
    fn far_then_near_same_time_keeps_sequence_order() {
        let mut q = EventQueue::<u32>::new();
        let t = WHEEL as u64 + 3;
        q.push(t, 1); // beyond the horizon
        q.push(5, 2);
        assert_eq!(q.pop(), Some((5, 2)));
        q.push(t, 3); // now within the horizon, after the migrated 1
        assert_eq!(q.pop(), Some((t, 1)));
        assert_eq!(q.pop(), Some((t, 3)));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn empty_wheel_jumps_to_far_events() {
        let mut q = EventQueue::<u32>::new();
        q.push(1_000_000, 7);
        q.push(3, 1);
        assert_eq!(q.peek_time(), Some(3));
        assert_eq!(q.pop(), Some((3, 1)));
        assert_eq!(q.peek_time(), Some(1_000_000));
        assert_eq!(q.pop(), Some((1_000_000, 7)));
        // Past times are raised to the current bucket.
        q.push(0, 8);
        assert_eq!(q.pop(), Some((1_000_000, 8)));
    }
}
