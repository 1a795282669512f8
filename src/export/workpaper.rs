//! The Excel workpaper (`tickmark export --format xlsx`): five sheets an
//! auditor works in.
//!
//! * **Summary**: the assessment, framework, period, approval, the record's
//!   chain head, the latest run, and the counts.
//! * **Requirements**: one row per catalog requirement with the columns of
//!   [`REQUIREMENT_COLUMNS`] (the CSV has the same): verdict and finding in
//!   their colours, people split into name, e-mail and OS user, the note as
//!   readable text, evidence references linked to the evidence index.
//! * **Evidence index**: every evidence file and attachment under its
//!   reference, with SHA-256, size, when it was collected and imported, who
//!   brought it in, the requirements that use it (linked) and its status.
//! * **Checks**: one row per automated check result per requirement.
//!
//! Every table has a frozen, filtered header row, set column widths and
//! wrapped text; times are real spreadsheet times in UTC.

use std::collections::HashMap;

use crate::catalog::{Catalog, MappingStrength};
use crate::checks::{CheckStatus, check_def, strength_in};
use crate::store::Decision;

use super::columns::{
    INDEX_SHEET, REQUIREMENT_COLUMNS, index_link, person_cells, references_text, requirement_cells,
};
use super::index::{EvidenceIndex, Item};
use super::summary::assessment_lines;
use super::view::{FINDING_ORDER, NOT_RUN, View};
use super::xlsx::{Cell, Column, Tone, Workbook};
use super::{ExportError, ReportData};

/// The requirements sheet's name.
pub const REQUIREMENTS_SHEET: &str = "Requirements";
/// The checks sheet's name.
pub const CHECKS_SHEET: &str = "Checks";
/// The summary sheet's name.
pub const SUMMARY_SHEET: &str = "Summary";

/// The evidence index sheet's columns.
pub const INDEX_COLUMNS: &[Column] = &[
    Column::new("Reference", 10.0),
    Column::new("Kind", 14.0),
    Column::wrapped("File", 44.0),
    Column::new("Format", 30.0),
    Column::new("SHA-256", 66.0),
    Column::new("Size (bytes)", 12.0),
    Column::new("Collected", 18.0),
    Column::new("Imported or attached", 18.0),
    Column::new("By", 20.0),
    Column::new("By e-mail", 24.0),
    Column::new("By OS user", 14.0),
    Column::wrapped("Used by", 30.0),
    Column::wrapped("Status", 30.0),
];

/// The checks sheet's columns.
pub const CHECK_COLUMNS: &[Column] = &[
    Column::new("Requirement", 12.0),
    Column::new("Check", 34.0),
    Column::wrapped("Title", 40.0),
    Column::new("Role", 10.0),
    Column::new("Status", 14.0),
    Column::wrapped("Reason", 70.0),
    Column::new("Resources", 22.0),
    Column::wrapped("Evidence references", 18.0),
];

/// The review notes sheet's name.
pub const REVIEW_NOTES_SHEET: &str = "Review notes";

/// The review notes sheet's columns: one row per note, its thread as text.
pub const REVIEW_NOTE_COLUMNS: &[Column] = &[
    Column::new("Note", 10.0),
    Column::new("Requirement", 12.0),
    Column::new("State", 10.0),
    Column::new("Raised by", 20.0),
    Column::new("Raised at", 18.0),
    Column::wrapped("Review note", 50.0),
    Column::wrapped("Answers", 50.0),
    Column::new("Cleared by", 20.0),
    Column::new("Cleared at", 18.0),
    Column::wrapped("Clearing remark", 30.0),
];

/// One row per review note, in the order they were raised.
fn review_note_rows(view: &View<'_>) -> Vec<Vec<Cell>> {
    let name = |p: &crate::store::Person| p.name.clone().unwrap_or_else(|| p.os_user.clone());
    let mut notes: Vec<&crate::store::ReviewNote> =
        view.rows.iter().flat_map(|r| r.review_notes()).collect();
    notes.sort_by_key(|n| n.id);
    notes
        .into_iter()
        .map(|n| {
            let answers = n
                .answers
                .iter()
                .map(|a| {
                    format!(
                        "{} ({}): {}",
                        name(&a.by),
                        super::text::time_human(&a.at),
                        a.text
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            let mut cells = vec![
                Cell::text(n.label()),
                Cell::text(n.requirement.as_str()),
                if n.is_open() {
                    Cell::Toned("Open".to_owned(), Tone::Bad)
                } else {
                    Cell::Toned("Cleared".to_owned(), Tone::Good)
                },
                Cell::text(name(&n.raised_by)),
                Cell::Time(n.raised_at),
                Cell::text(n.text.as_str()),
                Cell::text(answers),
            ];
            match &n.cleared {
                Some(c) => cells.extend([
                    Cell::text(name(&c.by)),
                    Cell::Time(c.at),
                    Cell::text(c.text.as_str()),
                ]),
                None => cells.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
            }
            cells
        })
        .collect()
}

/// The workpaper of `data` as XLSX bytes.
pub fn render(data: &ReportData, catalog: &Catalog) -> Result<Vec<u8>, ExportError> {
    let view = View::new(data, catalog);
    let index = EvidenceIndex::of(&view);
    let name = &view.record.assessment.name;
    let mut book = Workbook::new(&format!("Workpaper: {name}"), view.as_of());
    book.summary_sheet(
        SUMMARY_SHEET,
        &format!("{} workpaper: {name}", catalog.name),
        &summary_pairs(&view, &index),
    )?;
    let rows: Vec<Vec<Cell>> = view
        .rows
        .iter()
        .map(|row| requirement_cells(&view, &index, row))
        .collect();
    // About 630 characters wide: three A3 pages across print it at a
    // readable size, each page repeating the requirement's ID.
    book.table_sheet_across(REQUIREMENTS_SHEET, REQUIREMENT_COLUMNS, &rows, 3)?;
    book.table_sheet(INDEX_SHEET, INDEX_COLUMNS, &index_rows(&view, &index))?;
    book.table_sheet(CHECKS_SHEET, CHECK_COLUMNS, &check_rows(&view, &index))?;
    book.table_sheet(
        REVIEW_NOTES_SHEET,
        REVIEW_NOTE_COLUMNS,
        &review_note_rows(&view),
    )?;
    book.finish()
}

fn summary_pairs(view: &View<'_>, index: &EvidenceIndex<'_>) -> Vec<(&'static str, Cell)> {
    let record = view.record;
    let t = &view.tally;
    let mut pairs: Vec<(&'static str, Cell)> = assessment_lines(view)
        .into_iter()
        .map(|(label, value)| {
            let cell = if label == "Approval" {
                let tone = match &record.approval.current {
                    Some(a) if a.stale => Tone::Warn,
                    Some(a) if a.decision == Decision::Approved => Tone::Good,
                    Some(_) => Tone::Bad,
                    None => Tone::Info,
                };
                Cell::Toned(value, tone)
            } else {
                Cell::text(value)
            };
            (label, cell)
        })
        .collect();
    let findings: Vec<String> = FINDING_ORDER
        .iter()
        .zip(t.findings.iter())
        .filter_map(|(f, n)| f.map(|f| format!("{n} {}", f.label())))
        .collect();
    let mut verdicts = t.counts().describe();
    if t.verdicts[NOT_RUN] > 0 {
        verdicts.push_str(&format!(", {} not run", t.verdicts[NOT_RUN]));
    }
    let files = record.files.len();
    let current_files = record
        .files
        .iter()
        .filter(|f| f.superseded_by.is_none())
        .count();
    let attachments: Vec<_> = index
        .entries
        .iter()
        .filter(|e| matches!(e.item, Item::Attachment(_)))
        .collect();
    let withdrawn = attachments.iter().filter(|e| !e.is_current()).count();
    pairs.extend([
        ("Requirements", Cell::text(t.total.to_string())),
        (
            "Concluded",
            Cell::text(format!("{} of {} have a finding", t.reviewed, t.total)),
        ),
        ("Findings", Cell::text(findings.join(" · "))),
        (
            "Methods",
            Cell::text(format!(
                "{} by a compensating control, {} by the customized approach",
                t.compensating, t.customized
            )),
        ),
        ("Automated verdicts", Cell::text(verdicts)),
        (
            "Sign-offs",
            Cell::Toned(
                format!(
                    "preparer: {} current, {} stale; reviewer: {} current, {} stale",
                    t.signed, t.stale, t.review_signed, t.review_stale
                ),
                if t.stale + t.review_stale > 0 {
                    Tone::Warn
                } else {
                    Tone::Plain
                },
            ),
        ),
        (
            "Open review notes",
            Cell::Toned(
                t.open_review_notes.to_string(),
                if t.open_review_notes > 0 {
                    Tone::Warn
                } else {
                    Tone::Plain
                },
            ),
        ),
        (
            "Evidence",
            Cell::text(format!(
                "{files} evidence file(s) ({current_files} current), {} attachment(s) ({withdrawn} withdrawn): E-1 to {} in the evidence index",
                attachments.len(),
                index
                    .entries
                    .last()
                    .map_or_else(|| "E-0".to_owned(), |e| e.label())
            )),
        ),
        (
            "Preparer and reviewer",
            Cell::text(
                "The preparer columns show the latest preparer sign-off; the reviewer columns the \
                 latest reviewer sign-off, made by a different person over the preparer's. Every \
                 review note, with its answers and clearing, is on the review notes sheet.",
            ),
        ),
        (
            "Colours",
            Cell::text(
                "Verdicts and findings: green Pass / In Place, red Fail / Not in Place, amber \
                 Partial, No evidence, Not Tested and stale sign-offs, blue Manual, Supported, \
                 Not run and Not Applicable.",
            ),
        ),
    ]);
    pairs
}

/// The row of a requirement on the requirements sheet (its header is row
/// 1), by ID.
fn requirement_rows<'a>(view: &View<'a>) -> HashMap<&'a str, usize> {
    view.rows
        .iter()
        .enumerate()
        .map(|(at, row)| (row.id(), at + 2))
        .collect()
}

fn index_rows(view: &View<'_>, index: &EvidenceIndex<'_>) -> Vec<Vec<Cell>> {
    let requirement_row = requirement_rows(view);
    index
        .entries
        .iter()
        .map(|entry| {
            let used_by = entry.used_by.join(", ");
            let used_cell = match entry.used_by.first().and_then(|id| requirement_row.get(id)) {
                Some(row) => Cell::Link {
                    url: format!("internal:'{REQUIREMENTS_SHEET}'!A{row}"),
                    text: used_by,
                },
                None => Cell::text(used_by),
            };
            let status = index.status(entry);
            let mut cells = vec![
                Cell::text(entry.label()),
                Cell::text(entry.kind()),
                Cell::text(entry.name()),
                Cell::text(entry.format()),
                Cell::text(entry.sha256()),
                Cell::Number(i64::try_from(entry.size()).unwrap_or(i64::MAX)),
                entry.collected().map_or(Cell::Empty, Cell::Time),
                Cell::Time(entry.added()),
            ];
            cells.extend(person_cells(Some(entry.added_by())));
            cells.push(used_cell);
            cells.push(if status.is_empty() {
                Cell::Toned("Current".to_owned(), Tone::Good)
            } else {
                Cell::Toned(status, Tone::Warn)
            });
            cells
        })
        .collect()
}

fn check_rows(view: &View<'_>, index: &EvidenceIndex<'_>) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for row in &view.rows {
        for result in row.checks() {
            let mut numbers: Vec<i64> = result
                .evidence
                .iter()
                .chain(result.resources.iter().flat_map(|r| r.evidence.iter()))
                .filter_map(|e| view.file_by_path(&e.path))
                .filter_map(|f| index.number(f.id))
                .collect();
            numbers.sort_unstable();
            numbers.dedup();
            let status = match result.status {
                CheckStatus::Pass => Cell::Toned("Pass".to_owned(), Tone::Good),
                CheckStatus::Fail => Cell::Toned("Fail".to_owned(), Tone::Bad),
                CheckStatus::NotEvaluated => Cell::Toned("Not evaluated".to_owned(), Tone::Warn),
            };
            let resources = if result.resources.is_empty() {
                Cell::Empty
            } else {
                let failing = result
                    .resources
                    .iter()
                    .filter(|r| r.status == CheckStatus::Fail)
                    .count();
                Cell::text(format!("{failing} of {} failing", result.resources.len()))
            };
            let role = match strength_in(view.catalog, row.id(), result) {
                MappingStrength::Tests => "tests",
                MappingStrength::Supports => "supports",
            };
            rows.push(vec![
                Cell::text(row.id()),
                Cell::text(result.check.as_str()),
                Cell::text(check_def(&result.check).map_or("", |d| d.title)),
                Cell::text(role),
                status,
                Cell::text(result.reason.as_str()),
                resources,
                match numbers.first() {
                    Some(&first) => index_link(index, first, references_text(&numbers)),
                    None => Cell::Empty,
                },
            ]);
        }
    }
    rows
}
