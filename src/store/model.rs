//! The review record's public types: what the read API returns and what the
//! write API takes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::binding::SignOffBinding;
pub use super::finding::{
    CompensatingControl, Conclusion, CustomizedApproach, Finding, Method, ReviewInput,
    default_review_statement, default_statement, sign_off_gaps, worksheet_fields,
};
use crate::checks::{CheckResult, RequirementVerdict, VerdictStatus};
use crate::evidence::{ImportError, Provenance};

/// A reviewer's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Walks the requirements, records conclusions, signs them off.
    Auditor,
    /// Reviews the conclusions and approves the whole assessment.
    SecurityLead,
}

impl Role {
    /// Every role.
    pub const ALL: &'static [Role] = &[Role::Auditor, Role::SecurityLead];

    /// `auditor` or `security_lead`.
    pub fn id(self) -> &'static str {
        match self {
            Role::Auditor => "auditor",
            Role::SecurityLead => "security_lead",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Role::Auditor => "Auditor",
            Role::SecurityLead => "Security lead",
        }
    }

    /// Looks a role up by its ID.
    pub fn from_id(id: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.id() == id)
    }
}

/// The security lead's decision on a whole assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The assessment is approved.
    Approved,
    /// The assessment goes back to the auditors.
    SentBack,
}

impl Decision {
    /// `approved` or `sent_back`.
    pub fn id(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::SentBack => "sent_back",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Decision::Approved => "Approved",
            Decision::SentBack => "Sent back",
        }
    }

    /// Looks a decision up by its ID.
    pub fn from_id(id: &str) -> Option<Decision> {
        [Decision::Approved, Decision::SentBack]
            .into_iter()
            .find(|d| d.id() == id)
    }
}

/// Who makes a change: a reviewer profile (where there is one) and the
/// operating-system user, both recorded with every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The reviewer profile's ID. Reviews, attachments, sign-offs and
    /// approvals need one; imports and runs may be made without.
    pub profile: Option<i64>,
    /// The operating-system user name.
    pub os_user: String,
}

impl Actor {
    /// The current OS user, without a profile.
    pub fn os_user_only() -> Actor {
        Actor {
            profile: None,
            os_user: current_os_user(),
        }
    }

    /// The current OS user acting as `profile`.
    pub fn with_profile(profile: i64) -> Actor {
        Actor {
            profile: Some(profile),
            os_user: current_os_user(),
        }
    }
}

/// The operating-system user name: on Linux the account of the process's
/// user ID; elsewhere `USER`, `USERNAME` or `LOGNAME`; else `unknown`.
pub fn current_os_user() -> String {
    account_of_process()
        .or_else(|| {
            ["USER", "USERNAME", "LOGNAME"]
                .iter()
                .filter_map(|key| std::env::var(key).ok())
                .find(|name| !name.trim().is_empty())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// On Linux, the account of this process's real user ID, from the system
/// (`/proc/self/status` and `/etc/passwd`) rather than from environment
/// variables that any caller can set; `uid N` when the ID has no name.
fn account_of_process() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_owned();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid).then(|| name.to_owned())
    });
    Some(name.unwrap_or_else(|| format!("uid {uid}")))
}

/// A person as recorded with a change: the profile, with the name, e-mail
/// and role it had when the change was made (a later rename does not
/// change who made it), and the OS user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The profile ID, if the change was made with a profile.
    pub profile: Option<i64>,
    /// The profile's name at the time of the change.
    pub name: Option<String>,
    /// The profile's e-mail address at the time of the change.
    pub email: Option<String>,
    /// The profile's role at the time of the change (for sign-offs and
    /// approvals, the role they were made in).
    pub role: Option<Role>,
    /// The OS user name recorded with the change.
    pub os_user: String,
}

impl Person {
    /// `Name <email> (OS user os_user)`, or just the OS user.
    pub fn display(&self) -> String {
        match (&self.name, &self.email) {
            (Some(name), Some(email)) if !email.is_empty() => {
                format!("{name} <{email}> (OS user {})", self.os_user)
            }
            (Some(name), _) => format!("{name} (OS user {})", self.os_user),
            _ => format!("OS user {}", self.os_user),
        }
    }
}

/// A reviewer profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The ID (the sequence number of the event that created it).
    pub id: i64,
    /// The reviewer's name.
    pub name: String,
    /// The reviewer's e-mail address.
    pub email: String,
    /// Auditor or security lead.
    pub role: Role,
    /// When the profile was created.
    pub created_at: DateTime<Utc>,
    /// The bundled sample's fictional auditor: works only in the sample
    /// assessment and never signs in a record that holds a real one.
    #[serde(default)]
    pub sample: bool,
    /// The SSH public key bound to the profile, if one is registered: its
    /// sign-offs and approvals are signed with it.
    #[serde(default)]
    pub key: Option<ProfileKey>,
    /// Set when the profile is retired: it records and signs nothing new.
    #[serde(default)]
    pub retired: Option<Retirement>,
}

impl Profile {
    /// True unless the profile is retired.
    pub fn is_active(&self) -> bool {
        self.retired.is_none()
    }
}

/// The SSH public key bound to a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileKey {
    /// The key as one OpenSSH line, without a comment.
    pub openssh: String,
    /// Its SHA-256 fingerprint (`SHA256:…`).
    pub fingerprint: String,
    /// The event that bound it to the profile.
    pub event: i64,
}

/// Why and when a profile was retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retirement {
    /// The event.
    pub event: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: String,
}

/// The details of a new or edited profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProfile {
    /// The reviewer's name (not empty).
    pub name: String,
    /// The reviewer's e-mail address (may be empty).
    pub email: String,
    /// Auditor or security lead.
    pub role: Role,
}

/// An assessment: one review of one cluster over one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The ID (the sequence number of the event that created it).
    pub id: i64,
    /// The unique name.
    pub name: String,
    /// The cluster assessed.
    pub cluster: String,
    /// First day of the assessed period.
    pub period_start: NaiveDate,
    /// Last day of the assessed period.
    pub period_end: NaiveDate,
    /// The catalog, e.g. `pci-dss-3.2.1`.
    pub catalog_id: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: Person,
    /// The earlier assessment it was started from (e.g. the 3.2.1
    /// assessment a 4.0.1 one carries forward): its conclusions and notes
    /// show beside the mapped requirements as the prior period.
    #[serde(default)]
    pub prior_assessment: Option<i64>,
    /// The bundled sample assessment.
    #[serde(default)]
    pub sample: bool,
    /// Set when the assessment is archived (out of sight in lists).
    #[serde(default)]
    pub archived: Option<Retirement>,
}

/// The details of a new assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAssessment {
    /// The unique name (not empty).
    pub name: String,
    /// The cluster assessed.
    pub cluster: String,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period (not before the first).
    pub period_end: NaiveDate,
    /// The catalog ID.
    pub catalog_id: String,
}

/// New values for an assessment's editable details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentUpdate {
    /// The cluster assessed.
    pub cluster: String,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period.
    pub period_end: NaiveDate,
}

/// An evidence file of an assessment. Its bytes are stored once per SHA-256
/// and read with [`Store::evidence_bytes`](super::Store::evidence_bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// The ID (the sequence number of the import event).
    pub id: i64,
    /// The assessment.
    pub assessment: i64,
    /// Path, SHA-256, size, format, tool, version, import time, notes.
    pub provenance: Provenance,
    /// Who imported it.
    pub imported_by: Person,
    /// The earlier file of the same path that this one replaced.
    pub supersedes: Option<i64>,
    /// The later file that replaced this one (of the same path, a
    /// re-export of the same resources, or its redacted copy); a replaced
    /// file is kept but no longer evaluated.
    pub superseded_by: Option<i64>,
    /// Its evidence reference number in the assessment (`E-3` is 3; see
    /// [`reference_label`]); 0 in records exported before references existed.
    #[serde(default)]
    pub reference: i64,
    /// What it describes, what was found in it, and whether it was
    /// retired, kept despite sensitive data, redacted or purged.
    #[serde(
        default,
        skip_serializing_if = "super::lifecycle::FileLifecycle::is_empty"
    )]
    pub lifecycle: super::lifecycle::FileLifecycle,
}

impl EvidenceFile {
    /// Its evidence reference, e.g. `E-3`.
    pub fn reference_label(&self) -> String {
        reference_label(self.reference)
    }
}

/// An evidence reference as notes and reports cite it: `E-12`.
pub fn reference_label(number: i64) -> String {
    format!("E-{number}")
}

/// The number of an evidence reference as typed (`E-12`, `e-12`, `E12`);
/// `None` if it is not one.
pub fn parse_reference(text: &str) -> Option<i64> {
    let rest = text.trim().strip_prefix(['E', 'e'])?;
    let digits = rest.strip_prefix('-').unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

/// What importing one file did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "file", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// Stored as a new evidence file (possibly replacing one of the same path).
    Imported(EvidenceFile),
    /// The same bytes are already a current evidence file of the assessment.
    Unchanged(EvidenceFile),
}

impl ImportOutcome {
    /// The evidence file, new or existing.
    pub fn file(&self) -> &EvidenceFile {
        match self {
            ImportOutcome::Imported(f) | ImportOutcome::Unchanged(f) => f,
        }
    }
}

/// One file of an import from disk, as [`Store::import_paths`](super::Store::import_paths) reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    /// The file as named on the command line or in the dialog.
    pub path: String,
    /// What happened to it.
    pub result: Result<ImportOutcome, ImportError>,
    /// Fields of a file that was read that hold a value of the wrong type
    /// (see [`crate::evidence::ImportedFile::problems`]): input errors, though
    /// the rest of the file was kept and judged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_errors: Vec<ImportError>,
}

/// What [`Store::import_paths`](super::Store::import_paths) did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// The assessment (absent only if it did not exist, was not to be
    /// created, or no file could be imported to create it with).
    pub assessment: Option<Assessment>,
    /// True if this import created the assessment.
    pub created: bool,
    /// Every file, in order.
    pub files: Vec<FileReport>,
}

impl ImportSummary {
    /// The files that could not be imported.
    pub fn unusable(&self) -> impl Iterator<Item = &ImportError> {
        self.files.iter().filter_map(|f| f.result.as_ref().err())
    }

    /// The wrongly typed fields of the files that were imported.
    pub fn input_errors(&self) -> impl Iterator<Item = &ImportError> {
        self.files.iter().flat_map(|f| f.input_errors.iter())
    }
}

/// An evidence file as an evaluation run used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFile {
    /// The evidence file's ID.
    pub file: i64,
    /// Its path (what check results cite).
    pub path: String,
    /// Its SHA-256.
    pub sha256: String,
}

/// How many requirements got each automated verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictCounts {
    /// Pass.
    pub pass: usize,
    /// Fail.
    pub fail: usize,
    /// Partial.
    pub partial: usize,
    /// Supported (only supporting checks passed).
    #[serde(default)]
    pub supported: usize,
    /// Manual.
    pub manual: usize,
    /// No evidence.
    pub no_evidence: usize,
}

impl VerdictCounts {
    /// Counts `verdicts`.
    pub fn of<'a>(verdicts: impl IntoIterator<Item = &'a VerdictStatus>) -> Self {
        let mut counts = VerdictCounts::default();
        for &status in verdicts {
            *counts.get_mut(status) += 1;
        }
        counts
    }

    /// How many got `status`.
    pub fn get(&self, status: VerdictStatus) -> usize {
        match status {
            VerdictStatus::Pass => self.pass,
            VerdictStatus::Fail => self.fail,
            VerdictStatus::Partial => self.partial,
            VerdictStatus::Supported => self.supported,
            VerdictStatus::Manual => self.manual,
            VerdictStatus::NoEvidence => self.no_evidence,
        }
    }

    /// Counts `n` more requirements with `status`.
    pub fn add(&mut self, status: VerdictStatus, n: usize) {
        *self.get_mut(status) += n;
    }

    fn get_mut(&mut self, status: VerdictStatus) -> &mut usize {
        match status {
            VerdictStatus::Pass => &mut self.pass,
            VerdictStatus::Fail => &mut self.fail,
            VerdictStatus::Partial => &mut self.partial,
            VerdictStatus::Supported => &mut self.supported,
            VerdictStatus::Manual => &mut self.manual,
            VerdictStatus::NoEvidence => &mut self.no_evidence,
        }
    }

    /// All requirements counted.
    pub fn total(&self) -> usize {
        VerdictStatus::ALL.iter().map(|&s| self.get(s)).sum()
    }

    /// `3 pass, 1 fail, 2 partial, 4 supported, 10 manual, 0 no evidence`;
    /// `supported` is left out when none are (runs recorded before that
    /// verdict existed read as they did).
    pub fn describe(&self) -> String {
        VerdictStatus::ALL
            .iter()
            .filter(|&&s| s != VerdictStatus::Supported || self.supported > 0)
            .map(|&s| format!("{} {}", self.get(s), s.label().to_lowercase()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An evaluation run: the check results and verdicts of an assessment's
/// evidence at one moment, with the settings used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The ID (the sequence number of the run event).
    pub id: i64,
    /// The assessment.
    pub assessment: i64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// Who recorded it.
    pub by: Person,
    /// The catalog whose mapping gave the verdicts.
    pub catalog_id: String,
    /// The check settings used (as JSON).
    pub settings: Value,
    /// The evidence files evaluated.
    pub files: Vec<RunFile>,
    /// Every check result.
    pub results: Vec<CheckResult>,
    /// Every requirement's verdict, in catalog order.
    pub verdicts: Vec<RequirementVerdict>,
}

impl Run {
    /// The verdict of `requirement`, if the catalog has it.
    pub fn verdict(&self, requirement: &str) -> Option<&RequirementVerdict> {
        self.verdicts.iter().find(|v| v.requirement == requirement)
    }

    /// How many requirements got each verdict.
    pub fn counts(&self) -> VerdictCounts {
        VerdictCounts::of(self.verdicts.iter().map(|v| &v.status))
    }
}

/// A run without its results, for lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The ID.
    pub id: i64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// Who recorded it.
    pub by: Person,
    /// The catalog.
    pub catalog_id: String,
    /// How many evidence files it evaluated.
    pub file_count: usize,
    /// How many requirements got each verdict.
    pub counts: VerdictCounts,
}

/// What recording a run did, with the run's verdicts and results (without
/// their resources' rows: [`Store::run`](super::Store::run) reads them all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "run", rename_all = "snake_case")]
pub enum RunOutcome {
    /// A new run was recorded.
    Recorded(super::RunOverview),
    /// Files, settings and results equal the latest run's; nothing recorded.
    Unchanged(super::RunOverview),
}

impl RunOutcome {
    /// The run, new or latest.
    pub fn run(&self) -> &super::RunOverview {
        match self {
            RunOutcome::Recorded(r) | RunOutcome::Unchanged(r) => r,
        }
    }
}

/// A reviewer's current review of one requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The assessment.
    pub assessment: i64,
    /// The requirement ID.
    pub requirement: String,
    /// The finding, if one is recorded.
    pub finding: Option<Finding>,
    /// The method (the defined approach unless another was recorded).
    pub method: Method,
    /// The compensating controls worksheet, with a compensating control.
    pub compensating: Option<CompensatingControl>,
    /// The customized approach's documentation, with the customized approach.
    pub customized: Option<CustomizedApproach>,
    /// The note (Markdown).
    pub note: String,
    /// Who recorded this version.
    pub reviewer: Person,
    /// When.
    pub reviewed_at: DateTime<Utc>,
    /// The event that recorded this version.
    pub event: i64,
}

impl Review {
    /// The finding with its method, if a finding is recorded.
    pub fn conclusion(&self) -> Option<Conclusion> {
        self.finding.map(|finding| Conclusion {
            finding,
            method: self.method,
        })
    }

    /// What was recorded, as the input that would record it again.
    pub fn input(&self) -> ReviewInput {
        ReviewInput {
            finding: self.finding,
            method: self.method,
            compensating: self.compensating.clone(),
            customized: self.customized.clone(),
            note: self.note.clone(),
        }
    }
}

/// A review saved over a version it did not start from: someone recorded
/// the requirement's review after the version the edit was based on.
/// Nothing is saved; both texts are kept here to show side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct EditConflict {
    /// The requirement.
    pub requirement: String,
    /// The version the edit started from (`None`: no review yet).
    pub based_on: Option<i64>,
    /// The review recorded in between (the current one).
    pub theirs: Review,
    /// What this edit would have saved.
    pub mine: ReviewInput,
}

impl std::fmt::Display for EditConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let finding = |x: Option<Finding>| x.map_or("none".to_owned(), |x| x.label().to_owned());
        write!(
            f,
            "requirement {} was changed by {} at {} (event #{}) after this edit started from {}; nothing was saved.\n\
             --- their version (finding: {})\n{}\n--- your version (finding: {})\n{}",
            self.requirement,
            self.theirs.reviewer.display(),
            self.theirs.reviewed_at.format("%Y-%m-%d %H:%M:%S UTC"),
            self.theirs.event,
            self.based_on
                .map_or("no review".to_owned(), |seq| format!("event #{seq}")),
            finding(self.theirs.finding),
            self.theirs.note,
            finding(self.mine.finding),
            self.mine.note,
        )
    }
}

/// Why and when an attachment was withdrawn (it stays in the record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// The withdrawal event.
    pub event: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: String,
}

/// An attachment's metadata; the bytes come from
/// [`Store::attachment_bytes`](super::Store::attachment_bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    /// The ID (the sequence number of the event that added it).
    pub id: i64,
    /// The assessment.
    pub assessment: i64,
    /// The requirement it documents.
    pub requirement: String,
    /// The file name as given.
    pub file_name: String,
    /// The media type, e.g. `image/png`.
    pub media_type: String,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Who added it.
    pub added_by: Person,
    /// When.
    pub added_at: DateTime<Utc>,
    /// Set if it was withdrawn; a withdrawn attachment no longer counts for
    /// sign-offs.
    pub withdrawn: Option<Withdrawal>,
    /// Its evidence reference number in the assessment (shared with the
    /// evidence files: `E-7` is 7); 0 in records exported before references
    /// existed.
    #[serde(default)]
    pub reference: i64,
}

impl AttachmentMeta {
    /// Its evidence reference, e.g. `E-7`.
    pub fn reference_label(&self) -> String {
        reference_label(self.reference)
    }
}

/// A requirement sign-off, with whether it still covers what is there now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    /// The ID (the sequence number of the sign-off event).
    pub id: i64,
    /// The assessment.
    pub assessment: i64,
    /// The requirement.
    pub requirement: String,
    /// Who signed.
    pub signer: Person,
    /// The signer's role when signing.
    pub role: Role,
    /// When.
    pub signed_at: DateTime<Utc>,
    /// The statement signed.
    pub statement: String,
    /// The run whose results were signed (none if no run existed).
    pub run: Option<i64>,
    /// Exactly what was signed.
    pub binding: SignOffBinding,
    /// SHA-256 of the binding.
    pub binding_hash: String,
    /// True if the evidence, results, conclusion, note or attachments have
    /// changed since (the binding recomputed now differs).
    pub stale: bool,
    /// What changed, when stale (e.g. `note`, `evidence files`).
    pub stale_reasons: Vec<String>,
    /// The signer's SSH signature, or `None` for an unsigned sign-off (a
    /// profile without a key, or one recorded before signatures existed).
    #[serde(default)]
    pub signature: Option<SignatureInfo>,
    /// Preparer (the work is done) or reviewer (a second person checked
    /// it); preparer in records written before reviewer sign-offs existed.
    #[serde(default)]
    pub level: SignOffLevel,
    /// For a reviewer sign-off: the preparer sign-off it reviewed.
    #[serde(default)]
    pub reviews: Option<i64>,
}

/// Which of a requirement's two sign-offs: the preparer's, or the
/// reviewer's over it (a different person).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOffLevel {
    /// The person who did the work signs that it is done.
    #[default]
    Preparer,
    /// A second person signs that they reviewed the preparer's work.
    Reviewer,
}

impl SignOffLevel {
    /// `preparer` or `reviewer`.
    pub fn id(self) -> &'static str {
        match self {
            SignOffLevel::Preparer => "preparer",
            SignOffLevel::Reviewer => "reviewer",
        }
    }

    /// `Preparer` or `Reviewer`.
    pub fn label(self) -> &'static str {
        match self {
            SignOffLevel::Preparer => "Preparer",
            SignOffLevel::Reviewer => "Reviewer",
        }
    }

    /// The level a stored ID names.
    pub fn from_id(id: &str) -> Option<SignOffLevel> {
        [SignOffLevel::Preparer, SignOffLevel::Reviewer]
            .into_iter()
            .find(|l| l.id() == id)
    }

    /// True for the preparer's sign-off (the default, left out of events).
    pub fn is_preparer(&self) -> bool {
        *self == SignOffLevel::Preparer
    }
}

/// A point a reviewer raised on a requirement, with the preparer's answers
/// and, once settled, who cleared it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewNote {
    /// The ID (the sequence number of the event that raised it).
    pub id: i64,
    /// The assessment.
    pub assessment: i64,
    /// The requirement.
    pub requirement: String,
    /// What the reviewer raised.
    pub text: String,
    /// Who raised it, as they were then.
    pub raised_by: Person,
    /// When.
    pub raised_at: DateTime<Utc>,
    /// The answers, oldest first.
    pub answers: Vec<ReviewNoteEntry>,
    /// Who cleared it, when, with what remark (`None` while it is open).
    pub cleared: Option<ReviewNoteEntry>,
}

impl ReviewNote {
    /// True until it is cleared.
    pub fn is_open(&self) -> bool {
        self.cleared.is_none()
    }

    /// `RN-12`: how the note is named in messages and exports.
    pub fn label(&self) -> String {
        format!("RN-{}", self.id)
    }
}

/// One answer to a review note, or its clearing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewNoteEntry {
    /// The event.
    pub event: i64,
    /// Who, as they were then.
    pub by: Person,
    /// When.
    pub at: DateTime<Utc>,
    /// The text (may be empty for a clearing).
    pub text: String,
}

impl SignOff {
    /// `signed with SHA256:…` or `unsigned`.
    pub fn signature_label(&self) -> String {
        signature_label(self.signature.as_ref())
    }
}

/// `signed with SHA256:…`, or `unsigned`.
pub fn signature_label(signature: Option<&SignatureInfo>) -> String {
    match signature {
        Some(s) => format!("signed with {}", s.key_fingerprint),
        None => "unsigned".to_owned(),
    }
}

/// A signed event's SSH signature, as the record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureInfo {
    /// The fingerprint of the key that signed (`SHA256:…`).
    pub key_fingerprint: String,
    /// The exact text signed (JSON): what, by whom, when, bound to which
    /// hashes and chain head.
    pub statement: String,
    /// The SSHSIG signature, armored (`-----BEGIN SSH SIGNATURE-----`).
    pub signature: String,
}

/// One signature of an assessment with everything needed to check it
/// without Tickmark: the statement, the signature, the public key and the
/// principal to name in `allowed_signers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedSignature {
    /// The signed event.
    pub event: i64,
    /// `sign-off`, `reviewer-sign-off`, `approval` or `seal`.
    pub kind: String,
    /// The requirement, for a sign-off.
    pub requirement: Option<String>,
    /// Who signed, as they were then.
    pub signer: Person,
    /// When.
    pub at: DateTime<Utc>,
    /// The name in `allowed_signers` (`ssh-keygen -Y verify -I`).
    pub principal: String,
    /// The public key (one OpenSSH line).
    pub public_key: String,
    /// The statement, the signature and the key's fingerprint.
    pub signature: SignatureInfo,
    /// The history it covers: the event before it and that event's hash.
    pub sealed_head: ChainHead,
}

/// Whether a requirement is signed off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOffState {
    /// Never signed off.
    #[default]
    None,
    /// The latest sign-off covers what is there now.
    Current,
    /// The latest sign-off no longer does.
    Stale,
}

/// Everything a reviewer sees about one requirement of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementState {
    /// The requirement ID.
    pub requirement: String,
    /// The automated verdict of the latest run.
    pub verdict: Option<VerdictStatus>,
    /// SHA-256s of the evidence files the latest run's results for it cite.
    pub evidence_sha256: Vec<String>,
    /// The current review.
    pub review: Option<Review>,
    /// Attachments, withdrawn ones included, oldest first.
    pub attachments: Vec<AttachmentMeta>,
    /// Preparer sign-offs, oldest first.
    pub sign_offs: Vec<SignOff>,
    /// The state of the latest preparer sign-off.
    pub sign_off_state: SignOffState,
    /// The binding hash of what is there now (what a sign-off would cover).
    pub binding_hash: String,
    /// Reviewer sign-offs, oldest first (none in records exported before
    /// they existed).
    #[serde(default)]
    pub reviewer_sign_offs: Vec<SignOff>,
    /// The state of the latest reviewer sign-off: current only while it
    /// covers what is there now and a current preparer sign-off stands.
    #[serde(default)]
    pub reviewer_state: SignOffState,
    /// Review notes, oldest first, cleared ones included.
    #[serde(default)]
    pub review_notes: Vec<ReviewNote>,
}

impl RequirementState {
    /// The review notes not cleared yet.
    pub fn open_review_notes(&self) -> impl Iterator<Item = &ReviewNote> {
        self.review_notes.iter().filter(|n| n.is_open())
    }

    /// The latest preparer sign-off.
    pub fn preparer_sign_off(&self) -> Option<&SignOff> {
        self.sign_offs.last()
    }

    /// The latest reviewer sign-off.
    pub fn reviewer_sign_off(&self) -> Option<&SignOff> {
        self.reviewer_sign_offs.last()
    }

    /// The finding with its method, if a finding is recorded.
    pub fn conclusion(&self) -> Option<Conclusion> {
        self.review.as_ref().and_then(Review::conclusion)
    }
}

/// A decision of the security lead on the whole assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The ID (the sequence number of the event).
    pub id: i64,
    /// The assessment.
    pub assessment: i64,
    /// Approved or sent back.
    pub decision: Decision,
    /// Who decided.
    pub by: Person,
    /// Their role when deciding.
    pub role: Role,
    /// When.
    pub at: DateTime<Utc>,
    /// The statement (approval) or the reason (sent back).
    pub statement: String,
    /// Why the assessment is approved although requirements are unconcluded.
    pub justification: Option<String>,
    /// The requirements that had no conclusion at the time.
    pub unconcluded: Vec<String>,
    /// SHA-256 over every requirement's binding hash at the time.
    pub binding_hash: String,
    /// True if any requirement's evidence or review changed since.
    pub stale: bool,
    /// The requirements that changed since.
    pub changed_requirements: Vec<String>,
    /// The open items the approval overrode, named one by one.
    #[serde(default)]
    pub open_items: Option<OpenItems>,
    /// The lead's SSH signature, or `None` (unsigned).
    #[serde(default)]
    pub signature: Option<SignatureInfo>,
}

/// What stands between an assessment and its approval: requirements
/// without a conclusion, concluded ones nobody signed off, and sign-offs
/// that went stale. Each list in catalog order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenItems {
    /// Assessed requirements without a finding.
    #[serde(default)]
    pub unconcluded: Vec<String>,
    /// Requirements with a finding that no one has signed off.
    #[serde(default)]
    pub not_signed_off: Vec<String>,
    /// Requirements whose latest sign-off is stale.
    #[serde(default)]
    pub stale: Vec<String>,
    /// Requirements with a current preparer sign-off and no current
    /// reviewer sign-off (never reviewed, or the review went stale). Left
    /// out when empty, so approvals signed before reviewer sign-offs
    /// existed read as they were signed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_reviewed: Vec<String>,
}

impl OpenItems {
    /// True when nothing is open.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// How many items are open.
    pub fn count(&self) -> usize {
        self.unconcluded.len()
            + self.not_signed_off.len()
            + self.stale.len()
            + self.not_reviewed.len()
    }

    /// `232 without a conclusion (1.1.1, …); 3 not signed off (…)`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (items, what) in [
            (&self.unconcluded, "without a conclusion"),
            (&self.not_signed_off, "concluded but not signed off"),
            (&self.stale, "with a stale sign-off"),
            (&self.not_reviewed, "signed off but not reviewed"),
        ] {
            if !items.is_empty() {
                parts.push(format!("{} {what} ({})", items.len(), some_of(items)));
            }
        }
        parts.join("; ")
    }
}

fn some_of(items: &[String]) -> String {
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

/// The security lead's explicit override of the approval gate: every open
/// item named, and why the assessment is approved all the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalOverride {
    /// Why (at least a sentence).
    pub justification: String,
    /// Exactly the items open now.
    #[serde(flatten)]
    pub items: OpenItems,
}

/// Whether a profile may approve an assessment now, and what is open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalGate {
    /// What is open (an approval needs an override naming each).
    pub open: OpenItems,
    /// Why this profile may not approve at all (segregation of duties, a
    /// retired or sample profile, not a security lead), if it may not.
    pub refused: Option<String>,
    /// Open review notes, which no override covers: each must be cleared.
    #[serde(default)]
    pub review_notes: Vec<OpenReviewNote>,
}

/// An open review note as the approval gate names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenReviewNote {
    /// The note's ID (the event that raised it).
    pub id: i64,
    /// The requirement it is on.
    pub requirement: String,
    /// Who raised it.
    pub raised_by: String,
}

impl ApprovalGate {
    /// `RN-12 on 1.2.1 (raised by Dana Reviewer), …`.
    pub fn describe_review_notes(&self) -> String {
        self.review_notes
            .iter()
            .map(|n| {
                format!(
                    "RN-{} on {} (raised by {})",
                    n.id, n.requirement, n.raised_by
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An assessment's approval state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalState {
    /// The latest decision.
    pub current: Option<Approval>,
    /// Every decision, oldest first.
    pub history: Vec<Approval>,
}

impl ApprovalState {
    /// True if the latest decision is an approval that is not stale.
    pub fn is_approved(&self) -> bool {
        self.current
            .as_ref()
            .is_some_and(|a| a.decision == Decision::Approved && !a.stale)
    }
}

/// The last event of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// Its sequence number (the number of events).
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

/// An event of the log, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Sequence number, from 1.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Person,
    /// The kind, e.g. `review.recorded` (see [`EVENT_KINDS`](super::EVENT_KINDS)).
    pub kind: String,
    /// The assessment it belongs to, if any.
    pub assessment: Option<i64>,
    /// The change (canonical JSON).
    pub payload: Value,
    /// The previous event's hash (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over the previous hash and this event's canonical content.
    pub hash: String,
    /// One line a person understands.
    pub summary: String,
}

/// One line of a requirement's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The event.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Person,
    /// The event kind.
    pub kind: String,
    /// What happened, in words.
    pub summary: String,
    /// The event's hash.
    pub hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_os_user_is_named() {
        let user = current_os_user();
        assert!(!user.trim().is_empty());
        if cfg!(target_os = "linux") {
            assert_ne!(user, "unknown", "Linux always has a real user ID");
        }
    }
}

/// Where an evidence request stands, as the auditor tracks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Asked of the client (every request starts here).
    Requested,
    /// The client says it has been provided.
    Received,
    /// The auditor accepts what was provided.
    Accepted,
    /// Sent back: what was provided does not do.
    Returned,
}

impl RequestStatus {
    /// Every status, in workflow order.
    pub const ALL: &'static [RequestStatus] = &[
        RequestStatus::Requested,
        RequestStatus::Received,
        RequestStatus::Accepted,
        RequestStatus::Returned,
    ];

    /// The stable ID: `requested`, `received`, `accepted` or `returned`.
    pub fn id(self) -> &'static str {
        match self {
            RequestStatus::Requested => "requested",
            RequestStatus::Received => "received",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Returned => "returned",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::Requested => "Requested",
            RequestStatus::Received => "Received",
            RequestStatus::Accepted => "Accepted",
            RequestStatus::Returned => "Returned",
        }
    }

    /// Looks a status up by its ID.
    pub fn from_id(id: &str) -> Option<RequestStatus> {
        RequestStatus::ALL.iter().copied().find(|s| s.id() == id)
    }
}

/// What the auditor sets on one evidence request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestUpdate {
    /// The request's stable key (`step:nsgs`, `doc:12.1`, `file:<path>`).
    pub key: String,
    /// What is asked for, as the list showed it when this was recorded.
    pub title: String,
    /// Who at the client provides it (free text).
    pub owner: String,
    /// When it is due.
    pub due: Option<chrono::NaiveDate>,
    /// Where it stands.
    pub status: RequestStatus,
    /// A note (what was returned and why, where it was sent...).
    pub note: String,
}

/// One evidence request as the auditor last recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedRequest {
    /// Key, title, owner, due date, status and note.
    #[serde(flatten)]
    pub update: RequestUpdate,
    /// Who recorded it.
    pub updated_by: Person,
    /// When.
    pub updated_at: DateTime<Utc>,
    /// The event that recorded it.
    pub event: i64,
}
