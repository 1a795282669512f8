//! The rough edges of issue 14 found in a real window, each driven
//! headless with egui_kittest on the sample's review record: runs counted
//! rather than numbered by event, times with their zone, messages that do
//! not outlive the assessment they arose in, typed paths with `~` and
//! quotes, Enter in the Withdraw dialog, Ctrl+F over an old query, and Sign
//! off unavailable once signed.
#![cfg(feature = "gui")]

mod ui_support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tickmark::store::{Role, SignOffState, Store};
use tickmark::ui::Workbench;
use ui_support::{click, create_profile, sample, type_into};

/// The value a text field or label shows.
fn shown(h: &Harness<'_, Workbench>, label: &str) -> String {
    format!("{:?}", h.get_by_label(label))
}

#[test]
fn the_status_line_counts_runs_and_gives_the_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let h = sample(&db);
    let id = h.state().assessment().unwrap().id;
    let runs = Store::open_existing(&db).unwrap().runs(id).unwrap();
    let latest = runs.last().unwrap();
    let line = h.get_by_label_contains("Review record: ");
    let text = format!("{line:?}");
    let counted = format!("run {0} of {0}, ", runs.len());
    assert!(text.contains(&counted), "{text}");
    assert!(
        !text.contains(&format!("#{}", latest.id)),
        "not the event number: {text}"
    );
    // The time says its zone (UTC, or the offset from it).
    let after = text.split(&counted).nth(1).unwrap();
    let time: String = after.chars().take(20).collect();
    assert!(
        time.starts_with(&latest.at.format("%Y-").to_string())
            && (time.contains(" UTC") || time.contains("UTC+") || time.contains("UTC-")),
        "{time}"
    );
}

#[test]
fn messages_do_not_pile_up_or_outlive_their_assessment() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    // The same failure twice is one message.
    for _ in 0..2 {
        click(&mut h, "Import");
        click(&mut h, "From a typed path…");
        let bad = dir.path().join("broken.json");
        std::fs::write(&bad, b"{\"value\": [").unwrap();
        type_into(&mut h, "Path", &bad.display().to_string());
        click(&mut h, "Import this path");
        if h.query_by_label("Close").is_some() {
            click(&mut h, "Close");
        }
    }
    let errors: Vec<String> = h
        .state()
        .messages()
        .into_iter()
        .filter(|(error, _)| *error)
        .map(|(_, m)| m)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    // Opening another assessment starts with a clean message area.
    let sample_name = h.state().assessment().unwrap().name.clone();
    click(&mut h, &format!("Assessment: {sample_name}"));
    click(&mut h, "New assessment…");
    type_into(&mut h, "Name", "Next half-year");
    click(&mut h, "Create assessment");
    let messages = h.state().messages();
    assert!(
        messages.iter().all(|(error, _)| !error),
        "the sample's error is gone: {messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|(_, m)| m.contains("Created the assessment \"Next half-year\"")),
        "{messages:?}"
    );
}

#[test]
fn a_typed_path_may_be_quoted_or_start_with_the_home_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    // A path that is not there keeps the dialog open, with the path and why.
    click(&mut h, "Import");
    click(&mut h, "From a typed path…");
    let missing = dir.path().join("no-such-folder");
    type_into(&mut h, "Path", &format!("'{}'", missing.display()));
    click(&mut h, "Import this path");
    h.get_by_label_contains("There is no file or folder at");
    assert!(
        shown(&h, "Path").contains("no-such-folder"),
        "the path typed stays"
    );
    click(&mut h, "Cancel");
    // Quotes around a real path, as a file manager copies it, are removed.
    let nsgs = tickmark::sample::file("sample-data/azure/nsgs.json").unwrap();
    let quoted = dir.path().join("with space");
    std::fs::create_dir_all(&quoted).unwrap();
    let copy = quoted.join("nsgs.json");
    let mut bytes = nsgs.bytes.to_vec();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&copy, bytes).unwrap();
    click(&mut h, "Import");
    click(&mut h, "From a typed path…");
    type_into(&mut h, "Path", &format!("  \"{}\" ", copy.display()));
    click(&mut h, "Import this path");
    let id = h.state().assessment().unwrap().id;
    let files = Store::open_existing(&dir.path().join("t.sqlite3"))
        .unwrap()
        .evidence_files(id)
        .unwrap();
    assert!(
        files
            .iter()
            .any(|f| f.provenance.path.ends_with("with space/nsgs.json")),
        "the quoted path was imported"
    );
    // ~ is the home directory.
    let home = std::env::var("HOME").unwrap();
    assert_eq!(
        tickmark::ui::typed_path("~/evidence"),
        std::path::Path::new(&home).join("evidence")
    );
}

#[test]
fn enter_withdraws_an_attachment_once_a_reason_is_typed() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    h.state_mut().select("1.2.3");
    h.run();
    let attachments = |h: &Harness<'_, Workbench>| {
        h.state()
            .requirement_state("1.2.3")
            .unwrap()
            .attachments
            .iter()
            .filter(|a| a.withdrawn.is_none())
            .count()
    };
    let before = attachments(&h);
    assert!(before > 0, "the sample attaches a diagram to 1.2.3");
    click(&mut h, "Withdraw…");
    // Enter with no reason does nothing; with one it withdraws.
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label("Reason");
    h.get_by_label("Reason").type_text("replaced by version 2");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.query_by_label("Reason").is_none(), "the dialog closed");
    assert_eq!(attachments(&h), before - 1);
}

#[test]
fn ctrl_f_selects_the_old_query_so_typing_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.run();
    h.get_by_label("Search").type_text("firewall");
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.run();
    h.get_by_label("Search").type_text("1.4.");
    h.run();
    let field = shown(&h, "Search");
    assert!(field.contains("value: \"1.4.\""), "{field}");
    assert!(
        h.state()
            .visible_requirements()
            .contains(&"1.4.1".to_owned())
    );
}

#[test]
fn sign_off_is_unavailable_while_the_sign_off_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    create_profile(&mut h, "Ada Auditor", Role::Auditor);
    click(&mut h, "1.2.2");
    click(&mut h, "In Place");
    assert!(!h.get_by_label("Sign off").accesskit_node().is_disabled());
    click(&mut h, "Sign off");
    assert_eq!(
        h.state().requirement_state("1.2.2").unwrap().sign_off_state,
        SignOffState::Current
    );
    assert!(h.get_by_label("Sign off").accesskit_node().is_disabled());
    // A stale sign-off can be signed again.
    h.state_mut().select("1.2.7");
    h.run();
    assert_eq!(
        h.state().requirement_state("1.2.7").unwrap().sign_off_state,
        SignOffState::Stale
    );
    assert!(!h.get_by_label("Sign off").accesskit_node().is_disabled());
}

#[test]
fn filters_for_what_is_left_to_sign_and_for_notes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    let state =
        |h: &Harness<'_, Workbench>, id: &str| h.state().requirement_state(id).unwrap().clone();
    click(&mut h, "To sign");
    let to_sign = h.state().visible_requirements();
    assert!(!to_sign.is_empty());
    for id in &to_sign {
        let s = state(&h, id);
        assert!(
            s.conclusion().is_some() && s.sign_off_state != SignOffState::Current,
            "{id}"
        );
    }
    assert!(to_sign.contains(&"1.2.7".to_owned()), "stale: sign again");
    assert!(!to_sign.contains(&"1.2.3".to_owned()), "signed off");
    click(&mut h, "To sign");
    click(&mut h, "Has note");
    let noted = h.state().visible_requirements();
    assert!(noted.contains(&"1.2.3".to_owned()), "{noted:?}");
    for id in &noted {
        let note = state(&h, id).review.map(|r| r.note).unwrap_or_default();
        assert!(!note.trim().is_empty(), "{id}");
    }
    assert!(noted.len() < 40, "{noted:?}");
}

#[test]
fn dashboard_cards_lead_to_what_they_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    click(&mut h, "Dashboard");
    h.get_by_label_contains("Stale sign-offs: ").click();
    h.run();
    assert!(matches!(h.state().screen(), tickmark::ui::Screen::Review));
    let stale = h.state().visible_requirements();
    assert!(stale.contains(&"1.2.7".to_owned()), "{stale:?}");
    assert!(
        stale.iter().all(
            |id| h.state().requirement_state(id).unwrap().sign_off_state == SignOffState::Stale
        ),
        "{stale:?}"
    );
    assert_eq!(h.state().selected(), stale.first().map(String::as_str));
    click(&mut h, "Dashboard");
    h.get_by_label_contains("Approval: ").click();
    h.run();
    h.get_by_label("Security lead's approval");
}

#[test]
fn the_dashboard_fits_the_window_at_1400x900_and_1000x700() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample(&dir.path().join("t.sqlite3"));
    click(&mut h, "Dashboard");
    for (width, height) in [(1400.0, 900.0), (1000.0, 700.0)] {
        h.set_size(egui::vec2(width, height));
        h.run();
        let mut seen = 0;
        for title in [
            "Concluded: ",
            "Signed off: ",
            "Reviewer sign-offs: ",
            "Open review notes: ",
            "Stale sign-offs: ",
            "Failing verdicts: ",
            "Approval: ",
            "Declare A1 not applicable",
            "Declare A3 not applicable",
            "Requirement 1: ",
        ] {
            let rect = h.get_by_label_contains(title).rect();
            assert!(
                rect.right() <= width,
                "at {width}x{height}, {title:?} ends at {} beyond the window",
                rect.right()
            );
            seen += 1;
        }
        assert_eq!(seen, 10);
    }
}

/// A team's record holds dozens of profiles: the profiles dialog's list
/// scrolls and the form to create one stays inside the window (it ran off
/// the bottom with twenty-four profiles at 910x900).
#[test]
fn the_profiles_dialog_fits_the_window_with_many_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    {
        let mut store = tickmark::store::Store::open(&db).unwrap();
        for n in 1..=30 {
            store
                .create_profile(
                    &tickmark::store::Actor::os_user_only(),
                    &tickmark::store::NewProfile {
                        name: format!("Assessor {n}"),
                        email: format!("a{n}@example.com"),
                        role: tickmark::store::Role::Auditor,
                    },
                )
                .unwrap();
        }
    }
    let mut h = ui_support::harness_sized(ui_support::workbench(&db), [1000.0, 700.0]);
    ui_support::click(&mut h, "Choose a reviewer");
    let create = h.get_by_label("Create profile").rect();
    assert!(
        create.max.y <= 700.0 && create.min.y >= 0.0,
        "Create profile at {create:?}, outside the 700 px window"
    );
    assert!(
        h.query_by_label("Assessor 1 <a1@example.com> · Auditor · no key")
            .is_some()
    );
}
