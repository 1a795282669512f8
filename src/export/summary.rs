//! What a workpaper says about the assessment as a whole, in words: the
//! lines at the top of the CSV and on the XLSX workpaper's summary sheet.

use crate::store::{AssessmentRecord, Decision};

use super::text::{short_hash, time_human};
use super::view::View;

/// Which run of its assessment `run` is, counting from 1, and how many
/// runs there are: `(2, 3)` for the second of three.
pub fn run_position(record: &AssessmentRecord, run: i64) -> Option<(usize, usize)> {
    let at = record.runs.iter().position(|r| r.id == run)?;
    Some((at + 1, record.runs.len()))
}

/// The latest run in words: `Run 2 of 2, 2026-03-02 14:05 UTC, 6 files
/// (event #41)`, or `No run yet`.
pub(crate) fn latest_run_text(record: &AssessmentRecord) -> String {
    match &record.latest_run {
        Some(run) => {
            let position = run_position(record, run.id)
                .map_or_else(|| "Run".to_owned(), |(n, of)| format!("Run {n} of {of}"));
            format!(
                "{position}, {}, {} file(s) (event #{})",
                time_human(&run.at),
                run.files.len(),
                run.id
            )
        }
        None => "No run yet".to_owned(),
    }
}

/// The approval in words.
pub(crate) fn approval_text(record: &AssessmentRecord) -> String {
    match &record.approval.current {
        None => "Not decided".to_owned(),
        Some(a) => {
            let by = a.by.name.clone().unwrap_or_else(|| a.by.os_user.clone());
            let mut text = match a.decision {
                Decision::Approved => format!("Approved by {by} on {}", time_human(&a.at)),
                Decision::SentBack => format!("Sent back by {by} on {}", time_human(&a.at)),
            };
            if a.stale {
                text.push_str(&format!(
                    "; stale: {} requirement(s) changed since",
                    a.changed_requirements.len()
                ));
            }
            text
        }
    }
}

/// The assessment in label/value lines, for the top of a workpaper.
pub(crate) fn assessment_lines(view: &View<'_>) -> Vec<(&'static str, String)> {
    let record = view.record;
    let a = &record.assessment;
    let mut lines = vec![
        ("Assessment", a.name.clone()),
        ("Cluster", a.cluster.clone()),
        ("Framework", view.catalog.name.clone()),
        ("Period", format!("{} to {}", a.period_start, a.period_end)),
    ];
    if let Some(prior) = &record.prior_period {
        lines.push((
            "Started from",
            format!(
                "{} ({}, {} to {})",
                prior.assessment.name,
                prior.assessment.catalog_id,
                prior.assessment.period_start,
                prior.assessment.period_end
            ),
        ));
    }
    lines.push(("Approval", approval_text(record)));
    lines.push(("Automated run", latest_run_text(record)));
    lines.push((
        "Record",
        record.chain_head.as_ref().map_or_else(
            || "No events".to_owned(),
            |h| {
                format!(
                    "Chain head event #{} (SHA-256 {}…); check it with `tickmark verify`",
                    h.seq,
                    short_hash(&h.hash)
                )
            },
        ),
    ));
    lines.push(("As of", time_human(&view.as_of())));
    lines.push((
        "Written by",
        format!("Tickmark {}", record.tickmark_version),
    ));
    lines
}
