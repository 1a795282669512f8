//! JSON: the whole [`AssessmentRecord`] of one assessment, pretty-printed.
//!
//! The top-level object is the record itself; its `schema_version`
//! ([`RECORD_SCHEMA_VERSION`]) says which shape it has, and [`parse`] reads
//! it back into the same value (it round-trips exactly).

use crate::store::{AssessmentRecord, RECORD_SCHEMA_VERSION};

use super::ExportError;

/// The record as pretty-printed JSON with a final line break.
pub fn render(record: &AssessmentRecord) -> Result<String, ExportError> {
    let mut text = serde_json::to_string_pretty(record).map_err(|e| ExportError::Render {
        format: "JSON record",
        message: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

/// Why a JSON export could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not JSON, or not a record's shape.
    #[error("not a Tickmark record: {0}")]
    Shape(#[from] serde_json::Error),
    /// Written with a record shape this build does not know.
    #[error(
        "record schema version {found} is not supported (this Tickmark reads version {RECORD_SCHEMA_VERSION})"
    )]
    Version {
        /// The version in the file.
        found: u64,
    },
}

/// Reads a JSON export back. Checks `schema_version` first, so a record of
/// another shape gets a clear message rather than a field error.
pub fn parse(bytes: &[u8]) -> Result<AssessmentRecord, ParseError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)?;
    let found = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64);
    match found {
        Some(v) if v == u64::from(RECORD_SCHEMA_VERSION) => Ok(serde_json::from_value(value)?),
        Some(v) => Err(ParseError::Version { found: v }),
        None => Ok(serde_json::from_value(value)?),
    }
}
