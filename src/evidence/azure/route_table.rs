//! Route tables (`az network route-table list`, ARM).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::{ImportContext, ImportError};

/// A route table (`Microsoft.Network/routeTables`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    /// Identity and location in the file.
    pub info: ResourceInfo,
}

/// Reads a route table into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<RouteTable>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}
