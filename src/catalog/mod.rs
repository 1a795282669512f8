//! The catalog: a framework's requirements as data (PCI DSS 3.2.1 is built
//! in), with guidance, the evidence that satisfies each requirement and the
//! automated checks that feed it.

use serde::{Deserialize, Serialize};

/// Who is responsible for meeting a requirement on AKS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Responsibility {
    /// The customer (the cluster and workload owners).
    Customer,
    /// Shared between the customer and Microsoft.
    Shared,
    /// Inherited from the cloud provider (e.g. physical security).
    Provider,
}

impl Responsibility {
    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Responsibility::Customer => "Customer",
            Responsibility::Shared => "Shared",
            Responsibility::Provider => "Inherited from Azure",
        }
    }
}

/// Where a node sits in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// One of the twelve top-level requirements (`1` ... `12`).
    Family,
    /// A grouping node that is not itself assessed (e.g. `3.5`).
    Group,
    /// An assessed requirement (one of the framework's requirement IDs).
    Requirement,
}

/// One node of the catalog tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    /// The requirement ID, e.g. `1.3.7`.
    pub id: String,
    /// A short title in Tickmark's own words.
    pub title: String,
    /// Family, group or assessed requirement.
    pub kind: NodeKind,
    /// Who is responsible on AKS.
    pub responsibility: Responsibility,
    /// What to do on AKS, in Tickmark's own words.
    pub guidance: String,
    /// The evidence that satisfies it (which export, which document).
    pub evidence: Vec<String>,
    /// IDs of the automated checks that feed it.
    pub checks: Vec<String>,
    /// The parent node's ID (`None` for families).
    pub parent: Option<String>,
    /// Child node IDs, in order.
    pub children: Vec<String>,
}

/// A framework's requirements as a tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// The catalog ID, e.g. `pci-dss-3.2.1`.
    pub id: String,
    /// A human name, e.g. `PCI DSS 3.2.1`.
    pub name: String,
    /// Every node, families first in order, each followed by its subtree
    /// (depth-first, document order).
    pub nodes: Vec<Requirement>,
}
