//! Application Gateways and their WAF policies.

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::{Field, ImportContext, ImportError};

/// An Application Gateway (`Microsoft.Network/applicationGateways`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationGateway {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `gatewayIPConfigurations[].subnet.id`: the subnet(s) it sits in.
    pub gateway_subnet_ids: Vec<Field<String>>,
}

/// A WAF policy (`Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WafPolicy {
    /// Identity and location in the file.
    pub info: ResourceInfo,
}

/// Reads an Application Gateway into `out`.
pub(super) fn read_gateway(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<ApplicationGateway>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}

/// Reads a WAF policy into `out`.
pub(super) fn read_waf_policy(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<WafPolicy>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}
