//! Rewrap cost against payload size: the cryptographic work is flat, only the byte
//! copy grows.
//!
//! `cargo bench --bench rewrap [-- --warm-up-time 1 --measurement-time 3]`.
//!
//! Groups:
//! * `rewrap_header/<case>`: the whole cryptographic part of a rewrap
//!   (`printseal::rewrap_header`: parse, unwrap, MAC check, key-commitment check, new
//!   stanzas, new MAC), fed the first bytes of a job whose payload is 1 MiB to 1 GiB
//!   long. It never sees the rest, so its time cannot depend on the size.
//! * `rewrap_stream/<case>`: `printseal::rewrap_with_rng` over a reader that yields a
//!   real header and payload prefix followed by a synthetic payload stream of the given
//!   length (`io::repeat(0).take(n)`), into a sink: the same work plus the
//!   streamed copy, without 1 GiB of memory or disk. (The synthetic payload is not
//!   ciphertext; a rewrap never decrypts the payload, so it cannot tell.)
//! * `copy_only`: the same reader copied into the sink with the same 64 KiB
//!   buffer: the part of `rewrap_stream` that grows with the payload.
//!
//! The sink is [`Discard`], not `io::sink()`: with `io::sink()` the optimiser sees that
//! nobody reads the copied bytes and deletes the copy loop (1 GiB "in" 26 µs).
//!
//! Cases: `kek-to-kek` (AES-KWP unwrap, one AES-KWP wrap) and `x25519-to-xwing+kek`
//! (an X25519 decapsulation, an X-Wing encapsulation and an AES-KWP wrap: a migration
//! to post-quantum recipients).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::io::{self, Read, Write};

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use printseal::hazmat::PREFIX_SIZE;
use printseal::recipient::x25519::X25519Identity;
use printseal::recipient::xwing::XWingIdentity;
use printseal::rng::seeded_rng;
use printseal::{
    Header, Identity, Kek, Recipient, RewrapOptions, SealOptions, rewrap_header, rewrap_with_rng,
    seal_with_rng,
};

const MIB: u64 = 1024 * 1024;

/// A writer that drops what it is given, but only after passing it through
/// `black_box`, so the bytes must really be produced.
struct Discard;

impl Write for Discard {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        black_box(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
const SIZES: [u64; 4] = [MIB, 16 * MIB, 256 * MIB, 1024 * MIB];

/// The header and payload prefix of a job sealed to `to`. The header does not depend
/// on the payload length, so the prefix of a sealed empty job is the prefix of a job
/// of any length.
fn job_start(to: &dyn Recipient) -> Vec<u8> {
    let sealed = seal_with_rng(
        &SealOptions::new("application/pdf").created_at(1_700_000_000),
        &[to],
        b"",
        &mut seeded_rng([1; 32]),
    )
    .expect("seal");
    let h = Header::parse(&sealed).expect("header").len();
    sealed[..h + PREFIX_SIZE].to_vec()
}

/// A sealed job of `payload` bytes as a stream: the real start, then zeros.
fn stream(start: &[u8], payload: u64) -> impl Read + '_ {
    start.chain(io::repeat(0).take(payload - PREFIX_SIZE as u64))
}

struct Case {
    name: &'static str,
    start: Vec<u8>,
    identity: Box<dyn Identity>,
    to: Vec<Box<dyn Recipient>>,
}

fn cases() -> Vec<Case> {
    let kek = Kek::new([1; 16], [2; 32]);
    let x = X25519Identity::generate_with_rng(&mut seeded_rng([3; 32]));
    let q = XWingIdentity::generate_with_rng(&mut seeded_rng([4; 32]));
    vec![
        Case {
            name: "kek-to-kek",
            start: job_start(&kek),
            identity: Box::new(kek.clone()),
            to: vec![Box::new(Kek::new([5; 16], [6; 32]))],
        },
        Case {
            name: "x25519-to-xwing+kek",
            start: job_start(&x.to_public()),
            identity: Box::new(x),
            to: vec![Box::new(q.to_public()), Box::new(kek)],
        },
    ]
}

fn bench_rewrap(c: &mut Criterion) {
    let cases = cases();
    let opts = RewrapOptions::new();

    let mut g = c.benchmark_group("rewrap_header");
    for case in &cases {
        let to: Vec<&dyn Recipient> = case.to.iter().map(|r| r.as_ref()).collect();
        let ids = [case.identity.as_ref()];
        let mut rng = seeded_rng([7; 32]);
        for &size in &SIZES {
            // The first bytes of a `size`-byte job: all that rewrap_header reads.
            let first = &case.start[..];
            g.bench_with_input(BenchmarkId::new(case.name, size), &size, |b, _| {
                b.iter(|| {
                    let r = rewrap_header(black_box(first), &ids, &to, &opts, &mut rng)
                        .expect("rewrap_header");
                    black_box(r.header.len())
                })
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("rewrap_stream");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    for case in &cases {
        let to: Vec<&dyn Recipient> = case.to.iter().map(|r| r.as_ref()).collect();
        let ids = [case.identity.as_ref()];
        let mut rng = seeded_rng([8; 32]);
        for &size in &SIZES {
            g.throughput(Throughput::Bytes(size));
            g.bench_with_input(BenchmarkId::new(case.name, size), &size, |b, &size| {
                b.iter(|| {
                    let n = rewrap_with_rng(
                        stream(&case.start, size),
                        &ids,
                        &to,
                        &opts,
                        Discard,
                        &mut rng,
                    )
                    .expect("rewrap");
                    black_box(n)
                })
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("copy_only");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    let start = &cases[0].start;
    for &size in &SIZES {
        g.throughput(Throughput::Bytes(size));
        g.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, &size| {
            let mut buf = vec![0u8; 64 * 1024];
            b.iter(|| {
                let mut r = stream(start, size);
                let mut w = Discard;
                let mut n = 0u64;
                loop {
                    let k = r.read(&mut buf).expect("read");
                    if k == 0 {
                        break;
                    }
                    w.write_all(&buf[..k]).expect("write");
                    n += k as u64;
                }
                black_box(n)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_rewrap);
criterion_main!(benches);
