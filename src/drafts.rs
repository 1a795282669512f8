//! Drafts: review text typed but not yet saved (a note, a worksheet field),
//! kept in a small file of its own beside the review record.
//!
//! A draft is private work in progress. It is **not** part of the review
//! record: no event, no hash chain, not verified, not exported, not in an
//! evidence bundle. Saving it is what turns it into a `review.recorded`
//! event. It is kept on disk as it is typed so that it survives a crash or
//! a kill of the app.
//!
//! Why a file of its own rather than a table in the record: the record is
//! exactly what `verify` checks and what bundles and copies carry, and
//! drafts are neither; a long import holds the record's write lock, and
//! typing must never wait for it; and the file can be private to its user
//! (mode 0600 on Unix) while the record is shared. The file is SQLite (WAL,
//! one small transaction per change), so a draft is on disk once written,
//! whatever stops the process afterwards.
//!
//! The file is `<record stem>.drafts.sqlite3` in the record's folder
//! (`tickmark.drafts.sqlite3` beside `tickmark.sqlite3`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

/// The field of a review a draft holds when it is the note.
pub const NOTE: &str = "note";

/// One draft: text typed into a field of a requirement's review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The assessment.
    pub assessment: i64,
    /// The requirement.
    pub requirement: String,
    /// The field: [`NOTE`], or `compensating.<key>` / `customized.<key>`
    /// for a worksheet field.
    pub field: String,
    /// The text as typed.
    pub text: String,
    /// When it was last typed.
    pub updated_at: DateTime<Utc>,
}

/// The drafts file of a review record: `<stem>.drafts.sqlite3` beside it
/// (for a record shared on a server, beside its local copy).
pub fn path_beside(record: &Path) -> PathBuf {
    let label = record.to_string_lossy();
    if crate::store::is_server_url(&label)
        && let Some(copy) = crate::store::local_copy_path(&label)
    {
        return path_beside(&copy);
    }
    let stem = record
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tickmark".to_owned());
    record.with_file_name(format!("{stem}.drafts.sqlite3"))
}

/// An open drafts file.
pub struct DraftFile {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for DraftFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftFile")
            .field("path", &self.path)
            .finish()
    }
}

/// Why the drafts file cannot be used, naming it.
fn problem(path: &Path, e: impl std::fmt::Display) -> String {
    format!(
        "the drafts file {}: {e}",
        crate::evidence::display_path(path)
    )
}

impl DraftFile {
    /// Opens (or creates, private to the user) the drafts file at `path`.
    pub fn open(path: &Path) -> Result<DraftFile, String> {
        // A shared record's local copy (and its folder) may not exist yet.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| problem(path, e))?;
        }
        create_private(path).map_err(|e| problem(path, e))?;
        let conn = Connection::open(path).map_err(|e| problem(path, e))?;
        let setup = || -> rusqlite::Result<()> {
            conn.busy_timeout(std::time::Duration::from_secs(2))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if version == 0 {
                conn.execute_batch(
                    "CREATE TABLE IF NOT EXISTS drafts (
                        assessment INTEGER NOT NULL,
                        requirement TEXT NOT NULL,
                        field TEXT NOT NULL,
                        text TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        PRIMARY KEY (assessment, requirement, field)
                    );
                    PRAGMA user_version = 1;",
                )?;
            }
            Ok(())
        };
        setup().map_err(|e| problem(path, e))?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| problem(path, e))?;
        if version != 1 {
            return Err(problem(
                path,
                format!("it has version {version}, which this build does not read"),
            ));
        }
        Ok(DraftFile {
            conn,
            path: path.to_owned(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every draft, oldest assessment and requirement first.
    pub fn all(&self) -> Result<Vec<Draft>, String> {
        /// A row: assessment, requirement, field, text, time.
        type Row = (i64, String, String, String, String);
        let read = || -> rusqlite::Result<Vec<Row>> {
            let mut stmt = self.conn.prepare(
                "SELECT assessment, requirement, field, text, updated_at FROM drafts
                 ORDER BY assessment, requirement, field",
            )?;
            stmt.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect()
        };
        read()
            .map_err(|e| problem(&self.path, e))?
            .into_iter()
            .map(|(assessment, requirement, field, text, at)| {
                let updated_at = DateTime::parse_from_rfc3339(&at)
                    .map_err(|e| problem(&self.path, format!("the time `{at}`: {e}")))?
                    .with_timezone(&Utc);
                Ok(Draft {
                    assessment,
                    requirement,
                    field,
                    text,
                    updated_at,
                })
            })
            .collect()
    }

    /// Keeps `draft` (replacing the draft of the same field).
    pub fn put(&self, draft: &Draft) -> Result<(), String> {
        self.conn
            .execute(
                "INSERT INTO drafts (assessment, requirement, field, text, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (assessment, requirement, field) DO UPDATE SET
                   text = excluded.text, updated_at = excluded.updated_at",
                params![
                    draft.assessment,
                    draft.requirement,
                    draft.field,
                    draft.text,
                    draft.updated_at.to_rfc3339()
                ],
            )
            .map(|_| ())
            .map_err(|e| problem(&self.path, e))
    }

    /// Forgets the draft of one field.
    pub fn remove(&self, assessment: i64, requirement: &str, field: &str) -> Result<(), String> {
        self.conn
            .execute(
                "DELETE FROM drafts WHERE assessment = ?1 AND requirement = ?2 AND field = ?3",
                params![assessment, requirement, field],
            )
            .map(|_| ())
            .map_err(|e| problem(&self.path, e))
    }
}

/// Creates the drafts file, readable and writable by its owner only
/// (drafts are private; SQLite gives its journal files the same mode), if
/// it does not exist yet.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(requirement: &str, text: &str) -> Draft {
        Draft {
            assessment: 1,
            requirement: requirement.into(),
            field: NOTE.into(),
            text: text.into(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn drafts_are_kept_replaced_and_removed_across_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_beside(&dir.path().join("tickmark.sqlite3"));
        assert!(path.ends_with("tickmark.drafts.sqlite3"));
        let file = DraftFile::open(&path).unwrap();
        file.put(&draft("1.1.4", "half-typ")).unwrap();
        file.put(&draft("1.1.4", "half-typed")).unwrap();
        file.put(&draft("3.2", "x")).unwrap();
        drop(file);
        let file = DraftFile::open(&path).unwrap();
        let all = file.all().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].text, "half-typed");
        file.remove(1, "3.2", NOTE).unwrap();
        assert_eq!(file.all().unwrap().len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_file_that_is_not_a_drafts_file_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.drafts.sqlite3");
        std::fs::write(&path, "not a database at all ".repeat(50)).unwrap();
        let err = DraftFile::open(&path).unwrap_err();
        assert!(err.contains("x.drafts.sqlite3"), "{err}");
    }
}
