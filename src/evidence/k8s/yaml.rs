//! `kubectl get ... -o yaml` output and multi-document YAML streams.
//!
//! A YAML text counts as Kubernetes objects when it parses and a document
//! states `apiVersion` and `kind`. When the text plainly tries to be that (its
//! first line is `apiVersion:` or `kind:`), a syntax error or a field of the
//! wrong type is reported with its line and column; otherwise a text that does
//! not parse is left to be an attachment.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::K8sEvidence;
use super::collect::Collector;
use super::raw::{RawObject, visit_object};
use crate::evidence::{ImportContext, ImportError, ImportErrorKind, Recognised, text};

/// The format name used in errors.
const FORMAT: &str = "kubectl YAML";

/// How deep `[` and `{` may nest. Kubernetes objects nest a few dozen levels
/// at most; libyaml's work grows with the square of the depth, so a file of
/// 100,000 nested brackets would keep it busy for many seconds.
const MAX_FLOW_DEPTH: usize = 1000;

/// What a YAML text turned out to hold.
pub(super) enum YamlRead {
    /// Kubernetes objects Tickmark reads.
    Objects(K8sEvidence, Recognised),
    /// A single document that is a Kubernetes object of a kind Tickmark does
    /// not read (a scanner's custom resource, say), as a JSON tree for the
    /// other importers.
    OtherObject(serde_json::Value),
}

/// Reads `text` if it is YAML holding Kubernetes objects; `None` if not.
pub(super) fn read(ctx: ImportContext<'_>, text: &str) -> Option<Result<YamlRead, ImportError>> {
    if !(text.contains("apiVersion") && text.contains("kind")) {
        return None;
    }
    let tried = starts_like_kubernetes(text);
    if let Some(offset) = flow_nesting_beyond(text, MAX_FLOW_DEPTH) {
        if !tried {
            return None;
        }
        let (line, column) = text::line_column(text, offset);
        return Some(Err(ImportError::syntax(
            ctx.path,
            FORMAT,
            line,
            column,
            format!(
                "brackets nested more than {MAX_FLOW_DEPTH} levels deep; no Kubernetes object is shaped like that"
            ),
        )));
    }
    let mut documents = Vec::new();
    for (index, document) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        match YamlDoc::deserialize(document) {
            Ok(doc) => documents.push(doc),
            Err(e) => {
                let earlier_objects = documents.iter().any(YamlDoc::is_kubernetes);
                if !(tried || earlier_objects) {
                    return None;
                }
                return Some(Err(yaml_error(ctx, &e, index + 1)));
            }
        }
    }
    if !documents.iter().any(YamlDoc::is_kubernetes) {
        return None;
    }
    Some(collect(ctx, text, documents))
}

fn collect(
    ctx: ImportContext<'_>,
    text: &str,
    documents: Vec<YamlDoc>,
) -> Result<YamlRead, ImportError> {
    let several = documents.len() > 1;
    let mut collector = Collector::new(ctx);
    let mut single_other = None;
    let non_empty = documents
        .iter()
        .filter(|d| !matches!(d, YamlDoc::Empty))
        .count();
    for (index, doc) in documents.into_iter().enumerate() {
        let number = index + 1;
        let base = if several {
            format!("doc {number} ")
        } else {
            String::new()
        };
        match doc {
            YamlDoc::Empty => {}
            YamlDoc::Other => collector.note(format!(
                "document {number} is not a Kubernetes object; skipped"
            )),
            YamlDoc::Object(raw) if raw.is_kubernetes() || raw.is_list() => {
                if non_empty == 1 && !raw.is_list() {
                    single_other = Some(index);
                }
                collector.add_document(*raw, &base);
            }
            YamlDoc::Object(_) => collector.note(format!(
                "document {number} has no apiVersion and kind; skipped"
            )),
        }
    }
    if collector.read_count() == 0
        && collector.skipped_count() > 0
        && let Some(index) = single_other
    {
        return document_as_json(ctx, text, index).map(YamlRead::OtherObject);
    }
    let (evidence, recognised) = collector.finish();
    Ok(YamlRead::Objects(evidence, recognised))
}

/// Document `index` (0-based) of `text` as a JSON tree.
fn document_as_json(
    ctx: ImportContext<'_>,
    text: &str,
    index: usize,
) -> Result<serde_json::Value, ImportError> {
    let document = serde_yaml_ng::Deserializer::from_str(text).nth(index);
    let Some(document) = document else {
        return Err(ctx.error(
            ImportErrorKind::Malformed,
            "the YAML document vanished on re-reading",
        ));
    };
    serde_json::Value::deserialize(document).map_err(|e| yaml_error(ctx, &e, index + 1))
}

/// True if the first line that is not blank, a comment, a directive or a
/// document marker starts with `apiVersion:` or `kind:`.
fn starts_like_kubernetes(text: &str) -> bool {
    text.lines()
        .map(str::trim_end)
        .find(|line| {
            !(line.trim().is_empty()
                || line.trim_start().starts_with('#')
                || line.starts_with('%')
                || *line == "---"
                || *line == "...")
        })
        .is_some_and(|line| line.starts_with("apiVersion:") || line.starts_with("kind:"))
}

/// The byte offset of the first `[` or `{` nested deeper than `limit`, not
/// counting those in comments or quoted strings. Brackets inside plain
/// scalars (`a[0]`) may be counted; that only makes the guard stricter for
/// text far from any Kubernetes object.
fn flow_nesting_beyond(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    // Counting is several times faster than the scan, and kubectl's block
    // style output has few brackets: most files need no scan at all.
    if bytes.iter().filter(|&&b| b == b'[' || b == b'{').count() <= limit {
        return None;
    }
    let mut depth = 0usize;
    let mut i = 0;
    let mut previous = b'\n';
    while i < bytes.len() {
        let b = bytes[i];
        let token_start = matches!(previous, b'\n' | b' ' | b'\t' | b'[' | b'{' | b',' | b':');
        match b {
            b'#' if matches!(previous, b'\n' | b' ' | b'\t') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' if token_start => {
                i = end_of_quoted(bytes, i);
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = bytes.get(i).copied().unwrap_or(b'\n');
        i += 1;
    }
    None
}

/// The offset of the quote that closes the string opening at `start` (or
/// the end of the text). Double quotes escape with `\`, single quotes by
/// doubling.
fn end_of_quoted(bytes: &[u8], start: usize) -> usize {
    let Some(&quote) = bytes.get(start) else {
        return bytes.len();
    };
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 1,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == quote => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn yaml_error(ctx: ImportContext<'_>, e: &serde_yaml_ng::Error, document: usize) -> ImportError {
    let message = e.to_string();
    let kind = if [
        "invalid type",
        "invalid value",
        "invalid length",
        "unknown variant",
    ]
    .iter()
    .any(|m| message.contains(m))
    {
        ImportErrorKind::Invalid
    } else {
        ImportErrorKind::Malformed
    };
    let mut error = ctx.error(kind, message.clone()).tried(FORMAT);
    if let Some(location) = e.location() {
        error.message =
            crate::evidence::error::without_position(&message, location.line(), location.column());
        error = error.at(format!(
            "line {}, column {} (document {document})",
            location.line(),
            location.column()
        ));
    } else {
        error = error.at(format!("document {document}"));
    }
    error
}

/// One document of a YAML stream.
enum YamlDoc {
    /// Nothing (a trailing `---`).
    Empty,
    /// A mapping.
    Object(Box<RawObject>),
    /// A scalar or a sequence.
    Other,
}

impl YamlDoc {
    fn is_kubernetes(&self) -> bool {
        matches!(self, YamlDoc::Object(raw) if raw.is_kubernetes() || raw.is_list())
    }
}

impl<'de> Deserialize<'de> for YamlDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<YamlDoc, D::Error> {
        deserializer.deserialize_any(DocVisitor)
    }
}

struct DocVisitor;

impl<'de> Visitor<'de> for DocVisitor {
    type Value = YamlDoc;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML document")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<YamlDoc, A::Error> {
        visit_object(map, None).map(|raw| YamlDoc::Object(Box::new(raw)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YamlDoc, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(YamlDoc::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<YamlDoc, E> {
        Ok(YamlDoc::Empty)
    }

    fn visit_none<E: de::Error>(self) -> Result<YamlDoc, E> {
        Ok(YamlDoc::Empty)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<YamlDoc, E> {
        Ok(YamlDoc::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<YamlDoc, E> {
        Ok(YamlDoc::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<YamlDoc, E> {
        Ok(YamlDoc::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<YamlDoc, E> {
        Ok(YamlDoc::Other)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<YamlDoc, E> {
        Ok(YamlDoc::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ImportContext<'static> {
        ImportContext::new("x.yaml")
    }

    fn objects(text: &str) -> (K8sEvidence, Recognised) {
        match read(ctx(), text).unwrap().unwrap() {
            YamlRead::Objects(evidence, recognised) => (evidence, recognised),
            YamlRead::OtherObject(_) => panic!("expected objects"),
        }
    }

    #[test]
    fn streams_prefix_pointers_with_the_document() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: b}\n";
        let (evidence, _) = objects(text);
        let pointers: Vec<&str> = evidence
            .namespaces
            .iter()
            .map(|n| n.source.pointer.as_str())
            .collect();
        assert_eq!(pointers, ["doc 1", "doc 2 /items/0"]);
    }

    #[test]
    fn other_yaml_is_not_kubernetes() {
        assert!(read(ctx(), "name: x\nsteps: [a, b]\n").is_none());
        assert!(read(ctx(), "apiVersion: v2\nname: chart\nkind_of: thing\n").is_none());
        assert!(
            read(
                ctx(),
                "# Notes\n\nSome text: about kind and apiVersion\n```\n"
            )
            .is_none()
        );
    }

    #[test]
    fn broken_kubernetes_yaml_names_line_and_column() {
        let err = read(ctx(), "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n")
            .unwrap()
            .err()
            .unwrap();
        assert_eq!(err.kind, ImportErrorKind::Malformed);
        assert!(
            err.location.as_deref().unwrap().starts_with("line 4"),
            "{err}"
        );
        let err = read(
            ctx(),
            "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  hostPID: maybe\n",
        )
        .unwrap()
        .err()
        .unwrap();
        assert_eq!(err.kind, ImportErrorKind::Invalid);
        assert!(err.message.contains("spec.hostPID"), "{err}");
    }

    #[test]
    fn deep_brackets_are_refused_before_parsing() {
        let deep = "[".repeat(2000) + &"]".repeat(2000);
        let text = format!("apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {deep}\n");
        let err = read(ctx(), &text).unwrap().err().unwrap();
        assert_eq!(err.location.as_deref(), Some("line 4, column 1011"));
        assert!(read(ctx(), &format!("data: {deep} # apiVersion kind\n")).is_none());
        let quoted = format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  annotations: {{note: '{}', other: \"{}\"}}\n",
            "[".repeat(2000),
            "{".repeat(2000)
        );
        assert!(flow_nesting_beyond(&quoted, MAX_FLOW_DEPTH).is_none());
        assert!(read(ctx(), &quoted).unwrap().is_ok());
    }

    #[test]
    fn a_single_custom_resource_goes_to_the_other_importers() {
        let text = "apiVersion: aquasecurity.github.io/v1alpha1\nkind: ClusterComplianceReport\nmetadata:\n  name: cis\nspec: {}\n";
        assert!(matches!(
            read(ctx(), text).unwrap().unwrap(),
            YamlRead::OtherObject(_)
        ));
    }
}
