//! Diagnostic settings (`az monitor diagnostic-settings list`, ARM).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::{ImportContext, ImportError};

/// A diagnostic setting (`Microsoft.Insights/diagnosticSettings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticSetting {
    /// Identity and location in the file.
    pub info: ResourceInfo,
}

/// Reads a diagnostic setting into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<DiagnosticSetting>,
) -> Result<(), ImportError> {
    let _ = (ctx, resource, out);
    Ok(())
}
