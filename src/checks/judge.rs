//! Judging single fields of Azure resources: the small building blocks the
//! Azure check families share, so that every family words "not evaluated"
//! the same way and points at the exact field.

use super::{CheckStatus, ResourceResult};
use crate::evidence::azure::ResourceInfo;
use crate::evidence::{EvidenceRef, Field};

/// The result for `resource` unless a template deploys it only under a
/// condition: such a resource may never exist, so it is not judged. The
/// reason names the condition and says what the verdict would be were it
/// deployed.
pub(crate) fn unless_conditional(
    resource: &ResourceInfo,
    result: ResourceResult,
) -> ResourceResult {
    match &resource.deployed_if {
        Some(condition) if result.status != CheckStatus::NotEvaluated => {
            let would = match result.status {
                CheckStatus::Pass => "pass",
                _ => "fail",
            };
            ResourceResult {
                status: CheckStatus::NotEvaluated,
                reason: format!(
                    "deployed only if {condition}, so not judged (deployed, it would {would}: {})",
                    result.reason
                ),
                ..result
            }
        }
        _ => result,
    }
}

/// Evidence pointing at `field` of a resource, or at `fallback` (the part of
/// the resource that should have held it) when the field is absent.
pub(crate) fn evidence_at<T>(info: &ResourceInfo, field: &Field<T>, fallback: &str) -> EvidenceRef {
    EvidenceRef {
        path: info.source.path.clone(),
        pointer: field.pointer().unwrap_or(fallback).to_owned(),
        resource: info.source.resource.clone(),
    }
}

/// Why `field` cannot be judged, naming it (`name` is its path as Azure
/// spells it, e.g. `apiServerAccessProfile.enablePrivateCluster`).
pub(crate) fn unknown_reason<T>(field: &Field<T>, name: &str) -> String {
    match field.require(name) {
        Ok(_) => format!("{name} could not be judged"),
        Err(reason) => reason,
    }
}

/// A "not evaluated" result for `resource` because `field` is not known.
pub(crate) fn not_known<T>(
    resource: &str,
    evidence: EvidenceRef,
    field: &Field<T>,
    name: &str,
) -> ResourceResult {
    ResourceResult::new(
        resource,
        CheckStatus::NotEvaluated,
        unknown_reason(field, name),
        vec![evidence],
    )
}

/// Judges a boolean setting that must be `want`. `good` and `bad` say in
/// plain words what the two values mean; the field and its value follow in
/// brackets. Anything but a known value is "not evaluated".
pub(crate) fn expect_bool(
    resource: &str,
    evidence: EvidenceRef,
    field: &Field<bool>,
    name: &str,
    want: bool,
    (good, bad): (&str, &str),
) -> ResourceResult {
    match field.value() {
        Some(&value) => {
            let (status, meaning) = if value == want {
                (CheckStatus::Pass, good)
            } else {
                (CheckStatus::Fail, bad)
            };
            ResourceResult::new(
                resource,
                status,
                format!("{meaning} ({name} is {value})"),
                vec![evidence],
            )
        }
        None => not_known(resource, evidence, field, name),
    }
}

/// True if `value` equals one of `options`, ignoring ASCII case.
pub(crate) fn is_one_of(value: &str, options: &[&str]) -> bool {
    options.iter().any(|o| value.eq_ignore_ascii_case(o))
}

/// A three-way answer to one condition of a check.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// The evidence shows the condition holds; why.
    Yes(String),
    /// The evidence shows it does not; why.
    No(String),
    /// The evidence does not say; why (naming the field).
    Unknown(String),
}

impl Answer {
    /// The answer for a boolean field that must be `want`.
    pub(crate) fn of_bool(field: &Field<bool>, name: &str, want: bool) -> Answer {
        match field.value() {
            Some(&value) if value == want => Answer::Yes(format!("{name} is {value}")),
            Some(&value) => Answer::No(format!("{name} is {value}")),
            None => Answer::Unknown(unknown_reason(field, name)),
        }
    }
}

/// Combines answers that must all hold: no if any is no, yes if all are yes,
/// unknown otherwise. The reason is that of the first deciding answer, or
/// the yes reasons joined.
pub(crate) fn all_of(answers: Vec<Answer>) -> Answer {
    if let Some(no) = answers.iter().find(|a| matches!(a, Answer::No(_))) {
        return no.clone();
    }
    if let Some(unknown) = answers.iter().find(|a| matches!(a, Answer::Unknown(_))) {
        return unknown.clone();
    }
    let reasons: Vec<String> = answers
        .into_iter()
        .filter_map(|a| match a {
            Answer::Yes(reason) => Some(reason),
            _ => None,
        })
        .collect();
    Answer::Yes(reasons.join("; "))
}

/// Turns an answer into a resource result.
pub(crate) fn result_of(
    resource: &str,
    answer: Answer,
    evidence: Vec<EvidenceRef>,
) -> ResourceResult {
    let (status, reason) = match answer {
        Answer::Yes(r) => (CheckStatus::Pass, r),
        Answer::No(r) => (CheckStatus::Fail, r),
        Answer::Unknown(r) => (CheckStatus::NotEvaluated, r),
    };
    ResourceResult::new(resource, status, reason, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_resources_are_not_judged() {
        let mut info = ResourceInfo {
            id: None,
            name: Some("Containers".into()),
            source: EvidenceRef {
                path: "sub.json".into(),
                pointer: "/resources/0".into(),
                resource: None,
            },
            in_template: true,
            deployed_if: Some("[parameters('enableAzureDefender')]".into()),
            api_version: None,
        };
        let passed = ResourceResult::new("Containers", CheckStatus::Pass, "the plan is on", vec![]);
        let judged = unless_conditional(&info, passed.clone());
        assert_eq!(judged.status, CheckStatus::NotEvaluated);
        assert_eq!(
            judged.reason,
            "deployed only if [parameters('enableAzureDefender')], so not judged (deployed, it would pass: the plan is on)"
        );
        info.deployed_if = None;
        assert_eq!(unless_conditional(&info, passed.clone()), passed);
    }

    #[test]
    fn answers_combine_conservatively() {
        let yes = Answer::Yes("a".into());
        let no = Answer::No("b".into());
        let unknown = Answer::Unknown("c".into());
        assert_eq!(all_of(vec![yes.clone(), unknown.clone()]), unknown);
        assert_eq!(all_of(vec![unknown, no.clone()]), no);
        assert_eq!(
            all_of(vec![yes.clone(), Answer::Yes("d".into())]),
            Answer::Yes("a; d".into())
        );
        let missing: Field<bool> = Field::Missing;
        assert_eq!(
            Answer::of_bool(&missing, "enableRBAC", true),
            Answer::Unknown("enableRBAC is not in the evidence".into())
        );
        assert_eq!(
            Answer::of_bool(&Field::known(false, "/x"), "enableRBAC", true),
            Answer::No("enableRBAC is false".into())
        );
    }
}
