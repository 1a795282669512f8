//! A review record written by the previous release (schema 2, PCI DSS 3.2.1
//! conclusions) opened by this build: it upgrades to schema 3 in place,
//! verifies intact, keeps every event and reads as it did, with In Place
//! with CCW as In Place by a compensating control.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use tickmark::catalog::pci_dss_321;
use tickmark::store::*;

const HEAD: &str = "8449910b79cc454e75bedfdd98e924eff2e1be3f80f9205d23b5ecfade568887";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store/schema-2-record.sqlite3")
}

/// A copy of the schema-2 record to open (the fixture itself is never
/// changed).
fn copy(dir: &Path) -> PathBuf {
    let path = dir.join("tickmark.sqlite3");
    std::fs::copy(fixture(), &path).unwrap();
    path
}

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn a_schema_2_record_upgrades_and_verifies_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy(dir.path());
    assert_eq!(user_version(&db), 2, "the fixture is a schema-2 record");
    let store = Store::open_existing(&db).unwrap();
    assert_eq!(user_version(&db), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 3);
    let report = store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    let head = report.chain_head.unwrap();
    assert_eq!(
        (head.seq, head.hash.as_str()),
        (24, HEAD),
        "no event changed or added"
    );
    assert_eq!(report.counts.reviews, 6);
    assert_eq!(report.counts.sign_offs, 4);
    let steps: Vec<i64> = Connection::open(&db)
        .unwrap()
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(steps, vec![1, 2, 3]);
}

#[test]
fn earlier_conclusions_read_as_finding_and_method_and_sign_offs_still_hold() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&copy(dir.path())).unwrap();
    let assessment = store
        .assessment("FY2025 cluster review (3.2.1)")
        .unwrap()
        .unwrap();
    assert_eq!(assessment.catalog_id, "pci-dss-3.2.1");
    assert_eq!(assessment.prior_assessment, None);
    let state = |r: &str| store.requirement_state(assessment.id, r).unwrap();
    let ccw = state("10.7");
    let review = ccw.review.as_ref().unwrap();
    assert_eq!(review.finding, Some(Finding::InPlace));
    assert_eq!(review.method, Method::Compensating);
    assert_eq!(
        review.compensating, None,
        "3.2.1 records kept the CCW in the note"
    );
    assert!(review.note.contains("compensating control archives"));
    assert_eq!(
        ccw.conclusion().unwrap().label(),
        "In Place · compensating control"
    );
    // What was signed is still what is there: the sign-offs are current.
    assert_eq!(ccw.sign_off_state, SignOffState::Current);
    assert_eq!(
        ccw.sign_offs[0].binding.conclusion.as_deref(),
        Some("in_place_ccw")
    );
    assert_eq!(state("1.1.5").sign_off_state, SignOffState::Current);
    assert_eq!(state("2.1").sign_off_state, SignOffState::Current);
    assert_eq!(
        state("2.1").conclusion(),
        Some(Conclusion::defined(Finding::NotApplicable))
    );
    let amended = state("1.1.6");
    assert_eq!(amended.sign_off_state, SignOffState::Stale);
    assert_eq!(amended.sign_offs[0].stale_reasons, vec!["note".to_owned()]);
    assert_eq!(
        state("3.6.4").conclusion().unwrap().finding,
        Finding::NotTested
    );
    assert_eq!(state("8.1.3").conclusion(), None);
    // The approval's bindings still match: it is not stale.
    let approval = store.approval_state(assessment.id).unwrap();
    let current = approval.current.unwrap();
    assert_eq!(current.decision, Decision::Approved);
    assert!(!current.stale, "{:?}", current.changed_requirements);
    // People are named as they were.
    assert_eq!(ccw.sign_offs[0].signer.name.as_deref(), Some("Ana Auditor"));
    // The history reads the old events in the new terms.
    let history = store.requirement_history(assessment.id, "10.7").unwrap();
    assert!(
        history.iter().any(|e| e
            .summary
            .contains("finding In Place · compensating control (was none)")),
        "{history:?}"
    );
}

#[test]
fn an_upgraded_record_takes_new_findings_and_stays_intact() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&copy(dir.path())).unwrap();
    let catalog = pci_dss_321();
    let assessment = store
        .assessment("FY2025 cluster review (3.2.1)")
        .unwrap()
        .unwrap();
    let ana = store
        .profiles()
        .unwrap()
        .into_iter()
        .find(|p| p.role == Role::Auditor)
        .unwrap();
    let actor = Actor {
        profile: Some(ana.id),
        os_user: "tester".into(),
    };
    // Completing the worksheet of the 3.2.1 CCW makes its sign-off stale,
    // saying why, and a new sign-off goes through.
    let mut review = store
        .review(assessment.id, "10.7")
        .unwrap()
        .unwrap()
        .input();
    review.compensating = Some(CompensatingControl {
        constraints: "The workspace keeps 90 days online.".into(),
        objective: "A year of audit logs.".into(),
        identified_risk: "Older logs are slower to search.".into(),
        definition: "Immutable archive kept 400 days.".into(),
        validation: "Restored a 9-month-old day.".into(),
        maintenance: "Quarterly restore test.".into(),
    });
    store
        .set_review(&actor, assessment.id, catalog, "10.7", &review)
        .unwrap();
    let state = store.requirement_state(assessment.id, "10.7").unwrap();
    assert_eq!(state.sign_off_state, SignOffState::Stale);
    assert_eq!(
        state.sign_offs[0].stale_reasons,
        vec!["worksheet".to_owned()]
    );
    store
        .sign_off(
            &actor,
            assessment.id,
            catalog,
            "10.7",
            "Worksheet complete.",
        )
        .unwrap();
    // A 3.2.1 assessment has no customized approach.
    let err = store
        .set_review(
            &actor,
            assessment.id,
            catalog,
            "3.6.4",
            &ReviewInput {
                finding: Some(Finding::InPlace),
                method: Method::Customized,
                ..ReviewInput::default()
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("only in PCI DSS v4"), "{err}");
    let report = store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    drop(store);
    // And it opens again without migrating twice.
    let again = Store::open_existing(&dir.path().join("tickmark.sqlite3")).unwrap();
    assert!(again.verify().unwrap().is_intact());
}

#[test]
fn an_upgraded_record_numbers_its_evidence_and_attachments_in_event_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy(dir.path());
    let mut store = Store::open(&db).unwrap();
    let assessment = store
        .assessment("FY2025 cluster review (3.2.1)")
        .unwrap()
        .unwrap();
    // The four evidence files (imported first) are E-1 to E-4, in import
    // order; the attachment of 1.1.5 (added later) is E-5.
    let files = store.evidence_files(assessment.id).unwrap();
    let numbered: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.reference_label(), f.provenance.path.clone()))
        .collect();
    assert_eq!(files.len(), 4, "{numbered:?}");
    assert_eq!(
        files.iter().map(|f| f.reference).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert!(
        files.windows(2).all(|w| w[0].id < w[1].id),
        "in import order"
    );
    let attachments = store.attachments(assessment.id, "1.1.5").unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].reference_label(), "E-5");
    // The numbers are what a replay of the log gives: the record verifies.
    assert!(store.verify().unwrap().is_intact());
    // The next attachment continues the sequence, and stays intact.
    let ana = store
        .profiles()
        .unwrap()
        .into_iter()
        .find(|p| p.role == Role::Auditor)
        .unwrap();
    let actor = Actor {
        profile: Some(ana.id),
        os_user: "tester".into(),
    };
    let added = store
        .add_attachment(
            &actor,
            assessment.id,
            pci_dss_321(),
            "10.7",
            "restore-test.md",
            None,
            b"# Restore test\nRestored a 9-month-old day.\n",
        )
        .unwrap();
    assert_eq!(added.reference_label(), "E-6");
    let report = store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(parse_reference("[E-6]".trim_matches(['[', ']'])), Some(6));
    assert_eq!(parse_reference("e12"), Some(12));
    assert_eq!(parse_reference("E-0"), None);
    assert_eq!(parse_reference("EX-1"), None);
}

#[test]
fn sign_offs_and_approvals_of_the_previous_release_stay_valid_and_read_as_unsigned() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy(dir.path());
    let mut store = Store::open_existing(&db).unwrap();
    let assessment = store
        .assessment("FY2025 cluster review (3.2.1)")
        .unwrap()
        .unwrap();
    let catalog = pci_dss_321();
    let record = store.record(assessment.id).unwrap();
    let sign_offs: Vec<&SignOff> = record
        .requirements
        .iter()
        .flat_map(|r| r.sign_offs.iter())
        .collect();
    assert_eq!(sign_offs.len(), 4);
    assert!(sign_offs.iter().all(|s| s.signature.is_none()));
    assert!(sign_offs.iter().all(|s| s.signature_label() == "unsigned"));
    assert_eq!(
        sign_offs.iter().filter(|s| !s.stale).count(),
        3,
        "the sign-offs that held still hold"
    );
    assert!(record.signatures.is_empty());
    assert_eq!(record.seal, None);
    let approval = record.approval.current.clone().unwrap();
    assert_eq!(approval.signature, None);
    assert_eq!(approval.open_items, None, "recorded before overrides");
    assert!(approval.justification.is_some());
    // Profiles of the previous release have no key, are not retired and
    // are not the sample's.
    let profiles = store.profiles().unwrap();
    assert!(
        profiles
            .iter()
            .all(|p| p.key.is_none() && p.retired.is_none() && !p.sample)
    );
    assert!(!assessment.sample && assessment.archived.is_none());
    // From now on the auditor can register a key and sign; the old
    // unsigned sign-offs stay valid beside the new signed one.
    if std::process::Command::new("ssh-keygen")
        .arg("-?")
        .output()
        .is_ok()
    {
        let keys = dir.path().join("ana");
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&keys)
            .status()
            .unwrap();
        assert!(status.success());
        let ana = profiles.iter().find(|p| p.role == Role::Auditor).unwrap();
        let key = tickmark::signing::PublicKey::read_file(&keys.with_extension("pub")).unwrap();
        store
            .register_key(&Actor::os_user_only(), ana.id, &key)
            .unwrap();
        let signer = tickmark::signing::KeyFile::open(&keys, None).unwrap();
        let actor = Actor::with_profile(ana.id);
        // 1.1.6 was amended after its sign-off: sign it again, signed.
        let signed = store
            .sign_off_with(
                &actor,
                assessment.id,
                catalog,
                "1.1.6",
                "Re-checked after the amendment.",
                Some(&signer),
            )
            .unwrap();
        assert!(signed.signature.is_some());
        let report = store.verify().unwrap();
        assert!(report.is_intact(), "{:?}", report.problems);
        assert_eq!(report.counts.signatures, 1);
    }
    let report = store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
}
