//! Network security groups (`az network nsg list`, ARM).
//!
//! The az CLI puts `securityRules`, `defaultSecurityRules`, `subnets` and
//! `networkInterfaces` at the top of each NSG and flattens every rule; the
//! ARM shape keeps them under `properties` (rules too). Both are read.

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use super::sub_resources::{name_or_position, parts, reference_ids, settings_of, single_and_list};
use crate::evidence::arm::ArmResource;
use crate::evidence::node::Node;
use crate::evidence::{Field, ImportContext, ImportError};

/// A network security group (`Microsoft.Network/networkSecurityGroups`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nsg {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `securityRules`: the rules the owner wrote.
    pub rules: Field<Vec<SecurityRule>>,
    /// `defaultSecurityRules`: Azure's built-in rules (empty in templates).
    pub default_rules: Vec<SecurityRule>,
    /// `subnets[].id`: the subnets the NSG is associated with, as the NSG
    /// states them (templates state the association on the subnet instead).
    pub subnet_ids: Vec<String>,
    /// `networkInterfaces[].id`: network interfaces it is associated with.
    pub network_interface_ids: Vec<String>,
}

/// One rule of an NSG.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityRule {
    /// The rule's name (or its position when it has none).
    pub name: String,
    /// Where the rule is in the file.
    pub pointer: String,
    /// True for Azure's built-in `defaultSecurityRules`.
    pub is_default: bool,
    /// `direction`: Inbound or Outbound.
    pub direction: Field<String>,
    /// `access`: Allow or Deny.
    pub access: Field<String>,
    /// `protocol`: Tcp, Udp, Icmp, Esp, Ah or `*`.
    pub protocol: Field<String>,
    /// `priority`: lower numbers are evaluated first.
    pub priority: Field<i64>,
    /// `sourceAddressPrefix` and `sourceAddressPrefixes` together: CIDRs,
    /// service tags (`Internet`, `VirtualNetwork`...) or `*`.
    pub source_prefixes: Field<Vec<String>>,
    /// `sourceApplicationSecurityGroups[].id`, used instead of prefixes.
    pub source_asg_ids: Vec<String>,
    /// `destinationAddressPrefix` and `destinationAddressPrefixes` together.
    pub destination_prefixes: Field<Vec<String>>,
    /// `destinationPortRange` and `destinationPortRanges` together: `22`,
    /// `20-25` or `*`.
    pub destination_ports: Field<Vec<String>>,
}

/// Reads a network security group into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<Nsg>,
) -> Result<(), ImportError> {
    let props = resource.props();
    let default_rules = match parts(resource, "defaultSecurityRules", |n, i| {
        read_rule(n, i, true)
    }) {
        Field::Known { value, .. } => value,
        _ => Vec::new(),
    };
    out.push(Nsg {
        info: ResourceInfo::of(ctx, resource),
        rules: parts(resource, "securityRules", |n, i| read_rule(n, i, false)),
        default_rules,
        subnet_ids: reference_ids(&props, "subnets"),
        network_interface_ids: reference_ids(&props, "networkInterfaces"),
    });
    Ok(())
}

fn read_rule(rule: &Node<'_>, index: usize, is_default: bool) -> SecurityRule {
    let settings = settings_of(rule);
    SecurityRule {
        name: name_or_position(rule, "rule", index),
        pointer: rule.pointer().to_owned(),
        is_default,
        direction: settings.string_field("direction"),
        access: settings.string_field("access"),
        protocol: settings.string_field("protocol"),
        priority: settings.int_field("priority"),
        source_prefixes: single_and_list(&settings, "sourceAddressPrefix", "sourceAddressPrefixes"),
        source_asg_ids: reference_ids(&settings, "sourceApplicationSecurityGroups"),
        destination_prefixes: single_and_list(
            &settings,
            "destinationAddressPrefix",
            "destinationAddressPrefixes",
        ),
        destination_ports: single_and_list(
            &settings,
            "destinationPortRange",
            "destinationPortRanges",
        ),
    }
}
