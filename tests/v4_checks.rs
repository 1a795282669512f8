//! The checks added with PCI DSS 4.0.1 (Azure Policy's PCI DSS v4.0.1
//! initiative checks the same settings), each with evidence that passes,
//! fails and cannot be judged, and its place in both catalogs:
//! `k8s.no-default-namespace`, `kv.rbac-authorization`,
//! `logs.workspace-private`.

mod azure_platform_support;

use std::path::PathBuf;

use azure_platform_support::{evaluate_fixtures, import_path, result, status, when};
use tickmark::catalog::{MappingStrength, PCI_DSS_401_ID, builtin, pci_dss_321};
use tickmark::checks::CheckStatus::{Fail, NotEvaluated, Pass};
use tickmark::checks::{CheckResult, CheckScope, Settings, check_def, evaluate};
use tickmark::evidence::{EvidenceSet, import_bytes};

const NEW_CHECKS: [&str; 3] = [
    "k8s.no-default-namespace",
    "kv.rbac-authorization",
    "logs.workspace-private",
];

fn k8s(paths: &[&str]) -> Vec<CheckResult> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/k8s");
    let mut set = EvidenceSet::default();
    for path in paths {
        set.add(import_path(&root.join(path), path));
    }
    evaluate(&set, &Settings::default())
}

#[test]
fn the_new_checks_are_registered_static_and_report_once() {
    let results = evaluate(&EvidenceSet::default(), &Settings::default());
    for id in NEW_CHECKS {
        let def = check_def(id).unwrap();
        assert_eq!(def.scope, CheckScope::Static);
        let found = result(&results, id);
        assert_eq!(found.status, NotEvaluated, "{id} passes without evidence");
        assert!(!found.reason.is_empty());
    }
    // Appended: the older IDs keep their places.
    let ids: Vec<&str> = tickmark::checks::CHECKS.iter().map(|c| c.id).collect();
    let at = ids.iter().position(|id| *id == NEW_CHECKS[0]).unwrap();
    assert_eq!(&ids[at..at + 3], NEW_CHECKS);
    // The boundary checks came after them, then the sensitive-data ones.
    assert_eq!(
        &ids[at + 3..],
        [
            "k8s.cde-placement",
            "k8s.cde-network-isolation",
            "nsg.cde-subnet-isolation",
            "k8s.mesh-mtls",
            "k8s.no-secrets-in-env",
            "k8s.no-secret-in-annotations"
        ]
    );
    assert_eq!(ids[0], "aks.private-cluster");
}

#[test]
fn no_default_namespace_fails_on_a_workload_in_default() {
    let results = k8s(&["default-namespace/deployments.yaml"]);
    let found = result(&results, "k8s.no-default-namespace");
    assert_eq!(found.status, Fail);
    assert!(
        found
            .reason
            .starts_with("1 of 2 workload(s) fail: default/Deployment/report-export"),
        "{}",
        found.reason
    );
    let results = k8s(&["compliant/workloads.json", "compliant/pods.json"]);
    let found = result(&results, "k8s.no-default-namespace");
    assert_eq!(found.status, Pass, "{}", found.reason);
    // Pods are judged once, on their imported controllers; a pod whose
    // controller was not imported (coredns) is judged itself.
    let judged: Vec<&str> = found
        .resources
        .iter()
        .map(|r| r.resource.as_str())
        .collect();
    assert!(
        judged.iter().all(|r| !r.contains("/Pod/web-")),
        "{judged:?}"
    );
    assert!(
        judged.iter().any(|r| r.contains("Deployment/web")),
        "{judged:?}"
    );
    assert!(
        judged.iter().any(|r| r.contains("/Pod/coredns-")),
        "{judged:?}"
    );

    // A manifest that names no namespace cannot be placed.
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/k8s/default-namespace/deployments.yaml"),
    )
    .unwrap()
    .replace("    namespace: default\n", "");
    let mut set = EvidenceSet::default();
    set.add(import_bytes("no-namespace.yaml", text.as_bytes(), when()).unwrap());
    let results = evaluate(&set, &Settings::default());
    assert_eq!(status(&results, "k8s.no-default-namespace"), NotEvaluated);
}

#[test]
fn rbac_authorization_fails_on_access_policies() {
    let results = evaluate_fixtures(&["keyvault-show-compliant.json"]);
    assert_eq!(status(&results, "kv.rbac-authorization"), Pass);
    let results = evaluate_fixtures(&["keyvault-show-access-policies.json"]);
    let found = result(&results, "kv.rbac-authorization");
    assert_eq!(found.status, Fail);
    assert!(
        found.reason.contains("enableRbacAuthorization is false"),
        "{}",
        found.reason
    );
    assert_eq!(
        found.evidence[0].pointer, "/properties/enableRbacAuthorization",
        "points at the setting"
    );
    // A vault exported without the property cannot be judged.
    let text = std::fs::read_to_string(azure_platform_support::fixture(
        "keyvault-show-compliant.json",
    ))
    .unwrap()
    .replace("    \"enableRbacAuthorization\": true,\n", "");
    let mut set = EvidenceSet::default();
    set.add(import_bytes("vault.json", text.as_bytes(), when()).unwrap());
    let results = evaluate(&set, &Settings::default());
    assert_eq!(status(&results, "kv.rbac-authorization"), NotEvaluated);
}

#[test]
fn workspace_private_fails_on_public_ingestion_or_query() {
    let results = evaluate_fixtures(&["workspace-show-private.json"]);
    assert_eq!(status(&results, "logs.workspace-private"), Pass);
    let results = evaluate_fixtures(&["workspace-show-365.json"]);
    let found = result(&results, "logs.workspace-private");
    assert_eq!(found.status, Fail);
    assert!(
        found
            .reason
            .contains("publicNetworkAccessForIngestion is Enabled"),
        "{}",
        found.reason
    );
    // Both workspaces of an ARM list are judged.
    let results = evaluate_fixtures(&["workspace-rest-list-short.json"]);
    assert_eq!(
        result(&results, "logs.workspace-private").resources.len(),
        2
    );
    // Query closed but ingestion open still fails.
    let text = std::fs::read_to_string(azure_platform_support::fixture(
        "workspace-show-private.json",
    ))
    .unwrap()
    .replace(
        "\"publicNetworkAccessForIngestion\": \"Disabled\"",
        "\"publicNetworkAccessForIngestion\": \"Enabled\"",
    );
    let mut set = EvidenceSet::default();
    set.add(import_bytes("workspace.json", text.as_bytes(), when()).unwrap());
    let results = evaluate(&set, &Settings::default());
    assert_eq!(status(&results, "logs.workspace-private"), Fail);
}

#[test]
fn the_new_checks_support_requirements_of_both_catalogs() {
    let v4 = builtin(PCI_DSS_401_ID).unwrap();
    let v3 = pci_dss_321();
    for (catalog, check, requirements) in [
        (v4, "k8s.no-default-namespace", &["2.2.1"][..]),
        (v4, "kv.rbac-authorization", &["7.2.1"][..]),
        (v4, "logs.workspace-private", &["10.3.1", "10.3.2"][..]),
        (v3, "k8s.no-default-namespace", &["2.2"][..]),
        (v3, "kv.rbac-authorization", &["7.2.1"][..]),
        (v3, "logs.workspace-private", &["10.5.1", "10.5.2"][..]),
    ] {
        let mapped: Vec<&str> = catalog
            .nodes_with_check(check)
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(mapped, requirements, "{} {check}", catalog.id);
        for id in requirements {
            assert_eq!(
                catalog.strength_for(id, check),
                Some(MappingStrength::Supports),
                "{} {id} {check}",
                catalog.id
            );
        }
    }
}
