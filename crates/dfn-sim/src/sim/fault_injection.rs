//! Applying scheduled faults.

use crate::audit::TAG_FAULT;
use crate::faults::{Fault, Restart};
use crate::node::Node;

use super::Simulation;

impl<N: Node> Simulation<N> {
    pub(super) fn apply(&mut self, fault: Fault) {
        let now = self.now;
        self.audit.record(TAG_FAULT, now.as_millis());
        match fault {
            Fault::Crash(id) => {
                self.audit.write_u8(1);
                self.audit.write_u32(id.0);
                if let Some(m) = self.meta.get_mut(id.index()) {
                    m.up = false;
                    m.timer = None;
                }
            }
            Fault::Restart(id, mode) => {
                self.audit.write_u8(2);
                self.audit.write_u32(id.0);
                self.audit.write_u8(u8::from(mode == Restart::Fresh));
                if self.is_up(id) {
                    return;
                }
                if mode == Restart::Fresh {
                    let Some(factory) = &mut self.factory else {
                        return; // checked when scheduled
                    };
                    let node = factory(id, now);
                    if let Some(slot) = self.nodes.get_mut(id.index()) {
                        *slot = node;
                    }
                }
                if let Some(m) = self.meta.get_mut(id.index()) {
                    m.up = true;
                    m.timer = None;
                }
                self.drain(id.0);
            }
            Fault::Partition(sides) => {
                self.partitioned = true;
                self.audit.write_u8(3);
                self.audit.write_u64(sides.len() as u64);
                for m in &mut self.meta {
                    m.side = 0;
                }
                for (i, side) in sides.iter().enumerate() {
                    self.audit.write_u64(side.len() as u64);
                    for id in side {
                        self.audit.write_u32(id.0);
                        if let Some(m) = self.meta.get_mut(id.index()) {
                            m.side = u32::try_from(i + 1).unwrap_or(u32::MAX);
                        }
                    }
                }
            }
            Fault::Heal => {
                self.partitioned = false;
                self.audit.write_u8(4);
                for m in &mut self.meta {
                    m.side = 0;
                }
            }
        }
    }
}
