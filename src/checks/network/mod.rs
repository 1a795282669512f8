//! Network checks: NSGs, route tables, Azure Firewall and Application
//! Gateway (see `check_registry.rs` for their IDs and meaning).
//!
//! One file per check family; `refs` matches resource references (literal
//! IDs, and within one ARM template the `resourceId(...)` expressions that
//! name a resource of that template), `topology` works out which subnets
//! hold node pools and which NSG, route table or gateway sits on a subnet.

mod app_gateway;
mod bastion;
mod cde;
mod firewall;
mod nsg;
mod refs;
mod route;
mod topology;

use super::{CheckResult, CheckStatus, ResourceResult, Settings};
use crate::evidence::azure::ResourceInfo;
use crate::evidence::node::is_expression;
use crate::evidence::{Evidence, EvidenceRef, Field};

/// Runs this family's checks, adding one result per static check.
pub(super) fn run(evidence: &Evidence, settings: &Settings, out: &mut Vec<CheckResult>) {
    let _ = settings;
    let azure = &evidence.azure;
    out.push(nsg::node_subnets_covered(azure));
    out.push(nsg::no_ssh_rdp_from_internet(azure));
    out.push(nsg::inbound_internet_only_to_gateway(azure));
    out.push(nsg::rules_restrict_protocol(azure));
    out.push(route::default_via_firewall(azure));
    out.push(firewall::no_allow_any(azure));
    out.push(firewall::app_rules_https(azure));
    out.push(firewall::threat_intel_deny(azure));
    out.push(app_gateway::waf_enabled(azure));
    out.push(app_gateway::waf_prevention(azure));
    out.push(app_gateway::owasp_ruleset(azure));
    out.push(app_gateway::tls12(azure));
    out.push(app_gateway::no_plain_http(azure));
}

/// Runs the network checks that read the PCI scope (added after the first
/// release, so they come after the others in the registry).
pub(super) fn run_cde(evidence: &Evidence, pci: &crate::scope::Scope, out: &mut Vec<CheckResult>) {
    out.push(cde::cde_subnet_isolation(&evidence.azure, pci));
}

/// The answer to a yes/no question about evidence, which may be unknown
/// (with the reason, naming the field).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Unknown(String),
}

impl Tri {
    fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }

    /// Yes only if every answer is yes; a single no decides, whatever is
    /// unknown.
    fn all(answers: impl IntoIterator<Item = Tri>) -> Tri {
        let mut unknown = None;
        for answer in answers {
            match answer {
                Tri::No => return Tri::No,
                Tri::Unknown(why) => {
                    unknown.get_or_insert(why);
                }
                Tri::Yes => {}
            }
        }
        unknown.map_or(Tri::Yes, Tri::Unknown)
    }

    /// Yes if any answer is yes, whatever is unknown.
    fn any(answers: impl IntoIterator<Item = Tri>) -> Tri {
        let mut unknown = None;
        for answer in answers {
            match answer {
                Tri::Yes => return Tri::Yes,
                Tri::Unknown(why) => {
                    unknown.get_or_insert(why);
                }
                Tri::No => {}
            }
        }
        unknown.map_or(Tri::No, Tri::Unknown)
    }
}

/// True if a known string field equals `expected`, ignoring case.
fn field_is(field: &Field<String>, name: &str, expected: &str) -> Tri {
    match field.require(name) {
        Ok(value) => Tri::from_bool(value.trim().eq_ignore_ascii_case(expected)),
        Err(why) => Tri::Unknown(why),
    }
}

/// A resource's name for reasons: its literal name, else the last segment
/// of its ID, else its label (a template expression or its place in the file).
fn name_of(info: &ResourceInfo) -> String {
    info.name
        .as_deref()
        .filter(|n| !is_expression(n))
        .or_else(|| info.id.as_deref().map(refs::last_segment))
        .map_or_else(|| info.label(), str::to_owned)
}

/// A reference as written: the ID, or the template expression.
fn reference_text(reference: &Field<String>) -> String {
    match reference {
        Field::Known { value, .. } => value.clone(),
        Field::Unresolved { expression, .. } => expression.clone(),
        Field::Invalid { found, .. } => found.clone(),
        Field::Withheld { why, .. } => format!("(a value that {why})"),
        Field::Missing | Field::NotSet { .. } => "(not stated)".to_owned(),
    }
}

/// Evidence at `pointer` in the file of the resource `source` points at.
fn evidence_at(source: &EvidenceRef, pointer: &str) -> EvidenceRef {
    EvidenceRef {
        path: source.path.clone(),
        pointer: pointer.to_owned(),
        resource: source.resource.clone(),
    }
}

/// A finding about one part of a resource (a rule, a listener...): what is
/// wrong or unknown about it, and where it is.
struct Finding {
    text: String,
    evidence: EvidenceRef,
}

/// What a check found in one resource's parts: the parts that fail, those
/// that could not be judged, and what to say when all is well.
#[derive(Default)]
struct Findings {
    failed: Vec<Finding>,
    unknown: Vec<Finding>,
}

impl Findings {
    fn fail(&mut self, text: impl Into<String>, evidence: EvidenceRef) {
        self.failed.push(Finding {
            text: text.into(),
            evidence,
        });
    }

    fn unknown(&mut self, text: impl Into<String>, evidence: EvidenceRef) {
        self.unknown.push(Finding {
            text: text.into(),
            evidence,
        });
    }

    /// The resource's result: fail with every failing part named, else not
    /// evaluated naming what is unknown, else pass with `pass_reason`.
    fn into_result(
        self,
        resource: String,
        pass_reason: impl Into<String>,
        pass_evidence: Vec<EvidenceRef>,
    ) -> ResourceResult {
        let (status, found) = if !self.failed.is_empty() {
            (CheckStatus::Fail, self.failed)
        } else if !self.unknown.is_empty() {
            (CheckStatus::NotEvaluated, self.unknown)
        } else {
            return ResourceResult::new(resource, CheckStatus::Pass, pass_reason, pass_evidence);
        };
        let reason = found
            .iter()
            .map(|f| f.text.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let evidence = found.into_iter().map(|f| f.evidence).collect();
        ResourceResult::new(resource, status, reason, evidence)
    }
}

/// A result for a check whose evidence was not imported at all, keeping the
/// resources it could see (each not evaluated) so a reviewer sees why.
fn not_evaluated_with(check: &str, reason: String, resources: Vec<ResourceResult>) -> CheckResult {
    let mut result = CheckResult::not_evaluated(check, reason);
    result.evidence = resources
        .iter()
        .flat_map(|r| r.evidence.iter().cloned())
        .collect();
    result.resources = resources;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_valued_logic_lets_a_known_answer_decide() {
        let unknown = || Tri::Unknown("x is not in the evidence".into());
        assert_eq!(Tri::all([Tri::Yes, unknown(), Tri::No]), Tri::No);
        assert_eq!(Tri::all([Tri::Yes, unknown()]), unknown());
        assert_eq!(Tri::all([Tri::Yes, Tri::Yes]), Tri::Yes);
        assert_eq!(Tri::any([Tri::No, unknown(), Tri::Yes]), Tri::Yes);
        assert_eq!(Tri::any([Tri::No, unknown()]), unknown());
        assert_eq!(Tri::any([]), Tri::No);
    }
}
