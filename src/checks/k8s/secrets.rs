//! `k8s.no-secrets-in-env` and `k8s.no-secret-in-annotations`, judged from
//! the sensitive-data scan of the imported files
//! ([`crate::evidence::sensitive`]): where a value is, never what it is
//! (results carry the masked preview only).

use std::collections::BTreeMap;

use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::evidence::sensitive::{SensitiveFinding, SensitiveKind};
use crate::evidence::{Evidence, EvidenceRef};

const ENV: &str = "k8s.no-secrets-in-env";
const ANNOTATIONS: &str = "k8s.no-secret-in-annotations";

fn reference(f: &SensitiveFinding) -> EvidenceRef {
    EvidenceRef {
        path: f.path.clone(),
        pointer: f.location.clone(),
        resource: f.resource.clone(),
    }
}

fn redacted_note(f: &SensitiveFinding) -> &'static str {
    if f.redacted {
        " (redacted in the stored copy; the workload still sets it literally)"
    } else {
        ""
    }
}

/// Every workload: no container sets a secret-looking variable literally.
pub(super) fn no_secrets_in_env(evidence: &Evidence) -> CheckResult {
    let resources = evidence
        .k8s
        .workloads
        .iter()
        .map(|w| {
            let label = w.label();
            let found: Vec<&SensitiveFinding> = evidence
                .sensitive
                .iter()
                .filter(|f| {
                    f.in_env() && f.path == w.source.path && f.resource.as_deref() == Some(&label)
                })
                .collect();
            if found.is_empty() {
                return ResourceResult::new(
                    label,
                    CheckStatus::Pass,
                    "no environment variable holds a literal secret",
                    vec![w.source.clone()],
                );
            }
            let described: Vec<String> = found
                .iter()
                .map(|f| {
                    format!(
                        "{} = {} ({}){}",
                        f.name.as_deref().unwrap_or("a variable"),
                        f.preview,
                        f.kind.label().to_lowercase(),
                        redacted_note(f)
                    )
                })
                .collect();
            ResourceResult::new(
                label,
                CheckStatus::Fail,
                format!(
                    "{} literal secret(s) in env: {}; use a secretKeyRef or the Key Vault CSI driver",
                    found.len(),
                    described.join("; ")
                ),
                found.iter().map(|f| reference(f)).collect(),
            )
        })
        .collect();
    CheckResult::from_resources(
        ENV,
        "workload",
        resources,
        "no pods or workloads were imported (kubectl get pods, deployments, statefulsets, daemonsets ... -A -o json)",
    )
}

/// No object's `last-applied-configuration` annotation holds Secret data.
pub(super) fn no_secret_in_annotations(evidence: &Evidence) -> CheckResult {
    let mut by_object: BTreeMap<(String, String), Vec<&SensitiveFinding>> = BTreeMap::new();
    for f in evidence
        .sensitive
        .iter()
        .filter(|f| f.kind == SensitiveKind::SecretInAnnotation)
    {
        let object = f.resource.clone().unwrap_or_else(|| f.location.clone());
        by_object
            .entry((f.path.clone(), object))
            .or_default()
            .push(f);
    }
    let secrets_seen = evidence
        .sensitive
        .iter()
        .any(|f| f.kind == SensitiveKind::SecretData);
    if by_object.is_empty() {
        let k8s = &evidence.k8s;
        let mut files: Vec<EvidenceRef> = k8s
            .workloads
            .iter()
            .map(|w| &w.source)
            .chain(k8s.services.iter().map(|s| &s.source))
            .chain(k8s.namespaces.iter().map(|n| &n.source))
            .chain(k8s.ingresses.iter().map(|i| &i.source))
            .chain(k8s.network_policies.iter().map(|p| &p.source))
            .chain(k8s.cluster_role_bindings.iter().map(|b| &b.source))
            .map(|source| EvidenceRef {
                path: source.path.clone(),
                // The whole file (RFC 6901's empty pointer).
                pointer: String::new(),
                resource: None,
            })
            .collect();
        files.sort();
        files.dedup();
        if files.is_empty() && !secrets_seen {
            return CheckResult::not_evaluated(
                ANNOTATIONS,
                "no Kubernetes objects were imported (kubectl get ... -A -o json)",
            );
        }
        let mut result = CheckResult::not_evaluated(
            ANNOTATIONS,
            format!(
                "no last-applied-configuration annotation in {} Kubernetes export(s) holds Secret data",
                files.len().max(1)
            ),
        );
        result.status = CheckStatus::Pass;
        return result.citing(files);
    }
    let resources = by_object
        .into_iter()
        .map(|((_, object), found)| {
            let keys: Vec<String> = found
                .iter()
                .map(|f| {
                    format!(
                        "{} ({}){}",
                        f.name.as_deref().unwrap_or("a key"),
                        f.preview,
                        redacted_note(f)
                    )
                })
                .collect();
            ResourceResult::new(
                object,
                CheckStatus::Fail,
                format!(
                    "its kubectl.kubernetes.io/last-applied-configuration annotation holds Secret data: {}; apply Secrets with server-side apply or from a secret store",
                    keys.join(", ")
                ),
                found.iter().map(|f| reference(f)).collect(),
            )
        })
        .collect();
    CheckResult::from_resources(ANNOTATIONS, "object", resources, "")
}
