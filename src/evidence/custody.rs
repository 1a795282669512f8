//! Chain of custody: the collection manifest `tickmark collect` (or its
//! script) writes beside the files it collects, and what an import learns
//! from it about each file — how, when, by whom and against which
//! subscription and cluster it was collected, and whether its bytes are
//! still the ones collected.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ImportContext, ImportError, Recognised, display_path, sha256_hex};
use crate::evidence::Format;

/// The manifest's file name in a collected folder.
pub const MANIFEST_FILE: &str = "collection-manifest.json";

/// The first key of every manifest; its value is the manifest's version.
pub const MANIFEST_KEY: &str = "tickmark_collection_manifest";

/// The manifest version this build writes and reads.
pub const MANIFEST_VERSION: u32 = 1;

/// How a collection went, step by step: the manifest file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionManifest {
    /// [`MANIFEST_VERSION`].
    pub tickmark_collection_manifest: u32,
    /// What wrote it: `tickmark collect 0.1.0`, or the script and the
    /// version that printed it.
    pub generator: String,
    /// The `tickmark collect` command line that ran (or printed) the plan.
    pub command_line: String,
    /// The plan that was followed.
    pub plan: PlanRef,
    /// The parameters given.
    pub parameters: Parameters,
    /// The account, tenant and cluster context in use, as the tools named them.
    pub context: CollectionContext,
    /// Tool → version (`az` → `2.67.0`, `kubectl` → `v1.31.2`); `null`
    /// when the tool did not say.
    pub tools: BTreeMap<String, Option<String>>,
    /// The operating-system user who ran it.
    pub os_user: String,
    /// When the collection started (RFC 3339, UTC, seconds).
    pub started_at: String,
    /// When it ended.
    pub finished_at: String,
    /// `complete`, or `partial` when a step failed or timed out.
    pub outcome: String,
    /// The IDs of the steps that failed or timed out.
    pub failures: Vec<String>,
    /// Checks on the discovered values that did not hold.
    pub warnings: Vec<String>,
    /// Every step of the plan that `tickmark collect` runs, in order.
    pub steps: Vec<StepRecord>,
}

/// The plan a manifest followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRef {
    /// The plan's ID.
    pub id: String,
    /// Its version.
    pub version: u32,
}

/// The parameters of a collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameters {
    /// The subscription (ID or name) as given.
    pub subscription: String,
    /// The cluster's resource group.
    pub resource_group: String,
    /// The cluster's name.
    pub cluster: String,
    /// The Kubernetes context, if one was given.
    pub kube_context: Option<String>,
}

/// Who collected, against what.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionContext {
    /// The subscription's ID.
    pub subscription_id: Option<String>,
    /// The subscription's name.
    pub subscription_name: Option<String>,
    /// The tenant's ID.
    pub tenant_id: Option<String>,
    /// The signed-in principal as `az account show` names it.
    pub principal: Option<String>,
    /// `user` or `servicePrincipal`.
    pub principal_type: Option<String>,
    /// The Kubernetes context used.
    pub kube_context: Option<String>,
    /// That context's API server.
    pub kube_server: Option<String>,
    /// The cluster's Azure resource ID.
    pub cluster_id: Option<String>,
}

/// How one step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// It ran and succeeded.
    Ok,
    /// It succeeded but returned an empty list; no file was written.
    Empty,
    /// It exited with an error.
    Failed,
    /// It was stopped at its time limit.
    TimedOut,
    /// The cluster does not have what it asks for (e.g. an operator that is
    /// not installed).
    Unavailable,
    /// It was not run (a value it needs was not found).
    Skipped,
}

impl StepStatus {
    /// The ID as written in the manifest.
    pub fn id(self) -> &'static str {
        match self {
            StepStatus::Ok => "ok",
            StepStatus::Empty => "empty",
            StepStatus::Failed => "failed",
            StepStatus::TimedOut => "timed_out",
            StepStatus::Unavailable => "unavailable",
            StepStatus::Skipped => "skipped",
        }
    }

    /// True for the outcomes that make a collection partial.
    pub fn is_failure(self) -> bool {
        matches!(self, StepStatus::Failed | StepStatus::TimedOut)
    }
}

/// One step as it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The plan step's ID.
    pub id: String,
    /// `az` or `kubectl`.
    pub tool: String,
    /// The exact command line (POSIX shell quoting); absent when skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// How it went.
    pub status: StepStatus,
    /// When it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// The exit code (absent when stopped at the time limit or not run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The file written, relative to the manifest's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The file's SHA-256 as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The file's size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// What a discovery found: name → value (a list for list variables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, Value>>,
    /// The error output of a failed, timed-out or unavailable step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
    /// Why it was skipped, or what an empty or unavailable result means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What the collection manifest says about one evidence file, and whether
/// the file is still what was collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Custody {
    /// The manifest, as imported.
    pub manifest: String,
    /// The manifest's SHA-256.
    pub manifest_sha256: String,
    /// The plan step that produced the file.
    pub step: String,
    /// The exact command line.
    pub command: String,
    /// The tool (`az`, `kubectl`).
    pub tool: String,
    /// Its version.
    pub tool_version: Option<String>,
    /// When the command started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended: the time the evidence describes.
    pub collected_at: DateTime<Utc>,
    /// Its exit code.
    pub exit_code: Option<i32>,
    /// The signed-in principal (`az account show`).
    pub principal: Option<String>,
    /// `user` or `servicePrincipal`.
    pub principal_type: Option<String>,
    /// The operating-system user who ran the collection.
    pub os_user: String,
    /// The subscription's ID.
    pub subscription_id: Option<String>,
    /// The tenant's ID.
    pub tenant_id: Option<String>,
    /// The Kubernetes context (for kubectl files).
    pub kube_context: Option<String>,
    /// The cluster's Azure resource ID.
    pub cluster_id: Option<String>,
    /// The SHA-256 the manifest recorded for the file.
    pub collected_sha256: String,
    /// True if the file's bytes no longer have that SHA-256: it was changed
    /// after it was collected.
    pub modified: bool,
}

impl Custody {
    /// "collected by P (user) on 2026-11-20 09:14 UTC with `az ...`" style
    /// one-line summary.
    pub fn summary(&self) -> String {
        let by = self.collected_by();
        let mut text = format!(
            "collected {} by {by} with {}",
            self.collected_at.format("%Y-%m-%d %H:%M UTC"),
            self.tool_and_version()
        );
        if self.modified {
            text.push_str(
                "; MODIFIED after collection (its SHA-256 is not the one the manifest recorded)",
            );
        }
        text
    }

    /// Who collected: the principal (and the OS user), or the OS user.
    pub fn collected_by(&self) -> String {
        match &self.principal {
            Some(principal) => format!("{principal} (OS user {})", self.os_user),
            None => format!("OS user {}", self.os_user),
        }
    }

    /// `az 2.67.0`, or the tool alone when its version is unknown.
    pub fn tool_and_version(&self) -> String {
        match &self.tool_version {
            Some(version) => format!("{} {version}", self.tool),
            None => self.tool.clone(),
        }
    }
}

/// Parses a time as written in a manifest.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A time as written in a manifest: RFC 3339, UTC, whole seconds.
pub fn manifest_time(time: &DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Reads a manifest document that was recognised by its first key.
pub(crate) fn read_manifest(
    ctx: ImportContext<'_>,
    root: &Value,
) -> Option<Result<Recognised, ImportError>> {
    let version = root.as_object()?.get(MANIFEST_KEY)?;
    let fail = |pointer: &str, message: String| {
        Err(ImportError::invalid(
            ctx.path,
            "Tickmark collection manifest",
            pointer,
            message,
        ))
    };
    if version.as_u64() != Some(u64::from(MANIFEST_VERSION)) {
        return Some(fail(
            &format!("/{MANIFEST_KEY}"),
            format!("manifest version {version}; this Tickmark reads version {MANIFEST_VERSION}"),
        ));
    }
    let manifest: CollectionManifest = match serde_json::from_value(root.clone()) {
        Ok(manifest) => manifest,
        Err(e) => return Some(fail("", e.to_string())),
    };
    let mut recognised = Recognised::new(Format::CollectionManifest);
    let (tool, version) = match manifest.generator.rsplit_once(' ') {
        Some((tool, version)) if version.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
            (tool.to_owned(), Some(version.to_owned()))
        }
        _ => (manifest.generator.clone(), None),
    };
    recognised = recognised.tool(tool, version);
    let files = manifest
        .steps
        .iter()
        .filter(|s| s.file.is_some() && s.sha256.is_some())
        .count();
    recognised.notes.push(format!(
        "collection of {} by {} from {} to {}: {files} file(s), {}",
        manifest.parameters.cluster,
        manifest
            .context
            .principal
            .as_deref()
            .unwrap_or(&manifest.os_user),
        manifest.started_at,
        manifest.finished_at,
        if manifest.failures.is_empty() {
            "every step succeeded".to_owned()
        } else {
            format!("failed: {}", manifest.failures.join(", "))
        }
    ));
    recognised
        .notes
        .extend(manifest.warnings.iter().map(|w| format!("warning: {w}")));
    Some(Ok(recognised))
}

/// The collection manifests among the files of an import, for looking up
/// each file's custody.
#[derive(Debug, Clone, Default)]
pub struct CustodyIndex {
    manifests: Vec<FoundManifest>,
}

#[derive(Debug, Clone)]
struct FoundManifest {
    /// The folder the manifest's paths are relative to.
    folder: PathBuf,
    /// The manifest as imported (shown path).
    shown: String,
    sha256: String,
    manifest: CollectionManifest,
}

/// Manifests larger than this are not looked at (a real one is a few KiB).
const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;

impl CustodyIndex {
    /// Finds the collection manifests among `files` by their content (the
    /// first key of a JSON object) and reads them. Files that cannot be
    /// read, or manifests that do not parse, are left out here; importing
    /// them reports why.
    pub fn scan(files: &[PathBuf]) -> CustodyIndex {
        let mut index = CustodyIndex::default();
        for path in files {
            if !starts_like_manifest(path) {
                continue;
            }
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            let Ok(manifest) = serde_json::from_slice::<CollectionManifest>(&bytes) else {
                continue;
            };
            index.manifests.push(FoundManifest {
                folder: path.parent().map(Path::to_owned).unwrap_or_default(),
                shown: display_path(path),
                sha256: sha256_hex(&bytes),
                manifest,
            });
        }
        index
    }

    /// True if no manifest was found.
    pub fn is_empty(&self) -> bool {
        self.manifests.is_empty()
    }

    /// The custody of file `path` whose bytes have SHA-256 `sha256`: what
    /// the manifest of its folder (or a folder above) recorded for it.
    pub fn custody(&self, path: &Path, sha256: &str) -> Option<Custody> {
        self.manifests.iter().find_map(|found| {
            let relative = display_path(path.strip_prefix(&found.folder).ok()?);
            let step = found
                .manifest
                .steps
                .iter()
                .find(|s| s.file.as_deref() == Some(relative.as_str()))?;
            custody_of(found, step, sha256)
        })
    }

    /// Records on `file` (read from `path`) what the manifests say: its
    /// custody, or, for a manifest, the files it lists that are not among
    /// `batch` (the files imported with it).
    pub fn apply(&self, path: &Path, file: &mut super::ImportedFile, batch: &[PathBuf]) {
        let provenance = &mut file.provenance;
        if provenance.format == Format::CollectionManifest {
            provenance.notes.extend(self.missing_files(path, batch));
        } else {
            provenance.custody = self.custody(path, &provenance.sha256);
        }
    }

    /// What the manifest at `path` lists that is not among `files` (the
    /// files of the same import), one note per missing file.
    pub fn missing_files(&self, path: &Path, files: &[PathBuf]) -> Vec<String> {
        let shown = display_path(path);
        let Some(found) = self.manifests.iter().find(|m| m.shown == shown) else {
            return Vec::new();
        };
        found
            .manifest
            .steps
            .iter()
            .filter(|s| s.status == StepStatus::Ok)
            .filter_map(|s| s.file.as_deref())
            .filter(|file| !files.iter().any(|f| *f == found.folder.join(file)))
            .map(|file| format!("the manifest lists {file}, which is not in this import"))
            .collect()
    }
}

fn custody_of(found: &FoundManifest, step: &StepRecord, sha256: &str) -> Option<Custody> {
    let manifest = &found.manifest;
    let collected_sha256 = step.sha256.clone()?;
    let context = &manifest.context;
    Some(Custody {
        manifest: found.shown.clone(),
        manifest_sha256: found.sha256.clone(),
        step: step.id.clone(),
        command: step.command.clone().unwrap_or_default(),
        tool: step.tool.clone(),
        tool_version: manifest.tools.get(&step.tool).cloned().flatten(),
        started_at: step.started_at.as_deref().and_then(parse_time),
        collected_at: step
            .finished_at
            .as_deref()
            .and_then(parse_time)
            .or_else(|| parse_time(&manifest.finished_at))?,
        exit_code: step.exit_code,
        principal: context.principal.clone(),
        principal_type: context.principal_type.clone(),
        os_user: manifest.os_user.clone(),
        subscription_id: context.subscription_id.clone(),
        tenant_id: context.tenant_id.clone(),
        kube_context: (step.tool == "kubectl")
            .then(|| context.kube_context.clone())
            .flatten(),
        cluster_id: context.cluster_id.clone(),
        modified: !collected_sha256.eq_ignore_ascii_case(sha256),
        collected_sha256,
    })
}

/// True if the file starts (after a BOM and white space) with a JSON object
/// whose first key is [`MANIFEST_KEY`].
fn starts_like_manifest(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() || meta.len() > MAX_MANIFEST_BYTES {
        return false;
    }
    let mut head = [0u8; 256];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let read = file.read(&mut head).unwrap_or(0);
    let text = String::from_utf8_lossy(&head[..read]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.strip_prefix('{')
        .map(str::trim_start)
        .is_some_and(|rest| rest.starts_with(&format!("\"{MANIFEST_KEY}\"")))
}
