//! A save refused because a colleague changed the same requirement after
//! the edit started (on a shared record, or from the command line): their
//! version and yours side by side, what differs word by word, and the
//! three ways on — keep editing yours, save yours in place of theirs (theirs
//! stays in the history), or take theirs.

use egui::{RichText, Ui};

use super::app::Workbench;
use super::dialogs::{Dialog, Outcome};
use super::theme::Palette;
use super::worker::Task;
use crate::store::{EditConflict, ReviewInput, worksheet_fields};

/// The conflict dialog's state.
#[derive(Debug, Clone)]
pub struct ConflictDialog {
    /// The assessment.
    assessment: i64,
    /// Both versions.
    conflict: EditConflict,
}

impl ConflictDialog {
    /// The dialog's title.
    pub fn title(&self) -> String {
        format!(
            "{} was changed by {}",
            self.conflict.requirement,
            self.conflict.theirs.reviewer.display()
        )
    }
}

impl Workbench {
    /// A save was refused: both versions are shown, and the text typed
    /// stays a draft.
    pub(super) fn on_edit_conflict(&mut self, assessment: i64, conflict: EditConflict) {
        self.error(format!(
            "Not saved: {} was changed by {} at {} (event #{}); your text is kept as a draft",
            conflict.requirement,
            conflict.theirs.reviewer.display(),
            conflict.theirs.reviewed_at.format("%Y-%m-%d %H:%M:%S UTC"),
            conflict.theirs.event
        ));
        // Their version becomes the one shown.
        self.worker.submit(Task::Requirement {
            assessment,
            requirement: conflict.requirement.clone(),
        });
        self.dialog = Some(Dialog::Conflict(Box::new(ConflictDialog {
            assessment,
            conflict,
        })));
    }
}

/// The dialog's body.
pub(super) fn show(wb: &mut Workbench, ui: &mut Ui, dialog: &ConflictDialog) -> Outcome {
    let palette = Palette::of(ui);
    let conflict = &dialog.conflict;
    let theirs = &conflict.theirs;
    ui.label(format!(
        "{} recorded a review of {} at {} (event #{}) after your edit started from {}. Nothing of yours was saved; your text is kept as a draft.",
        theirs.reviewer.display(),
        conflict.requirement,
        theirs.reviewed_at.format("%Y-%m-%d %H:%M:%S UTC"),
        theirs.event,
        conflict
            .based_on
            .map_or("no review".to_owned(), |seq| format!("event #{seq}")),
    ));
    ui.add_space(6.0);
    let their_input = ReviewInput {
        finding: theirs.finding,
        method: theirs.method,
        compensating: theirs.compensating.clone(),
        customized: theirs.customized.clone(),
        note: theirs.note.clone(),
    };
    let height = (ui.ctx().content_rect().height() * 0.35).clamp(120.0, 360.0);
    ui.columns(2, |columns| {
        version(
            &mut columns[0],
            &format!("Theirs: {}", theirs.reviewer.display()),
            &their_input,
            height,
        );
        version(&mut columns[1], "Yours (not saved)", &conflict.mine, height);
    });
    if their_input.note != conflict.mine.note {
        ui.add_space(6.0);
        ui.label(RichText::new("What yours changes in their note").strong());
        let font = egui::TextStyle::Body.resolve(ui.style());
        let job = super::diff_view::word_diff(
            &their_input.note,
            &conflict.mine.note,
            font,
            ui.visuals().text_color(),
            &palette,
            true,
        );
        egui::ScrollArea::vertical()
            .id_salt("conflict-diff")
            .max_height(height * 0.6)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(job);
            });
    }
    ui.add_space(8.0);
    choices(wb, ui, dialog)
}

/// One version: finding, method, worksheet fields and note.
fn version(ui: &mut Ui, heading: &str, review: &ReviewInput, height: f32) {
    // Left-aligned text: a column's justified layout would spread it.
    ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
        version_body(ui, heading, review, height);
    });
}

fn version_body(ui: &mut Ui, heading: &str, review: &ReviewInput, height: f32) {
    ui.label(RichText::new(heading).strong());
    let finding = review.finding.map_or("No finding", |f| f.label());
    ui.label(format!("Finding: {finding} · {}", review.method.label()));
    egui::Frame::new()
        .fill(ui.visuals().faint_bg_color)
        .inner_margin(6.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt(heading)
                .max_height(height)
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    for (label, text) in
                        worksheet_fields(review.compensating.as_ref(), review.customized.as_ref())
                    {
                        ui.label(RichText::new(label).small().strong());
                        ui.label(text);
                    }
                    if review.note.trim().is_empty() {
                        ui.label(RichText::new("(no note)").weak());
                    } else {
                        ui.label(&review.note);
                    }
                });
        });
}

fn choices(wb: &mut Workbench, ui: &mut Ui, dialog: &ConflictDialog) -> Outcome {
    let conflict = &dialog.conflict;
    let requirement = conflict.requirement.as_str();
    let mut outcome = Outcome::Keep;
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("Keep editing mine")
            .on_hover_text(
                "Your text stays a draft, now counted as written over their version: merge what you need, then save",
            )
            .clicked()
        {
            wb.drafts
                .rebase(dialog.assessment, requirement, Some(conflict.theirs.event));
            wb.info(format!(
                "Your text of {requirement} is a draft over {}'s version: saving it replaces theirs (theirs stays in the history)",
                conflict.theirs.reviewer.display()
            ));
            outcome = Outcome::Close;
        }
        if ui
            .button("Save mine in place of theirs")
            .on_hover_text("Theirs stays in the requirement's history")
            .clicked()
            && let Some(actor) = wb.reviewer("save a note")
        {
            wb.drafts
                .rebase(dialog.assessment, requirement, Some(conflict.theirs.event));
            wb.worker.submit(Task::SetReview {
                actor,
                assessment: dialog.assessment,
                requirement: requirement.to_owned(),
                review: Box::new(conflict.mine.clone()),
                based_on: Some(Some(conflict.theirs.event)),
            });
            outcome = Outcome::Close;
        }
        if ui
            .button("Take theirs, discard mine")
            .on_hover_text("Throws away the text you typed")
            .clicked()
        {
            wb.drafts.discard(dialog.assessment, requirement);
            wb.info(format!("Your draft of {requirement} was discarded"));
            outcome = Outcome::Close;
        }
    });
    if matches!(outcome, Outcome::Close) {
        // Answered here: the refusal no longer needs to stay in the status bar.
        let refusal = format!("Not saved: {requirement} was changed");
        wb.messages.retain(|m| !m.text.starts_with(&refusal));
    }
    outcome
}
