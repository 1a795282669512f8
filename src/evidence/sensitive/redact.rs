//! Redacted copies: every finding replaced by a marker naming its kind, the
//! document still valid JSON or YAML.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{SensitiveFinding, SensitiveKind, Shape, scan_text};

/// A redacted copy of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The new bytes (UTF-8).
    pub bytes: Vec<u8>,
    /// The findings replaced (masked; none holds a value).
    pub replaced: Vec<SensitiveFinding>,
}

/// Writes a copy of `bytes` with every finding replaced by its kind's
/// marker. JSON is written again (pretty-printed), YAML too (comments are
/// lost), other text keeps everything but the findings. Fails if the file
/// cannot be read back as it was, or if anything is found in the copy.
pub fn redact(bytes: &[u8]) -> Result<Redacted, String> {
    let (text, _) =
        crate::evidence::text::decode(bytes).map_err(|e| format!("cannot be redacted: {e}"))?;
    let (shape, findings) = scan_text(&text);
    let open: Vec<SensitiveFinding> = findings.into_iter().filter(|f| !f.redacted).collect();
    if open.is_empty() {
        return Ok(Redacted {
            bytes: bytes.to_vec(),
            replaced: Vec::new(),
        });
    }
    let out = match shape {
        Shape::Json => redact_json(&text, &open)?,
        Shape::Yaml => redact_yaml(&text, &open)?,
        Shape::Text => splice(&text, open.iter().map(|f| (f.span, f.kind)))?,
        Shape::Binary => return Err("a binary document cannot be redacted; purge it".into()),
    };
    let (_, left) = scan_text(&out);
    let left = left.iter().filter(|f| !f.redacted).count();
    if left > 0 {
        return Err(format!(
            "{left} finding(s) are still there after redaction; purge the file instead"
        ));
    }
    Ok(Redacted {
        bytes: out.into_bytes(),
        replaced: open,
    })
}

fn redact_json(text: &str, findings: &[SensitiveFinding]) -> Result<String, String> {
    let mut root: Value =
        serde_json::from_str(text).map_err(|e| format!("cannot be read for redaction: {e}"))?;
    apply(&mut root, findings.iter().collect())?;
    serde_json::to_string_pretty(&root).map_err(|e| e.to_string())
}

fn redact_yaml(text: &str, findings: &[SensitiveFinding]) -> Result<String, String> {
    let mut documents = Vec::new();
    for document in serde_yaml_ng::Deserializer::from_str(text) {
        documents.push(
            Value::deserialize(document)
                .map_err(|e| format!("cannot be read for redaction: {e}"))?,
        );
    }
    let several = documents.len() > 1;
    let mut by_document: BTreeMap<usize, Vec<&SensitiveFinding>> = BTreeMap::new();
    for f in findings {
        let index = if several {
            f.location
                .strip_prefix("doc ")
                .and_then(|rest| rest.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(1))
                .ok_or_else(|| format!("no document for {}", f.location))?
        } else {
            0
        };
        by_document.entry(index).or_default().push(f);
    }
    for (index, found) in by_document {
        let document = documents
            .get_mut(index)
            .ok_or_else(|| format!("no document {}", index + 1))?;
        let found = found
            .into_iter()
            .map(|f| {
                let mut f = f.clone();
                if several && let Some((_, pointer)) = f.location.split_once(' ') {
                    f.location = pointer
                        .split_once(' ')
                        .map_or(pointer, |(_, p)| p)
                        .to_owned();
                }
                f
            })
            .collect::<Vec<_>>();
        apply(document, found.iter().collect())?;
    }
    let mut out = String::new();
    for (i, document) in documents.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&serde_yaml_ng::to_string(document).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// Applies findings to a document, grouped by the value they are in.
fn apply(root: &mut Value, findings: Vec<&SensitiveFinding>) -> Result<(), String> {
    let mut by_place: BTreeMap<(String, Option<String>), Vec<&SensitiveFinding>> = BTreeMap::new();
    for f in findings {
        by_place
            .entry((f.location.clone(), f.inner.clone()))
            .or_default()
            .push(f);
    }
    for ((location, inner), found) in by_place {
        let target = value_at(root, &location)?;
        match inner {
            None => replace(target, &found)?,
            Some(inner) => {
                let Value::String(embedded) = target else {
                    return Err(format!("{location} is not a string"));
                };
                let mut document: Value =
                    serde_json::from_str(embedded).map_err(|e| format!("{location}: {e}"))?;
                replace(value_at(&mut document, &inner)?, &found)?;
                *embedded = serde_json::to_string(&document).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

fn value_at<'v>(root: &'v mut Value, pointer: &str) -> Result<&'v mut Value, String> {
    let pointer = if pointer == "/" { "" } else { pointer };
    root.pointer_mut(pointer)
        .ok_or_else(|| format!("nothing at {pointer}"))
}

/// Replaces the findings in one value: their spans, or the whole value.
fn replace(value: &mut Value, found: &[&SensitiveFinding]) -> Result<(), String> {
    let whole = found.iter().find(|f| f.span.is_none());
    match (value, whole) {
        (value, Some(f)) => *value = Value::String(f.kind.marker()),
        (Value::String(text), None) => {
            *text = splice(text, found.iter().map(|f| (f.span, f.kind)))?;
        }
        (value @ Value::Number(_), None) => {
            let kind = found.first().map_or(SensitiveKind::CardNumber, |f| f.kind);
            *value = Value::String(kind.marker());
        }
        (_, None) => return Err("a finding in a value that is not text".into()),
    }
    Ok(())
}

/// `text` with each span replaced by its kind's marker.
fn splice(
    text: &str,
    spans: impl Iterator<Item = (Option<(usize, usize)>, SensitiveKind)>,
) -> Result<String, String> {
    let mut spans: Vec<((usize, usize), SensitiveKind)> = spans
        .map(|(span, kind)| span.map(|s| (s, kind)).ok_or("a finding without a place"))
        .collect::<Result<_, _>>()?;
    spans.sort_by_key(|((start, _), _)| std::cmp::Reverse(*start));
    let mut out = text.to_owned();
    let mut limit = usize::MAX;
    for ((start, end), kind) in spans {
        if end > limit || !out.is_char_boundary(start) || !out.is_char_boundary(end) {
            return Err("overlapping findings".into());
        }
        out.replace_range(start..end, &kind.marker());
        limit = start;
    }
    Ok(out)
}
