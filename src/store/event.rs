//! The append-only event log and its hash chain.
//!
//! Every change is one [`Change`], stored as an event row: sequence number,
//! time, actor (profile + OS user), kind, assessment and the change's
//! canonical JSON payload. The event's hash is SHA-256 over the previous
//! event's hash, a newline, and the canonical JSON of
//! `{seq, at, actor: {profile, os_user}, kind, assessment, payload}`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::binding::SignOffBinding;
use super::canonical::canonical_json;
use super::error::{Result, StoreError};
use super::model::{
    Actor, CompensatingControl, Conclusion, CustomizedApproach, Decision, Finding, Method,
    OpenItems, RequestStatus, ReviewInput, Role, RunFile, SignOffLevel,
};
use crate::evidence::Format;
use crate::evidence::custody::Custody;
use crate::evidence::sensitive::SensitiveFinding;

/// The previous hash of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Every event kind, as stored in the `kind` column.
pub const EVENT_KINDS: &[&str] = &[
    "profile.created",
    "profile.updated",
    "assessment.created",
    "assessment.updated",
    "evidence.imported",
    "run.recorded",
    "review.recorded",
    "attachment.added",
    "attachment.withdrawn",
    "signoff.recorded",
    "approval.recorded",
    "request.updated",
    "scope.recorded",
    "evidence.retired",
    "evidence.kept",
    "evidence.redacted",
    "blob.purged",
    "profile.key_registered",
    "profile.retired",
    "assessment.archived",
    "assessment.restored",
    "record.sealed",
    "review_note.raised",
    "review_note.answered",
    "review_note.cleared",
];

/// One change to the review record. The serde tag is the event kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub(crate) enum Change {
    #[serde(rename = "profile.created")]
    ProfileCreated {
        name: String,
        email: String,
        role: Role,
        /// The bundled sample's fictional auditor (absent, false, in every
        /// other profile's event and in events written before schema 3).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        sample: bool,
    },
    #[serde(rename = "profile.updated")]
    ProfileUpdated {
        profile: i64,
        name: String,
        email: String,
        role: Role,
    },
    #[serde(rename = "assessment.created")]
    AssessmentCreated {
        name: String,
        cluster: String,
        period_start: NaiveDate,
        period_end: NaiveDate,
        catalog: String,
        /// The assessment this one was started from (its conclusions show
        /// as the prior period); absent in events written before v4.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prior_assessment: Option<i64>,
        /// The bundled sample assessment (absent, false, otherwise).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        sample: bool,
    },
    #[serde(rename = "assessment.updated")]
    AssessmentUpdated {
        cluster: String,
        period_start: NaiveDate,
        period_end: NaiveDate,
    },
    #[serde(rename = "evidence.imported")]
    EvidenceImported {
        path: String,
        sha256: String,
        size: u64,
        format: Format,
        tool: Option<String>,
        tool_version: Option<String>,
        imported_at: DateTime<Utc>,
        notes: Vec<String>,
        supersedes: Option<i64>,
        /// What the collection manifest imported with the file says about
        /// it (absent in events written before schema step 3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        custody: Option<Box<Custody>>,
        /// The resources the file describes (ARM IDs, `namespace/Kind/name`);
        /// absent before schema step 3 and for files that describe none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        resources: Vec<String>,
        /// Sensitive data found in it, masked (absent before schema step 3).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        sensitive: Vec<SensitiveFinding>,
        /// Current files of other paths whose every resource this one
        /// describes anew: it supersedes them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        replaces: Vec<i64>,
        /// When the file was redacted before it was stored: the hash and
        /// size of the bytes as they were (never stored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        original: Option<OriginalBytes>,
    },
    /// Results are kept as the JSON they were recorded as, so that a later
    /// version of `CheckResult` replays old runs byte for byte.
    #[serde(rename = "run.recorded")]
    RunRecorded {
        catalog: String,
        settings: Value,
        files: Vec<RunFile>,
        results: Vec<Value>,
        verdicts: Vec<StoredVerdict>,
    },
    /// A review. Events written before v4 carry `conclusion` (one value,
    /// `in_place_ccw` for In Place with a compensating control) and none of
    /// the fields after it; later events carry `finding` and `method` (and a
    /// worksheet) and never `conclusion`. [`Change::review_input`] reads both.
    #[serde(rename = "review.recorded")]
    ReviewRecorded {
        requirement: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conclusion: Option<String>,
        #[serde(default)]
        finding: Option<Finding>,
        #[serde(default)]
        method: Method,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        compensating: Option<CompensatingControl>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customized: Option<CustomizedApproach>,
        note: String,
    },
    #[serde(rename = "attachment.added")]
    AttachmentAdded {
        requirement: String,
        file_name: String,
        media_type: String,
        sha256: String,
        size: u64,
    },
    #[serde(rename = "attachment.withdrawn")]
    AttachmentWithdrawn {
        attachment: i64,
        requirement: String,
        reason: String,
    },
    #[serde(rename = "signoff.recorded")]
    SignOffRecorded {
        requirement: String,
        role: Role,
        statement: String,
        run: Option<i64>,
        binding: SignOffBinding,
        binding_hash: String,
        /// The signer's SSH signature of the statement (absent when the
        /// profile had no key, and in events written before schema 3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<EventSignature>,
        /// Preparer or reviewer; absent for a preparer's sign-off (and in
        /// every sign-off written before reviewer sign-offs existed).
        #[serde(default, skip_serializing_if = "SignOffLevel::is_preparer")]
        level: SignOffLevel,
        /// For a reviewer sign-off: the preparer sign-off reviewed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reviews: Option<i64>,
    },
    #[serde(rename = "approval.recorded")]
    ApprovalRecorded {
        decision: Decision,
        role: Role,
        statement: String,
        justification: Option<String>,
        unconcluded: Vec<String>,
        bindings: BTreeMap<String, String>,
        binding_hash: String,
        /// The open items an approval overrode, named one by one (absent
        /// when nothing was open, and before schema 3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        open_items: Option<OpenItems>,
        /// The lead's SSH signature of the decision.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<EventSignature>,
    },
    /// An evidence file taken out of evaluation, with the reason.
    #[serde(rename = "evidence.retired")]
    EvidenceRetired { file: i64, reason: String },
    /// An evidence file with sensitive data kept as it is, deliberately.
    #[serde(rename = "evidence.kept")]
    EvidenceKept { file: i64, reason: String },
    /// A redacted copy of `file` stored in its place (a new evidence file
    /// that supersedes it); `replaced` lists what was replaced, masked.
    #[serde(rename = "evidence.redacted")]
    EvidenceRedacted {
        file: i64,
        sha256: String,
        size: u64,
        replaced: Vec<SensitiveFinding>,
        reason: String,
    },
    /// The stored bytes with `sha256` removed for good; the event keeps
    /// their hash and size, and who, why and what used them.
    #[serde(rename = "blob.purged")]
    BlobPurged {
        sha256: String,
        size: u64,
        subject: String,
        reason: String,
    },
    /// The auditor's tracking of one evidence request.
    #[serde(rename = "request.updated")]
    RequestUpdated {
        key: String,
        title: String,
        owner: String,
        due: Option<NaiveDate>,
        status: RequestStatus,
        note: String,
    },
    /// The effective PCI scope of the assessment's evidence, kept as the
    /// JSON it was recorded as (like a run's results).
    #[serde(rename = "scope.recorded")]
    ScopeRecorded { scope: Value },
    /// An SSH public key bound to a profile from this event on (replacing
    /// any earlier one).
    #[serde(rename = "profile.key_registered")]
    KeyRegistered {
        profile: i64,
        /// The key as one OpenSSH line without a comment.
        key: String,
        /// Its SHA-256 fingerprint.
        fingerprint: String,
    },
    /// A profile that signs and records nothing new from here on.
    #[serde(rename = "profile.retired")]
    ProfileRetired { profile: i64, reason: String },
    /// An assessment put out of sight (the sample, a finished one).
    #[serde(rename = "assessment.archived")]
    AssessmentArchived { reason: String },
    /// An archived assessment shown again.
    #[serde(rename = "assessment.restored")]
    AssessmentRestored {},
    /// A signature over the chain head: everything recorded up to here.
    #[serde(rename = "record.sealed")]
    RecordSealed {
        note: String,
        signature: EventSignature,
    },
    /// A reviewer's point on a requirement, to be answered and cleared.
    #[serde(rename = "review_note.raised")]
    ReviewNoteRaised { requirement: String, text: String },
    /// The preparer's answer to review note `note`.
    #[serde(rename = "review_note.answered")]
    ReviewNoteAnswered {
        note: i64,
        requirement: String,
        text: String,
    },
    /// Review note `note` settled (`text`: the remark, may be empty).
    #[serde(rename = "review_note.cleared")]
    ReviewNoteCleared {
        note: i64,
        requirement: String,
        text: String,
    },
}

/// A signed event's signature: the exact statement signed (see
/// `signed.rs`), the armored SSHSIG signature and the key's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct EventSignature {
    pub key: String,
    pub statement: String,
    pub signature: String,
}

/// The hash and size of bytes that were redacted before they were stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginalBytes {
    /// SHA-256 of the bytes as read.
    pub sha256: String,
    /// Their size.
    pub size: u64,
}

/// A requirement's verdict in a run: its status and the indexes of the
/// run's results behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredVerdict {
    pub requirement: String,
    pub status: crate::checks::VerdictStatus,
    pub results: Vec<usize>,
}

impl Change {
    /// The kind and the payload of the change.
    pub fn split(&self) -> Result<(String, Value)> {
        let mut tagged = serde_json::to_value(self)?;
        let kind = tagged
            .get("kind")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| StoreError::Corrupt("a change without a kind".into()))?;
        let payload = tagged
            .get_mut("payload")
            .map(Value::take)
            .unwrap_or(Value::Null);
        Ok((kind, payload))
    }

    /// The change an event's kind and payload describe.
    pub fn from_parts(kind: &str, payload: &Value) -> Result<Change, String> {
        if !EVENT_KINDS.contains(&kind) {
            return Err(format!("unknown event kind `{kind}`"));
        }
        let change: Change = serde_json::from_value(json!({"kind": kind, "payload": payload}))
            .map_err(|e| format!("the `{kind}` payload does not read: {e}"))?;
        change.review_input().map(|_| change)
    }

    /// A new review event recording `input`.
    pub fn review(requirement: &str, input: ReviewInput) -> Change {
        Change::ReviewRecorded {
            requirement: requirement.to_owned(),
            conclusion: None,
            finding: input.finding,
            method: input.method,
            compensating: input.compensating,
            customized: input.customized,
            note: input.note,
        }
    }

    /// What a review event records, whichever way it was written; `None`
    /// for other changes. An event that carries both the old single
    /// `conclusion` and the new `finding` or `method`, or an unknown
    /// conclusion value, does not read.
    pub fn review_input(&self) -> Result<Option<ReviewInput>, String> {
        let Change::ReviewRecorded {
            conclusion,
            finding,
            method,
            compensating,
            customized,
            note,
            ..
        } = self
        else {
            return Ok(None);
        };
        let (finding, method) = match conclusion {
            None => (*finding, *method),
            Some(_) if finding.is_some() || !method.is_defined() => {
                return Err(
                    "the review carries both a conclusion and a finding or method".to_owned(),
                );
            }
            Some(code) => {
                let read = Conclusion::from_code(code)
                    .ok_or_else(|| format!("unknown conclusion `{code}`"))?;
                (Some(read.finding), read.method)
            }
        };
        Ok(Some(ReviewInput {
            finding,
            method,
            compensating: compensating.clone(),
            customized: customized.clone(),
            note: note.clone(),
        }))
    }
}

/// An event as stored: the columns of an `events` row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EventRow {
    pub seq: i64,
    pub at: String,
    pub actor_profile: Option<i64>,
    pub actor_os_user: String,
    pub kind: String,
    pub assessment: Option<i64>,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl EventRow {
    /// The payload as JSON.
    pub fn payload_value(&self) -> Result<Value, String> {
        serde_json::from_str(&self.payload).map_err(|e| format!("the payload is not JSON: {e}"))
    }

    /// The hash this event's columns give, with its payload as `payload`.
    pub fn hash_with(&self, payload: &Value) -> String {
        event_hash(
            &self.prev_hash,
            self.seq,
            &self.at,
            self.actor_profile,
            &self.actor_os_user,
            &self.kind,
            self.assessment,
            payload,
        )
    }
}

pub(crate) const EVENT_COLUMNS: &str =
    "seq, at, actor_profile, actor_os_user, kind, assessment, payload, prev_hash, hash";

pub(crate) fn event_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        seq: row.get(0)?,
        at: row.get(1)?,
        actor_profile: row.get(2)?,
        actor_os_user: row.get(3)?,
        kind: row.get(4)?,
        assessment: row.get(5)?,
        payload: row.get(6)?,
        prev_hash: row.get(7)?,
        hash: row.get(8)?,
    })
}

/// The hash of an event with these columns.
#[allow(clippy::too_many_arguments)]
pub(crate) fn event_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor_profile: Option<i64>,
    actor_os_user: &str,
    kind: &str,
    assessment: Option<i64>,
    payload: &Value,
) -> String {
    let content = json!({
        "seq": seq,
        "at": at,
        "actor": {"profile": actor_profile, "os_user": actor_os_user},
        "kind": kind,
        "assessment": assessment,
        "payload": payload,
    });
    let text = format!("{prev_hash}\n{}", canonical_json(&content));
    crate::evidence::sha256_hex(text.as_bytes())
}

/// Appends `change` to the log (inside the caller's transaction) and
/// returns the stored row. Call [`super::apply::apply`] next.
pub(crate) fn append(
    conn: &Connection,
    actor: &Actor,
    assessment: Option<i64>,
    change: &Change,
) -> Result<EventRow> {
    let next = next_event(conn)?;
    append_at(conn, actor, assessment, change, next)
}

/// Where the next event goes: its number, the hash it follows and its time.
pub(crate) struct NextEvent {
    pub seq: i64,
    pub prev_hash: String,
    pub at: String,
}

/// The next event's number and link, and the time now.
pub(crate) fn next_event(conn: &Connection) -> Result<NextEvent> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    Ok(NextEvent {
        seq,
        prev_hash,
        at: super::now_text(),
    })
}

/// Appends `change` as event `next` (from [`next_event`], in the same
/// transaction).
fn append_at(
    conn: &Connection,
    actor: &Actor,
    assessment: Option<i64>,
    change: &Change,
    next: NextEvent,
) -> Result<EventRow> {
    let (kind, payload) = change.split()?;
    let NextEvent { seq, prev_hash, at } = next;
    // An assessment's ID is the number of the event that creates it, and
    // that event belongs to it.
    let assessment = match change {
        Change::AssessmentCreated { .. } => Some(seq),
        _ => assessment,
    };
    let hash = event_hash(
        &prev_hash,
        seq,
        &at,
        actor.profile,
        &actor.os_user,
        &kind,
        assessment,
        &payload,
    );
    let row = EventRow {
        seq,
        at,
        actor_profile: actor.profile,
        actor_os_user: actor.os_user.clone(),
        kind,
        assessment,
        payload: canonical_json(&payload),
        prev_hash,
        hash,
    };
    insert_row(conn, &row)?;
    Ok(row)
}

/// Stores an event row as it is (appended here or pulled from a server).
pub(crate) fn insert_row(conn: &Connection, row: &EventRow) -> Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO events ({EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ),
        params![
            row.seq,
            row.at,
            row.actor_profile,
            row.actor_os_user,
            row.kind,
            row.assessment,
            row.payload,
            row.prev_hash,
            row.hash
        ],
    )?;
    Ok(())
}

/// Appends `change` and materialises it, in the caller's transaction.
/// Returns the event's sequence number.
pub(crate) fn record(
    conn: &Connection,
    actor: &Actor,
    assessment: Option<i64>,
    change: &Change,
) -> Result<i64> {
    let row = append(conn, actor, assessment, change)?;
    super::apply::apply(conn, &row, change).map_err(StoreError::Corrupt)?;
    Ok(row.seq)
}

/// Appends `change` signed by `signer` (when given) and materialises it, in
/// the caller's transaction: the statement is made for the event's own
/// number, time and chain head, signed, and the signature becomes part of
/// the event. Returns the event's sequence number.
pub(crate) fn record_signed(
    conn: &Connection,
    actor: &Actor,
    assessment: Option<i64>,
    mut change: Change,
    signer: Option<&dyn crate::signing::Signer>,
) -> Result<i64> {
    let next = next_event(conn)?;
    if let Some(signer) = signer {
        let context = super::signed::Context {
            seq: next.seq,
            prev_hash: &next.prev_hash,
            at: &next.at,
            profile: actor.profile,
            os_user: &actor.os_user,
            assessment,
        };
        super::signed::sign(conn, &context, &mut change, signer)?;
    }
    let row = append_at(conn, actor, assessment, &change, next)?;
    super::apply::apply(conn, &row, &change).map_err(StoreError::Corrupt)?;
    Ok(row.seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_round_trip_through_kind_and_payload() {
        let change = Change::review(
            "1.2.1",
            ReviewInput {
                finding: Some(Finding::InPlace),
                method: Method::Compensating,
                compensating: Some(CompensatingControl {
                    constraints: "A legacy appliance".into(),
                    ..CompensatingControl::default()
                }),
                customized: None,
                note: "**ok**".into(),
            },
        );
        let (kind, payload) = change.split().unwrap();
        assert_eq!(kind, "review.recorded");
        assert_eq!(payload["finding"], "in_place");
        assert_eq!(payload["method"], "compensating");
        assert_eq!(payload["compensating"]["constraints"], "A legacy appliance");
        assert!(payload.get("conclusion").is_none());
        assert!(payload.get("customized").is_none());
        assert_eq!(Change::from_parts(&kind, &payload).unwrap(), change);
        assert!(Change::from_parts("review.deleted", &payload).is_err());
        assert!(Change::from_parts("profile.created", &payload).is_err());
    }

    #[test]
    fn reviews_written_before_v4_read_as_finding_and_method() {
        let old = json!({"requirement": "10.7", "conclusion": "in_place_ccw", "note": "CCW"});
        let change = Change::from_parts("review.recorded", &old).unwrap();
        let input = change.review_input().unwrap().unwrap();
        assert_eq!(input.finding, Some(Finding::InPlace));
        assert_eq!(input.method, Method::Compensating);
        assert_eq!(input.compensating, None);
        let none = json!({"requirement": "8.1.3", "conclusion": null, "note": "later"});
        let input = Change::from_parts("review.recorded", &none)
            .unwrap()
            .review_input()
            .unwrap()
            .unwrap();
        assert_eq!((input.finding, input.method), (None, Method::Defined));
        let both = json!({"requirement": "1", "conclusion": "in_place", "finding": "in_place", "note": ""});
        assert!(Change::from_parts("review.recorded", &both).is_err());
        let unknown = json!({"requirement": "1", "conclusion": "in_place_maybe", "note": ""});
        assert!(Change::from_parts("review.recorded", &unknown).is_err());
        let _ = Conclusion::defined(Finding::InPlace);
    }

    #[test]
    fn the_hash_covers_every_column() {
        let base = event_hash(
            GENESIS_HASH,
            1,
            "t",
            Some(2),
            "u",
            "k",
            Some(3),
            &json!({"a": 1}),
        );
        let variants = [
            event_hash("1", 1, "t", Some(2), "u", "k", Some(3), &json!({"a": 1})),
            event_hash(
                GENESIS_HASH,
                2,
                "t",
                Some(2),
                "u",
                "k",
                Some(3),
                &json!({"a": 1}),
            ),
            event_hash(
                GENESIS_HASH,
                1,
                "T",
                Some(2),
                "u",
                "k",
                Some(3),
                &json!({"a": 1}),
            ),
            event_hash(
                GENESIS_HASH,
                1,
                "t",
                None,
                "u",
                "k",
                Some(3),
                &json!({"a": 1}),
            ),
            event_hash(
                GENESIS_HASH,
                1,
                "t",
                Some(2),
                "v",
                "k",
                Some(3),
                &json!({"a": 1}),
            ),
            event_hash(
                GENESIS_HASH,
                1,
                "t",
                Some(2),
                "u",
                "j",
                Some(3),
                &json!({"a": 1}),
            ),
            event_hash(
                GENESIS_HASH,
                1,
                "t",
                Some(2),
                "u",
                "k",
                None,
                &json!({"a": 1}),
            ),
            event_hash(
                GENESIS_HASH,
                1,
                "t",
                Some(2),
                "u",
                "k",
                Some(3),
                &json!({"a": 2}),
            ),
        ];
        for v in variants {
            assert_ne!(v, base);
        }
    }
}
