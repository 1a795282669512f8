//! A small hand-built catalog, evidence files and a populated review record
//! for the store tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;
use tickmark::catalog::Catalog;
use tickmark::checks::{CheckResult, CheckStatus, Settings};
use tickmark::evidence::EvidenceRef;
use tickmark::store::*;

/// The catalog ID of [`catalog`].
pub const CATALOG_ID: &str = "test-catalog";

/// Requirement 1.2.1 is fed by `aks.private-cluster` and
/// `nsg.no-ssh-rdp-from-internet`; 1.3.1 by `aks.private-cluster`; 1.1.2 is
/// manual; 2.1 by `acr.admin-disabled`; 2.2 by `k8s.pod-non-root`.
pub fn catalog() -> Catalog {
    let node = |id: &str, checks: &[&str]| {
        let checks: Vec<String> = checks.iter().map(|c| format!("\"{c}\"")).collect();
        format!(
            "[[node]]\nid = \"{id}\"\ntitle = \"Requirement {id}\"\nresponsibility = \"customer\"\n\
             guidance = \"Guidance for {id}.\"\nevidence = [\"an export\"]\nchecks = [{}]\n\n",
            checks.join(", ")
        )
    };
    let mut text = format!(
        "id = \"{CATALOG_ID}\"\nname = \"Test catalog\"\ndescription = \"A catalog for the store tests.\"\ncustomized_approach = true\n\
         requirement_ids = [\"1.1.2\", \"1.2.1\", \"1.3.1\", \"2.1\", \"2.2\"]\n\n"
    );
    for (id, checks) in [
        ("1", &[][..]),
        ("1.1", &[]),
        ("1.1.2", &[]),
        ("1.2", &[]),
        (
            "1.2.1",
            &["aks.private-cluster", "nsg.no-ssh-rdp-from-internet"],
        ),
        ("1.3", &[]),
        ("1.3.1", &["aks.private-cluster"]),
        ("2", &[]),
        ("2.1", &["acr.admin-disabled"]),
        ("2.2", &["k8s.pod-non-root"]),
    ] {
        text.push_str(&node(id, checks));
    }
    Catalog::from_toml(&text).expect("the test catalog is valid")
}

/// The assessed requirements of [`catalog`].
pub const REQUIREMENTS: &[&str] = &["1.1.2", "1.2.1", "1.3.1", "2.1", "2.2"];

/// An AKS cluster in the ARM shape, with `marker` somewhere in it so that
/// different markers give different bytes.
pub fn aks_json(marker: &str) -> String {
    format!(
        r#"{{"id": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-demo",
  "name": "aks-demo", "type": "Microsoft.ContainerService/managedClusters", "location": "westeurope",
  "tags": {{"marker": "{marker}"}},
  "properties": {{"apiServerAccessProfile": {{"enablePrivateCluster": true}}}}}}"#
    )
}

/// An NSG in the ARM shape.
pub fn nsg_json(marker: &str) -> String {
    format!(
        r#"{{"id": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-{marker}",
  "name": "nsg-{marker}", "type": "Microsoft.Network/networkSecurityGroups", "location": "westeurope",
  "properties": {{"securityRules": []}}}}"#
    )
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Synthetic results citing the two files: `aks.private-cluster` with
/// `private`, `nsg.no-ssh-rdp-from-internet` passing, `acr.admin-disabled`
/// not evaluated.
pub fn results(aks_path: &str, nsg_path: &str, private: CheckStatus) -> Vec<CheckResult> {
    let cite = |path: &str, pointer: &str| EvidenceRef {
        path: path.into(),
        pointer: pointer.into(),
        resource: None,
    };
    vec![
        CheckResult {
            check: "aks.private-cluster".into(),
            requirement: None,
            framework: None,
            status: private,
            reason: format!("enablePrivateCluster judged {}", private.id()),
            evidence: vec![cite(aks_path, "/properties/apiServerAccessProfile")],
            resources: Vec::new(),
        },
        CheckResult {
            check: "nsg.no-ssh-rdp-from-internet".into(),
            requirement: None,
            framework: None,
            status: CheckStatus::Pass,
            reason: "no rule opens 22 or 3389 from the internet".into(),
            evidence: vec![cite(nsg_path, "/properties/securityRules")],
            resources: Vec::new(),
        },
        CheckResult::not_evaluated("acr.admin-disabled", "no container registry imported"),
    ]
}

/// A fresh record with two profiles and one assessment.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub store: Store,
    pub catalog: Catalog,
    pub auditor: Actor,
    pub lead: Actor,
    pub assessment: Assessment,
}

pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

pub fn new_assessment(name: &str) -> NewAssessment {
    NewAssessment {
        name: name.into(),
        cluster: "aks-demo".into(),
        period_start: date("2026-01-01"),
        period_end: date("2026-06-30"),
        catalog_id: CATALOG_ID.into(),
    }
}

pub fn actor(profile: Option<i64>) -> Actor {
    Actor {
        profile,
        os_user: "tester".into(),
    }
}

impl Fixture {
    /// Profiles "Ana Auditor" and "Lee Lead" and assessment "H1 2026".
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("record").join("tickmark.sqlite3");
        let mut store = Store::open(&db).unwrap();
        let system = actor(None);
        let auditor = store
            .create_profile(
                &system,
                &NewProfile {
                    name: "Ana Auditor".into(),
                    email: "ana@example.com".into(),
                    role: Role::Auditor,
                },
            )
            .unwrap();
        let lead = store
            .create_profile(
                &system,
                &NewProfile {
                    name: "Lee Lead".into(),
                    email: "lee@example.com".into(),
                    role: Role::SecurityLead,
                },
            )
            .unwrap();
        let assessment = store
            .create_assessment(&system, &new_assessment("H1 2026"))
            .unwrap();
        Fixture {
            dir,
            db,
            store,
            catalog: catalog(),
            auditor: actor(Some(auditor.id)),
            lead: actor(Some(lead.id)),
            assessment,
        }
    }

    /// The directory for evidence files.
    pub fn evidence_dir(&self) -> PathBuf {
        let dir = self.dir.path().join("evidence");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Imports files (paths) into the assessment and returns the summary.
    pub fn import(&mut self, paths: &[PathBuf]) -> ImportSummary {
        self.store
            .import_paths(
                &actor(None),
                &self.assessment.name,
                None,
                paths,
                &mut |_| {},
            )
            .unwrap()
    }

    /// Records a run of [`results`] over the current files.
    pub fn run(&mut self, aks: &str, nsg: &str, private: CheckStatus) -> RunOutcome {
        let files = self
            .store
            .evidence_set(self.assessment.id)
            .unwrap()
            .set
            .files;
        self.store
            .record_run(
                &actor(None),
                self.assessment.id,
                &self.catalog,
                &Settings::default(),
                &files,
                results(aks, nsg, private),
            )
            .unwrap()
    }

    /// A record with something in every table: two evidence files, a run,
    /// reviews of every requirement, an attachment, a preparer and a
    /// reviewer sign-off of each (the reviewer "Rey Reviewer", an auditor)
    /// and an approval (nothing left open, so no override).
    pub fn populated() -> Fixture {
        let mut f = Fixture::prepared();
        let reviewer = f.add_reviewer();
        f.review_all(&reviewer);
        let (id, catalog) = (f.assessment.id, f.catalog.clone());
        f.store
            .approve(&f.lead, id, &catalog, "Approved for H1.", None, None)
            .unwrap();
        f
    }

    /// A second auditor, "Rey Reviewer", who reviews the preparers' work.
    pub fn add_reviewer(&mut self) -> Actor {
        let reviewer = self
            .store
            .create_profile(
                &actor(None),
                &NewProfile {
                    name: "Rey Reviewer".into(),
                    email: "rey@example.com".into(),
                    role: Role::Auditor,
                },
            )
            .unwrap();
        actor(Some(reviewer.id))
    }

    /// `reviewer` signs every requirement off as its reviewer.
    pub fn review_all(&mut self, reviewer: &Actor) {
        let (id, catalog) = (self.assessment.id, self.catalog.clone());
        for requirement in REQUIREMENTS {
            self.store
                .review_sign_off_with(
                    reviewer,
                    id,
                    &catalog,
                    requirement,
                    "I reviewed the preparer's work.",
                    None,
                )
                .unwrap();
        }
    }

    /// What a record written by the previous release (schema 2) could
    /// hold: [`Fixture::prepared`] and the lead's decision to send it back
    /// (no reviewer sign-offs, review notes or approval overrides existed).
    pub fn as_released() -> Fixture {
        let mut f = Fixture::prepared();
        let (id, catalog, lead) = (f.assessment.id, f.catalog.clone(), f.lead.clone());
        f.store
            .send_back(&lead, id, &catalog, "Sent back for a second look.", None)
            .unwrap();
        f
    }

    /// Two evidence files, a run, reviews of every requirement, an
    /// attachment and a preparer sign-off of each.
    pub fn prepared() -> Fixture {
        let mut f = Fixture::new();
        let dir = f.evidence_dir();
        let aks = write(&dir, "aks.json", &aks_json("one"));
        let nsg = write(&dir, "nsg.json", &nsg_json("a"));
        f.import(&[aks.clone(), nsg.clone()]);
        let (aks, nsg) = (path_text(&aks), path_text(&nsg));
        f.run(&aks, &nsg, CheckStatus::Pass);
        let (id, catalog) = (f.assessment.id, f.catalog.clone());
        for requirement in REQUIREMENTS {
            f.store
                .set_review(
                    &f.auditor,
                    id,
                    &catalog,
                    requirement,
                    &ReviewInput::defined(
                        Some(Finding::InPlace),
                        &format!("Checked {requirement}."),
                    ),
                )
                .unwrap();
        }
        f.store
            .add_attachment(
                &f.auditor,
                id,
                &catalog,
                "1.1.2",
                "diagram.png",
                None,
                b"\x89PNG\r\n\x1a\n fake diagram",
            )
            .unwrap();
        for requirement in ["1.2.1", "1.1.2", "1.3.1", "2.1", "2.2"] {
            f.store
                .sign_off(
                    &f.auditor,
                    id,
                    &catalog,
                    requirement,
                    "I checked the evidence.",
                )
                .unwrap();
        }
        f
    }
}

/// A path as the importer names it.
pub fn path_text(path: &Path) -> String {
    tickmark::evidence::display_path(path)
}

/// Takes the closed record at `db` back to schema `version` (1 or 2) as
/// that version's Tickmark would have written it: undoes step 3 (evidence
/// references are dropped; result lists, of which there must be none; a review's
/// finding and method become one conclusion again, worksheets and the prior
/// assessment are dropped), drops what step 2 adds (the guards and indexes)
/// for version 1, and removes the later steps from the migration log. The
/// events stay as the current build wrote them; `tests/store_upgrade.rs`
/// opens a record an earlier build really wrote.
pub fn downgrade(db: &Path, version: i64) {
    assert!((1..=2).contains(&version));
    let conn = rusqlite::Connection::open(db).unwrap();
    // Undo step 3's reviewer sign-offs and review notes block (a record
    // of an earlier release holds neither).
    let newer: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM sign_offs WHERE level <> 'preparer') + (SELECT count(*) FROM review_notes)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        newer, 0,
        "reviewer sign-offs and review notes cannot go back to schema {version}"
    );
    conn.execute_batch(
        "DROP INDEX review_note_answers_by_note;
         DROP TRIGGER review_note_answers_no_update;
         DROP TRIGGER review_note_answers_no_delete;
         DROP TABLE review_note_answers;
         DROP INDEX review_notes_by_requirement;
         DROP TRIGGER review_notes_no_delete;
         DROP TABLE review_notes;
         ALTER TABLE sign_offs DROP COLUMN level;
         ALTER TABLE sign_offs DROP COLUMN reviews;",
    )
    .unwrap();
    // Undo step 3's evidence references block.
    conn.execute_batch(
        "DROP INDEX evidence_files_by_reference;
         DROP INDEX attachments_by_reference;
         ALTER TABLE evidence_files DROP COLUMN reference;
         ALTER TABLE attachments DROP COLUMN reference;",
    )
    .unwrap();
    // Undo step 3's result lists (an earlier release kept resources
    // inline; this record must hold none in lists to go back).
    let lists: i64 = conn
        .query_row("SELECT count(*) FROM result_lists", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        lists, 0,
        "results with resources in lists cannot go back to schema {version}"
    );
    conn.execute_batch(
        "DROP TRIGGER result_lists_no_update;
         DROP TRIGGER result_lists_no_delete;
         DROP TABLE result_lists;",
    )
    .unwrap();
    // Undo step 3's signing block: keys, retirement, the sample flags,
    // archives, overrides and the signatures.
    conn.execute_batch(
        "DROP INDEX signatures_by_assessment;
         DROP TRIGGER signatures_no_delete;
         DROP TABLE signatures;
         ALTER TABLE approvals DROP COLUMN open_items;
         ALTER TABLE assessments DROP COLUMN sample;
         ALTER TABLE assessments DROP COLUMN archived_seq;
         ALTER TABLE assessments DROP COLUMN archived_at;
         ALTER TABLE assessments DROP COLUMN archived_reason;
         ALTER TABLE profiles DROP COLUMN sample;
         ALTER TABLE profiles DROP COLUMN ssh_key;
         ALTER TABLE profiles DROP COLUMN key_fingerprint;
         ALTER TABLE profiles DROP COLUMN key_seq;
         ALTER TABLE profiles DROP COLUMN retired_seq;
         ALTER TABLE profiles DROP COLUMN retired_at;
         ALTER TABLE profiles DROP COLUMN retired_reason;",
    )
    .unwrap();
    // Undo step 3's evidence lifecycle block (issue 13).
    conn.execute_batch(
        "DROP TRIGGER purges_no_delete;
         DROP TRIGGER purges_no_update;
         DROP TABLE purges;
         DROP TRIGGER blobs_no_update;
         CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
         BEGIN SELECT RAISE(ABORT, 'stored files cannot be changed'); END;
         ALTER TABLE evidence_files DROP COLUMN resources;
         ALTER TABLE evidence_files DROP COLUMN sensitive;
         ALTER TABLE evidence_files DROP COLUMN original;
         ALTER TABLE evidence_files DROP COLUMN retired_seq;
         ALTER TABLE evidence_files DROP COLUMN retired_at;
         ALTER TABLE evidence_files DROP COLUMN retired_reason;
         ALTER TABLE evidence_files DROP COLUMN kept_seq;
         ALTER TABLE evidence_files DROP COLUMN kept_reason;",
    )
    .unwrap();
    // Undo step 3: the custody column, the request list and the scopes.
    conn.execute_batch(
        "DROP INDEX scopes_by_assessment;
         DROP TRIGGER scopes_no_update;
         DROP TRIGGER scopes_no_delete;
         DROP TABLE scopes;
         DROP TRIGGER evidence_requests_no_delete;
         DROP TABLE evidence_requests;
         ALTER TABLE evidence_files DROP COLUMN custody;",
    )
    .unwrap();
    conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
    conn.execute_batch(
        "CREATE TABLE reviews_v2 (
            assessment INTEGER NOT NULL REFERENCES assessments(id),
            requirement TEXT NOT NULL,
            conclusion TEXT,
            note TEXT NOT NULL,
            reviewer INTEGER REFERENCES profiles(id),
            os_user TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (assessment, requirement)
        );
        INSERT INTO reviews_v2
            SELECT assessment, requirement,
                   CASE WHEN finding = 'in_place' AND method = 'compensating' THEN 'in_place_ccw' ELSE finding END,
                   note, reviewer, os_user, reviewed_at, seq
            FROM reviews;
        DROP TABLE reviews;
        ALTER TABLE reviews_v2 RENAME TO reviews;
        CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
        BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;
        ALTER TABLE assessments DROP COLUMN prior_assessment;",
    )
    .unwrap();
    if version == 1 {
        let guards: Vec<(String, String)> = conn
            .prepare("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'index') AND sql IS NOT NULL")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!guards.is_empty());
        for (kind, name) in guards {
            conn.execute_batch(&format!("DROP {kind} {name}")).unwrap();
        }
    }
    conn.execute(
        "DELETE FROM schema_migrations WHERE version > ?1",
        [version],
    )
    .unwrap();
    conn.pragma_update(None, "user_version", version).unwrap();
}

/// Runs the real `tickmark` binary on the review record `db` with `args`,
/// with no display.
pub fn tickmark(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap()
}

/// A command's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
