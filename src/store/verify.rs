//! Verifying the review record: the chain, the state it implies, the stored
//! files and the schema.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::Store;
use super::apply::apply;
use super::canonical::canonical_json;
use super::error::Result;
use super::event::{Change, EVENT_COLUMNS, EventRow, GENESIS_HASH, event_row};
use super::model::ChainHead;
use super::schema::{self, ENTITY_TABLES, SCHEMA_VERSION};

/// At most this many problems are listed; the first is what matters.
const MAX_PROBLEMS: usize = 50;

/// One thing in the file that does not match its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// What: `event #12`, `reviews row (assessment=3, requirement="1.2.1")`,
    /// `blob 3fa2…`, `schema`.
    pub location: String,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// How much the record holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCounts {
    /// Events in the log.
    pub events: u64,
    /// Reviewer profiles.
    pub profiles: u64,
    /// Assessments.
    pub assessments: u64,
    /// Evidence files (replaced ones included).
    pub evidence_files: u64,
    /// Evaluation runs.
    pub runs: u64,
    /// Requirement reviews (current versions).
    pub reviews: u64,
    /// Attachments.
    pub attachments: u64,
    /// Sign-offs.
    pub sign_offs: u64,
    /// Approvals and send-backs.
    pub approvals: u64,
    /// Signed sign-offs, decisions and seals (each checked).
    #[serde(default)]
    pub signatures: u64,
    /// Stored files (distinct SHA-256s).
    pub blobs: u64,
    /// Their total size in bytes.
    pub blob_bytes: u64,
    /// Stored lists of check results' resources.
    #[serde(default)]
    pub result_lists: u64,
    /// Their total size in bytes, compressed as stored.
    #[serde(default)]
    pub result_list_bytes: u64,
}

/// What [`Store::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// The last event.
    pub chain_head: Option<ChainHead>,
    /// How much the record holds.
    pub counts: RecordCounts,
    /// Everything that does not match, first problem first (events in
    /// order, then the stored files, the tables and the schema); empty if
    /// the record is intact. At most 50 are listed.
    pub problems: Vec<Problem>,
    /// Stored files whose bytes were purged by an event (their hash and
    /// size kept in the log): accounted for, not tampered with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purged: Vec<PurgedFile>,
}

/// Bytes the record no longer holds because an event purged them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgedFile {
    /// Their SHA-256.
    pub sha256: String,
    /// The `blob.purged` event.
    pub seq: i64,
    /// What used them.
    pub users: String,
}

impl VerifyReport {
    /// True if nothing was found.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// The first problem: the event, row or file to look at.
    pub fn first_problem(&self) -> Option<&Problem> {
        self.problems.first()
    }
}

struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, location: impl Into<String>, message: impl Into<String>) {
        if self.0.len() < MAX_PROBLEMS {
            self.0.push(Problem {
                location: location.into(),
                message: message.into(),
            });
        }
    }
}

impl Store {
    /// Checks what an export of `assessment` renders against the event log,
    /// without the cost of a whole [`Store::verify`]: the hash chain of the
    /// whole log (each event's hash recomputed), and the rows of this
    /// assessment (and the profiles) against a replay of its own events.
    /// Returns the problems found, first first (empty when it matches).
    /// Stored file bytes are not rehashed here: the bundle checks each file
    /// as it writes it.
    pub fn check_assessment(&self, assessment: i64) -> Result<Vec<Problem>> {
        self.read(|conn| check_assessments(conn, &[assessment]))
    }

    /// Recomputes the hash chain, replays every event into an empty database
    /// and compares it with the tables row by row, recomputes every stored
    /// file's SHA-256 and compares the schema with this version's. Errors
    /// only if the file cannot be read at all; what does not match is listed
    /// in the report.
    pub fn verify(&self) -> Result<VerifyReport> {
        self.read(verify)
    }
}

/// An empty database with this version's schema, to replay into: a private
/// temporary file (SQLite deletes it on closing), so that replaying a large
/// record takes disk, not memory.
fn replay_database() -> Result<Connection> {
    let mut replay = Connection::open("")?;
    // Rows are compared, not constrained: stored files are not copied here.
    replay.pragma_update(None, "foreign_keys", "OFF")?;
    schema::migrate(&mut replay, "replay", SCHEMA_VERSION)?;
    Ok(replay)
}

/// [`Store::check_assessment`] for several assessments at once (an
/// assessment and the prior period its record shows).
pub(super) fn check_assessments(conn: &Connection, assessments: &[i64]) -> Result<Vec<Problem>> {
    let mut problems = Problems(Vec::new());
    let mut replay = replay_database()?;
    let tx = replay.transaction()?;
    if let Err(e) = check_chain(conn, &tx, &mut problems, Some(assessments)) {
        problems.add("table events", format!("cannot be read: {e}"));
    }
    for (table, keys) in ENTITY_TABLES {
        let rows = Scope::of(table, assessments);
        compare_table(conn, &tx, (table, keys), &rows, &mut problems)?;
    }
    tx.rollback()?;
    Ok(problems.0)
}

/// Which rows of an entity table belong to one assessment (an SQL
/// condition, the same in the file and in the replay).
struct Scope(String);

impl Scope {
    fn all() -> Scope {
        Scope("1".to_owned())
    }

    fn of(table: &str, assessments: &[i64]) -> Scope {
        let ids = assessments
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        Scope(match table {
            "profiles" => "1".to_owned(),
            "assessments" => format!("id IN ({ids})"),
            "check_results" | "verdicts" => {
                format!("run IN (SELECT id FROM runs WHERE assessment IN ({ids}))")
            }
            _ => format!("assessment IN ({ids})"),
        })
    }
}

fn verify(conn: &Connection) -> Result<VerifyReport> {
    let mut problems = Problems(Vec::new());
    let mut replay = replay_database()?;
    let tx = replay.transaction()?;
    let chain_head = check_chain(conn, &tx, &mut problems, None).unwrap_or_else(|e| {
        problems.add("table events", format!("cannot be read: {e}"));
        None
    });
    let mut purged = Vec::new();
    let mut counts = check_blobs(conn, &tx, &mut problems, &mut purged).unwrap_or_else(|e| {
        problems.add("table blobs", format!("cannot be read: {e}"));
        RecordCounts::default()
    });
    if let Err(e) = check_lists(conn, &tx, &mut problems, &mut counts) {
        problems.add("table result_lists", format!("cannot be read: {e}"));
    }
    for (table, keys) in ENTITY_TABLES {
        compare_table(conn, &tx, (table, keys), &Scope::all(), &mut problems)?;
    }
    // Last: a dropped guard matters less than the edit it made possible.
    check_schema(conn, &mut problems)?;
    tx.rollback()?;
    count_rows(conn, &mut counts);
    Ok(VerifyReport {
        chain_head,
        counts,
        problems: problems.0,
        purged,
    })
}

/// Walks the events in order: numbering, links, hashes, payloads; replays
/// each into `replay`. With `scope`, only the events of that assessment and
/// those of no assessment (profiles) are parsed and replayed; the others'
/// hashes are recomputed from their stored text.
fn check_chain(
    conn: &Connection,
    replay: &Connection,
    problems: &mut Problems,
    scope: Option<&[i64]>,
) -> Result<Option<ChainHead>> {
    let mut stmt = conn.prepare(&format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut head = None;
    // The last event an intact signature covers: a broken one names the
    // stretch of history the change must be in.
    let mut covered = 0;
    while let Some(row) = rows.next()? {
        let ev = match event_row(row) {
            Ok(ev) => ev,
            Err(e) => {
                // A value of the wrong type (text in an integer column, bytes
                // in a text column) can only come from an outside edit; name
                // the event and go on with the next one.
                let seq = row.get::<_, SqlValue>(0).unwrap_or(SqlValue::Null);
                problems.add(
                    format!("event #{}", show_plain(&seq)),
                    format!("a column holds a value of the wrong type ({e}): the event was changed after it was written"),
                );
                if let SqlValue::Integer(n) = seq {
                    expected_seq = n + 1;
                }
                if let Ok(SqlValue::Text(hash)) = row.get::<_, SqlValue>(8) {
                    prev_hash = hash;
                }
                continue;
            }
        };
        let at = format!("event #{}", ev.seq);
        if ev.seq != expected_seq {
            problems.add(
                format!("event #{expected_seq}"),
                format!(
                    "missing: the log jumps from #{} to #{} (deleted outside Tickmark?)",
                    expected_seq - 1,
                    ev.seq
                ),
            );
        }
        if ev.prev_hash != prev_hash {
            problems.add(
                &at,
                "its link to the previous event is broken (the previous event was changed, removed or inserted)",
            );
        }
        let outside = match (scope, ev.assessment) {
            (Some(scope), Some(assessment)) => !scope.contains(&assessment),
            _ => false,
        };
        if outside {
            if event_hash_of_text(&ev) != ev.hash {
                problems.add(
                    &at,
                    format!(
                        "its hash does not match its content ({} at {}): the event was changed after it was written",
                        ev.kind, ev.at
                    ),
                );
            }
        } else {
            check_event(replay, problems, &ev, &at, &mut covered);
        }
        prev_hash = ev.hash.clone();
        expected_seq = ev.seq + 1;
        head = Some(ChainHead {
            seq: ev.seq,
            hash: ev.hash,
        });
    }
    Ok(head)
}

/// One event's payload, canonical form and hash; replays it into `replay`.
fn check_event(
    replay: &Connection,
    problems: &mut Problems,
    ev: &EventRow,
    at: &str,
    covered: &mut i64,
) {
    match ev.payload_value() {
        Err(e) => problems.add(at, e),
        Ok(payload) => {
            let canonical = canonical_json(&payload) == ev.payload;
            if !canonical {
                problems.add(
                    at,
                    "its payload is not in canonical form (edited outside Tickmark?)",
                );
            }
            // A canonical payload is hashed as stored: the same hash without
            // writing a large payload (a run's results) out a second time.
            let hash = if canonical {
                event_hash_of_text(ev)
            } else {
                ev.hash_with(&payload)
            };
            if hash != ev.hash {
                problems.add(
                        at,
                        format!(
                            "its hash does not match its content ({} at {}): the event was changed after it was written",
                            ev.kind, ev.at
                        ),
                    );
            }
            match Change::from_parts(&ev.kind, &payload) {
                Err(e) => problems.add(at, e),
                Ok(change) => {
                    // Signatures are checked against the record as it stood
                    // just before the event: the replay so far.
                    let signed = super::signed::check(replay, ev, &change, *covered);
                    if signed.is_empty() && super::signed::is_signed(&change) {
                        *covered = ev.seq - 1;
                    }
                    for problem in signed {
                        problems.add(at, problem);
                    }
                    if let Err(e) = apply(replay, ev, &change) {
                        problems.add(at, format!("cannot be replayed: {e}"));
                    }
                }
            }
        }
    }
}

/// An event's hash computed over its payload exactly as stored (no parse):
/// equal to [`event_hash`] when the stored payload is canonical, and
/// different from the recorded hash when anything was changed.
fn event_hash_of_text(ev: &EventRow) -> String {
    const MARK: &str = "\u{1}payload\u{1}";
    let content = serde_json::json!({
        "seq": ev.seq,
        "at": ev.at,
        "actor": {"profile": ev.actor_profile, "os_user": ev.actor_os_user},
        "kind": ev.kind,
        "assessment": ev.assessment,
        "payload": MARK,
    });
    let marked = canonical_json(&content);
    let mark = canonical_json(&serde_json::Value::from(MARK));
    // Keys are sorted: only `seq` (a number) follows `payload`, so the last
    // occurrence of the mark is the payload's, whatever the other fields hold.
    let Some(at) = marked.rfind(&mark) else {
        return String::new();
    };
    let text = format!(
        "{}\n{}{}{}",
        ev.prev_hash,
        &marked[..at],
        ev.payload,
        &marked[at + mark.len()..]
    );
    crate::evidence::sha256_hex(text.as_bytes())
}

fn check_schema(conn: &Connection, problems: &mut Problems) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version != SCHEMA_VERSION {
        problems.add(
            "schema",
            format!("the schema version is {version}, expected {SCHEMA_VERSION}"),
        );
    }
    check_migration_log(conn, problems);
    let expected = schema::expected_fingerprint()?;
    let found = schema::fingerprint(conn)?;
    let found_set: BTreeSet<&String> = found.iter().collect();
    let expected_set: BTreeSet<&String> = expected.iter().collect();
    for line in expected.iter().filter(|l| !found_set.contains(l)) {
        problems.add("schema", format!("missing: {line}"));
    }
    for line in found.iter().filter(|l| !expected_set.contains(l)) {
        problems.add("schema", format!("not created by Tickmark: {line}"));
    }
    Ok(())
}

/// The migration log lists exactly this version's steps, in order.
fn check_migration_log(conn: &Connection, problems: &mut Problems) {
    let expected: Vec<(i64, String)> = schema::MIGRATIONS
        .iter()
        .map(|m| (m.version, m.name.to_owned()))
        .collect();
    let found = conn
        .prepare("SELECT version, name FROM schema_migrations ORDER BY version")
        .and_then(|mut stmt| {
            stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<Vec<(i64, String)>, _>>()
        });
    match found {
        Err(e) => problems.add("table schema_migrations", format!("cannot be read: {e}")),
        Ok(found) if found != expected => problems.add(
            "table schema_migrations",
            format!(
                "it lists the steps {}, but the schema was made by the steps {} (changed outside Tickmark?)",
                steps(&found),
                steps(&expected)
            ),
        ),
        Ok(_) => {}
    }
}

fn steps(steps: &[(i64, String)]) -> String {
    if steps.is_empty() {
        return "(none)".to_owned();
    }
    steps
        .iter()
        .map(|(version, name)| format!("{version} \"{name}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Recomputes every stored file's SHA-256 and checks that the files the
/// replayed events refer to are exactly the ones stored.
fn check_blobs(
    conn: &Connection,
    replay: &Connection,
    problems: &mut Problems,
    purged: &mut Vec<PurgedFile>,
) -> Result<RecordCounts> {
    let purges: BTreeMap<String, i64> = replay
        .prepare("SELECT sha256, seq FROM purges")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut needed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stmt = replay.prepare(
        "SELECT sha256, 'evidence file #' || id || ' (' || path || ')' FROM evidence_files
         UNION ALL SELECT sha256, 'attachment #' || id || ' (' || file_name || ')' FROM attachments",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (sha, user) = row?;
        needed.entry(sha).or_default().push(user);
    }
    let mut counts = RecordCounts::default();
    let mut stmt = conn.prepare(
        "SELECT rowid, sha256, size, typeof(bytes), length(bytes) FROM blobs ORDER BY sha256",
    )?;
    let mut rows = stmt.query([])?;
    let mut seen = BTreeSet::new();
    while let Some(row) = rows.next()? {
        let Some((key, size)) = stored_key(row, "blob", problems)? else {
            continue;
        };
        if let Some(seq) = purges.get(&key) {
            let users = needed.get(&key).map(|u| u.join(", ")).unwrap_or_default();
            if row.get::<_, i64>(4)? == 0 {
                purged.push(PurgedFile {
                    sha256: key.clone(),
                    seq: *seq,
                    users,
                });
            } else {
                problems.add(
                    format!("blob {}", short(&key)),
                    format!("event #{seq} purged these bytes, but they are stored (put back outside Tickmark?)"),
                );
            }
            seen.insert(key);
            continue;
        }
        // Read a piece at a time: a stored file may be larger than the
        // memory verify may take.
        let rowid: i64 = row.get(0)?;
        let (actual, length) = hash_stored(conn, "blobs", rowid, |bytes| hash_bytes(bytes))?;
        counts.blobs += 1;
        counts.blob_bytes += length;
        let location = format!("blob {}", short(&key));
        let users = needed.get(&key).map(|u| u.join(", ")).unwrap_or_default();
        if actual != key {
            problems.add(
                &location,
                format!(
                    "the stored bytes hash to {}: the file was changed after it was stored (used by {})",
                    short(&actual),
                    used_by(&users)
                ),
            );
        }
        check_size_and_use(
            problems,
            &location,
            (size, length),
            &users,
            "no event refers to it (inserted outside Tickmark, or its event was removed?)",
        );
        seen.insert(key);
    }
    report_missing(&needed, &seen, problems, |sha, users| {
        (
            format!("blob {}", short(sha)),
            format!("missing: the bytes of {users} are gone"),
        )
    });
    Ok(counts)
}

/// The key and recorded size of a row of a content-addressed table (`blobs`,
/// `result_lists`: rowid, sha256, size, typeof(bytes), length(bytes)), or
/// `None` with the problem noted when the row is not what Tickmark stores.
fn stored_key(
    row: &rusqlite::Row<'_>,
    what: &str,
    problems: &mut Problems,
) -> Result<Option<(String, i64)>> {
    let (key, size) = match (row.get::<_, SqlValue>(1)?, row.get::<_, SqlValue>(2)?) {
        (SqlValue::Text(key), SqlValue::Integer(size)) => (key, size),
        (key, size) => {
            problems.add(
                format!("{what} {}", short(&show_plain(&key))),
                format!(
                    "its key {} or size {} is not what Tickmark stores (inserted or changed outside Tickmark?)",
                    show(&key),
                    show(&size)
                ),
            );
            return Ok(None);
        }
    };
    if row.get::<_, String>(3)? != "blob" {
        problems.add(
            format!("{what} {}", short(&key)),
            "its content is not bytes",
        );
        return Ok(None);
    }
    Ok(Some((key, size)))
}

/// What uses a stored row, for a message.
fn used_by(users: &str) -> &str {
    if users.is_empty() { "nothing" } else { users }
}

/// Notes a recorded size that is not the stored length, and, when
/// `unused` is given, a row nothing uses.
fn check_size_and_use(
    problems: &mut Problems,
    location: &str,
    (size, length): (i64, u64),
    users: &str,
    unused: &str,
) {
    if u64::try_from(size).ok() != Some(length) {
        problems.add(
            location,
            format!("its recorded size {size} is not its length {length}"),
        );
    }
    if users.is_empty() && !unused.is_empty() {
        problems.add(location, unused);
    }
}

/// Notes each needed key no stored row had, with what needed it.
fn report_missing(
    needed: &BTreeMap<String, Vec<String>>,
    seen: &BTreeSet<String>,
    problems: &mut Problems,
    describe: impl Fn(&str, &str) -> (String, String),
) {
    for (key, users) in needed {
        if !seen.contains(key) {
            let (location, message) = describe(key, &users.join(", "));
            problems.add(location, message);
        }
    }
}

/// SHA-256 and length of what `bytes` reads, a megabyte at a time.
fn hash_bytes(mut bytes: impl std::io::Read) -> std::io::Result<(String, u64)> {
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut length = 0u64;
    loop {
        let n = bytes.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        length += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), length))
}

/// Runs `hash` over the `bytes` column of row `rowid` of `table`, read
/// through SQLite's incremental I/O (never the whole value in memory).
fn hash_stored(
    conn: &Connection,
    table: &str,
    rowid: i64,
    hash: impl FnOnce(rusqlite::blob::Blob<'_>) -> std::io::Result<(String, u64)>,
) -> Result<(String, u64)> {
    let blob = conn.blob_open(rusqlite::MAIN_DB, table, "bytes", rowid, true)?;
    hash(blob).map_err(|e| super::error::StoreError::Io {
        path: format!("{table} row {rowid}"),
        source: e,
    })
}

/// Decompresses and rehashes every stored list of check results'
/// resources, and checks that the lists the replayed results name are
/// exactly the ones stored.
fn check_lists(
    conn: &Connection,
    replay: &Connection,
    problems: &mut Problems,
    counts: &mut RecordCounts,
) -> Result<()> {
    let mut needed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stmt = replay.prepare(
        "SELECT value, 'result ' || idx || ' (' || check_id || ') of run #' || run
         FROM check_results, json_each(check_results.result, '$.resource_lists')
         WHERE json_valid(check_results.result) AND key IN ('not_passing', 'passing')",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (key, user) = row?;
        needed.entry(key).or_default().push(user);
    }
    let mut stmt = conn.prepare(
        "SELECT rowid, sha256, size, typeof(bytes), length(bytes) FROM result_lists ORDER BY sha256",
    )?;
    let mut rows = stmt.query([])?;
    let mut seen = BTreeSet::new();
    while let Some(row) = rows.next()? {
        let Some((key, size)) = stored_key(row, "result list", problems)? else {
            continue;
        };
        let location = format!("result list {}", short(&key));
        counts.result_lists += 1;
        counts.result_list_bytes += u64::try_from(row.get::<_, i64>(4)?).unwrap_or(0);
        let users = needed.get(&key).map(|u| u.join(", ")).unwrap_or_default();
        let rowid: i64 = row.get(0)?;
        match hash_stored(conn, "result_lists", rowid, |bytes| {
            super::results::hash_compressed(std::io::BufReader::new(bytes))
        }) {
            Err(e) => problems.add(&location, format!("does not decompress: {e}")),
            Ok((actual, length)) => {
                if actual != key {
                    problems.add(
                        &location,
                        format!(
                            "its text hashes to {}: the list was changed after it was stored (used by {})",
                            short(&actual),
                            used_by(&users)
                        ),
                    );
                }
                check_size_and_use(problems, &location, (size, length), &users, "");
            }
        }
        if users.is_empty() {
            problems.add(
                &location,
                "no result refers to it (inserted outside Tickmark, or its run was removed?)",
            );
        }
        seen.insert(key);
    }
    report_missing(&needed, &seen, problems, |key, users| {
        (
            format!("result list {}", short(key)),
            format!("missing: the resources of {users} are gone"),
        )
    });
    Ok(())
}

/// SQLite's order of two key values: NULL, then numbers (by value), then
/// text (by bytes, the BINARY collation), then blobs. Both sides of a
/// comparison are read `ORDER BY` their keys, so walking them in this order
/// pairs their rows.
fn key_order(a: &SqlValue, b: &SqlValue) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn rank(v: &SqlValue) -> u8 {
        match v {
            SqlValue::Null => 0,
            SqlValue::Integer(_) | SqlValue::Real(_) => 1,
            SqlValue::Text(_) => 2,
            SqlValue::Blob(_) => 3,
        }
    }
    match (a, b) {
        (SqlValue::Integer(x), SqlValue::Integer(y)) => x.cmp(y),
        (SqlValue::Integer(x), SqlValue::Real(y)) => (*x as f64).total_cmp(y),
        (SqlValue::Real(x), SqlValue::Integer(y)) => x.total_cmp(&(*y as f64)),
        (SqlValue::Real(x), SqlValue::Real(y)) => x.total_cmp(y),
        (SqlValue::Text(x), SqlValue::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (SqlValue::Blob(x), SqlValue::Blob(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)).then(Ordering::Equal),
    }
}

/// Compares one entity table of the file with the replay, row by row, in
/// key order: both are read as sorted streams and walked side by side, so
/// memory stays the same whatever the table holds.
fn compare_table(
    conn: &Connection,
    replay: &Connection,
    (table, keys): (&str, &[&str]),
    scope: &Scope,
    problems: &mut Problems,
) -> Result<()> {
    let columns: Vec<String> = replay
        .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?
        .query_map([table], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let sql = rows_sql(table, &columns, keys, scope);
    let key_positions: Vec<usize> = keys
        .iter()
        .filter_map(|k| columns.iter().position(|c| c == k))
        .collect();
    let mut expected_stmt = replay.prepare(&sql)?;
    let mut expected = expected_stmt.query([])?;
    let mut found_stmt = match conn.prepare(&sql) {
        Ok(stmt) => stmt,
        Err(e) => {
            problems.add(format!("table {table}"), format!("cannot be read: {e}"));
            return Ok(());
        }
    };
    let mut found = found_stmt.query([])?;
    let read = |rows: &mut rusqlite::Rows<'_>| -> rusqlite::Result<Option<Vec<SqlValue>>> {
        match rows.next()? {
            Some(row) => (0..columns.len())
                .map(|i| row.get::<_, SqlValue>(i))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            None => Ok(None),
        }
    };
    let mut want = read(&mut expected)?;
    let mut have = match read(&mut found) {
        Ok(row) => row,
        Err(e) => {
            problems.add(format!("table {table}"), format!("cannot be read: {e}"));
            return Ok(());
        }
    };
    let order = |a: &[SqlValue], b: &[SqlValue]| {
        key_positions
            .iter()
            .map(|&i| key_order(&a[i], &b[i]))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    };
    loop {
        let step = match (&want, &have) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(w), Some(h)) => order(w, h),
        };
        match step {
            std::cmp::Ordering::Less => {
                let Some(w) = want.take() else { break };
                problems.add(
                    row_location(table, keys, &columns, Some(&w)),
                    format!(
                        "missing: the event log says {} wrote it (deleted outside Tickmark?)",
                        writer(&columns, &w)
                    ),
                );
                want = read(&mut expected)?;
            }
            std::cmp::Ordering::Greater => {
                let Some(h) = have.take() else { break };
                problems.add(
                    row_location(table, keys, &columns, Some(&h)),
                    "no event wrote this row (inserted outside Tickmark, or its event was removed?)",
                );
                have = read(&mut found)?;
            }
            std::cmp::Ordering::Equal => {
                let (Some(w), Some(h)) = (want.take(), have.take()) else {
                    break;
                };
                if let Some(i) = (0..columns.len()).find(|&i| w[i] != h[i]) {
                    problems.add(
                        row_location(table, keys, &columns, Some(&w)),
                        format!(
                            "column `{}` is {} in the file, but {} wrote {} (changed outside Tickmark?)",
                            columns[i],
                            show(&h[i]),
                            writer(&columns, &w),
                            show(&w[i])
                        ),
                    );
                }
                want = read(&mut expected)?;
                have = read(&mut found)?;
            }
        }
    }
    Ok(())
}

fn rows_sql(table: &str, columns: &[String], keys: &[&str], scope: &Scope) -> String {
    let quoted: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    format!(
        "SELECT {} FROM \"{table}\" WHERE {} ORDER BY {}",
        quoted.join(", "),
        scope.0,
        keys.join(", ")
    )
}

fn row_location(
    table: &str,
    keys: &[&str],
    columns: &[String],
    row: Option<&Vec<SqlValue>>,
) -> String {
    let parts: Vec<String> = keys
        .iter()
        .map(|k| {
            let value = columns
                .iter()
                .position(|c| c == k)
                .and_then(|i| row.map(|r| show(&r[i])))
                .unwrap_or_default();
            format!("{k}={value}")
        })
        .collect();
    format!("{table} row ({})", parts.join(", "))
}

/// The event that wrote a row, from its `seq`, `id` or `run` column.
fn writer(columns: &[String], row: &[SqlValue]) -> String {
    ["seq", "id", "run"]
        .iter()
        .find_map(|name| {
            let i = columns.iter().position(|c| c == name)?;
            match &row[i] {
                SqlValue::Integer(n) => Some(format!("event #{n}")),
                _ => None,
            }
        })
        .unwrap_or_else(|| "an event".to_owned())
}

fn show(value: &SqlValue) -> String {
    const LONG: usize = 80;
    match value {
        SqlValue::Null => "NULL".to_owned(),
        SqlValue::Integer(i) => i.to_string(),
        SqlValue::Real(r) => r.to_string(),
        SqlValue::Text(t) => {
            let shown: String = t.chars().take(LONG).collect();
            let more = if t.chars().count() > LONG { "…" } else { "" };
            format!("{:?}", format!("{shown}{more}"))
        }
        SqlValue::Blob(b) => format!("<{} bytes>", b.len()),
    }
}

/// A value as shown in a location: numbers and text without quotes.
fn show_plain(value: &SqlValue) -> String {
    match value {
        SqlValue::Text(t) => t.clone(),
        other => show(other),
    }
}

fn short(hash: &str) -> String {
    match hash.get(..12) {
        Some(head) if hash.len() > 12 => format!("{head}…"),
        _ => hash.to_owned(),
    }
}

fn count_rows(conn: &Connection, counts: &mut RecordCounts) {
    // A table that cannot be counted is already reported by the schema check.
    let count = |table: &str| -> u64 {
        conn.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |row| {
            row.get::<_, i64>(0)
        })
        .map(|n| u64::try_from(n).unwrap_or(0))
        .unwrap_or(0)
    };
    counts.events = count("events");
    counts.profiles = count("profiles");
    counts.assessments = count("assessments");
    counts.evidence_files = count("evidence_files");
    counts.runs = count("runs");
    counts.reviews = count("reviews");
    counts.attachments = count("attachments");
    counts.sign_offs = count("sign_offs");
    counts.approvals = count("approvals");
    counts.signatures = count("signatures");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::event::event_hash;

    #[test]
    fn hashing_the_stored_text_equals_hashing_the_value() {
        let payload = serde_json::json!({"b": [1, "x\u{1}payload\u{1}"], "a": {"z": null}});
        let ev = EventRow {
            seq: 7,
            at: "2026-01-01T00:00:00.000000Z".into(),
            actor_profile: Some(2),
            // Even an OS user that spells the mark cannot mislead it.
            actor_os_user: "\u{1}payload\u{1}".into(),
            kind: "review.recorded".into(),
            assessment: Some(3),
            payload: canonical_json(&payload),
            prev_hash: "ab".repeat(32),
            hash: String::new(),
        };
        let expected = event_hash(
            &ev.prev_hash,
            ev.seq,
            &ev.at,
            ev.actor_profile,
            &ev.actor_os_user,
            &ev.kind,
            ev.assessment,
            &payload,
        );
        assert_eq!(event_hash_of_text(&ev), expected);
        let edited = EventRow {
            payload: ev.payload.replace("\"z\"", "\"y\""),
            ..ev
        };
        assert_ne!(event_hash_of_text(&edited), expected);
    }
}
