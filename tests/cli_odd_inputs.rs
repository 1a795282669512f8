//! `tickmark evaluate` and `tickmark import` on inputs that are not what a
//! user meant to give: an empty folder, binary files, a 0-byte file, a
//! symbolic link loop, a dangling link, a FIFO, names with spaces and
//! non-ASCII letters. Each must end (no hang on the FIFO), never panic, name
//! the path and what is wrong with it, and keep the good files.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// Runs tickmark, failing if it takes more than a minute (a hang on a FIFO).
fn tickmark(args: &[&std::ffi::OsStr]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tickmark starts");
    let id = child.id();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || send.send(child.wait_with_output()));
    match receive.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output.expect("output"),
        Err(_) => {
            Command::new("kill").arg(id.to_string()).status().ok();
            panic!("tickmark {args:?} hangs");
        }
    }
}

fn evaluate_json(path: &Path) -> (Option<i32>, Value, String) {
    evaluate_json_with(path, &[])
}

/// `evaluate PATH --format json` with `extra` arguments (`--catalog ID`).
fn evaluate_json_with(path: &Path, extra: &[&str]) -> (Option<i32>, Value, String) {
    let settings = common::project_dir().join("tests/fixtures/default-settings.toml");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "--settings".as_ref(),
        settings.as_os_str(),
        "evaluate".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--schema".as_ref(),
        "1".as_ref(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let out = tickmark(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: stdout is not JSON; stderr: {stderr}"));
    (out.status.code(), report, stderr)
}

fn odd_folder(root: &Path) {
    let sample = common::sample_data_dir().join("azure/aks-cluster.json");
    let spaced = root.join("exports ü/aks é.json");
    std::fs::create_dir_all(spaced.parent().unwrap()).unwrap();
    std::fs::copy(&sample, &spaced).unwrap();
    std::fs::create_dir(root.join("binary")).unwrap();
    std::fs::write(
        root.join("binary/blob.json"),
        [0xde, 0xad, 0x00, 0xbe, 0xef],
    )
    .unwrap();
    std::fs::write(root.join("zero.json"), b"").unwrap();
    std::fs::create_dir(root.join("nothing-here")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
        std::os::unix::fs::symlink(root.join("gone"), root.join("dangling.json")).unwrap();
        let made = Command::new("mkfifo").arg(root.join("pipe.json")).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    }
}

#[test]
fn evaluate_reports_each_odd_input_and_keeps_the_good_file() {
    let dir = tempfile::tempdir().unwrap();
    odd_folder(dir.path());
    let (code, report, stderr) = evaluate_json(dir.path());
    assert_eq!(code, Some(2), "{stderr}");
    let inputs = report["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1, "{inputs:?}");
    assert!(
        inputs[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("exports ü/aks é.json")
    );
    assert_eq!(inputs[0]["format"], "azure-aks");
    let mut expected = vec!["blob.json: binary content", "zero.json: the file is empty"];
    if cfg!(unix) {
        expected.extend([
            "loop: a symbolic link back to",
            "dangling.json: a symbolic link that leads nowhere",
            "pipe.json: a named pipe (FIFO), not a file",
        ]);
    }
    for needle in expected {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
    // The default catalog, PCI DSS 4.0.1: 250 requirements and the
    // appendices.
    assert_eq!(report["catalog"], "pci-dss-4.0.1");
    assert_eq!(report["requirements"].as_array().unwrap().len(), 280);
}

#[test]
fn evaluating_an_empty_folder_is_unusable_input_not_a_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report, stderr) = evaluate_json(dir.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("the folder holds no files"), "{stderr}");
    assert_eq!(report["inputs"].as_array().unwrap().len(), 0);
}

#[test]
fn import_keeps_the_good_file_and_names_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("evidence");
    std::fs::create_dir(&evidence).unwrap();
    odd_folder(&evidence);
    let db = dir.path().join("record.sqlite3");
    let out = tickmark(&[
        "--db".as_ref(),
        db.as_os_str(),
        "import".as_ref(),
        "--assessment".as_ref(),
        "Odd".as_ref(),
        evidence.as_os_str(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stdout.contains("azure-aks"), "{stdout}");
    let all = format!("{stdout}{stderr}");
    assert!(all.contains("zero.json"), "{all}");
    if cfg!(unix) {
        assert!(all.contains("pipe.json"), "{all}");
    }
    let out = tickmark(&["--db".as_ref(), db.as_os_str(), "verify".as_ref()]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_scan_result_for_a_group_or_an_unknown_requirement_is_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::fs::read(common::sample_data_dir().join("azure/policy-states.json")).unwrap();
    let mut states: Vec<Value> = serde_json::from_slice(&sample).unwrap();
    states.truncate(1);
    states[0]["complianceState"] = "NonCompliant".into();
    states[0]["isCompliant"] = false.into();
    states[0]["policyDefinitionGroupNames"] =
        serde_json::json!(["PCI_DSS_V3.2.1_7.1", "PCI_DSS_V3.2.1_1.3.99"]);
    std::fs::write(
        dir.path().join("states.json"),
        serde_json::to_vec(&states).unwrap(),
    )
    .unwrap();
    let (code, report, stderr) = evaluate_json_with(dir.path(), &["--catalog", "pci-dss-3.2.1"]);
    assert_eq!(code, Some(0), "{stderr}");
    let status = |id: &str| {
        report["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["status"].clone())
    };
    // The group 7.1 reaches the requirements under it.
    assert_eq!(status("7.1.1"), Some("fail".into()));
    assert_eq!(status("7.1.4"), Some("fail".into()));
    assert!(
        stderr.contains("scan.azure-policy names requirement 1.3.99"),
        "{stderr}"
    );
}
