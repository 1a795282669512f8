//! `scan.no-fixable-critical`: no CRITICAL or HIGH vulnerability that has a
//! fixed version, judged per scanned target (image OS packages, language
//! packages, a workload's image).

use super::{CheckResult, CheckStatus, ResourceResult, count, named_list, tidy};
use crate::evidence::scans::{ScanEvidence, Vulnerability, VulnerabilityScan};

/// The check's ID.
pub const ID: &str = "scan.no-fixable-critical";

/// Runs the check.
pub fn no_fixable_critical(scans: &ScanEvidence) -> CheckResult {
    let targets = &scans.vulnerability_scans;
    if targets.is_empty() {
        return CheckResult::not_evaluated(
            ID,
            "no vulnerability scan was imported (Trivy image, Trivy Kubernetes or Trivy SARIF)",
        );
    }
    let resources: Vec<ResourceResult> = targets.iter().map(judge).collect();
    let failing: Vec<(&VulnerabilityScan, Vec<&Vulnerability>)> = targets
        .iter()
        .map(|t| (t, fixable(t)))
        .filter(|(_, fixable)| !fixable.is_empty())
        .collect();
    let (status, reason, evidence) = if failing.is_empty() {
        let unfixed = targets
            .iter()
            .flat_map(|s| &s.vulnerabilities)
            .filter(|v| v.severity.is_high_or_above())
            .count();
        let unfixed_text = if unfixed > 0 {
            format!(
                "; {} without a fixed version yet",
                count(unfixed, "CRITICAL/HIGH vulnerability")
            )
        } else {
            String::new()
        };
        (
            CheckStatus::Pass,
            format!(
                "no fixable CRITICAL or HIGH vulnerability in {} scanned target(s){unfixed_text}",
                targets.len()
            ),
            targets.iter().map(|t| t.source.clone()).collect(),
        )
    } else {
        let total: usize = failing.iter().map(|(_, f)| f.len()).sum();
        let named: Vec<String> = failing
            .iter()
            .map(|(target, fixable)| {
                let ids: Vec<String> = fixable.iter().map(|v| v.id.clone()).collect();
                format!("{}: {}", target.label(), short_list(&ids))
            })
            .collect();
        (
            CheckStatus::Fail,
            format!(
                "{} in {} of {} scanned target(s): {}",
                count(total, "fixable CRITICAL/HIGH vulnerability"),
                failing.len(),
                targets.len(),
                named_list(&named)
            ),
            failing
                .iter()
                .flat_map(|(_, f)| f.iter().map(|v| v.source.clone()))
                .collect(),
        )
    };
    CheckResult {
        check: ID.to_owned(),
        requirement: None,
        framework: None,
        status,
        reason,
        evidence: tidy(evidence),
        resources,
    }
}

/// `a, b +3`.
fn short_list(ids: &[String]) -> String {
    let shown = ids.iter().take(2).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > 2 {
        format!("{shown} +{}", ids.len() - 2)
    } else {
        shown
    }
}

fn fixable(scan: &VulnerabilityScan) -> Vec<&Vulnerability> {
    scan.vulnerabilities
        .iter()
        .filter(|v| v.severity.is_high_or_above() && v.is_fixable())
        .collect()
}

fn judge(scan: &VulnerabilityScan) -> ResourceResult {
    let serious: Vec<&Vulnerability> = scan
        .vulnerabilities
        .iter()
        .filter(|v| v.severity.is_high_or_above())
        .collect();
    let fixable = fixable(scan);
    if fixable.is_empty() {
        let reason = if serious.is_empty() {
            format!(
                "no CRITICAL or HIGH vulnerability ({} in total)",
                count(scan.vulnerabilities.len(), "vulnerability")
            )
        } else {
            format!(
                "{} CRITICAL/HIGH, none with a fixed version yet",
                serious.len()
            )
        };
        return ResourceResult::new(
            scan.label(),
            CheckStatus::Pass,
            reason,
            vec![scan.source.clone()],
        );
    }
    let named: Vec<String> = fixable.iter().map(|v| describe(v)).collect();
    ResourceResult::new(
        scan.label(),
        CheckStatus::Fail,
        format!(
            "{} CRITICAL/HIGH with a fix: {}",
            fixable.len(),
            named_list(&named)
        ),
        fixable.iter().map(|v| v.source.clone()).collect(),
    )
}

fn describe(v: &Vulnerability) -> String {
    let installed = v
        .installed_version
        .as_deref()
        .map(|i| format!(" {i}"))
        .unwrap_or_default();
    format!(
        "{} {} in {}{installed}, fixed in {}",
        v.id,
        v.severity.label(),
        v.package,
        v.fixed_version.as_deref().unwrap_or_default()
    )
}
