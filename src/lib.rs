//! Tickmark: review the evidence that an Azure Kubernetes Service cluster
//! meets PCI DSS 4.0.1 (or 3.2.1, for assessments recorded against it).
//!
//! The library is the core, with no GUI dependency:
//! [`catalog`] (frameworks and crosswalks as data), [`check_registry`] (every
//! check's ID and meaning), [`evidence`] (importers),
//! [`checks`] (evidence → results → verdicts, pure), [`store`] (the SQLite
//! review record), [`drafts`] (review text typed but not saved, kept beside
//! the record) and [`export`] (CSV, XLSX, JSON, HTML, OSCAL, bundle). The binary
//! adds two thin shells: the desktop app (`ui`) and the command line (`cli`).

#![warn(missing_docs)]

pub mod catalog;
pub mod check_registry;
pub mod checks;
pub mod collect;
pub mod drafts;
pub mod evidence;
pub mod export;
pub mod requests;
pub mod sample;
pub mod scope;
pub mod signing;
pub mod store;

pub mod cli;
#[cfg(feature = "gui")]
pub mod ui;

/// When [`cli::main`] started: what the app's start-up measurement counts from.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Marks the start of the process (the first call counts).
pub fn mark_process_start() {
    STARTED.get_or_init(std::time::Instant::now);
}

/// How long ago [`mark_process_start`] was first called (zero before).
pub fn process_age() -> std::time::Duration {
    STARTED.get().map(|t| t.elapsed()).unwrap_or_default()
}
