//! The typed Kubernetes objects the checks read, each with a pointer back to
//! where it is in its file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::boundary::{PolicyPeer, PolicyPort, Selector, Toleration};
use crate::evidence::EvidenceRef;

/// The kinds of object Tickmark reads; everything else is skipped with a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ObjectKind {
    /// `v1/Namespace`.
    Namespace,
    /// `networking.k8s.io/v1/NetworkPolicy`.
    NetworkPolicy,
    /// `v1/Pod`.
    Pod,
    /// `apps/v1/Deployment` (owns ReplicaSets).
    Deployment,
    /// `apps/v1/StatefulSet`.
    StatefulSet,
    /// `apps/v1/DaemonSet`.
    DaemonSet,
    /// `apps/v1/ReplicaSet` (usually owned by a Deployment).
    ReplicaSet,
    /// `v1/ReplicationController`, ReplicaSet's predecessor.
    ReplicationController,
    /// `batch/v1/Job` (owned by a CronJob when scheduled).
    Job,
    /// `batch/v1/CronJob`.
    CronJob,
    /// `v1/Service`.
    Service,
    /// `networking.k8s.io/v1/Ingress` (older: `extensions/v1beta1`).
    Ingress,
    /// `rbac.authorization.k8s.io/v1/ClusterRoleBinding`.
    ClusterRoleBinding,
    /// `v1/Node`.
    Node,
    /// `security.istio.io/v1/PeerAuthentication`.
    PeerAuthentication,
    /// `policy.linkerd.io/*/Server`.
    Server,
    /// `config.openservicemesh.io/*/MeshConfig`.
    MeshConfig,
}

impl ObjectKind {
    /// The kind as Kubernetes spells it (`kind: Deployment`).
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Namespace => "Namespace",
            ObjectKind::NetworkPolicy => "NetworkPolicy",
            ObjectKind::Pod => "Pod",
            ObjectKind::Deployment => "Deployment",
            ObjectKind::StatefulSet => "StatefulSet",
            ObjectKind::DaemonSet => "DaemonSet",
            ObjectKind::ReplicaSet => "ReplicaSet",
            ObjectKind::ReplicationController => "ReplicationController",
            ObjectKind::Job => "Job",
            ObjectKind::CronJob => "CronJob",
            ObjectKind::Service => "Service",
            ObjectKind::Ingress => "Ingress",
            ObjectKind::ClusterRoleBinding => "ClusterRoleBinding",
            ObjectKind::Node => "Node",
            ObjectKind::PeerAuthentication => "PeerAuthentication",
            ObjectKind::Server => "Server",
            ObjectKind::MeshConfig => "MeshConfig",
        }
    }

    /// The kind for a `kind:` value, if Tickmark reads it.
    pub fn from_name(name: &str) -> Option<ObjectKind> {
        Some(match name {
            "Namespace" => ObjectKind::Namespace,
            "NetworkPolicy" => ObjectKind::NetworkPolicy,
            "Pod" => ObjectKind::Pod,
            "Deployment" => ObjectKind::Deployment,
            "StatefulSet" => ObjectKind::StatefulSet,
            "DaemonSet" => ObjectKind::DaemonSet,
            "ReplicaSet" => ObjectKind::ReplicaSet,
            "ReplicationController" => ObjectKind::ReplicationController,
            "Job" => ObjectKind::Job,
            "CronJob" => ObjectKind::CronJob,
            "Service" => ObjectKind::Service,
            "Ingress" => ObjectKind::Ingress,
            "ClusterRoleBinding" => ObjectKind::ClusterRoleBinding,
            "Node" => ObjectKind::Node,
            "PeerAuthentication" => ObjectKind::PeerAuthentication,
            "Server" => ObjectKind::Server,
            "MeshConfig" => ObjectKind::MeshConfig,
            _ => return None,
        })
    }

    /// The API group a kind of this name must come from, where another
    /// project's custom resource may use the same name (Linkerd's `Server`).
    pub fn api_group(self) -> Option<&'static str> {
        match self {
            ObjectKind::PeerAuthentication => Some("security.istio.io"),
            ObjectKind::Server => Some("policy.linkerd.io"),
            ObjectKind::MeshConfig => Some("config.openservicemesh.io"),
            _ => None,
        }
    }

    /// True for Pods and the controllers that carry a pod template.
    pub fn is_workload(self) -> bool {
        matches!(
            self,
            ObjectKind::Pod
                | ObjectKind::Deployment
                | ObjectKind::StatefulSet
                | ObjectKind::DaemonSet
                | ObjectKind::ReplicaSet
                | ObjectKind::ReplicationController
                | ObjectKind::Job
                | ObjectKind::CronJob
        )
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a namespaced object without `metadata.namespace` is named: its
/// namespace is chosen when it is deployed (`kubectl apply -n`, kustomize).
pub const NO_NAMESPACE: &str = "(namespace set at deploy time)";

/// `namespace/Kind/name` for namespaced objects, `Kind/name` otherwise: the
/// label used in evidence references and check results.
pub fn resource_label(namespace: Option<&str>, kind: ObjectKind, name: &str) -> String {
    match namespace {
        Some(namespace) => format!("{namespace}/{kind}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// A namespace (`kubectl get namespaces`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Namespace {
    /// Its name.
    pub name: String,
    /// `metadata.labels` (the `pci-scope` label says its PCI scope).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations` (service mesh injection).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Where it is.
    pub source: EvidenceRef,
}

/// One rule of a network policy, reduced to what decides whether it allows
/// anything: a rule with no peers and no ports allows all traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRule {
    /// Entries in `from` (ingress) or `to` (egress).
    pub peers: usize,
    /// Entries in `ports`.
    pub ports: usize,
    /// The `from` / `to` entries themselves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peer_list: Vec<PolicyPeer>,
    /// The `ports` entries, as `port/PROTOCOL`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub port_list: Vec<PolicyPort>,
    /// True when the rule allows DNS only: every port is 53 (UDP or TCP, or
    /// the named port `dns` / `dns-tcp`) and every peer is the cluster DNS
    /// (pods labelled `k8s-app: kube-dns`, or the `kube-system` namespace).
    #[serde(default)]
    pub dns_only: bool,
}

impl PolicyRule {
    /// True for `- {}`: any peer, any port.
    pub fn allows_all(&self) -> bool {
        self.peers == 0 && self.ports == 0
    }
}

/// A network policy (`kubectl get networkpolicies`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkPolicy {
    /// Its name.
    pub name: String,
    /// Its namespace, where the file says.
    pub namespace: Option<String>,
    /// True when `podSelector` is empty (or absent, which Kubernetes reads
    /// as empty): the policy applies to every pod of its namespace.
    pub selects_all_pods: bool,
    /// `podSelector`, where it selects some pods only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_selector: Option<Selector>,
    /// `policyTypes` as written; `None` when the field is absent.
    pub policy_types: Option<Vec<String>>,
    /// The `ingress` rules.
    pub ingress: Vec<PolicyRule>,
    /// The `egress` rules.
    pub egress: Vec<PolicyRule>,
    /// Where it is.
    pub source: EvidenceRef,
}

impl NetworkPolicy {
    /// Whether the policy governs ingress and egress, as Kubernetes decides
    /// it: the listed `policyTypes`, or when absent, Ingress always and
    /// Egress only if there are egress rules.
    pub fn covers(&self) -> (bool, bool) {
        match &self.policy_types {
            Some(types) => (
                types.iter().any(|t| t.eq_ignore_ascii_case("Ingress")),
                types.iter().any(|t| t.eq_ignore_ascii_case("Egress")),
            ),
            None => (true, !self.egress.is_empty()),
        }
    }
}

/// Who owns an object (`metadata.ownerReferences`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerReference {
    /// The owner's kind, as written.
    pub kind: String,
    /// The owner's name.
    pub name: String,
    /// The owner's UID, where given.
    pub uid: Option<String>,
    /// True for the managing controller.
    pub controller: bool,
}

/// Which list of a pod spec a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ContainerRole {
    /// `initContainers`.
    Init,
    /// `containers`.
    App,
    /// `ephemeralContainers` (debugging containers added to a running pod).
    Ephemeral,
}

/// A security context, pod-level or container-level; `None` means the field
/// is not set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityContext {
    /// `runAsNonRoot`.
    pub run_as_non_root: Option<bool>,
    /// `runAsUser`.
    pub run_as_user: Option<i64>,
    /// `allowPrivilegeEscalation` (container level only).
    pub allow_privilege_escalation: Option<bool>,
    /// `privileged` (container level only).
    pub privileged: Option<bool>,
    /// `capabilities.add` (container level only).
    pub capabilities_add: Vec<String>,
    /// `capabilities.drop` (container level only).
    pub capabilities_drop: Vec<String>,
}

/// A container of a pod or pod template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Container {
    /// Its name.
    pub name: String,
    /// Init, app or ephemeral container.
    pub role: ContainerRole,
    /// The image reference as written.
    pub image: Option<String>,
    /// Its own security context.
    pub security: SecurityContext,
    /// Its JSON pointer (e.g. `/items/12/spec/containers/0`).
    pub pointer: String,
}

/// The pod spec of a Pod or of a controller's pod template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PodSpec {
    /// The pointer of the spec (e.g. `/items/3/spec/template/spec`).
    pub pointer: String,
    /// `hostNetwork`.
    pub host_network: Option<bool>,
    /// `hostPID`.
    pub host_pid: Option<bool>,
    /// `hostIPC`.
    pub host_ipc: Option<bool>,
    /// The pod-level security context (`runAsNonRoot`, `runAsUser`).
    pub security: SecurityContext,
    /// Init containers, then app containers, then ephemeral containers.
    pub containers: Vec<Container>,
    /// `nodeSelector`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    /// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`:
    /// the node selector terms (any one must match), each a list of
    /// requirements (all must hold).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_node_terms: Vec<Vec<NodeRequirement>>,
}

/// One `matchExpressions` requirement of a node selector term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRequirement {
    /// The node label.
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`.
    pub operator: String,
    /// The values.
    pub values: Vec<String>,
}

impl PodSpec {
    /// The values of node label `key` the pod must run on, if the pod spec
    /// requires it: from `nodeSelector`, or from a required node affinity
    /// whose every term says `key In [...]`. `None` when it does not pin the
    /// label.
    pub fn required_label_values(&self, key: &str) -> Option<Vec<String>> {
        if let Some(value) = self.node_selector.get(key) {
            return Some(vec![value.clone()]);
        }
        if self.required_node_terms.is_empty() {
            return None;
        }
        let mut values = Vec::new();
        for term in &self.required_node_terms {
            let pinned = term
                .iter()
                .find(|r| r.key == key && r.operator == "In" && !r.values.is_empty())?;
            values.extend(pinned.values.iter().cloned());
        }
        values.sort();
        values.dedup();
        Some(values)
    }
}

/// A Pod, or a controller with a pod template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    /// Pod, Deployment, StatefulSet, ...
    pub kind: ObjectKind,
    /// Its name.
    pub name: String,
    /// Its namespace, where the file says.
    pub namespace: Option<String>,
    /// Its UID, where the file says.
    pub uid: Option<String>,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `metadata.ownerReferences`.
    pub owners: Vec<OwnerReference>,
    /// What runs.
    pub pod: PodSpec,
    /// Where it runs and may run: `spec.nodeName` (Pods) and the pod spec's
    /// `tolerations`.
    #[serde(default)]
    pub placement: Placement,
    /// `metadata.annotations` of a Pod (service mesh injection); empty for
    /// controllers, whose annotations are not read.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Where it is.
    pub source: EvidenceRef,
}

/// Where a pod runs and which tainted nodes it may run on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// `spec.nodeName`: the node a Pod was scheduled to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    /// `tolerations`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
}

impl Workload {
    /// `namespace/Kind/name`; a workload without a namespace is named as
    /// such (its namespace is set at deploy time).
    pub fn label(&self) -> String {
        resource_label(self.namespace.as_deref(), self.kind, &self.name)
    }

    /// `namespace/Kind/name/container`, naming a pod spec without a namespace
    /// as such rather than guessing one.
    pub fn container_label(&self, container: &Container) -> String {
        let namespace = self.namespace.as_deref().unwrap_or(NO_NAMESPACE);
        format!("{namespace}/{}/{}/{}", self.kind, self.name, container.name)
    }
}

/// A Service (`kubectl get services`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Its name.
    pub name: String,
    /// Its namespace, where the file says.
    pub namespace: Option<String>,
    /// `spec.type` (`ClusterIP` when absent, as Kubernetes defaults it).
    pub service_type: Option<String>,
    /// `metadata.annotations`.
    pub annotations: BTreeMap<String, String>,
    /// Where it is.
    pub source: EvidenceRef,
}

/// A TLS entry of an ingress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngressTls {
    /// `hosts`; empty means the entry names no host.
    pub hosts: Vec<String>,
    /// `secretName`.
    pub secret_name: Option<String>,
    /// Its pointer.
    pub pointer: String,
}

/// A rule of an ingress, reduced to its host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngressRule {
    /// `host`; `None` serves any host.
    pub host: Option<String>,
    /// Its pointer.
    pub pointer: String,
}

/// An Ingress (`kubectl get ingresses`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ingress {
    /// Its name.
    pub name: String,
    /// Its namespace, where the file says.
    pub namespace: Option<String>,
    /// `spec.rules`.
    pub rules: Vec<IngressRule>,
    /// `spec.tls`.
    pub tls: Vec<IngressTls>,
    /// True if it has a default backend (`spec.defaultBackend`, older
    /// `spec.backend`), which serves any host.
    pub default_backend: bool,
    /// Where it is.
    pub source: EvidenceRef,
}

/// A subject of a role binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its namespace (service accounts).
    pub namespace: Option<String>,
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(namespace) => write!(f, "{} {namespace}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// A ClusterRoleBinding (`kubectl get clusterrolebindings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterRoleBinding {
    /// Its name.
    pub name: String,
    /// `roleRef.kind`.
    pub role_kind: Option<String>,
    /// `roleRef.name`.
    pub role_name: Option<String>,
    /// `subjects`.
    pub subjects: Vec<Subject>,
    /// Where it is.
    pub source: EvidenceRef,
}
