//! What changed for a requirement: a stale sign-off against now, a history
//! entry against the moment before it, and a requirement's evidence when a
//! file is imported again with other content.

mod export_fixture;
mod signing_fixture;

use std::path::PathBuf;

use export_fixture::reviewed;
use tickmark::checks::{CheckStatus, Settings};
use tickmark::store::*;

#[test]
fn a_stale_sign_off_shows_the_note_then_and_now() {
    let f = reviewed();
    let id = f.assessment.id;
    let state = f.store.requirement_state(id, "2.1").unwrap();
    assert_eq!(state.sign_off_state, SignOffState::Stale);
    let signed = state.sign_offs.last().unwrap();
    let diff = f.store.sign_off_diff(id, "2.1", signed.id).unwrap();
    assert!(diff.changed());
    assert_eq!(
        diff.note.from,
        "Vendor defaults removed: local accounts disabled, ACR admin user off."
    );
    assert!(diff.note.to.contains("confirmed off on 2026-06-12"));
    let finding = diff.facts.iter().find(|f| f.what == "Finding").unwrap();
    assert!(!finding.changed(), "{finding:?}");
    assert!(diff.results.iter().all(|r| !r.changed()));
    assert!(diff.evidence.iter().all(|e| !e.changed()));
    // A current sign-off shows nothing changed.
    let current = f.store.requirement_state(id, "1.3.7").unwrap();
    let diff = f
        .store
        .sign_off_diff(id, "1.3.7", current.sign_offs[0].id)
        .unwrap();
    assert!(!diff.changed(), "{diff:?}");
    assert!(!diff.results.is_empty(), "1.3.7 has automated results");
    // Another requirement's sign-off is refused.
    assert!(
        f.store
            .sign_off_diff(id, "2.1", current.sign_offs[0].id)
            .is_err()
    );
}

#[test]
fn a_history_entry_opens_to_what_its_event_changed() {
    let f = reviewed();
    let id = f.assessment.id;
    let history = f.store.requirement_history(id, "2.1").unwrap();
    let reviews: Vec<&HistoryEntry> = history
        .iter()
        .filter(|e| e.kind == "review.recorded")
        .collect();
    assert_eq!(reviews.len(), 2);
    let first = f.store.history_diff(id, "2.1", reviews[0].seq).unwrap();
    assert_eq!(first.note.from, "");
    assert_eq!(first.facts[0].before, "");
    assert_eq!(first.facts[0].after, "In Place");
    let second = f.store.history_diff(id, "2.1", reviews[1].seq).unwrap();
    let words = text_diff(&second.note.from, &second.note.to);
    assert!(
        words
            .iter()
            .any(|p| matches!(p, DiffPart::Added(t) if t.contains("confirmed"))),
        "{words:?}"
    );
    // The run entry shows the results arriving.
    let run = history.iter().find(|e| e.kind == "run.recorded");
    if let Some(run) = run {
        let diff = f.store.history_diff(id, "2.1", run.seq).unwrap();
        assert!(diff.results.iter().all(|r| r.before.is_none()));
    }
}

#[test]
fn evidence_imported_again_with_other_content_shows_both_files_and_results() {
    let mut f = reviewed();
    let id = f.assessment.id;
    let catalog = f.catalog;
    // 1.3.7's sign-off saw the sample AKS cluster; the cluster is now
    // exported again with a public API server.
    let cluster =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data/azure/aks-cluster.json");
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cluster).unwrap()).unwrap();
    json["apiServerAccessProfile"] = serde_json::json!({"enablePrivateCluster": false});
    json["properties"]["apiServerAccessProfile"] =
        serde_json::json!({"enablePrivateCluster": false});
    let changed = f.out("aks-cluster.json");
    std::fs::write(&changed, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    let before = f.store.requirement_state(id, "1.3.7").unwrap();
    let system = Actor {
        profile: None,
        os_user: "tester".into(),
    };
    f.store
        .import_paths(&system, export_fixture::NAME, None, &[changed], &mut |_| {})
        .unwrap();
    f.store
        .evaluate_and_record(&system, id, catalog, &Settings::default())
        .unwrap();
    let after = f.store.requirement_state(id, "1.3.7").unwrap();
    let diff = f
        .store
        .sign_off_diff(id, "1.3.7", before.sign_offs[0].id)
        .unwrap();
    // The cluster's private-cluster checks passed when 1.3.7 was signed
    // and fail now; the verdict says so; the new file is cited now.
    assert_eq!(after.sign_off_state, SignOffState::Stale);
    assert!(diff.changed());
    let verdict = diff
        .facts
        .iter()
        .find(|f| f.what == "Automated verdict")
        .unwrap();
    assert_eq!(
        (verdict.before.as_str(), verdict.after.as_str()),
        ("Pass", "Fail")
    );
    let check = diff
        .results
        .iter()
        .find(|r| r.check == "aks.private-cluster")
        .unwrap();
    assert_eq!(
        check.before.as_ref().map(|r| r.status),
        Some(CheckStatus::Pass)
    );
    assert_eq!(
        check.after.as_ref().map(|r| r.status),
        Some(CheckStatus::Fail)
    );
    let cited_now: Vec<&EvidenceChange> = diff
        .evidence
        .iter()
        .filter(|e| e.changed() && e.path.ends_with("aks-cluster.json"))
        .collect();
    assert!(!cited_now.is_empty(), "{:?}", diff.evidence);
    // Each place names the files then and now, whose bytes the record
    // keeps (a snippet of each can be shown).
    for place in &diff.evidence {
        for sha in [&place.before, &place.after].into_iter().flatten() {
            assert!(f.store.evidence_bytes(sha).unwrap().is_some(), "{sha}");
        }
    }
}

#[test]
fn a_signed_sign_off_shows_what_changed_like_an_unsigned_one() {
    if !signing_fixture::have_ssh_keygen() {
        return;
    }
    let mut f = reviewed();
    let (id, catalog) = (f.assessment.id, f.catalog);
    let key = signing_fixture::make_key(f.dir.path(), "ana", "ed25519", "");
    f.store
        .register_key(
            &Actor::os_user_only(),
            f.auditor.profile.unwrap(),
            &key.public_key(),
        )
        .unwrap();
    let note = "Data-flow diagram DFD-7 reviewed with the platform team.";
    f.store
        .set_review(
            &f.auditor,
            id,
            catalog,
            "1.1.3",
            &ReviewInput::defined(Some(Finding::InPlace), note),
        )
        .unwrap();
    let signed = f
        .store
        .sign_off_with(
            &f.auditor,
            id,
            catalog,
            "1.1.3",
            "I checked the diagram.",
            Some(&key.signer(None)),
        )
        .unwrap();
    assert!(signed.signature.is_some(), "a signed sign-off");
    f.store
        .set_review(
            &f.auditor,
            id,
            catalog,
            "1.1.3",
            &ReviewInput::defined(
                Some(Finding::NotInPlace),
                "Data-flow diagram DFD-7 misses the ops subnet.",
            ),
        )
        .unwrap();
    let diff = f.store.sign_off_diff(id, "1.1.3", signed.id).unwrap();
    assert_eq!(diff.note.from, note);
    let finding = diff.facts.iter().find(|f| f.what == "Finding").unwrap();
    assert_eq!(
        (finding.before.as_str(), finding.after.as_str()),
        ("In Place", "Not in Place")
    );
    assert_eq!(
        text_diff(&diff.note.from, &diff.note.to),
        vec![
            DiffPart::Same("Data-flow diagram DFD-7 ".to_owned()),
            DiffPart::Removed("reviewed with".to_owned()),
            DiffPart::Added("misses".to_owned()),
            DiffPart::Same(" the ".to_owned()),
            DiffPart::Removed("platform team.".to_owned()),
            DiffPart::Added("ops subnet.".to_owned()),
        ]
    );
}
