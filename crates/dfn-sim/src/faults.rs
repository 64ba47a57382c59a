//! Faults: crashes, restarts and partitions on a schedule, and rules that
//! drop or delay matching messages during a window of time.

use core::fmt;

use crate::node::NodeId;
use crate::time::Time;

/// A fault, applied at its scheduled time by
/// [`Simulation::schedule`](crate::Simulation::schedule).
///
/// Faults and messages scheduled for the same millisecond apply in the
/// order they were scheduled; faults scheduled before the run starts come
/// before anything the nodes send at that time.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The node stops: it receives nothing (messages arriving for it are
    /// dropped), its timer does not fire, and it sends nothing. Copies it
    /// sent before crashing are already on the wire and still arrive. Its
    /// state is kept for [`Restart::Resume`].
    Crash(NodeId),
    /// A crashed node comes back (no effect on a running node).
    Restart(NodeId, Restart),
    /// Split the network: each listed set becomes one side, and nodes in no
    /// set form one more side together. No copy crosses between sides
    /// while the partition holds: copies sent across are dropped when sent,
    /// and copies in flight when it starts are dropped when they arrive. A
    /// new partition replaces the previous one.
    Partition(Vec<Vec<NodeId>>),
    /// End the partition: every node can reach every other again.
    Heal,
}

/// How a crashed node comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Restart {
    /// With the state it had when it crashed, as after a long pause. Its
    /// timer is re-read; a deadline that passed while it was down fires at
    /// once.
    Resume,
    /// As a new node built by the factory given to
    /// [`Simulation::set_factory`](crate::Simulation::set_factory) (a
    /// process restarting from its persisted state or from scratch:
    /// whatever the factory builds).
    Fresh,
}

/// What a rule ([`Simulation::add_rule`](crate::Simulation::add_rule))
/// does to a matching copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Drop it.
    Drop,
    /// Deliver it this many milliseconds later than the link would.
    Delay(u64),
}

/// One copy of a message about to be sent, as a rule's predicate sees it.
#[derive(Debug)]
pub struct Envelope<'a, M> {
    /// Current time.
    pub now: Time,
    /// The node putting the copy on the wire (a gossip relay for forwarded
    /// copies).
    pub from: NodeId,
    /// The node that created the message.
    pub origin: NodeId,
    /// The receiver of this copy.
    pub to: NodeId,
    /// The message.
    pub msg: &'a M,
}

/// A predicate over copies, boxed.
type Matcher<M> = Box<dyn FnMut(&Envelope<'_, M>) -> bool>;

/// A rule installed by [`Simulation::add_rule`](crate::Simulation::add_rule).
pub(crate) struct Rule<M> {
    pub(crate) start: Time,
    pub(crate) end: Time,
    pub(crate) action: Action,
    pub(crate) matches: Matcher<M>,
}

impl<M> fmt::Debug for Rule<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("start", &self.start)
            .field("end", &self.end)
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}
