//! Embeds the sample assessment (every file under `sample-data/` except
//! hidden ones) into the library, for `tickmark::sample`.

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
