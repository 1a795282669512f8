//! KICS JSON results: `queries[]`, each with a `severity` and the `files[]`
//! where it matched; `files_scanned`, `kics_version` and counters at the top.

use serde_json::Value;

use super::findings::{
    MisconfigurationFinding, MisconfigurationKind, MisconfigurationScan, Rating, ScanEvidence,
    Severity,
};
use super::read::{Doc, has_keys, real_value};
use crate::evidence::node::Node;
use crate::evidence::{Format, ImportContext, ImportError, Recognised};

const TOOL: &str = "KICS";

fn is_kics(value: &Value) -> bool {
    value.get("queries").is_some_and(Value::is_array)
        && (has_keys(value, &["kics_version"])
            || has_keys(value, &["total_counter"])
            || has_keys(value, &["severity_counters"]))
}

/// Reads a KICS report; `None` if `root` is not one.
pub(super) fn read(
    ctx: ImportContext<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    if !is_kics(root.value()) {
        return None;
    }
    let doc = Doc::new(ctx, "KICS JSON");
    Some(read_report(doc, root).map(|scan| {
        let mut recognised = Recognised::new(Format::Kics).tool(TOOL, scan.tool_version.clone());
        recognised.notes.push(format!(
            "KICS: {} finding(s) over {} file(s)",
            scan.findings.len(),
            scan.scanned
                .map_or("an unstated number of".to_owned(), |n| n.to_string())
        ));
        out.misconfiguration_scans.push(scan);
        recognised
    }))
}

fn read_report(doc: Doc<'_>, root: &Node<'_>) -> Result<MisconfigurationScan, ImportError> {
    let mut scan = MisconfigurationScan {
        tool: TOOL.to_owned(),
        tool_version: real_value(doc.opt_str(root, "kics_version")?),
        format: Format::Kics,
        kind: MisconfigurationKind::Iac,
        source: doc.at(root, None),
        scanned: doc.opt_u64(root, "files_scanned")?,
        unparsed: doc.opt_u64(root, "files_failed_to_scan")?.unwrap_or(0),
        findings: Vec::new(),
    };
    for query in doc.array(root, "queries")?.items() {
        doc.object(&query, "a KICS query")?;
        let id = doc
            .opt_str(&query, "query_id")?
            .unwrap_or_default()
            .to_owned();
        let name = doc.str(&query, "query_name")?;
        let text = doc.str(&query, "severity")?;
        let severity = Severity::parse(text).ok_or_else(|| {
            doc.invalid(
                &format!("{}/severity", query.pointer()),
                format!("`{text}` is not a KICS severity (CRITICAL, HIGH, MEDIUM, LOW, INFO)"),
            )
        })?;
        for file in doc.array(&query, "files")?.items() {
            doc.object(&file, "a KICS file match")?;
            let file_name = doc.str(&file, "file_name")?;
            let line = doc.opt_u64(&file, "line")?;
            scan.findings.push(MisconfigurationFinding {
                rule_id: if id.is_empty() {
                    name.to_owned()
                } else {
                    id.clone()
                },
                title: Some(name.to_owned()),
                target: file_name.to_owned(),
                location: line.map(|l| format!("line {l}")),
                rating: Rating::Severity(severity),
                source: doc.at(&file, Some(file_name.to_owned())),
            });
        }
    }
    Ok(scan)
}
