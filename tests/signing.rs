//! Signed sign-offs, approvals and seals with real SSH keys: what a profile
//! with a key must do, what the real `ssh-keygen -Y verify` accepts, and
//! what `verify` finds when someone rewrites a signed history and
//! recomputes every hash (issue 12).

mod signing_fixture;
mod store_fixture;

use rusqlite::{Connection, params};
use signing_fixture::*;
use store_fixture::*;
use tickmark::checks::CheckStatus;
use tickmark::signing::Signer;
use tickmark::store::*;

/// A populated record whose auditor has an Ed25519 key (no passphrase) and
/// whose lead has an ECDSA key protected by a passphrase; every requirement
/// concluded, 1.2.1 and 1.3.1 signed off with the auditor's key.
struct Signed {
    f: Fixture,
    auditor_key: KeyPair,
    lead_key: KeyPair,
}

fn signed_record() -> Option<Signed> {
    if !have_ssh_keygen() {
        return None;
    }
    let mut f = Fixture::new();
    let keys = f.dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let auditor_key = make_key(&keys, "ana", "ed25519", "");
    let lead_key = make_key(&keys, "lee", "ecdsa", "lee's passphrase");
    let system = actor(None);
    f.store
        .register_key(
            &system,
            f.auditor.profile.unwrap(),
            &auditor_key.public_key(),
        )
        .unwrap();
    f.store
        .register_key(&system, f.lead.profile.unwrap(), &lead_key.public_key())
        .unwrap();
    let dir = f.evidence_dir();
    let aks = write(&dir, "aks.json", &aks_json("one"));
    let nsg = write(&dir, "nsg.json", &nsg_json("a"));
    f.import(&[aks.clone(), nsg.clone()]);
    f.run(&path_text(&aks), &path_text(&nsg), CheckStatus::Pass);
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    for requirement in REQUIREMENTS {
        f.store
            .set_review(
                &f.auditor,
                id,
                &catalog,
                requirement,
                &ReviewInput::defined(Some(Finding::InPlace), &format!("Checked {requirement}.")),
            )
            .unwrap();
    }
    let signer = auditor_key.signer(None);
    for requirement in ["1.2.1", "1.3.1"] {
        f.store
            .sign_off_with(
                &f.auditor,
                id,
                &catalog,
                requirement,
                "I checked the evidence.",
                Some(&signer),
            )
            .unwrap();
    }
    Some(Signed {
        f,
        auditor_key,
        lead_key,
    })
}

#[test]
fn a_profile_with_a_key_signs_and_the_real_ssh_keygen_accepts_the_signature() {
    let Some(Signed { f, auditor_key, .. }) = signed_record() else {
        return;
    };
    let state = f.store.requirement_state(f.assessment.id, "1.2.1").unwrap();
    let sign_off = state.sign_offs.last().unwrap();
    let signature = sign_off.signature.as_ref().expect("the sign-off is signed");
    assert_eq!(
        signature.key_fingerprint,
        auditor_key.public_key().fingerprint()
    );
    assert!(
        sign_off
            .signature_label()
            .starts_with("signed with SHA256:")
    );
    let statement: serde_json::Value = serde_json::from_str(&signature.statement).unwrap();
    assert_eq!(statement["kind"], "sign-off");
    assert_eq!(statement["requirement"], "1.2.1");
    assert_eq!(statement["finding"], "in_place");
    assert_eq!(statement["method"], "defined");
    assert_eq!(statement["assessment"]["name"], "H1 2026");
    assert_eq!(statement["signer"]["name"], "Ana Auditor");
    assert_eq!(statement["signer"]["role"], "auditor");
    assert_eq!(statement["binds"]["binding_sha256"], sign_off.binding_hash);
    assert_eq!(
        statement["binds"]["note_sha256"],
        sign_off.binding.note_sha256
    );
    assert_eq!(statement["record"]["event"], sign_off.id);
    // The real OpenSSH checks it from the statement, the signature and an
    // allowed_signers line alone.
    let dir = f.dir.path().join("check");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("statement.json"), &signature.statement).unwrap();
    std::fs::write(dir.join("statement.json.sig"), &signature.signature).unwrap();
    std::fs::write(
        dir.join("allowed_signers"),
        tickmark::signing::allowed_signers_line("ana@example.com", &auditor_key.public_key())
            + "\n",
    )
    .unwrap();
    let (ok, said) = ssh_keygen_verify(
        &dir,
        "allowed_signers",
        "ana@example.com",
        "statement.json.sig",
        "statement.json",
    );
    assert!(ok, "{said}");
    assert!(
        said.contains("Good \"tickmark-review\" signature for ana@example.com"),
        "{said}"
    );
    // A changed statement does not verify.
    std::fs::write(
        dir.join("statement.json"),
        signature.statement.replace("in_place", "not_applicable"),
    )
    .unwrap();
    let (ok, said) = ssh_keygen_verify(
        &dir,
        "allowed_signers",
        "ana@example.com",
        "statement.json.sig",
        "statement.json",
    );
    assert!(!ok, "{said}");
    assert!(f.store.verify().unwrap().is_intact());
}

#[test]
fn a_profile_with_a_key_must_sign_with_it_and_one_without_cannot_sign() {
    let Some(Signed {
        mut f,
        lead_key,
        auditor_key,
    }) = signed_record()
    else {
        return;
    };
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    let err = f
        .store
        .sign_off(&f.auditor, id, &catalog, "2.1", "ok")
        .unwrap_err();
    assert!(err.to_string().contains("has a signing key"), "{err}");
    let wrong = lead_key.signer(Some("lee's passphrase"));
    let err = f
        .store
        .sign_off_with(&f.auditor, id, &catalog, "2.1", "ok", Some(&wrong))
        .unwrap_err();
    assert!(
        err.to_string().contains("is not the key registered"),
        "{err}"
    );
    assert!(matches!(
        tickmark::signing::KeyFile::open(&lead_key.private, Some("wrong")),
        Err(tickmark::signing::SigningError::WrongPassphrase { .. })
    ));
    assert!(matches!(
        tickmark::signing::KeyFile::open(&lead_key.private, None),
        Err(tickmark::signing::SigningError::NeedsPassphrase { .. })
    ));
    // A third profile without a key signs unsigned, and cannot sign.
    let carl = f
        .store
        .create_profile(
            &actor(None),
            &NewProfile {
                name: "Carl Keyless".into(),
                email: String::new(),
                role: Role::Auditor,
            },
        )
        .unwrap();
    let signer = auditor_key.signer(None);
    let err = f
        .store
        .sign_off_with(
            &actor(Some(carl.id)),
            id,
            &catalog,
            "2.1",
            "ok",
            Some(&signer),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("no signing key registered"),
        "{err}"
    );
    let unsigned = f
        .store
        .sign_off(&actor(Some(carl.id)), id, &catalog, "2.1", "ok")
        .unwrap();
    assert_eq!(unsigned.signature, None);
    assert_eq!(unsigned.signature_label(), "unsigned");
    // One key stands for one person.
    let err = f
        .store
        .register_key(&actor(None), carl.id, &auditor_key.public_key())
        .unwrap_err();
    assert!(
        err.to_string().contains("already bound to profile"),
        "{err}"
    );
    assert!(f.store.verify().unwrap().is_intact());
}

#[test]
fn a_retired_profile_records_and_signs_nothing_new() {
    let Some(Signed {
        mut f, auditor_key, ..
    }) = signed_record()
    else {
        return;
    };
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    let ana = f.auditor.profile.unwrap();
    let retired = f
        .store
        .retire_profile(&actor(None), ana, "Left the audit firm in December.")
        .unwrap();
    assert!(!retired.is_active());
    let signer = auditor_key.signer(None);
    let err = f
        .store
        .sign_off_with(&f.auditor, id, &catalog, "2.1", "ok", Some(&signer))
        .unwrap_err();
    assert!(err.to_string().contains("was retired"), "{err}");
    let err = f
        .store
        .set_review(
            &f.auditor,
            id,
            &catalog,
            "2.1",
            &ReviewInput::defined(None, "x"),
        )
        .unwrap_err();
    assert!(err.to_string().contains("was retired"), "{err}");
    // Earlier signatures still verify against the key bound then.
    assert!(f.store.verify().unwrap().is_intact());
    let state = f.store.requirement_state(id, "1.2.1").unwrap();
    assert!(state.sign_offs.last().unwrap().signature.is_some());
}

#[test]
fn the_preparer_cannot_approve_and_the_gate_needs_an_override_naming_each_open_item() {
    let Some(Signed {
        mut f,
        lead_key,
        auditor_key,
    }) = signed_record()
    else {
        return;
    };
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    let lead_signer = lead_key.signer(Some("lee's passphrase"));
    // Open: 1.1.2, 2.1 and 2.2 are concluded but not signed off; 1.2.1
    // and 1.3.1 are signed off, but no reviewer has signed them.
    let gate = f.store.approval_gate(id, &catalog, f.lead.profile).unwrap();
    assert_eq!(gate.refused, None);
    assert_eq!(gate.open.not_signed_off, vec!["1.1.2", "2.1", "2.2"]);
    assert_eq!(gate.open.not_reviewed, vec!["1.2.1", "1.3.1"]);
    let err = f
        .store
        .approve(&f.lead, id, &catalog, "Approved.", None, Some(&lead_signer))
        .unwrap_err();
    assert!(matches!(err, StoreError::Rule(_)));
    assert!(
        err.to_string().contains("5 requirement(s) are open"),
        "{err}"
    );
    // An override must name exactly what is open, and say why.
    let mut override_ = ApprovalOverride {
        justification: "Too short.".into(),
        items: gate.open.clone(),
    };
    let err = f
        .store
        .approve(
            &f.lead,
            id,
            &catalog,
            "Approved.",
            Some(&override_),
            Some(&lead_signer),
        )
        .unwrap_err();
    assert!(err.to_string().contains("at least a sentence"), "{err}");
    override_.justification =
        "These three are documentation requirements the QSA signs off next week.".into();
    override_.items.not_signed_off.pop();
    let err = f
        .store
        .approve(
            &f.lead,
            id,
            &catalog,
            "Approved.",
            Some(&override_),
            Some(&lead_signer),
        )
        .unwrap_err();
    assert!(err.to_string().contains("does not name 2.2"), "{err}");
    override_.items = gate.open.clone();
    // The security lead who concluded a requirement may not approve.
    f.store
        .set_review(
            &f.lead,
            id,
            &catalog,
            "2.2",
            &ReviewInput::defined(Some(Finding::InPlace), "Looked at it myself."),
        )
        .unwrap();
    let gate = f.store.approval_gate(id, &catalog, f.lead.profile).unwrap();
    let refused = gate.refused.unwrap();
    assert!(refused.contains("segregation of duties"), "{refused}");
    assert!(refused.contains("2.2"), "{refused}");
    let err = f
        .store
        .approve(
            &f.lead,
            id,
            &catalog,
            "Approved.",
            Some(&override_),
            Some(&lead_signer),
        )
        .unwrap_err();
    assert!(err.to_string().contains("segregation of duties"), "{err}");
    // Another lead, with a key, approves over the override; it is signed
    // and carries the open items.
    let keys = f.dir.path().join("keys");
    let kim_key = make_key(&keys, "kim", "ed25519", "");
    let kim = f
        .store
        .create_profile(
            &actor(None),
            &NewProfile {
                name: "Kim Lead".into(),
                email: "kim@example.com".into(),
                role: Role::SecurityLead,
            },
        )
        .unwrap();
    f.store
        .register_key(&actor(None), kim.id, &kim_key.public_key())
        .unwrap();
    let open = f
        .store
        .approval_gate(id, &catalog, Some(kim.id))
        .unwrap()
        .open;
    let approval = f
        .store
        .approve(
            &actor(Some(kim.id)),
            id,
            &catalog,
            "Approved for H1.",
            Some(&ApprovalOverride {
                justification: override_.justification.clone(),
                items: open.clone(),
            }),
            Some(&kim_key.signer(None)),
        )
        .unwrap();
    assert_eq!(approval.open_items.as_ref(), Some(&open));
    let signature = approval.signature.unwrap();
    let statement: serde_json::Value = serde_json::from_str(&signature.statement).unwrap();
    assert_eq!(statement["kind"], "approval");
    assert_eq!(
        statement["open_items"]["not_signed_off"],
        serde_json::json!(open.not_signed_off)
    );
    assert!(statement["justification"].as_str().unwrap().contains("QSA"));
    let _ = auditor_key;
    assert!(f.store.verify().unwrap().is_intact());
    let record = f.store.record(id).unwrap();
    assert_eq!(record.seal.as_ref().unwrap().kind, "approval");
}

#[test]
fn an_unconcluded_assessment_is_not_approved_without_an_override() {
    let mut f = Fixture::new();
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    let err = f
        .store
        .approve(&f.lead, id, &catalog, "Approved.", None, None)
        .unwrap_err();
    assert!(err.to_string().contains("5 without a conclusion"), "{err}");
    let open = f.store.approval_gate(id, &catalog, None).unwrap().open;
    assert_eq!(open.unconcluded.len(), 5);
    let approval = f
        .store
        .approve(
            &f.lead,
            id,
            &catalog,
            "Approved.",
            Some(&ApprovalOverride {
                justification: "Nothing was in scope this half; the next review covers all five."
                    .into(),
                items: open,
            }),
            None,
        )
        .unwrap();
    assert_eq!(
        approval.signature, None,
        "a lead without a key approves unsigned"
    );
    assert_eq!(approval.unconcluded.len(), 5);
}

#[test]
fn a_seal_signs_the_chain_head() {
    let Some(Signed {
        mut f, auditor_key, ..
    }) = signed_record()
    else {
        return;
    };
    let id = f.assessment.id;
    let before = f.store.verify().unwrap().chain_head.unwrap();
    let seal = f
        .store
        .seal(
            &f.auditor,
            id,
            "Sent to the QSA.",
            &auditor_key.signer(None),
        )
        .unwrap();
    assert_eq!(seal.kind, "seal");
    assert_eq!(seal.sealed_head, before);
    assert_eq!(seal.principal, "ana@example.com");
    let statement: serde_json::Value = serde_json::from_str(&seal.signature.statement).unwrap();
    assert_eq!(statement["record"]["chain_head"], before.hash);
    auditor_key
        .public_key()
        .verify(
            seal.signature.statement.as_bytes(),
            &seal.signature.signature,
        )
        .unwrap();
    assert!(f.store.verify().unwrap().is_intact());
}

/// Closes the record, keeping its folder: the folder guard and the file.
fn close(f: Fixture) -> (tempfile::TempDir, std::path::PathBuf) {
    let Fixture { dir, db, store, .. } = f;
    drop(store);
    (dir, db)
}

/// One stored event: seq, at, actor profile, OS user, kind, assessment,
/// payload.
type EventRow = (
    i64,
    String,
    Option<i64>,
    String,
    String,
    Option<i64>,
    String,
);

/// Rewrites event `seq`'s payload with `edit`, then recomputes the hash of
/// it and of every later event, as someone who read the source would.
fn rewrite_history(db: &std::path::Path, seq: i64, edit: impl Fn(&mut serde_json::Value)) {
    let conn = Connection::open(db).unwrap();
    conn.execute_batch("DROP TRIGGER events_no_update;")
        .unwrap();
    let rows: Vec<EventRow> = conn
        .prepare("SELECT seq, at, actor_profile, actor_os_user, kind, assessment, payload FROM events WHERE seq >= ?1 ORDER BY seq")
        .unwrap()
        .query_map([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev: String = conn
        .query_row("SELECT prev_hash FROM events WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .unwrap();
    for (n, at, profile, os_user, kind, assessment, payload) in rows {
        let mut payload: serde_json::Value = serde_json::from_str(&payload).unwrap();
        if n == seq {
            edit(&mut payload);
        }
        let content = serde_json::json!({
            "seq": n, "at": at, "actor": {"profile": profile, "os_user": os_user},
            "kind": kind, "assessment": assessment, "payload": payload,
        });
        let hash = tickmark::evidence::sha256_hex(
            format!("{prev}\n{}", canonical_json(&content)).as_bytes(),
        );
        conn.execute(
            "UPDATE events SET payload = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
            params![n, canonical_json(&payload), prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    // A careful attacker puts the guard back, so the schema reads as made.
    conn.execute_batch(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: an event cannot be changed'); END;",
    )
    .unwrap();
}

#[test]
fn rewriting_a_signed_sign_off_and_recomputing_every_hash_is_reported() {
    let Some(Signed { f, .. }) = signed_record() else {
        return;
    };
    let id = f.assessment.id;
    let sign_off = f
        .store
        .requirement_state(id, "1.2.1")
        .unwrap()
        .sign_offs
        .last()
        .unwrap()
        .clone();
    let (_dir, db) = close(f);
    // The attacker changes the statement signed, recomputes every hash and
    // the state row: the chain and the tables agree again.
    rewrite_history(&db, sign_off.id, |p| {
        p["statement"] = "I did not look at anything.".into();
    });
    let conn = Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE sign_offs SET statement = 'I did not look at anything.' WHERE id = ?1",
        [sign_off.id],
    )
    .unwrap();
    drop(conn);
    let store = Store::open_existing(&db).unwrap();
    let report = store.verify().unwrap();
    assert!(!report.is_intact());
    let first = report.first_problem().unwrap();
    assert_eq!(
        first.location,
        format!("event #{}", sign_off.id),
        "{report:?}"
    );
    assert!(first.message.contains("statement differs"), "{first}");
    // Only the signatures give it away: the chain and every table agree.
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.location.starts_with("event #") && p.message.contains("sign")),
        "{report:?}"
    );
}

#[test]
fn rewriting_an_earlier_event_breaks_the_chain_head_a_later_signature_covers() {
    let Some(Signed { f, .. }) = signed_record() else {
        return;
    };
    let id = f.assessment.id;
    let review = f.store.review(id, "2.1").unwrap().unwrap();
    let first_sign_off = f.store.requirement_state(id, "1.2.1").unwrap().sign_offs[0].id;
    assert!(review.event < first_sign_off);
    let (_dir, db) = close(f);
    rewrite_history(&db, review.event, |p| {
        p["finding"] = "not_applicable".into();
    });
    Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE reviews SET finding = 'not_applicable' WHERE assessment = ?1 AND requirement = '2.1'",
            [id],
        )
        .unwrap();
    let report = Store::open_existing(&db).unwrap().verify().unwrap();
    let first = report.first_problem().expect("the rewrite is found");
    assert_eq!(
        first.location,
        format!("event #{first_sign_off}"),
        "{report:?}"
    );
    assert!(
        first
            .message
            .contains("an event before it was changed and the hashes after it recomputed"),
        "{first}"
    );
}

#[test]
fn removing_a_signature_is_reported() {
    let Some(Signed { f, .. }) = signed_record() else {
        return;
    };
    let sign_off = f
        .store
        .requirement_state(f.assessment.id, "1.3.1")
        .unwrap()
        .sign_offs[0]
        .id;
    let (_dir, db) = close(f);
    rewrite_history(&db, sign_off, |p| {
        p.as_object_mut().unwrap().remove("signature");
    });
    let conn = Connection::open(&db).unwrap();
    conn.execute_batch("DROP TRIGGER signatures_no_delete;")
        .unwrap();
    conn.execute("DELETE FROM signatures WHERE event = ?1", [sign_off])
        .unwrap();
    conn.execute_batch(
        "CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;",
    )
    .unwrap();
    drop(conn);
    let report = Store::open_existing(&db).unwrap().verify().unwrap();
    let first = report.first_problem().expect("the removal is found");
    assert_eq!(first.location, format!("event #{sign_off}"));
    assert!(first.message.contains("carries no signature"), "{first}");
}

#[test]
fn a_signature_made_with_another_key_does_not_verify() {
    let Some(Signed {
        mut f, lead_key, ..
    }) = signed_record()
    else {
        return;
    };
    let signer = lead_key.signer(Some("lee's passphrase"));
    let forged = signer.sign(b"anything").unwrap();
    assert!(
        f.store
            .register_key(
                &actor(None),
                f.auditor.profile.unwrap(),
                &lead_key.public_key()
            )
            .unwrap_err()
            .to_string()
            .contains("already bound")
    );
    let auditor = f
        .store
        .profile(f.auditor.profile.unwrap())
        .unwrap()
        .unwrap();
    let key = tickmark::signing::PublicKey::parse(&auditor.key.unwrap().openssh).unwrap();
    assert!(key.verify(b"anything", &forged).is_err());
}
