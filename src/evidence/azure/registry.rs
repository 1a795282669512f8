//! Container registries (`az acr show`, ARM).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use super::private_endpoints::{self, PrivateEndpointConnection};
use crate::evidence::arm::ArmResource;
use crate::evidence::{Field, ImportContext, ImportError};

/// A container registry (`Microsoft.ContainerRegistry/registries`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerRegistry {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `sku.name`: Basic, Standard or Premium (only Premium has private
    /// endpoints and network rules).
    pub sku: Field<String>,
    /// `adminUserEnabled`.
    pub admin_user_enabled: Field<bool>,
    /// `publicNetworkAccess`: Enabled or Disabled.
    pub public_network_access: Field<String>,
    /// `networkRuleSet.defaultAction`: Allow or Deny.
    pub network_default_action: Field<String>,
    /// `privateEndpointConnections[]`.
    pub private_endpoints: Field<Vec<PrivateEndpointConnection>>,
}

/// Reads a container registry into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<ContainerRegistry>,
) -> Result<(), ImportError> {
    let props = resource.props();
    out.push(ContainerRegistry {
        info: ResourceInfo::of(ctx, resource),
        sku: resource.node.string_field("sku.name"),
        admin_user_enabled: props.bool_field("adminUserEnabled"),
        public_network_access: props.string_field("publicNetworkAccess"),
        network_default_action: props.string_field("networkRuleSet.defaultAction"),
        private_endpoints: private_endpoints::read(&props),
    });
    Ok(())
}
