//! The `aks.*` checks on AKS clusters exported in the az CLI's flattened shape
//! (`az aks show` / `az aks list`) and in the ARM shape (REST bodies,
//! templates). Every check passes on one fixture and fails on another, in
//! both shapes.

mod azure_platform_support;

use azure_platform_support::*;
use tickmark::checks::CheckStatus::{Fail, NotEvaluated, Pass};
use tickmark::evidence::{Field, Format};

#[test]
fn az_cli_show_of_a_compliant_cluster_passes_every_aks_check() {
    let file = import("aks-show-compliant.json");
    assert_eq!(file.provenance.format, Format::AzureAks);
    let cluster = &file.evidence.azure.clusters[0];
    assert_eq!(
        cluster.private_cluster_public_fqdn,
        Field::known(
            false,
            "/apiServerAccessProfile/enablePrivateClusterPublicFqdn"
        )
    );
    assert_eq!(
        cluster.agent_pools.value().unwrap()[1].subnet_id.pointer(),
        Some("/agentPoolProfiles/1/vnetSubnetId")
    );
    let results = evaluate_fixtures(&["aks-show-compliant.json"]);
    assert_all(&results, AKS_CHECKS, Pass);
    let pools = result(&results, "aks.no-node-public-ip");
    assert_eq!(pools.resources.len(), 3, "one result per node pool");
    assert_eq!(pools.reason, "all 3 node pool(s) pass");
}

#[test]
fn az_cli_list_of_a_cluster_with_gaps_fails_every_aks_check() {
    let file = import("aks-list-gaps.json");
    assert_eq!(file.provenance.format, Format::AzureAks);
    let results = evaluate_fixtures(&["aks-list-gaps.json"]);
    assert_all(&results, AKS_CHECKS, Fail);
    let subnets = result(&results, "aks.nodepool-dedicated-subnets");
    assert!(
        resource(subnets, "/agentPools/apps")
            .reason
            .contains("shares subnet")
    );
    let identity = result(&results, "aks.managed-identity");
    assert!(
        identity.reason.contains("service principal"),
        "{}",
        identity.reason
    );
    let evidence = &identity.resources[0].evidence;
    assert!(
        evidence
            .iter()
            .any(|e| e.pointer == "/0/servicePrincipalProfile/clientId")
    );
    let separation = result(&results, "aks.system-user-pool-separation");
    assert!(separation.reason.contains("apps"), "{}", separation.reason);
}

#[test]
fn arm_resource_of_a_compliant_cluster_passes_every_aks_check() {
    let results = evaluate_fixtures(&["aks-arm-compliant.json"]);
    assert_all(&results, AKS_CHECKS, Pass);
    // This cluster passes on its disk encryption set, with managed OS disks.
    let disks = result(&results, "aks.disk-encryption");
    assert!(
        disks.reason.contains("des-aks-shop-prod"),
        "{}",
        disks.reason
    );
    assert_eq!(disks.evidence[0].pointer, "/properties/diskEncryptionSetID");
    // Monitoring through the Azure Monitor profile, without omsagent.
    let monitoring = result(&results, "aks.monitoring-addon");
    assert!(
        monitoring.reason.contains("azureMonitorProfile"),
        "{}",
        monitoring.reason
    );
    let zone = result(&results, "aks.private-dns-zone");
    assert!(
        zone.reason
            .contains("privateDnsZones/privatelink.westeurope.azmk8s.io")
    );
}

#[test]
fn arm_rest_list_judges_each_cluster_and_fails_on_any() {
    let file = import("aks-rest-list-gaps.json");
    assert_eq!(file.provenance.format, Format::AzureAks);
    assert_eq!(file.provenance.tool.as_deref(), Some("ARM REST API"));
    assert_eq!(file.evidence.azure.clusters.len(), 2);
    let results = evaluate_fixtures(&["aks-rest-list-gaps.json"]);
    assert_all(&results, AKS_CHECKS, Fail);

    // The public cluster fails everything.
    for id in AKS_CHECKS {
        let check = result(&results, id);
        let public: Vec<_> = check
            .resources
            .iter()
            .filter(|r| r.resource.contains("/aks-ops-public"))
            .collect();
        assert!(!public.is_empty(), "{id}");
        assert!(public.iter().all(|r| r.status == Fail), "{id}: {public:?}");
    }
    // The private one passes aks.private-cluster but publishes a public FQDN
    // and has no private DNS zone.
    let private = "/aks-ops-private";
    let check = |id: &str| resource(result(&results, id), private).status;
    assert_eq!(check("aks.private-cluster"), Pass);
    assert_eq!(check("aks.no-public-fqdn"), Fail);
    assert_eq!(check("aks.private-dns-zone"), Fail);
    assert_eq!(check("aks.network-policy"), Pass);
    let zone = resource(result(&results, "aks.private-dns-zone"), private);
    assert!(zone.reason.contains("is none"), "{}", zone.reason);
    assert_eq!(
        zone.evidence[1].pointer,
        "/value/1/properties/apiServerAccessProfile/privateDNSZone"
    );
    // Its two user pools share one subnet: both fail, the system pool passes.
    let subnets = result(&results, "aks.nodepool-dedicated-subnets");
    assert_eq!(
        resource(subnets, "aks-ops-private/agentPools/system").status,
        Pass
    );
    assert_eq!(
        resource(subnets, "aks-ops-private/agentPools/cde").status,
        Fail
    );
    assert_eq!(
        resource(subnets, "aks-ops-private/agentPools/web").status,
        Fail
    );
    // A pool with no subnet at all sits in the AKS-managed network.
    let managed = resource(subnets, "aks-ops-public/agentPools/agentpool");
    assert!(
        managed.reason.contains("no vnetSubnetID"),
        "{}",
        managed.reason
    );
}

#[test]
fn template_expressions_are_not_evaluated_and_named() {
    let file = import("aks-template-expressions.jsonc");
    assert_eq!(file.provenance.format, Format::ArmTemplate);
    let results = evaluate_fixtures(&["aks-template-expressions.jsonc"]);
    let private = result(&results, "aks.private-cluster");
    assert_eq!(private.status, NotEvaluated);
    assert!(
        private.reason.contains(
            "apiServerAccessProfile.enablePrivateCluster is the unresolved template expression [parameters('privateCluster')]"
        ),
        "{}",
        private.reason
    );
    assert_eq!(
        private.evidence[0].pointer,
        "/resources/0/properties/apiServerAccessProfile/enablePrivateCluster"
    );
    for id in ["aks.no-public-fqdn", "aks.private-dns-zone"] {
        let r = result(&results, id);
        assert_eq!(r.status, NotEvaluated, "{id}");
        assert!(
            r.reason.contains("enablePrivateCluster"),
            "{id}: {}",
            r.reason
        );
    }
    let policy = result(&results, "aks.network-policy");
    assert_eq!(policy.status, NotEvaluated);
    assert!(policy.reason.contains("[parameters('networkPolicy')]"));
    let csi = result(&results, "aks.secrets-store-csi");
    assert_eq!(csi.status, NotEvaluated);
    assert!(
        csi.reason
            .contains("addonProfiles.azureKeyvaultSecretsProvider.enabled")
    );
    // One pool's flag is an expression, the others are literal: the check
    // cannot pass, and says which pool.
    let host = result(&results, "aks.encryption-at-host");
    assert_eq!(host.status, NotEvaluated);
    assert_eq!(resource(host, "/agentPools/apps").status, Pass);
    assert!(host.reason.contains("agentPools/system"), "{}", host.reason);
    // Two pools with the same subnet expression share a subnet whatever it
    // resolves to; a pool with its own expression cannot be judged.
    let subnets = result(&results, "aks.nodepool-dedicated-subnets");
    assert_eq!(subnets.status, Fail);
    assert_eq!(resource(subnets, "/agentPools/batch").status, Fail);
    assert_eq!(resource(subnets, "/agentPools/system").status, NotEvaluated);
    // Literal values are still read.
    assert_eq!(status(&results, "aks.local-accounts-disabled"), Pass);
    assert_eq!(status(&results, "aks.system-user-pool-separation"), Pass);
    assert_eq!(status(&results, "aks.disk-encryption"), Pass);
}

#[test]
fn every_aks_check_reports_once_without_evidence_and_names_the_export() {
    let results = tickmark::checks::evaluate(
        &tickmark::evidence::EvidenceSet::default(),
        &tickmark::checks::Settings::default(),
    );
    for id in AKS_CHECKS {
        let r = result(&results, id);
        assert_eq!(r.status, NotEvaluated, "{id}");
        assert!(
            r.reason
                .contains(&tickmark::collect::export_command("aks-cluster")),
            "{id}: {}",
            r.reason
        );
    }
}

#[test]
fn several_files_merge_and_any_failing_cluster_fails() {
    let results = evaluate_fixtures(&["aks-show-compliant.json", "aks-list-gaps.json"]);
    let private = result(&results, "aks.private-cluster");
    assert_eq!(private.status, Fail);
    assert_eq!(private.resources.len(), 2);
    assert!(
        private.reason.starts_with("1 of 2 cluster(s) fail"),
        "{}",
        private.reason
    );
    assert_eq!(resource(private, "/aks-bu0001a0005").status, Pass);
    let paths: Vec<&str> = private.evidence.iter().map(|e| e.path.as_str()).collect();
    assert!(paths.contains(&"aks-show-compliant.json") && paths.contains(&"aks-list-gaps.json"));
}

#[test]
fn odd_values_are_not_evaluated_and_never_crash() {
    let text = r#"{
      "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/odd",
      "name": "odd",
      "type": "Microsoft.ContainerService/managedClusters",
      "properties": {
        "apiServerAccessProfile": {"enablePrivateCluster": "yes"},
        "agentPoolProfiles": "three pools",
        "addonProfiles": {"azurepolicy": true, "omsagent": {"enabled": "True"}},
        "networkProfile": {"networkPolicy": 7}
      }
    }"#;
    let file = tickmark::evidence::import_bytes("odd.json", text.as_bytes(), when()).unwrap();
    let mut set = tickmark::evidence::EvidenceSet::default();
    set.add(file);
    let results = tickmark::checks::evaluate(&set, &tickmark::checks::Settings::default());
    let private = result(&results, "aks.private-cluster");
    assert_eq!(private.status, NotEvaluated);
    assert!(
        private.reason.contains("unexpected value: \"yes\""),
        "{}",
        private.reason
    );
    let pools = result(&results, "aks.no-node-public-ip");
    assert_eq!(pools.status, NotEvaluated);
    assert!(
        pools
            .reason
            .contains("agentPoolProfiles has an unexpected value"),
        "{}",
        pools.reason
    );
    // An add-on profile that is not an object has no readable flag.
    assert_eq!(status(&results, "aks.azure-policy-addon"), NotEvaluated);
    // ARM's string booleans count.
    assert_eq!(status(&results, "aks.monitoring-addon"), Pass);
    // A number is rendered as text and judged as a (wrong) engine name.
    assert_eq!(status(&results, "aks.network-policy"), Fail);
}
