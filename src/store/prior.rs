//! The prior period: what an earlier assessment recorded about the
//! requirements a later one assesses, read through the crosswalk when the
//! two use different frameworks (a 4.0.1 assessment started from a 3.2.1
//! one). Nothing is copied: the earlier findings and notes are read from the
//! earlier assessment as it is now, and shown beside the later requirement
//! they map to.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::Store;
use super::error::Result;
use super::model::{Assessment, RequirementState, Review, SignOffState};
use super::queries::requirement_states;
use super::read::{self, People};
use crate::catalog::{self, LinkKind};
use crate::checks::VerdictStatus;

/// How an earlier requirement maps to a later one across frameworks (from
/// the crosswalk).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// Same requirement, merged, split or related.
    pub kind: LinkKind,
    /// True where the link is Tickmark's judgement rather than the PCI
    /// SSC's summary of changes.
    pub judgement: bool,
    /// The crosswalk's one-line note, if any.
    pub note: Option<String>,
}

/// What the earlier assessment recorded about one of its requirements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorFinding {
    /// The requirement in the earlier assessment's framework.
    pub requirement: String,
    /// How it maps to the later requirement (`None` within one framework:
    /// the same ID).
    pub mapping: Option<Mapping>,
    /// The earlier automated verdict.
    pub verdict: Option<VerdictStatus>,
    /// The earlier review: finding, method, worksheet, note, who and when.
    pub review: Option<Review>,
    /// Whether it was signed off (and still is).
    pub sign_off: SignOffState,
}

/// The earlier assessment a later one was started from, and what it
/// recorded, by the later assessment's requirement IDs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorPeriod {
    /// The earlier assessment.
    pub assessment: Assessment,
    /// How requirements were matched: `the same requirement IDs`, or the
    /// crosswalk used.
    pub mapping: String,
    /// Later requirement ID → the earlier requirements mapped to it, in the
    /// crosswalk's order (only requirements with a counterpart).
    pub requirements: BTreeMap<String, Vec<PriorFinding>>,
}

impl PriorPeriod {
    /// The earlier findings mapped to `requirement` of the later assessment.
    pub fn of(&self, requirement: &str) -> &[PriorFinding] {
        self.requirements
            .get(requirement)
            .map_or(&[], Vec::as_slice)
    }
}

impl Store {
    /// The prior period of `assessment`: the assessment it was started from
    /// and what that one recorded, mapped onto this one's requirements.
    /// `None` when it was not started from another.
    pub fn prior_period(&self, assessment: i64) -> Result<Option<PriorPeriod>> {
        self.read(|conn| prior_period(conn, assessment))
    }
}

pub(crate) fn prior_period(conn: &Connection, assessment: i64) -> Result<Option<PriorPeriod>> {
    let later = read::require_assessment(conn, assessment)?;
    let Some(earlier_id) = later.prior_assessment else {
        return Ok(None);
    };
    let people = People::load(conn)?;
    let Some(earlier) = read::assessment_by_id(conn, &people, earlier_id)? else {
        return Ok(None);
    };
    let states: HashMap<String, RequirementState> = requirement_states(conn, earlier.id)?
        .into_iter()
        .map(|s| (s.requirement.clone(), s))
        .collect();
    let pairs = counterparts(&earlier.catalog_id, &later.catalog_id, &states);
    let mut requirements: BTreeMap<String, Vec<PriorFinding>> = BTreeMap::new();
    for (later_id, earlier_id, mapping) in pairs.links {
        let state = states.get(&earlier_id);
        requirements
            .entry(later_id)
            .or_default()
            .push(PriorFinding {
                requirement: earlier_id,
                mapping,
                verdict: state.and_then(|s| s.verdict),
                review: state.and_then(|s| s.review.clone()),
                sign_off: state.map_or(SignOffState::None, |s| s.sign_off_state),
            });
    }
    Ok(Some(PriorPeriod {
        assessment: earlier,
        mapping: pairs.description,
        requirements,
    }))
}

/// A later requirement, the earlier one it maps to, and how.
pub(crate) type Pair = (String, String, Option<Mapping>);

/// Pairs of (later ID, earlier ID, mapping) between two frameworks, and how
/// they were found.
pub(crate) struct Counterparts {
    pub links: Vec<Pair>,
    pub description: String,
}

/// The requirement pairs of an earlier assessment on `earlier_catalog` and a
/// later one on `later_catalog`: the same IDs within one framework
/// (`earlier` lists the earlier's requirements), else the built-in
/// crosswalk's links (none without one).
pub(crate) fn counterparts(
    earlier_catalog: &str,
    later_catalog: &str,
    earlier: &HashMap<String, RequirementState>,
) -> Counterparts {
    if earlier_catalog == later_catalog {
        let ids: Vec<String> = match catalog::builtin(later_catalog) {
            Some(c) => c.requirements().map(|n| n.id.clone()).collect(),
            None => {
                let mut ids: Vec<String> = earlier.keys().cloned().collect();
                ids.sort_by_key(|id| catalog::id_order_key(id));
                ids
            }
        };
        return Counterparts {
            links: ids.into_iter().map(|id| (id.clone(), id, None)).collect(),
            description: "the same requirement IDs (one framework)".to_owned(),
        };
    }
    let Some(crosswalk) = catalog::crosswalk_between(earlier_catalog, later_catalog) else {
        return Counterparts {
            links: Vec::new(),
            description: format!(
                "no crosswalk between {earlier_catalog} and {later_catalog}: nothing could be matched"
            ),
        };
    };
    let later_order: Vec<String> = catalog::builtin(later_catalog)
        .map(|c| c.requirements().map(|n| n.id.clone()).collect())
        .unwrap_or_default();
    let mut links = Vec::new();
    for later_id in &later_order {
        for (earlier_id, link) in crosswalk.counterparts(later_catalog, later_id) {
            links.push((
                later_id.clone(),
                earlier_id.to_owned(),
                Some(Mapping {
                    kind: link.kind,
                    judgement: link.judgement,
                    note: link.note.clone(),
                }),
            ));
        }
    }
    Counterparts {
        description: format!(
            "the crosswalk {} → {} ({} links)",
            crosswalk.from,
            crosswalk.to,
            crosswalk.links.len()
        ),
        links,
    }
}
