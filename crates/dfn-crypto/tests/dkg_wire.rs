//! Wire encodings of the DKG messages: exact round trips on both variants
//! (and both backends when compiled in), golden bytes, one crafted input
//! per error, allocation bounds, and property tests on random and mutated
//! bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(missing_docs)]

use std::sync::LazyLock;

use dfn_crypto::backend::Point;
use dfn_crypto::dkg::{
    COMPLAINT_LEN, Complaint, ComplaintVerdict, Dealing, DkgPublicKey, DkgSecretKey,
    JUSTIFICATION_LEN, Justification, MessageKind, ProofDecodeError, WIRE_VERSION, WireError,
    WireField,
};
use dfn_crypto::error::{PointError, ScalarError};
use dfn_crypto::{MinPk, MinSig, Variant};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};

const N: u32 = 5;
const T: u32 = 3;
const DEALER: u32 = 2;
const ACCUSER: u32 = 4;
const MAX: u32 = 64;
const CONTEXT: &[u8] = b"dfn dkg wire test: epoch 1, group 1";
const SEED: u64 = 0x6466_6e5f_7769_7265;

/// The group order `r`, big-endian.
const R: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

/// Byte offsets of a dealing's fields (see the layout table in `dkg::wire`).
const EPHEMERAL_AT: usize = 14;
const PROOF_AT: usize = 62;
const COMMITMENT_AT: usize = 126;

// ---------------------------------------------------------------------------
// Counting how much a decoder allocates, on the calling thread only (tests
// run in parallel). The global allocator forwards to `System` unchanged.

mod counting {
    #![allow(unsafe_code)]

    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static ALLOCATED: Cell<usize> = const { Cell::new(0) };
    }

    fn count(bytes: usize) {
        // `try_with`: during thread teardown the counter may be gone.
        let _ = ALLOCATED.try_with(|a| a.set(a.get().saturating_add(bytes)));
    }

    pub struct Counting;

    // SAFETY: every call is forwarded to the system allocator with the same
    // arguments; the only addition is a thread-local counter that neither
    // allocates nor unwinds.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            count(layout.size());
            // SAFETY: same contract as the caller's.
            unsafe { System.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            count(layout.size());
            // SAFETY: same contract as the caller's.
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: same contract as the caller's.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            count(new_size);
            // SAFETY: same contract as the caller's.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    /// Runs `f` and returns its result with the bytes it allocated on this
    /// thread.
    pub fn allocated_by<R>(f: impl FnOnce() -> R) -> (R, usize) {
        let before = ALLOCATED.with(Cell::get);
        let result = f();
        let after = ALLOCATED.with(Cell::get);
        (result, after - before)
    }
}

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

use counting::allocated_by;

// ---------------------------------------------------------------------------
// Fixtures: one deterministic run from a fixed seed.

/// A dealing by member 2 of a group of 5 with threshold 3, member 4's
/// complaint about it (made on an honest dealing: it would be judged false,
/// but it encodes like any other) and the dealer's justification.
struct Fixture<V: Variant> {
    dealing: Dealing<V>,
    complaint: Complaint<V>,
    justification: Justification<V>,
    pks: Vec<DkgPublicKey<V>>,
}

fn fixture<V: Variant>(seed: u64, n: u32, t: u32) -> Fixture<V> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let sks: Vec<DkgSecretKey<V>> = (0..n).map(|_| DkgSecretKey::random(&mut rng)).collect();
    let pks: Vec<_> = sks.iter().map(DkgSecretKey::public_key).collect();
    let (dealing, poly) = Dealing::deal(DEALER.min(n), t, &pks, CONTEXT, &mut rng).unwrap();
    let accuser = ACCUSER.min(n);
    let complaint = Complaint::create(
        &dealing,
        CONTEXT,
        accuser,
        &sks[accuser as usize - 1],
        &mut rng,
    )
    .unwrap();
    let justification = dealing.justify(&poly, accuser).unwrap();
    Fixture {
        dealing,
        complaint,
        justification,
        pks,
    }
}

static MIN_SIG: LazyLock<Fixture<MinSig>> = LazyLock::new(|| fixture(SEED, N, T));
static MIN_PK: LazyLock<Fixture<MinPk>> = LazyLock::new(|| fixture(SEED, N, T));

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn u32_at(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_be_bytes());
}

/// A dealing header `version ‖ kind ‖ dealer ‖ n ‖ t`.
fn dealing_header(dealer: u32, n: u32, t: u32) -> Vec<u8> {
    let mut out = vec![WIRE_VERSION, MessageKind::Dealing.tag()];
    out.extend_from_slice(&dealer.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&t.to_be_bytes());
    out
}

// ---------------------------------------------------------------------------
// Round trips.

fn round_trips<V: Variant>(f: &Fixture<V>) {
    let bytes = f.dealing.to_bytes();
    assert_eq!(bytes.len() as u64, Dealing::<V>::encoded_len(N, T));
    let back = Dealing::<V>::from_bytes(&bytes, MAX).unwrap();
    assert_eq!(back, f.dealing);
    assert_eq!(back.to_bytes(), bytes);
    // The decoded dealing is as good as the original: it verifies and its
    // limit can be exactly n.
    back.verify(CONTEXT, N, T).unwrap();
    assert_eq!(Dealing::<V>::from_bytes(&bytes, N).unwrap(), f.dealing);

    let bytes = f.complaint.to_bytes();
    assert_eq!(bytes.len(), COMPLAINT_LEN);
    let back = Complaint::<V>::from_bytes(&bytes, N).unwrap();
    assert_eq!(back, f.complaint);
    assert_eq!(back.to_bytes(), bytes);
    // An honest dealing: the complaint is well-formed and false.
    assert_eq!(
        back.verify(&f.dealing, CONTEXT, &f.pks[ACCUSER as usize - 1]),
        Ok(ComplaintVerdict::False)
    );

    let bytes = f.justification.to_bytes();
    assert_eq!(bytes.len(), JUSTIFICATION_LEN);
    let back = Justification::<V>::from_bytes(&bytes, N).unwrap();
    assert_eq!(back, f.justification);
    assert_eq!(back.to_bytes(), bytes);
    assert!(back.verify(&f.dealing));

    for bytes in [
        f.dealing.to_bytes(),
        f.complaint.to_bytes(),
        f.justification.to_bytes(),
    ] {
        assert_eq!(
            MessageKind::from_tag(bytes[1]),
            Some(MessageKind::peek(&bytes).unwrap())
        );
    }
    assert_eq!(
        MessageKind::peek(&f.dealing.to_bytes()).unwrap(),
        MessageKind::Dealing
    );
    assert_eq!(
        MessageKind::peek(&f.complaint.to_bytes()).unwrap(),
        MessageKind::Complaint
    );
    assert_eq!(
        MessageKind::peek(&f.justification.to_bytes()).unwrap(),
        MessageKind::Justification
    );
}

#[test]
fn round_trip_min_sig() {
    round_trips(&MIN_SIG);
}

#[test]
fn round_trip_min_pk() {
    round_trips(&MIN_PK);
}

#[test]
fn round_trip_other_shapes() {
    // t = 1 and t = n, dealer n, and an n of 1.
    for (n, t) in [(1, 1), (2, 2), (6, 1), (6, 6)] {
        let f = fixture::<MinSig>(n.into(), n, t);
        let bytes = f.dealing.to_bytes();
        assert_eq!(bytes.len() as u64, Dealing::<MinSig>::encoded_len(n, t));
        assert_eq!(Dealing::from_bytes(&bytes, n).unwrap(), f.dealing);
        let f = fixture::<MinPk>(n.into(), n, t);
        let bytes = f.dealing.to_bytes();
        assert_eq!(Dealing::from_bytes(&bytes, n).unwrap(), f.dealing);
    }
}

// ---------------------------------------------------------------------------
// Golden bytes.
//
// These hashes pin both the wire format and the deterministic dealing (the
// same seed must give the same dealing, complaint and justification). They
// were computed once from this code and written here: if one changes, the
// format or the way `deal`, `create` or `justify` consume randomness has
// changed, and every stored or in-flight message with it. Change them only
// with a new wire version or a deliberate break.

const GOLDEN_MIN_SIG: [&str; 3] = [
    "35c79eb07acc882e524bd4b8a479009af6fa632c937cddf12ed61935a3f3906f",
    "48adce022132f71f5feadfba5a3c6b00ce026b647c835cc9bda7f05dff5245d9",
    "c4f22cbe11e7f74c58f1443c42a99293be450dcdb270c9cda657d201964e72c5",
];
// The complaint and justification are the same bytes as MinSig's: the same
// seed gives the same keys, ephemeral secret and polynomial scalars, and
// neither message holds anything from the public-key group.
const GOLDEN_MIN_PK: [&str; 3] = [
    "7f75d6ec8a8fc4a14b7baf2b656b52153d9a4f3ddaf8e369d7d0461a8e79bd16",
    "48adce022132f71f5feadfba5a3c6b00ce026b647c835cc9bda7f05dff5245d9",
    "c4f22cbe11e7f74c58f1443c42a99293be450dcdb270c9cda657d201964e72c5",
];

fn check_golden<V: Variant>(f: &Fixture<V>, golden: [&str; 3], dealing_len: usize) {
    let dealing = f.dealing.to_bytes();
    let complaint = f.complaint.to_bytes();
    let justification = f.justification.to_bytes();

    // Literal prefixes: version, kind, indices (and n, t).
    assert_eq!(
        dealing[..14],
        [1u8, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 3],
        "dealing header"
    );
    assert_eq!(
        complaint[..10],
        [1u8, 2, 0, 0, 0, 2, 0, 0, 0, 4],
        "complaint header"
    );
    assert_eq!(
        justification[..10],
        [1u8, 3, 0, 0, 0, 2, 0, 0, 0, 4],
        "justification header"
    );
    // Field placement: the ephemeral key, proof, commitment and ciphertexts
    // sit where the table says.
    assert_eq!(dealing.len(), dealing_len);
    assert_eq!(
        dealing[EPHEMERAL_AT..PROOF_AT],
        *f.dealing.ephemeral().to_compressed().as_ref()
    );
    assert_eq!(
        dealing[PROOF_AT..COMMITMENT_AT],
        f.dealing.ephemeral_proof().to_bytes()
    );
    let ciphertexts_at = dealing_len - 48 * N as usize;
    assert_eq!(
        dealing[COMMITMENT_AT..ciphertexts_at],
        *f.dealing.commitment().to_bytes()
    );
    assert_eq!(
        dealing[ciphertexts_at..ciphertexts_at + 48],
        f.dealing.ciphertexts()[0]
    );
    assert_eq!(
        complaint[10..58],
        *f.complaint.shared().to_compressed().as_ref()
    );
    assert_eq!(complaint[58..], f.complaint.proof().to_bytes());
    assert_eq!(
        justification[10..],
        f.justification.share().secret_key().to_bytes()
    );

    let actual = [
        sha256_hex(&dealing),
        sha256_hex(&complaint),
        sha256_hex(&justification),
    ];
    assert_eq!(actual, golden, "{} golden hashes changed", V::NAME);
}

#[test]
fn golden_min_sig() {
    check_golden(&MIN_SIG, GOLDEN_MIN_SIG, 126 + 3 * 96 + 5 * 48);
}

#[test]
fn golden_min_pk() {
    check_golden(&MIN_PK, GOLDEN_MIN_PK, 126 + 3 * 48 + 5 * 48);
}

/// The pure-Rust backend produces and reads the very same bytes.
#[cfg(all(feature = "blst", feature = "bls12_381"))]
#[test]
fn backends_produce_and_read_the_same_bytes() {
    use dfn_crypto::backend::{Blst, PureRust};

    fn same<A: Variant, B: Variant>(golden: [&str; 3]) {
        let a = fixture::<A>(SEED, N, T);
        let b = fixture::<B>(SEED, N, T);
        let enc_a = [
            a.dealing.to_bytes(),
            a.complaint.to_bytes(),
            a.justification.to_bytes(),
        ];
        let enc_b = [
            b.dealing.to_bytes(),
            b.complaint.to_bytes(),
            b.justification.to_bytes(),
        ];
        assert_eq!(enc_a, enc_b);
        assert_eq!(enc_b.each_ref().map(|e| sha256_hex(e)), golden);
        // Each backend decodes the other's bytes to the same re-encoding.
        assert_eq!(
            Dealing::<B>::from_bytes(&enc_a[0], MAX).unwrap().to_bytes(),
            enc_a[0]
        );
        assert_eq!(
            Complaint::<B>::from_bytes(&enc_a[1], MAX)
                .unwrap()
                .to_bytes(),
            enc_a[1]
        );
        assert_eq!(
            Justification::<B>::from_bytes(&enc_a[2], MAX)
                .unwrap()
                .to_bytes(),
            enc_a[2]
        );
    }
    same::<MinSig<Blst>, MinSig<PureRust>>(GOLDEN_MIN_SIG);
    same::<MinPk<Blst>, MinPk<PureRust>>(GOLDEN_MIN_PK);
}

// ---------------------------------------------------------------------------
// Sizes at the deployment's scale.

#[test]
fn sizes_for_400_members_threshold_201() {
    // 126 + t·P + 48·n, P = 96 (MinSig) or 48 (MinPk).
    assert_eq!(Dealing::<MinSig>::encoded_len(400, 201), 38_622);
    assert_eq!(Dealing::<MinPk>::encoded_len(400, 201), 28_974);
    assert_eq!(COMPLAINT_LEN, 122);
    assert_eq!(JUSTIFICATION_LEN, 42);

    fn real<V: Variant>() -> usize {
        let f = fixture::<V>(400, 400, 201);
        let bytes = f.dealing.to_bytes();
        let back = Dealing::<V>::from_bytes(&bytes, 400).unwrap();
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(f.complaint.to_bytes().len(), COMPLAINT_LEN);
        assert_eq!(f.justification.to_bytes().len(), JUSTIFICATION_LEN);
        bytes.len()
    }
    assert_eq!(real::<MinSig>(), 38_622);
    assert_eq!(real::<MinPk>(), 28_974);
}

// ---------------------------------------------------------------------------
// One crafted input per error.

#[test]
fn versions_kinds_and_truncation() {
    let f = &*MIN_SIG;
    let encodings = [
        f.dealing.to_bytes(),
        f.complaint.to_bytes(),
        f.justification.to_bytes(),
    ];
    type Decode = fn(&[u8]) -> Result<(), WireError>;
    let decoders: [(MessageKind, usize, Decode); 3] = [
        (MessageKind::Dealing, 14, |b| {
            Dealing::<MinSig>::from_bytes(b, MAX).map(drop)
        }),
        (MessageKind::Complaint, 2, |b| {
            Complaint::<MinSig>::from_bytes(b, MAX).map(drop)
        }),
        (MessageKind::Justification, 2, |b| {
            Justification::<MinSig>::from_bytes(b, MAX).map(drop)
        }),
    ];
    for (kind, header, decode) in decoders {
        // Every other kind is refused by its tag, never misread.
        for bytes in &encodings {
            let found = bytes[1];
            if found == kind.tag() {
                assert_eq!(decode(bytes), Ok(()));
            } else {
                assert_eq!(
                    decode(bytes),
                    Err(WireError::WrongKind {
                        expected: kind,
                        found
                    })
                );
            }
            for version in [0, 2, 0xff] {
                let mut bytes = bytes.clone();
                bytes[0] = version;
                assert_eq!(decode(&bytes), Err(WireError::UnknownVersion(version)));
                assert_eq!(
                    MessageKind::peek(&bytes),
                    Err(WireError::UnknownVersion(version))
                );
            }
        }
        for tag in [0, 4, 0xff] {
            assert_eq!(
                decode(&[1, tag, 0, 0, 0, 1]),
                Err(WireError::WrongKind {
                    expected: kind,
                    found: tag
                })
            );
        }
        for len in [0, 1] {
            assert_eq!(
                decode(&[1][..len]),
                Err(WireError::Truncated {
                    expected: header,
                    actual: len
                })
            );
        }
    }
    assert_eq!(MessageKind::peek(&[1, 9]), Err(WireError::UnknownKind(9)));
    assert_eq!(
        MessageKind::peek(&[1]),
        Err(WireError::Truncated {
            expected: 2,
            actual: 1
        })
    );
    // A dealing header cut short.
    let bytes = f.dealing.to_bytes();
    for len in 2..14 {
        assert_eq!(
            Dealing::<MinSig>::from_bytes(&bytes[..len], MAX),
            Err(WireError::Truncated {
                expected: 14,
                actual: len
            })
        );
    }
}

#[test]
fn wrong_lengths() {
    let f = &*MIN_SIG;
    let dealing = f.dealing.to_bytes();
    let full = dealing.len();
    for len in [14, 15, COMMITMENT_AT, full - 48, full - 1] {
        assert_eq!(
            Dealing::<MinSig>::from_bytes(&dealing[..len], MAX),
            Err(WireError::WrongLength {
                expected: full,
                actual: len
            })
        );
    }
    let mut longer = dealing.clone();
    longer.push(0);
    assert_eq!(
        Dealing::<MinSig>::from_bytes(&longer, MAX),
        Err(WireError::WrongLength {
            expected: full,
            actual: full + 1
        })
    );
    // A MinSig dealing is never the right length for MinPk.
    assert_eq!(
        Dealing::<MinPk>::from_bytes(&dealing, MAX),
        Err(WireError::WrongLength {
            expected: Dealing::<MinPk>::encoded_len(N, T) as usize,
            actual: full
        })
    );

    let complaint = f.complaint.to_bytes();
    let justification = f.justification.to_bytes();
    for (bytes, expected) in [
        (&complaint, COMPLAINT_LEN),
        (&justification, JUSTIFICATION_LEN),
    ] {
        let mut longer = bytes.clone();
        longer.push(0);
        for candidate in [
            &bytes[..2],
            &bytes[..10],
            &bytes[..expected - 1],
            &longer[..],
        ] {
            let err = Err(WireError::WrongLength {
                expected,
                actual: candidate.len(),
            });
            if bytes[1] == MessageKind::Complaint.tag() {
                assert_eq!(
                    Complaint::<MinSig>::from_bytes(candidate, MAX).map(drop),
                    err
                );
            } else {
                assert_eq!(
                    Justification::<MinSig>::from_bytes(candidate, MAX).map(drop),
                    err
                );
            }
        }
    }
}

#[test]
fn group_parameters_and_indices() {
    let dealing = MIN_SIG.dealing.to_bytes();
    let with_header = |dealer, n, t| {
        let mut bytes = dealing.clone();
        u32_at(&mut bytes, 2, dealer);
        u32_at(&mut bytes, 6, n);
        u32_at(&mut bytes, 10, t);
        Dealing::<MinSig>::from_bytes(&bytes, MAX)
    };
    assert_eq!(
        with_header(2, 65, 3),
        Err(WireError::TooManyMembers { n: 65, max: 64 })
    );
    assert_eq!(
        with_header(2, u32::MAX, 3),
        Err(WireError::TooManyMembers {
            n: u32::MAX,
            max: 64
        })
    );
    assert_eq!(
        with_header(2, 5, 0),
        Err(WireError::InvalidThreshold { t: 0, n: 5 })
    );
    assert_eq!(
        with_header(2, 5, 6),
        Err(WireError::InvalidThreshold { t: 6, n: 5 })
    );
    assert_eq!(
        with_header(1, 0, 1),
        Err(WireError::InvalidThreshold { t: 1, n: 0 })
    );
    for dealer in [0, 6, u32::MAX] {
        assert_eq!(
            with_header(dealer, 5, 3),
            Err(WireError::InvalidIndex {
                field: WireField::Dealer,
                value: dealer,
                n: 5
            })
        );
    }
    // A consistent header for another group: only the length is wrong.
    assert_eq!(
        with_header(2, 6, 3),
        Err(WireError::WrongLength {
            expected: dealing.len() + 48,
            actual: dealing.len()
        })
    );

    for (bytes, kind) in [
        (MIN_SIG.complaint.to_bytes(), MessageKind::Complaint),
        (MIN_SIG.justification.to_bytes(), MessageKind::Justification),
    ] {
        let decode = |bytes: &[u8], max| match kind {
            MessageKind::Complaint => Complaint::<MinSig>::from_bytes(bytes, max).map(drop),
            _ => Justification::<MinSig>::from_bytes(bytes, max).map(drop),
        };
        for (at, field) in [(2, WireField::Dealer), (6, WireField::Accuser)] {
            for value in [0, 6, u32::MAX] {
                let mut bytes = bytes.clone();
                u32_at(&mut bytes, at, value);
                assert_eq!(
                    decode(&bytes, 5),
                    Err(WireError::InvalidIndex { field, value, n: 5 })
                );
            }
        }
        // The limit is inclusive, and index 4 needs a limit of at least 4.
        assert_eq!(decode(&bytes, 4), Ok(()));
        assert_eq!(
            decode(&bytes, 3),
            Err(WireError::InvalidIndex {
                field: WireField::Accuser,
                value: 4,
                n: 3
            })
        );
    }
}

/// A compressed point whose x is the base field modulus `p` (not canonical).
fn x_is_p(len: usize) -> Vec<u8> {
    const P: &str = "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab";
    let mut out = vec![0u8; len];
    out[len - 48..].copy_from_slice(&hex::decode(P).unwrap());
    out[0] |= 0x80;
    out
}

/// The point encodings every decoder must refuse, with the error.
fn bad_points(len: usize) -> Vec<(Vec<u8>, PointError)> {
    let mut infinity = vec![0u8; len];
    infinity[0] = 0xc0;
    let mut bad_infinity = infinity.clone();
    bad_infinity[len - 1] = 1;
    let mut cases = vec![
        (infinity, PointError::Infinity),
        (bad_infinity, PointError::NonCanonicalInfinity),
        (vec![0u8; len], PointError::NotCompressed),
        (x_is_p(len), PointError::NonCanonicalCoordinate),
    ];
    if len == 48 {
        // (0, ±2) is on y² = x³ + 4 with order 3: outside the subgroup.
        let mut order_three = vec![0u8; 48];
        order_three[0] = 0x80;
        cases.push((order_three, PointError::NotInSubgroup));
    }
    cases
}

fn with(bytes: &[u8], at: usize, patch: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at..at + patch.len()].copy_from_slice(patch);
    out
}

fn point_errors<V: Variant>(f: &Fixture<V>) {
    let pk_len = <V::PublicKeyPoint as Point>::COMPRESSED_LEN;
    let dealing = f.dealing.to_bytes();
    for (patch, error) in bad_points(48) {
        assert_eq!(
            Dealing::<V>::from_bytes(&with(&dealing, EPHEMERAL_AT, &patch), MAX),
            Err(WireError::Point {
                field: WireField::Ephemeral,
                error
            })
        );
        assert_eq!(
            Complaint::<V>::from_bytes(&with(&f.complaint.to_bytes(), 10, &patch), MAX),
            Err(WireError::Point {
                field: WireField::SharedPoint,
                error
            })
        );
    }
    for k in 0..T {
        for (patch, error) in bad_points(pk_len) {
            let at = COMMITMENT_AT + k as usize * pk_len;
            assert_eq!(
                Dealing::<V>::from_bytes(&with(&dealing, at, &patch), MAX),
                Err(WireError::Point {
                    field: WireField::Commitment(k),
                    error
                })
            );
        }
    }
    // A bad ciphertext is not a decoding matter: it decodes, and members
    // complain about it.
    let at = dealing.len() - 1;
    let flipped = with(&dealing, at, &[dealing[at] ^ 1]);
    assert_eq!(
        Dealing::<V>::from_bytes(&flipped, MAX).unwrap().to_bytes(),
        flipped
    );
}

#[test]
fn point_errors_min_sig() {
    point_errors(&MIN_SIG);
}

#[test]
fn point_errors_min_pk() {
    point_errors(&MIN_PK);
}

#[test]
fn proof_and_scalar_errors() {
    let f = &*MIN_SIG;
    let ones = [0xffu8; 32];
    let dealing = f.dealing.to_bytes();
    let complaint = f.complaint.to_bytes();
    for (offset, error) in [
        (0, ProofDecodeError::NonCanonicalChallenge),
        (32, ProofDecodeError::NonCanonicalResponse),
    ] {
        for patch in [&ones, &R] {
            assert_eq!(
                Dealing::<MinSig>::from_bytes(&with(&dealing, PROOF_AT + offset, patch), MAX),
                Err(WireError::Proof {
                    field: WireField::EphemeralProof,
                    error
                })
            );
            assert_eq!(
                Complaint::<MinSig>::from_bytes(&with(&complaint, 58 + offset, patch), MAX),
                Err(WireError::Proof {
                    field: WireField::ComplaintProof,
                    error
                })
            );
        }
    }
    let justification = f.justification.to_bytes();
    for (patch, error) in [
        ([0u8; 32], ScalarError::Zero),
        (R, ScalarError::NotCanonical),
        (ones, ScalarError::NotCanonical),
    ] {
        assert_eq!(
            Justification::<MinSig>::from_bytes(&with(&justification, 10, &patch), MAX),
            Err(WireError::Scalar {
                field: WireField::Share,
                error
            })
        );
    }
    // r − 1 is the largest canonical share.
    let mut r_minus_one = R;
    r_minus_one[31] -= 1;
    let bytes = with(&justification, 10, &r_minus_one);
    assert_eq!(
        Justification::<MinSig>::from_bytes(&bytes, MAX)
            .unwrap()
            .to_bytes(),
        bytes
    );
}

#[test]
fn errors_display_their_field() {
    let cases = [
        WireError::UnknownVersion(7),
        WireError::UnknownKind(9),
        WireError::WrongKind {
            expected: MessageKind::Dealing,
            found: 2,
        },
        WireError::Truncated {
            expected: 14,
            actual: 3,
        },
        WireError::WrongLength {
            expected: 122,
            actual: 121,
        },
        WireError::TooManyMembers { n: 65, max: 64 },
        WireError::InvalidThreshold { t: 0, n: 5 },
        WireError::InvalidIndex {
            field: WireField::Accuser,
            value: 6,
            n: 5,
        },
        WireError::Point {
            field: WireField::Commitment(2),
            error: PointError::Infinity,
        },
        WireError::Scalar {
            field: WireField::Share,
            error: ScalarError::Zero,
        },
        WireError::Proof {
            field: WireField::ComplaintProof,
            error: ProofDecodeError::NonCanonicalResponse,
        },
    ];
    let texts: Vec<String> = cases.iter().map(ToString::to_string).collect();
    assert!(texts[0].contains("version 7"));
    assert!(texts[2].contains("dealing") && texts[2].contains("found tag 2"));
    assert!(texts[7].contains("accuser index 6"));
    assert!(texts[8].contains("commitment coefficient 2"));
    assert!(texts[9].starts_with("share"));
    assert!(texts[10].starts_with("complaint proof"));
}

// ---------------------------------------------------------------------------
// Allocation bounds.

#[test]
fn huge_claims_are_refused_before_allocating() {
    // n = 2^32 − 1 with a 14-byte body: refused by the limit, or (with no
    // limit) by the length, having allocated nothing.
    let header = dealing_header(1, u32::MAX, 1);
    let (result, allocated) = allocated_by(|| Dealing::<MinSig>::from_bytes(&header, MAX));
    assert_eq!(
        result,
        Err(WireError::TooManyMembers {
            n: u32::MAX,
            max: MAX
        })
    );
    assert_eq!(allocated, 0);

    let (result, allocated) = allocated_by(|| Dealing::<MinSig>::from_bytes(&header, u32::MAX));
    let expected = Dealing::<MinSig>::encoded_len(u32::MAX, 1);
    assert_eq!(expected, 126 + 96 + 48 * u64::from(u32::MAX));
    assert_eq!(
        result,
        Err(WireError::WrongLength {
            expected: usize::try_from(expected).unwrap_or(usize::MAX),
            actual: 14
        })
    );
    assert_eq!(allocated, 0);

    // The same with a full-size threshold and a body that is almost right.
    let mut bytes = dealing_header(3, u32::MAX, u32::MAX);
    bytes.resize(4096, 0);
    let (result, allocated) = allocated_by(|| Dealing::<MinPk>::from_bytes(&bytes, u32::MAX));
    assert!(matches!(
        result,
        Err(WireError::WrongLength { actual: 4096, .. })
    ));
    assert_eq!(allocated, 0);
}

#[test]
fn decoding_allocates_in_proportion_to_the_input() {
    fn check<V: Variant>(f: &Fixture<V>) {
        let bytes = f.dealing.to_bytes();
        let (result, allocated) = allocated_by(|| Dealing::<V>::from_bytes(&bytes, MAX));
        result.unwrap();
        // The counter works (the decoded dealing owns its vectors) ...
        assert!(allocated >= 48 * N as usize);
        // ... and points in memory are projective (3 coordinates, 144 or 288 bytes)
        // against 48 or 96 on the wire; ciphertexts are copied 1:1.
        assert!(
            allocated <= 4 * bytes.len(),
            "{}: {allocated} bytes allocated for {} input bytes",
            V::NAME,
            bytes.len()
        );
        for bytes in [f.complaint.to_bytes(), f.justification.to_bytes()] {
            let (_, allocated) = allocated_by(|| {
                let _ = Complaint::<V>::from_bytes(&bytes, MAX);
                let _ = Justification::<V>::from_bytes(&bytes, MAX);
            });
            assert_eq!(allocated, 0);
        }
    }
    check(&MIN_SIG);
    check(&MIN_PK);
}

// ---------------------------------------------------------------------------
// Property tests: no panic on any input; every success re-encodes to the
// bytes it came from.

/// Decodes `bytes` as every message of `V` and checks that every success
/// re-encodes exactly. Returns which decoders succeeded.
fn decode_all<V: Variant>(bytes: &[u8], max: u32) -> [bool; 3] {
    let dealing = Dealing::<V>::from_bytes(bytes, max);
    if let Ok(d) = &dealing {
        assert_eq!(d.to_bytes(), bytes);
    }
    let complaint = Complaint::<V>::from_bytes(bytes, max);
    if let Ok(c) = &complaint {
        assert_eq!(c.to_bytes(), bytes);
    }
    let justification = Justification::<V>::from_bytes(bytes, max);
    if let Ok(j) = &justification {
        assert_eq!(j.to_bytes(), bytes);
    }
    let _ = MessageKind::peek(bytes);
    let ok = [dealing.is_ok(), complaint.is_ok(), justification.is_ok()];
    // A message is at most one kind.
    assert!(ok.iter().filter(|&&x| x).count() <= 1);
    ok
}

fn decode_both(bytes: &[u8], max: u32) {
    decode_all::<MinSig>(bytes, max);
    decode_all::<MinPk>(bytes, max);
}

/// Bytes that pass the version and kind checks (and, for dealings, the
/// header checks) often enough to reach the field decoders.
fn shaped_bytes() -> impl Strategy<Value = Vec<u8>> {
    (1u8..=3, 1u32..=6, 1u32..=6, 0u32..=6, any::<bool>()).prop_flat_map(
        |(kind, n, t, dealer, pk_is_g1)| {
            let body = match kind {
                1 => {
                    let pk = if pk_is_g1 { 48 } else { 96 };
                    126 + t as usize * pk + 48 * n as usize - 14
                }
                2 => COMPLAINT_LEN - 2,
                _ => JUSTIFICATION_LEN - 2,
            };
            proptest::collection::vec(any::<u8>(), body).prop_map(move |body| {
                let mut bytes = if kind == 1 {
                    dealing_header(dealer, n, t)
                } else {
                    vec![1, kind]
                };
                bytes.extend_from_slice(&body);
                if kind != 1 {
                    u32_at(&mut bytes, 2, dealer);
                    u32_at(&mut bytes, 6, n);
                }
                bytes
            })
        },
    )
}

/// A valid encoding of either variant and any kind.
fn valid_encoding() -> impl Strategy<Value = Vec<u8>> {
    (0usize..6).prop_map(|i| match i {
        0 => MIN_SIG.dealing.to_bytes(),
        1 => MIN_SIG.complaint.to_bytes(),
        2 => MIN_SIG.justification.to_bytes(),
        3 => MIN_PK.dealing.to_bytes(),
        4 => MIN_PK.complaint.to_bytes(),
        _ => MIN_PK.justification.to_bytes(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..1024),
        max in prop_oneof![Just(0u32), Just(5), Just(MAX), Just(u32::MAX)],
    ) {
        decode_both(&bytes, max);
    }

    #[test]
    fn shaped_bytes_never_panic(bytes in shaped_bytes()) {
        decode_both(&bytes, MAX);
    }

    #[test]
    fn truncations_are_refused(bytes in valid_encoding(), cut in any::<prop::sample::Index>()) {
        let len = cut.index(bytes.len());
        let short = &bytes[..len];
        prop_assert_eq!(decode_all::<MinSig>(short, MAX), [false; 3]);
        prop_assert_eq!(decode_all::<MinPk>(short, MAX), [false; 3]);
    }

    #[test]
    fn bit_flips_fail_typed_or_round_trip(
        bytes in valid_encoding(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..4),
    ) {
        let mut mutated = bytes.clone();
        for (at, bit) in &flips {
            let at = at.index(mutated.len());
            mutated[at] ^= 1 << bit;
        }
        decode_both(&mutated, MAX);
        // A flip in the version byte is always refused as such.
        if mutated[0] != WIRE_VERSION {
            prop_assert_eq!(
                Dealing::<MinSig>::from_bytes(&mutated, MAX),
                Err(WireError::UnknownVersion(mutated[0]))
            );
        }
    }

    #[test]
    fn ciphertext_flips_still_decode(at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let bytes = MIN_PK.dealing.to_bytes();
        let start = bytes.len() - 48 * N as usize;
        let at = start + at.index(48 * N as usize);
        let mut mutated = bytes.clone();
        mutated[at] ^= 1 << bit;
        let back = Dealing::<MinPk>::from_bytes(&mutated, MAX).unwrap();
        prop_assert_eq!(back.to_bytes(), mutated);
        prop_assert_eq!(back.ciphertexts().len(), N as usize);
    }
}
