//! `printseal completions SHELL`, generated from the clap definitions.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs, ShellArg};
use crate::error::Result;

pub(crate) fn run(args: &CompletionsArgs) -> Result<()> {
    let shell = match args.shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Elvish => Shell::Elvish,
        ShellArg::Powershell => Shell::PowerShell,
    };
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "printseal",
        &mut std::io::stdout(),
    );
    Ok(())
}
