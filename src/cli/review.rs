//! Reviewing from the command line, under the same rules as the app:
//!
//! * `tickmark review --assessment A --requirement R --finding F
//!   [--method M] [--note-file FILE] [--worksheet FILE] --profile NAME`
//!   records the finding (and method, note, worksheet). What is not given
//!   stays as recorded: without `--note-file` the note is kept, without
//!   `--method` the recorded method (or the one the worksheet file is for).
//! * `tickmark sign-off --assessment A --requirement R [--statement S]
//!   --profile NAME` signs it off.
//! * `tickmark not-applicable --assessment A --appendix A1 --reason TEXT
//!   --profile NAME` declares a whole appendix not applicable.
//!
//! The worksheet file is TOML with a `[compensating]` table (the Appendix C
//! fields `constraints`, `objective`, `identified_risk`, `definition`,
//! `validation`, `maintenance`) or a `[customized]` table (`objective`,
//! `risk_analysis`, `controls`, `testing`); see [`WORKSHEET_EXAMPLE`].
//!
//! Exit codes: 0 recorded, 1 refused by a rule of the review (the reason is
//! printed), 2 unusable input (no record, assessment, profile or file; a
//! file that does not read).

use std::path::Path;
use std::process::ExitCode;

use serde::Deserialize;

use super::Cli;
use super::record::{self, Failure};
use crate::store::{
    CompensatingControl, CustomizedApproach, Finding, Method, Review, ReviewInput, Store,
    default_review_statement, default_statement, sign_off_gaps,
};

/// An example worksheet file, as `tickmark review --help` shows it.
pub const WORKSHEET_EXAMPLE: &str = r#"# A compensating control (PCI DSS Appendix C); use [customized] with
# objective, risk_analysis, controls and testing for the customized approach.
[compensating]
constraints = "The log platform cannot keep 12 months online."
objective = "Keep audit trails available for analysis for a year."
identified_risk = "Older logs could not be searched quickly during an incident."
definition = "Logs are archived to immutable storage kept 400 days and restored on request."
validation = "Restored a 9-month-old day of logs on 2026-11-20 in 2 hours."
maintenance = "Quarterly restore test by Security Operations."
"#;

/// The options of `tickmark review`.
#[derive(Debug, Clone)]
pub struct ReviewArgs<'a> {
    /// The assessment's name.
    pub assessment: &'a str,
    /// The requirement ID.
    pub requirement: &'a str,
    /// The finding.
    pub finding: Finding,
    /// The method, if given.
    pub method: Option<Method>,
    /// A Markdown file with the note.
    pub note_file: Option<&'a Path>,
    /// A TOML worksheet file.
    pub worksheet: Option<&'a Path>,
    /// Who acts.
    pub profile: Option<&'a str>,
    /// The review event this edit started from (0: none yet), when given.
    pub based_on: Option<i64>,
}

/// A worksheet file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorksheetFile {
    compensating: Option<CompensatingControl>,
    customized: Option<CustomizedApproach>,
}

/// Runs `tickmark review`.
pub(super) fn run_review(cli: &Cli, args: &ReviewArgs<'_>) -> ExitCode {
    record::finish("review", review(cli, args))
}

/// The options of `tickmark sign-off`.
#[derive(Debug, Clone)]
pub struct SignOffArgs<'a> {
    /// The assessment's name.
    pub assessment: &'a str,
    /// The requirement ID.
    pub requirement: &'a str,
    /// The statement (default: [`default_statement`]).
    pub statement: Option<&'a str>,
    /// Who signs.
    pub profile: Option<&'a str>,
    /// The private key file to sign with (else ssh-agent).
    pub key: Option<&'a Path>,
    /// Sign as the reviewer rather than the preparer.
    pub reviewer: bool,
}

/// Runs `tickmark sign-off`.
pub(super) fn run_sign_off(cli: &Cli, args: &SignOffArgs<'_>) -> ExitCode {
    record::finish("sign-off", sign_off(cli, args))
}

/// Runs `tickmark not-applicable`.
pub(super) fn run_not_applicable(
    cli: &Cli,
    assessment: &str,
    appendix: &str,
    reason: &str,
    profile: Option<&str>,
) -> ExitCode {
    record::finish(
        "not-applicable",
        not_applicable(cli, assessment, appendix, reason, profile),
    )
}

fn review(cli: &Cli, args: &ReviewArgs<'_>) -> Result<Vec<String>, Failure> {
    let note = args
        .note_file
        .map(|path| record::read_text(path, "note"))
        .transpose()?;
    let worksheet = args.worksheet.map(read_worksheet).transpose()?;
    let (mut store, db) = record::open(cli, false)?;
    let assessment = record::assessment(&store, args.assessment, &db)?;
    let catalog = record::catalog_of(&assessment)?;
    let profile = record::profile(&store, args.profile)?;
    let old = store.review(assessment.id, args.requirement)?;
    let input = review_input(old.as_ref(), args, note, worksheet);
    let actor = record::actor(&profile);
    let saved = match args.based_on {
        None => store.set_review(&actor, assessment.id, catalog, args.requirement, &input),
        Some(seq) => store.set_review_based_on(
            &actor,
            assessment.id,
            catalog,
            args.requirement,
            &input,
            (seq > 0).then_some(seq),
        ),
    }?;
    let mut lines = vec![format!(
        "Recorded {} of \"{}\": {}, by {} (event #{})",
        args.requirement,
        assessment.name,
        saved
            .conclusion()
            .map_or_else(|| "no finding".to_owned(), |c| c.label()),
        record::describe(&profile),
        saved.event
    )];
    let failing = failing_checks(&store, assessment.id, args.requirement)?;
    let gaps = sign_off_gaps(&saved.input(), &failing);
    if !gaps.is_empty() {
        lines.push(format!("Before it can be signed off: {}", gaps.join("; ")));
    }
    Ok(lines)
}

/// What `tickmark review` records: the recorded review (if any) with what
/// the command line gives in place.
fn review_input(
    old: Option<&Review>,
    args: &ReviewArgs<'_>,
    note: Option<String>,
    worksheet: Option<WorksheetFile>,
) -> ReviewInput {
    let old = old.map(Review::input).unwrap_or_default();
    let worksheet = worksheet.unwrap_or_default();
    let from_file = match (&worksheet.compensating, &worksheet.customized) {
        (Some(_), None) => Some(Method::Compensating),
        (None, Some(_)) => Some(Method::Customized),
        _ => None,
    };
    let method = args.method.or(from_file).unwrap_or(old.method);
    let given = worksheet.compensating.is_some() || worksheet.customized.is_some();
    let (compensating, customized) = if given {
        // Both tables in one file reach the store, which refuses them
        // together with the app's words.
        (worksheet.compensating, worksheet.customized)
    } else {
        // No file: the recorded worksheet stays if it goes with the method.
        (
            old.compensating.filter(|_| method == Method::Compensating),
            old.customized.filter(|_| method == Method::Customized),
        )
    };
    ReviewInput {
        finding: Some(args.finding),
        method,
        compensating,
        customized,
        note: note.unwrap_or(old.note),
    }
}

fn read_worksheet(path: &Path) -> Result<WorksheetFile, Failure> {
    let text = record::read_text(path, "worksheet")?;
    let file: WorksheetFile = toml::from_str(&text).map_err(|e| {
        Failure::unusable(format!(
            "{}: not a worksheet file: {}",
            path.display(),
            e.to_string().trim_end()
        ))
    })?;
    if file.compensating.is_none() && file.customized.is_none() {
        return Err(Failure::unusable(format!(
            "{}: the worksheet file has neither a [compensating] nor a [customized] table",
            path.display()
        )));
    }
    Ok(file)
}

/// The checks of `requirement` that fail in the assessment's latest run.
fn failing_checks(
    store: &Store,
    assessment: i64,
    requirement: &str,
) -> Result<Vec<String>, Failure> {
    let mut out: Vec<String> = Vec::new();
    if let Some(run) = store.latest_run(assessment)?
        && let Some(verdict) = run.verdict(requirement)
    {
        for check in &verdict.checks {
            if check.status == crate::checks::CheckStatus::Fail && !out.contains(&check.check) {
                out.push(check.check.clone());
            }
        }
    }
    Ok(out)
}

fn sign_off(cli: &Cli, args: &SignOffArgs<'_>) -> Result<Vec<String>, Failure> {
    let requirement = args.requirement;
    let (mut store, db) = record::open(cli, false)?;
    let assessment = record::assessment(&store, args.assessment, &db)?;
    let catalog = record::catalog_of(&assessment)?;
    let profile = record::profile(&store, args.profile)?;
    let statement = args.statement.map(str::to_owned).unwrap_or_else(|| {
        if args.reviewer {
            default_review_statement(requirement)
        } else {
            default_statement(requirement)
        }
    });
    let signer = super::sign::signer_for(&profile, args.key)?;
    let sign = if args.reviewer {
        Store::review_sign_off_with
    } else {
        Store::sign_off_with
    };
    let signed = sign(
        &mut store,
        &record::actor(&profile),
        assessment.id,
        catalog,
        requirement,
        &statement,
        signer.as_deref(),
    )?;
    Ok(vec![format!(
        "Signed off {requirement} of \"{}\" as {} {} (event #{}, binding {}, {})",
        assessment.name,
        signed.level.id(),
        record::describe(&profile),
        signed.id,
        signed
            .binding_hash
            .get(..12)
            .unwrap_or(&signed.binding_hash),
        signed.signature_label()
    )])
}

fn not_applicable(
    cli: &Cli,
    name: &str,
    appendix: &str,
    reason: &str,
    profile: Option<&str>,
) -> Result<Vec<String>, Failure> {
    let (mut store, db) = record::open(cli, false)?;
    let assessment = record::assessment(&store, name, &db)?;
    let catalog = record::catalog_of(&assessment)?;
    let profile = record::profile(&store, profile)?;
    let recorded = store.declare_not_applicable(
        &record::actor(&profile),
        assessment.id,
        catalog,
        appendix,
        reason,
    )?;
    let mut lines = vec![format!(
        "Declared {} requirement(s) of {appendix} not applicable in \"{}\" as {}",
        recorded.len(),
        assessment.name,
        record::describe(&profile)
    )];
    if !recorded.is_empty() {
        lines.push(format!("  {}", recorded.join(", ")));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(finding: Finding, method: Option<Method>) -> ReviewArgs<'static> {
        ReviewArgs {
            assessment: "A",
            requirement: "10.5.1",
            finding,
            method,
            note_file: None,
            worksheet: None,
            profile: None,
            based_on: None,
        }
    }

    #[test]
    fn the_example_worksheet_reads() {
        let file: WorksheetFile = toml::from_str(WORKSHEET_EXAMPLE).unwrap();
        let worksheet = file.compensating.unwrap();
        assert!(
            worksheet
                .fields()
                .iter()
                .all(|(_, _, text)| !text.is_empty())
        );
        assert!(file.customized.is_none());
    }

    #[test]
    fn what_is_not_given_stays_as_recorded() {
        let old = Review {
            assessment: 1,
            requirement: "10.5.1".into(),
            finding: Some(Finding::NotTested),
            method: Method::Compensating,
            compensating: Some(CompensatingControl {
                constraints: "kept".into(),
                ..CompensatingControl::default()
            }),
            customized: None,
            note: "old note".into(),
            reviewer: crate::store::Person {
                profile: None,
                name: None,
                email: None,
                role: None,
                os_user: "u".into(),
            },
            reviewed_at: chrono::Utc::now(),
            event: 5,
        };
        let input = review_input(Some(&old), &args(Finding::InPlace, None), None, None);
        assert_eq!(input.finding, Some(Finding::InPlace));
        assert_eq!(input.method, Method::Compensating);
        assert_eq!(input.compensating.unwrap().constraints, "kept");
        assert_eq!(input.note, "old note");
        let defined = review_input(
            Some(&old),
            &args(Finding::InPlace, Some(Method::Defined)),
            Some("new".into()),
            None,
        );
        assert_eq!(defined.compensating, None);
        assert_eq!(defined.note, "new");
        let file = WorksheetFile {
            compensating: None,
            customized: Some(CustomizedApproach::default()),
        };
        let from_file = review_input(None, &args(Finding::InPlace, None), None, Some(file));
        assert_eq!(from_file.method, Method::Customized);
    }

    #[test]
    fn a_worksheet_file_with_unknown_fields_is_refused_with_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.toml");
        std::fs::write(&path, "[compensating]\nconstraint = \"typo\"\n").unwrap();
        let err = read_worksheet(&path).unwrap_err();
        assert_eq!(err.code, crate::cli::EXIT_UNUSABLE);
        assert!(
            err.message.contains("w.toml") && err.message.contains("constraint"),
            "{}",
            err.message
        );
        std::fs::write(&path, "# nothing\n").unwrap();
        assert!(
            read_worksheet(&path)
                .unwrap_err()
                .message
                .contains("neither")
        );
    }
}
