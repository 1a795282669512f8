//! Turns raw objects into typed evidence with pointers, counts what was read
//! and skipped, and decides which format a file counts as.

use std::collections::BTreeMap;

use super::K8sEvidence;
use super::boundary::{
    IpBlock, Mesh, MeshPolicy, Node, PolicyPeer, Selector, SelectorRequirement, Taint, Toleration,
};
use super::kustomize::Kustomization;
use super::objects::{
    ClusterRoleBinding, Container, ContainerRole, Ingress, IngressRule, IngressTls, Namespace,
    NetworkPolicy, NodeRequirement, ObjectKind, OwnerReference, Placement, PodSpec, PolicyRule,
    SecurityContext, Service, Subject, Workload, resource_label,
};
use super::raw::{
    IntOrString, RawContainer, RawLabelSelector, RawMeta, RawObject, RawPeer, RawPodSpec,
    RawPolicyPort, RawPolicyRule, RawRequirement, RawSecurityContext, RawSpec, RawStatus,
    RawToleration, in_group,
};
use crate::evidence::{Format, ImportContext, Recognised};

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
        let Some(kind) = kind_name
            .and_then(ObjectKind::from_name)
            .filter(|kind| in_group(*kind, raw.api_version.as_deref()))
        else {
            let skipped = match (kind_name, raw.api_version.as_deref()) {
                (Some(kind), Some(version)) if ObjectKind::from_name(kind).is_some() => {
                    format!("{kind} ({version})")
                }
                (kind, _) => kind.unwrap_or("(no kind)").to_owned(),
            };
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
            ObjectKind::Node => self.add_node(object, raw.spec, raw.status),
            ObjectKind::PeerAuthentication | ObjectKind::Server | ObjectKind::MeshConfig => {
                self.add_mesh_policy(object, raw.spec)
            }
            _ => self.add_workload(object, raw.spec),
        }
    }

    fn add_namespace(&mut self, mut object: ObjectParts) {
        let source = object.source(self.ctx, None);
        self.evidence.namespaces.push(Namespace {
            labels: object.meta.labels.take().unwrap_or_default(),
            annotations: object.meta.annotations.take().unwrap_or_default(),
            name: object.name,
            source,
        });
    }

    fn add_node(
        &mut self,
        mut object: ObjectParts,
        spec: Option<RawSpec>,
        status: Option<RawStatus>,
    ) {
        let spec = spec.unwrap_or_default();
        let source = object.source(self.ctx, None);
        let taints = spec
            .taints
            .into_iter()
            .flatten()
            .filter_map(|t| {
                Some(Taint {
                    key: t.key?,
                    value: t.value.unwrap_or_default(),
                    effect: t.effect.unwrap_or_default(),
                })
            })
            .collect();
        let mut pod_cidrs = spec.pod_cidrs.unwrap_or_default();
        if let Some(cidr) = spec.pod_cidr.filter(|c| !pod_cidrs.contains(c)) {
            pod_cidrs.insert(0, cidr);
        }
        let internal_ips = status
            .and_then(|s| s.addresses)
            .into_iter()
            .flatten()
            .filter(|a| a.kind.as_deref() == Some("InternalIP"))
            .filter_map(|a| a.address)
            .collect();
        self.evidence.nodes.push(Node {
            labels: object.meta.labels.take().unwrap_or_default(),
            name: object.name,
            taints,
            pod_cidrs,
            internal_ips,
            source,
        });
    }

    fn add_mesh_policy(&mut self, object: ObjectParts, spec: Option<RawSpec>) {
        let spec = spec.unwrap_or_default();
        let namespace = object.meta.namespace.clone();
        let source = object.source(self.ctx, namespace.as_deref());
        let (mesh, workloads, mode) = match object.kind {
            ObjectKind::PeerAuthentication => (
                Mesh::Istio,
                spec.selector.filter(|s| !s.is_empty()).map(selector),
                spec.mtls
                    .and_then(|m| m.mode)
                    .map(|m| m.trim().to_ascii_uppercase()),
            ),
            ObjectKind::Server => (
                Mesh::Linkerd,
                spec.pod_selector.map(selector),
                // A Server without accessPolicy denies what no policy allows.
                Some(spec.access_policy.unwrap_or_else(|| "deny".to_owned())),
            ),
            _ => (
                Mesh::Osm,
                None,
                Some(
                    match spec
                        .traffic
                        .and_then(|t| t.enable_permissive_traffic_policy_mode)
                    {
                        Some(true) => "permissive-traffic-policy",
                        _ => "smi-policy",
                    }
                    .to_owned(),
                ),
            ),
        };
        let port_modes = spec
            .port_level_mtls
            .into_iter()
            .flatten()
            .filter_map(|(port, mtls)| Some((port.to_string(), mtls.mode?.to_ascii_uppercase())))
            .collect();
        self.evidence.mesh_policies.push(MeshPolicy {
            mesh,
            kind: object.kind.name().to_owned(),
            name: object.name,
            namespace,
            workloads,
            mode,
            port_modes,
            source,
        });
    }

    fn add_network_policy(&mut self, object: ObjectParts, spec: Option<super::raw::RawSpec>) {
        let mut spec = spec.unwrap_or_default();
        let namespace = object.meta.namespace.clone();
        let source = object.source(self.ctx, namespace.as_deref());
        self.evidence.network_policies.push(NetworkPolicy {
            name: object.name,
            namespace,
            selects_all_pods: spec.pod_selector.as_ref().is_none_or(|s| s.is_empty()),
            pod_selector: spec
                .pod_selector
                .take()
                .filter(|s| !s.is_empty())
                .map(selector),
            policy_types: spec.policy_types,
            ingress: rules(spec.ingress, |r| r.from.take()),
            egress: rules(spec.egress, |r| r.to.take()),
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
        let node_name = spec.as_ref().and_then(|s| s.node_name.clone());
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
        let mut raw_pod = raw_pod;
        let placement = Placement {
            node_name: node_name.filter(|_| kind == ObjectKind::Pod),
            tolerations: raw_pod
                .tolerations
                .take()
                .into_iter()
                .flatten()
                .map(toleration)
                .collect(),
        };
        let annotations = match kind {
            ObjectKind::Pod => object.meta.annotations.take().unwrap_or_default(),
            _ => BTreeMap::new(),
        };
        self.evidence.workloads.push(Workload {
            kind,
            name: object.name,
            namespace,
            uid: object.meta.uid.take(),
            labels: object.meta.labels.take().unwrap_or_default(),
            owners,
            pod: pod_spec(raw_pod, pointer),
            placement,
            annotations,
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
            recognised.notes.push(unused_note(kind, *count));
        }
        let mut evidence = self.evidence;
        recognised
            .notes
            .extend(apply_kustomizations(self.ctx, &mut evidence));
        recognised.notes.extend(self.notes);
        (evidence, recognised)
    }
}

/// The note for objects of a kind no check reads.
pub(super) fn unused_note(kind: &str, count: usize) -> String {
    format!("{count} object(s) of kind {kind} read, not used by any check")
}

/// Applies the kustomizations that list this file (innermost first): the
/// outermost `namespace` set wins, as in kustomize, and each `images` entry
/// rewrites the images it matches. Returns notes saying what changed.
fn apply_kustomizations(ctx: ImportContext<'_>, evidence: &mut K8sEvidence) -> Vec<String> {
    let chain = ctx.companions.kustomizations_for(ctx.path);
    let Some(namespace) = chain.iter().rev().find_map(|k| k.namespace.as_deref()) else {
        return rewrite_images(&chain, evidence);
    };
    let from = chain
        .iter()
        .rev()
        .find(|k| k.namespace.is_some())
        .map_or("", |k| k.path.as_str());
    let mut count = 0;
    let mut set =
        |ns: &mut Option<String>, source: &mut crate::evidence::EvidenceRef, kind, name: &str| {
            *ns = Some(namespace.to_owned());
            source.resource = Some(resource_label(Some(namespace), kind, name));
            count += 1;
        };
    for p in &mut evidence.network_policies {
        set(
            &mut p.namespace,
            &mut p.source,
            ObjectKind::NetworkPolicy,
            &p.name,
        );
    }
    for s in &mut evidence.services {
        set(
            &mut s.namespace,
            &mut s.source,
            ObjectKind::Service,
            &s.name,
        );
    }
    for i in &mut evidence.ingresses {
        set(
            &mut i.namespace,
            &mut i.source,
            ObjectKind::Ingress,
            &i.name,
        );
    }
    for w in &mut evidence.workloads {
        set(&mut w.namespace, &mut w.source, w.kind, &w.name);
    }
    let mut notes = Vec::new();
    if count > 0 {
        notes.push(format!(
            "namespace {namespace} from {from} applied to {count} object(s)"
        ));
    }
    notes.extend(rewrite_images(&chain, evidence));
    notes
}

fn rewrite_images(chain: &[&Kustomization], evidence: &mut K8sEvidence) -> Vec<String> {
    let mut notes = Vec::new();
    for kustomization in chain {
        for rewrite in &kustomization.images {
            let mut count = 0;
            for container in evidence
                .workloads
                .iter_mut()
                .flat_map(|w| w.pod.containers.iter_mut())
            {
                if let Some(new) = container.image.as_deref().and_then(|i| rewrite.apply(i)) {
                    container.image = Some(new);
                    count += 1;
                }
            }
            if count > 0 {
                notes.push(format!(
                    "image {} rewritten by {} in {count} container(s)",
                    rewrite.name, kustomization.path
                ));
            }
        }
    }
    notes
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
    peers: impl Fn(&mut RawPolicyRule) -> Option<Vec<RawPeer>>,
) -> Vec<PolicyRule> {
    raw.into_iter()
        .flatten()
        .map(|mut rule| {
            let raw_peers = peers(&mut rule).unwrap_or_default();
            let raw_ports = rule.ports.as_deref().unwrap_or_default();
            let dns_only = !raw_ports.is_empty()
                && raw_ports.iter().all(is_dns_port)
                && !raw_peers.is_empty()
                && raw_peers.iter().all(is_cluster_dns);
            let port_list: Vec<String> = raw_ports.iter().map(policy_port).collect();
            let peer_list: Vec<PolicyPeer> = raw_peers.into_iter().map(policy_peer).collect();
            PolicyRule {
                peers: peer_list.len(),
                ports: port_list.len(),
                peer_list,
                port_list,
                dns_only,
            }
        })
        .collect()
}

fn policy_peer(raw: RawPeer) -> PolicyPeer {
    PolicyPeer {
        namespace_selector: raw.namespace_selector.map(selector),
        pod_selector: raw.pod_selector.map(selector),
        ip_block: raw.ip_block.map(|block| IpBlock {
            cidr: block.cidr.unwrap_or_default(),
            except: block.except.unwrap_or_default(),
        }),
    }
}

/// `8443/TCP`, `dns/UDP`, `30000-32767/TCP`; a port without a number is
/// every port of the protocol (`*/TCP`).
fn policy_port(raw: &RawPolicyPort) -> String {
    let protocol = raw.protocol.as_deref().unwrap_or("TCP");
    let port = match (&raw.port, raw.end_port) {
        (Some(IntOrString::Int(n)), Some(end)) if end != *n => format!("{n}-{end}"),
        (Some(IntOrString::Int(n)), _) => n.to_string(),
        (Some(IntOrString::Str(name)), _) => name.clone(),
        (None, _) => "*".to_owned(),
    };
    format!("{port}/{protocol}")
}

fn selector(raw: RawLabelSelector) -> Selector {
    Selector {
        match_labels: raw.match_labels.unwrap_or_default(),
        match_expressions: raw
            .match_expressions
            .into_iter()
            .flatten()
            .filter_map(|r: RawRequirement| {
                Some(SelectorRequirement {
                    key: r.key?,
                    operator: r.operator.unwrap_or_default(),
                    values: r.values.unwrap_or_default(),
                })
            })
            .collect(),
    }
}

fn toleration(raw: RawToleration) -> Toleration {
    Toleration {
        key: raw.key,
        operator: raw.operator,
        value: raw.value,
        effect: raw.effect,
    }
}

/// Port 53 (UDP or TCP), or the named ports CoreDNS declares.
fn is_dns_port(port: &RawPolicyPort) -> bool {
    let protocol_fits = port
        .protocol
        .as_deref()
        .is_none_or(|p| p.eq_ignore_ascii_case("UDP") || p.eq_ignore_ascii_case("TCP"));
    let port_fits = match &port.port {
        Some(IntOrString::Int(53)) => port.end_port.is_none_or(|end| end == 53),
        Some(IntOrString::Str(name)) => matches!(name.as_str(), "dns" | "dns-tcp"),
        _ => false,
    };
    protocol_fits && port_fits
}

/// A peer that is the cluster DNS: pods labelled `k8s-app: kube-dns`, or the
/// `kube-system` namespace (by its `kubernetes.io/metadata.name` label).
fn is_cluster_dns(peer: &RawPeer) -> bool {
    if peer.ip_block.is_some() {
        return false;
    }
    let label = |selector: &Option<super::raw::RawLabelSelector>, key: &str, value: &str| {
        selector
            .as_ref()
            .and_then(|s| s.match_labels.as_ref())
            .and_then(|labels| labels.get(key))
            .is_some_and(|v| v == value)
    };
    label(&peer.pod_selector, "k8s-app", "kube-dns")
        || label(
            &peer.namespace_selector,
            "kubernetes.io/metadata.name",
            "kube-system",
        )
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
    let required_node_terms = raw
        .affinity
        .and_then(|a| a.node_affinity)
        .and_then(|n| n.required)
        .and_then(|r| r.node_selector_terms)
        .into_iter()
        .flatten()
        .map(|term| {
            term.match_expressions
                .into_iter()
                .flatten()
                .filter_map(|r| {
                    Some(NodeRequirement {
                        key: r.key?,
                        operator: r.operator.unwrap_or_default(),
                        values: r.values.unwrap_or_default(),
                    })
                })
                .collect()
        })
        .collect();
    PodSpec {
        node_selector: raw.node_selector.unwrap_or_default(),
        required_node_terms,
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
            ObjectKind::Node => Format::KubectlNodes,
            ObjectKind::PeerAuthentication | ObjectKind::Server | ObjectKind::MeshConfig => {
                Format::KubectlMeshPolicies
            }
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
