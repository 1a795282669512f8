//! Segmentation: `k8s.default-deny`.

use crate::collect::export_command as cmd;
use std::collections::BTreeMap;

use crate::checks::{CheckResult, CheckStatus, ResourceResult, Settings};
use crate::evidence::EvidenceRef;
use crate::evidence::k8s::{K8sEvidence, NetworkPolicy};
use crate::scope::{Scope, ScopeKind};

const CHECK: &str = "k8s.default-deny";

/// The namespaces to judge and where that list came from.
struct WorkloadNamespaces<'a> {
    /// Name → where the evidence for it is.
    names: BTreeMap<&'a str, EvidenceRef>,
    /// Said when the names come from workloads rather than Namespace objects.
    note: Option<String>,
}

/// Runs `k8s.default-deny`.
pub(super) fn run(k8s: &K8sEvidence, settings: &Settings, pci: &Scope, out: &mut Vec<CheckResult>) {
    out.push(default_deny(k8s, settings, pci));
}

fn default_deny(k8s: &K8sEvidence, settings: &Settings, pci: &Scope) -> CheckResult {
    let Some(namespaces) = namespaces(k8s) else {
        return CheckResult::not_evaluated(
            CHECK,
            format!(
                "no namespaces and no workloads were imported, so the workload namespaces are unknown ({})",
                cmd("namespaces")
            ),
        );
    };
    let total = namespaces.names.len();
    let (excluded, judged): (Vec<_>, Vec<_>) = namespaces
        .names
        .into_iter()
        .partition(|(name, _)| settings.is_excluded_namespace(name));
    let mut notes = Vec::new();
    if let Some(note) = namespaces.note {
        notes.push(note);
    }
    if !excluded.is_empty() {
        let names: Vec<&str> = excluded.iter().map(|(name, _)| *name).collect();
        notes.push(format!(
            "{} system namespace(s) excluded by the settings ({})",
            names.len(),
            names.join(", ")
        ));
    }
    if judged.is_empty() {
        let mut result = CheckResult::not_evaluated(
            CHECK,
            format!(
                "all {total} namespace(s) are excluded system namespaces; no workload namespace is left to judge"
            ),
        );
        append_notes(&mut result.reason, &notes);
        return result;
    }
    let resources = judged
        .into_iter()
        .map(|(name, source)| {
            judge_namespace(k8s, name, source).in_scope(pci.class_of(ScopeKind::Namespace, name))
        })
        .collect();
    let mut result = CheckResult::from_resources(CHECK, "namespace", resources, "");
    append_notes(&mut result.reason, &notes);
    result
}

fn append_notes(reason: &mut String, notes: &[String]) {
    for note in notes {
        reason.push_str("; ");
        reason.push_str(note);
    }
}

/// The namespaces from Namespace objects, or failing those, from workloads.
fn namespaces(k8s: &K8sEvidence) -> Option<WorkloadNamespaces<'_>> {
    if !k8s.namespaces.is_empty() {
        let names = k8s
            .namespaces
            .iter()
            .map(|ns| (ns.name.as_str(), ns.source.clone()))
            .collect();
        return Some(WorkloadNamespaces { names, note: None });
    }
    let mut names = BTreeMap::new();
    for workload in &k8s.workloads {
        if let Some(namespace) = workload.namespace.as_deref() {
            names
                .entry(namespace)
                .or_insert_with(|| workload.source.clone());
        }
    }
    if names.is_empty() {
        return None;
    }
    Some(WorkloadNamespaces {
        note: Some(format!(
            "no Namespace objects were imported, so the namespaces are those of the {} imported workload(s)",
            k8s.workloads.len()
        )),
        names,
    })
}

fn judge_namespace(k8s: &K8sEvidence, name: &str, source: EvidenceRef) -> ResourceResult {
    let resource = format!("Namespace/{name}");
    if k8s.network_policies.is_empty() {
        return ResourceResult::new(
            resource,
            CheckStatus::Fail,
            format!(
                "no network policies were imported at all, so nothing shows a default-deny policy here ({})",
                cmd("network-policies")
            ),
            vec![source],
        );
    }
    let policies: Vec<&NetworkPolicy> = k8s
        .network_policies
        .iter()
        .filter(|p| p.namespace.as_deref() == Some(name))
        .collect();
    let mut evidence = vec![source];
    if let Some(policy) = policies.iter().find(|p| shortfall(p).is_none()) {
        evidence.push(policy.source.clone());
        return ResourceResult::new(
            resource,
            CheckStatus::Pass,
            format!(
                "policy {} selects every pod and denies all ingress and egress unless another policy allows it",
                policy.name
            ),
            evidence,
        );
    }
    evidence.extend(policies.iter().map(|p| p.source.clone()));
    let reason = if policies.is_empty() {
        "no network policy in this namespace, so all traffic is allowed".to_owned()
    } else {
        let misses: Vec<String> = policies
            .iter()
            .filter_map(|p| shortfall(p).map(|why| format!("{} {why}", p.name)))
            .collect();
        format!(
            "none of its {} policy(ies) is a default deny: {}",
            policies.len(),
            misses.join("; ")
        )
    };
    ResourceResult::new(resource, CheckStatus::Fail, reason, evidence)
}

/// Why `policy` is not a default deny, or `None` if it is one.
fn shortfall(policy: &NetworkPolicy) -> Option<String> {
    if !policy.selects_all_pods {
        return Some("selects only some pods".to_owned());
    }
    let (ingress, egress) = policy.covers();
    match (ingress, egress) {
        (true, true) => {}
        (true, false) => return Some("covers Ingress only, not Egress".to_owned()),
        (false, true) => return Some("covers Egress only, not Ingress".to_owned()),
        (false, false) => return Some("covers neither Ingress nor Egress".to_owned()),
    }
    let allow_all =
        |rules: &[crate::evidence::k8s::PolicyRule]| rules.iter().any(|r| r.allows_all());
    if allow_all(&policy.ingress) || allow_all(&policy.egress) {
        return Some("has an allow-all rule ({}), so it denies nothing".to_owned());
    }
    if !policy.ingress.is_empty() || !policy.egress.is_empty() {
        return Some(format!(
            "allows traffic itself ({} ingress and {} egress rule(s))",
            policy.ingress.len(),
            policy.egress.len()
        ));
    }
    None
}
