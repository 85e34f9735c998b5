//! Exhaustive tamper test.
//!
//! One three-chunk job (2 * 16384 + 1000 bytes of plaintext, private metadata, three
//! stanzas: KEK 1, an unknown kind, KEK 2) is sealed deterministically, then every
//! variant below is opened with KEK 2 by the one-shot [`printseal::open`] and by the
//! streaming [`Opener`] fed 4096-byte pieces:
//!
//! * every byte xor 0x01, and every byte xor 0x80 (two passes);
//! * every truncation to a length 0..len-1;
//! * every ordered pair of stanzas swapped;
//! * 1..=64 trailing NUL bytes appended, and a whole extra 16400-byte block (a copy of
//!   encrypted chunk 0) appended.
//!
//! None may open `Ok`, none may panic, and the streaming opener may release only whole
//! chunks that verified and precede the first altered or missing byte; on an error, the
//! output buffer of the failing call may hold nothing but such chunks, zeros, or what
//! the caller had put there. Outcomes are classified by error variant and printed as a
//! table (`cargo test --test tamper -- --nocapture`), and every case must be counted.
//!
//! The dependencies' crypto is compiled with optimisation in the dev profile
//! (`[profile.dev.package."*"] opt-level = 2` in Cargo.toml) to keep this fast.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use printseal::format::header::Header;
use printseal::rng::seeded_rng;
use printseal::{Error, FileKey, Identity, Kek, Opener, Recipient, SealOptions, Stanza};

const CHUNK: usize = 16384;
const ENC_CHUNK: usize = CHUNK + 16;
const PREFIX: usize = 56;
/// Full (non-final) chunks of the job.
const FULL_CHUNKS: usize = 2;
const PLAINTEXT_LEN: usize = FULL_CHUNKS * CHUNK + 1000;
const PIECE: usize = 4096;
const MAX_APPEND: usize = 64;
/// What the test puts in output buffers before each call.
const SENTINEL: u8 = 0xa5;

struct UnknownKind;

impl Recipient for UnknownKind {
    fn wrap_file_key(
        &self,
        _file_key: &FileKey,
        _rng: &mut dyn rand_core::CryptoRng,
    ) -> printseal::Result<Stanza> {
        Stanza::new(0x7e57, b"unknown stanza kind, skipped by openers".to_vec())
    }
}

struct Job {
    plaintext: Vec<u8>,
    sealed: Vec<u8>,
    identity: Kek,
    /// `(start, end)` of each stanza in `sealed`.
    stanzas: Vec<(usize, usize)>,
    /// Where the payload (salt) starts.
    payload_at: usize,
}

fn job() -> Job {
    let k1 = Kek::new(*b"tamper test kek1", [0x11; 32]);
    let k2 = Kek::new(*b"tamper test kek2", [0x22; 32]);
    let opts = SealOptions::new("application/pdf")
        .created_at(1_700_000_000)
        .job_id("tamper-1")
        .private_entry("title", b"tamper test")
        .unwrap()
        .private_entry("owner", b"mallory")
        .unwrap();
    let plaintext: Vec<u8> = (0..PLAINTEXT_LEN).map(|i| (i * 31 % 251) as u8).collect();
    let recipients: [&dyn Recipient; 3] = [&k1, &UnknownKind, &k2];
    let sealed =
        printseal::seal_with_rng(&opts, &recipients, &plaintext, &mut seeded_rng([0x7a; 32]))
            .unwrap();
    let header = Header::parse(&sealed).unwrap();
    let payload_at = header.len();
    let stanza_bytes: usize = header.stanzas().iter().map(|s| 4 + s.body().len()).sum();
    let mut at = payload_at - 32 - stanza_bytes;
    let stanzas = header
        .stanzas()
        .iter()
        .map(|s| {
            let r = (at, at + 4 + s.body().len());
            at = r.1;
            r
        })
        .collect();
    assert_eq!(
        sealed.len(),
        payload_at + PREFIX + FULL_CHUNKS * ENC_CHUNK + 1000 + 16
    );
    let job = Job {
        plaintext,
        sealed,
        identity: k2,
        stanzas,
        payload_at,
    };
    // The untouched job opens, both ways.
    assert_eq!(
        printseal::open(&job.sealed, &[&job.identity])
            .unwrap()
            .plaintext,
        job.plaintext
    );
    let s = open_streaming(&job, &job.sealed, FULL_CHUNKS);
    assert!(s.result.is_ok() && s.released == job.plaintext && s.problems.is_empty());
    job
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Category {
    FlipLow,
    FlipHigh,
    Truncate,
    SwapStanzas,
    Append,
}

impl Category {
    const ALL: [Category; 5] = [
        Category::FlipLow,
        Category::FlipHigh,
        Category::Truncate,
        Category::SwapStanzas,
        Category::Append,
    ];

    fn name(self) -> &'static str {
        match self {
            Category::FlipLow => "xor 0x01",
            Category::FlipHigh => "xor 0x80",
            Category::Truncate => "truncate",
            Category::SwapStanzas => "swap",
            Category::Append => "append",
        }
    }
}

/// Ordered pairs of distinct stanza indices.
fn swap_pairs(job: &Job) -> Vec<(usize, usize)> {
    let n = job.stanzas.len();
    (0..n)
        .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
        .collect()
}

fn expected_counts(job: &Job) -> BTreeMap<Category, usize> {
    let len = job.sealed.len();
    BTreeMap::from([
        (Category::FlipLow, len),
        (Category::FlipHigh, len),
        (Category::Truncate, len),
        (Category::SwapStanzas, swap_pairs(job).len()),
        (Category::Append, MAX_APPEND + 1),
    ])
}

/// How many full chunks lie entirely before byte `p` of the sealed job (the most the
/// streaming opener may release when byte `p` is the first altered or missing one).
fn chunks_before(job: &Job, p: usize) -> usize {
    (0..FULL_CHUNKS)
        .filter(|&k| job.payload_at + PREFIX + (k + 1) * ENC_CHUNK <= p)
        .count()
}

/// Case number `i`: its category, a description, its bytes and how many chunks the
/// streaming opener may release.
fn case(job: &Job, mut i: usize) -> (Category, String, Vec<u8>, usize) {
    let len = job.sealed.len();
    let mut data = job.sealed.clone();
    if i < 2 * len {
        let (cat, mask) = if i < len {
            (Category::FlipLow, 0x01)
        } else {
            (Category::FlipHigh, 0x80)
        };
        let p = i % len;
        data[p] ^= mask;
        return (
            cat,
            format!("byte {p} xor {mask:#04x}"),
            data,
            chunks_before(job, p),
        );
    }
    i -= 2 * len;
    if i < len {
        data.truncate(i);
        return (
            Category::Truncate,
            format!("truncated to {i}"),
            data,
            chunks_before(job, i),
        );
    }
    i -= len;
    let pairs = swap_pairs(job);
    if let Some(&(a, b)) = pairs.get(i) {
        let (x, y) = (job.stanzas[a.min(b)], job.stanzas[a.max(b)]);
        let mut out = job.sealed[..x.0].to_vec();
        out.extend_from_slice(&job.sealed[y.0..y.1]);
        out.extend_from_slice(&job.sealed[x.1..y.0]);
        out.extend_from_slice(&job.sealed[x.0..x.1]);
        out.extend_from_slice(&job.sealed[y.1..]);
        assert_eq!(out.len(), len);
        assert_ne!(out, job.sealed);
        return (
            Category::SwapStanzas,
            format!("stanzas {a} and {b} swapped"),
            out,
            0,
        );
    }
    i -= pairs.len();
    let what = if i < MAX_APPEND {
        data.resize(len + i + 1, 0);
        format!("{} NUL bytes appended", i + 1)
    } else {
        assert_eq!(i, MAX_APPEND, "case index out of range");
        let chunk0 = job.payload_at + PREFIX;
        data.extend_from_slice(&job.sealed[chunk0..chunk0 + ENC_CHUNK]);
        "a copy of encrypted chunk 0 appended".to_string()
    };
    (Category::Append, what, data, FULL_CHUNKS)
}

/// The error variant, with the chunk for payload failures.
fn label(r: &Result<(), Error>) -> String {
    match r {
        Ok(()) => "Ok (!)".to_string(),
        Err(Error::PayloadTampered { chunk, last }) => {
            format!("PayloadTampered {{ chunk: {chunk}, last: {last} }}")
        }
        Err(Error::MalformedHeader(_)) => "MalformedHeader".to_string(),
        Err(Error::LimitExceeded(l)) => format!("LimitExceeded({l:?})"),
        Err(Error::UnsupportedVersion(_)) => "UnsupportedVersion".to_string(),
        Err(Error::UnsupportedSuite(_)) => "UnsupportedSuite".to_string(),
        Err(e) => format!("{e:?}"),
    }
}

struct Streamed {
    result: Result<(), Error>,
    released: Vec<u8>,
    problems: Vec<String>,
}

/// Checks an output buffer left by a failing call: each chunk-sized slot must be the
/// caller's sentinel, zeros, or the plaintext of a chunk that may be released (whose
/// index is below `allowed`). `first_chunk` is the index of the chunk slot 0 would hold.
fn leaked(job: &Job, out: &[u8], first_chunk: usize, allowed: usize) -> Option<String> {
    for (n, slot) in out.chunks(CHUNK).enumerate() {
        let k = first_chunk + n;
        if slot.iter().all(|&b| b == SENTINEL) || slot.iter().all(|&b| b == 0) {
            continue;
        }
        let verified = k < allowed && slot == &job.plaintext[k * CHUNK..k * CHUNK + slot.len()];
        if !verified {
            return Some(format!(
                "output slot for chunk {k} holds unverified bytes after an error"
            ));
        }
    }
    None
}

/// Opens `data` with a streaming opener fed 4096-byte pieces, checking what it
/// releases against `allowed` (the number of leading chunks it may release).
fn open_streaming(job: &Job, data: &[u8], allowed: usize) -> Streamed {
    let mut problems = Vec::new();
    let mut opener = Opener::new().unlock_with(vec![printseal::boxed(job.identity.clone())]);
    let mut released = Vec::new();
    let mut result = Ok(());
    for piece in data.chunks(PIECE) {
        let mut out = vec![SENTINEL; opener.update_output_len(piece.len())];
        match opener.update(piece, &mut out) {
            Ok(p) => {
                if p.consumed != piece.len() {
                    problems.push(format!("consumed {} of {}", p.consumed, piece.len()));
                }
                released.extend_from_slice(&out[..p.written]);
            }
            Err(e) => {
                problems.extend(leaked(job, &out, released.len() / CHUNK, allowed));
                result = Err(e);
                break;
            }
        }
    }
    if result.is_ok() {
        let mut out = vec![SENTINEL; opener.finish_output_len()];
        match opener.finish(&mut out) {
            Ok(n) => released.extend_from_slice(&out[..n]),
            Err(e) => {
                // The final chunk is never released on failure.
                problems.extend(leaked(job, &out, 0, 0));
                result = Err(e);
            }
        }
    }
    if result.is_err() {
        // Errors are final.
        let mut big = vec![0u8; 2 * ENC_CHUNK];
        if !matches!(opener.update(&[0], &mut big), Err(Error::InvalidState)) {
            problems.push("update after an error did not return InvalidState".to_string());
        }
        if !matches!(opener.finish(&mut big), Err(Error::InvalidState)) {
            problems.push("finish after an error did not return InvalidState".to_string());
        }
        if released.len() % CHUNK != 0 {
            problems.push(format!(
                "released {} bytes: not whole chunks",
                released.len()
            ));
        }
        if released.len() / CHUNK > allowed {
            problems.push(format!(
                "released {} chunks, at most {allowed} precede the change",
                released.len() / CHUNK
            ));
        }
    }
    if !job.plaintext.starts_with(&released) {
        problems.push("released bytes are not the job's plaintext".to_string());
    }
    Streamed {
        result,
        released,
        problems,
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

#[derive(Default)]
struct Tally {
    stream: BTreeMap<(Category, String), usize>,
    one_shot: BTreeMap<(Category, String), usize>,
    failures: Vec<String>,
}

fn run_cases(job: &Job, indices: impl Iterator<Item = usize>) -> Tally {
    let mut t = Tally::default();
    for i in indices {
        let (cat, what, data, allowed) = case(job, i);
        let stream = catch_unwind(AssertUnwindSafe(|| open_streaming(job, &data, allowed)));
        let one_shot = catch_unwind(AssertUnwindSafe(|| {
            printseal::open(&data, &[&job.identity as &dyn Identity]).map(|_| ())
        }));
        let stream_label = match stream {
            Ok(s) => {
                if s.result.is_ok() {
                    t.failures
                        .push(format!("{what}: streaming opener returned Ok"));
                }
                t.failures.extend(
                    s.problems
                        .into_iter()
                        .map(|p| format!("{what}: streaming: {p}")),
                );
                label(&s.result)
            }
            Err(p) => {
                t.failures.push(format!(
                    "{what}: streaming opener panicked: {}",
                    panic_message(&p)
                ));
                "panic (!)".to_string()
            }
        };
        let one_shot_label = match one_shot {
            Ok(r) => {
                if r.is_ok() {
                    t.failures
                        .push(format!("{what}: one-shot open returned Ok"));
                }
                label(&r)
            }
            Err(p) => {
                t.failures.push(format!(
                    "{what}: one-shot open panicked: {}",
                    panic_message(&p)
                ));
                "panic (!)".to_string()
            }
        };
        if stream_label != one_shot_label {
            t.failures.push(format!(
                "{what}: streaming says {stream_label}, one-shot says {one_shot_label}"
            ));
        }
        *t.stream.entry((cat, stream_label)).or_default() += 1;
        *t.one_shot.entry((cat, one_shot_label)).or_default() += 1;
    }
    t
}

fn print_table(title: &str, counts: &BTreeMap<(Category, String), usize>) {
    let mut labels: Vec<&String> = counts.keys().map(|(_, l)| l).collect();
    labels.sort();
    labels.dedup();
    let width = labels.iter().map(|l| l.len()).max().unwrap_or(0).max(10);
    println!("\n{title}");
    print!("{:width$}", "outcome");
    for c in Category::ALL {
        print!(" | {:>9}", c.name());
    }
    println!(" | {:>9}", "total");
    let row_total = |f: &dyn Fn(Category) -> usize| {
        let mut sum = 0;
        for c in Category::ALL {
            let n = f(c);
            sum += n;
            print!(" | {n:>9}");
        }
        println!(" | {sum:>9}");
    };
    for l in labels {
        print!("{l:width$}");
        row_total(&|c| counts.get(&(c, l.clone())).copied().unwrap_or(0));
    }
    print!("{:width$}", "total");
    row_total(&|c| {
        counts
            .iter()
            .filter(|((cc, _), _)| *cc == c)
            .map(|(_, n)| n)
            .sum()
    });
}

#[test]
fn every_tampered_variant_fails_without_releasing_unverified_plaintext() {
    let job = job();
    let expected = expected_counts(&job);
    let total: usize = expected.values().sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let start = std::time::Instant::now();
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let job = &job;
                s.spawn(move || run_cases(job, (t..total).step_by(threads)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker thread"))
            .collect()
    });
    let mut all = Tally::default();
    for t in tallies {
        for (k, n) in t.stream {
            *all.stream.entry(k).or_default() += n;
        }
        for (k, n) in t.one_shot {
            *all.one_shot.entry(k).or_default() += n;
        }
        all.failures.extend(t.failures);
    }
    println!(
        "sealed job: {} bytes (header {}, 3 stanzas, {} plaintext bytes in 3 chunks); \
         {total} variants x 2 openers in {:.1?} on {threads} threads",
        job.sealed.len(),
        job.payload_at,
        job.plaintext.len(),
        start.elapsed(),
    );
    print_table("streaming Opener (4096-byte pieces)", &all.stream);
    print_table("one-shot printseal::open", &all.one_shot);

    for (name, counts) in [("streaming", &all.stream), ("one-shot", &all.one_shot)] {
        for (&cat, &want) in &expected {
            let got: usize = counts
                .iter()
                .filter(|((c, _), _)| *c == cat)
                .map(|(_, n)| n)
                .sum();
            assert_eq!(
                got,
                want,
                "{name}: {} cases counted for {}",
                got,
                cat.name()
            );
        }
        let got: usize = counts.values().sum();
        assert_eq!(got, total, "{name}: every case is counted once");
    }
    if !all.failures.is_empty() {
        for f in all.failures.iter().take(30) {
            eprintln!("FAIL {f}");
        }
        panic!("{} failures (first 30 above)", all.failures.len());
    }
}
