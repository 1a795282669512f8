//! Evidence into the record, and evaluation runs out of it.
//!
//! An import is one unit ([`Store::atomically`]): the assessment it
//! creates, its files and the run that evaluates them are committed
//! together or not at all, so a crash, a `kill -9` or a store error
//! part-way never leaves files without their run. Files are still read one
//! at a time, so an import of a large folder holds one file in memory at a
//! time. The store keeps the bytes, so the typed evidence is rebuilt from
//! them ([`Store::evidence_set`]) whenever the assessment is evaluated
//! again; the run that ends an import takes the large files' evidence the
//! import has just read ([`ParsedEvidence`]) rather than reading them twice.

use std::path::PathBuf;

use chrono::Utc;
use rusqlite::Connection;
use serde_json::Value;

use super::Store;
use super::canonical::canonical_json;
use super::changes::store_blob;
use super::error::{Result, StoreError};
use super::event::{Change, StoredVerdict, record};
use super::model::*;
use super::overview;
use super::read::{self, People};
use super::results;
use crate::catalog::Catalog;
use crate::checks::{self, CheckResult, Settings};
use crate::evidence::{self, EvidenceSet, ImportError, ImportedFile, Provenance};

/// Stored files at most this large are read to see which others they
/// change (parameter files, kustomizations, templates are small).
const COMPANION_SCAN_BYTES: u64 = 4 * 1024 * 1024;

/// Typed evidence an import has just read, kept so that the run which
/// evaluates it does not read and parse the same stored bytes again.
///
/// Only large files are kept (small ones cost little to read again), only
/// when the bytes were stored as read (not redacted), and only when no
/// companion changed how they read: [`Store::evidence_set_reusing`] takes
/// an entry only if the assessment's stored companions leave the file alone
/// too, so the evidence is what reading the stored bytes would give.
#[derive(Debug, Default)]
pub struct ParsedEvidence {
    files: std::collections::HashMap<(String, String), ImportedFile>,
}

impl ParsedEvidence {
    /// Keeps `file` (stored under `stored_sha256`) if it may be reused.
    fn keep(&mut self, file: ImportedFile, stored_sha256: &str, companions: &evidence::Companions) {
        let provenance = &file.provenance;
        if provenance.size > COMPANION_SCAN_BYTES
            && provenance.sha256 == stored_sha256
            && !companions.change(&provenance.path)
        {
            let key = (provenance.path.clone(), provenance.sha256.clone());
            self.files.insert(key, file);
        }
    }

    /// The evidence kept for the stored file `provenance`, if any.
    fn take(&mut self, provenance: &Provenance) -> Option<ImportedFile> {
        self.files
            .remove(&(provenance.path.clone(), provenance.sha256.clone()))
    }
}

/// How a stored file's bytes are read back into typed evidence (with or
/// without the scan for sensitive data).
type ReadFile = fn(
    &str,
    &[u8],
    chrono::DateTime<Utc>,
    &evidence::Companions,
) -> std::result::Result<ImportedFile, ImportError>;

/// An assessment's evidence rebuilt from the stored bytes.
#[derive(Debug, Clone, Default)]
pub struct StoredEvidence {
    /// The current (not replaced) files and their typed evidence.
    pub set: EvidenceSet,
    /// Stored files this build's importers no longer read (a newer or older
    /// importer judged them differently); they are left out of `set`.
    pub problems: Vec<ImportError>,
}

impl Store {
    /// Stores one imported file's bytes and provenance in `assessment`.
    ///
    /// The same bytes already current under the same path give
    /// [`ImportOutcome::Unchanged`], and so do bytes already current under
    /// another path when nothing is current under this one (a copy is not
    /// evidence twice). New bytes under the path of a current file replace
    /// it (the old one is kept, marked as superseded), also when they equal
    /// another current file's: the record then says what the path holds
    /// now. Bytes are stored once per SHA-256 either way.
    pub fn import_evidence(
        &mut self,
        actor: &Actor,
        assessment: i64,
        file: &ImportedFile,
        bytes: &[u8],
    ) -> Result<ImportOutcome> {
        self.import_evidence_with(actor, assessment, file, bytes, &ImportOptions::default())
    }

    /// [`Store::import_evidence`] with `options`. The file's sensitive
    /// findings (masked) and the resources it describes are recorded with
    /// it; with [`ImportOptions::redact`] a redacted copy is stored instead
    /// of the bytes (which never reach the record). A current file of
    /// another path whose every resource this one describes anew, and that
    /// was not observed later, is superseded by it. Bytes that were purged
    /// from the record are refused ([`StoreError::Rule`]).
    pub fn import_evidence_with(
        &mut self,
        actor: &Actor,
        assessment: i64,
        file: &ImportedFile,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<ImportOutcome> {
        let provenance = &file.provenance;
        let sha256 = evidence::sha256_hex(bytes);
        if sha256 != provenance.sha256 || bytes.len() as u64 != provenance.size {
            return Err(StoreError::Invalid(format!(
                "{}: the bytes given are not the bytes that were imported",
                provenance.path
            )));
        }
        let prepared = Prepared::of(file, bytes, options)?;
        self.write(|conn| {
            if actor.os_user.trim().is_empty() {
                return Err(StoreError::Invalid("the OS user is empty".into()));
            }
            read::require_assessment(conn, assessment)?;
            if super::lifecycle::purged_hashes(conn)?.contains(&sha256) {
                return Err(StoreError::Rule(format!(
                    "{}: these exact bytes were purged from the record; import a redacted copy (tickmark import --redact)",
                    provenance.path
                )));
            }
            let people = People::load(conn)?;
            let current = read::evidence_files(conn, &people, assessment, true)?;
            let at_path = current
                .iter()
                .find(|f| f.provenance.path == provenance.path);
            if let Some(same) = unchanged_by(&current, at_path, &prepared.sha256) {
                return Ok(ImportOutcome::Unchanged(same.clone()));
            }
            let supersedes = at_path.map(|f| f.id);
            let replaces = replaced_by_resources(&current, file, supersedes, &prepared.resources);
            store_blob(conn, &prepared.sha256, &prepared.bytes)?;
            let seq = record(
                conn,
                actor,
                Some(assessment),
                &Change::EvidenceImported {
                    path: provenance.path.clone(),
                    sha256: prepared.sha256.clone(),
                    size: prepared.bytes.len() as u64,
                    format: provenance.format,
                    tool: provenance.tool.clone(),
                    tool_version: provenance.tool_version.clone(),
                    imported_at: provenance.imported_at,
                    notes: prepared.notes.clone(),
                    supersedes,
                    custody: provenance.custody.clone().map(Box::new),
                    resources: prepared.resources.clone(),
                    sensitive: prepared.sensitive.clone(),
                    replaces,
                    original: prepared.original.clone(),
                },
            )?;
            read::evidence_file(conn, &people, seq)?
                .map(ImportOutcome::Imported)
                .ok_or_else(|| StoreError::Corrupt("the file just imported is not there".into()))
        })
    }

    /// Imports files and directories (walked with [`evidence::walk`]) into the
    /// assessment named `assessment`, file by file; `progress` hears about
    /// each file when it is done. Unusable files are reported and skipped;
    /// the others are stored.
    ///
    /// If the assessment does not exist it is created from `create` when the
    /// first file imports well (and never, if none does); with `create`
    /// `None` a missing assessment is [`StoreError::NotFound`]. The files
    /// are one unit ([`Store::atomically`]): a store error (busy, disk full)
    /// stops the import and nothing of it is kept. Call it inside
    /// [`Store::atomically`] together with the run that evaluates the files
    /// (as `tickmark import` and the app do) to make both one unit.
    pub fn import_paths(
        &mut self,
        actor: &Actor,
        assessment: &str,
        create: Option<&NewAssessment>,
        paths: &[PathBuf],
        progress: &mut dyn FnMut(&FileReport),
    ) -> Result<ImportSummary> {
        self.import_paths_with(
            actor,
            assessment,
            create,
            paths,
            &ImportOptions::default(),
            progress,
        )
    }

    /// [`Store::import_paths`] with `options` (e.g. redact sensitive data).
    pub fn import_paths_with(
        &mut self,
        actor: &Actor,
        assessment: &str,
        create: Option<&NewAssessment>,
        paths: &[PathBuf],
        options: &ImportOptions,
        progress: &mut dyn FnMut(&FileReport),
    ) -> Result<ImportSummary> {
        let mut parsed = ParsedEvidence::default();
        self.import_paths_keeping(
            actor,
            assessment,
            create,
            paths,
            options,
            &mut parsed,
            progress,
        )
    }

    /// [`Store::import_paths_with`], keeping in `parsed` the evidence read
    /// for the run that evaluates it ([`Store::evaluate_and_record_reusing`]).
    #[allow(clippy::too_many_arguments)]
    pub fn import_paths_keeping(
        &mut self,
        actor: &Actor,
        assessment: &str,
        create: Option<&NewAssessment>,
        paths: &[PathBuf],
        options: &ImportOptions,
        parsed: &mut ParsedEvidence,
        progress: &mut dyn FnMut(&FileReport),
    ) -> Result<ImportSummary> {
        self.atomically(|store| {
            store.import_paths_now(
                actor,
                (assessment, create),
                paths,
                (options, parsed),
                progress,
            )
        })
    }

    fn import_paths_now(
        &mut self,
        actor: &Actor,
        (assessment, create): (&str, Option<&NewAssessment>),
        paths: &[PathBuf],
        (options, parsed): (&ImportOptions, &mut ParsedEvidence),
        progress: &mut dyn FnMut(&FileReport),
    ) -> Result<ImportSummary> {
        let mut summary = ImportSummary {
            assessment: self.assessment(assessment)?,
            created: false,
            files: Vec::new(),
        };
        if summary.assessment.is_none() && create.is_none() {
            return Err(StoreError::NotFound(format!(
                "there is no assessment named \"{assessment}\""
            )));
        }
        let mut files = Vec::new();
        for path in paths {
            let walked = evidence::walk(std::slice::from_ref(path));
            for error in walked.errors {
                let report = FileReport {
                    path: error.path.clone(),
                    result: Err(error),
                    input_errors: Vec::new(),
                };
                progress(&report);
                summary.files.push(report);
            }
            files.extend(walked.files);
        }
        let batch = evidence::Batch::prepare(&files);
        for file in files {
            let how = (create, options, &mut *parsed);
            for report in self.import_one(actor, &batch, &file, how, &mut summary)? {
                progress(&report);
                summary.files.push(report);
            }
        }
        Ok(summary)
    }

    /// Imports one file of `batch` (prepared from the files imported
    /// together) into the existing assessment `assessment`: one report, or
    /// two for a Bicep file (the source and the template it compiled to).
    /// For callers that show progress file by file.
    pub fn import_batch_file(
        &mut self,
        actor: &Actor,
        assessment: i64,
        batch: &evidence::Batch,
        path: &std::path::Path,
    ) -> Result<Vec<FileReport>> {
        self.import_batch_file_with(actor, assessment, batch, path, &ImportOptions::default())
    }

    /// [`Store::import_batch_file`], keeping in `parsed` the evidence read
    /// for the run that evaluates it ([`Store::evaluate_and_record_reusing`]).
    pub fn import_batch_file_keeping(
        &mut self,
        actor: &Actor,
        assessment: i64,
        batch: &evidence::Batch,
        path: &std::path::Path,
        parsed: &mut ParsedEvidence,
    ) -> Result<Vec<FileReport>> {
        let options = ImportOptions::default();
        self.import_batch_file_into(actor, assessment, batch, path, (&options, parsed))
    }

    /// [`Store::import_batch_file`] with `options`.
    pub fn import_batch_file_with(
        &mut self,
        actor: &Actor,
        assessment: i64,
        batch: &evidence::Batch,
        path: &std::path::Path,
        options: &ImportOptions,
    ) -> Result<Vec<FileReport>> {
        let mut parsed = ParsedEvidence::default();
        self.import_batch_file_into(actor, assessment, batch, path, (options, &mut parsed))
    }

    fn import_batch_file_into(
        &mut self,
        actor: &Actor,
        assessment: i64,
        batch: &evidence::Batch,
        path: &std::path::Path,
        (options, parsed): (&ImportOptions, &mut ParsedEvidence),
    ) -> Result<Vec<FileReport>> {
        let found = self.read(|conn| read::require_assessment(conn, assessment))?;
        let mut summary = ImportSummary {
            assessment: Some(found),
            created: false,
            files: Vec::new(),
        };
        self.import_one(actor, batch, path, (None, options, parsed), &mut summary)
    }

    /// Imports one file of `batch`: one report, or two for a Bicep file (the
    /// source and the template it compiled to).
    fn import_one(
        &mut self,
        actor: &Actor,
        batch: &evidence::Batch,
        path: &std::path::Path,
        (create, options, parsed): (Option<&NewAssessment>, &ImportOptions, &mut ParsedEvidence),
        summary: &mut ImportSummary,
    ) -> Result<Vec<FileReport>> {
        let imported = batch.import(path, Utc::now());
        let shown = imported.path;
        let (file, bytes) = match (imported.result, imported.bytes) {
            (Ok(file), Some(bytes)) => (file, bytes),
            (Err(e), _) => {
                return Ok(vec![FileReport {
                    path: shown,
                    result: Err(e),
                    input_errors: Vec::new(),
                }]);
            }
            (Ok(_), None) => {
                return Err(StoreError::Corrupt(format!(
                    "{shown}: imported without its bytes"
                )));
            }
        };
        let assessment = match (&summary.assessment, create) {
            (Some(a), _) => a.id,
            (None, Some(new)) => {
                let created = self.create_assessment(actor, new)?;
                let id = created.id;
                summary.assessment = Some(created);
                summary.created = true;
                id
            }
            (None, None) => {
                return Err(StoreError::NotFound("no assessment to import into".into()));
            }
        };
        let result = self.import_refusable(actor, assessment, &file, &bytes, options)?;
        drop(bytes);
        let input_errors = file.problems.clone();
        if let Ok(outcome) = &result {
            parsed.keep(file, &outcome.file().provenance.sha256, batch.companions());
        }
        let mut reports = vec![FileReport {
            path: shown,
            result,
            input_errors,
        }];
        if let Some((bytes, compiled)) = imported.compiled {
            reports.push(FileReport {
                path: compiled.provenance.path.clone(),
                result: self.import_refusable(actor, assessment, &compiled, &bytes, options)?,
                input_errors: compiled.problems,
            });
        }
        Ok(reports)
    }

    /// [`Store::import_evidence_with`], a refusal (purged bytes, sensitive
    /// data that cannot be redacted) being this file's result rather than
    /// an error that stops the import.
    fn import_refusable(
        &mut self,
        actor: &Actor,
        assessment: i64,
        file: &ImportedFile,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<std::result::Result<ImportOutcome, ImportError>> {
        match self.import_evidence_with(actor, assessment, file, bytes, options) {
            Ok(outcome) => Ok(Ok(outcome)),
            Err(StoreError::Rule(message)) => Ok(Err(ImportError::new(
                &file.provenance.path,
                evidence::ImportErrorKind::Refused,
                message,
            ))),
            Err(e) => Err(e),
        }
    }

    /// Rebuilds the typed evidence of `assessment`'s current files from the
    /// stored bytes (one file in memory at a time besides the typed result).
    pub fn evidence_set(&self, assessment: i64) -> Result<StoredEvidence> {
        self.evidence_set_reusing(assessment, &mut ParsedEvidence::default())
    }

    /// [`Store::evidence_set`], taking the evidence of files an import has
    /// just read from `parsed` instead of reading their bytes again.
    pub fn evidence_set_reusing(
        &self,
        assessment: i64,
        parsed: &mut ParsedEvidence,
    ) -> Result<StoredEvidence> {
        self.read_evidence_set(assessment, parsed, evidence::import_bytes_with)
    }

    /// [`Store::evidence_set`] for drawing the scope: the files are not
    /// scanned for sensitive data again, so their findings are left empty.
    pub fn evidence_set_for_scope(&self, assessment: i64) -> Result<StoredEvidence> {
        let mut nothing_read = ParsedEvidence::default();
        self.read_evidence_set(
            assessment,
            &mut nothing_read,
            evidence::import_bytes_unscanned,
        )
    }

    fn read_evidence_set(
        &self,
        assessment: i64,
        parsed: &mut ParsedEvidence,
        read_file: ReadFile,
    ) -> Result<StoredEvidence> {
        self.read(|conn| {
            let people = People::load(conn)?;
            read::require_assessment(conn, assessment)?;
            let files = read::evidence_files(conn, &people, assessment, true)?;
            let blob = |provenance: &Provenance| {
                read::blob(conn, &provenance.sha256)?.ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "the bytes of {} (SHA-256 {}) are missing",
                        provenance.path, provenance.sha256
                    ))
                })
            };
            let mut companions = evidence::Companions::new();
            for file in &files {
                let small = file.provenance.size <= COMPANION_SCAN_BYTES;
                let bytes = if small {
                    blob(&file.provenance)?
                } else {
                    Vec::new()
                };
                companions.scan(&file.provenance.path, &bytes);
            }
            let mut out = StoredEvidence::default();
            for file in files {
                let provenance = file.provenance;
                if provenance.format == evidence::Format::Bicep {
                    // Evaluated through the compiled template stored beside it.
                    out.set.add(ImportedFile {
                        provenance,
                        evidence: Default::default(),
                        problems: Vec::new(),
                    });
                    continue;
                }
                if !companions.change(&provenance.path)
                    && let Some(read) = parsed.take(&provenance)
                {
                    out.set.add(ImportedFile {
                        provenance,
                        evidence: read.evidence,
                        problems: read.problems,
                    });
                    continue;
                }
                let bytes = blob(&provenance)?;
                match read_file(
                    &provenance.path,
                    &bytes,
                    provenance.imported_at,
                    &companions,
                ) {
                    Ok(imported) => out.set.add(ImportedFile {
                        provenance,
                        evidence: imported.evidence,
                        problems: imported.problems,
                    }),
                    // A Bicep file an earlier release kept as a text
                    // attachment stays one: it cannot be compiled here.
                    Err(e)
                        if e.kind == evidence::ImportErrorKind::NotCompiled
                            && provenance.format == evidence::Format::Attachment =>
                    {
                        out.set.add(ImportedFile {
                            provenance,
                            evidence: Default::default(),
                            problems: Vec::new(),
                        });
                    }
                    Err(e) => out.problems.push(e),
                }
            }
            Ok(out)
        })
    }

    /// Evaluates `assessment`'s stored evidence with `settings` and records
    /// the run (unless nothing changed since the latest run). Also returns
    /// the stored files that could not be read back.
    pub fn evaluate_and_record(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        settings: &Settings,
    ) -> Result<(RunOutcome, Vec<ImportError>)> {
        let mut nothing_read = ParsedEvidence::default();
        self.evaluate_and_record_reusing(actor, assessment, catalog, settings, &mut nothing_read)
    }

    /// [`Store::evaluate_and_record`] with the evidence an import has just
    /// read (see [`ParsedEvidence`]).
    pub fn evaluate_and_record_reusing(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        settings: &Settings,
        parsed: &mut ParsedEvidence,
    ) -> Result<(RunOutcome, Vec<ImportError>)> {
        let stored = self.evidence_set_reusing(assessment, parsed)?;
        self.record_scope(
            actor,
            assessment,
            &crate::scope::Scope::derive(&stored.set.evidence),
        )?;
        let results = checks::evaluate(&stored.set, settings);
        let outcome = self.record_run(
            actor,
            assessment,
            catalog,
            settings,
            &stored.set.files,
            results,
        )?;
        Ok((outcome, stored.problems))
    }

    /// Records a run: `results` of evaluating `files` (current evidence files
    /// of the assessment) with `settings`, and the verdicts `catalog` gives
    /// them. Nothing is recorded if files, settings and results equal the
    /// latest run's.
    pub fn record_run(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        settings: &Settings,
        files: &[Provenance],
        results: Vec<CheckResult>,
    ) -> Result<RunOutcome> {
        let settings = serde_json::to_value(settings)?;
        let (results, lists, verdicts) = stored_results(catalog, results)?;
        self.write(|conn| {
            if actor.os_user.trim().is_empty() {
                return Err(StoreError::Invalid("the OS user is empty".into()));
            }
            let found = read::require_assessment(conn, assessment)?;
            if found.catalog_id != catalog.id {
                return Err(StoreError::Invalid(format!(
                    "assessment \"{}\" uses catalog {}, not {}",
                    found.name, found.catalog_id, catalog.id
                )));
            }
            let run_files = run_files(conn, assessment, files)?;
            let people = People::load(conn)?;
            if let Some(latest) = read::latest_run_id(conn, assessment)?
                && same_as_run(conn, latest, &catalog.id, &settings, &run_files, &results)?
            {
                let run = overview::run_overview(conn, &people, latest)?
                    .ok_or_else(|| StoreError::Corrupt("the latest run is not there".into()))?;
                return Ok(RunOutcome::Unchanged(run));
            }
            for list in &lists {
                results::store_list(conn, list)?;
            }
            let seq = record(
                conn,
                actor,
                Some(assessment),
                &Change::RunRecorded {
                    catalog: catalog.id.clone(),
                    settings: settings.clone(),
                    files: run_files,
                    results,
                    verdicts,
                },
            )?;
            overview::run_overview(conn, &people, seq)?
                .map(RunOutcome::Recorded)
                .ok_or_else(|| StoreError::Corrupt("the run just recorded is not there".into()))
        })
    }
}

/// The current file an import of bytes `sha256` leaves as it is, if any:
/// the file at the same path if it holds those bytes; otherwise, when
/// nothing is current at the path, a file elsewhere holding them.
fn unchanged_by<'a>(
    current: &'a [EvidenceFile],
    at_path: Option<&'a EvidenceFile>,
    sha256: &str,
) -> Option<&'a EvidenceFile> {
    match at_path {
        Some(file) => (file.provenance.sha256 == sha256).then_some(file),
        None => current.iter().find(|f| f.provenance.sha256 == sha256),
    }
}

/// The results in their stored form (see [`results::compact`]), with any
/// result a verdict adds (a static check that produced none) appended; the
/// lists of their resources; each verdict as indexes into the results.
fn stored_results(
    catalog: &Catalog,
    mut results: Vec<CheckResult>,
) -> Result<(Vec<Value>, Vec<results::ListText>, Vec<StoredVerdict>)> {
    let verdicts = checks::link_verdicts(catalog, &mut results)
        .into_iter()
        .map(|v| StoredVerdict {
            requirement: v.requirement,
            status: v.status,
            results: v.results,
        })
        .collect();
    let mut values = Vec::with_capacity(results.len());
    let mut lists = Vec::new();
    for result in results {
        let (value, mut more) = results::compact(&result)?;
        values.push(value);
        lists.append(&mut more);
    }
    Ok((values, lists, verdicts))
}

fn run_files(conn: &Connection, assessment: i64, files: &[Provenance]) -> Result<Vec<RunFile>> {
    let people = People::load(conn)?;
    let stored = read::evidence_files(conn, &people, assessment, false)?;
    files
        .iter()
        .map(|p| {
            stored
                .iter()
                .rev()
                .find(|f| f.provenance.sha256 == p.sha256 && f.provenance.path == p.path)
                .map(|f| RunFile {
                    file: f.id,
                    path: p.path.clone(),
                    sha256: p.sha256.clone(),
                })
                .ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "{} (SHA-256 {}) is not an evidence file of this assessment",
                        p.path, p.sha256
                    ))
                })
        })
        .collect()
}

fn same_as_run(
    conn: &Connection,
    run: i64,
    catalog: &str,
    settings: &Value,
    files: &[RunFile],
    results: &[Value],
) -> Result<bool> {
    let (old_catalog, old_settings, old_files): (String, String, String) = conn.query_row(
        "SELECT catalog_id, settings, files FROM runs WHERE id = ?1",
        [run],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    if old_catalog != catalog
        || old_settings != canonical_json(settings)
        || old_files != canonical_json(&serde_json::to_value(files)?)
    {
        return Ok(false);
    }
    let mut stmt = conn.prepare("SELECT result FROM check_results WHERE run = ?1 ORDER BY idx")?;
    let old: Vec<String> = stmt
        .query_map([run], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    if old.len() != results.len() {
        return Ok(false);
    }
    for (old, new) in old.iter().zip(results) {
        let new = canonical_json(new);
        if *old == new {
            continue;
        }
        // A result an earlier release kept with its resources inline is the
        // same result if it compacts to the one recorded now.
        let old: Value = serde_json::from_str(old)?;
        if results::is_compact(&old) || canonical_json(&results::stored_form(&old)?) != new {
            return Ok(false);
        }
    }
    Ok(true)
}

/// How files are imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Store a redacted copy of every file in which sensitive data is found
    /// (`tickmark import --redact`); a file that cannot be redacted is
    /// refused. Without it the file is stored as it is and its findings
    /// wait for a reviewer's decision (keep, redact or purge).
    pub redact: bool,
}

/// What is stored for one imported file: its bytes (or their redacted
/// copy) and what the record says about them.
struct Prepared<'a> {
    bytes: std::borrow::Cow<'a, [u8]>,
    sha256: String,
    notes: Vec<String>,
    resources: Vec<String>,
    sensitive: Vec<crate::evidence::sensitive::SensitiveFinding>,
    original: Option<super::event::OriginalBytes>,
}

impl<'a> Prepared<'a> {
    fn of(file: &ImportedFile, bytes: &'a [u8], options: &ImportOptions) -> Result<Prepared<'a>> {
        let found: Vec<_> = file
            .evidence
            .sensitive
            .iter()
            .map(super::lifecycle::stored_finding)
            .collect();
        let mut prepared = Prepared {
            bytes: std::borrow::Cow::Owned(Vec::new()),
            sha256: file.provenance.sha256.clone(),
            notes: file.provenance.notes.clone(),
            resources: evidence::identity::resources_of(&file.evidence),
            sensitive: found,
            original: None,
        };
        let open = prepared.sensitive.iter().filter(|f| !f.redacted).count();
        if !options.redact || open == 0 {
            // Stored as read: borrowed, never a second copy of a large file.
            prepared.bytes = std::borrow::Cow::Borrowed(bytes);
            return Ok(prepared);
        }
        let redacted = evidence::sensitive::redact(bytes).map_err(|why| {
            StoreError::Rule(format!(
                "{}: sensitive data was found and cannot be redacted ({why}); not imported",
                file.provenance.path
            ))
        })?;
        prepared.original = Some(super::event::OriginalBytes {
            sha256: file.provenance.sha256.clone(),
            size: file.provenance.size,
        });
        prepared.sha256 = evidence::sha256_hex(&redacted.bytes);
        prepared.notes.push(format!(
            "redacted on import: {} finding(s) replaced by markers; the bytes as read (SHA-256 {}) were never stored",
            redacted.replaced.len(),
            file.provenance.sha256
        ));
        prepared.sensitive = redacted
            .replaced
            .iter()
            .map(|f| crate::evidence::sensitive::SensitiveFinding {
                redacted: true,
                ..super::lifecycle::stored_finding(f)
            })
            .collect();
        prepared.bytes = std::borrow::Cow::Owned(redacted.bytes);
        Ok(prepared)
    }
}

/// The current files (other than the one of the same path) whose every
/// recorded resource `file` describes, and that were not observed after it.
fn replaced_by_resources(
    current: &[EvidenceFile],
    file: &ImportedFile,
    same_path: Option<i64>,
    resources: &[String],
) -> Vec<i64> {
    if resources.is_empty() {
        return Vec::new();
    }
    let new: std::collections::HashSet<String> =
        resources.iter().map(|r| r.to_ascii_lowercase()).collect();
    let observed = evidence::identity::observed_at(&file.provenance);
    current
        .iter()
        .filter(|f| Some(f.id) != same_path && !f.lifecycle.resources.is_empty())
        .filter(|f| evidence::identity::observed_at(&f.provenance) <= observed)
        .filter(|f| {
            f.lifecycle
                .resources
                .iter()
                .all(|r| new.contains(&r.to_ascii_lowercase()))
        })
        .map(|f| f.id)
        .collect()
}
