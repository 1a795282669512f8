//! Kubernetes objects from `kubectl get ... -o json|yaml`.
//!
//! Three ways in, one typed result: [`read_large_json`] streams kubectl's
//! JSON lists straight into typed objects (no JSON tree, so a file of
//! hundreds of megabytes costs little more than its own size in memory);
//! [`read_json`] takes single objects and lists in other member orders from a
//! parsed tree; [`read_yaml`] reads `-o yaml` output and multi-document
//! streams. Every object keeps a pointer back into its file: a JSON pointer
//! such as `/items/12/spec/containers/0`, prefixed by the document in a YAML
//! stream of several (`doc 2 /items/3`).

pub mod boundary;
mod collect;
mod json;
pub mod kustomize;
mod objects;
mod raw;
mod stream;
mod yaml;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Evidence, Format, ImportContext, ImportError, Recognised};

pub use boundary::{MeshPolicy, Node, Selector};
pub use objects::{
    ClusterRoleBinding, Container, ContainerRole, Ingress, IngressRule, IngressTls, NO_NAMESPACE,
    Namespace, NetworkPolicy, NodeRequirement, ObjectKind, OwnerReference, Placement, PodSpec,
    PolicyRule, SecurityContext, Service, Subject, Workload, resource_label,
};

/// Typed Kubernetes objects.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct K8sEvidence {
    /// Namespaces.
    pub namespaces: Vec<Namespace>,
    /// Network policies.
    pub network_policies: Vec<NetworkPolicy>,
    /// Pods and controllers with pod templates.
    pub workloads: Vec<Workload>,
    /// Services.
    pub services: Vec<Service>,
    /// Ingresses.
    pub ingresses: Vec<Ingress>,
    /// Cluster role bindings.
    pub cluster_role_bindings: Vec<ClusterRoleBinding>,
    /// Nodes.
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// Service mesh mTLS policies.
    #[serde(default)]
    pub mesh_policies: Vec<MeshPolicy>,
}

impl K8sEvidence {
    /// Moves everything of `other` into `self`.
    pub fn extend(&mut self, other: K8sEvidence) {
        self.namespaces.extend(other.namespaces);
        self.network_policies.extend(other.network_policies);
        self.workloads.extend(other.workloads);
        self.services.extend(other.services);
        self.ingresses.extend(other.ingresses);
        self.cluster_role_bindings
            .extend(other.cluster_role_bindings);
        self.nodes.extend(other.nodes);
        self.mesh_policies.extend(other.mesh_policies);
    }

    /// True if no object was imported.
    pub fn is_empty(&self) -> bool {
        self.namespaces.is_empty()
            && self.network_policies.is_empty()
            && self.workloads.is_empty()
            && self.services.is_empty()
            && self.ingresses.is_empty()
            && self.cluster_role_bindings.is_empty()
            && self.nodes.is_empty()
            && self.mesh_policies.is_empty()
    }
}

/// Streams a large `kubectl ... -o json` list straight into typed objects,
/// without building a JSON tree. `None` if the text is not such a list.
pub fn read_large_json(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut K8sEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let result = stream::read(ctx, text)?;
    Some(result.map(|(evidence, recognised)| {
        out.extend(evidence);
        recognised
    }))
}

/// Reads a parsed Kubernetes object or list. `None` if it is not one.
pub fn read_json(
    ctx: ImportContext<'_>,
    root: &Value,
    out: &mut K8sEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let result = json::read(ctx, root)?;
    Some(result.map(|(evidence, recognised)| {
        out.extend(evidence);
        recognised
    }))
}

/// Reads `kubectl -o yaml` output or a multi-document YAML stream. `None` if
/// the text is not YAML holding objects.
///
/// A single document that is a Kubernetes object of a kind Tickmark does not
/// read (a scanner's report exported with `kubectl get ... -o yaml`) is
/// offered to the other importers as a JSON tree.
pub fn read_yaml(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut Evidence,
) -> Option<Result<Recognised, ImportError>> {
    let result = match yaml::read(ctx, text)? {
        Ok(yaml::YamlRead::Objects(evidence, recognised)) => {
            out.k8s.extend(evidence);
            Ok(recognised)
        }
        Ok(yaml::YamlRead::OtherObject(root)) => super::read_value(ctx, &root, out, "YAML"),
        Err(e) => Err(e),
    };
    Some(result)
}

/// A kustomization file: no objects of its own; the notes say what it
/// applies and, when imported with others, which listed files are missing.
pub(crate) fn kustomization_file(
    ctx: ImportContext<'_>,
    kustomization: &kustomize::Kustomization,
) -> Recognised {
    let mut recognised = Recognised::new(Format::Kustomization).tool("kustomize", None);
    recognised.notes.push(kustomization.summary());
    if ctx.companions.has(ctx.path) {
        let missing = ctx.companions.missing_resources(kustomization);
        if !missing.is_empty() {
            recognised.notes.push(format!(
                "lists {}, not imported with it",
                missing.join(", ")
            ));
        }
    }
    recognised.notes.extend(kustomization.not_applied_note());
    recognised
}

/// A single Kubernetes object (`apiVersion`, `kind`, `metadata`) of a kind
/// no check reads: read, and said to be unused.
pub(crate) fn object_of_other_kind(root: &Value) -> Option<Recognised> {
    let object = root.as_object()?;
    let kind = object.get("kind")?.as_str()?;
    object.get("apiVersion")?.as_str()?;
    object.get("metadata").filter(|m| m.is_object())?;
    let mut recognised = Recognised::new(Format::KubectlObjects).tool("kubectl", None);
    recognised.notes.push(collect::unused_note(kind, 1));
    Some(recognised)
}
