//! What the app remembers between runs (through eframe's storage): the
//! review record it had open, the last assessment and profile there, the
//! theme, the tree's filters, and every note typed but not yet saved.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::model::Filters;
use super::theme::ThemeChoice;
use crate::store::{CompensatingControl, CustomizedApproach, Method, ReviewInput};

/// The key under which eframe stores the preferences.
pub const STORAGE_KEY: &str = "tickmark-prefs";

/// The field of a review a draft holds: the note.
pub const NOTE: &str = "note";

/// Text typed into a review (the note, or a field of a worksheet) but not
/// yet in the review record.
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

/// The draft field of a worksheet field: `compensating.constraints`,
/// `customized.objective`...
pub fn worksheet_field(kind: &str, key: &str) -> String {
    format!("{kind}.{key}")
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

/// Text typed but not yet saved, by assessment, requirement and field.
#[derive(Debug, Clone, Default)]
pub struct Drafts {
    map: HashMap<(i64, String, String), String>,
}

impl Drafts {
    /// From the remembered ones.
    pub fn from_saved(saved: &[SavedDraft]) -> Drafts {
        Drafts {
            map: saved
                .iter()
                .map(|d| {
                    (
                        (d.assessment, d.requirement.clone(), d.field.clone()),
                        d.text.clone(),
                    )
                })
                .collect(),
        }
    }

    /// For remembering.
    pub fn to_saved(&self) -> Vec<SavedDraft> {
        let mut saved: Vec<SavedDraft> = self
            .map
            .iter()
            .map(|((assessment, requirement, field), text)| SavedDraft {
                assessment: *assessment,
                requirement: requirement.clone(),
                field: field.clone(),
                text: text.clone(),
            })
            .collect();
        saved.sort_by(|a, b| {
            (a.assessment, &a.requirement, &a.field).cmp(&(b.assessment, &b.requirement, &b.field))
        });
        saved
    }

    /// The draft note of one requirement.
    pub fn get(&self, assessment: i64, requirement: &str) -> Option<&String> {
        self.field(assessment, requirement, NOTE)
    }

    /// The draft of one field of a requirement's review.
    pub fn field(&self, assessment: i64, requirement: &str, field: &str) -> Option<&String> {
        self.map
            .get(&(assessment, requirement.to_owned(), field.to_owned()))
    }

    /// Whether anything of a requirement's review is typed but not saved.
    pub fn has_any(&self, assessment: i64, requirement: &str) -> bool {
        self.map
            .keys()
            .any(|(a, r, _)| *a == assessment && r == requirement)
    }

    /// Sets the draft note.
    pub fn set(&mut self, assessment: i64, requirement: &str, text: String) {
        self.set_field(assessment, requirement, NOTE, text);
    }

    /// Sets the draft of a field.
    pub fn set_field(&mut self, assessment: i64, requirement: &str, field: &str, text: String) {
        self.map
            .insert((assessment, requirement.to_owned(), field.to_owned()), text);
    }

    /// Forgets the draft note once the record holds exactly its text.
    pub fn settle(&mut self, assessment: i64, requirement: &str, saved: &str) {
        self.settle_field(assessment, requirement, NOTE, saved);
    }

    /// Forgets a field's draft once the record holds exactly its text.
    pub fn settle_field(&mut self, assessment: i64, requirement: &str, field: &str, saved: &str) {
        let key = (assessment, requirement.to_owned(), field.to_owned());
        if self.map.get(&key).is_some_and(|text| text == saved) {
            self.map.remove(&key);
        }
    }

    /// `saved` (a requirement's review as recorded) with the drafts typed
    /// into it: the note, and the fields of the worksheet of its method
    /// (drafts of another method's worksheet are left out).
    pub fn apply(&self, assessment: i64, requirement: &str, saved: &ReviewInput) -> ReviewInput {
        let mut out = saved.clone();
        if let Some(note) = self.get(assessment, requirement) {
            out.note = note.clone();
        }
        let typed = |kind: &str, key: &str| {
            self.field(assessment, requirement, &worksheet_field(kind, key))
        };
        match out.method {
            Method::Defined => {}
            Method::Compensating => {
                let mut worksheet = out.compensating.take().unwrap_or_default();
                let keys: Vec<&str> = worksheet.fields().iter().map(|f| f.0).collect();
                for key in keys {
                    if let (Some(text), Some(field)) =
                        (typed("compensating", key), worksheet.field_mut(key))
                    {
                        *field = text.clone();
                    }
                }
                out.compensating = (worksheet != CompensatingControl::default()
                    || saved.compensating.is_some())
                .then_some(worksheet);
            }
            Method::Customized => {
                let mut worksheet = out.customized.take().unwrap_or_default();
                let keys: Vec<&str> = worksheet.fields().iter().map(|f| f.0).collect();
                for key in keys {
                    if let (Some(text), Some(field)) =
                        (typed("customized", key), worksheet.field_mut(key))
                    {
                        *field = text.clone();
                    }
                }
                out.customized = (worksheet != CustomizedApproach::default()
                    || saved.customized.is_some())
                .then_some(worksheet);
            }
        }
        out
    }

    /// Forgets every draft of a requirement that the record now holds
    /// (`saved`).
    pub fn settle_review(&mut self, assessment: i64, requirement: &str, saved: &ReviewInput) {
        self.settle(assessment, requirement, &saved.note);
        let compensating = saved.compensating.clone().unwrap_or_default();
        for (key, _, text) in compensating.fields() {
            self.settle_field(
                assessment,
                requirement,
                &worksheet_field("compensating", key),
                text,
            );
        }
        let customized = saved.customized.clone().unwrap_or_default();
        for (key, _, text) in customized.fields() {
            self.settle_field(
                assessment,
                requirement,
                &worksheet_field("customized", key),
                text,
            );
        }
    }

    /// Every (assessment, requirement) with a draft, in order.
    pub fn requirements(&self) -> Vec<(i64, String)> {
        let mut out: Vec<(i64, String)> =
            self.map.keys().map(|(a, r, _)| (*a, r.clone())).collect();
        out.sort();
        out.dedup();
        out
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

    #[test]
    fn worksheet_drafts_apply_to_the_worksheet_of_the_method() {
        let mut drafts = Drafts::default();
        drafts.set_field(
            1,
            "10.5.1",
            &worksheet_field("compensating", "constraints"),
            "Legacy SIEM".into(),
        );
        drafts.set_field(
            1,
            "10.5.1",
            &worksheet_field("customized", "objective"),
            "ignored".into(),
        );
        drafts.set(1, "10.5.1", "Why".into());
        let saved = ReviewInput {
            method: Method::Compensating,
            ..ReviewInput::default()
        };
        let typed = drafts.apply(1, "10.5.1", &saved);
        assert_eq!(typed.note, "Why");
        assert_eq!(
            typed.compensating.as_ref().unwrap().constraints,
            "Legacy SIEM"
        );
        assert_eq!(typed.customized, None);
        drafts.settle_review(1, "10.5.1", &typed);
        assert_eq!(
            drafts.requirements(),
            vec![(1, "10.5.1".to_owned())],
            "the other method's draft stays"
        );
        // A draft remembered before worksheets existed is a note.
        let old: SavedDraft =
            serde_json::from_str(r#"{"assessment": 1, "requirement": "1.1.2", "text": "t"}"#)
                .unwrap();
        assert_eq!(old.field, NOTE);
    }
}
