//! The shared log on PostgreSQL: a schema of its own (`tickmark`) with
//! three tables, `events`, `blobs` and `result_lists`, guarded by triggers
//! (the chain is extended only at its head; nothing is updated or deleted,
//! except a stored file's bytes emptied under its `blob.purged` event) and
//! by grants (the application role `tickmark_app` may read and insert).
//! Writers are serialised by a transaction-scoped advisory lock; each
//! append sends a `NOTIFY tickmark_events` that the app listens for.
//!
//! Connections: `postgresql://user@host:port/dbname` (or `postgres://`),
//! `sslmode` from the URL (TLS by the platform's library, certificates and
//! host name checked); the password from the URL, `PGPASSWORD`, the
//! `.pgpass` file (`PGPASSFILE`) or, on a terminal, a prompt. Tickmark never
//! stores it.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config};

use super::{Batch, RemoteLog, SharedBytes};
use crate::store::error::{Result, StoreError};
use crate::store::event::EventRow;

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

fn server_error(url: &str, e: postgres::Error) -> StoreError {
    let detail = match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    };
    StoreError::Server(format!("{}: {detail}", display_url(url)))
}

/// The record's log on a PostgreSQL server.
pub struct PgLog {
    client: Client,
    url: String,
    in_write: bool,
}

impl std::fmt::Debug for PgLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLog").field("url", &self.url).finish()
    }
}

impl PgLog {
    /// Connects to the record at `url` (which `init-server` set up).
    pub fn connect(url: &str) -> Result<PgLog> {
        let client = connect(url)?;
        let mut log = PgLog {
            client,
            url: display_url(url),
            in_write: false,
        };
        log.check_schema()?;
        Ok(log)
    }

    fn err(&self, e: postgres::Error) -> StoreError {
        server_error(&self.url, e)
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
                    self.err(e)
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
        let row = self
            .client
            .query_opt(
                "SELECT seq, hash FROM tickmark.events ORDER BY seq DESC LIMIT 1",
                &[],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn hash_at(&mut self, seq: i64) -> Result<Option<String>> {
        let row = self
            .client
            .query_opt("SELECT hash FROM tickmark.events WHERE seq = $1", &[&seq])
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| r.get(0)))
    }

    fn events_after(
        &mut self,
        seq: i64,
        each: &mut dyn FnMut(EventRow) -> Result<()>,
    ) -> Result<()> {
        let url = self.url.clone();
        let params: [&(dyn postgres::types::ToSql + Sync); 1] = [&seq];
        let mut rows = self
            .client
            .query_raw(
                "SELECT seq, at, actor_profile, actor_os_user, kind, assessment, payload, prev_hash, hash
                 FROM tickmark.events WHERE seq > $1 ORDER BY seq",
                params,
            )
            .map_err(|e| server_error(&url, e))?;
        while let Some(r) = rows.next().map_err(|e| server_error(&url, e))? {
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
    }

    fn bytes_after(
        &mut self,
        seq: i64,
        lists: bool,
        each: &mut dyn FnMut(SharedBytes) -> Result<()>,
    ) -> Result<()> {
        let url = self.url.clone();
        let sql = if lists {
            "SELECT sha256, size, rows, bytes FROM tickmark.result_lists WHERE seq > $1 ORDER BY seq, sha256"
        } else {
            "SELECT sha256, size, 0::bigint, bytes FROM tickmark.blobs WHERE seq > $1 ORDER BY seq, sha256"
        };
        let params: [&(dyn postgres::types::ToSql + Sync); 1] = [&seq];
        let mut rows = self
            .client
            .query_raw(sql, params)
            .map_err(|e| server_error(&url, e))?;
        while let Some(r) = rows.next().map_err(|e| server_error(&url, e))? {
            each(SharedBytes {
                sha256: r.get(0),
                size: r.get(1),
                rows: r.get(2),
                bytes: r.get(3),
            })?;
        }
        Ok(())
    }

    fn purged_after(&mut self, seq: i64) -> Result<Vec<String>> {
        let rows = self
            .client
            .query(
                "SELECT sha256 FROM tickmark.blobs WHERE purged_seq > $1 ORDER BY purged_seq",
                &[&seq],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn lock(&mut self) -> Result<()> {
        if self.in_write {
            return Ok(());
        }
        self.client
            .batch_execute(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK});"
            ))
            .map_err(|e| self.err(e))?;
        self.in_write = true;
        Ok(())
    }

    fn push(&mut self, batch: &Batch) -> Result<()> {
        let Some(first) = batch.events.first() else {
            return Ok(());
        };
        let seq = first.seq;
        let url = self.url.clone();
        let err = |e| server_error(&url, e);
        for b in &batch.blobs {
            self.client
                .execute(
                    "INSERT INTO tickmark.blobs (sha256, size, bytes, seq) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
                    &[&b.sha256, &b.size, &b.bytes, &seq],
                )
                .map_err(err)?;
        }
        for l in &batch.lists {
            self.client
                .execute(
                    "INSERT INTO tickmark.result_lists (sha256, size, rows, bytes, seq) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
                    &[&l.sha256, &l.size, &l.rows, &l.bytes, &seq],
                )
                .map_err(err)?;
        }
        let insert = self
            .client
            .prepare(
                "INSERT INTO tickmark.events (seq, at, actor_profile, actor_os_user, kind, assessment, payload, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .map_err(err)?;
        for ev in &batch.events {
            self.client
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
            self.client
                .execute(
                    "UPDATE tickmark.blobs SET bytes = ''::bytea, purged_seq = $2 WHERE sha256 = $1",
                    &[sha256, purged_seq],
                )
                .map_err(err)?;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        if !self.in_write {
            return Ok(());
        }
        self.in_write = false;
        self.client
            .batch_execute("COMMIT")
            .map_err(|e| server_error(&self.url, e))
    }

    fn abort(&mut self) {
        if !self.in_write {
            return;
        }
        self.in_write = false;
        if let Err(e) = self.client.batch_execute("ROLLBACK") {
            log::warn!("{}: rolling back failed: {e}", self.url);
        }
    }

    fn listen(&mut self) -> Result<()> {
        self.client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(|e| server_error(&self.url, e))
    }

    fn wait_for_change(&mut self, timeout: Duration) -> Result<bool> {
        let url = self.url.clone();
        let mut notifications = self.client.notifications();
        let mut iter = notifications.timeout_iter(timeout);
        let mut seen = false;
        // One announcement is enough; drain whatever else has arrived.
        while let Some(_n) = iter.next().map_err(|e| server_error(&url, e))? {
            seen = true;
            if iter.size_hint().0 == 0 {
                break;
            }
        }
        Ok(seen)
    }
}

/// Passwords given to this process for a server (the app's password
/// field), by the server's URL without a password. Kept in memory until
/// the process ends; never written anywhere.
static SESSION_PASSWORDS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Whether a missing password may be asked for on the terminal (the
/// command line); the desktop app asks in its own window instead.
static TERMINAL_PROMPT: AtomicBool = AtomicBool::new(true);

/// Keeps `password` for the server at `url` for the rest of this process
/// (the app's "Open record" dialog): every connection the process opens
/// to that server uses it. Never written to disk.
pub fn remember_password(url: &str, password: &str) {
    let key = display_url(url);
    if let Ok(mut kept) = SESSION_PASSWORDS.lock() {
        kept.retain(|(k, _)| *k != key);
        kept.push((key, password.to_owned()));
    }
}

/// Forgets a password given this session for `url` (the server refused it).
pub fn forget_password(url: &str) {
    let key = display_url(url);
    if let Ok(mut kept) = SESSION_PASSWORDS.lock() {
        kept.retain(|(k, _)| *k != key);
    }
}

fn session_password(url: &str) -> Option<String> {
    let key = display_url(url);
    let kept = SESSION_PASSWORDS.lock().ok()?;
    kept.iter().find(|(k, _)| *k == key).map(|(_, p)| p.clone())
}

/// Never ask for a password on the terminal in this process (the desktop
/// app: its worker threads cannot be answered there);
/// [`StoreError::PasswordNeeded`] instead.
pub fn never_prompt_on_terminal() {
    TERMINAL_PROMPT.store(false, Ordering::Relaxed);
}

/// `url` without its password, and the password it carried (kept for the
/// session with [`remember_password`] by callers that keep the URL).
pub fn split_password(url: &str) -> (String, Option<String>) {
    let password = Config::from_str(url).ok().and_then(|c| {
        c.get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    });
    (display_url(url), password)
}

/// Opens a connection to `url`, with the password from the URL, one given
/// this session, `PGPASSWORD`, the `.pgpass` file or (on a terminal, from
/// the command line) a prompt, and TLS as `sslmode` says.
pub fn connect(url: &str) -> Result<Client> {
    let shown = display_url(url);
    let mut config = Config::from_str(url)
        .map_err(|e| StoreError::Invalid(format!("{shown}: not a PostgreSQL URL: {e}")))?;
    let given_here = config.get_password().is_none() && session_password(url).is_some();
    if config.get_password().is_none()
        && let Some(password) = session_password(url).or_else(|| password_for(&config))
    {
        config.password(password);
    }
    let tls = native_tls::TlsConnector::new()
        .map_err(|e| StoreError::Server(format!("{shown}: TLS is not available: {e}")))?;
    let tls = postgres_native_tls::MakeTlsConnector::new(tls);
    match config.connect(tls.clone()) {
        Ok(client) => Ok(client),
        Err(e) if given_here && refused_password(&e) => {
            forget_password(url);
            Err(StoreError::PasswordNeeded {
                url: shown.clone(),
                message: format!(
                    "{shown}: the server refused the password ({})",
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |d| d.message().to_owned())
                ),
                refused: true,
            })
        }
        Err(e) if config.get_password().is_none() && asks_for_password(&e) => {
            let terminal = TERMINAL_PROMPT.load(Ordering::Relaxed)
                && std::io::IsTerminal::is_terminal(&std::io::stdin());
            if !terminal {
                return Err(StoreError::PasswordNeeded {
                    url: shown.clone(),
                    message: format!(
                        "{shown}: the server asks for a password: type it when opening the record, set PGPASSWORD or add a line to ~/.pgpass (Tickmark never stores it)"
                    ),
                    refused: false,
                });
            }
            let prompt = format!("Password for {shown}: ");
            let password = rpassword::prompt_password(prompt).map_err(|io| StoreError::Io {
                path: shown.clone(),
                source: io,
            })?;
            config.password(password);
            config.connect(tls).map_err(|e| server_error(url, e))
        }
        Err(e) => Err(server_error(url, e)),
    }
}

fn asks_for_password(e: &postgres::Error) -> bool {
    let source = std::error::Error::source(e).map(ToString::to_string);
    e.to_string().contains("password missing")
        || source.is_some_and(|s| s.contains("password missing"))
}

/// The server said the password is wrong (`invalid_password`, 28P01).
fn refused_password(e: &postgres::Error) -> bool {
    e.as_db_error().map(|d| d.code().code()) == Some("28P01")
}

/// The password `PGPASSWORD` or the `.pgpass` file gives for `config`.
fn password_for(config: &Config) -> Option<String> {
    if let Ok(password) = std::env::var("PGPASSWORD") {
        return Some(password);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().unwrap_or_default();
    let user = config.get_user().unwrap_or_default();
    pgpass_lookup(&text, [&host, &port, db, user])
}

/// The password of the first `.pgpass` line whose four fields (host, port,
/// database, user; `*` matches anything) match `wanted`.
fn pgpass_lookup(text: &str, wanted: [&str; 4]) -> Option<String> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = pgpass_fields(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then(|| fields[4].clone())
        })
}

/// A `.pgpass` line's fields: `:` separates, `\` escapes.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && let Some(last) = fields.last_mut()
                {
                    last.push(next);
                }
            }
            ':' => fields.push(String::new()),
            c => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
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
    let mut client = connect(url)?;
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

    #[test]
    fn pgpass_lines_match_field_by_field_with_wildcards_and_escapes() {
        let text = "# comment\nother:5432:audit:ann:wrong\ndb.example:*:audit:ann:pa\\:ss\n*:*:*:*:fallback\n";
        assert_eq!(
            pgpass_lookup(text, ["db.example", "5433", "audit", "ann"]).as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_lookup(text, ["x", "1", "y", "z"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass_lookup("h:1:d:u\n", ["h", "1", "d", "u"]), None);
    }
}
