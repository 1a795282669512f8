//! The catalog: a framework's requirements as data (PCI DSS 3.2.1 is built
//! in), with guidance, the evidence that satisfies each requirement and the
//! automated checks that feed it.
//!
//! A catalog is a TOML file under `assets/catalog/` (see the comment at the
//! top of `pci-dss-3.2.1.toml` for its layout), embedded in the binary and
//! validated by [`Catalog::from_toml`]. Kinds and parents are derived from
//! the IDs: `1` .. `12` are families, IDs listed in the header's
//! `requirement_ids` are assessed requirements, and any other node is a group
//! that only holds children.

mod error;
mod id;
mod load;
mod tree;

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

pub use error::{CatalogError, ListProblem, NodeProblem};

/// The PCI DSS 3.2.1 catalog file, as embedded in the binary.
pub const PCI_DSS_321_TOML: &str = include_str!("../../assets/catalog/pci-dss-3.2.1.toml");

/// The ID of the built-in PCI DSS 3.2.1 catalog.
pub const PCI_DSS_321_ID: &str = "pci-dss-3.2.1";

static PCI_DSS_321: LazyLock<Catalog> = LazyLock::new(|| {
    // The embedded file is validated by the test suite; a failure here is a
    // build defect, not bad user input.
    Catalog::from_toml(PCI_DSS_321_TOML).expect("the embedded PCI DSS 3.2.1 catalog is valid")
});

/// The built-in PCI DSS 3.2.1 catalog (parsed on first use).
pub fn pci_dss_321() -> &'static Catalog {
    &PCI_DSS_321
}

/// A built-in catalog by its ID (e.g. `pci-dss-3.2.1`).
pub fn builtin(id: &str) -> Option<&'static Catalog> {
    (id == PCI_DSS_321_ID).then(pci_dss_321)
}

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

    /// The stable ID used in files and JSON: `customer`, `shared` or `provider`.
    pub fn id(self) -> &'static str {
        match self {
            Responsibility::Customer => "customer",
            Responsibility::Shared => "shared",
            Responsibility::Provider => "provider",
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

impl NodeKind {
    /// The stable ID used in JSON: `family`, `group` or `requirement`.
    pub fn id(self) -> &'static str {
        match self {
            NodeKind::Family => "family",
            NodeKind::Group => "group",
            NodeKind::Requirement => "requirement",
        }
    }
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
    /// What to do on AKS, in Tickmark's own words. Paragraphs are separated
    /// by a blank line, list items start with `- `, backticks mark commands
    /// and setting names.
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

impl Requirement {
    /// Whether this is an assessed requirement (not a family or a group).
    pub fn is_assessed(&self) -> bool {
        self.kind == NodeKind::Requirement
    }

    /// How deep it sits: 1 for a family, 2 for `1.1`, and so on.
    pub fn depth(&self) -> usize {
        self.id.split('.').count()
    }
}

/// A framework's requirements as a tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "CatalogData")]
pub struct Catalog {
    /// The catalog ID, e.g. `pci-dss-3.2.1`.
    pub id: String,
    /// A human name, e.g. `PCI DSS 3.2.1`.
    pub name: String,
    /// What the catalog covers, in a few sentences.
    pub description: String,
    /// Every node, families first in order, each followed by its subtree
    /// (depth-first, document order).
    pub nodes: Vec<Requirement>,
    /// Node ID → position in `nodes`.
    #[serde(skip)]
    index: HashMap<String, usize>,
}

/// A catalog's serialised fields, from which the index is rebuilt.
#[derive(Deserialize)]
struct CatalogData {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    nodes: Vec<Requirement>,
}

impl From<CatalogData> for Catalog {
    fn from(data: CatalogData) -> Self {
        let index = index_of(&data.nodes);
        Catalog {
            id: data.id,
            name: data.name,
            description: data.description,
            nodes: data.nodes,
            index,
        }
    }
}

fn index_of(nodes: &[Requirement]) -> HashMap<String, usize> {
    nodes
        .iter()
        .enumerate()
        .map(|(at, node)| (node.id.clone(), at))
        .collect()
}

impl Catalog {
    /// Parses and validates a catalog file (TOML).
    ///
    /// Checks that the header is complete; that every node has a well-formed
    /// ID used once, comes in numeric document order (1.9 before 1.10) and
    /// has its parent before it; that titles are single non-empty lines,
    /// guidance is non-empty and assessed requirements name their evidence;
    /// that every check is a known catalog-mapped (static) check, listed once
    /// per node and never on a family; that every group has children; and
    /// that every ID of `requirement_ids` has exactly one node.
    pub fn from_toml(text: &str) -> Result<Catalog, CatalogError> {
        load::from_toml(text)
    }

    /// The node with this ID (family, group or requirement).
    pub fn get(&self, id: &str) -> Option<&Requirement> {
        match self.index.get(id).and_then(|&at| self.nodes.get(at)) {
            Some(node) if node.id == id => Some(node),
            // The public `nodes` were changed after loading: look it up the slow way.
            _ => self.nodes.iter().find(|node| node.id == id),
        }
    }

    /// The assessed requirements, in document order.
    pub fn requirements(&self) -> impl Iterator<Item = &Requirement> {
        self.nodes.iter().filter(|node| node.is_assessed())
    }

    /// The families (`1` ... `12`), in order.
    pub fn families(&self) -> impl Iterator<Item = &Requirement> {
        self.nodes
            .iter()
            .filter(|node| node.kind == NodeKind::Family)
    }

    /// The direct children of node `id`, in order (none if `id` is unknown).
    pub fn children<'a>(&'a self, id: &str) -> impl Iterator<Item = &'a Requirement> + use<'a> {
        self.get(id).into_iter().flat_map(move |node| {
            node.children
                .iter()
                .filter_map(move |child| self.get(child))
        })
    }

    /// The parent of node `id` (`None` for a family or an unknown ID).
    pub fn parent_of(&self, id: &str) -> Option<&Requirement> {
        self.get(id)?.parent.as_deref().and_then(|p| self.get(p))
    }

    /// The family that node `id` belongs to (itself for a family; `None` for
    /// an unknown ID).
    pub fn family_of(&self, id: &str) -> Option<&Requirement> {
        self.get(id)?;
        self.get(id::family(id))
    }

    /// The nodes that list check `check`, in document order.
    pub fn nodes_with_check<'a>(
        &'a self,
        check: &str,
    ) -> impl Iterator<Item = &'a Requirement> + use<'a> {
        let check = check.to_owned();
        self.nodes
            .iter()
            .filter(move |node| node.checks.contains(&check))
    }

    /// The checks that feed node `id`: its own, then those listed on the
    /// groups directly above it (not on an assessed parent) (PRODUCT.md maps `aks.entra-rbac` to the group 7.1,
    /// so it feeds every assessed requirement under 7.1). Families carry no
    /// checks.
    pub fn checks_for<'a>(&'a self, id: &str) -> Vec<&'a str> {
        let mut checks: Vec<&str> = Vec::new();
        let mut node = self.get(id);
        while let Some(current) = node {
            for check in &current.checks {
                if !checks.contains(&check.as_str()) {
                    checks.push(check);
                }
            }
            node = self
                .parent_of(&current.id)
                .filter(|parent| parent.kind == NodeKind::Group);
        }
        checks
    }

    /// Whether assessed requirement `id` has no automated checks (its own or
    /// inherited) and is reviewed by hand.
    pub fn is_manual(&self, id: &str) -> bool {
        self.get(id).is_some_and(Requirement::is_assessed) && self.checks_for(id).is_empty()
    }

    /// How many nodes there are of `kind`.
    pub fn count(&self, kind: NodeKind) -> usize {
        self.nodes.iter().filter(|node| node.kind == kind).count()
    }
}

#[cfg(test)]
mod tests;
