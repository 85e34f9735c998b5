//! The header-only directory scan `io::scan` (issue 8 §3): a small summary per job,
//! symbolic links not followed by default and de-duplicated by device and inode when
//! they are, FIFOs never opened for blocking reads, an iterative walk with a depth
//! bound (deeper than the bound, and deeper than a recursive walk survives).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(all(feature = "std", unix))]

mod common;
use common::kek;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use printseal::format::stanza::kind;
use printseal::io::scan::{DEFAULT_MAX_DEPTH, ScanOptions, ScanReport, scan_headers_with};
use printseal::rng::seeded_rng;
use printseal::{Kek, Recipient, SealOptions, seal_with_rng};

fn sealed(to: &[&dyn Recipient], job_id: &str) -> Vec<u8> {
    seal_with_rng(
        &SealOptions::new("application/pdf")
            .created_at(1_700_000_000)
            .job_id(job_id),
        to,
        &[0x42; 5000],
        &mut seeded_rng([3; 32]),
    )
    .unwrap()
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("printseal-scan-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }
    fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn names(root: &Path, paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
        .collect()
}

fn all(root: &Path, options: ScanOptions) -> ScanReport {
    scan_headers_with(root, &options, |_| Some(true)).unwrap()
}

fn hits(root: &Path, r: &ScanReport) -> Vec<String> {
    let paths: Vec<PathBuf> = r.matches.iter().map(|h| h.path.clone()).collect();
    names(root, &paths)
}

/// Runs `f` on a thread and waits at most ten seconds for it.
fn within_bound<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the scan blocked")
}

#[test]
fn a_hit_keeps_a_summary_of_the_header() {
    let t = Scratch::new("summary");
    // The most stanzas a header may have: 64, each summarized by kind and key id.
    let keks: Vec<Kek> = (1..=64).map(kek).collect();
    let to: Vec<&dyn Recipient> = keks.iter().map(|k| k as &dyn Recipient).collect();
    let job = sealed(&to, "spool-7");
    t.write("job.pseal", &job);
    let r = all(&t.0, ScanOptions::new());
    assert_eq!(r.matches.len(), 1);
    let s = &r.matches[0].summary;
    assert_eq!(s.public.job_id.as_deref(), Some("spool-7"));
    assert_eq!(s.public.content_type, "application/pdf");
    assert_eq!(s.public.producer_name, "printseal");
    assert_eq!(s.public.sbom_sha256, Some(printseal::sbom_sha256()));
    assert_eq!(s.suite, printseal::Suite::Aes256Gcm);
    assert_eq!(s.file_len, job.len() as u64);
    assert_eq!(s.header_len, printseal::Header::parse(&job).unwrap().len());
    assert_eq!(s.stanzas.len(), 64);
    for (i, st) in s.stanzas.iter().enumerate() {
        assert_eq!(st.kind, kind::KEK_AES256_KWP);
        assert_eq!(st.key_id, [i as u8 + 1; 16]);
    }
}

#[test]
fn symlinks_are_not_followed_by_default_and_followed_once_when_asked() {
    let outside = Scratch::new("links-outside");
    let t = Scratch::new("links");
    let target = outside.write("crafted.pseal", &sealed(&[&kek(1)], "outside"));
    t.write("real.pseal", &sealed(&[&kek(2)], "inside"));
    // Many links to one job outside the tree, and a link back up to the root.
    for i in 0..300 {
        symlink(&target, t.0.join(format!("link-{i:03}"))).unwrap();
    }
    symlink(&t.0, t.0.join("sub-loop")).unwrap();
    symlink(&outside.0, t.0.join("zz-outside-dir")).unwrap();

    let r = all(&t.0, ScanOptions::new());
    assert_eq!(hits(&t.0, &r), ["real.pseal"]);
    assert_eq!(r.skipped.len(), 302, "every link listed as skipped");
    assert!(r.duplicates.is_empty() && r.errors.is_empty(), "{r:?}");

    // Followed: the outside job once, through the first link; every other path to it
    // (the other links, and the directory it is in) is a duplicate; the loop back to
    // the root is cut at once.
    let r = within_bound({
        let root = t.0.clone();
        move || all(&root, ScanOptions::new().follow_symlinks(true))
    });
    assert_eq!(hits(&t.0, &r), ["link-000", "real.pseal"]);
    assert_eq!(
        r.matches[0].summary.public.job_id.as_deref(),
        Some("outside")
    );
    let dups = names(&t.0, &r.duplicates);
    assert_eq!(dups.len(), 301, "{dups:?}");
    assert!(dups.contains(&"sub-loop".to_string()));
    assert!(dups.contains(&"zz-outside-dir/crafted.pseal".to_string()));
    assert!(r.skipped.is_empty() && r.errors.is_empty(), "{r:?}");
}

#[test]
fn a_fifo_is_never_read_and_never_blocks() {
    let t = Scratch::new("fifo");
    t.write("a.pseal", &sealed(&[&kek(1)], "a"));
    let fifo = t.0.join("b.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo (coreutils)")
            .success()
    );
    symlink(&fifo, t.0.join("c-link-to-fifo")).unwrap();
    // Not followed: both skipped without opening.
    let r = within_bound({
        let root = t.0.clone();
        move || all(&root, ScanOptions::new())
    });
    assert_eq!(hits(&t.0, &r), ["a.pseal"]);
    assert_eq!(names(&t.0, &r.skipped), ["b.fifo", "c-link-to-fifo"]);
    // Followed: the link is opened (non-blocking) and its type checked on the
    // descriptor; a blocking open would wait for a writer forever.
    let r = within_bound({
        let root = t.0.clone();
        move || all(&root, ScanOptions::new().follow_symlinks(true))
    });
    assert_eq!(hits(&t.0, &r), ["a.pseal"]);
    assert_eq!(names(&t.0, &r.skipped), ["b.fifo", "c-link-to-fifo"]);
    assert!(r.errors.is_empty(), "{r:?}");
}

#[test]
fn the_walk_stops_at_the_depth_bound() {
    let t = Scratch::new("depth");
    t.write("1.pseal", &sealed(&[&kek(1)], "d1"));
    t.write("a/2.pseal", &sealed(&[&kek(1)], "d2"));
    t.write("a/b/3.pseal", &sealed(&[&kek(1)], "d3"));
    t.write("a/b/c/d/5.pseal", &sealed(&[&kek(1)], "d5"));
    // Depth 3: entries of `a/b` are at depth 3, so `a/b/c` is not entered.
    let r = all(&t.0, ScanOptions::new().max_depth(3));
    assert_eq!(hits(&t.0, &r), ["1.pseal", "a/2.pseal", "a/b/3.pseal"]);
    assert_eq!(names(&t.0, &r.too_deep), ["a/b/c"]);
    // Depth 1: the top level only.
    let r = all(&t.0, ScanOptions::new().max_depth(1));
    assert_eq!(hits(&t.0, &r), ["1.pseal"]);
    assert_eq!(names(&t.0, &r.too_deep), ["a"]);
    // Deep enough: everything, nothing too deep.
    let r = all(&t.0, ScanOptions::new().max_depth(5));
    assert_eq!(r.matches.len(), 4);
    assert!(r.too_deep.is_empty());
}

#[test]
fn a_very_deep_tree_is_walked_without_recursion() {
    let t = Scratch::new("deep");
    // 1000 levels, scanned on a thread with a 64 KiB stack: 64 bytes per level, far
    // less than a recursive walk needs (a path, metadata and a directory listing per
    // frame).
    let levels = 1000;
    let mut rel = String::new();
    for _ in 0..levels {
        rel.push_str("d/");
    }
    rel.push_str("job.pseal");
    t.write(&rel, &sealed(&[&kek(1)], "deep"));
    let root = t.0.clone();
    let r = thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || all(&root, ScanOptions::new().max_depth(usize::MAX)))
        .unwrap()
        .join()
        .expect("the scan overflowed its stack");
    assert_eq!(r.matches.len(), 1);
    assert_eq!(
        r.matches[0]
            .path
            .strip_prefix(&t.0)
            .unwrap()
            .to_string_lossy(),
        rel
    );
    assert!(r.errors.is_empty() && r.too_deep.is_empty());
    // With the default bound, the walk stops 64 levels down.
    let r = all(&t.0, ScanOptions::new());
    assert!(r.matches.is_empty());
    assert_eq!(r.too_deep.len(), 1);
    let deepest = r.too_deep[0].strip_prefix(&t.0).unwrap();
    assert_eq!(deepest.components().count(), DEFAULT_MAX_DEPTH);
}
