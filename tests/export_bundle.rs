//! The evidence bundle: what it holds, that it verifies, and that a changed
//! byte, a missing entry or an extra entry is caught and named (library and
//! `tickmark verify --bundle`).

mod export_fixture;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

use export_fixture::{export, reviewed};
use tickmark::export::ExportFormat;
use tickmark::export::bundle::{BundleError, BundleProblem, Manifest, verify_bundle};
use zip::write::SimpleFileOptions;

/// Every entry of a zip: (name, bytes).
fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

/// Writes `entries` as a new zip at `path`.
fn rewrite(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn verify_cli(path: &Path) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(["verify", "--bundle"])
        .arg(path)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn first_problem(path: &Path) -> BundleProblem {
    let report = verify_bundle(path).unwrap();
    report.first_problem().cloned().expect("a problem")
}

#[test]
fn the_bundle_holds_everything_and_verifies() {
    let f = reviewed();
    let path = f.out("bundle.zip");
    let summary = export(&f, ExportFormat::Bundle, &path);
    let record = f.record();
    let names: Vec<String> = entries(&path).into_iter().map(|(n, _)| n).collect();
    for fixed in [
        "report.html",
        "record.json",
        "oscal-assessment-results.json",
        "requirements.csv",
        "manifest.json",
        "attachments/1.1.2/network-diagram.png",
        "attachments/1.1.2/ports & protocols.md",
        "attachments/1.1.3/draft.txt",
        "evidence/aks-cluster.json",
        "evidence/nsg-list.json",
    ] {
        assert!(
            names.iter().any(|n| n == fixed),
            "{fixed} missing: {names:?}"
        );
    }
    // Two evidence files named nsg-list.json: the second gets its hash.
    let second = record
        .files
        .iter()
        .filter(|f| f.provenance.path.ends_with("nsg-list.json"))
        .nth(1)
        .unwrap();
    let renamed = format!("evidence/nsg-list-{}.json", &second.provenance.sha256[..8]);
    assert!(names.contains(&renamed), "{names:?}");
    assert_eq!(
        names.len(),
        4 + record.files.len() + 3 + 1,
        "documents, evidence, attachments, manifest"
    );
    assert_eq!(summary.entries, names.len() - 1);

    // Entries hold the stored bytes; the manifest lists each with its hash.
    let all = entries(&path);
    let manifest: Manifest =
        serde_json::from_slice(&all.iter().find(|(n, _)| n == "manifest.json").unwrap().1).unwrap();
    assert_eq!(manifest.chain_head, record.chain_head);
    assert_eq!(manifest.entries.len(), names.len() - 1);
    let diagram = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/attachments/network-diagram.png"),
    )
    .unwrap();
    let (_, bytes) = all
        .iter()
        .find(|(n, _)| n == "attachments/1.1.2/network-diagram.png")
        .unwrap();
    assert_eq!(bytes, &diagram);
    let withdrawn = manifest
        .entries
        .iter()
        .find(|e| e.path == "attachments/1.1.3/draft.txt")
        .unwrap();
    assert!(withdrawn.retired);

    let report = verify_bundle(&path).unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.entries_checked, names.len() - 1);
    let (code, stdout, _) = verify_cli(&path);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("Intact"), "{stdout}");
    assert!(
        stdout.contains(&record.chain_head.as_ref().unwrap().hash),
        "{stdout}"
    );
}

#[test]
fn a_changed_byte_a_missing_and_an_extra_entry_are_named() {
    let f = reviewed();
    let path = f.out("bundle.zip");
    export(&f, ExportFormat::Bundle, &path);
    let original = entries(&path);

    // One byte changed inside an entry, the zip rewritten with valid CRCs.
    let mut changed = original.clone();
    let (_, bytes) = changed
        .iter_mut()
        .find(|(n, _)| n == "evidence/aks-cluster.json")
        .unwrap();
    bytes[100] ^= 0x01;
    let tampered = f.out("changed.zip");
    rewrite(&tampered, &changed);
    assert!(matches!(
        first_problem(&tampered),
        BundleProblem::Changed { entry, .. } if entry == "evidence/aks-cluster.json"
    ));
    let (code, stdout, stderr) = verify_cli(&tampered);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("TAMPERED: evidence/aks-cluster.json: changed"),
        "{stdout}"
    );
    assert!(stderr.contains("does not match its manifest"), "{stderr}");

    // A missing entry.
    let missing: Vec<_> = original
        .iter()
        .filter(|(n, _)| n != "attachments/1.1.2/network-diagram.png")
        .cloned()
        .collect();
    let tampered = f.out("missing.zip");
    rewrite(&tampered, &missing);
    assert_eq!(
        first_problem(&tampered),
        BundleProblem::Missing {
            entry: "attachments/1.1.2/network-diagram.png".into()
        }
    );
    assert_eq!(verify_cli(&tampered).0, Some(1));

    // An extra entry.
    let mut extra = original.clone();
    extra.push(("evidence/planted.json".into(), b"{}".to_vec()));
    let tampered = f.out("extra.zip");
    rewrite(&tampered, &extra);
    assert_eq!(
        first_problem(&tampered),
        BundleProblem::Extra {
            entry: "evidence/planted.json".into()
        }
    );
    let (code, stdout, _) = verify_cli(&tampered);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("evidence/planted.json: in the bundle but not listed"));

    // The same entries rewritten unchanged verify (rewriting alone is not
    // what is caught).
    let same = f.out("same.zip");
    rewrite(&same, &original);
    assert!(verify_bundle(&same).unwrap().is_intact());
}

#[test]
fn a_byte_flipped_in_the_file_is_caught() {
    let f = reviewed();
    let path = f.out("bundle.zip");
    export(&f, ExportFormat::Bundle, &path);
    let mut raw = std::fs::read(&path).unwrap();
    // The PNG is stored uncompressed: flip a byte inside its data.
    let png = raw
        .windows(8)
        .position(|w| w == b"\x89PNG\r\n\x1a\n")
        .unwrap();
    raw[png + 5000] ^= 0x40;
    let flipped = f.out("flipped.zip");
    std::fs::write(&flipped, &raw).unwrap();
    let problem = first_problem(&flipped);
    assert!(
        matches!(&problem, BundleProblem::Unreadable { entry, .. } | BundleProblem::Changed { entry, .. }
            if entry == "attachments/1.1.2/network-diagram.png"),
        "{problem:?}"
    );
    let (code, stdout, _) = verify_cli(&flipped);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("attachments/1.1.2/network-diagram.png"),
        "{stdout}"
    );
}

#[test]
fn a_manifest_rewritten_to_match_is_caught_by_the_record() {
    let f = reviewed();
    let path = f.out("bundle.zip");
    export(&f, ExportFormat::Bundle, &path);
    let mut all = entries(&path);
    let target = "evidence/route-tables.json";
    let new_bytes = b"[]".to_vec();
    let new_sha = tickmark::evidence::sha256_hex(&new_bytes);
    for (name, bytes) in all.iter_mut() {
        if name == target {
            *bytes = new_bytes.clone();
        }
    }
    let (_, manifest_bytes) = all.iter_mut().find(|(n, _)| n == "manifest.json").unwrap();
    let mut manifest: Manifest = serde_json::from_slice(manifest_bytes).unwrap();
    let entry = manifest
        .entries
        .iter_mut()
        .find(|e| e.path == target)
        .unwrap();
    entry.sha256 = new_sha;
    entry.size = 2;
    *manifest_bytes = serde_json::to_vec(&manifest).unwrap();
    let tampered = f.out("rewritten.zip");
    rewrite(&tampered, &all);
    let problem = first_problem(&tampered);
    assert!(
        matches!(&problem, BundleProblem::Record { reason } if reason.contains(target)),
        "{problem:?}"
    );
}

#[test]
fn unusable_files_are_reported_as_such() {
    let f = reviewed();
    let not_zip = f.out("not.zip");
    std::fs::write(&not_zip, "hello").unwrap();
    assert!(matches!(
        verify_bundle(&not_zip),
        Err(BundleError::NotZip { .. })
    ));
    let (code, _, stderr) = verify_cli(&not_zip);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("not a readable zip archive"), "{stderr}");

    let foreign = f.out("foreign.zip");
    rewrite(&foreign, &[("readme.txt".into(), b"hi".to_vec())]);
    assert!(matches!(
        verify_bundle(&foreign),
        Err(BundleError::NotABundle { .. })
    ));
    assert_eq!(verify_cli(&foreign).0, Some(2));
    assert_eq!(verify_cli(&f.out("absent.zip")).0, Some(2));
}
