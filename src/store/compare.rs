//! Comparing two assessments requirement by requirement (e.g. this
//! half-year's with the last, for PCI DSS 1.1.7's six-monthly review), also
//! across frameworks: a 4.0.1 assessment with a 3.2.1 one goes through the
//! crosswalk, one row per linked pair.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::Store;
use super::error::{Result, StoreError};
use super::model::{Assessment, Conclusion, RequirementState, SignOffState};
use super::prior::{Mapping, Pair, counterparts};
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
    /// The requirement the row is about: the later assessment's ID, or the
    /// earlier's when the later framework has no counterpart
    /// (`only_earlier`).
    pub requirement: String,
    /// The earlier assessment's requirement compared with it: the same ID
    /// within one framework, the crosswalk's counterpart across two; `None`
    /// when there is none (a requirement new in v4.0).
    pub earlier_requirement: Option<String>,
    /// True when `requirement` is the earlier assessment's and the later
    /// framework has no counterpart.
    pub only_earlier: bool,
    /// How the two map across frameworks (from the crosswalk).
    pub mapping: Option<Mapping>,
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
    /// How requirements were matched: `the same requirement IDs`, or the
    /// crosswalk used.
    pub mapping: String,
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
    /// Compares assessment `from` (the earlier) with assessment `to` (the
    /// later), requirement by requirement: by ID within one framework,
    /// through the built-in crosswalk across two.
    pub fn compare(&self, from: i64, to: i64) -> Result<Comparison> {
        self.read(|conn| {
            let people = People::load(conn)?;
            let find = |id: i64| {
                read::assessment_by_id(conn, &people, id)?
                    .ok_or_else(|| StoreError::NotFound(format!("there is no assessment #{id}")))
            };
            let (from_assessment, to_assessment) = (find(from)?, find(to)?);
            let before: HashMap<String, RequirementState> = requirement_states(conn, from)?
                .into_iter()
                .map(|s| (s.requirement.clone(), s))
                .collect();
            let after_list = requirement_states(conn, to)?;
            let after: HashMap<String, RequirementState> = after_list
                .iter()
                .map(|s| (s.requirement.clone(), s.clone()))
                .collect();
            let same = from_assessment.catalog_id == to_assessment.catalog_id;
            let pairs = if same {
                same_framework_pairs(&before, &after_list)
            } else {
                let found = counterparts(
                    &from_assessment.catalog_id,
                    &to_assessment.catalog_id,
                    &before,
                );
                if found.links.is_empty() {
                    return Err(StoreError::Rule(format!(
                        "\"{}\" ({}) and \"{}\" ({}) cannot be compared: {}",
                        from_assessment.name,
                        from_assessment.catalog_id,
                        to_assessment.name,
                        to_assessment.catalog_id,
                        found.description
                    )));
                }
                Pairs {
                    description: found.description,
                    rows: cross_framework_rows(
                        found.links,
                        &to_assessment.catalog_id,
                        &from_assessment.catalog_id,
                    ),
                }
            };
            let requirements = pairs
                .rows
                .into_iter()
                .map(|row| {
                    let earlier = row.earlier.as_ref().and_then(|id| before.get(id)).cloned();
                    let later = if row.only_earlier {
                        None
                    } else {
                        after.get(&row.requirement).cloned()
                    };
                    let mut compared = compare_one(&row.requirement, earlier, later);
                    compared.earlier_requirement = row.earlier;
                    compared.only_earlier = row.only_earlier;
                    compared.mapping = row.mapping;
                    compared
                })
                .collect();
            Ok(Comparison {
                from: from_assessment,
                to: to_assessment,
                mapping: pairs.description,
                requirements,
            })
        })
    }
}

/// The rows to compare and how they were matched.
struct Pairs {
    description: String,
    rows: Vec<Row>,
}

/// One row: the requirement, the earlier one compared with it, and how.
struct Row {
    requirement: String,
    earlier: Option<String>,
    only_earlier: bool,
    mapping: Option<Mapping>,
}

/// Within one framework: every requirement either has anything about, in
/// the later assessment's order, then the earlier's remaining ones.
fn same_framework_pairs(
    before: &HashMap<String, RequirementState>,
    after: &[RequirementState],
) -> Pairs {
    let mut order: Vec<String> = after.iter().map(|s| s.requirement.clone()).collect();
    let seen: BTreeSet<String> = order.iter().cloned().collect();
    let mut rest: Vec<String> = before
        .keys()
        .filter(|r| !seen.contains(*r))
        .cloned()
        .collect();
    rest.sort_by_key(|id| crate::catalog::id_order_key(id));
    order.extend(rest);
    Pairs {
        description: "the same requirement IDs (one framework)".to_owned(),
        rows: order
            .into_iter()
            .map(|id| Row {
                earlier: Some(id.clone()),
                requirement: id,
                only_earlier: false,
                mapping: None,
            })
            .collect(),
    }
}

/// Across frameworks: one row per crosswalk link in the later catalog's
/// order, a row for each later requirement without a predecessor (new in
/// v4.0), then the earlier requirements without a successor.
fn cross_framework_rows(links: Vec<Pair>, later_catalog: &str, earlier_catalog: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let linked_later: BTreeSet<&str> = links.iter().map(|(l, _, _)| l.as_str()).collect();
    let linked_earlier: BTreeSet<String> = links.iter().map(|(_, e, _)| e.clone()).collect();
    let mut by_later: HashMap<&str, Vec<&Pair>> = HashMap::new();
    for link in &links {
        by_later.entry(link.0.as_str()).or_default().push(link);
    }
    if let Some(later) = crate::catalog::builtin(later_catalog) {
        for node in later.requirements() {
            match by_later.get(node.id.as_str()) {
                Some(found) => rows.extend(found.iter().map(|(l, e, m)| Row {
                    requirement: l.clone(),
                    earlier: Some(e.clone()),
                    only_earlier: false,
                    mapping: m.clone(),
                })),
                None if !linked_later.contains(node.id.as_str()) => rows.push(Row {
                    requirement: node.id.clone(),
                    earlier: None,
                    only_earlier: false,
                    mapping: None,
                }),
                None => {}
            }
        }
    }
    if let Some(earlier) = crate::catalog::builtin(earlier_catalog) {
        for node in earlier.requirements() {
            if !linked_earlier.contains(&node.id) {
                rows.push(Row {
                    requirement: node.id.clone(),
                    earlier: Some(node.id.clone()),
                    only_earlier: true,
                    mapping: None,
                });
            }
        }
    }
    rows
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
        earlier_requirement: None,
        only_earlier: false,
        mapping: None,
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
