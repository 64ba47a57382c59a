//! Encryption keys of DKG members and the ECIES that carries each share:
//! Diffie–Hellman in G1, HKDF-SHA256, ChaCha20-Poly1305.

use core::fmt;

use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{ChaCha20Poly1305, Key, KeyInit, Nonce, Tag};
use hkdf::Hkdf;
use rand_core::CryptoRng;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use super::transcript::Context;
use crate::backend::{Backend, Point};
use crate::encoding::decode_point;
use crate::error::{PointError, ScalarError};
use crate::keys::SecretKey;
use crate::variant::{MinPk, ScalarOf, Variant};

/// G1 of a variant's backend: where encryption keys, ephemeral keys and
/// shared points live, whatever the variant puts in G1.
pub type G1Of<V> = <<V as Variant>::Backend as Backend>::G1;

/// Bytes of an encrypted share: the 32-byte share and a 16-byte tag.
pub const CIPHERTEXT_LEN: usize = 48;

/// HKDF salt of share keys.
const KDF_SALT: &[u8] = b"DFN-DKG-V1";

/// A member's DKG decryption key: a nonzero scalar, wiped from memory on
/// drop and never printed. Keep it apart from the member's signing key.
///
/// It is a [`SecretKey`] whose public key lies in G1 (a MinPk key of the
/// same backend), so generation, decoding and wiping are the signing key's
/// own code; the separate type keeps the two kinds of key from being mixed.
#[derive(Clone)]
pub struct DkgSecretKey<V: Variant>(SecretKey<MinPk<V::Backend>>);

impl<V: Variant> fmt::Debug for DkgSecretKey<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DkgSecretKey(<redacted>)")
    }
}

impl<V: Variant> DkgSecretKey<V> {
    /// A uniformly random key from a cryptographic RNG.
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self(SecretKey::random(rng))
    }

    /// Decodes 32 big-endian bytes: rejects values `≥ r` and zero.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ScalarError> {
        SecretKey::from_bytes(bytes).map(Self)
    }

    /// The 32-byte big-endian encoding. The caller owns wiping the copy.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The matching encryption key `sk·g₁`.
    pub fn public_key(&self) -> DkgPublicKey<V> {
        DkgPublicKey(*self.0.public_key().point())
    }

    pub(crate) fn scalar(&self) -> &ScalarOf<V> {
        self.0.scalar()
    }
}

/// A member's DKG encryption key, a G1 point (48 bytes compressed) that is
/// never the point at infinity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DkgPublicKey<V: Variant>(G1Of<V>);

impl<V: Variant> fmt::Debug for DkgPublicKey<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DkgPublicKey(")?;
        crate::hex::write(f, self.to_bytes().as_ref())?;
        f.write_str(")")
    }
}

impl<V: Variant> DkgPublicKey<V> {
    /// Decodes a compressed G1 point: checks length, flags, curve and
    /// subgroup, and rejects infinity.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PointError> {
        decode_point(bytes).map(Self)
    }

    /// The compressed encoding (48 bytes).
    pub fn to_bytes(&self) -> <G1Of<V> as Point>::Compressed {
        self.0.to_compressed()
    }

    pub(crate) fn point(&self) -> &G1Of<V> {
        &self.0
    }
}

/// The symmetric key of one share:
/// `HKDF-SHA256(salt = "DFN-DKG-V1", ikm = compressed(S), info = u32_be(|ctx|)
/// ‖ ctx ‖ u32_be(dealer) ‖ u32_be(j) ‖ compressed(R))`, 32 bytes. `None`
/// only if HKDF refused a 32-byte output, which it never does.
pub(crate) fn share_key<V: Variant>(
    shared: &G1Of<V>,
    context: &Context<'_>,
    dealer: u32,
    recipient: u32,
    ephemeral: &G1Of<V>,
) -> Option<Zeroizing<[u8; 32]>> {
    let mut ikm = shared.to_compressed();
    let hkdf = Hkdf::<Sha256>::new(Some(KDF_SALT), ikm.as_ref());
    ikm.as_mut().zeroize();
    let [context_len, context_bytes] = context.parts();
    let mut okm = Zeroizing::new([0u8; 32]);
    hkdf.expand_multi_info(
        &[
            context_len,
            context_bytes,
            &dealer.to_be_bytes(),
            &recipient.to_be_bytes(),
            ephemeral.to_compressed().as_ref(),
        ],
        okm.as_mut_slice(),
    )
    .ok()?;
    Some(okm)
}

/// The cipher for one share key. The nonce is always zero: every key
/// encrypts exactly one message.
fn cipher(key: &[u8; 32]) -> ChaCha20Poly1305 {
    let mut key = Key::from(*key);
    let cipher = ChaCha20Poly1305::new(&key);
    key.as_mut_slice().zeroize();
    cipher
}

/// Encrypts a 32-byte share: `ciphertext (32) ‖ tag (16)`.
pub(crate) fn seal(
    key: &[u8; 32],
    aad: &[u8; 32],
    plaintext: &[u8; 32],
) -> Option<[u8; CIPHERTEXT_LEN]> {
    let mut out = [0u8; CIPHERTEXT_LEN];
    let (body, tag_out) = out.split_at_mut(32);
    body.copy_from_slice(plaintext);
    let tag = cipher(key)
        .encrypt_inout_detached(&Nonce::default(), aad, body.into())
        .ok()?;
    tag_out.copy_from_slice(tag.as_slice());
    Some(out)
}

/// Decrypts and authenticates a share; `None` when authentication fails.
pub(crate) fn open(
    key: &[u8; 32],
    aad: &[u8; 32],
    ciphertext: &[u8; CIPHERTEXT_LEN],
) -> Option<Zeroizing<[u8; 32]>> {
    let (body, tag) = ciphertext.split_first_chunk::<32>()?;
    let tag = Tag::try_from(tag).ok()?;
    let mut plaintext = Zeroizing::new(*body);
    cipher(key)
        .decrypt_inout_detached(
            &Nonce::default(),
            aad,
            plaintext.as_mut_slice().into(),
            &tag,
        )
        .ok()?;
    Some(plaintext)
}
