//! The command line (PRODUCT.md §7): a thin shell over the core. With no
//! subcommand the desktop app starts.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::checks::Settings;

mod catalog;
mod evaluate;
mod export;
mod import;
mod verify;

/// Review the evidence that an AKS cluster meets PCI DSS 3.2.1.
#[derive(Debug, Parser)]
#[command(name = "tickmark", version, about)]
pub struct Cli {
    /// The review record (SQLite). Default: tickmark.sqlite3 in the platform's data directory.
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Check settings (TOML). Default: settings.toml in the platform's config directory.
    #[arg(long, global = true, value_name = "PATH")]
    pub settings: Option<PathBuf>,
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
        /// Exit with 1 when any requirement's verdict is this.
        #[arg(long, value_enum, value_name = "VERDICT")]
        fail_on: Option<FailOn>,
    },
    /// Import evidence into an assessment (created if missing), evaluate and record it.
    Import {
        /// The assessment's name.
        #[arg(long, value_name = "NAME")]
        assessment: String,
        /// Files or directories (walked) of evidence.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
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
    /// Verify the review record's hash chain, or an exported evidence bundle.
    ///
    /// Recomputes the chain and the state it implies and names the first
    /// event, row or stored file that does not match. Exit codes: 0 intact,
    /// 1 tampered, 2 unusable (no record, not a record, busy, newer schema).
    Verify {
        /// Verify this evidence bundle (zip) instead of the database.
        #[arg(long, value_name = "FILE")]
        bundle: Option<PathBuf>,
    },
    /// Print the requirement catalog.
    Catalog {
        /// Output format.
        #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
        format: CatalogFormat,
    },
}

/// `evaluate --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvaluateFormat {
    /// A readable table.
    Table,
    /// One JSON object (PRODUCT.md §7).
    Json,
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
    /// One row per requirement.
    Csv,
    /// The whole record, versioned schema.
    Json,
    /// A self-contained, printable report.
    Html,
    /// OSCAL assessment-results (JSON).
    Oscal,
    /// A zip of the report, the record, every evidence file and attachment, and a manifest.
    Bundle,
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

/// Parses the arguments and runs the command (or the app).
pub fn main() -> ExitCode {
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
        Some(Command::Catalog { format }) => catalog::run(*format),
        Some(Command::Evaluate {
            paths,
            format,
            fail_on,
        }) => evaluate::run(&cli, paths, *format, *fail_on),
        Some(Command::Import { assessment, paths }) => {
            import::run(&cli, crate::catalog::pci_dss_321(), assessment, paths)
        }
        Some(Command::Export {
            assessment,
            format,
            out,
        }) => export::run(&cli, assessment, *format, out),
        Some(Command::Verify { bundle }) => verify::run(&cli, bundle.as_deref()),
    }
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
/// so that it is not silently left out of every verdict.
pub(crate) fn report_unplaced(
    command: &str,
    catalog: &crate::catalog::Catalog,
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
    let (db, settings) = match started {
        Ok(found) => found,
        Err(message) => {
            eprintln!("tickmark: {message}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    match crate::ui::run(db, settings) {
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
