//! Review notes: the points a reviewer raises on a requirement, the
//! preparer's answers and their clearing, each an event in the chain
//! (`review_note.raised`, `review_note.answered`, `review_note.cleared`).
//!
//! An open note blocks the requirement's reviewer sign-off and the
//! assessment's approval; no override covers it. Whoever prepared a
//! requirement (signed it off as preparer, or recorded its current
//! finding) neither raises nor clears notes on it: they answer them.

use rusqlite::{Connection, params};

use super::Store;
use super::changes::{check_requirement, require_reviewer_in};
use super::error::{Result, StoreError};
use super::event::{Change, record};
use super::model::{
    Actor, OpenReviewNote, RequirementState, ReviewNote, ReviewNoteEntry, SignOffLevel,
};
use super::read::{self, People, parse_time};
use crate::catalog::Catalog;

/// The longest review note, answer or remark, in characters.
pub const MAX_REVIEW_NOTE_CHARS: usize = 20_000;

impl Store {
    /// A reviewer raises a note on `requirement`. Refused to whoever
    /// prepared it.
    pub fn raise_review_note(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        requirement: &str,
        text: &str,
    ) -> Result<ReviewNote> {
        let text = checked_text(text, "a review note")?;
        self.write(|conn| {
            let profile = require_reviewer_in(conn, actor, assessment, "raise a review note")?;
            check_requirement(conn, assessment, catalog, requirement)?;
            let people = People::load(conn)?;
            let state = state_of(conn, &people, assessment, requirement)?;
            if let Some(what) = prepared(conn, assessment, &state, profile.id)? {
                return Err(StoreError::Rule(format!(
                    "{} {what}; review notes on it are raised by a reviewer, and its preparer answers them",
                    profile.name
                )));
            }
            let seq = record(
                conn,
                actor,
                Some(assessment),
                &Change::ReviewNoteRaised {
                    requirement: requirement.to_owned(),
                    text,
                },
            )?;
            find(conn, seq)
        })
    }

    /// Answers open review note `note` (the preparer, usually).
    pub fn answer_review_note(
        &mut self,
        actor: &Actor,
        note: i64,
        text: &str,
    ) -> Result<ReviewNote> {
        let text = checked_text(text, "an answer")?;
        self.write(|conn| {
            let old = find(conn, note)?;
            require_reviewer_in(conn, actor, old.assessment, "answer a review note")?;
            refuse_cleared(&old)?;
            record(
                conn,
                actor,
                Some(old.assessment),
                &Change::ReviewNoteAnswered {
                    note,
                    requirement: old.requirement.clone(),
                    text,
                },
            )?;
            find(conn, note)
        })
    }

    /// Clears open review note `note`, with an optional remark. Refused to
    /// whoever prepared the requirement.
    pub fn clear_review_note(
        &mut self,
        actor: &Actor,
        note: i64,
        remark: &str,
    ) -> Result<ReviewNote> {
        let remark = remark.trim().to_owned();
        if remark.chars().count() > MAX_REVIEW_NOTE_CHARS {
            return Err(StoreError::Invalid(format!(
                "a remark is at most {MAX_REVIEW_NOTE_CHARS} characters"
            )));
        }
        self.write(|conn| {
            let old = find(conn, note)?;
            let profile = require_reviewer_in(conn, actor, old.assessment, "clear a review note")?;
            refuse_cleared(&old)?;
            let people = People::load(conn)?;
            let state = state_of(conn, &people, old.assessment, &old.requirement)?;
            if let Some(what) = prepared(conn, old.assessment, &state, profile.id)? {
                return Err(StoreError::Rule(format!(
                    "{} {what}, so a reviewer clears {} (the preparer answers it)",
                    profile.name,
                    old.label()
                )));
            }
            record(
                conn,
                actor,
                Some(old.assessment),
                &Change::ReviewNoteCleared {
                    note,
                    requirement: old.requirement.clone(),
                    text: remark,
                },
            )?;
            find(conn, note)
        })
    }

    /// Every review note of `assessment`, oldest first, cleared ones
    /// included.
    pub fn review_notes(&self, assessment: i64) -> Result<Vec<ReviewNote>> {
        self.read(|conn| {
            read::require_assessment(conn, assessment)?;
            notes(
                conn,
                &People::load(conn)?,
                "WHERE assessment = ?1",
                params![assessment],
            )
        })
    }

    /// One review note.
    pub fn review_note(&self, note: i64) -> Result<ReviewNote> {
        self.read(|conn| find(conn, note))
    }
}

fn checked_text(text: &str, what: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(StoreError::Invalid(format!("{what} needs text")));
    }
    if text.chars().count() > MAX_REVIEW_NOTE_CHARS {
        return Err(StoreError::Invalid(format!(
            "{what} is at most {MAX_REVIEW_NOTE_CHARS} characters"
        )));
    }
    Ok(text.to_owned())
}

fn refuse_cleared(note: &ReviewNote) -> Result<()> {
    match &note.cleared {
        Some(cleared) => Err(StoreError::Rule(format!(
            "{} on {} was already cleared by {} at event #{}",
            note.label(),
            note.requirement,
            cleared.by.name.as_deref().unwrap_or(&cleared.by.os_user),
            cleared.event
        ))),
        None => Ok(()),
    }
}

fn state_of(
    conn: &Connection,
    people: &People,
    assessment: i64,
    requirement: &str,
) -> Result<RequirementState> {
    let index = super::binding::RunIndex::latest(conn, assessment)?;
    read::requirement_state(conn, people, &index, assessment, requirement)
}

/// How `profile` prepared the requirement of `state`, if it did: it
/// signed it off as preparer, or recorded its current finding.
pub(crate) fn prepared(
    conn: &Connection,
    assessment: i64,
    state: &RequirementState,
    profile: i64,
) -> Result<Option<String>> {
    let requirement = &state.requirement;
    let signed: i64 = conn.query_row(
        "SELECT count(*) FROM sign_offs WHERE assessment = ?1 AND requirement = ?2 AND profile = ?3 AND level = ?4",
        params![
            assessment,
            requirement,
            profile,
            SignOffLevel::Preparer.id()
        ],
        |row| row.get(0),
    )?;
    if signed > 0 {
        return Ok(Some(format!("signed off {requirement} as its preparer")));
    }
    let recorded = state
        .review
        .as_ref()
        .is_some_and(|r| r.finding.is_some() && r.reviewer.profile == Some(profile));
    Ok(recorded.then(|| format!("recorded the finding of {requirement}")))
}

/// The review notes of one requirement, oldest first.
pub(crate) fn of_requirement(
    conn: &Connection,
    people: &People,
    assessment: i64,
    requirement: &str,
) -> Result<Vec<ReviewNote>> {
    notes(
        conn,
        people,
        "WHERE assessment = ?1 AND requirement = ?2",
        params![assessment, requirement],
    )
}

/// The open review notes of `assessment`, as the approval gate names them.
pub(crate) fn open_in(conn: &Connection, assessment: i64) -> Result<Vec<OpenReviewNote>> {
    let people = People::load(conn)?;
    Ok(notes(
        conn,
        &people,
        "WHERE assessment = ?1 AND cleared_seq IS NULL",
        params![assessment],
    )?
    .into_iter()
    .map(|n| OpenReviewNote {
        id: n.id,
        raised_by: n
            .raised_by
            .name
            .clone()
            .unwrap_or(n.raised_by.os_user.clone()),
        requirement: n.requirement,
    })
    .collect())
}

/// Refuses an approval while any review note of `assessment` is open.
pub(crate) fn refuse_open(conn: &Connection, assessment: i64) -> Result<()> {
    let open = open_in(conn, assessment)?;
    if open.is_empty() {
        return Ok(());
    }
    let gate = super::model::ApprovalGate {
        review_notes: open,
        ..Default::default()
    };
    Err(StoreError::Rule(format!(
        "the assessment cannot be approved while {} review note(s) are open: {}. A review note is answered and cleared, never overridden",
        gate.review_notes.len(),
        gate.describe_review_notes()
    )))
}

fn find(conn: &Connection, note: i64) -> Result<ReviewNote> {
    notes(conn, &People::load(conn)?, "WHERE id = ?1", params![note])?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::NotFound(format!("there is no review note RN-{note}")))
}

type NoteRow = (
    (i64, i64, String, String, Option<i64>, String, String),
    (
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
);

fn notes(
    conn: &Connection,
    people: &People,
    filter: &str,
    values: impl rusqlite::Params,
) -> Result<Vec<ReviewNote>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, assessment, requirement, text, raised_by, os_user, raised_at,
                cleared_seq, cleared_by, cleared_os_user, cleared_at, cleared_text
         FROM review_notes {filter} ORDER BY id"
    ))?;
    let rows: Vec<NoteRow> = stmt
        .query_map(values, |row| {
            Ok((
                (
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ),
                (
                    row.get(7)?,
                    row.get(8)?,
                    row.get(9)?,
                    row.get(10)?,
                    row.get(11)?,
                ),
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut answers = conn.prepare(
        "SELECT id, answered_by, os_user, answered_at, text FROM review_note_answers WHERE note = ?1 ORDER BY id",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (
        (id, assessment, requirement, text, raised_by, os_user, raised_at),
        (cleared_seq, cleared_by, cleared_os_user, cleared_at, cleared_text),
    ) in rows
    {
        let replies = answers
            .query_map([id], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, Option<i64>>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(|(event, by, os_user, at, text)| {
                Ok(ReviewNoteEntry {
                    event,
                    by: people.person_at(by, os_user, event),
                    at: parse_time(&at)?,
                    text,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let cleared = match (cleared_seq, cleared_at) {
            (Some(event), Some(at)) => Some(ReviewNoteEntry {
                event,
                by: people.person_at(cleared_by, cleared_os_user.unwrap_or_default(), event),
                at: parse_time(&at)?,
                text: cleared_text.unwrap_or_default(),
            }),
            _ => None,
        };
        out.push(ReviewNote {
            id,
            assessment,
            requirement,
            text,
            raised_by: people.person_at(raised_by, os_user, id),
            raised_at: parse_time(&raised_at)?,
            answers: replies,
            cleared,
        });
    }
    Ok(out)
}
