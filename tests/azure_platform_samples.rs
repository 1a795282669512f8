//! The real exports in `../shared/evidence-formats` (see its SOURCES.md):
//! they must import, with the right format and field values, and give the
//! check results their content calls for. Skipped, saying so, when the
//! shared directory is not beside the checkout.

mod azure_platform_support;
mod common;

use azure_platform_support::{import_path, result, status};
use tickmark::checks::CheckStatus::{Fail, NotEvaluated, Pass};
use tickmark::checks::{CheckResult, Settings, evaluate};
use tickmark::evidence::{EvidenceSet, Field, Format, ImportedFile};

fn sample(relative: &str) -> Option<ImportedFile> {
    let shared = common::shared_dir()?;
    let path = shared.join("evidence-formats").join(relative);
    Some(import_path(&path, relative))
}

fn evaluate_one(file: &ImportedFile) -> Vec<CheckResult> {
    let mut set = EvidenceSet::default();
    set.add(file.clone());
    evaluate(&set, &Settings::default())
}

#[test]
fn kubescape_cluster_describe_of_an_arm_get() {
    let Some(file) = sample("aks-cluster/kubescape-clusterdescribe-aks-arm-get.json") else {
        return;
    };
    assert_eq!(file.provenance.format, Format::AzureAks);
    let cluster = &file.evidence.azure.clusters[0];
    assert_eq!(cluster.info.name.as_deref(), Some("test-abtwh-aks"));
    assert_eq!(
        cluster.kubernetes_version.value().map(String::as_str),
        Some("1.24.9")
    );
    assert_eq!(
        cluster.private_cluster,
        Field::known(
            true,
            "/data/properties/apiServerAccessProfile/enablePrivateCluster"
        )
    );
    assert_eq!(cluster.private_cluster_public_fqdn, Field::Missing);
    assert_eq!(
        cluster.identity_type.value().map(String::as_str),
        Some("SystemAssigned")
    );
    let pools = cluster.agent_pools.value().unwrap();
    assert_eq!(pools.len(), 1);
    assert_eq!(pools[0].name, "default");
    assert_eq!(pools[0].subnet_id, Field::Missing);

    let results = evaluate_one(&file);
    assert_eq!(status(&results, "aks.private-cluster"), Pass);
    assert_eq!(status(&results, "aks.private-dns-zone"), Pass);
    // Entra ID and Azure RBAC, but local accounts stay enabled.
    assert_eq!(status(&results, "aks.entra-rbac"), Fail);
    assert!(
        result(&results, "aks.entra-rbac")
            .reason
            .contains("local accounts are enabled")
    );
    assert_eq!(status(&results, "aks.network-policy"), Pass);
    assert_eq!(status(&results, "aks.managed-identity"), Pass);
    assert_eq!(status(&results, "aks.local-accounts-disabled"), Fail);
    assert_eq!(status(&results, "aks.egress-udr"), Fail);
    assert_eq!(status(&results, "aks.encryption-at-host"), Fail);
    assert_eq!(status(&results, "aks.auto-upgrade"), Fail);
    assert_eq!(status(&results, "aks.system-user-pool-separation"), Fail);
    let fqdn = result(&results, "aks.no-public-fqdn");
    assert_eq!(fqdn.status, NotEvaluated);
    assert!(
        fqdn.reason
            .contains("enablePrivateClusterPublicFQDN is not in the evidence")
    );
    let defender = result(&results, "aks.defender");
    assert_eq!(defender.status, NotEvaluated, "securityProfile is empty");
}

#[test]
fn arm_rest_list_of_a_2019_cluster_has_most_fields_absent() {
    let Some(file) = sample("arm-rest-lists/aks-list-2019.json") else {
        return;
    };
    assert_eq!(file.provenance.format, Format::AzureAks);
    assert_eq!(file.provenance.tool.as_deref(), Some("ARM REST API"));
    let cluster = &file.evidence.azure.clusters[0];
    assert_eq!(
        cluster.network_plugin.value().map(String::as_str),
        Some("kubenet")
    );
    assert_eq!(cluster.private_cluster, Field::Missing);
    assert_eq!(cluster.aad_managed, Field::Missing);
    assert_eq!(cluster.network_policy, Field::Missing);
    assert_eq!(cluster.disable_local_accounts, Field::Missing);
    assert_eq!(
        cluster.enable_rbac,
        Field::known(true, "/value/0/properties/enableRBAC")
    );

    let results = evaluate_one(&file);
    let private = result(&results, "aks.private-cluster");
    assert_eq!(private.status, NotEvaluated);
    assert!(
        private
            .reason
            .contains("apiServerAccessProfile.enablePrivateCluster is not in the evidence")
    );
    assert_eq!(status(&results, "aks.network-policy"), NotEvaluated);
    assert_eq!(status(&results, "aks.kubernetes-rbac"), Pass);
    assert_eq!(status(&results, "aks.managed-identity"), Fail);
    assert_eq!(status(&results, "aks.azure-policy-addon"), Fail);
    assert_eq!(status(&results, "aks.nodepool-dedicated-subnets"), Fail);
}

#[test]
fn regulated_cluster_stamp_template() {
    let Some(file) = sample("arm-templates/aks-baseline-regulated-cluster-stamp.jsonc") else {
        return;
    };
    assert_eq!(file.provenance.format, Format::ArmTemplate);
    let azure = &file.evidence.azure;
    assert_eq!(azure.clusters.len(), 1);
    assert_eq!(azure.key_vaults.len(), 1);
    assert_eq!(azure.registries.len(), 1);
    assert_eq!(azure.workspaces.len(), 1);
    let cluster = &azure.clusters[0];
    assert!(cluster.info.in_template);
    let pools = cluster.agent_pools.value().unwrap();
    let names: Vec<&str> = pools.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["npsystem", "npinscope01", "npooscope01"]);
    assert!(matches!(pools[0].subnet_id, Field::Unresolved { .. }));
    assert_eq!(
        cluster.outbound_type.value().map(String::as_str),
        Some("userDefinedRouting")
    );
    assert_eq!(azure.workspaces[0].retention_days.value(), Some(&90));
    // The cluster's diagnostic setting is a nested `/providers/diagnosticSettings`.
    let cluster_setting = azure
        .diagnostic_settings
        .iter()
        .find(|s| s.target_type.as_deref() == Some("microsoft.containerservice/managedclusters"))
        .unwrap();
    assert_eq!(
        cluster_setting.target_pointer.as_deref(),
        Some(cluster.info.source.pointer.as_str())
    );

    let results = evaluate_one(&file);
    for (id, expected) in [
        ("aks.private-cluster", Pass),
        ("aks.no-public-fqdn", Pass),
        ("aks.no-node-public-ip", Pass),
        ("aks.network-policy", Pass),
        ("aks.egress-udr", Pass),
        ("aks.local-accounts-disabled", Pass),
        ("aks.azure-policy-addon", Pass),
        ("aks.monitoring-addon", Pass),
        ("aks.defender", Pass),
        ("aks.disk-encryption", Pass),
        ("aks.managed-identity", Pass),
        ("aks.secrets-store-csi", Pass),
        // Entra ID with Kubernetes RBAC bound to Entra groups.
        ("aks.entra-rbac", Pass),
        // User pools told apart by the pci-scope label: the workloads decide.
        ("aks.system-user-pool-separation", NotEvaluated),
        // Absent from the template: Azure's defaults (none, off) apply.
        ("aks.auto-upgrade", Fail),
        ("aks.encryption-at-host", Fail),
        ("acr.admin-disabled", Pass),
        ("acr.private", Pass),
        ("kv.network-deny-default", Fail),
        ("kv.purge-protection", Fail),
        ("kv.private-endpoint", Pass),
        ("logs.retention", Fail),
        ("logs.kube-audit", Pass),
    ] {
        let r = result(&results, id);
        assert_eq!(r.status, expected, "{id}: {}", r.reason);
    }
    let zone = result(&results, "aks.private-dns-zone");
    assert_eq!(zone.status, NotEvaluated);
    assert!(
        zone.reason
            .contains("privateDNSZone is the unresolved template expression [resourceId(")
    );
    let subnets = result(&results, "aks.nodepool-dedicated-subnets");
    assert_eq!(subnets.status, NotEvaluated);
    assert!(
        subnets
            .reason
            .contains("[variables('vnetSystemNodePoolSubnetResourceId')]")
    );
    assert!(
        result(&results, "logs.retention")
            .reason
            .contains("retentionInDays is 90")
    );
}

#[test]
fn spoke_network_template_with_a_multi_line_string() {
    let Some(file) = sample("arm-templates/aks-baseline-regulated-spoke-BU0001A0005-01.jsonc")
    else {
        return;
    };
    assert_eq!(file.provenance.format, Format::ArmTemplate);
    let vnets = &file.evidence.azure.vnets;
    assert_eq!(vnets.len(), 1);
    let subnets = &vnets[0].subnets;
    assert_eq!(subnets.len(), 9);
    assert_eq!(
        subnets[0].name.value().map(String::as_str),
        Some("snet-cluster-systemnodepool")
    );
    // The network's name resolves from literal variables, but its ID depends
    // on where the template is deployed: the subnet's ID stays the
    // resourceId() ARM would evaluate.
    assert!(
        matches!(&subnets[0].id, Field::Unresolved { expression, .. } if expression == "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-spoke-BU0001A0005-01', 'snet-cluster-systemnodepool')]"),
        "{:?}",
        subnets[0].id
    );
    assert!(matches!(subnets[0].nsg_id, Field::Unresolved { .. }));
    assert!(matches!(subnets[3].route_table_id, Field::Missing));
    assert_eq!(vnets[0].ddos_protection, Field::Missing);
}

#[test]
fn hub_templates_name_their_workspace_retention() {
    for (path, days, expected) in [
        (
            "arm-templates/aks-baseline-regulated-hub-region-v2.jsonc",
            90,
            "archive or export",
        ),
        (
            "arm-templates/aks-baseline-hub-regionA-firewallpolicy.jsonc",
            30,
            "below the 90-day minimum",
        ),
    ] {
        let Some(file) = sample(path) else {
            return;
        };
        assert_eq!(file.provenance.format, Format::ArmTemplate);
        assert_eq!(
            file.evidence.azure.workspaces[0].retention_days.value(),
            Some(&days)
        );
        let results = evaluate_one(&file);
        let retention = result(&results, "logs.retention");
        assert_eq!(retention.status, Fail);
        assert!(
            retention.reason.contains(expected),
            "{path}: {}",
            retention.reason
        );
        assert_eq!(status(&results, "logs.kube-audit"), NotEvaluated);
    }
}

#[test]
fn arm_rest_lists_of_a_registry_and_a_vault() {
    let Some(registry) = sample("arm-rest-lists/acr-list.json") else {
        return;
    };
    assert_eq!(registry.provenance.format, Format::AzureContainerRegistry);
    let acr = &registry.evidence.azure.registries[0];
    assert_eq!(acr.sku.value().map(String::as_str), Some("Basic"));
    assert_eq!(acr.public_network_access, Field::Missing);
    let results = evaluate_one(&registry);
    assert_eq!(status(&results, "acr.admin-disabled"), Pass);
    let private = result(&results, "acr.private");
    assert_eq!(private.status, Fail);
    assert!(private.reason.contains("sku is Basic"));

    let Some(vault) = sample("arm-rest-lists/keyvault-list.json") else {
        return;
    };
    assert_eq!(vault.provenance.format, Format::AzureKeyVault);
    let kv = &vault.evidence.azure.key_vaults[0];
    assert_eq!(
        kv.network_default_action.value().map(String::as_str),
        Some("Deny")
    );
    assert_eq!(kv.soft_delete, Field::Missing);
    let results = evaluate_one(&vault);
    assert_eq!(status(&results, "kv.network-deny-default"), Pass);
    assert_eq!(status(&results, "kv.purge-protection"), Fail);
    assert_eq!(status(&results, "kv.private-endpoint"), Fail);
}
