//! `printseal recipient`: the public recipients of an identity file.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{IdentityFlags, RecipientArgs};
use crate::error::{CliError, Result};
use crate::keys::{AnyIdentity, read_identities};

pub(crate) fn run(args: &RecipientArgs) -> Result<()> {
    let flags = IdentityFlags {
        identities: vec![args.input.clone().unwrap_or_else(|| PathBuf::from("-"))],
    };
    let ids = read_identities(&flags)?;
    let mut lines = String::new();
    for id in &ids {
        match id {
            AnyIdentity::XWing(k) => lines.push_str(&format!("{}\n", k.to_public())),
            AnyIdentity::X25519(k) => lines.push_str(&format!("{}\n", k.to_public())),
            AnyIdentity::Kek(_) | AnyIdentity::Pkcs11(_) => eprintln!(
                "note: skipping the {}: a KEK has no public form; seal to it with -k FILE",
                id.describe()
            ),
        }
    }
    if lines.is_empty() {
        return Err(
            CliError::bad_key("the file holds only KEKs, which have no public recipient")
                .with_remedy("seal to a KEK with `printseal seal -k FILE`"),
        );
    }
    let mut out = std::io::stdout().lock();
    out.write_all(lines.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::io("standard output", &e))
}
