//! The top bar: the assessment switcher and "new assessment", import,
//! export, the screens (review, dashboard, compare), the security lead's
//! approval, the reviewer profile, the theme and help.

use egui::{RichText, Ui};

use super::app::{Screen, Workbench};
use super::dialogs::Dialog;
use super::theme::{self, Palette, ThemeChoice};
use super::widgets;
use super::worker::{Job, PickPurpose};
use crate::export::ExportFormat;
use crate::store::Decision;

/// Every export format, in menu order.
/// Shows the bar.
pub fn show(wb: &mut Workbench, ui: &mut Ui) {
    egui::Panel::top("tickmark-top").show(ui, |ui| {
        ui.add_space(3.0);
        egui::MenuBar::new().ui(ui, |ui| {
            let fit = Fit::for_width(ui.available_width());
            ui.label(RichText::new("Tickmark").strong().size(15.0));
            ui.separator();
            assessment_menu(wb, ui, fit);
            if fit.one_menu {
                // A small window: everything but the assessment, the
                // profile and help folds into one menu.
                ui.menu_button("Menu", |ui| {
                    import_menu(wb, ui);
                    export_menu(wb, ui);
                    ui.separator();
                    let shown = wb.screen;
                    screens(wb, ui, Fit::WIDE);
                    if wb.screen != shown {
                        ui.close();
                    }
                    ui.separator();
                    approval(wb, ui, fit);
                    theme_button(wb, ui, Fit::WIDE);
                })
                .response
                .on_hover_text("Import, export, the screens, the approval and the theme");
            } else {
                import_menu(wb, ui);
                export_menu(wb, ui);
                ui.separator();
                screens(wb, ui, fit);
                ui.separator();
                approval(wb, ui, fit);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button("?")
                    .on_hover_text("Keyboard shortcuts and icons (? or F1)")
                    .clicked()
                {
                    wb.dialog = Some(Dialog::Help);
                }
                if !fit.one_menu {
                    theme_button(wb, ui, fit);
                }
                profile_menu(wb, ui, fit);
            });
        });
        ui.add_space(2.0);
    });
}

/// Toggles between the light and the dark theme.
fn theme_button(wb: &mut Workbench, ui: &mut Ui, fit: Fit) {
    let label = match (wb.prefs.theme, fit.compact) {
        (ThemeChoice::Light, false) => "Dark theme",
        (ThemeChoice::Dark, false) => "Light theme",
        (ThemeChoice::Light, true) => "Dark",
        (ThemeChoice::Dark, true) => "Light",
    };
    if ui.button(label).on_hover_text("Ctrl+T").clicked() {
        wb.prefs.theme = wb.prefs.theme.toggled();
        theme::apply(ui.ctx(), wb.prefs.theme);
    }
}

/// Below this width the bar folds into one menu.
const SMALL_WINDOW: f32 = 900.0;

/// How much the bar shortens its labels so that its two ends do not
/// overlap in a narrow window (the full text is on hover).
#[derive(Debug, Clone, Copy)]
struct Fit {
    /// Short labels for the profile, the theme and the approval.
    compact: bool,
    /// Import, export, the screens, the approval and the theme in one menu.
    one_menu: bool,
    /// The most characters of the assessment's name shown.
    name_chars: usize,
}

impl Fit {
    /// Everything shown in full.
    const WIDE: Fit = Fit {
        compact: false,
        one_menu: false,
        name_chars: usize::MAX,
    };

    fn for_width(width: f32) -> Fit {
        if width >= super::app::NARROW_WINDOW {
            return Fit::WIDE;
        }
        Fit {
            compact: true,
            one_menu: width < SMALL_WINDOW,
            name_chars: (((width - 800.0) / 7.0).max(0.0) as usize).clamp(12, 60),
        }
    }
}

/// `text` cut to `max` characters, with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

fn assessment_menu(wb: &mut Workbench, ui: &mut Ui, fit: Fit) {
    let current = wb
        .assessment()
        .map(|a| a.name.clone())
        .unwrap_or_else(|| "No assessment".to_owned());
    let mut open = None;
    let shown = shorten(&current, fit.name_chars);
    let menu = ui.menu_button(format!("Assessment: {shown}"), |ui| {
        ui.set_min_width(280.0);
        let current = wb.assessment().map(|a| (a.id, a.archived.is_some()));
        let archived = wb
            .assessments
            .iter()
            .filter(|a| a.archived.is_some())
            .count();
        for a in wb.assessments.iter().rev().filter(|a| a.archived.is_none()) {
            let selected = current.map(|c| c.0) == Some(a.id);
            let framework = crate::catalog::builtin(&a.catalog_id)
                .map_or(a.catalog_id.as_str(), |c| c.name.as_str());
            let text = format!(
                "{}  ·  {framework}  ·  {}  ·  {} to {}",
                a.name, a.cluster, a.period_start, a.period_end
            );
            if ui.add(egui::Button::selectable(selected, text)).clicked() {
                open = Some(a.id);
                ui.close();
            }
        }
        if archived > 0 {
            ui.menu_button(format!("Archived ({archived})"), |ui| {
                for a in wb.assessments.iter().rev().filter(|a| a.archived.is_some()) {
                    let selected = current.map(|c| c.0) == Some(a.id);
                    if ui
                        .add(egui::Button::selectable(selected, &a.name))
                        .clicked()
                    {
                        open = Some(a.id);
                        ui.close();
                    }
                }
            });
        }
        if !wb.assessments.is_empty() {
            ui.separator();
        }
        if let Some((id, is_archived)) = current {
            let (label, hover) = if is_archived {
                (
                    "Restore this assessment to the list",
                    "Show it in the list again",
                )
            } else {
                (
                    "Archive this assessment",
                    "Out of sight in the list (e.g. the sample); kept in the record as it is",
                )
            };
            if ui.button(label).on_hover_text(hover).clicked() {
                wb.worker.submit(super::worker::Task::Archive {
                    assessment: id,
                    archive: !is_archived,
                });
                ui.close();
            }
        }
        if ui.button("New assessment…").clicked() {
            wb.dialog = Some(Dialog::new_assessment(wb.assessment()));
            ui.close();
        }
        if ui
            .button("Open the sample assessment")
            .on_hover_text("The fictional Harbourline Payments cluster, with a review in progress")
            .clicked()
        {
            wb.open_sample();
            ui.close();
        }
        ui.separator();
        ui.label(
            RichText::new(format!("Review record: {}", wb.record_label()))
                .small()
                .weak(),
        );
        if ui
            .button("Open another record…")
            .on_hover_text(
                "A record file on this computer, or a team's record on a PostgreSQL server",
            )
            .clicked()
        {
            wb.open_record_dialog("");
            ui.close();
        }
    });
    if shown != current {
        menu.response
            .on_hover_text(format!("Assessment: {current}"));
    }
    if let Some(id) = open
        && wb.assessment().map(|a| a.id) != Some(id)
    {
        wb.switch_assessment(id);
    }
}

fn import_menu(wb: &mut Workbench, ui: &mut Ui) {
    let enabled = wb.assessment().is_some();
    ui.add_enabled_ui(enabled, |ui| {
        ui.menu_button("Import", |ui| {
            if ui.button("Evidence files…").clicked() {
                wb.start_job(Job::Pick(PickPurpose::ImportFiles));
                ui.close();
            }
            if ui.button("Evidence folder…").clicked() {
                wb.start_job(Job::Pick(PickPurpose::ImportFolder));
                ui.close();
            }
            if ui.button("From a typed path…").clicked() {
                wb.dialog = Some(Dialog::typed_path(PickPurpose::ImportFiles));
                ui.close();
            }
            ui.separator();
            ui.label(
                RichText::new("Or drop files and folders onto the window.")
                    .small()
                    .weak(),
            );
        })
        .response
        .on_disabled_hover_text("Open or create an assessment first");
    });
}

fn export_menu(wb: &mut Workbench, ui: &mut Ui) {
    let name = wb.assessment().map(|a| a.name.clone());
    ui.add_enabled_ui(name.is_some(), |ui| {
        ui.menu_button("Export", |ui| {
            for &format in ExportFormat::ALL {
                if ui.button(format!("{}…", format.label())).clicked() {
                    let suggested =
                        format.default_file_name(name.as_deref().unwrap_or("assessment"));
                    wb.start_job(Job::Pick(PickPurpose::Export { format, suggested }));
                    ui.close();
                }
            }
        })
        .response
        .on_disabled_hover_text("Open an assessment first");
    });
}

fn screens(wb: &mut Workbench, ui: &mut Ui, fit: Fit) {
    let all = [
        (Screen::Review, "Review", "Ctrl+1"),
        (Screen::Dashboard, "Dashboard", "Ctrl+2"),
        (Screen::Compare, "Compare", "Ctrl+3"),
        (Screen::Requests, "Requests", "Ctrl+4"),
        (Screen::Scope, "Scope", "Ctrl+5"),
        (Screen::Evidence, "Evidence", "Ctrl+6"),
    ];
    if fit.compact {
        // A narrow window: the screens fold into one menu named after the
        // screen shown.
        let current = all
            .iter()
            .find(|(screen, ..)| *screen == wb.screen)
            .map_or("Review", |(_, label, _)| label);
        ui.menu_button(format!("{current}…"), |ui| {
            for (screen, label, key) in all {
                if ui
                    .selectable_value(&mut wb.screen, screen, label)
                    .on_hover_text(key)
                    .clicked()
                {
                    ui.close();
                }
            }
        })
        .response
        .on_hover_text("Review, Dashboard, Compare, Requests, Scope (Ctrl+1 to Ctrl+5)");
        return;
    }
    for (screen, label, key) in all {
        ui.selectable_value(&mut wb.screen, screen, label)
            .on_hover_text(key);
    }
}

fn approval(wb: &mut Workbench, ui: &mut Ui, fit: Fit) {
    let palette = Palette::of(ui);
    let Some(loaded) = &wb.loaded else {
        return;
    };
    let state = &loaded.approval;
    let (text, color) = match &state.current {
        Some(a) if a.stale => ("Approval stale".to_owned(), palette.stale),
        Some(a) if a.decision == Decision::Approved && fit.compact => {
            ("Approved".to_owned(), palette.pass)
        }
        Some(a) if a.decision == Decision::Approved => (
            format!(
                "Approved by {}",
                a.by.name.as_deref().unwrap_or(&a.by.os_user)
            ),
            palette.pass,
        ),
        Some(_) => ("Sent back".to_owned(), palette.partial),
        None => ("Not approved".to_owned(), palette.muted),
    };
    let chip = widgets::outline_chip(ui, &text, color);
    if let Some(a) = &state.current {
        chip.on_hover_text(format!(
            "{} on {}: {}{}",
            a.decision.label(),
            widgets::time(&a.at),
            a.statement,
            if a.stale {
                format!("\nChanged since: {}", a.changed_requirements.join(", "))
            } else {
                String::new()
            }
        ));
    }
    if ui
        .button("Approval…")
        .on_hover_text("The security lead approves the assessment or sends it back")
        .clicked()
    {
        wb.dialog = Some(Dialog::approval());
    }
}

fn profile_menu(wb: &mut Workbench, ui: &mut Ui, fit: Fit) {
    let (label, hover) = match wb.profile() {
        Some(p) if fit.compact => (
            shorten(&p.name, 20),
            format!("Reviewing as {} ({})", p.name, p.role.label()),
        ),
        Some(p) => (
            format!("{} ({})", p.name, p.role.label()),
            "Reviewer profiles".to_owned(),
        ),
        None => (
            "Choose a reviewer".to_owned(),
            "Reviewer profiles".to_owned(),
        ),
    };
    if ui.button(label).on_hover_text(hover).clicked() {
        wb.dialog = Some(Dialog::profiles());
    }
}
