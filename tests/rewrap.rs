//! Rewrap: new recipients, same payload bytes; every failure kind; the atomic file
//! helper under a failure at every step.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "std")]

mod common;

use common::{kek, msg, x25519, xwing};

use std::fs::{self, File, Permissions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use printseal::io::{FileOps, StdFileOps, rewrap_file_with_ops, rewrap_file_with_rng};
use printseal::rng::seeded_rng;
use printseal::{
    Error, Header, Identity, Kek, Recipient, RewrapOptions, SealOptions, open, rewrap_header,
    rewrap_with_rng, seal_with_rng,
};

fn opts() -> SealOptions {
    SealOptions::new("application/postscript")
        .created_at(1_700_000_000)
        .job_id("job-42")
        .private_entry("title", b"Quarterly report")
        .unwrap()
}

/// A job sealed to KEK 1 and X25519 key 2.
fn job(len: usize) -> (Vec<u8>, Vec<u8>) {
    let data = msg(len);
    let sealed = seal_with_rng(
        &opts(),
        &[&kek(1), &x25519(2).to_public()],
        &data,
        &mut seeded_rng([7; 32]),
    )
    .unwrap();
    (data, sealed)
}

fn rewrap_vec(
    sealed: &[u8],
    ids: &[&dyn Identity],
    to: &[&dyn Recipient],
    o: &RewrapOptions,
) -> printseal::Result<Vec<u8>> {
    let mut out = Vec::new();
    rewrap_with_rng(sealed, ids, to, o, &mut out, &mut seeded_rng([8; 32]))?;
    Ok(out)
}

#[test]
fn rewrap_keeps_the_payload_bytes_and_changes_who_opens() {
    let (data, sealed) = job(200_000);
    let old_len = Header::parse(&sealed).unwrap().len();
    // Remove the X25519 recipient, keep the KEK, add an X-Wing key (migration to PQ).
    let q = xwing(3);
    let to: [&dyn Recipient; 2] = [&kek(1), &q.to_public()];
    let new = rewrap_vec(&sealed, &[&x25519(2)], &to, &RewrapOptions::new()).unwrap();
    let new_header = Header::parse(&new).unwrap();
    // The payload bytes are identical, byte for byte.
    assert_eq!(&new[new_header.len()..], &sealed[old_len..]);
    assert_ne!(new_header.as_bytes(), &sealed[..old_len]);
    assert_eq!(new.len() - new_header.len(), sealed.len() - old_len);
    // The new recipients open it, with the same metadata.
    for id in [&q as &dyn Identity, &kek(1)] {
        let opened = open(&new, &[id]).unwrap();
        assert_eq!(opened.plaintext, data);
        assert_eq!(
            opened.header.public_metadata().job_id.as_deref(),
            Some("job-42")
        );
        assert_eq!(
            opened.private_metadata.get("title"),
            Some(&b"Quarterly report"[..])
        );
    }
    // The removed one no longer can.
    assert!(matches!(
        open(&new, &[&x25519(2)]),
        Err(Error::NoMatchingRecipient)
    ));
    // The old copy is unchanged, and still opens with the old keys.
    assert_eq!(open(&sealed, &[&x25519(2)]).unwrap().plaintext, data);
    // A second rewrap (rotate the KEK) keeps the same payload again.
    let newer = rewrap_vec(
        &new,
        &[&q],
        &[&kek(9), &q.to_public()],
        &RewrapOptions::new(),
    )
    .unwrap();
    assert_eq!(
        &newer[Header::parse(&newer).unwrap().len()..],
        &sealed[old_len..]
    );
    assert_eq!(open(&newer, &[&kek(9)]).unwrap().plaintext, data);
    assert!(matches!(
        open(&newer, &[&kek(1)]),
        Err(Error::NoMatchingRecipient)
    ));
}

#[test]
fn rewrap_header_is_the_streaming_rewrap_without_the_copy() {
    let (_, sealed) = job(50_000);
    let to: [&dyn Recipient; 1] = [&x25519(4).to_public()];
    let streamed = rewrap_vec(&sealed, &[&kek(1)], &to, &RewrapOptions::new()).unwrap();
    // Only the header and the 56-byte prefix are needed.
    let old_len = Header::parse(&sealed).unwrap().len();
    let r = rewrap_header(
        &sealed[..old_len + 56],
        &[&kek(1)],
        &to,
        &RewrapOptions::new(),
        &mut seeded_rng([8; 32]),
    )
    .unwrap();
    assert_eq!(r.payload_offset, old_len);
    assert_eq!(&streamed[..r.header.len()], &r.header[..]);
    let mut glued = r.header.clone();
    glued.extend_from_slice(&sealed[r.payload_offset..]);
    assert_eq!(glued, streamed);
    // One byte short of the prefix.
    assert!(matches!(
        rewrap_header(
            &sealed[..old_len + 55],
            &[&kek(1)],
            &to,
            &RewrapOptions::new(),
            &mut seeded_rng([8; 32])
        ),
        Err(Error::Truncated)
    ));
}

#[test]
fn the_payload_is_copied_not_decrypted() {
    // A real header and prefix followed by 3 MiB that are not ciphertext at all: the
    // rewrap copies them through untouched (payload damage is found when opening).
    let (_, sealed) = job(10);
    let start = Header::parse(&sealed).unwrap().len() + 56;
    let junk = 3 << 20;
    let input = io::Read::chain(&sealed[..start], io::repeat(0xa5).take(junk));
    let mut out = Vec::new();
    let n = rewrap_with_rng(
        input,
        &[&kek(1)],
        &[&kek(2)],
        &RewrapOptions::new(),
        &mut out,
        &mut seeded_rng([1; 32]),
    )
    .unwrap();
    assert_eq!(n, out.len() as u64);
    let h = Header::parse(&out).unwrap().len();
    assert_eq!(out.len(), h + 56 + junk as usize);
    assert_eq!(&out[h..h + 56], &sealed[start - 56..start]);
    assert!(out[h + 56..].iter().all(|&b| b == 0xa5));
}

/// A reader that returns at most one byte per call.
struct Trickle<'a>(&'a [u8]);
impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0.is_empty() || buf.is_empty() {
            return Ok(0);
        }
        buf[0] = self.0[0];
        self.0 = &self.0[1..];
        Ok(1)
    }
}

#[test]
fn rewrap_from_a_trickling_reader() {
    let (data, sealed) = job(40_000);
    let mut out = Vec::new();
    rewrap_with_rng(
        Trickle(&sealed),
        &[&kek(1)],
        &[&kek(5)],
        &RewrapOptions::new(),
        &mut out,
        &mut seeded_rng([1; 32]),
    )
    .unwrap();
    assert_eq!(open(&out, &[&kek(5)]).unwrap().plaintext, data);
}

#[test]
fn every_failure_kind() {
    let (_, sealed) = job(30_000);
    let o = RewrapOptions::new();
    let to: [&dyn Recipient; 1] = [&kek(6)];
    // No identity matches.
    assert!(matches!(
        rewrap_vec(&sealed, &[&kek(3), &x25519(9)], &to, &o),
        Err(Error::NoMatchingRecipient)
    ));
    // The right key id with the wrong key.
    let wrong = Kek::new([1; 16], [0; 32]);
    assert!(matches!(
        rewrap_vec(&sealed, &[&wrong], &to, &o),
        Err(Error::StanzaUnwrap)
    ));
    // A header byte changed (the job id in the public metadata): the MAC fails.
    let pos = sealed.windows(6).position(|w| w == b"job-42").unwrap();
    let mut bad = sealed.clone();
    bad[pos] = b'J';
    assert!(matches!(
        rewrap_vec(&bad, &[&kek(1)], &to, &o),
        Err(Error::HeaderMac)
    ));
    // The header glued to another job's payload: the key commitment fails.
    let other = seal_with_rng(
        &opts(),
        &[&kek(1), &x25519(2).to_public()],
        &msg(30_000),
        &mut seeded_rng([70; 32]),
    )
    .unwrap();
    let h = Header::parse(&sealed).unwrap().len();
    let oh = Header::parse(&other).unwrap().len();
    let mut glued = sealed[..h].to_vec();
    glued.extend_from_slice(&other[oh..]);
    assert!(matches!(
        rewrap_vec(&glued, &[&kek(1)], &to, &o),
        Err(Error::PayloadCommitment)
    ));
    // A damaged commitment byte.
    let mut bad = sealed.clone();
    bad[h + 30] ^= 1;
    assert!(matches!(
        rewrap_vec(&bad, &[&kek(1)], &to, &o),
        Err(Error::PayloadCommitment)
    ));
    // Truncated in the header, and in the prefix.
    assert!(matches!(
        rewrap_vec(&sealed[..h - 1], &[&kek(1)], &to, &o),
        Err(Error::Truncated)
    ));
    assert!(matches!(
        rewrap_vec(&sealed[..h + 10], &[&kek(1)], &to, &o),
        Err(Error::Truncated)
    ));
    // Not a printseal job.
    assert!(matches!(
        rewrap_vec(b"%PDF-1.7 ...", &[&kek(1)], &to, &o),
        Err(Error::NotPrintseal)
    ));
    // No recipients, or too many.
    assert!(matches!(
        rewrap_vec(&sealed, &[&kek(1)], &[], &o),
        Err(Error::LimitExceeded(_))
    ));
    let many: Vec<Kek> = (0..65).map(kek).collect();
    let many: Vec<&dyn Recipient> = many.iter().map(|k| k as &dyn Recipient).collect();
    assert!(matches!(
        rewrap_vec(&sealed, &[&kek(1)], &many, &o),
        Err(Error::LimitExceeded(_))
    ));
    // Nothing is written when the header cannot be rewritten.
    let mut out = Vec::new();
    assert!(
        rewrap_with_rng(
            &sealed[..],
            &[&kek(3)],
            &to,
            &o,
            &mut out,
            &mut seeded_rng([1; 32])
        )
        .is_err()
    );
    assert!(out.is_empty());
}

#[test]
fn mixing_policy_applies_to_rewrap() {
    let (data, sealed) = job(1000);
    let mixed: [&dyn Recipient; 2] = [&xwing(10).to_public(), &x25519(11).to_public()];
    assert!(matches!(
        rewrap_vec(&sealed, &[&kek(1)], &mixed, &RewrapOptions::new()),
        Err(Error::MixedPostQuantum)
    ));
    let new = rewrap_vec(
        &sealed,
        &[&kek(1)],
        &mixed,
        &RewrapOptions::new().allow_mixed_pq(true),
    )
    .unwrap();
    assert_eq!(open(&new, &[&x25519(11)]).unwrap().plaintext, data);
    assert_eq!(open(&new, &[&xwing(10)]).unwrap().plaintext, data);
}

// --- the file helper -------------------------------------------------------------

/// A fresh, empty directory under the system temp dir.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("printseal-rewrap-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Create,
    FirstWrite,
    LaterWrite,
    Sync,
    Link,
    Rename,
    DirSync,
    RemoveBackup,
}

/// The real file system, failing at one step.
struct Failing {
    step: Step,
    writes: usize,
    dir_syncs: usize,
}

fn injected() -> io::Error {
    io::Error::other("injected fault")
}

impl FileOps for Failing {
    fn create_new(&mut self, path: &Path, p: Permissions) -> io::Result<File> {
        if self.step == Step::Create {
            return Err(injected());
        }
        StdFileOps.create_new(path, p)
    }
    fn write(&mut self, file: &mut File, buf: &[u8]) -> io::Result<usize> {
        self.writes += 1;
        match self.step {
            Step::FirstWrite if self.writes == 1 => Err(injected()),
            // Fail once part of the job is on disk.
            Step::LaterWrite if self.writes == 3 => Err(injected()),
            _ => StdFileOps.write(file, &buf[..buf.len().min(50_000)]),
        }
    }
    fn sync_file(&mut self, file: &File) -> io::Result<()> {
        if self.step == Step::Sync {
            return Err(injected());
        }
        StdFileOps.sync_file(file)
    }
    fn hard_link(&mut self, original: &Path, link: &Path) -> io::Result<()> {
        if self.step == Step::Link {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "no hard links here",
            ));
        }
        StdFileOps.hard_link(original, link)
    }
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        // Only the forward rename fails; the restore after a failed dir sync works.
        if self.step == Step::Rename {
            return Err(injected());
        }
        StdFileOps.rename(from, to)
    }
    fn sync_dir(&mut self, dir: &Path) -> io::Result<()> {
        self.dir_syncs += 1;
        if self.step == Step::DirSync {
            return Err(injected());
        }
        StdFileOps.sync_dir(dir)
    }
    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        if self.step == Step::RemoveBackup && path.to_string_lossy().ends_with(".printseal-old") {
            return Err(injected());
        }
        StdFileOps.remove_file(path)
    }
}

#[test]
fn rewrap_file_replaces_the_job_atomically() {
    let dir = scratch("ok");
    let (data, sealed) = job(300_000);
    let path = dir.join("job.pseal");
    fs::write(&path, &sealed).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, Permissions::from_mode(0o600)).unwrap();
    }
    let q = xwing(12);
    rewrap_file_with_rng(
        &path,
        &[&x25519(2)],
        &[&q.to_public()],
        &RewrapOptions::new(),
        &mut seeded_rng([2; 32]),
    )
    .unwrap();
    let new = fs::read(&path).unwrap();
    assert_eq!(open(&new, &[&q]).unwrap().plaintext, data);
    assert!(matches!(
        open(&new, &[&x25519(2)]),
        Err(Error::NoMatchingRecipient)
    ));
    let (h_old, h_new) = (
        Header::parse(&sealed).unwrap().len(),
        Header::parse(&new).unwrap().len(),
    );
    assert_eq!(&new[h_new..], &sealed[h_old..]);
    assert_eq!(entries(&dir), ["job.pseal"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // A crypto failure leaves the file alone.
    let err = rewrap_file_with_rng(
        &path,
        &[&x25519(2)],
        &[&kek(1)],
        &RewrapOptions::new(),
        &mut seeded_rng([3; 32]),
    )
    .unwrap_err();
    assert!(matches!(err, Error::NoMatchingRecipient));
    assert_eq!(fs::read(&path).unwrap(), new);
    assert_eq!(entries(&dir), ["job.pseal"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rewrap_file_failure_at_every_step_keeps_the_original() {
    let (data, sealed) = job(300_000);
    let q = xwing(13);
    for step in [
        Step::Create,
        Step::FirstWrite,
        Step::LaterWrite,
        Step::Sync,
        Step::Rename,
        Step::DirSync,
    ] {
        let dir = scratch(&format!("{step:?}"));
        let path = dir.join("job.pseal");
        fs::write(&path, &sealed).unwrap();
        let mut ops = Failing {
            step,
            writes: 0,
            dir_syncs: 0,
        };
        let err = rewrap_file_with_ops(
            &mut ops,
            &path,
            &[&kek(1)],
            &[&q.to_public()],
            &RewrapOptions::new(),
            &mut seeded_rng([4; 32]),
        )
        .unwrap_err();
        match &err {
            Error::Io(e) => assert!(e.to_string().contains("injected fault"), "{step:?}: {e}"),
            e => panic!("{step:?}: {e:?}"),
        }
        if step == Step::LaterWrite {
            assert!(
                ops.writes >= 3,
                "the fault came after some bytes were written"
            );
        }
        // The original is byte for byte what it was, and nothing else is left.
        assert_eq!(fs::read(&path).unwrap(), sealed, "{step:?}");
        assert_eq!(entries(&dir), ["job.pseal"], "{step:?}");
        assert_eq!(
            open(&fs::read(&path).unwrap(), &[&kek(1)])
                .unwrap()
                .plaintext,
            data
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn rewrap_file_without_hard_links_and_with_a_stuck_backup() {
    let (data, sealed) = job(100_000);
    let q = xwing(14);
    // No hard links: the rewrap still works, without a backup name.
    let dir = scratch("nolink");
    let path = dir.join("job.pseal");
    fs::write(&path, &sealed).unwrap();
    let mut ops = Failing {
        step: Step::Link,
        writes: 0,
        dir_syncs: 0,
    };
    rewrap_file_with_ops(
        &mut ops,
        &path,
        &[&kek(1)],
        &[&q.to_public()],
        &RewrapOptions::new(),
        &mut seeded_rng([5; 32]),
    )
    .unwrap();
    assert_eq!(
        open(&fs::read(&path).unwrap(), &[&q]).unwrap().plaintext,
        data
    );
    assert_eq!(entries(&dir), ["job.pseal"]);
    fs::remove_dir_all(&dir).unwrap();

    // The backup name cannot be removed: the rewrap took effect, and the error names
    // the leftover, which still opens with the old key.
    let dir = scratch("stuck");
    let path = dir.join("job.pseal");
    fs::write(&path, &sealed).unwrap();
    let mut ops = Failing {
        step: Step::RemoveBackup,
        writes: 0,
        dir_syncs: 0,
    };
    let err = rewrap_file_with_ops(
        &mut ops,
        &path,
        &[&kek(1)],
        &[&q.to_public()],
        &RewrapOptions::new(),
        &mut seeded_rng([6; 32]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("printseal-old"), "{err}");
    assert_eq!(
        open(&fs::read(&path).unwrap(), &[&q]).unwrap().plaintext,
        data
    );
    let left = entries(&dir);
    assert_eq!(left.len(), 2, "{left:?}");
    let backup = left.iter().find(|n| n.ends_with(".printseal-old")).unwrap();
    assert_eq!(fs::read(dir.join(backup)).unwrap(), sealed);
    fs::remove_dir_all(&dir).unwrap();
}
