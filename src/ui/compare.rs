//! Comparing the open assessment with another (PCI DSS 1.1.7's six-monthly
//! review): per requirement, what changed in the automated verdict, the
//! conclusion, the note, the cited evidence and the sign-off.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::app::{Screen, Workbench};
use super::theme::Palette;
use super::worker::{DiffRequest, Job, PickPurpose};
use crate::export::compare::CompareFormat;
use crate::store::{Comparison, Delta, RequirementComparison, SignOffState};

/// What a click in the table asks for.
enum RowAction {
    /// Review this requirement of the open assessment.
    Review(String),
    /// Show what changed in this row.
    Differences(usize),
}

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
        let across = comparison.from.catalog_id != comparison.to.catalog_id;
        ui.label(format!(
            "From {} ({}, earlier) to {} ({}, later): {} of {} row(s) changed.",
            comparison.from.name,
            comparison.from.catalog_id,
            comparison.to.name,
            comparison.to.catalog_id,
            comparison.changed().count(),
            comparison.requirements.len()
        ));
        if across {
            ui.label(
                RichText::new(format!(
                    "Two frameworks: requirements are matched by {}, one row per linked pair. A requirement new in v4.0 has no earlier one; an earlier requirement without a successor is listed last.",
                    comparison.mapping
                ))
                .small()
                .weak(),
            );
        }
        let comparison = comparison.clone();
        export_buttons(wb, ui, &comparison);
        ui.add_space(4.0);
        let open_is_later = comparison.to.id == this.id;
        let rows: Vec<RequirementComparison> = comparison
            .requirements
            .iter()
            .filter(|r| !wb.compare.only_changed || r.changed())
            .cloned()
            .collect();
        let mut action = None;
        // One scroll area both ways (the table's own scrolls only
        // vertically): a narrow window scrolls sideways rather than cutting
        // columns off.
        egui::ScrollArea::both()
            .id_salt("compare-scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.set_min_width(if across { 1130.0 } else { 970.0 });
                table(ui, &rows, (across, open_is_later), &mut action);
            });
        match action {
            Some(RowAction::Review(id)) => {
                wb.select(&id);
                wb.screen = Screen::Review;
            }
            Some(RowAction::Differences(at)) => {
                if let Some(row) = rows.get(at) {
                    open_differences(wb, &comparison, row);
                }
            }
            None => {}
        }
    });
}

fn export_buttons(wb: &mut Workbench, ui: &mut Ui, comparison: &Comparison) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Export the comparison:");
        for format in CompareFormat::ALL {
            if ui
                .button(format!("{}…", format.extension().to_uppercase()))
                .on_hover_text(format!(
                    "Every row, before and after, as {}",
                    format.label()
                ))
                .clicked()
            {
                wb.start_job(Job::Pick(PickPurpose::ExportComparison {
                    format: *format,
                    suggested: format.default_file_name(comparison),
                }));
            }
        }
    });
}

/// Opens the differences of one row: the earlier assessment's requirement
/// against the later's.
fn open_differences(wb: &mut Workbench, comparison: &Comparison, row: &RequirementComparison) {
    let later = (!row.only_earlier).then(|| row.requirement.clone());
    let title = match (&row.earlier_requirement, &later) {
        (Some(earlier), Some(later)) if earlier != later => {
            format!(
                "{earlier} ({}) → {later} ({})",
                comparison.from.name, comparison.to.name
            )
        }
        _ => format!(
            "{}: {} → {}",
            row.requirement, comparison.from.name, comparison.to.name
        ),
    };
    wb.open_diff(
        DiffRequest::Compare {
            from: (comparison.from.id, row.earlier_requirement.clone()),
            to: (comparison.to.id, later),
        },
        title,
        (&comparison.from.name, &comparison.to.name),
    );
}

fn table(
    ui: &mut Ui,
    rows: &[RequirementComparison],
    (across, open_is_later): (bool, bool),
    action: &mut Option<RowAction>,
) {
    let palette = Palette::of(ui);
    let titles: &[&str] = if across {
        &[
            "Requirement",
            "Changes",
            "Earlier requirement",
            "Automated verdict",
            "Finding",
            "Note",
            "Evidence",
            "Sign-off",
        ]
    } else {
        &[
            "Requirement",
            "Changes",
            "Automated verdict",
            "Finding",
            "Note",
            "Evidence",
            "Sign-off",
        ]
    };
    let mut builder = TableBuilder::new(ui)
        .id_salt(("compare-table", across))
        .striped(true)
        .vscroll(false)
        .resizable(true)
        .column(Column::exact(90.0))
        .column(Column::exact(124.0));
    if across {
        builder = builder.column(Column::initial(150.0).at_least(110.0));
    }
    builder
        .column(Column::initial(170.0).at_least(110.0))
        .column(Column::initial(230.0).at_least(140.0))
        .column(Column::exact(70.0))
        .column(Column::initial(110.0).at_least(80.0))
        .column(Column::remainder().at_least(120.0))
        .header(22.0, |mut header| {
            for title in titles {
                header.col(|ui| {
                    ui.label(RichText::new(*title).strong());
                });
            }
        })
        .body(|body| {
            body.rows(22.0, rows.len(), |mut row| {
                let at = row.index();
                let r = &rows[at];
                // The requirement of the open assessment this row is about.
                let target = if open_is_later {
                    (!r.only_earlier).then(|| r.requirement.clone())
                } else {
                    r.earlier_requirement.clone()
                };
                row.col(|ui| {
                    let shown = if r.only_earlier {
                        format!("({})", r.requirement)
                    } else {
                        r.requirement.clone()
                    };
                    match target {
                        Some(target) => {
                            if ui
                                .link(&shown)
                                .on_hover_text("Review this requirement")
                                .clicked()
                            {
                                *action = Some(RowAction::Review(target));
                            }
                        }
                        None => {
                            ui.label(RichText::new(shown).weak()).on_hover_text(
                                "Not a requirement of the open assessment's framework",
                            );
                        }
                    }
                });
                row.col(|ui| {
                    let label = if r.changed() { "What changed…" } else { "Details…" };
                    if ui
                        .small_button(label)
                        .on_hover_text("The note as a word diff, each check result and each cited place in the evidence, before and after")
                        .clicked()
                    {
                        *action = Some(RowAction::Differences(at));
                    }
                });
                if across {
                    row.col(|ui| earlier_cell(ui, r, &palette));
                }
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
        let (from, to) = (label(&delta.from), label(&delta.to));
        ui.label(RichText::new(format!("{from} → {to}")).color(palette.partial))
            .on_hover_text(format!("Was {from}, now {to}"));
    } else {
        ui.label(RichText::new(label(&delta.to)).weak());
    }
}

/// The earlier requirement of a row across frameworks, and how it maps.
fn earlier_cell(ui: &mut Ui, r: &RequirementComparison, palette: &Palette) {
    match (&r.earlier_requirement, &r.mapping) {
        (Some(earlier), _) if r.only_earlier => {
            ui.label(RichText::new(format!("{earlier}: no successor")).color(palette.partial));
        }
        (Some(earlier), Some(mapping)) => {
            let text = format!(
                "{earlier} · {}{}",
                mapping.kind.label().to_lowercase(),
                if mapping.judgement { "*" } else { "" }
            );
            let mut hover = mapping.kind.label().to_owned();
            if mapping.judgement {
                hover.push_str(" (* Tickmark's judgement, not the PCI SSC's summary of changes)");
            }
            if let Some(note) = &mapping.note {
                hover.push_str(&format!("\n{note}"));
            }
            ui.label(text).on_hover_text(hover);
        }
        (Some(earlier), None) => {
            ui.label(earlier);
        }
        (None, _) => {
            ui.label(RichText::new("new in v4.0").color(palette.new_in_v4));
        }
    }
}

fn sign_off_label(state: SignOffState) -> &'static str {
    match state {
        SignOffState::None => "not signed",
        SignOffState::Current => "signed",
        SignOffState::Stale => "stale",
    }
}
