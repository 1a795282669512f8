//! The `k8s.*` checks against written fixtures: every check passes on the
//! compliant set and fails on the failing set, plus the edge cases of
//! default-deny, exclusions and controller de-duplication.

mod common;

use chrono::{DateTime, Utc};
use tickmark::checks::{CheckResult, CheckStatus, Settings, evaluate};
use tickmark::evidence::{EvidenceSet, import_bytes};

const K8S_CHECKS: [&str; 11] = [
    "k8s.default-deny",
    "k8s.pod-non-root",
    "k8s.no-privilege-escalation",
    "k8s.no-privileged",
    "k8s.drop-capabilities",
    "k8s.image-digest",
    "k8s.image-registry",
    "k8s.no-public-loadbalancer",
    "k8s.no-cluster-admin-binding",
    "k8s.no-dashboard",
    "k8s.ingress-tls",
];

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn fixture(relative: &str) -> Vec<u8> {
    std::fs::read(
        common::project_dir()
            .join("tests/fixtures/k8s")
            .join(relative),
    )
    .unwrap()
}

fn set_of(files: &[&str]) -> EvidenceSet {
    let mut set = EvidenceSet::default();
    for file in files {
        set.add(import_bytes(file, &fixture(file), now()).unwrap());
    }
    set
}

fn set_of_text(files: &[(&str, &str)]) -> EvidenceSet {
    let mut set = EvidenceSet::default();
    for (name, text) in files {
        set.add(import_bytes(name, text.as_bytes(), now()).unwrap());
    }
    set
}

fn dir_set(dir: &str) -> EvidenceSet {
    let mut names: Vec<String> =
        std::fs::read_dir(common::project_dir().join("tests/fixtures/k8s").join(dir))
            .unwrap()
            .map(|e| format!("{dir}/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
    names.sort();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    set_of(&refs)
}

fn result(set: &EvidenceSet, check: &str) -> CheckResult {
    result_with(set, check, &Settings::default())
}

fn result_with(set: &EvidenceSet, check: &str, settings: &Settings) -> CheckResult {
    let results = evaluate(set, settings);
    let mut found = results.into_iter().filter(|r| r.check == check);
    let first = found
        .next()
        .unwrap_or_else(|| panic!("{check} gave no result"));
    assert!(found.next().is_none(), "{check} gave more than one result");
    first
}

fn resource<'a>(result: &'a CheckResult, name: &str) -> &'a tickmark::checks::ResourceResult {
    result
        .resources
        .iter()
        .find(|r| r.resource == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = result
                .resources
                .iter()
                .map(|r| r.resource.as_str())
                .collect();
            panic!("{name} not among {names:?}")
        })
}

#[test]
fn every_check_passes_on_the_compliant_set() {
    let set = dir_set("compliant");
    for check in K8S_CHECKS {
        let r = result(&set, check);
        assert_eq!(r.status, CheckStatus::Pass, "{check}: {}", r.reason);
        assert!(!r.evidence.is_empty(), "{check} names no evidence");
    }
}

#[test]
fn every_check_fails_on_the_failing_set() {
    let set = dir_set("failing");
    for check in K8S_CHECKS {
        let r = result(&set, check);
        assert_eq!(r.status, CheckStatus::Fail, "{check}: {}", r.reason);
        assert!(!r.evidence.is_empty(), "{check} names no evidence");
    }
}

#[test]
fn no_check_passes_without_evidence() {
    let set = EvidenceSet::default();
    for check in K8S_CHECKS {
        let r = result(&set, check);
        assert_eq!(r.status, CheckStatus::NotEvaluated, "{check}");
        assert!(r.reason.contains("imported"), "{check}: {}", r.reason);
    }
}

#[test]
fn default_deny_explains_each_namespace() {
    let set = dir_set("failing");
    let r = result(&set, "k8s.default-deny");
    assert_eq!(resource(&r, "Namespace/a0005-i").status, CheckStatus::Pass);
    let ingress_only = resource(&r, "Namespace/a0005-o");
    assert_eq!(ingress_only.status, CheckStatus::Fail);
    assert!(
        ingress_only.reason.contains("covers Ingress only"),
        "{}",
        ingress_only.reason
    );
    let allow_all = resource(&r, "Namespace/payments");
    assert_eq!(allow_all.status, CheckStatus::Fail);
    assert!(
        allow_all.reason.contains("allow-all rule"),
        "{}",
        allow_all.reason
    );
    let none = resource(&r, "Namespace/tools");
    assert!(none.reason.contains("no network policy in this namespace"));
    let partial = resource(&r, "Namespace/kubernetes-dashboard");
    assert!(partial.reason.contains("selects only some pods"));
    assert!(
        r.resources
            .iter()
            .all(|r| r.resource != "Namespace/kube-system"),
        "excluded namespaces are not judged"
    );
    assert!(
        r.reason
            .contains("1 system namespace(s) excluded by the settings (kube-system)"),
        "{}",
        r.reason
    );
    // The evidence points at the namespace and at the policies looked at.
    let pointers: Vec<&str> = allow_all
        .evidence
        .iter()
        .map(|e| e.pointer.as_str())
        .collect();
    assert_eq!(pointers, ["/items/2", "/items/2"]);
    assert_eq!(allow_all.evidence[1].path, "failing/networkpolicies.json");
}

#[test]
fn default_deny_on_excluded_namespaces_only_is_not_evaluated() {
    let set = set_of_text(&[(
        "ns.yaml",
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: kube-system}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: aks-command}\n",
    )]);
    let r = result(&set, "k8s.default-deny");
    assert_eq!(r.status, CheckStatus::NotEvaluated);
    assert!(r.reason.contains("excluded"), "{}", r.reason);

    let mut settings = Settings::default();
    settings.excluded_namespace_prefixes.clear();
    let r = result_with(&set, "k8s.default-deny", &settings);
    assert_eq!(
        r.status,
        CheckStatus::Fail,
        "aks-command is judged once the prefix is dropped"
    );
}

#[test]
fn default_deny_without_any_policies_says_so() {
    let set = set_of(&["compliant/namespaces.json"]);
    let r = result(&set, "k8s.default-deny");
    assert_eq!(r.status, CheckStatus::Fail);
    assert!(
        r.reason.contains("no network policies were imported"),
        "{}",
        r.reason
    );
    assert_eq!(r.resources.len(), 3, "a0005-i, a0005-o and default");
}

#[test]
fn default_deny_falls_back_to_workload_namespaces() {
    let set = set_of(&["compliant/workloads.json", "compliant/networkpolicies.yaml"]);
    let r = result(&set, "k8s.default-deny");
    assert_eq!(r.status, CheckStatus::Pass, "{}", r.reason);
    assert!(
        r.reason.contains("no Namespace objects were imported"),
        "{}",
        r.reason
    );
    let names: Vec<&str> = r.resources.iter().map(|r| r.resource.as_str()).collect();
    assert_eq!(names, ["Namespace/a0005-i", "Namespace/a0005-o"]);
}

#[test]
fn a_policy_without_policy_types_covers_only_ingress() {
    let policies = r#"{"apiVersion":"v1","items":[{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy",
        "metadata":{"name":"deny","namespace":"a"},"spec":{"podSelector":{}}}],"kind":"List","metadata":{}}"#;
    let namespaces = r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}"#;
    let set = set_of_text(&[("np.json", policies), ("ns.json", namespaces)]);
    let r = result(&set, "k8s.default-deny");
    assert_eq!(r.status, CheckStatus::Fail);
    assert!(r.reason.contains("covers Ingress only"), "{}", r.reason);
}

#[test]
fn pod_security_fails_name_the_container_and_field() {
    let set = dir_set("failing");
    let non_root = result(&set, "k8s.pod-non-root");
    let shipper = resource(&non_root, "tools/DaemonSet/log-shipper/shipper");
    assert_eq!(shipper.status, CheckStatus::Fail);
    assert!(shipper.reason.contains("runAsUser is 0"));
    assert_eq!(
        shipper.evidence[0].pointer,
        "doc 2 /spec/template/spec/containers/0/securityContext/runAsUser"
    );
    assert_eq!(shipper.evidence[0].path, "failing/workloads.yaml");
    // The container's runAsNonRoot: false overrides the pod's true.
    let cache = resource(&non_root, "a0005-o/StatefulSet/cache/redis");
    assert_eq!(cache.status, CheckStatus::Fail);
    assert!(
        cache
            .reason
            .contains("runAsNonRoot is false on the container"),
        "{}",
        cache.reason
    );

    let privileged = result(&set, "k8s.no-privileged");
    let shipper = resource(&privileged, "tools/DaemonSet/log-shipper/shipper");
    assert!(shipper.reason.contains("privileged"));
    assert!(shipper.reason.contains("hostNetwork"));
    assert!(shipper.reason.contains("hostPID"));

    let caps = result(&set, "k8s.drop-capabilities");
    let cache = resource(&caps, "a0005-o/StatefulSet/cache/redis");
    assert!(
        cache.reason.contains("drops only NET_RAW"),
        "{}",
        cache.reason
    );

    let escalation = result(&set, "k8s.no-privilege-escalation");
    assert_eq!(
        resource(&escalation, "a0005-o/StatefulSet/cache/redis").reason,
        "allowPrivilegeEscalation is true"
    );
    assert!(
        resource(&escalation, "payments/Deployment/legacy-api/api")
            .reason
            .contains("not set")
    );
}

#[test]
fn pod_level_settings_count_unless_the_container_overrides_them() {
    let set = dir_set("compliant");
    let r = result(&set, "k8s.pod-non-root");
    let web = resource(&r, "a0005-i/Deployment/web/web");
    assert_eq!(web.reason, "runAsNonRoot is true on the pod");
    assert_eq!(
        web.evidence[0].pointer,
        "/items/0/spec/template/spec/securityContext/runAsNonRoot"
    );
    let ledger = resource(&r, "a0005-o/StatefulSet/ledger/ledger");
    assert!(ledger.reason.contains("UID 10002"));
}

#[test]
fn init_containers_are_judged() {
    let set = dir_set("compliant");
    let r = result(&set, "k8s.image-digest");
    assert_eq!(
        resource(&r, "a0005-i/Deployment/web/migrate").status,
        CheckStatus::Pass
    );
}

#[test]
fn controllers_are_judged_once_and_injected_sidecars_on_the_pod() {
    let set = dir_set("compliant");
    let r = result(&set, "k8s.pod-non-root");
    assert!(
        r.resources.iter().all(|r| !r.resource.contains("/Pod/")),
        "pods of imported controllers are not judged again"
    );
    // web: 2 pods × 2 containers, ledger: 1 pod × 1 container.
    assert!(r.reason.contains("5 pod container(s) judged once, on their imported controller's template (Deployment, StatefulSet)"), "{}", r.reason);

    let set = dir_set("failing");
    let r = result(&set, "k8s.image-registry");
    let sidecar = resource(&r, "payments/Pod/legacy-api-6b7f9c8d4-lk2sd/istio-proxy");
    assert_eq!(sidecar.status, CheckStatus::Fail);
    assert!(sidecar.reason.contains("docker.io"));
    assert!(
        r.resources
            .iter()
            .all(|r| r.resource != "payments/Pod/legacy-api-6b7f9c8d4-lk2sd/api")
    );
    assert_eq!(
        resource(&r, "payments/Pod/debug/debug").status,
        CheckStatus::Fail
    );
}

#[test]
fn pods_alone_are_judged_as_pods() {
    let set = set_of(&["compliant/pods.json"]);
    let r = result(&set, "k8s.pod-non-root");
    assert_eq!(r.status, CheckStatus::Pass, "{}", r.reason);
    assert_eq!(r.resources.len(), 5);
    assert!(
        r.reason
            .contains("1 container(s) in excluded system namespaces (kube-system) not judged"),
        "{}",
        r.reason
    );
}

#[test]
fn excluded_namespaces_are_not_judged_and_counted() {
    let set = dir_set("compliant");
    let r = result(&set, "k8s.no-privileged");
    assert_eq!(r.status, CheckStatus::Pass, "{}", r.reason);
    assert!(
        r.reason
            .contains("2 container(s) in excluded system namespaces (kube-system) not judged"),
        "{}",
        r.reason
    );
    let mut settings = Settings::default();
    settings.excluded_namespaces.retain(|n| n != "kube-system");
    let r = result_with(&set, "k8s.no-privileged", &settings);
    assert_eq!(r.status, CheckStatus::Fail);
    assert!(
        r.reason
            .contains("kube-system/DaemonSet/node-exporter/node-exporter"),
        "{}",
        r.reason
    );

    let only_system = set_of_text(&[(
        "p.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: kube-system}\nspec:\n  containers:\n  - {name: c, image: x}\n",
    )]);
    let r = result(&only_system, "k8s.image-digest");
    assert_eq!(r.status, CheckStatus::NotEvaluated);
    assert!(
        r.reason.contains("excluded system namespace (kube-system)"),
        "{}",
        r.reason
    );
}

#[test]
fn images_need_a_digest_and_an_allowed_registry() {
    let set = dir_set("failing");
    let digest = result(&set, "k8s.image-digest");
    let api = resource(&digest, "payments/Deployment/legacy-api/api");
    assert!(
        api.reason
            .contains("docker.io/library/nginx:1.25 is referenced by tag")
    );
    assert_eq!(
        api.evidence[0].pointer,
        "doc 1 /spec/template/spec/containers/0/image"
    );
    let registry = result(&set, "k8s.image-registry");
    let cache = resource(&registry, "a0005-o/StatefulSet/cache/redis");
    assert_eq!(
        cache.status,
        CheckStatus::Pass,
        "mcr.microsoft.com is allowed"
    );

    let settings = Settings {
        allowed_registries: vec![
            "docker.io".into(),
            "*.azurecr.io".into(),
            "mcr.microsoft.com".into(),
        ],
        ..Settings::default()
    };
    let r = result_with(&set, "k8s.image-registry", &settings);
    assert_eq!(
        resource(&r, "payments/Deployment/legacy-api/api").status,
        CheckStatus::Pass
    );
}

#[test]
fn load_balancers_need_the_internal_annotation() {
    let set = dir_set("failing");
    let r = result(&set, "k8s.no-public-loadbalancer");
    assert_eq!(
        resource(&r, "payments/Service/payments-public").status,
        CheckStatus::Fail
    );
    assert!(
        resource(&r, "tools/Service/tools-lb")
            .reason
            .contains("\"false\"")
    );
    assert_eq!(
        resource(&r, "a0005-i/Service/internal-lb").status,
        CheckStatus::Pass
    );

    let cluster_ip_only = set_of_text(&[(
        "svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\nspec: {type: ClusterIP}\n",
    )]);
    let r = result(&cluster_ip_only, "k8s.no-public-loadbalancer");
    assert_eq!(r.status, CheckStatus::Pass);
    assert!(r.reason.contains("none of the 1 imported service(s)"));
    assert_eq!(r.evidence[0].path, "svc.yaml");
}

#[test]
fn cluster_admin_only_for_system_names() {
    let set = dir_set("failing");
    let r = result(&set, "k8s.no-cluster-admin-binding");
    assert_eq!(
        resource(&r, "ClusterRoleBinding/cluster-admin").status,
        CheckStatus::Pass
    );
    let ops = resource(&r, "ClusterRoleBinding/ops-admin");
    assert_eq!(ops.status, CheckStatus::Fail);
    assert!(ops.reason.contains("User alice@contoso.com"));
    assert!(!ops.reason.contains("system:masters outside"));
    let tiller = resource(&r, "ClusterRoleBinding/tiller");
    assert!(tiller.reason.contains("ServiceAccount kube-system/tiller"));
}

#[test]
fn the_dashboard_is_found_by_image_or_label() {
    let set = dir_set("failing");
    let r = result(&set, "k8s.no-dashboard");
    assert_eq!(r.resources.len(), 1);
    assert_eq!(
        r.resources[0].resource,
        "kubernetes-dashboard/Deployment/kubernetes-dashboard"
    );
    assert!(r.reason.contains("kubernetesui/dashboard:v2.7.0"));
    let by_label = set_of_text(&[(
        "d.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ui\n  namespace: tools\n  labels: {app.kubernetes.io/name: kubernetes-dashboard-web}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: web, image: contoso.azurecr.io/ui:1}\n",
    )]);
    assert_eq!(
        result(&by_label, "k8s.no-dashboard").status,
        CheckStatus::Fail
    );
}

#[test]
fn ingress_hosts_need_tls() {
    let set = dir_set("failing");
    let r = result(&set, "k8s.ingress-tls");
    let shop = resource(&r, "payments/Ingress/shop");
    assert_eq!(shop.status, CheckStatus::Fail);
    assert_eq!(shop.reason, "served without TLS: admin.contoso.com");
    assert_eq!(shop.evidence[1].pointer, "/items/0/spec/rules/1");
    let catch_all = resource(&r, "tools/Ingress/catch-all");
    assert!(catch_all.reason.contains("(any host)"));

    let compliant = dir_set("compliant");
    let r = result(&compliant, "k8s.ingress-tls");
    assert_eq!(
        resource(&r, "a0005-i/Ingress/web").reason,
        "all 1 host rule(s) are covered by a TLS entry"
    );
}

#[test]
fn results_serialise_with_the_contract_ids() {
    let set = dir_set("failing");
    let results = evaluate(&set, &Settings::default());
    let json = serde_json::to_value(&results).unwrap();
    let statuses: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["check"].as_str().unwrap().starts_with("k8s."))
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    // The eleven original k8s checks fail on this fixture; the one added
    // with 4.0.1 (k8s.no-default-namespace) passes: nothing runs in
    // `default` here; the boundary checks have no scope to judge by; its
    // workloads set no secret literally, and no annotation holds Secret
    // data (the two added with the sensitive-data scan).
    assert_eq!(statuses[..11], ["fail"; 11]);
    assert_eq!(
        statuses[11..],
        [
            "pass",
            "not_evaluated",
            "not_evaluated",
            "not_evaluated",
            "pass",
            "pass"
        ]
    );
}
