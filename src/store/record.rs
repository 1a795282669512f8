//! The whole record of one assessment as one serde value: what the JSON,
//! HTML and OSCAL exports render.

use serde::{Deserialize, Serialize};

use super::Store;
use super::history;
use super::model::*;
use super::prior::PriorPeriod;
use super::queries::requirement_states;
use super::read::{self, People};

/// The version of [`AssessmentRecord`]'s shape. Raised when a field is
/// renamed or removed, or its meaning changes (2: a review's `conclusion`
/// became `finding` and `method` with worksheets; `prior_period` added).
pub const RECORD_SCHEMA_VERSION: u32 = 2;

/// A snapshot of everything the review record holds about one assessment,
/// taken in one read transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentRecord {
    /// [`RECORD_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The Tickmark version that made the snapshot.
    pub tickmark_version: String,
    /// Name, cluster, period, catalog, creation.
    pub assessment: Assessment,
    /// Every reviewer profile of the record (events refer to them by ID).
    pub profiles: Vec<Profile>,
    /// Every evidence file with its provenance, replaced ones included.
    pub files: Vec<EvidenceFile>,
    /// Every run, oldest first, without results.
    pub runs: Vec<RunSummary>,
    /// The latest run with its check results and verdicts.
    pub latest_run: Option<Run>,
    /// Every requirement's review state: verdict, cited evidence hashes,
    /// review, attachments (metadata and SHA-256), sign-offs with `stale`.
    pub requirements: Vec<RequirementState>,
    /// The security lead's decisions.
    pub approval: ApprovalState,
    /// The assessment's events with their hashes, oldest first.
    pub events: Vec<EventRecord>,
    /// The last event of the whole record when the snapshot was taken.
    pub chain_head: Option<ChainHead>,
    /// The assessment this one was started from and what it recorded,
    /// mapped onto this one's requirements (none if it was not started
    /// from another).
    #[serde(default)]
    pub prior_period: Option<PriorPeriod>,
    /// The auditor's tracking of evidence requests (owner, due date,
    /// status), by key; empty in records made before it existed.
    #[serde(default)]
    pub requests: Vec<TrackedRequest>,
    /// Every PCI scope recorded for the assessment, oldest first (the last
    /// is the current one); empty in records made before scope existed.
    #[serde(default)]
    pub scopes: Vec<super::RecordedScope>,
    /// Every signature of the assessment (signed sign-offs, approvals,
    /// seals), oldest first, with the statement, the signature, the key and
    /// the principal to check each with `ssh-keygen -Y verify`; empty in
    /// records made before signatures existed.
    #[serde(default)]
    pub signatures: Vec<RecordedSignature>,
    /// The latest seal of the record for this assessment (a signed seal or
    /// decision of the security lead): the chain head it signs and the
    /// signature. What `tickmark verify --against` checks the record
    /// against, with [`AssessmentRecord::chain_head`].
    #[serde(default)]
    pub seal: Option<RecordedSignature>,
}

impl Store {
    /// The whole record of `assessment`.
    pub fn record(&self, assessment: i64) -> super::Result<AssessmentRecord> {
        self.read(|conn| record(conn, assessment))
    }

    /// The whole record of `assessment` and, from the same snapshot, what
    /// [`Store::check_assessment`] finds wrong with it and with the prior
    /// period it shows (empty when their rows match the event log): what an
    /// export renders and whether it may.
    pub fn checked_record(
        &self,
        assessment: i64,
    ) -> super::Result<(AssessmentRecord, Vec<super::Problem>)> {
        self.read(|conn| {
            let record = record(conn, assessment)?;
            // The prior period's findings are rendered too: its rows are
            // checked with this assessment's.
            let mut checked = vec![assessment];
            checked.extend(record.prior_period.as_ref().map(|p| p.assessment.id));
            let problems = super::verify::check_assessments(conn, &checked)?;
            Ok((record, problems))
        })
    }
}

fn record(conn: &rusqlite::Connection, assessment: i64) -> super::Result<AssessmentRecord> {
    let people = People::load(conn)?;
    let found = read::require_assessment(conn, assessment)?;
    let signatures = super::signed::signatures(conn, &people, assessment)?;
    let latest_run = match read::latest_run_id(conn, assessment)? {
        Some(id) => read::run(conn, &people, id)?,
        None => None,
    };
    Ok(AssessmentRecord {
        schema_version: RECORD_SCHEMA_VERSION,
        tickmark_version: env!("CARGO_PKG_VERSION").to_owned(),
        assessment: found,
        profiles: read::profiles(conn)?,
        files: read::evidence_files(conn, &people, assessment, false)?,
        runs: read::runs(conn, &people, assessment)?,
        latest_run,
        requirements: requirement_states(conn, assessment)?,
        approval: read::approvals(conn, &people, assessment)?,
        events: history::events(conn, &people, Some(assessment))?,
        chain_head: read::chain_head(conn)?,
        prior_period: super::prior::prior_period(conn, assessment)?,
        requests: super::requests::tracked(conn, &people, assessment)?,
        scopes: super::scope::scopes(conn, &people, assessment)?,
        seal: signatures
            .iter()
            .rev()
            .find(|s| !matches!(s.kind.as_str(), "sign-off" | "reviewer-sign-off"))
            .cloned(),
        signatures,
    })
}
