//! `scan.no-fixable-critical`: no CRITICAL or HIGH vulnerability that has a
//! fixed version, judged per scanned target (image OS packages, language
//! packages, a workload's image).

use super::{CheckResult, CheckStatus, ResourceResult, count, named_list};
use crate::evidence::scans::{ScanEvidence, Vulnerability, VulnerabilityScan};

/// The check's ID.
pub const ID: &str = "scan.no-fixable-critical";

/// Runs the check.
pub fn no_fixable_critical(scans: &ScanEvidence) -> CheckResult {
    let resources: Vec<ResourceResult> = scans.vulnerability_scans.iter().map(judge).collect();
    let total = resources.len();
    let mut result = CheckResult::from_resources(
        ID,
        "scanned target",
        resources,
        "no vulnerability scan was imported (Trivy image, Trivy Kubernetes or Trivy SARIF)",
    );
    if result.status == CheckStatus::Pass && total > 1 {
        let unfixed: usize = scans
            .vulnerability_scans
            .iter()
            .flat_map(|s| &s.vulnerabilities)
            .filter(|v| v.severity.is_high_or_above())
            .count();
        result.reason = format!(
            "no fixable CRITICAL or HIGH vulnerability in {total} scanned target(s){}",
            if unfixed > 0 {
                format!(
                    "; {} without a fixed version yet",
                    count(unfixed, "CRITICAL/HIGH vulnerability")
                )
            } else {
                String::new()
            }
        );
    }
    result
}

fn judge(scan: &VulnerabilityScan) -> ResourceResult {
    let serious: Vec<&Vulnerability> = scan
        .vulnerabilities
        .iter()
        .filter(|v| v.severity.is_high_or_above())
        .collect();
    let fixable: Vec<&Vulnerability> = serious.iter().copied().filter(|v| v.is_fixable()).collect();
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
