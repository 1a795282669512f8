//! Findings the way the v4.x ROC states them, enforced by the store: the
//! finding apart from the method, the worksheets, the reasons a sign-off
//! needs, and starting an assessment from an earlier one.

mod store_fixture;

use store_fixture::*;
use tickmark::checks::CheckStatus;
use tickmark::store::*;

/// A record with two imported files and a run in which
/// `aks.private-cluster` (1.2.1, 1.3.1) has `private`.
fn evaluated(private: CheckStatus) -> Fixture {
    let mut f = Fixture::new();
    let dir = f.evidence_dir();
    let aks = write(&dir, "aks.json", &aks_json("one"));
    let nsg = write(&dir, "nsg.json", &nsg_json("a"));
    f.import(&[aks.clone(), nsg.clone()]);
    f.run(&path_text(&aks), &path_text(&nsg), private);
    f
}

fn review(f: &mut Fixture, requirement: &str, input: &ReviewInput) -> Result<Review> {
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    f.store
        .set_review(&f.auditor, id, &catalog, requirement, input)
}

fn sign(f: &mut Fixture, requirement: &str) -> Result<SignOff> {
    let (id, catalog) = (f.assessment.id, f.catalog.clone());
    f.store
        .sign_off(&f.auditor, id, &catalog, requirement, "Checked.")
}

fn full_worksheet() -> CompensatingControl {
    CompensatingControl {
        constraints: "c".into(),
        objective: "o".into(),
        identified_risk: "r".into(),
        definition: "d".into(),
        validation: "v".into(),
        maintenance: "m".into(),
    }
}

#[test]
fn not_applicable_and_not_in_place_need_a_reason_before_sign_off() {
    let mut f = evaluated(CheckStatus::Pass);
    for finding in [Finding::NotApplicable, Finding::NotInPlace] {
        review(&mut f, "2.2", &ReviewInput::defined(Some(finding), "  \n")).unwrap();
        let err = sign(&mut f, "2.2").unwrap_err();
        assert!(matches!(err, StoreError::Rule(_)), "{err}");
        assert!(
            err.to_string()
                .contains(&format!("{} needs a written reason", finding.label())),
            "{err}"
        );
        review(
            &mut f,
            "2.2",
            &ReviewInput::defined(Some(finding), "The cluster runs no such workload."),
        )
        .unwrap();
        sign(&mut f, "2.2").unwrap();
    }
    // Not Tested needs none.
    review(
        &mut f,
        "1.1.2",
        &ReviewInput::defined(Some(Finding::NotTested), ""),
    )
    .unwrap();
    sign(&mut f, "1.1.2").unwrap();
    assert!(f.store.verify().unwrap().is_intact());
}

#[test]
fn in_place_over_a_failing_check_needs_a_reason() {
    let mut f = evaluated(CheckStatus::Fail);
    review(
        &mut f,
        "1.3.1",
        &ReviewInput::defined(Some(Finding::InPlace), ""),
    )
    .unwrap();
    let err = sign(&mut f, "1.3.1").unwrap_err().to_string();
    assert!(
        err.contains("In Place over failing automated checks (aks.private-cluster)"),
        "{err}"
    );
    // Not in Place agrees with the failing check but still needs its reason.
    review(
        &mut f,
        "1.3.1",
        &ReviewInput::defined(Some(Finding::NotInPlace), ""),
    )
    .unwrap();
    assert!(sign(&mut f, "1.3.1").is_err());
    review(
        &mut f,
        "1.3.1",
        &ReviewInput::defined(
            Some(Finding::InPlace),
            "The API server is reached only through the private endpoint; the flag reads false because of the template default.",
        ),
    )
    .unwrap();
    sign(&mut f, "1.3.1").unwrap();
    // A passing check needs no reason for In Place.
    let mut f = evaluated(CheckStatus::Pass);
    review(
        &mut f,
        "1.3.1",
        &ReviewInput::defined(Some(Finding::InPlace), ""),
    )
    .unwrap();
    sign(&mut f, "1.3.1").unwrap();
}

#[test]
fn a_compensating_control_needs_its_whole_worksheet() {
    let mut f = evaluated(CheckStatus::Pass);
    let mut input = ReviewInput {
        finding: Some(Finding::InPlace),
        method: Method::Compensating,
        compensating: Some(CompensatingControl {
            constraints: "Legacy appliance".into(),
            ..CompensatingControl::default()
        }),
        customized: None,
        note: "See the worksheet.".into(),
    };
    review(&mut f, "2.1", &input).unwrap();
    let err = sign(&mut f, "2.1").unwrap_err().to_string();
    assert!(
        err.contains("the compensating controls worksheet is incomplete: objective, identified risk, definition of compensating controls, validation of compensating controls, maintenance"),
        "{err}"
    );
    input.compensating = Some(full_worksheet());
    let saved = review(&mut f, "2.1", &input).unwrap();
    assert_eq!(saved.compensating, Some(full_worksheet()));
    let signed = sign(&mut f, "2.1").unwrap();
    assert_eq!(signed.binding.conclusion.as_deref(), Some("in_place_ccw"));
    assert!(signed.binding.worksheet_sha256.is_some());
    // Any change to the worksheet makes the sign-off stale, saying so.
    input.compensating.as_mut().unwrap().maintenance = "Yearly review.".into();
    review(&mut f, "2.1", &input).unwrap();
    let state = f.store.requirement_state(f.assessment.id, "2.1").unwrap();
    assert_eq!(state.sign_off_state, SignOffState::Stale);
    assert_eq!(
        state.sign_offs[0].stale_reasons,
        vec!["worksheet".to_owned()]
    );
    assert!(f.store.verify().unwrap().is_intact());
}

#[test]
fn the_customized_approach_needs_its_documentation() {
    let mut f = evaluated(CheckStatus::Pass);
    let mut input = ReviewInput {
        finding: Some(Finding::InPlace),
        method: Method::Customized,
        compensating: None,
        customized: Some(CustomizedApproach {
            objective: "Only authorised changes reach the cluster.".into(),
            ..CustomizedApproach::default()
        }),
        note: String::new(),
    };
    review(&mut f, "2.2", &input).unwrap();
    let err = sign(&mut f, "2.2").unwrap_err().to_string();
    assert!(
        err.contains("customized approach documentation is incomplete: targeted risk analysis, controls, how the controls were tested"),
        "{err}"
    );
    input.customized = Some(CustomizedApproach {
        objective: "o".into(),
        risk_analysis: "r".into(),
        controls: "c".into(),
        testing: "t".into(),
    });
    review(&mut f, "2.2", &input).unwrap();
    let signed = sign(&mut f, "2.2").unwrap();
    assert_eq!(
        signed.binding.conclusion.as_deref(),
        Some("in_place_customized")
    );
}

#[test]
fn a_compensating_control_and_the_customized_approach_together_are_refused() {
    let mut f = evaluated(CheckStatus::Pass);
    let both = ReviewInput {
        finding: Some(Finding::InPlace),
        method: Method::Compensating,
        compensating: Some(full_worksheet()),
        customized: Some(CustomizedApproach::default()),
        note: String::new(),
    };
    let err = review(&mut f, "2.2", &both).unwrap_err();
    assert!(matches!(err, StoreError::Rule(_)));
    assert!(err.to_string().contains("cannot be used together"), "{err}");
    // Nor a worksheet of the other method, nor another method with N/A.
    let wrong = ReviewInput {
        method: Method::Customized,
        compensating: Some(full_worksheet()),
        ..ReviewInput::default()
    };
    assert!(review(&mut f, "2.2", &wrong).is_err());
    let not_applicable = ReviewInput {
        finding: Some(Finding::NotApplicable),
        method: Method::Compensating,
        note: "reason".into(),
        ..ReviewInput::default()
    };
    let err = review(&mut f, "2.2", &not_applicable)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Not Applicable is not met by a compensating control"),
        "{err}"
    );
    assert_eq!(f.store.review(f.assessment.id, "2.2").unwrap(), None);
    assert!(f.store.verify().unwrap().is_intact());
}

#[test]
fn events_keep_finding_method_and_worksheet_apart() {
    let mut f = evaluated(CheckStatus::Pass);
    review(
        &mut f,
        "2.1",
        &ReviewInput {
            finding: Some(Finding::NotInPlace),
            method: Method::Compensating,
            compensating: Some(full_worksheet()),
            customized: None,
            note: "The compensating control does not cover the admin user.".into(),
        },
    )
    .unwrap();
    let event = f
        .store
        .events(Some(f.assessment.id))
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.kind == "review.recorded")
        .unwrap();
    assert_eq!(event.payload["finding"], "not_in_place");
    assert_eq!(event.payload["method"], "compensating");
    assert_eq!(event.payload["compensating"]["maintenance"], "m");
    assert!(event.payload.get("conclusion").is_none());
    assert!(
        event
            .summary
            .contains("Not in Place · compensating control; note of 55 character(s); worksheet 6 of 6 fields filled"),
        "{}",
        event.summary
    );
}

#[test]
fn a_new_assessment_started_from_an_earlier_one_references_its_evidence() {
    let mut f = evaluated(CheckStatus::Pass);
    review(
        &mut f,
        "1.2.1",
        &ReviewInput::defined(Some(Finding::InPlace), "Earlier note."),
    )
    .unwrap();
    let blobs_before = f.store.verify().unwrap().counts.blobs;
    let (next, files) = f
        .store
        .start_from(&actor(None), f.assessment.id, &new_assessment("H2 2026"))
        .unwrap();
    assert_eq!(next.prior_assessment, Some(f.assessment.id));
    assert_eq!(files.len(), 2);
    let earlier = f.store.current_evidence_files(f.assessment.id).unwrap();
    for (new, old) in files.iter().zip(&earlier) {
        assert_eq!(new.assessment, next.id);
        assert_eq!(new.provenance.sha256, old.provenance.sha256);
        assert_eq!(new.provenance.path, old.provenance.path);
        assert_eq!(new.provenance.imported_at, old.provenance.imported_at);
        assert!(
            new.provenance
                .notes
                .last()
                .unwrap()
                .contains(&format!("Carried forward from evidence file #{}", old.id)),
            "{:?}",
            new.provenance.notes
        );
    }
    // Referenced, not stored again; nothing of the review is copied in.
    let report = f.store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.counts.blobs, blobs_before);
    assert_eq!(f.store.review(next.id, "1.2.1").unwrap(), None);
    // The new assessment evaluates from the carried files.
    let (outcome, problems) = f
        .store
        .evaluate_and_record(&actor(None), next.id, &f.catalog, &Default::default())
        .unwrap();
    assert!(problems.is_empty());
    assert_eq!(outcome.run().files.len(), 2);
    // A name in use or a missing earlier assessment is refused.
    assert!(
        f.store
            .start_from(&actor(None), f.assessment.id, &new_assessment("H2 2026"))
            .is_err()
    );
    assert!(
        f.store
            .start_from(&actor(None), 999, &new_assessment("Other"))
            .is_err()
    );
}
