//! trivy-operator `ClusterComplianceReport` (`kubectl get
//! clustercompliancereport cis -o json`, or a `List` of them): the
//! specification's controls in `spec.compliance.controls` and the results in
//! `status.detailReport.results` (report type `all`) or
//! `status.summaryReport.controlCheck` (report type `summary`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::findings::{
    ComplianceControl, ComplianceOutcome, ComplianceReport, ScanEvidence, Severity,
};
use super::read::{Doc, has_keys, real_value};
use crate::evidence::node::Node;
use crate::evidence::{Format, ImportContext, ImportError, Recognised};

const KIND: &str = "ClusterComplianceReport";

fn is_report(value: &Value) -> bool {
    value.get("kind").and_then(Value::as_str) == Some(KIND)
        && value
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("aquasecurity.github.io/"))
}

fn is_report_list(value: &Value) -> bool {
    has_keys(value, &["items"])
        && value.get("kind").and_then(Value::as_str) == Some("List")
        && value
            .get("items")
            .and_then(Value::as_array)
            .is_some_and(|items| !items.is_empty() && items.iter().all(is_report))
}

/// Reads a compliance report or a list of them; `None` if `root` is neither.
pub(super) fn read(
    ctx: ImportContext<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let reports: Vec<Node<'_>> = if is_report(root.value()) {
        vec![root.clone()]
    } else if is_report_list(root.value()) {
        root.get("items")?.items().collect()
    } else {
        return None;
    };
    let doc = Doc::new(ctx, "trivy-operator ClusterComplianceReport");
    let mut recognised = Recognised::new(Format::TrivyOperatorCompliance);
    let mut version = None;
    let mut found = Vec::new();
    for node in &reports {
        match read_report(doc, node) {
            Ok((report, operator_version)) => {
                version = version.or(operator_version);
                recognised.notes.push(summary(&report));
                found.push(report);
            }
            Err(e) => return Some(Err(e)),
        }
    }
    recognised = recognised.tool("trivy-operator", version);
    out.compliance_reports.extend(found);
    Some(Ok(recognised))
}

fn read_report(
    doc: Doc<'_>,
    node: &Node<'_>,
) -> Result<(ComplianceReport, Option<String>), ImportError> {
    let metadata = doc.opt_object(node, "metadata")?;
    let operator_version = match &metadata {
        Some(metadata) => match doc.opt_object(metadata, "labels")? {
            Some(labels) => real_value(doc.opt_str(&labels, "app.kubernetes.io/version")?),
            None => None,
        },
        None => None,
    };
    let spec = doc.object_member(node, "spec")?;
    let compliance = doc.object_member(&spec, "compliance")?;
    let spec_id = doc.str(&compliance, "id")?.to_owned();
    let title = doc
        .opt_str(&compliance, "title")?
        .unwrap_or(&spec_id)
        .to_owned();
    let spec_controls = read_spec_controls(doc, &compliance)?;
    let status = doc.opt_object(node, "status")?;
    let Some(status) = status else {
        return Err(doc.invalid(
            node.pointer(),
            "the report has no `status`: the operator has not produced results yet",
        ));
    };
    let updated = doc.opt_str(&status, "updateTimestamp")?.map(str::to_owned);
    let controls = if let Some(detail) = doc.opt_object(&status, "detailReport")? {
        read_detail(doc, &detail, &spec_controls)?
    } else if let Some(summary) = doc.opt_object(&status, "summaryReport")? {
        read_summary(doc, &summary, &spec_controls)?
    } else {
        return Err(doc.invalid(
            status.pointer(),
            "the status holds neither `detailReport` nor `summaryReport`",
        ));
    };
    let report = ComplianceReport {
        spec_id,
        title,
        updated,
        source: doc.at(node, None),
        controls,
    };
    Ok((report, operator_version))
}

/// The specification's controls by ID: name and severity.
fn read_spec_controls(
    doc: Doc<'_>,
    compliance: &Node<'_>,
) -> Result<BTreeMap<String, (String, Option<String>)>, ImportError> {
    let mut controls = BTreeMap::new();
    if let Some(list) = doc.opt_array(compliance, "controls")? {
        for control in list.items() {
            doc.object(&control, "a compliance control")?;
            let id = doc.str(&control, "id")?.to_owned();
            let name = doc
                .opt_str(&control, "name")?
                .unwrap_or_default()
                .to_owned();
            let severity = doc.opt_str(&control, "severity")?.map(str::to_owned);
            controls.insert(id, (name, severity));
        }
    }
    Ok(controls)
}

fn read_detail(
    doc: Doc<'_>,
    detail: &Node<'_>,
    spec: &BTreeMap<String, (String, Option<String>)>,
) -> Result<Vec<ComplianceControl>, ImportError> {
    let mut controls = Vec::new();
    for result in doc.array(detail, "results")?.items() {
        doc.object(&result, "a compliance result")?;
        let id = doc.str(&result, "id")?.to_owned();
        let (name, severity_text) = names(doc, &result, &id, spec)?;
        let mut failures = 0u64;
        let mut passes = 0u64;
        let mut failed_targets = Vec::new();
        for check in doc
            .opt_array(&result, "checks")?
            .iter()
            .flat_map(|c| c.items())
        {
            doc.object(&check, "a compliance check")?;
            let success = doc.opt_bool(&check, "success")?.ok_or_else(|| {
                doc.invalid(check.pointer(), "the required member `success` is missing")
            })?;
            let named = doc
                .opt_str(&check, "checkID")?
                .is_some_and(|c| !c.is_empty());
            match (success, named) {
                (false, _) => {
                    failures += 1;
                    if let Some(target) = doc.opt_str(&check, "target")? {
                        failed_targets.push(target.to_owned());
                    }
                }
                (true, true) => passes += 1,
                (true, false) => {}
            }
        }
        let outcome = if failures > 0 {
            ComplianceOutcome::Failed
        } else if passes > 0 {
            ComplianceOutcome::Passed
        } else {
            ComplianceOutcome::NoResult
        };
        controls.push(ComplianceControl {
            severity: control_severity(doc, &result, severity_text.as_deref())?,
            id,
            name,
            outcome,
            failures,
            failed_targets,
            source: doc.at(&result, None),
        });
    }
    Ok(controls)
}

fn read_summary(
    doc: Doc<'_>,
    summary: &Node<'_>,
    spec: &BTreeMap<String, (String, Option<String>)>,
) -> Result<Vec<ComplianceControl>, ImportError> {
    let mut controls = Vec::new();
    let checks = doc.opt_array(summary, "controlCheck")?;
    for check in checks.iter().flat_map(|c| c.items()) {
        doc.object(&check, "a compliance control summary")?;
        let id = doc.str(&check, "id")?.to_owned();
        let (name, severity_text) = names(doc, &check, &id, spec)?;
        let total_fail = doc.opt_u64(&check, "totalFail")?;
        let outcome = match total_fail {
            Some(0) => ComplianceOutcome::Passed,
            Some(_) => ComplianceOutcome::Failed,
            None => ComplianceOutcome::NoResult,
        };
        controls.push(ComplianceControl {
            severity: control_severity(doc, &check, severity_text.as_deref())?,
            id,
            name,
            outcome,
            failures: total_fail.unwrap_or(0),
            failed_targets: Vec::new(),
            source: doc.at(&check, None),
        });
    }
    Ok(controls)
}

/// The control's name and severity from the result, else from the spec.
fn names(
    doc: Doc<'_>,
    node: &Node<'_>,
    id: &str,
    spec: &BTreeMap<String, (String, Option<String>)>,
) -> Result<(String, Option<String>), ImportError> {
    let from_spec = spec.get(id);
    let name = match doc.opt_str(node, "name")? {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => from_spec.map(|(n, _)| n.clone()).unwrap_or_default(),
    };
    let severity = match doc.opt_str(node, "severity")? {
        Some(s) if !s.is_empty() => Some(s.to_owned()),
        _ => from_spec.and_then(|(_, s)| s.clone()),
    };
    Ok((name, severity))
}

fn control_severity(
    doc: Doc<'_>,
    node: &Node<'_>,
    text: Option<&str>,
) -> Result<Severity, ImportError> {
    match text {
        None => Ok(Severity::Unknown),
        Some(text) => Severity::parse(text).ok_or_else(|| {
            doc.invalid(
                node.pointer(),
                format!("`{text}` is not a severity (LOW, MEDIUM, HIGH, CRITICAL)"),
            )
        }),
    }
}

fn summary(report: &ComplianceReport) -> String {
    let count = |o: ComplianceOutcome| report.controls.iter().filter(|c| c.outcome == o).count();
    format!(
        "{}: {} control(s): {} failed, {} passed, {} without a check result",
        report.title,
        report.controls.len(),
        count(ComplianceOutcome::Failed),
        count(ComplianceOutcome::Passed),
        count(ComplianceOutcome::NoResult)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn summary_report_and_missing_status() {
        let value = json!({"apiVersion": "aquasecurity.github.io/v1alpha1", "kind": "ClusterComplianceReport",
            "spec": {"compliance": {"id": "nsa", "title": "NSA", "controls": [{"id": "1.0", "name": "Non-root", "severity": "MEDIUM"}]}},
            "status": {"summaryReport": {"controlCheck": [{"id": "1.0", "totalFail": 2}, {"id": "1.1", "name": "x", "severity": "HIGH"}]}}});
        let mut out = ScanEvidence::default();
        let ctx = ImportContext::new("c.json");
        read(ctx, &Node::root(&value), &mut out).unwrap().unwrap();
        let controls = &out.compliance_reports[0].controls;
        assert_eq!(controls[0].outcome, ComplianceOutcome::Failed);
        assert_eq!(controls[0].severity, Severity::Medium);
        assert_eq!(controls[0].name, "Non-root");
        assert_eq!(controls[1].outcome, ComplianceOutcome::NoResult);

        let no_status = json!({"apiVersion": "aquasecurity.github.io/v1alpha1", "kind": "ClusterComplianceReport",
            "spec": {"compliance": {"id": "cis"}}});
        let err = read(ctx, &Node::root(&no_status), &mut out)
            .unwrap()
            .unwrap_err();
        assert!(err.message.contains("status"));
    }
}
