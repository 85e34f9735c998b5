//! Finding sealed jobs in a directory tree by their headers alone: "which held jobs
//! were sealed by the affected build?".
//!
//! Each regular file is opened and only its header is read (through
//! [`super::read_header`]: never more than [`crate::limits::MAX_HEADER`] bytes, never
//! past the header), so a scan of a spool of large jobs reads a few hundred bytes per
//! job and needs no key. Headers are not authenticated without a key: a scan finds
//! jobs to look at, and an [`crate::OpenPolicy`] at open time is what enforces.
//!
//! What a scan keeps per job is a [`JobSummary`] (a few hundred bytes: public
//! metadata, suite, stanza kinds and key ids, sizes), not the header, which can be
//! half a megabyte. The walk is iterative (no recursion, whatever the depth) and goes
//! at most [`ScanOptions::max_depth`] levels down. Symbolic links are not followed
//! unless [`ScanOptions::follow_symlinks`] is set; then every directory and file is
//! visited once, by device and inode, so links cannot make a scan loop or count one
//! job many times. Files are opened with `O_NOFOLLOW | O_NONBLOCK` and their type is
//! checked on the open descriptor (`fstat`): a FIFO, socket or device, including one
//! swapped in after the directory was listed, is skipped and never blocks the scan.
//!
//! Files that are not printseal jobs are listed apart from errors. A directory
//! replaced by a symbolic link while it is listed is detected (its device and inode
//! are compared before and after) but not prevented: the standard library lists
//! directories by path.

use std::collections::HashSet;
use std::fs::{self, File, Metadata};
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::header::{Header, MAGIC};
use crate::format::metadata::PublicMetadata;
use crate::format::stanza::kind;
use crate::policy::VersionRange;
use crate::suite::Suite;

/// The default of [`ScanOptions::max_depth`].
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// How a scan walks the tree.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ScanOptions {
    follow_symlinks: bool,
    max_depth: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            follow_symlinks: false,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl ScanOptions {
    /// The defaults: symbolic links are not followed (they are listed in
    /// [`ScanReport::skipped`]), and the walk goes [`DEFAULT_MAX_DEPTH`] levels down.
    pub fn new() -> ScanOptions {
        ScanOptions::default()
    }

    /// Follows symbolic links to files and directories. Each file and directory is
    /// then visited once (by device and inode); later paths to one already seen go to
    /// [`ScanReport::duplicates`].
    pub fn follow_symlinks(mut self, follow: bool) -> Self {
        self.follow_symlinks = follow;
        self
    }

    /// How deep the walk goes: entries of the scanned directory are at depth 1, those
    /// of its subdirectories at depth 2, and so on. A directory at depth `max_depth`
    /// is not entered; it goes to [`ScanReport::too_deep`].
    pub fn max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }
}

/// One recipient stanza of a scanned job: its kind and, for the kinds this build
/// knows, the key id it names (16 bytes for a KEK, 8 for an X25519 or X-Wing key).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StanzaSummary {
    /// The stanza kind ([`crate::format::stanza::kind`]).
    pub kind: u16,
    /// The key id at the start of the body; empty for a kind this build does not know.
    pub key_id: Vec<u8>,
}

/// What a scan keeps of a job's (unauthenticated) header.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobSummary {
    /// Producer, version, SBOM digest, content type, times and job id.
    pub public: PublicMetadata,
    /// The payload suite.
    pub suite: Suite,
    /// The recipient stanzas, in header order.
    pub stanzas: Vec<StanzaSummary>,
    /// The header's length in bytes.
    pub header_len: usize,
    /// The file's length in bytes.
    pub file_len: u64,
}

impl JobSummary {
    /// The summary of `header`, read from a file of `file_len` bytes.
    pub fn new(header: &Header, file_len: u64) -> JobSummary {
        let stanzas = header
            .stanzas()
            .iter()
            .map(|s| {
                let id_len = match s.kind() {
                    kind::KEK_AES256_KWP => 16,
                    kind::X25519_HPKE | kind::XWING_HPKE => 8,
                    _ => 0,
                };
                StanzaSummary {
                    kind: s.kind(),
                    key_id: s.body().get(..id_len).unwrap_or_default().to_vec(),
                }
            })
            .collect();
        JobSummary {
            public: header.public_metadata().clone(),
            suite: header.suite(),
            stanzas,
            header_len: header.len(),
            file_len,
        }
    }
}

/// A sealed job found by a scan.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ScanHit {
    /// The file.
    pub path: PathBuf,
    /// What its header says (unauthenticated).
    pub summary: JobSummary,
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
    /// Entries not opened or not read: symbolic links (unless followed), FIFOs,
    /// sockets, devices.
    pub skipped: Vec<PathBuf>,
    /// With [`ScanOptions::follow_symlinks`]: paths to a file or directory already
    /// visited through another path.
    pub duplicates: Vec<PathBuf>,
    /// Directories at the depth bound, not entered.
    pub too_deep: Vec<PathBuf>,
    /// Files that start like printseal jobs but whose header could not be read
    /// (truncated, damaged, unsupported version or suite), and directories or files
    /// that could not be read at all.
    pub errors: Vec<(PathBuf, Error)>,
}

/// The result of looking at one header: match, no match, or cannot tell.
pub type Decision = Option<bool>;

/// Walks `dir` with the default [`ScanOptions`] and sorts every sealed job's header
/// with `select` (`Some(true)` match, `Some(false)` no match, `None` undecided).
///
/// # Errors
/// [`Error::Io`] if `dir` itself cannot be read; problems below it go into
/// [`ScanReport::errors`].
pub fn scan_headers<F>(dir: impl AsRef<Path>, select: F) -> Result<ScanReport>
where
    F: FnMut(&Header) -> Decision,
{
    scan_headers_with(dir, &ScanOptions::new(), select)
}

/// [`scan_headers`] with `options`.
///
/// # Errors
/// As [`scan_headers`].
pub fn scan_headers_with<F>(
    dir: impl AsRef<Path>,
    options: &ScanOptions,
    mut select: F,
) -> Result<ScanReport>
where
    F: FnMut(&Header) -> Decision,
{
    let root = dir.as_ref();
    let mut walk = Walk {
        options: *options,
        report: ScanReport::default(),
        seen: HashSet::new(),
        stack: Vec::new(),
    };
    let meta = fs::metadata(root)?;
    walk.first_visit(&meta);
    let children = list(root, &meta)?;
    walk.push(children, 1);
    while let Some((path, depth)) = walk.stack.pop() {
        walk.visit(path, depth, &mut select);
    }
    Ok(walk.report)
}

/// Lists the jobs under `dir` whose producer falls in any of `ranges` (for example
/// `VersionRange::new("printseal", ">=0.2.0, <0.2.5")`), with the default
/// [`ScanOptions`].
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
/// whatever its version string says. With the default [`ScanOptions`].
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

struct Walk {
    options: ScanOptions,
    report: ScanReport,
    /// (device, inode) of what was visited, with `follow_symlinks` only: at most one
    /// entry per path walked.
    seen: HashSet<(u64, u64)>,
    /// Entries still to visit, with their depth; the next one on top.
    stack: Vec<(PathBuf, usize)>,
}

impl Walk {
    /// Queues `children` (sorted) so that they are visited in order.
    fn push(&mut self, children: Vec<PathBuf>, depth: usize) {
        self.stack
            .extend(children.into_iter().rev().map(|p| (p, depth)));
    }

    /// With `follow_symlinks`, records `meta`'s file and says whether it is new.
    fn first_visit(&mut self, meta: &Metadata) -> bool {
        !self.options.follow_symlinks || file_id(meta).is_none_or(|id| self.seen.insert(id))
    }

    fn visit<F>(&mut self, path: PathBuf, depth: usize, select: &mut F)
    where
        F: FnMut(&Header) -> Decision,
    {
        let mut meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) => return self.report.errors.push((path, Error::Io(e))),
        };
        let link = meta.file_type().is_symlink();
        if link {
            if !self.options.follow_symlinks {
                return self.report.skipped.push(path);
            }
            meta = match fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => return self.report.errors.push((path, Error::Io(e))),
            };
        }
        if meta.is_dir() {
            if depth >= self.options.max_depth {
                return self.report.too_deep.push(path);
            }
            if !self.first_visit(&meta) {
                return self.report.duplicates.push(path);
            }
            match list(&path, &meta) {
                Ok(children) => self.push(children, depth + 1),
                Err(e) => self.report.errors.push((path, e)),
            }
            return;
        }
        if !meta.is_file() {
            // Not opened at all: a FIFO would block, a device could do anything.
            return self.report.skipped.push(path);
        }
        let file = match open_file(&path, link) {
            Ok(Some(f)) => f,
            // Swapped for a link or for something that is not a regular file.
            Ok(None) => return self.report.skipped.push(path),
            Err(e) => return self.report.errors.push((path, Error::Io(e))),
        };
        let fmeta = match file.metadata() {
            Ok(m) if m.is_file() => m,
            Ok(_) => return self.report.skipped.push(path),
            Err(e) => return self.report.errors.push((path, Error::Io(e))),
        };
        if !self.first_visit(&fmeta) {
            return self.report.duplicates.push(path);
        }
        match read_one(file, fmeta.len()) {
            Ok(Some(header)) => {
                let decision = select(&header);
                let summary = JobSummary::new(&header, fmeta.len());
                drop(header);
                match decision {
                    Some(true) => self.report.matches.push(ScanHit { path, summary }),
                    None => self.report.undecided.push(ScanHit { path, summary }),
                    Some(false) => self.report.other_jobs += 1,
                }
            }
            Ok(None) => self.report.not_printseal.push(path),
            Err(e) => self.report.errors.push((path, e)),
        }
    }
}

/// (device, inode).
#[cfg(unix)]
fn file_id(meta: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

/// No stable file index in this platform's std: nothing is de-duplicated, and only
/// the depth bound stops a loop of links.
#[cfg(not(unix))]
fn file_id(meta: &Metadata) -> Option<(u64, u64)> {
    let _ = meta;
    None
}

/// The sorted entries of the directory `dir`, whose metadata (before listing) is
/// `before`.
fn list(dir: &Path, before: &Metadata) -> Result<Vec<PathBuf>> {
    let mut paths = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<Vec<_>>>()?;
    paths.sort();
    // Listed through a path: if it now names another directory, the listing may be
    // of that one.
    let after = fs::metadata(dir)?;
    if !after.is_dir() || file_id(&after) != file_id(before) {
        return Err(Error::Io(io::Error::other(
            "the directory was replaced while it was listed",
        )));
    }
    Ok(paths)
}

/// Opens a file the walk found, without blocking and (unless `follow`) without
/// following a link; `Ok(None)` if it turned out to be a link after all.
fn open_file(path: &Path, follow: bool) -> io::Result<Option<File>> {
    let mut o = File::options();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
        o.custom_flags(nofollow | libc::O_NONBLOCK);
        match o.open(path) {
            Ok(f) => Ok(Some(f)),
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => Ok(None),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = follow;
        o.open(path).map(Some)
    }
}

/// `Ok(None)` for a file that is not a printseal job.
fn read_one(file: File, len: u64) -> Result<Option<Header>> {
    let mut r = BufReader::with_capacity(4096, file);
    match super::read_header(&mut r) {
        Ok(h) => Ok(Some(h)),
        Err(Error::NotPrintseal) => Ok(None),
        // Shorter than the magic (an empty file, say): not a job, not a damaged one.
        Err(Error::Truncated) if len < MAGIC.len() as u64 => Ok(None),
        Err(e) => Err(e),
    }
}
