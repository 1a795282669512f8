//! `scan.defender`: one result per PCI DSS requirement (3.2.1 and 4.0.1,
//! each result naming its catalog) that the curated table
//! (`assets/defender-recommendations.toml`) maps an imported
//! Defender for Cloud recommendation to. A requirement fails on an Unhealthy
//! assessment of high severity; it passes when its assessments show no such
//! failure and at least one is Healthy or Unhealthy of lower severity; it is
//! not evaluated when all are NotApplicable. The severity is the file's,
//! else Microsoft's published severity from the table.

use std::collections::BTreeMap;

use super::{
    CheckResult, CheckStatus, ResourceResult, named_list, requirement_order, requirement_result,
};
use crate::evidence::scans::defender_map::{self, MappedRecommendation, lookup};
use crate::evidence::scans::{
    AssessmentStatus, DefenderAssessment, PciVersion, ScanEvidence, Severity,
};

/// The check's ID.
pub const ID: &str = "scan.defender";

/// An assessment with its table entry.
struct Mapped<'a> {
    assessment: &'a DefenderAssessment,
    entry: &'a MappedRecommendation,
}

impl Mapped<'_> {
    fn severity(&self) -> (Severity, bool) {
        match self.assessment.severity {
            Some(severity) => (severity, false),
            None => (self.entry.published_severity(), true),
        }
    }

    fn is_blocking(&self) -> bool {
        self.assessment.status == AssessmentStatus::Unhealthy
            && self.severity().0.is_high_or_above()
    }

    fn describe(&self) -> String {
        let on = self
            .assessment
            .resource_id
            .as_deref()
            .map(|r| format!(" on {r}"))
            .unwrap_or_default();
        format!("{}{on}", self.assessment.name)
    }
}

/// Runs the check: one result per mapped requirement.
pub fn check(scans: &ScanEvidence) -> Vec<CheckResult> {
    let Ok(table) = defender_map::table() else {
        return Vec::new();
    };
    let mut by_requirement: BTreeMap<(PciVersion, String), Vec<Mapped<'_>>> = BTreeMap::new();
    for assessment in &scans.defender_assessments {
        if let Some(entry) = lookup(table, assessment) {
            for (version, id) in entry.pci_requirements() {
                by_requirement
                    .entry((version, id.to_owned()))
                    .or_default()
                    .push(Mapped { assessment, entry });
            }
        }
    }
    let mut groups: Vec<_> = by_requirement.into_iter().collect();
    groups.sort_by_key(|(named, _)| requirement_order(named));
    groups
        .iter()
        .map(|(named, group)| judge(named, group))
        .collect()
}

fn judge(requirement: &(PciVersion, String), mapped: &[Mapped<'_>]) -> CheckResult {
    let status_count =
        |s: AssessmentStatus| mapped.iter().filter(|m| m.assessment.status == s).count();
    let healthy = status_count(AssessmentStatus::Healthy);
    let unhealthy = status_count(AssessmentStatus::Unhealthy);
    let blocking: Vec<&Mapped<'_>> = mapped.iter().filter(|m| m.is_blocking()).collect();
    let evidence = mapped.iter().map(|m| m.assessment.source.clone()).collect();
    let resources = mapped.iter().map(resource).collect();
    let (status, reason) = if !blocking.is_empty() {
        let named: Vec<String> = blocking.iter().map(|m| m.describe()).collect();
        (
            CheckStatus::Fail,
            format!(
                "{} of {} mapped assessment(s) Unhealthy with high severity: {}",
                blocking.len(),
                mapped.len(),
                named_list(&named)
            ),
        )
    } else if healthy + unhealthy > 0 {
        let lower = if unhealthy > 0 {
            format!("; {unhealthy} Unhealthy of lower severity")
        } else {
            String::new()
        };
        (
            CheckStatus::Pass,
            format!(
                "no high-severity mapped recommendation is Unhealthy ({healthy} Healthy{lower})"
            ),
        )
    } else {
        (
            CheckStatus::NotEvaluated,
            format!(
                "the {} mapped assessment(s) are all NotApplicable or of unknown status",
                mapped.len()
            ),
        )
    };
    requirement_result(ID, requirement, status, reason, evidence, resources)
}

fn resource(mapped: &Mapped<'_>) -> ResourceResult {
    let (severity, published) = mapped.severity();
    let from = if published {
        " (Microsoft's published severity; the file states none)"
    } else {
        ""
    };
    let status = match mapped.assessment.status {
        _ if mapped.is_blocking() => CheckStatus::Fail,
        AssessmentStatus::Healthy | AssessmentStatus::Unhealthy => CheckStatus::Pass,
        _ => CheckStatus::NotEvaluated,
    };
    ResourceResult::new(
        mapped
            .assessment
            .resource_id
            .clone()
            .unwrap_or_else(|| mapped.assessment.name.clone()),
        status,
        format!(
            "{}: {}, severity {}{from}. {}",
            mapped.assessment.name,
            mapped.assessment.status.label(),
            severity.label(),
            mapped.entry.why
        ),
        vec![mapped.assessment.source.clone()],
    )
}
