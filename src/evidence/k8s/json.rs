//! Kubernetes objects in a parsed JSON tree: single objects, and lists whose
//! members are not in kubectl's order (the streaming path takes those).

use serde::Deserialize;
use serde_json::Value;

use super::K8sEvidence;
use super::collect::{Collector, item_kind_of};
use super::raw::RawObject;
use crate::evidence::{ImportContext, ImportError, Recognised};

/// The format name used in errors.
const FORMAT: &str = "kubectl JSON";

/// Reads `root` if it is a Kubernetes object or list. `None` if it is not.
pub(super) fn read(
    ctx: ImportContext<'_>,
    root: &Value,
) -> Option<Result<(K8sEvidence, Recognised), ImportError>> {
    let object = root.as_object()?;
    let kind = object.get("kind")?.as_str()?;
    let mut collector = Collector::new(ctx);
    match object.get("items").and_then(Value::as_array) {
        Some(items) if kind.ends_with("List") => {
            let implied = item_kind_of(kind);
            for (index, item) in items.iter().enumerate() {
                let pointer = format!("/items/{index}");
                match RawObject::deserialize(item) {
                    Ok(raw) => collector.add(raw, pointer, implied),
                    Err(e) => return Some(Err(invalid(ctx, &pointer, &e))),
                }
            }
        }
        _ => {
            let has_api_version = object.get("apiVersion").is_some_and(Value::is_string);
            let has_metadata = object.get("metadata").is_some_and(Value::is_object);
            if !(has_api_version && has_metadata) {
                return None;
            }
            match RawObject::deserialize(root) {
                Ok(raw) => collector.add(raw, String::new(), None),
                Err(e) => return Some(Err(invalid(ctx, "", &e))),
            }
            // A single object of a kind Tickmark does not read (a Kubescape
            // `ClusterDescribe` wrapping an ARM resource, say) is left to the
            // other importers.
            if collector.read_count() == 0 {
                return None;
            }
        }
    }
    Some(Ok(collector.finish()))
}

fn invalid(ctx: ImportContext<'_>, pointer: &str, e: &serde_json::Error) -> ImportError {
    ImportError::invalid(ctx.path, FORMAT, pointer, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::ImportErrorKind;
    use serde_json::json;

    fn ctx() -> ImportContext<'static> {
        ImportContext::new("x.json")
    }

    #[test]
    fn reads_a_single_object() {
        let root = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "deny", "namespace": "a"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}});
        let (evidence, recognised) = read(ctx(), &root).unwrap().unwrap();
        assert_eq!(
            recognised.format,
            crate::evidence::Format::KubectlNetworkPolicies
        );
        let policy = &evidence.network_policies[0];
        assert!(policy.selects_all_pods);
        assert_eq!(policy.covers(), (true, true));
        assert_eq!(policy.source.pointer, "");
        assert_eq!(
            policy.source.resource.as_deref(),
            Some("a/NetworkPolicy/deny")
        );
    }

    #[test]
    fn unknown_kinds_alone_are_read_and_said_to_be_unused() {
        let root = json!({"kind": "List", "apiVersion": "v1",
            "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}]});
        let (evidence, recognised) = read(ctx(), &root).unwrap().unwrap();
        assert!(evidence.is_empty());
        assert_eq!(recognised.format, crate::evidence::Format::KubectlObjects);
        assert_eq!(
            recognised.notes,
            vec!["1 object(s) of kind ConfigMap read, not used by any check"]
        );
        assert!(read(ctx(), &json!({"kind": "x"})).is_none());
    }

    #[test]
    fn wrong_types_name_the_item() {
        let root = json!({"kind": "List", "apiVersion": "v1", "items": [
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
             "spec": {"containers": [{"name": "c", "securityContext": {"runAsUser": "root"}}]}}]});
        let err = read(ctx(), &root).unwrap().unwrap_err();
        assert_eq!(err.kind, ImportErrorKind::Invalid);
        assert_eq!(err.location.as_deref(), Some("/items/0"));
        assert!(err.message.contains("expected i64"), "{}", err.message);
    }
}
