//! The dependency direction between the core's modules (issue 8, item 4): the fixed
//! sizes live in one leaf module, `format::sizes`; `limits` depends on it alone; no
//! module of `format` (nor `limits`) imports a recipient kind; and the format, limits,
//! primitives and recipient modules form no import cycle.
//!
//! The graph is read from the sources: every `crate::a::b` and `super::a` path outside
//! comments and `#[cfg(test)] mod tests`, with `use` groups expanded, resolved to the
//! longest module path that is a file of `src/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// `src/a/b.rs` -> `a::b`, `src/a/mod.rs` -> `a`, `src/lib.rs` -> ``.
fn modules(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if path.is_dir() {
            let p = format!("{prefix}{name}::");
            modules(&path, &p, out);
        } else if let Some(stem) = name.strip_suffix(".rs") {
            let m = match stem {
                "mod" | "lib" => prefix.trim_end_matches("::").to_string(),
                s => format!("{prefix}{s}"),
            };
            out.insert(m, std::fs::read_to_string(&path).expect("read"));
        }
    }
}

/// The source without comments and without a trailing `#[cfg(test)] mod tests`.
fn code(src: &str) -> String {
    let cut = src.find("#[cfg(test)]\nmod tests").unwrap_or(src.len());
    src[..cut]
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Paths starting at `s` (after `crate::`): `a::b`, or `a::{b, c::{d}}` expanded.
fn paths(s: &str, prefix: &str, out: &mut Vec<String>) -> usize {
    let mut i = 0;
    let mut cur = prefix.to_string();
    let b = s.as_bytes();
    loop {
        let start = i;
        while i < s.len() && is_ident(b[i] as char) {
            i += 1;
        }
        cur.push_str(&s[start..i]);
        if s[i..].starts_with("::{") {
            i += 3;
            cur.push_str("::");
            loop {
                while i < s.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i >= s.len() || b[i] == b'}' {
                    return i + 1;
                }
                i += paths(&s[i..], &cur, out);
                while i < s.len() && (b[i] == b',' || b[i].is_ascii_whitespace()) {
                    i += 1;
                }
            }
        }
        if s[i..].starts_with("::") && s[i + 2..].starts_with(|c: char| is_ident(c)) {
            i += 2;
            cur.push_str("::");
            continue;
        }
        out.push(cur);
        return i;
    }
}

fn graph() -> Graph {
    let mut files = BTreeMap::new();
    modules(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut files,
    );
    let resolve = |p: &str| -> Option<String> {
        let parts: Vec<&str> = p.split("::").collect();
        (1..=parts.len())
            .rev()
            .map(|n| parts[..n].join("::"))
            .find(|m| files.contains_key(m))
    };
    let mut g = Graph::new();
    for (m, src) in &files {
        let text = code(src);
        let parent = m.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
        let mut found = Vec::new();
        for (at, kw) in text
            .match_indices("crate::")
            .chain(text.match_indices("super::"))
        {
            // `super::` of a `mod.rs` is its parent's parent; the core has no such use.
            let base = if kw == "crate::" { "" } else { parent };
            let prefix = if base.is_empty() {
                String::new()
            } else {
                format!("{base}::")
            };
            paths(&text[at + kw.len()..], &prefix, &mut found);
        }
        let deps: BTreeSet<String> = found
            .iter()
            .filter_map(|p| resolve(p))
            .filter(|d| d != m && !d.is_empty())
            .collect();
        g.insert(m.clone(), deps);
    }
    g
}

/// A cycle in `g` restricted to the modules `keep` accepts, if there is one.
fn find_cycle(g: &Graph, keep: &dyn Fn(&str) -> bool) -> Option<Vec<String>> {
    fn visit(
        g: &Graph,
        keep: &dyn Fn(&str) -> bool,
        m: &str,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == m) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if !done.insert(m.to_string()) {
            return None;
        }
        stack.push(m.to_string());
        for d in g.get(m).into_iter().flatten().filter(|d| keep(d)) {
            if let Some(c) = visit(g, keep, d, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .filter(|m| keep(m))
        .find_map(|m| visit(g, keep, m, &mut Vec::new(), &mut done))
}

#[test]
fn the_graph_reader_sees_known_imports() {
    let g = graph();
    // Imports that exist today, so that an empty graph cannot pass the tests below.
    assert!(
        g["format::header"].contains("limits"),
        "{:?}",
        g["format::header"]
    );
    assert!(g["format::header"].contains("format::stanza"));
    assert!(g["recipient::kek"].contains("format::stanza"));
    assert!(g["recipient::x25519"].contains("recipient::hpke_core"));
    assert!(g["limits"].contains("format::sizes"));
    let mut out = Vec::new();
    paths("a::{b, c::{d, e}}, f", "", &mut out);
    assert_eq!(out, ["a::b", "a::c::d", "a::c::e"]);
    // And the cycle finder finds a cycle.
    let toy: Graph = [("a", "b"), ("b", "c"), ("c", "a")]
        .iter()
        .map(|(x, y)| (x.to_string(), BTreeSet::from([y.to_string()])))
        .collect();
    assert!(find_cycle(&toy, &|_| true).is_some());
    assert!(find_cycle(&toy, &|m| m != "b").is_none());
}

#[test]
fn sizes_are_a_leaf_and_limits_depend_on_them_alone() {
    let g = graph();
    assert!(
        g["format::sizes"].is_empty(),
        "format::sizes imports {:?}",
        g["format::sizes"]
    );
    assert_eq!(
        g["limits"],
        BTreeSet::from(["format::sizes".to_string()]),
        "limits must import only format::sizes"
    );
}

#[test]
fn format_and_limits_do_not_import_recipients() {
    let g = graph();
    for (m, deps) in g
        .iter()
        .filter(|(m, _)| m.starts_with("format") || *m == "limits")
    {
        let back: Vec<&String> = deps.iter().filter(|d| d.starts_with("recipient")).collect();
        assert!(back.is_empty(), "{m} imports {back:?}");
    }
}

#[test]
fn format_limits_primitives_and_recipients_have_no_import_cycle() {
    let g = graph();
    let layer = |m: &str| {
        [
            "format",
            "limits",
            "primitives",
            "recipient",
            "suite",
            "file_key",
        ]
        .iter()
        .any(|p| m == *p || m.starts_with(&format!("{p}::")))
    };
    assert_eq!(find_cycle(&g, &layer), None);
}

#[test]
fn the_error_type_and_the_policy_have_no_import_cycle() {
    // error names PolicyViolation, which lives in a leaf module; policy imports error.
    let g = graph();
    assert!(
        g["policy_violation"].is_empty(),
        "policy_violation imports {:?}",
        g["policy_violation"]
    );
    let layer = |m: &str| {
        [
            "error",
            "policy",
            "policy_violation",
            "format",
            "limits",
            "suite",
        ]
        .iter()
        .any(|p| m == *p || m.starts_with(&format!("{p}::")))
    };
    assert_eq!(find_cycle(&g, &layer), None);
}
