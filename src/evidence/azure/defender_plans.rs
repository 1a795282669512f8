//! Defender for Cloud plans (`az security pricing list`).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::{Field, ImportContext, ImportError};

/// A Defender for Cloud plan (`Microsoft.Security/pricings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefenderPlan {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `name`: the plan (`Containers`, `VirtualMachines`, `KeyVaults`...).
    pub name: Field<String>,
    /// `pricingTier`: Free or Standard (Standard means the plan is on).
    pub pricing_tier: Field<String>,
}

/// Reads a Defender plan into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<DefenderPlan>,
) -> Result<(), ImportError> {
    let props = resource.props();
    out.push(DefenderPlan {
        info: ResourceInfo::of(ctx, resource),
        name: resource.node.string_field("name"),
        pricing_tier: props.string_field("pricingTier"),
    });
    Ok(())
}
