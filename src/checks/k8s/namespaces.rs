//! `k8s.no-default-namespace`: workloads run in namespaces of their own,
//! never in `default`, where every object created without a namespace lands
//! and no policy written for an application applies.

use super::scope::Controllers;
use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::evidence::k8s::Workload;
use crate::scope::{Scope, ScopeKind};

const CHECK: &str = "k8s.no-default-namespace";
const DEFAULT: &str = "default";

/// Judges every top-level workload (a Pod whose controller was imported too
/// is judged once, on the controller).
pub(super) fn no_default_namespace(workloads: &[Workload], pci: &Scope) -> CheckResult {
    let controllers = Controllers::new(workloads);
    let resources = workloads
        .iter()
        .filter(|w| controllers.top(w).is_none())
        .map(|w| {
            judge(w).in_scope(
                w.namespace
                    .as_deref()
                    .and_then(|ns| pci.class_of(ScopeKind::Namespace, ns)),
            )
        })
        .collect();
    CheckResult::from_resources(
        CHECK,
        "workload",
        resources,
        "no pods or workloads were imported (kubectl get pods, deployments, statefulsets, daemonsets ... -A -o json)",
    )
}

fn judge(workload: &Workload) -> ResourceResult {
    let (status, reason) = match workload.namespace.as_deref() {
        Some(DEFAULT) => (
            CheckStatus::Fail,
            "runs in the `default` namespace".to_owned(),
        ),
        Some(namespace) => (
            CheckStatus::Pass,
            format!("runs in namespace {namespace}"),
        ),
        None => (
            CheckStatus::NotEvaluated,
            "the export names no namespace, so where it runs is unknown (export with kubectl get ... -A -o json)".to_owned(),
        ),
    };
    ResourceResult::new(
        workload.label(),
        status,
        reason,
        vec![workload.source.clone()],
    )
}
