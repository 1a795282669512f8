//! `tickmark verify`: checks the review record against its own history.
//!
//! Exit codes: 0 intact, 1 tampered (the first event, row or stored file
//! that does not match is named), 2 unusable (no record at the path, not a
//! review record, busy, written by a newer Tickmark).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::{Cli, EXIT_OK, EXIT_UNUSABLE};
use crate::store::{ServerSession, Store, StoreError, VerifyReport};

/// Exit code when the record does not match its history.
pub const EXIT_TAMPERED: u8 = 1;

/// Runs `tickmark verify`.
pub(super) fn run(
    cli: &Cli,
    bundle: Option<&std::path::Path>,
    against: Option<&std::path::Path>,
) -> ExitCode {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    if let Some(bundle) = bundle {
        return ExitCode::from(verify_bundle(bundle, &mut out, &mut err));
    }
    let code = verify(cli, &mut out, &mut err);
    match against {
        Some(export) if code != EXIT_UNUSABLE => {
            let against = verify_against(cli, export, &mut out, &mut err);
            ExitCode::from(code.max(against))
        }
        _ => ExitCode::from(code),
    }
}

/// `tickmark verify --against EXPORT`: the record still holds exactly the
/// history the export was made from and sealed.
fn verify_against(
    cli: &Cli,
    export: &std::path::Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let report = super::db_path(cli).and_then(|db| {
        let store = Store::open_existing(&db).map_err(|e| e.to_string())?;
        crate::export::against::check_against(&store, export)
    });
    let report = match report {
        Ok(report) => report,
        Err(message) => {
            let _ = writeln!(err, "tickmark verify --against: {message}");
            return EXIT_UNUSABLE;
        }
    };
    let e = &report.export;
    let _ = writeln!(
        out,
        "Against {} ({}), made at {}{}:",
        export.display(),
        e.kind,
        e.chain_head.as_ref().map_or_else(
            || "no chain head".to_owned(),
            |h| format!("event #{}", h.seq)
        ),
        e.seal.as_ref().map_or_else(
            || ", not sealed".to_owned(),
            |s| format!(", sealed at event #{} by {}", s.event, s.principal)
        )
    );
    for line in &report.confirmed {
        let _ = writeln!(out, "  ok: {line}");
    }
    let Some(first) = report.problems.first() else {
        let _ = writeln!(
            out,
            "Matches: the record holds exactly the history this export was made from."
        );
        return EXIT_OK;
    };
    let _ = writeln!(out, "DOES NOT MATCH: {first}");
    for problem in report.problems.iter().skip(1) {
        let _ = writeln!(out, "  {problem}");
    }
    let _ = writeln!(
        err,
        "tickmark verify --against: the record no longer holds what {} was made from: {first}",
        export.display()
    );
    EXIT_TAMPERED
}

/// `tickmark verify --bundle FILE`: recomputes every entry's SHA-256 and
/// checks the manifest lists exactly the entries present.
fn verify_bundle(path: &std::path::Path, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let report = match crate::export::bundle::verify_bundle(path) {
        Ok(report) => report,
        Err(e) => {
            let _ = writeln!(err, "tickmark verify --bundle: {e}");
            return EXIT_UNUSABLE;
        }
    };
    let _ = writeln!(out, "Evidence bundle: {}", path.display());
    if let Some(manifest) = &report.manifest {
        let a = &manifest.assessment;
        let _ = writeln!(
            out,
            "Assessment \"{}\" (cluster {}, catalog {}), written by Tickmark {}",
            a.name, a.cluster, a.catalog, manifest.tickmark_version
        );
        match &manifest.chain_head {
            Some(head) => {
                let _ = writeln!(
                    out,
                    "Review record chain head: event #{} {} (run `tickmark verify` on the record: event #{} there must carry this hash)",
                    head.seq, head.hash, head.seq
                );
            }
            None => {
                let _ = writeln!(out, "Review record chain head: no events");
            }
        }
    }
    let Some(first) = report.first_problem() else {
        let _ = writeln!(
            out,
            "Intact: all {} entries ({} bytes) match the manifest, and the manifest lists exactly these entries.",
            report.entries_checked, report.bytes_checked
        );
        return EXIT_OK;
    };
    let _ = writeln!(out, "TAMPERED: {first}");
    let _ = writeln!(out, "{} problem(s) found:", report.problems.len());
    for problem in &report.problems {
        let _ = writeln!(out, "  {problem}");
    }
    let _ = writeln!(
        err,
        "tickmark verify --bundle: the bundle does not match its manifest: {first}"
    );
    EXIT_TAMPERED
}

fn verify(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let db = match super::db_path(cli) {
        Ok(db) => db,
        Err(message) => {
            let _ = writeln!(err, "tickmark verify: {message}");
            return EXIT_UNUSABLE;
        }
    };
    let opened = Store::open_existing(&db).and_then(|store| {
        let report = store.verify()?;
        Ok((store, report))
    });
    match opened {
        Err(StoreError::Diverged(message)) => {
            let _ = writeln!(out, "TAMPERED: {message}");
            let _ = writeln!(err, "tickmark verify: {message}");
            EXIT_TAMPERED
        }
        Err(e) => {
            let _ = writeln!(err, "tickmark verify: {e}");
            EXIT_UNUSABLE
        }
        Ok((mut store, report)) => {
            let _ = writeln!(out, "Review record: {}", store.path().display());
            let Some(replica) = store.replica().map(Path::to_owned) else {
                return print_report(&report, out, err);
            };
            let _ = writeln!(out, "Local copy: {}", replica.display());
            let connection = match store.server_session() {
                Ok(Some(ServerSession {
                    encryption: Some(version),
                    ..
                })) => format!("encrypted ({version})"),
                Ok(_) => "not encrypted (see sslmode in the README)".to_owned(),
                Err(e) => format!("unknown ({e})"),
            };
            let _ = writeln!(out, "Connection to the server: {connection}");
            let local = print_report(&report, out, err);
            let url = db.display().to_string();
            match super::server::verify_server(&url) {
                Ok(server) => {
                    let _ = writeln!(
                        out,
                        "Server (a copy rebuilt from it alone): {}",
                        super::server::head_line(&server)
                    );
                    if let Some(problem) = server.first_problem() {
                        let _ = writeln!(out, "  {problem}");
                        return EXIT_TAMPERED;
                    }
                    if server.chain_head.as_ref().map(|h| h.seq)
                        < report.chain_head.as_ref().map(|h| h.seq)
                    {
                        let _ = writeln!(out, "TAMPERED: the local copy is ahead of the server");
                        return EXIT_TAMPERED;
                    }
                    local
                }
                Err(e) => {
                    let _ = writeln!(err, "tickmark verify: the server: {e}");
                    EXIT_UNUSABLE
                }
            }
        }
    }
}

fn print_report(report: &VerifyReport, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let head = match &report.chain_head {
        Some(head) => format!("event #{} {}", head.seq, head.hash),
        None => "no events yet".to_owned(),
    };
    let c = &report.counts;
    let counts = format!(
        "{} events; {} profile(s), {} assessment(s), {} evidence file(s), {} run(s), {} review(s), {} attachment(s), {} sign-off(s), {} approval decision(s), {} signature(s) checked; {} stored file(s), {} bytes",
        c.events,
        c.profiles,
        c.assessments,
        c.evidence_files,
        c.runs,
        c.reviews,
        c.attachments,
        c.sign_offs,
        c.approvals,
        c.signatures,
        c.blobs,
        c.blob_bytes
    );
    let Some(first) = report.first_problem() else {
        let _ = writeln!(
            out,
            "Intact: the chain and every table match the event log, and every signature verifies."
        );
        let _ = writeln!(out, "Chain head: {head}");
        let _ = writeln!(out, "{counts}");
        for purged in &report.purged {
            let _ = writeln!(
                out,
                "Purged (not tampered): SHA-256 {} by event #{}, used by {}",
                purged.sha256, purged.seq, purged.users
            );
        }
        return EXIT_OK;
    };
    let _ = writeln!(out, "TAMPERED: {first}");
    let _ = writeln!(out, "{} problem(s) found:", report.problems.len());
    for problem in &report.problems {
        let _ = writeln!(out, "  {problem}");
    }
    let _ = writeln!(out, "Chain head as stored: {head}");
    let _ = writeln!(out, "{counts}");
    let _ = writeln!(
        err,
        "tickmark verify: the review record does not match its history: {first}"
    );
    EXIT_TAMPERED
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(db: &std::path::Path) -> Cli {
        Cli {
            db: Some(db.to_owned()),
            time_to_tree: None,
            settings: None,
            command: None,
        }
    }

    fn run_verify(db: &std::path::Path) -> (u8, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = verify(&cli(db), &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn intact_tampered_and_unusable_have_their_exit_codes() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.sqlite3");
        let (code, _, err) = run_verify(&db);
        assert_eq!(code, EXIT_UNUSABLE);
        assert!(err.contains("there is no review record here"), "{err}");
        assert!(!db.exists(), "verify must not create a record");
        let mut store = Store::open(&db).unwrap();
        store
            .create_profile(
                &crate::store::Actor::os_user_only(),
                &crate::store::NewProfile {
                    name: "Ana".into(),
                    email: String::new(),
                    role: crate::store::Role::Auditor,
                },
            )
            .unwrap();
        drop(store);
        let (code, out, _) = run_verify(&db);
        assert_eq!(code, EXIT_OK, "{out}");
        assert!(
            out.contains("Intact") && out.contains("Chain head: event #1 "),
            "{out}"
        );
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute("UPDATE profiles SET name = 'Eve'", [])
            .unwrap();
        let (code, out, err) = run_verify(&db);
        assert_eq!(code, EXIT_TAMPERED);
        assert!(
            out.contains("TAMPERED: profiles row (id=1): column `name` is \"Eve\""),
            "{out}"
        );
        assert!(err.contains("does not match its history"), "{err}");
    }
}
