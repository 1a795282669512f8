//! An import hands the evidence it has just read to the run that evaluates
//! it, instead of reading the stored bytes again. The run must be exactly
//! the one a fresh read of the stored bytes gives: evaluating the record
//! again right after the import (which reads every stored file anew) finds
//! nothing changed.

mod store_fixture;

use std::path::Path;

use serde_json::{Value, json};
use store_fixture::{text, tickmark};
use tickmark::checks::Settings;
use tickmark::store::{Actor, RunOutcome, Store};

/// A `kubectl get pods -A -o json` list larger than the files an import
/// keeps (4 MiB): hardened, privileged and root pods, some with a literal
/// password in their environment (sensitive data the scan finds).
fn large_pods_list(path: &Path) {
    let pods: Vec<Value> = (0..6_000)
        .map(|i| {
            let privileged = i % 7 == 0;
            let mut env = vec![json!({"name": "LOG_LEVEL", "value": "info"})];
            if i % 500 == 0 {
                env.push(json!({"name": "DB_PASSWORD", "value": format!("s3cr3t-Pa55word-{i}")}));
            }
            json!({
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": format!("payments-{i:05}"),
                    "namespace": if i % 2 == 0 { "a0005-i" } else { "a0005-o" },
                    "uid": format!("00000000-0000-4000-8000-{i:012}"),
                    "labels": {"app": "payments", "pod-template-hash": "7d9f"}
                },
                "spec": {
                    "nodeName": format!("aks-npinscope01-12345678-vmss{:06}", i % 3),
                    "containers": [{
                        "name": "payments",
                        "image": format!("acrexample.azurecr.io/payments@sha256:{:064x}", i),
                        "env": env,
                        "securityContext": {
                            "privileged": privileged,
                            "runAsNonRoot": !privileged,
                            "allowPrivilegeEscalation": privileged,
                            "readOnlyRootFilesystem": i % 3 != 0
                        },
                        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}
                    }]
                },
                "status": {"phase": "Running"}
            })
        })
        .collect();
    let list = json!({"apiVersion": "v1", "kind": "List", "items": pods, "metadata": {"resourceVersion": ""}});
    std::fs::write(path, serde_json::to_vec_pretty(&list).unwrap()).unwrap();
    assert!(std::fs::metadata(path).unwrap().len() > 4 * 1024 * 1024);
}

#[test]
fn the_run_an_import_records_is_the_run_the_stored_bytes_give() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("record.sqlite3");
    let evidence = dir.path().join("cluster");
    std::fs::create_dir(&evidence).unwrap();
    large_pods_list(&evidence.join("pods.json"));
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sample-data/kubernetes/namespaces.json"
    );
    std::fs::copy(sample, evidence.join("namespaces.json")).unwrap();
    let out = tickmark(
        &db,
        &[
            "import",
            "--assessment",
            "Q1",
            "--catalog",
            "pci-dss-4.0.1",
            evidence.to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Run #"), "{stdout}{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("sensitive data was found in 1 file(s)"),
        "{}",
        text(&out.stderr)
    );

    let mut store = Store::open_existing(&db).unwrap();
    let assessment = store.assessment("Q1").unwrap().unwrap();
    let catalog = tickmark::catalog::builtin("pci-dss-4.0.1").unwrap();
    let imported_run = store.latest_run(assessment.id).unwrap().unwrap();
    assert!(
        imported_run.counts().fail > 0,
        "{:?}",
        imported_run.counts()
    );
    let (again, problems) = store
        .evaluate_and_record(
            &Actor::os_user_only(),
            assessment.id,
            catalog,
            &Settings::default(),
        )
        .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    match again {
        RunOutcome::Unchanged(run) => assert_eq!(run.id, imported_run.id),
        RunOutcome::Recorded(run) => panic!(
            "reading the stored bytes again gave another run (#{} after #{})",
            run.id, imported_run.id
        ),
    }
    assert!(store.verify().unwrap().is_intact());
}
