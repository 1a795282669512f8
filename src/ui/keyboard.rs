//! Keyboard shortcuts. The list in [`SHORTCUTS`] is what the help overlay
//! shows; [`handle`] implements it.

use egui::{Key, Modifiers};

use super::app::{Screen, Workbench};
use super::dialogs::Dialog;
use crate::store::Finding;

/// Every shortcut: keys and what they do.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("↓ or J", "Next requirement"),
    ("↑ or K", "Previous requirement"),
    ("Home / End", "First / last requirement"),
    ("1", "Finding: In Place"),
    ("2", "Finding: Not Applicable"),
    ("3", "Finding: Not Tested"),
    ("4", "Finding: Not in Place"),
    ("0", "Clear the finding (asks first)"),
    ("N", "Write the note"),
    ("Ctrl+S", "Save the note (a draft until saved)"),
    ("Ctrl+F", "Search requirements"),
    ("Enter in the search", "Go to the first match"),
    (
        "Ctrl+1 / 2 / 3 / 4 / 5 / 6",
        "Review / Dashboard / Compare / Requests / Scope / Evidence",
    ),
    ("Ctrl+T", "Light or dark theme"),
    ("? or F1", "This help"),
    (
        "Enter in a dialog",
        "Its main button (Save, Withdraw, Clear finding…)",
    ),
    ("Esc", "Close a dialog, leave a text field"),
];

/// The finding shortcuts, `1` to `4`.
const FINDING_KEYS: [(Key, Finding); 4] = [
    (Key::Num1, Finding::InPlace),
    (Key::Num2, Finding::NotApplicable),
    (Key::Num3, Finding::NotTested),
    (Key::Num4, Finding::NotInPlace),
];

/// The note editor's ID (for focusing it with `N`).
pub fn note_editor_id() -> egui::Id {
    egui::Id::unique("tickmark-note-editor")
}

/// The search field's ID (for focusing it with Ctrl+F).
pub fn search_id() -> egui::Id {
    egui::Id::unique("tickmark-requirement-search")
}

/// Applies this frame's shortcuts.
pub fn handle(wb: &mut Workbench, ctx: &egui::Context) {
    let command = |key| ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, key));
    if command(Key::F) {
        wb.screen = Screen::Review;
        wb.focus_search = true;
    }
    if command(Key::S)
        && let Some(selected) = wb.selected.clone()
    {
        wb.save_note(&selected);
    }
    if command(Key::T) {
        wb.prefs.theme = wb.prefs.theme.toggled();
        super::theme::apply(ctx, wb.prefs.theme);
    }
    for (key, screen) in [
        (Key::Num1, Screen::Review),
        (Key::Num2, Screen::Dashboard),
        (Key::Num3, Screen::Compare),
        (Key::Num4, Screen::Requests),
        (Key::Num5, Screen::Scope),
        (Key::Num6, Screen::Evidence),
    ] {
        if command(key) {
            wb.screen = screen;
        }
    }
    // An open menu or popup closes on Esc by itself: leave the key to it.
    let popup_open = egui::Popup::is_any_open(ctx);
    if !popup_open && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
        if wb.dialog.is_some() {
            wb.dialog = None;
        } else {
            ctx.memory_mut(|m| {
                if let Some(focused) = m.focused() {
                    m.surrender_focus(focused);
                }
            });
        }
        return;
    }
    if wb.dialog.is_some() || ctx.egui_wants_keyboard_input() {
        return;
    }
    let plain = |key| ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key));
    if plain(Key::F1) || asked_for_help(ctx) {
        wb.dialog = Some(Dialog::Help);
        return;
    }
    if wb.screen != Screen::Review {
        return;
    }
    if plain(Key::ArrowDown) || plain(Key::J) {
        wb.move_selection(1);
    }
    if plain(Key::ArrowUp) || plain(Key::K) {
        wb.move_selection(-1);
    }
    if plain(Key::Home) {
        wb.move_selection(isize::MIN);
    }
    if plain(Key::End) {
        wb.move_selection(isize::MAX);
    }
    for (key, finding) in FINDING_KEYS {
        if plain(key) {
            wb.set_finding(finding);
        }
    }
    if plain(Key::Num0)
        && let Some(selected) = wb.selected.clone()
        && wb
            .requirement_state(&selected)
            .and_then(|s| s.conclusion())
            .is_some()
    {
        wb.dialog = Some(Dialog::ClearFinding {
            requirement: selected,
        });
    }
    if plain(Key::N) {
        // The same key press also arrives as the text "n", which the
        // editor would type once it has the focus.
        drop_text(ctx, "n");
        wb.note_preview = false;
        ctx.memory_mut(|m| m.request_focus(note_editor_id()));
    }
}

/// Removes this frame's text events equal to `typed` (either case).
fn drop_text(ctx: &egui::Context, typed: &str) {
    ctx.input_mut(|i| {
        i.events
            .retain(|e| !matches!(e, egui::Event::Text(t) if t.eq_ignore_ascii_case(typed)));
    });
}

/// `?` arrives as a key on some keyboards and only as text on others.
fn asked_for_help(ctx: &egui::Context) -> bool {
    ctx.input_mut(|i| {
        let by_key = i.consume_key(Modifiers::SHIFT, Key::Questionmark)
            || i.consume_key(Modifiers::NONE, Key::Questionmark);
        let by_text = i
            .events
            .iter()
            .any(|e| matches!(e, egui::Event::Text(t) if t == "?"));
        by_key || by_text
    })
}
