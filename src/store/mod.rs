//! The review record (PRODUCT.md §5): one SQLite file that keeps every
//! assessment, evidence file, check result, review, attachment, sign-off and
//! approval, and cannot be edited silently.
//!
//! # How it is kept
//!
//! * **Events.** Every change is one event in the append-only `events` table:
//!   sequence number, time, actor (reviewer profile and OS user), kind,
//!   assessment and a canonical JSON payload. Each event's hash is SHA-256
//!   over the previous event's hash and the event's canonical content, so
//!   the events form a hash chain. Nothing is deleted or updated in place; a
//!   correction is a new event. Triggers refuse UPDATE and DELETE on the
//!   event log and the stored files, and DELETE on every entity table.
//! * **State.** The entity tables (`profiles`, `assessments`,
//!   `evidence_files`, `runs`, `check_results`, `verdicts`, `reviews`,
//!   `attachments`, `sign_offs`, `approvals`) hold the current state,
//!   materialised from each event in the transaction that appends it.
//! * **Files.** Evidence and attachment bytes are stored once per SHA-256 in
//!   `blobs`.
//! * **Verification.** [`Store::verify`] recomputes the chain, replays every
//!   event into an empty database and compares the result with the tables
//!   row by row, recomputes every stored file's SHA-256 and compares the
//!   schema (triggers included). It names the first event, row or file that
//!   does not match. An edit by any SQLite tool is detected unless the
//!   editor also rewrites the chain from that point on *and* every table
//!   consistently; the chain head (printed by `tickmark verify`, kept in
//!   every export) pins the whole history, so compare it with a copy kept
//!   elsewhere to rule that out.
//! * **Signatures.** A profile may have an SSH public key bound to it (an
//!   event). Its sign-offs, decisions and seals then carry an SSHSIG
//!   signature over a statement that includes the chain head before them
//!   (`signed.rs`); `verify` makes each statement again from the replayed
//!   record and checks the signature with the key bound at the time, so a
//!   history rewritten with every hash recomputed is still found at the
//!   first signature after the change. [`Store::approve`] enforces
//!   segregation of duties and the approval gate.
//! * **People as they were.** A sign-off, an approval and a review keep
//!   the name and e-mail their profile had when they were recorded (and
//!   sign-offs and approvals the role), in their rows, so renaming a
//!   profile later does not change who a past sign-off reads as signed by;
//!   `verify` compares these columns like every other. Every other person
//!   shown with a change is resolved from the profile's events as of that
//!   change. Only the list of profiles shows them as they are now.
//! * **Sign-offs** bind to a hash of exactly what was signed (see
//!   [`SignOffBinding`]); every read that returns a sign-off recomputes it
//!   and sets `stale` when anything changed.
//!
//! # Durability and concurrency
//!
//! WAL journal, `synchronous=FULL` for every transaction (sign-offs
//! included), foreign keys on; a new record's pages are 16 KiB. Stored
//! files are written and read through SQLite's incremental blob I/O, so
//! they are never copied inside SQLite. Every change runs in one `BEGIN IMMEDIATE`
//! transaction; a second process that cannot get the write lock within the
//! busy timeout gets [`StoreError::Busy`] ("the review record is busy
//! (another Tickmark is writing); try again"), never a half-written record.
//! [`Store::atomically`] makes several changes one unit (an import: the
//! assessment it creates, its files and the run that evaluates them): they
//! commit together or not at all, whatever stops the process part-way.
//! A [`Store`] is one connection: it is `Send` but not `Sync`; a worker
//! thread (e.g. a long import) opens its own `Store` on the same file.
//!
//! # The API
//!
//! Writes take `&mut self` and an [`Actor`]; reads take `&self`. Reviews,
//! attachments and sign-offs need a reviewer profile; approvals need a
//! security lead's. Operations that name requirements take the assessment's
//! [`Catalog`](crate::catalog::Catalog) to check them. [`Store::record`]
//! returns an [`AssessmentRecord`], the serde snapshot the exports render.

mod apply;
mod binding;
mod canonical;
mod changes;
mod compare;
mod diff;
mod engine;
mod error;
mod event;
mod finding;
mod history;
mod imports;
mod lifecycle;
mod model;
mod overview;
mod prior;
mod queries;
mod read;
mod record;
mod requests;
mod results;
mod review_notes;
mod schema;
mod scope;
mod signed;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use binding::SignOffBinding;
pub use canonical::{canonical_json, canonical_sha256};
pub use changes::{MIN_JUSTIFICATION_WORDS, media_type_of};
pub use compare::{Comparison, Delta, RequirementComparison};
pub use diff::{DiffPart, EvidenceChange, FactChange, RequirementDiff, ResultChange, text_diff};
pub use engine::postgres::{
    APP_ROLE, ASKS_FOR_PASSWORD, REFUSED_PASSWORD, SERVER_SCHEMA_VERSION, ServerSetup, display_url,
    forget_password, init_server, is_url as is_server_url, never_prompt_on_terminal,
    remember_password, split_password,
};
pub use engine::{CopySummary, ServerSession};
pub use error::{BUSY_MESSAGE, Result, StoreError};
pub use event::OriginalBytes;
pub use event::{EVENT_KINDS, GENESIS_HASH};
pub use imports::{ImportOptions, ParsedEvidence, StoredEvidence};
pub use lifecycle::{
    Documents, FileLifecycle, FileState, Marked, Purge, PurgeOutcome, Redaction, Scrubbed,
    UnassignedDocument,
};
pub use model::*;
pub use overview::{ResourcePage, ResultSummary, RunOverview};
pub use prior::{Mapping, PriorFinding, PriorPeriod};
pub use record::{AssessmentRecord, RECORD_SCHEMA_VERSION};
pub use results::{ResourceCounts, ResourceKind};
pub use review_notes::MAX_REVIEW_NOTE_CHARS;
pub use schema::SCHEMA_VERSION;
pub use scope::{RecordedScope, summary as scope_summary};
pub use verify::{Problem, PurgedFile, RecordCounts, VerifyReport};

/// The database file's name in the data directory.
pub const DB_FILE_NAME: &str = "tickmark.sqlite3";

/// How long a writer waits for another process's write lock by default.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The default review record: `tickmark.sqlite3` in the platform's data
/// directory (e.g. `~/.local/share/tickmark/` on Linux). `None` if the
/// platform has no home directory.
pub fn default_db_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "Tickmark")
        .map(|dirs| dirs.data_dir().join(DB_FILE_NAME))
}

/// How to open a review record.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// How long a write waits for another process's lock before
    /// [`StoreError::Busy`].
    pub busy_timeout: Duration,
    /// Create the file (and its directory) if it does not exist.
    pub create: bool,
    /// Where the local copies of records shared on a server are kept (one
    /// file per server and database); `None` for the platform's cache
    /// directory (`TICKMARK_REPLICA_DIR` overrides it).
    pub replica_dir: Option<PathBuf>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            create: true,
            replica_dir: None,
        }
    }
}

/// An open review record.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    shared: Option<Shared>,
}

/// A record shared on a server: its log there, and where the write in
/// progress (inside [`Store::atomically`]) started.
struct Shared {
    log: Box<dyn engine::RemoteLog>,
    replica: PathBuf,
    unit: Option<engine::Mark>,
    listening: bool,
    last_look: std::time::Instant,
}

/// How long a process waits for the local copy of a shared record while
/// another process of the same user writes to it. Such a write may be
/// pulling a colleague's large file from the server, which takes longer
/// than a write to a file record.
const REPLICA_BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a client that listens for announcements trusts them alone.
const FULL_LOOK_EVERY: Duration = Duration::from_secs(5);

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The page size of a new record's SQLite file.
const PAGE_SIZE: i64 = 16 * 1024;

impl Store {
    /// Opens the review record at `path`, creating it if missing, and brings
    /// its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, &OpenOptions::default())
    }

    /// Opens an existing review record; [`StoreError::Missing`] if there is
    /// none at `path`.
    pub fn open_existing(path: &Path) -> Result<Store> {
        Store::open_with(
            path,
            &OpenOptions {
                create: false,
                ..OpenOptions::default()
            },
        )
    }

    /// Opens a review record with `options`: a file, or a record shared
    /// on a PostgreSQL server when `path` is a `postgresql://` URL (its
    /// local copy is brought up to date first).
    pub fn open_with(path: &Path, options: &OpenOptions) -> Result<Store> {
        let label = path.display().to_string();
        if engine::postgres::is_url(&label) {
            return Store::open_shared(&label, options);
        }
        Store::open_file(path, options)
    }

    fn open_shared(url: &str, options: &OpenOptions) -> Result<Store> {
        let log = engine::postgres::PgLog::connect(url)?;
        let shown = engine::postgres::display_url(url);
        let replica = replica_path(&shown, options)?;
        let mut store = Store::open_file(
            &replica,
            &OpenOptions {
                create: true,
                busy_timeout: options.busy_timeout.max(REPLICA_BUSY_TIMEOUT),
                ..options.clone()
            },
        )?;
        store.path = PathBuf::from(&shown);
        store.shared = Some(Shared {
            log: Box::new(log),
            replica,
            unit: None,
            listening: false,
            last_look: std::time::Instant::now(),
        });
        store.refresh()?;
        Ok(store)
    }

    fn open_file(path: &Path, options: &OpenOptions) -> Result<Store> {
        let label = path.display().to_string();
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if options.create {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        } else if !path.is_file() {
            return Err(StoreError::Missing(label));
        }
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::Io {
            path: label.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        conn.busy_timeout(options.busy_timeout)?;
        check_is_database(&conn, &label)?;
        if !options.create {
            // An existing record has a schema; an empty file (a truncated
            // record?) must not be turned into a new, "intact" one.
            let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
            if version == 0 {
                schema::refuse_lowered_version(&conn, &label, version)?;
                return Err(StoreError::NotARecord {
                    path: label,
                    reason:
                        "it holds no Tickmark schema (an empty file, or an empty SQLite database)"
                            .to_owned(),
                });
            }
        }
        // A new record gets larger pages than SQLite's 4 KiB: a stored file
        // (a 200 MiB pods list) is then written and read in a quarter as
        // many pages. It can only be set before the first page is written.
        let pages: i64 = conn.pragma_query_value(None, "page_count", |row| row.get(0))?;
        if pages == 0 {
            conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        }
        use_wal_journal(&conn, &label, options.busy_timeout)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn, &label, SCHEMA_VERSION)?;
        Ok(Store {
            conn,
            path: path.to_owned(),
            shared: None,
        })
    }

    /// The file (for a shared record, its URL without the password).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the record is shared on a server.
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// The local copy of a shared record (`None` for a file).
    pub fn replica(&self) -> Option<&Path> {
        self.shared.as_ref().map(|s| s.replica.as_path())
    }

    /// This client's session on the server of a shared record (`None` for
    /// a file): its id there and whether it is encrypted.
    pub fn server_session(&mut self) -> Result<Option<ServerSession>> {
        match self.shared.as_mut() {
            Some(shared) => shared.log.session().map(Some),
            None => Ok(None),
        }
    }

    /// Brings the local copy of a shared record up to the server's head;
    /// returns how many events colleagues recorded meanwhile (always 0 for
    /// a file).
    ///
    /// A connection that dropped since the last look is made again (once).
    pub fn refresh(&mut self) -> Result<usize> {
        match self.pull() {
            Err(e) if e.is_disconnected() && self.conn.is_autocommit() => {
                log::info!("{}: {e}; connecting again", self.path.display());
                self.pull()
            }
            other => other,
        }
    }

    /// Pulls the server's new events into the local copy, in one local
    /// transaction.
    fn pull(&mut self) -> Result<usize> {
        let Some(shared) = self.shared.as_mut() else {
            return Ok(0);
        };
        if !self.conn.is_autocommit() {
            return Ok(0);
        }
        let label = shared.replica.display().to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let added = engine::pull(&tx, shared.log.as_mut(), &label)?;
        tx.commit()?;
        Ok(added)
    }

    /// [`Store::refresh`] for a client that looks often: after
    /// [`Store::listen_for_colleagues`], the server is asked only when it
    /// announced a write, or when the last look is [`FULL_LOOK_EVERY`] old
    /// (announcements are lost when a connection drops).
    pub fn refresh_when_announced(&mut self) -> Result<usize> {
        let Some(shared) = self.shared.as_mut() else {
            return Ok(0);
        };
        if !shared.listening {
            shared.log.listen()?;
            shared.listening = true;
        } else if shared.last_look.elapsed() < FULL_LOOK_EVERY {
            match shared.log.wait_for_change(Duration::ZERO) {
                Ok(false) => return Ok(0),
                Ok(true) => {}
                // Announcements were lost with the connection: look.
                Err(e) if e.is_disconnected() => {}
                Err(e) => return Err(e),
            }
        }
        shared.last_look = std::time::Instant::now();
        self.refresh()
    }

    /// Waits at most `timeout` for a colleague's write to a shared record
    /// and brings the local copy up to date; returns how many events
    /// arrived. A file record just waits.
    pub fn wait_for_colleagues(&mut self, timeout: Duration) -> Result<usize> {
        match self.shared.as_mut() {
            Some(shared) => match shared.log.wait_for_change(timeout) {
                // Announcements were lost with the connection: look.
                Ok(_) => {}
                Err(e) if e.is_disconnected() => {}
                Err(e) => return Err(e),
            },
            None => std::thread::sleep(timeout),
        }
        self.refresh()
    }

    /// Subscribes to a shared record's announcements of new events (for
    /// [`Store::wait_for_colleagues`]; without it, that call polls).
    pub fn listen_for_colleagues(&mut self) -> Result<()> {
        let Some(shared) = self.shared.as_mut() else {
            return Ok(());
        };
        shared.log.listen()?;
        shared.listening = true;
        Ok(())
    }

    /// Starts a write on a shared record: the server's write lock, then the
    /// colleagues' events. Nothing is written yet, so a connection that
    /// drops meanwhile is made again and the start tried once more.
    fn begin_shared(&mut self) -> Result<()> {
        match self.try_begin_shared() {
            Err(e) if e.is_disconnected() => {
                log::info!("{}: {e}; connecting again", self.path.display());
                self.try_begin_shared()
            }
            other => other,
        }
    }

    fn try_begin_shared(&mut self) -> Result<()> {
        let Some(shared) = self.shared.as_mut() else {
            return Ok(());
        };
        shared.log.lock()?;
        if let Err(e) = self.pull() {
            if let Some(shared) = self.shared.as_mut() {
                shared.log.abort();
            }
            return Err(e);
        }
        Ok(())
    }

    /// Pushes what the write since `mark` added and commits it on the
    /// server (the local transaction commits next).
    fn push_shared(conn: &Connection, shared: &mut Shared, mark: engine::Mark) -> Result<()> {
        let batch = engine::batch_since(conn, mark)?;
        engine::push_batch(shared.log.as_mut(), &batch)
    }

    fn abort_shared(&mut self) {
        if let Some(shared) = self.shared.as_mut() {
            shared.unit = None;
            shared.log.abort();
        }
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`): all of it is
    /// committed, or nothing. Inside [`Store::atomically`] it is a savepoint
    /// of the enclosing unit: committed only with the whole unit.
    fn write<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            let savepoint = self.conn.savepoint()?;
            let out = f(&savepoint)?;
            savepoint.commit()?;
            return Ok(out);
        }
        if self.shared.is_some() {
            return self.write_shared(f);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// [`Store::write`] on a shared record: under the server's write lock,
    /// on a copy brought up to its head; the events go to the server before
    /// the local transaction commits.
    fn write_shared<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.begin_shared()?;
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mark = engine::Mark::take(&tx)?;
            let out = f(&tx)?;
            if let Some(shared) = self.shared.as_mut() {
                Store::push_shared(&tx, shared, mark)?;
            }
            tx.commit()?;
            Ok(out)
        })();
        if result.is_err() {
            self.abort_shared();
        }
        result
    }

    /// Runs `f` on one consistent snapshot of the record (inside
    /// [`Store::atomically`], on the unit's own view, its writes included).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return f(&self.conn);
        }
        let tx = self.conn.unchecked_transaction()?;
        let out = f(&tx)?;
        tx.finish()?;
        Ok(out)
    }

    /// Runs `f` as one unit of work: every change it makes through the
    /// store (assessments, evidence files, runs...) is committed together
    /// when it returns `Ok`, and none is when it returns `Err`, panics or the
    /// process dies part-way. The write lock is held throughout, so another
    /// process that writes meanwhile waits (and gets [`StoreError::Busy`]
    /// after the busy timeout). Called inside another unit, `f` simply
    /// becomes part of it.
    pub fn atomically<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if !self.conn.is_autocommit() {
            return f(self);
        }
        self.begin_shared()?;
        if let Err(e) = self.conn.execute_batch("BEGIN IMMEDIATE") {
            self.abort_shared();
            return Err(StoreError::from(e).into());
        }
        if self.shared.is_some() {
            match engine::Mark::take(&self.conn) {
                Ok(mark) => {
                    if let Some(shared) = self.shared.as_mut() {
                        shared.unit = Some(mark);
                    }
                }
                Err(e) => {
                    self.roll_back();
                    return Err(e.into());
                }
            }
        }
        match f(self) {
            Ok(out) => match self
                .push_unit()
                .and_then(|()| self.conn.execute_batch("COMMIT").map_err(StoreError::from))
            {
                Ok(()) => Ok(out),
                Err(e) => {
                    self.roll_back();
                    Err(e.into())
                }
            },
            Err(e) => {
                self.roll_back();
                Err(e)
            }
        }
    }

    /// Pushes the unit of [`Store::atomically`] to the server, if shared.
    fn push_unit(&mut self) -> Result<()> {
        let Some(shared) = self.shared.as_mut() else {
            return Ok(());
        };
        let Some(mark) = shared.unit.take() else {
            return Ok(());
        };
        Store::push_shared(&self.conn, shared, mark)
    }

    fn roll_back(&mut self) {
        self.abort_shared();
        if !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            log::warn!(
                "{}: rolling back an import failed: {e}",
                self.path.display()
            );
        }
    }
}

/// Where this user's local copy of the shared record at `url` is kept by
/// default (`None` without a cache directory).
pub fn local_copy_path(url: &str) -> Option<PathBuf> {
    replica_path(&display_url(url), &OpenOptions::default()).ok()
}

/// Where the local copy of the record at `url` (shown without a password)
/// is kept: one file per server, port and database.
fn replica_path(url: &str, options: &OpenOptions) -> Result<PathBuf> {
    let dir = match &options.replica_dir {
        Some(dir) => dir.clone(),
        None => match std::env::var_os("TICKMARK_REPLICA_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => directories::ProjectDirs::from("", "", "Tickmark")
                .map(|dirs| dirs.cache_dir().join("shared"))
                .ok_or_else(|| {
                    StoreError::Invalid(
                        "no cache directory for the local copy of a shared record (no home directory); set TICKMARK_REPLICA_DIR".into(),
                    )
                })?,
        },
    };
    let name: String = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split('?')
        .next()
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(dir.join(format!("{name}.sqlite3")))
}

/// Puts the record's journal in WAL mode (readers then never wait for a
/// writer). The mode is kept in the file, so only a new record is changed.
/// Changing it takes the file for itself, and SQLite returns "busy" there
/// at once instead of waiting, so several processes opening one new record
/// at the same moment (command-line sign-offs on a fresh local copy) retry
/// here, within the busy timeout, until one of them has changed it.
fn use_wal_journal(conn: &Connection, label: &str, timeout: Duration) -> Result<()> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        let mode: String = conn.pragma_query_value(None, "journal_mode", |row| row.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            return Ok(());
        }
        match conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        {
            Ok(mode) => {
                if !mode.eq_ignore_ascii_case("wal") {
                    log::warn!(
                        "{label}: the file system does not allow a WAL journal; using {mode}"
                    );
                }
                return Ok(());
            }
            Err(e) => {
                let error = StoreError::from(e);
                if !error.is_busy() || started.elapsed() >= timeout {
                    return Err(error);
                }
            }
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

fn check_is_database(conn: &Connection, label: &str) -> Result<()> {
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| {
        row.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            Err(StoreError::NotARecord {
                path: label.to_owned(),
                reason: "it is not an SQLite database".to_owned(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// The current time as stored: RFC 3339, UTC, microseconds.
pub(crate) fn now_text() -> String {
    time_text(&Utc::now())
}

/// A time as stored: RFC 3339, UTC, microseconds.
pub(crate) fn time_text(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}
