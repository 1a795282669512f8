//! Defender for Cloud: assessments (`Microsoft.Security/assessments` from
//! the ARM REST API or `az security assessment list`; `displayName`,
//! `status.code`, `metadata.severity` when expanded, `resourceDetails`) and
//! the portal's recommendations CSV export (UTF-8 with BOM, quoted;
//! `recommendationName` is the assessment key, `recommendationDisplayName`,
//! `severity`, `state`, `resourceId`).

use super::defender_map::{self, lookup};
use super::findings::{AssessmentStatus, DefenderAssessment, ScanEvidence, Severity};
use super::read::Doc;
use super::table::{self, has_all, header_fields};
use crate::evidence::arm::ArmResource;
use crate::evidence::node::Node;
use crate::evidence::{EvidenceRef, Format, ImportContext, ImportError, Recognised};

const CSV_FORMAT: &str = "Defender for Cloud recommendations CSV";

/// Reads one assessment resource into `out`.
pub(super) fn read_assessment(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut ScanEvidence,
) -> Result<(), ImportError> {
    let doc = Doc::new(ctx, "Defender for Cloud assessment");
    let props = resource.props();
    doc.object(&props, "an assessment's properties")?;
    let status = doc.object_member(&props, "status")?;
    let code = doc.str(&status, "code")?;
    let metadata = doc.opt_object(&props, "metadata")?;
    let severity = match &metadata {
        Some(metadata) => match doc.opt_str(metadata, "severity")? {
            Some(text) => Some(parse_severity(doc, metadata, text)?),
            None => None,
        },
        None => None,
    };
    let key = resource
        .name()
        .map(str::to_owned)
        .or_else(|| resource.id().and_then(key_from_id));
    let name = match doc.opt_str(&props, "displayName")? {
        Some(name) => name.to_owned(),
        None => match &metadata {
            Some(metadata) => doc.opt_str(metadata, "displayName")?.map(str::to_owned),
            None => None,
        }
        .or(key.clone())
        .ok_or_else(|| doc.invalid(props.pointer(), "the assessment has no `displayName`"))?,
    };
    let resource_id = match doc.opt_object(&props, "resourceDetails")? {
        Some(details) => doc.opt_str(&details, "id")?.map(str::to_owned),
        None => None,
    }
    .or_else(|| resource.id().and_then(assessed_resource_from_id));
    out.defender_assessments.push(DefenderAssessment {
        key,
        name,
        status: AssessmentStatus::parse(code),
        severity,
        source: doc.at(&resource.node, resource_id.clone()),
        resource_id,
    });
    Ok(())
}

fn parse_severity(doc: Doc<'_>, node: &Node<'_>, text: &str) -> Result<Severity, ImportError> {
    Severity::parse(text).ok_or_else(|| {
        doc.invalid(
            &format!("{}/severity", node.pointer()),
            format!("`{text}` is not a Defender severity (Low, Medium, High)"),
        )
    })
}

/// `.../providers/Microsoft.Security/assessments/<key>` → `<key>`.
fn key_from_id(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let start = lower.rfind("/assessments/")? + "/assessments/".len();
    let key = id[start..].trim_matches('/');
    (!key.is_empty() && !key.contains('/')).then(|| key.to_owned())
}

/// The assessed resource: the assessment ID without its provider suffix.
fn assessed_resource_from_id(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let end = lower.rfind("/providers/microsoft.security/assessments/")?;
    (end > 0).then(|| id[..end].to_owned())
}

/// True if the first line is a recommendations-export header.
pub(super) fn is_csv(text: &str) -> bool {
    let fields = header_fields(text, ',');
    has_all(&fields, &["state", "severity"])
        && (has_all(&fields, &["recommendationDisplayName"])
            || has_all(&fields, &["recommendationName"]))
}

/// Reads the recommendations CSV (the caller has checked [`is_csv`]).
pub(super) fn read_csv(
    ctx: ImportContext<'_>,
    text: &str,
    out: &mut ScanEvidence,
) -> Result<Recognised, ImportError> {
    let table = table::read(ctx, CSV_FORMAT, text, b',')?;
    let doc = Doc::new(ctx, CSV_FORMAT);
    let missing =
        |name: &str| doc.invalid_at("row 1", format!("the header has no `{name}` column"));
    let state = table.column(&["state"]).ok_or_else(|| missing("state"))?;
    let severity = table
        .column(&["severity"])
        .ok_or_else(|| missing("severity"))?;
    let display = table.column(&["recommendationDisplayName"]);
    let name = table.column(&["recommendationName"]);
    let id = table.column(&["recommendationId"]);
    let resource = table.column(&["resourceId"]);
    let mut found = Vec::new();
    for (row, record) in &table.rows {
        let at = format!("row {row}");
        let cell = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let key = cell(name)
            .filter(|n| looks_like_key(n))
            .map(str::to_owned)
            .or_else(|| cell(id).and_then(key_from_id));
        let title = cell(display)
            .or(cell(name))
            .ok_or_else(|| doc.invalid_at(&at, "the row names no recommendation"))?;
        let state_text =
            cell(Some(state)).ok_or_else(|| doc.invalid_at(&at, "the `state` cell is empty"))?;
        let severity = match cell(Some(severity)) {
            Some(text) => Some(Severity::parse(text).ok_or_else(|| {
                doc.invalid_at(&at, format!("`{text}` is not a Defender severity"))
            })?),
            None => None,
        };
        let resource_id = cell(resource).map(str::to_owned);
        found.push(DefenderAssessment {
            key,
            name: title.to_owned(),
            status: AssessmentStatus::parse(state_text),
            severity,
            source: EvidenceRef {
                path: ctx.path.to_owned(),
                pointer: at,
                resource: resource_id.clone(),
            },
            resource_id,
        });
    }
    let mut recognised = Recognised::new(Format::DefenderRecommendationsCsv)
        .tool("Microsoft Defender for Cloud", None);
    recognised.notes = notes(&found);
    out.defender_assessments.extend(found);
    Ok(recognised)
}

/// An assessment key: a GUID (hex and dashes, 36 characters).
fn looks_like_key(text: &str) -> bool {
    text.len() == 36 && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// A summary, and the recommendations the curated table does not map.
pub(super) fn notes(assessments: &[DefenderAssessment]) -> Vec<String> {
    let count = |s: AssessmentStatus| assessments.iter().filter(|a| a.status == s).count();
    let mut notes = vec![format!(
        "{} Defender for Cloud assessment(s): {} Unhealthy, {} Healthy, {} NotApplicable",
        assessments.len(),
        count(AssessmentStatus::Unhealthy),
        count(AssessmentStatus::Healthy),
        count(AssessmentStatus::NotApplicable)
    )];
    match defender_map::table() {
        Err(problem) => notes.push(problem.to_owned()),
        Ok(table) => {
            let mut unmapped: Vec<&str> = assessments
                .iter()
                .filter(|a| lookup(table, a).is_none())
                .map(|a| a.name.as_str())
                .collect();
            unmapped.sort();
            unmapped.dedup();
            if !unmapped.is_empty() {
                notes.push(format!(
                    "{} recommendation(s) not mapped to a PCI DSS requirement, so scan.defender \
                     does not judge them: {}",
                    unmapped.len(),
                    unmapped.join("; ")
                ));
            }
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_resources_come_from_assessment_ids() {
        let id = "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c/providers/Microsoft.Security/assessments/08e628db-e2ed-4793-bc91-d13e684401c3";
        assert_eq!(
            key_from_id(id).as_deref(),
            Some("08e628db-e2ed-4793-bc91-d13e684401c3")
        );
        assert!(
            assessed_resource_from_id(id)
                .unwrap()
                .ends_with("managedClusters/c")
        );
        assert!(looks_like_key("08e628db-e2ed-4793-bc91-d13e684401c3"));
        assert!(!looks_like_key("Virtual networks should be protected"));
    }
}
