//! `tickmark verify --bundle` on any zip: a report or an error, never a
//! panic, and never more memory than the caps allow (libFuzzer's -rss_limit_mb).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tickmark::export::bundle::verify_bundle_from;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz/bundle.zip");
    if let Ok(report) = verify_bundle_from(path, std::io::Cursor::new(data)) {
        // A bundle is intact only with every part the manifest promises.
        if report.is_intact() {
            let manifest = report.manifest.as_ref().expect("an intact bundle has a manifest");
            for part in ["report.html", "record.json", "oscal-assessment-results.json", "requirements.csv"] {
                assert!(manifest.entries.iter().any(|e| e.path == part), "{part} missing");
            }
        }
    }
});
