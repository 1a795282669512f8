//! `tickmark export --assessment NAME --format csv|xlsx|json|html|oscal|bundle --out PATH`.
//!
//! Exit codes: 0 written, 2 when nothing was written (no review record, no
//! such assessment, an unwritable path, a record that cannot be read). The
//! file appears at PATH only when complete.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use super::{Cli, EXIT_OK, EXIT_UNUSABLE, ExportFormat};
use crate::export::{self, ExportSummary};
use crate::store::Store;

/// Runs `tickmark export`.
pub(super) fn run(cli: &Cli, assessment: &str, format: ExportFormat, out: &Path) -> ExitCode {
    let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr().lock());
    ExitCode::from(export_to(
        cli,
        assessment,
        format,
        out,
        &mut stdout,
        &mut stderr,
    ))
}

/// The library's format for the command line's.
fn library_format(format: ExportFormat) -> export::ExportFormat {
    match format {
        ExportFormat::Csv => export::ExportFormat::Csv,
        ExportFormat::Xlsx => export::ExportFormat::Xlsx,
        ExportFormat::Json => export::ExportFormat::Json,
        ExportFormat::Html => export::ExportFormat::Html,
        ExportFormat::Oscal => export::ExportFormat::Oscal,
        ExportFormat::Bundle => export::ExportFormat::Bundle,
        ExportFormat::Signatures => export::ExportFormat::Signatures,
    }
}

fn export_to(
    cli: &Cli,
    name: &str,
    format: ExportFormat,
    out: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    match try_export(cli, name, library_format(format), out) {
        Ok(summary) => {
            print_summary(name, &summary, stdout);
            EXIT_OK
        }
        Err(message) => {
            let _ = writeln!(stderr, "tickmark export: {message}");
            EXIT_UNUSABLE
        }
    }
}

fn try_export(
    cli: &Cli,
    name: &str,
    format: export::ExportFormat,
    out: &Path,
) -> Result<ExportSummary, String> {
    let db = super::db_path(cli)?;
    let store = Store::open_existing(&db).map_err(|e| e.to_string())?;
    let assessment = match store.assessment(name).map_err(|e| e.to_string())? {
        Some(found) => found,
        None => return Err(super::record::unknown_assessment(&store, name, &db)),
    };
    let catalog = crate::catalog::builtin(&assessment.catalog_id).ok_or_else(|| {
        format!(
            "assessment \"{name}\" uses catalog {}, which this build of Tickmark does not have",
            assessment.catalog_id
        )
    })?;
    let cancel = AtomicBool::new(false);
    export::export(
        &store,
        catalog,
        assessment.id,
        format,
        out,
        &mut |_| {},
        &cancel,
    )
    .map_err(|e| e.to_string())
}

fn print_summary(name: &str, summary: &ExportSummary, out: &mut dyn Write) {
    let _ = writeln!(
        out,
        "Exported \"{name}\" as {} to {}",
        summary.format.label(),
        summary.path.display()
    );
    let entries = if summary.format == export::ExportFormat::Bundle {
        format!(", {} entries plus the manifest", summary.entries)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{} bytes, SHA-256 {}; {} requirements{entries}",
        summary.bytes, summary.sha256, summary.requirements
    );
    match &summary.chain_head {
        Some(head) => {
            let _ = writeln!(
                out,
                "Review record chain head: event #{} {}",
                head.seq, head.hash
            );
        }
        None => {
            let _ = writeln!(out, "Review record chain head: no events");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Actor, NewAssessment};

    fn cli(db: &Path) -> Cli {
        Cli {
            db: Some(db.to_owned()),
            time_to_tree: None,
            settings: None,
            command: None,
        }
    }

    fn run_export(db: &Path, name: &str, out: &Path) -> (u8, String, String) {
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let code = export_to(
            &cli(db),
            name,
            ExportFormat::Csv,
            out,
            &mut stdout,
            &mut stderr,
        );
        (
            code,
            String::from_utf8(stdout).unwrap(),
            String::from_utf8(stderr).unwrap(),
        )
    }

    #[test]
    fn errors_name_the_assessments_and_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.sqlite3");
        let out = dir.path().join("out.csv");
        let (code, _, err) = run_export(&db, "H1", &out);
        assert_eq!(code, EXIT_UNUSABLE);
        assert!(err.contains("there is no review record here"), "{err}");
        assert!(!db.exists());

        let mut store = Store::open(&db).unwrap();
        let (code, _, err) = run_export(&db, "H1", &out);
        assert_eq!(code, EXIT_UNUSABLE);
        assert!(err.contains("has no assessments yet"), "{err}");
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for name in ["Q1 2026", "Q2 2026"] {
            store
                .create_assessment(
                    &Actor::os_user_only(),
                    &NewAssessment {
                        name: name.into(),
                        cluster: "aks".into(),
                        period_start: day,
                        period_end: day,
                        catalog_id: crate::catalog::PCI_DSS_321_ID.into(),
                    },
                )
                .unwrap();
        }
        let (code, _, err) = run_export(&db, "H1", &out);
        assert_eq!(code, EXIT_UNUSABLE);
        assert!(
            err.contains("known assessments: \"Q1 2026\", \"Q2 2026\""),
            "{err}"
        );

        let unwritable = dir.path().join("missing-dir").join("out.csv");
        let (code, _, err) = run_export(&db, "Q1 2026", &unwritable);
        assert_eq!(code, EXIT_UNUSABLE);
        assert!(err.contains("does not exist"), "{err}");
        assert!(!unwritable.exists());

        let (code, text, err) = run_export(&db, "Q1 2026", &out);
        assert_eq!(code, EXIT_OK, "{err}");
        assert!(text.contains("232 requirements"), "{text}");
        let csv = std::fs::read_to_string(&out).unwrap();
        // The assessment header, a blank line, the table's header and rows.
        let (head, table) = csv.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("Assessment,Q1 2026"), "{head}");
        assert_eq!(table.lines().count(), 233);
    }
}
