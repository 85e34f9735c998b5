//! The crates compiled into this build of printseal, from `cargo metadata`.
//!
//! Cargo does not tell a build script which workspace is being built: printseal may be
//! a member of its own workspace, a path, git or registry dependency of another one,
//! and the target directory (hence `OUT_DIR`) may lie anywhere, even inside a third,
//! unrelated workspace. So [`candidates`] lists the places the build may come from, most
//! reliable first, and [`resolve`] takes the first whose resolution contains *this*
//! printseal (the package whose manifest is `CARGO_MANIFEST_DIR/Cargo.toml`) with at
//! least *this* build's features. From that resolution, [`graph_from_metadata`] walks
//! the normal (not dev, not build) dependencies for the target, starting with exactly
//! the dependencies that this build's printseal features turn on.
//!
//! The features of the crates below printseal are those `cargo metadata` resolves for
//! the whole workspace (every member, dev-dependencies included): a superset of what a
//! build of one member compiles when members enable different features of a shared
//! dependency, never less.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::facts::{BuildFacts, Vars, var};

/// How complete the component list is (`printseal:sbom:completeness`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completeness {
    /// Resolved in the workspace being built, for this build's features and target.
    Exact,
    /// Resolved, but not in a workspace known to be the one being built.
    Approximate,
    /// Nothing resolved: printseal alone.
    RootOnly,
}

impl Completeness {
    pub fn as_str(self) -> &'static str {
        match self {
            Completeness::Exact => "exact",
            Completeness::Approximate => "approximate",
            Completeness::RootOnly => "root-only",
        }
    }
}

/// A crate of the graph, keyed by `name@version`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub version: String,
    pub license: Option<String>,
    pub proc_macro: bool,
    /// `cargo metadata`'s `source` (`registry+https://...`, `git+https://...`), None for
    /// a path package.
    pub source: Option<String>,
    /// The SHA-256 that Cargo.lock records for a registry crate.
    pub checksum: Option<String>,
    /// Normal dependencies, as `name@version` keys.
    pub deps: BTreeSet<String>,
}

#[derive(Clone, Debug)]
pub struct Graph {
    pub root: String,
    pub nodes: BTreeMap<String, Node>,
    pub completeness: Completeness,
    /// What produced the list (no paths: the document must not depend on where the
    /// sources lie).
    pub source: String,
    /// The Cargo.lock the versions come from.
    pub lock: Option<PathBuf>,
}

/// Why a resolution was not usable for this build.
#[derive(Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The resolution has no package with this printseal's manifest.
    NotFound,
    /// It has this printseal, with these features (some of this build's are missing);
    /// `member` says whether printseal is a member of that workspace (its features can
    /// then be asked for on the command line).
    Features { resolved: Vec<String>, member: bool },
    /// Malformed `cargo metadata` output.
    Malformed(&'static str),
}

fn key(p: &Value) -> Option<String> {
    Some(format!(
        "{}@{}",
        p["name"].as_str()?,
        p["version"].as_str()?
    ))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The names (as Cargo.toml's `[dependencies]` keys) of the optional normal
/// dependencies of `pkg` that `features` turn on. `features` is the closed set Cargo
/// reports (every feature an enabled feature implies is in it).
pub fn enabled_optional_deps(pkg: &Value, features: &[String]) -> BTreeSet<String> {
    let optional: BTreeSet<&str> = pkg["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["optional"] == true && d["kind"].is_null())
        .filter_map(|d| d["rename"].as_str().or(d["name"].as_str()))
        .collect();
    let mut on = BTreeSet::new();
    for f in features {
        match pkg["features"].get(f.as_str()).and_then(Value::as_array) {
            Some(values) => {
                for v in values.iter().filter_map(Value::as_str) {
                    // `dep:x` turns on x; `x/feat` turns on x and its feature; `x?/feat`
                    // only adds the feature if x is on for another reason.
                    let dep = match v.strip_prefix("dep:") {
                        Some(d) => Some(d),
                        None => v.split_once('/').map(|(d, _)| d),
                    };
                    if let Some(d) = dep.filter(|d| optional.contains(d)) {
                        on.insert(d.to_string());
                    }
                }
            }
            // The implicit feature of an optional dependency not named with `dep:`.
            None if optional.contains(f.as_str()) => {
                on.insert(f.clone());
            }
            None => {}
        }
    }
    on
}

fn is_normal(dep: &Value) -> bool {
    dep["dep_kinds"]
        .as_array()
        .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()))
}

/// The dependency graph of the printseal whose manifest is `root_manifest`, built with
/// `features`, from `cargo metadata --format-version 1 --filter-platform <target>`.
pub fn graph_from_metadata(
    meta: &Value,
    root_manifest: &Path,
    features: &[String],
) -> Result<Graph, Mismatch> {
    let packages = meta["packages"]
        .as_array()
        .ok_or(Mismatch::Malformed("no packages"))?;
    let by_id: BTreeMap<&str, &Value> = packages
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let root_pkg = packages
        .iter()
        .find(|p| {
            p["manifest_path"]
                .as_str()
                .is_some_and(|m| same_file(Path::new(m), root_manifest))
        })
        .ok_or(Mismatch::NotFound)?;
    let root_id = root_pkg["id"]
        .as_str()
        .ok_or(Mismatch::Malformed("no id"))?;
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .ok_or(Mismatch::Malformed("no resolve graph"))?
        .iter()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let root_node = nodes.get(root_id).ok_or(Mismatch::NotFound)?;
    let resolved: Vec<String> = root_node["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_string))
        .collect();
    if features.iter().any(|f| !resolved.contains(f)) {
        let member = meta["workspace_members"]
            .as_array()
            .is_some_and(|m| m.iter().any(|id| id == root_id));
        return Err(Mismatch::Features { resolved, member });
    }

    // printseal's own edges: the normal dependencies that are not optional or that
    // this build's features turn on (the resolution may have turned on more).
    let on = enabled_optional_deps(root_pkg, features);
    let manifest_deps: Vec<&Value> = root_pkg["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["kind"].is_null())
        .collect();
    let wanted_by_root = |dep: &Value| -> bool {
        let Some(pkg_name) = dep["pkg"]
            .as_str()
            .and_then(|id| by_id.get(id))
            .and_then(|p| p["name"].as_str())
        else {
            return false;
        };
        let extern_name = dep["name"].as_str().unwrap_or("");
        manifest_deps.iter().any(|d| {
            let name_ok = d["name"] == pkg_name
                && d["rename"]
                    .as_str()
                    .is_none_or(|r| r.replace('-', "_") == extern_name);
            let as_key = d["rename"].as_str().or(d["name"].as_str()).unwrap_or("");
            name_ok && (d["optional"] != true || on.contains(as_key))
        })
    };

    let mut graph_nodes = BTreeMap::new();
    let mut todo = vec![root_id];
    while let Some(id) = todo.pop() {
        let (Some(pkg), Some(node)) = (by_id.get(id), nodes.get(id)) else {
            return Err(Mismatch::Malformed("a resolved id without its package"));
        };
        let k = key(pkg).ok_or(Mismatch::Malformed("a package without name or version"))?;
        if graph_nodes.contains_key(&k) {
            continue;
        }
        let mut deps = BTreeSet::new();
        for dep in node["deps"].as_array().into_iter().flatten() {
            if !is_normal(dep) || (id == root_id && !wanted_by_root(dep)) {
                continue;
            }
            let dep_id = dep["pkg"]
                .as_str()
                .ok_or(Mismatch::Malformed("a dep without pkg"))?;
            let dep_pkg = by_id
                .get(dep_id)
                .ok_or(Mismatch::Malformed("a dep without its package"))?;
            deps.insert(key(dep_pkg).ok_or(Mismatch::Malformed("a package without a name"))?);
            todo.push(dep_id);
        }
        let proc_macro = pkg["targets"].as_array().into_iter().flatten().any(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "proc-macro"))
        });
        graph_nodes.insert(
            k,
            Node {
                name: pkg["name"].as_str().unwrap_or_default().to_string(),
                version: pkg["version"].as_str().unwrap_or_default().to_string(),
                license: pkg["license"].as_str().map(str::to_string),
                proc_macro,
                source: pkg["source"].as_str().map(str::to_string),
                checksum: None,
                deps,
            },
        );
    }
    Ok(Graph {
        root: key(root_pkg).ok_or(Mismatch::Malformed("root without a name"))?,
        nodes: graph_nodes,
        completeness: Completeness::Exact,
        source: "cargo metadata".into(),
        lock: meta["workspace_root"]
            .as_str()
            .map(|w| Path::new(w).join("Cargo.lock")),
    })
}

/// The `checksum` of every `[[package]]` of a Cargo.lock (format v3 and v4, where each
/// package table holds `name`, `version` and, for registry crates, `checksum` as
/// `key = "value"` lines), keyed by `name@version`. Cargo's JSON output carries no
/// checksums, so this is the one thing read from the lock file itself.
pub fn lock_checksums(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut table: Option<BTreeMap<&str, &str>> = None;
    let mut flush = |t: Option<BTreeMap<&str, &str>>| {
        if let Some(t) = t
            && let (Some(n), Some(v), Some(c)) =
                (t.get("name"), t.get("version"), t.get("checksum"))
        {
            out.insert(format!("{n}@{v}"), c.to_string());
        }
    };
    for line in text.lines().map(str::trim) {
        if line.starts_with("[[")
            || (line.starts_with('[') && line.ends_with(']') && !line.contains('"'))
        {
            flush(table.take());
            table = (line == "[[package]]").then(BTreeMap::new);
            continue;
        }
        let (Some(t), Some((k, v))) = (table.as_mut(), line.split_once(" = ")) else {
            continue;
        };
        if let Some(v) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            t.insert(k.trim(), v);
        }
    }
    flush(table.take());
    out
}

/// The value of `--manifest-path` in a cargo command line (before any `--`).
pub fn manifest_path_arg(args: &[String]) -> Option<PathBuf> {
    let mut it = args.iter().take_while(|a| *a != "--");
    while let Some(a) = it.next() {
        if a == "--manifest-path" {
            return it.next().map(PathBuf::from);
        }
        if let Some(v) = a.strip_prefix("--manifest-path=") {
            return Some(PathBuf::from(v));
        }
    }
    None
}

/// A place the build may come from: `cargo metadata` runs in `dir`, with
/// `--manifest-path manifest` if given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub dir: PathBuf,
    pub manifest: Option<PathBuf>,
    /// How it was found, for the warnings.
    pub how: &'static str,
    /// Only printseal's own workspace, with nothing saying it is the one being built:
    /// a resolution there is approximate.
    pub fallback: bool,
}

/// The cargo process that runs this build script (its parent), on Linux: its working
/// directory and `--manifest-path` locate the workspace being built, wherever the
/// target directory is.
#[cfg(target_os = "linux")]
pub fn parent_cargo(vars: &Vars) -> Option<(Candidate, Vec<String>)> {
    let proc_dir = PathBuf::from(format!("/proc/{}", std::os::unix::process::parent_id()));
    let exe = fs::read_link(proc_dir.join("exe")).ok()?;
    let cargo = fs::canonicalize(vars.get("CARGO")?).ok()?;
    if fs::canonicalize(&exe).unwrap_or(exe) != cargo {
        return None;
    }
    let cwd = fs::read_link(proc_dir.join("cwd")).ok()?;
    let cmdline = fs::read(proc_dir.join("cmdline")).ok()?;
    let args: Vec<String> = cmdline
        .split(|b| *b == 0)
        .skip(1)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let cand = Candidate {
        manifest: manifest_path_arg(&args).map(|m| cwd.join(m)),
        dir: cwd,
        how: "the cargo process running this build",
        fallback: false,
    };
    Some((cand, args))
}

/// Elsewhere the parent process is not looked at.
#[cfg(not(target_os = "linux"))]
pub fn parent_cargo(_vars: &Vars) -> Option<(Candidate, Vec<String>)> {
    None
}

/// Where to look for the workspace being built, most reliable first: the cargo process
/// running the build (Linux), the shell's working directory (`PWD`), the directories
/// above `OUT_DIR` that hold a Cargo.toml (the default `<workspace>/target` layout),
/// and last printseal's own workspace.
pub fn candidates(vars: &Vars, manifest_dir: &Path, out_dir: &Path) -> Vec<Candidate> {
    let mut c: Vec<Candidate> = parent_cargo(vars).into_iter().map(|(c, _)| c).collect();
    if let Some(pwd) = vars.get("PWD").map(PathBuf::from).filter(|p| p.is_dir()) {
        c.push(Candidate {
            dir: pwd,
            manifest: None,
            how: "the working directory in PWD",
            fallback: false,
        });
    }
    c.extend(
        out_dir
            .ancestors()
            .skip(1)
            .filter(|d| d.join("Cargo.toml").is_file())
            .map(|d| Candidate {
                dir: d.to_path_buf(),
                manifest: None,
                how: "a workspace above OUT_DIR",
                fallback: false,
            }),
    );
    c.push(Candidate {
        dir: manifest_dir.to_path_buf(),
        manifest: Some(manifest_dir.join("Cargo.toml")),
        how: "printseal's own workspace",
        fallback: true,
    });
    let mut seen = BTreeSet::new();
    c.retain(|x| seen.insert((x.dir.clone(), x.manifest.clone())));
    c
}

/// `cargo metadata --format-version 1` for `cand`, resolving for `target` with the
/// lock file as it is (`--locked`). It resolves, it does not build: no build-directory
/// lock, so it cannot deadlock the outer cargo. It first runs `--offline`; the whole
/// workspace's resolution (dev-dependencies of members included) may name crates that
/// the outer build did not need and so did not download, and then it runs again
/// online (the locked versions, checksums verified, into Cargo's own cache) unless
/// `offline_only` (the outer cargo was told `--offline` or `--frozen`).
pub fn cargo_metadata(
    cargo: &str,
    cand: &Candidate,
    target: &str,
    features: &[String],
    offline_only: bool,
) -> Result<Value, String> {
    let run = |offline: bool| -> Result<Value, String> {
        let mut cmd = Command::new(cargo);
        cmd.current_dir(&cand.dir)
            .args(["metadata", "--format-version", "1", "--locked"])
            .args(["--filter-platform", target]);
        if offline {
            cmd.arg("--offline");
        }
        if let Some(m) = &cand.manifest {
            cmd.arg("--manifest-path").arg(m);
        }
        if !features.is_empty() {
            cmd.arg("--features").arg(features.join(","));
        }
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {cargo}: {e}"))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(format!(
                "`cargo metadata` failed: {}",
                err.lines().next().unwrap_or("").trim()
            ));
        }
        serde_json::from_slice(&out.stdout).map_err(|e| format!("`cargo metadata` output: {e}"))
    };
    match run(true) {
        Err(_) if !offline_only => run(false),
        r => r,
    }
}

/// Whether the outer cargo must not use the network: `CARGO_NET_OFFLINE=true`, or
/// `--offline` / `--frozen` on its command line.
pub fn offline_only(vars: &Vars, cargo_args: &[String]) -> bool {
    vars.get("CARGO_NET_OFFLINE").is_some_and(|v| v == "true")
        || cargo_args
            .iter()
            .take_while(|a| *a != "--")
            .any(|a| a == "--offline" || a == "--frozen")
}

/// The result of [`resolve`]: the graph, and what the build script should print.
pub struct Resolution {
    pub graph: Graph,
    pub warnings: Vec<String>,
    pub watch: Vec<PathBuf>,
}

/// Resolves the crates compiled into this build: the first candidate whose resolution
/// holds this printseal with this build's features. printseal's own workspace, last,
/// gives an approximate list (right crates, versions from its own Cargo.lock); with no
/// resolution at all, the list is printseal alone.
pub fn resolve(facts: &BuildFacts, vars: &Vars, out_dir: &Path) -> Resolution {
    let cargo = var(vars, "CARGO", "cargo");
    let root_manifest = facts.manifest_dir.join("Cargo.toml");
    let parent_args = parent_cargo(vars).map(|(_, a)| a).unwrap_or_default();
    let offline = offline_only(vars, &parent_args);
    let mut tried = Vec::new();
    for cand in candidates(vars, &facts.manifest_dir, out_dir) {
        let place = match &cand.manifest {
            Some(m) => format!("{} ({})", m.display(), cand.how),
            None => format!("{} ({})", cand.dir.display(), cand.how),
        };
        let attempt = |extra: &[String]| -> Result<Result<Graph, Mismatch>, String> {
            let meta = cargo_metadata(&cargo, &cand, &facts.target, extra, offline)?;
            Ok(graph_from_metadata(&meta, &root_manifest, &facts.features))
        };
        let mut result = attempt(&[]);
        // A member's features are whatever the command line asks for: ask for ours.
        if let Ok(Err(Mismatch::Features { member: true, .. })) = &result {
            let ours: Vec<String> = facts
                .features
                .iter()
                .map(|f| format!("{}/{f}", facts.name))
                .collect();
            result = attempt(&ours);
        }
        let mut graph = match result {
            Ok(Ok(g)) => g,
            Ok(Err(Mismatch::NotFound)) => {
                tried.push(format!("{place}: does not build this printseal"));
                continue;
            }
            Ok(Err(Mismatch::Features { resolved, .. })) => {
                tried.push(format!(
                    "{place}: resolves printseal with features [{}], this build has [{}]",
                    resolved.join(","),
                    facts.features.join(",")
                ));
                continue;
            }
            Ok(Err(Mismatch::Malformed(why))) => {
                tried.push(format!(
                    "{place}: unexpected `cargo metadata` output ({why})"
                ));
                continue;
            }
            Err(why) => {
                tried.push(format!("{place}: {why}"));
                continue;
            }
        };
        let mut warnings = Vec::new();
        if cand.fallback {
            graph.completeness = Completeness::Approximate;
            graph.source = "cargo metadata in printseal's own workspace (the workspace being \
                            built was not found: versions may differ from those compiled in)"
                .into();
            warnings.push(format!(
                "printseal SBOM: approximate; the workspace being built was not found ({})",
                tried.join("; ")
            ));
        }
        let mut watch = Vec::new();
        if let Some(lock) = graph.lock.clone() {
            match fs::read_to_string(&lock) {
                Ok(text) => {
                    let sums = lock_checksums(&text);
                    for (k, n) in &mut graph.nodes {
                        n.checksum = sums.get(k).cloned();
                    }
                }
                Err(e) => warnings.push(format!(
                    "printseal SBOM: cannot read {} ({e}): no checksums",
                    lock.display()
                )),
            }
            watch.push(lock);
        }
        return Resolution {
            graph,
            warnings,
            watch,
        };
    }
    root_only(facts, tried)
}

/// printseal alone, when nothing resolved.
pub fn root_only(facts: &BuildFacts, tried: Vec<String>) -> Resolution {
    let root = format!("{}@{}", facts.name, facts.version);
    let node = Node {
        name: facts.name.clone(),
        version: facts.version.clone(),
        license: Some(facts.license.clone()).filter(|l| !l.is_empty()),
        ..Node::default()
    };
    Resolution {
        graph: Graph {
            nodes: BTreeMap::from([(root.clone(), node)]),
            root,
            completeness: Completeness::RootOnly,
            source: "none (`cargo metadata` found no resolution of this build)".into(),
            lock: None,
        },
        warnings: vec![format!(
            "printseal SBOM: root-only, no resolution found ({})",
            tried.join("; ")
        )],
        watch: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn dep(name: &str, kind: Option<&str>, optional: bool) -> Value {
        json!({"name": name, "rename": null, "kind": kind, "optional": optional, "target": null})
    }

    fn pkg(name: &str, deps: Vec<Value>, features: Value, proc_macro: bool) -> Value {
        let kind = if proc_macro { "proc-macro" } else { "lib" };
        json!({
            "name": name, "version": "1.0.0", "id": format!("id-{name}"),
            "license": "MIT/Apache-2.0",
            "source": if name == "root" { Value::Null } else { json!("registry+https://example.invalid/index") },
            "manifest_path": format!("/nonexistent/{name}/Cargo.toml"),
            "dependencies": deps, "features": features,
            "targets": [{"kind": [kind], "name": name}],
        })
    }

    fn edge(name: &str, kinds: &[Option<&str>]) -> Value {
        let kinds: Vec<Value> = kinds
            .iter()
            .map(|k| json!({"kind": k, "target": null}))
            .collect();
        json!({"name": name.replace('-', "_"), "pkg": format!("id-{name}"), "dep_kinds": kinds})
    }

    /// root: a (normal), opt (optional, feature `extra`), dev (dev-only), m (a
    /// proc-macro using syn); a depends on b; the resolution turned `extra` on.
    fn sample(root_features: &[&str]) -> Value {
        let root = pkg(
            "root",
            vec![
                dep("a", None, false),
                dep("opt", None, true),
                dep("dev", Some("dev"), false),
                dep("m", None, false),
                dep("opt", Some("dev"), false),
            ],
            json!({"default": ["std"], "std": [], "extra": ["std", "dep:opt"], "weak": ["opt?/x"]}),
            false,
        );
        json!({
            "packages": [
                root,
                pkg("a", vec![dep("b", None, false)], json!({}), false),
                pkg("b", vec![], json!({}), false),
                pkg("opt", vec![], json!({}), false),
                pkg("dev", vec![], json!({}), false),
                pkg("m", vec![dep("syn", None, false)], json!({}), true),
                pkg("syn", vec![], json!({}), false),
            ],
            "workspace_members": ["id-root"],
            "workspace_root": "/nonexistent/root",
            "resolve": {"nodes": [
                {"id": "id-root", "features": root_features, "deps": [
                    edge("a", &[None]), edge("opt", &[None, Some("dev")]),
                    edge("dev", &[Some("dev")]), edge("m", &[None]),
                ]},
                {"id": "id-a", "features": [], "deps": [edge("b", &[None])]},
                {"id": "id-b", "features": [], "deps": []},
                {"id": "id-opt", "features": [], "deps": []},
                {"id": "id-dev", "features": [], "deps": []},
                {"id": "id-m", "features": [], "deps": [edge("syn", &[None])]},
                {"id": "id-syn", "features": [], "deps": []},
            ]},
        })
    }

    fn keys(g: &Graph) -> Vec<&str> {
        g.nodes.keys().map(String::as_str).collect()
    }

    #[test]
    fn walks_normal_edges_from_the_features_of_this_build() {
        let meta = sample(&["default", "extra", "std"]);
        let manifest = Path::new("/nonexistent/root/Cargo.toml");
        let g = graph_from_metadata(&meta, manifest, &strings(&["default", "extra", "std"]))
            .expect("resolves");
        assert_eq!(g.root, "root@1.0.0");
        assert_eq!(
            keys(&g),
            [
                "a@1.0.0",
                "b@1.0.0",
                "m@1.0.0",
                "opt@1.0.0",
                "root@1.0.0",
                "syn@1.0.0"
            ]
        );
        assert_eq!(
            g.nodes["root@1.0.0"].deps,
            strings(&["a@1.0.0", "m@1.0.0", "opt@1.0.0"])
                .into_iter()
                .collect::<BTreeSet<_>>()
        );
        assert!(g.nodes["m@1.0.0"].proc_macro && !g.nodes["a@1.0.0"].proc_macro);
        assert_eq!(g.nodes["root@1.0.0"].source, None);
        assert_eq!(
            g.nodes["a@1.0.0"].license.as_deref(),
            Some("MIT/Apache-2.0")
        );
        assert_eq!(
            g.lock.as_deref(),
            Some(Path::new("/nonexistent/root/Cargo.lock"))
        );

        // The resolution has `extra` on, this build does not: `opt` is not compiled in
        // (its dev edge does not count either).
        let g = graph_from_metadata(&meta, manifest, &strings(&["default", "std"])).expect("ok");
        assert_eq!(
            keys(&g),
            ["a@1.0.0", "b@1.0.0", "m@1.0.0", "root@1.0.0", "syn@1.0.0"]
        );
    }

    #[test]
    fn refuses_a_resolution_without_this_build_or_its_features() {
        let meta = sample(&["default", "std"]);
        let manifest = Path::new("/nonexistent/root/Cargo.toml");
        assert_eq!(
            graph_from_metadata(&meta, manifest, &strings(&["extra", "std"])).err(),
            Some(Mismatch::Features {
                resolved: strings(&["default", "std"]),
                member: true
            })
        );
        assert_eq!(
            graph_from_metadata(&meta, Path::new("/nonexistent/other/Cargo.toml"), &[]).err(),
            Some(Mismatch::NotFound)
        );
        assert!(matches!(
            graph_from_metadata(&json!({"packages": []}), manifest, &[]),
            Err(Mismatch::NotFound)
        ));
        let mut no_resolve = sample(&[]);
        no_resolve["resolve"] = Value::Null;
        assert_eq!(
            graph_from_metadata(&no_resolve, manifest, &[]).err(),
            Some(Mismatch::Malformed("no resolve graph"))
        );
    }

    #[test]
    fn optional_dependencies_follow_feature_syntax() {
        let root = pkg(
            "root",
            vec![
                dep("x", None, true),
                dep("y", None, true),
                dep("z", None, true),
                dep("w", Some("dev"), false),
            ],
            json!({"a": ["dep:x"], "b": ["y/feature"], "c": ["z?/feature"], "d": ["w/feature"]}),
            false,
        );
        let on = |f: &[&str]| enabled_optional_deps(&root, &strings(f));
        assert_eq!(on(&["a"]), BTreeSet::from(["x".to_string()]));
        assert_eq!(on(&["b"]), BTreeSet::from(["y".to_string()]));
        assert!(
            on(&["c"]).is_empty(),
            "a weak dependency feature turns nothing on"
        );
        assert!(
            on(&["d"]).is_empty(),
            "dev-dependencies are not optional normal deps"
        );
        // The implicit feature of an optional dependency.
        assert_eq!(on(&["z"]), BTreeSet::from(["z".to_string()]));
        assert!(on(&["unknown"]).is_empty());
    }

    #[test]
    fn lock_checksums_reads_package_tables_only() {
        let lock = r#"# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "aes"
version = "0.9.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "aaaa"
dependencies = [
 "cfg-if",
 "cipher 0.5.2",
]

[[package]]
name = "printseal"
version = "0.1.0"
dependencies = ["aes"]

[[package]]
name = "cfg-if"
version = "1.0.5"
checksum = "cccc"

[metadata]
checksum = "not a package"
"#;
        let sums = lock_checksums(lock);
        assert_eq!(
            sums,
            BTreeMap::from([
                ("aes@0.9.2".to_string(), "aaaa".to_string()),
                ("cfg-if@1.0.5".to_string(), "cccc".to_string()),
            ])
        );
        assert!(lock_checksums("").is_empty());
        assert!(lock_checksums("name = \"x\"\nversion = \"1\"\nchecksum = \"y\"\n").is_empty());
    }

    #[test]
    fn lock_checksums_of_this_repository_cover_every_registry_crate() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = fs::read_to_string(dir.join("Cargo.lock")).expect("Cargo.lock");
        let sums = lock_checksums(&text);
        let registry = text.matches("source = \"registry+").count();
        assert_eq!(sums.len(), registry);
        assert!(
            sums.values()
                .all(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        );
    }

    #[test]
    fn manifest_path_is_read_from_the_cargo_command_line() {
        let args = |a: &[&str]| strings(a);
        assert_eq!(
            manifest_path_arg(&args(&[
                "build",
                "--manifest-path",
                "x/Cargo.toml",
                "-p",
                "a"
            ])),
            Some(PathBuf::from("x/Cargo.toml"))
        );
        assert_eq!(
            manifest_path_arg(&args(&["test", "--manifest-path=/a/Cargo.toml"])),
            Some(PathBuf::from("/a/Cargo.toml"))
        );
        assert_eq!(manifest_path_arg(&args(&["build", "--release"])), None);
        assert_eq!(
            manifest_path_arg(&args(&["run", "--", "--manifest-path", "y"])),
            None,
            "arguments after -- belong to the program"
        );
        assert_eq!(
            manifest_path_arg(&args(&["build", "--manifest-path"])),
            None
        );
    }

    #[test]
    fn offline_is_honoured() {
        let none = Vars::new();
        assert!(!offline_only(&none, &strings(&["build", "--release"])));
        assert!(offline_only(&none, &strings(&["build", "--offline"])));
        assert!(offline_only(
            &none,
            &strings(&["test", "--frozen", "--", "x"])
        ));
        assert!(!offline_only(&none, &strings(&["run", "--", "--offline"])));
        let env = Vars::from([("CARGO_NET_OFFLINE".to_string(), "true".to_string())]);
        assert!(offline_only(&env, &[]));
    }

    #[test]
    fn candidates_end_with_printseal_own_workspace_and_are_unique() {
        let tmp = std::env::temp_dir().join(format!("printseal-cand-{}", std::process::id()));
        let out = tmp.join("ws/target/debug/build/printseal-0/out");
        fs::create_dir_all(&out).expect("mkdir");
        fs::write(tmp.join("ws/Cargo.toml"), "").expect("write");
        let own = tmp.join("printseal");
        let vars = Vars::from([("PWD".to_string(), tmp.join("ws").display().to_string())]);
        let c = candidates(&vars, &own, &out);
        let _ = fs::remove_dir_all(&tmp);
        let last = c.last().expect("one at least");
        assert!(last.fallback && last.dir == own);
        assert_eq!(c.iter().filter(|x| x.fallback).count(), 1);
        // PWD and the workspace above OUT_DIR are the same place: listed once.
        assert_eq!(c.iter().filter(|x| x.dir == tmp.join("ws")).count(), 1);
    }

    /// This repository's own resolution, through the real `cargo metadata`.
    #[test]
    fn resolves_this_repository_with_cargo_metadata() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let cand = Candidate {
            dir: dir.clone(),
            manifest: Some(dir.join("Cargo.toml")),
            how: "test",
            fallback: false,
        };
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let target = printseal::build_info().target;
        let feats = strings(&["printseal/std", "printseal/aws-lc-rs"]);
        let meta = cargo_metadata(&cargo, &cand, target, &feats, false).expect("cargo metadata");
        let manifest = dir.join("Cargo.toml");
        let with = graph_from_metadata(&meta, &manifest, &strings(&["alloc", "aws-lc-rs", "std"]))
            .expect("resolves");
        let without =
            graph_from_metadata(&meta, &manifest, &strings(&["alloc", "std"])).expect("resolves");
        let names = |g: &Graph| {
            g.nodes
                .values()
                .map(|n| n.name.clone())
                .collect::<BTreeSet<_>>()
        };
        for n in ["aws-lc-rs", "aws-lc-sys"] {
            assert!(names(&with).contains(n), "{n}");
            assert!(!names(&without).contains(n), "{n}");
        }
        // No dev-dependency (criterion, serde) and no build-dependency (cc) is listed.
        for n in ["criterion", "serde", "cc", "getrandom", "rayon"] {
            assert!(!names(&with).contains(n), "{n}");
        }
        assert!(names(&without).contains("zeroize_derive"));
        assert!(with.nodes.values().any(|n| n.proc_macro));
    }
}
