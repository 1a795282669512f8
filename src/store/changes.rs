//! The write API for people's work: profiles, assessments, reviews,
//! attachments, sign-offs and approvals. Every method checks its rules,
//! then appends one event and materialises it in one transaction.

use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use super::binding::{RunIndex, assessment_bindings, current_binding};
use super::error::{Result, StoreError};
use super::event::{Change, record};
use super::model::*;
use super::read::{self, People};
use crate::catalog::{Catalog, NodeKind};
use crate::evidence::{MAX_FILE_BYTES, document_kind, sha256_hex};

impl Store {
    /// Creates a reviewer profile. `actor` is usually
    /// [`Actor::os_user_only`].
    pub fn create_profile(&mut self, actor: &Actor, profile: &NewProfile) -> Result<Profile> {
        let profile = clean_profile(profile)?;
        self.write(|conn| {
            check_actor(conn, actor)?;
            let seq = record(
                conn,
                actor,
                None,
                &Change::ProfileCreated {
                    name: profile.name,
                    email: profile.email,
                    role: profile.role,
                },
            )?;
            find_profile(conn, seq)
        })
    }

    /// Changes a profile's name, e-mail or role. Earlier events keep the
    /// profile ID; sign-offs and approvals keep the role they were made in.
    pub fn update_profile(
        &mut self,
        actor: &Actor,
        id: i64,
        profile: &NewProfile,
    ) -> Result<Profile> {
        let profile = clean_profile(profile)?;
        self.write(|conn| {
            check_actor(conn, actor)?;
            let old = find_profile(conn, id)?;
            if old.name == profile.name && old.email == profile.email && old.role == profile.role {
                return Err(StoreError::Rule(format!(
                    "profile #{id} already reads {} <{}>, {}",
                    old.name,
                    old.email,
                    old.role.label()
                )));
            }
            record(
                conn,
                actor,
                None,
                &Change::ProfileUpdated {
                    profile: id,
                    name: profile.name,
                    email: profile.email,
                    role: profile.role,
                },
            )?;
            find_profile(conn, id)
        })
    }

    /// Creates an assessment. Names are unique.
    pub fn create_assessment(&mut self, actor: &Actor, new: &NewAssessment) -> Result<Assessment> {
        check_new_assessment(new)?;
        self.write(|conn| insert_assessment(conn, actor, new, None))
    }

    /// Starts assessment `new` from the earlier assessment `prior` (e.g. a
    /// 4.0.1 assessment from last period's 3.2.1 one), in one transaction:
    /// the new assessment names `prior` as its prior period, and every
    /// current evidence file of `prior` becomes an evidence file of the new
    /// one. The files are referenced, not stored again (bytes are kept once
    /// per SHA-256); each keeps its provenance, with a note saying where it
    /// was carried from. No review, attachment or sign-off is copied: the
    /// earlier conclusions and notes are read as the prior period
    /// ([`Store::prior_period`](super::Store::prior_period)). Evaluate the
    /// new assessment next.
    pub fn start_from(
        &mut self,
        actor: &Actor,
        prior: i64,
        new: &NewAssessment,
    ) -> Result<(Assessment, Vec<EvidenceFile>)> {
        check_new_assessment(new)?;
        self.write(|conn| {
            let earlier = read::require_assessment(conn, prior)?;
            let created = insert_assessment(conn, actor, new, Some(prior))?;
            let people = People::load(conn)?;
            let mut files = Vec::new();
            for file in read::evidence_files(conn, &people, prior, true)? {
                let p = &file.provenance;
                let mut notes = p.notes.clone();
                notes.push(format!(
                    "Carried forward from evidence file #{} of assessment \"{}\"",
                    file.id, earlier.name
                ));
                let seq = record(
                    conn,
                    actor,
                    Some(created.id),
                    &Change::EvidenceImported {
                        path: p.path.clone(),
                        sha256: p.sha256.clone(),
                        size: p.size,
                        format: p.format,
                        tool: p.tool.clone(),
                        tool_version: p.tool_version.clone(),
                        imported_at: p.imported_at,
                        notes,
                        supersedes: None,
                        custody: p.custody.clone().map(Box::new),
                        resources: file.lifecycle.resources.clone(),
                        sensitive: file.lifecycle.sensitive.clone(),
                        replaces: Vec::new(),
                        original: None,
                    },
                )?;
                files.extend(read::evidence_file(conn, &People::load(conn)?, seq)?);
            }
            Ok((created, files))
        })
    }

    /// Changes an assessment's cluster or period.
    pub fn update_assessment(
        &mut self,
        actor: &Actor,
        assessment: i64,
        update: &AssessmentUpdate,
    ) -> Result<Assessment> {
        check_period(update.period_start, update.period_end)?;
        self.write(|conn| {
            check_actor(conn, actor)?;
            let old = read::require_assessment(conn, assessment)?;
            let cluster = update.cluster.trim().to_owned();
            if old.cluster == cluster
                && old.period_start == update.period_start
                && old.period_end == update.period_end
            {
                return Err(StoreError::Rule(
                    "the assessment's details are unchanged".into(),
                ));
            }
            record(
                conn,
                actor,
                Some(assessment),
                &Change::AssessmentUpdated {
                    cluster,
                    period_start: update.period_start,
                    period_end: update.period_end,
                },
            )?;
            read::require_assessment(conn, assessment)
        })
    }

    /// Records a requirement's review: the finding (if decided), the method
    /// with its worksheet, and the note (Markdown). Each call is a new
    /// version; the earlier ones stay in the history. Refuses a compensating
    /// control together with the customized approach, a worksheet that does
    /// not go with the method, the customized approach in a framework
    /// without it, and Not Applicable or Not Tested with a method other
    /// than the defined approach (see [`ReviewInput::check`]).
    pub fn set_review(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        requirement: &str,
        review: &ReviewInput,
    ) -> Result<Review> {
        review.check(catalog.customized_approach)?;
        self.write(|conn| {
            require_reviewer(conn, actor, "record a review")?;
            check_requirement(conn, assessment, catalog, requirement)?;
            record_review(conn, actor, assessment, requirement, review)
        })
    }

    /// Declares every assessed requirement under `scope` (an appendix that
    /// applies only to some entities, e.g. `A1` for multi-tenant service
    /// providers) Not Applicable in one step, with `reason`: one review
    /// event per requirement, in one transaction, each keeping the method,
    /// worksheets and attachments it had. Requirements already Not
    /// Applicable with the same note are left as they are. Refused, naming
    /// them, when any of them has another finding. Returns the requirements
    /// recorded.
    pub fn declare_not_applicable(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        scope: &str,
        reason: &str,
    ) -> Result<Vec<String>> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(format!(
                "declaring {scope} not applicable needs a reason"
            )));
        }
        let node = catalog.get(scope).ok_or_else(|| {
            StoreError::NotFound(format!("{scope} is not part of {}", catalog.name))
        })?;
        let Some(applies_to) = node.applies_to.clone() else {
            return Err(StoreError::Rule(format!(
                "{scope} applies to every entity; only the parts that apply to some entities (e.g. an appendix) are declared not applicable in one step"
            )));
        };
        let mut requirements: Vec<String> = catalog
            .descendants(scope)
            .into_iter()
            .filter(|n| n.is_assessed())
            .map(|n| n.id.clone())
            .collect();
        if node.is_assessed() {
            requirements.insert(0, node.id.clone());
        }
        let note = format!(
            "Not applicable with all of {scope} ({}), which applies only to {applies_to}: {reason}",
            node.title
        );
        self.write(|conn| {
            require_reviewer(conn, actor, "declare requirements not applicable")?;
            check_catalog(conn, assessment, catalog)?;
            let people = People::load(conn)?;
            let mut concluded = Vec::new();
            let mut to_record = Vec::new();
            for requirement in &requirements {
                let old = read::review(conn, &people, assessment, requirement)?;
                match old.as_ref().and_then(|r| r.conclusion()) {
                    Some(c) if c.finding != Finding::NotApplicable => {
                        concluded.push(format!("{requirement} ({})", c.label()));
                    }
                    Some(_) if old.as_ref().is_some_and(|r| r.note == note) => {}
                    _ => to_record.push((requirement, old)),
                }
            }
            if !concluded.is_empty() {
                return Err(StoreError::Rule(format!(
                    "{} requirement(s) of {scope} already have another finding: {}; change them one by one",
                    concluded.len(),
                    list_some(&concluded)
                )));
            }
            for (requirement, old) in &to_record {
                let input = ReviewInput {
                    finding: Some(Finding::NotApplicable),
                    method: Method::Defined,
                    note: note.clone(),
                    ..ReviewInput::default()
                };
                if old.as_ref().is_some_and(|r| !r.method.is_defined()) {
                    return Err(StoreError::Rule(format!(
                        "{requirement} records a {}; a requirement that does not apply needs none: change it first",
                        old.as_ref().map_or("", |r| r.method.label()).to_lowercase()
                    )));
                }
                record_review(conn, actor, assessment, requirement, &input)?;
            }
            Ok(to_record.iter().map(|(r, _)| (*r).clone()).collect())
        })
    }

    /// Attaches a document to a requirement. `media_type` defaults to what
    /// [`media_type_of`] detects.
    #[allow(clippy::too_many_arguments)]
    pub fn add_attachment(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        requirement: &str,
        file_name: &str,
        media_type: Option<&str>,
        bytes: &[u8],
    ) -> Result<AttachmentMeta> {
        let file_name = file_name.trim();
        if file_name.is_empty() {
            return Err(StoreError::Invalid(
                "an attachment needs a file name".into(),
            ));
        }
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(StoreError::Invalid(format!(
                "{file_name}: {} bytes is more than the {MAX_FILE_BYTES} bytes Tickmark stores from one file",
                bytes.len()
            )));
        }
        let media_type = media_type
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| media_type_of(file_name, bytes))
            .to_owned();
        let sha256 = sha256_hex(bytes);
        self.write(|conn| {
            require_reviewer(conn, actor, "attach a document")?;
            check_requirement(conn, assessment, catalog, requirement)?;
            store_blob(conn, &sha256, bytes)?;
            let seq = record(
                conn,
                actor,
                Some(assessment),
                &Change::AttachmentAdded {
                    requirement: requirement.to_owned(),
                    file_name: file_name.to_owned(),
                    media_type,
                    sha256,
                    size: bytes.len() as u64,
                },
            )?;
            find_attachment(conn, seq)
        })
    }

    /// Withdraws an attachment (attached by mistake, replaced...). It stays in
    /// the record but no longer counts for sign-offs.
    pub fn withdraw_attachment(
        &mut self,
        actor: &Actor,
        attachment: i64,
        reason: &str,
    ) -> Result<AttachmentMeta> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "withdrawing an attachment needs a reason".into(),
            ));
        }
        self.write(|conn| {
            require_reviewer(conn, actor, "withdraw an attachment")?;
            let old = find_attachment(conn, attachment)?;
            if old.withdrawn.is_some() {
                return Err(StoreError::Rule(format!(
                    "attachment #{attachment} is already withdrawn"
                )));
            }
            record(
                conn,
                actor,
                Some(old.assessment),
                &Change::AttachmentWithdrawn {
                    attachment,
                    requirement: old.requirement.clone(),
                    reason: reason.to_owned(),
                },
            )?;
            find_attachment(conn, attachment)
        })
    }

    /// Signs a requirement off: binds `statement` to a hash of its cited
    /// evidence, check results, conclusion, note and attachments as they are
    /// now. Needs a recorded conclusion.
    pub fn sign_off(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        requirement: &str,
        statement: &str,
    ) -> Result<SignOff> {
        let statement = statement.trim();
        if statement.is_empty() {
            return Err(StoreError::Invalid("a sign-off needs a statement".into()));
        }
        self.write(|conn| {
            let signer = require_reviewer(conn, actor, "sign off")?;
            check_requirement(conn, assessment, catalog, requirement)?;
            let people = People::load(conn)?;
            let review = read::review(conn, &people, assessment, requirement)?;
            if review.as_ref().and_then(|r| r.finding).is_none() {
                return Err(StoreError::Rule(format!(
                    "{requirement} has no finding yet; record one before signing off"
                )));
            }
            let index = RunIndex::latest(conn, assessment)?;
            let input = review.map(|r| r.input()).unwrap_or_default();
            let gaps = sign_off_gaps(&input, &index.failing_checks(requirement));
            if !gaps.is_empty() {
                return Err(StoreError::Rule(format!(
                    "{requirement} cannot be signed off yet: {}",
                    gaps.join("; ")
                )));
            }
            let binding = current_binding(conn, &index, assessment, requirement)?;
            let existing = read::sign_offs(conn, &people, assessment, requirement, &binding)?;
            if existing
                .iter()
                .any(|s| s.signer.profile == Some(signer.id) && !s.stale)
            {
                return Err(StoreError::Rule(format!(
                    "{} has already signed off {requirement} and nothing has changed since",
                    signer.name
                )));
            }
            let seq = record(
                conn,
                actor,
                Some(assessment),
                &Change::SignOffRecorded {
                    requirement: requirement.to_owned(),
                    role: signer.role,
                    statement: statement.to_owned(),
                    run: index.run,
                    binding_hash: binding.hash(),
                    binding: binding.clone(),
                },
            )?;
            read::sign_offs(
                conn,
                &People::load(conn)?,
                assessment,
                requirement,
                &binding,
            )?
            .into_iter()
            .find(|s| s.id == seq)
            .ok_or_else(|| StoreError::Corrupt("the sign-off just recorded is not there".into()))
        })
    }

    /// The security lead approves the assessment. Every assessed requirement
    /// of `catalog` needs a conclusion, or `justification` must explain why
    /// the listed unconcluded ones may stay so; both are recorded.
    pub fn approve(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        statement: &str,
        justification: Option<&str>,
    ) -> Result<Approval> {
        let statement = statement.trim().to_owned();
        if statement.is_empty() {
            return Err(StoreError::Invalid("an approval needs a statement".into()));
        }
        let justification = justification
            .map(str::trim)
            .filter(|j| !j.is_empty())
            .map(str::to_owned);
        self.write(|conn| {
            let lead = require_security_lead(conn, actor, "approve an assessment")?;
            check_catalog(conn, assessment, catalog)?;
            let requirements = assessed(catalog);
            let unconcluded = unconcluded_in(conn, assessment, &requirements)?;
            if !unconcluded.is_empty() && justification.is_none() {
                return Err(StoreError::Rule(format!(
                    "{} requirement(s) have no conclusion ({}); conclude them or approve with a justification",
                    unconcluded.len(),
                    list_some(&unconcluded)
                )));
            }
            let state = read::approvals(conn, &People::load(conn)?, assessment)?;
            if state.is_approved() {
                return Err(StoreError::Rule(
                    "the assessment is already approved and nothing has changed since".into(),
                ));
            }
            let (bindings, binding_hash) = assessment_bindings(conn, assessment, &requirements)?;
            let seq = record(
                conn,
                actor,
                Some(assessment),
                &Change::ApprovalRecorded {
                    decision: Decision::Approved,
                    role: lead.role,
                    statement,
                    justification,
                    unconcluded,
                    bindings,
                    binding_hash,
                },
            )?;
            find_approval(conn, assessment, seq)
        })
    }

    /// The security lead sends the assessment back to the auditors, saying why.
    pub fn send_back(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        reason: &str,
    ) -> Result<Approval> {
        let reason = reason.trim().to_owned();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "sending an assessment back needs a reason".into(),
            ));
        }
        self.write(|conn| {
            let lead = require_security_lead(conn, actor, "send an assessment back")?;
            check_catalog(conn, assessment, catalog)?;
            let requirements = assessed(catalog);
            let unconcluded = unconcluded_in(conn, assessment, &requirements)?;
            let (bindings, binding_hash) = assessment_bindings(conn, assessment, &requirements)?;
            let seq = record(
                conn,
                actor,
                Some(assessment),
                &Change::ApprovalRecorded {
                    decision: Decision::SentBack,
                    role: lead.role,
                    statement: reason,
                    justification: None,
                    unconcluded,
                    bindings,
                    binding_hash,
                },
            )?;
            find_approval(conn, assessment, seq)
        })
    }

    /// The assessed requirements of `catalog` that have no conclusion in
    /// `assessment`, in catalog order.
    pub fn unconcluded(&self, assessment: i64, catalog: &Catalog) -> Result<Vec<String>> {
        self.read(|conn| unconcluded_in(conn, assessment, &assessed(catalog)))
    }
}

/// Records `review` of `requirement` unless the record already says exactly
/// that, in the caller's transaction.
fn record_review(
    conn: &Connection,
    actor: &Actor,
    assessment: i64,
    requirement: &str,
    review: &ReviewInput,
) -> Result<Review> {
    let people = People::load(conn)?;
    if let Some(old) = read::review(conn, &people, assessment, requirement)?
        && old.input() == *review
    {
        return Err(StoreError::Rule(format!(
            "the review of {requirement} already says this"
        )));
    }
    record(
        conn,
        actor,
        Some(assessment),
        &Change::review(requirement, review.clone()),
    )?;
    read::review(conn, &People::load(conn)?, assessment, requirement)?
        .ok_or_else(|| StoreError::Corrupt("the review just recorded is not there".into()))
}

/// The media type of an attachment: from its magic bytes (PNG, JPEG, GIF,
/// PDF), else its extension, else text or binary.
pub fn media_type_of(file_name: &str, bytes: &[u8]) -> &'static str {
    match document_kind(bytes) {
        Some("PNG image") => return "image/png",
        Some("JPEG image") => return "image/jpeg",
        Some("PDF") => return "application/pdf",
        _ => {}
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return "image/gif";
    }
    let extension = std::path::Path::new(file_name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let text = std::str::from_utf8(bytes).is_ok();
    match extension.as_str() {
        "md" | "markdown" if text => "text/markdown",
        "csv" if text => "text/csv",
        "json" if text => "application/json",
        "svg" if text => "image/svg+xml",
        "html" | "htm" if text => "text/html",
        _ if text => "text/plain",
        _ => "application/octet-stream",
    }
}

/// Stores bytes under their SHA-256 (once).
pub(crate) fn store_blob(conn: &Connection, sha256: &str, bytes: &[u8]) -> Result<()> {
    if super::lifecycle::purged_hashes(conn)?.contains(sha256) {
        return Err(StoreError::Rule(
            "these exact bytes were purged from the record; they cannot be stored again".into(),
        ));
    }
    conn.execute(
        "INSERT OR IGNORE INTO blobs (sha256, size, bytes) VALUES (?1, ?2, ?3)",
        params![sha256, super::apply::to_i64(bytes.len() as u64), bytes],
    )?;
    Ok(())
}

fn clean_profile(profile: &NewProfile) -> Result<NewProfile> {
    let name = profile.name.trim().to_owned();
    let email = profile.email.trim().to_owned();
    if name.is_empty() {
        return Err(StoreError::Invalid("a profile needs a name".into()));
    }
    if !email.is_empty() && !email.contains('@') {
        return Err(StoreError::Invalid(format!(
            "`{email}` is not an e-mail address"
        )));
    }
    Ok(NewProfile {
        name,
        email,
        role: profile.role,
    })
}

fn check_new_assessment(new: &NewAssessment) -> Result<()> {
    if new.name.trim().is_empty() {
        return Err(StoreError::Invalid("an assessment needs a name".into()));
    }
    if new.catalog_id.trim().is_empty() {
        return Err(StoreError::Invalid("an assessment needs a catalog".into()));
    }
    check_period(new.period_start, new.period_end)
}

/// Records a new assessment (checked by [`check_new_assessment`]) in the
/// caller's transaction.
fn insert_assessment(
    conn: &Connection,
    actor: &Actor,
    new: &NewAssessment,
    prior_assessment: Option<i64>,
) -> Result<Assessment> {
    let name = new.name.trim().to_owned();
    check_actor(conn, actor)?;
    let people = People::load(conn)?;
    if read::assessment_by_name(conn, &people, &name)?.is_some() {
        return Err(StoreError::Rule(format!(
            "an assessment named \"{name}\" already exists"
        )));
    }
    let seq = record(
        conn,
        actor,
        None,
        &Change::AssessmentCreated {
            name,
            cluster: new.cluster.trim().to_owned(),
            period_start: new.period_start,
            period_end: new.period_end,
            catalog: new.catalog_id.trim().to_owned(),
            prior_assessment,
        },
    )?;
    read::require_assessment(conn, seq)
}

fn check_period(start: chrono::NaiveDate, end: chrono::NaiveDate) -> Result<()> {
    if end < start {
        return Err(StoreError::Invalid(format!(
            "the period ends ({end}) before it starts ({start})"
        )));
    }
    Ok(())
}

/// The actor's OS user is set and its profile, if any, exists.
fn check_actor(conn: &Connection, actor: &Actor) -> Result<Option<Profile>> {
    if actor.os_user.trim().is_empty() {
        return Err(StoreError::Invalid(
            "every change records the OS user, and it is empty".into(),
        ));
    }
    actor.profile.map(|id| find_profile(conn, id)).transpose()
}

pub(super) fn require_reviewer(conn: &Connection, actor: &Actor, action: &str) -> Result<Profile> {
    check_actor(conn, actor)?.ok_or_else(|| {
        StoreError::Rule(format!(
            "a reviewer profile is needed to {action}; choose or create one first"
        ))
    })
}

fn require_security_lead(conn: &Connection, actor: &Actor, action: &str) -> Result<Profile> {
    let profile = require_reviewer(conn, actor, action)?;
    if profile.role != Role::SecurityLead {
        return Err(StoreError::Rule(format!(
            "only a security lead can {action}; {} is an {}",
            profile.name,
            profile.role.label().to_lowercase()
        )));
    }
    Ok(profile)
}

fn find_profile(conn: &Connection, id: i64) -> Result<Profile> {
    read::profiles(conn)?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| StoreError::NotFound(format!("there is no profile #{id}")))
}

fn find_attachment(conn: &Connection, id: i64) -> Result<AttachmentMeta> {
    read::attachment(conn, &People::load(conn)?, id)?
        .ok_or_else(|| StoreError::NotFound(format!("there is no attachment #{id}")))
}

fn find_approval(conn: &Connection, assessment: i64, id: i64) -> Result<Approval> {
    read::approvals(conn, &People::load(conn)?, assessment)?
        .history
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| StoreError::Corrupt("the decision just recorded is not there".into()))
}

fn check_catalog(conn: &Connection, assessment: i64, catalog: &Catalog) -> Result<Assessment> {
    let found = read::require_assessment(conn, assessment)?;
    if found.catalog_id != catalog.id {
        return Err(StoreError::Invalid(format!(
            "assessment \"{}\" uses catalog {}, not {}",
            found.name, found.catalog_id, catalog.id
        )));
    }
    Ok(found)
}

fn check_requirement(
    conn: &Connection,
    assessment: i64,
    catalog: &Catalog,
    requirement: &str,
) -> Result<()> {
    check_catalog(conn, assessment, catalog)?;
    let assessed = catalog
        .nodes
        .iter()
        .any(|n| n.id == requirement && n.kind == NodeKind::Requirement);
    if !assessed {
        return Err(StoreError::NotFound(format!(
            "{requirement} is not an assessed requirement of {}",
            catalog.name
        )));
    }
    Ok(())
}

fn assessed(catalog: &Catalog) -> Vec<String> {
    catalog
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Requirement)
        .map(|n| n.id.clone())
        .collect()
}

fn unconcluded_in(
    conn: &Connection,
    assessment: i64,
    requirements: &[String],
) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare("SELECT finding FROM reviews WHERE assessment = ?1 AND requirement = ?2")?;
    let mut out = Vec::new();
    for requirement in requirements {
        let conclusion: Option<Option<String>> = stmt
            .query_row(params![assessment, requirement], |row| row.get(0))
            .optional()?;
        if conclusion.flatten().is_none() {
            out.push(requirement.clone());
        }
    }
    Ok(out)
}

fn list_some(items: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        text.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    text
}
