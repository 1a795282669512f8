//! Each scanner check on a passing and a failing fixture, with the reasons
//! and evidence pointers a reviewer sees.

mod scans_support;

use scans_support::{by_requirement, evaluate_fixtures, static_result};
use tickmark::checks::CheckStatus::{Fail, NotEvaluated, Pass};

const STATIC_CHECKS: &[&str] = &[
    "scan.no-fixable-critical",
    "scan.kube-bench",
    "scan.kubescape",
    "scan.trivy-compliance",
    "scan.trivy-k8s",
    "scan.iac",
    "runtime.falco",
];

const PER_REQUIREMENT_CHECKS: &[&str] = &["scan.azure-policy", "scan.defender", "scan.prowler"];

#[test]
fn without_evidence_static_checks_are_not_evaluated_and_others_silent() {
    let results = evaluate_fixtures(&[]);
    for check in STATIC_CHECKS {
        let result = static_result(&results, check);
        assert_eq!(result.status, NotEvaluated, "{check}");
        assert!(!result.reason.is_empty());
    }
    for check in PER_REQUIREMENT_CHECKS {
        assert!(by_requirement(&results, check).is_empty(), "{check}");
    }
    for check in STATIC_CHECKS.iter().chain(PER_REQUIREMENT_CHECKS) {
        assert!(
            tickmark::checks::check_def(check).is_some(),
            "{check} is registered"
        );
    }
}

#[test]
fn no_fixable_critical_fails_on_a_fixable_high() {
    let results = evaluate_fixtures(&["trivy-image-fixable-high.json"]);
    let result = static_result(&results, "scan.no-fixable-critical");
    assert_eq!(result.status, Fail);
    assert!(
        result.reason.starts_with("2 fixable CRITICAL/HIGH"),
        "{}",
        result.reason
    );
    assert!(result.reason.contains("CVE-2026-10001"));
    assert!(result.reason.contains("GHSA-xxxx-2026-0003"));
    let pointers: Vec<&str> = result.evidence.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        vec![
            "/Results/0/Vulnerabilities/0",
            "/Results/1/Vulnerabilities/0"
        ]
    );
    assert_eq!(result.resources.len(), 2);
    assert!(result.resources.iter().all(|r| r.status == Fail));

    let legacy = evaluate_fixtures(&["trivy-image-legacy.json"]);
    assert_eq!(
        static_result(&legacy, "scan.no-fixable-critical").status,
        Fail
    );
    let k8s = evaluate_fixtures(&["trivy-k8s-grouped.json"]);
    let result = static_result(&k8s, "scan.no-fixable-critical");
    assert_eq!(result.status, Fail);
    assert!(result.reason.contains("a0005-i/Deployment/web-frontend"));
}

#[test]
fn no_fixable_critical_passes_when_high_findings_have_no_fix() {
    let results = evaluate_fixtures(&[
        "trivy-image-no-fix-available.json",
        "trivy-k8s-resources.json",
    ]);
    let result = static_result(&results, "scan.no-fixable-critical");
    assert_eq!(result.status, Pass, "{}", result.reason);
    assert!(
        result.reason.contains("3 scanned target(s)"),
        "{}",
        result.reason
    );
    assert!(
        result
            .reason
            .contains("2 CRITICAL/HIGH vulnerability(s) without a fixed version")
    );
    assert_eq!(result.resources.len(), 3);
}

#[test]
fn kube_bench_fails_on_a_scored_fail_and_ignores_unscored() {
    let results = evaluate_fixtures(&["kube-bench-controls-fail.json"]);
    let result = static_result(&results, "scan.kube-bench");
    assert_eq!(result.status, Fail);
    assert_eq!(
        result.reason,
        "1 of 2 scored result(s) FAIL: 3.2.1 Ensure that the --anonymous-auth argument is set to false (Automated)"
    );
    assert_eq!(result.evidence[0].pointer, "/Controls/0/tests/1/results/0");
    assert_eq!(result.resources[0].resource, "node 3.2.1");

    let results = evaluate_fixtures(&["kube-bench-array-pass.json"]);
    let result = static_result(&results, "scan.kube-bench");
    assert_eq!(result.status, Pass);
    assert_eq!(result.reason, "none of 2 scored result(s) FAIL (2 PASS)");
}

#[test]
fn kubescape_fails_only_on_high_or_critical_controls() {
    let results = evaluate_fixtures(&["kubescape-v3-high-failed.json"]);
    let result = static_result(&results, "scan.kubescape");
    assert_eq!(result.status, Fail);
    assert!(
        result.reason.starts_with(
            "1 of 3 evaluated control(s) failed with high or critical severity: C-0057 Privileged container (HIGH"
        ),
        "{}",
        result.reason
    );
    assert!(
        result
            .evidence
            .iter()
            .any(|e| e.pointer == "/results/0/controls/0")
    );
    let low = result
        .resources
        .iter()
        .find(|r| r.resource.starts_with("C-0017"))
        .unwrap();
    assert_eq!(low.status, Pass);

    let results = evaluate_fixtures(&["kubescape-2022-medium-only.json"]);
    let result = static_result(&results, "scan.kubescape");
    assert_eq!(result.status, Pass);
    assert!(
        result.reason.contains("1 of lower severity failed"),
        "{}",
        result.reason
    );
}

#[test]
fn trivy_compliance_fails_on_a_failed_control_and_never_passes_on_defaults() {
    let results = evaluate_fixtures(&["trivy-operator-cis-detail.json"]);
    let result = static_result(&results, "scan.trivy-compliance");
    assert_eq!(result.status, Fail);
    assert!(
        result
            .reason
            .contains("5.2.2 Minimize the admission of privileged containers")
    );
    assert!(
        result
            .reason
            .contains("1 control(s) without a check result are not assessed")
    );
    assert_eq!(result.evidence[0].pointer, "/status/detailReport/results/1");

    let results = evaluate_fixtures(&["trivy-operator-cis-detail-pass.json"]);
    let result = static_result(&results, "scan.trivy-compliance");
    assert_eq!(result.status, Pass);
    assert!(
        result
            .reason
            .starts_with("2 control(s) with check results, all passing")
    );

    let results = evaluate_fixtures(&["trivy-operator-nsa-summary-list.json"]);
    assert_eq!(
        static_result(&results, "scan.trivy-compliance").status,
        Fail
    );
}

#[test]
fn iac_fails_on_error_level_high_or_unrated_checkov() {
    for fixture in [
        "trivy-config-high.json",
        "sarif-kics-error.sarif",
        "checkov-kubernetes-unrated.json",
        "kics-high.json",
    ] {
        let results = evaluate_fixtures(&[fixture]);
        let result = static_result(&results, "scan.iac");
        assert_eq!(result.status, Fail, "{fixture}: {}", result.reason);
        assert!(!result.evidence.is_empty());
    }
    let results = evaluate_fixtures(&["sarif-kics-error.sarif"]);
    let result = static_result(&results, "scan.iac");
    assert_eq!(
        result.reason,
        "1 error-level or HIGH+ finding(s) in 1 file(s): infra/network/hub.tf (KICS): 3e4a2c1f-8b7d-4c6e-9f0a-1b2c3d4e5f60"
    );
    assert_eq!(result.evidence[0].pointer, "/runs/0/results/0");
}

#[test]
fn iac_passes_on_lower_findings_and_clean_scans() {
    let results = evaluate_fixtures(&[
        "trivy-config-low-only.json",
        "sarif-tfsec-warnings.sarif",
        "checkov-multi-framework-low.json",
        "kics-info-only.json",
    ]);
    let result = static_result(&results, "scan.iac");
    assert_eq!(result.status, Pass, "{}", result.reason);
    assert_eq!(result.resources.len(), 5);
}

#[test]
fn iac_does_not_pass_on_an_empty_trivy_sarif_run() {
    // Trivy writes image and configuration scans to SARIF alike; a run with
    // no rules and no results does not show that any configuration was
    // scanned, so it must not pass scan.iac (Checkov's empty run does).
    let results = evaluate_fixtures(&["sarif-trivy-empty-run.sarif"]);
    let result = static_result(&results, "scan.iac");
    assert_eq!(result.status, NotEvaluated, "{}", result.reason);
    assert_eq!(
        static_result(&results, "scan.no-fixable-critical").status,
        NotEvaluated
    );
    let file = scans_support::import("sarif-trivy-empty-run.sarif");
    assert!(
        file.provenance.notes[0].contains("not counted as a scan"),
        "{:?}",
        file.provenance.notes
    );

    let results = evaluate_fixtures(&["sarif-checkov-empty-run.sarif"]);
    let result = static_result(&results, "scan.iac");
    assert_eq!(result.status, Pass, "{}", result.reason);
}

#[test]
fn trivy_k8s_fails_on_a_high_misconfiguration_of_the_running_cluster() {
    let results = evaluate_fixtures(&["trivy-k8s-grouped.json"]);
    let result = static_result(&results, "scan.trivy-k8s");
    assert_eq!(result.status, Fail, "{}", result.reason);
    assert_eq!(
        result.reason,
        "1 error-level or HIGH+ finding(s) in 1 cluster object(s): a0005-i/Deployment/web-frontend (Trivy): KSV014"
    );
    assert_eq!(
        result.evidence[0].pointer,
        "/Misconfigurations/0/Results/0/Misconfigurations/0"
    );

    let results = evaluate_fixtures(&["trivy-k8s-resources.json"]);
    let result = static_result(&results, "scan.trivy-k8s");
    assert_eq!(result.status, Pass, "{}", result.reason);
    assert_eq!(result.resources.len(), 1);
    assert!(
        result.resources[0]
            .reason
            .contains("none error-level or HIGH")
    );

    let results = evaluate_fixtures(&["trivy-k8s-resources-misfiled.json"]);
    let result = static_result(&results, "scan.trivy-k8s");
    assert_eq!(result.status, Fail, "{}", result.reason);
    assert!(
        result
            .reason
            .contains("a0005-o/Deployment/settlement-batch (listed under Role/batch-reader)"),
        "{}",
        result.reason
    );

    // Image scans alone say nothing about the cluster's objects.
    let results = evaluate_fixtures(&["trivy-image-fixable-high.json"]);
    assert_eq!(
        static_result(&results, "scan.trivy-k8s").status,
        NotEvaluated
    );
}

#[test]
fn iac_does_not_pass_files_the_scanner_could_not_parse() {
    // Checkov checked one ARM resource cleanly but could not parse another
    // ARM file, nor the plan: those files were never checked.
    let results = evaluate_fixtures(&["checkov-arm-parsing-error.json"]);
    let result = static_result(&results, "scan.iac");
    assert_eq!(result.status, NotEvaluated, "{}", result.reason);
    let reasons: Vec<&str> = result.resources.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "Checkov 3.2.410 could not parse 1 file(s), so they were not checked; it reported no failed check over 1 other resource(s)",
            "Checkov 3.2.410 could not parse 1 file(s), so they were not checked, and scanned no resources",
        ]
    );
    assert_eq!(result.resources[0].evidence[0].pointer, "/0");

    // A failure elsewhere still fails the check.
    let results = evaluate_fixtures(&["checkov-arm-parsing-error.json", "kics-high.json"]);
    assert_eq!(static_result(&results, "scan.iac").status, Fail);
}

#[test]
fn iac_ignores_live_cluster_misconfigurations() {
    let results = evaluate_fixtures(&["trivy-k8s-grouped.json"]);
    assert_eq!(static_result(&results, "scan.iac").status, NotEvaluated);
}

#[test]
fn falco_fails_on_critical_and_warns_on_error() {
    let results = evaluate_fixtures(&["falco-critical.jsonl"]);
    let result = static_result(&results, "runtime.falco");
    assert_eq!(result.status, Fail);
    assert!(result.reason.starts_with(
        "1 of 2 alert(s) are of priority Critical or higher: Terminal shell in container (Critical, 1 alert(s) on a0005-i/web-frontend-7d9c8b6f5-x2k4q/web-frontend)"
    ), "{}", result.reason);
    assert_eq!(result.evidence[0].pointer, "line 1");

    let results = evaluate_fixtures(&["falco-error-warning.jsonl"]);
    let result = static_result(&results, "runtime.falco");
    assert_eq!(result.status, Pass);
    assert!(
        result.reason.contains(
            "warning: 1 alert(s) of priority Error: Launch Package Management Process in Container"
        ),
        "{}",
        result.reason
    );
}

#[test]
fn azure_policy_gives_one_result_per_named_requirement() {
    let results = evaluate_fixtures(&["policy-states-cli.json"]);
    let by_id = by_requirement(&results, "scan.azure-policy");
    let ids: Vec<&str> = by_id.keys().map(String::as_str).collect();
    assert_eq!(ids, vec!["1.3.2", "1.3.4", "2.2", "3.6.4"]);
    let fail = by_id["1.3.2"];
    assert_eq!(fail.status, Fail);
    assert!(
        fail.reason
            .starts_with("1 of 2 policy state(s) NonCompliant:"),
        "{}",
        fail.reason
    );
    assert!(fail.reason.contains("nsg-snet-cluster-inscopenodepools"));
    assert_eq!(fail.requirement.as_deref(), Some("1.3.2"));
    assert_eq!(by_id["1.3.4"].status, Fail);
    assert_eq!(by_id["2.2"].status, Pass);
    assert_eq!(by_id["3.6.4"].status, NotEvaluated);
    assert!(by_id["3.6.4"].reason.contains("Exempt"));

    let results = evaluate_fixtures(&["policy-states-rest.json"]);
    let by_id = by_requirement(&results, "scan.azure-policy");
    assert!(by_id.values().all(|r| r.status == Pass));
    assert_eq!(by_id["1.3.2"].evidence[0].pointer, "/value/0");
}

#[test]
fn defender_maps_recommendations_and_fails_on_unhealthy_high() {
    let results = evaluate_fixtures(&["defender-assessments-rest.json"]);
    let by_id = by_requirement(&results, "scan.defender");
    assert_eq!(by_id["2.2"].status, Fail);
    assert!(
        by_id["2.2"]
            .reason
            .contains("Azure Kubernetes Service clusters should have the Azure Policy add-on"),
        "{}",
        by_id["2.2"].reason
    );
    assert_eq!(by_id["4.1"].status, Pass);
    assert_eq!(
        by_id["1.3.6"].status, Pass,
        "Unhealthy, but medium severity"
    );
    assert!(
        by_id["1.3.6"]
            .reason
            .contains("1 Unhealthy of lower severity")
    );
    assert_eq!(by_id["1.2.1"].status, NotEvaluated, "only NotApplicable");

    let results = evaluate_fixtures(&["defender-assessments-cli.json"]);
    let by_id = by_requirement(&results, "scan.defender");
    assert_eq!(by_id["1.3.1"].status, Fail, "severity from the table");
    assert!(
        by_id["1.3.1"].resources[0]
            .reason
            .contains("published severity")
    );

    let results = evaluate_fixtures(&["defender-recommendations.csv"]);
    let by_id = by_requirement(&results, "scan.defender");
    let ids: Vec<&str> = by_id.keys().map(String::as_str).collect();
    assert_eq!(ids, vec!["1.2.1", "1.3.6", "11.4", "5.1"]);
    assert!(by_id.values().all(|r| r.status == Pass));
    assert_eq!(by_id["5.1"].evidence[0].pointer, "row 3");
}

#[test]
fn prowler_judges_only_pci_321_mappings() {
    for fixture in ["prowler-azure-pci321.csv", "prowler-azure-pci321.ocsf.json"] {
        let results = evaluate_fixtures(&[fixture]);
        let by_id = by_requirement(&results, "scan.prowler");
        let ids: Vec<&str> = by_id.keys().map(String::as_str).collect();
        assert_eq!(ids, vec!["1.3.1", "1.3.4", "1.3.7", "7.1.2"], "{fixture}");
        assert_eq!(by_id["1.3.1"].status, Fail);
        assert!(
            by_id["1.3.1"]
                .reason
                .contains("aks_clusters_public_access_disabled")
        );
        assert_eq!(by_id["1.3.7"].status, Fail, "a FAIL outweighs a PASS");
        assert_eq!(by_id["1.3.4"].status, Pass);
        assert_eq!(by_id["7.1.2"].status, NotEvaluated, "muted only");
        assert!(
            !by_id.contains_key("1.4.1"),
            "PCI 4.0 IDs are not read as 3.2.1"
        );
    }
}

#[test]
fn kubescape_failure_without_any_severity_is_not_passed() {
    let text = r#"{"summaryDetails": {"controls": {"C-0001": {"controlID": "C-0001", "name": "Forbidden registries", "status": "failed"}}}, "results": []}"#;
    let mut set = tickmark::evidence::EvidenceSet::default();
    set.add(
        tickmark::evidence::import_bytes("ks.json", text.as_bytes(), scans_support::now()).unwrap(),
    );
    let results = tickmark::checks::evaluate(&set, &tickmark::checks::Settings::default());
    let result = static_result(&results, "scan.kubescape");
    assert_eq!(result.status, NotEvaluated, "{}", result.reason);
    assert!(result.reason.contains("C-0001"));
}
