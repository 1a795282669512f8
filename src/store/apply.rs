//! Materialising events into the entity tables.
//!
//! [`apply`] is the only code that writes entity rows. The write path calls
//! it right after appending an event, in the same transaction; `verify`
//! calls it to replay the whole log into an empty database and compares the
//! result with the tables in the file.

use rusqlite::{Connection, params};
use serde_json::Value;

use super::canonical::canonical_json;
use super::event::{Change, EventRow};
use super::model::SignOffLevel;

/// Writes the entity rows `change` implies. Errors name the event.
pub(crate) fn apply(conn: &Connection, ev: &EventRow, change: &Change) -> Result<(), String> {
    let fail = |what: String| format!("event #{} ({}): {what}", ev.seq, ev.kind);
    let sql = |e: rusqlite::Error| fail(e.to_string());
    let assessment = || {
        ev.assessment
            .ok_or_else(|| fail("the event names no assessment".into()))
    };
    let expect_one = |changed: usize, what: &str| {
        if changed == 1 {
            Ok(())
        } else {
            Err(fail(format!("{what} does not exist")))
        }
    };
    match change {
        Change::ProfileCreated {
            name,
            email,
            role,
            sample,
        } => {
            let sample = *sample || super::signed::is_legacy_sample_profile(name, email);
            conn.execute(
                "INSERT INTO profiles (id, name, email, role, created_at, seq, sample) VALUES (?1, ?2, ?3, ?4, ?5, ?1, ?6)",
                params![ev.seq, name, email, role.id(), ev.at, sample],
            )
            .map_err(sql)?;
        }
        Change::ProfileUpdated {
            profile,
            name,
            email,
            role,
        } => {
            let changed = conn
                .execute(
                    "UPDATE profiles SET name = ?2, email = ?3, role = ?4, seq = ?5 WHERE id = ?1",
                    params![profile, name, email, role.id(), ev.seq],
                )
                .map_err(sql)?;
            expect_one(changed, &format!("profile #{profile}"))?;
        }
        Change::AssessmentCreated {
            name,
            cluster,
            period_start,
            period_end,
            catalog,
            prior_assessment,
            sample,
        } => {
            let sample = *sample || super::signed::is_legacy_sample_assessment(name);
            conn.execute(
                "INSERT INTO assessments (id, name, cluster, period_start, period_end, catalog_id, created_at, created_by, created_os_user, seq, prior_assessment, sample)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?1, ?10, ?11)",
                params![
                    ev.seq,
                    name,
                    cluster,
                    period_start.to_string(),
                    period_end.to_string(),
                    catalog,
                    ev.at,
                    ev.actor_profile,
                    ev.actor_os_user,
                    prior_assessment,
                    sample
                ],
            )
            .map_err(sql)?;
        }
        Change::AssessmentUpdated {
            cluster,
            period_start,
            period_end,
        } => {
            let id = assessment()?;
            let changed = conn
                .execute(
                    "UPDATE assessments SET cluster = ?2, period_start = ?3, period_end = ?4, seq = ?5 WHERE id = ?1",
                    params![id, cluster, period_start.to_string(), period_end.to_string(), ev.seq],
                )
                .map_err(sql)?;
            expect_one(changed, &format!("assessment #{id}"))?;
        }
        Change::EvidenceImported {
            path,
            sha256,
            size,
            format,
            tool,
            tool_version,
            imported_at,
            notes,
            supersedes,
            custody,
            resources,
            sensitive,
            replaces,
            original,
        } => {
            let id = assessment()?;
            let custody = custody
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| fail(e.to_string()))?
                .map(|value| canonical_json(&value));
            let listed = |value: Value| {
                (!value.as_array().is_some_and(Vec::is_empty)).then(|| canonical_json(&value))
            };
            let resources = listed(Value::from(resources.clone()));
            let sensitive =
                listed(serde_json::to_value(sensitive).map_err(|e| fail(e.to_string()))?);
            let original = original
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| fail(e.to_string()))?
                .map(|value| canonical_json(&value));
            let reference = next_reference(conn, id).map_err(sql)?;
            conn.execute(
                "INSERT INTO evidence_files (id, assessment, path, sha256, size, format, tool, tool_version, imported_at, notes, imported_by, os_user, supersedes, superseded_by, custody, resources, sensitive, original, reference)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, NULL, ?14, ?15, ?16, ?17, ?18)",
                params![
                    ev.seq,
                    id,
                    path,
                    sha256,
                    to_i64(*size),
                    format.id(),
                    tool,
                    tool_version,
                    super::time_text(imported_at),
                    canonical_json(&Value::from(notes.clone())),
                    ev.actor_profile,
                    ev.actor_os_user,
                    supersedes,
                    custody,
                    resources,
                    sensitive,
                    original,
                    reference
                ],
            )
            .map_err(sql)?;
            for old in replaces {
                let changed = conn
                    .execute(
                        "UPDATE evidence_files SET superseded_by = ?2 WHERE id = ?1 AND assessment = ?3 AND superseded_by IS NULL",
                        params![old, ev.seq, id],
                    )
                    .map_err(sql)?;
                expect_one(changed, &format!("current evidence file #{old}"))?;
            }
            if let Some(old) = supersedes {
                let changed = conn
                    .execute(
                        "UPDATE evidence_files SET superseded_by = ?2 WHERE id = ?1 AND assessment = ?3 AND superseded_by IS NULL",
                        params![old, ev.seq, id],
                    )
                    .map_err(sql)?;
                expect_one(changed, &format!("current evidence file #{old}"))?;
            }
        }
        Change::RunRecorded {
            catalog,
            settings,
            files,
            results,
            verdicts,
        } => {
            let id = assessment()?;
            let files = serde_json::to_value(files).map_err(|e| fail(e.to_string()))?;
            conn.execute(
                "INSERT INTO runs (id, assessment, at, run_by, os_user, catalog_id, settings, files)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    ev.seq,
                    id,
                    ev.at,
                    ev.actor_profile,
                    ev.actor_os_user,
                    catalog,
                    canonical_json(settings),
                    canonical_json(&files)
                ],
            )
            .map_err(sql)?;
            let mut insert = conn
                .prepare(
                    "INSERT INTO check_results (run, idx, check_id, requirement, status, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(sql)?;
            for (idx, result) in results.iter().enumerate() {
                let text = |key: &str| result.get(key).and_then(Value::as_str).map(str::to_owned);
                insert
                    .execute(params![
                        ev.seq,
                        to_i64(idx as u64),
                        text("check").unwrap_or_default(),
                        text("requirement"),
                        text("status").unwrap_or_default(),
                        canonical_json(result)
                    ])
                    .map_err(sql)?;
            }
            let mut insert = conn
                .prepare(
                    "INSERT INTO verdicts (run, position, requirement, status, results) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sql)?;
            for (position, verdict) in verdicts.iter().enumerate() {
                insert
                    .execute(params![
                        ev.seq,
                        to_i64(position as u64),
                        verdict.requirement,
                        verdict.status.id(),
                        canonical_json(&Value::from(verdict.results.clone()))
                    ])
                    .map_err(sql)?;
            }
        }
        Change::ReviewRecorded { requirement, .. } => {
            let review = change.review_input().map_err(&fail)?.unwrap_or_default();
            let json = |value: Option<Value>| value.as_ref().map(canonical_json);
            let compensating = review
                .compensating
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| fail(e.to_string()))?;
            let customized = review
                .customized
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| fail(e.to_string()))?;
            conn.execute(
                "INSERT INTO reviews (assessment, requirement, note, reviewer, os_user, reviewed_at, seq, finding, method, compensating, customized)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (assessment, requirement) DO UPDATE SET
                   note = excluded.note, reviewer = excluded.reviewer, os_user = excluded.os_user,
                   reviewed_at = excluded.reviewed_at, seq = excluded.seq, finding = excluded.finding,
                   method = excluded.method, compensating = excluded.compensating,
                   customized = excluded.customized",
                params![
                    assessment()?,
                    requirement,
                    review.note,
                    ev.actor_profile,
                    ev.actor_os_user,
                    ev.at,
                    ev.seq,
                    review.finding.map(|f| f.id()),
                    review.method.id(),
                    json(compensating),
                    json(customized)
                ],
            )
            .map_err(sql)?;
        }
        Change::AttachmentAdded {
            requirement,
            file_name,
            media_type,
            sha256,
            size,
        } => {
            let id = assessment()?;
            let reference = next_reference(conn, id).map_err(sql)?;
            conn.execute(
                "INSERT INTO attachments (id, assessment, requirement, file_name, media_type, sha256, size, added_by, os_user, added_at, reference)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    ev.seq,
                    id,
                    requirement,
                    file_name,
                    media_type,
                    sha256,
                    to_i64(*size),
                    ev.actor_profile,
                    ev.actor_os_user,
                    ev.at,
                    reference
                ],
            )
            .map_err(sql)?;
        }
        Change::AttachmentWithdrawn {
            attachment,
            requirement,
            reason,
        } => {
            let changed = conn
                .execute(
                    "UPDATE attachments SET withdrawn_seq = ?2, withdrawn_at = ?3, withdrawn_reason = ?4
                     WHERE id = ?1 AND assessment = ?5 AND requirement = ?6 AND withdrawn_seq IS NULL",
                    params![attachment, ev.seq, ev.at, reason, assessment()?, requirement],
                )
                .map_err(sql)?;
            expect_one(changed, &format!("attachment #{attachment}"))?;
        }
        Change::SignOffRecorded {
            requirement,
            role,
            statement,
            run,
            binding,
            binding_hash,
            signature,
            level,
            reviews,
        } => {
            let kind = match level {
                SignOffLevel::Preparer => "sign-off",
                SignOffLevel::Reviewer => "reviewer-sign-off",
            };
            insert_signature(conn, ev, kind, signature.as_ref()).map_err(sql)?;
            let binding = serde_json::to_value(binding).map_err(|e| fail(e.to_string()))?;
            conn.execute(
                "INSERT INTO sign_offs (id, assessment, requirement, profile, role, os_user, signed_at, statement, run, binding, binding_hash, level, reviews)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    ev.seq,
                    assessment()?,
                    requirement,
                    ev.actor_profile,
                    role.id(),
                    ev.actor_os_user,
                    ev.at,
                    statement,
                    run,
                    canonical_json(&binding),
                    binding_hash,
                    level.id(),
                    reviews
                ],
            )
            .map_err(sql)?;
        }
        Change::ApprovalRecorded {
            decision,
            role,
            statement,
            justification,
            unconcluded,
            bindings,
            binding_hash,
            open_items,
            signature,
        } => {
            insert_signature(conn, ev, "approval", signature.as_ref()).map_err(sql)?;
            let bindings = serde_json::to_value(bindings).map_err(|e| fail(e.to_string()))?;
            let open_items = open_items
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| fail(e.to_string()))?
                .map(|value| canonical_json(&value));
            conn.execute(
                "INSERT INTO approvals (id, assessment, decision, profile, role, os_user, at, statement, justification, unconcluded, bindings, binding_hash, open_items)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    ev.seq,
                    assessment()?,
                    decision.id(),
                    ev.actor_profile,
                    role.id(),
                    ev.actor_os_user,
                    ev.at,
                    statement,
                    justification,
                    canonical_json(&Value::from(unconcluded.clone())),
                    canonical_json(&bindings),
                    binding_hash,
                    open_items
                ],
            )
            .map_err(sql)?;
        }
        Change::EvidenceRetired { .. }
        | Change::EvidenceKept { .. }
        | Change::EvidenceRedacted { .. }
        | Change::BlobPurged { .. } => {
            super::lifecycle::apply(conn, ev, change, assessment()?).map_err(fail)?;
        }
        Change::RequestUpdated {
            key,
            title,
            owner,
            due,
            status,
            note,
        } => {
            conn.execute(
                "INSERT INTO evidence_requests (assessment, key, title, owner, due, status, note, updated_by, os_user, updated_at, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (assessment, key) DO UPDATE SET
                   title = excluded.title, owner = excluded.owner, due = excluded.due,
                   status = excluded.status, note = excluded.note, updated_by = excluded.updated_by,
                   os_user = excluded.os_user, updated_at = excluded.updated_at, seq = excluded.seq",
                params![
                    assessment()?,
                    key,
                    title,
                    owner,
                    due.map(|d| d.to_string()),
                    status.id(),
                    note,
                    ev.actor_profile,
                    ev.actor_os_user,
                    ev.at,
                    ev.seq
                ],
            )
            .map_err(sql)?;
        }
        Change::KeyRegistered {
            profile,
            key,
            fingerprint,
        } => {
            let changed = conn
                .execute(
                    "UPDATE profiles SET ssh_key = ?2, key_fingerprint = ?3, key_seq = ?4 WHERE id = ?1",
                    params![profile, key, fingerprint, ev.seq],
                )
                .map_err(sql)?;
            expect_one(changed, &format!("profile #{profile}"))?;
        }
        Change::ProfileRetired { profile, reason } => {
            let changed = conn
                .execute(
                    "UPDATE profiles SET retired_seq = ?2, retired_at = ?3, retired_reason = ?4 WHERE id = ?1 AND retired_seq IS NULL",
                    params![profile, ev.seq, ev.at, reason],
                )
                .map_err(sql)?;
            expect_one(changed, &format!("active profile #{profile}"))?;
        }
        Change::AssessmentArchived { reason } => {
            let id = assessment()?;
            let changed = conn
                .execute(
                    "UPDATE assessments SET archived_seq = ?2, archived_at = ?3, archived_reason = ?4 WHERE id = ?1 AND archived_seq IS NULL",
                    params![id, ev.seq, ev.at, reason],
                )
                .map_err(sql)?;
            expect_one(changed, &format!("assessment #{id} (not archived)"))?;
        }
        Change::AssessmentRestored {} => {
            let id = assessment()?;
            let changed = conn
                .execute(
                    "UPDATE assessments SET archived_seq = NULL, archived_at = NULL, archived_reason = NULL WHERE id = ?1 AND archived_seq IS NOT NULL",
                    params![id],
                )
                .map_err(sql)?;
            expect_one(changed, &format!("archived assessment #{id}"))?;
        }
        Change::RecordSealed { signature, .. } => {
            insert_signature(conn, ev, "seal", Some(signature)).map_err(sql)?;
        }
        Change::ReviewNoteRaised { requirement, text } => {
            conn.execute(
                "INSERT INTO review_notes (id, assessment, requirement, text, raised_by, os_user, raised_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    ev.seq,
                    assessment()?,
                    requirement,
                    text,
                    ev.actor_profile,
                    ev.actor_os_user,
                    ev.at
                ],
            )
            .map_err(sql)?;
        }
        Change::ReviewNoteAnswered {
            note,
            requirement,
            text,
        } => {
            let id = assessment()?;
            let open: i64 = conn
                .query_row(
                    "SELECT count(*) FROM review_notes WHERE id = ?1 AND assessment = ?2 AND requirement = ?3 AND cleared_seq IS NULL",
                    params![note, id, requirement],
                    |row| row.get(0),
                )
                .map_err(sql)?;
            expect_one(
                usize::try_from(open).unwrap_or_default(),
                &format!("open review note RN-{note} of {requirement}"),
            )?;
            conn.execute(
                "INSERT INTO review_note_answers (id, assessment, note, answered_by, os_user, answered_at, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![ev.seq, id, note, ev.actor_profile, ev.actor_os_user, ev.at, text],
            )
            .map_err(sql)?;
        }
        Change::ReviewNoteCleared {
            note,
            requirement,
            text,
        } => {
            let changed = conn
                .execute(
                    "UPDATE review_notes SET cleared_seq = ?2, cleared_by = ?3, cleared_os_user = ?4, cleared_at = ?5, cleared_text = ?6
                     WHERE id = ?1 AND assessment = ?7 AND requirement = ?8 AND cleared_seq IS NULL",
                    params![
                        note,
                        ev.seq,
                        ev.actor_profile,
                        ev.actor_os_user,
                        ev.at,
                        text,
                        assessment()?,
                        requirement
                    ],
                )
                .map_err(sql)?;
            expect_one(
                changed,
                &format!("open review note RN-{note} of {requirement}"),
            )?;
        }
        Change::ScopeRecorded { scope } => {
            conn.execute(
                "INSERT INTO scopes (seq, assessment, scope, recorded_by, os_user, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    ev.seq,
                    assessment()?,
                    canonical_json(scope),
                    ev.actor_profile,
                    ev.actor_os_user,
                    ev.at
                ],
            )
            .map_err(sql)?;
        }
    }
    Ok(())
}

/// The evidence reference the next evidence file or attachment of
/// `assessment` gets: one more than the highest of either table's (E-1
/// first).
pub(crate) fn next_reference(conn: &Connection, assessment: i64) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT coalesce(max(r), 0) + 1 FROM (
             SELECT max(reference) AS r FROM evidence_files WHERE assessment = ?1
             UNION ALL SELECT max(reference) FROM attachments WHERE assessment = ?1)",
        [assessment],
        |row| row.get(0),
    )
}

/// The `signatures` row of a signed event.
fn insert_signature(
    conn: &Connection,
    ev: &EventRow,
    kind: &str,
    signature: Option<&super::event::EventSignature>,
) -> rusqlite::Result<()> {
    let Some(signature) = signature else {
        return Ok(());
    };
    conn.execute(
        "INSERT INTO signatures (event, assessment, kind, profile, key_fingerprint, statement, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            ev.seq,
            ev.assessment,
            kind,
            ev.actor_profile,
            signature.key,
            signature.statement,
            signature.signature
        ],
    )?;
    Ok(())
}

/// SQLite integers are signed; sizes beyond `i64::MAX` do not occur.
pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
