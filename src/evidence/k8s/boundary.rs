//! The Kubernetes objects that say where workloads run and how they are kept
//! apart: nodes (`kubectl get nodes`), label selectors and network policy
//! peers, tolerations, and the service mesh's mTLS policies (Istio
//! `PeerAuthentication`, Linkerd `Server`, OSM `MeshConfig`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::evidence::EvidenceRef;

/// The node labels AKS gives every node of a pool, most specific first.
pub const POOL_LABELS: [&str; 2] = ["kubernetes.azure.com/agentpool", "agentpool"];

/// One `matchExpressions` requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectorRequirement {
    /// The label.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// The values (for `In` and `NotIn`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// A Kubernetes label selector (`matchLabels` and `matchExpressions`, all of
/// which must hold). An empty selector selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selector {
    /// `matchLabels`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    /// `matchExpressions`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<SelectorRequirement>,
}

impl Selector {
    /// True if the selector selects everything (`{}`).
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Whether an object with `labels` is selected; `None` when an
    /// expression uses an operator Kubernetes does not define (the API
    /// server would have refused it, so the file was edited by hand).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> Option<bool> {
        let labels_hold = self
            .match_labels
            .iter()
            .all(|(key, value)| labels.get(key) == Some(value));
        let mut expressions_hold = true;
        for requirement in &self.match_expressions {
            let value = labels.get(&requirement.key);
            let holds = match requirement.operator.as_str() {
                "In" => value.is_some_and(|v| requirement.values.contains(v)),
                "NotIn" => value.is_none_or(|v| !requirement.values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => return None,
            };
            expressions_hold &= holds;
        }
        Some(labels_hold && expressions_hold)
    }

    /// The selector as Kubernetes users write it: `a=b, c in (d, e)`, or
    /// `{}` for the empty one.
    pub fn describe(&self) -> String {
        if self.is_empty() {
            return "{}".to_owned();
        }
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        for r in &self.match_expressions {
            parts.push(match r.operator.as_str() {
                "Exists" => r.key.clone(),
                "DoesNotExist" => format!("!{}", r.key),
                op => format!(
                    "{} {} ({})",
                    r.key,
                    op.to_ascii_lowercase(),
                    r.values.join(", ")
                ),
            });
        }
        parts.join(", ")
    }
}

/// An `ipBlock` peer: a CIDR and the ranges cut out of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpBlock {
    /// `cidr`.
    pub cidr: String,
    /// `except`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
}

/// One peer of a network policy rule (`from` / `to` entry). A peer with
/// only a pod selector means pods of the policy's own namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyPeer {
    /// `namespaceSelector`; `Some(empty)` selects every namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<Selector>,
    /// `podSelector`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_selector: Option<Selector>,
    /// `ipBlock`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_block: Option<IpBlock>,
}

impl PolicyPeer {
    /// The peer as written, shortly: `namespaces {}`, `pods app=x in
    /// namespaces pci-scope=out-of-scope`, `10.0.0.0/8`.
    pub fn describe(&self) -> String {
        if let Some(block) = &self.ip_block {
            return if block.except.is_empty() {
                block.cidr.clone()
            } else {
                format!("{} except {}", block.cidr, block.except.join(", "))
            };
        }
        match (&self.namespace_selector, &self.pod_selector) {
            (Some(ns), Some(pods)) => {
                format!("pods {} in namespaces {}", pods.describe(), ns.describe())
            }
            (Some(ns), None) => format!("namespaces {}", ns.describe()),
            (None, Some(pods)) => format!("pods {} of its own namespace", pods.describe()),
            (None, None) => "(an empty peer)".to_owned(),
        }
    }
}

/// A port of a network policy rule, as written: `8443/TCP`, `dns/UDP`,
/// `30000-32767/TCP`.
pub type PolicyPort = String;

/// A toleration of a pod spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Toleration {
    /// `key`; `None` with `Exists` tolerates every taint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `operator`: `Equal` (the default) or `Exists`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `effect`; `None` tolerates every effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
}

impl Toleration {
    /// True if this toleration lets a pod onto a node with `taint`.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        let effect_fits = self
            .effect
            .as_deref()
            .is_none_or(|e| e.is_empty() || e == taint.effect);
        let exists = self.operator.as_deref() == Some("Exists");
        let key_fits = match self.key.as_deref() {
            None | Some("") => exists,
            Some(key) => key == taint.key,
        };
        let value_fits = exists || self.value.as_deref().unwrap_or("") == taint.value;
        effect_fits && key_fits && value_fits
    }
}

/// A node taint (`key=value:Effect`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taint {
    /// `key`.
    pub key: String,
    /// `value` (empty when none).
    #[serde(default)]
    pub value: String,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
}

impl Taint {
    /// Reads an AKS pool taint as `az` prints it: `key=value:Effect`.
    pub fn parse(text: &str) -> Option<Taint> {
        let (pair, effect) = text.trim().rsplit_once(':')?;
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (!key.is_empty() && !effect.is_empty()).then(|| Taint {
            key: key.to_owned(),
            value: value.to_owned(),
            effect: effect.to_owned(),
        })
    }

    /// True for the taints that keep pods off the node (`NoSchedule`,
    /// `NoExecute`), not the preference `PreferNoSchedule`.
    pub fn repels(&self) -> bool {
        self.effect == "NoSchedule" || self.effect == "NoExecute"
    }
}

impl std::fmt::Display for Taint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}:{}", self.key, self.effect)
        } else {
            write!(f, "{}={}:{}", self.key, self.value, self.effect)
        }
    }
}

/// A node (`kubectl get nodes -o json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Its name (what pods' `spec.nodeName` says).
    pub name: String,
    /// `metadata.labels`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// `spec.taints`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<Taint>,
    /// `spec.podCIDRs` (or `spec.podCIDR`): the node's pod address ranges,
    /// where the network plugin assigns them per node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_cidrs: Vec<String>,
    /// `status.addresses` of type `InternalIP`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub internal_ips: Vec<String>,
    /// Where it is.
    pub source: EvidenceRef,
}

impl Node {
    /// The AKS agent pool the node belongs to, from its pool label.
    pub fn pool(&self) -> Option<&str> {
        POOL_LABELS
            .iter()
            .find_map(|key| self.labels.get(*key))
            .map(String::as_str)
    }
}

/// Which service mesh a policy belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mesh {
    /// Istio (upstream or the AKS add-on).
    Istio,
    /// Linkerd.
    Linkerd,
    /// Open Service Mesh.
    Osm,
}

impl Mesh {
    /// `Istio`, `Linkerd` or `Open Service Mesh`.
    pub fn label(self) -> &'static str {
        match self {
            Mesh::Istio => "Istio",
            Mesh::Linkerd => "Linkerd",
            Mesh::Osm => "Open Service Mesh",
        }
    }
}

/// A service mesh object that decides whether traffic must be mTLS: an Istio
/// `PeerAuthentication` (`mode`: `STRICT`, `PERMISSIVE`, `DISABLE`, `UNSET`),
/// a Linkerd `Server` (`mode`: its `accessPolicy`), or an OSM `MeshConfig`
/// (`mode`: `permissive-traffic-policy` when that mode is on, else
/// `smi-policy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeshPolicy {
    /// The mesh.
    pub mesh: Mesh,
    /// `PeerAuthentication`, `Server` or `MeshConfig`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its namespace.
    pub namespace: Option<String>,
    /// The workloads it applies to (`selector` / `podSelector`); `None` for
    /// the whole namespace (or mesh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workloads: Option<Selector>,
    /// The mode it sets, as written (upper case for Istio); `None` when the
    /// object does not say (Istio then inherits from the level above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Istio `portLevelMtls`: port → mode.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub port_modes: BTreeMap<String, String>,
    /// Where it is.
    pub source: EvidenceRef,
}

/// The namespace (and pod) labels and annotations that turn sidecar
/// injection on or off, per mesh.
pub mod injection {
    use std::collections::BTreeMap;

    use super::Mesh;

    /// Whether the labels and annotations of a namespace (or pod) turn a
    /// mesh's injection on (`Some(true)`), off (`Some(false)`), or do not
    /// say (`None`), with the key that decided it.
    pub fn state(
        labels: &BTreeMap<String, String>,
        annotations: &BTreeMap<String, String>,
        mesh: Mesh,
    ) -> Option<(bool, String)> {
        let flag = |map: &BTreeMap<String, String>, key: &str, on: &[&str], off: &[&str]| {
            map.get(key).and_then(|value| {
                let value = value.trim().to_ascii_lowercase();
                if on.contains(&value.as_str()) {
                    Some((true, format!("{key}={value}")))
                } else if off.contains(&value.as_str()) {
                    Some((false, format!("{key}={value}")))
                } else {
                    None
                }
            })
        };
        match mesh {
            Mesh::Istio => flag(labels, "istio-injection", &["enabled"], &["disabled"])
                .or_else(|| flag(labels, "sidecar.istio.io/inject", &["true"], &["false"]))
                .or_else(|| {
                    flag(
                        annotations,
                        "sidecar.istio.io/inject",
                        &["true"],
                        &["false"],
                    )
                })
                .or_else(|| {
                    labels
                        .get("istio.io/rev")
                        .filter(|rev| !rev.trim().is_empty())
                        .map(|rev| (true, format!("istio.io/rev={rev}")))
                })
                .or_else(|| {
                    labels
                        .get("istio.io/dataplane-mode")
                        .filter(|mode| mode.eq_ignore_ascii_case("ambient"))
                        .map(|mode| (true, format!("istio.io/dataplane-mode={mode}")))
                }),
            Mesh::Linkerd => flag(
                annotations,
                "linkerd.io/inject",
                &["enabled", "ingress"],
                &["disabled"],
            ),
            Mesh::Osm => flag(
                annotations,
                "openservicemesh.io/sidecar-injection",
                &["enabled", "true"],
                &["disabled", "false"],
            ),
        }
    }

    /// The name of the proxy container a mesh injects.
    pub fn proxy_container(mesh: Mesh) -> &'static [&'static str] {
        match mesh {
            Mesh::Istio => &["istio-proxy"],
            Mesh::Linkerd => &["linkerd-proxy"],
            Mesh::Osm => &["envoy"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let out = labels(&[("pci-scope", "out-of-scope"), ("team", "b")]);
        let empty = Selector::default();
        assert_eq!(empty.matches(&out), Some(true));
        let by_label = Selector {
            match_labels: labels(&[("pci-scope", "in-scope")]),
            ..Selector::default()
        };
        assert_eq!(by_label.matches(&out), Some(false));
        let not_in = Selector {
            match_expressions: vec![SelectorRequirement {
                key: "pci-scope".into(),
                operator: "NotIn".into(),
                values: vec!["in-scope".into()],
            }],
            ..Selector::default()
        };
        assert_eq!(not_in.matches(&out), Some(true));
        assert_eq!(not_in.describe(), "pci-scope notin (in-scope)");
        let odd = Selector {
            match_expressions: vec![SelectorRequirement {
                key: "x".into(),
                operator: "Near".into(),
                values: vec![],
            }],
            ..Selector::default()
        };
        assert_eq!(odd.matches(&out), None);
    }

    #[test]
    fn tolerations_and_taints() {
        let taint = Taint::parse("pci-scope=in-scope:NoSchedule").unwrap();
        assert_eq!(taint.to_string(), "pci-scope=in-scope:NoSchedule");
        let equal = Toleration {
            key: Some("pci-scope".into()),
            operator: Some("Equal".into()),
            value: Some("in-scope".into()),
            effect: Some("NoSchedule".into()),
        };
        assert!(equal.tolerates(&taint));
        let other = Toleration {
            value: Some("out-of-scope".into()),
            ..equal.clone()
        };
        assert!(!other.tolerates(&taint));
        let everything = Toleration {
            key: None,
            operator: Some("Exists".into()),
            value: None,
            effect: None,
        };
        assert!(everything.tolerates(&taint));
        assert_eq!(
            Taint::parse("CriticalAddonsOnly=true:NoSchedule")
                .unwrap()
                .key,
            "CriticalAddonsOnly"
        );
        assert!(Taint::parse("nonsense").is_none());
    }

    #[test]
    fn injection_per_mesh() {
        let none = BTreeMap::new();
        let istio = labels(&[("istio-injection", "enabled")]);
        assert_eq!(
            injection::state(&istio, &none, Mesh::Istio),
            Some((true, "istio-injection=enabled".into()))
        );
        let rev = labels(&[("istio.io/rev", "asm-1-26")]);
        assert!(injection::state(&rev, &none, Mesh::Istio).unwrap().0);
        let linkerd = labels(&[("linkerd.io/inject", "disabled")]);
        assert_eq!(
            injection::state(&none, &linkerd, Mesh::Linkerd).map(|s| s.0),
            Some(false)
        );
        assert_eq!(injection::state(&none, &none, Mesh::Osm), None);
    }
}
