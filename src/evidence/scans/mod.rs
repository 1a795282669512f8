//! Scanner, policy and runtime outputs: Trivy, trivy-operator, kube-bench,
//! Kubescape, Azure Policy, Defender for Cloud, SARIF, Checkov, KICS, Falco,
//! Prowler (findings and compliance output). One file per tool; the shared model is in [`findings`].
//!
//! Formats are detected from content. Each reader returns `None` when a
//! document is not its format, so that the dispatcher can try the other
//! families; once a format is recognised, a member of the wrong type or a
//! missing required member is an [`ImportError`] naming the JSON pointer
//! (or `line N` / `row N`).

mod azure_policy;
mod checkov;
mod defender;
pub mod defender_map;
mod falco;
pub mod findings;
mod kics;
mod kube_bench;
mod kubescape;
mod prowler;
mod prowler_compliance;
mod read;
mod sarif;
mod table;
mod trivy;
mod trivy_operator;

use serde_json::Value;

use super::arm::ArmResource;
use super::node::Node;
use super::{Format, ImportContext, ImportError, Recognised};

pub use findings::*;

type JsonReader =
    fn(ImportContext<'_>, &Node<'_>, &mut ScanEvidence) -> Option<Result<Recognised, ImportError>>;

/// The JSON readers, most specific signature first.
const JSON_READERS: &[JsonReader] = &[
    trivy_operator::read,
    kubescape::read,
    kube_bench::read,
    sarif::read,
    checkov::read,
    kics::read,
    trivy::read,
    azure_policy::read,
    prowler_compliance::read_ocsf,
    prowler::read_ocsf,
    falco::read_json,
];

/// Reads a scanner's JSON document. `None` if it is not one Tickmark knows.
pub fn read_json(
    ctx: ImportContext<'_>,
    root: &Value,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let node = Node::root(root);
    JSON_READERS.iter().find_map(|read| read(ctx, &node, out))
}

/// Reads JSON lines (Falco). `None` if the text is not JSON lines of a known tool.
pub fn read_json_lines(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    falco::read_lines(ctx, text, out)
}

/// Reads a text export such as CSV (Defender recommendations, Prowler).
/// `None` if the text is not one Tickmark knows.
pub fn read_text(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    if defender::is_csv(text) {
        Some(defender::read_csv(ctx, text, out))
    } else if prowler::is_csv(text) {
        Some(prowler::read_csv(ctx, text, out))
    } else if prowler_compliance::is_csv(text) {
        Some(prowler_compliance::read_csv(ctx, text, out))
    } else {
        None
    }
}

/// Reads an ARM resource that carries findings (Defender assessments, policy
/// states). `None` for other types.
pub fn read_arm_resource(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut ScanEvidence,
) -> Result<Option<Format>, ImportError> {
    if resource.is("Microsoft.Security/assessments") {
        defender::read_assessment(ctx, resource, out)?;
        Ok(Some(Format::DefenderAssessments))
    } else if resource.is("Microsoft.PolicyInsights/policyStates") {
        let state = azure_policy::read_state(azure_policy::doc(ctx), &resource.props())?;
        out.policy_states.push(state);
        Ok(Some(Format::AzurePolicyStates))
    } else {
        Ok(None)
    }
}

/// Notes about findings read through the ARM path (one file's evidence):
/// summaries, and the Defender recommendations that map to no requirement.
pub fn import_notes(evidence: &ScanEvidence) -> Vec<String> {
    let mut notes = Vec::new();
    if !evidence.defender_assessments.is_empty() {
        notes.extend(defender::notes(&evidence.defender_assessments));
    }
    if !evidence.policy_states.is_empty() {
        notes.extend(azure_policy::notes(&evidence.policy_states));
    }
    notes
}
