//! `tickmark import` and `tickmark verify` as a user runs them: the real
//! binary, no display, a temporary review record.

mod store_fixture;

use store_fixture::{aks_json, nsg_json, text, tickmark, write};

#[test]
fn import_then_verify_then_tamper_then_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("record.sqlite3");
    let evidence = dir.path().join("evidence");
    std::fs::create_dir_all(&evidence).unwrap();
    write(&evidence, "aks.json", &aks_json("cli"));
    write(&evidence, "nsg.json", &nsg_json("cli"));

    let out = tickmark(
        &db,
        &["import", "--assessment", "Q1", evidence.to_str().unwrap()],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("azure-aks") && stdout.contains("azure-nsg"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 file(s) imported or already present, 0 unusable"),
        "{stdout}"
    );

    let out = tickmark(&db, &["verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("Intact"));

    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE evidence_files SET tool_version = '9.9' WHERE path LIKE '%nsg.json'",
        [],
    )
    .unwrap();
    drop(conn);
    let out = tickmark(&db, &["verify"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("TAMPERED: evidence_files row (id=")
            && stdout.contains("column `tool_version` is \"9.9\" in the file"),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("does not match its history"));
}

#[test]
fn unusable_files_exit_2_and_the_good_ones_still_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("record.sqlite3");
    let good = write(dir.path(), "nsg.json", &nsg_json("x"));
    let bad = write(dir.path(), "bad.json", "{\n  \"value\": [\n    {\"a\": ");
    let out = tickmark(
        &db,
        &[
            "import",
            "--assessment",
            "Q1",
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("bad.json (as JSON) at line 3"), "{stderr}");
    let store = tickmark::store::Store::open_existing(&db).unwrap();
    let q1 = store.assessment("Q1").unwrap().unwrap();
    assert_eq!(store.evidence_files(q1.id).unwrap().len(), 1);
}

#[test]
fn verify_without_a_record_or_with_a_bundle_is_unusable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.sqlite3");
    let out = tickmark(&db, &["verify"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("there is no review record here"));
    assert!(!db.exists());
    let out = tickmark(&db, &["verify", "--bundle", "x.zip"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("x.zip: no such file or directory"),
        "{}",
        text(&out.stderr)
    );
}
