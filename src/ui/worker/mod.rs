//! The backend of the app: every read and write of the review record runs
//! here, off the UI thread.
//!
//! Quick tasks (loading an assessment, saving a review, a sign-off, an
//! evidence snippet, a thumbnail) go to one record thread, in order, so a
//! sign-off never overtakes the note it signs. Long jobs (imports, exports,
//! the sample, comparisons, file dialogs) get a thread each, report progress
//! and can be cancelled. Each thread opens its own [`Store`] on the same file.
//!
//! In [`WorkerMode::Inline`] (tests, benchmarks) the same functions run
//! synchronously on the calling thread, so a test drives exactly the code
//! the app runs.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, OnceLock};

use crate::catalog::Catalog;
use crate::checks::Settings;
use crate::evidence::{self, ImportError};
use crate::export::ExportFormat;
use crate::export::requests::RequestFormat;
use crate::requests::RequestList;
use crate::store::{
    Actor, ApprovalGate, ApprovalOverride, ApprovalState, Assessment, Comparison, EvidenceFile,
    FileReport, HistoryEntry, NewAssessment, NewProfile, PriorPeriod, Profile, RequestUpdate,
    RequirementState, ResourceKind, ResourcePage, ReviewInput, RunOutcome, RunOverview, Store,
    StoreError,
};

use super::snippet::{Snippet, SnippetKey};

/// How a sign-off or decision is signed: through ssh-agent, or with a
/// private key file and its passphrase (used once by the worker, never
/// kept or logged).
#[derive(Clone, PartialEq, Eq)]
pub enum SignWith {
    /// The running ssh-agent.
    Agent,
    /// A private key file.
    KeyFile {
        /// The file.
        path: PathBuf,
        /// Its passphrase (empty: none).
        passphrase: String,
    },
}

impl std::fmt::Debug for SignWith {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignWith::Agent => f.write_str("Agent"),
            SignWith::KeyFile { path, .. } => f
                .debug_struct("KeyFile")
                .field("path", path)
                .finish_non_exhaustive(),
        }
    }
}

/// How the worker runs its tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerMode {
    /// On background threads (the app).
    Threaded,
    /// Synchronously, when submitted (tests and benchmarks).
    Inline,
}

/// How many of a check's resources one page shows.
pub const RESOURCE_PAGE: usize = 500;

/// Identifies a long job.
pub type JobId = u64;

/// Everything the UI shows about one assessment, read in one go.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The assessment.
    pub assessment: Assessment,
    /// The latest evaluation run, if any: verdicts and each result's
    /// outcome and counts (the resources' rows are read a page at a time).
    pub run: Option<RunOverview>,
    /// How many runs the assessment has (the latest is the last of them).
    pub run_count: usize,
    /// Every requirement's review state, by ID.
    pub states: HashMap<String, RequirementState>,
    /// The security lead's decisions.
    pub approval: ApprovalState,
    /// The evidence files, replaced ones included.
    pub files: Vec<EvidenceFile>,
    /// The assessment it was started from and what that recorded, mapped
    /// onto this one's requirements.
    pub prior: Option<PriorPeriod>,
    /// What a change that reloaded the whole assessment did, for the
    /// status line.
    pub done: Option<String>,
    /// The PCI scope and its diagram: `None` until it has been read (it
    /// is derived from every evidence file, so it follows the tree rather
    /// than delaying it).
    pub scope: Option<ScopeView>,
}

/// The scope screen's data: the effective scope of the current evidence,
/// its diagram, and every scope the record kept.
#[derive(Debug, Clone, Default)]
pub struct ScopeView {
    /// The scope the current evidence implies.
    pub scope: crate::scope::Scope,
    /// Its diagram, with the boundary checks' failures of the latest run.
    pub diagram: crate::scope::diagram::Diagram,
    /// Every scope recorded, oldest first.
    pub recorded: Vec<crate::store::RecordedScope>,
    /// The latest run's failing resources by their scope (in scope,
    /// connected, out of scope, not stated).
    pub failures: std::sync::Arc<[Vec<crate::scope::ScopedFailure>; 4]>,
}

/// What the user picks a file or folder for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickPurpose {
    /// Evidence files to import.
    ImportFiles,
    /// An evidence folder to import.
    ImportFolder,
    /// A document to attach to this requirement.
    Attach {
        /// The requirement.
        requirement: String,
    },
    /// Where to write an export.
    Export {
        /// The format.
        format: ExportFormat,
        /// The file name to suggest (from the assessment's name).
        suggested: String,
    },
    /// Where to write the comparison shown.
    ExportComparison {
        /// CSV, XLSX or HTML.
        format: crate::export::compare::CompareFormat,
        /// The file name to suggest.
        suggested: String,
    },
    /// Where to write the evidence request list.
    ExportRequests {
        /// CSV or XLSX.
        format: RequestFormat,
        /// The file name to suggest.
        suggested: String,
    },
    /// A review record's file to open.
    OpenRecord,
}

/// What happens to an evidence file (see [`Task::Lifecycle`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleAction {
    /// Take it out of evaluation.
    Retire {
        /// The evidence file.
        file: i64,
        /// Why.
        reason: String,
    },
    /// Keep it with its sensitive data.
    Keep {
        /// The evidence file.
        file: i64,
        /// Why.
        reason: String,
    },
    /// Store a redacted copy in its place.
    Redact {
        /// The evidence file.
        file: i64,
        /// Why.
        reason: String,
    },
    /// Purge its bytes.
    Purge {
        /// The evidence file.
        file: i64,
        /// Why.
        reason: String,
    },
    /// Attach a document to requirements.
    Attach {
        /// The evidence file.
        file: i64,
        /// The requirements.
        requirements: Vec<String>,
    },
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The assessment imported into.
    pub assessment: i64,
    /// Every file, in order.
    pub files: Vec<FileReport>,
    /// True if the user cancelled before every file was read.
    pub cancelled: bool,
    /// The run recorded afterwards (or that nothing changed), in words.
    pub run: Option<String>,
    /// Stored files that could not be read back for the evaluation.
    pub problems: Vec<ImportError>,
    /// What stopped the import, if a store error did.
    pub error: Option<String>,
}

impl ImportReport {
    /// How many files could not be imported.
    pub fn unusable(&self) -> usize {
        self.files.iter().filter(|f| f.result.is_err()).count()
    }

    /// How many wrongly typed fields the imported files hold.
    pub fn input_errors(&self) -> usize {
        self.files.iter().map(|f| f.input_errors.len()).sum()
    }
}

/// What to do with a review note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewNoteAction {
    /// Raise a new one with this text.
    Raise(String),
    /// Answer note `0` with text `1`.
    Answer(i64, String),
    /// Clear note `0` with remark `1`.
    Clear(i64, String),
}

/// Which two moments of a requirement to compare.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DiffRequest {
    /// As signed off, against now.
    SignOff {
        /// The assessment.
        assessment: i64,
        /// The requirement.
        requirement: String,
        /// The sign-off's event.
        sign_off: i64,
    },
    /// Just before an event of the requirement's history, against just after.
    History {
        /// The assessment.
        assessment: i64,
        /// The requirement.
        requirement: String,
        /// The event.
        seq: i64,
    },
    /// A comparison's row: the earlier assessment's requirement against the
    /// later one's.
    Compare {
        /// The earlier assessment and its requirement.
        from: (i64, Option<String>),
        /// The later assessment and its requirement.
        to: (i64, Option<String>),
    },
}

/// Work for the record thread: short, in order.
#[derive(Debug, Clone)]
pub enum Task {
    /// Work out what changed between two moments of a requirement.
    Diff(DiffRequest),
    /// Write the comparison shown to a file.
    ExportComparison {
        /// The comparison.
        comparison: Box<Comparison>,
        /// CSV, XLSX or HTML.
        format: crate::export::compare::CompareFormat,
        /// Where.
        out: PathBuf,
    },
    /// List assessments and profiles.
    Directory,
    /// Derive the evidence request list.
    Requests {
        /// The assessment.
        assessment: i64,
    },
    /// Record the owner, due date, status and note of an evidence request.
    SetRequest {
        /// Who.
        actor: Actor,
        /// The assessment.
        assessment: i64,
        /// What to record.
        update: RequestUpdate,
    },
    /// Write the evidence request list to a file.
    ExportRequests {
        /// The assessment.
        assessment: i64,
        /// CSV or XLSX.
        format: RequestFormat,
        /// Where.
        out: PathBuf,
    },
    /// Load an assessment.
    Load {
        /// The assessment.
        assessment: i64,
    },
    /// Derive the assessment's PCI scope and its diagram from its current
    /// evidence.
    LoadScope {
        /// The assessment.
        assessment: i64,
    },
    /// Look up the assessment's latest evaluation run (to notice another
    /// program's import).
    LatestRun {
        /// The assessment.
        assessment: i64,
    },
    /// Reload one requirement's state and history.
    Requirement {
        /// The assessment.
        assessment: i64,
        /// The requirement.
        requirement: String,
    },
    /// Record a conclusion and note.
    SetReview {
        /// Who.
        actor: Actor,
        /// The assessment.
        assessment: i64,
        /// The requirement.
        requirement: String,
        /// The finding, method, worksheet and note.
        review: Box<ReviewInput>,
        /// The review event the edit started from, when known: refused
        /// (both versions named) if the requirement was reviewed again
        /// since.
        based_on: Option<Option<i64>>,
    },
    /// Declare every requirement under an appendix not applicable.
    DeclareNotApplicable {
        /// Who.
        actor: Actor,
        /// The assessment.
        assessment: i64,
        /// The appendix (e.g. `A1`).
        scope: String,
        /// Why it does not apply.
        reason: String,
    },
    /// Attach a file from disk.
    Attach {
        /// Who.
        actor: Actor,
        /// The assessment.
        assessment: i64,
        /// The requirement.
        requirement: String,
        /// The file.
        path: PathBuf,
    },
    /// Attach the scope diagram (SVG, drawn from the evidence) to a
    /// requirement.
    AttachScopeDiagram {
        /// Who.
        actor: Actor,
        /// The assessment.
        assessment: i64,
        /// The requirement.
        requirement: String,
    },
    /// Withdraw an attachment.
    Withdraw {
        /// Who.
        actor: Actor,
        /// The assessment.
        assessment: i64,
        /// The requirement.
        requirement: String,
        /// The attachment.
        attachment: i64,
        /// Why.
        reason: String,
    },
    /// Sign a requirement off.
    SignOff {
        /// Who.
        actor: Actor,
        /// The assessment.
        assessment: i64,
        /// The requirement.
        requirement: String,
        /// The statement.
        statement: String,
        /// How to sign (for a profile with a key).
        sign: Option<SignWith>,
        /// Sign as the reviewer rather than the preparer.
        reviewer: bool,
    },
    /// Sign several requirements off, one signed event each, with the
    /// default statement.
    SignOffMany {
        /// Who.
        actor: Actor,
        /// The assessment.
        assessment: i64,
        /// The requirements, in tree order.
        requirements: Vec<String>,
        /// How to sign (for a profile with a key).
        sign: Option<SignWith>,
        /// Sign as the reviewer rather than the preparer.
        reviewer: bool,
    },
    /// Raise, answer or clear a review note.
    ReviewNote {
        /// Who.
        actor: Actor,
        /// The assessment.
        assessment: i64,
        /// The requirement.
        requirement: String,
        /// What to do.
        action: ReviewNoteAction,
    },
    /// Approve the assessment, or send it back.
    Decide {
        /// Who.
        actor: Actor,
        /// The assessment.
        assessment: i64,
        /// True to approve, false to send back.
        approve: bool,
        /// The statement (or the reason for sending back).
        statement: String,
        /// The open items approved over, with the justification.
        override_: Option<ApprovalOverride>,
        /// How to sign (for a lead with a key).
        sign: Option<SignWith>,
    },
    /// What stands between the assessment and its approval, and whether
    /// the profile may approve it.
    ApprovalGate {
        /// The assessment.
        assessment: i64,
        /// The profile in use.
        profile: Option<i64>,
    },
    /// Create a reviewer profile (and bind its SSH public key).
    CreateProfile {
        /// The details.
        new: NewProfile,
        /// The public key (one OpenSSH line), if given.
        key: Option<String>,
    },
    /// Bind an SSH public key to a profile.
    RegisterKey {
        /// The profile.
        profile: i64,
        /// The key: one OpenSSH line, or the path of a .pub file.
        key: String,
    },
    /// Retire a profile.
    RetireProfile {
        /// The profile.
        profile: i64,
        /// Why.
        reason: String,
    },
    /// Archive an assessment (or restore it).
    Archive {
        /// The assessment.
        assessment: i64,
        /// True to archive, false to restore.
        archive: bool,
    },
    /// Create an assessment.
    CreateAssessment(NewAssessment),
    /// Read an evidence snippet.
    Snippet(SnippetKey),
    /// Read a page of a check result's resources.
    Resources {
        /// The run.
        run: i64,
        /// The result's index in the run.
        result: usize,
        /// Those that do not pass, or those that pass.
        kind: ResourceKind,
        /// The first row.
        offset: usize,
    },
    /// Retire, keep, redact or purge an evidence file, or attach a
    /// document; then evaluate the assessment again and reload it.
    Lifecycle {
        /// Who.
        actor: Actor,
        /// The assessment.
        assessment: i64,
        /// What to do.
        action: LifecycleAction,
        /// The check settings to evaluate with.
        settings: Box<Settings>,
    },
    /// Decode an image attachment into a thumbnail.
    Thumbnail {
        /// The bytes' SHA-256.
        sha256: String,
    },
    /// Read a text or Markdown attachment to show it.
    Document {
        /// The attachment.
        attachment: i64,
        /// Its file name.
        file_name: String,
        /// Render it as Markdown.
        markdown: bool,
    },
    /// Write an attachment to a temporary file and open it with the system viewer.
    Open {
        /// The attachment.
        attachment: i64,
        /// Its file name.
        file_name: String,
    },
}

/// Work for a thread of its own: long, with progress, cancellable.
#[derive(Debug, Clone)]
pub enum Job {
    /// Import files and folders into an assessment, then evaluate it.
    Import {
        /// Who (a profile is optional for imports).
        actor: Actor,
        /// The assessment's ID.
        assessment: i64,
        /// Files and folders.
        paths: Vec<PathBuf>,
        /// The user already agreed to import this many files: without it, a
        /// large import ([`evidence::Survey::needs_confirmation`]) only
        /// counts and asks ([`Reply::ConfirmImport`]).
        confirmed: bool,
    },
    /// Create (or find) the bundled sample assessment.
    Seed,
    /// Start a new assessment from an earlier one (its evidence carried
    /// forward, its findings read as the prior period), then evaluate it.
    StartFrom {
        /// Who.
        actor: Actor,
        /// The earlier assessment.
        prior: i64,
        /// The new assessment.
        new: NewAssessment,
    },
    /// Compare two assessments.
    Compare {
        /// The earlier one.
        from: i64,
        /// The later one.
        to: i64,
    },
    /// Export an assessment.
    Export {
        /// The assessment.
        assessment: i64,
        /// The format.
        format: ExportFormat,
        /// Where to write it.
        out: PathBuf,
    },
    /// Show a file dialog.
    Pick(PickPurpose),
    /// Try another review record (a file, or a server's URL without its
    /// password) before the app switches to it.
    OpenRecord {
        /// The file or URL.
        target: PathBuf,
    },
}

impl Job {
    /// A short name for the progress bar.
    pub fn label(&self) -> String {
        match self {
            Job::Import { paths, .. } => format!("Importing {} path(s)", paths.len()),
            Job::Seed => "Creating the sample assessment".to_owned(),
            Job::StartFrom { new, .. } => {
                format!("Starting \"{}\" from the earlier assessment", new.name)
            }
            Job::Compare { .. } => "Comparing assessments".to_owned(),
            Job::Export { format, .. } => format!("Exporting ({format:?})"),
            Job::Pick(_) => "Waiting for the file dialog".to_owned(),
            Job::OpenRecord { target } => {
                format!("Opening {}", evidence::display_path(target))
            }
        }
    }
}

/// What the worker sends back.
#[derive(Debug)]
pub enum Reply {
    /// The PCI scope of an assessment, read after the assessment itself.
    Scope {
        /// The assessment.
        assessment: i64,
        /// Its scope and diagram.
        view: Box<ScopeView>,
    },
    /// The evidence request list.
    Requests {
        /// The assessment.
        assessment: i64,
        /// The list, or why not.
        result: Result<Box<RequestList>, String>,
        /// What was done, for the status line.
        done: Option<String>,
    },
    /// The assessment's latest evaluation run.
    LatestRun {
        /// The assessment.
        assessment: i64,
        /// The run's ID, if any.
        run: Option<i64>,
        /// Events colleagues recorded since the last look (a record shared
        /// on a server; always 0 for a file).
        colleagues: usize,
    },
    /// Assessments and profiles.
    Directory {
        /// Every assessment.
        assessments: Vec<Assessment>,
        /// Every profile.
        profiles: Vec<Profile>,
    },
    /// An assessment, loaded.
    Loaded(Box<Loaded>),
    /// One requirement changed (or was reloaded).
    Requirement {
        /// The assessment.
        assessment: i64,
        /// Its state now.
        state: Box<RequirementState>,
        /// Its history.
        history: Vec<HistoryEntry>,
        /// The assessment's approval state now.
        approval: ApprovalState,
        /// What was done, for the status line.
        done: Option<String>,
    },
    /// The approval state changed.
    Approval {
        /// The assessment.
        assessment: i64,
        /// The state now.
        state: ApprovalState,
        /// What was done.
        done: String,
    },
    /// A profile was created.
    ProfileCreated(Profile),
    /// A profile got a key or was retired.
    ProfileUpdated {
        /// The profile now.
        profile: Profile,
        /// What was done.
        done: String,
    },
    /// The approval gate of an assessment for a profile.
    ApprovalGate {
        /// The assessment.
        assessment: i64,
        /// The profile asked about.
        profile: Option<i64>,
        /// What is open and whether the profile may approve.
        gate: Box<ApprovalGate>,
    },
    /// An assessment was archived or restored.
    Archived(Assessment),
    /// An assessment was created.
    AssessmentCreated(Assessment),
    /// An evidence snippet.
    Snippet {
        /// Which.
        key: SnippetKey,
        /// The snippet, or why not.
        result: Result<Snippet, String>,
    },
    /// A page of a check result's resources.
    Resources {
        /// The run.
        run: i64,
        /// The result's index in the run.
        result: usize,
        /// Which of its resources.
        kind: ResourceKind,
        /// The first row asked for.
        offset: usize,
        /// The page, or why not.
        page: Result<ResourcePage, String>,
    },
    /// A thumbnail.
    Thumbnail {
        /// The image's SHA-256.
        sha256: String,
        /// The decoded, scaled image, or why not.
        result: Result<egui::ColorImage, String>,
    },
    /// A text attachment, read.
    Document {
        /// Its name.
        file_name: String,
        /// Render it as Markdown.
        markdown: bool,
        /// The text, or why not.
        result: Result<String, String>,
    },
    /// An attachment was handed to the system viewer.
    Opened {
        /// Its name.
        file_name: String,
        /// The temporary file, or why not.
        result: Result<PathBuf, String>,
    },
    /// An import finished (or was cancelled).
    Imported(ImportReport),
    /// An import is large: asks before reading anything.
    ConfirmImport {
        /// The assessment.
        assessment: i64,
        /// What was asked for.
        paths: Vec<PathBuf>,
        /// How much it holds.
        survey: evidence::Survey,
    },
    /// The sample assessment exists.
    Seeded(Result<(Assessment, usize), String>),
    /// Two assessments compared.
    Compared(Result<Box<Comparison>, String>),
    /// An export finished.
    Exported(Result<String, String>),
    /// A save refused because someone changed the requirement after the
    /// edit started: both versions.
    EditConflict {
        /// The assessment.
        assessment: i64,
        /// Theirs and mine.
        conflict: Box<crate::store::EditConflict>,
    },
    /// Whether another review record opens (see [`Job::OpenRecord`]).
    RecordChecked {
        /// The file or URL.
        target: PathBuf,
        /// Why not, if it does not.
        refusal: Option<RecordRefusal>,
    },
    /// The file dialog closed.
    Picked {
        /// What for.
        purpose: PickPurpose,
        /// What was picked (`None`: cancelled or no dialog available).
        paths: Option<Vec<PathBuf>>,
    },
    /// What changed between two moments of a requirement.
    Diff {
        /// Which moments.
        request: DiffRequest,
        /// The differences, or why not.
        result: Result<Box<crate::store::RequirementDiff>, String>,
    },
    /// The drafts an earlier session left in the drafts file, or why the
    /// file cannot be used.
    Drafts(Result<Vec<crate::drafts::Draft>, String>),
    /// A task failed.
    Failed {
        /// What was tried, e.g. "Saving the review of 1.1.2".
        action: String,
        /// Why it failed.
        message: String,
    },
}

/// What the worker tells the UI.
#[derive(Debug)]
pub enum Event {
    /// A quick task finished.
    Task(Reply),
    /// Word from the drafts thread (not an answer to a task).
    Drafts(Reply),
    /// A long job made progress.
    Progress {
        /// The job.
        job: JobId,
        /// Items done.
        done: usize,
        /// Items in all (0 if unknown).
        total: usize,
        /// The current item.
        current: String,
    },
    /// A long job finished.
    Finished {
        /// The job.
        job: JobId,
        /// Its result.
        reply: Reply,
    },
}

/// Wakes the UI when an event arrives.
#[derive(Clone, Default)]
struct Waker(Arc<OnceLock<egui::Context>>);

impl Waker {
    fn wake(&self) {
        if let Some(ctx) = self.0.get() {
            ctx.request_repaint();
        }
    }
}

/// Sends events to the UI and wakes it.
#[derive(Clone)]
struct Outbox {
    sender: Sender<Event>,
    waker: Waker,
}

impl Outbox {
    fn send(&self, event: Event) {
        // The UI may have closed; then nobody needs the event.
        let _ = self.sender.send(event);
        self.waker.wake();
    }
}

/// What every task and job needs besides its own data.
#[derive(Clone)]
struct Shared {
    db_path: PathBuf,
    settings: Settings,
}

/// Why a review record did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRefusal {
    /// What went wrong.
    pub message: String,
    /// The server wants a password (none was given, or it refused the one
    /// given).
    pub needs_password: bool,
    /// It refused the one given.
    pub refused_password: bool,
}

/// The backend.
pub struct Worker {
    mode: WorkerMode,
    shared: Shared,
    outbox: Outbox,
    inbox: Receiver<Event>,
    record_thread: Option<Sender<Task>>,
    record_handle: Option<std::thread::JoinHandle<()>>,
    inline_store: Option<Result<Store, String>>,
    inline_events: VecDeque<Event>,
    pending_tasks: usize,
    next_job: JobId,
    drafts: drafts::DraftWriter,
}

impl Worker {
    /// A worker on the review record at `db_path`.
    /// The drafts file beside it is read (its drafts arrive as
    /// [`Reply::Drafts`]) and written on a thread of its own.
    pub fn new(mode: WorkerMode, db_path: PathBuf, settings: Settings) -> Worker {
        let (sender, inbox) = channel();
        let outbox = Outbox {
            sender,
            waker: Waker::default(),
        };
        let mut inline_events = VecDeque::new();
        let drafts = drafts::DraftWriter::start(
            mode,
            &crate::drafts::path_beside(&db_path),
            &outbox,
            &mut inline_events,
        );
        Worker {
            mode,
            shared: Shared { db_path, settings },
            outbox,
            inbox,
            record_thread: None,
            record_handle: None,
            inline_store: None,
            inline_events,
            pending_tasks: 0,
            next_job: 1,
            drafts,
        }
    }

    /// The drafts file.
    pub fn drafts_path(&self) -> &Path {
        self.drafts.path()
    }

    /// Keeps a change to the drafts in the drafts file.
    pub fn keep_draft(&mut self, op: crate::ui::drafts::DraftOp) {
        self.drafts.send(op, &mut self.inline_events);
    }

    /// Waits until every draft change is on disk (the app is closing).
    pub fn finish_drafts(&mut self) {
        self.drafts.finish();
    }

    /// Threads or synchronous.
    pub fn mode(&self) -> WorkerMode {
        self.mode
    }

    /// The check settings imports and evaluations use.
    pub fn settings(&self) -> &Settings {
        &self.shared.settings
    }

    /// The review record's file.
    pub fn db_path(&self) -> &Path {
        &self.shared.db_path
    }

    /// Lets background threads wake the UI.
    pub fn set_context(&self, ctx: &egui::Context) {
        let _ = self.outbox.waker.0.set(ctx.clone());
    }

    /// True while quick tasks are queued or running.
    pub fn has_pending_tasks(&self) -> bool {
        self.pending_tasks > 0
    }

    /// True if events wait to be polled (inline mode).
    pub fn has_queued_events(&self) -> bool {
        !self.inline_events.is_empty()
    }

    /// Queues a quick task.
    pub fn submit(&mut self, task: Task) {
        self.pending_tasks += 1;
        match self.mode {
            WorkerMode::Inline => {
                let shared = self.shared.clone();
                let store = self
                    .inline_store
                    .get_or_insert_with(|| open_store(&shared.db_path));
                let reply = run_task(store, task);
                self.inline_events.push_back(Event::Task(reply));
            }
            WorkerMode::Threaded => {
                let task = match &self.record_thread {
                    Some(sender) => match sender.send(task) {
                        Ok(()) => return,
                        // The record thread died (it never should); start a new one.
                        Err(returned) => returned.0,
                    },
                    None => task,
                };
                let (sender, handle) =
                    spawn_record_thread(self.shared.clone(), self.outbox.clone());
                let _ = sender.send(task);
                self.record_thread = Some(sender);
                self.record_handle = handle;
            }
        }
    }

    /// Waits until every quick task submitted so far is done (the app is
    /// closing: a conclusion or sign-off still queued would otherwise die
    /// with the process). Later tasks start a new record thread.
    pub fn finish_tasks(&mut self) {
        // Closing the channel ends the thread once it has run what is queued.
        self.record_thread = None;
        if let Some(handle) = self.record_handle.take()
            && handle.join().is_err()
        {
            log::error!("the record thread panicked while finishing its tasks");
        }
    }

    /// Starts a long job; cancel it by setting the returned flag.
    pub fn start(&mut self, job: Job) -> (JobId, Arc<AtomicBool>) {
        let id = self.next_job;
        self.next_job += 1;
        let cancel = Arc::new(AtomicBool::new(false));
        let shared = self.shared.clone();
        match self.mode {
            WorkerMode::Inline => {
                let (sender, receiver) = channel();
                let outbox = Outbox {
                    sender,
                    waker: Waker::default(),
                };
                let reply = run_job(&shared, &outbox, id, &cancel, job);
                self.inline_events.extend(receiver.try_iter());
                self.inline_events
                    .push_back(Event::Finished { job: id, reply });
            }
            WorkerMode::Threaded => {
                let outbox = self.outbox.clone();
                let flag = cancel.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("tickmark-job-{id}"))
                    .spawn(move || {
                        let reply = run_job(&shared, &outbox, id, &flag, job);
                        outbox.send(Event::Finished { job: id, reply });
                    });
                if let Err(e) = spawned {
                    self.inline_events.push_back(Event::Finished {
                        job: id,
                        reply: Reply::Failed {
                            action: "Starting a background job".to_owned(),
                            message: e.to_string(),
                        },
                    });
                }
            }
        }
        (id, cancel)
    }

    /// The events that arrived since the last call.
    pub fn poll(&mut self) -> Vec<Event> {
        let mut events: Vec<Event> = self.inline_events.drain(..).collect();
        events.extend(self.inbox.try_iter());
        for event in &events {
            if matches!(event, Event::Task(_)) {
                self.pending_tasks = self.pending_tasks.saturating_sub(1);
            }
        }
        events
    }
}

/// Opens the record; a refusal names it once (a shared record's errors
/// already start with its URL, shown without a password).
fn open_store(path: &Path) -> Result<Store, String> {
    Store::open(path).map_err(|e| {
        let shown = crate::store::display_url(&path.display().to_string());
        let why = e.to_string();
        match why.strip_prefix(&shown) {
            Some(rest) => format!("cannot open the review record {shown}{rest}"),
            None => format!("cannot open the review record {shown}: {why}"),
        }
    })
}

fn spawn_record_thread(
    shared: Shared,
    outbox: Outbox,
) -> (Sender<Task>, Option<std::thread::JoinHandle<()>>) {
    let (sender, tasks) = channel::<Task>();
    let spawned = std::thread::Builder::new()
        .name("tickmark-record".to_owned())
        .spawn(move || {
            let mut store = open_store(&shared.db_path);
            for task in tasks {
                if store.is_err() {
                    // Perhaps the record's server was unreachable: try
                    // again. (A connection that drops later is made again
                    // by the store itself.)
                    store = open_store(&shared.db_path);
                }
                let reply = run_task(&mut store, task);
                outbox.send(Event::Task(reply));
            }
        });
    match spawned {
        Ok(handle) => (sender, Some(handle)),
        Err(e) => {
            log::error!("cannot start the record thread: {e}");
            (sender, None)
        }
    }
}

/// Runs one quick task.
fn run_task(store: &mut Result<Store, String>, task: Task) -> Reply {
    let action = task_action(&task);
    let store = match store {
        Ok(store) => store,
        Err(message) => {
            return Reply::Failed {
                action,
                message: message.clone(),
            };
        }
    };
    match tasks::run(store, task) {
        Ok(reply) => reply,
        Err(message) => Reply::Failed { action, message },
    }
}

fn task_action(task: &Task) -> String {
    match task {
        Task::Directory => "Reading the review record".to_owned(),
        Task::Diff(_) => "Working out what changed".to_owned(),
        Task::ExportComparison { out, .. } => {
            format!("Writing the comparison to {}", evidence::display_path(out))
        }
        Task::Requests { .. } => "Listing the evidence requests".to_owned(),
        Task::SetRequest { update, .. } => format!("Saving the request \"{}\"", update.title),
        Task::ExportRequests { out, .. } => {
            format!(
                "Writing the request list to {}",
                evidence::display_path(out)
            )
        }
        Task::Load { .. } => "Loading the assessment".to_owned(),
        Task::LoadScope { .. } => "Reading the PCI scope from the evidence".to_owned(),
        Task::LatestRun { .. } => "Looking for changes by other programs".to_owned(),
        Task::Requirement { requirement, .. } => format!("Reloading {requirement}"),
        Task::SetReview { requirement, .. } => format!("Saving the review of {requirement}"),
        Task::DeclareNotApplicable { scope, .. } => format!("Declaring {scope} not applicable"),
        Task::Attach { path, .. } => format!("Attaching {}", evidence::display_path(path)),
        Task::AttachScopeDiagram { requirement, .. } => {
            format!("Attaching the scope diagram to {requirement}")
        }
        Task::Withdraw { .. } => "Withdrawing the attachment".to_owned(),
        Task::SignOff { requirement, .. } => format!("Signing off {requirement}"),
        Task::SignOffMany { requirements, .. } => {
            format!("Signing off {} requirement(s)", requirements.len())
        }
        Task::ReviewNote { requirement, .. } => format!("Recording a review note on {requirement}"),
        Task::Decide { approve: true, .. } => "Approving the assessment".to_owned(),
        Task::Decide { approve: false, .. } => "Sending the assessment back".to_owned(),
        Task::CreateProfile { .. } => "Creating the profile".to_owned(),
        Task::RegisterKey { .. } => "Registering the signing key".to_owned(),
        Task::RetireProfile { .. } => "Retiring the profile".to_owned(),
        Task::ApprovalGate { .. } => "Checking what is open".to_owned(),
        Task::Archive { archive: true, .. } => "Archiving the assessment".to_owned(),
        Task::Archive { archive: false, .. } => "Restoring the assessment".to_owned(),
        Task::CreateAssessment(_) => "Creating the assessment".to_owned(),
        Task::Snippet(key) => format!("Reading {} at {}", key.path, key.pointer),
        Task::Resources { .. } => "Reading a check's resources".to_owned(),
        Task::Thumbnail { .. } => "Making a thumbnail".to_owned(),
        Task::Lifecycle { action, .. } => match action {
            LifecycleAction::Retire { file, .. } => format!("Retiring evidence file #{file}"),
            LifecycleAction::Keep { file, .. } => format!("Keeping evidence file #{file}"),
            LifecycleAction::Redact { file, .. } => format!("Redacting evidence file #{file}"),
            LifecycleAction::Purge { file, .. } => format!("Purging evidence file #{file}"),
            LifecycleAction::Attach { file, .. } => format!("Attaching document #{file}"),
        },
        Task::Open { file_name, .. } => format!("Opening {file_name}"),
        Task::Document { file_name, .. } => format!("Reading {file_name}"),
    }
}

/// Runs one long job.
fn run_job(shared: &Shared, outbox: &Outbox, id: JobId, cancel: &AtomicBool, job: Job) -> Reply {
    match job {
        Job::Pick(purpose) => {
            let paths = jobs::pick(&purpose);
            Reply::Picked { purpose, paths }
        }
        Job::OpenRecord { target } => {
            let refusal = jobs::try_record(&target).err();
            Reply::RecordChecked { target, refusal }
        }
        job => {
            let mut store = match open_store(&shared.db_path) {
                Ok(store) => store,
                Err(message) => {
                    return Reply::Failed {
                        action: job.label(),
                        message,
                    };
                }
            };
            let progress = |done: usize, total: usize, current: String| {
                outbox.send(Event::Progress {
                    job: id,
                    done,
                    total,
                    current,
                });
            };
            jobs::run(&mut store, shared, job, &progress, cancel)
        }
    }
}

/// Whether the user asked a job to stop.
fn cancelled(flag: &AtomicBool) -> bool {
    flag.load(Ordering::Relaxed)
}

mod drafts;

mod tasks;

mod jobs;

/// Exports `assessment` in `format` to `out`: the one place the app calls
/// the exporters (the Export menu runs it on a job thread, with progress and
/// cancellation). Returns a line for the status bar.
pub fn export(
    store: &Store,
    catalog: &Catalog,
    (assessment, format, out): (i64, ExportFormat, &Path),
    progress: &dyn Fn(usize, usize, String),
    cancel: &AtomicBool,
) -> Result<String, String> {
    let summary = crate::export::export(
        store,
        catalog,
        assessment,
        format,
        out,
        &mut |step| progress(step.done, step.total, step.describe()),
        cancel,
    )
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "Exported {} to {} ({} bytes, SHA-256 {}…)",
        format.label(),
        evidence::display_path(&summary.path),
        summary.bytes,
        summary.sha256.get(..12).unwrap_or(&summary.sha256)
    ))
}

#[cfg(test)]
mod tests;
