//! The review pane's second pair of eyes: the reviewer's sign-off over the
//! preparer's, and the review notes thread (raise, answer, clear).

use egui::{RichText, Ui};

use super::app::Workbench;
use super::review::{signature_chip, signer, statement};
use super::theme::Palette;
use super::widgets;
use super::worker::ReviewNoteAction;
use crate::store::{Person, RequirementState, ReviewNote, SignOffState, default_review_statement};

/// The reviewer's sign-off: its state, and the button to sign as reviewer
/// when the rules allow it (the reason on hover when they do not).
pub(super) fn reviewer_sign_off(wb: &mut Workbench, ui: &mut Ui, id: &str) {
    let palette = Palette::of(ui);
    widgets::section(ui, "Reviewer sign-off");
    let Some(state) = wb.requirement_state(id).cloned() else {
        ui.label(RichText::new("Not reviewed.").weak());
        return;
    };
    match (state.reviewer_state, state.reviewer_sign_off()) {
        (SignOffState::None, _) | (_, None) => {
            ui.label(RichText::new("Not reviewed.").weak());
        }
        (reviewed, Some(latest)) => {
            let stale = reviewed == SignOffState::Stale;
            ui.horizontal_wrapped(|ui| {
                let (text, color) = if stale {
                    ("Stale review", palette.stale)
                } else {
                    ("Reviewed", palette.signed)
                };
                widgets::chip(ui, text, color, &palette);
                signature_chip(ui, latest, &palette);
                ui.label(signer(latest));
            });
            statement(ui, latest);
            if stale {
                ui.label(
                    RichText::new(format!(
                        "Changed since it was reviewed: {}. The preparer signs off again, then the reviewer.",
                        latest.stale_reasons.join(", ")
                    ))
                    .color(palette.stale),
                );
            }
        }
    }
    let refusal = review_refusal(wb, &state);
    let hover = refusal.clone().unwrap_or_else(|| {
        format!(
            "Sign that you reviewed the preparer's work (the statement above, or: \"{}\")",
            default_review_statement(id)
        )
    });
    let button = ui
        .add_enabled(
            refusal.is_none(),
            egui::Button::new(RichText::new("Sign as reviewer").strong()),
        )
        .on_hover_text(&hover)
        .on_disabled_hover_text(&hover);
    if button.clicked() {
        wb.review_sign_off();
    }
}

/// Why the chosen profile cannot sign `state` as reviewer now, if it
/// cannot (the record checks the same rules again).
fn review_refusal(wb: &Workbench, state: &RequirementState) -> Option<String> {
    let Some(profile) = wb.profile() else {
        return Some("Choose a reviewer profile first".to_owned());
    };
    if let Some(missing) = wb.signing.missing(Some(profile)) {
        return Some(missing.to_owned());
    }
    if state.sign_off_state != SignOffState::Current {
        return Some("The preparer signs off first (a current preparer sign-off)".to_owned());
    }
    let prepared = state
        .sign_offs
        .iter()
        .any(|s| s.signer.profile == Some(profile.id))
        || state
            .review
            .as_ref()
            .is_some_and(|r| r.reviewer.profile == Some(profile.id));
    if prepared {
        return Some(format!(
            "{} prepared this requirement; a reviewer cannot review their own preparation",
            profile.name
        ));
    }
    let open = state.open_review_notes().count();
    if open > 0 {
        return Some(format!(
            "{open} review note(s) open: they are answered and cleared first"
        ));
    }
    if state.reviewer_state == SignOffState::Current {
        return Some("Reviewed already; it can be reviewed again once anything changes".into());
    }
    None
}

/// The review notes of a requirement with their threads, and the forms to
/// raise, answer and clear them.
pub(super) fn review_notes(wb: &mut Workbench, ui: &mut Ui, id: &str) {
    let palette = Palette::of(ui);
    let notes = wb
        .requirement_state(id)
        .map(|s| s.review_notes.clone())
        .unwrap_or_default();
    let open = notes.iter().filter(|n| n.is_open()).count();
    widgets::section(
        ui,
        &match open {
            0 => "Review notes".to_owned(),
            n => format!("Review notes ({n} open)"),
        },
    );
    if notes.is_empty() {
        ui.label(RichText::new("No review notes.").weak());
    }
    let mut action = None;
    for note in notes.iter().rev() {
        if let Some(chosen) = thread(wb, ui, note, &palette) {
            action = Some(chosen);
        }
    }
    ui.add_space(4.0);
    let label = ui.label("Raise a review note");
    ui.add(
        egui::TextEdit::multiline(&mut wb.review_note_text)
            .hint_text("What should the preparer answer or fix?")
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    let text = wb.review_note_text.trim().to_owned();
    let raise = ui
        .add_enabled(!text.is_empty(), egui::Button::new("Raise review note"))
        .on_hover_text(
            "Recorded in the log; it blocks the reviewer sign-off and the approval until cleared",
        );
    if raise.clicked() {
        action = Some(ReviewNoteAction::Raise(text));
    }
    if let Some(action) = action {
        wb.review_note(action);
    }
}

/// One note with its answers; the answer and clear controls while open.
fn thread(
    wb: &mut Workbench,
    ui: &mut Ui,
    note: &ReviewNote,
    palette: &Palette,
) -> Option<ReviewNoteAction> {
    let color = if note.is_open() {
        palette.fail
    } else {
        palette.muted
    };
    let mut action = None;
    egui::Frame::new()
        .stroke(egui::Stroke::new(1.0, color))
        .inner_margin(6.0)
        .corner_radius(3.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                let state = if note.is_open() { "Open" } else { "Cleared" };
                widgets::chip(ui, state, color, palette);
                ui.label(RichText::new(note.label()).strong());
                ui.label(
                    RichText::new(format!(
                        "raised by {} on {}",
                        name(&note.raised_by),
                        widgets::time(&note.raised_at)
                    ))
                    .small(),
                );
            });
            ui.label(&note.text);
            for answer in &note.answers {
                ui.indent(("answer", answer.event), |ui| {
                    ui.label(
                        RichText::new(format!(
                            "Answer by {} on {}",
                            name(&answer.by),
                            widgets::time(&answer.at)
                        ))
                        .small()
                        .weak(),
                    );
                    ui.label(&answer.text);
                });
            }
            match &note.cleared {
                Some(cleared) => {
                    let remark = if cleared.text.is_empty() {
                        String::new()
                    } else {
                        format!(": \"{}\"", cleared.text)
                    };
                    ui.label(
                        RichText::new(format!(
                            "Cleared by {} on {}{remark}",
                            name(&cleared.by),
                            widgets::time(&cleared.at)
                        ))
                        .small()
                        .color(palette.signed),
                    );
                }
                None => action = reply_form(wb, ui, note),
            }
        });
    action
}

/// The answer / clear form of an open note.
fn reply_form(wb: &mut Workbench, ui: &mut Ui, note: &ReviewNote) -> Option<ReviewNoteAction> {
    let label = ui.label(RichText::new(format!("Reply to {}", note.label())).small());
    let reply = wb.review_note_replies.entry(note.id).or_default();
    ui.add(
        egui::TextEdit::multiline(reply)
            .hint_text("Answer (preparer), or a closing remark (reviewer)")
            .desired_rows(1)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    let text = reply.trim().to_owned();
    let mut action = None;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!text.is_empty(), egui::Button::new("Answer"))
            .on_hover_text("The preparer answers the point raised")
            .clicked()
        {
            action = Some(ReviewNoteAction::Answer(note.id, text.clone()));
        }
        if ui
            .button(format!("Clear {}", note.label()))
            .on_hover_text("The reviewer settles the note (with the remark, if one is typed)")
            .clicked()
        {
            action = Some(ReviewNoteAction::Clear(note.id, text.clone()));
        }
    });
    action
}

fn name(person: &Person) -> String {
    person
        .name
        .clone()
        .unwrap_or_else(|| person.os_user.clone())
}
