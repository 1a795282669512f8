//! Frame time of the review workbench, measured in one run:
//!
//! * **baseline**: the bundled sample assessment, requirement 1.1.6 selected
//!   (two checks, nine resource rows);
//! * **large**: an assessment whose Azure Policy export holds 100,000
//!   NonCompliant states for requirement 2.2, imported and evaluated through
//!   the real pipeline, so the selected requirement has a check with
//!   100,000 resource rows (plus the other checks of 2.2).
//!
//! A frame is everything the CPU does for one repaint: `Workbench::ui` in a
//! 1600×1000 window and egui's tessellation of its shapes (the GPU upload is
//! left out). Frames are measured idle and with the pointer moving over the
//! window. `cargo bench --bench ui_frame`; `TICKMARK_BENCH_FRAMES` sets the
//! number of frames per measurement (default 300), `TICKMARK_BENCH_KEEP` a
//! directory in which to keep the two review records.

use std::path::Path;
use std::time::{Duration, Instant};

use tickmark::checks::Settings;
use tickmark::evidence;
use tickmark::store::{Actor, NewAssessment, Store};
use tickmark::ui::{Prefs, Workbench, WorkbenchOptions, WorkerMode};

const LARGE_FINDINGS: usize = 100_000;
const SIZE: egui::Vec2 = egui::vec2(1600.0, 1000.0);

fn main() {
    let frames: usize = std::env::var("TICKMARK_BENCH_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let temporary = tempfile::tempdir().expect("a temporary directory");
    // `TICKMARK_BENCH_KEEP=DIR` keeps the two review records there, to look
    // at them in the app.
    let kept = std::env::var_os("TICKMARK_BENCH_KEEP").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temporary.path());

    let sample_db = dir.join("sample.sqlite3");
    let mut sample = Frames::new(&sample_db, true);
    sample.settle();
    sample.workbench.select("1.1.6");
    sample.settle();
    let baseline_idle = sample.measure(frames, false);
    let baseline_vertices = sample.vertices;
    let baseline_moving = sample.measure(frames, true);

    let large_db = dir.join("large.sqlite3");
    let started = Instant::now();
    build_large(&large_db, LARGE_FINDINGS);
    let build = started.elapsed();
    let started = Instant::now();
    let mut large = Frames::new(&large_db, false);
    large.settle();
    let load = started.elapsed();
    large.workbench.select("2.2");
    large.settle();
    assert_eq!(large.workbench.selected(), Some("2.2"));
    assert_eq!(
        large
            .workbench
            .requirement_state("2.2")
            .and_then(|s| s.verdict),
        Some(tickmark::checks::VerdictStatus::Fail),
        "the large assessment is open"
    );
    let large_idle = large.measure(frames, false);
    let large_vertices = large.vertices;
    let large_moving = large.measure(frames, true);

    println!(
        "ui_frame: {frames} frames per measurement, window {}x{}",
        SIZE.x, SIZE.y
    );
    println!(
        "large setup: import + evaluate {LARGE_FINDINGS} findings {:.2} s, open in the app {:.2} s",
        build.as_secs_f64(),
        load.as_secs_f64()
    );
    println!(
        "drawn per frame: sample {baseline_vertices} vertices, large {large_vertices} vertices"
    );
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>8}",
        "measurement", "median ms", "p95 ms", "max ms", "ratio"
    );
    for (name, stats, base) in [
        ("baseline (sample), idle", &baseline_idle, &baseline_idle),
        (
            "baseline (sample), pointer moving",
            &baseline_moving,
            &baseline_moving,
        ),
        ("100,000 findings, idle", &large_idle, &baseline_idle),
        (
            "100,000 findings, pointer moving",
            &large_moving,
            &baseline_moving,
        ),
    ] {
        println!(
            "{name:<34} {:>10.2} {:>10.2} {:>10.2} {:>7.2}x",
            ms(stats.median),
            ms(stats.p95),
            ms(stats.max),
            stats.median.as_secs_f64() / base.median.as_secs_f64()
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Frame times of one measurement.
struct Stats {
    median: Duration,
    p95: Duration,
    max: Duration,
}

/// A workbench in a headless egui context.
struct Frames {
    ctx: egui::Context,
    workbench: Workbench,
    frame: usize,
    /// Vertices tessellated in the last frame (shows what was drawn).
    vertices: usize,
}

impl Frames {
    fn new(db: &Path, seed: bool) -> Frames {
        let workbench = Workbench::new(WorkbenchOptions {
            db_path: db.to_owned(),
            settings: Settings::default(),
            mode: WorkerMode::Inline,
            prefs: Prefs::default(),
            seed_sample_when_empty: seed,
        });
        Frames {
            ctx: egui::Context::default(),
            workbench,
            frame: 0,
            vertices: 0,
        }
    }

    /// One frame: the UI and the tessellation of its shapes.
    fn frame(&mut self, moving: bool) {
        self.frame += 1;
        let mut input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, SIZE)),
            time: Some(self.frame as f64 / 60.0),
            ..Default::default()
        };
        if moving {
            let t = (self.frame % 200) as f32 / 200.0;
            input.events.push(egui::Event::PointerMoved(egui::pos2(
                40.0 + t * (SIZE.x - 80.0),
                120.0 + t * (SIZE.y - 240.0),
            )));
        }
        let workbench = &mut self.workbench;
        let mut output = self.ctx.run_ui(input, |ui| workbench.ui(ui));
        let shapes = std::mem::take(&mut output.shapes);
        let primitives = self.ctx.tessellate(shapes, output.pixels_per_point);
        self.vertices = primitives
            .iter()
            .map(|p| match &p.primitive {
                egui::epaint::Primitive::Mesh(mesh) => mesh.vertices.len(),
                egui::epaint::Primitive::Callback(_) => 0,
            })
            .sum();
        std::hint::black_box(primitives);
        output.textures_delta.clear();
    }

    /// Runs frames until the worker has nothing left to apply.
    fn settle(&mut self) {
        for _ in 0..400 {
            self.frame(false);
            if self.workbench.assessment().is_some() && !self.workbench.is_busy() {
                break;
            }
        }
        for _ in 0..30 {
            self.frame(false);
        }
    }

    fn measure(&mut self, frames: usize, moving: bool) -> Stats {
        for _ in 0..20 {
            self.frame(moving);
        }
        let mut times: Vec<Duration> = (0..frames)
            .map(|_| {
                let started = Instant::now();
                self.frame(moving);
                started.elapsed()
            })
            .collect();
        times.sort();
        Stats {
            median: times[times.len() / 2],
            p95: times[times.len() * 95 / 100],
            max: times[times.len() - 1],
        }
    }
}

/// An assessment with `count` NonCompliant Azure Policy states grouped
/// under PCI DSS 2.2, imported and evaluated through the store.
fn build_large(db: &Path, count: usize) {
    let mut store = Store::open(db).expect("a new review record");
    let actor = Actor::os_user_only();
    let today = chrono::Utc::now().date_naive();
    let assessment = store
        .create_assessment(
            &actor,
            &NewAssessment {
                name: "Large estate".into(),
                cluster: "aks-large".into(),
                period_start: today,
                period_end: today,
                catalog_id: "pci-dss-3.2.1".into(),
            },
        )
        .expect("the assessment");
    let bytes = policy_states(count);
    let file = evidence::import_bytes("policy-states-large.json", &bytes, chrono::Utc::now())
        .expect("the generated policy states import");
    store
        .import_evidence(&actor, assessment.id, &file, &bytes)
        .expect("stored");
    let (outcome, _) = store
        .evaluate_and_record(
            &actor,
            assessment.id,
            tickmark::catalog::pci_dss_321(),
            &Settings::default(),
        )
        .expect("evaluated");
    let rows: usize = outcome
        .run()
        .results_of("2.2")
        .iter()
        .map(|(_, c)| c.resources.total())
        .sum();
    assert!(rows >= count, "2.2 has {rows} resource rows");
}

fn policy_states(count: usize) -> Vec<u8> {
    let sub = "/subscriptions/9c1f0d3e-0000-4000-8000-00000000b3c4";
    let states: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            serde_json::json!({
                "complianceState": "NonCompliant",
                "policyAssignmentId": format!("{sub}/providers/microsoft.authorization/policyassignments/pci-dss-3.2.1"),
                "policyAssignmentName": "pci-dss-3.2.1",
                "policyDefinitionName": format!("container-baseline-{}", i % 12),
                "policyDefinitionGroupNames": ["PCI_DSS_V3.2.1_2.2"],
                "resourceId": format!(
                    "{sub}/resourceGroups/rg-workloads-{:03}/providers/Microsoft.ContainerService/managedClusters/aks-{:03}/namespaces/ns-{:05}",
                    i / 1000,
                    i / 1000,
                    i
                ),
                "timestamp": "2026-11-17T04:00:00Z",
            })
        })
        .collect();
    serde_json::to_vec(&states).expect("JSON")
}
