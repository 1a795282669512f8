//! Network importers and checks on our own fixtures (az CLI, ARM REST and
//! ARM template shapes), through the public API: `import_bytes`, then
//! `checks::evaluate`.

mod common;

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use tickmark::checks::{CheckResult, CheckStatus, Settings, evaluate};
use tickmark::evidence::azure::{AgentPool, AksCluster, ResourceInfo, Subnet, VirtualNetwork};
use tickmark::evidence::{EvidenceRef, EvidenceSet, Field, Format, import_bytes};

const NETWORK_CHECKS: &[&str] = &[
    "nsg.node-subnets-covered",
    "nsg.no-ssh-rdp-from-internet",
    "nsg.inbound-internet-only-to-gateway",
    "nsg.rules-restrict-protocol",
    "route.default-via-firewall",
    "fw.no-allow-any",
    "fw.app-rules-https",
    "fw.threat-intel-deny",
    "agw.waf-enabled",
    "agw.waf-prevention",
    "agw.owasp-ruleset",
    "agw.tls12",
    "agw.no-plain-http",
];

const COMPLIANT_SUB: &str = "/subscriptions/3c5e8b0a-7d41-4f2e-9a61-2b8f0c9d4e17";
const GAPS_SUB: &str = "/subscriptions/8a0f3d6c-2e59-4b17-b3c4-91d7e5a2f608";

fn compliant_subnet(name: &str) -> String {
    format!(
        "{COMPLIANT_SUB}/resourceGroups/rg-bu0001a0005/providers/Microsoft.Network/virtualNetworks/vnet-spoke-BU0001A0005-01/subnets/{name}"
    )
}

fn gaps_subnet(name: &str) -> String {
    format!(
        "{GAPS_SUB}/resourceGroups/rg-payments-aks/providers/Microsoft.Network/virtualNetworks/vnet-payments/subnets/{name}"
    )
}

fn fixture_bytes(relative: &str) -> Vec<u8> {
    let path = common::project_dir()
        .join("tests/fixtures/azure-network")
        .join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Imports fixtures into a new evidence set, returning it and each file's
/// detected format.
fn import(files: &[&str]) -> (EvidenceSet, Vec<Format>) {
    let mut set = EvidenceSet::default();
    let mut formats = Vec::new();
    for file in files {
        let imported = import_bytes(file, &fixture_bytes(file), Utc.timestamp_opt(0, 0).unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        formats.push(imported.provenance.format);
        set.add(imported);
    }
    (set, formats)
}

/// The network checks' results by ID; every one must be there exactly once.
fn network_results(set: &EvidenceSet) -> BTreeMap<&'static str, CheckResult> {
    let all = evaluate(set, &Settings::default());
    NETWORK_CHECKS
        .iter()
        .map(|id| {
            let mut found = all.iter().filter(|r| r.check == *id);
            let result = found.next().unwrap_or_else(|| panic!("{id}: no result"));
            assert!(found.next().is_none(), "{id}: more than one result");
            (*id, result.clone())
        })
        .collect()
}

fn status_of(results: &BTreeMap<&str, CheckResult>, id: &str) -> CheckStatus {
    results[id].status
}

/// The per-resource result whose resource ends with `suffix`.
fn resource<'a>(result: &'a CheckResult, suffix: &str) -> &'a tickmark::checks::ResourceResult {
    result
        .resources
        .iter()
        .find(|r| r.resource.ends_with(suffix))
        .unwrap_or_else(|| panic!("{}: no resource ending {suffix}: {result:#?}", result.check))
}

fn info(id: &str) -> ResourceInfo {
    ResourceInfo {
        id: Some(id.to_owned()),
        name: id.rsplit('/').next().map(str::to_owned),
        source: EvidenceRef {
            path: "typed-in-test".to_owned(),
            pointer: String::new(),
            resource: Some(id.to_owned()),
        },
        in_template: false,
        deployed_if: None,
        api_version: None,
    }
}

/// An AKS cluster with node pools in the given subnets (`None`: the pool's
/// subnet is not in the evidence). Built in Rust until the AKS importer lands.
fn cluster(pools: &[(&str, Option<String>)]) -> AksCluster {
    let agent_pools = pools
        .iter()
        .enumerate()
        .map(|(i, (name, subnet))| AgentPool {
            name: (*name).to_owned(),
            pointer: format!("/properties/agentPoolProfiles/{i}"),
            mode: Field::known(
                "User".to_owned(),
                format!("/properties/agentPoolProfiles/{i}/mode"),
            ),
            subnet_id: match subnet {
                Some(id) => Field::known(
                    id.clone(),
                    format!("/properties/agentPoolProfiles/{i}/vnetSubnetID"),
                ),
                None => Field::Missing,
            },
            node_public_ip: Field::Missing,
            encryption_at_host: Field::Missing,
            os_disk_type: Field::Missing,
            taints: Field::Missing,
            node_labels: Field::Missing,
        })
        .collect();
    AksCluster {
        info: info(&format!(
            "{COMPLIANT_SUB}/resourceGroups/rg-bu0001a0005/providers/Microsoft.ContainerService/managedClusters/aks-test"
        )),
        kubernetes_version: Field::Missing,
        private_cluster: Field::Missing,
        private_cluster_public_fqdn: Field::Missing,
        private_dns_zone: Field::Missing,
        agent_pools: Field::known(agent_pools, "/properties/agentPoolProfiles"),
        network_plugin: Field::Missing,
        network_policy: Field::Missing,
        outbound_type: Field::Missing,
        aad_managed: Field::Missing,
        azure_rbac: Field::Missing,
        disable_local_accounts: Field::Missing,
        enable_rbac: Field::Missing,
        addons: Field::Missing,
        azure_monitor: Field::Missing,
        defender: Field::Missing,
        disk_encryption_set_id: Field::Missing,
        identity_type: Field::Missing,
        upgrade_channel: Field::Missing,
        node_os_upgrade_channel: Field::Missing,
        container_insights: Field::Missing,
        service_principal_client_id: Field::Missing,
    }
}

/// A VNet whose subnets state no NSG and no route table.
fn bare_vnet(id: &str, subnets: &[&str]) -> VirtualNetwork {
    VirtualNetwork {
        info: info(id),
        subnets: subnets
            .iter()
            .enumerate()
            .map(|(i, name)| Subnet {
                id: Field::known(
                    format!("{id}/subnets/{name}"),
                    format!("/properties/subnets/{i}/id"),
                ),
                name: Field::known((*name).to_owned(), format!("/properties/subnets/{i}/name")),
                pointer: format!("/properties/subnets/{i}"),
                nsg_id: Field::Missing,
                route_table_id: Field::Missing,
                app_gateway_ip_configurations: Vec::new(),
                address_prefixes: Vec::new(),
            })
            .collect(),
        ddos_protection: Field::Missing,
        ddos_protection_plan: Field::Missing,
        address_space: Vec::new(),
    }
}

const COMPLIANT_AZ: &[&str] = &[
    "compliant-az/nsg-list.json",
    "compliant-az/route-table-list.json",
    "compliant-az/firewall-show.json",
    "compliant-az/firewall-policy-show.json",
    "compliant-az/rule-collection-group-list.json",
    "compliant-az/application-gateway-show.json",
    "compliant-az/waf-policy-show.json",
];

const GAPS_ARM: &[&str] = &[
    "gaps-arm/nsg-list.json",
    "gaps-arm/route-table-list.json",
    "gaps-arm/firewall-classic.json",
    "gaps-arm/application-gateway.json",
    "gaps-arm/waf-policy-list.json",
];

fn compliant_cluster() -> AksCluster {
    cluster(&[
        (
            "npsystem",
            Some(compliant_subnet("snet-cluster-systemnodepool")),
        ),
        (
            "npinscope01",
            Some(compliant_subnet("snet-cluster-inscopenodepools")),
        ),
        // The same subnet named with other letter case: ARM IDs ignore case.
        (
            "npinscope02",
            Some(compliant_subnet("SNET-CLUSTER-INSCOPENODEPOOLS").to_ascii_lowercase()),
        ),
    ])
}

#[test]
fn az_cli_shapes_are_detected() {
    let (_, formats) = import(COMPLIANT_AZ);
    assert_eq!(
        formats,
        vec![
            Format::AzureNsg,
            Format::AzureRouteTable,
            Format::AzureFirewall,
            Format::AzureFirewallPolicy,
            Format::AzureFirewallRuleCollectionGroups,
            Format::AzureApplicationGateway,
            Format::AzureWafPolicy,
        ]
    );
}

#[test]
fn arm_shapes_are_detected() {
    let (_, formats) = import(GAPS_ARM);
    assert_eq!(
        formats,
        vec![
            Format::AzureNsg,
            Format::AzureRouteTable,
            Format::AzureFirewall,
            Format::AzureApplicationGateway,
            Format::AzureWafPolicy,
        ]
    );
    let (_, formats) = import(&["template/hub-and-gateway.jsonc"]);
    assert_eq!(formats, vec![Format::ArmTemplate]);
}

#[test]
fn a_compliant_network_passes_every_network_check() {
    let (mut set, _) = import(COMPLIANT_AZ);
    set.evidence.azure.clusters.push(compliant_cluster());
    let results = network_results(&set);
    for id in NETWORK_CHECKS {
        assert_eq!(
            results[id].status,
            CheckStatus::Pass,
            "{id}: {}\n{:#?}",
            results[id].reason,
            results[id].resources
        );
        assert!(!results[id].evidence.is_empty(), "{id} names no evidence");
    }
    // The firewall's own threatIntelMode (Alert) is ignored: its policy's applies.
    assert!(
        results["fw.threat-intel-deny"]
            .reason
            .contains("fw-policies-eastus2")
    );
    // GatewayManager to 65200-65535 is not internet traffic; the gateway's
    // 443 rule and Bastion's are named as the only internet entries.
    let gateway = resource(&results["nsg.inbound-internet-only-to-gateway"], "-appgw");
    assert!(
        gateway.reason.contains("Allow443InBound"),
        "{}",
        gateway.reason
    );
    assert!(!gateway.reason.contains("AllowControlPlaneInBound"));
    let bastion = resource(&results["nsg.inbound-internet-only-to-gateway"], "bastion");
    assert!(bastion.reason.contains("Bastion"), "{}", bastion.reason);
    // The route goes to the firewall's private IP, and the reason says so.
    assert!(
        results["route.default-via-firewall"].resources[0]
            .reason
            .contains("the private IP of firewall")
    );
    // The HTTP listener only redirects.
    assert!(
        results["agw.no-plain-http"]
            .reason
            .contains("listener-http")
    );
    // Both node-pool subnets are judged once each.
    assert_eq!(results["nsg.node-subnets-covered"].resources.len(), 2);
}

fn gaps_set() -> EvidenceSet {
    let (mut set, _) = import(GAPS_ARM);
    set.evidence.azure.clusters.push(cluster(&[
        ("nodes", Some(gaps_subnet("snet-nodes"))),
        ("nodes2", Some(gaps_subnet("snet-nodes-2"))),
        ("unknown", None),
    ]));
    set.evidence.azure.vnets.push(bare_vnet(
        &format!("{GAPS_SUB}/resourceGroups/rg-payments-aks/providers/Microsoft.Network/virtualNetworks/vnet-payments"),
        &["snet-nodes-2", "snet-jumpbox"],
    ));
    set
}

#[test]
fn a_network_with_gaps_fails_every_network_check_but_waf_enabled() {
    let results = network_results(&gaps_set());
    for id in NETWORK_CHECKS.iter().filter(|id| **id != "agw.waf-enabled") {
        assert_eq!(
            results[id].status,
            CheckStatus::Fail,
            "{id}: {}",
            results[id].reason
        );
    }
    // The gateway's own WAF is on (Detection mode fails elsewhere).
    assert_eq!(status_of(&results, "agw.waf-enabled"), CheckStatus::Pass);
}

#[test]
fn nsg_checks_read_port_ranges_lists_and_wildcards() {
    let results = network_results(&gaps_set());
    let ssh = &results["nsg.no-ssh-rdp-from-internet"];
    let nodes = resource(ssh, "/nsg-nodes");
    assert_eq!(nodes.status, CheckStatus::Fail);
    // `20-25` from Internet contains 22.
    assert!(
        nodes
            .reason
            .contains("AllowMgmtRange (priority 100) allows TCP 20-25 from Internet (SSH)"),
        "{}",
        nodes.reason
    );
    // A list with `3380-3390`, from a prefix list holding 0.0.0.0/0.
    assert!(
        nodes
            .reason
            .contains("3380-3390, 8443 from 203.0.113.0/24, 0.0.0.0/0 (RDP)"),
        "{}",
        nodes.reason
    );
    // Application security groups are not the internet.
    assert!(!nodes.reason.contains("AllowFromAppTier"));
    // Evidence points at the exact rules.
    assert_eq!(nodes.evidence[0].path, "gaps-arm/nsg-list.json");
    assert_eq!(
        nodes.evidence[0].pointer,
        "/value/0/properties/securityRules/0"
    );
    assert_eq!(
        nodes.evidence[1].pointer,
        "/value/0/properties/securityRules/1"
    );
    // `*` opens every port, 22 and 3389 among them.
    let jump = resource(ssh, "/nsg-jumpbox");
    assert!(
        jump.reason.contains("TCP * from * (SSH and RDP)"),
        "{}",
        jump.reason
    );
    // Only 443 and 65200-65535 (from GatewayManager) on the gateway's NSG.
    assert_eq!(resource(ssh, "/nsg-appgw").status, CheckStatus::Pass);

    let protocol = &results["nsg.rules-restrict-protocol"];
    let nodes = resource(protocol, "/nsg-nodes");
    assert_eq!(nodes.status, CheckStatus::Fail);
    assert!(nodes.reason.contains("AllowRemoteDesktopList"));
    assert!(!nodes.reason.contains("AllowMgmtRange"));
    // Azure's default rules use `*` but are not counted.
    assert!(!nodes.reason.contains("AllowVnetInBound"));
    assert_eq!(resource(protocol, "/nsg-appgw").status, CheckStatus::Pass);
}

#[test]
fn internet_inbound_is_judged_against_the_gateway_subnet() {
    let results = network_results(&gaps_set());
    let check = &results["nsg.inbound-internet-only-to-gateway"];
    // On the gateway's subnet, 80 besides 443 fails.
    let gateway = resource(check, "/nsg-appgw");
    assert_eq!(gateway.status, CheckStatus::Fail);
    assert!(gateway.reason.contains("443 only"), "{}", gateway.reason);
    // The node subnet's NSG must not admit the internet at all.
    let nodes = resource(check, "/nsg-nodes");
    assert_eq!(nodes.status, CheckStatus::Fail);
    assert!(
        nodes.reason.contains("node-pool subnet"),
        "{}",
        nodes.reason
    );
    // The jump box NSG's subnet is known and is not the gateway's.
    let jump = resource(check, "/nsg-jumpbox");
    assert!(
        jump.reason
            .contains("not on the Application Gateway's subnet"),
        "{}",
        jump.reason
    );
}

#[test]
fn without_gateway_evidence_internet_443_is_not_evaluated_but_other_ports_fail() {
    // The compliant NSGs, without the gateway: its NSG's 443 rule cannot be
    // placed, so the check is not evaluated (never a pass by default).
    let (mut set, _) = import(&["compliant-az/nsg-list.json"]);
    set.evidence.azure.clusters.push(compliant_cluster());
    let results = network_results(&set);
    let check = &results["nsg.inbound-internet-only-to-gateway"];
    assert_eq!(check.status, CheckStatus::NotEvaluated, "{}", check.reason);
    let gateway = resource(check, "-appgw");
    assert!(
        gateway.reason.contains("no Application Gateway evidence"),
        "{}",
        gateway.reason
    );
    assert_eq!(resource(check, "-nodepools").status, CheckStatus::Pass);
    assert_eq!(resource(check, "bastion").status, CheckStatus::Pass);

    // The NSGs with gaps, without the gateway: 80 fails anywhere, and the
    // node subnet's NSG fails whatever the port.
    let (mut set, _) = import(&["gaps-arm/nsg-list.json"]);
    set.evidence
        .azure
        .clusters
        .push(cluster(&[("nodes", Some(gaps_subnet("snet-nodes")))]));
    let results = network_results(&set);
    let check = &results["nsg.inbound-internet-only-to-gateway"];
    assert_eq!(check.status, CheckStatus::Fail);
    assert!(
        resource(check, "/nsg-appgw")
            .reason
            .contains("rule AllowWebInBound")
    );
    assert!(
        resource(check, "/nsg-nodes")
            .reason
            .contains("node-pool subnet")
    );
}

#[test]
fn node_subnets_and_routes_are_judged_per_subnet() {
    let results = network_results(&gaps_set());
    let covered = &results["nsg.node-subnets-covered"];
    assert_eq!(resource(covered, "/snet-nodes").status, CheckStatus::Pass);
    let bare = resource(covered, "/snet-nodes-2");
    assert_eq!(bare.status, CheckStatus::Fail);
    assert!(bare.reason.contains("no NSG"), "{}", bare.reason);
    let unknown = resource(covered, "/agentPools/unknown");
    assert_eq!(unknown.status, CheckStatus::NotEvaluated);
    assert!(
        unknown.reason.contains("vnetSubnetID"),
        "{}",
        unknown.reason
    );

    let route = &results["route.default-via-firewall"];
    let internet = resource(route, "/snet-nodes");
    assert_eq!(internet.status, CheckStatus::Fail);
    assert!(
        internet.reason.contains("to Internet"),
        "{}",
        internet.reason
    );
    assert!(
        internet
            .evidence
            .iter()
            .any(|e| e.pointer == "/value/0/properties/routes/1"),
        "{:?}",
        internet.evidence
    );
    let no_table = resource(route, "/snet-nodes-2");
    assert_eq!(no_table.status, CheckStatus::Fail);
    assert!(
        no_table.reason.contains("no route table"),
        "{}",
        no_table.reason
    );
}

#[test]
fn checks_that_need_clusters_say_what_to_export() {
    let (set, _) = import(&["gaps-arm/nsg-list.json", "gaps-arm/route-table-list.json"]);
    let results = network_results(&set);
    for id in ["nsg.node-subnets-covered", "route.default-via-firewall"] {
        assert_eq!(results[id].status, CheckStatus::NotEvaluated);
        assert!(
            results[id].reason.contains("az aks show"),
            "{id}: {}",
            results[id].reason
        );
    }
    // The route tables are still listed, each not evaluated.
    let route = &results["route.default-via-firewall"];
    assert_eq!(route.resources.len(), 1);
    assert!(
        route.resources[0]
            .reason
            .contains("sends 0.0.0.0/0 to Internet")
    );
}

#[test]
fn without_any_evidence_each_check_gives_one_not_evaluated_result() {
    let results = network_results(&EvidenceSet::default());
    for id in NETWORK_CHECKS {
        assert_eq!(results[id].status, CheckStatus::NotEvaluated, "{id}");
        assert!(
            results[id].reason.contains("export az "),
            "{id}: {}",
            results[id].reason
        );
        assert!(results[id].resources.is_empty());
    }
}

#[test]
fn firewall_rules_are_judged_with_nat_left_out() {
    let results = network_results(&gaps_set());
    let any = &results["fw.no-allow-any"];
    let fw = resource(any, "/fw-payments");
    assert!(
        fw.reason
            .contains("network rule any-to-any allows Any from * to * on port(s) *"),
        "{}",
        fw.reason
    );
    assert!(
        fw.reason
            .contains("application rule browse-anywhere allows FQDN(s) *"),
        "{}",
        fw.reason
    );
    assert!(
        !fw.reason.contains("ssh-to-jumpbox"),
        "DNAT rules are not Allow rules"
    );
    assert!(!fw.reason.contains("rule dns"));
    assert!(
        fw.evidence
            .iter()
            .any(|e| e.pointer == "/properties/networkRuleCollections/0/properties/rules/0")
    );
    let https = resource(&results["fw.app-rules-https"], "/fw-payments");
    assert!(
        https.reason.contains("browse-anywhere allows Http:80"),
        "{}",
        https.reason
    );
    let intel = resource(&results["fw.threat-intel-deny"], "/fw-payments");
    assert!(intel.reason.contains("Alert"), "{}", intel.reason);
}

#[test]
fn a_firewall_whose_policy_was_not_imported_is_not_evaluated() {
    let (set, _) = import(&["compliant-az/firewall-show.json"]);
    let results = network_results(&set);
    for id in [
        "fw.no-allow-any",
        "fw.app-rules-https",
        "fw.threat-intel-deny",
    ] {
        assert_eq!(results[id].status, CheckStatus::NotEvaluated, "{id}");
        assert!(
            results[id].reason.contains("fw-policies-eastus2"),
            "{id}: {}",
            results[id].reason
        );
    }
    // With the policy but not its rule collection groups: the threat
    // intelligence mode is known, the rules are not.
    let (set, _) = import(&[
        "compliant-az/firewall-show.json",
        "compliant-az/firewall-policy-show.json",
    ]);
    let results = network_results(&set);
    assert_eq!(
        status_of(&results, "fw.threat-intel-deny"),
        CheckStatus::Pass
    );
    assert_eq!(
        status_of(&results, "fw.no-allow-any"),
        CheckStatus::NotEvaluated
    );
    assert!(
        results["fw.no-allow-any"]
            .reason
            .contains("rule collection groups")
    );
}

#[test]
fn gateway_checks_fail_on_legacy_settings() {
    let results = network_results(&gaps_set());
    let gateway = |id: &str| resource(&results[id], "/agw-payments").clone();
    assert!(gateway("agw.waf-prevention").reason.contains("Detection"));
    assert!(gateway("agw.owasp-ruleset").reason.contains("OWASP 3.0"));
    let tls = gateway("agw.tls12");
    assert!(
        tls.reason
            .contains("AppGwSslPolicy20170401 (minimum TLSv1_1)"),
        "{}",
        tls.reason
    );
    assert!(
        tls.reason.contains("TLS profile legacy-clients"),
        "{}",
        tls.reason
    );
    let http = gateway("agw.no-plain-http");
    assert!(http.reason.contains("listener-http"), "{}", http.reason);
    assert!(http.reason.contains("paths-http"), "{}", http.reason);
    // The WAF policy no imported gateway uses is judged on its own.
    let waf = resource(&results["agw.waf-prevention"], "/waf-payments-legacy");
    assert_eq!(waf.status, CheckStatus::Fail);
    let owasp = resource(&results["agw.owasp-ruleset"], "/waf-payments-legacy");
    assert!(owasp.reason.contains("OWASP 3.1"), "{}", owasp.reason);
}

#[test]
fn a_standard_gateway_has_no_waf_but_can_pass_tls_and_http() {
    let (set, formats) = import(&["standard-az/application-gateway-list.json"]);
    assert_eq!(formats, vec![Format::AzureApplicationGateway]);
    let results = network_results(&set);
    assert_eq!(status_of(&results, "agw.waf-enabled"), CheckStatus::Fail);
    assert!(results["agw.waf-enabled"].reason.contains("Standard_v2"));
    assert_eq!(status_of(&results, "agw.waf-prevention"), CheckStatus::Fail);
    assert_eq!(status_of(&results, "agw.owasp-ruleset"), CheckStatus::Fail);
    assert_eq!(status_of(&results, "agw.tls12"), CheckStatus::Pass);
    assert!(results["agw.tls12"].reason.contains("TLSv1_3"));
    assert_eq!(status_of(&results, "agw.no-plain-http"), CheckStatus::Pass);
}

#[test]
fn a_redirect_to_an_http_listener_is_plain_http() {
    let bytes = fixture_bytes("compliant-az/application-gateway-show.json");
    let mut gateway: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let target = gateway["redirectConfigurations"][0]["targetListener"]["id"]
        .as_str()
        .unwrap()
        .replace("listener-https", "listener-http");
    gateway["redirectConfigurations"][0]["targetListener"]["id"] = target.into();
    let file = import_bytes(
        "edited.json",
        serde_json::to_string(&gateway).unwrap().as_bytes(),
        Utc.timestamp_opt(0, 0).unwrap(),
    )
    .unwrap();
    let mut set = EvidenceSet::default();
    set.add(file);
    let results = network_results(&set);
    assert_eq!(status_of(&results, "agw.no-plain-http"), CheckStatus::Fail);
    assert!(results["agw.no-plain-http"].reason.contains("not HTTPS"));
    // The attached WAF policy was not imported: it is attached (enabled
    // passes) but its mode and rule sets are unknown.
    assert_eq!(status_of(&results, "agw.waf-enabled"), CheckStatus::Pass);
    assert_eq!(
        status_of(&results, "agw.waf-prevention"),
        CheckStatus::NotEvaluated
    );
    assert!(
        results["agw.waf-prevention"]
            .reason
            .contains("waf-policy show")
    );
}

#[test]
fn template_expressions_are_not_evaluated_and_named() {
    let (set, _) = import(&["template/hub-and-gateway.jsonc"]);
    let results = network_results(&set);
    let expect = |id: &str, needle: &str| {
        assert_eq!(
            results[id].status,
            CheckStatus::NotEvaluated,
            "{id}: {}",
            results[id].reason
        );
        assert!(
            results[id].reason.contains(needle),
            "{id}: {}",
            results[id].reason
        );
    };
    expect("nsg.no-ssh-rdp-from-internet", "[parameters('mgmtPort')]");
    // The firewall's policy is found within the template; its mode is a parameter.
    expect("fw.threat-intel-deny", "[parameters('threatIntelMode')]");
    // A parameter could be `*`; a concat ending in a literal could not.
    expect("fw.no-allow-any", "[parameters('partnerFqdn')]");
    assert!(
        !results["fw.no-allow-any"]
            .reason
            .contains("monitoring.azure.com")
    );
    expect("agw.tls12", "sslPolicy is not in the evidence");
    expect("agw.waf-prevention", "[parameters('wafMode')]");
    // What the template states literally is still judged.
    assert_eq!(status_of(&results, "fw.app-rules-https"), CheckStatus::Pass);
    assert_eq!(status_of(&results, "agw.waf-enabled"), CheckStatus::Pass);
    assert_eq!(status_of(&results, "agw.owasp-ruleset"), CheckStatus::Pass);
    assert_eq!(status_of(&results, "agw.no-plain-http"), CheckStatus::Pass);
}

#[test]
fn a_gateway_nsg_shared_with_node_pools_may_not_admit_the_internet() {
    let bytes = fixture_bytes("compliant-az/nsg-list.json");
    let mut nsgs: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let shared = serde_json::json!({"id": compliant_subnet("snet-cluster-systemnodepool"), "resourceGroup": "rg-bu0001a0005"});
    nsgs[1]["subnets"].as_array_mut().unwrap().push(shared);
    let file = import_bytes(
        "edited-nsgs.json",
        serde_json::to_string(&nsgs).unwrap().as_bytes(),
        Utc.timestamp_opt(0, 0).unwrap(),
    )
    .unwrap();
    let (mut set, _) = import(&["compliant-az/application-gateway-show.json"]);
    set.add(file);
    set.evidence.azure.clusters.push(compliant_cluster());
    let results = network_results(&set);
    let check = &results["nsg.inbound-internet-only-to-gateway"];
    let gateway = resource(check, "-appgw");
    assert_eq!(gateway.status, CheckStatus::Fail);
    assert!(
        gateway.reason.contains("Allow443InBound"),
        "{}",
        gateway.reason
    );
    assert!(
        gateway.reason.contains("node-pool subnet"),
        "{}",
        gateway.reason
    );
}

#[test]
fn associations_stated_by_the_vnet_are_followed() {
    let (mut set, _) = import(&["gaps-arm/nsg-list.json", "gaps-arm/route-table-list.json"]);
    let vnet_id = format!(
        "{GAPS_SUB}/resourceGroups/rg-payments-aks/providers/Microsoft.Network/virtualNetworks/vnet-payments"
    );
    let mut vnet = bare_vnet(&vnet_id, &["snet-extra", "snet-elsewhere"]);
    let rg = format!("{GAPS_SUB}/resourceGroups/rg-payments-aks/providers/Microsoft.Network");
    vnet.subnets[0].nsg_id = Field::known(
        format!("{rg}/networkSecurityGroups/NSG-JUMPBOX"),
        "/properties/subnets/0/properties/networkSecurityGroup/id",
    );
    vnet.subnets[0].route_table_id = Field::known(
        format!("{rg}/routeTables/rt-payments"),
        "/properties/subnets/0/properties/routeTable/id",
    );
    vnet.subnets[1].nsg_id = Field::known(
        format!("{rg}/networkSecurityGroups/nsg-not-exported"),
        "/properties/subnets/1/properties/networkSecurityGroup/id",
    );
    vnet.subnets[1].route_table_id = Field::known(
        format!("{rg}/routeTables/rt-not-exported"),
        "/properties/subnets/1/properties/routeTable/id",
    );
    set.evidence.azure.vnets.push(vnet);
    set.evidence.azure.clusters.push(cluster(&[
        ("extra", Some(gaps_subnet("snet-extra"))),
        ("elsewhere", Some(gaps_subnet("snet-elsewhere"))),
    ]));
    let results = network_results(&set);
    let covered = &results["nsg.node-subnets-covered"];
    let extra = resource(covered, "/snet-extra");
    assert_eq!(extra.status, CheckStatus::Pass);
    assert!(extra.reason.contains("nsg-jumpbox"), "{}", extra.reason);
    // An NSG the VNet names but that was not exported still covers the subnet.
    assert_eq!(
        resource(covered, "/snet-elsewhere").status,
        CheckStatus::Pass
    );
    let route = &results["route.default-via-firewall"];
    assert!(
        resource(route, "/snet-extra")
            .reason
            .contains("rt-payments sends 0.0.0.0/0 to Internet")
    );
    let missing = resource(route, "/snet-elsewhere");
    assert_eq!(missing.status, CheckStatus::NotEvaluated);
    assert!(
        missing.reason.contains("rt-not-exported"),
        "{}",
        missing.reason
    );
    // The NSG the VNet puts on snet-extra now sits on a node-pool subnet.
    let inbound = resource(
        &results["nsg.inbound-internet-only-to-gateway"],
        "/nsg-jumpbox",
    );
    assert!(
        inbound.reason.contains("node-pool subnet"),
        "{}",
        inbound.reason
    );
}

#[test]
fn a_listener_with_its_own_waf_policy_is_judged_by_it() {
    let legacy = format!(
        "{GAPS_SUB}/resourceGroups/rg-payments-aks/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/waf-payments-legacy"
    );
    let bytes = fixture_bytes("compliant-az/application-gateway-show.json");
    let mut gateway: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    gateway["httpListeners"][0]["firewallPolicy"] = serde_json::json!({"id": legacy});
    let edited = import_bytes(
        "edited-gateway.json",
        serde_json::to_string(&gateway).unwrap().as_bytes(),
        Utc.timestamp_opt(0, 0).unwrap(),
    )
    .unwrap();
    let (mut set, _) = import(&[
        "compliant-az/waf-policy-show.json",
        "gaps-arm/waf-policy-list.json",
    ]);
    set.add(edited.clone());
    let results = network_results(&set);
    let prevention = &results["agw.waf-prevention"];
    assert_eq!(prevention.status, CheckStatus::Fail);
    // One result for the gateway; the listener's policy is not judged twice.
    assert_eq!(prevention.resources.len(), 1, "{:#?}", prevention.resources);
    assert!(
        prevention.resources[0].reason.contains(
            "listener listener-https: WAF policy waf-payments-legacy is in Detection mode"
        ),
        "{}",
        prevention.resources[0].reason
    );
    assert_eq!(status_of(&results, "agw.owasp-ruleset"), CheckStatus::Fail);

    // Without the listener's policy: the gateway's own policy passes, the
    // listener's cannot be judged.
    let (mut set, _) = import(&["compliant-az/waf-policy-show.json"]);
    set.add(edited);
    let results = network_results(&set);
    assert_eq!(
        status_of(&results, "agw.waf-prevention"),
        CheckStatus::NotEvaluated
    );
    assert!(
        results["agw.waf-prevention"]
            .reason
            .contains("waf-payments-legacy")
    );
}

#[test]
fn malformed_resources_are_not_evaluated_not_crashes() {
    let odd = serde_json::json!({"value": [
        {"type": "Microsoft.Network/networkSecurityGroups", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/odd",
         "properties": {"securityRules": "not a list", "subnets": [1, {"id": 2}, null]}},
        {"type": "Microsoft.Network/networkSecurityGroups", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/odd-rules",
         "properties": {"securityRules": [null, 7, {"properties": {"access": "Allow", "direction": "Inbound", "protocol": 6,
            "sourceAddressPrefix": ["Internet"], "destinationPortRange": "ssh", "priority": "high"}}]}},
        {"type": "Microsoft.Network/routeTables", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/routeTables/odd",
         "properties": {"routes": [{"properties": {"addressPrefix": {"x": 1}, "nextHopType": null}}], "subnets": "none"}},
        {"type": "Microsoft.Network/azureFirewalls", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/azureFirewalls/odd",
         "properties": {"threatIntelMode": 3, "networkRuleCollections": [{"properties": {"action": "Allow", "rules": {"a": 1}}}],
            "applicationRuleCollections": [{"properties": {"action": {"type": "Allow"}, "rules": [{"protocols": "Https:443", "targetFqdns": [1]}]}}],
            "natRuleCollections": null, "ipConfigurations": [{"properties": {"privateIPAddress": [1]}}]}},
        {"type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups", "id": "/x/providers/Microsoft.Network/firewallPolicies/p/ruleCollectionGroups/g",
         "properties": {"ruleCollections": [{"ruleCollectionType": "Mystery", "rules": []}, {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "action": {"type": "Allow"}, "rules": [{"ruleType": "Oddity"}]}]}},
        {"type": "Microsoft.Network/applicationGateways", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/applicationGateways/odd",
         "properties": {"sku": "WAF_v2", "sslPolicy": "strong", "httpListeners": [{"properties": {"protocol": "Http"}}],
            "requestRoutingRules": [{"properties": {"httpListener": {"id": 5}}}], "webApplicationFirewallConfiguration": {"enabled": "maybe"},
            "gatewayIPConfigurations": [{"properties": {"subnet": null}}], "sslProfiles": [{"properties": {"sslPolicy": {"policyType": "Custom"}}}]}},
        {"type": "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/odd",
         "properties": {"policySettings": [], "managedRules": {"managedRuleSets": [{"ruleSetType": "OWASP", "ruleSetVersion": "three"}]}}}
    ]});
    let file = import_bytes(
        "odd.json",
        serde_json::to_string(&odd).unwrap().as_bytes(),
        Utc.timestamp_opt(0, 0).unwrap(),
    )
    .unwrap();
    assert_eq!(file.provenance.format, Format::AzureResources);
    let mut set = EvidenceSet::default();
    set.add(file);
    set.evidence
        .azure
        .clusters
        .push(cluster(&[("p", Some(gaps_subnet("snet-odd")))]));
    let results = network_results(&set);
    for (id, result) in &results {
        assert_ne!(
            result.status,
            CheckStatus::Pass,
            "{id} passed on nonsense: {}",
            result.reason
        );
    }
    assert!(
        results["nsg.no-ssh-rdp-from-internet"]
            .reason
            .contains("securityRules has an unexpected value")
    );
    assert!(
        results["agw.tls12"]
            .reason
            .contains("sslPolicy has an unexpected value")
    );
}

#[test]
fn https_reasons_count_only_application_rules() {
    // A network rule collection group holds no application rules: its pass
    // must say so rather than claim its network rules as application rules.
    let (set, _) = import(&["compliant-az/rule-collection-group-list.json"]);
    let results = network_results(&set);
    let https = &results["fw.app-rules-https"];
    let network = resource(https, "/DefaultNetworkRuleCollectionGroup");
    assert_eq!(network.status, CheckStatus::Pass);
    assert_eq!(
        network.reason,
        "no Allow application rule(s) in this rule set (2 other rule(s) read)"
    );
    let application = resource(https, "/DefaultApplicationRuleCollectionGroup");
    assert_eq!(
        application.reason,
        "every application rule allows Https on port 443 only (2 application rule(s) read)"
    );
    let any = resource(
        &results["fw.no-allow-any"],
        "/DefaultNetworkRuleCollectionGroup",
    );
    assert!(any.reason.ends_with("(2 rule(s) read)"), "{}", any.reason);
}
