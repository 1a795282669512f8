//! The workbench: the app's state and the frame that lays out its panels.
//!
//! [`Workbench::ui`] builds the whole app inside any `&mut egui::Ui`, so
//! the eframe shell and the UI tests run the same code. All reads and
//! writes of the review record go through the [`Worker`]; the workbench
//! applies what comes back at the start of each frame.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use egui::Ui;

use super::dialogs::Dialog;
use super::model::{Filters, View};
use super::prefs::{Drafts, Prefs};
use super::snippet::{Snippet, SnippetKey};
use super::thumbnails::Thumbnails;
use super::worker::{
    Event, ImportReport, Job, JobId, Loaded, PickPurpose, Reply, Task, Worker, WorkerMode,
};
use super::{
    compare, dashboard, detail, dialogs, keyboard, review, status_bar, theme, top_bar, tree,
};
use crate::catalog::Catalog;
use crate::checks::Settings;
use crate::cli::ExportFormat;
use crate::store::{
    Actor, Assessment, Comparison, Conclusion, HistoryEntry, Profile, RequirementState, Role,
};

/// How to start a workbench.
#[derive(Debug, Clone)]
pub struct WorkbenchOptions {
    /// The review record.
    pub db_path: PathBuf,
    /// Check settings for imports.
    pub settings: Settings,
    /// Threads (the app) or synchronous (tests, benchmarks).
    pub mode: WorkerMode,
    /// What was remembered from the last run.
    pub prefs: Prefs,
    /// Create and open the bundled sample when the record has no assessment.
    pub seed_sample_when_empty: bool,
}

/// Where the workbench is in its start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Reading the record.
    Starting,
    /// Creating the sample assessment on a first start.
    Seeding,
    /// Working.
    Ready,
    /// The review record cannot be used.
    Unusable(String),
}

/// What fills the space right of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The selected requirement and its review.
    Review,
    /// Progress per family.
    Dashboard,
    /// This assessment against another.
    Compare,
}

/// A line in the status bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// An error (stays until dismissed) or information (fades).
    pub error: bool,
    /// The text.
    pub text: String,
    /// When it was posted.
    pub at: Instant,
}

/// A long job in progress.
#[derive(Debug, Clone)]
pub struct RunningJob {
    /// Its ID.
    pub id: JobId,
    /// What it does.
    pub label: String,
    /// Items done.
    pub done: usize,
    /// Items in all (0 if unknown).
    pub total: usize,
    /// The current item.
    pub current: String,
    /// Set to ask it to stop.
    pub cancel: Arc<AtomicBool>,
    /// Whether it can be cancelled.
    pub cancellable: bool,
}

/// A snippet's progress.
#[derive(Debug, Clone)]
pub enum SnippetState {
    /// Asked the worker.
    Loading,
    /// Read and formatted.
    Ready(Snippet),
    /// Could not be read.
    Failed(String),
}

/// The comparison screen's state.
#[derive(Debug, Default)]
pub struct CompareState {
    /// The other assessment.
    pub other: Option<i64>,
    /// The result.
    pub result: Option<Result<Box<Comparison>, String>>,
    /// Show only the requirements that changed.
    pub only_changed: bool,
    /// A comparison is running.
    pub running: bool,
}

/// The review workbench: all of the app's state.
pub struct Workbench {
    pub(super) catalog: &'static Catalog,
    pub(super) worker: Worker,
    pub(super) prefs: Prefs,
    seed_when_empty: bool,
    started: bool,
    pub(super) phase: Phase,
    pub(super) assessments: Vec<Assessment>,
    pub(super) profiles: Vec<Profile>,
    pub(super) loaded: Option<Loaded>,
    pub(super) view: View,
    pub(super) loading: Option<i64>,
    pub(super) selected: Option<String>,
    pub(super) filters: Filters,
    pub(super) search: String,
    pub(super) collapsed: HashSet<String>,
    pub(super) screen: Screen,
    pub(super) drafts: Drafts,
    pub(super) note_preview: bool,
    pub(super) statement: String,
    pub(super) snippets: HashMap<SnippetKey, SnippetState>,
    pub(super) thumbnails: Thumbnails,
    pub(super) history: HashMap<String, Vec<HistoryEntry>>,
    pub(super) history_requested: HashSet<String>,
    pub(super) jobs: Vec<RunningJob>,
    pub(super) messages: Vec<Message>,
    pub(super) dialog: Option<Dialog>,
    pub(super) import_report: Option<ImportReport>,
    pub(super) compare: CompareState,
    pub(super) failing_resources_only: HashSet<String>,
    pub(super) selected_resource: HashMap<String, usize>,
    pub(super) focus_search: bool,
    pub(super) scroll_to_selected: bool,
    pub(super) tree_viewport: (f32, f32),
    pub(super) attach_path: String,
    pub(super) discard_rect: Option<egui::Rect>,
}

/// How long an information message stays in the status bar.
const INFO_LIFETIME: Duration = Duration::from_secs(8);

impl Workbench {
    /// A workbench on `options.db_path`; the record is read in the first frame.
    pub fn new(options: WorkbenchOptions) -> Workbench {
        let db_label = crate::evidence::display_path(&options.db_path);
        let prefs = options.prefs.for_record(&db_label);
        let catalog = crate::catalog::pci_dss_321();
        Workbench {
            catalog,
            worker: Worker::new(options.mode, options.db_path, catalog, options.settings),
            drafts: Drafts::from_saved(&prefs.drafts),
            filters: prefs.filters,
            prefs,
            seed_when_empty: options.seed_sample_when_empty,
            started: false,
            phase: Phase::Starting,
            assessments: Vec::new(),
            profiles: Vec::new(),
            loaded: None,
            view: View::default(),
            loading: None,
            selected: None,
            search: String::new(),
            collapsed: HashSet::new(),
            screen: Screen::Review,
            note_preview: false,
            statement: String::new(),
            snippets: HashMap::new(),
            thumbnails: Thumbnails::default(),
            history: HashMap::new(),
            history_requested: HashSet::new(),
            jobs: Vec::new(),
            messages: Vec::new(),
            dialog: None,
            import_report: None,
            compare: CompareState::default(),
            failing_resources_only: HashSet::new(),
            selected_resource: HashMap::new(),
            focus_search: false,
            scroll_to_selected: false,
            tree_viewport: (0.0, 0.0),
            attach_path: String::new(),
            discard_rect: None,
        }
    }

    /// Builds the whole app in `ui` for one frame.
    pub fn ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        if !self.started {
            self.started = true;
            self.worker.set_context(&ctx);
            theme::install_fonts(&ctx);
            theme::apply(&ctx, self.prefs.theme);
            self.worker.submit(Task::Directory);
        }
        for event in self.worker.poll() {
            self.handle(&ctx, event);
        }
        self.accept_dropped_files(&ctx);
        keyboard::handle(self, &ctx);
        self.messages
            .retain(|m| m.error || m.at.elapsed() < INFO_LIFETIME);

        top_bar::show(self, ui);
        status_bar::show(self, ui);
        match &self.phase {
            Phase::Ready => self.main_area(ui),
            other => {
                let other = other.clone();
                status_bar::start_screen(ui, &other);
            }
        }
        dialogs::show(self, &ctx);
        drop_overlay(&ctx);

        if self.worker.has_queued_events() {
            ctx.request_repaint();
        } else if !self.jobs.is_empty() || self.worker.has_pending_tasks() {
            ctx.request_repaint_after(Duration::from_millis(100));
        } else if let Some(first) = self.messages.iter().find(|m| !m.error) {
            ctx.request_repaint_after(INFO_LIFETIME.saturating_sub(first.at.elapsed()));
        }
    }

    fn main_area(&mut self, ui: &mut Ui) {
        tree::show(self, ui);
        match self.screen {
            Screen::Review => {
                review::show(self, ui);
                detail::show(self, ui);
            }
            Screen::Dashboard => dashboard::show(self, ui),
            Screen::Compare => compare::show(self, ui),
        }
    }

    /// What to remember: call when the app saves its state.
    pub fn prefs(&self) -> Prefs {
        let mut prefs = self.prefs.clone();
        prefs.filters = self.filters;
        prefs.drafts = self.drafts.to_saved();
        prefs
    }

    // ----- State for tests and the shell -------------------------------------

    /// Where the start-up is.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The open assessment.
    pub fn assessment(&self) -> Option<&Assessment> {
        self.loaded.as_ref().map(|l| &l.assessment)
    }

    /// Every assessment of the record.
    pub fn assessments(&self) -> &[Assessment] {
        &self.assessments
    }

    /// What fills the space right of the tree.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The selected requirement.
    pub fn selected(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    /// A requirement's state in the open assessment.
    pub fn requirement_state(&self, id: &str) -> Option<&RequirementState> {
        self.loaded.as_ref()?.states.get(id)
    }

    /// The requirements the tree shows (filters and search applied), in order.
    pub fn visible_requirements(&self) -> Vec<String> {
        self.view
            .visible_requirements(
                self.catalog,
                self.loaded.as_ref(),
                &self.filters,
                &self.search,
            )
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// The status bar's messages, oldest first.
    pub fn messages(&self) -> Vec<(bool, String)> {
        self.messages
            .iter()
            .map(|m| (m.error, m.text.clone()))
            .collect()
    }

    /// The reviewer profile in use.
    pub fn profile(&self) -> Option<&Profile> {
        let id = self.prefs.profile?;
        self.profiles.iter().find(|p| p.id == id)
    }

    /// The unsaved note of a requirement of the open assessment.
    pub fn draft(&self, requirement: &str) -> Option<&str> {
        let assessment = self.assessment()?.id;
        self.drafts.get(assessment, requirement).map(String::as_str)
    }

    /// True while the worker has anything to do.
    pub fn is_busy(&self) -> bool {
        !self.jobs.is_empty() || self.worker.has_pending_tasks() || self.loading.is_some()
    }

    /// Saves every typed note now, on this thread (when the app closes).
    /// Notes that cannot be saved stay in the remembered drafts.
    pub fn save_all_notes_now(&mut self) {
        let Some(profile) = self.profile().map(|p| p.id) else {
            return;
        };
        let drafts = self.drafts.to_saved();
        if drafts.is_empty() {
            return;
        }
        let mut store = match crate::store::Store::open(self.worker.db_path()) {
            Ok(store) => store,
            Err(e) => {
                log::error!("cannot save the typed notes: {e}");
                return;
            }
        };
        let actor = Actor::with_profile(profile);
        for draft in drafts {
            let review = store
                .review(draft.assessment, &draft.requirement)
                .ok()
                .flatten();
            let saved = review.as_ref().map(|r| r.note.as_str()).unwrap_or_default();
            if saved != draft.text {
                let conclusion = review.as_ref().and_then(|r| r.conclusion);
                if let Err(e) = store.set_review(
                    &actor,
                    draft.assessment,
                    self.catalog,
                    &draft.requirement,
                    conclusion,
                    &draft.text,
                ) {
                    log::error!("cannot save the note of {}: {e}", draft.requirement);
                    continue;
                }
            }
            self.drafts
                .settle(draft.assessment, &draft.requirement, &draft.text);
        }
    }

    // ----- Messages ------------------------------------------------------------

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.messages.push(Message {
            error: false,
            text: text.into(),
            at: Instant::now(),
        });
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        let text = text.into();
        log::warn!("{text}");
        self.messages.push(Message {
            error: true,
            text,
            at: Instant::now(),
        });
    }

    // ----- Worker events -------------------------------------------------------

    fn handle(&mut self, ctx: &egui::Context, event: Event) {
        match event {
            Event::Task(reply) => self.apply(ctx, reply),
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

    fn apply(&mut self, ctx: &egui::Context, reply: Reply) {
        match reply {
            Reply::Directory {
                assessments,
                profiles,
            } => self.on_directory(assessments, profiles),
            Reply::Loaded(loaded) => self.on_loaded(*loaded),
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
                if let Some(loaded) = self
                    .loaded
                    .as_mut()
                    .filter(|l| l.assessment.id == assessment)
                {
                    let note = state
                        .review
                        .as_ref()
                        .map(|r| r.note.clone())
                        .unwrap_or_default();
                    self.drafts.settle(assessment, &state.requirement, &note);
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
            Reply::ProfileCreated(profile) => {
                self.info(format!(
                    "Created the profile {} ({}); it is now in use",
                    profile.name,
                    profile.role.label()
                ));
                self.prefs.profile = Some(profile.id);
                self.profiles.push(profile);
                self.dialog = None;
            }
            Reply::AssessmentCreated(assessment) => {
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
            Reply::Failed { action, message } => self.on_failed(action, message),
        }
    }

    fn on_directory(&mut self, assessments: Vec<Assessment>, profiles: Vec<Profile>) {
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

    fn on_loaded(&mut self, loaded: Loaded) {
        if self.loading == Some(loaded.assessment.id) {
            self.loading = None;
        }
        let same = self.assessment().map(|a| a.id) == Some(loaded.assessment.id);
        if !same {
            self.history.clear();
            self.compare = CompareState::default();
            self.selected_resource.clear();
        }
        self.history_requested.clear();
        self.prefs.last_assessment = Some(loaded.assessment.name.clone());
        self.view = View::new(Some(&loaded));
        let keep = self
            .selected
            .as_ref()
            .is_some_and(|id| same && self.catalog.get(id).is_some_and(|n| n.is_assessed()));
        self.loaded = Some(loaded);
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

    fn on_imported(&mut self, report: ImportReport) {
        let unusable = report.unusable();
        let stored = report.files.len() - unusable;
        let mut summary = format!("Import: {stored} file(s) stored or already present");
        if unusable > 0 {
            summary.push_str(&format!(", {unusable} unusable"));
        }
        if report.cancelled {
            summary.push_str("; cancelled (the files stored so far are kept)");
        }
        if let Some(run) = &report.run {
            summary.push_str(&format!(". {run}"));
        }
        match &report.error {
            Some(error) => self.error(format!("{summary}. Stopped: {error}")),
            None if unusable > 0 || !report.problems.is_empty() => self.error(summary),
            None => self.info(summary),
        }
        let assessment = report.assessment;
        if unusable > 0 || report.error.is_some() || report.cancelled || !report.problems.is_empty()
        {
            self.import_report = Some(report);
        }
        self.open_assessment(assessment);
    }

    fn on_seeded(&mut self, result: Result<(Assessment, usize), String>) {
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

    fn on_picked(&mut self, purpose: PickPurpose, paths: Option<Vec<PathBuf>>) {
        let Some(paths) = paths.filter(|p| !p.is_empty()) else {
            self.info(
                "No file was chosen (or no file dialog is available here); type a path instead",
            );
            self.dialog = Some(Dialog::typed_path(purpose));
            return;
        };
        self.use_paths(purpose, paths);
    }

    /// Does what `purpose` says with `paths`.
    pub(super) fn use_paths(&mut self, purpose: PickPurpose, paths: Vec<PathBuf>) {
        match purpose {
            PickPurpose::ImportFiles | PickPurpose::ImportFolder => self.import(paths),
            PickPurpose::Attach { requirement } => {
                for path in paths {
                    self.attach(&requirement, path);
                }
            }
            PickPurpose::Export(format) => {
                if let Some(out) = paths.into_iter().next() {
                    self.export(format, out);
                }
            }
        }
    }

    fn on_failed(&mut self, action: String, message: String) {
        if self.phase == Phase::Starting {
            self.phase = Phase::Unusable(message.clone());
        }
        if self.loading.is_some() && action.starts_with("Loading") {
            self.loading = None;
        }
        if message.contains("reviewer profile is needed") {
            self.dialog = Some(Dialog::profiles());
        }
        self.error(format!("{action}: {message}"));
    }

    // ----- Actions ------------------------------------------------------------

    pub(super) fn start_job(&mut self, job: Job) -> JobId {
        let label = job.label();
        let cancellable = matches!(job, Job::Import { .. });
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
    fn reviewer(&mut self, what: &str) -> Option<Actor> {
        if self.profile().is_some() {
            return Some(self.actor());
        }
        self.error(format!(
            "A reviewer profile is needed to {what}; choose or create one"
        ));
        self.dialog = Some(Dialog::profiles());
        None
    }

    /// Selects a requirement (saving the note typed for the previous one).
    pub fn select(&mut self, id: &str) {
        if self.selected.as_deref() == Some(id) {
            return;
        }
        if let Some(previous) = self.selected.clone() {
            self.save_note(&previous);
        }
        self.selected = Some(id.to_owned());
        self.statement.clear();
        self.scroll_to_selected = true;
        if let Some(family) = self.catalog.family_of(id) {
            self.collapsed.remove(&family.id);
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

    /// The note shown for a requirement: the draft, else the saved note.
    pub(super) fn note_text(&self, requirement: &str) -> String {
        if let Some(draft) = self.draft(requirement) {
            return draft.to_owned();
        }
        self.saved_note(requirement)
    }

    fn saved_note(&self, requirement: &str) -> String {
        self.requirement_state(requirement)
            .and_then(|s| s.review.as_ref())
            .map(|r| r.note.clone())
            .unwrap_or_default()
    }

    /// Saves the draft note of `requirement`, if it differs from the record.
    pub fn save_note(&mut self, requirement: &str) {
        let Some(assessment) = self.assessment().map(|a| a.id) else {
            return;
        };
        let Some(draft) = self.drafts.get(assessment, requirement).cloned() else {
            return;
        };
        if draft == self.saved_note(requirement) {
            self.drafts.settle(assessment, requirement, &draft);
            return;
        }
        let Some(actor) = self.reviewer("save a note") else {
            return;
        };
        let conclusion = self
            .requirement_state(requirement)
            .and_then(|s| s.conclusion());
        self.worker.submit(Task::SetReview {
            actor,
            assessment,
            requirement: requirement.to_owned(),
            conclusion,
            note: draft,
        });
    }

    /// Records a conclusion for the selected requirement (with the note as
    /// typed).
    pub fn set_conclusion(&mut self, conclusion: Option<Conclusion>) {
        let (Some(requirement), Some(assessment)) =
            (self.selected.clone(), self.assessment().map(|a| a.id))
        else {
            return;
        };
        let note = self.note_text(&requirement);
        let current = self
            .requirement_state(&requirement)
            .and_then(|s| s.conclusion());
        if current == conclusion && note == self.saved_note(&requirement) {
            return;
        }
        let Some(actor) = self.reviewer("record a conclusion") else {
            return;
        };
        self.worker.submit(Task::SetReview {
            actor,
            assessment,
            requirement,
            conclusion,
            note,
        });
    }

    /// Signs off the selected requirement with the statement typed.
    pub(super) fn sign_off(&mut self) {
        let (Some(requirement), Some(assessment)) =
            (self.selected.clone(), self.assessment().map(|a| a.id))
        else {
            return;
        };
        self.save_note(&requirement);
        let Some(actor) = self.reviewer("sign off") else {
            return;
        };
        let statement = if self.statement.trim().is_empty() {
            default_statement(&requirement)
        } else {
            self.statement.clone()
        };
        self.worker.submit(Task::SignOff {
            actor,
            assessment,
            requirement,
            statement,
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
            name: assessment.name,
            paths,
        });
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
        justification: Option<String>,
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
        self.worker.submit(Task::Decide {
            actor,
            assessment,
            approve,
            statement,
            justification,
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
            .is_some_and(|o| (o.period_end, o.id) <= (this.period_end, this.id));
        let (from, to) = if earlier_first {
            (other, this.id)
        } else {
            (this.id, other)
        };
        self.compare.running = true;
        self.start_job(Job::Compare { from, to });
    }

    fn accept_dropped_files(&mut self, ctx: &egui::Context) {
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

/// While files are dragged over the window: what dropping them does.
fn drop_overlay(ctx: &egui::Context) {
    let count = ctx.input(|i| i.raw.hovered_files.len());
    if count == 0 {
        return;
    }
    let layer = egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("tickmark-drop"));
    let painter = ctx.layer_painter(layer);
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(170));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        format!("Drop {count} item(s): import them as evidence, or attach them to the selected requirement"),
        egui::FontId::proportional(19.0),
        egui::Color32::WHITE,
    );
}

/// The statement a sign-off carries unless the reviewer writes another.
pub fn default_statement(requirement: &str) -> String {
    format!(
        "I examined the evidence, checks and attachments of {requirement} and agree with the conclusion."
    )
}
