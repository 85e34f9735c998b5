//! The Rust push API's throughput, the baseline of `scripts/bench_ffi.sh`: seals and
//! opens `SIZE_MIB` MiB (argument 1, default 1024) in 1 MiB updates, the same steps as
//! the C benchmark (`ffi/bench/bench.c`), and prints MiB/s for each.

use std::time::Instant;

use printseal::{Kek, Opener, SealOptions, Sealer};

fn main() -> Result<(), printseal::Error> {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1024);
    const STEP: usize = 1 << 20;
    let kek = Kek::generate()?;
    let input: Vec<u8> = (0..STEP).map(|i| (i * 31 % 251) as u8).collect();
    let opts = SealOptions::new("application/octet-stream");

    // Seal: the sealed stream of the first MiB is kept for the open pass, which
    // opens a job made of `mib` such MiB steps (sealed once, outside the timing).
    let mut sealer = Sealer::new(&opts, &[&kek])?;
    let mut out = vec![0u8; sealer.update_output_len(STEP) + 16400];
    let t = Instant::now();
    let mut sealed_total = 0usize;
    for _ in 0..mib {
        sealed_total += sealer.update(&input, &mut out)?;
    }
    sealed_total += sealer.finish(&mut out)?;
    let seal_s = t.elapsed().as_secs_f64();
    std::hint::black_box(sealed_total);

    let mut job = Vec::new();
    let mut sealer = Sealer::new(&opts, &[&kek])?;
    for _ in 0..mib {
        sealer.update_to_vec(&input, &mut job)?;
    }
    sealer.finish_to_vec(&mut job)?;

    let mut opener = Opener::new().unlock_with(vec![printseal::boxed(kek.clone())]);
    let mut plain = vec![0u8; STEP + 2 * 16384];
    let t = Instant::now();
    let mut opened = 0usize;
    for piece in job.chunks(STEP) {
        opened += opener.update(piece, &mut plain)?.written;
    }
    opened += opener.finish(&mut plain)?;
    let open_s = t.elapsed().as_secs_f64();
    assert_eq!(opened, mib * STEP);
    println!("rust push seal {:.1} MiB/s", mib as f64 / seal_s);
    println!("rust push open {:.1} MiB/s", mib as f64 / open_s);
    Ok(())
}
