//! Import errors: what went wrong, in which file, for which format, where.

use serde::{Deserialize, Serialize};

/// The kind of problem, for callers that react differently (the CLI's exit
/// code, the UI's icon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportErrorKind {
    /// The file could not be read from disk.
    Unreadable,
    /// The file is empty or white space only.
    Empty,
    /// Binary content that is not a known document type.
    Binary,
    /// The file is larger than Tickmark will read.
    TooLarge,
    /// Syntax error in JSON, YAML or CSV.
    Malformed,
    /// Well-formed, but of no format Tickmark knows.
    NotRecognised,
    /// A known format, but a field has the wrong type or is missing.
    Invalid,
    /// Source that must be compiled before it can be read (Bicep without a
    /// compiler on `PATH`, or one that failed); the message gives the command.
    NotCompiled,
    /// Read, but not stored: its exact bytes were purged from the record, or
    /// the sensitive data in it could not be redacted as asked.
    Refused,
}

/// An import failure, naming the file, the format tried and the position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", self.render())]
pub struct ImportError {
    /// The file, as the user named it.
    pub path: String,
    /// The kind of problem.
    pub kind: ImportErrorKind,
    /// The format Tickmark tried to read it as (`JSON`, `kube-bench`, ...).
    pub format_tried: Option<String>,
    /// Where: `line 3, column 7`, a JSON pointer such as `/items/4/spec`, or a CSV row.
    pub location: Option<String>,
    /// What is wrong, in a sentence.
    pub message: String,
}

/// A parser's message without the ` at line L column C` it repeats inside
/// (at the end, or before a `, while ...` clause): an [`ImportError`]'s
/// location already says where.
pub(crate) fn without_position(message: &str, line: usize, column: usize) -> String {
    message.replacen(&format!(" at line {line} column {column}"), "", 1)
}

/// The deepest nesting of arrays and objects the JSON reader follows
/// (`serde_json`'s own limit); deeper documents are refused.
pub const MAX_JSON_DEPTH: usize = 128;

/// serde_json's message without its position (see [`without_position`]),
/// and in words where it is terse.
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let message = without_position(&e.to_string(), e.line(), e.column());
    if message == "recursion limit exceeded" {
        format!(
            "arrays and objects nested more than {MAX_JSON_DEPTH} levels deep; Tickmark reads JSON up to {MAX_JSON_DEPTH} levels"
        )
    } else {
        message
    }
}

impl ImportError {
    /// A new error for `path`.
    pub fn new(path: &str, kind: ImportErrorKind, message: impl Into<String>) -> Self {
        ImportError {
            path: path.to_owned(),
            kind,
            format_tried: None,
            location: None,
            message: super::cap::cap(message.into()),
        }
    }

    /// Names the format that was being read.
    pub fn tried(mut self, format: impl Into<String>) -> Self {
        self.format_tried = Some(format.into());
        self
    }

    /// Names the position in the file.
    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(super::cap::cap(location.into()));
        self
    }

    /// A syntax error at a line and column.
    pub fn syntax(
        path: &str,
        format: &str,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        ImportError::new(path, ImportErrorKind::Malformed, message)
            .tried(format)
            .at(format!("line {line}, column {column}"))
    }

    /// A field of a known format with the wrong type or value.
    pub fn invalid(path: &str, format: &str, pointer: &str, message: impl Into<String>) -> Self {
        ImportError::new(path, ImportErrorKind::Invalid, message)
            .tried(format)
            .at(if pointer.is_empty() {
                "/".to_owned()
            } else {
                pointer.to_owned()
            })
    }

    fn render(&self) -> String {
        let mut out = self.path.clone();
        if let Some(format) = &self.format_tried {
            out.push_str(&format!(" (as {format})"));
        }
        if let Some(location) = &self.location {
            out.push_str(&format!(" at {location}"));
        }
        out.push_str(": ");
        out.push_str(&self.message);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_file_format_and_position() {
        let e = ImportError::syntax("x/nsg.json", "JSON", 3, 7, "expected value");
        assert_eq!(
            e.to_string(),
            "x/nsg.json (as JSON) at line 3, column 7: expected value"
        );
    }
}
