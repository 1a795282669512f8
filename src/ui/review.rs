//! The review pane (right): the conclusion, the note (Markdown, with a
//! preview), attachments, the sign-off with its stale marker, and the
//! requirement's history.

use egui::{RichText, Ui};

use super::app::{Workbench, default_statement};
use super::dialogs::Dialog;
use super::drafts::worksheet_field;
use super::keyboard;
use super::markdown;
use super::theme::Palette;
use super::thumbnails::{ThumbnailState, is_thumbnailable};
use super::widgets;
use super::worker::{DiffRequest, PickPurpose, Task};
use crate::checks::CheckStatus;
use crate::store::{
    AttachmentMeta, CompensatingControl, CustomizedApproach, Finding, Method, ReviewInput, SignOff,
    SignOffState, sign_off_gaps,
};

/// Shows the panel.
pub fn show(wb: &mut Workbench, ui: &mut Ui) {
    // Gives way in a narrow window, as the tree does.
    let window = ui.ctx().content_rect().width();
    let widest = (window * 0.3).clamp(290.0, 620.0);
    let narrow = window < super::app::NARROW_WINDOW;
    egui::Panel::right(("tickmark-review", narrow))
        .resizable(true)
        .default_size(if narrow { 300.0 } else { 380.0 })
        .size_range(290.0..=widest)
        .show(ui, |ui| {
            // Keep the panel's width while there is nothing to show.
            ui.set_min_width(ui.available_width());
            let Some(id) = wb.selected.clone() else {
                return;
            };
            if wb.loaded.is_none() {
                return;
            }
            egui::ScrollArea::vertical()
                .id_salt("tickmark-review-scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    ui.add_space(6.0);
                    ui.label(RichText::new(format!("Review of {id}")).size(16.0).strong());
                    reviewer_line(wb, ui);
                    conclusion(wb, ui, &id);
                    note(wb, ui, &id);
                    attachments(wb, ui, &id);
                    sign_off(wb, ui, &id);
                    super::review_notes::reviewer_sign_off(wb, ui, &id);
                    super::review_notes::review_notes(wb, ui, &id);
                    history(wb, ui, &id);
                });
        });
}

fn reviewer_line(wb: &mut Workbench, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        match wb.profile() {
            Some(profile) => {
                ui.label(
                    RichText::new(format!(
                        "Reviewing as {} ({})",
                        profile.name,
                        profile.role.label()
                    ))
                    .weak(),
                );
            }
            None => {
                ui.label(RichText::new("No reviewer profile chosen").color(Palette::of(ui).stale));
            }
        }
        if ui.small_button("Profiles…").clicked() {
            wb.dialog = Some(Dialog::profiles());
        }
    });
}

fn conclusion(wb: &mut Workbench, ui: &mut Ui, id: &str) {
    let palette = Palette::of(ui);
    widgets::section(ui, "Finding");
    let typed = wb.review_as_typed(id);
    let current = wb
        .requirement_state(id)
        .and_then(|s| s.review.as_ref())
        .and_then(|r| r.finding);
    let mut chosen: Option<Finding> = None;
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        for (i, f) in Finding::ALL.iter().enumerate() {
            let selected = current == Some(*f);
            let mut text = RichText::new(f.label());
            if selected {
                text = text.color(palette.on_chip).strong();
            }
            let mut button = egui::Button::new(text).selected(selected);
            if selected {
                button = button.fill(palette.finding(*f));
            }
            let allowed = typed.method.is_defined() || f.allows_other_methods();
            let hover = if allowed {
                format!("Shortcut: {}", i + 1)
            } else {
                format!(
                    "A requirement that is {} is not met by a {}: choose the defined approach first",
                    f.label(),
                    typed.method.label().to_lowercase()
                )
            };
            let hover = if selected {
                format!("{} is recorded; Clear finding… removes it", f.label())
            } else {
                hover
            };
            let response = ui
                .add_enabled(allowed, button)
                .on_hover_text(&hover)
                .on_disabled_hover_text(&hover);
            // Choosing the recorded finding again changes nothing.
            if response.clicked() && !selected {
                chosen = Some(*f);
            }
        }
    });
    method(wb, ui, &typed);
    let recorded = wb.requirement_state(id).and_then(|s| s.review.clone());
    ui.horizontal_wrapped(|ui| {
        if let Some(review) = &recorded {
            let who = review
                .reviewer
                .name
                .as_deref()
                .unwrap_or(&review.reviewer.os_user);
            let text = if review.finding.is_some() {
                format!(
                    "Recorded by {who} on {}",
                    widgets::time(&review.reviewed_at)
                )
            } else {
                format!(
                    "No finding recorded; last change by {who} on {}",
                    widgets::time(&review.reviewed_at)
                )
            };
            ui.label(RichText::new(text).small().weak());
        }
        if current.is_some()
            && ui
                .small_button("Clear finding…")
                .on_hover_text("Remove the recorded finding (0); asks first")
                .clicked()
        {
            wb.dialog = Some(Dialog::ClearFinding {
                requirement: id.to_owned(),
            });
        }
    });
    if let Some(finding) = chosen {
        wb.set_finding(finding);
    }
    worksheet(wb, ui, id, &typed);
}

/// The method: the defined approach, a compensating control or (in v4.x)
/// the customized approach.
fn method(wb: &mut Workbench, ui: &mut Ui, typed: &ReviewInput) {
    let customized = wb.catalog.customized_approach;
    let mut chosen = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Method").small().strong());
        for m in Method::ALL {
            if *m == Method::Customized && !customized && typed.method != Method::Customized {
                continue;
            }
            let allowed = m.is_defined() || typed.finding.is_none_or(|f| f.allows_other_methods());
            let hover = match m {
                Method::Defined => "The requirement as written",
                Method::Compensating => {
                    "Another control meets the requirement's intent; fill in the compensating controls worksheet (Appendix C)"
                }
                Method::Customized => {
                    "The entity's own control meets the requirement's objective; document it (Appendices D and E)"
                }
            };
            let response = ui
                .add_enabled(allowed, egui::RadioButton::new(typed.method == *m, m.label()))
                .on_hover_text(hover)
                .on_disabled_hover_text("Not Applicable and Not Tested go with the defined approach only");
            if response.clicked() && typed.method != *m {
                chosen = Some(*m);
            }
        }
    });
    if let Some(m) = chosen {
        wb.set_method(m);
    }
}

/// The compensating controls worksheet or the customized approach's
/// documentation: one field per part, saved like the note.
fn worksheet(wb: &mut Workbench, ui: &mut Ui, id: &str, typed: &ReviewInput) {
    let Some(assessment) = wb.assessment().map(|a| a.id) else {
        return;
    };
    let (kind, title, fields): (&str, &str, Vec<(&str, &str, String)>) = match typed.method {
        Method::Defined => return,
        Method::Compensating => {
            let w = typed.compensating.clone().unwrap_or_default();
            (
                "compensating",
                "Compensating controls worksheet (Appendix C)",
                w.fields()
                    .iter()
                    .map(|(key, label, text)| (*key, *label, (*text).to_owned()))
                    .collect(),
            )
        }
        Method::Customized => {
            let w = typed.customized.clone().unwrap_or_default();
            (
                "customized",
                "Customized approach (Appendices D and E)",
                w.fields()
                    .iter()
                    .map(|(key, label, text)| (*key, *label, (*text).to_owned()))
                    .collect(),
            )
        }
    };
    let palette = Palette::of(ui);
    let filled = fields.iter().filter(|f| !f.2.trim().is_empty()).count();
    egui::CollapsingHeader::new(
        RichText::new(format!("{title} · {filled} of {} filled", fields.len())).strong(),
    )
    .id_salt(("worksheet", kind))
    .default_open(true)
    .show(ui, |ui| {
        for (key, label, text) in fields {
            let prompt = match kind {
                "compensating" => CompensatingControl::prompt(key),
                _ => CustomizedApproach::prompt(key),
            };
            let field = worksheet_field(kind, key);
            let heading = ui.label(RichText::new(label).small().strong().color(
                if text.trim().is_empty() {
                    palette.stale
                } else {
                    ui.visuals().text_color()
                },
            ));
            let mut value = text;
            let response = ui
                .add(
                    egui::TextEdit::multiline(&mut value)
                        .id(egui::Id::unique(("tickmark-worksheet", kind, key)))
                        .hint_text(prompt)
                        .desired_rows(2)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(heading.id);
            if response.changed() {
                wb.begin_typing(assessment, id);
                wb.drafts.set_field(assessment, id, &field, value);
            }
        }
    });
}

fn note(wb: &mut Workbench, ui: &mut Ui, id: &str) {
    let palette = Palette::of(ui);
    let Some(assessment) = wb.assessment().map(|a| a.id) else {
        return;
    };
    widgets::section(ui, "Note");
    let saved = wb
        .requirement_state(id)
        .and_then(|s| s.review.as_ref())
        .map(|r| r.note.clone())
        .unwrap_or_default();
    let mut text = wb.note_text(id);
    let unsaved = text != saved;
    let label = ui
        .horizontal(|ui| {
            let label = ui.label("Note (Markdown)");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.selectable_value(&mut wb.note_preview, true, "Preview");
                ui.selectable_value(&mut wb.note_preview, false, "Edit");
            });
            label
        })
        .inner;
    if wb.note_preview {
        egui::Frame::new()
            .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
            .inner_margin(6.0)
            .corner_radius(3.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                if text.trim().is_empty() {
                    ui.label(RichText::new("(no note)").weak());
                } else {
                    markdown::show(ui, &text, &palette);
                }
            });
    } else {
        let edit = egui::TextEdit::multiline(&mut text)
            .id(keyboard::note_editor_id())
            .hint_text("What did you examine, and what did you find?")
            .desired_rows(6)
            .desired_width(f32::INFINITY);
        let response = ui.add(edit).labelled_by(label.id);
        if response.changed() {
            wb.begin_typing(assessment, id);
            wb.drafts.set(assessment, id, text.clone());
        }
    }
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(unsaved, egui::Button::new("Save note"))
            .on_hover_text("Ctrl+S: record the note (and worksheet) in the review record")
            .clicked()
        {
            wb.save_note(id);
        }
        if unsaved {
            let since = wb
                .drafts
                .typed_at(assessment, id)
                .map(|at| format!(", typed {}", widgets::time(&at)))
                .unwrap_or_default();
            let file = crate::evidence::display_path(wb.drafts_file());
            ui.label(
                RichText::new(format!("Draft, not in the record{since}"))
                    .color(palette.stale)
                    .small(),
            )
            .on_hover_text(format!(
                "Kept on this computer in {file} (it survives closing or a crash), outside \
                 the record's history, until you save or discard it"
            ));
            if ui
                .small_button("Discard draft")
                .on_hover_text("Throw the draft away and go back to the saved note")
                .clicked()
            {
                wb.drafts.discard(assessment, id);
            }
        }
    });
}

fn attachments(wb: &mut Workbench, ui: &mut Ui, id: &str) {
    let palette = Palette::of(ui);
    let list: Vec<AttachmentMeta> = wb
        .requirement_state(id)
        .map(|s| s.attachments.clone())
        .unwrap_or_default();
    let current = list.iter().filter(|a| a.withdrawn.is_none()).count();
    widgets::section(ui, &format!("Attachments ({current})"));
    for attachment in &list {
        ui.push_id(attachment.id, |ui| {
            attachment_card(wb, ui, id, attachment, &palette)
        });
    }
    ui.horizontal(|ui| {
        if ui
            .button("Add attachment…")
            .on_hover_text("Choose a file (or drop files onto the window)")
            .clicked()
        {
            wb.start_job(super::worker::Job::Pick(PickPurpose::Attach {
                requirement: id.to_owned(),
            }));
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("File path");
        // Right to left: the button takes its width, the field the rest.
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let path = wb.attach_path.trim().to_owned();
            let clicked = ui
                .add_enabled(!path.is_empty(), egui::Button::new("Attach"))
                .clicked();
            let edit = egui::TextEdit::singleline(&mut wb.attach_path)
                .hint_text("/path/to/document.pdf")
                .desired_width(ui.available_width());
            let response = ui.add(edit).labelled_by(label.id);
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (clicked || enter) && !path.is_empty() {
                wb.attach(id, super::widgets::typed_path(&path));
                wb.attach_path.clear();
            }
        });
    });
}

fn attachment_card(
    wb: &mut Workbench,
    ui: &mut Ui,
    requirement: &str,
    attachment: &AttachmentMeta,
    palette: &Palette,
) {
    let withdrawn = attachment.withdrawn.is_some();
    egui::Frame::group(ui.style())
        .inner_margin(6.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                let name = RichText::new(&attachment.file_name).strong();
                ui.label(if withdrawn {
                    name.strikethrough().weak()
                } else {
                    name
                });
                ui.label(
                    RichText::new(widgets::bytes(attachment.size))
                        .small()
                        .weak(),
                );
            });
            ui.label(
                RichText::new(format!(
                    "{} · added by {} on {}",
                    attachment.media_type,
                    attachment
                        .added_by
                        .name
                        .as_deref()
                        .unwrap_or(&attachment.added_by.os_user),
                    widgets::time(&attachment.added_at)
                ))
                .small()
                .weak(),
            );
            if let Some(w) = &attachment.withdrawn {
                ui.label(
                    RichText::new(format!(
                        "Withdrawn on {}: {}",
                        widgets::time(&w.at),
                        w.reason
                    ))
                    .small()
                    .color(palette.stale),
                );
            }
            if !withdrawn && is_thumbnailable(&attachment.media_type) {
                thumbnail(wb, ui, attachment);
            }
            ui.horizontal(|ui| {
                if ui
                    .small_button("Open")
                    .on_hover_text("Open with the system's viewer")
                    .clicked()
                {
                    wb.worker.submit(Task::Open {
                        attachment: attachment.id,
                        file_name: attachment.file_name.clone(),
                    });
                }
                let markdown = attachment.media_type == "text/markdown";
                if (markdown || attachment.media_type.starts_with("text/"))
                    && ui
                        .small_button("Read")
                        .on_hover_text("Show the document here")
                        .clicked()
                {
                    wb.worker.submit(Task::Document {
                        attachment: attachment.id,
                        file_name: attachment.file_name.clone(),
                        markdown,
                    });
                }
                if !withdrawn && ui.small_button("Withdraw…").clicked() {
                    wb.dialog = Some(Dialog::withdraw(requirement, attachment));
                }
            });
        });
}

fn thumbnail(wb: &mut Workbench, ui: &mut Ui, attachment: &AttachmentMeta) {
    let (state, request) = wb.thumbnails.get(&attachment.sha256);
    let shown = match state {
        Some(ThumbnailState::Ready(texture)) => {
            let size = texture.size_vec2();
            let scale = (ui.available_width() / size.x).min(1.0);
            ui.add(
                egui::Image::new((texture.id(), size * scale))
                    .alt_text(format!("Thumbnail of {}", attachment.file_name)),
            );
            true
        }
        Some(ThumbnailState::Failed(message)) => {
            ui.label(
                RichText::new(format!("No preview: {message}"))
                    .small()
                    .weak(),
            );
            true
        }
        _ => false,
    };
    if !shown {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("Making a preview…").small().weak());
        });
    }
    if request {
        wb.worker.submit(Task::Thumbnail {
            sha256: attachment.sha256.clone(),
        });
    }
}

fn sign_off(wb: &mut Workbench, ui: &mut Ui, id: &str) {
    let palette = Palette::of(ui);
    widgets::section(ui, "Preparer sign-off");
    let (state, sign_offs) = match wb.requirement_state(id) {
        Some(s) => (s.sign_off_state, s.sign_offs.clone()),
        None => (SignOffState::None, Vec::new()),
    };
    let gaps = sign_off_gaps(&wb.review_as_typed(id), &failing_checks(wb, id));
    match (state, sign_offs.last()) {
        (SignOffState::Current, Some(latest)) => {
            ui.horizontal_wrapped(|ui| {
                widgets::chip(ui, "Signed off", palette.signed, &palette);
                signature_chip(ui, latest, &palette);
                ui.label(signer(latest));
            });
            statement(ui, latest);
        }
        (SignOffState::Stale, Some(latest)) => {
            egui::Frame::new()
                .stroke(egui::Stroke::new(1.5, palette.stale))
                .inner_margin(6.0)
                .corner_radius(3.0)
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.horizontal_wrapped(|ui| {
                        widgets::chip(ui, "Stale sign-off", palette.stale, &palette);
                        signature_chip(ui, latest, &palette);
                        ui.label(signer(latest));
                    });
                    statement(ui, latest);
                    ui.label(format!(
                        "Changed since it was signed: {}. Review the changes and sign off again.",
                        latest.stale_reasons.join(", ")
                    ));
                    if ui
                        .button("See what changed…")
                        .on_hover_text(
                            "The note, finding, check results and evidence as signed, against now",
                        )
                        .clicked()
                        && let Some(assessment) = wb.assessment().map(|a| a.id)
                    {
                        wb.open_diff(
                            DiffRequest::SignOff {
                                assessment,
                                requirement: id.to_owned(),
                                sign_off: latest.id,
                            },
                            format!("What changed in {id} since it was signed off"),
                            ("As signed", "Now"),
                        );
                    }
                });
        }
        _ => {
            ui.label(RichText::new("Not signed off.").weak());
        }
    }
    let label = ui.label("Statement");
    let edit = egui::TextEdit::multiline(&mut wb.statement)
        .hint_text(default_statement(id))
        .desired_rows(2)
        .desired_width(f32::INFINITY);
    ui.add(edit).labelled_by(label.id);
    if !gaps.is_empty() {
        egui::Frame::new()
            .stroke(egui::Stroke::new(1.0, palette.stale))
            .inner_margin(6.0)
            .corner_radius(3.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    RichText::new("Before signing off:")
                        .strong()
                        .color(palette.stale),
                );
                for gap in &gaps {
                    ui.label(RichText::new(format!("• {}", capitalised(gap))).color(palette.stale));
                }
            });
    }
    let profile = wb.profile().cloned();
    wb.signing.ui(ui, profile.as_ref(), "sign-off");
    let missing = wb.signing.missing(profile.as_ref());
    // The record refuses a second sign-off of what is signed already.
    let signed = state == SignOffState::Current;
    let can_sign = !signed && gaps.is_empty() && profile.is_some() && missing.is_none();
    let hover = if signed {
        "Signed off already; it can be signed again once anything it covers changes".to_owned()
    } else if !gaps.is_empty() {
        capitalised(&gaps.join("; "))
    } else if profile.is_none() {
        "Choose a reviewer profile first".to_owned()
    } else if let Some(missing) = missing {
        missing.to_owned()
    } else {
        "Bind your statement to the evidence, results, finding, method, worksheet, note and attachments as they are now".to_owned()
    };
    let button = ui
        .add_enabled(
            can_sign,
            egui::Button::new(RichText::new("Sign off").strong()),
        )
        .on_hover_text(&hover)
        .on_disabled_hover_text(&hover);
    if button.clicked() {
        wb.sign_off();
    }
    if sign_offs.len() > 1 {
        egui::CollapsingHeader::new(format!("Earlier sign-offs ({})", sign_offs.len() - 1))
            .id_salt(("earlier-sign-offs", id))
            .show(ui, |ui| {
                for s in sign_offs.iter().rev().skip(1) {
                    ui.label(
                        RichText::new(format!(
                            "{}{}, {}",
                            signer(s),
                            if s.stale { " (stale)" } else { "" },
                            s.signature_label()
                        ))
                        .small(),
                    );
                    ui.label(RichText::new(format!("\"{}\"", s.statement)).small().weak());
                }
            });
    }
}

/// The checks of `id` that fail in the loaded run.
fn failing_checks(wb: &Workbench, id: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let results = wb
        .loaded
        .as_ref()
        .map(|l| super::model::results_of(l, id))
        .unwrap_or_default();
    for (_, check) in results {
        if check.status == CheckStatus::Fail && !out.contains(&check.check) {
            out.push(check.check.clone());
        }
    }
    out
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `Signed` (with the key on hover) or `Unsigned`.
pub(super) fn signature_chip(ui: &mut Ui, sign_off: &SignOff, palette: &Palette) {
    match &sign_off.signature {
        Some(signature) => {
            widgets::chip(ui, "Signed", palette.signed, palette).on_hover_text(format!(
                "SSH signature with key {}; anyone can check it with ssh-keygen from an export of the signatures",
                signature.key_fingerprint
            ));
        }
        None => {
            widgets::chip(ui, "Unsigned", palette.muted, palette).on_hover_text(
                "Recorded by a profile without a signing key (or before Tickmark signed): nothing proves who made it",
            );
        }
    }
}

pub(super) fn statement(ui: &mut Ui, sign_off: &SignOff) {
    ui.label(
        RichText::new(format!("\"{}\"", sign_off.statement))
            .small()
            .italics(),
    );
}

pub(super) fn signer(sign_off: &SignOff) -> String {
    format!(
        "by {} ({}) on {}",
        sign_off
            .signer
            .name
            .as_deref()
            .unwrap_or(&sign_off.signer.os_user),
        sign_off.role.label(),
        widgets::time(&sign_off.signed_at)
    )
}

fn history(wb: &mut Workbench, ui: &mut Ui, id: &str) {
    widgets::section(ui, "History");
    wb.request_history(id);
    let Some(entries) = wb.history.get(id) else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("Reading the history…").small().weak());
        });
        return;
    };
    if entries.is_empty() {
        ui.label(RichText::new("Nothing recorded yet.").weak());
        return;
    }
    let mut open = None;
    for entry in entries.iter().rev() {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(widgets::time(&entry.at))
                    .small()
                    .monospace()
                    .weak(),
            );
            ui.label(
                RichText::new(entry.actor.name.as_deref().unwrap_or(&entry.actor.os_user))
                    .small()
                    .strong(),
            );
        });
        let response = ui
            .add(
                egui::Label::new(RichText::new(&entry.summary).small()).sense(egui::Sense::click()),
            )
            .on_hover_text(format!(
                "Event #{} · {}\nHash {}\nClick to see what it changed",
                entry.seq, entry.kind, entry.hash
            ));
        if response.clicked() {
            open = Some(entry.clone());
        }
        ui.add_space(3.0);
    }
    if let (Some(entry), Some(assessment)) = (open, wb.assessment().map(|a| a.id)) {
        wb.open_diff(
            DiffRequest::History {
                assessment,
                requirement: id.to_owned(),
                seq: entry.seq,
            },
            format!("{id}: what event #{} changed", entry.seq),
            ("Before", "After"),
        );
    }
}
