//! `printseal`: the command line for operators, and a CUPS backend.
//!
//! `cli.rs` holds the argument definitions, `commands/` one file per command, and
//! `error.rs` the one map from error family to exit code.

mod cli;
mod commands;
mod detect;
mod error;
mod files;
mod keys;
mod policy;
mod progress;
mod time;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::Result;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // An interrupted command (Ctrl-C, or CUPS cancelling a job) leaves no temporary file.
    files::on_signal();
    // Installed as CUPS's `backend/printseal`, the same binary is a backend.
    if let Some(code) = commands::backend::maybe_run(&args) {
        return ExitCode::from(code);
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let json = wants_json(&cli.command);
    match run(&cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut stderr = std::io::stderr().lock();
            let _ = if json {
                writeln!(stderr, "{}", e.to_json())
            } else {
                writeln!(stderr, "printseal: {e}")
            };
            ExitCode::from(e.exit_code())
        }
    }
}

fn wants_json(c: &Command) -> bool {
    match c {
        Command::Inspect(a) => a.json,
        Command::Verify(a) => a.json,
        Command::Scan(a) => a.json,
        Command::Release(a) => a.json,
        _ => false,
    }
}

fn run(c: &Command) -> Result<()> {
    match c {
        Command::Keygen(a) => commands::keygen::run(a),
        Command::Recipient(a) => commands::recipient::run(a),
        Command::Seal(a) => commands::seal::run(a),
        Command::Open(a) => commands::open::run(a),
        Command::Verify(a) => commands::verify::run(a),
        Command::Inspect(a) => commands::inspect::run(a),
        Command::Rewrap(a) => commands::rewrap::run(a),
        Command::Scan(a) => commands::scan::run(a),
        Command::Sbom => commands::sbom::run(),
        Command::Version(a) => commands::version::run(a),
        Command::Release(a) => commands::release::run(a),
        Command::Man(a) => commands::man::run(a),
        Command::Completions(a) => commands::completions::run(a),
    }
}
