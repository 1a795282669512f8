//! The network importers and checks on the real tool outputs in
//! `../shared/evidence-formats` (skipped, saying so, when that is absent).

mod common;

use chrono::{TimeZone, Utc};
use tickmark::checks::{CheckResult, CheckStatus, ResourceResult, Settings, evaluate};
use tickmark::evidence::{EvidenceSet, Format, import_bytes};

/// Imports real samples; `None` (after saying so) when they are not here.
fn import(files: &[&str]) -> Option<(EvidenceSet, Vec<Format>)> {
    let shared = common::shared_dir()?;
    let mut set = EvidenceSet::default();
    let mut formats = Vec::new();
    for file in files {
        let path = shared.join("evidence-formats").join(file);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let imported = import_bytes(file, &bytes, Utc.timestamp_opt(0, 0).unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        formats.push(imported.provenance.format);
        set.add(imported);
    }
    Some((set, formats))
}

fn check(set: &EvidenceSet, id: &str) -> CheckResult {
    let results = evaluate(set, &Settings::default());
    let mut found = results.iter().filter(|r| r.check == id);
    let result = found
        .next()
        .unwrap_or_else(|| panic!("{id}: no result"))
        .clone();
    assert!(found.next().is_none(), "{id}: more than one result");
    result
}

fn resource<'a>(result: &'a CheckResult, suffix: &str) -> &'a ResourceResult {
    result
        .resources
        .iter()
        .find(|r| r.resource.ends_with(suffix))
        .unwrap_or_else(|| panic!("{}: no resource ending {suffix}", result.check))
}

#[test]
fn rest_list_nsgs_fail_on_port_80_and_ssh_from_anywhere() {
    let Some((set, formats)) = import(&["arm-rest-lists/nsg-list.json"]) else {
        return;
    };
    assert_eq!(formats, vec![Format::AzureNsg]);
    assert_eq!(set.evidence.azure.nsgs.len(), 2);
    assert_eq!(set.evidence.azure.nsgs[0].default_rules.len(), 6);

    let inbound = check(&set, "nsg.inbound-internet-only-to-gateway");
    assert_eq!(inbound.status, CheckStatus::Fail);
    let c7n = resource(&inbound, "/c7n-nsg");
    assert_eq!(c7n.status, CheckStatus::Fail);
    assert!(
        c7n.reason
            .contains("rule test1 (priority 300) allows any protocol on 80 from *"),
        "{}",
        c7n.reason
    );
    // The port list `8080-8084, 8086` is read too.
    assert!(c7n.reason.contains("8080-8084, 8086"), "{}", c7n.reason);
    // Deny rules and outbound rules are not internet allowances.
    assert!(!c7n.reason.contains("test3") && !c7n.reason.contains("test5"));

    let ssh = check(&set, "nsg.no-ssh-rdp-from-internet");
    assert_eq!(ssh.status, CheckStatus::Fail);
    // `22-22` is a range holding 22.
    let master = resource(&ssh, "k8s-master-C02B7042-nsg");
    assert!(
        master
            .reason
            .contains("allow_ssh (priority 101) allows TCP 22-22 from *"),
        "{}",
        master.reason
    );
    // c7n-nsg denies 22 inbound and allows it only outbound.
    assert_eq!(resource(&ssh, "/c7n-nsg").status, CheckStatus::Pass);

    let protocol = check(&set, "nsg.rules-restrict-protocol");
    assert_eq!(resource(&protocol, "/c7n-nsg").status, CheckStatus::Fail);
    assert_eq!(
        resource(&protocol, "k8s-master-C02B7042-nsg").status,
        CheckStatus::Pass
    );
}

#[test]
fn az_cli_nsg_lists_are_read_with_their_subnets() {
    let Some((set, formats)) = import(&[
        "az-network-nsg-list/grouper-13-nsgs-incl-aks.json",
        "az-network-nsg-list/rebloc-1-nsg-2018.json",
    ]) else {
        return;
    };
    assert_eq!(formats, vec![Format::AzureNsg, Format::AzureNsg]);
    let nsgs = &set.evidence.azure.nsgs;
    assert_eq!(nsgs.len(), 14);
    let bastion = nsgs
        .iter()
        .find(|n| n.info.name.as_deref() == Some("devvnet259-AzureBastionSubnet-nsg-eastus2"))
        .unwrap();
    assert!(bastion.subnet_ids[0].ends_with("/subnets/AzureBastionSubnet"));
    // `destinationPortRange: null` with a list: the list is read.
    let outbound = bastion
        .rules
        .value()
        .unwrap()
        .iter()
        .find(|r| r.name == "AllowSshRdpOutbound")
        .unwrap();
    assert_eq!(
        outbound.destination_ports.value().unwrap(),
        &vec!["22".to_owned(), "3389".to_owned()]
    );

    let ssh = check(&set, "nsg.no-ssh-rdp-from-internet");
    assert_eq!(ssh.status, CheckStatus::Fail);
    assert!(
        resource(&ssh, "/win10-vs-nsg")
            .reason
            .contains("AllowAnyRDPInbound")
    );
    assert!(
        resource(&ssh, "/rebloc-trial-nsg")
            .reason
            .contains("rule ssh (priority 200)")
    );
    // A source prefix list of two addresses is not the internet.
    assert!(!resource(&ssh, "/win10-vs-nsg").reason.contains("rule RDP "));
    // Port 222 is not SSH's 22.
    assert_eq!(resource(&ssh, "/defaultsn-nsg").status, CheckStatus::Pass);

    let inbound = check(&set, "nsg.inbound-internet-only-to-gateway");
    let aks = resource(&inbound, "/aks-agentpool-13379102-nsg");
    assert_eq!(aks.status, CheckStatus::Fail);
    assert!(
        aks.reason.contains("TCP 80 from Internet"),
        "{}",
        aks.reason
    );
    // Bastion's subnet must admit 443 from the internet; only that is open.
    let bastion = resource(&inbound, "AzureBastionSubnet-nsg-eastus2");
    assert_eq!(bastion.status, CheckStatus::Pass, "{}", bastion.reason);
    assert!(bastion.reason.contains("Bastion"));
}

#[test]
fn route_tables_without_clusters_are_listed_but_not_evaluated() {
    let Some((set, formats)) = import(&["arm-rest-lists/route-tables-list.json"]) else {
        return;
    };
    assert_eq!(formats, vec![Format::AzureRouteTable]);
    let tables = &set.evidence.azure.route_tables;
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[1].routes.value().unwrap().len(), 4);
    assert!(tables[1].subnet_ids[0].ends_with("/subnets/k8s-subnet"));
    let route = check(&set, "route.default-via-firewall");
    assert_eq!(route.status, CheckStatus::NotEvaluated);
    assert!(route.reason.contains("az aks show"));
    // Neither table has a default route; the reviewer is told so.
    assert!(
        route
            .resources
            .iter()
            .all(|r| r.reason.contains("has no 0.0.0.0/0 route"))
    );
}

#[test]
fn rest_list_gateways_and_waf_policy() {
    let Some((set, formats)) = import(&[
        "arm-rest-lists/appgw-waf-list.json",
        "arm-rest-lists/appgw-waf-list-2.json",
    ]) else {
        return;
    };
    assert_eq!(
        formats,
        vec![Format::AzureApplicationGateway, Format::AzureWafPolicy]
    );
    let gateways = &set.evidence.azure.app_gateways;
    assert_eq!(gateways.len(), 4);
    assert!(
        gateways[0].gateway_subnet_ids[0]
            .value()
            .unwrap()
            .ends_with("/subnets/cfb-rypimkfr-frontend")
    );

    let enabled = check(&set, "agw.waf-enabled");
    assert_eq!(
        resource(&enabled, "/cfb-rypimkfr-app-gateway").status,
        CheckStatus::Pass
    );
    // Gateways 2 and 3 use the imported policy, whose state is Disabled.
    assert!(
        resource(&enabled, "/cfb-rypimkfr-app-gateway-2")
            .reason
            .contains("Disabled")
    );
    assert!(
        resource(&enabled, "/cfb-rypimkfr-app-gateway-4")
            .reason
            .contains("SKU tier Standard")
    );

    let prevention = check(&set, "agw.waf-prevention");
    assert_eq!(prevention.status, CheckStatus::Fail);
    assert!(
        resource(&prevention, "/cfb-rypimkfr-app-gateway")
            .reason
            .contains("Detection")
    );

    let owasp = check(&set, "agw.owasp-ruleset");
    assert_eq!(
        resource(&owasp, "/cfb-rypimkfr-app-gateway").status,
        CheckStatus::Pass
    );
    assert_eq!(
        resource(&owasp, "/cfb-rypimkfr-app-gateway-3").status,
        CheckStatus::Pass
    );

    let tls = check(&set, "agw.tls12");
    assert_eq!(tls.status, CheckStatus::Fail);
    assert!(
        tls.resources
            .iter()
            .all(|r| r.reason.contains("AppGwSslPolicy20150501"))
    );

    let http = check(&set, "agw.no-plain-http");
    assert_eq!(http.status, CheckStatus::Fail);
    assert!(http.resources.iter().all(|r| r.status == CheckStatus::Fail));
}

#[test]
fn waf_policy_alone_is_judged_on_its_own() {
    let Some((set, _)) = import(&["arm-rest-lists/appgw-waf-list-2.json"]) else {
        return;
    };
    let prevention = check(&set, "agw.waf-prevention");
    assert_eq!(prevention.status, CheckStatus::Fail);
    assert!(
        prevention.reason.contains("Disabled"),
        "{}",
        prevention.reason
    );
    assert_eq!(check(&set, "agw.owasp-ruleset").status, CheckStatus::Pass);
    // Whether a WAF is on is a property of a gateway.
    assert_eq!(
        check(&set, "agw.waf-enabled").status,
        CheckStatus::NotEvaluated
    );
}

#[test]
fn classic_firewall_template_allows_plain_http_for_package_mirrors() {
    let Some((set, formats)) =
        import(&["arm-templates/aks-baseline-regulated-hub-region-v2.jsonc"])
    else {
        return;
    };
    assert_eq!(formats, vec![Format::ArmTemplate]);
    let https = check(&set, "fw.app-rules-https");
    assert_eq!(https.status, CheckStatus::Fail);
    assert!(
        https
            .reason
            .contains("application rule apt-get allows Http:80"),
        "{}",
        https.reason
    );
    let intel = check(&set, "fw.threat-intel-deny");
    assert_eq!(intel.status, CheckStatus::Pass);
    // FQDNs built with concat(location, '.monitoring.azure.com') cannot be `*`.
    assert_eq!(check(&set, "fw.no-allow-any").status, CheckStatus::Pass);
}

#[test]
fn firewall_policy_template_links_firewall_policy_and_groups() {
    let Some((set, _)) = import(&["arm-templates/aks-baseline-hub-regionA-firewallpolicy.jsonc"])
    else {
        return;
    };
    let azure = &set.evidence.azure;
    assert_eq!(azure.firewall_policies.len(), 2);
    assert_eq!(azure.rule_collection_groups.len(), 4);
    // The firewall names its policy by a resourceId() expression of the same
    // template; the policy's Deny applies.
    let intel = check(&set, "fw.threat-intel-deny");
    assert_eq!(intel.status, CheckStatus::Pass);
    assert!(
        intel.reason.contains("[variables('fwPoliciesName')]"),
        "{}",
        intel.reason
    );
    // The base policy's DNS rule allows any source to any destination.
    let any = check(&set, "fw.no-allow-any");
    assert_eq!(any.status, CheckStatus::Fail);
    // The base policy's name is a literal variable, so its group's name resolves.
    let base = resource(&any, "fw-policies-base/DefaultNetworkRuleCollectionGroup");
    assert!(
        base.reason
            .contains("network rule DNS allows UDP from * to * on port(s) 53"),
        "{}",
        base.reason
    );
    assert_eq!(check(&set, "fw.app-rules-https").status, CheckStatus::Pass);
}

#[test]
fn spoke_template_gateway_nsg_opens_infrastructure_ports_to_everyone() {
    let Some((set, formats)) =
        import(&["arm-templates/aks-baseline-regulated-spoke-BU0001A0005-01.jsonc"])
    else {
        return;
    };
    assert_eq!(formats, vec![Format::ArmTemplate]);
    assert_eq!(set.evidence.azure.nsgs.len(), 8);
    assert_eq!(set.evidence.azure.route_tables.len(), 1);
    let inbound = check(&set, "nsg.inbound-internet-only-to-gateway");
    assert_eq!(inbound.status, CheckStatus::Fail);
    let gateway = resource(&inbound, "nsg-vnet-spoke-BU0001A0005-01-appgw");
    assert!(
        gateway.reason.contains("65200-65535 from *"),
        "{}",
        gateway.reason
    );
    assert!(
        gateway.reason.contains("GatewayManager"),
        "{}",
        gateway.reason
    );
    // The jump box rule's source is reference(...): not evaluated, named.
    let ssh = check(&set, "nsg.no-ssh-rdp-from-internet");
    assert_eq!(ssh.status, CheckStatus::NotEvaluated);
    assert!(
        ssh.reason.contains("AllowSshFromHubBastionInBound"),
        "{}",
        ssh.reason
    );
    assert!(ssh.reason.contains("[reference("), "{}", ssh.reason);
}

#[test]
fn cluster_stamp_gateway_passes_the_gateway_checks() {
    let Some((set, _)) = import(&["arm-templates/aks-baseline-regulated-cluster-stamp.jsonc"])
    else {
        return;
    };
    assert_eq!(set.evidence.azure.app_gateways.len(), 1);
    for id in [
        "agw.waf-enabled",
        "agw.waf-prevention",
        "agw.owasp-ruleset",
        "agw.tls12",
        "agw.no-plain-http",
    ] {
        let result = check(&set, id);
        assert_eq!(result.status, CheckStatus::Pass, "{id}: {}", result.reason);
    }
}

#[test]
fn template_subnets_name_their_nsg_by_expression() {
    // The hub template's VNet names the Bastion NSG of its AzureBastionSubnet
    // by `resourceId(...)`; the VNet importer links the two, so the Bastion
    // NSG's internet rule on 443 is judged as Bastion's.
    let file = "arm-templates/aks-baseline-regulated-hub-region-v2.jsonc";
    let Some((set, _)) = import(&[file]) else {
        return;
    };
    assert!(!set.evidence.azure.vnets.is_empty());
    let after = check(&set, "nsg.inbound-internet-only-to-gateway");
    assert_eq!(after.status, CheckStatus::Pass, "{}", after.reason);
    assert!(
        after.reason.contains("AllowWebExperienceInBound"),
        "{}",
        after.reason
    );
    assert!(after.reason.contains("Bastion"), "{}", after.reason);
}
