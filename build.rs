//! Build script of the core crate: build information and the embedded CycloneDX 1.6
//! SBOM + CBOM (`printseal::build_info`, `printseal::sbom_json`).
//!
//! It writes two files into `OUT_DIR`:
//! - `sbom.cdx.json`: the CycloneDX document, byte-for-byte what `sbom_json()` returns;
//! - `build_info.rs`: constants (SBOM digest, git commit, rustc, features, ...).
//!
//! The component list comes from `cargo tree -e normal` run for exactly this build's
//! package, features and target (Cargo passes them in `CARGO_CFG_FEATURE` and `TARGET`),
//! `--locked --offline`: it resolves, it does not build, so it takes no build-directory
//! lock and cannot deadlock the outer cargo. Licences come from the same output; the
//! SHA-256 of each registry crate from the workspace's Cargo.lock. The CBOM part comes
//! from `src/sbom/algorithms.rs`, the table the library itself exports and tests.
//!
//! Built as a dependency of another workspace (from a registry or git), it resolves in
//! that workspace, found above `OUT_DIR`. If cargo cannot resolve offline (a packaged
//! crate with no lock file, say), the document falls back to the closure of the
//! Cargo.lock entries (a superset), or to the root alone; it says so in its
//! `compositions` and in `printseal:sbom:completeness` (`approximate`, `root-only`), and
//! a `cargo:warning` is printed. The `sbom` tests fail on anything but an exact list.
//!
//! The document is deterministic: no timestamp unless `SOURCE_DATE_EPOCH` is set, a
//! serial number derived from the content's SHA-256, everything sorted.

// A build script reports a broken build (an unwritable OUT_DIR, a dangling algorithm
// id in the table) by panicking.
#![allow(clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

#[allow(dead_code)]
mod table {
    include!("src/sbom/algorithms.rs");
}

fn main() {
    let manifest_dir = PathBuf::from(env_or("CARGO_MANIFEST_DIR", "."));
    let out_dir = PathBuf::from(env_or("OUT_DIR", "."));
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=src/sbom/algorithms.rs");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-env-changed=PRINTSEAL_GIT_COMMIT");

    let info = BuildFacts::collect(&manifest_dir);
    // The versions compiled in are those of the Cargo.lock of the workspace that runs
    // this build: printseal's own, or another one that uses it as a dependency (the
    // fuzz/ workspace, a program depending on the published crate). That workspace is
    // found above OUT_DIR; if not, printseal's own workspace is used, which for a
    // registry or git dependency may not be the one building it (said so in the SBOM).
    let own_root = workspace_root(&manifest_dir).unwrap_or_else(|| manifest_dir.clone());
    let (resolve_dir, approximate) = match consuming_workspace(&out_dir, &info) {
        Some(ws) => (ws, None),
        None if is_external_source(&manifest_dir) => (
            own_root.clone(),
            Some(
                "built as a dependency and the consuming workspace was not found: versions \
                 from printseal's own Cargo.lock",
            ),
        ),
        None => (own_root.clone(), None),
    };
    let lock_path = workspace_lock(&resolve_dir);
    if let Some(lock) = &lock_path {
        println!("cargo:rerun-if-changed={}", lock.display());
    }
    let lock = lock_path
        .as_deref()
        .and_then(|p| fs::read_to_string(p).ok())
        .map(|s| parse_lock(&s));
    let member = resolve_dir == own_root;
    let graph = match cargo_tree(&resolve_dir, &info, member) {
        Ok(mut g) => {
            let strip = |v: &[String]| -> BTreeSet<String> {
                v.iter().filter(|f| *f != "default").cloned().collect()
            };
            let why = match approximate {
                Some(why) => Some(why.to_string()),
                None if strip(&g.root_features) != strip(&info.features) => Some(format!(
                    "the resolved graph enables printseal features [{}], this build [{}]",
                    g.root_features.join(","),
                    info.features.join(",")
                )),
                None => None,
            };
            if let Some(why) = why {
                println!("cargo:warning=printseal SBOM: {why}");
                g.completeness = "approximate";
                g.source = format!("{} ({why})", g.source);
            }
            g
        }
        Err(why) => fallback_graph(&info, lock.as_ref(), &why),
    };
    let (json, digest) = sbom_document(&info, &graph, lock.as_ref());
    write(&out_dir.join("sbom.cdx.json"), json.as_bytes());
    write(
        &out_dir.join("build_info.rs"),
        build_info_rs(&info, &graph, &digest).as_bytes(),
    );
}

fn env_or(key: &str, default: &str) -> String {
    env::var(key).unwrap_or_else(|_| default.to_string())
}

fn write(path: &Path, bytes: &[u8]) {
    // Rewrite only on change, so that an unchanged SBOM does not rebuild the crate.
    if fs::read(path).ok().as_deref() != Some(bytes) {
        if let Err(e) = fs::write(path, bytes) {
            panic!("cannot write {}: {e}", path.display());
        }
    }
}

// ----------------------------------------------------------------------------------
// Facts about this build

struct BuildFacts {
    name: String,
    version: String,
    license: String,
    description: String,
    repository: String,
    target: String,
    profile: String,
    features: Vec<String>,
    rustc: String,
    cargo_version: String,
    git_commit: Option<String>,
    crypto_backend: &'static str,
    timestamp: Option<String>,
}

impl BuildFacts {
    fn collect(manifest_dir: &Path) -> BuildFacts {
        let features = enabled_features();
        BuildFacts {
            name: env_or("CARGO_PKG_NAME", "printseal"),
            version: env_or("CARGO_PKG_VERSION", "0.0.0"),
            license: env_or("CARGO_PKG_LICENSE", ""),
            description: env_or("CARGO_PKG_DESCRIPTION", ""),
            repository: env_or("CARGO_PKG_REPOSITORY", ""),
            target: env_or("TARGET", "unknown"),
            profile: env_or("PROFILE", "unknown"),
            rustc: tool_version(&env_or("RUSTC", "rustc")).unwrap_or_else(|| "unknown".into()),
            cargo_version: tool_version(&env_or("CARGO", "cargo"))
                .unwrap_or_else(|| "unknown".into()),
            git_commit: git_commit(manifest_dir),
            crypto_backend: crypto_backend(&features),
            timestamp: env::var("SOURCE_DATE_EPOCH")
                .ok()
                .and_then(|s| rfc3339(s.trim())),
            features,
        }
    }
}

/// The features of this package that are on, with their Cargo.toml spelling.
fn enabled_features() -> Vec<String> {
    // Cargo >= 1.85 lists them as they are spelled; older ones only as CARGO_FEATURE_*
    // variables (upper case, `-` turned into `_`), which Cargo.toml's names are mapped
    // back from by the caller's convention: lower case, `_` to `-`.
    let mut f: Vec<String> = match env::var("CARGO_CFG_FEATURE") {
        Ok(list) => list
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        Err(_) => env::vars()
            .filter_map(|(k, _)| {
                k.strip_prefix("CARGO_FEATURE_")
                    .map(|n| n.to_lowercase().replace('_', "-"))
            })
            .collect(),
    };
    f.sort();
    f.dedup();
    f
}

/// The default chunk AEAD backend, for the SBOM: the `aws-lc-rs` feature makes AWS-LC
/// the default (`hazmat::Backend::DEFAULT`, which `build_info()` reports; a test checks
/// that the two agree). Key wrapping, HPKE and the KDFs are RustCrypto in every build.
fn crypto_backend(features: &[String]) -> &'static str {
    if features.iter().any(|f| f == "aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "rustcrypto"
    }
}

/// First line of `tool -V` (`rustc 1.87.0 (17067e9ac 2025-05-09)`).
fn tool_version(tool: &str) -> Option<String> {
    let out = Command::new(tool).arg("-V").output().ok()?;
    let s = String::from_utf8(out.stdout).ok()?;
    out.status
        .success()
        .then(|| s.lines().next().unwrap_or("").trim().to_string())
}

/// The commit this source was built from: `PRINTSEAL_GIT_COMMIT` if set (for builds
/// from a tarball), the one Cargo recorded when it packaged the crate
/// (`.cargo_vcs_info.json`), or `git rev-parse HEAD`. None outside git; never fails.
fn git_commit(manifest_dir: &Path) -> Option<String> {
    let valid =
        |s: &str| (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Ok(c) = env::var("PRINTSEAL_GIT_COMMIT") {
        return valid(c.trim()).then(|| c.trim().to_ascii_lowercase());
    }
    if let Ok(vcs) = fs::read_to_string(manifest_dir.join(".cargo_vcs_info.json")) {
        let sha = vcs.split("\"sha1\"").nth(1)?.split('"').nth(1)?.to_string();
        return valid(&sha).then_some(sha);
    }
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(manifest_dir)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let head = git(&["rev-parse", "HEAD"])?;
    // Rebuild when HEAD moves: the HEAD file, the branch it points at, packed refs.
    if let Some(git_dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        let git_dir = PathBuf::from(git_dir);
        let mut watch = vec![git_dir.join("HEAD"), git_dir.join("packed-refs")];
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch.push(git_dir.join(r));
        }
        for p in watch.iter().filter(|p| p.exists()) {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    }
    valid(&head).then_some(head)
}

/// `SOURCE_DATE_EPOCH` (seconds) as an RFC 3339 UTC timestamp.
fn rfc3339(epoch: &str) -> Option<String> {
    let secs: i64 = epoch.parse().ok()?;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

// ----------------------------------------------------------------------------------
// The dependency graph

/// A crate of the graph, keyed by `name@version`.
#[derive(Clone, Debug, Default)]
struct Node {
    name: String,
    version: String,
    license: Option<String>,
    proc_macro: bool,
    path_dep: bool,
    deps: BTreeSet<String>,
}

struct Graph {
    root: String,
    nodes: BTreeMap<String, Node>,
    /// `exact`, `approximate` or `root-only`.
    completeness: &'static str,
    /// What produced the list.
    source: String,
    /// printseal's features as the resolution enabled them.
    root_features: Vec<String>,
}

/// Whether the crate is built from Cargo's registry or git cache rather than from a
/// workspace of its own.
fn is_external_source(manifest_dir: &Path) -> bool {
    let parts: Vec<String> = manifest_dir
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts
        .windows(2)
        .any(|w| (w[0] == "registry" && w[1] == "src") || (w[0] == "git" && w[1] == "checkouts"))
}

/// The workspace that builds this crate as a dependency: the nearest directory above
/// `OUT_DIR` (usually `<workspace>/target/<profile>/build/printseal-*/out`) with a
/// Cargo.toml and a Cargo.lock that locks this version of printseal.
fn consuming_workspace(out_dir: &Path, info: &BuildFacts) -> Option<PathBuf> {
    out_dir.ancestors().find_map(|dir| {
        let lock = fs::read_to_string(dir.join("Cargo.lock")).ok()?;
        let key = format!("{}@{}", info.name, info.version);
        (dir.join("Cargo.toml").exists() && parse_lock(&lock).packages.contains_key(&key))
            .then(|| dir.to_path_buf())
    })
}

/// The root directory of the workspace `dir` belongs to (`cargo locate-project`).
fn workspace_root(dir: &Path) -> Option<PathBuf> {
    let cargo = env_or("CARGO", "cargo");
    let out = Command::new(&cargo)
        .args([
            "locate-project",
            "--workspace",
            "--message-format",
            "plain",
            "--offline",
        ])
        .current_dir(dir)
        .output()
        .ok()?;
    let toml = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !out.status.success() {
        return None;
    }
    toml.parent().map(Path::to_path_buf)
}

fn workspace_lock(workspace: &Path) -> Option<PathBuf> {
    let lock = workspace.join("Cargo.lock");
    lock.exists().then_some(lock)
}

/// `cargo tree` for this package, features and target, normal edges only.
///
/// `member`: printseal is a member of the workspace at `manifest_dir`, so its features
/// can be given; otherwise (built as a dependency) the workspace's own resolution is
/// read, and the caller compares printseal's resolved features with this build's.
fn cargo_tree(manifest_dir: &Path, info: &BuildFacts, member: bool) -> Result<Graph, String> {
    let cargo = env_or("CARGO", "cargo");
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(manifest_dir)
        .arg("tree")
        .arg("--manifest-path")
        .arg(manifest_dir.join("Cargo.toml"))
        .args(["-p", &format!("{}@{}", info.name, info.version)])
        .args(["-e", "normal", "--target", &info.target])
        .args([
            "--prefix",
            "depth",
            "--charset",
            "ascii",
            "--format",
            "{p}|{l}|{f}",
        ])
        .args(["--locked", "--offline", "--color", "never"]);
    if member {
        cmd.arg("--no-default-features");
        if !info.features.is_empty() {
            cmd.args(["--features", &info.features.join(",")]);
        }
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo tree` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let text = String::from_utf8(out.stdout)
        .map_err(|_| "`cargo tree` output is not UTF-8".to_string())?;
    parse_tree(&text)
}

/// Parses `cargo tree --prefix depth --format '{p}|{l}|{f}'` lines such as
/// `2aes v0.9.2|MIT OR Apache-2.0|zeroize` or
/// `5zeroize_derive v1.5.0 (proc-macro)|MIT| (*)`.
fn parse_tree(text: &str) -> Result<Graph, String> {
    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    let mut stack: Vec<String> = Vec::new();
    let mut root = None;
    let mut root_features = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        let depth: usize = line[..digits]
            .parse()
            .map_err(|_| format!("unexpected `cargo tree` line: {line}"))?;
        let mut fields = line[digits..].splitn(3, '|');
        let (Some(pkg), Some(license), Some(features)) =
            (fields.next(), fields.next(), fields.next())
        else {
            return Err(format!("unexpected `cargo tree` line: {line}"));
        };
        let mut words = pkg.split_whitespace();
        let (Some(name), Some(v)) = (words.next(), words.next()) else {
            return Err(format!("unexpected `cargo tree` line: {line}"));
        };
        let version = v.strip_prefix('v').unwrap_or(v).to_string();
        let key = format!("{name}@{version}");
        let license = license.trim();
        let node = nodes.entry(key.clone()).or_insert_with(|| Node {
            name: name.to_string(),
            version: version.clone(),
            ..Node::default()
        });
        node.proc_macro |= pkg.contains("(proc-macro)");
        // `{p}` shows a source only for path and git packages, in parentheses.
        node.path_dep |= pkg.contains("(/") || pkg.contains("(\\") || pkg.contains(":\\");
        if !license.is_empty() {
            node.license = Some(license.to_string());
        }
        stack.truncate(depth);
        if depth == 0 {
            if root.is_none() {
                root_features = features
                    .trim()
                    .trim_end_matches("(*)")
                    .split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            root.get_or_insert_with(|| key.clone());
        } else {
            let parent = stack
                .last()
                .ok_or_else(|| format!("`cargo tree` depth jumps at: {line}"))?;
            nodes.get_mut(parent).map(|p| p.deps.insert(key.clone()));
        }
        if stack.len() != depth {
            return Err(format!("`cargo tree` depth jumps at: {line}"));
        }
        stack.push(key);
    }
    let root = root.ok_or("`cargo tree` printed nothing")?;
    Ok(Graph {
        root,
        nodes,
        completeness: "exact",
        source: "cargo tree -e normal".into(),
        root_features,
    })
}

/// Without cargo: the closure of the root's entries in Cargo.lock (every optional,
/// build and dev dependency the lock holds, so a superset), or the root alone.
fn fallback_graph(info: &BuildFacts, lock: Option<&Lock>, why: &str) -> Graph {
    println!("cargo:warning=printseal SBOM: {why}");
    let root = format!("{}@{}", info.name, info.version);
    let mut nodes = BTreeMap::new();
    let Some(lock) = lock else {
        println!(
            "cargo:warning=printseal SBOM: no Cargo.lock either; the SBOM lists printseal alone"
        );
        nodes.insert(
            root.clone(),
            Node {
                name: info.name.clone(),
                version: info.version.clone(),
                license: Some(info.license.clone()),
                ..Node::default()
            },
        );
        return Graph {
            root,
            nodes,
            completeness: "root-only",
            source: format!("none ({why})"),
            root_features: info.features.clone(),
        };
    };
    println!(
        "cargo:warning=printseal SBOM: listing every crate Cargo.lock ties to printseal (a superset)"
    );
    let mut todo = vec![root.clone()];
    while let Some(key) = todo.pop() {
        if nodes.contains_key(&key) {
            continue;
        }
        let Some(p) = lock.packages.get(&key) else {
            continue;
        };
        let deps: BTreeSet<String> = p.deps.iter().filter_map(|d| lock.resolve_dep(d)).collect();
        todo.extend(deps.iter().cloned());
        nodes.insert(
            key,
            Node {
                name: p.name.clone(),
                version: p.version.clone(),
                license: None,
                proc_macro: false,
                path_dep: p.source.is_none(),
                deps,
            },
        );
    }
    if let Some(r) = nodes.get_mut(&root) {
        r.license = Some(info.license.clone());
    }
    Graph {
        root,
        nodes,
        completeness: "approximate",
        source: format!("Cargo.lock closure ({why})"),
        root_features: info.features.clone(),
    }
}

// ----------------------------------------------------------------------------------
// Cargo.lock

struct LockPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    deps: Vec<String>,
}

struct Lock {
    packages: BTreeMap<String, LockPackage>,
}

impl Lock {
    /// A lock dependency entry (`name` or `name version` or `name version (source)`)
    /// to a `name@version` key.
    fn resolve_dep(&self, dep: &str) -> Option<String> {
        let mut w = dep.split_whitespace();
        let name = w.next()?;
        match w.next() {
            Some(v) => Some(format!("{name}@{v}")),
            None => self
                .packages
                .values()
                .find(|p| p.name == name)
                .map(|p| format!("{}@{}", p.name, p.version)),
        }
    }
}

/// Reads the `[[package]]` tables of a Cargo.lock (format v3/v4): name, version,
/// source, checksum and the dependencies array. Nothing else of TOML is needed.
fn parse_lock(text: &str) -> Lock {
    let mut packages = BTreeMap::new();
    let mut cur: Option<LockPackage> = None;
    let mut in_deps = false;
    let unquote = |v: &str| {
        v.trim()
            .trim_end_matches(',')
            .trim()
            .trim_matches('"')
            .to_string()
    };
    let finish = |p: Option<LockPackage>, packages: &mut BTreeMap<String, LockPackage>| {
        if let Some(p) = p {
            packages.insert(format!("{}@{}", p.name, p.version), p);
        }
    };
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') && !in_deps {
            finish(cur.take(), &mut packages);
            if t == "[[package]]" {
                cur = Some(LockPackage {
                    name: String::new(),
                    version: String::new(),
                    source: None,
                    checksum: None,
                    deps: Vec::new(),
                });
            }
            continue;
        }
        let Some(p) = cur.as_mut() else { continue };
        if in_deps {
            if t.starts_with(']') {
                in_deps = false;
            } else if !t.is_empty() {
                p.deps.push(unquote(t));
            }
            continue;
        }
        let Some((k, v)) = t.split_once('=') else {
            continue;
        };
        match k.trim() {
            "name" => p.name = unquote(v),
            "version" => p.version = unquote(v),
            "source" => p.source = Some(unquote(v)),
            "checksum" => p.checksum = Some(unquote(v)),
            "dependencies" => {
                let v = v.trim();
                if let Some(inline) = v.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                    p.deps
                        .extend(inline.split(',').map(unquote).filter(|s| !s.is_empty()));
                } else {
                    in_deps = true;
                }
            }
            _ => {}
        }
    }
    finish(cur.take(), &mut packages);
    Lock { packages }
}

// ----------------------------------------------------------------------------------
// JSON

enum Json {
    Str(String),
    Num(u64),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
}

fn s(v: impl Into<String>) -> Json {
    Json::Str(v.into())
}

fn obj(fields: Vec<(&'static str, Json)>) -> Json {
    Json::Obj(fields)
}

fn prop(name: &str, value: impl Into<String>) -> Json {
    obj(vec![("name", s(name)), ("value", s(value))])
}

impl Json {
    fn write(&self, out: &mut String, indent: usize) {
        let pad = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
        match self {
            Json::Str(v) => {
                out.push('"');
                for c in v.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c if (c as u32) < 0x20 => {
                            let _ = write!(out, "\\u{:04x}", c as u32);
                        }
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            Json::Num(n) => {
                let _ = write!(out, "{n}");
            }
            Json::Arr(items) if items.is_empty() => out.push_str("[]"),
            Json::Arr(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    pad(out, indent + 2);
                    item.write(out, indent + 2);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                pad(out, indent);
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push_str("{\n");
                for (i, (k, v)) in fields.iter().enumerate() {
                    pad(out, indent + 2);
                    let _ = write!(out, "\"{k}\": ");
                    v.write(out, indent + 2);
                    out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
                }
                pad(out, indent);
                out.push('}');
            }
        }
    }
}

// ----------------------------------------------------------------------------------
// The CycloneDX document

fn purl(n: &Node) -> String {
    format!("pkg:cargo/{}@{}", n.name, n.version)
}

/// SPDX expression from a Cargo licence field (`MIT/Apache-2.0` is the old spelling of
/// `MIT OR Apache-2.0`).
fn spdx(license: &str) -> String {
    license
        .split('/')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// Crates reachable from the root without passing through a proc-macro: the ones
/// linked into the library. The rest (proc-macros and what only they use) run in the
/// compiler and are listed with scope `excluded`.
fn linked(graph: &Graph) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![graph.root.clone()];
    while let Some(k) = todo.pop() {
        let Some(n) = graph.nodes.get(&k) else {
            continue;
        };
        if n.proc_macro || !seen.insert(k) {
            continue;
        }
        todo.extend(n.deps.iter().cloned());
    }
    seen
}

fn component(n: &Node, lock: Option<&Lock>, linked: bool, kind: &str) -> Json {
    let mut f = vec![
        ("type", s(kind)),
        ("bom-ref", s(purl(n))),
        ("name", s(&n.name)),
        ("version", s(&n.version)),
    ];
    if kind == "library" {
        f.push(("scope", s(if linked { "required" } else { "excluded" })));
    }
    let lp = lock.and_then(|l| l.packages.get(&format!("{}@{}", n.name, n.version)));
    if let Some(sum) = lp.and_then(|p| p.checksum.as_ref()) {
        f.push((
            "hashes",
            Json::Arr(vec![obj(vec![("alg", s("SHA-256")), ("content", s(sum))])]),
        ));
    }
    if let Some(l) = n.license.as_deref().filter(|l| !l.is_empty()) {
        f.push((
            "licenses",
            Json::Arr(vec![obj(vec![("expression", s(spdx(l)))])]),
        ));
    }
    f.push(("purl", s(purl(n))));
    let mut props = Vec::new();
    if let Some(src) = lp.and_then(|p| p.source.as_ref()) {
        props.push(prop("printseal:cargo:source", src.clone()));
    } else if n.path_dep || lp.is_some() {
        props.push(prop("printseal:cargo:source", "path"));
    }
    if n.proc_macro {
        props.push(prop("printseal:sbom:crate-type", "proc-macro"));
    }
    if !props.is_empty() {
        f.push(("properties", Json::Arr(props)));
    }
    obj(f)
}

fn crypto_ref(id: &str) -> String {
    format!("crypto/algorithm/{id}")
}

const PROTOCOL_REF: &str = "crypto/protocol/printseal-v1";

fn algorithm_component(a: &table::Algorithm, target: &str) -> Json {
    let platform = match target.split('-').next().unwrap_or("") {
        "x86_64" => "x86_64",
        "i686" | "i586" | "x86" => "x86_32",
        "aarch64" | "arm64" => "armv8-a",
        "armv7" | "thumbv7a" => "armv7-a",
        "s390x" => "s390x",
        "powerpc64" => "ppc64",
        "powerpc64le" => "ppc64le",
        _ => "other",
    };
    let mut p = vec![("primitive", s(a.primitive))];
    if let Some(ps) = a.parameter_set {
        p.push(("parameterSetIdentifier", s(ps)));
    }
    if let Some(c) = a.curve {
        p.push(("curve", s(c)));
    }
    p.push(("executionEnvironment", s("software-plain-ram")));
    p.push(("implementationPlatform", s(platform)));
    p.push(("certificationLevel", Json::Arr(vec![s("none")])));
    if let Some(m) = a.mode {
        p.push(("mode", s(m)));
    }
    p.push((
        "cryptoFunctions",
        Json::Arr(a.functions.iter().map(|f| s(*f)).collect()),
    ));
    p.push((
        "classicalSecurityLevel",
        Json::Num(a.classical_security_level.into()),
    ));
    p.push((
        "nistQuantumSecurityLevel",
        Json::Num(a.nist_quantum_security_level.into()),
    ));
    let mut cp = vec![
        ("assetType", s("algorithm")),
        ("algorithmProperties", obj(p)),
    ];
    if let Some(oid) = a.oid {
        cp.push(("oid", s(oid)));
    }
    obj(vec![
        ("type", s("cryptographic-asset")),
        ("bom-ref", s(crypto_ref(a.id))),
        ("name", s(a.name)),
        ("description", s(format!("Specified in {}.", a.spec))),
        ("cryptoProperties", obj(cp)),
    ])
}

/// The algorithms that some registration uses, in table order.
fn used_algorithms() -> Vec<&'static table::Algorithm> {
    let used: BTreeSet<&str> = std::iter::once(&table::HEADER)
        .chain(table::SUITES)
        .chain(table::STANZA_KINDS)
        .flat_map(|r| r.algorithms.iter().copied())
        .collect();
    for id in &used {
        if !table::ALGORITHMS.iter().any(|a| a.id == *id) {
            panic!("src/sbom/algorithms.rs: registration refers to unknown algorithm {id:?}");
        }
    }
    table::ALGORITHMS
        .iter()
        .filter(|a| used.contains(a.id))
        .collect()
}

fn cipher_suite(prefix: &str, r: &table::Registration) -> Json {
    obj(vec![
        ("name", s(r.name)),
        (
            "algorithms",
            Json::Arr(r.algorithms.iter().map(|a| s(crypto_ref(a))).collect()),
        ),
        (
            "identifiers",
            Json::Arr(vec![s(if prefix == "header" {
                "header:v1".to_string()
            } else {
                format!("{prefix}:0x{:04x}", r.id)
            })]),
        ),
    ])
}

fn protocol_component(algs: &[&table::Algorithm]) -> Json {
    let mut suites = vec![cipher_suite("header", &table::HEADER)];
    suites.extend(table::SUITES.iter().map(|r| cipher_suite("suite", r)));
    suites.extend(
        table::STANZA_KINDS
            .iter()
            .map(|r| cipher_suite("stanza", r)),
    );
    obj(vec![
        ("type", s("cryptographic-asset")),
        ("bom-ref", s(PROTOCOL_REF)),
        ("name", s("printseal sealed-job format")),
        ("version", s("1")),
        (
            "description",
            s(
                "Header identifiers: `suite:0xNNNN` are payload suites, `stanza:0xNNNN` recipient stanza kinds, \
               `header:v1` what every job uses (docs/FORMAT.md).",
            ),
        ),
        (
            "cryptoProperties",
            obj(vec![
                ("assetType", s("protocol")),
                (
                    "protocolProperties",
                    obj(vec![
                        ("type", s("other")),
                        ("version", s("1")),
                        ("cipherSuites", Json::Arr(suites)),
                        (
                            "cryptoRefArray",
                            Json::Arr(algs.iter().map(|a| s(crypto_ref(a.id))).collect()),
                        ),
                    ]),
                ),
            ]),
        ),
    ])
}

fn sbom_document(info: &BuildFacts, graph: &Graph, lock: Option<&Lock>) -> (String, [u8; 32]) {
    let linked = linked(graph);
    let root = graph.nodes.get(&graph.root).cloned().unwrap_or_default();
    let algs = used_algorithms();

    let mut root_c = match component(&root, lock, true, "library") {
        Json::Obj(f) => f,
        _ => Vec::new(),
    };
    // The root has no registry checksum, scope or source; add what describes the build.
    root_c.retain(|(k, _)| !matches!(*k, "scope" | "hashes" | "properties"));
    if !info.description.is_empty() {
        root_c.insert(4, ("description", s(&info.description)));
    }
    if !info.repository.is_empty() {
        root_c.push((
            "externalReferences",
            Json::Arr(vec![obj(vec![
                ("type", s("vcs")),
                ("url", s(&info.repository)),
            ])]),
        ));
    }
    let mut props = vec![
        prop("printseal:build:target", &info.target),
        prop("printseal:build:profile", &info.profile),
        prop("printseal:build:features", info.features.join(",")),
        prop("printseal:build:rustc", &info.rustc),
        prop("printseal:build:crypto-backend", info.crypto_backend),
    ];
    if let Some(c) = &info.git_commit {
        props.push(prop("printseal:build:git-commit", c));
    }
    root_c.push(("properties", Json::Arr(props)));

    let mut components: Vec<Json> = graph
        .nodes
        .iter()
        .filter(|(k, _)| **k != graph.root)
        .map(|(k, n)| component(n, lock, linked.contains(k), "library"))
        .collect();
    components.extend(algs.iter().map(|a| algorithm_component(a, &info.target)));
    components.push(protocol_component(&algs));

    let node_ref = |k: &String| graph.nodes.get(k).map(purl).unwrap_or_default();
    let mut deps: Vec<Json> = graph
        .nodes
        .iter()
        .map(|(k, n)| {
            let mut f = vec![
                ("ref", s(node_ref(k))),
                (
                    "dependsOn",
                    Json::Arr(n.deps.iter().map(|d| s(node_ref(d))).collect()),
                ),
            ];
            if *k == graph.root {
                let mut provides: Vec<Json> = algs.iter().map(|a| s(crypto_ref(a.id))).collect();
                provides.push(s(PROTOCOL_REF));
                f.push(("provides", Json::Arr(provides)));
            }
            obj(f)
        })
        .collect();
    deps.push(obj(vec![
        ("ref", s(PROTOCOL_REF)),
        (
            "dependsOn",
            Json::Arr(algs.iter().map(|a| s(crypto_ref(a.id))).collect()),
        ),
    ]));

    let aggregate = match graph.completeness {
        "exact" => "complete",
        "approximate" => "incomplete",
        _ => "unknown",
    };
    let mut metadata = Vec::new();
    if let Some(t) = &info.timestamp {
        metadata.push(("timestamp", s(t)));
    }
    metadata.push((
        "lifecycles",
        Json::Arr(vec![obj(vec![("phase", s("build"))])]),
    ));
    metadata.push((
        "tools",
        obj(vec![(
            "components",
            Json::Arr(vec![
                obj(vec![
                    ("type", s("application")),
                    ("name", s("printseal build.rs")),
                    ("version", s(&info.version)),
                ]),
                obj(vec![
                    ("type", s("application")),
                    ("name", s("cargo")),
                    (
                        "version",
                        s(info
                            .cargo_version
                            .strip_prefix("cargo ")
                            .unwrap_or(&info.cargo_version)),
                    ),
                ]),
            ]),
        )]),
    ));
    metadata.push(("component", Json::Obj(root_c)));
    metadata.push((
        "properties",
        Json::Arr(vec![
            prop("printseal:sbom:completeness", graph.completeness),
            prop("printseal:sbom:source", &graph.source),
        ]),
    ));

    let body = |serial: Option<String>| {
        let mut top = vec![
            (
                "$schema",
                s("http://cyclonedx.org/schema/bom-1.6.schema.json"),
            ),
            ("bomFormat", s("CycloneDX")),
            ("specVersion", s("1.6")),
        ];
        if let Some(sn) = serial {
            top.push(("serialNumber", s(sn)));
        }
        top.push(("version", Json::Num(1)));
        top
    };
    let rest = vec![
        ("metadata", obj(metadata)),
        ("components", Json::Arr(components)),
        ("dependencies", Json::Arr(deps)),
        (
            "compositions",
            Json::Arr(vec![obj(vec![
                ("aggregate", s(aggregate)),
                ("assemblies", Json::Arr(vec![s(purl(&root))])),
                ("dependencies", Json::Arr(vec![s(purl(&root))])),
            ])]),
        ),
    ];
    let render = |top: Vec<(&'static str, Json)>, rest: &[(&'static str, Json)]| {
        let mut out = String::new();
        out.push_str("{\n");
        let n = top.len() + rest.len();
        for (i, (k, v)) in top.iter().chain(rest.iter()).enumerate() {
            let _ = write!(out, "  \"{k}\": ");
            v.write(&mut out, 2);
            out.push_str(if i + 1 < n { ",\n" } else { "\n" });
        }
        out.push_str("}\n");
        out
    };
    // The serial number is a UUID (version 8, RFC 9562) made of the content's hash, so
    // that the same build gives the same document.
    let content_hash: [u8; 32] = Sha256::digest(render(body(None), &rest).as_bytes()).into();
    let mut u = [0u8; 16];
    u.copy_from_slice(&content_hash[..16]);
    u[6] = (u[6] & 0x0f) | 0x80;
    u[8] = (u[8] & 0x3f) | 0x80;
    let hex: String = u.iter().map(|b| format!("{b:02x}")).collect();
    let serial = format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    );
    let json = render(body(Some(serial)), &rest);
    let digest: [u8; 32] = Sha256::digest(json.as_bytes()).into();
    (json, digest)
}

// ----------------------------------------------------------------------------------
// build_info.rs

fn build_info_rs(info: &BuildFacts, graph: &Graph, digest: &[u8; 32]) -> String {
    let libraries = graph.nodes.len().saturating_sub(1);
    let mut o = String::new();
    o.push_str("// Generated by build.rs. Do not edit.\n");
    let _ = writeln!(o, "pub(crate) const SBOM_SHA256: [u8; 32] = {digest:?};");
    let _ = writeln!(
        o,
        "pub(crate) const SBOM_LIBRARY_COMPONENTS: usize = {libraries};"
    );
    let _ = writeln!(
        o,
        "pub(crate) const SBOM_COMPLETENESS: &str = {:?};",
        graph.completeness
    );
    let _ = writeln!(
        o,
        "pub(crate) const GIT_COMMIT: Option<&str> = {:?};",
        info.git_commit
    );
    let _ = writeln!(
        o,
        "pub(crate) const RUSTC_VERSION: &str = {:?};",
        info.rustc
    );
    let _ = writeln!(o, "pub(crate) const TARGET: &str = {:?};", info.target);
    let _ = writeln!(o, "pub(crate) const PROFILE: &str = {:?};", info.profile);
    let _ = writeln!(
        o,
        "pub(crate) const FEATURES: &[&str] = &{:?};",
        info.features
    );
    let _ = writeln!(
        o,
        "pub(crate) const CRYPTO_BACKEND: &str = {:?};",
        info.crypto_backend
    );
    o
}
