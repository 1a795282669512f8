//! The record joined with the catalog: one row per catalog requirement, in
//! catalog order, with everything the exports show about it.

use std::collections::{BTreeMap, HashMap};

use crate::catalog::{Catalog, Requirement};
use crate::checks::{CheckResult, CheckStatus, RequirementVerdict, VerdictStatus};
use crate::store::{
    AssessmentRecord, AttachmentMeta, Conclusion, EventRecord, EvidenceFile, Finding, HistoryEntry,
    Method, PriorFinding, Review, SignOff, SignOffState, VerdictCounts,
};

use super::ReportData;
use super::layout::{BundleLayout, bundle_layout};
use crate::store::RequirementState;

/// One catalog requirement and what the record says about it.
pub(crate) struct Row<'a> {
    pub node: &'a Requirement,
    pub state: Option<&'a RequirementState>,
    pub verdict: Option<&'a RequirementVerdict>,
    pub history: &'a [HistoryEntry],
}

impl<'a> Row<'a> {
    pub fn id(&self) -> &'a str {
        &self.node.id
    }

    pub fn verdict_status(&self) -> Option<VerdictStatus> {
        self.verdict
            .map(|v| v.status)
            .or_else(|| self.state.and_then(|s| s.verdict))
    }

    pub fn checks(&self) -> &'a [CheckResult] {
        self.verdict.map_or(&[], |v| v.checks.as_slice())
    }

    pub fn failing_checks(&self) -> impl Iterator<Item = &'a CheckResult> + use<'a> {
        self.checks()
            .iter()
            .filter(|c| c.status == CheckStatus::Fail)
    }

    pub fn review(&self) -> Option<&'a Review> {
        self.state.and_then(|s| s.review.as_ref())
    }

    pub fn conclusion(&self) -> Option<Conclusion> {
        self.review().and_then(Review::conclusion)
    }

    pub fn finding(&self) -> Option<Finding> {
        self.review().and_then(|r| r.finding)
    }

    pub fn note(&self) -> &'a str {
        self.review().map_or("", |r| r.note.as_str())
    }

    pub fn attachments(&self) -> &'a [AttachmentMeta] {
        self.state.map_or(&[], |s| s.attachments.as_slice())
    }

    pub fn current_attachments(&self) -> impl Iterator<Item = &'a AttachmentMeta> + use<'a> {
        self.attachments().iter().filter(|a| a.withdrawn.is_none())
    }

    pub fn sign_offs(&self) -> &'a [SignOff] {
        self.state.map_or(&[], |s| s.sign_offs.as_slice())
    }

    pub fn latest_sign_off(&self) -> Option<&'a SignOff> {
        self.sign_offs().last()
    }

    /// Reviewer sign-offs, oldest first.
    pub fn reviewer_sign_offs(&self) -> &'a [SignOff] {
        self.state.map_or(&[], |s| s.reviewer_sign_offs.as_slice())
    }

    pub fn latest_reviewer_sign_off(&self) -> Option<&'a SignOff> {
        self.reviewer_sign_offs().last()
    }

    /// Review notes, oldest first, cleared ones included.
    pub fn review_notes(&self) -> &'a [crate::store::ReviewNote] {
        self.state.map_or(&[], |s| s.review_notes.as_slice())
    }

    pub fn reviewer_state(&self) -> SignOffState {
        self.state.map_or(SignOffState::None, |s| s.reviewer_state)
    }

    pub fn sign_off_state(&self) -> SignOffState {
        self.state.map_or(SignOffState::None, |s| s.sign_off_state)
    }

    /// What the assessment this one was started from recorded about the
    /// requirements mapped to this one.
    pub fn prior(&self, record: &'a AssessmentRecord) -> &'a [PriorFinding] {
        record
            .prior_period
            .as_ref()
            .map_or(&[], |p| p.of(self.id()))
    }

    pub fn evidence_sha256(&self) -> &'a [String] {
        self.state.map_or(&[], |s| s.evidence_sha256.as_slice())
    }
}

/// How many requirements are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub total: usize,
    /// In [`VERDICT_ORDER`]: pass, fail, partial, supported, manual, no
    /// evidence, not evaluated (no run).
    pub verdicts: [usize; 7],
    /// In Place, N/A, Not Tested, Not in Place, none (in
    /// [`FINDING_ORDER`]).
    pub findings: [usize; 5],
    /// Findings by a compensating control.
    pub compensating: usize,
    /// Findings by the customized approach.
    pub customized: usize,
    pub reviewed: usize,
    pub signed: usize,
    pub stale: usize,
    /// Requirements with a current reviewer sign-off.
    pub review_signed: usize,
    /// Requirements whose reviewer sign-off went stale.
    pub review_stale: usize,
    /// Review notes not cleared yet.
    pub open_review_notes: usize,
}

/// The order of [`Tally::verdicts`].
pub(crate) const VERDICT_ORDER: [Option<VerdictStatus>; 7] = [
    Some(VerdictStatus::Pass),
    Some(VerdictStatus::Fail),
    Some(VerdictStatus::Partial),
    Some(VerdictStatus::Supported),
    Some(VerdictStatus::Manual),
    Some(VerdictStatus::NoEvidence),
    None,
];

/// The index of [`Tally::verdicts`] that counts requirements without a run.
pub(crate) const NOT_RUN: usize = VERDICT_ORDER.len() - 1;

/// The order of [`Tally::findings`].
pub(crate) const FINDING_ORDER: [Option<Finding>; 5] = [
    Some(Finding::InPlace),
    Some(Finding::NotApplicable),
    Some(Finding::NotTested),
    Some(Finding::NotInPlace),
    None,
];

impl Tally {
    /// The automated verdicts as [`VerdictCounts`] (those without a run
    /// are in `verdicts[NOT_RUN]`).
    pub fn counts(&self) -> VerdictCounts {
        let mut counts = VerdictCounts::default();
        for (verdict, &n) in VERDICT_ORDER.iter().zip(&self.verdicts) {
            if let Some(verdict) = verdict {
                counts.add(*verdict, n);
            }
        }
        counts
    }

    pub fn add(&mut self, row: &Row<'_>) {
        self.total += 1;
        let verdict = row.verdict_status();
        if let Some(at) = VERDICT_ORDER.iter().position(|v| *v == verdict) {
            self.verdicts[at] += 1;
        }
        let conclusion = row.conclusion();
        let finding = conclusion.map(|c| c.finding);
        if let Some(at) = FINDING_ORDER.iter().position(|f| *f == finding) {
            self.findings[at] += 1;
        }
        match conclusion.map(|c| c.method) {
            Some(Method::Compensating) => self.compensating += 1,
            Some(Method::Customized) => self.customized += 1,
            _ => {}
        }
        if conclusion.is_some() {
            self.reviewed += 1;
        }
        match row.sign_off_state() {
            SignOffState::Current => self.signed += 1,
            SignOffState::Stale => self.stale += 1,
            SignOffState::None => {}
        }
        match row.reviewer_state() {
            SignOffState::Current => self.review_signed += 1,
            SignOffState::Stale => self.review_stale += 1,
            SignOffState::None => {}
        }
        self.open_review_notes += row.review_notes().iter().filter(|n| n.is_open()).count();
    }
}

/// A family (`1` .. `12`) and its requirements' rows.
pub(crate) struct Family<'a> {
    pub node: &'a Requirement,
    pub rows: Vec<usize>,
    pub tally: Tally,
}

/// The record as the exports see it.
pub(crate) struct View<'a> {
    pub record: &'a AssessmentRecord,
    pub catalog: &'a Catalog,
    pub rows: Vec<Row<'a>>,
    pub families: Vec<Family<'a>>,
    pub tally: Tally,
    files_by_id: HashMap<i64, &'a EvidenceFile>,
    layout: BundleLayout,
}

impl<'a> View<'a> {
    pub fn new(data: &'a ReportData, catalog: &'a Catalog) -> View<'a> {
        let record = &data.record;
        let states: HashMap<&str, &RequirementState> = record
            .requirements
            .iter()
            .map(|s| (s.requirement.as_str(), s))
            .collect();
        let verdicts: HashMap<&str, &RequirementVerdict> = record
            .latest_run
            .iter()
            .flat_map(|run| run.verdicts.iter())
            .map(|v| (v.requirement.as_str(), v))
            .collect();
        let rows: Vec<Row<'a>> = catalog
            .requirements()
            .map(|node| Row {
                node,
                state: states.get(node.id.as_str()).copied(),
                verdict: verdicts.get(node.id.as_str()).copied(),
                history: data.histories.get(&node.id).map_or(&[][..], Vec::as_slice),
            })
            .collect();
        let mut tally = Tally::default();
        let mut families: Vec<Family<'a>> = catalog
            .families()
            .map(|node| Family {
                node,
                rows: Vec::new(),
                tally: Tally::default(),
            })
            .collect();
        for (at, row) in rows.iter().enumerate() {
            tally.add(row);
            let family_id = catalog.family_of(row.id()).map(|f| f.id.as_str());
            if let Some(family) = families
                .iter_mut()
                .find(|f| Some(f.node.id.as_str()) == family_id)
            {
                family.rows.push(at);
                family.tally.add(row);
            }
        }
        View {
            record,
            catalog,
            rows,
            families,
            tally,
            files_by_id: record.files.iter().map(|f| (f.id, f)).collect(),
            layout: bundle_layout(record),
        }
    }

    /// An evidence file's name as the evidence bundle holds it (unique
    /// within the assessment, e.g. `nsgs-3f2a9c1b.json` for a second
    /// `nsgs.json`).
    pub fn file_label(&self, file: &EvidenceFile) -> String {
        self.layout
            .evidence
            .get(&file.id)
            .map(|entry| entry.trim_start_matches("evidence/").to_owned())
            .unwrap_or_else(|| file.provenance.path.clone())
    }

    /// The evidence files a requirement's checks cite: the latest run's
    /// files whose SHA-256 the requirement lists.
    pub fn cited_files(&self, row: &Row<'_>) -> Vec<&'a EvidenceFile> {
        let wanted = row.evidence_sha256();
        let mut out: Vec<&'a EvidenceFile> = self
            .record
            .latest_run
            .iter()
            .flat_map(|run| run.files.iter())
            .filter(|f| wanted.contains(&f.sha256))
            .filter_map(|f| self.files_by_id.get(&f.file).copied())
            .collect();
        out.dedup_by_key(|f| f.id);
        out
    }

    /// The evidence file a check result cites by path (the latest run's).
    pub fn file_by_path(&self, path: &str) -> Option<&'a EvidenceFile> {
        let run = self.record.latest_run.as_ref()?;
        let file = run.files.iter().find(|f| f.path == path)?;
        self.files_by_id.get(&file.file).copied()
    }

    /// The assessment's latest event (the snapshot's time).
    pub fn last_event(&self) -> Option<&'a EventRecord> {
        self.record.events.last()
    }

    /// The time the snapshot stands for: the assessment's latest event, or
    /// its creation.
    pub fn as_of(&self) -> chrono::DateTime<chrono::Utc> {
        self.last_event()
            .map_or(self.record.assessment.created_at, |e| e.at)
    }
}

/// Histories rebuilt from a record's events: each review, attachment and
/// sign-off event under the requirement its payload names.
pub(crate) fn histories_from_events(
    record: &AssessmentRecord,
) -> BTreeMap<String, Vec<HistoryEntry>> {
    let mut out: BTreeMap<String, Vec<HistoryEntry>> = BTreeMap::new();
    for event in &record.events {
        let Some(requirement) = event.payload.get("requirement").and_then(|r| r.as_str()) else {
            continue;
        };
        out.entry(requirement.to_owned())
            .or_default()
            .push(HistoryEntry {
                seq: event.seq,
                at: event.at,
                actor: event.actor.clone(),
                kind: event.kind.clone(),
                summary: event.summary.clone(),
                hash: event.hash.clone(),
            });
    }
    out
}

/// The fields of a review's worksheet (the compensating controls worksheet
/// or the customized approach's documentation) as (label, text); empty
/// without one.
pub(crate) fn worksheet_fields(review: &Review) -> Vec<(&'static str, &str)> {
    crate::store::worksheet_fields(review.compensating.as_ref(), review.customized.as_ref())
}
