//! A PCI DSS 4.0.1 assessment in the app, driven through AccessKit with
//! egui_kittest: started from the sample's 3.2.1 assessment in the new-assessment
//! dialog, the prior period beside a requirement, a finding by a
//! compensating control with its worksheet (the sign-off waits for every
//! field), an appendix declared not applicable from the dashboard, and the
//! comparison with the 3.2.1 assessment through the crosswalk.

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tickmark::checks::Settings;
use tickmark::sample;
use tickmark::store::{Finding, Method, SignOffState, Store};
use tickmark::ui::{Phase, Prefs, Screen, Workbench, WorkbenchOptions, WorkerMode};

fn harness(db: &Path) -> Harness<'static, Workbench> {
    let workbench = Workbench::new(WorkbenchOptions {
        db_path: db.to_owned(),
        settings: Settings::default(),
        mode: WorkerMode::Inline,
        prefs: Prefs::default(),
        seed_sample_when_empty: true,
    });
    let mut harness = Harness::builder()
        .with_size([1500.0, 1400.0])
        .with_max_steps(200)
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), workbench);
    harness.run();
    harness
}

fn click(h: &mut Harness<'_, Workbench>, label: &str) {
    h.get_by_label(label).click();
    h.run();
}

fn type_into(h: &mut Harness<'_, Workbench>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

fn go_to(h: &mut Harness<'_, Workbench>, requirement: &str) {
    h.state_mut().select(requirement);
    h.run();
    assert_eq!(h.state().selected(), Some(requirement));
}

#[test]
fn a_4_0_1_assessment_from_the_sample_reviewed_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = harness(&db);
    assert_eq!(h.state().phase(), &Phase::Ready);
    let sample_id = Store::open_existing(&db)
        .unwrap()
        .assessment(sample::EARLIER_ASSESSMENT_NAME)
        .unwrap()
        .unwrap()
        .id;
    // A reviewer profile.
    click(&mut h, "Choose a reviewer");
    type_into(&mut h, "Name", "Ada Auditor");
    click(&mut h, "Create profile");

    // New assessment: 4.0.1 is chosen already; start from the sample's
    // earlier (3.2.1) assessment.
    click(&mut h, &format!("Assessment: {}", sample::ASSESSMENT_NAME));
    click(&mut h, "New assessment…");
    type_into(&mut h, "Name", "Harbourline FY2027");
    h.get_by_label("PCI DSS 4.0.1 (current)");
    click(&mut h, "Start from");
    h.get_all_by_label(sample::EARLIER_ASSESSMENT_NAME)
        .last()
        .unwrap()
        .click();
    h.run();
    h.get_by_label_contains("are carried forward (referenced, not stored again)");
    click(&mut h, "Create assessment");
    let opened = h.state().assessment().unwrap().clone();
    assert_eq!(opened.name, "Harbourline FY2027");
    assert_eq!(opened.catalog_id, "pci-dss-4.0.1");
    assert_eq!(opened.prior_assessment, Some(sample_id));
    assert!(h.state().visible_requirements().len() > 250);

    // The prior period beside 10.5.1: the sample's 3.2.1 10.7 note.
    go_to(&mut h, "10.5.1");
    h.get_by_label_contains(&format!(
        "Prior period: {}",
        sample::EARLIER_ASSESSMENT_NAME
    ));
    h.get_by_label("Earlier finding: In Place");
    h.get_by_label_contains("immutable storage for 400 days");
    // Nothing was copied in as this period's finding.
    assert_eq!(
        h.state()
            .requirement_state("10.5.1")
            .and_then(|s| s.conclusion()),
        None
    );

    // In Place by a compensating control: the worksheet opens and the
    // sign-off waits for a reason (the retention check fails) and for every
    // field of the worksheet.
    click(&mut h, "In Place");
    click(&mut h, "Compensating control");
    let review = h
        .state()
        .requirement_state("10.5.1")
        .unwrap()
        .review
        .clone()
        .unwrap();
    assert_eq!(review.finding, Some(Finding::InPlace));
    assert_eq!(review.method, Method::Compensating);
    h.get_by_label_contains("Compensating controls worksheet (Appendix C) · 0 of 6 filled");
    h.get_by_label_contains("The compensating controls worksheet is incomplete");
    h.get_by_label_contains("In Place over failing automated checks (logs.retention)");
    assert!(h.get_by_label("Sign off").accesskit_node().is_disabled());
    // Not Applicable does not go with a compensating control.
    assert!(
        h.get_by_label("Not Applicable")
            .accesskit_node()
            .is_disabled()
    );
    for (label, text) in [
        ("Constraints", "The workspace keeps 90 days online."),
        ("Objective", "A year of audit logs, three months at hand."),
        ("Identified risk", "Older logs could be lost."),
        (
            "Definition of compensating controls",
            "Immutable archive kept 400 days.",
        ),
        (
            "Validation of compensating controls",
            "Restored a 9-month-old day.",
        ),
        ("Maintenance", "Quarterly restore test."),
    ] {
        type_into(&mut h, label, text);
    }
    type_into(
        &mut h,
        "Note (Markdown)",
        "Met by the archive; see the worksheet.",
    );
    click(&mut h, "Sign off");
    let state = h.state().requirement_state("10.5.1").unwrap().clone();
    assert_eq!(state.sign_off_state, SignOffState::Current, "{state:?}");
    let worksheet = state.review.unwrap().compensating.unwrap();
    assert_eq!(worksheet.maintenance, "Quarterly restore test.");

    // Appendix A1 declared not applicable from the dashboard.
    click(&mut h, "Dashboard");
    assert_eq!(h.state().screen(), Screen::Dashboard);
    click(&mut h, "Declare A1 not applicable…");
    type_into(
        &mut h,
        "Reason",
        "Harbourline is a merchant, not a service provider.",
    );
    click(&mut h, "Declare A1 not applicable");
    let a1 = h.state().requirement_state("A1.1.1").unwrap();
    assert_eq!(
        a1.review.as_ref().unwrap().finding,
        Some(Finding::NotApplicable)
    );
    assert!(
        a1.review
            .as_ref()
            .unwrap()
            .note
            .contains("not a service provider")
    );

    // Compare with the 3.2.1 sample (chosen already: the prior assessment).
    click(&mut h, "Compare");
    h.get_all_by_label("Compare").last().unwrap().click();
    h.run();
    h.get_by_label_contains("requirements are matched by the crosswalk");
    h.get_by_label("Earlier requirement");

    let store = Store::open_existing(&db).unwrap();
    assert!(store.verify().unwrap().is_intact());
}

#[test]
fn the_new_flag_filters_the_tree_to_the_requirements_new_in_v4() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = harness(&db);
    // The sample opens on its 4.0.1 assessment.
    assert_eq!(h.state().assessment().unwrap().catalog_id, "pci-dss-4.0.1");
    click(&mut h, "New");
    let visible = h.state().visible_requirements();
    let catalog = tickmark::catalog::builtin("pci-dss-4.0.1").unwrap();
    assert_eq!(visible.len(), catalog.new_in_v4().count());
    assert!(visible.iter().all(|id| catalog.get(id).unwrap().new_in_v4));
    // Its earlier 3.2.1 assessment has no requirement new in v4.0: no filter.
    click(&mut h, &format!("Assessment: {}", sample::ASSESSMENT_NAME));
    h.get_by_label_contains(&format!(
        "{}  ·  PCI DSS 3.2.1",
        sample::EARLIER_ASSESSMENT_NAME
    ))
    .click();
    h.run();
    assert_eq!(h.state().assessment().unwrap().catalog_id, "pci-dss-3.2.1");
    assert!(h.query_by_label("New").is_none());
}
