//! Seal and open throughput of whole jobs, against the raw chunk AEAD over the same
//! chunks and a memcpy of the same size, in the same run; small-job latency with the
//! recipient wrap; and with the `parallel` feature, rayon against one thread.
//!
//! `cargo bench --bench throughput [--features aws-lc-rs,parallel]`, then
//! `python3 scripts/bench_summary.py` for the ratio table. Every backend compiled in is
//! measured (`hazmat::Backend::ALL`). `PRINTSEAL_BENCH_MAX=<bytes>` skips larger sizes
//! (the 64 MiB runs take a while on a small machine).
//!
//! Ids: group `throughput/<suite>`, functions `seal/<backend>` and `open/<backend>`
//! (whole jobs: file key, recipient wrap, header, payload), `stream-seal/<backend>` and
//! `stream-open/<backend>` (the payload only, per-job setup outside the timing),
//! `io-seal/<backend>` and `io-open/<backend>` (whole jobs through `SealWriter` and
//! `OpenReader`, 1 MiB and up), `raw-seal/<backend>` (in place, chunk by chunk, as the
//! payload is chunked),
//! `raw-open/<backend>` (in/out, as the opener does) and `memcpy`; the parameter is
//! the plaintext size. Buffers are built outside the timed loops; sealing and opening
//! write into preallocated buffers through `Sealer::update` / `Opener::update`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::io::{Read, Write};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group};
use printseal::hazmat::{Backend, CHUNK_SIZE, PREFIX_SIZE, RawAead};
use printseal::io::{OpenReader, SealWriter};
use printseal::recipient::x25519::X25519Identity;
use printseal::rng::seeded_rng;
use printseal::{Identity, Kek, Opener, Recipient, SealOptions, Sealer, Suite};

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

fn max_size() -> usize {
    // `cargo test --all-targets` runs each benchmark once, unoptimised, as a smoke test:
    // no need for the large sizes there. Criterion gets `--bench` from `cargo bench`.
    let bench = std::env::args().any(|a| a == "--bench");
    let default = if bench { usize::MAX } else { 64 * KIB };
    std::env::var("PRINTSEAL_BENCH_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn sizes() -> Vec<usize> {
    [KIB, 64 * KIB, MIB, 64 * MIB]
        .into_iter()
        .filter(|&s| s <= max_size())
        .collect()
}

fn suite_name(s: Suite) -> &'static str {
    match s {
        Suite::Aes256Gcm => "aes-256-gcm",
        _ => "chacha20-poly1305",
    }
}

fn kek() -> Kek {
    Kek::new([1; 16], [2; 32])
}

/// Seals `data` as one job into `out` (preallocated, large enough); returns its length.
fn seal_job(
    opts: &SealOptions,
    recipients: &[&dyn Recipient],
    data: &[u8],
    out: &mut [u8],
) -> usize {
    let mut rng = seeded_rng([7; 32]);
    let mut s = Sealer::with_rng(opts, recipients, &mut rng).expect("sealer");
    let w = s.update(data, out).expect("update");
    w + s.finish(&mut out[w..]).expect("finish")
}

/// Opens a whole job from `sealed` into `out` (preallocated); returns the plaintext length.
fn open_job(id: &(dyn Identity + Send + Sync), b: Backend, sealed: &[u8], out: &mut [u8]) -> usize {
    let mut o = Opener::with_options(printseal::OpenOptions::new().backend(b));
    let p = o.update(sealed, out).expect("header");
    o.unlock(&[id as &dyn Identity]).expect("unlock");
    let q = o.update(&sealed[p.consumed..], out).expect("update");
    q.written + o.finish(&mut out[q.written..]).expect("finish")
}

/// The chunks of a payload of `len` plaintext bytes: full chunks, then the short final.
fn chunk_lens(len: usize) -> Vec<usize> {
    let mut v = vec![CHUNK_SIZE; len / CHUNK_SIZE];
    v.push(len % CHUNK_SIZE);
    v
}

fn nonce(i: usize) -> [u8; 12] {
    let mut n = [0x33u8; 12];
    for (b, c) in n[4..].iter_mut().zip((i as u64).to_be_bytes()) {
        *b ^= c;
    }
    n
}

fn throughput(c: &mut Criterion) {
    let k = kek();
    for suite in Suite::ALL {
        let mut g = c.benchmark_group(format!("throughput/{}", suite_name(suite)));
        for size in sizes() {
            g.throughput(Throughput::Bytes(size as u64));
            g.sample_size(if size >= 16 * MIB { 10 } else { 50 });
            let data = vec![0x5au8; size];
            let mut sealed = vec![0u8; size + size / 64 + 4096];
            let mut out = vec![0u8; size + CHUNK_SIZE];
            for &b in Backend::ALL {
                let opts = SealOptions::new("application/pdf")
                    .suite(suite)
                    .created_at(1)
                    .backend(b);
                g.bench_function(
                    BenchmarkId::new(format!("seal/{}", b.name()), size),
                    |bench| bench.iter(|| seal_job(&opts, &[&k], black_box(&data), &mut sealed)),
                );
                let n = seal_job(&opts, &[&k], &data, &mut sealed);
                let job = sealed[..n].to_vec();
                g.bench_function(
                    BenchmarkId::new(format!("open/{}", b.name()), size),
                    |bench| bench.iter(|| open_job(&k, b, black_box(&job), &mut out)),
                );

                // Streaming: the payload only, the per-job setup (file key, recipient
                // wrap, header, unlock) done outside the timed part. This is what the
                // 90%-of-raw-AEAD goal is about.
                let sk = BenchmarkId::new(format!("stream-seal/{}", b.name()), size);
                g.bench_function(sk, |bench| {
                    bench.iter_batched(
                        || {
                            let mut rng = seeded_rng([7; 32]);
                            let mut s = Sealer::with_rng(&opts, &[&k], &mut rng).expect("sealer");
                            let mut hdr = vec![0u8; s.update_output_len(0)];
                            s.update(&[], &mut hdr).expect("header");
                            s
                        },
                        // The sealer is returned, so that its drop (zeroizing its chunk
                        // buffer) happens outside the timing, as criterion drops outputs
                        // after measuring.
                        |mut s| {
                            let w = s.update(black_box(&data), &mut sealed).expect("update");
                            let n = w + s.finish(&mut sealed[w..]).expect("finish");
                            (s, n)
                        },
                        BatchSize::SmallInput,
                    )
                });
                // The opener derives the payload keys when it has the salt and the
                // commitment: fed in the setup too, so that only chunks are timed.
                let header_len = printseal::Header::parse(&job).expect("header").len();
                let (prefix, payload) = job[header_len..].split_at(PREFIX_SIZE);
                let ok = BenchmarkId::new(format!("stream-open/{}", b.name()), size);
                g.bench_function(ok, |bench| {
                    bench.iter_batched(
                        || {
                            let mut o =
                                Opener::with_options(printseal::OpenOptions::new().backend(b));
                            o.update(&job[..header_len], &mut []).expect("header");
                            o.unlock(&[&k as &dyn Identity]).expect("unlock");
                            o.update(prefix, &mut []).expect("prefix");
                            o
                        },
                        |mut o| {
                            let p = o.update(black_box(payload), &mut out).expect("update");
                            let n = p.written + o.finish(&mut out[p.written..]).expect("finish");
                            (o, n)
                        },
                        BatchSize::SmallInput,
                    )
                });

                // The std::io adapters (whole jobs), from 1 MiB on.
                if size >= MIB {
                    let mut sink: Vec<u8> = Vec::with_capacity(sealed.len());
                    let id = BenchmarkId::new(format!("io-seal/{}", b.name()), size);
                    g.bench_function(id, |bench| {
                        bench.iter(|| {
                            sink.clear();
                            let mut rng = seeded_rng([7; 32]);
                            let mut w = SealWriter::with_rng(&mut sink, &opts, &[&k], &mut rng)
                                .expect("writer");
                            w.write_all(black_box(&data)).expect("write");
                            w.finish().expect("finish").len()
                        })
                    });
                    // `OpenReader` takes no backend: it runs the default one.
                    if b == Backend::DEFAULT {
                        let mut back: Vec<u8> = Vec::with_capacity(size + CHUNK_SIZE);
                        let id = BenchmarkId::new(format!("io-open/{}", b.name()), size);
                        g.bench_function(id, |bench| {
                            bench.iter(|| {
                                back.clear();
                                let mut r =
                                    OpenReader::new(black_box(&job[..]), &[&k]).expect("rd");
                                r.read_to_end(&mut back).expect("read")
                            })
                        });
                    }
                }

                // The raw AEAD over the same chunks: in place for sealing.
                let aead = RawAead::new(suite, &[9; 32], b).expect("aead");
                let mut buf = data.clone();
                let lens = chunk_lens(size);
                g.bench_function(
                    BenchmarkId::new(format!("raw-seal/{}", b.name()), size),
                    |bench| {
                        bench.iter(|| {
                            let mut off = 0;
                            let mut acc = 0u8;
                            for (i, &l) in lens.iter().enumerate() {
                                let tag =
                                    aead.seal_in_place(&nonce(i), &[], &mut buf[off..off + l]);
                                acc ^= tag.expect("seal")[0];
                                off += l;
                            }
                            acc
                        })
                    },
                );
                // In/out, as the sealer does: from the plaintext to another buffer.
                let mut ct_out = vec![0u8; size];
                let id = BenchmarkId::new(format!("raw-seal-io/{}", b.name()), size);
                g.bench_function(id, |bench| {
                    bench.iter(|| {
                        let mut off = 0;
                        let mut acc = 0u8;
                        for (i, &l) in lens.iter().enumerate() {
                            let (src, dst) = (&data[off..off + l], &mut ct_out[off..off + l]);
                            acc ^= aead.seal(&nonce(i), &[], src, dst).expect("seal")[0];
                            off += l;
                        }
                        acc
                    })
                });
                // And in/out for opening, as the opener does, from real ciphertext.
                let mut ct = data.clone();
                let mut tags = Vec::new();
                let mut off = 0;
                for (i, &l) in lens.iter().enumerate() {
                    tags.push(
                        aead.seal_in_place(&nonce(i), &[], &mut ct[off..off + l])
                            .expect("seal"),
                    );
                    off += l;
                }
                g.bench_function(
                    BenchmarkId::new(format!("raw-open/{}", b.name()), size),
                    |bench| {
                        bench.iter(|| {
                            let mut off = 0;
                            for (i, (&l, tag)) in lens.iter().zip(&tags).enumerate() {
                                let (src, dst) = (&ct[off..off + l], &mut out[off..off + l]);
                                aead.open(&nonce(i), &[], src, tag, dst).expect("open");
                                off += l;
                            }
                        })
                    },
                );
            }
            g.bench_function(BenchmarkId::new("memcpy", size), |bench| {
                bench.iter(|| out[..size].copy_from_slice(black_box(&data)))
            });
        }
        g.finish();
    }
}

/// In place against out of place at 64 MiB (`PRINTSEAL_BENCH_MAX` lowers it), whole
/// jobs through the push API on the default backend: `Sealer::update_in_place` against
/// `Sealer::update` into a second buffer, `Opener::update_in_place` against
/// `Opener::update`. The in-place loops restore their input (a memcpy) outside the
/// timing (`iter_custom`).
fn in_place(c: &mut Criterion) {
    let k = kek();
    let b = Backend::DEFAULT;
    let size = (64 * MIB).min(max_size());
    let mut g = c.benchmark_group("in-place/aes-256-gcm");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(size as u64));
    let data = vec![0x5au8; size];
    let opts = SealOptions::new("application/pdf").created_at(1).backend(b);
    let mut sealed = vec![0u8; size + size / 64 + 4096];
    g.bench_function(
        BenchmarkId::new(format!("seal-out-of-place/{}", b.name()), size),
        |bench| bench.iter(|| seal_job(&opts, &[&k], black_box(&data), &mut sealed)),
    );
    let room = size + size / 64 + 4096;
    g.bench_function(
        BenchmarkId::new(format!("seal-in-place/{}", b.name()), size),
        |bench| {
            let mut work = vec![0u8; room];
            bench.iter_custom(|iters| {
                let mut total = std::time::Duration::ZERO;
                for _ in 0..iters {
                    work[..size].copy_from_slice(&data);
                    let t = std::time::Instant::now();
                    let mut rng = seeded_rng([7; 32]);
                    let mut s = Sealer::with_rng(&opts, &[&k], &mut rng).expect("sealer");
                    let w = s.update_in_place(&mut work, size).expect("update");
                    black_box(w + s.finish(&mut work[w..]).expect("finish"));
                    total += t.elapsed();
                }
                total
            })
        },
    );
    let n = seal_job(&opts, &[&k], &data, &mut sealed);
    let job = sealed[..n].to_vec();
    let mut out = vec![0u8; size + CHUNK_SIZE];
    g.bench_function(
        BenchmarkId::new(format!("open-out-of-place/{}", b.name()), size),
        |bench| bench.iter(|| open_job(&k, b, black_box(&job), &mut out)),
    );
    g.bench_function(
        BenchmarkId::new(format!("open-in-place/{}", b.name()), size),
        |bench| {
            let mut work = job.clone();
            bench.iter_custom(|iters| {
                let mut total = std::time::Duration::ZERO;
                for _ in 0..iters {
                    work.copy_from_slice(&job);
                    let t = std::time::Instant::now();
                    let mut o = Opener::with_options(printseal::OpenOptions::new().backend(b))
                        .unlock_with(vec![printseal::boxed(k.clone())]);
                    let p = o.update_in_place(&mut work).expect("update");
                    let n = o.finish_in_place(&mut work[p.consumed..]).expect("finish");
                    black_box(p.written + n);
                    total += t.elapsed();
                }
                total
            })
        },
    );
    g.finish();
}

/// Whole small jobs, header and recipient wrap included: what a print server pays per
/// job besides the payload.
fn latency(c: &mut Criterion) {
    let mut g = c.benchmark_group("latency");
    let data = vec![0x5au8; KIB];
    let mut sealed = vec![0u8; 64 * KIB];
    let mut out = vec![0u8; 64 * KIB];
    let k = kek();
    let x = X25519Identity::generate_with_rng(&mut seeded_rng([5; 32]));
    let xr = x.to_public();
    let recipients: [(&str, &dyn Recipient, &(dyn Identity + Send + Sync)); 2] =
        [("kek", &k, &k), ("x25519", &xr, &x)];
    for (name, r, id) in recipients {
        let opts = SealOptions::new("application/pdf").created_at(1);
        g.bench_function(
            BenchmarkId::new(format!("seal-1KiB/{name}"), Backend::DEFAULT.name()),
            |b| b.iter(|| seal_job(&opts, &[r], black_box(&data), &mut sealed)),
        );
        let n = seal_job(&opts, &[r], &data, &mut sealed);
        let job = sealed[..n].to_vec();
        g.bench_function(
            BenchmarkId::new(format!("open-1KiB/{name}"), Backend::DEFAULT.name()),
            |b| b.iter(|| open_job(id, Backend::DEFAULT, black_box(&job), &mut out)),
        );
    }
    g.finish();
}

/// Issue 14's small jobs: the one-shot `seal` / `open` (which allocate their output)
/// against the push API into preallocated buffers, KEK recipient, default backend.
/// Goals: one-shot open at most 1.1x one-shot seal, and one-shot within 10% of the push
/// API from 64 KiB on.
fn one_shot(c: &mut Criterion) {
    let mut g = c.benchmark_group("one-shot");
    let k = kek();
    let opts = SealOptions::new("application/pdf").created_at(1);
    for size in [64 * KIB, 100 * KIB, MIB] {
        g.throughput(Throughput::Bytes(size as u64));
        let data = vec![0x5au8; size];
        let mut sealed = vec![0u8; size + size / 64 + 4096];
        let mut out = vec![0u8; size + CHUNK_SIZE];
        g.bench_function(BenchmarkId::new("seal/one-shot", size), |b| {
            b.iter(|| printseal::seal(&opts, &[&k], black_box(&data)).expect("seal"))
        });
        g.bench_function(BenchmarkId::new("seal/push", size), |b| {
            b.iter(|| seal_job(&opts, &[&k], black_box(&data), &mut sealed))
        });
        let job = printseal::seal(&opts, &[&k], &data).expect("seal");
        g.bench_function(BenchmarkId::new("open/one-shot", size), |b| {
            b.iter(|| printseal::open(black_box(&job), &[&k]).expect("open"))
        });
        g.bench_function(BenchmarkId::new("open/push", size), |b| {
            b.iter(|| open_job(&k, Backend::DEFAULT, black_box(&job), &mut out))
        });
    }
    g.finish();
}

/// Rayon with a thread per core against one thread, same code path, same buffers.
/// `main` runs every benchmark inside a one-thread pool (so that the throughput group
/// measures one thread, as its raw-AEAD baseline does); "parallel" installs a pool of
/// rayon's default size, a thread per core, around each iteration.
#[cfg(feature = "parallel")]
fn parallel(c: &mut Criterion) {
    let k = kek();
    let all = rayon::ThreadPoolBuilder::new().build().expect("pool");
    let b = Backend::DEFAULT;
    for suite in Suite::ALL {
        let mut g = c.benchmark_group(format!("parallel/{}", suite_name(suite)));
        g.sample_size(10);
        for size in [8 * MIB, 64 * MIB].into_iter().filter(|&s| s <= max_size()) {
            g.throughput(Throughput::Bytes(size as u64));
            let data = vec![0x5au8; size];
            let mut sealed = vec![0u8; size + size / 64 + 4096];
            let mut out = vec![0u8; size + CHUNK_SIZE];
            let opts = SealOptions::new("application/pdf")
                .suite(suite)
                .created_at(1)
                .backend(b);
            g.bench_function(BenchmarkId::new("seal/single", size), |bench| {
                bench.iter(|| seal_job(&opts, &[&k], black_box(&data), &mut sealed))
            });
            g.bench_function(BenchmarkId::new("seal/parallel", size), |bench| {
                bench.iter(|| all.install(|| seal_job(&opts, &[&k], black_box(&data), &mut sealed)))
            });
            let n = seal_job(&opts, &[&k], &data, &mut sealed);
            let job = sealed[..n].to_vec();
            g.bench_function(BenchmarkId::new("open/single", size), |bench| {
                bench.iter(|| open_job(&k, b, black_box(&job), &mut out))
            });
            g.bench_function(BenchmarkId::new("open/parallel", size), |bench| {
                bench.iter(|| all.install(|| open_job(&k, b, black_box(&job), &mut out)))
            });
        }
        g.finish();
    }
}

#[cfg(not(feature = "parallel"))]
fn parallel(_: &mut Criterion) {}

criterion_group!(benches, throughput, in_place, latency, one_shot, parallel);

fn main() {
    // With `parallel`, runs of 8 chunks and more would otherwise go to rayon's global
    // pool: one thread here keeps every benchmark but the "parallel" ones single-threaded.
    #[cfg(feature = "parallel")]
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool")
        .install(benches);
    #[cfg(not(feature = "parallel"))]
    benches();
    Criterion::default().configure_from_args().final_summary();
}
