//! The quick tasks.

use super::*;
use crate::store::StoreError;

/// A public key typed in: one OpenSSH line, or the path of a `.pub` file.
fn read_public_key(text: &str) -> Result<crate::signing::PublicKey, String> {
    let text = text.trim();
    let path = std::path::Path::new(text);
    let key = if !text.starts_with("ssh-")
        && !text.starts_with("ecdsa-")
        && !text.starts_with("sk-")
        && path.is_file()
    {
        crate::signing::PublicKey::read_file(path)
    } else {
        crate::signing::PublicKey::parse(text)
    };
    key.map_err(|e| e.to_string())
}

/// The signer `sign` asks for, for the actor's profile: `None` when the
/// profile has no key or nothing was asked for (the store then says what
/// is needed).
fn signer(
    store: &Store,
    actor: &Actor,
    sign: Option<SignWith>,
) -> Result<Option<Box<dyn crate::signing::Signer>>, String> {
    let (Some(sign), Some(id)) = (sign, actor.profile) else {
        return Ok(None);
    };
    let profile = store
        .profile(id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("there is no profile #{id}"))?;
    let Some(key) = profile.key else {
        return Ok(None);
    };
    let signer: Box<dyn crate::signing::Signer> = match sign {
        SignWith::Agent => Box::new(
            crate::signing::PublicKey::parse(&key.openssh)
                .and_then(crate::signing::Agent::new)
                .map_err(|e| e.to_string())?,
        ),
        SignWith::KeyFile { path, passphrase } => Box::new(
            crate::signing::KeyFile::open(
                &path,
                Some(passphrase.as_str()).filter(|p| !p.is_empty()),
            )
            .map_err(|e| e.to_string())?,
        ),
    };
    Ok(Some(signer))
}

pub(super) fn run(store: &mut Store, task: Task) -> Result<Reply, String> {
    let text = |e: StoreError| e.to_string();
    let catalog_of = |store: &Store, assessment: i64| {
        super::super::actions::catalog_of_assessment(store, assessment)
    };
    match task {
        Task::Diff(request) => {
            let result = match &request {
                DiffRequest::SignOff {
                    assessment,
                    requirement,
                    sign_off,
                } => store.sign_off_diff(*assessment, requirement, *sign_off),
                DiffRequest::History {
                    assessment,
                    requirement,
                    seq,
                } => store.history_diff(*assessment, requirement, *seq),
                DiffRequest::Compare { from, to } => {
                    store.compare_diff((from.0, from.1.as_deref()), (to.0, to.1.as_deref()))
                }
            };
            Ok(Reply::Diff {
                request,
                result: result.map(Box::new).map_err(text),
            })
        }
        Task::ExportComparison {
            comparison,
            format,
            out,
        } => {
            let bytes = crate::export::compare::write(&comparison, format, &out)
                .map_err(|e| e.to_string())?;
            Ok(Reply::Exported(Ok(format!(
                "Comparison written to {} ({} rows, {bytes} bytes)",
                evidence::display_path(&out),
                comparison.requirements.len()
            ))))
        }
        Task::Requests { assessment } => {
            let catalog = catalog_of(store, assessment)?;
            Ok(requests_reply(store, catalog, assessment, None))
        }
        Task::SetRequest {
            actor,
            assessment,
            update,
        } => {
            store
                .set_evidence_request(&actor, assessment, &update)
                .map_err(text)?;
            let done = format!("Request \"{}\": {}", update.title, update.status.label());
            let catalog = catalog_of(store, assessment)?;
            Ok(requests_reply(store, catalog, assessment, Some(done)))
        }
        Task::ExportRequests {
            assessment,
            format,
            out,
        } => {
            let catalog = catalog_of(store, assessment)?;
            let record = store.record(assessment).map_err(text)?;
            let list = crate::requests::request_list(crate::collect::builtin(), catalog, &record);
            let as_of = crate::export::requests::as_of(&record);
            let (bytes, _) = crate::export::requests::write(&list, format, as_of, &out)
                .map_err(|e| e.to_string())?;
            Ok(Reply::Exported(Ok(format!(
                "Request list written to {} ({} requests, {bytes} bytes)",
                evidence::display_path(&out),
                list.requests.len()
            ))))
        }
        Task::Directory => Ok(Reply::Directory {
            assessments: store.assessments().map_err(text)?,
            profiles: store.profiles().map_err(text)?,
        }),
        Task::Load { assessment } => load(store, assessment).map_err(text),
        Task::LoadScope { assessment } => Ok(Reply::Scope {
            assessment,
            view: Box::new(scope_view(store, assessment).map_err(text)?),
        }),
        Task::Lifecycle {
            actor,
            assessment,
            action,
            settings,
        } => {
            let catalog = catalog_of(store, assessment)?;
            let done = lifecycle(store, catalog, &actor, assessment, action).map_err(text)?;
            store
                .evaluate_and_record(&actor, assessment, catalog, &settings)
                .map_err(text)?;
            let _ = store.scrub();
            let mut reply = load(store, assessment).map_err(text)?;
            if let Reply::Loaded(loaded) = &mut reply {
                loaded.done = Some(done);
            }
            Ok(reply)
        }
        Task::LatestRun { assessment } => {
            let colleagues = store.refresh_when_announced().map_err(text)?;
            Ok(Reply::LatestRun {
                assessment,
                run: store.latest_run_id(assessment).map_err(text)?,
                colleagues,
            })
        }
        Task::Requirement {
            assessment,
            requirement,
        } => requirement_reply(store, assessment, &requirement, None).map_err(text),
        Task::SetReview {
            actor,
            assessment,
            requirement,
            review,
            based_on,
        } => {
            let catalog = catalog_of(store, assessment)?;
            let saved = match based_on {
                Some(based_on) => store.set_review_based_on(
                    &actor,
                    assessment,
                    catalog,
                    &requirement,
                    review.as_ref(),
                    based_on,
                ),
                None => {
                    store.set_review(&actor, assessment, catalog, &requirement, review.as_ref())
                }
            };
            match saved {
                Err(StoreError::Conflict(conflict)) => {
                    return Ok(Reply::EditConflict {
                        assessment,
                        conflict,
                    });
                }
                other => other.map_err(text)?,
            };
            let done = format!("Saved the review of {requirement}");
            requirement_reply(store, assessment, &requirement, Some(done)).map_err(text)
        }
        Task::DeclareNotApplicable {
            actor,
            assessment,
            scope,
            reason,
        } => {
            let catalog = catalog_of(store, assessment)?;
            let recorded = store
                .declare_not_applicable(&actor, assessment, catalog, &scope, &reason)
                .map_err(text)?;
            let mut reply = load(store, assessment).map_err(text)?;
            if let Reply::Loaded(loaded) = &mut reply {
                loaded.done = Some(format!(
                    "Declared {} requirement(s) of {scope} not applicable",
                    recorded.len()
                ));
            }
            Ok(reply)
        }
        Task::Attach {
            actor,
            assessment,
            requirement,
            path,
        } => {
            let catalog = catalog_of(store, assessment)?;
            attach(store, catalog, &actor, assessment, &requirement, &path)
        }
        Task::AttachScopeDiagram {
            actor,
            assessment,
            requirement,
        } => {
            let catalog = catalog_of(store, assessment)?;
            let bytes = scope_svg(store, assessment).map_err(text)?;
            let name = format!(
                "scope-diagram-{}.svg",
                chrono::Utc::now().format("%Y-%m-%d")
            );
            store
                .add_attachment(
                    &actor,
                    assessment,
                    catalog,
                    &requirement,
                    &name,
                    None,
                    &bytes,
                )
                .map_err(text)?;
            let done = format!("Attached the scope diagram ({name}) to {requirement}");
            requirement_reply(store, assessment, &requirement, Some(done)).map_err(text)
        }
        Task::Withdraw {
            actor,
            assessment,
            requirement,
            attachment,
            reason,
        } => {
            let meta = store
                .withdraw_attachment(&actor, attachment, &reason)
                .map_err(text)?;
            let done = format!("Withdrew {} from {requirement}", meta.file_name);
            requirement_reply(store, assessment, &requirement, Some(done)).map_err(text)
        }
        Task::SignOff {
            actor,
            assessment,
            requirement,
            statement,
            sign,
            reviewer,
        } => {
            let catalog = catalog_of(store, assessment)?;
            let signer = signer(store, &actor, sign)?;
            let sign = if reviewer {
                Store::review_sign_off_with
            } else {
                Store::sign_off_with
            };
            let signed = sign(
                store,
                &actor,
                assessment,
                catalog,
                &requirement,
                &statement,
                signer.as_deref(),
            )
            .map_err(text)?;
            let role = if reviewer { " as reviewer" } else { "" };
            let done = format!(
                "Signed off {requirement}{role} ({})",
                signed.signature_label()
            );
            requirement_reply(store, assessment, &requirement, Some(done)).map_err(text)
        }
        Task::SignOffMany {
            actor,
            assessment,
            requirements,
            sign,
            reviewer,
        } => sign_off_many(store, &actor, assessment, &requirements, sign, reviewer),
        Task::ReviewNote {
            actor,
            assessment,
            requirement,
            action,
        } => {
            let done = match action {
                ReviewNoteAction::Raise(note) => {
                    let catalog = catalog_of(store, assessment)?;
                    let raised = store
                        .raise_review_note(&actor, assessment, catalog, &requirement, &note)
                        .map_err(text)?;
                    format!("Raised {} on {requirement}", raised.label())
                }
                ReviewNoteAction::Answer(note, answer) => {
                    let answered = store
                        .answer_review_note(&actor, note, &answer)
                        .map_err(text)?;
                    format!("Answered {}", answered.label())
                }
                ReviewNoteAction::Clear(note, remark) => {
                    let cleared = store
                        .clear_review_note(&actor, note, &remark)
                        .map_err(text)?;
                    format!("Cleared {}", cleared.label())
                }
            };
            requirement_reply(store, assessment, &requirement, Some(done)).map_err(text)
        }
        Task::Decide {
            actor,
            assessment,
            approve,
            statement,
            override_,
            sign,
        } => {
            let catalog = catalog_of(store, assessment)?;
            let signer = signer(store, &actor, sign)?;
            let done = if approve {
                let approval = store
                    .approve(
                        &actor,
                        assessment,
                        catalog,
                        &statement,
                        override_.as_ref(),
                        signer.as_deref(),
                    )
                    .map_err(text)?;
                format!(
                    "Approved the assessment ({})",
                    crate::store::signature_label(approval.signature.as_ref())
                )
            } else {
                store
                    .send_back(&actor, assessment, catalog, &statement, signer.as_deref())
                    .map_err(text)?;
                "Sent the assessment back to the auditors".to_owned()
            };
            Ok(Reply::Approval {
                assessment,
                state: store.approval_state(assessment).map_err(text)?,
                done,
            })
        }
        Task::ApprovalGate {
            assessment,
            profile,
        } => {
            let catalog = catalog_of(store, assessment)?;
            let gate = store
                .approval_gate(assessment, catalog, profile)
                .map_err(text)?;
            Ok(Reply::ApprovalGate {
                assessment,
                profile,
                gate: Box::new(gate),
            })
        }
        Task::CreateProfile { new, key } => {
            let key = key.as_deref().map(read_public_key).transpose()?;
            let actor = Actor::os_user_only();
            store
                .atomically(|store| {
                    let profile = store.create_profile(&actor, &new)?;
                    match &key {
                        Some(key) => store.register_key(&actor, profile.id, key),
                        None => Ok(profile),
                    }
                })
                .map(Reply::ProfileCreated)
                .map_err(text)
        }
        Task::RegisterKey { profile, key } => {
            let key = read_public_key(&key)?;
            let profile = store
                .register_key(&Actor::os_user_only(), profile, &key)
                .map_err(text)?;
            Ok(Reply::ProfileUpdated {
                done: format!("Bound {key} to {}", profile.name),
                profile,
            })
        }
        Task::RetireProfile { profile, reason } => {
            let profile = store
                .retire_profile(&Actor::os_user_only(), profile, &reason)
                .map_err(text)?;
            Ok(Reply::ProfileUpdated {
                done: format!("Retired the profile {}", profile.name),
                profile,
            })
        }
        Task::Archive {
            assessment,
            archive,
        } => {
            let actor = Actor::os_user_only();
            let changed = if archive {
                store.archive_assessment(&actor, assessment, "")
            } else {
                store.restore_assessment(&actor, assessment)
            };
            changed.map(Reply::Archived).map_err(text)
        }
        Task::CreateAssessment(new) => store
            .create_assessment(&Actor::os_user_only(), &new)
            .map(Reply::AssessmentCreated)
            .map_err(text),
        Task::Snippet(key) => {
            let result = match store.evidence_bytes(&key.sha256) {
                Ok(Some(bytes)) => super::super::snippet::extract(&bytes, &key.pointer),
                Ok(None) => Err(format!("the bytes of {} are not in the record", key.path)),
                Err(e) => Err(e.to_string()),
            };
            Ok(Reply::Snippet { key, result })
        }
        Task::Resources {
            run,
            result,
            kind,
            offset,
        } => Ok(Reply::Resources {
            run,
            result,
            kind,
            offset,
            page: store
                .resource_page(run, result, kind, offset, RESOURCE_PAGE)
                .map_err(text),
        }),
        Task::Thumbnail { sha256 } => {
            let result = match store.evidence_bytes(&sha256) {
                Ok(Some(bytes)) => super::super::thumbnails::decode(&bytes),
                Ok(None) => Err("the image's bytes are not in the record".to_owned()),
                Err(e) => Err(e.to_string()),
            };
            Ok(Reply::Thumbnail { sha256, result })
        }
        Task::Document {
            attachment,
            file_name,
            markdown,
        } => {
            let result = store
                .attachment_bytes(attachment)
                .map_err(text)
                .and_then(|bytes| {
                    String::from_utf8(bytes).map_err(|_| format!("{file_name} is not UTF-8 text"))
                });
            Ok(Reply::Document {
                file_name,
                markdown,
                result,
            })
        }
        Task::Open {
            attachment,
            file_name,
        } => {
            let result = store
                .attachment_bytes(attachment)
                .map_err(text)
                .and_then(|bytes| {
                    super::super::thumbnails::open_with_system(attachment, &file_name, &bytes)
                });
            Ok(Reply::Opened { file_name, result })
        }
    }
}

pub(super) fn load(store: &Store, assessment: i64) -> Result<Reply, StoreError> {
    let found = store
        .assessment_by_id(assessment)?
        .ok_or_else(|| StoreError::NotFound(format!("there is no assessment #{assessment}")))?;
    let states = store
        .requirement_states(assessment)?
        .into_iter()
        .map(|s| (s.requirement.clone(), s))
        .collect();
    Ok(Reply::Loaded(Box::new(Loaded {
        done: None,
        run: store.latest_run_overview(assessment)?,
        run_count: store.runs(assessment)?.len(),
        states,
        approval: store.approval_state(assessment)?,
        files: store.evidence_files(assessment)?,
        prior: store.prior_period(assessment)?,
        scope: None,
        assessment: found,
    })))
}

/// [`Store::sign_off_with`] or [`Store::review_sign_off_with`].
type SignOffFn = fn(
    &mut Store,
    &Actor,
    i64,
    &Catalog,
    &str,
    &str,
    Option<&dyn crate::signing::Signer>,
) -> Result<crate::store::SignOff, StoreError>;

/// Signs each of `requirements` off in turn (each its own event, signed
/// with the same key); the ones the store refuses are named in the reply.
fn sign_off_many(
    store: &mut Store,
    actor: &Actor,
    assessment: i64,
    requirements: &[String],
    sign: Option<SignWith>,
    reviewer: bool,
) -> Result<Reply, String> {
    let catalog = super::super::actions::catalog_of_assessment(store, assessment)?;
    let signer = signer(store, actor, sign)?;
    let mut signed = 0;
    let mut refused = Vec::new();
    let (sign_off, statement_of) = if reviewer {
        (
            Store::review_sign_off_with as SignOffFn,
            crate::store::default_review_statement as fn(&str) -> String,
        )
    } else {
        (
            Store::sign_off_with as SignOffFn,
            crate::store::default_statement as fn(&str) -> String,
        )
    };
    for requirement in requirements {
        let statement = statement_of(requirement);
        let outcome = sign_off(
            store,
            actor,
            assessment,
            catalog,
            requirement,
            &statement,
            signer.as_deref(),
        );
        match outcome {
            Ok(_) => signed += 1,
            Err(e) => refused.push(format!("{requirement}: {e}")),
        }
    }
    if signed == 0 {
        return Err(format!("nothing was signed off; {}", refused.join("; ")));
    }
    let role = if reviewer { " as reviewer" } else { "" };
    let mut done = format!("Signed off {signed} requirement(s){role}, each its own event");
    if !refused.is_empty() {
        done.push_str(&format!(
            "; {} refused: {}",
            refused.len(),
            refused.join("; ")
        ));
    }
    let mut reply = load(store, assessment).map_err(|e| e.to_string())?;
    if let Reply::Loaded(loaded) = &mut reply {
        loaded.done = Some(done);
    }
    Ok(reply)
}

/// The scope of `assessment`'s current evidence, its diagram with the
/// latest run's boundary failures, and the scopes recorded.
pub(super) fn scope_view(store: &Store, assessment: i64) -> Result<super::ScopeView, StoreError> {
    let stored = store.evidence_set_for_scope(assessment)?;
    let scope = crate::scope::Scope::derive(&stored.set.evidence);
    // Only failures are drawn and listed: the passing rows are not read.
    let results = store.latest_run_not_passing(assessment)?;
    Ok(super::ScopeView {
        diagram: crate::scope::diagram::Diagram::build(&stored.set.evidence, &scope, &results),
        failures: std::sync::Arc::new(crate::scope::failures_by_scope(&results)),
        scope,
        recorded: store.scopes(assessment)?,
    })
}

/// The scope diagram of `assessment` as SVG.
fn scope_svg(store: &Store, assessment: i64) -> Result<Vec<u8>, StoreError> {
    let view = scope_view(store, assessment)?;
    Ok(crate::scope::svg::render(&view.diagram, None).into_bytes())
}

fn requirement_reply(
    store: &Store,
    assessment: i64,
    requirement: &str,
    done: Option<String>,
) -> Result<Reply, StoreError> {
    Ok(Reply::Requirement {
        assessment,
        state: Box::new(store.requirement_state(assessment, requirement)?),
        history: store.requirement_history(assessment, requirement)?,
        approval: store.approval_state(assessment)?,
        done,
    })
}

fn attach(
    store: &mut Store,
    catalog: &Catalog,
    actor: &Actor,
    assessment: i64,
    requirement: &str,
    path: &Path,
) -> Result<Reply, String> {
    let shown = evidence::display_path(path);
    let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?;
    if meta.is_dir() {
        return Err(format!(
            "{shown} is a folder; attach files one by one (folders can be imported as evidence)"
        ));
    }
    if !meta.is_file() {
        // Reading a FIFO would block this thread, and every save queued behind it.
        return Err(format!(
            "{shown} is not a regular file (a FIFO, socket or device)"
        ));
    }
    if meta.len() > evidence::MAX_FILE_BYTES {
        return Err(format!(
            "{shown}: {} bytes is more than the {} bytes Tickmark stores from one file",
            meta.len(),
            evidence::MAX_FILE_BYTES
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    store
        .add_attachment(
            actor,
            assessment,
            catalog,
            requirement,
            &file_name,
            None,
            &bytes,
        )
        .map_err(|e| format!("{shown}: {e}"))?;
    let done = format!("Attached {file_name} to {requirement}");
    requirement_reply(store, assessment, requirement, Some(done)).map_err(|e| e.to_string())
}

/// The request list of `assessment`, derived from its record now.
fn requests_reply(
    store: &Store,
    catalog: &Catalog,
    assessment: i64,
    done: Option<String>,
) -> Reply {
    let result = store
        .record(assessment)
        .map(|record| {
            Box::new(crate::requests::request_list(
                crate::collect::builtin(),
                catalog,
                &record,
            ))
        })
        .map_err(|e| e.to_string());
    Reply::Requests {
        assessment,
        result,
        done,
    }
}

/// Does what `action` asks to an evidence file; returns a line for the
/// status bar.
fn lifecycle(
    store: &mut Store,
    catalog: &Catalog,
    actor: &Actor,
    assessment: i64,
    action: LifecycleAction,
) -> Result<String, StoreError> {
    Ok(match action {
        LifecycleAction::Retire { file, reason } => {
            let f = store.retire_evidence(actor, assessment, file, &reason)?;
            format!("Retired {} (#{}): {reason}", f.provenance.path, f.id)
        }
        LifecycleAction::Keep { file, reason } => {
            let f = store.keep_evidence(actor, assessment, file, &reason)?;
            format!(
                "Kept {} (#{}) as it is with its sensitive data; exports carry it and say so",
                f.provenance.path, f.id
            )
        }
        LifecycleAction::Redact { file, reason } => {
            let r = store.redact_evidence(actor, assessment, file, &reason)?;
            format!(
                "Stored a redacted copy of {} as #{} ({} finding(s) replaced); the original bytes were purged",
                r.original.provenance.path, r.copy.id, r.replaced
            )
        }
        LifecycleAction::Purge { file, reason } => {
            let p = store.purge_evidence(actor, assessment, file, &reason)?;
            format!(
                "Purged {} bytes (SHA-256 {}…) for good; the record keeps their hash",
                p.size,
                p.sha256.get(..12).unwrap_or(&p.sha256)
            )
        }
        LifecycleAction::Attach { file, requirements } => {
            let attached =
                store.attach_document(actor, assessment, catalog, file, &requirements)?;
            format!(
                "Attached document #{file} to {}",
                attached
                    .iter()
                    .map(|a| a.requirement.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    })
}
