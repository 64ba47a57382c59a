//! What the simulator hosts: the [`Node`] trait, its [`Output`] and node ids.

use core::fmt;

use serde::Serialize;

use crate::message::{SimEvent, SimMessage};
use crate::time::Time;

/// The id of a node in a simulation: its position, `0..n`, in the node list
/// given to [`Simulation::new`](crate::Simulation::new).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The id as an index into per-node tables.
    #[must_use]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What a node asks the host to do, drained with [`Node::poll_output`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output<M, E> {
    /// Send `msg` to every other node. The simulator carries it either
    /// directly to all `n - 1` nodes or over its gossip overlay, as
    /// [`BroadcastMode`](crate::BroadcastMode) says.
    Broadcast(M),
    /// Send `msg` to one node.
    Send {
        /// The receiver.
        to: NodeId,
        /// The message.
        msg: M,
    },
    /// Something the node observed (a beacon value, a finalized block...):
    /// recorded in the audit hash and in the metrics.
    Event(E),
}

/// A Sans-IO state machine the simulator can host.
///
/// This is the shape every dfn protocol crate has (see the workspace
/// conventions): inputs are `handle_*` calls with the current time, outputs
/// are drained with [`poll_output`](Node::poll_output) until it returns
/// `None`, and [`poll_timeout`](Node::poll_timeout) names the next time the
/// node wants [`handle_timeout`](Node::handle_timeout) called. Protocol
/// crates do not depend on `dfn-sim`: a thin adapter in a test or an example
/// implements this trait for the protocol's machine.
///
/// The simulator drains outputs and re-reads the timeout after every call it
/// makes into the node: after construction (when the run starts), after each
/// delivered message, after each timeout and after
/// [`Simulation::with_node`](crate::Simulation::with_node). A node that wants
/// to act at the start returns `Some(Time::ZERO)` from `poll_timeout`.
///
/// All nodes of one simulation share one type. To mix honest and Byzantine
/// behaviour, make the node type an enum of the variants, or use
/// `Box<dyn Node<Message = M, Event = E>>`, which implements `Node` too.
pub trait Node {
    /// The messages nodes exchange.
    type Message: SimMessage;
    /// The events a node reports.
    type Event: SimEvent;

    /// A message from `from` arrived at `now`. With gossip broadcast, `from`
    /// is the node that broadcast the message, not the overlay neighbour
    /// that relayed it.
    fn handle_message(&mut self, now: Time, from: NodeId, msg: Self::Message);

    /// The deadline last returned by [`poll_timeout`](Node::poll_timeout)
    /// has come (`now` is that deadline, or the current time if the
    /// deadline was already past when the node asked for it).
    fn handle_timeout(&mut self, now: Time);

    /// The next pending output, or `None` when there is none.
    fn poll_output(&mut self) -> Option<Output<Self::Message, Self::Event>>;

    /// When the node next wants [`handle_timeout`](Node::handle_timeout), or
    /// `None` for never. A deadline in the past fires at the current time.
    ///
    /// A node that keeps asking for a deadline at or before `now` after
    /// every `handle_timeout(now)` makes virtual time stand still.
    fn poll_timeout(&self) -> Option<Time>;
}

impl<M: SimMessage, E: SimEvent> Node for Box<dyn Node<Message = M, Event = E>> {
    type Message = M;
    type Event = E;

    fn handle_message(&mut self, now: Time, from: NodeId, msg: M) {
        (**self).handle_message(now, from, msg);
    }

    fn handle_timeout(&mut self, now: Time) {
        (**self).handle_timeout(now);
    }

    fn poll_output(&mut self) -> Option<Output<M, E>> {
        (**self).poll_output()
    }

    fn poll_timeout(&self) -> Option<Time> {
        (**self).poll_timeout()
    }
}
