//! Preparer and reviewer in the app (issue 14), driven headless through
//! egui_kittest on the real workbench and review record: a second profile
//! raises a review note on one of the sample's signed-off requirements and
//! cannot sign as reviewer while it is open; the sample's preparer answers
//! it and cannot clear it; the reviewer clears it and signs as reviewer;
//! the tree's "Review notes" filter and the Dashboard card follow.
#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tickmark::checks::Settings;
use tickmark::sample;
use tickmark::store::{Actor, NewProfile, Role, SignOffState, Store};
use tickmark::ui::{Prefs, Workbench, WorkbenchOptions, WorkerMode};

/// The sample record with a second auditor, "Dana Reviewer"; her profile
/// ID, the sample auditor's, and a requirement the sample auditor signed
/// off (current).
fn record(dir: &Path) -> (PathBuf, i64, i64, String) {
    let db = dir.join("t.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let seeded = sample::seed(&mut store, &Settings::default()).unwrap();
    let dana = store
        .create_profile(
            &Actor {
                profile: None,
                os_user: "tester".into(),
            },
            &NewProfile {
                name: "Dana Reviewer".into(),
                email: "dana@example.com".into(),
                role: Role::Auditor,
            },
        )
        .unwrap();
    let robin = store
        .profiles()
        .unwrap()
        .into_iter()
        .find(|p| p.name == sample::AUDITOR_NAME)
        .unwrap();
    let requirement = store
        .requirement_states(seeded.assessment.id)
        .unwrap()
        .into_iter()
        .find(|s| s.sign_off_state == SignOffState::Current)
        .expect("the sample has a current sign-off")
        .requirement;
    (db, dana.id, robin.id, requirement)
}

fn harness(db: &Path, profile: i64) -> Harness<'static, Workbench> {
    let prefs = Prefs {
        db: Some(tickmark::evidence::display_path(db)),
        last_assessment: Some(sample::ASSESSMENT_NAME.to_owned()),
        profile: Some(profile),
        ..Prefs::default()
    };
    let workbench = Workbench::new(WorkbenchOptions {
        db_path: db.to_owned(),
        settings: Settings::default(),
        mode: WorkerMode::Inline,
        prefs,
        seed_sample_when_empty: false,
    });
    let mut h = Harness::builder()
        .with_size([1500.0, 1600.0])
        .with_max_steps(200)
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), workbench);
    h.run();
    assert_eq!(h.state().profile().map(|p| p.id), Some(profile));
    h
}

fn last<'a>(h: &'a Harness<'_, Workbench>, label: &'a str) -> egui_kittest::Node<'a> {
    h.query_all_by_label(label)
        .last()
        .unwrap_or_else(|| panic!("nothing is labelled {label}"))
}

fn click(h: &mut Harness<'_, Workbench>, label: &str) {
    last(h, label).click();
    h.run();
}

fn type_into(h: &mut Harness<'_, Workbench>, label: &str, text: &str) {
    last(h, label).focus();
    h.run();
    last(h, label).type_text(text);
    h.run();
}

fn state(h: &Harness<'_, Workbench>, requirement: &str) -> tickmark::store::RequirementState {
    h.state().requirement_state(requirement).unwrap().clone()
}

fn errors(h: &Harness<'_, Workbench>) -> Vec<String> {
    h.state()
        .messages()
        .into_iter()
        .filter(|(error, _)| *error)
        .map(|(_, text)| text)
        .collect()
}

#[test]
fn a_second_person_raises_a_note_the_preparer_answers_and_the_reviewer_clears_and_signs() {
    let dir = tempfile::tempdir().unwrap();
    let (db, dana, robin, requirement) = record(dir.path());

    // Dana raises a review note; signing as reviewer waits for it.
    let mut h = harness(&db, dana);
    h.state_mut().select(&requirement);
    h.run();
    assert!(
        !h.get_by_label("Sign as reviewer")
            .accesskit_node()
            .is_disabled(),
        "Dana may review {requirement} before any note is raised"
    );
    type_into(
        &mut h,
        "Raise a review note",
        "Which run does the conclusion rely on?",
    );
    click(&mut h, "Raise review note");
    assert_eq!(errors(&h), Vec::<String>::new());
    let notes = state(&h, &requirement).review_notes;
    assert_eq!(notes.len(), 1);
    let label = notes[0].label();
    assert!(notes[0].is_open());
    h.get_by_label_contains("Review notes (1 open)");
    assert!(
        h.get_by_label("Sign as reviewer")
            .accesskit_node()
            .is_disabled()
    );
    // The tree's filter shows just this requirement.
    click(&mut h, "Review notes");
    assert_eq!(h.state().visible_requirements(), vec![requirement.clone()]);
    drop(h);

    // Robin, the preparer, answers; he cannot clear it, nor review.
    let mut h = harness(&db, robin);
    h.state_mut().select(&requirement);
    h.run();
    assert!(
        h.get_by_label("Sign as reviewer")
            .accesskit_node()
            .is_disabled()
    );
    type_into(
        &mut h,
        &format!("Reply to {label}"),
        "The latest run; the cited files are listed above.",
    );
    click(&mut h, "Answer");
    assert_eq!(errors(&h), Vec::<String>::new());
    let note = &state(&h, &requirement).review_notes[0];
    assert_eq!(note.answers.len(), 1);
    click(&mut h, &format!("Clear {label}"));
    let refused = errors(&h);
    assert!(
        refused.iter().any(|e| e.contains("a reviewer clears")),
        "{refused:?}"
    );
    assert!(state(&h, &requirement).review_notes[0].is_open());
    drop(h);

    // Dana clears it and signs as reviewer.
    let mut h = harness(&db, dana);
    h.state_mut().select(&requirement);
    h.run();
    click(&mut h, &format!("Clear {label}"));
    assert_eq!(errors(&h), Vec::<String>::new());
    assert!(!state(&h, &requirement).review_notes[0].is_open());
    click(&mut h, "Sign as reviewer");
    assert_eq!(errors(&h), Vec::<String>::new());
    let s = state(&h, &requirement);
    assert_eq!(s.reviewer_state, SignOffState::Current);
    assert_eq!(
        s.reviewer_sign_off().unwrap().signer.name.as_deref(),
        Some("Dana Reviewer")
    );
    h.get_by_label("Reviewed");
    drop(h);
    assert!(Store::open(&db).unwrap().verify().unwrap().is_intact());
}

#[test]
fn the_dashboard_card_counts_open_review_notes_and_opens_them() {
    let dir = tempfile::tempdir().unwrap();
    let (db, dana, _, requirement) = record(dir.path());
    let mut store = Store::open(&db).unwrap();
    let assessment = store
        .assessments()
        .unwrap()
        .into_iter()
        .find(|a| a.name == sample::ASSESSMENT_NAME)
        .unwrap();
    let catalog = tickmark::catalog::builtin(&assessment.catalog_id).unwrap();
    store
        .raise_review_note(
            &Actor {
                profile: Some(dana),
                os_user: "tester".into(),
            },
            assessment.id,
            catalog,
            &requirement,
            "Please attach the firewall export.",
        )
        .unwrap();
    drop(store);
    let mut h = harness(&db, dana);
    click(&mut h, "Dashboard");
    h.get_by_label("Open review notes: 1").click();
    h.run();
    assert_eq!(h.state().visible_requirements(), vec![requirement.clone()]);
    assert_eq!(h.state().selected(), Some(requirement.as_str()));
}
