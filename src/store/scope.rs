//! The effective PCI scope as the record keeps it: each time the scope an
//! assessment's evidence implies changes (a scope file or relabelled
//! namespaces imported), a `scope.recorded` event keeps the whole of it,
//! with its grounds and declared flows, so history shows when the boundary
//! moved and who imported what moved it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::Store;
use super::canonical::canonical_json;
use super::error::{Result, StoreError};
use super::event::{Change, record};
use super::model::{Actor, Person};
use super::read::{self, People, parse_time};
use crate::scope::Scope;

/// One scope the record kept for an assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedScope {
    /// The event that recorded it.
    pub event: i64,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// Who was importing or evaluating then.
    pub recorded_by: Person,
    /// The scope.
    pub scope: Scope,
}

impl Store {
    /// Records `scope` as `assessment`'s effective scope unless it equals
    /// the latest one recorded. Returns the new record, or `None` when
    /// nothing changed. A scope with nothing in it is recorded only once
    /// something was recorded before (the boundary was removed).
    pub fn record_scope(
        &mut self,
        actor: &Actor,
        assessment: i64,
        scope: &Scope,
    ) -> Result<Option<RecordedScope>> {
        let value = serde_json::to_value(scope)?;
        self.write(|conn| {
            if actor.os_user.trim().is_empty() {
                return Err(StoreError::Invalid("the OS user is empty".into()));
            }
            read::require_assessment(conn, assessment)?;
            let latest: Option<String> = conn
                .query_row(
                    "SELECT scope FROM scopes WHERE assessment = ?1 ORDER BY seq DESC LIMIT 1",
                    params![assessment],
                    |row| row.get(0),
                )
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })?;
            let unchanged = match &latest {
                Some(latest) => *latest == canonical_json(&value),
                None => !scope.is_known() && scope.flows.is_empty(),
            };
            if unchanged {
                return Ok(None);
            }
            let seq = record(
                conn,
                actor,
                Some(assessment),
                &Change::ScopeRecorded {
                    scope: value.clone(),
                },
            )?;
            Ok(scopes(conn, &People::load(conn)?, assessment)?
                .into_iter()
                .find(|s| s.event == seq))
        })
    }

    /// Every scope recorded for `assessment`, oldest first.
    pub fn scopes(&self, assessment: i64) -> Result<Vec<RecordedScope>> {
        self.read(|conn| {
            read::require_assessment(conn, assessment)?;
            scopes(conn, &People::load(conn)?, assessment)
        })
    }
}

/// The scopes recorded for `assessment`, oldest first.
pub(crate) fn scopes(
    conn: &Connection,
    people: &People,
    assessment: i64,
) -> Result<Vec<RecordedScope>> {
    let mut stmt = conn.prepare(
        "SELECT seq, scope, recorded_by, os_user, recorded_at FROM scopes
         WHERE assessment = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![assessment], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<i64>>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, scope, by, os_user, at) = row?;
        out.push(RecordedScope {
            event: seq,
            recorded_at: parse_time(&at)?,
            recorded_by: people.person_at(by, os_user, seq),
            scope: serde_json::from_str(&scope)
                .map_err(|e| StoreError::Corrupt(format!("the scope of event #{seq}: {e}")))?,
        });
    }
    Ok(out)
}

/// One line for history: what is in, connected and out, and the flows.
pub fn summary(scope: &Scope) -> String {
    use crate::scope::{ScopeClass, ScopeKind};
    let mut parts = Vec::new();
    for class in ScopeClass::ALL {
        let named: Vec<String> = ScopeKind::ALL
            .iter()
            .flat_map(|kind| scope.of_kind(*kind))
            .filter(|e| e.class == Some(class))
            .map(|e| e.label())
            .collect();
        if !named.is_empty() {
            parts.push(format!("{}: {}", class.label(), named.join(", ")));
        }
    }
    if parts.is_empty() {
        parts.push("nothing has a scope".to_owned());
    }
    let declared = scope
        .entries
        .iter()
        .filter(|e| e.grounds.first().is_some_and(|g| g.declared))
        .count();
    format!(
        "{}; {declared} declared in a scope file; {} declared flow(s) across the boundary",
        parts.join("; "),
        scope.flows.len()
    )
}
