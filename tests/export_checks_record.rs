//! An export renders only what `tickmark verify` accepts (issue 19, finding
//! 1): a `reviews` row edited behind Tickmark's back used to go out as In
//! Place in a bundle that `verify --bundle` called intact, while the event
//! log inside the bundle's own record said Not in Place.

mod export_fixture;

use std::process::Command;
use std::sync::atomic::AtomicBool;

use export_fixture::{NAME, export, reviewed};
use rusqlite::Connection;
use tickmark::export::bundle::verify_bundle;
use tickmark::export::{ExportError, ExportFormat};
use tickmark::store::Store;

fn sql(db: &std::path::Path, sql: &str) {
    Connection::open(db)
        .unwrap()
        .execute_batch(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn try_export(
    store: &Store,
    assessment: i64,
    format: ExportFormat,
    out: &std::path::Path,
) -> Result<(), ExportError> {
    tickmark::export::export(
        store,
        tickmark::catalog::pci_dss_321(),
        assessment,
        format,
        out,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .map(|_| ())
}

#[test]
fn an_edited_review_is_refused_by_every_format_and_the_cli_names_the_row() {
    let f = reviewed();
    let (db, id) = (f.db.clone(), f.assessment.id);
    // 1.2.1 was concluded Not in Place; the edit says In Place.
    let before: String = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT finding FROM reviews WHERE requirement = '1.2.1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(before, "not_in_place");
    sql(
        &db,
        "UPDATE reviews SET finding = 'in_place' WHERE requirement = '1.2.1'",
    );
    let store = Store::open_existing(&db).unwrap();
    for format in ExportFormat::ALL {
        let out = f.out(&format!("forged.{}", format.extension()));
        let err = try_export(&store, id, *format, &out).unwrap_err();
        let ExportError::Tampered { first, .. } = &err else {
            panic!("{format:?}: {err}");
        };
        assert!(
            first.location.starts_with("reviews row (assessment=")
                && first.location.contains("requirement=\"1.2.1\""),
            "{first}"
        );
        assert!(first.message.contains("finding"), "{first}");
        assert!(!out.exists(), "{format:?} left a file behind");
    }
    // The command line refuses with the same finding, exit 2, nothing written.
    let out = f.out("cli.zip");
    let output = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .arg("--db")
        .arg(&db)
        .args([
            "export",
            "--assessment",
            NAME,
            "--format",
            "bundle",
            "--out",
        ])
        .arg(&out)
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("does not match its own history")
            && stderr.contains("requirement=\"1.2.1\"")
            && stderr.contains("tickmark verify"),
        "{stderr}"
    );
    assert!(!out.exists());
    // Undone, the record exports again and the bundle verifies.
    sql(
        &db,
        "UPDATE reviews SET finding = 'not_in_place' WHERE requirement = '1.2.1'",
    );
    let bundle = f.out("honest.zip");
    try_export(&store, id, ExportFormat::Bundle, &bundle).unwrap();
    assert!(verify_bundle(&bundle).unwrap().is_intact());
}

#[test]
fn an_edited_event_of_another_assessment_still_stops_the_export() {
    // The chain of the whole log is checked: the exported assessment's
    // events are only as good as the chain they hang in.
    let f = reviewed();
    let (db, id) = (f.db.clone(), f.assessment.id);
    sql(
        &db,
        "DROP TRIGGER events_no_update; UPDATE events SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 1",
    );
    let store = Store::open_existing(&db).unwrap();
    let err = try_export(&store, id, ExportFormat::Csv, &f.out("x.csv")).unwrap_err();
    assert!(
        matches!(&err, ExportError::Tampered { first, .. } if first.location == "event #1"),
        "{err}"
    );
}

#[test]
fn rows_of_another_assessment_do_not_block_this_one() {
    let mut f = reviewed();
    let other = f
        .store
        .create_assessment(
            &tickmark::store::Actor {
                profile: None,
                os_user: "tester".into(),
            },
            &tickmark::store::NewAssessment {
                name: "Other".into(),
                cluster: "aks-other".into(),
                period_start: f.assessment.period_start,
                period_end: f.assessment.period_end,
                catalog_id: f.assessment.catalog_id.clone(),
            },
        )
        .unwrap();
    sql(
        &f.db,
        &format!(
            "UPDATE assessments SET cluster = 'forged' WHERE id = {}",
            other.id
        ),
    );
    // This assessment's export is what its own rows and the chain say.
    let path = f.out("ok.csv");
    export(&f, ExportFormat::Csv, &path);
    assert!(path.exists());
    // The edited one is refused, naming its row.
    let err = try_export(&f.store, other.id, ExportFormat::Json, &f.out("other.json")).unwrap_err();
    assert!(err.to_string().contains("assessments row (id="), "{err}");
}
