//! `printseal verify`: authenticate a whole job, write no plaintext.

use printseal::PrivateMetadata;
use serde_json::{Value, json};

use crate::cli::VerifyArgs;
use crate::commands::inspect::header_json;
use crate::commands::open::{open_reader, stream};
use crate::error::{CliError, Result};
use crate::files::open_input;
use crate::keys::{is_stdin, read_identities, uses_stdin};

/// Private metadata as JSON strings (UTF-8, lossily).
pub(crate) fn private_json(p: &PrivateMetadata) -> Value {
    let map: serde_json::Map<String, Value> = p
        .iter()
        .map(|(k, v)| {
            (
                k.to_owned(),
                Value::String(String::from_utf8_lossy(v).into_owned()),
            )
        })
        .collect();
    Value::Object(map)
}

pub(crate) fn run(args: &VerifyArgs) -> Result<()> {
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
    let pb = crate::progress::bar(len, "verifying");
    let plaintext_len = stream(&mut reader, &mut std::io::sink(), &name, &pb)?;
    pb.finish_and_clear();
    if args.json {
        let v = json!({
            "ok": true,
            "input": name,
            "plaintext_len": plaintext_len,
            "header": header_json(reader.header()),
            "private_metadata": private_json(reader.private_metadata()),
        });
        println!("{v}");
    } else {
        let p = reader.header().public_metadata();
        println!(
            "OK: {name}: {plaintext_len} bytes of {} authenticated (sealed by {} {})",
            p.content_type, p.producer_name, p.producer_version
        );
    }
    Ok(())
}
