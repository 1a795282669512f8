//! What the app's kittest tests share: a workbench on a temporary record
//! (inline worker), clicking and typing by accessible label.
#![allow(dead_code)]

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tickmark::checks::Settings;
use tickmark::store::Role;
use tickmark::ui::{Prefs, Workbench, WorkbenchOptions, WorkerMode};

/// A workbench on `db`, the sample created on a first start.
pub fn workbench(db: &Path) -> Workbench {
    Workbench::new(WorkbenchOptions {
        db_path: db.to_owned(),
        settings: Settings::default(),
        mode: WorkerMode::Inline,
        prefs: Prefs::default(),
        seed_sample_when_empty: true,
    })
}

/// A harness of `size` around `workbench`, run until it settles.
pub fn harness_sized(workbench: Workbench, size: [f32; 2]) -> Harness<'static, Workbench> {
    let mut harness = Harness::builder()
        .with_size(size)
        .with_max_steps(200)
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), workbench);
    harness.run();
    harness
}

/// A large harness on `db` with the sample open.
pub fn sample(db: &Path) -> Harness<'static, Workbench> {
    let h = harness_sized(workbench(db), [1500.0, 1400.0]);
    assert!(h.state().assessment().is_some(), "the sample is open");
    h
}

/// Clicks the widget labelled `label` and runs the frames that follow.
pub fn click(h: &mut Harness<'_, Workbench>, label: &str) {
    h.get_by_label(label).click();
    h.run();
}

/// Types `text` into the field labelled `label`.
pub fn type_into(h: &mut Harness<'_, Workbench>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

/// Creates a profile in the profiles dialog and uses it.
pub fn create_profile(h: &mut Harness<'_, Workbench>, name: &str, role: Role) {
    click(h, "Choose a reviewer");
    type_into(h, "Name", name);
    if role == Role::SecurityLead {
        click(h, "Security lead");
    }
    click(h, "Create profile");
    assert_eq!(h.state().profile().map(|p| p.name.as_str()), Some(name));
}
