//! The dashboard: how far the review is, per family and overall, drawn
//! with the egui painter: per family three bars (concluded, signed off,
//! failing automated verdicts), and the spread of automated verdicts.

use egui::{Color32, FontId, Rect, RichText, Sense, Ui, Vec2};

use super::app::{Screen, Workbench};
use super::model::FamilyCounts;
use super::theme::Palette;
use crate::checks::VerdictStatus;
use crate::store::{Decision, Finding, Method, VerdictCounts};

/// The height of a family's row in the chart.
const FAMILY_ROW: f32 = 40.0;

/// The width of a Dashboard card, frame and margins included.
const CARD_WIDTH: f32 = 150.0;

/// A card's margin left and right of its text.
const CARD_MARGIN_X: f32 = 12.0;

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
                if let Some(prior) = wb.loaded.as_ref().and_then(|l| l.prior.as_ref()) {
                    ui.label(
                        RichText::new(format!(
                            "Started from \"{}\" ({}): its findings show beside the mapped requirements as the prior period",
                            prior.assessment.name, prior.assessment.catalog_id
                        ))
                        .weak(),
                    );
                }
                ui.add_space(8.0);
                if let Some(card) = summary(ui, &counts, approval.as_ref(), &palette) {
                    open_card(wb, card);
                }
                ui.add_space(6.0);
                findings_line(wb, ui, &palette);
                appendices(wb, ui, &palette);
                ui.add_space(10.0);
                ui.label(RichText::new("Automated verdicts").strong());
                verdict_bar(ui, &verdicts, &palette);
                failures_by_scope(wb, ui, &palette);
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

/// The failing resources of the latest run, in-scope ones apart from
/// out-of-scope ones (both fail; the scope says which the CDE depends on).
fn failures_by_scope(wb: &Workbench, ui: &mut Ui, palette: &Palette) {
    let Some(split) = wb
        .loaded
        .as_ref()
        .and_then(|l| l.scope.as_ref())
        .map(|s| s.failures.clone())
    else {
        return;
    };
    if split.iter().all(Vec::is_empty) {
        return;
    }
    ui.add_space(10.0);
    ui.label(RichText::new("Failing resources by PCI scope").strong());
    let labels = [
        ("In scope (CDE)", palette.fail),
        ("Connected", palette.partial),
        ("Out of scope", palette.muted),
        ("Scope not stated", palette.muted),
    ];
    for ((label, colour), failures) in labels.into_iter().zip(split.iter()) {
        if failures.is_empty() {
            continue;
        }
        egui::CollapsingHeader::new(
            RichText::new(format!("{label}: {} failing resource(s)", failures.len())).color(colour),
        )
        .id_salt(("failures-by-scope", label))
        .default_open(label.starts_with("In scope"))
        .show(ui, |ui| {
            for failure in failures {
                ui.label(format!("{} · {}", failure.check, failure.resource));
            }
        });
    }
}

/// How many requirements have each finding, by which method, and how far
/// the requirements new in v4.0 are.
fn findings_line(wb: &Workbench, ui: &mut Ui, palette: &Palette) {
    let mut by_finding = [0usize; 4];
    let (mut compensating, mut customized) = (0, 0);
    let (mut new_total, mut new_concluded) = (0, 0);
    for node in wb.catalog.requirements() {
        let conclusion = wb.view.glance(&node.id).conclusion;
        if node.new_in_v4 {
            new_total += 1;
            new_concluded += usize::from(conclusion.is_some());
        }
        let Some(c) = conclusion else {
            continue;
        };
        if let Some(at) = Finding::ALL.iter().position(|f| *f == c.finding) {
            by_finding[at] += 1;
        }
        match c.method {
            Method::Compensating => compensating += 1,
            Method::Customized => customized += 1,
            Method::Defined => {}
        }
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Findings:").strong());
        for (finding, n) in Finding::ALL.iter().zip(by_finding) {
            ui.label(
                RichText::new(format!("{n} {}", finding.label())).color(palette.finding(*finding)),
            );
            ui.label(RichText::new("·").weak());
        }
        ui.label(format!(
            "{compensating} by a compensating control, {customized} by the customized approach"
        ));
    });
    if new_total > 0 {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("New in v4.0:").strong().color(palette.new_in_v4));
            ui.label(format!(
                "{new_concluded} of {new_total} requirement(s) concluded (flagged NEW in the tree; the tree's \"New\" filter lists them)"
            ));
        });
    }
}

/// The appendices that apply only to some entities, each with a button that
/// declares it not applicable.
fn appendices(wb: &mut Workbench, ui: &mut Ui, palette: &Palette) {
    let appendices: Vec<(String, String, String)> = wb
        .catalog
        .appendices()
        .filter_map(|a| Some((a.id.clone(), a.title.clone(), a.applies_to.clone()?)))
        .collect();
    if appendices.is_empty() {
        return;
    }
    ui.add_space(10.0);
    ui.label(RichText::new("Appendices that apply only to some entities").strong());
    let mut declare = None;
    // The titles wrap so that the buttons stay in view on a narrow window.
    let title_width = (ui.available_width() - 400.0).clamp(160.0, 380.0);
    egui::Grid::new("tickmark-appendices")
        .num_columns(4)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for (id, title, applies_to) in appendices {
                let requirements: Vec<String> = wb
                    .catalog
                    .descendants(&id)
                    .into_iter()
                    .filter(|n| n.is_assessed())
                    .map(|n| n.id.clone())
                    .collect();
                let not_applicable = requirements
                    .iter()
                    .filter(|r| {
                        wb.view
                            .glance(r)
                            .conclusion
                            .is_some_and(|c| c.finding == Finding::NotApplicable)
                    })
                    .count();
                ui.label(RichText::new(&id).monospace().strong());
                ui.allocate_ui(Vec2::new(title_width, 0.0), |ui| {
                    ui.add(egui::Label::new(&title).wrap())
                        .on_hover_text(format!("Applies only to {applies_to}"));
                });
                ui.label(
                    RichText::new(format!(
                        "{not_applicable} of {} not applicable",
                        requirements.len()
                    ))
                    .small()
                    .color(palette.muted),
                );
                let all = not_applicable == requirements.len();
                if ui
                    .add_enabled(!all, egui::Button::new(format!("Declare {id} not applicable…")))
                    .on_hover_text(format!(
                        "Applies only to {applies_to}: record Not Applicable, with a reason, for every requirement of {id} in one step"
                    ))
                    .on_disabled_hover_text("Every requirement of the appendix is already Not Applicable")
                    .clicked()
                {
                    declare = Some(id.clone());
                }
                ui.end_row();
            }
        });
    if let Some(scope) = declare {
        wb.dialog = super::dialogs::Dialog::not_applicable(wb, &scope);
    }
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

/// A summary card, clicked.
#[derive(Debug, Clone, Copy)]
enum Card {
    Concluded,
    SignedOff,
    Reviewed,
    ReviewNotes,
    Stale,
    Failing,
    Approval,
}

/// A card leads to what it counts: the review with the matching filter
/// on, or the approval dialog.
fn open_card(wb: &mut Workbench, card: Card) {
    if let Card::Approval = card {
        wb.dialog = Some(super::dialogs::Dialog::approval());
        return;
    }
    let mut filters = super::model::Filters::default();
    match card {
        Card::Concluded => filters.unreviewed = true,
        Card::SignedOff => filters.signed = true,
        Card::Reviewed => filters.to_review = true,
        Card::ReviewNotes => filters.open_review_notes = true,
        Card::Stale => filters.stale = true,
        Card::Failing => filters.failing = true,
        Card::Approval => {}
    }
    wb.prefs.filters = filters;
    wb.search.clear();
    wb.screen = Screen::Review;
    if let Some(first) = wb.visible_requirements().first().cloned() {
        wb.select(&first);
    }
}

fn summary(
    ui: &mut Ui,
    counts: &[(String, FamilyCounts)],
    approval: Option<&crate::store::Approval>,
    palette: &Palette,
) -> Option<Card> {
    let sum = |f: fn(&FamilyCounts) -> usize| counts.iter().map(|(_, c)| f(c)).sum::<usize>();
    let total = sum(|c| c.total);
    let approval_text = match approval {
        None => ("Not decided".to_owned(), palette.muted),
        Some(a) if a.stale => ("Stale".to_owned(), palette.stale),
        Some(a) if a.decision == Decision::Approved => ("Approved".to_owned(), palette.pass),
        Some(_) => ("Sent back".to_owned(), palette.partial),
    };
    let cards = [
        (
            Card::Concluded,
            "Concluded",
            format!("{} / {total}", sum(|c| c.reviewed)),
            palette.ccw,
            "Review the requirements still without a finding",
        ),
        (
            Card::SignedOff,
            "Signed off",
            format!("{} / {total}", sum(|c| c.signed)),
            palette.signed,
            "Review the requirements signed off",
        ),
        (
            Card::Reviewed,
            "Reviewer sign-offs",
            format!("{} / {total}", sum(|c| c.review_signed)),
            palette.signed,
            "Review the requirements the preparer signed off and no reviewer has yet",
        ),
        (
            Card::ReviewNotes,
            "Open review notes",
            sum(|c| c.open_review_notes).to_string(),
            if sum(|c| c.open_review_notes) > 0 {
                palette.fail
            } else {
                palette.muted
            },
            "Review the requirements with an open review note",
        ),
        (
            Card::Stale,
            "Stale sign-offs",
            sum(|c| c.stale).to_string(),
            palette.stale,
            "Review the sign-offs that no longer cover what is there",
        ),
        (
            Card::Failing,
            "Failing verdicts",
            sum(|c| c.failing).to_string(),
            palette.fail,
            "Review the requirements whose automated verdict is fail",
        ),
        (
            Card::Approval,
            "Approval",
            approval_text.0,
            approval_text.1,
            "Open the approval",
        ),
    ];
    // Cards are frames, which a wrapping layout cannot measure before
    // placing them: as many per row as the width holds, the rest below.
    let spacing = ui.spacing().item_spacing.x;
    let per_row = ((ui.available_width() + spacing) / (CARD_WIDTH + spacing)).floor();
    let mut clicked = None;
    for row in cards.chunks(per_row.max(1.0) as usize) {
        ui.horizontal(|ui| {
            for (which, title, value, color, hover) in row {
                if card(ui, title, value, *color)
                    .on_hover_text(*hover)
                    .clicked()
                {
                    clicked = Some(*which);
                }
            }
        });
    }
    clicked
}

/// A card: a title and a figure, clickable as a whole.
fn card(ui: &mut Ui, title: &str, value: &str, color: Color32) -> egui::Response {
    let shown = egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::symmetric(CARD_MARGIN_X as i8, 8))
        .corner_radius(6.0)
        .show(ui, |ui| {
            ui.set_width(CARD_WIDTH - CARD_MARGIN_X * 2.0 - 2.0);
            ui.vertical(|ui| {
                ui.add(egui::Label::new(RichText::new(title).small().weak()).selectable(false));
                ui.add(
                    egui::Label::new(RichText::new(value).size(20.0).strong().color(color))
                        .selectable(false),
                );
            });
        });
    let response = shown
        .response
        .interact(Sense::click())
        .on_hover_cursor(egui::CursorIcon::PointingHand);
    let label = format!("{title}: {value}");
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    response
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
