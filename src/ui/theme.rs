//! Light and dark themes: egui's visuals with Tickmark's spacing and type
//! sizes, and the colours that carry meaning (verdicts, conclusions,
//! sign-off states, highlighted JSON), chosen for contrast on both.

use egui::{Color32, FontFamily, FontId, TextStyle};
use serde::{Deserialize, Serialize};

use super::snippet::JsonColors;
use crate::checks::{CheckStatus, VerdictStatus};
use crate::store::{Conclusion, Finding, SignOffState};

/// The user's theme choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Light.
    #[default]
    Light,
    /// Dark.
    Dark,
}

impl ThemeChoice {
    /// The other one.
    pub fn toggled(self) -> ThemeChoice {
        match self {
            ThemeChoice::Light => ThemeChoice::Dark,
            ThemeChoice::Dark => ThemeChoice::Light,
        }
    }

    fn egui(self) -> egui::Theme {
        match self {
            ThemeChoice::Light => egui::Theme::Light,
            ThemeChoice::Dark => egui::Theme::Dark,
        }
    }
}

/// Adds the bundled monospace font (Hack) as a fallback to the
/// proportional one, for the arrows and symbols the main font lacks
/// (evidence and history texts may contain them).
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if fonts.font_data.contains_key("Hack")
        && let Some(list) = fonts.families.get_mut(&FontFamily::Proportional)
        && !list.iter().any(|f| f == "Hack")
    {
        let at = list.len().min(1);
        list.insert(at, "Hack".to_owned());
    }
    ctx.set_fonts(fonts);
}

/// Applies the theme and Tickmark's text sizes and spacing.
pub fn apply(ctx: &egui::Context, choice: ThemeChoice) {
    ctx.set_theme(choice.egui());
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (
                TextStyle::Small,
                FontId::new(11.0, FontFamily::Proportional),
            ),
            (TextStyle::Body, FontId::new(13.5, FontFamily::Proportional)),
            (
                TextStyle::Button,
                FontId::new(13.5, FontFamily::Proportional),
            ),
            (
                TextStyle::Heading,
                FontId::new(19.0, FontFamily::Proportional),
            ),
            (
                TextStyle::Monospace,
                FontId::new(12.5, FontFamily::Monospace),
            ),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 5.0);
        style.spacing.button_padding = egui::vec2(7.0, 3.0);
        style.spacing.interact_size.y = 22.0;
    });
}

/// Colours with meaning, for the current theme.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Passing, in place.
    pub pass: Color32,
    /// Failing, not in place.
    pub fail: Color32,
    /// Partial, not tested.
    pub partial: Color32,
    /// Supported: only supporting checks passed (nothing wrong, not tested).
    pub supported: Color32,
    /// Manual review.
    pub manual: Color32,
    /// Nothing to show (no evidence, not applicable).
    pub muted: Color32,
    /// Signed off and current.
    pub signed: Color32,
    /// A stale sign-off or approval.
    pub stale: Color32,
    /// Compensating controls.
    pub ccw: Color32,
    /// Requirements new in PCI DSS v4.0.
    pub new_in_v4: Color32,
    /// The background of a selected row.
    pub selection: Color32,
    /// Text on a coloured chip.
    pub on_chip: Color32,
    /// The background of code and snippets.
    pub code_background: Color32,
    /// Highlighted JSON.
    pub json: JsonColors,
}

impl Palette {
    /// The palette for `ui`'s theme.
    pub fn of(ui: &egui::Ui) -> Palette {
        Palette::for_dark_mode(ui.visuals().dark_mode)
    }

    /// The palette for a theme.
    pub fn for_dark_mode(dark: bool) -> Palette {
        if dark {
            Palette {
                pass: Color32::from_rgb(0x4c, 0xc2, 0x7a),
                fail: Color32::from_rgb(0xf2, 0x6d, 0x6d),
                partial: Color32::from_rgb(0xe8, 0xb3, 0x4b),
                supported: Color32::from_rgb(0xa3, 0xc9, 0x6a),
                manual: Color32::from_rgb(0x7a, 0xa7, 0xe8),
                muted: Color32::from_rgb(0x8a, 0x8f, 0x98),
                signed: Color32::from_rgb(0x6b, 0xa8, 0xff),
                stale: Color32::from_rgb(0xff, 0x9a, 0x3d),
                ccw: Color32::from_rgb(0x3f, 0xc1, 0xc9),
                new_in_v4: Color32::from_rgb(0xb3, 0x94, 0xff),
                selection: Color32::from_rgb(0x24, 0x3a, 0x5a),
                on_chip: Color32::from_rgb(0x10, 0x12, 0x16),
                code_background: Color32::from_rgb(0x1b, 0x1e, 0x24),
                json: JsonColors {
                    key: Color32::from_rgb(0x8c, 0xc8, 0xff),
                    string: Color32::from_rgb(0xa8, 0xdb, 0x8f),
                    number: Color32::from_rgb(0xf5, 0xb8, 0x6e),
                    literal: Color32::from_rgb(0xd6, 0x9c, 0xf0),
                    punctuation: Color32::from_rgb(0xa0, 0xa6, 0xb0),
                },
            }
        } else {
            Palette {
                pass: Color32::from_rgb(0x1d, 0x7f, 0x45),
                fail: Color32::from_rgb(0xc0, 0x2b, 0x2b),
                partial: Color32::from_rgb(0xa8, 0x62, 0x00),
                supported: Color32::from_rgb(0x5a, 0x78, 0x1e),
                manual: Color32::from_rgb(0x2f, 0x5f, 0xaa),
                muted: Color32::from_rgb(0x6b, 0x70, 0x78),
                signed: Color32::from_rgb(0x1f, 0x5f, 0xd1),
                stale: Color32::from_rgb(0xc4, 0x5a, 0x00),
                ccw: Color32::from_rgb(0x0b, 0x7a, 0x82),
                new_in_v4: Color32::from_rgb(0x6a, 0x3f, 0xb5),
                selection: Color32::from_rgb(0xd6, 0xe6, 0xfb),
                on_chip: Color32::WHITE,
                code_background: Color32::from_rgb(0xf4, 0xf5, 0xf7),
                json: JsonColors {
                    key: Color32::from_rgb(0x1a, 0x4f, 0x9c),
                    string: Color32::from_rgb(0x2b, 0x6e, 0x1f),
                    number: Color32::from_rgb(0xa3, 0x4a, 0x00),
                    literal: Color32::from_rgb(0x7b, 0x2f, 0x9e),
                    punctuation: Color32::from_rgb(0x55, 0x5a, 0x62),
                },
            }
        }
    }

    /// The colour of an automated verdict.
    pub fn verdict(&self, verdict: Option<VerdictStatus>) -> Color32 {
        match verdict {
            Some(VerdictStatus::Pass) => self.pass,
            Some(VerdictStatus::Fail) => self.fail,
            Some(VerdictStatus::Partial) => self.partial,
            Some(VerdictStatus::Supported) => self.supported,
            Some(VerdictStatus::Manual) => self.manual,
            Some(VerdictStatus::NoEvidence) | None => self.muted,
        }
    }

    /// The colour of a check's outcome.
    pub fn check(&self, status: CheckStatus) -> Color32 {
        match status {
            CheckStatus::Pass => self.pass,
            CheckStatus::Fail => self.fail,
            CheckStatus::NotEvaluated => self.muted,
        }
    }

    /// The colour of a finding.
    pub fn finding(&self, finding: Finding) -> Color32 {
        match finding {
            Finding::InPlace => self.pass,
            Finding::NotApplicable => self.muted,
            Finding::NotTested => self.partial,
            Finding::NotInPlace => self.fail,
        }
    }

    /// The colour of a conclusion: its finding's (the method is marked
    /// apart, in [`Palette::ccw`]).
    pub fn conclusion(&self, conclusion: Conclusion) -> Color32 {
        self.finding(conclusion.finding)
    }

    /// The colour of a sign-off state.
    pub fn sign_off(&self, state: SignOffState) -> Color32 {
        match state {
            SignOffState::None => self.muted,
            SignOffState::Current => self.signed,
            SignOffState::Stale => self.stale,
        }
    }
}
