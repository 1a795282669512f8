//! A resource's values in `terraform show -json` output, read together with
//! the masks Terraform writes beside them: `after_unknown` (a plan's values
//! known only after apply, which are left out of `after`) and
//! `sensitive_values` / `after_sensitive`. A masked value becomes
//! [`Field::Withheld`] and is never judged.

use serde_json::Value;

use crate::evidence::Field;
use crate::evidence::node::{Node, short};

const UNKNOWN: &str = "is known only after apply (the plan cannot show it)";
const SENSITIVE: &str = "is marked sensitive in the Terraform output, so it is not judged";

/// Values with their masks.
#[derive(Clone, Debug)]
pub(super) struct Tf<'a> {
    node: Node<'a>,
    unknown: Option<&'a Value>,
    sensitive: Option<&'a Value>,
}

impl<'a> Tf<'a> {
    pub fn new(node: Node<'a>, unknown: Option<&'a Value>, sensitive: Option<&'a Value>) -> Self {
        Tf {
            node,
            unknown,
            sensitive,
        }
    }

    /// The JSON pointer of these values.
    pub fn pointer(&self) -> &str {
        self.node.pointer()
    }

    /// The values themselves.
    pub fn value(&self) -> &'a Value {
        self.node.value()
    }

    /// Why this value is withheld, if a mask says so.
    fn withheld(&self) -> Option<&'static str> {
        if self.unknown == Some(&Value::Bool(true)) {
            Some(UNKNOWN)
        } else if self.sensitive == Some(&Value::Bool(true)) {
            Some(SENSITIVE)
        } else {
            None
        }
    }

    /// The member `key`. Absent from the values but `true` in a mask: a
    /// withheld value, reported by [`Tf::field`].
    pub fn get(&self, key: &str) -> Option<Tf<'a>> {
        let node = self.node.get(key)?;
        Some(Tf {
            node,
            unknown: self.unknown.and_then(|m| m.get(key)),
            sensitive: self.sensitive.and_then(|m| m.get(key)),
        })
    }

    /// Element `index` of a list.
    pub fn index(&self, index: usize) -> Option<Tf<'a>> {
        let node = self.node.index(index)?;
        Some(Tf {
            node,
            unknown: self.unknown.and_then(|m| m.get(index)),
            sensitive: self.sensitive.and_then(|m| m.get(index)),
        })
    }

    /// The elements of a list (of nested blocks, say).
    pub fn items(&self) -> Vec<Tf<'a>> {
        (0..self.node.value().as_array().map_or(0, Vec::len))
            .filter_map(|i| self.index(i))
            .collect()
    }

    /// The part's `name`, or `<noun> at <pointer>` when it has none.
    pub fn name_or(&self, noun: &str) -> String {
        self.string("name")
            .value()
            .cloned()
            .unwrap_or_else(|| format!("{noun} at {}", self.pointer()))
    }

    /// The elements of the list `name` read with `read`, as a known list at
    /// the list's pointer; `None` when the list is not there.
    pub fn list_of<T>(&self, name: &str, read: impl Fn(&Tf<'a>) -> T) -> Option<Field<Vec<T>>> {
        let list = self.get(name)?;
        Some(Field::known(
            list.items().iter().map(read).collect(),
            list.pointer(),
        ))
    }

    /// The first element of the nested block `name` (Terraform writes
    /// blocks as lists), if the resource has one.
    pub fn block(&self, name: &str) -> Option<Tf<'a>> {
        self.get(name)?.index(0)
    }

    /// Whether the nested block `name` is there: `Known(true)` with one or
    /// more elements, `NotSet` when empty or null (Azure's default for the
    /// feature applies), withheld when masked.
    pub fn has_block(&self, name: &str) -> Field<bool> {
        let Some(list) = self.get(name) else {
            return self.missing(name);
        };
        if let Some(why) = list.withheld() {
            return Field::Withheld {
                why: why.to_owned(),
                pointer: list.pointer().to_owned(),
            };
        }
        match list.value() {
            Value::Array(items) if !items.is_empty() => Field::known(true, list.pointer()),
            Value::Array(_) | Value::Null => Field::NotSet {
                pointer: list.pointer().to_owned(),
            },
            other => Field::Invalid {
                found: short(other),
                pointer: list.pointer().to_owned(),
            },
        }
    }

    /// A member that is not there: withheld if a mask says its value is
    /// unknown or sensitive, else missing.
    fn missing<T>(&self, key: &str) -> Field<T> {
        let masked =
            |mask: Option<&Value>| mask.and_then(|m| m.get(key)) == Some(&Value::Bool(true));
        let why = if masked(self.unknown) || self.unknown == Some(&Value::Bool(true)) {
            UNKNOWN
        } else if masked(self.sensitive) {
            SENSITIVE
        } else {
            return Field::Missing;
        };
        Field::Withheld {
            why: why.to_owned(),
            pointer: format!("{}/{key}", self.pointer()),
        }
    }

    /// The value at `path` (dotted; numbers index lists) read with `convert`.
    pub fn field<T>(&self, path: &str, convert: impl FnOnce(&Value) -> Option<T>) -> Field<T> {
        let mut at = self.clone();
        for key in path.split('.') {
            if let Some(why) = at.withheld() {
                return Field::Withheld {
                    why: why.to_owned(),
                    pointer: at.pointer().to_owned(),
                };
            }
            let next = match key.parse::<usize>() {
                Ok(index) if at.value().is_array() => at.index(index),
                _ => at.get(key),
            };
            match next {
                Some(next) if next.value().is_null() && next.withheld().is_none() => {
                    return Field::NotSet {
                        pointer: next.pointer().to_owned(),
                    };
                }
                Some(next) => at = next,
                None if at.value().is_null() => {
                    return Field::NotSet {
                        pointer: at.pointer().to_owned(),
                    };
                }
                None => return at.missing(key),
            }
        }
        if let Some(why) = at.withheld() {
            return Field::Withheld {
                why: why.to_owned(),
                pointer: at.pointer().to_owned(),
            };
        }
        match convert(at.value()) {
            Some(value) => Field::known(value, at.pointer()),
            None => Field::Invalid {
                found: short(at.value()),
                pointer: at.pointer().to_owned(),
            },
        }
    }

    pub fn bool(&self, path: &str) -> Field<bool> {
        self.field(path, Value::as_bool)
    }

    /// A string; Terraform writes an unset optional string as `""`, which
    /// counts as not set.
    pub fn string(&self, path: &str) -> Field<String> {
        match self.field(path, |v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }) {
            Field::Known { value, pointer } if value.is_empty() => Field::NotSet { pointer },
            other => other,
        }
    }

    pub fn int(&self, path: &str) -> Field<i64> {
        self.field(path, |v| match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// A list (or set) of strings.
    pub fn strings(&self, path: &str) -> Field<Vec<String>> {
        self.field(path, |v| {
            v.as_array()?
                .iter()
                .map(|s| match s {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
    }

    /// A map of strings (`node_labels`, `tags`).
    pub fn string_map(&self, path: &str) -> Field<std::collections::BTreeMap<String, String>> {
        self.field(path, |v| {
            Some(
                v.as_object()?
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect(),
            )
        })
    }

    /// A string the value of which is set in one of two attribute names (the
    /// azurerm provider renamed many between major versions); the first that
    /// is present wins.
    pub fn string_either(&self, current: &str, older: &str) -> Field<String> {
        match self.string(current) {
            Field::Missing => self.string(older),
            found => found,
        }
    }

    /// [`Tf::string_either`] for booleans.
    pub fn bool_either(&self, current: &str, older: &str) -> Field<bool> {
        match self.bool(current) {
            Field::Missing => self.bool(older),
            found => found,
        }
    }

    /// One or many: `x` and `xs` (Terraform's `source_address_prefix` and
    /// `source_address_prefixes`) together, empty values left out.
    pub fn one_and_many(&self, one: &str, many: &str) -> Field<Vec<String>> {
        let single = self.string(one);
        let list = self.strings(many);
        if let Field::Withheld { why, pointer } = &single {
            return Field::Withheld {
                why: why.clone(),
                pointer: pointer.clone(),
            };
        }
        if let Field::Withheld { why, pointer } = &list {
            return Field::Withheld {
                why: why.clone(),
                pointer: pointer.clone(),
            };
        }
        let mut values: Vec<String> = single.value().cloned().into_iter().collect();
        values.extend(
            list.value()
                .into_iter()
                .flatten()
                .filter(|v| !v.is_empty())
                .cloned(),
        );
        if values.is_empty() {
            return match (single, list) {
                (Field::Missing, Field::Missing) => Field::Missing,
                (_, list) if list.pointer().is_some() => Field::NotSet {
                    pointer: list.pointer().unwrap_or_default().to_owned(),
                },
                (single, _) => Field::NotSet {
                    pointer: single.pointer().unwrap_or_default().to_owned(),
                },
            };
        }
        let pointer = single
            .value()
            .and(single.pointer())
            .or(list.pointer())
            .unwrap_or_default()
            .to_owned();
        Field::known(values, pointer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_withhold_values_and_nulls_are_not_set() {
        let after =
            json!({"a": {"b": "x"}, "pool": [{"n": 1}], "s": "secret", "empty": "", "none": null});
        let unknown = json!({"id": true, "pool": [{"subnet": true}]});
        let sensitive = json!({"s": true});
        let tf = Tf::new(
            Node::at_pointer(&after, "/change/after"),
            Some(&unknown),
            Some(&sensitive),
        );
        assert_eq!(
            tf.string("a.b"),
            Field::known("x".to_owned(), "/change/after/a/b")
        );
        assert!(
            matches!(tf.string("id"), Field::Withheld { ref why, ref pointer } if why.contains("after apply") && pointer == "/change/after/id")
        );
        assert!(matches!(tf.string("pool.0.subnet"), Field::Withheld { .. }));
        assert_eq!(
            tf.int("pool.0.n"),
            Field::known(1, "/change/after/pool/0/n")
        );
        assert!(
            matches!(tf.string("s"), Field::Withheld { ref why, .. } if why.contains("sensitive"))
        );
        assert!(matches!(tf.string("empty"), Field::NotSet { .. }));
        assert!(matches!(tf.string("none"), Field::NotSet { .. }));
        assert_eq!(tf.string("other"), Field::Missing);
        assert_eq!(
            tf.has_block("pool"),
            Field::known(true, "/change/after/pool")
        );
    }

    #[test]
    fn one_and_many_combine() {
        let values = json!({"p": "", "ps": ["10.0.0.0/8", "Internet"], "q": "*", "qs": []});
        let tf = Tf::new(Node::root(&values), None, None);
        assert_eq!(
            tf.one_and_many("p", "ps").value().unwrap(),
            &vec!["10.0.0.0/8".to_owned(), "Internet".to_owned()]
        );
        assert_eq!(
            tf.one_and_many("q", "qs"),
            Field::known(vec!["*".to_owned()], "/q")
        );
        assert_eq!(tf.one_and_many("x", "xs"), Field::Missing);
    }
}
