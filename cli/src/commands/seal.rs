//! `printseal seal`: seal a job for recipients.

use std::io::Write;

use printseal::SealOptions;
use printseal::io::SealWriter;
use zeroize::Zeroizing;

use crate::cli::SealArgs;
use crate::detect::detect;
use crate::error::{CliError, Result};
use crate::files::{BUF_SIZE, Kind, create_output, open_input, read_full};
use crate::keys::{collect_recipients, recipient_refs};
use crate::policy::suite;
use crate::time::{now, parse_time};

/// Parses `--meta KEY=VALUE` entries into `options`.
fn add_meta(mut options: SealOptions, meta: &[String]) -> Result<SealOptions> {
    for m in meta {
        let Some((k, v)) = m.split_once('=') else {
            return Err(CliError::usage(format!("--meta {m:?} is not KEY=VALUE"))
                .with_remedy("write it as --meta title=Payroll"));
        };
        options = options.private_entry(k, v.as_bytes()).map_err(|e| {
            CliError::core(&format!("--meta {k:?}"), e).with_remedy(
                "keys are 1 to 64 characters without control characters, values at most 4096 bytes",
            )
        })?;
    }
    Ok(options)
}

/// The seal options for a job of `content_type`.
fn options(args: &SealArgs, content_type: &str, expires: Option<u64>) -> Result<SealOptions> {
    let mut options = SealOptions::new(content_type)
        .suite(suite(args.suite))
        .allow_mixed_pq(args.to.allow_mixed_pq);
    if let Some(id) = &args.job_id {
        options = options.job_id(id);
    }
    if let Some(t) = expires {
        options = options.expires_at(t);
    }
    add_meta(options, &args.meta)
}

pub(crate) fn run(args: &SealArgs) -> Result<()> {
    let recipients = collect_recipients(&args.to)?;
    let expires = match &args.expires {
        None => None,
        Some(e) => match parse_time(e, now()) {
            Ok(0) | Err(_) => {
                return Err(
                    CliError::usage(format!("--expires {e:?} is not a time")).with_remedy(
                        "pass Unix seconds, YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or a duration \
                         such as --expires 30d",
                    ),
                );
            }
            Ok(t) => Some(t),
        },
    };
    // Checked before any input is read; built again below with the job's type.
    options(args, "application/octet-stream", expires)?;

    let mut input = open_input(args.input.as_deref())?;
    // Before any input is read: a terminal is refused here, not after a megabyte of it.
    let out = create_output(args.output.as_deref(), Kind::Sealed, args.input.as_deref())?;
    // The first buffer is read before anything is written, for the detection.
    let mut buf = Zeroizing::new(vec![0u8; BUF_SIZE]);
    let mut n = read_full(&mut input.file, &mut buf).map_err(|e| CliError::io(&input.name, &e))?;
    let content_type = match &args.content_type {
        Some(t) => t.clone(),
        None => detect(&buf[..n]).to_owned(),
    };
    let options = options(args, &content_type, expires)?;

    let refs = recipient_refs(&recipients);
    let mut w = SealWriter::new(out, &options, &refs).map_err(|e| {
        let invalid = matches!(
            e,
            printseal::Error::InvalidInput(_) | printseal::Error::LimitExceeded(_)
        );
        let e = CliError::core("sealing", e);
        if invalid && args.content_type.is_some() {
            e.with_remedy("check --content-type (a MIME type such as application/pdf) and --job-id")
        } else {
            e
        }
    })?;
    let pb = crate::progress::bar(input.len, "sealing");
    let write_err = |e| CliError::core("writing the sealed job", printseal::Error::from_io(e));
    while n > 0 {
        w.write_all(&buf[..n]).map_err(write_err)?;
        pb.inc(n as u64);
        n = read_full(&mut input.file, &mut buf).map_err(|e| CliError::io(&input.name, &e))?;
    }
    let out = w.finish().map_err(write_err)?;
    pb.finish_and_clear();
    out.commit()
}
