//! `tickmark verify --against EXPORT`: does the review record still hold
//! exactly the history an earlier export was made from and sealed?
//!
//! An export (evidence bundle, JSON record, OSCAL assessment results, HTML
//! report) carries the record's chain head when it was made and the latest
//! seal of the assessment: the signed statement over an earlier chain head,
//! its SSH signature and the public key. Against the record now:
//!
//! * the event at the export's chain head must still be there with the
//!   same hash (the history up to the export was neither rewritten nor cut
//!   short: deleting events after the seal is found here);
//! * the sealed chain head must be there with the same hash, and the seal
//!   event must carry the same statement and signature, which must verify
//!   with the key given, the key the record binds to the signer.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::signing::PublicKey;
use crate::store::{ChainHead, Problem, RecordedSignature, Store};

use super::bundle::{MAX_DOCUMENT_BYTES, MAX_RECORD_BYTES};
use super::layout::RECORD_ENTRY;

/// What an export says about the record it was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedState {
    /// `evidence bundle`, `JSON record`, `OSCAL assessment results` or `HTML report`.
    pub kind: &'static str,
    /// The assessment's ID, where the export gives it.
    pub assessment_id: Option<i64>,
    /// The assessment's name, where the export gives it.
    pub assessment_name: Option<String>,
    /// The record's chain head when the export was made.
    pub chain_head: Option<ChainHead>,
    /// The seal the export carries.
    pub seal: Option<RecordedSignature>,
}

/// What [`check_against`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgainstReport {
    /// What the export says.
    pub export: ExportedState,
    /// What was confirmed, in sentences.
    pub confirmed: Vec<String>,
    /// What does not match, first first.
    pub problems: Vec<Problem>,
}

impl AgainstReport {
    /// True when the record still holds what the export was made from.
    pub fn matches(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads what `path` (an export of any kind) says about its record.
pub fn read_export(path: &Path) -> Result<ExportedState, String> {
    let shown = path.display();
    let mut head = [0u8; 4];
    let mut file = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
    let n = file.read(&mut head).map_err(|e| format!("{shown}: {e}"))?;
    if head[..n] == *b"PK\x03\x04" {
        return read_bundle(path).map_err(|e| format!("{shown}: {e}"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_DOCUMENT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("{shown}: {e}"))?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "{shown}: larger than the {MAX_DOCUMENT_BYTES} bytes an export is read up to"
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        format!("{shown}: not an export Tickmark wrote (not a zip, and not UTF-8 text)")
    })?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        let value: Value =
            serde_json::from_str(trimmed).map_err(|e| format!("{shown}: not valid JSON ({e})"))?;
        return if value.get("assessment-results").is_some() {
            read_oscal(&value).map_err(|e| format!("{shown}: {e}"))
        } else {
            read_record(trimmed.as_bytes(), "JSON record").map_err(|e| format!("{shown}: {e}"))
        };
    }
    if trimmed.starts_with("<!DOCTYPE html") || trimmed.starts_with("<html") {
        return read_html(trimmed).map_err(|e| format!("{shown}: {e}"));
    }
    Err(format!(
        "{shown}: not an export Tickmark wrote (an evidence bundle, a JSON record, OSCAL assessment results or an HTML report)"
    ))
}

fn read_record(bytes: &[u8], kind: &'static str) -> Result<ExportedState, String> {
    let record = super::json::parse(bytes).map_err(|e| e.to_string())?;
    Ok(ExportedState {
        kind,
        assessment_id: Some(record.assessment.id),
        assessment_name: Some(record.assessment.name.clone()),
        chain_head: record.chain_head.clone(),
        seal: record.seal.clone(),
    })
}

fn read_bundle(path: &Path) -> Result<ExportedState, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| format!("not a readable zip ({e})"))?;
    let mut entry = zip
        .by_name(RECORD_ENTRY)
        .map_err(|_| format!("the bundle holds no {RECORD_ENTRY}"))?;
    if entry.size() > MAX_RECORD_BYTES {
        return Err(format!(
            "its {RECORD_ENTRY} declares {} bytes, more than the {MAX_RECORD_BYTES} read",
            entry.size()
        ));
    }
    let mut bytes = Vec::new();
    (&mut entry)
        .take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("its {RECORD_ENTRY} does not read ({e})"))?;
    read_record(&bytes, "evidence bundle")
}

fn read_oscal(value: &Value) -> Result<ExportedState, String> {
    let results = &value["assessment-results"];
    let props = results["metadata"]["props"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let prop = |name: &str| {
        props
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["value"].as_str())
            .map(str::to_owned)
    };
    let chain_head = match (
        prop("record-chain-head-event"),
        prop("record-chain-head-sha256"),
    ) {
        (Some(seq), Some(hash)) => Some(ChainHead {
            seq: seq
                .parse()
                .map_err(|_| format!("its chain head event `{seq}` is not a number"))?,
            hash,
        }),
        _ => None,
    };
    let seal = results["back-matter"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| {
            r["props"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["name"] == "tickmark-seal"))
        })
        .and_then(|r| r["base64"]["value"].as_str())
        .map(super::signatures::parse_seal_token)
        .transpose()?;
    Ok(ExportedState {
        kind: "OSCAL assessment results",
        assessment_id: None,
        assessment_name: prop("assessment"),
        chain_head,
        seal,
    })
}

fn read_html(text: &str) -> Result<ExportedState, String> {
    let meta = |name: &str| {
        let start = format!("<meta name=\"{name}\" content=\"");
        let at = text.find(&start)? + start.len();
        let end = text[at..].find('"')?;
        Some(text[at..at + end].to_owned())
    };
    let chain_head = meta("tickmark-chain-head")
        .map(|content| {
            let (seq, hash) = content
                .split_once(' ')
                .ok_or_else(|| "its chain head does not read".to_owned())?;
            Ok::<_, String>(ChainHead {
                seq: seq
                    .parse()
                    .map_err(|_| format!("its chain head event `{seq}` is not a number"))?,
                hash: hash.to_owned(),
            })
        })
        .transpose()?;
    let seal = meta("tickmark-seal")
        .map(|token| super::signatures::parse_seal_token(&token))
        .transpose()?;
    let assessment_id = meta("tickmark-assessment").and_then(|id| id.parse().ok());
    if assessment_id.is_none() && chain_head.is_none() {
        return Err(
            "it is HTML but not a Tickmark report that names its record (reports made before seals carry no chain head to check)"
                .to_owned(),
        );
    }
    Ok(ExportedState {
        kind: "HTML report",
        assessment_id,
        assessment_name: None,
        chain_head,
        seal,
    })
}

/// Checks the record in `store` against the export at `path`.
pub fn check_against(store: &Store, path: &Path) -> Result<AgainstReport, String> {
    let export = read_export(path)?;
    let mut report = AgainstReport {
        export: export.clone(),
        confirmed: Vec::new(),
        problems: Vec::new(),
    };
    let problem = |report: &mut AgainstReport, location: String, message: String| {
        report.problems.push(Problem { location, message });
    };
    let text = |e: crate::store::StoreError| e.to_string();
    let assessment = match (&export.assessment_id, &export.assessment_name) {
        (Some(id), _) => store.assessment_by_id(*id).map_err(text)?,
        (None, Some(name)) => store.assessment(name).map_err(text)?,
        (None, None) => None,
    };
    match (&assessment, &export.assessment_name, export.assessment_id) {
        (Some(found), Some(name), _) if &found.name != name => problem(
            &mut report,
            "assessment".into(),
            format!(
                "the export is of \"{name}\", but assessment #{} of the record is \"{}\"",
                found.id, found.name
            ),
        ),
        (Some(found), ..) => report
            .confirmed
            .push(format!("Assessment \"{}\" is in the record.", found.name)),
        (None, name, id) => problem(
            &mut report,
            "assessment".into(),
            format!(
                "the record holds no assessment {}",
                name.as_ref()
                    .map(|n| format!("\"{n}\""))
                    .or(id.map(|i| format!("#{i}")))
                    .unwrap_or_else(|| "named by the export".to_owned())
            ),
        ),
    }
    let now = store.chain_head().map_err(text)?;
    if let Some(head) = &export.chain_head {
        check_head(store, head, now.as_ref(), "made", &mut report)?;
    }
    match &export.seal {
        None => report
            .confirmed
            .push("The export carries no seal (nothing was signed over the chain head).".into()),
        Some(seal) => check_seal(store, seal, now.as_ref(), &mut report)?,
    }
    Ok(report)
}

/// The event at `head` is still there with the same hash.
fn check_head(
    store: &Store,
    head: &ChainHead,
    now: Option<&ChainHead>,
    what: &str,
    report: &mut AgainstReport,
) -> Result<(), String> {
    let location = format!("event #{}", head.seq);
    match store.event_hash(head.seq).map_err(|e| e.to_string())? {
        Some(hash) if hash == head.hash => {
            report.confirmed.push(format!(
                "Event #{} still carries hash {}: the history up to where the export was {what} is unchanged.",
                head.seq, head.hash
            ));
        }
        Some(hash) => report.problems.push(Problem {
            location,
            message: format!(
                "the export was {what} at this event with hash {}, but the record gives it {hash}: the history up to it was rewritten after the export",
                head.hash
            ),
        }),
        None => report.problems.push(Problem {
            location,
            message: format!(
                "the export was {what} when the record reached this event (hash {}), but the record now ends at {}: the events after that were removed, or the record was replaced by an older copy",
                head.hash,
                now.map_or_else(|| "no event at all".to_owned(), |h| format!("event #{}", h.seq))
            ),
        }),
    }
    Ok(())
}

/// The seal: its chain head, its event's statement and signature, and the
/// signature itself.
fn check_seal(
    store: &Store,
    seal: &RecordedSignature,
    now: Option<&ChainHead>,
    report: &mut AgainstReport,
) -> Result<(), String> {
    let location = format!("event #{}", seal.event);
    let key = PublicKey::parse(&seal.public_key).map_err(|e| e.to_string());
    match key.and_then(|key| {
        key.verify(
            seal.signature.statement.as_bytes(),
            &seal.signature.signature,
        )
        .map(|()| key)
        .map_err(|e| e.to_string())
    }) {
        Ok(key) => report.confirmed.push(format!(
            "The seal's signature (event #{}, {} by {}) verifies with {key}.",
            seal.event,
            seal.kind,
            seal.signer.name.as_deref().unwrap_or(&seal.signer.os_user)
        )),
        Err(e) => report.problems.push(Problem {
            location: location.clone(),
            message: format!("the seal the export carries does not verify: {e}"),
        }),
    }
    check_head(store, &seal.sealed_head, now, "sealed", report)?;
    match store
        .signature_of_event(seal.event)
        .map_err(|e| e.to_string())?
    {
        Some(kept) if kept == seal.signature => report.confirmed.push(format!(
            "Event #{} in the record carries the same signed statement and signature.",
            seal.event
        )),
        Some(_) => report.problems.push(Problem {
            location,
            message: "the record's signed statement or signature for this event differs from the one the export carries".into(),
        }),
        None => report.problems.push(Problem {
            location,
            message: "the export carries this event's seal, but the record holds no signature for it (removed after the export)".into(),
        }),
    }
    Ok(())
}
