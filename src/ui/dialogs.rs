//! Modal dialogs: new assessment, reviewer profiles, the security lead's
//! approval, typed paths (where no file dialog is available), dropped
//! files, withdrawing an attachment, the import report and the help
//! overlay.

use std::path::PathBuf;

use chrono::{Days, NaiveDate, Utc};
use egui::{RichText, Ui};

use super::app::Workbench;
use super::keyboard::SHORTCUTS;
use super::theme::Palette;
use super::worker::{PickPurpose, Task};
use crate::store::{
    ApprovalGate, ApprovalOverride, Assessment, AttachmentMeta, MIN_JUSTIFICATION_WORDS,
    NewAssessment, NewProfile, Role, SignOffState,
};

/// What to do once the user has answered about unsaved drafts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    /// Select this requirement.
    Select(String),
    /// Open this assessment.
    Open(i64),
    /// Close the window.
    Close,
}

/// The user's answer about unsaved drafts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftChoice {
    /// Record them in the review record.
    Save,
    /// Keep them as private drafts beside the record.
    Keep,
    /// Throw them away.
    Discard,
}

/// The dialog on screen.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// Text typed but not saved, and the user is leaving it.
    UnsavedDrafts {
        /// The requirements with drafts.
        requirements: Vec<String>,
        /// What was interrupted.
        then: Then,
    },
    /// What changed between two moments of a requirement.
    Diff(Box<super::diff_view::DiffDialog>),
    /// Confirm clearing a requirement's finding.
    ClearFinding {
        /// The requirement.
        requirement: String,
    },
    /// Shortcuts and icons.
    Help,
    /// Create an assessment.
    NewAssessment(AssessmentForm),
    /// Choose or create a reviewer profile.
    Profiles(ProfileForm),
    /// Approve or send back.
    Approval(ApprovalForm),
    /// Type a path to import, attach or export to.
    TypedPath {
        /// What for.
        purpose: PickPurpose,
        /// The path typed.
        path: String,
        /// Why the path typed cannot be used (shown under it; the path
        /// stays for correcting).
        problem: Option<String>,
    },
    /// Files dropped onto the window: import or attach?
    Dropped {
        /// The files and folders.
        paths: Vec<PathBuf>,
        /// The selected requirement when they were dropped.
        requirement: Option<String>,
        /// Whether any of them is a folder (looked up once, at the drop, not
        /// every frame: a stat can stall on a network share).
        any_folder: bool,
    },
    /// Withdraw an attachment.
    Withdraw {
        /// The requirement.
        requirement: String,
        /// The attachment.
        attachment: i64,
        /// Its name.
        file_name: String,
        /// Why.
        reason: String,
    },
    /// What the last import could not read.
    ImportReport,
    /// A large import: go ahead?
    ConfirmImport {
        /// The assessment.
        assessment: i64,
        /// What was asked for.
        paths: Vec<PathBuf>,
        /// How much it holds.
        survey: crate::evidence::Survey,
    },
    /// Declare an appendix that applies only to some entities not
    /// applicable, with a reason.
    NotApplicable(NotApplicableForm),
    /// Sign several requirements off at once.
    BulkSignOff(BulkSignOffForm),
    /// A save refused: a colleague's version and mine side by side.
    Conflict(Box<super::conflict::ConflictDialog>),
    /// Open another review record (a file or a shared server).
    OpenRecord(Box<super::open_record::OpenRecordForm>),
    /// A text or Markdown attachment.
    Document {
        /// Its name.
        file_name: String,
        /// Render it as Markdown.
        markdown: bool,
        /// The text.
        text: String,
    },
}

/// The new-assessment form.
#[derive(Debug, Clone, Default)]
pub struct AssessmentForm {
    name: String,
    cluster: String,
    start: String,
    end: String,
    /// The framework (a built-in catalog's ID).
    catalog: String,
    /// The earlier assessment to start from.
    from: Option<i64>,
    problem: Option<String>,
}

/// The form that declares an appendix not applicable.
#[derive(Debug, Clone, Default)]
pub struct NotApplicableForm {
    /// The appendix, e.g. `A1`.
    scope: String,
    /// Its title.
    title: String,
    /// The entities it applies to.
    applies_to: String,
    /// How many assessed requirements it has.
    count: usize,
    /// How many of them already have another finding.
    concluded: usize,
    reason: String,
    problem: Option<String>,
}

/// The form that signs several requirements off at once.
#[derive(Debug, Clone, Default)]
pub struct BulkSignOffForm {
    /// As their reviewer rather than their preparer.
    reviewer: bool,
    /// The requirements that can be signed, their titles, and whether each
    /// is selected.
    items: Vec<(String, String, bool)>,
    problem: Option<String>,
}

/// The profile form.
#[derive(Debug, Clone)]
pub struct ProfileForm {
    name: String,
    email: String,
    role: Role,
    /// The new profile's SSH public key (optional).
    new_key: String,
    /// A key to bind to the profile in use.
    key: String,
    /// Why the profile in use is retired.
    retire_reason: String,
    problem: Option<String>,
}

/// The approval form.
#[derive(Debug, Clone, Default)]
pub struct ApprovalForm {
    statement: String,
    justification: String,
    /// Approve over the open items (an override naming each).
    override_open: bool,
    /// What is open and whether the profile may approve, for that profile.
    gate: Option<(Option<i64>, ApprovalGate)>,
    /// The profile the gate was last asked for.
    asked: Option<Option<i64>>,
    problem: Option<String>,
}

impl ApprovalForm {
    /// The worker's answer to what is open, for `profile`.
    pub fn set_gate(&mut self, profile: Option<i64>, gate: ApprovalGate) {
        self.gate = Some((profile, gate));
    }
}

impl Dialog {
    /// The new-assessment dialog, with the cluster of `previous` and a
    /// six-month period from today.
    pub fn new_assessment(previous: Option<&Assessment>) -> Dialog {
        let today = Utc::now().date_naive();
        let end = today.checked_add_days(Days::new(182)).unwrap_or(today);
        Dialog::NewAssessment(AssessmentForm {
            cluster: previous.map(|a| a.cluster.clone()).unwrap_or_default(),
            start: today.to_string(),
            end: end.to_string(),
            catalog: crate::catalog::default_catalog().id.clone(),
            ..AssessmentForm::default()
        })
    }

    /// The dialog that declares appendix `scope` of the open assessment not
    /// applicable.
    pub fn not_applicable(wb: &Workbench, scope: &str) -> Option<Dialog> {
        let node = wb.catalog.get(scope)?;
        let applies_to = node.applies_to.clone()?;
        let requirements: Vec<&str> = wb
            .catalog
            .descendants(scope)
            .into_iter()
            .filter(|n| n.is_assessed())
            .map(|n| n.id.as_str())
            .collect();
        let concluded = requirements
            .iter()
            .filter(|id| {
                wb.requirement_state(id)
                    .and_then(|s| s.conclusion())
                    .is_some_and(|c| c.finding != crate::store::Finding::NotApplicable)
            })
            .count();
        Some(Dialog::NotApplicable(NotApplicableForm {
            scope: scope.to_owned(),
            title: node.title.clone(),
            applies_to,
            count: requirements.len(),
            concluded,
            ..NotApplicableForm::default()
        }))
    }

    /// The dialog that signs off the requirements the tree shows that can
    /// be signed (as their preparer, or as their reviewer), all selected.
    pub fn bulk_sign_off(wb: &Workbench, reviewer: bool) -> Dialog {
        let items = wb
            .visible_requirements()
            .into_iter()
            .filter(|id| {
                wb.requirement_state(id).is_some_and(|s| {
                    if reviewer {
                        s.sign_off_state == SignOffState::Current
                            && s.reviewer_state != SignOffState::Current
                            && s.open_review_notes().next().is_none()
                    } else {
                        s.conclusion().is_some() && s.sign_off_state != SignOffState::Current
                    }
                })
            })
            .map(|id| {
                let title = wb
                    .catalog
                    .get(&id)
                    .map(|n| n.title.clone())
                    .unwrap_or_default();
                (id, title, true)
            })
            .collect();
        Dialog::BulkSignOff(BulkSignOffForm {
            reviewer,
            items,
            problem: None,
        })
    }

    /// The profiles dialog.
    pub fn profiles() -> Dialog {
        Dialog::Profiles(ProfileForm {
            name: String::new(),
            email: String::new(),
            role: Role::Auditor,
            new_key: String::new(),
            key: String::new(),
            retire_reason: String::new(),
            problem: None,
        })
    }

    /// Shows why this dialog's own task failed (`action` as the worker
    /// names it) in the dialog; false when the failure is not this
    /// dialog's.
    pub fn show_failure(&mut self, action: &str, message: &str) -> bool {
        let problem = match self {
            Dialog::NewAssessment(form) if action == "Creating the assessment" => &mut form.problem,
            Dialog::Profiles(form)
                if action == "Creating the profile"
                    || action == "Registering the signing key"
                    || action == "Retiring the profile" =>
            {
                &mut form.problem
            }
            Dialog::Approval(form)
                if action == "Approving the assessment"
                    || action == "Sending the assessment back"
                    || action == "Checking what is open" =>
            {
                &mut form.problem
            }
            Dialog::NotApplicable(form) if action.starts_with("Declaring") => &mut form.problem,
            Dialog::BulkSignOff(form) if action.starts_with("Signing off") => &mut form.problem,
            _ => return false,
        };
        *problem = Some(upper_first(message));
        true
    }

    /// The approval dialog.
    pub fn approval() -> Dialog {
        Dialog::Approval(ApprovalForm::default())
    }

    /// The question about unsaved drafts.
    pub fn unsaved(requirements: Vec<String>, then: Then) -> Dialog {
        Dialog::UnsavedDrafts { requirements, then }
    }

    /// A typed-path dialog.
    pub fn typed_path(purpose: PickPurpose) -> Dialog {
        Dialog::TypedPath {
            purpose,
            path: String::new(),
            problem: None,
        }
    }

    /// The dropped-files dialog.
    pub fn dropped(paths: Vec<PathBuf>, requirement: Option<String>) -> Dialog {
        let any_folder = paths.iter().any(|p| p.is_dir());
        Dialog::Dropped {
            paths,
            requirement,
            any_folder,
        }
    }

    /// The withdraw dialog.
    pub fn withdraw(requirement: &str, attachment: &AttachmentMeta) -> Dialog {
        Dialog::Withdraw {
            requirement: requirement.to_owned(),
            attachment: attachment.id,
            file_name: attachment.file_name.clone(),
            reason: String::new(),
        }
    }

    fn title(&self) -> String {
        match self {
            Dialog::UnsavedDrafts { requirements, .. } => match requirements.as_slice() {
                [one] => format!("Unsaved changes to {one}"),
                many => format!("Unsaved changes to {} requirements", many.len()),
            },
            Dialog::ClearFinding { requirement } => format!("Clear the finding of {requirement}?"),
            Dialog::Diff(diff) => diff.title.clone(),
            Dialog::Help => "Keyboard shortcuts and icons".to_owned(),
            Dialog::NewAssessment(_) => "New assessment".to_owned(),
            Dialog::Profiles(_) => "Reviewer profiles".to_owned(),
            Dialog::Approval(_) => "Security lead's approval".to_owned(),
            Dialog::TypedPath { purpose, .. } => match purpose {
                PickPurpose::ImportFiles | PickPurpose::ImportFolder => {
                    "Import evidence from a path".to_owned()
                }
                PickPurpose::Attach { requirement } => {
                    format!("Attach a document to {requirement}")
                }
                PickPurpose::Export { format, .. } => format!("Export ({})", format.label()),
                PickPurpose::ExportComparison { format, .. } => {
                    format!("Export the comparison ({})", format.label())
                }
                PickPurpose::ExportRequests { format, .. } => {
                    format!(
                        "Export the request list ({})",
                        format.extension().to_uppercase()
                    )
                }
                PickPurpose::OpenRecord => "Open a review record".to_owned(),
            },
            Dialog::Dropped { .. } => "Files dropped".to_owned(),
            Dialog::Withdraw { file_name, .. } => format!("Withdraw {file_name}"),
            Dialog::ImportReport => "Import report".to_owned(),
            Dialog::ConfirmImport { survey, .. } => {
                format!("Import {}?", survey.describe())
            }
            Dialog::NotApplicable(form) => format!("{} does not apply", form.scope),
            Dialog::BulkSignOff(form) if form.reviewer => "Sign as reviewer".to_owned(),
            Dialog::BulkSignOff(_) => "Sign off several requirements".to_owned(),
            Dialog::Document { file_name, .. } => format!("Attachment: {file_name}"),
            Dialog::OpenRecord(form) => form.title().to_owned(),
            Dialog::Conflict(conflict) => conflict.title(),
        }
    }
}

/// Whether the dialog stays open.
pub(super) enum Outcome {
    Keep,
    Close,
}

/// Shows the open dialog, if any.
pub fn show(wb: &mut Workbench, ctx: &egui::Context) {
    let Some(mut dialog) = wb.dialog.take() else {
        return;
    };
    let mut outcome = Outcome::Keep;
    let modal = egui::Modal::new(egui::Id::unique("tickmark-dialog")).show(ctx, |ui| {
        if matches!(
            dialog,
            Dialog::Document { .. } | Dialog::Diff(_) | Dialog::Conflict(_)
        ) {
            // A fixed width: wrapped text would otherwise widen an
            // auto-sized dialog a little every frame.
            let width = (ctx.content_rect().width() - 80.0).clamp(360.0, 880.0);
            ui.set_width(width);
        } else {
            ui.set_max_width(560.0);
            ui.set_min_width(420.0);
        }
        ui.label(RichText::new(dialog.title()).size(17.0).strong());
        ui.add_space(6.0);
        outcome = match &mut dialog {
            Dialog::UnsavedDrafts { requirements, then } => {
                unsaved_drafts(wb, ui, requirements, then)
            }
            Dialog::ClearFinding { requirement } => clear_finding(wb, ui, requirement),
            Dialog::Diff(diff) => {
                super::diff_view::show(wb, ui, diff);
                ui.add_space(6.0);
                if ui.button("Close").clicked() {
                    Outcome::Close
                } else {
                    Outcome::Keep
                }
            }
            Dialog::Help => help(ui),
            Dialog::NewAssessment(form) => new_assessment(wb, ui, form),
            Dialog::Profiles(form) => profiles(wb, ui, form),
            Dialog::Approval(form) => approval(wb, ui, form),
            Dialog::TypedPath {
                purpose,
                path,
                problem,
            } => typed_path(wb, ui, purpose, path, problem),
            Dialog::Dropped {
                paths,
                requirement,
                any_folder,
            } => dropped(wb, ui, paths, requirement.as_deref(), *any_folder),
            Dialog::Withdraw {
                requirement,
                attachment,
                reason,
                ..
            } => withdraw(wb, ui, requirement, *attachment, reason),
            Dialog::ImportReport => import_report(wb, ui),
            Dialog::ConfirmImport {
                assessment,
                paths,
                survey,
            } => confirm_import(wb, ui, *assessment, paths, survey),
            Dialog::NotApplicable(form) => not_applicable(wb, ui, form),
            Dialog::BulkSignOff(form) => bulk_sign_off(wb, ui, form),
            Dialog::Document { markdown, text, .. } => document(ui, *markdown, text),
            Dialog::OpenRecord(form) => super::open_record::show(wb, ui, form),
            Dialog::Conflict(conflict) => super::conflict::show(wb, ui, conflict),
        };
    });
    if modal.should_close() {
        outcome = Outcome::Close;
    }
    if matches!(outcome, Outcome::Keep) && wb.dialog.is_none() {
        wb.dialog = Some(dialog);
    }
}

/// Text typed but not saved: save it, keep it as a draft, or discard it;
/// Cancel (or Esc) stays where the user was.
fn unsaved_drafts(
    wb: &mut Workbench,
    ui: &mut Ui,
    requirements: &[String],
    then: &Then,
) -> Outcome {
    let palette = Palette::of(ui);
    let leaving = match then {
        Then::Select(_) => "You are leaving this requirement.",
        Then::Open(_) => "You are opening another assessment.",
        Then::Close => "Tickmark is closing.",
    };
    ui.label(format!(
        "{leaving} The text typed here is not in the review record yet."
    ));
    for requirement in requirements.iter().take(6) {
        let typed = wb.review_as_typed(requirement);
        let saved = wb.saved_review(requirement);
        let mut what = Vec::new();
        if typed.note != saved.note {
            what.push("note");
        }
        if typed.compensating != saved.compensating || typed.customized != saved.customized {
            what.push("worksheet");
        }
        ui.label(RichText::new(format!("{requirement}: {}", what.join(" and "))).strong());
        let preview: String = typed.note.lines().take(3).collect::<Vec<_>>().join("\n");
        if !preview.trim().is_empty() {
            egui::Frame::new()
                .fill(ui.visuals().faint_bg_color)
                .inner_margin(6.0)
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(RichText::new(preview).italics());
                });
        }
    }
    if requirements.len() > 6 {
        ui.label(format!("and {} more", requirements.len() - 6));
    }
    ui.label(
        RichText::new(
            "Save records it (an event in the review record). Keep as draft leaves it on this \
             computer, outside the record, until you save or discard it; it survives closing \
             the app. Discard throws it away.",
        )
        .small()
        .color(palette.muted),
    );
    let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
    let mut choice = None;
    let cancelled = buttons(ui, |ui| {
        if ui
            .button(RichText::new("Save").strong())
            .on_hover_text("Enter")
            .clicked()
            || enter
        {
            choice = Some(DraftChoice::Save);
        }
        if ui.button("Keep as draft").clicked() {
            choice = Some(DraftChoice::Keep);
        }
        if ui.button("Discard").clicked() {
            choice = Some(DraftChoice::Discard);
        }
        Outcome::Keep
    });
    if matches!(cancelled, Outcome::Close) {
        return Outcome::Close;
    }
    match choice {
        Some(choice) => {
            wb.resolve_drafts(requirements, choice, then.clone());
            Outcome::Close
        }
        None => Outcome::Keep,
    }
}

/// Clearing a finding is asked for explicitly and confirmed here.
fn clear_finding(wb: &mut Workbench, ui: &mut Ui, requirement: &str) -> Outcome {
    let finding = wb
        .requirement_state(requirement)
        .and_then(|s| s.conclusion())
        .map_or_else(|| "none".to_owned(), |c| c.label());
    ui.label(format!(
        "The finding recorded now is {finding}. Clearing it records a change: the earlier \
         finding stays in the history, and a sign-off of the requirement goes stale."
    ));
    let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
    buttons(ui, |ui| {
        if ui
            .button(RichText::new("Clear finding").strong())
            .on_hover_text("Enter")
            .clicked()
            || enter
        {
            wb.clear_finding();
            return Outcome::Close;
        }
        Outcome::Keep
    })
}

fn buttons(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> Outcome) -> Outcome {
    ui.add_space(8.0);
    ui.separator();
    ui.horizontal(|ui| {
        if ui.button("Cancel").clicked() {
            return Outcome::Close;
        }
        add(ui)
    })
    .inner
}

fn field(ui: &mut Ui, label: &str, text: &mut String, hint: &str) -> egui::Response {
    ui.horizontal(|ui| {
        let label = ui.add_sized([110.0, 20.0], egui::Label::new(label));
        let edit = egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(f32::INFINITY);
        ui.add(edit).labelled_by(label.id)
    })
    .inner
}

fn help(ui: &mut Ui) -> Outcome {
    egui::Grid::new("shortcuts")
        .striped(true)
        .spacing([24.0, 4.0])
        .show(ui, |ui| {
            for (keys, what) in SHORTCUTS {
                ui.label(RichText::new(*keys).monospace().strong());
                ui.label(*what);
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    ui.label(RichText::new("Icons in the tree").strong());
    super::tree::legend(ui);
    ui.add_space(8.0);
    if ui.button("Close").clicked() {
        Outcome::Close
    } else {
        Outcome::Keep
    }
}

fn document(ui: &mut Ui, markdown: bool, text: &str) -> Outcome {
    let palette = Palette::of(ui);
    let height = (ui.ctx().content_rect().height() * 0.7).max(200.0);
    egui::ScrollArea::vertical()
        .min_scrolled_height(height)
        .max_height(height)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if markdown {
                super::markdown::show(ui, text, &palette);
            } else {
                ui.label(RichText::new(text).monospace());
            }
        });
    ui.add_space(6.0);
    if ui.button("Close").clicked() {
        Outcome::Close
    } else {
        Outcome::Keep
    }
}

fn new_assessment(wb: &mut Workbench, ui: &mut Ui, form: &mut AssessmentForm) -> Outcome {
    field(ui, "Name", &mut form.name, "e.g. Harbourline 2027 H1");
    field(ui, "Cluster", &mut form.cluster, "e.g. aks-bu0001a0005-01");
    field(ui, "Period from", &mut form.start, "YYYY-MM-DD");
    field(ui, "Period to", &mut form.end, "YYYY-MM-DD");
    ui.horizontal(|ui| {
        ui.add_sized([110.0, 20.0], egui::Label::new("Framework"));
        for catalog in crate::catalog::builtins() {
            let text = if catalog.id == crate::catalog::DEFAULT_CATALOG_ID {
                format!("{} (current)", catalog.name)
            } else {
                catalog.name.clone()
            };
            ui.radio_value(&mut form.catalog, catalog.id.clone(), text);
        }
    });
    if form.catalog == crate::catalog::PCI_DSS_321_ID {
        ui.label(
            RichText::new(
                "PCI DSS 3.2.1 was retired on 31 March 2024: use it only to record an assessment of an earlier period.",
            )
            .small()
            .color(Palette::of(ui).stale),
        );
    }
    let earlier: Vec<(i64, String, String)> = wb
        .assessments
        .iter()
        .map(|a| (a.id, a.name.clone(), a.cluster.clone()))
        .collect();
    ui.horizontal(|ui| {
        let label = ui.add_sized([110.0, 20.0], egui::Label::new("Start from"));
        let shown = form
            .from
            .and_then(|id| earlier.iter().find(|(a, ..)| *a == id))
            .map_or_else(
                || "Nothing (an empty assessment)".to_owned(),
                |(_, name, _)| name.clone(),
            );
        let before = form.from;
        egui::ComboBox::from_id_salt("start-from")
            .selected_text(shown)
            .width(300.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut form.from, None, "Nothing (an empty assessment)");
                for (id, name, _) in &earlier {
                    ui.selectable_value(&mut form.from, Some(*id), name);
                }
            })
            .response
            .labelled_by(label.id);
        if form.from != before
            && let Some((_, _, cluster)) = earlier.iter().find(|(a, ..)| Some(*a) == form.from)
            && form.cluster.trim().is_empty()
        {
            form.cluster = cluster.clone();
        }
    });
    if let Some((_, name, _)) = earlier.iter().find(|(a, ..)| Some(*a) == form.from) {
        ui.label(
            RichText::new(format!(
                "The evidence files of \"{name}\" are carried forward (referenced, not stored again) and evaluated against the new framework. Its findings and notes show beside the mapped requirements as the prior period; none is copied in as a finding."
            ))
            .small()
            .weak(),
        );
    }
    problem_line(ui, form.problem.as_ref());
    buttons(ui, |ui| {
        if ui
            .button(RichText::new("Create assessment").strong())
            .clicked()
        {
            match form_to_assessment(form, &form.catalog) {
                Ok(new) => {
                    form.problem = None;
                    match form.from {
                        Some(prior) => {
                            wb.start_job(super::worker::Job::StartFrom {
                                actor: wb.actor(),
                                prior,
                                new,
                            });
                        }
                        None => wb.worker.submit(Task::CreateAssessment(new)),
                    }
                }
                Err(problem) => form.problem = Some(problem),
            }
        }
        Outcome::Keep
    })
}

fn not_applicable(wb: &mut Workbench, ui: &mut Ui, form: &mut NotApplicableForm) -> Outcome {
    ui.label(format!(
        "{} {} applies only to {}. Declaring it not applicable records Not Applicable, with your reason as the note, for each of its {} requirement(s): one event each, in one step.",
        form.scope, form.title, form.applies_to, form.count
    ));
    if form.concluded > 0 {
        ui.label(
            RichText::new(format!(
                "{} of them already have another finding; change those one by one first.",
                form.concluded
            ))
            .color(Palette::of(ui).stale),
        );
    }
    ui.add_space(4.0);
    let label = ui.label("Reason");
    ui.add(
        egui::TextEdit::multiline(&mut form.reason)
            .hint_text("e.g. Harbourline is a merchant, not a multi-tenant service provider.")
            .desired_rows(3)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    problem_line(ui, form.problem.as_ref());
    buttons(ui, |ui| {
        let ready = !form.reason.trim().is_empty();
        let button = ui
            .add_enabled(
                ready,
                egui::Button::new(
                    RichText::new(format!("Declare {} not applicable", form.scope)).strong(),
                ),
            )
            .on_disabled_hover_text("Say why it does not apply");
        if button.clicked() {
            form.problem = None;
            wb.declare_not_applicable(&form.scope, form.reason.trim().to_owned());
        }
        Outcome::Keep
    })
}

fn bulk_sign_off(wb: &mut Workbench, ui: &mut Ui, form: &mut BulkSignOffForm) -> Outcome {
    let role = if form.reviewer {
        "reviewer"
    } else {
        "preparer"
    };
    ui.label(format!(
        "Sign off, as their {role}, the requirements below that the tree shows: each is its own signed event over what it shows now, with the default statement. Untick any you have not examined."
    ));
    if form.items.is_empty() {
        ui.label(RichText::new("None of the requirements shown can be signed off now.").weak());
    }
    egui::ScrollArea::vertical()
        .max_height(260.0)
        .show(ui, |ui| {
            for (id, title, selected) in &mut form.items {
                ui.checkbox(selected, format!("{id} {title}"));
            }
        });
    let chosen: Vec<String> = form
        .items
        .iter()
        .filter(|(_, _, selected)| *selected)
        .map(|(id, ..)| id.clone())
        .collect();
    let profile = wb.profile().cloned();
    wb.signing.ui(ui, profile.as_ref(), "bulk");
    problem_line(ui, form.problem.as_ref());
    buttons(ui, |ui| {
        let button = ui
            .add_enabled(
                !chosen.is_empty(),
                egui::Button::new(
                    RichText::new(format!("Sign off {} requirement(s)", chosen.len())).strong(),
                ),
            )
            .on_disabled_hover_text("Select at least one requirement");
        if button.clicked() {
            form.problem = None;
            wb.sign_off_many(chosen.clone(), form.reviewer);
        }
        Outcome::Keep
    })
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn problem_line(ui: &mut Ui, problem: Option<&String>) {
    if let Some(problem) = problem {
        ui.label(RichText::new(problem).color(Palette::of(ui).fail));
    }
}

fn form_to_assessment(form: &AssessmentForm, catalog: &str) -> Result<NewAssessment, String> {
    let date = |text: &str, what: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| format!("{what}: `{}` is not a date like 2026-12-31", text.trim()))
    };
    if form.name.trim().is_empty() {
        return Err("The assessment needs a name".to_owned());
    }
    Ok(NewAssessment {
        name: form.name.trim().to_owned(),
        cluster: form.cluster.trim().to_owned(),
        period_start: date(&form.start, "Period from")?,
        period_end: date(&form.end, "Period to")?,
        catalog_id: catalog.to_owned(),
    })
}

fn profiles(wb: &mut Workbench, ui: &mut Ui, form: &mut ProfileForm) -> Outcome {
    let palette = Palette::of(ui);
    ui.label("Every conclusion, note, attachment and sign-off records your profile and your operating-system user; with an SSH key, your sign-offs and approvals are signed.");
    ui.add_space(4.0);
    // The sample's fictional auditor works only in the sample assessment.
    let in_sample = wb.assessment().is_some_and(|a| a.sample);
    let shown: Vec<&crate::store::Profile> = wb
        .profiles
        .iter()
        .filter(|p| !p.sample || in_sample)
        .collect();
    if shown.is_empty() {
        ui.label(RichText::new("No profile yet: create one below.").weak());
    } else {
        ui.label(RichText::new("Click a profile to review as it, or create one below.").weak());
    }
    let mut chosen = None;
    for profile in shown {
        let selected = wb.prefs.profile == Some(profile.id);
        let email = if profile.email.is_empty() {
            String::new()
        } else {
            format!(" <{}>", profile.email)
        };
        let key = match &profile.key {
            Some(key) => format!("key {}", short_fingerprint(&key.fingerprint)),
            None => "no key".to_owned(),
        };
        let retired = if profile.retired.is_some() {
            " · retired"
        } else {
            ""
        };
        let text = format!(
            "{}{email} · {} · {key}{retired}",
            profile.name,
            profile.role.label()
        );
        let button = ui.add_enabled(
            profile.is_active(),
            egui::Button::selectable(selected, text),
        );
        if button
            .on_disabled_hover_text("Retired: records and signs nothing new")
            .clicked()
        {
            chosen = Some(profile.id);
        }
    }
    if let Some(id) = chosen {
        wb.use_profile(id);
        return Outcome::Close;
    }
    if let Some(current) = wb.profile().filter(|p| !p.sample && p.is_active()).cloned() {
        ui.add_space(6.0);
        ui.label(RichText::new(format!("Signing key of {}", current.name)).strong());
        match &current.key {
            Some(key) => ui.label(format!(
                "{} (bound at event #{}). A new key replaces it; earlier signatures stay checked against the key they were made with.",
                key.fingerprint, key.event
            )),
            None => ui.label(
                RichText::new("No key: sign-offs and approvals are recorded unsigned.")
                    .color(palette.partial),
            ),
        };
        field(
            ui,
            "SSH public key",
            &mut form.key,
            "ssh-ed25519 AAAA… or the path of your .pub file",
        );
        ui.horizontal(|ui| {
            let label = if current.key.is_some() {
                "Replace key"
            } else {
                "Register key"
            };
            if ui
                .add_enabled(!form.key.trim().is_empty(), egui::Button::new(label))
                .clicked()
            {
                form.problem = None;
                wb.worker.submit(Task::RegisterKey {
                    profile: current.id,
                    key: form.key.trim().to_owned(),
                });
                form.key.clear();
            }
        });
        field(
            ui,
            "Reason to retire",
            &mut form.retire_reason,
            "e.g. left the team in March",
        );
        if ui
            .add_enabled(
                !form.retire_reason.trim().is_empty(),
                egui::Button::new(format!("Retire {}", current.name)),
            )
            .on_hover_text("The profile stays in the record, but records and signs nothing new")
            .clicked()
        {
            form.problem = None;
            wb.worker.submit(Task::RetireProfile {
                profile: current.id,
                reason: form.retire_reason.trim().to_owned(),
            });
            form.retire_reason.clear();
        }
    }
    ui.add_space(6.0);
    ui.label(RichText::new("New profile").strong());
    field(ui, "Name", &mut form.name, "Your name");
    field(ui, "E-mail", &mut form.email, "name@example.com (optional)");
    ui.horizontal(|ui| {
        ui.add_sized([110.0, 20.0], egui::Label::new("Role"));
        for role in Role::ALL {
            ui.radio_value(&mut form.role, *role, role.label());
        }
    });
    field(
        ui,
        "Public key",
        &mut form.new_key,
        "optional: ssh-ed25519 AAAA… or a .pub file's path",
    );
    problem_line(ui, form.problem.as_ref());
    buttons(ui, |ui| {
        let ready = !form.name.trim().is_empty();
        if ui
            .add_enabled(
                ready,
                egui::Button::new(RichText::new("Create profile").strong()),
            )
            .clicked()
        {
            form.problem = None;
            wb.worker.submit(Task::CreateProfile {
                new: NewProfile {
                    name: form.name.clone(),
                    email: form.email.clone(),
                    role: form.role,
                },
                key: Some(form.new_key.trim().to_owned()).filter(|k| !k.is_empty()),
            });
        }
        Outcome::Keep
    })
}

/// `SHA256:abcdefgh…`.
fn short_fingerprint(fingerprint: &str) -> String {
    match fingerprint.get(..15) {
        Some(head) if fingerprint.len() > 15 => format!("{head}…"),
        _ => fingerprint.to_owned(),
    }
}

fn approval(wb: &mut Workbench, ui: &mut Ui, form: &mut ApprovalForm) -> Outcome {
    let palette = Palette::of(ui);
    let unconcluded: Vec<String> = wb
        .catalog
        .requirements()
        .filter(|r| wb.view.glance(&r.id).conclusion.is_none())
        .map(|r| r.id.clone())
        .collect();
    let total = wb.catalog.requirements().count();
    if let Some(state) = wb.loaded.as_ref().map(|l| &l.approval)
        && let Some(current) = &state.current
    {
        let by = current.by.name.as_deref().unwrap_or(&current.by.os_user);
        let mut text = format!(
            "Latest: {} by {by} on {} ({})",
            current.decision.label(),
            super::widgets::time(&current.at),
            crate::store::signature_label(current.signature.as_ref())
        );
        if current.stale {
            text.push_str(&format!(
                ". Stale: {} requirement(s) changed since ({})",
                current.changed_requirements.len(),
                short_list(&current.changed_requirements)
            ));
        }
        ui.label(RichText::new(text).color(if current.stale {
            palette.stale
        } else {
            ui.visuals().text_color()
        }));
    }
    ui.label(format!(
        "{} of {total} requirements have a conclusion.",
        total - unconcluded.len()
    ));
    let stale: Vec<String> = wb
        .catalog
        .requirements()
        .filter(|r| wb.view.glance(&r.id).sign_off == SignOffState::Stale)
        .map(|r| r.id.clone())
        .collect();
    if !stale.is_empty() {
        ui.label(
            RichText::new(format!(
                "{} sign-off(s) are stale: the evidence or review changed after signing ({}).",
                stale.len(),
                short_list(&stale)
            ))
            .color(palette.stale),
        );
    }
    let profile = wb.profile().cloned();
    let profile_id = profile.as_ref().map(|p| p.id);
    if form.asked != Some(profile_id)
        && let Some(assessment) = wb.assessment().map(|a| a.id)
    {
        form.asked = Some(profile_id);
        wb.worker.submit(Task::ApprovalGate {
            assessment,
            profile: profile_id,
        });
    }
    let gate = form
        .gate
        .as_ref()
        .filter(|(p, _)| *p == profile_id)
        .map(|(_, g)| g.clone());
    let is_lead = profile
        .as_ref()
        .is_some_and(|p| p.role == Role::SecurityLead);
    if !is_lead {
        ui.label(
            RichText::new("Only a security lead can decide: choose a security lead's profile.")
                .color(palette.stale),
        );
    }
    match &gate {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(RichText::new("Checking what is open…").weak());
            });
        }
        Some(gate) => gate_lines(ui, form, gate, is_lead, &palette),
    }
    let label = ui.label("Statement (or the reason for sending back)");
    ui.add(
        egui::TextEdit::multiline(&mut form.statement)
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    wb.signing.ui(ui, profile.as_ref(), "approval");
    problem_line(ui, form.problem.as_ref());
    let open = gate.as_ref().map(|g| g.open.clone()).unwrap_or_default();
    let refused = gate.as_ref().and_then(|g| g.refused.clone());
    let words = form.justification.split_whitespace().count();
    let justified = open.is_empty() || (form.override_open && words >= MIN_JUSTIFICATION_WORDS);
    let signing = wb.signing.missing(profile.as_ref());
    let has_statement = !form.statement.trim().is_empty();
    buttons(ui, |ui| {
        let missing: Option<String> = if !is_lead {
            Some("Only a security lead's profile can decide".into())
        } else if !has_statement {
            Some("Write the statement first".into())
        } else {
            signing.map(Into::into)
        };
        let approve_missing = missing.clone().or_else(|| {
            if gate.is_none() {
                Some("Checking what is open…".into())
            } else if let Some(reason) = &refused {
                Some(upper_first(reason))
            } else if let Some(notes) = gate.as_ref().filter(|g| !g.review_notes.is_empty()) {
                Some(format!(
                    "Clear the open review notes first: {}",
                    notes.describe_review_notes()
                ))
            } else if !open.is_empty() && !form.override_open {
                Some("Finish the open items, or approve over them with an override".into())
            } else if !justified {
                Some(format!(
                    "Write the justification for approving with open items first (at least a sentence: {MIN_JUSTIFICATION_WORDS} words or more)"
                ))
            } else {
                None
            }
        });
        if ui
            .add_enabled(
                approve_missing.is_none(),
                egui::Button::new(RichText::new("Approve").strong()),
            )
            .on_disabled_hover_text(approve_missing.as_deref().unwrap_or_default())
            .clicked()
        {
            let override_ = (!open.is_empty()).then(|| ApprovalOverride {
                justification: form.justification.trim().to_owned(),
                items: open.clone(),
            });
            form.problem = None;
            wb.decide(true, form.statement.clone(), override_);
        }
        if ui
            .add_enabled(missing.is_none(), egui::Button::new("Send back"))
            .on_disabled_hover_text(missing.as_deref().unwrap_or_default())
            .clicked()
        {
            form.problem = None;
            wb.decide(false, form.statement.clone(), None);
        }
        if !is_lead && ui.button("Profiles…").clicked() {
            wb.dialog = Some(Dialog::profiles());
        }
        Outcome::Keep
    })
}

/// What is open, whether this lead may approve, and the override.
fn gate_lines(
    ui: &mut Ui,
    form: &mut ApprovalForm,
    gate: &ApprovalGate,
    is_lead: bool,
    palette: &Palette,
) {
    if let (Some(reason), true) = (&gate.refused, is_lead) {
        ui.label(RichText::new(upper_first(reason)).color(palette.fail));
    }
    if !gate.review_notes.is_empty() {
        ui.label(
            RichText::new(format!(
                "{} review note(s) open: {}. A review note is answered and cleared, never overridden.",
                gate.review_notes.len(),
                gate.describe_review_notes()
            ))
            .color(palette.fail),
        );
    }
    if gate.open.is_empty() {
        ui.label(
            RichText::new(
                "Nothing is open: every requirement is concluded and signed off, and no sign-off is stale.",
            )
            .color(palette.pass),
        );
        return;
    }
    ui.label(
        RichText::new(format!(
            "{} open item(s): {}.",
            gate.open.count(),
            gate.open.describe()
        ))
        .color(palette.partial),
    );
    ui.checkbox(
        &mut form.override_open,
        format!(
            "Approve over these {} open items (an override: each is named in the approval, with your justification)",
            gate.open.count()
        ),
    );
    if form.override_open {
        let label = ui.label("Justification for approving with open items");
        ui.add(
            egui::TextEdit::multiline(&mut form.justification)
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    }
}

fn short_list(items: &[String]) -> String {
    let mut text = items.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 8 {
        text.push_str(&format!(" and {} more", items.len() - 8));
    }
    text
}

fn typed_path(
    wb: &mut Workbench,
    ui: &mut Ui,
    purpose: &PickPurpose,
    path: &mut String,
    problem: &mut Option<String>,
) -> Outcome {
    let writes = matches!(
        purpose,
        PickPurpose::Export { .. }
            | PickPurpose::ExportRequests { .. }
            | PickPurpose::ExportComparison { .. }
    );
    let (hint, action) = match purpose {
        PickPurpose::ImportFiles | PickPurpose::ImportFolder => (
            "A file or a folder (folders are read with everything below them); ~ and quotes are fine",
            "Import this path",
        ),
        PickPurpose::Attach { .. } => (
            "A PNG, JPEG, PDF, Markdown or text file",
            "Attach this file",
        ),
        _ => ("Where to write the export", "Export to this path"),
    };
    ui.label(RichText::new(hint).weak());
    let response = field(ui, "Path", path, "/path/to/file-or-folder");
    if response.changed() {
        *problem = None;
    }
    if ui.ctx().memory(|m| m.focused().is_none()) {
        response.request_focus();
    }
    if let Some(problem) = problem.as_ref() {
        ui.label(RichText::new(problem).color(Palette::of(ui).fail));
    }
    let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
    buttons(ui, |ui| {
        let ready = !path.trim().is_empty();
        let clicked = ui
            .add_enabled(ready, egui::Button::new(RichText::new(action).strong()))
            .clicked();
        if ready && (clicked || enter) {
            let chosen = super::widgets::typed_path(path);
            // A path that cannot be used keeps the dialog, and the path
            // typed, open for correcting.
            if let Some(why) = super::widgets::typed_path_problem(&chosen, writes) {
                *problem = Some(why);
                return Outcome::Keep;
            }
            wb.use_paths(purpose.clone(), vec![chosen]);
            return Outcome::Close;
        }
        Outcome::Keep
    })
}

fn dropped(
    wb: &mut Workbench,
    ui: &mut Ui,
    paths: &[PathBuf],
    requirement: Option<&str>,
    any_folder: bool,
) -> Outcome {
    for path in paths.iter().take(12) {
        ui.label(RichText::new(crate::evidence::display_path(path)).monospace());
    }
    if paths.len() > 12 {
        ui.label(format!("and {} more", paths.len() - 12));
    }
    let assessment = wb.assessment().map(|a| a.name.clone());
    buttons(ui, |ui| {
        if let Some(name) = &assessment
            && ui
                .button(RichText::new(format!("Import as evidence into \"{name}\"")).strong())
                .clicked()
        {
            wb.import(paths.to_vec());
            return Outcome::Close;
        }
        if let Some(requirement) = requirement
            && ui
                .add_enabled(
                    !any_folder,
                    egui::Button::new(format!("Attach to {requirement}")),
                )
                .on_disabled_hover_text("Folders cannot be attached; import them, or drop files")
                .clicked()
        {
            for path in paths {
                wb.attach(requirement, path.clone());
            }
            return Outcome::Close;
        }
        Outcome::Keep
    })
}

fn withdraw(
    wb: &mut Workbench,
    ui: &mut Ui,
    requirement: &str,
    attachment: i64,
    reason: &mut String,
) -> Outcome {
    ui.label("The attachment stays in the record (nothing is deleted) but no longer counts for sign-offs.");
    let response = field(
        ui,
        "Reason",
        reason,
        "e.g. attached by mistake; replaced by version 2",
    );
    if ui.ctx().memory(|m| m.focused().is_none()) {
        response.request_focus();
    }
    let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
    buttons(ui, |ui| {
        let ready = !reason.trim().is_empty();
        let clicked = ui
            .add_enabled(ready, egui::Button::new(RichText::new("Withdraw").strong()))
            .clicked();
        if ready && (clicked || enter) {
            wb.withdraw(requirement, attachment, reason.trim().to_owned());
            return Outcome::Close;
        }
        Outcome::Keep
    })
}

fn confirm_import(
    wb: &mut Workbench,
    ui: &mut Ui,
    assessment: i64,
    paths: &[PathBuf],
    survey: &crate::evidence::Survey,
) -> Outcome {
    let shown: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| crate::evidence::display_path(p))
        .collect();
    ui.label(format!(
        "{} holds {}: more than {} files or {} MB. Every file is stored in the review record for good, unless purged.",
        shown.join(", "),
        survey.describe(),
        crate::evidence::Survey::CONFIRM_FILES,
        crate::evidence::Survey::CONFIRM_BYTES / 1_000_000
    ));
    ui.label("Cancelling part-way keeps nothing of the import.");
    buttons(ui, |ui| {
        if ui.button("Import them all").clicked() {
            wb.import_confirmed(assessment, paths.to_vec());
            return Outcome::Close;
        }
        Outcome::Keep
    })
}

fn import_report(wb: &mut Workbench, ui: &mut Ui) -> Outcome {
    let palette = Palette::of(ui);
    let Some(report) = &wb.import_report else {
        return Outcome::Close;
    };
    if let Some(run) = &report.run {
        ui.label(run);
    }
    if report.cancelled {
        ui.label(
            RichText::new("Cancelled: nothing of this import was kept; the record is as it was.")
                .color(palette.partial),
        );
    }
    let lines = super::inventory::import_lines(report);
    if !lines.is_empty() && !report.cancelled {
        egui::ScrollArea::vertical()
            .id_salt("import-classified")
            .max_height(220.0)
            .show(ui, |ui| {
                for (text, warn) in &lines {
                    let text = RichText::new(text);
                    ui.label(if *warn {
                        text.color(palette.fail)
                    } else {
                        text
                    });
                }
            });
    }
    if let Some(error) = &report.error {
        ui.label(RichText::new(format!("Stopped: {error}")).color(palette.fail));
    }
    let failed: Vec<String> = report
        .files
        .iter()
        .filter_map(|f| f.result.as_ref().err().map(ToString::to_string))
        .chain(
            report
                .files
                .iter()
                .flat_map(|f| f.input_errors.iter())
                .map(|e| format!("input error: {e}")),
        )
        .chain(
            report
                .problems
                .iter()
                .map(|p| format!("stored file no longer readable: {p}")),
        )
        .collect();
    if !failed.is_empty() {
        ui.label(RichText::new(format!("{} file(s) could not be used:", failed.len())).strong());
        egui::ScrollArea::vertical()
            .max_height(320.0)
            .show(ui, |ui| {
                for line in &failed {
                    ui.label(RichText::new(line).color(palette.fail));
                }
            });
    }
    ui.add_space(6.0);
    if ui.button("Close").clicked() {
        wb.import_report = None;
        return Outcome::Close;
    }
    Outcome::Keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assessment_form_checks_name_and_dates() {
        let mut form = AssessmentForm {
            name: " H1 ".into(),
            cluster: "aks".into(),
            start: "2027-01-01".into(),
            end: "2027-06-30".into(),
            ..AssessmentForm::default()
        };
        let new = form_to_assessment(&form, "pci-dss-3.2.1").unwrap();
        assert_eq!(new.name, "H1");
        form.end = "30/06/2027".into();
        assert!(
            form_to_assessment(&form, "c")
                .unwrap_err()
                .contains("30/06/2027")
        );
        form.name.clear();
        assert!(form_to_assessment(&form, "c").unwrap_err().contains("name"));
    }
}
