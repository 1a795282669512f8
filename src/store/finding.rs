//! Findings the way a PCI DSS v4.x Report on Compliance states them: the
//! finding (In Place, Not Applicable, Not Tested, Not in Place) and,
//! separately, the method by which the requirement is met (the defined
//! approach, a compensating control with its Appendix C worksheet, or the
//! customized approach with its Appendix E documentation).
//!
//! The rules both the app and the command line meet live here and in
//! [`Store::set_review`](super::Store::set_review) /
//! [`Store::sign_off`](super::Store::sign_off):
//!
//! * a compensating control and the customized approach are never used
//!   together for one requirement, and a worksheet only goes with its method;
//! * Not Applicable and Not Tested are not combined with either (a
//!   requirement that does not apply, or was not tested, is not met by
//!   another control);
//! * before a sign-off: Not Applicable and Not in Place need a written reason
//!   (the note), and so does In Place while an automated check of the
//!   requirement fails; a compensating control needs every worksheet field,
//!   the customized approach every field of its documentation.
//!
//! Records written before v4 spelled the conclusion as one value;
//! `in_place_ccw` (In Place with a compensating control) reads as In Place
//! with the compensating-control method, and the other values as the same
//! finding with the defined approach.

use serde::{Deserialize, Serialize};

use super::error::StoreError;

/// The assessor's finding on a requirement (ROC "assessment finding").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// In Place: the requirement is met.
    InPlace,
    /// Not Applicable: the requirement does not apply to the environment.
    NotApplicable,
    /// Not Tested: the requirement was left out of the assessment.
    NotTested,
    /// Not in Place: the requirement is not met.
    NotInPlace,
}

impl Finding {
    /// Every finding, in reporting order.
    pub const ALL: &'static [Finding] = &[
        Finding::InPlace,
        Finding::NotApplicable,
        Finding::NotTested,
        Finding::NotInPlace,
    ];

    /// The stable ID: `in_place`, `not_applicable`, `not_tested` or
    /// `not_in_place`.
    pub fn id(self) -> &'static str {
        match self {
            Finding::InPlace => "in_place",
            Finding::NotApplicable => "not_applicable",
            Finding::NotTested => "not_tested",
            Finding::NotInPlace => "not_in_place",
        }
    }

    /// The ROC term.
    pub fn label(self) -> &'static str {
        match self {
            Finding::InPlace => "In Place",
            Finding::NotApplicable => "Not Applicable",
            Finding::NotTested => "Not Tested",
            Finding::NotInPlace => "Not in Place",
        }
    }

    /// The ID as typed on the command line: `in-place`, `not-applicable`...
    pub fn cli_id(self) -> String {
        self.id().replace('_', "-")
    }

    /// Looks a finding up by its ID (underscores or hyphens).
    pub fn from_id(id: &str) -> Option<Finding> {
        let id = id.trim().replace('-', "_");
        Finding::ALL.iter().copied().find(|f| f.id() == id)
    }

    /// Whether this finding must say why before it can be signed off.
    pub fn needs_reason(self) -> bool {
        matches!(self, Finding::NotApplicable | Finding::NotInPlace)
    }

    /// Whether a compensating control or the customized approach can go
    /// with this finding: only where the requirement was assessed and
    /// applies (In Place, Not in Place).
    pub fn allows_other_methods(self) -> bool {
        matches!(self, Finding::InPlace | Finding::NotInPlace)
    }
}

/// How the requirement is met (ROC "reporting approach").
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The defined approach: the requirement as written.
    #[default]
    Defined,
    /// A compensating control (Appendix B/C), documented in a worksheet.
    Compensating,
    /// The customized approach (PCI DSS v4.x only; Appendices D/E).
    Customized,
}

impl Method {
    /// Every method, in reporting order.
    pub const ALL: &'static [Method] = &[Method::Defined, Method::Compensating, Method::Customized];

    /// The stable ID: `defined`, `compensating` or `customized`.
    pub fn id(self) -> &'static str {
        match self {
            Method::Defined => "defined",
            Method::Compensating => "compensating",
            Method::Customized => "customized",
        }
    }

    /// The ROC term.
    pub fn label(self) -> &'static str {
        match self {
            Method::Defined => "Defined approach",
            Method::Compensating => "Compensating control",
            Method::Customized => "Customized approach",
        }
    }

    /// Looks a method up by its ID.
    pub fn from_id(id: &str) -> Option<Method> {
        let id = id.trim();
        Method::ALL.iter().copied().find(|m| m.id() == id)
    }

    /// True for the defined approach.
    pub fn is_defined(&self) -> bool {
        *self == Method::Defined
    }
}

/// The finding and the method together: what a sign-off covers and what
/// the tree, the compare view and the exports show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Conclusion {
    /// The finding.
    pub finding: Finding,
    /// The method.
    pub method: Method,
}

impl Conclusion {
    /// A finding by the defined approach.
    pub const fn defined(finding: Finding) -> Conclusion {
        Conclusion {
            finding,
            method: Method::Defined,
        }
    }

    /// The conclusion as one value, as the review record spells it in a
    /// sign-off: `in_place`, `in_place_ccw` (compensating control),
    /// `in_place_customized`, `not_applicable`, `not_in_place_ccw`...
    /// These are the values records written before v4 used.
    pub fn code(self) -> String {
        let suffix = match self.method {
            Method::Defined => "",
            Method::Compensating => "_ccw",
            Method::Customized => "_customized",
        };
        format!("{}{suffix}", self.finding.id())
    }

    /// Reads [`Self::code`] back (including the values of 3.2.1 records).
    pub fn from_code(code: &str) -> Option<Conclusion> {
        let (finding, method) = if let Some(f) = code.strip_suffix("_ccw") {
            (f, Method::Compensating)
        } else if let Some(f) = code.strip_suffix("_customized") {
            (f, Method::Customized)
        } else {
            (code, Method::Defined)
        };
        let finding = Finding::ALL.iter().copied().find(|f| f.id() == finding)?;
        Some(Conclusion { finding, method })
    }

    /// `In Place`, or `In Place · compensating control`.
    pub fn label(self) -> String {
        match self.method {
            Method::Defined => self.finding.label().to_owned(),
            other => format!(
                "{} · {}",
                self.finding.label(),
                other.label().to_lowercase()
            ),
        }
    }

    /// A short form for narrow places: `In Place`, `In Place (CCW)`,
    /// `In Place (CA)`.
    pub fn short_label(self) -> String {
        match self.method {
            Method::Defined => self.finding.label().to_owned(),
            Method::Compensating => format!("{} (CCW)", self.finding.label()),
            Method::Customized => format!("{} (CA)", self.finding.label()),
        }
    }
}

/// The compensating controls worksheet (PCI DSS Appendix C): why the
/// requirement cannot be met as written and how other controls meet its
/// intent instead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompensatingControl {
    /// The legitimate technical or business constraints that prevent
    /// meeting the requirement as written.
    #[serde(default)]
    pub constraints: String,
    /// The objective of the original control, and the objective the
    /// compensating control meets.
    #[serde(default)]
    pub objective: String,
    /// Any additional risk from not having the original control.
    #[serde(default)]
    pub identified_risk: String,
    /// The compensating controls, and how they address the objective and
    /// the risk.
    #[serde(default)]
    pub definition: String,
    /// How the compensating controls were validated and tested.
    #[serde(default)]
    pub validation: String,
    /// The processes and controls that keep the compensating controls in
    /// place.
    #[serde(default)]
    pub maintenance: String,
}

impl CompensatingControl {
    /// The fields: key, label and text, in worksheet order.
    pub fn fields(&self) -> [(&'static str, &'static str, &str); 6] {
        [
            ("constraints", "Constraints", &self.constraints),
            ("objective", "Objective", &self.objective),
            ("identified_risk", "Identified risk", &self.identified_risk),
            (
                "definition",
                "Definition of compensating controls",
                &self.definition,
            ),
            (
                "validation",
                "Validation of compensating controls",
                &self.validation,
            ),
            ("maintenance", "Maintenance", &self.maintenance),
        ]
    }

    /// The field with `key` (see [`Self::fields`]), to edit.
    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "constraints" => &mut self.constraints,
            "objective" => &mut self.objective,
            "identified_risk" => &mut self.identified_risk,
            "definition" => &mut self.definition,
            "validation" => &mut self.validation,
            "maintenance" => &mut self.maintenance,
            _ => return None,
        })
    }

    /// What each field asks, in a line, for hints and the command line.
    pub fn prompt(key: &str) -> &'static str {
        match key {
            "constraints" => {
                "What legitimate technical or business constraint prevents meeting the requirement as written?"
            }
            "objective" => {
                "What is the original control for, and what objective does the compensating control meet?"
            }
            "identified_risk" => "What further risk arises from not having the original control?",
            "definition" => {
                "Which controls compensate, and how do they meet the objective and address that risk?"
            }
            "validation" => "How were the compensating controls validated and tested?",
            "maintenance" => "What keeps the compensating controls in place over time?",
            _ => "",
        }
    }
}

/// The customized approach's documentation (PCI DSS v4.x Appendices D and
/// E): the objective the entity's own control meets, its targeted risk
/// analysis, the control, and how the assessor tested it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomizedApproach {
    /// The requirement's customized approach objective that the control
    /// meets.
    #[serde(default)]
    pub objective: String,
    /// The entity's targeted risk analysis for the control.
    #[serde(default)]
    pub risk_analysis: String,
    /// The controls (the controls matrix): what they are and how they meet
    /// the objective.
    #[serde(default)]
    pub controls: String,
    /// How the assessor tested the controls, and what the tests showed.
    #[serde(default)]
    pub testing: String,
}

impl CustomizedApproach {
    /// The fields: key, label and text, in order.
    pub fn fields(&self) -> [(&'static str, &'static str, &str); 4] {
        [
            ("objective", "Control objective", &self.objective),
            (
                "risk_analysis",
                "Targeted risk analysis",
                &self.risk_analysis,
            ),
            ("controls", "Controls", &self.controls),
            ("testing", "How the controls were tested", &self.testing),
        ]
    }

    /// The field with `key` (see [`Self::fields`]), to edit.
    pub fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "objective" => &mut self.objective,
            "risk_analysis" => &mut self.risk_analysis,
            "controls" => &mut self.controls,
            "testing" => &mut self.testing,
            _ => return None,
        })
    }

    /// What each field asks, in a line.
    pub fn prompt(key: &str) -> &'static str {
        match key {
            "objective" => {
                "Which customized approach objective of the requirement does the control meet?"
            }
            "risk_analysis" => {
                "The targeted risk analysis: what could go wrong, how likely, and why the control is enough"
            }
            "controls" => "What the controls are and how each meets the objective",
            "testing" => "How the controls were tested, and what the tests showed",
            _ => "",
        }
    }
}

/// What a reviewer records about a requirement: the finding (if decided),
/// the method with its worksheet, and the note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewInput {
    /// The finding, if one is decided.
    pub finding: Option<Finding>,
    /// The method.
    pub method: Method,
    /// The compensating controls worksheet (with [`Method::Compensating`]).
    pub compensating: Option<CompensatingControl>,
    /// The customized approach's documentation (with [`Method::Customized`]).
    pub customized: Option<CustomizedApproach>,
    /// The note (Markdown): what was examined and found; the reason where a
    /// finding needs one.
    pub note: String,
}

/// The fields of a worksheet (the compensating controls worksheet or the
/// customized approach's documentation) as (label, text); empty without
/// one.
pub fn worksheet_fields<'a>(
    compensating: Option<&'a CompensatingControl>,
    customized: Option<&'a CustomizedApproach>,
) -> Vec<(&'static str, &'a str)> {
    match (compensating, customized) {
        (Some(w), _) => w.fields().iter().map(|f| (f.1, f.2)).collect(),
        (None, Some(w)) => w.fields().iter().map(|f| (f.1, f.2)).collect(),
        (None, None) => Vec::new(),
    }
}

impl ReviewInput {
    /// A finding by the defined approach with a note.
    pub fn defined(finding: Option<Finding>, note: &str) -> ReviewInput {
        ReviewInput {
            finding,
            note: note.to_owned(),
            ..ReviewInput::default()
        }
    }

    /// The conclusion, if a finding is decided.
    pub fn conclusion(&self) -> Option<Conclusion> {
        self.finding.map(|finding| Conclusion {
            finding,
            method: self.method,
        })
    }

    /// Checks that the parts go together (see the module documentation):
    /// the rules a review must meet to be recorded at all.
    /// `customized_allowed` is false for a framework without the customized
    /// approach (PCI DSS 3.2.1).
    pub fn check(&self, customized_allowed: bool) -> Result<(), StoreError> {
        if self.compensating.is_some() && self.customized.is_some() {
            return Err(StoreError::Rule(
                "a compensating control and the customized approach cannot be used together for one requirement; choose one"
                    .into(),
            ));
        }
        if self.compensating.is_some() && self.method != Method::Compensating {
            return Err(StoreError::Rule(format!(
                "a compensating controls worksheet goes with the compensating-control method, not the {}",
                self.method.label().to_lowercase()
            )));
        }
        if self.customized.is_some() && self.method != Method::Customized {
            return Err(StoreError::Rule(format!(
                "customized-approach documentation goes with the customized approach, not the {}",
                self.method.label().to_lowercase()
            )));
        }
        if self.method == Method::Customized && !customized_allowed {
            return Err(StoreError::Rule(
                "the customized approach exists only in PCI DSS v4.x; this assessment's framework has the defined approach and compensating controls"
                    .into(),
            ));
        }
        if let Some(finding) = self.finding
            && !self.method.is_defined()
            && !finding.allows_other_methods()
        {
            return Err(StoreError::Rule(format!(
                "a requirement that is {} is not met by a {}; choose the defined approach",
                finding.label(),
                self.method.label().to_lowercase()
            )));
        }
        Ok(())
    }
}

/// The statement a sign-off carries unless the reviewer writes another (the
/// app and the command line use the same words).
pub fn default_statement(requirement: &str) -> String {
    format!(
        "I examined the evidence, checks and attachments of {requirement} and agree with the finding."
    )
}

/// The statement a reviewer signs unless they write their own.
pub fn default_review_statement(requirement: &str) -> String {
    format!(
        "I reviewed the preparer's work on {requirement}: its evidence, checks, attachments and finding, and agree with it."
    )
}

/// What is missing before a requirement with this review can be signed off,
/// in sentences (empty when nothing is). `failing_checks` are the IDs of the
/// requirement's automated checks that fail in the latest run.
pub fn sign_off_gaps(review: &ReviewInput, failing_checks: &[String]) -> Vec<String> {
    let mut gaps = Vec::new();
    let Some(finding) = review.finding else {
        gaps.push("record a finding first".to_owned());
        return gaps;
    };
    let has_reason = !review.note.trim().is_empty();
    if finding.needs_reason() && !has_reason {
        gaps.push(format!(
            "{} needs a written reason: say why in the note",
            finding.label()
        ));
    }
    if finding == Finding::InPlace && !failing_checks.is_empty() && !has_reason {
        gaps.push(format!(
            "In Place over failing automated checks ({}) needs a written reason: say in the note why the requirement is met",
            failing_checks.join(", ")
        ));
    }
    match review.method {
        Method::Defined => {}
        Method::Compensating => {
            let worksheet = review.compensating.clone().unwrap_or_default();
            let empty = empty_fields(&worksheet.fields());
            if !empty.is_empty() {
                gaps.push(format!(
                    "the compensating controls worksheet is incomplete: {}",
                    empty.join(", ")
                ));
            }
        }
        Method::Customized => {
            let documentation = review.customized.clone().unwrap_or_default();
            let empty = empty_fields(&documentation.fields());
            if !empty.is_empty() {
                gaps.push(format!(
                    "the customized approach documentation is incomplete: {}",
                    empty.join(", ")
                ));
            }
        }
    }
    gaps
}

fn empty_fields(fields: &[(&'static str, &'static str, &str)]) -> Vec<String> {
    fields
        .iter()
        .filter(|(_, _, text)| text.trim().is_empty())
        .map(|(_, label, _)| label.to_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_the_values_of_earlier_records() {
        for (code, finding, method) in [
            ("in_place", Finding::InPlace, Method::Defined),
            ("in_place_ccw", Finding::InPlace, Method::Compensating),
            ("in_place_customized", Finding::InPlace, Method::Customized),
            ("not_applicable", Finding::NotApplicable, Method::Defined),
            ("not_tested", Finding::NotTested, Method::Defined),
            ("not_in_place", Finding::NotInPlace, Method::Defined),
            (
                "not_in_place_ccw",
                Finding::NotInPlace,
                Method::Compensating,
            ),
        ] {
            let conclusion = Conclusion { finding, method };
            assert_eq!(conclusion.code(), code);
            assert_eq!(Conclusion::from_code(code), Some(conclusion));
        }
        assert_eq!(Conclusion::from_code("in_place_with_ccw"), None);
        assert_eq!(
            Conclusion::from_code("in_place_ccw").unwrap().label(),
            "In Place · compensating control"
        );
    }

    #[test]
    fn findings_read_with_hyphens_or_underscores() {
        assert_eq!(Finding::from_id("not-in-place"), Some(Finding::NotInPlace));
        assert_eq!(Finding::from_id("in_place"), Some(Finding::InPlace));
        assert_eq!(Finding::from_id("in place"), None);
        assert_eq!(Finding::NotApplicable.cli_id(), "not-applicable");
    }

    #[test]
    fn compensating_and_customized_together_are_refused() {
        let both = ReviewInput {
            finding: Some(Finding::InPlace),
            method: Method::Compensating,
            compensating: Some(CompensatingControl::default()),
            customized: Some(CustomizedApproach::default()),
            note: String::new(),
        };
        let err = both.check(true).unwrap_err().to_string();
        assert!(err.contains("cannot be used together"), "{err}");
        let mismatched = ReviewInput {
            method: Method::Customized,
            compensating: Some(CompensatingControl::default()),
            ..ReviewInput::default()
        };
        assert!(mismatched.check(true).is_err());
        let customized = ReviewInput {
            method: Method::Customized,
            ..ReviewInput::default()
        };
        assert!(customized.check(true).is_ok());
        let err = customized.check(false).unwrap_err().to_string();
        assert!(err.contains("only in PCI DSS v4"), "{err}");
        let not_applicable = ReviewInput {
            finding: Some(Finding::NotApplicable),
            method: Method::Compensating,
            ..ReviewInput::default()
        };
        assert!(not_applicable.check(true).is_err());
    }

    #[test]
    fn a_sign_off_needs_reasons_and_complete_worksheets() {
        let gaps = |input: &ReviewInput, failing: &[&str]| {
            let failing: Vec<String> = failing.iter().map(|s| s.to_string()).collect();
            sign_off_gaps(input, &failing)
        };
        assert_eq!(gaps(&ReviewInput::default(), &[]).len(), 1);
        for finding in [Finding::NotApplicable, Finding::NotInPlace] {
            let bare = ReviewInput::defined(Some(finding), "  ");
            assert_eq!(gaps(&bare, &[]).len(), 1, "{finding:?}");
            assert!(gaps(&ReviewInput::defined(Some(finding), "Because."), &[]).is_empty());
        }
        assert!(gaps(&ReviewInput::defined(Some(Finding::NotTested), ""), &[]).is_empty());
        let in_place = ReviewInput::defined(Some(Finding::InPlace), "");
        assert!(gaps(&in_place, &[]).is_empty());
        let over_failing = gaps(&in_place, &["aks.private-cluster"]);
        assert_eq!(over_failing.len(), 1);
        assert!(over_failing[0].contains("aks.private-cluster"));
        let mut ccw = ReviewInput {
            finding: Some(Finding::InPlace),
            method: Method::Compensating,
            compensating: Some(CompensatingControl {
                constraints: "Legacy appliance".into(),
                ..CompensatingControl::default()
            }),
            ..ReviewInput::default()
        };
        let missing = gaps(&ccw, &[]);
        assert_eq!(missing.len(), 1);
        assert!(
            missing[0].contains("objective, identified risk"),
            "{missing:?}"
        );
        let worksheet = ccw.compensating.as_mut().unwrap();
        for key in [
            "objective",
            "identified_risk",
            "definition",
            "validation",
            "maintenance",
        ] {
            *worksheet.field_mut(key).unwrap() = format!("{key} text");
        }
        assert!(gaps(&ccw, &[]).is_empty());
        let customized = ReviewInput {
            finding: Some(Finding::InPlace),
            method: Method::Customized,
            ..ReviewInput::default()
        };
        assert!(gaps(&customized, &[])[0].contains("control objective"));
    }
}
