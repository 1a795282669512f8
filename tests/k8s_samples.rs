//! The real kubectl outputs in `../shared/evidence-formats/kubectl/` import
//! with the right formats and counts (skipped, saying so, when absent).

mod common;

use chrono::Utc;
use tickmark::checks::{CheckStatus, Settings, evaluate};
use tickmark::evidence::{EvidenceSet, Format, import_file};

/// File, format, objects, containers.
const EXPECTED: [(&str, Format, usize, usize); 3] = [
    (
        "namespaces-rancher-cluster.json",
        Format::KubectlNamespaces,
        22,
        0,
    ),
    (
        "pods-all-namespaces-158.json",
        Format::KubectlPods,
        158,
        162,
    ),
    (
        "pods-list-istio-securitycontext.json",
        Format::KubectlPods,
        47,
        136,
    ),
];

#[test]
fn every_kubectl_sample_imports() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("evidence-formats/kubectl");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut set = EvidenceSet::default();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (_, result) = import_file(path, Utc::now());
        let file = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(&(_, format, objects, containers)) = EXPECTED.iter().find(|(n, ..)| *n == name)
        else {
            // A sample added later: it must at least be read as kubectl output.
            assert!(
                file.provenance.format.id().starts_with("kubectl-"),
                "{name}"
            );
            continue;
        };
        assert_eq!(file.provenance.format, format, "{name}");
        let k8s = &file.evidence.k8s;
        let count = k8s.namespaces.len() + k8s.workloads.len();
        assert_eq!(count, objects, "{name}");
        let container_count: usize = k8s.workloads.iter().map(|w| w.pod.containers.len()).sum();
        assert_eq!(container_count, containers, "{name}");
        assert!(
            file.provenance.notes.is_empty(),
            "{name}: {:?}",
            file.provenance.notes
        );
        set.add(file);
    }
    // The 158-pod cluster runs the Kubernetes dashboard; the checks see it.
    if set.evidence.k8s.workloads.len() >= 158 {
        let results = evaluate(&set, &Settings::default());
        let dashboard = results
            .iter()
            .find(|r| r.check == "k8s.no-dashboard")
            .unwrap();
        assert_eq!(dashboard.status, CheckStatus::Fail);
        assert!(
            dashboard.reason.contains("kubernetes-dashboard/Pod/"),
            "{}",
            dashboard.reason
        );
    }
}

#[test]
fn sample_pointers_resolve_in_the_sample() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let path = shared.join("evidence-formats/kubectl/pods-list-istio-securitycontext.json");
    let (bytes, result) = import_file(&path, Utc::now());
    let file = result.unwrap();
    let root: serde_json::Value = serde_json::from_slice(&bytes.unwrap()).unwrap();
    for workload in &file.evidence.k8s.workloads {
        let object = root.pointer(&workload.source.pointer).unwrap();
        assert_eq!(object["metadata"]["name"], workload.name.as_str());
        for container in &workload.pod.containers {
            let found = root.pointer(&container.pointer).unwrap();
            assert_eq!(found["name"], container.name.as_str());
        }
    }
}
