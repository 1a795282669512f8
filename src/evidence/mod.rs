//! Evidence: bytes → typed evidence, with provenance.
//!
//! [`import_bytes`] detects a file's format from its content (never from its
//! name), splits files that hold many resources, and returns typed items that
//! each keep a pointer back to where they came from. The families live in
//! their own modules: [`azure`] (az CLI and ARM), [`k8s`] (kubectl) and
//! [`scans`] (scanner and policy outputs).

pub mod arm;
pub mod azure;
pub mod batch;
pub mod bicep;
pub mod cap;
pub mod companions;
pub mod custody;
mod error;
mod field;
mod format;
pub mod identity;
pub mod jsonc;
pub mod k8s;
pub mod node;
pub mod scans;
pub mod scope_file;
pub mod sensitive;
pub mod template;
pub mod terraform;
pub mod text;

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use batch::{Batch, FileImport, Survey};
pub use companions::Companions;
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

impl EvidenceRef {
    /// The same reference with its pointer and resource cut to
    /// [`cap::MAX_TEXT_CHARS`] (a pointer through a huge key, a resource named
    /// by a huge string).
    pub fn capped(mut self) -> EvidenceRef {
        self.cap_texts();
        self
    }

    /// Caps the pointer and the resource in place (see [`cap`]); the path
    /// is the user's own and stays as it is.
    pub fn cap_texts(&mut self) {
        cap::cap_in_place(&mut self.pointer);
        if let Some(resource) = &mut self.resource {
            cap::cap_in_place(resource);
        }
    }
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
    /// When the file was last written (its modification time), where it
    /// was read from disk: orders files imported at the same moment that
    /// describe the same resource (see [`identity`]). Not stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<DateTime<Utc>>,
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
    /// Sensitive data found in the files (masked; see [`sensitive`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<sensitive::SensitiveFinding>,
}

impl Evidence {
    /// Moves everything of `other` into `self`.
    pub fn extend(&mut self, other: Evidence) {
        self.azure.extend(other.azure);
        self.k8s.extend(other.k8s);
        self.scans.extend(other.scans);
        self.scope.extend(other.scope);
        self.sensitive.extend(other.sensitive);
    }
}

/// One file, imported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportedFile {
    /// What the file is and where it came from.
    pub provenance: Provenance,
    /// What it says.
    pub evidence: Evidence,
    /// Fields of the recognised format that hold a value of the wrong type
    /// (kind [`ImportErrorKind::Invalid`], located by JSON pointer). The
    /// file is still read and judged; callers report these as input errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ImportError>,
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
    /// The files imported with it (parameter files, kustomizations).
    pub companions: &'a Companions,
}

impl<'a> ImportContext<'a> {
    /// A file read on its own.
    pub fn new(path: &'a str) -> Self {
        ImportContext {
            path,
            companions: &companions::NONE,
        }
    }
}

impl ImportContext<'_> {
    /// A pointer into this file.
    pub fn at(&self, pointer: impl Into<String>, resource: Option<String>) -> EvidenceRef {
        EvidenceRef {
            path: self.path.to_owned(),
            pointer: pointer.into(),
            resource,
        }
        .capped()
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
    import_bytes_with(path, bytes, imported_at, &companions::NONE)
}

/// [`import_bytes`] for a file imported together with others: a template
/// takes the values of the parameter file beside it, manifests take the
/// namespace and image rewrites of the kustomization that lists them.
pub fn import_bytes_with(
    path: &str,
    bytes: &[u8],
    imported_at: DateTime<Utc>,
    companions: &Companions,
) -> Result<ImportedFile, ImportError> {
    read_bytes(path, bytes, imported_at, companions, Scan::Sensitive)
}

/// [`import_bytes_with`] without the scan for sensitive data: for reading
/// stored evidence again where nothing looks at its findings (the scope
/// diagram), at about half the cost for a large JSON file.
pub fn import_bytes_unscanned(
    path: &str,
    bytes: &[u8],
    imported_at: DateTime<Utc>,
    companions: &Companions,
) -> Result<ImportedFile, ImportError> {
    read_bytes(path, bytes, imported_at, companions, Scan::Skip)
}

/// Whether reading a file also scans it for sensitive data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    Sensitive,
    Skip,
}

fn read_bytes(
    path: &str,
    bytes: &[u8],
    imported_at: DateTime<Utc>,
    companions: &Companions,
    scan: Scan,
) -> Result<ImportedFile, ImportError> {
    let ctx = ImportContext { path, companions };
    let mut evidence = Evidence::default();
    let (recognised, sha256) =
        read_and_hash(bytes, |bytes| detect_and_read(ctx, bytes, &mut evidence));
    let mut recognised = recognised?;
    if scan == Scan::Sensitive {
        evidence.sensitive = sensitive::scan(bytes)
            .findings
            .into_iter()
            .map(|mut f| {
                f.path = path.to_owned();
                f
            })
            .collect();
    }
    let problems = input_errors(ctx, recognised.format, &evidence.azure);
    recognised.notes.extend(problems.iter().map(|e| {
        format!(
            "input error at {}: {}",
            e.location.as_deref().unwrap_or("/"),
            e.message
        )
    }));
    Ok(ImportedFile {
        provenance: Provenance {
            path: path.to_owned(),
            sha256,
            size: bytes.len() as u64,
            format: recognised.format,
            tool: recognised.tool.map(cap::cap),
            tool_version: recognised.tool_version.map(cap::cap),
            imported_at,
            notes: recognised.notes.into_iter().map(cap::cap).collect(),
            custody: None,
            modified_at: None,
        },
        evidence,
        problems,
    })
}

/// Every field of a recognised file that holds a value of the wrong type
/// (a string where Azure has a list, a number where it has an object), as
/// input errors naming the JSON pointer and the type found. The rest of the
/// file is read and judged; the checks that need such a field say they
/// could not judge it.
fn input_errors(
    ctx: ImportContext<'_>,
    format: Format,
    azure: &azure::AzureEvidence,
) -> Vec<ImportError> {
    let mut found = std::collections::BTreeMap::new();
    if let Ok(tree) = serde_json::to_value(azure) {
        invalid_fields(&tree, &mut found);
    }
    found
        .into_iter()
        .map(|(pointer, value)| {
            ImportError::invalid(
                ctx.path,
                format.label(),
                &pointer,
                format!("wrong type: found {value}"),
            )
        })
        .collect()
}

/// Collects the pointer and the value found of every [`Field::Invalid`] in
/// a serialised piece of evidence.
fn invalid_fields(tree: &Value, out: &mut std::collections::BTreeMap<String, String>) {
    match tree {
        Value::Object(map) => {
            if map.get("state").and_then(Value::as_str) == Some("invalid")
                && let (Some(Value::String(pointer)), Some(Value::String(found))) =
                    (map.get("pointer"), map.get("found"))
            {
                out.entry(pointer.clone()).or_insert_with(|| found.clone());
                return;
            }
            map.values().for_each(|v| invalid_fields(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| invalid_fields(v, out)),
        _ => {}
    }
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

/// Reads a parsed JSON document of any known format.
pub fn read_json_value(
    ctx: ImportContext<'_>,
    root: &Value,
    out: &mut Evidence,
) -> Result<Recognised, ImportError> {
    read_value(ctx, root, out, "JSON")
}

/// Reads a parsed document of any known format; `family` (JSON, YAML) is
/// the syntax it was written in, for the error when no format fits.
pub(crate) fn read_value(
    ctx: ImportContext<'_>,
    root: &Value,
    out: &mut Evidence,
    family: &str,
) -> Result<Recognised, ImportError> {
    if let Some(result) = custody::read_manifest(ctx, root) {
        return result;
    }
    if let Some(values) = template::parameters::read(root) {
        return Ok(parameter_file(ctx, &values));
    }
    if let Some(result) = terraform::read(ctx, root, &mut out.azure) {
        return result;
    }
    if let Some(kustomization) = k8s::kustomize::read(ctx.path, root) {
        return Ok(k8s::kustomization_file(ctx, &kustomization));
    }
    if let Some(result) = scans::read_json(ctx, root, &mut out.scans) {
        return result;
    }
    if let Some(result) = k8s::read_json(ctx, root, &mut out.k8s) {
        return result;
    }
    if arm::is_template_value(root) {
        refuse_deep_expressions(ctx, root)?;
        return read_template(ctx, root, out);
    }
    if let Some((shape, resources)) = arm::resources(root) {
        refuse_deep_expressions(ctx, root)?;
        return read_arm(ctx, shape, &resources, out);
    }
    if let Some(recognised) = k8s::object_of_other_kind(root) {
        return Ok(recognised);
    }
    Err(not_recognised(ctx, root, family))
}

/// An input error for the first ARM expression in `root` nested deeper than
/// Tickmark reads (see [`node::MAX_EXPRESSION_DEPTH`]).
fn refuse_deep_expressions(ctx: ImportContext<'_>, root: &Value) -> Result<(), ImportError> {
    match node::too_deep_expression(root) {
        Some((pointer, depth)) => Err(ImportError::invalid(
            ctx.path,
            "Azure resources",
            &pointer,
            format!(
                "a template expression nested {depth} levels deep; Tickmark reads expressions up to {} levels",
                node::MAX_EXPRESSION_DEPTH
            ),
        )),
        None => Ok(()),
    }
}

/// A parameter file: no evidence of its own; the notes say which template
/// it applies to.
fn parameter_file(ctx: ImportContext<'_>, values: &template::ParameterValues) -> Recognised {
    let count = values.names().count();
    let note = match ctx.companions.template_for(ctx.path) {
        Ok(template) => {
            format!("parameter file ({count} parameter(s)): its values are applied to {template}")
        }
        Err(why) => format!("parameter file ({count} parameter(s)), not applied: {why}"),
    };
    Recognised {
        notes: vec![note],
        ..Recognised::new(Format::ArmParameters).tool("ARM template", None)
    }
}

/// An ARM template, with its variables and the parameter file imported
/// beside it resolved first.
fn read_template(
    ctx: ImportContext<'_>,
    root: &Value,
    out: &mut Evidence,
) -> Result<Recognised, ImportError> {
    let mut notes = Vec::new();
    let values = match ctx.companions.parameters_for(ctx.path) {
        companions::Pairing::One(file, values) => {
            notes.push(format!("parameter values from {file} applied"));
            Some(values)
        }
        companions::Pairing::Several(files) => {
            notes.push(format!(
                "parameter files {} all fit this template, so none was applied",
                files.join(", ")
            ));
            None
        }
        companions::Pairing::None => None,
    };
    let resolved = template::resolve(root, values);
    if let Some(resolved) = &resolved
        && resolved.resolved > 0
    {
        notes.push(format!(
            "{} template expression(s) resolved from its variables{}",
            resolved.resolved,
            if values.is_some() {
                " and parameters"
            } else {
                ""
            }
        ));
    }
    let root = resolved.as_ref().map_or(root, |r| &r.root);
    let (shape, resources) = arm::resources(root).ok_or_else(|| {
        ctx.error(
            ImportErrorKind::NotRecognised,
            "an ARM template without resources",
        )
        .tried("ARM template")
    })?;
    let mut recognised = read_arm(ctx, shape, &resources, out)?;
    recognised.notes.splice(0..0, notes);
    Ok(recognised)
}

fn read_arm(
    ctx: ImportContext<'_>,
    shape: arm::ArmShape,
    resources: &[arm::ArmResource<'_>],
    out: &mut Evidence,
) -> Result<Recognised, ImportError> {
    let mut formats = Vec::new();
    let mut skipped: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut never: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut conditional: std::collections::BTreeMap<&str, usize> = Default::default();
    for resource in resources {
        match &resource.deployed {
            arm::Deployed::Never(condition) => {
                *never.entry(condition.as_str()).or_default() += 1;
                continue;
            }
            arm::Deployed::If(condition) => {
                *conditional.entry(condition.as_str()).or_default() += 1;
            }
            arm::Deployed::Always => {}
        }
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
    for (condition, count) in never {
        recognised.notes.push(format!(
            "{count} resource(s) not deployed: their condition is {condition}"
        ));
    }
    for (condition, count) in conditional {
        recognised.notes.push(format!(
            "{count} resource(s) deployed only if {condition}: not judged"
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
    if bicep::looks_like_bicep(text) {
        return Err(batch::not_compiled(ctx.path, None));
    }
    if let Some(result) = scans::read_text(ctx, text, &mut out.scans) {
        return result;
    }
    if let Some(result) = k8s::read_yaml(ctx, text, out) {
        return result;
    }
    if let Some(kustomization) = k8s::kustomize::read_text(ctx.path, text) {
        return Ok(k8s::kustomization_file(ctx, &kustomization));
    }
    Ok(Recognised {
        notes: vec!["text document; kept as an attachment, not evaluated".to_owned()],
        ..Recognised::new(Format::Attachment)
    })
}

fn not_recognised(ctx: ImportContext<'_>, root: &Value, family: &str) -> ImportError {
    let described = match root {
        Value::Object(map) => {
            let keys: Vec<&str> = map.keys().take(8).map(String::as_str).collect();
            format!(
                "valid {family}, but not a format Tickmark knows (top-level keys: {})",
                keys.join(", ")
            )
        }
        Value::Array(items) => format!(
            "valid {family}, but not a format Tickmark knows (an array of {} item(s))",
            items.len()
        ),
        _ => format!("valid {family}, but not a format Tickmark knows"),
    };
    ctx.error(ImportErrorKind::NotRecognised, described)
        .tried(family)
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

pub(crate) fn read_limited(path: &Path, shown: &str) -> Result<Vec<u8>, ImportError> {
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
    let unreadable =
        |e: std::io::Error| ImportError::new(shown, ImportErrorKind::Unreadable, e.to_string());
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    // The first bytes decide whether a file is binary: a 2 GiB file of
    // zeros is refused after reading a few kilobytes, not the whole of it.
    let mut bytes = Vec::new();
    (&mut file)
        .take(SNIFF_BYTES)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if document_kind(&bytes).is_none()
        && let Some(binary) = text::binary_in_head(&bytes)
    {
        return Err(ImportError::new(
            shown,
            ImportErrorKind::Binary,
            binary.to_string(),
        ));
    }
    bytes.reserve(
        usize::try_from(meta.len())
            .unwrap_or(0)
            .saturating_sub(bytes.len()),
    );
    file.take(MAX_FILE_BYTES + 1 - bytes.len() as u64)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImportError::new(
            shown,
            ImportErrorKind::TooLarge,
            format!(
                "the file grew past the {MAX_FILE_BYTES} bytes Tickmark reads from one file while it was read"
            ),
        ));
    }
    Ok(bytes)
}

/// How many bytes of a file are read first, to refuse binary content before
/// reading the rest.
const SNIFF_BYTES: u64 = 64 * 1024;

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
