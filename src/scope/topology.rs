//! Where things run: the node pools (with their labels, taints, subnet and
//! scope), which pool each node belongs to, and which pools a pod spec's
//! node selector and required node affinity allow.

use std::collections::BTreeMap;

use super::{Scope, ScopeClass, ScopeKind, last_segment};
use crate::evidence::k8s::PodSpec;
use crate::evidence::k8s::boundary::{POOL_LABELS, Selector, SelectorRequirement, Taint};
use crate::evidence::{Evidence, EvidenceRef, Field};

/// What the evidence says about one node pool.
#[derive(Debug, Clone, PartialEq)]
pub struct Pool {
    /// Its name.
    pub name: String,
    /// `System` or `User`, where stated.
    pub mode: Option<String>,
    /// Its scope.
    pub class: Option<ScopeClass>,
    /// The labels every node of the pool carries: the pool labels AKS sets,
    /// `nodeLabels`, and those its imported nodes show.
    pub labels: BTreeMap<String, String>,
    /// Its taints (`nodeTaints`, or its nodes' `spec.taints`).
    pub taints: Vec<Taint>,
    /// Its subnet's name.
    pub subnet: Option<String>,
    /// Its imported nodes.
    pub nodes: Vec<String>,
    /// Where the pool is described.
    pub source: Option<EvidenceRef>,
}

impl Pool {
    /// The taints that keep pods off its nodes.
    pub fn repelling_taints(&self) -> impl Iterator<Item = &Taint> {
        self.taints.iter().filter(|t| t.repels())
    }
}

/// How a node's pool was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolFrom {
    /// The node's own pool label (`kubectl get nodes`).
    NodeLabel,
    /// The AKS node name (`aks-<pool>-<id>-vmss<n>`), nodes not imported.
    NodeName,
}

/// The pools and nodes of the evidence.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    /// Every pool, in the order the evidence names them.
    pub pools: Vec<Pool>,
    nodes: BTreeMap<String, String>,
}

impl Topology {
    /// Reads the pools and nodes of `evidence`, with their scope.
    pub fn of(evidence: &Evidence, scope: &Scope) -> Topology {
        let mut topology = Topology::default();
        for cluster in &evidence.azure.clusters {
            let Field::Known { value: pools, .. } = &cluster.agent_pools else {
                continue;
            };
            for pool in pools {
                let facts = topology.pool_mut(&pool.name);
                facts.mode = pool.mode.value().cloned();
                if let Some(labels) = pool.node_labels.value() {
                    facts.labels.extend(labels.clone());
                }
                if let Some(taints) = pool.taints.value() {
                    facts.taints = taints.iter().filter_map(|t| Taint::parse(t)).collect();
                }
                facts.subnet = pool.subnet_id.value().map(|id| last_segment(id).to_owned());
                facts.source = Some(EvidenceRef {
                    path: cluster.info.source.path.clone(),
                    pointer: pool.pointer.clone(),
                    resource: Some(format!("{}/agentPools/{}", cluster.info.label(), pool.name)),
                });
            }
        }
        for node in &evidence.k8s.nodes {
            let Some(pool) = node.pool() else {
                continue;
            };
            topology.nodes.insert(node.name.clone(), pool.to_owned());
            let facts = topology.pool_mut(pool);
            facts.nodes.push(node.name.clone());
            for (key, value) in &node.labels {
                // Labels every node of a pool has; per-node ones (hostname,
                // zone) would make selectors look as if they chose pools.
                if !key.starts_with("kubernetes.io/hostname")
                    && !key.starts_with("topology.kubernetes.io/")
                    && !key.starts_with("failure-domain.")
                {
                    facts.labels.entry(key.clone()).or_insert(value.clone());
                }
            }
            if facts.taints.is_empty() {
                facts.taints.clone_from(&node.taints);
            }
            if facts.source.is_none() {
                facts.source = Some(node.source.clone());
            }
        }
        for pool in &mut topology.pools {
            for key in POOL_LABELS {
                pool.labels
                    .entry(key.to_owned())
                    .or_insert_with(|| pool.name.clone());
            }
            pool.class = scope.class_of(ScopeKind::NodePool, &pool.name);
        }
        topology
    }

    fn pool_mut(&mut self, name: &str) -> &mut Pool {
        let at = match self.pools.iter().position(|p| p.name == name) {
            Some(at) => at,
            None => {
                self.pools.push(Pool {
                    name: name.to_owned(),
                    mode: None,
                    class: None,
                    labels: BTreeMap::new(),
                    taints: Vec::new(),
                    subnet: None,
                    nodes: Vec::new(),
                    source: None,
                });
                self.pools.len() - 1
            }
        };
        &mut self.pools[at]
    }

    /// The pool named `name`.
    pub fn pool(&self, name: &str) -> Option<&Pool> {
        self.pools.iter().find(|p| p.name == name)
    }

    /// The pool of node `node`, and how it was found: its pool label when
    /// the nodes were imported, else the AKS node name when that names a
    /// known pool.
    pub fn pool_of_node(&self, node: &str) -> Option<(&Pool, PoolFrom)> {
        if let Some(pool) = self.nodes.get(node) {
            return self.pool(pool).map(|p| (p, PoolFrom::NodeLabel));
        }
        let rest = node.strip_prefix("aks-")?;
        let (name, _) = rest.split_once('-')?;
        self.pool(name).map(|p| (p, PoolFrom::NodeName))
    }

    /// The pools a pod spec may run on by its `nodeSelector` and required
    /// node affinity; `None` if it states neither (any pool its tolerations
    /// allow). An expression operator Kubernetes does not define counts as
    /// not matching.
    pub fn pools_allowed(&self, spec: &PodSpec) -> Option<Vec<&Pool>> {
        if spec.node_selector.is_empty() && spec.required_node_terms.is_empty() {
            return None;
        }
        let selector = Selector {
            match_labels: spec.node_selector.clone(),
            match_expressions: Vec::new(),
        };
        let terms: Vec<Selector> = spec
            .required_node_terms
            .iter()
            .map(|term| Selector {
                match_labels: BTreeMap::new(),
                match_expressions: term
                    .iter()
                    .map(|r| SelectorRequirement {
                        key: r.key.clone(),
                        operator: r.operator.clone(),
                        values: r.values.clone(),
                    })
                    .collect(),
            })
            .collect();
        Some(
            self.pools
                .iter()
                .filter(|pool| {
                    selector.matches(&pool.labels) == Some(true)
                        && (terms.is_empty()
                            || terms.iter().any(|t| t.matches(&pool.labels) == Some(true)))
                })
                .collect(),
        )
    }
}
