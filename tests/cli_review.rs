//! Reviewing from the command line as a user scripts it: the real binary,
//! no display, a temporary review record. Profiles, an assessment per
//! framework, findings with methods and worksheets, the sign-off rules
//! (exit 1 when refused), an appendix declared not applicable, and a 4.0.1
//! assessment started from a 3.2.1 one.

mod store_fixture;

use std::path::Path;

use store_fixture::{text, tickmark, write};
use tickmark::store::{Finding, Method, SignOffState, Store};

/// Runs and asserts the exit code; returns stdout and stderr.
fn run(db: &Path, args: &[&str], code: i32) -> (String, String) {
    let out = tickmark(db, args);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}\nstdout: {stdout}\nstderr: {stderr}"
    );
    (stdout, stderr)
}

fn sample(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_review_scripted_from_the_command_line_meets_the_apps_rules() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("record.sqlite3");
    let (out, _) = run(
        &db,
        &[
            "profile",
            "add",
            "--name",
            "Ana Auditor",
            "--email",
            "ana@example.com",
            "--role",
            "auditor",
        ],
        0,
    );
    assert!(
        out.contains("Created profile #") && out.contains("(auditor)"),
        "{out}"
    );
    // Profiles are found by name: a second of the same name is refused.
    let (_, err) = run(
        &db,
        &["profile", "add", "--name", "ana auditor", "--role", "lead"],
        1,
    );
    assert!(err.contains("already exists"), "{err}");
    // A new assessment is 4.0.1 unless told otherwise.
    let (out, _) = run(
        &db,
        &[
            "import",
            "--assessment",
            "FY27",
            &sample("azure/log-analytics-workspace.json"),
        ],
        0,
    );
    assert!(out.contains("against PCI DSS 4.0.1"), "{out}");
    let review = |args: &[&str], code| {
        let mut all = vec!["review", "--assessment", "FY27", "--profile", "Ana Auditor"];
        all.extend_from_slice(args);
        run(&db, &all, code)
    };
    let sign = |requirement: &str, code| {
        run(
            &db,
            &[
                "sign-off",
                "--assessment",
                "FY27",
                "--requirement",
                requirement,
                "--profile",
                "ana@example.com",
            ],
            code,
        )
    };
    // In Place over the failing retention check: recorded, but the sign-off
    // is refused until a reason is written.
    let (out, _) = review(&["--requirement", "10.5.1", "--finding", "in-place"], 0);
    assert!(
        out.contains("Recorded 10.5.1") && out.contains("Before it can be signed off"),
        "{out}"
    );
    let (_, err) = sign("10.5.1", 1);
    assert!(
        err.contains("refused")
            && err.contains("In Place over failing automated checks (logs.retention)"),
        "{err}"
    );
    // A compensating control with its worksheet from a TOML file, and the note.
    let worksheet = write(dir.path(), "ccw.toml", tickmark::cli::WORKSHEET_EXAMPLE);
    let note = write(
        dir.path(),
        "note.md",
        "Archive kept 400 days; see the worksheet.",
    );
    review(
        &[
            "--requirement",
            "10.5.1",
            "--finding",
            "in-place",
            "--method",
            "compensating",
            "--worksheet",
            worksheet.to_str().unwrap(),
            "--note-file",
            note.to_str().unwrap(),
        ],
        0,
    );
    let (out, _) = sign("10.5.1", 0);
    assert!(out.contains("Signed off 10.5.1"), "{out}");
    // Both tables in one worksheet file: refused, as in the app.
    let both = write(
        dir.path(),
        "both.toml",
        &format!(
            "{}\n[customized]\nobjective = \"x\"\n",
            tickmark::cli::WORKSHEET_EXAMPLE
        ),
    );
    let (_, err) = review(
        &[
            "--requirement",
            "10.5.1",
            "--finding",
            "in-place",
            "--worksheet",
            both.to_str().unwrap(),
        ],
        1,
    );
    assert!(err.contains("cannot be used together"), "{err}");
    // A misspelt worksheet field is unusable input, named with its file.
    let typo = write(
        dir.path(),
        "typo.toml",
        "[compensating]\nconstraint = \"x\"\n",
    );
    let (_, err) = review(
        &[
            "--requirement",
            "10.5.1",
            "--finding",
            "in-place",
            "--worksheet",
            typo.to_str().unwrap(),
        ],
        2,
    );
    assert!(
        err.contains("typo.toml") && err.contains("constraint"),
        "{err}"
    );
    // Not Applicable needs its reason.
    review(
        &["--requirement", "12.10.1", "--finding", "not-applicable"],
        0,
    );
    sign("12.10.1", 1);
    // An unknown profile or assessment is unusable input (exit 2).
    let (_, err) = run(
        &db,
        &[
            "review",
            "--assessment",
            "FY27",
            "--requirement",
            "1.2.1",
            "--finding",
            "in-place",
            "--profile",
            "Nobody",
        ],
        2,
    );
    assert!(
        err.contains("no profile \"Nobody\"") && err.contains("#1 Ana Auditor"),
        "{err}"
    );
    run(
        &db,
        &[
            "sign-off",
            "--assessment",
            "Nope",
            "--requirement",
            "1.2.1",
            "--profile",
            "Ana Auditor",
        ],
        2,
    );
    // Appendix A1 declared not applicable in one step.
    let (out, _) = run(
        &db,
        &[
            "not-applicable",
            "--assessment",
            "FY27",
            "--appendix",
            "A1",
            "--reason",
            "A merchant, not a service provider.",
            "--profile",
            "Ana Auditor",
        ],
        0,
    );
    assert!(out.contains("requirement(s) of A1 not applicable"), "{out}");
    let (_, err) = run(
        &db,
        &[
            "not-applicable",
            "--assessment",
            "FY27",
            "--appendix",
            "10",
            "--reason",
            "x",
            "--profile",
            "Ana Auditor",
        ],
        1,
    );
    assert!(err.contains("applies to every entity"), "{err}");

    let store = Store::open_existing(&db).unwrap();
    let assessment = store.assessment("FY27").unwrap().unwrap();
    let state = store.requirement_state(assessment.id, "10.5.1").unwrap();
    let review = state.review.as_ref().unwrap();
    assert_eq!(review.finding, Some(Finding::InPlace));
    assert_eq!(review.method, Method::Compensating);
    assert!(
        review
            .compensating
            .as_ref()
            .unwrap()
            .maintenance
            .contains("Quarterly")
    );
    assert_eq!(state.sign_off_state, SignOffState::Current);
    let a1 = store.requirement_state(assessment.id, "A1.1.1").unwrap();
    assert_eq!(a1.review.unwrap().finding, Some(Finding::NotApplicable));
    assert!(store.verify().unwrap().is_intact());
}

#[test]
fn a_4_0_1_assessment_starts_from_a_3_2_1_one_and_an_assessment_keeps_its_framework() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("record.sqlite3");
    let evidence = sample("azure");
    let (out, _) = run(
        &db,
        &[
            "import",
            "--assessment",
            "FY26",
            "--catalog",
            "pci-dss-3.2.1",
            &evidence,
        ],
        0,
    );
    assert!(out.contains("against PCI DSS 3.2.1"), "{out}");
    run(
        &db,
        &["profile", "add", "--name", "Ana", "--role", "auditor"],
        0,
    );
    let note = write(dir.path(), "note.md", "The archive keeps a year.");
    run(
        &db,
        &[
            "review",
            "--assessment",
            "FY26",
            "--requirement",
            "10.7",
            "--finding",
            "in-place",
            "--note-file",
            note.to_str().unwrap(),
            "--profile",
            "Ana",
        ],
        0,
    );
    // The customized approach does not exist in 3.2.1.
    let (_, err) = run(
        &db,
        &[
            "review",
            "--assessment",
            "FY26",
            "--requirement",
            "10.7",
            "--finding",
            "in-place",
            "--method",
            "customized",
            "--profile",
            "Ana",
        ],
        1,
    );
    assert!(err.contains("only in PCI DSS v4"), "{err}");
    // An existing assessment keeps its framework.
    let (_, err) = run(
        &db,
        &[
            "import",
            "--assessment",
            "FY26",
            "--catalog",
            "pci-dss-4.0.1",
            &evidence,
        ],
        2,
    );
    assert!(err.contains("keeps the framework"), "{err}");
    let (_, err) = run(
        &db,
        &[
            "assessment",
            "create",
            "--name",
            "X",
            "--catalog",
            "pci-dss-9",
        ],
        2,
    );
    assert!(
        err.contains("pci-dss-3.2.1") && err.contains("pci-dss-4.0.1"),
        "{err}"
    );
    let (out, _) = run(
        &db,
        &[
            "assessment",
            "create",
            "--name",
            "FY27",
            "--from",
            "FY26",
            "--period-start",
            "2027-01-01",
            "--period-end",
            "2027-06-30",
        ],
        0,
    );
    assert!(out.contains("against PCI DSS 4.0.1 from \"FY26\""), "{out}");
    assert!(out.contains("(referenced, not stored again)"), "{out}");
    let (out, _) = run(&db, &["assessment", "list"], 0);
    assert!(
        out.contains("\"FY27\": pci-dss-4.0.1") && out.contains("from \"FY26\""),
        "{out}"
    );

    let store = Store::open_existing(&db).unwrap();
    let fy27 = store.assessment("FY27").unwrap().unwrap();
    let prior = store.prior_period(fy27.id).unwrap().unwrap();
    let earlier = prior.of("10.5.1");
    let from_10_7 = earlier.iter().find(|p| p.requirement == "10.7").unwrap();
    assert_eq!(
        from_10_7.review.as_ref().unwrap().note,
        "The archive keeps a year."
    );
    // Never copied in as the new finding.
    assert_eq!(store.review(fy27.id, "10.5.1").unwrap(), None);
    assert_eq!(
        store.current_evidence_files(fy27.id).unwrap().len(),
        store
            .current_evidence_files(prior.assessment.id)
            .unwrap()
            .len()
    );
    // Compare across the two frameworks goes through the crosswalk.
    let comparison = store.compare(prior.assessment.id, fy27.id).unwrap();
    assert!(
        comparison.mapping.contains("crosswalk"),
        "{}",
        comparison.mapping
    );
    let row = comparison
        .requirements
        .iter()
        .find(|r| r.requirement == "10.5.1" && r.earlier_requirement.as_deref() == Some("10.7"))
        .unwrap();
    assert_eq!(row.conclusion.from.unwrap().finding, Finding::InPlace);
    assert_eq!(row.conclusion.to, None);
    assert!(
        comparison
            .requirements
            .iter()
            .any(|r| r.earlier_requirement.is_none() && !r.only_earlier),
        "requirements new in v4.0 have no earlier one"
    );
    assert!(store.verify().unwrap().is_intact());
}
