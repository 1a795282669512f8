//! The left panel: search, filters and the requirement tree (12 families,
//! their groups and requirements, each with its automated verdict and
//! review state). The tree is virtualised: only the rows on screen are laid
//! out.

use egui::text::{LayoutJob, TextFormat, TextWrapping};
use egui::{Align, FontId, Layout, Rect, Response, Role, Sense, Ui, Vec2, WidgetInfo};

use super::app::Workbench;
use super::keyboard;
use super::model::{FamilyCounts, TreeRow};
use super::theme::Palette;
use super::widgets;
use crate::checks::VerdictStatus;
use crate::store::{Conclusion, Finding, Method};

/// The height of a tree row.
const ROW_HEIGHT: f32 = 24.0;

/// Shows the panel.
pub fn show(wb: &mut Workbench, ui: &mut Ui) {
    // In a narrow window the side panels give way so that the requirement
    // in the middle keeps a readable width.
    // A narrow window has a panel (and a remembered width) of its own, so
    // the wide window's width comes back when the window grows again.
    let window = ui.ctx().content_rect().width();
    let widest = (window * 0.32).clamp(260.0, 680.0);
    let narrow = window < super::app::NARROW_WINDOW;
    egui::Panel::left(("tickmark-tree", narrow))
        .resizable(true)
        .default_size(if narrow { 300.0 } else { 410.0 })
        .size_range(260.0..=widest)
        .show(ui, |ui| {
            ui.add_space(6.0);
            search_field(wb, ui);
            filter_bar(wb, ui);
            ui.add_space(2.0);
            ui.separator();
            rows(wb, ui);
        });
}

fn search_field(wb: &mut Workbench, ui: &mut Ui) {
    ui.horizontal(|ui| {
        let label = ui.label("Search");
        let edit = egui::TextEdit::singleline(&mut wb.search)
            .id(keyboard::search_id())
            .hint_text("ID or text (Ctrl+F)")
            .desired_width(f32::INFINITY);
        let output = edit.show(ui);
        let response = output.response.response.clone().labelled_by(label.id);
        if wb.focus_search {
            wb.focus_search = false;
            response.request_focus();
            // Ctrl+F selects the old query, so typing replaces it.
            let mut state = output.state;
            state
                .cursor
                .set_char_range(Some(egui::text::CCursorRange::two(
                    egui::text::CCursor::new(0),
                    egui::text::CCursor::new(wb.search.chars().count()),
                )));
            state.store(ui.ctx(), response.id);
        }
        if response.changed() {
            wb.scroll_to_selected = true;
        }
        if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            wb.select_first_match();
        }
    });
}

fn filter_bar(wb: &mut Workbench, ui: &mut Ui) {
    let counts = wb.view.family_counts(wb.catalog);
    let sum = |f: fn(&FamilyCounts) -> usize| counts.iter().map(|(_, c)| f(c)).sum::<usize>();
    let total = sum(|c| c.total);
    let failing = sum(|c| c.failing);
    let reviewed = sum(|c| c.reviewed);
    let signed = sum(|c| c.signed);
    let stale = sum(|c| c.stale);
    let new_in_v4 = wb.catalog.new_in_v4().count();
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        let filters = &mut wb.prefs.filters;
        let toggles = [
            (
                &mut filters.failing,
                "Failing",
                format!("{failing} requirement(s) whose automated verdict is fail"),
            ),
            (
                &mut filters.unreviewed,
                "Unreviewed",
                format!("{} requirement(s) without a finding", total - reviewed),
            ),
            (
                &mut filters.manual,
                "Manual",
                "Requirements without automated checks".to_owned(),
            ),
            (
                &mut filters.signed,
                "Signed",
                format!("{signed} requirement(s) signed off"),
            ),
            (
                &mut filters.stale,
                "Stale",
                format!("{stale} sign-off(s) that no longer cover what is there"),
            ),
            (
                &mut filters.concluded_unsigned,
                "To sign",
                "Requirements with a finding but no current sign-off".to_owned(),
            ),
            (
                &mut filters.has_note,
                "Has note",
                "Requirements with a note recorded".to_owned(),
            ),
            (
                &mut filters.to_review,
                "To review",
                "Signed off by the preparer, waiting for the reviewer's sign-off".to_owned(),
            ),
            (
                &mut filters.open_review_notes,
                "Review notes",
                "Requirements with an open review note".to_owned(),
            ),
        ];
        for (value, label, hover) in toggles {
            ui.toggle_value(value, label).on_hover_text(hover);
        }
        if new_in_v4 > 0 {
            ui.toggle_value(&mut filters.new_in_v4, "New")
                .on_hover_text(format!("{new_in_v4} requirement(s) new in PCI DSS v4.0"));
        }
    });
    let visible = wb.visible_requirements().len();
    let narrowing = wb.prefs.filters.any() || !wb.search.trim().is_empty();
    ui.horizontal(|ui| {
        let text = if narrowing {
            format!("{visible} of {total} requirements")
        } else {
            format!("{total} requirements · {reviewed} concluded · {signed} signed")
        };
        ui.label(egui::RichText::new(text).small().weak());
        let filters = &wb.prefs.filters;
        let bulk = match (filters.concluded_unsigned, filters.to_review) {
            (true, _) => Some((false, "Sign off these…")),
            (false, true) => Some((true, "Sign these as reviewer…")),
            _ => None,
        };
        if let Some((reviewer, label)) = bulk
            && visible > 0
            && ui
                .small_button(label)
                .on_hover_text(
                    "Choose among the requirements shown and sign each off, one signed event each",
                )
                .clicked()
        {
            wb.dialog = Some(super::dialogs::Dialog::bulk_sign_off(wb, reviewer));
        }
        if narrowing
            && ui
                .small_button("Clear")
                .on_hover_text("Clear the filters and the search")
                .clicked()
        {
            wb.prefs.filters = Default::default();
            wb.search.clear();
            wb.scroll_to_selected = true;
        }
    });
}

fn rows(wb: &mut Workbench, ui: &mut Ui) {
    let narrowing = wb.prefs.filters.any() || !wb.search.trim().is_empty();
    let visible = wb.view.visible_requirements(
        wb.catalog,
        wb.loaded.as_ref(),
        &wb.prefs.filters,
        &wb.search,
    );
    let rows = wb
        .view
        .tree_rows(wb.catalog, &visible, &wb.collapsed, narrowing);
    if rows.is_empty() {
        ui.add_space(12.0);
        ui.label(egui::RichText::new("No requirement matches the filters and the search.").weak());
        return;
    }
    let counts = wb.view.family_counts(wb.catalog);
    let palette = Palette::of(ui);
    let row_step = ROW_HEIGHT + ui.spacing().item_spacing.y;
    let mut area = egui::ScrollArea::vertical()
        .id_salt("tickmark-tree-rows")
        .auto_shrink([false, false]);
    if std::mem::take(&mut wb.scroll_to_selected)
        && let Some(at) = rows.iter().position(
            |r| matches!(r, TreeRow::Requirement { id } if Some(id) == wb.selected.as_ref()),
        )
    {
        let (offset, height) = wb.tree_viewport;
        let top = at as f32 * row_step;
        let target = if top < offset {
            Some(top)
        } else if top + row_step > offset + height {
            Some(top + row_step - height)
        } else {
            None
        };
        if let Some(target) = target {
            area = area.vertical_scroll_offset(target.max(0.0));
        }
    }
    let mut clicked: Option<TreeRow> = None;
    let output = area.show_rows(ui, ROW_HEIGHT, rows.len(), |ui, range| {
        for row in &rows[range] {
            let response = match row {
                TreeRow::Family { id, expanded } => {
                    let c = counts
                        .iter()
                        .find(|(f, _)| f == id)
                        .map(|(_, c)| *c)
                        .unwrap_or_default();
                    family_row(wb, ui, id, *expanded, &c, &palette)
                }
                TreeRow::Group { id } => group_row(wb, ui, id),
                TreeRow::Requirement { id } => requirement_row(wb, ui, id, &palette),
            };
            if response.clicked() {
                clicked = Some(row.clone());
            }
        }
    });
    wb.tree_viewport = (output.state.clamped_offset().y, output.inner_rect.height());
    match clicked {
        Some(TreeRow::Family { id, expanded }) => {
            if expanded {
                wb.collapsed.insert(id);
            } else {
                wb.collapsed.remove(&id);
            }
        }
        Some(TreeRow::Requirement { id }) => wb.select(&id),
        _ => {}
    }
}

fn row_rect(ui: &mut Ui, sense: Sense) -> (Rect, Response) {
    ui.allocate_exact_size(Vec2::new(ui.available_width(), ROW_HEIGHT), sense)
}

fn indent(depth: usize) -> f32 {
    8.0 + 14.0 * depth.saturating_sub(1) as f32
}

/// Text cut to one line of `width` with an ellipsis.
fn one_line(text: &str, font: FontId, color: egui::Color32, width: f32) -> LayoutJob {
    let mut job = LayoutJob::single_section(text.to_owned(), TextFormat::simple(font, color));
    job.wrap = TextWrapping::truncate_at_width(width.max(10.0));
    job
}

fn family_row(
    wb: &Workbench,
    ui: &mut Ui,
    id: &str,
    expanded: bool,
    counts: &FamilyCounts,
    palette: &Palette,
) -> Response {
    let (rect, response) = row_rect(ui, Sense::click());
    let title = wb
        .catalog
        .get(id)
        .map(|n| n.title.as_str())
        .unwrap_or_default();
    let label = format!("Requirement {id}");
    response.widget_info(|| WidgetInfo::selected(Role::TreeItem, true, expanded, &label));
    if !ui.is_rect_visible(rect) {
        return response;
    }
    let painter = ui.painter();
    let visuals = ui.visuals();
    if response.hovered() {
        painter.rect_filled(rect, 3.0, visuals.widgets.hovered.weak_bg_fill);
    } else {
        painter.rect_filled(rect, 3.0, visuals.faint_bg_color);
    }
    let text_color = visuals.strong_text_color();
    // Chevron.
    let center = egui::pos2(rect.left() + 12.0, rect.center().y);
    let points = if expanded {
        vec![
            center + Vec2::new(-4.0, -2.5),
            center + Vec2::new(4.0, -2.5),
            center + Vec2::new(0.0, 3.0),
        ]
    } else {
        vec![
            center + Vec2::new(-2.5, -4.0),
            center + Vec2::new(3.0, 0.0),
            center + Vec2::new(-2.5, 4.0),
        ]
    };
    painter.add(egui::Shape::convex_polygon(
        points,
        visuals.text_color(),
        egui::Stroke::NONE,
    ));
    // Counts on the right: failing chip, reviewed / total.
    let mut right = rect.right() - 6.0;
    let count_text = format!("{}/{}", counts.reviewed, counts.total);
    let galley = painter.layout_no_wrap(
        count_text,
        FontId::proportional(11.5),
        visuals.weak_text_color(),
    );
    right -= galley.size().x;
    painter.galley(
        egui::pos2(right, rect.center().y - galley.size().y / 2.0),
        galley,
        visuals.weak_text_color(),
    );
    if counts.failing > 0 {
        let galley = painter.layout_no_wrap(
            counts.failing.to_string(),
            FontId::proportional(11.0),
            palette.on_chip,
        );
        let chip = Rect::from_min_size(
            egui::pos2(right - 8.0 - galley.size().x - 10.0, rect.center().y - 8.0),
            Vec2::new(galley.size().x + 10.0, 16.0),
        );
        painter.rect_filled(chip, 8.0, palette.fail);
        painter.galley(
            chip.min + Vec2::new(5.0, (16.0 - galley.size().y) / 2.0),
            galley,
            palette.on_chip,
        );
        right = chip.left();
    }
    let left = rect.left() + 24.0;
    let id_galley = painter.layout_no_wrap(id.to_owned(), FontId::proportional(13.5), text_color);
    let id_width = 22.0_f32.max(id_galley.size().x + 6.0);
    painter.galley(
        egui::pos2(left, rect.center().y - id_galley.size().y / 2.0),
        id_galley,
        text_color,
    );
    let job = one_line(
        title,
        FontId::proportional(13.0),
        text_color,
        right - left - id_width - 8.0,
    );
    let galley = painter.layout_job(job);
    painter.galley(
        egui::pos2(left + id_width, rect.center().y - galley.size().y / 2.0),
        galley,
        text_color,
    );
    response.on_hover_text(format!(
        "{title}\n{} of {} concluded, {} signed off, {} stale, {} failing",
        counts.reviewed, counts.total, counts.signed, counts.stale, counts.failing
    ))
}

/// Paints the `NEW` badge of a requirement new in v4.0 with its left edge
/// at `at` (vertically centred); returns its width.
fn new_badge(painter: &egui::Painter, at: egui::Pos2, palette: &Palette) -> f32 {
    let galley =
        painter.layout_no_wrap("NEW".to_owned(), FontId::proportional(9.5), palette.on_chip);
    let size = Vec2::new(galley.size().x + 8.0, 14.0);
    let rect = Rect::from_min_size(egui::pos2(at.x, at.y - size.y / 2.0), size);
    painter.rect_filled(rect, 4.0, palette.new_in_v4);
    painter.galley(
        rect.min + Vec2::new(4.0, (size.y - galley.size().y) / 2.0),
        galley,
        palette.on_chip,
    );
    size.x
}

fn group_row(wb: &Workbench, ui: &mut Ui, id: &str) -> Response {
    let (rect, response) = row_rect(ui, Sense::hover());
    if !ui.is_rect_visible(rect) {
        return response;
    }
    let node = wb.catalog.get(id);
    let depth = node.map_or(2, |n| n.depth());
    let title = node.map(|n| n.title.as_str()).unwrap_or_default();
    let color = ui.visuals().weak_text_color();
    let left = rect.left() + indent(depth) + 20.0;
    let job = one_line(
        &format!("{id}  {title}"),
        FontId::proportional(12.5),
        color,
        rect.right() - left - 4.0,
    );
    let galley = ui.painter().layout_job(job);
    ui.painter().galley(
        egui::pos2(left, rect.center().y - galley.size().y / 2.0),
        galley,
        color,
    );
    response
}

fn requirement_row(wb: &Workbench, ui: &mut Ui, id: &str, palette: &Palette) -> Response {
    let (rect, response) = row_rect(ui, Sense::click());
    let selected = wb.selected.as_deref() == Some(id);
    let glance = wb.view.glance(id);
    let node = wb.catalog.get(id);
    response.widget_info(|| WidgetInfo::selected(Role::TreeItem, true, selected, id));
    let description = format!(
        "{}{}. {}",
        node.map(|n| n.title.as_str()).unwrap_or_default(),
        if node.is_some_and(|n| n.new_in_v4) {
            " (new in PCI DSS v4.0)"
        } else {
            ""
        },
        glance.describe()
    );
    ui.ctx().accesskit_node_builder(response.id, |node| {
        node.set_description(description.clone())
    });
    if !ui.is_rect_visible(rect) {
        return response;
    }
    let painter = ui.painter();
    let visuals = ui.visuals();
    if selected {
        painter.rect_filled(rect, 3.0, palette.selection);
    } else if response.hovered() {
        painter.rect_filled(rect, 3.0, visuals.widgets.hovered.weak_bg_fill);
    }
    let depth = node.map_or(3, |n| n.depth());
    let x = rect.left() + indent(depth);
    widgets::paint_verdict(
        painter,
        egui::pos2(x + 7.0, rect.center().y),
        6.5,
        glance.verdict,
        palette,
    );
    // Review state on the right: sign-off, then conclusion.
    let right = rect.right() - 6.0;
    let sign_center = egui::pos2(right - 7.0, rect.center().y);
    widgets::paint_sign_off(painter, sign_center, 6.5, glance.sign_off, palette);
    widgets::paint_review(
        painter,
        sign_center,
        6.5,
        glance.reviewed,
        glance.open_review_notes,
        palette,
    );
    let conclusion_center = egui::pos2(right - 24.0, rect.center().y);
    widgets::paint_conclusion(painter, conclusion_center, 5.5, glance.conclusion, palette);
    let text_color = if selected {
        visuals.strong_text_color()
    } else {
        visuals.text_color()
    };
    let id_galley = painter.layout_no_wrap(id.to_owned(), FontId::monospace(12.5), text_color);
    let id_x = x + 20.0;
    let id_width = id_galley.size().x.max(44.0) + 8.0;
    painter.galley(
        egui::pos2(id_x, rect.center().y - id_galley.size().y / 2.0),
        id_galley,
        text_color,
    );
    let title = node.map(|n| n.title.as_str()).unwrap_or_default();
    let mut title_left = id_x + id_width;
    if node.is_some_and(|n| n.new_in_v4) {
        title_left += new_badge(painter, egui::pos2(title_left, rect.center().y), palette) + 6.0;
    }
    let job = one_line(
        title,
        FontId::proportional(13.0),
        text_color,
        right - 34.0 - title_left,
    );
    let galley = painter.layout_job(job);
    painter.galley(
        egui::pos2(title_left, rect.center().y - galley.size().y / 2.0),
        galley,
        text_color,
    );
    let new_in_v4 = node.is_some_and(|n| n.new_in_v4);
    response.on_hover_ui(|ui| {
        ui.set_max_width(360.0);
        ui.label(egui::RichText::new(format!("{id}  {title}")).strong());
        if new_in_v4 {
            ui.label(egui::RichText::new("New in PCI DSS v4.0").color(Palette::of(ui).new_in_v4));
        }
        ui.label(glance.describe());
        if glance.attachments > 0 {
            ui.label(format!("{} attachment(s)", glance.attachments));
        }
    })
}

/// A legend of the tree's icons, for the help overlay.
pub fn legend(ui: &mut Ui) {
    let palette = Palette::of(ui);
    ui.with_layout(Layout::top_down(Align::Min), |ui| {
        for (verdict, text) in [
            (Some(VerdictStatus::Pass), "Automated verdict: pass"),
            (Some(VerdictStatus::Fail), "Automated verdict: fail"),
            (
                Some(VerdictStatus::Partial),
                "Partial: some checks could not run",
            ),
            (
                Some(VerdictStatus::Supported),
                "Supported: only supporting checks passed; a person must test it",
            ),
            (Some(VerdictStatus::Manual), "Manual: no automated checks"),
            (
                Some(VerdictStatus::NoEvidence),
                "No evidence: checks exist, none ran",
            ),
        ] {
            ui.horizontal(|ui| {
                widgets::icon(ui, 16.0, text, |p, c, r| {
                    widgets::paint_verdict(p, c, r, verdict, &palette)
                });
                ui.label(text);
            });
        }
        ui.horizontal(|ui| {
            widgets::icon(ui, 16.0, "Finding recorded", |p, c, r| {
                widgets::paint_conclusion(
                    p,
                    c,
                    r * 0.85,
                    Some(Conclusion::defined(Finding::InPlace)),
                    &palette,
                )
            });
            ui.label(
                "Finding recorded (colour: In Place, Not Applicable, Not Tested, Not in Place)",
            );
        });
        ui.horizontal(|ui| {
            widgets::icon(
                ui,
                16.0,
                "Compensating control or customized approach",
                |p, c, r| {
                    widgets::paint_conclusion(
                        p,
                        c,
                        r * 0.85,
                        Some(Conclusion {
                            finding: Finding::InPlace,
                            method: Method::Compensating,
                        }),
                        &palette,
                    )
                },
            );
            ui.label("Ringed: met by a compensating control or the customized approach");
        });
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(Vec2::new(30.0, 16.0), Sense::hover());
            new_badge(
                ui.painter(),
                egui::pos2(rect.left(), rect.center().y),
                &palette,
            );
            ui.label("New in PCI DSS v4.0 (no 3.2.1 requirement precedes it)");
        });
        ui.horizontal(|ui| {
            widgets::icon(ui, 16.0, "No finding", |p, c, r| {
                widgets::paint_conclusion(p, c, r * 0.85, None, &palette)
            });
            ui.label("No finding yet");
        });
        ui.horizontal(|ui| {
            widgets::icon(ui, 16.0, "Signed off", |p, c, r| {
                widgets::paint_sign_off(p, c, r, crate::store::SignOffState::Current, &palette)
            });
            ui.label("Signed off, and the sign-off covers what is there now");
        });
        ui.horizontal(|ui| {
            widgets::icon(ui, 16.0, "Stale sign-off", |p, c, r| {
                widgets::paint_sign_off(p, c, r, crate::store::SignOffState::Stale, &palette)
            });
            ui.label("Stale: evidence or review changed after the sign-off");
        });
        ui.horizontal(|ui| {
            widgets::icon(ui, 16.0, "Reviewed", |p, c, r| {
                let r = r * 0.7;
                widgets::paint_sign_off(p, c, r, crate::store::SignOffState::Current, &palette);
                widgets::paint_review(p, c, r, crate::store::SignOffState::Current, 0, &palette);
            });
            ui.label("Outer ring: a second person signed as reviewer (amber when stale)");
        });
        ui.horizontal(|ui| {
            widgets::icon(ui, 16.0, "Open review note", |p, c, r| {
                let r = r * 0.7;
                widgets::paint_sign_off(p, c, r, crate::store::SignOffState::Current, &palette);
                widgets::paint_review(p, c, r, crate::store::SignOffState::None, 1, &palette);
            });
            ui.label("Red dot: a review note is open");
        });
    });
}
