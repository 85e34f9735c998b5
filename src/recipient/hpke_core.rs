//! The one HPKE (RFC 9180) code path of the crate, shared by every public-key stanza
//! kind and driven directly by the RFC 9180 and X-Wing test vectors.
//!
//! <div class="warning">Hazmat, public only for the test vectors: applications use
//! [`crate::recipient::x25519`] and [`crate::recipient::xwing`].</div>
//!
//! Every stanza kind is HPKE in base mode (`mode_base`, no PSK, no sender
//! authentication) with KDF HKDF-SHA256 (0x0001) and AEAD ChaCha20Poly1305 (0x0003);
//! only the KEM differs. The setup functions are generic over the AEAD and the KEM so
//! that the vectors of other suites run through them too; the stanzas fix the AEAD.
//!
//! A stanza body is `key_id[8] | enc | ct[48]`, where `ct` is the single HPKE
//! ciphertext (sequence number 0) of the 32-byte file key with `aad = key_id`, under
//! `info = "printseal.v1 stanza 0x" || kind as four lower-case hex digits`.

use alloc::vec::Vec;

use hpke::aead::{AeadCtxR, AeadCtxS, ChaCha20Poly1305};
use hpke::kem::Kem;
use hpke::{Deserializable, HpkeError, OpModeR, OpModeS, Serializable};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::file_key::{FILE_KEY_SIZE, FileKey};
use crate::format::sizes;
use crate::format::stanza::Stanza;

/// The HPKE KDF of every stanza kind: HKDF-SHA256 (RFC 9180 KDF id 0x0001).
pub type StanzaKdf = hpke::kdf::HkdfSha256;
/// The HPKE AEAD of every stanza kind: ChaCha20Poly1305 (RFC 9180 AEAD id 0x0003).
pub type StanzaAead = ChaCha20Poly1305;

/// Size of the key id that starts every public-key stanza body.
pub const KEY_ID_SIZE: usize = sizes::HPKE_KEY_ID;
/// Size of the HPKE ciphertext of the file key: the key and the 16-byte AEAD tag.
pub const WRAPPED_SIZE: usize = sizes::HPKE_WRAPPED;
/// Prefix hashed into every key id.
pub const KEY_ID_LABEL: &[u8] = b"printseal.v1 key id";
/// Prefix of every stanza's HPKE `info` string; the kind follows as `0x` and four
/// lower-case hex digits.
pub const INFO_PREFIX: &[u8] = b"printseal.v1 stanza ";

/// What [`setup_sender`] returns: the encapsulated key and the sender context.
pub type SenderSetup<A, K> = (<K as Kem>::EncappedKey, AeadCtxS<A, StanzaKdf, K>);

/// HPKE base-mode sender setup with HKDF-SHA256: encapsulates to `pk` with randomness
/// from `rng` and returns `enc` and the sender context. The stanzas and the RFC 9180
/// vectors both come through here.
///
/// # Errors
/// [`HpkeError::EncapError`] if the KEM refuses the public key (an X25519 key of small
/// order, whose shared secret would be all zero).
pub fn setup_sender<A: hpke::aead::Aead, K: Kem>(
    pk: &K::PublicKey,
    info: &[u8],
    rng: &mut dyn rand_core::CryptoRng,
) -> core::result::Result<SenderSetup<A, K>, HpkeError> {
    let mut rng = rng;
    hpke::setup_sender_with_rng::<A, StanzaKdf, K>(&OpModeS::Base, pk, info, &mut rng)
}

/// HPKE base-mode receiver setup with HKDF-SHA256: decapsulates `enc` with `sk`.
///
/// # Errors
/// [`HpkeError::DecapError`] if decapsulation fails (for X25519, an `enc` of small
/// order: the all-zero shared secret is refused). X-Wing decapsulation never fails; a
/// wrong key gives a wrong context, and the AEAD open fails instead.
pub fn setup_receiver<A: hpke::aead::Aead, K: Kem>(
    sk: &K::PrivateKey,
    enc: &K::EncappedKey,
    info: &[u8],
) -> core::result::Result<AeadCtxR<A, StanzaKdf, K>, HpkeError> {
    hpke::setup_receiver::<A, StanzaKdf, K>(&OpModeR::Base, sk, enc, info)
}

/// The HPKE `info` of stanza kind `kind`: `printseal.v1 stanza 0x0010` for 0x0010.
pub fn info(kind: u16) -> [u8; 26] {
    let mut out = [0u8; 26];
    out[..INFO_PREFIX.len()].copy_from_slice(INFO_PREFIX);
    let hex = b"0123456789abcdef";
    let tail = &mut out[INFO_PREFIX.len()..];
    tail[0] = b'0';
    tail[1] = b'x';
    for (i, shift) in [12u16, 8, 4, 0].into_iter().enumerate() {
        tail[2 + i] = hex[usize::from((kind >> shift) & 0xf)];
    }
    out
}

/// The key id of a public key of stanza kind `kind`: the first 8 bytes of
/// `SHA-256("printseal.v1 key id" || kind as u16 big-endian || public key)`.
pub fn key_id(kind: u16, public_key: &[u8]) -> [u8; KEY_ID_SIZE] {
    let mut h = Sha256::new();
    h.update(KEY_ID_LABEL);
    h.update(kind.to_be_bytes());
    h.update(public_key);
    let d = h.finalize();
    let mut id = [0u8; KEY_ID_SIZE];
    id.copy_from_slice(&d[..KEY_ID_SIZE]);
    id
}

/// One public-key stanza kind: its number and its KEM.
pub(crate) trait HpkeKind {
    type Kem: Kem;
    const KIND: u16;
    /// Exact stanza body size: key id, `enc`, wrapped file key.
    const BODY_LEN: usize;
}

/// Wraps `file_key` to `pk` into a stanza of kind `S`.
pub(crate) fn wrap<S: HpkeKind>(
    pk: &<S::Kem as Kem>::PublicKey,
    key_id: &[u8; KEY_ID_SIZE],
    file_key: &FileKey,
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<Stanza> {
    let (enc, mut ctx) = setup_sender::<StanzaAead, S::Kem>(pk, &info(S::KIND), rng)
        .map_err(|_| Error::InvalidInput("recipient public key refused by the KEM"))?;
    let ct = ctx
        .seal(file_key.expose_secret(), key_id)
        .map_err(|_| Error::Internal("HPKE refused to seal a 32-byte file key"))?;
    let enc = enc.to_bytes();
    let mut body = Vec::with_capacity(S::BODY_LEN);
    body.extend_from_slice(key_id);
    body.extend_from_slice(&enc);
    body.extend_from_slice(&ct);
    if body.len() != S::BODY_LEN {
        return Err(Error::Internal("HPKE stanza body of the wrong size"));
    }
    Stanza::new(S::KIND, body)
}

/// Unwraps a stanza of kind `S` with `sk`: `None` unless the stanza has kind `S`, the
/// exact body size and the key id `key_id`; then `Some(Err(StanzaUnwrap))` if
/// decapsulation or the AEAD open fails.
pub(crate) fn unwrap<S: HpkeKind>(
    sk: &<S::Kem as Kem>::PrivateKey,
    key_id: &[u8; KEY_ID_SIZE],
    stanza: &Stanza,
) -> Option<Result<FileKey>> {
    let body = stanza.body();
    if stanza.kind() != S::KIND || body.len() != S::BODY_LEN {
        return None;
    }
    let (id, rest) = body.split_at(KEY_ID_SIZE);
    // Key ids are public (they are in every copy of the job): a plain compare.
    if id != key_id {
        return None;
    }
    let (enc, ct) = rest.split_at(rest.len() - WRAPPED_SIZE);
    Some(open_file_key::<S>(sk, enc, ct, key_id))
}

fn open_file_key<S: HpkeKind>(
    sk: &<S::Kem as Kem>::PrivateKey,
    enc: &[u8],
    ct: &[u8],
    key_id: &[u8; KEY_ID_SIZE],
) -> Result<FileKey> {
    let enc = <<S::Kem as Kem>::EncappedKey as Deserializable>::from_bytes(enc)
        .map_err(|_| Error::StanzaUnwrap)?;
    let mut ctx = setup_receiver::<StanzaAead, S::Kem>(sk, &enc, &info(S::KIND))
        .map_err(|_| Error::StanzaUnwrap)?;
    let pt = Zeroizing::new(ctx.open(ct, key_id).map_err(|_| Error::StanzaUnwrap)?);
    let mut fk = [0u8; FILE_KEY_SIZE];
    if pt.len() != FILE_KEY_SIZE {
        return Err(Error::StanzaUnwrap);
    }
    fk.copy_from_slice(&pt);
    Ok(FileKey::from_bytes(fk))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_strings() {
        assert_eq!(&info(0x0010), b"printseal.v1 stanza 0x0010");
        assert_eq!(&info(0x0011), b"printseal.v1 stanza 0x0011");
        assert_eq!(&info(0xabcd), b"printseal.v1 stanza 0xabcd");
    }
}
