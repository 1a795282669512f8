//! The desktop app (eframe/egui): the requirement-by-requirement review
//! workbench of PRODUCT.md §6.
//!
//! [`Workbench`] holds the state and builds the whole UI inside any
//! `&mut egui::Ui` (the eframe shell below and the UI tests run the same
//! code); the worker (`worker/`) does every read and write of the review record off
//! the UI thread. A module per concept: the tree (left), the detail
//! (centre), the review pane (right), the top and status bars, the
//! dashboard, the comparison, dialogs, keyboard shortcuts, theme and
//! widgets.

mod actions;
mod app;
mod compare;
mod conflict;
mod dashboard;
mod detail;
mod dialogs;
mod diff_view;
mod drafts;
mod events;
mod inventory;
mod keyboard;
mod markdown;
mod model;
mod open_record;
mod prefs;
mod requests;
mod review;
mod review_notes;
mod scope;
mod signing;
mod snippet;
mod status_bar;
pub mod system_libraries;
mod theme;
mod thumbnails;
mod top_bar;
mod tree;
mod widgets;
mod worker;

use std::path::PathBuf;

pub use app::{Phase, Screen, Workbench, WorkbenchOptions};
pub use keyboard::SHORTCUTS;
pub use model::Filters;
pub use prefs::Prefs;
pub use theme::ThemeChoice;
pub use widgets::typed_path;
pub use worker::WorkerMode;

use crate::checks::Settings;

/// The window title (also what `xdotool search --name` finds).
pub const WINDOW_TITLE: &str = "Tickmark";

/// The eframe shell around the workbench: remembers preferences and, on
/// exit, finishes the changes already submitted and the drafts file.
struct TickmarkApp {
    workbench: Workbench,
    probe: Option<StartupProbe>,
}

impl eframe::App for TickmarkApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let started = std::time::Instant::now();
        self.workbench.ui(ui);
        let took = started.elapsed();
        if let Some(probe) = &mut self.probe {
            probe.after_frame(&mut self.workbench, ui.ctx(), took);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, prefs::STORAGE_KEY, &self.workbench.prefs());
    }

    /// Preferences (the reviewer profile in use, the filters) are small:
    /// save them often.
    fn auto_save_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(5)
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.workbench.finish_on_exit();
    }
}

/// What `tickmark --time-to-tree` measures of the app's start, printed on
/// standard output as it happens: `ready MS` when the first frame showing
/// the assessment's tree with its verdicts has been drawn (milliseconds
/// since the process started); then, when asked to select a requirement,
/// `selected ID RESOURCES` and, once the first page of each of its checks'
/// resources has arrived, `page_frame MS ROWS`: the time the next frame
/// took to build (the one that shows them). The window then closes.
pub struct StartupProbe {
    /// The requirement to select after the tree shows (`largest`: the one
    /// whose checks judged the most resources).
    select: Option<String>,
    stage: ProbeStage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProbeStage {
    Starting,
    Selecting,
    Waiting,
    Measuring,
    Done,
}

impl StartupProbe {
    /// A probe that selects `select` (if any) once the tree shows.
    pub fn new(select: Option<String>) -> StartupProbe {
        StartupProbe {
            select,
            stage: ProbeStage::Starting,
        }
    }

    fn after_frame(&mut self, wb: &mut Workbench, ctx: &egui::Context, took: std::time::Duration) {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        match self.stage {
            ProbeStage::Starting if wb.shows_verdicts() => {
                let _ = writeln!(
                    out,
                    "ready {:.1}",
                    crate::process_age().as_secs_f64() * 1000.0
                );
                self.stage = ProbeStage::Selecting;
            }
            ProbeStage::Selecting => {
                let wanted = match self.select.as_deref() {
                    None => None,
                    Some("largest") => wb.requirement_with_most_resources(),
                    Some(id) => Some((id.to_owned(), 0)),
                };
                match wanted {
                    Some((id, resources)) => {
                        let _ = writeln!(out, "selected {id} {resources}");
                        wb.select(&id);
                        self.stage = ProbeStage::Waiting;
                    }
                    None => self.stage = ProbeStage::Done,
                }
            }
            ProbeStage::Waiting if wb.resource_rows_shown().is_some() => {
                self.stage = ProbeStage::Measuring;
            }
            ProbeStage::Measuring => {
                let rows = wb.resource_rows_shown().unwrap_or(0);
                let _ = writeln!(out, "page_frame {:.2} {rows}", took.as_secs_f64() * 1000.0);
                self.stage = ProbeStage::Done;
            }
            ProbeStage::Done => {
                let _ = out.flush();
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            _ => {}
        }
        let _ = out.flush();
        ctx.request_repaint();
    }
}

/// Which review record the app opens: the one named (`--db`), else the
/// one open when it last closed (a server, or a file still there), else
/// `default`.
#[derive(Debug, Clone)]
pub struct StartRecord {
    /// The record named on the command line.
    pub named: Option<PathBuf>,
    /// The record used when none is named and none is remembered.
    pub default: PathBuf,
}

impl StartRecord {
    /// The record to open, given what was remembered. A password in a
    /// server's URL is kept for the session and taken out of the URL, so
    /// that it is neither shown nor remembered.
    fn choose(&self, prefs: &Prefs) -> PathBuf {
        let chosen = self
            .named
            .clone()
            .or_else(|| prefs.last_record())
            .unwrap_or_else(|| self.default.clone());
        let label = chosen.to_string_lossy();
        if crate::store::is_server_url(&label) {
            let (url, password) = crate::store::split_password(&label);
            if let Some(password) = password {
                crate::store::remember_password(&url, &password);
            }
            return PathBuf::from(url);
        }
        chosen
    }
}

/// Opens the window on the review record at `db_path` and runs until it
/// closes.
pub fn run(db_path: PathBuf, settings: Settings) -> Result<(), String> {
    let start = StartRecord {
        named: Some(db_path.clone()),
        default: db_path,
    };
    run_with(start, settings, None)
}

/// [`run`], measuring the start with `probe` (see [`StartupProbe`]).
pub fn run_with(
    start: StartRecord,
    settings: Settings,
    probe: Option<StartupProbe>,
) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(WINDOW_TITLE)
            .with_app_id("tickmark")
            .with_inner_size([1400.0, 880.0])
            .with_min_inner_size([900.0, 560.0])
            .with_drag_and_drop(true),
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        WINDOW_TITLE,
        options,
        Box::new(move |cc| {
            let prefs: Prefs = cc
                .storage
                .and_then(|s| eframe::get_value(s, prefs::STORAGE_KEY))
                .unwrap_or_default();
            let db_path = start.choose(&prefs);
            // A team's shared record is never given the sample.
            let shared = crate::store::is_server_url(&db_path.to_string_lossy());
            let workbench = Workbench::new(WorkbenchOptions {
                db_path,
                settings,
                mode: WorkerMode::Threaded,
                prefs,
                seed_sample_when_empty: !shared,
            });
            Ok(Box::new(TickmarkApp { workbench, probe }))
        }),
    )
    .map_err(|e| e.to_string())
}

/// Why the desktop app cannot start here, if it cannot: on Linux and the
/// BSDs it needs `DISPLAY` (X11) or `WAYLAND_DISPLAY`.
pub fn missing_display() -> Option<&'static str> {
    let unix_desktop = cfg!(all(unix, not(target_os = "macos")));
    let has = |key: &str| std::env::var_os(key).is_some_and(|v| !v.is_empty());
    (unix_desktop && !has("DISPLAY") && !has("WAYLAND_DISPLAY")).then_some(
        "tickmark: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); the desktop app needs one, the subcommands do not (see --help)",
    )
}
