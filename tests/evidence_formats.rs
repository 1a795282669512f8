//! Every real tool output in `../shared/evidence-formats/` (except the VCR
//! recordings, which are not something a user imports) is detected as the
//! format this table says. Reads `../shared`; skips (saying so) when it is
//! not beside the checkout.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use tickmark::evidence::{Format, import_bytes};

/// File (relative to `evidence-formats/`) → expected format ID.
const EXPECTED: &[(&str, &str)] = &[
    ("SOURCES.md", "attachment"),
    (
        "aks-cluster/kubescape-clusterdescribe-aks-arm-get.json",
        "azure-aks",
    ),
    ("arm-rest-lists/acr-list.json", "azure-container-registry"),
    ("arm-rest-lists/aks-list-2019.json", "azure-aks"),
    ("arm-rest-lists/appgw-waf-list-2.json", "azure-waf-policy"),
    (
        "arm-rest-lists/appgw-waf-list.json",
        "azure-application-gateway",
    ),
    (
        "arm-rest-lists/defender-assessments-list.json",
        "defender-assessments",
    ),
    ("arm-rest-lists/keyvault-list.json", "azure-key-vault"),
    ("arm-rest-lists/nsg-list.json", "azure-nsg"),
    ("arm-rest-lists/route-tables-list.json", "azure-route-table"),
    (
        "arm-templates/aks-baseline-hub-regionA-firewallpolicy.jsonc",
        "arm-template",
    ),
    (
        "arm-templates/aks-baseline-regulated-cluster-stamp.jsonc",
        "arm-template",
    ),
    (
        "arm-templates/aks-baseline-regulated-hub-region-v2.jsonc",
        "arm-template",
    ),
    (
        "arm-templates/aks-baseline-regulated-spoke-BU0001A0005-01.jsonc",
        "arm-template",
    ),
    (
        "az-network-nsg-list/grouper-13-nsgs-incl-aks.json",
        "azure-nsg",
    ),
    ("az-network-nsg-list/rebloc-1-nsg-2018.json", "azure-nsg"),
    (
        "checkov/kubernetes-checkov-json-utf16le-bom.json",
        "checkov",
    ),
    ("checkov/kubernetes-checkov-json-utf8-crlf.json", "checkov"),
    (
        "defender-for-cloud/recommendations-export-2021.csv",
        "defender-recommendations-csv",
    ),
    ("falco/elastic-falco-event-generator.jsonl", "falco"),
    ("kics/defectdojo-kics-k8s-terraform.json", "kics"),
    (
        "kube-bench/defectdojo-cis16-master-etcd-node.json",
        "kube-bench",
    ),
    ("kube-bench/hpe-microk8s-cis120-node.json", "kube-bench"),
    ("kube-bench/valancej-eks-1.0-node.json", "kube-bench"),
    (
        "kubectl/namespaces-rancher-cluster.json",
        "kubectl-namespaces",
    ),
    ("kubectl/pods-all-namespaces-158.json", "kubectl-pods"),
    (
        "kubectl/pods-list-istio-securitycontext.json",
        "kubectl-pods",
    ),
    (
        "kubescape/defectdojo-nginx-clusterscan-framework.json",
        "kubescape",
    ),
    (
        "kubescape/defectdojo-sample-online-boutique-2022.json",
        "kubescape",
    ),
    ("kubescape/kubescape-v4.0.2-nsa-framework.json", "kubescape"),
    ("prowler/azure-prowler5-findings.csv", "prowler-csv"),
    (
        "prowler/azure-prowler540-findings.ocsf.json",
        "prowler-ocsf",
    ),
    ("prowler/kubernetes-prowler5-findings.csv", "prowler-csv"),
    (
        "prowler/kubernetes-prowler5-findings.ocsf.json",
        "prowler-ocsf",
    ),
    ("sarif/checkov-3.2.495-terraform-small.sarif", "sarif"),
    ("sarif/checkov-3.3.8-terraform-aws.sarif", "sarif"),
    ("sarif/trivy-0.68.2-empty-results.sarif", "sarif"),
    ("sarif/trivy-golden-alpine-310-image.sarif", "sarif"),
    (
        "trivy-operator/clustercompliancereport-cis-all.json",
        "trivy-operator-compliance",
    ),
    (
        "trivy/config-azure-terraform-landingzone.json",
        "trivy-config",
    ),
    (
        "trivy/config-k8s-manifests-kind-cilium.json",
        "trivy-config",
    ),
    ("trivy/image-ecr-alpine319-node.json", "trivy-image"),
    ("trivy/image-legacy-debian108.json", "trivy-image-legacy"),
    ("trivy/image-tws-ecommerce-alpine-node.json", "trivy-image"),
    ("trivy/k8s-report-eks-v0.2x-format.json", "trivy-k8s"),
    (
        "trivy/k8s-report-minikube-resources-format.json",
        "trivy-k8s",
    ),
    (
        "trivy/trivy-golden-alpine-310-image-current-schema.json",
        "trivy-image",
    ),
];

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn files_below(dir: &Path, base: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_below(&path, base, out);
        } else {
            let relative = path.strip_prefix(base).unwrap();
            out.insert(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_shared_sample_is_detected_as_its_format() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let base = shared.join("evidence-formats");
    let mut on_disk = BTreeSet::new();
    files_below(&base, &base, &mut on_disk);
    on_disk.retain(|f| !f.starts_with("arm-rest-recordings/"));
    let listed: BTreeSet<String> = EXPECTED.iter().map(|(f, _)| (*f).to_owned()).collect();
    let unlisted: Vec<&String> = on_disk.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "samples without an expected format: {unlisted:?}"
    );

    let mut failures = Vec::new();
    for (file, expected) in EXPECTED {
        let path = base.join(file);
        let Ok(bytes) = std::fs::read(&path) else {
            failures.push(format!("{file}: listed but missing"));
            continue;
        };
        let expected = Format::from_id(expected).expect("a known format ID");
        match import_bytes(file, &bytes, now()) {
            Ok(imported) if imported.provenance.format == expected => {}
            Ok(imported) => failures.push(format!(
                "{file}: detected {}, expected {expected}",
                imported.provenance.format
            )),
            Err(e) => failures.push(format!("{file}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn scanner_samples_carry_tool_and_findings() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let base = shared.join("evidence-formats");
    let read = |file: &str| {
        let bytes = std::fs::read(base.join(file)).unwrap();
        import_bytes(file, &bytes, now()).unwrap()
    };
    let trivy = read("trivy/config-k8s-manifests-kind-cilium.json");
    assert_eq!(trivy.provenance.tool.as_deref(), Some("Trivy"));
    assert_eq!(trivy.provenance.tool_version.as_deref(), Some("0.69.1"));
    let findings: usize = trivy
        .evidence
        .scans
        .misconfiguration_scans
        .iter()
        .map(|s| s.findings.len())
        .sum();
    assert_eq!(findings, 25);

    let legacy = read("trivy/image-legacy-debian108.json");
    let vulnerabilities = &legacy.evidence.scans.vulnerability_scans[0].vulnerabilities;
    assert_eq!(vulnerabilities.len(), 93);
    assert_eq!(vulnerabilities[3].source.pointer, "/0/Vulnerabilities/3");

    let checkov = read("checkov/kubernetes-checkov-json-utf16le-bom.json");
    assert_eq!(checkov.provenance.tool_version.as_deref(), Some("3.1.69"));
    assert_eq!(checkov.evidence.scans.misconfiguration_scans.len(), 2);

    let bench = read("kube-bench/hpe-microk8s-cis120-node.json");
    assert_eq!(bench.evidence.scans.kube_bench.len(), 49);

    let kubescape = read("kubescape/kubescape-v4.0.2-nsa-framework.json");
    assert_eq!(kubescape.provenance.tool_version.as_deref(), Some("v4.0.2"));

    let falco = read("falco/elastic-falco-event-generator.jsonl");
    assert_eq!(falco.evidence.scans.falco_alerts.len(), 3);
    assert_eq!(
        falco.evidence.scans.falco_alerts[2].source.pointer,
        "line 3"
    );

    let defender = read("defender-for-cloud/recommendations-export-2021.csv");
    let assessments = &defender.evidence.scans.defender_assessments;
    assert_eq!(assessments.len(), 4);
    assert_eq!(assessments[0].source.pointer, "row 2");
    assert!(
        defender
            .provenance
            .notes
            .iter()
            .any(|n| n.contains("not mapped") && n.contains("Network Watcher"))
    );

    let operator = read("trivy-operator/clustercompliancereport-cis-all.json");
    assert_eq!(operator.provenance.tool_version.as_deref(), Some("0.18.5"));
    assert_eq!(
        operator.evidence.scans.compliance_reports[0].controls.len(),
        116
    );

    let prowler = read("prowler/azure-prowler540-findings.ocsf.json");
    assert_eq!(prowler.provenance.tool_version.as_deref(), Some("5.4.0"));
    let prowler_csv = read("prowler/azure-prowler5-findings.csv");
    assert_eq!(prowler_csv.provenance.tool_version, None);
}
