//! Exposure: `k8s.no-public-loadbalancer`, `k8s.ingress-tls`, `k8s.no-dashboard`.

use std::collections::BTreeSet;

use super::scope::Controllers;
use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::evidence::EvidenceRef;
use crate::evidence::k8s::{Ingress, K8sEvidence, Service, Workload};

/// The annotation that keeps an Azure load balancer off the internet.
const INTERNAL_ANNOTATION: &str = "service.beta.kubernetes.io/azure-load-balancer-internal";

/// Runs the exposure checks.
pub(super) fn run_load_balancers(k8s: &K8sEvidence, out: &mut Vec<CheckResult>) {
    out.push(no_public_load_balancer(&k8s.services));
}

/// Runs `k8s.no-dashboard`.
pub(super) fn run_dashboard(k8s: &K8sEvidence, out: &mut Vec<CheckResult>) {
    out.push(no_dashboard(&k8s.workloads));
}

/// Runs `k8s.ingress-tls`.
pub(super) fn run_ingress_tls(k8s: &K8sEvidence, out: &mut Vec<CheckResult>) {
    out.push(ingress_tls(&k8s.ingresses));
}

/// One reference per file the objects came from: for a pass that rests on
/// having seen every object of a kind.
fn files_of<'a>(sources: impl Iterator<Item = &'a EvidenceRef>) -> Vec<EvidenceRef> {
    let paths: BTreeSet<&str> = sources.map(|s| s.path.as_str()).collect();
    paths
        .into_iter()
        .map(|path| EvidenceRef {
            path: path.to_owned(),
            pointer: String::new(),
            resource: None,
        })
        .collect()
}

/// A pass for a check whose offenders were looked for among all objects of
/// a kind and none was found.
fn pass_over_all(check: &str, reason: String, evidence: Vec<EvidenceRef>) -> CheckResult {
    CheckResult {
        check: check.to_owned(),
        requirement: None,
        framework: None,
        status: CheckStatus::Pass,
        reason,
        evidence,
        resources: Vec::new(),
    }
}

fn no_public_load_balancer(services: &[Service]) -> CheckResult {
    const CHECK: &str = "k8s.no-public-loadbalancer";
    if services.is_empty() {
        return CheckResult::not_evaluated(
            CHECK,
            "no services were imported (kubectl get services -A -o json)",
        );
    }
    let balancers: Vec<&Service> = services
        .iter()
        .filter(|s| s.service_type.as_deref() == Some("LoadBalancer"))
        .collect();
    if balancers.is_empty() {
        return pass_over_all(
            CHECK,
            format!(
                "none of the {} imported service(s) is of type LoadBalancer",
                services.len()
            ),
            files_of(services.iter().map(|s| &s.source)),
        );
    }
    let resources = balancers.iter().map(|s| judge_load_balancer(s)).collect();
    let mut result = CheckResult::from_resources(CHECK, "LoadBalancer service", resources, "");
    let others = services.len() - balancers.len();
    if others > 0 {
        result.reason.push_str(&format!(
            "; {others} other service(s) are not load balancers"
        ));
    }
    result
}

fn judge_load_balancer(service: &Service) -> ResourceResult {
    let label = service.source.resource.clone().unwrap_or_default();
    let annotation = service.annotations.get(INTERNAL_ANNOTATION);
    let (status, reason) = match annotation {
        Some(value) if value.trim().eq_ignore_ascii_case("true") => (
            CheckStatus::Pass,
            format!("an internal load balancer ({INTERNAL_ANNOTATION}: \"true\")"),
        ),
        Some(value) => (
            CheckStatus::Fail,
            format!("a public load balancer: {INTERNAL_ANNOTATION} is \"{value}\", not \"true\""),
        ),
        None => (
            CheckStatus::Fail,
            format!("a public load balancer: the annotation {INTERNAL_ANNOTATION} is not set"),
        ),
    };
    ResourceResult::new(label, status, reason, vec![service.source.clone()])
}

fn ingress_tls(ingresses: &[Ingress]) -> CheckResult {
    const CHECK: &str = "k8s.ingress-tls";
    let resources = ingresses.iter().map(judge_ingress).collect();
    CheckResult::from_resources(
        CHECK,
        "ingress",
        resources,
        "no ingresses were imported (kubectl get ingresses -A -o json)",
    )
}

fn judge_ingress(ingress: &Ingress) -> ResourceResult {
    let label = ingress.source.resource.clone().unwrap_or_default();
    let mut uncovered: Vec<(String, String)> = Vec::new();
    let mut hosts = 0;
    for rule in &ingress.rules {
        hosts += 1;
        if !covered(ingress, rule.host.as_deref()) {
            let host = rule.host.clone().unwrap_or_else(|| "(any host)".to_owned());
            uncovered.push((host, rule.pointer.clone()));
        }
    }
    if ingress.default_backend {
        hosts += 1;
        if !covered(ingress, None) {
            uncovered.push((
                "(default backend, any host)".to_owned(),
                format!("{}/spec", ingress.source.pointer),
            ));
        }
    }
    let mut evidence = vec![ingress.source.clone()];
    let (status, reason) = if let Some((_, pointer)) = uncovered.first() {
        evidence.push(EvidenceRef {
            pointer: pointer.clone(),
            ..ingress.source.clone()
        });
        let names: Vec<&str> = uncovered.iter().map(|(h, _)| h.as_str()).collect();
        (
            CheckStatus::Fail,
            format!("served without TLS: {}", names.join(", ")),
        )
    } else if hosts == 0 {
        (
            CheckStatus::Pass,
            "has no rules and no default backend, so it serves nothing".to_owned(),
        )
    } else {
        (
            CheckStatus::Pass,
            format!("all {hosts} host rule(s) are covered by a TLS entry"),
        )
    };
    ResourceResult::new(label, status, reason, evidence)
}

/// True if a TLS entry covers `host`; `None` (any host) needs an entry that
/// names no hosts.
fn covered(ingress: &Ingress, host: Option<&str>) -> bool {
    ingress.tls.iter().any(|tls| match host {
        None => tls.hosts.is_empty(),
        Some(host) => tls.hosts.iter().any(|pattern| host_matches(pattern, host)),
    })
}

/// `pattern` covers `host`: equal (ignoring case), or `*.example.com`
/// covering exactly one more label.
fn host_matches(pattern: &str, host: &str) -> bool {
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    match (pattern.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((label, rest))) => {
            !label.is_empty() && label != "*" && rest.eq_ignore_ascii_case(suffix)
        }
        _ => false,
    }
}

fn no_dashboard(workloads: &[Workload]) -> CheckResult {
    const CHECK: &str = "k8s.no-dashboard";
    if workloads.is_empty() {
        return CheckResult::not_evaluated(
            CHECK,
            "no pods or workloads were imported (kubectl get pods, deployments ... -A -o json)",
        );
    }
    let controllers = Controllers::new(workloads);
    let offenders: Vec<ResourceResult> = workloads
        .iter()
        .filter(|w| controllers.top(w).is_none())
        .filter_map(|w| {
            dashboard_sign(w).map(|sign| {
                ResourceResult::new(
                    w.label(),
                    CheckStatus::Fail,
                    format!("runs the Kubernetes dashboard ({sign})"),
                    vec![w.source.clone()],
                )
            })
        })
        .collect();
    let Some(first) = offenders.first() else {
        return pass_over_all(
            CHECK,
            format!(
                "none of the {} imported workload(s) runs the Kubernetes dashboard",
                workloads.len()
            ),
            files_of(workloads.iter().map(|w| &w.source)),
        );
    };
    let more = if offenders.len() > 1 {
        format!(" (and {} more)", offenders.len() - 1)
    } else {
        String::new()
    };
    let mut evidence: Vec<EvidenceRef> = offenders
        .iter()
        .flat_map(|r| r.evidence.iter().cloned())
        .collect();
    evidence.sort();
    evidence.dedup();
    CheckResult {
        check: CHECK.to_owned(),
        requirement: None,
        framework: None,
        status: CheckStatus::Fail,
        reason: format!("{}: {}{more}", first.resource, first.reason),
        evidence,
        resources: offenders,
    }
}

/// What marks `workload` as the Kubernetes dashboard: its image (the
/// project publishes under `kubernetesui/`, older releases as
/// `kubernetes-dashboard`), or its app labels.
fn dashboard_sign(workload: &Workload) -> Option<String> {
    for container in &workload.pod.containers {
        let Some(image) = container.image.as_deref() else {
            continue;
        };
        if image.contains("kubernetesui/") || image.contains("kubernetes-dashboard") {
            return Some(format!("image {image}"));
        }
    }
    ["k8s-app", "app.kubernetes.io/name", "app"]
        .iter()
        .find_map(|key| {
            let value = workload.labels.get(*key)?;
            value
                .starts_with("kubernetes-dashboard")
                .then(|| format!("label {key}={value}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(host_matches("*.contoso.com", "shop.contoso.com"));
        assert!(host_matches("Shop.Contoso.com", "shop.contoso.com"));
        assert!(!host_matches("*.contoso.com", "a.b.contoso.com"));
        assert!(!host_matches("*.contoso.com", "contoso.com"));
        assert!(!host_matches("shop.contoso.com", "api.contoso.com"));
    }
}
