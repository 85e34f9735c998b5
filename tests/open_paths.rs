//! The one open path (issue: "The core, ready to be bound"): every way to open a job
//! and rewrap go through the same options and the same unlock, so the same job gets the
//! same answer everywhere. Covers: expiry refused by default on every path (and the
//! opt-out), the bound on failed trial unwraps, trailing data classified alike by the
//! streaming, one-shot and seekable readers, short non-magic inputs, `Debug` of an
//! opened job, and size bounds that saturate instead of wrapping.

#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::kek;

use std::io::{Cursor, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use printseal::format::stanza::{Stanza, kind};
use printseal::io::{OpenReader, SeekableOpenReader};
use printseal::rng::seeded_rng;
use printseal::{
    Error, FileKey, Identity, Kek, OpenOptions, OpenPolicy, Opener, PolicyViolation,
    QuantumSecurity, Recipient, RewrapOptions, SealOptions, Sealer, XWingIdentity, XWingRecipient,
    boxed, open, open_with, rewrap_header, rewrap_with_rng, seal_with_rng,
};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn expired_job() -> Vec<u8> {
    let t = now();
    let opts = SealOptions::new("application/pdf")
        .created_at(t - 7200)
        .expires_at(t - 3600);
    seal_with_rng(&opts, &[&kek(7)], &[0x42; 40_000], &mut seeded_rng([1; 32])).unwrap()
}

fn is_expired(e: &Error) -> bool {
    matches!(e, Error::PolicyViolation(PolicyViolation::Expired { .. }))
}

/// Every open path, with `options`: the outcome and the plaintext each released.
fn every_path(sealed: &[u8], options: &OpenOptions) -> Vec<(&'static str, Result<Vec<u8>, Error>)> {
    let k = kek(7);
    let mut out = Vec::new();
    out.push((
        "open_with",
        open_with(sealed, &[&k], options).map(|o| o.plaintext),
    ));
    let mut opener = Opener::with_options(options.clone()).unlock_with(vec![boxed(k.clone())]);
    let mut pt = Vec::new();
    let r = opener
        .update_to_vec(sealed, &mut pt)
        .and_then(|_| opener.finish_to_vec(&mut pt))
        .map(|_| pt);
    out.push(("Opener", r));
    let r = OpenReader::with_options(sealed, &[&k], options).and_then(|mut r| {
        let mut pt = Vec::new();
        r.read_to_end(&mut pt).map_err(Error::from_io)?;
        Ok(pt)
    });
    out.push(("OpenReader", r));
    let r =
        SeekableOpenReader::with_options(Cursor::new(sealed), &[&k], options).and_then(|mut r| {
            let mut pt = Vec::new();
            r.read_to_end(&mut pt).map_err(Error::from_io)?;
            Ok(pt)
        });
    out.push(("SeekableOpenReader", r));
    let rw = RewrapOptions::new().open_options(options.clone());
    let r = rewrap_header(sealed, &[&k], &[&k], &rw, &mut seeded_rng([2; 32])).map(|_| Vec::new());
    out.push(("rewrap_header", r));
    let mut moved = Vec::new();
    let r = rewrap_with_rng(
        sealed,
        &[&k],
        &[&k],
        &rw,
        &mut moved,
        &mut seeded_rng([3; 32]),
    )
    .map(|_| Vec::new());
    out.push(("rewrap", r));
    out
}

#[test]
fn an_expired_job_is_refused_by_every_path_by_default() {
    let job = expired_job();
    for (path, r) in every_path(&job, &OpenOptions::new()) {
        let e = r.expect_err(path);
        assert!(is_expired(&e), "{path}: {e:?}");
    }
    assert!(is_expired(&open(&job, &[&kek(7)]).unwrap_err()));
    // The push opener released nothing: the policy runs before any decryption.
    let mut opener = Opener::new();
    let mut pt = Vec::new();
    let p = opener.update_to_vec(&job, &mut pt).unwrap();
    assert!(opener.is_locked() && pt.is_empty() && p.consumed < job.len());
    assert!(is_expired(&opener.unlock(&[&kek(7)]).unwrap_err()));
}

#[test]
fn allow_expired_opens_it_everywhere() {
    let job = expired_job();
    let options = OpenOptions::new().policy(OpenPolicy::new().allow_expired(true));
    for (path, r) in every_path(&job, &options) {
        let pt = r.unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(pt.is_empty() || pt == vec![0x42; 40_000], "{path}");
    }
}

#[test]
fn a_job_before_its_expiry_opens_with_the_defaults() {
    let t = now();
    let opts = SealOptions::new("text/plain")
        .created_at(t)
        .expires_at(t + 86_400);
    let job = seal_with_rng(&opts, &[&kek(7)], b"fresh", &mut seeded_rng([4; 32])).unwrap();
    for (path, r) in every_path(&job, &OpenOptions::new()) {
        r.unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}

#[test]
fn the_default_policy_is_also_checked_at_a_given_time() {
    let job = expired_job();
    let at = |t| OpenOptions::new().policy(OpenPolicy::new().at_time(t));
    assert!(open_with(&job, &[&kek(7)], &at(now() - 5000)).is_ok());
    assert!(is_expired(
        &open_with(&job, &[&kek(7)], &at(now())).unwrap_err()
    ));
}

// --- The bound on trial unwraps -----------------------------------------------------

/// Writes a stanza addressed to `target` (its public key id) whose ciphertext is
/// garbage: what a forger who knows only the public key can add to a header.
struct Forger(XWingRecipient);

impl Recipient for Forger {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
        rng: &mut dyn rand_core::CryptoRng,
    ) -> printseal::Result<Stanza> {
        let real = self.0.wrap_file_key(file_key, rng)?;
        let mut body = real.body().to_vec();
        let last = body.len() - 1;
        body[last] ^= 1;
        Stanza::new(real.kind(), body)
    }
    fn quantum_security(&self) -> QuantumSecurity {
        QuantumSecurity::PostQuantum
    }
}

/// Counts the stanzas an identity claimed (and so tried to unwrap).
struct Counting<I> {
    inner: I,
    tried: AtomicUsize,
}

impl<I: Identity> Identity for Counting<I> {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<printseal::Result<FileKey>> {
        let r = self.inner.unwrap_stanza(stanza)?;
        self.tried.fetch_add(1, Ordering::Relaxed);
        Some(r)
    }
}

fn counting(id: XWingIdentity) -> Counting<XWingIdentity> {
    Counting {
        inner: id,
        tried: AtomicUsize::new(0),
    }
}

fn job_with(recipients: &[&dyn Recipient]) -> Vec<u8> {
    let opts = SealOptions::new("application/pdf");
    seal_with_rng(&opts, recipients, b"%PDF-1.7", &mut seeded_rng([5; 32])).unwrap()
}

#[test]
fn forged_stanzas_cost_one_failed_unwrap_per_identity_and_key_id() {
    let bob = XWingIdentity::generate_with_rng(&mut seeded_rng([6; 32]));
    let forger = Forger(bob.to_public());
    let pk = bob.to_public();
    let mut recipients: Vec<&dyn Recipient> = vec![&forger; 63];
    recipients.push(&pk);
    let job = job_with(&recipients);

    let id = counting(bob.clone());
    let e = open(&job, &[&id]).unwrap_err();
    assert!(matches!(e, Error::StanzaUnwrap), "{e:?}");
    assert_eq!(
        id.tried.load(Ordering::Relaxed),
        1,
        "63 forged stanzas, one decapsulation"
    );

    // The genuine stanza first: it opens, after one try.
    let mut first: Vec<&dyn Recipient> = vec![&pk];
    first.extend(std::iter::repeat_n(&forger as &dyn Recipient, 63));
    let job = job_with(&first);
    let id = counting(bob);
    assert_eq!(open(&job, &[&id]).unwrap().plaintext, b"%PDF-1.7");
    assert_eq!(id.tried.load(Ordering::Relaxed), 1);
}

#[test]
fn the_bound_is_per_identity() {
    let bob = XWingIdentity::generate_with_rng(&mut seeded_rng([7; 32]));
    let alice = XWingIdentity::generate_with_rng(&mut seeded_rng([8; 32]));
    let forger = Forger(bob.to_public());
    let alice_pk = alice.to_public();
    let mut recipients: Vec<&dyn Recipient> = vec![&forger; 10];
    recipients.push(&alice_pk);
    let job = job_with(&recipients);
    let (b, a) = (counting(bob), counting(alice));
    assert_eq!(open(&job, &[&b, &a]).unwrap().plaintext, b"%PDF-1.7");
    assert_eq!(b.tried.load(Ordering::Relaxed), 1);
    assert_eq!(a.tried.load(Ordering::Relaxed), 1);
}

#[test]
fn kek_stanzas_with_a_known_key_id_are_bounded_too() {
    // KEKs sharing KEK 1's id but not its key: the opener tries one, then stops.
    let forged: Vec<Kek> = (0..20u8).map(|n| Kek::new([7; 16], [n; 32])).collect();
    let mut recipients: Vec<&dyn Recipient> = forged.iter().map(|k| k as &dyn Recipient).collect();
    let real = kek(7);
    recipients.push(&real);
    let job = job_with(&recipients);
    struct CountingKek(Kek, AtomicUsize);
    impl Identity for CountingKek {
        fn unwrap_stanza(&self, s: &Stanza) -> Option<printseal::Result<FileKey>> {
            let r = self.0.unwrap_stanza(s)?;
            self.1.fetch_add(1, Ordering::Relaxed);
            Some(r)
        }
    }
    let id = CountingKek(real, AtomicUsize::new(0));
    assert!(matches!(
        open(&job, &[&id]).unwrap_err(),
        Error::StanzaUnwrap
    ));
    assert_eq!(id.1.load(Ordering::Relaxed), 1);
    assert_eq!(kind::KEK_AES256_KWP, job_kinds(&job)[0]);
}

fn job_kinds(job: &[u8]) -> Vec<u16> {
    printseal::Header::parse(job)
        .unwrap()
        .stanzas()
        .iter()
        .map(|s| s.kind())
        .collect()
}

// --- Trailing data: one class for one file -------------------------------------------

fn class(r: &Result<Vec<u8>, Error>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(Error::TrailingData) => "trailing data",
        Err(Error::PayloadTampered { .. }) => "payload tampered",
        Err(Error::Truncated) => "truncated",
        Err(e) => panic!("unexpected {e:?}"),
    }
}

fn job_of(len: usize) -> Vec<u8> {
    let pt: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    seal_with_rng(
        &SealOptions::new("x/y"),
        &[&kek(7)],
        &pt,
        &mut seeded_rng([9; 32]),
    )
    .unwrap()
}

#[test]
fn trailing_bytes_get_one_class_whichever_reader() {
    // Final chunks of 100 bytes (stray bytes stay inside it), 16380 and 16383 bytes
    // (stray bytes cross into a new 16400-byte window), after one full chunk.
    for len in [100, 16_384 + 16_380, 16_384 + 16_383, 16_380] {
        let job = job_of(len);
        for stray in 1..=24usize {
            let mut bad = job.clone();
            bad.extend(std::iter::repeat_n(b'\n', stray));
            let classes: Vec<(&str, &str)> = every_path(&bad, &OpenOptions::new())
                .iter()
                .filter(|(p, _)| !p.starts_with("rewrap"))
                .map(|(p, r)| (*p, class(r)))
                .collect();
            let want = if stray <= 16 {
                "trailing data"
            } else {
                "payload tampered"
            };
            for (path, c) in &classes {
                assert_eq!(
                    *c, want,
                    "len {len}, {stray} stray bytes, {path}: {classes:?}"
                );
            }
        }
    }
}

#[test]
fn trailing_data_found_in_a_middle_window_waits_for_the_rest() {
    // A job whose final chunk is 16396 bytes on disk plus 4 stray bytes fills one whole
    // 16400-byte window; 13 more bytes fed later make 17 stray bytes in all.
    let job = job_of(16_380);
    let mut bad = job.clone();
    bad.extend([0u8; 4]);
    let mut opener = Opener::new().unlock_with(vec![boxed(kek(7))]);
    let mut pt = Vec::new();
    opener.update_to_vec(&bad, &mut pt).unwrap();
    assert!(pt.is_empty(), "nothing released from the window in doubt");
    opener.update_to_vec(&[0; 12], &mut pt).unwrap();
    assert!(matches!(
        opener.finish_to_vec(&mut pt),
        Err(Error::TrailingData)
    ));

    let mut opener = Opener::new().unlock_with(vec![boxed(kek(7))]);
    opener.update_to_vec(&bad, &mut pt).unwrap();
    let e = opener.update_to_vec(&[0; 13], &mut pt).unwrap_err();
    assert!(
        matches!(
            e,
            Error::PayloadTampered {
                chunk: 0,
                last: false
            }
        ),
        "{e:?}"
    );
    assert!(pt.is_empty());
}

// --- Inputs shorter than the magic -----------------------------------------------------

#[test]
fn short_inputs_are_truncated_only_when_they_are_a_prefix_of_the_magic() {
    let magic = printseal::MAGIC;
    for n in 0..magic.len() {
        let prefix = &magic[..n];
        for (path, r) in every_path(prefix, &OpenOptions::new()) {
            assert!(
                matches!(r, Err(Error::Truncated)),
                "{n}-byte prefix, {path}: {r:?}"
            );
        }
    }
    for bad in [&b"\x89PX"[..], b"\x89X", b"\x89PSEAL\n", b"X", b"%PDF-1."] {
        for (path, r) in every_path(bad, &OpenOptions::new()) {
            assert!(
                matches!(r, Err(Error::NotPrintseal)),
                "{bad:?}, {path}: {r:?}"
            );
        }
        assert!(matches!(
            printseal::Header::parse(bad),
            Err(Error::NotPrintseal)
        ));
    }
}

// --- Debug and size bounds -----------------------------------------------------------------

#[test]
fn debug_of_an_opened_job_shows_no_plaintext_or_private_value() {
    let opts = SealOptions::new("text/plain")
        .private_entry("title", b"SECRET-TITLE")
        .unwrap();
    let job = seal_with_rng(
        &opts,
        &[&kek(7)],
        b"SECRET-PAYLOAD",
        &mut seeded_rng([10; 32]),
    )
    .unwrap();
    let opened = open(&job, &[&kek(7)]).unwrap();
    let dbg = format!("{opened:?}");
    assert!(dbg.contains("plaintext_len: 14"), "{dbg}");
    for secret in ["SECRET", "83, 69, 67"] {
        assert!(!dbg.contains(secret), "{dbg}");
    }
}

#[test]
fn output_bounds_saturate_instead_of_wrapping() {
    let sealer = Sealer::with_rng(
        &SealOptions::new("x/y"),
        &[&kek(7)],
        &mut seeded_rng([11; 32]),
    )
    .unwrap();
    assert_eq!(sealer.update_output_len(usize::MAX), usize::MAX);
    assert_eq!(sealer.update_output_len(usize::MAX - 100_000), usize::MAX);
    let small = sealer.update_output_len(20_000);
    assert!((16_400..22_000).contains(&small), "{small}");
    let opener = Opener::new();
    assert!(opener.update_output_len(usize::MAX) <= usize::MAX / 16_400 * 16_384 + 16_384);
}

#[test]
fn a_non_canonical_x25519_enc_is_an_unwrap_failure() {
    use printseal::X25519Identity;
    let id = X25519Identity::generate_with_rng(&mut seeded_rng([12; 32]));
    let job = job_with(&[&id.to_public()]);
    assert!(open(&job, &[&id]).is_ok());
    let body = printseal::Header::parse(&job).unwrap().stanzas()[0]
        .body()
        .to_vec();
    let at = job.windows(body.len()).position(|w| w == body).unwrap();
    let mut bad = job.clone();
    bad[at + 8 + 31] ^= 0x80; // bit 255 of enc: the same X25519 point, other bytes
    assert!(matches!(open(&bad, &[&id]), Err(Error::StanzaUnwrap)));
}
