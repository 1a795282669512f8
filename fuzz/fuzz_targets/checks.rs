//! Every check over whatever evidence an input imports to, then the
//! verdicts: no panic, one result per static check, capped texts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tickmark::checks::{self, CHECKS, CheckScope, Settings};
use tickmark::evidence::{self, EvidenceSet, cap::MAX_TEXT_CHARS};

fuzz_target!(|data: &[u8]| {
    let at = chrono::DateTime::UNIX_EPOCH;
    let Ok(file) = evidence::import_bytes("fuzz/input.json", data, at) else {
        return;
    };
    let mut set = EvidenceSet::default();
    set.add(file);
    let results = checks::evaluate(&set, &Settings::default());
    for def in CHECKS.iter().filter(|d| d.scope == CheckScope::Static) {
        let count = results.iter().filter(|r| r.check == def.id).count();
        assert!(count <= 1, "{} gave {count} results", def.id);
    }
    for result in &results {
        assert!(result.reason.chars().count() <= MAX_TEXT_CHARS + 32, "uncapped reason");
        for r in &result.resources {
            assert!(r.resource.chars().count() <= MAX_TEXT_CHARS + 32);
        }
    }
    let verdicts = checks::verdicts(tickmark::catalog::pci_dss_321(), &results);
    assert_eq!(verdicts.len(), 232);
});
