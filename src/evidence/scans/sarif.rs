//! SARIF 2.1.0 (Checkov, KICS, tfsec, Trivy...): `runs[]` with
//! `tool.driver` (name, version, rules) and `results[]` (ruleId, level,
//! locations). Runs whose rules are tagged `vulnerability` (Trivy image
//! scans) are read as vulnerability scans; all other runs as IaC scans.

use std::collections::BTreeMap;

use serde_json::Value;

use super::findings::{
    MisconfigurationFinding, MisconfigurationKind, MisconfigurationScan, Rating, SarifLevel,
    ScanEvidence, Severity, Vulnerability, VulnerabilityScan,
};
use super::read::{Doc, has_keys};
use crate::evidence::node::Node;
use crate::evidence::{Format, ImportContext, ImportError, Recognised};

fn is_sarif(value: &Value) -> bool {
    let runs = value.get("runs").is_some_and(Value::is_array);
    let version = value.get("version").and_then(Value::as_str);
    let schema = value
        .get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| s.to_ascii_lowercase().contains("sarif"));
    runs && has_keys(value, &["runs"]) && (version.is_some_and(|v| v.starts_with("2.")) || schema)
}

/// Reads a SARIF log; `None` if `root` is not one.
pub(super) fn read(
    ctx: ImportContext<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Option<Result<Recognised, ImportError>> {
    if !is_sarif(root.value()) {
        return None;
    }
    let doc = Doc::new(ctx, "SARIF 2.1.0");
    let mut found = ScanEvidence::default();
    let result = read_log(doc, root, &mut found);
    if result.is_ok() {
        out.extend(found);
    }
    Some(result)
}

/// A rule's facts that results need.
#[derive(Default, Clone)]
struct RuleInfo {
    id: String,
    title: Option<String>,
    level: Option<SarifLevel>,
    tags: Vec<String>,
    security_severity: Option<f64>,
}

impl RuleInfo {
    fn is_vulnerability(&self) -> bool {
        self.tags
            .iter()
            .any(|t| t.eq_ignore_ascii_case("vulnerability"))
    }
}

fn read_log(
    doc: Doc<'_>,
    root: &Node<'_>,
    out: &mut ScanEvidence,
) -> Result<Recognised, ImportError> {
    let version = doc.opt_str(root, "version")?;
    if let Some(version) = version
        && !version.starts_with("2.1")
    {
        return Err(doc.invalid(
            "/version",
            format!("SARIF version {version}; Tickmark reads SARIF 2.1.0"),
        ));
    }
    let mut tool: Option<(String, Option<String>)> = None;
    let mut notes = Vec::new();
    for run in doc.array(root, "runs")?.items() {
        doc.object(&run, "a SARIF run")?;
        let (name, version) = driver(doc, &run)?;
        tool.get_or_insert_with(|| (name.clone(), version.clone()));
        notes.push(read_run(doc, &run, &name, &version, out)?);
    }
    let mut recognised = Recognised::new(Format::Sarif);
    if let Some((name, version)) = tool {
        recognised = recognised.tool(name, version);
    }
    recognised.notes = notes;
    Ok(recognised)
}

fn driver(doc: Doc<'_>, run: &Node<'_>) -> Result<(String, Option<String>), ImportError> {
    let tool = doc.object_member(run, "tool")?;
    let driver = doc.object_member(&tool, "driver")?;
    let name = doc.str(&driver, "name")?.to_owned();
    let version = match doc.opt_str(&driver, "version")? {
        Some(v) => Some(v.to_owned()),
        None => doc.opt_str(&driver, "semanticVersion")?.map(str::to_owned),
    };
    Ok((name, version))
}

fn read_rules(doc: Doc<'_>, run: &Node<'_>) -> Result<Vec<RuleInfo>, ImportError> {
    let tool = doc.object_member(run, "tool")?;
    let driver = doc.object_member(&tool, "driver")?;
    let mut rules = Vec::new();
    for rule in doc
        .opt_array(&driver, "rules")?
        .iter()
        .flat_map(|r| r.items())
    {
        doc.object(&rule, "a SARIF rule")?;
        let id = doc.str(&rule, "id")?.to_owned();
        let title = match doc.opt_object(&rule, "shortDescription")? {
            Some(short) => doc.opt_str(&short, "text")?.map(str::to_owned),
            None => None,
        }
        .or(doc.opt_str(&rule, "name")?.map(str::to_owned));
        let level = match doc.opt_object(&rule, "defaultConfiguration")? {
            Some(config) => level(doc, &config)?,
            None => None,
        };
        let (tags, security_severity) = match doc.opt_object(&rule, "properties")? {
            Some(props) => (
                doc.string_list(&props, "tags")?,
                props
                    .get("security-severity")
                    .and_then(|s| match s.value() {
                        Value::String(s) => s.parse().ok(),
                        Value::Number(n) => n.as_f64(),
                        _ => None,
                    }),
            ),
            None => (Vec::new(), None),
        };
        rules.push(RuleInfo {
            id,
            title,
            level,
            tags,
            security_severity,
        });
    }
    Ok(rules)
}

fn level(doc: Doc<'_>, node: &Node<'_>) -> Result<Option<SarifLevel>, ImportError> {
    match doc.opt_str(node, "level")? {
        None => Ok(None),
        Some(text) => SarifLevel::parse(text).map(Some).ok_or_else(|| {
            doc.invalid(
                &format!("{}/level", node.pointer()),
                format!("`{text}` is not a SARIF level (error, warning, note, none)"),
            )
        }),
    }
}

fn read_run(
    doc: Doc<'_>,
    run: &Node<'_>,
    tool: &str,
    version: &Option<String>,
    out: &mut ScanEvidence,
) -> Result<String, ImportError> {
    let rules = read_rules(doc, run)?;
    let image = match doc.opt_object(run, "properties")? {
        Some(props) => doc.opt_str(&props, "imageName")?.map(str::to_owned),
        None => None,
    };
    let Some(results) = doc.opt_array(run, "results")? else {
        return Ok(format!(
            "{tool}: the run has no results list (the tool may not have run); not counted as a scan"
        ));
    };
    if image.is_none() && rules.is_empty() && is_empty(&results) && is_trivy(tool) {
        return Ok(format!(
            "{tool}: the run has no rules and no results, and Trivy writes image and \
             configuration scans in this same shape, so it shows neither a clean image nor \
             clean configuration; not counted as a scan (import Trivy's JSON output, whose \
             results say what was scanned)"
        ));
    }
    let by_id: BTreeMap<&str, &RuleInfo> = rules.iter().map(|r| (r.id.as_str(), r)).collect();
    let is_vulnerability_run = image.is_some() || rules.iter().any(RuleInfo::is_vulnerability);
    if is_vulnerability_run {
        return read_vulnerability_run(doc, &results, &rules, &by_id, tool, image, out);
    }
    let mut scan = MisconfigurationScan {
        tool: tool.to_owned(),
        tool_version: version.clone(),
        format: Format::Sarif,
        kind: MisconfigurationKind::Iac,
        source: doc.at(run, None),
        scanned: doc
            .opt_array(run, "artifacts")?
            .and_then(|a| a.value().as_array().map(|a| a.len() as u64)),
        unparsed: 0,
        findings: Vec::new(),
    };
    let mut suppressed = 0;
    for result in results.items() {
        let Some(rule) = resolve_rule(doc, &result, &rules, &by_id)? else {
            suppressed += 1;
            continue;
        };
        if is_suppressed_or_passing(doc, &result)? {
            suppressed += 1;
            continue;
        }
        let level = level(doc, &result)?
            .or(rule.level)
            .unwrap_or(SarifLevel::Warning);
        let (target, location) = location(doc, &result)?;
        scan.findings.push(MisconfigurationFinding {
            title: message(doc, &result)?.or(rule.title.clone()),
            rule_id: rule.id.clone(),
            source: doc.at(&result, Some(target.clone())),
            target,
            location,
            rating: Rating::Level(level),
        });
    }
    let note = format!(
        "{tool}: {} finding(s){}",
        scan.findings.len(),
        if suppressed > 0 {
            format!(", {suppressed} suppressed or passing result(s) not counted")
        } else {
            String::new()
        }
    );
    out.misconfiguration_scans.push(scan);
    Ok(note)
}

/// True for a SARIF run written by Trivy, whose vulnerability and
/// configuration scans share one driver name.
fn is_trivy(tool: &str) -> bool {
    tool.trim().eq_ignore_ascii_case("trivy")
}

fn is_empty(results: &Node<'_>) -> bool {
    results.value().as_array().is_some_and(Vec::is_empty)
}

fn read_vulnerability_run(
    doc: Doc<'_>,
    results: &Node<'_>,
    rules: &[RuleInfo],
    by_id: &BTreeMap<&str, &RuleInfo>,
    tool: &str,
    image: Option<String>,
    out: &mut ScanEvidence,
) -> Result<String, ImportError> {
    let mut targets: BTreeMap<String, VulnerabilityScan> = BTreeMap::new();
    if let Some(image) = &image {
        targets.insert(
            image.clone(),
            vulnerability_target(doc, results, tool, image),
        );
    }
    let mut count = 0;
    for result in results.items() {
        let Some(rule) = resolve_rule(doc, &result, rules, by_id)? else {
            continue;
        };
        if is_suppressed_or_passing(doc, &result)? {
            continue;
        }
        let (target, _) = location(doc, &result)?;
        let text = message(doc, &result)?.unwrap_or_default();
        let field = |label: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(label))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let severity = rule
            .tags
            .iter()
            .filter_map(|t| Severity::parse(t))
            .find(|s| *s != Severity::Unknown && *s != Severity::Info)
            .or_else(|| field("Severity:").and_then(|s| Severity::parse(&s)))
            .or(rule.security_severity.map(severity_from_score))
            .unwrap_or(Severity::Unknown);
        let scan = targets
            .entry(target.clone())
            .or_insert_with(|| vulnerability_target(doc, results, tool, &target));
        scan.vulnerabilities.push(Vulnerability {
            id: rule.id.clone(),
            package: field("Package:").unwrap_or_default(),
            installed_version: field("Installed Version:"),
            fixed_version: field("Fixed Version:"),
            severity,
            title: rule.title.clone(),
            source: doc.at(&result, Some(target)),
        });
        count += 1;
    }
    let scans = targets.len();
    out.vulnerability_scans.extend(targets.into_values());
    Ok(format!(
        "{tool}: vulnerability scan of {scans} target(s) with {count} result(s)"
    ))
}

fn vulnerability_target(
    doc: Doc<'_>,
    results: &Node<'_>,
    tool: &str,
    target: &str,
) -> VulnerabilityScan {
    VulnerabilityScan {
        tool: tool.to_owned(),
        artifact: None,
        workload: None,
        target: target.to_owned(),
        source: doc.at(results, Some(target.to_owned())),
        vulnerabilities: Vec::new(),
    }
}

/// The CVSS-style `security-severity` score as a severity (GitHub's bands).
fn severity_from_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Unknown
    }
}

/// The result's rule: by `ruleId`, else `rule.id`, else `ruleIndex`.
fn resolve_rule<'r>(
    doc: Doc<'_>,
    result: &Node<'_>,
    rules: &'r [RuleInfo],
    by_id: &BTreeMap<&str, &'r RuleInfo>,
) -> Result<Option<RuleInfo>, ImportError> {
    doc.object(result, "a SARIF result")?;
    let id = match doc.opt_str(result, "ruleId")? {
        Some(id) => Some(id.to_owned()),
        None => match doc.opt_object(result, "rule")? {
            Some(rule) => doc.opt_str(&rule, "id")?.map(str::to_owned),
            None => None,
        },
    };
    let index = doc.opt_u64(result, "ruleIndex")?;
    let rule = match (&id, index) {
        (Some(id), _) => by_id.get(id.as_str()).map(|r| (*r).clone()).or_else(|| {
            Some(RuleInfo {
                id: id.clone(),
                ..RuleInfo::default()
            })
        }),
        (None, Some(index)) => rules.get(index as usize).cloned(),
        (None, None) => None,
    };
    match rule {
        Some(rule) => Ok(Some(rule)),
        None => Err(doc.invalid(
            result.pointer(),
            "the result names no rule (`ruleId`, `rule.id` or `ruleIndex`)",
        )),
    }
}

/// Suppressed results (SARIF `suppressions` not rejected) and results whose
/// `kind` says they are not failures (`pass`, `notApplicable`, `informational`).
fn is_suppressed_or_passing(doc: Doc<'_>, result: &Node<'_>) -> Result<bool, ImportError> {
    if let Some(kind) = doc.opt_str(result, "kind")?
        && matches!(kind, "pass" | "notApplicable" | "informational")
    {
        return Ok(true);
    }
    let suppressed = doc
        .opt_array(result, "suppressions")?
        .iter()
        .flat_map(|s| s.items())
        .any(|s| s.value().get("status").and_then(Value::as_str) != Some("rejected"));
    Ok(suppressed)
}

fn message(doc: Doc<'_>, result: &Node<'_>) -> Result<Option<String>, ImportError> {
    Ok(match doc.opt_object(result, "message")? {
        Some(message) => doc.opt_str(&message, "text")?.map(str::to_owned),
        None => None,
    })
}

/// The first location's file and line.
fn location(doc: Doc<'_>, result: &Node<'_>) -> Result<(String, Option<String>), ImportError> {
    let first = doc
        .opt_array(result, "locations")?
        .and_then(|locations| locations.index(0));
    let Some(first) = first else {
        return Ok(("(no location)".to_owned(), None));
    };
    let Some(physical) = doc.opt_object(&first, "physicalLocation")? else {
        return Ok(("(no location)".to_owned(), None));
    };
    let uri = match doc.opt_object(&physical, "artifactLocation")? {
        Some(artifact) => doc.opt_str(&artifact, "uri")?.map(str::to_owned),
        None => None,
    };
    let line = match doc.opt_object(&physical, "region")? {
        Some(region) => doc.opt_u64(&region, "startLine")?,
        None => None,
    };
    Ok((
        uri.unwrap_or_else(|| "(no location)".to_owned()),
        line.map(|l| format!("line {l}")),
    ))
}
