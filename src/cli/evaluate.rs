//! `tickmark evaluate PATH... [--catalog ID] [--format table|json]
//! [--schema 1|2] [--detail findings|all] [--fail-on fail]`: import
//! evidence, run every check and print the verdict of each assessed
//! requirement of the catalog (PCI DSS 4.0.1 unless `--catalog` says
//! otherwise), appendix requirements included. Nothing is stored.
//!
//! The JSON document comes in two shapes. Schema 2 (the default) lists each
//! check's result once, at the top level, with the resources that fail or
//! could not be judged in full and those that pass counted (listed too with
//! `--detail all`); requirements refer to the results. Schema 1 is the shape
//! of earlier releases: every requirement repeats the results that feed it,
//! every resource included; its output can be larger than the input.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use serde::Serialize;

use super::{Cli, Detail, EXIT_FAILING, EXIT_OK, EXIT_UNUSABLE, EvaluateFormat, FailOn};
use crate::catalog::{Catalog, MappingStrength};
use crate::checks::{self, CheckResult, CheckStatus, LinkedVerdict, ResourceResult, VerdictStatus};
use crate::evidence::custody::Custody;
use crate::evidence::identity::Supersession;
use crate::evidence::sensitive::SensitiveFinding;
use crate::evidence::{self, EvidenceRef, EvidenceSet, ImportError};
use crate::store::VerdictCounts;

/// How `evaluate` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Output {
    /// Table or JSON.
    pub format: EvaluateFormat,
    /// The JSON document's shape: 1 or 2.
    pub schema: u8,
    /// Whether schema 2 lists passing resources.
    pub detail: Detail,
}

/// Runs `tickmark evaluate`.
pub(super) fn run(
    cli: &Cli,
    catalog: &Catalog,
    paths: &[PathBuf],
    output: Output,
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
    let mut results = checks::evaluate(&set, &settings);
    let verdicts = checks::link_verdicts(catalog, &mut results);
    let written = match (output.format, output.schema) {
        (EvaluateFormat::Table, _) => write_table(catalog, &set, &results, &verdicts),
        (EvaluateFormat::Json, 1) => {
            write_json(&Report::new(catalog, &set, &results, &verdicts, &errors))
        }
        (EvaluateFormat::Json, _) => write_json_compact(&ReportV2::new(
            catalog,
            &set,
            &results,
            &verdicts,
            &errors,
            output.detail,
        )),
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
    let failing = verdicts.iter().any(|v| v.status == VerdictStatus::Fail);
    let code = exit_code(&set, &errors, failing, fail_on);
    // The process ends here: the typed evidence and the results of a large
    // cluster (millions of small allocations) are left for the operating
    // system to reclaim at once rather than freed one by one.
    std::mem::forget(set);
    std::mem::forget(results);
    code
}

fn exit_code(
    set: &EvidenceSet,
    errors: &[ImportError],
    failing: bool,
    fail_on: Option<FailOn>,
) -> ExitCode {
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
        results: &'a [CheckResult],
        verdicts: &'a [LinkedVerdict],
        errors: &'a [ImportError],
    ) -> Self {
        Report {
            catalog: &catalog.id,
            catalog_name: &catalog.name,
            inputs: inputs(set),
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
                            .results
                            .iter()
                            .map(|&i| {
                                let result = &results[i];
                                CheckOut {
                                    mapping: checks::strength_in(
                                        catalog,
                                        &verdict.requirement,
                                        result,
                                    )
                                    .id(),
                                    ..CheckOut::from(result)
                                }
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    }
}

fn inputs(set: &EvidenceSet) -> Vec<Input<'_>> {
    set.files
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
        .collect()
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

fn write_json_compact(report: &ReportV2<'_>) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    serde_json::to_writer(&mut out, report)?;
    writeln!(out)?;
    out.flush()
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
fn write_table(
    catalog: &Catalog,
    set: &EvidenceSet,
    results: &[CheckResult],
    verdicts: &[LinkedVerdict],
) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    writeln!(out, "{} ({})", catalog.name, catalog.id)?;
    writeln!(out)?;
    let superseded = evidence::identity::newest(set).1;
    writeln!(out, "Inputs ({}):", set.files.len())?;
    for input in inputs(set) {
        writeln!(out, "  {:<34} {}", input.format, input.path)?;
        if let Some(custody) = input.custody {
            writeln!(out, "  {:<34} {}", "", custody.summary())?;
        }
        let by: std::collections::BTreeMap<&str, usize> = superseded
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
    for verdict in verdicts {
        let title = catalog
            .get(&verdict.requirement)
            .map_or("", |node| node.title.as_str());
        writeln!(
            out,
            "{:<10} {:<12} {}",
            verdict.requirement,
            verdict.status.id(),
            title
        )?;
        if matches!(verdict.status, VerdictStatus::Pass | VerdictStatus::Manual) {
            continue;
        }
        for result in verdict
            .results
            .iter()
            .map(|&i| &results[i])
            .filter(|r| r.status != CheckStatus::Pass)
        {
            let supporting = checks::strength_in(catalog, &verdict.requirement, result)
                == MappingStrength::Supports;
            writeln!(
                out,
                "{:<23} {} {}{}: {}",
                "",
                marker(result.status.id()),
                result.check,
                if supporting { " (supports)" } else { "" },
                result.reason
            )?;
        }
    }
    let summary = VerdictCounts::of(verdicts.iter().map(|v| &v.status));
    writeln!(out)?;
    writeln!(
        out,
        "{} requirements: {}",
        verdicts.len(),
        summary.describe()
    )?;
    if summary.supported > 0 {
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

/// Schema 2 of the JSON document: each result once, requirements referring
/// to results by their position in `results`.
#[derive(Serialize)]
struct ReportV2<'a> {
    schema: u8,
    catalog: &'a str,
    catalog_name: &'a str,
    /// `findings` (passing resources counted) or `all` (listed too).
    detail: &'static str,
    inputs: Vec<Input<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<&'a ImportError>,
    /// Resources that several inputs describe: judged from the newest.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    superseded: Vec<Supersession>,
    summary: VerdictCounts,
    results: Vec<ResultOut<'a>>,
    requirements: Vec<RequirementRefs<'a>>,
}

#[derive(Serialize)]
struct ResultOut<'a> {
    check: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    requirement: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    framework: Option<&'a str>,
    status: &'static str,
    reason: &'a str,
    /// The result's own references; each resource carries its own.
    evidence: Vec<RefOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<ResourcesOut<'a>>,
}

#[derive(Serialize)]
struct ResourcesOut<'a> {
    pass: usize,
    fail: usize,
    not_evaluated: usize,
    /// The resources that fail or could not be judged, grouped by outcome
    /// and reason, in the order judged.
    not_passing: Vec<Group<'a>>,
    /// With `--detail all`: the passing ones, grouped the same way.
    #[serde(skip_serializing_if = "Option::is_none")]
    passing: Option<Vec<Group<'a>>>,
}

/// Resources that share an outcome and a reason.
#[derive(Serialize)]
struct Group<'a> {
    status: &'static str,
    reason: &'a str,
    resources: Vec<ResourceOut<'a>>,
}

#[derive(Serialize)]
struct ResourceOut<'a> {
    resource: &'a str,
    evidence: Vec<RefOut<'a>>,
}

/// An evidence reference: the file as its position in `inputs` (or by path
/// when it is not one of them), the pointer, and the resource when it is
/// not the one the reference is listed under.
#[derive(Serialize)]
struct RefOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    pointer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a str>,
}

#[derive(Serialize)]
struct RequirementRefs<'a> {
    id: &'a str,
    title: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    applies_to: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    new_in_v4: bool,
    checks: Vec<CheckRef<'a>>,
}

/// A result feeding a requirement: its position in `results`, its check,
/// how it feeds and its outcome.
#[derive(Serialize)]
struct CheckRef<'a> {
    result: usize,
    check: &'a str,
    mapping: &'static str,
    status: &'static str,
}

impl<'a> ReportV2<'a> {
    fn new(
        catalog: &'a Catalog,
        set: &'a EvidenceSet,
        results: &'a [CheckResult],
        verdicts: &'a [LinkedVerdict],
        errors: &'a [ImportError],
        detail: Detail,
    ) -> Self {
        let files: std::collections::HashMap<&str, usize> = set
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.as_str(), i))
            .collect();
        let refs = |evidence: &'a [EvidenceRef], under: Option<&str>| -> Vec<RefOut<'a>> {
            evidence
                .iter()
                .map(|e| {
                    let input = files.get(e.path.as_str()).copied();
                    RefOut {
                        input,
                        path: input.is_none().then_some(e.path.as_str()),
                        pointer: &e.pointer,
                        resource: e.resource.as_deref().filter(|r| Some(*r) != under),
                    }
                })
                .collect()
        };
        let groups = |resources: &mut dyn Iterator<Item = &'a ResourceResult>| {
            let mut out: Vec<Group<'a>> = Vec::new();
            let mut at: std::collections::HashMap<(CheckStatus, &str), usize> =
                std::collections::HashMap::new();
            for resource in resources {
                let key = (resource.status, resource.reason.as_str());
                let index = *at.entry(key).or_insert_with(|| {
                    out.push(Group {
                        status: resource.status.id(),
                        reason: &resource.reason,
                        resources: Vec::new(),
                    });
                    out.len() - 1
                });
                out[index].resources.push(ResourceOut {
                    resource: &resource.resource,
                    evidence: refs(&resource.evidence, Some(&resource.resource)),
                });
            }
            out
        };
        let results_out = results
            .iter()
            .map(|result| {
                let resources = (!result.resources.is_empty()).then(|| {
                    let counts = crate::store::ResourceCounts::of(&result.resources);
                    let not_passing = groups(
                        &mut result
                            .resources
                            .iter()
                            .filter(|r| r.status != CheckStatus::Pass),
                    );
                    let passing = (detail == Detail::All).then(|| {
                        groups(
                            &mut result
                                .resources
                                .iter()
                                .filter(|r| r.status == CheckStatus::Pass),
                        )
                    });
                    ResourcesOut {
                        pass: counts.pass,
                        fail: counts.fail,
                        not_evaluated: counts.not_evaluated,
                        not_passing,
                        passing,
                    }
                });
                let own = own_evidence(result);
                ResultOut {
                    check: &result.check,
                    requirement: result.requirement.as_deref(),
                    framework: result.framework.as_deref(),
                    status: result.status.id(),
                    reason: &result.reason,
                    evidence: own
                        .into_iter()
                        .flat_map(|e| refs(std::slice::from_ref(e), None))
                        .collect(),
                    resources,
                }
            })
            .collect();
        ReportV2 {
            schema: 2,
            catalog: &catalog.id,
            catalog_name: &catalog.name,
            detail: match detail {
                Detail::Findings => "findings",
                Detail::All => "all",
            },
            inputs: inputs(set),
            errors: errors.iter().collect(),
            superseded: evidence::identity::newest(set).1,
            summary: VerdictCounts::of(verdicts.iter().map(|v| &v.status)),
            results: results_out,
            requirements: verdicts
                .iter()
                .map(|verdict| {
                    let node = catalog.get(&verdict.requirement);
                    RequirementRefs {
                        id: &verdict.requirement,
                        title: node.map_or("", |node| node.title.as_str()),
                        status: verdict.status.id(),
                        applies_to: node.and_then(|node| node.applies_to.as_deref()),
                        new_in_v4: node.is_some_and(|node| node.new_in_v4),
                        checks: verdict
                            .results
                            .iter()
                            .map(|&i| CheckRef {
                                result: i,
                                check: &results[i].check,
                                mapping: checks::strength_in(
                                    catalog,
                                    &verdict.requirement,
                                    &results[i],
                                )
                                .id(),
                                status: results[i].status.id(),
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    }
}

/// The result's evidence without the references its resources carry (those
/// are listed with each resource).
fn own_evidence(result: &CheckResult) -> Vec<&EvidenceRef> {
    if result.resources.is_empty() {
        return result.evidence.iter().collect();
    }
    let of_resources: std::collections::HashSet<&EvidenceRef> = result
        .resources
        .iter()
        .flat_map(|r| r.evidence.iter())
        .collect();
    result
        .evidence
        .iter()
        .filter(|e| !of_resources.contains(e))
        .collect()
}
