//! The evidence bundle: one zip with everything an auditor hands over, and
//! a manifest that makes any later change to it detectable.
//!
//! # Layout
//!
//! | entry | what |
//! |---|---|
//! | `report.html` | the HTML report |
//! | `record.json` | the JSON record (the whole review record of the assessment) |
//! | `oscal-assessment-results.json` | the OSCAL assessment results; its back-matter links resolve to the entries below |
//! | `requirements.csv` | the CSV |
//! | `evidence/<name>` | every evidence file, replaced ones included |
//! | `attachments/<requirement>/<name>` | every attachment, withdrawn ones included |
//! | `manifest.json` | the SHA-256 and size of every other entry, the record's chain head and the assessment |
//!
//! Names are the files' own, made safe; collisions get the SHA-256 prefix
//! (see [`bundle_layout`]). Evidence is streamed into the zip one file at
//! a time; bytes whose SHA-256 no longer matches the record are refused
//! (run `tickmark verify`).
//!
//! # Verifying
//!
//! [`verify_bundle`] recomputes the SHA-256 and size of every entry, checks
//! that the manifest lists exactly the entries present (directory entries
//! aside), and requires every part the manifest format promises: the four
//! documents, `record.json` above all (nothing is skipped because it is
//! absent), an evidence file or attachment ID on every such entry, the
//! SHA-256 the bundled record gives each, an entry for every evidence file
//! and attachment the record lists, and the record's assessment and chain
//! head being the manifest's. It names the first mismatch. The chain head
//! ties the bundle to the review record: `tickmark verify` on the record
//! shows whether that event still carries that hash.
//!
//! Every read from the zip is capped before anything is inflated: an entry
//! whose declared size differs from the manifest's is not read, no entry is
//! read past the size the manifest lists, and the manifest and the record
//! are refused beyond [`MAX_MANIFEST_BYTES`] and [`MAX_RECORD_BYTES`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::catalog::Catalog;
use crate::evidence::sha256_hex;
use crate::store::{AssessmentRecord, ChainHead, Store};

use super::layout::{
    CSV_ENTRY, MANIFEST_ENTRY, OSCAL_ENTRY, RECORD_ENTRY, REPORT_ENTRY, bundle_layout,
};
use super::output::{PendingFile, Written};
use super::view::View;
use super::{
    BundleLayout, ExportError, ExportProgress, ExportStage, ReportData, check_cancel, csv, html,
    json, oscal,
};

/// The manifest's `format`.
pub const MANIFEST_FORMAT: &str = "tickmark-evidence-bundle";
/// The manifest shape this build writes and reads.
pub const MANIFEST_VERSION: u32 = 1;
/// The largest manifest [`verify_bundle`] reads.
pub const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;
/// The largest `record.json` [`verify_bundle`] reads (a record of thousands
/// of resources is a few tens of megabytes).
pub const MAX_RECORD_BYTES: u64 = 256 * 1024 * 1024;
/// The largest report, OSCAL document or CSV [`verify_bundle`] reads.
pub const MAX_DOCUMENT_BYTES: u64 = 1024 * 1024 * 1024;

/// The bundle's table of contents (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: String,
    /// [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// The Tickmark that wrote it.
    pub tickmark_version: String,
    /// The assessment.
    pub assessment: ManifestAssessment,
    /// The review record's last event when the bundle was made.
    pub chain_head: Option<ChainHead>,
    /// Every other entry of the zip, in the order written.
    pub entries: Vec<ManifestEntry>,
    /// Files of the assessment whose bytes the bundle leaves out: purged
    /// ones, and those holding sensitive data nobody has reviewed yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<Withheld>,
}

/// A file a bundle does not carry, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withheld {
    /// The evidence file's ID, for evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_file: Option<i64>,
    /// The attachment's ID, for attachments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<i64>,
    /// Its path or file name.
    pub name: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Why it is left out.
    pub reason: String,
}

/// The assessment a bundle holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestAssessment {
    /// Its ID in the review record.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The cluster.
    pub cluster: String,
    /// The catalog ID.
    pub catalog: String,
}

/// One entry of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The entry's name in the zip.
    pub path: String,
    /// `report`, `record`, `oscal`, `csv`, `evidence` or `attachment`.
    pub kind: String,
    /// SHA-256 of the entry's bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// For evidence: the evidence file's ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_file: Option<i64>,
    /// For evidence: the path it was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_path: Option<String>,
    /// For attachments: the attachment's ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<i64>,
    /// For attachments: the requirement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    /// For replaced evidence and withdrawn attachments: true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
    /// For evidence a reviewer kept as it is despite sensitive data: what
    /// it holds and why it was kept. The bytes hold that data in clear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive_kept: Option<String>,
}

/// What goes into an entry.
enum Source {
    Text(&'static str, String),
    Evidence {
        id: i64,
        sha256: String,
        original_path: String,
        retired: bool,
        sensitive_kept: Option<String>,
    },
    Attachment {
        id: i64,
        sha256: String,
        requirement: String,
        retired: bool,
    },
}

/// Writes the bundle of `data` into `pending` and commits it; returns what
/// was written and how many entries it has besides the manifest.
pub(crate) fn write_bundle(
    store: &Store,
    data: &ReportData,
    catalog: &Catalog,
    mut pending: PendingFile,
    progress: &mut dyn FnMut(ExportProgress),
    cancel: &AtomicBool,
) -> Result<(Written, usize), ExportError> {
    let layout = bundle_layout(&data.record);
    let mut sources = rendered(data, catalog, progress, cancel)?;
    let purged = store.purged_hashes().map_err(ExportError::Store)?;
    let (files, withheld) = file_sources(&data.record, &layout, &purged);
    sources.extend(files);
    sources.extend(
        super::signatures::files(&data.record)
            .into_iter()
            .map(|(name, text)| {
                (
                    format!("{SIGNATURES_DIR}{name}"),
                    Source::Text("signature", text),
                )
            }),
    );
    let time = zip_time(&View::new(data, catalog).as_of());
    let total = sources.len() + 1;
    let mut entries = Vec::with_capacity(sources.len());
    let file = pending.file()?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    for (done, (path, source)) in sources.into_iter().enumerate() {
        check_cancel(cancel)?;
        progress(ExportProgress::new(
            ExportStage::Writing,
            done,
            total,
            Some(path.clone()),
        ));
        entries.push(write_entry(store, &mut zip, time, path, source)?);
    }
    check_cancel(cancel)?;
    progress(ExportProgress::new(
        ExportStage::Writing,
        total - 1,
        total,
        Some(MANIFEST_ENTRY.to_owned()),
    ));
    let mut manifest = manifest(&data.record, entries);
    manifest.withheld = withheld;
    let count = manifest.entries.len();
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| ExportError::Render {
        format: "bundle manifest",
        message: e.to_string(),
    })?;
    zip.start_file(MANIFEST_ENTRY, options(MANIFEST_ENTRY, time))
        .map_err(zip_error)?;
    zip.write_all(text.as_bytes()).map_err(zip_io_error)?;
    zip.finish()
        .map_err(zip_error)?
        .flush()
        .map_err(zip_io_error)?;
    check_cancel(cancel)?;
    progress(ExportProgress::new(ExportStage::Finishing, 0, 1, None));
    Ok((pending.commit()?, count))
}

/// The four rendered documents, in bundle order.
fn rendered(
    data: &ReportData,
    catalog: &Catalog,
    progress: &mut dyn FnMut(ExportProgress),
    cancel: &AtomicBool,
) -> Result<Vec<(String, Source)>, ExportError> {
    let steps: [(&str, &'static str); 4] = [
        (REPORT_ENTRY, "report"),
        (RECORD_ENTRY, "record"),
        (OSCAL_ENTRY, "oscal"),
        (CSV_ENTRY, "csv"),
    ];
    let mut out = Vec::with_capacity(4);
    for (done, (path, kind)) in steps.into_iter().enumerate() {
        check_cancel(cancel)?;
        progress(ExportProgress::new(
            ExportStage::Rendering,
            done,
            steps.len(),
            Some(path.to_owned()),
        ));
        let text = match kind {
            "report" => html::render(data, catalog),
            "record" => json::render(&data.record)?,
            "oscal" => oscal::render(data, catalog)?,
            _ => String::from_utf8_lossy(&csv::render(data, catalog)?).into_owned(),
        };
        out.push((path.to_owned(), Source::Text(kind, text)));
    }
    Ok(out)
}

/// Every evidence file and attachment, with its entry name; and those
/// whose bytes stay out (purged, or sensitive data not reviewed yet).
fn file_sources(
    record: &AssessmentRecord,
    layout: &BundleLayout,
    purged: &std::collections::HashSet<String>,
) -> (Vec<(String, Source)>, Vec<Withheld>) {
    let mut out = Vec::new();
    let mut withheld = Vec::new();
    for file in &record.files {
        let why = if file.lifecycle.purged.is_some() || purged.contains(&file.provenance.sha256) {
            Some("its bytes were purged from the review record".to_owned())
        } else if file.sensitive_pending() {
            Some(format!(
                "it holds {} finding(s) of sensitive data that no reviewer has kept, redacted or purged yet",
                file.open_findings().len()
            ))
        } else {
            None
        };
        if let Some(reason) = why {
            withheld.push(Withheld {
                evidence_file: Some(file.id),
                attachment: None,
                name: file.provenance.path.clone(),
                sha256: file.provenance.sha256.clone(),
                reason,
            });
            continue;
        }
        let sensitive_kept = file.lifecycle.kept.as_ref().map(|kept| {
            let kinds: std::collections::BTreeSet<&str> = file
                .open_findings()
                .iter()
                .map(|f| f.kind.label())
                .collect();
            format!(
                "kept as it is by event #{} ({}), holding {}",
                kept.seq,
                kept.reason,
                kinds.into_iter().collect::<Vec<_>>().join(", ")
            )
        });
        if let Some(path) = layout.evidence.get(&file.id) {
            out.push((
                path.clone(),
                Source::Evidence {
                    id: file.id,
                    sha256: file.provenance.sha256.clone(),
                    original_path: file.provenance.path.clone(),
                    retired: file.superseded_by.is_some(),
                    sensitive_kept,
                },
            ));
        }
    }
    let mut attachments: Vec<_> = record
        .requirements
        .iter()
        .flat_map(|r| r.attachments.iter())
        .collect();
    attachments.sort_by_key(|a| a.id);
    for a in attachments {
        if purged.contains(&a.sha256) {
            withheld.push(Withheld {
                evidence_file: None,
                attachment: Some(a.id),
                name: a.file_name.clone(),
                sha256: a.sha256.clone(),
                reason: "its bytes were purged from the review record".to_owned(),
            });
            continue;
        }
        if let Some(path) = layout.attachments.get(&a.id) {
            out.push((
                path.clone(),
                Source::Attachment {
                    id: a.id,
                    sha256: a.sha256.clone(),
                    requirement: a.requirement.clone(),
                    retired: a.withdrawn.is_some(),
                },
            ));
        }
    }
    (out, withheld)
}

fn write_entry<W: Write + io::Seek>(
    store: &Store,
    zip: &mut ZipWriter<W>,
    time: zip::DateTime,
    path: String,
    source: Source,
) -> Result<ManifestEntry, ExportError> {
    let mut entry = ManifestEntry {
        path: path.clone(),
        kind: String::new(),
        sha256: String::new(),
        size: 0,
        evidence_file: None,
        original_path: None,
        attachment: None,
        requirement: None,
        retired: false,
        sensitive_kept: None,
    };
    let bytes: Vec<u8> = match source {
        Source::Text(kind, text) => {
            entry.kind = kind.to_owned();
            text.into_bytes()
        }
        Source::Evidence {
            id,
            sha256,
            original_path,
            retired,
            sensitive_kept,
        } => {
            entry.kind = "evidence".to_owned();
            entry.evidence_file = Some(id);
            entry.retired = retired;
            entry.sensitive_kept = sensitive_kept;
            let bytes = stored_bytes(store, &sha256, &original_path)?;
            entry.original_path = Some(original_path);
            bytes
        }
        Source::Attachment {
            id,
            sha256,
            requirement,
            retired,
        } => {
            entry.kind = "attachment".to_owned();
            entry.attachment = Some(id);
            entry.retired = retired;
            let what = format!("attachment #{id} of {requirement}");
            entry.requirement = Some(requirement);
            stored_bytes(store, &sha256, &what)?
        }
    };
    entry.sha256 = sha256_hex(&bytes);
    entry.size = bytes.len() as u64;
    zip.start_file(path.as_str(), options(&path, time))
        .map_err(zip_error)?;
    zip.write_all(&bytes).map_err(zip_io_error)?;
    Ok(entry)
}

/// The stored bytes of a file, checked against their SHA-256.
fn stored_bytes(store: &Store, sha256: &str, what: &str) -> Result<Vec<u8>, ExportError> {
    let bytes = store
        .evidence_bytes(sha256)?
        .ok_or_else(|| ExportError::MissingBytes {
            what: what.to_owned(),
            sha256: sha256.to_owned(),
        })?;
    if sha256_hex(&bytes) != sha256 {
        return Err(ExportError::Render {
            format: "bundle",
            message: format!(
                "the stored bytes of {what} no longer match their SHA-256 {sha256}; run `tickmark verify`"
            ),
        });
    }
    Ok(bytes)
}

fn manifest(record: &AssessmentRecord, entries: Vec<ManifestEntry>) -> Manifest {
    let a = &record.assessment;
    Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        manifest_version: MANIFEST_VERSION,
        tickmark_version: env!("CARGO_PKG_VERSION").to_owned(),
        assessment: ManifestAssessment {
            id: a.id,
            name: a.name.clone(),
            cluster: a.cluster.clone(),
            catalog: a.catalog_id.clone(),
        },
        chain_head: record.chain_head.clone(),
        entries,
        withheld: Vec::new(),
    }
}

/// Already-compressed formats are stored; the rest deflated.
fn options(path: &str, time: zip::DateTime) -> SimpleFileOptions {
    let lower = path.to_ascii_lowercase();
    let compressed = [".png", ".jpg", ".jpeg", ".gif", ".zip", ".gz", ".pdf"]
        .iter()
        .any(|e| lower.ends_with(e));
    SimpleFileOptions::default()
        .compression_method(if compressed {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        })
        .last_modified_time(time)
        .unix_permissions(0o644)
}

/// The record's time as a zip timestamp (zip times have no zone; UTC).
fn zip_time(at: &chrono::DateTime<chrono::Utc>) -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    let part = |n: u32| u8::try_from(n).unwrap_or(0);
    u16::try_from(at.year())
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(
                year,
                part(at.month()),
                part(at.day()),
                part(at.hour()),
                part(at.minute()),
                part(at.second()),
            )
            .ok()
        })
        .unwrap_or_default()
}

fn zip_error(e: zip::result::ZipError) -> ExportError {
    ExportError::Render {
        format: "bundle",
        message: e.to_string(),
    }
}

fn zip_io_error(e: io::Error) -> ExportError {
    ExportError::Render {
        format: "bundle",
        message: super::output::describe_io(&e),
    }
}

/// Why a file could not be checked as a bundle at all.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The file could not be read.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Not a zip archive, or its directory is unreadable.
    #[error("{}: not a readable zip archive ({message})", path.display())]
    NotZip {
        /// The file.
        path: PathBuf,
        /// The zip reader's words.
        message: String,
    },
    /// A zip, but not a Tickmark evidence bundle.
    #[error("{}: not a Tickmark evidence bundle ({reason})", path.display())]
    NotABundle {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// One mismatch found in a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleProblem {
    /// The entry's bytes are not what the manifest lists.
    Changed {
        /// The entry.
        entry: String,
        /// SHA-256 and size the manifest lists.
        expected: (String, u64),
        /// SHA-256 and size found.
        found: (String, u64),
    },
    /// The entry could not be read (a zip checksum error, a broken stream).
    Unreadable {
        /// The entry.
        entry: String,
        /// Why.
        reason: String,
    },
    /// The manifest lists an entry the zip does not hold.
    Missing {
        /// The entry.
        entry: String,
    },
    /// The zip holds an entry the manifest does not list.
    Extra {
        /// The entry.
        entry: String,
    },
    /// The zip holds two entries of one name.
    Duplicate {
        /// The entry.
        entry: String,
    },
    /// The manifest cannot be read.
    Manifest {
        /// Why.
        reason: String,
    },
    /// The manifest and the bundled record disagree.
    Record {
        /// How.
        reason: String,
    },
    /// A part every bundle of this manifest version holds is missing, or an
    /// entry lacks what its kind promises (an evidence entry without its
    /// evidence file).
    Promised {
        /// The entry or part.
        part: String,
        /// What is missing.
        reason: String,
    },
}

impl std::fmt::Display for BundleProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BundleProblem::Changed {
                entry,
                expected,
                found,
            } => write!(
                f,
                "{entry}: changed (manifest: SHA-256 {}, {} bytes; found: SHA-256 {}, {} bytes)",
                expected.0, expected.1, found.0, found.1
            ),
            BundleProblem::Unreadable { entry, reason } => {
                write!(f, "{entry}: cannot be read ({reason})")
            }
            BundleProblem::Missing { entry } => {
                write!(
                    f,
                    "{entry}: listed in the manifest but missing from the bundle"
                )
            }
            BundleProblem::Extra { entry } => {
                write!(f, "{entry}: in the bundle but not listed in the manifest")
            }
            BundleProblem::Duplicate { entry } => {
                write!(f, "{entry}: appears more than once in the bundle")
            }
            BundleProblem::Manifest { reason } => write!(f, "{MANIFEST_ENTRY}: {reason}"),
            BundleProblem::Record { reason } => write!(f, "{RECORD_ENTRY}: {reason}"),
            BundleProblem::Promised { part, reason } => write!(f, "{part}: {reason}"),
        }
    }
}

/// What [`verify_bundle`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleReport {
    /// The bundle.
    pub path: PathBuf,
    /// The manifest, if it could be read.
    pub manifest: Option<Manifest>,
    /// How many entries were hashed.
    pub entries_checked: usize,
    /// How many bytes were hashed.
    pub bytes_checked: u64,
    /// Every mismatch, in the order found (zip order, then the manifest's).
    pub problems: Vec<BundleProblem>,
}

impl BundleReport {
    /// True if nothing is amiss.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// The first mismatch.
    pub fn first_problem(&self) -> Option<&BundleProblem> {
        self.problems.first()
    }
}

/// Checks the evidence bundle at `path` (see the module docs). `Err` means
/// the file is not a readable bundle at all; a bundle whose contents do not
/// match its manifest is `Ok` with `problems`.
pub fn verify_bundle(path: &Path) -> Result<BundleReport, BundleError> {
    let file = File::open(path).map_err(|e| BundleError::Io {
        path: path.to_owned(),
        message: super::output::describe_io(&e),
    })?;
    verify_bundle_from(path, io::BufReader::new(file))
}

/// [`verify_bundle`] on a zip read from `reader`; `path` only names it.
pub fn verify_bundle_from<R: Read + io::Seek>(
    path: &Path,
    reader: R,
) -> Result<BundleReport, BundleError> {
    let mut zip = ZipArchive::new(reader).map_err(|e| BundleError::NotZip {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let mut report = BundleReport {
        path: path.to_owned(),
        manifest: None,
        entries_checked: 0,
        bytes_checked: 0,
        problems: Vec::new(),
    };
    let names = entry_names(&mut zip, path)?;
    let Some(manifest_index) = names
        .iter()
        .position(|n| n.as_ref().is_some_and(|n| n.name == MANIFEST_ENTRY))
    else {
        return Err(BundleError::NotABundle {
            path: path.to_owned(),
            reason: format!("it has no {MANIFEST_ENTRY}"),
        });
    };
    let manifest = match read_manifest(&mut zip, manifest_index, names[manifest_index].as_ref()) {
        Ok(manifest) => manifest,
        Err(ManifestError::Foreign(reason)) => {
            return Err(BundleError::NotABundle {
                path: path.to_owned(),
                reason,
            });
        }
        Err(ManifestError::Broken(reason)) => {
            report.problems.push(BundleProblem::Manifest { reason });
            return Ok(report);
        }
    };
    check_entries(&mut zip, &names, manifest_index, &manifest, &mut report);
    check_promised_parts(&manifest, &mut report.problems);
    check_record(&mut zip, &names, &manifest, &mut report.problems);
    report.manifest = Some(manifest);
    Ok(report)
}

/// Hashes every entry the manifest lists (never more bytes than it lists)
/// and compares; names entries that are extra, doubled or missing.
fn check_entries<R: Read + io::Seek>(
    zip: &mut ZipArchive<R>,
    names: &[Option<EntryName>],
    manifest_index: usize,
    manifest: &Manifest,
    report: &mut BundleReport,
) {
    let mut listed: HashMap<&str, &ManifestEntry> = HashMap::new();
    for entry in &manifest.entries {
        if listed.insert(entry.path.as_str(), entry).is_some() {
            report.problems.push(BundleProblem::Manifest {
                reason: format!("it lists {} twice", entry.path),
            });
        }
    }
    let mut seen = HashSet::new();
    for (index, name) in names.iter().enumerate() {
        let Some(EntryName { name, declared }) = name else {
            continue;
        };
        if !seen.insert(name.clone()) {
            report.problems.push(BundleProblem::Duplicate {
                entry: name.clone(),
            });
            continue;
        }
        if index == manifest_index {
            continue;
        }
        // An entry the manifest does not list is not read at all.
        let Some(entry) = listed.get(name.as_str()) else {
            report.problems.push(BundleProblem::Extra {
                entry: name.clone(),
            });
            continue;
        };
        // The zip's own size is checked before a byte is inflated: a bomb
        // that declares gigabytes is refused unread.
        if *declared > limit_of(&entry.kind) {
            report.problems.push(BundleProblem::Unreadable {
                entry: name.clone(),
                reason: too_large(*declared, limit_of(&entry.kind)),
            });
            continue;
        }
        if *declared != entry.size {
            report.problems.push(BundleProblem::Changed {
                entry: name.clone(),
                expected: (entry.sha256.clone(), entry.size),
                found: ("(not read)".to_owned(), *declared),
            });
            continue;
        }
        let (sha256, size) = match hash_entry(zip, index, entry.size) {
            Ok(h) => h,
            Err(reason) => {
                report.problems.push(BundleProblem::Unreadable {
                    entry: name.clone(),
                    reason,
                });
                continue;
            }
        };
        report.entries_checked += 1;
        report.bytes_checked += size;
        if entry.sha256 != sha256 || entry.size != size {
            report.problems.push(BundleProblem::Changed {
                entry: name.clone(),
                expected: (entry.sha256.clone(), entry.size),
                found: (sha256, size),
            });
        }
    }
    for entry in &manifest.entries {
        if !seen.contains(&entry.path) {
            report.problems.push(BundleProblem::Missing {
                entry: entry.path.clone(),
            });
        }
    }
}

/// The folder of the signature files (`signature` entries): statements,
/// `.sig` files, `allowed_signers` and a README.
pub const SIGNATURES_DIR: &str = "signatures/";

/// The documents every bundle of this manifest version holds, by kind.
const PROMISED_DOCUMENTS: [(&str, &str); 4] = [
    ("report", REPORT_ENTRY),
    ("record", RECORD_ENTRY),
    ("oscal", OSCAL_ENTRY),
    ("csv", CSV_ENTRY),
];

/// What a manifest of this version promises: each of the four documents
/// under its own name, and every evidence and attachment entry naming the
/// evidence file or attachment of the record it holds.
fn check_promised_parts(manifest: &Manifest, problems: &mut Vec<BundleProblem>) {
    for (kind, path) in PROMISED_DOCUMENTS {
        if !manifest
            .entries
            .iter()
            .any(|e| e.path == path && e.kind == kind)
        {
            problems.push(BundleProblem::Promised {
                part: path.to_owned(),
                reason: format!(
                    "every bundle holds it (kind {kind}), but the manifest does not list it"
                ),
            });
        }
    }
    for entry in &manifest.entries {
        let reason = match entry.kind.as_str() {
            "evidence" if entry.evidence_file.is_none() => {
                "an evidence entry, but the manifest names no evidence file for it"
            }
            "attachment" if entry.attachment.is_none() => {
                "an attachment entry, but the manifest names no attachment for it"
            }
            "evidence" | "attachment" => continue,
            "signature" if entry.path.starts_with(SIGNATURES_DIR) => continue,
            kind if PROMISED_DOCUMENTS
                .iter()
                .any(|(k, path)| *k == kind && entry.path == *path) =>
            {
                continue;
            }
            _ => "an entry of a kind or name this manifest version does not have",
        };
        problems.push(BundleProblem::Promised {
            part: entry.path.clone(),
            reason: reason.to_owned(),
        });
    }
}

/// An entry's name and the uncompressed size the zip declares for it.
struct EntryName {
    name: String,
    declared: u64,
}

/// The name and declared size of every entry, `None` for directories.
fn entry_names<R: Read + io::Seek>(
    zip: &mut ZipArchive<R>,
    path: &Path,
) -> Result<Vec<Option<EntryName>>, BundleError> {
    (0..zip.len())
        .map(|index| {
            let entry = zip.by_index_raw(index).map_err(|e| BundleError::NotZip {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            Ok(
                (!(entry.is_dir() && entry.size() == 0)).then_some(EntryName {
                    name,
                    declared: entry.size(),
                }),
            )
        })
        .collect()
}

enum ManifestError {
    /// JSON, but another format or version: not our bundle.
    Foreign(String),
    /// Unreadable or not JSON: damaged.
    Broken(String),
}

/// The bytes of entry `index`: refused unread when the zip declares more
/// than `limit` bytes, and never read past what it declares (a stream that
/// inflates to more is an error, not a larger buffer).
fn read_capped<R: Read + io::Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    declared: u64,
    limit: u64,
) -> Result<Vec<u8>, String> {
    if declared > limit {
        return Err(too_large(declared, limit));
    }
    let mut bytes = Vec::new();
    zip.by_index(index)
        .map_err(|e| e.to_string())?
        .take(declared + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read ({e})"))?;
    if bytes.len() as u64 > declared {
        return Err(format!(
            "it inflates to more than the {declared} bytes the zip declares"
        ));
    }
    Ok(bytes)
}

fn too_large(declared: u64, limit: u64) -> String {
    format!("the zip declares {declared} bytes, more than the {limit} bytes Tickmark reads from it")
}

/// The most bytes read from an entry of `kind`.
fn limit_of(kind: &str) -> u64 {
    match kind {
        "record" => MAX_RECORD_BYTES,
        "evidence" | "attachment" => crate::evidence::MAX_FILE_BYTES,
        _ => MAX_DOCUMENT_BYTES,
    }
}

fn read_manifest<R: Read + io::Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    name: Option<&EntryName>,
) -> Result<Manifest, ManifestError> {
    let declared = name.map_or(0, |n| n.declared);
    let bytes =
        read_capped(zip, index, declared, MAX_MANIFEST_BYTES).map_err(ManifestError::Broken)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ManifestError::Broken(format!("is not valid JSON ({e})")))?;
    let format = value.get("format").and_then(|f| f.as_str());
    if format != Some(MANIFEST_FORMAT) {
        return Err(ManifestError::Foreign(format!(
            "{MANIFEST_ENTRY} says format {}",
            format.unwrap_or("(none)")
        )));
    }
    let version = value.get("manifest_version").and_then(|v| v.as_u64());
    if version != Some(u64::from(MANIFEST_VERSION)) {
        return Err(ManifestError::Foreign(format!(
            "manifest version {} (this Tickmark reads version {MANIFEST_VERSION})",
            version.map_or_else(|| "(none)".to_owned(), |v| v.to_string())
        )));
    }
    serde_json::from_value(value)
        .map_err(|e| ManifestError::Broken(format!("does not have the manifest's shape ({e})")))
}

/// SHA-256 and size of an entry's bytes, read in chunks, never more than
/// one byte past `expected` (the size the manifest lists).
fn hash_entry<R: Read + io::Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    expected: u64,
) -> Result<(String, u64), String> {
    let entry = zip.by_index(index).map_err(|e| e.to_string())?;
    let mut entry = entry.take(expected.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = entry.read(&mut buffer).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// Cross-checks the manifest against the bundled record: the record must be
/// there, readable and within [`MAX_RECORD_BYTES`]; the assessment and the
/// chain head are the manifest's; every evidence file and attachment the
/// record lists has its entry, with the SHA-256 the record gives it, and
/// every entry is one the record lists.
fn check_record<R: Read + io::Seek>(
    zip: &mut ZipArchive<R>,
    names: &[Option<EntryName>],
    manifest: &Manifest,
    problems: &mut Vec<BundleProblem>,
) {
    let Some((index, declared)) = names.iter().enumerate().find_map(|(i, n)| {
        n.as_ref()
            .filter(|n| n.name == RECORD_ENTRY)
            .map(|n| (i, n.declared))
    }) else {
        problems.push(BundleProblem::Record {
            reason: "it is not in the bundle, so nothing can be checked against it".to_owned(),
        });
        return;
    };
    let record = match read_capped(zip, index, declared, MAX_RECORD_BYTES)
        .and_then(|bytes| json::parse(&bytes).map_err(|e| e.to_string()))
    {
        Ok(record) => record,
        Err(reason) => {
            problems.push(BundleProblem::Record { reason });
            return;
        }
    };
    let mut problem = |reason: String| problems.push(BundleProblem::Record { reason });
    if record.chain_head != manifest.chain_head {
        problem("its chain head differs from the manifest's".to_owned());
    }
    let a = &record.assessment;
    let m = &manifest.assessment;
    if (a.id, &a.name, &a.cluster, &a.catalog_id) != (m.id, &m.name, &m.cluster, &m.catalog) {
        problem(format!(
            "it is the record of assessment #{} \"{}\", the manifest says #{} \"{}\"",
            a.id, a.name, m.id, m.name
        ));
    }
    let files: BTreeMap<i64, &str> = record
        .files
        .iter()
        .map(|f| (f.id, f.provenance.sha256.as_str()))
        .collect();
    let attachments: BTreeMap<i64, &str> = record
        .requirements
        .iter()
        .flat_map(|r| r.attachments.iter())
        .map(|a| (a.id, a.sha256.as_str()))
        .collect();
    let mut bundled_files = HashSet::new();
    let mut bundled_attachments = HashSet::new();
    for entry in &manifest.entries {
        let (what, recorded) = match (entry.kind.as_str(), entry.evidence_file, entry.attachment) {
            ("evidence", Some(id), _) => {
                bundled_files.insert(id);
                (format!("evidence file #{id}"), files.get(&id))
            }
            ("attachment", _, Some(id)) => {
                bundled_attachments.insert(id);
                (format!("attachment #{id}"), attachments.get(&id))
            }
            _ => continue,
        };
        match recorded {
            Some(sha) if *sha == entry.sha256 => {}
            Some(sha) => problem(format!(
                "it gives {} ({what}) SHA-256 {sha}, the manifest {}",
                entry.path, entry.sha256
            )),
            None => problem(format!("it does not list {} ({what})", entry.path)),
        }
    }
    // Files the manifest says it leaves out (purged, sensitive data not
    // reviewed) are accounted for, with the hash the record gives them.
    for withheld in &manifest.withheld {
        let (id, recorded, bundled) = match (withheld.evidence_file, withheld.attachment) {
            (Some(id), _) => (id, files.get(&id), &mut bundled_files),
            (_, Some(id)) => (id, attachments.get(&id), &mut bundled_attachments),
            _ => continue,
        };
        match recorded {
            Some(sha) if *sha == withheld.sha256 => {
                bundled.insert(id);
            }
            _ => problem(format!(
                "the manifest withholds {} (#{id}) with SHA-256 {}, which the record does not give it",
                withheld.name, withheld.sha256
            )),
        }
    }
    for id in files.keys().filter(|id| !bundled_files.contains(id)) {
        problem(format!(
            "it lists evidence file #{id}, which the bundle does not hold"
        ));
    }
    for id in attachments
        .keys()
        .filter(|id| !bundled_attachments.contains(id))
    {
        problem(format!(
            "it lists attachment #{id}, which the bundle does not hold"
        ));
    }
}
