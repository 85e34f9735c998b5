//! `printseal version [--verbose]`.

use crate::cli::VersionArgs;
use crate::error::Result;

pub(crate) fn run(args: &VersionArgs) -> Result<()> {
    println!("printseal {}", env!("CARGO_PKG_VERSION"));
    if args.verbose {
        println!("library: {}", printseal::build_info());
    }
    Ok(())
}
