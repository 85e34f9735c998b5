//! Who may open a job: the [`Recipient`] and [`Identity`] traits and the built-in kinds.
//!
//! A recipient wraps the file key into a stanza when a job is sealed; an identity
//! unwraps a stanza when it is opened. The traits are object-safe and take only
//! borrowed slices and owned values, so a host can implement them over an HSM, a
//! PKCS#11 token, a TPM or an OS key store, and the C ABI can forward them to callbacks.

pub mod encoding;
#[doc(hidden)]
pub mod hpke_core;
pub mod kek;
pub mod x25519;
pub mod xwing;

use alloc::vec::Vec;

use crate::error::Result;
use crate::file_key::FileKey;
use crate::format::stanza::Stanza;

/// Something a job can be sealed to.
pub trait Recipient {
    /// Wraps `file_key` into one stanza for this recipient, drawing any randomness the
    /// wrap needs from `rng`.
    ///
    /// # Errors
    /// Whatever the key store reports, as a printseal [`crate::Error`].
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
        rng: &mut dyn rand_core::CryptoRng,
    ) -> Result<Stanza>;

    /// Whether a quantum computer could recover the file key from this recipient's
    /// stanza, for the seal-time policy on mixing post-quantum and classical
    /// recipients ([`crate::SealOptions::allow_mixed_pq`]).
    ///
    /// The default, [`QuantumSecurity::Classical`], is the safe answer for a recipient
    /// whose kind printseal does not know (an RSA or ECDH key in an HSM): an
    /// implementation that wraps with a post-quantum KEM or a symmetric key says so.
    fn quantum_security(&self) -> QuantumSecurity {
        QuantumSecurity::Classical
    }
}

/// What protects a recipient's stanza against an adversary with a quantum computer.
///
/// A job is as strong as its weakest stanza: anyone who recovers the file key from one
/// stanza opens the job. Sealing to a post-quantum recipient is a request for
/// protection against "harvest now, decrypt later"; one classical stanza beside it
/// silently undoes that. So [`crate::Sealer`] refuses a job with both
/// [`QuantumSecurity::PostQuantum`] and [`QuantumSecurity::Classical`] recipients
/// unless [`crate::SealOptions::allow_mixed_pq`] says otherwise (age refuses the same
/// mix). Symmetric recipients (a KEK) are not weakened by a quantum computer beyond
/// Grover's square root (AES-256 keeps about 128 bits) and mix with either.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum QuantumSecurity {
    /// Public-key cryptography that Shor's algorithm breaks (X25519, ECDH, RSA), or
    /// unknown.
    Classical = 0,
    /// A post-quantum or hybrid KEM (X-Wing).
    PostQuantum = 1,
    /// A symmetric key (AES-256-KWP under a KEK).
    Symmetric = 2,
}

/// The mixing policy: refuses post-quantum and classical recipients together unless
/// `allow_mixed` is set.
pub(crate) fn check_pq_mix(recipients: &[&dyn Recipient], allow_mixed: bool) -> Result<()> {
    if allow_mixed {
        return Ok(());
    }
    let has = |q: QuantumSecurity| recipients.iter().any(|r| r.quantum_security() == q);
    if has(QuantumSecurity::PostQuantum) && has(QuantumSecurity::Classical) {
        return Err(crate::Error::MixedPostQuantum);
    }
    Ok(())
}

/// Lower-case hex for key ids in `Debug` and `Display`.
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl core::fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl core::fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(self, f)
    }
}

/// Something that can open jobs sealed to it.
///
/// An implementation returns `None` quickly for a stanza that is not its own (another
/// kind, or a key id it does not hold), without any cryptography: an opener asks every
/// identity about every stanza, and a header may hold up to
/// [`crate::limits::MAX_STANZAS`] of them.
///
/// # Example: an external key store
///
/// A print server that keeps its KEKs in a database, an HSM or an OS key store looks
/// up the stanza's key id instead of trying every key. The trait takes only a borrowed
/// stanza and returns an owned file key, so the same shape works as a C callback.
///
/// ```
/// use std::collections::BTreeMap;
///
/// use printseal::format::stanza::{kind, Stanza};
/// use printseal::rng::seeded_rng;
/// use printseal::{open, seal_with_rng, Error, FileKey, Identity, Kek, SealOptions};
///
/// /// Key id to KEK, as a key-management service would hand them out.
/// struct KeyStore {
///     keks: BTreeMap<[u8; 16], [u8; 32]>,
/// }
///
/// impl Identity for KeyStore {
///     fn unwrap_stanza(&self, stanza: &Stanza) -> Option<printseal::Result<FileKey>> {
///         if stanza.kind() != kind::KEK_AES256_KWP {
///             return None; // not a KEK stanza: not ours
///         }
///         let id: [u8; 16] = stanza.body().get(..16)?.try_into().ok()?;
///         let key = self.keks.get(&id)?; // a key id we do not hold: not ours
///         // Here the store unwraps with printseal's AES-KWP; an HSM would unwrap inside.
///         Kek::new(id, *key).unwrap_stanza(stanza)
///     }
/// }
///
/// let store = KeyStore {
///     keks: (1..=3u8).map(|n| ([n; 16], [n.wrapping_mul(29); 32])).collect(),
/// };
/// let job = seal_with_rng(
///     &SealOptions::new("application/pdf"),
///     &[&Kek::new([2; 16], [58; 32])],
///     b"%PDF-1.7",
///     &mut seeded_rng([0; 32]),
/// )?;
/// assert_eq!(open(&job, &[&store])?.plaintext, b"%PDF-1.7");
///
/// // A job for a KEK the store does not hold.
/// let other = seal_with_rng(
///     &SealOptions::new("application/pdf"),
///     &[&Kek::new([9; 16], [9; 32])],
///     b"%PDF-1.7",
///     &mut seeded_rng([1; 32]),
/// )?;
/// assert!(matches!(open(&other, &[&store]), Err(Error::NoMatchingRecipient)));
/// # Ok::<(), printseal::Error>(())
/// ```
pub trait Identity {
    /// Tries to unwrap `stanza`.
    ///
    /// Returns `None` if the stanza is not for this identity (another kind, or another
    /// key id), `Some(Ok(key))` on success, and `Some(Err(_))` if the stanza is for this
    /// identity but fails to unwrap (wrong key, or tampered stanza).
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey>>;
}

/// The key id a stanza is addressed to, for the bound on trial unwraps: the first 16
/// bytes of a KEK stanza, the first 8 of an HPKE stanza, and for kinds printseal does
/// not know the first 16 bytes of the body (external key stores put their key id
/// first, as the built-in kinds do).
fn trial_key_id(stanza: &Stanza) -> &[u8] {
    use crate::format::stanza::kind;
    let len = match stanza.kind() {
        kind::KEK_AES256_KWP => kek::KEY_ID_SIZE,
        kind::X25519_HPKE | kind::XWING_HPKE => hpke_core::KEY_ID_SIZE,
        _ => 16,
    };
    let body = stanza.body();
    &body[..len.min(body.len())]
}

/// Unwraps the file key from the first stanza that one of `identities` can open.
///
/// Trial unwraps are bounded: once an identity has failed to unwrap a stanza (it said
/// the stanza was its own, then the unwrap failed), it is not asked again about any
/// stanza of the same kind and key id. Key ids are public, so without the bound a
/// forged header could make one identity run up to [`crate::limits::MAX_STANZAS`]
/// decapsulations (an X-Wing one costs about a millisecond); with it, an identity
/// costs at most one failed unwrap per key id it holds.
pub(crate) fn unwrap_any(
    stanzas: &[Stanza],
    identities: &[&dyn Identity],
) -> core::result::Result<FileKey, Option<crate::Error>> {
    let mut first_err = None;
    // (identity index, stanza kind, key id) of every failed unwrap so far.
    let mut failed: Vec<(usize, u16, &[u8])> = Vec::new();
    for stanza in stanzas {
        // Padding wraps no key: no identity is asked about it.
        if stanza.kind() == crate::format::stanza::kind::PADDING {
            continue;
        }
        let key_id = trial_key_id(stanza);
        for (i, id) in identities.iter().enumerate() {
            let tried = |&(j, kind, kid): &(usize, u16, &[u8])| {
                j == i && kind == stanza.kind() && kid == key_id
            };
            if failed.iter().any(tried) {
                continue;
            }
            match id.unwrap_stanza(stanza) {
                None => {}
                Some(Ok(key)) => return Ok(key),
                Some(Err(e)) => {
                    failed.push((i, stanza.kind(), key_id));
                    first_err.get_or_insert(e);
                }
            }
        }
    }
    Err(first_err)
}

/// Wraps `file_key` for every recipient.
pub(crate) fn wrap_all(
    file_key: &FileKey,
    recipients: &[&dyn Recipient],
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<Vec<Stanza>> {
    recipients
        .iter()
        .map(|r| r.wrap_file_key(file_key, rng))
        .collect()
}
