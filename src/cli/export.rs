//! `tickmark export`.

use std::process::ExitCode;

use super::{Cli, EXIT_UNUSABLE, ExportFormat};

/// Runs `tickmark export`.
pub(super) fn run(
    cli: &Cli,
    assessment: &str,
    format: ExportFormat,
    out: &std::path::Path,
) -> ExitCode {
    let _ = (cli, assessment, format, out);
    eprintln!("tickmark export: not available yet");
    ExitCode::from(EXIT_UNUSABLE)
}
