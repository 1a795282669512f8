//! Key Vaults (`az keyvault show`, ARM).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use super::private_endpoints::{self, PrivateEndpointConnection};
use crate::evidence::arm::ArmResource;
use crate::evidence::{Field, ImportContext, ImportError};

/// A Key Vault (`Microsoft.KeyVault/vaults`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyVault {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `enableSoftDelete`.
    pub soft_delete: Field<bool>,
    /// `enablePurgeProtection`. Azure accepts only `true` here and leaves the
    /// property out (or null) while purge protection is off.
    pub purge_protection: Field<bool>,
    /// `networkAcls.defaultAction`: Allow or Deny.
    pub network_default_action: Field<String>,
    /// `publicNetworkAccess`: Enabled or Disabled.
    pub public_network_access: Field<String>,
    /// `privateEndpointConnections[]`.
    pub private_endpoints: Field<Vec<PrivateEndpointConnection>>,
    /// `enableRbacAuthorization`: access through Azure RBAC (true) or vault
    /// access policies (false).
    #[serde(default)]
    pub rbac_authorization: Field<bool>,
}

/// Reads a Key Vault into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<KeyVault>,
) -> Result<(), ImportError> {
    let props = resource.props();
    out.push(KeyVault {
        info: ResourceInfo::of(ctx, resource),
        soft_delete: props.bool_field("enableSoftDelete"),
        purge_protection: props.bool_field("enablePurgeProtection"),
        network_default_action: props.string_field("networkAcls.defaultAction"),
        public_network_access: props.string_field("publicNetworkAccess"),
        private_endpoints: private_endpoints::read(&props),
        rbac_authorization: props.bool_field("enableRbacAuthorization"),
    });
    Ok(())
}
