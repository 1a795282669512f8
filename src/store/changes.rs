//! The write API for people's work: profiles, assessments, reviews,
//! attachments, sign-offs and approvals. Every method checks its rules,
//! then appends one event and materialises it in one transaction.

use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use super::binding::{RunIndex, assessment_bindings, current_binding};
use super::error::{Result, StoreError};
use super::event::{Change, record, record_signed};
use super::model::*;
use super::read::{self, People};
use crate::catalog::{Catalog, NodeKind};
use crate::evidence::{MAX_FILE_BYTES, document_kind, sha256_hex};
use crate::signing::Signer;

impl Store {
    /// Creates a reviewer profile. `actor` is usually
    /// [`Actor::os_user_only`].
    pub fn create_profile(&mut self, actor: &Actor, profile: &NewProfile) -> Result<Profile> {
        let profile = clean_profile(profile)?;
        if [crate::sample::AUDITOR_NAME, crate::sample::LEAD_NAME].contains(&profile.name.as_str())
        {
            return Err(StoreError::Rule(format!(
                "\"{}\" is one of the bundled sample's fictional people; choose your own name",
                profile.name
            )));
        }
        self.insert_profile(actor, profile, false)
    }

    /// Creates the bundled sample's fictional auditor (only [`crate::sample`]
    /// does).
    pub(crate) fn create_sample_profile(
        &mut self,
        actor: &Actor,
        profile: &NewProfile,
    ) -> Result<Profile> {
        let profile = clean_profile(profile)?;
        self.insert_profile(actor, profile, true)
    }

    fn insert_profile(
        &mut self,
        actor: &Actor,
        profile: NewProfile,
        sample: bool,
    ) -> Result<Profile> {
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
                    sample,
                },
            )?;
            find_profile(conn, seq)
        })
    }

    /// Binds `key` to profile `id` from now on: its sign-offs, approvals and
    /// seals are signed with it. Replacing a key is allowed (a lost or
    /// rotated key); every earlier signature stays checked against the key
    /// bound when it was made. Refused for a retired profile, the sample's
    /// fictional auditor, and a key bound to another profile.
    pub fn register_key(
        &mut self,
        actor: &Actor,
        id: i64,
        key: &crate::signing::PublicKey,
    ) -> Result<Profile> {
        self.write(|conn| {
            check_actor(conn, actor)?;
            let profile = find_profile(conn, id)?;
            if profile.sample {
                return Err(StoreError::Rule(format!(
                    "{} is the sample's fictional auditor and signs nothing; register a key on your own profile",
                    profile.name
                )));
            }
            check_active(&profile)?;
            let fingerprint = key.fingerprint();
            if profile.key.as_ref().is_some_and(|k| k.fingerprint == fingerprint) {
                return Err(StoreError::Rule(format!(
                    "{} is already {}'s key",
                    fingerprint, profile.name
                )));
            }
            if let Some(other) = read::profiles(conn)?
                .into_iter()
                .find(|p| p.id != id && p.key.as_ref().is_some_and(|k| k.fingerprint == fingerprint))
            {
                return Err(StoreError::Rule(format!(
                    "key {fingerprint} is already bound to profile #{} {}; one key stands for one person",
                    other.id, other.name
                )));
            }
            record(
                conn,
                actor,
                None,
                &Change::KeyRegistered {
                    profile: id,
                    key: key.openssh(),
                    fingerprint,
                },
            )?;
            find_profile(conn, id)
        })
    }

    /// Retires profile `id`: it stays in the record (who signed what does not
    /// change) but records and signs nothing new.
    pub fn retire_profile(&mut self, actor: &Actor, id: i64, reason: &str) -> Result<Profile> {
        let reason = reason.trim().to_owned();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "retiring a profile needs a reason".into(),
            ));
        }
        self.write(|conn| {
            check_actor(conn, actor)?;
            let profile = find_profile(conn, id)?;
            check_active(&profile)?;
            record(
                conn,
                actor,
                None,
                &Change::ProfileRetired {
                    profile: id,
                    reason,
                },
            )?;
            find_profile(conn, id)
        })
    }

    /// Archives an assessment: it leaves the lists (the sample, a finished
    /// review) and stays in the record as it is.
    pub fn archive_assessment(
        &mut self,
        actor: &Actor,
        assessment: i64,
        reason: &str,
    ) -> Result<Assessment> {
        let reason = reason.trim().to_owned();
        self.write(|conn| {
            check_actor(conn, actor)?;
            let found = read::require_assessment(conn, assessment)?;
            if found.archived.is_some() {
                return Err(StoreError::Rule(format!(
                    "\"{}\" is already archived",
                    found.name
                )));
            }
            record(
                conn,
                actor,
                Some(assessment),
                &Change::AssessmentArchived { reason },
            )?;
            read::require_assessment(conn, assessment)
        })
    }

    /// Shows an archived assessment in the lists again.
    pub fn restore_assessment(&mut self, actor: &Actor, assessment: i64) -> Result<Assessment> {
        self.write(|conn| {
            check_actor(conn, actor)?;
            let found = read::require_assessment(conn, assessment)?;
            if found.archived.is_none() {
                return Err(StoreError::Rule(format!(
                    "\"{}\" is not archived",
                    found.name
                )));
            }
            record(
                conn,
                actor,
                Some(assessment),
                &Change::AssessmentRestored {},
            )?;
            read::require_assessment(conn, assessment)
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
        check_reserved_name(new)?;
        self.write(|conn| insert_assessment(conn, actor, new, None, false))
    }

    /// Creates the bundled sample assessment (only [`crate::sample`] does).
    pub(crate) fn create_sample_assessment(
        &mut self,
        actor: &Actor,
        new: &NewAssessment,
    ) -> Result<Assessment> {
        check_new_assessment(new)?;
        self.write(|conn| insert_assessment(conn, actor, new, None, true))
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
        check_reserved_name(new)?;
        self.start(actor, prior, new, false)
    }

    /// [`Store::start_from`] for the bundled sample (only [`crate::sample`]
    /// does it).
    pub(crate) fn start_sample_from(
        &mut self,
        actor: &Actor,
        prior: i64,
        new: &NewAssessment,
    ) -> Result<(Assessment, Vec<EvidenceFile>)> {
        self.start(actor, prior, new, true)
    }

    fn start(
        &mut self,
        actor: &Actor,
        prior: i64,
        new: &NewAssessment,
        sample: bool,
    ) -> Result<(Assessment, Vec<EvidenceFile>)> {
        check_new_assessment(new)?;
        self.write(|conn| {
            let earlier = read::require_assessment(conn, prior)?;
            let created = insert_assessment(conn, actor, new, Some(prior), sample)?;
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
        self.save_review(actor, assessment, catalog, requirement, review, None)
    }

    /// [`Store::set_review`] for an edit that started from the version
    /// recorded by event `based_on` (`None`: from no review at all). When
    /// the requirement's review was recorded again since (by a colleague,
    /// or in another window), nothing is saved and the error is
    /// [`StoreError::Conflict`], carrying both versions. On a shared record
    /// the check runs after the colleagues' latest events were pulled, under
    /// the server's write lock.
    pub fn set_review_based_on(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        requirement: &str,
        review: &ReviewInput,
        based_on: Option<i64>,
    ) -> Result<Review> {
        self.save_review(
            actor,
            assessment,
            catalog,
            requirement,
            review,
            Some(based_on),
        )
    }

    fn save_review(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        requirement: &str,
        review: &ReviewInput,
        based_on: Option<Option<i64>>,
    ) -> Result<Review> {
        review.check(catalog.customized_approach)?;
        self.write(|conn| {
            require_reviewer_in(conn, actor, assessment, "record a review")?;
            check_requirement(conn, assessment, catalog, requirement)?;
            if let Some(based_on) = based_on {
                check_not_changed_since(conn, assessment, requirement, review, based_on)?;
            }
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
            require_reviewer_in(conn, actor, assessment, "declare requirements not applicable")?;
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
            require_reviewer_in(conn, actor, assessment, "attach a document")?;
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
            let old = find_attachment(conn, attachment)?;
            require_reviewer_in(conn, actor, old.assessment, "withdraw an attachment")?;
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

    /// Signs a requirement off without a signature: for a profile that has
    /// no signing key (every view and export says "unsigned"). A profile
    /// with a key signs with [`Store::sign_off_with`].
    pub fn sign_off(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        requirement: &str,
        statement: &str,
    ) -> Result<SignOff> {
        self.sign_off_with(actor, assessment, catalog, requirement, statement, None)
    }

    /// Signs a requirement off as its preparer: binds `statement` to a hash
    /// of its cited evidence, check results, conclusion, note and
    /// attachments as they are now and, for a profile with a registered
    /// key, signs that (with the chain head) with `signer`. Needs a
    /// recorded conclusion. A profile with a key must sign; one without
    /// cannot.
    pub fn sign_off_with(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        requirement: &str,
        statement: &str,
        signer: Option<&dyn Signer>,
    ) -> Result<SignOff> {
        let target = SignOffTarget {
            assessment,
            catalog,
            requirement,
            level: SignOffLevel::Preparer,
        };
        self.record_sign_off(actor, &target, statement, signer)
    }

    /// Signs a requirement off as its reviewer, bound to the same hashes
    /// as a preparer's sign-off. Refused unless a current preparer sign-off
    /// stands, to anyone who prepared the requirement (signed it off as
    /// preparer or recorded its finding), and while a review note on it is
    /// open.
    pub fn review_sign_off_with(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        requirement: &str,
        statement: &str,
        signer: Option<&dyn Signer>,
    ) -> Result<SignOff> {
        let target = SignOffTarget {
            assessment,
            catalog,
            requirement,
            level: SignOffLevel::Reviewer,
        };
        self.record_sign_off(actor, &target, statement, signer)
    }

    fn record_sign_off(
        &mut self,
        actor: &Actor,
        target: &SignOffTarget<'_>,
        statement: &str,
        signer: Option<&dyn Signer>,
    ) -> Result<SignOff> {
        let SignOffTarget {
            assessment,
            catalog,
            requirement,
            level,
        } = *target;
        let statement = statement.trim();
        if statement.is_empty() {
            return Err(StoreError::Invalid("a sign-off needs a statement".into()));
        }
        self.write(|conn| {
            let signer_profile = require_reviewer_in(conn, actor, assessment, "sign off")?;
            check_requirement(conn, assessment, catalog, requirement)?;
            check_signing(conn, &signer_profile, assessment, signer, "a sign-off")?;
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
            let state = read::requirement_state(conn, &people, &index, assessment, requirement)?;
            let reviews = match level {
                SignOffLevel::Preparer => None,
                SignOffLevel::Reviewer => {
                    Some(check_reviewer(conn, assessment, &state, &signer_profile)?)
                }
            };
            let existing = match level {
                SignOffLevel::Preparer => &state.sign_offs,
                SignOffLevel::Reviewer => &state.reviewer_sign_offs,
            };
            if existing
                .iter()
                .any(|s| s.signer.profile == Some(signer_profile.id) && !s.stale)
            {
                return Err(StoreError::Rule(format!(
                    "{} has already signed off {requirement} as {} and nothing has changed since",
                    signer_profile.name,
                    level.id()
                )));
            }
            let seq = record_signed(
                conn,
                actor,
                Some(assessment),
                Change::SignOffRecorded {
                    requirement: requirement.to_owned(),
                    role: signer_profile.role,
                    statement: statement.to_owned(),
                    run: index.run,
                    binding_hash: binding.hash(),
                    binding: binding.clone(),
                    signature: None,
                    level,
                    reviews,
                },
                signer,
            )?;
            read::sign_offs(
                conn,
                &People::load(conn)?,
                &index,
                assessment,
                requirement,
                &binding,
            )?
            .into_iter()
            .find(|s| s.id == seq)
            .ok_or_else(|| StoreError::Corrupt("the sign-off just recorded is not there".into()))
        })
    }

    /// What stands between `assessment` and its approval, and whether
    /// `profile` (if given) may approve it at all.
    pub fn approval_gate(
        &self,
        assessment: i64,
        catalog: &Catalog,
        profile: Option<i64>,
    ) -> Result<ApprovalGate> {
        self.read(|conn| {
            check_catalog(conn, assessment, catalog)?;
            let open = open_items(conn, assessment, catalog)?;
            let refused = match profile {
                None => None,
                Some(id) => approver_refusal(conn, &find_profile(conn, id)?, assessment)?,
            };
            Ok(ApprovalGate {
                open,
                refused,
                review_notes: super::review_notes::open_in(conn, assessment)?,
            })
        })
    }

    /// The security lead approves the assessment. Refused to a profile
    /// that concluded or signed off any requirement of it (segregation of
    /// duties); refused while requirements are unconcluded, concluded but
    /// not signed off, or stale, unless `override_` names exactly those
    /// open items with a justification of at least a sentence (it is
    /// recorded, and signed, with the approval). A lead with a registered
    /// key signs the approval, and with it the chain head, with `signer`.
    pub fn approve(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        statement: &str,
        override_: Option<&ApprovalOverride>,
        signer: Option<&dyn Signer>,
    ) -> Result<Approval> {
        let statement = statement.trim().to_owned();
        if statement.is_empty() {
            return Err(StoreError::Invalid("an approval needs a statement".into()));
        }
        self.write(|conn| {
            let lead = require_security_lead(conn, actor, "approve an assessment")?;
            check_catalog(conn, assessment, catalog)?;
            if let Some(reason) = approver_refusal(conn, &lead, assessment)? {
                return Err(StoreError::Rule(reason));
            }
            check_signing(conn, &lead, assessment, signer, "an approval")?;
            super::review_notes::refuse_open(conn, assessment)?;
            let open = open_items(conn, assessment, catalog)?;
            let justification = check_override(&open, override_)?;
            let state = read::approvals(conn, &People::load(conn)?, assessment)?;
            if state.is_approved() {
                return Err(StoreError::Rule(
                    "the assessment is already approved and nothing has changed since".into(),
                ));
            }
            let requirements = assessed(catalog);
            let (bindings, binding_hash) = assessment_bindings(conn, assessment, &requirements)?;
            let seq = record_signed(
                conn,
                actor,
                Some(assessment),
                Change::ApprovalRecorded {
                    decision: Decision::Approved,
                    role: lead.role,
                    statement,
                    justification,
                    unconcluded: open.unconcluded.clone(),
                    bindings,
                    binding_hash,
                    open_items: (!open.is_empty()).then_some(open),
                    signature: None,
                },
                signer,
            )?;
            find_approval(conn, assessment, seq)
        })
    }

    /// The security lead sends the assessment back to the auditors, saying
    /// why (signed with `signer` when the lead has a key).
    pub fn send_back(
        &mut self,
        actor: &Actor,
        assessment: i64,
        catalog: &Catalog,
        reason: &str,
        signer: Option<&dyn Signer>,
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
            check_signing(conn, &lead, assessment, signer, "a decision")?;
            let requirements = assessed(catalog);
            let unconcluded = unconcluded_in(conn, assessment, &requirements)?;
            let (bindings, binding_hash) = assessment_bindings(conn, assessment, &requirements)?;
            let seq = record_signed(
                conn,
                actor,
                Some(assessment),
                Change::ApprovalRecorded {
                    decision: Decision::SentBack,
                    role: lead.role,
                    statement: reason,
                    justification: None,
                    unconcluded,
                    bindings,
                    binding_hash,
                    open_items: None,
                    signature: None,
                },
                signer,
            )?;
            find_approval(conn, assessment, seq)
        })
    }

    /// Seals the record for `assessment`: a profile with a registered key
    /// signs the chain head, so that the history up to now can be shown
    /// unchanged later (`tickmark verify`, and `verify --against` an export
    /// that carries the seal). `note` says why (may be empty).
    pub fn seal(
        &mut self,
        actor: &Actor,
        assessment: i64,
        note: &str,
        signer: &dyn Signer,
    ) -> Result<RecordedSignature> {
        let note = note.trim().to_owned();
        self.write(|conn| {
            let profile = require_reviewer_in(conn, actor, assessment, "seal the record")?;
            read::require_assessment(conn, assessment)?;
            check_signing(conn, &profile, assessment, Some(signer), "a seal")?;
            let placeholder = super::event::EventSignature {
                key: String::new(),
                statement: String::new(),
                signature: String::new(),
            };
            let seq = record_signed(
                conn,
                actor,
                Some(assessment),
                Change::RecordSealed {
                    note,
                    signature: placeholder,
                },
                Some(signer),
            )?;
            super::signed::signatures(conn, &People::load(conn)?, assessment)?
                .into_iter()
                .find(|s| s.event == seq)
                .ok_or_else(|| StoreError::Corrupt("the seal just recorded is not there".into()))
        })
    }

    /// Every signature of `assessment`, oldest first, with the keys and
    /// principals to check them without Tickmark.
    pub fn signatures(&self, assessment: i64) -> Result<Vec<RecordedSignature>> {
        self.read(|conn| super::signed::signatures(conn, &People::load(conn)?, assessment))
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
///
/// The row is made with room for the bytes, which are then written into it
/// a piece at a time through SQLite's incremental I/O, in the same
/// transaction: bound as a parameter, a file would be copied twice inside
/// SQLite (the bound value and the row built from it), three times its size
/// in memory for a 200 MiB pods list.
pub(crate) fn store_blob(conn: &Connection, sha256: &str, bytes: &[u8]) -> Result<()> {
    if super::lifecycle::purged_hashes(conn)?.contains(sha256) {
        return Err(StoreError::Rule(
            "these exact bytes were purged from the record; they cannot be stored again".into(),
        ));
    }
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO blobs (sha256, size, bytes) VALUES (?1, ?2, zeroblob(?2))",
        params![sha256, super::apply::to_i64(bytes.len() as u64)],
    )?;
    if inserted == 0 || bytes.is_empty() {
        return Ok(());
    }
    write_in_pieces(conn, "blobs", conn.last_insert_rowid(), bytes)
}

/// Writes `bytes` into the `bytes` column of row `rowid` of `table`, made
/// with room for them (`zeroblob`), a piece at a time through SQLite's
/// incremental I/O.
pub(crate) fn write_in_pieces(
    conn: &Connection,
    table: &str,
    rowid: i64,
    bytes: &[u8],
) -> Result<()> {
    let mut blob = conn.blob_open(rusqlite::MAIN_DB, table, "bytes", rowid, false)?;
    for (index, piece) in bytes.chunks(BLOB_PIECE).enumerate() {
        blob.write_all_at(piece, index * BLOB_PIECE)?;
    }
    Ok(())
}

/// How much of a stored file is written to the record at a time.
const BLOB_PIECE: usize = 1 << 20;

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

/// Refuses the names of the bundled sample's assessments (kept for the
/// sample, which is flagged as such).
fn check_reserved_name(new: &NewAssessment) -> Result<()> {
    let name = new.name.trim();
    let reserved = [
        crate::sample::ASSESSMENT_NAME,
        crate::sample::EARLIER_ASSESSMENT_NAME,
        super::signed::LEGACY_SAMPLE_ASSESSMENT,
    ];
    if reserved.contains(&name) {
        return Err(StoreError::Rule(format!(
            "\"{name}\" is the name of the bundled sample; choose another"
        )));
    }
    Ok(())
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
    sample: bool,
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
            sample,
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
    let profile = actor.profile.map(|id| find_profile(conn, id)).transpose()?;
    if let Some(profile) = &profile {
        check_active(profile)?;
    }
    Ok(profile)
}

pub(super) fn require_reviewer(conn: &Connection, actor: &Actor, action: &str) -> Result<Profile> {
    check_actor(conn, actor)?.ok_or_else(|| {
        StoreError::Rule(format!(
            "a reviewer profile is needed to {action}; choose or create one first"
        ))
    })
}

/// The acting profile, for a change to `assessment`: active, and the
/// sample's fictional auditor only in the sample assessment.
pub(super) fn require_reviewer_in(
    conn: &Connection,
    actor: &Actor,
    assessment: i64,
    action: &str,
) -> Result<Profile> {
    let profile = require_reviewer(conn, actor, action)?;
    if profile.sample && !read::require_assessment(conn, assessment)?.sample {
        return Err(StoreError::Rule(format!(
            "{} is the bundled sample's fictional auditor and works only in the sample assessment; choose your own profile to {action}",
            profile.name
        )));
    }
    Ok(profile)
}

/// Refuses a retired profile.
fn check_active(profile: &Profile) -> Result<()> {
    match &profile.retired {
        Some(retired) => Err(StoreError::Rule(format!(
            "{} was retired at event #{} ({}) and records and signs nothing new",
            profile.name, retired.event, retired.reason
        ))),
        None => Ok(()),
    }
}

/// Whether `profile` may make a signed change of `assessment` with
/// `signer`: a profile with a key must sign and one without cannot; the
/// sample's fictional auditor never signs in a record that holds a real
/// assessment. (That `signer` holds the registered key is checked when it
/// signs.)
fn check_signing(
    conn: &Connection,
    profile: &Profile,
    assessment: i64,
    signer: Option<&dyn Signer>,
    what: &str,
) -> Result<()> {
    if profile.sample {
        let real: i64 = conn.query_row(
            "SELECT count(*) FROM assessments WHERE sample = 0",
            [],
            |row| row.get(0),
        )?;
        if real > 0 || !read::require_assessment(conn, assessment)?.sample {
            return Err(StoreError::Rule(format!(
                "{} is the bundled sample's fictional auditor and never signs in a record that holds a real assessment",
                profile.name
            )));
        }
    }
    match (&profile.key, signer) {
        (Some(key), None) => Err(StoreError::Rule(format!(
            "{} has a signing key ({}), so {what} by them is signed: sign with ssh-agent or the private key file",
            profile.name, key.fingerprint
        ))),
        (None, Some(_)) => Err(StoreError::Rule(format!(
            "{} has no signing key registered; register the SSH public key on the profile first",
            profile.name
        ))),
        _ => Ok(()),
    }
}

/// Why `profile` may not approve `assessment`, if it may not: it concluded
/// or signed off a requirement of it (segregation of duties: the one who
/// prepared the work does not approve it).
fn approver_refusal(
    conn: &Connection,
    profile: &Profile,
    assessment: i64,
) -> Result<Option<String>> {
    if profile.role != Role::SecurityLead {
        return Ok(Some(format!(
            "only a security lead can approve an assessment; {} is an {}",
            profile.name,
            profile.role.label().to_lowercase()
        )));
    }
    if let Err(StoreError::Rule(reason)) = check_active(profile) {
        return Ok(Some(reason));
    }
    let mut signed: Vec<String> = conn
        .prepare("SELECT DISTINCT requirement FROM sign_offs WHERE assessment = ?1 AND profile = ?2 ORDER BY requirement")?
        .query_map(params![assessment, profile.id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut concluded = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT kind, payload FROM events WHERE assessment = ?1 AND actor_profile = ?2 AND kind = 'review.recorded' ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![assessment, profile.id], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (kind, payload) = row?;
        let change = serde_json::from_str(&payload)
            .map_err(|e| e.to_string())
            .and_then(|p| Change::from_parts(&kind, &p))
            .map_err(StoreError::Corrupt)?;
        if let (Change::ReviewRecorded { requirement, .. }, Ok(Some(input))) =
            (&change, change.review_input())
            && input.finding.is_some()
            && !concluded.contains(requirement)
        {
            concluded.push(requirement.clone());
        }
    }
    signed.sort();
    concluded.sort();
    if signed.is_empty() && concluded.is_empty() {
        return Ok(None);
    }
    let mut did = Vec::new();
    if !concluded.is_empty() {
        did.push(format!("recorded the finding of {}", list_some(&concluded)));
    }
    if !signed.is_empty() {
        did.push(format!("signed off {}", list_some(&signed)));
    }
    Ok(Some(format!(
        "segregation of duties: {} {} in this assessment, so another security lead approves it",
        profile.name,
        did.join(" and ")
    )))
}

/// Everything open in `assessment`: unconcluded requirements, concluded
/// ones not signed off, stale sign-offs, sign-offs nobody reviewed.
fn open_items(conn: &Connection, assessment: i64, catalog: &Catalog) -> Result<OpenItems> {
    let people = People::load(conn)?;
    let index = RunIndex::latest(conn, assessment)?;
    let mut open = OpenItems::default();
    for requirement in assessed(catalog) {
        let state = read::requirement_state(conn, &people, &index, assessment, &requirement)?;
        if state.conclusion().is_none() {
            open.unconcluded.push(requirement);
        } else {
            match (state.sign_off_state, state.reviewer_state) {
                (SignOffState::None, _) => open.not_signed_off.push(requirement),
                (SignOffState::Stale, _) => open.stale.push(requirement),
                (SignOffState::Current, SignOffState::Current) => {}
                (SignOffState::Current, _) => open.not_reviewed.push(requirement),
            }
        }
    }
    Ok(open)
}

/// The fewest words a justification of an override has.
pub const MIN_JUSTIFICATION_WORDS: usize = 6;

/// Checks an override against what is open: none is needed (or taken)
/// when nothing is, and one that names exactly the open items with a
/// justification of at least a sentence is needed otherwise. Returns the
/// justification to record.
fn check_override(
    open: &OpenItems,
    override_: Option<&ApprovalOverride>,
) -> Result<Option<String>> {
    let Some(given) = override_ else {
        if open.is_empty() {
            return Ok(None);
        }
        return Err(StoreError::Rule(format!(
            "the assessment is not ready to approve: {} requirement(s) are open: {}. Finish them, or approve with an override that names each open item and says why",
            open.count(),
            open.describe()
        )));
    };
    if open.is_empty() {
        return Err(StoreError::Rule(
            "nothing is open, so there is nothing to override; approve without one".into(),
        ));
    }
    let mut mismatches = Vec::new();
    for (what, named, actual) in [
        (
            "without a conclusion",
            &given.items.unconcluded,
            &open.unconcluded,
        ),
        (
            "not signed off",
            &given.items.not_signed_off,
            &open.not_signed_off,
        ),
        ("with a stale sign-off", &given.items.stale, &open.stale),
        (
            "signed off but not reviewed",
            &given.items.not_reviewed,
            &open.not_reviewed,
        ),
    ] {
        let missing: Vec<String> = actual
            .iter()
            .filter(|r| !named.contains(r))
            .cloned()
            .collect();
        let extra: Vec<String> = named
            .iter()
            .filter(|r| !actual.contains(r))
            .cloned()
            .collect();
        if !missing.is_empty() {
            mismatches.push(format!(
                "it does not name {} as {what}",
                list_some(&missing)
            ));
        }
        if !extra.is_empty() {
            mismatches.push(format!(
                "it names {} as {what}, which is not",
                list_some(&extra)
            ));
        }
    }
    if !mismatches.is_empty() {
        return Err(StoreError::Rule(format!(
            "the override does not match what is open now: {}",
            mismatches.join("; ")
        )));
    }
    let justification = given.justification.trim();
    let words = justification.split_whitespace().count();
    if words < MIN_JUSTIFICATION_WORDS {
        return Err(StoreError::Rule(format!(
            "an override needs a justification of at least a sentence ({MIN_JUSTIFICATION_WORDS} words or more); \"{justification}\" has {words}"
        )));
    }
    Ok(Some(justification.to_owned()))
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

/// What a reviewer sign-off of `state` needs: a current preparer
/// sign-off by someone else, a reviewer who did not prepare the
/// requirement, and no open review note. Returns the preparer sign-off
/// reviewed.
fn check_reviewer(
    conn: &Connection,
    assessment: i64,
    state: &RequirementState,
    reviewer: &Profile,
) -> Result<i64> {
    let requirement = &state.requirement;
    let preparer = match (state.sign_off_state, state.preparer_sign_off()) {
        (SignOffState::Current, Some(s)) => s,
        (SignOffState::Stale, _) => {
            return Err(StoreError::Rule(format!(
                "{requirement}'s preparer sign-off is stale; the preparer signs it off again before it is reviewed"
            )));
        }
        _ => {
            return Err(StoreError::Rule(format!(
                "{requirement} has no preparer sign-off yet; the preparer signs it off before it is reviewed"
            )));
        }
    };
    if let Some(what) = super::review_notes::prepared(conn, assessment, state, reviewer.id)? {
        return Err(StoreError::Rule(format!(
            "segregation of duties: {} {what}, and a reviewer cannot review their own preparation; another person signs as reviewer",
            reviewer.name
        )));
    }
    let open: Vec<String> = state.open_review_notes().map(ReviewNote::label).collect();
    if !open.is_empty() {
        return Err(StoreError::Rule(format!(
            "{requirement} has {} open review note(s) ({}); they are answered and cleared before the reviewer signs off",
            open.len(),
            open.join(", ")
        )));
    }
    Ok(preparer.id)
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

pub(super) fn check_requirement(
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

/// Refuses a save whose starting version is no longer the current review
/// (unless the current one already says exactly what is being saved).
fn check_not_changed_since(
    conn: &Connection,
    assessment: i64,
    requirement: &str,
    mine: &ReviewInput,
    based_on: Option<i64>,
) -> Result<()> {
    let current = read::review(conn, &People::load(conn)?, assessment, requirement)?;
    let Some(theirs) = current else {
        return Ok(());
    };
    if Some(theirs.event) == based_on || theirs.input() == *mine {
        return Ok(());
    }
    Err(StoreError::Conflict(Box::new(EditConflict {
        requirement: requirement.to_owned(),
        based_on,
        theirs,
        mine: mine.clone(),
    })))
}

/// The requirement a sign-off is for, and as whom.
#[derive(Clone, Copy)]
struct SignOffTarget<'a> {
    assessment: i64,
    catalog: &'a Catalog,
    requirement: &'a str,
    level: SignOffLevel,
}
