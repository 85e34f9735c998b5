//! Producer binding, producer policy and the header-only directory scan (issue 4,
//! parts 3 and 4).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::kek;

#[cfg(feature = "std")]
use std::path::{Path, PathBuf};

use printseal::format::stanza::kind;
#[cfg(feature = "std")]
use printseal::io::scan::{find_jobs_by_producer, find_jobs_by_sbom, scan_headers};
use printseal::rng::seeded_rng;
use printseal::{
    Error, Header, Kek, OpenOptions, OpenPolicy, Opener, PolicyViolation, ProducerVersion,
    SealOptions, Suite, VersionRange, X25519Identity, boxed, open, seal_with_rng,
};

const NOW: u64 = 1_700_000_000;

fn seal_as(producer: Option<(&str, &str)>, kek: &Kek, seed: u8) -> Vec<u8> {
    let mut opts = SealOptions::new("application/pdf").created_at(NOW);
    if let Some((name, version)) = producer {
        opts = opts.producer(name, version);
    }
    seal_with_rng(&opts, &[kek], &payload(), &mut seeded_rng([seed; 32])).expect("seal")
}

fn payload() -> Vec<u8> {
    (0..40_000).map(|i| (i % 251) as u8).collect()
}

fn range(producer: &str, req: &str) -> VersionRange {
    VersionRange::new(producer, req).expect("range")
}

/// Opens `sealed` with `policy` through the push API; returns the result and how much
/// plaintext came out.
fn open_with(sealed: &[u8], k: &Kek, policy: OpenPolicy) -> (Result<(), Error>, Vec<u8>) {
    let mut opener =
        Opener::with_options(OpenOptions::new().policy(policy)).unlock_with(vec![boxed(k.clone())]);
    let mut out = Vec::new();
    let r = opener
        .update_to_vec(sealed, &mut out)
        .and_then(|_| opener.finish_to_vec(&mut out))
        .map(|_| ());
    if r.is_err() {
        assert!(
            opener.private_metadata().is_none(),
            "private metadata decrypted despite the error"
        );
    }
    (r, out)
}

fn violation(r: Result<(), Error>) -> PolicyViolation {
    match r {
        Err(Error::PolicyViolation(v)) => v,
        other => panic!("expected a policy violation, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------
// Producer binding

#[test]
fn header_shows_producer_and_sbom_digest_without_a_key() {
    let k = kek(1);
    let sealed = seal_as(None, &k, 1);
    let header = Header::parse(&sealed).expect("header parses without a key");
    let p = header.public_metadata();
    assert_eq!(p.producer_name, "printseal");
    assert_eq!(p.producer_name, printseal::PRODUCER_NAME);
    assert_eq!(p.producer_version, printseal::VERSION);
    assert_eq!(p.sbom_sha256, Some(printseal::sbom_sha256()));
    assert_eq!(
        SealOptions::new("text/plain").public_metadata().sbom_sha256,
        Some(printseal::sbom_sha256())
    );
    // And it is authenticated once opened.
    let opened = open(&sealed, &[&k]).expect("open");
    assert_eq!(
        opened.header.public_metadata().sbom_sha256,
        Some(printseal::sbom_sha256())
    );
}

#[test]
fn another_producer_records_its_own_sbom_digest_not_printseals() {
    let tool = SealOptions::new("text/plain").producer("scan-station", "4.1.0");
    assert_eq!(
        tool.public_metadata().sbom_sha256,
        None,
        "printseal's SBOM is not the tool's"
    );
    let own = [7u8; 32];
    let tool = SealOptions::new("text/plain")
        .producer("scan-station", "4.1.0")
        .sbom_sha256(own);
    assert_eq!(tool.public_metadata().sbom_sha256, Some(own));
    let tool = SealOptions::new("text/plain")
        .sbom_sha256(own)
        .producer("scan-station", "4.1.0");
    assert_eq!(
        tool.public_metadata().sbom_sha256,
        Some(own),
        "an explicit digest stays"
    );

    let sealed = seal_with_rng(&tool, &[&kek(2)], b"x", &mut seeded_rng([2; 32])).unwrap();
    let p = Header::parse(&sealed).unwrap().public_metadata().clone();
    assert_eq!(
        (
            p.producer_name.as_str(),
            p.producer_version.as_str(),
            p.sbom_sha256
        ),
        ("scan-station", "4.1.0", Some(own))
    );
}

// ---------------------------------------------------------------------------------
// Producer policy

#[test]
fn default_policy_opens_a_fresh_job() {
    let k = kek(3);
    let sealed = seal_as(None, &k, 3);
    let (r, out) = open_with(&sealed, &k, OpenPolicy::new());
    r.expect("opens");
    assert_eq!(out, payload());
}

#[test]
fn denied_version_range_is_refused_before_any_payload_is_decrypted() {
    let k = kek(4);
    let flawed = seal_as(Some(("printseal", "0.2.3")), &k, 4);
    let policy = || OpenPolicy::new().deny(range("printseal", ">=0.2.0, <0.2.5"));
    let (r, out) = open_with(&flawed, &k, policy());
    assert_eq!(
        violation(r),
        PolicyViolation::ProducerVersionDenied {
            name: "printseal".into(),
            version: "0.2.3".into(),
            range: "printseal >=0.2.0, <0.2.5".into()
        }
    );
    assert!(out.is_empty(), "no plaintext may come out");

    // With the first payload chunk corrupted the error is still the policy's: the
    // payload was never decrypted.
    let header_len = Header::parse(&flawed).unwrap().len();
    let mut corrupted = flawed.clone();
    corrupted[header_len + 100] ^= 1;
    let (r, out) = open_with(&corrupted, &k, policy());
    assert!(matches!(
        violation(r),
        PolicyViolation::ProducerVersionDenied { .. }
    ));
    assert!(out.is_empty());
    // Without the policy the corruption is what fails.
    assert!(matches!(
        open(&corrupted, &[&k]),
        Err(Error::PayloadTampered { chunk: 0, .. })
    ));

    // Builds outside the range, and other producers, open.
    for (name, version) in [
        ("printseal", "0.2.5"),
        ("printseal", "0.1.9"),
        ("other-tool", "0.2.3"),
    ] {
        let sealed = seal_as(Some((name, version)), &k, 5);
        let (r, out) = open_with(&sealed, &k, policy());
        r.unwrap_or_else(|e| panic!("{name} {version}: {e}"));
        assert_eq!(out, payload());
    }
    // A pre-release inside the range is denied too.
    let rc = seal_as(Some(("printseal", "0.2.5-rc.1")), &k, 6);
    assert!(matches!(
        violation(open_with(&rc, &k, policy()).0),
        PolicyViolation::ProducerVersionDenied { .. }
    ));
}

#[test]
fn policy_is_checked_after_the_header_mac() {
    let k = kek(7);
    let sealed = seal_as(Some(("printseal", "0.2.3")), &k, 7);
    // Rewrite the version in the public metadata to one outside the denied range.
    let at = sealed
        .windows(5)
        .position(|w| w == b"0.2.3")
        .expect("version bytes");
    let mut forged = sealed.clone();
    forged[at + 4] = b'9';
    let policy = OpenPolicy::new().deny(range("printseal", ">=0.2.0, <0.2.5"));
    // The keyless pre-check sees the forged, unauthenticated version and lets it pass...
    let h = Header::parse(&forged).expect("still parses");
    assert_eq!(h.public_metadata().producer_version, "0.2.9");
    policy
        .check_header(&h)
        .expect("the pre-check only sees the forged header");
    // ...but unlock verifies the MAC first.
    let (r, out) = open_with(&forged, &k, policy.clone());
    assert!(matches!(r, Err(Error::HeaderMac)), "{r:?}");
    assert!(out.is_empty());
    // The pre-check on the real header refuses.
    let real = Header::parse(&sealed).unwrap();
    assert!(matches!(
        policy.check_header(&real),
        Err(Error::PolicyViolation(
            PolicyViolation::ProducerVersionDenied { .. }
        ))
    ));
}

#[test]
fn minimum_version_and_accepted_producers() {
    let k = kek(8);
    let policy = || {
        OpenPolicy::new()
            .min_producer_version("printseal", "0.3.1")
            .expect("version")
    };
    let old = seal_as(Some(("printseal", "0.3.0")), &k, 8);
    assert_eq!(
        violation(open_with(&old, &k, policy()).0),
        PolicyViolation::ProducerVersionTooOld {
            name: "printseal".into(),
            version: "0.3.0".into(),
            minimum: "0.3.1".into()
        }
    );
    for v in ["0.3.1", "0.10.0", "1.0.0"] {
        open_with(&seal_as(Some(("printseal", v)), &k, 9), &k, policy())
            .0
            .unwrap_or_else(|e| panic!("{v}: {e}"));
    }
    // A version that is not SemVer cannot be placed: refused (fail closed).
    let nightly = seal_as(Some(("printseal", "nightly-2026-05-01")), &k, 10);
    assert!(matches!(
        violation(open_with(&nightly, &k, policy()).0),
        PolicyViolation::ProducerVersionUnparsable { .. }
    ));
    // The minimum is per producer.
    open_with(
        &seal_as(Some(("scan-station", "0.0.1")), &k, 11),
        &k,
        policy(),
    )
    .0
    .expect("other producer");
    // accept_producers closes the door on the rest.
    let only = policy().accept_producers(&["printseal"]);
    assert_eq!(
        violation(open_with(&seal_as(Some(("scan-station", "9.0.0")), &k, 12), &k, only).0),
        PolicyViolation::Producer {
            name: "scan-station".into()
        }
    );
    assert!(
        OpenPolicy::new()
            .min_producer_version("printseal", "0.3")
            .is_err()
    );
}

#[test]
fn denied_sbom_digest_names_one_exact_build() {
    let k = kek(13);
    let sealed = seal_as(None, &k, 13);
    let deny_this_build = OpenPolicy::new().deny_sbom_sha256(printseal::sbom_sha256());
    assert_eq!(
        violation(open_with(&sealed, &k, deny_this_build).0),
        PolicyViolation::SbomDenied
    );
    open_with(&sealed, &k, OpenPolicy::new().deny_sbom_sha256([0xee; 32]))
        .0
        .expect("another build");
}

#[test]
fn accepted_suites_and_stanza_kinds() {
    let k = kek(14);
    let chacha = SealOptions::new("text/plain")
        .suite(Suite::ChaCha20Poly1305)
        .created_at(NOW);
    let sealed = seal_with_rng(&chacha, &[&k], &payload(), &mut seeded_rng([14; 32])).unwrap();
    let aes_only = OpenPolicy::new().accept_suites(&[Suite::Aes256Gcm]);
    assert_eq!(
        violation(open_with(&sealed, &k, aes_only).0),
        PolicyViolation::Suite(0x0002)
    );
    open_with(&sealed, &k, OpenPolicy::new().accept_suites(&Suite::ALL))
        .0
        .expect("both suites");

    // A job sealed to a KEK and to an X25519 key: a KEK-only policy refuses it even
    // when the KEK opens it (every stanza counts).
    let x = X25519Identity::generate_with_rng(&mut seeded_rng([15; 32]));
    let opts = SealOptions::new("text/plain").created_at(NOW);
    let both = seal_with_rng(
        &opts,
        &[&k, &x.to_public()],
        &payload(),
        &mut seeded_rng([16; 32]),
    )
    .unwrap();
    let kek_only = OpenPolicy::new().accept_stanza_kinds(&[kind::KEK_AES256_KWP]);
    assert_eq!(
        violation(open_with(&both, &k, kek_only.clone()).0),
        PolicyViolation::StanzaKind(kind::X25519_HPKE)
    );
    open_with(&seal_as(None, &k, 17), &k, kek_only)
        .0
        .expect("KEK-only job");
    let kek_and_x =
        OpenPolicy::new().accept_stanza_kinds(&[kind::KEK_AES256_KWP, kind::X25519_HPKE]);
    open_with(&both, &k, kek_and_x)
        .0
        .expect("both kinds accepted");
}

#[test]
fn expired_jobs_are_refused_unless_allowed() {
    let k = kek(18);
    let opts = SealOptions::new("text/plain")
        .created_at(NOW)
        .expires_at(NOW + 3600);
    let sealed = seal_with_rng(&opts, &[&k], &payload(), &mut seeded_rng([18; 32])).unwrap();
    open_with(&sealed, &k, OpenPolicy::new().at_time(NOW + 3600))
        .0
        .expect("at the expiry time");
    assert_eq!(
        violation(open_with(&sealed, &k, OpenPolicy::new().at_time(NOW + 3601)).0),
        PolicyViolation::Expired {
            expires: NOW + 3600,
            now: NOW + 3601
        }
    );
    open_with(
        &sealed,
        &k,
        OpenPolicy::new().at_time(NOW + 999_999).allow_expired(true),
    )
    .0
    .expect("allowed");
    // With std and no explicit time, the system clock: 2023 + 1 h is long past.
    // Without std there is no clock, and a job with an expiry is refused.
    let no_time = violation(open_with(&sealed, &k, OpenPolicy::new()).0);
    if cfg!(feature = "std") {
        assert!(
            matches!(no_time, PolicyViolation::Expired { .. }),
            "{no_time:?}"
        );
    } else {
        assert_eq!(no_time, PolicyViolation::NoClock);
    }
    // A job without expiry never expires.
    open_with(
        &seal_as(None, &k, 19),
        &k,
        OpenPolicy::new().at_time(u64::MAX),
    )
    .0
    .expect("no expiry");
}

#[test]
fn policy_errors_are_clear() {
    let e = Error::PolicyViolation(PolicyViolation::ProducerVersionDenied {
        name: "printseal".into(),
        version: "0.2.3".into(),
        range: "printseal >=0.2.0, <0.2.5".into(),
    });
    assert_eq!(
        e.to_string(),
        "refused by the open policy: producer printseal 0.2.3 is in the denied range printseal >=0.2.0, <0.2.5"
    );
    #[cfg(feature = "std")]
    {
        let io: std::io::Error = e.into();
        assert_eq!(io.kind(), std::io::ErrorKind::PermissionDenied);
        assert!(matches!(
            Error::from_io(io),
            Error::PolicyViolation(PolicyViolation::ProducerVersionDenied { .. })
        ));
    }
    assert_eq!(
        "1.2.3-rc.1".parse::<ProducerVersion>().unwrap().pre(),
        "rc.1"
    );
}

// ---------------------------------------------------------------------------------
// Directory scan

#[cfg(feature = "std")]
struct TempDir(PathBuf);

#[cfg(feature = "std")]
impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("printseal-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

#[cfg(feature = "std")]
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(feature = "std")]
fn names(root: &Path, paths: impl IntoIterator<Item = PathBuf>) -> Vec<String> {
    paths
        .into_iter()
        .map(|p| {
            p.strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

#[cfg(feature = "std")]
#[test]
fn scan_lists_the_jobs_sealed_by_the_affected_builds() {
    let t = TempDir::new("scan");
    let k = kek(21);
    t.write(
        "held/a/job-0.2.3.pseal",
        &seal_as(Some(("printseal", "0.2.3")), &k, 21),
    );
    t.write(
        "held/a/deeper/job-0.2.4-rc.2.pseal",
        &seal_as(Some(("printseal", "0.2.4-rc.2")), &k, 22),
    );
    t.write(
        "held/b/job-0.2.5.pseal",
        &seal_as(Some(("printseal", "0.2.5")), &k, 23),
    );
    t.write(
        "held/b/job-0.1.0.pseal",
        &seal_as(Some(("printseal", "0.1.0")), &k, 24),
    );
    t.write(
        "held/other-tool-0.2.3.pseal",
        &seal_as(Some(("other-tool", "0.2.3")), &k, 25),
    );
    t.write(
        "held/nightly.pseal",
        &seal_as(Some(("printseal", "nightly")), &k, 26),
    );
    let default_job = t.write("held/default.pseal", &seal_as(None, &k, 27));
    // A job whose payload is damaged: the scan reads its header only.
    let mut damaged = seal_as(Some(("printseal", "0.2.1")), &k, 28);
    let end = damaged.len() - 1;
    damaged[end] ^= 0xff;
    t.write("held/damaged-payload-0.2.1.pseal", &damaged);
    // Junk.
    t.write("held/readme.txt", b"not a job at all, just text");
    t.write("held/empty", b"");
    t.write("held/magic-prefix", &printseal::MAGIC[..3]);
    t.write("held/pdf.pdf", b"%PDF-1.7\n...");
    // Damaged printseal files: a cut header, and one that claims a huge metadata block.
    let job = seal_as(None, &k, 29);
    t.write("held/cut-header.pseal", &job[..40]);
    let mut huge = printseal::MAGIC.to_vec();
    huge.extend_from_slice(&[1, 0, 1, 0xff, 0xff]);
    huge.resize(2 << 20, 0x41);
    t.write("held/huge-claim.pseal", &huge);
    #[cfg(unix)]
    std::os::unix::fs::symlink(t.0.join("held"), t.0.join("held/b/loop")).unwrap();

    let affected = [range("printseal", ">=0.2.0, <0.2.5")];
    let r = find_jobs_by_producer(t.0.join("held"), &affected).expect("scan");
    let root = t.0.join("held");
    assert_eq!(
        names(&root, r.matches.iter().map(|h| h.path.clone())),
        [
            "a/deeper/job-0.2.4-rc.2.pseal",
            "a/job-0.2.3.pseal",
            "damaged-payload-0.2.1.pseal"
        ]
    );
    for hit in &r.matches {
        // A summary of the header, not the header: producer, suite, stanzas, sizes.
        assert_eq!(hit.summary.public.producer_name, "printseal");
        assert_eq!(hit.summary.suite, printseal::Suite::Aes256Gcm);
        assert_eq!(hit.summary.stanzas.len(), 1);
        assert_eq!(
            hit.summary.stanzas[0].kind,
            printseal::format::stanza::kind::KEK_AES256_KWP
        );
        assert_eq!(hit.summary.stanzas[0].key_id, [21; 16]);
        let bytes = std::fs::read(&hit.path).unwrap();
        assert_eq!(hit.summary.file_len, bytes.len() as u64);
        assert_eq!(
            hit.summary.header_len,
            printseal::Header::parse(&bytes).unwrap().len()
        );
    }
    assert_eq!(
        names(&root, r.undecided.iter().map(|h| h.path.clone())),
        ["nightly.pseal"]
    );
    // 0.2.5, 0.1.0, other-tool and the default job (this build, outside the range).
    assert_eq!(
        affected[0].matches("printseal", printseal::VERSION),
        Some(false)
    );
    assert_eq!(r.other_jobs, 4);
    assert_eq!(
        names(&root, r.not_printseal.clone()),
        ["empty", "magic-prefix", "pdf.pdf", "readme.txt"]
    );
    let errs: Vec<(String, String)> = r
        .errors
        .iter()
        .map(|(p, e)| (names(&root, [p.clone()])[0].clone(), format!("{e:?}")))
        .collect();
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].0, "cut-header.pseal");
    assert!(errs[0].1.contains("Truncated"), "{errs:?}");
    assert_eq!(errs[1].0, "huge-claim.pseal");
    assert!(errs[1].1.contains("LimitExceeded"), "{errs:?}");
    #[cfg(unix)]
    assert_eq!(names(&root, r.skipped.clone()), ["b/loop"]);

    // By SBOM digest: only the job sealed with default options records this build's.
    let by_sbom = find_jobs_by_sbom(&root, &[printseal::sbom_sha256()]).unwrap();
    assert_eq!(
        by_sbom
            .matches
            .iter()
            .map(|h| h.path.clone())
            .collect::<Vec<_>>(),
        [default_job]
    );

    // A custom selector sees every job header.
    let mut seen = 0;
    let all = scan_headers(&root, |_| {
        seen += 1;
        Some(true)
    })
    .unwrap();
    assert_eq!(all.matches.len(), 8);
    assert_eq!(seen, 8);

    // Several ranges: any one matching is a match; a range for any producer.
    let any_0_2_3 = [
        range("printseal", "=0.2.5"),
        VersionRange::parse("0.2.3").unwrap(),
    ];
    let r = find_jobs_by_producer(&root, &any_0_2_3).unwrap();
    assert_eq!(
        names(&root, r.matches.iter().map(|h| h.path.clone())),
        [
            "a/job-0.2.3.pseal",
            "b/job-0.2.5.pseal",
            "other-tool-0.2.3.pseal"
        ]
    );

    assert!(find_jobs_by_producer(t.0.join("does-not-exist"), &affected).is_err());
}
