//! Generates the printseal format test vectors in `tests/vectors/`.
//!
//! ```text
//! cargo run -p printseal-tools --bin gen_vectors
//! ```
//!
//! Every vector is produced by the code: a job is sealed deterministically with
//! [`printseal::rng::seeded_rng`] and a fixed creation time, and malformed vectors are
//! edits of such a job's bytes. `tests/format_vectors.rs` includes this file, rebuilds
//! every vector in memory and checks that the committed files are byte-identical, so
//! the vectors cannot drift from the code. It then opens each file and checks its
//! `expect:` line. The file format is described in [`README_HEAD`] (and in the
//! generated `tests/vectors/README.md`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;

use printseal::format::header::Header;
use printseal::rng::seeded_rng;
use printseal::{FileKey, Kek, Recipient, SealOptions, Stanza, Suite, seal_with_rng};
use sha2::{Digest, Sha256};

/// Creation time of every vector's job.
pub const CREATED_AT: u64 = 1_700_000_000;
/// Content type of every vector's job.
pub const CONTENT_TYPE: &str = "application/pdf";
/// Producer recorded in every vector (fixed, so the vectors do not change with the crate
/// version).
pub const PRODUCER: (&str, &str) = ("printseal-vectors", "1");
/// The stanza kind of the "unknown kind" recipient, which no build knows.
pub const UNKNOWN_KIND: u16 = 0x7e57;
/// Body of the unknown-kind stanza.
pub const UNKNOWN_BODY: &[u8] = b"a stanza of a kind this build does not know";

const CHUNK: usize = 16384;
const ENC_CHUNK: usize = CHUNK + 16;
const PREFIX: usize = 56;
/// Plaintext length of the small jobs most malformed vectors edit.
const SMALL: usize = 40;

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// The plaintext of `len` bytes used by every vector: byte `i` is `(i * 31) mod 251`.
pub fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// The seed of a vector's job: SHA-256 of `"printseal test vector seed: " || name`.
pub fn seed_for(name: &str) -> [u8; 32] {
    sha256(format!("printseal test vector seed: {name}").as_bytes())
}

/// KEK number `n` (1..=9): key id `"printseal kek #n"`, key SHA-256 of
/// `"printseal test vector kek n"`.
pub fn kek(n: u8) -> Kek {
    let id: [u8; 16] = format!("printseal kek #{n}")
        .into_bytes()
        .try_into()
        .expect("16 bytes");
    Kek::new(
        id,
        sha256(format!("printseal test vector kek {n}").as_bytes()),
    )
}

/// A KEK with KEK 1's key id and another key.
pub fn wrong_kek() -> Kek {
    Kek::new(*kek(1).id(), sha256(b"printseal test vector wrong kek"))
}

/// The file key a seal with `seeded_rng(seed)` draws: the sealer draws the file key
/// first, so these are the first 32 bytes of the ChaCha20 stream.
pub fn file_key_for(seed: [u8; 32]) -> [u8; 32] {
    *FileKey::generate(&mut seeded_rng(seed)).expose_secret()
}

/// A recipient that writes one stanza of an unknown kind (openers must skip it).
pub struct UnknownKind;

impl Recipient for UnknownKind {
    fn wrap_file_key(
        &self,
        _file_key: &FileKey,
        _rng: &mut dyn rand_core::CryptoRng,
    ) -> printseal::Result<Stanza> {
        Stanza::new(UNKNOWN_KIND, UNKNOWN_BODY.to_vec())
    }
}

/// The options every vector seals with, besides the suite.
pub fn options(suite: Suite) -> SealOptions {
    SealOptions::new(CONTENT_TYPE)
        .suite(suite)
        .producer(PRODUCER.0, PRODUCER.1)
        .created_at(CREATED_AT)
}

/// Byte offsets of the fields of a sealed job, read from its bytes.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Offset of the public metadata length (u16).
    pub pub_len_at: usize,
    /// Offset of the producer name length byte (first byte of the public block).
    pub pub_start: usize,
    /// Offset of the content type text.
    pub content_type_at: usize,
    /// Offset of the creation time (u64).
    pub created_at: usize,
    /// Offset of the private metadata length (u16).
    pub priv_len_at: usize,
    /// Offset of the private metadata ciphertext.
    pub priv_start: usize,
    /// Offset of the stanza count byte.
    pub count_at: usize,
    /// `(start, end)` of each stanza (kind, length and body).
    pub stanzas: Vec<(usize, usize)>,
    /// Offset of the header MAC.
    pub mac_at: usize,
    /// Offset of the payload (salt).
    pub payload_at: usize,
}

impl Layout {
    /// Reads the layout of a well-formed sealed job.
    pub fn of(b: &[u8]) -> Layout {
        let be16 = |i: usize| usize::from(u16::from_be_bytes([b[i], b[i + 1]]));
        let pub_len_at = 11;
        let pub_start = 13;
        let name_len = usize::from(b[pub_start]);
        let ver_len_at = pub_start + 1 + name_len;
        let ct_len_at = ver_len_at + 1 + usize::from(b[ver_len_at]) + 32;
        let content_type_at = ct_len_at + 1;
        let created_at = content_type_at + usize::from(b[ct_len_at]);
        let priv_len_at = pub_start + be16(pub_len_at);
        let priv_start = priv_len_at + 2;
        let count_at = priv_start + be16(priv_len_at);
        let mut stanzas = Vec::new();
        let mut at = count_at + 1;
        for _ in 0..b[count_at] {
            let end = at + 4 + be16(at + 2);
            stanzas.push((at, end));
            at = end;
        }
        let layout = Layout {
            pub_len_at,
            pub_start,
            content_type_at,
            created_at,
            priv_len_at,
            priv_start,
            count_at,
            stanzas,
            mac_at: at,
            payload_at: at + 32,
        };
        let header = Header::parse(b).expect("a well-formed job");
        assert_eq!(header.len(), layout.payload_at);
        layout
    }

    /// Offset of the start of chunk `k` (its ciphertext).
    pub fn chunk_at(&self, k: usize) -> usize {
        self.payload_at + PREFIX + k * ENC_CHUNK
    }
}

/// A deterministically sealed job that vectors are made from.
pub struct Base {
    /// The seed of its RNG.
    pub seed: [u8; 32],
    /// The plaintext it seals.
    pub plaintext: Vec<u8>,
    /// The sealed bytes.
    pub sealed: Vec<u8>,
    /// Where its fields are.
    pub layout: Layout,
}

impl Base {
    /// Seals `plaintext(len)` with `opts` to `recipients`, seeded from `seed_name`.
    pub fn new(
        seed_name: &str,
        opts: &SealOptions,
        recipients: &[&dyn Recipient],
        len: usize,
    ) -> Base {
        let seed = seed_for(seed_name);
        let plaintext = plaintext(len);
        let sealed =
            seal_with_rng(opts, recipients, &plaintext, &mut seeded_rng(seed)).expect("seal");
        let layout = Layout::of(&sealed);
        Base {
            seed,
            plaintext,
            sealed,
            layout,
        }
    }

    /// A job of `len` bytes in `suite` sealed to KEK 1 only.
    pub fn simple(seed_name: &str, suite: Suite, len: usize) -> Base {
        Base::new(seed_name, &options(suite), &[&kek(1)], len)
    }
}

/// One test vector.
pub struct Vector {
    /// File name in `tests/vectors/`.
    pub name: String,
    /// The expected outcome class (the `expect:` line).
    pub expect: &'static str,
    /// The plaintext an opener releases before the outcome (all of it on success).
    pub released: Vec<u8>,
    /// The identities to try, in order.
    pub keks: Vec<Kek>,
    /// The file key the seeded RNG drew.
    pub file_key: [u8; 32],
    /// The RNG seed of the sealed job.
    pub seed: [u8; 32],
    /// What the vector tests, and any edit made to the sealed bytes.
    pub comment: String,
    /// The time (Unix seconds) to open the vector at, for jobs with an expiry.
    pub now: Option<u64>,
    /// The (possibly edited) sealed bytes.
    pub sealed: Vec<u8>,
}

impl Vector {
    /// The vector file: `key: value` lines, a blank line, the sealed bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = String::new();
        writeln!(s, "expect: {}", self.expect).unwrap();
        writeln!(s, "payload: {}", hex::encode(sha256(&self.released))).unwrap();
        writeln!(s, "file key: {}", hex::encode(self.file_key)).unwrap();
        for k in &self.keks {
            writeln!(s, "kek id: {}", hex::encode(k.id())).unwrap();
            writeln!(s, "kek: {}", hex::encode(k.expose_secret())).unwrap();
        }
        writeln!(s, "seed: {}", hex::encode(self.seed)).unwrap();
        if let Some(now) = self.now {
            writeln!(s, "now: {now}").unwrap();
        }
        assert!(
            !self.comment.contains('\n'),
            "{}: one-line comments only",
            self.name
        );
        writeln!(s, "comment: {}", self.comment).unwrap();
        s.push('\n');
        let mut out = s.into_bytes();
        out.extend_from_slice(&self.sealed);
        out
    }
}

/// Builds vectors from bases.
struct Out(Vec<Vector>);

impl Out {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        name: &str,
        expect: &'static str,
        base: &Base,
        sealed: Vec<u8>,
        released: usize,
        keks: Vec<Kek>,
        comment: &str,
    ) {
        assert!(
            self.0.iter().all(|v| v.name != name),
            "duplicate vector {name}"
        );
        self.0.push(Vector {
            name: name.to_string(),
            expect,
            released: base.plaintext[..released].to_vec(),
            keks,
            file_key: file_key_for(base.seed),
            seed: base.seed,
            comment: comment.to_string(),
            now: None,
            sealed,
        });
    }

    /// Sets the opening time of the vector pushed last.
    fn at_time(&mut self, now: u64) {
        if let Some(v) = self.0.last_mut() {
            v.now = Some(now);
        }
    }

    /// A vector whose bytes are `base`'s with `edit` applied, opened with KEK 1.
    fn edited(
        &mut self,
        name: &str,
        expect: &'static str,
        base: &Base,
        released: usize,
        comment: &str,
        edit: impl FnOnce(&mut Vec<u8>, &Layout),
    ) {
        let mut b = base.sealed.clone();
        edit(&mut b, &base.layout);
        assert_ne!(b, base.sealed, "{name}: the edit changed nothing");
        self.push(name, expect, base, b, released, vec![kek(1)], comment);
    }
}

fn put16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

/// Every vector, in file order.
pub fn vectors() -> Vec<Vector> {
    let mut out = Out(Vec::new());
    success_vectors(&mut out);
    header_vectors(&mut out);
    recipient_vectors(&mut out);
    payload_vectors(&mut out);
    out.0
}

fn success_vectors(out: &mut Out) {
    let sizes: [(&str, usize, &str); 6] = [
        ("empty", 0, "empty payload: only the empty final chunk"),
        ("1_byte", 1, "one-byte payload"),
        (
            "one_chunk",
            CHUNK - 1,
            "16383 bytes: the largest single (final) chunk",
        ),
        (
            "16384",
            CHUNK,
            "16384 bytes: one full chunk and an empty final chunk",
        ),
        (
            "16385",
            CHUNK + 1,
            "16385 bytes: one full chunk and a 1-byte final chunk",
        ),
        (
            "several_chunks",
            3 * CHUNK + 100,
            "3 full chunks and a 100-byte final chunk",
        ),
    ];
    for (prefix, suite) in [
        ("aes", Suite::Aes256Gcm),
        ("chacha", Suite::ChaCha20Poly1305),
    ] {
        for (size_name, len, what) in sizes {
            let name = format!("{prefix}_{size_name}");
            let base = Base::simple(&name, suite, len);
            let comment = format!("{}; {what}; sealed to KEK 1", suite.aead_name());
            out.push(
                &name,
                "success",
                &base,
                base.sealed.clone(),
                len,
                vec![kek(1)],
                &comment,
            );
        }
    }

    let opts = options(Suite::Aes256Gcm)
        .job_id("job-4711@print01")
        .expires_at(CREATED_AT + 7 * 86400)
        .sbom_sha256(sha256(b"printseal example SBOM"))
        .private_entry("title", b"Q3 payroll.pdf")
        .expect("entry")
        .private_entry("owner", b"alice@example.com")
        .expect("entry")
        .private_entry("copies", &[0, 2])
        .expect("entry");
    let base = Base::new("metadata_full", &opts, &[&kek(1)], 100);
    out.push(
        "metadata_full",
        "success",
        &base,
        base.sealed.clone(),
        100,
        vec![kek(1)],
        "every public metadata field set (job id job-4711@print01, expiry created+7 days, \
         SBOM SHA-256 of 'printseal example SBOM') and private entries title, owner, copies; \
         opened at created+1 day",
    );
    out.at_time(CREATED_AT + 86400);

    let opts = options(Suite::Aes256Gcm).expires_at(CREATED_AT + 86400);
    let base = Base::new("expired", &opts, &[&kek(1)], SMALL);
    out.push(
        "expired",
        "policy violation",
        &base,
        base.sealed.clone(),
        0,
        vec![kek(1)],
        "expiry created+1 day, opened at created+2 days: refused by the default open policy \
         before anything is decrypted",
    );
    out.at_time(CREATED_AT + 2 * 86400);

    let base = Base::new(
        "two_keks",
        &options(Suite::Aes256Gcm),
        &[&kek(1), &kek(2)],
        100,
    );
    out.push(
        "two_keks",
        "success",
        &base,
        base.sealed.clone(),
        100,
        vec![kek(2)],
        "sealed to KEK 1 and KEK 2, opened with KEK 2: the opener skips the first stanza",
    );

    let base = Base::new(
        "unknown_stanza_kind",
        &options(Suite::Aes256Gcm),
        &[&UnknownKind, &kek(1)],
        SMALL,
    );
    out.push(
        "unknown_stanza_kind",
        "success",
        &base,
        base.sealed.clone(),
        SMALL,
        vec![kek(1)],
        "a stanza of unknown kind 0x7e57 before the KEK 1 stanza: unknown kinds are skipped \
         (and covered by the header MAC)",
    );
}

fn header_vectors(out: &mut Out) {
    let b = Base::simple("header", Suite::Aes256Gcm, SMALL);
    out.edited(
        "not_printseal_bad_magic",
        "not printseal",
        &b,
        0,
        "magic byte 1 changed from 'P' to 'p' (MAC-covered)",
        |s, _| s[1] = b'p',
    );
    for (name, bytes, what) in [
        (
            "not_printseal_short_px",
            &b"\x89PX"[..],
            "the 3 bytes 89 50 58: shorter than the magic and not a prefix of it",
        ),
        (
            "not_printseal_short_x",
            &b"\x89X"[..],
            "the 2 bytes 89 58: shorter than the magic and not a prefix of it",
        ),
        (
            "not_printseal_short_lf",
            &b"\x89PSEAL\n"[..],
            "the 7 bytes of the magic with its CR LF turned into LF",
        ),
    ] {
        out.push(
            name,
            "not printseal",
            &b,
            bytes.to_vec(),
            0,
            vec![kek(1)],
            what,
        );
    }
    out.edited(
        "not_printseal_crlf_to_lf",
        "not printseal",
        &b,
        0,
        "the CR of the magic's CR LF removed, as a text-mode transfer does (MAC-covered)",
        |s, _| {
            s.remove(6);
        },
    );
    out.edited(
        "unsupported_version_2",
        "unsupported version",
        &b,
        0,
        "version byte changed from 1 to 2 (MAC-covered)",
        |s, _| s[8] = 2,
    );
    out.edited(
        "unsupported_suite",
        "unsupported suite",
        &b,
        0,
        "suite id changed from 0x0001 to 0x0003 (MAC-covered)",
        |s, _| put16(s, 9, 3),
    );
    out.edited(
        "header_public_metadata_not_utf8",
        "header failure",
        &b,
        0,
        "first byte of the producer name changed to 0xff, not UTF-8 (MAC-covered)",
        |s, l| s[l.pub_start + 1] = 0xff,
    );
    out.edited(
        "header_public_metadata_content_type",
        "header failure",
        &b,
        0,
        "the '/' of the content type changed to ' ', not a MIME type (MAC-covered)",
        |s, l| {
            let at = l.content_type_at + CONTENT_TYPE.find('/').expect("slash");
            s[at] = b' ';
        },
    );
    out.edited(
        "header_public_metadata_length",
        "header failure",
        &b,
        0,
        "public metadata length decreased by one: the block ends inside the job id field \
         (MAC-covered)",
        |s, l| {
            let n = u16::from_be_bytes([s[l.pub_len_at], s[l.pub_len_at + 1]]);
            put16(s, l.pub_len_at, n - 1);
        },
    );
    out.edited(
        "header_private_metadata_length",
        "header failure",
        &b,
        0,
        "private metadata length set to 16, shorter than count byte plus tag (MAC-covered)",
        |s, l| put16(s, l.priv_len_at, 16),
    );
    out.edited(
        "header_kek_stanza_body_size",
        "header failure",
        &b,
        0,
        "KEK stanza body length changed from 56 to 55 and its last byte removed: wrong size \
         for its kind (MAC-covered)",
        |s, l| {
            let (start, end) = l.stanzas[0];
            put16(s, start + 2, 55);
            s.remove(end - 1);
        },
    );
    out.edited(
        "limit_public_metadata_size",
        "limit exceeded",
        &b,
        0,
        "public metadata length set to 1025, over the 1024-byte limit (MAC-covered)",
        |s, l| put16(s, l.pub_len_at, 1025),
    );
    out.edited(
        "limit_private_metadata_size",
        "limit exceeded",
        &b,
        0,
        "private metadata length set to 0xffff, over 16384 + 16 (MAC-covered)",
        |s, l| put16(s, l.priv_len_at, 0xffff),
    );
    out.edited(
        "limit_stanza_count",
        "limit exceeded",
        &b,
        0,
        "stanza count changed from 1 to 65, over the limit of 64 (MAC-covered)",
        |s, l| s[l.count_at] = 65,
    );
    out.edited(
        "limit_stanza_body",
        "limit exceeded",
        &b,
        0,
        "KEK stanza body length set to 4097, over the 4096-byte limit (MAC-covered)",
        |s, l| put16(s, l.stanzas[0].0 + 2, 4097),
    );
    out.edited(
        "zero_stanzas",
        "limit exceeded",
        &b,
        0,
        "stanza count set to 0 and the only stanza removed (MAC-covered); a header needs at \
         least one stanza",
        |s, l| {
            s[l.count_at] = 0;
            s.drain(l.stanzas[0].0..l.stanzas[0].1);
        },
    );
    out.edited(
        "hmac_public_metadata",
        "HMAC failure",
        &b,
        0,
        "creation time changed from 1700000000 to 1700000001 (MAC-covered; still well formed)",
        |s, l| s[l.created_at + 7] ^= 1,
    );
    out.edited(
        "hmac_private_metadata",
        "HMAC failure",
        &b,
        0,
        "first byte of the private metadata ciphertext flipped (MAC-covered; the MAC is \
         checked before decryption)",
        |s, l| s[l.priv_start] ^= 0x01,
    );
    out.edited(
        "hmac_bad_mac",
        "HMAC failure",
        &b,
        0,
        "last byte of the header MAC flipped",
        |s, l| s[l.payload_at - 1] ^= 0x80,
    );

    let two = Base::new(
        "hmac_stanzas_swapped",
        &options(Suite::Aes256Gcm),
        &[&kek(1), &kek(2)],
        SMALL,
    );
    let mut swapped = two.sealed.clone();
    let (a, b2) = (two.layout.stanzas[0], two.layout.stanzas[1]);
    let first = two.sealed[a.0..a.1].to_vec();
    let second = two.sealed[b2.0..b2.1].to_vec();
    swapped.splice(a.0..b2.1, second.into_iter().chain(first));
    out.push(
        "hmac_stanzas_swapped",
        "HMAC failure",
        &two,
        swapped,
        0,
        vec![kek(1)],
        "sealed to KEK 1 and KEK 2, the two stanzas swapped (MAC-covered): each still \
         unwraps, but the MAC covers their order",
    );

    let other = Base::new(
        "hmac_stanza_from_other_job other",
        &options(Suite::Aes256Gcm),
        &[&kek(1), &kek(2)],
        SMALL,
    );
    let base = Base::new(
        "hmac_stanza_from_other_job",
        &options(Suite::Aes256Gcm),
        &[&kek(1), &kek(2)],
        SMALL,
    );
    let mut spliced = base.sealed.clone();
    let (s2, o2) = (base.layout.stanzas[1], other.layout.stanzas[1]);
    spliced.splice(s2.0..s2.1, other.sealed[o2.0..o2.1].iter().copied());
    out.push(
        "hmac_stanza_from_other_job",
        "HMAC failure",
        &base,
        spliced,
        0,
        vec![kek(2)],
        "sealed to KEK 1 and KEK 2; the KEK 2 stanza replaced by the KEK 2 stanza of another \
         job (seed of 'hmac_stanza_from_other_job other'), which unwraps to a different file key",
    );
}

fn recipient_vectors(out: &mut Out) {
    let b = Base::simple("recipient", Suite::Aes256Gcm, SMALL);
    out.push(
        "no_match",
        "no match",
        &b,
        b.sealed.clone(),
        0,
        vec![kek(3)],
        "sealed to KEK 1, opened with KEK 3 (another key id): no stanza for the identity",
    );
    out.edited(
        "no_match_unknown_kind",
        "no match",
        &b,
        0,
        "the KEK stanza's kind changed from 0x0001 to 0x0101 (MAC-covered): unknown kinds \
         are skipped, so no stanza is left for the identity",
        |s, l| s[l.stanzas[0].0] = 0x01,
    );
    out.push(
        "unwrap_wrong_kek",
        "unwrap failure",
        &b,
        b.sealed.clone(),
        0,
        vec![wrong_kek()],
        "sealed to KEK 1, opened with KEK 1's key id and another key: AES-KWP integrity \
         check fails",
    );
    out.edited(
        "unwrap_tampered_stanza",
        "unwrap failure",
        &b,
        0,
        "first byte of the wrapped file key in the KEK stanza flipped (MAC-covered; unwrap \
         fails before the MAC can be checked)",
        |s, l| s[l.stanzas[0].0 + 4 + 16] ^= 0x01,
    );
}

fn payload_vectors(out: &mut Out) {
    let b = Base::simple("payload", Suite::Aes256Gcm, SMALL);
    out.edited(
        "commitment_salt",
        "commitment failure",
        &b,
        0,
        "first byte of the payload salt flipped (not MAC-covered)",
        |s, l| s[l.payload_at] ^= 0x01,
    );
    out.edited(
        "commitment_flipped",
        "commitment failure",
        &b,
        0,
        "last byte of the payload key commitment flipped (not MAC-covered)",
        |s, l| s[l.payload_at + PREFIX - 1] ^= 0x01,
    );
    out.edited(
        "payload_final_tag_tampered",
        "payload failure",
        &b,
        0,
        "40-byte job: last byte of the final (only) chunk's tag flipped",
        |s, _| *s.last_mut().expect("non-empty") ^= 0x01,
    );

    out.edited(
        "payload_final_chunk_tampered",
        "payload failure",
        &b,
        0,
        "40-byte job: byte 20 of the final (only) chunk flipped",
        |s, l| s[l.chunk_at(0) + 20] ^= 0x01,
    );

    let two = Base::simple("payload_two_chunks", Suite::Aes256Gcm, CHUNK + 1);
    out.edited(
        "payload_chunk0_tampered",
        "payload failure",
        &two,
        0,
        "16385-byte job: byte 100 of chunk 0 flipped; nothing is released",
        |s, l| s[l.chunk_at(0) + 100] ^= 0x01,
    );
    out.edited(
        "truncated_at_chunk_boundary",
        "truncated",
        &two,
        CHUNK,
        "16385-byte job cut after chunk 0 (the final chunk is missing); chunk 0 is released",
        |s, l| s.truncate(l.chunk_at(1)),
    );

    let three = Base::simple("payload_three_chunks", Suite::Aes256Gcm, 2 * CHUNK + 10);
    out.edited(
        "payload_middle_chunk_tampered",
        "payload failure",
        &three,
        CHUNK,
        "32778-byte job (3 chunks): byte 8000 of chunk 1 flipped; chunk 0 is released",
        |s, l| s[l.chunk_at(1) + 8000] ^= 0x01,
    );

    let t = Base::simple("truncated", Suite::Aes256Gcm, SMALL);
    type Cut = (
        &'static str,
        &'static str,
        &'static str,
        fn(&Layout) -> usize,
    );
    let cuts: [Cut; 9] = [
        ("truncated_empty", "truncated", "cut to 0 bytes", |_| 0),
        (
            "truncated_in_magic",
            "truncated",
            "cut to the first 5 bytes of the magic",
            |_| 5,
        ),
        (
            "truncated_in_header",
            "truncated",
            "cut in the middle of the KEK stanza",
            |l| l.stanzas[0].0 + 30,
        ),
        (
            "truncated_in_mac",
            "truncated",
            "cut 10 bytes before the end of the header MAC",
            |l| l.payload_at - 10,
        ),
        (
            "truncated_after_header",
            "truncated",
            "cut at the end of the header",
            |l| l.payload_at,
        ),
        (
            "truncated_in_salt",
            "truncated",
            "cut after 10 bytes of the payload salt",
            |l| l.payload_at + 10,
        ),
        (
            "truncated_at_chunk_boundary_0",
            "truncated",
            "cut after the salt and commitment: no chunk at all",
            |l| l.chunk_at(0),
        ),
        (
            "truncated_in_final_tag",
            "truncated",
            "40-byte job cut 10 bytes into its final chunk: shorter than a tag",
            |l| l.chunk_at(0) + 10,
        ),
        (
            "truncated_in_final_chunk",
            "payload failure",
            "40-byte job cut 1 byte short: a cut inside the final chunk reads as a tampered \
             final chunk",
            |l| l.chunk_at(0) + SMALL + 16 - 1,
        ),
    ];
    for (name, expect, comment, at) in cuts {
        out.edited(name, expect, &t, 0, comment, |s, l| s.truncate(at(l)));
    }

    let tr = Base::simple("trailing", Suite::Aes256Gcm, SMALL);
    let tails: [(&str, &str, &[u8], &str); 4] = [
        (
            "trailing_newline",
            "trailing data",
            b"\n",
            "40-byte job followed by a newline",
        ),
        (
            "trailing_crlf",
            "trailing data",
            b"\r\n",
            "40-byte job followed by CR LF",
        ),
        (
            "trailing_16_bytes",
            "trailing data",
            &[0; 16],
            "40-byte job followed by 16 NUL bytes: the opener looks up to 16 bytes back for a short final chunk",
        ),
        (
            "trailing_17_bytes",
            "payload failure",
            &[0; 17],
            "40-byte job followed by 17 NUL bytes: a longer tail after a short final chunk reads as a tampered final chunk",
        ),
    ];
    for (name, expect, tail, comment) in tails {
        out.edited(name, expect, &tr, 0, comment, |s, _| {
            s.extend_from_slice(tail)
        });
    }

    let c = Base::simple("chacha_payload", Suite::ChaCha20Poly1305, SMALL);
    out.edited(
        "chacha_commitment_salt",
        "commitment failure",
        &c,
        0,
        "ChaCha20-Poly1305 suite: first byte of the payload salt flipped (not MAC-covered)",
        |s, l| s[l.payload_at] ^= 0x01,
    );
    out.edited(
        "chacha_payload_final_chunk_tampered",
        "payload failure",
        &c,
        0,
        "ChaCha20-Poly1305 suite: 40-byte job, byte 20 of the final chunk flipped",
        |s, l| s[l.chunk_at(0) + 20] ^= 0x01,
    );
    out.edited(
        "chacha_trailing_newline",
        "trailing data",
        &c,
        0,
        "ChaCha20-Poly1305 suite: 40-byte job followed by a newline",
        |s, _| s.push(b'\n'),
    );
}

/// The head of the generated `tests/vectors/README.md`.
pub const README_HEAD: &str = r#"# printseal format test vectors

Generated by `cargo run -p printseal-tools --bin gen_vectors` (source: `tools/src/bin/gen_vectors.rs`);
do not edit by hand. `tests/format_vectors.rs` regenerates every file in memory and
fails if a committed file differs, then opens each vector and checks its outcome.

## File format

Modelled on the age test kit (C2SP CCTV). A vector file is text lines `key: value`,
one blank line, then the raw bytes of the sealed job up to the end of the file:

| key | meaning |
|---|---|
| `expect` | outcome class: `success`, `header failure`, `unsupported version`, `unsupported suite`, `not printseal`, `limit exceeded`, `HMAC failure`, `no match`, `unwrap failure`, `commitment failure`, `payload failure`, `trailing data`, `truncated`, `policy violation` |
| `payload` | SHA-256 (hex) of all plaintext the opener releases before the outcome: the whole payload on success; for failures, the released prefix (the whole chunks that verified before the failure) |
| `file key` | hex of the file key the seeded RNG drew: the first 32 bytes of the ChaCha20Rng stream for `seed` (the sealer draws the file key first) |
| `kek id`, `kek` | hex key id and key of an identity to try (AES-256-KWP KEK); repeatable, in pairs, tried in order |
| `seed` | hex of the 32-byte `printseal::rng::seeded_rng` seed the job was sealed with |
| `comment` | free text: what the vector tests, and any edit of the sealed bytes (MAC-covered edits say so) |
| `now` | the time (Unix seconds) to open the job at; present for jobs with an expiry. Without it, open at the current time |

Readers must skip a file that has a key they do not know.

Outcome classes map to `printseal::Error` variants: `not printseal` = `NotPrintseal`,
`unsupported version` = `UnsupportedVersion`, `unsupported suite` = `UnsupportedSuite`,
`header failure` = `MalformedHeader`, `limit exceeded` = `LimitExceeded`,
`HMAC failure` = `HeaderMac`, `no match` = `NoMatchingRecipient`,
`unwrap failure` = `StanzaUnwrap`, `commitment failure` = `PayloadCommitment`,
`payload failure` = `PayloadTampered`, `trailing data` = `TrailingData`,
`truncated` = `Truncated`, `policy violation` = `PolicyViolation` (the default open
policy: an expired job is refused).

"Released" plaintext is what a streaming opener (`printseal::Opener`) fed the file in
small pieces reports as written before it returns the outcome: each full chunk as soon
as its tag verifies, the final chunk only on success. A one-shot opener releases
nothing on failure.

## How the vectors are made

* Plaintext: byte `i` is `(i * 31) mod 251`.
* Every job is sealed with `seal_with_rng(..., &mut seeded_rng(seed))`, where `seed` is
  SHA-256 of `"printseal test vector seed: " || name` (name of the vector, or of the
  base job that malformed vectors edit; the `seed:` line is authoritative), content
  type `application/pdf`, producer `printseal-vectors` version `1`, created at
  1700000000, suite AES-256-GCM unless the name starts with `chacha_`.
* KEK `n`: key id is the 16 ASCII bytes `printseal kek #n`, key is SHA-256 of
  `"printseal test vector kek n"`. Most jobs are sealed to KEK 1.
* Malformed vectors are byte edits of a valid sealed job; edits of bytes covered by the
  header MAC say so in the comment.

## Public-key recipient vectors

The `x25519_*` and `xwing_*` files in this directory are made by
`cargo run -p printseal-tools --bin gen_vectors_recipients` and checked by `tests/recipient_vectors.rs`.
They use the same format with two more keys, `x25519 identity` and `xwing identity`
(see `tools/src/bin/gen_vectors_recipients.rs`); readers that do not know them skip those
files. They are not listed below.

## Vectors

| file | expect | comment |
|---|---|---|
"#;

/// The whole generated README.
pub fn readme(vectors: &[Vector]) -> String {
    let mut s = README_HEAD.to_string();
    for v in vectors {
        writeln!(
            s,
            "| `{}` | {} | {} |",
            v.name,
            v.expect,
            v.comment.replace('|', "\\|")
        )
        .unwrap();
    }
    s
}

/// Contents of `tests/vectors/.gitattributes`: the vectors are raw bytes.
pub const GITATTRIBUTES: &str =
    "# Raw sealed bytes (the magic holds CR LF): never convert line endings.\n* -text\n";

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    std::fs::create_dir_all(&dir).expect("create tests/vectors");
    // The directory holds generated files only: clear it so removed vectors go away.
    for entry in std::fs::read_dir(&dir).expect("read tests/vectors") {
        let path = entry.expect("entry").path();
        // x25519_* and xwing_* are made by tools/src/bin/gen_vectors_recipients.rs.
        let theirs = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("x25519_") || n.starts_with("xwing_"));
        if path.is_file() && !theirs {
            std::fs::remove_file(&path).expect("remove old vector");
        }
    }
    let vectors = vectors();
    let mut total = 0;
    for v in &vectors {
        let bytes = v.to_bytes();
        total += bytes.len();
        std::fs::write(dir.join(&v.name), bytes).expect("write vector");
    }
    std::fs::write(dir.join("README.md"), readme(&vectors)).expect("write README");
    std::fs::write(dir.join(".gitattributes"), GITATTRIBUTES).expect("write .gitattributes");
    println!(
        "wrote {} vectors ({total} bytes) to {}",
        vectors.len(),
        dir.display()
    );
}
