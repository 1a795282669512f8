//! Comparing two assessments requirement by requirement (e.g. this
//! half-year's with the last, for PCI DSS 1.1.7's six-monthly review).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Store;
use super::error::{Result, StoreError};
use super::model::{Assessment, Conclusion, RequirementState, SignOffState};
use super::queries::requirement_states;
use super::read::{self, People};
use crate::checks::VerdictStatus;

/// A value before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta<T> {
    /// In the earlier assessment.
    pub from: T,
    /// In the later assessment.
    pub to: T,
}

impl<T: PartialEq> Delta<T> {
    /// True if the value differs.
    pub fn changed(&self) -> bool {
        self.from != self.to
    }
}

/// What changed for one requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementComparison {
    /// The requirement ID.
    pub requirement: String,
    /// The latest run's automated verdict.
    pub verdict: Delta<Option<VerdictStatus>>,
    /// The reviewer's conclusion.
    pub conclusion: Delta<Option<Conclusion>>,
    /// True if the notes differ.
    pub note_changed: bool,
    /// SHA-256s of evidence files cited now that were not cited before.
    pub evidence_added: Vec<String>,
    /// SHA-256s of evidence files cited before that are not cited now.
    pub evidence_removed: Vec<String>,
    /// Whether the requirement is signed off.
    pub sign_off: Delta<SignOffState>,
}

impl RequirementComparison {
    /// True if anything differs.
    pub fn changed(&self) -> bool {
        self.verdict.changed()
            || self.conclusion.changed()
            || self.note_changed
            || !self.evidence_added.is_empty()
            || !self.evidence_removed.is_empty()
            || self.sign_off.changed()
    }
}

/// Two assessments side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The earlier assessment.
    pub from: Assessment,
    /// The later assessment.
    pub to: Assessment,
    /// Every requirement either has anything about, in the later
    /// assessment's order, then the earlier's remaining ones.
    pub requirements: Vec<RequirementComparison>,
}

impl Comparison {
    /// The requirements where anything changed.
    pub fn changed(&self) -> impl Iterator<Item = &RequirementComparison> {
        self.requirements.iter().filter(|r| r.changed())
    }
}

impl Store {
    /// Compares assessment `from` with assessment `to`, requirement by
    /// requirement.
    pub fn compare(&self, from: i64, to: i64) -> Result<Comparison> {
        self.read(|conn| {
            let people = People::load(conn)?;
            let find = |id: i64| {
                read::assessment_by_id(conn, &people, id)?
                    .ok_or_else(|| StoreError::NotFound(format!("there is no assessment #{id}")))
            };
            let (from_assessment, to_assessment) = (find(from)?, find(to)?);
            let before = requirement_states(conn, from)?;
            let after = requirement_states(conn, to)?;
            let mut order: Vec<&str> = after.iter().map(|s| s.requirement.as_str()).collect();
            let seen: BTreeSet<&str> = order.iter().copied().collect();
            order.extend(
                before
                    .iter()
                    .map(|s| s.requirement.as_str())
                    .filter(|r| !seen.contains(r)),
            );
            let lookup = |states: &[RequirementState], id: &str| {
                states.iter().find(|s| s.requirement == id).cloned()
            };
            let requirements = order
                .into_iter()
                .map(|id| compare_one(id, lookup(&before, id), lookup(&after, id)))
                .collect();
            Ok(Comparison {
                from: from_assessment,
                to: to_assessment,
                requirements,
            })
        })
    }
}

fn compare_one(
    requirement: &str,
    before: Option<RequirementState>,
    after: Option<RequirementState>,
) -> RequirementComparison {
    let verdict = |s: &Option<RequirementState>| s.as_ref().and_then(|s| s.verdict);
    let conclusion = |s: &Option<RequirementState>| s.as_ref().and_then(|s| s.conclusion());
    let note = |s: &Option<RequirementState>| {
        s.as_ref()
            .and_then(|s| s.review.as_ref())
            .map(|r| r.note.clone())
            .unwrap_or_default()
    };
    let evidence = |s: &Option<RequirementState>| -> BTreeSet<String> {
        s.as_ref()
            .map(|s| s.evidence_sha256.iter().cloned().collect())
            .unwrap_or_default()
    };
    let sign_off = |s: &Option<RequirementState>| {
        s.as_ref()
            .map(|s| s.sign_off_state)
            .unwrap_or(SignOffState::None)
    };
    let (old_evidence, new_evidence) = (evidence(&before), evidence(&after));
    RequirementComparison {
        requirement: requirement.to_owned(),
        verdict: Delta {
            from: verdict(&before),
            to: verdict(&after),
        },
        conclusion: Delta {
            from: conclusion(&before),
            to: conclusion(&after),
        },
        note_changed: note(&before) != note(&after),
        evidence_added: new_evidence.difference(&old_evidence).cloned().collect(),
        evidence_removed: old_evidence.difference(&new_evidence).cloned().collect(),
        sign_off: Delta {
            from: sign_off(&before),
            to: sign_off(&after),
        },
    }
}
