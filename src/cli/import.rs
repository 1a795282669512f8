//! `tickmark import`.

use std::process::ExitCode;

use super::{Cli, EXIT_UNUSABLE};

/// Runs `tickmark import`.
pub(super) fn run(cli: &Cli, assessment: &str, paths: &[std::path::PathBuf]) -> ExitCode {
    let _ = (cli, assessment, paths);
    eprintln!("tickmark import: not available yet");
    ExitCode::from(EXIT_UNUSABLE)
}
