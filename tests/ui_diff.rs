//! "See what changed" in the app (issue 14), driven headless with
//! egui_kittest on the sample's review record: a stale sign-off opens the
//! note as signed against now, a history entry opens what its event
//! changed, and a comparison row drills down and the comparison exports.
#![cfg(feature = "gui")]

mod ui_support;

use egui_kittest::kittest::Queryable;
use tickmark::store::{Role, SignOffState};
use ui_support::{click, create_profile, sample, type_into};

#[test]
fn a_stale_sign_off_shows_the_note_as_signed_against_now() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    h.state_mut().select("1.2.7");
    h.run();
    let state = h.state().requirement_state("1.2.7").unwrap().clone();
    assert_eq!(state.sign_off_state, SignOffState::Stale);
    click(&mut h, "See what changed…");
    h.get_by_label("What changed in 1.2.7 since it was signed off");
    h.get_by_label("As signed");
    h.get_by_label("Now");
    // The note as one word diff: the addendum typed after signing is in
    // it, the note as signed too.
    let signed_note = state.sign_offs.last().unwrap().clone();
    let note = h.get_by_label_contains("Addendum: RR-2026-H2-02");
    let shown = format!("{note:?}");
    let now = state.review.as_ref().unwrap().note.clone();
    assert!(
        shown.contains(now.lines().next().unwrap()),
        "the note's unchanged start is shown too: {shown}"
    );
    assert!(!signed_note.stale_reasons.is_empty());
    // The finding stayed; the checks and the evidence did not change.
    // 1.2.7 is reviewed by hand: no check, no evidence file.
    h.get_by_label("No automated check covers this requirement.");
    h.get_by_label("No evidence file is cited, then or now.");
    click(&mut h, "Close");
    assert!(h.query_by_label("As signed").is_none());
}

#[test]
fn a_history_entry_opens_what_its_event_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    h.state_mut().select("1.2.7");
    h.run();
    // The latest "note edited" entry is the amendment.
    let entries: Vec<_> = h.get_all_by_label_contains("note edited").collect();
    assert!(!entries.is_empty());
    entries[0].click();
    h.run();
    h.get_by_label_contains("1.2.7: what event #");
    h.get_by_label("Before");
    h.get_by_label("After");
    h.get_by_label_contains("Addendum: RR-2026-H2-02");
    click(&mut h, "Close");
}

#[test]
fn a_comparison_row_drills_down_and_the_comparison_exports() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    let sample_name = h.state().assessment().unwrap().name.clone();
    click(&mut h, &format!("Assessment: {sample_name}"));
    click(&mut h, "New assessment…");
    type_into(&mut h, "Name", "Next half-year");
    click(&mut h, "Create assessment");
    click(&mut h, "Compare");
    click(&mut h, "Compare with");
    h.get_by_label_contains(&format!("{sample_name} (")).click();
    h.run();
    h.get_all_by_label("Compare").last().unwrap().click();
    h.run();
    click(&mut h, "Only what changed");
    // The first changed row: the sample's requirement against the new
    // assessment's (through the crosswalk).
    let rows: Vec<_> = h.get_all_by_label("What changed…").collect();
    assert!(!rows.is_empty());
    rows[0].click();
    h.run();
    h.get_by_label(&sample_name);
    h.get_by_label("Next half-year");
    h.get_by_label_contains("Automated check results");
    click(&mut h, "Close");

    // Exporting: no file dialog here, so a typed path.
    let out = dir.path().join("comparison.csv");
    click(&mut h, "CSV…");
    type_into(&mut h, "Path", &out.display().to_string());
    click(&mut h, "Export to this path");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.starts_with("Requirement,Earlier requirement,Mapping,Changed"));
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|(_, m)| m.starts_with("Comparison written to")),
        "{:?}",
        h.state().messages()
    );
}

#[test]
fn evidence_imported_again_shows_each_check_and_snippet_then_and_now() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    click(&mut h, "1.3.2");
    click(&mut h, "In Place");
    click(&mut h, "Sign off");
    // The cluster is exported again with network policy off.
    let aks = tickmark::sample::file("sample-data/azure/aks-cluster.json").unwrap();
    let changed = String::from_utf8(aks.bytes.to_vec()).unwrap().replace(
        "\"networkPolicy\": \"azure\"",
        "\"networkPolicy\": \"none\"",
    );
    let path = dir.path().join("aks-cluster.json");
    std::fs::write(&path, changed).unwrap();
    click(&mut h, "Import");
    click(&mut h, "From a typed path…");
    type_into(&mut h, "Path", &path.display().to_string());
    click(&mut h, "Import this path");
    assert_eq!(
        h.state().requirement_state("1.3.2").unwrap().sign_off_state,
        SignOffState::Stale
    );
    click(&mut h, "See what changed…");
    // The verdict and the failing check, then and now.
    h.get_by_label("Pass → Fail");
    h.get_by_label("Automated check results (3 of 7 changed)");
    // The re-export replaced the earlier cluster file: each place cited
    // in it then is cited in the new file now, the first few opened to
    // their snippets.
    h.get_by_label_contains("Evidence cited (10 of");
    let places = |h: &egui_kittest::Harness<'_, tickmark::ui::Workbench>, text: &str| {
        h.query_all_by_label_contains(text).count()
    };
    assert_eq!(places(&h, "As signed: not cited · Now: SHA-256"), 5);
    assert_eq!(places(&h, "· Now: not cited"), 5);
    assert_eq!(h.query_all_by_label("Not cited.").count(), 3);
    assert!(places(&h, "\"enableAutoScaling\": true") >= 3);
    // What stayed the same is left out until asked for.
    assert_eq!(places(&h, "As signed: SHA-256"), 5);
    click(&mut h, "Show what stayed the same too");
    assert!(places(&h, "As signed: SHA-256") > 5);
    // The failing check's reason as a word diff, words kept apart.
    h.get_by_label_contains(
        "is azure: none: no engine enforces Kubernetes network policies are enforced",
    );
}
