//! The chain part every process of the interop simulation has (adapted
//! from dfn-psp's test host): a real `PspNode` with direct signature
//! checks and the routing of its messages within its network.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use dfn_beacon::{GroupId, GroupSet, ProcessId};
use dfn_crypto::Time as CTime;
use dfn_psp::{Output, PspMessage, PspNode};
use dfn_sim::{NodeId, Time};

use super::fixture::V;
use super::messages::{Ev, Msg};

/// One chain network's static facts (ordered maps: the order of sends
/// reaches the simulation's event order).
pub struct Net {
    pub id: u8,
    pub groups: Arc<GroupSet<V>>,
    pub members: BTreeMap<GroupId, Vec<NodeId>>,
    pub nodes: BTreeMap<ProcessId, NodeId>,
    pub ids: BTreeMap<NodeId, ProcessId>,
    pub all: Vec<NodeId>,
}

pub fn ct(t: Time) -> CTime {
    CTime::from_millis(t.as_millis())
}

/// The chain part every process has: the node and its message routing.
pub struct ChainHost {
    pub node: PspNode<V>,
    pub net: Arc<Net>,
    pub me: NodeId,
    pub out: VecDeque<dfn_sim::Output<Msg, Ev>>,
}

impl ChainHost {
    pub fn send(&mut self, to: NodeId, msg: Msg) {
        if to != self.me {
            self.out.push_back(dfn_sim::Output::Send { to, msg });
        }
    }

    pub fn route(&mut self, output: Output<V>) -> Option<Output<V>> {
        match output {
            Output::ToGroup { group, message } => {
                for to in self.net.members.get(&group).cloned().unwrap_or_default() {
                    self.send(to, Msg::Chain(message.clone()));
                }
            }
            Output::Broadcast(message) => {
                for to in self.net.all.clone() {
                    self.send(to, Msg::Chain(message.clone()));
                }
            }
            Output::Send { to, message } => {
                if let Some(to) = self.net.nodes.get(&to).copied() {
                    self.send(to, Msg::Chain(message));
                }
            }
            other => return Some(other),
        }
        None
    }

    pub fn deliver(&mut self, now: Time, from: NodeId, msg: PspMessage<V>) {
        let from = self.net.ids.get(&from).copied();
        self.node.handle_message(ct(now), from, msg);
    }

    pub fn timeout(&mut self, now: Time) {
        if self.node.height() == 1 && now == Time::ZERO {
            self.node.start(ct(now));
        }
        self.node.handle_timeout(ct(now));
    }

    pub fn next(&self) -> Option<Time> {
        let node = self
            .node
            .poll_timeout()
            .map(|t| Time::from_millis(t.as_millis()));
        let start = (self.node.height() == 1 && node.is_none()).then_some(Time::ZERO);
        [node, start].into_iter().flatten().min()
    }
}
