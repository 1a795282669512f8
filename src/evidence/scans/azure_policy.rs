//! Azure Policy compliance states: `az policy state list -o json` (an array
//! of state records), the PolicyInsights REST body (`{"@odata.context":
//! ".../policyStates/$metadata#latest", "value": [...]}`) and, through the
//! ARM path, records typed `Microsoft.PolicyInsights/policyStates`.
//!
//! Each record has `complianceState`, `resourceId`, the policy and assignment
//! names, and `policyDefinitionGroupNames`: for Azure's PCI DSS
//! initiatives these are `PCI_DSS_V3.2.1_<requirement>` (3.2.1),
//! `PCI_DSS_v4.0_<requirement>` (v4) and `PCI_DSS_v4.0.1_<requirement>`
//! (v4.0.1); the two v4 numberings are the same.

use serde_json::Value;

use super::findings::{PciVersion, PolicyCompliance, PolicyState, ScanEvidence};
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

/// A summary of states: how many requirements each PCI DSS initiative's
/// groups name, and how many states name no PCI DSS group.
pub(super) fn notes(states: &[PolicyState]) -> Vec<String> {
    let non_compliant = states
        .iter()
        .filter(|s| s.compliance == PolicyCompliance::NonCompliant)
        .count();
    let mut requirements: Vec<(PciVersion, String)> =
        states.iter().flat_map(|s| s.pci_requirements()).collect();
    requirements.sort();
    requirements.dedup();
    let named = |version: PciVersion| requirements.iter().filter(|(v, _)| *v == version).count();
    let mut counts = vec![format!(
        "PCI DSS 3.2.1 groups name {} requirement(s)",
        named(PciVersion::V3_2_1)
    )];
    if named(PciVersion::V4) > 0 {
        counts.push(format!(
            "PCI DSS v4.0/v4.0.1 groups name {} (read as PCI DSS 4.0.1)",
            named(PciVersion::V4)
        ));
    }
    let mut notes = vec![format!(
        "{} policy state(s), {non_compliant} NonCompliant; {}",
        states.len(),
        counts.join(", ")
    )];
    let unmapped = states
        .iter()
        .filter(|s| s.pci_requirements().is_empty())
        .count();
    if unmapped > 0 {
        notes.push(format!(
            "{unmapped} state(s) name no PCI DSS group (PCI_DSS_V3.2.1_, PCI_DSS_v4.0_ or \
             PCI_DSS_v4.0.1_) and feed no requirement (assign one of Azure's PCI DSS \
             initiatives to map them)"
        ));
    }
    notes
}

/// The format's name in errors, for the ARM path.
pub(super) fn doc(ctx: ImportContext<'_>) -> Doc<'_> {
    Doc::new(ctx, FORMAT)
}
