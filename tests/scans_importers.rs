//! The scanner importers on our own fixtures: every format and shape is
//! detected from content, with tool and version where the file says, and
//! every finding keeps a pointer to where it is.

mod scans_support;

use scans_support::import;
use tickmark::evidence::Format;
use tickmark::evidence::scans::{
    AssessmentStatus, BenchStatus, ComplianceOutcome, ControlStatus, FalcoPriority,
    MisconfigurationKind, PciVersion, PolicyCompliance, ProwlerStatus, Rating, SarifLevel,
    Severity,
};

#[test]
fn trivy_image_current_shape() {
    let file = import("trivy-image-fixable-high.json");
    assert_eq!(file.provenance.format, Format::TrivyImage);
    assert_eq!(file.provenance.tool.as_deref(), Some("Trivy"));
    assert_eq!(file.provenance.tool_version.as_deref(), Some("0.58.1"));
    let scans = &file.evidence.scans.vulnerability_scans;
    assert_eq!(scans.len(), 2);
    assert_eq!(
        scans[0].artifact.as_deref(),
        Some("acraks3f2a.azurecr.io/payments/checkout:1.4.2")
    );
    let first = &scans[0].vulnerabilities[0];
    assert_eq!(first.id, "CVE-2026-10001");
    assert_eq!(first.severity, Severity::High);
    assert!(first.is_fixable());
    assert_eq!(first.source.pointer, "/Results/0/Vulnerabilities/0");
    assert!(!scans[0].vulnerabilities[1].is_fixable());
    assert_eq!(
        scans[1].vulnerabilities[0].source.pointer,
        "/Results/1/Vulnerabilities/0"
    );
}

#[test]
fn trivy_image_target_without_vulnerabilities_is_kept() {
    let file = import("trivy-image-no-fix-available.json");
    let scans = &file.evidence.scans.vulnerability_scans;
    assert_eq!(scans.len(), 2);
    assert_eq!(scans[1].target, "usr/local/bin/ledger");
    assert!(scans[1].vulnerabilities.is_empty());
}

#[test]
fn trivy_image_legacy_shape() {
    let file = import("trivy-image-legacy.json");
    assert_eq!(file.provenance.format, Format::TrivyImageLegacy);
    let scans = &file.evidence.scans.vulnerability_scans;
    assert_eq!(
        scans.len(),
        2,
        "a null Vulnerabilities list is a clean target"
    );
    assert_eq!(
        scans[0].vulnerabilities[0].source.pointer,
        "/0/Vulnerabilities/0"
    );
    assert_eq!(scans[0].vulnerabilities[0].severity, Severity::Critical);
}

#[test]
fn trivy_k8s_both_shapes() {
    let grouped = import("trivy-k8s-grouped.json");
    assert_eq!(grouped.provenance.format, Format::TrivyK8s);
    let scans = &grouped.evidence.scans.vulnerability_scans;
    assert_eq!(scans.len(), 2);
    assert_eq!(
        scans[0].workload.as_deref(),
        Some("a0005-i/Deployment/web-frontend")
    );
    assert_eq!(
        scans[0].vulnerabilities[0].source.pointer,
        "/Vulnerabilities/0/Results/0/Vulnerabilities/0"
    );
    let misconfig = &grouped.evidence.scans.misconfiguration_scans;
    assert_eq!(misconfig.len(), 1);
    assert_eq!(misconfig[0].kind, MisconfigurationKind::LiveCluster);
    assert_eq!(
        misconfig[0].findings[0].target,
        "a0005-i/Deployment/web-frontend"
    );

    let resources = import("trivy-k8s-resources.json");
    assert_eq!(resources.provenance.format, Format::TrivyK8s);
    let scans = &resources.evidence.scans.vulnerability_scans;
    assert_eq!(scans.len(), 1);
    assert_eq!(
        scans[0].workload.as_deref(),
        Some("a0005-i/StatefulSet/card-vault")
    );
    let misconfig = &resources.evidence.scans.misconfiguration_scans[0];
    assert_eq!(misconfig.findings[0].rule_id, "AVD-KSV-0110");
    assert_eq!(
        misconfig.findings[0].source.pointer,
        "/Resources/0/Results/1/Misconfigurations/0"
    );
}

#[test]
fn trivy_k8s_names_the_object_a_result_is_about() {
    // An entry whose result targets another object (seen in a real report:
    // container findings under a Role entry) is named after the target.
    let file = import("trivy-k8s-resources-misfiled.json");
    let scan = &file.evidence.scans.misconfiguration_scans[0];
    assert_eq!(scan.kind, MisconfigurationKind::LiveCluster);
    assert_eq!(scan.scanned, Some(2));
    assert_eq!(scan.findings.len(), 2, "the PASS is not a finding");
    assert_eq!(
        scan.findings[0].target,
        "a0005-o/Deployment/settlement-batch (listed under Role/batch-reader)"
    );
    assert_eq!(
        scan.findings[0].source.pointer,
        "/Resources/1/Results/0/Misconfigurations/0"
    );
}

#[test]
fn trivy_config_reads_failures_only() {
    let file = import("trivy-config-high.json");
    assert_eq!(file.provenance.format, Format::TrivyConfig);
    let scan = &file.evidence.scans.misconfiguration_scans[0];
    assert_eq!(scan.kind, MisconfigurationKind::Iac);
    assert_eq!(scan.scanned, Some(2));
    assert_eq!(scan.findings.len(), 1);
    let finding = &scan.findings[0];
    assert_eq!(finding.rule_id, "AVD-AZU-0047");
    assert_eq!(finding.rating, Rating::Severity(Severity::Critical));
    assert_eq!(
        finding.location.as_deref(),
        Some("azurerm_network_security_rule.allow_ssh (line 41)")
    );
    let low = import("trivy-config-low-only.json");
    assert_eq!(
        low.evidence.scans.misconfiguration_scans[0].findings.len(),
        1
    );
}

#[test]
fn trivy_operator_detail_and_summary_reports() {
    let detail = import("trivy-operator-cis-detail.json");
    assert_eq!(detail.provenance.format, Format::TrivyOperatorCompliance);
    assert_eq!(detail.provenance.tool.as_deref(), Some("trivy-operator"));
    assert_eq!(detail.provenance.tool_version.as_deref(), Some("0.24.1"));
    let report = &detail.evidence.scans.compliance_reports[0];
    assert_eq!(report.spec_id, "cis");
    let outcomes: Vec<ComplianceOutcome> = report.controls.iter().map(|c| c.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            ComplianceOutcome::NoResult,
            ComplianceOutcome::Failed,
            ComplianceOutcome::Passed
        ]
    );
    assert_eq!(
        report.controls[1].failed_targets,
        vec!["a0005-o/daemonset-log-shipper"]
    );
    assert_eq!(
        report.controls[1].source.pointer,
        "/status/detailReport/results/1"
    );

    let list = import("trivy-operator-nsa-summary-list.json");
    assert_eq!(list.provenance.format, Format::TrivyOperatorCompliance);
    let report = &list.evidence.scans.compliance_reports[0];
    assert_eq!(report.controls[1].outcome, ComplianceOutcome::Failed);
    assert_eq!(report.controls[1].failures, 3);
    assert_eq!(
        report.controls[0].source.pointer,
        "/items/0/status/summaryReport/controlCheck/0"
    );
}

#[test]
fn kube_bench_with_and_without_controls_wrapper() {
    let wrapped = import("kube-bench-controls-fail.json");
    assert_eq!(wrapped.provenance.format, Format::KubeBench);
    let results = &wrapped.evidence.scans.kube_bench;
    assert_eq!(results.len(), 3);
    assert_eq!(results[2].number, "3.2.1");
    assert_eq!(results[2].status, BenchStatus::Fail);
    assert!(results[2].scored);
    assert_eq!(results[2].benchmark.as_deref(), Some("aks-1.0"));
    assert_eq!(results[2].source.pointer, "/Controls/0/tests/1/results/0");
    assert!(wrapped.provenance.notes[0].contains("aks-1.0"));

    let bare = import("kube-bench-array-pass.json");
    assert_eq!(bare.provenance.format, Format::KubeBench);
    assert_eq!(
        bare.evidence.scans.kube_bench[2].source.pointer,
        "/0/tests/0/results/2"
    );
    assert!(!bare.evidence.scans.kube_bench[2].scored);
}

#[test]
fn kubescape_current_and_2022_shapes() {
    let current = import("kubescape-v3-high-failed.json");
    assert_eq!(current.provenance.format, Format::Kubescape);
    assert_eq!(current.provenance.tool_version.as_deref(), Some("v3.0.20"));
    let controls = &current.evidence.scans.kubescape;
    let privileged = controls.iter().find(|c| c.id == "C-0057").unwrap();
    assert_eq!(privileged.status, ControlStatus::Failed);
    assert_eq!(privileged.severity, Severity::High);
    assert!(!privileged.severity_from_score);
    assert_eq!(privileged.failed_resources.len(), 1);
    assert_eq!(
        privileged.failed_resources[0].pointer,
        "/results/0/controls/0"
    );
    let irrelevant = controls.iter().find(|c| c.id == "C-0262").unwrap();
    assert_eq!(irrelevant.status, ControlStatus::Irrelevant);

    let old = import("kubescape-2022-medium-only.json");
    let controls = &old.evidence.scans.kubescape;
    let cpu = controls.iter().find(|c| c.id == "C-0050").unwrap();
    assert_eq!(cpu.severity, Severity::Medium);
    assert!(cpu.severity_from_score);
    assert_eq!(cpu.failed_resources.len(), 1, "read from the rules' status");
    assert!(
        old.provenance
            .notes
            .iter()
            .any(|n| n.contains("score factor"))
    );
}

#[test]
fn azure_policy_cli_and_rest_shapes() {
    let cli = import("policy-states-cli.json");
    assert_eq!(cli.provenance.format, Format::AzurePolicyStates);
    let states = &cli.evidence.scans.policy_states;
    assert_eq!(states.len(), 5);
    assert_eq!(states[0].compliance, PolicyCompliance::NonCompliant);
    assert_eq!(
        states[0].pci_requirements(),
        vec![
            (PciVersion::V3_2_1, "1.3.2".to_owned()),
            (PciVersion::V3_2_1, "1.3.4".to_owned())
        ]
    );
    assert_eq!(states[0].source.pointer, "/0");
    assert!(states[4].pci_requirements().is_empty());
    assert!(
        cli.provenance
            .notes
            .iter()
            .any(|n| n.contains("1 state(s) name no"))
    );

    let rest = import("policy-states-rest.json");
    assert_eq!(rest.provenance.format, Format::AzurePolicyStates);
    assert_eq!(rest.evidence.scans.policy_states.len(), 2);
    assert_eq!(
        rest.evidence.scans.policy_states[1].source.pointer,
        "/value/1"
    );
}

#[test]
fn defender_assessments_rest_cli_and_csv() {
    let rest = import("defender-assessments-rest.json");
    assert_eq!(rest.provenance.format, Format::DefenderAssessments);
    let assessments = &rest.evidence.scans.defender_assessments;
    assert_eq!(assessments.len(), 6);
    assert_eq!(
        assessments[0].key.as_deref(),
        Some("08e628db-e2ed-4793-bc91-d13e684401c3")
    );
    assert_eq!(assessments[0].status, AssessmentStatus::Unhealthy);
    assert_eq!(assessments[0].severity, Some(Severity::High));
    assert_eq!(assessments[0].source.pointer, "/value/0");
    assert!(
        rest.provenance
            .notes
            .iter()
            .any(|n| n.contains("not mapped") && n.contains("Storage account public access"))
    );

    let cli = import("defender-assessments-cli.json");
    assert_eq!(cli.provenance.format, Format::DefenderAssessments);
    let assessment = &cli.evidence.scans.defender_assessments[0];
    assert_eq!(assessment.severity, None, "listed without metadata");
    assert!(
        assessment
            .resource_id
            .as_deref()
            .unwrap()
            .ends_with("aks-bu0001a0005-01")
    );

    let csv = import("defender-recommendations.csv");
    assert_eq!(csv.provenance.format, Format::DefenderRecommendationsCsv);
    let rows = &csv.evidence.scans.defender_assessments;
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0].key.as_deref(),
        Some("13e7d036-6903-821c-6018-962938929bf0")
    );
    assert_eq!(rows[0].name, "Container registries should use private link");
    assert_eq!(rows[0].severity, Some(Severity::Medium));
    assert_eq!(rows[0].source.pointer, "row 2");
    assert_eq!(
        rows[2].source.pointer, "row 4",
        "rows count records, not lines"
    );
    assert!(
        csv.provenance
            .notes
            .iter()
            .any(|n| n.contains("Azure Defender for Resource Manager"))
    );
}

#[test]
fn sarif_levels_defaults_and_suppressions() {
    let kics = import("sarif-kics-error.sarif");
    assert_eq!(kics.provenance.format, Format::Sarif);
    assert_eq!(kics.provenance.tool.as_deref(), Some("KICS"));
    assert_eq!(kics.provenance.tool_version.as_deref(), Some("2.1.3"));
    let findings = &kics.evidence.scans.misconfiguration_scans[0].findings;
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0].rating, Rating::Level(SarifLevel::Error));
    assert_eq!(findings[0].target, "infra/network/hub.tf");
    assert_eq!(findings[0].location.as_deref(), Some("line 44"));
    assert_eq!(findings[0].source.pointer, "/runs/0/results/0");
    assert_eq!(findings[1].rating, Rating::Level(SarifLevel::Note));

    let tfsec = import("sarif-tfsec-warnings.sarif");
    let findings = &tfsec.evidence.scans.misconfiguration_scans[0].findings;
    assert_eq!(findings.len(), 2, "the suppressed result is not counted");
    assert_eq!(
        findings[1].rating,
        Rating::Level(SarifLevel::Warning),
        "no level and no rule default: SARIF's default"
    );
    assert!(tfsec.provenance.notes[0].contains("1 suppressed"));
}

#[test]
fn checkov_single_object_and_array() {
    let single = import("checkov-kubernetes-unrated.json");
    assert_eq!(single.provenance.format, Format::Checkov);
    assert_eq!(single.provenance.tool_version.as_deref(), Some("3.2.256"));
    let scan = &single.evidence.scans.misconfiguration_scans[0];
    assert_eq!(scan.findings.len(), 1, "passed checks are not findings");
    assert_eq!(scan.findings[0].rating, Rating::Unrated);
    assert_eq!(scan.findings[0].source.pointer, "/results/failed_checks/0");
    assert!(
        single
            .provenance
            .notes
            .iter()
            .any(|n| n.contains("no severity"))
    );

    let array = import("checkov-multi-framework-low.json");
    let scans = &array.evidence.scans.misconfiguration_scans;
    assert_eq!(scans.len(), 2);
    assert_eq!(scans[0].findings[0].rating, Rating::Severity(Severity::Low));
    assert_eq!(scans[1].scanned, Some(2));
}

#[test]
fn kics_queries_and_files() {
    let file = import("kics-high.json");
    assert_eq!(file.provenance.format, Format::Kics);
    assert_eq!(file.provenance.tool_version.as_deref(), Some("v2.1.3"));
    let scan = &file.evidence.scans.misconfiguration_scans[0];
    assert_eq!(scan.scanned, Some(6));
    assert_eq!(scan.findings[1].rating, Rating::Severity(Severity::High));
    assert_eq!(scan.findings[1].source.pointer, "/queries/1/files/0");
}

#[test]
fn falco_json_lines() {
    let file = import("falco-critical.jsonl");
    assert_eq!(file.provenance.format, Format::Falco);
    let alerts = &file.evidence.scans.falco_alerts;
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0].priority, FalcoPriority::Critical);
    assert_eq!(alerts[0].source.pointer, "line 1");
    assert_eq!(
        alerts[0].workload.as_deref(),
        Some("a0005-i/web-frontend-7d9c8b6f5-x2k4q/web-frontend")
    );
    let crlf = import("falco-error-warning.jsonl");
    assert_eq!(crlf.evidence.scans.falco_alerts[1].source.pointer, "line 2");
}

#[test]
fn prowler_csv_and_ocsf() {
    let csv = import("prowler-azure-pci321.csv");
    assert_eq!(csv.provenance.format, Format::ProwlerCsv);
    assert_eq!(csv.provenance.tool_version.as_deref(), Some("5.12.3"));
    let findings = &csv.evidence.scans.prowler_findings;
    assert_eq!(findings.len(), 4);
    assert_eq!(findings[0].status, ProwlerStatus::Fail);
    assert_eq!(
        findings[0].pci_requirements(),
        vec![
            (PciVersion::V3_2_1, "1.3.1".to_owned()),
            (PciVersion::V3_2_1, "1.3.7".to_owned())
        ]
    );
    assert!(findings[2].muted);
    assert_eq!(findings[3].source.pointer, "row 5");
    assert!(csv.provenance.notes.iter().any(|n| n.contains("aks")));

    let ocsf = import("prowler-azure-pci321.ocsf.json");
    assert_eq!(ocsf.provenance.format, Format::ProwlerOcsf);
    let findings = &ocsf.evidence.scans.prowler_findings;
    assert_eq!(
        findings[0].pci_requirements(),
        vec![
            (PciVersion::V3_2_1, "1.3.1".to_owned()),
            (PciVersion::V3_2_1, "1.3.7".to_owned())
        ]
    );
    assert!(findings[2].muted, "status Suppressed");
    assert_eq!(findings[1].source.pointer, "/1");
}

#[test]
fn policy_states_typed_as_arm_resources() {
    let text = r#"[{
        "id": "/subscriptions/s/providers/Microsoft.PolicyInsights/policyStates/latest/x",
        "type": "Microsoft.PolicyInsights/policyStates",
        "properties": {
            "complianceState": "NonCompliant",
            "resourceId": "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv",
            "policyDefinitionName": "55615ac9-af46-4a59-874e-391cc3dfb490",
            "policyDefinitionGroupNames": ["PCI_DSS_V3.2.1_1.3.6"]
        }
    }]"#;
    let file =
        tickmark::evidence::import_bytes("graph.json", text.as_bytes(), scans_support::now())
            .unwrap();
    assert_eq!(file.provenance.format, Format::AzurePolicyStates);
    let state = &file.evidence.scans.policy_states[0];
    assert_eq!(
        state.pci_requirements(),
        vec![(PciVersion::V3_2_1, "1.3.6".to_owned())]
    );
    assert_eq!(state.source.pointer, "/0/properties");
    assert!(
        file.provenance
            .notes
            .iter()
            .any(|n| n.contains("1 NonCompliant"))
    );
}
