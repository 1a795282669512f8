//! Defender for Cloud plans (`az security pricing list`).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::{ImportContext, ImportError};

/// A Defender for Cloud plan (`Microsoft.Security/pricings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefenderPlan {
    /// Identity and location in the file.
    pub info: ResourceInfo,
}

/// Reads a Defender plan into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<DefenderPlan>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}
