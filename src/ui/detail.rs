//! The centre: the selected requirement. ID, title, responsibility and
//! guidance; the automated checks with their outcomes and reasons; each
//! check's per-resource results (virtualised, for checks with very many
//! resources); and the evidence behind them, down to the cited snippet of
//! the stored file.

use egui::{FontId, RichText, Ui};

use super::app::{PageState, ResourceView};
use super::app::{SnippetState, Workbench};
use super::model::results_of;
use super::snippet::{SnippetKey, SnippetKind};
use super::theme::Palette;
use super::widgets;
use super::worker::{RESOURCE_PAGE, Task};
use crate::catalog::MappingStrength;
use crate::checks::{CheckStatus, ResourceResult, check_def};
use crate::evidence::EvidenceRef;
use crate::evidence::custody::Custody;
use crate::store::{ResourceKind, ResultSummary, RunFile};

use super::worker::Loaded;

/// The height of a resource row.
const RESOURCE_ROW: f32 = 22.0;

/// The most evidence references listed under a check (the resource rows
/// carry the rest).
const EVIDENCE_SHOWN: usize = 50;

/// The most resource rows shown before the table scrolls.
const RESOURCE_ROWS_SHOWN: usize = 10;

/// Shows the panel.
pub fn show(wb: &mut Workbench, ui: &mut Ui) {
    egui::CentralPanel::default().show(ui, |ui| {
        let Some(id) = wb.selected.clone() else {
            empty(ui, "Select a requirement in the tree.");
            return;
        };
        if wb.loaded.is_none() {
            let text = if wb.loading.is_some() {
                "Loading the assessment…"
            } else {
                "No assessment is open. Create one with \"New assessment…\", or open the sample from the Assessment menu."
            };
            empty(ui, text);
            return;
        }
        // The header stays in view; the rest scrolls.
        header(wb, ui, &id);
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt(("tickmark-detail", id.as_str()))
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.set_max_width(ui.available_width() - 8.0);
                description(wb, ui, &id);
                prior_period(wb, ui, &id);
                checks(wb, ui, &id);
            });
    });
}

fn empty(ui: &mut Ui, text: &str) {
    ui.add_space(40.0);
    ui.vertical_centered(|ui| {
        ui.label(RichText::new(text).weak().size(15.0));
    });
}

fn header(wb: &mut Workbench, ui: &mut Ui, id: &str) {
    let mut declare = None;
    header_of(wb, ui, id, &mut declare);
    if let Some(scope) = declare {
        wb.dialog = super::dialogs::Dialog::not_applicable(wb, &scope);
    }
}

fn header_of(wb: &Workbench, ui: &mut Ui, id: &str, declare: &mut Option<String>) {
    let palette = Palette::of(ui);
    let Some(node) = wb.catalog.get(id) else {
        return;
    };
    let glance = wb.view.glance(id);
    ui.add_space(6.0);
    let mut title = egui::text::LayoutJob::default();
    let color = ui.visuals().strong_text_color();
    title.append(
        id,
        0.0,
        egui::text::TextFormat::simple(FontId::monospace(22.0), color),
    );
    title.append(
        &node.title,
        14.0,
        egui::text::TextFormat::simple(FontId::proportional(18.0), color),
    );
    ui.label(title);
    ui.add_space(2.0);
    ui.horizontal_wrapped(|ui| {
        let verdict = glance.verdict;
        let verdict_text = format!(
            "Automated: {}",
            verdict.map_or("not evaluated yet", |v| v.label())
        );
        widgets::chip(ui, &verdict_text, palette.verdict(verdict), &palette);
        match glance.conclusion {
            Some(c) => widgets::chip(
                ui,
                &format!("Finding: {}", c.label()),
                palette.conclusion(c),
                &palette,
            ),
            None => widgets::outline_chip(ui, "No finding", palette.muted),
        };
        match glance.sign_off {
            crate::store::SignOffState::Current => {
                widgets::chip(ui, "Signed off", palette.signed, &palette)
            }
            crate::store::SignOffState::Stale => {
                widgets::chip(ui, "Sign-off stale", palette.stale, &palette)
            }
            crate::store::SignOffState::None => {
                widgets::outline_chip(ui, "Not signed off", palette.muted)
            }
        };
        widgets::outline_chip(
            ui,
            &format!("Responsibility: {}", node.responsibility.label()),
            ui.visuals().text_color(),
        );
        if node.new_in_v4 {
            widgets::chip(ui, "New in v4.0", palette.new_in_v4, &palette)
                .on_hover_text("PCI DSS v4.0 added this requirement: no 3.2.1 requirement precedes it");
        }
        if node.future_dated {
            widgets::outline_chip(ui, "Future-dated", palette.new_in_v4).on_hover_text(
                "A best practice until 31 March 2025, mandatory since",
            );
        }
        if let Some(kind) = &node.applies_to {
            widgets::outline_chip(ui, &format!("Applies only to {kind}"), palette.muted);
            if let Some(appendix) = wb.catalog.family_of(id).map(|f| f.id.clone())
                && ui
                    .small_button(format!("Declare {appendix} not applicable…"))
                    .on_hover_text("Record Not Applicable, with a reason, for every requirement of the appendix in one step")
                    .clicked()
            {
                *declare = Some(appendix);
            }
        }
        if let Some(family) = wb.catalog.family_of(id) {
            widgets::outline_chip(
                ui,
                &format!("Requirement {}", family.id),
                ui.visuals().weak_text_color(),
            )
            .on_hover_text(&family.title);
        }
    });
}

fn description(wb: &Workbench, ui: &mut Ui, id: &str) {
    let palette = Palette::of(ui);
    let Some(node) = wb.catalog.get(id) else {
        return;
    };
    widgets::section(ui, "Guidance on AKS");
    widgets::guidance(ui, &node.guidance, &palette);
    if !node.evidence.is_empty() {
        widgets::section(ui, "Evidence that satisfies it");
        for item in &node.evidence {
            widgets::bullet(ui, item, &palette);
        }
    }
}

/// What the assessment this one was started from recorded about the
/// requirements `id` maps to: for reference, never this period's finding.
fn prior_period(wb: &Workbench, ui: &mut Ui, id: &str) {
    let Some(prior) = wb.loaded.as_ref().and_then(|l| l.prior.as_ref()) else {
        return;
    };
    let palette = Palette::of(ui);
    let earlier = &prior.assessment;
    widgets::section(
        ui,
        &format!("Prior period: {} ({})", earlier.name, earlier.catalog_id),
    );
    ui.label(
        RichText::new(format!(
            "What the earlier assessment ({} to {}) recorded, matched by {}. Shown for reference: it is not this period's finding.",
            earlier.period_start, earlier.period_end, prior.mapping
        ))
        .small()
        .weak(),
    );
    let found = prior.of(id);
    if found.is_empty() {
        let node = wb.catalog.get(id);
        let text = if node.is_some_and(|n| n.new_in_v4) {
            "New in PCI DSS v4.0: no earlier requirement precedes it."
        } else {
            "No earlier requirement maps to this one."
        };
        ui.label(RichText::new(text).italics());
        return;
    }
    for (at, earlier) in found.iter().enumerate() {
        ui.push_id(("prior", at), |ui| prior_card(ui, earlier, &palette));
        ui.add_space(4.0);
    }
}

fn prior_card(ui: &mut Ui, earlier: &crate::store::PriorFinding, palette: &Palette) {
    egui::Frame::group(ui.style())
        .inner_margin(6.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(&earlier.requirement).monospace().strong());
                if let Some(mapping) = &earlier.mapping {
                    let mut text = mapping.kind.label().to_owned();
                    if mapping.judgement {
                        text.push_str(" (our judgement)");
                    }
                    let chip = widgets::outline_chip(ui, &text, ui.visuals().weak_text_color());
                    if let Some(note) = &mapping.note {
                        chip.on_hover_text(note);
                    }
                }
                match earlier.review.as_ref().and_then(|r| r.conclusion()) {
                    Some(c) => {
                        widgets::chip(
                            ui,
                            &format!("Earlier finding: {}", c.label()),
                            palette.conclusion(c),
                            palette,
                        );
                    }
                    None => {
                        widgets::outline_chip(ui, "No earlier finding", palette.muted);
                    }
                }
                if earlier.sign_off == crate::store::SignOffState::Current {
                    widgets::outline_chip(ui, "Signed off then", palette.signed);
                }
                ui.label(
                    RichText::new(format!(
                        "Automated then: {}",
                        earlier.verdict.map_or("not evaluated", |v| v.label())
                    ))
                    .small()
                    .weak(),
                );
            });
            let Some(review) = &earlier.review else {
                return;
            };
            ui.label(
                RichText::new(format!(
                    "Recorded by {} on {}",
                    review
                        .reviewer
                        .name
                        .as_deref()
                        .unwrap_or(&review.reviewer.os_user),
                    widgets::time(&review.reviewed_at)
                ))
                .small()
                .weak(),
            );
            if review.note.trim().is_empty() {
                ui.label(RichText::new("(no note)").small().weak());
            } else {
                super::markdown::show(ui, &review.note, palette);
            }
        });
}

fn checks(wb: &mut Workbench, ui: &mut Ui, id: &str) {
    // The results are only borrowed while drawing (a check may have very
    // many resource rows): the loaded assessment is set aside meanwhile.
    let Some(loaded) = wb.loaded.take() else {
        return;
    };
    checks_of(wb, ui, id, &loaded);
    wb.loaded = Some(loaded);
}

fn checks_of(wb: &mut Workbench, ui: &mut Ui, id: &str, loaded: &Loaded) {
    let palette = Palette::of(ui);
    let results: Vec<(usize, &ResultSummary)> = results_of(loaded, id);
    let files: &[RunFile] = loaded.run.as_ref().map_or(&[], |r| r.files.as_slice());
    let run = loaded.run.as_ref().map(|r| r.id);
    let failing = results
        .iter()
        .filter(|(_, r)| r.status == CheckStatus::Fail)
        .count();
    let unjudged = results
        .iter()
        .filter(|(_, r)| r.status == CheckStatus::NotEvaluated)
        .count();
    widgets::section(
        ui,
        &format!(
            "Automated checks ({}: {failing} failing, {unjudged} not evaluated)",
            results.len()
        ),
    );
    let Some(run) = run.filter(|_| !results.is_empty()) else {
        let text = if run.is_none() {
            "No evidence has been evaluated yet: import the cluster's exports (Import menu, drag and drop, or a typed path)."
        } else if wb.catalog.is_manual(id) {
            "No automated check covers this requirement: it is reviewed by hand, from documents and interviews. Attach what you examined in the review pane."
        } else {
            "The latest run has no result for this requirement."
        };
        ui.label(RichText::new(text).weak());
        return;
    };
    // What needs attention first: failures, then what could not be judged.
    let mut order = results;
    order.sort_by_key(|(_, r)| match r.status {
        CheckStatus::Fail => 0,
        CheckStatus::NotEvaluated => 1,
        CheckStatus::Pass => 2,
    });
    for (index, result) in order {
        ui.push_id(("check", &result.check, index), |ui| {
            check_card(wb, ui, files, id, (run, index), result, &palette)
        });
        ui.add_space(6.0);
    }
}

fn check_card(
    wb: &mut Workbench,
    ui: &mut Ui,
    files: &[RunFile],
    requirement: &str,
    key: (i64, usize),
    result: &ResultSummary,
    palette: &Palette,
) {
    egui::Frame::group(ui.style())
        .inner_margin(8.0)
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                let status = status_text(result.status);
                widgets::icon(ui, 18.0, status, |p, c, r| {
                    widgets::paint_check(p, c, r, result.status, palette)
                });
                ui.label(RichText::new(&result.check).monospace().strong());
                ui.label(
                    RichText::new(status)
                        .color(palette.check(result.status))
                        .strong(),
                );
                if let Some(def) = check_def(&result.check) {
                    ui.label(RichText::new(def.title).weak());
                }
                if result.strength_in(wb.catalog, requirement) == MappingStrength::Supports {
                    ui.label(RichText::new("supports").small().italics())
                        .on_hover_text(
                            "This check only supports the requirement: its pass alone does not \
                             decide it, a person must still test it.",
                        );
                }
            });
            ui.label(&result.reason);
            if let Some(def) = check_def(&result.check) {
                ui.label(
                    RichText::new(format!("Passes when: {}", def.passes_when))
                        .small()
                        .weak(),
                );
            }
            if !result.evidence.is_empty() {
                egui::CollapsingHeader::new(format!("Evidence ({})", result.evidence.len()))
                    .id_salt(("evidence", requirement, &result.check))
                    .default_open(result.status == CheckStatus::Fail && result.evidence.len() <= 3)
                    .show(ui, |ui| {
                        let shown = result.evidence.len().min(EVIDENCE_SHOWN);
                        for (i, evidence) in result.evidence[..shown].iter().enumerate() {
                            ui.push_id(i, |ui| evidence_item(wb, ui, files, evidence, palette));
                        }
                        if result.evidence.len() > shown {
                            ui.label(
                                RichText::new(format!(
                                    "… and {} more.",
                                    result.evidence.len() - shown
                                ))
                                .weak(),
                            );
                        }
                    });
            }
            if result.resources.total() > 0 {
                resources(wb, ui, files, key, result, palette);
            }
        });
}

fn status_text(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "Pass",
        CheckStatus::Fail => "Fail",
        CheckStatus::NotEvaluated => "Not evaluated",
    }
}

/// A check's resources: its counts, then one page of those that do not pass
/// (or, on request, of those that pass), read from the record when shown.
fn resources(
    wb: &mut Workbench,
    ui: &mut Ui,
    files: &[RunFile],
    key: (i64, usize),
    result: &ResultSummary,
    palette: &Palette,
) {
    let counts = result.resources;
    let view = wb
        .resources
        .entry(key)
        .or_insert_with(|| ResourceView::new(&counts));
    ui.add_space(4.0);
    let mut switch = None;
    // Wraps: with five-digit counts the two toggles do not fit beside the
    // counts in a narrow detail pane.
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("Resources ({})", counts.total())).strong());
        ui.label(
            RichText::new(format!(
                "{} pass · {} fail · {} not evaluated",
                counts.pass, counts.fail, counts.not_evaluated
            ))
            .weak(),
        );
        for (kind, label, n) in [
            (
                ResourceKind::NotPassing,
                "Not passing",
                counts.not_passing(),
            ),
            (ResourceKind::Passing, "Passing", counts.pass),
        ] {
            let text = format!("{label} ({n})");
            if ui
                .add_enabled(n > 0, egui::Button::selectable(view.kind == kind, text))
                .clicked()
                && view.kind != kind
            {
                switch = Some((kind, 0));
            }
        }
    });
    let shown = match &view.page {
        PageState::Ready(page) => Some(page.rows.len()),
        _ => None,
    };
    if let Some(rows) = shown.filter(|&n| n > 0) {
        let total = match &view.page {
            PageState::Ready(page) => page.total,
            _ => 0,
        };
        if total > rows {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!(
                        "Rows {}–{} of {total}",
                        view.offset + 1,
                        view.offset + rows
                    ))
                    .small(),
                );
                if ui
                    .add_enabled(view.offset > 0, egui::Button::new("◀ Previous").small())
                    .clicked()
                {
                    switch = Some((view.kind, view.offset.saturating_sub(RESOURCE_PAGE)));
                }
                if ui
                    .add_enabled(
                        view.offset + rows < total,
                        egui::Button::new("Next ▶").small(),
                    )
                    .clicked()
                {
                    switch = Some((view.kind, view.offset + RESOURCE_PAGE));
                }
            });
        }
    }
    if let Some((kind, offset)) = switch {
        view.kind = kind;
        view.offset = offset;
        view.page = PageState::Wanted;
        view.selected = None;
    }
    if matches!(view.page, PageState::Wanted) {
        view.page = PageState::Loading;
        let (kind, offset) = (view.kind, view.offset);
        wb.worker.submit(Task::Resources {
            run: key.0,
            result: key.1,
            kind,
            offset,
        });
    }
    let Some(view) = wb.resources.get(&key) else {
        return;
    };
    let page = match &view.page {
        PageState::Wanted | PageState::Loading => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(RichText::new("Reading the resources…").weak());
            });
            return;
        }
        PageState::Failed(message) => {
            ui.colored_label(
                palette.fail,
                format!("The resources could not be read: {message}"),
            );
            return;
        }
        PageState::Ready(page) => page,
    };
    let rows = &page.rows;
    let selected = view.selected;
    let mut clicked = None;
    let height =
        (rows.len().min(RESOURCE_ROWS_SHOWN) as f32) * (RESOURCE_ROW + ui.spacing().item_spacing.y);
    egui::Frame::new()
        .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
        .corner_radius(3.0)
        .inner_margin(2.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt(("resources", key, view.kind, view.offset))
                .min_scrolled_height(height)
                .max_height(height)
                .auto_shrink([false, true])
                .show_rows(ui, RESOURCE_ROW, rows.len(), |ui, range| {
                    let shared =
                        shared_prefix(range.clone().map(|row| short_resource(&rows[row].resource)));
                    for row in range {
                        let is_selected = selected == Some(row);
                        if resource_row(ui, &rows[row], shared, is_selected, palette).clicked() {
                            clicked = Some(row);
                        }
                    }
                });
        });
    let detail = clicked
        .map(|row| (selected != Some(row)).then_some(row))
        .unwrap_or(selected)
        .and_then(|row| rows.get(row).cloned());
    if let Some(view) = wb.resources.get_mut(&key)
        && clicked.is_some()
    {
        view.selected = clicked.filter(|&row| selected != Some(row));
    }
    if let Some(resource) = detail {
        resource_detail(wb, ui, files, &resource, palette);
    }
}

/// How many leading characters the names share, cut back to a word or path
/// boundary (0 for fewer than two names or a short prefix): rows like
/// "Checkov 3.2.497 scan (a/checkov.sarif)" and "… (b/checkov.sarif)" must
/// not elide to the same text.
fn shared_prefix<'a>(mut names: impl Iterator<Item = &'a str>) -> usize {
    let Some(first) = names.next() else {
        return 0;
    };
    let mut shared = first.len();
    let mut others = 0;
    for name in names {
        others += 1;
        shared = first
            .char_indices()
            .zip(name.chars())
            .take_while(|((i, a), b)| *i < shared && a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8());
    }
    if others == 0 {
        return 0;
    }
    let boundary = first[..shared].rfind([' ', '(', '/']).map_or(0, |i| i + 1);
    if boundary < 12 { 0 } else { boundary }
}

fn resource_row(
    ui: &mut Ui,
    resource: &ResourceResult,
    shared_prefix: usize,
    selected: bool,
    palette: &Palette,
) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), RESOURCE_ROW),
        egui::Sense::click(),
    );
    let label = format!("{}: {}", status_text(resource.status), resource.resource);
    response
        .widget_info(|| egui::WidgetInfo::selected(egui::Role::ListItem, true, selected, &label));
    if !ui.is_rect_visible(rect) {
        return response;
    }
    let painter = ui.painter();
    let visuals = ui.visuals();
    if selected {
        painter.rect_filled(rect, 2.0, palette.selection);
    } else if response.hovered() {
        painter.rect_filled(rect, 2.0, visuals.widgets.hovered.weak_bg_fill);
    }
    widgets::paint_check(
        painter,
        egui::pos2(rect.left() + 10.0, rect.center().y),
        6.0,
        resource.status,
        palette,
    );
    let text_color = visuals.text_color();
    let split = rect.left() + 24.0 + (rect.width() - 24.0) * 0.5;
    let name_font = FontId::monospace(11.5);
    let char_width = painter
        .layout_no_wrap("0".to_owned(), name_font.clone(), text_color)
        .size()
        .x
        .max(1.0);
    let fits = ((split - rect.left() - 34.0) / char_width) as usize;
    let short = short_resource(&resource.resource);
    let distinct = match short.get(shared_prefix..) {
        Some(rest) if shared_prefix > 0 => format!("…{rest}"),
        _ => short.to_owned(),
    };
    let name = one_line(
        painter,
        &middle_elide(&distinct, fits),
        name_font,
        text_color,
        split - rect.left() - 30.0,
    );
    painter.galley(
        egui::pos2(rect.left() + 24.0, rect.center().y - name.size().y / 2.0),
        name,
        text_color,
    );
    let reason = one_line(
        painter,
        &resource.reason,
        FontId::proportional(12.0),
        visuals.weak_text_color(),
        rect.right() - split - 6.0,
    );
    painter.galley(
        egui::pos2(split, rect.center().y - reason.size().y / 2.0),
        reason,
        text_color,
    );
    response.on_hover_text(format!("{}\n{}", resource.resource, resource.reason))
}

/// The distinguishing end of a resource name: an ARM ID's last segment
/// (the resource's name), anything else as it is.
fn short_resource(resource: &str) -> &str {
    if !resource.starts_with("/subscriptions/") {
        return resource;
    }
    resource
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or(resource)
}

/// `text` cut in the middle to at most `max` characters (names differ at
/// both ends: prefixes and suffixes carry meaning).
fn middle_elide(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max || max < 5 {
        return text.to_owned();
    }
    let head = (max - 1) / 2;
    let tail = max - 1 - head;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

fn one_line(
    painter: &egui::Painter,
    text: &str,
    font: FontId,
    color: egui::Color32,
    width: f32,
) -> std::sync::Arc<egui::Galley> {
    let mut job = egui::text::LayoutJob::single_section(
        text.to_owned(),
        egui::text::TextFormat::simple(font, color),
    );
    job.wrap = egui::text::TextWrapping::truncate_at_width(width.max(10.0));
    painter.layout_job(job)
}

fn resource_detail(
    wb: &mut Workbench,
    ui: &mut Ui,
    files: &[RunFile],
    resource: &ResourceResult,
    palette: &Palette,
) {
    egui::Frame::new()
        .fill(ui.visuals().faint_bg_color)
        .inner_margin(6.0)
        .corner_radius(3.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(&resource.resource).monospace().strong());
            ui.label(&resource.reason);
            for (i, evidence) in resource.evidence.iter().enumerate() {
                ui.push_id(("resource-evidence", i), |ui| {
                    evidence_item(wb, ui, files, evidence, palette)
                });
            }
        });
}

/// One piece of evidence: file, pointer, resource, and the snippet on demand.
pub(super) fn evidence_item(
    wb: &mut Workbench,
    ui: &mut Ui,
    files: &[RunFile],
    evidence: &EvidenceRef,
    palette: &Palette,
) {
    let sha256 = files
        .iter()
        .find(|f| f.path == evidence.path)
        .map(|f| f.sha256.clone());
    let pointer = if evidence.pointer.is_empty() {
        "(whole document)"
    } else {
        evidence.pointer.as_str()
    };
    let key = sha256.map(|sha256| SnippetKey {
        sha256,
        path: evidence.path.clone(),
        pointer: evidence.pointer.clone(),
    });
    // Keyed by the place, not the position: after an import the list may
    // hold other places, and a snippet open for one never opens another.
    let open_id = ui
        .scope_id()
        .with(("snippet-open", &evidence.path, &evidence.pointer));
    let mut open = ui.data(|d| d.get_temp::<bool>(open_id)).unwrap_or(false);
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&evidence.path).monospace());
        ui.label(RichText::new(pointer).monospace().color(palette.json.key));
        if key.is_some() {
            let text = if open { "Hide snippet" } else { "Show snippet" };
            if ui.small_button(text).clicked() {
                open = !open;
            }
        } else {
            ui.label(RichText::new("(file not in the latest run)").weak());
        }
    });
    if let Some(resource) = &evidence.resource {
        ui.label(RichText::new(resource).small().weak());
    }
    let custody = key
        .as_ref()
        .and_then(|key| wb.custody.get(&(key.path.clone(), key.sha256.clone())))
        .cloned();
    if let Some(custody) = custody {
        custody_line(ui, &custody, palette);
    }
    ui.data_mut(|d| d.insert_temp(open_id, open));
    if let (true, Some(key)) = (open, key) {
        wb.request_snippet(&key);
        snippet(wb, ui, &key, palette);
    }
}

/// How, when and by whom an evidence file was collected, and whether it
/// was changed afterwards.
fn custody_line(ui: &mut Ui, custody: &Custody, palette: &Palette) {
    ui.horizontal_wrapped(|ui| {
        let text = format!(
            "Collected {} by {} with {}",
            custody.collected_at.format("%Y-%m-%d %H:%M UTC"),
            custody.collected_by(),
            custody.tool_and_version()
        );
        let mut details = format!("Command: {}", custody.command);
        for (label, value) in [
            ("Subscription", &custody.subscription_id),
            ("Tenant", &custody.tenant_id),
            ("Kubernetes context", &custody.kube_context),
            ("Cluster", &custody.cluster_id),
        ] {
            if let Some(value) = value {
                details.push_str(&format!("\n{label}: {value}"));
            }
        }
        details.push_str(&format!(
            "\nManifest: {} (SHA-256 {})",
            custody.manifest, custody.manifest_sha256
        ));
        ui.label(RichText::new(text).small().weak())
            .on_hover_text(details);
        if custody.modified {
            ui.label(
                RichText::new("Modified after collection")
                    .small()
                    .strong()
                    .color(palette.fail),
            )
            .on_hover_text(format!(
                "The collection manifest recorded SHA-256 {}; the file imported has another. It was changed after it was collected.",
                custody.collected_sha256
            ));
        }
    });
}

/// A snippet as read (a spinner while it is read).
pub(super) fn snippet(wb: &Workbench, ui: &mut Ui, key: &SnippetKey, palette: &Palette) {
    let frame = egui::Frame::new()
        .fill(palette.code_background)
        .inner_margin(6.0)
        .corner_radius(3.0);
    match wb.snippets.get(key) {
        None | Some(SnippetState::Loading) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the stored file…");
            });
        }
        Some(SnippetState::Failed(message)) => {
            ui.label(
                RichText::new(format!("Cannot show this snippet: {message}")).color(palette.fail),
            );
        }
        Some(SnippetState::Ready(snippet)) => {
            frame.show(ui, |ui| {
                ui.set_width(ui.available_width());
                // As tall as the snippet up to 360 points, wherever on the
                // screen it opens (a scroll area otherwise shrinks to the
                // space left below it).
                let row = ui.fonts_mut(|f| f.row_height(&FontId::monospace(12.0)));
                let lines = snippet.text.lines().count().max(1) as f32;
                let height = (lines * row + 16.0).min(360.0);
                egui::ScrollArea::both()
                    .id_salt("snippet-scroll")
                    .min_scrolled_height(height)
                    .max_height(360.0)
                    .auto_shrink([false, true])
                    .show(ui, |ui| {
                        let font = FontId::monospace(12.0);
                        match snippet.kind {
                            SnippetKind::Json { cited } => {
                                let marked = cited.map(|line| (line, palette.selection));
                                let job = super::snippet::json_layout(
                                    &snippet.text,
                                    &palette.json,
                                    &font,
                                    marked,
                                );
                                ui.add(egui::Label::new(job).extend());
                            }
                            SnippetKind::Lines { first_line, cited } => {
                                for (i, line) in snippet.text.lines().enumerate() {
                                    let number = first_line + i;
                                    let text = RichText::new(format!("{number:>5}  {line}"))
                                        .font(font.clone());
                                    let text = if number == cited {
                                        text.strong().color(palette.json.key)
                                    } else {
                                        text
                                    };
                                    ui.add(egui::Label::new(text).extend());
                                }
                            }
                        }
                    });
                if snippet.omitted_lines > 0 {
                    ui.label(
                        RichText::new(format!(
                            "… {} more line(s) not shown",
                            snippet.omitted_lines
                        ))
                        .small()
                        .weak(),
                    );
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::short_resource;

    #[test]
    fn rows_that_share_a_long_beginning_show_where_they_differ() {
        let names = [
            "Checkov 3.2.497 scan (sample-data/scans/checkov-bicep.sarif)",
            "Checkov 3.2.497 scan (/tmp/ui98/checkov-bicep.sarif)",
        ];
        assert_eq!(super::shared_prefix(names.into_iter()), 22);
        assert_eq!(super::shared_prefix(names[..1].iter().copied()), 0);
        assert_eq!(super::shared_prefix(["nsg-a", "nsg-b"].into_iter()), 0);
    }

    #[test]
    fn arm_ids_are_shortened_to_their_name_and_long_names_cut_in_the_middle() {
        assert_eq!(
            short_resource(
                "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-a"
            ),
            "nsg-a"
        );
        assert_eq!(
            super::middle_elide("nsg-vnet-spoke-01-appgw", 11),
            "nsg-v…appgw"
        );
        assert_eq!(super::middle_elide("short", 11), "short");
        assert_eq!(
            short_resource("a0005-i/Deployment/web"),
            "a0005-i/Deployment/web"
        );
    }
}
