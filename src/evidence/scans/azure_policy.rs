//! Azure Policy compliance states: `az policy state list -o json` (an array
//! of state records), the PolicyInsights REST body (`{"@odata.context":
//! ".../policyStates/$metadata#latest", "value": [...]}`) and, through the
//! ARM path, records typed `Microsoft.PolicyInsights/policyStates`.
//!
//! Each record has `complianceState`, `resourceId`, the policy and assignment
//! names, and `policyDefinitionGroupNames`: for Azure's PCI DSS 3.2.1
//! initiative these are `PCI_DSS_V3.2.1_<requirement>`.

use serde_json::Value;

use super::findings::{PolicyCompliance, PolicyState, ScanEvidence};
use super::read::{Doc, first_item, has_keys};
use crate::evidence::node::Node;
use crate::evidence::{Format, ImportContext, ImportError, Recognised};

const FORMAT: &str = "Azure Policy states";

fn is_state(value: &Value) -> bool {
    has_keys(value, &["complianceState"])
        && (has_keys(value, &["policyAssignmentId"])
            || has_keys(value, &["policyDefinitionId"])
            || has_keys(value, &["policyDefinitionName"]))
}

fn is_policy_states_body(value: &Value) -> bool {
    value
        .get("@odata.context")
        .and_then(Value::as_str)
        .is_some_and(|c| c.to_ascii_lowercase().contains("/policystates/"))
        && value.get("value").is_some_and(Value::is_array)
}

/// Reads policy states; `None` if `root` is not a list of them.
pub(super) fn read(
    ctx: ImportContext<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let value = root.value();
    let list = if first_item(value).is_some_and(is_state) {
        root.clone()
    } else if is_policy_states_body(value)
        || value
            .get("value")
            .and_then(first_item)
            .is_some_and(is_state)
    {
        root.get("value")?
    } else {
        return None;
    };
    let doc = Doc::new(ctx, FORMAT);
    let mut states = Vec::new();
    for item in list.items() {
        match read_state(doc, &item) {
            Ok(state) => states.push(state),
            Err(e) => return Some(Err(e)),
        }
    }
    let mut recognised = Recognised::new(Format::AzurePolicyStates).tool("Azure Policy", None);
    recognised.notes = notes(&states);
    out.policy_states.extend(states);
    Some(Ok(recognised))
}

/// Reads one state record (`node` is the record, or an ARM resource's
/// properties).
pub(super) fn read_state(doc: Doc<'_>, node: &Node<'_>) -> Result<PolicyState, ImportError> {
    doc.object(node, "a policy state")?;
    let compliance = PolicyCompliance::parse(doc.str(node, "complianceState")?);
    let resource_id = doc.str(node, "resourceId")?.to_owned();
    let name_or_id = |name: &str, id: &str| -> Result<Option<String>, ImportError> {
        Ok(doc
            .opt_str(node, name)?
            .or(doc.opt_str(node, id)?)
            .map(str::to_owned))
    };
    Ok(PolicyState {
        compliance,
        policy_definition: name_or_id("policyDefinitionName", "policyDefinitionId")?,
        policy_assignment: name_or_id("policyAssignmentName", "policyAssignmentId")?,
        policy_set: name_or_id("policySetDefinitionName", "policySetDefinitionId")?,
        group_names: doc.string_list(node, "policyDefinitionGroupNames")?,
        timestamp: doc.opt_str(node, "timestamp")?.map(str::to_owned),
        source: doc.at(node, Some(resource_id.clone())),
        resource_id,
    })
}

/// A summary of states, and how many name no PCI DSS 3.2.1 group.
pub(super) fn notes(states: &[PolicyState]) -> Vec<String> {
    let non_compliant = states
        .iter()
        .filter(|s| s.compliance == PolicyCompliance::NonCompliant)
        .count();
    let mut requirements: Vec<String> = states.iter().flat_map(|s| s.pci_requirements()).collect();
    requirements.sort();
    requirements.dedup();
    let mut notes = vec![format!(
        "{} policy state(s), {non_compliant} NonCompliant; PCI DSS 3.2.1 groups name {} requirement(s)",
        states.len(),
        requirements.len()
    )];
    let unmapped = states
        .iter()
        .filter(|s| s.pci_requirements().is_empty())
        .count();
    if unmapped > 0 {
        notes.push(format!(
            "{unmapped} state(s) name no PCI_DSS_V3.2.1_ group and feed no requirement \
             (assign Azure's PCI DSS 3.2.1 initiative to map them)"
        ));
    }
    notes
}

/// The format's name in errors, for the ARM path.
pub(super) fn doc(ctx: ImportContext<'_>) -> Doc<'_> {
    Doc::new(ctx, FORMAT)
}
