//! Evidence over its life (issue 13): a re-export supersedes by what it
//! describes, sensitive data is found on import, redacted or purged without
//! leaving a byte in the record file, and `verify` stays intact.

mod common;

use std::path::{Path, PathBuf};

use tickmark::catalog::{Catalog, default_catalog, pci_dss_321};
use tickmark::checks::{CheckStatus, Settings, VerdictStatus};
use tickmark::evidence::sensitive::SensitiveKind;
use tickmark::store::*;

/// A card number (Luhn-valid Visa, not a test number), a private key and an
/// Azure storage account key planted in a pods export.
const PAN: &str = "4539148803436467";
const KEY_BODY: &str = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun";
const ACCOUNT_KEY: &str =
    "c3RoYXJib3VyLXBsYW50ZWQta2V5LWZvci10aWNrbWFyay10ZXN0cy0wMTIzNDU2Nzg5YWJjZGVmZ2hpams=";

fn planted_pods() -> String {
    let key = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----"
    );
    let storage = format!(
        "DefaultEndpointsProtocol=https;AccountName=stharbour;AccountKey={ACCOUNT_KEY};EndpointSuffix=core.windows.net"
    );
    serde_json::to_string_pretty(&serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": [{
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "payments-7d9f", "namespace": "a0005-i"},
            "spec": {"containers": [{
                "name": "payments",
                "image": "acrharbour.azurecr.io/payments@sha256:0a1b",
                "env": [
                    {"name": "STORAGE_CONNECTION", "value": storage},
                    {"name": "TLS_PRIVATE_KEY", "value": key},
                    {"name": "CARD_FOR_SMOKE_TEST", "value": PAN},
                    {"name": "LOG_LEVEL", "value": "info"}
                ]
            }]}
        }]
    }))
    .unwrap()
}

/// PCI DSS 4.0.1, the default catalog.
fn v4() -> &'static Catalog {
    default_catalog()
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    store: Store,
    auditor: Actor,
    assessment: i64,
    evidence: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tickmark.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let system = Actor::os_user_only();
    let profile = store
        .create_profile(
            &system,
            &NewProfile {
                name: "Ada Auditor".into(),
                email: "ada@example.com".into(),
                role: Role::Auditor,
            },
        )
        .unwrap();
    let assessment = store
        .create_assessment(
            &system,
            &NewAssessment {
                name: "FY2026".into(),
                cluster: "aks-1".into(),
                period_start: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                period_end: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                catalog_id: v4().id.clone(),
            },
        )
        .unwrap();
    let evidence = dir.path().join("export");
    std::fs::create_dir(&evidence).unwrap();
    std::fs::write(evidence.join("pods.json"), planted_pods()).unwrap();
    Fixture {
        _dir: dir,
        db,
        store,
        auditor: Actor::with_profile(profile.id),
        assessment: assessment.id,
        evidence,
    }
}

fn import(f: &mut Fixture, paths: &[PathBuf], redact: bool) -> ImportSummary {
    let summary = f
        .store
        .import_paths_with(
            &Actor::os_user_only(),
            "FY2026",
            None,
            paths,
            &ImportOptions { redact },
            &mut |_| {},
        )
        .unwrap();
    f.store
        .evaluate_and_record(
            &Actor::os_user_only(),
            f.assessment,
            v4(),
            &Settings::default(),
        )
        .unwrap();
    summary
}

/// Every byte of the record file and of the files SQLite keeps beside it.
fn record_bytes(db: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let path = PathBuf::from(format!("{}{suffix}", db.display()));
        if let Ok(bytes) = std::fs::read(&path) {
            all.extend(bytes);
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn assert_no_planted_value(db: &Path) {
    let bytes = record_bytes(db);
    for planted in [PAN, KEY_BODY, ACCOUNT_KEY] {
        assert!(
            !contains(&bytes, planted),
            "{planted} is still in the record file"
        );
    }
}

#[test]
fn sensitive_data_is_flagged_on_import_with_pointers_and_masked_previews() {
    let mut f = fixture();
    let pods = f.evidence.join("pods.json");
    let summary = import(&mut f, &[pods], false);
    let file = summary.files[0].result.as_ref().unwrap().file().clone();
    let found: Vec<(SensitiveKind, &str)> = file
        .open_findings()
        .iter()
        .map(|s| (s.kind, s.location.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                SensitiveKind::CloudCredential,
                "/items/0/spec/containers/0/env/0/value"
            ),
            (
                SensitiveKind::PrivateKey,
                "/items/0/spec/containers/0/env/1/value"
            ),
            (
                SensitiveKind::CardNumber,
                "/items/0/spec/containers/0/env/2/value"
            ),
        ]
    );
    assert!(file.sensitive_pending());
    let previews: Vec<&str> = file
        .open_findings()
        .iter()
        .map(|s| s.preview.as_str())
        .collect();
    assert!(
        previews.contains(&"card ending 6467, 16 digits"),
        "{previews:?}"
    );
    // The new check fails the workload, with masked values only.
    let run = f.store.latest_run(f.assessment).unwrap().unwrap();
    let env = run
        .results
        .iter()
        .find(|r| r.check == "k8s.no-secrets-in-env")
        .unwrap();
    assert_eq!(env.status, CheckStatus::Fail);
    assert!(
        env.reason.contains("a0005-i/Pod/payments-7d9f"),
        "{}",
        env.reason
    );
    assert!(!env.reason.contains(PAN) && !env.reason.contains(KEY_BODY));
    // Not yet decided: the bytes are stored and a bundle would leave them out.
    assert!(contains(&record_bytes(&f.db), PAN));
}

#[test]
fn redacting_a_stored_file_leaves_no_byte_of_the_values_and_verify_is_intact() {
    let mut f = fixture();
    let pods = f.evidence.join("pods.json");
    let summary = import(&mut f, &[pods], false);
    let original = summary.files[0].result.as_ref().unwrap().file().id;
    // A sign-off that binds to the file goes stale by the purge.
    let requirement = "8.3.2";
    f.store
        .set_review(
            &f.auditor,
            f.assessment,
            v4(),
            requirement,
            &ReviewInput {
                finding: Some(Finding::NotInPlace),
                note: "Literal credentials in the payments pod".into(),
                ..ReviewInput::default()
            },
        )
        .unwrap();
    f.store
        .sign_off(&f.auditor, f.assessment, v4(), requirement, "Reviewed")
        .unwrap();
    let redaction = f
        .store
        .redact_evidence(
            &f.auditor,
            f.assessment,
            original,
            "card data and keys in a pods export",
        )
        .unwrap();
    assert_eq!(redaction.replaced, 3);
    assert_eq!(redaction.original.state(), FileState::Purged);
    assert_eq!(redaction.copy.state(), FileState::Current);
    assert_eq!(
        redaction.copy.lifecycle.original.as_ref().unwrap().file,
        Some(original)
    );
    let state = f
        .store
        .requirement_state(f.assessment, requirement)
        .unwrap();
    assert!(
        state.sign_offs[0].stale,
        "a sign-off on purged evidence is stale"
    );
    assert!(
        state.sign_offs[0]
            .stale_reasons
            .contains(&"purged evidence".to_owned())
    );
    f.store
        .evaluate_and_record(&f.auditor, f.assessment, v4(), &Settings::default())
        .unwrap();
    // The redacted copy still shows the literal secrets: the check fails.
    let run = f.store.latest_run(f.assessment).unwrap().unwrap();
    let env = run
        .results
        .iter()
        .find(|r| r.check == "k8s.no-secrets-in-env")
        .unwrap();
    assert_eq!(env.status, CheckStatus::Fail, "{}", env.reason);
    assert!(f.store.scrub().unwrap().complete);
    let report = f.store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.purged.len(), 1);
    assert!(
        report.purged[0]
            .users
            .contains(&format!("evidence file #{original}"))
    );
    drop(f.store);
    assert_no_planted_value(&f.db);
    // Reopened, still intact; the purged bytes cannot come back.
    let mut store = Store::open(&f.db).unwrap();
    assert!(store.verify().unwrap().is_intact());
    let again = store
        .import_paths(
            &Actor::os_user_only(),
            "FY2026",
            None,
            &[f.evidence.join("pods.json")],
            &mut |_| {},
        )
        .unwrap();
    let refused = again.files[0].result.as_ref().unwrap_err();
    assert!(refused.message.contains("purged"), "{refused}");
}

#[test]
fn importing_with_redact_never_stores_the_values() {
    let mut f = fixture();
    let pods = f.evidence.join("pods.json");
    let summary = import(&mut f, &[pods], true);
    let file = summary.files[0].result.as_ref().unwrap().file().clone();
    assert!(file.open_findings().is_empty());
    assert_eq!(file.lifecycle.sensitive.len(), 3);
    assert!(file.lifecycle.sensitive.iter().all(|s| s.redacted));
    assert!(file.lifecycle.original.is_some());
    assert!(!file.sensitive_pending());
    let bytes = f
        .store
        .evidence_bytes(&file.provenance.sha256)
        .unwrap()
        .unwrap();
    let stored: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        stored["items"][0]["spec"]["containers"][0]["env"][2]["value"],
        "[REDACTED:card_number]"
    );
    assert!(f.store.verify().unwrap().is_intact());
    drop(f.store);
    assert_no_planted_value(&f.db);
}

#[test]
fn purging_keeps_the_chain_verifiable_and_reports_the_file_as_purged() {
    let mut f = fixture();
    let pods = f.evidence.join("pods.json");
    let summary = import(&mut f, &[pods], false);
    let id = summary.files[0].result.as_ref().unwrap().file().id;
    let err = f
        .store
        .purge_evidence(&Actor::os_user_only(), f.assessment, id, "no profile")
        .unwrap_err();
    assert!(err.to_string().contains("reviewer profile"), "{err}");
    assert!(
        f.store
            .purge_evidence(&f.auditor, f.assessment, id, " ")
            .is_err()
    );
    let purge = f
        .store
        .purge_evidence(&f.auditor, f.assessment, id, "imported by mistake")
        .unwrap();
    assert_eq!(purge.users.len(), 1);
    f.store.scrub().unwrap();
    let file = f.store.evidence_files(f.assessment).unwrap().remove(0);
    assert_eq!(file.state(), FileState::Purged);
    assert_eq!(
        file.lifecycle.purged.as_ref().unwrap().reason,
        "imported by mistake"
    );
    assert!(
        f.store
            .current_evidence_files(f.assessment)
            .unwrap()
            .is_empty()
    );
    let report = f.store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.purged[0].sha256, file.provenance.sha256);
    let history = f.store.events(Some(f.assessment)).unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.kind == "blob.purged" && h.summary.contains("imported by mistake")),
        "{history:?}"
    );
    // The triggers still refuse a delete without a purge event.
    drop(f.store);
    assert_no_planted_value(&f.db);
    let conn = rusqlite::Connection::open(&f.db).unwrap();
    assert!(conn.execute("DELETE FROM blobs", []).is_err());
    let err = conn
        .execute("UPDATE blobs SET bytes = X'00'", [])
        .unwrap_err();
    assert!(err.to_string().contains("only purged"), "{err}");
}

#[test]
fn a_reexport_of_the_same_resources_supersedes_the_older_file_wherever_it_comes_from() {
    let mut f = fixture();
    let sample = common::sample_data_dir().join("azure/nsgs.json");
    let old_dir = f.evidence.join("july");
    let new_dir = f.evidence.join("november");
    std::fs::create_dir_all(&old_dir).unwrap();
    std::fs::create_dir_all(&new_dir).unwrap();
    std::fs::copy(&sample, old_dir.join("nsgs.json")).unwrap();
    let mut fixed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sample).unwrap()).unwrap();
    for nsg in fixed.as_array_mut().unwrap() {
        for rule in nsg["securityRules"].as_array_mut().unwrap() {
            if rule["name"] == "AllowAllOutBound" {
                rule["protocol"] = "Tcp".into();
                rule["destinationPortRange"] = "443".into();
            }
        }
    }
    std::fs::write(
        new_dir.join("nsgs.json"),
        serde_json::to_vec_pretty(&fixed).unwrap(),
    )
    .unwrap();
    import(&mut f, &[old_dir.join("nsgs.json")], false);
    let fails = |f: &Fixture| {
        let run = f.store.latest_run(f.assessment).unwrap().unwrap();
        run.results
            .iter()
            .find(|r| r.check == "nsg.rules-restrict-protocol")
            .unwrap()
            .clone()
    };
    assert_eq!(fails(&f).status, CheckStatus::Fail);
    let summary = import(&mut f, &[new_dir.join("nsgs.json")], false);
    let new = summary.files[0].result.as_ref().unwrap().file().clone();
    let files = f.store.evidence_files(f.assessment).unwrap();
    let old = files
        .iter()
        .find(|x| x.id != new.id && x.provenance.path.ends_with("july/nsgs.json"))
        .unwrap();
    assert_eq!(
        old.superseded_by,
        Some(new.id),
        "superseded by what it describes"
    );
    assert_eq!(old.state(), FileState::Superseded);
    assert_eq!(new.lifecycle.resources.len(), 8);
    let result = fails(&f);
    assert_eq!(result.status, CheckStatus::Pass, "{}", result.reason);
    assert_eq!(result.reason, "all 8 NSG(s) pass");
}

#[test]
fn overlapping_files_are_judged_once_from_the_newest_and_say_so() {
    // Two files sharing one NSG, neither covering the other: both stay
    // current, and the shared NSG is judged from the newer file only.
    let mut f = fixture();
    let sample: serde_json::Value = serde_json::from_slice(
        &std::fs::read(common::sample_data_dir().join("azure/nsgs.json")).unwrap(),
    )
    .unwrap();
    let nsgs = sample.as_array().unwrap();
    let first: Vec<_> = nsgs[..5].to_vec();
    let second: Vec<_> = nsgs[4..].to_vec();
    std::fs::write(
        f.evidence.join("a.json"),
        serde_json::to_vec(&first).unwrap(),
    )
    .unwrap();
    std::fs::write(
        f.evidence.join("b.json"),
        serde_json::to_vec(&second).unwrap(),
    )
    .unwrap();
    let (a, b) = (f.evidence.join("a.json"), f.evidence.join("b.json"));
    import(&mut f, &[a], false);
    import(&mut f, &[b], false);
    assert_eq!(
        f.store.current_evidence_files(f.assessment).unwrap().len(),
        2
    );
    let run = f.store.latest_run(f.assessment).unwrap().unwrap();
    let result = run
        .results
        .iter()
        .find(|r| r.check == "nsg.no-ssh-rdp-from-internet")
        .unwrap();
    assert_eq!(result.resources.len(), 8, "each NSG once");
    let shared = result
        .resources
        .iter()
        .find(|r| r.reason.contains("supersedes"))
        .expect("the shared NSG says which file it was judged from");
    assert!(
        shared.reason.contains("b.json") && shared.reason.contains("a.json"),
        "{}",
        shared.reason
    );
}

#[test]
fn retired_files_are_not_evaluated_and_documents_can_be_attached() {
    let mut f = fixture();
    let docs = common::sample_data_dir().join("attachments");
    import(
        &mut f,
        &[docs, common::sample_data_dir().join("azure/nsgs.json")],
        false,
    );
    let unassigned = f.store.unassigned_documents(f.assessment).unwrap();
    let names: Vec<&str> = unassigned
        .iter()
        .map(|d| d.file.provenance.path.rsplit('/').next().unwrap())
        .collect();
    assert!(names.contains(&"network-diagram.png"), "{names:?}");
    let diagram = unassigned
        .iter()
        .find(|d| d.file.provenance.path.ends_with("network-diagram.png"))
        .unwrap();
    assert_eq!(diagram.media_type, "image/png");
    let attached = f
        .store
        .attach_document(
            &f.auditor,
            f.assessment,
            v4(),
            diagram.file.id,
            &["1.2.3".into(), "1.2.4".into()],
        )
        .unwrap();
    assert_eq!(attached.len(), 2);
    let after = f.store.unassigned_documents(f.assessment).unwrap();
    assert_eq!(after.len(), unassigned.len() - 1);
    // Retiring the NSG export takes it out of evaluation.
    let nsgs = f
        .store
        .current_evidence_files(f.assessment)
        .unwrap()
        .into_iter()
        .find(|x| x.provenance.path.ends_with("nsgs.json"))
        .unwrap();
    assert!(
        f.store
            .retire_evidence(&f.auditor, f.assessment, nsgs.id, "")
            .is_err()
    );
    let retired = f
        .store
        .retire_evidence(
            &f.auditor,
            f.assessment,
            nsgs.id,
            "exported from the wrong subscription",
        )
        .unwrap();
    assert_eq!(retired.state(), FileState::Retired);
    f.store
        .evaluate_and_record(&f.auditor, f.assessment, v4(), &Settings::default())
        .unwrap();
    let run = f.store.latest_run(f.assessment).unwrap().unwrap();
    let nsg = run
        .results
        .iter()
        .find(|r| r.check == "nsg.no-ssh-rdp-from-internet")
        .unwrap();
    assert_eq!(nsg.status, CheckStatus::NotEvaluated);
    assert!(f.store.verify().unwrap().is_intact());
    // A file with sensitive data can be kept as it is, with a reason.
    let _ = VerdictStatus::Pass;
}

#[test]
fn a_rolled_back_import_leaves_the_record_as_it_was() {
    let mut f = fixture();
    let before = f.store.verify().unwrap();
    let result: Result<(), StoreError> = f.store.atomically(|store| {
        store.import_paths(
            &Actor::os_user_only(),
            "FY2026",
            None,
            &[common::sample_data_dir()],
            &mut |_| {},
        )?;
        Err(StoreError::Invalid("cancelled".into()))
    });
    assert!(result.is_err());
    let after = f.store.verify().unwrap();
    assert!(after.is_intact());
    assert_eq!(after.chain_head, before.chain_head);
    assert_eq!(after.counts, before.counts);
}

#[test]
fn a_previous_release_record_upgrades_and_purges_verifiably() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.sqlite3");
    std::fs::copy(
        common::project_dir().join("tests/fixtures/store/schema-2-record.sqlite3"),
        &db,
    )
    .unwrap();
    let mut store = Store::open_existing(&db).unwrap();
    assert!(store.verify().unwrap().is_intact());
    let assessment = store
        .assessment("FY2025 cluster review (3.2.1)")
        .unwrap()
        .unwrap();
    let files = store.evidence_files(assessment.id).unwrap();
    assert!(
        files.iter().all(|f| f.lifecycle.resources.is_empty()),
        "not recorded before"
    );
    let profile = store.profiles().unwrap().into_iter().next().unwrap();
    let actor = Actor::with_profile(profile.id);
    store
        .purge_evidence(
            &actor,
            assessment.id,
            files[0].id,
            "found a secret in an old export",
        )
        .unwrap();
    store.scrub().unwrap();
    let report = store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.purged.len(), 1);
    store
        .evaluate_and_record(&actor, assessment.id, pci_dss_321(), &Settings::default())
        .unwrap();
    assert!(store.verify().unwrap().is_intact());
}
