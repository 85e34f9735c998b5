//! `printseal scan`: the sealed jobs under a directory, from their headers alone.

use printseal::io::scan::{JobSummary, scan_headers};
use serde_json::{Value, json};

use crate::cli::ScanArgs;
use crate::error::{CliError, Family, Result};
use crate::keys::{hex, stanza_kind_name};
use crate::policy::{digest, producer_range};
use crate::time::format_time;

/// A scanned job's header summary, in the shape of `inspect --json`'s header.
fn summary_json(s: &JobSummary) -> Value {
    let p = &s.public;
    json!({
        "format_version": printseal::FORMAT_VERSION,
        "suite": s.suite.name(),
        "suite_id": s.suite.id(),
        "producer": { "name": p.producer_name, "version": p.producer_version },
        "sbom_sha256": p.sbom_sha256.map(|d| hex(&d)),
        "content_type": p.content_type,
        "created": p.created,
        "created_utc": format_time(p.created),
        "expires": p.expires,
        "expires_utc": p.expires.map(format_time),
        "job_id": p.job_id,
        "header_len": s.header_len,
        "recipients": s.stanzas.iter().map(|st| json!({
            "kind": stanza_kind_name(st.kind),
            "kind_id": st.kind,
            "key_id": hex(&st.key_id),
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn run(args: &ScanArgs) -> Result<()> {
    let ranges = args
        .producer
        .iter()
        .map(|p| producer_range(p, "--producer"))
        .collect::<Result<Vec<_>>>()?;
    let digests = args
        .sbom
        .iter()
        .map(|d| digest(d, "--sbom"))
        .collect::<Result<Vec<_>>>()?;
    let filtered = !ranges.is_empty() || !digests.is_empty();
    let report = scan_headers(&args.dir, |h| {
        if !filtered {
            return Some(true);
        }
        let p = h.public_metadata();
        if p.sbom_sha256.is_some_and(|d| digests.contains(&d)) {
            return Some(true);
        }
        let mut decision = Some(false);
        for r in &ranges {
            match r.matches_metadata(p) {
                Some(true) => return Some(true),
                None => decision = None,
                Some(false) => {}
            }
        }
        decision
    })
    .map_err(|e| CliError::core(&format!("scanning {}", args.dir.display()), e))?;

    if args.json {
        let hit = |h: &printseal::io::scan::ScanHit| json!({ "path": h.path.display().to_string(), "header": summary_json(&h.summary) });
        let v = json!({
            "dir": args.dir.display().to_string(),
            "filtered": filtered,
            "matches": report.matches.iter().map(hit).collect::<Vec<_>>(),
            "undecided": report.undecided.iter().map(hit).collect::<Vec<_>>(),
            "other_jobs": report.other_jobs,
            "not_printseal": report.not_printseal.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "skipped": report.skipped.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "errors": report.errors.iter().map(|(p, e)| json!({
                "path": p.display().to_string(), "error": e.to_string(),
            })).collect::<Vec<_>>(),
        });
        println!("{v}");
    } else {
        for h in &report.matches {
            let p = &h.summary.public;
            println!(
                "{}\t{} {}\t{}\t{}",
                h.path.display(),
                p.producer_name,
                p.producer_version,
                p.content_type,
                p.job_id.as_deref().unwrap_or("-")
            );
        }
        for h in &report.undecided {
            let p = &h.summary.public;
            eprintln!(
                "undecided (version not SemVer): {}\t{} {}",
                h.path.display(),
                p.producer_name,
                p.producer_version
            );
        }
        for (p, e) in &report.errors {
            eprintln!("error: {}: {e}", p.display());
        }
        eprintln!(
            "{} matching, {} undecided, {} other jobs, {} not printseal, {} skipped, {} errors",
            report.matches.len(),
            report.undecided.len(),
            report.other_jobs,
            report.not_printseal.len(),
            report.skipped.len(),
            report.errors.len()
        );
    }
    if report.errors.is_empty() {
        Ok(())
    } else {
        let first = report
            .errors
            .into_iter()
            .next()
            .map(|(p, e)| CliError::core(&p.display().to_string(), e));
        let family = first.as_ref().map_or(Family::Environment, |e| e.family);
        Err(CliError::new(
            family,
            format!(
                "the scan could not read every file under {}",
                args.dir.display()
            ),
        )
        .with_remedy("see the errors listed above; fix permissions or remove damaged files"))
    }
}
