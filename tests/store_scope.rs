//! The recorded PCI scope: evaluating an assessment records the effective
//! scope its evidence implies when it changes, history shows each change,
//! `verify` replays it, and the record (what exports render) carries it.

mod common;

use std::path::PathBuf;

use chrono::NaiveDate;
use rusqlite::Connection;
use tickmark::catalog::default_catalog;
use tickmark::checks::Settings;
use tickmark::scope::{ScopeClass, ScopeKind};
use tickmark::store::*;

fn fixture_files(variant: &str) -> Vec<PathBuf> {
    let root = common::project_dir().join("tests/fixtures/cde");
    let mut files: Vec<PathBuf> = ["estate", variant]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn actor() -> Actor {
    Actor {
        profile: None,
        os_user: "tester".into(),
    }
}

#[test]
fn a_scope_change_is_an_event_shown_in_history_and_replayed_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let catalog = default_catalog();
    let assessment = store
        .create_assessment(
            &actor(),
            &NewAssessment {
                name: "Scope".into(),
                cluster: "aks-cde-test".into(),
                period_start: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
                period_end: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
                catalog_id: catalog.id.clone(),
            },
        )
        .unwrap();
    let id = assessment.id;
    // Everything but the scope file first: the labels alone give a scope.
    let (scope_file, rest): (Vec<PathBuf>, Vec<PathBuf>) = fixture_files("corrected")
        .into_iter()
        .partition(|p| p.extension().is_some_and(|e| e == "toml"));
    store
        .import_paths(&actor(), "Scope", None, &rest, &mut |_| {})
        .unwrap();
    store
        .evaluate_and_record(&actor(), id, catalog, &Settings::default())
        .unwrap();
    let first = store.scopes(id).unwrap();
    assert_eq!(first.len(), 1);
    let scope = &first[0].scope;
    assert_eq!(
        scope.class_of(ScopeKind::Namespace, "a0005-i"),
        Some(ScopeClass::InScope)
    );
    assert!(scope.flows.is_empty());
    // Evaluating again records nothing new.
    store
        .evaluate_and_record(&actor(), id, catalog, &Settings::default())
        .unwrap();
    assert_eq!(store.scopes(id).unwrap().len(), 1);
    // The scope file moves the boundary: a declared VNet and a flow.
    store
        .import_paths(&actor(), "Scope", None, &scope_file, &mut |_| {})
        .unwrap();
    store
        .evaluate_and_record(&actor(), id, catalog, &Settings::default())
        .unwrap();
    let scopes = store.scopes(id).unwrap();
    assert_eq!(scopes.len(), 2);
    assert_eq!(scopes[1].scope.flows.len(), 1);
    assert!(
        scopes[1]
            .scope
            .entry(ScopeKind::Vnet, "vnet-spoke-test")
            .unwrap()
            .grounds[0]
            .declared
    );

    let history: Vec<String> = store
        .events(Some(id))
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "scope.recorded")
        .map(|e| e.summary)
        .collect();
    assert_eq!(history.len(), 2);
    assert!(
        history[0].starts_with("Scope recorded: In scope (CDE): namespace a0005-i, node pool npinscope01, subnet snet-inscope"),
        "{}",
        history[0]
    );
    assert!(
        history[0].ends_with("0 declared in a scope file; 0 declared flow(s) across the boundary")
    );
    assert!(
        history[1].contains("VNet vnet-spoke-test")
            && history[1]
                .ends_with("1 declared in a scope file; 1 declared flow(s) across the boundary"),
        "{}",
        history[1]
    );

    let record = store.record(id).unwrap();
    assert_eq!(record.scopes, scopes);
    assert!(store.verify().unwrap().is_intact());

    // A recorded scope cannot be edited in place, and one edited around the
    // guards is found by verify.
    drop(store);
    let conn = Connection::open(&db).unwrap();
    let refused = conn.execute("UPDATE scopes SET scope = '{}'", []);
    assert!(refused.is_err());
    conn.execute_batch(
        "DROP TRIGGER scopes_no_update; UPDATE scopes SET scope = '{\"entries\":[]}' WHERE seq = (SELECT max(seq) FROM scopes);",
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&db).unwrap();
    let report = store.verify().unwrap();
    assert!(!report.is_intact());
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.to_string().contains("scopes")),
        "{:?}",
        report.problems
    );
}
