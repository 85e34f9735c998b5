//! Public-key recipients: X25519 and X-Wing stanzas through HPKE, key encodings,
//! several recipients per job, the post-quantum mixing policy, stanza floods.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{kek, msg, x25519, xwing};

use std::time::{Duration, Instant};

use printseal::format::stanza::{kind, known_body_len};
use printseal::recipient::{encoding, hpke_core, x25519, xwing};
use printseal::rng::seeded_rng;
use printseal::{
    Error, FileKey, Header, Identity, Kek, KeyParseError, QuantumSecurity, Recipient, SealOptions,
    Stanza, X25519Identity, X25519Recipient, XWingIdentity, XWingRecipient, open, seal_with_rng,
};

fn opts() -> SealOptions {
    SealOptions::new("application/pdf").created_at(1_700_000_000)
}

fn stanzas_of(sealed: &[u8]) -> Vec<Stanza> {
    Header::parse(sealed).unwrap().stanzas().to_vec()
}

#[test]
fn x25519_round_trip_and_stanza_size() {
    let id = x25519(1);
    let data = msg(40_000);
    let sealed =
        seal_with_rng(&opts(), &[&id.to_public()], &data, &mut seeded_rng([2; 32])).unwrap();
    assert_eq!(open(&sealed, &[&id]).unwrap().plaintext, data);
    let st = stanzas_of(&sealed);
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].kind(), 0x0010);
    assert_eq!(st[0].body().len(), 88);
    assert_eq!(x25519::STANZA_BODY_LEN, 8 + 32 + 48);
    assert_eq!(known_body_len(kind::X25519_HPKE), Some(88));
    assert_eq!(&st[0].body()[..8], &id.key_id());
}

#[test]
fn xwing_round_trip_and_stanza_size() {
    let id = xwing(3);
    let data = msg(70_000);
    let sealed =
        seal_with_rng(&opts(), &[&id.to_public()], &data, &mut seeded_rng([4; 32])).unwrap();
    assert_eq!(open(&sealed, &[&id]).unwrap().plaintext, data);
    let st = stanzas_of(&sealed);
    assert_eq!(st[0].kind(), 0x0011);
    assert_eq!(st[0].body().len(), 1176);
    assert_eq!(xwing::STANZA_BODY_LEN, 8 + 1120 + 48);
    assert_eq!(known_body_len(kind::XWING_HPKE), Some(1176));
    assert_eq!(&st[0].body()[..8], &id.key_id());
    assert_eq!(id.to_public().to_bytes().len(), xwing::PUBLIC_KEY_SIZE);
}

#[test]
fn multi_recipient_across_kinds() {
    let (k, x, q) = (kek(5), x25519(6), xwing(7));
    let data = msg(20_000);
    // KEK + X25519 (symmetric with classical): allowed by default.
    let sealed = seal_with_rng(
        &opts(),
        &[&k, &x.to_public()],
        &data,
        &mut seeded_rng([8; 32]),
    )
    .unwrap();
    for id in [&k as &dyn Identity, &x] {
        assert_eq!(open(&sealed, &[id]).unwrap().plaintext, data);
    }
    // KEK + X-Wing (symmetric with post-quantum): allowed by default.
    let sealed = seal_with_rng(
        &opts(),
        &[&q.to_public(), &k],
        &data,
        &mut seeded_rng([9; 32]),
    )
    .unwrap();
    for id in [&k as &dyn Identity, &q] {
        assert_eq!(open(&sealed, &[id]).unwrap().plaintext, data);
    }
    // All three with the explicit opt-out: every identity opens, alone or with others.
    let all: [&dyn Recipient; 3] = [&k, &x.to_public(), &q.to_public()];
    let sealed = seal_with_rng(
        &opts().allow_mixed_pq(true),
        &all,
        &data,
        &mut seeded_rng([10; 32]),
    )
    .unwrap();
    let kinds: Vec<u16> = stanzas_of(&sealed).iter().map(Stanza::kind).collect();
    assert_eq!(kinds, [0x0001, 0x0010, 0x0011]);
    for id in [&k as &dyn Identity, &x, &q] {
        assert_eq!(open(&sealed, &[id]).unwrap().plaintext, data);
    }
    assert_eq!(open(&sealed, &[&x25519(99), &q]).unwrap().plaintext, data);
    // Nobody else.
    assert!(matches!(
        open(&sealed, &[&x25519(11), &xwing(12), &kek(13)]),
        Err(Error::NoMatchingRecipient)
    ));
}

#[test]
fn mixing_post_quantum_and_classical_is_refused_by_default() {
    let (x, q) = (x25519(20), xwing(21));
    let mixed: [&dyn Recipient; 2] = [&q.to_public(), &x.to_public()];
    let err = seal_with_rng(&opts(), &mixed, b"job", &mut seeded_rng([1; 32])).unwrap_err();
    assert!(matches!(err, Error::MixedPostQuantum), "{err}");
    assert!(err.to_string().contains("allow_mixed_pq"));
    // An external recipient that does not say what it is counts as classical.
    struct Opaque(Kek);
    impl Recipient for Opaque {
        fn wrap_file_key(
            &self,
            fk: &FileKey,
            rng: &mut dyn rand_core::CryptoRng,
        ) -> printseal::Result<Stanza> {
            self.0.wrap_file_key(fk, rng)
        }
    }
    let opaque = Opaque(kek(22));
    assert_eq!(opaque.quantum_security(), QuantumSecurity::Classical);
    assert!(matches!(
        seal_with_rng(
            &opts(),
            &[&q.to_public(), &opaque],
            b"job",
            &mut seeded_rng([1; 32])
        ),
        Err(Error::MixedPostQuantum)
    ));
    // The classes of the built-in kinds.
    assert_eq!(x.to_public().quantum_security(), QuantumSecurity::Classical);
    assert_eq!(
        q.to_public().quantum_security(),
        QuantumSecurity::PostQuantum
    );
    assert_eq!(kek(1).quantum_security(), QuantumSecurity::Symmetric);
    // Opt-out.
    let sealed = seal_with_rng(
        &opts().allow_mixed_pq(true),
        &mixed,
        b"job",
        &mut seeded_rng([1; 32]),
    )
    .unwrap();
    assert_eq!(open(&sealed, &[&x]).unwrap().plaintext, b"job");
}

/// Unwraps `stanza` with `id` directly through the trait.
fn unwrap(id: &dyn Identity, stanza: &Stanza) -> Option<printseal::Result<FileKey>> {
    id.unwrap_stanza(stanza)
}

fn one_stanza(r: &dyn Recipient) -> (FileKey, Stanza) {
    let fk = FileKey::from_bytes([0x42; 32]);
    let s = r.wrap_file_key(&fk, &mut seeded_rng([77; 32])).unwrap();
    (fk, s)
}

#[test]
fn unwrap_outcomes_for_both_kinds() {
    // (identity, its recipient, another identity of the same kind)
    type Case<'a> = (&'a dyn Identity, Box<dyn Recipient>, Box<dyn Identity>);
    let ids: [Case<'_>; 2] = [
        (
            &x25519(30),
            Box::new(x25519(30).to_public()),
            Box::new(x25519(31)),
        ),
        (
            &xwing(32),
            Box::new(xwing(32).to_public()),
            Box::new(xwing(33)),
        ),
    ];
    for (id, recipient, other) in &ids {
        let (fk, s) = one_stanza(recipient.as_ref());
        // The right identity.
        let got = unwrap(*id, &s).unwrap().unwrap();
        assert_eq!(got.expose_secret(), fk.expose_secret());
        // Another key of the same kind: different key id, so None without any crypto.
        assert!(unwrap(other.as_ref(), &s).is_none());
        // Another kind entirely.
        assert!(unwrap(&kek(1), &s).is_none());
        // Every byte after the key id is authenticated: flipping one fails the unwrap.
        for pos in [
            8,
            9,
            s.body().len() / 2,
            s.body().len() - 17,
            s.body().len() - 1,
        ] {
            let mut body = s.body().to_vec();
            body[pos] ^= 0x01;
            let bad = Stanza::new(s.kind(), body).unwrap();
            assert!(
                matches!(unwrap(*id, &bad), Some(Err(Error::StanzaUnwrap))),
                "pos {pos}"
            );
        }
        // A changed key id is another key's stanza.
        let mut body = s.body().to_vec();
        body[0] ^= 0x80;
        assert!(unwrap(*id, &Stanza::new(s.kind(), body).unwrap()).is_none());
        // A stanza of the right kind and the wrong size cannot even be built or parsed.
        assert!(matches!(
            Stanza::new(s.kind(), s.body()[..s.body().len() - 1].to_vec()),
            Err(Error::InvalidInput(_))
        ));
        // An unknown kind with the same body is skipped.
        assert!(unwrap(*id, &Stanza::new(0x0f10, s.body().to_vec()).unwrap()).is_none());
    }
}

#[test]
fn tampered_stanza_in_a_job_is_stanza_unwrap() {
    let id = x25519(40);
    let sealed =
        seal_with_rng(&opts(), &[&id.to_public()], b"x", &mut seeded_rng([3; 32])).unwrap();
    let key_id = id.key_id();
    let pos = sealed.windows(8).position(|w| w == key_id).unwrap();
    let mut bad = sealed.clone();
    bad[pos + 8 + 5] ^= 1; // inside enc
    assert!(matches!(open(&bad, &[&id]), Err(Error::StanzaUnwrap)));
    // A stanza that unwraps but was swapped in from another job: the header MAC fails.
    let other = seal_with_rng(&opts(), &[&id.to_public()], b"x", &mut seeded_rng([4; 32])).unwrap();
    let opos = other.windows(8).position(|w| w == key_id).unwrap();
    let mut spliced = sealed.clone();
    spliced[pos..pos + 88].copy_from_slice(&other[opos..opos + 88]);
    assert!(matches!(open(&spliced, &[&id]), Err(Error::HeaderMac)));
}

#[test]
fn small_order_x25519_stanza_is_refused() {
    // A stanza whose enc is a point of small order: the X25519 shared secret would be
    // all zero, which HPKE refuses (RFC 9180 section 7.1.4).
    let id = x25519(50);
    let mut body = id.key_id().to_vec();
    body.extend_from_slice(&[0u8; 32]); // the point 0 has order 4
    body.extend_from_slice(&[0u8; 48]);
    let s = Stanza::new(kind::X25519_HPKE, body).unwrap();
    assert!(matches!(unwrap(&id, &s), Some(Err(Error::StanzaUnwrap))));
    // And a recipient key of small order is refused when parsed.
    assert_eq!(
        X25519Recipient::from_bytes([0u8; 32]),
        Err(KeyParseError::InvalidKey)
    );
    let mut one = [0u8; 32];
    one[0] = 1;
    assert_eq!(
        X25519Recipient::from_bytes(one),
        Err(KeyParseError::InvalidKey)
    );
}

#[test]
fn key_ids_are_documented_hash() {
    use sha2::{Digest, Sha256};
    let x = x25519(60).to_public();
    let mut h = Sha256::new();
    h.update(b"printseal.v1 key id");
    h.update([0x00, 0x10]);
    h.update(x.to_bytes());
    assert_eq!(x.key_id(), h.finalize()[..8]);
    let q = xwing(61).to_public();
    let mut h = Sha256::new();
    h.update(b"printseal.v1 key id");
    h.update([0x00, 0x11]);
    h.update(q.to_bytes());
    assert_eq!(q.key_id(), h.finalize()[..8]);
    assert_eq!(hpke_core::key_id(0x0011, &q.to_bytes()), q.key_id());
    assert_eq!(&hpke_core::info(0x0010), b"printseal.v1 stanza 0x0010");
}

#[test]
fn text_and_raw_encodings_round_trip() {
    let x = x25519(70);
    let xs = x.to_public().to_string();
    assert!(xs.starts_with("printseal1"), "{xs}");
    assert_eq!(xs.parse::<X25519Recipient>().unwrap(), x.to_public());
    assert_eq!(
        xs.to_uppercase().parse::<X25519Recipient>().unwrap(),
        x.to_public()
    );
    let sk = x.to_secret_string();
    assert!(sk.starts_with("PRINTSEAL-SECRET-KEY-1"), "{}", &sk[..25]);
    let back: X25519Identity = sk.parse().unwrap();
    assert_eq!(back.expose_secret(), x.expose_secret());
    assert_eq!(back.to_public(), x.to_public());
    assert_eq!(
        sk.to_lowercase()
            .parse::<X25519Identity>()
            .unwrap()
            .key_id(),
        x.key_id()
    );
    // With a trailing newline, as read from a key file.
    assert!(format!("{}\n", &*sk).parse::<X25519Identity>().is_ok());
    // Raw bytes.
    assert_eq!(
        X25519Identity::from_bytes(*x.expose_secret()).to_public(),
        x.to_public()
    );
    assert_eq!(
        X25519Recipient::from_bytes(x.to_public().to_bytes()).unwrap(),
        x.to_public()
    );

    let q = xwing(71);
    let qs = q.to_public().to_string();
    assert!(qs.starts_with("printseal-pq1"), "{}", &qs[..20]);
    assert!(qs.len() > 1023, "{}", qs.len());
    assert_eq!(qs.parse::<XWingRecipient>().unwrap(), q.to_public());
    let sk = q.to_secret_string();
    assert!(sk.starts_with("PRINTSEAL-SECRET-KEY-PQ-1"));
    let back: XWingIdentity = sk.parse().unwrap();
    assert_eq!(back.expose_secret(), q.expose_secret());
    assert_eq!(back.to_public(), q.to_public());
    assert_eq!(
        XWingIdentity::from_bytes(*q.expose_secret()).to_public(),
        q.to_public()
    );
    assert_eq!(
        XWingRecipient::from_bytes(&q.to_public().to_bytes()).unwrap(),
        q.to_public()
    );
    // Generation is deterministic in the RNG, and distinct seeds give distinct keys.
    assert_eq!(xwing(71).to_public(), q.to_public());
    assert_ne!(xwing(72).to_public(), q.to_public());
}

#[test]
fn parse_errors_say_what_is_wrong() {
    let x = x25519(80);
    let q = xwing(81);
    // Wrong prefix: each of the four kinds given to each other parser.
    let pq_pub = q.to_public().to_string();
    let err = pq_pub.parse::<X25519Recipient>().unwrap_err();
    assert_eq!(
        err,
        KeyParseError::WrongPrefix {
            expected: "printseal1",
            found: "X-Wing (post-quantum) recipient (public)"
        }
    );
    assert!(err.to_string().contains("printseal1"), "{err}");
    let classical_secret = x.to_secret_string();
    assert!(matches!(
        classical_secret.parse::<X25519Recipient>(),
        Err(KeyParseError::WrongPrefix {
            found: "X25519 identity (secret)",
            ..
        })
    ));
    assert!(matches!(
        classical_secret.parse::<XWingIdentity>(),
        Err(KeyParseError::WrongPrefix {
            expected: "PRINTSEAL-SECRET-KEY-PQ-1",
            ..
        })
    ));
    assert!(matches!(
        x.to_public().to_string().parse::<XWingRecipient>(),
        Err(KeyParseError::WrongPrefix { .. })
    ));
    assert!(matches!(
        "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq5q4sp2"
            .parse::<X25519Recipient>(),
        Err(KeyParseError::WrongPrefix {
            found: "unknown",
            ..
        })
    ));
    // Bad checksum: one character changed, anywhere; and a truncated key.
    let s = x.to_public().to_string();
    for pos in [10, 20, s.len() - 1] {
        let mut b = s.clone().into_bytes();
        b[pos] = if b[pos] == b'q' { b'p' } else { b'q' };
        let t = String::from_utf8(b).unwrap();
        assert_eq!(
            t.parse::<X25519Recipient>(),
            Err(KeyParseError::BadChecksum),
            "{t}"
        );
    }
    assert_eq!(
        s[..s.len() - 1].parse::<X25519Recipient>(),
        Err(KeyParseError::BadChecksum)
    );
    let mut b = pq_pub.clone().into_bytes();
    b[1000] = if b[1000] == b'q' { b'p' } else { b'q' };
    assert_eq!(
        String::from_utf8(b).unwrap().parse::<XWingRecipient>(),
        Err(KeyParseError::BadChecksum)
    );
    // Wrong length with a valid checksum.
    let hrp = bech32::Hrp::parse(encoding::HRP_X25519_RECIPIENT).unwrap();
    let short = bech32::encode::<bech32::Bech32>(hrp, &[7u8; 31]).unwrap();
    assert_eq!(
        short.parse::<X25519Recipient>(),
        Err(KeyParseError::WrongLength {
            expected: 32,
            found: 31
        })
    );
    // Not Bech32 at all: mixed case, bad characters, no separator, empty.
    let mut mixed = s.clone();
    mixed.replace_range(12..13, &s[12..13].to_uppercase());
    assert_eq!(
        mixed.parse::<X25519Recipient>(),
        Err(KeyParseError::NotBech32)
    );
    assert_eq!(
        "printseal1bio".parse::<X25519Recipient>(),
        Err(KeyParseError::NotBech32)
    );
    assert_eq!("".parse::<X25519Recipient>(), Err(KeyParseError::NotBech32));
    assert_eq!(
        "x".repeat(5000).parse::<XWingRecipient>(),
        Err(KeyParseError::NotBech32)
    );
    // Raw bytes of the wrong length.
    assert_eq!(
        XWingRecipient::from_bytes(&[0u8; 1215]),
        Err(KeyParseError::WrongLength {
            expected: 1216,
            found: 1215
        })
    );
    // An ML-KEM-768 key whose coefficients are not reduced is refused.
    assert_eq!(
        XWingRecipient::from_bytes(&[0xff; 1216]),
        Err(KeyParseError::InvalidKey)
    );
    // Errors convert into the crate error.
    assert!(matches!(
        Error::from(KeyParseError::BadChecksum),
        Error::InvalidInput(_)
    ));
}

#[test]
fn secrets_are_redacted_in_debug_and_display() {
    let x = x25519(90);
    let q = xwing(91);
    let secrets: [(String, Vec<u8>, String); 2] = [
        (
            x.to_secret_string().to_string(),
            x.expose_secret().to_vec(),
            format!("{x:?}{x}{x:#?}"),
        ),
        (
            q.to_secret_string().to_string(),
            q.expose_secret().to_vec(),
            format!("{q:?}{q}{q:#?}"),
        ),
    ];
    for (text, raw, shown) in secrets {
        assert!(!shown.contains(&text[text.len() - 20..]), "{shown}");
        let hex = hex::encode(&raw);
        assert!(!shown.contains(&hex[..16]), "{shown}");
        assert!(!shown.contains(&format!("{:?}", &raw[..4])), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
    // The key id is shown, so that logs can say which key was used.
    assert!(format!("{x:?}").contains(&hex::encode(x.key_id())));
    assert!(format!("{q}").contains(&hex::encode(q.key_id())));
    // Public keys display as their text form.
    assert_eq!(format!("{}", x.to_public()), x.to_public().to_string());
    assert!(format!("{:?}", x.to_public()).contains("printseal1"));
}

/// A recipient that writes a stanza of a kind no build knows, as a future version or a
/// vendor extension would.
struct Foreign(u16, u8);
impl Recipient for Foreign {
    fn wrap_file_key(
        &self,
        _: &FileKey,
        _: &mut dyn rand_core::CryptoRng,
    ) -> printseal::Result<Stanza> {
        Stanza::new(self.0, vec![self.1; 1200])
    }
}

/// Counts how often an identity does real work (the stanza was its own).
struct Counting<'a, I: Identity>(&'a I, std::cell::Cell<u32>, std::cell::Cell<u32>);
impl<I: Identity> Identity for Counting<'_, I> {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<printseal::Result<FileKey>> {
        self.1.set(self.1.get() + 1);
        let r = self.0.unwrap_stanza(stanza);
        if r.is_some() {
            self.2.set(self.2.get() + 1);
        }
        r
    }
}

#[test]
fn a_flood_of_foreign_stanzas_costs_no_decapsulation() {
    // 64 stanzas (the maximum): 32 X-Wing stanzas for other keys, 31 of unknown kinds,
    // and ours last.
    let me = xwing(100);
    let others: Vec<XWingRecipient> = (0..32).map(|i| xwing(101 + i).to_public()).collect();
    let foreign: Vec<Foreign> = (0..31).map(|i| Foreign(0x7f00 + i, i as u8)).collect();
    let mine = me.to_public();
    let mut all: Vec<&dyn Recipient> = Vec::new();
    all.extend(others.iter().map(|r| r as &dyn Recipient));
    all.extend(foreign.iter().map(|r| r as &dyn Recipient));
    all.push(&mine);
    assert_eq!(all.len(), printseal::limits::MAX_STANZAS);
    // (Foreign recipients do not say what they are, so they count as classical.)
    let o = opts().allow_mixed_pq(true);
    let sealed = seal_with_rng(&o, &all, b"flood", &mut seeded_rng([5; 32])).unwrap();
    assert_eq!(stanzas_of(&sealed).len(), 64);

    let counting = Counting(&me, Default::default(), Default::default());
    let start = Instant::now();
    assert_eq!(open(&sealed, &[&counting]).unwrap().plaintext, b"flood");
    let took = start.elapsed();
    // Every stanza was looked at, and exactly one was decapsulated.
    assert_eq!(counting.1.get(), 64);
    assert_eq!(counting.2.get(), 1);
    assert!(took < Duration::from_secs(2), "{took:?}");

    // A 65th stanza is refused when sealing.
    let extra = Foreign(0x7fff, 0);
    all.push(&extra);
    assert!(matches!(
        seal_with_rng(&o, &all, b"flood", &mut seeded_rng([5; 32])),
        Err(Error::LimitExceeded(printseal::Limit::StanzaCount))
    ));
}

#[test]
fn a_stanza_forged_with_our_key_id_costs_one_failed_unwrap_each() {
    // The worst an attacker can do to an opener: 64 stanzas that all carry its key id.
    // Each costs one decapsulation and fails; the opener reports StanzaUnwrap.
    let me = x25519(110);
    let mut stanzas = Vec::new();
    for i in 0..64u8 {
        let mut body = me.key_id().to_vec();
        body.extend_from_slice(&X25519Identity::from_bytes([i; 32]).to_public().to_bytes());
        body.extend_from_slice(&[i; 48]);
        stanzas.push(Stanza::new(kind::X25519_HPKE, body).unwrap());
    }
    let counting = Counting(&me, Default::default(), Default::default());
    for s in &stanzas {
        assert!(matches!(
            counting.unwrap_stanza(s),
            Some(Err(Error::StanzaUnwrap))
        ));
    }
    assert_eq!(counting.2.get(), 64);
}

#[test]
fn format_md_states_the_stanza_constants() {
    let spec = include_str!("../docs/FORMAT.md");
    for needle in [
        "\"printseal.v1 stanza 0x\"",
        "\"printseal.v1 stanza 0x0010\"",
        "\"printseal.v1 stanza 0x0011\"",
        "SHA-256(\"printseal.v1 key id\" || kind (u16) || pkR)",
        "| `0x0010` | DHKEM(X25519, HKDF-SHA256) (`0x0020`) | HKDF-SHA256 (`0x0001`) | ChaCha20Poly1305 (`0x0003`) | 32 bytes | 88 |",
        "| `0x0011` | X-Wing (`0x647a`) | HKDF-SHA256 (`0x0001`) | ChaCha20Poly1305 (`0x0003`) | 1120 bytes | 1176 |",
        "body_len = 88",
        "body_len = 1176",
        "`printseal1`",
        "`printseal-pq1`",
        "`PRINTSEAL-SECRET-KEY-1`",
        "`PRINTSEAL-SECRET-KEY-PQ-1`",
    ] {
        assert!(spec.contains(needle), "docs/FORMAT.md lacks {needle}");
    }
    assert_eq!(x25519::STANZA_BODY_LEN, 88);
    assert_eq!(xwing::STANZA_BODY_LEN, 1176);
    assert_eq!(xwing::ENC_SIZE, 1120);
    assert_eq!(hpke_core::KEY_ID_LABEL, b"printseal.v1 key id");
    use hpke::Kem;
    assert_eq!(hpke::kem::X25519HkdfSha256::KEM_ID, 0x0020);
    assert_eq!(hpke::kem::XWing::KEM_ID, 0x647a);
    assert_eq!(
        <hpke::aead::ChaCha20Poly1305 as hpke::aead::Aead>::AEAD_ID,
        0x0003
    );
    assert_eq!(<hpke::kdf::HkdfSha256 as hpke::kdf::Kdf>::KDF_ID, 0x0001);
}
