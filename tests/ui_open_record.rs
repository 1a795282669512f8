//! Opening another review record from the app: a file (and back again, with
//! the assessment it had open), a file that is not a record (refused in the
//! dialog, the open record kept), and a team's record on a real PostgreSQL
//! that asks for a password (asked for in the dialog, a wrong one refused,
//! never remembered).
#![cfg(feature = "gui")]

mod pg_support;
mod ui_support;

use std::path::Path;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tickmark::checks::Settings;
use tickmark::store::{Actor, NewAssessment, Store};
use tickmark::ui::{Phase, Prefs, Workbench, WorkbenchOptions, WorkerMode};
use ui_support::{click, harness_sized, type_into};

fn record_with(path: &Path, assessment: &str) {
    let mut store = Store::open(path).unwrap();
    store
        .create_assessment(
            &Actor::os_user_only(),
            &NewAssessment {
                name: assessment.into(),
                cluster: "aks-test".into(),
                period_start: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                period_end: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                catalog_id: tickmark::catalog::default_catalog().id.clone(),
            },
        )
        .unwrap();
}

/// Two records in `dir`, with assessments "Alpha 2026" and "Beta 2026".
fn alpha_and_beta(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (alpha, beta) = (dir.join("alpha.sqlite3"), dir.join("beta.sqlite3"));
    record_with(&alpha, "Alpha 2026");
    record_with(&beta, "Beta 2026");
    (alpha, beta)
}

fn workbench_on(db: &Path) -> Harness<'static, Workbench> {
    harness_sized(
        Workbench::new(WorkbenchOptions {
            db_path: db.to_owned(),
            settings: Settings::default(),
            mode: WorkerMode::Inline,
            prefs: Prefs::default(),
            seed_sample_when_empty: false,
        }),
        [1400.0, 900.0],
    )
}

fn open_dialog(h: &mut Harness<'_, Workbench>) {
    let menu = format!(
        "Assessment: {}",
        h.state()
            .assessment()
            .map_or("No assessment", |a| a.name.as_str())
    );
    click(h, &menu);
    click(h, "Open another record…");
}

fn open_typed(h: &mut Harness<'_, Workbench>, target: &str) {
    open_dialog(h);
    type_into(h, "File or server", target);
    let button = if target.starts_with("postgresql://") || Path::new(target).exists() {
        "Open"
    } else {
        "Create and open"
    };
    click(h, button);
    settle(h);
}

/// Runs frames until the worker is idle (inline, so a few suffice).
fn settle(h: &mut Harness<'_, Workbench>) {
    for _ in 0..5 {
        h.run();
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn assessment_name(h: &Harness<'_, Workbench>) -> Option<String> {
    h.state().assessment().map(|a| a.name.clone())
}

fn dialog_says(h: &Harness<'_, Workbench>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn another_record_file_opens_and_the_first_comes_back_with_its_assessment() {
    let dir = tempfile::tempdir().unwrap();
    let (alpha, beta) = alpha_and_beta(dir.path());
    let mut h = workbench_on(&alpha);
    assert_eq!(assessment_name(&h).as_deref(), Some("Alpha 2026"));

    open_typed(&mut h, &beta.display().to_string());
    assert_eq!(h.state().record_label(), beta.display().to_string());
    assert_eq!(assessment_name(&h).as_deref(), Some("Beta 2026"));
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|(_, text)| text.starts_with("Opened the review record")),
        "{:?}",
        h.state().messages()
    );

    // The first record is offered again, and comes back as it was left.
    open_dialog(&mut h);
    assert!(dialog_says(&h, "Opened before"));
    click(&mut h, &alpha.display().to_string());
    settle(&mut h);
    assert_eq!(h.state().record_label(), alpha.display().to_string());
    assert_eq!(assessment_name(&h).as_deref(), Some("Alpha 2026"));
    let recent: Vec<String> = h
        .state()
        .prefs()
        .recent
        .iter()
        .map(|r| r.db.clone())
        .collect();
    assert_eq!(
        recent,
        [alpha.display().to_string(), beta.display().to_string()]
    );
}

#[test]
fn a_file_that_is_not_a_record_is_refused_in_the_dialog_and_the_open_record_stays() {
    let dir = tempfile::tempdir().unwrap();
    let alpha = dir.path().join("alpha.sqlite3");
    record_with(&alpha, "Alpha 2026");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a database").unwrap();
    let mut h = workbench_on(&alpha);
    open_typed(&mut h, &notes.display().to_string());
    assert!(dialog_says(&h, "not a Tickmark review record"));
    assert_eq!(h.state().record_label(), alpha.display().to_string());
    assert_eq!(assessment_name(&h).as_deref(), Some("Alpha 2026"));
    assert_eq!(std::fs::read(&notes).unwrap(), b"not a database");

    // A new file is created on request: an empty record, no sample in it.
    click(&mut h, "Cancel");
    let fresh = dir.path().join("new").join("fresh.sqlite3");
    open_typed(&mut h, &fresh.display().to_string());
    assert_eq!(h.state().record_label(), fresh.display().to_string());
    assert_eq!(*h.state().phase(), Phase::Ready);
    assert!(h.state().assessments().is_empty());
    assert!(fresh.is_file());
}

#[test]
fn a_server_that_asks_for_a_password_gets_it_in_the_dialog_and_never_keeps_it() {
    let Some(db) = pg_support::database("ui_open_record") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let password = "correct horse battery staple";
    let Some(url) = db.password_login("ui_open_record", "pat", password) else {
        return;
    };
    let user = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('@').next())
        .unwrap()
        .to_owned();
    tickmark::store::init_server(&db.url, &[user], &[]).unwrap();
    // The team's record on the server holds one assessment.
    {
        let team = dir.path().join("team.sqlite3");
        record_with(&team, "Team record 2026");
        Store::open(&team).unwrap().copy_to_server(&db.url).unwrap();
    }
    let alpha = dir.path().join("alpha.sqlite3");
    record_with(&alpha, "Alpha 2026");
    let mut h = workbench_on(&alpha);

    // Asked for, since nothing else gives it (no PGPASSWORD in tests).
    open_typed(&mut h, &url);
    assert!(dialog_says(&h, &format!("Password for {url}")));
    type_into(&mut h, &format!("Password for {url}"), "wrong password");
    click(&mut h, "Open");
    settle(&mut h);
    assert!(dialog_says(&h, "the server refused the password"));
    assert_eq!(h.state().record_label(), alpha.display().to_string());

    type_into(&mut h, &format!("Password for {url}"), password);
    click(&mut h, "Open");
    settle(&mut h);
    assert_eq!(h.state().record_label(), url);
    assert_eq!(assessment_name(&h).as_deref(), Some("Team record 2026"));

    // What the app remembers names the server, never the password.
    let remembered = serde_json::to_string(&h.state().prefs()).unwrap();
    assert!(remembered.contains(&url), "{remembered}");
    assert!(!remembered.contains("horse"), "{remembered}");
    drop(h);

    // Started on the server (as `tickmark --db URL` or the last record
    // does): the password is asked for in the window, not on a terminal.
    tickmark::store::forget_password(&url);
    let mut h = workbench_on(Path::new(&url));
    assert!(matches!(h.state().phase(), Phase::Unusable(_)));
    assert!(dialog_says(&h, &format!("Password for {url}")));
    type_into(&mut h, &format!("Password for {url}"), password);
    click(&mut h, "Open");
    settle(&mut h);
    assert_eq!(*h.state().phase(), Phase::Ready);
    assert_eq!(assessment_name(&h).as_deref(), Some("Team record 2026"));
    drop(h);
    pg_support::remove_local_copy(&url);
}

/// Enter in the "File or server" field opens what was typed, like the
/// Open button.
#[test]
fn enter_in_the_field_opens_the_record_typed() {
    let dir = tempfile::tempdir().unwrap();
    let (alpha, beta) = alpha_and_beta(dir.path());
    let mut h = workbench_on(&alpha);
    open_dialog(&mut h);
    type_into(&mut h, "File or server", &beta.display().to_string());
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    assert_eq!(h.state().record_label(), beta.display().to_string());
    assert_eq!(assessment_name(&h).as_deref(), Some("Beta 2026"));
}
