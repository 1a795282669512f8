//! `tickmark evaluate` on the bundled sample assessment, against each
//! built-in catalog, compared with reviewed expected outputs: any change in
//! a verdict, a reason or an evidence pointer shows up in review. To accept
//! a deliberate change, run `TICKMARK_BLESS=1 cargo test --test
//! evaluate_sample` and review the diff of `tests/expected/sample-evaluate*.json`.
//! Those files are schema 1 of the document (`--schema 1`); schema 2, the
//! default, is checked against it: the same results and verdicts, each
//! result once.

mod common;

use std::process::{Command, Output};

use serde_json::Value;

/// The sample judged against PCI DSS 3.2.1 (`--catalog pci-dss-3.2.1`).
const EXPECTED_321: &str = "tests/expected/sample-evaluate.json";
/// The sample judged against PCI DSS 4.0.1, the default catalog.
const EXPECTED_401: &str = "tests/expected/sample-evaluate-4.0.1.json";

fn evaluate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .current_dir(common::project_dir())
        // Defaults only: a settings file in the user's config dir must not
        // change the result.
        .args([
            "--settings",
            "tests/fixtures/default-settings.toml",
            "evaluate",
            "sample-data",
        ])
        .args(args)
        .output()
        .expect("tickmark runs")
}

/// Runs `evaluate` with `args` and compares its JSON with `expected`
/// (rewritten first under `TICKMARK_BLESS`); returns the output.
fn matches_reviewed_output(args: &[&str], expected: &str, requirements: usize) -> Value {
    let output = evaluate(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let actual: Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let path = common::project_dir().join(expected);
    if std::env::var_os("TICKMARK_BLESS").is_some() {
        let text = serde_json::to_string_pretty(&actual).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    let reviewed: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("expected file")).unwrap();
    let actual_requirements = actual["requirements"].as_array().unwrap();
    let expected_requirements = reviewed["requirements"].as_array().unwrap();
    assert_eq!(
        actual_requirements.len(),
        requirements,
        "every assessed requirement of the catalog appears"
    );
    for (a, e) in actual_requirements.iter().zip(expected_requirements) {
        assert_eq!(a, e, "requirement {} differs from {expected}", e["id"]);
    }
    assert_eq!(actual, reviewed, "inputs or summary differ from {expected}");
    actual
}

#[test]
fn sample_evaluation_against_321_matches_the_reviewed_output() {
    let report = matches_reviewed_output(
        &[
            "--catalog",
            "pci-dss-3.2.1",
            "--format",
            "json",
            "--schema",
            "1",
        ],
        EXPECTED_321,
        232,
    );
    assert_eq!(report["catalog"], "pci-dss-3.2.1");
}

#[test]
fn sample_evaluation_against_401_matches_the_reviewed_output() {
    // No --catalog: 4.0.1 is the default.
    let report = matches_reviewed_output(&["--format", "json", "--schema", "1"], EXPECTED_401, 280);
    assert_eq!(report["catalog"], "pci-dss-4.0.1");
    let ids: Vec<&str> = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    // Appendix requirements are assessed too, marked with their entities.
    let a1 = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "A1.1.1")
        .unwrap();
    assert!(a1["applies_to"].is_string());
    assert!(ids.contains(&"A3.5.1") && ids.contains(&"12.10.7"));
}

#[test]
fn every_verdict_kind_occurs_and_fail_on_fail_exits_1() {
    for catalog in ["pci-dss-3.2.1", "pci-dss-4.0.1"] {
        let output = evaluate(&[
            "--catalog",
            catalog,
            "--format",
            "json",
            "--schema",
            "1",
            "--fail-on",
            "fail",
        ]);
        assert_eq!(output.status.code(), Some(1));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        // `partial` does not occur in the sample; the rule's unit tests
        // cover it.
        for kind in ["pass", "fail", "supported", "manual", "no_evidence"] {
            assert!(
                report["summary"][kind].as_u64().unwrap() > 0,
                "{catalog}: no requirement is {kind}"
            );
        }
        // A supported requirement has no fully-testing check that passed.
        for requirement in report["requirements"].as_array().unwrap() {
            if requirement["status"] == "supported" {
                assert!(
                    requirement["checks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|c| c["mapping"] == "supports" || c["status"] != "pass"),
                    "{catalog} {}",
                    requirement["id"]
                );
            }
        }
    }
}

#[test]
fn the_table_names_failing_checks() {
    let output = evaluate(&["--catalog", "pci-dss-3.2.1"]);
    assert_eq!(output.status.code(), Some(0));
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(
        table.starts_with("PCI DSS 3.2.1 (pci-dss-3.2.1)"),
        "{table}"
    );
    assert!(table.contains("10.7       fail"), "{table}");
    assert!(table.contains("logs.retention"), "{table}");
    assert!(table.contains("232 requirements:"), "{table}");
    assert!(table.contains("supported: "), "{table}");
    let output = evaluate(&[]);
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(table.contains("10.5.1     fail"), "{table}");
    assert!(table.contains("280 requirements:"), "{table}");
    // The sample's Azure Policy states are of the 3.2.1 initiative: the
    // 4.0.1 evaluation says they feed none of its verdicts.
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("scan.azure-policy result(s) name PCI DSS 3.2.1 requirements"),
        "{stderr}"
    );
}

#[test]
fn the_settings_fixture_is_the_defaults() {
    let text =
        std::fs::read_to_string(common::project_dir().join("tests/fixtures/default-settings.toml"))
            .unwrap();
    assert_eq!(
        tickmark::checks::Settings::from_toml(&text).unwrap(),
        tickmark::checks::Settings::default()
    );
}

/// The resources of a schema-2 result's groups (`not_passing` or
/// `passing`), in order, as (status, reason, resource, pointers).
fn grouped(result: &Value, key: &str) -> Vec<(String, String, String, Vec<String>)> {
    let mut out = Vec::new();
    for group in result["resources"][key].as_array().into_iter().flatten() {
        for resource in group["resources"].as_array().unwrap() {
            out.push((
                group["status"].as_str().unwrap().to_owned(),
                group["reason"].as_str().unwrap().to_owned(),
                resource["resource"].as_str().unwrap().to_owned(),
                pointers(&resource["evidence"]),
            ));
        }
    }
    out
}

fn pointers(evidence: &Value) -> Vec<String> {
    evidence
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap().to_owned())
        .collect()
}

/// The same in a schema-1 check's `resources`, those of `passing` or not.
fn listed(check: &Value, passing: bool) -> Vec<(String, String, String, Vec<String>)> {
    let mut out: Vec<_> = Vec::new();
    for resource in check["resources"].as_array().into_iter().flatten() {
        if (resource["status"] == "pass") != passing {
            continue;
        }
        out.push((
            resource["status"].as_str().unwrap().to_owned(),
            resource["reason"].as_str().unwrap().to_owned(),
            resource["resource"].as_str().unwrap().to_owned(),
            pointers(&resource["evidence"]),
        ));
    }
    // Schema 2 groups by outcome and reason (groups in first-seen order).
    let mut order: Vec<(String, String)> = Vec::new();
    for (status, reason, _, _) in &out {
        if !order.contains(&(status.clone(), reason.clone())) {
            order.push((status.clone(), reason.clone()));
        }
    }
    out.sort_by_key(|(status, reason, _, _)| {
        order
            .iter()
            .position(|k| k.0 == *status && k.1 == *reason)
            .unwrap()
    });
    out
}

#[test]
fn schema_2_lists_each_result_once_with_the_same_verdicts_as_schema_1() {
    for catalog in ["pci-dss-3.2.1", "pci-dss-4.0.1"] {
        let json = |extra: &[&str]| -> (Value, usize) {
            let mut args = vec!["--catalog", catalog, "--format", "json"];
            args.extend(extra);
            let output = evaluate(&args);
            assert_eq!(output.status.code(), Some(0));
            (
                serde_json::from_slice(&output.stdout).unwrap(),
                output.stdout.len(),
            )
        };
        let (v1, v1_bytes) = json(&["--schema", "1"]);
        let (v2, v2_bytes) = json(&[]);
        let (all, _) = json(&["--detail", "all"]);
        assert_eq!(v2["schema"], 2);
        assert_eq!(v2["detail"], "findings");
        assert_eq!(all["detail"], "all");
        assert_eq!(v2["summary"], v1["summary"], "{catalog}");
        assert_eq!(v2["inputs"], v1["inputs"], "{catalog}");
        assert!(v2_bytes < v1_bytes, "{catalog}: {v2_bytes} >= {v1_bytes}");
        let results = v2["results"].as_array().unwrap();
        let requirements = v2["requirements"].as_array().unwrap();
        assert_eq!(
            requirements.len(),
            v1["requirements"].as_array().unwrap().len()
        );
        let mut with_resources = 0;
        for (r2, r1) in requirements
            .iter()
            .zip(v1["requirements"].as_array().unwrap())
        {
            assert_eq!((&r2["id"], &r2["status"]), (&r1["id"], &r1["status"]));
            let refs = r2["checks"].as_array().unwrap();
            let checks = r1["checks"].as_array().unwrap();
            assert_eq!(refs.len(), checks.len(), "{}", r1["id"]);
            for (reference, check) in refs.iter().zip(checks) {
                let index = reference["result"].as_u64().unwrap() as usize;
                let result = &results[index];
                assert_eq!(reference["check"], check["id"]);
                assert_eq!(reference["mapping"], check["mapping"]);
                assert_eq!(reference["status"], check["status"]);
                assert_eq!(
                    (&result["check"], &result["status"]),
                    (&check["id"], &check["status"])
                );
                assert_eq!(result["reason"], check["reason"]);
                let Some(resources) = check["resources"].as_array() else {
                    assert!(result.get("resources").is_none());
                    continue;
                };
                with_resources += 1;
                let count = |s: &str| resources.iter().filter(|r| r["status"] == s).count() as u64;
                assert_eq!(result["resources"]["pass"], count("pass"));
                assert_eq!(result["resources"]["fail"], count("fail"));
                assert_eq!(result["resources"]["not_evaluated"], count("not_evaluated"));
                assert_eq!(grouped(result, "not_passing"), listed(check, false));
                assert!(result["resources"].get("passing").is_none(), "counted only");
                assert_eq!(
                    grouped(&all["results"][index], "passing"),
                    listed(check, true)
                );
            }
        }
        assert!(
            with_resources > 0,
            "{catalog}: the sample has checks with resources"
        );
    }
}
