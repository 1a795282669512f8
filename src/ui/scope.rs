//! The scope screen: the PCI boundary drawn from the evidence (VNets,
//! subnets, pools, nodes and pods; namespaces with their policies), every
//! failure of the boundary checks marked and, when clicked, shown with its
//! evidence; what is in scope and on what grounds; the scopes the record
//! kept; and the diagram offered as an attachment to the network-diagram
//! requirement.

use egui::{
    Color32, CornerRadius, FontId, Pos2, Rect, RichText, Sense, Stroke, StrokeKind, Ui, Vec2,
};

use super::app::Workbench;
use super::theme::Palette;
use super::worker::{ScopeView, Task};
use crate::scope::diagram::{Diagram, FONT_SIZE, LINE_HEIGHT, ShapeKind};
use crate::scope::{ScopeClass, ScopeKind, how_to_state_scope, svg};

/// The requirement of the open catalog that asks for the network diagram.
pub fn diagram_requirement(catalog_id: &str) -> &'static str {
    if catalog_id == crate::catalog::PCI_DSS_321_ID {
        "1.1.2"
    } else {
        "1.2.3"
    }
}

/// Shows the scope screen.
pub fn show(wb: &mut Workbench, ui: &mut Ui) {
    let Some(view) = wb.loaded.as_ref().map(|l| l.scope.clone()) else {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.label("No assessment is open.");
        });
        return;
    };
    egui::Panel::right("scope-detail")
        .resizable(true)
        .default_size(400.0)
        .size_range(300.0..=640.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("scope-detail-scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| detail(wb, ui, &view));
        });
    egui::CentralPanel::default().show(ui, |ui| {
        ui.label(RichText::new("Scope").size(19.0).strong());
        ui.label(
            RichText::new(
                "Drawn from the evidence: VNets hold subnets, subnets node pools, pools nodes, nodes the pods running on them. Click a box for its scope, its grounds and any failure with its evidence.",
            )
            .weak(),
        );
        if view.diagram.is_empty() {
            ui.add_space(12.0);
            ui.label("Nothing to draw: import the VNets, the AKS cluster, the nodes and the pods.");
            return;
        }
        let fit = ((ui.available_width() - 16.0) / (view.diagram.width + 4.0)).clamp(0.6, 1.0);
        ui.horizontal(|ui| {
            ui.label("Zoom:");
            ui.selectable_value(&mut wb.scope_fit, true, "Fit width");
            ui.selectable_value(&mut wb.scope_fit, false, "100 %");
        });
        let zoom = if wb.scope_fit { fit } else { 1.0 };
        egui::ScrollArea::both()
            .id_salt("scope-diagram")
            .auto_shrink([false, false])
            .show(ui, |ui| diagram(wb, ui, &view.diagram, zoom));
    });
}

fn hex(colour: &str) -> Color32 {
    Color32::from_hex(colour).unwrap_or(Color32::GRAY)
}

/// Paints the diagram with the same coordinates as the SVG.
fn diagram(wb: &mut Workbench, ui: &mut Ui, diagram: &Diagram, zoom: f32) {
    let size = Vec2::new(diagram.width + 4.0, diagram.height + 4.0) * zoom;
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let origin = rect.min + Vec2::splat(2.0);
    let painter = ui.painter_at(rect);
    let text = Color32::from_gray(25);
    let font = FontId::proportional(FONT_SIZE * zoom);
    let at = |x: f32, y: f32| origin + Vec2::new(x, y) * zoom;
    for (index, shape) in diagram.shapes.iter().enumerate() {
        let r = Rect::from_min_size(
            at(shape.rect.x, shape.rect.y),
            Vec2::new(shape.rect.w, shape.rect.h) * zoom,
        );
        let (fill, stroke) = if shape.kind == ShapeKind::Group {
            (
                Color32::TRANSPARENT,
                ui.visuals().widgets.noninteractive.bg_stroke.color,
            )
        } else {
            let (fill, stroke) = svg::colours(shape.class);
            (hex(fill), hex(stroke))
        };
        let marked = !shape.violations.is_empty();
        let selected = wb.scope_selected == Some(index);
        let stroke = if marked {
            Stroke::new(2.5, hex(svg::VIOLATION))
        } else if selected {
            Stroke::new(2.5, ui.visuals().selection.stroke.color)
        } else {
            Stroke::new(1.0, stroke)
        };
        painter.rect(r, CornerRadius::same(4), fill, stroke, StrokeKind::Inside);
        if selected && marked {
            painter.rect_stroke(
                r.expand(3.0),
                CornerRadius::same(5),
                Stroke::new(1.5, ui.visuals().selection.stroke.color),
                StrokeKind::Outside,
            );
        }
        let title_colour = if shape.kind == ShapeKind::Group {
            ui.visuals().text_color()
        } else {
            text
        };
        painter.text(
            r.min + Vec2::new(7.0, 7.0) * zoom,
            egui::Align2::LEFT_TOP,
            &shape.title,
            FontId::proportional(FONT_SIZE * zoom),
            title_colour,
        );
        if marked {
            let at = Pos2::new(r.max.x - 10.0 * zoom, r.min.y + 10.0 * zoom);
            painter.circle_filled(at, 7.0 * zoom, hex(svg::VIOLATION));
            painter.text(
                at,
                egui::Align2::CENTER_CENTER,
                "!",
                FontId::proportional(FONT_SIZE * zoom),
                Color32::WHITE,
            );
        }
        for (line_index, line) in shape.lines.iter().enumerate() {
            painter.text(
                r.min + Vec2::new(7.0, 7.0 + LINE_HEIGHT * (line_index + 1) as f32) * zoom,
                egui::Align2::LEFT_TOP,
                line,
                font.clone(),
                Color32::from_gray(70),
            );
        }
    }
    let flow = hex(svg::FLOW);
    for link in &diagram.links {
        let (Some(from), Some(to)) = (diagram.shapes.get(link.from), diagram.shapes.get(link.to))
        else {
            continue;
        };
        let a = at(from.rect.x + from.rect.w, from.rect.y + from.rect.h / 2.0);
        let b = at(to.rect.x + to.rect.w, to.rect.y + to.rect.h / 2.0);
        let bulge = a.x.max(b.x) + 40.0 * zoom;
        let curve = egui::epaint::CubicBezierShape::from_points_stroke(
            [a, Pos2::new(bulge, a.y), Pos2::new(bulge, b.y), b],
            false,
            Color32::TRANSPARENT,
            Stroke::new(1.5, flow),
        );
        painter.add(curve);
        painter.text(
            Pos2::new(bulge - 30.0 * zoom, (a.y + b.y) / 2.0),
            egui::Align2::LEFT_CENTER,
            &link.label,
            font.clone(),
            flow,
        );
    }
    if let Some(pos) = response
        .interact_pointer_pos()
        .filter(|_| response.clicked())
    {
        let p = (pos - origin) / zoom;
        wb.scope_selected = diagram.shape_at(p.x, p.y);
    }
    if let Some(pos) = response.hover_pos() {
        let p = (pos - origin) / zoom;
        if let Some(shape) = diagram
            .shape_at(p.x, p.y)
            .and_then(|i| diagram.shapes.get(i))
        {
            let class = shape.class.map_or("scope not stated", ScopeClass::label);
            response.on_hover_text(format!("{} · {class}", shape.title));
        }
    }
}

/// The side panel: the selected box, or the scope at a glance.
fn detail(wb: &mut Workbench, ui: &mut Ui, view: &ScopeView) {
    let palette = Palette::of(ui);
    if let Some(shape) = wb
        .scope_selected
        .and_then(|i| view.diagram.shapes.get(i))
        .cloned()
    {
        ui.horizontal(|ui| {
            ui.label(RichText::new(&shape.title).strong().size(15.0));
            if ui.small_button("Back to the overview").clicked() {
                wb.scope_selected = None;
            }
        });
        let class = shape.class.map_or("Scope not stated", ScopeClass::label);
        ui.label(RichText::new(class).color(class_colour(shape.class, &palette)));
        for line in &shape.lines {
            ui.label(RichText::new(line).weak());
        }
        if let Some(entry) = shape.key.as_deref().and_then(|key| entry_of(view, key)) {
            ui.add_space(6.0);
            ui.label(RichText::new("Grounds").strong());
            if entry.grounds.is_empty() {
                ui.label(how_to_state_scope());
            }
            for (i, ground) in entry.grounds.iter().enumerate() {
                let lead = if i == 0 { "Decides:" } else { "Also:" };
                ui.label(format!("{lead} {} ({})", ground.says, ground.class.id()));
                if let Some(source) = &ground.source {
                    ui.label(
                        RichText::new(format!("{} {}", source.path, source.pointer))
                            .monospace()
                            .small(),
                    );
                }
            }
        }
        if !shape.violations.is_empty() {
            ui.add_space(6.0);
            ui.label(RichText::new("Fails").strong().color(palette.fail));
            violations(wb, ui, view, &shape.violations, &palette);
        }
        return;
    }
    overview(wb, ui, view, &palette);
}

fn class_colour(class: Option<ScopeClass>, palette: &Palette) -> Color32 {
    match class {
        Some(ScopeClass::InScope) => palette.partial,
        Some(ScopeClass::Connected) => palette.supported,
        Some(ScopeClass::OutOfScope) => palette.muted,
        None => palette.muted,
    }
}

fn entry_of<'a>(view: &'a ScopeView, key: &str) -> Option<&'a crate::scope::ScopeEntry> {
    let (kind, name) = key.split_once(':')?;
    let kind = match kind {
        "ns" => ScopeKind::Namespace,
        "pool" => ScopeKind::NodePool,
        "subnet" => ScopeKind::Subnet,
        _ => return None,
    };
    view.scope.entry(kind, name)
}

/// The violations `indexes` with their reasons and evidence.
fn violations(
    wb: &mut Workbench,
    ui: &mut Ui,
    view: &ScopeView,
    indexes: &[usize],
    palette: &Palette,
) {
    let files = wb
        .loaded
        .as_ref()
        .and_then(|l| l.run.as_ref())
        .map(|r| r.files.clone())
        .unwrap_or_default();
    for &index in indexes {
        let Some(violation) = view.diagram.violations.get(index) else {
            continue;
        };
        ui.push_id(("scope-violation", index), |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    RichText::new(&violation.check)
                        .monospace()
                        .color(palette.fail),
                );
                ui.label(RichText::new(&violation.resource).strong());
                ui.label(&violation.reason);
                for (i, evidence) in violation.evidence.iter().enumerate() {
                    ui.push_id(("evidence", i), |ui| {
                        super::detail::evidence_item(wb, ui, &files, evidence, palette);
                    });
                }
            });
        });
    }
}

/// The scope at a glance: counts, declared flows, failures, history, and
/// the diagram as an attachment.
fn overview(wb: &mut Workbench, ui: &mut Ui, view: &ScopeView, palette: &Palette) {
    ui.label(RichText::new("Scope at a glance").strong().size(15.0));
    if !view.scope.is_known() {
        ui.label(RichText::new(how_to_state_scope()).color(palette.partial));
    }
    for kind in ScopeKind::ALL {
        let [inside, connected, outside, unknown] = view.scope.counts(kind);
        if inside + connected + outside + unknown == 0 {
            continue;
        }
        ui.label(format!(
            "{}s: {inside} in scope, {connected} connected, {outside} out of scope, {unknown} not stated",
            capitalised(kind.label())
        ));
    }
    ui.add_space(8.0);
    ui.label(
        RichText::new(format!(
            "Failures of the boundary checks ({})",
            view.diagram.violations.len()
        ))
        .strong(),
    );
    if view.diagram.violations.is_empty() {
        ui.label("None in the latest run.");
    }
    for (index, violation) in view.diagram.violations.iter().enumerate() {
        let text = format!("{}: {}", violation.check, violation.resource);
        if ui
            .add(egui::Button::new(RichText::new(text).color(palette.fail)).wrap())
            .on_hover_text(&violation.reason)
            .clicked()
        {
            wb.scope_selected = violation.shape.or_else(|| {
                view.diagram
                    .shapes
                    .iter()
                    .position(|s| s.violations.contains(&index))
            });
        }
    }
    ui.add_space(8.0);
    ui.label(
        RichText::new(format!(
            "Declared flows across the boundary ({})",
            view.scope.flows.len()
        ))
        .strong(),
    );
    for flow in &view.scope.flows {
        ui.label(format!("{}: {}", flow.describe(), flow.why));
        ui.label(
            RichText::new(format!("{} {}", flow.source.path, flow.source.pointer))
                .monospace()
                .small()
                .weak(),
        );
    }
    ui.add_space(8.0);
    ui.label(RichText::new("Scope as recorded").strong());
    if view.recorded.is_empty() {
        ui.label("No scope has been recorded yet.");
    }
    for recorded in view.recorded.iter().rev() {
        ui.label(format!(
            "#{} · {} · {}",
            recorded.event,
            recorded.recorded_at.format("%Y-%m-%d %H:%M UTC"),
            recorded.recorded_by.display()
        ));
        ui.label(
            RichText::new(crate::store::scope_summary(&recorded.scope))
                .small()
                .weak(),
        );
    }
    ui.add_space(10.0);
    attach_button(wb, ui, view);
}

fn attach_button(wb: &mut Workbench, ui: &mut Ui, view: &ScopeView) {
    let Some(assessment) = wb.loaded.as_ref().map(|l| l.assessment.clone()) else {
        return;
    };
    let requirement = diagram_requirement(&assessment.catalog_id);
    let can = wb.prefs.profile.is_some() && !view.diagram.is_empty();
    let button = ui
        .add_enabled(can, egui::Button::new(format!("Attach this diagram to {requirement}")))
        .on_hover_text(format!(
            "Adds the diagram as an SVG attachment of {requirement} (the network diagram), to compare with the client's own"
        ))
        .on_disabled_hover_text("Choose a reviewer profile first");
    if button.clicked() {
        let actor = wb.actor();
        wb.worker.submit(Task::AttachScopeDiagram {
            actor,
            assessment: assessment.id,
            requirement: requirement.to_owned(),
        });
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
