//! Format detection and every importer behind it: any bytes, as a file.
//! The importer must return evidence or an error naming the file, never
//! panic, and keep every text it returns within the length cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tickmark::evidence::{self, cap::MAX_TEXT_CHARS};

fuzz_target!(|data: &[u8]| {
    let at = chrono::DateTime::UNIX_EPOCH;
    match evidence::import_bytes("fuzz/input.json", data, at) {
        Ok(file) => {
            assert_eq!(file.provenance.size, data.len() as u64);
            for note in &file.provenance.notes {
                assert!(note.chars().count() <= MAX_TEXT_CHARS + 32, "uncapped note");
            }
            for problem in &file.problems {
                assert!(problem.to_string().starts_with("fuzz/input.json"));
            }
        }
        Err(e) => {
            assert!(e.to_string().starts_with("fuzz/input.json"), "{e}");
            assert!(e.message.chars().count() <= MAX_TEXT_CHARS + 32, "uncapped error");
        }
    }
});
