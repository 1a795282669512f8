//! Kubernetes objects as serde reads them, straight from JSON text, a JSON
//! tree or YAML: only the fields the checks use, everything else skipped
//! without being built. Every field is optional (an explicit `null` counts as
//! absent); a field of the wrong type is an error that names what was expected.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::objects::ObjectKind;

/// One object (or a `List` of them) with the fields Tickmark reads.
#[derive(Debug, Default)]
pub(super) struct RawObject {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub metadata: Option<RawMeta>,
    pub spec: Option<RawSpec>,
    pub status: Option<RawStatus>,
    pub role_ref: Option<RawRoleRef>,
    pub subjects: Option<Vec<RawSubject>>,
    pub items: Option<Vec<RawObject>>,
}

impl RawObject {
    /// True if the object states both `apiVersion` and `kind`.
    pub fn is_kubernetes(&self) -> bool {
        self.api_version.is_some() && self.kind.is_some()
    }

    /// True for `kind: List`, `PodList` and the like with an `items` array.
    pub fn is_list(&self) -> bool {
        self.items.is_some() && self.kind.as_deref().is_some_and(|k| k.ends_with("List"))
    }
}

#[derive(Debug, Default)]
pub(super) struct RawMeta {
    pub name: Option<String>,
    pub generate_name: Option<String>,
    pub namespace: Option<String>,
    pub uid: Option<String>,
    pub labels: Option<BTreeMap<String, String>>,
    pub annotations: Option<BTreeMap<String, String>>,
    pub owner_references: Option<Vec<RawOwner>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an owner reference (a map with kind, name and uid)")]
pub(super) struct RawOwner {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub uid: Option<String>,
    pub controller: Option<bool>,
}

/// The `spec` of every kind Tickmark reads, in one struct: the kinds use
/// different field names, so one struct serves them all without buffering.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an object spec (a map)")]
pub(super) struct RawSpec {
    // Pod.
    pub containers: Option<Vec<RawContainer>>,
    pub init_containers: Option<Vec<RawContainer>>,
    pub ephemeral_containers: Option<Vec<RawContainer>>,
    pub host_network: Option<bool>,
    #[serde(rename = "hostPID")]
    pub host_pid: Option<bool>,
    #[serde(rename = "hostIPC")]
    pub host_ipc: Option<bool>,
    pub security_context: Option<RawSecurityContext>,
    pub node_selector: Option<BTreeMap<String, String>>,
    pub affinity: Option<RawAffinity>,
    pub node_name: Option<String>,
    pub tolerations: Option<Vec<RawToleration>>,
    // Controllers.
    pub template: Option<RawPodTemplate>,
    pub job_template: Option<RawJobTemplate>,
    // NetworkPolicy.
    pub pod_selector: Option<RawLabelSelector>,
    pub policy_types: Option<Vec<String>>,
    pub ingress: Option<Vec<RawPolicyRule>>,
    pub egress: Option<Vec<RawPolicyRule>>,
    // Service.
    #[serde(rename = "type")]
    pub service_type: Option<String>,
    // Ingress.
    pub rules: Option<Vec<RawIngressRule>>,
    pub tls: Option<Vec<RawIngressTls>>,
    pub default_backend: Option<IgnoredAny>,
    pub backend: Option<IgnoredAny>,
    // Node.
    pub taints: Option<Vec<RawTaint>>,
    #[serde(rename = "podCIDR")]
    pub pod_cidr: Option<String>,
    #[serde(rename = "podCIDRs")]
    pub pod_cidrs: Option<Vec<String>>,
    // Istio PeerAuthentication (`selector`), Linkerd Server (`podSelector`
    // above, `accessPolicy`), OSM MeshConfig (`traffic`).
    pub selector: Option<RawLabelSelector>,
    pub mtls: Option<RawMtls>,
    pub port_level_mtls: Option<BTreeMap<PortKey, RawMtls>>,
    pub access_policy: Option<String>,
    pub traffic: Option<RawOsmTraffic>,
}

/// `status`, read for Nodes only.
#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "an object status (a map)")]
pub(super) struct RawStatus {
    pub addresses: Option<Vec<RawNodeAddress>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a node address (a map with type and address)")]
pub(super) struct RawNodeAddress {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a taint (a map with key, value and effect)")]
pub(super) struct RawTaint {
    pub key: Option<String>,
    pub value: Option<String>,
    pub effect: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a toleration (a map with key, operator, value and effect)")]
pub(super) struct RawToleration {
    pub key: Option<String>,
    pub operator: Option<String>,
    pub value: Option<String>,
    pub effect: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "an mTLS setting (a map with mode)")]
pub(super) struct RawMtls {
    pub mode: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "OSM traffic settings (a map)")]
pub(super) struct RawOsmTraffic {
    pub enable_permissive_traffic_policy_mode: Option<bool>,
}

/// A port as a map key: YAML may write it as a number, JSON as a string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(untagged, expecting = "a port number or name")]
pub(super) enum PortKey {
    Int(i64),
    Str(String),
}

impl fmt::Display for PortKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortKey::Int(n) => write!(f, "{n}"),
            PortKey::Str(s) => f.write_str(s),
        }
    }
}

impl RawSpec {
    /// The pod-spec fields of a Pod's own `spec`, moved out.
    pub fn take_pod_spec(&mut self) -> RawPodSpec {
        RawPodSpec {
            containers: self.containers.take(),
            init_containers: self.init_containers.take(),
            ephemeral_containers: self.ephemeral_containers.take(),
            host_network: self.host_network.take(),
            host_pid: self.host_pid.take(),
            host_ipc: self.host_ipc.take(),
            security_context: self.security_context.take(),
            node_selector: self.node_selector.take(),
            affinity: self.affinity.take(),
            tolerations: self.tolerations.take(),
        }
    }
}

/// The fields of a pod spec.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a pod spec (a map with containers)")]
pub(super) struct RawPodSpec {
    pub containers: Option<Vec<RawContainer>>,
    pub init_containers: Option<Vec<RawContainer>>,
    pub ephemeral_containers: Option<Vec<RawContainer>>,
    pub host_network: Option<bool>,
    #[serde(rename = "hostPID")]
    pub host_pid: Option<bool>,
    #[serde(rename = "hostIPC")]
    pub host_ipc: Option<bool>,
    pub security_context: Option<RawSecurityContext>,
    pub node_selector: Option<BTreeMap<String, String>>,
    pub affinity: Option<RawAffinity>,
    pub tolerations: Option<Vec<RawToleration>>,
}

/// `affinity`, reduced to the node affinity the scheduler must honour.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an affinity (a map with nodeAffinity)")]
pub(super) struct RawAffinity {
    pub node_affinity: Option<RawNodeAffinity>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a nodeAffinity (a map)")]
pub(super) struct RawNodeAffinity {
    #[serde(rename = "requiredDuringSchedulingIgnoredDuringExecution")]
    pub required: Option<RawNodeSelector>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a node selector (a map with nodeSelectorTerms)")]
pub(super) struct RawNodeSelector {
    pub node_selector_terms: Option<Vec<RawNodeSelectorTerm>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a node selector term (a map with matchExpressions)")]
pub(super) struct RawNodeSelectorTerm {
    pub match_expressions: Option<Vec<RawRequirement>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a requirement (a map with key, operator and values)")]
pub(super) struct RawRequirement {
    pub key: Option<String>,
    pub operator: Option<String>,
    pub values: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a pod template (a map with spec)")]
pub(super) struct RawPodTemplate {
    pub spec: Option<RawPodSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a job template (a map with spec)")]
pub(super) struct RawJobTemplate {
    pub spec: Option<RawJobSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a job spec (a map with template)")]
pub(super) struct RawJobSpec {
    pub template: Option<RawPodTemplate>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a container (a map with name, image and securityContext)")]
pub(super) struct RawContainer {
    pub name: Option<String>,
    pub image: Option<String>,
    pub security_context: Option<RawSecurityContext>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a securityContext (a map)")]
pub(super) struct RawSecurityContext {
    pub run_as_non_root: Option<bool>,
    pub run_as_user: Option<i64>,
    pub allow_privilege_escalation: Option<bool>,
    pub privileged: Option<bool>,
    pub capabilities: Option<RawCapabilities>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "capabilities (a map with add and drop lists)")]
pub(super) struct RawCapabilities {
    pub add: Option<Vec<String>>,
    pub drop: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a label selector (a map with matchLabels or matchExpressions)")]
pub(super) struct RawLabelSelector {
    pub match_labels: Option<BTreeMap<String, String>>,
    pub match_expressions: Option<Vec<RawRequirement>>,
}

impl RawLabelSelector {
    /// True if the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
            && self.match_expressions.as_ref().is_none_or(Vec::is_empty)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a network policy rule (a map with from/to and ports)")]
pub(super) struct RawPolicyRule {
    pub from: Option<Vec<RawPeer>>,
    pub to: Option<Vec<RawPeer>>,
    pub ports: Option<Vec<RawPolicyPort>>,
}

/// A peer of a network policy rule.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a network policy peer (a map with namespaceSelector, podSelector or ipBlock)")]
pub(super) struct RawPeer {
    pub namespace_selector: Option<RawLabelSelector>,
    pub pod_selector: Option<RawLabelSelector>,
    pub ip_block: Option<RawIpBlock>,
}

/// An `ipBlock` peer.
#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "an ipBlock (a map with cidr and except)")]
pub(super) struct RawIpBlock {
    pub cidr: Option<String>,
    pub except: Option<Vec<String>>,
}

/// A port of a network policy rule: a number or a named port.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a network policy port (a map with port and protocol)")]
pub(super) struct RawPolicyPort {
    pub port: Option<IntOrString>,
    pub protocol: Option<String>,
    pub end_port: Option<i64>,
}

/// Kubernetes' int-or-string.
#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "a port number or name")]
pub(super) enum IntOrString {
    Int(i64),
    Str(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "an ingress rule (a map with host)")]
pub(super) struct RawIngressRule {
    pub host: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an ingress TLS entry (a map with hosts and secretName)")]
pub(super) struct RawIngressTls {
    pub hosts: Option<Vec<String>>,
    pub secret_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a roleRef (a map with kind and name)")]
pub(super) struct RawRoleRef {
    pub kind: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(expecting = "a subject (a map with kind and name)")]
pub(super) struct RawSubject {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum ObjectKey {
    ApiVersion,
    Kind,
    Metadata,
    Spec,
    Status,
    RoleRef,
    Subjects,
    Items,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum MetaKey {
    Name,
    GenerateName,
    Namespace,
    Uid,
    Labels,
    Annotations,
    OwnerReferences,
    #[serde(other)]
    Other,
}

/// Reads one object. `saw_kind`, when given, is set as soon as the object
/// states its `kind`, so a streaming reader that fails half-way through an
/// item knows whether the item was trying to be a Kubernetes object.
#[derive(Clone, Copy, Default)]
pub(super) struct ObjectSeed<'a> {
    pub saw_kind: Option<&'a Cell<bool>>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = RawObject;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<RawObject, D::Error> {
        deserializer.deserialize_map(ObjectVisitor { seed: self })
    }
}

impl<'de> Deserialize<'de> for RawObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawObject, D::Error> {
        ObjectSeed::default().deserialize(deserializer)
    }
}

struct ObjectVisitor<'a> {
    seed: ObjectSeed<'a>,
}

impl<'de> Visitor<'de> for ObjectVisitor<'_> {
    type Value = RawObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes object (a map with apiVersion, kind and metadata)")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawObject, A::Error> {
        visit_object(map, self.seed.saw_kind)
    }
}

/// Reads the members of one object from `map`; see [`ObjectSeed`] for
/// `saw_kind`.
pub(super) fn visit_object<'de, A: MapAccess<'de>>(
    mut map: A,
    saw_kind: Option<&Cell<bool>>,
) -> Result<RawObject, A::Error> {
    let mut object = RawObject::default();
    while let Some(key) = map.next_key::<ObjectKey>()? {
        match key {
            ObjectKey::ApiVersion => object.api_version = map.next_value()?,
            ObjectKey::Kind => {
                object.kind = map.next_value()?;
                if let (Some(saw_kind), Some(_)) = (saw_kind, &object.kind) {
                    saw_kind.set(true);
                }
            }
            ObjectKey::Metadata => {
                // Annotations matter only for Services, Namespaces and Pods
                // (mesh injection); a Deployment's last-applied-configuration
                // can be as large as the object.
                let keep_annotations = match object.kind.as_deref() {
                    Some(kind) => matches!(kind, "Service" | "Namespace" | "Pod"),
                    None => true,
                };
                object.metadata = map.next_value_seed(MetaSeed { keep_annotations })?;
            }
            ObjectKey::Spec
                if kind_is_skipped(object.kind.as_deref(), object.api_version.as_deref()) =>
            {
                map.next_value::<IgnoredAny>()?;
            }
            ObjectKey::Spec => object.spec = map.next_value()?,
            ObjectKey::Status if object.kind.as_deref().is_none_or(|k| k == "Node") => {
                object.status = map.next_value()?;
            }
            ObjectKey::RoleRef => object.role_ref = map.next_value()?,
            ObjectKey::Subjects => object.subjects = map.next_value()?,
            ObjectKey::Items => object.items = map.next_value()?,
            ObjectKey::Status | ObjectKey::Other => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(object)
}

/// True when the object has already said it is of a kind Tickmark does not
/// read (or of a kind it reads, from another project's API group), so its
/// spec is skipped unread (a custom resource's spec may reuse field names
/// with other types).
fn kind_is_skipped(kind: Option<&str>, api_version: Option<&str>) -> bool {
    let Some(kind) = kind else {
        return false;
    };
    match ObjectKind::from_name(kind) {
        None => true,
        Some(known) => !in_group(known, api_version),
    }
}

/// True unless `kind` must come from an API group and `api_version` names
/// another one.
pub(super) fn in_group(kind: ObjectKind, api_version: Option<&str>) -> bool {
    match (kind.api_group(), api_version) {
        (Some(group), Some(version)) => version
            .split_once('/')
            .is_some_and(|(found, _)| found == group),
        _ => true,
    }
}

struct MetaSeed {
    keep_annotations: bool,
}

impl<'de> DeserializeSeed<'de> for MetaSeed {
    type Value = Option<RawMeta>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for MetaSeed {
    type Value = Option<RawMeta>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("object metadata (a map)")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut meta = RawMeta::default();
        while let Some(key) = map.next_key::<MetaKey>()? {
            match key {
                MetaKey::Name => meta.name = map.next_value()?,
                MetaKey::GenerateName => meta.generate_name = map.next_value()?,
                MetaKey::Namespace => meta.namespace = map.next_value()?,
                MetaKey::Uid => meta.uid = map.next_value()?,
                MetaKey::Labels => meta.labels = map.next_value()?,
                MetaKey::Annotations if self.keep_annotations => {
                    meta.annotations = map.next_value()?;
                }
                MetaKey::OwnerReferences => meta.owner_references = map.next_value()?,
                MetaKey::Annotations | MetaKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Some(meta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_what_it_needs_and_skips_unknown_specs() {
        let text = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"n",
            "annotations":{"a":"b"},"labels":null},"spec":{"containers":[{"name":"c","image":"i",
            "securityContext":{"runAsUser":1000}}],"hostPID":true},"status":{"x":[1,2,{"y":null}]}}"#;
        let object: RawObject = serde_json::from_str(text).unwrap();
        let meta = object.metadata.unwrap();
        assert_eq!(meta.name.as_deref(), Some("p"));
        assert_eq!(
            meta.annotations.unwrap().get("a").map(String::as_str),
            Some("b"),
            "annotations are kept for Pods (mesh injection)"
        );
        let spec = object.spec.unwrap().take_pod_spec();
        assert_eq!(spec.host_pid, Some(true));
        let containers = spec.containers.unwrap();
        assert_eq!(
            containers[0].security_context.as_ref().unwrap().run_as_user,
            Some(1000)
        );

        let custom =
            r#"{"apiVersion":"x/v1","kind":"Widget","metadata":{},"spec":{"containers":"odd"}}"#;
        let object: RawObject = serde_json::from_str(custom).unwrap();
        assert!(object.spec.is_none());
    }

    #[test]
    fn wrong_types_name_what_was_expected() {
        let text = r#"{"kind":"Pod","spec":{"hostNetwork":"yes"}}"#;
        let err = serde_json::from_str::<RawObject>(text).unwrap_err();
        assert!(err.to_string().contains("expected a boolean"), "{err}");
    }
}
