//! Azure Firewall, firewall policies and their rule collection groups (classic rule collections too).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::{ImportContext, ImportError};

/// An Azure Firewall (`Microsoft.Network/azureFirewalls`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Firewall {
    /// Identity and location in the file.
    pub info: ResourceInfo,
}

/// A firewall policy (`Microsoft.Network/firewallPolicies`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirewallPolicy {
    /// Identity and location in the file.
    pub info: ResourceInfo,
}

/// A rule collection group (`Microsoft.Network/firewallPolicies/ruleCollectionGroups`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleCollectionGroup {
    /// Identity and location in the file.
    pub info: ResourceInfo,
}

/// Reads an Azure Firewall into `out`.
pub(super) fn read_firewall(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<Firewall>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}

/// Reads a firewall policy into `out`.
pub(super) fn read_policy(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<FirewallPolicy>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}

/// Reads a rule collection group into `out`.
pub(super) fn read_rule_collection_group(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<RuleCollectionGroup>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}
