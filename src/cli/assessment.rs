//! `tickmark assessment create` and `tickmark assessment list`.
//!
//! `create --name N [--catalog pci-dss-4.0.1|pci-dss-3.2.1] [--cluster C]
//! [--period-start D] [--period-end D] [--from EARLIER]` creates an
//! assessment against one framework (PCI DSS 4.0.1 unless told). With
//! `--from`, the earlier assessment's evidence files are carried forward
//! (referenced, not stored again) and evaluated against the new framework,
//! and the earlier findings and notes show beside the mapped requirements
//! as the prior period; nothing of the earlier review is copied in.
//!
//! Exit codes: 0 created, 1 refused (the name exists), 2 unusable input.

use std::io::Write;
use std::process::ExitCode;

use chrono::{NaiveDate, Utc};

use super::record::{self, Failure};
use super::{Cli, EXIT_OK};
use crate::store::{Actor, NewAssessment, RunOutcome};

/// The options of `tickmark assessment create`.
#[derive(Debug, Clone)]
pub struct CreateArgs<'a> {
    /// The name.
    pub name: &'a str,
    /// The catalog ID (default: the default catalog).
    pub catalog: Option<&'a str>,
    /// The cluster.
    pub cluster: Option<&'a str>,
    /// First day of the period (default today).
    pub period_start: Option<NaiveDate>,
    /// Last day of the period (default: the first).
    pub period_end: Option<NaiveDate>,
    /// The earlier assessment to start from.
    pub from: Option<&'a str>,
}

/// Runs `tickmark assessment create`.
pub(super) fn run_create(cli: &Cli, args: &CreateArgs<'_>) -> ExitCode {
    report("assessment create", create(cli, args))
}

/// Runs `tickmark assessment list`.
pub(super) fn run_list(cli: &Cli, all: bool) -> ExitCode {
    report("assessment list", list(cli, all))
}

/// Runs `tickmark assessment archive` (with a reason) or `restore`
/// (without).
pub(super) fn run_archive(cli: &Cli, name: &str, reason: Option<&str>) -> ExitCode {
    let command = if reason.is_some() {
        "assessment archive"
    } else {
        "assessment restore"
    };
    report(command, archive(cli, name, reason))
}

fn archive(cli: &Cli, name: &str, reason: Option<&str>) -> Result<Vec<String>, Failure> {
    let (mut store, db) = record::open(cli, false)?;
    let assessment = record::assessment(&store, name, &db)?;
    let actor = Actor::os_user_only();
    Ok(vec![match reason {
        Some(reason) => {
            store.archive_assessment(&actor, assessment.id, reason)?;
            format!(
                "Archived \"{}\": it is kept as it is, out of the lists (`assessment list --all` shows it)",
                assessment.name
            )
        }
        None => {
            store.restore_assessment(&actor, assessment.id)?;
            format!("Restored \"{}\" to the lists", assessment.name)
        }
    }])
}

fn report(command: &str, result: Result<Vec<String>, Failure>) -> ExitCode {
    match result {
        Ok(lines) => {
            let mut out = std::io::stdout().lock();
            for line in lines {
                let _ = writeln!(out, "{line}");
            }
            ExitCode::from(EXIT_OK)
        }
        Err(failure) => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "tickmark {command}: {}",
                failure.message
            );
            ExitCode::from(failure.code)
        }
    }
}

/// The catalog `--catalog` names (or the default), or a message listing the
/// built-in ones.
pub(crate) fn chosen_catalog(
    id: Option<&str>,
) -> Result<&'static crate::catalog::Catalog, Failure> {
    id.map_or(Ok(crate::catalog::default_catalog()), |id| {
        super::parse_catalog(id).map_err(Failure::unusable)
    })
}

fn create(cli: &Cli, args: &CreateArgs<'_>) -> Result<Vec<String>, Failure> {
    let catalog = chosen_catalog(args.catalog)?;
    let settings = super::load_settings(cli)?;
    let (mut store, db) = record::open(cli, true)?;
    let start = args.period_start.unwrap_or_else(|| Utc::now().date_naive());
    let prior = args
        .from
        .map(|name| record::assessment(&store, name, &db))
        .transpose()?;
    let new = NewAssessment {
        name: args.name.to_owned(),
        cluster: args
            .cluster
            .map(str::to_owned)
            .or_else(|| prior.as_ref().map(|p| p.cluster.clone()))
            .unwrap_or_else(|| "unknown".to_owned()),
        period_start: start,
        period_end: args.period_end.unwrap_or(start),
        catalog_id: catalog.id.clone(),
    };
    let actor = Actor::os_user_only();
    let Some(prior) = prior else {
        let created = store.create_assessment(&actor, &new)?;
        return Ok(vec![format!(
            "Created assessment \"{}\" against {} (cluster {}, {} to {}) in {}",
            created.name,
            catalog.name,
            created.cluster,
            created.period_start,
            created.period_end,
            db.display()
        )]);
    };
    let (created, files) = store.start_from(&actor, prior.id, &new)?;
    let mut lines = vec![
        format!(
            "Created assessment \"{}\" against {} from \"{}\" ({}), in {}",
            created.name,
            catalog.name,
            prior.name,
            prior.catalog_id,
            db.display()
        ),
        format!(
            "Carried forward {} evidence file(s) (referenced, not stored again)",
            files.len()
        ),
    ];
    let (outcome, problems) = store.evaluate_and_record(&actor, created.id, catalog, &settings)?;
    for problem in problems {
        lines.push(format!("stored file no longer readable: {problem}"));
    }
    let run = outcome.run();
    let c = run.counts();
    let what = match outcome {
        RunOutcome::Recorded(_) => format!("Run #{} recorded", run.id),
        RunOutcome::Unchanged(_) => format!("No change since run #{}", run.id),
    };
    lines.push(format!(
        "{what}: {} requirement(s): {} pass, {} fail, {} partial, {} manual, {} no evidence",
        c.total(),
        c.pass,
        c.fail,
        c.partial,
        c.manual,
        c.no_evidence
    ));
    lines.push(format!(
        "The findings and notes of \"{}\" show beside the mapped requirements as the prior period; none were copied in.",
        prior.name
    ));
    Ok(lines)
}

fn list(cli: &Cli, all: bool) -> Result<Vec<String>, Failure> {
    let (store, db) = record::open(cli, false)?;
    let every = store.assessments()?;
    let hidden = every.iter().filter(|a| a.archived.is_some()).count();
    let assessments: Vec<_> = every
        .iter()
        .filter(|a| all || a.archived.is_none())
        .cloned()
        .collect();
    if assessments.is_empty() {
        let archived = if hidden > 0 {
            format!(" ({hidden} archived: `assessment list --all`)")
        } else {
            String::new()
        };
        return Ok(vec![format!(
            "{} has no assessments yet{archived}",
            db.display()
        )]);
    }
    let names: std::collections::HashMap<i64, String> =
        every.iter().map(|a| (a.id, a.name.clone())).collect();
    Ok(assessments
        .iter()
        .map(|a| {
            let prior = a
                .prior_assessment
                .and_then(|id| names.get(&id))
                .map(|name| format!(", from \"{name}\""))
                .unwrap_or_default();
            let archived = if a.archived.is_some() {
                " (archived)"
            } else {
                ""
            };
            format!(
                "\"{}\": {}, cluster {}, {} to {}{prior}{archived}",
                a.name, a.catalog_id, a.cluster, a.period_start, a.period_end
            )
        })
        .chain((hidden > 0 && !all).then(|| {
            format!("({hidden} archived assessment(s) not shown: `assessment list --all`)")
        }))
        .collect())
}
