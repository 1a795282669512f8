//! The review record: entities, the event chain, sign-off binding,
//! approval, compare, the record snapshot, busy handling and migrations.

mod store_fixture;

use rusqlite::Connection;
use store_fixture::*;
use tickmark::checks::{CheckStatus, Settings, VerdictStatus};
use tickmark::evidence::Format;
use tickmark::store::*;

#[test]
fn profiles_are_created_updated_and_listed() {
    let mut f = Fixture::new();
    let profiles = f.store.profiles().unwrap();
    assert_eq!(profiles.len(), 2);
    assert_eq!(profiles[0].name, "Ana Auditor");
    assert_eq!(profiles[1].role, Role::SecurityLead);
    let id = profiles[0].id;
    let updated = f
        .store
        .update_profile(
            &actor(None),
            id,
            &NewProfile {
                name: "Ana García".into(),
                email: "ana@example.com".into(),
                role: Role::Auditor,
            },
        )
        .unwrap();
    assert_eq!(updated.id, id);
    assert_eq!(f.store.profile(id).unwrap().unwrap().name, "Ana García");
    // Bad input gets clear errors and records nothing.
    let before = f.store.chain_head().unwrap();
    let bad = |name: &str, email: &str| NewProfile {
        name: name.into(),
        email: email.into(),
        role: Role::Auditor,
    };
    assert!(matches!(
        f.store.create_profile(&actor(None), &bad(" ", "")),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        f.store
            .create_profile(&actor(None), &bad("X", "not-an-address")),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        f.store.update_profile(&actor(None), 999, &bad("X", "")),
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        f.store.create_profile(
            &Actor {
                profile: None,
                os_user: String::new()
            },
            &bad("X", "")
        ),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(f.store.chain_head().unwrap(), before);
}

#[test]
fn assessments_are_unique_by_name_and_keep_their_details() {
    let mut f = Fixture::new();
    let a = f.store.assessment("H1 2026").unwrap().unwrap();
    assert_eq!(a, f.assessment);
    assert_eq!(a.cluster, "aks-demo");
    assert_eq!(a.period_end, date("2026-06-30"));
    assert_eq!(a.catalog_id, CATALOG_ID);
    assert_eq!(a.created_by.os_user, "tester");
    let err = f
        .store
        .create_assessment(&actor(None), &new_assessment("H1 2026"))
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    let mut backwards = new_assessment("H2 2026");
    backwards.period_end = date("2025-01-01");
    assert!(matches!(
        f.store.create_assessment(&actor(None), &backwards),
        Err(StoreError::Invalid(_))
    ));
    let updated = f
        .store
        .update_assessment(
            &f.auditor,
            a.id,
            &AssessmentUpdate {
                cluster: "aks-prod".into(),
                period_start: a.period_start,
                period_end: a.period_end,
            },
        )
        .unwrap();
    assert_eq!(updated.cluster, "aks-prod");
    assert_eq!(f.store.assessments().unwrap().len(), 1);
    assert!(f.store.assessment("nope").unwrap().is_none());
    // The creating event belongs to the assessment.
    let events = f.store.events(Some(a.id)).unwrap();
    assert_eq!(events[0].kind, "assessment.created");
    assert_eq!(events[0].seq, a.id);
    assert_eq!(events[1].kind, "assessment.updated");
}

#[test]
fn evidence_is_stored_once_per_hash_with_provenance() {
    let mut f = Fixture::new();
    let dir = f.evidence_dir();
    let aks = write(&dir, "aks.json", &aks_json("one"));
    let nsg = write(&dir, "nsg.json", &nsg_json("a"));
    let bad = write(&dir, "bad.json", "{\n  \"value\": [\n    {\"a\": ");
    let unknown = write(&dir, "unknown.json", r#"{"hello": "world"}"#);
    let mut seen = Vec::new();
    let summary = f
        .store
        .import_paths(
            &actor(None),
            "H1 2026",
            None,
            std::slice::from_ref(&dir),
            &mut |report| seen.push(report.path.clone()),
        )
        .unwrap();
    assert_eq!(seen.len(), 4, "progress hears about every file");
    let unusable: Vec<String> = summary.unusable().map(|e| e.path.clone()).collect();
    assert_eq!(unusable, vec![path_text(&bad), path_text(&unknown)]);
    let files = f.store.evidence_files(f.assessment.id).unwrap();
    assert_eq!(files.len(), 2);
    let aks_file = files
        .iter()
        .find(|x| x.provenance.path == path_text(&aks))
        .unwrap();
    assert_eq!(aks_file.provenance.format, Format::AzureAks);
    assert_eq!(aks_file.provenance.size, aks_json("one").len() as u64);
    assert_eq!(aks_file.imported_by.os_user, "tester");
    assert_eq!(
        f.store
            .evidence_bytes(&aks_file.provenance.sha256)
            .unwrap()
            .unwrap(),
        aks_json("one").as_bytes()
    );
    // Importing the same bytes again changes nothing.
    let again = f.import(std::slice::from_ref(&aks));
    assert!(matches!(
        again.files[0].result,
        Ok(ImportOutcome::Unchanged(_))
    ));
    // New bytes under the same path replace the file; the old one stays.
    write(&dir, "aks.json", &aks_json("two"));
    let replaced = f.import(std::slice::from_ref(&aks));
    let Ok(ImportOutcome::Imported(new_file)) = &replaced.files[0].result else {
        panic!("{replaced:?}")
    };
    assert_eq!(new_file.supersedes, Some(aks_file.id));
    let all = f.store.evidence_files(f.assessment.id).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(
        all.iter()
            .find(|x| x.id == aks_file.id)
            .unwrap()
            .superseded_by,
        Some(new_file.id)
    );
    let current = f.store.current_evidence_files(f.assessment.id).unwrap();
    assert_eq!(current.len(), 2);
    // The same bytes in a second assessment are stored once.
    f.store
        .create_assessment(&actor(None), &new_assessment("Other"))
        .unwrap();
    f.store
        .import_paths(&actor(None), "Other", None, &[nsg], &mut |_| {})
        .unwrap();
    let blobs: i64 = Connection::open(&f.db)
        .unwrap()
        .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(blobs, 3);
    assert!(f.store.verify().unwrap().is_intact());
}

#[test]
fn a_file_whose_new_bytes_equal_another_current_file_takes_those_bytes() {
    let mut f = Fixture::new();
    let dir = f.evidence_dir();
    // Two NSGs in two files; then B is exported again holding exactly A's
    // bytes, so it describes A's NSG anew and supersedes A as well.
    let a = write(&dir, "nsg-a.json", &nsg_json("one"));
    let b = write(&dir, "nsg-b.json", &nsg_json("two"));
    f.import(&[a.clone(), b.clone()]);
    let id = f.assessment.id;
    let current = |f: &Fixture| -> Vec<(String, String, i64)> {
        f.store
            .current_evidence_files(id)
            .unwrap()
            .into_iter()
            .map(|x| (x.provenance.path, x.provenance.sha256, x.id))
            .collect()
    };
    let before = current(&f);
    let old_b = before[1].2;
    let sha_one = before[0].1.clone();
    // B now holds exactly A's bytes.
    write(&dir, "nsg-b.json", &nsg_json("one"));
    let outcome = f.import(std::slice::from_ref(&b));
    let Ok(ImportOutcome::Imported(new_b)) = &outcome.files[0].result else {
        panic!("B's new content was not recorded: {outcome:?}")
    };
    assert_eq!(new_b.provenance.path, path_text(&b));
    assert_eq!(new_b.provenance.sha256, sha_one);
    assert_eq!(new_b.supersedes, Some(old_b));
    let now = current(&f);
    assert_eq!(now, [(path_text(&b), sha_one.clone(), new_b.id)]);
    let all = f.store.evidence_files(id).unwrap();
    let old_a = all.iter().find(|x| x.id == before[0].2).unwrap();
    assert_eq!(old_a.superseded_by, Some(new_b.id), "A's NSG is B's now");
    // The evidence evaluated for B is its new content.
    let stored = f.store.evidence_set(id).unwrap();
    let b_file = stored
        .set
        .files
        .iter()
        .find(|p| p.path == path_text(&b))
        .unwrap();
    assert_eq!(b_file.sha256, sha_one);
    // The bytes are stored once.
    let blobs: i64 = Connection::open(&f.db)
        .unwrap()
        .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(blobs, 2);
    // Importing B again, or A, changes nothing; a path with the same bytes
    // as a current file is that file.
    for path in [&b, &a] {
        let again = f.import(std::slice::from_ref(path));
        let Ok(ImportOutcome::Unchanged(same)) = &again.files[0].result else {
            panic!("{again:?}")
        };
        assert_eq!(same.provenance.path, path_text(&b));
    }
    let c = write(&dir, "nsg-c.json", &nsg_json("one"));
    let copy = f.import(std::slice::from_ref(&c));
    assert!(matches!(
        copy.files[0].result,
        Ok(ImportOutcome::Unchanged(_))
    ));
    assert_eq!(current(&f), now);
    assert!(f.store.verify().unwrap().is_intact());
}

#[test]
fn importing_into_a_missing_assessment_creates_it_only_when_a_file_imports() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
    let bad = dir.path().join("bad.bin");
    std::fs::write(&bad, b"\x00\x01\x02 binary garbage").unwrap();
    let good = write(dir.path(), "nsg.json", &nsg_json("a"));
    let missing = dir.path().join("missing.json");
    let err = store
        .import_paths(
            &actor(None),
            "New",
            None,
            std::slice::from_ref(&good),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)));
    let summary = store
        .import_paths(
            &actor(None),
            "New",
            Some(&new_assessment("New")),
            &[bad.clone(), missing.clone()],
            &mut |_| {},
        )
        .unwrap();
    assert!(summary.assessment.is_none());
    assert_eq!(summary.unusable().count(), 2);
    assert!(store.assessments().unwrap().is_empty());
    let summary = store
        .import_paths(
            &actor(None),
            "New",
            Some(&new_assessment("New")),
            &[bad, good, missing],
            &mut |_| {},
        )
        .unwrap();
    assert!(summary.created);
    assert_eq!(summary.assessment.as_ref().unwrap().name, "New");
    assert_eq!(summary.unusable().count(), 2);
}

#[test]
fn runs_keep_results_verdicts_and_settings_and_rebuild_evidence_from_bytes() {
    let mut f = Fixture::new();
    let dir = f.evidence_dir();
    let (aks, nsg) = (
        write(&dir, "aks.json", &aks_json("one")),
        write(&dir, "nsg.json", &nsg_json("a")),
    );
    f.import(&[aks.clone(), nsg.clone()]);
    let stored = f.store.evidence_set(f.assessment.id).unwrap();
    assert_eq!(stored.set.files.len(), 2);
    assert!(stored.problems.is_empty());
    let RunOutcome::Recorded(run) = f.run(&path_text(&aks), &path_text(&nsg), CheckStatus::Pass)
    else {
        panic!("a first run is recorded")
    };
    assert_eq!(run.files.len(), 2);
    assert_eq!(run.catalog_id, CATALOG_ID);
    assert_eq!(
        run.settings,
        serde_json::to_value(Settings::default()).unwrap()
    );
    assert_eq!(run.verdict("1.2.1").unwrap().status, VerdictStatus::Pass);
    assert_eq!(run.verdict("1.1.2").unwrap().status, VerdictStatus::Manual);
    assert_eq!(
        run.verdict("2.1").unwrap().status,
        VerdictStatus::NoEvidence
    );
    // k8s.pod-non-root produced no result: the verdict says so, and the run keeps it.
    let pods = run.results_of("2.2")[0].1;
    assert_eq!(pods.check, "k8s.pod-non-root");
    assert_eq!(pods.status, CheckStatus::NotEvaluated);
    assert_eq!(run.results.len(), 4);
    assert_eq!(run.counts().total(), REQUIREMENTS.len());
    // The same again records nothing; a different result records a new run.
    assert!(matches!(
        f.run(&path_text(&aks), &path_text(&nsg), CheckStatus::Pass),
        RunOutcome::Unchanged(_)
    ));
    let RunOutcome::Recorded(second) = f.run(&path_text(&aks), &path_text(&nsg), CheckStatus::Fail)
    else {
        panic!("a changed run is recorded")
    };
    assert_eq!(second.verdict("1.2.1").unwrap().status, VerdictStatus::Fail);
    assert_eq!(
        f.store
            .latest_run_overview(f.assessment.id)
            .unwrap()
            .unwrap(),
        second
    );
    assert_eq!(f.store.run_overview(run.id).unwrap().unwrap(), run);
    assert_eq!(f.store.run(run.id).unwrap().unwrap().id, run.id);
    let runs = f.store.runs(f.assessment.id).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1].counts.fail, 2);
    // Evaluating the stored evidence with the real checks records a run too.
    let (outcome, problems) = f
        .store
        .evaluate_and_record(
            &actor(None),
            f.assessment.id,
            &f.catalog,
            &Settings::default(),
        )
        .unwrap();
    assert!(problems.is_empty());
    assert_eq!(outcome.run().files.len(), 2);
    // A run over a file that is not in the assessment is refused.
    let mut foreign = stored.set.files[0].clone();
    foreign.sha256 = "0".repeat(64);
    let err = f
        .store
        .record_run(
            &actor(None),
            f.assessment.id,
            &f.catalog,
            &Settings::default(),
            &[foreign],
            Vec::new(),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
}

#[test]
fn reviews_need_a_profile_and_a_catalog_requirement_and_keep_every_version() {
    let mut f = Fixture::new();
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    let err = f
        .store
        .set_review(
            &actor(None),
            id,
            &catalog,
            "1.2.1",
            &ReviewInput::defined(None, "x"),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Rule(_)), "{err}");
    let err = f
        .store
        .set_review(
            &f.auditor,
            id,
            &catalog,
            "1.2",
            &ReviewInput::defined(None, "x"),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    let mut other = catalog.clone();
    other.id = "other".into();
    assert!(matches!(
        f.store.set_review(
            &f.auditor,
            id,
            &other,
            "1.2.1",
            &ReviewInput::defined(None, "x")
        ),
        Err(StoreError::Invalid(_))
    ));
    let first = f
        .store
        .set_review(
            &f.auditor,
            id,
            &catalog,
            "1.2.1",
            &ReviewInput::defined(None, "Looking at it."),
        )
        .unwrap();
    assert_eq!(first.conclusion(), None);
    assert_eq!(first.reviewer.name.as_deref(), Some("Ana Auditor"));
    assert_eq!(first.reviewer.os_user, "tester");
    let second = f
        .store
        .set_review(
            &f.auditor,
            id,
            &catalog,
            "1.2.1",
            &ReviewInput {
                finding: Some(Finding::InPlace),
                method: Method::Compensating,
                note: ("Looking at it.\n\n**Compensating control** documented.").to_string(),
                ..ReviewInput::default()
            },
        )
        .unwrap();
    assert!(second.event > first.event);
    assert_eq!(f.store.review(id, "1.2.1").unwrap().unwrap(), second);
    assert!(matches!(
        f.store
            .set_review(&f.auditor, id, &catalog, "1.2.1", &second.input()),
        Err(StoreError::Rule(_))
    ));
    for finding in Finding::ALL {
        f.store
            .set_review(
                &f.auditor,
                id,
                &catalog,
                "2.1",
                &ReviewInput::defined(Some(*finding), ""),
            )
            .unwrap();
        assert_eq!(
            f.store.review(id, "2.1").unwrap().unwrap().conclusion(),
            Some(Conclusion::defined(*finding))
        );
    }
    let history = f.store.requirement_history(id, "1.2.1").unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0].summary.contains("note written"), "{history:?}");
    assert!(
        history[1]
            .summary
            .contains("finding In Place · compensating control (was none)"),
        "{history:?}"
    );
    assert!(history[1].summary.contains("note edited"), "{history:?}");
}

#[test]
fn attachments_keep_name_type_hash_and_bytes_and_can_be_withdrawn() {
    let mut f = Fixture::new();
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    let png = b"\x89PNG\r\n\x1a\nrest of a png".to_vec();
    let a = f
        .store
        .add_attachment(&f.auditor, id, &catalog, "1.1.2", "network.png", None, &png)
        .unwrap();
    assert_eq!(a.media_type, "image/png");
    assert_eq!(a.sha256, tickmark::evidence::sha256_hex(&png));
    assert_eq!(a.size, png.len() as u64);
    assert_eq!(a.added_by.name.as_deref(), Some("Ana Auditor"));
    let md = f
        .store
        .add_attachment(
            &f.auditor, id, &catalog, "1.1.2", "roles.md", None, b"# Roles",
        )
        .unwrap();
    assert_eq!(md.media_type, "text/markdown");
    assert_eq!(f.store.attachment_bytes(a.id).unwrap(), png);
    assert_eq!(f.store.attachments(id, "1.1.2").unwrap().len(), 2);
    let withdrawn = f
        .store
        .withdraw_attachment(&f.auditor, md.id, "wrong file")
        .unwrap();
    assert_eq!(withdrawn.withdrawn.as_ref().unwrap().reason, "wrong file");
    assert!(matches!(
        f.store.withdraw_attachment(&f.auditor, md.id, "again"),
        Err(StoreError::Rule(_))
    ));
    assert!(matches!(
        f.store
            .add_attachment(&f.auditor, id, &catalog, "1.1.2", " ", None, b"x"),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(media_type_of("x.pdf", b"%PDF-1.7"), "application/pdf");
    assert_eq!(media_type_of("notes.txt", b"plain"), "text/plain");
    assert_eq!(
        media_type_of("blob.bin", &[0, 159, 146, 150]),
        "application/octet-stream"
    );
    let history = f.store.requirement_history(id, "1.1.2").unwrap();
    assert_eq!(history.len(), 3);
    assert!(history[2].summary.contains("withdrawn: wrong file"));
}

/// A record with two imported files and a run; 1.2.1 concluded and signed off.
fn signed() -> (Fixture, std::path::PathBuf, std::path::PathBuf) {
    let mut f = Fixture::new();
    let dir = f.evidence_dir();
    let aks = write(&dir, "aks.json", &aks_json("one"));
    let nsg = write(&dir, "nsg.json", &nsg_json("a"));
    f.import(&[aks.clone(), nsg.clone()]);
    f.run(&path_text(&aks), &path_text(&nsg), CheckStatus::Pass);
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    f.store
        .set_review(
            &f.auditor,
            id,
            &catalog,
            "1.2.1",
            &ReviewInput::defined(Some(Finding::InPlace), "Private cluster, NSG fine."),
        )
        .unwrap();
    let s = f
        .store
        .sign_off(&f.auditor, id, &catalog, "1.2.1", "I reviewed it.")
        .unwrap();
    assert!(!s.stale);
    assert_eq!(s.role, Role::Auditor);
    assert_eq!(s.binding.conclusion.as_deref(), Some("in_place"));
    assert_eq!(s.binding.evidence_sha256.len(), 2);
    (f, aks, nsg)
}

fn state(f: &Fixture, requirement: &str) -> RequirementState {
    f.store
        .requirement_state(f.assessment.id, requirement)
        .unwrap()
}

#[test]
fn a_sign_off_needs_a_conclusion_and_is_not_repeated_while_current() {
    let (mut f, ..) = signed();
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    let err = f
        .store
        .sign_off(&f.auditor, id, &catalog, "1.3.1", "ok")
        .unwrap_err();
    assert!(err.to_string().contains("no finding"), "{err}");
    let err = f
        .store
        .sign_off(&f.auditor, id, &catalog, "1.2.1", "again")
        .unwrap_err();
    assert!(err.to_string().contains("nothing has changed"), "{err}");
    assert!(matches!(
        f.store.sign_off(&f.auditor, id, &catalog, "1.2.1", "  "),
        Err(StoreError::Invalid(_))
    ));
    // A second person may sign too; the lead signs with their role.
    let lead = f
        .store
        .sign_off(&f.lead, id, &catalog, "1.2.1", "Seen.")
        .unwrap();
    assert_eq!(lead.role, Role::SecurityLead);
    assert_eq!(state(&f, "1.2.1").sign_offs.len(), 2);
    assert_eq!(state(&f, "1.2.1").sign_off_state, SignOffState::Current);
}

#[test]
fn editing_the_note_makes_the_sign_off_stale() {
    let (mut f, ..) = signed();
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    f.store
        .set_review(
            &f.auditor,
            id,
            &catalog,
            "1.2.1",
            &ReviewInput::defined(
                Some(Finding::InPlace),
                "Private cluster, NSG fine. Edited later.",
            ),
        )
        .unwrap();
    let s = state(&f, "1.2.1");
    assert_eq!(s.sign_off_state, SignOffState::Stale);
    assert!(s.sign_offs[0].stale);
    assert_eq!(s.sign_offs[0].stale_reasons, vec!["note"]);
    assert!(f.store.sign_offs(id, "1.2.1").unwrap()[0].stale);
    // Signing again covers the new note.
    let again = f
        .store
        .sign_off(&f.auditor, id, &catalog, "1.2.1", "Re-signed.")
        .unwrap();
    assert!(!again.stale);
    assert_eq!(state(&f, "1.2.1").sign_off_state, SignOffState::Current);
}

#[test]
fn changing_the_conclusion_or_adding_an_attachment_makes_it_stale() {
    let (mut f, ..) = signed();
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    f.store
        .add_attachment(
            &f.auditor,
            id,
            &catalog,
            "1.2.1",
            "extra.txt",
            None,
            b"more",
        )
        .unwrap();
    assert_eq!(
        state(&f, "1.2.1").sign_offs[0].stale_reasons,
        vec!["attachments"]
    );
    f.store
        .set_review(
            &f.auditor,
            id,
            &catalog,
            "1.2.1",
            &ReviewInput::defined(Some(Finding::NotInPlace), "Private cluster, NSG fine."),
        )
        .unwrap();
    assert_eq!(
        state(&f, "1.2.1").sign_offs[0].stale_reasons,
        vec!["conclusion", "attachments"]
    );
}

#[test]
fn a_new_import_that_changes_cited_evidence_or_results_makes_it_stale() {
    let (mut f, aks, nsg) = signed();
    // An unrelated new file and an identical run: still current.
    let dir = f.evidence_dir();
    let other = write(&dir, "nsg-b.json", &nsg_json("b"));
    f.import(std::slice::from_ref(&other));
    f.run(&path_text(&aks), &path_text(&nsg), CheckStatus::Pass);
    assert_eq!(state(&f, "1.2.1").sign_off_state, SignOffState::Current);
    // New bytes for a cited file: the evidence changed.
    write(&dir, "aks.json", &aks_json("two"));
    f.import(std::slice::from_ref(&aks));
    f.run(&path_text(&aks), &path_text(&nsg), CheckStatus::Pass);
    let s = state(&f, "1.2.1");
    assert_eq!(s.sign_off_state, SignOffState::Stale);
    assert_eq!(s.sign_offs[0].stale_reasons, vec!["evidence files"]);
    // Re-sign, then a run whose results differ.
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    f.store
        .sign_off(&f.auditor, id, &catalog, "1.2.1", "Re-signed.")
        .unwrap();
    f.run(&path_text(&aks), &path_text(&nsg), CheckStatus::Fail);
    let s = state(&f, "1.2.1");
    assert_eq!(s.sign_offs[1].stale_reasons, vec!["check results"]);
    assert_eq!(s.verdict, Some(VerdictStatus::Fail));
    let history = f.store.requirement_history(id, "1.2.1").unwrap();
    let texts: Vec<&str> = history.iter().map(|h| h.summary.as_str()).collect();
    assert!(texts.contains(&"Automated verdict: Pass"), "{texts:?}");
    assert!(
        texts.contains(&"Automated results or cited evidence changed (verdict still Pass)"),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"Automated verdict: Pass → Fail"),
        "{texts:?}"
    );
}

#[test]
fn approval_needs_a_security_lead_and_every_conclusion_or_an_override() {
    let (mut f, ..) = signed();
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    let err = f
        .store
        .approve(&f.auditor, id, &catalog, "ok", None, None)
        .unwrap_err();
    assert!(err.to_string().contains("only a security lead"), "{err}");
    assert_eq!(
        f.store.unconcluded(id, &catalog).unwrap(),
        vec!["1.1.2", "1.3.1", "2.1", "2.2"]
    );
    let err = f
        .store
        .approve(&f.lead, id, &catalog, "ok", None, None)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("4 without a conclusion (1.1.2, 1.3.1, 2.1, 2.2)"),
        "{err}"
    );
    assert!(f.store.approval_state(id).unwrap().current.is_none());
    let open = f.store.approval_gate(id, &catalog, None).unwrap().open;
    let override_ = ApprovalOverride {
        justification: "Requirements 1.1.2, 1.3.1, 2.1 and 2.2 are out of scope this half.".into(),
        items: open,
    };
    let approval = f
        .store
        .approve(&f.lead, id, &catalog, "Approved.", Some(&override_), None)
        .unwrap();
    assert_eq!(approval.decision, Decision::Approved);
    assert_eq!(approval.unconcluded, vec!["1.1.2", "1.3.1", "2.1", "2.2"]);
    assert!(approval.justification.is_some());
    assert_eq!(approval.open_items.as_ref(), Some(&override_.items));
    assert!(!approval.stale);
    assert!(f.store.approval_state(id).unwrap().is_approved());
    assert!(matches!(
        f.store
            .approve(&f.lead, id, &catalog, "again", Some(&override_), None),
        Err(StoreError::Rule(_))
    ));
    // A later change makes the approval stale and names the requirement.
    f.store
        .set_review(
            &f.auditor,
            id,
            &catalog,
            "2.1",
            &ReviewInput::defined(Some(Finding::NotTested), ""),
        )
        .unwrap();
    let state = f.store.approval_state(id).unwrap();
    assert!(!state.is_approved());
    assert_eq!(state.current.unwrap().changed_requirements, vec!["2.1"]);
    let back = f
        .store
        .send_back(&f.lead, id, &catalog, "Please conclude 1.1.2.", None)
        .unwrap();
    assert_eq!(back.decision, Decision::SentBack);
    assert_eq!(f.store.approval_state(id).unwrap().history.len(), 2);
}

#[test]
fn approval_without_an_override_when_everything_is_concluded_and_signed_off() {
    let mut f = Fixture::new();
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    for r in REQUIREMENTS {
        f.store
            .set_review(
                &f.auditor,
                id,
                &catalog,
                r,
                &ReviewInput::defined(Some(Finding::NotApplicable), "No such component here."),
            )
            .unwrap();
    }
    let err = f
        .store
        .approve(&f.lead, id, &catalog, "All concluded.", None, None)
        .unwrap_err();
    assert!(
        err.to_string().contains("5 concluded but not signed off"),
        "{err}"
    );
    for r in REQUIREMENTS {
        f.store
            .sign_off(&f.auditor, id, &catalog, r, "I checked it.")
            .unwrap();
    }
    // Signed off by the preparer, not yet by a reviewer: still open.
    let err = f
        .store
        .approve(&f.lead, id, &catalog, "All concluded.", None, None)
        .unwrap_err();
    assert!(
        err.to_string().contains("5 signed off but not reviewed"),
        "{err}"
    );
    let reviewer = f.add_reviewer();
    f.review_all(&reviewer);
    let approval = f
        .store
        .approve(&f.lead, id, &catalog, "All concluded.", None, None)
        .unwrap();
    assert!(approval.unconcluded.is_empty());
    assert_eq!(approval.justification, None);
    assert_eq!(approval.open_items, None);
    assert_eq!(approval.by.name.as_deref(), Some("Lee Lead"));
}

#[test]
fn compare_shows_per_requirement_changes() {
    let (mut f, aks, nsg) = signed();
    let first = f.assessment.clone();
    let (catalog, system) = (f.catalog.clone(), actor(None));
    let second = f
        .store
        .create_assessment(&system, &new_assessment("H2 2026"))
        .unwrap();
    write(&f.evidence_dir(), "aks.json", &aks_json("h2"));
    f.store
        .import_paths(
            &system,
            "H2 2026",
            None,
            &[aks.clone(), nsg.clone()],
            &mut |_| {},
        )
        .unwrap();
    let files = f.store.evidence_set(second.id).unwrap().set.files;
    f.store
        .record_run(
            &system,
            second.id,
            &catalog,
            &Settings::default(),
            &files,
            results(&path_text(&aks), &path_text(&nsg), CheckStatus::Fail),
        )
        .unwrap();
    f.store
        .set_review(
            &f.auditor,
            second.id,
            &catalog,
            "1.2.1",
            &ReviewInput::defined(Some(Finding::NotInPlace), "Public now."),
        )
        .unwrap();
    let comparison = f.store.compare(first.id, second.id).unwrap();
    assert_eq!(comparison.from.name, "H1 2026");
    let r = comparison
        .requirements
        .iter()
        .find(|r| r.requirement == "1.2.1")
        .unwrap();
    assert_eq!(r.verdict.from, Some(VerdictStatus::Pass));
    assert_eq!(r.verdict.to, Some(VerdictStatus::Fail));
    assert_eq!(
        r.conclusion.from,
        Some(Conclusion::defined(Finding::InPlace))
    );
    assert_eq!(
        r.conclusion.to,
        Some(Conclusion::defined(Finding::NotInPlace))
    );
    assert!(r.note_changed);
    assert_eq!(r.evidence_added.len(), 1);
    assert_eq!(r.evidence_removed.len(), 1);
    assert_eq!(r.sign_off.from, SignOffState::Current);
    assert_eq!(r.sign_off.to, SignOffState::None);
    let manual = comparison
        .requirements
        .iter()
        .find(|r| r.requirement == "1.1.2")
        .unwrap();
    assert!(!manual.changed());
    let changed: Vec<&str> = comparison
        .changed()
        .map(|r| r.requirement.as_str())
        .collect();
    assert_eq!(changed, vec!["1.2.1", "1.3.1"]);
    assert!(matches!(
        f.store.compare(first.id, 999),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn the_record_snapshot_has_everything_and_serializes() {
    let f = Fixture::populated();
    let record = f.store.record(f.assessment.id).unwrap();
    assert_eq!(record.schema_version, RECORD_SCHEMA_VERSION);
    assert_eq!(record.assessment, f.assessment);
    assert_eq!(record.files.len(), 2);
    assert_eq!(record.runs.len(), 1);
    let run = record.latest_run.as_ref().unwrap();
    assert_eq!(run.verdicts.len(), REQUIREMENTS.len());
    let ids: Vec<&str> = record
        .requirements
        .iter()
        .map(|r| r.requirement.as_str())
        .collect();
    assert_eq!(ids, REQUIREMENTS);
    let r121 = &record.requirements[1];
    assert_eq!(r121.sign_off_state, SignOffState::Current);
    assert_eq!(
        record.requirements[0].attachments[0].media_type,
        "image/png"
    );
    assert!(record.approval.is_approved());
    assert_eq!(record.chain_head, f.store.chain_head().unwrap());
    let last = record.events.last().unwrap();
    assert_eq!(
        Some(&last.hash),
        record.chain_head.as_ref().map(|h| &h.hash)
    );
    assert_eq!(last.kind, "approval.recorded");
    assert!(
        last.summary.contains("approved by the security lead"),
        "{}",
        last.summary
    );
    let json = serde_json::to_value(&record).unwrap();
    assert_eq!(json["schema_version"], 2);
    assert_eq!(json["requirements"][1]["sign_offs"][0]["stale"], false);
    let back: AssessmentRecord = serde_json::from_value(json).unwrap();
    assert_eq!(back, record);
}

#[test]
fn the_chain_links_every_event_to_the_previous_one() {
    let f = Fixture::populated();
    let events = f.store.events(None).unwrap();
    assert_eq!(events[0].prev_hash, GENESIS_HASH);
    for pair in events.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert_eq!(pair[1].seq, pair[0].seq + 1);
    }
    for event in &events {
        assert!(EVENT_KINDS.contains(&event.kind.as_str()));
        assert_eq!(event.actor.os_user, "tester");
    }
    let report = f.store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.counts.events, events.len() as u64);
    assert_eq!(report.counts.reviews, REQUIREMENTS.len() as u64);
    assert_eq!(report.counts.blobs, 3);
    assert_eq!(report.chain_head.unwrap().hash, events.last().unwrap().hash);
}

#[test]
fn triggers_refuse_to_change_or_delete_events_and_files() {
    let f = Fixture::populated();
    let conn = Connection::open(&f.db).unwrap();
    for sql in [
        "UPDATE events SET kind = 'x' WHERE seq = 1",
        "DELETE FROM events WHERE seq = 1",
        "UPDATE blobs SET size = 0",
        "DELETE FROM blobs",
        "DELETE FROM reviews",
        "DELETE FROM sign_offs",
    ] {
        let err = conn.execute(sql, []).unwrap_err();
        assert!(
            err.to_string().contains("append-only")
                || err.to_string().contains("cannot be")
                || err.to_string().contains("nothing is deleted"),
            "{sql}: {err}"
        );
    }
}

#[test]
fn a_second_writer_gets_the_busy_error_and_nothing_breaks() {
    let mut f = Fixture::populated();
    let holder = Connection::open(&f.db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut second = Store::open_with(
        &f.db,
        &OpenOptions {
            busy_timeout: std::time::Duration::from_millis(200),
            create: false,
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let before = second.chain_head().unwrap();
    let err = second
        .create_assessment(&actor(None), &new_assessment("Busy"))
        .unwrap_err();
    assert!(err.is_busy());
    assert_eq!(
        err.to_string(),
        "the review record is busy (another Tickmark is writing); try again"
    );
    // Reads still work while another process writes.
    assert_eq!(second.chain_head().unwrap(), before);
    holder.execute_batch("ROLLBACK").unwrap();
    second
        .create_assessment(&actor(None), &new_assessment("Busy"))
        .unwrap();
    f.store
        .create_assessment(&actor(None), &new_assessment("After"))
        .unwrap();
    assert!(f.store.verify().unwrap().is_intact());
}

#[test]
fn an_old_record_with_data_upgrades_to_the_current_schema() {
    // Schema 2 is the previous release; schema 1 the one before.
    for version in [2, 1] {
        upgrades_from(version);
    }
}

fn upgrades_from(version: i64) {
    let f = Fixture::as_released();
    let db = f.db.clone();
    drop(f.store);
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = fresh_dir.path().join("fresh.sqlite3");
    drop(Store::open(&fresh).unwrap());
    let schema = |path: &std::path::Path| -> Vec<(String, String)> {
        Connection::open(path)
            .unwrap()
            .prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    // Take the populated record back to an older schema version.
    downgrade(&db, version);
    assert_ne!(schema(&db), schema(&fresh));
    let store = Store::open(&db).unwrap();
    assert_eq!(schema(&db), schema(&fresh));
    let report = store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.counts.reviews, REQUIREMENTS.len() as u64);
}

#[test]
fn opening_refuses_what_is_not_a_review_record() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.sqlite3");
    assert!(matches!(
        Store::open_existing(&missing),
        Err(StoreError::Missing(_))
    ));
    assert!(!missing.exists());
    // An existing but empty file (a truncated record?) is not opened as a
    // new, intact record by verify or export, and is left as it is.
    let empty = dir.path().join("empty.sqlite3");
    std::fs::write(&empty, b"").unwrap();
    let err = Store::open_existing(&empty).unwrap_err();
    assert!(
        err.to_string().contains("holds no Tickmark schema"),
        "{err}"
    );
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    let text = write(dir.path(), "notes.txt", &"not a database ".repeat(100));
    let err = Store::open(&text).unwrap_err();
    assert!(
        err.to_string().contains("not a Tickmark review record"),
        "{err}"
    );
    let other = dir.path().join("other.sqlite3");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE recipes (name TEXT)")
        .unwrap();
    let err = Store::open(&other).unwrap_err();
    assert!(err.to_string().contains("recipes"), "{err}");
    let newer = dir.path().join("newer.sqlite3");
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    assert!(matches!(
        Store::open(&newer),
        Err(StoreError::NewerSchema { .. })
    ));
}

#[test]
fn the_record_uses_wal_foreign_keys_and_full_sync() {
    let f = Fixture::new();
    let conn = Connection::open(&f.db).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert!(default_db_path().unwrap().ends_with("tickmark.sqlite3"));
}

/// Sixteen processes' worth of openers on one new record at once (five
/// command-line sign-offs sharing a fresh local copy of a server record do
/// this): every one gets the record, none "the review record is busy".
/// Turning a new file's journal to WAL takes the file for itself, and
/// SQLite does not wait for a busy file there.
#[test]
fn many_openers_of_one_new_record_at_once_all_get_it() {
    for round in 0..30 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("new-{round}.sqlite3"));
        let start = std::sync::Arc::new(std::sync::Barrier::new(16));
        let openers: Vec<_> = (0..16)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Store::open(&path).map(|_| ())
                })
            })
            .collect();
        for opener in openers {
            if let Err(e) = opener.join().unwrap() {
                panic!("round {round}: {e}");
            }
        }
        let mode: String = Connection::open(&path)
            .unwrap()
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
