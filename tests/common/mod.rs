//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The project's root directory.
pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the checkout, which holds the real tool outputs under
/// `evidence-formats/`. CI has it; a user's fresh clone does not, so tests
/// that read it call this and skip (saying so) when it is absent.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = project_dir().join("..").join("shared");
    if dir.join("evidence-formats").is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/evidence-formats is not beside this checkout");
        None
    }
}

/// The project's own sample assessment.
pub fn sample_data_dir() -> PathBuf {
    project_dir().join("sample-data")
}
