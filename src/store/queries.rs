//! The read API: what the desktop app and the exports show.

use super::Store;
use super::binding::RunIndex;
use super::error::{Result, StoreError};
use super::history;
use super::model::*;
use super::read::{self, People};

impl Store {
    /// Every reviewer profile, oldest first.
    pub fn profiles(&self) -> Result<Vec<Profile>> {
        self.read(read::profiles)
    }

    /// One profile.
    pub fn profile(&self, id: i64) -> Result<Option<Profile>> {
        Ok(self.profiles()?.into_iter().find(|p| p.id == id))
    }

    /// Every assessment, oldest first.
    pub fn assessments(&self) -> Result<Vec<Assessment>> {
        self.read(|conn| read::assessments(conn, &People::load(conn)?))
    }

    /// The assessment named `name`.
    pub fn assessment(&self, name: &str) -> Result<Option<Assessment>> {
        self.read(|conn| read::assessment_by_name(conn, &People::load(conn)?, name))
    }

    /// The assessment with ID `id`.
    pub fn assessment_by_id(&self, id: i64) -> Result<Option<Assessment>> {
        self.read(|conn| read::assessment_by_id(conn, &People::load(conn)?, id))
    }

    /// The evidence files of an assessment, replaced ones included, in import
    /// order.
    pub fn evidence_files(&self, assessment: i64) -> Result<Vec<EvidenceFile>> {
        self.read(|conn| read::evidence_files(conn, &People::load(conn)?, assessment, false))
    }

    /// The current (not replaced) evidence files of an assessment.
    pub fn current_evidence_files(&self, assessment: i64) -> Result<Vec<EvidenceFile>> {
        self.read(|conn| read::evidence_files(conn, &People::load(conn)?, assessment, true))
    }

    /// The stored bytes with this SHA-256 (an evidence file's or an
    /// attachment's).
    pub fn evidence_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        self.read(|conn| read::blob(conn, sha256))
    }

    /// An attachment's bytes.
    pub fn attachment_bytes(&self, attachment: i64) -> Result<Vec<u8>> {
        self.read(|conn| {
            let meta =
                read::attachment(conn, &People::load(conn)?, attachment)?.ok_or_else(|| {
                    StoreError::NotFound(format!("there is no attachment #{attachment}"))
                })?;
            read::blob(conn, &meta.sha256)?.ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "the bytes of attachment #{attachment} ({}) are missing",
                    meta.file_name
                ))
            })
        })
    }

    /// One attachment's metadata.
    pub fn attachment(&self, attachment: i64) -> Result<Option<AttachmentMeta>> {
        self.read(|conn| read::attachment(conn, &People::load(conn)?, attachment))
    }

    /// The runs of an assessment, oldest first, without their results.
    pub fn runs(&self, assessment: i64) -> Result<Vec<RunSummary>> {
        self.read(|conn| read::runs(conn, &People::load(conn)?, assessment))
    }

    /// One run with its results and verdicts.
    pub fn run(&self, id: i64) -> Result<Option<Run>> {
        self.read(|conn| read::run(conn, &People::load(conn)?, id))
    }

    /// The latest run of an assessment: its results and verdicts.
    pub fn latest_run(&self, assessment: i64) -> Result<Option<Run>> {
        self.read(|conn| match read::latest_run_id(conn, assessment)? {
            Some(id) => read::run(conn, &People::load(conn)?, id),
            None => Ok(None),
        })
    }

    /// The current review of a requirement.
    pub fn review(&self, assessment: i64, requirement: &str) -> Result<Option<Review>> {
        self.read(|conn| read::review(conn, &People::load(conn)?, assessment, requirement))
    }

    /// A requirement's attachments, withdrawn ones included.
    pub fn attachments(&self, assessment: i64, requirement: &str) -> Result<Vec<AttachmentMeta>> {
        self.read(|conn| read::attachments(conn, &People::load(conn)?, assessment, requirement))
    }

    /// A requirement's sign-offs, each with its `stale` flag.
    pub fn sign_offs(&self, assessment: i64, requirement: &str) -> Result<Vec<SignOff>> {
        Ok(self.requirement_state(assessment, requirement)?.sign_offs)
    }

    /// Everything about one requirement: verdict, cited evidence, review,
    /// attachments, sign-offs (with `stale`).
    pub fn requirement_state(
        &self,
        assessment: i64,
        requirement: &str,
    ) -> Result<RequirementState> {
        self.read(|conn| {
            read::require_assessment(conn, assessment)?;
            let index = RunIndex::latest(conn, assessment)?;
            read::requirement_state(conn, &People::load(conn)?, &index, assessment, requirement)
        })
    }

    /// The state of every requirement the assessment has anything about:
    /// the latest run's requirements in catalog order, then any others with
    /// a review, attachment or sign-off.
    pub fn requirement_states(&self, assessment: i64) -> Result<Vec<RequirementState>> {
        self.read(|conn| requirement_states(conn, assessment))
    }

    /// The events that touched a requirement (reviews, attachments,
    /// sign-offs, runs that changed its results), oldest first, in words.
    pub fn requirement_history(
        &self,
        assessment: i64,
        requirement: &str,
    ) -> Result<Vec<HistoryEntry>> {
        self.read(|conn| {
            history::requirement_history(conn, &People::load(conn)?, assessment, requirement)
        })
    }

    /// The security lead's decisions on an assessment, each with `stale`.
    pub fn approval_state(&self, assessment: i64) -> Result<ApprovalState> {
        self.read(|conn| read::approvals(conn, &People::load(conn)?, assessment))
    }

    /// The events of one assessment (or, with `None`, all), oldest first.
    pub fn events(&self, assessment: Option<i64>) -> Result<Vec<EventRecord>> {
        self.read(|conn| history::events(conn, &People::load(conn)?, assessment))
    }

    /// The last event: its number and hash pin the whole history.
    pub fn chain_head(&self) -> Result<Option<ChainHead>> {
        self.read(read::chain_head)
    }

    /// The hash event `seq` carries, if the log has that event.
    pub fn event_hash(&self, seq: i64) -> Result<Option<String>> {
        self.read(|conn| {
            Ok(rusqlite::OptionalExtension::optional(conn.query_row(
                "SELECT hash FROM events WHERE seq = ?1",
                [seq],
                |row| row.get(0),
            ))?)
        })
    }

    /// The SSH signature of event `seq`, if it is a signed one.
    pub fn signature_of_event(&self, seq: i64) -> Result<Option<SignatureInfo>> {
        self.read(|conn| super::signed::signature_info(conn, seq))
    }
}

pub(crate) fn requirement_states(
    conn: &rusqlite::Connection,
    assessment: i64,
) -> Result<Vec<RequirementState>> {
    read::require_assessment(conn, assessment)?;
    let people = People::load(conn)?;
    let index = RunIndex::latest(conn, assessment)?;
    read::requirement_ids(conn, &index, assessment)?
        .iter()
        .map(|r| read::requirement_state(conn, &people, &index, assessment, r))
        .collect()
}
