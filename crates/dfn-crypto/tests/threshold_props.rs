//! Property tests of threshold sharing, share verification, recovery,
//! Lagrange interpolation, encodings and aggregation, for both variants on
//! every enabled backend.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(missing_docs)]

use dfn_crypto::backend::{Point, Scalar};
use dfn_crypto::error::{AggregateError, ThresholdError};
use dfn_crypto::threshold::{
    PublicKeyShare, PublicPolynomial, SecretKeyShare, SecretPolynomial, ShareKeys, SignatureShare,
    lagrange_coefficients_at_zero, recover_public_key, recover_signature,
};
use dfn_crypto::{
    MessageHash, ProofOfPossession, PublicKey, ScalarOf, SecretKey, Signature, Suite, Variant,
    aggregate_verify, fast_aggregate_verify,
};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use proptest::sample::{Index, subsequence};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// The group order `r`, big-endian.
const R: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

/// `a − b` for big-endian 256-bit integers with `a ≥ b`.
fn sub_be(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for k in (0..32).rev() {
        let mut d = i16::from(a[k]) - i16::from(b[k]) - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[k] = d as u8;
    }
    assert_eq!(borrow, 0, "sub_be needs a ≥ b");
    out
}

/// The secret key `−sk` (that is `r − sk`).
fn negated<V: Variant>(sk: &SecretKey<V>) -> SecretKey<V> {
    SecretKey::from_bytes(&sub_be(&R, &sk.to_bytes())).unwrap()
}

/// A dealt group: the polynomial, its commitment and the `n` shares.
struct Group<V: Variant> {
    poly: SecretPolynomial<V>,
    commitment: PublicPolynomial<V>,
    shares: Vec<SecretKeyShare<V>>,
}

fn deal<V: Variant>(seed: u64, n: u32, t: u32) -> Group<V> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let poly = SecretPolynomial::<V>::random(t, &mut rng).unwrap();
    assert_eq!(poly.threshold(), t);
    let commitment = poly.commitment();
    let shares = poly.shares(n).unwrap();
    assert_eq!(shares.len(), n as usize);
    Group {
        poly,
        commitment,
        shares,
    }
}

fn u(x: u32) -> usize {
    x as usize
}

/// `(n, t, a random permutation of 1..=n)` with `1 ≤ t ≤ n ≤ max_n`.
fn group(min_t: u32, max_n: u32) -> impl Strategy<Value = (u32, u32, Vec<u32>)> {
    (min_t.max(1)..=max_n).prop_flat_map(move |n| {
        (
            Just(n),
            min_t.max(1)..=n,
            Just((1..=n).collect::<Vec<u32>>()).prop_shuffle(),
        )
    })
}

/// Corruptions applied to the shares at each position of the shuffled list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Corruption {
    /// Signed by the right member on another message.
    OtherMessage,
    /// Member `j ≠ i`'s valid share relabelled as member `i`'s.
    OtherMembersKey,
    /// A valid share of member `i` relabelled with an index above `n`.
    OutOfRange,
    /// Signed by the right member under the other suite's DST.
    OtherSuite,
    /// The group signature itself, labelled as member `i`'s share.
    GroupSignature,
}

fn corruptions(n: u32) -> impl Strategy<Value = Vec<Option<Corruption>>> {
    let one = prop_oneof![
        8 => Just(None),
        1 => Just(Some(Corruption::OtherMessage)),
        1 => Just(Some(Corruption::OtherMembersKey)),
        1 => Just(Some(Corruption::OutOfRange)),
        1 => Just(Some(Corruption::OtherSuite)),
        1 => Just(Some(Corruption::GroupSignature)),
    ];
    // Sometimes corrupt heavily, so that fewer than t good shares remain.
    prop_oneof![
        vec(one, u(n)),
        vec(
            prop_oneof![Just(None), Just(Some(Corruption::OtherMessage))],
            u(n)
        )
    ]
}

/// Any `t` of the shares recover the group signature, which verifies under
/// the group key and equals the group secret's signature; `t − 1` do not.
fn check_recovery<V: Variant>(
    seed: u64,
    n: u32,
    t: u32,
    order: &[u32],
    msg: &[u8],
) -> Result<(), TestCaseError> {
    let g = deal::<V>(seed, n, t);
    let (nu, tu) = (u(n), u(t));
    let group_key = g.commitment.public_key();
    prop_assert_eq!(group_key, g.poly.secret().public_key());
    let expected = g.poly.secret().sign(Suite::Basic, msg);
    prop_assert!(group_key.verify(Suite::Basic, msg, &expected));

    let hash = MessageHash::<V>::new(Suite::Basic, msg);
    let sig_shares: Vec<SignatureShare<V>> = g.shares.iter().map(|s| s.sign_hash(&hash)).collect();
    // Signing via the message or via its hash is the same.
    prop_assert_eq!(g.shares[0].sign(Suite::Basic, msg), sig_shares[0]);
    for (k, (share, sig)) in g.shares.iter().zip(&sig_shares).enumerate() {
        prop_assert_eq!(sig.index(), u32::try_from(k + 1).unwrap());
        prop_assert!(share.public_key_share().verify(Suite::Basic, msg, sig));
    }
    if n >= 2 {
        // A member's key share never accepts another member's share.
        prop_assert!(
            !g.shares[0]
                .public_key_share()
                .verify(Suite::Basic, msg, &sig_shares[1])
        );
        // With t = 1 every member holds the group secret itself, so only a
        // relabelled share of a different key share must fail.
        let relabelled = SignatureShare::new(1, *sig_shares[1].signature()).unwrap();
        prop_assert_eq!(
            g.shares[0]
                .public_key_share()
                .verify(Suite::Basic, msg, &relabelled),
            t == 1
        );
    }

    let shuffled: Vec<SignatureShare<V>> = order.iter().map(|&i| sig_shares[u(i) - 1]).collect();
    // The first t, the last t, and all n (only the first t are used).
    for subset in [&shuffled[..tu], &shuffled[nu - tu..], &shuffled[..]] {
        prop_assert_eq!(recover_signature(t, subset), Ok(expected));
    }
    prop_assert_eq!(
        recover_signature(t, &shuffled[..tu - 1]),
        Err(ThresholdError::NotEnoughShares {
            have: tu - 1,
            need: tu
        })
    );
    prop_assert_eq!(
        recover_signature(0, &shuffled),
        Err(ThresholdError::InvalidThreshold { threshold: 0, n })
    );
    if t >= 2 {
        // Interpolating only t − 1 shares gives some other point.
        match recover_signature(t - 1, &shuffled[..tu - 1]) {
            Ok(sig) => {
                prop_assert_ne!(sig, expected);
                prop_assert!(!group_key.verify_hash(&hash, &sig));
            }
            Err(e) => prop_assert_eq!(e, ThresholdError::Infinity),
        }
    }

    let pk_shares: Vec<PublicKeyShare<V>> = order
        .iter()
        .map(|&i| g.shares[u(i) - 1].public_key_share())
        .collect();
    prop_assert_eq!(recover_public_key(t, &pk_shares), Ok(group_key));
    prop_assert_eq!(recover_public_key(t, &pk_shares[nu - tu..]), Ok(group_key));
    if t >= 2 {
        match recover_public_key(t - 1, &pk_shares[..tu - 1]) {
            Ok(key) => prop_assert_ne!(key, group_key),
            Err(e) => prop_assert_eq!(e, ThresholdError::Infinity),
        }
    }
    Ok(())
}

/// `ShareKeys` agrees with direct evaluation and with the secret shares.
fn check_share_keys<V: Variant>(seed: u64, n: u32, t: u32) -> Result<(), TestCaseError> {
    let g = deal::<V>(seed, n, t);
    let keys: ShareKeys<V> = g.commitment.share_keys(n).unwrap();
    prop_assert_eq!(keys.n(), n);
    prop_assert_eq!(keys.threshold(), t);
    prop_assert_eq!(*keys.group_key(), g.commitment.public_key());
    prop_assert_eq!(*keys.group_key(), g.poly.secret().public_key());
    for i in 1..=n {
        let derived = keys.get(i).unwrap();
        prop_assert_eq!(derived.index(), i);
        prop_assert_eq!(
            derived,
            g.commitment.evaluate(i).unwrap(),
            "member {} of n={} t={}",
            i,
            n,
            t
        );
        prop_assert_eq!(
            derived,
            g.shares[u(i) - 1].public_key_share(),
            "member {} of n={} t={}",
            i,
            n,
            t
        );
        prop_assert!(g.commitment.verify_share(&g.shares[u(i) - 1]));
    }
    prop_assert!(keys.get(0).is_none());
    prop_assert!(keys.get(n + 1).is_none());
    prop_assert!(keys.get(u32::MAX).is_none());
    prop_assert_eq!(g.commitment.evaluate(0), Err(ThresholdError::ZeroIndex));
    if t >= 2 {
        prop_assert_eq!(
            g.commitment.share_keys(t - 1),
            Err(ThresholdError::InvalidThreshold {
                threshold: t,
                n: t - 1
            })
        );
        prop_assert_eq!(
            g.poly.shares(t - 1).map(|s| s.len()),
            Err(ThresholdError::InvalidThreshold {
                threshold: t,
                n: t - 1
            })
        );
    }
    // A share that is not f(i) fails Feldman's check.
    let wrong = SecretKeyShare::new(1, g.shares[u(n) - 1].secret_key().clone()).unwrap();
    prop_assert_eq!(g.commitment.verify_share(&wrong), n == 1 || t == 1);
    let beyond = g.poly.share(n + 3).unwrap();
    prop_assert_eq!(
        g.commitment.evaluate(n + 3).unwrap(),
        beyond.public_key_share()
    );
    Ok(())
}

/// `verify_shares` names exactly the corrupted positions, and
/// `recover_verified` recovers and blames, or reports too few shares.
fn check_verify_shares<V: Variant>(
    seed: u64,
    n: u32,
    t: u32,
    order: &[u32],
    corrupt: &[Option<Corruption>],
    msg: &[u8],
) -> Result<(), TestCaseError> {
    let g = deal::<V>(seed, n, t);
    let keys = g.commitment.share_keys(n).unwrap();
    let hash = MessageHash::<V>::new(Suite::Basic, msg);
    let other_msg: Vec<u8> = [msg, b"?"].concat();
    let group_sig = g.poly.secret().sign_hash(&hash);

    let mut list = Vec::with_capacity(order.len());
    let mut bad_positions = Vec::new();
    let mut bad_indices = Vec::new();
    for (pos, (&i, c)) in order.iter().zip(corrupt).enumerate() {
        let member = &g.shares[u(i) - 1];
        let honest = member.sign_hash(&hash);
        let share = match c {
            None => honest,
            Some(Corruption::OtherMessage) => member.sign(Suite::Basic, &other_msg),
            // With t = 1 all shares are the group signature: these two
            // corruptions would be valid shares, so sign another message.
            Some(Corruption::OtherMembersKey | Corruption::GroupSignature) if t == 1 => {
                member.sign(Suite::Basic, &other_msg)
            }
            Some(Corruption::OtherMembersKey) if n >= 2 => {
                let j = i % n + 1;
                SignatureShare::new(i, *g.shares[u(j) - 1].sign_hash(&hash).signature()).unwrap()
            }
            Some(Corruption::OtherMembersKey | Corruption::OtherSuite) => {
                member.sign(Suite::ProofOfPossession, msg)
            }
            Some(Corruption::OutOfRange) => {
                SignatureShare::new(n + 1 + u32::try_from(pos).unwrap(), *honest.signature())
                    .unwrap()
            }
            Some(Corruption::GroupSignature) => SignatureShare::new(i, group_sig).unwrap(),
        };
        if c.is_some() {
            bad_positions.push(pos);
            bad_indices.push(share.index());
        }
        prop_assert_eq!(
            keys.verify_share(&hash, &share),
            c.is_none(),
            "position {} {:?}",
            pos,
            c
        );
        list.push(share);
    }

    let mut rng = ChaCha20Rng::seed_from_u64(seed.wrapping_add(1));
    let outcome = keys.verify_shares(&hash, &list, &mut rng);
    prop_assert_eq!(&outcome.invalid, &bad_positions);
    prop_assert_eq!(outcome.all_valid(), bad_positions.is_empty());
    let in_range = corrupt
        .iter()
        .filter(|c| **c != Some(Corruption::OutOfRange))
        .count();
    if in_range == 0 {
        prop_assert_eq!(outcome.checks, 0);
    } else {
        prop_assert!(outcome.checks >= 1);
        // Each node of the bisection tree checks at most once.
        prop_assert!(
            outcome.checks < 2 * in_range,
            "{} checks for {} shares",
            outcome.checks,
            in_range
        );
    }
    if bad_positions.is_empty() {
        prop_assert_eq!(outcome.checks, 1);
    }

    let (nu, tu) = (u(n), u(t));
    let good = nu - bad_positions.len();
    let result = keys.recover_verified(&hash, &list, &mut rng);
    // The fast path (combine the first t, verify once) succeeds when those t
    // interpolate to the group signature. With t = 1 an out-of-range index
    // carrying a valid signature still does: one share's weight is 1.
    let fast = corrupt[..tu]
        .iter()
        .all(|c| c.is_none() || (t == 1 && *c == Some(Corruption::OutOfRange)));
    if fast {
        prop_assert_eq!(result, Ok((group_sig, Vec::new())));
    } else if good >= tu {
        let (sig, blamed) = result.unwrap();
        prop_assert_eq!(sig, group_sig);
        prop_assert!(keys.group_key().verify_hash(&hash, &sig));
        // Blamed member indices come back ascending and without repeats.
        let mut expected = bad_indices.clone();
        expected.sort_unstable();
        expected.dedup();
        prop_assert_eq!(blamed, expected);
    } else {
        prop_assert_eq!(
            result,
            Err(ThresholdError::NotEnoughShares {
                have: good,
                need: tu
            })
        );
    }

    // Too few distinct shares: the first t − 1 good ones, one repeated.
    let honest: Vec<SignatureShare<V>> = order
        .iter()
        .map(|&i| g.shares[u(i) - 1].sign_hash(&hash))
        .collect();
    let mut few = honest[..tu - 1].to_vec();
    if let Some(&first) = few.first() {
        few.push(first);
    }
    prop_assert_eq!(
        keys.recover_verified(&hash, &few, &mut rng),
        Err(ThresholdError::NotEnoughShares {
            have: tu - 1,
            need: tu
        })
    );
    // Duplicates beyond t distinct shares are skipped, not an error.
    let mut dup = honest.clone();
    dup.insert(0, honest[nu - 1]);
    prop_assert_eq!(
        keys.recover_verified(&hash, &dup, &mut rng),
        Ok((group_sig, Vec::new()))
    );
    Ok(())
}

/// A repeated index is an error in every recovery and interpolation.
fn check_duplicates<V: Variant>(
    seed: u64,
    n: u32,
    t: u32,
    order: &[u32],
    dup: (Index, Index),
) -> Result<(), TestCaseError> {
    let g = deal::<V>(seed, n, t);
    let tu = u(t);
    let hash = MessageHash::<V>::new(Suite::Basic, b"duplicates");
    let shares: Vec<SignatureShare<V>> = order[..tu]
        .iter()
        .map(|&i| g.shares[u(i) - 1].sign_hash(&hash))
        .collect();
    let pk_shares: Vec<PublicKeyShare<V>> = order[..tu]
        .iter()
        .map(|&i| g.shares[u(i) - 1].public_key_share())
        .collect();
    let (a, b) = (dup.0.index(tu), dup.1.index(tu));
    if a == b {
        return Ok(());
    }
    let mut bad = shares.clone();
    bad[b] = bad[a];
    let repeated = shares[a].index();
    prop_assert_eq!(
        recover_signature(t, &bad),
        Err(ThresholdError::DuplicateIndex(repeated))
    );
    // Same index, different signature: still a duplicate, not silently used.
    bad[b] = SignatureShare::new(repeated, *shares[b].signature()).unwrap();
    prop_assert_eq!(
        recover_signature(t, &bad),
        Err(ThresholdError::DuplicateIndex(repeated))
    );
    let mut bad_pk = pk_shares.clone();
    bad_pk[b] = bad_pk[a];
    prop_assert_eq!(
        recover_public_key(t, &bad_pk),
        Err(ThresholdError::DuplicateIndex(repeated))
    );
    let mut indices: Vec<u32> = shares.iter().map(SignatureShare::index).collect();
    indices[b] = indices[a];
    prop_assert_eq!(
        lagrange_coefficients_at_zero::<ScalarOf<V>>(&indices),
        Err(ThresholdError::DuplicateIndex(repeated))
    );
    Ok(())
}

/// `Σ λ_i·f(i) = f(0)` for any polynomial of degree below the number of
/// points, and `Σ λ_i = 1`.
fn check_lagrange<V: Variant>(seed: u64, t: u32, indices: &[u32]) -> Result<(), TestCaseError> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let poly = SecretPolynomial::<V>::random(t, &mut rng).unwrap();
    let weights = lagrange_coefficients_at_zero::<ScalarOf<V>>(indices).unwrap();
    prop_assert_eq!(weights.len(), indices.len());
    let sum = indices
        .iter()
        .zip(&weights)
        .fold(ScalarOf::<V>::zero(), |acc, (&i, w)| {
            acc.add(&w.mul(&poly.evaluate(i)))
        });
    prop_assert_eq!(sum, poly.evaluate(0));
    prop_assert_eq!(poly.evaluate(0).to_be_bytes(), poly.secret().to_bytes());
    let total = weights
        .iter()
        .fold(ScalarOf::<V>::zero(), |acc, w| acc.add(w));
    prop_assert_eq!(total, ScalarOf::<V>::one());
    Ok(())
}

/// Every encoding decodes back to the same value.
fn check_round_trips<V: Variant>(seed: u64, t: u32, msg: &[u8]) -> Result<(), TestCaseError> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let sk = SecretKey::<V>::random(&mut rng);
    let sk_bytes = sk.to_bytes();
    prop_assert_eq!(SecretKey::<V>::from_bytes(&sk_bytes), Ok(sk.clone()));

    let pk = sk.public_key();
    let pk_bytes = pk.to_bytes();
    prop_assert_eq!(
        pk_bytes.as_ref().len(),
        <V::PublicKeyPoint as Point>::COMPRESSED_LEN
    );
    prop_assert_eq!(PublicKey::<V>::from_bytes(pk_bytes.as_ref()), Ok(pk));

    let sig = sk.sign(Suite::Basic, msg);
    let sig_bytes = sig.to_bytes();
    prop_assert_eq!(
        sig_bytes.as_ref().len(),
        <V::SignaturePoint as Point>::COMPRESSED_LEN
    );
    let decoded = Signature::<V>::from_bytes(sig_bytes.as_ref()).unwrap();
    prop_assert_eq!(decoded, sig);
    prop_assert!(pk.verify(Suite::Basic, msg, &decoded));
    // Suites are domain-separated.
    let pop_suite_sig = sk.sign(Suite::ProofOfPossession, msg);
    prop_assert_ne!(pop_suite_sig, sig);
    prop_assert!(!pk.verify(Suite::ProofOfPossession, msg, &sig));
    prop_assert!(pk.verify(Suite::ProofOfPossession, msg, &pop_suite_sig));

    let pop = ProofOfPossession::prove(&sk);
    let pop_bytes = pop.to_bytes();
    let pop_decoded = ProofOfPossession::<V>::from_bytes(pop_bytes.as_ref()).unwrap();
    prop_assert_eq!(pop_decoded, pop);
    prop_assert!(pop_decoded.verify(&pk));
    let other = SecretKey::<V>::random(&mut rng);
    prop_assert!(!pop.verify(&other.public_key()));
    prop_assert!(!ProofOfPossession::prove(&other).verify(&pk));
    // The proof's DST differs from signing one's key under the POP suite.
    let signed_key = sk.sign(Suite::ProofOfPossession, pk_bytes.as_ref());
    prop_assert_ne!(
        pop_bytes.as_ref().to_vec(),
        signed_key.to_bytes().as_ref().to_vec()
    );

    let poly = SecretPolynomial::<V>::random(t, &mut rng).unwrap();
    let commitment = poly.commitment();
    let commitment_bytes = commitment.to_bytes();
    prop_assert_eq!(
        commitment_bytes.len(),
        u(t) * <V::PublicKeyPoint as Point>::COMPRESSED_LEN
    );
    prop_assert_eq!(
        commitment_bytes[..pk_bytes.as_ref().len()].to_vec(),
        poly.secret().public_key().to_bytes().as_ref().to_vec()
    );
    let commitment_decoded = PublicPolynomial::<V>::from_bytes(&commitment_bytes).unwrap();
    prop_assert_eq!(commitment_decoded.threshold(), t);
    prop_assert_eq!(&commitment_decoded, &commitment);
    // PublicPolynomial::new from the decoded coefficients is the same too.
    let coefficient_keys: Vec<PublicKey<V>> = commitment_bytes
        .chunks(pk_bytes.as_ref().len())
        .map(|c| PublicKey::from_bytes(c).unwrap())
        .collect();
    prop_assert_eq!(
        PublicPolynomial::new(&coefficient_keys),
        Ok(commitment.clone())
    );

    let index = t + 2;
    let share = poly.share(index).unwrap();
    let sig_share = share.sign(Suite::Basic, msg);
    let share_bytes = sig_share.to_bytes();
    prop_assert_eq!(
        share_bytes.len(),
        4 + <V::SignaturePoint as Point>::COMPRESSED_LEN
    );
    prop_assert_eq!(&share_bytes[..4], &index.to_be_bytes()[..]);
    prop_assert_eq!(SignatureShare::<V>::from_bytes(&share_bytes), Ok(sig_share));
    // SecretKeyShare has from_bytes but no to_bytes: encode by hand as
    // documented, `u32_be(index) ‖ secret`.
    let mut secret_share_bytes = index.to_be_bytes().to_vec();
    secret_share_bytes.extend_from_slice(&share.secret_key().to_bytes());
    let secret_share = SecretKeyShare::<V>::from_bytes(&secret_share_bytes).unwrap();
    prop_assert_eq!(secret_share.index(), index);
    prop_assert_eq!(
        secret_share.secret_key().to_bytes(),
        poly.evaluate(index).to_be_bytes()
    );
    prop_assert_eq!(&secret_share, &share);
    Ok(())
}

/// Aggregation: fast aggregate verify (POP suite, one message) and
/// aggregate verify (basic suite, distinct messages).
fn check_aggregates<V: Variant>(
    seed: u64,
    k: usize,
    msg: &[u8],
    dup: (Index, Index),
) -> Result<(), TestCaseError> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let sks: Vec<SecretKey<V>> = (0..k).map(|_| SecretKey::random(&mut rng)).collect();
    let pks: Vec<PublicKey<V>> = sks.iter().map(SecretKey::public_key).collect();
    let other_msg: Vec<u8> = [msg, b"!"].concat();

    // Proof-of-possession suite, same message.
    for (sk, pk) in sks.iter().zip(&pks) {
        prop_assert!(ProofOfPossession::prove(sk).verify(pk));
    }
    let sigs: Vec<Signature<V>> = sks
        .iter()
        .map(|sk| sk.sign(Suite::ProofOfPossession, msg))
        .collect();
    let agg = Signature::aggregate(&sigs).unwrap();
    prop_assert!(fast_aggregate_verify(&pks, msg, &agg));
    prop_assert!(
        PublicKey::aggregate(&pks)
            .unwrap()
            .verify(Suite::ProofOfPossession, msg, &agg)
    );
    prop_assert_eq!(Signature::aggregate(sigs.iter().rev()), Ok(agg));
    prop_assert!(!fast_aggregate_verify(&pks, &other_msg, &agg));
    prop_assert!(!fast_aggregate_verify(&[], msg, &agg));
    if k >= 2 {
        prop_assert!(!fast_aggregate_verify(&pks[1..], msg, &agg));
        prop_assert!(!fast_aggregate_verify(
            &pks,
            msg,
            &Signature::aggregate(&sigs[1..]).unwrap()
        ));
    } else {
        prop_assert_eq!(agg, sigs[0]);
    }
    let basic_same: Vec<Signature<V>> = sks.iter().map(|sk| sk.sign(Suite::Basic, msg)).collect();
    prop_assert!(!fast_aggregate_verify(
        &pks,
        msg,
        &Signature::aggregate(&basic_same).unwrap()
    ));

    // Basic suite, distinct messages.
    let msgs: Vec<Vec<u8>> = (0..k)
        .map(|i| [msg, &[u8::try_from(i).unwrap()][..]].concat())
        .collect();
    let mut refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
    let sigs: Vec<Signature<V>> = sks
        .iter()
        .zip(&msgs)
        .map(|(sk, m)| sk.sign(Suite::Basic, m))
        .collect();
    let agg = Signature::aggregate(&sigs).unwrap();
    prop_assert_eq!(aggregate_verify(&pks, &refs, &agg), Ok(true));
    prop_assert_eq!(
        aggregate_verify(&pks, &refs[..k - 1], &agg),
        Err(AggregateError::LengthMismatch {
            keys: k,
            messages: k - 1
        })
    );
    prop_assert_eq!(
        aggregate_verify::<V>(&[], &[], &agg),
        Err(AggregateError::Empty)
    );
    // POP-suite signatures on the same distinct messages do not pass.
    let pop_suite: Vec<Signature<V>> = sks
        .iter()
        .zip(&msgs)
        .map(|(sk, m)| sk.sign(Suite::ProofOfPossession, m))
        .collect();
    prop_assert_eq!(
        aggregate_verify(&pks, &refs, &Signature::aggregate(&pop_suite).unwrap()),
        Ok(false)
    );
    if k >= 2 {
        let mut swapped = refs.clone();
        swapped.swap(0, k - 1);
        prop_assert_eq!(aggregate_verify(&pks, &swapped, &agg), Ok(false));
        let (a, b) = (dup.0.index(k), dup.1.index(k));
        if a != b {
            refs[b] = refs[a];
            prop_assert_eq!(
                aggregate_verify(&pks, &refs, &agg),
                Err(AggregateError::DuplicateMessage(a.min(b), a.max(b)))
            );
        }
    }

    prop_assert_eq!(Signature::<V>::aggregate(&[]), Err(AggregateError::Empty));
    prop_assert_eq!(PublicKey::<V>::aggregate(&[]), Err(AggregateError::Empty));
    // sk and −sk: keys and signatures cancel.
    let neg = negated(&sks[0]);
    prop_assert_eq!(
        PublicKey::aggregate(&[pks[0], neg.public_key()]),
        Err(AggregateError::Infinity)
    );
    prop_assert!(!fast_aggregate_verify(
        &[pks[0], neg.public_key()],
        msg,
        &agg
    ));
    let pair = [sks[0].sign(Suite::Basic, msg), neg.sign(Suite::Basic, msg)];
    prop_assert_eq!(Signature::aggregate(&pair), Err(AggregateError::Infinity));
    Ok(())
}

fn lagrange_indices() -> impl Strategy<Value = (u32, Vec<u32>)> {
    (1u32..=16, 0usize..=3).prop_flat_map(|(t, extra)| {
        let len = u(t) + extra;
        let small = subsequence((1..=64u32).collect::<Vec<_>>(), len)
            .prop_shuffle()
            .boxed();
        let large = btree_set(1..=u32::MAX, len)
            .prop_map(|s| s.into_iter().collect::<Vec<_>>())
            .prop_shuffle()
            .boxed();
        let near_max = btree_set((u32::MAX - 100)..=u32::MAX, len)
            .prop_map(|s| s.into_iter().rev().collect::<Vec<_>>())
            .boxed();
        (Just(t), prop_oneof![small, large, near_max])
    })
}

/// Groups larger than the threshold take the finite-difference path of
/// `ShareKeys`.
fn share_keys_of_larger_groups<V: Variant>(groups: &[(u64, u32, u32)]) {
    for &(seed, n, t) in groups {
        check_share_keys::<V>(seed, n, t).unwrap();
    }
}

/// Recovery, batch verification and blame in a group of `n ≥ 18` with
/// t = 7, corrupt shares at both ends and in the middle.
fn recovery_in_a_larger_group<V: Variant>(n: u32) {
    let order: Vec<u32> = (1..=n).rev().collect();
    check_recovery::<V>(7, n, 7, &order, b"larger group").unwrap();
    let mut corrupt = vec![None; u(n)];
    corrupt[0] = Some(Corruption::OtherMessage);
    corrupt[3] = Some(Corruption::OutOfRange);
    corrupt[17] = Some(Corruption::OtherMembersKey);
    corrupt[u(n) - 1] = Some(Corruption::GroupSignature);
    check_verify_shares::<V>(8, n, 7, &order, &corrupt, b"larger group").unwrap();
}

fn lagrange_rejects_bad_index_sets<V: Variant>() {
    let lagrange = lagrange_coefficients_at_zero::<ScalarOf<V>>;
    assert_eq!(
        lagrange(&[]),
        Err(ThresholdError::NotEnoughShares { have: 0, need: 1 })
    );
    assert_eq!(lagrange(&[3, 0, 5]), Err(ThresholdError::ZeroIndex));
    assert_eq!(
        lagrange(&[3, 9, 5, 9]),
        Err(ThresholdError::DuplicateIndex(9))
    );
    assert_eq!(lagrange(&[7]), Ok(vec![ScalarOf::<V>::one()]));
    // λ for {1, 2}: 2 and −1.
    let two = ScalarOf::<V>::from_u64(2);
    assert_eq!(lagrange(&[1, 2]), Ok(vec![two, ScalarOf::<V>::one().neg()]));
}

fn constructors_reject_index_zero<V: Variant>() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let sk = SecretKey::<V>::random(&mut rng);
    let sig = sk.sign(Suite::Basic, b"m");
    assert_eq!(SignatureShare::new(0, sig), Err(ThresholdError::ZeroIndex));
    assert_eq!(
        PublicKeyShare::new(0, sk.public_key()),
        Err(ThresholdError::ZeroIndex)
    );
    assert_eq!(
        SecretKeyShare::new(0, sk.clone()).map(|s| s.index()),
        Err(ThresholdError::ZeroIndex)
    );
    assert_eq!(
        SecretPolynomial::<V>::random(0, &mut rng).map(|p| p.threshold()),
        Err(ThresholdError::InvalidThreshold { threshold: 0, n: 0 })
    );
    assert_eq!(
        PublicPolynomial::<V>::new(&[]),
        Err(ThresholdError::EmptyPolynomial)
    );
    let poly = SecretPolynomial::<V>::with_secret(&sk, 3, &mut rng).unwrap();
    assert_eq!(poly.secret(), sk);
    assert_eq!(poly.commitment().public_key(), sk.public_key());
    assert_eq!(
        poly.share(0).map(|s| s.index()),
        Err(ThresholdError::ZeroIndex)
    );
}

/// An invalid share must not shadow a valid share of the same index: with
/// t = 2, n = 3 and the list `[forged 1, honest 1, honest 2]`, two valid
/// distinct shares exist, so recovery succeeds and blames index 1.
fn bad_duplicate_does_not_shadow_a_good_share<V: Variant>() {
    let g = deal::<V>(11, 3, 2);
    let keys = g.commitment.share_keys(3).unwrap();
    let hash = MessageHash::<V>::new(Suite::Basic, b"shadowed");
    let honest: Vec<SignatureShare<V>> = g.shares.iter().map(|s| s.sign_hash(&hash)).collect();
    let forged = SignatureShare::new(1, *honest[1].signature()).unwrap();
    let list = [forged, honest[0], honest[1]];
    // The shares themselves are judged one by one.
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    assert_eq!(keys.verify_shares(&hash, &list, &mut rng).invalid, vec![0]);
    let expected = g.poly.secret().sign_hash(&hash);
    assert_eq!(
        keys.recover_verified(&hash, &list, &mut rng),
        Ok((expected, vec![1]))
    );
}

fn corrupted_group() -> impl Strategy<Value = ((u32, u32, Vec<u32>), Vec<Option<Corruption>>)> {
    group(1, 12).prop_flat_map(|g| {
        let n = g.0;
        (Just(g), corruptions(n))
    })
}

macro_rules! variant_suite {
    (
        $name:ident,
        $v:ty,
        cases: $cases:expr,
        larger: $larger:expr,
        recovery_n: $rn:expr
    ) => {
        mod $name {
            use super::*;

            type V = $v;

            proptest! {
                // No regression files: this crate keeps none.
                #![proptest_config(ProptestConfig {
                    failure_persistence: None,
                    ..ProptestConfig::with_cases($cases)
                })]

                #[test]
                fn any_t_of_n_shares_recover(
                    (n, t, order) in group(1, 12),
                    seed in any::<u64>(),
                    msg in vec(any::<u8>(), 0..48),
                ) {
                    check_recovery::<V>(seed, n, t, &order, &msg)?;
                }

                #[test]
                fn share_keys_match_evaluation(
                    (n, t, _order) in group(1, 12),
                    seed in any::<u64>(),
                ) {
                    check_share_keys::<V>(seed, n, t)?;
                }

                #[test]
                fn verify_shares_flags_exactly_the_corrupted(
                    ((n, t, order), corrupt) in corrupted_group(),
                    seed in any::<u64>(),
                    msg in vec(any::<u8>(), 0..32),
                ) {
                    check_verify_shares::<V>(seed, n, t, &order, &corrupt, &msg)?;
                }

                #[test]
                fn duplicate_indices_are_rejected(
                    (n, t, order) in group(2, 12),
                    seed in any::<u64>(),
                    dup in (any::<Index>(), any::<Index>()),
                ) {
                    check_duplicates::<V>(seed, n, t, &order, dup)?;
                }

                #[test]
                fn lagrange_weights_interpolate_at_zero(
                    (t, indices) in lagrange_indices(),
                    seed in any::<u64>(),
                ) {
                    check_lagrange::<V>(seed, t, &indices)?;
                }

                #[test]
                fn encodings_round_trip(
                    seed in any::<u64>(),
                    t in 1u32..=6,
                    msg in vec(any::<u8>(), 0..64),
                ) {
                    check_round_trips::<V>(seed, t, &msg)?;
                }

                #[test]
                fn aggregates_verify(
                    seed in any::<u64>(),
                    k in 1usize..=6,
                    msg in vec(any::<u8>(), 0..32),
                    dup in (any::<Index>(), any::<Index>()),
                ) {
                    check_aggregates::<V>(seed, k, &msg, dup)?;
                }
            }

            #[test]
            fn share_keys_of_larger_groups() {
                super::share_keys_of_larger_groups::<V>(&$larger);
            }

            #[test]
            fn recovery_in_a_larger_group() {
                super::recovery_in_a_larger_group::<V>($rn);
            }

            #[test]
            fn lagrange_rejects_bad_index_sets() {
                super::lagrange_rejects_bad_index_sets::<V>();
            }

            #[test]
            fn bad_duplicate_does_not_shadow_a_good_share() {
                super::bad_duplicate_does_not_shadow_a_good_share::<V>();
            }

            #[test]
            fn constructors_reject_index_zero() {
                super::constructors_reject_index_zero::<V>();
            }
        }
    };
}

#[cfg(feature = "blst")]
variant_suite!(
    min_sig_blst,
    dfn_crypto::MinSig<dfn_crypto::backend::Blst>,
    cases: 16,
    larger: [(1, 40, 7), (2, 64, 1), (3, 13, 13), (4, 50, 2), (5, 30, 12), (6, 41, 3)],
    recovery_n: 40
);
#[cfg(feature = "blst")]
variant_suite!(
    min_pk_blst,
    dfn_crypto::MinPk<dfn_crypto::backend::Blst>,
    cases: 16,
    larger: [(1, 40, 7), (2, 64, 1), (3, 13, 13), (4, 50, 2), (5, 30, 12), (6, 41, 3)],
    recovery_n: 40
);
// The pure-Rust backend is unoptimized in debug builds: fewer cases and
// smaller groups (still n > t, so the finite-difference path runs).
#[cfg(feature = "bls12_381")]
variant_suite!(
    min_sig_pure_rust,
    dfn_crypto::MinSig<dfn_crypto::backend::PureRust>,
    cases: 4,
    larger: [(1, 40, 7), (3, 13, 13)],
    recovery_n: 20
);
#[cfg(feature = "bls12_381")]
variant_suite!(
    min_pk_pure_rust,
    dfn_crypto::MinPk<dfn_crypto::backend::PureRust>,
    cases: 4,
    larger: [(1, 40, 7), (3, 13, 13)],
    recovery_n: 20
);

#[test]
fn encoded_sizes() {
    use dfn_crypto::{MinPk, MinSig};
    let sk = SecretKey::<MinSig>::from_bytes(&[1; 32]).unwrap();
    assert_eq!(sk.public_key().to_bytes().len(), 96);
    assert_eq!(sk.sign(Suite::Basic, b"").to_bytes().len(), 48);
    assert_eq!(ProofOfPossession::prove(&sk).to_bytes().len(), 48);
    let sk = SecretKey::<MinPk>::from_bytes(&[1; 32]).unwrap();
    assert_eq!(sk.public_key().to_bytes().len(), 48);
    assert_eq!(sk.sign(Suite::Basic, b"").to_bytes().len(), 96);
    assert_eq!(ProofOfPossession::prove(&sk).to_bytes().len(), 96);
}
