//! `tickmark profile add --name N --email E --role auditor|lead` and
//! `tickmark profile list`: the reviewer profiles that `--profile NAME`
//! acts as.
//!
//! Exit codes: 0 done, 1 refused (a rule of the record), 2 unusable input.

use std::io::Write;
use std::process::ExitCode;

use super::record::{self, Failure};
use super::{Cli, EXIT_OK, ProfileRole};
use crate::store::{Actor, NewProfile, Role};

/// Runs `tickmark profile add`.
pub(super) fn run_add(cli: &Cli, name: &str, email: &str, role: ProfileRole) -> ExitCode {
    report("profile add", add(cli, name, email, role))
}

/// Runs `tickmark profile list`.
pub(super) fn run_list(cli: &Cli) -> ExitCode {
    report("profile list", list(cli))
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

fn add(cli: &Cli, name: &str, email: &str, role: ProfileRole) -> Result<Vec<String>, Failure> {
    let (mut store, db) = record::open(cli, true)?;
    let role = match role {
        ProfileRole::Auditor => Role::Auditor,
        ProfileRole::Lead => Role::SecurityLead,
    };
    let wanted = name.trim();
    if store
        .profiles()?
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case(wanted))
    {
        return Err(Failure {
            code: record::EXIT_REFUSED,
            message: format!(
                "a profile named \"{wanted}\" already exists in {}; `--profile` finds profiles by name, so choose another",
                db.display()
            ),
        });
    }
    let profile = store.create_profile(
        &Actor::os_user_only(),
        &NewProfile {
            name: name.to_owned(),
            email: email.to_owned(),
            role,
        },
    )?;
    Ok(vec![format!(
        "Created profile {} in {}",
        record::describe(&profile),
        db.display()
    )])
}

fn list(cli: &Cli) -> Result<Vec<String>, Failure> {
    let (store, db) = record::open(cli, false)?;
    let profiles = store.profiles()?;
    if profiles.is_empty() {
        return Ok(vec![format!("{} has no profiles yet", db.display())]);
    }
    Ok(profiles.iter().map(record::describe).collect())
}
