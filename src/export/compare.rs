//! A comparison of two assessments (the app's Compare screen) as CSV, an
//! Excel workbook or a self-contained HTML page: one row per compared pair,
//! with each value before and after and whether it changed.

use super::ExportError;
use super::text::escape_html as esc;
use super::xlsx::{Cell, Column, Tone, Workbook};
use crate::store::{Comparison, RequirementComparison, SignOffState};

/// A file format for a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareFormat {
    /// CSV.
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// One self-contained HTML page.
    Html,
}

impl CompareFormat {
    /// Every format, in menu order.
    pub const ALL: &'static [CompareFormat] =
        &[CompareFormat::Csv, CompareFormat::Xlsx, CompareFormat::Html];

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            CompareFormat::Csv => "csv",
            CompareFormat::Xlsx => "xlsx",
            CompareFormat::Html => "html",
        }
    }

    /// A label for menus.
    pub fn label(self) -> &'static str {
        match self {
            CompareFormat::Csv => "CSV",
            CompareFormat::Xlsx => "Excel workbook (XLSX)",
            CompareFormat::Html => "HTML page",
        }
    }

    /// A file name to suggest: `H1-2026-vs-H2-2026.comparison.csv`.
    pub fn default_file_name(self, comparison: &Comparison) -> String {
        let name = |n: &str| super::layout::safe_file_name(n).replace(' ', "-");
        format!(
            "{}-vs-{}.comparison.{}",
            name(&comparison.from.name),
            name(&comparison.to.name),
            self.extension()
        )
    }
}

/// The columns, in order.
pub const COLUMNS: [Column; 12] = [
    Column::new("Requirement", 12.0),
    Column::new("Earlier requirement", 14.0),
    Column::new("Mapping", 22.0),
    Column::new("Changed", 9.0),
    Column::new("Verdict before", 14.0),
    Column::new("Verdict after", 14.0),
    Column::new("Finding before", 26.0),
    Column::new("Finding after", 26.0),
    Column::new("Note", 10.0),
    Column::wrapped("Evidence cited only after (SHA-256)", 30.0),
    Column::wrapped("Evidence cited only before (SHA-256)", 30.0),
    Column::new("Sign-off before → after", 22.0),
];

/// How a sign-off state reads in a comparison.
pub fn sign_off_label(state: SignOffState) -> &'static str {
    match state {
        SignOffState::None => "not signed",
        SignOffState::Current => "signed",
        SignOffState::Stale => "stale",
    }
}

fn row(r: &RequirementComparison) -> Vec<Cell> {
    let verdict = |v: Option<crate::checks::VerdictStatus>| v.map_or("", |v| v.label()).to_owned();
    let finding = |c: Option<crate::store::Conclusion>| c.map_or_else(String::new, |c| c.label());
    let changed = |yes: bool| {
        if yes {
            Cell::Toned("yes".to_owned(), Tone::Warn)
        } else {
            Cell::text("no")
        }
    };
    vec![
        Cell::text(if r.only_earlier {
            String::new()
        } else {
            r.requirement.clone()
        }),
        Cell::text(r.earlier_requirement.clone().unwrap_or_default()),
        Cell::text(
            r.mapping
                .as_ref()
                .map_or(String::new(), |m| m.kind.label().to_owned()),
        ),
        changed(r.changed()),
        Cell::text(verdict(r.verdict.from)),
        if r.verdict.changed() {
            Cell::Toned(verdict(r.verdict.to), Tone::Warn)
        } else {
            Cell::text(verdict(r.verdict.to))
        },
        Cell::text(finding(r.conclusion.from)),
        if r.conclusion.changed() {
            Cell::Toned(finding(r.conclusion.to), Tone::Warn)
        } else {
            Cell::text(finding(r.conclusion.to))
        },
        Cell::text(if r.note_changed { "changed" } else { "same" }),
        Cell::text(r.evidence_added.join("\n")),
        Cell::text(r.evidence_removed.join("\n")),
        Cell::text(format!(
            "{} → {}",
            sign_off_label(r.sign_off.from),
            sign_off_label(r.sign_off.to)
        )),
    ]
}

fn title(c: &Comparison) -> String {
    format!(
        "{} ({}) compared with {} ({})",
        c.from.name, c.from.catalog_id, c.to.name, c.to.catalog_id
    )
}

/// The comparison as CSV: a header row, then one row per compared pair.
pub fn csv(comparison: &Comparison) -> Result<Vec<u8>, ExportError> {
    super::csv::table(&COLUMNS, comparison.requirements.iter().map(row))
}

/// The comparison as a workbook: a summary sheet and the rows.
pub fn xlsx(comparison: &Comparison) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new(&title(comparison), comparison.to.created_at);
    let changed = comparison.changed().count();
    book.summary_sheet(
        "Summary",
        "Comparison of two assessments",
        &[
            (
                "Earlier",
                Cell::text(format!(
                    "{} ({}, {} to {})",
                    comparison.from.name,
                    comparison.from.catalog_id,
                    comparison.from.period_start,
                    comparison.from.period_end
                )),
            ),
            (
                "Later",
                Cell::text(format!(
                    "{} ({}, {} to {})",
                    comparison.to.name,
                    comparison.to.catalog_id,
                    comparison.to.period_start,
                    comparison.to.period_end
                )),
            ),
            ("Matched by", Cell::text(comparison.mapping.clone())),
            (
                "Rows",
                Cell::text(format!(
                    "{} compared, {changed} changed",
                    comparison.requirements.len()
                )),
            ),
        ],
    )?;
    let rows: Vec<Vec<Cell>> = comparison.requirements.iter().map(row).collect();
    book.table_sheet("Comparison", &COLUMNS, &rows)?;
    book.finish()
}

/// The comparison as one self-contained HTML page.
pub fn html(comparison: &Comparison) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str(&format!("<title>{}</title>", esc(&title(comparison))));
    out.push_str(
        "<style>body{font-family:system-ui,sans-serif;font-size:10pt;margin:24px;color:#1d2433}\
         table{border-collapse:collapse;width:100%}th,td{border:1px solid #d4d9e2;padding:3px 6px;\
         vertical-align:top;text-align:left}th{background:#2a3f5f;color:#fff;position:sticky;top:0}\
         tr.changed td{background:#fff8e5}td.hash{font-family:monospace;font-size:8pt;word-break:break-all}\
         .was{color:#8a1c17;text-decoration:line-through}</style></head><body>",
    );
    out.push_str(&format!(
        "<h1>{}</h1><p>Matched by {}. {} row(s), {} changed.</p><table><thead><tr>",
        esc(&title(comparison)),
        esc(&comparison.mapping),
        comparison.requirements.len(),
        comparison.changed().count()
    ));
    for column in &COLUMNS {
        out.push_str(&format!("<th>{}</th>", esc(column.header)));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in &comparison.requirements {
        out.push_str(if r.changed() {
            "<tr class=\"changed\">"
        } else {
            "<tr>"
        });
        for (at, cell) in row(r).iter().enumerate() {
            let text = esc(&super::columns::csv_text(cell)).replace('\n', "<br>");
            let class = if at == 9 || at == 10 {
                " class=\"hash\""
            } else {
                ""
            };
            out.push_str(&format!("<td{class}>{text}</td>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}

/// Writes the comparison to `out` in `format` (never a half file).
/// Returns the size written.
pub fn write(
    comparison: &Comparison,
    format: CompareFormat,
    out: &std::path::Path,
) -> Result<u64, ExportError> {
    let bytes = match format {
        CompareFormat::Csv => csv(comparison)?,
        CompareFormat::Xlsx => xlsx(comparison)?,
        CompareFormat::Html => html(comparison).into_bytes(),
    };
    let mut pending = super::output::PendingFile::create(out)?;
    pending.write_all(&bytes)?;
    Ok(pending.commit()?.bytes)
}
