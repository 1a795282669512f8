//! Walking a JSON or YAML document without building a tree: every string is
//! scanned where it is (its JSON pointer known), and each object is looked
//! at as a whole when it ends (an `env` entry's name and value, a Secret's
//! kind and data, an object's name for the findings inside it).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::rules::{Rules, whole};
use super::{SensitiveFinding, SensitiveKind, is_marker};
use crate::evidence::k8s::{ObjectKind, resource_label};

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Scans a JSON document; `None` if the text is not one JSON value.
pub(super) fn json(text: &str, rules: &Rules) -> Option<Vec<SensitiveFinding>> {
    let mut walker = Walker::new(rules);
    let mut de = serde_json::Deserializer::from_str(text);
    Node {
        walker: &mut walker,
        flat: false,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    Some(walker.findings)
}

/// Scans a YAML stream; `None` if it is not YAML holding maps or lists.
pub(super) fn yaml(text: &str, rules: &Rules) -> Option<Vec<SensitiveFinding>> {
    let mut walker = Walker::new(rules);
    let mut documents = 0;
    let mut structured = false;
    for (index, document) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let start = walker.findings.len();
        let seen = Node {
            walker: &mut walker,
            flat: false,
        }
        .deserialize(document)
        .ok()?;
        structured |= matches!(seen, Seen::Other);
        for f in &mut walker.findings[start..] {
            f.location = format!("doc {} {}", index + 1, f.location);
        }
        documents += 1;
    }
    if !structured {
        return None;
    }
    if documents == 1 {
        for f in &mut walker.findings {
            if let Some(rest) = f.location.strip_prefix("doc 1 ") {
                f.location = rest.to_owned();
            }
        }
    }
    Some(walker.findings)
}

struct Walker<'r> {
    rules: &'r Rules,
    path: Vec<String>,
    findings: Vec<SensitiveFinding>,
}

impl<'r> Walker<'r> {
    fn new(rules: &'r Rules) -> Self {
        Walker {
            rules,
            path: Vec::new(),
            findings: Vec::new(),
        }
    }

    fn pointer(&self) -> String {
        pointer_of(&self.path)
    }

    /// A string value at the current path.
    fn string(&mut self, value: &str) {
        if value.is_empty() || (is_marker(value) && !value.contains('{')) {
            return;
        }
        let key = self.path.last().map(String::as_str).unwrap_or("");
        let location = self.pointer();
        if key == LAST_APPLIED
            && self.path.len() >= 2
            && self.path[self.path.len() - 2] == "annotations"
            && let Some(inner) = json(value, self.rules)
        {
            for mut f in inner {
                if f.kind == SensitiveKind::SecretData {
                    f.kind = SensitiveKind::SecretInAnnotation;
                }
                f.inner = Some(std::mem::replace(&mut f.location, location.clone()));
                self.findings.push(f);
            }
            return;
        }
        if let Some(kind) = self.credential_key(key) {
            self.findings
                .push(whole(kind, &format!("kubeconfig-{key}"), &location, value));
            return;
        }
        self.findings.extend(self.rules.in_string(value, &location));
    }

    /// Keys whose value is a credential wherever it is: a kubeconfig user's
    /// `client-key-data`, `token` and `password`.
    fn credential_key(&self, key: &str) -> Option<SensitiveKind> {
        let under_user = self.path.iter().any(|p| p == "user" || p == "users");
        match key {
            "client-key-data" => Some(SensitiveKind::PrivateKey),
            "token" | "password" if under_user => Some(SensitiveKind::KubeconfigToken),
            _ => None,
        }
    }

    /// A large number: a card number written as a JSON number.
    fn number(&mut self, digits: &str) {
        if digits.len() >= 13 {
            let location = self.pointer();
            self.findings
                .extend(self.rules.in_string(digits, &location));
        }
    }

    /// An object ended: its string members, its `metadata` and `data`.
    fn object_end(&mut self, start: usize, object: Object) {
        self.env_entry(start, &object);
        self.secret_data(start, &object);
        let kind = object.get("kind");
        let name = object
            .metadata
            .iter()
            .find(|(k, _)| k == "name")
            .map(|(_, v)| v);
        if let (Some(kind), Some(name)) = (kind, name) {
            let namespace = object
                .metadata
                .iter()
                .find(|(k, _)| k == "namespace")
                .map(|(_, v)| v.as_str());
            let label = match ObjectKind::from_name(kind) {
                Some(known) => resource_label(namespace, known, name),
                None => match namespace {
                    Some(ns) => format!("{ns}/{kind}/{name}"),
                    None => format!("{kind}/{name}"),
                },
            };
            for f in &mut self.findings[start..] {
                if f.resource.is_none() {
                    f.resource = Some(label.clone());
                }
            }
        }
    }

    /// `{name, value}` in a container's `env` list, with a secret's name.
    fn env_entry(&mut self, start: usize, object: &Object) {
        let n = self.path.len();
        if n < 2 || self.path[n - 2] != "env" || self.path[n - 1].parse::<usize>().is_err() {
            return;
        }
        let (Some(name), Some(value)) = (object.get("name"), object.get("value")) else {
            return;
        };
        let mut path = self.path.clone();
        path.push("value".to_owned());
        let location = pointer_of(&path);
        let mut already = false;
        for f in &mut self.findings[start..] {
            if f.location == location && f.inner.is_none() {
                f.name.get_or_insert_with(|| name.to_owned());
                already = true;
            }
        }
        if already || !self.rules.is_secret_name(name) || !literal_secret(value) {
            return;
        }
        let mut f = whole(
            SensitiveKind::EnvSecret,
            "env-literal-secret",
            &location,
            value,
        );
        f.name = Some(name.to_owned());
        f.redacted = is_marker(value);
        self.findings.push(f);
    }

    /// The `data` and `stringData` of a `kind: Secret`.
    fn secret_data(&mut self, start: usize, object: &Object) {
        if object.get("kind") != Some("Secret") {
            return;
        }
        for (member, entries) in &object.data {
            for (key, value) in entries {
                if value.is_empty() {
                    continue;
                }
                let mut path = self.path.clone();
                path.push(member.clone());
                path.push(key.clone());
                let location = pointer_of(&path);
                let already = self.findings[start..]
                    .iter()
                    .any(|f| f.location == location && !f.redacted);
                if already {
                    continue;
                }
                let mut f = whole(
                    SensitiveKind::SecretData,
                    "k8s-secret-data",
                    &location,
                    value,
                );
                f.name = Some(key.clone());
                f.redacted = is_marker(value);
                self.findings.push(f);
            }
        }
    }
}

/// A value an `env` entry holds literally (not a `$(VAR)` reference, a
/// path, a flag or a placeholder).
fn literal_secret(value: &str) -> bool {
    let v = value.trim();
    v.chars().count() >= 4
        && !v.starts_with("$(")
        && !v.starts_with('/')
        && !matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "none" | "null"
        )
}

/// A JSON pointer for a path (empty for the whole document).
fn pointer_of(path: &[String]) -> String {
    path.iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// What one object held that its end needs.
#[derive(Default)]
struct Object {
    /// `name`, `value` and `kind` when they are strings.
    strings: Vec<(String, String)>,
    /// The string members of `metadata`.
    metadata: Vec<(String, String)>,
    /// The string members of `data` and `stringData`.
    data: Vec<(String, Vec<(String, String)>)>,
}

impl Object {
    fn get(&self, key: &str) -> Option<&str> {
        self.strings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// What a value was, as far as its parent needs to know.
enum Seen {
    Str(String),
    Flat(Vec<(String, String)>),
    Scalar,
    Other,
}

struct Node<'w, 'r> {
    walker: &'w mut Walker<'r>,
    /// Return the string members of this map (metadata, data).
    flat: bool,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = Seen;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Seen, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = Seen;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Seen, E> {
        self.walker.string(v);
        Ok(Seen::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Seen, E> {
        self.walker.string(&v);
        Ok(Seen::Str(v))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Seen, E> {
        Ok(Seen::Scalar)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Seen, E> {
        self.walker.number(&v.to_string());
        Ok(Seen::Scalar)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Seen, E> {
        self.walker.number(&v.to_string());
        Ok(Seen::Scalar)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Seen, E> {
        Ok(Seen::Scalar)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Seen, E> {
        Ok(Seen::Scalar)
    }

    fn visit_none<E: de::Error>(self) -> Result<Seen, E> {
        Ok(Seen::Scalar)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Seen, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seen, A::Error> {
        let mut index = 0usize;
        loop {
            self.walker.path.push(index.to_string());
            let next = seq.next_element_seed(Node {
                walker: &mut *self.walker,
                flat: false,
            });
            self.walker.path.pop();
            if next?.is_none() {
                break;
            }
            index += 1;
        }
        Ok(Seen::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Seen, A::Error> {
        let start = self.walker.findings.len();
        let mut object = Object::default();
        let mut flat = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let collect = matches!(key.as_str(), "metadata" | "data" | "stringData");
            self.walker.path.push(key.clone());
            let seen = map.next_value_seed(Node {
                walker: &mut *self.walker,
                flat: collect,
            });
            self.walker.path.pop();
            match seen? {
                Seen::Str(value) => {
                    if self.flat {
                        flat.push((key.clone(), value.clone()));
                    }
                    if matches!(key.as_str(), "name" | "value" | "kind") {
                        object.strings.push((key, value));
                    }
                }
                Seen::Flat(members) if key == "metadata" => object.metadata = members,
                Seen::Flat(members) => object.data.push((key, members)),
                Seen::Scalar | Seen::Other => {}
            }
        }
        self.walker.object_end(start, object);
        Ok(if self.flat {
            Seen::Flat(flat)
        } else {
            Seen::Other
        })
    }
}

/// A map key of any scalar type, as text (YAML allows numbers and booleans).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("null".to_owned())
    }
}
