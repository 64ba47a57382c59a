//! The adversity both interop simulations share: public processes that
//! duplicate, serve stale state and forge; one call lost on the way; a
//! crash on each side; network A (processes 4–6) cut off from the public
//! chain, later one public process cut off from everyone.

use dfn_interop::TwinId;
use dfn_sim::{Action, Fault, NodeId, Restart, Simulation, Time};

use super::host::Host;
use super::messages::Msg;
use super::public_host::Role;

/// Public processes 1, 2 and 3 duplicate, serve stale state and forge.
pub fn misbehave(sim: &mut Simulation<Host>) {
    for (node, role) in [(1, Role::Duplicator), (2, Role::Stale), (3, Role::Forger)] {
        sim.with_node(NodeId(node), |h, _| {
            if let Host::Public(p) = h {
                p.role = role;
            }
        })
        .unwrap();
    }
}

/// Every post of the call `lost` is dropped: it never reaches the public
/// chain and can only expire.
pub fn lose_call(sim: &mut Simulation<Host>, lost: TwinId) {
    sim.add_rule(
        Time::ZERO,
        Time::from_millis(60_000),
        Action::Drop,
        move |e| matches!(e.msg, Msg::Call(p) if p.call.twin == lost),
    );
}

/// Public process 1 is down from 6 to 9 s and process 8 (network B) from
/// 5 to 8 s; network A is cut off from 7 to 12 s, public process 0 from
/// everyone from 14 to 18 s.
pub fn crashes_and_partitions(sim: &mut Simulation<Host>) {
    let s = Time::from_millis;
    sim.schedule(s(6_000), Fault::Crash(NodeId(1))).unwrap();
    sim.schedule(s(9_000), Fault::Restart(NodeId(1), Restart::Resume))
        .unwrap();
    sim.schedule(s(5_000), Fault::Crash(NodeId(8))).unwrap();
    sim.schedule(s(8_000), Fault::Restart(NodeId(8), Restart::Resume))
        .unwrap();
    sim.schedule(
        s(7_000),
        Fault::Partition(vec![vec![NodeId(4), NodeId(5), NodeId(6)]]),
    )
    .unwrap();
    sim.schedule(s(12_000), Fault::Heal).unwrap();
    sim.schedule(s(14_000), Fault::Partition(vec![vec![NodeId(0)]]))
        .unwrap();
    sim.schedule(s(18_000), Fault::Heal).unwrap();
}
