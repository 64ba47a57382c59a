//! Carrying messages: sending, broadcasting (direct or gossip), the link
//! and uplink model, and delivery.

use crate::audit::TAG_SEND;
use crate::config::BroadcastMode;
use crate::faults::{Action, Envelope};
use crate::link::LinkModel;
use crate::message::SimMessage;
use crate::node::{Node, NodeId};
use crate::time::Time;

use super::{BROADCAST, Delivery, Ev, Flight, Simulation};

impl<N: Node> Simulation<N> {
    /// Record a send in the audit log; the message's number.
    fn audit_send(&mut self, from: u32, to: u32, msg: &N::Message) -> u64 {
        let number = self.next_number;
        self.next_number += 1;
        self.audit.record(TAG_SEND, self.now.as_millis());
        self.audit.write_u32(from);
        self.audit.write_u32(to);
        self.audit.write_u64(number);
        msg.audit(&mut self.audit);
        number
    }

    pub(super) fn send(&mut self, from: u32, to: u32, msg: N::Message) {
        let number = self.audit_send(from, to, &msg);
        if to as usize >= self.nodes.len() {
            self.metrics.drops.invalid += 1;
            return;
        }
        let len = u32::try_from(msg.wire_len()).unwrap_or(u32::MAX);
        if let Some(arrive) = self.route(from, to, from, len, &msg, false) {
            let sent = self.now;
            self.queue.push(
                arrive,
                Ev::Unicast {
                    to,
                    from,
                    len,
                    number,
                    sent,
                    msg,
                },
            );
        }
    }

    pub(super) fn broadcast(&mut self, from: u32, msg: N::Message) {
        let gossip = matches!(self.config.broadcast, BroadcastMode::Gossip { .. });
        let number = self.audit_send(from, BROADCAST, &msg);
        let seen = gossip.then(|| {
            let n = self.nodes.len();
            let mut set = self.spare_sets.pop().unwrap_or_default();
            set.reset(n);
            set.insert(from);
            set
        });
        let mut flight = Flight {
            len: u32::try_from(msg.wire_len()).unwrap_or(u32::MAX),
            msg,
            origin: from,
            number,
            sent: self.now,
            refs: 0,
            seen,
        };
        let slot = self.reserve_slot();
        if gossip {
            self.forward(from, u32::MAX, slot, &mut flight, false);
        } else {
            for to in 0..self.nodes.len() as u32 {
                if to != from {
                    self.send_copy(from, to, slot, &mut flight, false);
                }
            }
        }
        self.settle(slot, flight);
    }

    /// Gossip: send to every overlay neighbour of `node` except `except`.
    fn forward(
        &mut self,
        node: u32,
        except: u32,
        slot: u32,
        flight: &mut Flight<N::Message>,
        relayed: bool,
    ) {
        // Moved out for the loop (two pointers), so that sending can borrow
        // the simulator mutably.
        let overlay = core::mem::take(&mut self.overlay);
        for &peer in overlay.neighbours(node) {
            if peer != except {
                self.send_copy(node, peer, slot, flight, relayed);
            }
        }
        self.overlay = overlay;
    }

    /// One copy of a broadcast from `from` to `to`.
    fn send_copy(
        &mut self,
        from: u32,
        to: u32,
        slot: u32,
        flight: &mut Flight<N::Message>,
        relayed: bool,
    ) {
        if let Some(arrive) = self.route(from, to, flight.origin, flight.len, &flight.msg, relayed)
        {
            flight.refs += 1;
            self.queue.push(
                arrive,
                Ev::Shared {
                    to,
                    relay: from,
                    flight: slot,
                },
            );
        }
    }

    /// A free flight slot (left empty until [`settle`](Self::settle)).
    fn reserve_slot(&mut self) -> u32 {
        if let Some(slot) = self.free_flights.pop() {
            return slot;
        }
        let slot = u32::try_from(self.flights.len()).unwrap_or(u32::MAX);
        self.flights.push(None);
        slot
    }

    /// Put a flight with copies on the wire into its slot, or free the slot
    /// when no copy is left.
    fn settle(&mut self, slot: u32, flight: Flight<N::Message>) {
        if flight.refs == 0 {
            self.free_slot(slot, flight);
        } else if let Some(s) = self.flights.get_mut(slot as usize) {
            *s = Some(flight);
        }
    }

    fn free_slot(&mut self, slot: u32, flight: Flight<N::Message>) -> N::Message {
        self.free_flights.push(slot);
        if let Some(set) = flight.seen {
            self.spare_sets.push(set);
        }
        flight.msg
    }

    fn link(&self, from: u32, to: u32) -> LinkModel {
        if !self.overrides.is_empty() {
            if let Some(l) = self.overrides.get(&(from, to)) {
                return *l;
            }
        }
        if let Some(geo) = &self.config.geo {
            let ra = self.regions.get(from as usize).copied().unwrap_or(0);
            let rb = self.regions.get(to as usize).copied().unwrap_or(0);
            if let Some(l) = geo.link(ra, rb) {
                return *l;
            }
        }
        self.config.link
    }

    /// Put one copy on the wire from `from` to `to`: count it, queue it on
    /// the uplink, and decide its fate. The arrival time, or `None` when
    /// the copy is lost, cut by the partition or dropped by a rule.
    fn route(
        &mut self,
        from: u32,
        to: u32,
        origin: u32,
        len: u32,
        msg: &N::Message,
        relayed: bool,
    ) -> Option<u64> {
        let link = self.link(from, to);
        // Draws first, whatever happens to the copy: faults and rules then
        // never shift the latency and loss streams.
        let mut delay = link.latency.sample(&mut self.latency_rng);
        if link.jitter > 0 {
            delay = delay.saturating_add(self.latency_rng.below(link.jitter.saturating_add(1)));
        }
        let lost = link.loss.draw(&mut self.loss_rng);

        let len = u64::from(len);
        let now = self.now;
        let now_us = now.as_millis().saturating_mul(1000);

        // The uplink: FIFO, shared by all the node's links.
        let mut depart_us = now_us;
        let mut side_from = 0;
        if let Some(m) = self.meta.get_mut(from as usize) {
            side_from = m.side;
            if let Some(bw) = m.uplink {
                let start = m.uplink_free_us.max(now_us);
                m.uplink_free_us = start.saturating_add(bw.micros_for(len));
                depart_us = m.uplink_free_us;
            }
        }
        if let Some(c) = self.metrics.nodes.get_mut(from as usize) {
            c.sent_msgs += 1;
            c.sent_bytes += len;
            if relayed {
                c.forwarded_msgs += 1;
                c.forwarded_bytes += len;
            }
        }
        if lost {
            self.metrics.drops.loss += 1;
            return None;
        }
        if self.partitioned && self.meta.get(to as usize).map_or(0, |m| m.side) != side_from {
            self.metrics.drops.partition += 1;
            return None;
        }
        if !self.rules.is_empty() {
            let env = Envelope {
                now,
                from: NodeId(from),
                origin: NodeId(origin),
                to: NodeId(to),
                msg,
            };
            let action = self
                .rules
                .iter_mut()
                .filter(|r| r.start <= now && now < r.end)
                .find_map(|r| (r.matches)(&env).then_some(r.action));
            match action {
                Some(Action::Drop) => {
                    self.metrics.drops.rule += 1;
                    return None;
                }
                Some(Action::Delay(ms)) => delay = delay.saturating_add(ms),
                None => {}
            }
        }
        let mut arrive_us = depart_us;
        if let Some(bw) = link.bandwidth {
            arrive_us = arrive_us.saturating_add(bw.micros_for(len));
        }
        let arrive = arrive_us.div_ceil(1000).saturating_add(delay);
        self.metrics
            .link_delay
            .record(arrive.saturating_sub(now.as_millis()));
        Some(arrive)
    }

    /// Whether a copy from `relay` may be handed to `to`; counts the drop
    /// otherwise.
    fn admit(&mut self, to: u32, relay: u32) -> bool {
        self.metrics.events += 1;
        let (up, side_to) = self
            .meta
            .get(to as usize)
            .map_or((false, 0), |m| (m.up, m.side));
        if !up {
            self.metrics.drops.crashed += 1;
            return false;
        }
        if self.partitioned && self.meta.get(relay as usize).map_or(0, |m| m.side) != side_to {
            self.metrics.drops.partition += 1;
            return false;
        }
        true
    }

    /// Count, audit and observe a delivery.
    fn record_delivery(&mut self, to: u32, relay: u32, len: u32, number: u64, sent: Time) {
        let now = self.now;
        self.audit.delivery(now.as_millis(), to, relay, number);
        self.metrics.deliveries += 1;
        self.metrics.delivery_age.record(now.since(sent));
        if let Some(c) = self.metrics.nodes.get_mut(to as usize) {
            c.recv_msgs += 1;
            c.recv_bytes += u64::from(len);
        }
    }

    fn observe(&mut self, origin: u32, relay: u32, to: u32, msg: &N::Message) {
        if let Some(obs) = &mut self.observer {
            obs(&Delivery {
                now: self.now,
                origin: NodeId(origin),
                relay: NodeId(relay),
                to: NodeId(to),
                msg,
            });
        }
    }

    fn hand_over(&mut self, to: u32, origin: u32, msg: N::Message) {
        let now = self.now;
        if let Some(n) = self.nodes.get_mut(to as usize) {
            n.handle_message(now, NodeId(origin), msg);
        }
        self.drain(to);
    }

    pub(super) fn deliver_unicast(
        &mut self,
        to: u32,
        from: u32,
        len: u32,
        number: u64,
        sent: Time,
        msg: N::Message,
    ) {
        if !self.admit(to, from) {
            return;
        }
        self.record_delivery(to, from, len, number, sent);
        self.observe(from, from, to, &msg);
        self.hand_over(to, from, msg);
    }

    pub(super) fn deliver_shared(&mut self, to: u32, relay: u32, slot: u32) {
        let admitted = self.admit(to, relay);
        let Some(mut flight) = self.flights.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        flight.refs = flight.refs.saturating_sub(1);
        let mut fresh = admitted;
        if admitted {
            if let Some(seen) = &mut flight.seen {
                if !seen.insert(to) {
                    fresh = false;
                    if let Some(c) = self.metrics.nodes.get_mut(to as usize) {
                        c.duplicate_msgs += 1;
                    }
                }
            }
        }
        if !fresh {
            self.settle(slot, flight);
            return;
        }
        if flight.seen.is_some() {
            self.forward(to, relay, slot, &mut flight, true);
        }
        let (origin, len, number, sent) = (flight.origin, flight.len, flight.number, flight.sent);
        self.record_delivery(to, relay, len, number, sent);
        self.observe(origin, relay, to, &flight.msg);
        let msg = if flight.refs == 0 {
            self.free_slot(slot, flight)
        } else {
            let msg = flight.msg.clone();
            self.settle(slot, flight);
            msg
        };
        self.hand_over(to, origin, msg);
    }
}
