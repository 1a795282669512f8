//! Helpers for reading a detected scanner document strictly: a member of the
//! wrong type or a missing required member is an [`ImportError`] that names
//! the file, the format and the JSON pointer.

use serde_json::Value;

use crate::evidence::node::{Node, short};
use crate::evidence::{EvidenceRef, ImportContext, ImportError, ImportErrorKind};

/// A document being read as one format.
#[derive(Debug, Clone, Copy)]
pub(super) struct Doc<'a> {
    /// The file.
    pub ctx: ImportContext<'a>,
    /// The format's name in errors, e.g. `Trivy JSON`.
    pub format: &'static str,
}

impl<'a> Doc<'a> {
    /// A document of `format` in the file of `ctx`.
    pub fn new(ctx: ImportContext<'a>, format: &'static str) -> Self {
        Doc { ctx, format }
    }

    /// An error at `pointer`.
    pub fn invalid(&self, pointer: &str, message: impl Into<String>) -> ImportError {
        ImportError::invalid(self.ctx.path, self.format, pointer, message)
    }

    /// An error at a position that is not a JSON pointer (`line 3`, `row 7`).
    pub fn invalid_at(&self, location: &str, message: impl Into<String>) -> ImportError {
        self.ctx
            .error(ImportErrorKind::Invalid, message)
            .tried(self.format)
            .at(location)
    }

    /// Evidence pointing at `node`.
    pub fn at(&self, node: &Node<'_>, resource: Option<String>) -> EvidenceRef {
        self.ctx.at(node.pointer(), resource)
    }

    /// Fails unless `node` is an object.
    pub fn object(&self, node: &Node<'_>, what: &str) -> Result<(), ImportError> {
        if node.value().is_object() {
            Ok(())
        } else {
            Err(self.invalid(
                node.pointer(),
                format!("{what} should be an object, found {}", short(node.value())),
            ))
        }
    }

    /// The required string member `key` of `node`.
    pub fn str<'n>(&self, node: &Node<'n>, key: &str) -> Result<&'n str, ImportError> {
        self.opt_str(node, key)?
            .ok_or_else(|| self.missing(node, key))
    }

    /// The string member `key` of `node`; `None` when missing or null.
    pub fn opt_str<'n>(&self, node: &Node<'n>, key: &str) -> Result<Option<&'n str>, ImportError> {
        match node.get(key) {
            None => Ok(None),
            Some(child) => match child.value() {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s.as_str())),
                other => Err(self.wrong_type(&child, key, "a string", other)),
            },
        }
    }

    /// The boolean member `key`; `None` when missing or null. The strings
    /// `"true"`/`"false"` count (CSV-minded tools write them).
    pub fn opt_bool(&self, node: &Node<'_>, key: &str) -> Result<Option<bool>, ImportError> {
        match node.get(key) {
            None => Ok(None),
            Some(child) => match child.value() {
                Value::Null => Ok(None),
                Value::Bool(b) => Ok(Some(*b)),
                Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
                Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
                other => Err(self.wrong_type(&child, key, "true or false", other)),
            },
        }
    }

    /// The unsigned integer member `key`; `None` when missing or null.
    pub fn opt_u64(&self, node: &Node<'_>, key: &str) -> Result<Option<u64>, ImportError> {
        match node.get(key) {
            None => Ok(None),
            Some(child) => match child.value() {
                Value::Null => Ok(None),
                Value::Number(n) if n.as_u64().is_some() => Ok(n.as_u64()),
                other => Err(self.wrong_type(&child, key, "a whole number", other)),
            },
        }
    }

    /// The required array member `key`.
    pub fn array<'n>(&self, node: &Node<'n>, key: &str) -> Result<Node<'n>, ImportError> {
        self.opt_array(node, key)?
            .ok_or_else(|| self.missing(node, key))
    }

    /// The array member `key`; `None` when missing or null.
    pub fn opt_array<'n>(
        &self,
        node: &Node<'n>,
        key: &str,
    ) -> Result<Option<Node<'n>>, ImportError> {
        match node.get(key) {
            None => Ok(None),
            Some(child) => match child.value() {
                Value::Null => Ok(None),
                Value::Array(_) => Ok(Some(child)),
                other => Err(self.wrong_type(&child, key, "an array", other)),
            },
        }
    }

    /// The required object member `key`.
    pub fn object_member<'n>(&self, node: &Node<'n>, key: &str) -> Result<Node<'n>, ImportError> {
        self.opt_object(node, key)?
            .ok_or_else(|| self.missing(node, key))
    }

    /// The object member `key`; `None` when missing or null.
    pub fn opt_object<'n>(
        &self,
        node: &Node<'n>,
        key: &str,
    ) -> Result<Option<Node<'n>>, ImportError> {
        match node.get(key) {
            None => Ok(None),
            Some(child) => match child.value() {
                Value::Null => Ok(None),
                Value::Object(_) => Ok(Some(child)),
                other => Err(self.wrong_type(&child, key, "an object", other)),
            },
        }
    }

    /// The member `key` as a list of strings (a single string counts as
    /// one); empty when missing or null.
    pub fn string_list(&self, node: &Node<'_>, key: &str) -> Result<Vec<String>, ImportError> {
        let Some(child) = node.get(key) else {
            return Ok(Vec::new());
        };
        match child.value() {
            Value::Null => Ok(Vec::new()),
            Value::String(s) => Ok(vec![s.clone()]),
            Value::Array(_) => child
                .items()
                .map(|item| match item.value() {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.wrong_type(&item, key, "a string", other)),
                })
                .collect(),
            other => Err(self.wrong_type(&child, key, "a list of strings", other)),
        }
    }

    fn missing(&self, node: &Node<'_>, key: &str) -> ImportError {
        self.invalid(
            node.pointer(),
            format!("the required member `{key}` is missing"),
        )
    }

    fn wrong_type(
        &self,
        child: &Node<'_>,
        key: &str,
        expected: &str,
        found: &Value,
    ) -> ImportError {
        self.invalid(
            child.pointer(),
            format!("`{key}` should be {expected}, found {}", short(found)),
        )
    }
}

/// True if `value` is an object holding every one of `keys`, matched exactly
/// (detection must not be fooled by case-insensitive look-alikes).
pub(super) fn has_keys(value: &Value, keys: &[&str]) -> bool {
    value
        .as_object()
        .is_some_and(|map| keys.iter().all(|k| map.contains_key(*k)))
}

/// The first element of an array, if `value` is a non-empty array.
pub(super) fn first_item(value: &Value) -> Option<&Value> {
    value.as_array().and_then(|items| items.first())
}

/// `None` for empty strings and for placeholders such as `<prowler_version>`
/// that some published samples carry instead of a value.
pub(super) fn real_value(text: Option<&str>) -> Option<String> {
    let text = text?.trim();
    let placeholder = text.starts_with('<') && text.ends_with('>');
    (!text.is_empty() && !placeholder).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Doc<'static> {
        Doc::new(ImportContext::new("f.json"), "Test")
    }

    #[test]
    fn missing_and_wrong_types_name_the_pointer() {
        let value = json!({"a": [{"b": 1}]});
        let root = Node::root(&value);
        let item = doc().array(&root, "a").unwrap().index(0).unwrap();
        let err = doc().str(&item, "c").unwrap_err();
        assert_eq!(err.location.as_deref(), Some("/a/0"));
        assert!(err.message.contains("`c`"));
        let err = doc().str(&item, "b").unwrap_err();
        assert_eq!(err.location.as_deref(), Some("/a/0/b"));
        assert_eq!(err.format_tried.as_deref(), Some("Test"));
        assert!(err.to_string().starts_with("f.json (as Test) at /a/0/b"));
    }

    #[test]
    fn placeholders_are_not_values() {
        assert_eq!(real_value(Some("<prowler_version>")), None);
        assert_eq!(real_value(Some(" 5.4.0 ")).as_deref(), Some("5.4.0"));
        assert_eq!(real_value(Some("")), None);
    }
}
