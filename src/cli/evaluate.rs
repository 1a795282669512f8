//! `tickmark evaluate`.

use std::process::ExitCode;

use super::{Cli, EXIT_UNUSABLE, EvaluateFormat, FailOn};

/// Runs `tickmark evaluate`.
pub(super) fn run(
    cli: &Cli,
    paths: &[std::path::PathBuf],
    format: EvaluateFormat,
    fail_on: Option<FailOn>,
) -> ExitCode {
    let _ = (cli, paths, format, fail_on);
    eprintln!("tickmark evaluate: not available yet");
    ExitCode::from(EXIT_UNUSABLE)
}
