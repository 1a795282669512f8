//! Embeds the sample assessment (every file under `sample-data/` except
//! hidden ones) into the library, for `tickmark::sample`, and the frameworks
//! kept as data (every `*.toml` under `assets/catalog/` and
//! `assets/crosswalk/`), for `tickmark::catalog`: a framework is added by
//! adding its file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rerun-if-changed=sample-data");
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("sample-data"), &mut files);
    files.sort();
    let mut out = String::from(
        "/// Every file of the sample assessment, in path order.\npub static FILES: &[SampleFile] = &[\n",
    );
    for file in &files {
        let relative = file
            .strip_prefix(&root)
            .expect("collected below the manifest directory")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            out,
            "    SampleFile {{ path: {relative:?}, bytes: include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/\", {relative:?})) }},"
        )
        .expect("writing to a String cannot fail");
    }
    out.push_str("];\n");
    let target = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("sample_files.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
    // The whole folder, which exists, so that a framework directory created
    // later (`assets/crosswalk/`) is noticed too.
    println!("cargo::rerun-if-changed=assets");
    embed_toml_files(&root, "assets/catalog", "CATALOG_FILES", "catalog_files.rs");
    embed_toml_files(
        &root,
        "assets/crosswalk",
        "CROSSWALK_FILES",
        "crosswalk_files.rs",
    );
}

/// Writes `OUT_DIR/target`: a static `name` listing every `*.toml` file
/// directly in `dir` (relative to the manifest), in file-name order, as
/// `EmbeddedFile`s. A missing directory gives an empty list.
fn embed_toml_files(root: &Path, dir: &str, name: &str, target: &str) {
    let mut files: Vec<String> = std::fs::read_dir(root.join(dir))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|file| file.ends_with(".toml") && !file.starts_with('.'))
        .collect();
    files.sort();
    let mut out = format!(
        "/// Every `*.toml` file of `{dir}/`, in file-name order.\npub(crate) static {name}: &[EmbeddedFile] = &[\n"
    );
    for file in &files {
        let relative = format!("{dir}/{file}");
        writeln!(
            out,
            "    EmbeddedFile {{ path: {relative:?}, text: include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/\", {relative:?})) }},"
        )
        .expect("writing to a String cannot fail");
    }
    out.push_str("];\n");
    let target = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(target);
    std::fs::write(target, out).expect("OUT_DIR is writable");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}
