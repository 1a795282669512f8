//! Scanner, policy and runtime outputs: Trivy, kube-bench, Kubescape, Azure
//! Policy, Defender for Cloud, SARIF, Checkov, KICS, Falco, Prowler.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::arm::ArmResource;
use super::{Format, ImportContext, ImportError, Recognised};

/// Typed findings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScanEvidence {}

impl ScanEvidence {
    /// Moves everything of `other` into `self`.
    pub fn extend(&mut self, _other: ScanEvidence) {}
}

/// Reads a scanner's JSON document. `None` if it is not one Tickmark knows.
pub fn read_json(
    _ctx: ImportContext<'_>,
    _root: &Value,
    _out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    None
}

/// Reads JSON lines (Falco). `None` if the text is not JSON lines of a known tool.
pub fn read_json_lines(
    _ctx: ImportContext<'_>,
    _text: &str,
    _out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    None
}

/// Reads a text export such as CSV (Defender recommendations, Prowler).
/// `None` if the text is not one Tickmark knows.
pub fn read_text(
    _ctx: ImportContext<'_>,
    _text: &str,
    _out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    None
}

/// Reads an ARM resource that carries findings (Defender assessments, policy
/// states). `None` for other types.
pub fn read_arm_resource(
    _ctx: ImportContext<'_>,
    _resource: &ArmResource<'_>,
    _out: &mut ScanEvidence,
) -> Result<Option<Format>, ImportError> {
    Ok(None)
}
