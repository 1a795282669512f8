//! The database schema and its migrations.
//!
//! `PRAGMA user_version` holds the schema version; `schema_migrations` logs
//! when each step was applied. Steps run in order, each in the transaction
//! that also bumps the version, so a record is always at exactly one version.

use rusqlite::{Connection, TransactionBehavior};

use super::error::{Result, StoreError};

/// The newest schema version this build writes.
pub const SCHEMA_VERSION: i64 = 3;

/// One ordered migration step.
pub(crate) struct Migration {
    /// The version the step brings the schema to.
    pub version: i64,
    /// What it does.
    pub name: &'static str,
    /// The SQL, in parts run in order (each feature's part of a step is
    /// its own block).
    pub sql: &'static [&'static str],
}

/// Every step, oldest first.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "entities, stored files and the event log",
        sql: &[V1_TABLES],
    },
    Migration {
        version: 2,
        name: "append-only guards and lookup indexes",
        sql: &[V2_GUARDS],
    },
    Migration {
        version: 3,
        name: "findings with their method and worksheets; assessments started from an earlier one; chain of custody and the evidence request list; the recorded PCI scope; signing keys, signatures and seals, retired profiles and the sample kept apart; check results' resources stored once as compact lists; evidence reference numbers",
        sql: &[
            V3_FINDINGS_CUSTODY_AND_REQUESTS,
            V3_SIGNING,
            V3_RESULT_LISTS,
            V3_EVIDENCE_REFERENCES,
            V3_REVIEWER_SIGN_OFFS_AND_REVIEW_NOTES,
        ],
    },
];

/// The tables that hold current state, materialised from the event log,
/// with their primary-key columns. `verify` replays the log into these.
pub(crate) const ENTITY_TABLES: &[(&str, &[&str])] = &[
    ("profiles", &["id"]),
    ("assessments", &["id"]),
    ("evidence_files", &["id"]),
    ("runs", &["id"]),
    ("check_results", &["run", "idx"]),
    ("verdicts", &["run", "position"]),
    ("reviews", &["assessment", "requirement"]),
    ("attachments", &["id"]),
    ("sign_offs", &["id"]),
    ("approvals", &["id"]),
    ("evidence_requests", &["assessment", "key"]),
    ("scopes", &["seq"]),
    ("purges", &["sha256"]),
    ("signatures", &["event"]),
    ("review_notes", &["id"]),
    ("review_note_answers", &["id"]),
];

const V1_TABLES: &str = "
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_profile INTEGER,
    actor_os_user TEXT NOT NULL,
    kind TEXT NOT NULL,
    assessment INTEGER,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL
);
CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    cluster TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    catalog_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER,
    created_os_user TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TABLE evidence_files (
    id INTEGER PRIMARY KEY,
    assessment INTEGER NOT NULL REFERENCES assessments(id),
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size INTEGER NOT NULL,
    format TEXT NOT NULL,
    tool TEXT,
    tool_version TEXT,
    imported_at TEXT NOT NULL,
    notes TEXT NOT NULL,
    imported_by INTEGER,
    os_user TEXT NOT NULL,
    supersedes INTEGER,
    superseded_by INTEGER
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    assessment INTEGER NOT NULL REFERENCES assessments(id),
    at TEXT NOT NULL,
    run_by INTEGER,
    os_user TEXT NOT NULL,
    catalog_id TEXT NOT NULL,
    settings TEXT NOT NULL,
    files TEXT NOT NULL
);
CREATE TABLE check_results (
    run INTEGER NOT NULL REFERENCES runs(id),
    idx INTEGER NOT NULL,
    check_id TEXT NOT NULL,
    requirement TEXT,
    status TEXT NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (run, idx)
);
CREATE TABLE verdicts (
    run INTEGER NOT NULL REFERENCES runs(id),
    position INTEGER NOT NULL,
    requirement TEXT NOT NULL,
    status TEXT NOT NULL,
    results TEXT NOT NULL,
    PRIMARY KEY (run, position)
);
CREATE TABLE reviews (
    assessment INTEGER NOT NULL REFERENCES assessments(id),
    requirement TEXT NOT NULL,
    conclusion TEXT,
    note TEXT NOT NULL,
    reviewer INTEGER REFERENCES profiles(id),
    os_user TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (assessment, requirement)
);
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    assessment INTEGER NOT NULL REFERENCES assessments(id),
    requirement TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size INTEGER NOT NULL,
    added_by INTEGER REFERENCES profiles(id),
    os_user TEXT NOT NULL,
    added_at TEXT NOT NULL,
    withdrawn_seq INTEGER,
    withdrawn_at TEXT,
    withdrawn_reason TEXT
);
CREATE TABLE sign_offs (
    id INTEGER PRIMARY KEY,
    assessment INTEGER NOT NULL REFERENCES assessments(id),
    requirement TEXT NOT NULL,
    profile INTEGER NOT NULL REFERENCES profiles(id),
    role TEXT NOT NULL,
    os_user TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    statement TEXT NOT NULL,
    run INTEGER,
    binding TEXT NOT NULL,
    binding_hash TEXT NOT NULL
);
CREATE TABLE approvals (
    id INTEGER PRIMARY KEY,
    assessment INTEGER NOT NULL REFERENCES assessments(id),
    decision TEXT NOT NULL,
    profile INTEGER NOT NULL REFERENCES profiles(id),
    role TEXT NOT NULL,
    os_user TEXT NOT NULL,
    at TEXT NOT NULL,
    statement TEXT NOT NULL,
    justification TEXT,
    unconcluded TEXT NOT NULL,
    bindings TEXT NOT NULL,
    binding_hash TEXT NOT NULL
);
";

const V2_GUARDS: &str = "
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: an event cannot be changed'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: an event cannot be deleted'); END;
CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
BEGIN SELECT RAISE(ABORT, 'stored files cannot be changed'); END;
CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs
BEGIN SELECT RAISE(ABORT, 'stored files cannot be deleted'); END;
CREATE TRIGGER profiles_no_delete BEFORE DELETE ON profiles
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE TRIGGER evidence_files_no_delete BEFORE DELETE ON evidence_files
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE TRIGGER check_results_no_delete BEFORE DELETE ON check_results
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE TRIGGER verdicts_no_delete BEFORE DELETE ON verdicts
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE TRIGGER sign_offs_no_delete BEFORE DELETE ON sign_offs
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE INDEX events_by_assessment ON events(assessment, seq);
CREATE INDEX evidence_files_by_assessment ON evidence_files(assessment);
CREATE INDEX runs_by_assessment ON runs(assessment);
CREATE INDEX attachments_by_requirement ON attachments(assessment, requirement);
CREATE INDEX sign_offs_by_requirement ON sign_offs(assessment, requirement);
CREATE INDEX approvals_by_assessment ON approvals(assessment);
";

/// PCI DSS v4.x findings: a review's single `conclusion` becomes the
/// finding and the method (`in_place_ccw` was In Place with a compensating
/// control), with the compensating controls worksheet or the customized
/// approach's documentation as canonical JSON. An assessment may name the
/// earlier assessment it was started from.
///
/// `evidence_files.custody`: what a collection manifest imported with the
/// file says about it (JSON, NULL without one). `evidence_requests`: the
/// auditor's tracking of each evidence request (owner, due date, status).
const V3_FINDINGS_CUSTODY_AND_REQUESTS: &str = "
ALTER TABLE assessments ADD COLUMN prior_assessment INTEGER;
ALTER TABLE reviews ADD COLUMN finding TEXT;
ALTER TABLE reviews ADD COLUMN method TEXT NOT NULL DEFAULT 'defined';
ALTER TABLE reviews ADD COLUMN compensating TEXT;
ALTER TABLE reviews ADD COLUMN customized TEXT;
UPDATE reviews SET
    finding = CASE WHEN conclusion = 'in_place_ccw' THEN 'in_place' ELSE conclusion END,
    method = CASE WHEN conclusion = 'in_place_ccw' THEN 'compensating' ELSE 'defined' END;
ALTER TABLE reviews DROP COLUMN conclusion;
ALTER TABLE evidence_files ADD COLUMN custody TEXT;
CREATE TABLE evidence_requests (
    assessment INTEGER NOT NULL REFERENCES assessments(id),
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    due TEXT,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    updated_by INTEGER REFERENCES profiles(id),
    os_user TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (assessment, key)
);
CREATE TRIGGER evidence_requests_no_delete BEFORE DELETE ON evidence_requests
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE TABLE scopes (
    seq INTEGER PRIMARY KEY,
    assessment INTEGER NOT NULL REFERENCES assessments(id),
    scope TEXT NOT NULL,
    recorded_by INTEGER REFERENCES profiles(id),
    os_user TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TRIGGER scopes_no_update BEFORE UPDATE ON scopes
BEGIN SELECT RAISE(ABORT, 'a recorded scope cannot be changed; record a new one'); END;
CREATE TRIGGER scopes_no_delete BEFORE DELETE ON scopes
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE INDEX scopes_by_assessment ON scopes(assessment, seq);

-- Evidence over its life (issue 13): the resources each file describes and
-- the sensitive data found in it (JSON, NULL when none), the bytes a
-- redacted copy was made from, retired files, files kept as they are
-- despite sensitive data, and purged bytes. A stored file's bytes may be
-- emptied (its hash and size stay) only once a `blob.purged` event has
-- recorded why (its `purges` row); rows are still never deleted.
ALTER TABLE evidence_files ADD COLUMN resources TEXT;
ALTER TABLE evidence_files ADD COLUMN sensitive TEXT;
ALTER TABLE evidence_files ADD COLUMN original TEXT;
ALTER TABLE evidence_files ADD COLUMN retired_seq INTEGER;
ALTER TABLE evidence_files ADD COLUMN retired_at TEXT;
ALTER TABLE evidence_files ADD COLUMN retired_reason TEXT;
ALTER TABLE evidence_files ADD COLUMN kept_seq INTEGER;
ALTER TABLE evidence_files ADD COLUMN kept_reason TEXT;
UPDATE evidence_files SET
    resources = (SELECT json_extract(e.payload, '$.resources') FROM events e WHERE e.seq = evidence_files.id),
    sensitive = (SELECT json_extract(e.payload, '$.sensitive') FROM events e WHERE e.seq = evidence_files.id),
    original = (SELECT json_extract(e.payload, '$.original') FROM events e WHERE e.seq = evidence_files.id);
CREATE TABLE purges (
    sha256 TEXT PRIMARY KEY,
    assessment INTEGER NOT NULL REFERENCES assessments(id),
    size INTEGER NOT NULL,
    subject TEXT NOT NULL,
    reason TEXT NOT NULL,
    purged_by INTEGER,
    os_user TEXT NOT NULL,
    purged_at TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TRIGGER purges_no_delete BEFORE DELETE ON purges
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE TRIGGER purges_no_update BEFORE UPDATE ON purges
BEGIN SELECT RAISE(ABORT, 'a purge cannot be changed'); END;
DROP TRIGGER blobs_no_update;
CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
WHEN NOT (NEW.sha256 = OLD.sha256 AND NEW.size = OLD.size AND length(NEW.bytes) = 0
          AND EXISTS (SELECT 1 FROM purges WHERE purges.sha256 = OLD.sha256))
BEGIN SELECT RAISE(ABORT, 'stored files cannot be changed, only purged by an event'); END;
-- End of issue 13's block.
";

/// Signing (schema step 3, its own block): a profile's registered SSH key
/// (the event that bound it), its retirement, and whether it is the bundled
/// sample's fictional auditor; whether an assessment is the sample and
/// whether it is archived; the open items an approval overrode; and
/// `signatures`, one row per signed sign-off, approval or seal: the exact
/// statement signed and its SSHSIG signature.
///
/// A record written before this step has no signatures (its sign-offs read
/// as unsigned); its sample profile and assessment are recognised by the
/// names the sample has always had.
const V3_SIGNING: &str = "
ALTER TABLE profiles ADD COLUMN sample INTEGER NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN ssh_key TEXT;
ALTER TABLE profiles ADD COLUMN key_fingerprint TEXT;
ALTER TABLE profiles ADD COLUMN key_seq INTEGER;
ALTER TABLE profiles ADD COLUMN retired_seq INTEGER;
ALTER TABLE profiles ADD COLUMN retired_at TEXT;
ALTER TABLE profiles ADD COLUMN retired_reason TEXT;
UPDATE profiles SET sample = 1 WHERE id IN (
    SELECT seq FROM events WHERE kind = 'profile.created'
    AND CASE WHEN json_valid(payload) THEN json_extract(payload, '$.name') END
        = 'Robin Sample (fictional sample auditor)'
    AND CASE WHEN json_valid(payload) THEN json_extract(payload, '$.email') END
        = 'robin.sample@auditor.example');
ALTER TABLE assessments ADD COLUMN sample INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assessments ADD COLUMN archived_seq INTEGER;
ALTER TABLE assessments ADD COLUMN archived_at TEXT;
ALTER TABLE assessments ADD COLUMN archived_reason TEXT;
UPDATE assessments SET sample = 1 WHERE name = 'Sample: Harbourline Payments (fictional)';
ALTER TABLE approvals ADD COLUMN open_items TEXT;
CREATE TABLE signatures (
    event INTEGER PRIMARY KEY,
    assessment INTEGER REFERENCES assessments(id),
    kind TEXT NOT NULL,
    profile INTEGER NOT NULL REFERENCES profiles(id),
    key_fingerprint TEXT NOT NULL,
    statement TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE INDEX signatures_by_assessment ON signatures(assessment, event);
";

/// Issue 15: a check's resources kept beside its result rather than in it.
/// A result with resources names two lists by the SHA-256 of their text
/// (see `store/results.rs`): the resources that do not pass, in full, and
/// those that pass. `result_lists` keeps each list once, compressed with
/// DEFLATE; `size` is the length of the text and `rows` its rows. Results
/// recorded before keep their resources inline, as they were.
const V3_RESULT_LISTS: &str = "
CREATE TABLE result_lists (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    bytes BLOB NOT NULL
);
CREATE TRIGGER result_lists_no_update BEFORE UPDATE ON result_lists
BEGIN SELECT RAISE(ABORT, 'stored result lists cannot be changed'); END;
CREATE TRIGGER result_lists_no_delete BEFORE DELETE ON result_lists
BEGIN SELECT RAISE(ABORT, 'stored result lists cannot be deleted'); END;
";

/// Evidence references (E-1, E-2, ...): every evidence file and attachment
/// of an assessment is numbered in the order its event was recorded, one
/// sequence per assessment over both tables, so that a note or a report
/// can cite it. The number is derived state like every other column:
/// [`super::apply`] gives a new file or attachment the next number, and
/// this block numbers the rows an older record already holds in the same
/// order, so a replay of the log gives the same numbers.
const V3_EVIDENCE_REFERENCES: &str = "
ALTER TABLE evidence_files ADD COLUMN reference INTEGER;
ALTER TABLE attachments ADD COLUMN reference INTEGER;
CREATE TEMP TABLE numbered_evidence AS
    SELECT id, ROW_NUMBER() OVER (PARTITION BY assessment ORDER BY id) AS reference
    FROM (SELECT id, assessment FROM evidence_files UNION ALL SELECT id, assessment FROM attachments);
UPDATE evidence_files SET reference = (SELECT n.reference FROM numbered_evidence n WHERE n.id = evidence_files.id);
UPDATE attachments SET reference = (SELECT n.reference FROM numbered_evidence n WHERE n.id = attachments.id);
DROP TABLE numbered_evidence;
CREATE UNIQUE INDEX evidence_files_by_reference ON evidence_files(assessment, reference);
CREATE UNIQUE INDEX attachments_by_reference ON attachments(assessment, reference);
";

/// Preparer and reviewer (issue 14): every sign-off is a preparer's or a
/// reviewer's (`level`; a reviewer's names the preparer sign-off it
/// reviewed in `reviews`); sign-offs recorded before are preparers'. Review
/// notes a reviewer raises on a requirement, the answers to them and their
/// clearing (who, when, the remark) are kept in `review_notes` and
/// `review_note_answers`, both derived from the `review_note.*` events.
const V3_REVIEWER_SIGN_OFFS_AND_REVIEW_NOTES: &str = "
ALTER TABLE sign_offs ADD COLUMN level TEXT NOT NULL DEFAULT 'preparer';
ALTER TABLE sign_offs ADD COLUMN reviews INTEGER;
CREATE TABLE review_notes (
    id INTEGER PRIMARY KEY,
    assessment INTEGER NOT NULL REFERENCES assessments(id),
    requirement TEXT NOT NULL,
    text TEXT NOT NULL,
    raised_by INTEGER REFERENCES profiles(id),
    os_user TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    cleared_seq INTEGER,
    cleared_by INTEGER REFERENCES profiles(id),
    cleared_os_user TEXT,
    cleared_at TEXT,
    cleared_text TEXT
);
CREATE TRIGGER review_notes_no_delete BEFORE DELETE ON review_notes
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE INDEX review_notes_by_requirement ON review_notes(assessment, requirement);
CREATE TABLE review_note_answers (
    id INTEGER PRIMARY KEY,
    assessment INTEGER NOT NULL REFERENCES assessments(id),
    note INTEGER NOT NULL REFERENCES review_notes(id),
    answered_by INTEGER REFERENCES profiles(id),
    os_user TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TRIGGER review_note_answers_no_update BEFORE UPDATE ON review_note_answers
BEGIN SELECT RAISE(ABORT, 'an answer cannot be changed; write another'); END;
CREATE TRIGGER review_note_answers_no_delete BEFORE DELETE ON review_note_answers
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
CREATE INDEX review_note_answers_by_note ON review_note_answers(note, id);
";

/// Brings the schema of `conn` up to `target` (at most [`SCHEMA_VERSION`]),
/// one step per transaction. `label` names the file in errors.
pub(crate) fn migrate(conn: &mut Connection, label: &str, target: i64) -> Result<()> {
    // Most opens find the schema current: check without taking the write lock.
    let current: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current == target {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: label.to_owned(),
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    refuse_lowered_version(&tx, label, current)?;
    if current == 0 {
        refuse_foreign_database(&tx, label)?;
    }
    for step in MIGRATIONS
        .iter()
        .filter(|m| m.version > current && m.version <= target)
    {
        for part in step.sql {
            tx.execute_batch(part)?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![step.version, step.name, super::now_text()],
        )?;
        tx.pragma_update(None, "user_version", step.version)?;
    }
    tx.commit()?;
    Ok(())
}

/// Refuses a record whose `user_version` was lowered outside Tickmark: its
/// migration log already lists later steps, and running them again would
/// fail half-way with an SQL error about objects that already exist.
pub(crate) fn refuse_lowered_version(conn: &Connection, label: &str, current: i64) -> Result<()> {
    let has_log: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        [],
        |row| row.get(0),
    )?;
    if has_log == 0 {
        return Ok(());
    }
    let logged: Option<i64> =
        conn.query_row("SELECT max(version) FROM schema_migrations", [], |row| {
            row.get(0)
        })?;
    match logged {
        Some(logged) if logged > current => Err(StoreError::ChangedOutside {
            path: label.to_owned(),
            reason: format!(
                "its schema version (PRAGMA user_version) says {current}, but its migration log \
                 records step {logged} as applied; Tickmark leaves the file as it is"
            ),
        }),
        _ => Ok(()),
    }
}

fn refuse_foreign_database(conn: &Connection, label: &str) -> Result<()> {
    let foreign: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' LIMIT 1",
            [],
            |row| row.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    match foreign {
        Some(name) => Err(StoreError::NotARecord {
            path: label.to_owned(),
            reason: format!("it is an SQLite database with other content, e.g. `{name}`"),
        }),
        None => Ok(()),
    }
}

/// A description of the schema of `conn`, one line per table column,
/// foreign key, index, trigger and view, so that two schemas can be
/// compared whatever SQL text created them.
pub(crate) fn fingerprint(conn: &Connection) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    let tables: Vec<String> = strings(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        None,
    )?;
    for table in &tables {
        lines.push(format!("table {table}"));
        let mut columns = conn.prepare(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid",
        )?;
        let rows = columns.query_map([table], |row| {
            Ok(format!(
                "table {table} column {} {} notnull={} default={:?} pk={}",
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })?;
        for row in rows {
            lines.push(row?);
        }
        let mut keys = conn.prepare(
            "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )?;
        let rows = keys.query_map([table], |row| {
            Ok(format!(
                "table {table} foreign key {} -> {}({})",
                row.get::<_, String>(1)?,
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(2)?.unwrap_or_default(),
            ))
        })?;
        for row in rows {
            lines.push(row?);
        }
        let indexes: Vec<String> = strings(
            conn,
            "SELECT name FROM pragma_index_list(?1) ORDER BY name",
            Some(table),
        )?;
        for index in indexes {
            let columns = strings(
                conn,
                "SELECT coalesce(name, '') FROM pragma_index_info(?1) ORDER BY seqno",
                Some(&index),
            )?;
            lines.push(format!(
                "table {table} index {index} ({})",
                columns.join(", ")
            ));
        }
    }
    let mut others = conn.prepare(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY type, name",
    )?;
    let rows = others.query_map([], |row| {
        let sql: String = row.get(2)?;
        Ok(format!(
            "{} {}: {}",
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            sql.split_whitespace().collect::<Vec<_>>().join(" ")
        ))
    })?;
    for row in rows {
        lines.push(row?);
    }
    Ok(lines)
}

fn strings(conn: &Connection, sql: &str, param: Option<&str>) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = match param {
        Some(p) => stmt
            .query_map([p], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?,
        None => stmt
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(rows)
}

/// The fingerprint of a fresh database at [`SCHEMA_VERSION`].
pub(crate) fn expected_fingerprint() -> Result<Vec<String>> {
    let mut conn = Connection::open_in_memory()?;
    migrate(&mut conn, ":memory:", SCHEMA_VERSION)?;
    fingerprint(&conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_ordered_and_end_at_the_current_version() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        let expected: Vec<i64> = (1..=SCHEMA_VERSION).collect();
        assert_eq!(versions, expected);
    }

    #[test]
    fn an_upgraded_database_matches_a_fresh_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let mut old = Connection::open(&path).unwrap();
        migrate(&mut old, "old", 1).unwrap();
        let v: i64 = old
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 1);
        assert_ne!(fingerprint(&old).unwrap(), expected_fingerprint().unwrap());
        drop(old);
        let mut upgraded = Connection::open(&path).unwrap();
        migrate(&mut upgraded, "old", SCHEMA_VERSION).unwrap();
        assert_eq!(
            fingerprint(&upgraded).unwrap(),
            expected_fingerprint().unwrap()
        );
        let steps: i64 = upgraded
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(steps, SCHEMA_VERSION);
        // Migrating again changes nothing.
        migrate(&mut upgraded, "old", SCHEMA_VERSION).unwrap();
        assert_eq!(
            fingerprint(&upgraded).unwrap(),
            expected_fingerprint().unwrap()
        );
    }

    #[test]
    fn newer_and_foreign_databases_are_refused() {
        let mut newer = Connection::open_in_memory().unwrap();
        newer
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = migrate(&mut newer, "n.sqlite3", SCHEMA_VERSION).unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { .. }), "{err}");
        let mut foreign = Connection::open_in_memory().unwrap();
        foreign.execute_batch("CREATE TABLE notes (x)").unwrap();
        let err = migrate(&mut foreign, "f.sqlite3", SCHEMA_VERSION).unwrap_err();
        assert!(err.to_string().contains("notes"), "{err}");
    }

    #[test]
    fn a_lowered_schema_version_is_refused_and_the_file_left_as_it_is() {
        for lowered in [0, 1] {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate(&mut conn, "r.sqlite3", SCHEMA_VERSION).unwrap();
            conn.pragma_update(None, "user_version", lowered).unwrap();
            let before = fingerprint(&conn).unwrap();
            let err = migrate(&mut conn, "r.sqlite3", SCHEMA_VERSION).unwrap_err();
            assert!(matches!(err, StoreError::ChangedOutside { .. }), "{err}");
            let message = err.to_string();
            assert!(
                message.contains(&format!("says {lowered}"))
                    && message.contains(&format!("records step {SCHEMA_VERSION}")),
                "{message}"
            );
            assert_eq!(fingerprint(&conn).unwrap(), before);
        }
    }
}
