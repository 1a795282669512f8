//! `scan.kubescape`: no failed Kubescape control of high or critical severity.
//! A failed control whose report states neither a severity nor a score
//! factor cannot be ranked; without a high failure elsewhere the check is
//! then not evaluated rather than passed.

use super::{CheckResult, CheckStatus, ResourceResult, named_list, tidy};
use crate::evidence::scans::{ControlStatus, KubescapeControl, ScanEvidence, Severity};

/// The check's ID.
pub const ID: &str = "scan.kubescape";

/// Runs the check.
pub fn check(scans: &ScanEvidence) -> CheckResult {
    let controls = &scans.kubescape;
    if controls.is_empty() {
        return CheckResult::not_evaluated(ID, "no Kubescape report was imported");
    }
    let evaluated: Vec<&KubescapeControl> = controls
        .iter()
        .filter(|c| matches!(c.status, ControlStatus::Passed | ControlStatus::Failed))
        .collect();
    if evaluated.is_empty() {
        return CheckResult::not_evaluated(
            ID,
            format!(
                "none of {} Kubescape control(s) passed or failed (all irrelevant or skipped)",
                controls.len()
            ),
        )
        .citing(controls.iter().map(|c| c.source.clone()));
    }
    let failed: Vec<&KubescapeControl> = evaluated
        .iter()
        .copied()
        .filter(|c| c.status == ControlStatus::Failed)
        .collect();
    let blocking: Vec<&KubescapeControl> = failed
        .iter()
        .copied()
        .filter(|c| c.severity.is_high_or_above())
        .collect();
    let unrated: Vec<&KubescapeControl> = failed
        .iter()
        .copied()
        .filter(|c| c.severity == Severity::Unknown)
        .collect();
    let lower = failed.len() - blocking.len() - unrated.len();
    let resources: Vec<ResourceResult> = failed.iter().map(|c| resource(c)).collect();
    if blocking.is_empty() && !unrated.is_empty() {
        let named: Vec<String> = unrated
            .iter()
            .map(|c| format!("{} {}", c.id, c.name))
            .collect();
        return CheckResult {
            check: ID.to_owned(),
            requirement: None,
            framework: None,
            status: CheckStatus::NotEvaluated,
            reason: format!(
                "{} failed control(s) state no severity or score factor, so whether they are high cannot be judged: {}",
                unrated.len(),
                named_list(&named)
            ),
            evidence: tidy(unrated.iter().map(|c| c.source.clone()).collect()),
            resources,
        };
    }
    if blocking.is_empty() {
        return CheckResult {
            check: ID.to_owned(),
            requirement: None,
            framework: None,
            status: CheckStatus::Pass,
            reason: format!(
                "no high or critical control failed among {} evaluated control(s){}",
                evaluated.len(),
                if lower > 0 {
                    format!("; {lower} of lower severity failed")
                } else {
                    String::new()
                }
            ),
            evidence: tidy(evaluated.iter().map(|c| c.source.clone()).collect()),
            resources,
        };
    }
    let named: Vec<String> = blocking.iter().map(|c| describe(c)).collect();
    let evidence = blocking
        .iter()
        .flat_map(|c| std::iter::once(c.source.clone()).chain(c.failed_resources.iter().cloned()))
        .collect();
    CheckResult {
        check: ID.to_owned(),
        requirement: None,
        framework: None,
        status: CheckStatus::Fail,
        reason: format!(
            "{} of {} evaluated control(s) failed with high or critical severity: {}",
            blocking.len(),
            evaluated.len(),
            named_list(&named)
        ),
        evidence: tidy(evidence),
        resources,
    }
}

fn describe(control: &KubescapeControl) -> String {
    format!(
        "{} {} ({}, {} failing resource(s))",
        control.id,
        control.name,
        control.severity.label(),
        control.failed_resources.len()
    )
}

/// A failed control: a failure if high or critical, otherwise shown as
/// passing this check with the reason why.
fn resource(control: &KubescapeControl) -> ResourceResult {
    let derived = if control.severity_from_score {
        " (severity from the score factor)"
    } else {
        ""
    };
    let (status, reason) = if control.severity == Severity::Unknown {
        (
            CheckStatus::NotEvaluated,
            "failed; the report states no severity or score factor for it".to_owned(),
        )
    } else if control.severity.is_high_or_above() {
        (
            CheckStatus::Fail,
            format!(
                "failed, severity {}{derived}, on {} resource(s)",
                control.severity.label(),
                control.failed_resources.len()
            ),
        )
    } else {
        (
            CheckStatus::Pass,
            format!(
                "failed, but severity {}{derived} is below this check's threshold (high)",
                control.severity.label()
            ),
        )
    };
    let mut evidence = vec![control.source.clone()];
    evidence.extend(control.failed_resources.iter().cloned());
    ResourceResult::new(
        format!("{} {}", control.id, control.name),
        status,
        reason,
        evidence,
    )
}
