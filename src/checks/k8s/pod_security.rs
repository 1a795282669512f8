//! Pod security: `k8s.pod-non-root`, `k8s.no-privilege-escalation`,
//! `k8s.no-privileged`, `k8s.drop-capabilities`.

use super::scope::{ContainerScope, Judged, Judgement};
use crate::checks::CheckResult;

/// Runs the four pod-security checks over the containers in scope.
pub(super) fn run(scope: &ContainerScope<'_>, out: &mut Vec<CheckResult>) {
    out.push(scope.result("k8s.pod-non-root", non_root));
    out.push(scope.result("k8s.no-privilege-escalation", no_privilege_escalation));
    out.push(scope.result("k8s.no-privileged", no_privileged));
    out.push(scope.result("k8s.drop-capabilities", drop_capabilities));
}

/// A setting that may be made on the container or, failing that, on the pod.
struct Effective<T> {
    value: T,
    pointer: String,
    level: &'static str,
}

fn effective<T: Copy>(
    judged: Judged<'_>,
    field: &str,
    read: impl Fn(&crate::evidence::k8s::SecurityContext) -> Option<T>,
) -> Option<Effective<T>> {
    let container = judged.container;
    let pod = &judged.workload.pod;
    read(&container.security)
        .map(|value| Effective {
            value,
            pointer: format!("{}/securityContext/{field}", container.pointer),
            level: "on the container",
        })
        .or_else(|| {
            read(&pod.security).map(|value| Effective {
                value,
                pointer: format!("{}/securityContext/{field}", pod.pointer),
                level: "on the pod",
            })
        })
}

fn non_root(judged: Judged<'_>) -> Judgement {
    let non_root = effective(judged, "runAsNonRoot", |s| s.run_as_non_root);
    let user = effective(judged, "runAsUser", |s| s.run_as_user);
    match (non_root, user) {
        (non_root, Some(user)) if user.value == 0 => {
            let contradiction = if non_root.is_some_and(|n| n.value) {
                ", which contradicts runAsNonRoot: true (the kubelet will refuse to start it)"
            } else {
                ""
            };
            Judgement::fail(
                format!("runs as root: runAsUser is 0 {}{contradiction}", user.level),
                user.pointer,
            )
        }
        (Some(non_root), _) if non_root.value => Judgement::pass(
            format!("runAsNonRoot is true {}", non_root.level),
            non_root.pointer,
        ),
        (_, Some(user)) => Judgement::pass(
            format!("runs as UID {} (runAsUser {})", user.value, user.level),
            user.pointer,
        ),
        (Some(non_root), None) => Judgement::fail(
            format!(
                "runAsNonRoot is false {} and no non-zero runAsUser is set",
                non_root.level
            ),
            non_root.pointer,
        ),
        (None, None) => Judgement::fail(
            "neither runAsNonRoot nor runAsUser is set on the container or the pod, so the image decides the user (often root)",
            judged.container.pointer.clone(),
        ),
    }
}

fn no_privilege_escalation(judged: Judged<'_>) -> Judgement {
    let container = judged.container;
    let pointer = format!(
        "{}/securityContext/allowPrivilegeEscalation",
        container.pointer
    );
    match container.security.allow_privilege_escalation {
        Some(false) => Judgement::pass("allowPrivilegeEscalation is false", pointer),
        Some(true) => Judgement::fail("allowPrivilegeEscalation is true", pointer),
        None => Judgement::fail(
            "allowPrivilegeEscalation is not set, and Kubernetes then allows escalation",
            container.pointer.clone(),
        ),
    }
}

fn no_privileged(judged: Judged<'_>) -> Judgement {
    let container = judged.container;
    let pod = &judged.workload.pod;
    let mut problems: Vec<(String, String)> = Vec::new();
    if container.security.privileged == Some(true) {
        problems.push((
            "the container is privileged".to_owned(),
            format!("{}/securityContext/privileged", container.pointer),
        ));
    }
    let host = [
        (pod.host_network, "hostNetwork", "network"),
        (pod.host_pid, "hostPID", "process (PID)"),
        (pod.host_ipc, "hostIPC", "IPC"),
    ];
    for (value, field, what) in host {
        if value == Some(true) {
            problems.push((
                format!("the pod shares the host's {what} namespace ({field}: true)"),
                format!("{}/{field}", pod.pointer),
            ));
        }
    }
    match problems.first() {
        None => Judgement::pass(
            "not privileged, and the pod uses none of the host's network, PID or IPC namespaces",
            container.pointer.clone(),
        ),
        Some((_, pointer)) => {
            let pointer = pointer.clone();
            let reasons: Vec<String> = problems.into_iter().map(|(reason, _)| reason).collect();
            Judgement::fail(reasons.join("; "), pointer)
        }
    }
}

fn drop_capabilities(judged: Judged<'_>) -> Judgement {
    let container = judged.container;
    let security = &container.security;
    let pointer = format!("{}/securityContext/capabilities", container.pointer);
    let is_all = |c: &String| c.eq_ignore_ascii_case("ALL");
    if security.capabilities_add.iter().any(is_all) {
        return Judgement::fail(
            "adds ALL capabilities back (capabilities.add: ALL)",
            pointer,
        );
    }
    if !security.capabilities_drop.iter().any(is_all) {
        let reason = if security.capabilities_drop.is_empty() {
            "drops no capabilities (capabilities.drop does not list ALL)".to_owned()
        } else {
            format!(
                "drops only {}, not ALL",
                security.capabilities_drop.join(", ")
            )
        };
        let pointer = if security.capabilities_drop.is_empty() {
            container.pointer.clone()
        } else {
            pointer
        };
        return Judgement::fail(reason, pointer);
    }
    if security.capabilities_add.is_empty() {
        Judgement::pass("drops ALL capabilities", pointer)
    } else {
        Judgement::pass(
            format!(
                "drops ALL capabilities and adds back only {}",
                security.capabilities_add.join(", ")
            ),
            pointer,
        )
    }
}
