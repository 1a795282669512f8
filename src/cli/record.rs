//! What the commands that change the review record share: opening it,
//! finding the assessment and the acting profile by name, and turning the
//! store's answers into exit codes (0 done, 1 refused by a rule of the
//! review, 2 unusable input).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{Cli, EXIT_UNUSABLE};
use crate::catalog::Catalog;
use crate::store::{Actor, Assessment, Profile, Store, StoreError};

/// Exit code when the review's rules refuse the change (a sign-off without
/// a reason, a compensating control together with the customized
/// approach...).
pub const EXIT_REFUSED: u8 = 1;

/// A failed command: its message and exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Unusable input (exit 2).
    pub fn unusable(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_UNUSABLE,
            message: message.into(),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Failure {
        let code = match error {
            StoreError::Rule(_) | StoreError::Conflict(_) => EXIT_REFUSED,
            _ => EXIT_UNUSABLE,
        };
        Failure {
            code,
            message: error.to_string(),
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::unusable(message)
    }
}

/// The review record of `--db`, which must exist (`create`: or is
/// created).
pub(crate) fn open(cli: &Cli, create: bool) -> Result<(Store, PathBuf), Failure> {
    let db = super::db_path(cli)?;
    let store = if create {
        Store::open(&db)
    } else {
        Store::open_existing(&db)
    }
    .map_err(Failure::from)?;
    Ok((store, db))
}

/// The assessment named `name`, or a message listing the ones there are.
pub(crate) fn assessment(store: &Store, name: &str, db: &Path) -> Result<Assessment, Failure> {
    match store.assessment(name)? {
        Some(found) => Ok(found),
        None => Err(Failure::unusable(unknown_assessment(store, name, db))),
    }
}

/// The built-in catalog `assessment` is assessed against.
pub(crate) fn catalog_of(assessment: &Assessment) -> Result<&'static Catalog, Failure> {
    crate::catalog::builtin(&assessment.catalog_id).ok_or_else(|| {
        Failure::unusable(format!(
            "assessment \"{}\" uses catalog {}, which this build of Tickmark does not have",
            assessment.name, assessment.catalog_id
        ))
    })
}

/// "No such assessment", listing the ones there are.
pub(crate) fn unknown_assessment(store: &Store, name: &str, db: &Path) -> String {
    let known = match store.assessments() {
        Ok(list) => list,
        Err(e) => return e.to_string(),
    };
    if known.is_empty() {
        return format!(
            "there is no assessment named \"{name}\": the review record {} has no assessments yet \
             (create one with `tickmark assessment create --name NAME` or `tickmark import --assessment NAME PATH...`)",
            db.display()
        );
    }
    let names: Vec<String> = known.iter().map(|a| format!("\"{}\"", a.name)).collect();
    format!(
        "there is no assessment named \"{name}\" in {}; known assessments: {}",
        db.display(),
        names.join(", ")
    )
}

/// The profile `--profile` names: by name or e-mail address (exactly,
/// ignoring case), or `#ID`. Several profiles of one name are refused,
/// listed with their IDs.
pub(crate) fn profile(store: &Store, wanted: Option<&str>) -> Result<Profile, Failure> {
    let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) else {
        return Err(Failure::unusable(
            "say who acts with --profile NAME (create a profile with `tickmark profile add --name N --email E --role auditor|lead`)",
        ));
    };
    let profiles = store.profiles()?;
    let by_id = wanted
        .strip_prefix('#')
        .and_then(|id| id.parse::<i64>().ok());
    let matches: Vec<&Profile> = profiles
        .iter()
        .filter(|p| match by_id {
            Some(id) => p.id == id,
            None => p.name.eq_ignore_ascii_case(wanted) || p.email.eq_ignore_ascii_case(wanted),
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => {
            let known: Vec<String> = profiles.iter().map(describe).collect();
            Err(Failure::unusable(if known.is_empty() {
                format!(
                    "there is no profile \"{wanted}\": the review record has no profiles yet (create one with `tickmark profile add`)"
                )
            } else {
                format!(
                    "there is no profile \"{wanted}\"; known profiles: {}",
                    known.join(", ")
                )
            }))
        }
        several => {
            let listed: Vec<String> = several.iter().map(|p| describe(p)).collect();
            Err(Failure::unusable(format!(
                "{} profiles are called \"{wanted}\": {}; name one with --profile '#ID'",
                several.len(),
                listed.join(", ")
            )))
        }
    }
}

/// The actor for `profile`: the profile and this process's OS user.
pub(crate) fn actor(profile: &Profile) -> Actor {
    Actor::with_profile(profile.id)
}

/// `#3 Ana Auditor <ana@example.com> (auditor)`.
pub(crate) fn describe(profile: &Profile) -> String {
    let email = if profile.email.is_empty() {
        String::new()
    } else {
        format!(" <{}>", profile.email)
    };
    format!(
        "#{} {}{email} ({})",
        profile.id,
        profile.name,
        profile.role.label().to_lowercase()
    )
}

/// Reads a text file named on the command line (`-` is standard input).
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(|e| {
            Failure::unusable(format!("reading the {what} from standard input: {e}"))
        })?;
        bytes
    } else {
        std::fs::read(path).map_err(|e| Failure::unusable(format!("{}: {e}", path.display())))?
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::unusable(format!(
            "{}: the {what} is not UTF-8 text (byte {} is not)",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned())
}

/// Prints what was done, or why not, and gives the exit code.
pub(crate) fn finish(
    command: &str,
    result: Result<Vec<String>, Failure>,
) -> std::process::ExitCode {
    match result {
        Ok(lines) => {
            let mut out = std::io::stdout().lock();
            for line in lines {
                let _ = writeln!(out, "{line}");
            }
            std::process::ExitCode::from(super::EXIT_OK)
        }
        Err(failure) => {
            let refused = if failure.code == EXIT_REFUSED {
                "refused: "
            } else {
                ""
            };
            let _ = writeln!(
                std::io::stderr().lock(),
                "tickmark {command}: {refused}{}",
                failure.message
            );
            std::process::ExitCode::from(failure.code)
        }
    }
}
