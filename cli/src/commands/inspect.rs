//! `printseal inspect`: the public header, without a key.

use std::io::Write;

use printseal::Header;
use serde_json::{Value, json};

use crate::cli::InspectArgs;
use crate::error::{CliError, Result};
use crate::files::open_input;
use crate::keys::{hex, stanza_key_id, stanza_kind_name};
use crate::time::format_time;

/// The public header as JSON (shared by inspect, verify, scan and release --list).
pub(crate) fn header_json(h: &Header) -> Value {
    let p = h.public_metadata();
    json!({
        "format_version": printseal::FORMAT_VERSION,
        "suite": h.suite().name(),
        "suite_id": h.suite().id(),
        "producer": { "name": p.producer_name, "version": p.producer_version },
        "sbom_sha256": p.sbom_sha256.map(|d| hex(&d)),
        "content_type": p.content_type,
        "created": p.created,
        "created_utc": format_time(p.created),
        "expires": p.expires,
        "expires_utc": p.expires.map(format_time),
        "job_id": p.job_id,
        "header_len": h.len(),
        "recipients": h.stanzas().iter().map(|s| json!({
            "kind": stanza_kind_name(s.kind()),
            "kind_id": s.kind(),
            "key_id": stanza_key_id(s),
        })).collect::<Vec<_>>(),
    })
}

/// The public header as text.
pub(crate) fn header_text(h: &Header) -> String {
    let p = h.public_metadata();
    let mut s = String::new();
    s.push_str(&format!(
        "format:        printseal v{}\n",
        printseal::FORMAT_VERSION
    ));
    s.push_str(&format!("suite:         {}\n", h.suite().name()));
    s.push_str(&format!(
        "producer:      {} {}\n",
        p.producer_name, p.producer_version
    ));
    s.push_str(&format!(
        "producer SBOM: {}\n",
        p.sbom_sha256
            .map_or_else(|| "(none)".into(), |d| format!("sha256 {}", hex(&d)))
    ));
    s.push_str(&format!("content type:  {}\n", p.content_type));
    s.push_str(&format!("created:       {}\n", format_time(p.created)));
    s.push_str(&format!(
        "expires:       {}\n",
        p.expires.map_or_else(|| "never".into(), format_time)
    ));
    s.push_str(&format!(
        "job id:        {}\n",
        p.job_id.as_deref().unwrap_or("(none)")
    ));
    s.push_str(&format!("recipients:    {}\n", h.stanzas().len()));
    for st in h.stanzas() {
        s.push_str(&format!("  - {}\n", crate::keys::describe_stanza(st)));
    }
    s.push_str("(not authenticated: open or verify the job with a key to check the header)\n");
    s
}

pub(crate) fn run(args: &InspectArgs) -> Result<()> {
    let mut input = open_input(args.input.as_deref())?;
    let header = printseal::io::read_header(&mut input.file)
        .map_err(|e| CliError::core(&format!("reading the header of {}", input.name), e))?;
    let text = if args.json {
        let mut v = header_json(&header);
        v["authenticated"] = json!(false);
        format!("{v}\n")
    } else {
        header_text(&header)
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::io("standard output", &e))
}
