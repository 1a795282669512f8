//! Reading the parts of a network resource (rules, routes, listeners...) the
//! same way in both of Azure's shapes: the ARM shape keeps each part's
//! settings under `properties`, the az CLI flattens them onto the part itself.

use crate::evidence::Field;
use crate::evidence::arm::ArmResource;
use crate::evidence::node::{Node, is_expression};

/// Where a part's settings are: its `properties` object (ARM shape), else the
/// part itself (az CLI's flattened shape).
pub(super) fn settings_of<'a>(part: &Node<'a>) -> Node<'a> {
    match part.get("properties") {
        Some(props) if props.value().is_object() => props,
        _ => part.clone(),
    }
}

/// The part's `name`, or its position when the name is missing or not text.
pub(super) fn name_or_position(part: &Node<'_>, what: &str, index: usize) -> String {
    part.get("name")
        .and_then(|n| n.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{what} #{}", index + 1))
}

/// True when the resource states its settings at all. `az resource list`
/// gives only identity (no settings), and then an absent list means nothing;
/// but a resource with `properties` (ARM) or a `provisioningState` (az CLI)
/// that leaves a list out has none of it.
pub(super) fn settings_present(resource: &ArmResource<'_>) -> bool {
    let props = resource.props();
    props.pointer() != resource.node.pointer() || props.get("provisioningState").is_some()
}

/// A list of parts read with `read` (given each part's node and position).
/// An absent or `null` list is empty when the resource states its settings
/// (see [`settings_present`]), and missing otherwise.
pub(super) fn parts<'a, T>(
    resource: &ArmResource<'a>,
    key: &str,
    read: impl Fn(&Node<'a>, usize) -> T,
) -> Field<Vec<T>> {
    let props = resource.props();
    let field = props.field(key, |list| {
        list.value()
            .is_array()
            .then(|| list.items().enumerate().map(|(i, n)| read(&n, i)).collect())
    });
    match field {
        field if field.is_absent() && settings_present(resource) => {
            Field::known(Vec::new(), props.pointer())
        }
        other => other,
    }
}

/// The `id` of a reference object such as `{"id": "/subscriptions/..."}` at
/// `key` of `node` (`subnet`, `firewallPolicy`, `httpListener`...).
pub(super) fn reference(node: &Node<'_>, key: &str) -> Field<String> {
    node.string_field(&format!("{key}.id"))
}

/// The literal `id`s of a list of reference objects (`[{"id": ...}]`) at
/// `key` of `node`; template expressions are left out.
pub(super) fn reference_ids(node: &Node<'_>, key: &str) -> Vec<String> {
    node.get(key)
        .map(|list| {
            list.items()
                .filter_map(|item| item.get("id").and_then(|id| id.as_str().map(str::to_owned)))
                .filter(|id| !is_expression(id))
                .collect()
        })
        .unwrap_or_default()
}

/// A single value and a list that mean the same thing together, as NSG rules
/// have them (`sourceAddressPrefix` and `sourceAddressPrefixes`): the union
/// of both. Empty strings and lists count as absent; an expression in either
/// makes the whole unresolved.
pub(super) fn single_and_list(node: &Node<'_>, single: &str, list: &str) -> Field<Vec<String>> {
    let one = node.string_field(single);
    let many = node.string_list_field(list);
    if matches!(one, Field::Unresolved { .. } | Field::Invalid { .. }) {
        return one.map(|_| Vec::new());
    }
    if matches!(many, Field::Unresolved { .. } | Field::Invalid { .. }) {
        return many;
    }
    let mut values = Vec::new();
    let mut pointer = None;
    if let Field::Known { value, pointer: p } = &many
        && !value.is_empty()
    {
        values.extend(value.iter().cloned());
        pointer = Some(p.clone());
    }
    if let Field::Known { value, pointer: p } = &one
        && !value.trim().is_empty()
    {
        values.insert(0, value.clone());
        pointer = Some(p.clone());
    }
    match pointer {
        Some(pointer) => Field::known(values, pointer),
        None => Field::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_come_from_properties_or_the_part_itself() {
        let arm = json!({"name": "r", "properties": {"access": "Allow"}});
        let flat = json!({"name": "r", "access": "Allow"});
        assert_eq!(settings_of(&Node::root(&arm)).pointer(), "/properties");
        assert_eq!(settings_of(&Node::root(&flat)).pointer(), "");
    }

    #[test]
    fn single_and_list_merge() {
        let doc = json!({
            "a": {"p": "22", "ps": []},
            "b": {"p": null, "ps": ["80", "443"]},
            "c": {"p": "", "ps": []},
            "d": {"p": "[parameters('x')]", "ps": []},
        });
        let root = Node::root(&doc);
        let read = |k: &str| single_and_list(&root.get(k).unwrap(), "p", "ps");
        assert_eq!(read("a"), Field::known(vec!["22".to_owned()], "/a/p"));
        assert_eq!(
            read("b"),
            Field::known(vec!["80".to_owned(), "443".to_owned()], "/b/ps")
        );
        assert_eq!(read("c"), Field::Missing);
        assert!(matches!(read("d"), Field::Unresolved { .. }));
    }
}
