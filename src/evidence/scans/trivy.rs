//! Trivy JSON: `trivy image -f json` (current shape with `SchemaVersion`, and
//! the legacy top-level array of results), `trivy config` / `trivy fs`
//! (results of class `config` with `Misconfigurations`), and `trivy k8s` in
//! its 2022 shape (top-level `Vulnerabilities` / `Misconfigurations` grouped
//! by workload) and its 2023 shape (`Resources`).

use serde_json::Value;

use super::findings::{
    MisconfigurationFinding, MisconfigurationKind, MisconfigurationScan, Rating, ScanEvidence,
    Severity, Vulnerability, VulnerabilityScan,
};
use super::read::{Doc, first_item, has_keys};
use crate::evidence::node::Node;
use crate::evidence::{Format, ImportContext, ImportError, Recognised};

const TOOL: &str = "Trivy";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Current,
    Legacy,
    K8sGrouped,
    K8sResources,
}

fn detect(root: &Value) -> Option<Shape> {
    match root {
        Value::Object(map) => {
            if map.contains_key("ClusterName") {
                if map.get("Resources").is_some_and(Value::is_array) {
                    return Some(Shape::K8sResources);
                }
                if map.contains_key("Vulnerabilities") || map.contains_key("Misconfigurations") {
                    return Some(Shape::K8sGrouped);
                }
            }
            let trivy_keys = map.contains_key("Results") || map.contains_key("ArtifactName");
            (map.contains_key("SchemaVersion") && trivy_keys).then_some(Shape::Current)
        }
        Value::Array(_) => {
            let first = first_item(root)?;
            let looks_like_result = has_keys(first, &["Target"])
                && (has_keys(first, &["Vulnerabilities"])
                    || has_keys(first, &["Type"])
                    || has_keys(first, &["Misconfigurations"]));
            looks_like_result.then_some(Shape::Legacy)
        }
        _ => None,
    }
}

/// Reads a Trivy report; `None` if `root` is not one.
pub(super) fn read(
    ctx: ImportContext<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    let shape = detect(root.value())?;
    let doc = Doc::new(ctx, "Trivy JSON");
    let mut found = ScanEvidence::default();
    let result = match shape {
        Shape::Current => read_current(doc, root, &mut found),
        Shape::Legacy => read_legacy(doc, root, &mut found),
        Shape::K8sGrouped => read_k8s_grouped(doc, root, &mut found),
        Shape::K8sResources => read_k8s_resources(doc, root, &mut found),
    };
    if result.is_ok() {
        out.extend(found);
    }
    Some(result)
}

/// What one Trivy `Result` held.
#[derive(Default)]
struct ResultCounts {
    vulnerability_targets: usize,
    vulnerabilities: usize,
    config_targets: usize,
    misconfigurations: usize,
}

/// Where a result sits: the artifact and, for cluster scans, the workload.
#[derive(Clone, Copy)]
struct Scope<'s> {
    artifact: Option<&'s str>,
    workload: Option<&'s str>,
}

fn read_current(
    doc: Doc<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Result<Recognised, ImportError> {
    let version = match doc.opt_object(root, "Trivy")? {
        Some(trivy) => doc.opt_str(&trivy, "Version")?.map(str::to_owned),
        None => None,
    };
    let artifact = doc.opt_str(root, "ArtifactName")?;
    let artifact_type = doc.opt_str(root, "ArtifactType")?;
    let scope = Scope {
        artifact,
        workload: None,
    };
    let mut counts = ResultCounts::default();
    let mut misconfig = new_misconfig_scan(doc, root, &version, MisconfigurationKind::Iac);
    if let Some(results) = doc.opt_array(root, "Results")? {
        for result in results.items() {
            read_result(doc, &result, scope, out, &mut misconfig, &mut counts)?;
        }
    }
    let is_image = artifact_type == Some("container_image") || counts.vulnerability_targets > 0;
    let format = if !is_image && counts.config_targets > 0 {
        Format::TrivyConfig
    } else {
        Format::TrivyImage
    };
    if counts.config_targets > 0 {
        misconfig.format = format;
        misconfig.scanned = Some(counts.config_targets as u64);
        out.misconfiguration_scans.push(misconfig);
    }
    let mut recognised = Recognised::new(format).tool(TOOL, version);
    recognised.notes.push(summary(&counts, artifact));
    Ok(recognised)
}

fn read_legacy(
    doc: Doc<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Result<Recognised, ImportError> {
    let scope = Scope {
        artifact: None,
        workload: None,
    };
    let mut counts = ResultCounts::default();
    let mut misconfig = new_misconfig_scan(doc, root, &None, MisconfigurationKind::Iac);
    for result in root.items() {
        read_result(doc, &result, scope, out, &mut misconfig, &mut counts)?;
    }
    if counts.config_targets > 0 {
        misconfig.format = Format::TrivyImageLegacy;
        misconfig.scanned = Some(counts.config_targets as u64);
        out.misconfiguration_scans.push(misconfig);
    }
    let mut recognised = Recognised::new(Format::TrivyImageLegacy).tool(TOOL, None);
    recognised.notes.push(summary(&counts, None));
    Ok(recognised)
}

fn read_k8s_grouped(
    doc: Doc<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Result<Recognised, ImportError> {
    let cluster = doc.opt_str(root, "ClusterName")?;
    let mut counts = ResultCounts::default();
    let mut misconfig = new_misconfig_scan(doc, root, &None, MisconfigurationKind::LiveCluster);
    misconfig.format = Format::TrivyK8s;
    for key in ["Vulnerabilities", "Misconfigurations"] {
        if let Some(groups) = doc.opt_array(root, key)? {
            for group in groups.items() {
                read_workload(doc, &group, out, &mut misconfig, &mut counts)?;
            }
        }
    }
    Ok(finish_k8s(cluster, counts, misconfig, out))
}

fn read_k8s_resources(
    doc: Doc<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Result<Recognised, ImportError> {
    let cluster = doc.opt_str(root, "ClusterName")?;
    let mut counts = ResultCounts::default();
    let mut misconfig = new_misconfig_scan(doc, root, &None, MisconfigurationKind::LiveCluster);
    misconfig.format = Format::TrivyK8s;
    for resource in doc.array(root, "Resources")?.items() {
        read_workload(doc, &resource, out, &mut misconfig, &mut counts)?;
    }
    Ok(finish_k8s(cluster, counts, misconfig, out))
}

fn finish_k8s(
    cluster: Option<&str>,
    counts: ResultCounts,
    mut misconfig: MisconfigurationScan,
    out: &mut ScanEvidence,
) -> Recognised {
    let mut recognised = Recognised::new(Format::TrivyK8s).tool(TOOL, None);
    recognised.notes.push(summary(&counts, cluster));
    if counts.config_targets > 0 {
        misconfig.scanned = Some(counts.config_targets as u64);
        recognised.notes.push(format!(
            "{} failed misconfiguration check(s) of the running cluster's objects; \
             scan.trivy-k8s judges them (HIGH and CRITICAL fail it)",
            counts.misconfigurations
        ));
        out.misconfiguration_scans.push(misconfig);
    }
    recognised
}

fn read_workload(
    doc: Doc<'_>,
    group: &Node<'_>,
    out: &mut ScanEvidence,
    misconfig: &mut MisconfigurationScan,
    counts: &mut ResultCounts,
) -> Result<(), ImportError> {
    doc.object(group, "a Trivy workload entry")?;
    let namespace = doc.opt_str(group, "Namespace")?.unwrap_or_default();
    let kind = doc.opt_str(group, "Kind")?.unwrap_or_default();
    let name = doc.opt_str(group, "Name")?.unwrap_or_default();
    let workload = format!("{namespace}/{kind}/{name}");
    let scope = Scope {
        artifact: None,
        workload: Some(&workload),
    };
    if let Some(results) = doc.opt_array(group, "Results")? {
        for result in results.items() {
            read_result(doc, &result, scope, out, misconfig, counts)?;
        }
    }
    Ok(())
}

fn new_misconfig_scan(
    doc: Doc<'_>,
    root: &Node<'_>,
    version: &Option<String>,
    kind: MisconfigurationKind,
) -> MisconfigurationScan {
    MisconfigurationScan {
        tool: TOOL.to_owned(),
        tool_version: version.clone(),
        format: Format::TrivyConfig,
        kind,
        source: doc.at(root, None),
        scanned: None,
        unparsed: 0,
        findings: Vec::new(),
    }
}

fn read_result(
    doc: Doc<'_>,
    result: &Node<'_>,
    scope: Scope<'_>,
    out: &mut ScanEvidence,
    misconfig: &mut MisconfigurationScan,
    counts: &mut ResultCounts,
) -> Result<(), ImportError> {
    doc.object(result, "a Trivy result")?;
    let target = doc.str(result, "Target")?;
    let class = doc.opt_str(result, "Class")?;
    let vulnerabilities = doc.opt_array(result, "Vulnerabilities")?;
    let misconfigurations = doc.opt_array(result, "Misconfigurations")?;
    let is_vulnerability_target = match class {
        Some(class) => class == "os-pkgs" || class == "lang-pkgs",
        None => vulnerabilities.is_some() || misconfigurations.is_none(),
    };
    if is_vulnerability_target || vulnerabilities.is_some() {
        let mut scan = VulnerabilityScan {
            tool: TOOL.to_owned(),
            artifact: scope.artifact.map(str::to_owned),
            workload: scope.workload.map(str::to_owned),
            target: target.to_owned(),
            source: doc.at(result, Some(target.to_owned())),
            vulnerabilities: Vec::new(),
        };
        for item in vulnerabilities.iter().flat_map(|list| list.items()) {
            scan.vulnerabilities
                .push(read_vulnerability(doc, &item, target)?);
        }
        counts.vulnerability_targets += 1;
        counts.vulnerabilities += scan.vulnerabilities.len();
        out.vulnerability_scans.push(scan);
    }
    if class == Some("config") || misconfigurations.is_some() {
        counts.config_targets += 1;
        let label = match scope.workload {
            Some(workload) => object_label(workload, target),
            None => target.to_owned(),
        };
        for item in misconfigurations.iter().flat_map(|list| list.items()) {
            if let Some(finding) = read_misconfiguration(doc, &item, &label)? {
                misconfig.findings.push(finding);
                counts.misconfigurations += 1;
            }
        }
    }
    Ok(())
}

/// The cluster object a `trivy k8s` result is about: its entry's
/// `namespace/Kind/Name`, unless the result's own `Kind/Name` target names
/// another object, which then wins and the entry is named beside it.
fn object_label(workload: &str, target: &str) -> String {
    let (namespace, entry) = workload.split_once('/').unwrap_or(("", workload));
    if target.contains('/') && !target.eq_ignore_ascii_case(entry) {
        format!("{namespace}/{target} (listed under {entry})")
    } else {
        workload.to_owned()
    }
}

fn read_vulnerability(
    doc: Doc<'_>,
    item: &Node<'_>,
    target: &str,
) -> Result<Vulnerability, ImportError> {
    doc.object(item, "a Trivy vulnerability")?;
    let id = doc.str(item, "VulnerabilityID")?;
    let package = doc.str(item, "PkgName")?;
    let severity = severity(doc, item)?;
    Ok(Vulnerability {
        id: id.to_owned(),
        package: package.to_owned(),
        installed_version: doc.opt_str(item, "InstalledVersion")?.map(str::to_owned),
        fixed_version: doc
            .opt_str(item, "FixedVersion")?
            .filter(|v| !v.trim().is_empty())
            .map(str::to_owned),
        severity,
        title: doc.opt_str(item, "Title")?.map(str::to_owned),
        source: doc.at(item, Some(target.to_owned())),
    })
}

/// A failed misconfiguration; `None` for the passes and exceptions Trivy
/// lists with `--include-non-failures`.
fn read_misconfiguration(
    doc: Doc<'_>,
    item: &Node<'_>,
    target: &str,
) -> Result<Option<MisconfigurationFinding>, ImportError> {
    doc.object(item, "a Trivy misconfiguration")?;
    let id = match doc.opt_str(item, "AVDID")? {
        Some(avd) if !avd.is_empty() => avd,
        _ => doc.str(item, "ID")?,
    };
    let status = doc.opt_str(item, "Status")?.unwrap_or("FAIL");
    if !status.eq_ignore_ascii_case("FAIL") {
        return Ok(None);
    }
    let severity = severity(doc, item)?;
    let cause = doc.opt_object(item, "CauseMetadata")?;
    let location = match &cause {
        Some(cause) => {
            let resource = doc.opt_str(cause, "Resource")?.filter(|r| !r.is_empty());
            let line = doc.opt_u64(cause, "StartLine")?.filter(|l| *l > 0);
            match (resource, line) {
                (Some(r), Some(l)) => Some(format!("{r} (line {l})")),
                (Some(r), None) => Some(r.to_owned()),
                (None, Some(l)) => Some(format!("line {l}")),
                (None, None) => None,
            }
        }
        None => None,
    };
    let title = doc
        .opt_str(item, "Title")?
        .or(doc.opt_str(item, "Message")?)
        .map(str::to_owned);
    Ok(Some(MisconfigurationFinding {
        rule_id: id.to_owned(),
        title,
        target: target.to_owned(),
        location,
        rating: Rating::Severity(severity),
        source: doc.at(item, Some(target.to_owned())),
    }))
}

fn severity(doc: Doc<'_>, item: &Node<'_>) -> Result<Severity, ImportError> {
    let text = doc.str(item, "Severity")?;
    Severity::parse(text).ok_or_else(|| {
        doc.invalid(
            &format!("{}/Severity", item.pointer()),
            format!("`{text}` is not a Trivy severity (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL)"),
        )
    })
}

fn summary(counts: &ResultCounts, subject: Option<&str>) -> String {
    let subject = subject
        .filter(|s| !s.is_empty())
        .map(|s| format!(" of {s}"))
        .unwrap_or_default();
    format!(
        "Trivy report{subject}: {} vulnerability target(s) with {} vulnerabilities, \
         {} configuration target(s) with {} failed check(s)",
        counts.vulnerability_targets,
        counts.vulnerabilities,
        counts.config_targets,
        counts.misconfigurations
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_value(value: &Value) -> Option<Result<(Recognised, ScanEvidence), ImportError>> {
        let mut out = ScanEvidence::default();
        let ctx = ImportContext::new("t.json");
        read(ctx, &Node::root(value), &mut out).map(|r| r.map(|rec| (rec, out)))
    }

    #[test]
    fn kubescape_like_keys_in_other_case_are_not_trivy() {
        let value = json!({"clusterName": "", "resources": [], "results": []});
        assert!(read_value(&value).is_none());
    }

    #[test]
    fn wrong_severity_names_the_pointer() {
        let value = json!({"SchemaVersion": 2, "Results": [{"Target": "x", "Class": "os-pkgs",
            "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "p", "Severity": "SEVERE"}]}]});
        let err = read_value(&value).unwrap().unwrap_err();
        assert_eq!(
            err.location.as_deref(),
            Some("/Results/0/Vulnerabilities/0/Severity")
        );
    }

    #[test]
    fn passes_listed_with_include_non_failures_are_not_findings() {
        let value = json!({"SchemaVersion": 2, "ArtifactType": "filesystem", "Results": [{"Target": "a.tf", "Class": "config",
            "Misconfigurations": [
                {"ID": "AVD-1", "Severity": "HIGH", "Status": "PASS"},
                {"ID": "AVD-2", "Severity": "LOW", "Status": "FAIL"}]}]});
        let (rec, out) = read_value(&value).unwrap().unwrap();
        assert_eq!(rec.format, Format::TrivyConfig);
        assert_eq!(out.misconfiguration_scans[0].findings.len(), 1);
        assert_eq!(out.misconfiguration_scans[0].findings[0].rule_id, "AVD-2");
    }
}
