//! Access: `k8s.no-cluster-admin-binding`.

use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::evidence::k8s::{ClusterRoleBinding, K8sEvidence, Subject};

const CHECK: &str = "k8s.no-cluster-admin-binding";

/// Runs `k8s.no-cluster-admin-binding`.
pub(super) fn run(k8s: &K8sEvidence, out: &mut Vec<CheckResult>) {
    out.push(no_cluster_admin_binding(&k8s.cluster_role_bindings));
}

fn no_cluster_admin_binding(bindings: &[ClusterRoleBinding]) -> CheckResult {
    if bindings.is_empty() {
        return CheckResult::not_evaluated(
            CHECK,
            "no cluster role bindings were imported (kubectl get clusterrolebindings -o json)",
        );
    }
    let admin: Vec<&ClusterRoleBinding> = bindings
        .iter()
        .filter(|b| grants_cluster_admin(b))
        .collect();
    if admin.is_empty() {
        let mut evidence: Vec<_> = bindings.iter().map(|b| b.source.clone()).collect();
        evidence.sort();
        evidence.dedup();
        return CheckResult {
            check: CHECK.to_owned(),
            requirement: None,
            framework: None,
            status: CheckStatus::Pass,
            reason: format!(
                "none of the {} imported cluster role binding(s) grants cluster-admin",
                bindings.len()
            ),
            evidence,
            resources: Vec::new(),
        };
    }
    let resources = admin.iter().map(|b| judge(b)).collect();
    let mut result = CheckResult::from_resources(CHECK, "cluster-admin binding", resources, "");
    let others = bindings.len() - admin.len();
    if others > 0 {
        result
            .reason
            .push_str(&format!("; {others} other binding(s) grant other roles"));
    }
    result
}

fn grants_cluster_admin(binding: &ClusterRoleBinding) -> bool {
    binding.role_name.as_deref() == Some("cluster-admin")
        && binding
            .role_kind
            .as_deref()
            .is_none_or(|kind| kind == "ClusterRole")
}

/// A Kubernetes component's own identity: a user or group named `system:...`.
/// A service account is an application's identity, whatever its namespace.
/// The built-in groups that stand for every user, every service account or
/// anonymous requests carry `system:` names too, but binding cluster-admin
/// to them hands the cluster to everyone in them.
fn is_system(subject: &Subject) -> bool {
    matches!(subject.kind.as_str(), "User" | "Group")
        && subject.name.starts_with("system:")
        && !is_everyone(&subject.name)
}

/// `system:anonymous`, `system:unauthenticated`, `system:authenticated`,
/// `system:serviceaccounts` and `system:serviceaccounts:<namespace>`.
fn is_everyone(name: &str) -> bool {
    matches!(
        name,
        "system:anonymous"
            | "system:unauthenticated"
            | "system:authenticated"
            | "system:serviceaccounts"
    ) || name.starts_with("system:serviceaccounts:")
}

fn judge(binding: &ClusterRoleBinding) -> ResourceResult {
    let label = binding.source.resource.clone().unwrap_or_default();
    let outside: Vec<String> = binding
        .subjects
        .iter()
        .filter(|s| !is_system(s))
        .map(Subject::to_string)
        .collect();
    let (status, reason) = if !outside.is_empty() {
        (
            CheckStatus::Fail,
            format!(
                "binds cluster-admin to {} outside the system: names",
                outside.join(", ")
            ),
        )
    } else if binding.subjects.is_empty() {
        (
            CheckStatus::Pass,
            "binds cluster-admin to no subject".to_owned(),
        )
    } else {
        let names: Vec<String> = binding.subjects.iter().map(Subject::to_string).collect();
        (
            CheckStatus::Pass,
            format!("binds cluster-admin only to {}", names.join(", ")),
        )
    };
    ResourceResult::new(label, status, reason, vec![binding.source.clone()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(kind: &str, name: &str) -> Subject {
        Subject {
            kind: kind.into(),
            name: name.into(),
            namespace: None,
        }
    }

    #[test]
    fn groups_of_everyone_are_not_system_components() {
        assert!(is_system(&subject("Group", "system:masters")));
        assert!(is_system(&subject(
            "User",
            "system:kube-controller-manager"
        )));
        for everyone in [
            "system:anonymous",
            "system:unauthenticated",
            "system:authenticated",
            "system:serviceaccounts",
            "system:serviceaccounts:default",
        ] {
            assert!(!is_system(&subject("Group", everyone)), "{everyone}");
        }
        assert!(!is_system(&subject("ServiceAccount", "system:x")));
    }
}
