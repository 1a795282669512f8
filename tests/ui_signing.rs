//! Signing in the app (issue 12), driven headless through egui_kittest on
//! the real workbench and review record: a profile registers its SSH key,
//! signs a sign-off from the review pane with its private key file, a
//! security lead approves over the open items with an override and a
//! signed approval; the lead who concluded a requirement cannot approve;
//! the sample's fictional auditor is not offered outside the sample.
#![cfg(feature = "gui")]

mod signing_fixture;

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use signing_fixture::*;
use tickmark::checks::Settings;
use tickmark::sample;
use tickmark::store::{Finding, Role, Store};
use tickmark::ui::{Prefs, Workbench, WorkbenchOptions, WorkerMode};

fn harness(dir: &Path) -> Harness<'static, Workbench> {
    let workbench = Workbench::new(WorkbenchOptions {
        db_path: dir.join("t.sqlite3"),
        settings: Settings::default(),
        mode: WorkerMode::Inline,
        prefs: Prefs::default(),
        seed_sample_when_empty: true,
    });
    let mut h = Harness::builder()
        .with_size([1500.0, 1400.0])
        .with_max_steps(200)
        .build_ui_state(|ui, wb: &mut Workbench| wb.ui(ui), workbench);
    h.run();
    assert_eq!(
        h.state().assessment().map(|a| a.name.as_str()),
        Some(sample::ASSESSMENT_NAME)
    );
    h
}

/// The last node labelled `label`: the one in the dialog, where the review
/// pane behind it has one of the same name.
fn last<'a>(h: &'a Harness<'_, Workbench>, label: &'a str) -> egui_kittest::Node<'a> {
    h.query_all_by_label(label)
        .last()
        .unwrap_or_else(|| panic!("nothing is labelled {label}"))
}

fn click(h: &mut Harness<'_, Workbench>, label: &str) {
    last(h, label).click();
    h.run();
}

fn type_into(h: &mut Harness<'_, Workbench>, label: &str, text: &str) {
    last(h, label).focus();
    h.run();
    last(h, label).type_text(text);
    h.run();
}

/// Creates a profile with `key` through the profiles dialog.
fn create_profile(h: &mut Harness<'_, Workbench>, name: &str, role: Role, key: &KeyPair) {
    let button = match h.state().profile() {
        Some(p) => format!("{} ({})", p.name, p.role.label()),
        None => "Choose a reviewer".to_owned(),
    };
    click(h, &button);
    type_into(h, "Name", name);
    if role == Role::SecurityLead {
        click(h, "Security lead");
    }
    type_into(h, "Public key", &key.public.display().to_string());
    click(h, "Create profile");
    let profile = h
        .state()
        .profile()
        .expect("the new profile is in use")
        .clone();
    assert_eq!(profile.name, name);
    assert_eq!(
        profile.key.as_ref().map(|k| k.fingerprint.clone()),
        Some(key.public_key().fingerprint())
    );
}

/// Replaces the text of the field labelled `label`.
fn replace_text(h: &mut Harness<'_, Workbench>, label: &str, text: &str) {
    last(h, label).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    last(h, label).type_text(text);
    h.run();
}

/// Chooses the private key file as the way to sign.
fn sign_with_file(h: &mut Harness<'_, Workbench>, key: &KeyPair, passphrase: &str) {
    click(h, "Private key file");
    replace_text(h, "Key file", &key.private.display().to_string());
    if !passphrase.is_empty() {
        type_into(h, "Passphrase", passphrase);
    }
}

#[test]
fn an_auditor_with_a_key_signs_a_sign_off_in_the_review_pane() {
    if !have_ssh_keygen() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = make_key(dir.path(), "ada", "ed25519", "ada's passphrase");
    let mut h = harness(dir.path());
    create_profile(&mut h, "Ada Auditor", Role::Auditor, &key);
    click(&mut h, "1.2.6");
    click(&mut h, "In Place");
    h.get_by_label_contains("Signed with Ada Auditor's key SHA256:");
    click(&mut h, "Private key file");
    // Without the key file named, signing waits for it.
    assert!(h.get_by_label("Sign off").accesskit_node().is_disabled());
    sign_with_file(&mut h, &key, "ada's passphrase");
    click(&mut h, "Sign off");
    let state = h.state().requirement_state("1.2.6").unwrap().clone();
    let sign_off = state.sign_offs.last().expect("signed off");
    let signature = sign_off.signature.as_ref().expect("and signed");
    assert_eq!(signature.key_fingerprint, key.public_key().fingerprint());
    assert!(h.get_all_by_label("Signed").count() >= 1);
    let messages: Vec<String> = h
        .state()
        .messages()
        .iter()
        .map(|(_, m)| m.to_string())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("Signed off 1.2.6 (signed with SHA256:")),
        "{messages:?}"
    );
    // The passphrase was used once and is gone from the form: signing
    // again (after a note makes the sign-off stale) asks for it.
    type_into(
        &mut h,
        "Note (Markdown)",
        "Checked again after the rule change.",
    );
    click(&mut h, "Save note");
    click(&mut h, "Sign off");
    let refused: Vec<String> = h
        .state()
        .messages()
        .iter()
        .map(|(_, m)| m.to_string())
        .collect();
    assert!(
        refused
            .iter()
            .any(|m| m.contains("protected by a passphrase")),
        "{refused:?}"
    );
    assert_eq!(
        h.state()
            .requirement_state("1.2.6")
            .unwrap()
            .sign_offs
            .len(),
        1
    );
    let store = Store::open_existing(&dir.path().join("t.sqlite3")).unwrap();
    assert!(store.verify().unwrap().is_intact());
}

#[test]
fn a_lead_approves_over_the_open_items_with_a_signed_override_and_a_preparer_cannot() {
    if !have_ssh_keygen() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let lee_key = make_key(dir.path(), "lee", "ed25519", "");
    let kim_key = make_key(dir.path(), "kim", "ecdsa", "");
    let mut h = harness(dir.path());
    // Lee concludes a requirement himself: he may not approve.
    create_profile(&mut h, "Lee Lead", Role::SecurityLead, &lee_key);
    click(&mut h, "1.2.6");
    click(&mut h, "In Place");
    click(&mut h, "Approval…");
    h.get_by_label_contains("Segregation of duties: Lee Lead recorded the finding of 1.2.6");
    type_into(
        &mut h,
        "Statement (or the reason for sending back)",
        "Reviewed.",
    );
    sign_with_file(&mut h, &lee_key, "");
    assert!(h.get_by_label("Approve").accesskit_node().is_disabled());
    h.key_press(egui::Key::Escape);
    h.run();
    // Kim did nothing in this assessment: she approves over the open items.
    create_profile(&mut h, "Kim Lead", Role::SecurityLead, &kim_key);
    click(&mut h, "Approval…");
    h.get_by_label_contains("open item(s):");
    type_into(
        &mut h,
        "Statement (or the reason for sending back)",
        "Approved for the pilot.",
    );
    sign_with_file(&mut h, &kim_key, "");
    h.get_by_label("Approve").hover();
    h.run();
    h.get_by_label_contains("approve over them with an override");
    h.get_by_label_contains("Approve over these").click();
    h.run();
    type_into(
        &mut h,
        "Justification for approving with open items",
        "Too short.",
    );
    assert!(h.get_by_label("Approve").accesskit_node().is_disabled());
    type_into(
        &mut h,
        "Justification for approving with open items",
        " The pilot covers Requirement 1 only; the rest follows in the annual assessment.",
    );
    click(&mut h, "Approve");
    h.get_by_label("Approved by Kim Lead");
    let store = Store::open_existing(&dir.path().join("t.sqlite3")).unwrap();
    let id = h.state().assessment().unwrap().id;
    let approval = store.approval_state(id).unwrap().current.unwrap();
    assert!(approval.signature.is_some(), "the approval is signed");
    let open = approval.open_items.expect("the override is recorded");
    assert!(open.unconcluded.len() > 200, "{}", open.count());
    assert!(open.stale.contains(&"1.2.7".to_owned()));
    assert!(
        approval
            .justification
            .unwrap()
            .contains("annual assessment")
    );
    assert!(store.verify().unwrap().is_intact());
    let _ = Finding::InPlace;
}

#[test]
fn the_sample_auditor_is_offered_only_in_the_sample_and_the_sample_can_be_archived() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    click(&mut h, "Choose a reviewer");
    h.get_by_label_contains(sample::AUDITOR_NAME);
    h.key_press(egui::Key::Escape);
    h.run();
    // Archive the sample from the assessment menu: it leaves the list.
    let menu = format!("Assessment: {}", sample::ASSESSMENT_NAME);
    click(&mut h, &menu);
    click(&mut h, "Archive this assessment");
    let archived = h
        .state()
        .assessments()
        .iter()
        .find(|a| a.name == sample::ASSESSMENT_NAME)
        .cloned()
        .unwrap();
    assert!(archived.sample);
    assert!(archived.archived.is_some());
    // A real assessment: the fictional auditor is not offered there.
    click(&mut h, &menu);
    h.get_by_label("Archived (1)");
    click(&mut h, "New assessment…");
    type_into(&mut h, "Name", "H1 2027");
    click(&mut h, "Create assessment");
    assert_eq!(h.state().assessment().unwrap().name, "H1 2027");
    click(&mut h, "Choose a reviewer");
    assert!(h.query_by_label_contains(sample::AUDITOR_NAME).is_none());
    // And the store refuses it there, whatever picks it.
    let mut store = Store::open_existing(&dir.path().join("t.sqlite3")).unwrap();
    let robin = store
        .profiles()
        .unwrap()
        .into_iter()
        .find(|p| p.sample)
        .unwrap();
    let real = store.assessment("H1 2027").unwrap().unwrap();
    let catalog = tickmark::catalog::builtin(&real.catalog_id).unwrap();
    let err = store
        .set_review(
            &tickmark::store::Actor::with_profile(robin.id),
            real.id,
            catalog,
            "1.2.1",
            &tickmark::store::ReviewInput::defined(Some(Finding::InPlace), "x"),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("works only in the sample"),
        "{err}"
    );
    // Nor does it sign in the sample once a real assessment exists.
    let sample_catalog = tickmark::catalog::builtin(&archived.catalog_id).unwrap();
    let err = store
        .sign_off(
            &tickmark::store::Actor::with_profile(robin.id),
            archived.id,
            sample_catalog,
            "1.2.6",
            "x",
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("never signs in a record that holds a real assessment"),
        "{err}"
    );
}
