//! `tickmark evidence ...`: the evidence inventory of an assessment and what
//! can happen to a file over its life: retire it, keep it with its
//! sensitive data, store a redacted copy, purge its bytes; the documents
//! that arrived with a folder and are attached to no requirement, and
//! attaching them.
//!
//! Every change needs a reviewer profile (`--profile`) and a reason, is an
//! event of the record, and is followed by a new evaluation run. Exit
//! codes: 0 done, 1 refused by a rule, 2 unusable input.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use super::record::{self, Failure};
use super::{Cli, EXIT_OK};
use crate::store::{Actor, EvidenceFile, FileState, Store};

/// What `tickmark evidence` was asked to do.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// Print the inventory.
    List { json: bool },
    /// Retire a file.
    Retire { file: i64, reason: String },
    /// Keep a file with sensitive data as it is.
    Keep { file: i64, reason: String },
    /// Store a redacted copy in a file's place.
    Redact { file: i64, reason: String },
    /// Purge a file's or an attachment's bytes.
    Purge {
        file: Option<i64>,
        attachment: Option<i64>,
        reason: String,
    },
    /// List the documents attached to no requirement.
    Documents,
    /// Attach a document to requirements.
    Attach {
        file: i64,
        requirements: Vec<String>,
    },
}

/// Runs `tickmark evidence`.
pub(super) fn run(cli: &Cli, assessment: &str, action: &Action, profile: Option<&str>) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match act(cli, assessment, action, profile, &mut out) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(failure) => {
            eprintln!("tickmark evidence: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn act(
    cli: &Cli,
    name: &str,
    action: &Action,
    profile: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let (mut store, db) = record::open(cli, false)?;
    let assessment = record::assessment(&store, name, &db)?;
    let id = assessment.id;
    let acting =
        || -> Result<Actor, Failure> { Ok(record::actor(&record::profile(&store, profile)?)) };
    let line = match action {
        Action::List { json } => {
            let files = store.evidence_files(id)?;
            return print_inventory(&files, *json, out)
                .map_err(|e| Failure::unusable(e.to_string()));
        }
        Action::Documents => {
            let documents = store.unassigned_documents(id)?;
            if documents.is_empty() {
                let _ = writeln!(
                    out,
                    "Every document of \"{name}\" is attached to a requirement."
                );
            }
            for d in documents {
                let _ = writeln!(
                    out,
                    "#{:<6} {:<16} {:>9} bytes  {}",
                    d.file.id, d.media_type, d.file.provenance.size, d.file.provenance.path
                );
            }
            return Ok(());
        }
        Action::Retire { file, reason } => {
            let actor = acting()?;
            let f = store.retire_evidence(&actor, id, *file, reason)?;
            format!(
                "Retired evidence file #{} ({}): {reason}",
                f.id, f.provenance.path
            )
        }
        Action::Keep { file, reason } => {
            let actor = acting()?;
            let f = store.keep_evidence(&actor, id, *file, reason)?;
            format!(
                "Evidence file #{} ({}) is kept as it is with {} sensitive finding(s); exports will carry it and say so",
                f.id,
                f.provenance.path,
                f.open_findings().len()
            )
        }
        Action::Redact { file, reason } => {
            let actor = acting()?;
            let r = store.redact_evidence(&actor, id, *file, reason)?;
            format!(
                "Stored a redacted copy of #{} ({}) as evidence file #{}: {} finding(s) replaced; the original bytes were purged (event #{})",
                r.original.id, r.original.provenance.path, r.copy.id, r.replaced, r.purge.seq
            )
        }
        Action::Purge {
            file,
            attachment,
            reason,
        } => {
            let actor = acting()?;
            let purge = match (file, attachment) {
                (Some(file), None) => store.purge_evidence(&actor, id, *file, reason)?,
                (None, Some(attachment)) => store.purge_attachment(&actor, *attachment, reason)?,
                _ => {
                    return Err(Failure::unusable(
                        "name what to purge: --file ID or --attachment ID",
                    ));
                }
            };
            format!(
                "Purged {} bytes (SHA-256 {}) by event #{}; they were used by {}",
                purge.size,
                purge.sha256,
                purge.seq,
                purge.users.join(", ")
            )
        }
        Action::Attach { file, requirements } => {
            let actor = acting()?;
            let catalog = record::catalog_of(&assessment)?;
            let attached = store.attach_document(&actor, id, catalog, *file, requirements)?;
            let to: Vec<String> = attached
                .iter()
                .map(|a| format!("{} (attachment #{})", a.requirement, a.id))
                .collect();
            format!("Attached evidence file #{file} to {}", to.join(", "))
        }
    };
    let _ = writeln!(out, "{line}");
    reevaluate(cli, &mut store, &assessment, out)?;
    let scrubbed = store.scrub()?;
    if !scrubbed.complete {
        let _ = writeln!(
            out,
            "Note: another program is reading the record; purged bytes leave its write-ahead log at the next checkpoint."
        );
    }
    Ok(())
}

/// Evaluates the assessment again after a change to its evidence.
fn reevaluate(
    cli: &Cli,
    store: &mut Store,
    assessment: &crate::store::Assessment,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let catalog = record::catalog_of(assessment)?;
    let settings = super::load_settings(cli)?;
    let (outcome, _) =
        store.evaluate_and_record(&Actor::os_user_only(), assessment.id, catalog, &settings)?;
    let run = outcome.run();
    let _ = writeln!(out, "Run #{}: {}", run.id, run.counts().describe());
    Ok(())
}

/// One row of the inventory as JSON.
#[derive(Serialize)]
struct Row<'a> {
    id: i64,
    state: FileState,
    #[serde(flatten)]
    file: &'a EvidenceFile,
}

fn print_inventory(files: &[EvidenceFile], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        let rows: Vec<Row<'_>> = files
            .iter()
            .map(|file| Row {
                id: file.id,
                state: file.state(),
                file,
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{:<6} {:<11} {:<28} {:>10}  {:<19}  PATH",
        "ID", "STATE", "FORMAT (TOOL)", "BYTES", "IMPORTED"
    )?;
    for f in files {
        let p = &f.provenance;
        let tool = match (&p.tool, &p.tool_version) {
            (Some(t), Some(v)) => format!("{} ({t} {v})", p.format.id()),
            (Some(t), None) => format!("{} ({t})", p.format.id()),
            _ => p.format.id().to_owned(),
        };
        writeln!(
            out,
            "#{:<5} {:<11} {:<28} {:>10}  {}  {}",
            f.id,
            f.state().id(),
            tool,
            p.size,
            p.imported_at.format("%Y-%m-%d %H:%M UTC"),
            p.path
        )?;
        for line in f.lifecycle_lines() {
            writeln!(out, "{:<8}{line}", "")?;
        }
    }
    Ok(())
}
