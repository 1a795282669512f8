//! Bicep files: recognised by content; compiled with a `bicep` (or `az`)
//! found on `PATH` and evaluated through the ARM template it prints, both
//! files' hashes recorded; without a compiler, `evaluate` exits 2 and names
//! the command to run. The compiler here is a stand-in script that prints a
//! fixture template (no real compiler is run or downloaded).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tickmark::evidence::sha256_hex;

fn bicep_file() -> PathBuf {
    common::project_dir().join("tests/fixtures/bicep/aks.bicep")
}

fn compiled_fixture() -> PathBuf {
    common::project_dir().join("tests/fixtures/azure/aks-bicep-build.json")
}

/// A folder holding a stand-in `bicep` that prints `prints` for `build
/// --stdout FILE`, a version for `--version`, and fails with `error` if set.
fn stand_in(prints: &Path, error: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bicep");
    let build = match error {
        Some(message) => format!("echo '{message}' >&2\n  exit 1"),
        // Shell built-ins only: PATH holds nothing but this folder.
        None => format!(
            "while IFS= read -r line || [ -n \"$line\" ]; do printf '%s\\n' \"$line\"; done < '{}'\n  exit 0",
            prints.display()
        ),
    };
    let text = format!(
        "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then\n  echo 'Bicep CLI version 0.31.92 (stand-in)'\n  exit 0\nfi\nif [ \"$1\" = build ] && [ \"$2\" = --stdout ] && [ -f \"$3\" ]; then\n  {build}\nfi\necho 'unexpected arguments' >&2\nexit 3\n"
    );
    std::fs::write(&script, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

/// Runs tickmark with `PATH` set to `path` only.
fn tickmark(path: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .current_dir(common::project_dir())
        .env("PATH", path)
        .args(["--settings", "tests/fixtures/default-settings.toml"])
        .args(args)
        .output()
        .expect("tickmark runs")
}

fn evaluate(path: &Path) -> (Option<i32>, Value, String) {
    let file = bicep_file();
    let output = tickmark(
        path,
        &["evaluate", file.to_str().unwrap(), "--format", "json"],
    );
    (
        output.status.code(),
        serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn check_status<'a>(json: &'a Value, id: &str) -> &'a str {
    json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["checks"].as_array().unwrap())
        .find(|c| c["id"] == id)
        .and_then(|c| c["status"].as_str())
        .unwrap_or_else(|| panic!("{id}: not in the output"))
}

#[test]
fn without_a_compiler_the_import_names_the_command_and_exits_2() {
    let empty = tempfile::tempdir().unwrap();
    let (code, json, stderr) = evaluate(empty.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("no Bicep compiler (bicep, or az with Bicep) is on PATH")
            && stderr.contains("compile it with `bicep build --stdout")
            && stderr.contains("aks.bicep > ")
            && stderr.contains("aks.bicep.json`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[Bicep]") || stderr.contains("Bicep"),
        "{stderr}"
    );
    // Nothing was read from it: every AKS check has no evidence.
    assert_eq!(check_status(&json, "aks.private-cluster"), "not_evaluated");
}

#[test]
fn with_a_compiler_on_path_the_compiled_template_is_evaluated() {
    let compiler = stand_in(&compiled_fixture(), None);
    let (code, json, stderr) = evaluate(compiler.path());
    assert_eq!(code, Some(0), "{stderr}");
    let inputs = json["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    let source_sha = sha256_hex(&std::fs::read(bicep_file()).unwrap());
    let compiled_sha = sha256_hex(&std::fs::read(compiled_fixture()).unwrap());
    assert_eq!(inputs[0]["format"], "bicep");
    assert_eq!(inputs[0]["sha256"], source_sha.as_str());
    assert!(
        inputs[0]["notes"][0]
            .as_str()
            .unwrap()
            .contains(&format!("aks.bicep.json (SHA-256 {compiled_sha})")),
        "{}",
        inputs[0]
    );
    assert_eq!(inputs[1]["format"], "arm-template");
    assert_eq!(inputs[1]["sha256"], compiled_sha.as_str());
    assert_eq!(inputs[1]["tool"], "Bicep CLI");
    assert_eq!(
        inputs[1]["tool_version"],
        "Bicep CLI version 0.31.92 (stand-in)"
    );
    assert!(
        inputs[1]["notes"][0].as_str().unwrap().contains(&format!(
            "(SHA-256 {source_sha}) with `bicep build --stdout"
        )),
        "{}",
        inputs[1]
    );
    for id in [
        "aks.private-cluster",
        "aks.encryption-at-host",
        "aks.auto-upgrade",
    ] {
        assert_eq!(check_status(&json, id), "pass", "{id}");
    }
}

#[test]
fn a_compiler_that_fails_is_reported_with_its_words() {
    let compiler = stand_in(
        &compiled_fixture(),
        Some("Error BCP018: Expected the \"}\" character"),
    );
    let (code, _, stderr) = evaluate(compiler.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("a Bicep file that did not compile")
            && stderr.contains("Error BCP018")
            && stderr.contains("bicep build --stdout"),
        "{stderr}"
    );
}

#[test]
fn an_import_records_both_files_and_the_record_evaluates_without_a_compiler() {
    let compiler = stand_in(&compiled_fixture(), None);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite3");
    let file = bicep_file();
    let output = tickmark(
        compiler.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "import",
            "--assessment",
            "Bicep",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let store = tickmark::store::Store::open(&db).unwrap();
    let assessment = store.assessment("Bicep").unwrap().unwrap();
    let files = store.current_evidence_files(assessment.id).unwrap();
    let formats: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            (
                f.provenance.format.id().to_owned(),
                f.provenance.sha256.clone(),
            )
        })
        .collect();
    assert_eq!(
        formats,
        vec![
            (
                "bicep".to_owned(),
                sha256_hex(&std::fs::read(&file).unwrap())
            ),
            (
                "arm-template".to_owned(),
                sha256_hex(&std::fs::read(compiled_fixture()).unwrap())
            ),
        ]
    );
    // Read back from the record, with no compiler anywhere.
    let stored = store.evidence_set(assessment.id).unwrap();
    assert!(stored.problems.is_empty(), "{:?}", stored.problems);
    assert_eq!(stored.set.evidence.azure.clusters.len(), 1);
}

#[test]
fn a_bicep_file_an_earlier_release_kept_as_an_attachment_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = tickmark::store::Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let actor = tickmark::store::Actor::os_user_only();
    let assessment = store
        .create_assessment(
            &actor,
            &tickmark::store::NewAssessment {
                name: "Old".into(),
                cluster: "aks".into(),
                period_start: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                period_end: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                catalog_id: tickmark::catalog::pci_dss_321().id.clone(),
            },
        )
        .unwrap();
    let bytes = std::fs::read(bicep_file()).unwrap();
    // What the previous release recorded: a text document, not evaluated.
    let file = tickmark::evidence::ImportedFile {
        provenance: tickmark::evidence::Provenance {
            path: "infra/aks.bicep".into(),
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64,
            format: tickmark::evidence::Format::Attachment,
            tool: None,
            tool_version: None,
            imported_at: chrono::Utc::now(),
            notes: vec!["text document; kept as an attachment, not evaluated".into()],
            custody: None,
            modified_at: None,
        },
        evidence: Default::default(),
        problems: Vec::new(),
    };
    store
        .import_evidence(&actor, assessment.id, &file, &bytes)
        .unwrap();
    let stored = store.evidence_set(assessment.id).unwrap();
    assert!(stored.problems.is_empty(), "{:?}", stored.problems);
    assert_eq!(stored.set.files.len(), 1);
}
