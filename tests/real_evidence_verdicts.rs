//! What the checks conclude from the real tool outputs in
//! `../shared/evidence-formats/`: each verdict below was worked out by hand
//! from the file's own fields (counting its FAIL items, reading its
//! settings) and is pinned here so that a change to an importer or a check
//! that alters a conclusion on real bytes is noticed. Reads `../shared`;
//! skips (saying so) when it is not beside the checkout.

mod common;

use std::path::Path;

use chrono::{DateTime, Utc};
use tickmark::checks::CheckStatus::{self, Fail, NotEvaluated, Pass};
use tickmark::checks::{CheckResult, Settings, evaluate};
use tickmark::evidence::{EvidenceSet, import_bytes};

/// File (relative to `evidence-formats/`), check, status, and a piece of the
/// check's reason ("" when only the status is pinned).
const EXPECTED: &[(&str, &str, CheckStatus, &str)] = &[
    // ARM GET of a private AKS cluster (Kubescape wrapper).
    (AKS_GET, "aks.private-cluster", Pass, ""),
    (AKS_GET, "aks.private-dns-zone", Pass, "privateDnsZones/"),
    (
        AKS_GET,
        "aks.no-public-fqdn",
        NotEvaluated,
        "enablePrivateClusterPublicFQDN is not in the evidence",
    ),
    // Entra ID with Azure RBAC, but local accounts stay enabled.
    (
        AKS_GET,
        "aks.entra-rbac",
        Fail,
        "local accounts are enabled, so a static admin kubeconfig bypasses Entra ID (disableLocalAccounts is false)",
    ),
    (AKS_GET, "aks.kubernetes-rbac", Pass, ""),
    (
        AKS_GET,
        "aks.local-accounts-disabled",
        Fail,
        "disableLocalAccounts is false",
    ),
    (AKS_GET, "aks.network-policy", Pass, "is azure"),
    (AKS_GET, "aks.egress-udr", Fail, "loadBalancer"),
    (AKS_GET, "aks.no-node-public-ip", Pass, ""),
    (AKS_GET, "aks.encryption-at-host", Fail, ""),
    (AKS_GET, "aks.disk-encryption", Fail, "default (Managed)"),
    (AKS_GET, "aks.managed-identity", Pass, "SystemAssigned"),
    (
        AKS_GET,
        "aks.defender",
        NotEvaluated,
        "securityProfile.defender.securityMonitoring.enabled",
    ),
    (
        AKS_GET,
        "aks.monitoring-addon",
        NotEvaluated,
        "addonProfiles is not in the evidence",
    ),
    (AKS_GET, "aks.auto-upgrade", Fail, "\"none\""),
    (
        AKS_GET,
        "aks.system-user-pool-separation",
        Fail,
        "no User pool",
    ),
    (
        AKS_GET,
        "aks.nodepool-dedicated-subnets",
        Fail,
        "no vnetSubnetID",
    ),
    // 2019 ARM list: most settings absent, so not evaluated, never passed.
    (
        AKS_2019,
        "aks.private-cluster",
        NotEvaluated,
        "enablePrivateCluster",
    ),
    (
        AKS_2019,
        "aks.network-policy",
        NotEvaluated,
        "networkPolicy",
    ),
    (AKS_2019, "aks.kubernetes-rbac", Pass, ""),
    (AKS_2019, "aks.managed-identity", Fail, "service principal"),
    (
        AKS_2019,
        "aks.azure-policy-addon",
        Fail,
        "no azurepolicy entry",
    ),
    // The PCI reference ARM template.
    // Entra ID, no local accounts, Kubernetes RBAC bound to Entra groups.
    (
        STAMP,
        "aks.entra-rbac",
        Pass,
        "authorisation with Kubernetes RBAC",
    ),
    // Absent from the template: Azure's defaults apply.
    (
        STAMP,
        "aks.encryption-at-host",
        Fail,
        "enableEncryptionAtHost is absent from the template: Azure's default (false) applies",
    ),
    (
        STAMP,
        "aks.auto-upgrade",
        Fail,
        "autoUpgradeProfile.upgradeChannel is absent from the template: Azure's default (none) applies",
    ),
    (STAMP, "aks.defender", Pass, "azureDefender"),
    (STAMP, "aks.disk-encryption", Pass, "ephemeral"),
    (
        STAMP,
        "aks.private-dns-zone",
        NotEvaluated,
        "unresolved template expression",
    ),
    (
        STAMP,
        "aks.nodepool-dedicated-subnets",
        NotEvaluated,
        "unresolved",
    ),
    // User pools told apart by the pci-scope node label, not taints: the
    // workloads (not in this file) decide.
    (
        STAMP,
        "aks.system-user-pool-separation",
        NotEvaluated,
        "npinscope01 (pci-scope=in-scope), npooscope01 (pci-scope=out-of-scope) have no taint",
    ),
    (STAMP, "logs.kube-audit", Pass, "kube-audit-admin"),
    // The vault's endpoint is its own resource, declared with an automatic
    // connection to resourceId('Microsoft.KeyVault/vaults', variables('keyVaultName')).
    (
        STAMP,
        "kv.private-endpoint",
        Pass,
        "private endpoint [concat('pe-', variables('keyVaultName'))] is declared in the template with an automatic connection",
    ),
    (STAMP, "logs.retention", Fail, "90"),
    // NSGs: counted by hand from the rules.
    (
        "az-network-nsg-list/grouper-13-nsgs-incl-aks.json",
        "nsg.no-ssh-rdp-from-internet",
        Fail,
        "3 of 13",
    ),
    (
        "az-network-nsg-list/grouper-13-nsgs-incl-aks.json",
        "nsg.inbound-internet-only-to-gateway",
        Fail,
        "9 of 13",
    ),
    (
        "az-network-nsg-list/grouper-13-nsgs-incl-aks.json",
        "nsg.rules-restrict-protocol",
        Fail,
        "10 of 13",
    ),
    (
        "az-network-nsg-list/rebloc-1-nsg-2018.json",
        "nsg.rules-restrict-protocol",
        Pass,
        "",
    ),
    (
        "arm-rest-lists/nsg-list.json",
        "nsg.no-ssh-rdp-from-internet",
        Fail,
        "1 of 2",
    ),
    (
        "arm-rest-lists/appgw-waf-list.json",
        "agw.tls12",
        Fail,
        "4 of 4",
    ),
    (
        "arm-rest-lists/appgw-waf-list.json",
        "agw.waf-enabled",
        Fail,
        "1 of 4",
    ),
    (
        "arm-templates/aks-baseline-hub-regionA-firewallpolicy.jsonc",
        "fw.no-allow-any",
        Fail,
        "network rule DNS allows UDP from * to *",
    ),
    (
        "arm-templates/aks-baseline-regulated-hub-region-v2.jsonc",
        "fw.app-rules-https",
        Fail,
        "Http:80",
    ),
    // Scanners: FAIL items counted in the files.
    (
        "kube-bench/defectdojo-cis16-master-etcd-node.json",
        "scan.kube-bench",
        Fail,
        "36 of 69 scored",
    ),
    (
        "kube-bench/hpe-microk8s-cis120-node.json",
        "scan.kube-bench",
        Fail,
        "12 of 12 scored",
    ),
    (
        "kube-bench/valancej-eks-1.0-node.json",
        "scan.kube-bench",
        Pass,
        "none of 14 scored",
    ),
    (
        "kubescape/defectdojo-sample-online-boutique-2022.json",
        "scan.kubescape",
        Fail,
        "9 of 70 evaluated",
    ),
    (
        "kubescape/kubescape-v4.0.2-nsa-framework.json",
        "scan.kubescape",
        Fail,
        "4 of 18 evaluated",
    ),
    (
        "kubescape/defectdojo-nginx-clusterscan-framework.json",
        "scan.kubescape",
        Pass,
        "18 evaluated",
    ),
    (
        "trivy/image-tws-ecommerce-alpine-node.json",
        "scan.no-fixable-critical",
        Fail,
        "5 fixable",
    ),
    (
        "trivy/image-ecr-alpine319-node.json",
        "scan.no-fixable-critical",
        Fail,
        "2 fixable",
    ),
    (
        "trivy/image-legacy-debian108.json",
        "scan.no-fixable-critical",
        Pass,
        "18 CRITICAL/HIGH vulnerability(s) without a fixed version",
    ),
    (
        "trivy/k8s-report-eks-v0.2x-format.json",
        "scan.trivy-k8s",
        Pass,
        "",
    ),
    (
        "trivy/k8s-report-minikube-resources-format.json",
        "scan.trivy-k8s",
        Fail,
        "Deployment/httpbin (listed under Role/caas-scanners-role)",
    ),
    (
        "trivy/config-azure-terraform-landingzone.json",
        "scan.iac",
        Fail,
        "7 error-level or HIGH+ finding(s) in 3 file(s)",
    ),
    (
        "trivy/config-k8s-manifests-kind-cilium.json",
        "scan.iac",
        Fail,
        "25 error-level or HIGH+ finding(s) in 7 file(s)",
    ),
    (
        "trivy-operator/clustercompliancereport-cis-all.json",
        "scan.trivy-compliance",
        Fail,
        "14 of 14",
    ),
    (
        "sarif/trivy-0.68.2-empty-results.sarif",
        "scan.iac",
        NotEvaluated,
        "",
    ),
    (
        "sarif/checkov-3.2.495-terraform-small.sarif",
        "scan.iac",
        Fail,
        "4 error-level",
    ),
    (
        "sarif/trivy-golden-alpine-310-image.sarif",
        "scan.no-fixable-critical",
        Pass,
        "",
    ),
    (
        "checkov/kubernetes-checkov-json-utf8-crlf.json",
        "scan.iac",
        Fail,
        "21 error-level",
    ),
    (
        "kics/defectdojo-kics-k8s-terraform.json",
        "scan.iac",
        Fail,
        "5 error-level or HIGH+ finding(s) in 2 file(s)",
    ),
    (
        "falco/elastic-falco-event-generator.jsonl",
        "runtime.falco",
        Pass,
        "3 alert(s)",
    ),
    // Pods: containers counted outside the excluded system namespaces.
    (ISTIO_PODS, "k8s.pod-non-root", Fail, "87 of 136"),
    (ISTIO_PODS, "k8s.no-privilege-escalation", Fail, "52 of 136"),
    (ISTIO_PODS, "k8s.drop-capabilities", Fail, "84 of 136"),
    (ISTIO_PODS, "k8s.no-privileged", Pass, "136"),
    (
        "kubectl/pods-all-namespaces-158.json",
        "k8s.no-privileged",
        Pass,
        "141",
    ),
];

const AKS_GET: &str = "aks-cluster/kubescape-clusterdescribe-aks-arm-get.json";
const AKS_2019: &str = "arm-rest-lists/aks-list-2019.json";
const STAMP: &str = "arm-templates/aks-baseline-regulated-cluster-stamp.jsonc";
const ISTIO_PODS: &str = "kubectl/pods-list-istio-securitycontext.json";

fn evaluate_file(dir: &Path, name: &str) -> Vec<CheckResult> {
    let path = dir.join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let now: DateTime<Utc> = DateTime::UNIX_EPOCH;
    let file = import_bytes(name, &bytes, now).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut set = EvidenceSet::default();
    set.add(file);
    evaluate(&set, &Settings::default())
}

#[test]
fn real_files_give_the_verdicts_their_fields_call_for() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("evidence-formats");
    let mut wrong = Vec::new();
    let mut last: Option<(&str, Vec<CheckResult>)> = None;
    for &(name, check, status, reason) in EXPECTED {
        if last.as_ref().is_none_or(|(n, _)| *n != name) {
            last = Some((name, evaluate_file(&dir, name)));
        }
        let results = &last.as_ref().expect("just set").1;
        let found: Vec<&CheckResult> = results
            .iter()
            .filter(|r| r.check == check && r.requirement.is_none())
            .collect();
        match found.as_slice() {
            [result] if result.status == status && result.reason.contains(reason) => {}
            [result] => wrong.push(format!(
                "{name} {check}: {:?} {:?}, expected {status:?} with {reason:?}",
                result.status, result.reason
            )),
            other => wrong.push(format!("{name} {check}: {} results", other.len())),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
