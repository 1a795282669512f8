//! The curated table of Defender for Cloud recommendations mapped to PCI DSS
//! 3.2.1 and 4.0.1 requirements (`assets/defender-recommendations.toml`,
//! embedded).
//! The importer uses it to list unmapped recommendations in its notes; the
//! `scan.defender` check uses it to attach assessments to requirements.

use std::sync::OnceLock;

use serde::Deserialize;

use super::findings::{DefenderAssessment, PciVersion, Severity, is_requirement_id};

const TABLE: &str = include_str!("../../../assets/defender-recommendations.toml");

/// One mapped recommendation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappedRecommendation {
    /// The assessment key (GUID).
    pub key: String,
    /// Microsoft's display name.
    pub name: String,
    /// Microsoft's published severity, used when a file states none.
    pub severity: String,
    /// PCI DSS 3.2.1 requirement IDs.
    pub requirements: Vec<String>,
    /// PCI DSS 4.0.1 requirement IDs.
    #[serde(default)]
    pub requirements_v4: Vec<String>,
    /// Why, in Tickmark's words.
    pub why: String,
}

impl MappedRecommendation {
    /// Every requirement the entry maps to, with the numbering it is in.
    pub fn pci_requirements(&self) -> impl Iterator<Item = (PciVersion, &str)> {
        self.requirements
            .iter()
            .map(|id| (PciVersion::V3_2_1, id.as_str()))
            .chain(
                self.requirements_v4
                    .iter()
                    .map(|id| (PciVersion::V4, id.as_str())),
            )
    }

    /// The published severity.
    pub fn published_severity(&self) -> Severity {
        Severity::parse(&self.severity).unwrap_or(Severity::Unknown)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    recommendation: Vec<MappedRecommendation>,
}

/// The table, parsed once; an error if the embedded file is broken (a unit
/// test keeps it valid).
pub fn table() -> Result<&'static [MappedRecommendation], &'static str> {
    static PARSED: OnceLock<Result<Vec<MappedRecommendation>, String>> = OnceLock::new();
    PARSED
        .get_or_init(|| parse(TABLE))
        .as_ref()
        .map(Vec::as_slice)
        .map_err(String::as_str)
}

fn parse(text: &str) -> Result<Vec<MappedRecommendation>, String> {
    let file: TableFile = toml::from_str(text)
        .map_err(|e| format!("the Defender recommendation table is invalid: {e}"))?;
    for entry in &file.recommendation {
        let bad_id = entry
            .pci_requirements()
            .map(|(_, id)| id)
            .find(|id| !is_requirement_id(id));
        if let Some(id) = bad_id {
            return Err(format!(
                "the Defender recommendation table maps {} to `{id}`, which is not a requirement ID",
                entry.key
            ));
        }
        if Severity::parse(&entry.severity).is_none() {
            return Err(format!(
                "the Defender recommendation table gives {} the severity `{}`",
                entry.key, entry.severity
            ));
        }
    }
    Ok(file.recommendation)
}

/// The table entry for an assessment: by key, else by display name.
pub fn lookup<'t>(
    table: &'t [MappedRecommendation],
    assessment: &DefenderAssessment,
) -> Option<&'t MappedRecommendation> {
    let by_key = assessment
        .key
        .as_deref()
        .and_then(|key| table.iter().find(|e| e.key.eq_ignore_ascii_case(key)));
    by_key.or_else(|| {
        table
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(assessment.name.trim()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_is_valid_and_keys_are_unique() {
        let table = table().unwrap();
        assert!(table.len() > 30);
        let mut keys: Vec<String> = table.iter().map(|e| e.key.to_ascii_lowercase()).collect();
        keys.sort();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len());
        assert!(table.iter().all(|e| !e.requirements.is_empty()
            && !e.requirements_v4.is_empty()
            && !e.why.is_empty()));
    }

    #[test]
    fn broken_tables_are_reported() {
        let bad = "[[recommendation]]\nkey = \"k\"\nname = \"n\"\nseverity = \"High\"\nrequirements = [\"1.2.x\"]\nwhy = \"w\"\n";
        assert!(parse(bad).unwrap_err().contains("1.2.x"));
        let bad_v4 = bad.replace("[\"1.2.x\"]", "[\"1.2\"]\nrequirements_v4 = [\"A9.1\"]");
        assert!(parse(&bad_v4).unwrap_err().contains("A9.1"));
        assert!(parse("nonsense = 1").is_err());
    }
}
