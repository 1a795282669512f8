//! `tickmark compare --from NAME --to NAME [--format table|csv|xlsx|html]
//! [--out PATH] [--changed]`: two assessments requirement by requirement
//! (the app's Compare screen), printed or written to a file.
//!
//! Exit codes: 0 written, 2 when nothing was written (no review record, no
//! such assessment, two frameworks without a crosswalk, an unwritable path).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::{Cli, CompareOutput, EXIT_OK, EXIT_UNUSABLE};
use crate::export::compare::{self as render, CompareFormat};
use crate::store::Comparison;

/// What `tickmark compare` was asked.
pub(super) struct CompareArgs<'a> {
    /// The earlier assessment's name.
    pub from: &'a str,
    /// The later assessment's name.
    pub to: &'a str,
    /// How to print or write it.
    pub format: CompareOutput,
    /// Where to write it.
    pub out: Option<&'a Path>,
    /// Only the rows where anything changed.
    pub changed: bool,
}

/// Runs `tickmark compare`.
pub(super) fn run(cli: &Cli, args: &CompareArgs<'_>) -> ExitCode {
    match try_run(cli, args) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(message) => {
            eprintln!("tickmark compare: {message}");
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

fn try_run(cli: &Cli, args: &CompareArgs<'_>) -> Result<(), String> {
    let (store, db) = super::record::open(cli, false).map_err(|f| f.message)?;
    let from = super::record::assessment(&store, args.from, &db).map_err(|f| f.message)?;
    let to = super::record::assessment(&store, args.to, &db).map_err(|f| f.message)?;
    if from.id == to.id {
        return Err(format!(
            "--from and --to both name \"{}\": compare two different assessments",
            from.name
        ));
    }
    let mut comparison = store.compare(from.id, to.id).map_err(|e| e.to_string())?;
    if args.changed {
        comparison.requirements.retain(|r| r.changed());
    }
    let file_format = match args.format {
        CompareOutput::Table => None,
        CompareOutput::Csv => Some(CompareFormat::Csv),
        CompareOutput::Xlsx => Some(CompareFormat::Xlsx),
        CompareOutput::Html => Some(CompareFormat::Html),
    };
    let mut stdout = std::io::stdout().lock();
    match (file_format, args.out) {
        (Some(format), Some(out)) => {
            let bytes = render::write(&comparison, format, out).map_err(|e| e.to_string())?;
            let _ = writeln!(
                stdout,
                "{}: {} row(s), {} changed, {bytes} bytes",
                out.display(),
                comparison.requirements.len(),
                comparison.changed().count()
            );
            Ok(())
        }
        (Some(CompareFormat::Xlsx), None) => {
            Err("an Excel workbook needs a file: give --out PATH".to_owned())
        }
        (Some(CompareFormat::Csv), None) => {
            let bytes = render::csv(&comparison).map_err(|e| e.to_string())?;
            stdout.write_all(&bytes).map_err(|e| e.to_string())
        }
        (Some(CompareFormat::Html), None) => stdout
            .write_all(render::html(&comparison).as_bytes())
            .map_err(|e| e.to_string()),
        (None, Some(_)) => {
            Err("the table is printed: give --format csv, xlsx or html to write a file".to_owned())
        }
        (None, None) => {
            print_table(&comparison, &mut stdout);
            Ok(())
        }
    }
}

fn print_table(comparison: &Comparison, out: &mut dyn Write) {
    let _ = writeln!(
        out,
        "{} ({}) → {} ({}), matched by {}: {} row(s), {} changed",
        comparison.from.name,
        comparison.from.catalog_id,
        comparison.to.name,
        comparison.to.catalog_id,
        comparison.mapping,
        comparison.requirements.len(),
        comparison.changed().count()
    );
    let verdict =
        |v: Option<crate::checks::VerdictStatus>| v.map_or("none", |v| v.label()).to_owned();
    let finding = |c: Option<crate::store::Conclusion>| {
        c.map_or_else(|| "none".to_owned(), |c| c.short_label())
    };
    let _ = writeln!(
        out,
        "{:<12} {:<12} {:<28} {:<32} {:<8} {:<16} Sign-off",
        "Requirement", "Earlier", "Automated verdict", "Finding", "Note", "Evidence"
    );
    for r in &comparison.requirements {
        let arrow = |from: String, to: String| {
            if from == to {
                from
            } else {
                format!("{from} → {to}")
            }
        };
        let evidence = if r.evidence_added.is_empty() && r.evidence_removed.is_empty() {
            "same".to_owned()
        } else {
            format!(
                "{} new, {} gone",
                r.evidence_added.len(),
                r.evidence_removed.len()
            )
        };
        let _ = writeln!(
            out,
            "{:<12} {:<12} {:<28} {:<32} {:<8} {:<16} {}",
            r.requirement,
            r.earlier_requirement.as_deref().unwrap_or("-"),
            arrow(verdict(r.verdict.from), verdict(r.verdict.to)),
            arrow(finding(r.conclusion.from), finding(r.conclusion.to)),
            if r.note_changed { "changed" } else { "same" },
            evidence,
            arrow(
                render::sign_off_label(r.sign_off.from).to_owned(),
                render::sign_off_label(r.sign_off.to).to_owned()
            ),
        );
    }
}
