//! What the user does: select, conclude, write notes, attach, sign off,
//! import, export, approve. Each action checks what it needs (an open
//! assessment, a reviewer profile) and hands the work to the worker.

use std::path::PathBuf;
use std::time::Instant;

use super::app::{Message, RunningJob, SnippetState, Workbench, default_statement};
use super::dialogs::{Dialog, DraftChoice, Then};
use super::snippet::SnippetKey;
use super::worker::{Job, JobId, PickPurpose, ReviewNoteAction, Task};
use crate::catalog::Catalog;
use crate::export::ExportFormat;
use crate::store::{Actor, Finding, Method, ReviewInput, Role, Store, default_review_statement};

/// How a request for a profile begins, so choosing one can retire it.
const PROFILE_NEEDED: &str = "A reviewer profile is needed to";

/// How many messages the message area shows at most.
const MESSAGES_SHOWN: usize = 4;

impl Workbench {
    /// What the app does as its window closes: waits for the changes
    /// already submitted to the worker (a finding or sign-off still queued
    /// would otherwise die with the process) and for the drafts file to
    /// hold every draft. Drafts are not saved into the review record: the
    /// user was asked about them before the window closed.
    pub fn finish_on_exit(&mut self) {
        for op in self.drafts.take_ops() {
            self.worker.keep_draft(op);
        }
        self.worker.finish_tasks();
        self.worker.finish_drafts();
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.push_message(false, text.into());
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        let text = text.into();
        log::warn!("{text}");
        self.push_message(true, text);
    }

    /// Messages are about the assessment they arose in: the user opening
    /// another one clears them.
    pub(super) fn clear_messages_when_leaving(&mut self, next: i64) {
        if self.assessment().is_some_and(|a| a.id != next) {
            self.messages.clear();
        }
    }

    /// Shows a message in the one message area: the same text again moves
    /// to the end rather than piling up, and only the latest few stay.
    fn push_message(&mut self, error: bool, text: String) {
        self.messages.retain(|m| m.text != text);
        self.messages.push(Message {
            error,
            text,
            at: Instant::now(),
        });
        let extra = self.messages.len().saturating_sub(MESSAGES_SHOWN);
        self.messages.drain(..extra);
    }

    /// Does what `purpose` says with `paths`.
    pub(super) fn use_paths(&mut self, purpose: PickPurpose, paths: Vec<PathBuf>) {
        match purpose {
            PickPurpose::OpenRecord => {
                if let Some(path) = paths.into_iter().next() {
                    self.open_record_dialog(&crate::evidence::display_path(&path));
                }
            }
            PickPurpose::ImportFiles | PickPurpose::ImportFolder => self.import(paths),
            PickPurpose::Attach { requirement } => {
                for path in paths {
                    self.attach(&requirement, path);
                }
            }
            PickPurpose::Export { format, .. } => {
                if let Some(out) = paths.into_iter().next() {
                    self.export(format, out);
                }
            }
            PickPurpose::ExportComparison { format, .. } => {
                let comparison = self
                    .compare
                    .result
                    .as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .cloned();
                match (paths.into_iter().next(), comparison) {
                    (Some(out), Some(comparison)) => self.worker.submit(Task::ExportComparison {
                        comparison,
                        format,
                        out,
                    }),
                    _ => self.error("Compare two assessments before exporting the comparison"),
                }
            }
            PickPurpose::ExportRequests { format, .. } => {
                if let (Some(out), Some(assessment)) =
                    (paths.into_iter().next(), self.assessment().map(|a| a.id))
                {
                    self.worker.submit(Task::ExportRequests {
                        assessment,
                        format,
                        out,
                    });
                }
            }
        }
    }

    pub(super) fn start_job(&mut self, job: Job) -> JobId {
        let label = job.label();
        let cancellable = matches!(job, Job::Import { .. } | Job::Export { .. });
        let (id, cancel) = self.worker.start(job);
        self.jobs.push(RunningJob {
            id,
            label,
            done: 0,
            total: 0,
            current: String::new(),
            cancel,
            cancellable,
        });
        id
    }

    /// Opens an assessment (loads it on the worker).
    pub(super) fn open_assessment(&mut self, id: i64) {
        self.loading = Some(id);
        self.worker.submit(Task::Load { assessment: id });
    }

    /// Opens the bundled sample (creating it if needed).
    pub(super) fn open_sample(&mut self) {
        if self.jobs.iter().any(|j| j.label == Job::Seed.label()) {
            return;
        }
        self.start_job(Job::Seed);
    }

    /// Who acts: the profile in use (optional for imports) and the OS user.
    pub(super) fn actor(&self) -> Actor {
        match self.prefs.profile {
            Some(id) => Actor::with_profile(id),
            None => Actor::os_user_only(),
        }
    }

    /// The actor for work that needs a profile; without one, asks for it.
    pub(super) fn reviewer(&mut self, what: &str) -> Option<Actor> {
        if self.profile().is_some() {
            return Some(self.actor());
        }
        self.error(format!("{PROFILE_NEEDED} {what}; choose or create one"));
        self.dialog = Some(Dialog::profiles());
        None
    }

    /// Puts the profile `id` in use; the requests for a profile it answers
    /// leave the message area.
    pub(super) fn use_profile(&mut self, id: i64) {
        self.prefs.profile = Some(id);
        self.messages
            .retain(|m| !m.text.starts_with(PROFILE_NEEDED));
    }

    /// Selects a requirement. If the one being left has text typed since
    /// the user last decided about it, asks first: save it, keep it as a
    /// draft, or discard it.
    pub fn select(&mut self, id: &str) {
        if self.selected.as_deref() == Some(id) {
            return;
        }
        let undecided: Vec<String> = self
            .selected
            .iter()
            .filter(|r| self.is_undecided(r))
            .cloned()
            .collect();
        if !undecided.is_empty() {
            self.dialog = Some(Dialog::unsaved(undecided, Then::Select(id.to_owned())));
            return;
        }
        self.select_now(id);
    }

    /// Selects a requirement without asking about drafts.
    fn select_now(&mut self, id: &str) {
        self.selected = Some(id.to_owned());
        self.statement.clear();
        self.scroll_to_selected = true;
        if let Some(family) = self.catalog.family_of(id) {
            self.collapsed.remove(&family.id);
        }
    }

    /// Whether `requirement` (of the open assessment) has text typed that
    /// the record does not hold and that the user has not chosen to keep
    /// as a draft.
    pub(super) fn is_undecided(&self, requirement: &str) -> bool {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            return false;
        };
        self.drafts.has_any(assessment, requirement)
            && !self.drafts.is_kept(assessment, requirement)
            && self.review_as_typed(requirement) != self.saved_review(requirement)
    }

    /// Every requirement of the open assessment with undecided drafts.
    pub fn undecided_drafts(&self) -> Vec<String> {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            return Vec::new();
        };
        self.drafts
            .requirements()
            .into_iter()
            .filter(|(a, r)| *a == assessment && self.is_undecided(r))
            .map(|(_, r)| r)
            .collect()
    }

    /// Opens another assessment, asking first about undecided drafts.
    pub(super) fn switch_assessment(&mut self, id: i64) {
        let undecided = self.undecided_drafts();
        if undecided.is_empty() {
            self.clear_messages_when_leaving(id);
            self.open_assessment(id);
        } else {
            self.dialog = Some(Dialog::unsaved(undecided, Then::Open(id)));
        }
    }

    /// Applies the user's answer about the drafts of `requirements`, then
    /// goes on with what was interrupted.
    pub(super) fn resolve_drafts(
        &mut self,
        requirements: &[String],
        choice: DraftChoice,
        then: Then,
    ) {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            return;
        };
        for requirement in requirements {
            match choice {
                DraftChoice::Save => self.save_note(requirement),
                DraftChoice::Keep => self.drafts.keep(assessment, requirement),
                DraftChoice::Discard => self.drafts.discard(assessment, requirement),
            }
        }
        match then {
            Then::Select(id) => self.select_now(&id),
            Then::Open(id) => {
                self.clear_messages_when_leaving(id);
                self.open_assessment(id);
            }
            Then::Close => {
                self.closing = true;
                self.close_now = true;
            }
        }
    }

    /// When the window is asked to close: with undecided drafts, the close
    /// waits for the user's answer; once answered, the window closes.
    pub(super) fn ask_before_closing(&mut self, ctx: &egui::Context) {
        if std::mem::take(&mut self.close_now) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if self.closing || !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        let undecided = self.undecided_drafts();
        if !undecided.is_empty() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.dialog = Some(Dialog::unsaved(undecided, Then::Close));
        }
    }

    /// Moves the selection `step` requirements through the visible ones.
    pub(super) fn move_selection(&mut self, step: isize) {
        let visible = self.visible_requirements();
        if visible.is_empty() {
            return;
        }
        let at = self
            .selected
            .as_ref()
            .and_then(|s| visible.iter().position(|v| v == s));
        let next = match at {
            None => 0,
            Some(at) => at.saturating_add_signed(step).min(visible.len() - 1),
        };
        let id = visible[next].clone();
        self.select(&id);
    }

    /// Selects the first requirement the filters and the search leave (Enter
    /// in the search field), so that the keyboard can go on from there. An ID
    /// match comes before a text match: "1.3." goes to 1.3.1, not to an
    /// earlier requirement whose guidance mentions 1.3.
    pub(super) fn select_first_match(&mut self) {
        let visible = self.visible_requirements();
        let typed = self.search.trim();
        let first = visible
            .iter()
            .find(|id| !typed.is_empty() && id.starts_with(typed))
            .or(visible.first())
            .cloned();
        if let Some(first) = first {
            self.select(&first);
        }
    }

    /// The note shown for a requirement: the draft, else the saved note.
    pub(super) fn note_text(&self, requirement: &str) -> String {
        if let Some(draft) = self.draft(requirement) {
            return draft.to_owned();
        }
        self.saved_review(requirement).note
    }

    /// A requirement's review as the record holds it (empty if none).
    pub(super) fn saved_review(&self, requirement: &str) -> ReviewInput {
        self.requirement_state(requirement)
            .and_then(|s| s.review.as_ref())
            .map(|r| r.input())
            .unwrap_or_default()
    }

    /// The review event shown for a requirement (`None`: no review yet).
    fn shown_review_event(&self, requirement: &str) -> Option<i64> {
        self.requirement_state(requirement)
            .and_then(|s| s.review.as_ref())
            .map(|r| r.event)
    }

    /// The version a draft left by an earlier session was typed over: the
    /// review shown now if it was recorded before the draft was last typed,
    /// else none (so a colleague's later version is refused, not
    /// overwritten). `None` when nothing is known of the draft.
    fn restored_draft_base(&self, assessment: i64, requirement: &str) -> Option<Option<i64>> {
        let typed_at = self.drafts.typed_at(assessment, requirement)?;
        let shown = self
            .requirement_state(requirement)
            .and_then(|s| s.review.as_ref());
        Some(shown.filter(|r| r.reviewed_at <= typed_at).map(|r| r.event))
    }

    /// Typing into a requirement's review starts from the version shown.
    pub(super) fn begin_typing(&mut self, assessment: i64, requirement: &str) {
        let shown = self.shown_review_event(requirement);
        self.drafts.begin(assessment, requirement, shown);
    }

    /// A requirement's review as shown: the saved one with the note and
    /// worksheet fields typed but not yet saved.
    pub fn review_as_typed(&self, requirement: &str) -> ReviewInput {
        let saved = self.saved_review(requirement);
        match self.assessment() {
            Some(a) => self.drafts.apply(a.id, requirement, &saved),
            None => saved,
        }
    }

    /// Saves what is typed for `requirement` (the note, worksheet fields),
    /// if it differs from the record.
    pub fn save_note(&mut self, requirement: &str) {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            return;
        };
        if !self.drafts.has_any(assessment, requirement) {
            return;
        }
        let saved = self.saved_review(requirement);
        let typed = self.drafts.apply(assessment, requirement, &saved);
        if typed == saved {
            self.drafts.settle_review(assessment, requirement, &saved);
            return;
        }
        let Some(actor) = self.reviewer("save a note") else {
            return;
        };
        let based_on = self
            .drafts
            .based_on(assessment, requirement)
            .or_else(|| self.restored_draft_base(assessment, requirement));
        self.worker.submit(Task::SetReview {
            actor,
            assessment,
            requirement: requirement.to_owned(),
            review: Box::new(typed),
            based_on,
        });
    }

    /// Records a finding for the selected requirement (the note and
    /// worksheet as the record holds them; typed text stays a draft).
    /// Choosing the finding already recorded changes nothing: a finding
    /// is cleared only with [`Workbench::clear_finding`].
    pub fn set_finding(&mut self, finding: Finding) {
        self.change_review(|review| review.finding = Some(finding));
    }

    /// Clears the selected requirement's finding (an explicit action: the
    /// Clear finding button or `0`, each confirmed).
    pub fn clear_finding(&mut self) {
        self.change_review(|review| review.finding = None);
    }

    /// Records the method for the selected requirement: a compensating
    /// control or the customized approach opens its worksheet (the note
    /// and fields as typed are kept; another method's worksheet stays in
    /// the history).
    pub fn set_method(&mut self, method: Method) {
        self.change_review(|review| {
            if review.method == method {
                return;
            }
            review.method = method;
            review.compensating = (method == Method::Compensating)
                .then(|| review.compensating.take().unwrap_or_default());
            review.customized = (method == Method::Customized)
                .then(|| review.customized.take().unwrap_or_default());
        });
    }

    /// Records the selected requirement's review as the record holds it,
    /// changed by `change`, unless that is what the record already says.
    /// Text typed but not saved stays a draft: a finding or a method is
    /// recorded on its own.
    fn change_review(&mut self, change: impl FnOnce(&mut ReviewInput)) {
        let (Some(requirement), Some(assessment)) =
            (self.selected.clone(), self.assessment().map(|a| a.id))
        else {
            return;
        };
        let saved = self.saved_review(&requirement);
        let mut review = saved.clone();
        change(&mut review);
        if review == saved {
            return;
        }
        let Some(actor) = self.reviewer("record a finding") else {
            return;
        };
        let based_on = Some(self.shown_review_event(&requirement));
        self.worker.submit(Task::SetReview {
            actor,
            assessment,
            requirement,
            review: Box::new(review),
            based_on,
        });
    }

    /// Signs off the selected requirement with the statement typed.
    pub(super) fn sign_off(&mut self) {
        self.sign_off_as(false);
    }

    /// Signs the selected requirement off as its reviewer.
    pub(super) fn review_sign_off(&mut self) {
        self.sign_off_as(true);
    }

    fn sign_off_as(&mut self, reviewer: bool) {
        let (Some(requirement), Some(assessment)) =
            (self.selected.clone(), self.assessment().map(|a| a.id))
        else {
            return;
        };
        self.save_note(&requirement);
        let Some(actor) = self.reviewer("sign off") else {
            return;
        };
        let statement = if !self.statement.trim().is_empty() {
            self.statement.clone()
        } else if reviewer {
            default_review_statement(&requirement)
        } else {
            default_statement(&requirement)
        };
        let profile = self.profile().cloned();
        let sign = self.signing.take(profile.as_ref());
        self.worker.submit(Task::SignOff {
            actor,
            assessment,
            requirement,
            statement,
            sign,
            reviewer,
        });
    }

    /// Signs `requirements` off (as their reviewer when `reviewer`), one
    /// signed event each, with the default statement.
    pub(super) fn sign_off_many(&mut self, requirements: Vec<String>, reviewer: bool) {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            return;
        };
        for requirement in &requirements {
            self.save_note(requirement);
        }
        let Some(actor) = self.reviewer("sign off") else {
            return;
        };
        let profile = self.profile().cloned();
        let sign = self.signing.take(profile.as_ref());
        self.worker.submit(Task::SignOffMany {
            actor,
            assessment,
            requirements,
            sign,
            reviewer,
        });
    }

    /// Raises, answers or clears a review note on the selected requirement.
    pub(super) fn review_note(&mut self, action: ReviewNoteAction) {
        let (Some(requirement), Some(assessment)) =
            (self.selected.clone(), self.assessment().map(|a| a.id))
        else {
            return;
        };
        let Some(actor) = self.reviewer("work on review notes") else {
            return;
        };
        match &action {
            ReviewNoteAction::Raise(_) => self.review_note_text.clear(),
            ReviewNoteAction::Answer(note, _) | ReviewNoteAction::Clear(note, _) => {
                self.review_note_replies.remove(note);
            }
        }
        self.worker.submit(Task::ReviewNote {
            actor,
            assessment,
            requirement,
            action,
        });
    }

    /// Attaches a file to a requirement.
    pub(super) fn attach(&mut self, requirement: &str, path: PathBuf) {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            self.error("Open an assessment before attaching documents");
            return;
        };
        let Some(actor) = self.reviewer("attach a document") else {
            return;
        };
        self.worker.submit(Task::Attach {
            actor,
            assessment,
            requirement: requirement.to_owned(),
            path,
        });
    }

    /// Withdraws an attachment.
    pub(super) fn withdraw(&mut self, requirement: &str, attachment: i64, reason: String) {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            return;
        };
        let Some(actor) = self.reviewer("withdraw an attachment") else {
            return;
        };
        self.worker.submit(Task::Withdraw {
            actor,
            assessment,
            requirement: requirement.to_owned(),
            attachment,
            reason,
        });
    }

    /// Imports files and folders into the open assessment.
    pub fn import(&mut self, paths: Vec<PathBuf>) {
        let Some(assessment) = self.assessment().cloned() else {
            self.error("Open or create an assessment before importing evidence");
            return;
        };
        self.start_job(Job::Import {
            actor: self.actor(),
            assessment: assessment.id,
            paths,
            confirmed: false,
        });
    }

    /// Imports a large set of files the user agreed to import.
    pub(super) fn import_confirmed(&mut self, assessment: i64, paths: Vec<PathBuf>) {
        self.start_job(Job::Import {
            actor: self.actor(),
            assessment,
            paths,
            confirmed: true,
        });
    }

    /// Retires, keeps, redacts or purges an evidence file of the open
    /// assessment, or attaches a document (needs a reviewer profile).
    /// Submits a change to an evidence file's life; false when it could not
    /// be submitted yet (no assessment open, no profile chosen).
    pub(super) fn lifecycle(&mut self, action: super::worker::LifecycleAction) -> bool {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            return false;
        };
        let Some(actor) = self.reviewer("change evidence") else {
            return false;
        };
        let settings = Box::new(self.worker.settings().clone());
        self.worker.submit(Task::Lifecycle {
            actor,
            assessment,
            action,
            settings,
        });
        true
    }

    /// Exports the open assessment.
    pub(super) fn export(&mut self, format: ExportFormat, out: PathBuf) {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            self.error("Open an assessment before exporting");
            return;
        };
        self.start_job(Job::Export {
            assessment,
            format,
            out,
        });
    }

    /// Approves the open assessment or sends it back.
    pub(super) fn decide(
        &mut self,
        approve: bool,
        statement: String,
        override_: Option<crate::store::ApprovalOverride>,
    ) {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            return;
        };
        let Some(actor) = self.reviewer("approve the assessment") else {
            return;
        };
        if self.profile().is_some_and(|p| p.role != Role::SecurityLead) {
            self.error("Only a security lead can approve an assessment or send it back; choose a security lead's profile");
            return;
        }
        let profile = self.profile().cloned();
        let sign = self.signing.take(profile.as_ref());
        self.worker.submit(Task::Decide {
            actor,
            assessment,
            approve,
            statement,
            override_,
            sign,
        });
    }

    /// Asks for a snippet (once).
    pub(super) fn request_snippet(&mut self, key: &SnippetKey) {
        if !self.snippets.contains_key(key) {
            self.snippets.insert(key.clone(), SnippetState::Loading);
            self.worker.submit(Task::Snippet(key.clone()));
        }
    }

    /// Asks for a requirement's history (once per load).
    pub(super) fn request_history(&mut self, requirement: &str) {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            return;
        };
        if self.history_requested.insert(requirement.to_owned()) {
            self.worker.submit(Task::Requirement {
                assessment,
                requirement: requirement.to_owned(),
            });
        }
    }

    /// Runs the comparison with the chosen other assessment.
    pub(super) fn run_compare(&mut self) {
        let (Some(this), Some(other)) = (self.assessment().cloned(), self.compare.other) else {
            return;
        };
        let earlier_first = self
            .assessments
            .iter()
            .find(|a| a.id == other)
            .is_some_and(|o| super::model::is_earlier(o, &this));
        let (from, to) = if earlier_first {
            (other, this.id)
        } else {
            (this.id, other)
        };
        self.compare.running = true;
        self.start_job(Job::Compare { from, to });
    }

    /// Declares every requirement under `scope` (an appendix that applies
    /// only to some entities) not applicable, with `reason`.
    pub(super) fn declare_not_applicable(&mut self, scope: &str, reason: String) {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            return;
        };
        let Some(actor) = self.reviewer("declare requirements not applicable") else {
            return;
        };
        self.worker.submit(Task::DeclareNotApplicable {
            actor,
            assessment,
            scope: scope.to_owned(),
            reason,
        });
    }

    pub(super) fn accept_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .collect()
        });
        if !dropped.is_empty() {
            self.dialog = Some(Dialog::dropped(dropped, self.selected.clone()));
        }
    }
}

/// The built-in catalog `assessment` is assessed against.
pub(super) fn catalog_of_assessment(
    store: &Store,
    assessment: i64,
) -> Result<&'static Catalog, String> {
    let found = store
        .assessment_by_id(assessment)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("there is no assessment #{assessment}"))?;
    crate::catalog::builtin(&found.catalog_id).ok_or_else(|| {
        format!(
            "assessment \"{}\" uses the catalog {}, which this build does not have",
            found.name, found.catalog_id
        )
    })
}
