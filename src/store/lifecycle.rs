//! Evidence over its life: what each file describes and what sensitive data
//! was found in it, retiring a file, keeping one with sensitive data as it
//! is, storing a redacted copy in its place, purging stored bytes for good,
//! and the documents that arrived with a folder but document no requirement
//! yet.
//!
//! A purge is the one way bytes leave the record: a `blob.purged` event
//! keeps their SHA-256 and size, what used them, who and why; the `purges`
//! row it writes is what lets the `blobs` trigger allow emptying the
//! bytes (the row, with the hash and size, stays). The
//! connection overwrites freed pages with zeros (`secure_delete`), and
//! [`Store::scrub`] checkpoints and truncates the write-ahead log, so that
//! no copy of the purged bytes is left in the file or beside it.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::Store;
use super::changes::{require_reviewer, store_blob};
use super::error::{Result, StoreError};
use super::event::{Change, EventRow, record};
use super::model::{Actor, AttachmentMeta, EvidenceFile, Person};
use super::read::{self, People};
use crate::catalog::Catalog;
use crate::evidence::sensitive::{self, SensitiveFinding};
use crate::evidence::{self, Format};

/// What happened to an evidence file over its life.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileLifecycle {
    /// The resources it describes (ARM IDs, `namespace/Kind/name`); empty
    /// for documents and for files imported before Tickmark recorded them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// Sensitive data found in it (masked previews only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<SensitiveFinding>,
    /// For a redacted copy: the bytes it was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<OriginalRef>,
    /// Set when it was retired: no longer evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<Marked>,
    /// Set when a reviewer chose to keep it as it is despite its sensitive
    /// data (exports then carry it, and say so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<Marked>,
    /// Set when its bytes were purged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purged: Option<Purge>,
}

impl FileLifecycle {
    /// True when nothing beyond the import happened and nothing was found.
    pub fn is_empty(&self) -> bool {
        *self == FileLifecycle::default()
    }
}

/// The bytes a redacted copy was made from (never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginalRef {
    /// Their SHA-256.
    pub sha256: String,
    /// Their size.
    pub size: u64,
    /// The evidence file that held them, when it was stored first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<i64>,
}

/// A decision recorded about a file: the event, when, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marked {
    /// The event.
    pub seq: i64,
    /// When (as stored), where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Why.
    pub reason: String,
}

/// Bytes purged from the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purge {
    /// The `blob.purged` event.
    pub seq: i64,
    /// When.
    pub at: String,
    /// Why.
    pub reason: String,
    /// What used the bytes when they were purged.
    pub subject: String,
    /// Who.
    pub by: Person,
}

/// Where an evidence file stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    /// Evaluated.
    Current,
    /// Replaced by a later file (same path, same resources, or its redacted
    /// copy).
    Superseded,
    /// Taken out of evaluation, with a reason.
    Retired,
    /// Its bytes are gone for good.
    Purged,
}

impl FileState {
    /// `current`, `superseded`, `retired` or `purged`.
    pub fn id(self) -> &'static str {
        match self {
            FileState::Current => "current",
            FileState::Superseded => "superseded",
            FileState::Retired => "retired",
            FileState::Purged => "purged",
        }
    }
}

impl EvidenceFile {
    /// Where the file stands.
    pub fn state(&self) -> FileState {
        if self.lifecycle.purged.is_some() {
            FileState::Purged
        } else if self.lifecycle.retired.is_some() {
            FileState::Retired
        } else if self.superseded_by.is_some() {
            FileState::Superseded
        } else {
            FileState::Current
        }
    }

    /// The sensitive findings that hold a value (not redaction markers).
    pub fn open_findings(&self) -> Vec<&SensitiveFinding> {
        self.lifecycle
            .sensitive
            .iter()
            .filter(|f| !f.redacted)
            .collect()
    }

    /// True when sensitive data was found and nobody has decided yet
    /// whether to keep, redact or purge the file. Exports leave its bytes
    /// out.
    pub fn sensitive_pending(&self) -> bool {
        !self.open_findings().is_empty()
            && self.lifecycle.kept.is_none()
            && self.lifecycle.purged.is_none()
    }

    /// True for a document (image, PDF, Markdown, text) rather than evidence
    /// Tickmark evaluates.
    pub fn is_document(&self) -> bool {
        self.provenance.format == Format::Attachment
    }
}

impl EvidenceFile {
    /// What the inventory says about a file beyond its format, size and
    /// path, one line each: hash and importer, custody, resources,
    /// supersession, redaction, retirement, purge and sensitive data.
    pub fn lifecycle_lines(&self) -> Vec<String> {
        let f = self;
        let p = &f.provenance;
        let mut lines = vec![
            format!("sha256 {}", p.sha256),
            format!("imported by {}", f.imported_by.display()),
        ];
        if let Some(custody) = &p.custody {
            lines.push(custody.summary());
        }
        let resources = &f.lifecycle.resources;
        if !resources.is_empty() {
            let shown: Vec<&str> = resources.iter().take(3).map(String::as_str).collect();
            let more = resources.len().saturating_sub(3);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            lines.push(format!(
                "{} resource(s){}",
                resources.len(),
                if more.is_empty() {
                    ":"
                } else {
                    ", among them:"
                }
            ));
            lines.extend(shown.iter().map(|r| format!("  {r}")));
            if !more.is_empty() {
                lines.push(format!("  {}", more.trim()));
            }
        }
        if let Some(old) = f.supersedes {
            lines.push(format!("supersedes #{old}"));
        }
        if let Some(new) = f.superseded_by {
            lines.push(format!("superseded by #{new}"));
        }
        if let Some(original) = &f.lifecycle.original {
            lines.push(match original.file {
                Some(file) => format!("redacted copy of #{file} (SHA-256 {})", original.sha256),
                None => format!(
                    "redacted on import; the bytes as read (SHA-256 {}, {} bytes) were never stored",
                    original.sha256, original.size
                ),
            });
        }
        if let Some(retired) = &f.lifecycle.retired {
            lines.push(format!(
                "retired by event #{}: {}",
                retired.seq, retired.reason
            ));
        }
        if let Some(purged) = &f.lifecycle.purged {
            lines.push(format!(
                "PURGED by event #{} ({}, {}): {}",
                purged.seq,
                purged.by.display(),
                purged.at,
                purged.reason
            ));
        }
        for s in &f.lifecycle.sensitive {
            let state = if s.redacted {
                "redacted"
            } else if f.lifecycle.purged.is_some() {
                "purged"
            } else {
                "SENSITIVE"
            };
            let name = s
                .name
                .as_deref()
                .map(|n| format!(" {n}"))
                .unwrap_or_default();
            lines.push(format!(
                "{state}: {}{name} at {}: {}",
                s.kind.label(),
                s.place(),
                s.preview
            ));
        }
        if f.sensitive_pending() {
            lines.push(format!(
                "sensitive data not yet reviewed: keep, redact or purge it (`tickmark evidence redact --file {}` or the Evidence screen); exports leave its bytes out",
                f.id
            ));
        } else if let Some(kept) = &f.lifecycle.kept {
            lines.push(format!(
                "kept as it is with its sensitive data by event #{}: {}",
                kept.seq, kept.reason
            ));
        }
        lines
    }
}

/// A document that arrived with evidence but is attached to no requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnassignedDocument {
    /// The evidence file.
    pub file: EvidenceFile,
    /// Its media type, as an attachment would get it.
    pub media_type: String,
}

/// The unassigned documents of an assessment.
pub type Documents = Vec<UnassignedDocument>;

/// What [`Store::redact_evidence`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Redaction {
    /// The file as it was (now superseded, its bytes purged).
    pub original: EvidenceFile,
    /// The redacted copy, evaluated in its place.
    pub copy: EvidenceFile,
    /// How many findings were replaced.
    pub replaced: usize,
    /// The purge of the original bytes.
    pub purge: PurgeOutcome,
}

/// What a purge did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurgeOutcome {
    /// The purged bytes' SHA-256.
    pub sha256: String,
    /// Their size.
    pub size: u64,
    /// The `blob.purged` event.
    pub seq: i64,
    /// Everything that used the bytes (evidence files and attachments, in
    /// every assessment): all of them are purged now.
    pub users: Vec<String>,
}

/// What [`Store::scrub`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scrubbed {
    /// True when the write-ahead log was written back and truncated; false
    /// when another connection was reading (the old pages then stay in the
    /// log until the next checkpoint).
    pub complete: bool,
}

impl Store {
    /// Retires an evidence file of `assessment`: it stays in the record but
    /// is no longer evaluated. Needs a reviewer profile and a reason.
    pub fn retire_evidence(
        &mut self,
        actor: &Actor,
        assessment: i64,
        file: i64,
        reason: &str,
    ) -> Result<EvidenceFile> {
        let reason = required_reason(reason, "retiring an evidence file")?;
        self.write(|conn| {
            require_reviewer(conn, actor, "retire evidence")?;
            let found = file_of(conn, assessment, file)?;
            if found.state() != super::FileState::Current {
                return Err(StoreError::Rule(format!(
                    "evidence file #{file} ({}) is {} already; only current files are retired",
                    found.provenance.path,
                    found.state().id()
                )));
            }
            let change = Change::EvidenceRetired {
                file,
                reason: reason.clone(),
            };
            record(conn, actor, Some(assessment), &change)?;
            file_of(conn, assessment, file)
        })
    }

    /// Keeps a file with sensitive data as it is, deliberately: exports then
    /// carry its bytes and say so.
    pub fn keep_evidence(
        &mut self,
        actor: &Actor,
        assessment: i64,
        file: i64,
        reason: &str,
    ) -> Result<EvidenceFile> {
        let reason = required_reason(reason, "keeping a file with sensitive data as it is")?;
        self.write(|conn| {
            require_reviewer(conn, actor, "keep a file with sensitive data")?;
            let found = file_of(conn, assessment, file)?;
            if found.open_findings().is_empty() || found.lifecycle.purged.is_some() {
                return Err(StoreError::Rule(format!(
                    "evidence file #{file} ({}) holds no sensitive data to keep",
                    found.provenance.path
                )));
            }
            let change = Change::EvidenceKept {
                file,
                reason: reason.clone(),
            };
            record(conn, actor, Some(assessment), &change)?;
            file_of(conn, assessment, file)
        })
    }

    /// Stores a redacted copy of an evidence file in its place (every
    /// finding replaced by a marker naming its kind) and purges the original
    /// bytes. The copy is evaluated from then on; the original stays listed,
    /// superseded and purged.
    pub fn redact_evidence(
        &mut self,
        actor: &Actor,
        assessment: i64,
        file: i64,
        reason: &str,
    ) -> Result<Redaction> {
        let reason = required_reason(reason, "redacting an evidence file")?;
        self.write(|conn| {
            require_reviewer(conn, actor, "redact evidence")?;
            let original = file_of(conn, assessment, file)?;
            if original.lifecycle.purged.is_some() {
                return Err(StoreError::Rule(format!(
                    "evidence file #{file} was purged; there is nothing to redact"
                )));
            }
            let bytes = read::blob(conn, &original.provenance.sha256)?.ok_or_else(|| {
                StoreError::Corrupt(format!("the bytes of evidence file #{file} are missing"))
            })?;
            let redacted = sensitive::redact(&bytes)
                .map_err(|why| StoreError::Rule(format!("{}: {why}", original.provenance.path)))?;
            if redacted.replaced.is_empty() {
                return Err(StoreError::Rule(format!(
                    "{}: no sensitive data was found in it; nothing to redact",
                    original.provenance.path
                )));
            }
            let sha256 = evidence::sha256_hex(&redacted.bytes);
            store_blob(conn, &sha256, &redacted.bytes)?;
            let replaced: Vec<SensitiveFinding> =
                redacted.replaced.iter().map(stored_finding).collect();
            let count = replaced.len();
            let copy = record(
                conn,
                actor,
                Some(assessment),
                &Change::EvidenceRedacted {
                    file,
                    sha256,
                    size: redacted.bytes.len() as u64,
                    replaced,
                    reason: reason.clone(),
                },
            )?;
            let subject = format!(
                "evidence file #{file} ({}), replaced by its redacted copy #{copy}",
                original.provenance.path
            );
            let purge = purge_blob(
                conn,
                actor,
                assessment,
                (&original.provenance.sha256, original.provenance.size),
                &subject,
                &reason,
            )?;
            Ok(Redaction {
                original: file_of(conn, assessment, file)?,
                copy: file_of(conn, assessment, copy)?,
                replaced: count,
                purge,
            })
        })
    }

    /// Purges an evidence file's bytes for good (and so those of every
    /// other file or attachment with the same bytes). The event log keeps
    /// their hash, size, who and why; `verify` reports them as purged.
    /// Call [`Store::scrub`] afterwards (the command line and the app do).
    pub fn purge_evidence(
        &mut self,
        actor: &Actor,
        assessment: i64,
        file: i64,
        reason: &str,
    ) -> Result<PurgeOutcome> {
        let reason = required_reason(reason, "purging an evidence file")?;
        self.write(|conn| {
            require_reviewer(conn, actor, "purge evidence")?;
            let found = file_of(conn, assessment, file)?;
            let subject = format!("evidence file #{file} ({})", found.provenance.path);
            purge_blob(
                conn,
                actor,
                assessment,
                (&found.provenance.sha256, found.provenance.size),
                &subject,
                &reason,
            )
        })
    }

    /// Purges an attachment's bytes for good (see [`Store::purge_evidence`]).
    pub fn purge_attachment(
        &mut self,
        actor: &Actor,
        attachment: i64,
        reason: &str,
    ) -> Result<PurgeOutcome> {
        let reason = required_reason(reason, "purging an attachment")?;
        self.write(|conn| {
            require_reviewer(conn, actor, "purge an attachment")?;
            let found: AttachmentMeta = read::attachment(conn, &People::load(conn)?, attachment)?
                .ok_or_else(|| {
                StoreError::NotFound(format!("there is no attachment #{attachment}"))
            })?;
            let subject = format!(
                "attachment #{attachment} ({}) of {}",
                found.file_name, found.requirement
            );
            purge_blob(
                conn,
                actor,
                found.assessment,
                (&found.sha256, found.size),
                &subject,
                &reason,
            )
        })
    }

    /// Writes the write-ahead log back into the record and truncates it,
    /// so that pages a purge overwrote with zeros replace the old ones in
    /// the file and no old copy stays in the log. Does nothing inside
    /// [`Store::atomically`] (call it after the unit).
    pub fn scrub(&mut self) -> Result<Scrubbed> {
        if !self.conn.is_autocommit() {
            return Ok(Scrubbed { complete: false });
        }
        let (busy, _, _): (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?;
        Ok(Scrubbed {
            complete: busy == 0,
        })
    }

    /// The documents (images, PDFs, Markdown, text) imported as evidence of
    /// `assessment` that no requirement has as an attachment (withdrawn
    /// attachments do not count), current and not purged.
    pub fn unassigned_documents(&self, assessment: i64) -> Result<Documents> {
        self.read(|conn| {
            let people = People::load(conn)?;
            read::require_assessment(conn, assessment)?;
            let attached: HashSet<String> = conn
                .prepare(
                    "SELECT sha256 FROM attachments WHERE assessment = ?1 AND withdrawn_seq IS NULL",
                )?
                .query_map([assessment], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            read::evidence_files(conn, &people, assessment, true)?
                .into_iter()
                .filter(|f| f.is_document() && !attached.contains(&f.provenance.sha256))
                .map(|file| {
                    let bytes = read::blob(conn, &file.provenance.sha256)?.unwrap_or_default();
                    Ok(UnassignedDocument {
                        media_type: super::media_type_of(&file.provenance.path, &bytes).to_owned(),
                        file,
                    })
                })
                .collect()
        })
    }

    /// Attaches a document imported as evidence file `file` to each of
    /// `requirements` (the bytes are stored once).
    pub fn attach_document(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        file: i64,
        requirements: &[String],
    ) -> Result<Vec<AttachmentMeta>> {
        if requirements.is_empty() {
            return Err(StoreError::Invalid(
                "name at least one requirement to attach the document to".into(),
            ));
        }
        let (found, bytes) = self.read(|conn| {
            let found = file_of(conn, assessment, file)?;
            let bytes = read::blob(conn, &found.provenance.sha256)?.ok_or_else(|| {
                StoreError::Rule(format!(
                    "the bytes of evidence file #{file} are not stored (purged?)"
                ))
            })?;
            Ok((found, bytes))
        })?;
        let name = found
            .provenance
            .path
            .rsplit('/')
            .next()
            .unwrap_or(&found.provenance.path)
            .to_owned();
        self.atomically(|store| {
            requirements
                .iter()
                .map(|r| store.add_attachment(actor, assessment, catalog, r, &name, None, &bytes))
                .collect()
        })
    }

    /// The SHA-256s of every purged file.
    pub fn purged_hashes(&self) -> Result<HashSet<String>> {
        self.read(purged_hashes)
    }
}

fn required_reason(reason: &str, what: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid(format!("{what} needs a reason")));
    }
    Ok(reason.to_owned())
}

/// The file `id` of `assessment`, or a clear error.
fn file_of(conn: &Connection, assessment: i64, id: i64) -> Result<EvidenceFile> {
    read::evidence_file(conn, &People::load(conn)?, id)?
        .filter(|f| f.assessment == assessment)
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "assessment #{assessment} has no evidence file #{id}"
            ))
        })
}

/// A finding as it is stored: masked, without its file.
pub(crate) fn stored_finding(f: &SensitiveFinding) -> SensitiveFinding {
    SensitiveFinding {
        path: String::new(),
        span: None,
        ..f.clone()
    }
}

/// Records the purge of the bytes `sha256` and deletes them, overwriting
/// the freed pages with zeros.
fn purge_blob(
    conn: &Connection,
    actor: &Actor,
    assessment: i64,
    (sha256, size): (&str, u64),
    subject: &str,
    reason: &str,
) -> Result<PurgeOutcome> {
    if let Some(seq) = conn
        .query_row(
            "SELECT seq FROM purges WHERE sha256 = ?1",
            [sha256],
            |row| row.get::<_, i64>(0),
        )
        .optional()?
    {
        return Err(StoreError::Rule(format!(
            "these bytes were purged already (event #{seq})"
        )));
    }
    let users = users_of(conn, sha256)?;
    let subject = if users.len() > 1 {
        format!("{subject}; also used by {}", users.join(", "))
    } else {
        subject.to_owned()
    };
    let seq = record(
        conn,
        actor,
        Some(assessment),
        &Change::BlobPurged {
            sha256: sha256.to_owned(),
            size,
            subject,
            reason: reason.to_owned(),
        },
    )?;
    conn.pragma_update(None, "secure_delete", true)?;
    conn.execute("UPDATE blobs SET bytes = X'' WHERE sha256 = ?1", [sha256])?;
    Ok(PurgeOutcome {
        sha256: sha256.to_owned(),
        size,
        seq,
        users,
    })
}

/// Every evidence file and attachment that uses the bytes `sha256`.
fn users_of(conn: &Connection, sha256: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT 'evidence file #' || id || ' (' || path || ') of assessment #' || assessment FROM evidence_files WHERE sha256 = ?1
         UNION ALL SELECT 'attachment #' || id || ' (' || file_name || ') of assessment #' || assessment FROM attachments WHERE sha256 = ?1",
    )?;
    let users = stmt
        .query_map([sha256], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(users)
}

/// The SHA-256s of every purged file.
pub(crate) fn purged_hashes(conn: &Connection) -> Result<HashSet<String>> {
    Ok(conn
        .prepare("SELECT sha256 FROM purges")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Reads the lifecycle columns of `files` (and the purges of their bytes).
pub(super) fn fill(conn: &Connection, people: &People, files: &mut [EvidenceFile]) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    let mut purges: HashMap<String, Purge> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT sha256, seq, purged_at, reason, subject, purged_by, os_user FROM purges",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, Option<i64>>(5)?,
            row.get::<_, String>(6)?,
        ))
    })?;
    for row in rows {
        let (sha, seq, at, reason, subject, by, os_user) = row?;
        purges.insert(
            sha,
            Purge {
                seq,
                at,
                reason,
                subject,
                by: people.person_at(by, os_user, seq),
            },
        );
    }
    let mut stmt = conn.prepare_cached(
        "SELECT resources, sensitive, original, retired_seq, retired_at, retired_reason, kept_seq, kept_reason
         FROM evidence_files WHERE id = ?1",
    )?;
    for file in files.iter_mut() {
        let row = stmt.query_row([file.id], |row| {
            Ok((
                row.get::<_, Option<String>>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, Option<i64>>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, Option<i64>>(6)?,
                row.get::<_, Option<String>>(7)?,
            ))
        })?;
        let (
            resources,
            found,
            original,
            retired_seq,
            retired_at,
            retired_reason,
            kept_seq,
            kept_reason,
        ) = row;
        let lifecycle = &mut file.lifecycle;
        lifecycle.resources = resources
            .as_deref()
            .map(serde_json::from_str)
            .transpose()?
            .unwrap_or_default();
        lifecycle.sensitive = found
            .as_deref()
            .map(serde_json::from_str)
            .transpose()?
            .unwrap_or_default();
        lifecycle.original = original.as_deref().map(serde_json::from_str).transpose()?;
        lifecycle.retired = retired_seq.map(|seq| Marked {
            seq,
            at: retired_at,
            reason: retired_reason.unwrap_or_default(),
        });
        lifecycle.kept = kept_seq.map(|seq| Marked {
            seq,
            at: None,
            reason: kept_reason.unwrap_or_default(),
        });
        lifecycle.purged = purges.get(&file.provenance.sha256).cloned();
    }
    Ok(())
}

/// Materialises the lifecycle events (see [`super::apply::apply`]).
pub(super) fn apply(
    conn: &Connection,
    ev: &EventRow,
    change: &Change,
    assessment: i64,
) -> std::result::Result<(), String> {
    let sql = |e: rusqlite::Error| e.to_string();
    let one = |changed: usize, what: String| {
        if changed == 1 {
            Ok(())
        } else {
            Err(format!("{what} does not exist"))
        }
    };
    match change {
        Change::EvidenceRetired { file, reason } => {
            let changed = conn
                .execute(
                    "UPDATE evidence_files SET retired_seq = ?2, retired_at = ?3, retired_reason = ?4
                     WHERE id = ?1 AND assessment = ?5 AND retired_seq IS NULL",
                    params![file, ev.seq, ev.at, reason, assessment],
                )
                .map_err(sql)?;
            one(changed, format!("current evidence file #{file}"))
        }
        Change::EvidenceKept { file, reason } => {
            let changed = conn
                .execute(
                    "UPDATE evidence_files SET kept_seq = ?2, kept_reason = ?3 WHERE id = ?1 AND assessment = ?4",
                    params![file, ev.seq, reason, assessment],
                )
                .map_err(sql)?;
            one(changed, format!("evidence file #{file}"))
        }
        Change::EvidenceRedacted {
            file,
            sha256,
            size,
            replaced,
            ..
        } => {
            let redacted: Vec<SensitiveFinding> = replaced
                .iter()
                .map(|f| SensitiveFinding {
                    redacted: true,
                    ..f.clone()
                })
                .collect();
            let sensitive = super::canonical::canonical_json(
                &serde_json::to_value(&redacted).map_err(|e| e.to_string())?,
            );
            // The copy is an evidence file of its own, with the next
            // evidence reference.
            let reference = super::apply::next_reference(conn, assessment).map_err(sql)?;
            let changed = conn
                .execute(
                    "INSERT INTO evidence_files (id, assessment, path, sha256, size, format, tool, tool_version, imported_at, notes, imported_by, os_user, supersedes, superseded_by, custody, resources, sensitive, original, reference)
                     SELECT ?1, assessment, path, ?2, ?3, format, tool, tool_version, imported_at, notes, ?4, ?5, id, superseded_by, custody, resources, ?6,
                            json_object('file', id, 'sha256', sha256, 'size', size), ?9
                     FROM evidence_files WHERE id = ?7 AND assessment = ?8",
                    params![
                        ev.seq,
                        sha256,
                        super::apply::to_i64(*size),
                        ev.actor_profile,
                        ev.actor_os_user,
                        sensitive,
                        file,
                        assessment,
                        reference
                    ],
                )
                .map_err(sql)?;
            one(changed, format!("evidence file #{file}"))?;
            conn.execute(
                "UPDATE evidence_files SET superseded_by = ?2 WHERE id = ?1 AND superseded_by IS NULL",
                params![file, ev.seq],
            )
            .map_err(sql)?;
            Ok(())
        }
        Change::BlobPurged {
            sha256,
            size,
            subject,
            reason,
        } => {
            conn.execute(
                "INSERT INTO purges (sha256, assessment, size, subject, reason, purged_by, os_user, purged_at, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    sha256,
                    assessment,
                    super::apply::to_i64(*size),
                    subject,
                    reason,
                    ev.actor_profile,
                    ev.actor_os_user,
                    ev.at,
                    ev.seq
                ],
            )
            .map_err(sql)?;
            Ok(())
        }
        _ => Err("not a lifecycle event".to_owned()),
    }
}

/// A line for the history.
pub(super) fn summarize(change: &Change) -> String {
    match change {
        Change::EvidenceRetired { file, reason } => {
            format!("Evidence file #{file} retired: {reason}")
        }
        Change::EvidenceKept { file, reason } => {
            format!("Evidence file #{file} kept as it is despite its sensitive data: {reason}")
        }
        Change::EvidenceRedacted {
            file,
            sha256,
            replaced,
            reason,
            ..
        } => format!(
            "Redacted copy of evidence file #{file} stored in its place ({} finding(s) replaced, SHA-256 {}…): {reason}",
            replaced.len(),
            sha256.get(..12).unwrap_or(sha256)
        ),
        Change::BlobPurged {
            sha256,
            size,
            subject,
            reason,
        } => format!(
            "Stored bytes purged: {subject} ({size} bytes, SHA-256 {}…): {reason}",
            sha256.get(..12).unwrap_or(sha256)
        ),
        _ => String::new(),
    }
}
