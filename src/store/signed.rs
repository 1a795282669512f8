//! Signed events: the statement a sign-off, an approval or a seal signs.
//!
//! The statement is JSON that says what is signed in full: the kind, the
//! assessment, the requirement with its finding and method, the hashes the
//! sign-off binds to (evidence, results, note, attachments, worksheet), or
//! the approval's decision, override and requirement hashes; the signer
//! (profile, name, e-mail, role, OS user, key); the time; and the chain
//! head it follows: the number and hash of the event before it, which pins
//! the whole history up to the signature.
//!
//! It is made from the record as it stands just before the event, signed,
//! and kept with the event. `verify` makes it again from the replayed record
//! at the same point and compares: a signed event whose content, or any
//! event before it, was changed (even with every hash recomputed) no longer
//! matches what was signed, and the signature no longer verifies against
//! the key bound to the profile at the time.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::canonical::canonical_json;
use super::error::{Result, StoreError};
use super::event::{Change, EventRow, EventSignature};
use super::model::SignOffLevel;
use crate::signing::{NAMESPACE, PublicKey, Signer};

/// The statement format's name and version.
pub(crate) const STATEMENT_FORMAT: &str = "tickmark-signed-statement/1";

/// Where a signed event goes: its number, time, link and actor.
pub(crate) struct Context<'a> {
    pub seq: i64,
    pub prev_hash: &'a str,
    pub at: &'a str,
    pub profile: Option<i64>,
    pub os_user: &'a str,
    pub assessment: Option<i64>,
}

impl<'a> Context<'a> {
    /// The context of a stored event.
    pub fn of(ev: &'a EventRow) -> Context<'a> {
        Context {
            seq: ev.seq,
            prev_hash: &ev.prev_hash,
            at: &ev.at,
            profile: ev.actor_profile,
            os_user: &ev.actor_os_user,
            assessment: ev.assessment,
        }
    }
}

/// The sample assessment's name in the releases before schema 3.
pub(crate) const LEGACY_SAMPLE_ASSESSMENT: &str = "Sample: Harbourline Payments (fictional)";

/// The sample auditor's name and e-mail address in the releases before
/// schema 3.
pub(crate) const LEGACY_SAMPLE_AUDITOR: (&str, &str) = (
    "Robin Sample (fictional sample auditor)",
    "robin.sample@auditor.example",
);

/// The bundled sample's fictional auditor as the releases before schema 3
/// created it (without the `sample` flag).
pub(crate) fn is_legacy_sample_profile(name: &str, email: &str) -> bool {
    (name, email) == LEGACY_SAMPLE_AUDITOR
}

/// The bundled sample assessment as the releases before schema 3 created
/// it.
pub(crate) fn is_legacy_sample_assessment(name: &str) -> bool {
    name == LEGACY_SAMPLE_ASSESSMENT
}

/// A profile's signing state as it stands in `conn`.
pub(crate) struct SignerRow {
    pub name: String,
    pub email: String,
    pub key: Option<(String, String, i64)>,
}

pub(crate) fn signer_row(conn: &Connection, profile: i64) -> Result<Option<SignerRow>> {
    Ok(conn
        .query_row(
            "SELECT name, email, ssh_key, key_fingerprint, key_seq FROM profiles WHERE id = ?1",
            [profile],
            |row| {
                let key = match (
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                ) {
                    (Some(key), Some(fingerprint), Some(seq)) => Some((key, fingerprint, seq)),
                    _ => None,
                };
                Ok(SignerRow {
                    name: row.get(0)?,
                    email: row.get(1)?,
                    key,
                })
            },
        )
        .optional()?)
}

/// The statement of `change` as event `context`, from the record in `conn`
/// as it stands just before that event (`None` for a change that is never
/// signed).
pub(crate) fn statement(
    conn: &Connection,
    context: &Context<'_>,
    change: &Change,
) -> Result<Option<Value>> {
    let Some((kind, body)) = body(change) else {
        return Ok(None);
    };
    let profile = context
        .profile
        .ok_or_else(|| StoreError::Rule("a signed change needs a reviewer profile".into()))?;
    let signer = signer_row(conn, profile)?
        .ok_or_else(|| StoreError::NotFound(format!("there is no profile #{profile}")))?;
    let assessment = match context.assessment {
        Some(id) => conn
            .query_row(
                "SELECT name, catalog_id FROM assessments WHERE id = ?1",
                [id],
                |row| Ok(json!({"id": id, "name": row.get::<_, String>(0)?, "catalog": row.get::<_, String>(1)?})),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("there is no assessment #{id}")))?,
        None => Value::Null,
    };
    let role = match change {
        Change::SignOffRecorded { role, .. } | Change::ApprovalRecorded { role, .. } => {
            json!(role.id())
        }
        _ => conn
            .query_row(
                "SELECT role FROM profiles WHERE id = ?1",
                [profile],
                |row| row.get::<_, String>(0),
            )
            .map(Value::from)?,
    };
    let mut value = json!({
        "format": STATEMENT_FORMAT,
        "namespace": NAMESPACE,
        "kind": kind,
        "assessment": assessment,
        "signer": {
            "profile": profile,
            "name": signer.name,
            "email": signer.email,
            "role": role,
            "os_user": context.os_user,
            "key": signer.key.as_ref().map(|(_, fingerprint, _)| fingerprint.clone()),
        },
        "signed_at": context.at,
        "record": {
            "event": context.seq,
            "follows_event": context.seq - 1,
            "chain_head": context.prev_hash,
        },
    });
    if let (Value::Object(out), Value::Object(body)) = (&mut value, body) {
        out.extend(body);
    }
    Ok(Some(value))
}

/// The kind-specific part of a statement.
fn body(change: &Change) -> Option<(&'static str, Value)> {
    match change {
        Change::SignOffRecorded {
            requirement,
            statement,
            run,
            binding,
            binding_hash,
            level,
            reviews,
            ..
        } => {
            let conclusion = binding.conclusion();
            let mut body = json!({
                    "requirement": requirement,
                    "finding": conclusion.map(|c| c.finding.id()),
                    "method": conclusion.map(|c| c.method.id()),
                    "statement": statement,
                    "binds": {
                        "run": run,
                        "evidence_sha256": binding.evidence_sha256,
                        "results_sha256": binding.results_sha256,
                        "note_sha256": binding.note_sha256,
                        "attachments_sha256": binding.attachments_sha256,
                        "worksheet_sha256": binding.worksheet_sha256,
                        "binding_sha256": binding_hash,
                    },
            });
            // A preparer's statement reads as sign-offs always have; a
            // reviewer's says so and names the sign-off it reviewed.
            let kind = match level {
                SignOffLevel::Preparer => "sign-off",
                SignOffLevel::Reviewer => {
                    if let Value::Object(map) = &mut body {
                        map.insert("level".into(), json!(level.id()));
                        map.insert("reviews".into(), json!(reviews));
                    }
                    "reviewer-sign-off"
                }
            };
            Some((kind, body))
        }
        Change::ApprovalRecorded {
            decision,
            statement,
            justification,
            unconcluded,
            binding_hash,
            open_items,
            ..
        } => Some((
            "approval",
            json!({
                "decision": decision.id(),
                "statement": statement,
                "justification": justification,
                "unconcluded": unconcluded,
                "open_items": open_items,
                "binds": {"requirements_sha256": binding_hash},
            }),
        )),
        Change::RecordSealed { note, .. } => Some(("seal", json!({ "note": note }))),
        _ => None,
    }
}

/// The text signed: the statement as indented JSON with sorted keys and a
/// final newline.
fn text(value: &Value) -> String {
    let sorted: Value = serde_json::from_str(&canonical_json(value)).unwrap_or(Value::Null);
    let mut out = serde_json::to_string_pretty(&sorted).unwrap_or_default();
    out.push('\n');
    out
}

/// Signs `change` as event `context` with `signer` and puts the signature
/// into it. Refused unless `signer` holds the key bound to the profile.
pub(crate) fn sign(
    conn: &Connection,
    context: &Context<'_>,
    change: &mut Change,
    signer: &dyn Signer,
) -> Result<()> {
    let profile = context.profile.unwrap_or_default();
    let registered = signer_row(conn, profile)?
        .and_then(|row| row.key)
        .ok_or_else(|| {
            StoreError::Rule(
                "this profile has no signing key; register its SSH public key first".into(),
            )
        })?;
    let used = signer.public_key().fingerprint();
    if used != registered.1 {
        return Err(crate::signing::SigningError::WrongKey {
            used,
            registered: registered.1,
        }
        .into());
    }
    let value = statement(conn, context, change)?
        .ok_or_else(|| StoreError::Corrupt("this change is never signed".into()))?;
    let statement = text(&value);
    let signature = signer.sign(statement.as_bytes())?;
    let signed = EventSignature {
        key: registered.1,
        statement,
        signature,
    };
    match change {
        Change::SignOffRecorded { signature, .. } | Change::ApprovalRecorded { signature, .. } => {
            *signature = Some(signed);
        }
        Change::RecordSealed { signature, .. } => *signature = signed,
        _ => {}
    }
    Ok(())
}

/// True when `change` carries a signature.
pub(crate) fn is_signed(change: &Change) -> bool {
    matches!(signature_of(change), Some(Some(_)))
}

/// The signature a change carries, and whether it is a kind that is signed.
fn signature_of(change: &Change) -> Option<Option<&EventSignature>> {
    match change {
        Change::SignOffRecorded { signature, .. } | Change::ApprovalRecorded { signature, .. } => {
            Some(signature.as_ref())
        }
        Change::RecordSealed { signature, .. } => Some(Some(signature)),
        _ => None,
    }
}

/// Checks a stored event's signature against `conn`, the record replayed up
/// to just before it: the key is the one bound to the profile then, the
/// statement is what the event and the record say, and the signature
/// verifies. `covered` is the last event an intact signature before this
/// one covers (0 if none). Returns what does not hold, in sentences.
pub(crate) fn check(
    conn: &Connection,
    ev: &EventRow,
    change: &Change,
    covered: i64,
) -> Vec<String> {
    let Some(signature) = signature_of(change) else {
        return Vec::new();
    };
    let row = ev
        .actor_profile
        .map(|id| signer_row(conn, id))
        .transpose()
        .ok()
        .flatten()
        .flatten();
    let Some(row) = row else {
        return signature
            .map(|_| {
                vec!["it carries a signature but names no profile that existed then".to_owned()]
            })
            .unwrap_or_default();
    };
    let Some(signature) = signature else {
        return match &row.key {
            Some((_, fingerprint, seq)) => vec![format!(
                "it carries no signature, yet {}'s key {fingerprint} was bound to the profile at event #{seq}, so everything it records is signed: the signature was removed after the event was written",
                row.name
            )],
            None => Vec::new(),
        };
    };
    let Some((key_text, fingerprint, bound_at)) = &row.key else {
        return vec![format!(
            "it is signed with key {}, but no key was bound to {}'s profile at that time",
            signature.key, row.name
        )];
    };
    if &signature.key != fingerprint {
        return vec![format!(
            "it is signed with key {}, but the key bound to {}'s profile then (at event #{bound_at}) is {fingerprint}",
            signature.key, row.name
        )];
    }
    let mut problems = Vec::new();
    match compare_statement(conn, ev, change, &signature.statement, covered) {
        Ok(None) => {}
        Ok(Some(problem)) => problems.push(problem),
        Err(e) => problems.push(format!("its statement cannot be made again: {e}")),
    }
    let verified = PublicKey::parse(key_text)
        .and_then(|key| key.verify(signature.statement.as_bytes(), &signature.signature));
    if let Err(e) = verified {
        problems.push(format!(
            "its signature by {} does not verify: {e}",
            row.name
        ));
    }
    problems
}

/// Compares the statement kept with the event with the one the record
/// gives now; what differs, in a sentence.
fn compare_statement(
    conn: &Connection,
    ev: &EventRow,
    change: &Change,
    kept: &str,
    covered: i64,
) -> Result<Option<String>> {
    let Some(now) = statement(conn, &Context::of(ev), change)? else {
        return Ok(None);
    };
    let kept: Value = match serde_json::from_str(kept) {
        Ok(value) => value,
        Err(e) => return Ok(Some(format!("its signed statement is not JSON ({e})"))),
    };
    if canonical_json(&kept) == canonical_json(&now) {
        return Ok(None);
    }
    let signed_head = kept
        .pointer("/record/chain_head")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if signed_head != ev.prev_hash {
        let range = if covered > 0 {
            format!("after event #{covered}, which an earlier intact signature covers")
        } else {
            "before it".to_owned()
        };
        return Ok(Some(format!(
            "its signature covers the history up to event #{} with hash {signed_head}, but that history now hashes to {}: an event {range} was changed and the hashes after it recomputed",
            ev.seq - 1,
            ev.prev_hash
        )));
    }
    let field = first_difference(&kept, &now).unwrap_or_else(|| "its content".to_owned());
    Ok(Some(format!(
        "what was signed no longer matches what the event records ({field} differs): the event was changed after it was signed"
    )))
}

/// The path of the first field that differs between two statements.
fn first_difference(kept: &Value, now: &Value) -> Option<String> {
    match (kept, now) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|key| {
                let (x, y) = (a.get(key), b.get(key));
                if x == y {
                    return None;
                }
                match (x, y) {
                    (Some(x), Some(y)) => Some(
                        first_difference(x, y)
                            .map(|inner| format!("{key}.{inner}"))
                            .unwrap_or_else(|| key.clone()),
                    ),
                    _ => Some(key.clone()),
                }
            })
        }
        _ if kept != now => None,
        _ => None,
    }
}

/// Every signature of `assessment` (or of the whole record), oldest first.
pub(crate) fn signatures(
    conn: &Connection,
    people: &super::read::People,
    assessment: i64,
) -> Result<Vec<crate::store::RecordedSignature>> {
    let mut stmt = conn.prepare(
        "SELECT s.event, s.kind, s.profile, s.key_fingerprint, s.statement, s.signature,
                e.at, e.actor_os_user, e.prev_hash, e.payload
         FROM signatures s JOIN events e ON e.seq = s.event
         WHERE s.assessment = ?1 ORDER BY s.event",
    )?;
    let rows = stmt
        .query_map(params![assessment], |row| {
            Ok((
                (
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                ),
                (
                    row.get::<_, String>(5)?,
                    row.get::<_, String>(6)?,
                    row.get::<_, String>(7)?,
                    row.get::<_, String>(8)?,
                    row.get::<_, String>(9)?,
                ),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for ((event, kind, profile, fingerprint, statement), (signature, at, os_user, prev, payload)) in
        rows
    {
        let signer = people.person_at(Some(profile), os_user, event);
        let public_key = people
            .key_at(profile, event)
            .map(str::to_owned)
            .unwrap_or_default();
        let requirement = serde_json::from_str::<Value>(&payload).ok().and_then(|p| {
            p.get("requirement")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        out.push(crate::store::RecordedSignature {
            event,
            kind,
            requirement,
            principal: crate::signing::principal(profile, signer.email.as_deref().unwrap_or("")),
            signer,
            at: super::read::parse_time(&at)?,
            public_key,
            signature: crate::store::SignatureInfo {
                key_fingerprint: fingerprint,
                statement,
                signature,
            },
            sealed_head: crate::store::ChainHead {
                seq: event - 1,
                hash: prev,
            },
        });
    }
    Ok(out)
}

/// The signature of one event, if it is signed.
pub(crate) fn signature_info(
    conn: &Connection,
    event: i64,
) -> Result<Option<crate::store::SignatureInfo>> {
    Ok(conn
        .query_row(
            "SELECT key_fingerprint, statement, signature FROM signatures WHERE event = ?1",
            [event],
            |row| {
                Ok(crate::store::SignatureInfo {
                    key_fingerprint: row.get(0)?,
                    statement: row.get(1)?,
                    signature: row.get(2)?,
                })
            },
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migration_recognises_the_sample_by_the_names_it_has_always_had() {
        let sql = super::super::schema::MIGRATIONS
            .iter()
            .flat_map(|m| m.sql.iter())
            .copied()
            .collect::<String>();
        assert!(sql.contains(&format!("'{}'", LEGACY_SAMPLE_AUDITOR.0)));
        assert!(sql.contains(&format!("'{}'", LEGACY_SAMPLE_AUDITOR.1)));
        assert!(sql.contains(&format!("'{LEGACY_SAMPLE_ASSESSMENT}'")));
        // Today's sample auditor still has the legacy name and address.
        assert_eq!(
            (crate::sample::AUDITOR_NAME, crate::sample::AUDITOR_EMAIL),
            LEGACY_SAMPLE_AUDITOR
        );
    }

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let a = json!({"a": 1, "b": {"c": [1], "d": "x"}});
        let b = json!({"a": 1, "b": {"c": [1], "d": "y"}});
        assert_eq!(first_difference(&a, &b).as_deref(), Some("b.d"));
        assert_eq!(first_difference(&a, &a), None);
    }
}
