//! The event log read back for people: events with one-line summaries, and
//! the history of one requirement.

use rusqlite::{Connection, params};

use super::binding::RunIndex;
use super::canonical::canonical_json;
use super::error::{Result, StoreError};
use super::event::{Change, EVENT_COLUMNS, EventRow, event_row};
use super::model::{Conclusion, EventRecord, HistoryEntry, Person, ReviewInput};
use super::read::{People, parse_time};

/// Every event (of one assessment, or all), oldest first.
pub(crate) fn events(
    conn: &Connection,
    people: &People,
    assessment: Option<i64>,
) -> Result<Vec<EventRecord>> {
    let rows = match assessment {
        Some(id) => event_rows(conn, "WHERE assessment = ?1", params![id])?,
        None => event_rows(conn, "", params![])?,
    };
    rows.iter().map(|row| event_record(row, people)).collect()
}

fn event_rows(
    conn: &Connection,
    condition: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<EventRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {EVENT_COLUMNS} FROM events {condition} ORDER BY seq"
    ))?;
    Ok(stmt
        .query_map(params, event_row)?
        .collect::<Result<Vec<_>, _>>()?)
}

fn event_record(row: &EventRow, people: &People) -> Result<EventRecord> {
    let payload = row.payload_value().map_err(StoreError::Corrupt)?;
    let change = Change::from_parts(&row.kind, &payload).map_err(StoreError::Corrupt)?;
    Ok(EventRecord {
        seq: row.seq,
        at: parse_time(&row.at)?,
        actor: person(row, people),
        kind: row.kind.clone(),
        assessment: row.assessment,
        summary: summarize(&change, row.seq, people),
        payload,
        prev_hash: row.prev_hash.clone(),
        hash: row.hash.clone(),
    })
}

fn person(row: &EventRow, people: &People) -> Person {
    people.person_at(row.actor_profile, row.actor_os_user.clone(), row.seq)
}

/// One line about the change of event `seq`; profiles are named as they
/// were just before it.
pub(crate) fn summarize(change: &Change, seq: i64, people: &People) -> String {
    let profile_name = |id: i64| {
        people
            .name_at(id, seq)
            .map_or_else(|| format!("profile #{id}"), str::to_owned)
    };
    match change {
        Change::ProfileCreated {
            name,
            email,
            role,
            sample,
        } => {
            let sample = if *sample {
                " (the sample's fictional auditor)"
            } else {
                ""
            };
            format!(
                "Profile created: {name} <{email}>, {}{sample}",
                role.label()
            )
        }
        Change::ProfileUpdated {
            profile,
            name,
            email,
            role,
        } => format!(
            "Profile #{profile} ({}) now reads: {name} <{email}>, {}",
            profile_name(*profile),
            role.label()
        ),
        Change::AssessmentCreated {
            name,
            cluster,
            period_start,
            period_end,
            catalog,
            prior_assessment,
            ..
        } => {
            let prior = prior_assessment
                .map(|id| format!(", started from assessment #{id}"))
                .unwrap_or_default();
            format!(
                "Assessment \"{name}\" created: cluster {cluster}, {period_start} to {period_end}, catalog {catalog}{prior}"
            )
        }
        Change::AssessmentUpdated {
            cluster,
            period_start,
            period_end,
        } => format!("Assessment details now: cluster {cluster}, {period_start} to {period_end}"),
        Change::EvidenceImported {
            path,
            sha256,
            size,
            format,
            supersedes,
            custody,
            ..
        } => {
            let replacing = supersedes
                .map(|id| format!(", replacing file #{id}"))
                .unwrap_or_default();
            let collected = custody
                .as_ref()
                .map(|c| format!("; {}", c.summary()))
                .unwrap_or_default();
            format!(
                "Evidence imported: {path} ({}, {size} bytes, SHA-256 {}){replacing}{collected}",
                format.id(),
                short(sha256)
            )
        }
        Change::RunRecorded {
            files,
            results,
            verdicts,
            ..
        } => {
            let counts = super::model::VerdictCounts::of(verdicts.iter().map(|v| &v.status));
            format!(
                "Automated checks run on {} file(s): {} result(s); {}",
                files.len(),
                results.len(),
                counts.describe()
            )
        }
        Change::ReviewRecorded { requirement, .. } => {
            let review = change.review_input().ok().flatten().unwrap_or_default();
            format!(
                "Review of {requirement}: {}; note of {} character(s){}",
                review
                    .conclusion()
                    .map_or_else(|| "no finding".to_owned(), |c| c.label()),
                review.note.chars().count(),
                worksheet_words(&review)
            )
        }
        Change::AttachmentAdded {
            requirement,
            file_name,
            media_type,
            sha256,
            size,
        } => format!(
            "Attachment added to {requirement}: {file_name} ({media_type}, {size} bytes, SHA-256 {})",
            short(sha256)
        ),
        Change::AttachmentWithdrawn {
            attachment,
            requirement,
            reason,
        } => format!("Attachment #{attachment} of {requirement} withdrawn: {reason}"),
        Change::SignOffRecorded {
            requirement,
            role,
            statement,
            binding_hash,
            signature,
            level,
            reviews,
            ..
        } => {
            let reviewed = reviews
                .map(|id| format!(", reviewing sign-off #{id}"))
                .unwrap_or_default();
            format!(
                "{requirement} signed off as {} ({}){reviewed}: \"{statement}\" (binding {}; {})",
                level.label().to_lowercase(),
                role.label(),
                short(binding_hash),
                signed_words(signature.as_ref())
            )
        }
        Change::ReviewNoteRaised { requirement, text } => {
            format!("Review note RN-{seq} raised on {requirement}: \"{text}\"")
        }
        Change::ReviewNoteAnswered {
            note,
            requirement,
            text,
        } => format!("Review note RN-{note} on {requirement} answered: \"{text}\""),
        Change::ReviewNoteCleared {
            note,
            requirement,
            text,
        } if text.is_empty() => format!("Review note RN-{note} on {requirement} cleared"),
        Change::ReviewNoteCleared {
            note,
            requirement,
            text,
        } => format!("Review note RN-{note} on {requirement} cleared: \"{text}\""),
        Change::ApprovalRecorded {
            decision,
            role,
            statement,
            unconcluded,
            justification,
            open_items,
            signature,
            ..
        } => {
            let mut text = format!(
                "Assessment {} by the {}: \"{statement}\" ({})",
                decision.label().to_lowercase(),
                role.label().to_lowercase(),
                signed_words(signature.as_ref())
            );
            if let Some(open) = open_items {
                text.push_str(&format!(
                    "; approved over {} open item(s), justified: \"{}\"",
                    open.count(),
                    justification.as_deref().unwrap_or("")
                ));
            } else if !unconcluded.is_empty() {
                text.push_str(&format!(
                    "; {} requirement(s) without a conclusion, justified: \"{}\"",
                    unconcluded.len(),
                    justification.as_deref().unwrap_or("")
                ));
            }
            text
        }
        Change::EvidenceRetired { .. }
        | Change::EvidenceKept { .. }
        | Change::EvidenceRedacted { .. }
        | Change::BlobPurged { .. } => super::lifecycle::summarize(change),
        Change::RequestUpdated {
            title,
            owner,
            due,
            status,
            note,
            ..
        } => {
            let mut text = format!("Evidence request \"{title}\": {}", status.label());
            if !owner.is_empty() {
                text.push_str(&format!(", owner {owner}"));
            }
            if let Some(due) = due {
                text.push_str(&format!(", due {due}"));
            }
            if !note.is_empty() {
                text.push_str(&format!(" (\"{note}\")"));
            }
            text
        }
        Change::ScopeRecorded { scope } => {
            match serde_json::from_value::<crate::scope::Scope>(scope.clone()) {
                Ok(scope) => format!("Scope recorded: {}", super::scope::summary(&scope)),
                Err(_) => "Scope recorded (in a shape this version does not read)".to_owned(),
            }
        }
        Change::KeyRegistered {
            profile,
            fingerprint,
            ..
        } => format!(
            "Signing key {fingerprint} bound to profile #{profile} ({})",
            profile_name(*profile)
        ),
        Change::ProfileRetired { profile, reason } => format!(
            "Profile #{profile} ({}) retired: {reason}",
            profile_name(*profile)
        ),
        Change::AssessmentArchived { reason } if reason.is_empty() => {
            "Assessment archived".to_owned()
        }
        Change::AssessmentArchived { reason } => format!("Assessment archived: {reason}"),
        Change::AssessmentRestored {} => "Assessment restored from the archive".to_owned(),
        Change::RecordSealed { note, signature } => {
            let note = if note.is_empty() {
                String::new()
            } else {
                format!(": \"{note}\"")
            };
            format!(
                "Record sealed up to event #{}{note} (signed with {})",
                seq - 1,
                signature.key
            )
        }
    }
}

/// `signed with SHA256:…` or `unsigned`.
fn signed_words(signature: Option<&super::event::EventSignature>) -> String {
    match signature {
        Some(s) => format!("signed with {}", s.key),
        None => "unsigned".to_owned(),
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// The events that touched `requirement`: its reviews, attachments and
/// sign-offs, and the runs that changed its results, oldest first.
pub(crate) fn requirement_history(
    conn: &Connection,
    people: &People,
    assessment: i64,
    requirement: &str,
) -> Result<Vec<HistoryEntry>> {
    let rows = event_rows(
        conn,
        "WHERE assessment = ?1 AND kind IN ('review.recorded', 'attachment.added', 'attachment.withdrawn', 'signoff.recorded',
                              'review_note.raised', 'review_note.answered', 'review_note.cleared')
         AND json_extract(payload, '$.requirement') = ?2",
        params![assessment, requirement],
    )?;
    let mut entries = Vec::new();
    let mut previous_review: Option<ReviewInput> = None;
    for row in &rows {
        let payload = row.payload_value().map_err(StoreError::Corrupt)?;
        let change = Change::from_parts(&row.kind, &payload).map_err(StoreError::Corrupt)?;
        let summary = match change.review_input().map_err(StoreError::Corrupt)? {
            Some(review) => {
                let text = review_change(previous_review.as_ref(), &review);
                previous_review = Some(review);
                text
            }
            None => summarize(&change, row.seq, people),
        };
        entries.push(HistoryEntry {
            seq: row.seq,
            at: parse_time(&row.at)?,
            actor: person(row, people),
            kind: row.kind.clone(),
            summary,
            hash: row.hash.clone(),
        });
    }
    entries.extend(run_history(conn, people, assessment, requirement)?);
    entries.sort_by_key(|e| e.seq);
    Ok(entries)
}

fn review_change(before: Option<&ReviewInput>, now: &ReviewInput) -> String {
    let label = |c: Option<Conclusion>| c.map_or_else(|| "none".to_owned(), |c| c.label());
    let empty = ReviewInput::default();
    let before = before.unwrap_or(&empty);
    let mut parts = Vec::new();
    if before.conclusion() != now.conclusion() {
        parts.push(format!(
            "finding {} (was {})",
            label(now.conclusion()),
            label(before.conclusion())
        ));
    }
    if before.compensating != now.compensating || before.customized != now.customized {
        let what = match (&now.compensating, &now.customized) {
            (Some(_), _) => "compensating controls worksheet",
            (None, Some(_)) => "customized approach documentation",
            (None, None) => "worksheet",
        };
        let filled = worksheet_filled(now);
        parts.push(match filled {
            Some((done, of)) => format!("{what} edited ({done} of {of} fields filled)"),
            None => format!("{what} removed"),
        });
    }
    if before.note != now.note {
        parts.push(if before.note.is_empty() {
            format!("note written ({} characters)", now.note.chars().count())
        } else {
            format!("note edited ({} characters)", now.note.chars().count())
        });
    }
    if parts.is_empty() {
        "review recorded again unchanged".to_owned()
    } else {
        format!("Review: {}", parts.join("; "))
    }
}

/// How many fields of the review's worksheet are filled, of how many.
fn worksheet_filled(review: &ReviewInput) -> Option<(usize, usize)> {
    let count = |texts: Vec<&str>| {
        (
            texts.iter().filter(|t| !t.trim().is_empty()).count(),
            texts.len(),
        )
    };
    if let Some(w) = &review.compensating {
        return Some(count(w.fields().iter().map(|f| f.2).collect()));
    }
    review
        .customized
        .as_ref()
        .map(|w| count(w.fields().iter().map(|f| f.2).collect()))
}

/// `; worksheet 4 of 6 fields filled`, or nothing.
fn worksheet_words(review: &ReviewInput) -> String {
    worksheet_filled(review)
        .map(|(done, of)| format!("; worksheet {done} of {of} fields filled"))
        .unwrap_or_default()
}

fn run_history(
    conn: &Connection,
    people: &People,
    assessment: i64,
    requirement: &str,
) -> Result<Vec<HistoryEntry>> {
    let run_ids: Vec<i64> = conn
        .prepare("SELECT id FROM runs WHERE assessment = ?1 ORDER BY id")?
        .query_map([assessment], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    let mut previous: Option<(Option<crate::checks::VerdictStatus>, String, Vec<String>)> = None;
    for run in run_ids {
        let index = RunIndex::of_run(conn, run)?;
        let now = index.requirement(requirement);
        let results = canonical_json(&serde_json::Value::Array(now.results));
        let state = (now.verdict, results, now.evidence_sha256);
        let label =
            |v: Option<crate::checks::VerdictStatus>| v.map_or("not in the catalog", |v| v.label());
        let summary = match &previous {
            None => Some(format!("Automated verdict: {}", label(state.0))),
            Some(before) if before.0 != state.0 => Some(format!(
                "Automated verdict: {} → {}",
                label(before.0),
                label(state.0)
            )),
            Some(before) if before.1 != state.1 || before.2 != state.2 => Some(format!(
                "Automated results or cited evidence changed (verdict still {})",
                label(state.0)
            )),
            Some(_) => None,
        };
        if let Some(summary) = summary {
            let row = event_rows(conn, "WHERE seq = ?1", params![run])?;
            if let Some(row) = row.first() {
                out.push(HistoryEntry {
                    seq: row.seq,
                    at: parse_time(&row.at)?,
                    actor: person(row, people),
                    kind: row.kind.clone(),
                    summary,
                    hash: row.hash.clone(),
                });
            }
        }
        previous = Some(state);
    }
    Ok(out)
}
