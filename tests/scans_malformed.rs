//! Bad scanner input gets an error naming the file, the format tried and
//! where (JSON pointer, `line N`, `row N`); valid JSON of no known format
//! falls through to "not recognised"; nothing panics.

mod scans_support;

use scans_support::{fixture, import_error, now};
use serde_json::{Value, json};
use tickmark::evidence::{Format, ImportErrorKind, import_bytes};

fn mutate(name: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(&fixture(name)).unwrap();
    edit(&mut value);
    serde_json::to_vec_pretty(&value).unwrap()
}

fn assert_invalid(name: &str, bytes: &[u8], format: &str, location: &str, mentions: &str) {
    let err = import_error(name, bytes);
    assert_eq!(err.kind, ImportErrorKind::Invalid, "{err}");
    assert_eq!(err.format_tried.as_deref(), Some(format), "{err}");
    assert_eq!(err.location.as_deref(), Some(location), "{err}");
    assert!(err.message.contains(mentions), "{err}");
    assert!(err.to_string().starts_with(name), "{err}");
}

#[test]
fn truncated_trivy_is_a_syntax_error_with_line_and_column() {
    let bytes = fixture("trivy-image-fixable-high.json");
    let err = import_error("cut.json", &bytes[..bytes.len() / 2]);
    assert_eq!(err.kind, ImportErrorKind::Malformed);
    assert!(err.location.as_deref().unwrap().starts_with("line "));
    assert!(err.to_string().starts_with("cut.json"));
    // The position is said once, in the location, not again in the message.
    assert!(!err.message.contains(" at line "), "{err}");
}

#[test]
fn trivy_wrong_types_and_missing_members() {
    let bytes = mutate("trivy-image-fixable-high.json", |v| {
        v["Results"] = json!("none")
    });
    assert_invalid("t.json", &bytes, "Trivy JSON", "/Results", "an array");
    let bytes = mutate("trivy-image-fixable-high.json", |v| {
        v["Results"][0]["Vulnerabilities"][1]
            .as_object_mut()
            .unwrap()
            .remove("Severity");
    });
    assert_invalid(
        "t.json",
        &bytes,
        "Trivy JSON",
        "/Results/0/Vulnerabilities/1",
        "`Severity`",
    );
    let bytes = mutate("trivy-k8s-resources.json", |v| {
        v["Resources"][0]["Results"][0] = json!(7)
    });
    assert_invalid(
        "k.json",
        &bytes,
        "Trivy JSON",
        "/Resources/0/Results/0",
        "object",
    );
    let bytes = mutate("trivy-image-legacy.json", |v| {
        v[0]["Vulnerabilities"][0]["PkgName"] = json!(null)
    });
    assert_invalid(
        "l.json",
        &bytes,
        "Trivy JSON",
        "/0/Vulnerabilities/0",
        "`PkgName`",
    );
}

#[test]
fn trivy_operator_without_results() {
    let bytes = mutate("trivy-operator-cis-detail.json", |v| {
        v.as_object_mut().unwrap().remove("status");
    });
    assert_invalid(
        "c.json",
        &bytes,
        "trivy-operator ClusterComplianceReport",
        "/",
        "status",
    );
    let bytes = mutate("trivy-operator-cis-detail.json", |v| {
        v["status"]["detailReport"]["results"][1]["checks"][0]["success"] = json!("perhaps");
    });
    assert_invalid(
        "c.json",
        &bytes,
        "trivy-operator ClusterComplianceReport",
        "/status/detailReport/results/1/checks/0/success",
        "true or false",
    );
}

#[test]
fn kube_bench_and_kubescape_bad_members() {
    let bytes = mutate("kube-bench-controls-fail.json", |v| {
        v["Controls"][0]["tests"][1]["results"][0]["scored"] = json!("yes");
    });
    assert_invalid(
        "kb.json",
        &bytes,
        "kube-bench JSON",
        "/Controls/0/tests/1/results/0/scored",
        "true or false",
    );
    let bytes = mutate("kube-bench-array-pass.json", |v| {
        v[0]["tests"][0]["results"][1]
            .as_object_mut()
            .unwrap()
            .remove("test_number");
    });
    assert_invalid(
        "kb.json",
        &bytes,
        "kube-bench JSON",
        "/0/tests/0/results/1",
        "`test_number`",
    );

    let bytes = mutate("kubescape-v3-high-failed.json", |v| {
        let control = v["summaryDetails"]["controls"]["C-0013"]
            .as_object_mut()
            .unwrap();
        control.remove("status");
        control.remove("statusInfo");
    });
    assert_invalid(
        "ks.json",
        &bytes,
        "Kubescape JSON",
        "/summaryDetails/controls/C-0013",
        "status",
    );
    let bytes = mutate("kubescape-v3-high-failed.json", |v| {
        v["summaryDetails"]["controls"]["C-0057"]["severity"] = json!("Severe");
    });
    assert_invalid(
        "ks.json",
        &bytes,
        "Kubescape JSON",
        "/summaryDetails/controls/C-0057/severity",
        "Severe",
    );
}

#[test]
fn policy_states_and_defender_bad_members() {
    let bytes = mutate("policy-states-cli.json", |v| {
        v[1].as_object_mut().unwrap().remove("complianceState");
    });
    assert_invalid(
        "p.json",
        &bytes,
        "Azure Policy states",
        "/1",
        "`complianceState`",
    );
    let bytes = mutate("policy-states-rest.json", |v| {
        v["value"][0]["policyDefinitionGroupNames"] = json!([1, 2]);
    });
    assert_invalid(
        "p.json",
        &bytes,
        "Azure Policy states",
        "/value/0/policyDefinitionGroupNames/0",
        "a string",
    );

    let bytes = mutate("defender-assessments-rest.json", |v| {
        v["value"][2]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("status");
    });
    assert_invalid(
        "d.json",
        &bytes,
        "Defender for Cloud assessment",
        "/value/2/properties",
        "`status`",
    );
}

#[test]
fn csv_exports_name_the_row() {
    let text = String::from_utf8(fixture("defender-recommendations.csv")).unwrap();
    let short_row = text.replacen("\"Medium\",\"Unhealthy\",", "\"Medium\",", 1);
    let err = import_error("r.csv", short_row.as_bytes());
    assert_eq!(err.kind, ImportErrorKind::Malformed);
    assert_eq!(err.location.as_deref(), Some("row 2"));
    assert_eq!(
        err.format_tried.as_deref(),
        Some("Defender for Cloud recommendations CSV")
    );
    let bad_severity = text.replacen("\"Medium\",\"Unhealthy\"", "\"Urgent\",\"Unhealthy\"", 1);
    let err = import_error("r.csv", bad_severity.as_bytes());
    assert_eq!(err.kind, ImportErrorKind::Invalid);
    assert_eq!(err.location.as_deref(), Some("row 2"));

    let prowler = String::from_utf8(fixture("prowler-azure-pci321.csv")).unwrap();
    let no_severity = prowler.replacen(";SEVERITY;", ";LEVEL;", 1);
    let err = import_error("p.csv", no_severity.as_bytes());
    assert_eq!(err.location.as_deref(), Some("row 1"));
    assert!(err.message.contains("SEVERITY"));
    let mut lines: Vec<&str> = prowler.lines().collect();
    lines[3] = "Service Principal;2026-10-02;only three";
    let err = import_error("p.csv", lines.join("\n").as_bytes());
    assert_eq!(err.kind, ImportErrorKind::Malformed);
    assert_eq!(err.location.as_deref(), Some("row 4"));
    assert_eq!(err.format_tried.as_deref(), Some("Prowler CSV"));
}

#[test]
fn sarif_checkov_kics_prowler_bad_members() {
    let bytes = mutate("sarif-kics-error.sarif", |v| v["version"] = json!("2.0.0"));
    assert_invalid("s.sarif", &bytes, "SARIF 2.1.0", "/version", "2.0.0");
    let bytes = mutate("sarif-kics-error.sarif", |v| {
        let result = v["runs"][0]["results"][1].as_object_mut().unwrap();
        result.remove("ruleId");
        result.remove("ruleIndex");
    });
    assert_invalid(
        "s.sarif",
        &bytes,
        "SARIF 2.1.0",
        "/runs/0/results/1",
        "rule",
    );
    let bytes = mutate("sarif-kics-error.sarif", |v| {
        v["runs"][0]["results"][0]["level"] = json!("fatal")
    });
    assert_invalid(
        "s.sarif",
        &bytes,
        "SARIF 2.1.0",
        "/runs/0/results/0/level",
        "fatal",
    );

    let bytes = mutate("checkov-kubernetes-unrated.json", |v| {
        v["results"]["failed_checks"][0]
            .as_object_mut()
            .unwrap()
            .remove("check_id");
    });
    assert_invalid(
        "c.json",
        &bytes,
        "Checkov JSON",
        "/results/failed_checks/0",
        "`check_id`",
    );

    let bytes = mutate("kics-high.json", |v| v["queries"][1]["severity"] = json!(3));
    assert_invalid(
        "k.json",
        &bytes,
        "KICS JSON",
        "/queries/1/severity",
        "a string",
    );

    let bytes = mutate("prowler-azure-pci321.ocsf.json", |v| {
        v[2].as_object_mut().unwrap().remove("status_code");
    });
    assert_invalid("p.json", &bytes, "Prowler OCSF JSON", "/2", "`status_code`");
}

#[test]
fn falco_lines_name_the_line() {
    let text = String::from_utf8(fixture("falco-critical.jsonl")).unwrap();
    let truncated = &text[..text.len() - 40];
    let err = import_error("f.jsonl", truncated.as_bytes());
    assert_eq!(err.kind, ImportErrorKind::Malformed);
    assert_eq!(err.format_tried.as_deref(), Some("Falco JSON lines"));
    assert!(
        err.location
            .as_deref()
            .unwrap()
            .starts_with("line 2, column"),
        "{err}"
    );

    let bad_priority = text.replacen("\"priority\":\"Warning\"", "\"priority\":\"Loud\"", 1);
    let err = import_error("f.jsonl", bad_priority.as_bytes());
    assert_eq!(err.kind, ImportErrorKind::Invalid);
    assert_eq!(err.location.as_deref(), Some("line 2"));
    assert!(err.message.contains("Loud"));
}

#[test]
fn valid_json_of_no_scanner_format_falls_through() {
    for text in [
        r#"{"runs": "not a list"}"#,
        r#"{"Controls": [{"name": "something else"}]}"#,
        r#"[{"Target": "x"}]"#,
        r#"{"summary": {"passed": 1}}"#,
        r#"[{"rule": "r", "priority": "Critical"}]"#,
        r#"{"value": [{"complianceState": "Compliant"}]}"#,
        r#"{"queries": []}"#,
    ] {
        let err = import_error("u.json", text.as_bytes());
        assert_eq!(err.kind, ImportErrorKind::NotRecognised, "{text}: {err}");
    }
}

#[test]
fn a_single_falco_alert_object_is_read() {
    let line = String::from_utf8(fixture("falco-critical.jsonl")).unwrap();
    let first = line.lines().next().unwrap();
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(first).unwrap()).unwrap();
    let file = import_bytes("one.json", pretty.as_bytes(), now()).unwrap();
    assert_eq!(file.provenance.format, Format::Falco);
    assert_eq!(file.evidence.scans.falco_alerts.len(), 1);
}

/// Every prefix of every fixture, and every JSON value replaced by values
/// of other types, gives a result or an error, never a panic.
#[test]
fn no_input_panics() {
    let dir = scans_support::fixture_path("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let bytes = fixture(name);
        let step = (bytes.len() / 40).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let _ = import_bytes(name, &bytes[..cut], now());
        }
        let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
            continue;
        };
        let mut pointers = Vec::new();
        collect_pointers(&value, String::new(), &mut pointers);
        for pointer in pointers.iter().take(400) {
            for replacement in [json!(null), json!(7), json!("x"), json!([]), json!({})] {
                let mut changed = value.clone();
                if let Some(slot) = changed.pointer_mut(pointer) {
                    *slot = replacement;
                }
                let _ = import_bytes(name, &serde_json::to_vec(&changed).unwrap(), now());
            }
        }
    }
}

fn collect_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    if !at.is_empty() {
        out.push(at.clone());
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                collect_pointers(child, format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}
