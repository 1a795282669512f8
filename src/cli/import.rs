//! `tickmark import --assessment NAME PATH...`: stores evidence in the review
//! record, file by file, then evaluates the whole assessment and records the
//! run.
//!
//! Exit codes: 0 when every file imported (new or unchanged), 2 when any
//! file was unusable (its reason on stderr; the good files are still
//! stored) or the review record could not be written.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;

use super::{Cli, EXIT_OK, EXIT_UNUSABLE};
use crate::catalog::Catalog;
use crate::checks;
use crate::evidence::EvidenceSet;
use crate::evidence::Survey;
use crate::evidence::cap::capped;
use crate::evidence::node::is_expression;
use crate::store::{
    Actor, AssessmentUpdate, EvidenceFile, FileReport, ImportOptions, ImportOutcome, NewAssessment,
    ParsedEvidence, RunOutcome, Store, StoreError,
};

/// The cluster name of an assessment created before any AKS evidence names it.
const UNKNOWN_CLUSTER: &str = "unknown";

/// Runs `tickmark import`.
///
/// `catalog` is the framework of an assessment the import creates;
/// `explicit` says it was asked for with `--catalog`, which an existing
/// assessment of another framework refuses. An existing assessment is
/// evaluated against its own framework.
pub(super) fn run(
    cli: &Cli,
    (catalog, explicit): (&'static Catalog, bool),
    assessment: &str,
    paths: &[PathBuf],
    flags: Flags,
) -> ExitCode {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    let survey = Survey::of(paths);
    if survey.needs_confirmation() && !flags.yes {
        let _ = writeln!(
            err,
            "tickmark import: the paths hold {}, more than {} files or {} MB; nothing was imported. Check the paths, and run again with --yes to import them all",
            survey.describe(),
            Survey::CONFIRM_FILES,
            Survey::CONFIRM_BYTES / 1_000_000
        );
        return ExitCode::from(EXIT_UNUSABLE);
    }
    let options = ImportOptions {
        redact: flags.redact,
    };
    let code = match import(
        cli,
        (catalog, explicit),
        (assessment, &options),
        paths,
        &mut out,
        &mut err,
    ) {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(err, "tickmark import: {message}");
            EXIT_UNUSABLE
        }
    };
    ExitCode::from(code)
}

/// What `tickmark import` was told besides the paths.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Flags {
    /// `--redact`.
    pub redact: bool,
    /// `--yes`.
    pub yes: bool,
}

/// Imports, evaluates and reports; `Err` for errors that stop the whole
/// command (no settings, no record, busy).
fn import(
    cli: &Cli,
    (chosen, explicit): (&'static Catalog, bool),
    (name, options): (&str, &ImportOptions),
    paths: &[PathBuf],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, String> {
    let db = super::db_path(cli)?;
    let settings = super::load_settings(cli)?;
    let mut store = Store::open(&db).map_err(|e| e.to_string())?;
    let catalog = match store.assessment(name).map_err(|e| e.to_string())? {
        None => chosen,
        Some(existing) => {
            let own = super::record::catalog_of(&existing).map_err(|f| f.message)?;
            if explicit && own.id != chosen.id {
                return Err(format!(
                    "assessment \"{name}\" is assessed against {}, not {}; an assessment keeps the framework it was created with (start a {} assessment from it with `tickmark assessment create --name NEW --catalog {} --from \"{name}\"`)",
                    own.id, chosen.id, chosen.name, chosen.id
                ));
            }
            own
        }
    };
    let today = Utc::now().date_naive();
    let new = NewAssessment {
        name: name.to_owned(),
        cluster: UNKNOWN_CLUSTER.to_owned(),
        period_start: today,
        period_end: today,
        catalog_id: catalog.id.clone(),
    };
    let _ = writeln!(
        out,
        "Importing into \"{name}\" (review record {})",
        db.display()
    );
    // One unit: if anything below fails (or the process dies), nothing of
    // this import is in the record: no assessment, no files, no run.
    let code = store
        .atomically(|store| {
            import_and_evaluate(
                store,
                (catalog, &settings),
                (&new, options),
                paths,
                out,
                err,
            )
        })
        .map_err(|e| e.to_string())?;
    if let Ok(scrubbed) = store.scrub()
        && !scrubbed.complete
    {
        let _ = writeln!(
            err,
            "tickmark import: another program is reading the record; its write-ahead log is written back later"
        );
    }
    Ok(code)
}

/// Stores the files, names the cluster and records the run (inside one
/// unit of work).
fn import_and_evaluate(
    store: &mut Store,
    (catalog, settings): (&Catalog, &crate::checks::Settings),
    (new, options): (&NewAssessment, &ImportOptions),
    paths: &[PathBuf],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, StoreError> {
    let (actor, name, today) = (Actor::os_user_only(), &new.name, new.period_start);
    let mut parsed = ParsedEvidence::default();
    let summary = store.import_paths_keeping(
        &actor,
        name,
        Some(new),
        paths,
        options,
        &mut parsed,
        &mut |report| print_file(report, out, err),
    )?;
    let unusable = summary.unusable().count();
    let input_errors = summary.input_errors().count();
    let Some(mut assessment) = summary.assessment else {
        let _ = writeln!(
            err,
            "tickmark import: no file could be imported, so assessment \"{name}\" was not created"
        );
        return Ok(EXIT_UNUSABLE);
    };
    if summary.created {
        let _ = writeln!(
            out,
            "Created assessment \"{name}\" against {} (period {today})",
            catalog.name
        );
    }
    let stored = store.evidence_set_reusing(assessment.id, &mut parsed)?;
    drop(parsed);
    for problem in &stored.problems {
        let _ = writeln!(err, "stored file no longer readable: {problem}");
    }
    if assessment.cluster == UNKNOWN_CLUSTER
        && let Some(cluster) = cluster_name(&stored.set)
    {
        assessment = store.update_assessment(
            &actor,
            assessment.id,
            &AssessmentUpdate {
                cluster: cluster.clone(),
                period_start: assessment.period_start,
                period_end: assessment.period_end,
            },
        )?;
        let _ = writeln!(out, "Cluster: {cluster} (from the AKS evidence)");
    }
    let scope = crate::scope::Scope::derive(&stored.set.evidence);
    if store.record_scope(&actor, assessment.id, &scope)?.is_some() {
        let _ = writeln!(
            out,
            "Scope recorded: {}",
            crate::store::scope_summary(&scope)
        );
    }
    let results = checks::evaluate(&stored.set, settings);
    super::report_unplaced("import", catalog, &results, err);
    let outcome = store.record_run(
        &actor,
        assessment.id,
        catalog,
        settings,
        &stored.set.files,
        results,
    )?;
    print_run(&outcome, out);
    let imported = summary.files.len() - unusable;
    let _ = writeln!(
        out,
        "{imported} file(s) imported or already present, {unusable} unusable, {input_errors} input error(s)"
    );
    let pending = summary
        .files
        .iter()
        .filter_map(|f| f.result.as_ref().ok())
        .filter(|o| matches!(o, ImportOutcome::Imported(f) if f.sensitive_pending()))
        .count();
    if pending > 0 {
        let _ = writeln!(
            err,
            "tickmark import: sensitive data was found in {pending} file(s) and stored as it is; review it with `tickmark evidence list --assessment \"{name}\"`, then keep, redact or purge each file (or import with --redact); exports leave these files out until then"
        );
    }
    Ok(
        if unusable > 0 || input_errors > 0 || !stored.problems.is_empty() {
            EXIT_UNUSABLE
        } else {
            EXIT_OK
        },
    )
}

/// The first literal AKS cluster name in the evidence.
fn cluster_name(set: &EvidenceSet) -> Option<String> {
    first_literal_name(
        set.evidence
            .azure
            .clusters
            .iter()
            .map(|c| c.info.name.as_deref()),
    )
}

/// The first name that is neither empty nor a template expression.
fn first_literal_name<'a>(names: impl IntoIterator<Item = Option<&'a str>>) -> Option<String> {
    names
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|name| !name.is_empty() && !is_expression(name))
        .map(|name| capped(name).into_owned())
}

fn print_file(report: &FileReport, out: &mut dyn Write, err: &mut dyn Write) {
    let _ = match &report.result {
        Ok(ImportOutcome::Imported(file)) => {
            let p = &file.provenance;
            let replaces = file
                .supersedes
                .map(|id| format!(", replaces file #{id}"))
                .unwrap_or_default();
            let what = if file.is_document() {
                "kept as a document (attach it with `tickmark evidence attach`)".to_owned()
            } else {
                format!("evaluated as {}", p.format.id())
            };
            let result = writeln!(
                out,
                "  imported   {}  {what}  {} bytes  sha256 {}{replaces}",
                p.path,
                p.size,
                &p.sha256[..12.min(p.sha256.len())]
            );
            print_lifecycle(file, out);
            result
        }
        Ok(ImportOutcome::Unchanged(file)) => writeln!(
            out,
            "  unchanged  {}  already imported as file #{} ({})",
            report.path, file.id, file.provenance.path
        ),
        Err(e) => writeln!(err, "  unusable   {e}"),
    };
    for e in &report.input_errors {
        let _ = writeln!(err, "  input error {e}");
    }
}

/// What the import found in a file: the files it superseded by their
/// resources, and its sensitive data (masked).
fn print_lifecycle(file: &EvidenceFile, out: &mut dyn Write) {
    for line in file.lifecycle_lines().into_iter().filter(|l| {
        l.starts_with("SENSITIVE")
            || l.starts_with("redacted")
            || l.starts_with("sensitive data not yet")
    }) {
        let _ = writeln!(out, "             {line}");
    }
}

fn print_run(outcome: &RunOutcome, out: &mut dyn Write) {
    let run = outcome.run();
    let c = run.counts();
    let what = match outcome {
        RunOutcome::Recorded(_) => format!("Run #{} recorded", run.id),
        RunOutcome::Unchanged(_) => format!("No change since run #{}", run.id),
    };
    let _ = writeln!(
        out,
        "{what}: {} file(s), {} requirement(s): {}",
        run.files.len(),
        c.total(),
        c.describe()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::pci_dss_321;

    fn cli(db: &std::path::Path) -> Cli {
        Cli {
            db: Some(db.to_owned()),
            time_to_tree: None,
            settings: None,
            command: None,
        }
    }

    fn run_import(cli: &Cli, paths: &[PathBuf]) -> (u8, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let options = ImportOptions::default();
        let code = import(
            cli,
            (pci_dss_321(), true),
            ("Q1", &options),
            paths,
            &mut out,
            &mut err,
        )
        .unwrap();
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    const NSG: &str = r#"{"id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n",
        "name": "n", "type": "Microsoft.Network/networkSecurityGroups", "properties": {"securityRules": []}}"#;

    #[test]
    fn imports_evaluates_records_and_reports_each_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.sqlite3");
        let nsg = dir.path().join("nsg.json");
        let bad = dir.path().join("bad.json");
        std::fs::write(&nsg, NSG).unwrap();
        std::fs::write(&bad, "{\"value\": [").unwrap();
        let cli = cli(&db);
        let (code, out, err) = run_import(&cli, &[nsg.clone(), bad.clone()]);
        assert_eq!(code, EXIT_UNUSABLE);
        assert!(
            out.contains("imported   ") && out.contains("azure-nsg"),
            "{out}"
        );
        assert!(out.contains("Created assessment \"Q1\""), "{out}");
        assert!(
            out.contains("Run #") && out.contains("232 requirement(s)"),
            "{out}"
        );
        assert!(err.contains("bad.json (as JSON) at line 1"), "{err}");
        let store = Store::open_existing(&db).unwrap();
        let a = store.assessment("Q1").unwrap().unwrap();
        assert_eq!(a.cluster, UNKNOWN_CLUSTER);
        assert_eq!(a.catalog_id, "pci-dss-3.2.1");
        assert_eq!(store.runs(a.id).unwrap().len(), 1);
        // Again, with only the good file: nothing new, exit 0.
        let (code, out, err) = run_import(&cli, &[nsg]);
        assert_eq!(code, EXIT_OK, "{err}");
        assert!(
            out.contains("unchanged") && out.contains("No change since run #"),
            "{out}"
        );
        assert!(store.verify().unwrap().is_intact());
    }

    #[test]
    fn nothing_importable_creates_nothing_and_bad_settings_stop_early() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.sqlite3");
        let (code, _, err) = run_import(&cli(&db), &[dir.path().join("missing.json")]);
        assert_eq!(code, EXIT_UNUSABLE);
        assert!(
            err.contains("missing.json") && err.contains("was not created"),
            "{err}"
        );
        assert!(Store::open(&db).unwrap().assessments().unwrap().is_empty());
        let mut with_settings = cli(&db);
        with_settings.settings = Some(dir.path().join("nope.toml"));
        let e = import(
            &with_settings,
            (pci_dss_321(), true),
            ("Q1", &ImportOptions::default()),
            &[],
            &mut Vec::new(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(e.contains("no such settings file"), "{e}");
    }

    #[test]
    fn the_cluster_name_is_the_first_literal_one() {
        assert_eq!(cluster_name(&EvidenceSet::default()), None);
        assert_eq!(first_literal_name([None, Some(" ")]), None);
        assert_eq!(
            first_literal_name([Some("[parameters('clusterName')]"), Some("aks-bu0001a0005")]),
            Some("aks-bu0001a0005".to_owned())
        );
    }
}
