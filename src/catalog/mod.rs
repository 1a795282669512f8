//! The catalog: the frameworks' requirements as data, with guidance, the
//! evidence that satisfies each requirement and the automated checks that
//! feed it, and crosswalks between two frameworks' numberings.
//!
//! A catalog is a TOML file under `assets/catalog/` (see the comment at the
//! top of `pci-dss-3.2.1.toml` for its layout), a crosswalk one under
//! `assets/crosswalk/`; every such file is embedded in the binary by
//! `build.rs`, so a framework is added by adding its file. Catalogs are
//! validated by [`Catalog::from_toml`], crosswalks by [`Crosswalk::from_toml`]
//! against the two catalogs they join. Kinds and parents are derived from the
//! IDs: `1` .. `12` (and the appendices `A1` .. `A3`) are families, IDs listed
//! in the header's `requirement_ids` are assessed requirements, and any other
//! node is a group that only holds children.
//!
//! A node maps checks with one of two strengths ([`MappingStrength`]):
//! `checks` test the requirement's automatable part fully, while
//! `supporting_checks` only support it (their pass decides nothing). The
//! verdict rule that uses the difference is [`crate::checks::verdict_of`].
//! The check IDs themselves are defined in [`crate::check_registry`], which
//! both this module and [`crate::checks`] use.

mod builtin;
mod crosswalk;
mod error;
mod id;
mod load;
mod tree;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use builtin::{
    DEFAULT_CATALOG_ID, PCI_DSS_321_ID, PCI_DSS_321_TOML, PCI_DSS_401_ID, builtin,
    builtin_crosswalk, builtin_crosswalks, builtin_ids, builtins, crosswalk_between,
    default_catalog, pci_dss_321,
};
pub use crosswalk::{Crosswalk, Link, LinkKind, Side};
pub use error::{CatalogError, CrosswalkError, LinkProblem, ListProblem, NodeProblem};
pub use id::{is_well_formed as is_well_formed_id, order_key as id_order_key};

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
    /// One of the twelve top-level requirements (`1` ... `12`), or an
    /// appendix (`A1` ... `A3`; see [`Requirement::is_appendix`]).
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
    /// IDs of the automated checks that test its automatable part fully.
    pub checks: Vec<String>,
    /// IDs of the automated checks that only support it: they look at part
    /// of what it asks, so their pass alone never decides it.
    #[serde(default)]
    pub supporting_checks: Vec<String>,
    /// True for a requirement that PCI DSS v4.0 added (it has no
    /// predecessor in 3.2.1).
    #[serde(default)]
    pub new_in_v4: bool,
    /// True for one of v4's requirements that were a best practice until
    /// 31 March 2025 and are mandatory since.
    #[serde(default)]
    pub future_dated: bool,
    /// The kind of entity the node applies to, when it does not apply to
    /// every entity (`multi-tenant service providers` for Appendix A1). Set
    /// on an appendix family in the file and inherited by every node below.
    #[serde(default)]
    pub applies_to: Option<String>,
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

    /// Whether the node lies in an appendix (`A1` and everything below it).
    pub fn is_appendix(&self) -> bool {
        id::is_appendix(&self.id)
    }

    /// The strength with which this node itself lists `check` (not counting
    /// checks listed on the groups above it).
    pub fn strength_of(&self, check: &str) -> Option<MappingStrength> {
        if self.checks.iter().any(|c| c == check) {
            Some(MappingStrength::Tests)
        } else if self.supporting_checks.iter().any(|c| c == check) {
            Some(MappingStrength::Supports)
        } else {
            None
        }
    }

    /// Every check the node itself lists: testing ones first, then
    /// supporting ones.
    pub fn all_checks(&self) -> impl Iterator<Item = &str> {
        self.checks
            .iter()
            .chain(&self.supporting_checks)
            .map(String::as_str)
    }

    /// How deep it sits: 1 for a family, 2 for `1.1`, and so on.
    pub fn depth(&self) -> usize {
        self.id.split('.').count()
    }
}

/// How fully a check covers a requirement it is mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingStrength {
    /// The check tests the requirement's automatable part fully (listed
    /// under `checks`): its pass can make the requirement pass.
    Tests,
    /// The check only supports the requirement (listed under
    /// `supporting_checks`, or a scanner's own mapping): a failure counts,
    /// a pass alone leaves the requirement for a person to test.
    Supports,
}

impl MappingStrength {
    /// The stable ID used in JSON: `tests` or `supports`.
    pub fn id(self) -> &'static str {
        match self {
            MappingStrength::Tests => "tests",
            MappingStrength::Supports => "supports",
        }
    }
}

/// One check that feeds an assessed requirement, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckLink<'a> {
    /// The check's ID.
    pub check: &'a str,
    /// Whether it tests or only supports the requirement.
    pub strength: MappingStrength,
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
    /// Whether the framework offers the customized approach as a way of
    /// meeting a requirement (PCI DSS v4.x does; 3.2.1 does not).
    pub customized_approach: bool,
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
    #[serde(default)]
    customized_approach: bool,
    nodes: Vec<Requirement>,
}

impl From<CatalogData> for Catalog {
    fn from(data: CatalogData) -> Self {
        let index = index_of(&data.nodes);
        Catalog {
            id: data.id,
            name: data.name,
            description: data.description,
            customized_approach: data.customized_approach,
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

    /// The families (`1` ... `12`, then any appendices `A1` ...), in order.
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

    /// The nodes that list check `check` (testing or supporting), in
    /// document order.
    pub fn nodes_with_check<'a>(
        &'a self,
        check: &str,
    ) -> impl Iterator<Item = &'a Requirement> + use<'a> {
        let check = check.to_owned();
        self.nodes
            .iter()
            .filter(move |node| node.strength_of(&check).is_some())
    }

    /// The checks that feed node `id`, each with its strength: its own, then
    /// those listed on the groups directly above it (not on an assessed
    /// parent): PRODUCT.md maps `aks.entra-rbac` to the group 7.1, so it
    /// feeds every assessed requirement under 7.1. A check listed at several
    /// levels keeps the strength of the nearest. Families carry no checks.
    pub fn check_links<'a>(&'a self, id: &str) -> Vec<CheckLink<'a>> {
        let mut links: Vec<CheckLink<'a>> = Vec::new();
        let mut node = self.get(id);
        while let Some(current) = node {
            let listed = current
                .checks
                .iter()
                .map(|check| (check, MappingStrength::Tests))
                .chain(
                    current
                        .supporting_checks
                        .iter()
                        .map(|check| (check, MappingStrength::Supports)),
                );
            for (check, strength) in listed {
                if !links.iter().any(|link| link.check == check) {
                    links.push(CheckLink { check, strength });
                }
            }
            node = self
                .parent_of(&current.id)
                .filter(|parent| parent.kind == NodeKind::Group);
        }
        links
    }

    /// The IDs of the checks that feed node `id` (see [`Self::check_links`]),
    /// testing and supporting alike.
    pub fn checks_for<'a>(&'a self, id: &str) -> Vec<&'a str> {
        self.check_links(id)
            .into_iter()
            .map(|link| link.check)
            .collect()
    }

    /// How check `check` feeds node `id` (own or inherited), if it does.
    pub fn strength_for(&self, id: &str, check: &str) -> Option<MappingStrength> {
        self.check_links(id)
            .into_iter()
            .find(|link| link.check == check)
            .map(|link| link.strength)
    }

    /// Whether assessed requirement `id` has no automated checks (its own or
    /// inherited, testing or supporting) and is reviewed by hand.
    pub fn is_manual(&self, id: &str) -> bool {
        self.get(id).is_some_and(Requirement::is_assessed) && self.check_links(id).is_empty()
    }

    /// Every node below `id` (not `id` itself), depth-first in document
    /// order; empty for an unknown ID.
    pub fn descendants<'a>(&'a self, id: &str) -> Vec<&'a Requirement> {
        let mut out = Vec::new();
        let mut stack: Vec<&Requirement> = self.children(id).collect();
        stack.reverse();
        while let Some(node) = stack.pop() {
            out.push(node);
            let mut children: Vec<&Requirement> = self.children(&node.id).collect();
            children.reverse();
            stack.extend(children);
        }
        out
    }

    /// The appendix families (`A1` ... `A3`), in order.
    pub fn appendices(&self) -> impl Iterator<Item = &Requirement> {
        self.families().filter(|family| family.is_appendix())
    }

    /// The assessed requirements that apply only to a kind of entity,
    /// grouped by that kind (`multi-tenant service providers` → A1's
    /// requirements), in document order of their first node: what an
    /// assessment declares not applicable in one step.
    pub fn applicability_groups(&self) -> Vec<(&str, Vec<&Requirement>)> {
        let mut groups: Vec<(&str, Vec<&Requirement>)> = Vec::new();
        for node in self.requirements() {
            let Some(kind) = node.applies_to.as_deref() else {
                continue;
            };
            match groups.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, nodes)) => nodes.push(node),
                None => groups.push((kind, vec![node])),
            }
        }
        groups
    }

    /// The assessed requirements new in PCI DSS v4.0, in document order.
    pub fn new_in_v4(&self) -> impl Iterator<Item = &Requirement> {
        self.requirements().filter(|node| node.new_in_v4)
    }

    /// How many nodes there are of `kind`.
    pub fn count(&self, kind: NodeKind) -> usize {
        self.nodes.iter().filter(|node| node.kind == kind).count()
    }
}

#[cfg(test)]
mod tests;
