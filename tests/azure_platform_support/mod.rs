//! Helpers for the Azure platform tests: import fixtures through the public
//! API and pick results out of `checks::evaluate`.
#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use tickmark::checks::{CheckResult, CheckStatus, ResourceResult, Settings, evaluate};
use tickmark::evidence::{EvidenceSet, ImportedFile, import_bytes};

/// The check IDs these tests own.
pub const AKS_CHECKS: &[&str] = &[
    "aks.private-cluster",
    "aks.no-public-fqdn",
    "aks.private-dns-zone",
    "aks.nodepool-dedicated-subnets",
    "aks.no-node-public-ip",
    "aks.network-policy",
    "aks.egress-udr",
    "aks.entra-rbac",
    "aks.local-accounts-disabled",
    "aks.kubernetes-rbac",
    "aks.azure-policy-addon",
    "aks.monitoring-addon",
    "aks.defender",
    "aks.encryption-at-host",
    "aks.disk-encryption",
    "aks.managed-identity",
    "aks.secrets-store-csi",
    "aks.auto-upgrade",
    "aks.system-user-pool-separation",
];

/// The platform check IDs these tests own.
pub const PLATFORM_CHECKS: &[&str] = &[
    "kv.private-endpoint",
    "kv.network-deny-default",
    "kv.purge-protection",
    "acr.admin-disabled",
    "acr.private",
    "logs.retention",
    "logs.kube-audit",
    "defender.containers-plan",
    "vnet.ddos-protection",
];

/// A fixed import time, so tests do not depend on the clock.
pub fn when() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A fixture under `tests/fixtures/azure/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join("azure")
        .join(name)
}

/// Imports a file through `evidence::import_bytes`, naming it `name`.
pub fn import_path(path: &std::path::Path, name: &str) -> ImportedFile {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    import_bytes(name, &bytes, when()).unwrap_or_else(|e| panic!("{e}"))
}

/// Imports a fixture.
pub fn import(name: &str) -> ImportedFile {
    import_path(&fixture(name), name)
}

/// Imports the fixtures and runs every check with default settings.
pub fn evaluate_fixtures(names: &[&str]) -> Vec<CheckResult> {
    let mut set = EvidenceSet::default();
    for name in names {
        set.add(import(name));
    }
    evaluate(&set, &Settings::default())
}

/// The one result of check `id`.
pub fn result<'a>(results: &'a [CheckResult], id: &str) -> &'a CheckResult {
    let found: Vec<&CheckResult> = results.iter().filter(|r| r.check == id).collect();
    assert_eq!(found.len(), 1, "check {id} must give exactly one result");
    found[0]
}

/// The status of check `id`.
pub fn status(results: &[CheckResult], id: &str) -> CheckStatus {
    result(results, id).status
}

/// The per-resource result whose resource name ends with `suffix`.
pub fn resource<'a>(result: &'a CheckResult, suffix: &str) -> &'a ResourceResult {
    result
        .resources
        .iter()
        .find(|r| r.resource.ends_with(suffix))
        .unwrap_or_else(|| {
            panic!(
                "{}: no resource ending in {suffix}: {:?}",
                result.check,
                result
                    .resources
                    .iter()
                    .map(|r| &r.resource)
                    .collect::<Vec<_>>()
            )
        })
}

/// Asserts that every check in `ids` has `expected` status, listing all
/// that do not.
pub fn assert_all(results: &[CheckResult], ids: &[&str], expected: CheckStatus) {
    let wrong: Vec<String> = ids
        .iter()
        .map(|id| result(results, id))
        .filter(|r| r.status != expected)
        .map(|r| format!("{} is {:?}: {}", r.check, r.status, r.reason))
        .collect();
    assert!(
        wrong.is_empty(),
        "expected {expected:?}:\n{}",
        wrong.join("\n")
    );
}
