//! Checkov `-o json`: one object per framework (`check_type`, `results` with
//! `failed_checks`, `summary`), or an array of them when several frameworks
//! ran; with nothing to scan Checkov prints only the summary counters.

use serde_json::Value;

use super::findings::{
    MisconfigurationFinding, MisconfigurationKind, MisconfigurationScan, Rating, ScanEvidence,
    Severity,
};
use super::read::{Doc, first_item, has_keys};
use crate::evidence::node::Node;
use crate::evidence::{Format, ImportContext, ImportError, Recognised};

const TOOL: &str = "Checkov";

fn is_report(value: &Value) -> bool {
    has_keys(value, &["check_type", "results"])
}

fn is_summary_only(value: &Value) -> bool {
    has_keys(value, &["checkov_version", "resource_count", "failed"])
}

/// Reads a Checkov report; `None` if `root` is not one.
pub(super) fn read(
    ctx: ImportContext<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let value = root.value();
    let reports: Vec<Node<'_>> = if is_report(value) || is_summary_only(value) {
        vec![root.clone()]
    } else if first_item(value).is_some_and(is_report) {
        root.items().collect()
    } else {
        return None;
    };
    let doc = Doc::new(ctx, "Checkov JSON");
    let mut scans = Vec::new();
    let mut notes = Vec::new();
    let mut version = None;
    for report in &reports {
        match read_report(doc, report) {
            Ok((scan, note)) => {
                version = version.or(scan.tool_version.clone());
                notes.push(note);
                scans.push(scan);
            }
            Err(e) => return Some(Err(e)),
        }
    }
    let unrated: usize = scans
        .iter()
        .flat_map(|s| &s.findings)
        .filter(|f| f.rating == Rating::Unrated)
        .count();
    if unrated > 0 {
        notes.push(format!(
            "{unrated} failed check(s) carry no severity (Checkov states severities only with a \
             Prisma Cloud key); scan.iac counts them as failures, as Checkov's own SARIF output \
             rates every failed check `error`"
        ));
    }
    out.misconfiguration_scans.extend(scans);
    let mut recognised = Recognised::new(Format::Checkov).tool(TOOL, version);
    recognised.notes = notes;
    Some(Ok(recognised))
}

fn read_report(
    doc: Doc<'_>,
    report: &Node<'_>,
) -> Result<(MisconfigurationScan, String), ImportError> {
    doc.object(report, "a Checkov report")?;
    let summary = if is_summary_only(report.value()) {
        Some(report.clone())
    } else {
        doc.opt_object(report, "summary")?
    };
    let (version, resources, parsing_errors) = match &summary {
        Some(summary) => (
            doc.opt_str(summary, "checkov_version")?.map(str::to_owned),
            doc.opt_u64(summary, "resource_count")?,
            doc.opt_u64(summary, "parsing_errors")?.unwrap_or(0),
        ),
        None => (None, None, 0),
    };
    let check_type = doc.opt_str(report, "check_type")?.unwrap_or("(none)");
    let mut scan = MisconfigurationScan {
        tool: TOOL.to_owned(),
        tool_version: version,
        format: Format::Checkov,
        kind: MisconfigurationKind::Iac,
        source: doc.at(report, Some(check_type.to_owned())),
        scanned: resources,
        unparsed: parsing_errors,
        findings: Vec::new(),
    };
    if let Some(results) = doc.opt_object(report, "results")? {
        for check in doc
            .opt_array(&results, "failed_checks")?
            .iter()
            .flat_map(|c| c.items())
        {
            scan.findings.push(read_failed_check(doc, &check)?);
        }
    }
    let mut note = format!(
        "Checkov {check_type}: {} failed check(s) over {} resource(s)",
        scan.findings.len(),
        resources.map_or("an unstated number of".to_owned(), |r| r.to_string())
    );
    if parsing_errors > 0 {
        note.push_str(&format!(
            "; {parsing_errors} file(s) Checkov could not parse"
        ));
    }
    Ok((scan, note))
}

fn read_failed_check(
    doc: Doc<'_>,
    check: &Node<'_>,
) -> Result<MisconfigurationFinding, ImportError> {
    doc.object(check, "a Checkov failed check")?;
    let id = doc.str(check, "check_id")?;
    let rating = match doc.opt_str(check, "severity")? {
        None => Rating::Unrated,
        Some(text) => Rating::Severity(Severity::parse(text).ok_or_else(|| {
            doc.invalid(
                &format!("{}/severity", check.pointer()),
                format!("`{text}` is not a Checkov severity"),
            )
        })?),
    };
    let file = doc
        .opt_str(check, "file_path")?
        .or(doc.opt_str(check, "repo_file_path")?)
        .unwrap_or("(no file)");
    let resource = doc.opt_str(check, "resource")?.map(str::to_owned);
    Ok(MisconfigurationFinding {
        rule_id: id.to_owned(),
        title: doc.opt_str(check, "check_name")?.map(str::to_owned),
        target: file.to_owned(),
        source: doc.at(
            check,
            Some(resource.clone().unwrap_or_else(|| file.to_owned())),
        ),
        location: resource,
        rating,
    })
}
