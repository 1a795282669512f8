//! Log Analytics workspaces (`az monitor log-analytics workspace show`, ARM).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use crate::evidence::arm::ArmResource;
use crate::evidence::{Field, ImportContext, ImportError};

/// A Log Analytics workspace (`Microsoft.OperationalInsights/workspaces`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogAnalyticsWorkspace {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `retentionInDays`: how long the workspace keeps data by default.
    pub retention_days: Field<i64>,
    /// `publicNetworkAccessForIngestion`: Enabled or Disabled.
    #[serde(default)]
    pub public_ingestion: Field<String>,
    /// `publicNetworkAccessForQuery`: Enabled or Disabled.
    #[serde(default)]
    pub public_query: Field<String>,
}

/// Reads a Log Analytics workspace into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<LogAnalyticsWorkspace>,
) -> Result<(), ImportError> {
    let props = resource.props();
    out.push(LogAnalyticsWorkspace {
        info: ResourceInfo::of(ctx, resource),
        retention_days: props.int_field("retentionInDays"),
        public_ingestion: props.string_field("publicNetworkAccessForIngestion"),
        public_query: props.string_field("publicNetworkAccessForQuery"),
    });
    Ok(())
}
