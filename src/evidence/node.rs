//! Reading a parsed JSON (or YAML) document while keeping track of where each
//! value is, as a JSON pointer, and matching keys case-insensitively the way
//! Azure's two output shapes need (`privateFQDN` vs `privateFqdn`).

use serde_json::Value;

use super::field::Field;

/// A value inside a document together with its JSON pointer (RFC 6901).
#[derive(Clone, Debug)]
pub struct Node<'a> {
    value: &'a Value,
    pointer: String,
}

impl<'a> Node<'a> {
    /// The document root (pointer `""`).
    pub fn root(value: &'a Value) -> Self {
        Node {
            value,
            pointer: String::new(),
        }
    }

    /// A value at a known pointer.
    pub fn at_pointer(value: &'a Value, pointer: impl Into<String>) -> Self {
        Node {
            value,
            pointer: pointer.into(),
        }
    }

    /// The JSON value.
    pub fn value(&self) -> &'a Value {
        self.value
    }

    /// The JSON pointer of this value.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The member `key`: an exact match first, then a case-insensitive one.
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        let object = self.value.as_object()?;
        let (name, value) = object
            .get_key_value(key)
            .or_else(|| object.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))?;
        Some(self.child(name, value))
    }

    /// Follows a dotted path of member names (`"networkProfile.outboundType"`).
    pub fn path(&self, path: &str) -> Option<Node<'a>> {
        path.split('.')
            .try_fold(self.clone(), |node, key| node.get(key))
    }

    /// The element `index` of an array.
    pub fn index(&self, index: usize) -> Option<Node<'a>> {
        let value = self.value.as_array()?.get(index)?;
        Some(Node {
            value,
            pointer: format!("{}/{}", self.pointer, index),
        })
    }

    /// The elements of an array (none for anything else).
    pub fn items(&self) -> impl Iterator<Item = Node<'a>> + '_ {
        self.value
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(move |(i, value)| Node {
                value,
                pointer: format!("{}/{}", self.pointer, i),
            })
    }

    /// The members of an object (none for anything else).
    pub fn entries(&self) -> impl Iterator<Item = (&'a str, Node<'a>)> + '_ {
        self.value
            .as_object()
            .into_iter()
            .flatten()
            .map(move |(k, v)| (k.as_str(), self.child(k, v)))
    }

    fn child(&self, key: &str, value: &'a Value) -> Node<'a> {
        let mut pointer = String::with_capacity(self.pointer.len() + key.len() + 1);
        pointer.push_str(&self.pointer);
        pointer.push('/');
        for c in key.chars() {
            match c {
                '~' => pointer.push_str("~0"),
                '/' => pointer.push_str("~1"),
                c => pointer.push(c),
            }
        }
        Node { value, pointer }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&'a str> {
        self.value.as_str()
    }

    /// True for an ARM template expression: a string in `[...]` that does not
    /// start with `[[` (ARM's escape for a literal bracket).
    pub fn is_expression(&self) -> bool {
        self.as_str().is_some_and(is_expression)
    }

    /// The field at `path` as a boolean; ARM's string booleans (`"true"`)
    /// count as booleans.
    pub fn bool_field(&self, path: &str) -> Field<bool> {
        self.field(path, |node| match node.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        })
    }

    /// The field at `path` as a string (numbers and booleans are rendered).
    pub fn string_field(&self, path: &str) -> Field<String> {
        self.field(path, |node| match node.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
    }

    /// The field at `path` as an integer (numeric strings count).
    pub fn int_field(&self, path: &str) -> Field<i64> {
        self.field(path, |node| match node.value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// The field at `path` as a list of strings; a single string counts as a
    /// one-element list.
    pub fn string_list_field(&self, path: &str) -> Field<Vec<String>> {
        self.field(path, |node| match node.value {
            Value::String(s) => Some(vec![s.clone()]),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>(),
            _ => None,
        })
    }

    /// Reads the field at `path` with `convert`, reporting a missing member,
    /// a `null` member along the path (the field or an object above it), an
    /// ARM expression anywhere along the path, or an unconvertible value.
    pub fn field<T>(&self, path: &str, convert: impl FnOnce(&Node<'a>) -> Option<T>) -> Field<T> {
        let mut node = self.clone();
        for key in path.split('.') {
            if node.is_expression() {
                return unresolved(&node);
            }
            match node.get(key) {
                Some(next) if next.value.is_null() => {
                    return Field::NotSet {
                        pointer: next.pointer,
                    };
                }
                Some(next) => node = next,
                // A string or a number where the path needs an object is
                // not an absent field: the input is wrong there.
                None if !node.value.is_object() => {
                    return Field::Invalid {
                        found: format!("{} where an object belongs", found(node.value)),
                        pointer: node.pointer,
                    };
                }
                None => return copy_loop(&node, key).unwrap_or(Field::Missing),
            }
        }
        if node.is_expression() {
            return unresolved(&node);
        }
        match convert(&node) {
            Some(value) => Field::Known {
                value,
                pointer: node.pointer,
            },
            None => Field::Invalid {
                found: found(node.value),
                pointer: node.pointer,
            },
        }
    }
}

/// In a template, a property that a `copy` loop of the object builds (ARM's
/// property iteration, `"copy": [{"name": "agentPoolProfiles", ...}]`) is
/// there at deployment, with values the template computes.
fn copy_loop<T>(object: &Node<'_>, key: &str) -> Option<Field<T>> {
    let loops = object.get("copy")?;
    let entry = loops.items().find(|entry| {
        entry
            .get("name")
            .and_then(|n| n.as_str())
            .is_some_and(|n| n.eq_ignore_ascii_case(key))
    })?;
    Some(Field::Unresolved {
        expression: format!("(the copy loop that builds {key})"),
        pointer: entry.pointer,
    })
}

/// A value as an input error names it: shortened, with its JSON type
/// (`"three pools" (a string)`).
pub fn found(value: &Value) -> String {
    format!("{} ({})", short(value), type_name(value))
}

/// The JSON type of a value, with an article: `a string`, `an array`...
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn unresolved<T>(node: &Node<'_>) -> Field<T> {
    Field::Unresolved {
        // Shown in reasons: one long expression is not copied whole into
        // every field that lies below it.
        expression: super::cap::capped(node.as_str().unwrap_or_default()).into_owned(),
        pointer: node.pointer.clone(),
    }
}

/// The deepest nesting of calls and brackets an ARM template expression may
/// have; deeper ones are refused as input errors. Real templates nest a few
/// levels (`[concat(parameters('a'), '-', uniqueString(resourceGroup().id))]`).
pub const MAX_EXPRESSION_DEPTH: usize = 64;

/// The first ARM expression in `root` (any string value in `[...]`) that nests
/// deeper than [`MAX_EXPRESSION_DEPTH`]: its pointer and depth. Depth is
/// counted over `(` and `[` outside quoted literals, without recursion.
pub fn too_deep_expression(root: &Value) -> Option<(String, usize)> {
    let mut stack = vec![Node::root(root)];
    while let Some(node) = stack.pop() {
        match node.value {
            Value::String(s) if is_expression(s) => {
                let depth = expression_depth(s);
                if depth > MAX_EXPRESSION_DEPTH {
                    return Some((node.pointer, depth));
                }
            }
            Value::Array(_) => stack.extend(node.items().collect::<Vec<_>>()),
            Value::Object(_) => stack.extend(node.entries().map(|(_, n)| n).collect::<Vec<_>>()),
            _ => {}
        }
    }
    None
}

/// How deep `(` and `[` nest in an expression, outside quoted literals.
fn expression_depth(expression: &str) -> usize {
    let (mut depth, mut deepest, mut quoted) = (0usize, 0usize, false);
    for b in expression.bytes() {
        match b {
            b'\'' => quoted = !quoted,
            b'(' | b'[' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// True for an ARM template expression string (see [`Node::is_expression`]).
pub fn is_expression(s: &str) -> bool {
    let s = s.trim();
    s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[")
}

/// A value rendered for an error message, cut to a readable length. Only
/// the beginning of a large value is rendered: a 32 MB string or a deep
/// object costs no more than a short one.
pub fn short(value: &Value) -> String {
    const SHOWN: usize = 80;
    let mut head = Bounded {
        bytes: Vec::new(),
        limit: SHOWN * 4 + 4,
    };
    // Serialisation stops with an error once the limit is reached.
    let _ = serde_json::to_writer(&mut head, value);
    let text = String::from_utf8_lossy(&head.bytes);
    if text.chars().count() > SHOWN {
        let cut: String = text.chars().take(SHOWN - 3).collect();
        format!("{cut}...")
    } else {
        text.into_owned()
    }
}

/// A writer that keeps at most `limit` bytes and then refuses more.
struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = self.limit.saturating_sub(self.bytes.len());
        if room == 0 {
            return Err(std::io::Error::other("long enough"));
        }
        let n = room.min(buf.len());
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_match_case_insensitively_with_pointers() {
        let doc = json!({"properties": {"apiServerAccessProfile": {"enablePrivateCluster": "true", "privateDNSZone": "system"}}});
        let root = Node::root(&doc);
        let props = root.get("Properties").unwrap();
        assert_eq!(
            props.bool_field("apiserveraccessprofile.enablePrivateCluster"),
            Field::known(
                true,
                "/properties/apiServerAccessProfile/enablePrivateCluster"
            )
        );
        assert_eq!(
            props
                .string_field("apiServerAccessProfile.privateDnsZone")
                .value()
                .map(String::as_str),
            Some("system")
        );
        assert_eq!(
            props.bool_field("apiServerAccessProfile.nope"),
            Field::Missing
        );
    }

    #[test]
    fn expressions_are_unresolved_not_guessed() {
        let doc =
            json!({"a": {"b": "[parameters('x')]"}, "c": "[variables('v')]", "d": "[[literal]"});
        let root = Node::root(&doc);
        assert!(matches!(root.bool_field("a.b"), Field::Unresolved { .. }));
        assert!(matches!(
            root.bool_field("c.deeper"),
            Field::Unresolved { .. }
        ));
        assert!(matches!(root.string_field("d"), Field::Known { .. }));
    }

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        let doc = json!({"a/b": {"c~d": [1, 2]}});
        let root = Node::root(&doc);
        let node = root
            .get("a/b")
            .unwrap()
            .get("c~d")
            .unwrap()
            .index(1)
            .unwrap();
        assert_eq!(node.pointer(), "/a~1b/c~0d/1");
        assert_eq!(doc.pointer(node.pointer()), Some(&json!(2)));
    }

    #[test]
    fn a_null_on_the_path_is_not_set_and_points_at_the_null() {
        let doc = json!({"a": null, "b": {"c": null}, "d": {}});
        let root = Node::root(&doc);
        let not_set = |pointer: &str| Field::<bool>::NotSet {
            pointer: pointer.into(),
        };
        assert_eq!(root.bool_field("a.enabled"), not_set("/a"));
        assert_eq!(root.bool_field("b.c"), not_set("/b/c"));
        assert_eq!(root.bool_field("b.c.deeper"), not_set("/b/c"));
        assert_eq!(root.bool_field("d.c"), Field::Missing);
        assert_eq!(root.bool_field("e"), Field::Missing);
    }

    #[test]
    fn properties_built_by_a_copy_loop_are_unresolved_not_missing() {
        let doc = json!({"copy": [{"name": "agentPoolProfiles", "count": 2, "input": {}}]});
        let field = Node::root(&doc).string_field("agentPoolProfiles");
        assert!(matches!(field, Field::Unresolved { ref pointer, .. } if pointer == "/copy/0"));
        assert_eq!(Node::root(&doc).string_field("other"), Field::Missing);
    }

    #[test]
    fn wrong_types_are_invalid() {
        let doc = json!({"n": {"x": 1}});
        assert!(matches!(
            Node::root(&doc).bool_field("n"),
            Field::Invalid { .. }
        ));
    }
}
