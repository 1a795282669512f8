//! A run as the app shows it: verdicts and each result's outcome and
//! counts, without its resources' rows; the rows one page at a time.
//!
//! Opening an assessment reads only this; selecting a requirement reads the
//! first page of each of its checks' resources, and further pages when the
//! reviewer asks. The cost follows what is looked at, not the number of
//! containers in the cluster.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Store;
use super::error::{Result, StoreError};
use super::model::{RunFile, VerdictCounts};
use super::read::{self, People};
use super::results::{self, CompactResult, ResourceCounts, ResourceKind};
use crate::catalog::{Catalog, MappingStrength};
use crate::checks::{CheckResult, CheckStatus, LinkedVerdict, ResourceResult};
use crate::evidence::EvidenceRef;

/// A check result without its resources' rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultSummary {
    /// The check's stable ID.
    pub check: String,
    /// For a per-requirement result: the requirement it names.
    pub requirement: Option<String>,
    /// For a per-requirement result: the catalog of that requirement.
    pub framework: Option<String>,
    /// The outcome.
    pub status: CheckStatus,
    /// Why, in one line.
    pub reason: String,
    /// The result's own evidence references; each resource carries its own.
    pub evidence: Vec<EvidenceRef>,
    /// The files the resources cite, sorted.
    pub files: Vec<String>,
    /// How many resources had each outcome (all zero for a check that
    /// judged no resources one by one).
    pub resources: ResourceCounts,
}

impl ResultSummary {
    /// The summary of a result as stored (compact, or with its resources
    /// inline as earlier releases recorded them).
    pub(crate) fn of_stored(value: &Value) -> Result<ResultSummary> {
        if results::is_compact(value) {
            let compact: CompactResult = serde_json::from_value(value.clone())?;
            return Ok(ResultSummary {
                resources: compact.resource_lists.counts(),
                files: compact.resource_lists.files,
                check: compact.check,
                requirement: compact.requirement,
                framework: compact.framework,
                status: compact.status,
                reason: compact.reason,
                evidence: compact.evidence,
            });
        }
        let result: CheckResult = serde_json::from_value(value.clone())?;
        Ok(ResultSummary::of(&result))
    }

    /// The summary of `result`.
    pub fn of(result: &CheckResult) -> ResultSummary {
        let mut files: Vec<String> = result
            .resources
            .iter()
            .flat_map(|r| r.evidence.iter().map(|e| e.path.clone()))
            .collect();
        files.sort();
        files.dedup();
        ResultSummary {
            check: result.check.clone(),
            requirement: result.requirement.clone(),
            framework: result.framework.clone(),
            status: result.status,
            reason: result.reason.clone(),
            evidence: results::own_evidence(result).0,
            files,
            resources: ResourceCounts::of(&result.resources),
        }
    }

    /// How the result feeds `requirement` of `catalog` (see
    /// [`crate::checks::strength_in`]).
    pub fn strength_in(&self, catalog: &Catalog, requirement: &str) -> MappingStrength {
        if self.requirement.is_some() {
            return MappingStrength::Supports;
        }
        catalog
            .strength_for(requirement, &self.check)
            .unwrap_or(MappingStrength::Supports)
    }
}

/// A run's verdicts and results without the resources' rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOverview {
    /// The ID (the sequence number of the run event).
    pub id: i64,
    /// The assessment.
    pub assessment: i64,
    /// When it was recorded.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Who recorded it.
    pub by: super::model::Person,
    /// The catalog whose mapping gave the verdicts.
    pub catalog_id: String,
    /// The check settings used (as JSON).
    pub settings: Value,
    /// The evidence files evaluated.
    pub files: Vec<RunFile>,
    /// Every result, in the run's order (verdicts refer to them by index).
    pub results: Vec<ResultSummary>,
    /// Every requirement's verdict, in catalog order.
    pub verdicts: Vec<LinkedVerdict>,
}

impl RunOverview {
    /// The verdict of `requirement`, if the catalog has it.
    pub fn verdict(&self, requirement: &str) -> Option<&LinkedVerdict> {
        self.verdicts.iter().find(|v| v.requirement == requirement)
    }

    /// The results behind `requirement`'s verdict, with their indexes.
    pub fn results_of(&self, requirement: &str) -> Vec<(usize, &ResultSummary)> {
        self.verdict(requirement)
            .map(|v| {
                v.results
                    .iter()
                    .filter_map(|&i| self.results.get(i).map(|r| (i, r)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many requirements got each verdict.
    pub fn counts(&self) -> VerdictCounts {
        VerdictCounts::of(self.verdicts.iter().map(|v| &v.status))
    }
}

/// One page of a result's resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourcePage {
    /// The run.
    pub run: i64,
    /// The result's index in the run.
    pub result: usize,
    /// Which of its resources.
    pub kind: ResourceKind,
    /// The position of the first row among them.
    pub offset: usize,
    /// How many there are in all.
    pub total: usize,
    /// The rows, in the order judged.
    pub rows: Vec<ResourceResult>,
}

impl Store {
    /// The verdicts and results of run `id`, without the resources' rows.
    pub fn run_overview(&self, id: i64) -> Result<Option<RunOverview>> {
        self.read(|conn| run_overview(conn, &People::load(conn)?, id))
    }

    /// [`Store::run_overview`] of the latest run of `assessment`.
    pub fn latest_run_overview(&self, assessment: i64) -> Result<Option<RunOverview>> {
        self.read(|conn| match read::latest_run_id(conn, assessment)? {
            Some(id) => run_overview(conn, &People::load(conn)?, id),
            None => Ok(None),
        })
    }

    /// The results of `assessment`'s latest run with only their resources
    /// that do not pass: what the scope diagram and the failures by scope
    /// need, read in proportion to the findings (empty without a run).
    pub fn latest_run_not_passing(&self, assessment: i64) -> Result<Vec<CheckResult>> {
        self.read(|conn| {
            let Some(id) = read::latest_run_id(conn, assessment)? else {
                return Ok(Vec::new());
            };
            let mut stmt =
                conn.prepare("SELECT result FROM check_results WHERE run = ?1 ORDER BY idx")?;
            let mut out = Vec::new();
            for text in stmt.query_map([id], |row| row.get::<_, String>(0))? {
                let value: Value = serde_json::from_str(&text?)?;
                out.push(results::not_passing_of(conn, &value)?);
            }
            Ok(out)
        })
    }

    /// Rows `offset..offset + limit` of result `result` of run `run`: those
    /// that do not pass, or those that pass.
    pub fn resource_page(
        &self,
        run: i64,
        result: usize,
        kind: ResourceKind,
        offset: usize,
        limit: usize,
    ) -> Result<ResourcePage> {
        self.read(|conn| {
            let value = stored_result(conn, run, result)?;
            let all = results::rows_of(conn, &value, kind)?;
            let total = all.len();
            let rows = all.into_iter().skip(offset).take(limit).collect();
            Ok(ResourcePage {
                run,
                result,
                kind,
                offset,
                total,
                rows,
            })
        })
    }
}

/// Result `index` of run `run` as stored.
fn stored_result(conn: &Connection, run: i64, index: usize) -> Result<Value> {
    let text: Option<String> = conn
        .query_row(
            "SELECT result FROM check_results WHERE run = ?1 AND idx = ?2",
            rusqlite::params![run, super::apply::to_i64(index as u64)],
            |row| row.get(0),
        )
        .optional()?;
    let text =
        text.ok_or_else(|| StoreError::NotFound(format!("run #{run} has no result {index}")))?;
    Ok(serde_json::from_str(&text)?)
}

pub(crate) fn run_overview(
    conn: &Connection,
    people: &People,
    id: i64,
) -> Result<Option<RunOverview>> {
    let Some(head) = read::run_head(conn, people, id)? else {
        return Ok(None);
    };
    let mut summaries = Vec::new();
    let mut stmt = conn.prepare("SELECT result FROM check_results WHERE run = ?1 ORDER BY idx")?;
    for text in stmt.query_map([id], |row| row.get::<_, String>(0))? {
        let value: Value = serde_json::from_str(&text?)?;
        summaries.push(ResultSummary::of_stored(&value)?);
    }
    let verdicts = read::linked_verdicts(conn, id, summaries.len())?;
    Ok(Some(RunOverview {
        id,
        assessment: head.assessment,
        at: head.at,
        by: head.by,
        catalog_id: head.catalog_id,
        settings: head.settings,
        files: head.files,
        results: summaries,
        verdicts,
    }))
}
