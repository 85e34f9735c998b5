//! Key derivation: the file-key schedule (HKDF-SHA-256, RFC 5869) and the C2SP
//! chunked-encryption derivation (HKDF-Expand with SHA-512).

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha512};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::file_key::FileKey;
use crate::primitives::aead::{KEY_SIZE, NONCE_SIZE};

/// HKDF-Extract salt of the file-key schedule.
pub(crate) const SCHEDULE_SALT: &[u8] = b"printseal.v1";
/// HKDF-Expand info for the header MAC key.
pub(crate) const INFO_HEADER_MAC: &[u8] = b"printseal.v1 header-mac";
/// HKDF-Expand info for the private-metadata key and nonce.
pub(crate) const INFO_PRIVATE_METADATA: &[u8] = b"printseal.v1 private-metadata";
/// HKDF-Expand info for the payload's chunked-encryption input key.
pub(crate) const INFO_PAYLOAD: &[u8] = b"printseal.v1 payload";

/// Everything derived from one file key. Zeroized on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct KeySchedule {
    pub(crate) header_mac_key: [u8; 32],
    pub(crate) metadata_key: [u8; KEY_SIZE],
    pub(crate) metadata_nonce: [u8; NONCE_SIZE],
    pub(crate) payload_key: [u8; KEY_SIZE],
}

impl KeySchedule {
    pub(crate) fn new(file_key: &FileKey) -> KeySchedule {
        let ikm = file_key.expose_secret();
        let mut ks = KeySchedule {
            header_mac_key: [0; 32],
            metadata_key: [0; KEY_SIZE],
            metadata_nonce: [0; NONCE_SIZE],
            payload_key: [0; KEY_SIZE],
        };
        let mut meta = [0u8; KEY_SIZE + NONCE_SIZE];
        // Output lengths are far below 255 * 32, the only failure HKDF-Expand has.
        let ok = hkdf_sha256(SCHEDULE_SALT, ikm, INFO_HEADER_MAC, &mut ks.header_mac_key).is_ok()
            & hkdf_sha256(SCHEDULE_SALT, ikm, INFO_PRIVATE_METADATA, &mut meta).is_ok()
            & hkdf_sha256(SCHEDULE_SALT, ikm, INFO_PAYLOAD, &mut ks.payload_key).is_ok();
        debug_assert!(ok);
        ks.metadata_key.copy_from_slice(&meta[..KEY_SIZE]);
        ks.metadata_nonce.copy_from_slice(&meta[KEY_SIZE..]);
        meta.zeroize();
        ks
    }

    /// HMAC-SHA-256 keyed with the header MAC key.
    pub(crate) fn header_mac(&self) -> Hmac<Sha256> {
        hmac_sha256_keyed(&self.header_mac_key)
    }
}

/// HKDF-SHA-256 (RFC 5869): Extract with `salt` over `ikm`, then Expand with `info`
/// into `out`. The one HKDF-SHA-256 of the crate: the key schedule derives through it,
/// and `hazmat::hkdf_sha256` exposes it to the Wycheproof vectors.
///
/// Fails (writing nothing) only if `out` is longer than 255 * 32 bytes.
pub(crate) fn hkdf_sha256(
    salt: &[u8],
    ikm: &[u8],
    info: &[u8],
    out: &mut [u8],
) -> core::result::Result<(), ()> {
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, out)
        .map_err(|_| ())
}

/// HMAC-SHA-256 (RFC 2104) keyed with `key`, ready for `update`: the one constructor of
/// every HMAC-SHA-256 of the crate (the header MAC, and [`hmac_sha256`]).
pub(crate) fn hmac_sha256_keyed(key: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length (longer ones are hashed), so this cannot fail.
    <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable_hmac())
}

/// One-shot HMAC-SHA-256 of `msg` under `key`, through [`hmac_sha256_keyed`].
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = hmac_sha256_keyed(key);
    mac.update(msg);
    let mut out = [0u8; 32];
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

#[cold]
fn unreachable_hmac() -> Hmac<Sha256> {
    // HMAC accepts every key length, so this branch cannot run; it exists only so
    // that no `unwrap` sits on a key path.
    <Hmac<Sha256> as KeyInit>::new(&Default::default())
}

/// HKDF-Expand (RFC 5869 section 2.3) over HMAC-SHA-512 with `info` given in parts.
///
/// C2SP chunked encryption uses the AEAD-sized input key itself as the PRK, which is
/// shorter than SHA-512's output; the `hkdf` crate refuses such PRKs, so the
/// (two-line) Expand loop is written here over `hmac`. Checked against Wycheproof's
/// `aeadKey` and `baseNonce` fields for every Cobblestone-256 vector.
pub(crate) fn hkdf_sha512_expand(prk: &[u8], info: &[&[u8]], out: &mut [u8]) {
    debug_assert!(out.len() <= 255 * 64);
    let mut prev = [0u8; 64];
    let mut prev_len = 0;
    for (i, block) in out.chunks_mut(64).enumerate() {
        let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(prk)
            .unwrap_or_else(|_| <Hmac<Sha512> as KeyInit>::new(&Default::default()));
        mac.update(&prev[..prev_len]);
        for part in info {
            mac.update(part);
        }
        // i < 255 because out.len() <= 255 * 64.
        mac.update(&[(i as u8).wrapping_add(1)]);
        let t = mac.finalize().into_bytes();
        prev.copy_from_slice(&t);
        prev_len = 64;
        block.copy_from_slice(&prev[..block.len()]);
    }
    prev.zeroize();
}
