//! The auditor's tracking of evidence requests: owner, due date, status
//! and a note per request, each change an event. Which requests exist is
//! derived elsewhere (see [`crate::requests`]); the record keeps only what
//! people decided about them.

use rusqlite::{Connection, params};

use super::Store;
use super::error::{Result, StoreError};
use super::event::{Change, record};
use super::model::*;
use super::read::{self, People, parse_time};

impl Store {
    /// Records the owner, due date, status and note of evidence request
    /// `update.key` in `assessment`. Needs a reviewer profile; an update
    /// that changes nothing is refused.
    pub fn set_evidence_request(
        &mut self,
        actor: &Actor,
        assessment: i64,
        update: &RequestUpdate,
    ) -> Result<TrackedRequest> {
        let update = RequestUpdate {
            key: update.key.trim().to_owned(),
            title: update.title.trim().to_owned(),
            owner: update.owner.trim().to_owned(),
            note: update.note.trim().to_owned(),
            ..update.clone()
        };
        if update.key.is_empty() || update.title.is_empty() {
            return Err(StoreError::Invalid(
                "an evidence request needs a key and a title".into(),
            ));
        }
        self.write(|conn| {
            if actor.profile.is_none() {
                return Err(StoreError::Rule(
                    "a reviewer profile is needed to track evidence requests; choose or create one first".into(),
                ));
            }
            read::require_assessment(conn, assessment)?;
            let people = People::load(conn)?;
            if let Some(old) = tracked(conn, &people, assessment)?
                .into_iter()
                .find(|r| r.update.key == update.key)
                && old.update == update
            {
                return Err(StoreError::Rule(format!(
                    "the request \"{}\" already says this",
                    update.title
                )));
            }
            record(
                conn,
                actor,
                Some(assessment),
                &Change::RequestUpdated {
                    key: update.key.clone(),
                    title: update.title.clone(),
                    owner: update.owner.clone(),
                    due: update.due,
                    status: update.status,
                    note: update.note.clone(),
                },
            )?;
            tracked(conn, &People::load(conn)?, assessment)?
                .into_iter()
                .find(|r| r.update.key == update.key)
                .ok_or_else(|| StoreError::Corrupt("the request just recorded is not there".into()))
        })
    }

    /// Every evidence request of `assessment` the auditor has tracked, by key.
    pub fn evidence_requests(&self, assessment: i64) -> Result<Vec<TrackedRequest>> {
        self.read(|conn| {
            read::require_assessment(conn, assessment)?;
            tracked(conn, &People::load(conn)?, assessment)
        })
    }
}

/// The tracked requests of `assessment`, by key.
pub(crate) fn tracked(
    conn: &Connection,
    people: &People,
    assessment: i64,
) -> Result<Vec<TrackedRequest>> {
    let mut stmt = conn.prepare(
        "SELECT key, title, owner, due, status, note, updated_by, os_user, updated_at, seq
         FROM evidence_requests WHERE assessment = ?1 ORDER BY key",
    )?;
    let rows = stmt.query_map(params![assessment], |row| {
        Ok((
            (
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ),
            (
                row.get::<_, Option<i64>>(6)?,
                row.get::<_, String>(7)?,
                row.get::<_, String>(8)?,
                row.get::<_, i64>(9)?,
            ),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let ((key, title, owner, due, status, note), (by, os_user, at, seq)) = row?;
        out.push(TrackedRequest {
            update: RequestUpdate {
                key,
                title,
                owner,
                due: due
                    .map(|d| {
                        d.parse()
                            .map_err(|_| StoreError::Corrupt(format!("due date `{d}`")))
                    })
                    .transpose()?,
                status: RequestStatus::from_id(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("request status `{status}`")))?,
                note,
            },
            updated_by: people.person_at(by, os_user, seq),
            updated_at: parse_time(&at)?,
            event: seq,
        });
    }
    Ok(out)
}
