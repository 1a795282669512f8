//! `scan.prowler`: one result per PCI DSS requirement that Prowler names:
//! 3.2.1 requirement IDs of its findings' `PCI-3.2.1` mapping, and, for PCI
//! DSS v4, the requirement each row of its compliance output names by its
//! section (Prowler's v4 entry IDs are sub-rules and never read as
//! requirements). A requirement fails on a FAIL finding that is not muted,
//! passes when its findings show no such failure and at least one PASS, and
//! is not evaluated when only muted or manual findings name it. Each result
//! names its catalog: the two versions number their requirements
//! differently.

use std::collections::BTreeMap;

use super::{
    CheckResult, CheckStatus, ResourceResult, named_list, requirement_order, requirement_result,
};
use crate::evidence::scans::{PciVersion, ProwlerFinding, ProwlerStatus, ScanEvidence};

/// The check's ID.
pub const ID: &str = "scan.prowler";

/// Runs the check: one result per requirement the findings name.
pub fn check(scans: &ScanEvidence) -> Vec<CheckResult> {
    let mut by_requirement: BTreeMap<(PciVersion, String), Vec<&ProwlerFinding>> = BTreeMap::new();
    for finding in &scans.prowler_findings {
        for named in finding.pci_requirements() {
            by_requirement.entry(named).or_default().push(finding);
        }
    }
    let mut groups: Vec<_> = by_requirement.into_iter().collect();
    groups.sort_by_key(|(named, _)| requirement_order(named));
    groups
        .iter()
        .map(|(named, group)| judge(named, group))
        .collect()
}

fn is_failure(finding: &ProwlerFinding) -> bool {
    finding.status == ProwlerStatus::Fail && !finding.muted
}

fn judge(requirement: &(PciVersion, String), findings: &[&ProwlerFinding]) -> CheckResult {
    let failures: Vec<&&ProwlerFinding> = findings.iter().filter(|f| is_failure(f)).collect();
    let passes = findings
        .iter()
        .filter(|f| f.status == ProwlerStatus::Pass)
        .count();
    let muted = findings
        .iter()
        .filter(|f| f.muted && f.status == ProwlerStatus::Fail)
        .count();
    let muted_text = if muted > 0 {
        format!("; {muted} muted FAIL finding(s) not counted")
    } else {
        String::new()
    };
    let (status, reason) = if !failures.is_empty() {
        let named: Vec<String> = failures.iter().map(|f| describe(f)).collect();
        (
            CheckStatus::Fail,
            format!(
                "{} of {} Prowler finding(s) FAIL: {}{muted_text}",
                failures.len(),
                findings.len(),
                named_list(&named)
            ),
        )
    } else if passes > 0 {
        (
            CheckStatus::Pass,
            format!("{passes} judged Prowler finding(s), all PASS{muted_text}"),
        )
    } else {
        (
            CheckStatus::NotEvaluated,
            format!(
                "the {} Prowler finding(s) are muted or manual only",
                findings.len()
            ),
        )
    };
    let evidence = findings.iter().map(|f| f.source.clone()).collect();
    let resources = findings.iter().map(|f| resource(f)).collect();
    requirement_result(ID, requirement, status, reason, evidence, resources)
}

fn describe(finding: &ProwlerFinding) -> String {
    let on = finding
        .resource
        .as_deref()
        .map(|r| format!(" on {r}"))
        .unwrap_or_default();
    format!("{}{on}", check_name(finding))
}

fn check_name(finding: &ProwlerFinding) -> String {
    match &finding.title {
        Some(title) => format!("{} ({title})", finding.check_id),
        None => finding.check_id.clone(),
    }
}

fn resource(finding: &ProwlerFinding) -> ResourceResult {
    let (status, word) = match &finding.status {
        _ if is_failure(finding) => (CheckStatus::Fail, "FAIL".to_owned()),
        ProwlerStatus::Pass => (CheckStatus::Pass, "PASS".to_owned()),
        ProwlerStatus::Fail => (CheckStatus::NotEvaluated, "FAIL, muted".to_owned()),
        ProwlerStatus::Manual => (CheckStatus::NotEvaluated, "MANUAL".to_owned()),
        ProwlerStatus::Other(other) => (CheckStatus::NotEvaluated, other.clone()),
    };
    let severity = finding
        .severity
        .map(|s| format!(", severity {}", s.label()))
        .unwrap_or_default();
    ResourceResult::new(
        finding
            .resource
            .clone()
            .unwrap_or_else(|| finding.check_id.clone()),
        status,
        format!("{}: {word}{severity}", check_name(finding)),
        vec![finding.source.clone()],
    )
}
