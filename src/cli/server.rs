//! A team's record on PostgreSQL: `tickmark init-server URL` sets up the
//! database, `tickmark migrate-record --from FILE --to URL` copies a record
//! into it, and [`verify_server`] (also run by `tickmark verify --db URL`)
//! rebuilds a copy from the server alone and verifies it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::verify::EXIT_TAMPERED;
use super::{EXIT_OK, EXIT_UNUSABLE};
use crate::store::{APP_ROLE, Store, StoreError, VerifyReport, display_url};

/// Runs `tickmark init-server`.
pub(super) fn init(url: &str, grant: &[String], revoke: &[String]) -> ExitCode {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    match crate::store::init_server(url, grant, revoke) {
        Ok(setup) => {
            if setup.created {
                let _ = writeln!(
                    out,
                    "Set up {}: schema `tickmark` (events, stored files, result lists) and the role {APP_ROLE}.",
                    setup.url
                );
            }
            for member in &setup.members {
                let _ = writeln!(out, "{member} is a member of {APP_ROLE}.");
            }
            for gone in &setup.removed {
                let _ = writeln!(
                    out,
                    "{gone} is no longer a member of {APP_ROLE}; what they recorded stays in the chain."
                );
            }
            if setup.created {
                let _ = writeln!(
                    out,
                    "{APP_ROLE} may read and add events; nobody can change or delete one through Tickmark's tables (triggers refuse it). The database owner can still do anything: sign sign-offs, approvals and seals with SSH keys, and keep the chain head `tickmark verify` prints."
                );
            }
            ExitCode::from(EXIT_OK)
        }
        Err(e) => {
            let _ = writeln!(err, "tickmark init-server: {e}");
            ExitCode::from(match e {
                StoreError::Rule(_) => EXIT_TAMPERED,
                _ => EXIT_UNUSABLE,
            })
        }
    }
}

/// Runs `tickmark migrate-record`.
pub(super) fn migrate(from: &Path, to: &str) -> ExitCode {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    let copied = Store::open_existing(from).and_then(|store| {
        let source = store.verify()?;
        if let Some(problem) = source.first_problem() {
            return Err(StoreError::Rule(format!(
                "{} does not verify ({problem}); nothing was copied",
                from.display()
            )));
        }
        let summary = store.copy_to_server(to)?;
        Ok((source, summary))
    });
    let (source, summary) = match copied {
        Ok(done) => done,
        Err(e) => {
            let _ = writeln!(err, "tickmark migrate-record: {e}");
            return ExitCode::from(match e {
                StoreError::Rule(_) => EXIT_TAMPERED,
                _ => EXIT_UNUSABLE,
            });
        }
    };
    let _ = writeln!(
        out,
        "Copied {} to {}: {} events, {} stored files, {} result lists.",
        from.display(),
        display_url(to),
        summary.events,
        summary.blobs,
        summary.lists
    );
    let _ = writeln!(out, "File:   {}", head_line(&source));
    let copy = match verify_server(to) {
        Ok(report) => report,
        Err(e) => {
            let _ = writeln!(err, "tickmark migrate-record: verifying the copy: {e}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    let _ = writeln!(out, "Server: {}", head_line(&copy));
    if let Some(problem) = copy.first_problem() {
        let _ = writeln!(out, "THE COPY DOES NOT VERIFY: {problem}");
        return ExitCode::from(EXIT_TAMPERED);
    }
    if copy.chain_head != source.chain_head {
        let _ = writeln!(out, "THE COPY'S CHAIN HEAD DIFFERS FROM THE FILE'S");
        return ExitCode::from(EXIT_TAMPERED);
    }
    let _ = writeln!(
        out,
        "Verified: a copy rebuilt from the server alone is intact and ends at the file's chain head."
    );
    ExitCode::from(EXIT_OK)
}

/// One line: intact or not, and the chain head.
pub(super) fn head_line(report: &VerifyReport) -> String {
    let head = report.chain_head.as_ref().map_or_else(
        || "no events".to_owned(),
        |h| format!("event #{} {}", h.seq, h.hash),
    );
    let state = if report.is_intact() {
        "intact"
    } else {
        "TAMPERED"
    };
    format!("{state}, chain head {head}")
}

/// Rebuilds the record at `url` from the server alone (a scratch copy,
/// removed afterwards) and verifies it.
pub(super) fn verify_server(url: &str) -> Result<VerifyReport, StoreError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let scratch: PathBuf =
        std::env::temp_dir().join(format!("tickmark-verify-{}-{nanos}", std::process::id()));
    Store::verify_server_copy(url, &scratch)
}
