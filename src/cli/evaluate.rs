//! `tickmark evaluate PATH... [--catalog ID] [--format table|json]
//! [--fail-on fail]`: import evidence, run every check and print the verdict
//! of each assessed requirement of the catalog (PCI DSS 4.0.1 unless
//! `--catalog` says otherwise), appendix requirements included. Nothing is
//! stored.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use serde::Serialize;

use super::{Cli, EXIT_FAILING, EXIT_OK, EXIT_UNUSABLE, EvaluateFormat, FailOn};
use crate::catalog::{Catalog, MappingStrength};
use crate::checks::{self, CheckResult, RequirementVerdict, ResourceResult, VerdictStatus};
use crate::evidence::custody::Custody;
use crate::evidence::identity::Supersession;
use crate::evidence::sensitive::SensitiveFinding;
use crate::evidence::{self, EvidenceRef, EvidenceSet, ImportError};
use crate::store::VerdictCounts;

/// Runs `tickmark evaluate`.
pub(super) fn run(
    cli: &Cli,
    catalog: &Catalog,
    paths: &[PathBuf],
    format: EvaluateFormat,
    fail_on: Option<FailOn>,
) -> ExitCode {
    let settings = match super::load_settings(cli) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("tickmark evaluate: {message}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    let (set, errors) = import_all(paths);
    let results = checks::evaluate(&set, &settings);
    let verdicts = checks::verdicts(catalog, &results);
    let report = Report::new(catalog, &set, &verdicts, &errors);
    let written = match format {
        EvaluateFormat::Json => write_json(&report),
        EvaluateFormat::Table => write_table(&report),
    };
    if let Err(error) = written
        && error.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("tickmark evaluate: cannot write the output: {error}");
        return ExitCode::from(EXIT_UNUSABLE);
    }
    super::report_unplaced("evaluate", catalog, &results, &mut io::stderr().lock());
    for error in &errors {
        eprintln!("tickmark evaluate: {error}");
    }
    if !errors.is_empty() {
        let (wrong_fields, unusable): (Vec<&ImportError>, Vec<&ImportError>) = errors
            .iter()
            .partition(|e| set.files.iter().any(|f| f.path == e.path));
        if !unusable.is_empty() {
            eprintln!(
                "tickmark evaluate: {} of {} file(s) could not be used; the verdicts above leave them out",
                unusable.len(),
                unusable.len() + set.files.len()
            );
        }
        if !wrong_fields.is_empty() {
            eprintln!(
                "tickmark evaluate: {} field(s) hold a value of the wrong type; the checks that read them could not judge them",
                wrong_fields.len()
            );
        }
        return ExitCode::from(EXIT_UNUSABLE);
    }
    let failing = verdicts.iter().any(|v| v.status == VerdictStatus::Fail);
    match fail_on {
        Some(FailOn::Fail) if failing => ExitCode::from(EXIT_FAILING),
        _ => ExitCode::from(EXIT_OK),
    }
}

/// Imports every file below `paths`; the good ones are kept when others fail.
pub(super) fn import_all(paths: &[PathBuf]) -> (EvidenceSet, Vec<ImportError>) {
    let walked = evidence::walk(paths);
    let now = Utc::now();
    let batch = evidence::Batch::prepare(&walked.files);
    let mut set = EvidenceSet::default();
    let mut errors = walked.errors;
    for path in walked.files {
        let imported = batch.import(&path, now);
        match imported.result {
            Ok(mut file) => {
                errors.append(&mut file.problems);
                set.add(file);
            }
            Err(error) => errors.push(error),
        }
        if let Some((_, mut compiled)) = imported.compiled {
            errors.append(&mut compiled.problems);
            set.add(compiled);
        }
    }
    (set, errors)
}

/// The JSON document of PRODUCT.md §7, with the catalog it was judged
/// against and, per check, how it feeds the requirement.
#[derive(Serialize)]
struct Report<'a> {
    catalog: &'a str,
    catalog_name: &'a str,
    inputs: Vec<Input<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<&'a ImportError>,
    /// Resources that several inputs describe: judged from the newest.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    superseded: Vec<Supersession>,
    summary: VerdictCounts,
    requirements: Vec<RequirementOut<'a>>,
}

#[derive(Serialize)]
struct Input<'a> {
    path: &'a str,
    format: &'a str,
    sha256: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_version: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    custody: Option<&'a Custody>,
    /// Sensitive data found in it (masked).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sensitive: Vec<&'a SensitiveFinding>,
}

#[derive(Serialize)]
struct RequirementOut<'a> {
    id: &'a str,
    title: &'a str,
    status: &'static str,
    /// The kind of entity an appendix requirement applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    applies_to: Option<&'a str>,
    /// True for a requirement new in PCI DSS v4.0.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    new_in_v4: bool,
    checks: Vec<CheckOut<'a>>,
}

#[derive(Serialize)]
struct CheckOut<'a> {
    id: &'a str,
    /// `tests` (the check tests the requirement fully) or `supports`.
    mapping: &'static str,
    status: &'static str,
    reason: &'a str,
    evidence: &'a [EvidenceRef],
    #[serde(skip_serializing_if = "<[ResourceResult]>::is_empty")]
    resources: &'a [ResourceResult],
}

impl<'a> Report<'a> {
    fn new(
        catalog: &'a Catalog,
        set: &'a EvidenceSet,
        verdicts: &'a [RequirementVerdict],
        errors: &'a [ImportError],
    ) -> Self {
        Report {
            catalog: &catalog.id,
            catalog_name: &catalog.name,
            inputs: set
                .files
                .iter()
                .map(|file| Input {
                    path: &file.path,
                    format: file.format.id(),
                    sha256: &file.sha256,
                    tool: file.tool.as_deref(),
                    tool_version: file.tool_version.as_deref(),
                    notes: &file.notes,
                    custody: file.custody.as_ref(),
                    sensitive: set
                        .evidence
                        .sensitive
                        .iter()
                        .filter(|f| f.path == file.path && !f.redacted)
                        .collect(),
                })
                .collect(),
            errors: errors.iter().collect(),
            superseded: evidence::identity::newest(set).1,
            summary: VerdictCounts::of(verdicts.iter().map(|v| &v.status)),
            requirements: verdicts
                .iter()
                .map(|verdict| {
                    let node = catalog.get(&verdict.requirement);
                    RequirementOut {
                        id: &verdict.requirement,
                        title: node.map_or("", |node| node.title.as_str()),
                        status: verdict.status.id(),
                        applies_to: node.and_then(|node| node.applies_to.as_deref()),
                        new_in_v4: node.is_some_and(|node| node.new_in_v4),
                        checks: verdict
                            .checks
                            .iter()
                            .map(|result| CheckOut {
                                mapping: checks::strength_in(catalog, &verdict.requirement, result)
                                    .id(),
                                ..CheckOut::from(result)
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    }
}

impl<'a> From<&'a CheckResult> for CheckOut<'a> {
    fn from(result: &'a CheckResult) -> Self {
        CheckOut {
            id: &result.check,
            mapping: MappingStrength::Tests.id(),
            status: result.status.id(),
            reason: &result.reason,
            evidence: &result.evidence,
            resources: &result.resources,
        }
    }
}

fn write_json(report: &Report<'_>) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, report)?;
    writeln!(out)?;
    out.flush()
}

/// A readable table: inputs, then every requirement with its verdict and,
/// for those that are not passing, the checks behind it (a supporting one
/// marked so); a summary and what `supported` means at the end.
fn write_table(report: &Report<'_>) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    writeln!(out, "{} ({})", report.catalog_name, report.catalog)?;
    writeln!(out)?;
    writeln!(out, "Inputs ({}):", report.inputs.len())?;
    for input in &report.inputs {
        writeln!(out, "  {:<34} {}", input.format, input.path)?;
        if let Some(custody) = input.custody {
            writeln!(out, "  {:<34} {}", "", custody.summary())?;
        }
        let by: std::collections::BTreeMap<&str, usize> = report
            .superseded
            .iter()
            .filter(|s| s.superseded == input.path)
            .fold(Default::default(), |mut by, s| {
                *by.entry(s.used.as_str()).or_default() += 1;
                by
            });
        for (newer, count) in by {
            writeln!(
                out,
                "  {:<34} superseded by {newer} for {count} resource(s)",
                ""
            )?;
        }
        if !input.sensitive.is_empty() {
            let kinds: std::collections::BTreeSet<&str> =
                input.sensitive.iter().map(|f| f.kind.label()).collect();
            writeln!(
                out,
                "  {:<34} SENSITIVE DATA: {} finding(s): {}",
                "",
                input.sensitive.len(),
                kinds.into_iter().collect::<Vec<_>>().join(", ")
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{:<10} {:<12} TITLE", "ID", "VERDICT")?;
    for requirement in &report.requirements {
        writeln!(
            out,
            "{:<10} {:<12} {}",
            requirement.id, requirement.status, requirement.title
        )?;
        if matches!(requirement.status, "pass" | "manual") {
            continue;
        }
        for check in requirement.checks.iter().filter(|c| c.status != "pass") {
            let supporting = if check.mapping == MappingStrength::Supports.id() {
                " (supports)"
            } else {
                ""
            };
            writeln!(
                out,
                "{:<23} {} {}{supporting}: {}",
                "",
                marker(check.status),
                check.id,
                check.reason
            )?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} requirements: {}",
        report.requirements.len(),
        report.summary.describe()
    )?;
    if report.summary.supported > 0 {
        writeln!(out, "supported: {}", VerdictStatus::Supported.meaning())?;
    }
    out.flush()
}

fn marker(status: &str) -> &'static str {
    match status {
        "fail" => "✗",
        "not_evaluated" => "?",
        _ => "·",
    }
}
