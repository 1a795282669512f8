//! The platform checks around the cluster: Key Vault, Container Registry,
//! Log Analytics retention, Kubernetes audit logs, Defender plans and DDoS
//! protection, on az CLI and ARM REST exports.

mod azure_platform_support;

use azure_platform_support::*;
use tickmark::checks::CheckStatus::{Fail, NotEvaluated, Pass};
use tickmark::checks::{Settings, evaluate};
use tickmark::evidence::{EvidenceSet, Format};

#[test]
fn key_vault_show_with_approved_endpoint_passes() {
    let file = import("keyvault-show-compliant.json");
    assert_eq!(file.provenance.format, Format::AzureKeyVault);
    let results = evaluate_fixtures(&["keyvault-show-compliant.json"]);
    assert_all(
        &results,
        &[
            "kv.private-endpoint",
            "kv.network-deny-default",
            "kv.purge-protection",
        ],
        Pass,
    );
    let endpoint = result(&results, "kv.private-endpoint");
    assert_eq!(
        endpoint.evidence[0].pointer,
        "/properties/privateEndpointConnections/0/privateLinkServiceConnectionState/status"
    );
}

#[test]
fn key_vault_rest_list_with_pending_endpoint_and_open_firewall_fails() {
    let results = evaluate_fixtures(&["keyvault-rest-list-gaps.json"]);
    assert_all(
        &results,
        &[
            "kv.private-endpoint",
            "kv.network-deny-default",
            "kv.purge-protection",
        ],
        Fail,
    );
    let endpoint = result(&results, "kv.private-endpoint");
    assert!(endpoint.reason.contains("Pending"), "{}", endpoint.reason);
    let purge = result(&results, "kv.purge-protection");
    assert!(
        purge.reason.contains("enablePurgeProtection is not set"),
        "{}",
        purge.reason
    );
}

#[test]
fn registry_with_private_endpoint_and_deny_default_passes() {
    let file = import("acr-show-private-endpoint.json");
    assert_eq!(file.provenance.format, Format::AzureContainerRegistry);
    let results = evaluate_fixtures(&["acr-show-private-endpoint.json"]);
    assert_all(&results, &["acr.admin-disabled", "acr.private"], Pass);
    let private = result(&results, "acr.private");
    assert!(
        private.reason.contains("approved private endpoint"),
        "{}",
        private.reason
    );
}

#[test]
fn registry_list_judges_each_registry() {
    let results = evaluate_fixtures(&["acr-list-mixed.json"]);
    let admin = result(&results, "acr.admin-disabled");
    assert_eq!(admin.status, Fail);
    assert_eq!(resource(admin, "/crsharedtools").status, Fail);
    assert_eq!(resource(admin, "/crbuildcache").status, Pass);
    let private = result(&results, "acr.private");
    assert_eq!(private.status, Fail);
    assert_eq!(resource(private, "/crshopprod").status, Pass);
    let open = resource(private, "/crsharedtools");
    assert_eq!(open.status, Fail);
    assert!(
        open.reason.contains("publicNetworkAccess is Enabled"),
        "{}",
        open.reason
    );
    let standard = resource(private, "/crbuildcache");
    assert!(
        standard.reason.contains("sku is Standard"),
        "{}",
        standard.reason
    );
}

#[test]
fn retention_of_a_year_passes_and_shorter_fails_with_the_right_reason() {
    let file = import("workspace-show-365.json");
    assert_eq!(file.provenance.format, Format::AzureLogAnalyticsWorkspace);
    let results = evaluate_fixtures(&["workspace-show-365.json"]);
    assert_eq!(status(&results, "logs.retention"), Pass);

    let results = evaluate_fixtures(&["workspace-rest-list-short.json"]);
    let retention = result(&results, "logs.retention");
    assert_eq!(retention.status, Fail);
    let ninety = resource(retention, "/la-shared-tools");
    assert_eq!(ninety.status, Fail);
    assert!(
        ninety.reason.contains("archive or export"),
        "{}",
        ninety.reason
    );
    let thirty = resource(retention, "/la-sandbox");
    assert!(
        thirty.reason.contains("below the 90-day minimum"),
        "{}",
        thirty.reason
    );
    assert!(!thirty.reason.contains("archive"), "{}", thirty.reason);
}

#[test]
fn retention_thresholds_come_from_the_settings() {
    let mut set = EvidenceSet::default();
    set.add(import("workspace-rest-list-short.json"));
    let settings = Settings {
        log_retention_days: 90,
        log_retention_min_days: 30,
        ..Settings::default()
    };
    let results = evaluate(&set, &settings);
    let retention = result(&results, "logs.retention");
    assert_eq!(resource(retention, "/la-shared-tools").status, Pass);
    let thirty = resource(retention, "/la-sandbox");
    assert_eq!(thirty.status, Fail);
    assert!(thirty.reason.contains("under 90 days"), "{}", thirty.reason);
}

#[test]
fn kube_audit_admin_enabled_passes_for_its_cluster() {
    let file = import("diagnostic-settings-audit-admin.json");
    assert_eq!(file.provenance.format, Format::AzureDiagnosticSettings);
    let setting = &file.evidence.azure.diagnostic_settings[0];
    assert_eq!(
        setting.target_type.as_deref(),
        Some("microsoft.containerservice/managedclusters")
    );
    let results = evaluate_fixtures(&[
        "aks-show-compliant.json",
        "diagnostic-settings-audit-admin.json",
    ]);
    let audit = result(&results, "logs.kube-audit");
    assert_eq!(audit.status, Pass, "{}", audit.reason);
    assert!(
        audit.reason.contains("kube-audit-admin"),
        "{}",
        audit.reason
    );
    // The setting's target and the cluster's ID differ in case only.
    assert_eq!(audit.resources.len(), 1);
    assert!(
        audit.resources[0]
            .resource
            .ends_with("managedClusters/aks-bu0001a0005")
    );
    assert_eq!(audit.evidence[0].pointer, "/0/logs/2/enabled");
}

#[test]
fn kube_audit_disabled_fails_and_a_cluster_without_settings_is_not_judged() {
    let results = evaluate_fixtures(&["diagnostic-settings-no-audit.json"]);
    let audit = result(&results, "logs.kube-audit");
    assert_eq!(audit.status, Fail);
    assert!(
        audit.reason.contains("kube-apiserver, guard"),
        "{}",
        audit.reason
    );

    // A second cluster whose settings were not exported cannot pass.
    let results = evaluate_fixtures(&[
        "aks-show-compliant.json",
        "aks-list-gaps.json",
        "diagnostic-settings-audit-admin.json",
    ]);
    let audit = result(&results, "logs.kube-audit");
    assert_eq!(audit.status, NotEvaluated);
    let legacy = resource(audit, "/aks-payments-legacy");
    assert!(
        legacy
            .reason
            .contains("az monitor diagnostic-settings list"),
        "{}",
        legacy.reason
    );
}

#[test]
fn kube_audit_through_a_category_group_passes_and_says_so() {
    let results = evaluate_fixtures(&["diagnostic-settings-rest-category-group.json"]);
    let audit = result(&results, "logs.kube-audit");
    assert_eq!(audit.status, Pass);
    assert!(
        audit.reason.contains("category group audit"),
        "{}",
        audit.reason
    );
    assert!(
        audit.reason.contains("kube-audit-admin"),
        "{}",
        audit.reason
    );
}

#[test]
fn kube_audit_in_a_template_reads_the_nested_setting() {
    let file = import("aks-template-expressions.jsonc");
    let setting = &file.evidence.azure.diagnostic_settings[0];
    assert_eq!(setting.target_pointer.as_deref(), Some("/resources/0"));
    let results = evaluate_fixtures(&["aks-template-expressions.jsonc"]);
    let audit = result(&results, "logs.kube-audit");
    assert_eq!(audit.status, NotEvaluated);
    assert!(
        audit.reason.contains(
            "logs[].enabled is the unresolved template expression [parameters('auditLogs')]"
        ),
        "{}",
        audit.reason
    );
    assert_eq!(
        audit.resources.len(),
        1,
        "judged for the template's cluster"
    );
}

#[test]
fn containers_plan_standard_passes_and_free_fails_in_both_list_shapes() {
    let file = import("defender-pricing-list.json");
    assert_eq!(file.provenance.format, Format::AzureDefenderPricing);
    assert_eq!(file.evidence.azure.defender_plans.len(), 7);
    let results = evaluate_fixtures(&["defender-pricing-list.json"]);
    let plan = result(&results, "defender.containers-plan");
    assert_eq!(plan.status, Pass);
    assert_eq!(plan.evidence[0].pointer, "/3/pricingTier");

    let file = import("defender-pricing-value-free.json");
    assert_eq!(file.provenance.format, Format::AzureDefenderPricing);
    let results = evaluate_fixtures(&["defender-pricing-value-free.json"]);
    let plan = result(&results, "defender.containers-plan");
    assert_eq!(plan.status, Fail);
    assert!(
        plan.reason.contains("pricingTier is Free"),
        "{}",
        plan.reason
    );
}

#[test]
fn ddos_on_the_gateway_network_passes_and_off_fails() {
    let file = import("vnet-show-ddos.json");
    assert_eq!(file.provenance.format, Format::AzureVnet);
    let vnet = &file.evidence.azure.vnets[0];
    assert_eq!(vnet.subnets.len(), 5);
    assert_eq!(vnet.subnets[3].app_gateway_ip_configurations.len(), 1);
    assert!(
        vnet.subnets[0]
            .nsg_id
            .value()
            .unwrap()
            .ends_with("-system-nodepools")
    );
    let results = evaluate_fixtures(&["vnet-show-ddos.json"]);
    let ddos = result(&results, "vnet.ddos-protection");
    assert_eq!(ddos.status, Pass, "{}", ddos.reason);

    let results = evaluate_fixtures(&["vnet-rest-list-no-ddos.json"]);
    let ddos = result(&results, "vnet.ddos-protection");
    assert_eq!(ddos.status, Fail);
    assert_eq!(
        ddos.resources.len(),
        1,
        "only the network that holds the gateway"
    );
    assert!(ddos.resources[0].resource.ends_with("/vnet-shop-spoke"));
    assert!(
        ddos.evidence
            .iter()
            .any(|e| e.pointer == "/value/0/properties/enableDdosProtection")
    );
}

#[test]
fn ddos_follows_the_gateway_subnet_when_the_gateway_is_imported() {
    let gateway = import("appgw-show-spoke.json");
    assert!(!gateway.evidence.azure.app_gateways.is_empty());
    let mut set = EvidenceSet::default();
    set.add(gateway.clone());
    let results = evaluate(&set, &Settings::default());
    let ddos = result(&results, "vnet.ddos-protection");
    assert_eq!(ddos.status, NotEvaluated);
    assert!(
        ddos.reason
            .contains(&tickmark::collect::export_command("vnets")),
        "{}",
        ddos.reason
    );

    set.add(import("vnet-show-ddos.json"));
    let results = evaluate(&set, &Settings::default());
    let ddos = result(&results, "vnet.ddos-protection");
    assert_eq!(ddos.status, Pass, "{}", ddos.reason);
    assert_eq!(ddos.resources.len(), 1, "the network is judged once");
}

#[test]
fn every_platform_check_reports_once_and_names_what_to_export() {
    let results = evaluate(&EvidenceSet::default(), &Settings::default());
    // The hints name the collection plan's commands.
    let exports = [
        ("kv.private-endpoint", "key-vaults"),
        ("kv.network-deny-default", "key-vaults"),
        ("kv.purge-protection", "key-vaults"),
        ("acr.admin-disabled", "container-registries"),
        ("acr.private", "container-registries"),
        ("logs.retention", "log-analytics-workspaces"),
        ("logs.kube-audit", "aks-diagnostic-settings"),
        ("defender.containers-plan", "defender-plans"),
        ("vnet.ddos-protection", "vnets"),
    ];
    assert_eq!(exports.len(), PLATFORM_CHECKS.len());
    for (id, export) in exports {
        let r = result(&results, id);
        assert_eq!(r.status, NotEvaluated, "{id}");
        let export = tickmark::collect::export_command(export);
        assert!(r.reason.contains(&export), "{id}: {}", r.reason);
    }
}

#[test]
fn kube_audit_in_a_bicep_build_follows_the_scope_to_the_cluster() {
    let file = import("aks-bicep-build.json");
    assert_eq!(file.provenance.format, Format::ArmTemplate);
    let setting = &file.evidence.azure.diagnostic_settings[0];
    assert_eq!(
        setting.target_name.as_deref(),
        Some("[parameters('clusterName')]")
    );
    let results = evaluate_fixtures(&["aks-bicep-build.json"]);
    let audit = result(&results, "logs.kube-audit");
    assert_eq!(audit.status, Pass, "{}", audit.reason);
    assert_eq!(
        audit.resources.len(),
        1,
        "the setting belongs to the cluster"
    );
    assert_eq!(audit.resources[0].resource, "[parameters('clusterName')]");
    assert!(
        audit.reason.contains("category group allLogs"),
        "{}",
        audit.reason
    );
    // The rest of this template is compliant, subnets being parameters.
    assert_all(
        &results,
        &[
            "aks.private-cluster",
            "aks.no-public-fqdn",
            "aks.private-dns-zone",
            "aks.network-policy",
            "aks.entra-rbac",
            "aks.secrets-store-csi",
            "aks.system-user-pool-separation",
        ],
        Pass,
    );
    assert_eq!(
        status(&results, "aks.nodepool-dedicated-subnets"),
        NotEvaluated
    );
}
