//! What changed for one requirement between two moments: the finding and
//! method, the note (a text diff), the worksheet, each check result, each
//! cited piece of evidence (the file's SHA-256 then and now, so that both
//! snippets can be read from the stored bytes) and the attachments.
//!
//! A moment is the requirement as the record stood after a given event
//! (its latest review, run and attachments up to that event), or as it is
//! now. The same comparison serves a stale sign-off (at the sign-off →
//! now), a history entry (just before the event → just after) and a
//! comparison of two assessments (the earlier one's → the later one's).

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Store;
use super::binding::RunIndex;
use super::compare::Delta;
use super::error::{Result, StoreError};
use super::event::Change;
use super::model::ReviewInput;
use crate::checks::{CheckResult, VerdictStatus};

/// One fact before and after, in words (`Finding`, `Automated verdict`,
/// `Attachments`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactChange {
    /// What it is.
    pub what: String,
    /// Before (empty: none).
    pub before: String,
    /// After (empty: none).
    pub after: String,
}

impl FactChange {
    /// True if it differs.
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// One check's result before and after (`None`: no result then).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultChange {
    /// The check's ID.
    pub check: String,
    /// Its result before.
    pub before: Option<CheckResult>,
    /// Its result after.
    pub after: Option<CheckResult>,
}

impl ResultChange {
    /// True if the result differs in any way.
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// One place in the evidence a result cites, with the SHA-256 of the file
/// it was read from before and after (`None`: not cited then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceChange {
    /// The file as imported.
    pub path: String,
    /// The pointer into it.
    pub pointer: String,
    /// The file's SHA-256 before.
    pub before: Option<String>,
    /// The file's SHA-256 after.
    pub after: Option<String>,
}

impl EvidenceChange {
    /// True if the evidence there may differ (another file, or cited only
    /// on one side).
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// A requirement at two moments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementDiff {
    /// The requirement before (differs from `requirement_after` only across
    /// frameworks).
    pub requirement_before: String,
    /// The requirement after.
    pub requirement_after: String,
    /// Finding, automated verdict and attachments, in words.
    pub facts: Vec<FactChange>,
    /// The note (Markdown).
    pub note: Delta<String>,
    /// The worksheet as `Field: text` lines.
    pub worksheet: Delta<String>,
    /// Every check with a result at either moment.
    pub results: Vec<ResultChange>,
    /// Every place in the evidence a result cites at either moment.
    pub evidence: Vec<EvidenceChange>,
}

impl RequirementDiff {
    /// True if anything differs.
    pub fn changed(&self) -> bool {
        self.facts.iter().any(FactChange::changed)
            || self.note.changed()
            || self.worksheet.changed()
            || self.results.iter().any(ResultChange::changed)
            || self.evidence.iter().any(EvidenceChange::changed)
    }
}

/// A part of a text diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffPart {
    /// In both.
    Same(String),
    /// Only before.
    Removed(String),
    /// Only after.
    Added(String),
}

/// The most words either side of a text diff is worked out for; longer
/// texts are compared line by line.
const WORD_DIFF_LIMIT: usize = 6_000;

/// How `before` became `after`, word by word (whitespace kept), or line by
/// line for long texts.
pub fn text_diff(before: &str, after: &str) -> Vec<DiffPart> {
    let words = |text: &str| -> Vec<String> { tokens(text) };
    let (a, b) = (words(before), words(after));
    let (a, b) = if a.len() > WORD_DIFF_LIMIT || b.len() > WORD_DIFF_LIMIT {
        let lines = |t: &str| {
            t.split_inclusive('\n')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        (lines(before), lines(after))
    } else {
        (a, b)
    };
    if a.len() * b.len() > 16_000_000 {
        return vec![
            DiffPart::Removed(before.to_owned()),
            DiffPart::Added(after.to_owned()),
        ];
    }
    merge(lcs_diff(&a, &b))
}

/// Words and the runs of whitespace between them, apart (so that a word at
/// the end of a paragraph still matches the same word before a line
/// break); joining them gives the text.
fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_space = false;
    for c in text.chars() {
        let space = c.is_whitespace();
        if space != in_space && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        in_space = space;
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The longest-common-subsequence diff of two token lists.
fn lcs_diff(a: &[String], b: &[String]) -> Vec<DiffPart> {
    let (n, m) = (a.len(), b.len());
    // lengths[i][j]: the LCS of a[i..] and b[j..].
    let mut lengths = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[at(i, j)] = if a[i] == b[j] {
                lengths[at(i + 1, j + 1)] + 1
            } else {
                lengths[at(i + 1, j)].max(lengths[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n && j < m {
        if a[i] == b[j] {
            out.push(DiffPart::Same(a[i].clone()));
            i += 1;
            j += 1;
        } else if lengths[at(i + 1, j)] >= lengths[at(i, j + 1)] {
            out.push(DiffPart::Removed(a[i].clone()));
            i += 1;
        } else {
            out.push(DiffPart::Added(b[j].clone()));
            j += 1;
        }
    }
    out.extend(a[i..].iter().cloned().map(DiffPart::Removed));
    out.extend(b[j..].iter().cloned().map(DiffPart::Added));
    out
}

/// Joins neighbouring parts of the same kind.
fn merge(parts: Vec<DiffPart>) -> Vec<DiffPart> {
    // Whitespace alone between two changes is part of the change: "a b"
    // replaced by "x y" reads as one replacement, not a, x, b, y.
    let lone_space = |at: usize| {
        if at == 0 || at + 1 >= parts.len() {
            return false;
        }
        let around = [&parts[at - 1], &parts[at + 1]];
        matches!(&parts[at], DiffPart::Same(t) if t.chars().all(char::is_whitespace))
            && around.iter().any(|p| matches!(p, DiffPart::Removed(_)))
            && around.iter().any(|p| matches!(p, DiffPart::Added(_)))
    };
    let mut out: Vec<DiffPart> = Vec::new();
    let (mut removed, mut added) = (String::new(), String::new());
    let flush = |out: &mut Vec<DiffPart>, removed: &mut String, added: &mut String| {
        if !removed.is_empty() {
            out.push(DiffPart::Removed(std::mem::take(removed)));
        }
        if !added.is_empty() {
            out.push(DiffPart::Added(std::mem::take(added)));
        }
    };
    for (at, part) in parts.iter().enumerate() {
        match part {
            DiffPart::Same(t) if lone_space(at) => {
                removed.push_str(t);
                added.push_str(t);
            }
            DiffPart::Same(t) => {
                flush(&mut out, &mut removed, &mut added);
                match out.last_mut() {
                    Some(DiffPart::Same(u)) => u.push_str(t),
                    _ => out.push(DiffPart::Same(t.clone())),
                }
            }
            DiffPart::Removed(t) => removed.push_str(t),
            DiffPart::Added(t) => added.push_str(t),
        }
    }
    flush(&mut out, &mut removed, &mut added);
    out
}

/// A requirement as the record stood at one moment.
struct Moment {
    review: ReviewInput,
    verdict: Option<VerdictStatus>,
    results: Vec<Value>,
    /// Path → SHA-256 of the run's files.
    files: BTreeMap<String, String>,
    /// Names of the attachments that counted.
    attachments: Vec<String>,
}

/// `requirement` of `assessment` after event `upto` (every event, when
/// `None`).
fn moment(
    conn: &Connection,
    assessment: i64,
    requirement: &str,
    upto: Option<i64>,
) -> Result<Moment> {
    let upto = upto.unwrap_or(i64::MAX);
    let review = latest_review(conn, assessment, requirement, upto)?.unwrap_or_default();
    let run: Option<i64> = conn
        .query_row(
            "SELECT max(id) FROM runs WHERE assessment = ?1 AND id <= ?2",
            params![assessment, upto],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    let (verdict, results, files) = match run {
        Some(run) => {
            let index = RunIndex::of_run(conn, run)?;
            let evidence = index.requirement(requirement);
            (evidence.verdict, evidence.results, index.files().clone())
        }
        None => (None, Vec::new(), BTreeMap::new()),
    };
    let mut stmt = conn.prepare(
        "SELECT file_name FROM attachments WHERE assessment = ?1 AND requirement = ?2
         AND id <= ?3 AND (withdrawn_seq IS NULL OR withdrawn_seq > ?3) ORDER BY id",
    )?;
    let attachments = stmt
        .query_map(params![assessment, requirement, upto], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(Moment {
        review,
        verdict,
        results,
        files,
        attachments,
    })
}

/// The review of `requirement` recorded last up to event `upto`.
fn latest_review(
    conn: &Connection,
    assessment: i64,
    requirement: &str,
    upto: i64,
) -> Result<Option<ReviewInput>> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT kind, payload FROM events WHERE assessment = ?1 AND kind = 'review.recorded'
             AND json_extract(payload, '$.requirement') = ?2 AND seq <= ?3
             ORDER BY seq DESC LIMIT 1",
            params![assessment, requirement, upto],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((kind, payload)) = row else {
        return Ok(None);
    };
    let payload: Value = serde_json::from_str(&payload)?;
    Change::from_parts(&kind, &payload)
        .and_then(|change| change.review_input())
        .map_err(StoreError::Corrupt)
}

/// The worksheet of a review as `Field: text` lines.
fn worksheet_lines(review: &ReviewInput) -> String {
    super::finding::worksheet_fields(review.compensating.as_ref(), review.customized.as_ref())
        .into_iter()
        .map(|(label, text)| format!("{label}: {}", text.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The check results of a moment, by check (several results of one check,
/// from per-requirement scanners, keep their order under `check#2`...).
fn results_by_check(results: &[Value]) -> Result<BTreeMap<String, CheckResult>> {
    let mut out = BTreeMap::new();
    for value in results {
        let result: CheckResult = serde_json::from_value(value.clone())?;
        let mut key = result.check.clone();
        let mut n = 1;
        while out.contains_key(&key) {
            n += 1;
            key = format!("{}#{n}", result.check);
        }
        out.insert(key, result);
    }
    Ok(out)
}

/// Every (path, pointer) the results cite, with the file's SHA-256.
fn cited(
    results: &BTreeMap<String, CheckResult>,
    files: &BTreeMap<String, String>,
) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for result in results.values() {
        let refs = result
            .evidence
            .iter()
            .chain(result.resources.iter().flat_map(|r| r.evidence.iter()));
        for r in refs {
            let sha = files
                .get(&r.path)
                .cloned()
                .unwrap_or_else(|| format!("unknown file {}", r.path));
            out.insert((r.path.clone(), r.pointer.clone()), sha);
        }
    }
    out
}

fn diff(before: Moment, after: Moment, requirements: (&str, &str)) -> Result<RequirementDiff> {
    let label = |review: &ReviewInput| review.conclusion().map_or_else(String::new, |c| c.label());
    let verdict = |v: Option<VerdictStatus>| v.map_or_else(String::new, |v| v.label().to_owned());
    let facts = vec![
        FactChange {
            what: "Finding".to_owned(),
            before: label(&before.review),
            after: label(&after.review),
        },
        FactChange {
            what: "Automated verdict".to_owned(),
            before: verdict(before.verdict),
            after: verdict(after.verdict),
        },
        FactChange {
            what: "Attachments".to_owned(),
            before: before.attachments.join(", "),
            after: after.attachments.join(", "),
        },
    ];
    let (results_before, results_after) = (
        results_by_check(&before.results)?,
        results_by_check(&after.results)?,
    );
    let mut checks: Vec<&String> = results_before.keys().chain(results_after.keys()).collect();
    checks.sort();
    checks.dedup();
    let results = checks
        .into_iter()
        .map(|key| ResultChange {
            check: key.split('#').next().unwrap_or(key).to_owned(),
            before: results_before.get(key).cloned(),
            after: results_after.get(key).cloned(),
        })
        .collect();
    let (cited_before, cited_after) = (
        cited(&results_before, &before.files),
        cited(&results_after, &after.files),
    );
    let mut places: Vec<&(String, String)> =
        cited_before.keys().chain(cited_after.keys()).collect();
    places.sort();
    places.dedup();
    let evidence = places
        .into_iter()
        .map(|place| EvidenceChange {
            path: place.0.clone(),
            pointer: place.1.clone(),
            before: cited_before.get(place).cloned(),
            after: cited_after.get(place).cloned(),
        })
        .collect();
    Ok(RequirementDiff {
        requirement_before: requirements.0.to_owned(),
        requirement_after: requirements.1.to_owned(),
        facts,
        note: Delta {
            from: before.review.note.clone(),
            to: after.review.note.clone(),
        },
        worksheet: Delta {
            from: worksheet_lines(&before.review),
            to: worksheet_lines(&after.review),
        },
        results,
        evidence,
    })
}

impl Store {
    /// What changed for `requirement` since sign-off `sign_off` (the
    /// sequence number of its event): the requirement as signed against
    /// the requirement now.
    pub fn sign_off_diff(
        &self,
        assessment: i64,
        requirement: &str,
        sign_off: i64,
    ) -> Result<RequirementDiff> {
        self.read(|conn| {
            let found: Option<i64> = conn
                .query_row(
                    "SELECT id FROM sign_offs WHERE id = ?1 AND assessment = ?2 AND requirement = ?3",
                    params![sign_off, assessment, requirement],
                    |row| row.get(0),
                )
                .optional()?;
            if found.is_none() {
                return Err(StoreError::NotFound(format!(
                    "there is no sign-off #{sign_off} of {requirement}"
                )));
            }
            diff(
                moment(conn, assessment, requirement, Some(sign_off))?,
                moment(conn, assessment, requirement, None)?,
                (requirement, requirement),
            )
        })
    }

    /// What event `seq` changed for `requirement`: the requirement just
    /// before it against just after it.
    pub fn history_diff(
        &self,
        assessment: i64,
        requirement: &str,
        seq: i64,
    ) -> Result<RequirementDiff> {
        self.read(|conn| {
            diff(
                moment(conn, assessment, requirement, Some(seq - 1))?,
                moment(conn, assessment, requirement, Some(seq))?,
                (requirement, requirement),
            )
        })
    }

    /// One row of a comparison drilled down: `from_requirement` of the
    /// earlier assessment against `to_requirement` of the later one, both
    /// as they are now (`None`: the side has no such requirement).
    pub fn compare_diff(
        &self,
        (from, from_requirement): (i64, Option<&str>),
        (to, to_requirement): (i64, Option<&str>),
    ) -> Result<RequirementDiff> {
        self.read(|conn| {
            let side = |assessment: i64, requirement: Option<&str>| -> Result<Moment> {
                match requirement {
                    Some(r) => moment(conn, assessment, r, None),
                    None => Ok(Moment {
                        review: ReviewInput::default(),
                        verdict: None,
                        results: Vec::new(),
                        files: BTreeMap::new(),
                        attachments: Vec::new(),
                    }),
                }
            };
            diff(
                side(from, from_requirement)?,
                side(to, to_requirement)?,
                (
                    from_requirement.unwrap_or_default(),
                    to_requirement.unwrap_or_default(),
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(parts: &[DiffPart], keep: fn(&DiffPart) -> Option<&str>) -> String {
        parts.iter().filter_map(keep).collect()
    }

    #[test]
    fn a_word_before_a_new_paragraph_is_not_a_change() {
        let before = "Tracked with owners and dates.";
        let after = "Tracked with owners and dates.\n\nAddendum: closed.";
        assert_eq!(
            text_diff(before, after),
            vec![
                DiffPart::Same(before.to_owned()),
                DiffPart::Added("\n\nAddendum: closed.".to_owned())
            ]
        );
        // Two words replaced read as one replacement.
        assert_eq!(
            text_diff("a b c d", "a x y d"),
            vec![
                DiffPart::Same("a ".to_owned()),
                DiffPart::Removed("b c".to_owned()),
                DiffPart::Added("x y".to_owned()),
                DiffPart::Same(" d".to_owned()),
            ]
        );
    }

    #[test]
    fn a_text_diff_marks_the_words_that_changed_and_rebuilds_both_texts() {
        let before = "Checked the NSGs of the ops subnet.\nAll deny by default.";
        let after = "Checked the NSGs and route tables of the ops subnet.\nAll deny by default.";
        let parts = text_diff(before, after);
        let old = joined(&parts, |p| match p {
            DiffPart::Same(t) | DiffPart::Removed(t) => Some(t),
            DiffPart::Added(_) => None,
        });
        let new = joined(&parts, |p| match p {
            DiffPart::Same(t) | DiffPart::Added(t) => Some(t),
            DiffPart::Removed(_) => None,
        });
        assert_eq!((old.as_str(), new.as_str()), (before, after));
        assert!(
            parts.contains(&DiffPart::Added("and route tables ".to_owned())),
            "{parts:?}"
        );
        assert!(!parts.iter().any(|p| matches!(p, DiffPart::Removed(_))));
        assert_eq!(text_diff("", ""), Vec::new());
        assert_eq!(text_diff("a", ""), vec![DiffPart::Removed("a".into())]);
    }
}
