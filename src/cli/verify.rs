//! `tickmark verify`.

use std::process::ExitCode;

use super::{Cli, EXIT_UNUSABLE};

/// Runs `tickmark verify`.
pub(super) fn run(cli: &Cli, bundle: Option<&std::path::Path>) -> ExitCode {
    let _ = (cli, bundle);
    eprintln!("tickmark verify: not available yet");
    ExitCode::from(EXIT_UNUSABLE)
}
