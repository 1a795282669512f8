//! The app on a record shared on a real PostgreSQL (see `pg_support`): a
//! colleague's change shows within two seconds without disturbing the note
//! being typed, and saving that note over the colleague's version is
//! refused with both texts.
#![cfg(feature = "gui")]

mod pg_support;
mod ui_support;

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tickmark::checks::Settings;
use tickmark::store::{Actor, Finding, OpenOptions, ReviewInput, Store};
use tickmark::ui::{Prefs, Workbench, WorkbenchOptions, WorkerMode};
use ui_support::{click, create_profile, harness_sized, type_into};

/// The tests here time what the app shows against a two-second limit:
/// they run one at a time, so that neither waits for the other's frames.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn a_colleagues_change_shows_within_two_seconds_and_a_note_over_it_is_refused() {
    let _alone = one_at_a_time();
    let Some(db) = pg_support::database("ui_shared") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    // The team's record: the sample, moved onto the server.
    {
        let mut file = Store::open(&work.path().join("sample.sqlite3")).unwrap();
        tickmark::sample::seed(&mut file, &Settings::default()).unwrap();
        tickmark::store::init_server(&db.url, &[], &[]).unwrap();
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
        h.step();
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

/// The whole of a team's afternoon at once: two app windows (Ann's and
/// Ben's, each with its own local copy) open on one server record while
/// twenty command-line sign-offs by twenty profiles run at the same time.
/// Every sign-off lands, both apps show all twenty within two seconds of the
/// last, the chain verifies, and a note Ann saves over Ben's newer one is
/// refused with both texts side by side.
#[test]
fn two_apps_and_twenty_command_line_sign_offs_at_once() {
    let _alone = one_at_a_time();
    let Some(db) = pg_support::database("ui_shared_team") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let pid = std::process::id();
    let (ann, ben) = (format!("ann_{pid}"), format!("ben_{pid}"));
    db.client()
        .batch_execute(&format!(
            "CREATE ROLE {ann} LOGIN; CREATE ROLE {ben} LOGIN;"
        ))
        .unwrap();
    tickmark::store::init_server(&db.url, &[ann.clone(), ben.clone()], &[]).unwrap();
    // The record: the sample, twenty profiles and twenty concluded
    // requirements not signed off yet, moved onto the server.
    let catalog = tickmark::catalog::default_catalog();
    let (assessment, requirements) = {
        let mut file = Store::open(&work.path().join("team.sqlite3")).unwrap();
        let seeded = tickmark::sample::seed(&mut file, &Settings::default()).unwrap();
        let lead = file
            .create_profile(
                &Actor::os_user_only(),
                &tickmark::store::NewProfile {
                    name: "Setup Assessor".into(),
                    email: "setup@example.com".into(),
                    role: tickmark::store::Role::Auditor,
                },
            )
            .unwrap();
        let requirements: Vec<String> = catalog
            .requirements()
            .filter(|n| n.is_assessed() && n.id.starts_with("12."))
            .map(|n| n.id.clone())
            .take(20)
            .collect();
        assert_eq!(requirements.len(), 20);
        for (n, requirement) in requirements.iter().enumerate() {
            file.create_profile(
                &Actor::os_user_only(),
                &tickmark::store::NewProfile {
                    name: format!("Assessor {}", n + 1),
                    email: format!("a{}@example.com", n + 1),
                    role: tickmark::store::Role::Auditor,
                },
            )
            .unwrap();
            file.set_review(
                &Actor::with_profile(lead.id),
                seeded.assessment.id,
                catalog,
                requirement,
                &ReviewInput {
                    finding: Some(Finding::InPlace),
                    note: format!("Examined the documents for {requirement}."),
                    ..ReviewInput::default()
                },
            )
            .unwrap();
        }
        file.copy_to_server(&db.url).unwrap();
        (seeded.assessment.id, requirements)
    };
    let app = |user: &str| {
        harness_sized(
            Workbench::new(WorkbenchOptions {
                db_path: db.url_as(user).into(),
                settings: Settings::default(),
                mode: WorkerMode::Inline,
                prefs: Prefs::default(),
                seed_sample_when_empty: false,
            }),
            [1500.0, 1400.0],
        )
    };
    let (mut ann_app, mut ben_app) = (app(&ann), app(&ben));
    for h in [&ann_app, &ben_app] {
        assert_eq!(h.state().assessment().map(|a| a.id), Some(assessment));
    }

    // Twenty sign-offs at once, each its own process, profile and
    // requirement, over four local copies; the apps keep drawing meanwhile.
    let children: Vec<_> = requirements
        .iter()
        .enumerate()
        .map(|(n, requirement)| {
            std::process::Command::new(env!("CARGO_BIN_EXE_tickmark"))
                .args(["--db", &db.url, "sign-off", "--assessment"])
                .arg(tickmark::sample::ASSESSMENT_NAME)
                .args(["--requirement", requirement, "--profile"])
                .arg(format!("a{}@example.com", n + 1))
                .env(
                    "TICKMARK_REPLICA_DIR",
                    work.path().join(format!("cli-{}", n % 4)),
                )
                .env_remove("DISPLAY")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut outputs = Vec::new();
    for mut child in children {
        loop {
            ann_app.step();
            ben_app.step();
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        outputs.push(child.wait_with_output().unwrap());
    }
    for out in &outputs {
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let last_landed = Instant::now();
    let signed = |h: &Harness<'_, Workbench>| {
        requirements
            .iter()
            .filter(|r| {
                h.state()
                    .requirement_state(r)
                    .is_some_and(|s| s.sign_off_state == tickmark::store::SignOffState::Current)
            })
            .count()
    };
    let shown = loop {
        ann_app.step();
        ben_app.step();
        if signed(&ann_app) == 20 && signed(&ben_app) == 20 {
            break last_landed.elapsed();
        }
        assert!(
            last_landed.elapsed() < Duration::from_secs(10),
            "Ann's app shows {} of 20 sign-offs, Ben's {}",
            signed(&ann_app),
            signed(&ben_app)
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(shown < Duration::from_secs(2), "shown after {shown:?}");
    eprintln!("both apps showed all twenty sign-offs {shown:?} after the last process ended");

    // The chain holds all twenty and verifies, locally and from the server.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(["--db", &db.url, "verify"])
        .env("TICKMARK_REPLICA_DIR", work.path().join("auditor"))
        .output()
        .unwrap();
    let verified = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{verified}");
    assert!(verified.contains("Intact"), "{verified}");
    assert!(
        verified.contains("Server (a copy rebuilt from it alone): intact"),
        "{verified}"
    );

    // A note Ann types while Ben saves his on the same requirement.
    let requirement = requirements[0].clone();
    create_profile(&mut ann_app, "Ann Assessor", tickmark::store::Role::Auditor);
    create_profile(&mut ben_app, "Ben Reviewer", tickmark::store::Role::Auditor);
    for h in [&mut ann_app, &mut ben_app] {
        h.state_mut().select(&requirement);
        h.run();
    }
    type_into(
        &mut ann_app,
        "Note (Markdown)",
        " Ann adds: policy owner confirmed.",
    );
    type_into(
        &mut ben_app,
        "Note (Markdown)",
        " Ben adds: the policy is out of date.",
    );
    click(&mut ben_app, "Save note");
    let saved = Instant::now();
    loop {
        ann_app.step();
        ben_app.step();
        if ann_app
            .state()
            .requirement_state(&requirement)
            .and_then(|s| s.review.as_ref())
            .is_some_and(|r| r.note.contains("Ben adds"))
        {
            break;
        }
        assert!(
            saved.elapsed() < Duration::from_secs(2),
            "Ben's note did not reach Ann's app within two seconds"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        ann_app
            .state()
            .review_as_typed(&requirement)
            .note
            .contains("Ann adds"),
        "Ann's typing is untouched"
    );
    click(&mut ann_app, "Save note");
    for shown in [
        "Theirs: Ben Reviewer",
        "Ben adds",
        "Yours (not saved)",
        "Ann adds",
    ] {
        assert!(
            ann_app.query_all_by_label_contains(shown).next().is_some(),
            "{shown} is not shown in Ann's app"
        );
    }
    drop((ann_app, ben_app));
    for user in [&ann, &ben] {
        pg_support::remove_local_copy(&db.url_as(user));
    }
}
