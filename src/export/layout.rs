//! Where each file of an assessment goes in an evidence bundle. The OSCAL
//! export points its back-matter links at the same places, so inside a
//! bundle they resolve.

use std::collections::{BTreeMap, HashSet};

use crate::store::AssessmentRecord;

/// The HTML report's entry name in a bundle.
pub const REPORT_ENTRY: &str = "report.html";
/// The JSON record's entry name in a bundle.
pub const RECORD_ENTRY: &str = "record.json";
/// The OSCAL assessment-results entry name in a bundle.
pub const OSCAL_ENTRY: &str = "oscal-assessment-results.json";
/// The CSV entry name in a bundle.
pub const CSV_ENTRY: &str = "requirements.csv";
/// The manifest's entry name in a bundle.
pub const MANIFEST_ENTRY: &str = "manifest.json";

/// The longest file name (in bytes) kept from a user's file.
const MAX_NAME_BYTES: usize = 120;

/// The entry name of every evidence file and attachment of a record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleLayout {
    /// Evidence file ID → `evidence/<name>`.
    pub evidence: BTreeMap<i64, String>,
    /// Attachment ID → `attachments/<requirement>/<name>`.
    pub attachments: BTreeMap<i64, String>,
}

/// Names every evidence file (replaced ones included) `evidence/<file
/// name>` and every attachment (withdrawn ones included)
/// `attachments/<requirement>/<file name>`.
///
/// Names are the files' own, with characters that file systems refuse
/// replaced by `_`. When two would collide (compared without case, as
/// Windows and macOS extract them), the later one (by ID) gets the first 8
/// hex digits of its SHA-256 before the extension (`nsgs-3f2a9c1b.json`),
/// and its ID as well if that still collides.
pub fn bundle_layout(record: &AssessmentRecord) -> BundleLayout {
    let mut taken = HashSet::new();
    for fixed in [
        REPORT_ENTRY,
        RECORD_ENTRY,
        OSCAL_ENTRY,
        CSV_ENTRY,
        MANIFEST_ENTRY,
    ] {
        taken.insert(fixed.to_lowercase());
    }
    let mut layout = BundleLayout::default();
    let mut files: Vec<_> = record.files.iter().collect();
    files.sort_by_key(|f| f.id);
    for file in files {
        let base = base_name(&file.provenance.path);
        let name = unique(
            &mut taken,
            "evidence/",
            &base,
            &file.provenance.sha256,
            file.id,
        );
        layout.evidence.insert(file.id, name);
    }
    let mut attachments: Vec<_> = record
        .requirements
        .iter()
        .flat_map(|r| r.attachments.iter())
        .collect();
    attachments.sort_by_key(|a| a.id);
    for attachment in attachments {
        let dir = format!("attachments/{}/", safe_file_name(&attachment.requirement));
        let name = unique(
            &mut taken,
            &dir,
            &safe_file_name(&attachment.file_name),
            &attachment.sha256,
            attachment.id,
        );
        layout.attachments.insert(attachment.id, name);
    }
    layout
}

/// The last component of an imported path (either separator), made safe.
fn base_name(path: &str) -> String {
    let last = path
        .rsplit(['/', '\\'])
        .find(|part| !part.is_empty())
        .unwrap_or(path);
    safe_file_name(last)
}

fn unique(taken: &mut HashSet<String>, dir: &str, name: &str, sha256: &str, id: i64) -> String {
    let (stem, extension) = split_extension(name);
    let short = sha256.get(..8).unwrap_or(sha256);
    let candidates = [
        format!("{dir}{name}"),
        format!("{dir}{stem}-{short}{extension}"),
        format!("{dir}{stem}-{short}-{id}{extension}"),
    ];
    for candidate in &candidates {
        if taken.insert(candidate.to_lowercase()) {
            return candidate.clone();
        }
    }
    // IDs are unique, so the last candidate is unique unless a user's file
    // name happens to look exactly like it; count up from there.
    let mut n = 2u32;
    loop {
        let candidate = format!("{dir}{stem}-{short}-{id}-{n}{extension}");
        if taken.insert(candidate.to_lowercase()) {
            return candidate;
        }
        n += 1;
    }
}

/// `name.ext` → (`name`, `.ext`); a leading dot is not an extension.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(at) if at > 0 => name.split_at(at),
        _ => (name, ""),
    }
}

/// A file name every common file system accepts: path separators, control
/// characters and `<>:"|?*` become `_`, leading and trailing dots and
/// spaces are dropped, reserved Windows device names get a `_`, and long
/// names are shortened (keeping the extension).
pub(crate) fn safe_file_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = replaced.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let mut out = if trimmed.is_empty() {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    };
    let (stem, _) = split_extension(&out);
    const RESERVED: &[&str] = &[
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
        "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ];
    if RESERVED.contains(&stem.to_ascii_lowercase().as_str()) {
        out.insert(0, '_');
    }
    if out.len() > MAX_NAME_BYTES {
        let (stem, extension) = split_extension(&out);
        let extension = if extension.len() <= 16 { extension } else { "" };
        let mut cut = MAX_NAME_BYTES.saturating_sub(extension.len());
        while !stem.is_char_boundary(cut.min(stem.len())) {
            cut -= 1;
        }
        out = format!("{}{extension}", &stem[..cut.min(stem.len())]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_safe() {
        assert_eq!(safe_file_name("a/b\\c:d*e?.json"), "a_b_c_d_e_.json");
        assert_eq!(safe_file_name("..hidden "), "hidden");
        assert_eq!(safe_file_name(""), "file");
        assert_eq!(safe_file_name("CON.txt"), "_CON.txt");
        assert_eq!(safe_file_name("tab\there"), "tab_here");
        let long = format!("{}.png", "é".repeat(100));
        let safe = safe_file_name(&long);
        assert!(
            safe.len() <= MAX_NAME_BYTES && safe.ends_with(".png"),
            "{safe}"
        );
        assert_eq!(base_name("C:\\exports\\nsgs.json"), "nsgs.json");
        assert_eq!(base_name("sample-data/azure/nsgs.json"), "nsgs.json");
    }

    #[test]
    fn collisions_get_hash_then_id() {
        let mut taken = HashSet::new();
        let sha = "3f2a9c1b00000000";
        assert_eq!(
            unique(&mut taken, "evidence/", "nsgs.json", sha, 4),
            "evidence/nsgs.json"
        );
        assert_eq!(
            unique(&mut taken, "evidence/", "NSGS.json", sha, 5),
            "evidence/NSGS-3f2a9c1b.json"
        );
        assert_eq!(
            unique(&mut taken, "evidence/", "nsgs.json", sha, 6),
            "evidence/nsgs-3f2a9c1b-6.json"
        );
    }
}
