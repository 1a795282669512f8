//! The app's drafts: text typed into a review (the note, a worksheet field)
//! but not saved, by assessment, requirement and field.
//!
//! Drafts are not events. Every change to them is also queued as a
//! [`DraftOp`], which the workbench hands to the worker at the end of the
//! frame to keep in the drafts file beside the record
//! ([`crate::drafts`]), so that a crash or a kill loses nothing typed.
//! Only saving (Ctrl+S, "Save note", or Save when asked on leaving) records
//! a draft in the review record.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::prefs::SavedDraft;
use crate::drafts::{Draft, NOTE};
use crate::store::{CompensatingControl, CustomizedApproach, Method, ReviewInput};

/// A change to the drafts file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftOp {
    /// Keep this draft (replacing the field's earlier one).
    Put(Draft),
    /// Forget the draft of one field.
    Remove {
        /// The assessment.
        assessment: i64,
        /// The requirement.
        requirement: String,
        /// The field.
        field: String,
    },
}

/// The draft field of a worksheet field: `compensating.constraints`,
/// `customized.objective`...
pub fn worksheet_field(kind: &str, key: &str) -> String {
    format!("{kind}.{key}")
}

/// Text typed but not yet saved.
#[derive(Debug, Clone, Default)]
pub struct Drafts {
    map: HashMap<(i64, String, String), String>,
    /// When each requirement's draft was last typed.
    typed_at: HashMap<(i64, String), DateTime<Utc>>,
    /// Requirements whose drafts the user chose to keep as drafts (or that
    /// an earlier session left): leaving them does not ask again until
    /// they are typed into.
    kept: HashSet<(i64, String)>,
    /// Changes not yet handed to the drafts file.
    ops: Vec<DraftOp>,
    /// The review event each requirement's drafts started from (this
    /// session's typing; `None` inside: no review yet). A save names it so
    /// that a colleague's newer version is never overwritten.
    based_on: HashMap<(i64, String), Option<i64>>,
}

impl Drafts {
    /// Drafts read back from the drafts file: kept, and not written again.
    pub fn restore(&mut self, drafts: Vec<Draft>) {
        for d in drafts {
            let key = (d.assessment, d.requirement.clone());
            self.map
                .entry((d.assessment, d.requirement, d.field))
                .or_insert(d.text);
            let at = self.typed_at.entry(key.clone()).or_insert(d.updated_at);
            *at = (*at).max(d.updated_at);
            self.kept.insert(key);
        }
    }

    /// Drafts an earlier version remembered in its preferences: kept, and
    /// written to the drafts file.
    pub fn adopt(&mut self, saved: &[SavedDraft]) {
        for d in saved {
            self.set_field(d.assessment, &d.requirement, &d.field, d.text.clone());
            self.kept.insert((d.assessment, d.requirement.clone()));
        }
    }

    /// The changes to write to the drafts file since the last call.
    pub fn take_ops(&mut self) -> Vec<DraftOp> {
        std::mem::take(&mut self.ops)
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

    /// When a requirement's draft was last typed.
    pub fn typed_at(&self, assessment: i64, requirement: &str) -> Option<DateTime<Utc>> {
        self.typed_at
            .get(&(assessment, requirement.to_owned()))
            .copied()
    }

    /// Whether the user chose to keep a requirement's drafts as drafts.
    pub fn is_kept(&self, assessment: i64, requirement: &str) -> bool {
        self.kept.contains(&(assessment, requirement.to_owned()))
    }

    /// Keeps a requirement's drafts as drafts: leaving it no longer asks.
    pub fn keep(&mut self, assessment: i64, requirement: &str) {
        self.kept.insert((assessment, requirement.to_owned()));
    }

    /// Notes that typing into a requirement starts from the review recorded
    /// by event `shown` (kept until its drafts are saved or discarded).
    pub fn begin(&mut self, assessment: i64, requirement: &str, shown: Option<i64>) {
        self.based_on
            .entry((assessment, requirement.to_owned()))
            .or_insert(shown);
    }

    /// Counts a requirement's drafts as written over the review recorded
    /// by event `seen` (the user has seen that version and keeps theirs).
    pub fn rebase(&mut self, assessment: i64, requirement: &str, seen: Option<i64>) {
        self.based_on
            .insert((assessment, requirement.to_owned()), seen);
    }

    /// The review event a requirement's drafts started from, when known.
    pub fn based_on(&self, assessment: i64, requirement: &str) -> Option<Option<i64>> {
        self.based_on
            .get(&(assessment, requirement.to_owned()))
            .copied()
    }

    /// Sets the draft note.
    pub fn set(&mut self, assessment: i64, requirement: &str, text: String) {
        self.set_field(assessment, requirement, NOTE, text);
    }

    /// Sets the draft of a field.
    pub fn set_field(&mut self, assessment: i64, requirement: &str, field: &str, text: String) {
        let now = Utc::now();
        let key = (assessment, requirement.to_owned());
        self.kept.remove(&key);
        self.typed_at.insert(key, now);
        self.ops.push(DraftOp::Put(Draft {
            assessment,
            requirement: requirement.to_owned(),
            field: field.to_owned(),
            text: text.clone(),
            updated_at: now,
        }));
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
            self.remove(key);
        }
    }

    /// Throws away every draft of a requirement.
    pub fn discard(&mut self, assessment: i64, requirement: &str) {
        let keys: Vec<(i64, String, String)> = self
            .map
            .keys()
            .filter(|(a, r, _)| *a == assessment && r == requirement)
            .cloned()
            .collect();
        for key in keys {
            self.remove(key);
        }
    }

    fn remove(&mut self, key: (i64, String, String)) {
        if self.map.remove(&key).is_none() {
            return;
        }
        let (assessment, requirement, field) = key;
        if !self.has_any(assessment, &requirement) {
            let requirement_key = (assessment, requirement.clone());
            self.kept.remove(&requirement_key);
            self.typed_at.remove(&requirement_key);
            self.based_on.remove(&requirement_key);
        }
        self.ops.push(DraftOp::Remove {
            assessment,
            requirement,
            field,
        });
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
    fn drafts_settle_only_when_saved_text_matches_and_every_change_is_queued_for_the_file() {
        let mut drafts = Drafts::default();
        drafts.set(1, "1.1.2", "abc".into());
        drafts.settle(1, "1.1.2", "ab");
        assert_eq!(drafts.get(1, "1.1.2").map(String::as_str), Some("abc"));
        drafts.settle(1, "1.1.2", "abc");
        assert_eq!(drafts.get(1, "1.1.2"), None);
        let ops = drafts.take_ops();
        assert_eq!(ops.len(), 2);
        assert!(matches!(&ops[0], DraftOp::Put(d) if d.text == "abc"));
        assert!(matches!(&ops[1], DraftOp::Remove { requirement, .. } if requirement == "1.1.2"));
        assert!(drafts.take_ops().is_empty());
    }

    #[test]
    fn restored_drafts_are_kept_until_typed_into() {
        let mut drafts = Drafts::default();
        drafts.restore(vec![Draft {
            assessment: 2,
            requirement: "3.4".into(),
            field: NOTE.into(),
            text: "x".into(),
            updated_at: Utc::now(),
        }]);
        assert!(drafts.take_ops().is_empty(), "already in the file");
        assert!(drafts.is_kept(2, "3.4"));
        assert!(drafts.typed_at(2, "3.4").is_some());
        drafts.set(2, "3.4", "xy".into());
        assert!(!drafts.is_kept(2, "3.4"));
        drafts.discard(2, "3.4");
        assert!(!drafts.has_any(2, "3.4"));
        assert_eq!(drafts.typed_at(2, "3.4"), None);
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
