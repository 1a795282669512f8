//! How the workbench applies what the worker sends back: replies to
//! quick tasks, job progress and finished jobs.

use std::path::PathBuf;

use super::app::{CompareState, PageState, Phase, SnippetState, Workbench};
use super::dialogs::Dialog;
use super::model::View;
use super::worker::{Event, ImportReport, Job, Loaded, PickPurpose, Reply, Task};
use crate::store::{Assessment, Profile};

impl Workbench {
    pub(super) fn handle(&mut self, ctx: &egui::Context, event: Event) {
        match event {
            Event::Task(reply) | Event::Drafts(reply) => self.apply(ctx, reply),
            Event::Progress {
                job,
                done,
                total,
                current,
            } => {
                if let Some(running) = self.jobs.iter_mut().find(|j| j.id == job) {
                    running.done = done;
                    running.total = total;
                    running.current = current;
                }
            }
            Event::Finished { job, reply } => {
                self.jobs.retain(|j| j.id != job);
                self.apply(ctx, reply);
            }
        }
    }

    pub(super) fn apply(&mut self, ctx: &egui::Context, reply: Reply) {
        match reply {
            Reply::Directory {
                assessments,
                profiles,
            } => self.on_directory(assessments, profiles),
            Reply::Loaded(loaded) => self.on_loaded(*loaded),
            Reply::Scope { assessment, view } => {
                if let Some(loaded) = self
                    .loaded
                    .as_mut()
                    .filter(|l| l.assessment.id == assessment)
                {
                    loaded.scope = Some(*view);
                }
            }
            Reply::Requests {
                assessment,
                result,
                done,
            } => self.on_requests(assessment, result, done),
            Reply::LatestRun {
                assessment,
                run,
                colleagues,
            } => self.on_latest_run(assessment, run, colleagues),
            Reply::Requirement {
                assessment,
                state,
                history,
                approval,
                done,
            } => {
                if let Some(text) = done {
                    self.info(text);
                }
                self.requests_changed();
                if let Some(loaded) = self
                    .loaded
                    .as_mut()
                    .filter(|l| l.assessment.id == assessment)
                {
                    let saved = state.review.as_ref().map(|r| r.input()).unwrap_or_default();
                    self.drafts
                        .settle_review(assessment, &state.requirement, &saved);
                    self.view.update(&state);
                    self.history.insert(state.requirement.clone(), history);
                    loaded.approval = approval;
                    loaded.states.insert(state.requirement.clone(), *state);
                }
            }
            Reply::Approval {
                assessment,
                state,
                done,
            } => {
                self.info(done);
                if let Some(loaded) = self
                    .loaded
                    .as_mut()
                    .filter(|l| l.assessment.id == assessment)
                {
                    loaded.approval = state;
                }
                self.dialog = None;
            }
            Reply::ProfileUpdated { profile, done } => {
                self.info(done);
                if let Some(old) = self.profiles.iter_mut().find(|p| p.id == profile.id) {
                    *old = profile;
                }
            }
            Reply::ApprovalGate {
                assessment,
                profile,
                gate,
            } => {
                if self.assessment().map(|a| a.id) == Some(assessment)
                    && let Some(Dialog::Approval(form)) = &mut self.dialog
                {
                    form.set_gate(profile, *gate);
                }
            }
            Reply::Archived(assessment) => {
                self.info(if assessment.archived.is_some() {
                    format!(
                        "Archived \"{}\": it stays in the record, out of the list",
                        assessment.name
                    )
                } else {
                    format!("Restored \"{}\" to the list", assessment.name)
                });
                if let Some(old) = self.assessments.iter_mut().find(|a| a.id == assessment.id) {
                    *old = assessment.clone();
                }
                if let Some(loaded) = self
                    .loaded
                    .as_mut()
                    .filter(|l| l.assessment.id == assessment.id)
                {
                    loaded.assessment = assessment;
                }
            }
            Reply::ProfileCreated(profile) => {
                self.info(format!(
                    "Created the profile {} ({}); it is now in use",
                    profile.name,
                    profile.role.label()
                ));
                self.use_profile(profile.id);
                self.profiles.push(profile);
                self.dialog = None;
            }
            Reply::AssessmentCreated(assessment) => {
                self.clear_messages_when_leaving(assessment.id);
                self.info(format!("Created the assessment \"{}\"", assessment.name));
                let id = assessment.id;
                self.assessments.push(assessment);
                self.dialog = None;
                self.open_assessment(id);
            }
            Reply::Snippet { key, result } => {
                let state = match result {
                    Ok(snippet) => SnippetState::Ready(snippet),
                    Err(message) => SnippetState::Failed(message),
                };
                self.snippets.insert(key, state);
            }
            Reply::Resources {
                run,
                result,
                kind,
                offset,
                page,
            } => {
                if let Some(view) = self
                    .resources
                    .get_mut(&(run, result))
                    .filter(|v| v.kind == kind && v.offset == offset)
                {
                    view.page = match page {
                        Ok(page) => PageState::Ready(page),
                        Err(message) => PageState::Failed(message),
                    };
                }
            }
            Reply::Thumbnail { sha256, result } => self.thumbnails.set(ctx, sha256, result),
            Reply::Document {
                file_name,
                markdown,
                result,
            } => match result {
                Ok(text) => {
                    self.dialog = Some(Dialog::Document {
                        file_name,
                        markdown,
                        text,
                    });
                }
                Err(message) => self.error(format!("Reading {file_name}: {message}")),
            },
            Reply::Opened { file_name, result } => match result {
                Ok(path) => self.info(format!("Opened {file_name} ({})", path.display())),
                Err(message) => self.error(format!("Opening {file_name}: {message}")),
            },
            Reply::Imported(report) => self.on_imported(report),
            Reply::ConfirmImport {
                assessment,
                paths,
                survey,
            } => {
                self.dialog = Some(super::dialogs::Dialog::ConfirmImport {
                    assessment,
                    paths,
                    survey,
                });
            }
            Reply::Seeded(result) => self.on_seeded(result),
            Reply::Compared(result) => {
                self.compare.running = false;
                if let Err(message) = &result {
                    self.error(format!("Comparing: {message}"));
                }
                self.compare.result = Some(result);
            }
            Reply::Exported(result) => match result {
                Ok(text) => self.info(text),
                Err(message) => self.error(format!("Export: {message}")),
            },
            Reply::Picked { purpose, paths } => self.on_picked(purpose, paths),
            Reply::RecordChecked { target, refusal } => self.on_record_checked(target, refusal),
            Reply::EditConflict {
                assessment,
                conflict,
            } => self.on_edit_conflict(assessment, *conflict),
            Reply::Drafts(loaded) => self.on_drafts(loaded),
            Reply::Diff { request, result } => {
                if let Some(Dialog::Diff(shown)) = self.dialog.as_mut()
                    && shown.request == request
                {
                    shown.result = Some(result);
                }
            }
            Reply::Failed { action, message } => self.on_failed(action, message),
        }
    }

    pub(super) fn on_directory(&mut self, assessments: Vec<Assessment>, profiles: Vec<Profile>) {
        self.assessments = assessments;
        self.profiles = profiles;
        if self
            .prefs
            .profile
            .is_some_and(|id| !self.profiles.iter().any(|p| p.id == id))
        {
            self.prefs.profile = None;
        }
        if self.phase != Phase::Starting {
            return;
        }
        if self.assessments.is_empty() {
            if self.seed_when_empty {
                self.phase = Phase::Seeding;
                self.start_job(Job::Seed);
            } else {
                self.phase = Phase::Ready;
            }
            return;
        }
        let remembered = self
            .prefs
            .last_assessment
            .as_ref()
            .and_then(|name| self.assessments.iter().find(|a| &a.name == name));
        let chosen = remembered.or(self.assessments.last()).map(|a| a.id);
        self.phase = Phase::Ready;
        if let Some(id) = chosen {
            self.open_assessment(id);
        }
    }

    pub(super) fn on_loaded(&mut self, mut loaded: Loaded) {
        if self.loading == Some(loaded.assessment.id) {
            self.loading = None;
        }
        self.requests_changed();
        if let Some(done) = loaded.done.take() {
            self.info(done);
            if matches!(
                self.dialog,
                Some(Dialog::NotApplicable(_) | Dialog::BulkSignOff(_))
            ) {
                self.dialog = None;
            }
        }
        match crate::catalog::builtin(&loaded.assessment.catalog_id) {
            Some(catalog) => self.catalog = catalog,
            None => {
                self.error(format!(
                    "\"{}\" is assessed against {}, which this build does not know; it cannot be shown",
                    loaded.assessment.name, loaded.assessment.catalog_id
                ));
                return;
            }
        }
        let same = self.assessment().map(|a| a.id) == Some(loaded.assessment.id);
        if !same {
            self.history.clear();
            // An assessment started from an earlier one is compared with it
            // unless another is chosen.
            self.compare = CompareState {
                other: loaded.assessment.prior_assessment,
                ..CompareState::default()
            };
        }
        self.history_requested.clear();
        // Pages of another run (or assessment) are of no more use.
        let run = loaded.run.as_ref().map(|r| r.id);
        self.resources.retain(|&(of, _), _| Some(of) == run);
        self.prefs.last_assessment = Some(loaded.assessment.name.clone());
        self.view = View::new(Some(&loaded));
        self.custody = loaded
            .files
            .iter()
            .filter_map(|f| {
                let p = &f.provenance;
                let custody = p.custody.clone()?;
                Some(((p.path.clone(), p.sha256.clone()), custody))
            })
            .collect();
        let keep = self
            .selected
            .as_ref()
            .is_some_and(|id| same && self.catalog.get(id).is_some_and(|n| n.is_assessed()));
        let id = loaded.assessment.id;
        self.loaded = Some(loaded);
        // The scope is derived from every evidence file: it follows the
        // tree instead of holding it back.
        self.worker.submit(Task::LoadScope { assessment: id });
        if !keep {
            let first = self
                .visible_requirements()
                .into_iter()
                .next()
                .or_else(|| self.catalog.requirements().next().map(|r| r.id.clone()));
            self.selected = first;
            self.statement.clear();
            self.scroll_to_selected = true;
        }
    }

    /// Another program (the command line, a second window) evaluated the
    /// open assessment again: show its run rather than a stale one.
    /// On a shared record, colleagues' changes are shown the same way: the
    /// assessment is read again, keeping the selection and every note
    /// being typed (drafts live outside the record).
    pub(super) fn on_latest_run(&mut self, assessment: i64, run: Option<i64>, colleagues: usize) {
        let Some(loaded) = &self.loaded else {
            return;
        };
        let shown = loaded.run.as_ref().map(|r| r.id);
        if loaded.assessment.id != assessment || self.loading.is_some() {
            return;
        }
        if colleagues > 0 {
            self.info(format!(
                "Colleagues recorded {colleagues} change(s) on the shared record; showing them"
            ));
            self.worker.submit(Task::Directory);
            self.open_assessment(assessment);
            return;
        }
        if run <= shown {
            return;
        }
        if run.is_some() {
            self.info("Another program recorded a new run of this assessment; showing it");
        }
        self.open_assessment(assessment);
    }

    pub(super) fn on_imported(&mut self, report: ImportReport) {
        let unusable = report.unusable();
        let input_errors = report.input_errors();
        let stored = report.files.len() - unusable;
        let mut summary = format!("Import: {stored} file(s) stored or already present");
        if unusable > 0 {
            summary.push_str(&format!(", {unusable} unusable"));
        }
        if input_errors > 0 {
            summary.push_str(&format!(", {input_errors} input error(s)"));
        }
        if report.cancelled {
            summary =
                "Import cancelled: nothing of it was kept, the record is as it was".to_owned();
        }
        if let Some(run) = &report.run {
            summary.push_str(&format!(". {run}"));
        }
        match &report.error {
            Some(error) => self.error(format!("{summary}. Stopped: {error}")),
            None if unusable > 0 || input_errors > 0 || !report.problems.is_empty() => {
                self.error(summary)
            }
            None => self.info(summary),
        }
        let assessment = report.assessment;
        let sensitive = super::inventory::sensitive_files(&report);
        if sensitive > 0 {
            self.error(format!(
                "Sensitive data found in {sensitive} imported file(s): review it on the Evidence screen (keep, redact or purge); exports leave those files out until then"
            ));
        }
        if unusable > 0
            || input_errors > 0
            || report.error.is_some()
            || report.cancelled
            || sensitive > 0
            || !report.problems.is_empty()
        {
            self.import_report = Some(report);
        }
        self.open_assessment(assessment);
    }

    pub(super) fn on_seeded(&mut self, result: Result<(Assessment, usize), String>) {
        match result {
            Ok((assessment, skipped)) => {
                let mut text = format!(
                    "Opened the sample assessment \"{}\" (fictional data)",
                    assessment.name
                );
                if skipped > 0 {
                    text.push_str(&format!(
                        "; {skipped} sample file(s) are not readable by this build and were left out"
                    ));
                }
                self.info(text);
                self.phase = Phase::Ready;
                self.worker.submit(Task::Directory);
                self.open_assessment(assessment.id);
            }
            Err(message) => {
                self.phase = Phase::Ready;
                self.error(format!("Creating the sample assessment: {message}"));
            }
        }
    }

    pub(super) fn on_picked(&mut self, purpose: PickPurpose, paths: Option<Vec<PathBuf>>) {
        let Some(paths) = paths.filter(|p| !p.is_empty()) else {
            if purpose == PickPurpose::OpenRecord {
                self.info("No file was chosen (or no file dialog is available here); type its path instead");
                self.open_record_dialog("");
                return;
            }
            self.info(
                "No file was chosen (or no file dialog is available here); type a path instead",
            );
            self.dialog = Some(Dialog::typed_path(purpose));
            return;
        };
        self.use_paths(purpose, paths);
    }

    /// The drafts an earlier session left are offered back: they show in
    /// the editors (kept as drafts) until saved or discarded.
    pub(super) fn on_drafts(&mut self, loaded: Result<Vec<crate::drafts::Draft>, String>) {
        match loaded {
            Ok(drafts) if drafts.is_empty() => {}
            Ok(drafts) => {
                let mut requirements: Vec<String> =
                    drafts.iter().map(|d| d.requirement.clone()).collect();
                requirements.dedup();
                let count = requirements.len();
                let shown: Vec<String> = requirements.into_iter().take(6).collect();
                self.drafts.restore(drafts);
                self.info(format!(
                    "Unsaved draft(s) kept from before for {count} requirement(s) ({}{}): they show in the editor until you save or discard them",
                    shown.join(", "),
                    if count > shown.len() { ", …" } else { "" }
                ));
            }
            Err(message) => self.error(format!(
                "Drafts cannot be kept on disk ({message}); text typed and not saved is lost when the app closes"
            )),
        }
    }

    pub(super) fn on_failed(&mut self, action: String, message: String) {
        if self.phase == Phase::Starting {
            self.phase = Phase::Unusable(message.clone());
            if super::open_record::asks_for_password(&message) {
                // The server wants a password the app was not given: ask
                // for it here rather than send the user to a terminal.
                self.dialog = Some(Dialog::OpenRecord(Box::new(
                    super::open_record::OpenRecordForm::asking_password(
                        &self.record_label(),
                        &message,
                    ),
                )));
                return;
            }
        }
        if action.starts_with("Looking for changes") {
            // A background look: the next one tries again.
            return;
        }
        if action.starts_with("Saving the review") && message.contains("already says this") {
            // The same note saved twice in a row (Ctrl+S, then leaving the
            // editor): the record holds what was asked; nothing failed.
            return;
        }
        if self.loading.is_some() && action.starts_with("Loading") {
            self.loading = None;
        }
        if message.contains("reviewer profile is needed") {
            self.dialog = Some(Dialog::profiles());
        }
        // The dialog that asked shows why, where the user is looking; the
        // status bar is dimmed behind it.
        if let Some(dialog) = self.dialog.as_mut()
            && dialog.show_failure(&action, &message)
        {
            return;
        }
        self.error(format!("{action}: {message}"));
    }
}
