//! A record shared on a server: the authoritative log elsewhere, an
//! ordinary SQLite record here as its replica.
//!
//! The shared part of a record is small: the hash-chained events and the
//! content-addressed bytes they name (stored files and result lists). A
//! [`RemoteLog`] keeps exactly that; everything else (entity rows, views,
//! verify, exports) runs unchanged on the local replica, which is rebuilt
//! from the log by the same `apply` that materialises a local write.
//!
//! * **Sync** ([`pull`]): the events after the replica's head, with the
//!   bytes pushed with them, are checked link by link and hash by hash and
//!   appended and applied in one local transaction. A replica whose head is
//!   not on the server's chain is refused, never merged.
//! * **Write** (`Store::write` on a shared record): take the log's write
//!   lock, pull, run the write in a local transaction, push its events and
//!   new bytes ([`push`]), commit on the server, then locally. Writers are
//!   serialised by the server; none overwrites another's events.
//!
//! The engine-specific part is one file per engine (`postgres.rs`). It
//! knows the event columns, not the event kinds: a new kind needs no change
//! here.

pub mod postgres;

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::canonical::canonical_json;
use super::error::{Result, StoreError};
use super::event::{Change, EVENT_COLUMNS, EventRow, GENESIS_HASH, event_row};
use super::{OpenOptions, Store, VerifyReport};

/// Stored bytes a write pushes: a file's or a result list's, named by
/// where they are in the local copy and read from there a piece at a time
/// ([`LocalBytes`]), so a 200 MiB file is never held whole for the push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedBytes {
    /// Their SHA-256 (hex).
    pub sha256: String,
    /// The stored size (a purged file keeps it while its bytes are empty).
    pub size: i64,
    /// Rows of a result list; 0 for a stored file.
    pub rows: i64,
    /// Their row in the local copy's `blobs` or `result_lists`.
    pub rowid: i64,
}

/// Which stored bytes: a stored file's or a result list's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// A stored file (evidence, an attachment).
    File,
    /// A list of check results' resources.
    ResultList,
}

impl Stored {
    /// Their table in the local copy.
    fn local_table(self) -> &'static str {
        match self {
            Stored::File => "blobs",
            Stored::ResultList => "result_lists",
        }
    }

    /// What they are called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Stored::File => "stored file",
            Stored::ResultList => "result list",
        }
    }
}

/// The local copy's stored bytes, read for a push through SQLite's
/// incremental I/O.
pub struct LocalBytes<'a> {
    conn: &'a Connection,
}

/// How much of a stored file a push reads and sends at a time.
pub const PUSH_PIECE: usize = 4 << 20;

impl<'a> LocalBytes<'a> {
    /// The stored bytes of the local copy open on `conn`.
    pub fn new(conn: &'a Connection) -> LocalBytes<'a> {
        LocalBytes { conn }
    }

    /// How many bytes `item` has in the local copy.
    pub fn len(&self, stored: Stored, item: &SharedBytes) -> Result<usize> {
        Ok(self.open(stored, item)?.len())
    }

    fn open(&self, stored: Stored, item: &SharedBytes) -> Result<rusqlite::blob::Blob<'a>> {
        Ok(self.conn.blob_open(
            rusqlite::MAIN_DB,
            stored.local_table(),
            "bytes",
            item.rowid,
            true,
        )?)
    }

    /// Calls `each` with `item`'s bytes, in order, at most [`PUSH_PIECE`]
    /// at a time; nothing for empty (purged) bytes.
    pub fn pieces(
        &self,
        stored: Stored,
        item: &SharedBytes,
        each: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        let blob = self.open(stored, item)?;
        let mut piece = vec![0u8; blob.len().min(PUSH_PIECE)];
        let mut at = 0;
        while at < blob.len() {
            let n = (blob.len() - at).min(PUSH_PIECE);
            blob.read_at_exact(&mut piece[..n], at)?;
            each(&piece[..n])?;
            at += n;
        }
        Ok(())
    }
}

/// Stored bytes as the log hands them over, borrowed from the server's
/// row (a 200 MiB file is not copied on its way into the local copy).
#[derive(Debug, Clone, Copy)]
pub struct PulledBytes<'a> {
    /// Their SHA-256 (hex).
    pub sha256: &'a str,
    /// The stored size (a purged file keeps it while its bytes are empty).
    pub size: i64,
    /// Rows of a result list; 0 for a stored file.
    pub rows: i64,
    /// The bytes (empty once purged).
    pub bytes: &'a [u8],
}

/// What one write adds to the shared log.
#[derive(Debug, Default)]
pub struct Batch {
    /// The new events, in order.
    pub events: Vec<EventRow>,
    /// Stored files new in this write.
    pub blobs: Vec<SharedBytes>,
    /// Result lists new in this write.
    pub lists: Vec<SharedBytes>,
    /// Stored files this write purged, with the purging event.
    pub purged: Vec<(String, i64)>,
}

/// The authoritative, shared log of a record: events, the bytes they name,
/// and the write lock. One implementation per server engine.
pub trait RemoteLog: Send {
    /// Where the log is (a URL without its password), for messages.
    fn describe(&self) -> String;
    /// The last event's number and hash (`None` for an empty log).
    fn head(&mut self) -> Result<Option<(i64, String)>>;
    /// The hash of event `seq`, if there is one.
    fn hash_at(&mut self, seq: i64) -> Result<Option<String>>;
    /// Calls `each` with every event after `seq`, in order.
    fn events_after(
        &mut self,
        seq: i64,
        each: &mut dyn FnMut(EventRow) -> Result<()>,
    ) -> Result<()>;
    /// Calls `each` with the stored files pushed with events after `seq`
    /// (`lists` false) or the result lists (`lists` true).
    fn bytes_after(
        &mut self,
        seq: i64,
        lists: bool,
        each: &mut dyn FnMut(PulledBytes<'_>) -> Result<()>,
    ) -> Result<()>;
    /// The stored files purged by events after `seq`.
    fn purged_after(&mut self, seq: i64) -> Result<Vec<String>>;
    /// Starts a write: takes the log's write lock (held until
    /// [`RemoteLog::commit`] or [`RemoteLog::abort`]).
    fn lock(&mut self) -> Result<()>;
    /// Adds `batch` under the lock, its bytes read from `local`; refused
    /// unless its first event follows the log's head.
    fn push(&mut self, batch: &Batch, local: &LocalBytes<'_>) -> Result<()>;
    /// Makes the pushed batch durable and releases the lock.
    fn commit(&mut self) -> Result<()>;
    /// Drops what was pushed and releases the lock.
    fn abort(&mut self);
    /// Subscribes to the announcements [`RemoteLog::wait_for_change`] waits
    /// for.
    fn listen(&mut self) -> Result<()>;
    /// Waits at most `timeout` for a colleague's write; true when one was
    /// announced (false may still mean one happened: poll the head).
    fn wait_for_change(&mut self, timeout: std::time::Duration) -> Result<bool>;
    /// This client's session on the server.
    fn session(&mut self) -> Result<ServerSession>;
}

/// A client's session on the record's server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSession {
    /// The server's id of the session (PostgreSQL: the backend's process
    /// id).
    pub id: i64,
    /// The encryption in use (e.g. `TLSv1.3`), `None` when the session is
    /// not encrypted.
    pub encryption: Option<String>,
}

/// The replica's head: its last event's number and hash.
pub(crate) fn local_head(conn: &Connection) -> Result<(i64, String)> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
        .unwrap_or_else(|| (0, GENESIS_HASH.to_owned())))
}

/// Refuses a replica whose head is not on the server's chain.
fn check_on_chain(conn: &Connection, remote: &mut dyn RemoteLog, replica: &str) -> Result<i64> {
    let (seq, hash) = local_head(conn)?;
    if seq == 0 {
        return Ok(0);
    }
    match remote.hash_at(seq)? {
        Some(theirs) if theirs == hash => Ok(seq),
        Some(_) => Err(StoreError::Diverged(format!(
            "the local copy {replica} differs from {} at event #{seq}: it was changed outside Tickmark, or the server was set up anew; delete the local copy and open the record again to rebuild it from the server",
            remote.describe()
        ))),
        None => Err(StoreError::Diverged(format!(
            "the local copy {replica} has event #{seq}, which {} does not: it belongs to another server, or the server was set up anew; delete the local copy and open the record again",
            remote.describe()
        ))),
    }
}

/// Brings the replica up to the server's head, in the caller's local
/// transaction: the bytes first (entity rows name them), then each event,
/// checked (link, hash, payload) before it is appended and applied, then
/// the purges. Returns the number of events added.
pub(crate) fn pull(conn: &Connection, remote: &mut dyn RemoteLog, replica: &str) -> Result<usize> {
    let from = check_on_chain(conn, remote, replica)?;
    if remote.head()?.map(|(seq, _)| seq).unwrap_or(0) == from {
        return Ok(0);
    }
    remote.bytes_after(from, false, &mut |b| {
        let inserted = conn.execute(
            "INSERT OR IGNORE INTO blobs (sha256, size, bytes) VALUES (?1, ?2, zeroblob(?3))",
            params![b.sha256, b.size, b.bytes.len() as i64],
        )?;
        write_pulled(conn, Stored::File, inserted, b.bytes)
    })?;
    remote.bytes_after(from, true, &mut |b| {
        let inserted = conn.execute(
            "INSERT OR IGNORE INTO result_lists (sha256, size, rows, bytes) VALUES (?1, ?2, ?3, zeroblob(?4))",
            params![b.sha256, b.size, b.rows, b.bytes.len() as i64],
        )?;
        write_pulled(conn, Stored::ResultList, inserted, b.bytes)
    })?;
    let (mut seq, mut prev) = local_head(conn)?;
    let mut added = 0;
    let source = remote.describe();
    remote.events_after(from, &mut |ev| {
        let at = format!("{source}, event #{}", ev.seq);
        if ev.seq != seq + 1 || ev.prev_hash != prev {
            return Err(StoreError::Diverged(format!(
                "{at}: does not follow event #{seq} of the chain"
            )));
        }
        let payload = ev
            .payload_value()
            .map_err(|e| StoreError::Corrupt(format!("{at}: {e}")))?;
        if canonical_json(&payload) != ev.payload || ev.hash_with(&payload) != ev.hash {
            return Err(StoreError::Diverged(format!(
                "{at}: its hash does not match its content (changed on the server outside Tickmark)"
            )));
        }
        let change = Change::from_parts(&ev.kind, &payload)
            .map_err(|e| StoreError::Corrupt(format!("{at}: {e}")))?;
        super::event::insert_row(conn, &ev)?;
        super::apply::apply(conn, &ev, &change)
            .map_err(|e| StoreError::Corrupt(format!("{at}: {e}")))?;
        seq = ev.seq;
        prev = ev.hash;
        added += 1;
        Ok(())
    })?;
    let purged = remote.purged_after(from)?;
    if !purged.is_empty() {
        conn.pragma_update(None, "secure_delete", true)?;
        for sha256 in purged {
            conn.execute(
                "UPDATE blobs SET bytes = X'' WHERE sha256 = ?1 AND length(bytes) > 0",
                [sha256],
            )?;
        }
    }
    Ok(added)
}

/// Writes pulled bytes into the row just made for them (`inserted`: 1),
/// a piece at a time through SQLite's incremental I/O: bound as a
/// parameter, a stored file would be copied again inside SQLite.
fn write_pulled(conn: &Connection, stored: Stored, inserted: usize, bytes: &[u8]) -> Result<()> {
    if inserted == 0 || bytes.is_empty() {
        return Ok(());
    }
    super::changes::write_in_pieces(conn, stored.local_table(), conn.last_insert_rowid(), bytes)
}

/// Pushes `batch` under the write lock taken before it and commits it on
/// the server, surviving one dropped connection:
///
/// * dropped before COMMIT was sent: the server rolled the write back and
///   nothing landed; on a new connection, under the lock again, the same
///   batch is pushed once more if the log's head is still where the write
///   started (if a colleague wrote meanwhile, nothing is pushed and that is
///   said plainly: the change must be made again on top of theirs);
/// * dropped during COMMIT: the outcome is unknown; on a new connection the
///   log is asked whether the batch's last event is there with its hash
///   (a COMMIT lands whole or not at all): then the write is done,
///   otherwise it is pushed again as above.
pub(crate) fn push_batch(
    remote: &mut dyn RemoteLog,
    batch: &Batch,
    local: &LocalBytes<'_>,
) -> Result<()> {
    let dropped = match remote.push(batch, local) {
        Ok(()) => match remote.commit() {
            Ok(()) => return Ok(()),
            Err(e) if e.is_disconnected() => match landed(remote, batch) {
                Ok(true) => return Ok(()),
                Ok(false) => e,
                Err(again) => return Err(outcome_unknown(&again)),
            },
            Err(e) => return Err(e),
        },
        Err(e) if e.is_disconnected() => e,
        Err(e) => return Err(e),
    };
    log::info!("{}: pushing the write again ({dropped})", remote.describe());
    remote.lock()?;
    let retried = push_again(remote, batch, local, &dropped);
    if retried.is_err() {
        remote.abort();
    }
    retried
}

/// True when the log holds `batch`'s last event, with its hash.
fn landed(remote: &mut dyn RemoteLog, batch: &Batch) -> Result<bool> {
    match batch.events.last() {
        Some(last) => Ok(remote.hash_at(last.seq)?.as_deref() == Some(last.hash.as_str())),
        None => Ok(true),
    }
}

/// The second push of [`push_batch`], under the lock taken again.
fn push_again(
    remote: &mut dyn RemoteLog,
    batch: &Batch,
    local: &LocalBytes<'_>,
    dropped: &StoreError,
) -> Result<()> {
    let Some(first) = batch.events.first() else {
        return remote.commit();
    };
    let started_at = (first.seq > 1).then(|| (first.seq - 1, first.prev_hash.clone()));
    let head = remote.head()?;
    if head != started_at {
        if landed(remote, batch)? {
            return remote.commit();
        }
        return Err(StoreError::Rule(format!(
            "{dropped}; meanwhile the record moved on (its head is now event #{}), so nothing of this change was recorded: make it again",
            head.map_or(0, |(seq, _)| seq)
        )));
    }
    remote.push(batch, local)?;
    match remote.commit() {
        Err(e) if e.is_disconnected() => match landed(remote, batch) {
            Ok(true) => Ok(()),
            Ok(false) => Err(StoreError::Disconnected(format!(
                "{e}; this change was not recorded (the connection dropped twice): make it again"
            ))),
            Err(again) => Err(outcome_unknown(&again)),
        },
        other => other,
    }
}

/// The connection dropped while the server committed and cannot be made
/// again to ask whether the write landed.
fn outcome_unknown(again: &StoreError) -> StoreError {
    StoreError::Disconnected(format!(
        "{again}; the connection dropped while the server was committing this change, so whether it was recorded is not known yet: it shows when the record is next refreshed or opened (nothing is recorded twice)"
    ))
}

/// Where a local write starts: the head and the last rows of the
/// content-addressed tables, so that what it adds can be pushed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    seq: i64,
    blob_rowid: i64,
    list_rowid: i64,
}

impl Mark {
    /// The replica as it is now (inside the write's transaction).
    pub(crate) fn take(conn: &Connection) -> Result<Mark> {
        let max = |table: &str| -> Result<i64> {
            Ok(conn.query_row(
                &format!("SELECT coalesce(max(rowid), 0) FROM {table}"),
                [],
                |row| row.get(0),
            )?)
        };
        Ok(Mark {
            seq: local_head(conn)?.0,
            blob_rowid: max("blobs")?,
            list_rowid: max("result_lists")?,
        })
    }
}

/// What the write since `mark` added: its events, new bytes and purges.
pub(crate) fn batch_since(conn: &Connection, mark: Mark) -> Result<Batch> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq"
    ))?;
    let events = stmt
        .query_map([mark.seq], event_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let bytes = |sql: &str, after: i64| -> Result<Vec<SharedBytes>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt
            .query_map([after], |row| {
                Ok(SharedBytes {
                    sha256: row.get(0)?,
                    size: row.get(1)?,
                    rows: row.get(2)?,
                    rowid: row.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    };
    let blobs = bytes(
        "SELECT sha256, size, 0, rowid FROM blobs WHERE rowid > ?1 ORDER BY rowid",
        mark.blob_rowid,
    )?;
    let lists = bytes(
        "SELECT sha256, size, rows, rowid FROM result_lists WHERE rowid > ?1 ORDER BY rowid",
        mark.list_rowid,
    )?;
    let mut stmt = conn.prepare("SELECT sha256, seq FROM purges WHERE seq > ?1 ORDER BY seq")?;
    let purged = stmt
        .query_map([mark.seq], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Batch {
        events,
        blobs,
        lists,
        purged,
    })
}

/// The whole of a record as one batch (to copy it onto an empty server).
fn whole_record(conn: &Connection) -> Result<Batch> {
    batch_since(
        conn,
        Mark {
            seq: 0,
            blob_rowid: 0,
            list_rowid: 0,
        },
    )
}

/// What [`Store::copy_to_server`] copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySummary {
    /// Events copied.
    pub events: usize,
    /// Stored files copied (purged ones as their hash and size).
    pub blobs: usize,
    /// Result lists copied.
    pub lists: usize,
}

impl Store {
    /// Copies this record (a file) into the shared log at `url`, which must
    /// be set up (`init-server`) and empty: every event, stored file and
    /// result list, in one server transaction under its write lock.
    pub fn copy_to_server(&self, url: &str) -> Result<CopySummary> {
        let mut log = postgres::PgLog::connect(url)?;
        self.read(|conn| {
            let batch = whole_record(conn)?;
            log.lock()?;
            let result = (|| {
                if let Some((seq, _)) = log.head()? {
                    return Err(StoreError::Rule(format!(
                        "{} already holds a record (its head is event #{seq}); a record is copied only into an empty one",
                        log.describe()
                    )));
                }
                log.push(&batch, &LocalBytes::new(conn))?;
                log.commit()
            })();
            if result.is_err() {
                log.abort();
            }
            result?;
            Ok(CopySummary {
                events: batch.events.len(),
                blobs: batch.blobs.len(),
                lists: batch.lists.len(),
            })
        })
    }

    /// Rebuilds the shared record at `url` from the server alone into a
    /// new local copy under `scratch` (a directory of its own, removed
    /// afterwards) and verifies that copy the way a file is verified.
    pub fn verify_server_copy(url: &str, scratch: &Path) -> Result<VerifyReport> {
        let options = OpenOptions {
            replica_dir: Some(scratch.to_owned()),
            ..OpenOptions::default()
        };
        let report = Store::open_with(Path::new(url), &options).and_then(|store| store.verify());
        if let Err(e) = std::fs::remove_dir_all(scratch) {
            log::warn!(
                "{}: could not remove the scratch copy: {e}",
                scratch.display()
            );
        }
        report
    }
}

#[cfg(test)]
mod tests {
    //! What [`push_batch`] decides when the connection drops at COMMIT (a
    //! moment a real server cannot be made to drop at on cue; the drops
    //! before COMMIT are tested on a real PostgreSQL in
    //! `tests/store_postgres_connection.rs`).

    use super::*;

    /// A log that drops the connection when told to.
    #[derive(Default)]
    struct DroppingLog {
        events: Vec<(i64, String)>,
        pending: Vec<(i64, String)>,
        /// Drop at the next COMMITs: whether each one landed first.
        commit_drops: Vec<bool>,
        /// An event a colleague writes while the connection is down.
        colleague_on_drop: Option<(i64, String)>,
        locks: usize,
    }

    fn dropped() -> StoreError {
        StoreError::Disconnected("db: the connection to the server dropped".into())
    }

    impl RemoteLog for DroppingLog {
        fn describe(&self) -> String {
            "db".into()
        }
        fn head(&mut self) -> Result<Option<(i64, String)>> {
            Ok(self.events.last().cloned())
        }
        fn hash_at(&mut self, seq: i64) -> Result<Option<String>> {
            Ok(self
                .events
                .iter()
                .find(|(s, _)| *s == seq)
                .map(|(_, h)| h.clone()))
        }
        fn events_after(
            &mut self,
            _seq: i64,
            _each: &mut dyn FnMut(EventRow) -> Result<()>,
        ) -> Result<()> {
            Ok(())
        }
        fn bytes_after(
            &mut self,
            _seq: i64,
            _lists: bool,
            _each: &mut dyn FnMut(PulledBytes<'_>) -> Result<()>,
        ) -> Result<()> {
            Ok(())
        }
        fn purged_after(&mut self, _seq: i64) -> Result<Vec<String>> {
            Ok(Vec::new())
        }
        fn lock(&mut self) -> Result<()> {
            self.locks += 1;
            Ok(())
        }
        fn push(&mut self, batch: &Batch, _local: &LocalBytes<'_>) -> Result<()> {
            self.pending = batch
                .events
                .iter()
                .map(|e| (e.seq, e.hash.clone()))
                .collect();
            Ok(())
        }
        fn commit(&mut self) -> Result<()> {
            let pending = std::mem::take(&mut self.pending);
            if self.commit_drops.is_empty() {
                self.events.extend(pending);
                return Ok(());
            }
            if self.commit_drops.remove(0) {
                self.events.extend(pending);
            }
            self.events.extend(self.colleague_on_drop.take());
            Err(dropped())
        }
        fn abort(&mut self) {
            self.pending.clear();
        }
        fn listen(&mut self) -> Result<()> {
            Ok(())
        }
        fn wait_for_change(&mut self, _timeout: std::time::Duration) -> Result<bool> {
            Ok(false)
        }
        fn session(&mut self) -> Result<ServerSession> {
            Ok(ServerSession {
                id: 1,
                encryption: None,
            })
        }
    }

    fn event(seq: i64, prev_hash: &str, hash: &str) -> EventRow {
        EventRow {
            seq,
            at: String::new(),
            actor_profile: None,
            actor_os_user: String::new(),
            kind: String::new(),
            assessment: None,
            payload: String::new(),
            prev_hash: prev_hash.into(),
            hash: hash.into(),
        }
    }

    /// [`push_batch`] of a batch that stores no bytes.
    fn push_without_bytes(log: &mut DroppingLog, batch: &Batch) -> Result<()> {
        let conn = Connection::open_in_memory().unwrap();
        push_batch(log, batch, &LocalBytes::new(&conn))
    }

    /// A log holding event #1 and a batch of #2 and #3 on top of it.
    fn log_and_batch(commit_drops: Vec<bool>) -> (DroppingLog, Batch) {
        let log = DroppingLog {
            events: vec![(1, "h1".into())],
            commit_drops,
            ..DroppingLog::default()
        };
        let batch = Batch {
            events: vec![event(2, "h1", "h2"), event(3, "h2", "h3")],
            ..Batch::default()
        };
        (log, batch)
    }

    #[test]
    fn a_commit_that_landed_before_the_drop_is_done_and_not_pushed_again() {
        let (mut log, batch) = log_and_batch(vec![true]);
        push_without_bytes(&mut log, &batch).unwrap();
        assert_eq!(log.events.len(), 3);
        assert_eq!(log.locks, 0);
    }

    #[test]
    fn a_commit_that_did_not_land_is_pushed_again_once() {
        let (mut log, batch) = log_and_batch(vec![false]);
        push_without_bytes(&mut log, &batch).unwrap();
        assert_eq!(
            log.events,
            [(1, "h1".into()), (2, "h2".into()), (3, "h3".into())]
        );
        assert_eq!(log.locks, 1);
        let (mut log, batch) = log_and_batch(vec![false, false]);
        let err = push_without_bytes(&mut log, &batch)
            .unwrap_err()
            .to_string();
        assert!(err.contains("the connection dropped twice"), "{err}");
        assert_eq!(log.events.len(), 1);
        // The second COMMIT landed before its drop: done.
        let (mut log, batch) = log_and_batch(vec![false, true]);
        push_without_bytes(&mut log, &batch).unwrap();
        assert_eq!(log.events.len(), 3);
    }

    #[test]
    fn nothing_is_pushed_again_over_a_colleagues_events() {
        let (mut log, batch) = log_and_batch(vec![false]);
        log.colleague_on_drop = Some((2, "theirs".into()));
        let err = push_without_bytes(&mut log, &batch)
            .unwrap_err()
            .to_string();
        assert!(err.contains("the record moved on"), "{err}");
        assert!(err.contains("nothing of this change was recorded"), "{err}");
        assert_eq!(log.events, [(1, "h1".into()), (2, "theirs".into())]);
    }
}
