//! The open policy from the command line's policy flags.

use printseal::{OpenOptions, OpenPolicy, Suite, VersionRange};

use crate::cli::{PolicyFlags, SuiteArg};
use crate::error::{CliError, Result};

pub(crate) fn suite(s: SuiteArg) -> Suite {
    match s {
        SuiteArg::Aes => Suite::Aes256Gcm,
        SuiteArg::Chacha => Suite::ChaCha20Poly1305,
    }
}

/// Splits `NAME@SPEC` at the first `@`.
pub(crate) fn name_at<'a>(s: &'a str, flag: &str, example: &str) -> Result<(&'a str, &'a str)> {
    match s.split_once('@') {
        Some((n, v)) if !n.is_empty() && !v.trim().is_empty() => Ok((n, v)),
        _ => Err(CliError::usage(format!("{flag} {s:?} is not NAME@VERSION"))
            .with_remedy(format!("write it as {flag} {example}"))),
    }
}

/// A producer range `NAME@RANGE`.
pub(crate) fn producer_range(s: &str, flag: &str) -> Result<VersionRange> {
    let (name, range) = name_at(s, flag, "'printseal@>=0.2.0, <0.2.5'")?;
    VersionRange::new(name, range).map_err(|e| {
        CliError::usage(format!("{flag} {s:?}: {e}"))
            .with_remedy(format!("write it as {flag} 'printseal@>=0.2.0, <0.2.5'"))
    })
}

/// A SHA-256 digest in hex.
pub(crate) fn digest(s: &str, flag: &str) -> Result<[u8; 32]> {
    let s = s.trim();
    let bad = || {
        CliError::usage(format!("{flag} {s:?} is not a SHA-256 digest")).with_remedy(format!(
            "pass {flag} 64 hex digits (as `printseal inspect` shows)"
        ))
    };
    if s.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// The policy the flags describe (expired jobs refused unless `--allow-expired`).
pub(crate) fn build(flags: &PolicyFlags) -> Result<OpenPolicy> {
    let mut p = OpenPolicy::new().allow_expired(flags.allow_expired);
    for m in &flags.min_producer {
        let (name, v) = name_at(m, "--min-producer", "printseal@0.1.0")?;
        p = p.min_producer_version(name, v).map_err(|e| {
            CliError::usage(format!("--min-producer {m:?}: {e}"))
                .with_remedy("write it as --min-producer printseal@0.1.0")
        })?;
    }
    for d in &flags.deny_producer {
        p = p.deny(producer_range(d, "--deny-producer")?);
    }
    for d in &flags.deny_sbom {
        p = p.deny_sbom_sha256(digest(d, "--deny-sbom")?);
    }
    if !flags.suites.is_empty() {
        let suites: Vec<Suite> = flags.suites.iter().map(|s| suite(*s)).collect();
        p = p.accept_suites(&suites);
    }
    Ok(p)
}

/// The open options the flags describe.
pub(crate) fn options(flags: &PolicyFlags) -> Result<OpenOptions> {
    Ok(OpenOptions::new().policy(build(flags)?))
}
