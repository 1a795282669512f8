//! `tickmark catalog`.

use std::process::ExitCode;

use super::{CatalogFormat, EXIT_UNUSABLE};

/// Runs `tickmark catalog`.
pub(super) fn run(format: CatalogFormat) -> ExitCode {
    let _ = format;
    eprintln!("tickmark catalog: not available yet");
    ExitCode::from(EXIT_UNUSABLE)
}
