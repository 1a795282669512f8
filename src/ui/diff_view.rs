//! What changed for a requirement between two moments, shown in a dialog:
//! for a stale sign-off (as signed → now), a history entry (before → after
//! the event) and a comparison row (earlier → later assessment). The note
//! and worksheet as a word diff, each fact and check result then and now,
//! and each cited place in the evidence with the snippet of the file then
//! and of the file now.

use egui::text::{LayoutJob, TextFormat};
use egui::{FontId, RichText, Stroke, Ui};

use super::app::Workbench;
use super::snippet::SnippetKey;
use super::theme::Palette;
use super::worker::{DiffRequest, Task};
use crate::checks::{CheckResult, CheckStatus};
use crate::store::{DiffPart, EvidenceChange, RequirementDiff, ResultChange, text_diff};

/// A diff being shown: what was asked and, once the worker answers, what
/// changed.
#[derive(Debug, Clone)]
pub struct DiffDialog {
    /// Which moments.
    pub request: DiffRequest,
    /// The dialog's title.
    pub title: String,
    /// What the two moments are called (`As signed`, `Now`).
    pub labels: (String, String),
    /// The answer.
    pub result: Option<Result<Box<RequirementDiff>, String>>,
    /// Show unchanged results and evidence too.
    pub show_all: bool,
}

impl Workbench {
    /// Opens the diff dialog and asks the worker for the differences.
    pub(super) fn open_diff(&mut self, request: DiffRequest, title: String, labels: (&str, &str)) {
        self.worker.submit(Task::Diff(request.clone()));
        self.dialog = Some(super::dialogs::Dialog::Diff(Box::new(DiffDialog {
            request,
            title,
            labels: (labels.0.to_owned(), labels.1.to_owned()),
            result: None,
            show_all: false,
        })));
    }
}

/// The dialog's content.
pub fn show(wb: &mut Workbench, ui: &mut Ui, dialog: &mut DiffDialog) {
    let palette = Palette::of(ui);
    let diff = match &dialog.result {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Working out what changed…");
            });
            return;
        }
        Some(Err(message)) => {
            ui.label(RichText::new(message).color(palette.fail));
            return;
        }
        Some(Ok(diff)) => diff.clone(),
    };
    if !diff.changed() {
        ui.label(RichText::new("Nothing differs between the two.").strong());
    }
    ui.checkbox(&mut dialog.show_all, "Show what stayed the same too");
    let (before, after) = (dialog.labels.0.as_str(), dialog.labels.1.as_str());
    // A fixed height: the dialog is centred by its size, and a height that
    // followed the content would move the dialog as snippets are read.
    let height = (ui.ctx().content_rect().height() * 0.62).max(180.0);
    egui::ScrollArea::vertical()
        .id_salt("diff-scroll")
        .min_scrolled_height(height)
        .max_height(height)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            facts(ui, &diff, (before, after), &palette);
            text_section(ui, "Note", &diff.note.from, &diff.note.to, &palette);
            if !diff.worksheet.from.is_empty() || !diff.worksheet.to.is_empty() {
                text_section(
                    ui,
                    "Worksheet",
                    &diff.worksheet.from,
                    &diff.worksheet.to,
                    &palette,
                );
            }
            results(ui, &diff.results, dialog.show_all, &palette);
            evidence(
                wb,
                ui,
                &diff.evidence,
                (before, after),
                dialog.show_all,
                &palette,
            );
        });
}

fn facts(ui: &mut Ui, diff: &RequirementDiff, (before, after): (&str, &str), palette: &Palette) {
    egui::Grid::new("diff-facts")
        .num_columns(3)
        .spacing([16.0, 4.0])
        .striped(true)
        .show(ui, |ui| {
            ui.label(RichText::new("").strong());
            ui.label(RichText::new(before).strong());
            ui.label(RichText::new(after).strong());
            ui.end_row();
            for fact in &diff.facts {
                let shown = |text: &str| {
                    if text.is_empty() {
                        "none".to_owned()
                    } else {
                        text.to_owned()
                    }
                };
                ui.label(&fact.what);
                if fact.changed() {
                    // Neutral colours: a change is not good or bad in itself
                    // (a verdict may go from Pass to Fail).
                    ui.label(RichText::new(shown(&fact.before)).strikethrough().weak());
                    ui.label(
                        RichText::new(shown(&fact.after))
                            .color(palette.partial)
                            .strong(),
                    );
                } else {
                    ui.label(RichText::new(shown(&fact.before)).weak());
                    ui.label(RichText::new(shown(&fact.after)).weak());
                }
                ui.end_row();
            }
        });
}

/// A text before and after as one word diff: removed words struck through
/// in red, added words underlined in green.
fn text_section(ui: &mut Ui, title: &str, before: &str, after: &str, palette: &Palette) {
    super::widgets::section(ui, title);
    if before == after {
        ui.label(RichText::new(format!("{title} unchanged")).weak());
        return;
    }
    let body = egui::TextStyle::Body.resolve(ui.style());
    let mut job = word_diff(
        before,
        after,
        body,
        ui.visuals().text_color(),
        palette,
        true,
    );
    job.wrap.max_width = ui.available_width();
    egui::Frame::new()
        .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
        .inner_margin(6.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(job).on_hover_text(
                "Struck through in red: only before. Underlined in green: only after.",
            );
        });
}

/// `before` and `after` as one text: removed words struck through in red,
/// added words underlined in green (`shaded`: on a tinted background).
pub(super) fn word_diff(
    before: &str,
    after: &str,
    font_id: FontId,
    color: egui::Color32,
    palette: &Palette,
    shaded: bool,
) -> LayoutJob {
    let tint = |c: egui::Color32| {
        if shaded {
            c.gamma_multiply(0.12)
        } else {
            egui::Color32::TRANSPARENT
        }
    };
    let removed = TextFormat {
        font_id: font_id.clone(),
        color: palette.fail,
        strikethrough: Stroke::new(1.0, palette.fail),
        background: tint(palette.fail),
        ..Default::default()
    };
    let added = TextFormat {
        font_id: font_id.clone(),
        color: palette.pass,
        underline: Stroke::new(1.0, palette.pass),
        background: tint(palette.pass),
        ..Default::default()
    };
    let same = TextFormat::simple(font_id, color);
    let mut job = LayoutJob::default();
    let parts = text_diff(before, after);
    for (at, part) in parts.iter().enumerate() {
        let (text, format) = match part {
            DiffPart::Same(text) => (text, &same),
            DiffPart::Removed(text) => (text, &removed),
            DiffPart::Added(text) => (text, &added),
        };
        job.append(text, 0.0, format.clone());
        // A text's last word has no space after it: keep a removed last
        // word apart from the added one that follows it.
        if matches!(part, DiffPart::Removed(_))
            && !text.ends_with(char::is_whitespace)
            && at + 1 < parts.len()
        {
            job.append(" ", 0.0, same.clone());
        }
    }
    job
}

fn status_text(result: &Option<CheckResult>) -> &'static str {
    match result.as_ref().map(|r| r.status) {
        Some(CheckStatus::Pass) => "Pass",
        Some(CheckStatus::Fail) => "Fail",
        Some(CheckStatus::NotEvaluated) => "Not evaluated",
        None => "no result",
    }
}

fn results(ui: &mut Ui, results: &[ResultChange], show_all: bool, palette: &Palette) {
    if results.is_empty() {
        super::widgets::section(ui, "Automated check results");
        ui.label(RichText::new("No automated check covers this requirement.").weak());
        return;
    }
    let changed = results.iter().filter(|r| r.changed()).count();
    super::widgets::section(
        ui,
        &format!(
            "Automated check results ({changed} of {} changed)",
            results.len()
        ),
    );
    for result in results.iter().filter(|r| show_all || r.changed()) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&result.check).monospace().strong());
            let (before, after) = (status_text(&result.before), status_text(&result.after));
            if before == after {
                ui.label(RichText::new(before).weak());
            } else {
                ui.label(
                    RichText::new(format!("{before} → {after}"))
                        .color(palette.partial)
                        .strong(),
                );
            }
        });
        let reason =
            |r: &Option<CheckResult>| r.as_ref().map_or(String::new(), |r| r.reason.clone());
        let (before, after) = (reason(&result.before), reason(&result.after));
        if before != after {
            let small = FontId::proportional(12.0);
            let weak = ui.visuals().weak_text_color();
            let mut job = word_diff(&before, &after, small, weak, palette, false);
            job.wrap.max_width = ui.available_width();
            ui.label(job);
        } else if show_all && !after.is_empty() {
            ui.label(RichText::new(after).small().weak());
        }
        ui.add_space(4.0);
    }
    if changed == 0 && !show_all {
        ui.label(RichText::new("No check result changed.").weak());
    }
}

fn evidence(
    wb: &mut Workbench,
    ui: &mut Ui,
    places: &[EvidenceChange],
    (before, after): (&str, &str),
    show_all: bool,
    palette: &Palette,
) {
    if places.is_empty() {
        super::widgets::section(ui, "Evidence cited");
        ui.label(RichText::new("No evidence file is cited, then or now.").weak());
        return;
    }
    let changed = places.iter().filter(|e| e.changed()).count();
    super::widgets::section(
        ui,
        &format!(
            "Evidence cited ({changed} of {} places changed)",
            places.len()
        ),
    );
    for (at, place) in places
        .iter()
        .filter(|e| show_all || e.changed())
        .enumerate()
        .take(40)
    {
        ui.push_id(("diff-evidence", at), |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(&place.path).monospace());
                let pointer = if place.pointer.is_empty() {
                    "(whole document)"
                } else {
                    place.pointer.as_str()
                };
                ui.label(RichText::new(pointer).monospace().color(palette.json.key));
            });
            let short = |sha: &Option<String>| {
                sha.as_deref().map_or_else(
                    || "not cited".to_owned(),
                    |s| format!("SHA-256 {}…", s.get(..12).unwrap_or(s)),
                )
            };
            ui.label(
                RichText::new(format!(
                    "{before}: {} · {after}: {}",
                    short(&place.before),
                    short(&place.after)
                ))
                .small()
                .color(if place.changed() {
                    palette.partial
                } else {
                    palette.muted
                }),
            );
            egui::CollapsingHeader::new("Snippets")
                .id_salt(("diff-snippets", &place.path, &place.pointer))
                .default_open(place.changed() && at < 3)
                .show(ui, |ui| {
                    for (label, sha) in [(before, &place.before), (after, &place.after)] {
                        ui.label(RichText::new(label).small().strong());
                        match sha.as_ref().filter(|s| !s.starts_with("unknown file")) {
                            Some(sha) => {
                                let key = SnippetKey {
                                    sha256: sha.clone(),
                                    path: place.path.clone(),
                                    pointer: place.pointer.clone(),
                                };
                                wb.request_snippet(&key);
                                super::detail::snippet(wb, ui, &key, palette);
                            }
                            None => {
                                ui.label(RichText::new("Not cited.").weak());
                            }
                        }
                    }
                });
            ui.add_space(4.0);
        });
    }
    if changed == 0 && !show_all {
        ui.label(RichText::new("The same evidence is cited, from the same files.").weak());
    }
}
