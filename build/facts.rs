//! Facts about this build, from Cargo's environment and the toolchain.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment the build script runs in (`std::env::vars()`), or a test's stand-in.
pub type Vars = BTreeMap<String, String>;

/// `vars[key]`, or `default` when it is unset.
pub fn var(vars: &Vars, key: &str, default: &str) -> String {
    vars.get(key)
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

/// What the SBOM and `build_info()` say about this build.
#[derive(Clone, Debug)]
pub struct BuildFacts {
    pub name: String,
    pub version: String,
    pub license: String,
    pub description: String,
    pub repository: String,
    pub target: String,
    pub profile: String,
    /// printseal's features that are on, sorted, `default` included when it is on.
    pub features: Vec<String>,
    pub rustc: String,
    pub cargo_version: String,
    pub git_commit: Option<String>,
    pub crypto_backend: &'static str,
    pub timestamp: Option<String>,
    /// `CARGO_MANIFEST_DIR`: the directory of the printseal being built.
    pub manifest_dir: PathBuf,
}

impl BuildFacts {
    /// Collects the facts; files whose change must rerun the build script are added to
    /// `watch`.
    pub fn collect(vars: &Vars, watch: &mut Vec<PathBuf>) -> BuildFacts {
        let manifest_dir = PathBuf::from(var(vars, "CARGO_MANIFEST_DIR", "."));
        let features = enabled_features(vars);
        BuildFacts {
            name: var(vars, "CARGO_PKG_NAME", "printseal"),
            version: var(vars, "CARGO_PKG_VERSION", "0.0.0"),
            license: var(vars, "CARGO_PKG_LICENSE", ""),
            description: var(vars, "CARGO_PKG_DESCRIPTION", ""),
            repository: var(vars, "CARGO_PKG_REPOSITORY", ""),
            target: var(vars, "TARGET", "unknown"),
            profile: var(vars, "PROFILE", "unknown"),
            rustc: tool_version(&var(vars, "RUSTC", "rustc")).unwrap_or_else(|| "unknown".into()),
            cargo_version: tool_version(&var(vars, "CARGO", "cargo"))
                .unwrap_or_else(|| "unknown".into()),
            git_commit: git_commit(vars, &manifest_dir, watch),
            crypto_backend: crypto_backend(&features),
            timestamp: vars
                .get("SOURCE_DATE_EPOCH")
                .and_then(|s| rfc3339(s.trim())),
            features,
            manifest_dir,
        }
    }
}

/// The features of this package that are on, sorted, with their Cargo.toml spelling.
///
/// Cargo sets `CARGO_FEATURE_<NAME>` for each (upper case, `-` as `_`) and, since 1.80,
/// `CARGO_CFG_FEATURE` with the names as spelled. The first is mapped back by
/// printseal's convention (its feature names are lower case and use `-`, never `_`).
pub fn enabled_features(vars: &Vars) -> Vec<String> {
    let mut f: Vec<String> = match vars.get("CARGO_CFG_FEATURE") {
        Some(list) => list
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        None => vars
            .keys()
            .filter_map(|k| {
                k.strip_prefix("CARGO_FEATURE_")
                    .map(|n| n.to_lowercase().replace('_', "-"))
            })
            .collect(),
    };
    f.sort();
    f.dedup();
    f
}

/// The default chunk AEAD backend: the `aws-lc-rs` feature makes AWS-LC the default
/// (`hazmat::Backend::DEFAULT`; a test checks that the two agree). Key wrapping, HPKE
/// and the KDFs are RustCrypto in every build.
pub fn crypto_backend(features: &[String]) -> &'static str {
    if features.iter().any(|f| f == "aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "rustcrypto"
    }
}

/// First line of `tool -V` (`rustc 1.87.0 (17067e9ac 2025-05-09)`).
pub fn tool_version(tool: &str) -> Option<String> {
    let out = Command::new(tool).arg("-V").output().ok()?;
    let s = String::from_utf8(out.stdout).ok()?;
    out.status
        .success()
        .then(|| s.lines().next().unwrap_or("").trim().to_string())
}

fn is_commit_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The commit in a `.cargo_vcs_info.json` (`{"git": {"sha1": "..."}, ...}`), which
/// `cargo package` writes into the packaged crate.
pub fn vcs_info_commit(json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let sha = v["git"]["sha1"].as_str()?.to_ascii_lowercase();
    is_commit_id(&sha).then_some(sha)
}

/// The commit this source was built from: `PRINTSEAL_GIT_COMMIT` if set (for builds
/// from a tarball), the one Cargo recorded when it packaged the crate
/// (`.cargo_vcs_info.json`), or `git rev-parse HEAD`. None outside git; never fails.
pub fn git_commit(vars: &Vars, manifest_dir: &Path, watch: &mut Vec<PathBuf>) -> Option<String> {
    if let Some(c) = vars.get("PRINTSEAL_GIT_COMMIT") {
        let c = c.trim().to_ascii_lowercase();
        return is_commit_id(&c).then_some(c);
    }
    if let Ok(vcs) = fs::read_to_string(manifest_dir.join(".cargo_vcs_info.json")) {
        return vcs_info_commit(&vcs);
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
        let mut files = vec![git_dir.join("HEAD"), git_dir.join("packed-refs")];
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
            // A worktree's branch lives in the common directory.
            let common = git(&["rev-parse", "--git-common-dir"])
                .map(|c| git_dir.join(c))
                .unwrap_or_else(|| git_dir.clone());
            files.push(git_dir.join(&r));
            files.push(common.join(&r));
            files.push(common.join("packed-refs"));
        }
        watch.extend(files.into_iter().filter(|p| p.exists()));
    }
    is_commit_id(&head).then_some(head)
}

/// `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) as an RFC 3339 timestamp.
pub fn rfc3339(epoch: &str) -> Option<String> {
    let secs: i64 = epoch.parse().ok()?;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-Compatible Low-Level
    // Date Algorithms", civil_from_days).
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // RFC 3339 has four-digit years only.
    if !(0..=9999).contains(&y) {
        return None;
    }
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rfc3339_matches_known_dates() {
        // Reference values from `date -u -d @N +%Y-%m-%dT%H:%M:%SZ`.
        for (epoch, want) in [
            ("0", "1970-01-01T00:00:00Z"),
            ("951782400", "2000-02-29T00:00:00Z"),
            ("951868799", "2000-02-29T23:59:59Z"),
            ("-62167219200", "0000-01-01T00:00:00Z"),
            ("1700000000", "2023-11-14T22:13:20Z"),
            ("4107542400", "2100-03-01T00:00:00Z"),
            ("-1", "1969-12-31T23:59:59Z"),
            ("253402300799", "9999-12-31T23:59:59Z"),
        ] {
            assert_eq!(rfc3339(epoch).as_deref(), Some(want), "{epoch}");
        }
    }

    #[test]
    fn rfc3339_refuses_what_is_not_a_timestamp() {
        for bad in [
            "",
            "x",
            "1.5",
            "253402300800",
            "-62167219201",
            "99999999999999999999",
        ] {
            assert_eq!(rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn features_come_from_cargo_cfg_feature_or_cargo_feature_vars() {
        let v = vars(&[("CARGO_CFG_FEATURE", "std,aws-lc-rs,alloc,default")]);
        assert_eq!(
            enabled_features(&v),
            ["alloc", "aws-lc-rs", "default", "std"]
        );
        let v = vars(&[
            ("CARGO_FEATURE_AWS_LC_RS", "1"),
            ("CARGO_FEATURE_PARALLEL", "1"),
            ("CARGO_PKG_NAME", "printseal"),
        ]);
        assert_eq!(enabled_features(&v), ["aws-lc-rs", "parallel"]);
        assert!(enabled_features(&vars(&[("CARGO_CFG_FEATURE", "")])).is_empty());
        assert_eq!(crypto_backend(&enabled_features(&v)), "aws-lc-rs");
        assert_eq!(crypto_backend(&["std".to_string()]), "rustcrypto");
    }

    #[test]
    fn commit_ids_are_checked() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let json = format!(
            "{{\"git\": {{\"sha1\": \"{}\"}}, \"path_in_vcs\": \"\"}}",
            sha.to_uppercase()
        );
        assert_eq!(vcs_info_commit(&json).as_deref(), Some(sha));
        assert_eq!(vcs_info_commit("{\"git\": {\"sha1\": \"abc\"}}"), None);
        assert_eq!(vcs_info_commit("{\"git\": {}}"), None);
        assert_eq!(vcs_info_commit("not json"), None);

        let mut watch = Vec::new();
        let dir = Path::new("/nonexistent");
        let v = vars(&[("PRINTSEAL_GIT_COMMIT", &format!(" {sha}\n"))]);
        assert_eq!(git_commit(&v, dir, &mut watch).as_deref(), Some(sha));
        let v = vars(&[("PRINTSEAL_GIT_COMMIT", "main")]);
        assert_eq!(git_commit(&v, dir, &mut watch), None);
    }
}
