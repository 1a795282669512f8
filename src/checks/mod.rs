//! Checks: typed evidence → check results → requirement verdicts.
//!
//! Pure functions, no I/O. Each check family lives in its own file and adds
//! its results through [`evaluate`]; [`verdicts`] turns results into one
//! automated verdict per catalog requirement.

mod aks;
mod judge;
mod k8s;
mod network;
mod platform;
mod registry;
mod scans;
mod settings;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, NodeKind};
use crate::evidence::cap::{cap, cap_in_place};
use crate::evidence::{EvidenceRef, EvidenceSet};

pub use registry::{CHECKS, CheckDef, CheckScope, check_def};
pub use settings::{Settings, image_registry};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The evidence shows the control is in place.
    Pass,
    /// The evidence shows the control is not in place.
    Fail,
    /// No evidence of the kind the check reads, or the evidence leaves the
    /// decisive field unknown.
    NotEvaluated,
}

impl CheckStatus {
    /// `pass`, `fail` or `not_evaluated`.
    pub fn id(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::NotEvaluated => "not_evaluated",
        }
    }
}

/// How one resource fared in a check (one NSG, one namespace, one container).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceResult {
    /// The resource: ARM ID, `namespace/Kind/name[/container]`, image...
    pub resource: String,
    /// Its outcome.
    pub status: CheckStatus,
    /// Why, in one line.
    pub reason: String,
    /// Where the evidence for this resource is.
    pub evidence: Vec<EvidenceRef>,
}

impl ResourceResult {
    /// A result for one resource.
    pub fn new(
        resource: impl Into<String>,
        status: CheckStatus,
        reason: impl Into<String>,
        evidence: Vec<EvidenceRef>,
    ) -> Self {
        ResourceResult {
            resource: cap(resource.into()),
            status,
            reason: cap(reason.into()),
            evidence,
        }
    }

    fn cap_texts(&mut self) {
        cap_in_place(&mut self.resource);
        cap_in_place(&mut self.reason);
        self.evidence.iter_mut().for_each(EvidenceRef::cap_texts);
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check's stable ID.
    pub check: String,
    /// For [`CheckScope::PerRequirement`] checks: the requirement this result
    /// is about. `None` for static checks (the catalog maps those).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    /// The outcome.
    pub status: CheckStatus,
    /// Why, in one line a person understands.
    pub reason: String,
    /// Every piece of evidence the check used.
    pub evidence: Vec<EvidenceRef>,
    /// Per-resource outcomes, where several resources were judged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceResult>,
}

impl CheckResult {
    /// A "not evaluated" result; `reason` says which evidence is missing.
    pub fn not_evaluated(check: &str, reason: impl Into<String>) -> Self {
        CheckResult {
            check: check.to_owned(),
            requirement: None,
            status: CheckStatus::NotEvaluated,
            reason: cap(reason.into()),
            evidence: Vec::new(),
            resources: Vec::new(),
        }
    }

    /// Cuts every text of the result (reason, resources, evidence
    /// references) to [`crate::evidence::cap::MAX_TEXT_CHARS`]: one long
    /// string in the evidence is then not copied whole into every result.
    pub fn cap_texts(&mut self) {
        cap_in_place(&mut self.reason);
        if let Some(requirement) = &mut self.requirement {
            cap_in_place(requirement);
        }
        self.evidence.iter_mut().for_each(EvidenceRef::cap_texts);
        self.resources
            .iter_mut()
            .for_each(ResourceResult::cap_texts);
    }

    /// The same result citing `evidence`, sorted and each reference once.
    pub fn citing(mut self, evidence: impl IntoIterator<Item = EvidenceRef>) -> Self {
        let mut evidence: Vec<EvidenceRef> = evidence.into_iter().collect();
        evidence.sort();
        evidence.dedup();
        self.evidence = evidence;
        self
    }

    /// A result judged from per-resource outcomes: fail if any resource
    /// fails, not evaluated if any could not be judged (a check never passes
    /// for lack of evidence), pass if all pass. `noun` names the resources
    /// in the reason ("NSG", "container"); `none` is the reason when there
    /// are no resources at all.
    pub fn from_resources(
        check: &str,
        noun: &str,
        resources: Vec<ResourceResult>,
        none: &str,
    ) -> Self {
        if resources.is_empty() {
            return CheckResult::not_evaluated(check, none);
        }
        let count = |s: CheckStatus| resources.iter().filter(|r| r.status == s).count();
        let (failed, unknown, total) = (
            count(CheckStatus::Fail),
            count(CheckStatus::NotEvaluated),
            resources.len(),
        );
        let first = |s: CheckStatus| resources.iter().find(|r| r.status == s);
        let (status, reason) = if let Some(r) = first(CheckStatus::Fail) {
            let more = if failed > 1 {
                format!(" (and {} more)", failed - 1)
            } else {
                String::new()
            };
            (
                CheckStatus::Fail,
                format!(
                    "{failed} of {total} {noun}(s) fail: {}: {}{more}",
                    r.resource, r.reason
                ),
            )
        } else if let Some(r) = first(CheckStatus::NotEvaluated) {
            (
                CheckStatus::NotEvaluated,
                format!(
                    "{unknown} of {total} {noun}(s) could not be judged: {}: {}",
                    r.resource, r.reason
                ),
            )
        } else if total == 1 {
            (CheckStatus::Pass, resources[0].reason.clone())
        } else {
            (CheckStatus::Pass, format!("all {total} {noun}(s) pass"))
        };
        let mut evidence: Vec<EvidenceRef> = resources
            .iter()
            .flat_map(|r| r.evidence.iter().cloned())
            .collect();
        evidence.sort();
        evidence.dedup();
        CheckResult {
            check: check.to_owned(),
            requirement: None,
            status,
            reason,
            evidence,
            resources,
        }
    }
}

/// A requirement's automated verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictStatus {
    /// All mapped checks passed and at least one ran.
    Pass,
    /// A mapped check failed.
    Fail,
    /// Some checks passed and the rest were not evaluated.
    Partial,
    /// No automated checks: documents and processes, reviewed by hand.
    Manual,
    /// Checks exist but none ran.
    NoEvidence,
}

impl VerdictStatus {
    /// `pass`, `fail`, `partial`, `manual` or `no_evidence`.
    pub fn id(self) -> &'static str {
        match self {
            VerdictStatus::Pass => "pass",
            VerdictStatus::Fail => "fail",
            VerdictStatus::Partial => "partial",
            VerdictStatus::Manual => "manual",
            VerdictStatus::NoEvidence => "no_evidence",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            VerdictStatus::Pass => "Pass",
            VerdictStatus::Fail => "Fail",
            VerdictStatus::Partial => "Partial",
            VerdictStatus::Manual => "Manual",
            VerdictStatus::NoEvidence => "No evidence",
        }
    }
}

/// One requirement's verdict with the check results behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementVerdict {
    /// The requirement ID.
    pub requirement: String,
    /// The automated verdict.
    pub status: VerdictStatus,
    /// The results that fed it: the catalog's checks, then scan results
    /// that name this requirement.
    pub checks: Vec<CheckResult>,
}

/// Runs every check on the evidence. Static checks produce exactly one result
/// each; per-requirement checks one per requirement their evidence names.
/// Every text of every result is capped (see [`CheckResult::cap_texts`]).
pub fn evaluate(evidence: &EvidenceSet, settings: &Settings) -> Vec<CheckResult> {
    let mut out = Vec::new();
    let evidence = &evidence.evidence;
    let families: [fn(&crate::evidence::Evidence, &Settings, &mut Vec<CheckResult>); 5] =
        [aks::run, network::run, platform::run, k8s::run, scans::run];
    for family in families {
        let start = out.len();
        family(evidence, settings, &mut out);
        out[start..].iter_mut().for_each(CheckResult::cap_texts);
    }
    out
}

/// The verdict of every assessed requirement of `catalog`, in catalog order.
pub fn verdicts(catalog: &Catalog, results: &[CheckResult]) -> Vec<RequirementVerdict> {
    catalog
        .nodes
        .iter()
        .filter(|node| node.kind == NodeKind::Requirement)
        .map(|node| {
            let mut checks: Vec<CheckResult> = catalog
                .checks_for(&node.id)
                .into_iter()
                .filter_map(|id| {
                    results
                        .iter()
                        .find(|r| r.requirement.is_none() && r.check == id)
                        .cloned()
                        .or_else(|| {
                            check_def(id)
                                .filter(|def| def.scope == CheckScope::Static)
                                .map(|_| {
                                    CheckResult::not_evaluated(id, "the check produced no result")
                                })
                        })
                })
                .collect();
            checks.extend(
                results
                    .iter()
                    .filter(|r| {
                        r.requirement
                            .as_deref()
                            .is_some_and(|named| feeds(catalog, named, &node.id))
                    })
                    .cloned(),
            );
            RequirementVerdict {
                requirement: node.id.clone(),
                status: verdict_of(&checks),
                checks,
            }
        })
        .collect()
}

/// True if a per-requirement result that names `named` feeds assessed
/// requirement `requirement`: it names the requirement itself, or a group
/// directly above it (the way a group's catalog checks feed the requirements
/// under it). A scanner that maps a finding to the group `7.1` thus reaches
/// 7.1.1 to 7.1.4 instead of being dropped.
fn feeds(catalog: &Catalog, named: &str, requirement: &str) -> bool {
    let mut node = catalog.get(requirement);
    while let Some(current) = node {
        if current.id == named {
            return true;
        }
        node = catalog
            .parent_of(&current.id)
            .filter(|parent| parent.kind == NodeKind::Group);
    }
    false
}

/// The per-requirement results that feed no assessed requirement of
/// `catalog` (they name an ID it does not hold, or a family): no verdict
/// shows them, so callers must report them rather than drop them silently.
pub fn unplaced<'a>(catalog: &Catalog, results: &'a [CheckResult]) -> Vec<&'a CheckResult> {
    results
        .iter()
        .filter(|r| {
            r.requirement.as_deref().is_some_and(|named| {
                !catalog.get(named).is_some_and(|node| {
                    matches!(node.kind, NodeKind::Requirement | NodeKind::Group)
                })
            })
        })
        .collect()
}

/// The verdict rule of PRODUCT.md §4 applied to a requirement's results.
pub fn verdict_of(checks: &[CheckResult]) -> VerdictStatus {
    if checks.is_empty() {
        return VerdictStatus::Manual;
    }
    let any = |s: CheckStatus| checks.iter().any(|c| c.status == s);
    if any(CheckStatus::Fail) {
        VerdictStatus::Fail
    } else if !any(CheckStatus::Pass) {
        VerdictStatus::NoEvidence
    } else if any(CheckStatus::NotEvaluated) {
        VerdictStatus::Partial
    } else {
        VerdictStatus::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(status: CheckStatus) -> CheckResult {
        CheckResult {
            check: "x.y".into(),
            requirement: None,
            status,
            reason: String::new(),
            evidence: Vec::new(),
            resources: Vec::new(),
        }
    }

    #[test]
    fn verdict_rule() {
        use CheckStatus::*;
        assert_eq!(verdict_of(&[]), VerdictStatus::Manual);
        assert_eq!(
            verdict_of(&[result(NotEvaluated)]),
            VerdictStatus::NoEvidence
        );
        assert_eq!(
            verdict_of(&[result(Pass), result(NotEvaluated)]),
            VerdictStatus::Partial
        );
        assert_eq!(
            verdict_of(&[result(Pass), result(Pass)]),
            VerdictStatus::Pass
        );
        assert_eq!(
            verdict_of(&[result(Pass), result(Fail), result(NotEvaluated)]),
            VerdictStatus::Fail
        );
    }

    #[test]
    fn group_checks_feed_the_requirements_below_them() {
        let catalog = crate::catalog::pci_dss_321();
        assert!(
            catalog
                .get("7.1")
                .is_some_and(|g| g.checks.iter().any(|c| c == "aks.entra-rbac"))
        );
        let verdicts = verdicts(catalog, &[]);
        let of = |id: &str| verdicts.iter().find(|v| v.requirement == id).unwrap();
        assert!(
            of("7.1.1")
                .checks
                .iter()
                .any(|c| c.check == "aks.entra-rbac")
        );
        assert_eq!(of("7.1.1").status, VerdictStatus::NoEvidence);
        assert!(!catalog.is_manual("7.1.1"));
        assert!(catalog.is_manual("1.1.2"));
        // An assessed parent's checks stay its own: 2.2 has checks, 2.2.3 has none.
        assert!(!catalog.checks_for("2.2").is_empty());
        assert!(catalog.is_manual("2.2.3"));
        assert_eq!(of("1.1.2").status, VerdictStatus::Manual);
        assert_eq!(verdicts.len(), 232);
    }

    #[test]
    fn per_requirement_results_naming_a_group_feed_the_requirements_under_it() {
        let catalog = crate::catalog::pci_dss_321();
        let named = |id: &str| CheckResult {
            requirement: Some(id.into()),
            check: "scan.azure-policy".into(),
            ..result(CheckStatus::Fail)
        };
        let results = vec![named("7.1"), named("1.3.99"), named("10")];
        let verdicts = verdicts(catalog, &results);
        let of = |id: &str| verdicts.iter().find(|v| v.requirement == id).unwrap();
        for id in ["7.1.1", "7.1.4"] {
            assert_eq!(of(id).status, VerdictStatus::Fail, "{id}");
        }
        assert_eq!(of("7.2.1").status, VerdictStatus::NoEvidence);
        let unplaced: Vec<&str> = unplaced(catalog, &results)
            .iter()
            .filter_map(|r| r.requirement.as_deref())
            .collect();
        assert_eq!(unplaced, vec!["1.3.99", "10"]);
    }

    #[test]
    fn resources_aggregate_conservatively() {
        let r = |s| ResourceResult::new("r", s, "why", Vec::new());
        let none = CheckResult::from_resources("c.x", "NSG", vec![], "no NSGs imported");
        assert_eq!(none.status, CheckStatus::NotEvaluated);
        assert_eq!(none.reason, "no NSGs imported");
        let mixed = CheckResult::from_resources(
            "c.x",
            "NSG",
            vec![r(CheckStatus::Pass), r(CheckStatus::NotEvaluated)],
            "",
        );
        assert_eq!(mixed.status, CheckStatus::NotEvaluated);
        let failing = CheckResult::from_resources(
            "c.x",
            "NSG",
            vec![r(CheckStatus::Pass), r(CheckStatus::Fail)],
            "",
        );
        assert_eq!(failing.status, CheckStatus::Fail);
        assert!(failing.reason.starts_with("1 of 2 NSG(s) fail"));
    }
}
