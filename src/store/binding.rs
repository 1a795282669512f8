//! What a sign-off covers, and whether it still does.
//!
//! A requirement's binding lists the SHA-256s of the evidence files its
//! check results cite, a SHA-256 of those results (canonical JSON), the
//! conclusion, a SHA-256 of the note and the SHA-256s of its attachments.
//! A sign-off stores the binding it saw; recomputing the binding now and
//! comparing tells whether the sign-off is stale.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::canonical::canonical_sha256;
use super::error::{Result, StoreError};
use super::model::{Conclusion, RunFile};
use crate::checks::VerdictStatus;

/// Exactly what a sign-off covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOffBinding {
    /// SHA-256s of the evidence files the requirement's check results cite,
    /// sorted.
    pub evidence_sha256: Vec<String>,
    /// SHA-256 of the requirement's check results (a canonical JSON array).
    pub results_sha256: String,
    /// The finding and method as one value ([`Conclusion::code`]:
    /// `in_place`, `in_place_ccw`, `not_in_place_customized`...), spelled
    /// as records written before v4 spelled the conclusion, so that their
    /// sign-offs still match.
    pub conclusion: Option<String>,
    /// SHA-256 of the note's UTF-8 text.
    pub note_sha256: String,
    /// SHA-256s of the requirement's attachments (withdrawn ones excluded),
    /// sorted.
    pub attachments_sha256: Vec<String>,
    /// SHA-256 of the compensating controls worksheet or the customized
    /// approach's documentation (canonical JSON), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worksheet_sha256: Option<String>,
}

impl SignOffBinding {
    /// SHA-256 of the binding's canonical JSON. A binding without a
    /// worksheet hashes exactly as before v4.
    pub fn hash(&self) -> String {
        let mut value = json!({
            "evidence_sha256": self.evidence_sha256,
            "results_sha256": self.results_sha256,
            "conclusion": self.conclusion,
            "note_sha256": self.note_sha256,
            "attachments_sha256": self.attachments_sha256,
        });
        if let Some(worksheet) = &self.worksheet_sha256 {
            value["worksheet_sha256"] = json!(worksheet);
        }
        canonical_sha256(&value)
    }

    /// The finding and method signed, if any.
    pub fn conclusion(&self) -> Option<Conclusion> {
        self.conclusion.as_deref().and_then(Conclusion::from_code)
    }

    /// What differs between this binding and `now`, in words.
    pub fn differences(&self, now: &SignOffBinding) -> Vec<String> {
        let mut out = Vec::new();
        if self.evidence_sha256 != now.evidence_sha256 {
            out.push("evidence files".to_owned());
        }
        if self.results_sha256 != now.results_sha256 {
            out.push("check results".to_owned());
        }
        if self.conclusion != now.conclusion {
            out.push("conclusion".to_owned());
        }
        if self.note_sha256 != now.note_sha256 {
            out.push("note".to_owned());
        }
        if self.attachments_sha256 != now.attachments_sha256 {
            out.push("attachments".to_owned());
        }
        if self.worksheet_sha256 != now.worksheet_sha256 {
            out.push("worksheet".to_owned());
        }
        out
    }
}

/// The latest run of an assessment, indexed for per-requirement lookups.
pub(crate) struct RunIndex {
    /// The run's ID, if there is a run.
    pub run: Option<i64>,
    files: BTreeMap<String, String>,
    verdicts: BTreeMap<String, (VerdictStatus, Vec<usize>)>,
    /// The requirement IDs in catalog order.
    pub order: Vec<String>,
    results: Vec<Value>,
}

/// What the latest run says about one requirement.
pub(crate) struct RequirementEvidence {
    pub verdict: Option<VerdictStatus>,
    pub results: Vec<Value>,
    pub evidence_sha256: Vec<String>,
}

impl RunIndex {
    /// Loads the latest run of `assessment`.
    pub fn latest(conn: &Connection, assessment: i64) -> Result<RunIndex> {
        let run: Option<i64> = conn
            .query_row(
                "SELECT max(id) FROM runs WHERE assessment = ?1",
                [assessment],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        match run {
            Some(run) => RunIndex::of_run(conn, run),
            None => Ok(RunIndex {
                run: None,
                files: BTreeMap::new(),
                verdicts: BTreeMap::new(),
                order: Vec::new(),
                results: Vec::new(),
            }),
        }
    }

    /// Loads one run.
    pub fn of_run(conn: &Connection, run: i64) -> Result<RunIndex> {
        let files_text: String =
            conn.query_row("SELECT files FROM runs WHERE id = ?1", [run], |row| {
                row.get(0)
            })?;
        let files: Vec<RunFile> = serde_json::from_str(&files_text)?;
        let mut results = Vec::new();
        let mut stmt =
            conn.prepare("SELECT result FROM check_results WHERE run = ?1 ORDER BY idx")?;
        for text in stmt.query_map([run], |row| row.get::<_, String>(0))? {
            results.push(serde_json::from_str::<Value>(&text?)?);
        }
        let mut verdicts = BTreeMap::new();
        let mut order = Vec::new();
        let mut stmt = conn.prepare(
            "SELECT requirement, status, results FROM verdicts WHERE run = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([run], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (requirement, status, indexes) = row?;
            let status = super::read::verdict_status(&status)?;
            let indexes: Vec<usize> = serde_json::from_str(&indexes)?;
            if indexes.iter().any(|&i| i >= results.len()) {
                return Err(StoreError::Corrupt(format!(
                    "run #{run}: the verdict of {requirement} cites a result that is not there"
                )));
            }
            order.push(requirement.clone());
            verdicts.insert(requirement, (status, indexes));
        }
        Ok(RunIndex {
            run: Some(run),
            files: files.into_iter().map(|f| (f.path, f.sha256)).collect(),
            verdicts,
            order,
            results,
        })
    }

    /// The run's files: path → SHA-256.
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    /// The verdict, results and cited evidence of `requirement`.
    pub fn requirement(&self, requirement: &str) -> RequirementEvidence {
        let Some((status, indexes)) = self.verdicts.get(requirement) else {
            return RequirementEvidence {
                verdict: None,
                results: Vec::new(),
                evidence_sha256: Vec::new(),
            };
        };
        let results: Vec<Value> = indexes.iter().map(|&i| self.results[i].clone()).collect();
        let mut cited = BTreeSet::new();
        for result in &results {
            for path in super::results::cited_paths(result) {
                cited.insert(match self.files.get(path) {
                    Some(sha) => sha.clone(),
                    None => format!("unknown file {path}"),
                });
            }
        }
        RequirementEvidence {
            verdict: Some(*status),
            results,
            evidence_sha256: cited.into_iter().collect(),
        }
    }
}

impl RunIndex {
    /// SHA-256 of `requirement`'s results as a release before result lists
    /// kept them (every resource inline): what a sign-off made then bound.
    /// `None` when they are kept the same way now (no result has lists).
    fn inline_results_sha256(
        &self,
        conn: &Connection,
        requirement: &str,
    ) -> Result<Option<String>> {
        let Some((_, indexes)) = self.verdicts.get(requirement) else {
            return Ok(None);
        };
        if !indexes
            .iter()
            .any(|&i| super::results::is_compact(&self.results[i]))
        {
            return Ok(None);
        }
        let mut inline = Vec::with_capacity(indexes.len());
        for &i in indexes {
            let result = super::results::expand(conn, &self.results[i])?;
            inline.push(serde_json::to_value(result)?);
        }
        Ok(Some(canonical_sha256(&Value::Array(inline))))
    }

    /// The IDs of the checks whose results for `requirement` fail, in order,
    /// each once.
    pub fn failing_checks(&self, requirement: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for result in self.requirement(requirement).results {
            let failed = result.get("status").and_then(Value::as_str) == Some("fail");
            if let Some(check) = result.get("check").and_then(Value::as_str)
                && failed
                && !out.iter().any(|c| c == check)
            {
                out.push(check.to_owned());
            }
        }
        out
    }
}

/// The binding of `requirement` as it is now.
pub(crate) fn current_binding(
    conn: &Connection,
    index: &RunIndex,
    assessment: i64,
    requirement: &str,
) -> Result<SignOffBinding> {
    let evidence = index.requirement(requirement);
    let review = review_columns(conn, assessment, requirement)?;
    let mut stmt = conn.prepare(
        "SELECT sha256 FROM attachments WHERE assessment = ?1 AND requirement = ?2 AND withdrawn_seq IS NULL ORDER BY sha256",
    )?;
    let attachments = stmt
        .query_map(params![assessment, requirement], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(SignOffBinding {
        evidence_sha256: evidence.evidence_sha256,
        results_sha256: canonical_sha256(&Value::Array(evidence.results)),
        conclusion: review.conclusion.map(Conclusion::code),
        note_sha256: crate::evidence::sha256_hex(review.note.as_bytes()),
        attachments_sha256: attachments,
        worksheet_sha256: review.worksheet_sha256,
    })
}

/// The binding of `requirement` now as a sign-off or approval recorded
/// while run `seen` was the latest computed it, if that differs from `now`:
/// a run recorded before result lists kept every resource inline, and a
/// binding made then hashed the results so. Comparing with this one, the
/// upgrade alone makes no sign-off stale while the results are the same.
pub(crate) fn binding_as_seen(
    conn: &Connection,
    index: &RunIndex,
    requirement: &str,
    now: &SignOffBinding,
    seen: Option<i64>,
) -> Result<Option<SignOffBinding>> {
    if !is_inline_run(conn, seen)? {
        return Ok(None);
    }
    Ok(index
        .inline_results_sha256(conn, requirement)?
        .map(|inline| SignOffBinding {
            results_sha256: inline,
            ..now.clone()
        }))
}

/// True if run `run` keeps no result's resources in lists (recorded before
/// they existed, or with no resources at all).
fn is_inline_run(conn: &Connection, run: Option<i64>) -> Result<bool> {
    let Some(run) = run else {
        return Ok(false);
    };
    let compact: i64 = conn.query_row(
        "SELECT count(*) FROM check_results WHERE run = ?1 AND json_type(result, '$.resource_lists') IS NOT NULL",
        [run],
        |row| row.get(0),
    )?;
    Ok(compact == 0)
}

/// The parts of a requirement's review a binding covers.
#[derive(Default)]
struct ReviewColumns {
    conclusion: Option<Conclusion>,
    note: String,
    worksheet_sha256: Option<String>,
}

fn review_columns(conn: &Connection, assessment: i64, requirement: &str) -> Result<ReviewColumns> {
    type Row = (
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        String,
    );
    let row: Option<Row> = conn
        .query_row(
            "SELECT finding, method, compensating, customized, note FROM reviews WHERE assessment = ?1 AND requirement = ?2",
            params![assessment, requirement],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
        )
        .optional()?;
    let Some((finding, method, compensating, customized, note)) = row else {
        return Ok(ReviewColumns::default());
    };
    let method = super::read::method(&method)?;
    let conclusion = finding
        .as_deref()
        .map(super::read::finding)
        .transpose()?
        .map(|finding| Conclusion { finding, method });
    // The columns hold canonical JSON; the key says which worksheet it is.
    let worksheet = match (compensating, customized) {
        (Some(text), _) => Some(("compensating", text)),
        (None, Some(text)) => Some(("customized", text)),
        (None, None) => None,
    };
    let worksheet_sha256 = worksheet
        .map(|(key, text)| -> Result<String> {
            let value: Value = serde_json::from_str(&text)?;
            Ok(canonical_sha256(&json!({ key: value })))
        })
        .transpose()?;
    Ok(ReviewColumns {
        conclusion,
        note,
        worksheet_sha256,
    })
}

/// The binding hash of every requirement in `requirements`, and the hash
/// over all of them (what an approval covers).
pub(crate) fn assessment_bindings(
    conn: &Connection,
    assessment: i64,
    requirements: &[String],
) -> Result<(BTreeMap<String, String>, String)> {
    let index = RunIndex::latest(conn, assessment)?;
    let mut bindings = BTreeMap::new();
    for requirement in requirements {
        let binding = current_binding(conn, &index, assessment, requirement)?;
        bindings.insert(requirement.clone(), binding.hash());
    }
    let hash = canonical_sha256(&serde_json::to_value(&bindings)?);
    Ok((bindings, hash))
}
