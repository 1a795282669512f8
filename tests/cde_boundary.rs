//! The CDE boundary (issue 20): scope from labels and the scope file, the
//! new evidence (nodes, mesh policies), and the four boundary checks on an
//! estate where an out-of-scope pod runs on an in-scope node and an in-scope
//! policy admits every namespace, on the corrected estate, and without any
//! scope information.

mod common;

use chrono::{DateTime, Utc};
use tickmark::checks::{CheckResult, CheckStatus, Settings, evaluate};
use tickmark::evidence::{EvidenceSet, Format, import_bytes};
use tickmark::scope::{Scope, ScopeClass, ScopeKind};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(
        common::project_dir()
            .join("tests/fixtures/cde")
            .join(relative),
    )
    .unwrap()
}

const ESTATE: [&str; 7] = [
    "estate/aks-cluster.json",
    "estate/vnet.json",
    "estate/nsgs.json",
    "estate/namespaces.json",
    "estate/nodes.json",
    "estate/peerauthentications.json",
    "estate/tickmark-scope.toml",
];

/// The estate plus `variant`'s pods and policies, each file passed through
/// `edit` (path, text) first.
fn set_with(variant: &str, edit: impl Fn(&str, String) -> Option<String>) -> EvidenceSet {
    let mut set = EvidenceSet::default();
    let pods = format!("{variant}/pods.json");
    let policies = format!("{variant}/networkpolicies.json");
    for path in ESTATE
        .iter()
        .copied()
        .chain([pods.as_str(), policies.as_str()])
    {
        if let Some(text) = edit(path, read(path)) {
            set.add(import_bytes(path, text.as_bytes(), now()).unwrap());
        }
    }
    set
}

fn set(variant: &str) -> EvidenceSet {
    set_with(variant, |_, text| Some(text))
}

fn result<'a>(results: &'a [CheckResult], id: &str) -> &'a CheckResult {
    results.iter().find(|r| r.check == id).unwrap()
}

#[test]
fn the_new_files_are_recognised_by_their_content() {
    let formats: Vec<(&str, Format)> = [
        ("estate/nodes.json", Format::KubectlNodes),
        (
            "estate/peerauthentications.json",
            Format::KubectlMeshPolicies,
        ),
        ("estate/tickmark-scope.toml", Format::TickmarkScope),
    ]
    .into_iter()
    .collect();
    for (path, format) in formats {
        let file = import_bytes("renamed.txt", read(path).as_bytes(), now()).unwrap();
        assert_eq!(file.provenance.format, format, "{path}");
    }
    let nodes = import_bytes("n", read("estate/nodes.json").as_bytes(), now()).unwrap();
    let node = &nodes.evidence.k8s.nodes[1];
    assert_eq!(node.pool(), Some("npinscope01"));
    assert_eq!(node.taints[0].to_string(), "pci-scope=in-scope:NoSchedule");
    assert_eq!(node.internal_ips, ["10.240.4.4"]);
    let pods = import_bytes("p", read("violating/pods.json").as_bytes(), now()).unwrap();
    let pod = &pods.evidence.k8s.workloads[1];
    assert_eq!(
        pod.placement.node_name.as_deref(),
        Some("aks-npinscope01-13572468-vmss000000")
    );
    assert_eq!(pod.placement.tolerations.len(), 2);
    assert_eq!(pod.pod.node_selector["pci-scope"], "in-scope");
    // A custom resource of another project named like one Tickmark reads
    // is skipped, not misread.
    let other = r#"{"apiVersion":"v1","kind":"List","items":[
        {"apiVersion":"example.com/v1","kind":"Server","metadata":{"name":"s","namespace":"n"},"spec":{"accessPolicy":7}},
        {"apiVersion":"policy.linkerd.io/v1beta3","kind":"Server","metadata":{"name":"web","namespace":"n"},
         "spec":{"podSelector":{"matchLabels":{"app":"web"}},"port":"http","accessPolicy":"all-unauthenticated"}}]}"#;
    let file = import_bytes("servers.json", other.as_bytes(), now()).unwrap();
    assert_eq!(file.evidence.k8s.mesh_policies.len(), 1);
    assert_eq!(
        file.evidence.k8s.mesh_policies[0].mode.as_deref(),
        Some("all-unauthenticated")
    );
    assert!(
        file.provenance
            .notes
            .iter()
            .any(|n| n.contains("Server (example.com/v1)")),
        "{:?}",
        file.provenance.notes
    );
}

#[test]
fn scope_comes_from_labels_pools_and_the_scope_file() {
    let scope = Scope::derive(&set("violating").evidence);
    let class = |kind, name| scope.class_of(kind, name);
    assert_eq!(
        class(ScopeKind::Namespace, "a0005-i"),
        Some(ScopeClass::InScope)
    );
    assert_eq!(
        class(ScopeKind::Namespace, "a0005-o"),
        Some(ScopeClass::OutOfScope)
    );
    assert_eq!(class(ScopeKind::Namespace, "kube-system"), None);
    assert_eq!(
        class(ScopeKind::NodePool, "npsystem"),
        Some(ScopeClass::Connected)
    );
    assert_eq!(
        class(ScopeKind::Subnet, "snet-outofscope"),
        Some(ScopeClass::OutOfScope)
    );
    assert_eq!(class(ScopeKind::Subnet, "snet-appgw"), None);
    let vnet = scope.entry(ScopeKind::Vnet, "vnet-spoke-test").unwrap();
    assert_eq!(vnet.class, Some(ScopeClass::InScope));
    assert!(vnet.grounds[0].declared, "{:?}", vnet.grounds);
    assert_eq!(vnet.addresses, ["10.240.0.0/16"]);
    assert_eq!(scope.flows.len(), 1);
    assert_eq!(scope.flows[0].source.pointer, "line 9");
}

#[test]
fn an_out_of_scope_pod_on_an_in_scope_node_and_a_policy_admitting_all_namespaces_fail() {
    let results = evaluate(&set("violating"), &Settings::default());
    let placement = result(&results, "k8s.cde-placement");
    assert_eq!(placement.status, CheckStatus::Fail, "{}", placement.reason);
    let failing: Vec<_> = placement
        .resources
        .iter()
        .filter(|r| r.status == CheckStatus::Fail)
        .collect();
    let runs = failing
        .iter()
        .find(|r| r.resource.contains("on aks-npinscope01"))
        .unwrap();
    assert!(
        runs.resource
            .starts_with("a0005-o/Pod/microservice-b-7c5d9b6f4-p8m2z")
    );
    assert!(
        runs.reason
            .contains("node aks-npinscope01-13572468-vmss000000 of in-scope pool npinscope01"),
        "{}",
        runs.reason
    );
    assert_eq!(runs.scope, Some(ScopeClass::OutOfScope));
    assert!(
        runs.evidence
            .iter()
            .any(|e| e.pointer == "/items/1/spec/nodeName")
    );
    let spec = failing
        .iter()
        .find(|r| r.resource.ends_with("(pod spec)"))
        .unwrap();
    assert!(
        spec.reason
            .contains("tolerates the in-scope taint pci-scope=in-scope:NoSchedule of npinscope01"),
        "{}",
        spec.reason
    );

    let isolation = result(&results, "k8s.cde-network-isolation");
    assert_eq!(isolation.status, CheckStatus::Fail, "{}", isolation.reason);
    let namespace = &isolation.resources[0];
    assert_eq!(namespace.resource, "namespace a0005-i");
    assert!(
        namespace
            .reason
            .contains("policy allow-web-frontend ingress rule 1 (8443/TCP)")
            && namespace.reason.contains("selects every namespace"),
        "{}",
        namespace.reason
    );
    assert!(
        namespace
            .evidence
            .iter()
            .any(|e| e.path == "violating/networkpolicies.json"
                && e.pointer == "/items/1/spec/ingress/0")
    );
}

#[test]
fn the_corrected_estate_passes_with_the_declared_flow_named() {
    let results = evaluate(&set("corrected"), &Settings::default());
    let placement = result(&results, "k8s.cde-placement");
    assert_eq!(placement.status, CheckStatus::Pass, "{}", placement.reason);
    assert!(
        placement
            .reason
            .contains("workload(s) of connected or system namespaces not judged")
            || placement.resources.len() == 4,
        "{}",
        placement.reason
    );
    let isolation = result(&results, "k8s.cde-network-isolation");
    assert_eq!(isolation.status, CheckStatus::Pass, "{}", isolation.reason);
    assert!(
        isolation.reason.contains("only as the scope file declares")
            && isolation.reason.contains("CHG-3310"),
        "{}",
        isolation.reason
    );
    let nsg = result(&results, "nsg.cde-subnet-isolation");
    assert_eq!(nsg.status, CheckStatus::Pass, "{}", nsg.reason);
    assert!(
        nsg.reason.contains("DenyOutOfScopeNodesInBound"),
        "{}",
        nsg.reason
    );
    let mesh = result(&results, "k8s.mesh-mtls");
    assert_eq!(mesh.status, CheckStatus::Pass, "{}", mesh.reason);
    assert!(
        mesh.reason
            .contains("mesh-wide PeerAuthentication default sets mTLS mode STRICT"),
        "{}",
        mesh.reason
    );
}

#[test]
fn the_flow_must_be_declared_with_its_ports() {
    let results = evaluate(
        &set_with("corrected", |path, text| {
            Some(if path.ends_with("tickmark-scope.toml") {
                text.replace("8443/TCP", "443/TCP")
            } else {
                text
            })
        }),
        &Settings::default(),
    );
    let isolation = result(&results, "k8s.cde-network-isolation");
    assert_eq!(isolation.status, CheckStatus::Fail, "{}", isolation.reason);
    assert!(
        isolation
            .reason
            .contains("reaches out-of-scope namespace a0005-o"),
        "{}",
        isolation.reason
    );
}

#[test]
fn without_scope_information_the_boundary_checks_say_what_to_provide() {
    let unlabelled = set_with("violating", |path, text| {
        (!path.ends_with(".toml")).then(|| text.replace("\"pci-scope\": \"", "\"team\": \""))
    });
    assert!(!Scope::derive(&unlabelled.evidence).is_known());
    let results = evaluate(&unlabelled, &Settings::default());
    for id in [
        "k8s.cde-placement",
        "k8s.cde-network-isolation",
        "nsg.cde-subnet-isolation",
        "k8s.mesh-mtls",
    ] {
        let r = result(&results, id);
        assert_eq!(r.status, CheckStatus::NotEvaluated, "{id}");
        assert!(
            r.reason.contains("pci-scope=in-scope") && r.reason.contains("tickmark-scope.toml"),
            "{id}: {}",
            r.reason
        );
    }
}

/// `text` (JSON) with `change` applied to its parsed value.
fn json_edit(text: &str, change: impl Fn(&mut serde_json::Value)) -> String {
    let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
    change(&mut value);
    serde_json::to_string_pretty(&value).unwrap()
}

/// The in-scope NSG's own rule, edited by `change`.
fn edit_inscope_rule(change: impl Fn(&mut serde_json::Value) + Copy) -> EvidenceSet {
    set_with("corrected", move |path, text| {
        Some(if path.ends_with("nsgs.json") {
            json_edit(&text, |nsgs| {
                let rule = &mut nsgs[1]["securityRules"][0];
                assert_eq!(rule["name"], "DenyOutOfScopeNodesInBound");
                change(rule);
            })
        } else {
            text
        })
    })
}

#[test]
fn nsgs_must_deny_out_of_scope_ranges_before_azure_admits_the_vnet() {
    let open = edit_inscope_rule(|rule| rule["access"] = "Allow".into());
    let results = evaluate(&open, &Settings::default());
    let nsg = result(&results, "nsg.cde-subnet-isolation");
    assert_eq!(nsg.status, CheckStatus::Fail, "{}", nsg.reason);
    assert!(
        nsg.reason.contains("rule DenyOutOfScopeNodesInBound (priority 200) admits */* from out-of-scope subnet snet-outofscope (10.240.8.0/22)"),
        "{}",
        nsg.reason
    );

    let defaults_only =
        edit_inscope_rule(|rule| rule["sourceAddressPrefix"] = "10.250.0.0/22".into());
    let results = evaluate(&defaults_only, &Settings::default());
    let nsg = result(&results, "nsg.cde-subnet-isolation");
    assert_eq!(nsg.status, CheckStatus::Fail);
    assert!(
        nsg.reason
            .contains("default rule AllowVnetInBound (priority 65000)"),
        "{}",
        nsg.reason
    );
}

#[test]
fn mesh_mtls_fails_when_permissive_not_injected_or_a_pod_has_no_proxy() {
    let permissive = set_with("corrected", |path, text| {
        Some(if path.ends_with("peerauthentications.json") {
            text.replace("STRICT", "PERMISSIVE")
        } else {
            text
        })
    });
    let mesh = evaluate(&permissive, &Settings::default());
    let mesh = result(&mesh, "k8s.mesh-mtls");
    assert_eq!(mesh.status, CheckStatus::Fail);
    assert!(
        mesh.reason.contains("sets mTLS mode PERMISSIVE"),
        "{}",
        mesh.reason
    );

    let uninjected = set_with("corrected", |path, text| {
        Some(if path.ends_with("namespaces.json") {
            json_edit(&text, |list| {
                let labels = list["items"][2]["metadata"]["labels"]
                    .as_object_mut()
                    .unwrap();
                assert!(labels.remove("istio-injection").is_some());
            })
        } else {
            text
        })
    });
    let mesh = evaluate(&uninjected, &Settings::default());
    let mesh = result(&mesh, "k8s.mesh-mtls");
    assert_eq!(mesh.status, CheckStatus::Fail, "{}", mesh.reason);
    assert!(
        mesh.reason.contains("no service mesh injects its proxies"),
        "{}",
        mesh.reason
    );

    let no_proxy = set_with("corrected", |path, text| {
        Some(if path.ends_with("pods.json") {
            text.replacen("\"name\": \"istio-proxy\"", "\"name\": \"sidecar\"", 1)
        } else {
            text
        })
    });
    let mesh = evaluate(&no_proxy, &Settings::default());
    let mesh = result(&mesh, "k8s.mesh-mtls");
    assert_eq!(mesh.status, CheckStatus::Fail, "{}", mesh.reason);
    assert!(
        mesh.reason.contains("web-frontend-6d9f7c8b5-x2k4q"),
        "{}",
        mesh.reason
    );

    let no_policies = set_with("corrected", |path, text| {
        (!path.ends_with("peerauthentications.json")).then_some(text)
    });
    let mesh = evaluate(&no_policies, &Settings::default());
    assert_eq!(
        result(&mesh, "k8s.mesh-mtls").status,
        CheckStatus::NotEvaluated
    );
}

#[test]
fn pod_and_image_results_carry_their_scope() {
    let results = evaluate(&set("violating"), &Settings::default());
    for id in ["k8s.pod-non-root", "k8s.image-digest", "k8s.default-deny"] {
        let r = result(&results, id);
        assert!(!r.resources.is_empty(), "{id}");
        for resource in r.resources.iter().filter(|r| r.resource.contains("a0005-")) {
            let expected = if resource.resource.contains("a0005-i") {
                ScopeClass::InScope
            } else {
                ScopeClass::OutOfScope
            };
            assert_eq!(resource.scope, Some(expected), "{id} {}", resource.resource);
        }
    }
}
