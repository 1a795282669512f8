//! Starting the desktop app where it cannot run: one clear line and exit
//! code 2, never a windowing-system panic, and nothing written.
#![cfg(feature = "gui")]

use std::process::Command;

#[test]
fn without_a_display_the_app_says_so_in_one_line_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("never.sqlite3");
    let output = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .arg("--db")
        .arg(&db)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no display"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(!db.exists(), "no review record is created");
}

#[test]
fn the_subcommands_need_no_display() {
    let output = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(["catalog", "--catalog", "pci-dss-3.2.1", "--format", "json"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("pci-dss-3.2.1"));
}
