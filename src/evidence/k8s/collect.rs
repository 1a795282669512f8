//! Turns raw objects into typed evidence with pointers, counts what was read
//! and skipped, and decides which format a file counts as.

use std::collections::BTreeMap;

use super::K8sEvidence;
use super::objects::{
    ClusterRoleBinding, Container, ContainerRole, Ingress, IngressRule, IngressTls, Namespace,
    NetworkPolicy, ObjectKind, OwnerReference, PodSpec, PolicyRule, SecurityContext, Service,
    Subject, Workload, resource_label,
};
use super::raw::{RawContainer, RawMeta, RawObject, RawPodSpec, RawPolicyRule, RawSecurityContext};
use crate::evidence::{Format, ImportContext, ImportError, ImportErrorKind, Recognised};

/// What the importers report as the tool.
const TOOL: &str = "kubectl";

/// Collects the objects of one file.
pub(super) struct Collector<'a> {
    ctx: ImportContext<'a>,
    evidence: K8sEvidence,
    read: BTreeMap<ObjectKind, usize>,
    skipped: BTreeMap<String, usize>,
    notes: Vec<String>,
}

impl<'a> Collector<'a> {
    pub fn new(ctx: ImportContext<'a>) -> Self {
        Collector {
            ctx,
            evidence: K8sEvidence::default(),
            read: BTreeMap::new(),
            skipped: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    /// How many objects of a kind Tickmark reads were collected.
    pub fn read_count(&self) -> usize {
        self.read.values().sum()
    }

    /// How many objects were skipped for their kind.
    pub fn skipped_count(&self) -> usize {
        self.skipped.values().sum()
    }

    /// The skipped kinds with their counts, e.g. `ConfigMap (3)`.
    pub fn skipped_kinds(&self) -> String {
        let kinds: Vec<String> = self
            .skipped
            .iter()
            .map(|(kind, count)| format!("{kind} ({count})"))
            .collect();
        kinds.join(", ")
    }

    /// The error for a file that holds Kubernetes objects, but only of kinds
    /// Tickmark does not read.
    pub fn unsupported_error(&self) -> ImportError {
        self.ctx
            .error(
                ImportErrorKind::NotRecognised,
                format!(
                    "Kubernetes objects, but only of kinds Tickmark does not evaluate: {}",
                    self.skipped_kinds()
                ),
            )
            .tried("kubectl")
    }

    /// Adds a note for the reviewer.
    pub fn note(&mut self, note: String) {
        self.notes.push(note);
    }

    /// Adds a whole document: a `List`'s items, or one object. `base` is the
    /// document's prefix (`doc 2 ` in a YAML stream, else empty).
    pub fn add_document(&mut self, raw: RawObject, base: &str) {
        if raw.is_list() {
            let implied = implied_item_kind(raw.kind.as_deref());
            for (index, item) in raw.items.into_iter().flatten().enumerate() {
                self.add(item, format!("{base}/items/{index}"), implied);
            }
        } else {
            self.add(raw, base.to_owned(), None);
        }
    }

    /// Adds one object found at `base` (a JSON pointer, possibly prefixed by
    /// its YAML document). `implied_kind` is the item kind a typed list
    /// (`PodList`) implies for items that do not state their own.
    pub fn add(&mut self, raw: RawObject, base: String, implied_kind: Option<&str>) {
        let kind_name = raw.kind.as_deref().or(implied_kind);
        let Some(kind) = kind_name.and_then(ObjectKind::from_name) else {
            let skipped = kind_name.unwrap_or("(no kind)").to_owned();
            *self.skipped.entry(skipped).or_default() += 1;
            return;
        };
        let mut meta = raw.metadata.unwrap_or_default();
        let Some(name) = meta.name.take().or_else(|| {
            meta.generate_name
                .take()
                .map(|prefix| format!("{prefix}(generated)"))
        }) else {
            self.note(format!(
                "a {kind} at {} has no metadata.name; skipped",
                whole(&base)
            ));
            return;
        };
        *self.read.entry(kind).or_default() += 1;
        let object = ObjectParts {
            kind,
            name,
            meta,
            base,
        };
        match kind {
            ObjectKind::Namespace => self.add_namespace(object),
            ObjectKind::NetworkPolicy => self.add_network_policy(object, raw.spec),
            ObjectKind::Service => self.add_service(object, raw.spec),
            ObjectKind::Ingress => self.add_ingress(object, raw.spec),
            ObjectKind::ClusterRoleBinding => {
                self.add_cluster_role_binding(object, raw.role_ref, raw.subjects)
            }
            _ => self.add_workload(object, raw.spec),
        }
    }

    fn add_namespace(&mut self, object: ObjectParts) {
        let source = object.source(self.ctx, None);
        self.evidence.namespaces.push(Namespace {
            name: object.name,
            source,
        });
    }

    fn add_network_policy(&mut self, object: ObjectParts, spec: Option<super::raw::RawSpec>) {
        let spec = spec.unwrap_or_default();
        let namespace = object.meta.namespace.clone();
        let source = object.source(self.ctx, namespace.as_deref());
        self.evidence.network_policies.push(NetworkPolicy {
            name: object.name,
            namespace,
            selects_all_pods: spec.pod_selector.as_ref().is_none_or(|s| s.is_empty()),
            policy_types: spec.policy_types,
            ingress: rules(spec.ingress, |r| r.from.as_ref()),
            egress: rules(spec.egress, |r| r.to.as_ref()),
            source,
        });
    }

    fn add_service(&mut self, mut object: ObjectParts, spec: Option<super::raw::RawSpec>) {
        let namespace = object.meta.namespace.clone();
        let source = object.source(self.ctx, namespace.as_deref());
        self.evidence.services.push(Service {
            name: object.name,
            namespace,
            service_type: spec.and_then(|s| s.service_type),
            annotations: object.meta.annotations.take().unwrap_or_default(),
            source,
        });
    }

    fn add_ingress(&mut self, object: ObjectParts, spec: Option<super::raw::RawSpec>) {
        let spec = spec.unwrap_or_default();
        let namespace = object.meta.namespace.clone();
        let source = object.source(self.ctx, namespace.as_deref());
        let rules = spec
            .rules
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, rule)| IngressRule {
                host: rule.host.filter(|h| !h.is_empty()),
                pointer: format!("{}/spec/rules/{i}", object.base),
            })
            .collect();
        let tls = spec
            .tls
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, tls)| IngressTls {
                hosts: tls.hosts.unwrap_or_default(),
                secret_name: tls.secret_name,
                pointer: format!("{}/spec/tls/{i}", object.base),
            })
            .collect();
        self.evidence.ingresses.push(Ingress {
            name: object.name,
            namespace,
            rules,
            tls,
            default_backend: spec.default_backend.is_some() || spec.backend.is_some(),
            source,
        });
    }

    fn add_cluster_role_binding(
        &mut self,
        object: ObjectParts,
        role_ref: Option<super::raw::RawRoleRef>,
        subjects: Option<Vec<super::raw::RawSubject>>,
    ) {
        let role_ref = role_ref.unwrap_or_default();
        let source = object.source(self.ctx, None);
        let subjects = subjects
            .into_iter()
            .flatten()
            .map(|s| Subject {
                kind: s.kind.unwrap_or_else(|| "(no kind)".to_owned()),
                name: s.name.unwrap_or_else(|| "(no name)".to_owned()),
                namespace: s.namespace,
            })
            .collect();
        self.evidence
            .cluster_role_bindings
            .push(ClusterRoleBinding {
                name: object.name,
                role_kind: role_ref.kind,
                role_name: role_ref.name,
                subjects,
                source,
            });
    }

    fn add_workload(&mut self, mut object: ObjectParts, spec: Option<super::raw::RawSpec>) {
        let kind = object.kind;
        let namespace = object.meta.namespace.take();
        let label = resource_label(namespace.as_deref(), kind, &object.name);
        let (raw_pod, suffix) = match (kind, spec) {
            (_, None) => (None, "/spec"),
            (ObjectKind::Pod, Some(mut spec)) => (Some(spec.take_pod_spec()), "/spec"),
            (ObjectKind::CronJob, Some(spec)) => (
                spec.job_template
                    .and_then(|t| t.spec)
                    .and_then(|s| s.template)
                    .and_then(|t| t.spec),
                "/spec/jobTemplate/spec/template/spec",
            ),
            (_, Some(spec)) => (spec.template.and_then(|t| t.spec), "/spec/template/spec"),
        };
        let pointer = format!("{}{suffix}", object.base);
        let Some(raw_pod) = raw_pod else {
            self.note(format!(
                "{label} at {} has no pod spec ({}); its containers cannot be judged",
                whole(&object.base),
                suffix.trim_start_matches('/').replace('/', ".")
            ));
            return;
        };
        let source = self.ctx.at(whole(&object.base), Some(label));
        let owners = object
            .meta
            .owner_references
            .take()
            .into_iter()
            .flatten()
            .filter_map(|o| {
                Some(OwnerReference {
                    kind: o.kind?,
                    name: o.name?,
                    uid: o.uid,
                    controller: o.controller.unwrap_or(false),
                })
            })
            .collect();
        self.evidence.workloads.push(Workload {
            kind,
            name: object.name,
            namespace,
            uid: object.meta.uid.take(),
            labels: object.meta.labels.take().unwrap_or_default(),
            owners,
            pod: pod_spec(raw_pod, pointer),
            source,
        });
    }

    /// The typed evidence and what the file was recognised as.
    pub fn finish(self) -> (K8sEvidence, Recognised) {
        let mut recognised = Recognised::new(format_of(self.read.keys().copied())).tool(TOOL, None);
        if self.read.is_empty() && self.skipped.is_empty() {
            recognised
                .notes
                .push("the list is empty: it holds no objects".to_owned());
        }
        for (kind, count) in &self.skipped {
            recognised.notes.push(format!(
                "{count} object(s) of kind {kind} skipped: Tickmark does not evaluate that kind"
            ));
        }
        recognised.notes.extend(self.notes);
        (self.evidence, recognised)
    }
}

/// An object's identity while it is being converted.
struct ObjectParts {
    kind: ObjectKind,
    name: String,
    meta: RawMeta,
    base: String,
}

impl ObjectParts {
    fn source(
        &self,
        ctx: ImportContext<'_>,
        namespace: Option<&str>,
    ) -> crate::evidence::EvidenceRef {
        ctx.at(
            whole(&self.base),
            Some(resource_label(namespace, self.kind, &self.name)),
        )
    }
}

/// The pointer of a whole object from its base (`doc 2 ` → `doc 2`).
fn whole(base: &str) -> String {
    base.trim_end().to_owned()
}

/// The kind of the items of a typed list: `PodList` → `Pod`.
fn implied_item_kind(list_kind: Option<&str>) -> Option<&str> {
    list_kind
        .and_then(|k| k.strip_suffix("List"))
        .filter(|k| !k.is_empty())
}

/// The item kind a list kind implies, for a streaming reader.
pub(super) fn item_kind_of(list_kind: &str) -> Option<&str> {
    implied_item_kind(Some(list_kind))
}

fn rules(
    raw: Option<Vec<RawPolicyRule>>,
    peers: impl Fn(&RawPolicyRule) -> Option<&Vec<serde::de::IgnoredAny>>,
) -> Vec<PolicyRule> {
    raw.into_iter()
        .flatten()
        .map(|rule| PolicyRule {
            peers: peers(&rule).map_or(0, Vec::len),
            ports: rule.ports.as_ref().map_or(0, Vec::len),
        })
        .collect()
}

fn pod_spec(raw: RawPodSpec, pointer: String) -> PodSpec {
    let mut containers = Vec::new();
    let lists = [
        (ContainerRole::Init, "initContainers", raw.init_containers),
        (ContainerRole::App, "containers", raw.containers),
        (
            ContainerRole::Ephemeral,
            "ephemeralContainers",
            raw.ephemeral_containers,
        ),
    ];
    for (role, field, list) in lists {
        for (index, container) in list.into_iter().flatten().enumerate() {
            containers.push(container_of(
                container,
                role,
                format!("{pointer}/{field}/{index}"),
                index,
            ));
        }
    }
    PodSpec {
        host_network: raw.host_network,
        host_pid: raw.host_pid,
        host_ipc: raw.host_ipc,
        security: security_context(raw.security_context),
        containers,
        pointer,
    }
}

fn container_of(
    raw: RawContainer,
    role: ContainerRole,
    pointer: String,
    index: usize,
) -> Container {
    Container {
        name: raw.name.unwrap_or_else(|| format!("#{index}")),
        role,
        image: raw.image,
        security: security_context(raw.security_context),
        pointer,
    }
}

fn security_context(raw: Option<RawSecurityContext>) -> SecurityContext {
    let Some(raw) = raw else {
        return SecurityContext::default();
    };
    let capabilities = raw.capabilities.unwrap_or_default();
    SecurityContext {
        run_as_non_root: raw.run_as_non_root,
        run_as_user: raw.run_as_user,
        allow_privilege_escalation: raw.allow_privilege_escalation,
        privileged: raw.privileged,
        capabilities_add: capabilities.add.unwrap_or_default(),
        capabilities_drop: capabilities.drop.unwrap_or_default(),
    }
}

/// One kind → its own format; Pods with controllers → workloads; anything
/// else mixed → objects.
fn format_of(kinds: impl Iterator<Item = ObjectKind>) -> Format {
    let mut formats: Vec<Format> = kinds
        .map(|kind| match kind {
            ObjectKind::Namespace => Format::KubectlNamespaces,
            ObjectKind::NetworkPolicy => Format::KubectlNetworkPolicies,
            ObjectKind::Pod => Format::KubectlPods,
            ObjectKind::Service => Format::KubectlServices,
            ObjectKind::Ingress => Format::KubectlIngresses,
            ObjectKind::ClusterRoleBinding => Format::KubectlClusterRoleBindings,
            _ => Format::KubectlWorkloads,
        })
        .collect();
    formats.sort();
    formats.dedup();
    match formats.as_slice() {
        [one] => *one,
        [Format::KubectlPods, Format::KubectlWorkloads] => Format::KubectlWorkloads,
        _ => Format::KubectlObjects,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_kinds() {
        use ObjectKind::*;
        assert_eq!(format_of([Pod].into_iter()), Format::KubectlPods);
        assert_eq!(
            format_of([Pod, Deployment].into_iter()),
            Format::KubectlWorkloads
        );
        assert_eq!(
            format_of([DaemonSet, CronJob].into_iter()),
            Format::KubectlWorkloads
        );
        assert_eq!(
            format_of([Namespace].into_iter()),
            Format::KubectlNamespaces
        );
        assert_eq!(
            format_of([Namespace, Pod].into_iter()),
            Format::KubectlObjects
        );
        assert_eq!(format_of([].into_iter()), Format::KubectlObjects);
    }

    #[test]
    fn item_kinds_come_from_typed_lists() {
        assert_eq!(item_kind_of("PodList"), Some("Pod"));
        assert_eq!(item_kind_of("List"), None);
    }
}
