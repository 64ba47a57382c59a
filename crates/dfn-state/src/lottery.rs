//! Lottery charging (`protocol.md` §4, `reference.md` §5.5): a metered
//! operation of fee `F` is charged `M·F` with probability `1/M`, decided by
//! a beacon value produced after the operation was included, and nothing
//! otherwise, so that most operations need no payment at all.
//!
//! An operation included at height `h` wins when
//! `u256_be(SHA-256(r_{h+δ} ‖ op_id)) mod M == 0` ([`ticket_wins`]), with
//! `δ ≥ 1` so that nobody knows `r_{h+δ}` when the operation is included.
//! Its expected charge is exactly `F`. To bound what a winner can fail to
//! pay, an account must hold at least `c·M·F` when it submits and may have
//! at most `K` unresolved tickets; a win beyond its balance takes the
//! balance, slashes the penalty deposit and freezes the account. Currency
//! transfers are never lottery-charged: they pay `F` at once.
//!
//! Amounts are `u128` base units and all arithmetic is checked integer
//! arithmetic: an overflow is an error, never a wrap. The pool and the fee
//! total are `U256` sums of `u128` amounts, which cannot overflow.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};

use sha2::{Digest, Sha256};

use crate::U256;
use crate::address::Address;
use crate::draw::reduce;
use crate::hash::B256;

/// Default `M`: a winning ticket pays a thousand fees.
pub const DEFAULT_MULTIPLIER: u64 = 1000;

/// Whether the ticket of operation `op_id` wins against the beacon value
/// `beacon` (`r_{h+δ}`) with multiplier `multiplier` (`M`):
/// `u256_be(SHA-256(beacon ‖ op_id)) mod M == 0`. `M = 0` never wins.
#[must_use]
pub fn ticket_wins(beacon: &B256, op_id: &B256, multiplier: u64) -> bool {
    if multiplier == 0 {
        return false;
    }
    let digest: [u8; 32] = Sha256::new()
        .chain_update(beacon.0)
        .chain_update(op_id.0)
        .finalize()
        .into();
    reduce(&digest, multiplier) == 0
}

/// Lottery parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LotteryConfig {
    /// `M`: a winning ticket is charged `M·F`; a ticket wins with
    /// probability `1/M`.
    pub multiplier: u64,
    /// `c`: an account submitting an operation of fee `F` must hold at
    /// least `c·M·F`.
    pub reserve_factor: u64,
    /// `K`: the most unresolved tickets one account may hold. Choose it so
    /// that `P[Binomial(K, 1/M) > c]` is negligible (`reference.md` §5.5:
    /// M = 1000, c = 2, K = 10 gives 1.2e-7).
    pub max_open_tickets: u32,
    /// `δ ≥ 1`: an operation included at height `h` is decided by the
    /// beacon value of height `h + δ`.
    pub delay: u64,
}

impl Default for LotteryConfig {
    /// `M = 1000`, `c = 2`, `K = 10`, `δ = 1`.
    fn default() -> Self {
        Self {
            multiplier: DEFAULT_MULTIPLIER,
            reserve_factor: 2,
            max_open_tickets: 10,
            delay: 1,
        }
    }
}

/// What an operation is, for charging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// A currency transfer: always fully validated and charged its fee at
    /// once, never by lottery.
    Transfer,
    /// Any other operation: charged by lottery.
    Metered,
}

/// An operation to charge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// Unique id of the operation (e.g. its hash); keys the ticket draw.
    pub id: B256,
    /// The account that pays.
    pub payer: Address,
    /// `F`, the operation's fee.
    pub fee: u128,
    /// Transfer or metered.
    pub kind: OpKind,
}

/// An account's lottery state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LotteryAccount {
    /// Spendable balance.
    pub balance: u128,
    /// Deposit slashed if the account cannot pay a winning ticket.
    pub penalty_deposit: u128,
    /// Tickets submitted but not yet decided.
    pub open_tickets: u32,
    /// Set when the account failed to pay a winning ticket; it can submit
    /// nothing more.
    pub frozen: bool,
}

/// What the ledger reports, drained with [`LotteryLedger::poll_output`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LotteryEvent {
    /// A transfer paid its fee at submission.
    TransferCharged {
        /// The operation.
        op: B256,
        /// The payer.
        payer: Address,
        /// The fee paid.
        fee: u128,
    },
    /// A ticket was decided and paid in full: `M·F` if it won, 0 if not.
    TicketResolved {
        /// The operation.
        op: B256,
        /// The payer.
        payer: Address,
        /// The amount charged.
        charged: u128,
    },
    /// A winning ticket exceeded the payer's balance: the balance and the
    /// penalty deposit were taken and the account frozen.
    Defaulted {
        /// The operation.
        op: B256,
        /// The payer.
        payer: Address,
        /// `M·F`, what the ticket should have paid.
        owed: u128,
        /// The balance taken.
        taken: u128,
        /// The penalty deposit slashed.
        slashed: u128,
    },
}

/// Why the ledger refused an input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LotteryError {
    /// `M`, `K` or `δ` is zero.
    #[error("multiplier, ticket cap and delay must all be at least 1")]
    InvalidConfig,
    /// The payer is frozen after defaulting on a ticket.
    #[error("account {payer} is frozen")]
    AccountFrozen {
        /// The payer.
        payer: Address,
    },
    /// A transfer's fee exceeds the payer's balance.
    #[error("account {payer} holds {balance}, the fee is {fee}")]
    InsufficientBalance {
        /// The payer.
        payer: Address,
        /// The fee.
        fee: u128,
        /// The balance.
        balance: u128,
    },
    /// The payer holds less than the reserve `c·M·F`.
    #[error("account {payer} holds {balance}, the reserve is {required}")]
    InsufficientReserve {
        /// The payer.
        payer: Address,
        /// `c·M·F`.
        required: u128,
        /// The balance.
        balance: u128,
    },
    /// The payer already holds `K` unresolved tickets.
    #[error("account {payer} already holds {limit} unresolved tickets")]
    TooManyOpenTickets {
        /// The payer.
        payer: Address,
        /// `K`.
        limit: u32,
    },
    /// An operation with this id already holds an unresolved ticket.
    #[error("operation {op} already holds a ticket")]
    DuplicateOperation {
        /// The operation id.
        op: B256,
    },
    /// The beacon value that would decide the operation is already known.
    #[error("inclusion height {height} is decided by a beacon already resolved (next is {next})")]
    StaleInclusion {
        /// The inclusion height given.
        height: u64,
        /// Height of the next beacon value the ledger expects.
        next: u64,
    },
    /// Beacon values must arrive for every height, in order.
    #[error("expected the beacon value of height {expected}, got {found}")]
    BeaconOutOfOrder {
        /// The next height.
        expected: u64,
        /// The height given.
        found: u64,
    },
    /// An amount does not fit in `u128`.
    #[error("amount overflows u128")]
    Overflow,
}

/// An unresolved ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ticket {
    payer: Address,
    fee: u128,
    /// `M·F`, checked when the ticket was issued.
    prize: u128,
}

/// Accounts, unresolved tickets and the fee pool.
///
/// Inputs are deposits, operations with their inclusion height
/// ([`LotteryLedger::submit`]) and beacon values, one per height in order
/// ([`LotteryLedger::resolve`]); outputs are [`LotteryEvent`]s.
#[derive(Clone, Debug)]
pub struct LotteryLedger {
    config: LotteryConfig,
    accounts: BTreeMap<Address, LotteryAccount>,
    /// Keyed by (deciding beacon height, operation id).
    tickets: BTreeMap<(u64, B256), Ticket>,
    open_ids: BTreeSet<B256>,
    next_beacon: u64,
    pool: U256,
    fees_due: U256,
    events: VecDeque<LotteryEvent>,
}

impl LotteryLedger {
    /// An empty ledger; the first beacon value it expects is height 0.
    pub fn new(config: LotteryConfig) -> Result<Self, LotteryError> {
        if config.multiplier == 0 || config.max_open_tickets == 0 || config.delay == 0 {
            return Err(LotteryError::InvalidConfig);
        }
        Ok(Self {
            config,
            accounts: BTreeMap::new(),
            tickets: BTreeMap::new(),
            open_ids: BTreeSet::new(),
            next_beacon: 0,
            pool: U256::ZERO,
            fees_due: U256::ZERO,
            events: VecDeque::new(),
        })
    }

    /// The parameters.
    #[must_use]
    pub const fn config(&self) -> &LotteryConfig {
        &self.config
    }

    /// An account's state (`None` if it never received anything).
    #[must_use]
    pub fn account(&self, payer: &Address) -> Option<&LotteryAccount> {
        self.accounts.get(payer)
    }

    /// Everything charged so far: transfer fees, winning tickets, and what
    /// defaulting accounts forfeited.
    #[must_use]
    pub const fn pool(&self) -> U256 {
        self.pool
    }

    /// The sum of the fees `F` of every charged operation: what block
    /// makers and validators are paid from the pool, free of lottery
    /// variance.
    #[must_use]
    pub const fn fees_due(&self) -> U256 {
        self.fees_due
    }

    /// Height of the next beacon value [`LotteryLedger::resolve`] expects.
    #[must_use]
    pub const fn next_beacon(&self) -> u64 {
        self.next_beacon
    }

    /// Adds `amount` to `payer`'s spendable balance.
    pub fn deposit(&mut self, payer: Address, amount: u128) -> Result<(), LotteryError> {
        let account = self.accounts.entry(payer).or_default();
        account.balance = account
            .balance
            .checked_add(amount)
            .ok_or(LotteryError::Overflow)?;
        Ok(())
    }

    /// Adds `amount` to `payer`'s penalty deposit.
    pub fn deposit_penalty(&mut self, payer: Address, amount: u128) -> Result<(), LotteryError> {
        let account = self.accounts.entry(payer).or_default();
        account.penalty_deposit = account
            .penalty_deposit
            .checked_add(amount)
            .ok_or(LotteryError::Overflow)?;
        Ok(())
    }

    /// Charges `op`, included at `height`: a transfer pays `F` now; a
    /// metered operation gets a ticket decided by the beacon value of
    /// `height + δ`, if the payer holds the reserve and has room for one
    /// more unresolved ticket.
    pub fn submit(&mut self, op: Operation, height: u64) -> Result<(), LotteryError> {
        let account = self.accounts.get(&op.payer).copied().unwrap_or_default();
        if account.frozen {
            return Err(LotteryError::AccountFrozen { payer: op.payer });
        }
        match op.kind {
            OpKind::Transfer => self.charge_transfer(op, account),
            OpKind::Metered => self.issue_ticket(op, account, height),
        }
    }

    fn charge_transfer(
        &mut self,
        op: Operation,
        mut account: LotteryAccount,
    ) -> Result<(), LotteryError> {
        account.balance =
            account
                .balance
                .checked_sub(op.fee)
                .ok_or(LotteryError::InsufficientBalance {
                    payer: op.payer,
                    fee: op.fee,
                    balance: account.balance,
                })?;
        self.pool = self.pool.saturating_add(U256::from(op.fee));
        self.fees_due = self.fees_due.saturating_add(U256::from(op.fee));
        self.accounts.insert(op.payer, account);
        self.events.push_back(LotteryEvent::TransferCharged {
            op: op.id,
            payer: op.payer,
            fee: op.fee,
        });
        Ok(())
    }

    fn issue_ticket(
        &mut self,
        op: Operation,
        mut account: LotteryAccount,
        height: u64,
    ) -> Result<(), LotteryError> {
        let decided_at = height
            .checked_add(self.config.delay)
            .ok_or(LotteryError::Overflow)?;
        if decided_at < self.next_beacon {
            return Err(LotteryError::StaleInclusion {
                height,
                next: self.next_beacon,
            });
        }
        if self.open_ids.contains(&op.id) {
            return Err(LotteryError::DuplicateOperation { op: op.id });
        }
        if account.open_tickets >= self.config.max_open_tickets {
            return Err(LotteryError::TooManyOpenTickets {
                payer: op.payer,
                limit: self.config.max_open_tickets,
            });
        }
        let prize = op
            .fee
            .checked_mul(u128::from(self.config.multiplier))
            .ok_or(LotteryError::Overflow)?;
        let required = prize
            .checked_mul(u128::from(self.config.reserve_factor))
            .ok_or(LotteryError::Overflow)?;
        if account.balance < required {
            return Err(LotteryError::InsufficientReserve {
                payer: op.payer,
                required,
                balance: account.balance,
            });
        }
        account.open_tickets += 1;
        self.accounts.insert(op.payer, account);
        self.open_ids.insert(op.id);
        self.tickets.insert(
            (decided_at, op.id),
            Ticket {
                payer: op.payer,
                fee: op.fee,
                prize,
            },
        );
        Ok(())
    }

    /// Decides every ticket waiting for the beacon value `beacon` of
    /// `height`. Beacon values must arrive for every height, in order.
    pub fn resolve(&mut self, height: u64, beacon: &B256) -> Result<(), LotteryError> {
        if height != self.next_beacon {
            return Err(LotteryError::BeaconOutOfOrder {
                expected: self.next_beacon,
                found: height,
            });
        }
        self.next_beacon = height.checked_add(1).ok_or(LotteryError::Overflow)?;
        let later = self.tickets.split_off(&(self.next_beacon, B256::ZERO));
        let due = core::mem::replace(&mut self.tickets, later);
        for ((_, op), ticket) in due {
            self.open_ids.remove(&op);
            self.settle(op, ticket, beacon);
        }
        Ok(())
    }

    fn settle(&mut self, op: B256, ticket: Ticket, beacon: &B256) {
        let account = self.accounts.entry(ticket.payer).or_default();
        account.open_tickets = account.open_tickets.saturating_sub(1);
        self.fees_due = self.fees_due.saturating_add(U256::from(ticket.fee));
        if !ticket_wins(beacon, &op, self.config.multiplier) {
            self.events.push_back(LotteryEvent::TicketResolved {
                op,
                payer: ticket.payer,
                charged: 0,
            });
            return;
        }
        if let Some(rest) = account.balance.checked_sub(ticket.prize) {
            account.balance = rest;
            self.pool = self.pool.saturating_add(U256::from(ticket.prize));
            self.events.push_back(LotteryEvent::TicketResolved {
                op,
                payer: ticket.payer,
                charged: ticket.prize,
            });
        } else {
            let taken = core::mem::take(&mut account.balance);
            let slashed = core::mem::take(&mut account.penalty_deposit);
            account.frozen = true;
            self.pool = self
                .pool
                .saturating_add(U256::from(taken))
                .saturating_add(U256::from(slashed));
            self.events.push_back(LotteryEvent::Defaulted {
                op,
                payer: ticket.payer,
                owed: ticket.prize,
                taken,
                slashed,
            });
        }
    }

    /// The next event, oldest first.
    pub fn poll_output(&mut self) -> Option<LotteryEvent> {
        self.events.pop_front()
    }
}
