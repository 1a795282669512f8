//! `scan.iac`: no error-level or HIGH-and-above finding in the
//! infrastructure-as-code scans (SARIF, Checkov, KICS, `trivy config`).
//!
//! What blocks: a SARIF result of level `error` (a result without a level
//! takes its rule's default, else SARIF's default `warning`); a Checkov,
//! KICS or Trivy finding of severity HIGH or CRITICAL; and a Checkov failed
//! check without a severity. Checkov states severities only with a Prisma
//! Cloud key; without one, its own SARIF output rates every failed check
//! `error`, and this check treats the JSON output the same way, so that the
//! verdict does not depend on which output format the team chose.
//!
//! Files a tool says it could not parse (Checkov's `parsing_errors`, KICS's
//! `files_failed_to_scan`) were not checked: they make the run "not
//! evaluated" unless a finding already fails the check.

use std::collections::BTreeMap;

use super::{CheckResult, CheckStatus, ResourceResult, named_list};
use crate::evidence::scans::{
    MisconfigurationFinding, MisconfigurationKind, MisconfigurationScan, Rating, SarifLevel,
    ScanEvidence,
};

/// The check's ID.
pub const ID: &str = "scan.iac";

/// True if the finding fails the check.
pub fn is_blocking(finding: &MisconfigurationFinding) -> bool {
    match finding.rating {
        Rating::Severity(severity) => severity.is_high_or_above(),
        Rating::Level(level) => level == SarifLevel::Error,
        Rating::Unrated => true,
    }
}

/// Runs the check.
pub fn check(scans: &ScanEvidence) -> CheckResult {
    judge_scans(
        ID,
        scans,
        MisconfigurationKind::Iac,
        ("IaC target", "file(s)"),
        "no infrastructure-as-code scan was imported (SARIF, Checkov, KICS or trivy config)",
    )
}

/// Judges the misconfiguration scans of `kind`: one result per scanned
/// target (a file, or an object of a running cluster), failing on any
/// blocking finding. `nouns` name a target in counts and in the fail reason.
pub(super) fn judge_scans(
    id: &str,
    scans: &ScanEvidence,
    kind: MisconfigurationKind,
    (noun, targets_noun): (&str, &str),
    nothing: &str,
) -> CheckResult {
    let chosen: Vec<&MisconfigurationScan> = scans
        .misconfiguration_scans
        .iter()
        .filter(|s| s.kind == kind)
        .collect();
    let mut resources = Vec::new();
    for scan in &chosen {
        resources.extend(judge_scan(scan));
    }
    let mut result = CheckResult::from_resources(id, noun, resources, nothing);
    if result.status == CheckStatus::Fail {
        result.reason = fail_reason(&chosen, targets_noun);
    }
    result
}

/// `N error-level or HIGH+ finding(s) in M file(s): file (tool): RULE-1, RULE-2 +3; ...`
fn fail_reason(scans: &[&MisconfigurationScan], targets_noun: &str) -> String {
    let mut by_target: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for scan in scans {
        for finding in scan.findings.iter().filter(|f| is_blocking(f)) {
            by_target
                .entry((scan.tool.as_str(), finding.target.as_str()))
                .or_default()
                .push(&finding.rule_id);
        }
    }
    let blocking: usize = by_target.values().map(Vec::len).sum();
    let named: Vec<String> = by_target
        .iter()
        .map(|((tool, target), rules)| {
            let mut distinct = rules.clone();
            distinct.dedup();
            let shown = distinct
                .iter()
                .take(2)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            let more = if distinct.len() > 2 {
                format!(" +{}", distinct.len() - 2)
            } else {
                String::new()
            };
            format!("{target} ({tool}): {shown}{more}")
        })
        .collect();
    format!(
        "{blocking} error-level or HIGH+ finding(s) in {} {targets_noun}: {}",
        by_target.len(),
        named_list(&named)
    )
}

fn judge_scan(scan: &MisconfigurationScan) -> Vec<ResourceResult> {
    let tool = match &scan.tool_version {
        Some(version) => format!("{} {version}", scan.tool),
        None => scan.tool.clone(),
    };
    let label = || {
        let run = scan
            .source
            .resource
            .clone()
            .map(|r| format!("{tool} {r}"))
            .unwrap_or_else(|| format!("{tool} scan"));
        format!("{run} ({})", scan.source.path)
    };
    let unparsed = (scan.unparsed > 0).then(|| {
        format!(
            "{tool} could not parse {} file(s), so they were not checked",
            scan.unparsed
        )
    });
    if scan.findings.is_empty() {
        let (status, reason) = match (scan.scanned, unparsed) {
            (Some(0), Some(unparsed)) => (
                CheckStatus::NotEvaluated,
                format!("{unparsed}, and scanned no resources"),
            ),
            (Some(0), None) => (
                CheckStatus::NotEvaluated,
                format!("{tool} scanned no files or resources"),
            ),
            (Some(n), Some(unparsed)) => (
                CheckStatus::NotEvaluated,
                format!("{unparsed}; it reported no failed check over {n} other resource(s)"),
            ),
            (None, Some(unparsed)) => (CheckStatus::NotEvaluated, unparsed),
            (Some(n), None) => (
                CheckStatus::Pass,
                format!("{tool} reported no failed check over {n} file(s) or resource(s)"),
            ),
            (None, None) => (
                CheckStatus::Pass,
                format!("{tool} reported no failed check"),
            ),
        };
        return vec![ResourceResult::new(
            label(),
            status,
            reason,
            vec![scan.source.clone()],
        )];
    }
    let mut by_target: BTreeMap<&str, Vec<&MisconfigurationFinding>> = BTreeMap::new();
    for finding in &scan.findings {
        by_target.entry(&finding.target).or_default().push(finding);
    }
    let mut results: Vec<ResourceResult> = by_target
        .into_iter()
        .map(|(target, findings)| judge_target(&tool, target, &findings))
        .collect();
    if let Some(unparsed) = unparsed {
        results.push(ResourceResult::new(
            label(),
            CheckStatus::NotEvaluated,
            unparsed,
            vec![scan.source.clone()],
        ));
    }
    results
}

fn judge_target(tool: &str, target: &str, findings: &[&MisconfigurationFinding]) -> ResourceResult {
    let blocking: Vec<&&MisconfigurationFinding> =
        findings.iter().filter(|f| is_blocking(f)).collect();
    let label = format!("{target} ({tool})");
    if blocking.is_empty() {
        return ResourceResult::new(
            label,
            CheckStatus::Pass,
            format!(
                "{} finding(s), none error-level or HIGH and above",
                findings.len()
            ),
            findings.iter().map(|f| f.source.clone()).collect(),
        );
    }
    let named: Vec<String> = blocking.iter().map(|f| describe(f)).collect();
    ResourceResult::new(
        label,
        CheckStatus::Fail,
        format!(
            "{} of {} finding(s) block: {}",
            blocking.len(),
            findings.len(),
            named_list(&named)
        ),
        blocking.iter().map(|f| f.source.clone()).collect(),
    )
}

fn describe(finding: &MisconfigurationFinding) -> String {
    let rating = match finding.rating {
        Rating::Severity(severity) => severity.label().to_owned(),
        Rating::Level(level) => level.label().to_owned(),
        Rating::Unrated => "no severity".to_owned(),
    };
    let title = finding
        .title
        .as_deref()
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    let location = finding
        .location
        .as_deref()
        .map(|l| format!(" at {l}"))
        .unwrap_or_default();
    format!("{}{title} ({rating}){location}", finding.rule_id)
}
