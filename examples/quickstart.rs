//! The main job: seal the sample print job for a fresh KEK, read its header without the
//! key, open it, and see a tampered copy refused.
//!
//! Run with `cargo run --release --example quickstart`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error;
use std::io::Write;

use printseal::{Header, Kek, SealOptions};

/// A small real PDF, kept in the repository.
const SAMPLE_JOB: &[u8] = include_bytes!("data/sample-job.pdf");

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Everything the example does, printing to `out` (the tests run it too).
///
/// # Errors
///
/// A failed seal or open, a round trip that differs, or a tampered job that opens.
pub fn run(out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    let info = printseal::build_info();
    writeln!(
        out,
        "printseal {} ({} crypto backend, features: {})",
        info.crate_version,
        info.crypto_backend,
        info.features.join(", ")
    )?;

    // 1. A print server's key-encryption key, as its key store would hold it.
    let kek = Kek::generate()?;

    // 2. Seal the job, with public metadata and encrypted private metadata.
    let options = SealOptions::new("application/pdf")
        .job_id("spool-000042")
        .private_entry("title", b"Quarterly payroll summary")?
        .private_entry("owner", b"alice@example.org")?;
    let sealed = printseal::seal(&options, &[&kek], SAMPLE_JOB)?;
    writeln!(
        out,
        "sealed examples/data/sample-job.pdf: {} bytes -> {} bytes",
        SAMPLE_JOB.len(),
        sealed.len()
    )?;

    // 3. What anyone can see without a key.
    let header = Header::parse(&sealed)?;
    let public = header.public_metadata();
    writeln!(out, "header, read without any key:")?;
    writeln!(out, "  format version  {}", printseal::FORMAT_VERSION)?;
    writeln!(out, "  suite           {}", header.suite())?;
    writeln!(
        out,
        "  producer        {} {}",
        public.producer_name, public.producer_version
    )?;
    writeln!(out, "  content type    {}", public.content_type)?;
    writeln!(out, "  created         {} (unix seconds)", public.created)?;
    writeln!(
        out,
        "  job id          {}",
        public.job_id.as_deref().unwrap_or("-")
    )?;
    for (i, stanza) in header.stanzas().iter().enumerate() {
        let key_id = stanza.body().get(..16).map(hex).unwrap_or_default();
        writeln!(
            out,
            "  stanza {i}        kind 0x{:04x}, key id {key_id}",
            stanza.kind()
        )?;
    }
    writeln!(
        out,
        "  (title and owner are encrypted: only a recipient sees them)"
    )?;

    // 4. Open it with the key: the same bytes and the private metadata come back.
    let opened = printseal::open(&sealed, &[&kek])?;
    if opened.plaintext != SAMPLE_JOB {
        return Err("round trip mismatch".into());
    }
    let get = |k: &str| String::from_utf8_lossy(opened.private_metadata.get(k).unwrap_or_default());
    writeln!(
        out,
        "opened with the KEK ({} backend): {} bytes, identical to the input",
        printseal::hazmat::Backend::DEFAULT.name(),
        opened.plaintext.len()
    )?;
    writeln!(out, "  title           {}", get("title"))?;
    writeln!(out, "  owner           {}", get("owner"))?;

    // 5. One changed byte in the payload, or another key: refused, nothing released.
    let mut tampered = sealed.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    match printseal::open(&tampered, &[&kek]) {
        Ok(_) => return Err("a tampered job opened".into()),
        Err(e) => writeln!(out, "tampered copy refused: {e}")?,
    }
    match printseal::open(&sealed, &[&Kek::generate()?]) {
        Ok(_) => return Err("a job opened with the wrong key".into()),
        Err(e) => writeln!(out, "another KEK refused: {e}")?,
    }
    writeln!(out, "round trip OK")?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    run(&mut std::io::stdout().lock())
}
