//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;

/// The project's root directory.
pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Overrides where `../shared` is looked for (the test of the skip notices
/// points it at an empty folder).
pub const SHARED_DIR_VAR: &str = "TICKMARK_TEST_SHARED_DIR";

/// `../shared` beside the checkout, which holds the real tool outputs under
/// `evidence-formats/`. CI has it; a user's fresh clone does not, so tests
/// that read it call this and skip (saying so) when it is absent.
pub fn shared_dir() -> Option<PathBuf> {
    shared("evidence-formats")
}

/// `../shared` when its `folder` (e.g. `reference/oscal`) is there. When it
/// is not, says so where a plain `cargo test` shows it (straight to
/// standard error, which the test harness does not capture), naming the
/// test and the folder, and returns `None`: the test then skips.
pub fn shared(folder: &str) -> Option<PathBuf> {
    let (dir, shown) = match std::env::var_os(SHARED_DIR_VAR) {
        Some(dir) => (
            PathBuf::from(&dir),
            PathBuf::from(dir).display().to_string(),
        ),
        None => (
            project_dir().join("..").join("shared"),
            "../shared".to_owned(),
        ),
    };
    if dir.join(folder).is_dir() {
        return Some(dir);
    }
    skip_notice(&format!("{shown}/{folder} is not beside this checkout"));
    None
}

/// Prints `skipped (<test>): <why>` past the harness's output capture.
pub fn skip_notice(why: &str) {
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let _ = writeln!(std::io::stderr().lock(), "skipped ({test}): {why}");
}

/// The project's own sample assessment.
pub fn sample_data_dir() -> PathBuf {
    project_dir().join("sample-data")
}
