//! PCI scope as data: which namespaces, node pools, subnets and VNets are in
//! scope (the CDE), connected to it, or out of scope, and on what grounds.
//!
//! [`Scope::derive`] works it out from the evidence alone (pure, no I/O):
//! the `pci-scope` label on namespaces and on AKS node pools (`nodeLabels`,
//! or the labels of the pool's nodes), the pool's subnet for the subnet, the
//! subnets for their VNet; a scope file (`tickmark-scope.toml`) states or
//! overrides any of them and declares the flows allowed across the
//! boundary. The checks read it as one more input; the review record keeps
//! each effective scope an assessment had ([`Scope`] is serialisable and
//! compares equal when nothing changed).

pub mod addresses;
pub mod diagram;
pub mod svg;
pub mod topology;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::evidence::scope_file::{
    DeclaredFlow, FlowEnd, SCOPE_LABEL, ScopeClass, ScopeDeclaration, ScopeKind,
};
use crate::evidence::{Evidence, EvidenceRef, Field};

/// Why a part of the estate has the scope it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ground {
    /// The scope this ground gives.
    pub class: ScopeClass,
    /// In words: `label pci-scope=in-scope`, `declared in the scope file:
    /// <reason>`, `subnet of node pool npinscope01`.
    pub says: String,
    /// Where the evidence is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<EvidenceRef>,
    /// True for the scope file's declarations, which override the rest.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub declared: bool,
}

/// One part of the estate and its scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeEntry {
    /// Namespace, node pool, subnet or VNet.
    pub kind: ScopeKind,
    /// Its name.
    pub name: String,
    /// The effective scope; `None` when nothing says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<ScopeClass>,
    /// Every ground found, the deciding one first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grounds: Vec<Ground>,
    /// Address ranges (subnets and VNets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
}

impl ScopeEntry {
    /// The deciding ground, if any.
    pub fn deciding(&self) -> Option<&Ground> {
        self.grounds.first()
    }

    /// `namespace a0005-i`.
    pub fn label(&self) -> String {
        format!("{} {}", self.kind.label(), self.name)
    }
}

/// The effective scope of an assessment's evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Every namespace, node pool, subnet and VNet the evidence names, by
    /// kind then name.
    pub entries: Vec<ScopeEntry>,
    /// The flows the scope file allows across the boundary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<ScopeFlow>,
}

/// A declared flow as the record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeFlow {
    /// Where it starts.
    pub from: FlowEnd,
    /// Where it goes.
    pub to: FlowEnd,
    /// `port/PROTOCOL`; empty: any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
    /// Why.
    pub why: String,
    /// Where it is declared.
    pub source: EvidenceRef,
}

impl ScopeFlow {
    fn of(flow: &DeclaredFlow) -> Self {
        ScopeFlow {
            from: flow.from.clone(),
            to: flow.to.clone(),
            ports: flow.ports.clone(),
            why: flow.why.clone(),
            source: flow.source.clone(),
        }
    }

    /// `namespace a0005-i → namespace a0005-o on 8443/TCP`.
    pub fn describe(&self) -> String {
        let ports = if self.ports.is_empty() {
            "any port".to_owned()
        } else {
            self.ports.join(", ")
        };
        format!(
            "{} → {} on {ports}",
            self.from.describe(),
            self.to.describe()
        )
    }
}

/// What to provide when no scope is known, for reasons.
pub fn how_to_state_scope() -> String {
    format!(
        "no scope information: label the namespaces and AKS node pools (nodeLabels) {SCOPE_LABEL}=in-scope, connected or out-of-scope, or import a tickmark-scope.toml that states them"
    )
}

impl Scope {
    /// Derives the effective scope from `evidence`.
    pub fn derive(evidence: &Evidence) -> Scope {
        let mut builder = Builder::default();
        builder.namespaces(evidence);
        builder.pools(evidence);
        builder.declarations(evidence);
        builder.subnets(evidence);
        builder.vnets(evidence);
        let mut entries: Vec<ScopeEntry> = builder.entries.into_values().collect();
        for entry in &mut entries {
            entry.grounds.sort_by_key(|g| !g.declared);
            if let Some(first) = entry.grounds.first() {
                entry.class = Some(first.class);
            }
        }
        Scope {
            entries,
            flows: evidence.scope.flows.iter().map(ScopeFlow::of).collect(),
        }
    }

    /// True if anything has a scope.
    pub fn is_known(&self) -> bool {
        self.entries.iter().any(|e| e.class.is_some())
    }

    /// The entry for `kind` `name`.
    pub fn entry(&self, kind: ScopeKind, name: &str) -> Option<&ScopeEntry> {
        self.entries
            .iter()
            .find(|e| e.kind == kind && same_name(kind, &e.name, name))
    }

    /// The scope of `kind` `name`, if known.
    pub fn class_of(&self, kind: ScopeKind, name: &str) -> Option<ScopeClass> {
        self.entry(kind, name).and_then(|e| e.class)
    }

    /// The entries of one kind.
    pub fn of_kind(&self, kind: ScopeKind) -> impl Iterator<Item = &ScopeEntry> {
        self.entries.iter().filter(move |e| e.kind == kind)
    }

    /// How many entries of each class, for summaries: (in, connected, out,
    /// unknown).
    pub fn counts(&self, kind: ScopeKind) -> [usize; 4] {
        let mut counts = [0; 4];
        for entry in self.of_kind(kind) {
            let slot = match entry.class {
                Some(ScopeClass::InScope) => 0,
                Some(ScopeClass::Connected) => 1,
                Some(ScopeClass::OutOfScope) => 2,
                None => 3,
            };
            counts[slot] += 1;
        }
        counts
    }
}

/// Azure names compare case-insensitively, Kubernetes names exactly.
fn same_name(kind: ScopeKind, a: &str, b: &str) -> bool {
    match kind {
        ScopeKind::Namespace | ScopeKind::NodePool => a == b,
        ScopeKind::Subnet | ScopeKind::Vnet => a.eq_ignore_ascii_case(b),
    }
}

#[derive(Default)]
struct Builder {
    entries: BTreeMap<(ScopeKind, String), ScopeEntry>,
}

impl Builder {
    fn entry(&mut self, kind: ScopeKind, name: &str) -> &mut ScopeEntry {
        let key = match kind {
            ScopeKind::Subnet | ScopeKind::Vnet => name.to_ascii_lowercase(),
            _ => name.to_owned(),
        };
        self.entries
            .entry((kind, key))
            .or_insert_with(|| ScopeEntry {
                kind,
                name: name.to_owned(),
                class: None,
                grounds: Vec::new(),
                addresses: Vec::new(),
            })
    }

    fn ground(&mut self, kind: ScopeKind, name: &str, ground: Ground) {
        let entry = self.entry(kind, name);
        if !entry.grounds.contains(&ground) {
            entry.grounds.push(ground);
        }
    }

    fn class_of(&self, kind: ScopeKind, name: &str) -> Option<ScopeClass> {
        let key = match kind {
            ScopeKind::Subnet | ScopeKind::Vnet => name.to_ascii_lowercase(),
            _ => name.to_owned(),
        };
        let entry = self.entries.get(&(kind, key))?;
        entry
            .grounds
            .iter()
            .find(|g| g.declared)
            .or_else(|| entry.grounds.first())
            .map(|g| g.class)
    }

    /// Namespaces: the Namespace objects' labels; namespaces only seen on
    /// workloads or policies are listed without a scope.
    fn namespaces(&mut self, evidence: &Evidence) {
        let k8s = &evidence.k8s;
        for namespace in &k8s.namespaces {
            self.entry(ScopeKind::Namespace, &namespace.name);
            if let Some(class) = label_ground(&namespace.labels, &namespace.source) {
                self.ground(ScopeKind::Namespace, &namespace.name, class);
            }
        }
        let seen = k8s
            .workloads
            .iter()
            .filter_map(|w| w.namespace.as_deref())
            .chain(
                k8s.network_policies
                    .iter()
                    .filter_map(|p| p.namespace.as_deref()),
            );
        for name in seen.collect::<Vec<_>>() {
            self.entry(ScopeKind::Namespace, name);
        }
    }

    /// Node pools: `nodeLabels` of the AKS pools, else the labels their
    /// nodes carry.
    fn pools(&mut self, evidence: &Evidence) {
        for cluster in &evidence.azure.clusters {
            let Field::Known { value: pools, .. } = &cluster.agent_pools else {
                continue;
            };
            for pool in pools {
                self.entry(ScopeKind::NodePool, &pool.name);
                let source = crate::evidence::EvidenceRef {
                    path: cluster.info.source.path.clone(),
                    pointer: format!("{}/nodeLabels", pool.pointer),
                    resource: Some(format!("{}/agentPools/{}", cluster.info.label(), pool.name)),
                };
                if let Some(labels) = pool.node_labels.value()
                    && let Some(ground) = label_ground(labels, &source)
                {
                    self.ground(ScopeKind::NodePool, &pool.name, ground);
                }
            }
        }
        for node in &evidence.k8s.nodes {
            let Some(pool) = node.pool() else {
                continue;
            };
            self.entry(ScopeKind::NodePool, pool);
            let already = self.class_of(ScopeKind::NodePool, pool).is_some();
            if !already && let Some(ground) = label_ground(&node.labels, &node.source) {
                self.ground(
                    ScopeKind::NodePool,
                    pool,
                    Ground {
                        says: format!("{} (on its node {})", ground.says, node.name),
                        ..ground
                    },
                );
            }
        }
    }

    /// The scope file's declarations override what the labels say.
    fn declarations(&mut self, evidence: &Evidence) {
        for declared in &evidence.scope.declarations {
            let says = if declared.reason.trim().is_empty() {
                "declared in the scope file".to_owned()
            } else {
                format!("declared in the scope file: {}", declared.reason.trim())
            };
            self.ground(
                declared.kind,
                &declared.name,
                Ground {
                    class: declared.class,
                    says,
                    source: Some(declared.source.clone()),
                    declared: true,
                },
            );
        }
    }

    /// Subnets: every subnet of the imported VNets (with its address
    /// ranges); a pool's subnet takes the pool's scope, the CDE's if pools
    /// of several scopes share it.
    fn subnets(&mut self, evidence: &Evidence) {
        for vnet in &evidence.azure.vnets {
            for subnet in &vnet.subnets {
                let Some(name) = subnet.name.value() else {
                    continue;
                };
                let entry = self.entry(ScopeKind::Subnet, name);
                for prefix in &subnet.address_prefixes {
                    if !entry.addresses.contains(prefix) {
                        entry.addresses.push(prefix.clone());
                    }
                }
            }
        }
        for cluster in &evidence.azure.clusters {
            let Field::Known { value: pools, .. } = &cluster.agent_pools else {
                continue;
            };
            for pool in pools {
                let (Some(subnet_id), Some(class)) = (
                    pool.subnet_id.value(),
                    self.class_of(ScopeKind::NodePool, &pool.name),
                ) else {
                    continue;
                };
                let subnet = last_segment(subnet_id).to_owned();
                let ground = Ground {
                    class,
                    says: format!("subnet of node pool {} ({})", pool.name, class.id()),
                    source: Some(cluster.info.at_field(&pool.subnet_id)),
                    declared: false,
                };
                self.ground(ScopeKind::Subnet, &subnet, ground);
                let entry = self.entry(ScopeKind::Subnet, &subnet);
                entry.grounds.sort_by_key(|g| (!g.declared, g.class));
            }
        }
    }

    /// VNets: each imported VNet; one that holds an in-scope (or connected)
    /// subnet takes that scope, one whose subnets are all out of scope is
    /// out of scope.
    fn vnets(&mut self, evidence: &Evidence) {
        for vnet in &evidence.azure.vnets {
            let Some(name) = vnet.info.name.clone() else {
                continue;
            };
            let mut classes = Vec::new();
            for subnet in &vnet.subnets {
                if let Some(sub) = subnet.name.value()
                    && let Some(class) = self.class_of(ScopeKind::Subnet, sub)
                {
                    classes.push((class, sub.clone()));
                }
            }
            let entry = self.entry(ScopeKind::Vnet, &name);
            entry.addresses.clone_from(&vnet.address_space);
            let named = vnet.subnets.iter().filter(|s| s.name.is_known()).count();
            classes.sort();
            if let Some((class, subnet)) = classes.first().cloned() {
                let whole = class == ScopeClass::OutOfScope && classes.len() < named;
                if !whole {
                    let says = if class == ScopeClass::OutOfScope {
                        "every subnet is out of scope".to_owned()
                    } else {
                        format!("holds {} subnet {subnet}", class.id())
                    };
                    self.ground(
                        ScopeKind::Vnet,
                        &name,
                        Ground {
                            class,
                            says,
                            source: Some(vnet.info.source.clone()),
                            declared: false,
                        },
                    );
                }
            }
        }
    }
}

/// The last segment of an ARM ID (`.../subnets/snet-a` gives `snet-a`).
pub fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

/// The ground a `pci-scope` label gives, if it carries a valid value.
fn label_ground(labels: &BTreeMap<String, String>, source: &EvidenceRef) -> Option<Ground> {
    let value = labels.get(SCOPE_LABEL)?;
    let class = ScopeClass::from_id(value)?;
    Some(Ground {
        class,
        says: format!("label {SCOPE_LABEL}={}", value.trim()),
        source: Some(source.clone()),
        declared: false,
    })
}

#[cfg(test)]
mod tests;

/// One failing resource of a check, with its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedFailure {
    /// The check.
    pub check: String,
    /// The resource, as the check names it.
    pub resource: String,
}

/// The failing resources of `results`, split by their scope: in scope,
/// connected, out of scope, and scope not stated (in [`ScopeClass::ALL`]
/// order, the unstated last). Results without per-resource outcomes are
/// not split and are left out.
pub fn failures_by_scope(results: &[crate::checks::CheckResult]) -> [Vec<ScopedFailure>; 4] {
    let mut out: [Vec<ScopedFailure>; 4] = Default::default();
    for result in results.iter().filter(|r| r.requirement.is_none()) {
        for resource in result
            .resources
            .iter()
            .filter(|r| r.status == crate::checks::CheckStatus::Fail)
        {
            let slot = match resource.scope {
                Some(ScopeClass::InScope) => 0,
                Some(ScopeClass::Connected) => 1,
                Some(ScopeClass::OutOfScope) => 2,
                None => 3,
            };
            out[slot].push(ScopedFailure {
                check: result.check.clone(),
                resource: resource.resource.clone(),
            });
        }
    }
    out
}
