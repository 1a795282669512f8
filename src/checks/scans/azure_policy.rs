//! `scan.azure-policy`: one result per PCI DSS requirement named by the
//! policy states' group names: `PCI_DSS_V3.2.1_<id>` name 3.2.1
//! requirements, `PCI_DSS_v4.0_<id>` and `PCI_DSS_v4.0.1_<id>` 4.0.1 ones. A requirement
//! fails if any of its states is NonCompliant, passes if at least one is
//! Compliant and none is NonCompliant, and is not evaluated when its states
//! are only Exempt, Unknown or Conflicting.

use std::collections::BTreeMap;

use super::{
    CheckResult, CheckStatus, ResourceResult, named_list, requirement_order, requirement_result,
};
use crate::evidence::scans::{PciVersion, PolicyCompliance, PolicyState, ScanEvidence};

/// The check's ID.
pub const ID: &str = "scan.azure-policy";

/// Runs the check: one result per requirement the states name.
pub fn check(scans: &ScanEvidence) -> Vec<CheckResult> {
    let mut by_requirement: BTreeMap<(PciVersion, String), Vec<&PolicyState>> = BTreeMap::new();
    for state in &scans.policy_states {
        for named in state.pci_requirements() {
            by_requirement.entry(named).or_default().push(state);
        }
    }
    let mut groups: Vec<_> = by_requirement.into_iter().collect();
    groups.sort_by_key(|(named, _)| requirement_order(named));
    groups
        .iter()
        .map(|(named, group)| judge(named, group))
        .collect()
}

fn judge(requirement: &(PciVersion, String), states: &[&PolicyState]) -> CheckResult {
    let with = |c: &PolicyCompliance| states.iter().filter(|s| &s.compliance == c).count();
    let non_compliant: Vec<&&PolicyState> = states
        .iter()
        .filter(|s| s.compliance == PolicyCompliance::NonCompliant)
        .collect();
    let compliant = with(&PolicyCompliance::Compliant);
    let other = states.len() - non_compliant.len() - compliant;
    let evidence = states.iter().map(|s| s.source.clone()).collect();
    let resources = resources(states);
    let other_text = if other > 0 {
        format!("; {other} Exempt, Unknown or Conflicting")
    } else {
        String::new()
    };
    let (status, reason) = if !non_compliant.is_empty() {
        let named: Vec<String> = non_compliant.iter().map(|s| describe(s)).collect();
        (
            CheckStatus::Fail,
            format!(
                "{} of {} policy state(s) NonCompliant: {}",
                non_compliant.len(),
                states.len(),
                named_list(&named)
            ),
        )
    } else if compliant > 0 {
        (
            CheckStatus::Pass,
            format!("{compliant} evaluated policy state(s), all Compliant{other_text}"),
        )
    } else {
        (
            CheckStatus::NotEvaluated,
            format!(
                "no Compliant or NonCompliant state, only {other} Exempt, Unknown or Conflicting"
            ),
        )
    };
    requirement_result(ID, requirement, status, reason, evidence, resources)
}

fn describe(state: &PolicyState) -> String {
    format!(
        "{} against {}",
        state.resource_id,
        policy_and_assignment(state)
    )
}

fn policy_and_assignment(state: &PolicyState) -> String {
    let policy = state
        .policy_definition
        .as_deref()
        .unwrap_or("(unnamed policy)");
    let assignment = state
        .policy_assignment
        .as_deref()
        .map(|a| format!(", assignment {a}"))
        .unwrap_or_default();
    format!("policy {policy}{assignment}")
}

/// One result per NonCompliant state; Compliant and other states grouped per
/// policy definition.
fn resources(states: &[&PolicyState]) -> Vec<ResourceResult> {
    let mut out = Vec::new();
    let mut grouped: BTreeMap<(bool, &str), Vec<&PolicyState>> = BTreeMap::new();
    for state in states {
        match state.compliance {
            PolicyCompliance::NonCompliant => out.push(ResourceResult::new(
                state.resource_id.clone(),
                CheckStatus::Fail,
                format!("NonCompliant with {}", policy_and_assignment(state)),
                vec![state.source.clone()],
            )),
            ref c => {
                let policy = state
                    .policy_definition
                    .as_deref()
                    .unwrap_or("(unnamed policy)");
                grouped
                    .entry((*c == PolicyCompliance::Compliant, policy))
                    .or_default()
                    .push(state);
            }
        }
    }
    for ((compliant, policy), group) in grouped {
        let (status, what) = if compliant {
            (CheckStatus::Pass, "Compliant".to_owned())
        } else {
            let words: Vec<String> = group
                .iter()
                .map(|s| s.compliance.label().to_owned())
                .collect();
            let mut words = words;
            words.sort();
            words.dedup();
            (CheckStatus::NotEvaluated, words.join("/"))
        };
        out.push(ResourceResult::new(
            format!("policy {policy}"),
            status,
            format!("{} resource(s) {what}", group.len()),
            group.iter().map(|s| s.source.clone()).collect(),
        ));
    }
    out
}
