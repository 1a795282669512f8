//! Network resources: security groups and their rules, route tables and
//! their routes, virtual networks and subnets with their associations, and
//! Azure Firewall with its policy and rule collection groups.

use super::values::Tf;
use super::{Estate, Resource};
use crate::evidence::Field;
use crate::evidence::azure::{
    AppProtocol, AzureEvidence, CollectionKind, Firewall, FirewallPolicy, FirewallRule, Nsg, Route,
    RouteTable, RuleCollection, RuleCollectionGroup, RuleKind, SecurityRule, Subnet,
    VirtualNetwork,
};

/// Why a subnet's NSG or route table is not known from `azurerm_subnet`.
const ASSOCIATION_ELSEWHERE: &str = "is not recorded by azurerm_subnet (an association resource states it, and none in this Terraform output names this subnet)";

pub(super) fn nsg(estate: &Estate<'_>, r: &Resource<'_>) -> Nsg {
    let rules = r
        .values
        .list_of("security_rule", security_rule)
        .unwrap_or_else(|| Field::known(Vec::new(), r.values.pointer()));
    Nsg {
        info: estate.info(r),
        rules,
        default_rules: Vec::new(),
        subnet_ids: Vec::new(),
        network_interface_ids: Vec::new(),
    }
}

fn security_rule(rule: &Tf<'_>) -> SecurityRule {
    SecurityRule {
        name: rule.name_or("rule"),
        pointer: rule.pointer().to_owned(),
        is_default: false,
        direction: rule.string("direction"),
        access: rule.string("access"),
        protocol: rule.string("protocol"),
        priority: rule.int("priority"),
        source_prefixes: rule.one_and_many("source_address_prefix", "source_address_prefixes"),
        source_asg_ids: rule
            .strings("source_application_security_group_ids")
            .value()
            .cloned()
            .unwrap_or_default(),
        destination_prefixes: rule
            .one_and_many("destination_address_prefix", "destination_address_prefixes"),
        destination_ports: rule.one_and_many("destination_port_range", "destination_port_ranges"),
    }
}

pub(super) fn route_table(estate: &Estate<'_>, r: &Resource<'_>) -> RouteTable {
    let v = &r.values;
    let routes = v
        .list_of("route", route)
        .unwrap_or_else(|| Field::known(Vec::new(), v.pointer()));
    RouteTable {
        info: estate.info(r),
        routes,
        subnet_ids: v.strings("subnets").value().cloned().unwrap_or_default(),
        disable_bgp_route_propagation: match v.bool("bgp_route_propagation_enabled") {
            Field::Missing => v.bool("disable_bgp_route_propagation"),
            enabled => enabled.map(|on| !on),
        },
    }
}

fn route(route: &Tf<'_>) -> Route {
    Route {
        name: route.name_or("route"),
        pointer: route.pointer().to_owned(),
        address_prefix: route.string("address_prefix"),
        next_hop_type: route.string("next_hop_type"),
        next_hop_ip: route.string("next_hop_in_ip_address"),
    }
}

pub(super) fn vnet(estate: &Estate<'_>, r: &Resource<'_>) -> VirtualNetwork {
    let v = &r.values;
    let ddos = v.block("ddos_protection_plan");
    VirtualNetwork {
        info: estate.info(r),
        address_space: known_strings(v, "address_space"),
        subnets: v
            .get("subnet")
            .map(|list| list.items().iter().map(inline_subnet).collect())
            .unwrap_or_default(),
        ddos_protection: match &ddos {
            Some(plan) => plan.bool("enable"),
            None => match v.get("ddos_protection_plan") {
                Some(empty) => Field::NotSet {
                    pointer: empty.pointer().to_owned(),
                },
                None => Field::Missing,
            },
        },
        ddos_protection_plan: match &ddos {
            Some(plan) => plan.string("id"),
            None => Field::Missing,
        },
    }
}

/// The strings of the list `path`, none when it is not a known list.
fn known_strings(values: &Tf<'_>, path: &str) -> Vec<String> {
    match values.strings(path) {
        Field::Known { value, .. } => value,
        _ => Vec::new(),
    }
}

/// A subnet's `address_prefixes` (and the older single `address_prefix`).
fn subnet_prefixes(subnet: &Tf<'_>) -> Vec<String> {
    let mut prefixes = known_strings(subnet, "address_prefixes");
    if let Field::Known { value, .. } = subnet.string("address_prefix")
        && !prefixes.contains(&value)
    {
        prefixes.push(value);
    }
    prefixes
}

/// A subnet written inside `azurerm_virtual_network` (`subnet` blocks).
fn inline_subnet(subnet: &Tf<'_>) -> Subnet {
    Subnet {
        id: subnet.string("id"),
        name: subnet.string("name"),
        pointer: subnet.pointer().to_owned(),
        address_prefixes: subnet_prefixes(subnet),
        nsg_id: subnet.string("security_group"),
        route_table_id: Field::Withheld {
            why: ASSOCIATION_ELSEWHERE.to_owned(),
            pointer: subnet.pointer().to_owned(),
        },
        app_gateway_ip_configurations: Vec::new(),
    }
}

/// A separate `azurerm_subnet`, with its NSG and route table from the
/// association resources that name it.
fn subnet_resource(estate: &Estate<'_>, r: &Resource<'_>) -> Subnet {
    let association = |kind: &str, attr: &str| -> Field<String> {
        estate
            .of_kind(kind)
            .find(|a| estate.refers_to(a, "subnet_id", r))
            .map(|a| estate.reference_id(a, attr))
            .unwrap_or_else(|| Field::Withheld {
                why: ASSOCIATION_ELSEWHERE.to_owned(),
                pointer: r.values.pointer().to_owned(),
            })
    };
    Subnet {
        id: match estate.arm_id(r) {
            Some(id) => Field::known(id, r.values.pointer()),
            None => r.values.string("id"),
        },
        name: r.values.string("name"),
        pointer: r.values.pointer().to_owned(),
        address_prefixes: subnet_prefixes(&r.values),
        nsg_id: association(
            "azurerm_subnet_network_security_group_association",
            "network_security_group_id",
        ),
        route_table_id: association("azurerm_subnet_route_table_association", "route_table_id"),
        app_gateway_ip_configurations: Vec::new(),
    }
}

/// Puts the parts written as resources of their own into their parents:
/// rules into security groups, routes into route tables, subnets into
/// networks, and subnet associations on both sides.
pub(super) fn attach_parts(estate: &Estate<'_>, out: &mut AzureEvidence) {
    let nsgs: Vec<&Resource<'_>> = estate.of_kind("azurerm_network_security_group").collect();
    for (i, rule) in parts_of(
        estate,
        "azurerm_network_security_rule",
        "network_security_group_name",
        &nsgs,
    ) {
        if let Field::Known { value, .. } = &mut out.nsgs[i].rules {
            value.push(security_rule(&rule.values));
        }
    }
    let nsg_links = "azurerm_subnet_network_security_group_association";
    for (i, subnet) in associations(estate, nsg_links, "network_security_group_id", &nsgs) {
        out.nsgs[i].subnet_ids.push(subnet);
    }
    let tables: Vec<&Resource<'_>> = estate.of_kind("azurerm_route_table").collect();
    for (i, part) in parts_of(estate, "azurerm_route", "route_table_name", &tables) {
        if let Field::Known { value, .. } = &mut out.route_tables[i].routes {
            value.push(route(&part.values));
        }
    }
    let table_links = "azurerm_subnet_route_table_association";
    for (i, subnet) in associations(estate, table_links, "route_table_id", &tables) {
        let ids = &mut out.route_tables[i].subnet_ids;
        if !ids.iter().any(|s| s.eq_ignore_ascii_case(&subnet)) {
            ids.push(subnet);
        }
    }
    let vnets: Vec<&Resource<'_>> = estate.of_kind("azurerm_virtual_network").collect();
    for (i, subnet) in parts_of(estate, "azurerm_subnet", "virtual_network_name", &vnets) {
        out.vnets[i].subnets.push(subnet_resource(estate, subnet));
    }
}

/// The resources of `kind` that name one of `parents` by `name_attr`, each
/// with its parent's position.
fn parts_of<'e, 'a>(
    estate: &'e Estate<'a>,
    kind: &'e str,
    name_attr: &'e str,
    parents: &'e [&Resource<'a>],
) -> impl Iterator<Item = (usize, &'e Resource<'a>)> + 'e {
    estate.of_kind(kind).filter_map(move |part| {
        let i = parents
            .iter()
            .position(|p| estate.names(part, name_attr, p))?;
        Some((i, part))
    })
}

/// The subnet IDs the association resources of `kind` give one of
/// `parents` (named by `attr`), each with its parent's position.
fn associations<'e>(
    estate: &'e Estate<'_>,
    kind: &'e str,
    attr: &'e str,
    parents: &'e [&Resource<'_>],
) -> impl Iterator<Item = (usize, String)> + 'e {
    estate.of_kind(kind).filter_map(move |link| {
        let i = parents
            .iter()
            .position(|p| estate.refers_to(link, attr, p))?;
        Some((i, estate.reference_id(link, "subnet_id").value()?.clone()))
    })
}

pub(super) fn firewall(estate: &Estate<'_>, r: &Resource<'_>) -> Firewall {
    let v = &r.values;
    let policy_id = estate.reference_id(r, "firewall_policy_id");
    // Classic rule collections are resources of their own
    // (azurerm_firewall_*_rule_collection), not read from Terraform.
    let classic = |pointer: &str| -> Field<Vec<RuleCollection>> {
        Field::Withheld {
            why: "is not read from Terraform (classic rule collections are azurerm_firewall_*_rule_collection resources); export az network firewall show".to_owned(),
            pointer: pointer.to_owned(),
        }
    };
    Firewall {
        info: estate.info(r),
        sku_tier: v.string("sku_tier"),
        threat_intel_mode: v.string("threat_intel_mode"),
        application_rule_collections: classic(v.pointer()),
        network_rule_collections: classic(v.pointer()),
        nat_rule_collections: classic(v.pointer()),
        private_ips: v
            .get("ip_configuration")
            .map(|list| {
                list.items()
                    .iter()
                    .map(|c| c.string("private_ip_address"))
                    .collect()
            })
            .unwrap_or_default(),
        policy_id: match policy_id {
            Field::NotSet { .. } => Field::Missing,
            found => found,
        },
    }
}

pub(super) fn firewall_policy(estate: &Estate<'_>, r: &Resource<'_>) -> FirewallPolicy {
    let v = &r.values;
    FirewallPolicy {
        info: estate.info(r),
        threat_intel_mode: v.string("threat_intelligence_mode"),
        base_policy_id: estate.reference_id(r, "base_policy_id"),
        sku_tier: v.string("sku"),
    }
}

pub(super) fn rule_collection_group(estate: &Estate<'_>, r: &Resource<'_>) -> RuleCollectionGroup {
    let v = &r.values;
    let mut collections = Vec::new();
    for (attr, kind) in [
        ("application_rule_collection", RuleKind::Application),
        ("network_rule_collection", RuleKind::Network),
        ("nat_rule_collection", RuleKind::Nat),
    ] {
        for collection in v.get(attr).map(|l| l.items()).unwrap_or_default() {
            collections.push(rule_collection(&collection, &kind));
        }
    }
    let mut info = estate.info(r);
    // The group's ID names its policy, which is how checks place it.
    if info.id.is_none() {
        info.id = estate.arm_id(r);
    }
    RuleCollectionGroup {
        info,
        priority: v.int("priority"),
        rule_collections: Field::known(collections, v.pointer()),
    }
}

fn rule_collection(collection: &Tf<'_>, kind: &RuleKind) -> RuleCollection {
    let rules = collection
        .get("rule")
        .map(|list| {
            list.items()
                .iter()
                .map(|rule| firewall_rule(rule, kind))
                .collect()
        })
        .unwrap_or_default();
    RuleCollection {
        name: collection.name_or("collection"),
        pointer: collection.pointer().to_owned(),
        kind: if *kind == RuleKind::Nat {
            CollectionKind::PolicyNat
        } else {
            CollectionKind::PolicyFilter
        },
        action: collection.string("action"),
        priority: collection.int("priority"),
        rules: Field::known(rules, collection.pointer()),
    }
}

fn firewall_rule(rule: &Tf<'_>, kind: &RuleKind) -> FirewallRule {
    let list = |key: &str| match rule.strings(key) {
        Field::Missing | Field::NotSet { .. } => Field::known(Vec::new(), rule.pointer()),
        found => found,
    };
    let none = || Field::known(Vec::new(), rule.pointer());
    let application = *kind == RuleKind::Application;
    FirewallRule {
        name: rule.name_or("rule"),
        pointer: rule.pointer().to_owned(),
        kind: kind.clone(),
        source_addresses: list("source_addresses"),
        source_ip_groups: list("source_ip_groups"),
        destination_addresses: list("destination_addresses"),
        destination_ip_groups: list("destination_ip_groups"),
        destination_fqdns: if application {
            none()
        } else {
            list("destination_fqdns")
        },
        destination_ports: list("destination_ports"),
        ip_protocols: if application {
            none()
        } else {
            list("protocols")
        },
        app_protocols: if application {
            app_protocols(rule)
        } else {
            Field::known(Vec::new(), rule.pointer())
        },
        target_fqdns: if application {
            list("destination_fqdns")
        } else {
            none()
        },
        fqdn_tags: list("destination_fqdn_tags"),
        target_urls: list("destination_urls"),
        web_categories: list("web_categories"),
    }
}

fn app_protocols(rule: &Tf<'_>) -> Field<Vec<AppProtocol>> {
    let Some(list) = rule.get("protocols") else {
        return Field::known(Vec::new(), rule.pointer());
    };
    Field::known(
        list.items()
            .iter()
            .map(|p| AppProtocol {
                pointer: p.pointer().to_owned(),
                protocol_type: p.string("type"),
                port: p.int("port"),
            })
            .collect(),
        list.pointer(),
    )
}
