//! What this build of printseal is made of: [`build_info`], the embedded CycloneDX 1.6
//! SBOM and CBOM ([`sbom_json`], [`sbom_sha256`]) and the registry of cryptographic
//! algorithms the CBOM is written from ([`algorithms`]).
//!
//! The SBOM is made by `build.rs` (the code is in `build/`) when the crate is compiled,
//! from `cargo metadata` of the workspace being built, for the features and the target
//! of that build, wherever the target directory lies: every crate compiled into the library (name, version,
//! `pkg:cargo/NAME@VERSION` purl, licence, Cargo.lock SHA-256), the dependency
//! relations, and a `cryptographic-asset` component for every algorithm that a payload
//! suite, a recipient stanza kind or the header uses. Proc-macro crates and what only
//! they use run inside the compiler; they are listed with scope `excluded`.
//!
//! Every job sealed with [`crate::SealOptions::new`] records [`sbom_sha256`] in its
//! public metadata, so that the jobs sealed by a build with a flawed component can be
//! found from their headers alone (see `printseal::io::scan`).

use core::fmt;

#[path = "algorithms.rs"]
mod table;

pub use table::{ALGORITHMS, Algorithm, HEADER, Registration, STANZA_KINDS, SUITES};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/build_info.rs"));
}

/// The CycloneDX 1.6 JSON document (SBOM and CBOM) of this build, as `build.rs` wrote
/// it. Deterministic: the same sources, features, target and toolchain give the same
/// bytes (a timestamp is included only when `SOURCE_DATE_EPOCH` is set).
pub fn sbom_json() -> &'static str {
    include_str!(concat!(env!("OUT_DIR"), "/sbom.cdx.json"))
}

/// SHA-256 of [`sbom_json`]'s bytes, computed at build time. Recorded in the public
/// metadata of every job sealed with default [`crate::SealOptions`].
pub fn sbom_sha256() -> [u8; 32] {
    generated::SBOM_SHA256
}

/// The algorithms that this build can emit or accept: those of [`ALGORITHMS`] that
/// [`HEADER`], a payload suite ([`SUITES`]) or a recipient stanza kind
/// ([`STANZA_KINDS`]) uses. Exactly the CBOM's algorithm assets, in table order.
pub fn algorithms() -> impl Iterator<Item = &'static Algorithm> {
    ALGORITHMS.iter().filter(|a| {
        core::iter::once(&HEADER)
            .chain(SUITES)
            .chain(STANZA_KINDS)
            .any(|r| r.algorithms.contains(&a.id))
    })
}

/// How complete the component list of the embedded SBOM is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SbomCompleteness {
    /// Resolved by `cargo metadata` in the workspace being built, for exactly this
    /// build's printseal features and target.
    Exact,
    /// The workspace being built was not found (nothing said which one it is, and no
    /// candidate resolves this printseal with this build's features): the crates are
    /// those printseal's own workspace resolves for these features, with the versions
    /// of its Cargo.lock, which may differ from those compiled in.
    /// `printseal:sbom:source` in the document says so.
    Approximate,
    /// `cargo metadata` resolved nothing usable: printseal alone.
    RootOnly,
}

impl SbomCompleteness {
    const fn from_generated(s: &str) -> SbomCompleteness {
        match s.as_bytes() {
            b"exact" => SbomCompleteness::Exact,
            b"approximate" => SbomCompleteness::Approximate,
            _ => SbomCompleteness::RootOnly,
        }
    }

    /// The word the SBOM uses for it (`printseal:sbom:completeness`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SbomCompleteness::Exact => "exact",
            SbomCompleteness::Approximate => "approximate",
            SbomCompleteness::RootOnly => "root-only",
        }
    }
}

/// Facts about this build of the library, from [`build_info`]. `Display` gives a short
/// human-readable summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuildInfo {
    /// The crate name, `printseal`.
    pub crate_name: &'static str,
    /// The crate version (SemVer), as recorded in sealed headers.
    pub crate_version: &'static str,
    /// Format versions this build opens.
    pub format_versions_read: &'static [u8],
    /// The format version this build seals.
    pub format_version_written: u8,
    /// The git commit the library was built from: `PRINTSEAL_GIT_COMMIT` at build time,
    /// the commit Cargo recorded when it packaged the crate, or `git rev-parse HEAD`.
    /// `None` when none of those is known.
    pub git_commit: Option<&'static str>,
    /// `rustc -V` of the compiler that built it.
    pub rustc_version: &'static str,
    /// The target triple.
    pub target: &'static str,
    /// The Cargo profile (`debug` or `release`).
    pub profile: &'static str,
    /// The cargo features of printseal that were enabled, sorted.
    pub features: &'static [&'static str],
    /// The chunk AEAD backend used unless a caller picks another
    /// ([`crate::hazmat::Backend::DEFAULT`]): `rustcrypto`, or `aws-lc-rs` when that
    /// feature is on. Key wrapping, HPKE and the KDFs are RustCrypto in every build.
    pub crypto_backend: &'static str,
    /// Number of crates the SBOM lists besides printseal (proc-macros included).
    pub sbom_components: usize,
    /// How complete that list is.
    pub sbom_completeness: SbomCompleteness,
    /// SHA-256 of the embedded SBOM ([`sbom_sha256`]).
    pub sbom_sha256: [u8; 32],
}

const BUILD_INFO: BuildInfo = BuildInfo {
    crate_name: crate::PRODUCER_NAME,
    crate_version: crate::VERSION,
    format_versions_read: &[crate::format::header::VERSION],
    format_version_written: crate::format::header::VERSION,
    git_commit: generated::GIT_COMMIT,
    rustc_version: generated::RUSTC_VERSION,
    target: generated::TARGET,
    profile: generated::PROFILE,
    features: generated::FEATURES,
    // Replaced in `build_info` by the backend enum's own default (cfg-driven).
    crypto_backend: generated::CRYPTO_BACKEND,
    sbom_components: generated::SBOM_LIBRARY_COMPONENTS,
    sbom_completeness: SbomCompleteness::from_generated(generated::SBOM_COMPLETENESS),
    sbom_sha256: generated::SBOM_SHA256,
};

/// Facts about this build: versions, toolchain, target, features, crypto backend and
/// the SBOM digest.
pub fn build_info() -> BuildInfo {
    BuildInfo {
        crypto_backend: crate::hazmat::Backend::DEFAULT.name(),
        ..BUILD_INFO
    }
}

struct Hex<'a>(&'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

struct List<'a, T>(&'a [T]);

impl<T: fmt::Display> fmt::Display for List<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(none)");
        }
        for (i, x) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{x}")?;
        }
        Ok(())
    }
}

impl fmt::Display for BuildInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.crate_name, self.crate_version)?;
        writeln!(
            f,
            "  format:         reads v{}, writes v{}",
            List(self.format_versions_read),
            self.format_version_written
        )?;
        writeln!(
            f,
            "  git commit:     {}",
            self.git_commit.unwrap_or("unknown")
        )?;
        writeln!(f, "  compiler:       {}", self.rustc_version)?;
        writeln!(f, "  target:         {} ({})", self.target, self.profile)?;
        writeln!(f, "  features:       {}", List(self.features))?;
        writeln!(f, "  crypto backend: {}", self.crypto_backend)?;
        write!(
            f,
            "  SBOM:           CycloneDX 1.6, {} crates ({}), sha256 {}",
            self.sbom_components,
            self.sbom_completeness.as_str(),
            Hex(&self.sbom_sha256)
        )
    }
}
