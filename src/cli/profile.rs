//! `tickmark profile add --name N --email E --role auditor|lead
//! [--ssh-key FILE.pub]`, `tickmark profile key --profile P --ssh-key
//! FILE.pub`, `tickmark profile retire --profile P --reason TEXT` and
//! `tickmark profile list`: the reviewer profiles that `--profile NAME`
//! acts as, and the SSH public keys their signatures are made with.
//!
//! Exit codes: 0 done, 1 refused (a rule of the record), 2 unusable input.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::record::{self, Failure};
use super::{Cli, EXIT_OK, ProfileRole};
use crate::signing::PublicKey;
use crate::store::{Actor, NewProfile, Role};

/// Runs `tickmark profile add`.
pub(super) fn run_add(
    cli: &Cli,
    name: &str,
    email: &str,
    role: ProfileRole,
    ssh_key: Option<&Path>,
) -> ExitCode {
    report("profile add", add(cli, name, email, role, ssh_key))
}

/// Runs `tickmark profile key`.
pub(super) fn run_key(cli: &Cli, profile: &str, ssh_key: &Path) -> ExitCode {
    report("profile key", key(cli, profile, ssh_key))
}

/// Runs `tickmark profile retire`.
pub(super) fn run_retire(cli: &Cli, profile: &str, reason: &str) -> ExitCode {
    report("profile retire", retire(cli, profile, reason))
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

fn add(
    cli: &Cli,
    name: &str,
    email: &str,
    role: ProfileRole,
    ssh_key: Option<&Path>,
) -> Result<Vec<String>, Failure> {
    let key = ssh_key.map(read_key).transpose()?;
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
    let actor = Actor::os_user_only();
    let new = NewProfile {
        name: name.to_owned(),
        email: email.to_owned(),
        role,
    };
    // The profile and its key are one change: both, or neither.
    let profile = store.atomically(|store| {
        let profile = store.create_profile(&actor, &new)?;
        match &key {
            Some(key) => store.register_key(&actor, profile.id, key),
            None => Ok(profile),
        }
    })?;
    Ok(vec![format!(
        "Created profile {} in {}",
        listed(&profile),
        db.display()
    )])
}

fn read_key(path: &Path) -> Result<PublicKey, Failure> {
    PublicKey::read_file(path).map_err(|e| Failure::unusable(e.to_string()))
}

fn key(cli: &Cli, wanted: &str, ssh_key: &Path) -> Result<Vec<String>, Failure> {
    let key = read_key(ssh_key)?;
    let (mut store, db) = record::open(cli, false)?;
    let profile = record::profile(&store, Some(wanted))?;
    let replaced = profile.key.clone();
    let profile = store.register_key(&Actor::os_user_only(), profile.id, &key)?;
    let mut lines = vec![format!(
        "Bound {key} to profile {} in {}",
        record::describe(&profile),
        db.display()
    )];
    if let Some(old) = replaced {
        lines.push(format!(
            "It replaces {} (bound at event #{}); earlier signatures stay checked against the key bound when they were made",
            old.fingerprint, old.event
        ));
    }
    Ok(lines)
}

fn retire(cli: &Cli, wanted: &str, reason: &str) -> Result<Vec<String>, Failure> {
    let (mut store, db) = record::open(cli, false)?;
    let profile = record::profile(&store, Some(wanted))?;
    let profile = store.retire_profile(&Actor::os_user_only(), profile.id, reason)?;
    Ok(vec![format!(
        "Retired profile {} in {}: it records and signs nothing new",
        record::describe(&profile),
        db.display()
    )])
}

/// A profile as `profile list` shows it: with its key, or `no key`, and
/// whether it is retired or the sample's.
fn listed(profile: &crate::store::Profile) -> String {
    let mut text = record::describe(profile);
    match &profile.key {
        Some(key) => text.push_str(&format!(", key {}", key.fingerprint)),
        None => text.push_str(", no key (sign-offs unsigned)"),
    }
    if profile.sample {
        text.push_str(", the bundled sample's fictional auditor");
    }
    if let Some(retired) = &profile.retired {
        text.push_str(&format!(", retired: {}", retired.reason));
    }
    text
}

fn list(cli: &Cli) -> Result<Vec<String>, Failure> {
    let (store, db) = record::open(cli, false)?;
    let profiles = store.profiles()?;
    if profiles.is_empty() {
        return Ok(vec![format!("{} has no profiles yet", db.display())]);
    }
    Ok(profiles.iter().map(listed).collect())
}
