//! The Evidence screen (issue 13), driven headless through egui_kittest on
//! the real workbench and a real review record: a corrected re-export
//! supersedes the sample's NSGs, sensitive data found on import is
//! redacted from the screen without a byte left in the record, and an
//! unassigned document is attached to requirements.
#![cfg(feature = "gui")]

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tickmark::checks::{Settings, VerdictStatus};
use tickmark::store::{FileState, Role, Store};
use tickmark::ui::{Phase, Prefs, Screen, Workbench, WorkbenchOptions, WorkerMode};

const PAN: &str = "4539148803436467";
const KEY_BODY: &str = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun";

fn harness(db: &Path) -> Harness<'static, Workbench> {
    let workbench = Workbench::new(WorkbenchOptions {
        db_path: db.to_owned(),
        settings: Settings::default(),
        mode: WorkerMode::Inline,
        prefs: Prefs::default(),
        seed_sample_when_empty: true,
    });
    let mut h = Harness::builder()
        .with_size([1500.0, 1200.0])
        .with_max_steps(200)
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), workbench);
    h.run();
    assert_eq!(h.state().phase(), &Phase::Ready);
    h
}

fn click(h: &mut Harness<'_, Workbench>, label: &str) {
    h.get_by_label(label).click();
    h.run();
}

fn type_into(h: &mut Harness<'_, Workbench>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

fn import_typed(h: &mut Harness<'_, Workbench>, path: &Path) {
    click(h, "Import");
    click(h, "From a typed path…");
    type_into(h, "Path", &path.display().to_string());
    click(h, "Import this path");
}

fn create_auditor(h: &mut Harness<'_, Workbench>) {
    click(h, "Choose a reviewer");
    type_into(h, "Name", "Ada Auditor");
    click(h, "Create profile");
    assert_eq!(h.state().profile().map(|p| p.role), Some(Role::Auditor));
}

fn file_state(h: &Harness<'_, Workbench>, id: i64) -> FileState {
    let files = h.state().evidence_files();
    files.iter().find(|f| f.id == id).unwrap().state()
}

fn planted_pods(dir: &Path) -> std::path::PathBuf {
    let key = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----"
    );
    let pods = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [{
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "payments-7d9f", "namespace": "a0005-i"},
        "spec": {"containers": [{"name": "payments", "image": "acr.example/p@sha256:0a", "env": [
            {"name": "TLS_PRIVATE_KEY", "value": key},
            {"name": "CARD_FOR_SMOKE_TEST", "value": PAN}
        ]}]}
    }]});
    let folder = dir.join("cluster-export");
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("pods.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&pods).unwrap()).unwrap();
    path
}

#[test]
fn a_corrected_reexport_supersedes_the_sample_nsgs_and_1_2_5_no_longer_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(&dir.path().join("t.sqlite3"));
    let verdict =
        |h: &Harness<'_, Workbench>| h.state().requirement_state("1.2.5").unwrap().verdict;
    assert_eq!(verdict(&h), Some(VerdictStatus::Fail));
    let mut nsgs: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sample-data/azure/nsgs.json"
        ))
        .unwrap(),
    )
    .unwrap();
    for nsg in nsgs.as_array_mut().unwrap() {
        for rule in nsg["securityRules"].as_array_mut().unwrap() {
            if rule["name"] == "AllowAllOutBound" {
                rule["protocol"] = "Tcp".into();
                rule["destinationPortRange"] = "443".into();
            }
        }
    }
    let fixed = dir.path().join("fixed");
    std::fs::create_dir(&fixed).unwrap();
    std::fs::write(
        fixed.join("nsgs.json"),
        serde_json::to_vec_pretty(&nsgs).unwrap(),
    )
    .unwrap();
    import_typed(&mut h, &fixed.join("nsgs.json"));
    // 1.2.5 is only supported by the NSG check: it can pass no
    // further than Supported, and it no longer fails.
    assert_eq!(verdict(&h), Some(VerdictStatus::Supported));
    click(&mut h, "Evidence");
    assert_eq!(h.state().screen(), Screen::Evidence);
    let old = h
        .state()
        .evidence_files()
        .iter()
        .find(|f| f.provenance.path == "sample-data/azure/nsgs.json")
        .cloned()
        .unwrap();
    assert_eq!(old.state(), FileState::Superseded);
    type_into(&mut h, "Filter files", "nsgs.json");
    click(&mut h, &format!("#{}", old.id));
    h.get_by_label(&format!("superseded by #{}", old.superseded_by.unwrap()));
}

#[test]
fn sensitive_data_is_reviewed_and_redacted_on_the_evidence_screen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = harness(&db);
    create_auditor(&mut h);
    import_typed(&mut h, &planted_pods(dir.path()));
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|(error, m)| *error && m.contains("Sensitive data found in 1 imported file")),
        "{:?}",
        h.state().messages()
    );
    click(&mut h, "Evidence");
    let pods = h.state().files_with_pending_sensitive_data()[0].clone();
    type_into(&mut h, "Filter files", "cluster-export");
    click(&mut h, &format!("#{}", pods.id));
    h.get_by_label(
        "SENSITIVE: Card number CARD_FOR_SMOKE_TEST at /items/0/spec/containers/0/env/1/value: card ending 6467, 16 digits",
    );
    type_into(&mut h, "Reason", "card data and a key in a pods export");
    click(&mut h, "Store redacted copy");
    assert!(h.state().files_with_pending_sensitive_data().is_empty());
    assert_eq!(file_state(&h, pods.id), FileState::Purged);
    drop(h);
    let store = Store::open_existing(&db).unwrap();
    assert!(store.verify().unwrap().is_intact());
    drop(store);
    let mut bytes = std::fs::read(&db).unwrap();
    bytes.extend(std::fs::read(dir.path().join("t.sqlite3-wal")).unwrap_or_default());
    for planted in [PAN, KEY_BODY] {
        assert!(
            !bytes
                .windows(planted.len())
                .any(|w| w == planted.as_bytes()),
            "{planted} left"
        );
    }
}

#[test]
fn an_unassigned_document_is_attached_from_the_evidence_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(&dir.path().join("t.sqlite3"));
    create_auditor(&mut h);
    click(&mut h, "Evidence");
    let before = h.state().unassigned_documents().len();
    assert!(before > 0, "the sample has documents attached to nothing");
    let doc = h
        .state()
        .unassigned_documents()
        .into_iter()
        .find(|f| f.provenance.path.ends_with("network-diagram.dot"))
        .cloned()
        .unwrap();
    click(
        &mut h,
        &format!("network-diagram.dot  ({} bytes)", doc.provenance.size),
    );
    type_into(&mut h, "Requirements", "1.2.7, 1.2.5");
    click(&mut h, "Attach to requirements");
    assert_eq!(h.state().unassigned_documents().len(), before - 1);
    let attached = |r: &str| {
        h.state()
            .requirement_state(r)
            .unwrap()
            .attachments
            .iter()
            .any(|a| a.file_name == "network-diagram.dot")
    };
    assert!(attached("1.2.7") && attached("1.2.5"));
}

#[test]
fn a_reason_typed_before_choosing_a_profile_is_kept_and_the_request_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = harness(&db);
    assert!(h.state().profile().is_none());
    import_typed(&mut h, &planted_pods(dir.path()));
    click(&mut h, "Evidence");
    let pods = h.state().files_with_pending_sensitive_data()[0].clone();
    type_into(&mut h, "Filter files", "cluster-export");
    click(&mut h, &format!("#{}", pods.id));
    type_into(&mut h, "Reason", "exported by mistake");
    click(&mut h, "Retire");
    let asks_for_profile = |h: &Harness<'_, Workbench>| {
        h.state()
            .messages()
            .iter()
            .any(|(error, m)| *error && m.starts_with("A reviewer profile is needed"))
    };
    assert!(asks_for_profile(&h), "{:?}", h.state().messages());
    assert_eq!(h.state().inventory_reason(), "exported by mistake");
    type_into(&mut h, "Name", "Ada Auditor");
    click(&mut h, "Create profile");
    assert!(!asks_for_profile(&h), "{:?}", h.state().messages());
    click(&mut h, "Retire");
    assert_eq!(h.state().inventory_reason(), "");
    assert_eq!(file_state(&h, pods.id), FileState::Retired);
}
