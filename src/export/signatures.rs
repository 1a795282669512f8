//! The signatures of an assessment as files anyone can check with OpenSSH
//! alone: each signed sign-off, approval and seal as its statement (JSON)
//! and its SSH signature (`.sig`), an `allowed_signers` file with the keys
//! the record binds to the signers, and a README with the exact
//! `ssh-keygen -Y verify` line for each. `tickmark export --format
//! signatures` writes them to a folder; the evidence bundle holds them under
//! `signatures/`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::signing::NAMESPACE;
use crate::store::{AssessmentRecord, RecordedSignature, SignOff};

use super::ExportError;
use super::output::describe_io;

/// The allowed-signers file's name.
pub const ALLOWED_SIGNERS: &str = "allowed_signers";

/// The README's name.
pub const README: &str = "README.txt";

/// The statement file of a signature, e.g.
/// `event-000057-sign-off-1.2.1.json`; its signature is the same name with
/// `.sig` added.
pub fn statement_file(signature: &RecordedSignature) -> String {
    let requirement = signature
        .requirement
        .as_deref()
        .map(|r| format!("-{}", super::layout::safe_file_name(r)))
        .unwrap_or_default();
    format!(
        "event-{:06}-{}{requirement}.json",
        signature.event, signature.kind
    )
}

/// The `ssh-keygen -Y verify` command line that checks `signature` in a
/// folder holding these files.
pub fn verify_command(signature: &RecordedSignature) -> String {
    let file = statement_file(signature);
    format!(
        "ssh-keygen -Y verify -f {ALLOWED_SIGNERS} -I {} -n {NAMESPACE} -s {file}.sig < {file}",
        signature.principal
    )
}

/// A seal as one base64 token (of its JSON), as the HTML report and the
/// OSCAL document carry it for `tickmark verify --against`.
pub fn seal_token(seal: &RecordedSignature) -> String {
    let json = serde_json::to_string(seal).unwrap_or_default();
    super::text::base64(json.as_bytes())
}

/// Reads a [`seal_token`] back.
pub fn parse_seal_token(token: &str) -> Result<RecordedSignature, String> {
    use base64ct::Encoding as _;
    let bytes = base64ct::Base64::decode_vec(token.trim())
        .map_err(|e| format!("the seal is not base64 ({e})"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("the seal does not read ({e})"))
}

/// Every file, by name: the statements and signatures, `allowed_signers`
/// and the README.
pub fn files(record: &AssessmentRecord) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for signature in &record.signatures {
        let file = statement_file(signature);
        out.push((file.clone(), signature.signature.statement.clone()));
        let mut armored = signature.signature.signature.trim_end().to_owned();
        armored.push('\n');
        out.push((format!("{file}.sig"), armored));
    }
    out.push((ALLOWED_SIGNERS.to_owned(), allowed_signers(record)));
    out.push((README.to_owned(), readme(record)));
    out
}

/// One line per signer and key, each after a comment naming the profile.
fn allowed_signers(record: &AssessmentRecord) -> String {
    let mut lines: BTreeMap<(String, String), String> = BTreeMap::new();
    for s in &record.signatures {
        let Ok(key) = crate::signing::PublicKey::parse(&s.public_key) else {
            continue;
        };
        let comment = format!(
            "# {} (profile #{}), key {}",
            s.signer.name.as_deref().unwrap_or(&s.signer.os_user),
            s.signer.profile.unwrap_or_default(),
            key.fingerprint()
        );
        lines
            .entry((s.principal.clone(), key.fingerprint()))
            .or_insert_with(|| {
                format!(
                    "{comment}\n{}\n",
                    crate::signing::allowed_signers_line(&s.principal, &key)
                )
            });
    }
    let mut text = format!(
        "# Keys the Tickmark review record binds to the signers of \"{}\".\n# Confirm each fingerprint with its owner before you trust a signature.\n",
        record.assessment.name
    );
    for line in lines.values() {
        text.push_str(line);
    }
    text
}

/// The unsigned sign-offs of the record, for the README.
fn unsigned(record: &AssessmentRecord) -> Vec<&SignOff> {
    record
        .requirements
        .iter()
        .flat_map(|r| r.sign_offs.iter())
        .filter(|s| s.signature.is_none())
        .collect()
}

fn readme(record: &AssessmentRecord) -> String {
    let a = &record.assessment;
    let head = record.chain_head.as_ref().map_or_else(
        || "no events".to_owned(),
        |h| format!("event #{} (chain head {})", h.seq, h.hash),
    );
    let mut text = format!(
        "Signatures of assessment \"{}\" (cluster {}, {}), exported from the Tickmark review record at {head}.\n\n",
        a.name, a.cluster, a.catalog_id
    );
    text.push_str(
        "Each signed sign-off, approval and seal is a statement file (JSON: what was signed, by whom,\n\
         when, bound to which evidence, result, note and attachment hashes, and the chain head of the\n\
         record it follows) and its SSH signature (.sig). Check one with OpenSSH alone, in this folder:\n\n",
    );
    match record.signatures.first() {
        Some(first) => text.push_str(&format!("  {}\n\n", verify_command(first))),
        None => {
            text.push_str("  (this assessment has no signed sign-off, approval or seal yet)\n\n")
        }
    }
    text.push_str(&format!(
        "A good signature prints: Good \"{NAMESPACE}\" signature for <signer> with <KEY TYPE> key SHA256:...\n\
         allowed_signers lists the keys the review record binds to each signer: confirm each fingerprint\n\
         with its owner, or against a list you keep elsewhere, before trusting what it signed.\n\n"
    ));
    if !record.signatures.is_empty() {
        text.push_str("Every signature:\n\n");
        for s in &record.signatures {
            let what = match (&s.requirement, s.kind.as_str()) {
                (Some(r), _) => format!("sign-off of {r}"),
                (None, kind) => kind.to_owned(),
            };
            text.push_str(&format!(
                "  # event #{}: {what} by {} on {}\n  {}\n",
                s.event,
                s.signer.name.as_deref().unwrap_or(&s.signer.os_user),
                s.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                verify_command(s)
            ));
        }
        text.push('\n');
    }
    let unsigned = unsigned(record);
    if !unsigned.is_empty() {
        text.push_str(&format!(
            "Unsigned: {} sign-off(s) were recorded by profiles without a signing key (or before Tickmark\n\
             signed); nothing here proves who made them:\n\n",
            unsigned.len()
        ));
        for s in unsigned {
            text.push_str(&format!(
                "  event #{}: {} by {} on {} (unsigned)\n",
                s.id,
                s.requirement,
                s.signer.name.as_deref().unwrap_or(&s.signer.os_user),
                s.signed_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
    }
    text
}

/// Writes [`files`] into the new folder `out` (written beside it, then
/// renamed, so a half folder never appears); returns the total size and a
/// SHA-256 over every file's name and hash (also written as `SHA256SUMS`).
pub(crate) fn write_folder(
    record: &AssessmentRecord,
    out: &Path,
) -> Result<(u64, String, usize), ExportError> {
    let output = |message: String| ExportError::Output {
        path: out.to_owned(),
        message,
    };
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(output(
                "it exists and is not an empty folder; choose a new folder for the signatures"
                    .to_owned(),
            ));
        }
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "signatures".to_owned());
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = parent.join(format!(".{name}.tickmark-partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&temp);
    std::fs::create_dir_all(&temp).map_err(|e| output(describe_io(&e)))?;
    let written = write_into(record, &temp).and_then(|done| {
        if out.exists() {
            std::fs::remove_dir(out).map_err(|e| output(describe_io(&e)))?;
        }
        std::fs::rename(&temp, out).map_err(|e| output(describe_io(&e)))?;
        Ok(done)
    });
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    written
}

fn write_into(record: &AssessmentRecord, dir: &Path) -> Result<(u64, String, usize), ExportError> {
    let files = files(record);
    let mut sums = String::new();
    let mut bytes = 0u64;
    for (name, text) in &files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| ExportError::Output {
            path: path.clone(),
            message: describe_io(&e),
        })?;
        bytes += text.len() as u64;
        sums.push_str(&format!(
            "{}  {name}\n",
            crate::evidence::sha256_hex(text.as_bytes())
        ));
    }
    let path = dir.join("SHA256SUMS");
    std::fs::write(&path, &sums).map_err(|e| ExportError::Output {
        path,
        message: describe_io(&e),
    })?;
    bytes += sums.len() as u64;
    Ok((
        bytes,
        crate::evidence::sha256_hex(sums.as_bytes()),
        files.len() + 1,
    ))
}
