//! The status bar (bottom): running jobs with progress and cancel, the
//! latest messages (errors stay until dismissed), and what is open. Also the
//! screen shown while the record is read or the sample is created.

use std::sync::atomic::Ordering;

use egui::{RichText, Ui};

use super::app::{Phase, Workbench};
use super::theme::Palette;

/// Shows the bar.
pub fn show(wb: &mut Workbench, ui: &mut Ui) {
    let bar = egui::Panel::bottom("tickmark-status").show(ui, |ui| {
        ui.add_space(2.0);
        jobs(wb, ui);
        messages(wb, ui);
        ui.horizontal(|ui| {
            let record = crate::evidence::display_path(wb.worker.db_path());
            let mut text = format!("Review record: {record}");
            if let Some(loaded) = &wb.loaded {
                let files = loaded
                    .files
                    .iter()
                    .filter(|f| f.superseded_by.is_none())
                    .count();
                text.push_str(&format!(" · {files} evidence file(s)"));
                match &loaded.run {
                    Some(run) => text.push_str(&format!(
                        " · {}",
                        super::widgets::run_text(loaded.run_count, &run.at)
                    )),
                    None => text.push_str(" · not evaluated yet"),
                }
            }
            ui.label(RichText::new(text).small().weak());
            if wb.worker.has_pending_tasks() || wb.loading.is_some() {
                ui.spinner();
            }
        });
        ui.add_space(1.0);
    });
    lay_out_again_when_resized(ui, bar.response.rect.height());
}

/// A bottom panel is placed with last frame's height: when a message or a
/// job row comes or goes, this frame's bar would leave an unpainted band
/// under it (or overlap the panels above) until something else repaints.
fn lay_out_again_when_resized(ui: &Ui, height: f32) {
    let id = egui::Id::unique("tickmark-status-height");
    let before: Option<f32> = ui.data_mut(|d| {
        let before = d.get_temp(id);
        d.insert_temp(id, height);
        before
    });
    if before.is_some_and(|before| (before - height).abs() > 0.5) {
        ui.ctx().request_discard("the status bar changed height");
    }
}

fn jobs(wb: &mut Workbench, ui: &mut Ui) {
    for job in &wb.jobs {
        ui.horizontal(|ui| {
            ui.label(&job.label);
            let fraction = if job.total > 0 {
                job.done as f32 / job.total as f32
            } else {
                0.0
            };
            let text = if job.total > 0 {
                format!("{} / {}  {}", job.done, job.total, job.current)
            } else {
                job.current.clone()
            };
            let bar = egui::ProgressBar::new(fraction)
                .desired_width(360.0)
                .text(text)
                .animate(job.total == 0);
            ui.add(bar);
            if job.cancellable {
                let cancelling = job.cancel.load(Ordering::Relaxed);
                let label = if cancelling {
                    "Cancelling…"
                } else {
                    "Cancel"
                };
                if ui
                    .add_enabled(!cancelling, egui::Button::new(label))
                    .clicked()
                {
                    job.cancel.store(true, Ordering::Relaxed);
                }
            }
        });
    }
}

/// How many lines of a message the status bar shows.
const MESSAGE_LINES: usize = 8;

/// The first `max` lines of `text` (with a line saying how many more), and
/// whether any were left out.
fn first_lines(text: &str, max: usize) -> (String, bool) {
    let total = text.lines().count();
    if total <= max {
        return (text.to_owned(), false);
    }
    let mut kept: Vec<&str> = text.lines().take(max).collect();
    let more = format!("… {} more line(s): hover to read them all", total - max);
    kept.push(&more);
    (kept.join("\n"), true)
}

fn messages(wb: &mut Workbench, ui: &mut Ui) {
    let palette = Palette::of(ui);
    let mut dismiss = None;
    let shown = wb.messages.len().saturating_sub(3);
    for (i, message) in wb.messages.iter().enumerate().skip(shown) {
        // The text wraps at the window's edge and shows its first lines;
        // all of it is on hover.
        let (shown_text, cut) = first_lines(&message.text, MESSAGE_LINES);
        ui.horizontal_top(|ui| {
            let text = if message.error {
                ui.label(RichText::new("Error").strong().color(palette.fail));
                if ui.small_button("Dismiss").clicked() {
                    dismiss = Some(i);
                }
                RichText::new(shown_text).color(palette.fail)
            } else {
                RichText::new(shown_text)
            };
            let label = ui.add(egui::Label::new(text).wrap());
            if cut {
                label.on_hover_text(&message.text);
            }
        });
    }
    if let Some(i) = dismiss {
        wb.messages.remove(i);
    }
    if wb.import_report.is_some() && ui.small_button("Show the import report").clicked() {
        wb.dialog = Some(super::dialogs::Dialog::ImportReport);
    }
}

/// What shows instead of the panels before the record is ready; true when
/// the user asks to open another record.
pub fn start_screen(ui: &mut Ui, phase: &Phase) -> bool {
    let mut open_another = false;
    egui::CentralPanel::default().show(ui, |ui| {
        ui.add_space(80.0);
        ui.vertical_centered(|ui| match phase {
            Phase::Starting => {
                ui.spinner();
                ui.label("Reading the review record…");
            }
            Phase::Seeding => {
                ui.spinner();
                ui.label(RichText::new("Creating the sample assessment").size(17.0).strong());
                ui.label("A fictional regulated AKS cluster with a review in progress, so you can see a full review at once.");
            }
            Phase::Unusable(message) => {
                ui.label(RichText::new("The review record cannot be opened").size(18.0).strong());
                ui.label(message);
                ui.add_space(8.0);
                open_another = ui.button("Open another record…").clicked();
            }
            Phase::Ready => {}
        });
    });
    open_another
}

#[cfg(test)]
mod tests {
    use super::first_lines;

    #[test]
    fn a_long_message_shows_its_first_lines_and_says_how_many_more() {
        let text = (1..=12)
            .map(|n| format!("line {n}"))
            .collect::<Vec<_>>()
            .join("\n");
        let (shown, cut) = first_lines(&text, 8);
        assert!(cut);
        assert_eq!(shown.lines().count(), 9);
        assert!(shown.starts_with("line 1\n"));
        assert!(shown.ends_with("… 4 more line(s): hover to read them all"));
        assert_eq!(first_lines("short", 8), ("short".to_owned(), false));
    }
}
