//! The scope screen in the app, driven headless through egui_kittest on the
//! bundled sample: the boundary at a glance, the deliberate violation listed
//! and opened with its evidence, the diagram attached to the network-diagram
//! requirement, and a scope change showing in the scopes as recorded.
#![cfg(feature = "gui")]

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tickmark::checks::Settings;
use tickmark::sample;
use tickmark::store::Store;
use tickmark::ui::{Phase, Prefs, Screen, Workbench, WorkbenchOptions, WorkerMode};

fn sample_harness(db: &Path) -> Harness<'static, Workbench> {
    let workbench = Workbench::new(WorkbenchOptions {
        db_path: db.to_owned(),
        settings: Settings::default(),
        mode: WorkerMode::Inline,
        prefs: Prefs::default(),
        seed_sample_when_empty: true,
    });
    let mut h = Harness::builder()
        .with_size([1500.0, 1200.0])
        .with_max_steps(200)
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), workbench);
    h.run();
    assert_eq!(h.state().phase(), &Phase::Ready);
    h
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

#[test]
fn the_sample_boundary_is_drawn_with_its_violation_and_its_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir.path().join("t.sqlite3"));
    click(&mut h, "Scope");
    assert_eq!(h.state().screen(), Screen::Scope);

    // At a glance: what is in, connected and out, and the declared flow.
    h.get_by_label("Scope at a glance");
    h.get_by_label("Namespaces: 1 in scope, 2 connected, 1 out of scope, 6 not stated");
    h.get_by_label("Node pools: 1 in scope, 1 connected, 1 out of scope, 0 not stated");
    h.get_by_label("Declared flows across the boundary (1)");
    h.get_by_label_contains("Address lookup for the checkout form");

    // The deliberate violation: the SRE's debug pod on an in-scope node.
    let placement = "k8s.cde-placement: a0005-o/Pod/netshoot-debug on aks-npinscope01";
    h.get_by_label_contains(placement).click();
    h.run();
    h.get_by_label("Fails");
    h.get_by_label_contains("an out-of-scope pod runs on node aks-npinscope01");
    h.get_by_label("Back to the overview");
    // Its evidence: the pod's node in the pods export, the pool in the
    // cluster export.
    h.get_by_label("sample-data/kubernetes/pods-a0005-o.yaml");
    h.get_by_label("/items/2/spec/nodeName");
    h.get_by_label("sample-data/azure/aks-cluster.json");
    click(&mut h, "Back to the overview");
    h.get_by_label("Scope at a glance");
}

#[test]
fn the_diagram_is_attached_to_the_network_diagram_requirement() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = sample_harness(&db);
    click(&mut h, "Scope");
    // Attaching needs a reviewer.
    assert!(
        h.get_by_label("Attach this diagram to 1.2.3")
            .accesskit_node()
            .is_disabled(),
        "attaching waits for a reviewer profile"
    );
    click(&mut h, "Choose a reviewer");
    type_into(&mut h, "Name", "Ada Auditor");
    click(&mut h, "Create profile");
    click(&mut h, "Attach this diagram to 1.2.3");

    let store = Store::open_existing(&db).unwrap();
    let id = h.state().assessment().unwrap().id;
    let attachments = store.requirement_state(id, "1.2.3").unwrap().attachments;
    let diagram = attachments
        .iter()
        .find(|a| a.file_name.starts_with("scope-diagram-") && a.file_name.ends_with(".svg"))
        .expect("the scope diagram is attached to 1.2.3");
    assert_eq!(diagram.media_type, "image/svg+xml");
    assert!(store.verify().unwrap().is_intact());
}

#[test]
fn a_scope_change_shows_in_the_scopes_as_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = sample_harness(&db);
    click(&mut h, "Scope");
    h.get_by_label_contains("Subnets: 2 in scope, 3 connected, 1 out of scope");

    // The security team states the management subnet as connected.
    let scope_file = sample::file("sample-data/tickmark-scope.toml").unwrap();
    let changed = format!(
        "{}\n[[scope]]\nsubnet = \"snet-management-ops\"\nscope = \"connected\"\nreason = \"Jump hosts administer the CDE\"\n",
        std::str::from_utf8(scope_file.bytes).unwrap()
    );
    let path = dir.path().join("tickmark-scope.toml");
    std::fs::write(&path, changed).unwrap();
    click(&mut h, "Import");
    click(&mut h, "From a typed path…");
    type_into(&mut h, "Path", &path.display().to_string());
    click(&mut h, "Import this path");
    assert_eq!(h.state().screen(), Screen::Scope);

    h.get_by_label_contains("Subnets: 2 in scope, 4 connected, 1 out of scope");
    let store = Store::open_existing(&db).unwrap();
    let id = h.state().assessment().unwrap().id;
    let recorded = store.record(id).unwrap().scopes;
    assert!(
        recorded.len() >= 2,
        "the changed scope is recorded as a new event"
    );
    let latest = &recorded.last().unwrap().scope;
    assert!(
        latest.entries.iter().any(
            |e| e.name == "snet-management-ops" && e.class.map(|c| c.id()) == Some("connected")
        )
    );
    // Both recorded scopes are listed.
    assert!(h.get_all_by_label_contains(" UTC · ").count() >= 2);
}
