//! What the app remembers between runs (through eframe's storage): the
//! review record it had open, the last assessment and profile there, the
//! theme and the tree's filters. Notes typed but not saved are not kept
//! here but in the drafts file beside the record ([`crate::drafts`]);
//! drafts an earlier version remembered here are read once and moved there.

use serde::{Deserialize, Serialize};

use super::model::Filters;
use super::theme::ThemeChoice;

/// The key under which eframe stores the preferences.
pub const STORAGE_KEY: &str = "tickmark-prefs";

pub use crate::drafts::NOTE;

/// Text typed into a review (the note, or a field of a worksheet) but not
/// yet in the review record, as earlier versions remembered it in the
/// preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedDraft {
    /// The assessment.
    pub assessment: i64,
    /// The requirement.
    pub requirement: String,
    /// The field: [`NOTE`], or `compensating.<key>` / `customized.<key>`
    /// for a worksheet field (drafts remembered before worksheets existed
    /// are notes).
    #[serde(default = "note_field")]
    pub field: String,
    /// The text.
    pub text: String,
}

fn note_field() -> String {
    NOTE.to_owned()
}

/// The remembered preferences.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// The review record these preferences were saved with.
    pub db: Option<String>,
    /// The assessment open last (by name).
    pub last_assessment: Option<String>,
    /// The reviewer profile in use (by ID, in `db`).
    pub profile: Option<i64>,
    /// Light or dark.
    pub theme: ThemeChoice,
    /// The tree's filters.
    pub filters: Filters,
    /// Notes typed but not saved, as earlier versions remembered them (read
    /// once and moved to the drafts file; never written again).
    #[serde(skip_serializing)]
    pub drafts: Vec<SavedDraft>,
}

impl Prefs {
    /// The preferences that apply to the review record `db`: the
    /// record-specific ones are dropped if they were saved with another.
    pub fn for_record(mut self, db: &str) -> Prefs {
        if self.db.as_deref() != Some(db) {
            self.last_assessment = None;
            self.profile = None;
            self.drafts.clear();
        }
        self.db = Some(db.to_owned());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_specific_prefs_do_not_follow_another_record() {
        let prefs = Prefs {
            db: Some("/a.sqlite3".into()),
            last_assessment: Some("Q1".into()),
            profile: Some(3),
            theme: ThemeChoice::Dark,
            drafts: vec![SavedDraft {
                assessment: 1,
                requirement: "1.1.2".into(),
                field: NOTE.into(),
                text: "typed".into(),
            }],
            ..Prefs::default()
        };
        let same = prefs.clone().for_record("/a.sqlite3");
        assert_eq!(same, prefs);
        let other = prefs.for_record("/b.sqlite3");
        assert_eq!(other.last_assessment, None);
        assert_eq!(other.profile, None);
        assert!(other.drafts.is_empty());
        assert_eq!(other.theme, ThemeChoice::Dark);
    }
}
