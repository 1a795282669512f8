//! `runtime.falco`: no Falco alert of priority Critical or higher. Alerts
//! of priority Error do not fail the check but are named in its reason as a
//! warning.

use std::collections::BTreeMap;

use super::{
    CheckResult, CheckStatus, REFS_PER_GROUP, ResourceResult, named_list, tidy, whole_file,
};
use crate::evidence::EvidenceRef;
use crate::evidence::scans::{FalcoAlert, FalcoPriority, ScanEvidence};

/// The check's ID.
pub const ID: &str = "runtime.falco";

/// Alerts of one rule at one priority.
struct Group<'a> {
    rule: &'a str,
    priority: FalcoPriority,
    alerts: Vec<&'a FalcoAlert>,
}

impl Group<'_> {
    fn describe(&self) -> String {
        let mut hosts: Vec<&str> = self
            .alerts
            .iter()
            .filter_map(|a| a.workload.as_deref().or(a.hostname.as_deref()))
            .collect();
        hosts.sort();
        hosts.dedup();
        let on = if hosts.is_empty() {
            String::new()
        } else {
            let hosts: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
            format!(" on {}", named_list(&hosts))
        };
        format!(
            "{} ({}, {} alert(s){on})",
            self.rule,
            self.priority.label(),
            self.alerts.len()
        )
    }

    /// The first alerts' pointers, and the whole file for the rest.
    fn evidence(&self) -> Vec<EvidenceRef> {
        let mut refs: Vec<EvidenceRef> = self
            .alerts
            .iter()
            .take(REFS_PER_GROUP)
            .map(|a| a.source.clone())
            .collect();
        if self.alerts.len() > REFS_PER_GROUP {
            refs.extend(self.alerts.iter().map(|a| whole_file(&a.source)));
        }
        tidy(refs)
    }
}

/// Runs the check.
pub fn check(scans: &ScanEvidence) -> CheckResult {
    let alerts = &scans.falco_alerts;
    if alerts.is_empty() {
        return CheckResult::not_evaluated(ID, "no Falco alerts were imported");
    }
    let mut groups: BTreeMap<(FalcoPriority, &str), Group<'_>> = BTreeMap::new();
    for alert in alerts {
        groups
            .entry((alert.priority, alert.rule.as_str()))
            .or_insert_with(|| Group {
                rule: &alert.rule,
                priority: alert.priority,
                alerts: Vec::new(),
            })
            .alerts
            .push(alert);
    }
    let groups: Vec<Group<'_>> = groups.into_values().collect();
    let critical: Vec<&Group<'_>> = groups
        .iter()
        .filter(|g| g.priority.is_critical_or_above())
        .collect();
    let errors: Vec<&Group<'_>> = groups
        .iter()
        .filter(|g| g.priority == FalcoPriority::Error)
        .collect();
    let resources: Vec<ResourceResult> = groups.iter().map(resource).collect();
    let warning = if errors.is_empty() {
        String::new()
    } else {
        let named: Vec<String> = errors.iter().map(|g| g.describe()).collect();
        format!(
            "; warning: {} alert(s) of priority Error: {}",
            errors.iter().map(|g| g.alerts.len()).sum::<usize>(),
            named_list(&named)
        )
    };
    let (status, reason, evidence) = if critical.is_empty() {
        (
            CheckStatus::Pass,
            format!(
                "no alert of priority Critical or higher among {} alert(s){warning}",
                alerts.len()
            ),
            groups.iter().flat_map(Group::evidence).collect(),
        )
    } else {
        let named: Vec<String> = critical.iter().map(|g| g.describe()).collect();
        (
            CheckStatus::Fail,
            format!(
                "{} of {} alert(s) are of priority Critical or higher: {}{warning}",
                critical.iter().map(|g| g.alerts.len()).sum::<usize>(),
                alerts.len(),
                named_list(&named)
            ),
            critical.iter().flat_map(|g| g.evidence()).collect(),
        )
    };
    CheckResult {
        check: ID.to_owned(),
        requirement: None,
        framework: None,
        status,
        reason,
        evidence: tidy(evidence),
        resources,
    }
}

fn resource(group: &Group<'_>) -> ResourceResult {
    let status = if group.priority.is_critical_or_above() {
        CheckStatus::Fail
    } else {
        CheckStatus::Pass
    };
    let note = match group.priority {
        p if p.is_critical_or_above() => "priority Critical or higher",
        FalcoPriority::Error => "priority Error: a warning, not a failure",
        _ => "below priority Error",
    };
    ResourceResult::new(
        group.rule,
        status,
        format!("{}: {note}", group.describe()),
        group.evidence(),
    )
}
