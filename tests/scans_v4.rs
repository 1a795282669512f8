//! Scanner mappings for PCI DSS v4 (issue 11, item 6): Azure Policy states
//! of the `PCI DSS v4` and `PCI DSS v4.0.1` initiatives feed the 4.0.1
//! catalog and those of the 3.2.1 initiative the 3.2.1 one; Prowler's
//! compliance output names the requirement in its section text, never in
//! its sub-rule `Requirements_Id`; Prowler's findings output, whose PCI-4.0
//! entries are sub-rules, feeds nothing and says why. Fixtures are written
//! here in the tools' shapes.

mod common;
mod scans_support;

use std::collections::BTreeMap;

use scans_support::{evaluate_fixtures, import};
use tickmark::catalog::{PCI_DSS_321_ID, PCI_DSS_401_ID, builtin, pci_dss_321};
use tickmark::checks::CheckStatus::{Fail, NotEvaluated, Pass};
use tickmark::checks::{CheckResult, VerdictStatus, other_framework, unplaced, verdicts};
use tickmark::evidence::Format;

/// What the results of a per-requirement check name, in the order given
/// (3.2.1 first, then document order).
fn order<'a>(results: &'a [CheckResult], check: &str) -> Vec<(&'a str, &'a str)> {
    results
        .iter()
        .filter(|r| r.check == check)
        .filter_map(CheckResult::named_requirement)
        .collect()
}

/// The results of a per-requirement check by (catalog, requirement).
fn named<'a>(
    results: &'a [CheckResult],
    check: &str,
) -> BTreeMap<(String, String), &'a CheckResult> {
    let mut map = BTreeMap::new();
    for result in results.iter().filter(|r| r.check == check) {
        let (framework, id) = result.named_requirement().expect("names a requirement");
        let key = (framework.to_owned(), id.to_owned());
        assert!(
            map.insert(key, result).is_none(),
            "one result per requirement"
        );
    }
    map
}

fn key(framework: &str, id: &str) -> (String, String) {
    (framework.to_owned(), id.to_owned())
}

fn verdict(catalog_id: &str, results: &[CheckResult], id: &str) -> VerdictStatus {
    let catalog = builtin(catalog_id).unwrap();
    verdicts(catalog, results)
        .into_iter()
        .find(|v| v.requirement == id)
        .unwrap()
        .status
}

#[test]
fn policy_groups_feed_the_catalog_of_their_initiative() {
    let file = import("policy-states-v4.json");
    assert_eq!(file.provenance.format, Format::AzurePolicyStates);
    assert!(
        file.provenance.notes[0].contains(
            "PCI DSS 3.2.1 groups name 1 requirement(s), PCI DSS v4.0/v4.0.1 groups name 7"
        ),
        "{:?}",
        file.provenance.notes
    );
    let results = evaluate_fixtures(&["policy-states-v4.json"]);
    let by = named(&results, "scan.azure-policy");
    assert_eq!(
        order(&results, "scan.azure-policy"),
        [
            ("pci-dss-3.2.1", "10.5.4"),
            ("pci-dss-4.0.1", "1.2.5"),
            ("pci-dss-4.0.1", "1.4.4"),
            ("pci-dss-4.0.1", "2.2.4"),
            ("pci-dss-4.0.1", "10.2.1.2"),
            ("pci-dss-4.0.1", "10.4.2.1"),
            ("pci-dss-4.0.1", "11.3.1.2"),
            ("pci-dss-4.0.1", "A3.2.5.1"),
        ]
    );
    // One NonCompliant state fails every requirement its groups name.
    assert_eq!(by[&key(PCI_DSS_401_ID, "1.2.5")].status, Fail);
    assert_eq!(by[&key(PCI_DSS_401_ID, "11.3.1.2")].status, Fail);
    // The v4.0 initiative's groups (same numbering) read as 4.0.1.
    assert_eq!(by[&key(PCI_DSS_401_ID, "10.2.1.2")].status, Pass);
    assert_eq!(by[&key(PCI_DSS_401_ID, "A3.2.5.1")].status, NotEvaluated);
    assert_eq!(by[&key(PCI_DSS_321_ID, "10.5.4")].status, Fail);

    // Each feeds only its own catalog's verdicts: 10.5.4's failure is a
    // 3.2.1 matter, and the 4.0.1 failures are not 3.2.1's.
    assert_eq!(
        verdict(PCI_DSS_401_ID, &results, "1.2.5"),
        VerdictStatus::Fail
    );
    assert_eq!(
        verdict(PCI_DSS_321_ID, &results, "10.5.4"),
        VerdictStatus::Fail
    );
    assert_ne!(
        verdict(PCI_DSS_401_ID, &results, "10.5.1"),
        VerdictStatus::Fail
    );
    // A Compliant state alone only supports a requirement.
    assert_eq!(
        verdict(PCI_DSS_401_ID, &results, "10.2.1.2"),
        VerdictStatus::Supported
    );
    let v4 = builtin(PCI_DSS_401_ID).unwrap();
    assert!(unplaced(v4, &results).is_empty());
    assert_eq!(other_framework(v4, &results).len(), 1);
    assert_eq!(other_framework(pci_dss_321(), &results).len(), 7);
}

#[test]
fn prowler_compliance_csv_names_the_section_not_the_sub_rule() {
    let file = import("prowler-compliance-pci40-azure.csv");
    assert_eq!(file.provenance.format, Format::ProwlerComplianceCsv);
    let notes = file.provenance.notes.join(" | ");
    assert!(notes.contains("6 compliance row(s)"), "{notes}");
    assert!(
        notes.contains("1 row(s) of entries without checks"),
        "{notes}"
    );
    assert!(
        notes.contains("1 row(s) name no PCI DSS requirement"),
        "{notes}"
    );

    let results = evaluate_fixtures(&["prowler-compliance-pci40-azure.csv"]);
    let by = named(&results, "scan.prowler");
    let ids: Vec<&str> = order(&results, "scan.prowler")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    // Sub-rules 10.4.1.1 and 10.4.1.2 are rules under 10.4.1: they never
    // become requirement 10.4.1.1.
    assert_eq!(ids, ["1.2.5", "7.2.1", "10.4.1", "A1.1.2"]);
    assert!(by.keys().all(|(framework, _)| framework == PCI_DSS_401_ID));
    let nsg = by[&key(PCI_DSS_401_ID, "1.2.5")];
    assert_eq!(nsg.status, Fail);
    assert!(
        nsg.reason
            .contains("network_ssh_internet_access_restricted on"),
        "{}",
        nsg.reason
    );
    assert_eq!(nsg.evidence[0].pointer, "row 2");
    let logs = by[&key(PCI_DSS_401_ID, "10.4.1")];
    assert_eq!(logs.status, Pass, "the muted FAIL is not counted");
    assert!(logs.reason.contains("1 muted FAIL"), "{}", logs.reason);
    assert_eq!(by[&key(PCI_DSS_401_ID, "A1.1.2")].status, Pass);

    assert_eq!(
        verdict(PCI_DSS_401_ID, &results, "1.2.5"),
        VerdictStatus::Fail
    );
    // No result names 10.4.1.1, so its verdict is untouched by Prowler.
    let v4 = builtin(PCI_DSS_401_ID).unwrap();
    let of_10_4_1_1 = verdicts(v4, &results)
        .into_iter()
        .find(|v| v.requirement == "10.4.1.1")
        .unwrap();
    assert!(of_10_4_1_1.checks.iter().all(|c| c.check != "scan.prowler"));
}

#[test]
fn prowler_compliance_ocsf_names_the_section_too() {
    let file = import("prowler-compliance-pci40-kubernetes.ocsf.json");
    assert_eq!(file.provenance.format, Format::ProwlerComplianceOcsf);
    assert_eq!(file.provenance.tool_version.as_deref(), Some("5.14.0"));
    let results = evaluate_fixtures(&["prowler-compliance-pci40-kubernetes.ocsf.json"]);
    let by = named(&results, "scan.prowler");
    let ids: Vec<&str> = order(&results, "scan.prowler")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(ids, ["2.2.7", "7.2.2"]);
    assert_eq!(by[&key(PCI_DSS_401_ID, "2.2.7")].status, Fail);
    // The suppressed FAIL does not count; the PASS does.
    assert_eq!(by[&key(PCI_DSS_401_ID, "7.2.2")].status, Pass);
    assert!(by[&key(PCI_DSS_401_ID, "7.2.2")].reason.contains("muted"));
    assert_eq!(by[&key(PCI_DSS_401_ID, "2.2.7")].evidence[0].pointer, "/0");
}

#[test]
fn prowler_findings_with_only_v4_sub_rules_feed_nothing_and_say_so() {
    let file = import("prowler-azure-pci40-findings.csv");
    assert_eq!(file.provenance.format, Format::ProwlerCsv);
    let notes = file.provenance.notes.join(" | ");
    assert!(notes.contains("sub-rule IDs"), "{notes}");
    assert!(notes.contains("--compliance pci_4.0_azure"), "{notes}");
    let results = evaluate_fixtures(&["prowler-azure-pci40-findings.csv"]);
    assert!(results.iter().all(|r| r.check != "scan.prowler"));
}

#[test]
fn shared_prowler_samples_map_no_v4_requirement_from_sub_rules() {
    // The real Prowler outputs in ../shared carry PCI-4.0 sub-rule IDs in
    // their findings' compliance maps; none may become a requirement.
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("evidence-formats/prowler");
    for name in [
        "azure-prowler5-findings.csv",
        "azure-prowler540-findings.ocsf.json",
        "kubernetes-prowler5-findings.csv",
        "kubernetes-prowler5-findings.ocsf.json",
    ] {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).unwrap();
        let file = tickmark::evidence::import_bytes(name, &bytes, scans_support::now())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut set = tickmark::evidence::EvidenceSet::default();
        set.add(file);
        let results = tickmark::checks::evaluate(&set, &Default::default());
        assert!(
            results
                .iter()
                .filter_map(CheckResult::named_requirement)
                .all(|(framework, _)| framework == PCI_DSS_321_ID),
            "{name}"
        );
    }
}

#[test]
fn broken_compliance_outputs_are_refused_with_their_place() {
    let csv =
        String::from_utf8(scans_support::fixture("prowler-compliance-pci40-azure.csv")).unwrap();
    let broken = csv.replacen(";network_ssh_internet_access_restricted;", ";;", 1);
    let error = scans_support::import_error("compliance.csv", broken.as_bytes());
    let message = error.to_string();
    assert!(
        message.contains("compliance.csv")
            && message.contains("row 2")
            && message.contains("CHECKID"),
        "{message}"
    );

    let json = String::from_utf8(scans_support::fixture(
        "prowler-compliance-pci40-kubernetes.ocsf.json",
    ))
    .unwrap();
    let mut events: serde_json::Value = serde_json::from_str(&json).unwrap();
    events[1]["compliance"]["requirements"] = serde_json::json!([]);
    let error = scans_support::import_error("compliance.ocsf.json", events.to_string().as_bytes());
    let message = error.to_string();
    assert!(message.contains("/1/compliance"), "{message}");
    events[1]["compliance"]["requirements"] = serde_json::json!([7221]);
    let error = scans_support::import_error("compliance.ocsf.json", events.to_string().as_bytes());
    assert!(
        error.to_string().contains("/1/compliance/requirements/0"),
        "{error}"
    );
}

#[test]
fn defender_recommendations_feed_both_catalogs() {
    let results = evaluate_fixtures(&["defender-assessments-rest.json"]);
    let by = named(&results, "scan.defender");
    // The Azure Policy add-on recommendation is Unhealthy with high
    // severity: 3.2.1's 2.2 and 4.0.1's 2.2.1 fail alike.
    assert_eq!(by[&key(PCI_DSS_321_ID, "2.2")].status, Fail);
    assert_eq!(by[&key(PCI_DSS_401_ID, "2.2.1")].status, Fail);
    assert_eq!(
        verdict(PCI_DSS_401_ID, &results, "2.2.1"),
        VerdictStatus::Fail
    );
    // HTTPS-only access: 3.2.1's 4.1 is 4.0.1's 4.2.1.
    assert_eq!(by[&key(PCI_DSS_401_ID, "4.2.1")].status, Pass);
    let v4 = builtin(PCI_DSS_401_ID).unwrap();
    assert!(unplaced(v4, &results).is_empty());
    assert!(unplaced(pci_dss_321(), &results).is_empty());
}

#[test]
fn the_defender_table_names_requirements_both_catalogs_assess() {
    let table = tickmark::evidence::scans::defender_map::table().unwrap();
    let v4 = builtin(PCI_DSS_401_ID).unwrap();
    for entry in table {
        for (version, id) in entry.pci_requirements() {
            let catalog = match version {
                tickmark::evidence::scans::PciVersion::V3_2_1 => pci_dss_321(),
                tickmark::evidence::scans::PciVersion::V4 => v4,
            };
            assert!(
                catalog.get(id).is_some_and(|n| n.is_assessed()),
                "{}: {id} is not assessed in {}",
                entry.name,
                catalog.name
            );
        }
    }
}
