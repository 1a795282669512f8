//! Comparing the open assessment with another (PCI DSS 1.1.7's six-monthly
//! review): per requirement, what changed in the automated verdict, the
//! conclusion, the note, the cited evidence and the sign-off.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::app::{Screen, Workbench};
use super::theme::Palette;
use crate::store::{Delta, RequirementComparison, SignOffState};

/// Shows the screen.
pub fn show(wb: &mut Workbench, ui: &mut Ui) {
    egui::CentralPanel::default().show(ui, |ui| {
        let Some(this) = wb.assessment().cloned() else {
            ui.label("No assessment is open.");
            return;
        };
        ui.add_space(6.0);
        ui.label(RichText::new(format!("Compare {} with another assessment", this.name)).size(19.0).strong());
        let others: Vec<(i64, String)> = wb
            .assessments
            .iter()
            .filter(|a| a.id != this.id)
            .map(|a| (a.id, format!("{} ({} to {})", a.name, a.period_start, a.period_end)))
            .collect();
        if others.is_empty() {
            ui.label(RichText::new("There is no other assessment to compare with. Create one for the next period, import its evidence, and compare here.").weak());
            return;
        }
        ui.horizontal(|ui| {
            let chosen = others
                .iter()
                .find(|(id, _)| Some(*id) == wb.compare.other)
                .map(|(_, name)| name.clone())
                .unwrap_or_else(|| "Choose an assessment".to_owned());
            let label = ui.label("Compare with");
            egui::ComboBox::from_id_salt("compare-with")
                .selected_text(chosen)
                .width(360.0)
                .show_ui(ui, |ui| {
                    for (id, name) in &others {
                        ui.selectable_value(&mut wb.compare.other, Some(*id), name);
                    }
                })
                .response
                .labelled_by(label.id);
            let ready = wb.compare.other.is_some() && !wb.compare.running;
            if ui.add_enabled(ready, egui::Button::new("Compare")).clicked() {
                wb.run_compare();
            }
            if wb.compare.running {
                ui.spinner();
            }
            ui.checkbox(&mut wb.compare.only_changed, "Only what changed");
        });
        ui.add_space(6.0);
        let Some(result) = &wb.compare.result else {
            return;
        };
        let comparison = match result {
            Ok(c) => c,
            Err(message) => {
                ui.label(RichText::new(message).color(Palette::of(ui).fail));
                return;
            }
        };
        ui.label(format!(
            "From {} (earlier) to {} (later): {} of {} requirement(s) changed.",
            comparison.from.name,
            comparison.to.name,
            comparison.changed().count(),
            comparison.requirements.len()
        ));
        let rows: Vec<RequirementComparison> = comparison
            .requirements
            .iter()
            .filter(|r| !wb.compare.only_changed || r.changed())
            .cloned()
            .collect();
        let mut open = None;
        table(ui, &rows, &mut open);
        if let Some(id) = open {
            wb.select(&id);
            wb.screen = Screen::Review;
        }
    });
}

fn table(ui: &mut Ui, rows: &[RequirementComparison], open: &mut Option<String>) {
    let palette = Palette::of(ui);
    TableBuilder::new(ui)
        .id_salt("compare-table")
        .striped(true)
        .resizable(true)
        .column(Column::exact(90.0))
        .column(Column::initial(170.0).at_least(110.0))
        .column(Column::initial(230.0).at_least(140.0))
        .column(Column::exact(70.0))
        .column(Column::initial(110.0).at_least(80.0))
        .column(Column::remainder().at_least(120.0))
        .header(22.0, |mut header| {
            for title in [
                "Requirement",
                "Automated verdict",
                "Conclusion",
                "Note",
                "Evidence",
                "Sign-off",
            ] {
                header.col(|ui| {
                    ui.label(RichText::new(title).strong());
                });
            }
        })
        .body(|body| {
            body.rows(22.0, rows.len(), |mut row| {
                let r = &rows[row.index()];
                row.col(|ui| {
                    if ui
                        .link(&r.requirement)
                        .on_hover_text("Review this requirement")
                        .clicked()
                    {
                        *open = Some(r.requirement.clone());
                    }
                });
                row.col(|ui| {
                    delta(
                        ui,
                        &r.verdict,
                        |v| v.map_or("none", |v| v.label()).to_owned(),
                        &palette,
                    );
                });
                row.col(|ui| {
                    delta(
                        ui,
                        &r.conclusion,
                        |c| c.map_or_else(|| "none".to_owned(), |c| c.short_label()),
                        &palette,
                    );
                });
                row.col(|ui| {
                    ui.label(if r.note_changed {
                        RichText::new("changed").color(palette.partial)
                    } else {
                        RichText::new("same").weak()
                    });
                });
                row.col(|ui| {
                    if r.evidence_added.is_empty() && r.evidence_removed.is_empty() {
                        ui.label(RichText::new("same").weak());
                    } else {
                        ui.label(
                            RichText::new(format!(
                                "{} new, {} gone",
                                r.evidence_added.len(),
                                r.evidence_removed.len()
                            ))
                            .color(palette.partial),
                        );
                    }
                });
                row.col(|ui| {
                    delta(ui, &r.sign_off, |s| sign_off_label(*s).to_owned(), &palette);
                });
            });
        });
}

fn delta<T: PartialEq>(
    ui: &mut Ui,
    delta: &Delta<T>,
    label: impl Fn(&T) -> String,
    palette: &Palette,
) {
    if delta.changed() {
        ui.label(
            RichText::new(format!(
                "was {}, now {}",
                label(&delta.from),
                label(&delta.to)
            ))
            .color(palette.partial),
        );
    } else {
        ui.label(RichText::new(label(&delta.to)).weak());
    }
}

fn sign_off_label(state: SignOffState) -> &'static str {
    match state {
        SignOffState::None => "not signed",
        SignOffState::Current => "signed",
        SignOffState::Stale => "stale",
    }
}
