//! Every evidence reference that `tickmark evaluate --format json` prints must
//! resolve in the file it names: a JSON pointer to a value that is there
//! (after comments, a BOM or UTF-16 are read as the importers read them), a
//! `doc N /pointer` to a value inside YAML document N, a `line N` to a
//! non-empty line, a `row N` to a CSV record. An auditor follows these
//! pointers; one that leads nowhere is a wrong citation.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

/// `arm-rest-recordings/` holds test cassettes, not something a user imports
/// (the unwrapped bodies are in `arm-rest-lists/`): evaluate refuses them.
const NOT_IMPORTABLE: &[&str] = &["arm-rest-recordings"];

/// `(path, pointer)` of every evidence reference in an evaluation of `inputs`.
fn evidence_refs(inputs: &[&Path]) -> BTreeSet<(String, String)> {
    let output = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .current_dir(common::project_dir())
        .args(["--settings", "tests/fixtures/default-settings.toml"])
        .arg("evaluate")
        .args(inputs)
        .args(["--format", "json", "--schema", "1"])
        .output()
        .expect("tickmark runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "evaluate {inputs:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let mut refs = BTreeSet::new();
    for requirement in report["requirements"].as_array().expect("requirements") {
        for check in requirement["checks"].as_array().expect("checks") {
            for evidence in check["evidence"].as_array().expect("evidence") {
                let path = evidence["path"].as_str().expect("path").to_owned();
                let pointer = evidence["pointer"].as_str().expect("pointer").to_owned();
                refs.insert((path, pointer));
            }
        }
    }
    refs
}

/// A file's text as the importers read it (BOM and UTF-16 handled).
fn text_of(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (text, _) = tickmark::evidence::text::decode(&bytes)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.into_owned()
}

/// The YAML documents of `text`, as JSON trees.
fn yaml_documents(text: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|document| Value::deserialize(document).unwrap_or(Value::Null))
        .collect()
}

/// `text` as one JSON tree: JSON, JSON with comments (ARM templates), or a
/// single YAML document.
fn json_tree(text: &str) -> Option<Value> {
    let stripped = tickmark::evidence::jsonc::strip_comments(text);
    let json = stripped.as_deref().unwrap_or(text);
    if let Ok(value) = serde_json::from_str(json) {
        return Some(value);
    }
    let escaped = tickmark::evidence::jsonc::escape_control_chars_in_strings(json)?;
    serde_json::from_str(&escaped).ok()
}

/// Why `pointer` does not resolve in `text`, or `None` when it does.
fn unresolved(text: &str, pointer: &str) -> Option<String> {
    if let Some(number) = pointer.strip_prefix("line ") {
        let number: usize = number.parse().ok()?;
        let line = text.lines().nth(number.checked_sub(1)?);
        return match line {
            Some(line) if !line.trim().is_empty() => None,
            _ => Some(format!("line {number} is not a non-empty line of the file")),
        };
    }
    if let Some(number) = pointer.strip_prefix("row ") {
        let number: usize = number.parse().ok()?;
        let records = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
            .records()
            .count();
        return (number == 0 || number > records)
            .then(|| format!("the file has {records} CSV records, not {number}"));
    }
    if let Some(rest) = pointer.strip_prefix("doc ") {
        let (number, json_pointer) = rest.split_once(' ').unwrap_or((rest, ""));
        let number: usize = number.parse().ok()?;
        let documents = yaml_documents(text);
        let Some(document) = number.checked_sub(1).and_then(|i| documents.get(i)) else {
            return Some(format!("the file has {} YAML documents", documents.len()));
        };
        return document
            .pointer(json_pointer)
            .is_none()
            .then(|| format!("{json_pointer} is not in YAML document {number}"));
    }
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Some("neither a JSON pointer nor `line N` / `row N` / `doc N`".into());
    }
    let tree = json_tree(text).or_else(|| match yaml_documents(text).as_slice() {
        [single] => Some(single.clone()),
        _ => None,
    });
    let Some(tree) = tree else {
        return Some("the file is neither JSON nor a single YAML document".into());
    };
    tree.pointer(pointer)
        .is_none()
        .then(|| "no such value in the file".into())
}

/// Resolves every reference and fails listing those that do not resolve.
fn assert_all_resolve(refs: &BTreeSet<(String, String)>) {
    let mut texts: BTreeMap<&str, String> = BTreeMap::new();
    let mut failures = Vec::new();
    for (path, pointer) in refs {
        let text = texts.entry(path).or_insert_with(|| {
            let file = PathBuf::from(path);
            text_of(&if file.is_absolute() {
                file
            } else {
                common::project_dir().join(file)
            })
        });
        if let Some(why) = unresolved(text, pointer) {
            failures.push(format!("{path} `{pointer}`: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} evidence references do not resolve:\n{}",
        failures.len(),
        refs.len(),
        failures.join("\n")
    );
}

#[test]
fn every_evidence_ref_of_the_sample_resolves() {
    let refs = evidence_refs(&[Path::new("sample-data")]);
    assert!(refs.len() > 100, "only {} references", refs.len());
    assert_all_resolve(&refs);
}

#[test]
fn every_evidence_ref_of_the_real_samples_resolves() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let formats = shared.join("evidence-formats");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&formats)
        .expect("evidence-formats is readable")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !NOT_IMPORTABLE.contains(&name)
        })
        .collect();
    dirs.sort();
    assert!(dirs.len() > 10, "{dirs:?}");
    let mut total = 0;
    for dir in &dirs {
        // One evaluation per tool's directory, so each file's references are
        // those of the checks its own evidence feeds.
        let refs = evidence_refs(&[dir.as_path()]);
        total += refs.len();
        assert_all_resolve(&refs);
    }
    assert!(total > 500, "only {total} references in all the samples");
}

#[test]
fn the_resolver_refuses_what_is_not_there() {
    let json = r#"{"a": [{"b": 1}]}"#;
    assert_eq!(unresolved(json, "/a/0/b"), None);
    assert!(unresolved(json, "/a/1").is_some());
    assert!(unresolved(json, "/A/0/b").is_some(), "keys are exact");
    assert!(unresolved("x\n\ny\n", "line 2").is_some());
    assert_eq!(unresolved("x\n\ny\n", "line 3"), None);
    assert!(unresolved("h\nr\n", "row 3").is_some());
    let yaml = "a: 1\n---\nitems:\n- b: 2\n";
    assert_eq!(unresolved(yaml, "doc 2 /items/0/b"), None);
    assert!(unresolved(yaml, "doc 1 /items").is_some());
    assert!(unresolved(yaml, "spec.containers").is_some());
}
