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
mod prefs;
mod requests;
mod review;
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
}

impl eframe::App for TickmarkApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.workbench.ui(ui);
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

/// Opens the window on the review record at `db_path` and runs until it
/// closes.
pub fn run(db_path: PathBuf, settings: Settings) -> Result<(), String> {
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
            let workbench = Workbench::new(WorkbenchOptions {
                db_path,
                settings,
                mode: WorkerMode::Threaded,
                prefs,
                seed_sample_when_empty: true,
            });
            Ok(Box::new(TickmarkApp { workbench }))
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
