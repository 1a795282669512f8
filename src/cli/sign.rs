//! Signing from the command line: `tickmark approve` and `tickmark seal`,
//! and how every signing command gets its signer.
//!
//! A profile with a registered key signs with `--key FILE` (the private
//! key file; its passphrase is asked for on the terminal and not kept) or,
//! without `--key`, through the running ssh-agent. A profile without a key
//! signs nothing (its sign-offs are recorded unsigned; a seal is refused).
//!
//! * `tickmark approve --assessment A [--statement S] [--override-file F]
//!   [--key FILE] --profile LEAD` approves; `--override-template` prints an
//!   override file naming every open item, to fill in.
//! * `tickmark seal --assessment A [--note TEXT] [--key FILE] --profile P`
//!   signs the chain head.
//!
//! Exit codes: 0 done, 1 refused by a rule of the review (segregation of
//! duties, open items without an override...), 2 unusable input or no
//! signature could be made.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use serde::Deserialize;

use super::Cli;
use super::record::{self, Failure};
use crate::signing::{Agent, KeyFile, PublicKey, Signer, SigningError};
use crate::store::{ApprovalOverride, OpenItems, Profile};

/// The options of `tickmark approve`.
#[derive(Debug, Clone)]
pub struct ApproveArgs<'a> {
    /// The assessment's name.
    pub assessment: &'a str,
    /// The approval statement.
    pub statement: &'a str,
    /// The override file.
    pub override_file: Option<&'a Path>,
    /// Print an override template instead.
    pub template: bool,
    /// Who approves.
    pub profile: Option<&'a str>,
    /// The private key file.
    pub key: Option<&'a Path>,
}

/// How `profile` signs: `None` for a profile without a key (refused if
/// `key` is given); the key file `key`, else ssh-agent.
pub(crate) fn signer_for(
    profile: &Profile,
    key: Option<&Path>,
) -> Result<Option<Box<dyn Signer>>, Failure> {
    let Some(registered) = &profile.key else {
        return match key {
            Some(_) => Err(Failure {
                code: record::EXIT_REFUSED,
                message: format!(
                    "{} has no signing key registered; register it with `tickmark profile key --profile '#{}' --ssh-key FILE.pub`",
                    profile.name, profile.id
                ),
            }),
            None => Ok(None),
        };
    };
    let signing = |e: SigningError| Failure::unusable(e.to_string());
    match key {
        Some(path) => Ok(Some(Box::new(open_key_file(path).map_err(signing)?))),
        None => {
            let public = PublicKey::parse(&registered.openssh).map_err(signing)?;
            let agent = Agent::new(public).map_err(|e| {
                Failure::unusable(format!("{e}, or name the private key file with --key"))
            })?;
            Ok(Some(Box::new(agent)))
        }
    }
}

/// Opens a private key file, asking for its passphrase on the terminal
/// when it has one.
fn open_key_file(path: &Path) -> Result<KeyFile, SigningError> {
    if !KeyFile::needs_passphrase(path) {
        return KeyFile::open(path, None);
    }
    if !std::io::stdin().is_terminal() {
        return Err(SigningError::NeedsPassphrase {
            path: path.to_owned(),
        });
    }
    let passphrase =
        rpassword::prompt_password(format!("Passphrase for {} (not kept): ", path.display()))
            .map_err(|e| SigningError::KeyFile {
                path: path.to_owned(),
                message: format!("cannot read the passphrase: {e}"),
            })?;
    KeyFile::open(path, Some(&passphrase))
}

/// Runs `tickmark approve`.
pub(super) fn run_approve(cli: &Cli, args: &ApproveArgs<'_>) -> ExitCode {
    record::finish("approve", approve(cli, args))
}

/// Runs `tickmark seal`.
pub(super) fn run_seal(
    cli: &Cli,
    assessment: &str,
    note: &str,
    profile: Option<&str>,
    key: Option<&Path>,
) -> ExitCode {
    record::finish("seal", seal(cli, assessment, note, profile, key))
}

/// An override file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideFile {
    justification: String,
    #[serde(default)]
    unconcluded: Vec<String>,
    #[serde(default)]
    not_signed_off: Vec<String>,
    #[serde(default)]
    stale: Vec<String>,
    #[serde(default)]
    not_reviewed: Vec<String>,
}

fn read_override(path: &Path) -> Result<ApprovalOverride, Failure> {
    let text = record::read_text(path, "override file")?;
    let file: OverrideFile = toml::from_str(&text).map_err(|e| {
        Failure::unusable(format!(
            "{}: not an override file: {}",
            path.display(),
            e.to_string().trim_end()
        ))
    })?;
    Ok(ApprovalOverride {
        justification: file.justification,
        items: OpenItems {
            unconcluded: file.unconcluded,
            not_signed_off: file.not_signed_off,
            stale: file.stale,
            not_reviewed: file.not_reviewed,
        },
    })
}

/// An override file naming everything in `open`, to fill in.
fn template(assessment: &str, open: &OpenItems) -> String {
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
        format!("[{}]", quoted.join(", "))
    };
    format!(
        "# Approving \"{assessment}\" with {} open item(s). Each is named below and recorded, with\n\
         # the justification, in the signed approval. Say why in at least a sentence.\n\
         justification = \"\"\n\
         unconcluded = {}\n\
         not_signed_off = {}\n\
         stale = {}\n\
         not_reviewed = {}\n",
        open.count(),
        list(&open.unconcluded),
        list(&open.not_signed_off),
        list(&open.stale),
        list(&open.not_reviewed)
    )
}

fn approve(cli: &Cli, args: &ApproveArgs<'_>) -> Result<Vec<String>, Failure> {
    let override_ = args.override_file.map(read_override).transpose()?;
    let (mut store, db) = record::open(cli, false)?;
    let assessment = record::assessment(&store, args.assessment, &db)?;
    let catalog = record::catalog_of(&assessment)?;
    if args.template {
        let gate = store.approval_gate(assessment.id, catalog, None)?;
        return Ok(vec![template(&assessment.name, &gate.open)]);
    }
    let profile = record::profile(&store, args.profile)?;
    let gate = store.approval_gate(assessment.id, catalog, Some(profile.id))?;
    if let Some(reason) = gate.refused {
        return Err(Failure {
            code: record::EXIT_REFUSED,
            message: reason,
        });
    }
    if !gate.review_notes.is_empty() {
        return Err(Failure {
            code: record::EXIT_REFUSED,
            message: format!(
                "{} review note(s) are open: {}. A review note is answered and cleared (`tickmark review-note`), never overridden",
                gate.review_notes.len(),
                gate.describe_review_notes()
            ),
        });
    }
    if !gate.open.is_empty() && override_.is_none() {
        return Err(Failure {
            code: record::EXIT_REFUSED,
            message: format!(
                "{} item(s) are open: {}. Finish them, or name each in an override file with a justification (`tickmark approve --assessment '{}' --override-template > override.toml`) and pass it with --override-file",
                gate.open.count(),
                gate.open.describe(),
                assessment.name
            ),
        });
    }
    let signer = signer_for(&profile, args.key)?;
    let approval = store.approve(
        &record::actor(&profile),
        assessment.id,
        catalog,
        args.statement,
        override_.as_ref(),
        signer.as_deref(),
    )?;
    let mut lines = vec![format!(
        "Approved \"{}\" as {} (event #{}, {})",
        assessment.name,
        record::describe(&profile),
        approval.id,
        crate::store::signature_label(approval.signature.as_ref())
    )];
    if let Some(open) = &approval.open_items {
        lines.push(format!(
            "Over {} open item(s), named in the approval: {}",
            open.count(),
            open.describe()
        ));
    }
    Ok(lines)
}

fn seal(
    cli: &Cli,
    name: &str,
    note: &str,
    profile: Option<&str>,
    key: Option<&Path>,
) -> Result<Vec<String>, Failure> {
    let (mut store, db) = record::open(cli, false)?;
    let assessment = record::assessment(&store, name, &db)?;
    let profile = record::profile(&store, profile)?;
    let Some(signer) = signer_for(&profile, key)? else {
        return Err(Failure {
            code: record::EXIT_REFUSED,
            message: format!(
                "{} has no signing key, and a seal is a signature; register the key with `tickmark profile key`",
                profile.name
            ),
        });
    };
    let seal = store.seal(
        &record::actor(&profile),
        assessment.id,
        note,
        signer.as_ref(),
    )?;
    Ok(vec![
        format!(
            "Sealed the record for \"{}\": event #{} signs the history up to event #{} ({})",
            assessment.name, seal.event, seal.sealed_head.seq, seal.sealed_head.hash
        ),
        format!(
            "Signed by {} with {}",
            record::describe(&profile),
            seal.signature.key_fingerprint
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_names_every_open_item_and_reads_back() {
        let open = OpenItems {
            unconcluded: vec!["1.1.1".into()],
            not_signed_off: vec![],
            stale: vec!["2.2".into(), "3.1".into()],
            not_reviewed: vec!["4.1".into()],
        };
        let text = template("H1", &open);
        let file: OverrideFile = toml::from_str(&text).unwrap();
        assert_eq!(file.unconcluded, open.unconcluded);
        assert_eq!(file.stale, open.stale);
        assert_eq!(file.not_reviewed, open.not_reviewed);
        assert!(file.justification.is_empty());
        assert!(toml::from_str::<OverrideFile>("justification = \"x\"\nstal = []\n").is_err());
    }
}
