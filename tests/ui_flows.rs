//! The desktop app's flows, driven headless through egui_kittest: the real
//! workbench, the real review record (in a temporary file), the worker in
//! inline mode so every task completes within the frame that asks for it.
#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tickmark::checks::{Settings, VerdictStatus};
use tickmark::sample;
use tickmark::store::{Conclusion, Finding, Role, SignOffState, Store};
use tickmark::ui::{Phase, Prefs, Screen, Workbench, WorkbenchOptions, WorkerMode};

fn workbench(db: &Path, prefs: Prefs, seed: bool) -> Workbench {
    Workbench::new(WorkbenchOptions {
        db_path: db.to_owned(),
        settings: Settings::default(),
        mode: WorkerMode::Inline,
        prefs,
        seed_sample_when_empty: seed,
    })
}

fn harness(workbench: Workbench) -> Harness<'static, Workbench> {
    let mut harness = Harness::builder()
        .with_size([1500.0, 1400.0])
        .with_max_steps(200)
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), workbench);
    harness.run();
    harness
}

/// A harness on a new record: the sample is created and opened, as on a
/// first start.
fn sample_harness(dir: &Path) -> Harness<'static, Workbench> {
    let h = harness(workbench(&dir.join("t.sqlite3"), Prefs::default(), true));
    assert_eq!(h.state().phase(), &Phase::Ready);
    assert_eq!(
        h.state().assessment().map(|a| a.name.as_str()),
        Some(sample::ASSESSMENT_NAME)
    );
    h
}

/// How many assessed requirements the sample's current (4.0.1) catalog has.
fn requirements() -> usize {
    tickmark::catalog::builtin("pci-dss-4.0.1")
        .unwrap()
        .requirements()
        .count()
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

fn create_profile(h: &mut Harness<'_, Workbench>, name: &str, role: Role) {
    click(h, "Choose a reviewer");
    type_into(h, "Name", name);
    if role == Role::SecurityLead {
        click(h, "Security lead");
    }
    click(h, "Create profile");
    let profile = h.state().profile().expect("the new profile is in use");
    assert_eq!(profile.name, name);
    assert_eq!(profile.role, role);
}

fn state_of(h: &Harness<'_, Workbench>, id: &str) -> tickmark::store::RequirementState {
    h.state()
        .requirement_state(id)
        .unwrap_or_else(|| panic!("{id} has no state"))
        .clone()
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn import_typed(h: &mut Harness<'_, Workbench>, path: &Path) {
    click(h, "Import");
    click(h, "From a typed path…");
    type_into(h, "Path", &path.display().to_string());
    click(h, "Import this path");
}

#[test]
fn first_start_opens_the_sample_with_its_review_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let h = sample_harness(dir.path());
    let wb = h.state();
    assert_eq!(wb.selected(), Some("1.1.1"));
    assert_eq!(wb.visible_requirements().len(), requirements());
    let stale = state_of(&h, "1.2.7");
    assert_eq!(stale.sign_off_state, SignOffState::Stale);
    // The tree shows the requirements with their state, the detail the
    // selected one, the review pane its review.
    h.get_by_label("1.1.2");
    h.get_by_label("Review of 1.1.1");
    h.get_by_label("Sign off");
    assert!(
        wb.messages()
            .iter()
            .any(|(_, m)| m.contains("Opened the sample assessment"))
    );
}

#[test]
fn review_a_requirement_and_see_its_sign_off_go_stale_when_the_evidence_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Ada Auditor", Role::Auditor);

    // Select a requirement and set a conclusion.
    click(&mut h, "1.3.2");
    assert_eq!(h.state().selected(), Some("1.3.2"));
    h.get_by_label("Review of 1.3.2");
    click(&mut h, "In Place");
    assert_eq!(
        state_of(&h, "1.3.2").conclusion(),
        Some(Conclusion::defined(Finding::InPlace))
    );

    // Write a note and save it.
    type_into(
        &mut h,
        "Note (Markdown)",
        "Checked the node pool subnets in the AKS export.",
    );
    assert_eq!(
        h.state().draft("1.3.2"),
        Some("Checked the node pool subnets in the AKS export.")
    );
    click(&mut h, "Save note");
    let review = state_of(&h, "1.3.2").review.unwrap();
    assert_eq!(
        review.note,
        "Checked the node pool subnets in the AKS export."
    );
    assert_eq!(
        review.conclusion(),
        Some(Conclusion::defined(Finding::InPlace))
    );
    assert_eq!(review.reviewer.name.as_deref(), Some("Ada Auditor"));
    assert_eq!(h.state().draft("1.3.2"), None);

    // Attach a file by its path.
    let png = sample::file("sample-data/attachments/network-diagram.png").unwrap();
    let attachment = write_file(dir.path(), "subnet-diagram.png", png.bytes);
    type_into(&mut h, "File path", &attachment.display().to_string());
    click(&mut h, "Attach");
    let attachments = state_of(&h, "1.3.2").attachments;
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].file_name, "subnet-diagram.png");
    assert_eq!(attachments[0].media_type, "image/png");
    h.get_by_label("Thumbnail of subnet-diagram.png");

    // Sign off.
    click(&mut h, "Sign off");
    let signed = state_of(&h, "1.3.2");
    assert_eq!(signed.sign_off_state, SignOffState::Current);
    assert_eq!(
        signed.sign_offs.last().unwrap().signer.name.as_deref(),
        Some("Ada Auditor")
    );
    assert_eq!(
        h.get_all_by_label("Signed off").count(),
        2,
        "header and review pane"
    );

    // The cluster team re-exports the cluster with network policy off:
    // the evidence behind 1.3.2 changes, and the sign-off goes stale.
    let aks = sample::file("sample-data/azure/aks-cluster.json").unwrap();
    let changed = String::from_utf8(aks.bytes.to_vec()).unwrap().replace(
        "\"networkPolicy\": \"azure\"",
        "\"networkPolicy\": \"none\"",
    );
    assert_ne!(
        changed.as_bytes(),
        aks.bytes,
        "the fixture edit took effect"
    );
    let path = write_file(dir.path(), "aks-cluster.json", changed.as_bytes());
    import_typed(&mut h, &path);
    let stale = state_of(&h, "1.3.2");
    assert_eq!(stale.sign_off_state, SignOffState::Stale);
    assert_eq!(stale.verdict, Some(VerdictStatus::Fail));
    let reasons = &stale.sign_offs.last().unwrap().stale_reasons;
    assert!(
        reasons.contains(&"evidence files".to_owned()),
        "{reasons:?}"
    );
    h.get_by_label("Stale sign-off");
    h.get_by_label("Sign-off stale");
    h.get_by_label_contains("Changed since it was signed: evidence files");

    // The record agrees and is intact.
    let store = Store::open_existing(&dir.path().join("t.sqlite3")).unwrap();
    let id = h.state().assessment().unwrap().id;
    assert_eq!(
        store.requirement_state(id, "1.3.2").unwrap().sign_off_state,
        SignOffState::Stale
    );
    assert!(store.verify().unwrap().is_intact());
}

#[test]
fn filters_search_and_keyboard_navigation() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());

    click(&mut h, "Failing");
    let failing = h.state().visible_requirements();
    assert!(failing.contains(&"1.2.5".to_owned()) && failing.contains(&"10.5.1".to_owned()));
    for id in &failing {
        assert_eq!(state_of(&h, id).verdict, Some(VerdictStatus::Fail), "{id}");
    }
    assert!(
        h.query_by_label("1.1.2").is_none(),
        "a manual requirement is filtered out"
    );
    h.get_by_label("1.2.5");
    click(&mut h, "Failing");

    click(&mut h, "Stale");
    assert_eq!(h.state().visible_requirements(), vec!["1.2.7".to_owned()]);
    click(&mut h, "Stale");
    click(&mut h, "Signed");
    assert_eq!(h.state().visible_requirements(), vec!["1.2.3".to_owned()]);
    click(&mut h, "Signed");
    click(&mut h, "Manual");
    click(&mut h, "Unreviewed");
    let manual_unreviewed = h.state().visible_requirements();
    assert!(manual_unreviewed.contains(&"12.1.1".to_owned()));
    assert!(
        !manual_unreviewed.contains(&"1.1.2".to_owned()),
        "1.1.2 has a conclusion"
    );
    click(&mut h, "Clear");
    assert_eq!(h.state().visible_requirements().len(), requirements());

    // Ctrl+F focuses the search; an ID prefix or words find requirements.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.run();
    assert!(h.get_by_label("Search").is_focused());
    h.get_by_label("Search").type_text("1.4.");
    h.run();
    let found = h.state().visible_requirements();
    for i in 1..=5 {
        assert!(found.contains(&format!("1.4.{i}")), "{found:?}");
    }
    assert!(found.len() < 10, "{found:?}");
    // Enter selects the first ID match (before text matches in guidance) and leaves the field for j/k.
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().selected(), Some("1.4.1"));
    assert!(!h.get_by_label("Search").is_focused());
    h.key_press(egui::Key::J);
    h.run();
    assert_eq!(h.state().selected(), Some("1.4.2"));
    h.get_by_label("Search").focus();
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!h.get_by_label("Search").is_focused());

    // j/k and the arrows move through the visible requirements.
    click(&mut h, "1.4.2");
    h.key_press(egui::Key::J);
    h.run();
    assert_eq!(h.state().selected(), Some("1.4.3"));
    h.key_press(egui::Key::ArrowDown);
    h.run();
    assert_eq!(h.state().selected(), Some("1.4.4"));
    h.key_press(egui::Key::K);
    h.run();
    assert_eq!(h.state().selected(), Some("1.4.3"));

    // Text search: a word of a note finds its requirement.
    click(&mut h, "Clear");
    type_into(&mut h, "Search", "CHG-48213");
    assert_eq!(h.state().visible_requirements(), vec!["1.2.5".to_owned()]);
}

#[test]
fn conclusion_shortcuts_need_a_profile_and_record_the_conclusion() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    click(&mut h, "1.2.1");
    h.key_press(egui::Key::Num3);
    h.run();
    assert_eq!(state_of(&h, "1.2.1").conclusion(), None);
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|(error, m)| *error && m.contains("reviewer profile is needed"))
    );
    h.get_by_label("Reviewer profiles");
    click(&mut h, "Cancel");
    create_profile(&mut h, "Kim Keys", Role::Auditor);
    h.key_press(egui::Key::Num3);
    h.run();
    assert_eq!(
        state_of(&h, "1.2.1").conclusion(),
        Some(Conclusion::defined(Finding::NotTested))
    );
    // 0 asks before it clears the finding; Enter confirms.
    h.key_press(egui::Key::Num0);
    h.run();
    h.get_by_label("Clear the finding of 1.2.1?");
    assert!(state_of(&h, "1.2.1").conclusion().is_some());
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(state_of(&h, "1.2.1").conclusion(), None);
    // The help overlay lists the shortcuts.
    h.key_press(egui::Key::F1);
    h.run();
    h.get_by_label("Keyboard shortcuts and icons");
    h.get_by_label("Finding: Not Tested");
}

#[test]
fn leaving_a_typed_note_asks_to_save_keep_or_discard_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    let events = || {
        let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
        store.events(None).unwrap().len()
    };
    click(&mut h, "1.2.2");
    type_into(&mut h, "Note (Markdown)", "Typed, then moved on.");
    let before = events();
    // Leaving asks; Cancel stays, and nothing is recorded.
    click(&mut h, "1.2.6");
    h.get_by_label("Unsaved changes to 1.2.2");
    click(&mut h, "Cancel");
    assert!(h.query_by_label("Unsaved changes to 1.2.2").is_none());
    assert_eq!(h.state().selected(), Some("1.2.2"));
    assert_eq!(events(), before, "a draft is not an event");
    // Save records it and goes on.
    click(&mut h, "1.2.6");
    click(&mut h, "Save");
    assert_eq!(h.state().selected(), Some("1.2.6"));
    assert_eq!(
        state_of(&h, "1.2.2").review.map(|r| r.note),
        Some("Typed, then moved on.".to_owned())
    );
    // Keep as draft leaves it out of the record; coming back and leaving
    // again does not ask until it is typed into.
    type_into(&mut h, "Note (Markdown)", "Half a thought");
    click(&mut h, "1.3.2");
    click(&mut h, "Keep as draft");
    assert_eq!(h.state().selected(), Some("1.3.2"));
    assert_eq!(h.state().draft("1.2.6"), Some("Half a thought"));
    assert!(state_of(&h, "1.2.6").review.is_none());
    click(&mut h, "1.2.6");
    h.get_by_label_contains("Draft, not in the record, typed");
    click(&mut h, "1.3.2");
    assert_eq!(
        h.state().selected(),
        Some("1.3.2"),
        "a kept draft does not ask"
    );
    // Discard throws it away.
    type_into(&mut h, "Note (Markdown)", "Not this.");
    click(&mut h, "1.3.3");
    click(&mut h, "Discard");
    assert_eq!(h.state().selected(), Some("1.3.3"));
    assert_eq!(h.state().draft("1.3.2"), None);
    assert!(state_of(&h, "1.3.2").review.is_none());
    // The Discard button beside the editor does the same, without leaving.
    click(&mut h, "1.2.2");
    type_into(&mut h, "Note (Markdown)", " Not this either.");
    click(&mut h, "Discard draft");
    assert_eq!(h.state().draft("1.2.2"), None);
    // The Markdown preview renders the saved note.
    click(&mut h, "Preview");
    h.get_by_label("Typed, then moved on.");
}

/// Selects `requirement`, opens its first check's evidence and the first
/// place's snippet.
fn open_first_snippet(h: &mut Harness<'_, Workbench>, requirement: &str) {
    click(h, requirement);
    let evidence = h
        .get_all_by_label_contains("Evidence (")
        .next()
        .unwrap()
        .accesskit_node()
        .label()
        .unwrap();
    click(h, &evidence);
    h.get_all_by_label("Show snippet").next().unwrap().click();
    h.run();
}

#[test]
fn the_evidence_snippet_is_read_from_the_record_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    open_first_snippet(&mut h, "1.4.5");
    // The cited value is shown within its object.
    let shown = h.get_by_label_contains("\"enablePrivateCluster\": true");
    let text = shown.value().unwrap();
    assert!(text.contains("\"privateDnsZone\""), "{text}");
}

#[test]
fn a_bad_file_gets_a_readable_error_naming_it_and_nothing_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    let bad = write_file(dir.path(), "broken-nsgs.json", b"{\"value\": [");
    import_typed(&mut h, &bad);
    let messages = h.state().messages();
    assert!(
        messages
            .iter()
            .any(|(error, m)| *error && m.contains("1 unusable")),
        "{messages:?}"
    );
    click(&mut h, "Show the import report");
    // The report names the file (in its list of files and in the error).
    assert!(
        h.query_all_by_label_contains("broken-nsgs.json")
            .next()
            .is_some()
    );
    assert!(
        h.query_all_by_label_contains("at line 1, column 11")
            .next()
            .is_some()
    );
    assert_eq!(h.state().phase(), &Phase::Ready);
}

#[test]
fn the_last_assessment_and_preferences_are_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    // A second assessment, created through the dialog, becomes the open one.
    click(&mut h, &format!("Assessment: {}", sample::ASSESSMENT_NAME));
    click(&mut h, "New assessment…");
    type_into(&mut h, "Name", "Harbourline 2027 H1");
    click(&mut h, "Create assessment");
    assert_eq!(h.state().assessment().unwrap().name, "Harbourline 2027 H1");
    click(&mut h, "Dark theme");
    let prefs = h.state().prefs();
    assert_eq!(
        prefs.last_assessment.as_deref(),
        Some("Harbourline 2027 H1")
    );
    drop(h);

    let h = harness(workbench(&db, prefs.clone(), true));
    assert_eq!(h.state().assessment().unwrap().name, "Harbourline 2027 H1");
    assert_eq!(
        h.state().profile().map(|p| p.name.as_str()),
        Some("Ada Auditor")
    );
    assert_eq!(
        h.state().assessments().len(),
        3,
        "the sample is not created twice"
    );
    h.get_by_label("Light theme");
    drop(h);

    // Preferences of another record do not carry over.
    let other = dir.path().join("other.sqlite3");
    let h = harness(workbench(&other, prefs, false));
    assert_eq!(h.state().assessment(), None);
    assert_eq!(h.state().profile(), None);
}

#[test]
fn the_security_lead_approves_over_the_open_items_with_a_justification() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Lee Lead", Role::SecurityLead);
    click(&mut h, "Approval…");
    type_into(
        &mut h,
        "Statement (or the reason for sending back)",
        "Reviewed.",
    );
    h.get_by_label_contains("open item(s):");
    assert!(
        h.get_all_by_label_contains("has no signing key: this is recorded unsigned")
            .count()
            >= 1
    );
    h.get_by_label_contains("Approve over these").click();
    h.run();
    type_into(
        &mut h,
        "Justification for approving with open items",
        "Scoped review of Requirement 1 only, as agreed with the QSA.",
    );
    click(&mut h, "Approve");
    h.get_by_label("Approved by Lee Lead");
    let store = Store::open_existing(&dir.path().join("t.sqlite3")).unwrap();
    let id = h.state().assessment().unwrap().id;
    let approval = store.approval_state(id).unwrap();
    assert!(approval.is_approved());
    let current = approval.current.unwrap();
    assert_eq!(
        current.justification.as_deref(),
        Some("Scoped review of Requirement 1 only, as agreed with the QSA.")
    );
    assert!(current.open_items.is_some());
    assert_eq!(
        current.signature, None,
        "a lead without a key approves unsigned"
    );
}

#[test]
fn dashboard_and_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    click(&mut h, "Dashboard");
    h.get_by_label_contains("Progress of Sample");
    h.get_by_label_contains("Requirement 1: 6 of 19 concluded, 1 signed off");
    // A family row leads to its review.
    h.get_by_label_contains("Requirement 10: 1 of ").click();
    h.run();
    assert_eq!(h.state().selected(), Some("10.1.1"));

    // Compare a new, empty assessment with the sample's earlier one.
    click(&mut h, &format!("Assessment: {}", sample::ASSESSMENT_NAME));
    click(&mut h, "New assessment…");
    type_into(&mut h, "Name", "Next half-year");
    click(&mut h, "Create assessment");
    h.state_mut().select("1.2.3");
    click(&mut h, "Compare");
    assert!(matches!(h.state().screen(), Screen::Compare));
    click(&mut h, "Compare with");
    click(
        &mut h,
        &format!(
            "{} (2023-10-01 to 2024-03-31)",
            sample::EARLIER_ASSESSMENT_NAME
        ),
    );
    h.get_all_by_label("Compare").last().unwrap().click();
    h.run();
    // The earlier one is 3.2.1: the rows go through the crosswalk.
    h.get_by_label_contains("(pci-dss-3.2.1, earlier) to Next half-year (pci-dss-4.0.1, later)");
    h.get_by_label_contains("requirements are matched by the crosswalk");
    assert!(h.get_all_by_label("In Place → none").count() >= 5);
}

#[test]
fn the_panels_keep_their_size_from_frame_to_frame() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    let at = |h: &Harness<'_, Workbench>| {
        (
            h.get_by_label("Review of 1.1.1").rect(),
            h.get_by_label("Search").rect(),
        )
    };
    let first = at(&h);
    assert!(
        1500.0 - first.0.left() > 360.0,
        "the review pane has its default width: {first:?}"
    );
    assert!(
        first.1.right() > 380.0,
        "the tree has its default width: {first:?}"
    );
    for _ in 0..30 {
        h.step();
    }
    assert_eq!(at(&h), first);
    // Requirements with attachments, thumbnails, sign-offs and stale
    // markers do not widen the review pane either.
    for id in ["1.2.3", "1.2.7", "1.2.5"] {
        click(&mut h, id);
        let review = h.get_by_label(&format!("Review of {id}")).rect();
        for _ in 0..30 {
            h.step();
        }
        assert_eq!(
            h.get_by_label(&format!("Review of {id}")).rect(),
            review,
            "{id}"
        );
        assert_eq!(review.left(), first.0.left(), "{id}");
    }
}

#[test]
fn a_markdown_attachment_is_read_in_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    click(&mut h, "1.2.7");
    click(&mut h, "Read");
    h.get_by_label("Attachment: firewall-rule-review-2026-H2.md");
    h.get_by_label_contains("Six-monthly firewall and router rule-set review");
    assert!(h.get_all_by_label_contains("RR-2026-H2-03").count() >= 2);
    let close = h.get_by_label("Close").rect();
    assert!(
        close.left() > 0.0 && close.right() < 1500.0,
        "the dialog fits: {close:?}"
    );
    click(&mut h, "Close");
    assert!(
        h.query_by_label("Attachment: firewall-rule-review-2026-H2.md")
            .is_none()
    );
}

/// A file dropped onto the window, as the windowing system hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn drop_files(h: &mut Harness<'_, Workbench>, paths: &[PathBuf]) {
    for path in paths {
        h.input_mut()
            .dropped_files
            .push(std::sync::Arc::new(Dropped(path.clone())));
    }
    h.run();
}

#[test]
fn dropped_files_are_attached_or_imported_as_the_user_chooses() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    click(&mut h, "1.2.2");
    let memo = write_file(
        dir.path(),
        "wireless-scan.md",
        b"# Wireless scan\n\nNo rogue access points.\n",
    );
    drop_files(&mut h, std::slice::from_ref(&memo));
    h.get_by_label("Files dropped");
    click(&mut h, "Attach to 1.2.2");
    let attachments = state_of(&h, "1.2.2").attachments;
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].media_type, "text/markdown");

    // A folder can only be imported.
    let folder = dir.path().join("exports");
    std::fs::create_dir(&folder).unwrap();
    let nsgs = sample::file("sample-data/azure/nsgs.json").unwrap();
    write_file(&folder, "nsgs-again.json", nsgs.bytes);
    drop_files(&mut h, std::slice::from_ref(&folder));
    assert!(
        h.get_by_label("Attach to 1.2.2")
            .accesskit_node()
            .is_disabled()
    );
    h.get_by_label_contains("Import as evidence into").click();
    h.run();
    let messages = h.state().messages();
    assert!(
        messages
            .iter()
            .any(|(error, m)| !error && m.contains("1 file(s) stored or already present")),
        "{messages:?}"
    );
}

#[test]
fn the_threaded_worker_opens_the_sample_and_records_a_conclusion_off_the_ui_thread() {
    let dir = tempfile::tempdir().unwrap();
    let wb = Workbench::new(WorkbenchOptions {
        db_path: dir.path().join("t.sqlite3"),
        settings: Settings::default(),
        mode: WorkerMode::Threaded,
        prefs: Prefs::default(),
        seed_sample_when_empty: true,
    });
    let mut h = Harness::builder()
        .with_size([1500.0, 1400.0])
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), wb);
    let wait = |h: &mut Harness<'_, Workbench>, done: &dyn Fn(&Workbench) -> bool| {
        let started = std::time::Instant::now();
        while !done(h.state()) {
            assert!(started.elapsed().as_secs() < 120, "timed out");
            h.step();
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        h.step();
    };
    wait(&mut h, &|wb| wb.assessment().is_some() && !wb.is_busy());
    assert_eq!(
        h.state().assessment().unwrap().name,
        sample::ASSESSMENT_NAME
    );
    h.state_mut().select("1.2.3");
    wait(&mut h, &|wb| !wb.is_busy());
    h.get_by_label("Review of 1.2.3");
    // The profile the sample's auditor uses is there to pick.
    click_step(&mut h, "Choose a reviewer");
    click_step(
        &mut h,
        "Robin Sample (fictional sample auditor) <robin.sample@auditor.example> · Auditor · no key",
    );
    h.state_mut().set_finding(Finding::NotApplicable);
    wait(&mut h, &|wb| {
        wb.requirement_state("1.2.3").and_then(|s| s.conclusion())
            == Some(Conclusion::defined(Finding::NotApplicable))
    });
}

fn click_step(h: &mut Harness<'_, Workbench>, label: &str) {
    h.get_by_label(label).click();
    h.step();
    h.step();
}

#[test]
fn a_file_that_is_not_a_review_record_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = write_file(
        dir.path(),
        "notes.sqlite3",
        b"these are my notes, not a database",
    );
    let h = harness(workbench(&db, Prefs::default(), true));
    match h.state().phase() {
        Phase::Unusable(message) => {
            assert!(message.contains("notes.sqlite3"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    h.get_by_label("The review record cannot be opened");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        b"these are my notes, not a database",
        "the file is left as it was"
    );
}

#[test]
fn keys_typed_into_the_note_are_text_not_shortcuts_and_the_note_survives_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    click(&mut h, "1.2.2");
    let before = state_of(&h, "1.2.2").conclusion();
    h.get_by_label("Note (Markdown)").focus();
    h.run();
    for key in [
        egui::Key::J,
        egui::Key::K,
        egui::Key::Num1,
        egui::Key::Num5,
        egui::Key::N,
    ] {
        h.key_press(key);
        h.run();
    }
    h.get_by_label("Note (Markdown)").type_text("j1k5 draft");
    h.run();
    assert_eq!(
        h.state().selected(),
        Some("1.2.2"),
        "j/k moved the selection"
    );
    assert_eq!(
        state_of(&h, "1.2.2").conclusion(),
        before,
        "a digit set a conclusion"
    );
    assert_eq!(h.state().draft("1.2.2"), Some("j1k5 draft"));

    // An import that finishes while the note is being typed reloads the
    // assessment; the typed text stays.
    let nsgs = sample::file("sample-data/azure/nsgs.json").unwrap();
    let again = write_file(dir.path(), "nsgs-again.json", nsgs.bytes);
    import_typed(&mut h, &again);
    let saved = state_of(&h, "1.2.2").review.map(|r| r.note);
    assert!(
        h.state().draft("1.2.2") == Some("j1k5 draft") || saved.as_deref() == Some("j1k5 draft"),
        "the typed note is lost: draft {:?}, saved {saved:?}",
        h.state().draft("1.2.2")
    );
    assert_eq!(h.state().selected(), Some("1.2.2"));
}

#[test]
fn closing_the_app_finishes_the_changes_already_submitted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let wb = Workbench::new(WorkbenchOptions {
        db_path: db.clone(),
        settings: Settings::default(),
        mode: WorkerMode::Threaded,
        prefs: Prefs::default(),
        seed_sample_when_empty: true,
    });
    let mut h = Harness::builder()
        .with_size([1500.0, 1400.0])
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), wb);
    let started = std::time::Instant::now();
    while h.state().assessment().is_none() || h.state().is_busy() {
        assert!(started.elapsed().as_secs() < 120, "timed out");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    click_step(&mut h, "Choose a reviewer");
    click_step(
        &mut h,
        "Robin Sample (fictional sample auditor) <robin.sample@auditor.example> · Auditor · no key",
    );
    let ids: Vec<String> = h
        .state()
        .visible_requirements()
        .into_iter()
        .filter(|id| id.starts_with("12."))
        .collect();
    assert!(ids.len() > 20);
    for id in &ids {
        h.state_mut().select(id);
        h.state_mut().set_finding(Finding::NotTested);
    }
    // What the window does when it closes, with every change still queued.
    h.state_mut().finish_on_exit();
    let assessment = h.state().assessment().unwrap().id;
    let store = Store::open(&db).unwrap();
    for id in &ids {
        assert_eq!(
            store
                .requirement_state(assessment, id)
                .unwrap()
                .conclusion(),
            Some(Conclusion::defined(Finding::NotTested)),
            "the conclusion of {id} was lost when the app closed"
        );
    }
}

/// A key press as a real window delivers it: the key and its text in one
/// frame (kittest's `key_press` gives each event a frame of its own).
fn press_typing(h: &mut Harness<'_, Workbench>, key: egui::Key, text: &str) {
    let events = &mut h.input_mut().events;
    for pressed in [true, false] {
        events.push(egui::Event::Key {
            key,
            physical_key: None,
            pressed,
            repeat: false,
            modifiers: egui::Modifiers::NONE,
        });
        if pressed {
            events.push(egui::Event::Text(text.to_owned()));
        }
    }
    h.run();
}

#[test]
fn n_opens_the_note_editor_without_typing_an_n_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    click(&mut h, "1.2.2");
    press_typing(&mut h, egui::Key::N, "n");
    h.event(egui::Event::Text("# Checked".to_owned()));
    h.run();
    assert_eq!(h.state().draft("1.2.2"), Some("# Checked"));
}

#[test]
fn the_status_bar_stays_at_the_bottom_when_a_message_goes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    let bottom =
        |h: &Harness<'_, Workbench>| h.get_by_label_contains("Review record:").rect().max.y;
    let settled = bottom(&h);
    let broken = write_file(dir.path(), "broken.json", b"{\"value\": [");
    import_typed(&mut h, &broken);
    assert!(h.state().messages().iter().any(|(error, _)| *error));
    // One frame for the click, one to show the bar without the message, as
    // in the app, which paints nothing more until something asks for it.
    h.get_by_label("Dismiss").click();
    h.step();
    h.step();
    assert!(!h.state().messages().iter().any(|(error, _)| *error));
    // With the message gone the bar is one row lower, not floating above an
    // unpainted band.
    assert!(
        (bottom(&h) - settled).abs() < 1.0,
        "the last line of the status bar is at {}, settled at {settled}",
        bottom(&h)
    );
}

fn replace_text(h: &mut Harness<'_, Workbench>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

#[test]
fn a_refused_new_assessment_says_why_in_the_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    click(&mut h, &format!("Assessment: {}", sample::ASSESSMENT_NAME));
    click(&mut h, "New assessment…");
    type_into(&mut h, "Name", "Backwards");
    replace_text(&mut h, "Period from", "2026-12-01");
    replace_text(&mut h, "Period to", "2026-01-01");
    click(&mut h, "Create assessment");
    // The dialog stays and names the problem (the status bar behind it is
    // dimmed by the dialog).
    h.get_by_label("New assessment");
    h.get_by_label_contains("period ends (2026-01-01) before it starts (2026-12-01)");
    assert!(!h.state().messages().iter().any(|(error, _)| *error));

    // A name in use already.
    replace_text(&mut h, "Period to", "2027-05-31");
    replace_text(&mut h, "Name", sample::ASSESSMENT_NAME);
    click(&mut h, "Create assessment");
    h.get_by_label_contains("is the name of the bundled sample");
    assert_eq!(h.state().assessments().len(), 2);

    replace_text(&mut h, "Name", "Forwards");
    click(&mut h, "Create assessment");
    assert!(h.query_by_label("New assessment").is_none());
    assert_eq!(h.state().assessment().unwrap().name, "Forwards");
}

#[test]
fn the_approval_dialog_names_stale_sign_offs_and_why_approve_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Lee Lead", Role::SecurityLead);
    assert_eq!(state_of(&h, "1.2.7").sign_off_state, SignOffState::Stale);
    click(&mut h, "Approval…");
    let stale = h.get_by_label_contains("sign-off(s) are stale");
    assert!(format!("{stale:?}").contains("1.2.7"), "{stale:?}");
    // A disabled button says what it is waiting for.
    h.get_by_label("Approve").hover();
    h.run();
    h.get_by_label("Write the statement first");
    type_into(
        &mut h,
        "Statement (or the reason for sending back)",
        "Reviewed.",
    );
    h.get_by_label("Approve").hover();
    h.run();
    h.get_by_label_contains("approve over them with an override");
    h.get_by_label_contains("Approve over these").click();
    h.run();
    h.get_by_label("Approve").hover();
    h.run();
    h.get_by_label_contains("Write the justification");
}

#[test]
fn in_place_over_failing_checks_asks_for_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    click(&mut h, "1.2.5");
    assert_eq!(
        state_of(&h, "1.2.5").conclusion(),
        Some(Conclusion::defined(Finding::NotInPlace))
    );
    let caution = "In Place over failing automated checks";
    // The sample's note on 1.2.5 says why it is not in place: nothing missing.
    assert!(h.query_by_label_contains(caution).is_none());
    h.state_mut().review_as_typed("1.2.5");
    click(&mut h, "In Place");
    assert_eq!(
        state_of(&h, "1.2.5").conclusion(),
        Some(Conclusion::defined(Finding::InPlace))
    );
    // A requirement without a note: In Place over its failing check asks
    // for the reason before the sign-off, which stays disabled.
    let failing = h
        .state()
        .visible_requirements()
        .into_iter()
        .find(|id| {
            let s = state_of(&h, id);
            s.verdict == Some(VerdictStatus::Fail) && s.review.is_none()
        })
        .unwrap();
    click(&mut h, &failing);
    click(&mut h, "In Place");
    h.get_by_label_contains(caution);
    assert!(h.get_by_label("Sign off").accesskit_node().is_disabled());
    type_into(
        &mut h,
        "Note (Markdown)",
        "The flagged rule is covered upstream.",
    );
    click(&mut h, "Sign off");
    assert_eq!(state_of(&h, &failing).sign_off_state, SignOffState::Current);
    // A passing requirement concluded In Place has nothing to explain.
    click(&mut h, "1.3.2");
    click(&mut h, "In Place");
    assert!(h.query_by_label_contains(caution).is_none());
}

#[test]
fn escape_closes_an_open_menu() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    click(&mut h, "Import");
    h.get_by_label("From a typed path…");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_label("From a typed path…").is_none());
}

#[test]
fn a_small_window_keeps_the_top_bar_apart_and_the_requirement_readable() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Sam Lead", Role::SecurityLead);
    h.set_size(egui::vec2(1000.0, 700.0));
    h.run();
    let left_end = h.get_by_label("Approval…").rect();
    let right_end = h
        .get_all_by_label_contains("Sam Lead")
        .map(|n| n.rect())
        .find(|r| r.top() < 40.0)
        .expect("the profile button in the top bar");
    assert!(
        left_end.right() <= right_end.left(),
        "the top bar's ends overlap: {left_end:?} and {right_end:?}"
    );
    // The full names are a hover away.
    h.get_by_label_contains("Assessment: Sample: Harbour");
    let tree = h.get_by_label("Search").rect();
    let review = h.get_by_label("Review of 1.1.1").rect();
    assert!(
        review.left() - tree.right() >= 330.0,
        "the requirement in the middle is squeezed: tree ends at {}, review starts at {}",
        tree.right(),
        review.left()
    );
}

#[test]
fn the_panels_get_their_width_back_when_the_window_grows_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    let widths = |h: &Harness<'_, Workbench>| {
        (
            h.get_by_label("Search").rect().right(),
            h.get_by_label("Review of 1.1.1").rect().left(),
        )
    };
    let wide = widths(&h);
    h.set_size(egui::vec2(1000.0, 700.0));
    h.run();
    h.set_size(egui::vec2(1500.0, 1400.0));
    h.run();
    assert_eq!(widths(&h), wide);
}

#[test]
fn an_import_by_another_program_shows_up_in_the_open_app() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    assert!(
        !h.state()
            .messages()
            .iter()
            .any(|(_, m)| m.contains("Another program recorded a new run"))
    );
    let nsgs = sample::file("sample-data/azure/nsgs.json").unwrap();
    let mut bytes = nsgs.bytes.to_vec();
    bytes.extend_from_slice(b"\n\n");
    let changed = write_file(dir.path(), "nsgs-elsewhere.json", &bytes);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .arg("--db")
        .arg(dir.path().join("t.sqlite3"))
        .args(["import", "--assessment", sample::ASSESSMENT_NAME])
        .arg(&changed)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let files =
        |h: &Harness<'_, Workbench>| format!("{:?}", h.get_by_label_contains("Review record:"));
    let shown = files(&h);
    h.state_mut().look_for_outside_changes_soon();
    h.run();
    // Info messages expire (a slow import may outlive the earlier ones), so
    // look at every message still shown, not only those after `before`.
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|(_, m)| m.contains("Another program recorded a new run")),
        "{:?}",
        h.state().messages()
    );
    assert_ne!(files(&h), shown, "the status bar still shows the old run");
}

#[test]
fn saving_the_same_note_twice_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    click(&mut h, "1.2.2");
    type_into(&mut h, "Note (Markdown)", "Checked twice.");
    // Ctrl+S and Esc (which leaves the editor, saving it) in one frame.
    let events = &mut h.input_mut().events;
    for (key, modifiers) in [
        (egui::Key::S, egui::Modifiers::COMMAND),
        (egui::Key::Escape, egui::Modifiers::NONE),
    ] {
        for pressed in [true, false] {
            events.push(egui::Event::Key {
                key,
                physical_key: None,
                pressed,
                repeat: false,
                modifiers,
            });
        }
    }
    h.run();
    assert_eq!(
        state_of(&h, "1.2.2").review.map(|r| r.note),
        Some("Checked twice.".to_owned())
    );
    let errors: Vec<_> = h
        .state()
        .messages()
        .into_iter()
        .filter(|(error, _)| *error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn the_request_list_is_shown_and_a_request_tracked_as_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Ines Carvalho", Role::Auditor);
    click(&mut h, "Requests");
    assert_eq!(h.state().screen(), Screen::Requests);
    h.get_by_label("Export XLSX…");
    // The Key Vault's live export is asked for, with its command.
    click(&mut h, "Key Vaults");
    type_into(&mut h, "Owner:", "Platform team");
    type_into(&mut h, "Due (YYYY-MM-DD):", "2026-12-15");
    click(&mut h, "Save");
    let store = Store::open_existing(&dir.path().join("t.sqlite3")).unwrap();
    let assessment = store.assessment(sample::ASSESSMENT_NAME).unwrap().unwrap();
    let tracked = store.evidence_requests(assessment.id).unwrap();
    assert_eq!(tracked.len(), 1, "{tracked:?}");
    assert_eq!(tracked[0].update.key, "step:key-vaults");
    assert_eq!(tracked[0].update.owner, "Platform team");
    assert_eq!(
        tracked[0].update.due.map(|d| d.to_string()).as_deref(),
        Some("2026-12-15")
    );
    assert_eq!(tracked[0].updated_by.name.as_deref(), Some("Ines Carvalho"));
    assert!(store.verify().unwrap().is_intact());
}

#[test]
fn an_imported_collection_shows_who_collected_each_file_and_flags_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    // A collected folder: the NSG export, edited after collection, and the
    // manifest that recorded it.
    let folder = dir.path().join("collected");
    std::fs::create_dir_all(folder.join("azure")).unwrap();
    let nsgs = std::fs::read(common_sample("azure/nsgs.json")).unwrap();
    let collected_sha = tickmark::evidence::sha256_hex(&nsgs);
    let mut edited = nsgs.clone();
    edited.extend_from_slice(b"\n");
    std::fs::write(folder.join("azure/nsgs.json"), &edited).unwrap();
    // Collected after the sample was imported: the newest observation of
    // the NSGs, so it is the file the checks and the evidence list use.
    let at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let time = |offset: i64| {
        (at + chrono::Duration::seconds(offset))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let manifest = serde_json::json!({
        "tickmark_collection_manifest": 1,
        "generator": "tickmark collect 0.1.0",
        "command_line": "tickmark collect --subscription s --resource-group g --cluster c --out collected",
        "plan": {"id": "aks-pci", "version": 1},
        "parameters": {"subscription": "s", "resource_group": "g", "cluster": "c", "kube_context": null},
        "context": {"subscription_id": "0b7d5e2a-6c41-4f83-a9e2-3d1c8f47b905", "subscription_name": "s",
                    "tenant_id": "t", "principal": "mara.lindqvist@harbourline.example", "principal_type": "user",
                    "kube_context": null, "kube_server": null, "cluster_id": null},
        "tools": {"az": "2.67.0", "kubectl": null},
        "os_user": "mara",
        "started_at": time(0),
        "finished_at": time(60),
        "outcome": "complete", "failures": [], "warnings": [],
        "steps": [{"id": "nsgs", "tool": "az", "command": "az network nsg list --subscription s --resource-group g --output json",
                   "status": "ok", "started_at": time(10), "finished_at": time(12),
                   "exit_code": 0, "file": "azure/nsgs.json", "sha256": collected_sha, "size": nsgs.len()}]
    });
    std::fs::write(
        folder.join("collection-manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    import_typed(&mut h, &folder);
    h.state_mut().select("1.2.5");
    h.run();
    let evidence = h
        .query_all_by_label_contains("Evidence (")
        .next()
        .expect("an evidence list");
    evidence.click();
    h.run();
    let line = h
        .query_all_by_label_contains(&format!(
            "Collected {} by mara.lindqvist@harbourline.example",
            (at + chrono::Duration::seconds(12)).format("%Y-%m-%d %H:%M UTC")
        ))
        .count();
    assert!(
        line > 0,
        "the evidence item says who collected the file and when"
    );
    assert!(
        h.query_all_by_label_contains("Modified after collection")
            .next()
            .is_some()
    );
}

fn common_sample(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(relative)
}

#[test]
fn at_800x600_the_top_bar_folds_into_one_menu() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Sam Lead", Role::SecurityLead);
    h.set_size(egui::vec2(800.0, 600.0));
    h.run();
    assert!(
        h.query_by_label("Import").is_none(),
        "Import is in the menu"
    );
    let menu = h.get_by_label("Menu").rect();
    let profile = h
        .get_all_by_label_contains("Sam Lead")
        .map(|n| n.rect())
        .find(|r| r.top() < 40.0)
        .expect("the profile button in the top bar");
    assert!(
        menu.right() <= profile.left() && profile.right() <= 800.0,
        "the top bar's ends overlap or leave the window: {menu:?} and {profile:?}"
    );
    click(&mut h, "Menu");
    h.get_by_label("Import");
    h.get_by_label("Approval…");
    click(&mut h, "Dashboard");
    assert_eq!(h.state().screen(), Screen::Dashboard);
    assert!(h.query_by_label("Approval…").is_none(), "the menu closed");
    // Wide again: the bar is whole.
    h.set_size(egui::vec2(1500.0, 1000.0));
    h.run();
    h.get_by_label("Import");
    assert!(h.query_by_label("Menu").is_none());
}

#[test]
fn the_requirements_shown_to_sign_are_signed_off_together_each_its_own_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    create_profile(&mut h, "Pat Preparer", Role::Auditor);
    click(&mut h, "To sign");
    let shown = h.state().visible_requirements();
    assert!(shown.len() >= 3, "{shown:?}");
    click(&mut h, "Sign off these…");
    let (skipped, signed) = (shown[0].clone(), shown[1..].to_vec());
    let skipped_title = tickmark::catalog::builtin("pci-dss-4.0.1")
        .unwrap()
        .get(&skipped)
        .unwrap()
        .title
        .clone();
    click(&mut h, &format!("{skipped} {skipped_title}"));
    let events_before = Store::open_existing(&dir.path().join("t.sqlite3"))
        .unwrap()
        .chain_head()
        .unwrap()
        .unwrap()
        .seq;
    click(&mut h, &format!("Sign off {} requirement(s)", signed.len()));
    for id in &signed {
        assert_eq!(
            state_of(&h, id).sign_off_state,
            SignOffState::Current,
            "{id}"
        );
        let by = state_of(&h, id)
            .preparer_sign_off()
            .unwrap()
            .signer
            .name
            .clone();
        assert_eq!(by.as_deref(), Some("Pat Preparer"), "{id}");
    }
    assert_ne!(state_of(&h, &skipped).sign_off_state, SignOffState::Current);
    let store = Store::open_existing(&dir.path().join("t.sqlite3")).unwrap();
    let events_after = store.chain_head().unwrap().unwrap().seq;
    assert_eq!(events_after - events_before, signed.len() as i64);
    assert!(store.verify().unwrap().is_intact());
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|(_, m)| m.starts_with(&format!("Signed off {} requirement(s)", signed.len()))),
        "{:?}",
        h.state().messages()
    );
}

#[test]
fn an_open_snippet_stays_with_its_place_when_an_import_changes_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(dir.path());
    open_first_snippet(&mut h, "1.2.5");
    assert_eq!(h.get_all_by_label("Hide snippet").count(), 1);
    // A corrected export from another folder: the failing places the list
    // showed are gone, and other places take their positions.
    let nsgs = sample::file("sample-data/azure/nsgs.json").unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(nsgs.bytes).unwrap();
    for nsg in value.as_array_mut().unwrap() {
        for rule in nsg["securityRules"].as_array_mut().unwrap() {
            if rule["name"] == "AllowAllOutBound" {
                rule["protocol"] = "Tcp".into();
                rule["destinationPortRange"] = "443".into();
            }
        }
    }
    std::fs::create_dir(dir.path().join("fixed")).unwrap();
    let fixed = write_file(
        &dir.path().join("fixed"),
        "nsgs.json",
        &serde_json::to_vec_pretty(&value).unwrap(),
    );
    import_typed(&mut h, &fixed);
    click(&mut h, "1.2.5");
    assert!(
        h.query_all_by_label("Show snippet").next().is_some(),
        "the list still cites places"
    );
    assert_eq!(
        h.query_all_by_label("Hide snippet").count(),
        0,
        "a snippet opened for a place no longer listed opened another"
    );
}
