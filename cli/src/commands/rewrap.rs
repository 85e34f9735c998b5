//! `printseal rewrap`: new recipients, same payload bytes.

use std::fs::File;

use printseal::RewrapOptions;

use crate::cli::RewrapArgs;
use crate::error::{CliError, Result};
use crate::files::{Kind, create_output};
use crate::keys::{collect_recipients, identity_refs, read_identities, recipient_refs};

pub(crate) fn run(args: &RewrapArgs) -> Result<()> {
    let ids = read_identities(&args.ids)?;
    let recipients = collect_recipients(&args.to)?;
    let options = RewrapOptions::new().allow_mixed_pq(args.to.allow_mixed_pq);
    let (id_refs, r_refs) = (identity_refs(&ids), recipient_refs(&recipients));
    let name = args.input.display().to_string();
    let context = format!("rewrapping {name}");
    if args.in_place {
        // The core's atomic helper: temporary file, fsync, rename, directory fsync.
        return printseal::io::rewrap_file(&args.input, &id_refs, &r_refs, &options)
            .map_err(|e| core_err(&context, e, &args.input, &ids));
    }
    let input = File::open(&args.input).map_err(|e| CliError::io(&name, &e))?;
    let mut out = create_output(args.output.as_deref(), Kind::Sealed, Some(&args.input))?;
    printseal::rewrap(input, &id_refs, &r_refs, &options, &mut out)
        .map_err(|e| core_err(&context, e, &args.input, &ids))?;
    out.commit()
}

fn core_err(
    context: &str,
    e: printseal::Error,
    path: &std::path::Path,
    ids: &[crate::keys::AnyIdentity],
) -> CliError {
    if matches!(e, printseal::Error::NoMatchingRecipient) {
        if let Some(h) = File::open(path)
            .ok()
            .and_then(|mut f| printseal::io::read_header(&mut f).ok())
        {
            return crate::keys::no_match(&h, ids);
        }
    }
    CliError::core(context, e)
}
