//! Checks on scanner, policy and runtime findings; see `registry.rs` for
//! their IDs and meaning. One file per check family.
//!
//! Static checks (`scan.no-fixable-critical`, `scan.kube-bench`,
//! `scan.kubescape`, `scan.trivy-compliance`, `scan.trivy-k8s`, `scan.iac`,
//! `runtime.falco`)
//! always add exactly one result. Per-requirement checks (`scan.azure-policy`,
//! `scan.defender`, `scan.prowler`) add one result per requirement their
//! evidence names, and nothing without such evidence.

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

/// A per-requirement result.
fn requirement_result(
    check: &str,
    requirement: &str,
    status: CheckStatus,
    reason: String,
    evidence: Vec<EvidenceRef>,
    resources: Vec<ResourceResult>,
) -> CheckResult {
    CheckResult {
        check: check.to_owned(),
        requirement: Some(requirement.to_owned()),
        status,
        reason,
        evidence: tidy(evidence),
        resources,
    }
}

/// Orders requirement IDs numerically (`1.2` before `1.10`, `2` before `10`).
fn requirement_order(id: &str) -> Vec<u32> {
    id.split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
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
        let mut ids = vec!["10.1", "1.10", "1.2", "2"];
        ids.sort_by_key(|id| requirement_order(id));
        assert_eq!(ids, vec!["1.2", "1.10", "2", "10.1"]);
    }
}
