//! `printseal man -o DIR`: man pages from the clap definitions, with an EXIT STATUS
//! section from the exit-code table.

use std::fs;
use std::path::Path;

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};

use crate::cli::{Cli, ManArgs};
use crate::error::{CliError, EXIT_CODES, Result};

fn exit_status(w: &mut Vec<u8>) -> std::io::Result<()> {
    let mut r = Roff::default();
    r.control("SH", ["EXIT STATUS"]);
    for row in EXIT_CODES {
        r.control("TP", []);
        r.text([roman(format!("{} ({})", row.code, row.name))]);
        r.text([roman(row.meaning)]);
    }
    r.control("PP", []);
    r.text([roman(
        "When opening to standard output, plaintext is written one chunk at a time, each \
         only after it authenticated; a failure later in the job still gives a non-zero \
         exit status, and what was written before it must then be discarded. A file \
         output (-o) appears under its name only once the whole job authenticated.",
    )]);
    r.to_writer(w)
}

fn page(cmd: clap::Command, name: &str, dir: &Path) -> Result<()> {
    let man = Man::new(cmd);
    let mut buf = Vec::new();
    let path = dir.join(format!("{name}.1"));
    let err = |e: std::io::Error| CliError::io(&path.display().to_string(), &e);
    man.render_title(&mut buf).map_err(err)?;
    man.render_name_section(&mut buf).map_err(err)?;
    man.render_synopsis_section(&mut buf).map_err(err)?;
    man.render_description_section(&mut buf).map_err(err)?;
    man.render_options_section(&mut buf).map_err(err)?;
    man.render_subcommands_section(&mut buf).map_err(err)?;
    exit_status(&mut buf).map_err(err)?;
    man.render_version_section(&mut buf).map_err(err)?;
    fs::write(&path, buf).map_err(err)
}

pub(crate) fn run(args: &ManArgs) -> Result<()> {
    let dir = &args.output;
    fs::create_dir_all(dir).map_err(|e| CliError::io(&dir.display().to_string(), &e))?;
    let mut cmd = Cli::command();
    cmd.build();
    for sub in cmd.get_subcommands() {
        let name = format!("printseal-{}", sub.get_name());
        page(
            sub.clone().name(&name).version(env!("CARGO_PKG_VERSION")),
            &name,
            dir,
        )?;
    }
    page(cmd, "printseal", dir)
}
