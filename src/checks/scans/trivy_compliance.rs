//! `scan.trivy-compliance`: no failed control in a trivy-operator compliance
//! report (CIS Kubernetes Benchmark, NSA, Pod Security Standards). Like
//! `scan.kube-bench`, every failed control counts, whatever its severity;
//! controls for which the report holds no check result are not assessed
//! and never make the check pass.

use super::{CheckResult, CheckStatus, ResourceResult, named_list, tidy};
use crate::evidence::scans::{ComplianceControl, ComplianceOutcome, ScanEvidence};

/// The check's ID.
pub const ID: &str = "scan.trivy-compliance";

/// Runs the check.
pub fn check(scans: &ScanEvidence) -> CheckResult {
    let reports = &scans.compliance_reports;
    if reports.is_empty() {
        return CheckResult::not_evaluated(ID, "no trivy-operator compliance report was imported");
    }
    let controls: Vec<(&str, &ComplianceControl)> = reports
        .iter()
        .flat_map(|r| r.controls.iter().map(move |c| (r.title.as_str(), c)))
        .collect();
    let with = |o: ComplianceOutcome| controls.iter().filter(move |(_, c)| c.outcome == o);
    let failed: Vec<&(&str, &ComplianceControl)> = with(ComplianceOutcome::Failed).collect();
    let passed = with(ComplianceOutcome::Passed).count();
    let no_result = with(ComplianceOutcome::NoResult).count();
    let titles: Vec<&str> = reports.iter().map(|r| r.title.as_str()).collect();
    let no_result_text = if no_result > 0 {
        format!("; {no_result} control(s) without a check result are not assessed")
    } else {
        String::new()
    };
    if !failed.is_empty() {
        let named: Vec<String> = failed
            .iter()
            .map(|(_, c)| {
                format!(
                    "{} {} ({}, {} failing)",
                    c.id,
                    c.name,
                    c.severity.label(),
                    c.failures
                )
            })
            .collect();
        return CheckResult {
            check: ID.to_owned(),
            requirement: None,
            framework: None,
            status: CheckStatus::Fail,
            reason: format!(
                "{} of {} control(s) with check results fail in {}: {}{no_result_text}",
                failed.len(),
                failed.len() + passed,
                titles.join(", "),
                named_list(&named)
            ),
            evidence: tidy(failed.iter().map(|(_, c)| c.source.clone()).collect()),
            resources: failed.iter().map(|(title, c)| resource(title, c)).collect(),
        };
    }
    if passed == 0 {
        return CheckResult::not_evaluated(
            ID,
            format!(
                "{} holds no check result for any of its {} control(s)",
                titles.join(", "),
                controls.len()
            ),
        )
        .citing(reports.iter().map(|r| r.source.clone()));
    }
    CheckResult {
        check: ID.to_owned(),
        requirement: None,
        framework: None,
        status: CheckStatus::Pass,
        reason: format!(
            "{passed} control(s) with check results, all passing, in {}{no_result_text}",
            titles.join(", ")
        ),
        evidence: tidy(
            with(ComplianceOutcome::Passed)
                .map(|(_, c)| c.source.clone())
                .collect(),
        ),
        resources: Vec::new(),
    }
}

fn resource(title: &str, control: &ComplianceControl) -> ResourceResult {
    let targets = if control.failed_targets.is_empty() {
        String::new()
    } else {
        format!(": {}", named_list(&control.failed_targets))
    };
    ResourceResult::new(
        format!("{title} {} {}", control.id, control.name),
        CheckStatus::Fail,
        format!(
            "severity {}, {} failing check result(s){targets}",
            control.severity.label(),
            control.failures
        ),
        vec![control.source.clone()],
    )
}
