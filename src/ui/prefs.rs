//! What the app remembers between runs (through eframe's storage): the
//! review record it had open, the last assessment and profile there, the
//! records opened before (with theirs), the theme and the tree's filters. Notes typed but not saved are not kept
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

/// How many records the Open record dialog offers again.
const MAX_RECENT: usize = 8;

/// A review record opened before, and what was in use there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecentRecord {
    /// The file, or the server's URL without a password.
    pub db: String,
    /// The assessment open last (by name).
    pub last_assessment: Option<String>,
    /// The reviewer profile in use (by ID, in `db`).
    pub profile: Option<i64>,
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
    /// The records opened, the most recent first (the one open among them).
    pub recent: Vec<RecentRecord>,
    /// Notes typed but not saved, as earlier versions remembered them (read
    /// once and moved to the drafts file; never written again).
    #[serde(skip_serializing)]
    pub drafts: Vec<SavedDraft>,
}

impl Prefs {
    /// The preferences that apply to the review record `db`: the
    /// record-specific ones are those last used with `db` (none for a
    /// record never opened); the others' are kept among the recent records.
    pub fn for_record(mut self, db: &str) -> Prefs {
        if self.db.as_deref() != Some(db) {
            self.remember_current();
            let earlier = self.recent.iter().find(|r| r.db == db).cloned();
            self.last_assessment = earlier.as_ref().and_then(|r| r.last_assessment.clone());
            self.profile = earlier.and_then(|r| r.profile);
            self.drafts.clear();
        }
        self.db = Some(db.to_owned());
        self.remember_current();
        self
    }

    /// Puts the open record, with its assessment and profile, first among
    /// the recent records.
    pub fn remember_current(&mut self) {
        let Some(db) = self.db.clone() else {
            return;
        };
        self.recent.retain(|r| r.db != db);
        self.recent.insert(
            0,
            RecentRecord {
                db,
                last_assessment: self.last_assessment.clone(),
                profile: self.profile,
            },
        );
        self.recent.truncate(MAX_RECENT);
    }

    /// The record to open when none was named: the last one, if it is a
    /// server or a file that is still there.
    pub fn last_record(&self) -> Option<std::path::PathBuf> {
        let db = self.db.as_deref()?;
        let path = std::path::PathBuf::from(db);
        (crate::store::is_server_url(db) || path.is_file()).then_some(path)
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
        assert_eq!(same.last_assessment, prefs.last_assessment);
        assert_eq!(same.profile, prefs.profile);
        assert_eq!(same.drafts, prefs.drafts);
        let other = prefs.for_record("/b.sqlite3");
        assert_eq!(other.last_assessment, None);
        assert_eq!(other.profile, None);
        assert!(other.drafts.is_empty());
        assert_eq!(other.theme, ThemeChoice::Dark);
    }

    #[test]
    fn going_back_to_a_record_brings_back_its_assessment_and_profile() {
        let mut prefs = Prefs::default().for_record("/a.sqlite3");
        prefs.last_assessment = Some("Q1".into());
        prefs.profile = Some(3);
        let mut on_server = prefs.for_record("postgresql://ann@db.example:5432/pci");
        assert_eq!(on_server.profile, None);
        on_server.profile = Some(7);
        on_server.last_assessment = Some("2026".into());
        let back = on_server.for_record("/a.sqlite3");
        assert_eq!(back.last_assessment.as_deref(), Some("Q1"));
        assert_eq!(back.profile, Some(3));
        let dbs: Vec<&str> = back.recent.iter().map(|r| r.db.as_str()).collect();
        assert_eq!(dbs, ["/a.sqlite3", "postgresql://ann@db.example:5432/pci"]);
        let server = back
            .clone()
            .for_record("postgresql://ann@db.example:5432/pci");
        assert_eq!(server.profile, Some(7));
        assert_eq!(server.last_assessment.as_deref(), Some("2026"));
    }

    #[test]
    fn at_most_eight_records_are_remembered() {
        let mut prefs = Prefs::default();
        for n in 0..12 {
            prefs = prefs.for_record(&format!("/r{n}.sqlite3"));
        }
        assert_eq!(prefs.recent.len(), 8);
        assert_eq!(prefs.recent[0].db, "/r11.sqlite3");
    }
}
