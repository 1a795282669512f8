//! Opening another review record: a file on this computer, or a record a
//! team shares on a PostgreSQL server. The server's password, when no
//! other source gives it (`PGPASSWORD`, `.pgpass`), is asked for here and
//! kept in memory for the session only; the URL shown and remembered never
//! carries it.

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::app::Workbench;
use super::dialogs::{Dialog, Outcome};
use super::theme::Palette;
use super::worker::{Job, PickPurpose, RecordRefusal};
use crate::evidence::display_path;

/// The "Open record" dialog's state.
#[derive(Debug, Clone, Default)]
pub struct OpenRecordForm {
    /// A file path or a `postgresql://` URL, as typed.
    target: String,
    /// The server's password (only while the dialog is open).
    password: String,
    /// The server asked for a password.
    needs_password: bool,
    /// Why the last attempt failed.
    problem: Option<String>,
    /// An attempt is running.
    opening: bool,
}

impl OpenRecordForm {
    /// The form for `target` (empty: the user types one).
    pub fn new(target: &str) -> OpenRecordForm {
        OpenRecordForm {
            target: target.to_owned(),
            ..OpenRecordForm::default()
        }
    }

    /// The form after the server asked for a password for `target` (the
    /// password field asks by itself; a refused one is said).
    pub fn asking_password(target: &str, message: &str) -> OpenRecordForm {
        OpenRecordForm {
            target: target.to_owned(),
            needs_password: true,
            problem: message
                .contains(crate::store::REFUSED_PASSWORD)
                .then(|| message.to_owned()),
            ..OpenRecordForm::default()
        }
    }

    /// The dialog's title.
    pub fn title(&self) -> &'static str {
        "Open a review record"
    }

    /// The worker's answer for `target`; true if the record opens.
    fn checked(&mut self, target: &str, refusal: Option<RecordRefusal>) -> bool {
        if self.target_path().to_string_lossy() != target {
            return false;
        }
        self.opening = false;
        match refusal {
            None => true,
            Some(refusal) => {
                self.needs_password |= refusal.needs_password;
                // The password field asks by itself; a refusal is said.
                let asked = refusal.needs_password && !refusal.refused_password;
                self.problem = (!asked).then_some(refusal.message);
                false
            }
        }
    }

    /// What was typed, as a path or a URL without its password.
    fn target_path(&self) -> PathBuf {
        let typed = self.target.trim();
        if crate::store::is_server_url(typed) {
            PathBuf::from(crate::store::display_url(typed))
        } else {
            super::widgets::typed_path(typed)
        }
    }
}

impl Workbench {
    /// The worker tried the record at `target`: switch to it, or say why not
    /// in the dialog (asking for a password if the server wants one).
    pub(super) fn on_record_checked(&mut self, target: PathBuf, refusal: Option<RecordRefusal>) {
        let shown = display_path(&target);
        let Some(Dialog::OpenRecord(form)) = self.dialog.as_mut() else {
            // The dialog was closed while the record was tried: the user
            // changed their mind.
            if let Some(refusal) = refusal {
                self.error(format!("Opening {shown}: {}", refusal.message));
            }
            return;
        };
        if form.checked(&shown, refusal) {
            self.dialog = None;
            self.switch_record(target);
        }
    }

    /// Closes this record (what is queued is written, drafts stay in its
    /// drafts file) and opens the one at `target` in its place.
    pub fn switch_record(&mut self, target: PathBuf) {
        self.finish_on_exit();
        let options = super::WorkbenchOptions {
            db_path: target.clone(),
            settings: self.worker.settings().clone(),
            mode: self.worker.mode(),
            prefs: self.prefs(),
            seed_sample_when_empty: false,
        };
        *self = Workbench::new(options);
        self.info(format!(
            "Opened the review record {}",
            display_path(&target)
        ));
    }

    /// Shows the Open record dialog with `target` filled in (and opens it
    /// right away when it is not empty: a file chosen in the file dialog).
    pub(super) fn open_record_dialog(&mut self, target: &str) {
        let mut form = OpenRecordForm::new(target);
        if !target.is_empty() {
            open(self, &mut form);
        }
        self.dialog = Some(Dialog::OpenRecord(Box::new(form)));
    }

    /// The open record: its file, or the server's URL without a password.
    pub fn record_label(&self) -> String {
        display_path(self.worker.db_path())
    }
}

/// Whether a start-up failure `message` is the server asking for a
/// password (or refusing the one it was given).
pub(super) fn asks_for_password(message: &str) -> bool {
    message.contains(crate::store::ASKS_FOR_PASSWORD)
        || message.contains(crate::store::REFUSED_PASSWORD)
}

/// The dialog's body.
pub(super) fn show(wb: &mut Workbench, ui: &mut Ui, form: &mut OpenRecordForm) -> Outcome {
    let palette = Palette::of(ui);
    ui.label(
        "A review record is a file on this computer, or a record your team shares on a PostgreSQL server.",
    );
    ui.label(
        RichText::new(format!("Open now: {}", wb.record_label()))
            .small()
            .weak(),
    );
    ui.add_space(6.0);
    let label = ui.label("File or server");
    let typed = ui
        .add(
            egui::TextEdit::singleline(&mut form.target)
                .hint_text("~/audits/record.sqlite3  or  postgresql://you@db.example.com:5432/pci")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    // Asked before the field takes the focus back below, which would
    // undo the loss of focus that Enter caused.
    let typed_entered = typed.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if typed.changed() {
        form.problem = None;
        form.needs_password = false;
    }
    if !form.needs_password && ui.ctx().memory(|m| m.focused().is_none()) {
        typed.request_focus();
    }
    let target = form.target_path();
    let shown = display_path(&target);
    let is_server = crate::store::is_server_url(&shown);
    let blank = form.target.trim().is_empty();
    if !blank && !is_server && !target.exists() {
        ui.label(
            RichText::new("No record there yet: opening it creates a new, empty one.")
                .small()
                .color(palette.muted),
        );
    }
    let mut password_entered = false;
    if form.needs_password {
        ui.add_space(4.0);
        let label = ui.label(format!("Password for {shown}"));
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut form.password)
                    .password(true)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if form.password.is_empty() && !form.opening && !field.has_focus() {
            field.request_focus();
        }
        password_entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.label(
            RichText::new(
                "Kept in memory until Tickmark closes; never written to disk. PGPASSWORD or ~/.pgpass give it without asking.",
            )
            .small()
            .weak(),
        );
    }
    recent_records(wb, ui, form);
    if let Some(problem) = &form.problem {
        ui.add_space(4.0);
        ui.label(RichText::new(problem).color(palette.fail));
    }
    ui.add_space(8.0);
    let busy = wb.jobs.iter().any(|j| !j.label.starts_with("Opening"));
    if busy {
        ui.label(
            RichText::new("Wait for the running import or export to end (or cancel it) first.")
                .color(palette.muted),
        );
    }
    let enter = password_entered || typed_entered;
    let mut outcome = Outcome::Keep;
    ui.horizontal(|ui| {
        let label = if !is_server && !blank && !target.exists() {
            "Create and open"
        } else {
            "Open"
        };
        let can_open = !blank && !busy && !form.opening;
        if ui.add_enabled(can_open, egui::Button::new(label)).clicked() || (enter && can_open) {
            open(wb, form);
        }
        if ui
            .add_enabled(!form.opening, egui::Button::new("Choose a file…"))
            .clicked()
        {
            wb.start_job(Job::Pick(PickPurpose::OpenRecord));
            outcome = Outcome::Close;
        }
        if ui.button("Cancel").clicked() {
            outcome = Outcome::Close;
        }
        if form.opening {
            ui.spinner();
            ui.label("Connecting…");
        }
    });
    outcome
}

/// Records opened before, one click each.
fn recent_records(wb: &mut Workbench, ui: &mut Ui, form: &mut OpenRecordForm) {
    let current = wb.record_label();
    let recent: Vec<String> = wb
        .prefs
        .recent
        .iter()
        .map(|r| r.db.clone())
        .filter(|db| *db != current)
        .collect();
    if recent.is_empty() {
        return;
    }
    ui.add_space(6.0);
    ui.label(RichText::new("Opened before").strong());
    for db in recent {
        if ui
            .add_enabled(!form.opening, egui::Button::new(&db).frame(false))
            .on_hover_text("Open this record")
            .clicked()
        {
            form.target = db;
            form.password.clear();
            form.needs_password = false;
            form.problem = None;
            open(wb, form);
        }
    }
}

/// Asks the worker to open what was typed; a password typed (or carried
/// by the URL) is kept for the session first.
fn open(wb: &mut Workbench, form: &mut OpenRecordForm) {
    let typed = form.target.trim().to_owned();
    if crate::store::is_server_url(&typed) {
        let (url, in_url) = crate::store::split_password(&typed);
        if let Some(password) = in_url {
            crate::store::remember_password(&url, &password);
        }
        if !form.password.is_empty() {
            crate::store::remember_password(&url, &form.password);
        }
        form.target = url;
    }
    form.password.clear();
    form.problem = None;
    form.opening = true;
    let target = form.target_path();
    wb.start_job(Job::OpenRecord { target });
}
