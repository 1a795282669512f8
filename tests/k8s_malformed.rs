//! Bad Kubernetes input gets a clear error naming the file, the format tried
//! and where; never a panic, never a stack overflow.

mod common;

use chrono::{DateTime, Utc};
use tickmark::evidence::{Format, ImportError, ImportErrorKind, import_bytes};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn import_err(name: &str, bytes: &[u8]) -> ImportError {
    match import_bytes(name, bytes, now()) {
        Ok(file) => panic!("{name} imported as {}", file.provenance.format),
        Err(e) => e,
    }
}

fn fixture(relative: &str) -> Vec<u8> {
    std::fs::read(
        common::project_dir()
            .join("tests/fixtures/k8s")
            .join(relative),
    )
    .unwrap()
}

#[test]
fn a_truncated_json_list_names_line_and_column() {
    let err = import_err("pods.json", &fixture("malformed/truncated-pods.json"));
    assert_eq!(err.kind, ImportErrorKind::Malformed);
    assert_eq!(err.path, "pods.json");
    assert_eq!(err.format_tried.as_deref(), Some("kubectl JSON list"));
    let location = err.location.as_deref().unwrap();
    assert!(location.starts_with("line "), "{location}");
    assert!(location.contains("(in /items/0)"), "{location}");
    assert!(
        err.to_string()
            .starts_with("pods.json (as kubectl JSON list) at line ")
    );
}

#[test]
fn a_wrong_type_in_a_json_list_names_the_item() {
    let err = import_err("pods.json", &fixture("malformed/wrong-type-pods.json"));
    assert_eq!(err.kind, ImportErrorKind::Invalid);
    let location = err.location.as_deref().unwrap();
    assert!(location.contains("(in /items/1)"), "{location}");
    assert!(err.message.contains("\"yes\""), "{}", err.message);
}

#[test]
fn a_wrong_type_in_a_single_json_object_names_the_object() {
    let text = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"hostIPC":1}}"#;
    let err = import_err("pod.json", text.as_bytes());
    assert_eq!(err.kind, ImportErrorKind::Invalid);
    assert_eq!(err.format_tried.as_deref(), Some("kubectl JSON"));
    assert_eq!(err.location.as_deref(), Some("/"));
}

#[test]
fn tab_indented_yaml_names_line_and_column() {
    let err = import_err("pod.yaml", &fixture("malformed/tab-indented.yaml"));
    assert_eq!(err.kind, ImportErrorKind::Malformed);
    assert_eq!(err.format_tried.as_deref(), Some("kubectl YAML"));
    assert!(
        err.location
            .as_deref()
            .unwrap()
            .starts_with("line 8, column 1"),
        "{err}"
    );
    assert!(!err.message.contains("at line"), "said twice: {err}");
}

#[test]
fn truncated_yaml_is_an_error() {
    let err = import_err("pods.yaml", &fixture("malformed/truncated.yaml"));
    assert_eq!(err.kind, ImportErrorKind::Malformed);
    assert!(
        err.location.as_deref().unwrap().starts_with("line "),
        "{err}"
    );
}

#[test]
fn a_wrong_type_in_yaml_names_the_field() {
    let err = import_err("web.yaml", &fixture("malformed/wrong-type.yaml"));
    assert_eq!(err.kind, ImportErrorKind::Invalid);
    assert!(
        err.location
            .as_deref()
            .unwrap()
            .starts_with("line 13, column"),
        "{err}"
    );
    assert!(err.message.contains("runAsUser"), "{}", err.message);
}

#[test]
fn deep_json_nesting_is_an_error_in_every_position() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let cases = [
        deep.clone(),
        format!(r#"{{"apiVersion":"v1","items":{deep},"kind":"List"}}"#),
        format!(
            r#"{{"apiVersion":"v1","items":[{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p"}},"spec":{{"containers":{deep}}}}}],"kind":"List"}}"#
        ),
        format!(r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p","labels":{deep}}}}}"#),
    ];
    for (i, text) in cases.iter().enumerate() {
        let err = import_err("deep.json", text.as_bytes());
        assert!(
            matches!(
                err.kind,
                ImportErrorKind::Malformed | ImportErrorKind::Invalid
            ),
            "case {i}: {err}"
        );
    }
}

#[test]
fn deep_nesting_in_ignored_json_fields_is_skipped_without_recursion() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let text = format!(
        r#"{{"apiVersion":"v1","items":[{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p","namespace":"a"}},"spec":{{"containers":[]}},"status":{deep}}}],"kind":"List"}}"#
    );
    let file = import_bytes("deep-status.json", text.as_bytes(), now()).unwrap();
    assert_eq!(file.provenance.format, Format::KubectlPods);
}

#[test]
fn deep_yaml_nesting_is_an_error_or_a_document_never_a_crash() {
    let flow = "[".repeat(100_000) + &"]".repeat(100_000);
    let block = "- ".repeat(100_000) + "x\n";
    let cases = [
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers: {flow}\n"),
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {flow}\n"),
        format!("apiVersion: v1\nkind: List\nitems:\n{block}"),
    ];
    for (i, text) in cases.iter().enumerate() {
        let err = import_err("deep.yaml", text.as_bytes());
        assert!(
            matches!(
                err.kind,
                ImportErrorKind::Malformed | ImportErrorKind::Invalid
            ),
            "case {i}: {err}"
        );
        assert_eq!(
            err.format_tried.as_deref(),
            Some("kubectl YAML"),
            "case {i}"
        );
    }
    // Not Kubernetes at all: a deeply nested YAML stays a document.
    let plain = import_bytes(
        "deep-plain.yaml",
        format!("data: {flow}\n# apiVersion kind\n").as_bytes(),
        now(),
    );
    assert!(plain.is_ok_and(|f| f.provenance.format == Format::Attachment));
}

#[test]
fn items_of_the_wrong_shape_are_errors() {
    let cases: [&[u8]; 3] = [
        br#"{"apiVersion":"v1","items":[{"apiVersion":"v1","kind":"Pod","metadata":"p"}],"kind":"List"}"#,
        br#"{"apiVersion":"v1","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":{"name":"c"}}}],"kind":"List"}"#,
        b"apiVersion: v1\nkind: List\nitems:\n- just a string\n",
    ];
    for case in cases {
        let err = import_err("bad", case);
        assert_eq!(err.kind, ImportErrorKind::Invalid, "{err}");
    }
}
