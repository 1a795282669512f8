//! Kubernetes checks (`k8s.*`), one file per family; see `check_registry.rs` for
//! their IDs and meaning. Every check adds exactly one result.

mod boundary;
mod exposure;
mod images;
mod namespaces;
mod network;
mod pod_security;
mod rbac;
mod scope;
mod secrets;

pub(crate) use scope::Controllers;

use super::{CheckResult, Settings};
use crate::evidence::Evidence;
use crate::scope::Scope;

/// Runs this family's checks, adding one result per static check, in the
/// registry's order.
pub(super) fn run(
    evidence: &Evidence,
    settings: &Settings,
    pci: &Scope,
    out: &mut Vec<CheckResult>,
) {
    let k8s = &evidence.k8s;
    network::run(k8s, settings, pci, out);
    let containers = scope::ContainerScope::new(&k8s.workloads, settings, pci);
    pod_security::run(&containers, out);
    images::run(&containers, settings, out);
    exposure::run_load_balancers(k8s, out);
    rbac::run(k8s, out);
    exposure::run_dashboard(k8s, out);
    exposure::run_ingress_tls(k8s, out);
    out.push(namespaces::no_default_namespace(&k8s.workloads, pci));
    boundary::run(evidence, settings, pci, out);
    out.push(secrets::no_secrets_in_env(evidence));
    out.push(secrets::no_secret_in_annotations(evidence));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{CHECKS, CheckStatus};

    #[test]
    fn every_check_reports_once_and_never_passes_without_evidence() {
        let mut out = Vec::new();
        run(
            &Evidence::default(),
            &Settings::default(),
            &Scope::default(),
            &mut out,
        );
        let ids: Vec<&str> = out.iter().map(|r| r.check.as_str()).collect();
        let expected: Vec<&str> = CHECKS
            .iter()
            .map(|c| c.id)
            .filter(|id| id.starts_with("k8s."))
            .collect();
        assert_eq!(ids, expected);
        assert!(out.iter().all(|r| r.status == CheckStatus::NotEvaluated));
        assert!(out.iter().all(|r| !r.reason.is_empty()));
    }
}
