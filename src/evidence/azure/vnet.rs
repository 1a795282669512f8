//! Virtual networks and their subnets (`az network vnet show` / `list`, ARM).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::node::{Node, is_expression};
use crate::evidence::{Field, ImportContext, ImportError};

/// A virtual network (`Microsoft.Network/virtualNetworks`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualNetwork {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `subnets[]`.
    pub subnets: Vec<Subnet>,
    /// `enableDdosProtection`.
    pub ddos_protection: Field<bool>,
    /// `ddosProtectionPlan.id`.
    pub ddos_protection_plan: Field<String>,
    /// `addressSpace.addressPrefixes`: the network's address ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address_space: Vec<String>,
}

impl VirtualNetwork {
    /// True if this network holds the subnet `subnet_id` (ARM IDs compare
    /// case-insensitively): the ID is this network's ID plus `/subnets/<name>`,
    /// or one of its subnets has that ID.
    pub fn holds_subnet(&self, subnet_id: &str) -> bool {
        let parent_matches = vnet_of_subnet(subnet_id).is_some_and(|vnet| {
            self.info
                .id
                .as_deref()
                .is_some_and(|id| id.eq_ignore_ascii_case(vnet))
        });
        parent_matches
            || self.subnets.iter().any(|s| {
                s.id.value()
                    .is_some_and(|id| id.eq_ignore_ascii_case(subnet_id))
            })
    }
}

/// The virtual network part of a subnet ID (everything before `/subnets/`).
pub fn vnet_of_subnet(subnet_id: &str) -> Option<&str> {
    let at = subnet_id.to_ascii_lowercase().rfind("/subnets/")?;
    Some(&subnet_id[..at])
}

/// A subnet of a virtual network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    /// The subnet's ID. Where the export gives none (a template), the VNet's
    /// literal ID or name plus `/subnets/<name>`; unresolved when the VNet's
    /// name is itself an expression.
    pub id: Field<String>,
    /// The subnet's name.
    pub name: Field<String>,
    /// Where the subnet is in the file.
    pub pointer: String,
    /// `networkSecurityGroup.id`.
    pub nsg_id: Field<String>,
    /// `routeTable.id`.
    pub route_table_id: Field<String>,
    /// `applicationGatewayIPConfigurations[].id`: the Application Gateway IP
    /// configurations placed in this subnet (Azure fills this in on export).
    pub app_gateway_ip_configurations: Vec<String>,
    /// `addressPrefix` and `addressPrefixes` together: the subnet's address
    /// ranges (CIDRs; expressions left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address_prefixes: Vec<String>,
}

/// Reads a virtual network into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<VirtualNetwork>,
) -> Result<(), ImportError> {
    let props = resource.props();
    let vnet_name = resource.node.get("name");
    let subnets = props
        .get("subnets")
        .map(|list| {
            list.items()
                .map(|subnet| {
                    read_subnet(
                        &subnet,
                        resource.id(),
                        vnet_name.as_ref(),
                        resource.in_template,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.push(VirtualNetwork {
        info: ResourceInfo::of(ctx, resource),
        subnets,
        ddos_protection: props.bool_field("enableDdosProtection"),
        ddos_protection_plan: props.string_field("ddosProtectionPlan.id"),
        address_space: literal_strings(props.get("addressSpace").as_ref(), "addressPrefixes"),
    });
    Ok(())
}

fn read_subnet(
    subnet: &Node<'_>,
    vnet_id: Option<&str>,
    vnet_name: Option<&Node<'_>>,
    in_template: bool,
) -> Subnet {
    let settings = match subnet.get("properties") {
        Some(props) if props.value().is_object() => props,
        _ => subnet.clone(),
    };
    let name = subnet.string_field("name");
    Subnet {
        id: subnet_id(subnet, &name, vnet_id, vnet_name, in_template),
        pointer: subnet.pointer().to_owned(),
        nsg_id: settings.string_field("networkSecurityGroup.id"),
        route_table_id: settings.string_field("routeTable.id"),
        app_gateway_ip_configurations: settings
            .get("applicationGatewayIPConfigurations")
            .map(|list| {
                list.items()
                    .filter_map(|c| c.get("id").and_then(|id| id.as_str().map(str::to_owned)))
                    .filter(|id| !is_expression(id))
                    .collect()
            })
            .unwrap_or_default(),
        address_prefixes: subnet_prefixes(&settings),
        name,
    }
}

/// A subnet's `addressPrefix` and `addressPrefixes`, literal CIDRs only.
fn subnet_prefixes(settings: &Node<'_>) -> Vec<String> {
    let mut prefixes: Vec<String> = settings
        .get("addressPrefix")
        .and_then(|p| p.as_str().map(str::to_owned))
        .filter(|p| !is_expression(p))
        .into_iter()
        .collect();
    for prefix in literal_strings(Some(settings), "addressPrefixes") {
        if !prefixes.contains(&prefix) {
            prefixes.push(prefix);
        }
    }
    prefixes
}

/// The literal strings of the list `key` of `node` (expressions left out).
fn literal_strings(node: Option<&Node<'_>>, key: &str) -> Vec<String> {
    node.and_then(|n| n.get(key))
        .map(|list| {
            list.items()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .filter(|s| !is_expression(s))
                .collect()
        })
        .unwrap_or_default()
}

/// The subnet's own `id`, else one built from its network and its name. In
/// a template the network's ID depends on the subscription and resource
/// group it is deployed to, so a network known only by name gives the
/// `resourceId(...)` expression ARM itself would evaluate, not an ID.
fn subnet_id(
    subnet: &Node<'_>,
    name: &Field<String>,
    vnet_id: Option<&str>,
    vnet_name: Option<&Node<'_>>,
    in_template: bool,
) -> Field<String> {
    let own = subnet.string_field("id");
    if !own.is_absent() {
        return own;
    }
    let (name, pointer) = match name {
        Field::Known { value, pointer } => (value, pointer),
        // An unresolved or odd name leaves the ID in the same state.
        other => return other.clone(),
    };
    let Some(vnet_name) = vnet_name else {
        return Field::Missing;
    };
    let parent = match (vnet_id, vnet_name.as_str()) {
        (Some(id), _) => id.to_owned(),
        (None, Some(literal)) if !is_expression(literal) && in_template => {
            let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
            return Field::Unresolved {
                expression: format!(
                    "[resourceId('Microsoft.Network/virtualNetworks/subnets', {}, {})]",
                    quote(literal),
                    quote(name)
                ),
                pointer: pointer.clone(),
            };
        }
        (None, Some(literal)) if !is_expression(literal) => literal.to_owned(),
        (None, Some(expression)) => {
            return Field::Unresolved {
                expression: expression.to_owned(),
                pointer: vnet_name.pointer().to_owned(),
            };
        }
        (None, None) => return Field::Missing,
    };
    Field::known(format!("{parent}/subnets/{name}"), pointer.clone())
}
