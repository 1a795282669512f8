//! Prowler findings: the default CSV (semicolon-separated; `CHECK_ID`,
//! `STATUS`, `SEVERITY`, `MUTED`, `RESOURCE_UID`, and `COMPLIANCE` such as
//! `CIS-1.10: 1.2.11 | PCI-3.2.1: 1.3.1, 1.3.2`) and the OCSF JSON array
//! (Detection Findings with `status_code`, `severity`, `metadata.event_code`
//! and `unmapped.compliance`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::findings::{ProwlerFinding, ProwlerStatus, ScanEvidence, Severity};
use super::read::{Doc, first_item, real_value};
use super::table::{self, has_all, header_fields};
use crate::evidence::node::Node;
use crate::evidence::{EvidenceRef, Format, ImportContext, ImportError, Recognised};

const TOOL: &str = "Prowler";
const CSV_FORMAT: &str = "Prowler CSV";

/// True if the first line is a Prowler CSV header.
pub(super) fn is_csv(text: &str) -> bool {
    let fields = header_fields(text, ';');
    fields.len() > 3 && has_all(&fields, &["CHECK_ID", "STATUS"])
}

/// Reads a Prowler CSV (the caller has checked [`is_csv`]).
pub(super) fn read_csv(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut ScanEvidence,
) -> Result<Recognised, ImportError> {
    let table = table::read(ctx, CSV_FORMAT, text, b';')?;
    let doc = Doc::new(ctx, CSV_FORMAT);
    let column = |names: &[&str]| table.column(names);
    let required = |name: &'static str| {
        column(&[name])
            .ok_or_else(|| doc.invalid_at("row 1", format!("the header has no `{name}` column")))
    };
    let check = required("CHECK_ID")?;
    let status = required("STATUS")?;
    let severity = required("SEVERITY")?;
    let columns = CsvColumns {
        check,
        status,
        severity,
        title: column(&["CHECK_TITLE"]),
        muted: column(&["MUTED"]),
        resource: column(&[
            "RESOURCE_UID",
            "RESOURCE_ID",
            "RESOURCE_ARN",
            "RESOURCE_NAME",
        ]),
        compliance: column(&["COMPLIANCE"]),
    };
    let version = column(&["PROWLER_VERSION"])
        .and_then(|i| table.rows.first().and_then(|(_, r)| real_value(r.get(i))));
    let mut findings = Vec::new();
    for (row, record) in &table.rows {
        findings.push(read_csv_row(doc, &columns, *row, record)?);
    }
    Ok(finish(Format::ProwlerCsv, version, findings, out))
}

struct CsvColumns {
    check: usize,
    status: usize,
    severity: usize,
    title: Option<usize>,
    muted: Option<usize>,
    resource: Option<usize>,
    compliance: Option<usize>,
}

fn read_csv_row(
    doc: Doc<'_>,
    columns: &CsvColumns,
    row: usize,
    record: &csv::StringRecord,
) -> Result<ProwlerFinding, ImportError> {
    let at = format!("row {row}");
    let cell = |i: usize| record.get(i).unwrap_or_default().trim();
    let optional = |i: Option<usize>| i.map(cell).filter(|v| !v.is_empty()).map(str::to_owned);
    let check_id = cell(columns.check);
    if check_id.is_empty() {
        return Err(doc.invalid_at(&at, "the CHECK_ID cell is empty"));
    }
    let severity = parse_severity(doc, &at, cell(columns.severity))?;
    let muted = optional(columns.muted).is_some_and(|m| m.eq_ignore_ascii_case("true"));
    let compliance = optional(columns.compliance)
        .map(|text| parse_compliance_cell(&text))
        .unwrap_or_default();
    let resource = optional(columns.resource);
    Ok(ProwlerFinding {
        check_id: check_id.to_owned(),
        title: optional(columns.title),
        status: ProwlerStatus::parse(cell(columns.status)),
        muted,
        severity,
        source: EvidenceRef {
            path: doc.ctx.path.to_owned(),
            pointer: at,
            resource: resource.clone(),
        },
        resource,
        compliance,
        compliance_row: None,
    })
}

/// `CIS-1.10: 1.2.11 | PCI-3.2.1: 1.3.1, 1.3.2` → framework → IDs.
fn parse_compliance_cell(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for part in text.split('|') {
        let Some((framework, ids)) = part.split_once(':') else {
            continue;
        };
        let entry = map.entry(framework.trim().to_owned()).or_default();
        entry.extend(
            ids.split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned),
        );
    }
    map
}

fn parse_severity(doc: Doc<'_>, at: &str, text: &str) -> Result<Option<Severity>, ImportError> {
    if text.is_empty() {
        return Ok(None);
    }
    Severity::parse(text).map(Some).ok_or_else(|| {
        doc.invalid_at(
            at,
            format!(
                "`{text}` is not a Prowler severity (critical, high, medium, low, informational)"
            ),
        )
    })
}

fn is_ocsf_finding(value: &Value) -> bool {
    let product = value
        .pointer("/metadata/product/name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.eq_ignore_ascii_case(TOOL));
    // Compliance Findings (class 2003) are `prowler_compliance`'s.
    if value.get("class_uid").and_then(Value::as_u64) == Some(2003) {
        return false;
    }
    let detection = value.get("class_uid").and_then(Value::as_u64) == Some(2004)
        && value.get("status_code").is_some()
        && value.get("finding_info").is_some();
    product || detection
}

/// Reads Prowler OCSF JSON; `None` if `root` is not an array of findings.
pub(super) fn read_ocsf(
    ctx: ImportContext<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    if !first_item(root.value()).is_some_and(is_ocsf_finding) {
        return None;
    }
    let doc = Doc::new(ctx, "Prowler OCSF JSON");
    Some(
        read_ocsf_items(doc, root, read_ocsf_finding)
            .map(|(findings, version)| finish(Format::ProwlerOcsf, version, findings, out)),
    )
}

/// Reads every item of an OCSF array with `read_item`; also returns the
/// Prowler version the first item that names one names.
pub(super) fn read_ocsf_items(
    doc: Doc<'_>,
    root: &Node<'_>,
    read_item: impl Fn(Doc<'_>, &Node<'_>, OcsfBasics) -> Result<ProwlerFinding, ImportError>,
) -> Result<(Vec<ProwlerFinding>, Option<String>), ImportError> {
    let mut findings = Vec::new();
    let mut version = None;
    for item in root.items() {
        doc.object(&item, "a Prowler finding")?;
        let basics = OcsfBasics::read(doc, &item)?;
        version = version.or(basics.version.clone());
        findings.push(read_item(doc, &item, basics)?);
    }
    Ok((findings, version))
}

/// What every Prowler OCSF event carries, findings and compliance findings
/// alike.
pub(super) struct OcsfBasics {
    /// `metadata.event_code`: the Prowler check.
    pub check_id: String,
    /// `metadata.product.version`.
    pub version: Option<String>,
    /// `status_code`: PASS, FAIL, MANUAL.
    pub status: ProwlerStatus,
    /// The first resource's `uid`, else its `name`.
    pub resource: Option<String>,
    /// `status` is `Suppressed`: the finding was muted.
    pub suppressed: bool,
}

impl OcsfBasics {
    fn read(doc: Doc<'_>, item: &Node<'_>) -> Result<OcsfBasics, ImportError> {
        let metadata = doc.object_member(item, "metadata")?;
        let version = match doc.opt_object(&metadata, "product")? {
            Some(product) => real_value(doc.opt_str(&product, "version")?),
            None => None,
        };
        let resource = match doc.opt_array(item, "resources")?.and_then(|r| r.index(0)) {
            Some(first) => doc
                .opt_str(&first, "uid")?
                .or(doc.opt_str(&first, "name")?)
                .map(str::to_owned),
            None => None,
        };
        Ok(OcsfBasics {
            check_id: doc.str(&metadata, "event_code")?.to_owned(),
            version,
            status: ProwlerStatus::parse(doc.str(item, "status_code")?),
            resource,
            suppressed: doc
                .opt_str(item, "status")?
                .is_some_and(|s| s.eq_ignore_ascii_case("suppressed")),
        })
    }
}

fn read_ocsf_finding(
    doc: Doc<'_>,
    item: &Node<'_>,
    basics: OcsfBasics,
) -> Result<ProwlerFinding, ImportError> {
    let severity = match doc.opt_str(item, "severity")? {
        Some(text) => parse_severity(doc, item.pointer(), text)?,
        None => None,
    };
    let title = match doc.opt_object(item, "finding_info")? {
        Some(info) => doc.opt_str(&info, "title")?.map(str::to_owned),
        None => None,
    };
    let unmapped = doc.opt_object(item, "unmapped")?;
    let (compliance, muted_flag) = match &unmapped {
        Some(unmapped) => (
            read_ocsf_compliance(doc, unmapped)?,
            doc.opt_bool(unmapped, "muted")?.unwrap_or(false),
        ),
        None => (BTreeMap::new(), false),
    };
    Ok(ProwlerFinding {
        check_id: basics.check_id,
        title,
        status: basics.status,
        muted: muted_flag || basics.suppressed,
        severity,
        source: doc.at(item, basics.resource.clone()),
        resource: basics.resource,
        compliance,
        compliance_row: None,
    })
}

fn read_ocsf_compliance(
    doc: Doc<'_>,
    unmapped: &Node<'_>,
) -> Result<BTreeMap<String, Vec<String>>, ImportError> {
    let mut map = BTreeMap::new();
    if let Some(compliance) = doc.opt_object(unmapped, "compliance")? {
        for (framework, _) in compliance.entries() {
            map.insert(
                framework.to_owned(),
                doc.string_list(&compliance, framework)?,
            );
        }
    }
    Ok(map)
}

fn finish(
    format: Format,
    version: Option<String>,
    findings: Vec<ProwlerFinding>,
    out: &mut ScanEvidence,
) -> Recognised {
    let mut recognised = Recognised::new(format).tool(TOOL, version);
    let failed = findings
        .iter()
        .filter(|f| f.status == ProwlerStatus::Fail && !f.muted)
        .count();
    let mapped = findings
        .iter()
        .filter(|f| !f.pci_requirements().is_empty())
        .count();
    recognised.notes.push(format!(
        "{} Prowler finding(s), {failed} FAIL (not muted); {mapped} carry a PCI DSS 3.2.1 mapping",
        findings.len()
    ));
    let v4 = findings
        .iter()
        .filter(|f| !f.pci4_subrules().is_empty())
        .count();
    if v4 > 0 {
        recognised.notes.push(format!(
            "{v4} finding(s) carry Prowler's PCI DSS v4 mapping, whose entries are Prowler's own \
             sub-rule IDs (1.2.5.1 is a rule under requirement 1.2.5), not requirement IDs; they \
             were not read. For PCI DSS 4.0.1 verdicts import Prowler's compliance output \
             (--compliance pci_4.0_azure or pci_4.0_kubernetes), which names each rule's requirement"
        ));
    } else if mapped == 0 && !findings.is_empty() {
        recognised.notes.push(
            "no finding maps to PCI DSS 3.2.1 requirement IDs, so scan.prowler has nothing to \
             judge from this file (for PCI DSS 4.0.1 import Prowler's compliance output, \
             --compliance pci_4.0_azure or pci_4.0_kubernetes)"
                .to_owned(),
        );
    }
    let mut service_groups: Vec<String> = findings
        .iter()
        .flat_map(ProwlerFinding::pci_321_other_entries)
        .collect();
    service_groups.sort();
    service_groups.dedup();
    if !service_groups.is_empty() {
        recognised.notes.push(format!(
            "PCI-3.2.1 mapping entries that are not requirement IDs were ignored: {}",
            service_groups.join(", ")
        ));
    }
    out.prowler_findings.extend(findings);
    recognised
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compliance_cell_splits_frameworks_and_ids() {
        let map = parse_compliance_cell(
            "CIS-1.10: 1.2.11 | PCI-3.2.1: 1.3.1, 1.3.2 | MITRE-ATTACK: T1190",
        );
        assert_eq!(map["PCI-3.2.1"], vec!["1.3.1", "1.3.2"]);
        assert_eq!(map["CIS-1.10"], vec!["1.2.11"]);
        assert_eq!(map.len(), 3);
    }
}
