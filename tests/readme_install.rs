//! The README's install line works on a bare Debian (issue 19, finding 9):
//! on a minimal Debian 12 with only the old line, `cargo run --release`
//! exited 2 ("Failed to load one of xlib's shared libraries") because
//! libegl1 (which brings libx11-xcb1) was missing; the line also started
//! with `sudo`, which a minimal system does not have, and had no
//! `apt-get update`. The line was verified in a debootstrap'ed Debian 12
//! root; this test keeps it from drifting from what the window loads.
#![cfg(feature = "gui")]

/// The commands of the README's first `sh` block after "Quick start".
fn install_commands() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let quick = &readme[readme.find("## Quick start").unwrap()..];
    let block = &quick[quick.find("```sh\n").unwrap() + 6..];
    let block = &block[..block.find("```").unwrap()];
    block.lines().map(str::to_owned).collect()
}

#[test]
fn the_install_line_runs_as_root_on_a_minimal_debian() {
    let commands = install_commands();
    assert_eq!(commands[0], "apt-get update", "{commands:?}");
    let install = commands
        .iter()
        .find(|c| c.starts_with("apt-get install -y "))
        .unwrap_or_else(|| panic!("no apt-get install line: {commands:?}"));
    assert!(
        commands.iter().all(|c| !c.starts_with("sudo")),
        "{commands:?}"
    );
    let packages: Vec<&str> = install.split_whitespace().skip(3).collect();
    // What building and a first start need (found in the Debian 12 root).
    for needed in [
        "gcc",
        "libc6-dev",
        // TLS to a PostgreSQL server (native-tls over OpenSSL).
        "pkg-config",
        "libssl-dev",
        "libegl1",
        "libgl1-mesa-dri",
        "libxcursor1",
        "libxi6",
        "libxkbcommon-x11-0",
    ] {
        assert!(
            packages.contains(&needed),
            "{needed} missing from {install}"
        );
    }
    // Every library the window loads comes from a package on the line or
    // from one of their own dependencies.
    let dependencies = ["libx11-6", "libxkbcommon0"];
    for (library, package) in tickmark::ui::system_libraries::LIBRARIES {
        assert!(
            packages.contains(package) || dependencies.contains(package),
            "{library} ({package}) is installed by nothing on the line"
        );
    }
}
