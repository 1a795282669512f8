//! Which containers the pod-security and image checks judge.
//!
//! Two things are left out, and every result says how many: workloads in the
//! excluded system namespaces ([`Settings::is_excluded_namespace`]), and
//! containers of Pods (or ReplicaSets, Jobs) whose controller was imported
//! too. Those are judged once, on the controller's pod template; a container
//! that is in the pod but not in the template (a sidecar injected at
//! admission) is still judged on the pod.

use crate::collect::export_command as cmd;
use std::collections::{BTreeSet, HashMap};

use crate::checks::{CheckResult, CheckStatus, ResourceResult, Settings};
use crate::evidence::EvidenceRef;
use crate::evidence::k8s::{Container, ObjectKind, Workload};
use crate::scope::{Scope, ScopeClass, ScopeKind};

/// How a check judged one container: the outcome, why, and the pointer of
/// the decisive field (or of the container).
pub(super) struct Judgement {
    pub status: CheckStatus,
    pub reason: String,
    pub pointer: String,
}

impl Judgement {
    pub fn pass(reason: impl Into<String>, pointer: impl Into<String>) -> Self {
        Judgement {
            status: CheckStatus::Pass,
            reason: reason.into(),
            pointer: pointer.into(),
        }
    }

    pub fn fail(reason: impl Into<String>, pointer: impl Into<String>) -> Self {
        Judgement {
            status: CheckStatus::Fail,
            reason: reason.into(),
            pointer: pointer.into(),
        }
    }

    pub fn unknown(reason: impl Into<String>, pointer: impl Into<String>) -> Self {
        Judgement {
            status: CheckStatus::NotEvaluated,
            reason: reason.into(),
            pointer: pointer.into(),
        }
    }
}

/// A container to judge, with the workload it belongs to.
#[derive(Clone, Copy)]
pub(super) struct Judged<'a> {
    pub workload: &'a Workload,
    pub container: &'a Container,
}

/// A container in scope with its label, made once for all the checks.
struct InScope<'a> {
    judged: Judged<'a>,
    label: String,
    pci: Option<ScopeClass>,
}

/// The containers to judge and what was left out.
pub(super) struct ContainerScope<'a> {
    workloads: usize,
    judged: Vec<InScope<'a>>,
    excluded_containers: usize,
    excluded_namespaces: BTreeSet<&'a str>,
    via_controller: usize,
    controller_kinds: BTreeSet<ObjectKind>,
}

impl<'a> ContainerScope<'a> {
    /// Selects the containers of `workloads` to judge.
    pub fn new(workloads: &'a [Workload], settings: &Settings, pci: &Scope) -> Self {
        let controllers = Controllers::new(workloads);
        let mut scope = ContainerScope {
            workloads: workloads.len(),
            judged: Vec::new(),
            excluded_containers: 0,
            excluded_namespaces: BTreeSet::new(),
            via_controller: 0,
            controller_kinds: BTreeSet::new(),
        };
        for workload in workloads {
            if let Some(namespace) = workload
                .namespace
                .as_deref()
                .filter(|ns| settings.is_excluded_namespace(ns))
            {
                scope.excluded_containers += workload.pod.containers.len();
                scope.excluded_namespaces.insert(namespace);
                continue;
            }
            let controller = controllers.top(workload);
            for container in &workload.pod.containers {
                match controller.filter(|c| in_template(c, container)) {
                    Some(controller) => {
                        scope.via_controller += 1;
                        scope.controller_kinds.insert(controller.kind);
                    }
                    None => scope.judged.push(InScope {
                        judged: Judged {
                            workload,
                            container,
                        },
                        label: workload.container_label(container),
                        pci: workload
                            .namespace
                            .as_deref()
                            .and_then(|ns| pci.class_of(ScopeKind::Namespace, ns)),
                    }),
                }
            }
        }
        scope
    }

    /// Judges every container in scope with `judge` and sums the outcomes up
    /// into the result of `check`.
    pub fn result(&self, check: &str, judge: impl Fn(Judged<'a>) -> Judgement) -> CheckResult {
        if self.workloads == 0 {
            return CheckResult::not_evaluated(
                check,
                format!(
                    "no pods or workloads were imported ({}, and the deployments, daemon sets and stateful sets the same way)",
                    cmd("pods")
                ),
            );
        }
        if self.judged.is_empty() {
            let reason = if self.excluded_containers > 0 && self.via_controller == 0 {
                format!(
                    "every imported workload is in an excluded system namespace ({}); no container is left to judge",
                    self.excluded_list()
                )
            } else {
                format!("no container is left to judge{}", self.left_out())
            };
            return CheckResult::not_evaluated(check, reason);
        }
        let resources = self
            .judged
            .iter()
            .map(|in_scope| {
                let judgement = judge(in_scope.judged);
                let evidence = EvidenceRef {
                    path: in_scope.judged.workload.source.path.clone(),
                    pointer: judgement.pointer,
                    resource: Some(in_scope.label.clone()),
                };
                ResourceResult::new(
                    in_scope.label.clone(),
                    judgement.status,
                    judgement.reason,
                    vec![evidence],
                )
                .in_scope(in_scope.pci)
            })
            .collect();
        let mut result = CheckResult::from_resources(check, "container", resources, "");
        result.reason.push_str(&self.left_out());
        result
    }

    /// `; not judged: ...` naming what was left out, or nothing.
    fn left_out(&self) -> String {
        let mut parts = Vec::new();
        if self.excluded_containers > 0 {
            parts.push(format!(
                "{} container(s) in excluded system namespaces ({}) not judged",
                self.excluded_containers,
                self.excluded_list()
            ));
        }
        if self.via_controller > 0 {
            let kinds: Vec<&str> = self.controller_kinds.iter().map(|k| k.name()).collect();
            parts.push(format!(
                "{} pod container(s) judged once, on their imported controller's template ({})",
                self.via_controller,
                kinds.join(", ")
            ));
        }
        parts.iter().map(|p| format!("; {p}")).collect()
    }

    fn excluded_list(&self) -> String {
        self.excluded_namespaces
            .iter()
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// True if `controller`'s template has a container of that name and role.
fn in_template(controller: &Workload, container: &Container) -> bool {
    controller
        .pod
        .containers
        .iter()
        .any(|c| c.name == container.name && c.role == container.role)
}

/// The imported controllers, to find a workload's owner.
pub(crate) struct Controllers<'a> {
    by_uid: HashMap<&'a str, &'a Workload>,
    by_name: HashMap<(Option<&'a str>, ObjectKind, &'a str), &'a Workload>,
}

impl<'a> Controllers<'a> {
    pub fn new(workloads: &'a [Workload]) -> Self {
        let mut controllers = Controllers {
            by_uid: HashMap::new(),
            by_name: HashMap::new(),
        };
        for workload in workloads.iter().filter(|w| w.kind != ObjectKind::Pod) {
            if let Some(uid) = &workload.uid {
                controllers.by_uid.insert(uid, workload);
            }
            controllers.by_name.insert(
                (workload.namespace.as_deref(), workload.kind, &workload.name),
                workload,
            );
        }
        controllers
    }

    /// The top-most imported controller of `workload` (a Pod's Deployment
    /// through its ReplicaSet), if any.
    pub fn top(&self, workload: &Workload) -> Option<&'a Workload> {
        let mut top = None;
        let mut current = workload;
        // Owner chains are short (Pod → ReplicaSet → Deployment); the bound
        // guards against a cycle in hand-written input.
        for _ in 0..4 {
            match self.owner(current) {
                Some(owner) if !std::ptr::eq(owner, workload) => {
                    top = Some(owner);
                    current = owner;
                }
                _ => break,
            }
        }
        top
    }

    /// The imported owner of `workload`: by UID, by name, or inferred from the
    /// names Kubernetes gives (a Deployment's ReplicaSet is
    /// `<deployment>-<pod-template-hash>`, a CronJob's Job `<cronjob>-<minutes>`).
    fn owner(&self, workload: &Workload) -> Option<&'a Workload> {
        let owner = workload
            .owners
            .iter()
            .find(|o| o.controller)
            .or(workload.owners.first())?;
        let namespace = workload.namespace.as_deref();
        let kind = ObjectKind::from_name(&owner.kind)?;
        if let Some(found) = owner.uid.as_deref().and_then(|uid| self.by_uid.get(uid)) {
            return Some(found);
        }
        if let Some(found) = self.by_name.get(&(namespace, kind, owner.name.as_str())) {
            return Some(found);
        }
        let (parent_kind, parent_name) = match kind {
            ObjectKind::ReplicaSet => {
                let hash = workload.labels.get("pod-template-hash")?;
                let name = owner.name.strip_suffix(hash.as_str())?.strip_suffix('-')?;
                (ObjectKind::Deployment, name)
            }
            ObjectKind::Job => {
                let (name, stamp) = owner.name.rsplit_once('-')?;
                if stamp.is_empty() || !stamp.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (ObjectKind::CronJob, name)
            }
            _ => return None,
        };
        self.by_name
            .get(&(namespace, parent_kind, parent_name))
            .copied()
    }
}
