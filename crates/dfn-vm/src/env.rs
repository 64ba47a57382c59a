//! The block a transaction executes in.

use dfn_state::{Address, B256, U256};

/// Block fields the EVM reads (COINBASE, NUMBER, BASEFEE, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockEnv {
    /// Block number.
    pub number: u64,
    /// Fee recipient (COINBASE).
    pub coinbase: Address,
    /// Timestamp in seconds.
    pub timestamp: u64,
    /// Block gas limit.
    pub gas_limit: u64,
    /// Base fee per gas (EIP-1559).
    pub base_fee: U256,
    /// PREVRANDAO (EIP-4399).
    pub prevrandao: B256,
    /// Chain id (EIP-155, CHAINID).
    pub chain_id: u64,
    /// Excess blob gas (EIP-4844), from which the blob base fee follows.
    pub excess_blob_gas: u64,
}

impl Default for BlockEnv {
    fn default() -> Self {
        Self {
            number: 0,
            coinbase: Address::ZERO,
            timestamp: 0,
            gas_limit: 30_000_000,
            base_fee: U256::ZERO,
            prevrandao: B256::ZERO,
            chain_id: 1,
            excess_blob_gas: 0,
        }
    }
}

impl BlockEnv {
    /// The blob base fee: `fake_exponential(1, excess_blob_gas, fraction)`.
    #[must_use]
    pub fn blob_base_fee(&self, update_fraction: u64) -> U256 {
        fake_exponential(1, self.excess_blob_gas, update_fraction)
    }
}

/// `factor · e^(numerator / denominator)` by Taylor expansion, in
/// integers (EIP-4844).
#[must_use]
pub fn fake_exponential(factor: u64, numerator: u64, denominator: u64) -> U256 {
    if denominator == 0 {
        return U256::ZERO;
    }
    if numerator == 0 {
        // e^0: the series stops after its first term (every block
        // without excess blob gas asks this, once per transaction).
        return U256::from(factor);
    }
    let (num, den) = (U256::from(numerator), U256::from(denominator));
    let mut output = U256::ZERO;
    let mut acc = U256::from(factor).saturating_mul(den);
    let mut i = U256::from(1u8);
    while !acc.is_zero() {
        output = output.saturating_add(acc);
        acc = acc.saturating_mul(num) / den.saturating_mul(i);
        i += U256::from(1u8);
    }
    output / den
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_base_fee_is_one_without_excess() {
        assert_eq!(BlockEnv::default().blob_base_fee(3_338_477), U256::from(1));
        // e^(10·fraction / fraction) ≈ 22026.
        assert_eq!(
            fake_exponential(1, 33_384_770, 3_338_477),
            U256::from(22_026)
        );
    }
}
