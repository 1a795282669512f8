//! The Evidence screen: every evidence file of the open assessment (format,
//! tool, collected and imported, by whom, size, resources, supersession,
//! sensitive data, state), what can happen to one (retire it, keep it with
//! its sensitive data, store a redacted copy, purge its bytes), and the
//! documents that arrived with the evidence but document no requirement
//! yet, attached from here.

use std::collections::HashSet;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::app::Workbench;
use super::theme::Palette;
use super::worker::{ImportReport, LifecycleAction};
use crate::store::{EvidenceFile, FileState, ImportOutcome};

/// The screen's state.
#[derive(Debug, Default)]
pub struct InventoryState {
    /// The evidence file shown below the list.
    pub selected: Option<i64>,
    /// The reason typed for the next change.
    pub reason: String,
    /// The document chosen to attach.
    pub document: Option<i64>,
    /// The requirements typed to attach it to (comma- or space-separated).
    pub requirements: String,
    /// Only files still evaluated.
    pub current_only: bool,
    /// Only files whose path contains this (ignoring case).
    pub filter: String,
}

impl Workbench {
    /// The evidence files of the open assessment, replaced ones included.
    pub fn evidence_files(&self) -> &[EvidenceFile] {
        self.loaded.as_ref().map_or(&[], |l| l.files.as_slice())
    }

    /// The documents imported with the evidence of the open assessment that
    /// no requirement has as an attachment.
    pub fn unassigned_documents(&self) -> Vec<&EvidenceFile> {
        let Some(loaded) = &self.loaded else {
            return Vec::new();
        };
        let attached: HashSet<&str> = loaded
            .states
            .values()
            .flat_map(|s| s.attachments.iter())
            .filter(|a| a.withdrawn.is_none())
            .map(|a| a.sha256.as_str())
            .collect();
        loaded
            .files
            .iter()
            .filter(|f| {
                f.is_document()
                    && f.state() == FileState::Current
                    && !attached.contains(f.provenance.sha256.as_str())
            })
            .collect()
    }

    /// The evidence files of the open assessment whose sensitive data waits
    /// for a decision.
    pub fn files_with_pending_sensitive_data(&self) -> Vec<&EvidenceFile> {
        self.loaded
            .as_ref()
            .map(|l| l.files.iter().filter(|f| f.sensitive_pending()).collect())
            .unwrap_or_default()
    }

    /// The reason typed on the Evidence screen for the next change.
    pub fn inventory_reason(&self) -> &str {
        &self.inventory.reason
    }
}

/// How many files of an import hold sensitive data nobody has reviewed.
pub fn sensitive_files(report: &ImportReport) -> usize {
    report
        .files
        .iter()
        .filter(
            |f| matches!(&f.result, Ok(ImportOutcome::Imported(file)) if file.sensitive_pending()),
        )
        .count()
}

/// The import report, one line per file: evaluated as a format, kept as a
/// document, unchanged or unusable (with the reason), and its sensitive
/// data; `true` marks lines to look at.
pub fn import_lines(report: &ImportReport) -> Vec<(String, bool)> {
    let mut lines = Vec::new();
    for f in &report.files {
        match &f.result {
            Ok(ImportOutcome::Imported(file)) => {
                let what = if file.is_document() {
                    "kept as a document".to_owned()
                } else {
                    format!("evaluated as {}", file.provenance.format.label())
                };
                lines.push((format!("{}: {what}", f.path), false));
                if let Some(old) = file.supersedes {
                    lines.push((format!("    replaces file #{old}"), false));
                }
                for s in file.open_findings() {
                    lines.push((
                        format!("    {} at {}: {}", s.kind.label(), s.place(), s.preview),
                        true,
                    ));
                }
            }
            Ok(ImportOutcome::Unchanged(file)) => lines.push((
                format!("{}: unchanged (already file #{})", f.path, file.id),
                false,
            )),
            Err(e) => lines.push((format!("unusable: {e}"), true)),
        }
    }
    lines
}

/// Shows the screen.
pub fn show(wb: &mut Workbench, ui: &mut Ui) {
    egui::CentralPanel::default().show(ui, |ui| {
        let Some(loaded) = wb.loaded.as_ref() else {
            ui.label("No assessment is open.");
            return;
        };
        let name = loaded.assessment.name.clone();
        let wanted = wb.inventory.filter.trim().to_lowercase();
        let files: Vec<EvidenceFile> = loaded
            .files
            .iter()
            .filter(|f| !wb.inventory.current_only || f.state() == FileState::Current)
            .filter(|f| wanted.is_empty() || f.provenance.path.to_lowercase().contains(&wanted))
            .cloned()
            .collect();
        ui.add_space(6.0);
        ui.label(
            RichText::new(format!("Evidence of {name}"))
                .size(19.0)
                .strong(),
        );
        summary(wb, ui);
        ui.horizontal(|ui| {
            let label = ui.label("Filter files");
            ui.add(
                egui::TextEdit::singleline(&mut wb.inventory.filter)
                    .hint_text("part of the path")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
            ui.checkbox(
                &mut wb.inventory.current_only,
                "Only files that are evaluated",
            );
        });
        let height = (ui.available_height() * 0.42).max(160.0);
        egui::ScrollArea::horizontal()
            .id_salt("inventory-table")
            .show(ui, |ui| {
                ui.set_height(height);
                table(wb, ui, &files);
            });
        ui.separator();
        ui.columns(2, |columns| {
            let left = egui::Layout::top_down(egui::Align::Min);
            columns[0].with_layout(left, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("inventory-file")
                    .show(ui, |ui| selected_file(wb, ui));
            });
            columns[1].with_layout(left, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("inventory-documents")
                    .show(ui, |ui| documents(wb, ui));
            });
        });
    });
}

fn summary(wb: &Workbench, ui: &mut Ui) {
    let Some(loaded) = &wb.loaded else {
        return;
    };
    let count = |state: FileState| loaded.files.iter().filter(|f| f.state() == state).count();
    let pending = wb.files_with_pending_sensitive_data().len();
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "{} file(s): {} current, {} superseded, {} retired, {} purged; {} unassigned document(s)",
            loaded.files.len(),
            count(FileState::Current),
            count(FileState::Superseded),
            count(FileState::Retired),
            count(FileState::Purged),
            wb.unassigned_documents().len()
        ));
        if pending > 0 {
            ui.label(
                RichText::new(format!(
                    "· {pending} file(s) with sensitive data to review (exports leave them out)"
                ))
                .color(Palette::of(ui).fail)
                .strong(),
            );
        }
    });
}

fn state_text(ui: &Ui, file: &EvidenceFile) -> RichText {
    let palette = Palette::of(ui);
    let state = file.state();
    let colour = match state {
        FileState::Current => palette.pass,
        FileState::Superseded | FileState::Retired => palette.muted,
        FileState::Purged => palette.fail,
    };
    RichText::new(state.id()).color(colour)
}

fn table(wb: &mut Workbench, ui: &mut Ui, files: &[EvidenceFile]) {
    let palette = Palette::of(ui);
    let mut clicked = None;
    TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .column(Column::exact(52.0))
        .column(Column::exact(82.0))
        .column(Column::initial(190.0).at_least(100.0).clip(true))
        .column(Column::exact(118.0))
        .column(Column::initial(130.0).at_least(70.0).clip(true))
        .column(Column::exact(76.0))
        .column(Column::exact(96.0))
        .column(Column::remainder().at_least(160.0).clip(true))
        .header(22.0, |mut header| {
            for title in [
                "File",
                "State",
                "Format (tool)",
                "Imported",
                "By",
                "Bytes",
                "Sensitive",
                "Path",
            ] {
                header.col(|ui| {
                    ui.label(RichText::new(title).strong());
                });
            }
        })
        .body(|body| {
            body.rows(22.0, files.len(), |mut row| {
                let f = &files[row.index()];
                row.set_selected(wb.inventory.selected == Some(f.id));
                row.col(|ui| {
                    if ui
                        .selectable_label(wb.inventory.selected == Some(f.id), format!("#{}", f.id))
                        .clicked()
                    {
                        clicked = Some(f.id);
                    }
                });
                row.col(|ui| {
                    ui.label(state_text(ui, f));
                });
                row.col(|ui| {
                    let p = &f.provenance;
                    let tool = match (&p.tool, &p.tool_version) {
                        (Some(t), Some(v)) => format!("{} ({t} {v})", p.format.label()),
                        (Some(t), None) => format!("{} ({t})", p.format.label()),
                        _ => p.format.label().to_owned(),
                    };
                    ui.label(tool);
                });
                row.col(|ui| {
                    ui.label(
                        f.provenance
                            .imported_at
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                    );
                });
                row.col(|ui| {
                    ui.label(f.imported_by.display());
                });
                row.col(|ui| {
                    ui.label(f.provenance.size.to_string());
                });
                row.col(|ui| {
                    let open = f.open_findings().len();
                    let redacted = f.lifecycle.sensitive.len() - open;
                    if f.sensitive_pending() {
                        ui.label(
                            RichText::new(format!("{open} to review"))
                                .color(palette.fail)
                                .strong(),
                        );
                    } else if open > 0 && f.lifecycle.kept.is_some() {
                        ui.label(RichText::new(format!("{open} kept")).color(palette.partial));
                    } else if redacted > 0 {
                        ui.label(
                            RichText::new(format!("{redacted} redacted")).color(palette.muted),
                        );
                    } else {
                        ui.label("—");
                    }
                });
                row.col(|ui| {
                    ui.label(&f.provenance.path)
                        .on_hover_text(&f.provenance.path);
                });
                if row.response().clicked() {
                    clicked = Some(f.id);
                }
            });
        });
    if let Some(id) = clicked {
        wb.inventory.selected = Some(id);
    }
}

fn selected_file(wb: &mut Workbench, ui: &mut Ui) {
    let file = wb
        .inventory
        .selected
        .and_then(|id| wb.loaded.as_ref()?.files.iter().find(|f| f.id == id))
        .cloned();
    let Some(file) = file else {
        ui.label(
            RichText::new("Select a file to see what it holds and what can happen to it.").weak(),
        );
        return;
    };
    let palette = Palette::of(ui);
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("File #{}", file.id)).strong());
        ui.label(state_text(ui, &file));
    });
    ui.label(RichText::new(&file.provenance.path).monospace());
    for line in file.lifecycle_lines() {
        let warn = line.starts_with("SENSITIVE") || line.starts_with("sensitive data not yet");
        let text = RichText::new(line);
        ui.label(if warn { text.color(palette.fail) } else { text });
    }
    for note in &file.provenance.notes {
        ui.label(RichText::new(note).weak());
    }
    ui.add_space(6.0);
    let reason_label = ui.label("Reason");
    ui.add(
        egui::TextEdit::singleline(&mut wb.inventory.reason)
            .hint_text("why: recorded with the change")
            .desired_width(f32::INFINITY),
    )
    .labelled_by(reason_label.id);
    let reason = wb.inventory.reason.trim().to_owned();
    let has_reason = !reason.is_empty();
    let state = file.state();
    let bytes_stored = state != FileState::Purged;
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        let retire = ui.add_enabled(
            has_reason && state == FileState::Current,
            egui::Button::new("Retire"),
        );
        if retire
            .on_hover_text("Stop evaluating this file; it stays in the record")
            .clicked()
        {
            action = Some(LifecycleAction::Retire {
                file: file.id,
                reason: reason.clone(),
            });
        }
        let sensitive = !file.open_findings().is_empty() && bytes_stored;
        let keep = ui.add_enabled(
            has_reason && sensitive && file.lifecycle.kept.is_none(),
            egui::Button::new("Keep as it is"),
        );
        if keep
            .on_hover_text("Keep the sensitive data in the record; exports carry the file and say so")
            .clicked()
        {
            action = Some(LifecycleAction::Keep {
                file: file.id,
                reason: reason.clone(),
            });
        }
        let redact = ui.add_enabled(has_reason && sensitive, egui::Button::new("Store redacted copy"));
        if redact
            .on_hover_text("Replace every finding by a marker in a copy evaluated in its place, and purge the original bytes")
            .clicked()
        {
            action = Some(LifecycleAction::Redact {
                file: file.id,
                reason: reason.clone(),
            });
        }
        let purge = ui.add_enabled(has_reason && bytes_stored, egui::Button::new("Purge bytes"));
        if purge
            .on_hover_text("Remove the stored bytes for good; the record keeps their hash and why")
            .clicked()
        {
            action = Some(LifecycleAction::Purge {
                file: file.id,
                reason: reason.clone(),
            });
        }
    });
    if !has_reason {
        ui.label(RichText::new("Type a reason to retire, keep, redact or purge.").weak());
    }
    // The reason stays typed when the change waits for a profile.
    if let Some(action) = action
        && wb.lifecycle(action)
    {
        wb.inventory.reason.clear();
    }
}

fn documents(wb: &mut Workbench, ui: &mut Ui) {
    let documents: Vec<(i64, String, u64)> = wb
        .unassigned_documents()
        .iter()
        .map(|f| (f.id, f.provenance.path.clone(), f.provenance.size))
        .collect();
    ui.label(RichText::new(format!("Unassigned documents ({})", documents.len())).strong());
    if documents.is_empty() {
        ui.label(RichText::new("Every imported document is attached to a requirement.").weak());
        return;
    }
    ui.label(RichText::new("Imported with the evidence, attached to no requirement yet.").weak());
    for (id, path, size) in &documents {
        let name = path.rsplit('/').next().unwrap_or(path);
        let chosen = wb.inventory.document == Some(*id);
        if ui
            .selectable_label(chosen, format!("{name}  ({size} bytes)"))
            .on_hover_text(path)
            .clicked()
        {
            wb.inventory.document = Some(*id);
        }
    }
    ui.add_space(6.0);
    let label = ui.label("Requirements");
    ui.add(
        egui::TextEdit::singleline(&mut wb.inventory.requirements)
            .hint_text("e.g. 1.2.3, 12.5.2")
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    let requirements: Vec<String> = wb
        .inventory
        .requirements
        .split([',', ' ', ';'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    let ready = wb
        .inventory
        .document
        .is_some_and(|d| documents.iter().any(|(id, ..)| *id == d))
        && !requirements.is_empty();
    if ui
        .add_enabled(ready, egui::Button::new("Attach to requirements"))
        .clicked()
        && let Some(file) = wb.inventory.document.take()
    {
        wb.inventory.requirements.clear();
        wb.lifecycle(LifecycleAction::Attach { file, requirements });
    }
}
