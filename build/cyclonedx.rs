//! The CycloneDX 1.6 document (SBOM and CBOM) and the generated `build_info.rs`.
//!
//! The document is a `serde_json::Value` with every object's keys sorted, printed by
//! `serde_json` (two-space indent) and ended by a newline: the same graph and facts
//! give the same bytes whatever order the maps keep. Its serial number is a UUID
//! (version 8, RFC 9562) made of the SHA-256 of the document without it.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::facts::BuildFacts;
use super::resolve::{Completeness, Graph, Node};

/// The cryptographic registry shared with the library (`printseal::sbom`).
#[allow(dead_code)]
#[path = "../src/sbom/algorithms.rs"]
pub mod table;

pub const SCHEMA: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";
pub const PROTOCOL_REF: &str = "crypto/protocol/printseal-v1";

pub fn purl(n: &Node) -> String {
    format!("pkg:cargo/{}@{}", n.name, n.version)
}

/// SPDX expression from a Cargo licence field (`MIT/Apache-2.0` is the old spelling of
/// `MIT OR Apache-2.0`).
pub fn spdx(license: &str) -> String {
    license
        .split('/')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn prop(name: &str, value: impl Into<String>) -> Value {
    json!({"name": name, "value": value.into()})
}

/// Crates reachable from the root without passing through a proc-macro: the ones
/// linked into the library. The rest (proc-macros and what only they use) run in the
/// compiler and are listed with scope `excluded`.
pub fn linked(graph: &Graph) -> BTreeSet<String> {
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

fn component(n: &Node, linked: bool) -> Value {
    let mut c = json!({
        "type": "library",
        "bom-ref": purl(n),
        "name": n.name,
        "version": n.version,
        "scope": if linked { "required" } else { "excluded" },
        "purl": purl(n),
    });
    if let Some(sum) = &n.checksum {
        c["hashes"] = json!([{"alg": "SHA-256", "content": sum}]);
    }
    if let Some(l) = n.license.as_deref().filter(|l| !l.is_empty()) {
        c["licenses"] = json!([{"expression": spdx(l)}]);
    }
    let mut props = vec![prop(
        "printseal:cargo:source",
        n.source.as_deref().unwrap_or("path"),
    )];
    if n.proc_macro {
        props.push(prop("printseal:sbom:crate-type", "proc-macro"));
    }
    c["properties"] = Value::Array(props);
    c
}

pub fn crypto_ref(id: &str) -> String {
    format!("crypto/algorithm/{id}")
}

/// CycloneDX `implementationPlatform` for a target triple.
pub fn platform(target: &str) -> &'static str {
    match target.split('-').next().unwrap_or("") {
        "x86_64" => "x86_64",
        "i686" | "i586" | "x86" => "x86_32",
        "aarch64" | "arm64" => "armv8-a",
        "armv7" | "thumbv7a" => "armv7-a",
        "s390x" => "s390x",
        "powerpc64" => "ppc64",
        "powerpc64le" => "ppc64le",
        _ => "other",
    }
}

fn algorithm_component(a: &table::Algorithm, target: &str) -> Value {
    let mut p = json!({
        "primitive": a.primitive,
        "executionEnvironment": "software-plain-ram",
        "implementationPlatform": platform(target),
        "certificationLevel": ["none"],
        "cryptoFunctions": a.functions,
        "classicalSecurityLevel": a.classical_security_level,
        "nistQuantumSecurityLevel": a.nist_quantum_security_level,
    });
    if let Some(ps) = a.parameter_set {
        p["parameterSetIdentifier"] = json!(ps);
    }
    if let Some(c) = a.curve {
        p["curve"] = json!(c);
    }
    if let Some(m) = a.mode {
        p["mode"] = json!(m);
    }
    let mut cp = json!({"assetType": "algorithm", "algorithmProperties": p});
    if let Some(oid) = a.oid {
        cp["oid"] = json!(oid);
    }
    json!({
        "type": "cryptographic-asset",
        "bom-ref": crypto_ref(a.id),
        "name": a.name,
        "description": format!("Specified in {}.", a.spec),
        "cryptoProperties": cp,
    })
}

/// The algorithms that some registration uses, in table order; an id that no algorithm
/// has is an error in `src/sbom/algorithms.rs`.
pub fn used_algorithms() -> Result<Vec<&'static table::Algorithm>, String> {
    let used: BTreeSet<&str> = std::iter::once(&table::HEADER)
        .chain(table::SUITES)
        .chain(table::STANZA_KINDS)
        .flat_map(|r| r.algorithms.iter().copied())
        .collect();
    if let Some(id) = used
        .iter()
        .find(|id| !table::ALGORITHMS.iter().any(|a| a.id == **id))
    {
        return Err(format!(
            "src/sbom/algorithms.rs: a registration refers to unknown algorithm {id:?}"
        ));
    }
    Ok(table::ALGORITHMS
        .iter()
        .filter(|a| used.contains(a.id))
        .collect())
}

fn cipher_suite(identifier: String, r: &table::Registration) -> Value {
    let algs: Vec<String> = r.algorithms.iter().map(|a| crypto_ref(a)).collect();
    json!({"name": r.name, "algorithms": algs, "identifiers": [identifier]})
}

fn protocol_component(algs: &[&table::Algorithm]) -> Value {
    let mut suites = vec![cipher_suite("header:v1".into(), &table::HEADER)];
    suites.extend(
        table::SUITES
            .iter()
            .map(|r| cipher_suite(format!("suite:0x{:04x}", r.id), r)),
    );
    suites.extend(
        table::STANZA_KINDS
            .iter()
            .map(|r| cipher_suite(format!("stanza:0x{:04x}", r.id), r)),
    );
    let refs: Vec<String> = algs.iter().map(|a| crypto_ref(a.id)).collect();
    json!({
        "type": "cryptographic-asset",
        "bom-ref": PROTOCOL_REF,
        "name": "printseal sealed-job format",
        "version": "1",
        "description": "Header identifiers: `suite:0xNNNN` are payload suites, \
            `stanza:0xNNNN` recipient stanza kinds, `header:v1` what every job uses \
            (docs/FORMAT.md).",
        "cryptoProperties": {
            "assetType": "protocol",
            "protocolProperties": {
                "type": "other",
                "version": "1",
                "cipherSuites": suites,
                "cryptoRefArray": refs,
            },
        },
    })
}

/// The document (without its serial number).
pub fn document(facts: &BuildFacts, graph: &Graph) -> Result<Value, String> {
    let linked = linked(graph);
    let root = graph
        .nodes
        .get(&graph.root)
        .cloned()
        .unwrap_or_else(|| Node {
            name: facts.name.clone(),
            version: facts.version.clone(),
            ..Node::default()
        });
    let algs = used_algorithms()?;

    let mut root_c = json!({
        "type": "library",
        "bom-ref": purl(&root),
        "name": root.name,
        "version": root.version,
        "purl": purl(&root),
    });
    if let Some(l) = root.license.as_deref().filter(|l| !l.is_empty()) {
        root_c["licenses"] = json!([{"expression": spdx(l)}]);
    }
    if !facts.description.is_empty() {
        root_c["description"] = json!(facts.description);
    }
    if !facts.repository.is_empty() {
        root_c["externalReferences"] = json!([{"type": "vcs", "url": facts.repository}]);
    }
    let mut props = vec![
        prop("printseal:build:target", &facts.target),
        prop("printseal:build:profile", &facts.profile),
        prop("printseal:build:features", facts.features.join(",")),
        prop("printseal:build:rustc", &facts.rustc),
        prop("printseal:build:crypto-backend", facts.crypto_backend),
    ];
    if let Some(c) = &facts.git_commit {
        props.push(prop("printseal:build:git-commit", c));
    }
    root_c["properties"] = Value::Array(props);

    let mut components: Vec<Value> = graph
        .nodes
        .iter()
        .filter(|(k, _)| **k != graph.root)
        .map(|(k, n)| component(n, linked.contains(k)))
        .collect();
    components.extend(algs.iter().map(|a| algorithm_component(a, &facts.target)));
    components.push(protocol_component(&algs));

    let node_ref = |k: &String| graph.nodes.get(k).map(purl).unwrap_or_default();
    let alg_refs: Vec<String> = algs.iter().map(|a| crypto_ref(a.id)).collect();
    let mut deps: Vec<Value> = graph
        .nodes
        .iter()
        .map(|(k, n)| {
            let on: Vec<String> = n.deps.iter().map(node_ref).collect();
            let mut d = json!({"ref": node_ref(k), "dependsOn": on});
            if *k == graph.root {
                let mut provides = alg_refs.clone();
                provides.push(PROTOCOL_REF.into());
                d["provides"] = json!(provides);
            }
            d
        })
        .collect();
    deps.push(json!({"ref": PROTOCOL_REF, "dependsOn": alg_refs}));

    let aggregate = match graph.completeness {
        Completeness::Exact => "complete",
        Completeness::Approximate => "incomplete",
        Completeness::RootOnly => "unknown",
    };
    let cargo = facts
        .cargo_version
        .strip_prefix("cargo ")
        .unwrap_or(&facts.cargo_version);
    let mut metadata = json!({
        "lifecycles": [{"phase": "build"}],
        "tools": {"components": [
            {"type": "application", "name": "printseal build.rs", "version": facts.version},
            {"type": "application", "name": "cargo", "version": cargo},
        ]},
        "component": root_c,
        "properties": [
            prop("printseal:sbom:completeness", graph.completeness.as_str()),
            prop("printseal:sbom:source", &graph.source),
        ],
    });
    if let Some(t) = &facts.timestamp {
        metadata["timestamp"] = json!(t);
    }
    Ok(json!({
        "$schema": SCHEMA,
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": metadata,
        "components": components,
        "dependencies": deps,
        "compositions": [{
            "aggregate": aggregate,
            "assemblies": [purl(&root)],
            "dependencies": [purl(&root)],
        }],
    }))
}

/// Prints `doc` with sorted keys, two-space indent and a final newline.
pub fn render(doc: &Value) -> String {
    let mut doc = doc.clone();
    doc.sort_all_objects();
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The RFC 9562 version-8 UUID URN made of the first 16 bytes of `hash`.
pub fn serial_number(hash: &[u8; 32]) -> String {
    let mut u = [0u8; 16];
    u.copy_from_slice(&hash[..16]);
    u[6] = (u[6] & 0x0f) | 0x80;
    u[8] = (u[8] & 0x3f) | 0x80;
    let hex: String = u.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The final JSON text, with its serial number, and its SHA-256.
pub fn finish(mut doc: Value) -> (String, [u8; 32]) {
    let content: [u8; 32] = Sha256::digest(render(&doc).as_bytes()).into();
    doc["serialNumber"] = json!(serial_number(&content));
    let json = render(&doc);
    let digest: [u8; 32] = Sha256::digest(json.as_bytes()).into();
    (json, digest)
}

/// The constants `printseal::sbom` includes from `OUT_DIR/build_info.rs`.
pub fn build_info_rs(facts: &BuildFacts, graph: &Graph, digest: &[u8; 32]) -> String {
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
        graph.completeness.as_str()
    );
    let _ = writeln!(
        o,
        "pub(crate) const GIT_COMMIT: Option<&str> = {:?};",
        facts.git_commit
    );
    let _ = writeln!(
        o,
        "pub(crate) const RUSTC_VERSION: &str = {:?};",
        facts.rustc
    );
    let _ = writeln!(o, "pub(crate) const TARGET: &str = {:?};", facts.target);
    let _ = writeln!(o, "pub(crate) const PROFILE: &str = {:?};", facts.profile);
    let _ = writeln!(
        o,
        "pub(crate) const FEATURES: &[&str] = &{:?};",
        facts.features
    );
    let _ = writeln!(
        o,
        "pub(crate) const CRYPTO_BACKEND: &str = {:?};",
        facts.crypto_backend
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    fn facts() -> BuildFacts {
        BuildFacts {
            name: "printseal".into(),
            version: "0.1.0".into(),
            license: "MIT OR Apache-2.0".into(),
            description: "a \"quoted\"\ndescription\u{1}".into(),
            repository: "https://example.invalid/printseal".into(),
            target: "aarch64-unknown-linux-gnu".into(),
            profile: "release".into(),
            features: vec!["default".into(), "std".into()],
            rustc: "rustc 1.87.0".into(),
            cargo_version: "cargo 1.87.0 (99624be96 2025-05-06)".into(),
            git_commit: None,
            crypto_backend: "rustcrypto",
            timestamp: Some("2023-11-14T22:13:20Z".into()),
            manifest_dir: PathBuf::from("/nonexistent"),
        }
    }

    fn node(name: &str, deps: &[&str], proc_macro: bool) -> (String, Node) {
        (
            format!("{name}@1.0.0"),
            Node {
                name: name.into(),
                version: "1.0.0".into(),
                license: Some("MIT/Apache-2.0".into()),
                proc_macro,
                source: (name != "printseal").then(|| "registry+https://example.invalid".into()),
                checksum: (name == "a").then(|| "ab".repeat(32)),
                deps: deps.iter().map(|d| format!("{d}@1.0.0")).collect(),
            },
        )
    }

    fn graph() -> Graph {
        let nodes: BTreeMap<String, Node> = [
            node("printseal", &["a", "derive"], false),
            node("a", &["b"], false),
            node("b", &[], false),
            node("derive", &["syn"], true),
            node("syn", &[], false),
        ]
        .into_iter()
        .collect();
        Graph {
            root: "printseal@1.0.0".into(),
            nodes,
            completeness: Completeness::Exact,
            source: "cargo metadata".into(),
            lock: None,
        }
    }

    #[test]
    fn document_lists_the_graph_with_scopes_hashes_and_licences() {
        let doc = document(&facts(), &graph()).expect("document");
        let comps = doc["components"].as_array().expect("components");
        let libs: Vec<&Value> = comps.iter().filter(|c| c["type"] == "library").collect();
        let names: Vec<&str> = libs.iter().filter_map(|c| c["name"].as_str()).collect();
        assert_eq!(names, ["a", "b", "derive", "syn"], "sorted, root apart");
        let by = |n: &str| libs.iter().find(|c| c["name"] == n).copied().expect(n);
        assert_eq!(by("a")["scope"], "required");
        assert_eq!(by("b")["scope"], "required");
        assert_eq!(by("derive")["scope"], "excluded");
        assert_eq!(by("syn")["scope"], "excluded", "only a proc-macro uses it");
        assert_eq!(by("a")["hashes"][0]["content"], "ab".repeat(32));
        assert!(by("b").get("hashes").is_none());
        assert_eq!(by("b")["licenses"][0]["expression"], "MIT OR Apache-2.0");
        assert_eq!(by("a")["purl"], "pkg:cargo/a@1.0.0");
        assert_eq!(doc["metadata"]["component"]["name"], "printseal");
        assert_eq!(doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
        assert_eq!(doc["compositions"][0]["aggregate"], "complete");
        let algs = comps
            .iter()
            .filter(|c| c["cryptoProperties"]["assetType"] == "algorithm")
            .count();
        assert_eq!(algs, used_algorithms().expect("table").len());
        assert!(algs > 0);
        assert_eq!(
            comps
                .iter()
                .find(|c| c["bom-ref"] == PROTOCOL_REF)
                .map(
                    |c| c["cryptoProperties"]["protocolProperties"]["cipherSuites"]
                        .as_array()
                        .map(Vec::len)
                ),
            Some(Some(1 + table::SUITES.len() + table::STANZA_KINDS.len()))
        );
        let root_deps = doc["dependencies"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["ref"] == "pkg:cargo/printseal@1.0.0"))
            .expect("root deps");
        assert_eq!(
            root_deps["dependsOn"],
            json!(["pkg:cargo/a@1.0.0", "pkg:cargo/derive@1.0.0"])
        );

        let mut approx = graph();
        approx.completeness = Completeness::Approximate;
        let d = document(&facts(), &approx).expect("document");
        assert_eq!(d["compositions"][0]["aggregate"], "incomplete");
        approx.completeness = Completeness::RootOnly;
        let d = document(&facts(), &approx).expect("document");
        assert_eq!(d["compositions"][0]["aggregate"], "unknown");
    }

    #[test]
    fn text_is_sorted_escaped_and_its_serial_number_is_its_content_hash() {
        let (json, digest) = finish(document(&facts(), &graph()).expect("document"));
        assert_eq!(<[u8; 32]>::from(Sha256::digest(json.as_bytes())), digest);
        let v: Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(
            v["metadata"]["component"]["description"],
            facts().description
        );
        assert!(
            json.contains(r#""a \"quoted\"\ndescription\u0001""#),
            "{json}"
        );
        assert!(json.starts_with("{\n  \"$schema\": ") && json.ends_with("}\n"));
        // The serial number: the hash of the document without that one line.
        let without: String = json
            .lines()
            .filter(|l| !l.trim_start().starts_with("\"serialNumber\""))
            .map(|l| format!("{l}\n"))
            .collect();
        let h: [u8; 32] = Sha256::digest(without.as_bytes()).into();
        assert_eq!(v["serialNumber"], serial_number(&h));
        let serial = serial_number(&h);
        assert_eq!(serial.len(), "urn:uuid:".len() + 36);
        assert_eq!(&serial[23..24], "8", "version 8");
        assert!(
            matches!(&serial[28..29], "8" | "9" | "a" | "b"),
            "RFC 9562 variant"
        );
        // Deterministic, and changed by any change of content.
        assert_eq!(finish(document(&facts(), &graph()).expect("doc")).0, json);
        let mut other = facts();
        other.profile = "debug".into();
        let (json2, digest2) = finish(document(&other, &graph()).expect("doc"));
        assert_ne!(digest2, digest);
        assert_ne!(
            serde_json::from_str::<Value>(&json2).expect("json")["serialNumber"],
            v["serialNumber"]
        );
    }

    #[test]
    fn build_info_rs_holds_the_facts() {
        let g = graph();
        let text = build_info_rs(&facts(), &g, &[7; 32]);
        assert!(text.contains("SBOM_SHA256: [u8; 32] = [7, 7,"));
        assert!(text.contains("SBOM_LIBRARY_COMPONENTS: usize = 4;"));
        assert!(text.contains("SBOM_COMPLETENESS: &str = \"exact\";"));
        assert!(text.contains("FEATURES: &[&str] = &[\"default\", \"std\"];"));
        assert!(text.contains("GIT_COMMIT: Option<&str> = None;"));
        assert_eq!(platform("x86_64-unknown-linux-gnu"), "x86_64");
        assert_eq!(platform("riscv64gc-unknown-linux-gnu"), "other");
        assert_eq!(spdx("MIT/Apache-2.0"), "MIT OR Apache-2.0");
        assert_eq!(spdx("MIT OR Apache-2.0"), "MIT OR Apache-2.0");
    }
}
