//! Word arithmetic the opcodes need beyond what `ruint` offers directly:
//! two's-complement signed operations, SIGNEXTEND, BYTE, shifts.

use dfn_state::U256;

#[inline]
fn is_negative(x: &U256) -> bool {
    x.bit(255)
}

#[inline]
fn abs(x: U256) -> U256 {
    if is_negative(&x) { x.wrapping_neg() } else { x }
}

/// Whether a word fits in its lowest limb.
#[inline]
fn small(x: &U256) -> Option<u64> {
    let [low, rest @ ..] = *x.as_limbs();
    (rest == [0; 3]).then_some(low)
}

/// DIV: `a / b`, `x / 0 = 0`. Most divisions in real contracts have
/// 64-bit operands; they skip the long division.
#[inline]
#[must_use]
pub fn div(a: U256, b: U256) -> U256 {
    match (small(&a), small(&b)) {
        (_, Some(0)) => U256::ZERO,
        (Some(x), Some(y)) => U256::from(x / y),
        _ => a.checked_div(b).unwrap_or(U256::ZERO),
    }
}

/// MOD: `a % b`, `x % 0 = 0`.
#[inline]
#[must_use]
pub fn rem(a: U256, b: U256) -> U256 {
    match (small(&a), small(&b)) {
        (_, Some(0)) => U256::ZERO,
        (Some(x), Some(y)) => U256::from(x % y),
        _ => a.checked_rem(b).unwrap_or(U256::ZERO),
    }
}

/// SDIV: signed division truncating toward zero; `x / 0 = 0`, and
/// `-2^255 / -1 = -2^255`.
#[inline]
#[must_use]
pub fn sdiv(a: U256, b: U256) -> U256 {
    if b.is_zero() {
        return U256::ZERO;
    }
    let q = div(abs(a), abs(b));
    if is_negative(&a) != is_negative(&b) {
        q.wrapping_neg()
    } else {
        q
    }
}

/// SMOD: signed remainder with the sign of the dividend; `x % 0 = 0`.
#[inline]
#[must_use]
pub fn smod(a: U256, b: U256) -> U256 {
    if b.is_zero() {
        return U256::ZERO;
    }
    let r = rem(abs(a), abs(b));
    if is_negative(&a) { r.wrapping_neg() } else { r }
}

/// SLT: `a < b` as signed words.
#[inline]
#[must_use]
pub fn slt(a: &U256, b: &U256) -> bool {
    match (is_negative(a), is_negative(b)) {
        (true, false) => true,
        (false, true) => false,
        _ => a < b,
    }
}

/// SIGNEXTEND: extends the sign of byte `byte` (0 = least significant) of `x`.
#[inline]
#[must_use]
pub fn signextend(byte: U256, x: U256) -> U256 {
    if byte >= U256::from(31u8) {
        return x;
    }
    let bit = usize::try_from(byte).unwrap_or(31) * 8 + 7;
    let mask = (U256::from(1u8) << (bit + 1)) - U256::from(1u8);
    if x.bit(bit) { x | !mask } else { x & mask }
}

/// BYTE: byte `i` of `x` counted from the most significant (0) end.
#[inline]
#[must_use]
pub fn byte(i: U256, x: U256) -> U256 {
    match usize::try_from(i) {
        Ok(i) if i < 32 => U256::from(x.byte(31 - i)),
        _ => U256::ZERO,
    }
}

/// SHL.
#[inline]
#[must_use]
pub fn shl(shift: U256, x: U256) -> U256 {
    match usize::try_from(shift) {
        Ok(s) if s < 256 => x << s,
        _ => U256::ZERO,
    }
}

/// SHR.
#[inline]
#[must_use]
pub fn shr(shift: U256, x: U256) -> U256 {
    match usize::try_from(shift) {
        Ok(s) if s < 256 => x >> s,
        _ => U256::ZERO,
    }
}

/// SAR: arithmetic shift right.
#[inline]
#[must_use]
pub fn sar(shift: U256, x: U256) -> U256 {
    match usize::try_from(shift) {
        Ok(s) if s < 256 => x.arithmetic_shr(s),
        _ if is_negative(&x) => U256::MAX,
        _ => U256::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn neg(x: u64) -> U256 {
        U256::from(x).wrapping_neg()
    }

    #[test]
    fn signed_edge_cases() {
        let min = U256::from(1u8) << 255;
        assert_eq!(sdiv(min, U256::MAX), min);
        assert_eq!(sdiv(neg(7), U256::from(2)), neg(3));
        assert_eq!(smod(neg(7), U256::from(2)), neg(1));
        assert_eq!(smod(U256::from(7), neg(2)), U256::from(1));
        assert!(slt(&neg(1), &U256::ZERO));
        assert!(!slt(&U256::ZERO, &neg(1)));
        assert_eq!(signextend(U256::ZERO, U256::from(0xff)), U256::MAX);
        assert_eq!(signextend(U256::ZERO, U256::from(0x17f)), U256::from(0x7f));
        assert_eq!(byte(U256::from(31), U256::from(0xab)), U256::from(0xab));
        assert_eq!(byte(U256::from(32), U256::MAX), U256::ZERO);
        assert_eq!(sar(U256::from(300), neg(1)), U256::MAX);
        assert_eq!(sar(U256::from(1), neg(4)), neg(2));
        assert_eq!(shl(U256::from(256), U256::MAX), U256::ZERO);
        assert_eq!(shr(U256::from(4), U256::from(0x100)), U256::from(0x10));
    }

    fn to_i128(x: U256) -> i128 {
        if is_negative(&x) {
            -(u128::try_from(x.wrapping_neg()).unwrap() as i128)
        } else {
            u128::try_from(x).unwrap() as i128
        }
    }

    fn from_i128(x: i128) -> U256 {
        if x < 0 {
            U256::from(x.unsigned_abs()).wrapping_neg()
        } else {
            U256::from(x as u128)
        }
    }

    proptest! {
        // Signed operations agree with i128 arithmetic on small values.
        #[test]
        fn signed_ops_match_i128(a in -(1i128 << 100)..(1i128 << 100), b in -(1i128 << 100)..(1i128 << 100)) {
            let (ua, ub) = (from_i128(a), from_i128(b));
            if b != 0 {
                prop_assert_eq!(to_i128(sdiv(ua, ub)), a / b);
                prop_assert_eq!(to_i128(smod(ua, ub)), a % b);
            }
            prop_assert_eq!(slt(&ua, &ub), a < b);
            prop_assert_eq!(to_i128(sar(U256::from(3), ua)), a >> 3);
        }

        #[test]
        fn div_rem_match_u128(a in any::<u128>(), b in any::<u128>(), wide in any::<bool>()) {
            let (ua, ub) = (U256::from(a), U256::from(b));
            let expect_div = a.checked_div(b).map_or(U256::ZERO, U256::from);
            let expect_rem = a.checked_rem(b).map_or(U256::ZERO, U256::from);
            prop_assert_eq!(div(ua, ub), expect_div);
            prop_assert_eq!(rem(ua, ub), expect_rem);
            if wide {
                let big = ua << 128usize;
                prop_assert_eq!(div(big, ub), big.checked_div(ub).unwrap_or(U256::ZERO));
                prop_assert_eq!(rem(big, ub), big.checked_rem(ub).unwrap_or(U256::ZERO));
            }
        }

        #[test]
        fn signextend_matches_cast(x in any::<u64>()) {
            let v = U256::from(x);
            prop_assert_eq!(to_i128(signextend(U256::ZERO, v)), i128::from(x as u8 as i8));
            prop_assert_eq!(to_i128(signextend(U256::from(1), v)), i128::from(x as u16 as i16));
            prop_assert_eq!(to_i128(signextend(U256::from(3), v)), i128::from(x as u32 as i32));
        }
    }
}
