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
        return CheckResult::not_evaluated(
            ID,
            format!(
                "{} kube-bench result(s) imported, but none is scored",
                results.len()
            ),
        )
        .citing(results.iter().map(|r| r.source.clone()));
    }
    let failed: Vec<&KubeBenchResult> = scored
        .iter()
        .copied()
        .filter(|r| r.status == BenchStatus::Fail)
        .collect();
    let passed = scored
        .iter()
        .filter(|r| r.status == BenchStatus::Pass)
        .count();
    if failed.is_empty() && passed == 0 {
        // WARN and INFO ask a person to look: nothing was verified, and a
        // check never passes for lack of evidence.
        return CheckResult::not_evaluated(
            ID,
            format!(
                "none of {} scored result(s) FAIL, but none PASSes either: kube-bench verified nothing automatically (WARN and INFO items need a manual review)",
                scored.len()
            ),
        )
            .citing(scored.iter().map(|r| r.source.clone()));
    }
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
            framework: None,
            status: CheckStatus::Pass,
            reason: format!(
                "none of {} scored result(s) FAIL ({passed} PASS{warn_text})",
                scored.len(),
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
        framework: None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::EvidenceRef;

    fn bench(number: &str, status: BenchStatus) -> KubeBenchResult {
        KubeBenchResult {
            number: number.into(),
            description: format!("item {number}"),
            status,
            scored: true,
            benchmark: None,
            node_type: None,
            audit_error: None,
            source: EvidenceRef {
                path: "kb.json".into(),
                pointer: format!("/{number}"),
                resource: None,
            },
        }
    }

    #[test]
    fn only_warnings_verify_nothing() {
        let mut scans = ScanEvidence {
            kube_bench: vec![bench("1", BenchStatus::Warn), bench("2", BenchStatus::Info)],
            ..ScanEvidence::default()
        };
        let result = check(&scans);
        assert_eq!(
            result.status,
            CheckStatus::NotEvaluated,
            "{}",
            result.reason
        );
        assert!(result.reason.contains("none PASSes"), "{}", result.reason);
        assert_eq!(result.evidence.len(), 2);
        scans.kube_bench.push(bench("3", BenchStatus::Pass));
        let result = check(&scans);
        assert_eq!(result.status, CheckStatus::Pass);
        assert_eq!(
            result.reason,
            "none of 3 scored result(s) FAIL (1 PASS, 1 WARN)"
        );
    }
}
