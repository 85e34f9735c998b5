//! The main job: seal a sample print job for a fresh KEK, show its header without the
//! key, open it, check the round trip, and print sizes and throughput.
//!
//! Run with `cargo run --release --example quickstart`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error;
use std::time::Instant;

use printseal::{Header, Kek, Opener, SealOptions, Sealer, Suite};

/// A small real PDF, kept in the repository.
const SAMPLE_JOB: &[u8] = include_bytes!("data/sample-job.pdf");

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() -> Result<(), Box<dyn Error>> {
    // 1. A print server's key-encryption key, as its key store would hold it.
    let kek = Kek::generate()?;

    // 2. Seal the job, with public metadata and encrypted private metadata.
    let options = SealOptions::new("application/pdf")
        .job_id("spool-000042")
        .private_entry("title", b"Quarterly payroll summary")?
        .private_entry("owner", b"alice@example.org")?;
    let sealed = printseal::seal(&options, &[&kek], SAMPLE_JOB)?;

    // 3. What anyone can see without a key.
    let header = Header::parse(&sealed)?;
    let public = header.public_metadata();
    println!("sealed header (read without any key):");
    println!("  format version   {}", printseal::FORMAT_VERSION);
    println!("  suite            {}", header.suite());
    println!(
        "  producer         {} {}",
        public.producer_name, public.producer_version
    );
    println!("  content type     {}", public.content_type);
    println!("  created          {} (unix seconds)", public.created);
    println!(
        "  job id           {}",
        public.job_id.as_deref().unwrap_or("-")
    );
    for (i, stanza) in header.stanzas().iter().enumerate() {
        let key_id = stanza.body().get(..16).map(hex).unwrap_or_default();
        println!(
            "  stanza {i}         kind 0x{:04x}, key id {key_id}",
            stanza.kind()
        );
    }

    // 4. Open it and check the round trip.
    let opened = printseal::open(&sealed, &[&kek])?;
    if opened.plaintext != SAMPLE_JOB {
        return Err("round trip mismatch".into());
    }
    let title = opened.private_metadata.get("title").unwrap_or_default();
    println!(
        "opened: {} bytes, title {:?}",
        opened.plaintext.len(),
        String::from_utf8_lossy(title)
    );
    println!(
        "sizes: job {} B, sealed {} B (header {} B, payload overhead {} B)",
        SAMPLE_JOB.len(),
        sealed.len(),
        header.len(),
        sealed.len() - header.len() - SAMPLE_JOB.len()
    );

    // 5. Throughput on a large job, both suites, through the push API with buffers
    //    allocated once (as a print server streaming a spool file would).
    let big: Vec<u8> = SAMPLE_JOB.iter().copied().cycle().take(64 << 20).collect();
    for suite in Suite::ALL {
        let opts = SealOptions::new("application/pdf").suite(suite);
        let mut sealer = Sealer::new(&opts, &[&kek])?;
        let mut sealed = vec![0u8; sealer.update_output_len(big.len()) + 64 * 1024];
        let t = Instant::now();
        let mut n = sealer.update(&big, &mut sealed)?;
        n += sealer.finish(&mut sealed[n..])?;
        let seal_s = t.elapsed().as_secs_f64();
        sealed.truncate(n);

        let mut opener = Opener::new().unlock_with(vec![printseal::boxed(kek.clone())]);
        let mut plain = vec![0u8; opener.update_output_len(sealed.len()) + 64 * 1024];
        let t = Instant::now();
        let p = opener.update(&sealed, &mut plain)?;
        let m = p.written + opener.finish(&mut plain[p.written..])?;
        let open_s = t.elapsed().as_secs_f64();
        if plain[..m] != big[..] {
            return Err("large round trip mismatch".into());
        }
        let mb = big.len() as f64 / 1e6;
        println!(
            "throughput {suite}: 64 MiB sealed at {:.0} MB/s, opened at {:.0} MB/s",
            mb / seal_s,
            mb / open_s
        );
    }
    println!("round trip OK");
    Ok(())
}
