//! Issue 11, "Done when": evidence with a 90-day workspace retention, an
//! HTTP-only gateway on a TLS 1.0 policy, SSH open from the internet, a
//! namespace without default deny, egress to the internet not via the
//! firewall, the ACR admin user on, kube-audit logs off, node-OS upgrades
//! unmanaged and cluster-admin bound to a user (`tests/fixtures/v4-gaps/`,
//! with the rest of the sample) makes the PCI DSS 4.0.1 requirements those
//! settings break `fail` through `tickmark evaluate --catalog pci-dss-4.0.1
//! --format json`, each for the check that reads the setting.

mod common;

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

const GAPS: &str = "tests/fixtures/v4-gaps";

/// The gap files, and the sample's files they do not replace.
fn evidence() -> Vec<PathBuf> {
    let root = common::project_dir();
    let gaps = root.join(GAPS);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("sample-data/azure"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| !gaps.join(path.file_name().unwrap()).exists())
        .collect();
    paths.push(root.join("sample-data/kubernetes"));
    paths.extend(
        std::fs::read_dir(&gaps)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json" || e == "yaml")),
    );
    paths.sort();
    paths
}

fn evaluate(catalog: &str) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .current_dir(common::project_dir())
        .args([
            "--settings",
            "tests/fixtures/default-settings.toml",
            "evaluate",
        ])
        .args(evidence())
        .args(["--catalog", catalog, "--format", "json", "--schema", "1"])
        .output()
        .expect("tickmark runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

fn requirement<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in the report"))
}

fn failing_checks(requirement: &Value) -> Vec<&str> {
    requirement["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

/// Each 4.0.1 requirement the issue names, and the checks whose failure on
/// this evidence must be among the reasons it fails.
const BROKEN_401: &[(&str, &[&str])] = &[
    ("10.5.1", &["logs.retention"]),
    ("4.2.1", &["agw.tls12", "agw.no-plain-http"]),
    (
        "1.3.1",
        &["nsg.no-ssh-rdp-from-internet", "k8s.default-deny"],
    ),
    (
        "1.3.2",
        &[
            "aks.egress-udr",
            "route.default-via-firewall",
            "k8s.default-deny",
        ],
    ),
    ("2.2.2", &["acr.admin-disabled"]),
    ("10.2.1", &["logs.kube-audit"]),
    ("6.3.3", &["aks.auto-upgrade"]),
    ("7.2.2", &["k8s.no-cluster-admin-binding"]),
];

#[test]
fn the_settings_break_the_401_requirements_they_should() {
    let report = evaluate("pci-dss-4.0.1");
    assert_eq!(report["catalog"], "pci-dss-4.0.1");
    for (id, checks) in BROKEN_401 {
        let verdict = requirement(&report, id);
        assert_eq!(verdict["status"], "fail", "{id}: {verdict:#}");
        let failing = failing_checks(verdict);
        for check in *checks {
            assert!(
                failing.contains(check),
                "{id} fails without {check}: {failing:?}"
            );
        }
    }
    // The reasons name what is wrong.
    let reason = |id: &str, check: &str| -> String {
        requirement(&report, id)["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == check)
            .unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(reason("10.5.1", "logs.retention").contains("90"));
    assert!(reason("6.3.3", "aks.auto-upgrade").contains("Unmanaged"));
    assert!(reason("7.2.2", "k8s.no-cluster-admin-binding").contains("oncall@harbourline.example"));
    assert!(reason("1.3.1", "k8s.default-deny").contains("a0005-batch"));
    assert!(reason("1.3.1", "nsg.no-ssh-rdp-from-internet").contains("nsg-jumpbox"));
    // Among others: the same settings break further requirements (the
    // kube-audit gap also fails 10.2.2, the audit log details); every
    // failing verdict is explained by a failing check.
    assert_eq!(requirement(&report, "10.2.2")["status"], "fail");
    for verdict in report["requirements"].as_array().unwrap() {
        if verdict["status"] == "fail" {
            assert!(
                !failing_checks(verdict).is_empty(),
                "{} fails without a failing check",
                verdict["id"]
            );
        }
    }
    assert!(report["summary"]["fail"].as_u64().unwrap() >= BROKEN_401.len() as u64);
}

#[test]
fn the_same_evidence_fails_the_321_counterparts() {
    let report = evaluate("pci-dss-3.2.1");
    assert_eq!(report["catalog"], "pci-dss-3.2.1");
    for (id, check) in [
        ("10.7", "logs.retention"),
        ("4.1", "agw.tls12"),
        ("1.3.1", "nsg.no-ssh-rdp-from-internet"),
        ("1.3.4", "aks.egress-udr"),
        ("2.1", "acr.admin-disabled"),
        ("6.2", "aks.auto-upgrade"),
        ("7.1.2", "k8s.no-cluster-admin-binding"),
    ] {
        let verdict = requirement(&report, id);
        assert_eq!(verdict["status"], "fail", "{id}");
        assert!(failing_checks(verdict).contains(&check), "{id}: {check}");
    }
}
