//! Evidence snippets: the part of a stored evidence file that a check cites,
//! found by its pointer (a JSON pointer, `doc N /pointer` into a YAML stream,
//! `line N` or `row N`), formatted and highlighted.

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontId};
use serde_json::Value;

use crate::evidence::{jsonc, text};

/// Snippets longer than this many lines are cut.
pub const MAX_LINES: usize = 400;

/// Lines shown around a cited line of a line-based file.
const CONTEXT_LINES: usize = 2;

/// Which snippet: a stored file and a place in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SnippetKey {
    /// The stored bytes' SHA-256.
    pub sha256: String,
    /// The file as imported (for messages).
    pub path: String,
    /// The pointer: `/a/0/b`, empty for the whole document, `doc N /a/0`,
    /// `line N` or `row N`.
    pub pointer: String,
}

/// What a snippet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnippetKind {
    /// Pretty-printed JSON; where the pointer names a single value, its
    /// object is shown with the value's line (0-based) marked.
    Json {
        /// The line of the cited value, if the snippet shows its context.
        cited: Option<usize>,
    },
    /// Lines of the file as they are, numbered from `first_line`.
    Lines {
        /// The number of the first line shown.
        first_line: usize,
        /// The cited line.
        cited: usize,
    },
}

/// A formatted piece of an evidence file.
#[derive(Debug, Clone, PartialEq)]
pub struct Snippet {
    /// JSON or lines.
    pub kind: SnippetKind,
    /// The text shown.
    pub text: String,
    /// Lines left out at the end (the snippet was longer than [`MAX_LINES`]).
    pub omitted_lines: usize,
}

/// Finds `pointer` in a file's bytes and formats what is there.
pub fn extract(bytes: &[u8], pointer: &str) -> Result<Snippet, String> {
    let (decoded, _) = text::decode(bytes).map_err(|e| e.to_string())?;
    let decoded: &str = &decoded;
    if let Some(line) = number_after(pointer, "line ") {
        return Ok(line_snippet(decoded, line));
    }
    if let Some(row) = number_after(pointer, "row ") {
        return Ok(row_snippet(decoded, row));
    }
    // `doc 2 /items/0`: a JSON pointer into document 2 of a YAML stream.
    let (document, pointer) = match yaml_document_pointer(pointer) {
        Some((number, inner)) => (nth_yaml_document(decoded, number)?, inner),
        None if pointer.is_empty() || pointer.starts_with('/') => {
            (parse_document(decoded)?, pointer)
        }
        None => return Err(format!("`{pointer}` is not a place Tickmark can show")),
    };
    let found = document
        .pointer(pointer)
        .ok_or_else(|| format!("nothing at {pointer} in this file"))?;
    if !(found.is_object() || found.is_array())
        && let Some((parent, last)) = pointer.rsplit_once('/')
        && let Some(container) = document.pointer(parent)
        && let Some(snippet) = in_context(container, last)
    {
        return Ok(snippet);
    }
    json_snippet(found, None)
}

fn json_snippet(value: &Value, cited: Option<usize>) -> Result<Snippet, String> {
    let pretty = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    let (text, omitted_lines) = cut(&pretty);
    Ok(Snippet {
        kind: SnippetKind::Json { cited },
        text,
        omitted_lines,
    })
}

/// A single value shown within its object (or array of values), with its
/// line marked.
fn in_context(container: &Value, token: &str) -> Option<Snippet> {
    let key = token.replace("~1", "/").replace("~0", "~");
    let pretty = serde_json::to_string_pretty(container).ok()?;
    let line = match container {
        Value::Object(map) => {
            let quoted = serde_json::to_string(&key).ok()?;
            let prefix = format!("  {quoted}: ");
            map.contains_key(&key).then_some(())?;
            pretty.lines().position(|l| l.starts_with(&prefix))?
        }
        Value::Array(items) if items.iter().all(|i| !(i.is_object() || i.is_array())) => {
            1 + key.parse::<usize>().ok().filter(|&i| i < items.len())?
        }
        _ => return None,
    };
    if line >= MAX_LINES {
        return None;
    }
    json_snippet(container, Some(line)).ok()
}

fn number_after(pointer: &str, prefix: &str) -> Option<usize> {
    pointer.strip_prefix(prefix)?.trim().parse().ok()
}

/// `doc N /pointer` (or `doc N` for the whole document) as (N, pointer).
fn yaml_document_pointer(pointer: &str) -> Option<(usize, &str)> {
    let rest = pointer.strip_prefix("doc ")?;
    let (number, inner) = rest.split_once(' ').unwrap_or((rest, ""));
    let inner = inner.trim();
    (inner.is_empty() || inner.starts_with('/')).then_some(())?;
    Some((number.parse().ok()?, inner))
}

/// Document `number` (1-based) of a YAML stream.
fn nth_yaml_document(text: &str, number: usize) -> Result<Value, String> {
    use serde::Deserialize;
    let document = number
        .checked_sub(1)
        .and_then(|index| serde_yaml_ng::Deserializer::from_str(text).nth(index))
        .ok_or_else(|| format!("the file has no YAML document {number}"))?;
    Value::deserialize(document).map_err(|e| format!("YAML document {number}: {e}"))
}

/// JSON, JSON with comments (ARM templates), or YAML (kubectl `-o yaml`).
fn parse_document(text: &str) -> Result<Value, String> {
    let json_error = match serde_json::from_str::<Value>(text) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    if let Some(stripped) = jsonc::strip_comments(text)
        && let Ok(value) = serde_json::from_str::<Value>(&stripped)
    {
        return Ok(value);
    }
    if let Some(value) = jsonc::escape_control_chars_in_strings(text)
        .and_then(|escaped| serde_json::from_str::<Value>(&escaped).ok())
    {
        return Ok(value);
    }
    match text::first_significant_char(text) {
        Some('{') | Some('[') => Err(format!("the file is no longer readable JSON: {json_error}")),
        _ => serde_yaml_ng::from_str::<Value>(text)
            .map_err(|e| format!("the file is neither JSON nor YAML: {e}")),
    }
}

/// The cited line with a little context; a JSON line is pretty-printed.
fn line_snippet(text: &str, line: usize) -> Snippet {
    let lines: Vec<&str> = text.lines().collect();
    if let Some(cited) = line.checked_sub(1).and_then(|i| lines.get(i))
        && let Ok(value) = serde_json::from_str::<Value>(cited)
        && value.is_object()
    {
        let pretty = serde_json::to_string_pretty(&value).unwrap_or_else(|_| (*cited).to_owned());
        let (text, omitted_lines) = cut(&pretty);
        return Snippet {
            kind: SnippetKind::Json { cited: None },
            text,
            omitted_lines,
        };
    }
    let first = line.saturating_sub(CONTEXT_LINES).max(1);
    let last = (line + CONTEXT_LINES).min(lines.len());
    let shown: Vec<&str> = lines
        .get(first - 1..last)
        .map(<[&str]>::to_vec)
        .unwrap_or_default();
    Snippet {
        kind: SnippetKind::Lines {
            first_line: first,
            cited: line,
        },
        text: shown.join("\n"),
        omitted_lines: 0,
    }
}

/// A CSV row with the header (row 1) above it. Rows are CSV records, as
/// the importers number them: a quoted cell may span several lines.
fn row_snippet(text: &str, row: usize) -> Snippet {
    let records = record_texts(text);
    let record = |n: usize| {
        n.checked_sub(1)
            .and_then(|i| records.get(i))
            .map(|r| r.trim_matches(['\r', '\n']))
            .unwrap_or_default()
    };
    let header = record(1);
    let text = if row <= 1 {
        header.to_owned()
    } else {
        format!("{header}\n{}", record(row))
    };
    Snippet {
        kind: SnippetKind::Lines {
            first_line: 1,
            cited: row,
        },
        text,
        omitted_lines: 0,
    }
}

/// The text of each CSV record of `text`, as written. The delimiter (`,`
/// or Prowler's `;`) does not change where records start, so any will do.
fn record_texts(text: &str) -> Vec<&str> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut starts = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let at = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(true) => starts.push(at),
            Ok(false) | Err(_) => break,
        }
    }
    starts.push(text.len());
    starts
        .windows(2)
        .filter_map(|w| text.get(w[0]..w[1]))
        .collect()
}

fn cut(text: &str) -> (String, usize) {
    let total = text.lines().count();
    if total <= MAX_LINES {
        return (text.to_owned(), 0);
    }
    let kept: Vec<&str> = text.lines().take(MAX_LINES).collect();
    (kept.join("\n"), total - MAX_LINES)
}

/// Colours of highlighted JSON.
#[derive(Debug, Clone, Copy)]
pub struct JsonColors {
    /// Object keys.
    pub key: Color32,
    /// String values.
    pub string: Color32,
    /// Numbers.
    pub number: Color32,
    /// `true`, `false`, `null`.
    pub literal: Color32,
    /// Brackets, commas, colons.
    pub punctuation: Color32,
}

/// Lays out pretty-printed JSON with keys, strings, numbers and literals
/// coloured, and line `marked` (0-based) on `mark` background.
pub fn json_layout(
    text: &str,
    colors: &JsonColors,
    font: &FontId,
    marked: Option<(usize, Color32)>,
) -> LayoutJob {
    let mut job = LayoutJob::default();
    let marked_range = marked.and_then(|(line, color)| {
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let len = text.get(start..)?.split('\n').next()?.len();
        Some((start..start + len, color))
    });
    let format = |color: Color32, at: usize| {
        let mut format = TextFormat::simple(font.clone(), color);
        if let Some((range, background)) = &marked_range
            && range.contains(&at)
        {
            format.background = *background;
        }
        format
    };
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let color = match bytes[at] {
            b'"' => {
                at = string_end(bytes, at);
                if is_key(bytes, at) {
                    colors.key
                } else {
                    colors.string
                }
            }
            b'-' | b'0'..=b'9' => {
                at = scan_while(bytes, at + 1, |b| {
                    b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')
                });
                colors.number
            }
            b't' | b'f' | b'n' => {
                at = scan_while(bytes, at + 1, |b| b.is_ascii_alphabetic());
                colors.literal
            }
            _ => {
                at = scan_while(bytes, at + 1, |b| {
                    !matches!(b, b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
                });
                colors.punctuation
            }
        };
        // Token boundaries are ASCII bytes, so these are char boundaries.
        // Punctuation runs are split at line ends so a marked line's
        // background stops there.
        let mut piece_start = start;
        while piece_start < at {
            let piece_end = text
                .get(piece_start..at)
                .and_then(|t| t.find('\n'))
                .map_or(at, |i| piece_start + i + 1);
            if let Some(token) = text.get(piece_start..piece_end) {
                job.append(token, 0.0, format(color, piece_start));
            }
            piece_start = piece_end;
        }
    }
    job
}

/// The index just past the string that starts at `start` (a quote).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

fn scan_while(bytes: &[u8], mut at: usize, keep: impl Fn(u8) -> bool) -> usize {
    while at < bytes.len() && keep(bytes[at]) {
        at += 1;
    }
    at
}

fn is_key(bytes: &[u8], after: usize) -> bool {
    bytes
        .get(after..)
        .and_then(|rest| rest.iter().find(|b| !b.is_ascii_whitespace()))
        == Some(&b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_pointer_is_pretty_printed() {
        let s = extract(br#"{"a": [{"b": 1, "c": "x"}]}"#, "/a/0").unwrap();
        assert_eq!(s.kind, SnippetKind::Json { cited: None });
        assert_eq!(s.text, "{\n  \"b\": 1,\n  \"c\": \"x\"\n}");
        // A single value is shown in its object, its line marked.
        let s = extract(br#"{"p": {"a": 1, "b/c": true}}"#, "/p/b~1c").unwrap();
        assert_eq!(s.kind, SnippetKind::Json { cited: Some(2) });
        assert_eq!(s.text.lines().nth(2), Some("  \"b/c\": true"));
        let s = extract(br#"{"list": ["x", "y"]}"#, "/list/1").unwrap();
        assert_eq!(s.kind, SnippetKind::Json { cited: Some(2) });
        assert_eq!(extract(b"[1, 2]", "").unwrap().text, "[\n  1,\n  2\n]");
        assert!(extract(b"{}", "/missing").unwrap_err().contains("/missing"));
    }

    #[test]
    fn yaml_and_jsonc_documents_are_read() {
        let yaml = b"kind: List\nitems:\n- metadata:\n    name: web\n";
        let s = extract(yaml, "/items/0/metadata").unwrap();
        assert!(s.text.contains("\"name\": \"web\""), "{}", s.text);
        let jsonc = b"{\n  // a comment\n  \"x\": true\n}";
        assert_eq!(extract(jsonc, "/x").unwrap().text, "{\n  \"x\": true\n}");
    }

    #[test]
    fn lines_and_rows() {
        let lines = b"{\"rule\": \"a\"}\nplain two\nthree\nfour\nfive\nsix";
        let json_line = extract(lines, "line 1").unwrap();
        assert_eq!(json_line.kind, SnippetKind::Json { cited: None });
        assert!(json_line.text.contains("\"rule\": \"a\""));
        let plain = extract(lines, "line 4").unwrap();
        assert_eq!(
            plain.kind,
            SnippetKind::Lines {
                first_line: 2,
                cited: 4
            }
        );
        assert_eq!(plain.text, "plain two\nthree\nfour\nfive\nsix");
        let csv = extract(b"h1,h2\na,b\nc,d\n", "row 3").unwrap();
        assert_eq!(csv.text, "h1,h2\nc,d");
        // A quoted cell over two lines is one row, as the importer counts.
        let multi = b"h1,h2\r\n\"a\nstill a\",b\r\nc,d\r\n";
        assert_eq!(extract(multi, "row 3").unwrap().text, "h1,h2\nc,d");
        assert_eq!(
            extract(multi, "row 2").unwrap().text,
            "h1,h2\n\"a\nstill a\",b"
        );
    }

    #[test]
    fn documents_of_a_yaml_stream_are_found() {
        let stream = b"kind: Namespace\nmetadata: {name: a}\n---\nkind: List\nitems:\n- metadata:\n    name: web\n";
        let s = extract(stream, "doc 2 /items/0/metadata").unwrap();
        assert!(s.text.contains("\"name\": \"web\""), "{}", s.text);
        assert!(extract(stream, "doc 1").unwrap().text.contains("Namespace"));
        assert!(
            extract(stream, "doc 3 /x")
                .unwrap_err()
                .contains("no YAML document 3")
        );
    }

    #[test]
    fn long_snippets_are_cut() {
        let big: Vec<u32> = (0..1000).collect();
        let s = extract(serde_json::to_string(&big).unwrap().as_bytes(), "").unwrap();
        assert_eq!(s.text.lines().count(), MAX_LINES);
        assert_eq!(s.omitted_lines, 1002 - MAX_LINES);
    }

    #[test]
    fn highlighting_colours_keys_and_values_differently() {
        let colors = JsonColors {
            key: Color32::RED,
            string: Color32::GREEN,
            number: Color32::BLUE,
            literal: Color32::YELLOW,
            punctuation: Color32::GRAY,
        };
        let text = "{\n  \"k\": \"v\",\n  \"n\": -1.5,\n  \"b\": true\n}";
        let job = json_layout(
            text,
            &colors,
            &FontId::monospace(12.0),
            Some((2, Color32::WHITE)),
        );
        assert_eq!(job.text, text);
        let marked: String = job
            .sections
            .iter()
            .filter(|s| s.format.background == Color32::WHITE)
            .map(|s| &text[s.byte_range.start.0..s.byte_range.end.0])
            .collect();
        assert_eq!(marked, "  \"n\": -1.5,\n");
        let color_of = |needle: &str| {
            let at = text.find(needle).unwrap();
            job.sections
                .iter()
                .find(|s| s.byte_range.start.0 <= at && at < s.byte_range.end.0)
                .unwrap()
                .format
                .color
        };
        assert_eq!(color_of("\"k\""), Color32::RED);
        assert_eq!(color_of("\"v\""), Color32::GREEN);
        assert_eq!(color_of("-1.5"), Color32::BLUE);
        assert_eq!(color_of("true"), Color32::YELLOW);
    }
}
