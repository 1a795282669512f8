//! Network security groups (`az network nsg list`, ARM).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::{ImportContext, ImportError};

/// A network security group (`Microsoft.Network/networkSecurityGroups`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nsg {
    /// Identity and location in the file.
    pub info: ResourceInfo,
}

/// Reads a network security group into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<Nsg>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}
