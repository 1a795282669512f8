//! Importing Kubernetes objects: shapes, formats, pointers and notes.

mod common;

use chrono::{DateTime, Utc};
use tickmark::evidence::k8s::{ContainerRole, ObjectKind};
use tickmark::evidence::{Format, ImportedFile, import_bytes};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn import(relative: &str) -> ImportedFile {
    let path = common::project_dir()
        .join("tests/fixtures/k8s")
        .join(relative);
    let bytes = std::fs::read(&path).unwrap();
    import_bytes(relative, &bytes, now()).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

#[test]
fn each_kind_gets_its_own_format() {
    let cases = [
        ("compliant/namespaces.json", Format::KubectlNamespaces),
        (
            "compliant/networkpolicies.yaml",
            Format::KubectlNetworkPolicies,
        ),
        ("compliant/workloads.json", Format::KubectlWorkloads),
        ("compliant/pods.json", Format::KubectlPods),
        ("compliant/services.yaml", Format::KubectlServices),
        ("compliant/ingresses.json", Format::KubectlIngresses),
        (
            "compliant/clusterrolebindings.json",
            Format::KubectlClusterRoleBindings,
        ),
        ("shapes/mixed-list.json", Format::KubectlObjects),
        ("shapes/pods.yaml", Format::KubectlPods),
        ("shapes/deployment.yaml", Format::KubectlWorkloads),
    ];
    for (file, format) in cases {
        let imported = import(file);
        assert_eq!(imported.provenance.format, format, "{file}");
        assert_eq!(
            imported.provenance.tool.as_deref(),
            Some("kubectl"),
            "{file}"
        );
    }
}

#[test]
fn counts_and_pointers_of_a_kubectl_json_list() {
    let file = import("compliant/workloads.json");
    let workloads = &file.evidence.k8s.workloads;
    let kinds: Vec<ObjectKind> = workloads.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        [
            ObjectKind::Deployment,
            ObjectKind::StatefulSet,
            ObjectKind::DaemonSet,
            ObjectKind::CronJob
        ]
    );
    let web = &workloads[0];
    assert_eq!(web.source.pointer, "/items/0");
    assert_eq!(
        web.source.resource.as_deref(),
        Some("a0005-i/Deployment/web")
    );
    assert_eq!(web.pod.pointer, "/items/0/spec/template/spec");
    assert_eq!(web.pod.security.run_as_non_root, Some(true));
    let roles: Vec<(ContainerRole, &str, &str)> = web
        .pod
        .containers
        .iter()
        .map(|c| (c.role, c.name.as_str(), c.pointer.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            (
                ContainerRole::Init,
                "migrate",
                "/items/0/spec/template/spec/initContainers/0"
            ),
            (
                ContainerRole::App,
                "web",
                "/items/0/spec/template/spec/containers/0"
            ),
        ]
    );
    let exporter = &workloads[2];
    assert_eq!(exporter.pod.host_network, Some(true));
    assert_eq!(exporter.pod.host_pid, Some(true));
    assert_eq!(exporter.pod.containers[0].security.privileged, Some(true));
    let cron = &workloads[3];
    assert_eq!(
        cron.pod.containers[0].pointer,
        "/items/3/spec/jobTemplate/spec/template/spec/containers/0"
    );
}

#[test]
fn pods_keep_their_owners_and_labels() {
    let file = import("compliant/pods.json");
    let pod = &file.evidence.k8s.workloads[0];
    assert_eq!(pod.kind, ObjectKind::Pod);
    assert_eq!(pod.owners[0].kind, "ReplicaSet");
    assert_eq!(pod.owners[0].name, "web-7c9f8d6b5");
    assert!(pod.owners[0].controller);
    assert_eq!(pod.labels["pod-template-hash"], "7c9f8d6b5");
    assert_eq!(pod.pod.containers[1].pointer, "/items/0/spec/containers/0");
}

#[test]
fn yaml_streams_name_the_document() {
    let file = import("failing/workloads.yaml");
    let pointers: Vec<&str> = file
        .evidence
        .k8s
        .workloads
        .iter()
        .map(|w| w.source.pointer.as_str())
        .collect();
    assert_eq!(pointers, ["doc 1", "doc 2", "doc 3", "doc 4"]);
    assert_eq!(
        file.evidence.k8s.workloads[1].pod.containers[0].pointer,
        "doc 2 /spec/template/spec/containers/0"
    );
    let services = import("compliant/services.yaml");
    let lb = &services.evidence.k8s.services[1];
    assert_eq!(lb.source.pointer, "doc 2");
    assert_eq!(lb.service_type.as_deref(), Some("LoadBalancer"));
    assert_eq!(
        lb.annotations["service.beta.kubernetes.io/azure-load-balancer-internal"],
        "true"
    );
    let policies = import("compliant/networkpolicies.yaml");
    assert_eq!(
        policies.evidence.k8s.network_policies[3].source.pointer,
        "/items/3"
    );
}

#[test]
fn single_objects_and_api_lists() {
    let single = import("shapes/pod-single.json");
    assert_eq!(single.provenance.format, Format::KubectlPods);
    let pod = &single.evidence.k8s.workloads[0];
    assert_eq!(pod.source.pointer, "");
    assert_eq!(pod.pod.containers[1].pointer, "/spec/containers/0");

    let api = import("shapes/podlist-api.json");
    assert_eq!(api.provenance.format, Format::KubectlPods);
    assert_eq!(api.evidence.k8s.workloads.len(), 3);
    assert_eq!(api.evidence.k8s.workloads[2].source.pointer, "/items/2");

    let cron = import("shapes/cronjob.yaml");
    assert_eq!(
        cron.evidence.k8s.workloads[0].pod.pointer,
        "/spec/jobTemplate/spec/template/spec"
    );
}

#[test]
fn unknown_kinds_are_read_and_said_to_be_unused() {
    let file = import("shapes/mixed-list.json");
    let k8s = &file.evidence.k8s;
    assert_eq!(k8s.namespaces.len(), 1);
    assert_eq!(k8s.services.len(), 1);
    let notes = file.provenance.notes.join("\n");
    assert!(
        notes.contains("2 object(s) of kind ConfigMap read, not used by any check"),
        "{notes}"
    );
    assert!(
        notes.contains("1 object(s) of kind Secret read, not used by any check"),
        "{notes}"
    );
}

#[test]
fn an_empty_list_is_recognised_and_says_so() {
    let file = import("shapes/empty-list.json");
    assert_eq!(file.provenance.format, Format::KubectlObjects);
    assert!(file.evidence.k8s.is_empty());
    assert!(file.provenance.notes[0].contains("empty"));
}

#[test]
fn other_yaml_and_text_stay_documents() {
    for file in [
        "shapes/not-kubernetes.yaml",
        "shapes/Chart.yaml",
        "shapes/notes.md",
    ] {
        let imported = import(file);
        assert_eq!(imported.provenance.format, Format::Attachment, "{file}");
        assert!(imported.evidence.k8s.is_empty());
    }
}

#[test]
fn ingress_and_binding_details() {
    let ingresses = import("failing/ingresses.yaml");
    let shop = &ingresses.evidence.k8s.ingresses[0];
    let hosts: Vec<Option<&str>> = shop.rules.iter().map(|r| r.host.as_deref()).collect();
    assert_eq!(hosts, [Some("shop.contoso.com"), Some("admin.contoso.com")]);
    assert_eq!(shop.tls[0].hosts, ["shop.contoso.com"]);
    assert_eq!(shop.tls[0].pointer, "/items/0/spec/tls/0");
    let catch_all = &ingresses.evidence.k8s.ingresses[1];
    assert_eq!(catch_all.rules[0].host, None);

    let bindings = import("failing/clusterrolebindings.yaml");
    let tiller = &bindings.evidence.k8s.cluster_role_bindings[2];
    assert_eq!(tiller.role_name.as_deref(), Some("cluster-admin"));
    assert_eq!(tiller.subjects[0].kind, "ServiceAccount");
    assert_eq!(tiller.subjects[0].namespace.as_deref(), Some("kube-system"));
    assert_eq!(
        tiller.source.resource.as_deref(),
        Some("ClusterRoleBinding/tiller")
    );
}

#[test]
fn utf16_and_bom_encoded_lists_import() {
    let path = common::project_dir().join("tests/fixtures/k8s/compliant/namespaces.json");
    let text = std::fs::read_to_string(path).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.replace('\n', "\r\n").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let file = import_bytes("ns-utf16.json", &utf16, now()).unwrap();
    assert_eq!(file.provenance.format, Format::KubectlNamespaces);
    assert_eq!(file.evidence.k8s.namespaces.len(), 8);
}

#[test]
fn a_large_list_streams_and_keeps_its_exact_hash() {
    // Above the size at which the hash is computed alongside the read.
    let item = r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns-NUM","labels":{"padding":"PAD"}}}"#
        .replace("PAD", &"x".repeat(60));
    let items: Vec<String> = (0..100_000)
        .map(|i| item.replace("NUM", &i.to_string()))
        .collect();
    let text = format!(
        r#"{{"apiVersion":"v1","items":[{}],"kind":"List","metadata":{{"resourceVersion":""}}}}"#,
        items.join(",")
    );
    assert!(text.len() > 8 * 1024 * 1024);
    let file = import_bytes("many.json", text.as_bytes(), now()).unwrap();
    assert_eq!(
        file.provenance.sha256,
        tickmark::evidence::sha256_hex(text.as_bytes())
    );
    assert_eq!(file.evidence.k8s.namespaces.len(), 100_000);
    assert_eq!(
        file.evidence.k8s.namespaces[99_999].source.pointer,
        "/items/99999"
    );
}
