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
    // No signature in this record: signatures/ holds allowed_signers and the
    // README, which lists the unsigned sign-offs.
    assert!(
        names.contains(&"signatures/README.txt".to_owned()),
        "{names:?}"
    );
    assert_eq!(
        names.len(),
        4 + record.files.len() + 3 + 2 + 1,
        "documents, evidence, attachments, signatures/, manifest"
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

/// The manifest of a bundle's entries, parsed.
fn manifest_of(all: &[(String, Vec<u8>)]) -> Manifest {
    serde_json::from_slice(&all.iter().find(|(n, _)| n == "manifest.json").unwrap().1).unwrap()
}

fn with_manifest(all: &mut [(String, Vec<u8>)], manifest: &Manifest) {
    let (_, bytes) = all.iter_mut().find(|(n, _)| n == "manifest.json").unwrap();
    *bytes = serde_json::to_vec(manifest).unwrap();
}

#[test]
fn an_evidence_entry_without_its_evidence_file_is_not_intact() {
    // Issue 19, finding 2: swap an evidence file's bytes, fix the
    // manifest's hash and size and delete the entry's `evidence_file`: the
    // record cross-check used to skip the entry and call the bundle intact.
    let f = reviewed();
    let path = f.out("bundle.zip");
    export(&f, ExportFormat::Bundle, &path);
    let mut all = entries(&path);
    let target = "evidence/route-tables.json";
    let forged = b"{\"value\": []}".to_vec();
    for (name, bytes) in all.iter_mut() {
        if name == target {
            *bytes = forged.clone();
        }
    }
    let mut manifest = manifest_of(&all);
    let entry = manifest
        .entries
        .iter_mut()
        .find(|e| e.path == target)
        .unwrap();
    entry.sha256 = tickmark::evidence::sha256_hex(&forged);
    entry.size = forged.len() as u64;
    entry.evidence_file = None;
    with_manifest(&mut all, &manifest);
    let tampered = f.out("no-evidence-file.zip");
    rewrite(&tampered, &all);
    let report = verify_bundle(&tampered).unwrap();
    assert!(!report.is_intact());
    let said: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert!(
        said.iter()
            .any(|p| p.contains(target) && p.contains("names no evidence file")),
        "{said:#?}"
    );
    // The record still lists that evidence file: its entry is gone.
    assert!(
        said.iter()
            .any(|p| p.starts_with("record.json: it lists evidence file #")),
        "{said:#?}"
    );
    let (code, stdout, _) = verify_cli(&tampered);
    assert_eq!(code, Some(1), "{stdout}");
}

#[test]
fn a_bundle_without_its_record_is_not_intact() {
    // Issue 19, finding 2: remove record.json from the zip and the manifest.
    let f = reviewed();
    let path = f.out("bundle.zip");
    export(&f, ExportFormat::Bundle, &path);
    let mut all = entries(&path);
    all.retain(|(name, _)| name != "record.json");
    let mut manifest = manifest_of(&all);
    manifest.entries.retain(|e| e.path != "record.json");
    with_manifest(&mut all, &manifest);
    let tampered = f.out("no-record.zip");
    rewrite(&tampered, &all);
    let said: Vec<String> = verify_bundle(&tampered)
        .unwrap()
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        said.contains(
            &"record.json: every bundle holds it (kind record), but the manifest does not list it"
                .to_owned()
        ),
        "{said:#?}"
    );
    assert!(
        said.iter()
            .any(|p| p.starts_with("record.json: it is not in the bundle")),
        "{said:#?}"
    );
    let (code, stdout, _) = verify_cli(&tampered);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("record.json"), "{stdout}");
}

#[test]
fn every_promised_document_is_required() {
    let f = reviewed();
    let path = f.out("bundle.zip");
    export(&f, ExportFormat::Bundle, &path);
    for part in [
        "report.html",
        "oscal-assessment-results.json",
        "requirements.csv",
    ] {
        let mut all = entries(&path);
        all.retain(|(name, _)| name != part);
        let mut manifest = manifest_of(&all);
        manifest.entries.retain(|e| e.path != part);
        with_manifest(&mut all, &manifest);
        let tampered = f.out("missing-part.zip");
        rewrite(&tampered, &all);
        let problem = first_problem(&tampered);
        assert!(
            matches!(&problem, BundleProblem::Promised { part: p, .. } if p == part),
            "{part}: {problem:?}"
        );
    }
}

/// CRC-32 (zip's) of `bytes`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One entry of a hand-made zip: name, method (0 stored, 8 deflated), the
/// data as stored, and the uncompressed size and CRC the zip declares.
struct RawEntry {
    name: String,
    method: u16,
    data: Vec<u8>,
    declared: u32,
    crc: u32,
}

impl RawEntry {
    fn stored(name: &str, bytes: &[u8]) -> RawEntry {
        RawEntry {
            name: name.to_owned(),
            method: 0,
            data: bytes.to_vec(),
            declared: bytes.len() as u32,
            crc: crc32(bytes),
        }
    }
}

/// A zip written by hand, so that its sizes can lie.
fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let le16 = |v: &mut Vec<u8>, n: u16| v.extend_from_slice(&n.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, n: u32| v.extend_from_slice(&n.to_le_bytes());
    for e in entries {
        let offset = out.len() as u32;
        le32(&mut out, 0x0403_4b50);
        for n in [20, 0, e.method, 0, 0x21] {
            le16(&mut out, n);
        }
        for n in [e.crc, e.data.len() as u32, e.declared] {
            le32(&mut out, n);
        }
        le16(&mut out, e.name.len() as u16);
        le16(&mut out, 0);
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.data);
        le32(&mut central, 0x0201_4b50);
        for n in [20, 20, 0, e.method, 0, 0x21] {
            le16(&mut central, n);
        }
        for n in [e.crc, e.data.len() as u32, e.declared] {
            le32(&mut central, n);
        }
        for n in [e.name.len() as u16, 0, 0, 0, 0] {
            le16(&mut central, n);
        }
        le32(&mut central, 0);
        le32(&mut central, offset);
        central.extend_from_slice(e.name.as_bytes());
    }
    let (cd_offset, cd_size) = (out.len() as u32, central.len() as u32);
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    for n in [0, 0, entries.len() as u16, entries.len() as u16] {
        le16(&mut out, n);
    }
    le32(&mut out, cd_size);
    le32(&mut out, cd_offset);
    le16(&mut out, 0);
    out
}

/// A raw deflate stream that inflates to `mib` MiB of spaces: one MiB
/// compressed once and repeated (each block ends on a byte boundary), then
/// an empty final block. About a kilobyte per inflated MiB.
fn spaces_deflated(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let chunk = vec![b' '; 1 << 20];
    let mut deflate = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(64 << 10);
    deflate
        .compress_vec(&chunk, &mut block, FlushCompress::Full)
        .unwrap();
    let mut end = Vec::with_capacity(64);
    let mut fresh = Compress::new(Compression::best(), false);
    fresh
        .compress_vec(&[], &mut end, FlushCompress::Finish)
        .unwrap();
    let mut out = Vec::with_capacity(block.len() * mib + end.len());
    for _ in 0..mib {
        out.extend_from_slice(&block);
    }
    out.extend_from_slice(&end);
    out
}

/// The exported bundle of `f` with its `record.json` replaced by `record`,
/// listed in the manifest with `listed_size`.
fn bundle_with_record(
    f: &export_fixture::Reviewed,
    record: RawEntry,
    listed_size: u64,
) -> std::path::PathBuf {
    let path = f.out("bundle.zip");
    export(f, ExportFormat::Bundle, &path);
    let all = entries(&path);
    let mut manifest = manifest_of(&all);
    let entry = manifest
        .entries
        .iter_mut()
        .find(|e| e.path == "record.json")
        .unwrap();
    entry.size = listed_size;
    let mut raw: Vec<RawEntry> = all
        .iter()
        .filter(|(name, _)| name != "manifest.json" && name != "record.json")
        .map(|(name, bytes)| RawEntry::stored(name, bytes))
        .collect();
    raw.push(record);
    raw.push(RawEntry::stored(
        "manifest.json",
        &serde_json::to_vec(&manifest).unwrap(),
    ));
    let out = f.out("bomb.zip");
    std::fs::write(&out, raw_zip(&raw)).unwrap();
    out
}

#[test]
fn a_record_that_inflates_to_gigabytes_is_refused_unread() {
    // Issue 19, finding 3: a 3 MB zip whose record.json inflates to 3 GiB
    // cost 13.5 s and 3.15 GB in `verify --bundle`.
    let f = reviewed();
    let gib3 = 3u64 << 30;
    let record = RawEntry {
        name: "record.json".into(),
        method: 8,
        data: spaces_deflated(3 << 10),
        declared: gib3 as u32,
        crc: 0,
    };
    let path = bundle_with_record(&f, record, gib3);
    assert!(std::fs::metadata(&path).unwrap().len() < 8 << 20);
    let started = std::time::Instant::now();
    let (code, stdout, stderr) = verify_cli(&path);
    let took = started.elapsed();
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("record.json: cannot be read (the zip declares 3221225472 bytes, more than the 268435456 bytes Tickmark reads from it)"),
        "{stdout}"
    );
    // Refused from the declared size: nothing near a gigabyte was inflated.
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}

#[test]
fn an_entry_that_inflates_past_its_declared_size_is_cut_at_it() {
    // The same record, declaring (and listed with) 1 KiB: reading stops one
    // byte past the listed size, whatever the stream would inflate to.
    let f = reviewed();
    let record = RawEntry {
        name: "record.json".into(),
        method: 8,
        data: spaces_deflated(3 << 10),
        declared: 1024,
        crc: 0,
    };
    let path = bundle_with_record(&f, record, 1024);
    let started = std::time::Instant::now();
    let report = verify_bundle(&path).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let said: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    // The zip reader itself stops at the declared size (and Tickmark reads
    // no further than the listed one either).
    assert!(
        said.iter().any(|p| p.starts_with("record.json: ")
            && (p.contains("larger than its declared uncompressed size")
                || p.contains("1025 bytes"))),
        "{said:#?}"
    );
    assert!(!report.is_intact());
}
