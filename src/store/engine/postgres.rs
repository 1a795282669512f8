//! The shared log on PostgreSQL: a schema of its own (`tickmark`) with
//! three tables, `events`, `blobs` and `result_lists`, guarded by triggers
//! (the chain is extended only at its head; nothing is updated or deleted,
//! except a stored file's bytes emptied under its `blob.purged` event) and
//! by grants (the application role `tickmark_app` may read and insert).
//! Writers are serialised by a transaction-scoped advisory lock; each
//! append sends a `NOTIFY tickmark_events` that the app listens for.
//!
//! Connections: `postgresql://user@host:port/dbname` (or `postgres://`),
//! with libpq's `sslmode`, `sslrootcert`, `sslcert` and `sslkey` (see
//! [`connect`] for what each mode checks); the password from the URL,
//! `PGPASSWORD`, the `.pgpass` file (`PGPASSFILE`) or, on a terminal, a
//! prompt. Tickmark never stores it.
//!
//! A connection that drops (a server restart, the network) is made again
//! by the next operation, with the same settings and password, listening
//! again if it listened; what that means for a write in progress is
//! decided engine-agnostically (`engine::push_batch`).

pub mod connect;

pub use connect::{
    ASKS_FOR_PASSWORD, REFUSED_PASSWORD, forget_password, never_prompt_on_terminal,
    remember_password, split_password,
};

use std::time::Duration;

use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;

use super::{
    Batch, LocalBytes, PUSH_PIECE, PulledBytes, RemoteLog, ServerSession, SharedBytes, Stored,
};
use crate::store::error::{Result, StoreError};
use crate::store::event::EventRow;

impl Stored {
    /// Their table on the server.
    fn table(self) -> &'static str {
        match self {
            Stored::File => "tickmark.blobs",
            Stored::ResultList => "tickmark.result_lists",
        }
    }

    /// Inserts `item`'s row pushed with event `seq`, its bytes either
    /// given or (`None`) joined from the session's pieces.
    fn insert(
        self,
        client: &mut Client,
        item: &SharedBytes,
        seq: i64,
        bytes: Option<&[u8]>,
    ) -> std::result::Result<u64, postgres::Error> {
        let mut columns = vec!["sha256", "size", "seq"];
        let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> =
            vec![&item.sha256, &item.size, &seq];
        if self == Stored::ResultList {
            columns.push("rows");
            params.push(&item.rows);
        }
        let mut values: Vec<String> = (1..=params.len()).map(|n| format!("${n}")).collect();
        match &bytes {
            Some(bytes) => {
                params.push(bytes);
                values.push(format!("${}", params.len()));
            }
            None => values.push(
                "(SELECT string_agg(piece, ''::bytea ORDER BY n) FROM pg_temp.tickmark_pieces)"
                    .to_owned(),
            ),
        }
        columns.push("bytes");
        let sql = format!(
            "INSERT INTO {} ({}) SELECT {} ON CONFLICT (sha256) DO NOTHING",
            self.table(),
            columns.join(", "),
            values.join(", ")
        );
        client.execute(&sql, &params)
    }
}

/// Sends one stored file or result list. Bytes that fit in one piece go
/// in one statement; larger ones (unless the server has them already) go
/// a piece at a time into a temporary table of the session and are joined
/// on the server, so the client never holds more than a piece of them.
fn push_bytes(
    client: &mut Client,
    url: &str,
    local: &LocalBytes<'_>,
    stored: Stored,
    item: &SharedBytes,
    seq: i64,
) -> Result<()> {
    let err = |e| server_error(url, e);
    if local.len(stored, item)? <= PUSH_PIECE {
        let mut bytes = Vec::new();
        local.pieces(stored, item, &mut |piece| {
            bytes.extend_from_slice(piece);
            Ok(())
        })?;
        stored
            .insert(client, item, seq, Some(&bytes))
            .map_err(err)?;
        return Ok(());
    }
    let table = stored.table();
    let there = client
        .query_opt(
            &format!("SELECT 1 FROM {table} WHERE sha256 = $1"),
            &[&item.sha256],
        )
        .map_err(err)?;
    if there.is_some() {
        return Ok(());
    }
    client
        .batch_execute(
            // The pieces are kept as sent: compressing each only to
            // decompress it for the join would double the server's work.
            "CREATE TEMPORARY TABLE IF NOT EXISTS tickmark_pieces (n integer PRIMARY KEY, piece bytea NOT NULL) ON COMMIT DROP;
             ALTER TABLE pg_temp.tickmark_pieces ALTER COLUMN piece SET STORAGE EXTERNAL;
             DELETE FROM pg_temp.tickmark_pieces;",
        )
        .map_err(err)?;
    let (mut count, mut sent) = (0i32, 0i64);
    local.pieces(stored, item, &mut |piece| {
        client
            .execute(
                "INSERT INTO pg_temp.tickmark_pieces (n, piece) VALUES ($1, $2)",
                &[&count, &piece],
            )
            .map_err(err)?;
        count += 1;
        sent += piece.len() as i64;
        Ok(())
    })?;
    stored.insert(client, item, seq, None).map_err(err)?;
    let landed: Option<i32> = client
        .query_one(
            &format!("SELECT length(bytes) FROM {table} WHERE sha256 = $1"),
            &[&item.sha256],
        )
        .map_err(err)?
        .get(0);
    if landed.map(i64::from) != Some(sent) {
        return Err(StoreError::Corrupt(format!(
            "{url}: {} {} was sent as {sent} bytes in {count} pieces, but the server joined {} bytes",
            stored.noun(),
            item.sha256,
            landed.map_or_else(|| "no".to_owned(), |n| n.to_string())
        )));
    }
    Ok(())
}

/// The version of the server schema this build writes.
pub const SERVER_SCHEMA_VERSION: i32 = 1;

/// The group role the application's logins are made members of.
pub const APP_ROLE: &str = "tickmark_app";

/// The advisory lock that serialises writers ("tick" in ASCII).
const WRITE_LOCK: i64 = 0x7469_636b;

/// The channel each append notifies.
const CHANNEL: &str = "tickmark_events";

/// True when `db` names a PostgreSQL database rather than a file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgresql://") || db.starts_with("postgres://")
}

/// The URL without a password, for messages and as the record's name.
pub fn display_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

/// What `e` says: the server's message and code, or the driver's error
/// with its causes (a TLS handshake's reason, an I/O error).
fn error_detail(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let said = c.to_string();
        if !text.contains(&said) {
            text = format!("{text}: {said}");
        }
        cause = c.source();
    }
    text
}

fn server_error(url: &str, e: postgres::Error) -> StoreError {
    let detail = error_detail(&e);
    let shown = display_url(url);
    if connection_lost(&e) {
        StoreError::Disconnected(format!(
            "{shown}: the connection to the server dropped: {detail}"
        ))
    } else {
        StoreError::Server(format!("{shown}: {detail}"))
    }
}

/// True when `e` means the connection is gone (closed, an I/O error, the
/// server shutting down or terminating this session), not that the server
/// refused a statement.
fn connection_lost(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        let code = code.code();
        // Class 08: connection exception; 57P01-03: shut down, crashed,
        // cannot connect now.
        return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03");
    }
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

/// The record's log on a PostgreSQL server.
pub struct PgLog {
    client: Client,
    connector: connect::Connector,
    url: String,
    in_write: bool,
    listening: bool,
    lost: bool,
}

impl std::fmt::Debug for PgLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLog").field("url", &self.url).finish()
    }
}

impl PgLog {
    /// Connects to the record at `url` (which `init-server` set up).
    pub fn connect(url: &str) -> Result<PgLog> {
        let (client, connector) = connect::open(url)?;
        let mut log = PgLog {
            client,
            connector,
            url: display_url(url),
            in_write: false,
            listening: false,
            lost: false,
        };
        log.check_schema()?;
        Ok(log)
    }

    /// Runs `op` on the connection, made again first if the last one
    /// dropped. A drop during `op` is remembered for the next operation.
    fn run<T>(&mut self, op: impl FnOnce(&mut Client, &str) -> Result<T>) -> Result<T> {
        if self.lost || self.client.is_closed() {
            self.reconnect()?;
        }
        let result = op(&mut self.client, &self.url);
        if matches!(&result, Err(e) if e.is_disconnected()) {
            self.lost = true;
            self.in_write = false;
        }
        result
    }

    /// A new connection in place of a dropped one, listening again if the
    /// old one listened. A write that was in progress is over (the server
    /// rolled it back): that is reported as [`StoreError::Disconnected`]
    /// once the new connection stands.
    fn reconnect(&mut self) -> Result<()> {
        let client = self.connector.reconnect().map_err(|e| {
            StoreError::Disconnected(format!(
                "the connection to the record's server dropped and connecting again failed: {e}"
            ))
        })?;
        self.client = client;
        self.lost = false;
        log::info!("{}: connected again after the connection dropped", self.url);
        self.check_schema()?;
        if self.listening {
            self.client
                .batch_execute(&format!("LISTEN {CHANNEL}"))
                .map_err(|e| server_error(&self.url, e))?;
        }
        if std::mem::take(&mut self.in_write) {
            return Err(StoreError::Disconnected(format!(
                "{}: the connection to the server dropped during a write (the server rolled it back)",
                self.url
            )));
        }
        Ok(())
    }

    fn check_schema(&mut self) -> Result<()> {
        let found = self
            .client
            .query_opt(
                "SELECT version FROM tickmark.server WHERE to_regclass('tickmark.server') IS NOT NULL",
                &[],
            )
            .map_err(|e| {
                if e.as_db_error().map(|d| d.code().code()) == Some("42P01") {
                    StoreError::NotARecord {
                        path: self.url.clone(),
                        reason: "the database holds no Tickmark schema; set it up with `tickmark init-server URL`".into(),
                    }
                } else {
                    server_error(&self.url, e)
                }
            })?;
        match found.map(|row| row.get::<_, i32>(0)) {
            Some(SERVER_SCHEMA_VERSION) => Ok(()),
            Some(v) if v > SERVER_SCHEMA_VERSION => Err(StoreError::NewerSchema {
                path: self.url.clone(),
                found: v.into(),
                supported: SERVER_SCHEMA_VERSION.into(),
            }),
            Some(v) => Err(StoreError::NotARecord {
                path: self.url.clone(),
                reason: format!("unknown server schema version {v}"),
            }),
            None => Err(StoreError::NotARecord {
                path: self.url.clone(),
                reason: "the Tickmark schema has no version row".into(),
            }),
        }
    }
}

impl RemoteLog for PgLog {
    fn describe(&self) -> String {
        self.url.clone()
    }

    fn head(&mut self) -> Result<Option<(i64, String)>> {
        self.run(|client, url| {
            let row = client
                .query_opt(
                    "SELECT seq, hash FROM tickmark.events ORDER BY seq DESC LIMIT 1",
                    &[],
                )
                .map_err(|e| server_error(url, e))?;
            Ok(row.map(|r| (r.get(0), r.get(1))))
        })
    }

    fn hash_at(&mut self, seq: i64) -> Result<Option<String>> {
        self.run(|client, url| {
            let row = client
                .query_opt("SELECT hash FROM tickmark.events WHERE seq = $1", &[&seq])
                .map_err(|e| server_error(url, e))?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn events_after(
        &mut self,
        seq: i64,
        each: &mut dyn FnMut(EventRow) -> Result<()>,
    ) -> Result<()> {
        self.run(|client, url| {
            let params: [&(dyn postgres::types::ToSql + Sync); 1] = [&seq];
            let mut rows = client
                .query_raw(
                    "SELECT seq, at, actor_profile, actor_os_user, kind, assessment, payload, prev_hash, hash
                     FROM tickmark.events WHERE seq > $1 ORDER BY seq",
                    params,
                )
                .map_err(|e| server_error(url, e))?;
            while let Some(r) = rows.next().map_err(|e| server_error(url, e))? {
                each(EventRow {
                    seq: r.get(0),
                    at: r.get(1),
                    actor_profile: r.get(2),
                    actor_os_user: r.get(3),
                    kind: r.get(4),
                    assessment: r.get(5),
                    payload: r.get(6),
                    prev_hash: r.get(7),
                    hash: r.get(8),
                })?;
            }
            Ok(())
        })
    }

    fn bytes_after(
        &mut self,
        seq: i64,
        lists: bool,
        each: &mut dyn FnMut(PulledBytes<'_>) -> Result<()>,
    ) -> Result<()> {
        let sql = if lists {
            "SELECT sha256, size, rows, bytes FROM tickmark.result_lists WHERE seq > $1 ORDER BY seq, sha256"
        } else {
            "SELECT sha256, size, 0::bigint, bytes FROM tickmark.blobs WHERE seq > $1 ORDER BY seq, sha256"
        };
        self.run(|client, url| {
            let params: [&(dyn postgres::types::ToSql + Sync); 1] = [&seq];
            let mut rows = client
                .query_raw(sql, params)
                .map_err(|e| server_error(url, e))?;
            while let Some(r) = rows.next().map_err(|e| server_error(url, e))? {
                each(PulledBytes {
                    sha256: r.get(0),
                    size: r.get(1),
                    rows: r.get(2),
                    bytes: r.get(3),
                })?;
            }
            Ok(())
        })
    }

    fn purged_after(&mut self, seq: i64) -> Result<Vec<String>> {
        self.run(|client, url| {
            let rows = client
                .query(
                    "SELECT sha256 FROM tickmark.blobs WHERE purged_seq > $1 ORDER BY purged_seq",
                    &[&seq],
                )
                .map_err(|e| server_error(url, e))?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }

    fn lock(&mut self) -> Result<()> {
        if self.in_write {
            return Ok(());
        }
        self.run(|client, url| {
            client
                .batch_execute(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK});"
                ))
                .map_err(|e| server_error(url, e))
        })?;
        self.in_write = true;
        Ok(())
    }

    fn push(&mut self, batch: &Batch, local: &LocalBytes<'_>) -> Result<()> {
        let Some(first) = batch.events.first() else {
            return Ok(());
        };
        let seq = first.seq;
        self.run(|client, url| {
            let err = |e| server_error(url, e);
            for b in &batch.blobs {
                push_bytes(client, url, local, Stored::File, b, seq)?;
            }
            for l in &batch.lists {
                push_bytes(client, url, local, Stored::ResultList, l, seq)?;
            }
            let insert = client
                .prepare(
                    "INSERT INTO tickmark.events (seq, at, actor_profile, actor_os_user, kind, assessment, payload, prev_hash, hash)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .map_err(err)?;
            for ev in &batch.events {
                client
                    .execute(
                        &insert,
                        &[
                            &ev.seq,
                            &ev.at,
                            &ev.actor_profile,
                            &ev.actor_os_user,
                            &ev.kind,
                            &ev.assessment,
                            &ev.payload,
                            &ev.prev_hash,
                            &ev.hash,
                        ],
                    )
                    .map_err(err)?;
            }
            for (sha256, purged_seq) in &batch.purged {
                client
                    .execute(
                        "UPDATE tickmark.blobs SET bytes = ''::bytea, purged_seq = $2 WHERE sha256 = $1",
                        &[sha256, purged_seq],
                    )
                    .map_err(err)?;
            }
            Ok(())
        })
    }

    fn commit(&mut self) -> Result<()> {
        if !self.in_write {
            return Ok(());
        }
        let result = self.run(|client, url| {
            client
                .batch_execute("COMMIT")
                .map_err(|e| server_error(url, e))
        });
        self.in_write = false;
        result
    }

    fn abort(&mut self) {
        if !std::mem::take(&mut self.in_write) || self.lost || self.client.is_closed() {
            // A dropped connection's transaction is rolled back by the
            // server.
            return;
        }
        if let Err(e) = self.client.batch_execute("ROLLBACK") {
            log::warn!("{}: rolling back failed: {e}", self.url);
            if connection_lost(&e) {
                self.lost = true;
            }
        }
    }

    fn listen(&mut self) -> Result<()> {
        self.run(|client, url| {
            client
                .batch_execute(&format!("LISTEN {CHANNEL}"))
                .map_err(|e| server_error(url, e))
        })?;
        self.listening = true;
        Ok(())
    }

    fn wait_for_change(&mut self, timeout: Duration) -> Result<bool> {
        self.run(|client, url| {
            let mut notifications = client.notifications();
            let mut iter = notifications.timeout_iter(timeout);
            let mut seen = false;
            // One announcement is enough; drain whatever else has arrived.
            while let Some(_n) = iter.next().map_err(|e| server_error(url, e))? {
                seen = true;
                if iter.size_hint().0 == 0 {
                    break;
                }
            }
            Ok(seen)
        })
    }

    fn session(&mut self) -> Result<ServerSession> {
        self.run(|client, url| {
            let row = client
                .query_one(
                    "SELECT pg_backend_pid(), coalesce((SELECT CASE WHEN ssl THEN version END FROM pg_stat_ssl WHERE pid = pg_backend_pid()), '')",
                    &[],
                )
                .map_err(|e| server_error(url, e))?;
            let encryption: String = row.get(1);
            Ok(ServerSession {
                id: row.get::<_, i32>(0).into(),
                encryption: (!encryption.is_empty()).then_some(encryption),
            })
        })
    }
}

/// The server schema: the shared log and its guards.
const SERVER_SCHEMA: &str = r#"
CREATE SCHEMA tickmark;
CREATE TABLE tickmark.server (
    version integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE tickmark.events (
    seq bigint PRIMARY KEY,
    at text NOT NULL,
    actor_profile bigint,
    actor_os_user text NOT NULL,
    kind text NOT NULL,
    assessment bigint,
    payload text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL UNIQUE,
    stored_at timestamptz NOT NULL DEFAULT now(),
    stored_by name NOT NULL DEFAULT session_user
);
CREATE TABLE tickmark.blobs (
    sha256 text PRIMARY KEY,
    size bigint NOT NULL,
    bytes bytea NOT NULL,
    seq bigint NOT NULL,
    purged_seq bigint
);
CREATE INDEX blobs_by_seq ON tickmark.blobs (seq);
CREATE TABLE tickmark.result_lists (
    sha256 text PRIMARY KEY,
    size bigint NOT NULL,
    rows bigint NOT NULL,
    bytes bytea NOT NULL,
    seq bigint NOT NULL
);
CREATE INDEX result_lists_by_seq ON tickmark.result_lists (seq);

CREATE FUNCTION tickmark.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'insufficient_privilege';
END $$;

-- The chain grows only at its head, and every append is announced.
CREATE FUNCTION tickmark.events_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    SELECT seq, hash INTO last_seq, last_hash FROM tickmark.events ORDER BY seq DESC LIMIT 1;
    IF NEW.seq <> coalesce(last_seq, 0) + 1
       OR NEW.prev_hash <> coalesce(last_hash, repeat('0', 64)) THEN
        RAISE EXCEPTION 'event #% does not follow the head of the chain (#%)', NEW.seq, coalesce(last_seq, 0)
            USING ERRCODE = 'serialization_failure';
    END IF;
    PERFORM pg_notify('tickmark_events', NEW.seq::text);
    RETURN NEW;
END $$;
CREATE TRIGGER events_append BEFORE INSERT ON tickmark.events
    FOR EACH ROW EXECUTE FUNCTION tickmark.events_append();
CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON tickmark.events
    FOR EACH ROW EXECUTE FUNCTION tickmark.refuse('the event log is append-only: an event cannot be changed or deleted');
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON tickmark.events
    FOR EACH STATEMENT EXECUTE FUNCTION tickmark.refuse('the event log is append-only: it cannot be truncated');

-- A stored file's bytes may be emptied only under its blob.purged event.
CREATE FUNCTION tickmark.blobs_purge_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.sha256 = OLD.sha256 AND NEW.size = OLD.size AND NEW.seq = OLD.seq
       AND length(NEW.bytes) = 0 AND OLD.purged_seq IS NULL AND NEW.purged_seq IS NOT NULL
       AND EXISTS (SELECT 1 FROM tickmark.events e WHERE e.seq = NEW.purged_seq
                   AND e.kind = 'blob.purged' AND e.payload::jsonb ->> 'sha256' = OLD.sha256) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'stored files cannot be changed, only purged by an event' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER blobs_purge_only BEFORE UPDATE ON tickmark.blobs
    FOR EACH ROW EXECUTE FUNCTION tickmark.blobs_purge_only();
CREATE TRIGGER blobs_no_delete BEFORE DELETE ON tickmark.blobs
    FOR EACH ROW EXECUTE FUNCTION tickmark.refuse('stored files cannot be deleted');
CREATE TRIGGER blobs_no_truncate BEFORE TRUNCATE ON tickmark.blobs
    FOR EACH STATEMENT EXECUTE FUNCTION tickmark.refuse('stored files cannot be deleted');
CREATE TRIGGER result_lists_no_change BEFORE UPDATE OR DELETE ON tickmark.result_lists
    FOR EACH ROW EXECUTE FUNCTION tickmark.refuse('stored result lists cannot be changed or deleted');
CREATE TRIGGER result_lists_no_truncate BEFORE TRUNCATE ON tickmark.result_lists
    FOR EACH STATEMENT EXECUTE FUNCTION tickmark.refuse('stored result lists cannot be deleted');

-- The application role: read everything, insert; never update or delete
-- (but empty a purged file's bytes, which the trigger above restricts).
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tickmark_app') THEN
        CREATE ROLE tickmark_app NOLOGIN;
    END IF;
END $$;
REVOKE ALL ON SCHEMA tickmark FROM PUBLIC;
GRANT USAGE ON SCHEMA tickmark TO tickmark_app;
GRANT SELECT ON tickmark.server TO tickmark_app;
GRANT SELECT, INSERT ON tickmark.events, tickmark.result_lists TO tickmark_app;
GRANT SELECT, INSERT ON tickmark.blobs TO tickmark_app;
GRANT UPDATE (bytes, purged_seq) ON tickmark.blobs TO tickmark_app;
-- A stored file larger than a piece is pushed into a temporary table a
-- piece at a time (PostgreSQL grants this to everyone unless revoked).
DO $$ BEGIN
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO tickmark_app', current_database());
END $$;
"#;

/// What `init-server` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSetup {
    /// The database, without a password.
    pub url: String,
    /// The schema was created now (false: it was there; only members changed).
    pub created: bool,
    /// The logins made members of [`APP_ROLE`].
    pub members: Vec<String>,
    /// The logins no longer members.
    pub removed: Vec<String>,
}

/// Sets up the Tickmark schema and the application role on the (empty)
/// database at `url`, connecting as its owner, and makes each of `members`
/// a member of [`APP_ROLE`]. On a database already set up, only changes
/// who is a member: `members` join, `removed` leave (the team changes
/// during an engagement); with neither, it refuses and changes nothing.
pub fn init_server(url: &str, members: &[String], removed: &[String]) -> Result<ServerSetup> {
    let (mut client, _) = connect::open(url)?;
    let shown = display_url(url);
    let exists: bool = client
        .query_one("SELECT to_regnamespace('tickmark') IS NOT NULL", &[])
        .map_err(|e| server_error(url, e))?
        .get(0);
    if exists && members.is_empty() && removed.is_empty() {
        return Err(StoreError::Rule(format!(
            "{shown}: the database already holds a Tickmark schema; nothing was changed (add a member with --grant USER, remove one with --revoke USER)"
        )));
    }
    if !exists && !removed.is_empty() {
        return Err(StoreError::Invalid(format!(
            "{shown}: --revoke needs a database already set up; nothing was changed"
        )));
    }
    let mut tx = client.transaction().map_err(|e| server_error(url, e))?;
    if exists {
        check_server_version(&mut tx, &shown)?;
    } else {
        tx.batch_execute(SERVER_SCHEMA)
            .map_err(|e| server_error(url, e))?;
        tx.execute(
            "INSERT INTO tickmark.server (version) VALUES ($1)",
            &[&SERVER_SCHEMA_VERSION],
        )
        .map_err(|e| server_error(url, e))?;
    }
    for (users, statement) in [
        (members, "GRANT {APP_ROLE} TO"),
        (removed, "REVOKE {APP_ROLE} FROM"),
    ] {
        for user in users {
            let quoted: String = tx
                .query_one("SELECT quote_ident($1)", &[user])
                .map_err(|e| server_error(url, e))?
                .get(0);
            let statement = statement.replace("{APP_ROLE}", APP_ROLE);
            tx.batch_execute(&format!("{statement} {quoted}"))
                .map_err(|e| server_error(url, e))?;
        }
    }
    tx.commit().map_err(|e| server_error(url, e))?;
    Ok(ServerSetup {
        url: shown,
        created: !exists,
        members: members.to_vec(),
        removed: removed.to_vec(),
    })
}

/// Refuses a server schema of another version than this build's.
fn check_server_version(tx: &mut postgres::Transaction<'_>, shown: &str) -> Result<()> {
    let version: Option<i32> = tx
        .query_opt("SELECT version FROM tickmark.server", &[])
        .map_err(|e| StoreError::Server(format!("{shown}: {e}")))?
        .map(|row| row.get(0));
    match version {
        Some(SERVER_SCHEMA_VERSION) => Ok(()),
        other => Err(StoreError::NotARecord {
            path: shown.to_owned(),
            reason: format!(
                "its Tickmark schema is version {}, this Tickmark writes version {SERVER_SCHEMA_VERSION}",
                other.map_or("unknown".to_owned(), |v| v.to_string())
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths_and_shown_without_passwords() {
        assert!(is_url("postgresql://a@h/db"));
        assert!(is_url("postgres://h/db"));
        assert!(!is_url("/tmp/postgres://x"));
        assert_eq!(
            display_url("postgresql://ann:s3cret@db.example:5433/audit?sslmode=require"),
            "postgresql://ann@db.example:5433/audit?sslmode=require"
        );
        assert_eq!(display_url("postgres://h/db"), "postgres://h/db");
    }
}
