//! Checks: typed evidence → check results → requirement verdicts.
//!
//! Pure functions, no I/O. Each check family lives in its own file and adds
//! its results through [`evaluate`]; [`verdicts`] turns results into one
//! automated verdict per catalog requirement.

mod aks;
mod defaults;
mod judge;
mod k8s;
mod network;
mod platform;
mod scans;
mod settings;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, MappingStrength, NodeKind, PCI_DSS_321_ID};
use crate::evidence::cap::{cap, cap_in_place};
use crate::evidence::identity::Supersession;
use crate::evidence::{EvidenceRef, EvidenceSet};
use crate::scope::{Scope, ScopeClass};

pub use crate::check_registry::{CHECKS, CheckDef, CheckScope, check_def};
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
    /// The PCI scope of the resource (its namespace's, pool's or subnet's),
    /// where the check knows it; absent in results recorded before scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeClass>,
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
            scope: None,
        }
    }

    /// The same result labelled with the resource's PCI scope.
    pub fn in_scope(mut self, scope: Option<ScopeClass>) -> Self {
        self.scope = scope;
        self
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
    /// For per-requirement results: the ID of the catalog whose numbering
    /// `requirement` is in (`pci-dss-4.0.1` for Azure Policy's
    /// `PCI_DSS_v4.0.1_` groups). Results recorded before Tickmark knew a
    /// second framework have none and name PCI DSS 3.2.1 (see
    /// [`CheckResult::named_requirement`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
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
            framework: None,
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

    /// For a per-requirement result: the catalog its requirement ID belongs
    /// to and the ID. A result without a framework was recorded when PCI
    /// DSS 3.2.1 was the only one, and names a 3.2.1 requirement.
    pub fn named_requirement(&self) -> Option<(&str, &str)> {
        let requirement = self.requirement.as_deref()?;
        Some((
            self.framework.as_deref().unwrap_or(PCI_DSS_321_ID),
            requirement,
        ))
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
            framework: None,
            status,
            reason,
            evidence,
            resources,
        }
    }
}

/// A requirement's automated verdict. The rule that decides it is
/// [`verdict_of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictStatus {
    /// Every mapped check passed, and at least one of them tests the
    /// requirement fully.
    Pass,
    /// A mapped check (testing or supporting) or a scanner mapped to the
    /// requirement failed.
    Fail,
    /// A fully-testing check passed, nothing failed, and the rest were not
    /// evaluated.
    Partial,
    /// Only checks that support the requirement passed and nothing failed:
    /// the automation found nothing wrong, but a person must still test it.
    Supported,
    /// No automated checks: documents and processes, reviewed by hand.
    Manual,
    /// Checks exist but none ran.
    NoEvidence,
}

impl VerdictStatus {
    /// Every verdict, in the order summaries list them.
    pub const ALL: [VerdictStatus; 6] = [
        VerdictStatus::Pass,
        VerdictStatus::Fail,
        VerdictStatus::Partial,
        VerdictStatus::Supported,
        VerdictStatus::Manual,
        VerdictStatus::NoEvidence,
    ];

    /// `pass`, `fail`, `partial`, `supported`, `manual` or `no_evidence`.
    pub fn id(self) -> &'static str {
        match self {
            VerdictStatus::Pass => "pass",
            VerdictStatus::Fail => "fail",
            VerdictStatus::Partial => "partial",
            VerdictStatus::Supported => "supported",
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
            VerdictStatus::Supported => "Supported",
            VerdictStatus::Manual => "Manual",
            VerdictStatus::NoEvidence => "No evidence",
        }
    }

    /// One sentence saying what the verdict means, for legends.
    pub fn meaning(self) -> &'static str {
        match self {
            VerdictStatus::Pass => {
                "every mapped check passed, at least one of them testing the requirement fully"
            }
            VerdictStatus::Fail => "a mapped check or a scanner mapped to the requirement failed",
            VerdictStatus::Partial => {
                "a fully-testing check passed, nothing failed, other checks had no evidence"
            }
            VerdictStatus::Supported => {
                "only checks that support the requirement passed: nothing found wrong, a person must test it"
            }
            VerdictStatus::Manual => "no automated checks: reviewed by hand",
            VerdictStatus::NoEvidence => "checks exist but none had evidence to judge",
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

/// One family of checks, writing its results.
type Family<'a> = dyn Fn(&mut Vec<CheckResult>) + 'a;

/// Runs every check on the evidence. Static checks produce exactly one result
/// each; per-requirement checks one per requirement their evidence names.
/// Every text of every result is capped (see [`CheckResult::cap_texts`]).
///
/// A resource that several current files describe is judged once, from the
/// newest observation ([`crate::evidence::identity::newest`]); the results
/// about it say which file they used and which older file it superseded.
pub fn evaluate(evidence: &EvidenceSet, settings: &Settings) -> Vec<CheckResult> {
    let mut out = Vec::new();
    let (evidence, superseded) = crate::evidence::identity::newest(evidence);
    let evidence: &crate::evidence::Evidence = &evidence;
    let scope = Scope::derive(evidence);
    let families: [&Family; 6] = [
        &|out| aks::run(evidence, settings, out),
        &|out| network::run(evidence, settings, out),
        &|out| platform::run(evidence, settings, out),
        &|out| k8s::run(evidence, settings, &scope, out),
        &|out| scans::run(evidence, settings, out),
        &|out| network::run_cde(evidence, &scope, out),
    ];
    for family in families {
        let start = out.len();
        family(&mut out);
        for result in &mut out[start..] {
            note_supersessions(result, &superseded);
            result.cap_texts();
        }
    }
    out
}

/// Adds to the reason of every judgement of a superseded resource which
/// file it used and which it superseded.
fn note_supersessions(result: &mut CheckResult, superseded: &[Supersession]) {
    if superseded.is_empty() {
        return;
    }
    let about = |resource: Option<&str>, evidence: &[EvidenceRef]| -> Vec<&Supersession> {
        superseded
            .iter()
            .filter(|s| {
                let named = |r: &str| r.eq_ignore_ascii_case(&s.resource);
                evidence.iter().any(|e| {
                    e.path == s.used
                        && (e.resource.as_deref().is_some_and(named) || resource.is_some_and(named))
                })
            })
            .collect()
    };
    let note = |found: Vec<&Supersession>| -> String {
        found
            .iter()
            .map(|s| {
                format!(
                    "; judged from {}, which supersedes {} for it",
                    s.used, s.superseded
                )
            })
            .collect()
    };
    if result.resources.is_empty() {
        let found = about(None, &result.evidence);
        result.reason.push_str(&note(found));
        return;
    }
    for r in &mut result.resources {
        let found = about(Some(&r.resource), &r.evidence);
        r.reason.push_str(&note(found));
    }
}

/// The verdict of every assessed requirement of `catalog` (appendix ones
/// included), in catalog order.
///
/// A requirement is fed by the checks the catalog maps to it (with their
/// strength, see [`Catalog::check_links`]) and by the per-requirement
/// results (Azure Policy, Prowler, Defender for Cloud) that name it, or a
/// group directly above it, in this catalog's numbering; those only
/// support it. A mapped static check that produced no result counts as not
/// evaluated.
pub fn verdicts(catalog: &Catalog, results: &[CheckResult]) -> Vec<RequirementVerdict> {
    catalog
        .requirements()
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
                        r.named_requirement().is_some_and(|(framework, named)| {
                            framework == catalog.id && feeds(catalog, named, &node.id)
                        })
                    })
                    .cloned(),
            );
            let graded: Vec<(MappingStrength, CheckStatus)> = checks
                .iter()
                .map(|result| (strength_in(catalog, &node.id, result), result.status))
                .collect();
            RequirementVerdict {
                requirement: node.id.clone(),
                status: verdict_of(&graded),
                checks,
            }
        })
        .collect()
}

/// How `result` feeds requirement `requirement` of `catalog`: a static
/// check with the strength the catalog maps it with; a per-requirement
/// result (a scanner's own mapping) only supports. A static check the
/// catalog does not map to the requirement counts as supporting.
pub fn strength_in(catalog: &Catalog, requirement: &str, result: &CheckResult) -> MappingStrength {
    if result.requirement.is_some() {
        return MappingStrength::Supports;
    }
    catalog
        .strength_for(requirement, &result.check)
        .unwrap_or(MappingStrength::Supports)
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

/// The per-requirement results that name a requirement in `catalog`'s
/// numbering but feed none of its assessed requirements (an ID it does not
/// hold, or a family): no verdict shows them, so callers must report them
/// rather than drop them silently. Results naming another framework are not
/// among them (see [`other_framework`]).
pub fn unplaced<'a>(catalog: &Catalog, results: &'a [CheckResult]) -> Vec<&'a CheckResult> {
    results
        .iter()
        .filter(|r| {
            r.named_requirement().is_some_and(|(framework, named)| {
                framework == catalog.id
                    && !catalog.get(named).is_some_and(|node| {
                        matches!(node.kind, NodeKind::Requirement | NodeKind::Group)
                    })
            })
        })
        .collect()
}

/// The per-requirement results that name requirements of a framework other
/// than `catalog` (Azure Policy states of the 3.2.1 initiative while
/// evaluating against 4.0.1): the numberings differ, so they feed no
/// verdict of `catalog`; callers say so.
pub fn other_framework<'a>(catalog: &Catalog, results: &'a [CheckResult]) -> Vec<&'a CheckResult> {
    results
        .iter()
        .filter(|r| {
            r.named_requirement()
                .is_some_and(|(framework, _)| framework != catalog.id)
        })
        .collect()
}

/// The verdict rule: a requirement's automated verdict from the outcomes of
/// the results that feed it, each with the strength of its mapping.
///
/// 1. No result at all (no check mapped, no scanner names it): `manual`.
/// 2. Any result failed, testing or supporting: `fail` (the automation
///    found something wrong).
/// 3. No result passed (all not evaluated): `no_evidence`.
/// 4. A fully-testing check passed: `pass` if every result passed,
///    otherwise `partial` (the others were not evaluated).
/// 5. Otherwise only supporting results passed: `supported` (nothing was
///    found wrong, but no check tests the requirement; a person must).
///
/// With only testing mappings this is the rule of PRODUCT.md §4 unchanged.
pub fn verdict_of(results: &[(MappingStrength, CheckStatus)]) -> VerdictStatus {
    if results.is_empty() {
        return VerdictStatus::Manual;
    }
    let any = |s: CheckStatus| results.iter().any(|(_, status)| *status == s);
    let tested = results.iter().any(|&(strength, status)| {
        strength == MappingStrength::Tests && status == CheckStatus::Pass
    });
    if any(CheckStatus::Fail) {
        VerdictStatus::Fail
    } else if !any(CheckStatus::Pass) {
        VerdictStatus::NoEvidence
    } else if !tested {
        VerdictStatus::Supported
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
            framework: None,
            status,
            reason: String::new(),
            evidence: Vec::new(),
            resources: Vec::new(),
        }
    }

    #[test]
    fn verdict_rule() {
        use CheckStatus::*;
        use MappingStrength::{Supports as S, Tests as T};
        let cases: &[(&[(MappingStrength, CheckStatus)], VerdictStatus)] = &[
            (&[], VerdictStatus::Manual),
            (&[(T, NotEvaluated)], VerdictStatus::NoEvidence),
            (
                &[(S, NotEvaluated), (T, NotEvaluated)],
                VerdictStatus::NoEvidence,
            ),
            (&[(T, Pass), (T, NotEvaluated)], VerdictStatus::Partial),
            (&[(T, Pass), (S, NotEvaluated)], VerdictStatus::Partial),
            (&[(T, Pass), (T, Pass)], VerdictStatus::Pass),
            (&[(T, Pass), (S, Pass)], VerdictStatus::Pass),
            (
                &[(T, Pass), (T, Fail), (T, NotEvaluated)],
                VerdictStatus::Fail,
            ),
            // Only supporting checks passed: nothing wrong, nothing decided.
            (&[(S, Pass)], VerdictStatus::Supported),
            (&[(S, Pass), (S, NotEvaluated)], VerdictStatus::Supported),
            (&[(S, Pass), (T, NotEvaluated)], VerdictStatus::Supported),
            // A supporting check that fails is a failure all the same.
            (&[(T, Pass), (S, Fail)], VerdictStatus::Fail),
            (&[(S, Fail)], VerdictStatus::Fail),
        ];
        for (results, expected) in cases {
            assert_eq!(verdict_of(results), *expected, "{results:?}");
        }
        assert_eq!(VerdictStatus::ALL.len(), 6);
        for status in VerdictStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.id()));
            assert!(!status.meaning().is_empty());
        }
    }

    #[test]
    fn supporting_mappings_and_scanners_only_support() {
        let text = "id = \"t\"\nname = \"T\"\ndescription = \"d\"\nrequirement_ids = [\"1.1\", \"1.2\"]\n\
            [[node]]\nid = \"1\"\ntitle = \"one\"\nresponsibility = \"customer\"\nguidance = \"g\"\n\
            [[node]]\nid = \"1.1\"\ntitle = \"t\"\nresponsibility = \"customer\"\nguidance = \"g\"\n\
            evidence = [\"e\"]\nchecks = [\"aks.private-cluster\"]\nsupporting_checks = [\"fw.threat-intel-deny\"]\n\
            [[node]]\nid = \"1.2\"\ntitle = \"t\"\nresponsibility = \"customer\"\nguidance = \"g\"\n\
            evidence = [\"e\"]\nsupporting_checks = [\"fw.threat-intel-deny\"]\n";
        let catalog = Catalog::from_toml(text).unwrap();
        let run = |check: &str, status| CheckResult {
            check: check.into(),
            ..result(status)
        };
        let named = |framework: &str, id: &str, status| CheckResult {
            check: "scan.azure-policy".into(),
            requirement: Some(id.into()),
            framework: Some(framework.into()),
            ..result(status)
        };
        let of = |results: &[CheckResult], id: &str| {
            verdicts(&catalog, results)
                .into_iter()
                .find(|v| v.requirement == id)
                .unwrap()
                .status
        };
        let private = run("aks.private-cluster", CheckStatus::Pass);
        let threat = run("fw.threat-intel-deny", CheckStatus::Pass);
        assert_eq!(
            of(&[private.clone(), threat.clone()], "1.1"),
            VerdictStatus::Pass
        );
        assert_eq!(
            of(std::slice::from_ref(&threat), "1.1"),
            VerdictStatus::Supported
        );
        assert_eq!(
            of(&[private.clone(), threat.clone()], "1.2"),
            VerdictStatus::Supported
        );
        // A scanner naming the requirement supports it: a pass decides nothing ...
        let policy_pass = named("t", "1.2", CheckStatus::Pass);
        assert_eq!(
            of(std::slice::from_ref(&policy_pass), "1.2"),
            VerdictStatus::Supported
        );
        assert_eq!(
            strength_in(&catalog, "1.2", &policy_pass),
            MappingStrength::Supports
        );
        assert_eq!(
            strength_in(&catalog, "1.1", &private),
            MappingStrength::Tests
        );
        // ... and a failure fails it.
        let policy_fail = named("t", "1.1", CheckStatus::Fail);
        assert_eq!(
            of(&[private.clone(), threat.clone(), policy_fail], "1.1"),
            VerdictStatus::Fail
        );
        // Results naming another framework's numbering feed nothing here.
        let elsewhere = named("other", "1.1", CheckStatus::Fail);
        assert_eq!(
            of(&[private, threat, elsewhere.clone()], "1.1"),
            VerdictStatus::Pass
        );
        let results = [elsewhere, named("t", "1.9", CheckStatus::Pass)];
        let others: Vec<&str> = other_framework(&catalog, &results)
            .iter()
            .filter_map(|r| r.framework.as_deref())
            .collect();
        assert_eq!(others, ["other"]);
        let lost: Vec<&str> = unplaced(&catalog, &results)
            .iter()
            .filter_map(|r| r.requirement.as_deref())
            .collect();
        assert_eq!(lost, ["1.9"]);
    }

    #[test]
    fn results_without_a_framework_name_321_requirements() {
        let legacy: CheckResult = serde_json::from_str(
            r#"{"check":"scan.azure-policy","requirement":"1.3.2","status":"fail","reason":"r","evidence":[]}"#,
        )
        .unwrap();
        assert_eq!(legacy.named_requirement(), Some(("pci-dss-3.2.1", "1.3.2")));
        // Serialised as before: no `framework` key when there is none.
        assert!(
            !serde_json::to_string(&legacy)
                .unwrap()
                .contains("framework")
        );
        let verdicts = verdicts(crate::catalog::pci_dss_321(), &[legacy]);
        let status = verdicts
            .iter()
            .find(|v| v.requirement == "1.3.2")
            .unwrap()
            .status;
        assert_eq!(status, VerdictStatus::Fail);
    }

    #[test]
    fn group_checks_feed_the_requirements_below_them() {
        let catalog = crate::catalog::pci_dss_321();
        assert!(
            catalog
                .get("7.1")
                .is_some_and(|g| g.all_checks().any(|c| c == "aks.entra-rbac"))
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
            framework: Some(catalog.id.clone()),
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
