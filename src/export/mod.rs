//! Exports of the review record: CSV, JSON, an HTML report, OSCAL
//! assessment-results and an evidence bundle (PRODUCT.md §1, step 6).
//!
//! # Calling it
//!
//! [`export`] is the one entry point the desktop app and the command line
//! use. It reads one assessment from a [`Store`], renders it in the chosen
//! [`ExportFormat`] and writes it to a path:
//!
//! ```no_run
//! use std::sync::atomic::AtomicBool;
//! use tickmark::export::{export, ExportFormat};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = tickmark::store::Store::open_existing("tickmark.sqlite3".as_ref())?;
//! let catalog = tickmark::catalog::pci_dss_321();
//! let assessment = store.assessment("H1 2026")?.ok_or("no such assessment")?;
//! let cancel = AtomicBool::new(false);
//! let summary = export(
//!     &store,
//!     catalog,
//!     assessment.id,
//!     ExportFormat::Html,
//!     "report.html".as_ref(),
//!     &mut |progress| eprintln!("{}", progress.describe()),
//!     &cancel,
//! )?;
//! println!("{} bytes, SHA-256 {}", summary.bytes, summary.sha256);
//! # Ok(())
//! # }
//! ```
//!
//! * **Off the UI thread.** A [`Store`] is `Send` but not `Sync`: a worker
//!   thread opens its own `Store` on the same file and calls [`export`]
//!   there. `progress` is called on that thread (forward it over a channel);
//!   setting `cancel` from any thread stops the export at the next step with
//!   [`ExportError::Cancelled`].
//! * **Never a half file.** The output is written to a temporary file beside
//!   `out` and renamed over `out` only when complete; a cancelled or failed
//!   export removes the temporary file and leaves any earlier `out` as it
//!   was.
//! * **One snapshot.** Everything comes from one [`AssessmentRecord`] (one
//!   read transaction) plus each requirement's history; history entries
//!   newer than the snapshot are left out.
//! * **Deterministic.** The same record gives the same bytes: times come
//!   from the record (the assessment's latest event), never from the clock,
//!   and OSCAL UUIDs are name-based (v5).
//!
//! # The formats
//!
//! | format | module | what |
//! |---|---|---|
//! | [`ExportFormat::Csv`] | [`csv`] | an assessment header, then one row per catalog requirement |
//! | [`ExportFormat::Xlsx`] | [`workpaper`] | the Excel workpaper: summary, requirements, evidence index, checks |
//! | [`ExportFormat::Json`] | [`json`] | the whole [`AssessmentRecord`], versioned, round-trips |
//! | [`ExportFormat::Html`] | [`html`] | one self-contained, printable report |
//! | [`ExportFormat::Oscal`] | [`oscal`] | OSCAL 1.2.1 assessment-results (JSON) |
//! | [`ExportFormat::Bundle`] | [`bundle`] | a zip of all of the above, every evidence file and attachment, the signatures, and a manifest |
//! | [`ExportFormat::Signatures`] | [`signatures`] | a folder: each signed statement, its `.sig`, `allowed_signers` and a README (checkable with `ssh-keygen -Y verify`) |
//!
//! [`bundle::verify_bundle`] checks a bundle later (`tickmark verify --bundle`).

pub mod against;
pub mod bundle;
mod columns;
pub mod compare;
pub mod csv;
pub mod html;
mod index;
pub mod json;
mod layout;
pub mod oscal;
mod output;
pub mod requests;
pub mod signatures;
mod summary;
mod text;
mod view;
pub mod workpaper;
pub mod xlsx;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::catalog::Catalog;
use crate::store::{AssessmentRecord, ChainHead, HistoryEntry, Store, StoreError};

pub use columns::{INDEX_SHEET, REQUIREMENT_COLUMNS, requirement_headers};
pub use layout::{BundleLayout, bundle_layout};
pub use summary::run_position;
pub use text::{markdown_note, markdown_text, markdown_to_html, markdown_to_plain_text};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// One row per catalog requirement (RFC 4180).
    Csv,
    /// The Excel workpaper: summary, requirements, evidence index, checks.
    Xlsx,
    /// The whole record of the assessment, versioned schema.
    Json,
    /// A self-contained, printable HTML report.
    Html,
    /// OSCAL 1.2.1 assessment-results (JSON).
    Oscal,
    /// A zip of the report, the record, every evidence file and attachment,
    /// and a manifest of SHA-256s.
    Bundle,
    /// A folder with every signed statement, its SSH signature, an
    /// `allowed_signers` file and a README: checkable with `ssh-keygen`.
    Signatures,
}

impl ExportFormat {
    /// Every format, in menu order.
    pub const ALL: &'static [ExportFormat] = &[
        ExportFormat::Csv,
        ExportFormat::Xlsx,
        ExportFormat::Json,
        ExportFormat::Html,
        ExportFormat::Oscal,
        ExportFormat::Bundle,
        ExportFormat::Signatures,
    ];

    /// The stable ID: `csv`, `xlsx`, `json`, `html`, `oscal` or `bundle`
    /// (as on the command line).
    pub fn id(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Json => "json",
            ExportFormat::Html => "html",
            ExportFormat::Oscal => "oscal",
            ExportFormat::Bundle => "bundle",
            ExportFormat::Signatures => "signatures",
        }
    }

    /// True for a format written as a folder rather than one file.
    pub fn is_folder(self) -> bool {
        self == ExportFormat::Signatures
    }

    /// A label for menus and dialogs.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Csv => "CSV (one row per requirement)",
            ExportFormat::Xlsx => "Excel workpaper (XLSX)",
            ExportFormat::Json => "JSON (the whole review record)",
            ExportFormat::Html => "HTML report (printable)",
            ExportFormat::Oscal => "OSCAL assessment results (JSON)",
            ExportFormat::Bundle => "Evidence bundle (zip)",
            ExportFormat::Signatures => {
                "Signatures (folder: statements, .sig files, allowed_signers)"
            }
        }
    }

    /// The file extension without a dot, for save-dialog filters.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Json | ExportFormat::Oscal => "json",
            ExportFormat::Html => "html",
            ExportFormat::Bundle => "zip",
            ExportFormat::Signatures => "",
        }
    }

    /// A file name to suggest for `assessment`, e.g.
    /// `H1-2026.assessment-results.json` (characters that file systems
    /// refuse are replaced).
    pub fn default_file_name(self, assessment: &str) -> String {
        let stem = layout::safe_file_name(assessment).replace(' ', "-");
        let kind = match self {
            ExportFormat::Csv => "requirements",
            ExportFormat::Xlsx => "workpaper",
            ExportFormat::Json => "record",
            ExportFormat::Html => "report",
            ExportFormat::Oscal => "assessment-results",
            ExportFormat::Bundle => "evidence-bundle",
            ExportFormat::Signatures => return format!("{stem}.signatures"),
        };
        format!("{stem}.{kind}.{}", self.extension())
    }

    /// Looks a format up by its ID.
    pub fn from_id(id: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.iter().copied().find(|f| f.id() == id)
    }
}

/// What an export is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportStage {
    /// Reading the record and each requirement's history.
    Reading,
    /// Rendering the document(s).
    Rendering,
    /// Writing files (for a bundle: one entry at a time).
    Writing,
    /// Flushing and moving the finished file into place.
    Finishing,
}

impl ExportStage {
    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            ExportStage::Reading => "Reading the review record",
            ExportStage::Rendering => "Rendering",
            ExportStage::Writing => "Writing",
            ExportStage::Finishing => "Finishing",
        }
    }
}

/// A progress report: `done` of `total` steps of `stage`, and the item being
/// worked on (a requirement ID, a bundle entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportProgress {
    /// The stage.
    pub stage: ExportStage,
    /// Steps of this stage done.
    pub done: usize,
    /// Steps of this stage in all (at least 1).
    pub total: usize,
    /// The item being worked on, if any.
    pub item: Option<String>,
}

impl ExportProgress {
    fn new(stage: ExportStage, done: usize, total: usize, item: Option<String>) -> Self {
        ExportProgress {
            stage,
            done,
            total: total.max(1),
            item,
        }
    }

    /// How far this stage is, from 0 to 1.
    pub fn fraction(&self) -> f32 {
        (self.done.min(self.total) as f32) / (self.total as f32)
    }

    /// One line for a status bar, e.g. `Writing 12/40: evidence/nsgs.json`.
    pub fn describe(&self) -> String {
        let item = self
            .item
            .as_deref()
            .map(|i| format!(": {i}"))
            .unwrap_or_default();
        format!("{} {}/{}{item}", self.stage.label(), self.done, self.total)
    }
}

/// What a finished export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    /// The format.
    pub format: ExportFormat,
    /// The file written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256 (lower-case hex).
    pub sha256: String,
    /// How many catalog requirements it covers.
    pub requirements: usize,
    /// For a bundle, how many entries it holds besides the manifest; 1
    /// otherwise.
    pub entries: usize,
    /// The record's chain head the export was made from (pins the history).
    pub chain_head: Option<ChainHead>,
}

/// Why an export failed. Nothing is left at the output path in any case.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The review record could not be read.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The catalog given is not the assessment's.
    #[error(
        "assessment \"{assessment}\" uses catalog {expected}, but the export was given catalog {given}"
    )]
    CatalogMismatch {
        /// The assessment's name.
        assessment: String,
        /// The assessment's catalog ID.
        expected: String,
        /// The catalog given.
        given: String,
    },
    /// The output (or a temporary file beside it) could not be written.
    #[error("cannot write {}: {message}", path.display())]
    Output {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong, in words.
        message: String,
    },
    /// An evidence file or attachment of the record has no stored bytes.
    #[error("the stored bytes of {what} (SHA-256 {sha256}) are missing from the review record")]
    MissingBytes {
        /// Which file.
        what: String,
        /// Its SHA-256.
        sha256: String,
    },
    /// Rendering failed (a serialiser or the zip writer reported an error).
    #[error("could not render the {format}: {message}")]
    Render {
        /// The format or part being rendered.
        format: &'static str,
        /// What went wrong.
        message: String,
    },
    /// `cancel` was set.
    #[error("the export was cancelled; nothing was written")]
    Cancelled,
    /// The review record's tables do not match its event log (edited outside
    /// Tickmark): an export would show what no event recorded.
    #[error(
        "nothing was exported: the review record does not match its own history ({first}{}); run `tickmark verify`",
        if *more > 0 { format!(", and {more} more problem(s)") } else { String::new() }
    )]
    Tampered {
        /// The first problem, as `tickmark verify` names it.
        first: crate::store::Problem,
        /// How many more there are.
        more: usize,
    },
}

/// Attachments up to this size (PNG, JPEG, GIF) are embedded in the HTML
/// report as pictures.
pub const EMBED_IMAGE_LIMIT: u64 = 1024 * 1024;

/// At most this many bytes of pictures are embedded in one HTML report; the
/// others are listed by name and SHA-256 only.
pub const EMBED_TOTAL_LIMIT: u64 = 12 * 1024 * 1024;

/// Everything an export renders: the record snapshot, each requirement's
/// history (the events that touched it, in words) and the bytes of the
/// pictures the HTML report embeds.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportData {
    /// The whole record of the assessment.
    pub record: AssessmentRecord,
    /// Requirement ID → its history, oldest first (only requirements that
    /// have one). Entries newer than the record snapshot are left out.
    pub histories: BTreeMap<String, Vec<HistoryEntry>>,
    /// SHA-256 → bytes of the small image attachments the HTML report
    /// shows (see [`EMBED_IMAGE_LIMIT`]).
    pub images: BTreeMap<String, Vec<u8>>,
    /// The scope diagram of the current evidence with the latest run's
    /// boundary failures (HTML report only; empty otherwise).
    pub diagram: crate::scope::diagram::Diagram,
}

impl ReportData {
    /// Reads `assessment` from `store`: the record snapshot and, with
    /// `for_report`, the history of every requirement of `catalog` and the
    /// pictures the HTML report embeds.
    pub fn load(
        store: &Store,
        catalog: &Catalog,
        assessment: i64,
        for_report: bool,
        progress: &mut dyn FnMut(ExportProgress),
        cancel: &AtomicBool,
    ) -> Result<ReportData, ExportError> {
        // Only what `verify` accepts is rendered: the rows this export
        // reads must be what the event log says.
        let (record, problems) = store.checked_record(assessment)?;
        if let Some(first) = problems.first() {
            return Err(ExportError::Tampered {
                first: first.clone(),
                more: problems.len() - 1,
            });
        }
        check_catalog(&record, catalog)?;
        let mut histories = BTreeMap::new();
        let mut images = BTreeMap::new();
        let mut diagram = crate::scope::diagram::Diagram::default();
        if for_report {
            images = embedded_images(store, &record, cancel)?;
            let stored = store.evidence_set_for_scope(assessment)?;
            let scope = crate::scope::Scope::derive(&stored.set.evidence);
            let results = record
                .latest_run
                .as_ref()
                .map(|r| r.results.as_slice())
                .unwrap_or_default();
            diagram = crate::scope::diagram::Diagram::build(&stored.set.evidence, &scope, results);
            let limit = record.chain_head.as_ref().map_or(0, |h| h.seq);
            let total = catalog.requirements().count();
            for (done, requirement) in catalog.requirements().enumerate() {
                check_cancel(cancel)?;
                progress(ExportProgress::new(
                    ExportStage::Reading,
                    done,
                    total,
                    Some(requirement.id.clone()),
                ));
                let entries: Vec<HistoryEntry> = store
                    .requirement_history(assessment, &requirement.id)?
                    .into_iter()
                    .filter(|e| e.seq <= limit)
                    .collect();
                if !entries.is_empty() {
                    histories.insert(requirement.id.clone(), entries);
                }
            }
        }
        Ok(ReportData {
            record,
            histories,
            images,
            diagram,
        })
    }

    /// Data from a record alone (e.g. one read back from a JSON export):
    /// histories are rebuilt from the record's events (reviews, attachments
    /// and sign-offs; runs are not broken down per requirement).
    pub fn from_record(record: AssessmentRecord) -> ReportData {
        let histories = view::histories_from_events(&record);
        ReportData {
            record,
            histories,
            images: BTreeMap::new(),
            diagram: crate::scope::diagram::Diagram::default(),
        }
    }
}

/// The bytes of the image attachments small enough to embed, within
/// [`EMBED_TOTAL_LIMIT`], in catalog order.
fn embedded_images(
    store: &Store,
    record: &AssessmentRecord,
    cancel: &AtomicBool,
) -> Result<BTreeMap<String, Vec<u8>>, ExportError> {
    let mut images = BTreeMap::new();
    let mut total = 0u64;
    let candidates = record
        .requirements
        .iter()
        .flat_map(|r| r.attachments.iter())
        .filter(|a| a.withdrawn.is_none() && html::is_embeddable(a));
    for attachment in candidates {
        if images.contains_key(&attachment.sha256) {
            continue;
        }
        if total + attachment.size > EMBED_TOTAL_LIMIT {
            continue;
        }
        check_cancel(cancel)?;
        if let Some(bytes) = store.evidence_bytes(&attachment.sha256)? {
            if crate::evidence::sha256_hex(&bytes) != attachment.sha256 {
                return Err(ExportError::Render {
                    format: "html",
                    message: format!(
                        "the stored bytes of attachment {} no longer match their SHA-256 {}; run `tickmark verify`",
                        attachment.file_name, attachment.sha256
                    ),
                });
            }
            total += bytes.len() as u64;
            images.insert(attachment.sha256.clone(), bytes);
        }
    }
    Ok(images)
}

/// Exports assessment `assessment` of `store` as `format` to `out`.
///
/// `catalog` must be the assessment's catalog (e.g.
/// [`crate::catalog::pci_dss_321`]). `progress` hears about each step;
/// setting `cancel` stops the export at the next step. The file appears at
/// `out` only when complete (written beside it, then renamed); an existing
/// file at `out` is replaced.
pub fn export(
    store: &Store,
    catalog: &Catalog,
    assessment: i64,
    format: ExportFormat,
    out: &Path,
    progress: &mut dyn FnMut(ExportProgress),
    cancel: &AtomicBool,
) -> Result<ExportSummary, ExportError> {
    if format == ExportFormat::Signatures {
        return export_signatures(store, catalog, assessment, out, progress, cancel);
    }
    // Fail on an unwritable path before any work is done.
    let pending = output::PendingFile::create(out)?;
    check_cancel(cancel)?;
    progress(ExportProgress::new(ExportStage::Reading, 0, 1, None));
    let for_report = matches!(format, ExportFormat::Html | ExportFormat::Bundle);
    let data = ReportData::load(store, catalog, assessment, for_report, progress, cancel)?;
    let requirements = catalog.requirements().count();
    let chain_head = data.record.chain_head.clone();
    let (written, entries) = match format {
        ExportFormat::Bundle => {
            bundle::write_bundle(store, &data, catalog, pending, progress, cancel)?
        }
        single => {
            check_cancel(cancel)?;
            progress(ExportProgress::new(
                ExportStage::Rendering,
                0,
                1,
                Some(single.id().to_owned()),
            ));
            let bytes = render(&data, catalog, single)?;
            check_cancel(cancel)?;
            progress(ExportProgress::new(ExportStage::Writing, 0, 1, None));
            let mut pending = pending;
            pending.write_all(&bytes)?;
            check_cancel(cancel)?;
            progress(ExportProgress::new(ExportStage::Finishing, 0, 1, None));
            (pending.commit()?, 1)
        }
    };
    progress(ExportProgress::new(ExportStage::Finishing, 1, 1, None));
    Ok(ExportSummary {
        format,
        path: out.to_owned(),
        bytes: written.bytes,
        sha256: written.sha256,
        requirements,
        entries,
        chain_head,
    })
}

/// [`export`] of [`ExportFormat::Signatures`]: a new folder.
fn export_signatures(
    store: &Store,
    catalog: &Catalog,
    assessment: i64,
    out: &Path,
    progress: &mut dyn FnMut(ExportProgress),
    cancel: &AtomicBool,
) -> Result<ExportSummary, ExportError> {
    progress(ExportProgress::new(ExportStage::Reading, 0, 1, None));
    let data = ReportData::load(store, catalog, assessment, false, progress, cancel)?;
    check_cancel(cancel)?;
    progress(ExportProgress::new(ExportStage::Writing, 0, 1, None));
    let (bytes, sha256, entries) = signatures::write_folder(&data.record, out)?;
    progress(ExportProgress::new(ExportStage::Finishing, 1, 1, None));
    Ok(ExportSummary {
        format: ExportFormat::Signatures,
        path: out.to_owned(),
        bytes,
        sha256,
        requirements: catalog.requirements().count(),
        entries,
        chain_head: data.record.chain_head.clone(),
    })
}

/// Renders one single-file format in memory (CSV, XLSX, JSON, HTML or OSCAL); a
/// bundle is a zip of several files and is only written by [`export`].
pub fn render(
    data: &ReportData,
    catalog: &Catalog,
    format: ExportFormat,
) -> Result<Vec<u8>, ExportError> {
    check_catalog(&data.record, catalog)?;
    Ok(match format {
        ExportFormat::Csv => csv::render(data, catalog)?,
        ExportFormat::Xlsx => workpaper::render(data, catalog)?,
        ExportFormat::Json => json::render(&data.record)?.into_bytes(),
        ExportFormat::Html => html::render(data, catalog).into_bytes(),
        ExportFormat::Oscal => oscal::render(data, catalog)?.into_bytes(),
        ExportFormat::Bundle | ExportFormat::Signatures => {
            return Err(ExportError::Render {
                format: "bundle",
                message:
                    "a bundle or a signatures folder holds several files; write it with export()"
                        .to_owned(),
            });
        }
    })
}

fn check_catalog(record: &AssessmentRecord, catalog: &Catalog) -> Result<(), ExportError> {
    if record.assessment.catalog_id == catalog.id {
        Ok(())
    } else {
        Err(ExportError::CatalogMismatch {
            assessment: record.assessment.name.clone(),
            expected: record.assessment.catalog_id.clone(),
            given: catalog.id.clone(),
        })
    }
}

fn check_cancel(cancel: &AtomicBool) -> Result<(), ExportError> {
    if cancel.load(Ordering::Relaxed) {
        Err(ExportError::Cancelled)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_have_ids_extensions_and_file_names() {
        for format in ExportFormat::ALL {
            assert_eq!(ExportFormat::from_id(format.id()), Some(*format));
        }
        assert_eq!(
            ExportFormat::Oscal.default_file_name("H1 2026"),
            "H1-2026.assessment-results.json"
        );
        assert_eq!(
            ExportFormat::Bundle.default_file_name("a/b:c"),
            "a_b_c.evidence-bundle.zip"
        );
    }

    #[test]
    fn results_can_cross_threads() {
        fn send<T: Send + 'static>() {}
        send::<ExportSummary>();
        send::<ExportProgress>();
        send::<ExportError>();
        send::<ReportData>();
    }

    #[test]
    fn progress_fraction_and_text() {
        let p = ExportProgress::new(ExportStage::Writing, 3, 4, Some("evidence/a.json".into()));
        assert!((p.fraction() - 0.75).abs() < 1e-6);
        assert_eq!(p.describe(), "Writing 3/4: evidence/a.json");
        assert_eq!(
            ExportProgress::new(ExportStage::Reading, 0, 0, None).total,
            1
        );
    }
}
