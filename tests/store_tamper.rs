//! Tamper detection: each test edits one kind of row of a populated review
//! record with plain SQLite (dropping the guard triggers first where they
//! would refuse), then checks that `verify` names that row or event first.

mod store_fixture;

use rusqlite::Connection;
use store_fixture::*;
use tickmark::store::*;

/// A populated record, closed, with the IDs the tests need.
struct Record {
    fixture: Fixture,
    assessment: i64,
    attachment: i64,
    sign_off: i64,
    approval: i64,
    run: i64,
    aks_file: i64,
    aks_sha: String,
    attachment_sha: String,
    last_event: i64,
}

fn record() -> Record {
    let f = Fixture::populated();
    let id = f.assessment.id;
    let attachment = f.store.attachments(id, "1.1.2").unwrap()[0].clone();
    let sign_off = f.store.sign_offs(id, "1.2.1").unwrap()[0].id;
    let approval = f.store.approval_state(id).unwrap().current.unwrap().id;
    let run = f.store.latest_run(id).unwrap().unwrap().id;
    let aks = f
        .store
        .evidence_files(id)
        .unwrap()
        .into_iter()
        .find(|e| e.provenance.path.ends_with("aks.json"))
        .unwrap();
    let last_event = f.store.chain_head().unwrap().unwrap().seq;
    assert!(f.store.verify().unwrap().is_intact());
    Record {
        assessment: id,
        attachment: attachment.id,
        sign_off,
        approval,
        run,
        aks_file: aks.id,
        aks_sha: aks.provenance.sha256,
        attachment_sha: attachment.sha256,
        last_event,
        fixture: f,
    }
}

impl Record {
    /// Runs `sql` on the closed file with a plain connection, reopens it and
    /// verifies.
    fn tamper(self, sql: &str) -> VerifyReport {
        let db = self.fixture.db.clone();
        drop(self.fixture.store);
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        drop(conn);
        let report = Store::open_existing(&db).unwrap().verify().unwrap();
        assert!(!report.is_intact(), "{sql}: not detected");
        report
    }
}

/// Asserts that the first problem is at `location` and says `says`.
fn assert_first(report: &VerifyReport, location: &str, says: &str) {
    let first = report.first_problem().unwrap();
    assert_eq!(first.location, location, "{:#?}", report.problems);
    assert!(
        first.message.contains(says),
        "expected {says:?} in {first}\n{:#?}",
        report.problems
    );
}

fn review_row(r: &Record, requirement: &str) -> String {
    format!(
        "reviews row (assessment={}, requirement=\"{requirement}\")",
        r.assessment
    )
}

#[test]
fn an_edited_review_note_is_named() {
    let r = record();
    let row = review_row(&r, "1.2.1");
    let report =
        r.tamper("UPDATE reviews SET note = 'Everything fine.' WHERE requirement = '1.2.1'");
    assert_first(
        &report,
        &row,
        "column `note` is \"Everything fine.\" in the file",
    );
    assert!(
        report
            .first_problem()
            .unwrap()
            .message
            .contains("\"Checked 1.2.1.\"")
    );
}

#[test]
fn an_edited_finding_is_named() {
    let r = record();
    let row = review_row(&r, "2.1");
    let report =
        r.tamper("UPDATE reviews SET finding = 'not_applicable' WHERE requirement = '2.1'");
    assert_first(&report, &row, "column `finding`");
}

#[test]
fn an_edited_method_or_worksheet_is_named() {
    let r = record();
    let row = review_row(&r, "2.1");
    let report = r.tamper("UPDATE reviews SET method = 'compensating' WHERE requirement = '2.1'");
    assert_first(&report, &row, "column `method`");
    let r = record();
    let report = r.tamper(
        "UPDATE reviews SET compensating = '{\"constraints\":\"forged\"}' WHERE requirement = '2.1'",
    );
    assert_first(&report, &row, "column `compensating`");
}

#[test]
fn a_deleted_review_is_named() {
    let r = record();
    let row = review_row(&r, "2.2");
    let report =
        r.tamper("DROP TRIGGER reviews_no_delete; DELETE FROM reviews WHERE requirement = '2.2'");
    assert_first(&report, &row, "missing");
}

#[test]
fn an_inserted_review_is_named() {
    let r = record();
    let sql = format!(
        "INSERT INTO reviews (assessment, requirement, finding, note, reviewer, os_user, reviewed_at, seq)
         VALUES ({}, '9.9', 'in_place', 'forged', 1, 'mallory', '2026-01-01T00:00:00Z', 99)",
        r.assessment
    );
    let row = review_row(&r, "9.9");
    let report = r.tamper(&sql);
    assert_first(&report, &row, "no event wrote this row");
}

#[test]
fn an_edited_attachment_row_is_named() {
    let r = record();
    let sql = format!(
        "UPDATE attachments SET file_name = 'other.png' WHERE id = {}",
        r.attachment
    );
    let row = format!("attachments row (id={})", r.attachment);
    let report = r.tamper(&sql);
    assert_first(&report, &row, "column `file_name`");
}

#[test]
fn a_deleted_attachment_is_named() {
    let r = record();
    let sql = format!(
        "DROP TRIGGER attachments_no_delete; DELETE FROM attachments WHERE id = {}",
        r.attachment
    );
    let row = format!("attachments row (id={})", r.attachment);
    let report = r.tamper(&sql);
    assert_first(&report, &row, "missing");
}

#[test]
fn changed_attachment_bytes_are_named() {
    let r = record();
    let sql = format!(
        "DROP TRIGGER blobs_no_update; UPDATE blobs SET bytes = X'89504E470D0A1A0A00' WHERE sha256 = '{}'",
        r.attachment_sha
    );
    let location = format!("blob {}…", &r.attachment_sha[..12]);
    let used_by = format!("attachment #{} (diagram.png)", r.attachment);
    let report = r.tamper(&sql);
    assert_first(
        &report,
        &location,
        "the file was changed after it was stored",
    );
    assert!(report.first_problem().unwrap().message.contains(&used_by));
}

#[test]
fn changed_evidence_bytes_are_named() {
    let r = record();
    let sql = format!(
        "DROP TRIGGER blobs_no_update; UPDATE blobs SET bytes = CAST('{{}}' AS BLOB), size = 2 WHERE sha256 = '{}'",
        r.aks_sha
    );
    let location = format!("blob {}…", &r.aks_sha[..12]);
    let used_by = format!("evidence file #{}", r.aks_file);
    let report = r.tamper(&sql);
    assert_first(&report, &location, &used_by);
}

#[test]
fn deleted_evidence_bytes_are_named() {
    let r = record();
    let sql = format!(
        "PRAGMA foreign_keys = OFF; DROP TRIGGER blobs_no_delete; DELETE FROM blobs WHERE sha256 = '{}'",
        r.aks_sha
    );
    let location = format!("blob {}…", &r.aks_sha[..12]);
    let report = r.tamper(&sql);
    assert_first(&report, &location, "missing");
}

#[test]
fn an_inserted_blob_is_named() {
    let r = record();
    let report = r.tamper(&format!(
        "INSERT INTO blobs (sha256, size, bytes) VALUES ('{}', 1, X'00')",
        tickmark::evidence::sha256_hex(b"\x00")
    ));
    assert!(
        report
            .first_problem()
            .unwrap()
            .location
            .starts_with("blob ")
    );
    assert!(
        report
            .first_problem()
            .unwrap()
            .message
            .contains("no event refers to it")
    );
}

#[test]
fn an_edited_evidence_file_row_is_named() {
    let r = record();
    let sql = format!(
        "UPDATE evidence_files SET path = 'evidence/other.json' WHERE id = {}",
        r.aks_file
    );
    let row = format!("evidence_files row (id={})", r.aks_file);
    let report = r.tamper(&sql);
    assert_first(&report, &row, "column `path`");
}

#[test]
fn a_deleted_evidence_file_row_is_named() {
    let r = record();
    let sql = format!(
        "DROP TRIGGER evidence_files_no_delete; DELETE FROM evidence_files WHERE id = {}",
        r.aks_file
    );
    let row = format!("evidence_files row (id={})", r.aks_file);
    let report = r.tamper(&sql);
    // The bytes are now used by nothing the file says, but the events still
    // need them: the first problem is the missing row.
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.location == row && p.message.contains("missing")),
        "{:#?}",
        report.problems
    );
}

#[test]
fn an_edited_sign_off_is_named() {
    let r = record();
    let sql = format!(
        "UPDATE sign_offs SET statement = 'I did not check anything.' WHERE id = {}",
        r.sign_off
    );
    let row = format!("sign_offs row (id={})", r.sign_off);
    let report = r.tamper(&sql);
    assert_first(&report, &row, "column `statement`");
}

#[test]
fn a_sign_off_rebound_to_other_content_is_named() {
    let r = record();
    let sql = format!(
        "UPDATE sign_offs SET binding_hash = '{}' WHERE id = {}",
        "1".repeat(64),
        r.sign_off
    );
    let row = format!("sign_offs row (id={})", r.sign_off);
    let report = r.tamper(&sql);
    assert_first(&report, &row, "column `binding_hash`");
}

#[test]
fn a_deleted_sign_off_is_named() {
    let r = record();
    let sql = format!(
        "DROP TRIGGER sign_offs_no_delete; DELETE FROM sign_offs WHERE id = {}",
        r.sign_off
    );
    let row = format!("sign_offs row (id={})", r.sign_off);
    let report = r.tamper(&sql);
    assert_first(&report, &row, "missing");
}

#[test]
fn an_inserted_sign_off_is_named() {
    let r = record();
    let sql = format!(
        "INSERT INTO sign_offs (id, assessment, requirement, profile, role, os_user, signed_at, statement, run, binding, binding_hash)
         SELECT 1000, assessment, '2.1', profile, role, 'mallory', signed_at, 'forged', run, binding, binding_hash
         FROM sign_offs WHERE id = {}",
        r.sign_off
    );
    let report = r.tamper(&sql);
    assert_first(
        &report,
        "sign_offs row (id=1000)",
        "no event wrote this row",
    );
}

#[test]
fn an_edited_approval_is_named() {
    let r = record();
    let sql = format!(
        "UPDATE approvals SET decision = 'approved', justification = 'added later' WHERE id = {}",
        r.approval
    );
    let row = format!("approvals row (id={})", r.approval);
    let report = r.tamper(&sql);
    assert_first(&report, &row, "column `justification`");
}

#[test]
fn a_sign_off_made_to_read_as_signed_by_someone_else_is_named() {
    let r = record();
    let sql = format!(
        "UPDATE sign_offs SET profile = (SELECT id FROM profiles WHERE id <> sign_offs.profile LIMIT 1)
         WHERE id = {}",
        r.sign_off
    );
    let row = format!("sign_offs row (id={})", r.sign_off);
    let report = r.tamper(&sql);
    assert_first(&report, &row, "column `profile`");
}

#[test]
fn an_approval_made_to_read_as_decided_by_someone_else_is_named() {
    let r = record();
    let sql = format!(
        "UPDATE approvals SET profile = (SELECT id FROM profiles WHERE id <> approvals.profile LIMIT 1)
         WHERE id = {}",
        r.approval
    );
    let row = format!("approvals row (id={})", r.approval);
    let report = r.tamper(&sql);
    assert_first(&report, &row, "column `profile`");
}

#[test]
fn a_review_with_a_cleared_reviewer_is_named() {
    let r = record();
    let row = review_row(&r, "1.3.1");
    let report = r.tamper("UPDATE reviews SET reviewer = NULL WHERE requirement = '1.3.1'");
    assert_first(&report, &row, "column `reviewer` is NULL in the file");
}

#[test]
fn edited_check_results_verdicts_and_runs_are_named() {
    let r = record();
    let run = r.run;
    let report = r.tamper(&format!(
        "UPDATE check_results SET status = 'pass', result = replace(result, '\"not_evaluated\"', '\"pass\"') WHERE run = {run} AND idx = 2"
    ));
    assert_first(
        &report,
        &format!("check_results row (run={run}, idx=2)"),
        "column `status`",
    );

    let r = record();
    let report = r.tamper(&format!(
        "UPDATE verdicts SET status = 'pass' WHERE run = {run} AND requirement = '2.1'"
    ));
    assert_first(
        &report,
        &format!("verdicts row (run={run}, position=3)"),
        "column `status`",
    );

    let r = record();
    let report = r.tamper(&format!(
        "UPDATE runs SET settings = '{{}}' WHERE id = {run}"
    ));
    assert_first(
        &report,
        &format!("runs row (id={run})"),
        "column `settings`",
    );
}

#[test]
fn edited_profiles_and_assessments_are_named() {
    let r = record();
    let report = r.tamper("UPDATE profiles SET role = 'security_lead' WHERE name = 'Ana Auditor'");
    assert_first(&report, "profiles row (id=1)", "column `role`");

    let r = record();
    let id = r.assessment;
    let report = r.tamper("UPDATE assessments SET cluster = 'some-other-cluster'");
    assert_first(
        &report,
        &format!("assessments row (id={id})"),
        "column `cluster`",
    );
}

#[test]
fn an_edited_event_is_named_by_its_hash() {
    let r = record();
    let report = r.tamper(
        "DROP TRIGGER events_no_update;
         UPDATE events SET payload = replace(payload, 'Checked 2.1.', 'Checked nothing.') WHERE kind = 'review.recorded' AND payload LIKE '%Checked 2.1.%'",
    );
    let first = report.first_problem().unwrap();
    assert!(first.location.starts_with("event #"), "{first}");
    assert!(
        first
            .message
            .contains("its hash does not match its content (review.recorded"),
        "{first}"
    );
}

#[test]
fn a_rehashed_event_breaks_the_link_of_the_next() {
    // Editing an event and recomputing its own hash is not enough: the next
    // event still names the old hash.
    let r = record();
    let db = r.fixture.db.clone();
    drop(r.fixture.store);
    let conn = Connection::open(&db).unwrap();
    let seq: i64 = conn
        .query_row(
            "SELECT seq FROM events WHERE kind = 'review.recorded' ORDER BY seq LIMIT 1",
            [],
            |row| row.get(0),
        )
        .unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER events_no_update; UPDATE events SET hash = '{}' WHERE seq = {seq}",
        "2".repeat(64)
    ))
    .unwrap();
    drop(conn);
    let report = Store::open_existing(&db).unwrap().verify().unwrap();
    let locations: Vec<&str> = report
        .problems
        .iter()
        .map(|p| p.location.as_str())
        .collect();
    assert_eq!(
        report.first_problem().unwrap().location,
        format!("event #{seq}")
    );
    assert!(
        locations.contains(&format!("event #{}", seq + 1).as_str()),
        "{locations:?}"
    );
    assert!(
        report.problems[1]
            .message
            .contains("link to the previous event is broken"),
        "{:#?}",
        report.problems
    );
}

#[test]
fn a_deleted_event_in_the_middle_is_named() {
    let r = record();
    let report = r.tamper("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 7");
    assert_first(&report, "event #7", "missing: the log jumps from #6 to #8");
}

#[test]
fn a_deleted_last_event_leaves_a_row_without_an_event() {
    let r = record();
    let (last, approval) = (r.last_event, r.approval);
    assert_eq!(last, approval, "the approval is the last event");
    let report = r.tamper(&format!(
        "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = {last}"
    ));
    assert_first(
        &report,
        &format!("approvals row (id={approval})"),
        "no event wrote this row",
    );
}

#[test]
fn an_inserted_event_is_named() {
    let r = record();
    let next = r.last_event + 1;
    let sql = format!(
        "INSERT INTO events (seq, at, actor_profile, actor_os_user, kind, assessment, payload, prev_hash, hash)
         SELECT {next}, at, actor_profile, 'mallory', kind, assessment, payload, hash, '{}' FROM events WHERE seq = {}",
        "3".repeat(64),
        r.last_event
    );
    let report = r.tamper(&sql);
    assert_first(
        &report,
        &format!("event #{next}"),
        "its hash does not match its content",
    );
}

#[test]
fn dropped_guards_are_named_even_without_other_edits() {
    let r = record();
    let report = r.tamper("DROP TRIGGER events_no_update");
    assert_first(&report, "schema", "missing: trigger events_no_update");
    let r = record();
    let report = r.tamper("CREATE TABLE notes (x)");
    assert_first(&report, "schema", "not created by Tickmark: table notes");
}

#[test]
fn an_event_column_of_the_wrong_type_is_named() {
    // Text where the actor's profile ID belongs: the event is named, and the
    // events after it are still checked.
    let r = record();
    let report = r.tamper(
        "DROP TRIGGER events_no_update; UPDATE events SET actor_profile = 'mallory' WHERE seq = 5",
    );
    assert_first(&report, "event #5", "wrong type");
    assert!(
        !report.problems.iter().any(|p| p.location == "table events"),
        "{:#?}",
        report.problems
    );
    // The same text stored as bytes.
    let r = record();
    let report = r.tamper(
        "DROP TRIGGER events_no_update; UPDATE events SET payload = CAST(payload AS BLOB) WHERE seq = 6",
    );
    assert_first(&report, "event #6", "wrong type");
}

#[test]
fn a_stored_file_without_a_key_is_named() {
    let r = record();
    let report = r.tamper("INSERT INTO blobs (sha256, size, bytes) VALUES (NULL, 1, X'00')");
    assert_first(&report, "blob NULL", "not what Tickmark stores");
}

#[test]
fn an_edited_migration_log_is_named() {
    let r = record();
    let report = r.tamper("DELETE FROM schema_migrations WHERE version = 2");
    assert_first(&report, "table schema_migrations", "lists the steps 1");
    let r = record();
    let report = r.tamper("UPDATE schema_migrations SET name = 'nothing to see'");
    assert_first(&report, "table schema_migrations", "nothing to see");
}

/// A record of the sample's Azure exports imported and evaluated by the
/// real binary, with the keys of its stored result lists in key order.
struct Evaluated {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    keys: Vec<String>,
}

fn evaluated() -> Evaluated {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("record.sqlite3");
    let azure = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/azure");
    let out = tickmark(&db, &["import", "--assessment", "Q1", azure]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let conn = Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare("SELECT sha256 FROM result_lists ORDER BY sha256")
        .unwrap();
    let keys = stmt
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<String>>>()
        .unwrap();
    assert!(keys.len() >= 2, "the run stores result lists: {keys:?}");
    drop(stmt);
    drop(conn);
    Evaluated {
        _dir: dir,
        db,
        keys,
    }
}

impl Evaluated {
    fn tamper(&self, sql: &str) -> VerifyReport {
        Connection::open(&self.db)
            .unwrap()
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let report = Store::open_existing(&self.db).unwrap().verify().unwrap();
        assert!(!report.is_intact(), "{sql}: not detected");
        report
    }
}

#[test]
fn a_result_list_swapped_for_another_is_named() {
    let r = evaluated();
    let (changed, other) = (&r.keys[0], &r.keys[1]);
    let report = r.tamper(&format!(
        "DROP TRIGGER result_lists_no_update;
         UPDATE result_lists SET bytes = (SELECT bytes FROM result_lists WHERE sha256 = '{other}')
         WHERE sha256 = '{changed}'"
    ));
    assert_first(
        &report,
        &format!("result list {}…", &changed[..12]),
        "the list was changed after it was stored (used by result ",
    );
}

#[test]
fn result_list_bytes_that_do_not_decompress_are_named() {
    let r = evaluated();
    let key = &r.keys[0];
    let report = r.tamper(&format!(
        "DROP TRIGGER result_lists_no_update;
         UPDATE result_lists SET bytes = X'00010203' WHERE sha256 = '{key}'"
    ));
    assert_first(
        &report,
        &format!("result list {}…", &key[..12]),
        "does not decompress",
    );
}

#[test]
fn a_deleted_result_list_is_named() {
    let r = evaluated();
    let key = &r.keys[0];
    let report = r.tamper(&format!(
        "DROP TRIGGER result_lists_no_delete; DELETE FROM result_lists WHERE sha256 = '{key}'"
    ));
    assert_first(
        &report,
        &format!("result list {}…", &key[..12]),
        "missing: the resources of result ",
    );
}
