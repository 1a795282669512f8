//! CSV: the workpaper's requirement table, in catalog order, RFC 4180
//! quoting, CRLF line ends.
//!
//! The file starts with a short assessment header (one `label,value` line
//! each: assessment, cluster, framework, period, approval, chain head, as
//! of), then a blank line, then the table: a header row and one row per
//! catalog requirement with the same columns as the XLSX workpaper's
//! requirements sheet ([`super::columns::REQUIREMENT_COLUMNS`]). Times are
//! RFC 3339 in UTC; labels are the PCI reporting terms; people are split
//! into name, e-mail and OS user; evidence is cited by reference (E-1,
//! E-2, ...) and attachments by name; the note is plain text whose table
//! rows stay rows (cells separated by ` | `).
//!
//! Spreadsheet safety: a free-text cell (title, note, names) that starts
//! with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`
//! so that a spreadsheet shows it as text instead of running it as a
//! formula. Requirement IDs, labels and times never start with those.

use crate::catalog::Catalog;

use super::columns::{self, requirement_cells, requirement_headers};
use super::index::EvidenceIndex;
use super::view::View;
use super::xlsx::Cell;
use super::{ExportError, ReportData};

pub use super::columns::NOT_RUN;

fn fail(e: ::csv::Error) -> ExportError {
    ExportError::Render {
        format: "CSV",
        message: e.to_string(),
    }
}

fn builder() -> ::csv::WriterBuilder {
    let mut builder = ::csv::WriterBuilder::new();
    builder.terminator(::csv::Terminator::CRLF);
    builder
}

fn finish(writer: ::csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ExportError> {
    writer.into_inner().map_err(|e| ExportError::Render {
        format: "CSV",
        message: e.to_string(),
    })
}

/// The table's header row.
pub fn columns() -> Vec<&'static str> {
    requirement_headers()
}

/// The CSV of `data`: the assessment header, a blank line, then the table
/// header and one row per requirement of `catalog`.
pub fn render(data: &ReportData, catalog: &Catalog) -> Result<Vec<u8>, ExportError> {
    let view = View::new(data, catalog);
    let index = EvidenceIndex::of(&view);
    let mut header = builder().from_writer(Vec::new());
    for (label, value) in super::summary::assessment_lines(&view) {
        header
            .write_record([label.to_owned(), guard(&value)])
            .map_err(fail)?;
    }
    let mut bytes = finish(header)?;
    // A blank line (a record of one empty field would be written `""`).
    bytes.extend_from_slice(b"\r\n");
    let mut writer = builder().from_writer(bytes);
    writer.write_record(columns()).map_err(fail)?;
    for row in &view.rows {
        let cells = requirement_cells(&view, &index, row);
        writer
            .write_record(cells.iter().map(csv_text))
            .map_err(fail)?;
    }
    finish(writer)
}

/// A table as CSV (RFC 4180, CRLF): a header row of `columns`, then
/// `rows`, each cell guarded as [`csv_text`] guards it.
pub(crate) fn table(
    columns: &[super::xlsx::Column],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<Vec<u8>, ExportError> {
    let mut writer = builder().from_writer(Vec::new());
    writer
        .write_record(columns.iter().map(|c| c.header))
        .map_err(fail)?;
    for row in rows {
        writer
            .write_record(row.iter().map(csv_text))
            .map_err(fail)?;
    }
    finish(writer)
}

/// How many lines come before the table's header row (the assessment
/// header and the blank line), for readers that skip them.
pub fn header_lines(data: &ReportData, catalog: &Catalog) -> usize {
    super::summary::assessment_lines(&View::new(data, catalog)).len() + 1
}

/// A cell as CSV text: [`columns::csv_text`], with text that a spreadsheet
/// would read as a formula guarded.
pub(crate) fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(_) | Cell::Toned(..) | Cell::Link { .. } => guard(&columns::csv_text(cell)),
        other => columns::csv_text(other),
    }
}

/// Prefixes `'` to text a spreadsheet would read as a formula.
pub(crate) fn guard(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_guarded() {
        assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard("- list item"), "'- list item");
        assert_eq!(guard("Checked."), "Checked.");
        assert_eq!(csv_text(&Cell::text("+1")), "'+1");
        assert_eq!(csv_text(&Cell::Number(-3)), "-3");
    }
}
