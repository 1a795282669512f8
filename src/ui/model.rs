//! What the panels show, derived from the loaded assessment: each
//! requirement's status at a glance, the filters and search of the tree,
//! the tree's rows and the per-family counts.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::worker::Loaded;
use crate::catalog::{Catalog, NodeKind, Requirement};
use crate::checks::VerdictStatus;
use crate::store::{Assessment, Conclusion, RequirementState, ResultSummary, SignOffState};

/// One requirement at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glance {
    /// The automated verdict of the latest run (none before the first run).
    pub verdict: Option<VerdictStatus>,
    /// The conclusion, if recorded.
    pub conclusion: Option<Conclusion>,
    /// The latest sign-off's state.
    pub sign_off: SignOffState,
    /// How many attachments (not withdrawn).
    pub attachments: usize,
    /// A note is recorded.
    pub has_note: bool,
    /// The latest reviewer sign-off's state.
    pub reviewed: SignOffState,
    /// How many review notes are open.
    pub open_review_notes: usize,
}

impl Glance {
    /// A requirement nothing is known about yet.
    pub const EMPTY: Glance = Glance {
        verdict: None,
        conclusion: None,
        sign_off: SignOffState::None,
        attachments: 0,
        has_note: false,
        reviewed: SignOffState::None,
        open_review_notes: 0,
    };

    /// Of a requirement state.
    pub fn of(state: Option<&RequirementState>) -> Glance {
        match state {
            None => Glance::EMPTY,
            Some(state) => Glance {
                verdict: state.verdict,
                conclusion: state.conclusion(),
                sign_off: state.sign_off_state,
                attachments: state
                    .attachments
                    .iter()
                    .filter(|a| a.withdrawn.is_none())
                    .count(),
                has_note: state
                    .review
                    .as_ref()
                    .is_some_and(|r| !r.note.trim().is_empty()),
                reviewed: state.reviewer_state,
                open_review_notes: state.open_review_notes().count(),
            },
        }
    }

    /// A sentence for tooltips and screen readers.
    pub fn describe(&self) -> String {
        let verdict = self
            .verdict
            .map_or("not evaluated yet", VerdictStatus::label);
        let conclusion = self
            .conclusion
            .map_or_else(|| "no finding".to_owned(), Conclusion::label);
        let signed = match self.sign_off {
            SignOffState::None => "not signed off",
            SignOffState::Current => "signed off",
            SignOffState::Stale => "sign-off stale",
        };
        let reviewed = match self.reviewed {
            SignOffState::None => "not reviewed",
            SignOffState::Current => "reviewed",
            SignOffState::Stale => "review stale",
        };
        let notes = match self.open_review_notes {
            0 => String::new(),
            n => format!("; {n} open review note(s)"),
        };
        format!("Automated: {verdict}; {conclusion}; {signed}; {reviewed}{notes}")
    }
}

/// The tree's filters; a requirement shows when it meets every one that is on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// Automated verdict fail.
    pub failing: bool,
    /// No conclusion yet.
    pub unreviewed: bool,
    /// No automated result: the latest run's verdict is manual (before the
    /// first run, the catalog lists no check for it). A requirement without
    /// catalog checks that a scanner's result names (Azure Policy, Prowler)
    /// has a verdict of its own and is not manual.
    pub manual: bool,
    /// Signed off, and the sign-off is current.
    pub signed: bool,
    /// The latest sign-off is stale.
    pub stale: bool,
    /// New in PCI DSS v4.0.
    #[serde(default)]
    pub new_in_v4: bool,
    /// A finding is recorded but the requirement is not signed off (or its
    /// sign-off is stale): what is left to sign.
    #[serde(default)]
    pub concluded_unsigned: bool,
    /// A note is recorded.
    #[serde(default)]
    pub has_note: bool,
    /// A review note is open.
    #[serde(default)]
    pub open_review_notes: bool,
    /// Signed off by the preparer and waiting for the reviewer: no current
    /// reviewer sign-off over a current preparer's.
    #[serde(default)]
    pub to_review: bool,
}

impl Filters {
    /// True if any filter is on.
    pub fn any(&self) -> bool {
        self.failing
            || self.unreviewed
            || self.manual
            || self.signed
            || self.stale
            || self.new_in_v4
            || self.concluded_unsigned
            || self.has_note
            || self.open_review_notes
            || self.to_review
    }

    /// Whether a requirement passes every filter that is on.
    pub fn accept(&self, catalog: &Catalog, id: &str, glance: &Glance) -> bool {
        (!self.failing || glance.verdict == Some(VerdictStatus::Fail))
            && (!self.unreviewed || glance.conclusion.is_none())
            && (!self.manual
                || glance
                    .verdict
                    .map_or_else(|| catalog.is_manual(id), |v| v == VerdictStatus::Manual))
            && (!self.signed || glance.sign_off == SignOffState::Current)
            && (!self.stale || glance.sign_off == SignOffState::Stale)
            && (!self.new_in_v4 || catalog.get(id).is_some_and(|n| n.new_in_v4))
            && (!self.concluded_unsigned
                || (glance.conclusion.is_some() && glance.sign_off != SignOffState::Current))
            && (!self.has_note || glance.has_note)
            && (!self.open_review_notes || glance.open_review_notes > 0)
            && (!self.to_review
                || (glance.sign_off == SignOffState::Current
                    && glance.reviewed != SignOffState::Current))
    }
}

/// Whether a requirement matches the search text: its ID starts with it, or
/// its title, guidance or note contains it (case-insensitive).
pub fn matches_search(node: &Requirement, note: Option<&str>, search: &str) -> bool {
    let search = search.trim();
    if search.is_empty() {
        return true;
    }
    if node.id.starts_with(search) {
        return true;
    }
    let needle = search.to_lowercase();
    [
        Some(node.title.as_str()),
        Some(node.guidance.as_str()),
        note,
    ]
    .into_iter()
    .flatten()
    .any(|text| text.to_lowercase().contains(&needle))
}

/// One row of the requirement tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeRow {
    /// A family (`1` .. `12`), expanded or not.
    Family {
        /// Its ID.
        id: String,
        /// Whether its requirements show.
        expanded: bool,
    },
    /// A grouping node (not assessed).
    Group {
        /// Its ID.
        id: String,
    },
    /// An assessed requirement.
    Requirement {
        /// Its ID.
        id: String,
    },
}

/// How many requirements of a family are where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FamilyCounts {
    /// Assessed requirements.
    pub total: usize,
    /// With a conclusion.
    pub reviewed: usize,
    /// Signed off and current.
    pub signed: usize,
    /// With a stale sign-off.
    pub stale: usize,
    /// Automated verdict fail.
    pub failing: usize,
    /// With a current reviewer sign-off.
    pub review_signed: usize,
    /// Open review notes.
    pub open_review_notes: usize,
}

/// The assessment as the panels see it: glances by requirement, rebuilt
/// when the loaded data changes.
#[derive(Debug, Default)]
pub struct View {
    glances: HashMap<String, Glance>,
}

impl View {
    /// Builds the glances of `loaded`.
    pub fn new(loaded: Option<&Loaded>) -> View {
        let glances = loaded
            .map(|l| {
                l.states
                    .iter()
                    .map(|(id, state)| (id.clone(), Glance::of(Some(state))))
                    .collect()
            })
            .unwrap_or_default();
        View { glances }
    }

    /// Updates one requirement.
    pub fn update(&mut self, state: &RequirementState) {
        self.glances
            .insert(state.requirement.clone(), Glance::of(Some(state)));
    }

    /// A requirement at a glance.
    pub fn glance(&self, id: &str) -> Glance {
        self.glances.get(id).copied().unwrap_or(Glance::EMPTY)
    }

    /// The requirements that pass the filters and the search, in catalog order.
    pub fn visible_requirements<'a>(
        &self,
        catalog: &'a Catalog,
        loaded: Option<&Loaded>,
        filters: &Filters,
        search: &str,
    ) -> Vec<&'a str> {
        catalog
            .requirements()
            .filter(|node| self.accepts(catalog, node, loaded, filters, search))
            .map(|node| node.id.as_str())
            .collect()
    }

    fn accepts(
        &self,
        catalog: &Catalog,
        node: &Requirement,
        loaded: Option<&Loaded>,
        filters: &Filters,
        search: &str,
    ) -> bool {
        let note = loaded
            .and_then(|l| l.states.get(&node.id))
            .and_then(|s| s.review.as_ref())
            .map(|r| r.note.as_str());
        filters.accept(catalog, &node.id, &self.glance(&node.id))
            && matches_search(node, note, search)
    }

    /// The tree's rows: every family with visible requirements (every family
    /// when nothing filters), and, in expanded families, the groups and
    /// requirements on the way to each visible requirement.
    pub fn tree_rows(
        &self,
        catalog: &Catalog,
        visible: &[&str],
        collapsed: &HashSet<String>,
        narrowing: bool,
    ) -> Vec<TreeRow> {
        let visible: HashSet<&str> = visible.iter().copied().collect();
        let mut rows = Vec::new();
        let mut family: Option<(usize, bool)> = None;
        let mut pending_groups: Vec<&str> = Vec::new();
        for node in &catalog.nodes {
            match node.kind {
                NodeKind::Family => {
                    if let Some((at, false)) = family
                        && narrowing
                    {
                        rows.truncate(at);
                    }
                    let expanded = narrowing || !collapsed.contains(&node.id);
                    family = Some((rows.len(), false));
                    rows.push(TreeRow::Family {
                        id: node.id.clone(),
                        expanded,
                    });
                    pending_groups.clear();
                }
                NodeKind::Group => {
                    let depth = node.depth();
                    pending_groups.retain(|g| g.split('.').count() < depth);
                    pending_groups.push(&node.id);
                }
                NodeKind::Requirement => {
                    if !visible.contains(node.id.as_str()) {
                        continue;
                    }
                    let expanded = matches!(
                        family.and_then(|(at, _)| rows.get(at)),
                        Some(TreeRow::Family { expanded: true, .. })
                    );
                    if let Some((_, seen)) = &mut family {
                        *seen = true;
                    }
                    if !expanded {
                        continue;
                    }
                    let depth = node.depth();
                    for group in pending_groups.drain(..) {
                        let ancestor = node
                            .id
                            .strip_prefix(group)
                            .is_some_and(|rest| rest.starts_with('.'));
                        if group.split('.').count() < depth && ancestor {
                            rows.push(TreeRow::Group {
                                id: group.to_owned(),
                            });
                        }
                    }
                    rows.push(TreeRow::Requirement {
                        id: node.id.clone(),
                    });
                }
            }
        }
        if let Some((at, false)) = family
            && narrowing
        {
            rows.truncate(at);
        }
        rows
    }

    /// Counts per family, in family order.
    pub fn family_counts(&self, catalog: &Catalog) -> Vec<(String, FamilyCounts)> {
        let mut counts: Vec<(String, FamilyCounts)> = catalog
            .families()
            .map(|f| (f.id.clone(), FamilyCounts::default()))
            .collect();
        for node in catalog.requirements() {
            let family = node.id.split('.').next().unwrap_or_default();
            let Some((_, c)) = counts.iter_mut().find(|(id, _)| id == family) else {
                continue;
            };
            let glance = self.glance(&node.id);
            c.total += 1;
            c.reviewed += usize::from(glance.conclusion.is_some());
            c.signed += usize::from(glance.sign_off == SignOffState::Current);
            c.stale += usize::from(glance.sign_off == SignOffState::Stale);
            c.failing += usize::from(glance.verdict == Some(VerdictStatus::Fail));
            c.review_signed += usize::from(glance.reviewed == SignOffState::Current);
            c.open_review_notes += glance.open_review_notes;
        }
        counts
    }
}

/// The results behind `requirement`'s verdict in the loaded run, with their
/// indexes in the run.
pub fn results_of<'a>(loaded: &'a Loaded, requirement: &str) -> Vec<(usize, &'a ResultSummary)> {
    loaded
        .run
        .as_ref()
        .map(|run| run.results_of(requirement))
        .unwrap_or_default()
}

/// Whether `a` comes before `b` in a comparison: the period that starts first
/// (a retest that starts inside a half-year comes after it), then the one
/// that ends first, then the one created first.
pub fn is_earlier(a: &Assessment, b: &Assessment) -> bool {
    (a.period_start, a.period_end, a.id) <= (b.period_start, b.period_end, b.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glance(
        verdict: VerdictStatus,
        conclusion: Option<Conclusion>,
        sign_off: SignOffState,
    ) -> Glance {
        Glance {
            verdict: Some(verdict),
            conclusion,
            sign_off,
            ..Glance::EMPTY
        }
    }

    fn assessment(id: i64, start: &str, end: &str) -> Assessment {
        Assessment {
            id,
            name: format!("A{id}"),
            cluster: "aks".into(),
            period_start: start.parse().unwrap(),
            period_end: end.parse().unwrap(),
            catalog_id: "pci-dss-3.2.1".into(),
            created_at: chrono::Utc::now(),
            created_by: crate::store::Person {
                profile: None,
                name: None,
                email: None,
                role: None,
                os_user: "tester".into(),
            },
            prior_assessment: None,
            sample: false,
            archived: None,
        }
    }

    #[test]
    fn a_retest_inside_a_period_compares_as_the_later_one() {
        let half_year = assessment(1, "2026-06-01", "2026-11-30");
        let retest = assessment(2, "2026-11-22", "2026-11-22");
        assert!(is_earlier(&half_year, &retest));
        assert!(!is_earlier(&retest, &half_year));
        let next = assessment(3, "2026-12-01", "2027-05-31");
        assert!(is_earlier(&retest, &next));
        let twin = assessment(4, "2026-06-01", "2026-11-30");
        assert!(is_earlier(&half_year, &twin), "created first");
    }

    #[test]
    fn filters_combine_with_and() {
        let catalog = crate::catalog::pci_dss_321();
        let failing = glance(VerdictStatus::Fail, None, SignOffState::None);
        let signed = glance(
            VerdictStatus::Pass,
            Some(Conclusion::defined(crate::store::Finding::InPlace)),
            SignOffState::Current,
        );
        let both = Filters {
            failing: true,
            unreviewed: true,
            ..Filters::default()
        };
        assert!(both.accept(catalog, "1.1.6", &failing));
        assert!(!both.accept(catalog, "1.3.7", &signed));
        let manual = Filters {
            manual: true,
            ..Filters::default()
        };
        assert!(manual.accept(catalog, "1.1.2", &Glance::EMPTY));
        assert!(!manual.accept(catalog, "1.3.7", &Glance::EMPTY));
        // 8.3.1 has no catalog check, but an Azure Policy result made it fail.
        assert!(catalog.is_manual("8.3.1"));
        assert!(!manual.accept(catalog, "8.3.1", &failing));
        let by_hand = glance(VerdictStatus::Manual, None, SignOffState::None);
        assert!(manual.accept(catalog, "8.3.1", &by_hand));
        let stale = Filters {
            stale: true,
            ..Filters::default()
        };
        assert!(!stale.accept(catalog, "1.3.7", &signed));
    }

    #[test]
    fn search_by_id_prefix_or_text() {
        let catalog = crate::catalog::pci_dss_321();
        let node = catalog.get("1.3.7").unwrap();
        assert!(matches_search(node, None, "1.3"));
        assert!(matches_search(node, None, ""));
        assert!(!matches_search(node, None, "2.1"));
        assert!(matches_search(node, Some("see the DNS zone"), "dns ZONE"));
        let word = node.title.split_whitespace().last().unwrap().to_uppercase();
        assert!(matches_search(node, None, &word));
    }

    #[test]
    fn tree_rows_show_families_groups_and_requirements() {
        let catalog = crate::catalog::pci_dss_321();
        let view = View::default();
        let all = view.visible_requirements(catalog, None, &Filters::default(), "");
        assert_eq!(all.len(), 232);
        let collapsed: HashSet<String> = catalog.families().map(|f| f.id.clone()).collect();
        let rows = view.tree_rows(catalog, &all, &collapsed, false);
        assert_eq!(rows.len(), 12, "all families, collapsed");
        let rows = view.tree_rows(catalog, &all, &HashSet::new(), false);
        assert!(rows.contains(&TreeRow::Group { id: "1.1".into() }));
        assert!(rows.contains(&TreeRow::Requirement {
            id: "12.11.1".into()
        }));
        let group_at = rows
            .iter()
            .position(|r| r == &TreeRow::Group { id: "1.1".into() });
        let req_at = rows
            .iter()
            .position(|r| r == &TreeRow::Requirement { id: "1.1.1".into() });
        assert!(group_at < req_at);
        // Narrowed: only the family and the way to the match.
        let found = view.visible_requirements(catalog, None, &Filters::default(), "1.3.7");
        let rows = view.tree_rows(catalog, &found, &collapsed, true);
        assert_eq!(
            rows,
            vec![
                TreeRow::Family {
                    id: "1".into(),
                    expanded: true
                },
                TreeRow::Group { id: "1.3".into() },
                TreeRow::Requirement { id: "1.3.7".into() },
            ]
        );
    }
}
