//! Evidence: bytes → typed evidence, with provenance.
//!
//! [`import_bytes`] detects a file's format from its content (never from its
//! name), splits files that hold many resources, and returns typed items that
//! each keep a pointer back to where they came from. The families live in
//! their own modules: [`azure`] (az CLI and ARM), [`k8s`] (kubectl) and
//! [`scans`] (scanner and policy outputs).

pub mod arm;
pub mod azure;
pub mod custody;
mod error;
mod field;
mod format;
pub mod jsonc;
pub mod k8s;
pub mod node;
pub mod scans;
pub mod scope_file;
pub mod text;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use error::{ImportError, ImportErrorKind};
pub use field::Field;
pub use format::Format;

/// Files larger than this are refused with a clear error rather than read.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Where a piece of evidence is: the file, a JSON pointer (`doc N /pointer`
/// in a YAML stream of several documents, `line N` or `row N` for line-based
/// and CSV formats), and the resource it describes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EvidenceRef {
    /// The file, as it was imported.
    pub path: String,
    /// A JSON pointer (`/value/0/properties`), `doc N /pointer`, `line N`
    /// or `row N` (CSV records, the header being row 1).
    pub pointer: String,
    /// The resource: an ARM resource ID, `namespace/Kind/name`, an image...
    pub resource: Option<String>,
}

/// Where an imported file came from and what it was found to be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The file, as it was imported.
    pub path: String,
    /// SHA-256 of the exact bytes, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The detected format.
    pub format: Format,
    /// The tool that wrote it, where the file says (e.g. `Trivy`).
    pub tool: Option<String>,
    /// The tool's version, where the file says.
    pub tool_version: Option<String>,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
    /// What else the importer wants a reviewer to know (skipped resources...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// How, when and by whom it was collected, from the collection manifest
    /// imported with it (see [`custody`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custody: Option<custody::Custody>,
}

/// All typed evidence of one or more files.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// Azure resources.
    pub azure: azure::AzureEvidence,
    /// Kubernetes objects.
    pub k8s: k8s::K8sEvidence,
    /// Scanner, policy and runtime findings.
    pub scans: scans::ScanEvidence,
    /// What scope files declare (scope and allowed flows).
    #[serde(default)]
    pub scope: scope_file::ScopeFileEvidence,
}

impl Evidence {
    /// Moves everything of `other` into `self`.
    pub fn extend(&mut self, other: Evidence) {
        self.azure.extend(other.azure);
        self.k8s.extend(other.k8s);
        self.scans.extend(other.scans);
        self.scope.extend(other.scope);
    }
}

/// One file, imported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportedFile {
    /// What the file is and where it came from.
    pub provenance: Provenance,
    /// What it says.
    pub evidence: Evidence,
}

/// The evidence of an assessment: the files and what they say, merged.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EvidenceSet {
    /// Every imported file, in import order.
    pub files: Vec<Provenance>,
    /// Their typed evidence, merged.
    pub evidence: Evidence,
}

impl EvidenceSet {
    /// Adds an imported file.
    pub fn add(&mut self, file: ImportedFile) {
        self.files.push(file.provenance);
        self.evidence.extend(file.evidence);
    }
}

/// What an importer tells the dispatcher about a file it recognised.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognised {
    /// The format.
    pub format: Format,
    /// The tool, where the file says.
    pub tool: Option<String>,
    /// The tool version, where the file says.
    pub tool_version: Option<String>,
    /// Notes for the reviewer (skipped items and the like).
    pub notes: Vec<String>,
}

impl Recognised {
    /// A recognised format with no tool information.
    pub fn new(format: Format) -> Self {
        Recognised {
            format,
            tool: None,
            tool_version: None,
            notes: Vec::new(),
        }
    }

    /// Adds the tool and its version.
    pub fn tool(mut self, tool: impl Into<String>, version: Option<String>) -> Self {
        self.tool = Some(tool.into());
        self.tool_version = version;
        self
    }
}

/// What an importer needs to know about the file it reads.
#[derive(Debug, Clone, Copy)]
pub struct ImportContext<'a> {
    /// The file, as the user named it.
    pub path: &'a str,
}

impl ImportContext<'_> {
    /// A pointer into this file.
    pub fn at(&self, pointer: impl Into<String>, resource: Option<String>) -> EvidenceRef {
        EvidenceRef {
            path: self.path.to_owned(),
            pointer: pointer.into(),
            resource,
        }
    }

    /// An error about this file.
    pub fn error(&self, kind: ImportErrorKind, message: impl Into<String>) -> ImportError {
        ImportError::new(self.path, kind, message)
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Detects the format of `bytes` and reads its evidence.
///
/// `path` is used only to name the file in provenance, pointers and errors.
pub fn import_bytes(
    path: &str,
    bytes: &[u8],
    imported_at: DateTime<Utc>,
) -> Result<ImportedFile, ImportError> {
    let ctx = ImportContext { path };
    let mut evidence = Evidence::default();
    let (recognised, sha256) =
        read_and_hash(bytes, |bytes| detect_and_read(ctx, bytes, &mut evidence));
    let recognised = recognised?;
    Ok(ImportedFile {
        provenance: Provenance {
            path: path.to_owned(),
            sha256,
            size: bytes.len() as u64,
            format: recognised.format,
            tool: recognised.tool,
            tool_version: recognised.tool_version,
            imported_at,
            notes: recognised.notes,
            custody: None,
        },
        evidence,
    })
}

/// Files at least this large are hashed on a second thread while they are
/// read: SHA-256 takes about half as long as streaming a kubectl list, and
/// starting a thread costs far less than hashing a megabyte.
const PARALLEL_HASH_BYTES: usize = 1024 * 1024;

/// Runs `read` on `bytes` and computes their SHA-256, in parallel for large
/// inputs (falling back to one after the other if no thread can be started).
fn read_and_hash<T>(bytes: &[u8], read: impl FnOnce(&[u8]) -> T) -> (T, String) {
    if bytes.len() < PARALLEL_HASH_BYTES {
        return (read(bytes), sha256_hex(bytes));
    }
    std::thread::scope(|scope| {
        let hasher = std::thread::Builder::new()
            .name("sha256".into())
            .spawn_scoped(scope, || sha256_hex(bytes));
        let result = read(bytes);
        let sha256 = match hasher.map(|handle| handle.join()) {
            Ok(Ok(sha256)) => sha256,
            _ => sha256_hex(bytes),
        };
        (result, sha256)
    })
}

fn detect_and_read(
    ctx: ImportContext<'_>,
    bytes: &[u8],
    out: &mut Evidence,
) -> Result<Recognised, ImportError> {
    if let Some(document) = document_kind(bytes) {
        return Ok(Recognised {
            notes: vec![format!(
                "{document} document; kept as an attachment, not evaluated"
            )],
            ..Recognised::new(Format::Attachment)
        });
    }
    let (text, _encoding) = text::decode(bytes).map_err(|e| {
        let kind = match e {
            text::TextError::Empty => ImportErrorKind::Empty,
            _ => ImportErrorKind::Binary,
        };
        ctx.error(kind, e.to_string())
    })?;
    match text::first_significant_char(&text) {
        Some('{') | Some('[') => read_json_text(ctx, &text, out),
        _ => read_other_text(ctx, &text, out),
    }
}

/// PNG, JPEG and PDF are documents that reviewers attach; they are recognised
/// by their magic bytes.
pub fn document_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("PNG image")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("JPEG image")
    } else if bytes.starts_with(b"%PDF-") {
        Some("PDF")
    } else {
        None
    }
}

fn read_json_text(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut Evidence,
) -> Result<Recognised, ImportError> {
    if let Some(result) = k8s::read_large_json(ctx, text, &mut out.k8s) {
        return result;
    }
    let stripped = jsonc::strip_comments(text);
    let json_text = stripped.as_deref().unwrap_or(text);
    let root: Value = match serde_json::from_str(json_text) {
        Ok(root) => root,
        Err(e) => {
            // ARM templates may break a long string over several lines.
            if let Some(root) = jsonc::escape_control_chars_in_strings(json_text)
                .and_then(|escaped| serde_json::from_str::<Value>(&escaped).ok())
            {
                return read_json_value(ctx, &root, out);
            }
            if let Some(result) = scans::read_json_lines(ctx, text, &mut out.scans) {
                return result;
            }
            return Err(json_syntax_error(ctx.path, "JSON", &e));
        }
    };
    read_json_value(ctx, &root, out)
}

/// A serde_json syntax error as an [`ImportError`] naming line and column.
pub fn json_syntax_error(path: &str, format: &str, e: &serde_json::Error) -> ImportError {
    ImportError::syntax(path, format, e.line(), e.column(), error::json_message(e))
}

/// Reads a parsed JSON (or YAML) document of any known format.
pub fn read_json_value(
    ctx: ImportContext<'_>,
    root: &Value,
    out: &mut Evidence,
) -> Result<Recognised, ImportError> {
    if let Some(result) = custody::read_manifest(ctx, root) {
        return result;
    }
    if let Some(result) = scans::read_json(ctx, root, &mut out.scans) {
        return result;
    }
    if let Some(result) = k8s::read_json(ctx, root, &mut out.k8s) {
        return result;
    }
    if let Some((shape, resources)) = arm::resources(root) {
        return read_arm(ctx, shape, &resources, out);
    }
    Err(not_recognised(ctx, root))
}

fn read_arm(
    ctx: ImportContext<'_>,
    shape: arm::ArmShape,
    resources: &[arm::ArmResource<'_>],
    out: &mut Evidence,
) -> Result<Recognised, ImportError> {
    let mut formats = Vec::new();
    let mut skipped: std::collections::BTreeMap<&str, usize> = Default::default();
    for resource in resources {
        let format = match azure::read_resource(ctx, resource, &mut out.azure)? {
            Some(format) => Some(format),
            None => scans::read_arm_resource(ctx, resource, &mut out.scans)?,
        };
        match format {
            Some(format) => formats.push(format),
            None => *skipped.entry(resource.resource_type.as_str()).or_default() += 1,
        }
    }
    formats.sort();
    formats.dedup();
    let format = match (shape, formats.as_slice()) {
        (arm::ArmShape::Template, _) => Format::ArmTemplate,
        (_, [one]) => *one,
        (_, []) if resources.is_empty() => {
            return Err(ctx
                .error(
                    ImportErrorKind::NotRecognised,
                    "an empty ARM list: there are no resources to read",
                )
                .tried("Azure resource list"));
        }
        (_, []) => {
            let types: Vec<&str> = skipped.keys().copied().collect();
            return Err(ctx
                .error(
                    ImportErrorKind::NotRecognised,
                    format!(
                        "Azure resources of types Tickmark does not evaluate: {}",
                        types.join(", ")
                    ),
                )
                .tried("Azure resources"));
        }
        _ => Format::AzureResources,
    };
    let mut recognised = Recognised::new(format);
    recognised.tool = Some(
        match shape {
            arm::ArmShape::Template => "ARM template",
            arm::ArmShape::RestList => "ARM REST API",
            arm::ArmShape::Wrapped => "Kubescape cluster describe",
            _ => "Azure",
        }
        .to_owned(),
    );
    for (resource_type, count) in skipped {
        recognised.notes.push(format!(
            "{count} resource(s) of type {resource_type} not evaluated"
        ));
    }
    recognised.notes.extend(scans::import_notes(&out.scans));
    Ok(recognised)
}

fn read_other_text(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut Evidence,
) -> Result<Recognised, ImportError> {
    if let Some(result) = scope_file::read(ctx, text, &mut out.scope) {
        return result;
    }
    if let Some(result) = scans::read_text(ctx, text, &mut out.scans) {
        return result;
    }
    if let Some(result) = k8s::read_yaml(ctx, text, out) {
        return result;
    }
    Ok(Recognised {
        notes: vec!["text document; kept as an attachment, not evaluated".to_owned()],
        ..Recognised::new(Format::Attachment)
    })
}

fn not_recognised(ctx: ImportContext<'_>, root: &Value) -> ImportError {
    let described = match root {
        Value::Object(map) => {
            let keys: Vec<&str> = map.keys().take(8).map(String::as_str).collect();
            format!(
                "valid JSON, but not a format Tickmark knows (top-level keys: {})",
                keys.join(", ")
            )
        }
        Value::Array(items) => format!(
            "valid JSON, but not a format Tickmark knows (an array of {} item(s))",
            items.len()
        ),
        _ => "valid JSON, but not a format Tickmark knows".to_owned(),
    };
    ctx.error(ImportErrorKind::NotRecognised, described)
}

/// The files found below some paths, and the paths that could not be walked.
#[derive(Debug, Default)]
pub struct Walked {
    /// The files to import, in order.
    pub files: Vec<PathBuf>,
    /// What could not be read or is not a file: a missing path, a broken
    /// or looping symbolic link, a FIFO or device, a folder with no files.
    pub errors: Vec<ImportError>,
}

/// Expands directories into the files below them (sorted, hidden files and
/// directories skipped); files are kept as given. Never blocks on a FIFO and
/// never follows a symbolic link back into a folder it is already in; what
/// it cannot use is reported in [`Walked::errors`] and the rest is kept.
pub fn walk(paths: &[PathBuf]) -> Walked {
    let mut walked = Walked::default();
    for path in paths {
        let before = walked.files.len();
        let errors = walked.errors.len();
        let is_dir = walk_one(path, &mut Vec::new(), &mut walked);
        if is_dir && walked.files.len() == before && walked.errors.len() == errors {
            walked.errors.push(ImportError::new(
                &display_path(path),
                ImportErrorKind::Empty,
                "the folder holds no files (hidden files are skipped)",
            ));
        }
    }
    walked
}

/// Walks one path; `ancestors` are the folders (canonical) it lies in.
/// Returns true if `path` is a folder.
fn walk_one(path: &Path, ancestors: &mut Vec<PathBuf>, walked: &mut Walked) -> bool {
    let unreadable = |message: String| {
        ImportError::new(&display_path(path), ImportErrorKind::Unreadable, message)
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            let broken_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink());
            let message = if broken_link {
                format!("a symbolic link that leads nowhere usable ({e})")
            } else {
                e.to_string()
            };
            walked.errors.push(unreadable(message));
            return false;
        }
    };
    if meta.is_file() {
        walked.files.push(path.to_owned());
        return false;
    }
    if !meta.is_dir() {
        walked.errors.push(unreadable(not_a_file(&meta)));
        return false;
    }
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    if ancestors.contains(&canonical) {
        walked.errors.push(unreadable(format!(
            "a symbolic link back to {}, which is being read already; not followed",
            display_path(&canonical)
        )));
        return true;
    }
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => {
            walked.errors.push(unreadable(e.to_string()));
            return true;
        }
    };
    let mut children = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => children.push(entry.path()),
            Err(e) => walked.errors.push(unreadable(format!(
                "an entry of this folder cannot be read: {e}"
            ))),
        }
    }
    children.retain(|p| {
        !p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    });
    children.sort();
    ancestors.push(canonical);
    for child in children {
        walk_one(&child, ancestors, walked);
    }
    ancestors.pop();
    true
}

/// Why something that is neither a file nor a folder is not read.
fn not_a_file(meta: &std::fs::Metadata) -> String {
    if meta.is_dir() {
        return "a folder, not a file".to_owned();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        let what = if kind.is_fifo() {
            "a named pipe (FIFO)"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_block_device() || kind.is_char_device() {
            "a device"
        } else {
            "neither a file nor a folder"
        };
        format!("{what}, not a file; not read")
    }
    #[cfg(not(unix))]
    {
        "neither a file nor a folder; not read".to_owned()
    }
}

/// A path as shown to users: forward slashes, as given.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Reads and imports one file from disk. Returns the bytes too (when they
/// could be read), so a caller can store exactly what was imported.
pub fn import_file(
    path: &Path,
    imported_at: DateTime<Utc>,
) -> (Option<Vec<u8>>, Result<ImportedFile, ImportError>) {
    let shown = display_path(path);
    let bytes = match read_limited(path, &shown) {
        Ok(bytes) => bytes,
        Err(e) => return (None, Err(e)),
    };
    let result = import_bytes(&shown, &bytes, imported_at);
    (Some(bytes), result)
}

fn read_limited(path: &Path, shown: &str) -> Result<Vec<u8>, ImportError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| ImportError::new(shown, ImportErrorKind::Unreadable, e.to_string()))?;
    if !meta.is_file() {
        // Reading a FIFO would block until something writes to it.
        return Err(ImportError::new(
            shown,
            ImportErrorKind::Unreadable,
            not_a_file(&meta),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ImportError::new(
            shown,
            ImportErrorKind::TooLarge,
            format!(
                "{} bytes is more than the {} bytes Tickmark reads from one file",
                meta.len(),
                MAX_FILE_BYTES
            ),
        ));
    }
    std::fs::read(path)
        .map_err(|e| ImportError::new(shown, ImportErrorKind::Unreadable, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn unknown_json_is_not_recognised() {
        let err = import_bytes("x.json", br#"{"hello": "world"}"#, now()).unwrap_err();
        assert_eq!(err.kind, ImportErrorKind::NotRecognised);
        assert!(err.to_string().contains("x.json"));
        assert!(err.to_string().contains("hello"));
    }

    #[test]
    fn truncated_json_names_line_and_column() {
        let err = import_bytes("t.json", b"{\n  \"value\": [\n    {\"a\": ", now()).unwrap_err();
        assert_eq!(err.kind, ImportErrorKind::Malformed);
        assert_eq!(err.format_tried.as_deref(), Some("JSON"));
        assert!(err.location.as_deref().unwrap().starts_with("line 3"));
    }

    #[test]
    fn empty_and_binary_files_get_errors() {
        assert_eq!(
            import_bytes("e", b"", now()).unwrap_err().kind,
            ImportErrorKind::Empty
        );
        assert_eq!(
            import_bytes("b", b"\x00\x01\x02garbage", now())
                .unwrap_err()
                .kind,
            ImportErrorKind::Binary
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let err = import_bytes("deep.json", deep.as_bytes(), now()).unwrap_err();
        assert_eq!(err.kind, ImportErrorKind::Malformed);
    }

    #[test]
    fn walking_reports_what_it_cannot_use_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("good.json"), "{}").unwrap();
        std::fs::create_dir(root.join("empty")).unwrap();
        std::fs::create_dir(root.join(".hidden")).unwrap();
        std::fs::write(root.join(".hidden/x.json"), "{}").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
            std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling")).unwrap();
            let fifo = root.join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        }
        let walked = walk(&[root.to_owned(), root.join("empty")]);
        assert_eq!(walked.files, vec![root.join("good.json")]);
        let messages: Vec<String> = walked.errors.iter().map(|e| e.to_string()).collect();
        let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
        assert!(has("empty: the folder holds no files"), "{messages:?}");
        #[cfg(unix)]
        {
            assert!(
                has("dangling: a symbolic link that leads nowhere"),
                "{messages:?}"
            );
            assert!(has("loop: a symbolic link back to"), "{messages:?}");
            assert!(has("fifo: a named pipe (FIFO), not a file"), "{messages:?}");
            let (bytes, result) = import_file(&root.join("fifo"), now());
            assert!(bytes.is_none());
            assert_eq!(result.unwrap_err().kind, ImportErrorKind::Unreadable);
        }
        assert_eq!(messages.len(), if cfg!(unix) { 4 } else { 1 });
    }

    #[test]
    fn png_is_an_attachment() {
        let file = import_bytes("d.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", now()).unwrap();
        assert_eq!(file.provenance.format, Format::Attachment);
        assert_eq!(file.provenance.size, 16);
        assert_eq!(file.provenance.sha256.len(), 64);
    }
}
