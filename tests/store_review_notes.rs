//! Preparer and reviewer sign-offs, and review notes (issue 14): who may
//! sign as reviewer, when a review goes stale, how open review notes block
//! the reviewer and the approval, and that `verify` finds an edited
//! review-note event and checks a reviewer's SSH signature like any other.

mod signing_fixture;
mod store_fixture;

use rusqlite::Connection;
use signing_fixture::*;
use store_fixture::*;
use tickmark::store::*;

const STATEMENT: &str = "I reviewed the preparer's work.";

fn review_sign_off(f: &mut Fixture, who: &Actor, requirement: &str) -> Result<SignOff> {
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    f.store
        .review_sign_off_with(who, id, &catalog, requirement, STATEMENT, None)
}

fn state(f: &Fixture, requirement: &str) -> RequirementState {
    f.store
        .requirement_state(f.assessment.id, requirement)
        .unwrap()
}

fn approve(f: &mut Fixture, override_: Option<&ApprovalOverride>) -> Result<Approval> {
    let (id, catalog, lead) = (f.assessment.id, f.catalog.clone(), f.lead.clone());
    f.store
        .approve(&lead, id, &catalog, "Approved for H1.", override_, None)
}

fn rule(result: Result<impl std::fmt::Debug>) -> String {
    match result {
        Err(StoreError::Rule(message)) => message,
        other => panic!("expected a refusal by a rule, got {other:?}"),
    }
}

#[test]
fn a_reviewer_cannot_review_their_own_preparation() {
    let mut f = Fixture::prepared();
    let auditor = f.auditor.clone();
    let message = rule(review_sign_off(&mut f, &auditor, "1.2.1"));
    assert!(
        message.contains("segregation of duties: Ana Auditor signed off 1.2.1 as its preparer"),
        "{message}"
    );
    // Nor may whoever recorded the finding, even without signing it off.
    let reviewer = f.add_reviewer();
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    f.store
        .set_review(
            &reviewer,
            id,
            &catalog,
            "2.1",
            &ReviewInput::defined(Some(Finding::InPlace), "Checked 2.1 myself."),
        )
        .unwrap();
    let auditor = f.auditor.clone();
    f.store
        .sign_off(&auditor, id, &catalog, "2.1", "Signed again.")
        .unwrap();
    let message = rule(review_sign_off(&mut f, &reviewer, "2.1"));
    assert!(message.contains("recorded the finding of 2.1"), "{message}");
    // A different person who prepared nothing reviews.
    let signed = review_sign_off(&mut f, &reviewer, "1.2.1").unwrap();
    assert_eq!(signed.level, SignOffLevel::Reviewer);
    let preparer = state(&f, "1.2.1").sign_offs[0].id;
    assert_eq!(signed.reviews, Some(preparer));
    let s = state(&f, "1.2.1");
    assert_eq!(
        s.sign_offs.len(),
        1,
        "the preparer list holds only preparers"
    );
    assert_eq!(s.reviewer_state, SignOffState::Current);
    // Once is enough while nothing changes.
    let message = rule(review_sign_off(&mut f, &reviewer, "1.2.1"));
    assert!(
        message.contains("already signed off 1.2.1 as reviewer"),
        "{message}"
    );
}

#[test]
fn a_reviewer_signs_only_over_a_current_preparer_sign_off() {
    let mut f = Fixture::new();
    let reviewer = f.add_reviewer();
    let (id, catalog, auditor) = (f.assessment.id, f.catalog.clone(), f.auditor.clone());
    f.store
        .set_review(
            &auditor,
            id,
            &catalog,
            "1.1.2",
            &ReviewInput::defined(Some(Finding::InPlace), "Diagram checked."),
        )
        .unwrap();
    let message = rule(review_sign_off(&mut f, &reviewer, "1.1.2"));
    assert!(
        message.contains("has no preparer sign-off yet"),
        "{message}"
    );
    f.store
        .sign_off(&auditor, id, &catalog, "1.1.2", "Done.")
        .unwrap();
    review_sign_off(&mut f, &reviewer, "1.1.2").unwrap();
    assert_eq!(state(&f, "1.1.2").reviewer_state, SignOffState::Current);
    // The preparer changes the note: both sign-offs go stale, and the
    // reviewer cannot sign over the stale preparation.
    f.store
        .set_review(
            &auditor,
            id,
            &catalog,
            "1.1.2",
            &ReviewInput::defined(Some(Finding::InPlace), "Diagram checked; firewall too."),
        )
        .unwrap();
    let s = state(&f, "1.1.2");
    assert_eq!(s.sign_off_state, SignOffState::Stale);
    assert_eq!(s.reviewer_state, SignOffState::Stale);
    assert_eq!(s.reviewer_sign_offs[0].stale_reasons, vec!["note"]);
    let message = rule(review_sign_off(&mut f, &reviewer, "1.1.2"));
    assert!(message.contains("preparer sign-off is stale"), "{message}");
    // The preparer signs again: the review still has to be done again.
    f.store
        .sign_off(&auditor, id, &catalog, "1.1.2", "Done again.")
        .unwrap();
    let s = state(&f, "1.1.2");
    assert_eq!(s.sign_off_state, SignOffState::Current);
    assert_eq!(s.reviewer_state, SignOffState::Stale);
    review_sign_off(&mut f, &reviewer, "1.1.2").unwrap();
    assert_eq!(state(&f, "1.1.2").reviewer_state, SignOffState::Current);
}

#[test]
fn an_open_review_note_blocks_the_reviewer_and_the_approval_until_it_is_cleared() {
    let mut f = Fixture::prepared();
    let reviewer = f.add_reviewer();
    let (id, catalog, auditor) = (f.assessment.id, f.catalog.clone(), f.auditor.clone());
    // The preparer does not raise notes on their own work.
    let message = rule(
        f.store
            .raise_review_note(&auditor, id, &catalog, "1.2.1", "Self?"),
    );
    assert!(
        message.contains("Ana Auditor signed off 1.2.1 as its preparer"),
        "{message}"
    );
    let note = f
        .store
        .raise_review_note(
            &reviewer,
            id,
            &catalog,
            "1.2.1",
            "The NSG export is from before the period; which rules applied in June?",
        )
        .unwrap();
    assert!(note.is_open());
    assert_eq!(note.raised_by.name.as_deref(), Some("Rey Reviewer"));
    // The reviewer signs everything else off; 1.2.1 is refused.
    for requirement in REQUIREMENTS.iter().filter(|r| **r != "1.2.1") {
        review_sign_off(&mut f, &reviewer, requirement).unwrap();
    }
    let message = rule(review_sign_off(&mut f, &reviewer, "1.2.1"));
    assert!(
        message.contains(&format!("1.2.1 has 1 open review note(s) (RN-{})", note.id)),
        "{message}"
    );
    // The approval is refused and names the note; an override that names
    // every open item does not get past it.
    let gate = f.store.approval_gate(id, &catalog, None).unwrap();
    assert_eq!(gate.open.not_reviewed, vec!["1.2.1"]);
    assert_eq!(gate.review_notes.len(), 1);
    let override_ = ApprovalOverride {
        justification: "The reviewer is away and 1.2.1 is low risk this half.".into(),
        items: gate.open.clone(),
    };
    for given in [None, Some(&override_)] {
        let message = rule(approve(&mut f, given));
        assert!(
            message.contains(&format!(
                "while 1 review note(s) are open: RN-{} on 1.2.1 (raised by Rey Reviewer)",
                note.id
            )),
            "{message}"
        );
    }
    // The preparer answers; the preparer cannot clear it.
    let answered = f
        .store
        .answer_review_note(&auditor, note.id, "The June export is now imported as E-3.")
        .unwrap();
    assert_eq!(answered.answers.len(), 1);
    assert_eq!(answered.answers[0].by.name.as_deref(), Some("Ana Auditor"));
    let message = rule(f.store.clear_review_note(&auditor, note.id, ""));
    assert!(message.contains("a reviewer clears"), "{message}");
    let cleared = f
        .store
        .clear_review_note(&reviewer, note.id, "Seen, thanks.")
        .unwrap();
    assert!(!cleared.is_open());
    assert_eq!(cleared.cleared.unwrap().text, "Seen, thanks.");
    // Cleared is final: no more answers, no second clearing.
    assert!(
        f.store
            .answer_review_note(&auditor, note.id, "More.")
            .is_err()
    );
    assert!(f.store.clear_review_note(&reviewer, note.id, "").is_err());
    // Now the reviewer signs, and the approval passes without an override.
    review_sign_off(&mut f, &reviewer, "1.2.1").unwrap();
    let approval = approve(&mut f, None).unwrap();
    assert_eq!(approval.open_items, None);
    // The history of the requirement tells the story.
    let history = f.store.requirement_history(id, "1.2.1").unwrap();
    let texts: Vec<&str> = history.iter().map(|h| h.summary.as_str()).collect();
    for expected in [
        format!("Review note RN-{} raised on 1.2.1", note.id),
        format!("Review note RN-{} on 1.2.1 answered", note.id),
        format!(
            "Review note RN-{} on 1.2.1 cleared: \"Seen, thanks.\"",
            note.id
        ),
        "1.2.1 signed off as reviewer".to_owned(),
    ] {
        assert!(
            texts.iter().any(|t| t.contains(&expected)),
            "{expected}: {texts:#?}"
        );
    }
    assert!(f.store.verify().unwrap().is_intact());
}

#[test]
fn the_approval_gate_counts_a_missing_review_as_open_and_an_override_can_name_it() {
    let mut f = Fixture::prepared();
    let gate = f
        .store
        .approval_gate(f.assessment.id, &f.catalog, None)
        .unwrap();
    assert_eq!(gate.open.not_reviewed.len(), REQUIREMENTS.len());
    assert!(
        gate.open
            .describe()
            .contains("5 signed off but not reviewed")
    );
    // An override that leaves the reviews out does not match.
    let mut short = ApprovalOverride {
        justification: "Reviews are done on paper this half for every requirement.".into(),
        items: gate.open.clone(),
    };
    short.items.not_reviewed.clear();
    let message = rule(approve(&mut f, Some(&short)));
    assert!(
        message.contains("as signed off but not reviewed"),
        "{message}"
    );
    let full = ApprovalOverride {
        items: gate.open.clone(),
        ..short
    };
    let approval = approve(&mut f, Some(&full)).unwrap();
    assert_eq!(
        approval.open_items.unwrap().not_reviewed.len(),
        REQUIREMENTS.len()
    );
    assert!(f.store.verify().unwrap().is_intact());
}

#[test]
fn verify_finds_an_edited_review_note_event() {
    let mut f = Fixture::prepared();
    let reviewer = f.add_reviewer();
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    let note = f
        .store
        .raise_review_note(
            &reviewer,
            id,
            &catalog,
            "2.2",
            "Which namespaces were sampled?",
        )
        .unwrap();
    let db = f.db.clone();
    assert!(f.store.verify().unwrap().is_intact());
    drop(f.store);
    Connection::open(&db)
        .unwrap()
        .execute_batch(&format!(
            "DROP TRIGGER events_no_update;
             UPDATE events SET payload = replace(payload, 'Which namespaces', 'No namespaces') WHERE seq = {};",
            note.id
        ))
        .unwrap();
    let store = Store::open_existing(&db).unwrap();
    let report = store.verify().unwrap();
    let first = report.first_problem().unwrap();
    assert_eq!(first.location, format!("event #{}", note.id), "{first}");
    // And an edit of the materialised row alone is found as that row.
    drop(store);
    let f = Fixture::prepared();
    let mut f = f;
    let reviewer = f.add_reviewer();
    let note = f
        .store
        .raise_review_note(
            &reviewer,
            id,
            &catalog,
            "2.2",
            "Which namespaces were sampled?",
        )
        .unwrap();
    f.store.clear_review_note(&reviewer, note.id, "").unwrap();
    let db = f.db.clone();
    drop(f.store);
    Connection::open(&db)
        .unwrap()
        .execute_batch("UPDATE review_notes SET cleared_seq = NULL, cleared_at = NULL")
        .unwrap();
    let report = Store::open_existing(&db).unwrap().verify().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.location.starts_with("review_notes row")),
        "{:#?}",
        report.problems
    );
}

#[test]
fn a_signed_reviewer_sign_off_verifies_and_an_edit_of_it_is_found() {
    if !have_ssh_keygen() {
        return;
    }
    let mut f = Fixture::prepared();
    let reviewer = f.add_reviewer();
    let keys = make_key(f.dir.path(), "rey", "ed25519", "");
    f.store
        .register_key(&actor(None), reviewer.profile.unwrap(), &keys.public_key())
        .unwrap();
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    // A profile with a key must sign.
    let message = rule(review_sign_off(&mut f, &reviewer, "1.3.1"));
    assert!(message.contains("has a signing key"), "{message}");
    let signer = keys.signer(None);
    let signed = f
        .store
        .review_sign_off_with(&reviewer, id, &catalog, "1.3.1", STATEMENT, Some(&signer))
        .unwrap();
    let signature = signed.signature.clone().unwrap();
    assert!(
        signature
            .statement
            .contains("\"kind\": \"reviewer-sign-off\"")
    );
    assert!(
        signature
            .statement
            .contains(&format!("\"reviews\": {}", signed.reviews.unwrap()))
    );
    assert!(f.store.verify().unwrap().is_intact());
    let kinds: Vec<String> = f
        .store
        .signatures(id)
        .unwrap()
        .into_iter()
        .map(|s| s.kind)
        .collect();
    assert_eq!(kinds, ["reviewer-sign-off"]);
    // Turn the reviewer's sign-off into a preparer's in the event: the
    // statement made again no longer matches what was signed.
    let db = f.db.clone();
    drop(f.store);
    Connection::open(&db)
        .unwrap()
        .execute_batch(&format!(
            "DROP TRIGGER events_no_update;
             UPDATE events SET payload = json_remove(payload, '$.level') WHERE seq = {};",
            signed.id
        ))
        .unwrap();
    let report = Store::open_existing(&db).unwrap().verify().unwrap();
    let first = report.first_problem().unwrap();
    assert_eq!(first.location, format!("event #{}", signed.id), "{first}");
}
