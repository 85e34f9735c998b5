//! `printseal sbom`: the CycloneDX document embedded at build time.

use std::io::Write;

use crate::error::{CliError, Result};

pub(crate) fn run() -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(printseal::sbom_json().as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|e| CliError::io("standard output", &e))
}
