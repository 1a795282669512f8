//! The catalog as a nested JSON tree (for `tickmark catalog --format json`
//! and exports).

use serde_json::{Value, json};

use super::{Catalog, Requirement};

impl Catalog {
    /// The whole catalog as nested JSON:
    /// `{"catalog", "name", "nodes": [family trees]}`, where each node has
    /// `id`, `kind`, `title`, `responsibility`, `guidance`, `evidence`,
    /// `checks` and its `children` as nested nodes.
    pub fn to_json_tree(&self) -> Value {
        json!({
            "catalog": self.id,
            "name": self.name,
            "nodes": self.families().map(|family| self.subtree(family)).collect::<Vec<_>>(),
        })
    }

    fn subtree(&self, node: &Requirement) -> Value {
        let children: Vec<Value> = self
            .children(&node.id)
            .map(|child| self.subtree(child))
            .collect();
        json!({
            "id": node.id,
            "kind": node.kind.id(),
            "title": node.title,
            "responsibility": node.responsibility.id(),
            "guidance": node.guidance,
            "evidence": node.evidence,
            "checks": node.checks,
            "children": children,
        })
    }
}
