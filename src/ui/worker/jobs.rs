//! The long jobs.

use super::*;

type Progress<'a> = &'a dyn Fn(usize, usize, String);

pub(super) fn run(
    store: &mut Store,
    shared: &Shared,
    job: Job,
    progress: Progress<'_>,
    cancel: &AtomicBool,
) -> Reply {
    match job {
        Job::Import {
            actor,
            assessment,
            paths,
            confirmed,
        } => {
            if !confirmed {
                progress(0, 0, "Counting the files".to_owned());
                let survey = evidence::Survey::of(&paths);
                if survey.needs_confirmation() {
                    return Reply::ConfirmImport {
                        assessment,
                        paths,
                        survey,
                    };
                }
            }
            Reply::Imported(import(
                store, shared, &actor, assessment, &paths, progress, cancel,
            ))
        }
        Job::Seed => Reply::Seeded(
            crate::sample::seed(store, &shared.settings)
                .map(|seeded| (seeded.assessment, seeded.skipped.len()))
                .map_err(|e| e.to_string()),
        ),
        Job::Compare { from, to } => Reply::Compared(
            store
                .compare(from, to)
                .map(Box::new)
                .map_err(|e| e.to_string()),
        ),
        Job::StartFrom { actor, prior, new } => start_from(store, shared, &actor, prior, &new),
        Job::Export {
            assessment,
            format,
            out,
        } => Reply::Exported(
            super::super::actions::catalog_of_assessment(store, assessment).and_then(|catalog| {
                super::export(store, catalog, (assessment, format, &out), progress, cancel)
            }),
        ),
        Job::Pick(purpose) => Reply::Picked {
            paths: pick(&purpose),
            purpose,
        },
        Job::OpenRecord { target } => Reply::RecordChecked {
            refusal: try_record(&target).err(),
            target,
        },
    }
}

/// Imports file by file (so a cancel takes effect between files), then
/// evaluates the assessment's evidence and records the run: all of it one
/// unit ([`Store::atomically`]), so a store error, a crash or a cancel
/// part-way keeps nothing of the import: the record is as it was.
fn import(
    store: &mut Store,
    shared: &Shared,
    actor: &Actor,
    assessment: i64,
    paths: &[PathBuf],
    progress: Progress<'_>,
    cancel: &AtomicBool,
) -> ImportReport {
    let mut report = ImportReport {
        assessment,
        files: Vec::new(),
        cancelled: false,
        run: None,
        problems: Vec::new(),
        error: None,
    };
    let mut files = Vec::new();
    for path in paths {
        let walked = evidence::walk(std::slice::from_ref(path));
        files.extend(walked.files);
        report
            .files
            .extend(walked.errors.into_iter().map(|error| FileReport {
                path: error.path.clone(),
                result: Err(error),
                input_errors: Vec::new(),
            }));
    }
    let unit = store.atomically(|store| {
        import_unit(
            store,
            shared,
            actor,
            assessment,
            &files,
            progress,
            cancel,
            &mut report,
        )
    });
    if let Err(e) = unit {
        report.run = None;
        report.problems.clear();
        if !report.cancelled {
            report.error = Some(format!("{e}; nothing of this import was kept"));
        }
    }
    // Pages of anything purged or rolled back leave the write-ahead log.
    let _ = store.scrub();
    report
}

/// The files and the run of one import (see [`import`]).
#[allow(clippy::too_many_arguments)]
fn import_unit(
    store: &mut Store,
    shared: &Shared,
    actor: &Actor,
    assessment: i64,
    files: &[PathBuf],
    progress: Progress<'_>,
    cancel: &AtomicBool,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let total = files.len();
    progress(0, total, "Reading the files".to_owned());
    let batch = evidence::Batch::prepare(files);
    let mut parsed = crate::store::ParsedEvidence::default();
    for (done, file) in files.iter().enumerate() {
        if cancelled(cancel) {
            report.cancelled = true;
            return Err(StoreError::Invalid("the import was cancelled".into()));
        }
        progress(done, total, evidence::display_path(file));
        let heard =
            store.import_batch_file_keeping(actor, assessment, &batch, file, &mut parsed)?;
        report.files.extend(heard);
    }
    progress(total, total, "Evaluating the checks".to_owned());
    // The run is part of the unit: an assessment whose framework cannot be
    // told keeps none of the files just read.
    let catalog = super::super::actions::catalog_of_assessment(store, assessment)
        .map_err(StoreError::Invalid)?;
    let (outcome, problems) = store.evaluate_and_record_reusing(
        actor,
        assessment,
        catalog,
        &shared.settings,
        &mut parsed,
    )?;
    report.problems = problems;
    let run = outcome.run();
    let c = run.counts();
    let what = match outcome {
        RunOutcome::Recorded(_) => format!("Run #{} recorded", run.id),
        RunOutcome::Unchanged(_) => format!("No change since run #{}", run.id),
    };
    report.run = Some(format!("{what}: {}", c.describe()));
    Ok(())
}

/// Creates `new` from the earlier assessment `prior` and evaluates its
/// carried-forward evidence against its own framework.
fn start_from(
    store: &mut Store,
    shared: &Shared,
    actor: &Actor,
    prior: i64,
    new: &NewAssessment,
) -> Reply {
    let failed = |message: String| Reply::Failed {
        action: "Creating the assessment".to_owned(),
        message,
    };
    let Some(catalog) = crate::catalog::builtin(&new.catalog_id) else {
        return failed(format!("this build has no catalog {}", new.catalog_id));
    };
    let (assessment, _) = match store.start_from(actor, prior, new) {
        Ok(created) => created,
        Err(e) => return failed(e.to_string()),
    };
    if let Err(e) = store.evaluate_and_record(actor, assessment.id, catalog, &shared.settings) {
        return failed(format!(
            "\"{}\" was created with the earlier evidence, but evaluating it failed: {e}",
            assessment.name
        ));
    }
    Reply::AssessmentCreated(assessment)
}

/// Shows a native file dialog. `None` when the user cancels or no dialog
/// can be shown (no desktop portal); the app offers a typed path then.
pub(super) fn pick(purpose: &PickPurpose) -> Option<Vec<PathBuf>> {
    let dialog = rfd::FileDialog::new();
    match purpose {
        PickPurpose::ImportFiles => dialog.set_title("Import evidence files").pick_files(),
        PickPurpose::ImportFolder => dialog
            .set_title("Import an evidence folder")
            .pick_folder()
            .map(|p| vec![p]),
        PickPurpose::Attach { requirement } => dialog
            .set_title(format!("Attach a document to {requirement}"))
            .pick_file()
            .map(|p| vec![p]),
        PickPurpose::Export { format, suggested } => dialog
            .set_title(format!("Export ({})", format.label()))
            .add_filter(format.label(), &[format.extension()])
            .set_file_name(suggested)
            .save_file()
            .map(|p| vec![p]),
        PickPurpose::ExportComparison { format, suggested } => dialog
            .set_title("Export the comparison")
            .add_filter(format.label(), &[format.extension()])
            .set_file_name(suggested)
            .save_file()
            .map(|p| vec![p]),
        PickPurpose::OpenRecord => dialog
            .set_title("Open a review record")
            .pick_file()
            .map(|p| vec![p]),
        PickPurpose::ExportRequests { format, suggested } => dialog
            .set_title("Export the evidence request list")
            .add_filter(format.extension().to_uppercase(), &[format.extension()])
            .set_file_name(suggested)
            .save_file()
            .map(|p| vec![p]),
    }
}

/// Opens the review record at `target` (creating a file that does not
/// exist yet; an existing file must already be a review record), bringing a
/// shared record's local copy up to date, and closes it again.
pub(super) fn try_record(target: &Path) -> Result<(), RecordRefusal> {
    let shown = evidence::display_path(target);
    let is_server = crate::store::is_server_url(&shown);
    let opened = if is_server || !target.exists() {
        Store::open(target)
    } else {
        Store::open_existing(target)
    };
    match opened {
        Ok(_) => Ok(()),
        Err(crate::store::StoreError::PasswordNeeded {
            message, refused, ..
        }) => Err(RecordRefusal {
            message,
            needs_password: true,
            refused_password: refused,
        }),
        Err(e) => Err(RecordRefusal {
            message: e.to_string(),
            needs_password: false,
            refused_password: false,
        }),
    }
}
