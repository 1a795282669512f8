//! The OSCAL export validates against NIST's OSCAL 1.2.1 JSON schemas
//! (assessment results, and the embedded assessment plan) and says what the
//! review record says.

mod common;
mod export_fixture;

use std::collections::HashSet;

use export_fixture::{export, reviewed};
use serde_json::Value;
use tickmark::export::ExportFormat;
use tickmark::export::oscal::{control_id, objective_id};

/// The schema `name` from ../shared/reference/oscal, or `None` (the test
/// then says it skips).
fn schema(name: &str) -> Option<Value> {
    let path = common::shared("reference/oscal")?
        .join("reference")
        .join("oscal")
        .join(name);
    let Ok(text) = std::fs::read_to_string(&path) else {
        common::skip_notice(&format!("{} is not there", path.display()));
        return None;
    };
    Some(serde_json::from_str(&text).unwrap())
}

/// Validates `document` against `schema` (draft-07, formats checked) and
/// returns every error, with where it is.
fn errors(schema: &Value, document: &Value) -> Vec<String> {
    let validator = jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap();
    validator
        .iter_errors(document)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let mut out = Vec::new();
    for chunk in text.trim_end_matches('=').as_bytes().chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | (value(c) << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    out
}

fn by_uuid<'a>(resources: &'a [Value], uuid: &str) -> &'a Value {
    resources
        .iter()
        .find(|r| r["uuid"] == uuid)
        .unwrap_or_else(|| panic!("no resource {uuid}"))
}

fn prop<'a>(item: &'a Value, name: &str) -> Option<&'a str> {
    item["props"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
}

#[test]
fn oscal_assessment_results_validate_against_the_schema() {
    let Some(results_schema) = schema("oscal_assessment-results_schema.json") else {
        return;
    };
    let Some(plan_schema) = schema("oscal_assessment-plan_schema.json") else {
        return;
    };
    let f = reviewed();
    let path = f.out("assessment-results.json");
    export(&f, ExportFormat::Oscal, &path);
    let document: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();

    let problems = errors(&results_schema, &document);
    assert!(
        problems.is_empty(),
        "{} schema error(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    eprintln!("OSCAL assessment-results: valid against OSCAL 1.2.1 (0 schema errors)");

    // The plan it imports is embedded and valid against its own schema.
    let ar = &document["assessment-results"];
    let resources = ar["back-matter"]["resources"].as_array().unwrap();
    let href = ar["import-ap"]["href"].as_str().unwrap();
    let plan_resource = by_uuid(resources, href.trim_start_matches('#'));
    let plan: Value = serde_json::from_slice(&decode_base64(
        plan_resource["base64"]["value"].as_str().unwrap(),
    ))
    .unwrap();
    let problems = errors(&plan_schema, &plan);
    assert!(problems.is_empty(), "plan: {}", problems.join("\n"));
    eprintln!("OSCAL assessment-plan (embedded): valid against OSCAL 1.2.1 (0 schema errors)");
    assert_eq!(
        plan["assessment-plan"]["reviewed-controls"]["control-selections"][0]["include-controls"]
            .as_array()
            .unwrap()
            .len(),
        232
    );

    // An assessment with nothing in it yet (no run, no review, a name with
    // a line break) is valid too: empty lists are left out, lines joined.
    let (dir, store, assessment) = export_fixture::bare();
    let bare = dir.path().join("bare.json");
    tickmark::export::export(
        &store,
        f.catalog,
        assessment.id,
        ExportFormat::Oscal,
        &bare,
        &mut |_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    let bare: Value = serde_json::from_slice(&std::fs::read(&bare).unwrap()).unwrap();
    let problems = errors(&results_schema, &bare);
    assert!(problems.is_empty(), "bare: {}", problems.join("\n"));
    assert_eq!(
        bare["assessment-results"]["results"][0]["findings"]
            .as_array()
            .unwrap()
            .len(),
        232
    );

    // And an invalid document is caught (the validation can fail).
    let mut broken = document.clone();
    broken["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] =
        "maybe".into();
    assert!(!errors(&results_schema, &broken).is_empty());
    let mut broken = document.clone();
    broken["assessment-results"]["results"][0]["reviewed-controls"]["control-selections"][0]["include-controls"]
        [0]["control-id"] = "not a token".into();
    assert!(
        !errors(&results_schema, &broken).is_empty(),
        "token pattern"
    );
    let mut broken = document.clone();
    broken["assessment-results"]["results"][0]["findings"][0]["verdict"] = "pass".into();
    assert!(
        !errors(&results_schema, &broken).is_empty(),
        "additional property"
    );
    let mut broken = document;
    broken["assessment-results"]["metadata"]["last-modified"] = "yesterday".into();
    assert!(!errors(&results_schema, &broken).is_empty(), "date-time");
}

#[test]
fn oscal_says_what_the_record_says() {
    let f = reviewed();
    let record = f.record();
    let path = f.out("assessment-results.json");
    export(&f, ExportFormat::Oscal, &path);
    let bytes = std::fs::read(&path).unwrap();
    let document: Value = serde_json::from_slice(&bytes).unwrap();
    let ar = &document["assessment-results"];
    assert_eq!(ar["metadata"]["oscal-version"], "1.2.1");
    let result = &ar["results"][0];
    let catalog = &f.catalog.id;

    let controls: Vec<&str> =
        result["reviewed-controls"]["control-selections"][0]["include-controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["control-id"].as_str().unwrap())
            .collect();
    let expected: Vec<String> = f
        .catalog
        .requirements()
        .map(|r| control_id(catalog, &r.id))
        .collect();
    assert_eq!(controls, expected);
    assert!(controls.contains(&"pci-dss-3.2.1_1.3.7"));

    let findings = result["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 232);
    let finding = |requirement: &str| {
        let target = objective_id(catalog, requirement);
        findings
            .iter()
            .find(|f| f["target"]["target-id"] == target.as_str())
            .unwrap()
    };
    let state = |requirement: &str| {
        let status = &finding(requirement)["target"]["status"];
        (
            status["state"].as_str().unwrap().to_owned(),
            status["reason"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(state("1.1.2"), ("satisfied".into(), "pass".into()));
    assert_eq!(state("1.3.7"), ("satisfied".into(), "pass".into()));
    assert_eq!(state("9.1"), ("satisfied".into(), "pass".into()));
    assert_eq!(state("1.2.1"), ("not-satisfied".into(), "fail".into()));
    assert_eq!(state("1.1.7"), ("not-satisfied".into(), "other".into()));
    assert_eq!(state("1.1.3"), ("not-satisfied".into(), "other".into()));
    assert_eq!(state("12.1"), ("not-satisfied".into(), "other".into()));
    assert_eq!(
        finding("1.3.7")["target"]["implementation-status"]["state"],
        "alternative"
    );
    assert_eq!(prop(finding("1.3.7"), "conclusion"), Some("in_place_ccw"));
    assert_eq!(prop(finding("2.1"), "sign-off-state"), Some("stale"));

    // In Place with CCW is a risk whose deviation is approved.
    let risks = result["risks"].as_array().unwrap();
    assert_eq!(risks.len(), 1);
    assert_eq!(risks[0]["status"], "deviation-approved");
    assert_eq!(
        finding("1.3.7")["related-risks"][0]["risk-uuid"],
        risks[0]["uuid"]
    );

    // Observations: every check result and every review; each finding's
    // related observations exist.
    let observations = result["observations"].as_array().unwrap();
    let uuids: HashSet<&str> = observations
        .iter()
        .map(|o| o["uuid"].as_str().unwrap())
        .collect();
    let run = record.latest_run.as_ref().unwrap();
    let tests = observations
        .iter()
        .filter(|o| o["methods"][0] == "TEST")
        .count();
    let examined = observations
        .iter()
        .filter(|o| o["methods"][0] == "EXAMINE")
        .count();
    assert_eq!(tests, run.results.len());
    assert_eq!(examined, export_fixture::NOTES.len());
    for finding in findings {
        for related in finding["related-observations"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(uuids.contains(related["observation-uuid"].as_str().unwrap()));
        }
    }

    // Evidence: back-matter resources with the files' SHA-256; the check
    // observations point at them.
    let resources = ar["back-matter"]["resources"].as_array().unwrap();
    for file in &record.files {
        let found = resources.iter().any(|r| {
            r["rlinks"][0]["hashes"][0]["algorithm"] == "SHA-256"
                && r["rlinks"][0]["hashes"][0]["value"] == file.provenance.sha256.as_str()
                && r["rlinks"][0]["href"]
                    .as_str()
                    .unwrap()
                    .starts_with("evidence/")
        });
        assert!(found, "{} has no resource", file.provenance.path);
    }
    let resource_ids: HashSet<&str> = resources
        .iter()
        .map(|r| r["uuid"].as_str().unwrap())
        .collect();
    let mut evidence_links = 0;
    for observation in observations {
        for evidence in observation["relevant-evidence"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(href) = evidence["href"].as_str() {
                assert!(
                    resource_ids.contains(href.trim_start_matches('#')),
                    "{href}"
                );
                evidence_links += 1;
            }
        }
    }
    assert!(evidence_links > 0);
    let diagram = record
        .requirements
        .iter()
        .flat_map(|r| r.attachments.iter())
        .find(|a| a.file_name == "network-diagram.png")
        .unwrap();
    assert!(resources.iter().any(|r| {
        r["rlinks"][0]["href"] == "attachments/1.1.2/network-diagram.png"
            && r["rlinks"][0]["hashes"][0]["value"] == diagram.sha256.as_str()
    }));

    // Sign-offs and the approval: attestations by parties in their roles,
    // log entries, and the approval as a metadata action.
    let parties = ar["metadata"]["parties"].as_array().unwrap();
    let party = |name: &str| {
        parties.iter().find(|p| p["name"] == name).unwrap()["uuid"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (ana, lee, rey) = (
        party("Ana Auditor"),
        party("Lee Lead"),
        party("Rey Reviewer"),
    );
    let attestations = result["attestations"].as_array().unwrap();
    assert_eq!(attestations.len(), 4 + 1 + 1);
    let signed = attestations
        .iter()
        .filter(|a| a["parts"][0]["name"] == "sign-off")
        .collect::<Vec<_>>();
    assert_eq!(signed.len(), 5);
    for a in &signed {
        assert_eq!(a["responsible-parties"][0]["role-id"], "auditor");
        let (level, by) = match prop(&a["parts"][0], "requirement") {
            Some("1.3.7") if prop(&a["parts"][0], "sign-off-level") == Some("reviewer") => {
                ("reviewer", rey.as_str())
            }
            _ => ("preparer", ana.as_str()),
        };
        assert_eq!(prop(&a["parts"][0], "sign-off-level"), Some(level));
        assert_eq!(a["responsible-parties"][0]["party-uuids"][0], by);
    }
    assert_eq!(
        signed
            .iter()
            .filter(|a| prop(&a["parts"][0], "sign-off-level") == Some("reviewer"))
            .count(),
        1
    );
    let stale = signed
        .iter()
        .find(|a| prop(&a["parts"][0], "requirement") == Some("2.1"))
        .unwrap();
    assert_eq!(prop(&stale["parts"][0], "stale"), Some("true"));
    let approval = attestations
        .iter()
        .find(|a| a["parts"][0]["name"] == "approval")
        .unwrap();
    assert_eq!(
        approval["responsible-parties"][0]["role-id"],
        "security-lead"
    );
    assert_eq!(
        approval["responsible-parties"][0]["party-uuids"][0],
        lee.as_str()
    );
    assert_eq!(ar["metadata"]["actions"][0]["type"], "approval");
    let log = result["assessment-log"]["entries"].as_array().unwrap();
    assert_eq!(log.len(), record.runs.len() + 5 + 1);
    assert_eq!(
        prop(&ar["metadata"], "record-chain-head-sha256"),
        record.chain_head.as_ref().map(|h| h.hash.as_str())
    );

    // Deterministic: the same record gives the same document.
    let again = f.out("again.json");
    export(&f, ExportFormat::Oscal, &again);
    assert_eq!(std::fs::read(&again).unwrap(), bytes);
}

#[test]
fn a_satisfied_finding_says_when_it_overrules_failing_checks() {
    let mut f = reviewed();
    let id = f.assessment.id;
    let record = f.record();
    let failing = record
        .requirements
        .iter()
        .find(|r| r.verdict == Some(tickmark::checks::VerdictStatus::Fail) && r.review.is_none())
        .unwrap()
        .requirement
        .clone();
    f.store
        .set_review(
            &f.auditor,
            id,
            f.catalog,
            &failing,
            &tickmark::store::ReviewInput::defined(
                Some(tickmark::store::Finding::InPlace),
                "The flagged rule is covered by the firewall in front of it.",
            ),
        )
        .unwrap();
    let path = f.out("assessment-results.json");
    export(&f, ExportFormat::Oscal, &path);
    let document: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let target = objective_id(&f.catalog.id, &failing);
    let status = |requirement_target: &str| {
        document["assessment-results"]["results"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["target"]["target-id"] == requirement_target)
            .unwrap()["target"]["status"]
            .clone()
    };
    let overruled = status(&target);
    assert_eq!(overruled["state"], "satisfied");
    let remarks = overruled["remarks"].as_str().unwrap_or_default();
    assert!(
        remarks.contains("overrules the automated verdict Fail"),
        "{overruled}"
    );
    // A satisfied finding whose checks agree carries no such remark.
    let agreeing = status(&objective_id(&f.catalog.id, "2.1"));
    assert_eq!(agreeing["state"], "satisfied");
    assert!(agreeing.get("remarks").is_none(), "{agreeing}");
}
