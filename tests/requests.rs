//! The evidence request list of the sample assessment: what it asks for,
//! the auditor's tracking as events, and the CSV and XLSX exports (the
//! workbook read back with a spreadsheet library).

mod common;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use tickmark::checks::Settings;
use tickmark::export::requests::{self, RequestFormat};
use tickmark::requests::{EvidenceState, RequestKind, request_list};
use tickmark::store::{Actor, NewProfile, RequestStatus, RequestUpdate, Role, Store};

struct Sample {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    store: Store,
    assessment: i64,
}

fn sample() -> Sample {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let mut store = Store::open(&path.join("record.sqlite3")).unwrap();
    let seeded = tickmark::sample::seed(&mut store, &Settings::default()).unwrap();
    Sample {
        _dir: dir,
        dir: path,
        store,
        assessment: seeded.assessment.id,
    }
}

/// The current sample assessment's catalog, PCI DSS 4.0.1.
fn v4() -> &'static tickmark::catalog::Catalog {
    tickmark::catalog::builtin(tickmark::catalog::PCI_DSS_401_ID).unwrap()
}

fn list(s: &Sample) -> tickmark::requests::RequestList {
    let record = s.store.record(s.assessment).unwrap();
    request_list(tickmark::collect::builtin(), v4(), &record)
}

#[test]
fn the_sample_asks_for_every_missing_piece_with_its_command() {
    let s = sample();
    let list = list(&s);
    let find = |key: &str| {
        list.requests
            .iter()
            .find(|r| r.key == key)
            .unwrap_or_else(|| panic!("no request {key}"))
    };
    // The Key Vault is only in a template: its live export is asked for,
    // with the exact command and the check that needs it.
    let vaults = find("step:key-vaults");
    assert_eq!(vaults.kind, RequestKind::Export);
    assert_eq!(vaults.state, EvidenceState::Missing);
    assert!(
        vaults
            .ask
            .starts_with("az rest --method get --url '/subscriptions/<subscription id>/")
    );
    assert_eq!(vaults.file.as_deref(), Some("azure/key-vaults.arm.json"));
    assert!(
        vaults
            .reasons
            .iter()
            .any(|r| r.starts_with("kv.purge-protection not evaluated"))
    );
    assert!(vaults.requirements.contains(&"3.7.4".to_owned()));
    // Scanner output the platform team provides.
    let trivy_k8s = find("step:trivy-k8s");
    assert_eq!(trivy_k8s.kind, RequestKind::Scan);
    assert!(trivy_k8s.ask.starts_with("trivy k8s"));
    // Every static check that is not evaluated has a request for each
    // missing kind of file that feeds it.
    let record = s.store.record(s.assessment).unwrap();
    let run = record.latest_run.as_ref().unwrap();
    for result in run.results.iter().filter(|r| {
        r.status == tickmark::checks::CheckStatus::NotEvaluated && r.requirement.is_none()
    }) {
        assert!(
            list.requests
                .iter()
                .any(|r| r.reasons.iter().any(|why| why.starts_with(&result.check))),
            "{} is not evaluated but nothing asks for its evidence",
            result.check
        );
    }
    // Requirements reviewed by hand with nothing attached ask for their
    // documents; those the sample auditor attached to do not.
    let policy = find("doc:12.1.1");
    assert_eq!(policy.kind, RequestKind::Document);
    assert!(!policy.ask.is_empty());
    assert!(
        !list.requests.iter().any(|r| r.key == "doc:1.2.3"),
        "1.2.3 has the network diagram attached"
    );
    // References number the list.
    assert_eq!(list.requests[0].reference, "R-1");
    assert!(
        list.requests
            .iter()
            .all(|r| r.status() == RequestStatus::Requested)
    );
}

#[test]
fn tracking_a_request_is_an_event_and_shows_in_the_list_and_exports() {
    let mut s = sample();
    let system = Actor::os_user_only();
    let auditor = s
        .store
        .create_profile(
            &system,
            &NewProfile {
                name: "Ines Carvalho".into(),
                email: "ines@assessor.example".into(),
                role: Role::Auditor,
            },
        )
        .unwrap();
    let update = RequestUpdate {
        key: "step:key-vaults".into(),
        title: "Key Vaults".into(),
        owner: "Platform team (Jonas)".into(),
        due: NaiveDate::from_ymd_opt(2026, 12, 15),
        status: RequestStatus::Returned,
        note: "=SUM(A1) a template is not the live vault".into(),
    };
    // Without a profile: refused.
    let err = s
        .store
        .set_evidence_request(&system, s.assessment, &update)
        .unwrap_err();
    assert!(err.to_string().contains("reviewer profile"), "{err}");
    let actor = Actor::with_profile(auditor.id);
    let tracked = s
        .store
        .set_evidence_request(&actor, s.assessment, &update)
        .unwrap();
    assert_eq!(tracked.updated_by.name.as_deref(), Some("Ines Carvalho"));
    // The same again changes nothing and is refused.
    assert!(
        s.store
            .set_evidence_request(&actor, s.assessment, &update)
            .is_err()
    );
    let list = list(&s);
    let vaults = list
        .requests
        .iter()
        .find(|r| r.key == "step:key-vaults")
        .unwrap();
    assert_eq!(vaults.status(), RequestStatus::Returned);
    assert_eq!(vaults.owner(), "Platform team (Jonas)");
    assert!(!vaults.is_open() || vaults.status() != RequestStatus::Accepted);
    let record = s.store.record(s.assessment).unwrap();
    let event = record
        .events
        .iter()
        .rev()
        .find(|e| e.kind == "request.updated")
        .unwrap();
    assert_eq!(event.payload["status"], "returned");
    assert!(s.store.verify().unwrap().is_intact());

    // CSV: a header and one row per request; formula-like text guarded.
    let csv = String::from_utf8(requests::csv(&list).unwrap()).unwrap();
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], "Ref");
    assert!(header.contains(&"Command or document".to_owned()));
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), list.requests.len());
    let row = rows.iter().find(|r| &r[2] == "Key Vaults").unwrap();
    assert_eq!(&row[4], "Returned");
    assert_eq!(&row[6], "2026-12-15");
    assert!(row[11].starts_with("'=SUM"), "{}", &row[11]);

    // XLSX, read back with a spreadsheet library.
    let out = s.dir.join("requests.xlsx");
    let as_of = requests::as_of(&record);
    requests::write(&list, RequestFormat::Xlsx, as_of, &out).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(book.sheet_names(), vec!["Summary", "Requests"]);
    let sheet = book.worksheet_range("Requests").unwrap();
    assert_eq!(sheet.height(), list.requests.len() + 1);
    assert_eq!(
        sheet.get((0, 7)),
        Some(&Data::String("Command or document".into()))
    );
    let vault_row = (1..sheet.height())
        .find(|&r| sheet.get((r, 2)) == Some(&Data::String("Key Vaults".into())))
        .unwrap();
    assert_eq!(
        sheet.get((vault_row, 4)),
        Some(&Data::String("Returned".into()))
    );
    // The due date is a real date, the formula-like note plain text.
    assert!(matches!(sheet.get((vault_row, 6)), Some(Data::DateTime(_))));
    assert_eq!(
        sheet.get((vault_row, 11)),
        Some(&Data::String(
            "=SUM(A1) a template is not the live vault".into()
        ))
    );
    let summary = book.worksheet_range("Summary").unwrap();
    assert_eq!(
        summary.get((2, 1)),
        Some(&Data::String(record.assessment.name.clone()))
    );
    // The same record gives the same bytes.
    let again = s.dir.join("again.xlsx");
    requests::write(&list, RequestFormat::Xlsx, as_of, &again).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
}

#[test]
fn a_tracked_request_stays_listed_when_its_evidence_arrives() {
    let mut s = sample();
    let system = Actor::os_user_only();
    let auditor = s
        .store
        .create_profile(
            &system,
            &NewProfile {
                name: "Ines Carvalho".into(),
                email: String::new(),
                role: Role::Auditor,
            },
        )
        .unwrap();
    s.store
        .set_evidence_request(
            &Actor::with_profile(auditor.id),
            s.assessment,
            &RequestUpdate {
                key: "step:key-vaults".into(),
                title: "Key Vaults".into(),
                owner: String::new(),
                due: None,
                status: RequestStatus::Requested,
                note: String::new(),
            },
        )
        .unwrap();
    // The live vault export arrives.
    let path = common::project_dir().join("tests/fixtures/collect/key-vaults.arm.json");
    s.store
        .import_paths(
            &system,
            tickmark::sample::ASSESSMENT_NAME,
            None,
            &[path],
            &mut |_| {},
        )
        .unwrap();
    s.store
        .evaluate_and_record(&system, s.assessment, v4(), &Settings::default())
        .unwrap();
    let list = list(&s);
    let vaults = list
        .requests
        .iter()
        .find(|r| r.key == "step:key-vaults")
        .unwrap();
    assert_eq!(vaults.state, EvidenceState::Satisfied);
    assert!(!vaults.is_open());
}
