//! Azure Firewall, firewall policies and their rule collection groups
//! (classic rule collections too).
//!
//! Shapes read: `az network firewall show` / `list` and
//! `az network firewall policy show` / `rule-collection-group list` (the az
//! CLI flattens `properties` of the resource and of its parts), ARM REST
//! bodies and templates (`properties.*`, classic collections with their own
//! `properties`).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use super::sub_resources::{name_or_position, parts, reference, settings_of};
use crate::evidence::arm::ArmResource;
use crate::evidence::node::Node;
use crate::evidence::{Field, ImportContext, ImportError};

/// An Azure Firewall (`Microsoft.Network/azureFirewalls`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Firewall {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `sku.tier`: Basic, Standard or Premium.
    pub sku_tier: Field<String>,
    /// `threatIntelMode`: Off, Alert or Deny (ignored by Azure when a policy
    /// is attached; the policy's setting applies).
    pub threat_intel_mode: Field<String>,
    /// `firewallPolicy.id`, when the firewall is managed by a policy.
    pub policy_id: Field<String>,
    /// Classic `applicationRuleCollections`.
    pub application_rule_collections: Field<Vec<RuleCollection>>,
    /// Classic `networkRuleCollections`.
    pub network_rule_collections: Field<Vec<RuleCollection>>,
    /// Classic `natRuleCollections`.
    pub nat_rule_collections: Field<Vec<RuleCollection>>,
    /// `ipConfigurations[].privateIPAddress`: where routes should send traffic.
    pub private_ips: Vec<Field<String>>,
}

/// A firewall policy (`Microsoft.Network/firewallPolicies`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirewallPolicy {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `threatIntelMode`: Off, Alert or Deny.
    pub threat_intel_mode: Field<String>,
    /// `basePolicy.id`: the parent policy whose rules this one inherits.
    pub base_policy_id: Field<String>,
    /// `sku.tier`.
    pub sku_tier: Field<String>,
}

/// A rule collection group (`Microsoft.Network/firewallPolicies/ruleCollectionGroups`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleCollectionGroup {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `priority`.
    pub priority: Field<i64>,
    /// `ruleCollections`.
    pub rule_collections: Field<Vec<RuleCollection>>,
}

/// What kind of rule collection this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectionKind {
    /// A classic firewall's `applicationRuleCollections` entry.
    ClassicApplication,
    /// A classic firewall's `networkRuleCollections` entry.
    ClassicNetwork,
    /// A classic firewall's `natRuleCollections` entry.
    ClassicNat,
    /// A policy's `FirewallPolicyFilterRuleCollection` (allow or deny rules).
    PolicyFilter,
    /// A policy's `FirewallPolicyNatRuleCollection` (DNAT rules).
    PolicyNat,
    /// A `ruleCollectionType` Tickmark does not know, or none at all.
    Unknown(String),
}

impl CollectionKind {
    /// True for NAT collections (DNAT translates inbound traffic; it has no
    /// Allow or Deny action).
    pub fn is_nat(&self) -> bool {
        matches!(self, CollectionKind::ClassicNat | CollectionKind::PolicyNat)
    }
}

/// A rule collection: a classic one or one of a rule collection group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleCollection {
    /// The collection's name (or its position).
    pub name: String,
    /// Where the collection is in the file.
    pub pointer: String,
    /// Which kind it is.
    pub kind: CollectionKind,
    /// `action.type`: Allow or Deny (Dnat/Snat for NAT collections).
    pub action: Field<String>,
    /// `priority`.
    pub priority: Field<i64>,
    /// `rules`.
    pub rules: Field<Vec<FirewallRule>>,
}

/// What kind of rule this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Layer-7 rule by FQDN, FQDN tag, URL or web category.
    Application,
    /// Layer-3/4 rule by address, port and protocol.
    Network,
    /// Destination NAT rule.
    Nat,
    /// A `ruleType` Tickmark does not know, or none at all.
    Unknown(String),
}

/// One firewall rule. Lists a rule leaves out are empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirewallRule {
    /// The rule's name (or its position).
    pub name: String,
    /// Where the rule is in the file.
    pub pointer: String,
    /// Which kind it is (`ruleType`, or the classic collection it is in).
    pub kind: RuleKind,
    /// `sourceAddresses`.
    pub source_addresses: Field<Vec<String>>,
    /// `sourceIpGroups`.
    pub source_ip_groups: Field<Vec<String>>,
    /// `destinationAddresses`.
    pub destination_addresses: Field<Vec<String>>,
    /// `destinationIpGroups`.
    pub destination_ip_groups: Field<Vec<String>>,
    /// `destinationFqdns` (network rules).
    pub destination_fqdns: Field<Vec<String>>,
    /// `destinationPorts` (network and NAT rules).
    pub destination_ports: Field<Vec<String>>,
    /// `ipProtocols` (policy) or `protocols` (classic network and NAT rules):
    /// TCP, UDP, ICMP or Any.
    pub ip_protocols: Field<Vec<String>>,
    /// `protocols` of application rules: `{protocolType, port}` pairs.
    pub app_protocols: Field<Vec<AppProtocol>>,
    /// `targetFqdns` (application rules).
    pub target_fqdns: Field<Vec<String>>,
    /// `fqdnTags` (application rules), e.g. `AzureKubernetesService`.
    pub fqdn_tags: Field<Vec<String>>,
    /// `targetUrls` (Premium application rules).
    pub target_urls: Field<Vec<String>>,
    /// `webCategories` (application rules).
    pub web_categories: Field<Vec<String>>,
}

/// One protocol of an application rule, e.g. `Https` on 443.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppProtocol {
    /// Where the entry is in the file.
    pub pointer: String,
    /// `protocolType`: Http, Https or Mssql.
    pub protocol_type: Field<String>,
    /// `port`.
    pub port: Field<i64>,
}

/// Reads an Azure Firewall into `out`.
pub(super) fn read_firewall(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<Firewall>,
) -> Result<(), ImportError> {
    let props = resource.props();
    let private_ips = props
        .get("ipConfigurations")
        .map(|list| {
            list.items()
                .map(|config| settings_of(&config).string_field("privateIPAddress"))
                .collect()
        })
        .unwrap_or_default();
    out.push(Firewall {
        info: ResourceInfo::of(ctx, resource),
        sku_tier: props.string_field("sku.tier"),
        threat_intel_mode: props.string_field("threatIntelMode"),
        policy_id: reference(&props, "firewallPolicy"),
        application_rule_collections: parts(resource, "applicationRuleCollections", |n, i| {
            read_collection(n, i, Some(CollectionKind::ClassicApplication))
        }),
        network_rule_collections: parts(resource, "networkRuleCollections", |n, i| {
            read_collection(n, i, Some(CollectionKind::ClassicNetwork))
        }),
        nat_rule_collections: parts(resource, "natRuleCollections", |n, i| {
            read_collection(n, i, Some(CollectionKind::ClassicNat))
        }),
        private_ips,
    });
    Ok(())
}

/// Reads a firewall policy into `out`.
pub(super) fn read_policy(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<FirewallPolicy>,
) -> Result<(), ImportError> {
    let props = resource.props();
    out.push(FirewallPolicy {
        info: ResourceInfo::of(ctx, resource),
        threat_intel_mode: props.string_field("threatIntelMode"),
        base_policy_id: reference(&props, "basePolicy"),
        sku_tier: props.string_field("sku.tier"),
    });
    Ok(())
}

/// Reads a rule collection group into `out`.
pub(super) fn read_rule_collection_group(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<RuleCollectionGroup>,
) -> Result<(), ImportError> {
    let props = resource.props();
    out.push(RuleCollectionGroup {
        info: ResourceInfo::of(ctx, resource),
        priority: props.int_field("priority"),
        rule_collections: parts(resource, "ruleCollections", |n, i| {
            read_collection(n, i, None)
        }),
    });
    Ok(())
}

/// Reads a rule collection; `classic` is its kind for a classic firewall's
/// collections, `None` for a policy's (whose `ruleCollectionType` says).
fn read_collection(
    collection: &Node<'_>,
    index: usize,
    classic: Option<CollectionKind>,
) -> RuleCollection {
    let settings = settings_of(collection);
    let kind =
        classic.unwrap_or_else(
            || match settings.string_field("ruleCollectionType").value() {
                Some(t) if t.eq_ignore_ascii_case("FirewallPolicyFilterRuleCollection") => {
                    CollectionKind::PolicyFilter
                }
                Some(t) if t.eq_ignore_ascii_case("FirewallPolicyNatRuleCollection") => {
                    CollectionKind::PolicyNat
                }
                other => CollectionKind::Unknown(other.cloned().unwrap_or_default()),
            },
        );
    let rule_kind = match kind {
        CollectionKind::ClassicApplication => Some(RuleKind::Application),
        CollectionKind::ClassicNetwork => Some(RuleKind::Network),
        CollectionKind::ClassicNat => Some(RuleKind::Nat),
        _ => None,
    };
    let rules = settings.field("rules", |list| {
        list.value().is_array().then(|| {
            list.items()
                .enumerate()
                .map(|(i, rule)| read_rule(&rule, i, rule_kind.clone()))
                .collect()
        })
    });
    RuleCollection {
        name: name_or_position(collection, "rule collection", index),
        pointer: collection.pointer().to_owned(),
        kind,
        action: settings.string_field("action.type"),
        priority: settings.int_field("priority"),
        rules,
    }
}

fn read_rule(rule: &Node<'_>, index: usize, classic: Option<RuleKind>) -> FirewallRule {
    let kind = classic.unwrap_or_else(|| match rule.string_field("ruleType").value() {
        Some(t) if t.eq_ignore_ascii_case("ApplicationRule") => RuleKind::Application,
        Some(t) if t.eq_ignore_ascii_case("NetworkRule") => RuleKind::Network,
        Some(t) if t.eq_ignore_ascii_case("NatRule") => RuleKind::Nat,
        other => RuleKind::Unknown(other.cloned().unwrap_or_default()),
    });
    let list = |key: &str| list_or_empty(rule, key);
    // Classic network and NAT rules name their IP protocols `protocols`;
    // application rules use that key for `{protocolType, port}` pairs.
    let (ip_protocols, app_protocols) = if kind == RuleKind::Application {
        (
            Field::known(Vec::new(), rule.pointer()),
            app_protocols(rule),
        )
    } else {
        let ip = match rule.get("ipProtocols") {
            Some(_) => list("ipProtocols"),
            None => list("protocols"),
        };
        (ip, Field::known(Vec::new(), rule.pointer()))
    };
    FirewallRule {
        name: name_or_position(rule, "rule", index),
        pointer: rule.pointer().to_owned(),
        kind,
        source_addresses: list("sourceAddresses"),
        source_ip_groups: list("sourceIpGroups"),
        destination_addresses: list("destinationAddresses"),
        destination_ip_groups: list("destinationIpGroups"),
        destination_fqdns: list("destinationFqdns"),
        destination_ports: list("destinationPorts"),
        ip_protocols,
        app_protocols,
        target_fqdns: list("targetFqdns"),
        fqdn_tags: list("fqdnTags"),
        target_urls: list("targetUrls"),
        web_categories: list("webCategories"),
    }
}

fn app_protocols(rule: &Node<'_>) -> Field<Vec<AppProtocol>> {
    let field = rule.field("protocols", |list| {
        list.value().is_array().then(|| {
            list.items()
                .map(|entry| AppProtocol {
                    pointer: entry.pointer().to_owned(),
                    protocol_type: entry.string_field("protocolType"),
                    port: entry.int_field("port"),
                })
                .collect()
        })
    });
    match field {
        Field::Missing | Field::NotSet { .. } => Field::known(Vec::new(), rule.pointer()),
        other => other,
    }
}

/// A list member of a rule; a rule that leaves the list out has none.
fn list_or_empty(rule: &Node<'_>, key: &str) -> Field<Vec<String>> {
    match rule.string_list_field(key) {
        Field::Missing | Field::NotSet { .. } => Field::known(Vec::new(), rule.pointer()),
        other => other,
    }
}
