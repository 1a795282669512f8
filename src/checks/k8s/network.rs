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
    let unplaced: Vec<&str> = k8s
        .network_policies
        .iter()
        .filter(|p| p.namespace.is_none())
        .map(|p| p.name.as_str())
        .collect();
    if !unplaced.is_empty() {
        notes.push(format!(
            "{} network policy(ies) without a namespace (set at deploy time): {}",
            unplaced.len(),
            unplaced.join(", ")
        ));
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

/// The namespaces to judge: those of the imported Namespace objects and
/// every namespace that holds an imported workload (a workload's namespace
/// is a workload namespace whatever its name, unless the settings exclude
/// it).
fn namespaces(k8s: &K8sEvidence) -> Option<WorkloadNamespaces<'_>> {
    let mut names: BTreeMap<&str, EvidenceRef> = k8s
        .namespaces
        .iter()
        .map(|ns| (ns.name.as_str(), ns.source.clone()))
        .collect();
    let mut from_workloads = 0;
    for workload in &k8s.workloads {
        if let Some(namespace) = workload.namespace.as_deref()
            && !names.contains_key(namespace)
        {
            names.insert(namespace, workload.source.clone());
            from_workloads += 1;
        }
    }
    if names.is_empty() {
        return None;
    }
    let note = (from_workloads > 0).then(|| {
        if k8s.namespaces.is_empty() {
            format!(
                "no Namespace objects were imported, so the namespaces are those of the {} imported workload(s)",
                k8s.workloads.len()
            )
        } else {
            format!(
                "{from_workloads} namespace(s) judged because imported workloads run there, though no Namespace object for them was imported"
            )
        }
    });
    Some(WorkloadNamespaces { names, note })
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
    if let Some((policy, dns)) = policies
        .iter()
        .find_map(|p| default_deny_kind(p).map(|dns| (p, dns)))
    {
        evidence.push(policy.source.clone());
        let reason = if dns {
            format!(
                "policy {} selects every pod and denies all ingress and egress unless another policy allows it; the only traffic it allows itself is DNS (port 53) to the cluster DNS (kube-dns / kube-system)",
                policy.name
            )
        } else {
            format!(
                "policy {} selects every pod and denies all ingress and egress unless another policy allows it",
                policy.name
            )
        };
        return ResourceResult::new(resource, CheckStatus::Pass, reason, evidence);
    }
    evidence.extend(policies.iter().map(|p| p.source.clone()));
    let unplaced: Vec<&NetworkPolicy> = k8s
        .network_policies
        .iter()
        .filter(|p| p.namespace.is_none() && default_deny_kind(p).is_some())
        .collect();
    let own = if policies.is_empty() {
        "no network policy of its own".to_owned()
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
    if !unplaced.is_empty() {
        evidence.extend(unplaced.iter().map(|p| p.source.clone()));
        let names: Vec<&str> = unplaced.iter().map(|p| p.name.as_str()).collect();
        return ResourceResult::new(
            resource,
            CheckStatus::NotEvaluated,
            format!(
                "{own}; default-deny policy(ies) {} have no namespace (it is set at deploy time), so whether one is deployed here is unknown: import them with the kustomization.yaml that sets it, or kubectl get networkpolicies -A -o json",
                names.join(", ")
            ),
            evidence,
        );
    }
    let reason = if policies.is_empty() {
        "no network policy in this namespace, so all traffic is allowed".to_owned()
    } else {
        own
    };
    ResourceResult::new(resource, CheckStatus::Fail, reason, evidence)
}

/// `Some(false)` for a plain default deny, `Some(true)` for one that allows
/// DNS to the cluster DNS only, `None` if `policy` is not a default deny.
fn default_deny_kind(policy: &NetworkPolicy) -> Option<bool> {
    match shortfall(policy) {
        None => Some(policy.egress.iter().any(|r| r.dns_only)),
        Some(_) => None,
    }
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
    let dns_egress_only = policy.egress.iter().all(|r| r.dns_only);
    if !policy.ingress.is_empty() || !dns_egress_only {
        return Some(format!(
            "allows traffic itself ({} ingress and {} egress rule(s)), beyond DNS to the cluster DNS",
            policy.ingress.len(),
            policy.egress.len()
        ));
    }
    None
}
