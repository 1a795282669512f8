//! What the app remembers between runs (through eframe's storage): the
//! review record it had open, the last assessment and profile there, the
//! theme, the tree's filters, and every note typed but not yet saved.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::model::Filters;
use super::theme::ThemeChoice;

/// The key under which eframe stores the preferences.
pub const STORAGE_KEY: &str = "tickmark-prefs";

/// A note typed but not yet in the review record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedDraft {
    /// The assessment.
    pub assessment: i64,
    /// The requirement.
    pub requirement: String,
    /// The text.
    pub text: String,
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
    /// Notes typed but not saved.
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

/// Notes typed but not yet saved, by assessment and requirement.
#[derive(Debug, Clone, Default)]
pub struct Drafts {
    map: HashMap<(i64, String), String>,
}

impl Drafts {
    /// From the remembered ones.
    pub fn from_saved(saved: &[SavedDraft]) -> Drafts {
        Drafts {
            map: saved
                .iter()
                .map(|d| ((d.assessment, d.requirement.clone()), d.text.clone()))
                .collect(),
        }
    }

    /// For remembering.
    pub fn to_saved(&self) -> Vec<SavedDraft> {
        let mut saved: Vec<SavedDraft> = self
            .map
            .iter()
            .map(|((assessment, requirement), text)| SavedDraft {
                assessment: *assessment,
                requirement: requirement.clone(),
                text: text.clone(),
            })
            .collect();
        saved.sort_by(|a, b| (a.assessment, &a.requirement).cmp(&(b.assessment, &b.requirement)));
        saved
    }

    /// The draft of one requirement.
    pub fn get(&self, assessment: i64, requirement: &str) -> Option<&String> {
        self.map.get(&(assessment, requirement.to_owned()))
    }

    /// Sets a draft.
    pub fn set(&mut self, assessment: i64, requirement: &str, text: String) {
        self.map.insert((assessment, requirement.to_owned()), text);
    }

    /// Forgets a draft once the record holds exactly its text.
    pub fn settle(&mut self, assessment: i64, requirement: &str, saved: &str) {
        let key = (assessment, requirement.to_owned());
        if self.map.get(&key).is_some_and(|text| text == saved) {
            self.map.remove(&key);
        }
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

    #[test]
    fn drafts_settle_only_when_saved_text_matches() {
        let mut drafts = Drafts::default();
        drafts.set(1, "1.1.2", "abc".into());
        drafts.settle(1, "1.1.2", "ab");
        assert_eq!(drafts.get(1, "1.1.2").map(String::as_str), Some("abc"));
        drafts.settle(1, "1.1.2", "abc");
        assert_eq!(drafts.get(1, "1.1.2"), None);
        drafts.set(2, "3.4", "x".into());
        let back = Drafts::from_saved(&drafts.to_saved());
        assert_eq!(back.get(2, "3.4").map(String::as_str), Some("x"));
    }
}
