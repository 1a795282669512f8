//! Container registries (`az acr show`, ARM).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::{ImportContext, ImportError};

/// A container registry (`Microsoft.ContainerRegistry/registries`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerRegistry {
    /// Identity and location in the file.
    pub info: ResourceInfo,
}

/// Reads a container registry into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<ContainerRegistry>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}
