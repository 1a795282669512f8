//! Small widgets shared by the panels: status icons painted with the egui
//! painter (so they look the same on every system font), coloured chips,
//! section headings and the catalog's guidance text.

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, CornerRadius, FontId, Pos2, Rect, Response, Sense, Shape, Stroke, Ui, Vec2};

use super::theme::Palette;
use crate::checks::{CheckStatus, VerdictStatus};
use crate::store::{Conclusion, SignOffState};

/// Paints a verdict icon: a filled disc with a tick (pass), a cross (fail),
/// a half disc (partial), a ring with a tick (supported: nothing wrong, not
/// tested), a hollow square (manual) or a hollow dashed circle (no evidence,
/// or no run).
pub fn paint_verdict(
    painter: &egui::Painter,
    center: Pos2,
    radius: f32,
    verdict: Option<VerdictStatus>,
    palette: &Palette,
) {
    let color = palette.verdict(verdict);
    match verdict {
        Some(VerdictStatus::Pass) => {
            painter.circle_filled(center, radius, color);
            paint_tick(painter, center, radius * 0.55, palette.on_chip);
        }
        Some(VerdictStatus::Fail) => {
            painter.circle_filled(center, radius, color);
            paint_cross(painter, center, radius * 0.45, palette.on_chip);
        }
        Some(VerdictStatus::Partial) => {
            painter.circle_stroke(center, radius - 0.75, Stroke::new(1.5, color));
            let half: Vec<Pos2> = (0..=16)
                .map(|i| {
                    let angle =
                        std::f32::consts::FRAC_PI_2 + std::f32::consts::PI * i as f32 / 16.0;
                    center + Vec2::angled(angle) * radius
                })
                .collect();
            painter.add(Shape::convex_polygon(half, color, Stroke::NONE));
        }
        Some(VerdictStatus::Supported) => {
            painter.circle_stroke(center, radius - 0.75, Stroke::new(1.5, color));
            paint_tick(painter, center, radius * 0.55, color);
        }
        Some(VerdictStatus::Manual) => {
            let rect = Rect::from_center_size(center, Vec2::splat(radius * 1.7));
            painter.rect_stroke(
                rect,
                CornerRadius::same(2),
                Stroke::new(1.5, color),
                egui::StrokeKind::Inside,
            );
            painter.circle_filled(center, radius * 0.3, color);
        }
        Some(VerdictStatus::NoEvidence) | None => {
            for i in 0..8 {
                let a0 = std::f32::consts::TAU * i as f32 / 8.0;
                let a1 = a0 + std::f32::consts::TAU / 16.0;
                painter.line_segment(
                    [
                        center + Vec2::angled(a0) * (radius - 0.75),
                        center + Vec2::angled(a1) * (radius - 0.75),
                    ],
                    Stroke::new(1.5, color),
                );
            }
        }
    }
}

/// Paints a check outcome like a verdict.
pub fn paint_check(
    painter: &egui::Painter,
    center: Pos2,
    radius: f32,
    status: CheckStatus,
    palette: &Palette,
) {
    let verdict = match status {
        CheckStatus::Pass => VerdictStatus::Pass,
        CheckStatus::Fail => VerdictStatus::Fail,
        CheckStatus::NotEvaluated => VerdictStatus::NoEvidence,
    };
    paint_verdict(painter, center, radius, Some(verdict), palette);
}

/// Paints a conclusion: a filled diamond in the finding's colour (ringed
/// in the compensating-control colour when the method is not the defined
/// approach), or a hollow grey one when there is none.
pub fn paint_conclusion(
    painter: &egui::Painter,
    center: Pos2,
    radius: f32,
    conclusion: Option<Conclusion>,
    palette: &Palette,
) {
    let points = vec![
        center + Vec2::new(0.0, -radius),
        center + Vec2::new(radius, 0.0),
        center + Vec2::new(0.0, radius),
        center + Vec2::new(-radius, 0.0),
    ];
    match conclusion {
        Some(c) => {
            let ring = if c.method.is_defined() {
                Stroke::NONE
            } else {
                Stroke::new(2.0, palette.ccw)
            };
            painter.add(Shape::convex_polygon(points, palette.conclusion(c), ring));
        }
        None => {
            painter.add(Shape::closed_line(points, Stroke::new(1.2, palette.muted)));
        }
    }
}

/// Paints the reviewer's sign-off around a sign-off mark of `radius`: an
/// outer ring (green when current, amber when stale, none before a
/// review), and a dot at the top right while review notes are open.
pub fn paint_review(
    painter: &egui::Painter,
    center: Pos2,
    radius: f32,
    reviewed: SignOffState,
    open_notes: usize,
    palette: &Palette,
) {
    if reviewed != SignOffState::None {
        painter.circle_stroke(
            center,
            radius + 2.5,
            Stroke::new(1.5, palette.sign_off(reviewed)),
        );
    }
    if open_notes > 0 {
        let dot = center + Vec2::new(radius * 0.85, -radius * 0.85);
        painter.circle_filled(dot, 3.2, palette.fail);
        painter.circle_stroke(dot, 3.2, Stroke::new(1.0, palette.on_chip));
    }
}

/// Paints a sign-off state: a seal with a tick (current), a warning
/// triangle (stale), nothing when never signed.
pub fn paint_sign_off(
    painter: &egui::Painter,
    center: Pos2,
    radius: f32,
    state: SignOffState,
    palette: &Palette,
) {
    let color = palette.sign_off(state);
    match state {
        SignOffState::None => {}
        SignOffState::Current => {
            painter.circle_stroke(center, radius - 0.75, Stroke::new(1.5, color));
            paint_tick(painter, center, radius * 0.55, color);
        }
        SignOffState::Stale => {
            let points = vec![
                center + Vec2::new(0.0, -radius),
                center + Vec2::new(radius, radius * 0.8),
                center + Vec2::new(-radius, radius * 0.8),
            ];
            painter.add(Shape::convex_polygon(points, color, Stroke::NONE));
            painter.line_segment(
                [
                    center + Vec2::new(0.0, -radius * 0.4),
                    center + Vec2::new(0.0, radius * 0.25),
                ],
                Stroke::new(1.5, palette.on_chip),
            );
            painter.circle_filled(center + Vec2::new(0.0, radius * 0.55), 0.9, palette.on_chip);
        }
    }
}

fn paint_tick(painter: &egui::Painter, center: Pos2, size: f32, color: Color32) {
    painter.add(Shape::line(
        vec![
            center + Vec2::new(-size, 0.0),
            center + Vec2::new(-size * 0.3, size * 0.7),
            center + Vec2::new(size, -size * 0.7),
        ],
        Stroke::new(1.8, color),
    ));
}

fn paint_cross(painter: &egui::Painter, center: Pos2, size: f32, color: Color32) {
    let stroke = Stroke::new(1.8, color);
    painter.line_segment(
        [center + Vec2::splat(-size), center + Vec2::splat(size)],
        stroke,
    );
    painter.line_segment(
        [
            center + Vec2::new(-size, size),
            center + Vec2::new(size, -size),
        ],
        stroke,
    );
}

/// An icon widget of `size` points, painted by `paint` at its centre, with
/// `hover` as its tooltip and accessible name.
pub fn icon(
    ui: &mut Ui,
    size: f32,
    hover: &str,
    paint: impl FnOnce(&egui::Painter, Pos2, f32),
) -> Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    if ui.is_rect_visible(rect) {
        paint(ui.painter(), rect.center(), size * 0.42);
    }
    let hover = hover.to_owned();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &hover));
    response.on_hover_text(hover)
}

/// A small rounded label with a coloured background.
pub fn chip(ui: &mut Ui, text: &str, color: Color32, palette: &Palette) -> Response {
    let font = FontId::proportional(11.5);
    let galley = ui
        .painter()
        .layout_no_wrap(text.to_owned(), font, palette.on_chip);
    let padding = Vec2::new(7.0, 2.0);
    let (rect, response) = ui.allocate_exact_size(galley.size() + padding * 2.0, Sense::hover());
    if ui.is_rect_visible(rect) {
        ui.painter().rect_filled(rect, CornerRadius::same(8), color);
        ui.painter()
            .galley(rect.min + padding, galley, palette.on_chip);
    }
    let text = text.to_owned();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &text));
    response
}

/// A small outlined label, for secondary facts.
pub fn outline_chip(ui: &mut Ui, text: &str, color: Color32) -> Response {
    let font = FontId::proportional(11.5);
    let galley = ui.painter().layout_no_wrap(text.to_owned(), font, color);
    let padding = Vec2::new(7.0, 2.0);
    let (rect, response) = ui.allocate_exact_size(galley.size() + padding * 2.0, Sense::hover());
    if ui.is_rect_visible(rect) {
        ui.painter().rect_stroke(
            rect,
            CornerRadius::same(8),
            Stroke::new(1.0, color),
            egui::StrokeKind::Inside,
        );
        ui.painter().galley(rect.min + padding, galley, color);
    }
    let text = text.to_owned();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &text));
    response
}

/// A section heading: strong text with a thin rule under it.
pub fn section(ui: &mut Ui, title: &str) {
    ui.add_space(6.0);
    ui.label(egui::RichText::new(title).strong().size(14.5));
    let rect = ui.available_rect_before_wrap();
    ui.painter().hline(
        rect.x_range(),
        rect.top(),
        Stroke::new(1.0, ui.visuals().widgets.noninteractive.bg_stroke.color),
    );
    ui.add_space(4.0);
}

/// Text with `code` spans, laid out to wrap in `ui`.
pub fn inline_code(ui: &Ui, text: &str, palette: &Palette) -> LayoutJob {
    let body = egui::TextStyle::Body.resolve(ui.style());
    let mono = FontId::monospace(body.size - 1.0);
    let text_color = ui.visuals().text_color();
    let mut job = LayoutJob::default();
    for (i, part) in text.split('`').enumerate() {
        if part.is_empty() {
            continue;
        }
        let format = if i % 2 == 1 {
            TextFormat {
                font_id: mono.clone(),
                color: text_color,
                background: palette.code_background,
                ..Default::default()
            }
        } else {
            TextFormat::simple(body.clone(), text_color)
        };
        job.append(part, 0.0, format);
    }
    job.wrap.max_width = ui.available_width();
    job
}

/// The catalog's guidance: paragraphs separated by blank lines, list items
/// starting with `- `, backticks for commands and settings.
pub fn guidance(ui: &mut Ui, text: &str, palette: &Palette) {
    for block in text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        let mut paragraph = String::new();
        for line in block.lines().map(str::trim) {
            if let Some(item) = line.strip_prefix("- ") {
                flush_paragraph(ui, &mut paragraph, palette);
                bullet(ui, item, palette);
            } else {
                if !paragraph.is_empty() {
                    paragraph.push(' ');
                }
                paragraph.push_str(line);
            }
        }
        flush_paragraph(ui, &mut paragraph, palette);
        ui.add_space(4.0);
    }
}

fn flush_paragraph(ui: &mut Ui, paragraph: &mut String, palette: &Palette) {
    if !paragraph.is_empty() {
        let job = inline_code(ui, paragraph, palette);
        ui.label(job);
        paragraph.clear();
    }
}

/// A bulleted item with a hanging indent.
pub fn bullet(ui: &mut Ui, text: &str, palette: &Palette) {
    ui.horizontal_top(|ui| {
        ui.add_space(6.0);
        ui.label("•");
        ui.vertical(|ui| {
            let job = inline_code(ui, text, palette);
            ui.label(job);
        });
    });
}

/// A short, human form of a time: `2026-11-19 14:03` in local time.
pub fn time(at: &chrono::DateTime<chrono::Utc>) -> String {
    let local = at.with_timezone(&chrono::Local);
    let zone = match local.offset().local_minus_utc() {
        0 => "UTC".to_owned(),
        _ => local.format("UTC%:z").to_string(),
    };
    format!("{} {zone}", local.format("%Y-%m-%d %H:%M"))
}

/// The latest of `count` runs, recorded `at`: `run 3 of 3, 2026-12-07
/// 11:24 UTC` (runs are counted, not numbered by event).
pub fn run_text(count: usize, at: &chrono::DateTime<chrono::Utc>) -> String {
    format!("run {count} of {count}, {}", time(at))
}

/// A byte count for people: `132 KB`.
pub fn bytes(size: u64) -> String {
    match size {
        0..1_000 => format!("{size} B"),
        1_000..1_000_000 => format!("{} KB", size / 1_000),
        _ => format!("{:.1} MB", size as f64 / 1_000_000.0),
    }
}

/// A path as typed or pasted: spaces around it and one pair of quotes
/// around it removed (a file manager's "copy as path" adds them), and a
/// leading `~` read as the home directory.
pub fn typed_path(text: &str) -> std::path::PathBuf {
    let trimmed = text.trim();
    let unquoted = ['"', '\'']
        .iter()
        .find_map(|q| {
            trimmed
                .strip_prefix(*q)
                .and_then(|rest| rest.strip_suffix(*q))
        })
        .unwrap_or(trimmed);
    let home = || std::env::var_os("HOME").filter(|h| !h.is_empty());
    match unquoted.strip_prefix('~') {
        Some("") => home().map_or_else(|| unquoted.into(), std::path::PathBuf::from),
        Some(rest) if rest.starts_with('/') => match home() {
            Some(home) => std::path::PathBuf::from(home).join(&rest[1..]),
            None => unquoted.into(),
        },
        _ => unquoted.into(),
    }
}

/// Why a typed path cannot be used for `purpose`, if it cannot: a file
/// or folder to read must exist; a file to write needs an existing folder.
pub fn typed_path_problem(path: &std::path::Path, writes: bool) -> Option<String> {
    let shown = crate::evidence::display_path(path);
    if writes {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        match parent {
            Some(dir) if !dir.is_dir() => Some(format!(
                "The folder {} does not exist",
                crate::evidence::display_path(dir)
            )),
            _ if path.is_dir() => Some(format!("{shown} is a folder: add a file name")),
            _ => None,
        }
    } else if !path.exists() {
        Some(format!("There is no file or folder at {shown}"))
    } else {
        None
    }
}

#[cfg(test)]
mod typed_path_tests {
    use super::*;

    #[test]
    fn quotes_spaces_and_the_home_directory() {
        let home = std::env::var("HOME").unwrap_or_default();
        assert_eq!(
            typed_path("  '/tmp/a b.json' "),
            std::path::PathBuf::from("/tmp/a b.json")
        );
        assert_eq!(typed_path("\"/tmp/x\""), std::path::PathBuf::from("/tmp/x"));
        assert_eq!(
            typed_path("'/tmp/x\""),
            std::path::PathBuf::from("'/tmp/x\"")
        );
        if !home.is_empty() {
            assert_eq!(
                typed_path("~/evidence"),
                std::path::Path::new(&home).join("evidence")
            );
            assert_eq!(typed_path("\"~\""), std::path::PathBuf::from(&home));
        }
        assert_eq!(typed_path("~other/x"), std::path::PathBuf::from("~other/x"));
    }
}
