//! Reading entity rows into the public types.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::binding::{RunIndex, SignOffBinding, binding_as_seen, current_binding};
use super::error::{Result, StoreError};
use super::event::Change;
use super::model::*;
use crate::checks::{LinkedVerdict, RequirementVerdict, VerdictStatus};
use crate::evidence::{Format, Provenance};

pub(crate) fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("time `{text}`: {e}")))
}

pub(crate) fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("date `{text}`: {e}")))
}

pub(crate) fn finding(id: &str) -> Result<Finding> {
    Finding::from_id(id).ok_or_else(|| StoreError::Corrupt(format!("finding `{id}`")))
}

pub(crate) fn method(id: &str) -> Result<Method> {
    Method::from_id(id).ok_or_else(|| StoreError::Corrupt(format!("method `{id}`")))
}

/// A worksheet column (canonical JSON, or NULL).
fn worksheet<T: serde::de::DeserializeOwned>(text: Option<&str>) -> Result<Option<T>> {
    text.map(|t| serde_json::from_str(t).map_err(StoreError::from))
        .transpose()
}

pub(crate) fn role(id: &str) -> Result<Role> {
    Role::from_id(id).ok_or_else(|| StoreError::Corrupt(format!("role `{id}`")))
}

fn decision(id: &str) -> Result<Decision> {
    Decision::from_id(id).ok_or_else(|| StoreError::Corrupt(format!("decision `{id}`")))
}

pub(crate) fn verdict_status(id: &str) -> Result<VerdictStatus> {
    VerdictStatus::ALL
        .into_iter()
        .find(|s| s.id() == id)
        .ok_or_else(|| StoreError::Corrupt(format!("verdict `{id}`")))
}

fn size(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Every version of every profile, to resolve the people recorded with
/// changes as they were when they made them (not as they are now).
pub(crate) struct People {
    /// Each profile's versions, oldest first: the event that wrote it and
    /// the name, e-mail and role it wrote.
    versions: HashMap<i64, Vec<ProfileVersion>>,
    /// Each profile's keys, oldest first: the event that bound it and the
    /// key (one OpenSSH line).
    keys: HashMap<i64, Vec<(i64, String)>>,
}

/// A profile as one `profile.created` or `profile.updated` event left it.
struct ProfileVersion {
    seq: i64,
    name: String,
    email: String,
    role: Role,
}

impl People {
    pub fn load(conn: &Connection) -> Result<People> {
        let (versions, keys) = profile_versions(conn)?;
        Ok(People { versions, keys })
    }

    /// The key bound to profile `id` just before event `seq`.
    pub fn key_at(&self, id: i64, seq: i64) -> Option<&str> {
        self.keys
            .get(&id)?
            .iter()
            .take_while(|(bound, _)| *bound < seq)
            .last()
            .map(|(_, key)| key.as_str())
    }

    /// The person who made the change of event `seq`: the profile's name,
    /// e-mail and role as they were just before that event.
    pub fn person_at(&self, profile: Option<i64>, os_user: String, seq: i64) -> Person {
        let found = profile.and_then(|id| self.as_of(id, seq));
        Person {
            profile,
            name: found.map(|p| p.name.clone()),
            email: found.map(|p| p.email.clone()),
            role: found.map(|p| p.role),
            os_user,
        }
    }

    /// The name `id` had just before event `seq`.
    pub fn name_at(&self, id: i64, seq: i64) -> Option<&str> {
        self.as_of(id, seq).map(|p| p.name.as_str())
    }

    fn as_of(&self, id: i64, seq: i64) -> Option<&ProfileVersion> {
        self.versions
            .get(&id)?
            .iter()
            .take_while(|v| v.seq < seq)
            .last()
    }
}

/// Every profile's keys, oldest first.
type KeyVersions = HashMap<i64, Vec<(i64, String)>>;

/// Every version of every profile and every key bound to one, from the
/// event log.
fn profile_versions(conn: &Connection) -> Result<(HashMap<i64, Vec<ProfileVersion>>, KeyVersions)> {
    let mut stmt = conn.prepare(
        "SELECT seq, kind, payload FROM events
         WHERE kind IN ('profile.created', 'profile.updated', 'profile.key_registered') ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out: HashMap<i64, Vec<ProfileVersion>> = HashMap::new();
    let mut keys: KeyVersions = HashMap::new();
    for (seq, kind, payload) in rows {
        // An unreadable event was changed outside Tickmark; `verify` names
        // it. Reading goes on with the versions that do read.
        let change = serde_json::from_str::<Value>(&payload)
            .map_err(|e| e.to_string())
            .and_then(|payload| Change::from_parts(&kind, &payload));
        let (id, name, email, role) = match change {
            Ok(Change::ProfileCreated {
                name, email, role, ..
            }) => (seq, name, email, role),
            Ok(Change::KeyRegistered { profile, key, .. }) => {
                keys.entry(profile).or_default().push((seq, key));
                continue;
            }
            Ok(Change::ProfileUpdated {
                profile,
                name,
                email,
                role,
            }) => (profile, name, email, role),
            Ok(_) => continue,
            Err(e) => {
                log::warn!(
                    "event #{seq} ({kind}) does not read, so a profile version is left out: {e}"
                );
                continue;
            }
        };
        out.entry(id).or_default().push(ProfileVersion {
            seq,
            name,
            email,
            role,
        });
    }
    Ok((out, keys))
}

/// A person as they were at event `seq`, with the role their row keeps
/// (a sign-off's or approval's role at the time) when it keeps one.
fn person_in_role(
    people: &People,
    profile: Option<i64>,
    role: Option<Role>,
    os_user: String,
    seq: i64,
) -> Person {
    let then = people.person_at(profile, os_user, seq);
    Person {
        role: role.or(then.role),
        ..then
    }
}

pub(crate) fn profiles(conn: &Connection) -> Result<Vec<Profile>> {
    let mut stmt = conn.prepare(
        "SELECT id, name, email, role, created_at, sample, ssh_key, key_fingerprint, key_seq,
                retired_seq, retired_at, retired_reason
         FROM profiles ORDER BY id",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((
            (
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, bool>(5)?,
            ),
            (
                row.get::<_, Option<String>>(6)?,
                row.get::<_, Option<String>>(7)?,
                row.get::<_, Option<i64>>(8)?,
                row.get::<_, Option<i64>>(9)?,
                row.get::<_, Option<String>>(10)?,
                row.get::<_, Option<String>>(11)?,
            ),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (
            (id, name, email, role_id, created_at, sample),
            (key, fingerprint, key_seq, retired_seq, retired_at, retired_reason),
        ) = row?;
        let key = match (key, fingerprint, key_seq) {
            (Some(openssh), Some(fingerprint), Some(event)) => Some(ProfileKey {
                openssh,
                fingerprint,
                event,
            }),
            _ => None,
        };
        out.push(Profile {
            id,
            name,
            email,
            role: role(&role_id)?,
            created_at: parse_time(&created_at)?,
            sample,
            key,
            retired: retirement(retired_seq, retired_at, retired_reason)?,
        });
    }
    Ok(out)
}

/// A retirement or archival from its three columns.
fn retirement(
    seq: Option<i64>,
    at: Option<String>,
    reason: Option<String>,
) -> Result<Option<Retirement>> {
    match (seq, at) {
        (Some(event), Some(at)) => Ok(Some(Retirement {
            event,
            at: parse_time(&at)?,
            reason: reason.unwrap_or_default(),
        })),
        _ => Ok(None),
    }
}

const ASSESSMENT_COLUMNS: &str = "id, name, cluster, period_start, period_end, catalog_id, created_at, created_by, created_os_user, prior_assessment, sample, archived_seq, archived_at, archived_reason";

fn assessments_where(
    conn: &Connection,
    people: &People,
    condition: &str,
    param: Option<&dyn rusqlite::ToSql>,
) -> Result<Vec<Assessment>> {
    let sql = format!("SELECT {ASSESSMENT_COLUMNS} FROM assessments {condition} ORDER BY id");
    let mut stmt = conn.prepare(&sql)?;
    let map = |row: &rusqlite::Row<'_>| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, String>(5)?,
            row.get::<_, String>(6)?,
            row.get::<_, Option<i64>>(7)?,
            row.get::<_, String>(8)?,
            row.get::<_, Option<i64>>(9)?,
            (
                row.get::<_, bool>(10)?,
                row.get::<_, Option<i64>>(11)?,
                row.get::<_, Option<String>>(12)?,
                row.get::<_, Option<String>>(13)?,
            ),
        ))
    };
    let rows = match param {
        Some(p) => stmt.query_map([p], map)?.collect::<Result<Vec<_>, _>>()?,
        None => stmt.query_map([], map)?.collect::<Result<Vec<_>, _>>()?,
    };
    rows.into_iter()
        .map(
            |(
                id,
                name,
                cluster,
                start,
                end,
                catalog_id,
                created_at,
                by,
                os_user,
                prior,
                (sample, archived_seq, archived_at, archived_reason),
            )| {
                Ok(Assessment {
                    id,
                    name,
                    cluster,
                    period_start: parse_date(&start)?,
                    period_end: parse_date(&end)?,
                    catalog_id,
                    created_at: parse_time(&created_at)?,
                    created_by: people.person_at(by, os_user, id),
                    prior_assessment: prior,
                    sample,
                    archived: retirement(archived_seq, archived_at, archived_reason)?,
                })
            },
        )
        .collect()
}

pub(crate) fn assessments(conn: &Connection, people: &People) -> Result<Vec<Assessment>> {
    assessments_where(conn, people, "", None)
}

pub(crate) fn assessment_by_name(
    conn: &Connection,
    people: &People,
    name: &str,
) -> Result<Option<Assessment>> {
    Ok(
        assessments_where(conn, people, "WHERE name = ?1", Some(&name))?
            .into_iter()
            .next(),
    )
}

pub(crate) fn assessment_by_id(
    conn: &Connection,
    people: &People,
    id: i64,
) -> Result<Option<Assessment>> {
    Ok(assessments_where(conn, people, "WHERE id = ?1", Some(&id))?
        .into_iter()
        .next())
}

/// The assessment with `id`, or a clear error.
pub(crate) fn require_assessment(conn: &Connection, id: i64) -> Result<Assessment> {
    let people = People::load(conn)?;
    assessment_by_id(conn, &people, id)?
        .ok_or_else(|| StoreError::NotFound(format!("there is no assessment #{id}")))
}

const FILE_COLUMNS: &str = "id, assessment, path, sha256, size, format, tool, tool_version, imported_at, notes, imported_by, os_user, supersedes, superseded_by, custody, reference";

/// Evidence files of `assessment` (all, or only those not replaced), in
/// import order.
pub(crate) fn evidence_files(
    conn: &Connection,
    people: &People,
    assessment: i64,
    current_only: bool,
) -> Result<Vec<EvidenceFile>> {
    let filter = if current_only {
        " AND superseded_by IS NULL AND retired_seq IS NULL \
          AND sha256 NOT IN (SELECT sha256 FROM purges)"
    } else {
        ""
    };
    files_where(
        conn,
        people,
        &format!("WHERE assessment = ?1{filter}"),
        assessment,
    )
}

pub(crate) fn evidence_file(
    conn: &Connection,
    people: &People,
    id: i64,
) -> Result<Option<EvidenceFile>> {
    Ok(files_where(conn, people, "WHERE id = ?1", id)?
        .into_iter()
        .next())
}

fn files_where(
    conn: &Connection,
    people: &People,
    condition: &str,
    param: i64,
) -> Result<Vec<EvidenceFile>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {FILE_COLUMNS} FROM evidence_files {condition} ORDER BY id"
    ))?;
    let rows = stmt.query_map([param], |row| {
        Ok((
            (
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, Option<String>>(6)?,
            ),
            (
                row.get::<_, Option<String>>(7)?,
                row.get::<_, String>(8)?,
                row.get::<_, String>(9)?,
                row.get::<_, Option<i64>>(10)?,
                row.get::<_, String>(11)?,
                row.get::<_, Option<i64>>(12)?,
                row.get::<_, Option<i64>>(13)?,
                row.get::<_, Option<String>>(14)?,
                row.get::<_, Option<i64>>(15)?,
            ),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (
            (id, assessment, path, sha256, n, format, tool),
            (
                tool_version,
                imported_at,
                notes,
                by,
                os_user,
                supersedes,
                superseded_by,
                custody,
                reference,
            ),
        ) = row?;
        out.push(EvidenceFile {
            id,
            assessment,
            provenance: Provenance {
                path,
                sha256,
                size: size(n),
                format: Format::from_id(&format)
                    .ok_or_else(|| StoreError::Corrupt(format!("format `{format}`")))?,
                tool,
                tool_version,
                imported_at: parse_time(&imported_at)?,
                notes: serde_json::from_str(&notes)?,
                custody: custody.as_deref().map(serde_json::from_str).transpose()?,
                modified_at: None,
            },
            imported_by: people.person_at(by, os_user, id),
            supersedes,
            superseded_by,
            reference: reference.unwrap_or_default(),
            lifecycle: Default::default(),
        });
    }
    super::lifecycle::fill(conn, people, &mut out)?;
    Ok(out)
}

/// The stored bytes under `sha256`, read into one buffer of their size
/// through SQLite's incremental I/O (a plain `SELECT bytes` would hold them
/// twice: SQLite's copy and ours).
pub(crate) fn blob(conn: &Connection, sha256: &str) -> Result<Option<Vec<u8>>> {
    let found: Option<(i64, String)> = conn
        .query_row(
            "SELECT rowid, typeof(bytes) FROM blobs WHERE sha256 = ?1 AND sha256 NOT IN (SELECT sha256 FROM purges)",
            [sha256],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((rowid, kind)) = found else {
        return Ok(None);
    };
    if kind != "blob" {
        // Not what Tickmark stores; read as SQLite converts it (verify
        // reports it).
        return Ok(conn
            .query_row("SELECT bytes FROM blobs WHERE rowid = ?1", [rowid], |row| {
                row.get(0)
            })
            .optional()?);
    }
    let blob = conn.blob_open(rusqlite::MAIN_DB, "blobs", "bytes", rowid, true)?;
    let mut bytes = vec![0u8; blob.len()];
    blob.read_at_exact(&mut bytes, 0)?;
    Ok(Some(bytes))
}

pub(crate) fn latest_run_id(conn: &Connection, assessment: i64) -> Result<Option<i64>> {
    Ok(conn.query_row(
        "SELECT max(id) FROM runs WHERE assessment = ?1",
        [assessment],
        |row| row.get(0),
    )?)
}

/// A run without its results.
pub(crate) struct RunHead {
    pub assessment: i64,
    pub at: DateTime<Utc>,
    pub by: Person,
    pub catalog_id: String,
    pub settings: Value,
    pub files: Vec<RunFile>,
}

pub(crate) fn run_head(conn: &Connection, people: &People, id: i64) -> Result<Option<RunHead>> {
    type Row = (i64, String, Option<i64>, String, String, String, String);
    let row: Option<Row> = conn
        .query_row(
            "SELECT assessment, at, run_by, os_user, catalog_id, settings, files FROM runs WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ))
            },
        )
        .optional()?;
    let Some((assessment, at, by, os_user, catalog_id, settings, files)) = row else {
        return Ok(None);
    };
    Ok(Some(RunHead {
        assessment,
        at: parse_time(&at)?,
        by: people.person_at(by, os_user, id),
        catalog_id,
        settings: serde_json::from_str::<Value>(&settings)?,
        files: serde_json::from_str(&files)?,
    }))
}

/// The verdicts of run `id`, each citing results by index (checked against
/// the `results` the run has).
pub(crate) fn linked_verdicts(
    conn: &Connection,
    id: i64,
    results: usize,
) -> Result<Vec<LinkedVerdict>> {
    let mut verdicts = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT requirement, status, results FROM verdicts WHERE run = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (requirement, status, indexes) = row?;
        let indexes: Vec<usize> = serde_json::from_str(&indexes)?;
        if let Some(i) = indexes.iter().find(|&&i| i >= results) {
            return Err(StoreError::Corrupt(format!(
                "run #{id}: {requirement} cites result {i}"
            )));
        }
        verdicts.push(LinkedVerdict {
            requirement,
            status: verdict_status(&status)?,
            results: indexes,
        });
    }
    Ok(verdicts)
}

/// Run `id` with every result in full (the resources of compact results
/// read from their lists) and every verdict with copies of its results:
/// what the exports render.
pub(crate) fn run(conn: &Connection, people: &People, id: i64) -> Result<Option<Run>> {
    let Some(head) = run_head(conn, people, id)? else {
        return Ok(None);
    };
    let mut results = Vec::new();
    let mut stmt = conn.prepare("SELECT result FROM check_results WHERE run = ?1 ORDER BY idx")?;
    for text in stmt.query_map([id], |row| row.get::<_, String>(0))? {
        let value: Value = serde_json::from_str(&text?)?;
        results.push(super::results::expand(conn, &value)?);
    }
    let verdicts = linked_verdicts(conn, id, results.len())?
        .into_iter()
        .map(|v| RequirementVerdict {
            checks: v.results.iter().map(|&i| results[i].clone()).collect(),
            requirement: v.requirement,
            status: v.status,
        })
        .collect();
    Ok(Some(Run {
        id,
        assessment: head.assessment,
        at: head.at,
        by: head.by,
        catalog_id: head.catalog_id,
        settings: head.settings,
        files: head.files,
        results,
        verdicts,
    }))
}

pub(crate) fn runs(conn: &Connection, people: &People, assessment: i64) -> Result<Vec<RunSummary>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, run_by, os_user, catalog_id, files FROM runs WHERE assessment = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([assessment], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<i64>>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut counts = conn.prepare("SELECT status FROM verdicts WHERE run = ?1")?;
    let mut out = Vec::new();
    for (id, at, by, os_user, catalog_id, files) in rows {
        let statuses = counts
            .query_map([id], |row| row.get::<_, String>(0))?
            .map(|s| verdict_status(&s?))
            .collect::<Result<Vec<_>>>()?;
        let files: Vec<RunFile> = serde_json::from_str(&files)?;
        out.push(RunSummary {
            id,
            at: parse_time(&at)?,
            by: people.person_at(by, os_user, id),
            catalog_id,
            file_count: files.len(),
            counts: VerdictCounts::of(&statuses),
        });
    }
    Ok(out)
}

pub(crate) fn review(
    conn: &Connection,
    people: &People,
    assessment: i64,
    requirement: &str,
) -> Result<Option<Review>> {
    let row = conn
        .query_row(
            "SELECT finding, method, compensating, customized, note, reviewer, os_user, reviewed_at, seq
             FROM reviews WHERE assessment = ?1 AND requirement = ?2",
            params![assessment, requirement],
            |row| {
                Ok(ReviewRow {
                    finding: row.get("finding")?,
                    method: row.get("method")?,
                    compensating: row.get("compensating")?,
                    customized: row.get("customized")?,
                    note: row.get("note")?,
                    by: row.get("reviewer")?,
                    os_user: row.get("os_user")?,
                    at: row.get("reviewed_at")?,
                    seq: row.get("seq")?,
                })
            },
        )
        .optional()?;
    row.map(|r| {
        Ok(Review {
            assessment,
            requirement: requirement.to_owned(),
            finding: r.finding.as_deref().map(finding).transpose()?,
            method: method(&r.method)?,
            compensating: worksheet(r.compensating.as_deref())?,
            customized: worksheet(r.customized.as_deref())?,
            note: r.note,
            reviewer: people.person_at(r.by, r.os_user, r.seq),
            reviewed_at: parse_time(&r.at)?,
            event: r.seq,
        })
    })
    .transpose()
}

/// The columns of a `reviews` row, as stored.
struct ReviewRow {
    finding: Option<String>,
    method: String,
    compensating: Option<String>,
    customized: Option<String>,
    note: String,
    by: Option<i64>,
    os_user: String,
    at: String,
    seq: i64,
}

const ATTACHMENT_COLUMNS: &str = "id, assessment, requirement, file_name, media_type, sha256, size, added_by, os_user, added_at, withdrawn_seq, withdrawn_at, withdrawn_reason, reference";

pub(crate) fn attachments(
    conn: &Connection,
    people: &People,
    assessment: i64,
    requirement: &str,
) -> Result<Vec<AttachmentMeta>> {
    attachments_where(
        conn,
        people,
        "WHERE assessment = ?1 AND requirement = ?2",
        params![assessment, requirement],
    )
}

pub(crate) fn attachment(
    conn: &Connection,
    people: &People,
    id: i64,
) -> Result<Option<AttachmentMeta>> {
    Ok(
        attachments_where(conn, people, "WHERE id = ?1", params![id])?
            .into_iter()
            .next(),
    )
}

fn attachments_where(
    conn: &Connection,
    people: &People,
    condition: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<AttachmentMeta>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ATTACHMENT_COLUMNS} FROM attachments {condition} ORDER BY id"
    ))?;
    let rows = stmt
        .query_map(params, |row| {
            Ok((
                (
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, i64>(6)?,
                ),
                (
                    row.get::<_, Option<i64>>(7)?,
                    row.get::<_, String>(8)?,
                    row.get::<_, String>(9)?,
                    row.get::<_, Option<i64>>(10)?,
                    row.get::<_, Option<String>>(11)?,
                    row.get::<_, Option<String>>(12)?,
                    row.get::<_, Option<i64>>(13)?,
                ),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(
            |(
                (id, assessment, requirement, file_name, media_type, sha256, n),
                (by, os_user, added_at, w_seq, w_at, w_reason, reference),
            )| {
                let withdrawn = match (w_seq, w_at) {
                    (Some(event), Some(at)) => Some(Withdrawal {
                        event,
                        at: parse_time(&at)?,
                        reason: w_reason.unwrap_or_default(),
                    }),
                    _ => None,
                };
                Ok(AttachmentMeta {
                    id,
                    assessment,
                    requirement,
                    file_name,
                    media_type,
                    sha256,
                    size: size(n),
                    added_by: people.person_at(by, os_user, id),
                    added_at: parse_time(&added_at)?,
                    withdrawn,
                    reference: reference.unwrap_or_default(),
                })
            },
        )
        .collect()
}

/// The sign-offs of a requirement, each checked against `now` (the
/// requirement's current binding).
pub(crate) fn sign_offs(
    conn: &Connection,
    people: &People,
    index: &RunIndex,
    assessment: i64,
    requirement: &str,
    now: &SignOffBinding,
) -> Result<Vec<SignOff>> {
    let mut stmt = conn.prepare(
        "SELECT id, profile, role, os_user, signed_at, statement, run, binding, binding_hash, level, reviews
         FROM sign_offs WHERE assessment = ?1 AND requirement = ?2 ORDER BY id",
    )?;
    let rows = stmt
        .query_map(params![assessment, requirement], |row| {
            Ok((
                (
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                ),
                (
                    row.get::<_, Option<i64>>(6)?,
                    row.get::<_, String>(7)?,
                    row.get::<_, String>(8)?,
                    row.get::<_, String>(9)?,
                    row.get::<_, Option<i64>>(10)?,
                ),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let purged = if rows.is_empty() {
        Default::default()
    } else {
        super::lifecycle::purged_hashes(conn)?
    };
    rows.into_iter()
        .map(
            |(
                (id, profile, role_id, os_user, at, statement),
                (run, binding, binding_hash, level_id, reviews),
            )| {
                let binding: SignOffBinding = serde_json::from_str(&binding)?;
                let then = if binding.results_sha256 == now.results_sha256 {
                    None
                } else {
                    binding_as_seen(conn, index, requirement, now, run)?
                        .filter(|then| then.results_sha256 == binding.results_sha256)
                };
                let now = then.as_ref().unwrap_or(now);
                let mut stale_reasons = binding.differences(now);
                if binding
                    .evidence_sha256
                    .iter()
                    .chain(&binding.attachments_sha256)
                    .any(|sha| purged.contains(sha))
                {
                    stale_reasons.push("purged evidence".to_owned());
                }
                let role = role(&role_id)?;
                let signature = super::signed::signature_info(conn, id)?;
                Ok(SignOff {
                    id,
                    assessment,
                    requirement: requirement.to_owned(),
                    signer: person_in_role(people, Some(profile), Some(role), os_user, id),
                    role,
                    signed_at: parse_time(&at)?,
                    statement,
                    run,
                    stale: binding_hash != now.hash() || !stale_reasons.is_empty(),
                    stale_reasons,
                    binding,
                    binding_hash,
                    signature,
                    level: SignOffLevel::from_id(&level_id).ok_or_else(|| {
                        StoreError::Corrupt(format!("sign-off level `{level_id}`"))
                    })?,
                    reviews,
                })
            },
        )
        .collect()
}

/// The state of the latest of `sign_offs`.
fn latest_state(sign_offs: &[SignOff]) -> SignOffState {
    match sign_offs.last() {
        None => SignOffState::None,
        Some(s) if s.stale => SignOffState::Stale,
        Some(_) => SignOffState::Current,
    }
}

/// Everything about one requirement, with `index` the latest run.
pub(crate) fn requirement_state(
    conn: &Connection,
    people: &People,
    index: &RunIndex,
    assessment: i64,
    requirement: &str,
) -> Result<RequirementState> {
    let evidence = index.requirement(requirement);
    let now = current_binding(conn, index, assessment, requirement)?;
    let (sign_offs, mut reviewer_sign_offs): (Vec<SignOff>, Vec<SignOff>) =
        sign_offs(conn, people, index, assessment, requirement, &now)?
            .into_iter()
            .partition(|s| s.level.is_preparer());
    let sign_off_state = latest_state(&sign_offs);
    // A review covers the preparation it reviewed: without a current
    // preparer sign-off, the reviewer's no longer stands either.
    if sign_off_state != SignOffState::Current
        && let Some(last) = reviewer_sign_offs.last_mut()
        && !last.stale
    {
        last.stale = true;
        last.stale_reasons
            .push("no current preparer sign-off".to_owned());
    }
    let reviewer_state = latest_state(&reviewer_sign_offs);
    Ok(RequirementState {
        requirement: requirement.to_owned(),
        verdict: evidence.verdict,
        evidence_sha256: evidence.evidence_sha256,
        review: review(conn, people, assessment, requirement)?,
        attachments: attachments(conn, people, assessment, requirement)?,
        sign_offs,
        sign_off_state,
        binding_hash: now.hash(),
        reviewer_sign_offs,
        reviewer_state,
        review_notes: super::review_notes::of_requirement(conn, people, assessment, requirement)?,
    })
}

/// The requirements an assessment has anything about: the latest run's (in
/// catalog order), then any others reviewed, attached to or signed off.
pub(crate) fn requirement_ids(
    conn: &Connection,
    index: &RunIndex,
    assessment: i64,
) -> Result<Vec<String>> {
    let mut out = index.order.clone();
    let known: BTreeSet<String> = out.iter().cloned().collect();
    let mut stmt = conn.prepare(
        "SELECT requirement FROM reviews WHERE assessment = ?1
         UNION SELECT requirement FROM attachments WHERE assessment = ?1
         UNION SELECT requirement FROM sign_offs WHERE assessment = ?1",
    )?;
    let others = stmt
        .query_map([assessment], |row| row.get::<_, String>(0))?
        .collect::<Result<BTreeSet<_>, _>>()?;
    out.extend(others.into_iter().filter(|r| !known.contains(r)));
    Ok(out)
}

pub(crate) fn approvals(
    conn: &Connection,
    people: &People,
    assessment: i64,
) -> Result<ApprovalState> {
    let mut stmt = conn.prepare(
        "SELECT id, decision, profile, role, os_user, at, statement, justification, unconcluded, bindings, binding_hash, open_items
         FROM approvals WHERE assessment = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([assessment], |row| {
            Ok((
                (
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                ),
                (
                    row.get::<_, String>(6)?,
                    row.get::<_, Option<String>>(7)?,
                    row.get::<_, String>(8)?,
                    row.get::<_, String>(9)?,
                    row.get::<_, String>(10)?,
                    row.get::<_, Option<String>>(11)?,
                ),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let index = RunIndex::latest(conn, assessment)?;
    let mut history = Vec::new();
    for (
        (id, decision_id, profile, role_id, os_user, at),
        (statement, justification, unconcluded, bindings, binding_hash, open_items),
    ) in rows
    {
        let bindings: std::collections::BTreeMap<String, String> = serde_json::from_str(&bindings)?;
        let mut changed = Vec::new();
        let seen = latest_run_before(conn, assessment, id)?;
        for (requirement, hash) in &bindings {
            let now = current_binding(conn, &index, assessment, requirement)?;
            if &now.hash() == hash {
                continue;
            }
            // Recorded over a run that kept resources inline: the same
            // results, hashed as they were then, still match.
            let then = binding_as_seen(conn, &index, requirement, &now, seen)?;
            if then.is_none_or(|then| &then.hash() != hash) {
                changed.push(requirement.clone());
            }
        }
        let role = role(&role_id)?;
        history.push(Approval {
            id,
            assessment,
            decision: decision(&decision_id)?,
            by: person_in_role(people, Some(profile), Some(role), os_user, id),
            role,
            at: parse_time(&at)?,
            statement,
            justification,
            unconcluded: serde_json::from_str(&unconcluded)?,
            binding_hash,
            stale: !changed.is_empty(),
            changed_requirements: changed,
            open_items: worksheet(open_items.as_deref())?,
            signature: super::signed::signature_info(conn, id)?,
        });
    }
    Ok(ApprovalState {
        current: history.last().cloned(),
        history,
    })
}

/// The latest run of `assessment` recorded before event `seq`.
fn latest_run_before(conn: &Connection, assessment: i64, seq: i64) -> Result<Option<i64>> {
    Ok(conn.query_row(
        "SELECT max(id) FROM runs WHERE assessment = ?1 AND id < ?2",
        params![assessment, seq],
        |row| row.get(0),
    )?)
}

pub(crate) fn chain_head(conn: &Connection) -> Result<Option<ChainHead>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |row| {
                Ok(ChainHead {
                    seq: row.get(0)?,
                    hash: row.get(1)?,
                })
            },
        )
        .optional()?)
}
