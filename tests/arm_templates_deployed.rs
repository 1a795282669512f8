//! ARM templates judged as what they deploy: a property absent from a
//! literal resource definition takes Azure's documented default; a resource
//! whose `condition` is not literally true is not judged; the parameter file
//! imported beside a template and the template's literal variables resolve
//! expressions; an association the evidence does not state never produces a
//! claim. Also Azure Bastion's required NSG rules and the wording of
//! `vnet.ddos-protection`.

mod common;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use tickmark::checks::{CheckResult, CheckStatus, Settings, evaluate};
use tickmark::evidence::{Batch, EvidenceSet, Format};

fn now() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// Writes `files` (name, text) into a new folder.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Imports every file below `paths` together, as `tickmark evaluate` does.
fn import(paths: &[PathBuf]) -> EvidenceSet {
    let walked = tickmark::evidence::walk(paths);
    assert!(walked.errors.is_empty(), "{:?}", walked.errors);
    let batch = Batch::prepare(&walked.files);
    let mut set = EvidenceSet::default();
    for file in &walked.files {
        let imported = batch.import(file, now());
        set.add(imported.result.unwrap_or_else(|e| panic!("{e}")));
    }
    set
}

fn run(set: &EvidenceSet) -> Vec<CheckResult> {
    evaluate(set, &Settings::default())
}

fn check<'a>(results: &'a [CheckResult], id: &str) -> &'a CheckResult {
    results
        .iter()
        .find(|r| r.check == id && r.requirement.is_none())
        .unwrap_or_else(|| panic!("{id}: no result"))
}

const SUBSCRIPTION: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "enableAzureDefender": {"type": "bool", "defaultValue": true}
  },
  "resources": [
    {
      "condition": "[parameters('enableAzureDefender')]",
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2023-01-01",
      "name": "Containers",
      "properties": {"pricingTier": "Standard"}
    }
  ]
}"#;

fn parameters(name: &str, value: &str) -> String {
    format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {{"{name}": {{"value": {value}}}}}}}"#
    )
}

#[test]
fn a_conditional_resource_is_not_judged_until_a_parameter_file_decides_it() {
    let alone = folder(&[("subscription.json", SUBSCRIPTION)]);
    let set = import(&[alone.path().to_owned()]);
    let plan = check(&run(&set), "defender.containers-plan").clone();
    assert_eq!(plan.status, CheckStatus::NotEvaluated);
    assert!(
        plan.reason
            .contains("deployed only if [parameters('enableAzureDefender')], so not judged (deployed, it would pass"),
        "{}",
        plan.reason
    );
    assert!(
        set.files[0].notes.iter().any(|n| n
            == "1 resource(s) deployed only if [parameters('enableAzureDefender')]: not judged"),
        "{:?}",
        set.files[0].notes
    );

    let on = folder(&[
        ("subscription.json", SUBSCRIPTION),
        (
            "subscription.parameters.json",
            &parameters("enableAzureDefender", "true"),
        ),
    ]);
    let set = import(&[on.path().to_owned()]);
    let formats: Vec<Format> = set.files.iter().map(|f| f.format).collect();
    assert_eq!(formats, vec![Format::ArmTemplate, Format::ArmParameters]);
    assert!(
        set.files[1].notes[0].contains("its values are applied to"),
        "{:?}",
        set.files[1].notes
    );
    assert_eq!(
        check(&run(&set), "defender.containers-plan").status,
        CheckStatus::Pass
    );

    let off = folder(&[
        ("subscription.json", SUBSCRIPTION),
        (
            "subscription.parameters.json",
            &parameters("enableAzureDefender", "false"),
        ),
    ]);
    let set = import(&[off.path().to_owned()]);
    assert!(
        set.files[0]
            .notes
            .iter()
            .any(|n| n == "1 resource(s) not deployed: their condition is false"),
        "{:?}",
        set.files[0].notes
    );
    assert!(set.evidence.azure.defender_plans.is_empty());
}

const CLUSTER: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "suffix": {"type": "string"},
    "systemSubnetId": {"type": "string"},
    "location": {"type": "string", "defaultValue": "eastus2"}
  },
  "variables": {
    "clusterName": "[concat('aks-', parameters('suffix'))]",
    "vaultName": "kv-payments"
  },
  "resources": [
    {
      "type": "Microsoft.ContainerService/managedClusters",
      "apiVersion": "2024-05-01",
      "name": "[variables('clusterName')]",
      "location": "[parameters('location')]",
      "identity": {"type": "SystemAssigned"},
      "properties": {
        "agentPoolProfiles": [
          {"name": "npsystem", "mode": "System", "vnetSubnetID": "[parameters('systemSubnetId')]", "osDiskType": "Ephemeral"}
        ],
        "apiServerAccessProfile": {"enablePrivateCluster": true}
      }
    },
    {
      "type": "Microsoft.KeyVault/vaults",
      "apiVersion": "2023-07-01",
      "name": "[variables('vaultName')]",
      "properties": {"enableSoftDelete": true, "enablePurgeProtection": true}
    },
    {
      "type": "Microsoft.OperationalInsights/workspaces",
      "apiVersion": "2022-10-01",
      "name": "la-payments",
      "properties": {"sku": {"name": "PerGB2018"}}
    }
  ]
}"#;

#[test]
fn parameters_and_variables_resolve_and_absent_properties_take_azures_defaults() {
    let subnet = "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-system";
    let params = format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {{"suffix": {{"value": "payments"}}, "systemSubnetId": {{"value": "{subnet}"}}}}}}"#
    );
    let dir = folder(&[
        ("cluster-stamp.json", CLUSTER),
        ("azuredeploy.parameters.prod.json", &params),
    ]);
    let set = import(&[dir.path().to_owned()]);
    let cluster = &set.evidence.azure.clusters[0];
    assert_eq!(cluster.info.name.as_deref(), Some("aks-payments"));
    let pool = &cluster.agent_pools.value().unwrap()[0];
    assert_eq!(pool.subnet_id.value().map(String::as_str), Some(subnet));
    assert_eq!(
        set.evidence.azure.key_vaults[0].info.name.as_deref(),
        Some("kv-payments")
    );
    let template_notes = &set
        .files
        .iter()
        .find(|f| f.format == Format::ArmTemplate)
        .unwrap()
        .notes;
    assert!(
        template_notes
            .iter()
            .any(|n| n.contains("parameter values from")
                && n.contains("azuredeploy.parameters.prod.json applied")),
        "{template_notes:?}"
    );

    let results = run(&set);
    for (id, words) in [
        (
            "aks.encryption-at-host",
            "enableEncryptionAtHost is absent from the template: Azure's default (false) applies to API version 2024-05-01",
        ),
        (
            "aks.auto-upgrade",
            "autoUpgradeProfile.upgradeChannel is absent from the template: Azure's default (none) applies",
        ),
        (
            "aks.no-public-fqdn",
            "enablePrivateClusterPublicFQDN is absent from the template: Azure's default (a private cluster also gets a public FQDN) applies",
        ),
        (
            "kv.network-deny-default",
            "networkAcls.defaultAction is absent from the template: Azure's default (Allow: all networks) applies",
        ),
        (
            "logs.retention",
            "retentionInDays is absent from the template: Azure's default (30 days) applies",
        ),
    ] {
        let result = check(&results, id);
        assert_eq!(result.status, CheckStatus::Fail, "{id}: {}", result.reason);
        assert!(result.reason.contains(words), "{id}: {}", result.reason);
    }
    // Without the parameter file the subnet stays an expression.
    let alone = folder(&[("cluster-stamp.json", CLUSTER)]);
    let set = import(&[alone.path().to_owned()]);
    let pool = &set.evidence.azure.clusters[0].agent_pools.value().unwrap()[0];
    assert!(matches!(
        &pool.subnet_id,
        tickmark::evidence::Field::Unresolved { expression, .. } if expression == "[parameters('systemSubnetId')]"
    ));
}

const GATEWAY_AZ: &str = r#"{
  "id": "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/applicationGateways/agw",
  "name": "agw", "type": "Microsoft.Network/applicationGateways",
  "properties": {
    "sku": {"name": "WAF_v2", "tier": "WAF_v2"},
    "gatewayIPConfigurations": [{"name": "gw", "properties": {"subnet": {"id": "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-appgw"}}}]
  }
}"#;

const SPOKE_TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "nsg-web",
     "properties": {"securityRules": [
       {"name": "AllowHttpsInbound", "properties": {"protocol": "Tcp", "sourceAddressPrefix": "Internet", "sourcePortRange": "*",
        "destinationAddressPrefix": "*", "destinationPortRange": "443", "access": "Allow", "priority": 100, "direction": "Inbound"}}]}},
    {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "vnet-spoke",
     "properties": {"addressSpace": {"addressPrefixes": ["10.240.0.0/16"]}, "subnets": [
       {"name": "snet-web", "properties": {"addressPrefix": "10.240.4.0/24",
        "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-web')]"}}}]}}
  ]
}"#;

#[test]
fn an_nsg_whose_subnet_is_not_known_by_id_is_not_claimed_off_the_gateway() {
    let dir = folder(&[("gateway.json", GATEWAY_AZ), ("spoke.json", SPOKE_TEMPLATE)]);
    let results = run(&import(&[dir.path().to_owned()]));
    let inbound = check(&results, "nsg.inbound-internet-only-to-gateway");
    assert_eq!(
        inbound.status,
        CheckStatus::NotEvaluated,
        "{}",
        inbound.reason
    );
    assert!(
        inbound
            .reason
            .contains("the NSG is on subnet(s) snet-web whose ID the evidence does not state"),
        "{}",
        inbound.reason
    );
    assert!(
        !inbound
            .reason
            .contains("not on the Application Gateway's subnet")
    );
    // The VNet's ID depends on where the template goes, and the reason
    // names the VNet as a VNet.
    let ddos = check(&results, "vnet.ddos-protection");
    assert_eq!(ddos.status, CheckStatus::NotEvaluated, "{}", ddos.reason);
    assert!(
        ddos.reason.contains("but that VNet was not imported")
            && ddos.reason.contains(
                "none of the 1 imported VNet(s) enables DDoS Network Protection: vnet-spoke"
            ),
        "{}",
        ddos.reason
    );
}

/// Azure Bastion's NSG as its documentation lays it out, with one rule more.
const BASTION_NSGS: &str = r#"[
  {"id": "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/networkSecurityGroups/nsg-bastion",
   "name": "nsg-bastion", "type": "Microsoft.Network/networkSecurityGroups",
   "subnets": [{"id": "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/AzureBastionSubnet"}],
   "securityRules": [
     {"name": "AllowHttpsInbound", "priority": 120, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "Internet", "destinationAddressPrefix": "*", "destinationPortRange": "443"},
     {"name": "AllowGatewayManagerInbound", "priority": 130, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "GatewayManager", "destinationAddressPrefix": "*", "destinationPortRange": "443"},
     {"name": "AllowAzureLoadBalancerInbound", "priority": 140, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "AzureLoadBalancer", "destinationAddressPrefix": "*", "destinationPortRange": "443"},
     {"name": "AllowBastionHostCommunication", "priority": 150, "direction": "Inbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "VirtualNetwork", "destinationPortRanges": ["8080", "5701"]},
     {"name": "AllowSshRdpOutbound", "priority": 100, "direction": "Outbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "VirtualNetwork", "destinationPortRanges": ["22", "3389"]},
     {"name": "AllowAzureCloudOutbound", "priority": 110, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "destinationAddressPrefix": "AzureCloud", "destinationPortRange": "443"},
     {"name": "AllowBastionCommunication", "priority": 120, "direction": "Outbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "VirtualNetwork", "destinationPortRanges": ["8080", "5701"]},
     {"name": "AllowHttpOutbound", "priority": 130, "direction": "Outbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "Internet", "destinationPortRange": "80"}EXTRA
   ]}
]"#;

#[test]
fn azure_bastions_required_rules_are_accepted_and_named_and_nothing_more() {
    let required = BASTION_NSGS.replace("EXTRA", "");
    let dir = folder(&[("nsgs.json", &required), ("gateway.json", GATEWAY_AZ)]);
    let results = run(&import(&[dir.path().to_owned()]));
    let protocol = check(&results, "nsg.rules-restrict-protocol");
    assert_eq!(protocol.status, CheckStatus::Pass, "{}", protocol.reason);
    for words in [
        "the only rules that allow any protocol are the ones Azure Bastion requires on its subnet",
        "rule AllowBastionHostCommunication (priority 150) is Azure Bastion's required rule for ingress from the Bastion data plane (host to host)",
        "rule AllowHttpOutbound (priority 130) is Azure Bastion's required rule for egress to the internet for session and certificate validation (HTTP)",
    ] {
        assert!(protocol.reason.contains(words), "{}", protocol.reason);
    }
    // With gateway evidence, the NSG is provably off the gateway's subnet,
    // and Bastion's internet ingress is still accepted as Bastion's.
    let inbound = check(&results, "nsg.inbound-internet-only-to-gateway");
    assert_eq!(inbound.status, CheckStatus::Pass, "{}", inbound.reason);
    assert!(
        inbound
            .reason
            .contains("Azure Bastion's required rule for ingress from the public internet (HTTPS)"),
        "{}",
        inbound.reason
    );

    let extra = BASTION_NSGS.replace(
        "EXTRA",
        r#",{"name": "AllowAnyOutbound", "priority": 200, "direction": "Outbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}"#,
    );
    let dir = folder(&[("nsgs.json", &extra)]);
    let results = run(&import(&[dir.path().to_owned()]));
    let protocol = check(&results, "nsg.rules-restrict-protocol");
    assert_eq!(protocol.status, CheckStatus::Fail);
    assert!(
        protocol
            .reason
            .contains("rule AllowAnyOutbound (priority 200) (Outbound) allows any protocol (*)"),
        "{}",
        protocol.reason
    );
    assert!(
        !protocol.reason.contains("AllowBastionHostCommunication"),
        "{}",
        protocol.reason
    );
}

fn shared_templates() -> Option<PathBuf> {
    common::shared_dir().map(|s| s.join("evidence-formats/arm-templates"))
}

#[test]
fn the_reference_implementations_templates_show_their_gaps_and_claim_nothing_unknown() {
    let Some(dir) = shared_templates() else {
        return;
    };
    let files: Vec<PathBuf> = [
        "aks-baseline-regulated-cluster-stamp.jsonc",
        "aks-baseline-regulated-hub-region-v2.jsonc",
        "aks-baseline-regulated-spoke-BU0001A0005-01.jsonc",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    let set = import(&files);
    let results = run(&set);
    let encryption = check(&results, "aks.encryption-at-host");
    assert_eq!(encryption.status, CheckStatus::Fail);
    assert!(
        encryption.reason.contains(
            "enableEncryptionAtHost is absent from the template: Azure's default (false) applies"
        ),
        "{}",
        encryption.reason
    );
    let upgrade = check(&results, "aks.auto-upgrade");
    assert_eq!(upgrade.status, CheckStatus::Fail);
    assert!(
        upgrade.reason.contains("autoUpgradeProfile.upgradeChannel is absent from the template: Azure's default (none) applies"),
        "{}",
        upgrade.reason
    );
    for result in &results {
        for resource in &result.resources {
            assert!(
                !resource
                    .reason
                    .contains("not on the Application Gateway's subnet"),
                "{}: {}",
                result.check,
                resource.reason
            );
        }
    }
    // The flow logs hang on a parameter: not judged, and said so.
    let spoke = set.files.iter().find(|f| f.path.contains("spoke")).unwrap();
    assert!(
        spoke
            .notes
            .iter()
            .any(|n| n
                .contains("deployed only if [parameters('deployFlowLogResources')]: not judged")),
        "{:?}",
        spoke.notes
    );
    // The Bastion NSG of the hub passes the protocol check as Bastion's.
    let protocol = check(&results, "nsg.rules-restrict-protocol");
    let bastion = protocol
        .resources
        .iter()
        .find(|r| r.resource.contains("bastionNetworkNsgName"))
        .unwrap();
    assert_eq!(bastion.status, CheckStatus::Pass, "{}", bastion.reason);
    let ddos = check(&results, "vnet.ddos-protection");
    assert!(
        ddos.reason
            .contains("none of the 2 imported VNet(s) enables DDoS Network Protection"),
        "{}",
        ddos.reason
    );
    assert!(Path::new(&set.files[0].path).exists());
}

#[test]
fn the_review_record_reads_a_template_with_its_parameter_file() {
    let subnet = "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-system";
    let params = format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {{"suffix": {{"value": "payments"}}, "systemSubnetId": {{"value": "{subnet}"}}}}}}"#
    );
    let dir = folder(&[
        ("cluster-stamp.json", CLUSTER),
        ("cluster-stamp.parameters.json", &params),
    ]);
    let db = dir.path().join("record.sqlite3");
    let mut store = tickmark::store::Store::open(&db).unwrap();
    let new = tickmark::store::NewAssessment {
        name: "Stamp".into(),
        cluster: "unknown".into(),
        period_start: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        period_end: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        catalog_id: tickmark::catalog::pci_dss_321().id.clone(),
    };
    let files = vec![
        dir.path().join("cluster-stamp.json"),
        dir.path().join("cluster-stamp.parameters.json"),
    ];
    let summary = store
        .import_paths(
            &tickmark::store::Actor::os_user_only(),
            "Stamp",
            Some(&new),
            &files,
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(summary.unusable().count(), 0);
    // Rebuilt from the stored bytes, the template still meets its parameters.
    let stored = store.evidence_set(summary.assessment.unwrap().id).unwrap();
    let cluster = &stored.set.evidence.azure.clusters[0];
    assert_eq!(cluster.info.name.as_deref(), Some("aks-payments"));
    let pool = &cluster.agent_pools.value().unwrap()[0];
    assert_eq!(pool.subnet_id.value().map(String::as_str), Some(subnet));
}
