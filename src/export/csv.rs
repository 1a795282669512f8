//! CSV: one row per catalog requirement, in catalog order, RFC 4180 quoting.
//!
//! Columns (the header row names them): `requirement`, `title`, `new in
//! v4.0` (`yes` for a requirement PCI DSS v4.0 added),
//! `automated verdict`, `failing checks` (check IDs, `; `-separated),
//! `finding` (In Place, Not Applicable, Not Tested, Not in Place), `method`
//! (Defined approach, Compensating control, Customized approach),
//! `worksheet` (the compensating controls worksheet or the customized
//! approach's documentation, one `Field: text` line per field), `reviewer`, `reviewed at`, `signed by`, `signed at`,
//! `stale` (whether the latest sign-off no longer covers what is there:
//! `yes`/`no`, empty when never signed), `signature` (the latest
//! sign-off's SSH key fingerprint, or `unsigned`; empty when never signed), `note` (plain text, Markdown
//! removed), `evidence count` (how many evidence files the checks cite) and
//! `attachments` (how many, withdrawn ones not counted) and `prior period`
//! (for an assessment started from an earlier one: each earlier requirement
//! mapped to this one, how, and its finding then).
//! `signed by`/`signed at` are the latest sign-off's. Times are RFC 3339 in
//! UTC; labels are the PCI reporting terms.
//!
//! Spreadsheet safety: a free-text cell (title, note, names) that starts
//! with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`
//! so that a spreadsheet shows it as text instead of running it as a
//! formula. Requirement IDs, labels and times never start with those.

use crate::catalog::Catalog;

use super::view::{Row, View};
use super::{ExportError, ReportData, text};
use crate::store::Review;

/// The automated verdict shown when the assessment has no run yet.
pub const NOT_RUN: &str = "Not run";

/// The header row.
pub const COLUMNS: [&str; 18] = [
    "requirement",
    "title",
    "new in v4.0",
    "automated verdict",
    "failing checks",
    "finding",
    "method",
    "worksheet",
    "reviewer",
    "reviewed at",
    "signed by",
    "signed at",
    "stale",
    "signature",
    "note",
    "evidence count",
    "attachments",
    "prior period",
];

/// The CSV of `data`: a header and one row per requirement of `catalog`.
pub fn render(data: &ReportData, catalog: &Catalog) -> Result<Vec<u8>, ExportError> {
    let view = View::new(data, catalog);
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fail = |e: ::csv::Error| ExportError::Render {
        format: "CSV",
        message: e.to_string(),
    };
    writer.write_record(COLUMNS).map_err(fail)?;
    for row in &view.rows {
        writer.write_record(cells(&view, row)).map_err(fail)?;
    }
    writer.into_inner().map_err(|e| ExportError::Render {
        format: "CSV",
        message: e.to_string(),
    })
}

fn cells(view: &View<'_>, row: &Row<'_>) -> [String; 18] {
    let review = row.review();
    let sign_off = row.latest_sign_off();
    let failing: Vec<&str> = row.failing_checks().map(|c| c.check.as_str()).collect();
    [
        row.id().to_owned(),
        guard(&row.node.title),
        if row.node.new_in_v4 { "yes" } else { "" }.to_owned(),
        row.verdict_status()
            .map_or(NOT_RUN, |v| v.label())
            .to_owned(),
        failing.join("; "),
        row.finding().map_or("", |f| f.label()).to_owned(),
        review.map_or(String::new(), |r| {
            if r.finding.is_some() || !r.method.is_defined() {
                r.method.label().to_owned()
            } else {
                String::new()
            }
        }),
        review.map_or(String::new(), |r| guard(&worksheet_text(r))),
        review.map_or(String::new(), |r| guard(&r.reviewer.display())),
        review.map_or(String::new(), |r| text::time_data(&r.reviewed_at)),
        sign_off.map_or(String::new(), |s| {
            guard(&format!("{} ({})", s.signer.display(), s.role.label()))
        }),
        sign_off.map_or(String::new(), |s| text::time_data(&s.signed_at)),
        sign_off
            .map_or("", |s| if s.stale { "yes" } else { "no" })
            .to_owned(),
        sign_off.map_or(String::new(), |s| {
            s.signature
                .as_ref()
                .map_or_else(|| "unsigned".to_owned(), |sig| sig.key_fingerprint.clone())
        }),
        guard(&text::markdown_to_plain_text(row.note())),
        view.cited_files(row).len().to_string(),
        row.current_attachments().count().to_string(),
        guard(&prior_text(row.prior(view.record))),
    ]
}

/// The compensating controls worksheet or the customized approach's
/// documentation as lines of `Field: text`; empty without one.
fn worksheet_text(review: &Review) -> String {
    let fields: Vec<(&str, &str)> = match (&review.compensating, &review.customized) {
        (Some(w), _) => w.fields().iter().map(|f| (f.1, f.2)).collect(),
        (None, Some(w)) => w.fields().iter().map(|f| (f.1, f.2)).collect(),
        (None, None) => Vec::new(),
    };
    fields
        .into_iter()
        .map(|(label, text)| format!("{label}: {}", text.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The earlier findings mapped to a requirement, `; `-separated:
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
        .join("; ")
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
    }
}
