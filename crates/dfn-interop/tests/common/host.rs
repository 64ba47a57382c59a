//! The dfn-sim host of the interop simulation: one public chain and
//! private chains dealt by `dfn_interop::Dealer`, every process a real
//! `PspNode` ([`ChainHost`]) in one of three roles: a public process
//! ([`PublicHost`]), a private process of a network using host methods
//! ([`PrivateHost`]), or one of a network running contracts
//! ([`ContractHost`]).

use dfn_sim::{Node, NodeId, Time};

use super::chain_host::ChainHost;
use super::contract_host::ContractHost;
use super::messages::{Ev, Msg};
use super::private_host::{PrivateHost, TICK_MS};
use super::public_host::PublicHost;

pub enum Host {
    Public(Box<PublicHost>),
    Private(Box<PrivateHost>),
    /// A private process whose network runs contracts.
    Contract(Box<ContractHost>),
}

impl Host {
    fn chain(&self) -> &ChainHost {
        match self {
            Host::Public(p) => &p.chain,
            Host::Private(p) => &p.chain,
            Host::Contract(p) => &p.chain,
        }
    }

    fn chain_mut(&mut self) -> &mut ChainHost {
        match self {
            Host::Public(p) => &mut p.chain,
            Host::Private(p) => &mut p.chain,
            Host::Contract(p) => &mut p.chain,
        }
    }

    pub fn public(&self) -> Option<&PublicHost> {
        match self {
            Host::Public(p) => Some(p.as_ref()),
            _ => None,
        }
    }

    pub fn private(&self) -> Option<&PrivateHost> {
        match self {
            Host::Private(p) => Some(p.as_ref()),
            _ => None,
        }
    }

    pub fn private_mut(&mut self) -> Option<&mut PrivateHost> {
        match self {
            Host::Private(p) => Some(p.as_mut()),
            _ => None,
        }
    }

    pub fn contract(&self) -> Option<&ContractHost> {
        match self {
            Host::Contract(p) => Some(p.as_ref()),
            _ => None,
        }
    }

    pub fn contract_mut(&mut self) -> Option<&mut ContractHost> {
        match self {
            Host::Contract(p) => Some(p.as_mut()),
            _ => None,
        }
    }
}

impl Node for Host {
    type Message = Msg;
    type Event = Ev;

    fn handle_message(&mut self, now: Time, from: NodeId, msg: Msg) {
        match self {
            Host::Public(p) => p.handle(now, from, msg),
            Host::Private(p) => p.handle(now, from, msg),
            Host::Contract(p) => p.handle(now, from, msg),
        }
    }

    fn handle_timeout(&mut self, now: Time) {
        self.chain_mut().timeout(now);
        match self {
            Host::Public(p) => p.pump(now),
            Host::Private(p) => {
                if now >= p.next_tick {
                    p.next_tick = now.saturating_add(TICK_MS);
                    p.tick();
                }
                p.pump(now);
            }
            Host::Contract(p) => {
                if now >= p.next_tick {
                    p.next_tick = now.saturating_add(TICK_MS);
                    p.tick();
                }
                p.pump(now);
            }
        }
    }

    fn poll_output(&mut self) -> Option<dfn_sim::Output<Msg, Ev>> {
        self.chain_mut().out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Time> {
        let chain = self.chain().next();
        let tick = match self {
            Host::Public(_) => None,
            Host::Private(p) => Some(p.next_tick),
            Host::Contract(p) => Some(p.next_tick),
        };
        [chain, tick].into_iter().flatten().min()
    }
}
