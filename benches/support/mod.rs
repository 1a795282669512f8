//! Shared by the bench binaries: a deterministic generator of realistic
//! `kubectl get ... -o json|yaml` output (and a pods list of a given size),
//! the child-process protocol, peak memory from `/proc/self/status`, and a
//! whole process measured from spawn to exit with its peak memory.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value, json};

/// A small deterministic generator (xorshift64*), so every run benchmarks the
/// same bytes.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn hex(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len);
        while out.len() < len {
            out.push_str(&format!("{:016x}", self.next()));
        }
        out.truncate(len);
        out
    }

    pub fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        (0..len).map(|_| *self.pick(CHARS) as char).collect()
    }

    pub fn uid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }
}

pub const NAMESPACES: [&str; 20] = [
    "a0005-i",
    "a0005-o",
    "payments",
    "checkout",
    "catalog",
    "identity",
    "orders",
    "ledger",
    "reporting",
    "search",
    "notifications",
    "gateway",
    "batch",
    "analytics",
    "tools",
    "monitoring",
    "ingress-nginx",
    "kube-system",
    "gatekeeper-system",
    "cert-manager",
];

const APPS: [&str; 24] = [
    "web",
    "api",
    "worker",
    "scheduler",
    "cart",
    "pricing",
    "inventory",
    "auth",
    "session",
    "ledger-writer",
    "ledger-reader",
    "report-builder",
    "indexer",
    "mailer",
    "sms-relay",
    "edge-proxy",
    "etl",
    "stream-joiner",
    "metrics-agent",
    "log-forwarder",
    "controller",
    "webhook",
    "cache",
    "queue-consumer",
];

const IMAGE_KINDS: usize = 5;

fn image(rng: &mut Rng, app: &str) -> String {
    match rng.below(IMAGE_KINDS) {
        0 | 1 => format!(
            "crbu0001a0005aks.azurecr.io/a0005/{app}@sha256:{}",
            rng.hex(64)
        ),
        2 => format!(
            "mcr.microsoft.com/oss/{app}:v1.{}.{}",
            rng.below(30),
            rng.below(10)
        ),
        3 => format!("docker.io/library/{app}:1.{}", rng.below(27)),
        _ => format!(
            "ghcr.io/contoso/{app}:2024.{}.{}",
            rng.below(12) + 1,
            rng.below(28) + 1
        ),
    }
}

/// A container security context drawn from the mixes seen in real clusters:
/// hardened, partly hardened, unset, and the occasional privileged one.
fn container_security(rng: &mut Rng) -> Option<Value> {
    match rng.below(10) {
        0..=3 => Some(json!({
            "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": true,
            "runAsNonRoot": true,
            "runAsUser": 10001
        })),
        4..=5 => Some(json!({
            "allowPrivilegeEscalation": false,
            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
            "runAsUser": 1000 + rng.below(1000)
        })),
        6 => Some(json!({"privileged": true, "runAsUser": 0})),
        7 => Some(json!({"runAsNonRoot": false, "capabilities": {"drop": ["NET_RAW"]}})),
        _ => None,
    }
}

fn pod_security(rng: &mut Rng) -> Value {
    match rng.below(4) {
        0 => {
            json!({"fsGroup": 2000, "runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}})
        }
        1 => json!({"fsGroup": 1337}),
        _ => json!({}),
    }
}

fn probe(path: &str, port: u64) -> Value {
    json!({
        "failureThreshold": 3,
        "httpGet": {"path": path, "port": port, "scheme": "HTTP"},
        "initialDelaySeconds": 10,
        "periodSeconds": 10,
        "successThreshold": 1,
        "timeoutSeconds": 1
    })
}

fn container(rng: &mut Rng, name: &str, app: &str, full: bool) -> Value {
    let port = 8080 + rng.below(10) as u64;
    let mut env: Vec<Value> = (0..6)
        .map(|i| json!({"name": format!("SETTING_{i}_{}", app.to_uppercase().replace('-', "_")), "value": rng.alnum(12)}))
        .collect();
    env.push(json!({"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"key": "password", "name": format!("{app}-db")}}}));
    env.push(json!({"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}));
    let mut c = serde_json::Map::new();
    c.insert(
        "args".into(),
        json!(["--port", port.to_string(), "--log-format=json"]),
    );
    c.insert("env".into(), Value::Array(env));
    c.insert("image".into(), Value::String(image(rng, app)));
    c.insert("imagePullPolicy".into(), json!("IfNotPresent"));
    if full {
        c.insert("livenessProbe".into(), probe("/healthz", port));
    }
    c.insert("name".into(), json!(name));
    c.insert(
        "ports".into(),
        json!([{"containerPort": port, "name": "http", "protocol": "TCP"}]),
    );
    if full {
        c.insert("readinessProbe".into(), probe("/ready", port));
    }
    c.insert(
        "resources".into(),
        json!({"limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}}),
    );
    if let Some(security) = container_security(rng) {
        c.insert("securityContext".into(), security);
    }
    c.insert(
        "terminationMessagePath".into(),
        json!("/dev/termination-log"),
    );
    c.insert("terminationMessagePolicy".into(), json!("File"));
    c.insert(
        "volumeMounts".into(),
        json!([
            {"mountPath": "/etc/config", "name": "config", "readOnly": true},
            {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": format!("kube-api-access-{}", rng.alnum(5)), "readOnly": true}
        ]),
    );
    Value::Object(c)
}

/// A pod spec for `app` with a mix of security settings.
pub fn pod_spec(rng: &mut Rng, app: &str, node: bool) -> Value {
    let mut s = serde_json::Map::new();
    let mut containers = vec![container(rng, app, app, true)];
    if rng.chance(40) {
        containers.push(container(rng, "istio-proxy", "proxyv2", false));
    }
    s.insert("containers".into(), Value::Array(containers));
    s.insert("dnsPolicy".into(), json!("ClusterFirst"));
    s.insert("enableServiceLinks".into(), json!(true));
    if rng.chance(5) {
        s.insert("hostNetwork".into(), json!(true));
    }
    if rng.chance(30) {
        s.insert(
            "initContainers".into(),
            json!([container(rng, "migrate", app, false)]),
        );
    }
    if node {
        s.insert(
            "nodeName".into(),
            json!(format!("aks-npuser01-26621167-vmss{:06}", rng.below(40))),
        );
    }
    s.insert("nodeSelector".into(), json!({"agentpool": "npuser01"}));
    s.insert("preemptionPolicy".into(), json!("PreemptLowerPriority"));
    s.insert("priority".into(), json!(0));
    s.insert("restartPolicy".into(), json!("Always"));
    s.insert("schedulerName".into(), json!("default-scheduler"));
    s.insert("securityContext".into(), pod_security(rng));
    s.insert("serviceAccount".into(), json!(app));
    s.insert("serviceAccountName".into(), json!(app));
    s.insert("terminationGracePeriodSeconds".into(), json!(30));
    s.insert(
        "tolerations".into(),
        json!([
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}
        ]),
    );
    s.insert(
        "volumes".into(),
        json!([
            {"configMap": {"defaultMode": 420, "name": format!("{app}-config")}, "name": "config"},
            {"name": format!("kube-api-access-{}", rng.alnum(5)), "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}
            ]}}
        ]),
    );
    Value::Object(s)
}

fn timestamp(rng: &mut Rng) -> String {
    format!(
        "2026-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        rng.below(12) + 1,
        rng.below(28) + 1,
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

fn container_status(rng: &mut Rng, spec: &Value) -> Value {
    json!({
        "containerID": format!("containerd://{}", rng.hex(64)),
        "image": spec["image"],
        "imageID": format!("crbu0001a0005aks.azurecr.io/a0005/app@sha256:{}", rng.hex(64)),
        "lastState": {},
        "name": spec["name"],
        "ready": true,
        "restartCount": rng.below(3),
        "started": true,
        "state": {"running": {"startedAt": timestamp(rng)}}
    })
}

/// One running Pod as `kubectl get pods -A -o json` prints it, owned by a
/// Deployment's ReplicaSet.
pub fn pod(rng: &mut Rng, index: usize) -> Value {
    let namespace = *rng.pick(&NAMESPACES);
    let app = *rng.pick(&APPS);
    let spec = pod_spec(rng, app, true);
    pod_from(rng, index, namespace, app, spec)
}

/// A running Pod of the Deployment `deployment` (its ReplicaSet is
/// `<deployment>-<hash>`), running `spec` with the node filled in.
pub fn pod_from(
    rng: &mut Rng,
    index: usize,
    namespace: &str,
    deployment: &str,
    mut spec: Value,
) -> Value {
    let hash = rng.alnum(9);
    let name = format!("{deployment}-{hash}-{}", rng.alnum(5));
    if let Some(spec) = spec.as_object_mut() {
        spec.insert(
            "nodeName".into(),
            json!(format!("aks-npuser01-26621167-vmss{:06}", rng.below(40))),
        );
    }
    let statuses: Vec<Value> = spec["containers"]
        .as_array()
        .map(|cs| cs.iter().map(|c| container_status(rng, c)).collect())
        .unwrap_or_default();
    let pod_ip = format!("10.240.{}.{}", 4 + rng.below(8), rng.below(250) + 2);
    let host_ip = format!("10.240.0.{}", rng.below(60) + 4);
    let started = timestamp(rng);
    let conditions: Vec<Value> = ["Initialized", "Ready", "ContainersReady", "PodScheduled"]
        .iter()
        .map(|t| json!({"lastProbeTime": null, "lastTransitionTime": started, "status": "True", "type": t}))
        .collect();
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": {
                "kubectl.kubernetes.io/restartedAt": started,
                "prometheus.io/port": "9102",
                "prometheus.io/scrape": "true"
            },
            "creationTimestamp": started,
            "generateName": format!("{deployment}-{hash}-"),
            "labels": {
                "app.kubernetes.io/name": deployment,
                "app.kubernetes.io/part-of": "a0005",
                "pod-template-hash": hash,
                "version": format!("v1.{}.{}", index % 7, index % 13)
            },
            "name": name,
            "namespace": namespace,
            "ownerReferences": [{
                "apiVersion": "apps/v1",
                "blockOwnerDeletion": true,
                "controller": true,
                "kind": "ReplicaSet",
                "name": format!("{deployment}-{hash}"),
                "uid": rng.uid()
            }],
            "resourceVersion": (10_000_000 + index).to_string(),
            "uid": rng.uid()
        },
        "spec": spec,
        "status": {
            "conditions": conditions,
            "containerStatuses": statuses,
            "hostIP": host_ip,
            "hostIPs": [{"ip": host_ip}],
            "phase": "Running",
            "podIP": pod_ip,
            "podIPs": [{"ip": pod_ip}],
            "qosClass": "Burstable",
            "startTime": started
        }
    })
}

/// A controller of `kind` (Deployment, StatefulSet, DaemonSet) with its pod
/// template, as `kubectl get <kind> -A -o json` prints it.
pub fn controller(rng: &mut Rng, kind: &str, index: usize) -> Value {
    let namespace = *rng.pick(&NAMESPACES);
    let app = *rng.pick(&APPS);
    let name = format!("{app}-{index}");
    let labels = json!({"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "a0005"});
    let mut controller = json!({
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {
            "annotations": {"deployment.kubernetes.io/revision": (1 + index % 9).to_string()},
            "creationTimestamp": timestamp(rng),
            "generation": 1 + index % 9,
            "labels": labels,
            "name": name,
            "namespace": namespace,
            "resourceVersion": (20_000_000 + index).to_string(),
            "uid": rng.uid()
        },
        "spec": {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": pod_spec(rng, app, false)
            }
        },
        "status": {"observedGeneration": 1 + index % 9}
    });
    let spec = &mut controller["spec"];
    match kind {
        "Deployment" => spec["replicas"] = json!(2),
        "StatefulSet" => {
            spec["replicas"] = json!(3);
            spec["serviceName"] = json!(name);
        }
        _ => {
            spec["updateStrategy"] =
                json!({"rollingUpdate": {"maxUnavailable": 1}, "type": "RollingUpdate"})
        }
    }
    controller
}

/// `{"apiVersion": "v1", "items": [...], "kind": "List", "metadata": ...}`
/// with items made on the fly, so a list of any size is written without
/// holding it in memory.
pub struct LazyList<F: Fn(&mut Rng, usize) -> Value> {
    pub count: usize,
    pub seed: u64,
    pub item: F,
}

struct LazyItems<'a, F: Fn(&mut Rng, usize) -> Value>(&'a LazyList<F>);

impl<F: Fn(&mut Rng, usize) -> Value> Serialize for LazyItems<'_, F> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut rng = Rng::new(self.0.seed);
        let mut seq = serializer.serialize_seq(Some(self.0.count))?;
        for index in 0..self.0.count {
            seq.serialize_element(&(self.0.item)(&mut rng, index))?;
        }
        seq.end()
    }
}

impl<F: Fn(&mut Rng, usize) -> Value> Serialize for LazyList<F> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("apiVersion", "v1")?;
        map.serialize_entry("items", &LazyItems(self))?;
        map.serialize_entry("kind", "List")?;
        map.serialize_entry("metadata", &json!({"resourceVersion": ""}))?;
        map.end()
    }
}

/// Writes `value` as kubectl does: JSON indented by four spaces.
pub fn write_kubectl_json<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(file, formatter);
    value
        .serialize(&mut serializer)
        .map_err(std::io::Error::other)?;
    let mut file = serializer.into_inner();
    std::io::Write::write_all(&mut file, b"\n")?;
    std::io::Write::flush(&mut file)
}

/// The peak resident memory of this process, in bytes (`VmHWM`).
pub fn peak_memory_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    vm_hwm(&status).unwrap_or(0)
}

/// Prints the line a child reports back with.
pub fn report(fields: &[(&str, String)]) {
    let mut line = String::from("REPORT");
    for (key, value) in fields {
        line.push_str(&format!(" {key}={value}"));
    }
    println!("{line}");
}

/// What a child process reported, and how long it ran from spawn to exit.
pub struct ChildRun {
    pub wall: Duration,
    pub fields: BTreeMap<String, String>,
}

impl ChildRun {
    pub fn get(&self, key: &str) -> f64 {
        self.fields
            .get(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("the child did not report {key}: {:?}", self.fields))
    }
}

/// Runs this bench binary again as `--child <args...>` and reads its report.
pub fn run_child(args: &[&str]) -> ChildRun {
    let exe = std::env::current_exe().expect("the bench binary knows its own path");
    let start = Instant::now();
    let output = Command::new(exe)
        .arg("--child")
        .args(args)
        .output()
        .expect("the child process starts");
    let wall = start.elapsed();
    assert!(
        output.status.success(),
        "child {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("REPORT"))
        .unwrap_or_else(|| panic!("child {args:?} sent no report: {stdout}"));
    let fields = line
        .split_whitespace()
        .skip(1)
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    ChildRun { wall, fields }
}

/// The arguments after `--child`, if this process is a child.
pub fn child_args() -> Option<Vec<String>> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == "--child")?;
    Some(args[at + 1..].to_vec())
}

/// The median of `values`.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

pub const MIB: f64 = 1024.0 * 1024.0;

/// One process: wall time from spawn to exit, peak memory, what it wrote.
pub struct Measured {
    /// Spawn to exit.
    pub wall: Duration,
    /// Peak memory (`VmHWM`), bytes.
    pub peak: u64,
    /// Bytes it wrote to standard output.
    pub stdout_bytes: u64,
    /// `(line, time since spawn)` of every line it printed, when asked.
    pub lines: Vec<(String, Duration)>,
    /// Its exit code.
    pub code: i32,
}

/// Runs `command` to the end; its standard output is counted (or kept line
/// by line with `keep_lines`). Its peak memory is its `VmHWM`, read from
/// `/proc` every millisecond while it runs (the high-water mark only grows,
/// so the last reading before it exits is its peak but for what it adds in
/// its last millisecond).
pub fn run_measured(mut command: Command, keep_lines: bool) -> Measured {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().expect("the process starts");
    let status_file = format!("/proc/{}/status", child.id());
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut peak = 0u64;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(hwm) = std::fs::read_to_string(&status_file)
                    .ok()
                    .and_then(|s| vm_hwm(&s))
                {
                    peak = peak.max(hwm);
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            peak
        })
    };
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut text);
        text
    });
    let mut lines = Vec::new();
    let mut stdout_bytes = 0u64;
    if keep_lines {
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("text");
            stdout_bytes += line.len() as u64 + 1;
            lines.push((line, started.elapsed()));
        }
    } else {
        let mut reader = stdout;
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            let n = reader.read(&mut buffer).expect("readable");
            if n == 0 {
                break;
            }
            stdout_bytes += n as u64;
        }
    }
    let status = child.wait().expect("the process ends");
    let wall = started.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let peak = watcher.join().unwrap_or(0);
    let errors = errors.join().unwrap_or_default();
    let code = status.code().unwrap_or(-1);
    if !(0..=1).contains(&code) {
        eprintln!("{command:?} exited with {code}: {errors}");
    }
    Measured {
        wall,
        peak,
        stdout_bytes,
        lines,
        code,
    }
}

/// The `VmHWM` of a `/proc/PID/status`, in bytes.
fn vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map(|kib| kib * 1024)
}

/// A pods list of about `mib` MiB, made once per size (reused when kept).
pub fn generate_pods(dir: &Path, mib: usize) -> PathBuf {
    std::fs::create_dir_all(dir).expect("the pods directory");
    let path = dir.join(format!("pods-{mib}mib.json"));
    if path.exists() {
        return path;
    }
    // About 15 KB per pod in kubectl's layout.
    let count = (mib as f64 * MIB / 15_300.0).ceil() as usize;
    let started = Instant::now();
    write_kubectl_json(
        &path,
        &LazyList {
            count,
            seed: 0x5ca1e,
            item: pod,
        },
    )
    .expect("the list is written");
    println!(
        "generated {} ({count} pods, {:.1} MiB) in {:.1} s",
        path.display(),
        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / MIB,
        started.elapsed().as_secs_f64()
    );
    path
}
