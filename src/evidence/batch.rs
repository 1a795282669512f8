//! Several files imported together, as a user imports a folder: first every
//! file is shown to [`Companions`] (so a template finds its parameter file
//! and a manifest its kustomization), every Bicep file is compiled and every
//! collection manifest read, then each file is imported with what the others
//! said (its custody included).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::bicep::{self, CompileError, Compiled};
use super::custody::CustodyIndex;
use super::{
    Companions, Format, ImportError, ImportErrorKind, ImportedFile, Provenance, display_path,
    import_bytes_with, read_limited, sha256_hex, text,
};

/// Files at most this large are read twice (once to scan them); templates,
/// parameter files, kustomizations and Bicep files are far smaller.
const MAX_SCAN_BYTES: u64 = 4 * 1024 * 1024;

/// The files of one import, scanned.
#[derive(Debug, Default)]
pub struct Batch {
    files: Vec<PathBuf>,
    companions: Companions,
    compiled: BTreeMap<PathBuf, Result<Compiled, CompileError>>,
    custody: CustodyIndex,
}

/// One file imported as part of a [`Batch`].
#[derive(Debug)]
pub struct FileImport {
    /// The file, as shown to users.
    pub path: String,
    /// Its bytes, when they could be read.
    pub bytes: Option<Vec<u8>>,
    /// What it was found to hold.
    pub result: Result<ImportedFile, ImportError>,
    /// For a Bicep file: the ARM template it compiled to, imported as a file
    /// of its own.
    pub compiled: Option<CompiledFile>,
}

/// The ARM template a Bicep file compiled to: its bytes and what they hold.
pub type CompiledFile = (Vec<u8>, ImportedFile);

impl Batch {
    /// Scans `files` (and compiles the Bicep among them).
    pub fn prepare(files: &[PathBuf]) -> Batch {
        let mut batch = Batch {
            files: files.to_vec(),
            custody: CustodyIndex::scan(files),
            ..Batch::default()
        };
        for path in files {
            let shown = display_path(path);
            let small =
                std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= MAX_SCAN_BYTES);
            let Some(bytes) = small.then(|| std::fs::read(path).ok()).flatten() else {
                batch.companions.scan(&shown, &[]);
                continue;
            };
            batch.companions.scan(&shown, &bytes);
            if is_bicep(&bytes) {
                let compiled = bicep::compile(path);
                if let Ok(compiled) = &compiled {
                    batch
                        .companions
                        .scan(&bicep::compiled_name(&shown), &compiled.json);
                }
                batch.compiled.insert(path.clone(), compiled);
            }
        }
        batch
    }

    /// What the scanned files say about each other.
    pub fn companions(&self) -> &Companions {
        &self.companions
    }

    /// Imports one file of the batch.
    pub fn import(&self, path: &Path, imported_at: DateTime<Utc>) -> FileImport {
        let shown = display_path(path);
        let bytes = match read_limited(path, &shown) {
            Ok(bytes) => bytes,
            Err(e) => {
                return FileImport {
                    path: shown,
                    bytes: None,
                    result: Err(e),
                    compiled: None,
                };
            }
        };
        let (mut result, compiled) = match self.compiled.get(path) {
            Some(compiled) => self.bicep(&shown, &bytes, compiled, imported_at),
            None => (
                import_bytes_with(&shown, &bytes, imported_at, &self.companions),
                None,
            ),
        };
        if let Ok(file) = &mut result {
            self.custody.apply(path, file, &self.files);
            file.provenance.modified_at = std::fs::metadata(path)
                .and_then(|m| m.modified())
                .ok()
                .map(DateTime::<Utc>::from);
        }
        FileImport {
            path: shown,
            bytes: Some(bytes),
            result,
            compiled,
        }
    }

    /// A Bicep source and the template it compiled to.
    fn bicep(
        &self,
        shown: &str,
        source: &[u8],
        compiled: &Result<Compiled, CompileError>,
        imported_at: DateTime<Utc>,
    ) -> (Result<ImportedFile, ImportError>, Option<CompiledFile>) {
        let compiled = match compiled {
            Ok(compiled) => compiled,
            Err(e) => return (Err(not_compiled(shown, Some(e))), None),
        };
        let name = bicep::compiled_name(shown);
        let source_sha = sha256_hex(source);
        let mut template =
            match import_bytes_with(&name, &compiled.json, imported_at, &self.companions) {
                Ok(file) if file.provenance.format == Format::ArmTemplate => file,
                Ok(file) => {
                    return (
                        Err(ImportError::new(
                            shown,
                            ImportErrorKind::NotCompiled,
                            format!(
                                "{} printed {}, not an ARM template",
                                compiled.command,
                                file.provenance.format.label()
                            ),
                        )
                        .tried("Bicep")),
                        None,
                    );
                }
                Err(e) => {
                    return (
                        Err(ImportError::new(
                            shown,
                            ImportErrorKind::NotCompiled,
                            format!(
                                "{} printed something Tickmark cannot read: {e}",
                                compiled.command
                            ),
                        )
                        .tried("Bicep")),
                        None,
                    );
                }
            };
        let provenance = &mut template.provenance;
        provenance.tool = Some("Bicep CLI".to_owned());
        provenance.tool_version = compiled.version.clone();
        provenance.notes.insert(
            0,
            format!(
                "compiled from {shown} (SHA-256 {source_sha}) with `{}`; not a file on disk",
                compiled.command
            ),
        );
        let source_file = ImportedFile {
            provenance: Provenance {
                path: shown.to_owned(),
                sha256: source_sha,
                size: source.len() as u64,
                format: Format::Bicep,
                tool: None,
                tool_version: None,
                imported_at,
                notes: vec![format!(
                    "Bicep source, evaluated through the ARM template it compiles to: {name} (SHA-256 {})",
                    template.provenance.sha256
                )],
                custody: None,
                modified_at: None,
            },
            evidence: Default::default(),
            problems: Vec::new(),
        };
        (Ok(source_file), Some((compiled.json.clone(), template)))
    }
}

/// True if `bytes` are a Bicep file.
pub fn is_bicep(bytes: &[u8]) -> bool {
    text::decode(bytes).is_ok_and(|(text, _)| bicep::looks_like_bicep(&text))
}

/// The error for a Bicep file that could not be compiled; `None` when
/// compiling was not tried (the file was read on its own).
pub fn not_compiled(shown: &str, error: Option<&CompileError>) -> ImportError {
    let why = match error {
        None => "a Bicep file, which Tickmark evaluates through the ARM template it compiles to".to_owned(),
        Some(CompileError::NoCompiler) => {
            "a Bicep file, which Tickmark evaluates through the ARM template it compiles to, and no Bicep compiler (bicep, or az with Bicep) is on PATH".to_owned()
        }
        Some(CompileError::Failed(why)) => format!("a Bicep file that did not compile: {why}"),
    };
    ImportError::new(
        shown,
        ImportErrorKind::NotCompiled,
        format!(
            "{why}; compile it with `{}` and import the .json file",
            bicep::manual_command(shown)
        ),
    )
    .tried("Bicep")
}

/// How much an import of some paths would read, counted before anything is
/// read: imports above [`Survey::needs_confirmation`]'s limits ask first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Survey {
    /// Files found below the paths.
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
}

impl Survey {
    /// More files than this in one import asks before it starts.
    pub const CONFIRM_FILES: usize = 500;
    /// More bytes than this in one import asks before it starts.
    pub const CONFIRM_BYTES: u64 = 256 * 1024 * 1024;

    /// Counts the files below `paths` and their sizes (walked as an import
    /// walks them; nothing is read).
    pub fn of(paths: &[PathBuf]) -> Survey {
        let walked = super::walk(paths);
        Survey {
            files: walked.files.len(),
            bytes: walked
                .files
                .iter()
                .filter_map(|p| std::fs::metadata(p).ok())
                .map(|m| m.len())
                .sum(),
        }
    }

    /// True when the import is large enough to ask before it starts.
    pub fn needs_confirmation(&self) -> bool {
        self.files > Survey::CONFIRM_FILES || self.bytes > Survey::CONFIRM_BYTES
    }

    /// `53,638 files, 64.2 MB`.
    pub fn describe(&self) -> String {
        format!(
            "{} file(s), {:.1} MB",
            self.files,
            self.bytes as f64 / 1_000_000.0
        )
    }
}
