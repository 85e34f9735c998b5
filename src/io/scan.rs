//! Finding sealed jobs in a directory tree by their headers alone: "which held jobs
//! were sealed by the affected build?".
//!
//! Each regular file is opened and only its header is read (through
//! [`super::read_header`]: never more than [`crate::limits::MAX_HEADER`] bytes, never
//! past the header), so a scan of a spool of large jobs reads a few hundred bytes per
//! job and needs no key. Headers are not authenticated without a key: a scan finds
//! jobs to look at, and an [`crate::OpenPolicy`] at open time is what enforces.
//!
//! Files that are not printseal jobs are listed apart from errors; symbolic links to
//! directories, FIFOs, sockets and devices are not opened (a FIFO would block), and
//! listed as skipped.

use std::fs::{self, File};
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::header::{Header, MAGIC};
use crate::policy::VersionRange;

/// A sealed job found by a scan.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ScanHit {
    /// The file.
    pub path: PathBuf,
    /// Its parsed header (unauthenticated): producer, SBOM digest, suite, stanzas.
    pub header: Header,
}

/// What a scan found, in path order.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct ScanReport {
    /// Jobs that matched.
    pub matches: Vec<ScanHit>,
    /// Jobs that could not be decided: a range's producer name matched but the
    /// recorded version is not SemVer. Look at them by hand.
    pub undecided: Vec<ScanHit>,
    /// How many readable jobs did not match.
    pub other_jobs: usize,
    /// Regular files that are not printseal jobs (another magic, or shorter than it).
    pub not_printseal: Vec<PathBuf>,
    /// Entries not opened: symbolic links to directories, FIFOs, sockets, devices.
    pub skipped: Vec<PathBuf>,
    /// Files that start like printseal jobs but whose header could not be read
    /// (truncated, damaged, unsupported version or suite), and directories or files
    /// that could not be read at all.
    pub errors: Vec<(PathBuf, Error)>,
}

/// The result of looking at one header: match, no match, or cannot tell.
pub type Decision = Option<bool>;

/// Walks `dir` recursively and sorts every sealed job's header with `select`
/// (`Some(true)` match, `Some(false)` no match, `None` undecided).
///
/// # Errors
/// [`Error::Io`] if `dir` itself cannot be read; problems below it go into
/// [`ScanReport::errors`].
pub fn scan_headers<F>(dir: impl AsRef<Path>, mut select: F) -> Result<ScanReport>
where
    F: FnMut(&Header) -> Decision,
{
    let mut report = ScanReport::default();
    let root = dir.as_ref();
    let entries = sorted_entries(root)?;
    walk(entries, &mut select, &mut report);
    Ok(report)
}

/// Lists the jobs under `dir` whose producer falls in any of `ranges` (for example
/// `VersionRange::new("printseal", ">=0.2.0, <0.2.5")`).
///
/// # Errors
/// As [`scan_headers`].
pub fn find_jobs_by_producer(dir: impl AsRef<Path>, ranges: &[VersionRange]) -> Result<ScanReport> {
    scan_headers(dir, |h| {
        let p = h.public_metadata();
        let mut decision = Some(false);
        for r in ranges {
            match r.matches_metadata(p) {
                Some(true) => return Some(true),
                None => decision = None,
                Some(false) => {}
            }
        }
        decision
    })
}

/// Lists the jobs under `dir` whose header records one of `digests` as the producer's
/// SBOM SHA-256 ([`crate::sbom_sha256`] of the build that sealed them): one exact build,
/// whatever its version string says.
///
/// # Errors
/// As [`scan_headers`].
pub fn find_jobs_by_sbom(dir: impl AsRef<Path>, digests: &[[u8; 32]]) -> Result<ScanReport> {
    scan_headers(dir, |h| {
        Some(
            h.public_metadata()
                .sbom_sha256
                .is_some_and(|d| digests.contains(&d)),
        )
    })
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    paths.sort();
    Ok(paths)
}

fn walk<F>(entries: Vec<PathBuf>, select: &mut F, report: &mut ScanReport)
where
    F: FnMut(&Header) -> Decision,
{
    for path in entries {
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                report.errors.push((path, Error::Io(e)));
                continue;
            }
        };
        let ft = meta.file_type();
        if ft.is_dir() {
            match sorted_entries(&path) {
                Ok(children) => walk(children, select, report),
                Err(e) => report.errors.push((path, e)),
            }
            continue;
        }
        // Follow a link to a regular file; never to a directory (no cycles).
        let is_file =
            ft.is_file() || (ft.is_symlink() && fs::metadata(&path).is_ok_and(|m| m.is_file()));
        if !is_file {
            report.skipped.push(path);
            continue;
        }
        match read_one(&path) {
            Ok(Some(header)) => match select(&header) {
                Some(true) => report.matches.push(ScanHit { path, header }),
                None => report.undecided.push(ScanHit { path, header }),
                Some(false) => report.other_jobs += 1,
            },
            Ok(None) => report.not_printseal.push(path),
            Err(e) => report.errors.push((path, e)),
        }
    }
}

/// `Ok(None)` for a file that is not a printseal job.
fn read_one(path: &Path) -> Result<Option<Header>> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut r = BufReader::with_capacity(4096, file);
    match super::read_header(&mut r) {
        Ok(h) => Ok(Some(h)),
        Err(Error::NotPrintseal) => Ok(None),
        // Shorter than the magic (an empty file, say): not a job, not a damaged one.
        Err(Error::Truncated) if len < MAGIC.len() as u64 => Ok(None),
        Err(e) => Err(e),
    }
}
