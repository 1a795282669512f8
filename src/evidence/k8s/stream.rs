//! The fast path for large `kubectl get ... -o json` lists: the text is read
//! once, straight into typed objects, with no JSON tree in between.
//!
//! It takes a file by its content only: a top-level object whose members
//! before and after `items` are `apiVersion`, `kind` and `metadata`, whose
//! `kind` ends in `List`. Anything else is left to the general JSON path, as
//! is a file whose items turn out to be of no kind Tickmark reads (a
//! scanner's custom resources), so that the scanner importers can see it.

use std::cell::Cell;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::K8sEvidence;
use super::collect::{Collector, item_kind_of};
use super::raw::{ObjectSeed, RawObject};
use crate::evidence::{ImportContext, ImportError, ImportErrorKind, Recognised, text};

/// The format name used in errors.
const FORMAT: &str = "kubectl JSON list";

/// Reads `text` if it is a kubectl list. `None` if it is not one (or is one
/// of kinds Tickmark does not read).
pub(super) fn read(
    ctx: ImportContext<'_>,
    text: &str,
) -> Option<Result<(K8sEvidence, Recognised), ImportError>> {
    if text::first_significant_char(text) != Some('{') {
        return None;
    }
    let progress = Progress::default();
    let mut collector = Collector::new(ctx);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let visited = deserializer.deserialize_map(ListVisitor {
        collector: &mut collector,
        progress: &progress,
    });
    let result = visited.and_then(|()| deserializer.end());
    if let Err(e) = result {
        return failure(ctx, &progress, collector.read_count(), &e);
    }
    if collector.read_count() == 0 && collector.skipped_count() > 0 {
        return None;
    }
    Some(Ok(collector.finish()))
}

/// What the visitors tell the caller besides the error itself.
#[derive(Default)]
struct Progress {
    /// The text is not a kubectl list: let the other importers try.
    not_a_list: Cell<bool>,
    /// The index of the item being read, while inside `items`.
    item: Cell<Option<usize>>,
    /// The current item stated its `kind` before any error.
    item_saw_kind: Cell<bool>,
}

fn failure(
    ctx: ImportContext<'_>,
    progress: &Progress,
    objects_read: usize,
    e: &serde_json::Error,
) -> Option<Result<(K8sEvidence, Recognised), ImportError>> {
    if progress.not_a_list.get() {
        return None;
    }
    // Only report the error as this format's when the file clearly is a
    // kubectl list: the failing item stated a kind, or earlier items were
    // objects Tickmark read. Otherwise the general JSON path names the
    // problem (it may be a plain syntax error in some other format).
    let clearly_kubectl = progress.item_saw_kind.get() || objects_read > 0;
    if !clearly_kubectl {
        return None;
    }
    let kind = match e.classify() {
        serde_json::error::Category::Data => ImportErrorKind::Invalid,
        _ => ImportErrorKind::Malformed,
    };
    let mut location = format!("line {}, column {}", e.line(), e.column());
    if let Some(index) = progress.item.get() {
        location.push_str(&format!(" (in /items/{index})"));
    }
    Some(Err(ctx
        .error(kind, crate::evidence::error::json_message(e))
        .tried(FORMAT)
        .at(location)))
}

/// The error that stops the parse when the text turns out not to be a list.
fn not_a_list<E: de::Error>(progress: &Progress) -> E {
    progress.not_a_list.set(true);
    E::custom("not a kubectl list")
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum ListKey {
    ApiVersion,
    Kind,
    Metadata,
    Items,
    #[serde(other)]
    Other,
}

struct ListVisitor<'c, 'a> {
    collector: &'c mut Collector<'a>,
    progress: &'c Progress,
}

impl<'de> Visitor<'de> for ListVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a kubectl list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let progress = self.progress;
        let mut api_version = None;
        let mut list_kind: Option<String> = None;
        let mut items_read = false;
        let mut pending: Vec<(usize, RawObject)> = Vec::new();
        while let Some(key) = map.next_key::<ListKey>()? {
            match key {
                ListKey::ApiVersion => {
                    let value: String = map.next_value().map_err(|_| not_a_list(progress))?;
                    api_version = Some(value);
                }
                ListKey::Kind => {
                    let value: String = map.next_value().map_err(|_| not_a_list(progress))?;
                    if !value.ends_with("List") {
                        return Err(not_a_list(progress));
                    }
                    list_kind = Some(value);
                }
                ListKey::Metadata => {
                    map.next_value::<IgnoredAny>()?;
                }
                ListKey::Items if !items_read && (api_version.is_some() || list_kind.is_some()) => {
                    map.next_value_seed(ItemsSeed {
                        collector: &mut *self.collector,
                        progress,
                        list_kind: list_kind.as_deref(),
                        pending: &mut pending,
                    })?;
                    items_read = true;
                }
                ListKey::Items | ListKey::Other => return Err(not_a_list(progress)),
            }
        }
        let Some(list_kind) = list_kind.filter(|_| items_read) else {
            return Err(not_a_list(progress));
        };
        // Items without their own kind, read before the list said its kind.
        let implied = item_kind_of(&list_kind);
        for (index, raw) in pending {
            self.collector.add(raw, format!("/items/{index}"), implied);
        }
        Ok(())
    }
}

struct ItemsSeed<'c, 'a, 'k> {
    collector: &'c mut Collector<'a>,
    progress: &'c Progress,
    list_kind: Option<&'k str>,
    pending: &'c mut Vec<(usize, RawObject)>,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of Kubernetes objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let progress = self.progress;
        let implied = self.list_kind.and_then(item_kind_of);
        let mut index = 0;
        loop {
            progress.item.set(Some(index));
            progress.item_saw_kind.set(false);
            let seed = ObjectSeed {
                saw_kind: Some(&progress.item_saw_kind),
            };
            let Some(raw) = seq.next_element_seed(seed)? else {
                break;
            };
            if raw.kind.is_none() && self.list_kind.is_none() {
                self.pending.push((index, raw));
            } else {
                self.collector.add(raw, format!("/items/{index}"), implied);
            }
            index += 1;
        }
        progress.item.set(None);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ImportContext<'static> {
        ImportContext::new("pods.json")
    }

    #[test]
    fn reads_a_kubectl_list_in_kubectl_order() {
        let text = r#"{"apiVersion":"v1","items":[
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"n"},
             "spec":{"containers":[{"name":"c","image":"x"}]}},
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"}}
        ],"kind":"List","metadata":{"resourceVersion":""}}"#;
        let (evidence, recognised) = read(ctx(), text).unwrap().unwrap();
        assert_eq!(evidence.workloads.len(), 1);
        assert_eq!(
            evidence.workloads[0].pod.containers[0].pointer,
            "/items/0/spec/containers/0"
        );
        assert!(recognised.notes.iter().any(|n| n.contains("ConfigMap")));
    }

    #[test]
    fn typed_lists_imply_the_item_kind_either_order() {
        let first = r#"{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[
            {"metadata":{"name":"a","namespace":"n"},"spec":{"containers":[]}}]}"#;
        let (evidence, _) = read(ctx(), first).unwrap().unwrap();
        assert_eq!(evidence.workloads.len(), 1);
        let last = r#"{"apiVersion":"v1","items":[
            {"metadata":{"name":"a","namespace":"n"},"spec":{"containers":[]}}],"kind":"PodList"}"#;
        let (evidence, _) = read(ctx(), last).unwrap().unwrap();
        assert_eq!(evidence.workloads[0].source.pointer, "/items/0");
    }

    #[test]
    fn other_json_is_left_alone() {
        assert!(read(ctx(), r#"{"value":[]}"#).is_none());
        assert!(read(ctx(), r#"[1,2]"#).is_none());
        assert!(read(ctx(), r#"{"apiVersion":"v1","kind":"Pod","metadata":{}}"#).is_none());
        assert!(read(ctx(), r#"{"apiVersion":"x","items":[],"extra":1}"#).is_none());
        let custom = r#"{"apiVersion":"v1","items":[{"apiVersion":"aquasecurity.github.io/v1alpha1",
            "kind":"VulnerabilityReport","metadata":{"name":"r"}}],"kind":"List"}"#;
        assert!(read(ctx(), custom).is_none());
    }

    #[test]
    fn errors_in_items_name_line_column_and_item() {
        let text = "{\"apiVersion\":\"v1\",\"items\":[\n{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"},\n\"spec\":{\"hostNetwork\":\"yes\"}}],\"kind\":\"List\"}";
        let err = read(ctx(), text).unwrap().unwrap_err();
        assert_eq!(err.kind, ImportErrorKind::Invalid);
        assert_eq!(err.format_tried.as_deref(), Some(FORMAT));
        let location = err.location.unwrap();
        assert!(location.starts_with("line 3, column"), "{location}");
        assert!(location.ends_with("(in /items/0)"), "{location}");
        assert!(err.message.contains("expected a boolean"));
    }
}
