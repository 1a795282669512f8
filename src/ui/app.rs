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
use super::drafts::Drafts;
use super::model::View;
use super::prefs::Prefs;
use super::snippet::{Snippet, SnippetKey};
use super::thumbnails::Thumbnails;
use super::worker::{ImportReport, JobId, Loaded, Task, Worker, WorkerMode};
use super::{
    compare, dashboard, detail, dialogs, keyboard, requests, review, scope, status_bar, theme,
    top_bar, tree,
};
use crate::catalog::Catalog;
use crate::checks::Settings;
use crate::store::{Assessment, Comparison, HistoryEntry, Profile, RequirementState};

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
    /// The evidence request list.
    Requests,
    /// The PCI scope and its diagram.
    Scope,
    /// The evidence inventory, sensitive data and unassigned documents.
    Evidence,
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

/// A page of a check's resources, as far as it got.
#[derive(Debug, Clone)]
pub enum PageState {
    /// To be asked for.
    Wanted,
    /// Asked the worker.
    Loading,
    /// Read.
    Ready(crate::store::ResourcePage),
    /// Could not be read.
    Failed(String),
}

/// What the detail pane shows of one check result's resources.
#[derive(Debug, Clone)]
pub struct ResourceView {
    /// Those that do not pass, or those that pass.
    pub kind: crate::store::ResourceKind,
    /// The first row of the page shown.
    pub offset: usize,
    /// The page.
    pub page: PageState,
    /// The selected row of the page.
    pub selected: Option<usize>,
}

impl ResourceView {
    /// The first page of what needs attention: the resources that do not
    /// pass, or the passing ones when all pass.
    pub fn new(counts: &crate::store::ResourceCounts) -> ResourceView {
        let kind = if counts.not_passing() > 0 {
            crate::store::ResourceKind::NotPassing
        } else {
            crate::store::ResourceKind::Passing
        };
        ResourceView {
            kind,
            offset: 0,
            page: PageState::Wanted,
            selected: None,
        }
    }
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
    pub(super) seed_when_empty: bool,
    started: bool,
    /// When the record was last looked at for another program's changes.
    outside_check: Instant,
    pub(super) phase: Phase,
    pub(super) assessments: Vec<Assessment>,
    pub(super) profiles: Vec<Profile>,
    pub(super) loaded: Option<Loaded>,
    pub(super) view: View,
    pub(super) loading: Option<i64>,
    pub(super) selected: Option<String>,
    pub(super) search: String,
    pub(super) collapsed: HashSet<String>,
    pub(super) screen: Screen,
    /// The box selected on the scope screen.
    pub(super) scope_selected: Option<usize>,
    /// The scope diagram is scaled to the screen's width (else 100 %).
    pub(super) scope_fit: bool,
    pub(super) drafts: Drafts,
    pub(super) note_preview: bool,
    pub(super) statement: String,
    /// A review note being written for the selected requirement.
    pub(super) review_note_text: String,
    /// Answers and clearing remarks being written, by review note.
    pub(super) review_note_replies: HashMap<i64, String>,
    /// How the reviewer signs (agent or key file; the passphrase until used).
    pub(super) signing: super::signing::SigningForm,
    pub(super) snippets: HashMap<SnippetKey, SnippetState>,
    pub(super) thumbnails: Thumbnails,
    pub(super) history: HashMap<String, Vec<HistoryEntry>>,
    pub(super) history_requested: HashSet<String>,
    pub(super) jobs: Vec<RunningJob>,
    pub(super) messages: Vec<Message>,
    pub(super) dialog: Option<Dialog>,
    pub(super) import_report: Option<ImportReport>,
    pub(super) compare: CompareState,
    pub(super) requests: super::requests::RequestsState,
    pub(super) inventory: super::inventory::InventoryState,
    /// The chain of custody of the open assessment's evidence files, by
    /// (path, SHA-256), from the collection manifests imported with them.
    pub(super) custody: HashMap<(String, String), crate::evidence::custody::Custody>,
    /// The resources shown of each check result, by (run, result index).
    pub(super) resources: HashMap<(i64, usize), ResourceView>,
    pub(super) focus_search: bool,
    pub(super) scroll_to_selected: bool,
    pub(super) tree_viewport: (f32, f32),
    pub(super) attach_path: String,
    /// The user answered the question about unsaved drafts: the next close
    /// request closes.
    pub(super) closing: bool,
    /// Close the window at the next frame (the user answered).
    pub(super) close_now: bool,
    window_title: String,
    /// The record is shared on a server: colleagues' changes are looked
    /// for more often.
    shared_record: bool,
}

/// How long an information message stays in the status bar.
/// Below this window width the side panels and the top bar make room for
/// the requirement in the middle.
pub(super) const NARROW_WINDOW: f32 = 1250.0;

/// How often an idle app looks for another program's changes.
const OUTSIDE_CHECK_EVERY: Duration = Duration::from_secs(5);

/// How often it looks on a record shared on a server (colleagues' changes
/// show within two seconds; between announcements the look costs no
/// round trip to the server).
const SHARED_CHECK_EVERY: Duration = Duration::from_millis(700);

const INFO_LIFETIME: Duration = Duration::from_secs(8);

impl Workbench {
    /// A workbench on `options.db_path`; the record is read in the first frame.
    pub fn new(options: WorkbenchOptions) -> Workbench {
        // The app asks for a server's password in its own window: its
        // worker threads cannot be answered on a terminal.
        crate::store::never_prompt_on_terminal();
        let db_label = crate::evidence::display_path(&options.db_path);
        let shared_record = crate::store::is_server_url(&options.db_path.to_string_lossy());
        let mut prefs = options.prefs.for_record(&db_label);
        // Drafts an earlier version kept in the preferences move to the
        // drafts file beside the record.
        let mut drafts = Drafts::default();
        drafts.adopt(&std::mem::take(&mut prefs.drafts));
        Workbench {
            catalog: crate::catalog::default_catalog(),
            worker: Worker::new(options.mode, options.db_path, options.settings),
            drafts,
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
            scope_selected: None,
            scope_fit: true,
            note_preview: false,
            statement: String::new(),
            review_note_text: String::new(),
            review_note_replies: HashMap::new(),
            signing: super::signing::SigningForm::new(),
            snippets: HashMap::new(),
            thumbnails: Thumbnails::default(),
            history: HashMap::new(),
            history_requested: HashSet::new(),
            jobs: Vec::new(),
            messages: Vec::new(),
            dialog: None,
            import_report: None,
            compare: CompareState::default(),
            requests: Default::default(),
            inventory: Default::default(),
            custody: HashMap::new(),
            resources: HashMap::new(),
            focus_search: false,
            scroll_to_selected: false,
            tree_viewport: (0.0, 0.0),
            attach_path: String::new(),
            closing: false,
            close_now: false,
            window_title: super::WINDOW_TITLE.to_owned(),
            shared_record,
            outside_check: Instant::now(),
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
        self.update_title(&ctx);
        self.look_for_outside_changes(&ctx);
        keyboard::handle(self, &ctx);
        self.messages
            .retain(|m| m.error || m.at.elapsed() < INFO_LIFETIME);

        top_bar::show(self, ui);
        status_bar::show(self, ui);
        match &self.phase {
            Phase::Ready => self.main_area(ui),
            other => {
                let other = other.clone();
                if status_bar::start_screen(ui, &other) {
                    self.open_record_dialog("");
                }
            }
        }
        dialogs::show(self, &ctx);
        drop_overlay(&ctx);
        self.ask_before_closing(&ctx);
        for op in self.drafts.take_ops() {
            self.worker.keep_draft(op);
        }

        if self.worker.has_queued_events() {
            ctx.request_repaint();
        } else if !self.jobs.is_empty() || self.worker.has_pending_tasks() {
            ctx.request_repaint_after(Duration::from_millis(100));
        } else if let Some(first) = self.messages.iter().find(|m| !m.error) {
            ctx.request_repaint_after(INFO_LIFETIME.saturating_sub(first.at.elapsed()));
        }
    }

    /// Every few seconds while idle, asks whether another program (the
    /// command line, a second window) recorded a newer run of the open
    /// assessment.
    fn look_for_outside_changes(&mut self, ctx: &egui::Context) {
        let idle = self.phase == Phase::Ready
            && self.loading.is_none()
            && self.jobs.is_empty()
            && !self.worker.has_pending_tasks();
        let Some(assessment) = self.loaded.as_ref().map(|l| l.assessment.id) else {
            return;
        };
        if !idle {
            return;
        }
        let every = if self.shared_record {
            SHARED_CHECK_EVERY
        } else {
            OUTSIDE_CHECK_EVERY
        };
        let due = self.outside_check + every;
        if Instant::now() >= due {
            self.outside_check = Instant::now();
            self.worker.submit(Task::LatestRun { assessment });
        }
        ctx.request_repaint_after(
            due.saturating_duration_since(Instant::now())
                .max(every / 10),
        );
    }

    /// Looks for another program's changes at the next frame instead of
    /// within the next few seconds.
    pub fn look_for_outside_changes_soon(&mut self) {
        self.outside_check = Instant::now() - OUTSIDE_CHECK_EVERY;
    }

    /// The window title names the open assessment.
    fn update_title(&mut self, ctx: &egui::Context) {
        let title = match self.assessment() {
            Some(a) => format!("{} - {}", super::WINDOW_TITLE, a.name),
            None => super::WINDOW_TITLE.to_owned(),
        };
        if self.window_title != title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.window_title = title;
        }
    }

    fn main_area(&mut self, ui: &mut Ui) {
        // The scope diagram needs the width; it is about the estate, not a
        // requirement.
        if self.screen != Screen::Scope {
            tree::show(self, ui);
        }
        match self.screen {
            Screen::Review => {
                review::show(self, ui);
                detail::show(self, ui);
            }
            Screen::Dashboard => dashboard::show(self, ui),
            Screen::Compare => compare::show(self, ui),
            Screen::Requests => requests::show(self, ui),
            Screen::Scope => scope::show(self, ui),
            Screen::Evidence => super::inventory::show(self, ui),
        }
    }

    /// What to remember: call when the app saves its state (drafts are
    /// kept in the drafts file, not here).
    pub fn prefs(&self) -> Prefs {
        let mut prefs = self.prefs.clone();
        prefs.remember_current();
        prefs
    }

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
                &self.prefs.filters,
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

    /// True once the open assessment's tree shows its latest run's
    /// verdicts (the assessment is loaded, with a run).
    pub fn shows_verdicts(&self) -> bool {
        self.phase == Phase::Ready
            && self.loading.is_none()
            && self.loaded.as_ref().is_some_and(|l| l.run.is_some())
    }

    /// The requirement of the open assessment whose checks judged the most
    /// resources, with how many.
    pub fn requirement_with_most_resources(&self) -> Option<(String, usize)> {
        let run = self.loaded.as_ref()?.run.as_ref()?;
        run.verdicts
            .iter()
            .map(|v| {
                let resources = run
                    .results_of(&v.requirement)
                    .iter()
                    .map(|(_, r)| r.resources.total())
                    .sum::<usize>();
                (v.requirement.clone(), resources)
            })
            .max_by_key(|(_, n)| *n)
    }

    /// For the selected requirement: how many resource rows the pages
    /// shown hold, once every check's first page has been read (`None`
    /// while one is still being read).
    pub fn resource_rows_shown(&self) -> Option<usize> {
        let run = self.loaded.as_ref()?.run.as_ref()?;
        let selected = self.selected.as_deref()?;
        let mut rows = 0;
        for (index, result) in run.results_of(selected) {
            if result.resources.total() == 0 {
                continue;
            }
            match self.resources.get(&(run.id, index)).map(|v| &v.page) {
                Some(PageState::Ready(page)) => rows += page.rows.len(),
                Some(PageState::Failed(_)) => {}
                _ => return None,
            }
        }
        Some(rows)
    }

    /// The drafts file beside the review record.
    pub fn drafts_file(&self) -> &std::path::Path {
        self.worker.drafts_path()
    }

    /// True while the worker has anything to do.
    pub fn is_busy(&self) -> bool {
        !self.jobs.is_empty() || self.worker.has_pending_tasks() || self.loading.is_some()
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

pub use crate::store::default_statement;
