//! `printseal open`: authenticate a job and write its plaintext.

use std::fs::File;
use std::io::{Read, Seek, Write};

use printseal::io::OpenReader;
use printseal::{Error, OpenOptions};
use zeroize::Zeroizing;

use crate::cli::OpenArgs;
use crate::error::{CliError, Result};
use crate::files::{BUF_SIZE, Input, Kind, create_output, open_input};
use crate::keys::{AnyIdentity, identity_refs, is_stdin, no_match, read_identities, uses_stdin};

/// Reads the header of `input` and unlocks it with `ids` under `options`. When no
/// identity matches a seekable input, the error names the job's key ids.
pub(crate) fn open_reader(
    input: Input,
    ids: &[AnyIdentity],
    options: &OpenOptions,
) -> Result<OpenReader<File>> {
    let name = input.name;
    let refs = identity_refs(ids);
    // A second descriptor on the same open file (shared offset): the header can be read
    // again from it for the message after a mismatch.
    let again = input.file.try_clone().ok();
    match OpenReader::with_options(input.file, &refs, options) {
        Ok(r) => Ok(r),
        Err(Error::NoMatchingRecipient) => {
            let header = again.and_then(|mut f| {
                f.rewind().ok()?;
                printseal::io::read_header(&mut f).ok()
            });
            Err(match header {
                Some(h) => no_match(&h, ids),
                None => CliError::core(&format!("opening {name}"), Error::NoMatchingRecipient)
                    .with_remedy("pass -i with the identity or KEK file the job was sealed to"),
            })
        }
        Err(e) => Err(CliError::core(&format!("opening {name}"), e)),
    }
}

/// Streams the plaintext of `reader` into `out`; returns the plaintext length. Every
/// byte written authenticated; an error means the job did not.
pub(crate) fn stream(
    reader: &mut OpenReader<File>,
    out: &mut dyn Write,
    name: &str,
    pb: &indicatif::ProgressBar,
) -> Result<u64> {
    let mut buf = Zeroizing::new(vec![0u8; BUF_SIZE + 4 * 16 * 1024]);
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) => {
                return Err(CliError::core(
                    &format!("opening {name}"),
                    Error::from_io(e),
                ));
            }
        };
        out.write_all(&buf[..n])
            .map_err(|e| CliError::io("writing the plaintext", &e))?;
        total += n as u64;
        pb.inc(n as u64);
    }
}

pub(crate) fn run(args: &OpenArgs) -> Result<()> {
    if uses_stdin(&args.ids) && args.input.as_deref().is_none_or(is_stdin) {
        return Err(CliError::usage(
            "standard input cannot be both the identity (-i -) and the job",
        )
        .with_remedy("pass the job as a file argument IN"));
    }
    let ids = read_identities(&args.ids)?;
    let options = crate::policy::options(&args.policy)?;
    let input = open_input(args.input.as_deref())?;
    let (name, len) = (input.name.clone(), input.len);
    let mut reader = open_reader(input, &ids, &options)?;
    let text = reader
        .header()
        .public_metadata()
        .content_type
        .starts_with("text/");
    let mut out = create_output(
        args.output.as_deref(),
        Kind::Plaintext { text },
        args.input.as_deref(),
    )?;
    let pb = crate::progress::bar(len, "opening");
    stream(&mut reader, &mut out, &name, &pb)?;
    pb.finish_and_clear();
    out.commit()
}
