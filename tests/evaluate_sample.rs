//! `tickmark evaluate` on the bundled sample assessment, compared with a
//! reviewed expected output: any change in a verdict, a reason or an evidence
//! pointer shows up in review. To accept a deliberate change, run
//! `TICKMARK_BLESS=1 cargo test --test evaluate_sample` and review the diff of
//! `tests/expected/sample-evaluate.json`.

mod common;

use std::process::{Command, Output};

use serde_json::Value;

const EXPECTED: &str = "tests/expected/sample-evaluate.json";

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

#[test]
fn sample_evaluation_matches_the_reviewed_output() {
    let output = evaluate(&["--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let actual: Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let path = common::project_dir().join(EXPECTED);
    if std::env::var_os("TICKMARK_BLESS").is_some() {
        let text = serde_json::to_string_pretty(&actual).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("expected file")).unwrap();
    let actual_requirements = actual["requirements"].as_array().unwrap();
    let expected_requirements = expected["requirements"].as_array().unwrap();
    assert_eq!(
        actual_requirements.len(),
        232,
        "every catalog requirement appears"
    );
    for (a, e) in actual_requirements.iter().zip(expected_requirements) {
        assert_eq!(a, e, "requirement {} differs from {EXPECTED}", e["id"]);
    }
    assert_eq!(actual, expected, "inputs or summary differ from {EXPECTED}");
}

#[test]
fn every_verdict_kind_occurs_and_fail_on_fail_exits_1() {
    let output = evaluate(&["--format", "json", "--fail-on", "fail"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    for kind in ["pass", "fail", "partial", "manual", "no_evidence"] {
        assert!(
            report["summary"][kind].as_u64().unwrap() > 0,
            "no requirement is {kind}"
        );
    }
}

#[test]
fn the_table_names_failing_checks() {
    let output = evaluate(&[]);
    assert_eq!(output.status.code(), Some(0));
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(table.contains("10.7       fail"), "{table}");
    assert!(table.contains("logs.retention"), "{table}");
    assert!(table.contains("232 requirements:"), "{table}");
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
