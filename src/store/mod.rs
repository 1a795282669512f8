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
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            create: true,
        }
    }
}

/// An open review record.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

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

    /// Opens a review record with `options`.
    pub fn open_with(path: &Path, options: &OpenOptions) -> Result<Store> {
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
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            log::warn!("{label}: the file system does not allow a WAL journal; using {mode}");
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn, &label, SCHEMA_VERSION)?;
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
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
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(StoreError::from)?;
        match f(self) {
            Ok(out) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => Ok(out),
                Err(e) => {
                    self.roll_back();
                    Err(StoreError::from(e).into())
                }
            },
            Err(e) => {
                self.roll_back();
                Err(e)
            }
        }
    }

    fn roll_back(&self) {
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
