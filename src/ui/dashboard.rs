//! The dashboard: how far the review is, per family and overall, drawn
//! with the egui painter: per family three bars (concluded, signed off,
//! failing automated verdicts), and the spread of automated verdicts.

use egui::{Color32, FontId, Rect, RichText, Sense, Ui, Vec2};

use super::app::{Screen, Workbench};
use super::model::FamilyCounts;
use super::theme::Palette;
use crate::checks::VerdictStatus;
use crate::store::{Decision, VerdictCounts};

/// The height of a family's row in the chart.
const FAMILY_ROW: f32 = 40.0;

/// Shows the dashboard.
pub fn show(wb: &mut Workbench, ui: &mut Ui) {
    egui::CentralPanel::default().show(ui, |ui| {
        let Some((assessment, approval)) = wb
            .loaded
            .as_ref()
            .map(|l| (l.assessment.clone(), l.approval.current.clone()))
        else {
            ui.label("No assessment is open.");
            return;
        };
        let palette = Palette::of(ui);
        let counts = wb.view.family_counts(wb.catalog);
        let verdicts = VerdictCounts::of(
            wb.catalog
                .requirements()
                .filter_map(|r| wb.view.glance(&r.id).verdict)
                .collect::<Vec<_>>()
                .iter(),
        );
        egui::ScrollArea::vertical()
            .id_salt("tickmark-dashboard")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.add_space(6.0);
                ui.label(
                    RichText::new(format!("Progress of {}", assessment.name))
                        .size(19.0)
                        .strong(),
                );
                ui.label(
                    RichText::new(format!(
                        "Cluster {} · period {} to {} · {}",
                        assessment.cluster,
                        assessment.period_start,
                        assessment.period_end,
                        wb.catalog.name
                    ))
                    .weak(),
                );
                ui.add_space(8.0);
                summary(ui, &counts, approval.as_ref(), &palette);
                ui.add_space(10.0);
                ui.label(RichText::new("Automated verdicts").strong());
                verdict_bar(ui, &verdicts, &palette);
                ui.add_space(12.0);
                ui.label(RichText::new("Per family").strong());
                legend(ui, &palette);
                let mut open = None;
                for (family, c) in &counts {
                    let title = wb
                        .catalog
                        .get(family)
                        .map(|n| n.title.clone())
                        .unwrap_or_default();
                    if family_row(ui, family, &title, c, &palette).clicked() {
                        open = Some(family.clone());
                    }
                }
                if let Some(family) = open {
                    open_family(wb, &family);
                }
            });
    });
}

/// Goes to the review of a family's first requirement.
fn open_family(wb: &mut Workbench, family: &str) {
    let first = wb
        .visible_requirements()
        .into_iter()
        .find(|id| id.split('.').next() == Some(family));
    wb.collapsed.remove(family);
    if let Some(id) = first {
        wb.select(&id);
    }
    wb.screen = Screen::Review;
}

fn summary(
    ui: &mut Ui,
    counts: &[(String, FamilyCounts)],
    approval: Option<&crate::store::Approval>,
    palette: &Palette,
) {
    let sum = |f: fn(&FamilyCounts) -> usize| counts.iter().map(|(_, c)| f(c)).sum::<usize>();
    let total = sum(|c| c.total);
    let approval_text = match approval {
        None => ("Not decided".to_owned(), palette.muted),
        Some(a) if a.stale => ("Stale".to_owned(), palette.stale),
        Some(a) if a.decision == Decision::Approved => ("Approved".to_owned(), palette.pass),
        Some(_) => ("Sent back".to_owned(), palette.partial),
    };
    ui.horizontal_wrapped(|ui| {
        card(
            ui,
            "Concluded",
            &format!("{} / {total}", sum(|c| c.reviewed)),
            palette.ccw,
        );
        card(
            ui,
            "Signed off",
            &format!("{} / {total}", sum(|c| c.signed)),
            palette.signed,
        );
        card(
            ui,
            "Stale sign-offs",
            &sum(|c| c.stale).to_string(),
            palette.stale,
        );
        card(
            ui,
            "Failing verdicts",
            &sum(|c| c.failing).to_string(),
            palette.fail,
        );
        card(ui, "Approval", &approval_text.0, approval_text.1);
    });
}

fn card(ui: &mut Ui, title: &str, value: &str, color: Color32) {
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::symmetric(12, 8))
        .corner_radius(6.0)
        .show(ui, |ui| {
            ui.set_min_width(120.0);
            ui.vertical(|ui| {
                ui.label(RichText::new(title).small().weak());
                ui.label(RichText::new(value).size(20.0).strong().color(color));
            });
        });
}

fn verdict_bar(ui: &mut Ui, counts: &VerdictCounts, palette: &Palette) {
    let total = counts.total().max(1) as f32;
    let parts = [
        (VerdictStatus::Pass, counts.pass),
        (VerdictStatus::Fail, counts.fail),
        (VerdictStatus::Partial, counts.partial),
        (VerdictStatus::Supported, counts.supported),
        (VerdictStatus::NoEvidence, counts.no_evidence),
        (VerdictStatus::Manual, counts.manual),
    ];
    let width = ui.available_width().min(900.0);
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, 18.0), Sense::hover());
    let text = parts
        .iter()
        .map(|(v, n)| format!("{} {n}", v.label()))
        .collect::<Vec<_>>()
        .join(", ");
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &text));
    let painter = ui.painter();
    painter.rect_filled(rect, 4.0, ui.visuals().widgets.inactive.bg_fill);
    let mut x = rect.left();
    for (verdict, n) in parts {
        let w = rect.width() * n as f32 / total;
        if w > 0.0 {
            painter.rect_filled(
                Rect::from_min_size(egui::pos2(x, rect.top()), Vec2::new(w, rect.height())),
                0.0,
                palette.verdict(Some(verdict)),
            );
        }
        x += w;
    }
    ui.horizontal_wrapped(|ui| {
        for (verdict, n) in parts {
            swatch(ui, palette.verdict(Some(verdict)));
            ui.label(RichText::new(format!("{} {n}", verdict.label())).small());
        }
    });
}

fn swatch(ui: &mut Ui, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(10.0), Sense::hover());
    ui.painter().rect_filled(rect, 2.0, color);
}

fn legend(ui: &mut Ui, palette: &Palette) {
    ui.horizontal(|ui| {
        swatch(ui, palette.ccw);
        ui.label(RichText::new("concluded").small());
        swatch(ui, palette.signed);
        ui.label(RichText::new("signed off").small());
        swatch(ui, palette.fail);
        ui.label(RichText::new("automated verdict fail").small());
        ui.label(
            RichText::new("(click a family to review it)")
                .small()
                .weak(),
        );
    });
}

fn family_row(
    ui: &mut Ui,
    family: &str,
    title: &str,
    c: &FamilyCounts,
    palette: &Palette,
) -> egui::Response {
    let width = ui.available_width().min(1100.0);
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, FAMILY_ROW), Sense::click());
    let label = format!(
        "Requirement {family}: {} of {} concluded, {} signed off, {} failing",
        c.reviewed, c.total, c.signed, c.failing
    );
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    if !ui.is_rect_visible(rect) {
        return response;
    }
    let painter = ui.painter();
    let visuals = ui.visuals();
    if response.hovered() {
        painter.rect_filled(rect, 4.0, visuals.widgets.hovered.weak_bg_fill);
    }
    let label_width = (rect.width() * 0.34).clamp(180.0, 340.0);
    let text_color = visuals.text_color();
    let id_galley = painter.layout_no_wrap(
        family.to_owned(),
        FontId::proportional(15.0),
        visuals.strong_text_color(),
    );
    painter.galley(
        egui::pos2(
            rect.left() + 6.0,
            rect.center().y - id_galley.size().y / 2.0,
        ),
        id_galley,
        text_color,
    );
    let mut job = egui::text::LayoutJob::single_section(
        title.to_owned(),
        egui::text::TextFormat::simple(FontId::proportional(12.5), text_color),
    );
    job.wrap = egui::text::TextWrapping {
        max_width: label_width - 40.0,
        max_rows: 2,
        break_anywhere: false,
        overflow_character: Some('…'),
    };
    let title_galley = painter.layout_job(job);
    painter.galley(
        egui::pos2(
            rect.left() + 34.0,
            rect.center().y - title_galley.size().y / 2.0,
        ),
        title_galley,
        text_color,
    );
    let numbers = format!(
        "{}/{} concluded · {} signed · {} failing",
        c.reviewed, c.total, c.signed, c.failing
    );
    let galley = painter.layout_no_wrap(
        numbers,
        FontId::proportional(11.5),
        visuals.weak_text_color(),
    );
    // Room for the widest counts (the same in every row, so the bars line
    // up), clear of a vertical scroll bar.
    let widest = painter.layout_no_wrap(
        "000/000 concluded · 000 signed · 000 failing".to_owned(),
        FontId::proportional(11.5),
        visuals.weak_text_color(),
    );
    let numbers_width = widest.size().x + 10.0 + ui.spacing().scroll.bar_width + 4.0;
    let track_left = rect.left() + label_width;
    let track_width = (rect.width() - label_width - numbers_width).max(60.0);
    let total = c.total.max(1) as f32;
    for (i, (value, color)) in [
        (c.reviewed, palette.ccw),
        (c.signed, palette.signed),
        (c.failing, palette.fail),
    ]
    .into_iter()
    .enumerate()
    {
        let top = rect.top() + 7.0 + i as f32 * 9.5;
        let track = Rect::from_min_size(egui::pos2(track_left, top), Vec2::new(track_width, 7.0));
        painter.rect_filled(track, 3.0, visuals.widgets.inactive.bg_fill);
        let filled = Rect::from_min_size(
            track.min,
            Vec2::new(track_width * value as f32 / total, 7.0),
        );
        if value > 0 {
            painter.rect_filled(filled, 3.0, color);
        }
    }
    painter.galley(
        egui::pos2(
            track_left + track_width + 10.0,
            rect.center().y - galley.size().y / 2.0,
        ),
        galley,
        text_color,
    );
    response.on_hover_text(format!("Review requirement {family}"))
}
