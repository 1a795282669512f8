//! CSV exports (Defender for Cloud recommendations, Prowler): a header row
//! and records, each record numbered as a spreadsheet shows it (the header
//! is row 1, the first record row 2).

use csv::{ReaderBuilder, StringRecord};

use crate::evidence::{ImportContext, ImportError, ImportErrorKind};

/// A parsed CSV file.
#[derive(Debug)]
pub(super) struct Table {
    /// The column names, trimmed.
    pub headers: Vec<String>,
    /// The records with their row numbers.
    pub rows: Vec<(usize, StringRecord)>,
}

impl Table {
    /// The index of the first of `names` that is a column, matched
    /// case-insensitively.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| {
            self.headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
        })
    }
}

/// The header fields of the first line of `text`, split on `delimiter` with
/// quotes removed; for format detection before a full parse.
pub(super) fn header_fields(text: &str, delimiter: char) -> Vec<String> {
    let first = text.lines().next().unwrap_or_default();
    first
        .split(delimiter)
        .map(|f| f.trim().trim_matches('"').trim().to_owned())
        .collect()
}

/// True if every one of `names` is among `fields` (case-insensitive).
pub(super) fn has_all(fields: &[String], names: &[&str]) -> bool {
    names
        .iter()
        .all(|n| fields.iter().any(|f| f.eq_ignore_ascii_case(n)))
}

/// Parses `text` as CSV with a header row. Every record must have as many
/// fields as the header.
pub(super) fn read(
    ctx: ImportContext<'_>,
    format: &str,
    text: &str,
    delimiter: u8,
) -> Result<Table, ImportError> {
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(ctx, format, &e))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| csv_error(ctx, format, &e))?;
        rows.push((index + 2, record));
    }
    Ok(Table { headers, rows })
}

fn csv_error(ctx: ImportContext<'_>, format: &str, e: &csv::Error) -> ImportError {
    let row = e.position().map(|p| p.record() as usize + 1);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} field(s) where the header has {expected_len}"),
        _ => e.to_string(),
    };
    let error = ctx.error(ImportErrorKind::Malformed, message).tried(format);
    match row {
        Some(row) => error.at(format!("row {row}")),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_like_a_spreadsheet() {
        let ctx = ImportContext::new("x.csv");
        let table = read(ctx, "CSV", "a;b\r\n1;2\r\n3;4\r\n", b';').unwrap();
        assert_eq!(table.headers, vec!["a", "b"]);
        assert_eq!(table.rows[1].0, 3);
        assert_eq!(table.column(&["B"]), Some(1));
        let err = read(ctx, "CSV", "a;b\n1;2\n3\n", b';').unwrap_err();
        assert_eq!(err.location.as_deref(), Some("row 3"));
        assert_eq!(err.kind, ImportErrorKind::Malformed);
    }
}
