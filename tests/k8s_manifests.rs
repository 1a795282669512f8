//! Raw manifests as a repository holds them: objects without a namespace
//! take the one their `kustomization.yaml` sets, images are judged as the
//! kustomization rewrites them, objects of kinds no check reads are read and
//! said to be unused, and a folder of such files evaluates with exit 0. Also
//! the DNS-only default deny and pool separation by the `pci-scope` label.

mod common;

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use tickmark::checks::{CheckResult, CheckStatus, Settings, evaluate};
use tickmark::evidence::{Batch, EvidenceSet, ImportErrorKind, import_bytes};

fn manifests() -> PathBuf {
    common::project_dir().join("tests/fixtures/k8s/manifests")
}

/// `tickmark evaluate` with the default settings: exit code, JSON, stderr.
fn evaluate_cli(paths: &[PathBuf]) -> (Option<i32>, Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .current_dir(common::project_dir())
        .args([
            "--settings",
            "tests/fixtures/default-settings.toml",
            "evaluate",
        ])
        .args(paths)
        .args(["--format", "json"])
        .output()
        .expect("tickmark runs");
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (
        output.status.code(),
        json,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The result of `check` in `tickmark evaluate`'s JSON.
fn cli_check<'a>(json: &'a Value, check: &str) -> &'a Value {
    json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["checks"].as_array().unwrap())
        .find(|c| c["id"] == check)
        .unwrap_or_else(|| panic!("{check}: not in the output"))
}

fn notes_of<'a>(json: &'a Value, path_end: &str) -> Vec<&'a str> {
    json["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with(path_end))
        .unwrap_or_else(|| panic!("{path_end}: not an input"))["notes"]
        .as_array()
        .map(|n| n.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn a_folder_of_manifests_and_kustomizations_evaluates_as_deployed() {
    let (code, json, stderr) = evaluate_cli(&[manifests()]);
    assert_eq!(code, Some(0), "{stderr}");
    // The deny-all policies have no namespace of their own: the
    // kustomizations set it, and the DNS-only egress still counts.
    let deny = cli_check(&json, "k8s.default-deny");
    let resources = deny["resources"].as_array().unwrap();
    let of = |ns: &str| {
        resources
            .iter()
            .find(|r| r["resource"] == format!("Namespace/{ns}"))
            .unwrap_or_else(|| panic!("{ns}: {deny}"))
    };
    assert_eq!(of("a0005-i")["status"], "pass");
    assert!(
        of("a0005-i")["reason"]
            .as_str()
            .unwrap()
            .contains("the only traffic it allows itself is DNS (port 53) to the cluster DNS"),
        "{}",
        of("a0005-i")
    );
    assert_eq!(of("a0005-o")["status"], "pass");
    assert_eq!(of("cluster-baseline-settings")["status"], "fail");
    // Images as the kustomizations rewrite them, through a listed folder too.
    let registry = cli_check(&json, "k8s.image-registry");
    assert_eq!(registry["status"], "pass", "{registry}");
    let reasons: Vec<&str> = registry["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["reason"].as_str())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("acrpayments.azurecr.io/live/a0005/chain-api:1.0"))
            && reasons
                .iter()
                .any(|r| r.starts_with("acrpayments.azurecr.io/live/kubereboot/kured:1.14.0")),
        "{reasons:?}"
    );
    let labels: Vec<&str> = registry["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["resource"].as_str())
        .collect();
    assert!(
        labels.contains(&"a0005-i/Deployment/web-frontend/web-frontend"),
        "{labels:?}"
    );
    assert!(
        labels.contains(&"cluster-baseline-settings/DaemonSet/kured/kured"),
        "{labels:?}"
    );
    // What the reviewer is told about the files.
    assert_eq!(
        notes_of(&json, "a0005-i/limit-range.yaml"),
        vec!["1 object(s) of kind LimitRange read, not used by any check"]
    );
    assert!(
        notes_of(&json, "cluster-manifests/a0005-i/kustomization.yaml")
            .contains(&"lists rbac.yaml, not imported with it")
    );
    let patches = notes_of(&json, "a0005-o/kustomization.yaml").join("\n");
    assert!(
        patches.contains("not applied: patches (import the output of kubectl kustomize")
            && patches.contains("cluster-manifests/a0005-o"),
        "{patches}"
    );
    let formats: Vec<&str> = json["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["format"].as_str())
        .collect();
    assert_eq!(formats.iter().filter(|f| **f == "kustomization").count(), 5);
}

#[test]
fn objects_without_a_namespace_and_no_kustomization_are_kept_and_named() {
    let dir = manifests().join("cluster-manifests/a0005-i");
    let policy = std::fs::read(dir.join("networkpolicy-denyall.yaml")).unwrap();
    let namespace = std::fs::read(dir.join("namespace.yaml")).unwrap();
    let mut set = EvidenceSet::default();
    for (name, bytes) in [("np.yaml", &policy), ("ns.yaml", &namespace)] {
        set.add(import_bytes(name, bytes, chrono::Utc::now()).unwrap());
    }
    assert_eq!(set.evidence.k8s.network_policies[0].namespace, None);
    let results = evaluate(&set, &Settings::default());
    let deny = find(&results, "k8s.default-deny");
    assert_eq!(deny.status, CheckStatus::NotEvaluated, "{}", deny.reason);
    assert!(
        deny.reason.contains(
            "default-deny policy(ies) deny-all have no namespace (it is set at deploy time)"
        ) && deny
            .reason
            .contains("1 network policy(ies) without a namespace (set at deploy time): deny-all"),
        "{}",
        deny.reason
    );
}

fn find<'a>(results: &'a [CheckResult], id: &str) -> &'a CheckResult {
    results
        .iter()
        .find(|r| r.check == id && r.requirement.is_none())
        .unwrap()
}

#[test]
fn a_single_object_of_an_unread_kind_is_read_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let limit = dir.path().join("limit-range.yaml");
    std::fs::copy(
        manifests().join("cluster-manifests/a0005-i/limit-range.yaml"),
        &limit,
    )
    .unwrap();
    let account = dir.path().join("sa.json");
    std::fs::write(
        &account,
        r#"{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "kured", "namespace": "x"}}"#,
    )
    .unwrap();
    let (code, json, stderr) = evaluate_cli(&[limit, account]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        notes_of(&json, "sa.json"),
        vec!["1 object(s) of kind ServiceAccount read, not used by any check"]
    );
}

#[test]
fn yaml_of_no_known_format_is_called_yaml() {
    let kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\n";
    let err =
        import_bytes("kubeconfig.yaml", kubeconfig.as_bytes(), chrono::Utc::now()).unwrap_err();
    assert_eq!(err.kind, ImportErrorKind::NotRecognised);
    assert!(
        err.message
            .starts_with("valid YAML, but not a format Tickmark knows"),
        "{}",
        err.message
    );
    assert_eq!(err.format_tried.as_deref(), Some("YAML"));
}

/// An AKS cluster whose user pools carry no taint, only the `pci-scope`
/// label, as the reference implementation separates them.
const LABELLED_POOLS: &str = r#"{
  "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-1",
  "name": "aks-1", "type": "Microsoft.ContainerService/ManagedClusters",
  "agentPoolProfiles": [
    {"name": "npsystem", "mode": "System", "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"], "nodeLabels": null},
    {"name": "npinscope01", "mode": "User", "nodeTaints": null, "nodeLabels": {"pci-scope": "in-scope"}},
    {"name": "npooscope01", "mode": "User", "nodeTaints": null, "nodeLabels": {"pci-scope": "out-of-scope"}}
  ]
}"#;

const STRAY_WORKLOAD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: stray\n  namespace: a0005-o\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acrpayments.azurecr.io/stray:1\n";

fn separation(extra: &[(&str, &str)]) -> CheckResult {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("aks.json"), LABELLED_POOLS).unwrap();
    for (name, text) in extra {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut paths = vec![dir.path().to_owned()];
    paths.push(manifests().join("workload"));
    let walked = tickmark::evidence::walk(&paths);
    let batch = Batch::prepare(&walked.files);
    let mut set = EvidenceSet::default();
    for file in &walked.files {
        set.add(batch.import(file, chrono::Utc::now()).result.unwrap());
    }
    find(
        &evaluate(&set, &Settings::default()),
        "aks.system-user-pool-separation",
    )
    .clone()
}

#[test]
fn labelled_pools_separate_when_every_workload_selects_its_pool() {
    let result = separation(&[]);
    assert_eq!(result.status, CheckStatus::Pass, "{}", result.reason);
    assert!(
        result.reason.contains("npinscope01 (pci-scope=in-scope), npooscope01 (pci-scope=out-of-scope) are kept apart by the pci-scope node label")
            && result.reason.contains("all 1 imported workload(s)"),
        "{}",
        result.reason
    );
    let stray = separation(&[("stray.yaml", STRAY_WORKLOAD)]);
    assert_eq!(stray.status, CheckStatus::Fail, "{}", stray.reason);
    assert!(
        stray.reason.contains("1 of 2 imported workload(s) do not select a pool by pci-scope: a0005-o/Deployment/stray (no pci-scope nodeSelector or required node affinity)"),
        "{}",
        stray.reason
    );
    let affinity = STRAY_WORKLOAD.replace(
        "      containers:",
        "      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n              - matchExpressions:\n                  - key: pci-scope\n                    operator: In\n                    values: [out-of-scope]\n      containers:",
    );
    let pinned = separation(&[("stray.yaml", &affinity)]);
    assert_eq!(pinned.status, CheckStatus::Pass, "{}", pinned.reason);
}
