//! Checks on scanner, policy and runtime findings; see `check_registry.rs` for
//! their IDs and meaning. One file per check family.
//!
//! Static checks (`scan.no-fixable-critical`, `scan.kube-bench`,
//! `scan.kubescape`, `scan.trivy-compliance`, `scan.trivy-k8s`, `scan.iac`,
//! `runtime.falco`)
//! always add exactly one result. Per-requirement checks (`scan.azure-policy`,
//! `scan.defender`, `scan.prowler`) add one result per requirement their
//! evidence names, and nothing without such evidence; each result says
//! which catalog's numbering the requirement is in (`framework`), so that
//! a 3.2.1 mapping never feeds a 4.0.1 verdict or the other way round.

mod azure_policy;
mod defender;
mod falco;
mod iac;
mod kube_bench;
mod kubescape;
mod prowler;
mod trivy_compliance;
mod trivy_k8s;
mod vulnerabilities;

use super::{CheckResult, CheckStatus, ResourceResult, Settings};
use crate::catalog::{PCI_DSS_321_ID, PCI_DSS_401_ID, id_order_key};
use crate::evidence::scans::PciVersion;
use crate::evidence::{Evidence, EvidenceRef};

/// Runs this family's checks.
pub(super) fn run(evidence: &Evidence, settings: &Settings, out: &mut Vec<CheckResult>) {
    let _ = settings;
    let scans = &evidence.scans;
    out.push(vulnerabilities::no_fixable_critical(scans));
    out.push(kube_bench::check(scans));
    out.push(kubescape::check(scans));
    out.push(trivy_compliance::check(scans));
    out.push(trivy_k8s::check(scans));
    out.push(iac::check(scans));
    out.push(falco::check(scans));
    out.extend(azure_policy::check(scans));
    out.extend(defender::check(scans));
    out.extend(prowler::check(scans));
}

/// How many items a reason names before it says "and N more".
const NAMED_IN_REASON: usize = 3;

/// At most this many line or row pointers per group of alike findings (the
/// file-level pointer stands for the rest, and the reason gives the count).
const REFS_PER_GROUP: usize = 20;

/// `a; b; c (and 4 more)`.
fn named_list(items: &[String]) -> String {
    let shown: Vec<&str> = items
        .iter()
        .take(NAMED_IN_REASON)
        .map(String::as_str)
        .collect();
    let mut text = shown.join("; ");
    if items.len() > NAMED_IN_REASON {
        text.push_str(&format!(" (and {} more)", items.len() - NAMED_IN_REASON));
    }
    text
}

/// `1 vulnerability` / `3 vulnerabilities`-style counts with a plain `(s)`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}(s)")
}

/// Sorted, de-duplicated evidence.
fn tidy(mut evidence: Vec<EvidenceRef>) -> Vec<EvidenceRef> {
    evidence.sort();
    evidence.dedup();
    evidence
}

/// The catalog whose numbering a scanner's PCI DSS mapping uses.
fn catalog_of(version: PciVersion) -> &'static str {
    match version {
        PciVersion::V3_2_1 => PCI_DSS_321_ID,
        PciVersion::V4 => PCI_DSS_401_ID,
    }
}

/// A per-requirement result about requirement `named.1` in the numbering
/// `named.0`.
fn requirement_result(
    check: &str,
    named: &(PciVersion, String),
    status: CheckStatus,
    reason: String,
    evidence: Vec<EvidenceRef>,
    resources: Vec<ResourceResult>,
) -> CheckResult {
    CheckResult {
        check: check.to_owned(),
        requirement: Some(named.1.clone()),
        framework: Some(catalog_of(named.0).to_owned()),
        status,
        reason,
        evidence: tidy(evidence),
        resources,
    }
}

/// Orders named requirements: 3.2.1 before v4, then in document order
/// (`1.2` before `1.10`, `12.1` before `A1.1`).
fn requirement_order(named: &(PciVersion, String)) -> impl Ord + use<> {
    (named.0, id_order_key(&named.1))
}

/// The file-level pointer of an evidence reference (its whole file).
fn whole_file(reference: &EvidenceRef) -> EvidenceRef {
    EvidenceRef {
        path: reference.path.clone(),
        pointer: String::new(),
        resource: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_order() {
        let items: Vec<String> = (1..=5).map(|i| format!("x{i}")).collect();
        assert_eq!(named_list(&items), "x1; x2; x3 (and 2 more)");
        assert_eq!(named_list(&items[..2]), "x1; x2");
        let named = |version, id: &str| (version, id.to_owned());
        let mut ids = [
            named(PciVersion::V4, "A1.1.1"),
            named(PciVersion::V4, "10.1"),
            named(PciVersion::V3_2_1, "10.1"),
            named(PciVersion::V3_2_1, "1.10"),
            named(PciVersion::V3_2_1, "1.2"),
            named(PciVersion::V3_2_1, "2"),
        ];
        ids.sort_by_key(requirement_order);
        let order: Vec<&str> = ids.iter().map(|(_, id)| id.as_str()).collect();
        assert_eq!(order, vec!["1.2", "1.10", "2", "10.1", "10.1", "A1.1.1"]);
        assert_eq!(ids[3].0, PciVersion::V3_2_1);
    }
}
