//! 2,000 generated workloads (Deployments, StatefulSets, DaemonSets and
//! Pods, with mixed security contexts) as kubectl JSON and YAML lists, plus
//! the namespaces, network policies, services, ingresses and cluster role
//! bindings a cluster export carries, imported and evaluated through the
//! checks.
//!
//! Each measurement is a whole child process of this binary, timed from
//! spawn to exit: `evaluate` imports every file, runs `checks::evaluate` and
//! serialises the results to JSON; `baseline` does nothing but start. Peak
//! memory is each child's `VmHWM`. Run with `cargo bench --bench k8s_checks`.

mod support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Value, json};
use support::{MIB, NAMESPACES, Rng, child_args, median, peak_memory_bytes, report, run_child};

/// Workloads of each kind; four kinds make 2,000.
const PER_KIND: usize = 500;
/// Runs per mode; the median is reported.
const RUNS: usize = 7;
/// Bump when the generator changes, so old files are not reused.
const GENERATOR_VERSION: u32 = 1;

fn main() {
    if let Some(args) = child_args() {
        child(&args);
        return;
    }
    let dir = ensure_files();
    let dir_arg = dir.to_string_lossy().into_owned();
    let mut evaluate = Vec::new();
    let mut baseline = Vec::new();
    for _ in 0..RUNS {
        baseline.push(run_child(&["baseline"]));
        evaluate.push(run_child(&["evaluate", &dir_arg]));
    }
    let wall =
        |runs: &[support::ChildRun]| median(runs.iter().map(|r| r.wall.as_secs_f64()).collect());
    let field =
        |runs: &[support::ChildRun], key: &str| median(runs.iter().map(|r| r.get(key)).collect());
    let (eval_wall, base_wall) = (wall(&evaluate), wall(&baseline));
    let (eval_peak, base_peak) = (
        field(&evaluate, "peak_bytes"),
        field(&baseline, "peak_bytes"),
    );
    println!(
        "k8s_checks: {} workloads in {} files ({:.1} MiB), {} check results",
        field(&evaluate, "workloads"),
        field(&evaluate, "files"),
        field(&evaluate, "bytes") / MIB,
        field(&evaluate, "results"),
    );
    println!("{:<10} {:>12} {:>12}", "child", "wall s", "peak MiB");
    println!(
        "{:<10} {:>12.4} {:>12.1}",
        "baseline",
        base_wall,
        base_peak / MIB
    );
    println!(
        "{:<10} {:>12.4} {:>12.1}",
        "evaluate",
        eval_wall,
        eval_peak / MIB
    );
    println!(
        "ratios evaluate/baseline: time {:.2}x, peak memory {:.2}x",
        eval_wall / base_wall,
        eval_peak / base_peak
    );
    println!(
        "inside evaluate: import {:.4} s, checks {:.4} s, JSON {:.4} s",
        field(&evaluate, "import_s"),
        field(&evaluate, "checks_s"),
        field(&evaluate, "json_s")
    );
    println!(
        "targets: whole process < 0.25 s: {:.3} s; peak < 100 MB: {:.1} MB",
        eval_wall,
        eval_peak / 1e6
    );
}

fn child(args: &[String]) {
    match args {
        [mode] if mode == "baseline" => {
            report(&[("peak_bytes", peak_memory_bytes().to_string())]);
        }
        [mode, dir] if mode == "evaluate" => evaluate(Path::new(dir)),
        _ => panic!("usage: --child baseline | --child evaluate <dir>"),
    }
}

fn evaluate(dir: &Path) {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the bench directory is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    paths.sort();
    let start = Instant::now();
    let mut set = tickmark::evidence::EvidenceSet::default();
    let mut bytes_total = 0;
    for path in &paths {
        let (bytes, result) = tickmark::evidence::import_file(path, chrono::Utc::now());
        bytes_total += bytes.map_or(0, |b| b.len());
        set.add(result.expect("every generated file imports"));
    }
    let imported = start.elapsed();
    let results = tickmark::checks::evaluate(&set, &tickmark::checks::Settings::default());
    let checked = start.elapsed();
    let json = serde_json::to_vec(&results).expect("results serialise");
    let serialised = start.elapsed();
    std::hint::black_box(&json);
    report(&[
        ("files", paths.len().to_string()),
        ("bytes", bytes_total.to_string()),
        ("workloads", set.evidence.k8s.workloads.len().to_string()),
        ("results", results.len().to_string()),
        ("import_s", format!("{:.6}", imported.as_secs_f64())),
        (
            "checks_s",
            format!("{:.6}", (checked - imported).as_secs_f64()),
        ),
        (
            "json_s",
            format!("{:.6}", (serialised - checked).as_secs_f64()),
        ),
        ("peak_bytes", peak_memory_bytes().to_string()),
    ]);
}

fn list(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

fn write_json(path: &Path, value: &Value) {
    support::write_kubectl_json(path, value).expect("a bench file is written");
}

fn write_yaml(path: &Path, value: &Value) {
    let text = serde_yaml_ng::to_string(value).expect("YAML serialises");
    std::fs::write(path, text).expect("a bench file is written");
}

/// The generated export, made once and reused while the generator is unchanged.
fn ensure_files() -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("k8s-checks-v{GENERATOR_VERSION}"));
    if dir.join("pods.json").exists() {
        return dir;
    }
    std::fs::create_dir_all(&dir).expect("the bench directory can be made");
    let mut rng = Rng::new(2000);
    let deployments: Vec<Value> = (0..PER_KIND)
        .map(|i| support::controller(&mut rng, "Deployment", i))
        .collect();
    let pods: Vec<Value> = deployments
        .iter()
        .enumerate()
        .map(|(i, deployment)| {
            let mut spec = deployment["spec"]["template"]["spec"].clone();
            // Some pods carry a sidecar injected at admission, not in the template.
            if rng.chance(25)
                && let Some(containers) = spec["containers"].as_array_mut()
            {
                containers.push(json!({"image": "docker.io/istio/proxyv2:1.22.1", "name": "istio-injected",
                    "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "runAsUser": 1337}}));
            }
            let namespace = deployment["metadata"]["namespace"].as_str().unwrap_or("default");
            let name = deployment["metadata"]["name"].as_str().unwrap_or("app");
            support::pod_from(&mut rng, i, namespace, name, spec)
        })
        .collect();
    write_yaml(&dir.join("deployments.yaml"), &list(deployments));
    write_json(&dir.join("pods.json"), &list(pods));
    let statefulsets = (0..PER_KIND)
        .map(|i| support::controller(&mut rng, "StatefulSet", i))
        .collect();
    write_json(&dir.join("statefulsets.json"), &list(statefulsets));
    let daemonsets = (0..PER_KIND)
        .map(|i| support::controller(&mut rng, "DaemonSet", i))
        .collect();
    write_yaml(&dir.join("daemonsets.yaml"), &list(daemonsets));
    write_cluster_objects(&dir, &mut rng);
    dir
}

/// Namespaces, network policies, services, ingresses and bindings.
fn write_cluster_objects(dir: &Path, rng: &mut Rng) {
    let namespaces = NAMESPACES
        .iter()
        .map(|ns| json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"labels": {"kubernetes.io/metadata.name": ns}, "name": ns, "uid": rng.uid()},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}))
        .collect();
    write_json(&dir.join("namespaces.json"), &list(namespaces));
    let mut policies = Vec::new();
    for ns in NAMESPACES {
        if !rng.chance(75) {
            continue;
        }
        policies.push(
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny-all", "namespace": ns, "uid": rng.uid()},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}),
        );
        policies.push(json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "allow-from-ingress", "namespace": ns, "uid": rng.uid()},
            "spec": {"ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}],
                "ports": [{"port": 8080, "protocol": "TCP"}]}], "podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "a0005"}},
                "policyTypes": ["Ingress"]}}));
    }
    write_yaml(&dir.join("networkpolicies.yaml"), &list(policies));
    let services = (0..200)
        .map(|i| {
            let ns = *rng.pick(&NAMESPACES);
            let load_balancer = rng.chance(10);
            let annotations = if load_balancer && rng.chance(70) {
                json!({"service.beta.kubernetes.io/azure-load-balancer-internal": "true"})
            } else {
                json!({})
            };
            json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"annotations": annotations, "name": format!("svc-{i}"), "namespace": ns, "uid": rng.uid()},
                "spec": {"clusterIP": format!("10.0.{}.{}", i / 250, i % 250 + 1),
                    "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
                    "selector": {"app.kubernetes.io/name": format!("app-{i}")},
                    "type": if load_balancer { "LoadBalancer" } else { "ClusterIP" }},
                "status": {"loadBalancer": {}}})
        })
        .collect();
    write_json(&dir.join("services.json"), &list(services));
    let ingresses = (0..60)
        .map(|i| {
            let host = format!("app{i}.contoso.com");
            let tls = if rng.chance(85) { json!([{"hosts": ["*.contoso.com"], "secretName": "wildcard-tls"}]) } else { json!([]) };
            let namespace = *rng.pick(&NAMESPACES);
            let uid = rng.uid();
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": {"name": format!("ing-{i}"), "namespace": namespace, "uid": uid},
                "spec": {"ingressClassName": "nginx", "rules": [{"host": host, "http": {"paths": [{"backend": {"service": {"name": format!("svc-{i}"), "port": {"number": 80}}}, "path": "/", "pathType": "Prefix"}]}}], "tls": tls}})
        })
        .collect();
    write_yaml(&dir.join("ingresses.yaml"), &list(ingresses));
    let mut bindings: Vec<Value> = (0..60)
        .map(|i| json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": format!("system:controller:binding-{i}"), "uid": format!("binding-{i}")},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": format!("system:controller:role-{i}")},
            "subjects": [{"kind": "ServiceAccount", "name": format!("controller-{i}"), "namespace": "kube-system"}]}))
        .collect();
    bindings.push(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "cluster-admin", "uid": rng.uid()},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}]}));
    write_json(&dir.join("clusterrolebindings.json"), &list(bindings));
}
