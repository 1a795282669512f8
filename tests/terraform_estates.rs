//! `terraform show -json` of a state and of a saved plan: the same estate as
//! az exports, as a Terraform state and as a plan that creates it, gives the
//! same verdicts, compliant and with gaps. Pointers go into the Terraform
//! JSON; values a plan knows only after apply, and sensitive ones, are not
//! judged.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use tickmark::checks::{CHECKS, CheckResult, CheckScope, CheckStatus, Settings, evaluate};
use tickmark::evidence::{self, EvidenceSet, Format, ImportErrorKind, import_bytes};

fn now() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

fn fixture(path: &str) -> std::path::PathBuf {
    common::project_dir()
        .join("tests/fixtures/terraform")
        .join(path)
}

/// Evaluates every file below `path`.
fn evaluate_path(path: &Path) -> (EvidenceSet, Vec<CheckResult>) {
    let walked = evidence::walk(&[path.to_owned()]);
    assert!(walked.errors.is_empty(), "{:?}", walked.errors);
    let mut set = EvidenceSet::default();
    for file in walked.files {
        let (_, imported) = evidence::import_file(&file, now());
        set.add(imported.unwrap_or_else(|e| panic!("{e}")));
    }
    let results = evaluate(&set, &Settings::default());
    (set, results)
}

fn statuses(results: &[CheckResult]) -> BTreeMap<String, (CheckStatus, String)> {
    results
        .iter()
        .filter(|r| r.requirement.is_none())
        .map(|r| (r.check.clone(), (r.status, r.reason.clone())))
        .collect()
}

/// Checks whose evidence Terraform does not hold: the azurerm provider
/// records no private endpoint connection of a vault.
const NOT_IN_TERRAFORM: &[&str] = &["kv.private-endpoint"];

/// Checks that need the PCI scope (pci-scope labels or a scope file): these
/// estates state none, so they are not evaluated, and say why.
const NEEDS_SCOPE: &[&str] = &["nsg.cde-subnet-isolation"];

#[test]
fn state_and_plan_give_the_verdicts_of_the_equivalent_az_exports() {
    for estate in ["compliant", "gaps"] {
        let (_, az) = evaluate_path(&fixture(&format!("{estate}/az")));
        let az = statuses(&az);
        for file in ["terraform-state.json", "terraform-plan.json"] {
            let (set, results) = evaluate_path(&fixture(&format!("{estate}/{file}")));
            let expected_format = if file.contains("plan") {
                Format::TerraformPlan
            } else {
                Format::TerraformState
            };
            assert_eq!(set.files[0].format, expected_format);
            let tf = statuses(&results);
            let mut wrong = Vec::new();
            for def in CHECKS.iter().filter(|d| d.scope == CheckScope::Static) {
                let (a, t) = (&az[def.id], &tf[def.id]);
                if NOT_IN_TERRAFORM.contains(&def.id) {
                    if t.0 != CheckStatus::NotEvaluated
                        || !t.1.contains("not recorded by Terraform's azurerm provider")
                    {
                        wrong.push(format!("{estate} {file} {}: {t:?}", def.id));
                    }
                    continue;
                }
                if a.0 != t.0 {
                    wrong.push(format!(
                        "{estate} {file} {}: az {:?} ({}), Terraform {:?} ({})",
                        def.id, a.0, a.1, t.0, t.1
                    ));
                }
            }
            assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        }
    }
}

#[test]
fn the_compliant_estate_passes_and_the_other_fails_where_it_falls_short() {
    let (_, compliant) = evaluate_path(&fixture("compliant/terraform-state.json"));
    let compliant = statuses(&compliant);
    let azure = |id: &str| {
        !id.starts_with("k8s.") && !id.starts_with("scan.") && !id.starts_with("runtime.")
    };
    for (id, (status, reason)) in compliant.iter().filter(|(id, _)| azure(id)) {
        if NEEDS_SCOPE.contains(&id.as_str()) {
            assert_eq!(*status, CheckStatus::NotEvaluated, "{id}: {reason}");
            assert!(reason.contains("scope"), "{id}: {reason}");
        } else if !NOT_IN_TERRAFORM.contains(&id.as_str()) {
            assert_eq!(*status, CheckStatus::Pass, "{id}: {reason}");
        }
    }
    let (_, gaps) = evaluate_path(&fixture("gaps/terraform-plan.json"));
    let gaps = statuses(&gaps);
    for id in [
        "aks.private-cluster",
        "aks.local-accounts-disabled",
        "aks.encryption-at-host",
        "aks.auto-upgrade",
        "aks.system-user-pool-separation",
        "nsg.no-ssh-rdp-from-internet",
        "route.default-via-firewall",
        "fw.threat-intel-deny",
        "fw.app-rules-https",
        "agw.tls12",
        "agw.waf-prevention",
        "kv.purge-protection",
        "acr.admin-disabled",
        "logs.retention",
        "logs.kube-audit",
        "defender.containers-plan",
        "vnet.ddos-protection",
    ] {
        assert_eq!(gaps[id].0, CheckStatus::Fail, "{id}: {}", gaps[id].1);
    }
}

#[test]
fn evidence_points_into_the_terraform_json() {
    let (_, state) = evaluate_path(&fixture("gaps/terraform-state.json"));
    let encryption = state
        .iter()
        .find(|r| r.check == "aks.encryption-at-host")
        .unwrap();
    let pointers: Vec<&str> = encryption
        .evidence
        .iter()
        .map(|e| e.pointer.as_str())
        .collect();
    assert!(
        pointers
            .iter()
            .any(|p| p.starts_with("/values/root_module/resources/")
                && p.ends_with("/values/default_node_pool/0/host_encryption_enabled")),
        "{pointers:?}"
    );
    assert!(
        encryption
            .evidence
            .iter()
            .any(|e| e.resource.as_deref() == Some("azurerm_kubernetes_cluster.aks")),
        "{:?}",
        encryption.evidence
    );
    let (_, plan) = evaluate_path(&fixture("gaps/terraform-plan.json"));
    let ssh = plan
        .iter()
        .find(|r| r.check == "nsg.no-ssh-rdp-from-internet")
        .unwrap();
    assert!(
        ssh.evidence
            .iter()
            .any(|e| e.pointer.starts_with("/resource_changes/")
                && e.pointer.contains("/change/after/security_rule/0")),
        "{:?}",
        ssh.evidence
    );
    // The rules of the in-scope NSG are resources of their own, put into it.
    assert!(
        ssh.resources
            .iter()
            .any(|r| r.resource.ends_with("nsg-inscope") && r.status == CheckStatus::Fail),
        "{:?}",
        ssh.resources
    );
}

#[test]
fn a_plan_resolves_references_it_does_not_know_yet_through_its_configuration() {
    let bytes = std::fs::read(fixture("compliant/terraform-plan.json")).unwrap();
    let file = import_bytes("plan.json", &bytes, now()).unwrap();
    let azure = &file.evidence.azure;
    let cluster = &azure.clusters[0];
    let pools = cluster.agent_pools.value().unwrap();
    assert_eq!(pools.len(), 2, "the separate node pool joins its cluster");
    assert_eq!(
        pools[1].subnet_id.value().map(String::as_str),
        Some(
            "/subscriptions/(known after apply)/resourceGroups/rg-payments-net/providers/Microsoft.Network/virtualNetworks/vnet-payments/subnets/snet-inscope"
        )
    );
    assert!(
        file.provenance
            .notes
            .iter()
            .any(|n| n == "1 resource(s) the plan deletes, not judged"),
        "{:?}",
        file.provenance.notes
    );
    assert_eq!(azure.nsgs.len(), 3, "the NSG the plan deletes is left out");
}

/// A plan with a workspace whose retention is known only after apply and a
/// registry whose admin setting Terraform marks sensitive.
const WITHHELD_PLAN: &str = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.8",
  "resource_changes": [
    {"address": "azurerm_log_analytics_workspace.la", "mode": "managed", "type": "azurerm_log_analytics_workspace", "name": "la",
     "change": {"actions": ["create"], "before": null,
       "after": {"name": "la-1", "resource_group_name": "rg"},
       "after_unknown": {"id": true, "retention_in_days": true},
       "after_sensitive": {}}},
    {"address": "azurerm_container_registry.acr", "mode": "managed", "type": "azurerm_container_registry", "name": "acr",
     "change": {"actions": ["update"], "before": {},
       "after": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1", "name": "acr1", "sku": "Premium", "admin_enabled": true, "public_network_access_enabled": false},
       "after_unknown": {},
       "after_sensitive": {"admin_enabled": true}}}
  ]
}"#;

#[test]
fn unknown_and_sensitive_values_are_not_judged() {
    let file = import_bytes("withheld-plan.json", WITHHELD_PLAN.as_bytes(), now()).unwrap();
    assert_eq!(file.provenance.format, Format::TerraformPlan);
    assert_eq!(file.provenance.tool_version.as_deref(), Some("1.9.8"));
    let mut set = EvidenceSet::default();
    set.add(file);
    let results = statuses(&evaluate(&set, &Settings::default()));
    let (status, reason) = &results["logs.retention"];
    assert_eq!(*status, CheckStatus::NotEvaluated);
    assert!(
        reason.contains("retentionInDays is known only after apply"),
        "{reason}"
    );
    let (status, reason) = &results["acr.admin-disabled"];
    assert_eq!(*status, CheckStatus::NotEvaluated);
    assert!(reason.contains("marked sensitive"), "{reason}");
    // Public access off decides the other registry check on its own.
    assert_eq!(results["acr.private"].0, CheckStatus::Pass);
}

#[test]
fn another_format_version_is_refused_with_the_version_named() {
    let text =
        r#"{"format_version": "2.0", "terraform_version": "2.0.0", "values": {"root_module": {}}}"#;
    let err = import_bytes("future.json", text.as_bytes(), now()).unwrap_err();
    assert_eq!(err.kind, ImportErrorKind::Invalid);
    assert!(
        err.message.contains("format_version 2.0"),
        "{}",
        err.message
    );
    assert_eq!(err.location.as_deref(), Some("/format_version"));
}
