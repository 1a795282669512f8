//! Kubernetes objects from `kubectl get ... -o json|yaml`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Evidence, ImportContext, ImportError, Recognised};

/// Typed Kubernetes objects.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct K8sEvidence {}

impl K8sEvidence {
    /// Moves everything of `other` into `self`.
    pub fn extend(&mut self, _other: K8sEvidence) {}
}

/// Streams a large `kubectl ... -o json` list straight into typed objects,
/// without building a JSON tree. `None` if the text is not such a list.
pub fn read_large_json(
    _ctx: ImportContext<'_>,
    _text: &str,
    _out: &mut K8sEvidence,
) -> Option<Result<Recognised, ImportError>> {
    None
}

/// Reads a parsed Kubernetes object or list. `None` if it is not one.
pub fn read_json(
    _ctx: ImportContext<'_>,
    _root: &Value,
    _out: &mut K8sEvidence,
) -> Option<Result<Recognised, ImportError>> {
    None
}

/// Reads `kubectl -o yaml` output or a multi-document YAML stream. `None` if
/// the text is not YAML holding objects.
pub fn read_yaml(
    _ctx: ImportContext<'_>,
    _text: &str,
    _out: &mut Evidence,
) -> Option<Result<Recognised, ImportError>> {
    None
}
