//! The workpaper conventions of issue 14 in the app, driven headless with
//! egui_kittest on a real review record: drafts that are not events and
//! survive a crash, explicit clearing of a finding, and asking before a
//! window with unsaved text closes.
#![cfg(feature = "gui")]

mod ui_support;

use egui::{ViewportCommand, ViewportEvent, ViewportId};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tickmark::store::{Finding, Role, Store};
use tickmark::ui::Workbench;
use ui_support::{click, create_profile, harness_sized, sample, type_into, workbench};

/// The review events of the record that touch `requirement`.
fn review_events(db: &std::path::Path, requirement: &str) -> Vec<serde_json::Value> {
    Store::open(db)
        .unwrap()
        .events(None)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "review.recorded" && e.payload["requirement"] == requirement)
        .map(|e| e.payload)
        .collect()
}

fn viewport_commands(h: &Harness<'_, Workbench>) -> Vec<ViewportCommand> {
    h.output()
        .viewport_output
        .get(&ViewportId::ROOT)
        .map(|v| v.commands.clone())
        .unwrap_or_default()
}

fn request_close(h: &mut Harness<'_, Workbench>) {
    h.input_mut()
        .viewports
        .entry(ViewportId::ROOT)
        .or_default()
        .events
        .push(ViewportEvent::Close);
    h.step();
}

#[test]
fn a_draft_is_not_an_event_and_survives_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = sample(&db);
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    click(&mut h, "1.3.1");
    type_into(&mut h, "Note (Markdown)", "Half-typed obs");
    // No exit hook runs: the process is killed here.
    drop(h);
    assert!(
        review_events(&db, "1.3.1").is_empty(),
        "the log holds no half-typed note"
    );
    assert!(dir.path().join("t.drafts.sqlite3").is_file());

    // The next start offers the draft back.
    let mut h = sample(&db);
    assert_eq!(h.state().draft("1.3.1"), Some("Half-typed obs"));
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|(_, m)| m.contains("Unsaved draft(s) kept from before") && m.contains("1.3.1")),
        "{:?}",
        h.state().messages()
    );
    h.state_mut().select("1.3.1");
    h.run();
    h.get_by_label_contains("Draft, not in the record");
    // Saving records it, once; the draft is gone, from the file too.
    click(&mut h, "Choose a reviewer");
    click(&mut h, "Ada Auditor · Auditor · no key");
    click(&mut h, "Save note");
    let events = review_events(&db, "1.3.1");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["note"], "Half-typed obs");
    drop(h);
    let h = sample(&db);
    assert_eq!(h.state().draft("1.3.1"), None);
}

#[test]
fn closing_the_window_with_unsaved_text_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = sample(&db);
    // Nothing typed: the window closes without a question.
    request_close(&mut h);
    assert!(!viewport_commands(&h).contains(&ViewportCommand::CancelClose));
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    click(&mut h, "1.3.1");
    type_into(&mut h, "Note (Markdown)", "Typed before closing");
    request_close(&mut h);
    assert!(viewport_commands(&h).contains(&ViewportCommand::CancelClose));
    h.run();
    h.get_by_label("Unsaved changes to 1.3.1");
    h.get_by_label("Keep as draft").click();
    h.step();
    assert!(viewport_commands(&h).contains(&ViewportCommand::Close));
    h.state_mut().finish_on_exit();
    assert!(review_events(&db, "1.3.1").is_empty());
    drop(h);
    let h = sample(&db);
    assert_eq!(h.state().draft("1.3.1"), Some("Typed before closing"));
}

#[test]
fn the_recorded_finding_clicked_again_stays_and_clearing_it_is_explicit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = sample(&db);
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    click(&mut h, "1.3.1");
    // A note typed, then a finding chosen: the finding is recorded, the
    // note stays a draft.
    type_into(&mut h, "Note (Markdown)", "Still writing");
    click(&mut h, "In Place");
    let state = h.state().requirement_state("1.3.1").unwrap().clone();
    assert_eq!(
        state.conclusion().map(|c| c.finding),
        Some(Finding::InPlace)
    );
    assert_eq!(state.review.as_ref().unwrap().note, "");
    assert_eq!(h.state().draft("1.3.1"), Some("Still writing"));
    // Clicking the recorded finding again changes nothing.
    click(&mut h, "In Place");
    assert_eq!(review_events(&db, "1.3.1").len(), 1);
    h.get_by_label_contains("Recorded by Ada Auditor");
    // Clearing asks, then records.
    click(&mut h, "Clear finding…");
    h.get_by_label("Clear the finding of 1.3.1?");
    click(&mut h, "Cancel");
    assert!(
        h.state()
            .requirement_state("1.3.1")
            .unwrap()
            .conclusion()
            .is_some()
    );
    click(&mut h, "Clear finding…");
    click(&mut h, "Clear finding");
    assert_eq!(
        h.state().requirement_state("1.3.1").unwrap().conclusion(),
        None
    );
    assert_eq!(review_events(&db, "1.3.1").len(), 2);
    h.get_by_label_contains("No finding recorded; last change by Ada Auditor");
    assert!(h.query_by_label("Clear finding…").is_none());
}

#[test]
fn a_small_window_shows_the_drafts_question_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = harness_sized(workbench(&db), [800.0, 600.0]);
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    h.state_mut().select("1.3.1");
    h.run();
    type_into(&mut h, "Note (Markdown)", "Typed in a small window");
    h.state_mut().select("1.3.2");
    h.run();
    let save = h.get_by_label("Save");
    let rect = save.rect();
    assert!(rect.max.x <= 800.0 && rect.max.y <= 600.0, "{rect:?}");
}

#[test]
fn a_draft_from_before_a_restart_is_not_saved_over_a_later_review() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = sample(&db);
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    click(&mut h, "1.3.1");
    type_into(&mut h, "Note (Markdown)", "Ada's half-typed note");
    drop(h);
    // While the app is down, a colleague records 1.3.1 from the CLI.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let note = dir.path().join("note.md");
    std::fs::write(&note, "Bo's note, recorded later.").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .arg("--db")
        .arg(&db)
        .args([
            "profile",
            "add",
            "--name",
            "Bo Auditor",
            "--role",
            "auditor",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .arg("--db")
        .arg(&db)
        .args(["review", "--assessment", tickmark::sample::ASSESSMENT_NAME])
        .args(["--requirement", "1.3.1", "--finding", "in-place"])
        .args(["--profile", "Bo Auditor", "--note-file"])
        .arg(&note)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let before = review_events(&db, "1.3.1").len();

    let mut h = sample(&db);
    assert_eq!(h.state().draft("1.3.1"), Some("Ada's half-typed note"));
    h.state_mut().select("1.3.1");
    h.run();
    click(&mut h, "Choose a reviewer");
    click(&mut h, "Ada Auditor · Auditor · no key");
    click(&mut h, "Save note");
    assert_eq!(
        review_events(&db, "1.3.1").len(),
        before,
        "the later review was overwritten"
    );
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|(error, m)| *error && m.contains("1.3.1 was changed by Bo Auditor")),
        "{:?}",
        h.state().messages()
    );
    // Both versions side by side in the conflict dialog.
    for shown in ["Bo's note, recorded later.", "Ada's half-typed note"] {
        assert!(
            h.query_all_by_label_contains(shown).count() >= 1,
            "{shown} is not shown"
        );
    }
    assert!(
        h.query_all_by_label_contains("Yours (not saved)")
            .next()
            .is_some()
    );
    assert_eq!(h.state().draft("1.3.1"), Some("Ada's half-typed note"));
}
