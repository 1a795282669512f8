//! The command line (PRODUCT.md §7): a thin shell over the core. With no
//! subcommand the desktop app starts.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::catalog::{Catalog, builtin, builtin_ids, default_catalog};
use crate::checks::Settings;

mod assessment;
mod catalog;
mod collect;
mod compare;
mod evaluate;
mod evidence;
mod export;
mod import;
mod profile;
mod record;
mod requests;
mod review;
mod review_notes;
mod scope;
mod server;
mod sign;
mod verify;

pub use record::EXIT_REFUSED;
pub use review::WORKSHEET_EXAMPLE;

/// Review the evidence that an AKS cluster meets PCI DSS (4.0.1 or 3.2.1).
#[derive(Debug, Parser)]
#[command(name = "tickmark", version, about)]
pub struct Cli {
    /// The review record: a SQLite file, or a team's record on PostgreSQL
    /// (postgresql://USER@HOST:PORT/DBNAME; see `tickmark init-server`). Default: tickmark.sqlite3
    /// in the platform's data directory.
    #[arg(long, global = true, value_name = "PATH|URL")]
    pub db: Option<PathBuf>,
    /// Check settings (TOML). Default: settings.toml in the platform's config directory.
    #[arg(long, global = true, value_name = "PATH")]
    pub settings: Option<PathBuf>,
    /// Measures the app's start: prints `ready MS` once the first frame
    /// showing the assessment's tree with verdicts is drawn, then selects
    /// REQUIREMENT (`largest`: the one with the most resources) and prints
    /// how long the frame that shows its first page of resources took,
    /// then closes. For benchmarks (`cargo bench --bench scale`).
    #[arg(long, hide = true, value_name = "REQUIREMENT", num_args = 0..=1, default_missing_value = "")]
    pub time_to_tree: Option<String>,
    /// What to do; without a subcommand the desktop app starts.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import evidence and print every requirement's automated verdict.
    Evaluate {
        /// Files or directories (walked) of evidence.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvaluateFormat::Table)]
        format: EvaluateFormat,
        /// The JSON document's shape: 2 (each result once, requirements
        /// referring to it) or 1 (every requirement repeating its results,
        /// as earlier releases printed it).
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
        schema: u8,
        /// With schema 2: `findings` lists the resources that fail or could
        /// not be judged and counts those that pass; `all` lists every one.
        #[arg(long, value_enum, default_value_t = Detail::Findings)]
        detail: Detail,
        /// Exit with 1 when any requirement's verdict is this.
        #[arg(long, value_enum, value_name = "VERDICT")]
        fail_on: Option<FailOn>,
        /// The framework to evaluate against: pci-dss-4.0.1 (the default)
        /// or pci-dss-3.2.1.
        #[arg(long, value_name = "ID", value_parser = parse_catalog)]
        catalog: Option<&'static Catalog>,
    },
    /// Print the PCI scope the evidence implies (pci-scope labels, pool subnets,
    /// a tickmark-scope.toml), with the grounds for each part; or the scope diagram.
    Scope {
        /// Files or directories (walked) of evidence.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ScopeFormat::Text)]
        format: ScopeFormat,
    },
    /// Import evidence into an assessment (created if missing), evaluate and record it.
    Import {
        /// The assessment's name.
        #[arg(long, value_name = "NAME")]
        assessment: String,
        /// The framework of an assessment this import creates (default pci-dss-4.0.1); an
        /// existing assessment keeps its own.
        #[arg(long, value_name = "ID")]
        catalog: Option<String>,
        /// Files or directories (walked) of evidence.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Store a redacted copy of every file in which sensitive data is
        /// found (card numbers, keys, credentials, Secret data), without
        /// asking; the values never reach the record.
        #[arg(long)]
        redact: bool,
        /// Import even when the paths hold more than 500 files or 256 MB
        /// (without it such an import is refused, saying how much it found).
        #[arg(long)]
        yes: bool,
    },
    /// The evidence inventory of an assessment, and retiring, keeping,
    /// redacting and purging evidence files; documents not attached yet.
    ///
    /// Exit codes: 0 done, 1 refused by a rule, 2 unusable input.
    Evidence {
        /// The assessment's name.
        #[arg(long, value_name = "NAME", global = true)]
        assessment: Option<String>,
        /// Who acts (for changes): a profile's name, e-mail address or #ID.
        #[arg(long, value_name = "NAME", global = true)]
        profile: Option<String>,
        /// What to do.
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// Create or list assessments.
    #[command(subcommand)]
    Assessment(AssessmentCommand),
    /// Add or list reviewer profiles (who `--profile NAME` acts as).
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Record a requirement's finding, method, worksheet and note.
    ///
    /// What is not given stays as recorded. Exit codes: 0 recorded, 1
    /// refused by a rule of the review, 2 unusable input.
    #[command(after_help = review_after_help())]
    Review {
        /// The assessment's name.
        #[arg(long, value_name = "NAME")]
        assessment: String,
        /// The requirement ID, e.g. 10.5.1.
        #[arg(long, value_name = "ID")]
        requirement: String,
        /// The finding.
        #[arg(long, value_enum)]
        finding: FindingArg,
        /// How the requirement is met (default: as recorded, or what the worksheet file is for).
        #[arg(long, value_enum)]
        method: Option<MethodArg>,
        /// A Markdown file with the note (`-` reads standard input).
        #[arg(long, value_name = "FILE")]
        note_file: Option<PathBuf>,
        /// A TOML file with the compensating controls worksheet or the customized approach.
        #[arg(long, value_name = "FILE")]
        worksheet: Option<PathBuf>,
        /// Who reviews: a profile's name, e-mail address or #ID.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// The review event this edit started from (the number the last `tickmark review`
        /// printed; 0 when there was none). If the requirement was reviewed again since, by a
        /// colleague or elsewhere, nothing is saved: both versions are printed, exit 1.
        #[arg(long, value_name = "EVENT")]
        based_on: Option<i64>,
    },
    /// Sign a requirement off: bind a statement to what is recorded now.
    ///
    /// The preparer signs first (the default); a second person then signs
    /// `--as reviewer` over the preparer's current sign-off, once every
    /// review note on it is cleared. Exit codes: 0 signed, 1 refused (no
    /// finding, a reason or worksheet missing, already signed, no current
    /// preparer sign-off, the reviewer prepared it, an open review note), 2
    /// unusable input.
    SignOff {
        /// The assessment's name.
        #[arg(long, value_name = "NAME")]
        assessment: String,
        /// The requirement ID.
        #[arg(long, value_name = "ID")]
        requirement: String,
        /// The statement signed (default: "I examined the evidence, checks and attachments of ID
        /// and agree with the finding.").
        #[arg(long, value_name = "TEXT")]
        statement: Option<String>,
        /// Who signs: a profile's name, e-mail address or #ID.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// Sign with this private key file (asks for its passphrase); without it a profile with a
        /// key signs through the running ssh-agent.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// Sign as the requirement's preparer (the default) or as its reviewer.
        #[arg(long = "as", value_enum, default_value_t = SignAs::Preparer)]
        as_: SignAs,
    },
    /// Review notes: a reviewer raises a point on a requirement, the
    /// preparer answers it, the reviewer clears it.
    ///
    /// An open review note blocks the requirement's reviewer sign-off and
    /// the assessment's approval. Exit codes: 0 done, 1 refused by a rule,
    /// 2 unusable input.
    ReviewNote {
        /// The assessment's name.
        #[arg(long, value_name = "NAME", global = true)]
        assessment: Option<String>,
        /// Who acts: a profile's name, e-mail address or #ID.
        #[arg(long, value_name = "NAME", global = true)]
        profile: Option<String>,
        /// What to do.
        #[command(subcommand)]
        command: ReviewNoteCommand,
    },
    /// The security lead approves an assessment (signed with the lead's key).
    ///
    /// Refused (exit 1, with the reason) to a lead who recorded a finding or
    /// signed off a requirement of it, and while requirements are
    /// unconcluded, not signed off or stale, unless --override-file names
    /// each open item and says why. Exit codes: 0 approved, 1 refused, 2
    /// unusable input.
    Approve {
        /// The assessment's name.
        #[arg(long, value_name = "NAME")]
        assessment: String,
        /// The approval statement.
        #[arg(
            long,
            value_name = "TEXT",
            default_value = "I reviewed the auditors' conclusions and approve this assessment."
        )]
        statement: String,
        /// A TOML file naming every open item and the justification (see --override-template).
        #[arg(long, value_name = "FILE")]
        override_file: Option<PathBuf>,
        /// Print an override file listing what is open now, to fill in, and exit.
        #[arg(long, conflicts_with = "override_file")]
        override_template: bool,
        /// Who approves: a security lead's name, e-mail address or #ID.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// Sign with this private key file instead of ssh-agent.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
    /// Seal the record: sign the chain head, so that the history up to now
    /// can be shown unchanged later (`verify`, `verify --against` an export).
    Seal {
        /// The assessment whose exports carry the seal.
        #[arg(long, value_name = "NAME")]
        assessment: String,
        /// Why (e.g. "Sent to the QSA").
        #[arg(long, value_name = "TEXT", default_value = "")]
        note: String,
        /// Who signs: a profile with a registered key.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// Sign with this private key file instead of ssh-agent.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
    /// Declare a whole appendix that applies only to some entities (A1, A2, A3) not applicable.
    ///
    /// Records Not Applicable with the reason for each of its requirements.
    /// Exit codes: 0 recorded, 1 refused, 2 unusable input.
    NotApplicable {
        /// The assessment's name.
        #[arg(long, value_name = "NAME")]
        assessment: String,
        /// The appendix, e.g. A1.
        #[arg(long, value_name = "ID")]
        appendix: String,
        /// Why it does not apply.
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Who declares it: a profile's name, e-mail address or #ID.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
    },
    /// Export an assessment's review record.
    Export {
        /// The assessment's name.
        #[arg(long, value_name = "NAME")]
        assessment: String,
        /// The export format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Where to write it.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
    /// Compare two assessments requirement by requirement (e.g. this
    /// half-year's with the last): verdict, finding, note, cited evidence
    /// and sign-off before and after, printed or written as CSV, an Excel
    /// workbook or an HTML page.
    ///
    /// Across frameworks (3.2.1 → 4.0.1) requirements are matched through
    /// the crosswalk. Exit codes: 0 written, 2 nothing written.
    Compare {
        /// The earlier assessment's name.
        #[arg(long, value_name = "NAME")]
        from: String,
        /// The later assessment's name.
        #[arg(long, value_name = "NAME")]
        to: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CompareOutput::Table)]
        format: CompareOutput,
        /// Where to write it (needed for xlsx; csv and html go to stdout without it).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// Only the requirements where anything changed.
        #[arg(long)]
        changed: bool,
    },
    /// Verify the review record's hash chain, or an exported evidence bundle.
    ///
    /// Recomputes the chain and the state it implies and names the first
    /// event, row or stored file that does not match. Exit codes: 0 intact,
    /// 1 tampered, 2 unusable (no record, not a record, busy, newer schema).
    Verify {
        /// Verify this evidence bundle (zip) instead of the database.
        #[arg(long, value_name = "FILE", conflicts_with = "against")]
        bundle: Option<PathBuf>,
        /// Also check that the record still holds exactly the history this earlier export (bundle,
        /// JSON record, OSCAL or HTML report) was made from and sealed.
        #[arg(long, value_name = "EXPORT")]
        against: Option<PathBuf>,
    },
    /// Set up an empty PostgreSQL database for a team's shared record: the
    /// Tickmark schema, its guards, and the application role.
    ///
    /// Connect as the database's owner. The application role `tickmark_app`
    /// may read the record and add events, but not change or delete them
    /// (grants, and triggers that refuse it to anyone); members' logins are
    /// made members of it with --grant. The database owner (and any
    /// superuser) can still do anything to the tables, which is why
    /// sign-offs, approvals and seals are signed with SSH keys and `verify`
    /// checks them. Exit codes: 0 set up, 1 already set up, 2 unusable.
    InitServer {
        /// The database: postgresql://OWNER@HOST:PORT/DBNAME (password from PGPASSWORD,
        /// ~/.pgpass or a prompt; never stored).
        #[arg(value_name = "URL")]
        url: String,
        /// A login role (an existing PostgreSQL user) to make a member of tickmark_app.
        #[arg(long, value_name = "USER")]
        grant: Vec<String>,
    },
    /// Copy a review record (a file) into a PostgreSQL database set up with
    /// `init-server`, then verify the copy.
    ///
    /// Every event, stored file and result list is copied in one
    /// transaction into the empty server; then a new local copy is built
    /// from the server alone and verified, and its chain head is compared
    /// with the file's. Exit codes: 0 copied and verified, 1 the copy does
    /// not match or the server already holds a record, 2 unusable.
    MigrateRecord {
        /// The review record to copy.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The server: postgresql://USER@HOST:PORT/DBNAME.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Collect the evidence with your own az and kubectl, into a folder
    /// with a collection manifest; or print the same as a script.
    ///
    /// Runs every command of the collection plan against the cluster, each
    /// with a time limit; a failed command is reported with its error
    /// output and the others go on. Uses the sign-in and kubeconfig you
    /// already have; stores no credentials. Exit codes: 0 every command
    /// succeeded, 2 one failed or timed out (the other files and the
    /// manifest are written) or the folder is not usable.
    Collect {
        /// The subscription (ID or name) that holds the cluster.
        #[arg(long, value_name = "SUBSCRIPTION")]
        subscription: String,
        /// The cluster's resource group.
        #[arg(long, value_name = "GROUP")]
        resource_group: String,
        /// The cluster's name.
        #[arg(long, value_name = "NAME")]
        cluster: String,
        /// The Kubernetes context to use (default: the current one).
        #[arg(long, value_name = "CONTEXT")]
        kube_context: Option<String>,
        /// The folder to write (new, or empty).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Seconds each command may take (default: the plan's, 300).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u64>,
        /// Print the plan as a script instead of running it.
        #[arg(long, value_enum, value_name = "LANGUAGE")]
        script: Option<ScriptLanguage>,
    },
    /// The evidence request list: what an assessment still lacks, with the
    /// command or document to ask for, as a table, CSV or an Excel workbook.
    Requests {
        /// The assessment's name.
        #[arg(long, value_name = "NAME")]
        assessment: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = RequestsFormat::Table)]
        format: RequestsFormat,
        /// Where to write it (needed for xlsx; csv goes to stdout without it).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// List only the requests still open.
        #[arg(long)]
        open: bool,
    },
    /// Print a framework's requirement catalog.
    Catalog {
        /// Output format.
        #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
        format: CatalogFormat,
        /// The framework: pci-dss-4.0.1 (the default) or pci-dss-3.2.1.
        #[arg(long, value_name = "ID", value_parser = parse_catalog)]
        catalog: Option<&'static Catalog>,
    },
}

/// The subcommands of `tickmark evidence`.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Every evidence file: format, tool, collected and imported times, who
    /// imported it, hash, size, resources, supersession, sensitive data and
    /// state (current, superseded, retired, purged).
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Take a file out of evaluation (it stays in the record).
    Retire {
        /// The evidence file's ID (see `evidence list`).
        #[arg(long, value_name = "ID")]
        file: i64,
        /// Why.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Keep a file with sensitive data as it is; exports then carry it and say so.
    Keep {
        /// The evidence file's ID.
        #[arg(long, value_name = "ID")]
        file: i64,
        /// Why it must stay as it is.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Store a redacted copy in a file's place and purge the original bytes.
    Redact {
        /// The evidence file's ID.
        #[arg(long, value_name = "ID")]
        file: i64,
        /// Why.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Remove a file's or an attachment's stored bytes for good; the log
    /// keeps their hash and size, and `verify` reports them as purged.
    Purge {
        /// The evidence file's ID.
        #[arg(long, value_name = "ID", conflicts_with = "attachment")]
        file: Option<i64>,
        /// The attachment's ID.
        #[arg(long, value_name = "ID")]
        attachment: Option<i64>,
        /// Why.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// The documents (images, PDFs, Markdown, text) imported with the
    /// evidence that no requirement has as an attachment.
    Documents,
    /// Attach an imported document to one or more requirements.
    Attach {
        /// The evidence file's ID (see `evidence documents`).
        #[arg(long, value_name = "ID")]
        file: i64,
        /// A requirement ID; repeat for several.
        #[arg(long = "requirement", value_name = "ID", required = true)]
        requirements: Vec<String>,
    },
}

/// Table or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A readable table.
    Table,
    /// JSON.
    Json,
}

/// `tickmark assessment ...`.
#[derive(Debug, Subcommand)]
pub enum AssessmentCommand {
    /// Create an assessment against one framework, optionally from an earlier one.
    Create {
        /// The name (unique).
        #[arg(long, value_name = "NAME")]
        name: String,
        /// The framework (default pci-dss-4.0.1).
        #[arg(long, value_name = "ID")]
        catalog: Option<String>,
        /// The cluster (default: the earlier assessment's, else "unknown").
        #[arg(long, value_name = "NAME")]
        cluster: Option<String>,
        /// First day of the period, YYYY-MM-DD (default today).
        #[arg(long, value_name = "DATE")]
        period_start: Option<chrono::NaiveDate>,
        /// Last day of the period, YYYY-MM-DD (default: the first day).
        #[arg(long, value_name = "DATE")]
        period_end: Option<chrono::NaiveDate>,
        /// Start from this earlier assessment: carry its evidence forward and show its findings
        /// as the prior period.
        #[arg(long, value_name = "NAME")]
        from: Option<String>,
    },
    /// List the assessments (archived ones only with --all).
    List {
        /// Also list archived assessments.
        #[arg(long)]
        all: bool,
    },
    /// Archive an assessment: out of sight in lists (e.g. the bundled sample), kept as it is.
    Archive {
        /// The assessment's name.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Why.
        #[arg(long, value_name = "TEXT", default_value = "")]
        reason: String,
    },
    /// Show an archived assessment in the lists again.
    Restore {
        /// The assessment's name.
        #[arg(long, value_name = "NAME")]
        name: String,
    },
}

/// As whom `tickmark sign-off` signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignAs {
    /// The person who did the work.
    Preparer,
    /// A second person who checked it.
    Reviewer,
}

/// `tickmark review-note ...`.
#[derive(Debug, Subcommand)]
pub enum ReviewNoteCommand {
    /// Raise a review note on a requirement.
    Raise {
        /// The requirement ID.
        #[arg(long, value_name = "ID")]
        requirement: String,
        /// What the preparer is to answer.
        #[arg(long, value_name = "TEXT")]
        text: String,
    },
    /// Answer an open review note.
    Answer {
        /// The note: RN-12 or 12.
        #[arg(value_name = "NOTE")]
        note: String,
        /// The answer.
        #[arg(long, value_name = "TEXT")]
        text: String,
    },
    /// Clear an open review note (the reviewer, once satisfied).
    Clear {
        /// The note: RN-12 or 12.
        #[arg(value_name = "NOTE")]
        note: String,
        /// A closing remark (optional).
        #[arg(long, value_name = "TEXT", default_value = "")]
        text: String,
    },
    /// List the assessment's review notes with their answers.
    List {
        /// Only the open ones.
        #[arg(long)]
        open: bool,
    },
}

/// `tickmark profile ...`.
#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Add a reviewer profile.
    Add {
        /// The reviewer's name (unique).
        #[arg(long, value_name = "NAME")]
        name: String,
        /// The reviewer's e-mail address.
        #[arg(long, value_name = "EMAIL", default_value = "")]
        email: String,
        /// The role.
        #[arg(long, value_enum)]
        role: ProfileRole,
        /// The reviewer's SSH public key (a .pub file: Ed25519, ECDSA or a security key): their
        /// sign-offs and approvals are signed with it.
        #[arg(long, value_name = "FILE.pub")]
        ssh_key: Option<PathBuf>,
    },
    /// Register or replace a profile's SSH public key (from now on it signs with it).
    Key {
        /// The profile: name, e-mail address or #ID.
        #[arg(long, value_name = "NAME")]
        profile: String,
        /// The public key file (.pub).
        #[arg(long, value_name = "FILE.pub")]
        ssh_key: PathBuf,
    },
    /// Retire a profile: it stays in the record but records and signs nothing new.
    Retire {
        /// The profile: name, e-mail address or #ID.
        #[arg(long, value_name = "NAME")]
        profile: String,
        /// Why (e.g. "left the firm").
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// List the reviewer profiles with their keys.
    List,
}

/// `profile add --role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileRole {
    /// Records findings and signs requirements off.
    Auditor,
    /// The security lead: approves the assessment.
    Lead,
}

/// `review --finding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindingArg {
    /// In Place.
    InPlace,
    /// Not Applicable (needs a reason in the note before sign-off).
    NotApplicable,
    /// Not Tested.
    NotTested,
    /// Not in Place (needs a reason in the note before sign-off).
    NotInPlace,
}

impl FindingArg {
    fn finding(self) -> crate::store::Finding {
        use crate::store::Finding;
        match self {
            FindingArg::InPlace => Finding::InPlace,
            FindingArg::NotApplicable => Finding::NotApplicable,
            FindingArg::NotTested => Finding::NotTested,
            FindingArg::NotInPlace => Finding::NotInPlace,
        }
    }
}

/// `review --method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// The defined approach.
    Defined,
    /// A compensating control (needs the Appendix C worksheet).
    Compensating,
    /// The customized approach (PCI DSS v4.x; needs its documentation).
    Customized,
}

impl MethodArg {
    fn method(self) -> crate::store::Method {
        use crate::store::Method;
        match self {
            MethodArg::Defined => Method::Defined,
            MethodArg::Compensating => Method::Compensating,
            MethodArg::Customized => Method::Customized,
        }
    }
}

fn review_after_help() -> String {
    format!("The worksheet file (--worksheet) is TOML, for example:\n\n{WORKSHEET_EXAMPLE}")
}

/// `evaluate --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvaluateFormat {
    /// A readable table.
    Table,
    /// One JSON object (PRODUCT.md §7).
    Json,
}

/// `evaluate --detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Detail {
    /// Resources that fail or could not be judged in full, passing ones counted.
    Findings,
    /// Every resource in full.
    All,
}

/// The output of `tickmark scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeFormat {
    /// What is in, connected and out, with the grounds.
    Text,
    /// The scope as JSON (what the review record keeps).
    Json,
    /// The scope diagram as a self-contained SVG document.
    Svg,
}

/// `evaluate --fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any requirement whose automated verdict is fail.
    Fail,
}

/// `export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One row per requirement, after a short assessment header.
    Csv,
    /// The Excel workpaper: summary, requirements, evidence index, checks.
    Xlsx,
    /// The whole record, versioned schema.
    Json,
    /// A self-contained, printable report.
    Html,
    /// OSCAL assessment-results (JSON).
    Oscal,
    /// A zip of the report, the record, every evidence file and attachment, and a manifest.
    Bundle,
    /// A new folder: each signed statement with its .sig, allowed_signers and a README with the
    /// `ssh-keygen -Y verify` line for each.
    Signatures,
}

/// `collect --script`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScriptLanguage {
    /// A bash script (Linux, macOS, Azure Cloud Shell).
    Bash,
    /// A PowerShell 7 script.
    Powershell,
}

/// `requests --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RequestsFormat {
    /// A readable table.
    Table,
    /// CSV, one row per request.
    Csv,
    /// An Excel workbook (needs --out).
    Xlsx,
    /// The list as JSON.
    Json,
}

/// `compare --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareOutput {
    /// A readable table.
    Table,
    /// CSV, one row per compared pair.
    Csv,
    /// An Excel workbook: a summary sheet and the rows (needs --out).
    Xlsx,
    /// One self-contained HTML page.
    Html,
}

/// `catalog --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// A readable table.
    Table,
    /// The tree as JSON.
    Json,
}

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code when `--fail-on` matched.
pub const EXIT_FAILING: u8 = 1;
/// Exit code for unusable input or a failed operation.
pub const EXIT_UNUSABLE: u8 = 2;

/// `settings.toml` in the platform's config directory, if there is one.
pub fn default_settings_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "Tickmark")
        .map(|dirs| dirs.config_dir().join("settings.toml"))
}

/// What `tickmark evidence SUBCOMMAND` asks for.
fn evidence_action(command: &EvidenceCommand) -> evidence::Action {
    use evidence::Action;
    match command {
        EvidenceCommand::List { format } => Action::List {
            json: *format == ListFormat::Json,
        },
        EvidenceCommand::Retire { file, reason } => Action::Retire {
            file: *file,
            reason: reason.clone(),
        },
        EvidenceCommand::Keep { file, reason } => Action::Keep {
            file: *file,
            reason: reason.clone(),
        },
        EvidenceCommand::Redact { file, reason } => Action::Redact {
            file: *file,
            reason: reason.clone(),
        },
        EvidenceCommand::Purge {
            file,
            attachment,
            reason,
        } => Action::Purge {
            file: *file,
            attachment: *attachment,
            reason: reason.clone(),
        },
        EvidenceCommand::Documents => Action::Documents,
        EvidenceCommand::Attach { file, requirements } => Action::Attach {
            file: *file,
            requirements: requirements.clone(),
        },
    }
}

/// Parses the arguments and runs the command (or the app).
pub fn main() -> ExitCode {
    crate::mark_process_start();
    run(Cli::parse())
}

/// Runs the command line with `args` (the program name first), as the
/// binary would: for tests that measure a whole command in a process of
/// their own.
pub fn main_with<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    match Cli::try_parse_from(args) {
        Ok(cli) => run(cli),
        Err(e) => {
            let _ = e.print();
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

fn run(cli: Cli) -> ExitCode {
    match &cli.command {
        None => start_app(&cli),
        Some(Command::Catalog { format, catalog }) => {
            catalog::run(catalog.unwrap_or_else(default_catalog), *format)
        }
        Some(Command::Evaluate {
            paths,
            format,
            schema,
            detail,
            fail_on,
            catalog,
        }) => evaluate::run(
            &cli,
            catalog.unwrap_or_else(default_catalog),
            paths,
            evaluate::Output {
                format: *format,
                schema: *schema,
                detail: *detail,
            },
            *fail_on,
        ),
        Some(Command::Scope { paths, format }) => scope::run(&cli, paths, *format),
        Some(Command::Import {
            assessment,
            catalog,
            paths,
            redact,
            yes,
        }) => match assessment::chosen_catalog(catalog.as_deref()) {
            Ok(chosen) => import::run(
                &cli,
                (chosen, catalog.is_some()),
                assessment,
                paths,
                import::Flags {
                    redact: *redact,
                    yes: *yes,
                },
            ),
            Err(failure) => {
                eprintln!("tickmark import: {}", failure.message);
                ExitCode::from(failure.code)
            }
        },
        Some(Command::Evidence {
            assessment,
            profile,
            command,
        }) => match assessment {
            Some(assessment) => evidence::run(
                &cli,
                assessment,
                &evidence_action(command),
                profile.as_deref(),
            ),
            None => {
                eprintln!("tickmark evidence: name the assessment with --assessment NAME");
                ExitCode::from(EXIT_UNUSABLE)
            }
        },
        Some(Command::Assessment(AssessmentCommand::Create {
            name,
            catalog,
            cluster,
            period_start,
            period_end,
            from,
        })) => assessment::run_create(
            &cli,
            &assessment::CreateArgs {
                name,
                catalog: catalog.as_deref(),
                cluster: cluster.as_deref(),
                period_start: *period_start,
                period_end: *period_end,
                from: from.as_deref(),
            },
        ),
        Some(Command::Assessment(AssessmentCommand::List { all })) => {
            assessment::run_list(&cli, *all)
        }
        Some(Command::Assessment(AssessmentCommand::Archive { name, reason })) => {
            assessment::run_archive(&cli, name, Some(reason))
        }
        Some(Command::Assessment(AssessmentCommand::Restore { name })) => {
            assessment::run_archive(&cli, name, None)
        }
        Some(Command::Profile(ProfileCommand::Add {
            name,
            email,
            role,
            ssh_key,
        })) => profile::run_add(&cli, name, email, *role, ssh_key.as_deref()),
        Some(Command::Profile(ProfileCommand::Key { profile, ssh_key })) => {
            profile::run_key(&cli, profile, ssh_key)
        }
        Some(Command::Profile(ProfileCommand::Retire { profile, reason })) => {
            profile::run_retire(&cli, profile, reason)
        }
        Some(Command::Profile(ProfileCommand::List)) => profile::run_list(&cli),
        Some(Command::Review {
            assessment,
            requirement,
            finding,
            method,
            note_file,
            worksheet,
            profile,
            based_on,
        }) => review::run_review(
            &cli,
            &review::ReviewArgs {
                assessment,
                requirement,
                finding: finding.finding(),
                method: method.map(MethodArg::method),
                note_file: note_file.as_deref(),
                worksheet: worksheet.as_deref(),
                profile: profile.as_deref(),
                based_on: *based_on,
            },
        ),
        Some(Command::SignOff {
            assessment,
            requirement,
            statement,
            profile,
            key,
            as_,
        }) => review::run_sign_off(
            &cli,
            &review::SignOffArgs {
                assessment,
                requirement,
                statement: statement.as_deref(),
                profile: profile.as_deref(),
                key: key.as_deref(),
                reviewer: *as_ == SignAs::Reviewer,
            },
        ),
        Some(Command::ReviewNote {
            assessment,
            profile,
            command,
        }) => review_notes::run(&cli, assessment.as_deref(), profile.as_deref(), command),
        Some(Command::Approve {
            assessment,
            statement,
            override_file,
            override_template,
            profile,
            key,
        }) => sign::run_approve(
            &cli,
            &sign::ApproveArgs {
                assessment,
                statement,
                override_file: override_file.as_deref(),
                template: *override_template,
                profile: profile.as_deref(),
                key: key.as_deref(),
            },
        ),
        Some(Command::Seal {
            assessment,
            note,
            profile,
            key,
        }) => sign::run_seal(&cli, assessment, note, profile.as_deref(), key.as_deref()),
        Some(Command::NotApplicable {
            assessment,
            appendix,
            reason,
            profile,
        }) => review::run_not_applicable(&cli, assessment, appendix, reason, profile.as_deref()),
        Some(Command::Export {
            assessment,
            format,
            out,
        }) => export::run(&cli, assessment, *format, out),
        Some(Command::Compare {
            from,
            to,
            format,
            out,
            changed,
        }) => compare::run(
            &cli,
            &compare::CompareArgs {
                from,
                to,
                format: *format,
                out: out.as_deref(),
                changed: *changed,
            },
        ),
        Some(Command::InitServer { url, grant }) => server::init(url, grant),
        Some(Command::MigrateRecord { from, to }) => server::migrate(from, to),
        Some(Command::Verify { bundle, against }) => {
            verify::run(&cli, bundle.as_deref(), against.as_deref())
        }
        Some(Command::Requests {
            assessment,
            format,
            out,
            open,
        }) => requests::run(&cli, assessment, *format, out.as_deref(), *open),
        Some(Command::Collect {
            subscription,
            resource_group,
            cluster,
            kube_context,
            out,
            timeout,
            script,
        }) => collect::run(
            &crate::collect::Target {
                subscription: subscription.clone(),
                resource_group: resource_group.clone(),
                cluster: cluster.clone(),
                kube_context: kube_context.clone(),
            },
            out,
            *timeout,
            *script,
        ),
    }
}

/// `--catalog ID`: a built-in catalog, or an error listing the known IDs.
pub(crate) fn parse_catalog(id: &str) -> Result<&'static Catalog, String> {
    builtin(id).ok_or_else(|| {
        format!(
            "`{id}` is not a built-in catalog; use one of: {}",
            builtin_ids().join(", ")
        )
    })
}

/// The review record: `--db`, or `tickmark.sqlite3` in the platform's data
/// directory.
pub(crate) fn db_path(cli: &Cli) -> Result<PathBuf, String> {
    cli.db
        .clone()
        .or_else(crate::store::default_db_path)
        .ok_or_else(|| {
            "this system has no data directory; choose a review record with --db PATH".to_owned()
        })
}

/// Names, on `err`, every per-requirement result that feeds no requirement
/// of `catalog` (a scanner mapped it to an ID the catalog does not assess),
/// so that it is not silently left out of every verdict; and says how many
/// results of a scanner name only another framework's requirements (they
/// feed no verdict of `catalog`: the numberings differ).
pub(crate) fn report_unplaced(
    command: &str,
    catalog: &Catalog,
    results: &[crate::checks::CheckResult],
    err: &mut dyn std::io::Write,
) {
    for result in crate::checks::unplaced(catalog, results) {
        let _ = writeln!(
            err,
            "tickmark {command}: {} names requirement {}, which {} does not assess; its result ({}: {}) is in no verdict",
            result.check,
            result.requirement.as_deref().unwrap_or_default(),
            catalog.name,
            result.status.id(),
            result.reason
        );
    }
    // A scanner that also judged this catalog's requirements (Defender's
    // table maps both numberings) left nothing out.
    let judged_here = |check: &str| {
        results.iter().any(|r| {
            r.check == check
                && r.named_requirement()
                    .is_some_and(|(framework, _)| framework == catalog.id)
        })
    };
    let mut elsewhere: Vec<(&str, &str)> = crate::checks::other_framework(catalog, results)
        .iter()
        .filter(|r| !judged_here(&r.check))
        .filter_map(|r| Some((r.named_requirement()?.0, r.check.as_str())))
        .collect();
    elsewhere.sort_unstable();
    let mut counted: Vec<((&str, &str), usize)> = Vec::new();
    for key in elsewhere {
        match counted.last_mut() {
            Some((last, n)) if *last == key => *n += 1,
            _ => counted.push((key, 1)),
        }
    }
    for ((framework, check), n) in counted {
        let name = builtin(framework).map_or(framework, |c| c.name.as_str());
        let _ = writeln!(
            err,
            "tickmark {command}: {n} {check} result(s) name {name} requirements and feed no {} verdict (`tickmark evaluate --catalog {framework}` judges them)",
            catalog.name
        );
    }
}

/// The check settings: `--settings` (which must exist), or `settings.toml`
/// in the platform's config directory (defaults when it does not exist).
pub(crate) fn load_settings(cli: &Cli) -> Result<Settings, String> {
    match &cli.settings {
        Some(path) if !path.is_file() => Err(format!("{}: no such settings file", path.display())),
        Some(path) => Settings::load(path),
        None => match default_settings_path() {
            Some(path) => Settings::load(&path),
            None => Ok(Settings::default()),
        },
    }
}

#[cfg(feature = "gui")]
fn start_app(cli: &Cli) -> ExitCode {
    init_logger();
    if let Some(problem) = crate::ui::missing_display() {
        eprintln!("{problem}");
        return ExitCode::from(EXIT_UNUSABLE);
    }
    let started = db_path(cli).and_then(|db| Ok((db, load_settings(cli)?)));
    let (default, settings) = match started {
        Ok(found) => found,
        Err(message) => {
            eprintln!("tickmark: {message}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    let probe = cli
        .time_to_tree
        .as_ref()
        .map(|select| crate::ui::StartupProbe::new(Some(select.clone()).filter(|s| !s.is_empty())));
    let start = crate::ui::StartRecord {
        named: cli.db.clone(),
        default,
    };
    match crate::ui::run_with(start, settings, probe) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(message) => {
            eprintln!("tickmark: the desktop app failed: {message}");
            if let Some(hint) = crate::ui::system_libraries::missing_libraries_hint() {
                eprintln!("tickmark: {hint}");
            }
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

/// Logs warnings and errors to stderr (more with `RUST_LOG`), so eframe's
/// and rfd's problems are not silent.
#[cfg(feature = "gui")]
fn init_logger() {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .try_init();
}

#[cfg(not(feature = "gui"))]
fn start_app(_cli: &Cli) -> ExitCode {
    eprintln!(
        "tickmark: this build has no desktop app (built without the `gui` feature); use a subcommand, see --help"
    );
    ExitCode::from(EXIT_UNUSABLE)
}
