//! Helpers for the scanner tests: import a fixture of `tests/fixtures/scans/`
//! and run the checks over fixtures.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use tickmark::checks::{CheckResult, Settings, evaluate};
use tickmark::evidence::{EvidenceSet, ImportError, ImportedFile, import_bytes};

/// A fixed import time.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// The path of a fixture.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scans")
        .join(name)
}

/// The bytes of a fixture.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Imports a fixture, which must succeed.
pub fn import(name: &str) -> ImportedFile {
    import_bytes(name, &fixture(name), now()).unwrap_or_else(|e| panic!("{e}"))
}

/// Imports bytes that must fail.
pub fn import_error(name: &str, bytes: &[u8]) -> ImportError {
    match import_bytes(name, bytes, now()) {
        Ok(file) => panic!(
            "{name} was imported as {} but should have failed",
            file.provenance.format
        ),
        Err(e) => e,
    }
}

/// Runs every check over the fixtures.
pub fn evaluate_fixtures(names: &[&str]) -> Vec<CheckResult> {
    let mut set = EvidenceSet::default();
    for name in names {
        set.add(import(name));
    }
    evaluate(&set, &Settings::default())
}

/// The one result of a static check.
pub fn static_result<'a>(results: &'a [CheckResult], check: &str) -> &'a CheckResult {
    let found: Vec<&CheckResult> = results.iter().filter(|r| r.check == check).collect();
    assert_eq!(found.len(), 1, "{check} must give exactly one result");
    assert_eq!(found[0].requirement, None);
    found[0]
}

/// The results of a per-requirement check that name PCI DSS 3.2.1
/// requirements, by requirement ID (see `scans_v4.rs` for 4.0.1).
pub fn by_requirement<'a>(
    results: &'a [CheckResult],
    check: &str,
) -> BTreeMap<String, &'a CheckResult> {
    let mut map = BTreeMap::new();
    for result in results.iter().filter(|r| {
        r.check == check
            && r.named_requirement()
                .is_none_or(|(framework, _)| framework == "pci-dss-3.2.1")
    }) {
        let id = result
            .requirement
            .clone()
            .unwrap_or_else(|| panic!("{check} result without a requirement"));
        assert!(
            map.insert(id, result).is_none(),
            "one result per requirement"
        );
    }
    map
}
