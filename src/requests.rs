//! The evidence request list (the auditor's "provided by client" list):
//! every piece of evidence an assessment still lacks or holds only in a
//! stale copy, derived from the collection plan, the catalog and the
//! assessment's state, with what the auditor tracks about each request
//! (owner, due date, status; see [`crate::store::TrackedRequest`]).
//!
//! What is asked for:
//! - **an export** (a step of the collection plan) when a check it feeds was
//!   not evaluated in the latest run and no current file of its kind is
//!   there, or when no file of a kind the plan collects for per-requirement
//!   checks (Azure Policy, Defender for Cloud) is there;
//! - **a fresh export** when a current file describes a time before the
//!   assessment period (collected, or else imported, before it starts);
//! - **a document** for every requirement reviewed by hand that has no
//!   attachment and is not concluded Not Applicable.
//!
//! A request the auditor has tracked stays on the list after the evidence
//! arrives, shown as satisfied, so that its history is not lost.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::checks::CheckStatus;
use crate::collect::{Plan, ProvidedBy, Step};
use crate::store::{AssessmentRecord, EvidenceFile, Finding, RequestStatus, TrackedRequest};

/// What kind of thing is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// An export `tickmark collect` makes (az, kubectl).
    Export,
    /// Output the platform team produces (scanners, logs).
    Scan,
    /// A document (policy, procedure, record, diagram).
    Document,
}

impl RequestKind {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            RequestKind::Export => "Export",
            RequestKind::Scan => "Scan output",
            RequestKind::Document => "Document",
        }
    }
}

/// Why the evidence is asked for, or whether it has arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceState {
    /// Nothing of the kind is there.
    Missing,
    /// What is there describes a time before the assessment period.
    Stale,
    /// It is there now (the request stays listed because it is tracked).
    Satisfied,
}

impl EvidenceState {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceState::Missing => "Missing",
            EvidenceState::Stale => "Stale",
            EvidenceState::Satisfied => "Satisfied",
        }
    }
}

/// One line of the request list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRequest {
    /// Stable key: `step:<plan step>`, `doc:<requirement>` or `file:<path>`.
    pub key: String,
    /// A number for people to quote (`R-1`, `R-2`, ... in list order).
    pub reference: String,
    /// What kind of thing is asked for.
    pub kind: RequestKind,
    /// What is asked for, in a few words.
    pub title: String,
    /// Missing, stale, or satisfied.
    pub state: EvidenceState,
    /// Why it is asked for (one line each).
    pub reasons: Vec<String>,
    /// The requirements it serves.
    pub requirements: Vec<String>,
    /// The exact command, or the documents asked for.
    pub ask: String,
    /// The file name it should arrive as, where there is one.
    pub file: Option<String>,
    /// Owner, due date, status and note, as the auditor last recorded them.
    pub tracking: Option<TrackedRequest>,
}

impl EvidenceRequest {
    /// Its status: as tracked, or Requested.
    pub fn status(&self) -> RequestStatus {
        self.tracking
            .as_ref()
            .map_or(RequestStatus::Requested, |t| t.update.status)
    }

    /// The owner, empty when nobody is named.
    pub fn owner(&self) -> &str {
        self.tracking
            .as_ref()
            .map_or("", |t| t.update.owner.as_str())
    }

    /// The due date.
    pub fn due(&self) -> Option<NaiveDate> {
        self.tracking.as_ref().and_then(|t| t.update.due)
    }

    /// The auditor's note.
    pub fn note(&self) -> &str {
        self.tracking
            .as_ref()
            .map_or("", |t| t.update.note.as_str())
    }

    /// True if it is still open: missing or stale, and not accepted.
    pub fn is_open(&self) -> bool {
        self.state != EvidenceState::Satisfied && self.status() != RequestStatus::Accepted
    }
}

/// The request list of one assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestList {
    /// The assessment's name.
    pub assessment: String,
    /// Its cluster.
    pub cluster: String,
    /// Its period.
    pub period_start: NaiveDate,
    /// Its period.
    pub period_end: NaiveDate,
    /// The run the list was derived from (`None`: nothing evaluated yet).
    pub run: Option<i64>,
    /// Every request, exports first (in plan order), then stale files,
    /// then documents (in catalog order).
    pub requests: Vec<EvidenceRequest>,
}

impl RequestList {
    /// The requests still open.
    pub fn open(&self) -> impl Iterator<Item = &EvidenceRequest> {
        self.requests.iter().filter(|r| r.is_open())
    }
}

/// Derives the request list of the assessment in `record`.
pub fn request_list(plan: &Plan, catalog: &Catalog, record: &AssessmentRecord) -> RequestList {
    let mut builder = Builder::default();
    let current: Vec<&EvidenceFile> = record
        .files
        .iter()
        .filter(|f| f.superseded_by.is_none())
        .collect();
    let present = |step: &Step| {
        current
            .iter()
            .any(|f| step.formats().contains(&f.provenance.format))
    };
    if let Some(run) = &record.latest_run {
        for result in run
            .results
            .iter()
            .filter(|r| r.status == CheckStatus::NotEvaluated && r.requirement.is_none())
        {
            for step in plan.steps_for_check(&result.check).filter(|s| !present(s)) {
                builder
                    .step(catalog, step, EvidenceState::Missing)
                    .push(format!("{} not evaluated: {}", result.check, result.reason));
            }
        }
    }
    for step in plan
        .file_steps()
        .filter(|s| s.provided_by == ProvidedBy::Collect && s.feeds_named_requirements())
        .filter(|s| !present(s))
    {
        builder
            .step(catalog, step, EvidenceState::Missing)
            .push(format!(
                "no {} imported: the requirements its results name get no automated result",
                step.title.to_lowercase()
            ));
    }
    for file in &current {
        stale_file(&mut builder, plan, catalog, record, file);
    }
    documents(&mut builder, catalog, record);
    let tracked: BTreeMap<&str, &TrackedRequest> = record
        .requests
        .iter()
        .map(|t| (t.update.key.as_str(), t))
        .collect();
    let mut requests = builder.finish(plan);
    for request in &mut requests {
        request.tracking = tracked.get(request.key.as_str()).map(|t| (*t).clone());
    }
    for (key, tracked) in tracked {
        if !requests.iter().any(|r| r.key == key) {
            requests.push(satisfied(plan, catalog, tracked));
        }
    }
    for (i, request) in requests.iter_mut().enumerate() {
        request.reference = format!("R-{}", i + 1);
    }
    RequestList {
        assessment: record.assessment.name.clone(),
        cluster: record.assessment.cluster.clone(),
        period_start: record.assessment.period_start,
        period_end: record.assessment.period_end,
        run: record.latest_run.as_ref().map(|r| r.id),
        requests,
    }
}

/// The time a file describes: when it was collected, or else imported.
fn evidence_time(file: &EvidenceFile) -> DateTime<Utc> {
    file.provenance
        .custody
        .as_ref()
        .map_or(file.provenance.imported_at, |c| c.collected_at)
}

fn stale_file(
    builder: &mut Builder,
    plan: &Plan,
    catalog: &Catalog,
    record: &AssessmentRecord,
    file: &EvidenceFile,
) {
    let provenance = &file.provenance;
    let Some(start) = record.assessment.period_start.and_hms_opt(0, 0, 0) else {
        return;
    };
    let time = evidence_time(file);
    if time >= start.and_utc() || !provenance.format.is_evaluated() {
        return;
    }
    let how = if provenance.custody.is_some() {
        "collected"
    } else {
        "imported"
    };
    let reason = format!(
        "{} was {how} on {}, before the assessment period starts ({})",
        provenance.path,
        time.format("%Y-%m-%d"),
        record.assessment.period_start
    );
    let step = provenance
        .custody
        .as_ref()
        .and_then(|c| plan.step(&c.step))
        .or_else(|| plan.steps_for_format(provenance.format).next());
    match step {
        Some(step) => builder
            .step(catalog, step, EvidenceState::Stale)
            .push(reason),
        None => builder
            .entry(format!("file:{}", provenance.path), || EvidenceRequest {
                key: format!("file:{}", provenance.path),
                reference: String::new(),
                kind: RequestKind::Export,
                title: format!("A current {}", provenance.format.label()),
                state: EvidenceState::Stale,
                reasons: Vec::new(),
                requirements: Vec::new(),
                ask: format!(
                    "a copy of {} made during the assessment period, the same way",
                    provenance.path
                ),
                file: Some(provenance.path.clone()),
                tracking: None,
            })
            .push(reason),
    }
}

/// A document request for every requirement reviewed by hand that has no
/// current attachment and is not concluded Not Applicable.
fn documents(builder: &mut Builder, catalog: &Catalog, record: &AssessmentRecord) {
    for node in catalog.requirements().filter(|n| catalog.is_manual(&n.id)) {
        let state = record
            .requirements
            .iter()
            .find(|r| r.requirement == node.id);
        let attached = state.is_some_and(|s| s.attachments.iter().any(|a| a.withdrawn.is_none()));
        let not_applicable =
            state.and_then(|s| s.conclusion()).map(|c| c.finding) == Some(Finding::NotApplicable);
        if attached || not_applicable {
            continue;
        }
        let key = format!("doc:{}", node.id);
        builder
            .entry(key.clone(), || document_request(catalog, &node.id))
            .push("reviewed by hand, and nothing is attached yet".to_owned());
    }
}

fn document_request(catalog: &Catalog, requirement: &str) -> EvidenceRequest {
    let node = catalog.get(requirement);
    EvidenceRequest {
        key: format!("doc:{requirement}"),
        reference: String::new(),
        kind: RequestKind::Document,
        title: node.map_or_else(
            || requirement.to_owned(),
            |n| format!("{} {}", n.id, n.title),
        ),
        state: EvidenceState::Missing,
        reasons: Vec::new(),
        requirements: vec![requirement.to_owned()],
        ask: node.map_or_else(String::new, |n| n.evidence.join("; ")),
        file: None,
        tracking: None,
    }
}

/// A tracked request whose evidence has arrived.
fn satisfied(plan: &Plan, catalog: &Catalog, tracked: &TrackedRequest) -> EvidenceRequest {
    let key = tracked.update.key.as_str();
    let mut request = if let Some(step) = key.strip_prefix("step:").and_then(|id| plan.step(id)) {
        step_request(catalog, step, EvidenceState::Satisfied)
    } else if let Some(requirement) = key.strip_prefix("doc:") {
        document_request(catalog, requirement)
    } else {
        EvidenceRequest {
            key: key.to_owned(),
            reference: String::new(),
            kind: RequestKind::Export,
            title: tracked.update.title.clone(),
            state: EvidenceState::Satisfied,
            reasons: Vec::new(),
            requirements: Vec::new(),
            ask: String::new(),
            file: None,
            tracking: None,
        }
    };
    request.state = EvidenceState::Satisfied;
    request.reasons = vec!["the evidence asked for is there now".to_owned()];
    request.tracking = Some(tracked.clone());
    request
}

fn step_request(catalog: &Catalog, step: &Step, state: EvidenceState) -> EvidenceRequest {
    let mut requirements: Vec<String> = step
        .requirements(catalog)
        .into_iter()
        .map(str::to_owned)
        .collect();
    if step.feeds_named_requirements() {
        requirements.push("(and those its results name)".to_owned());
    }
    EvidenceRequest {
        key: format!("step:{}", step.id),
        reference: String::new(),
        kind: match step.provided_by {
            ProvidedBy::Collect => RequestKind::Export,
            ProvidedBy::Client => RequestKind::Scan,
        },
        title: step.title.clone(),
        state,
        reasons: Vec::new(),
        requirements,
        ask: step.display_command(),
        file: step.file().map(str::to_owned),
        tracking: None,
    }
}

/// Collects requests by key, keeping the order of first mention within
/// each kind.
#[derive(Default)]
struct Builder {
    order: Vec<String>,
    by_key: BTreeMap<String, EvidenceRequest>,
}

impl Builder {
    fn entry(&mut self, key: String, new: impl FnOnce() -> EvidenceRequest) -> Reasons<'_> {
        if !self.by_key.contains_key(&key) {
            self.order.push(key.clone());
            self.by_key.insert(key.clone(), new());
        }
        Reasons(self.by_key.get_mut(&key).map(|r| &mut r.reasons))
    }

    fn step(&mut self, catalog: &Catalog, step: &Step, state: EvidenceState) -> Reasons<'_> {
        let key = format!("step:{}", step.id);
        if let Some(existing) = self.by_key.get_mut(&key)
            && state == EvidenceState::Missing
        {
            // Missing outranks stale: nothing current of the kind is there.
            existing.state = EvidenceState::Missing;
        }
        self.entry(key, || step_request(catalog, step, state))
    }

    /// Exports in plan order, then other files, then documents.
    fn finish(mut self, plan: &Plan) -> Vec<EvidenceRequest> {
        let rank = |key: &str| match key.strip_prefix("step:") {
            Some(id) => (
                0,
                plan.steps
                    .iter()
                    .position(|s| s.id == id)
                    .unwrap_or(usize::MAX),
            ),
            None if key.starts_with("file:") => (1, 0),
            None => (2, 0),
        };
        // A stable sort: files and documents keep their order.
        self.order.sort_by_key(|key| rank(key));
        self.order
            .iter()
            .filter_map(|key| self.by_key.remove(key))
            .collect()
    }
}

/// Where a request's reasons go (each reason once).
struct Reasons<'a>(Option<&'a mut Vec<String>>);

impl Reasons<'_> {
    fn push(self, reason: String) {
        if let Some(reasons) = self.0
            && !reasons.contains(&reason)
        {
            reasons.push(reason);
        }
    }
}
