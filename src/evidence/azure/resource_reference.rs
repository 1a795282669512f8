//! What resource a reference names: a literal ARM resource ID, or a
//! template's `[resourceId('<type>', <name>)]` expression read without
//! evaluating it (the name stays as written when it is itself an expression).
//! Also the small readers of template expressions ([`call_arguments`],
//! [`quoted_literal`]) that every importer and check reading them shares.

use serde::{Deserialize, Serialize};

use crate::evidence::arm::type_from_id;
use crate::evidence::node::is_expression;

/// A resource name as a reference or a resource states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NameRef {
    /// A literal name (`'kv-aks-01'` in an expression, or a plain string).
    Literal(String),
    /// A template expression (`variables('keyVaultName')`), normalised:
    /// whitespace outside quotes removed and lower-cased (ARM matches
    /// function, variable and parameter names case-insensitively).
    Expression(String),
}

impl NameRef {
    /// The name a resource states in its `name`: literal, or an expression.
    pub fn of_resource_name(name: &str) -> NameRef {
        let trimmed = name.trim();
        if is_expression(trimmed) {
            NameRef::of_argument(&trimmed[1..trimmed.len() - 1])
        } else {
            NameRef::Literal(trimmed.to_owned())
        }
    }

    /// One argument of a template function: a quoted literal, else an expression.
    pub(crate) fn of_argument(argument: &str) -> NameRef {
        match quoted_literal(argument.trim()) {
            Some(literal) => NameRef::Literal(literal),
            None => NameRef::Expression(normalised(argument)),
        }
    }

    /// True if both are literals equal ignoring case (Azure resource names
    /// are case-insensitive) or both the same expression.
    pub fn same_as(&self, other: &NameRef) -> bool {
        match (self, other) {
            (NameRef::Literal(a), NameRef::Literal(b)) => a.eq_ignore_ascii_case(b),
            (NameRef::Expression(a), NameRef::Expression(b)) => a == b,
            _ => false,
        }
    }

    /// The name as shown in reasons.
    pub fn display(&self) -> String {
        match self {
            NameRef::Literal(name) => name.clone(),
            NameRef::Expression(expression) => format!("[{expression}]"),
        }
    }
}

/// What a reference to a resource names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceReference {
    /// A literal resource ID.
    Id {
        /// The ID as written.
        id: String,
        /// Its resource type in lower case.
        resource_type: String,
        /// Its last segment: the resource's own name.
        name: String,
    },
    /// A template's `resourceId('<type>', <name>)` in the deployment's own
    /// resource group and subscription.
    Template {
        /// The resource type in lower case.
        resource_type: String,
        /// The name argument.
        name: NameRef,
    },
    /// Neither: why the reference cannot be read.
    Unresolvable(String),
}

impl ResourceReference {
    /// Reads `text`: a literal ID or a template expression.
    pub fn read(text: &str) -> ResourceReference {
        let text = text.trim();
        if !is_expression(text) {
            return match type_from_id(text) {
                Some(resource_type) => ResourceReference::Id {
                    id: text.to_owned(),
                    resource_type,
                    name: text.rsplit('/').next().unwrap_or_default().to_owned(),
                },
                None => ResourceReference::Unresolvable(format!("{text} is not a resource ID")),
            };
        }
        read_resource_id_call(&text[1..text.len() - 1])
    }
}

/// Reads the body of `[resourceId(...)]`.
fn read_resource_id_call(body: &str) -> ResourceReference {
    let unreadable = || {
        ResourceReference::Unresolvable(format!(
            "[{body}] is a template expression other than resourceId('<type>', <name>)"
        ))
    };
    let body = body.trim();
    let Some(arguments) = call_arguments(body, "resourceId") else {
        return unreadable();
    };
    let Some(type_at) = arguments
        .iter()
        .position(|a| quoted_literal(a.trim()).is_some_and(|t| t.contains('/') && t.contains('.')))
    else {
        return unreadable();
    };
    if type_at > 0 {
        return ResourceReference::Unresolvable(format!(
            "[{body}] names a subscription or resource group of its own"
        ));
    }
    let resource_type = quoted_literal(arguments[0].trim())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let names = &arguments[1..];
    match names {
        [name] if resource_type.matches('/').count() == 1 => ResourceReference::Template {
            resource_type,
            name: NameRef::of_argument(name),
        },
        _ => ResourceReference::Unresolvable(format!(
            "[{body}] does not name one top-level resource"
        )),
    }
}

/// The text of a single-quoted ARM literal (`'a''b'` is `a'b`), if `text` is
/// exactly one.
pub(crate) fn quoted_literal(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// The arguments of `function(...)` when the whole expression (with or
/// without its `[` `]`) is that one call, each trimmed; `None` otherwise.
pub(crate) fn call_arguments(expression: &str, function: &str) -> Option<Vec<String>> {
    let trimmed = expression.trim();
    let body = trimmed
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(trimmed)
        .trim();
    let open = body.find('(')?;
    if !body[..open].trim().eq_ignore_ascii_case(function) || !body.ends_with(')') {
        return None;
    }
    // Unbalanced parentheses inside mean the last one closes another call.
    let arguments = split_arguments(&body[open + 1..body.len() - 1])?;
    Some(arguments.iter().map(|a| a.trim().to_owned()).collect())
}

/// Splits a function's arguments at the commas outside quotes and
/// parentheses; `None` when quotes or parentheses do not balance.
fn split_arguments(text: &str) -> Option<Vec<String>> {
    let mut arguments = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut in_quote = false;
    for c in text.chars() {
        match c {
            '\'' => in_quote = !in_quote,
            '(' | '[' if !in_quote => depth += 1,
            ')' | ']' if !in_quote => depth = depth.checked_sub(1)?,
            ',' if !in_quote && depth == 0 => {
                arguments.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if in_quote || depth != 0 {
        return None;
    }
    arguments.push(current);
    Some(arguments)
}

/// An expression with whitespace outside quotes removed, lower-cased.
fn normalised(expression: &str) -> String {
    let mut out = String::new();
    let mut in_quote = false;
    for c in expression.trim().chars() {
        if c == '\'' {
            in_quote = !in_quote;
        }
        if in_quote || !c.is_whitespace() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_literal_ids_and_resource_id_calls() {
        let id = "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv-1";
        assert_eq!(
            ResourceReference::read(id),
            ResourceReference::Id {
                id: id.to_owned(),
                resource_type: "microsoft.keyvault/vaults".to_owned(),
                name: "kv-1".to_owned(),
            }
        );
        assert_eq!(
            ResourceReference::read(
                "[resourceId('Microsoft.KeyVault/vaults', variables( 'keyVaultName' ))]"
            ),
            ResourceReference::Template {
                resource_type: "microsoft.keyvault/vaults".to_owned(),
                name: NameRef::Expression("variables('keyvaultname')".to_owned()),
            }
        );
        assert_eq!(
            ResourceReference::read(
                "[resourceId('Microsoft.ContainerRegistry/registries', 'acr''x')]"
            ),
            ResourceReference::Template {
                resource_type: "microsoft.containerregistry/registries".to_owned(),
                name: NameRef::Literal("acr'x".to_owned()),
            }
        );
    }

    #[test]
    fn anything_else_is_unresolvable() {
        for text in [
            "[parameters('keyVaultId')]",
            "[resourceId('other-rg', 'Microsoft.KeyVault/vaults', 'kv')]",
            "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]",
            "[resourceId('Microsoft.KeyVault/vaults', concat('kv-', 'x')]",
            "kv-1",
        ] {
            assert!(
                matches!(
                    ResourceReference::read(text),
                    ResourceReference::Unresolvable(_)
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn names_compare_as_literals_or_same_expressions() {
        let var = NameRef::of_resource_name("[variables('keyVaultName')]");
        assert!(var.same_as(&NameRef::Expression("variables('keyvaultname')".to_owned())));
        assert!(NameRef::of_resource_name("KV-1").same_as(&NameRef::Literal("kv-1".to_owned())));
        assert!(!var.same_as(&NameRef::Literal("kv-1".to_owned())));
        assert_eq!(
            NameRef::of_resource_name("['kv-1']"),
            NameRef::Literal("kv-1".to_owned())
        );
    }
}
