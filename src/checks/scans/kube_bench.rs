//! `scan.kube-bench`: no FAIL among scored kube-bench results.

use super::{CheckResult, CheckStatus, ResourceResult, named_list, tidy};
use crate::evidence::scans::{BenchStatus, KubeBenchResult, ScanEvidence};

/// The check's ID.
pub const ID: &str = "scan.kube-bench";

/// Runs the check.
pub fn check(scans: &ScanEvidence) -> CheckResult {
    let results = &scans.kube_bench;
    if results.is_empty() {
        return CheckResult::not_evaluated(ID, "no kube-bench results were imported");
    }
    let scored: Vec<&KubeBenchResult> = results.iter().filter(|r| r.scored).collect();
    if scored.is_empty() {
        let mut result = CheckResult::not_evaluated(
            ID,
            format!(
                "{} kube-bench result(s) imported, but none is scored",
                results.len()
            ),
        );
        result.evidence = tidy(results.iter().map(|r| r.source.clone()).collect());
        return result;
    }
    let failed: Vec<&KubeBenchResult> = scored
        .iter()
        .copied()
        .filter(|r| r.status == BenchStatus::Fail)
        .collect();
    if failed.is_empty() {
        let warned = scored
            .iter()
            .filter(|r| r.status == BenchStatus::Warn)
            .count();
        let warn_text = if warned > 0 {
            format!(", {warned} WARN")
        } else {
            String::new()
        };
        return CheckResult {
            check: ID.to_owned(),
            requirement: None,
            status: CheckStatus::Pass,
            reason: format!(
                "none of {} scored result(s) FAIL ({} PASS{warn_text})",
                scored.len(),
                scored
                    .iter()
                    .filter(|r| r.status == BenchStatus::Pass)
                    .count()
            ),
            evidence: tidy(scored.iter().map(|r| r.source.clone()).collect()),
            resources: Vec::new(),
        };
    }
    let named: Vec<String> = failed
        .iter()
        .map(|r| format!("{} {}", r.number, r.description))
        .collect();
    CheckResult {
        check: ID.to_owned(),
        requirement: None,
        status: CheckStatus::Fail,
        reason: format!(
            "{} of {} scored result(s) FAIL: {}",
            failed.len(),
            scored.len(),
            named_list(&named)
        ),
        evidence: tidy(failed.iter().map(|r| r.source.clone()).collect()),
        resources: failed.iter().map(|r| resource(r)).collect(),
    }
}

fn resource(result: &KubeBenchResult) -> ResourceResult {
    let node = result
        .node_type
        .as_deref()
        .map(|n| format!("{n} "))
        .unwrap_or_default();
    let audit = result
        .audit_error
        .as_deref()
        .map(|e| format!(" (the audit itself reported: {})", e.trim()))
        .unwrap_or_default();
    ResourceResult::new(
        format!("{node}{}", result.number),
        CheckStatus::Fail,
        format!("{}{audit}", result.description),
        vec![result.source.clone()],
    )
}
