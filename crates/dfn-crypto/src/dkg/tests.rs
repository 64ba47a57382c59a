//! DKG runs with honest and cheating dealers and accusers, on MinSig and
//! MinPk (default backend). Everything generic is instantiated for both
//! variants by `both_variants!` at the bottom.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use alloc::vec::Vec;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use super::dealing::encrypt_shares;
use super::encryption::{open, seal, share_key};
use super::transcript::{Context, share_aad, share_aad_prefix};
use super::*;
use crate::backend::{Point, Scalar};
use crate::error::{PointError, ScalarError};
use crate::keys::{PublicKey, SecretKey};
use crate::threshold::{SecretKeyShare, SecretPolynomial, recover_signature};
use crate::variant::{ScalarOf, Suite, Variant};

const N: u32 = 7;
const T: u32 = 4;
const CONTEXT: &[u8] = b"dfn test run: epoch 7, group 3";

/// Members' decryption keys and the registered encryption keys.
struct Group<V: Variant> {
    sks: Vec<DkgSecretKey<V>>,
    pks: Vec<DkgPublicKey<V>>,
}

impl<V: Variant> Group<V> {
    fn new(rng: &mut ChaCha20Rng) -> Self {
        let sks: Vec<_> = (0..N).map(|_| DkgSecretKey::random(rng)).collect();
        let pks = sks.iter().map(DkgSecretKey::public_key).collect();
        Self { sks, pks }
    }

    fn sk(&self, j: u32) -> &DkgSecretKey<V> {
        &self.sks[j as usize - 1]
    }

    fn pk(&self, j: u32) -> &DkgPublicKey<V> {
        &self.pks[j as usize - 1]
    }
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Every member deals honestly.
fn deal_all<V: Variant>(
    group: &Group<V>,
    rng: &mut ChaCha20Rng,
) -> (Vec<Dealing<V>>, Vec<SecretPolynomial<V>>) {
    (1..=N)
        .map(|i| Dealing::deal(i, T, &group.pks, CONTEXT, rng).unwrap())
        .unzip()
}

/// A dealing whose commitment is `poly`'s but whose plaintext for member
/// `j` is `share_of(j)`.
fn cheat<V: Variant>(
    dealer: u32,
    poly: &SecretPolynomial<V>,
    share_of: impl Fn(u32) -> ScalarOf<V>,
    group: &Group<V>,
    rng: &mut ChaCha20Rng,
) -> Dealing<V> {
    encrypt_shares(
        dealer,
        poly.commitment(),
        share_of,
        &group.pks,
        CONTEXT,
        rng,
    )
    .unwrap()
}

/// `dealing` with member `j`'s ciphertext replaced.
fn with_ciphertext<V: Variant>(dealing: &Dealing<V>, j: u32, ct: [u8; 48]) -> Dealing<V> {
    let mut cts = dealing.ciphertexts().to_vec();
    cts[j as usize - 1] = ct;
    Dealing::from_parts(
        dealing.dealer(),
        dealing.commitment().clone(),
        DkgPublicKey::from_bytes(dealing.ephemeral().to_compressed().as_ref()).unwrap(),
        *dealing.ephemeral_proof(),
        cts,
    )
}

/// Member `j`'s share key for `dealing`, computed as the member does.
fn member_key<V: Variant>(dealing: &Dealing<V>, group: &Group<V>, j: u32) -> [u8; 32] {
    let shared = dealing.ephemeral().mul(group.sk(j).scalar());
    let context = Context::new(CONTEXT).unwrap();
    *share_key::<V>(&shared, &context, dealing.dealer(), j, dealing.ephemeral()).unwrap()
}

fn member_aad<V: Variant>(dealing: &Dealing<V>, j: u32) -> [u8; 32] {
    let context = Context::new(CONTEXT).unwrap();
    let prefix = share_aad_prefix(&context, dealing.dealer(), &dealing.commitment().to_bytes());
    share_aad(&prefix, j)
}

/// Member `j`'s shares from every dealing, in dealer order.
fn shares_of<V: Variant>(
    dealings: &[&Dealing<V>],
    group: &Group<V>,
    j: u32,
) -> Vec<SecretKeyShare<V>> {
    dealings
        .iter()
        .map(|d| d.decrypt_share(CONTEXT, j, group.sk(j)).unwrap())
        .collect()
}

/// Signs with the outputs of `signers` and checks the recovered signature
/// under the group key; returns it.
fn threshold_sign<V: Variant>(
    outputs: &[DkgOutput<V>],
    signers: &[u32],
    msg: &[u8],
) -> crate::Signature<V> {
    let shares: Vec<_> = signers
        .iter()
        .map(|&j| outputs[j as usize - 1].share().sign(Suite::Basic, msg))
        .collect();
    let sig = recover_signature(T, &shares).unwrap();
    assert!(outputs[0].group_key().verify(Suite::Basic, msg, &sig));
    sig
}

/// `Σ f_i(0)·g` over the given polynomials.
fn expected_group_key<V: Variant>(polys: &[&SecretPolynomial<V>]) -> PublicKey<V> {
    let sum = polys
        .iter()
        .fold(ScalarOf::<V>::zero(), |acc, p| acc.add(p.secret().scalar()));
    SecretKey::<V>::from_scalar(sum).public_key()
}

/// Every member combines `qualified`; checks that they agree and that the
/// shares sign for the group key.
fn combine_all<V: Variant>(
    qualified: &[&Dealing<V>],
    shares: &dyn Fn(u32) -> Vec<SecretKeyShare<V>>,
) -> Vec<DkgOutput<V>> {
    let outputs: Vec<_> = (1..=N)
        .map(|j| combine(qualified, &shares(j)).unwrap())
        .collect();
    let keys = outputs[0].share_keys().unwrap();
    for (j, out) in (1..=N).zip(&outputs) {
        assert_eq!(out.public_polynomial(), outputs[0].public_polynomial());
        assert_eq!(out.share_keys().unwrap(), keys);
        assert_eq!(out.share().index(), j);
        assert_eq!(keys.get(j).unwrap(), out.share().public_key_share());
        assert_eq!(out.n(), N);
        assert_eq!(out.threshold(), T);
    }
    assert_eq!(
        combine_public(qualified).unwrap(),
        *outputs[0].public_polynomial()
    );
    let a = threshold_sign(&outputs, &[2, 4, 5, 7], b"beacon round 1");
    let b = threshold_sign(&outputs, &[7, 1, 3, 6], b"beacon round 1");
    assert_eq!(a, b, "any t shares give the unique group signature");
    outputs
}

fn honest_run<V: Variant>() {
    let mut rng = rng(1);
    let group = Group::<V>::new(&mut rng);
    let (dealings, polys) = deal_all(&group, &mut rng);
    for d in &dealings {
        d.verify(CONTEXT, N, T).unwrap();
        assert_eq!(d.ciphertexts().len(), N as usize);
    }
    let all: Vec<&Dealing<V>> = dealings.iter().collect();
    // Each decrypted share is the dealer's f_i(j).
    for (d, poly) in dealings.iter().zip(&polys) {
        for j in 1..=N {
            let share = d.decrypt_share(CONTEXT, j, group.sk(j)).unwrap();
            assert_eq!(share, poly.share(j).unwrap());
        }
    }
    let outputs = combine_all(&all, &|j| shares_of(&all, &group, j));
    let polys: Vec<_> = polys.iter().collect();
    assert_eq!(outputs[0].group_key(), expected_group_key(&polys));
    assert_eq!(outputs[0].qualified(), &[1, 2, 3, 4, 5, 6, 7]);
}

fn wrong_share_complaint_and_justification<V: Variant>() {
    let mut rng = rng(2);
    let group = Group::<V>::new(&mut rng);
    let (mut dealings, polys) = deal_all(&group, &mut rng);
    // Dealer 2 sends member 3 f(3) + 1.
    let poly = &polys[1];
    let bad = cheat(
        2,
        poly,
        |j| {
            let s = poly.evaluate(j);
            if j == 3 {
                s.add(&ScalarOf::<V>::one())
            } else {
                s
            }
        },
        &group,
        &mut rng,
    );
    bad.verify(CONTEXT, N, T).unwrap();
    let err = bad.decrypt_share(CONTEXT, 3, group.sk(3)).unwrap_err();
    assert_eq!(
        err,
        DecryptError::Fault {
            dealer: 2,
            recipient: 3,
            fault: DealerFault::InconsistentShare
        }
    );
    assert_eq!(err.fault(), Some(DealerFault::InconsistentShare));
    for j in (1..=N).filter(|&j| j != 3) {
        assert_eq!(
            bad.decrypt_share(CONTEXT, j, group.sk(j)).unwrap(),
            poly.share(j).unwrap()
        );
    }
    let complaint = Complaint::create(&bad, CONTEXT, 3, group.sk(3), &mut rng).unwrap();
    assert_eq!((complaint.dealer(), complaint.accuser()), (2, 3));
    assert_eq!(
        complaint.verify(&bad, CONTEXT, group.pk(3)).unwrap(),
        ComplaintVerdict::Valid(DealerFault::InconsistentShare)
    );
    // The dealer answers with the true share; member 3 adopts it.
    let justification = bad.justify(poly, 3).unwrap();
    assert_eq!((justification.dealer(), justification.accuser()), (2, 3));
    assert!(justification.verify(&bad));
    assert_eq!(*justification.share(), poly.share(3).unwrap());
    dealings[1] = bad;
    let all: Vec<&Dealing<V>> = dealings.iter().collect();
    let outputs = combine_all(&all, &|j| {
        all.iter()
            .map(|d| match d.decrypt_share(CONTEXT, j, group.sk(j)) {
                Ok(share) => share,
                Err(_) => justification.share().clone(),
            })
            .collect()
    });
    let polys: Vec<_> = polys.iter().collect();
    assert_eq!(outputs[0].group_key(), expected_group_key(&polys));
    // Without the justification member 3's combined share is wrong, and
    // combine names dealer 2.
    let raw: Vec<_> = all
        .iter()
        .map(|d| {
            if d.dealer() == 2 {
                let s = poly.evaluate(3).add(&ScalarOf::<V>::one());
                SecretKeyShare::new(3, SecretKey::from_scalar(s)).unwrap()
            } else {
                d.decrypt_share(CONTEXT, 3, group.sk(3)).unwrap()
            }
        })
        .collect();
    assert_eq!(
        combine(&all, &raw).unwrap_err(),
        CombineError::InconsistentShare {
            dealer: 2,
            index: 3
        }
    );
}

fn false_complaint<V: Variant>() {
    let mut rng = rng(3);
    let group = Group::<V>::new(&mut rng);
    let (dealing, _) = Dealing::deal(4, T, &group.pks, CONTEXT, &mut rng).unwrap();
    assert!(dealing.decrypt_share(CONTEXT, 5, group.sk(5)).is_ok());
    let complaint = Complaint::create(&dealing, CONTEXT, 5, group.sk(5), &mut rng).unwrap();
    assert_eq!(
        complaint.verify(&dealing, CONTEXT, group.pk(5)).unwrap(),
        ComplaintVerdict::False
    );
}

fn rejected_complaints<V: Variant>() {
    let mut rng = rng(4);
    let group = Group::<V>::new(&mut rng);
    let poly = SecretPolynomial::<V>::random(T, &mut rng).unwrap();
    let bad = cheat(2, &poly, |_| ScalarOf::<V>::one(), &group, &mut rng);
    let complaint = Complaint::create(&bad, CONTEXT, 3, group.sk(3), &mut rng).unwrap();
    assert_eq!(
        complaint.verify(&bad, CONTEXT, group.pk(3)).unwrap(),
        ComplaintVerdict::Valid(DealerFault::InconsistentShare)
    );
    let bad_proof = ComplaintError::BadProof {
        dealer: 2,
        accuser: 3,
    };

    // Tampered proof: response + 1, then challenge + 1.
    let bytes = complaint.proof().to_bytes();
    for half in [32usize, 0] {
        let mut tampered = bytes;
        let mut scalar = [0u8; 32];
        scalar.copy_from_slice(&tampered[half..half + 32]);
        let bumped = ScalarOf::<V>::from_be_bytes(&scalar)
            .unwrap()
            .add(&ScalarOf::<V>::one());
        tampered[half..half + 32].copy_from_slice(&bumped.to_be_bytes());
        let forged = Complaint::from_parts(
            2,
            3,
            *complaint.shared(),
            DleqProof::from_bytes(&tampered).unwrap(),
        );
        assert_eq!(forged.verify(&bad, CONTEXT, group.pk(3)), Err(bad_proof));
    }

    // The right proof with another shared point.
    let other = Complaint::create(&bad, CONTEXT, 4, group.sk(4), &mut rng).unwrap();
    let swapped = Complaint::from_parts(2, 3, *other.shared(), *complaint.proof());
    assert_eq!(swapped.verify(&bad, CONTEXT, group.pk(3)), Err(bad_proof));

    // Member 5 complains in member 3's name with its own key.
    let impostor = Complaint::create(&bad, CONTEXT, 3, group.sk(5), &mut rng).unwrap();
    assert_eq!(impostor.verify(&bad, CONTEXT, group.pk(3)), Err(bad_proof));
    // A genuine complaint checked against another member's key.
    assert_eq!(complaint.verify(&bad, CONTEXT, group.pk(4)), Err(bad_proof));

    // Wrong context: the dealing's own proof already fails there.
    assert_eq!(
        complaint.verify(&bad, b"another run", group.pk(3)),
        Err(ComplaintError::Dealing(DealingError::BadEphemeralProof {
            dealer: 2
        }))
    );
    // A complaint proved under another context, checked under the right one.
    let elsewhere = cheat_in_context(&bad, &group, &mut rng);
    assert_eq!(elsewhere.verify(&bad, CONTEXT, group.pk(3)), Err(bad_proof));

    // Against another dealer's dealing.
    let (other_dealing, _) = Dealing::deal(5, T, &group.pks, CONTEXT, &mut rng).unwrap();
    assert_eq!(
        complaint.verify(&other_dealing, CONTEXT, group.pk(3)),
        Err(ComplaintError::DealerMismatch {
            complaint: 2,
            dealing: 5
        })
    );
    // Shared point at infinity.
    let infinity = Complaint::from_parts(2, 3, G1Of::<V>::identity(), *complaint.proof());
    assert_eq!(
        infinity.verify(&bad, CONTEXT, group.pk(3)),
        Err(ComplaintError::IdentitySharedPoint {
            dealer: 2,
            accuser: 3
        })
    );
    // Accuser outside the group.
    for accuser in [0, N + 1] {
        let out_of_range = ComplaintError::AccuserOutOfRange {
            dealer: 2,
            accuser,
            n: N,
        };
        assert_eq!(
            Complaint::create(&bad, CONTEXT, accuser, group.sk(3), &mut rng),
            Err(out_of_range)
        );
        let moved = Complaint::from_parts(2, accuser, *complaint.shared(), *complaint.proof());
        assert_eq!(moved.verify(&bad, CONTEXT, group.pk(3)), Err(out_of_range));
    }
}

/// Member 3's complaint about `dealing`, with its proof made for another
/// context (and its shared point, which does not depend on the context).
fn cheat_in_context<V: Variant>(
    dealing: &Dealing<V>,
    group: &Group<V>,
    rng: &mut ChaCha20Rng,
) -> Complaint<V> {
    use super::dleq::Statement;
    let shared = dealing.ephemeral().mul(group.sk(3).scalar());
    let statement = Statement {
        dealer: dealing.dealer(),
        accuser: 3,
        public_key: group.pk(3).point(),
        ephemeral: dealing.ephemeral(),
        shared: &shared,
    };
    let context = Context::new(b"another run").unwrap();
    let proof = DleqProof::prove(&statement, &context, group.sk(3).scalar(), rng);
    Complaint::from_parts(dealing.dealer(), 3, shared, proof)
}

fn bad_commitment<V: Variant>() {
    let mut rng = rng(5);
    let group = Group::<V>::new(&mut rng);
    let shared_poly = SecretPolynomial::<V>::random(T, &mut rng).unwrap();
    let committed = SecretPolynomial::<V>::random(T, &mut rng).unwrap();
    // Shares of one polynomial under the commitment of another.
    let bad = encrypt_shares(
        6,
        committed.commitment(),
        |j| shared_poly.evaluate(j),
        &group.pks,
        CONTEXT,
        &mut rng,
    )
    .unwrap();
    bad.verify(CONTEXT, N, T).unwrap();
    for j in 1..=N {
        let err = bad.decrypt_share(CONTEXT, j, group.sk(j)).unwrap_err();
        assert_eq!(
            err.fault(),
            Some(DealerFault::InconsistentShare),
            "member {j}"
        );
        let complaint = Complaint::create(&bad, CONTEXT, j, group.sk(j), &mut rng).unwrap();
        assert_eq!(
            complaint.verify(&bad, CONTEXT, group.pk(j)).unwrap(),
            ComplaintVerdict::Valid(DealerFault::InconsistentShare)
        );
        // Whatever the dealer reveals from the polynomial it shared fails.
        assert!(!bad.justify(&shared_poly, j).unwrap().verify(&bad));
    }
}

fn ciphertext_tampering<V: Variant>() {
    let mut rng = rng(6);
    let group = Group::<V>::new(&mut rng);
    let (dealing, poly) = Dealing::deal(1, T, &group.pks, CONTEXT, &mut rng).unwrap();
    for byte in [0usize, 31, 32, 47] {
        let mut ct = *dealing.ciphertext(6).unwrap();
        ct[byte] ^= 0x01;
        let tampered = with_ciphertext(&dealing, 6, ct);
        assert_eq!(
            tampered.decrypt_share(CONTEXT, 6, group.sk(6)),
            Err(DecryptError::Fault {
                dealer: 1,
                recipient: 6,
                fault: DealerFault::Undecryptable
            })
        );
        // Other members are unaffected.
        assert_eq!(
            tampered.decrypt_share(CONTEXT, 5, group.sk(5)).unwrap(),
            poly.share(5).unwrap()
        );
        let complaint = Complaint::create(&tampered, CONTEXT, 6, group.sk(6), &mut rng).unwrap();
        assert_eq!(
            complaint.verify(&tampered, CONTEXT, group.pk(6)).unwrap(),
            ComplaintVerdict::Valid(DealerFault::Undecryptable)
        );
    }
    // A ciphertext moved to another member's slot does not authenticate.
    let moved = with_ciphertext(&dealing, 6, *dealing.ciphertext(5).unwrap());
    assert_eq!(
        moved
            .decrypt_share(CONTEXT, 6, group.sk(6))
            .unwrap_err()
            .fault(),
        Some(DealerFault::Undecryptable)
    );
    // Ciphertexts are bound to their commitment: the same ciphertexts under
    // another commitment do not authenticate.
    let other = SecretPolynomial::<V>::random(T, &mut rng).unwrap();
    let recommitted = Dealing::from_parts(
        1,
        other.commitment(),
        DkgPublicKey::from_bytes(dealing.ephemeral().to_compressed().as_ref()).unwrap(),
        *dealing.ephemeral_proof(),
        dealing.ciphertexts().to_vec(),
    );
    for j in 1..=N {
        assert_eq!(
            recommitted
                .decrypt_share(CONTEXT, j, group.sk(j))
                .unwrap_err()
                .fault(),
            Some(DealerFault::Undecryptable)
        );
    }
}

fn non_canonical_and_zero_plaintexts<V: Variant>() {
    let mut rng = rng(7);
    let group = Group::<V>::new(&mut rng);
    let (dealing, _) = Dealing::deal(3, T, &group.pks, CONTEXT, &mut rng).unwrap();
    for (plaintext, fault) in [
        ([0xff; 32], DealerFault::NonCanonicalShare),
        ([0x00; 32], DealerFault::ZeroShare),
    ] {
        let key = member_key(&dealing, &group, 2);
        let aad = member_aad(&dealing, 2);
        let ct = seal(&key, &aad, &plaintext).unwrap();
        assert_eq!(*open(&key, &aad, &ct).unwrap(), plaintext);
        let bad = with_ciphertext(&dealing, 2, ct);
        assert_eq!(
            bad.decrypt_share(CONTEXT, 2, group.sk(2))
                .unwrap_err()
                .fault(),
            Some(fault)
        );
        let complaint = Complaint::create(&bad, CONTEXT, 2, group.sk(2), &mut rng).unwrap();
        assert_eq!(
            complaint.verify(&bad, CONTEXT, group.pk(2)).unwrap(),
            ComplaintVerdict::Valid(fault)
        );
    }
}

fn excluded_dealer<V: Variant>() {
    let mut rng = rng(8);
    let group = Group::<V>::new(&mut rng);
    let (mut dealings, polys) = deal_all(&group, &mut rng);
    // Dealer 5 cheats everyone and is dropped from QUAL.
    dealings[4] = cheat(5, &polys[4], |_| ScalarOf::<V>::one(), &group, &mut rng);
    let qualified: Vec<&Dealing<V>> = dealings.iter().filter(|d| d.dealer() != 5).collect();
    let outputs = combine_all(&qualified, &|j| shares_of(&qualified, &group, j));
    assert_eq!(outputs[0].qualified(), &[1, 2, 3, 4, 6, 7]);
    let qual_polys: Vec<_> = polys
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != 4)
        .map(|(_, p)| p)
        .collect();
    assert_eq!(outputs[0].group_key(), expected_group_key(&qual_polys));
    let all_polys: Vec<_> = polys.iter().collect();
    assert_ne!(outputs[0].group_key(), expected_group_key(&all_polys));
}

fn shape_errors<V: Variant>() {
    let mut rng = rng(9);
    let group = Group::<V>::new(&mut rng);
    let pks = &group.pks;
    for (threshold, n) in [(0, N as usize), (N + 1, N as usize), (1, 0)] {
        assert_eq!(
            Dealing::deal(1, threshold, &pks[..n], CONTEXT, &mut rng).unwrap_err(),
            DealingError::InvalidGroup { n, threshold }
        );
    }
    for dealer in [0, N + 1] {
        assert_eq!(
            Dealing::deal(dealer, T, pks, CONTEXT, &mut rng).unwrap_err(),
            DealingError::DealerOutOfRange { dealer, n: N }
        );
    }
    let (dealing, poly) = Dealing::deal(2, T, pks, CONTEXT, &mut rng).unwrap();
    dealing.check_shape(N, T).unwrap();
    assert_eq!(
        dealing.check_shape(N, T - 1),
        Err(DealingError::WrongCommitmentLength {
            dealer: 2,
            expected: T - 1,
            actual: T
        })
    );
    assert_eq!(
        dealing.check_shape(N - 1, T),
        Err(DealingError::WrongCiphertextCount {
            dealer: 2,
            expected: N - 1,
            actual: N as usize
        })
    );
    assert_eq!(
        dealing.check_shape(1, T),
        Err(DealingError::InvalidGroup { n: 1, threshold: T })
    );
    let ephemeral = DkgPublicKey::from_bytes(dealing.ephemeral().to_compressed().as_ref()).unwrap();
    let renamed = Dealing::from_parts(
        N + 1,
        dealing.commitment().clone(),
        ephemeral,
        *dealing.ephemeral_proof(),
        dealing.ciphertexts().to_vec(),
    );
    assert_eq!(
        renamed.check_shape(N, T),
        Err(DealingError::DealerOutOfRange {
            dealer: N + 1,
            n: N
        })
    );
    // The ephemeral proof is bound to the dealer and the context.
    let relabelled = Dealing::from_parts(
        3,
        dealing.commitment().clone(),
        ephemeral,
        *dealing.ephemeral_proof(),
        dealing.ciphertexts().to_vec(),
    );
    relabelled.check_shape(N, T).unwrap();
    let bad_proof = DealingError::BadEphemeralProof { dealer: 3 };
    assert_eq!(relabelled.verify(CONTEXT, N, T), Err(bad_proof));
    assert_eq!(
        relabelled.decrypt_share(CONTEXT, 1, group.sk(1)),
        Err(DecryptError::Dealing(bad_proof))
    );
    assert_eq!(
        Complaint::create(&relabelled, CONTEXT, 1, group.sk(1), &mut rng),
        Err(ComplaintError::Dealing(bad_proof))
    );
    assert_eq!(
        dealing.verify(b"another run", N, T),
        Err(DealingError::BadEphemeralProof { dealer: 2 })
    );
    assert_eq!(
        dealing.decrypt_share(b"another run", 1, group.sk(1)),
        Err(DecryptError::Dealing(DealingError::BadEphemeralProof {
            dealer: 2
        }))
    );
    // An ephemeral key copied from another dealer, with its proof.
    let (other, _) = Dealing::deal(4, T, pks, CONTEXT, &mut rng).unwrap();
    let copied = Dealing::from_parts(
        2,
        dealing.commitment().clone(),
        DkgPublicKey::from_bytes(other.ephemeral().to_compressed().as_ref()).unwrap(),
        *other.ephemeral_proof(),
        dealing.ciphertexts().to_vec(),
    );
    assert_eq!(
        copied.verify(CONTEXT, N, T),
        Err(DealingError::BadEphemeralProof { dealer: 2 })
    );
    // Recipient indices outside the group.
    for recipient in [0, N + 1] {
        let err = dealing
            .decrypt_share(CONTEXT, recipient, group.sk(1))
            .unwrap_err();
        assert_eq!(
            err,
            DecryptError::Dealing(DealingError::RecipientOutOfRange {
                dealer: 2,
                recipient,
                n: N
            })
        );
        assert_eq!(err.fault(), None);
        assert_eq!(
            dealing.justify(&poly, recipient).unwrap_err(),
            DealingError::RecipientOutOfRange {
                dealer: 2,
                recipient,
                n: N
            }
        );
    }
}

fn justification_checks<V: Variant>() {
    let mut rng = rng(10);
    let group = Group::<V>::new(&mut rng);
    let (dealing, poly) = Dealing::deal(2, T, &group.pks, CONTEXT, &mut rng).unwrap();
    let good = dealing.justify(&poly, 6).unwrap();
    assert!(good.verify(&dealing));
    // Another dealer's name, another member's index, a wrong value.
    assert!(!Justification::new(3, good.share().clone()).verify(&dealing));
    let shifted = SecretKeyShare::new(5, good.share().secret_key().clone()).unwrap();
    assert!(!Justification::new(2, shifted).verify(&dealing));
    let outside = SecretKeyShare::new(N + 1, poly.share(N + 1).unwrap().secret_key().clone());
    assert!(!Justification::new(2, outside.unwrap()).verify(&dealing));
    let other = SecretPolynomial::<V>::random(T, &mut rng).unwrap();
    assert!(!dealing.justify(&other, 6).unwrap().verify(&dealing));
}

fn combine_errors<V: Variant>() {
    let mut rng = rng(11);
    let group = Group::<V>::new(&mut rng);
    let (dealings, _) = deal_all(&group, &mut rng);
    let d: Vec<&Dealing<V>> = dealings.iter().collect();
    let mine = shares_of(&d, &group, 4);
    assert_eq!(
        combine::<V>(&[], &[]).unwrap_err(),
        CombineError::EmptyQualifiedSet
    );
    assert_eq!(
        combine(
            &[d[0], d[2], d[1]],
            &[mine[0].clone(), mine[2].clone(), mine[1].clone()]
        )
        .unwrap_err(),
        CombineError::NotAscending {
            previous: 3,
            next: 2
        }
    );
    assert_eq!(
        combine(&[d[0], d[0]], &[mine[0].clone(), mine[0].clone()]).unwrap_err(),
        CombineError::NotAscending {
            previous: 1,
            next: 1
        }
    );
    assert_eq!(
        combine(&d, &mine[..6]).unwrap_err(),
        CombineError::LengthMismatch {
            dealings: 7,
            shares: 6
        }
    );
    let mut mixed = mine.clone();
    mixed[3] = d[3].decrypt_share(CONTEXT, 5, group.sk(5)).unwrap();
    assert_eq!(
        combine(&d, &mixed).unwrap_err(),
        CombineError::MixedShareIndices {
            dealer: 4,
            expected: 4,
            actual: 5
        }
    );
    // Member 4's share from a dealing outside QUAL put in dealer 2's slot.
    let (outsider, _) = Dealing::deal(2, T, &group.pks, CONTEXT, &mut rng).unwrap();
    let mut wrong = mine.clone();
    wrong[1] = outsider.decrypt_share(CONTEXT, 4, group.sk(4)).unwrap();
    assert_eq!(
        combine(&d, &wrong).unwrap_err(),
        CombineError::InconsistentShare {
            dealer: 2,
            index: 4
        }
    );
    // A dealing of another threshold or group size.
    let (t3, _) = Dealing::deal(5, T - 1, &group.pks, CONTEXT, &mut rng).unwrap();
    assert_eq!(
        combine_public(&[d[0], &t3]).unwrap_err(),
        CombineError::Dealing(DealingError::WrongCommitmentLength {
            dealer: 5,
            expected: T,
            actual: T - 1
        })
    );
    let (n6, _) = Dealing::deal(5, T, &group.pks[..6], CONTEXT, &mut rng).unwrap();
    assert_eq!(
        combine_public(&[d[0], &n6]).unwrap_err(),
        CombineError::Dealing(DealingError::WrongCiphertextCount {
            dealer: 5,
            expected: N,
            actual: 6
        })
    );
    // A single qualified dealer is enough.
    let alone = combine(&d[3..4], &mine[3..4]).unwrap();
    assert_eq!(alone.public_polynomial(), d[3].commitment());
}

fn resharing_keeps_the_secret<V: Variant>() {
    let mut rng = rng(12);
    let group = Group::<V>::new(&mut rng);
    let secret = SecretKey::<V>::random(&mut rng);
    let poly = SecretPolynomial::with_secret(&secret, T, &mut rng).unwrap();
    let dealing = Dealing::deal_with_polynomial(1, &poly, &group.pks, CONTEXT, &mut rng).unwrap();
    assert_eq!(dealing.commitment().public_key(), secret.public_key());
    let out = combine(
        &[&dealing],
        &[dealing.decrypt_share(CONTEXT, 7, group.sk(7)).unwrap()],
    );
    assert_eq!(out.unwrap().group_key(), secret.public_key());
}

fn deterministic_given_the_seed<V: Variant>() {
    let group = Group::<V>::new(&mut rng(13));
    let deal = || {
        Dealing::deal(2, T, &group.pks, CONTEXT, &mut rng(14))
            .unwrap()
            .0
    };
    assert_eq!(deal(), deal());
    let mut other = rng(15);
    assert_ne!(
        deal(),
        Dealing::deal(2, T, &group.pks, CONTEXT, &mut other)
            .unwrap()
            .0
    );
}

fn key_and_proof_encodings<V: Variant>() {
    let mut rng = rng(16);
    let sk = DkgSecretKey::<V>::random(&mut rng);
    let pk = sk.public_key();
    let bytes = pk.to_bytes();
    assert_eq!(bytes.as_ref().len(), 48);
    assert_eq!(DkgPublicKey::<V>::from_bytes(bytes.as_ref()).unwrap(), pk);
    let mut infinity = [0u8; 48];
    infinity[0] = 0xc0;
    assert_eq!(
        DkgPublicKey::<V>::from_bytes(&infinity),
        Err(PointError::Infinity)
    );
    assert_eq!(
        DkgPublicKey::<V>::from_bytes(&bytes.as_ref()[..47]),
        Err(PointError::WrongLength {
            expected: 48,
            actual: 47
        })
    );
    let restored = DkgSecretKey::<V>::from_bytes(&sk.to_bytes()).unwrap();
    assert_eq!(restored.public_key(), pk);
    assert_eq!(
        DkgSecretKey::<V>::from_bytes(&[0; 32]).unwrap_err(),
        ScalarError::Zero
    );
    assert_eq!(
        DkgSecretKey::<V>::from_bytes(&[0xff; 32]).unwrap_err(),
        ScalarError::NotCanonical
    );
    assert_eq!(
        alloc::format!("{sk:?}"),
        "DkgSecretKey(<redacted>)",
        "the secret key is never printed"
    );

    let group = Group::<V>::new(&mut rng);
    let (dealing, _) = Dealing::deal(1, 2, &group.pks, CONTEXT, &mut rng).unwrap();
    let proof = *dealing.ephemeral_proof();
    assert_eq!(
        SchnorrProof::<V>::from_bytes(&proof.to_bytes()).unwrap(),
        proof
    );
    let complaint = Complaint::create(&dealing, CONTEXT, 1, group.sk(1), &mut rng).unwrap();
    let dleq = *complaint.proof();
    assert_eq!(DleqProof::<V>::from_bytes(&dleq.to_bytes()).unwrap(), dleq);
    let mut high = dleq.to_bytes();
    high[..32].fill(0xff);
    assert_eq!(
        DleqProof::<V>::from_bytes(&high),
        Err(ProofDecodeError::NonCanonicalChallenge)
    );
    let mut high = dleq.to_bytes();
    high[32..].fill(0xff);
    assert_eq!(
        SchnorrProof::<V>::from_bytes(&high),
        Err(ProofDecodeError::NonCanonicalResponse)
    );
    assert_eq!(
        DleqProof::<V>::from_bytes(&[0; 63]),
        Err(ProofDecodeError::WrongLength(63))
    );
}

macro_rules! both_variants {
    ($($name:ident),* $(,)?) => {
        mod min_sig {
            $(#[test] fn $name() { super::$name::<crate::MinSig>(); })*
        }
        mod min_pk {
            $(#[test] fn $name() { super::$name::<crate::MinPk>(); })*
        }
    };
}

both_variants!(
    honest_run,
    wrong_share_complaint_and_justification,
    false_complaint,
    rejected_complaints,
    bad_commitment,
    ciphertext_tampering,
    non_canonical_and_zero_plaintexts,
    excluded_dealer,
    shape_errors,
    justification_checks,
    combine_errors,
    resharing_keeps_the_secret,
    deterministic_given_the_seed,
    key_and_proof_encodings,
);

/// The same runs on the pure-Rust backend: the generic code must not
/// depend on blst.
#[cfg(feature = "bls12_381")]
mod pure_rust {
    use crate::backend::PureRust;
    use crate::{MinPk, MinSig};

    #[test]
    fn honest_run_min_sig() {
        super::honest_run::<MinSig<PureRust>>();
    }

    #[test]
    fn honest_run_min_pk() {
        super::honest_run::<MinPk<PureRust>>();
    }

    #[test]
    fn wrong_share_complaint_and_justification_min_pk() {
        super::wrong_share_complaint_and_justification::<MinPk<PureRust>>();
    }
}
