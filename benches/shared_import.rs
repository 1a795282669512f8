//! Importing a large evidence file into a record shared on PostgreSQL
//! against importing it into a SQLite file, in the same run: whole
//! `tickmark import` processes on a generated `kubectl get pods -A -o json`
//! list, each timed from spawn to exit with its peak memory (`VmHWM`).
//! Onto the server, the import writes the local copy and pushes the stored
//! file, its result lists and events to the server before it ends.
//!
//! - `TICKMARK_BENCH_PODS_MIB`: the list's size (default 64; BENCHMARKS.md's
//!   figures are for 200);
//! - `TICKMARK_BENCH_RUNS`: runs per build and target (default 3; medians);
//! - `TICKMARK_BENCH_BASELINE_BIN`: another build measured the same way,
//!   alternating with this one (before and after a change).
//!
//! Each server import goes to a new, durable (`fsync` on) throwaway
//! cluster set up with `tickmark init-server`, or to a new database on
//! `TICKMARK_TEST_POSTGRES`.
//!
//! `cargo bench --bench shared_import`

#[path = "../tests/pg_support/mod.rs"]
mod pg_support;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{MIB, Measured, generate_pods, median, run_measured};

/// Where an import goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    File,
    Server,
}

fn main() {
    let runs = env_number("TICKMARK_BENCH_RUNS", 3).max(1);
    let mib = env_number("TICKMARK_BENCH_PODS_MIB", 64).max(1);
    let work = tempfile::tempdir().expect("a temporary directory");
    let pods = generate_pods(&work.path().join("pods"), mib);
    let mut builds = vec![("this build", PathBuf::from(env!("CARGO_BIN_EXE_tickmark")))];
    if let Some(baseline) = std::env::var_os("TICKMARK_BENCH_BASELINE_BIN") {
        builds.insert(0, ("baseline", PathBuf::from(baseline)));
    }
    let mut measured: Vec<Vec<(Target, Measured)>> = builds.iter().map(|_| Vec::new()).collect();
    for run in 0..runs {
        for (index, (_, binary)) in builds.iter().enumerate() {
            for target in [Target::File, Target::Server] {
                let place = work.path().join(format!("run-{run}-build-{index}"));
                let Some(figures) = import_once(binary, target, &place, &pods, run, index) else {
                    return;
                };
                measured[index].push((target, figures));
                let _ = std::fs::remove_dir_all(&place);
            }
        }
    }
    report(&builds, &measured, mib, runs);
}

/// One `tickmark import` of `pods` into a new record at `target`.
fn import_once(
    binary: &Path,
    target: Target,
    place: &Path,
    pods: &Path,
    run: usize,
    build: usize,
) -> Option<Measured> {
    std::fs::create_dir_all(place).expect("the run's directory");
    let server;
    let db = match target {
        Target::File => place.join("record.sqlite3").to_string_lossy().into_owned(),
        Target::Server => {
            server = pg_support::durable_database(&format!("import_{run}_{build}"))?;
            let out = Command::new(binary)
                .args(["init-server", &server.url])
                .output()
                .expect("init-server runs");
            assert!(
                out.status.success(),
                "init-server: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            server.url.clone()
        }
    };
    let mut command = Command::new(binary);
    command
        .args(["--db", &db, "import", "--assessment", "Bench"])
        .arg(pods)
        .env("TICKMARK_REPLICA_DIR", place.join("copies"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    let figures = run_measured(command, false);
    assert!(
        (0..=1).contains(&figures.code),
        "{} import into {db} exited with {}",
        binary.display(),
        figures.code
    );
    Some(figures)
}

fn report(
    builds: &[(&str, PathBuf)],
    measured: &[Vec<(Target, Measured)>],
    mib: usize,
    runs: usize,
) {
    println!(
        "shared_import: a {mib} MiB pods list, {runs} run(s) per build and target, medians; load average {}",
        std::fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    );
    println!("| build | into | wall | peak memory | server / file (wall, peak) |");
    println!("|---|---|---|---|---|");
    let medians = |runs: &[(Target, Measured)], target: Target| {
        let of = |f: &dyn Fn(&Measured) -> f64| {
            median(
                runs.iter()
                    .filter(|(t, _)| *t == target)
                    .map(|(_, m)| f(m))
                    .collect(),
            )
        };
        (of(&|m| m.wall.as_secs_f64()), of(&|m| m.peak as f64 / MIB))
    };
    for ((name, binary), runs) in builds.iter().zip(measured) {
        let file = medians(runs, Target::File);
        let server = medians(runs, Target::Server);
        println!(
            "| {name} ({}) | file | {:.2} s | {:.1} MiB | 1.00x |",
            binary.display(),
            file.0,
            file.1
        );
        println!(
            "| {name} | server | {:.2} s | {:.1} MiB | {:.2}x, {:.2}x |",
            server.0,
            server.1,
            server.0 / file.0,
            server.1 / file.1
        );
    }
}

fn env_number(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
