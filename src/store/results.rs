//! Check results as the record keeps them: each result once per run, with
//! its resources' rows in two lists stored beside it.
//!
//! A check over 30,000 containers judges 30,000 resources. Kept inline, the
//! run's event and its `check_results` rows would each hold every row; kept
//! like this, the result holds its outcome, reason, counts and the files
//! its resources cite, and names two lists by the SHA-256 of their text:
//! the resources that fail or could not be judged, in full, and those that
//! pass (each with its identity, reason and pointer). The lists are stored
//! once per SHA-256 in `result_lists`, compressed, and read only when
//! someone opens them; a run that judges the same resources the same way
//! stores nothing new.
//!
//! The split loses nothing: [`expand`] gives back the result exactly as the
//! checks made it (rows in their order, the result's evidence with its
//! resources' references merged back). A result without resources is kept
//! as it is, and so is every result a release before this one recorded
//! (its resources inline): both read through the same functions.

use std::collections::BTreeSet;
use std::io::{Read, Write};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Digest;

use super::error::{Result, StoreError};
use crate::checks::{CheckResult, CheckStatus, ResourceResult};
use crate::evidence::EvidenceRef;
use crate::scope::ScopeClass;

/// The key of a compact result that holds its resources' counts and lists.
pub(crate) const LISTS_KEY: &str = "resource_lists";

/// The first field of every list's text: its format and version.
const LIST_FORMAT: &str = "tickmark.resources/1";

/// How many of a check's resources had each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceCounts {
    /// Resources that pass.
    pub pass: usize,
    /// Resources that fail.
    pub fail: usize,
    /// Resources that could not be judged.
    pub not_evaluated: usize,
}

impl ResourceCounts {
    /// Counts `resources` by outcome.
    pub fn of(resources: &[ResourceResult]) -> ResourceCounts {
        let mut counts = ResourceCounts::default();
        for resource in resources {
            match resource.status {
                CheckStatus::Pass => counts.pass += 1,
                CheckStatus::Fail => counts.fail += 1,
                CheckStatus::NotEvaluated => counts.not_evaluated += 1,
            }
        }
        counts
    }

    /// Every resource judged.
    pub fn total(&self) -> usize {
        self.pass + self.fail + self.not_evaluated
    }

    /// Those that fail or could not be judged.
    pub fn not_passing(&self) -> usize {
        self.fail + self.not_evaluated
    }
}

/// Where a compact result's resources are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ResourceLists {
    pub pass: usize,
    pub fail: usize,
    pub not_evaluated: usize,
    /// SHA-256 of the text of the list of resources that fail or could not
    /// be judged (none when there are none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_passing: Option<String>,
    /// SHA-256 of the text of the list of resources that pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passing: Option<String>,
    /// The files the resources cite, sorted, each once.
    pub files: Vec<String>,
    /// True when the result's evidence listed every reference of its
    /// resources (as [`CheckResult::from_resources`] makes it): those are
    /// left out of `evidence` and merged back by [`expand`].
    pub evidence_from_resources: bool,
}

impl ResourceLists {
    pub fn counts(&self) -> ResourceCounts {
        ResourceCounts {
            pass: self.pass,
            fail: self.fail,
            not_evaluated: self.not_evaluated,
        }
    }
}

/// A result with resources, as the record keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CompactResult {
    pub check: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    pub status: CheckStatus,
    pub reason: String,
    /// The result's own evidence (see
    /// [`ResourceLists::evidence_from_resources`]).
    pub evidence: Vec<EvidenceRef>,
    pub resource_lists: ResourceLists,
}

/// A list's text, ready to store: keyed by the SHA-256 of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListText {
    pub sha256: String,
    pub rows: usize,
    pub text: Vec<u8>,
}

/// One resource in a list: `[position, resource, status, reason, evidence,
/// scope]` for resources that do not pass, `[resource, reason, evidence,
/// scope]` for those that do (their positions are the gaps the others
/// leave). Each evidence reference is `[file index, pointer, resource]`;
/// the scope is the resource's PCI scope class, or null.
type Reference = (usize, String, Option<String>);
type NotPassingRow = (
    usize,
    String,
    CheckStatus,
    String,
    Vec<Reference>,
    Option<ScopeClass>,
);
type PassingRow = (String, String, Vec<Reference>, Option<ScopeClass>);

#[derive(Serialize, Deserialize)]
struct ListDoc<R> {
    format: String,
    paths: Vec<String>,
    rows: Vec<R>,
}

/// The stored form of `result`: a compact result and its lists when it has
/// resources, the result as it is otherwise.
pub(crate) fn compact(result: &CheckResult) -> Result<(Value, Vec<ListText>)> {
    if result.resources.is_empty() {
        return Ok((serde_json::to_value(result)?, Vec::new()));
    }
    let counts = ResourceCounts::of(&result.resources);
    let paths: Vec<String> = result
        .resources
        .iter()
        .flat_map(|r| r.evidence.iter().map(|e| e.path.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let path_index = |path: &str| {
        paths
            .binary_search_by(|p| p.as_str().cmp(path))
            .unwrap_or(0)
    };
    let references = |resource: &ResourceResult| -> Vec<Reference> {
        resource
            .evidence
            .iter()
            .map(|e| (path_index(&e.path), e.pointer.clone(), e.resource.clone()))
            .collect()
    };
    let mut not_passing: Vec<NotPassingRow> = Vec::new();
    let mut passing: Vec<PassingRow> = Vec::new();
    for (position, resource) in result.resources.iter().enumerate() {
        if resource.status == CheckStatus::Pass {
            passing.push((
                resource.resource.clone(),
                resource.reason.clone(),
                references(resource),
                resource.scope,
            ));
        } else {
            not_passing.push((
                position,
                resource.resource.clone(),
                resource.status,
                resource.reason.clone(),
                references(resource),
                resource.scope,
            ));
        }
    }
    let mut lists = Vec::new();
    let not_passing = list_text(&paths, not_passing)?.map(|list| {
        let key = list.sha256.clone();
        lists.push(list);
        key
    });
    let passing = list_text(&paths, passing)?.map(|list| {
        let key = list.sha256.clone();
        lists.push(list);
        key
    });
    // A result over a few resources keeps its whole evidence list (the app
    // lists it under the result); a large one leaves its resources' own
    // references to their rows, and they are merged back on reading.
    let (evidence, evidence_from_resources) = if result.resources.len() > EVIDENCE_KEPT_WHOLE {
        own_evidence(result)
    } else {
        (result.evidence.clone(), false)
    };
    let compact = CompactResult {
        check: result.check.clone(),
        requirement: result.requirement.clone(),
        framework: result.framework.clone(),
        status: result.status,
        reason: result.reason.clone(),
        evidence,
        resource_lists: ResourceLists {
            pass: counts.pass,
            fail: counts.fail,
            not_evaluated: counts.not_evaluated,
            not_passing,
            passing,
            files: paths,
            evidence_from_resources,
        },
    };
    Ok((serde_json::to_value(&compact)?, lists))
}

/// Up to how many resources a stored result keeps its evidence list whole.
const EVIDENCE_KEPT_WHOLE: usize = 200;

/// The result's evidence without its resources' references, when it lists
/// them all in order (then they are merged back on reading); otherwise all
/// of it.
pub(crate) fn own_evidence(result: &CheckResult) -> (Vec<EvidenceRef>, bool) {
    let strictly_sorted = result.evidence.windows(2).all(|w| w[0] < w[1]);
    let of_resources: BTreeSet<&EvidenceRef> = result
        .resources
        .iter()
        .flat_map(|r| r.evidence.iter())
        .collect();
    let listed: BTreeSet<&EvidenceRef> = result.evidence.iter().collect();
    if !strictly_sorted || !of_resources.iter().all(|e| listed.contains(e)) {
        return (result.evidence.clone(), false);
    }
    let own = result
        .evidence
        .iter()
        .filter(|e| !of_resources.contains(e))
        .cloned()
        .collect();
    (own, true)
}

fn list_text<R: Serialize>(paths: &[String], rows: Vec<R>) -> Result<Option<ListText>> {
    if rows.is_empty() {
        return Ok(None);
    }
    let count = rows.len();
    let doc = ListDoc {
        format: LIST_FORMAT.to_owned(),
        paths: paths.to_vec(),
        rows,
    };
    let text = serde_json::to_vec(&doc)?;
    Ok(Some(ListText {
        sha256: crate::evidence::sha256_hex(&text),
        rows: count,
        text,
    }))
}

/// The stored form of a result as stored by any release: a result with its
/// resources inline (recorded before lists existed) becomes the compact
/// result it would be recorded as now; any other is returned as it is.
pub(crate) fn stored_form(value: &Value) -> Result<Value> {
    if is_compact(value) || !has_inline_resources(value) {
        return Ok(value.clone());
    }
    let result: CheckResult = serde_json::from_value(value.clone())?;
    Ok(compact(&result)?.0)
}

/// True for a compact result (its resources in lists).
pub(crate) fn is_compact(value: &Value) -> bool {
    value.get(LISTS_KEY).is_some()
}

fn has_inline_resources(value: &Value) -> bool {
    value
        .get("resources")
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty())
}

/// The files a stored result cites, its resources' included.
pub(crate) fn cited_paths(value: &Value) -> Vec<&str> {
    let mut out = paths_of(value);
    if let Some(files) = value
        .get(LISTS_KEY)
        .and_then(|l| l.get("files"))
        .and_then(Value::as_array)
    {
        out.extend(files.iter().filter_map(Value::as_str));
    }
    if let Some(resources) = value.get("resources").and_then(Value::as_array) {
        for resource in resources {
            out.extend(paths_of(resource));
        }
    }
    out
}

/// The `path` of each entry of `value.evidence`.
fn paths_of(value: &Value) -> Vec<&str> {
    value
        .get("evidence")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("path").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default()
}

/// Which of a result's resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResourceKind {
    /// Those that fail or could not be judged, in the order judged.
    NotPassing,
    /// Those that pass, in the order judged.
    Passing,
}

/// The rows of one list of a stored result, in the order judged.
pub(crate) fn rows_of(
    conn: &Connection,
    value: &Value,
    kind: ResourceKind,
) -> Result<Vec<ResourceResult>> {
    if !is_compact(value) {
        // Inline (or none): split them the same way.
        let resources: Vec<ResourceResult> = match value.get("resources") {
            Some(r) => serde_json::from_value(r.clone())?,
            None => Vec::new(),
        };
        return Ok(resources
            .into_iter()
            .filter(|r| (r.status == CheckStatus::Pass) == (kind == ResourceKind::Passing))
            .collect());
    }
    let compact: CompactResult = serde_json::from_value(value.clone())?;
    let lists = &compact.resource_lists;
    match kind {
        ResourceKind::NotPassing => match &lists.not_passing {
            Some(key) => Ok(decode_not_passing(&read_list(conn, key)?, key)?
                .into_iter()
                .map(|(_, row)| row)
                .collect()),
            None => Ok(Vec::new()),
        },
        ResourceKind::Passing => match &lists.passing {
            Some(key) => decode_passing(&read_list(conn, key)?, key),
            None => Ok(Vec::new()),
        },
    }
}

fn corrupt(key: &str, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("result list {}: {what}", short(key)))
}

fn short(key: &str) -> &str {
    key.get(..12).unwrap_or(key)
}

fn reference(
    paths: &[String],
    key: &str,
    (file, pointer, resource): Reference,
) -> Result<EvidenceRef> {
    let path = paths.get(file).ok_or_else(|| {
        corrupt(
            key,
            format!("a reference names file {file} of {}", paths.len()),
        )
    })?;
    Ok(EvidenceRef {
        path: path.clone(),
        pointer,
        resource,
    })
}

fn read_doc<R: serde::de::DeserializeOwned>(text: &[u8], key: &str) -> Result<ListDoc<R>> {
    let doc: ListDoc<R> =
        serde_json::from_slice(text).map_err(|e| corrupt(key, format!("does not read: {e}")))?;
    if doc.format != LIST_FORMAT {
        return Err(corrupt(key, format!("unknown format `{}`", doc.format)));
    }
    Ok(doc)
}

fn decode_not_passing(text: &[u8], key: &str) -> Result<Vec<(usize, ResourceResult)>> {
    let doc: ListDoc<NotPassingRow> = read_doc(text, key)?;
    let paths = doc.paths;
    doc.rows
        .into_iter()
        .map(|(position, resource, status, reason, refs, scope)| {
            let evidence = refs
                .into_iter()
                .map(|r| reference(&paths, key, r))
                .collect::<Result<Vec<_>>>()?;
            Ok((
                position,
                ResourceResult {
                    resource,
                    status,
                    reason,
                    evidence,
                    scope,
                },
            ))
        })
        .collect()
}

fn decode_passing(text: &[u8], key: &str) -> Result<Vec<ResourceResult>> {
    let doc: ListDoc<PassingRow> = read_doc(text, key)?;
    let paths = doc.paths;
    doc.rows
        .into_iter()
        .map(|(resource, reason, refs, scope)| {
            let evidence = refs
                .into_iter()
                .map(|r| reference(&paths, key, r))
                .collect::<Result<Vec<_>>>()?;
            Ok(ResourceResult {
                resource,
                status: CheckStatus::Pass,
                reason,
                evidence,
                scope,
            })
        })
        .collect()
}

/// The result a stored value describes with only its resources that do not
/// pass (read from the list that holds them; the passing list is not read).
pub(crate) fn not_passing_of(conn: &Connection, value: &Value) -> Result<CheckResult> {
    if !is_compact(value) {
        let mut result: CheckResult = serde_json::from_value(value.clone())?;
        result.resources.retain(|r| r.status != CheckStatus::Pass);
        return Ok(result);
    }
    let compact: CompactResult = serde_json::from_value(value.clone())?;
    let resources = rows_of(conn, value, ResourceKind::NotPassing)?;
    Ok(CheckResult {
        check: compact.check,
        requirement: compact.requirement,
        framework: compact.framework,
        status: compact.status,
        reason: compact.reason,
        evidence: compact.evidence,
        resources,
    })
}

/// The result a stored value describes, resources and all (read from the
/// lists of a compact one).
pub(crate) fn expand(conn: &Connection, value: &Value) -> Result<CheckResult> {
    if !is_compact(value) {
        return Ok(serde_json::from_value(value.clone())?);
    }
    let compact: CompactResult = serde_json::from_value(value.clone())?;
    let lists = &compact.resource_lists;
    let total = lists.counts().total();
    let not_passing = match &lists.not_passing {
        Some(key) => decode_not_passing(&read_list(conn, key)?, key)?,
        None => Vec::new(),
    };
    let passing = rows_of(conn, value, ResourceKind::Passing)?;
    if not_passing.len() + passing.len() != total {
        return Err(corrupt(
            &compact.check,
            format!(
                "the lists hold {} rows, the result counts {total}",
                not_passing.len() + passing.len()
            ),
        ));
    }
    let mut resources = Vec::with_capacity(total);
    let mut passing = passing.into_iter();
    for (position, row) in not_passing {
        if position < resources.len() || position >= total {
            return Err(corrupt(
                &compact.check,
                format!("row position {position} is out of place"),
            ));
        }
        while resources.len() < position {
            resources.extend(passing.next());
        }
        resources.push(row);
    }
    resources.extend(passing);
    let evidence = if lists.evidence_from_resources {
        let mut all: BTreeSet<EvidenceRef> = compact.evidence.iter().cloned().collect();
        all.extend(resources.iter().flat_map(|r| r.evidence.iter().cloned()));
        all.into_iter().collect()
    } else {
        compact.evidence.clone()
    };
    Ok(CheckResult {
        check: compact.check,
        requirement: compact.requirement,
        framework: compact.framework,
        status: compact.status,
        reason: compact.reason,
        evidence,
        resources,
    })
}

/// Stores a list (compressed) unless a list with its SHA-256 is stored.
pub(crate) fn store_list(conn: &Connection, list: &ListText) -> Result<()> {
    let known: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM result_lists WHERE sha256 = ?1",
            [&list.sha256],
            |row| row.get(0),
        )
        .optional()?;
    if known.is_some() {
        return Ok(());
    }
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(LEVEL));
    encoder
        .write_all(&list.text)
        .map_err(|e| StoreError::Corrupt(format!("compressing a result list: {e}")))?;
    let bytes = encoder
        .finish()
        .map_err(|e| StoreError::Corrupt(format!("compressing a result list: {e}")))?;
    conn.execute(
        "INSERT INTO result_lists (sha256, size, rows, bytes) VALUES (?1, ?2, ?3, ?4)",
        params![
            list.sha256,
            super::apply::to_i64(list.text.len() as u64),
            super::apply::to_i64(list.rows as u64),
            bytes
        ],
    )?;
    Ok(())
}

/// The compression level of stored lists: fast, since a run writes every
/// list while the import waits, and the lists compress well anyway.
const LEVEL: u32 = 1;

/// The text of the stored list `sha256`, checked against its key.
pub(crate) fn read_list(conn: &Connection, sha256: &str) -> Result<Vec<u8>> {
    let row: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT size, bytes FROM result_lists WHERE sha256 = ?1",
            [sha256],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let (size, bytes) = row.ok_or_else(|| corrupt(sha256, "it is not in the record"))?;
    let mut text = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    flate2::read::DeflateDecoder::new(bytes.as_slice())
        .read_to_end(&mut text)
        .map_err(|e| corrupt(sha256, format!("does not decompress: {e}")))?;
    if crate::evidence::sha256_hex(&text) != sha256 {
        return Err(corrupt(
            sha256,
            "its text does not hash to its key (changed outside Tickmark?)",
        ));
    }
    Ok(text)
}

/// SHA-256 and length of the text of a stored list, decompressed a piece
/// at a time (constant memory).
pub(crate) fn hash_compressed(bytes: impl Read) -> std::io::Result<(String, u64)> {
    let mut decoder = flate2::read::DeflateDecoder::new(bytes);
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut length = 0u64;
    loop {
        let n = decoder.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        length += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), length))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(path: &str, pointer: &str) -> EvidenceRef {
        EvidenceRef {
            path: path.into(),
            pointer: pointer.into(),
            resource: Some(format!("res{pointer}")),
        }
    }

    fn resource(i: usize, status: CheckStatus) -> ResourceResult {
        ResourceResult::new(
            format!("ns/Pod/p{i}/app"),
            status,
            format!("reason {}", i % 3),
            vec![reference(
                if i.is_multiple_of(2) {
                    "a.json"
                } else {
                    "b.json"
                },
                &format!("/items/{i}"),
            )],
        )
    }

    fn sample() -> CheckResult {
        let statuses = [
            CheckStatus::Pass,
            CheckStatus::Fail,
            CheckStatus::Pass,
            CheckStatus::NotEvaluated,
            CheckStatus::Pass,
        ];
        let resources = statuses
            .iter()
            .enumerate()
            .map(|(i, &s)| resource(i, s))
            .collect();
        let mut result =
            CheckResult::from_resources("k8s.pod-non-root", "container", resources, "none");
        result.evidence.push(reference("z.json", "/own"));
        result
    }

    fn memory() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn, "t", super::super::SCHEMA_VERSION).unwrap();
        conn
    }

    #[test]
    fn a_compact_result_expands_to_the_result_it_was_made_from() {
        let conn = memory();
        let result = sample();
        let (value, lists) = compact(&result).unwrap();
        assert_eq!(lists.len(), 2);
        for list in &lists {
            store_list(&conn, list).unwrap();
            assert_eq!(read_list(&conn, &list.sha256).unwrap(), list.text);
        }
        assert!(value.get("resources").is_none());
        assert_eq!(value[LISTS_KEY]["pass"], 3);
        assert_eq!(value[LISTS_KEY]["fail"], 1);
        assert_eq!(
            value[LISTS_KEY]["files"],
            serde_json::json!(["a.json", "b.json"])
        );
        assert_eq!(
            value["evidence"].as_array().unwrap().len(),
            result.evidence.len(),
            "a result over a few resources keeps its whole evidence list"
        );
        assert_eq!(expand(&conn, &value).unwrap(), result);
        // A large one keeps only its own reference; its resources' come back
        // from the rows.
        let many: Vec<ResourceResult> = (0..=EVIDENCE_KEPT_WHOLE)
            .map(|i| resource(i, CheckStatus::Pass))
            .collect();
        let mut large = CheckResult::from_resources("k8s.pod-non-root", "container", many, "none");
        large.evidence.push(reference("z.json", "/own"));
        let (large_value, large_lists) = compact(&large).unwrap();
        for list in &large_lists {
            store_list(&conn, list).unwrap();
        }
        assert_eq!(
            large_value["evidence"].as_array().unwrap().len(),
            1,
            "only its own reference"
        );
        assert_eq!(expand(&conn, &large_value).unwrap(), large);
        // Storing the same list again stores nothing new.
        store_list(&conn, &lists[0]).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM result_lists", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n as usize, 2 + large_lists.len());
        let passing = rows_of(&conn, &value, ResourceKind::Passing).unwrap();
        let names: Vec<&str> = passing.iter().map(|r| r.resource.as_str()).collect();
        assert_eq!(names, ["ns/Pod/p0/app", "ns/Pod/p2/app", "ns/Pod/p4/app"]);
        // An inline result splits the same way.
        let inline = serde_json::to_value(&result).unwrap();
        assert_eq!(
            rows_of(&conn, &inline, ResourceKind::Passing).unwrap(),
            passing
        );
        assert_eq!(stored_form(&inline).unwrap(), value);
        assert_eq!(
            cited_paths(&value).into_iter().collect::<BTreeSet<_>>(),
            cited_paths(&inline).into_iter().collect::<BTreeSet<_>>()
        );
    }

    #[test]
    fn evidence_out_of_order_is_kept_whole() {
        let conn = memory();
        let mut result = sample();
        result.evidence.reverse();
        let (value, lists) = compact(&result).unwrap();
        lists.iter().for_each(|l| store_list(&conn, l).unwrap());
        assert_eq!(value[LISTS_KEY]["evidence_from_resources"], false);
        assert_eq!(expand(&conn, &value).unwrap(), result);
        let plain = CheckResult::not_evaluated("aks.private-cluster", "no cluster");
        let (value, lists) = compact(&plain).unwrap();
        assert!(lists.is_empty());
        assert_eq!(value, serde_json::to_value(&plain).unwrap());
    }

    #[test]
    fn a_changed_list_is_refused() {
        let conn = memory();
        let (_, lists) = compact(&sample()).unwrap();
        let list = &lists[0];
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(b"{\"format\":\"x\"}").unwrap();
        let bytes = encoder.finish().unwrap();
        conn.execute(
            "INSERT INTO result_lists (sha256, size, rows, bytes) VALUES (?1, 1, 1, ?2)",
            params![list.sha256, bytes],
        )
        .unwrap();
        let err = read_list(&conn, &list.sha256).unwrap_err();
        assert!(err.to_string().contains("does not hash"), "{err}");
        let (hash, length) = hash_compressed(bytes.as_slice()).unwrap();
        assert_ne!(hash, list.sha256);
        assert_eq!(length, 14);
    }
}
