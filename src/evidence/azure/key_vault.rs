//! Key Vaults (`az keyvault show`, ARM).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::{ImportContext, ImportError};

/// A Key Vault (`Microsoft.KeyVault/vaults`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyVault {
    /// Identity and location in the file.
    pub info: ResourceInfo,
}

/// Reads a Key Vault into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<KeyVault>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}
