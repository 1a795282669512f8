//! The shared libraries the desktop app loads at run time on Linux (winit
//! and glutin open them with `dlopen`, so nothing fails at build time), and
//! which of them this system lacks. When the window cannot be opened the
//! start-up error names the missing ones and the Debian / Ubuntu packages
//! that provide them; the loaders' own message ("Failed to load one of
//! xlib's shared libraries") says neither.

use std::path::{Path, PathBuf};

/// Each library the app may load, and the Debian / Ubuntu package that
/// provides it.
pub const LIBRARIES: &[(&str, &str)] = &[
    ("libX11.so.6", "libx11-6"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libXcursor.so.1", "libxcursor1"),
    ("libXi.so.6", "libxi6"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libEGL.so.1", "libegl1"),
];

/// The libraries of [`LIBRARIES`] found in none of `dirs`, with their
/// packages.
pub fn missing_in(dirs: &[PathBuf]) -> Vec<(&'static str, &'static str)> {
    LIBRARIES
        .iter()
        .copied()
        .filter(|(library, _)| !dirs.iter().any(|dir| dir.join(library).exists()))
        .collect()
}

/// The directories the dynamic loader searches on this system:
/// `LD_LIBRARY_PATH`, the multiarch and plain library directories, and
/// those listed in `/etc/ld.so.conf.d/`.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("LD_LIBRARY_PATH")
        .map(|paths| std::env::split_paths(&paths).collect())
        .unwrap_or_default();
    for base in ["/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib"] {
        dirs.push(PathBuf::from(base));
        if let Ok(entries) = std::fs::read_dir(base) {
            dirs.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir() && p.to_string_lossy().ends_with("-linux-gnu")),
            );
        }
    }
    if let Ok(entries) = std::fs::read_dir("/etc/ld.so.conf.d") {
        for entry in entries.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            dirs.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| l.starts_with('/'))
                    .map(PathBuf::from),
            );
        }
    }
    dirs.retain(|d| Path::new(d).is_dir());
    dirs
}

/// A sentence naming the missing libraries and the `apt-get` line that
/// installs them, or `None` when none is missing (or not on Linux).
pub fn missing_libraries_hint() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    hint(&missing_in(&search_dirs()))
}

fn hint(missing: &[(&str, &str)]) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let named: Vec<String> = missing
        .iter()
        .map(|(library, package)| format!("{library} (package {package})"))
        .collect();
    let packages: Vec<&str> = missing.iter().map(|(_, package)| *package).collect();
    Some(format!(
        "this system lacks {} that the window needs: {}. On Debian or Ubuntu, as root: apt-get update && apt-get install -y {}",
        if missing.len() == 1 {
            "a library"
        } else {
            "libraries"
        },
        named.join(", "),
        packages.join(" ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_is_named_with_its_package() {
        // Issue 19, finding 9: on a minimal Debian 12 the app exited with
        // "Failed to load one of xlib's shared libraries", naming neither
        // the library (libX11-xcb.so.1, from libegl1's dependencies) nor a
        // package.
        let dir = tempfile::tempdir().unwrap();
        for (library, _) in LIBRARIES {
            if !["libEGL.so.1", "libX11-xcb.so.1"].contains(library) {
                std::fs::write(dir.path().join(library), b"").unwrap();
            }
        }
        let missing = missing_in(&[dir.path().to_owned()]);
        assert_eq!(
            missing,
            vec![
                ("libX11-xcb.so.1", "libx11-xcb1"),
                ("libEGL.so.1", "libegl1")
            ]
        );
        assert_eq!(
            hint(&missing).unwrap(),
            "this system lacks libraries that the window needs: libX11-xcb.so.1 (package libx11-xcb1), \
             libEGL.so.1 (package libegl1). On Debian or Ubuntu, as root: apt-get update && apt-get install -y libx11-xcb1 libegl1"
        );
        assert_eq!(hint(&[]), None);
    }
}
