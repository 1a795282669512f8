//! Ingest of a large `kubectl get pods -A -o json` list.
//!
//! Generates a realistic list of at least 200 MiB once (kept under the
//! target directory), then measures, each in its own child process so that
//! peak memory (`VmHWM`) belongs to that mode alone:
//! - `floor`: `serde_json::from_slice::<IgnoredAny>` over the bytes, the
//!   least any JSON reader can do;
//! - `import`: `tickmark::evidence::import_bytes`, the whole import
//!   (decoding, format detection, streaming into typed objects, SHA-256);
//! - `stream`: only `evidence::k8s::read_large_json`;
//! - `hold`: reads the file and does nothing, the memory of holding it.
//!
//! Run with `cargo bench --bench k8s_ingest`; figures are medians of
//! `RUNS` runs, reported with their ratio to the floor of the same run.

mod support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use support::{LazyList, MIB, child_args, median, peak_memory_bytes, report, run_child};

/// The list must be at least this large.
const MIN_BYTES: u64 = 200 * 1024 * 1024;
/// Runs per mode; the median is reported.
const RUNS: usize = 5;
/// Bump when the generator changes, so an old file is not reused.
const GENERATOR_VERSION: u32 = 1;

fn main() {
    if let Some(args) = child_args() {
        child(&args);
        return;
    }
    let path = ensure_list();
    let size = std::fs::metadata(&path).expect("the list exists").len();
    let path_arg = path.to_string_lossy().into_owned();
    let modes = ["floor", "import", "stream", "hold"];
    let mut runs: Vec<(&str, Vec<support::ChildRun>)> =
        modes.iter().map(|m| (*m, Vec::new())).collect();
    for _ in 0..RUNS {
        for (mode, results) in &mut runs {
            results.push(run_child(&[mode, &path_arg]));
        }
    }
    let values = |mode: &str, key: &str| -> Vec<f64> {
        let (_, results) = runs.iter().find(|(m, _)| *m == mode).expect("mode ran");
        results.iter().map(|r| r.get(key)).collect()
    };
    let stat = |mode: &str, key: &str| median(values(mode, key));
    let mb = size as f64 / MIB;
    println!(
        "k8s_ingest: {} ({:.1} MiB, {} pods), {RUNS} runs per mode, medians",
        path.display(),
        mb,
        stat("import", "pods")
    );
    println!(
        "{:<8} {:>8} {:>17} {:>9} {:>9} {:>18}",
        "mode", "seconds", "(min-max)", "MiB/s", "x floor", "peak MiB (x file)"
    );
    let floor_rate = mb / stat("floor", "seconds");
    for mode in ["floor", "import", "stream"] {
        let seconds = stat(mode, "seconds");
        let all = values(mode, "seconds");
        let (min, max) = (
            all.iter().copied().fold(f64::MAX, f64::min),
            all.iter().copied().fold(0.0, f64::max),
        );
        let rate = mb / seconds;
        let peak = stat(mode, "peak_bytes");
        println!(
            "{mode:<8} {seconds:>8.3} {:>17} {rate:>9.1} {:>9.2} {:>9.1} ({:.2}x)",
            format!("({min:.3}-{max:.3})"),
            rate / floor_rate,
            peak / MIB,
            peak / size as f64
        );
    }
    let hold = stat("hold", "peak_bytes");
    println!(
        "{:<8} {:>8} {:>17} {:>9} {:>9} {:>9.1} ({:.2}x)",
        "hold",
        "-",
        "",
        "-",
        "-",
        hold / MIB,
        hold / size as f64
    );
    println!(
        "targets: import >= 0.5x floor: {:.2}x (stream alone {:.2}x); import peak <= 1.5x file: {:.2}x",
        (mb / stat("import", "seconds")) / floor_rate,
        (mb / stat("stream", "seconds")) / floor_rate,
        stat("import", "peak_bytes") / size as f64
    );
}

fn child(args: &[String]) {
    let [mode, path] = args else {
        panic!("usage: --child <floor|import|stream|hold> <file>");
    };
    let bytes = std::fs::read(path).expect("the list is readable");
    let start = Instant::now();
    // What was read stays alive until the clock has stopped: freeing it is
    // not part of an import (the app keeps it).
    let (pods, kept): (usize, Box<dyn std::any::Any>) = match mode.as_str() {
        "floor" => {
            serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).expect("valid JSON");
            (0, Box::new(()))
        }
        "import" => {
            let file = tickmark::evidence::import_bytes(path, &bytes, chrono::Utc::now())
                .expect("the list imports");
            assert_eq!(
                file.provenance.format,
                tickmark::evidence::Format::KubectlPods
            );
            (file.evidence.k8s.workloads.len(), Box::new(file))
        }
        "stream" => {
            let text = std::str::from_utf8(&bytes).expect("UTF-8");
            let mut out = tickmark::evidence::k8s::K8sEvidence::default();
            let ctx = tickmark::evidence::ImportContext::new(path);
            tickmark::evidence::k8s::read_large_json(ctx, text, &mut out)
                .expect("a kubectl list")
                .expect("the list reads");
            (out.workloads.len(), Box::new(out))
        }
        "hold" => (0, Box::new(())),
        other => panic!("unknown mode {other}"),
    };
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(&kept);
    std::hint::black_box(&bytes);
    report(&[
        ("seconds", format!("{seconds:.6}")),
        ("peak_bytes", peak_memory_bytes().to_string()),
        ("pods", pods.to_string()),
    ]);
}

/// The generated list, made once and reused while the generator is unchanged.
fn ensure_list() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("k8s-ingest");
    std::fs::create_dir_all(&dir).expect("the bench directory can be made");
    let path = dir.join(format!("kubectl-pods-v{GENERATOR_VERSION}.json"));
    if std::fs::metadata(&path).is_ok_and(|m| m.len() >= MIN_BYTES) {
        return path;
    }
    // Size one pod, then write enough of them to pass the minimum.
    let sample_path = dir.join("sample.json");
    let sample = LazyList {
        count: 200,
        seed: 7,
        item: support::pod,
    };
    support::write_kubectl_json(&sample_path, &sample).expect("the sample is written");
    let per_pod = std::fs::metadata(&sample_path).expect("sample").len() / 200;
    let count = (MIN_BYTES / per_pod) as usize * 21 / 20;
    let start = Instant::now();
    let list = LazyList {
        count,
        seed: 42,
        item: support::pod,
    };
    support::write_kubectl_json(&path, &list).expect("the list is written");
    let size = std::fs::metadata(&path).expect("list").len();
    assert!(size >= MIN_BYTES, "generated only {size} bytes");
    eprintln!(
        "generated {count} pods, {:.1} MiB, in {:.1} s",
        size as f64 / MIB,
        start.elapsed().as_secs_f64()
    );
    path
}
