//! Preparer, reviewer and review notes from the command line (issue 14):
//! `sign-off --as reviewer` and `review-note raise|answer|clear|list`, with
//! the store's rules as exit codes and messages, and the approval refused
//! while a review note is open.

mod store_fixture;

use std::path::Path;

use store_fixture::{text, tickmark, write};

/// Runs the binary; its exit code, standard output and error.
fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tickmark(db, args);
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

fn sample(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_second_profile_reviews_raises_a_note_and_the_approval_waits_for_its_clearing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("record.sqlite3");
    for (name, role) in [
        ("Ana Auditor", "auditor"),
        ("Rey Reviewer", "auditor"),
        ("Lee Lead", "lead"),
    ] {
        let (code, _, err) = run(&db, &["profile", "add", "--name", name, "--role", role]);
        assert_eq!(code, 0, "{err}");
    }
    let (code, _, err) = run(
        &db,
        &[
            "import",
            "--assessment",
            "FY27",
            &sample("azure/log-analytics-workspace.json"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    // Ana prepares appendix A1 (not applicable, with the reason) and signs
    // each requirement off.
    let (code, out, err) = run(
        &db,
        &[
            "not-applicable",
            "--assessment",
            "FY27",
            "--appendix",
            "A1",
            "--reason",
            "We are not a multi-tenant service provider.",
            "--profile",
            "Ana Auditor",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let requirements: Vec<String> = out
        .lines()
        .nth(1)
        .unwrap()
        .split(", ")
        .map(|r| r.trim().to_owned())
        .collect();
    assert!(requirements.len() >= 2, "{out}");
    let sign = |requirement: &str, profile: &str, reviewer: bool| {
        let mut args = vec![
            "sign-off",
            "--assessment",
            "FY27",
            "--requirement",
            requirement,
            "--profile",
            profile,
        ];
        if reviewer {
            args.extend(["--as", "reviewer"]);
        }
        run(&db, &args)
    };
    for requirement in &requirements {
        let (code, _, err) = sign(requirement, "Ana Auditor", false);
        assert_eq!(code, 0, "{err}");
    }
    let (first, rest) = (requirements[0].as_str(), &requirements[1..]);
    // The preparer cannot sign as reviewer.
    let (code, _, err) = sign(first, "Ana Auditor", true);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("a reviewer cannot review their own preparation"),
        "{err}"
    );
    // Rey raises a note on the first; reviewing it waits for the note.
    let (code, out, err) = run(
        &db,
        &[
            "review-note",
            "raise",
            "--assessment",
            "FY27",
            "--requirement",
            first,
            "--profile",
            "Rey Reviewer",
            "--text",
            "Is there really no shared hosting?",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let note = out
        .split_whitespace()
        .find(|w| w.starts_with("RN-"))
        .unwrap()
        .to_owned();
    let (code, _, err) = sign(first, "Rey Reviewer", true);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("1 open review note(s) ({note})")),
        "{err}"
    );
    for requirement in rest {
        let (code, out, err) = sign(requirement, "Rey Reviewer", true);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("as reviewer"), "{out}");
    }
    // The approval is refused while the note is open, naming it and its
    // requirement, even with an override file for everything else.
    let (code, template, _) = run(
        &db,
        &["approve", "--assessment", "FY27", "--override-template"],
    );
    assert_eq!(code, 0);
    assert!(
        template.contains(&format!("not_reviewed = [\"{first}\"]")),
        "{template}"
    );
    let overrides = write(
        dir.path(),
        "override.toml",
        &template.replace(
            "justification = \"\"",
            "justification = \"Only appendix A1 is in this walkthrough; the rest is next week.\"",
        ),
    );
    let overrides = overrides.to_string_lossy().into_owned();
    let approve = |file: &str| {
        run(
            &db,
            &[
                "approve",
                "--assessment",
                "FY27",
                "--profile",
                "Lee Lead",
                "--override-file",
                file,
            ],
        )
    };
    let (code, _, err) = approve(&overrides);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "1 review note(s) are open: {note} on {first} (raised by Rey Reviewer)"
        )),
        "{err}"
    );
    // Ana answers and cannot clear; Rey clears.
    let (code, _, err) = run(
        &db,
        &[
            "review-note",
            "answer",
            &note,
            "--profile",
            "Ana Auditor",
            "--text",
            "None: see [E-1].",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(
        &db,
        &["review-note", "clear", &note, "--profile", "Ana Auditor"],
    );
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = run(
        &db,
        &[
            "review-note",
            "clear",
            &note,
            "--profile",
            "Rey Reviewer",
            "--text",
            "Seen.",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run(
        &db,
        &["review-note", "list", "--assessment", "FY27", "--open"],
    );
    assert!(out.contains("0 open review note(s)"), "{out}");
    let (_, out, _) = run(&db, &["review-note", "list", "--assessment", "FY27"]);
    assert!(out.contains("answered by Ana Auditor"), "{out}");
    assert!(
        out.contains("cleared by Rey Reviewer at ") && out.contains(": Seen."),
        "{out}"
    );
    // Rey reviews the first too; the override names what is open now.
    let (code, _, err) = sign(first, "Rey Reviewer", true);
    assert_eq!(code, 0, "{err}");
    let (_, template, _) = run(
        &db,
        &["approve", "--assessment", "FY27", "--override-template"],
    );
    assert!(template.contains("not_reviewed = []"), "{template}");
    let overrides = write(
        dir.path(),
        "override.toml",
        &template.replace(
            "justification = \"\"",
            "justification = \"Only appendix A1 is in this walkthrough; the rest is next week.\"",
        ),
    );
    let (code, out, err) = approve(&overrides.to_string_lossy());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Approved \"FY27\""), "{out}");
    let (code, out, _) = run(&db, &["verify"]);
    assert_eq!(code, 0, "{out}");
    // A note number that is not one is unusable input.
    let (code, _, err) = run(
        &db,
        &["review-note", "clear", "RN-x", "--profile", "Rey Reviewer"],
    );
    assert_eq!(code, 2, "{err}");
}
