//! Prowler's compliance output for one framework (`prowler azure
//! --compliance pci_4.0_azure`): one row per check result under each of the
//! framework's entries, as a semicolon-separated CSV (`REQUIREMENTS_ID`,
//! `REQUIREMENTS_ATTRIBUTES_SECTION`, `STATUS`, `CHECKID`, `MUTED`,
//! `RESOURCEID`, `FRAMEWORK`, `NAME` ...) or as OCSF Compliance Findings
//! (`class_uid` 2003, `compliance.standards` / `compliance.requirements`,
//! the section in `unmapped.requirement_attributes.section`).
//!
//! For PCI DSS v4 Prowler's entry IDs are its own sub-rules (`1.2.5.1` is
//! the first rule under requirement 1.2.5, and `10.4.1.1` is a rule under
//! 10.4.1, not requirement 10.4.1.1): the requirement is the ID the section
//! text starts with (see [`ComplianceRow::pci_requirement`]). Rows of
//! entries without checks (`CHECKID` `manual`) carry no result and are
//! counted, not kept.

use serde_json::Value;

use super::findings::{
    ComplianceRow, PciVersion, ProwlerFinding, ProwlerStatus, ScanEvidence, Severity,
    pci_framework_version,
};
use super::prowler::{OcsfBasics, read_ocsf_items};
use super::read::{Doc, first_item, real_value};
use super::table::{self, has_all, header_fields};
use crate::evidence::node::Node;
use crate::evidence::{EvidenceRef, Format, ImportContext, ImportError, Recognised};

const TOOL: &str = "Prowler";
const CSV_FORMAT: &str = "Prowler compliance CSV";
const OCSF_FORMAT: &str = "Prowler compliance OCSF JSON";
/// The check ID Prowler writes on rows of entries that have no checks.
const MANUAL: &str = "manual";

/// True if the first line is the header of Prowler's compliance CSV.
pub(super) fn is_csv(text: &str) -> bool {
    let fields = header_fields(text, ';');
    has_all(&fields, &["REQUIREMENTS_ID", "STATUS", "CHECKID"])
}

/// Reads a compliance CSV (the caller has checked [`is_csv`]).
pub(super) fn read_csv(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut ScanEvidence,
) -> Result<Recognised, ImportError> {
    let table = table::read(ctx, CSV_FORMAT, text, b';')?;
    let doc = Doc::new(ctx, CSV_FORMAT);
    let required = |name: &'static str| {
        table
            .column(&[name])
            .ok_or_else(|| doc.invalid_at("row 1", format!("the header has no `{name}` column")))
    };
    let (entry, status, check) = (
        required("REQUIREMENTS_ID")?,
        required("STATUS")?,
        required("CHECKID")?,
    );
    let column = |name: &str| table.column(&[name]);
    let (section, framework, name, muted, resource, resource_name) = (
        column("REQUIREMENTS_ATTRIBUTES_SECTION"),
        column("FRAMEWORK"),
        column("NAME"),
        column("MUTED"),
        column("RESOURCEID"),
        column("RESOURCENAME"),
    );
    let mut rows = Rows::default();
    for (row, record) in &table.rows {
        let at = format!("row {row}");
        let cell = |i: Option<usize>| real_value(i.and_then(|i| record.get(i)).map(str::trim));
        let Some(check_id) = cell(Some(check)) else {
            return Err(doc.invalid_at(&at, "the CHECKID cell is empty"));
        };
        let Some(entry_id) = cell(Some(entry)) else {
            return Err(doc.invalid_at(&at, "the REQUIREMENTS_ID cell is empty"));
        };
        let (framework_label, version) = csv_framework(cell(framework), cell(name));
        let resource = cell(resource)
            .filter(|r| r != "manual_check")
            .or(cell(resource_name));
        rows.push(ProwlerFinding {
            title: None,
            status: ProwlerStatus::parse(&cell(Some(status)).unwrap_or_default()),
            muted: cell(muted).is_some_and(|m| m.eq_ignore_ascii_case("true")),
            severity: None,
            source: EvidenceRef {
                path: ctx.path.to_owned(),
                pointer: at,
                resource: resource.clone(),
            },
            resource,
            compliance: Default::default(),
            compliance_row: Some(ComplianceRow {
                framework: framework_label,
                version,
                entry_id,
                section: cell(section),
            }),
            check_id,
        });
    }
    Ok(rows.finish(Format::ProwlerComplianceCsv, None, out))
}

/// The framework label and PCI DSS numbering of a CSV row: `FRAMEWORK` is
/// `PCI`, and `NAME` (`... (PCI DSS) v4.0`) carries the version.
fn csv_framework(framework: Option<String>, name: Option<String>) -> (String, Option<PciVersion>) {
    let framework = framework.unwrap_or_default();
    let version = name
        .as_deref()
        .and_then(|name| name.split_whitespace().last())
        .and_then(|version| pci_framework_version(&format!("{framework}-{version}")));
    let label = match name {
        Some(name) if !framework.is_empty() => format!("{framework}: {name}"),
        Some(name) => name,
        None => framework,
    };
    (label, version)
}

/// True for an OCSF Compliance Finding that Prowler wrote.
fn is_compliance_finding(value: &Value) -> bool {
    value.get("class_uid").and_then(Value::as_u64) == Some(2003)
        && value.get("compliance").is_some_and(Value::is_object)
        && value
            .pointer("/metadata/product/name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(TOOL))
}

/// Reads Prowler's OCSF compliance output; `None` if `root` is not an array
/// of its Compliance Findings.
pub(super) fn read_ocsf(
    ctx: ImportContext<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    if !first_item(root.value()).is_some_and(is_compliance_finding) {
        return None;
    }
    let doc = Doc::new(ctx, OCSF_FORMAT);
    Some(
        read_ocsf_items(doc, root, read_ocsf_item).map(|(findings, version)| {
            let mut rows = Rows::default();
            for finding in findings {
                rows.push(finding);
            }
            rows.finish(Format::ProwlerComplianceOcsf, version, out)
        }),
    )
}

fn read_ocsf_item(
    doc: Doc<'_>,
    item: &Node<'_>,
    basics: OcsfBasics,
) -> Result<ProwlerFinding, ImportError> {
    let compliance = doc.object_member(item, "compliance")?;
    let standards = doc.string_list(&compliance, "standards")?;
    let entries = doc.string_list(&compliance, "requirements")?;
    let Some(entry_id) = entries.first().cloned() else {
        return Err(doc.invalid(
            compliance.pointer(),
            "`requirements` names no framework entry",
        ));
    };
    let framework = standards.first().cloned().unwrap_or_default();
    let title = match doc
        .opt_array(&compliance, "checks")?
        .and_then(|c| c.index(0))
    {
        Some(first) => doc.opt_str(&first, "name")?.map(str::to_owned),
        None => None,
    };
    let section = match doc.opt_object(item, "unmapped")? {
        Some(unmapped) => requirement_section(doc, &unmapped)?,
        None => None,
    };
    Ok(ProwlerFinding {
        check_id: basics.check_id,
        title,
        status: basics.status,
        muted: basics.suppressed,
        severity: doc.opt_str(item, "severity")?.and_then(Severity::parse),
        source: doc.at(item, basics.resource.clone()),
        resource: basics.resource,
        compliance: Default::default(),
        compliance_row: Some(ComplianceRow {
            version: pci_framework_version(&framework),
            framework,
            entry_id,
            section,
        }),
    })
}

/// `unmapped.requirement_attributes.section`: the attributes are an object,
/// or (for some frameworks) a list of objects, of which the first counts.
fn requirement_section(doc: Doc<'_>, unmapped: &Node<'_>) -> Result<Option<String>, ImportError> {
    let Some(attributes) = unmapped.get("requirement_attributes") else {
        return Ok(None);
    };
    let attributes = match attributes.value() {
        Value::Array(_) => match attributes.index(0) {
            Some(first) => first,
            None => return Ok(None),
        },
        _ => attributes,
    };
    doc.object(&attributes, "the requirement's attributes")?;
    Ok(doc.opt_str(&attributes, "section")?.map(str::to_owned))
}

/// The rows read so far, and how many were manual entries left out.
#[derive(Default)]
struct Rows {
    kept: Vec<ProwlerFinding>,
    manual: usize,
}

impl Rows {
    fn push(&mut self, finding: ProwlerFinding) {
        if finding.check_id.eq_ignore_ascii_case(MANUAL) {
            self.manual += 1;
        } else {
            self.kept.push(finding);
        }
    }

    fn finish(self, format: Format, version: Option<String>, out: &mut ScanEvidence) -> Recognised {
        let mut recognised = Recognised::new(format).tool(TOOL, version);
        let rows = &self.kept;
        let placed = rows
            .iter()
            .filter(|f| !f.pci_requirements().is_empty())
            .count();
        let mut frameworks: Vec<&str> = rows
            .iter()
            .filter_map(|f| f.compliance_row.as_ref())
            .map(|row| row.framework.as_str())
            .collect();
        frameworks.sort();
        frameworks.dedup();
        recognised.notes.push(format!(
            "{} compliance row(s) of {}; {placed} name a PCI DSS requirement (for v4, by the ID \
             their section starts with; Prowler's own entry IDs are sub-rules and are not read)",
            rows.len(),
            if frameworks.is_empty() {
                "no named framework".to_owned()
            } else {
                frameworks.join(", ")
            },
        ));
        if placed < rows.len() {
            recognised.notes.push(format!(
                "{} row(s) name no PCI DSS requirement (another framework, or no section that \
                 starts with a requirement ID) and feed no verdict",
                rows.len() - placed
            ));
        }
        if self.manual > 0 {
            recognised.notes.push(format!(
                "{} row(s) of entries without checks (`manual`) carry no result and were left out",
                self.manual
            ));
        }
        out.prowler_findings.extend(self.kept);
        recognised
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_and_version_come_from_the_name() {
        let (label, version) = csv_framework(
            Some("PCI".into()),
            Some("Payment Card Industry Data Security Standard (PCI DSS) v4.0".into()),
        );
        assert_eq!(version, Some(PciVersion::V4));
        assert!(label.starts_with("PCI: Payment Card"));
        let (_, version) = csv_framework(Some("PCI".into()), Some("... (PCI DSS) v3.2.1".into()));
        assert_eq!(version, Some(PciVersion::V3_2_1));
        assert_eq!(
            csv_framework(Some("CIS".into()), Some("CIS 2.0".into())).1,
            None
        );
        assert_eq!(csv_framework(None, None).1, None);
    }

    #[test]
    fn header_detection() {
        assert!(is_csv(
            "PROVIDER;DESCRIPTION;REQUIREMENTS_ID;REQUIREMENTS_ATTRIBUTES_SECTION;STATUS;CHECKID\n"
        ));
        assert!(!is_csv("CHECK_ID;STATUS;SEVERITY;COMPLIANCE\n"));
    }
}
