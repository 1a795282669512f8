//! The catalog as a nested JSON tree (for `tickmark catalog --format json`
//! and exports).

use serde_json::{Value, json};

use super::{Catalog, Requirement};

impl Catalog {
    /// The whole catalog as nested JSON:
    /// `{"catalog", "name", "description", "nodes": [family trees]}`, where
    /// each node has `id`, `kind`, `title`, `responsibility`, `guidance`,
    /// `evidence`, `checks` (testing fully), `supporting_checks`, `appendix`,
    /// `new_in_v4`, `future_dated`, `applies_to` (the kind of entity, or
    /// `null` when it applies to all) and its `children` as nested nodes.
    pub fn to_json_tree(&self) -> Value {
        json!({
            "catalog": self.id,
            "name": self.name,
            "description": self.description,
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
            "supporting_checks": node.supporting_checks,
            "appendix": node.is_appendix(),
            "new_in_v4": node.new_in_v4,
            "future_dated": node.future_dated,
            "applies_to": node.applies_to,
            "children": children,
        })
    }
}
