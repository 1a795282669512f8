//! Who signed: a sign-off, an approval and a review keep the name and
//! e-mail their profile had at the time, through a later rename, in every
//! read and export, and through the upgrade of a record written before
//! they were kept.

mod store_fixture;

use std::sync::atomic::AtomicBool;

use rusqlite::Connection;
use store_fixture::*;
use tickmark::export::{self, ExportFormat, ReportData};
use tickmark::store::*;

const OLD_AUDITOR: (&str, &str) = ("Ana Auditor", "ana@example.com");
const OLD_LEAD: (&str, &str) = ("Lee Lead", "lee@example.com");
const NEW_AUDITOR: (&str, &str) = ("Ana Renamed", "ana.renamed@example.org");
const NEW_LEAD: (&str, &str) = ("Lee Renamed", "lee.renamed@example.org");
const INTERIM_AUDITOR: (&str, &str) = ("Ana Interim", "ana.interim@example.org");

fn rename(f: &mut Fixture, actor: &Actor, (name, email): (&str, &str), role: Role) {
    let id = actor.profile.unwrap();
    f.store
        .update_profile(
            &actor_os_user(),
            id,
            &NewProfile {
                name: name.into(),
                email: email.into(),
                role,
            },
        )
        .unwrap();
}

fn actor_os_user() -> Actor {
    actor(None)
}

/// A populated record whose auditor and lead were renamed after they
/// reviewed, signed off and approved.
fn renamed_after_signing() -> Fixture {
    renamed(Fixture::populated())
}

/// [`renamed_after_signing`] as the previous release could have written
/// it (the lead sent the assessment back rather than approving it).
fn renamed_after_signing_as_released() -> Fixture {
    renamed(Fixture::as_released())
}

fn renamed(mut f: Fixture) -> Fixture {
    let (auditor, lead) = (f.auditor.clone(), f.lead.clone());
    rename(&mut f, &auditor, NEW_AUDITOR, Role::Auditor);
    rename(&mut f, &lead, NEW_LEAD, Role::SecurityLead);
    f
}

fn assert_named(person: &Person, (name, email): (&str, &str)) {
    assert_eq!(person.name.as_deref(), Some(name), "{person:?}");
    assert_eq!(person.email.as_deref(), Some(email), "{person:?}");
}

/// Every read of the populated record's sign-off, approval and reviews
/// names the people as they were before the rename (but for the reviews of
/// `reviewed_again`, made after it).
fn assert_named_as_they_were(store: &Store, assessment: i64, reviewed_again: &[&str]) {
    let sign_off = &store.sign_offs(assessment, "1.2.1").unwrap()[0];
    assert_named(&sign_off.signer, OLD_AUDITOR);
    assert_eq!(sign_off.signer.role, Some(Role::Auditor));
    let state = store.requirement_state(assessment, "1.2.1").unwrap();
    assert_named(&state.sign_offs[0].signer, OLD_AUDITOR);
    assert_named(&state.review.unwrap().reviewer, OLD_AUDITOR);
    for requirement in REQUIREMENTS {
        if !reviewed_again.contains(requirement) {
            let review = store.review(assessment, requirement).unwrap().unwrap();
            assert_named(&review.reviewer, OLD_AUDITOR);
        }
    }
    let approval = store.approval_state(assessment).unwrap().current.unwrap();
    assert_named(&approval.by, OLD_LEAD);
    assert_eq!(approval.by.role, Some(Role::SecurityLead));
    for event in store.events(Some(assessment)).unwrap() {
        if let Some(name) = &event.actor.name {
            assert!(
                [OLD_AUDITOR.0, INTERIM_AUDITOR.0, OLD_LEAD.0, "Rey Reviewer"]
                    .contains(&name.as_str()),
                "event #{} ({}) names {name}",
                event.seq,
                event.kind
            );
        }
    }
    for entry in store.requirement_history(assessment, "1.2.1").unwrap() {
        if let Some(name) = &entry.actor.name {
            let expected = if entry.summary.contains("signed off as reviewer") {
                "Rey Reviewer"
            } else {
                OLD_AUDITOR.0
            };
            assert_eq!(name, expected, "{entry:?}");
        }
    }
    // The profiles themselves read as they are now.
    let names: Vec<String> = store
        .profiles()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .filter(|name| name != "Rey Reviewer")
        .collect();
    assert_eq!(names, [NEW_AUDITOR.0, NEW_LEAD.0]);
}

#[test]
fn a_rename_after_signing_does_not_change_who_signed() {
    let mut f = renamed_after_signing();
    let id = f.assessment.id;
    assert_named_as_they_were(&f.store, id, &[]);
    assert!(f.store.verify().unwrap().is_intact());

    // What is done after the rename carries the new name, beside the old.
    let (auditor, catalog) = (f.auditor.clone(), f.catalog.clone());
    // The populated record signed 1.3.1 off already: a changed review makes
    // that sign-off stale, so it can be signed off again.
    f.store
        .set_review(
            &auditor,
            id,
            &catalog,
            "1.3.1",
            &ReviewInput::defined(Some(Finding::InPlace), "Checked 1.3.1 again."),
        )
        .unwrap();
    f.store
        .sign_off(&auditor, id, &catalog, "1.3.1", "Checked after my rename.")
        .unwrap();
    f.store
        .set_review(
            &auditor,
            id,
            &catalog,
            "2.2",
            &ReviewInput::defined(Some(Finding::InPlace), "Looked again."),
        )
        .unwrap();
    assert_named(
        &signed_with(&f.store, id, "1.3.1", "Checked after my rename.").signer,
        NEW_AUDITOR,
    );
    assert_named(
        &f.store.review(id, "2.2").unwrap().unwrap().reviewer,
        NEW_AUDITOR,
    );
    assert_named(
        &f.store.sign_offs(id, "1.2.1").unwrap()[0].signer,
        OLD_AUDITOR,
    );
    assert_named(
        &f.store.review(id, "2.1").unwrap().unwrap().reviewer,
        OLD_AUDITOR,
    );
    // The history of the rename names the profile as it was before it.
    let events = f.store.events(None).unwrap();
    let renames: Vec<&EventRecord> = events
        .iter()
        .filter(|e| e.kind == "profile.updated")
        .collect();
    assert!(
        renames[0]
            .summary
            .contains(&format!("({}) now reads: {}", OLD_AUDITOR.0, NEW_AUDITOR.0)),
        "{}",
        renames[0].summary
    );
    assert!(f.store.verify().unwrap().is_intact());
}

fn render(f: &Fixture, format: ExportFormat) -> String {
    let data = ReportData::load(
        &f.store,
        &f.catalog,
        f.assessment.id,
        true,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    String::from_utf8(export::render(&data, &f.catalog, format).unwrap()).unwrap()
}

#[test]
fn exports_name_the_signer_as_they_were_when_they_signed() {
    let f = renamed_after_signing();

    let csv_text = render(&f, ExportFormat::Csv);
    // The table after the assessment header and a blank line.
    let (_, table) = csv_text.split_once("\r\n\r\n").unwrap();
    let mut reader = csv::Reader::from_reader(table.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let column = |name: &str| headers.iter().position(|c| c == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = rows.iter().find(|r| &r[0] == "1.2.1").unwrap();
    assert_eq!(&row[column("Preparer")], "Ana Auditor", "{row:?}");
    assert_eq!(
        &row[column("Preparer e-mail")],
        "ana@example.com",
        "{row:?}"
    );
    assert_eq!(&row[column("Recorded by")], "Ana Auditor", "{row:?}");
    assert_eq!(
        &row[column("Recorded by e-mail")],
        "ana@example.com",
        "{row:?}"
    );
    assert!(!csv_text.contains("Renamed"), "{csv_text}");

    let html = render(&f, ExportFormat::Html);
    assert!(html.contains("Ana Auditor"));
    assert!(html.contains("Lee Lead"));
    assert!(
        !html.contains("Renamed"),
        "the HTML report names a new name"
    );

    let json_text = render(&f, ExportFormat::Json);
    let mut json: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    let requirement = json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["requirement"] == "1.2.1")
        .unwrap();
    assert_eq!(requirement["sign_offs"][0]["signer"]["name"], OLD_AUDITOR.0);
    assert_eq!(
        requirement["sign_offs"][0]["signer"]["email"],
        OLD_AUDITOR.1
    );
    assert_eq!(requirement["review"]["reviewer"]["name"], OLD_AUDITOR.0);
    assert_eq!(json["approval"]["current"]["by"]["name"], OLD_LEAD.0);
    assert_eq!(json["approval"]["current"]["by"]["email"], OLD_LEAD.1);
    // Only the list of profiles reads as the profiles are now.
    assert_eq!(json["profiles"][0]["name"], NEW_AUDITOR.0);
    json.as_object_mut().unwrap().remove("profiles");
    assert!(!json.to_string().contains("Renamed"));

    let oscal = render(&f, ExportFormat::Oscal);
    // OSCAL prose is Markdown: the name's angle brackets are escaped (as
    // JSON, each backslash doubled), so they read as text, not a link.
    assert!(
        oscal.contains(r"Signed off by Ana Auditor \\<ana@example.com\\>"),
        "the OSCAL attestation does not name the signer as they were"
    );
}

/// The sign-off of `requirement` made with `statement`.
fn signed_with(store: &Store, assessment: i64, requirement: &str, statement: &str) -> SignOff {
    store
        .sign_offs(assessment, requirement)
        .unwrap()
        .into_iter()
        .find(|s| s.statement == statement)
        .unwrap_or_else(|| panic!("no sign-off of {requirement} says {statement:?}"))
}

/// Renames the auditor between two sign-offs and once more after them.
fn renamed_between_sign_offs() -> Fixture {
    let mut f = Fixture::as_released();
    let (auditor, catalog, id) = (f.auditor.clone(), f.catalog.clone(), f.assessment.id);
    rename(&mut f, &auditor, INTERIM_AUDITOR, Role::Auditor);
    f.store
        .set_review(
            &auditor,
            id,
            &catalog,
            "1.3.1",
            &ReviewInput::defined(Some(Finding::InPlace), "Checked 1.3.1 again."),
        )
        .unwrap();
    f.store
        .sign_off(&auditor, id, &catalog, "1.3.1", "Signed while Interim.")
        .unwrap();
    rename(&mut f, &auditor, NEW_AUDITOR, Role::Auditor);
    let lead = f.lead.clone();
    rename(&mut f, &lead, NEW_LEAD, Role::SecurityLead);
    f
}

#[test]
fn an_older_record_upgrades_with_the_names_as_they_were_when_signed() {
    for version in [1, 2] {
        let f = renamed_between_sign_offs();
        let id = f.assessment.id;
        let before = f.store.record(id).unwrap();
        let db = f.db.clone();
        drop(f.store);
        downgrade(&db, version);
        let store = Store::open_existing(&db).unwrap();
        let report = store.verify().unwrap();
        assert!(report.is_intact(), "v{version}: {:#?}", report.problems);
        assert_named_as_they_were(&store, id, &["1.3.1"]);
        let review = store.review(id, "1.3.1").unwrap().unwrap();
        assert_named(&review.reviewer, INTERIM_AUDITOR);
        assert_named(
            &signed_with(&store, id, "1.3.1", "Signed while Interim.").signer,
            INTERIM_AUDITOR,
        );
        assert_eq!(store.record(id).unwrap(), before, "v{version}");
    }
}

#[test]
fn an_older_record_with_an_unreadable_profile_event_still_opens_and_verify_names_it() {
    let f = renamed_after_signing_as_released();
    let id = f.assessment.id;
    let auditor = f.auditor.profile.unwrap();
    let db = f.db.clone();
    drop(f.store);
    downgrade(&db, 2);
    Connection::open(&db)
        .unwrap()
        .execute_batch(&format!(
            "DROP TRIGGER events_no_update;
             UPDATE events SET payload = 'not json' WHERE seq = {auditor};"
        ))
        .unwrap();
    // The upgrade and the reads do not stop at the broken event.
    let store = Store::open_existing(&db).unwrap();
    let sign_off = &store.sign_offs(id, "1.2.1").unwrap()[0];
    assert_eq!(sign_off.signer.profile, Some(auditor));
    assert!(store.record(id).is_ok());
    let report = store.verify().unwrap();
    let first = report.first_problem().unwrap();
    assert_eq!(first.location, format!("event #{auditor}"), "{first}");
}
