//! A save over a colleague's change (another program wrote the same
//! requirement after the typing started): the app shows both versions side
//! by side and what differs, keeps the typed text, and each of its three
//! ways on does what it says — keep editing (the next save goes through),
//! save mine in place of theirs (theirs stays in the history), take theirs.
#![cfg(feature = "gui")]

mod ui_support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tickmark::store::{Actor, Finding, NewProfile, ReviewInput, Role, Store};
use tickmark::ui::Workbench;
use ui_support::{click, create_profile, sample, type_into};

const THEIRS: &str = "Ben: the firewall export is from last year; asked for a new one.";
const MINE: &str = "Ann: rules reviewed against the change log, all approved.";

/// The app (as Ann) types into `requirement`; Ben records a note on it
/// from another program; Ann saves: the conflict dialog opens.
fn conflict_on(requirement: &str) -> (tempfile::TempDir, Harness<'static, Workbench>) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = sample(&db);
    create_profile(&mut h, "Ann Assessor", Role::Auditor);
    click(&mut h, requirement);
    type_into(&mut h, "Note (Markdown)", MINE);
    let assessment = h.state().assessment().unwrap().id;
    let mut other = Store::open(&db).unwrap();
    let ben = other
        .create_profile(
            &Actor::os_user_only(),
            &NewProfile {
                name: "Ben Reviewer".into(),
                email: "ben@example.com".into(),
                role: Role::Auditor,
            },
        )
        .unwrap();
    other
        .set_review(
            &Actor::with_profile(ben.id),
            assessment,
            tickmark::catalog::default_catalog(),
            requirement,
            &ReviewInput {
                finding: Some(Finding::NotInPlace),
                note: THEIRS.into(),
                ..ReviewInput::default()
            },
        )
        .unwrap();
    click(&mut h, "Save note");
    (dir, h)
}

fn shows(h: &Harness<'_, Workbench>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

fn notes_recorded(h: &Harness<'_, Workbench>, requirement: &str) -> Vec<String> {
    let db = h.state().record_label();
    Store::open(std::path::Path::new(&db))
        .unwrap()
        .events(None)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "review.recorded" && e.payload["requirement"] == requirement)
        .map(|e| e.payload["note"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn both_versions_show_side_by_side_and_the_typed_text_is_kept() {
    let (_dir, h) = conflict_on("1.3.1");
    assert!(shows(&h, "1.3.1 was changed by Ben Reviewer"));
    assert!(shows(&h, "Theirs: Ben Reviewer"));
    assert!(shows(&h, "Yours (not saved)"));
    assert!(shows(&h, THEIRS), "their note is shown");
    assert!(shows(&h, MINE), "mine is shown");
    assert!(shows(&h, "Finding: Not in Place"));
    assert!(shows(&h, "What yours changes in their note"));
    assert_eq!(h.state().review_as_typed("1.3.1").note, MINE);
    assert_eq!(notes_recorded(&h, "1.3.1"), [THEIRS]);
}

#[test]
fn keep_editing_then_saving_goes_over_their_version() {
    let (_dir, mut h) = conflict_on("1.3.1");
    click(&mut h, "Keep editing mine");
    assert!(!shows(&h, "Yours (not saved)"), "the dialog closed");
    // Their version is the one shown now; the text typed is still there.
    assert_eq!(
        h.state().review_as_typed("1.3.1").finding,
        Some(Finding::NotInPlace)
    );
    assert_eq!(h.state().review_as_typed("1.3.1").note, MINE);
    type_into(&mut h, "Note (Markdown)", " Ben's point noted.");
    click(&mut h, "Save note");
    let merged = format!("{MINE} Ben's point noted.");
    assert_eq!(notes_recorded(&h, "1.3.1"), [THEIRS, merged.as_str()]);
    // The refusal was answered in the dialog: it does not linger.
    assert!(
        !h.state()
            .messages()
            .iter()
            .any(|(_, text)| text.starts_with("Not saved")),
        "{:?}",
        h.state().messages()
    );
}

#[test]
fn saving_mine_in_place_keeps_theirs_in_the_history() {
    let (_dir, mut h) = conflict_on("1.3.1");
    click(&mut h, "Save mine in place of theirs");
    assert_eq!(notes_recorded(&h, "1.3.1"), [THEIRS, MINE]);
    assert_eq!(h.state().draft("1.3.1"), None, "the draft is settled");
}

#[test]
fn taking_theirs_discards_the_typed_text() {
    let (_dir, mut h) = conflict_on("1.3.1");
    click(&mut h, "Take theirs, discard mine");
    assert_eq!(notes_recorded(&h, "1.3.1"), [THEIRS]);
    assert_eq!(h.state().review_as_typed("1.3.1").note, THEIRS);
    assert_eq!(h.state().draft("1.3.1"), None);
}
