//! What an opener accepts: [`OpenPolicy`] over the producer, its version and SBOM, the
//! payload suite, the recipient stanza kinds and the expiry time.
//!
//! Every opener checks the policy of its [`crate::OpenOptions`] in
//! `unlock`, right after the header MAC verified (so every field it looks at is
//! authentic) and before the private metadata or any payload byte is decrypted. A job
//! that breaks it fails with [`Error::PolicyViolation`]. [`OpenPolicy::check_header`]
//! runs the same checks without a key, on a header that is not yet authenticated.
//!
//! Versions are compared as SemVer 2.0 versions by precedence alone ([`ProducerVersion`]
//! orders `0.2.5-rc.1` below `0.2.5`); a [`VersionRange`] is a plain interval of that
//! order, so a deny range `>=0.2.0, <0.2.5` catches the pre-releases inside it too
//! (unlike Cargo's requirement matching, which skips pre-releases).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;
use core::str::FromStr;

use crate::error::{Error, Result};
use crate::format::header::Header;
use crate::format::metadata::PublicMetadata;
use crate::format::stanza::kind;
use crate::suite::Suite;

/// A SemVer 2.0 version `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, ordered by SemVer
/// precedence (build metadata is kept for display but ignored when comparing).
#[derive(Clone, Debug)]
pub struct ProducerVersion {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    build: String,
}

const BAD_VERSION: &str = "producer version (expected SemVer MAJOR.MINOR.PATCH[-PRE][+BUILD])";

impl ProducerVersion {
    /// Parses a SemVer 2.0 version, strictly: three numeric parts without leading
    /// zeros, optional dot-separated pre-release and build identifiers of
    /// `[0-9A-Za-z-]`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for anything else (`1.2`, `v1.2.3`, `01.2.3`, `1.2.3-`).
    pub fn parse(s: &str) -> Result<ProducerVersion> {
        let bad = || Error::InvalidInput(BAD_VERSION);
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (s, None),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let mut parts = core.split('.');
        let mut num = || -> Result<u64> {
            let p = parts.next().ok_or_else(bad)?;
            if p.is_empty()
                || !p.bytes().all(|b| b.is_ascii_digit())
                || (p.len() > 1 && p.starts_with('0'))
            {
                return Err(bad());
            }
            p.parse().map_err(|_| bad())
        };
        let (major, minor, patch) = (num()?, num()?, num()?);
        if parts.next().is_some() {
            return Err(bad());
        }
        let idents_ok = |s: &str, numeric_rule: bool| {
            s.split('.').all(|id| {
                !id.is_empty()
                    && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !(numeric_rule
                        && id.len() > 1
                        && id.starts_with('0')
                        && id.bytes().all(|b| b.is_ascii_digit()))
            })
        };
        if pre.is_some_and(|p| !idents_ok(p, true)) || build.is_some_and(|b| !idents_ok(b, false)) {
            return Err(bad());
        }
        Ok(ProducerVersion {
            major,
            minor,
            patch,
            pre: pre.unwrap_or("").to_string(),
            build: build.unwrap_or("").to_string(),
        })
    }

    /// The major version.
    pub fn major(&self) -> u64 {
        self.major
    }

    /// The minor version.
    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The patch version.
    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// The pre-release part (after `-`), empty for a release.
    pub fn pre(&self) -> &str {
        &self.pre
    }

    /// The build metadata (after `+`), empty if none.
    pub fn build(&self) -> &str {
        &self.build
    }
}

impl FromStr for ProducerVersion {
    type Err = Error;

    fn from_str(s: &str) -> Result<ProducerVersion> {
        ProducerVersion::parse(s)
    }
}

/// SemVer 2.0 section 11: numeric identifiers compare as numbers and below
/// alphanumeric ones, which compare in ASCII order; a longer list wins a tie.
fn cmp_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    let mut xs = a.split('.');
    let mut ys = b.split('.');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
                let o = match (numeric(x), numeric(y)) {
                    // No leading zeros: a longer number is a larger one.
                    (true, true) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

impl Ord for ProducerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| cmp_pre(&self.pre, &other.pre))
    }
}

impl PartialOrd for ProducerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ProducerVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ProducerVersion {}

impl fmt::Display for ProducerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "=",
            Op::Ge => ">=",
            Op::Gt => ">",
        }
    }
}

/// An interval of producer versions, optionally for one producer name: the builds with
/// a known flaw, for a deny list or a directory scan.
///
/// Written as comma-separated comparators that must all hold, each `<V`, `<=V`, `=V`
/// (or a bare `V`), `>=V` or `>V`, with `V` a full SemVer version; `*` alone is every
/// version. Comparison is by SemVer precedence only, pre-releases included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRange {
    producer: Option<String>,
    comparators: Vec<(Op, ProducerVersion)>,
}

const BAD_RANGE: &str =
    "version range (expected comma-separated <V, <=V, =V, >=V, >V with SemVer V, or *)";

impl VersionRange {
    /// A range of versions of any producer.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed comparator or version.
    pub fn parse(req: &str) -> Result<VersionRange> {
        let req = req.trim();
        if req == "*" {
            return Ok(VersionRange {
                producer: None,
                comparators: Vec::new(),
            });
        }
        let mut comparators = Vec::new();
        for part in req.split(',') {
            let p = part.trim();
            let (op, v) = if let Some(v) = p.strip_prefix(">=") {
                (Op::Ge, v)
            } else if let Some(v) = p.strip_prefix("<=") {
                (Op::Le, v)
            } else if let Some(v) = p.strip_prefix('>') {
                (Op::Gt, v)
            } else if let Some(v) = p.strip_prefix('<') {
                (Op::Lt, v)
            } else if let Some(v) = p.strip_prefix('=') {
                (Op::Eq, v)
            } else {
                (Op::Eq, p)
            };
            let v = ProducerVersion::parse(v.trim()).map_err(|_| Error::InvalidInput(BAD_RANGE))?;
            comparators.push((op, v));
        }
        Ok(VersionRange {
            producer: None,
            comparators,
        })
    }

    /// A range of versions of the producer called `producer` (as recorded in headers,
    /// compared exactly).
    ///
    /// # Errors
    /// As [`VersionRange::parse`].
    pub fn new(producer: &str, req: &str) -> Result<VersionRange> {
        Ok(VersionRange::parse(req)?.for_producer(producer))
    }

    /// Restricts the range to one producer name.
    pub fn for_producer(mut self, producer: &str) -> VersionRange {
        self.producer = Some(producer.to_string());
        self
    }

    /// The producer name the range is for, `None` for any.
    pub fn producer(&self) -> Option<&str> {
        self.producer.as_deref()
    }

    /// Whether `version` is inside the interval (the producer name aside).
    pub fn contains(&self, version: &ProducerVersion) -> bool {
        self.comparators.iter().all(|(op, v)| {
            let o = version.cmp(v);
            match op {
                Op::Lt => o == Ordering::Less,
                Op::Le => o != Ordering::Greater,
                Op::Eq => o == Ordering::Equal,
                Op::Ge => o != Ordering::Less,
                Op::Gt => o == Ordering::Greater,
            }
        })
    }

    /// Whether a job's producer falls in the range: `Some(false)` for another producer
    /// name, `Some(true)` or `Some(false)` for a SemVer version, and `None` when the name
    /// matches but the version is not SemVer (so it cannot be placed).
    pub fn matches(&self, producer_name: &str, producer_version: &str) -> Option<bool> {
        if self.producer.as_deref().is_some_and(|p| p != producer_name) {
            return Some(false);
        }
        ProducerVersion::parse(producer_version)
            .ok()
            .map(|v| self.contains(&v))
    }

    /// [`VersionRange::matches`] on a header's public metadata.
    pub fn matches_metadata(&self, public: &PublicMetadata) -> Option<bool> {
        self.matches(&public.producer_name, &public.producer_version)
    }
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.producer {
            write!(f, "{p} ")?;
        }
        if self.comparators.is_empty() {
            return f.write_str("*");
        }
        for (i, (op, v)) in self.comparators.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}{v}", op.as_str())?;
        }
        Ok(())
    }
}

pub use crate::policy_violation::PolicyViolation;

/// What an [`crate::Opener`] accepts. [`OpenPolicy::new`] accepts every job this build
/// can open, except expired ones; each builder method narrows it.
///
/// Checked after the header MAC verified and before anything is decrypted (see the
/// [module docs](self)).
#[derive(Clone, Debug, Default)]
pub struct OpenPolicy {
    producers: Option<Vec<String>>,
    minimums: Vec<(String, ProducerVersion)>,
    denied: Vec<VersionRange>,
    denied_sboms: Vec<[u8; 32]>,
    suites: Option<Vec<Suite>>,
    stanza_kinds: Option<Vec<u16>>,
    allow_expired: bool,
    now: Option<u64>,
}

impl OpenPolicy {
    /// A policy that refuses expired jobs and nothing else.
    pub fn new() -> OpenPolicy {
        OpenPolicy::default()
    }

    /// Accepts only jobs whose producer name is one of `names` (compared exactly).
    pub fn accept_producers(mut self, names: &[&str]) -> Self {
        self.producers = Some(names.iter().map(|n| n.to_string()).collect());
        self
    }

    /// Refuses jobs sealed by `producer` at a version below `minimum` (SemVer
    /// precedence). Jobs of other producers are not affected; restrict those with
    /// [`OpenPolicy::accept_producers`]. A `producer` job whose version is not SemVer is
    /// refused.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if `minimum` is not a SemVer version.
    pub fn min_producer_version(mut self, producer: &str, minimum: &str) -> Result<Self> {
        self.minimums
            .push((producer.to_string(), ProducerVersion::parse(minimum)?));
        Ok(self)
    }

    /// Refuses jobs whose producer falls in `range` (builds with a known flaw). A job
    /// of the range's producer whose version is not SemVer is refused.
    pub fn deny(mut self, range: VersionRange) -> Self {
        self.denied.push(range);
        self
    }

    /// Refuses jobs whose header records `digest` as the producer's SBOM SHA-256 (one
    /// exact build, see [`crate::sbom_sha256`]).
    pub fn deny_sbom_sha256(mut self, digest: [u8; 32]) -> Self {
        self.denied_sboms.push(digest);
        self
    }

    /// Accepts only these payload suites.
    pub fn accept_suites(mut self, suites: &[Suite]) -> Self {
        self.suites = Some(suites.to_vec());
        self
    }

    /// Accepts only jobs all of whose recipient stanzas are of these kinds
    /// ([`crate::format::stanza::kind`]). Every stanza counts, not only the one that
    /// unlocks: a job is as confidential as its weakest stanza, so a policy that takes
    /// post-quantum kinds only refuses a job also sealed to an X25519 recipient. A
    /// padding stanza ([`kind::PADDING`](crate::format::stanza::kind::PADDING), which
    /// [`crate::io::rewrap_file`] adds) wraps no key, so it is no recipient's and never
    /// refused by this rule.
    pub fn accept_stanza_kinds(mut self, kinds: &[u16]) -> Self {
        self.stanza_kinds = Some(kinds.to_vec());
        self
    }

    /// Whether jobs past their expiry time may open (default: no).
    pub fn allow_expired(mut self, allow: bool) -> Self {
        self.allow_expired = allow;
        self
    }

    /// The time (seconds since the Unix epoch) to check expiry against. Without it the
    /// system clock is read at each check with `std`; without `std`, a job that has an
    /// expiry time is refused with [`PolicyViolation::NoClock`] unless expired jobs are
    /// allowed.
    pub fn at_time(mut self, unix_seconds: u64) -> Self {
        self.now = Some(unix_seconds);
        self
    }

    /// Checks a header against the policy, without a key.
    ///
    /// <div class="warning">Nothing in a header is authenticated before an opener has
    /// verified its MAC: this pre-check can sort or reject jobs early, but only the check
    /// that <code>Opener::unlock</code> runs (after the MAC) can be relied on.</div>
    ///
    /// # Errors
    /// [`Error::PolicyViolation`] with the first rule broken, in this order: suite,
    /// stanza kinds, producer name, minimum version, denied ranges, SBOM digest, expiry.
    pub fn check_header(&self, header: &Header) -> Result<()> {
        self.check(header).map_err(Error::PolicyViolation)
    }

    pub(crate) fn check(&self, header: &Header) -> core::result::Result<(), PolicyViolation> {
        let suite = header.suite();
        if self.suites.as_ref().is_some_and(|s| !s.contains(&suite)) {
            return Err(PolicyViolation::Suite(suite.id()));
        }
        if let Some(kinds) = &self.stanza_kinds
            && let Some(s) = header
                .stanzas()
                .iter()
                .find(|s| s.kind() != kind::PADDING && !kinds.contains(&s.kind()))
        {
            return Err(PolicyViolation::StanzaKind(s.kind()));
        }
        let p = header.public_metadata();
        let (name, version) = (&p.producer_name, &p.producer_version);
        if self.producers.as_ref().is_some_and(|n| !n.contains(name)) {
            return Err(PolicyViolation::Producer { name: name.clone() });
        }
        let unparsable = || PolicyViolation::ProducerVersionUnparsable {
            name: name.clone(),
            version: version.clone(),
        };
        for (producer, minimum) in self.minimums.iter().filter(|(n, _)| n == name) {
            let v = ProducerVersion::parse(version).map_err(|_| unparsable())?;
            if v < *minimum {
                return Err(PolicyViolation::ProducerVersionTooOld {
                    name: producer.clone(),
                    version: version.clone(),
                    minimum: minimum.to_string(),
                });
            }
        }
        for range in &self.denied {
            match range.matches(name, version) {
                Some(false) => {}
                Some(true) => {
                    return Err(PolicyViolation::ProducerVersionDenied {
                        name: name.clone(),
                        version: version.clone(),
                        range: range.to_string(),
                    });
                }
                None => return Err(unparsable()),
            }
        }
        if p.sbom_sha256
            .is_some_and(|d| self.denied_sboms.contains(&d))
        {
            return Err(PolicyViolation::SbomDenied);
        }
        if let (Some(expires), false) = (p.expires, self.allow_expired) {
            let now = self
                .now
                .or_else(system_now)
                .ok_or(PolicyViolation::NoClock)?;
            if now > expires {
                return Err(PolicyViolation::Expired { expires, now });
            }
        }
        Ok(())
    }
}

#[cfg(feature = "std")]
fn system_now() -> Option<u64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

#[cfg(not(feature = "std"))]
fn system_now() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> ProducerVersion {
        ProducerVersion::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// Without `std` there is no clock: a job with an expiry time is refused unless the
    /// caller gives the time or allows expired jobs.
    #[cfg(not(feature = "std"))]
    #[test]
    fn without_std_expiry_needs_a_time() {
        let k = crate::Kek::new([1; 16], [2; 32]);
        let opts = crate::SealOptions::new("text/plain")
            .created_at(100)
            .expires_at(200);
        let sealed = crate::seal_with_rng(&opts, &[&k], b"x", &mut crate::rng::seeded_rng([3; 32]))
            .unwrap_or_else(|e| panic!("{e}"));
        let h = Header::parse(&sealed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(OpenPolicy::new().check(&h), Err(PolicyViolation::NoClock));
        assert_eq!(OpenPolicy::new().at_time(150).check(&h), Ok(()));
        assert_eq!(
            OpenPolicy::new().at_time(201).check(&h),
            Err(PolicyViolation::Expired {
                expires: 200,
                now: 201
            })
        );
        assert_eq!(OpenPolicy::new().allow_expired(true).check(&h), Ok(()));
    }

    #[test]
    fn semver_precedence_follows_the_spec_example() {
        // SemVer 2.0 section 11, in ascending order.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "2.0.0",
            "10.0.0",
        ];
        for w in chain.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(v("1.2.3+build.5"), v("1.2.3"));
        assert_eq!(v("1.2.3-rc.1+x").to_string(), "1.2.3-rc.1+x");
    }

    #[test]
    fn malformed_versions_are_refused() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "v1.2.3",
            "01.2.3",
            "1.02.3",
            "1.2.3-",
            "1.2.3-01",
            "1.2.3+",
            "1.2.3-a..b",
            "1.2.3 ",
            "1.2.x",
            "-1.2.3",
        ] {
            assert!(
                ProducerVersion::parse(bad).is_err(),
                "{bad:?} should not parse"
            );
        }
        assert!(ProducerVersion::parse("1.2.3-0a.0").is_ok());
    }

    #[test]
    fn ranges_are_intervals_including_pre_releases() {
        let r = VersionRange::new("printseal", ">=0.2.0, <0.2.5").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.to_string(), "printseal >=0.2.0, <0.2.5");
        assert_eq!(r.matches("printseal", "0.2.0"), Some(true));
        assert_eq!(r.matches("printseal", "0.2.4"), Some(true));
        assert_eq!(r.matches("printseal", "0.2.5-rc.1"), Some(true));
        assert_eq!(r.matches("printseal", "0.2.5"), Some(false));
        assert_eq!(r.matches("printseal", "0.2.0-rc.1"), Some(false));
        assert_eq!(r.matches("printseal", "0.1.9"), Some(false));
        assert_eq!(r.matches("other-tool", "0.2.1"), Some(false));
        assert_eq!(r.matches("printseal", "nightly"), None);
        let exact = VersionRange::parse("0.3.1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(exact.matches("anyone", "0.3.1"), Some(true));
        assert_eq!(exact.matches("anyone", "0.3.2"), Some(false));
        let all = VersionRange::parse("*").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.matches("x", "9.9.9"), Some(true));
        for bad in [
            "",
            ">=",
            ">=1.2",
            "1.2.3,",
            "~1.2.3",
            "^1.2.3",
            ">= 1.2.3 <2.0.0",
        ] {
            assert!(
                VersionRange::parse(bad).is_err(),
                "{bad:?} should not parse"
            );
        }
    }
}
