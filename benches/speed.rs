//! The benchmark program of `scripts/bench-speed.sh` (issue 14, "How it is measured"),
//! a `harness = false` bench target: `cargo bench --bench speed -- mem 64 5`. It uses a
//! fixed, public KEK. Without arguments (as `cargo test --all-targets` runs it) it
//! does a 1 MiB smoke run of `mem`.
//!
//! - `speed mem [MiB] [runs] [threads]`: in memory, in a rayon pool of `threads`
//!   threads (default 1; more matters only with the `parallel` feature), the median of
//!   `runs` runs of each of: the push API (`Sealer::update` / `Opener::update` into
//!   preallocated buffers), the push API in place, the `std::io` adapters with 8 KiB
//!   (what `io::copy` gives), 1 MiB and 16 MiB writes / reads, and the raw AEAD of the
//!   default backend over the same chunks (in/out); ratios against the push API of the
//!   same run.
//! - `speed seal|open [copy|1m|16m]`: stdin to stdout through `SealWriter` /
//!   `OpenReader`, by `io::copy` (default) or 1 MiB / 16 MiB pieces: the adapters in a
//!   whole process, beside the `printseal` command line.
//! - `speed rewrap-file PATH`: `io::rewrap_file` of a job sealed by `speed seal`, to
//!   the same KEK (a new stanza, the payload kept): the rewrap rows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::io::{self, Read, Write};
use std::time::Instant;

use printseal::hazmat::{Backend, CHUNK_SIZE, RawAead};
use printseal::io::{OpenReader, SealWriter};
use printseal::{Kek, Opener, SealOptions, Sealer, Suite};

const MIB: usize = 1 << 20;

fn kek() -> Kek {
    Kek::new([0x42; 16], [0x24; 32])
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Runs `f` once to warm up, then `runs` times; the median in seconds.
fn time(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn write_in_pieces(w: &mut impl Write, data: &[u8], piece: usize) {
    for p in data.chunks(piece) {
        w.write_all(p).expect("write");
    }
}

/// A writer that drops what it is given after passing it through `black_box` (so the
/// bytes must really be produced), counting them.
struct Discard(usize);

impl Write for Discard {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += black_box(buf).len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn mem(size: usize, runs: usize) {
    let k = kek();
    let opts = SealOptions::new("application/pdf").created_at(1);
    let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let mut sealed = vec![0u8; size + size / 64 + 4096];
    let mut plain = vec![0u8; size + CHUNK_SIZE];
    let mut rows: Vec<(String, f64, f64)> = Vec::new();

    let mut job_len = 0;
    let seal_push = time(runs, || {
        let mut s = Sealer::new(&opts, &[&k]).expect("sealer");
        let w = s.update(&data, &mut sealed).expect("update");
        job_len = w + s.finish(&mut sealed[w..]).expect("finish");
    });
    let job = sealed[..job_len].to_vec();
    let open_push = time(runs, || {
        let mut o = Opener::new().unlock_with(vec![printseal::boxed(k.clone())]);
        let p = o.update(&job, &mut plain).expect("update");
        black_box(p.written + o.finish(&mut plain[p.written..]).expect("finish"));
    });
    rows.push((
        "push API (update into preallocated buffers)".into(),
        seal_push,
        open_push,
    ));

    let mut work = vec![0u8; job.len().max(size) + CHUNK_SIZE];
    let mut seal_ip = Vec::new();
    let mut open_ip = Vec::new();
    for i in 0..=runs {
        work[..size].copy_from_slice(&data);
        let t = Instant::now();
        let mut s = Sealer::new(&opts, &[&k]).expect("sealer");
        let w = s.update_in_place(&mut work, size).expect("update");
        black_box(w + s.finish(&mut work[w..]).expect("finish"));
        let e = t.elapsed().as_secs_f64();
        work[..job.len()].copy_from_slice(&job);
        let t = Instant::now();
        let mut o = Opener::new().unlock_with(vec![printseal::boxed(k.clone())]);
        let p = o.update_in_place(&mut work[..job.len()]).expect("update");
        let end = job.len();
        black_box(
            o.finish_in_place(&mut work[p.consumed..end])
                .expect("finish"),
        );
        let f = t.elapsed().as_secs_f64();
        if i > 0 {
            seal_ip.push(e);
            open_ip.push(f);
        }
    }
    rows.push(("push API in place".into(), median(seal_ip), median(open_ip)));

    // The push API doing the adapters' I/O: input read from a `Read` (`&[u8]`, a copy
    // into the caller's buffer, as from a file) in pieces, output into one reused
    // buffer and the same sink. The like-for-like baseline of the adapter rows.
    for (name, piece) in [("8 KiB", 8 * 1024), ("1 MiB", MIB)] {
        let mut inbuf = vec![0u8; piece];
        let mut outbuf = Vec::new();
        let s = time(runs, || {
            let mut src = &data[..];
            let mut sink = Discard(0);
            let mut sealer = Sealer::new(&opts, &[&k]).expect("sealer");
            loop {
                let n = src.read(&mut inbuf).expect("read");
                if n == 0 {
                    break;
                }
                outbuf.resize(outbuf.len().max(sealer.update_output_len(n)), 0);
                let w = sealer.update(&inbuf[..n], &mut outbuf).expect("update");
                sink.write_all(&outbuf[..w]).expect("write");
            }
            let w = sealer.finish_to_vec(&mut outbuf).expect("finish");
            black_box(w);
        });
        let o = time(runs, || {
            let mut src = &job[..];
            let mut o = Opener::new().unlock_with(vec![printseal::boxed(k.clone())]);
            let mut total = 0;
            loop {
                let n = src.read(&mut inbuf).expect("read");
                if n == 0 {
                    break;
                }
                let room = o.update_output_len(n);
                outbuf.resize(outbuf.len().max(room), 0);
                let p = o.update(&inbuf[..n], &mut outbuf).expect("update");
                total += black_box(&outbuf[..p.written]).len();
            }
            outbuf.resize(outbuf.len().max(o.finish_output_len()), 0);
            total += o.finish(&mut outbuf).expect("finish");
            assert_eq!(total, size);
        });
        rows.push((format!("push API, same I/O ({name} pieces)"), s, o));
    }

    // The adapters' own cost: the sealed bytes go to a sink that only passes them
    // through `black_box`, and plaintext is read into one reused buffer, as a program
    // that writes them to a file or socket would. 8 KiB is what `io::copy` from a
    // `File` (or to one) gives; 1 MiB and 16 MiB are large caller buffers.
    for (name, piece) in [
        ("8 KiB writes/reads (io::copy)", 8 * 1024),
        ("1 MiB writes/reads", MIB),
        ("16 MiB writes/reads", 16 * MIB),
    ] {
        let s = time(runs, || {
            let mut w = SealWriter::new(Discard(0), &opts, &[&k]).expect("writer");
            write_in_pieces(&mut w, &data, piece);
            black_box(w.finish().expect("finish").0);
        });
        let mut buf = vec![0u8; piece];
        let o = time(runs, || {
            let mut r = OpenReader::new(&job[..], &[&k]).expect("reader");
            let mut total = 0;
            loop {
                let n = r.read(&mut buf).expect("read");
                if n == 0 {
                    break;
                }
                total += black_box(&buf[..n]).len();
            }
            assert_eq!(total, size);
        });
        rows.push((format!("adapters, {name}"), s, o));
    }

    let aead = RawAead::new(Suite::Aes256Gcm, &[9; 32], Backend::DEFAULT).expect("aead");
    let mut tags = Vec::new();
    let raw_seal = time(runs, || {
        tags.clear();
        for (i, (src, dst)) in data
            .chunks(CHUNK_SIZE)
            .zip(sealed.chunks_mut(CHUNK_SIZE))
            .enumerate()
        {
            let mut n = [0u8; 12];
            n[4..].copy_from_slice(&(i as u64).to_be_bytes());
            tags.push(
                aead.seal(&n, &[], src, &mut dst[..src.len()])
                    .expect("seal"),
            );
        }
    });
    let raw_open = time(runs, || {
        for (i, ((src, dst), tag)) in sealed[..size]
            .chunks(CHUNK_SIZE)
            .zip(plain.chunks_mut(CHUNK_SIZE))
            .zip(&tags)
            .enumerate()
        {
            let mut n = [0u8; 12];
            n[4..].copy_from_slice(&(i as u64).to_be_bytes());
            aead.open(&n, &[], src, tag, &mut dst[..src.len()])
                .expect("open");
        }
    });
    rows.push((
        format!(
            "raw {} AES-256-GCM, same chunks (in/out)",
            Backend::DEFAULT.name()
        ),
        raw_seal,
        raw_open,
    ));

    let gb = size as f64 / 1e9;
    println!(
        "in memory, {} MiB, AES-256-GCM, backend {}, {} thread(s), median of {runs}:",
        size / MIB,
        Backend::DEFAULT.name(),
        rayon::current_num_threads()
    );
    println!("| path | seal GB/s | open GB/s | seal / push | open / push |");
    println!("|---|---:|---:|---:|---:|");
    for (name, s, o) in rows {
        println!(
            "| {name} | {:.2} | {:.2} | {:.2} | {:.2} |",
            gb / s,
            gb / o,
            seal_push / s,
            open_push / o
        );
    }
}

/// `speed one PATH [MiB]`: one path of `mem`, once, on a job of `MiB` (default 16),
/// for `valgrind --tool=callgrind` / `cachegrind` (instruction counts and simulated
/// cache misses, repeatable on a loaded machine). PATH is `push-seal`, `push-open`,
/// `pushio-seal`, `pushio-open` (the push API over a `Read` in 1 MiB pieces) or
/// `io-seal-N`, `io-open-N` (the adapters with N-KiB writes / reads).
fn one(path: &str, size: usize) {
    let k = kek();
    let opts = SealOptions::new("application/pdf").created_at(1);
    let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let job = printseal::seal(&opts, &[&k], &data).expect("seal");
    let (op, piece) = match path.rsplit_once('-') {
        Some((op @ ("io-seal" | "io-open"), kib)) => (op, kib.parse::<usize>().expect("KiB") << 10),
        _ => (path, MIB),
    };
    let mut buf = vec![0u8; piece];
    let mut out = vec![0u8; size + size / 64 + 4096];
    match op {
        "push-seal" => {
            let mut s = Sealer::new(&opts, &[&k]).expect("sealer");
            let w = s.update(&data, &mut out).expect("update");
            black_box(s.finish(&mut out[w..]).expect("finish"));
        }
        "push-open" => {
            let mut o = Opener::new().unlock_with(vec![printseal::boxed(k.clone())]);
            let p = o.update(&job, &mut out).expect("update");
            black_box(o.finish(&mut out[p.written..]).expect("finish"));
        }
        "pushio-seal" => {
            let (mut src, mut sink) = (&data[..], Discard(0));
            let mut s = Sealer::new(&opts, &[&k]).expect("sealer");
            loop {
                let n = src.read(&mut buf).expect("read");
                if n == 0 {
                    break;
                }
                let w = s.update(&buf[..n], &mut out).expect("update");
                sink.write_all(&out[..w]).expect("write");
            }
            black_box(s.finish(&mut out).expect("finish"));
        }
        "pushio-open" => {
            let mut src = &job[..];
            let mut o = Opener::new().unlock_with(vec![printseal::boxed(k.clone())]);
            loop {
                let n = src.read(&mut buf).expect("read");
                if n == 0 {
                    break;
                }
                let p = o.update(&buf[..n], &mut out).expect("update");
                black_box(&out[..p.written]);
            }
            black_box(o.finish(&mut out).expect("finish"));
        }
        "io-seal" => {
            let mut w = SealWriter::new(Discard(0), &opts, &[&k]).expect("writer");
            write_in_pieces(&mut w, &data, piece);
            black_box(w.finish().expect("finish").0);
        }
        "io-open" => {
            let mut r = OpenReader::new(&job[..], &[&k]).expect("reader");
            while r.read(&mut buf).expect("read") > 0 {
                black_box(&buf);
            }
        }
        // The setup alone, to subtract from the others' counts.
        "none" => {}
        _ => panic!("unknown path {path}"),
    }
}

fn pipe(op: &str, mode: &str) -> io::Result<()> {
    let k = kek();
    let piece = match mode {
        "1m" => MIB,
        "16m" => 16 * MIB,
        // "<n>k": pieces of n KiB.
        k => k
            .strip_suffix('k')
            .and_then(|n| n.parse::<usize>().ok())
            .map_or(0, |n| n << 10),
    };
    // The file descriptors themselves, not `io::stdout()`: std's stdout is line
    // buffered (it scans every write for a newline and copies the tail, which showed
    // up in the profile as `memrchr` and `memcpy` on sealed bytes).
    let mut input = std::fs::File::open("/dev/stdin")?;
    let stdout = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/stdout")?;
    if op == "seal" {
        let opts = SealOptions::new("application/octet-stream");
        let mut w = SealWriter::new(stdout, &opts, &[&k]).map_err(io::Error::from)?;
        if piece == 0 {
            io::copy(&mut input, &mut w)?;
        } else {
            let mut buf = vec![0u8; piece];
            loop {
                let n = input.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                w.write_all(&buf[..n])?;
            }
        }
        w.finish()?.flush()?;
    } else {
        let mut r = OpenReader::new(input, &[&k]).map_err(io::Error::from)?;
        let mut out = stdout;
        if piece == 0 {
            io::copy(&mut r, &mut out)?;
        } else {
            let mut buf = vec![0u8; piece];
            loop {
                let n = r.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                out.write_all(&buf[..n])?;
            }
        }
        out.flush()?;
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        None => mem(MIB, 1),
        Some("mem") => {
            let mib = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(64);
            let runs = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
            let threads = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool");
            pool.install(|| mem(mib * MIB, runs));
        }
        Some("one") => {
            let path = args.get(1).expect("speed one PATH [MiB]");
            let mib: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
            one(path, mib * MIB);
        }
        Some("rewrap-file") => {
            let path = args.get(1).expect("speed rewrap-file PATH");
            let k = kek();
            if let Err(e) =
                printseal::io::rewrap_file(path, &[&k], &[&k], &printseal::RewrapOptions::new())
            {
                eprintln!("speed rewrap-file: {e}");
                std::process::exit(1);
            }
        }
        Some(op @ ("seal" | "open")) => {
            let mode = args.get(1).map(String::as_str).unwrap_or("copy");
            if let Err(e) = pipe(op, mode) {
                eprintln!("speed {op}: {e}");
                std::process::exit(1);
            }
        }
        _ => {
            eprintln!(
                "usage: speed mem [MiB] [runs] [threads] | speed seal|open [copy|1m|16m] \
                 | speed rewrap-file PATH"
            );
            std::process::exit(2);
        }
    }
}
