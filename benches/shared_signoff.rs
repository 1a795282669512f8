//! Sign-off latency on a record shared on PostgreSQL against a SQLite file,
//! in the same run: 4 writers at once (each its own `Store`, as each
//! member's app or command keeps one; on PostgreSQL each with its own local
//! copy), 1,000 sign-offs in all, each timed from the call to its return.
//! The PostgreSQL server is a throwaway cluster started here with `fsync`
//! on (or `TICKMARK_TEST_POSTGRES`); SQLite runs with `synchronous=FULL` as
//! always. Prints median, p99 and max per engine, the wall time, and the
//! ratios; then checks each record verifies with all 1,000 sign-offs.
//!
//! `cargo bench --bench shared_signoff`

#[path = "../tests/pg_support/mod.rs"]
mod pg_support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tickmark::catalog::default_catalog;
use tickmark::store::{
    Actor, Finding, NewAssessment, NewProfile, OpenOptions, ReviewInput, Role, Store,
};

const WRITERS: usize = 4;
const SIGN_OFFS: usize = 1000;
/// Each writer signs off this many requirements, one sign-off each.
const PER_WRITER: usize = SIGN_OFFS / WRITERS;

struct Figures {
    median: Duration,
    p99: Duration,
    max: Duration,
    wall: Duration,
}

fn open(db: &Path, copies: &Path, writer: usize) -> Store {
    Store::open_with(
        db,
        &OpenOptions {
            replica_dir: Some(copies.join(format!("writer-{writer}"))),
            busy_timeout: Duration::from_secs(60),
            ..OpenOptions::default()
        },
    )
    .unwrap()
}

/// Profiles, an assessment and [`PER_WRITER`] concluded requirements;
/// returns the assessment, the writers' profiles and the requirements.
fn set_up(store: &mut Store) -> (i64, Vec<i64>, Vec<String>) {
    let catalog = default_catalog();
    let profiles: Vec<i64> = (0..WRITERS)
        .map(|n| {
            store
                .create_profile(
                    &Actor::os_user_only(),
                    &NewProfile {
                        name: format!("Bench assessor {n}"),
                        email: format!("bench{n}@example.com"),
                        role: Role::Auditor,
                    },
                )
                .unwrap()
                .id
        })
        .collect();
    let actor = Actor::with_profile(profiles[0]);
    let assessment = store
        .create_assessment(
            &actor,
            &NewAssessment {
                name: "Bench".into(),
                cluster: "aks-bench".into(),
                period_start: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                period_end: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                catalog_id: catalog.id.clone(),
            },
        )
        .unwrap()
        .id;
    let requirements: Vec<String> = catalog
        .requirements()
        .take(PER_WRITER)
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(requirements.len(), PER_WRITER);
    store
        .atomically(|store| {
            for requirement in &requirements {
                store.set_review(
                    &actor,
                    assessment,
                    catalog,
                    requirement,
                    &ReviewInput {
                        finding: Some(Finding::InPlace),
                        note: "Seen and tested.".into(),
                        ..ReviewInput::default()
                    },
                )?;
            }
            Ok::<_, tickmark::store::StoreError>(())
        })
        .unwrap();
    (assessment, profiles, requirements)
}

fn measure(label: &str, db: &Path, copies: &Path) -> Figures {
    let (assessment, profiles, requirements) = set_up(&mut open(db, copies, 0));
    let start = Instant::now();
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (db, copies, profile) = (db.to_owned(), copies.to_owned(), profiles[w]);
            let requirements = requirements.clone();
            std::thread::spawn(move || {
                let mut store = open(&db, &copies, w);
                let catalog = default_catalog();
                let actor = Actor::with_profile(profile);
                // Each writer starts at its own place in the list.
                (0..PER_WRITER)
                    .map(|n| {
                        let requirement =
                            &requirements[(n + w * PER_WRITER / WRITERS) % PER_WRITER];
                        let t = Instant::now();
                        store
                            .sign_off(
                                &actor,
                                assessment,
                                catalog,
                                requirement,
                                &format!("Signed off by writer {w}"),
                            )
                            .unwrap();
                        t.elapsed()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let wall = start.elapsed();
    all.sort();
    let report = open(db, copies, 0).verify().unwrap();
    assert!(report.is_intact(), "{label}: {:?}", report.first_problem());
    let events = report.counts.events;
    // The profiles, the assessment, the reviews and every sign-off.
    assert_eq!(
        events as usize,
        WRITERS + 1 + PER_WRITER + SIGN_OFFS,
        "{label}"
    );
    let at = |q: f64| all[((all.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    Figures {
        median: at(0.5),
        p99: at(0.99),
        max: all[all.len() - 1],
        wall,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let Some(db) = pg_support::durable_database("bench_shared_signoff") else {
        return;
    };
    let work = std::env::temp_dir().join(format!("tickmark-bench-signoff-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let init = std::process::Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(["init-server", &db.url])
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{WRITERS} writers, {SIGN_OFFS} sign-offs in all; load average before: {}",
        load.trim()
    );
    let file: PathBuf = work.join("record.sqlite3");
    let sqlite = measure("SQLite", &file, &work.join("unused"));
    let postgres = measure("PostgreSQL", Path::new(&db.url), &work.join("copies"));
    for (label, f) in [("SQLite file", &sqlite), ("PostgreSQL", &postgres)] {
        println!(
            "{label:<12} median {:>9}  p99 {:>9}  max {:>9}  wall {:>8.2} s ({:.0} sign-offs/s)",
            ms(f.median),
            ms(f.p99),
            ms(f.max),
            f.wall.as_secs_f64(),
            SIGN_OFFS as f64 / f.wall.as_secs_f64()
        );
    }
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "PostgreSQL / SQLite: median {:.2}x, p99 {:.2}x, wall {:.2}x",
        ratio(postgres.median, sqlite.median),
        ratio(postgres.p99, sqlite.p99),
        ratio(postgres.wall, sqlite.wall)
    );
    let _ = std::fs::remove_dir_all(&work);
}
