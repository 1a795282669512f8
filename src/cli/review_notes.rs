//! `tickmark review-note raise|answer|clear|list`: the review notes of an
//! assessment from the terminal, under the same rules as the app (the
//! reviewer raises and clears, the preparer answers).

use std::process::ExitCode;

use super::record::{self, Failure};
use super::{Cli, ReviewNoteCommand};
use crate::store::{Person, ReviewNote};

/// A time as people read it: `2026-03-02 14:05 UTC`.
fn time_label(time: &chrono::DateTime<chrono::Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Runs `tickmark review-note`.
pub(super) fn run(
    cli: &Cli,
    assessment: Option<&str>,
    profile: Option<&str>,
    command: &ReviewNoteCommand,
) -> ExitCode {
    record::finish("review-note", act(cli, assessment, profile, command))
}

fn act(
    cli: &Cli,
    assessment: Option<&str>,
    profile: Option<&str>,
    command: &ReviewNoteCommand,
) -> Result<Vec<String>, Failure> {
    let (mut store, db) = record::open(cli, false)?;
    let assessment = assessment
        .map(|name| record::assessment(&store, name, &db))
        .transpose()?;
    let named = || {
        assessment
            .clone()
            .ok_or_else(|| Failure::unusable("name the assessment with --assessment NAME"))
    };
    match command {
        ReviewNoteCommand::Raise { requirement, text } => {
            let assessment = named()?;
            let catalog = record::catalog_of(&assessment)?;
            let who = record::profile(&store, profile)?;
            let note = store.raise_review_note(
                &record::actor(&who),
                assessment.id,
                catalog,
                requirement,
                text,
            )?;
            Ok(vec![format!(
                "Raised {} on {requirement} of \"{}\" as {}",
                note.label(),
                assessment.name,
                record::describe(&who)
            )])
        }
        ReviewNoteCommand::Answer { note, text } => {
            let id = note_id(note)?;
            check_belongs(&store, id, assessment.as_ref().map(|a| a.id))?;
            let who = record::profile(&store, profile)?;
            let note = store.answer_review_note(&record::actor(&who), id, text)?;
            Ok(vec![format!(
                "Answered {} on {} as {}",
                note.label(),
                note.requirement,
                record::describe(&who)
            )])
        }
        ReviewNoteCommand::Clear { note, text } => {
            let id = note_id(note)?;
            check_belongs(&store, id, assessment.as_ref().map(|a| a.id))?;
            let who = record::profile(&store, profile)?;
            let note = store.clear_review_note(&record::actor(&who), id, text)?;
            Ok(vec![format!(
                "Cleared {} on {} as {}",
                note.label(),
                note.requirement,
                record::describe(&who)
            )])
        }
        ReviewNoteCommand::List { open } => {
            let assessment = named()?;
            let notes: Vec<ReviewNote> = store
                .review_notes(assessment.id)?
                .into_iter()
                .filter(|n| !open || n.is_open())
                .collect();
            let shown = notes.len();
            let mut lines: Vec<String> = notes.iter().flat_map(describe).collect();
            let which = if *open { "open " } else { "" };
            lines.push(format!(
                "{shown} {which}review note(s) in \"{}\"",
                assessment.name
            ));
            Ok(lines)
        }
    }
}

/// `RN-12` or `12`.
fn note_id(text: &str) -> Result<i64, Failure> {
    let digits = text.trim();
    let digits = digits
        .strip_prefix("RN-")
        .or_else(|| digits.strip_prefix("rn-"))
        .unwrap_or(digits);
    digits
        .parse()
        .map_err(|_| Failure::unusable(format!("`{text}` is not a review note (RN-12 or 12)")))
}

/// Refuses a note of another assessment than the one named.
fn check_belongs(
    store: &crate::store::Store,
    note: i64,
    assessment: Option<i64>,
) -> Result<(), Failure> {
    let found = store.review_note(note)?;
    match assessment {
        Some(id) if id != found.assessment => Err(Failure::unusable(format!(
            "{} belongs to another assessment",
            found.label()
        ))),
        _ => Ok(()),
    }
}

/// A note and its thread as lines.
fn describe(note: &ReviewNote) -> Vec<String> {
    let state = if note.is_open() { "open" } else { "cleared" };
    let mut lines = vec![format!(
        "{} {} [{state}] raised by {} at {}: {}",
        note.label(),
        note.requirement,
        who(&note.raised_by),
        time_label(&note.raised_at),
        note.text
    )];
    for answer in &note.answers {
        lines.push(format!(
            "    answered by {} at {}: {}",
            who(&answer.by),
            time_label(&answer.at),
            answer.text
        ));
    }
    if let Some(cleared) = &note.cleared {
        let remark = if cleared.text.is_empty() {
            String::new()
        } else {
            format!(": {}", cleared.text)
        };
        lines.push(format!(
            "    cleared by {} at {}{remark}",
            who(&cleared.by),
            time_label(&cleared.at)
        ));
    }
    lines
}

fn who(person: &Person) -> String {
    person
        .name
        .clone()
        .unwrap_or_else(|| person.os_user.clone())
}
