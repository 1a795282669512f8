//! The app on a record shared on a real PostgreSQL (see `pg_support`): a
//! colleague's change shows within two seconds without disturbing the note
//! being typed, and saving that note over the colleague's version is
//! refused with both texts.
#![cfg(feature = "gui")]

mod pg_support;
mod ui_support;

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use tickmark::checks::Settings;
use tickmark::store::{Finding, OpenOptions, ReviewInput, Store};
use tickmark::ui::{Prefs, Workbench, WorkbenchOptions, WorkerMode};
use ui_support::{click, create_profile, harness_sized, type_into};

#[test]
fn a_colleagues_change_shows_within_two_seconds_and_a_note_over_it_is_refused() {
    let Some(db) = pg_support::database("ui_shared") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    // The team's record: the sample, moved onto the server.
    {
        let mut file = Store::open(&work.path().join("sample.sqlite3")).unwrap();
        tickmark::sample::seed(&mut file, &Settings::default()).unwrap();
        tickmark::store::init_server(&db.url, &[]).unwrap();
        file.copy_to_server(&db.url).unwrap();
    }
    let workbench = Workbench::new(WorkbenchOptions {
        db_path: db.url.clone().into(),
        settings: Settings::default(),
        mode: WorkerMode::Inline,
        prefs: Prefs::default(),
        seed_sample_when_empty: false,
    });
    let mut h = harness_sized(workbench, [1500.0, 1400.0]);
    let assessment = h.state().assessment().unwrap().id;
    create_profile(&mut h, "Ann Assessor", tickmark::store::Role::Auditor);
    let requirement = h.state().selected().unwrap().to_owned();
    type_into(&mut h, "Note (Markdown)", "Ann: typed, not saved yet.");
    let typed = h.state().review_as_typed(&requirement).note;
    assert!(typed.contains("Ann: typed, not saved yet."), "{typed}");
    // A colleague records a finding and a note from elsewhere.
    let mut colleague = Store::open_with(
        Path::new(&db.url),
        &OpenOptions {
            replica_dir: Some(work.path().join("ben")),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let ben = colleague
        .create_profile(
            &tickmark::store::Actor::os_user_only(),
            &tickmark::store::NewProfile {
                name: "Ben Reviewer".into(),
                email: "ben@example.com".into(),
                role: tickmark::store::Role::Auditor,
            },
        )
        .unwrap();
    let catalog = tickmark::catalog::default_catalog();
    colleague
        .set_review(
            &tickmark::store::Actor::with_profile(ben.id),
            assessment,
            catalog,
            &requirement,
            &ReviewInput {
                finding: Some(Finding::NotInPlace),
                note: "Ben: the approval record is missing.".into(),
                ..ReviewInput::default()
            },
        )
        .unwrap();
    let written = Instant::now();
    let shown = loop {
        h.run();
        if h.state().review_as_typed(&requirement).finding == Some(Finding::NotInPlace) {
            break written.elapsed();
        }
        assert!(
            written.elapsed() < Duration::from_secs(10),
            "the colleague's finding never showed"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(shown < Duration::from_secs(2), "shown after {shown:?}");
    // The note being typed is as it was.
    assert_eq!(h.state().review_as_typed(&requirement).note, typed);
    // Saving it would overwrite Ben's note: refused, both versions shown
    // side by side, the typed text kept.
    click(&mut h, "Save note");
    let messages = h.state().messages();
    assert!(
        messages.iter().any(|(error, text)| *error
            && text.contains("Not saved")
            && text.contains("changed by Ben Reviewer")),
        "{messages:?}"
    );
    for shown in [
        "Theirs: Ben Reviewer",
        "Ben: the approval record is missing.",
        "Yours (not saved)",
        "Ann: typed, not saved yet.",
    ] {
        assert!(
            h.query_all_by_label_contains(shown).next().is_some(),
            "{shown} is not shown"
        );
    }
    assert_eq!(h.state().review_as_typed(&requirement).note, typed);
    // The local copy this test's app made in the cache directory goes.
    drop(h);
    pg_support::remove_local_copy(&db.url);
}
