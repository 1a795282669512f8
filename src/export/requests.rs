//! The evidence request list as CSV and as an Excel workbook, to send to
//! the client. Both have the same columns, one row per request.

use chrono::{DateTime, Utc};

use super::ExportError;
use super::xlsx::{Cell, Column, Tone, Workbook};
use crate::requests::{EvidenceState, RequestList};
use crate::store::RequestStatus;

/// The columns, in order.
pub const COLUMNS: [Column; 14] = [
    Column::new("Ref", 6.0),
    Column::new("Kind", 11.0),
    Column::wrapped("What", 28.0),
    Column::new("Evidence", 10.0),
    Column::new("Status", 10.0),
    Column::wrapped("Owner", 16.0),
    Column::new("Due", 11.0),
    Column::wrapped("Command or document", 55.0),
    Column::wrapped("File", 22.0),
    Column::wrapped("Requirements", 16.0),
    Column::wrapped("Why", 50.0),
    Column::wrapped("Note", 24.0),
    Column::wrapped("Updated by", 18.0),
    Column::new("Updated at", 17.0),
];

fn rows(list: &RequestList) -> Vec<Vec<Cell>> {
    list.requests
        .iter()
        .map(|r| {
            let tracking = r.tracking.as_ref();
            vec![
                Cell::text(&r.reference),
                Cell::text(r.kind.label()),
                Cell::text(&r.title),
                Cell::Toned(r.state.label().to_owned(), state_tone(r.state)),
                Cell::Toned(r.status().label().to_owned(), status_tone(r.status())),
                Cell::text(r.owner()),
                r.due().map_or(Cell::Empty, Cell::Date),
                Cell::text(&r.ask),
                Cell::text(r.file.as_deref().unwrap_or("")),
                Cell::text(r.requirements.join(", ")),
                Cell::text(r.reasons.join("\n")),
                Cell::text(r.note()),
                tracking.map_or(Cell::Empty, |t| Cell::text(t.updated_by.display())),
                tracking.map_or(Cell::Empty, |t| Cell::Time(t.updated_at)),
            ]
        })
        .collect()
}

fn state_tone(state: EvidenceState) -> Tone {
    match state {
        EvidenceState::Missing => Tone::Bad,
        EvidenceState::Stale => Tone::Warn,
        EvidenceState::Satisfied => Tone::Good,
    }
}

fn status_tone(status: RequestStatus) -> Tone {
    match status {
        RequestStatus::Requested => Tone::Info,
        RequestStatus::Received => Tone::Warn,
        RequestStatus::Accepted => Tone::Good,
        RequestStatus::Returned => Tone::Bad,
    }
}

/// The list as CSV (RFC 4180, CRLF), a header row and one row per request.
/// Text that a spreadsheet would read as a formula gets a leading `'`.
pub fn csv(list: &RequestList) -> Result<Vec<u8>, ExportError> {
    super::csv::table(&COLUMNS, rows(list))
}

/// The list as an Excel workbook: a summary sheet and the requests.
/// `as_of` is the time the list describes (the record's latest event).
pub fn xlsx(list: &RequestList, as_of: DateTime<Utc>) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new(&format!("Evidence requests: {}", list.assessment), as_of);
    let count = |f: &dyn Fn(&crate::requests::EvidenceRequest) -> bool| {
        list.requests.iter().filter(|r| f(r)).count() as i64
    };
    let summary = [
        ("Assessment", Cell::text(&list.assessment)),
        ("Cluster", Cell::text(&list.cluster)),
        (
            "Period",
            Cell::text(format!("{} to {}", list.period_start, list.period_end)),
        ),
        (
            "Derived from",
            Cell::text(match list.run {
                Some(run) => {
                    format!("the evaluation recorded in event #{run}, and the review state")
                }
                None => "the review state (nothing has been evaluated yet)".to_owned(),
            }),
        ),
        ("As of", Cell::Time(as_of)),
        ("Requests", Cell::Number(list.requests.len() as i64)),
        ("Open", Cell::Number(count(&|r| r.is_open()))),
        (
            "Missing",
            Cell::Number(count(&|r| r.state == EvidenceState::Missing)),
        ),
        (
            "Stale",
            Cell::Number(count(&|r| r.state == EvidenceState::Stale)),
        ),
        (
            "Accepted",
            Cell::Number(count(&|r| r.status() == RequestStatus::Accepted)),
        ),
        (
            "How to answer",
            Cell::text(
                "Provide each item under its reference (R-n). Exports: run the command as shown \
                 (values in <angle brackets> are yours to fill in), or run `tickmark collect` or the \
                 script it prints, which makes every export at once with a record of how it was \
                 collected. Documents: the current, approved version.",
            ),
        ),
        (
            "Evidence",
            Cell::text(
                "Missing: nothing of the kind is there. Stale: what is there describes a time \
                 before the period. Satisfied: it has arrived.",
            ),
        ),
        (
            "Status",
            Cell::text(
                "Requested, Received (the client says it has been provided), Accepted, Returned \
                 (what was provided does not do; see the note).",
            ),
        ),
    ];
    book.summary_sheet("Summary", "Evidence request list", &summary)?;
    book.table_sheet("Requests", &COLUMNS, &rows(list))?;
    book.finish()
}

/// A file format for the request list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestFormat {
    /// CSV.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl RequestFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            RequestFormat::Csv => "csv",
            RequestFormat::Xlsx => "xlsx",
        }
    }
}

/// Writes the list to `out` (never a half file: it appears when complete).
/// Returns the size and SHA-256 of what was written.
pub fn write(
    list: &RequestList,
    format: RequestFormat,
    as_of: DateTime<Utc>,
    out: &std::path::Path,
) -> Result<(u64, String), ExportError> {
    let bytes = match format {
        RequestFormat::Csv => csv(list)?,
        RequestFormat::Xlsx => xlsx(list, as_of)?,
    };
    let mut pending = super::output::PendingFile::create(out)?;
    pending.write_all(&bytes)?;
    let written = pending.commit()?;
    Ok((written.bytes, written.sha256))
}

/// The time a record describes: its chain head, or the assessment's
/// creation when it has no events.
pub fn as_of(record: &crate::store::AssessmentRecord) -> DateTime<Utc> {
    record
        .events
        .last()
        .map_or(record.assessment.created_at, |e| e.at)
}
