//! What users run, at real size: whole `tickmark` processes on a generated
//! `kubectl get pods -A -o json` list and on a generated estate, each
//! against the least any JSON reader can do, measured in the same run.
//!
//! Datasets (written to a temporary directory, removed afterwards unless
//! `TICKMARK_BENCH_KEEP=DIR` names a directory to keep them in):
//! - `pods`: a pods list of `TICKMARK_BENCH_PODS_MIB` MiB (default 24; the
//!   figures in BENCHMARKS.md are for 200), about 70 pods per MiB, in the
//!   shape of `benches/support` (kubectl's layout, mixed security contexts);
//! - `estate`: 200 NSGs, 50 route tables, 20 firewall policy rule
//!   collection groups (made from the sample's), 5,000 Deployments, and the
//!   sample's cluster, firewall and policy exports beside them;
//! - `sample`: the bundled sample data (`sample-data/{azure,kubernetes,scans}`).
//!
//! For each dataset, each mode runs `TICKMARK_BENCH_RUNS` times (default 3;
//! medians reported) as its own process, timed from spawn to exit, its peak
//! memory its `VmHWM` (polled from `/proc` while it runs):
//! - `floor`: this binary reading the files and parsing them with
//!   `serde_json::from_slice::<IgnoredAny>`;
//! - `evaluate-table`, `evaluate-json`: `tickmark evaluate`;
//! - `import`: `tickmark import` into a fresh record;
//! - `read-record`: this binary reading the record file once (from the
//!   page cache, as verify reads it just after);
//! - `hash-record`: this binary reading it once and taking its SHA-256 (the
//!   least a verify that rehashes every stored byte can take);
//! - `verify`: `tickmark verify` on that record;
//! - `app`: the desktop app on that record (`--time-to-tree largest`) when
//!   `DISPLAY` is set: time from spawn until the first frame showing the
//!   tree with verdicts, peak memory, and how long the frame that shows the
//!   first page of the requirement with the most resources took.
//!
//! `TICKMARK_BENCH_BASELINE_BIN=PATH` measures another build (the previous
//! release) the same way on the sample, beside this one, but for the app
//! (an earlier build has no `--time-to-tree`): the no-regression check.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{
    LazyList, MIB, Measured, Rng, child_args, generate_pods, median, run_measured,
    write_kubectl_json,
};

fn main() {
    if let Some(args) = child_args() {
        child(&args);
        return;
    }
    let runs: usize = env_number("TICKMARK_BENCH_RUNS", 3).max(1);
    let pods_mib: usize = env_number("TICKMARK_BENCH_PODS_MIB", 24).max(1);
    let kept = std::env::var_os("TICKMARK_BENCH_KEEP").map(PathBuf::from);
    let temp = tempfile::tempdir().expect("a temporary directory");
    let root = kept.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&root).expect("the bench directory");
    let tickmark = PathBuf::from(env!("CARGO_BIN_EXE_tickmark"));
    let baseline = std::env::var_os("TICKMARK_BENCH_BASELINE_BIN").map(PathBuf::from);
    println!(
        "scale: {runs} run(s) per mode, medians; load average {}",
        load_average()
    );
    let sample_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let sample: Vec<PathBuf> = ["azure", "kubernetes", "scans"]
        .iter()
        .map(|d| sample_dir.join(d))
        .collect();
    let pods = generate_pods(&root.join("pods"), pods_mib);
    let estate = generate_estate(&root.join("estate"));
    for (name, inputs) in [
        ("sample", sample),
        ("pods", vec![pods]),
        ("estate", vec![estate]),
    ] {
        // The baseline (an earlier build, without `--time-to-tree`) is
        // measured on the sample only: it is the no-regression check.
        let builds: Vec<(&str, &Path, bool)> =
            std::iter::once(("this build", tickmark.as_path(), true))
                .chain(
                    baseline
                        .as_deref()
                        .filter(|_| name == "sample")
                        .map(|b| ("baseline", b, false)),
                )
                .collect();
        for (label, binary, with_app) in builds {
            let dir = root.join(format!("{name}-{}", label.replace(' ', "-")));
            std::fs::create_dir_all(&dir).expect("the run directory");
            let report = measure(binary, &inputs, &dir, runs, with_app);
            report.print(name, label);
        }
    }
    if kept.is_some() {
        println!("kept in {}", root.display());
    }
}

fn env_number(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// A child process of this bench binary: `floor PATH...` or `read PATH`.
fn child(args: &[String]) {
    match args {
        [mode, paths @ ..] if mode == "floor" => {
            for path in files_below(paths) {
                let bytes = std::fs::read(&path).expect("readable");
                if path.extension().is_some_and(|e| e == "json") {
                    serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).expect("valid JSON");
                }
            }
        }
        [mode, path] if mode == "read" => {
            let mut file = std::fs::File::open(path).expect("readable");
            let mut buffer = vec![0u8; 1 << 20];
            while file.read(&mut buffer).expect("readable") > 0 {}
        }
        [mode, path] if mode == "hash" => {
            use sha2::Digest as _;
            let mut file = std::fs::File::open(path).expect("readable");
            let mut buffer = vec![0u8; 1 << 20];
            let mut hasher = sha2::Sha256::new();
            loop {
                let n = file.read(&mut buffer).expect("readable");
                if n == 0 {
                    break;
                }
                hasher.update(&buffer[..n]);
            }
            std::hint::black_box(hasher.finalize());
        }
        _ => panic!("usage: --child floor PATH... | --child read PATH | --child hash PATH"),
    }
}

fn files_below(paths: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        let path = PathBuf::from(path);
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&path)
                .expect("a directory")
                .map(|e| e.expect("an entry").path())
                .collect();
            entries.sort();
            out.extend(entries);
        } else {
            out.push(path);
        }
    }
    out
}

/// Medians of one mode.
#[derive(Default, Clone)]
struct Mode {
    wall: f64,
    peak: f64,
    stdout: f64,
    extra: Vec<(String, f64)>,
}

fn summarise(runs: &[Measured], extra: impl Fn(&Measured) -> Vec<(String, f64)>) -> Mode {
    let extras: Vec<Vec<(String, f64)>> = runs.iter().map(&extra).collect();
    let keys: Vec<String> = extras
        .first()
        .map(|e| e.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    Mode {
        wall: median(runs.iter().map(|r| r.wall.as_secs_f64()).collect()),
        peak: median(runs.iter().map(|r| r.peak as f64).collect()),
        stdout: median(runs.iter().map(|r| r.stdout_bytes as f64).collect()),
        extra: keys
            .iter()
            .map(|k| {
                let values: Vec<f64> = extras
                    .iter()
                    .filter_map(|e| e.iter().find(|(key, _)| key == k).map(|(_, v)| *v))
                    .collect();
                (
                    k.clone(),
                    if values.is_empty() {
                        f64::NAN
                    } else {
                        median(values)
                    },
                )
            })
            .collect(),
    }
}

struct Report {
    input_bytes: u64,
    record_bytes: u64,
    modes: Vec<(&'static str, Mode)>,
}

fn measure(binary: &Path, inputs: &[PathBuf], dir: &Path, runs: usize, with_app: bool) -> Report {
    let settings =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/default-settings.toml");
    let input_bytes: u64 = files_below(&strings(inputs))
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    let bench = std::env::current_exe().expect("this binary");
    let tickmark = |args: &[&str], db: Option<&Path>| {
        let mut command = Command::new(binary);
        command.arg("--settings").arg(&settings);
        if let Some(db) = db {
            command.arg("--db").arg(db);
        }
        command
            .args(args)
            .env("HOME", dir)
            .env("XDG_DATA_HOME", dir.join("data"));
        command
    };
    let input_args = strings(inputs);
    let inputs_ref: Vec<&str> = input_args.iter().map(String::as_str).collect();
    let mut modes: Vec<(&'static str, Mode)> = Vec::new();
    let repeat = |make: &dyn Fn(usize) -> Command, keep: bool| -> Vec<Measured> {
        (0..runs).map(|i| run_measured(make(i), keep)).collect()
    };
    let floor = repeat(
        &|_| {
            let mut c = Command::new(&bench);
            c.arg("--child").arg("floor").args(inputs);
            c
        },
        false,
    );
    modes.push(("floor", summarise(&floor, |_| Vec::new())));
    for (mode, format) in [("evaluate-table", "table"), ("evaluate-json", "json")] {
        let measured = repeat(
            &|_| {
                let mut args = vec!["evaluate"];
                args.extend(&inputs_ref);
                args.extend(["--format", format]);
                tickmark(&args, None)
            },
            false,
        );
        modes.push((mode, summarise(&measured, |_| Vec::new())));
    }
    // The first import's record is kept for verify and the app; the others
    // go to one scratch path (a record is as large as its input).
    let db_of = |i: usize| {
        dir.join(if i == 0 {
            "record.sqlite3"
        } else {
            "scratch.sqlite3"
        })
    };
    let imported = repeat(
        &|i| {
            let db = db_of(i);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            let mut args = vec!["import", "--assessment", "big"];
            args.extend(&inputs_ref);
            tickmark(&args, Some(&db))
        },
        false,
    );
    modes.push(("import", summarise(&imported, |_| Vec::new())));
    let _ = std::fs::remove_file(db_of(1));
    let record = db_of(0);
    let record_bytes = std::fs::metadata(&record).map(|m| m.len()).unwrap_or(0);
    let read = repeat(
        &|_| {
            let mut c = Command::new(&bench);
            c.arg("--child").arg("read").arg(&record);
            c
        },
        false,
    );
    modes.push(("read-record", summarise(&read, |_| Vec::new())));
    let hashed = repeat(
        &|_| {
            let mut c = Command::new(&bench);
            c.arg("--child").arg("hash").arg(&record);
            c
        },
        false,
    );
    modes.push(("hash-record", summarise(&hashed, |_| Vec::new())));
    let verified = repeat(&|_| tickmark(&["verify"], Some(&record)), false);
    assert!(
        verified.iter().all(|m| m.code == 0),
        "verify found the record intact"
    );
    modes.push(("verify", summarise(&verified, |_| Vec::new())));
    if !with_app {
        println!("(the app is measured for this build only)");
    } else if std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty()) {
        let app = repeat(
            &|_| tickmark(&["--time-to-tree", "largest"], Some(&record)),
            true,
        );
        let probe = |m: &Measured| {
            let mut out = Vec::new();
            for (line, at) in &m.lines {
                let words: Vec<&str> = line.split_whitespace().collect();
                match words.as_slice() {
                    ["ready", inside] => {
                        out.push(("ready_s".to_owned(), at.as_secs_f64()));
                        out.push((
                            "ready_inside_s".to_owned(),
                            inside.parse::<f64>().unwrap_or(f64::NAN) / 1000.0,
                        ));
                    }
                    ["selected", _, resources] => out.push((
                        "resources".to_owned(),
                        resources.parse().unwrap_or(f64::NAN),
                    )),
                    ["page_frame", ms, rows] => {
                        out.push(("page_frame_ms".to_owned(), ms.parse().unwrap_or(f64::NAN)));
                        out.push(("page_rows".to_owned(), rows.parse().unwrap_or(f64::NAN)));
                    }
                    _ => {}
                }
            }
            out
        };
        modes.push(("app", summarise(&app, probe)));
    } else {
        println!("(no DISPLAY: the app is not measured; run under Xvfb to include it)");
    }
    Report {
        input_bytes,
        record_bytes,
        modes,
    }
}

fn strings(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect()
}

impl Report {
    fn mode(&self, name: &str) -> Option<&Mode> {
        self.modes.iter().find(|(n, _)| *n == name).map(|(_, m)| m)
    }

    fn print(&self, dataset: &str, build: &str) {
        let input = self.input_bytes as f64;
        println!();
        println!(
            "{dataset} ({build}): input {:.1} MiB; record {:.1} MiB (overhead beyond the input {:.1} MiB, {:.1}% of it)",
            input / MIB,
            self.record_bytes as f64 / MIB,
            (self.record_bytes as f64 - input) / MIB,
            (self.record_bytes as f64 - input) / input * 100.0
        );
        let floor = self.mode("floor").map_or(f64::NAN, |m| m.wall);
        let read = self.mode("read-record").map_or(f64::NAN, |m| m.wall);
        println!(
            "{:<15} {:>9} {:>9} {:>11} {:>9} {:>12}",
            "mode", "wall s", "x floor", "peak MiB", "x input", "stdout"
        );
        for (name, mode) in &self.modes {
            println!(
                "{name:<15} {:>9.3} {:>9.2} {:>11.1} {:>9.2} {:>12}",
                mode.wall,
                mode.wall / floor,
                mode.peak / MIB,
                mode.peak / input,
                if mode.stdout > 0.0 {
                    format!("{:.2} MiB", mode.stdout / MIB)
                } else {
                    "-".to_owned()
                }
            );
            for (key, value) in &mode.extra {
                println!("{:<15}   {key} = {value:.3}", "");
            }
        }
        let ratio = |name: &str| self.mode(name).map_or(f64::NAN, |m| m.wall / floor);
        let peak = |name: &str| self.mode(name).map_or(f64::NAN, |m| m.peak / MIB);
        println!("targets ({dataset}, {build}):");
        println!(
            "  evaluate <= 2x floor: table {:.2}x, json {:.2}x; json output <= 5% of input: {:.2}%",
            ratio("evaluate-table"),
            ratio("evaluate-json"),
            self.mode("evaluate-json")
                .map_or(f64::NAN, |m| m.stdout / input * 100.0)
        );
        println!(
            "  import <= 3x floor: {:.2}x; import peak <= 1.5x input: {:.2}x; record overhead <= 10%: {:.1}%",
            ratio("import"),
            self.mode("import").map_or(f64::NAN, |m| m.peak / input),
            (self.record_bytes as f64 - input) / input * 100.0
        );
        println!(
            "  verify <= 1.5x reading the record: {:.2}x ({:.3} s / {read:.3} s; {:.2}x hashing it once); verify peak <= 100 MiB: {:.1} MiB",
            self.mode("verify").map_or(f64::NAN, |m| m.wall) / read,
            self.mode("verify").map_or(f64::NAN, |m| m.wall),
            self.mode("verify").map_or(f64::NAN, |m| m.wall)
                / self.mode("hash-record").map_or(f64::NAN, |m| m.wall),
            peak("verify")
        );
        if let Some(app) = self.mode("app") {
            let extra = |k: &str| {
                app.extra
                    .iter()
                    .find(|(key, _)| key == k)
                    .map_or(f64::NAN, |(_, v)| *v)
            };
            println!(
                "  app tree with verdicts <= 1 s: {:.3} s; app peak <= 400 MiB: {:.1} MiB; first page frame <= 16 ms: {:.2} ms ({} rows of {} resources)",
                extra("ready_s"),
                app.peak / MIB,
                extra("page_frame_ms"),
                extra("page_rows"),
                extra("resources")
            );
        }
    }
}

/// 200 NSGs, 50 route tables and 20 rule collection groups made from the
/// sample's (renamed, with their rules varied), 5,000 Deployments, and the
/// sample's cluster, firewall and policy exports.
fn generate_estate(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).expect("the estate directory");
    let marker = dir.join("deployments.json");
    if marker.exists() {
        return dir.to_owned();
    }
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/azure");
    let read = |name: &str| -> Vec<Value> {
        let text = std::fs::read_to_string(sample.join(name)).expect("the sample file");
        match serde_json::from_str(&text).expect("JSON") {
            Value::Array(items) => items,
            other => vec![other],
        }
    };
    let mut rng = Rng::new(0xe57a7e);
    let multiply = |items: &[Value], count: usize, rng: &mut Rng| -> Vec<Value> {
        (0..count)
            .map(|i| {
                let template = &items[i % items.len()];
                let name = template["name"].as_str().unwrap_or("item").to_owned();
                let text = template
                    .to_string()
                    .replace(&name, &format!("{name}-{i:03}"));
                let mut item: Value = serde_json::from_str(&text).expect("JSON");
                vary_rules(&mut item, rng);
                item
            })
            .collect()
    };
    let write = |name: &str, items: Vec<Value>| {
        write_kubectl_json(&dir.join(name), &Value::Array(items)).expect("written")
    };
    write("nsgs.json", multiply(&read("nsgs.json"), 200, &mut rng));
    write(
        "route-tables.json",
        multiply(&read("route-tables.json"), 50, &mut rng),
    );
    write(
        "firewall-policy-rule-collection-groups.json",
        multiply(
            &read("firewall-policy-rule-collection-groups.json"),
            20,
            &mut rng,
        ),
    );
    for name in [
        "aks-cluster.json",
        "firewall.json",
        "firewall-policy.json",
        "container-registry.json",
        "log-analytics-workspace.json",
    ] {
        std::fs::copy(sample.join(name), dir.join(name)).expect("copied");
    }
    write_kubectl_json(
        &marker,
        &LazyList {
            count: 5_000,
            seed: 0xe57a7e,
            item: |rng: &mut Rng, i| support::controller(rng, "Deployment", i),
        },
    )
    .expect("written");
    dir.to_owned()
}

/// Some rules of an NSG opened wider, so that the estate has findings.
fn vary_rules(item: &mut Value, rng: &mut Rng) {
    if let Some(rules) = item.get_mut("securityRules").and_then(Value::as_array_mut) {
        for rule in rules {
            if rng.chance(10) {
                rule["sourceAddressPrefix"] = Value::from("*");
            }
        }
    }
}
