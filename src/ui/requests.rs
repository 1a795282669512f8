//! The evidence request list screen: what the assessment still lacks, with
//! the command or document to ask for, and the owner, due date and status
//! the auditor keeps for each request (each change an event in the record).

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::app::{Screen, Workbench};
use super::theme::Palette;
use super::worker::{Job, PickPurpose, Task};
use crate::export::requests::RequestFormat;
use crate::requests::{EvidenceRequest, EvidenceState, RequestList};
use crate::store::{RequestStatus, RequestUpdate};

/// The screen's state.
#[derive(Debug, Default)]
pub struct RequestsState {
    /// The list of the assessment it was derived for.
    pub list: Option<(i64, Result<Box<RequestList>, String>)>,
    /// A list was asked for.
    pub loading: bool,
    /// Show only the requests still open.
    pub open_only: bool,
    /// The request being edited.
    pub editing: Option<Edit>,
}

/// The fields of the request being edited.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// Its key.
    pub key: String,
    /// Its reference and title, as shown.
    pub title: String,
    /// Owner.
    pub owner: String,
    /// Due date as typed (YYYY-MM-DD, or empty).
    pub due: String,
    /// Status.
    pub status: RequestStatus,
    /// Note.
    pub note: String,
}

impl Edit {
    fn of(request: &EvidenceRequest) -> Edit {
        Edit {
            key: request.key.clone(),
            title: request.title.clone(),
            owner: request.owner().to_owned(),
            due: request.due().map(|d| d.to_string()).unwrap_or_default(),
            status: request.status(),
            note: request.note().to_owned(),
        }
    }
}

impl Workbench {
    /// The worker's answer to a request-list task.
    pub(super) fn on_requests(
        &mut self,
        assessment: i64,
        result: Result<Box<RequestList>, String>,
        done: Option<String>,
    ) {
        self.requests.loading = false;
        if self.assessment().map(|a| a.id) != Some(assessment) {
            return;
        }
        if let Some(done) = done {
            self.info(done);
        }
        if let (Some(edit), Ok(list)) = (&self.requests.editing, &result)
            && let Some(fresh) = list.requests.iter().find(|r| r.key == edit.key)
        {
            self.requests.editing = Some(Edit::of(fresh));
        }
        self.requests.list = Some((assessment, result));
    }

    /// Forgets the list, so that the screen derives it again (the evidence
    /// or the reviews changed).
    pub(super) fn requests_changed(&mut self) {
        self.requests.list = None;
    }
}

/// Shows the screen.
pub fn show(wb: &mut Workbench, ui: &mut Ui) {
    egui::CentralPanel::default().show(ui, |ui| {
        let Some(assessment) = wb.assessment().cloned() else {
            ui.label("No assessment is open.");
            return;
        };
        let current = wb
            .requests
            .list
            .as_ref()
            .is_some_and(|(id, _)| *id == assessment.id);
        if !current && !wb.requests.loading {
            wb.requests.loading = true;
            wb.worker.submit(Task::Requests {
                assessment: assessment.id,
            });
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!("Evidence requests for {}", assessment.name))
                    .size(19.0)
                    .strong(),
            );
            if wb.requests.loading {
                ui.spinner();
            }
        });
        let Some((_, result)) = &wb.requests.list else {
            return;
        };
        let list = match result {
            Ok(list) => list.clone(),
            Err(message) => {
                ui.label(RichText::new(message).color(Palette::of(ui).fail));
                return;
            }
        };
        toolbar(wb, ui, &list, &assessment.name);
        ui.add_space(4.0);
        let rows: Vec<&EvidenceRequest> = list
            .requests
            .iter()
            .filter(|r| !wb.requests.open_only || r.is_open())
            .collect();
        let editor_height = if wb.requests.editing.is_some() {
            190.0
        } else {
            0.0
        };
        let mut clicked = None;
        let mut open = None;
        egui::ScrollArea::horizontal().show(ui, |ui| {
            ui.set_height((ui.available_height() - editor_height).max(120.0));
            table(
                ui,
                &rows,
                wb.requests.editing.as_ref(),
                &mut clicked,
                &mut open,
            );
        });
        if let Some(key) = clicked
            && let Some(request) = list.requests.iter().find(|r| r.key == key)
        {
            wb.requests.editing = Some(Edit::of(request));
        }
        if let Some(requirement) = open {
            wb.select(&requirement);
            wb.screen = Screen::Review;
        }
        editor(wb, ui, assessment.id);
    });
}

fn toolbar(wb: &mut Workbench, ui: &mut Ui, list: &RequestList, name: &str) {
    let count = |state: EvidenceState| list.requests.iter().filter(|r| r.state == state).count();
    ui.label(format!(
        "{} request(s), {} open: {} missing, {} stale{}. Derived from {} and the review state; owner, due date and status are yours to keep.",
        list.requests.len(),
        list.open().count(),
        count(EvidenceState::Missing),
        count(EvidenceState::Stale),
        match count(EvidenceState::Satisfied) {
            0 => String::new(),
            n => format!(", {n} satisfied"),
        },
        match (list.run, wb.loaded.as_ref()) {
            (Some(run), Some(loaded)) if loaded.run.as_ref().is_some_and(|r| r.id == run) => {
                format!("the latest run (run {} of {})", loaded.run_count, loaded.run_count)
            }
            (Some(_), _) => "the latest run".to_owned(),
            (None, _) => "no run yet".to_owned(),
        }
    ));
    ui.horizontal(|ui| {
        ui.checkbox(&mut wb.requests.open_only, "Only open requests");
        if ui.button("Refresh").clicked() {
            wb.requests_changed();
        }
        ui.separator();
        for format in [RequestFormat::Xlsx, RequestFormat::Csv] {
            let label = format!("Export {}…", format.extension().to_uppercase());
            if ui.button(label).clicked() {
                let suggested = format!(
                    "{}-evidence-requests.{}",
                    name.replace(|c: char| !c.is_alphanumeric() && c != '-', "-"),
                    format.extension()
                );
                wb.start_job(Job::Pick(PickPurpose::ExportRequests { format, suggested }));
            }
        }
    });
}

fn state_colour(palette: &Palette, state: EvidenceState) -> egui::Color32 {
    match state {
        EvidenceState::Missing => palette.fail,
        EvidenceState::Stale => palette.partial,
        EvidenceState::Satisfied => palette.pass,
    }
}

fn status_colour(palette: &Palette, status: RequestStatus) -> egui::Color32 {
    match status {
        RequestStatus::Requested => palette.manual,
        RequestStatus::Received => palette.partial,
        RequestStatus::Accepted => palette.pass,
        RequestStatus::Returned => palette.fail,
    }
}

fn table(
    ui: &mut Ui,
    rows: &[&EvidenceRequest],
    editing: Option<&Edit>,
    clicked: &mut Option<String>,
    open: &mut Option<String>,
) {
    let palette = Palette::of(ui);
    TableBuilder::new(ui)
        .id_salt("requests-table")
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .column(Column::exact(40.0))
        .column(Column::exact(74.0))
        .column(Column::initial(190.0).at_least(110.0).clip(true))
        .column(Column::exact(62.0))
        .column(Column::exact(70.0))
        .column(Column::initial(90.0).at_least(50.0).clip(true))
        .column(Column::exact(72.0))
        .column(Column::initial(100.0).at_least(60.0).clip(true))
        .column(Column::remainder().at_least(100.0).clip(true))
        .header(22.0, |mut header| {
            for title in [
                "Ref",
                "Kind",
                "What",
                "Evidence",
                "Status",
                "Owner",
                "Due",
                "Requirements",
                "Command or document",
            ] {
                header.col(|ui| {
                    ui.label(RichText::new(title).strong());
                });
            }
        })
        .body(|body| {
            body.rows(24.0, rows.len(), |mut row| {
                let r = rows[row.index()];
                row.set_selected(editing.is_some_and(|e| e.key == r.key));
                row.col(|ui| {
                    ui.label(RichText::new(&r.reference).monospace());
                });
                row.col(|ui| {
                    ui.label(r.kind.label());
                });
                row.col(|ui| {
                    let title = ui
                        .add(
                            egui::Label::new(&r.title)
                                .truncate()
                                .sense(egui::Sense::click()),
                        )
                        .on_hover_text(format!(
                            "{}\n\n{}\n\nClick to track it.",
                            r.title,
                            r.reasons.join("\n")
                        ));
                    if title.clicked() {
                        *clicked = Some(r.key.clone());
                    }
                });
                row.col(|ui| {
                    ui.label(RichText::new(r.state.label()).color(state_colour(&palette, r.state)));
                });
                row.col(|ui| {
                    ui.label(
                        RichText::new(r.status().label())
                            .color(status_colour(&palette, r.status())),
                    );
                });
                row.col(|ui| {
                    ui.label(r.owner());
                });
                row.col(|ui| {
                    ui.label(r.due().map(|d| d.to_string()).unwrap_or_default());
                });
                row.col(|ui| {
                    ui.horizontal(|ui| {
                        for id in r.requirements.iter().take(3) {
                            if id.starts_with('(') {
                                ui.label(RichText::new("+ named").weak())
                                    .on_hover_text("and the requirements its results name");
                            } else if ui.link(id).on_hover_text("Open this requirement").clicked() {
                                *open = Some(id.clone());
                            }
                        }
                        if r.requirements.len() > 3 {
                            ui.label(format!("+{}", r.requirements.len() - 3))
                                .on_hover_text(r.requirements.join(", "));
                        }
                    });
                });
                row.col(|ui| {
                    let text = if r.ask.is_empty() {
                        "—"
                    } else {
                        r.ask.as_str()
                    };
                    ui.label(RichText::new(text).monospace().size(11.5))
                        .on_hover_text(text);
                });
                if row.response().clicked() {
                    *clicked = Some(r.key.clone());
                }
            });
        });
}

fn editor(wb: &mut Workbench, ui: &mut Ui, assessment: i64) {
    let Some(mut edit) = wb.requests.editing.clone() else {
        return;
    };
    let request = wb
        .requests
        .list
        .as_ref()
        .and_then(|(_, list)| list.as_ref().ok())
        .and_then(|list| list.requests.iter().find(|r| r.key == edit.key).cloned());
    ui.separator();
    let mut save = false;
    let mut close = false;
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(format!(
                "{} {}",
                request.as_ref().map_or("", |r| r.reference.as_str()),
                edit.title
            ))
            .strong(),
        );
        if let Some(tracking) = request.as_ref().and_then(|r| r.tracking.as_ref()) {
            ui.label(
                RichText::new(format!(
                    "last recorded by {}, {}",
                    tracking.updated_by.display(),
                    tracking.updated_at.format("%Y-%m-%d %H:%M UTC")
                ))
                .weak(),
            );
        }
    });
    if let Some(request) = &request {
        for reason in &request.reasons {
            ui.label(RichText::new(format!("Why: {reason}")).weak());
        }
        if !request.ask.is_empty() {
            ui.horizontal(|ui| {
                if ui
                    .small_button("Copy")
                    .on_hover_text("Copy the command or the documents asked for")
                    .clicked()
                {
                    ui.ctx().copy_text(request.ask.clone());
                }
                ui.add(egui::Label::new(RichText::new(&request.ask).monospace().size(11.5)).wrap());
            });
        }
    }
    let due_ok = edit.due.trim().is_empty() || edit.due.trim().parse::<chrono::NaiveDate>().is_ok();
    egui::Grid::new("request-editor")
        .num_columns(4)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            let label = ui.label("Owner:");
            ui.add(egui::TextEdit::singleline(&mut edit.owner).desired_width(220.0))
                .labelled_by(label.id);
            let label = ui.label("Due (YYYY-MM-DD):");
            let due = ui
                .add(egui::TextEdit::singleline(&mut edit.due).desired_width(110.0))
                .labelled_by(label.id);
            if !due_ok {
                due.on_hover_text("Not a date: write it as 2026-12-31");
            }
            ui.end_row();
            let label = ui.label("Status:");
            egui::ComboBox::from_id_salt("request-status")
                .selected_text(edit.status.label())
                .show_ui(ui, |ui| {
                    for &status in RequestStatus::ALL {
                        ui.selectable_value(&mut edit.status, status, status.label());
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("Note:");
            ui.add(egui::TextEdit::singleline(&mut edit.note).desired_width(360.0))
                .labelled_by(label.id);
            ui.end_row();
        });
    ui.horizontal(|ui| {
        let changed = request.as_ref().is_none_or(|r| Edit::of(r) != edit);
        if ui
            .add_enabled(changed && due_ok, egui::Button::new("Save"))
            .on_hover_text("Recorded as an event in the review record")
            .clicked()
        {
            save = true;
        }
        if ui.button("Close").clicked() {
            close = true;
        }
        if !due_ok {
            ui.label(
                RichText::new("The due date is not a date (YYYY-MM-DD).")
                    .color(Palette::of(ui).fail),
            );
        }
    });
    if save && let Some(actor) = wb.reviewer("track evidence requests") {
        wb.worker.submit(Task::SetRequest {
            actor,
            assessment,
            update: RequestUpdate {
                key: edit.key.clone(),
                title: edit.title.clone(),
                owner: edit.owner.clone(),
                due: edit.due.trim().parse().ok(),
                status: edit.status,
                note: edit.note.clone(),
            },
        });
    }
    wb.requests.editing = if close { None } else { Some(edit) };
}
