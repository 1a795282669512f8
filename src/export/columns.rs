//! The columns of a workpaper's requirement rows, shared by the CSV and the
//! XLSX workpaper so that both carry the same columns in the same order.
//!
//! People are split into name, e-mail and OS user; times are real times
//! (UTC); the note is plain text with its table rows kept as rows; evidence
//! is cited by reference (E-1, E-2, ...) as the evidence index lists it.
//!
//! The preparer columns show the latest preparer sign-off, the reviewer
//! columns the latest reviewer sign-off (a different person's, over the
//! preparer's); the open review notes column lists each open note with
//! who raised it.

use crate::checks::VerdictStatus;
use crate::store::{Finding, Person, Review, ReviewNote, SignOff};

use super::index::{EvidenceIndex, row_references};
use super::text;
use super::view::{Row, View};
use super::xlsx::{Cell, Column, Tone};

/// The automated verdict shown when the assessment has no run yet.
pub const NOT_RUN: &str = "Not run";

/// The evidence index's sheet name (hyperlinks point into it).
pub const INDEX_SHEET: &str = "Evidence index";

/// The requirement rows' columns, in order.
pub const REQUIREMENT_COLUMNS: &[Column] = &[
    Column::new("Requirement", 12.0),
    Column::wrapped("Title", 40.0),
    Column::new("New in v4.0", 8.0),
    Column::new("Automated verdict", 14.0),
    Column::wrapped("Failing checks", 30.0),
    Column::new("Finding", 15.0),
    Column::new("Method", 20.0),
    Column::wrapped("Worksheet", 45.0),
    Column::wrapped("Note", 70.0),
    Column::new("Recorded by", 20.0),
    Column::new("Recorded by e-mail", 24.0),
    Column::new("Recorded by OS user", 14.0),
    Column::new("Recorded at", 18.0),
    Column::new("Preparer", 20.0),
    Column::new("Preparer e-mail", 24.0),
    Column::new("Preparer OS user", 14.0),
    Column::new("Prepared at", 18.0),
    Column::new("Preparer sign-off", 12.0),
    Column::new("Preparer signature", 24.0),
    Column::new("Reviewer", 20.0),
    Column::new("Reviewer e-mail", 24.0),
    Column::new("Reviewer OS user", 14.0),
    Column::new("Reviewed at", 18.0),
    Column::new("Reviewer sign-off", 12.0),
    Column::new("Reviewer signature", 24.0),
    Column::wrapped("Open review notes", 40.0),
    Column::wrapped("Evidence references", 18.0),
    Column::wrapped("Evidence files", 40.0),
    Column::wrapped("Attachments", 36.0),
    Column::wrapped("Prior period", 32.0),
];

/// The header names of [`REQUIREMENT_COLUMNS`].
pub fn requirement_headers() -> Vec<&'static str> {
    REQUIREMENT_COLUMNS.iter().map(|c| c.header).collect()
}

/// The colour of an automated verdict.
pub(crate) fn verdict_tone(verdict: Option<VerdictStatus>) -> Tone {
    match verdict {
        Some(VerdictStatus::Pass) => Tone::Good,
        Some(VerdictStatus::Fail) => Tone::Bad,
        Some(VerdictStatus::Partial | VerdictStatus::NoEvidence) => Tone::Warn,
        Some(VerdictStatus::Supported | VerdictStatus::Manual) | None => Tone::Info,
    }
}

/// The colour of a finding.
pub(crate) fn finding_tone(finding: Finding) -> Tone {
    match finding {
        Finding::InPlace => Tone::Good,
        Finding::NotInPlace => Tone::Bad,
        Finding::NotTested => Tone::Warn,
        Finding::NotApplicable => Tone::Info,
    }
}

/// The link to a reference's row of the evidence index sheet (its header is
/// row 1, the first entry row 2).
pub(crate) fn index_link(index: &EvidenceIndex<'_>, number: i64, text: String) -> Cell {
    match index.entries.iter().position(|e| e.number == number) {
        Some(at) => Cell::Link {
            url: format!("internal:'{INDEX_SHEET}'!A{}", at + 2),
            text,
        },
        None => Cell::text(text),
    }
}

/// The cells of one requirement row, in [`REQUIREMENT_COLUMNS`] order.
pub(crate) fn requirement_cells(
    view: &View<'_>,
    index: &EvidenceIndex<'_>,
    row: &Row<'_>,
) -> Vec<Cell> {
    let review = row.review();
    let verdict = row.verdict_status();
    let failing: Vec<&str> = row.failing_checks().map(|c| c.check.as_str()).collect();
    let references = row_references(view, index, row);
    let mut cells = vec![
        Cell::text(row.id()),
        Cell::text(row.node.title.as_str()),
        Cell::text(if row.node.new_in_v4 { "yes" } else { "" }),
        Cell::Toned(
            verdict.map_or(NOT_RUN, |v| v.label()).to_owned(),
            verdict_tone(verdict),
        ),
        Cell::text(failing.join("; ")),
        row.finding().map_or(Cell::Empty, |f| {
            Cell::Toned(f.label().to_owned(), finding_tone(f))
        }),
        Cell::text(review.map_or(String::new(), method_text)),
        Cell::text(review.map_or(String::new(), worksheet_text)),
        Cell::text(text::markdown_to_plain_text(row.note())),
    ];
    cells.extend(person_cells(review.map(|r| &r.reviewer)));
    cells.push(review.map_or(Cell::Empty, |r| Cell::Time(r.reviewed_at)));
    cells.extend(sign_off_cells(row.latest_sign_off()));
    cells.extend(sign_off_cells(row.latest_reviewer_sign_off()));
    let open: Vec<String> = row
        .review_notes()
        .iter()
        .filter(|n| n.is_open())
        .map(review_note_line)
        .collect();
    cells.push(match open.len() {
        0 => Cell::Empty,
        _ => Cell::Toned(open.join("\n"), Tone::Bad),
    });
    cells.push(match references.first() {
        Some(&first) => index_link(index, first, references_text(&references)),
        None => Cell::Empty,
    });
    cells.push(Cell::text(
        view.cited_files(row)
            .iter()
            .map(|f| labelled(index.number(f.id), &view.file_label(f)))
            .collect::<Vec<_>>()
            .join("\n"),
    ));
    cells.push(Cell::text(
        row.current_attachments()
            .map(|a| labelled(index.number(a.id), &a.file_name))
            .collect::<Vec<_>>()
            .join("\n"),
    ));
    cells.push(Cell::text(prior_text(row.prior(view.record))));
    cells
}

/// `RN-12 (Dana Reviewer, 2026-12-07 14:05 UTC): the text`.
pub(crate) fn review_note_line(note: &ReviewNote) -> String {
    format!(
        "{} ({}, {}): {}",
        note.label(),
        note.raised_by
            .name
            .as_deref()
            .unwrap_or(&note.raised_by.os_user),
        text::time_human(&note.raised_at),
        note.text
    )
}

/// `E-1, E-4, E-7`.
pub(crate) fn references_text(numbers: &[i64]) -> String {
    numbers
        .iter()
        .map(|n| crate::store::reference_label(*n))
        .collect::<Vec<_>>()
        .join(", ")
}

fn labelled(number: Option<i64>, name: &str) -> String {
    match number {
        Some(n) => format!("{} {name}", crate::store::reference_label(n)),
        None => name.to_owned(),
    }
}

/// The method, when a finding or another method is recorded.
fn method_text(review: &Review) -> String {
    if review.finding.is_some() || !review.method.is_defined() {
        review.method.label().to_owned()
    } else {
        String::new()
    }
}

/// Name, e-mail and OS user of a person (three cells).
pub(crate) fn person_cells(person: Option<&Person>) -> [Cell; 3] {
    match person {
        Some(p) => [
            Cell::text(p.name.clone().unwrap_or_default()),
            Cell::text(p.email.clone().unwrap_or_default()),
            Cell::text(p.os_user.as_str()),
        ],
        None => [Cell::Empty, Cell::Empty, Cell::Empty],
    }
}

/// Name, e-mail, OS user, time, state and signature (the SSH key's
/// fingerprint, or `unsigned`) of a sign-off (six cells).
fn sign_off_cells(sign_off: Option<&SignOff>) -> Vec<Cell> {
    let Some(s) = sign_off else {
        return vec![Cell::Empty; 6];
    };
    let mut cells = person_cells(Some(&s.signer)).to_vec();
    cells.push(Cell::Time(s.signed_at));
    cells.push(if s.stale {
        Cell::Toned("Stale".to_owned(), Tone::Warn)
    } else {
        Cell::Toned("Current".to_owned(), Tone::Good)
    });
    cells.push(Cell::text(s.signature.as_ref().map_or_else(
        || "unsigned".to_owned(),
        |sig| sig.key_fingerprint.clone(),
    )));
    cells
}

/// The compensating controls worksheet or the customized approach's
/// documentation as lines of `Field: text`; empty without one.
pub(crate) fn worksheet_text(review: &Review) -> String {
    super::view::worksheet_fields(review)
        .into_iter()
        .map(|(label, text)| format!("{label}: {}", text.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The earlier findings mapped to a requirement, one a line:
/// `10.7 (same requirement): In Place`.
fn prior_text(prior: &[crate::store::PriorFinding]) -> String {
    prior
        .iter()
        .map(|p| {
            let mapping = p.mapping.as_ref().map_or(String::new(), |m| {
                format!(" ({})", m.kind.label().to_lowercase())
            });
            let finding = p
                .review
                .as_ref()
                .and_then(|r| r.conclusion())
                .map_or_else(|| "no finding".to_owned(), |c| c.label());
            format!("{}{mapping}: {finding}", p.requirement)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A cell as CSV text: times as RFC 3339 in UTC, dates as YYYY-MM-DD, links
/// as their text.
pub(crate) fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) | Cell::Toned(t, _) => t.clone(),
        Cell::Number(n) => n.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Time(t) => text::time_data(t),
        Cell::Link { text, .. } => text.clone(),
    }
}
