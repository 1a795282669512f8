//! Kubescape `scan -f json`: `summaryDetails.controls` (a map of control ID
//! to status, `scoreFactor` and, from v3, `severity`) and `results[]` (per
//! resource, its controls and their status or their rules' status).

use std::collections::BTreeMap;

use serde_json::Value;

use super::findings::{ControlStatus, KubescapeControl, ScanEvidence, Severity};
use super::read::{Doc, has_keys, real_value};
use crate::evidence::node::Node;
use crate::evidence::{EvidenceRef, Format, ImportContext, ImportError, Recognised};

/// Reads a Kubescape report; `None` if `root` is not one.
pub(super) fn read(
    ctx: ImportContext<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let value = root.value();
    let is_kubescape = has_keys(value, &["summaryDetails"])
        && (has_keys(value, &["results"]) || has_keys(value, &["resources"]));
    if !is_kubescape {
        return None;
    }
    let doc = Doc::new(ctx, "Kubescape JSON");
    Some(read_report(doc, root).map(|(controls, version)| {
        let mut recognised = Recognised::new(Format::Kubescape).tool("Kubescape", version);
        recognised.notes.push(summary(&controls));
        if controls.iter().any(|c| c.severity_from_score) {
            recognised.notes.push(
                "this Kubescape version states no control severity; Tickmark derived it from \
                 each control's score factor (9+ critical, 7-8 high, 4-6 medium, 1-3 low)"
                    .to_owned(),
            );
        }
        out.kubescape.extend(controls);
        recognised
    }))
}

fn read_report(
    doc: Doc<'_>,
    root: &Node<'_>,
) -> Result<(Vec<KubescapeControl>, Option<String>), ImportError> {
    let version = kubescape_version(doc, root)?;
    let failed = failed_resources(doc, root)?;
    let summary = doc.object_member(root, "summaryDetails")?;
    let mut controls = Vec::new();
    if let Some(map) = doc.opt_object(&summary, "controls")? {
        for (key, control) in map.entries() {
            doc.object(&control, "a Kubescape control summary")?;
            let id = doc
                .opt_str(&control, "controlID")?
                .unwrap_or(key)
                .to_owned();
            let name = doc
                .opt_str(&control, "name")?
                .unwrap_or_default()
                .to_owned();
            let status = control_status(doc, &control)?;
            let (severity, severity_from_score) = control_severity(doc, &control)?;
            controls.push(KubescapeControl {
                failed_resources: failed.get(&id).cloned().unwrap_or_default(),
                source: doc.at(&control, Some(id.clone())),
                id,
                name,
                status,
                severity,
                severity_from_score,
            });
        }
    }
    Ok((controls, version))
}

fn kubescape_version(doc: Doc<'_>, root: &Node<'_>) -> Result<Option<String>, ImportError> {
    let Some(metadata) = doc.opt_object(root, "metadata")? else {
        return Ok(None);
    };
    let Some(scan) = doc.opt_object(&metadata, "scanMetadata")? else {
        return Ok(None);
    };
    Ok(real_value(doc.opt_str(&scan, "kubescapeVersion")?))
}

/// The control's status: `status` as a word, else `statusInfo.status`. A
/// control that passed only because no resource was relevant to it
/// (`subStatus: irrelevant`) counts as irrelevant.
fn control_status(doc: Doc<'_>, control: &Node<'_>) -> Result<ControlStatus, ImportError> {
    let info = doc.opt_object(control, "statusInfo")?;
    let sub_status = match &info {
        Some(info) => doc.opt_str(info, "subStatus")?,
        None => None,
    };
    let word = match control.get("status").map(|s| s.value().clone()) {
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(map)) => map.get("status").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    let word = match (word, &info) {
        (Some(word), _) => word,
        (None, Some(info)) => doc.str(info, "status")?.to_owned(),
        (None, None) => {
            return Err(doc.invalid(
                control.pointer(),
                "the control states no `status` or `statusInfo`",
            ));
        }
    };
    let status = ControlStatus::parse(&word);
    Ok(match (status, sub_status) {
        (ControlStatus::Passed, Some(sub)) if sub.eq_ignore_ascii_case("irrelevant") => {
            ControlStatus::Irrelevant
        }
        (status, _) => status,
    })
}

fn control_severity(doc: Doc<'_>, control: &Node<'_>) -> Result<(Severity, bool), ImportError> {
    if let Some(text) = doc.opt_str(control, "severity")? {
        let severity = Severity::parse(text).ok_or_else(|| {
            doc.invalid(
                &format!("{}/severity", control.pointer()),
                format!("`{text}` is not a severity (Low, Medium, High, Critical)"),
            )
        })?;
        return Ok((severity, false));
    }
    match control.get("scoreFactor").map(|n| n.value().clone()) {
        Some(Value::Number(n)) => Ok((severity_from_score(n.as_f64().unwrap_or(0.0)), true)),
        Some(other) if !other.is_null() => Err(doc.invalid(
            &format!("{}/scoreFactor", control.pointer()),
            "`scoreFactor` should be a number",
        )),
        _ => Ok((Severity::Unknown, false)),
    }
}

/// Kubescape's own mapping of a control's score factor to a severity.
fn severity_from_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score >= 1.0 {
        Severity::Low
    } else {
        Severity::Unknown
    }
}

/// Control ID → the resources that failed it, from `results[]`.
fn failed_resources(
    doc: Doc<'_>,
    root: &Node<'_>,
) -> Result<BTreeMap<String, Vec<EvidenceRef>>, ImportError> {
    let mut failed: BTreeMap<String, Vec<EvidenceRef>> = BTreeMap::new();
    let Some(results) = doc.opt_array(root, "results")? else {
        return Ok(failed);
    };
    for result in results.items() {
        doc.object(&result, "a Kubescape resource result")?;
        let resource = doc.opt_str(&result, "resourceID")?.unwrap_or_default();
        for control in doc
            .opt_array(&result, "controls")?
            .iter()
            .flat_map(|c| c.items())
        {
            doc.object(&control, "a Kubescape control result")?;
            let id = doc.str(&control, "controlID")?;
            if control_result_failed(&control) {
                failed
                    .entry(id.to_owned())
                    .or_default()
                    .push(doc.at(&control, Some(resource.to_owned())));
            }
        }
    }
    Ok(failed)
}

/// A per-resource control failed: its `status.status` (v3+), else any of its
/// rules' `status` (2022).
fn control_result_failed(control: &Node<'_>) -> bool {
    let value = control.value();
    if let Some(status) = value.get("status") {
        let word = status
            .get("status")
            .and_then(Value::as_str)
            .or(status.as_str());
        if let Some(word) = word {
            return ControlStatus::parse(word) == ControlStatus::Failed;
        }
    }
    value
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|rule| rule.get("status").and_then(Value::as_str))
        .any(|word| ControlStatus::parse(word) == ControlStatus::Failed)
}

fn summary(controls: &[KubescapeControl]) -> String {
    let count = |s: ControlStatus| controls.iter().filter(|c| c.status == s).count();
    format!(
        "Kubescape: {} control(s): {} failed, {} passed, {} irrelevant, {} skipped",
        controls.len(),
        count(ControlStatus::Failed),
        count(ControlStatus::Passed),
        count(ControlStatus::Irrelevant),
        count(ControlStatus::Skipped)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_factor_maps_like_kubescape() {
        assert_eq!(severity_from_score(9.0), Severity::Critical);
        assert_eq!(severity_from_score(8.0), Severity::High);
        assert_eq!(severity_from_score(7.0), Severity::High);
        assert_eq!(severity_from_score(6.0), Severity::Medium);
        assert_eq!(severity_from_score(1.0), Severity::Low);
        assert_eq!(severity_from_score(0.0), Severity::Unknown);
    }
}
