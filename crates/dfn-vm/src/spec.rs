//! Fork rules as data: which opcodes exist, what they cost, which limits
//! apply. The interpreter reads every number from a [`Spec`]; a later fork
//! is a new `Spec` value, not an edit of the interpreter.

use crate::opcode as op;

/// The rules of one fork.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Fork name as the state tests spell it (`"Cancun"`).
    pub name: &'static str,
    /// Which opcodes are defined; an undefined one halts the frame.
    pub enabled: [bool; 256],
    /// Gas charged before an opcode runs (its dynamic part comes on top).
    pub base_gas: [u32; 256],
    /// Cost of touching a warm account or slot (EIP-2929).
    pub warm_access: u64,
    /// Cost of the first access to an account in a transaction.
    pub cold_account_access: u64,
    /// Cost of the first access to a storage slot in a transaction.
    pub cold_sload: u64,
    /// SSTORE from zero to non-zero.
    pub sstore_set: u64,
    /// SSTORE of a non-zero original value (cold part excluded).
    pub sstore_reset: u64,
    /// Refund for clearing a slot (EIP-3529).
    pub sstore_clears_refund: u64,
    /// SSTORE fails when at most this much gas is left (EIP-2200).
    pub sstore_sentry: u64,
    /// CALL with value.
    pub call_value: u64,
    /// Gas given to the callee of a CALL with value, on top of what is forwarded.
    pub call_stipend: u64,
    /// CALL with value to an empty account, SELFDESTRUCT of value to one.
    pub new_account: u64,
    /// Code deposit per byte of created code.
    pub code_deposit_per_byte: u64,
    /// Per 32-byte word of initcode for CREATE/CREATE2 and creation transactions (EIP-3860).
    pub initcode_word: u64,
    /// Per 32-byte word hashed by KECCAK256 and CREATE2.
    pub keccak_word: u64,
    /// Per 32-byte word copied.
    pub copy_word: u64,
    /// Per byte of EXP's exponent.
    pub exp_byte: u64,
    /// Per byte of LOG data.
    pub log_byte: u64,
    /// Memory cost: `memory_word · a + a² / memory_quad_divisor` for `a` words.
    pub memory_word: u64,
    /// See [`Spec::memory_word`].
    pub memory_quad_divisor: u64,
    /// Largest deployed code (EIP-170).
    pub max_code_size: usize,
    /// Largest initcode (EIP-3860).
    pub max_initcode_size: usize,
    /// Refunds are capped at `gas_used / max_refund_quotient` (EIP-3529).
    pub max_refund_quotient: u64,
    /// Deepest call stack.
    pub max_call_depth: usize,
    /// Most stack items.
    pub max_stack: usize,
    /// Gas of every transaction.
    pub tx_base: u64,
    /// Extra gas of a creation transaction.
    pub tx_create: u64,
    /// Calldata gas per zero byte.
    pub tx_data_zero: u64,
    /// Calldata gas per non-zero byte (EIP-2028).
    pub tx_data_nonzero: u64,
    /// Access-list gas per address (EIP-2930).
    pub tx_access_list_address: u64,
    /// Access-list gas per storage key (EIP-2930).
    pub tx_access_list_key: u64,
    /// Created code may not start with `0xEF` (EIP-3541).
    pub reject_ef_code: bool,
    /// SELFDESTRUCT deletes only accounts created in the same transaction (EIP-6780).
    pub selfdestruct_only_same_tx: bool,
    /// The coinbase is warm from the start of a transaction (EIP-3651).
    pub warm_coinbase: bool,
    /// Highest precompile address (`0x01..=last_precompile`).
    pub last_precompile: u8,
    /// Blob gas per blob (EIP-4844).
    pub gas_per_blob: u64,
    /// Most blobs in one transaction.
    pub max_blobs_per_tx: usize,
    /// Denominator of the blob base fee's exponential (EIP-4844).
    pub blob_base_fee_update_fraction: u64,
}

/// Gas tiers of the Yellow Paper.
mod tier {
    pub const BASE: u32 = 2;
    pub const VERYLOW: u32 = 3;
    pub const LOW: u32 = 5;
    pub const MID: u32 = 8;
    pub const HIGH: u32 = 10;
}

/// Opcodes and static gas of Cancun; entries left `None` are undefined.
#[allow(
    clippy::indexing_slicing,
    reason = "const fn: indices are opcode bytes or loop counters below 256; an out-of-range one fails compilation"
)]
const fn cancun_table() -> [Option<u32>; 256] {
    let mut t: [Option<u32>; 256] = [None; 256];
    t[op::STOP as usize] = Some(0);
    t[op::ADD as usize] = Some(tier::VERYLOW);
    t[op::MUL as usize] = Some(tier::LOW);
    t[op::SUB as usize] = Some(tier::VERYLOW);
    t[op::DIV as usize] = Some(tier::LOW);
    t[op::SDIV as usize] = Some(tier::LOW);
    t[op::MOD as usize] = Some(tier::LOW);
    t[op::SMOD as usize] = Some(tier::LOW);
    t[op::ADDMOD as usize] = Some(tier::MID);
    t[op::MULMOD as usize] = Some(tier::MID);
    t[op::EXP as usize] = Some(10);
    t[op::SIGNEXTEND as usize] = Some(tier::LOW);
    let mut o = op::LT;
    while o <= op::SAR {
        t[o as usize] = Some(tier::VERYLOW);
        o += 1;
    }
    t[op::KECCAK256 as usize] = Some(30);
    t[op::ADDRESS as usize] = Some(tier::BASE);
    t[op::BALANCE as usize] = Some(0);
    t[op::ORIGIN as usize] = Some(tier::BASE);
    t[op::CALLER as usize] = Some(tier::BASE);
    t[op::CALLVALUE as usize] = Some(tier::BASE);
    t[op::CALLDATALOAD as usize] = Some(tier::VERYLOW);
    t[op::CALLDATASIZE as usize] = Some(tier::BASE);
    t[op::CALLDATACOPY as usize] = Some(tier::VERYLOW);
    t[op::CODESIZE as usize] = Some(tier::BASE);
    t[op::CODECOPY as usize] = Some(tier::VERYLOW);
    t[op::GASPRICE as usize] = Some(tier::BASE);
    t[op::EXTCODESIZE as usize] = Some(0);
    t[op::EXTCODECOPY as usize] = Some(0);
    t[op::RETURNDATASIZE as usize] = Some(tier::BASE);
    t[op::RETURNDATACOPY as usize] = Some(tier::VERYLOW);
    t[op::EXTCODEHASH as usize] = Some(0);
    t[op::BLOCKHASH as usize] = Some(20);
    t[op::COINBASE as usize] = Some(tier::BASE);
    t[op::TIMESTAMP as usize] = Some(tier::BASE);
    t[op::NUMBER as usize] = Some(tier::BASE);
    t[op::PREVRANDAO as usize] = Some(tier::BASE);
    t[op::GASLIMIT as usize] = Some(tier::BASE);
    t[op::CHAINID as usize] = Some(tier::BASE);
    t[op::SELFBALANCE as usize] = Some(tier::LOW);
    t[op::BASEFEE as usize] = Some(tier::BASE);
    t[op::BLOBHASH as usize] = Some(tier::VERYLOW);
    t[op::BLOBBASEFEE as usize] = Some(tier::BASE);
    t[op::POP as usize] = Some(tier::BASE);
    t[op::MLOAD as usize] = Some(tier::VERYLOW);
    t[op::MSTORE as usize] = Some(tier::VERYLOW);
    t[op::MSTORE8 as usize] = Some(tier::VERYLOW);
    t[op::SLOAD as usize] = Some(0);
    t[op::SSTORE as usize] = Some(0);
    t[op::JUMP as usize] = Some(tier::MID);
    t[op::JUMPI as usize] = Some(tier::HIGH);
    t[op::PC as usize] = Some(tier::BASE);
    t[op::MSIZE as usize] = Some(tier::BASE);
    t[op::GAS as usize] = Some(tier::BASE);
    t[op::JUMPDEST as usize] = Some(1);
    t[op::TLOAD as usize] = Some(100);
    t[op::TSTORE as usize] = Some(100);
    t[op::MCOPY as usize] = Some(tier::VERYLOW);
    t[op::PUSH0 as usize] = Some(tier::BASE);
    let mut o = op::PUSH1;
    while o <= op::SWAP16 {
        t[o as usize] = Some(tier::VERYLOW);
        o += 1;
    }
    let mut n = 0u32;
    while n <= 4 {
        t[(op::LOG0 as u32 + n) as usize] = Some(375 + 375 * n);
        n += 1;
    }
    t[op::CREATE as usize] = Some(32_000);
    t[op::CALL as usize] = Some(0);
    t[op::CALLCODE as usize] = Some(0);
    t[op::RETURN as usize] = Some(0);
    t[op::DELEGATECALL as usize] = Some(0);
    t[op::CREATE2 as usize] = Some(32_000);
    t[op::STATICCALL as usize] = Some(0);
    t[op::REVERT as usize] = Some(0);
    t[op::SELFDESTRUCT as usize] = Some(5_000);
    t
}

#[allow(
    clippy::indexing_slicing,
    reason = "const fn: indices are opcode bytes or loop counters below 256; an out-of-range one fails compilation"
)]
const fn enabled_of(t: &[Option<u32>; 256]) -> [bool; 256] {
    let mut e = [false; 256];
    let mut i = 0;
    while i < 256 {
        e[i] = t[i].is_some();
        i += 1;
    }
    e
}

#[allow(
    clippy::indexing_slicing,
    reason = "const fn: indices are opcode bytes or loop counters below 256; an out-of-range one fails compilation"
)]
const fn gas_of(t: &[Option<u32>; 256]) -> [u32; 256] {
    let mut g = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        if let Some(cost) = t[i] {
            g[i] = cost;
        }
        i += 1;
    }
    g
}

const CANCUN_TABLE: [Option<u32>; 256] = cancun_table();

impl Spec {
    /// Cancun (March 2024): Shanghai plus EIP-1153, 4788, 4844, 5656, 6780, 7516.
    pub const CANCUN: Self = Self {
        name: "Cancun",
        enabled: enabled_of(&CANCUN_TABLE),
        base_gas: gas_of(&CANCUN_TABLE),
        warm_access: 100,
        cold_account_access: 2_600,
        cold_sload: 2_100,
        sstore_set: 20_000,
        sstore_reset: 2_900,
        sstore_clears_refund: 4_800,
        sstore_sentry: 2_300,
        call_value: 9_000,
        call_stipend: 2_300,
        new_account: 25_000,
        code_deposit_per_byte: 200,
        initcode_word: 2,
        keccak_word: 6,
        copy_word: 3,
        exp_byte: 50,
        log_byte: 8,
        memory_word: 3,
        memory_quad_divisor: 512,
        max_code_size: 24_576,
        max_initcode_size: 49_152,
        max_refund_quotient: 5,
        max_call_depth: 1_024,
        max_stack: 1_024,
        tx_base: 21_000,
        tx_create: 32_000,
        tx_data_zero: 4,
        tx_data_nonzero: 16,
        tx_access_list_address: 2_400,
        tx_access_list_key: 1_900,
        reject_ef_code: true,
        selfdestruct_only_same_tx: true,
        warm_coinbase: true,
        last_precompile: 0x0a,
        gas_per_blob: 131_072,
        max_blobs_per_tx: 6,
        blob_base_fee_update_fraction: 3_338_477,
    };

    /// Static gas per opcode with `u32::MAX` for an undefined one, so
    /// that one lookup serves both checks in the interpreter's hot loop.
    #[must_use]
    pub fn cost_table(&self) -> [u32; 256] {
        let mut t = self.base_gas;
        for (cost, on) in t.iter_mut().zip(self.enabled.iter()) {
            if !on {
                *cost = u32::MAX;
            }
        }
        t
    }

    /// Whether `address` is a precompile under this fork.
    #[must_use]
    pub fn is_precompile(&self, address: &dfn_state::Address) -> bool {
        let (head, last) = address.0.split_at(19);
        head.iter().all(|b| *b == 0)
            && last
                .first()
                .is_some_and(|b| *b >= 1 && *b <= self.last_precompile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancun_defines_148_opcodes() {
        assert_eq!(Spec::CANCUN.enabled.iter().filter(|e| **e).count(), 148);
        assert!(!Spec::CANCUN.enabled[op::INVALID as usize]);
        assert_eq!(Spec::CANCUN.base_gas[op::LOG4 as usize], 375 * 5);
    }

    #[test]
    fn precompile_range() {
        let mut a = dfn_state::Address::ZERO;
        assert!(!Spec::CANCUN.is_precompile(&a));
        a.0[19] = 1;
        assert!(Spec::CANCUN.is_precompile(&a));
        a.0[19] = 0x0a;
        assert!(Spec::CANCUN.is_precompile(&a));
        a.0[19] = 0x0b;
        assert!(!Spec::CANCUN.is_precompile(&a));
        a.0[0] = 1;
        a.0[19] = 1;
        assert!(!Spec::CANCUN.is_precompile(&a));
    }
}
