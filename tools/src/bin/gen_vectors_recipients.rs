//! Generates the public-key recipient test vectors `tests/vectors/x25519_*` and
//! `tests/vectors/xwing_*`.
//!
//! ```text
//! cargo run -p printseal-tools --bin gen_vectors_recipients
//! ```
//!
//! Same file format as the other vectors (`tests/vectors/README.md`, made by
//! `tools/src/bin/gen_vectors.rs`): `key: value` lines, a blank line, the sealed job. These
//! files add two keys, which readers that do not know them skip the file for:
//!
//! | key | meaning |
//! |---|---|
//! | `x25519 identity` | an X25519 secret key to try, `PRINTSEAL-SECRET-KEY-1…` (repeatable) |
//! | `xwing identity` | an X-Wing secret key to try, `PRINTSEAL-SECRET-KEY-PQ-1…` (repeatable) |
//!
//! Identities (these two kinds and `kek id`/`kek` pairs) are tried in the order of their
//! lines. X25519 key `n` is `X25519Identity::from_bytes(SHA-256("printseal test vector
//! x25519 n"))`, X-Wing key `n` is `XWingIdentity::from_bytes(SHA-256("printseal test
//! vector xwing n"))`; KEK `n`, the plaintext, the seeds and the seal options are those
//! of `tools/src/bin/gen_vectors.rs`. `tests/recipient_vectors.rs` includes this file,
//! regenerates every vector in memory, checks that the committed files are identical,
//! and opens each one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;

use printseal::format::header::Header;
use printseal::format::stanza::kind;
use printseal::rng::seeded_rng;
use printseal::{
    FileKey, Identity, Kek, Recipient, RewrapOptions, SealOptions, Suite, X25519Identity,
    XWingIdentity, rewrap_with_rng, seal_with_rng,
};
use sha2::{Digest, Sha256};

/// Prefixes of the files this generator owns in `tests/vectors/`.
pub const PREFIXES: [&str; 2] = ["x25519_", "xwing_"];

const SMALL: usize = 40;

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Byte `i` is `(i * 31) mod 251`, as in the other vectors.
pub fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn seed_for(name: &str) -> [u8; 32] {
    sha256(format!("printseal test vector seed: {name}").as_bytes())
}

/// KEK `n`, as in `tools/src/bin/gen_vectors.rs`.
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

/// X25519 key `n`.
pub fn x25519(n: u8) -> X25519Identity {
    X25519Identity::from_bytes(sha256(
        format!("printseal test vector x25519 {n}").as_bytes(),
    ))
}

/// X-Wing key `n`.
pub fn xwing(n: u8) -> XWingIdentity {
    XWingIdentity::from_bytes(sha256(
        format!("printseal test vector xwing {n}").as_bytes(),
    ))
}

fn options() -> SealOptions {
    SealOptions::new("application/pdf")
        .suite(Suite::Aes256Gcm)
        .producer("printseal-vectors", "1")
        .created_at(1_700_000_000)
}

/// An identity listed in a vector file.
#[derive(Clone)]
pub enum Key {
    /// `kek id` and `kek` lines.
    Kek(Kek),
    /// An `x25519 identity` line.
    X25519(X25519Identity),
    /// An `xwing identity` line (boxed: an X-Wing key holds its expanded public key).
    XWing(Box<XWingIdentity>),
}

impl Key {
    /// The identity.
    pub fn identity(&self) -> &dyn Identity {
        match self {
            Key::Kek(k) => k,
            Key::X25519(k) => k,
            Key::XWing(k) => k.as_ref(),
        }
    }
}

/// One vector.
pub struct Vector {
    /// File name in `tests/vectors/`.
    pub name: String,
    /// The `expect:` class.
    pub expect: &'static str,
    /// Plaintext released before the outcome (all of it on success, none otherwise:
    /// every failure here happens in the header).
    pub released: Vec<u8>,
    /// The file key.
    pub file_key: [u8; 32],
    /// Identities to try, in order.
    pub keys: Vec<Key>,
    /// Seed of the job's RNG.
    pub seed: [u8; 32],
    /// One line.
    pub comment: String,
    /// The sealed bytes.
    pub sealed: Vec<u8>,
}

impl Vector {
    /// The file: `key: value` lines, a blank line, the sealed bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = String::new();
        writeln!(s, "expect: {}", self.expect).unwrap();
        writeln!(s, "payload: {}", hex::encode(sha256(&self.released))).unwrap();
        writeln!(s, "file key: {}", hex::encode(self.file_key)).unwrap();
        for k in &self.keys {
            match k {
                Key::Kek(k) => {
                    writeln!(s, "kek id: {}", hex::encode(k.id())).unwrap();
                    writeln!(s, "kek: {}", hex::encode(k.expose_secret())).unwrap();
                }
                Key::X25519(k) => {
                    writeln!(s, "x25519 identity: {}", &*k.to_secret_string()).unwrap()
                }
                Key::XWing(k) => writeln!(s, "xwing identity: {}", &*k.to_secret_string()).unwrap(),
            }
        }
        writeln!(s, "seed: {}", hex::encode(self.seed)).unwrap();
        assert!(!self.comment.contains('\n'));
        writeln!(s, "comment: {}", self.comment).unwrap();
        s.push('\n');
        let mut out = s.into_bytes();
        out.extend_from_slice(&self.sealed);
        out
    }
}

/// A job sealed with the seed of `name`.
struct Job {
    seed: [u8; 32],
    plaintext: Vec<u8>,
    sealed: Vec<u8>,
}

fn job(name: &str, opts: &SealOptions, to: &[&dyn Recipient], len: usize) -> Job {
    let seed = seed_for(name);
    let plaintext = plaintext(len);
    let sealed = seal_with_rng(opts, to, &plaintext, &mut seeded_rng(seed)).expect("seal");
    Job {
        seed,
        plaintext,
        sealed,
    }
}

/// `(start, end)` of the body of stanza `i` of a sealed job.
fn stanza_body(sealed: &[u8], i: usize) -> (usize, usize) {
    let h = Header::parse(sealed).expect("header");
    let mut at = h.len() - 32;
    for s in h.stanzas().iter().rev() {
        at -= 4 + s.body().len();
    }
    for s in &h.stanzas()[..i] {
        at += 4 + s.body().len();
    }
    (at + 4, at + 4 + h.stanzas()[i].body().len())
}

struct Out(Vec<Vector>);

impl Out {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        name: &str,
        expect: &'static str,
        j: &Job,
        sealed: Vec<u8>,
        keys: Vec<Key>,
        comment: &str,
    ) {
        assert!(PREFIXES.iter().any(|p| name.starts_with(p)), "{name}");
        assert!(self.0.iter().all(|v| v.name != name), "duplicate {name}");
        let released = if expect == "success" {
            j.plaintext.clone()
        } else {
            Vec::new()
        };
        self.0.push(Vector {
            name: name.to_string(),
            expect,
            released,
            file_key: *FileKey::generate(&mut seeded_rng(j.seed)).expose_secret(),
            keys,
            seed: j.seed,
            comment: comment.to_string(),
            sealed,
        });
    }

    fn edited(
        &mut self,
        name: &str,
        expect: &'static str,
        j: &Job,
        keys: Vec<Key>,
        comment: &str,
        edit: impl FnOnce(&mut Vec<u8>),
    ) {
        let mut b = j.sealed.clone();
        edit(&mut b);
        assert_ne!(b, j.sealed, "{name}");
        self.push(name, expect, j, b, keys, comment);
    }
}

/// Every recipient vector, in file order.
pub fn vectors() -> Vec<Vector> {
    let mut out = Out(Vec::new());
    x25519_vectors(&mut out);
    xwing_vectors(&mut out);
    out.0
}

fn x25519_vectors(out: &mut Out) {
    let j = job("x25519_success", &options(), &[&x25519(1).to_public()], 100);
    out.push(
        "x25519_success",
        "success",
        &j,
        j.sealed.clone(),
        vec![Key::X25519(x25519(1))],
        "sealed to X25519 key 1 (stanza kind 0x0010, body key_id[8] | enc[32] | ct[48])",
    );

    let j = job(
        "x25519_with_kek",
        &options(),
        &[&kek(1), &x25519(1).to_public(), &x25519(2).to_public()],
        100,
    );
    out.push(
        "x25519_with_kek",
        "success",
        &j,
        j.sealed.clone(),
        vec![Key::X25519(x25519(2))],
        "sealed to KEK 1, X25519 key 1 and X25519 key 2; opened with X25519 key 2, which skips \
         the other stanzas by kind and key id",
    );
    out.push(
        "x25519_wrong_key",
        "no match",
        &j,
        j.sealed.clone(),
        vec![Key::X25519(x25519(3)), Key::Kek(kek(2))],
        "the x25519_with_kek job opened with X25519 key 3 and KEK 2: no stanza is theirs",
    );

    let j = job("x25519_edits", &options(), &[&x25519(1).to_public()], SMALL);
    let (start, end) = stanza_body(&j.sealed, 0);
    out.edited(
        "x25519_tampered_enc",
        "unwrap failure",
        &j,
        vec![Key::X25519(x25519(1))],
        "first byte of enc (stanza body byte 8) XOR 0x01 (MAC-covered edit): HPKE open fails",
        |b| b[start + 8] ^= 0x01,
    );
    out.edited(
        "x25519_tampered_ct",
        "unwrap failure",
        &j,
        vec![Key::X25519(x25519(1))],
        "last byte of the HPKE ciphertext (its tag) XOR 0x01 (MAC-covered edit)",
        |b| b[end - 1] ^= 0x01,
    );
    out.edited(
        "x25519_small_order_enc",
        "unwrap failure",
        &j,
        vec![Key::X25519(x25519(1))],
        "enc replaced by the point of order 8 e0eb7a7c...b800 (MAC-covered edit): the X25519 \
         shared secret is all zero and is refused",
        |b| {
            let p = hex::decode("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")
                .unwrap();
            b[start + 8..start + 40].copy_from_slice(&p);
        },
    );
    out.edited(
        "x25519_key_id_changed",
        "no match",
        &j,
        vec![Key::X25519(x25519(1))],
        "first byte of the key id XOR 0x80 (MAC-covered edit): the identity does not see its \
         key id and skips the stanza",
        |b| b[start] ^= 0x80,
    );
    out.edited(
        "x25519_body_len_87",
        "header failure",
        &j,
        vec![Key::X25519(x25519(1))],
        "body_len 88 changed to 87 and the last body byte removed: kind 0x0010 has exactly 88 \
         bytes",
        |b| {
            b[start - 2..start].copy_from_slice(&87u16.to_be_bytes());
            b.remove(end - 1);
        },
    );
}

fn xwing_vectors(out: &mut Out) {
    let j = job("xwing_success", &options(), &[&xwing(1).to_public()], 100);
    out.push(
        "xwing_success",
        "success",
        &j,
        j.sealed.clone(),
        vec![Key::XWing(Box::new(xwing(1)))],
        "sealed to X-Wing key 1 (stanza kind 0x0011, body key_id[8] | enc[1120] | ct[48])",
    );

    let j = job(
        "xwing_mixed",
        &options().allow_mixed_pq(true),
        &[&xwing(1).to_public(), &x25519(1).to_public(), &kek(1)],
        100,
    );
    out.push(
        "xwing_mixed",
        "success",
        &j,
        j.sealed.clone(),
        vec![Key::X25519(x25519(9)), Key::XWing(Box::new(xwing(1)))],
        "sealed to X-Wing key 1, X25519 key 1 and KEK 1 (mixing allowed explicitly); opened \
         with X25519 key 9 (no match) then X-Wing key 1",
    );
    out.push(
        "xwing_wrong_key",
        "no match",
        &j,
        j.sealed.clone(),
        vec![Key::XWing(Box::new(xwing(2)))],
        "the xwing_mixed job opened with X-Wing key 2",
    );

    let j = job("xwing_edits", &options(), &[&xwing(1).to_public()], SMALL);
    let (start, end) = stanza_body(&j.sealed, 0);
    out.edited(
        "xwing_tampered_enc",
        "unwrap failure",
        &j,
        vec![Key::XWing(Box::new(xwing(1)))],
        "byte 100 of enc (the ML-KEM ciphertext) XOR 0x01 (MAC-covered edit): decapsulation \
         gives another secret (implicit rejection) and HPKE open fails",
        |b| b[start + 8 + 100] ^= 0x01,
    );
    out.edited(
        "xwing_tampered_ct",
        "unwrap failure",
        &j,
        vec![Key::XWing(Box::new(xwing(1)))],
        "first byte of the HPKE ciphertext XOR 0x01 (MAC-covered edit)",
        |b| b[end - 48] ^= 0x01,
    );
    out.edited(
        "xwing_body_len_1177",
        "header failure",
        &j,
        vec![Key::XWing(Box::new(xwing(1)))],
        "body_len 1176 changed to 1177 and a zero byte appended to the body: kind 0x0011 has \
         exactly 1176 bytes",
        |b| {
            b[start - 2..start].copy_from_slice(&1177u16.to_be_bytes());
            b.insert(end, 0);
        },
    );
    // The stanza kind changed from 0x0011 to 0x0010: an X25519 stanza must be 88 bytes.
    out.edited(
        "xwing_kind_as_x25519",
        "header failure",
        &j,
        vec![Key::XWing(Box::new(xwing(1)))],
        "stanza kind 0x0011 changed to 0x0010 with the 1176-byte body: wrong size for the kind",
        |b| b[start - 4..start - 2].copy_from_slice(&kind::X25519_HPKE.to_be_bytes()),
    );

    // A rewrap: the x25519_success job moved to X-Wing key 2 and KEK 1.
    let src = job("x25519_success", &options(), &[&x25519(1).to_public()], 100);
    let mut moved = Vec::new();
    let to: [&dyn Recipient; 2] = [&xwing(2).to_public(), &kek(1)];
    rewrap_with_rng(
        &src.sealed[..],
        &[&x25519(1)],
        &to,
        &RewrapOptions::new(),
        &mut moved,
        &mut seeded_rng(seed_for("xwing_rewrapped")),
    )
    .expect("rewrap");
    let j = Job {
        seed: src.seed,
        plaintext: src.plaintext,
        sealed: moved,
    };
    out.push(
        "xwing_rewrapped",
        "success",
        &j,
        j.sealed.clone(),
        vec![Key::X25519(x25519(1)), Key::XWing(Box::new(xwing(2)))],
        "x25519_success rewrapped (RNG seeded for 'xwing_rewrapped') to X-Wing key 2 and KEK 1: \
         same context and payload bytes, new stanzas and MAC; X25519 key 1 no longer matches",
    );
}

#[allow(dead_code)]
fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for entry in std::fs::read_dir(&dir).expect("read_dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if PREFIXES.iter().any(|p| name.starts_with(p)) {
            std::fs::remove_file(dir.join(&name)).expect("remove stale vector");
        }
    }
    let vectors = vectors();
    for v in &vectors {
        std::fs::write(dir.join(&v.name), v.to_bytes()).expect("write");
    }
    println!(
        "wrote {} recipient vectors to {}",
        vectors.len(),
        dir.display()
    );
}
