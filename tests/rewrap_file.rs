//! The in-place file helper `io::rewrap_file` (issue 8 §3): atomic under a failure at
//! every step (the original byte-identical, no temporary file left), concurrent
//! rewraps of one job serialized by its lock (no revocation undone), a job replaced
//! mid-way refused, owner, group and mode kept from the first byte (as root), symbolic
//! links, FIFOs, devices and directories refused without blocking, and names of 255
//! bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(all(feature = "std", unix))]

mod common;
use common::{kek, msg, xwing};
use std::fs::{self, File, Metadata};
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

use printseal::io::{
    FileOps, RewrapFileOptions, StdFileOps, rewrap_file_with_ops, rewrap_file_with_options,
    rewrap_file_with_rng,
};
use printseal::rng::seeded_rng;
use printseal::{
    Error, Header, Identity, Recipient, RewrapOptions, SealOptions, open, seal_with_rng,
};

/// A job of `len` bytes sealed to KEKs 1 and 2.
fn job(len: usize) -> (Vec<u8>, Vec<u8>) {
    let data = msg(len);
    let sealed = seal_with_rng(
        &SealOptions::new("application/postscript").created_at(1_700_000_000),
        &[&kek(1), &kek(2)],
        &data,
        &mut seeded_rng([7; 32]),
    )
    .unwrap();
    (data, sealed)
}

/// A fresh, empty directory under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!(
            "printseal-rewrap-file-{name}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn rewrap(path: &Path, ids: &[&dyn Identity], to: &[&dyn Recipient]) -> printseal::Result<()> {
    rewrap_file_with_rng(
        path,
        ids,
        to,
        &RewrapOptions::new(),
        &mut seeded_rng([9; 32]),
    )
}

fn io_message(e: &Error) -> String {
    match e {
        Error::Io(e) => e.to_string(),
        e => panic!("expected an I/O error, got {e:?}"),
    }
}

fn opens(bytes: &[u8], id: &dyn Identity) -> bool {
    open(bytes, &[id]).is_ok()
}

#[test]
fn rewrap_file_replaces_the_job_atomically() {
    let dir = Scratch::new("ok");
    let (data, sealed) = job(300_000);
    let path = dir.0.join("job.pseal");
    fs::write(&path, &sealed).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let q = xwing(12);
    rewrap(&path, &[&kek(2)], &[&q.to_public()]).unwrap();
    let new = fs::read(&path).unwrap();
    assert_eq!(open(&new, &[&q]).unwrap().plaintext, data);
    assert!(matches!(
        open(&new, &[&kek(2)]),
        Err(Error::NoMatchingRecipient)
    ));
    let (h_old, h_new) = (
        Header::parse(&sealed).unwrap().len(),
        Header::parse(&new).unwrap().len(),
    );
    assert_eq!(&new[h_new..], &sealed[h_old..]);
    assert_eq!(entries(&dir.0), ["job.pseal"]);
    assert_eq!(fs::metadata(&path).unwrap().mode() & 0o7777, 0o600);
    // A crypto failure leaves the file alone.
    let err = rewrap(&path, &[&kek(2)], &[&kek(1)]).unwrap_err();
    assert!(matches!(err, Error::NoMatchingRecipient), "{err:?}");
    assert_eq!(fs::read(&path).unwrap(), new);
    assert_eq!(entries(&dir.0), ["job.pseal"]);
}

#[test]
fn rewrap_file_takes_a_relative_path_and_a_name_of_255_bytes() {
    let dir = Scratch::new("long");
    let (data, sealed) = job(20_000);
    let name = format!("{}.pseal", "j".repeat(249));
    assert_eq!(name.len(), 255);
    let path = dir.0.join(&name);
    fs::write(&path, &sealed).unwrap();
    rewrap(&path, &[&kek(1)], &[&kek(3)]).unwrap();
    assert_eq!(
        open(&fs::read(&path).unwrap(), &[&kek(3)])
            .unwrap()
            .plaintext,
        data
    );
    assert_eq!(entries(&dir.0), std::slice::from_ref(&name));

    // A relative path (the harness's directory is not changed: other tests run
    // meanwhile), through `..` up to the scratch directory.
    let rel = PathBuf::from(dir.0.file_name().unwrap()).join(&name);
    let cwd = std::env::current_dir().unwrap();
    let abs_parent = dir.0.parent().unwrap();
    let relative = pathdiff(abs_parent, &cwd).join(rel);
    rewrap(&relative, &[&kek(3)], &[&kek(4)]).unwrap();
    assert!(opens(&fs::read(&path).unwrap(), &kek(4)));
    assert_eq!(entries(&dir.0), [name]);
}

/// `to` relative to `from` (both absolute), with `..` components.
fn pathdiff(to: &Path, from: &Path) -> PathBuf {
    let (t, f): (Vec<_>, Vec<_>) = (to.components().collect(), from.components().collect());
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out
}

// --- fault injection ---------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Create,
    CopyAccess,
    FirstWrite,
    LaterWrite,
    Sync,
    Rename,
    DirSync,
    /// Another writer renames a different file over the job before the rename.
    Replaced,
}

/// The real file system, failing at one step.
struct Failing {
    step: Step,
    writes: usize,
    copied: u64,
    path: PathBuf,
}

fn injected() -> io::Error {
    io::Error::other("injected fault")
}

impl FileOps for Failing {
    fn create_new(&mut self, path: &Path) -> io::Result<File> {
        if self.step == Step::Create {
            return Err(injected());
        }
        StdFileOps.create_new(path)
    }
    fn copy_access(&mut self, file: &File, original: &Metadata) -> io::Result<()> {
        if self.step == Step::CopyAccess {
            return Err(injected());
        }
        StdFileOps.copy_access(file, original)
    }
    fn write(&mut self, file: &mut File, buf: &[u8]) -> io::Result<usize> {
        self.writes += 1;
        match self.step {
            Step::FirstWrite if self.writes == 1 => Err(injected()),
            _ => StdFileOps.write(file, &buf[..buf.len().min(50_000)]),
        }
    }
    fn copy(&mut self, from: &File, to: &mut File) -> io::Result<u64> {
        if self.step == Step::LaterWrite {
            // Fail once the header and part of the payload are on disk.
            self.copied = io::copy(&mut io::Read::take(from, 50_000), to)?;
            return Err(injected());
        }
        StdFileOps.copy(from, to)
    }
    fn sync_file(&mut self, file: &File) -> io::Result<()> {
        match self.step {
            Step::Sync => return Err(injected()),
            Step::Replaced => {
                let other = self.path.with_extension("other");
                fs::write(&other, b"a different file")?;
                fs::rename(&other, &self.path)?;
            }
            _ => {}
        }
        StdFileOps.sync_file(file)
    }
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        if self.step == Step::Rename {
            return Err(injected());
        }
        StdFileOps.rename(from, to)
    }
    fn sync_dir(&mut self, dir: &Path) -> io::Result<()> {
        if self.step == Step::DirSync {
            return Err(injected());
        }
        StdFileOps.sync_dir(dir)
    }
    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        StdFileOps.remove_file(path)
    }
}

#[test]
fn rewrap_file_failure_at_every_step_keeps_the_original_and_leaves_nothing() {
    let (data, sealed) = job(300_000);
    let q = xwing(13);
    for step in [
        Step::Create,
        Step::CopyAccess,
        Step::FirstWrite,
        Step::LaterWrite,
        Step::Sync,
        Step::Rename,
        Step::DirSync,
        Step::Replaced,
    ] {
        let dir = Scratch::new(&format!("{step:?}"));
        let path = dir.0.join("job.pseal");
        fs::write(&path, &sealed).unwrap();
        let mut ops = Failing {
            step,
            writes: 0,
            copied: 0,
            path: path.clone(),
        };
        let err = rewrap_file_with_ops(
            &mut ops,
            &path,
            &[&kek(1)],
            &[&q.to_public()],
            &RewrapOptions::new(),
            &RewrapFileOptions::new(),
            &mut seeded_rng([4; 32]),
        )
        .unwrap_err();
        let text = io_message(&err);
        // Nothing but the job is left in the directory, whatever failed.
        assert_eq!(entries(&dir.0), ["job.pseal"], "{step:?}");
        let now = fs::read(&path).unwrap();
        match step {
            Step::DirSync => {
                // The rename had taken effect: the new version is in place, and the
                // error says so.
                assert!(text.contains("was rewrapped"), "{text}");
                assert!(text.contains("injected fault"), "{text}");
                assert_eq!(open(&now, &[&q]).unwrap().plaintext, data);
            }
            Step::Replaced => {
                assert!(text.contains("replaced by another writer"), "{text}");
                assert_eq!(now, b"a different file");
            }
            _ => {
                assert!(text.contains("injected fault"), "{step:?}: {text}");
                // The original is byte for byte what it was.
                assert_eq!(now, sealed, "{step:?}");
                assert_eq!(open(&now, &[&kek(1)]).unwrap().plaintext, data);
            }
        }
        if step == Step::LaterWrite {
            assert!(
                ops.writes >= 1 && ops.copied == 50_000,
                "the fault came after bytes were written"
            );
        }
    }
}

// --- concurrency -------------------------------------------------------------------

/// The real file system, slow to sync, so that two rewraps overlap without the lock.
struct Slow;

impl FileOps for Slow {
    fn create_new(&mut self, path: &Path) -> io::Result<File> {
        StdFileOps.create_new(path)
    }
    fn copy_access(&mut self, file: &File, original: &Metadata) -> io::Result<()> {
        StdFileOps.copy_access(file, original)
    }
    fn write(&mut self, file: &mut File, buf: &[u8]) -> io::Result<usize> {
        StdFileOps.write(file, buf)
    }
    fn sync_file(&mut self, file: &File) -> io::Result<()> {
        thread::sleep(Duration::from_millis(40));
        StdFileOps.sync_file(file)
    }
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        StdFileOps.rename(from, to)
    }
    fn sync_dir(&mut self, dir: &Path) -> io::Result<()> {
        StdFileOps.sync_dir(dir)
    }
    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        StdFileOps.remove_file(path)
    }
}

#[test]
fn concurrent_rewraps_of_one_job_never_undo_a_revocation() {
    let (data, sealed) = job(200_000);
    for round in 0..6u8 {
        let dir = Scratch::new(&format!("race-{round}"));
        let path = dir.0.join("job.pseal");
        fs::write(&path, &sealed).unwrap();
        let start = Arc::new(Barrier::new(2));
        // One revokes KEK 2 (opening with KEK 1); the other, opening with KEK 2, adds
        // KEK 3 and keeps KEKs 1 and 2. Without the lock both read the original and
        // the later rename wins: KEK 2 could open again.
        let revoke = {
            let (path, start) = (path.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                rewrap_file_with_ops(
                    &mut Slow,
                    &path,
                    &[&kek(1)],
                    &[&kek(1)],
                    &RewrapOptions::new(),
                    &RewrapFileOptions::new(),
                    &mut seeded_rng([round; 32]),
                )
            })
        };
        let add = {
            let (path, start) = (path.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                if round % 2 == 1 {
                    // Give the revocation a head start in every other round.
                    thread::sleep(Duration::from_millis(5));
                }
                rewrap_file_with_ops(
                    &mut Slow,
                    &path,
                    &[&kek(2)],
                    &[&kek(1), &kek(2), &kek(3)],
                    &RewrapOptions::new(),
                    &RewrapFileOptions::new(),
                    &mut seeded_rng([round + 100; 32]),
                )
            })
        };
        let revoked = revoke.join().unwrap();
        let added = add.join().unwrap();
        assert!(revoked.is_ok(), "round {round}: {revoked:?}");
        let now = fs::read(&path).unwrap();
        // The revocation holds whatever the order, and the job opens for KEK 1.
        assert!(!opens(&now, &kek(2)), "round {round}: revocation undone");
        assert_eq!(open(&now, &[&kek(1)]).unwrap().plaintext, data);
        match added {
            // It ran first; the revocation then read its output and removed KEK 3 too.
            Ok(()) => assert!(!opens(&now, &kek(3)), "round {round}"),
            // It ran second and read the revoked job, which KEK 2 no longer opens.
            Err(e) => assert!(matches!(e, Error::NoMatchingRecipient), "{e:?}"),
        }
        assert_eq!(entries(&dir.0), ["job.pseal"], "round {round}");
    }
}

// --- owner, group and mode -----------------------------------------------------------

/// Checks, at the first write into the temporary file, that it already has its final
/// owner, group and mode, and at its creation that only its owner can open it.
struct Watching {
    expect: (u32, u32, u32),
    created_mode: Option<u32>,
    first_write: Option<(u32, u32, u32)>,
}

impl FileOps for Watching {
    fn create_new(&mut self, path: &Path) -> io::Result<File> {
        let f = StdFileOps.create_new(path)?;
        self.created_mode = Some(f.metadata()?.mode() & 0o7777);
        Ok(f)
    }
    fn copy_access(&mut self, file: &File, original: &Metadata) -> io::Result<()> {
        StdFileOps.copy_access(file, original)
    }
    fn write(&mut self, file: &mut File, buf: &[u8]) -> io::Result<usize> {
        if self.first_write.is_none() {
            let m = file.metadata()?;
            self.first_write = Some((m.uid(), m.gid(), m.mode() & 0o7777));
        }
        StdFileOps.write(file, buf)
    }
    fn sync_file(&mut self, file: &File) -> io::Result<()> {
        StdFileOps.sync_file(file)
    }
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        StdFileOps.rename(from, to)
    }
    fn sync_dir(&mut self, dir: &Path) -> io::Result<()> {
        StdFileOps.sync_dir(dir)
    }
    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        StdFileOps.remove_file(path)
    }
}

fn is_root() -> bool {
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

#[test]
fn rewrap_file_keeps_owner_group_and_mode_from_the_first_byte() {
    let running_as_root = is_root();
    if !running_as_root {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the tests as root: this one needs it"
        );
        eprintln!("not root: the owner and group cases need root, only the modes run");
    }
    let (data, sealed) = job(50_000);
    let me = fs::metadata("/proc/self")
        .map(|m| (m.uid(), m.gid()))
        .unwrap();
    // Modes a umask of 022 or 077 would change if they were set at creation, the
    // set-group-id bit (which a chown clears), and the owner and group of another
    // user (as root).
    let mut cases = vec![
        (me.0, me.1, 0o600),
        (me.0, me.1, 0o666),
        (me.0, me.1, 0o640),
    ];
    if running_as_root {
        cases.push((1234, 5678, 0o640));
        cases.push((4321, 0, 0o2660));
    }
    for (i, &(uid, gid, mode)) in cases.iter().enumerate() {
        let dir = Scratch::new(&format!("owner-{i}"));
        let path = dir.0.join("job.pseal");
        fs::write(&path, &sealed).unwrap();
        if (uid, gid) != me {
            std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let mut ops = Watching {
            expect: (uid, gid, mode),
            created_mode: None,
            first_write: None,
        };
        rewrap_file_with_ops(
            &mut ops,
            &path,
            &[&kek(1)],
            &[&kek(5)],
            &RewrapOptions::new(),
            &RewrapFileOptions::new(),
            &mut seeded_rng([5; 32]),
        )
        .unwrap();
        let m = fs::metadata(&path).unwrap();
        assert_eq!(
            (m.uid(), m.gid(), m.mode() & 0o7777),
            ops.expect,
            "case {i}"
        );
        // Created for its owner (the caller) only, then given the job's access before
        // a byte of it was written.
        assert_eq!(ops.created_mode.map(|c| c & 0o077), Some(0), "case {i}");
        assert_eq!(ops.first_write, Some(ops.expect), "case {i}");
        assert_eq!(
            open(&fs::read(&path).unwrap(), &[&kek(5)])
                .unwrap()
                .plaintext,
            data
        );
        assert_eq!(entries(&dir.0), ["job.pseal"]);
    }
}

// --- what is not a regular file ------------------------------------------------------

#[test]
fn a_symlink_is_refused_unless_asked_and_then_its_target_is_rewrapped_in_place() {
    let outside = Scratch::new("link-target");
    let spool = Scratch::new("link-spool");
    let (data, sealed) = job(30_000);
    let target = outside.0.join("secret.pseal");
    fs::write(&target, &sealed).unwrap();
    let link = spool.0.join("job.pseal");
    symlink(&target, &link).unwrap();

    let err = rewrap(&link, &[&kek(1)], &[&kek(6)]).unwrap_err();
    assert!(io_message(&err).contains("symbolic link"), "{err}");
    assert_eq!(fs::read(&target).unwrap(), sealed);
    assert_eq!(entries(&spool.0), ["job.pseal"]);
    assert_eq!(entries(&outside.0), ["secret.pseal"]);
    // A link to a link, and a dangling link: refused the same way.
    let link2 = spool.0.join("job2.pseal");
    symlink(&link, &link2).unwrap();
    assert!(io_message(&rewrap(&link2, &[&kek(1)], &[&kek(6)]).unwrap_err()).contains("symbolic"));
    let dangling = spool.0.join("gone.pseal");
    symlink(outside.0.join("nothing"), &dangling).unwrap();
    assert!(rewrap(&dangling, &[&kek(1)], &[&kek(6)]).is_err());

    // Asked to follow: the target is rewrapped in its own directory, the link stays.
    rewrap_file_with_options(
        &link2,
        &[&kek(1)],
        &[&kek(6)],
        &RewrapOptions::new(),
        &RewrapFileOptions::new().follow_symlinks(true),
        &mut seeded_rng([6; 32]),
    )
    .unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::symlink_metadata(&link2)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        open(&fs::read(&target).unwrap(), &[&kek(6)])
            .unwrap()
            .plaintext,
        data
    );
    assert_eq!(entries(&outside.0), ["secret.pseal"]);
    assert_eq!(entries(&spool.0), ["gone.pseal", "job.pseal", "job2.pseal"]);
}

/// Runs `rewrap` of `path` on a thread and waits at most ten seconds for it.
fn rewrap_within_bound(path: PathBuf, follow: bool) -> printseal::Result<()> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let r = rewrap_file_with_options(
            &path,
            &[&kek(1)],
            &[&kek(7)],
            &RewrapOptions::new(),
            &RewrapFileOptions::new().follow_symlinks(follow),
            &mut seeded_rng([7; 32]),
        );
        let _ = tx.send(r);
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("rewrap_file blocked on a file that is not a regular file")
}

#[test]
fn a_fifo_a_device_and_a_directory_are_refused_without_blocking() {
    let dir = Scratch::new("fifo");
    let fifo = dir.0.join("job.pseal");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo (coreutils)");
    assert!(st.success());
    // Opening a FIFO for reading blocks until a writer comes: none ever does here.
    let err = rewrap_within_bound(fifo.clone(), false).unwrap_err();
    assert!(io_message(&err).contains("not a regular file"), "{err}");
    // The same through a followed link.
    let link = dir.0.join("link.pseal");
    symlink(&fifo, &link).unwrap();
    let err = rewrap_within_bound(link, true).unwrap_err();
    assert!(io_message(&err).contains("not a regular file"), "{err}");
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(entries(&dir.0), ["job.pseal", "link.pseal"]);

    let err = rewrap_within_bound(PathBuf::from("/dev/null"), false).unwrap_err();
    assert!(io_message(&err).contains("not a regular file"), "{err}");
    let err = rewrap_within_bound(dir.0.clone(), false).unwrap_err();
    assert!(io_message(&err).contains("not a regular file"), "{err}");
    assert!(matches!(
        rewrap_within_bound(dir.0.join("missing"), false),
        Err(Error::Io(e)) if e.kind() == io::ErrorKind::NotFound
    ));
}

// --- payload blocks shared with the original ---------------------------------------

/// The header length, the kind and body of its last stanza.
fn last_stanza(job: &[u8]) -> (usize, u16, Vec<u8>) {
    let h = Header::parse(job).unwrap();
    let s = h.stanzas().last().unwrap();
    (h.len(), s.kind(), s.body().to_vec())
}

#[test]
fn rewrap_file_keeps_the_header_length_modulo_4096_with_a_padding_stanza() {
    let dir = Scratch::new("align");
    let (data, sealed) = job(300_000);
    let old_len = Header::parse(&sealed).unwrap().len();
    let path = dir.0.join("job.pseal");
    fs::write(&path, &sealed).unwrap();
    let q = xwing(14);
    let x = common::x25519(15);
    let (k1, k2) = (kek(1), kek(2));
    // Stanzas of very different sizes each time: X-Wing (1180 bytes), a KEK and an
    // X25519 (60 + 92), the same again (the length must not creep), back to one KEK.
    let q_pub = q.to_public();
    let x_pub = x.to_public();
    let steps: Vec<(&dyn Identity, Vec<&dyn Recipient>)> = vec![
        (&k1, vec![&q_pub]),
        (&q, vec![&k2, &x_pub]),
        (&k2, vec![&k2, &x_pub]),
        (&x, vec![&k1]),
    ];
    let mut lens = Vec::new();
    for (i, (id, to)) in steps.iter().enumerate() {
        rewrap(&path, &[*id], to).unwrap();
        let now = fs::read(&path).unwrap();
        let (len, kind, body) = last_stanza(&now);
        assert_eq!(len % 4096, old_len % 4096, "step {i}");
        assert_eq!(kind, printseal::format::stanza::kind::PADDING, "step {i}");
        assert!(
            body.len() < 4096 && body.iter().all(|&b| b == 0),
            "step {i}"
        );
        // The payload is the original's, byte for byte, and the job opens on every path.
        assert_eq!(&now[len..], &sealed[old_len..], "step {i}");
        let ids: Vec<&dyn Identity> = vec![&k1, &k2, &q, &x];
        assert_eq!(open(&now, &ids).unwrap().plaintext, data, "step {i}");
        let mut r = printseal::io::OpenReader::new(&now[..], &ids).unwrap();
        let mut back = Vec::new();
        io::Read::read_to_end(&mut r, &mut back).unwrap();
        assert_eq!(back, data, "step {i}");
        let mut r =
            printseal::io::SeekableOpenReader::new(io::Cursor::new(&now[..]), &ids).unwrap();
        let mut back = Vec::new();
        io::Read::read_to_end(&mut r, &mut back).unwrap();
        assert_eq!(back, data, "step {i}");
        lens.push(len);
    }
    // The same stanzas again give the same header: padding does not accumulate.
    assert_eq!(lens[1], lens[2]);
    assert!(lens.iter().all(|&l| l < old_len + 4096 + 1200));
}

/// A stanza-kind policy judges the recipients' stanzas, not the padding that
/// `rewrap_file` adds: a job rewrapped to X-Wing keys only still opens under an
/// X-Wing-only policy, and one rewrapped to X-Wing and X25519 is still refused for its
/// X25519 stanza.
#[test]
fn a_stanza_kind_policy_ignores_the_padding_rewrap_file_adds() {
    use printseal::format::stanza::kind;
    use printseal::{OpenOptions, OpenPolicy, PolicyViolation, open_with};
    let dir = Scratch::new("policy-pad");
    let (data, sealed) = job(50_000);
    let path = dir.0.join("job.pseal");
    fs::write(&path, &sealed).unwrap();
    let q = xwing(16);
    rewrap(&path, &[&kek(1)], &[&q.to_public()]).unwrap();
    let now = fs::read(&path).unwrap();
    let kinds: Vec<u16> = Header::parse(&now)
        .unwrap()
        .stanzas()
        .iter()
        .map(|s| s.kind())
        .collect();
    assert_eq!(kinds, [kind::XWING_HPKE, kind::PADDING]);
    let pq_only =
        OpenOptions::new().policy(OpenPolicy::new().accept_stanza_kinds(&[kind::XWING_HPKE]));
    assert_eq!(open_with(&now, &[&q], &pq_only).unwrap().plaintext, data);

    let x = common::x25519(17);
    let options = RewrapOptions::new().allow_mixed_pq(true);
    rewrap_file_with_rng(
        &path,
        &[&q],
        &[&q.to_public(), &x.to_public()],
        &options,
        &mut seeded_rng([9; 32]),
    )
    .unwrap();
    let now = fs::read(&path).unwrap();
    assert!(matches!(
        open_with(&now, &[&q], &pq_only),
        Err(Error::PolicyViolation(PolicyViolation::StanzaKind(k))) if k == kind::X25519_HPKE
    ));
}

#[test]
fn rewrap_file_to_64_recipients_has_no_room_for_padding_and_still_rewraps() {
    let dir = Scratch::new("align64");
    let (data, sealed) = job(40_000);
    let old_len = Header::parse(&sealed).unwrap().len();
    let path = dir.0.join("job.pseal");
    fs::write(&path, &sealed).unwrap();
    let keks: Vec<_> = (100..164).map(kek).collect();
    let to: Vec<&dyn Recipient> = keks.iter().map(|k| k as &dyn Recipient).collect();
    rewrap(&path, &[&kek(1)], &to).unwrap();
    let now = fs::read(&path).unwrap();
    let h = Header::parse(&now).unwrap();
    assert_eq!(h.stanzas().len(), 64);
    assert!(
        h.stanzas()
            .iter()
            .all(|s| s.kind() != printseal::format::stanza::kind::PADDING)
    );
    assert_eq!(&now[h.len()..], &sealed[old_len..]);
    assert_eq!(open(&now, &[&keks[63]]).unwrap().plaintext, data);
}

/// Writes a padding stanza with the given body (what a writer that does not zero it
/// would make).
struct PaddingRecipient(Vec<u8>);

impl Recipient for PaddingRecipient {
    fn wrap_file_key(
        &self,
        _file_key: &printseal::FileKey,
        _rng: &mut dyn rand_core::CryptoRng,
    ) -> printseal::Result<printseal::Stanza> {
        printseal::Stanza::new(printseal::format::stanza::kind::PADDING, self.0.clone())
    }
}

/// Records the kinds of the stanzas it is offered, and matches none.
struct Watcher(std::cell::RefCell<Vec<u16>>);

impl Identity for Watcher {
    fn unwrap_stanza(
        &self,
        stanza: &printseal::Stanza,
    ) -> Option<printseal::Result<printseal::FileKey>> {
        self.0.borrow_mut().push(stanza.kind());
        None
    }
}

#[test]
fn a_padding_stanza_of_any_body_opens_on_every_path_and_is_offered_to_no_identity() {
    let data = msg(3 * 16384 + 5);
    for body in [vec![], vec![0; 4096], vec![0xA5; 1000]] {
        let sealed = seal_with_rng(
            &SealOptions::new("application/pdf").created_at(1),
            &[&kek(1), &PaddingRecipient(body.clone())],
            &data,
            &mut seeded_rng([5; 32]),
        )
        .unwrap();
        let (_, kind, got) = last_stanza(&sealed);
        assert_eq!(
            (kind, &got),
            (printseal::format::stanza::kind::PADDING, &body)
        );
        let watcher = Watcher(std::cell::RefCell::new(Vec::new()));
        let k1 = kek(1);
        let ids: Vec<&dyn Identity> = vec![&watcher, &k1];
        assert_eq!(open(&sealed, &ids).unwrap().plaintext, data);
        let mut r = printseal::io::OpenReader::new(&sealed[..], &ids).unwrap();
        let mut back = Vec::new();
        io::Read::read_to_end(&mut r, &mut back).unwrap();
        assert_eq!(back, data);
        assert!(
            !watcher
                .0
                .borrow()
                .contains(&printseal::format::stanza::kind::PADDING),
            "an identity was offered the padding stanza"
        );
        // Only the padding: nobody can open it, and it is "no matching recipient".
        let only_pad = open(&sealed, &[&watcher]).unwrap_err();
        assert!(
            matches!(only_pad, Error::NoMatchingRecipient),
            "{only_pad:?}"
        );
        // The MAC covers the padding: a changed byte of it is a header MAC failure.
        if !body.is_empty() {
            let mut bad = sealed.clone();
            let (len, _, _) = last_stanza(&sealed);
            bad[len - 32 - 1] ^= 1;
            assert!(matches!(open(&bad, &[&k1]), Err(Error::HeaderMac)));
        }
    }
}
