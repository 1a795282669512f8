//! A team's record on a real PostgreSQL (see `pg_support`): the real
//! binary, several processes at once, each with its own local copy.
//! Concurrent sign-offs all land and verify; a conflicting note edit is
//! refused with both texts; the sample record moves onto the server and
//! verifies the same on both, and every export of it is byte for byte the
//! same from the file and from the server; the application role cannot
//! change or delete an event; a tampered local copy is caught.

mod pg_support;
mod signing_fixture;

use std::path::Path;
use std::process::{Command, Output};

use pg_support::sample;
use tickmark::store::{Actor, Finding, OpenOptions, ReviewInput, Store, StoreError};

/// Runs the binary on `db` with local copies kept under `replicas`.
fn tickmark(db: &str, replicas: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("TICKMARK_REPLICA_DIR", replicas)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap()
}

/// Runs and asserts the exit code; returns stdout and stderr.
fn run(db: &str, replicas: &Path, args: &[&str], code: i32) -> (String, String) {
    let out = tickmark(db, replicas, args);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}\nstdout: {stdout}\nstderr: {stderr}"
    );
    (stdout, stderr)
}

fn init_server(url: &str, grant: &[&str]) {
    let mut args = vec!["init-server".to_owned(), url.to_owned()];
    for user in grant {
        args.extend(["--grant".to_owned(), (*user).to_owned()]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A shared record with assessment FY27 and a reviewed 12.1.1.
fn reviewed_record(url: &str, replicas: &Path, profiles: usize) {
    run(
        url,
        replicas,
        &[
            "import",
            "--assessment",
            "FY27",
            &sample("azure/log-analytics-workspace.json"),
        ],
        0,
    );
    for n in 1..=profiles {
        run(
            url,
            replicas,
            &[
                "profile",
                "add",
                "--name",
                &format!("Assessor {n}"),
                "--email",
                &format!("a{n}@example.com"),
                "--role",
                "auditor",
            ],
            0,
        );
    }
}

#[test]
fn twenty_concurrent_sign_offs_from_several_processes_all_land_and_verify() {
    let Some(db) = pg_support::database("concurrent_sign_offs") else {
        return;
    };
    init_server(&db.url, &[]);
    let work = tempfile::tempdir().unwrap();
    let setup = work.path().join("setup");
    reviewed_record(&db.url, &setup, 20);
    let note = work.path().join("note.md");
    std::fs::write(&note, "Policies are published and known to all parties.").unwrap();
    run(
        &db.url,
        &setup,
        &[
            "review",
            "--assessment",
            "FY27",
            "--profile",
            "Assessor 1",
            "--requirement",
            "12.1.1",
            "--finding",
            "in-place",
            "--note-file",
            note.to_str().unwrap(),
        ],
        0,
    );
    // Twenty processes at once, five to each of four local copies (one of
    // them the copy the setup used).
    let children: Vec<_> = (1..=20)
        .map(|n| {
            let replicas = if n % 4 == 0 {
                setup.clone()
            } else {
                work.path().join(format!("member-{}", n % 4))
            };
            Command::new(env!("CARGO_BIN_EXE_tickmark"))
                .args(["--db", &db.url, "sign-off", "--assessment", "FY27"])
                .args(["--requirement", "12.1.1", "--profile"])
                .arg(format!("a{n}@example.com"))
                .env("TICKMARK_REPLICA_DIR", replicas)
                .env_remove("DISPLAY")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let fresh = work.path().join("auditor");
    let (out, _) = run(&db.url, &fresh, &["verify"], 0);
    assert!(out.contains("Intact"), "{out}");
    assert!(
        out.contains("Connection to the server: not encrypted"),
        "{out}"
    );
    assert!(out.contains("20 sign-off(s)"), "{out}");
    assert!(
        out.contains("Server (a copy rebuilt from it alone): intact"),
        "{out}"
    );
    // Every copy ends at the same head as the server.
    let head = |replicas: &Path| {
        let store = Store::open_with(
            Path::new(&db.url),
            &OpenOptions {
                replica_dir: Some(replicas.to_owned()),
                ..OpenOptions::default()
            },
        )
        .unwrap();
        let report = store.verify().unwrap();
        assert!(report.is_intact(), "{:?}", report.first_problem());
        report.chain_head.unwrap().hash
    };
    let heads: Vec<String> = ["setup", "member-1", "member-2", "member-3"]
        .iter()
        .map(|d| head(&work.path().join(d)))
        .collect();
    assert!(heads.iter().all(|h| *h == heads[0]), "{heads:?}");
}

#[test]
fn a_note_edit_over_a_colleagues_change_is_refused_with_both_texts() {
    let Some(db) = pg_support::database("conflicting_edit") else {
        return;
    };
    init_server(&db.url, &[]);
    let work = tempfile::tempdir().unwrap();
    let (ann, ben) = (work.path().join("ann"), work.path().join("ben"));
    reviewed_record(&db.url, &ann, 2);
    let write = |name: &str, text: &str| {
        let path = work.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let review = |replicas: &Path, profile: &str, note: &str, based_on: &str, code| {
        run(
            &db.url,
            replicas,
            &[
                "review",
                "--assessment",
                "FY27",
                "--requirement",
                "12.1.1",
                "--finding",
                "in-place",
                "--profile",
                profile,
                "--note-file",
                note,
                "--based-on",
                based_on,
            ],
            code,
        )
    };
    let first = write("first.md", "Policy v1 seen.");
    let (out, _) = review(&ann, "Assessor 1", &first, "0", 0);
    let event = out
        .split("(event #")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap()
        .to_owned();
    // Both start from that version; Ann saves first, Ben's save is refused.
    let anns = write("ann.md", "Ann: the policy was approved on 2026-03-01.");
    let bens = write("ben.md", "Ben: the policy has no approval date.");
    review(&ann, "Assessor 1", &anns, &event, 0);
    let (_, err) = review(&ben, "Assessor 2", &bens, &event, 1);
    assert!(err.contains("refused"), "{err}");
    assert!(
        err.contains("changed by Assessor 1 <a1@example.com>"),
        "{err}"
    );
    assert!(
        err.contains("Ann: the policy was approved on 2026-03-01.")
            && err.contains("Ben: the policy has no approval date."),
        "{err}"
    );
    // Nothing was overwritten: the record keeps Ann's text.
    let store = Store::open_with(
        Path::new(&db.url),
        &OpenOptions {
            replica_dir: Some(ben.clone()),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let fy27 = store.assessment("FY27").unwrap().unwrap();
    let current = store.review(fy27.id, "12.1.1").unwrap().unwrap();
    assert_eq!(current.note, "Ann: the policy was approved on 2026-03-01.");
    // Ben saves again from the version he has now seen.
    review(&ben, "Assessor 2", &bens, &current.event.to_string(), 0);
}

#[test]
fn a_conflicting_edit_is_refused_on_a_file_record_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite3");
    let catalog = tickmark::catalog::default_catalog();
    let mut first = Store::open(&path).unwrap();
    let mut second = Store::open(&path).unwrap();
    let profile = first
        .create_profile(
            &Actor::os_user_only(),
            &tickmark::store::NewProfile {
                name: "Ann".into(),
                email: "ann@example.com".into(),
                role: tickmark::store::Role::Auditor,
            },
        )
        .unwrap();
    let actor = Actor::with_profile(profile.id);
    let assessment = first
        .create_assessment(
            &actor,
            &tickmark::store::NewAssessment {
                name: "FY27".into(),
                cluster: "aks-demo".into(),
                period_start: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                period_end: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                catalog_id: catalog.id.clone(),
            },
        )
        .unwrap();
    let input = |note: &str| ReviewInput {
        finding: Some(Finding::InPlace),
        note: note.into(),
        ..ReviewInput::default()
    };
    first
        .set_review_based_on(
            &actor,
            assessment.id,
            catalog,
            "12.1.1",
            &input("one"),
            None,
        )
        .unwrap();
    let err = second
        .set_review_based_on(
            &actor,
            assessment.id,
            catalog,
            "12.1.1",
            &input("two"),
            None,
        )
        .unwrap_err();
    let StoreError::Conflict(conflict) = err else {
        panic!("{err}");
    };
    assert_eq!(conflict.theirs.note, "one");
    assert_eq!(conflict.mine.note, "two");
}

#[test]
fn the_sample_record_moves_onto_the_server_and_verifies_the_same_on_both() {
    let Some(db) = pg_support::database("migrate_sample") else {
        return;
    };
    init_server(&db.url, &[]);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("sample.sqlite3");
    {
        let mut store = Store::open(&file).unwrap();
        tickmark::sample::seed(&mut store, &tickmark::checks::Settings::default()).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(["migrate-record", "--from"])
        .arg(&file)
        .args(["--to", &db.url])
        .env("TICKMARK_REPLICA_DIR", work.path().join("scratch"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Verified"), "{stdout}");
    let head_of = |out: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix("Chain head: "))
            .unwrap()
            .to_owned()
    };
    let (on_file, _) = run(file.to_str().unwrap(), work.path(), &["verify"], 0);
    let (on_server, _) = run(&db.url, &work.path().join("team"), &["verify"], 0);
    assert_eq!(head_of(&on_file), head_of(&on_server));
    let counts = |out: &str| {
        out.lines()
            .find(|l| l.contains(" events; "))
            .unwrap()
            .to_owned()
    };
    assert_eq!(counts(&on_file), counts(&on_server));
    // A second copy into the same server is refused.
    let again = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(["migrate-record", "--from"])
        .arg(&file)
        .args(["--to", &db.url])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a record"));
}

#[test]
fn the_application_role_cannot_update_or_delete_an_event() {
    let Some(db) = pg_support::database("app_role") else {
        return;
    };
    let user = format!("member_{}", std::process::id());
    db.client()
        .batch_execute(&format!("CREATE ROLE {user} LOGIN"))
        .unwrap();
    init_server(&db.url, &[&user]);
    let work = tempfile::tempdir().unwrap();
    let as_member = db.url_as(&user);
    // The member records through Tickmark...
    reviewed_record(&as_member, work.path(), 1);
    // ...but cannot change or remove what is recorded.
    let mut member = postgres::Client::connect(&as_member, postgres::NoTls).unwrap();
    let refused = |client: &mut postgres::Client, sql: &str| {
        let err = client
            .batch_execute(sql)
            .expect_err(&format!("{sql} was allowed"));
        err.as_db_error()
            .map(|e| e.message().to_owned())
            .unwrap_or_else(|| err.to_string())
    };
    for sql in [
        "UPDATE tickmark.events SET payload = '{}' WHERE seq = 1",
        "DELETE FROM tickmark.events WHERE seq = 1",
        "TRUNCATE tickmark.events",
        "DELETE FROM tickmark.blobs",
        "UPDATE tickmark.result_lists SET rows = 0",
        "DROP TRIGGER events_no_change ON tickmark.events",
    ] {
        let message = refused(&mut member, sql);
        assert!(
            message.contains("permission denied") || message.contains("must be owner"),
            "{sql}: {message}"
        );
    }
    // A stored file's bytes are emptied only under a purge event.
    let message = refused(&mut member, "UPDATE tickmark.blobs SET bytes = ''::bytea");
    assert!(message.contains("only purged by an event"), "{message}");
    // An event that does not extend the head is refused even when inserted
    // by hand.
    let message = refused(
        &mut member,
        "INSERT INTO tickmark.events (seq, at, actor_os_user, kind, payload, prev_hash, hash) VALUES (1000, 'now', 'x', 'profile.created', '{}', 'x', 'y')",
    );
    assert!(message.contains("does not follow the head"), "{message}");
    // The owner is refused by the triggers as well (but could drop them:
    // hence signatures and seals).
    let mut owner = db.client();
    let message = refused(
        &mut owner,
        "UPDATE tickmark.events SET payload = '{}' WHERE seq = 1",
    );
    assert!(message.contains("append-only"), "{message}");
    let message = refused(&mut owner, "DELETE FROM tickmark.events WHERE seq = 1");
    assert!(message.contains("append-only"), "{message}");
}

#[test]
fn a_tampered_local_copy_is_caught_by_verify_against_the_server() {
    let Some(db) = pg_support::database("tampered_copy") else {
        return;
    };
    init_server(&db.url, &[]);
    let work = tempfile::tempdir().unwrap();
    let replicas = work.path().join("copy");
    reviewed_record(&db.url, &replicas, 1);
    let (out, _) = run(&db.url, &replicas, &["verify"], 0);
    assert!(out.contains("Intact"), "{out}");
    let replica = std::fs::read_dir(&replicas)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "sqlite3"))
        .unwrap();
    // An entity row changed in the local copy.
    {
        let conn = rusqlite::Connection::open(&replica).unwrap();
        conn.execute_batch(
            "UPDATE profiles SET name = 'Someone Else' WHERE id = (SELECT min(id) FROM profiles)",
        )
        .unwrap();
    }
    let (out, _) = run(&db.url, &replicas, &["verify"], 1);
    assert!(out.contains("TAMPERED"), "{out}");
    // The last event rewritten with its hash recomputed to match: the
    // local copy verifies on its own, but is no longer the server's chain.
    {
        let conn = rusqlite::Connection::open(&replica).unwrap();
        conn.execute_batch(
            "UPDATE profiles SET name = (SELECT json_extract(payload, '$.name') FROM events WHERE seq = profiles.id) WHERE id = (SELECT min(id) FROM profiles);
             DROP TRIGGER events_no_update;
             UPDATE events SET hash = 'f' || substr(hash, 2) WHERE seq = (SELECT max(seq) FROM events);",
        )
        .unwrap();
    }
    let (out, err) = run(&db.url, &replicas, &["verify"], 1);
    assert!(
        out.contains("TAMPERED") && out.contains("differs from"),
        "{out}{err}"
    );
}

#[test]
fn members_join_and_leave_a_record_already_set_up() {
    let Some(db) = pg_support::database("members") else {
        return;
    };
    let pid = std::process::id();
    let (early, late) = (format!("early_{pid}"), format!("late_{pid}"));
    db.client()
        .batch_execute(&format!(
            "CREATE ROLE {early} LOGIN; CREATE ROLE {late} LOGIN;"
        ))
        .unwrap();
    init_server(&db.url, &[&early]);
    let work = tempfile::tempdir().unwrap();
    reviewed_record(&db.url_as(&early), &work.path().join("early"), 1);
    // Not a member yet: the server refuses the newcomer.
    let late_url = db.url_as(&late);
    let (_, err) = run(&late_url, &work.path().join("late"), &["verify"], 2);
    assert!(err.contains("permission denied"), "{err}");
    // Added later, without touching the schema or the chain.
    let (out, _) = run(
        &db.url,
        &work.path().join("owner"),
        &["init-server", &db.url, "--grant", &late],
        0,
    );
    assert!(
        out.contains(&format!("{late} is a member of tickmark_app")),
        "{out}"
    );
    assert!(!out.contains("Set up"), "{out}");
    let (out, _) = run(&late_url, &work.path().join("late"), &["verify"], 0);
    assert!(out.contains("Intact"), "{out}");
    // Someone who left the team can no longer write; what they recorded stays.
    let (out, _) = run(
        &db.url,
        &work.path().join("owner"),
        &["init-server", &db.url, "--revoke", &early],
        0,
    );
    assert!(out.contains("no longer a member"), "{out}");
    let (_, err) = run(
        &db.url_as(&early),
        &work.path().join("early"),
        &[
            "profile",
            "add",
            "--name",
            "After leaving",
            "--role",
            "auditor",
        ],
        2,
    );
    assert!(err.contains("permission denied"), "{err}");
    let (out, _) = run(&late_url, &work.path().join("late"), &["verify"], 0);
    assert!(out.contains("Intact"), "{out}");
    // Neither a member to add nor one to remove: refused, nothing changed.
    let (_, err) = run(
        &db.url,
        &work.path().join("owner"),
        &["init-server", &db.url],
        1,
    );
    assert!(err.contains("already holds a Tickmark schema"), "{err}");
}

/// What a signing team does on a shared record — a sign-off signed with an
/// Ed25519 key, a file purged, the record sealed with an ECDSA key — all
/// verify from a copy rebuilt from the server alone, and the signature
/// export read from the server passes the real `ssh-keygen -Y verify`.
#[test]
fn signatures_seals_and_purges_on_the_server_verify_like_on_a_file() {
    let Some(db) = pg_support::database("signed_on_server") else {
        return;
    };
    if !signing_fixture::have_ssh_keygen() {
        return;
    }
    init_server(&db.url, &[]);
    let work = tempfile::tempdir().unwrap();
    let ana = signing_fixture::make_key(work.path(), "ana", "ed25519", "");
    let lee = signing_fixture::make_key(work.path(), "lee", "ecdsa", "");
    let copy = work.path().join("copy-ana");
    let text = |p: &Path| p.to_string_lossy().into_owned();
    for (name, email, role, key) in [
        ("Ana Auditor", "ana@example.com", "auditor", &ana),
        ("Lee Lead", "lee@example.com", "lead", &lee),
    ] {
        let args = [
            "profile",
            "add",
            "--name",
            name,
            "--email",
            email,
            "--role",
            role,
            "--ssh-key",
        ];
        let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        args.push(text(&key.public));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&db.url, &copy, &args, 0);
    }
    for file in [
        "azure/aks-cluster.json",
        "azure/log-analytics-workspace.json",
    ] {
        run(
            &db.url,
            &copy,
            &["import", "--assessment", "H1", &sample(file)],
            0,
        );
    }
    run(
        &db.url,
        &copy,
        &[
            "review",
            "--assessment",
            "H1",
            "--requirement",
            "1.2.1",
            "--finding",
            "in-place",
            "--profile",
            "Ana Auditor",
        ],
        0,
    );
    let ana_key = text(&ana.private);
    let (out, _) = run(
        &db.url,
        &copy,
        &[
            "sign-off",
            "--assessment",
            "H1",
            "--requirement",
            "1.2.1",
            "--profile",
            "Ana Auditor",
            "--key",
            &ana_key,
        ],
        0,
    );
    assert!(out.contains("signed with SHA256:"), "{out}");
    let (list, _) = run(
        &db.url,
        &copy,
        &["evidence", "list", "--assessment", "H1"],
        0,
    );
    let workspace = list
        .lines()
        .find(|l| l.contains("log-analytics-workspace.json"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|id| id.strip_prefix('#'))
        .unwrap_or_else(|| panic!("{list}"))
        .to_owned();
    run(
        &db.url,
        &copy,
        &[
            "evidence",
            "purge",
            "--assessment",
            "H1",
            "--file",
            &workspace,
            "--reason",
            "Collected from the wrong subscription",
            "--profile",
            "Ana Auditor",
        ],
        0,
    );
    let lee_key = text(&lee.private);
    let (out, _) = run(
        &db.url,
        &copy,
        &[
            "seal",
            "--assessment",
            "H1",
            "--profile",
            "Lee Lead",
            "--note",
            "Sent to the QSA",
            "--key",
            &lee_key,
        ],
        0,
    );
    assert!(out.contains("Sealed the record"), "{out}");
    // A colleague's fresh copy, built from the server alone.
    let (out, _) = run(&db.url, &work.path().join("copy-qsa"), &["verify"], 0);
    assert!(out.contains("Intact"), "{out}");
    assert!(out.contains("2 signature(s) checked"), "{out}");
    assert!(out.contains("Purged (not tampered)"), "{out}");
    assert!(
        out.contains("Server (a copy rebuilt from it alone): intact"),
        "{out}"
    );
    // The purged bytes are gone from the server too.
    let emptied: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM tickmark.blobs WHERE length(bytes) = 0 AND purged_seq IS NOT NULL",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(emptied, 1);
    // The signatures exported from the shared record verify with ssh-keygen.
    let folder = work.path().join("signatures");
    run(
        &db.url,
        &work.path().join("copy-qsa"),
        &[
            "export",
            "--assessment",
            "H1",
            "--format",
            "signatures",
            "--out",
            &text(&folder),
        ],
        0,
    );
    let statement = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.ends_with("-sign-off-1.2.1.json"))
        .expect("the sign-off's statement");
    let (ok, said) = signing_fixture::ssh_keygen_verify(
        &folder,
        "allowed_signers",
        "ana@example.com",
        &format!("{statement}.sig"),
        &statement,
    );
    assert!(ok, "{said}");
}

/// Every file under `dir`, by its path relative to `dir`.
fn files_under(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut found = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                found.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    found
}

#[test]
fn every_export_of_the_sample_is_the_same_from_the_file_and_from_the_server() {
    use std::sync::atomic::AtomicBool;
    use tickmark::export::{ExportFormat, export};
    let Some(db) = pg_support::database("export_parity") else {
        return;
    };
    init_server(&db.url, &[]);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("sample.sqlite3");
    let on_file = {
        let mut store = Store::open(&file).unwrap();
        tickmark::sample::seed(&mut store, &tickmark::checks::Settings::default()).unwrap();
        store.copy_to_server(&db.url).unwrap();
        store
    };
    let on_server = Store::open_with(
        Path::new(&db.url),
        &OpenOptions {
            replica_dir: Some(work.path().join("team")),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    assert!(on_server.is_shared());
    let assessments = on_file.assessments().unwrap();
    assert_eq!(assessments, on_server.assessments().unwrap());
    assert!(!assessments.is_empty());
    let cancel = AtomicBool::new(false);
    let mut compared = 0;
    for assessment in &assessments {
        let catalog = tickmark::catalog::builtin(&assessment.catalog_id).unwrap();
        for &format in ExportFormat::ALL {
            let name = format.default_file_name(&assessment.name);
            let outputs: Vec<_> = [("file", &on_file), ("server", &on_server)]
                .iter()
                .map(|(engine, store)| {
                    let out = work.path().join(engine).join(assessment.id.to_string());
                    std::fs::create_dir_all(&out).unwrap();
                    let out = out.join(&name);
                    let summary = export(
                        store,
                        catalog,
                        assessment.id,
                        format,
                        &out,
                        &mut |_| {},
                        &cancel,
                    )
                    .unwrap_or_else(|e| panic!("{engine}: {format:?}: {e}"));
                    (out, summary)
                })
                .collect();
            let [(file_out, file_summary), (server_out, server_summary)] = &outputs[..] else {
                unreachable!()
            };
            // No format carries the record's path or URL, or the time of the
            // export: the same record gives the same bytes on either engine.
            if format.is_folder() {
                assert_eq!(
                    files_under(file_out),
                    files_under(server_out),
                    "{format:?} of {}",
                    assessment.name
                );
            } else {
                assert!(
                    std::fs::read(file_out).unwrap() == std::fs::read(server_out).unwrap(),
                    "{format:?} of {} differs between {} and {}",
                    assessment.name,
                    file_out.display(),
                    server_out.display()
                );
                assert_eq!(file_summary.sha256, server_summary.sha256);
            }
            compared += 1;
        }
        // The evidence request list, both formats.
        for format in [
            tickmark::export::requests::RequestFormat::Csv,
            tickmark::export::requests::RequestFormat::Xlsx,
        ] {
            let written: Vec<Vec<u8>> = [("file", &on_file), ("server", &on_server)]
                .iter()
                .map(|(engine, store)| {
                    let record = store.record(assessment.id).unwrap();
                    let list = tickmark::requests::request_list(
                        tickmark::collect::builtin(),
                        catalog,
                        &record,
                    );
                    let as_of = tickmark::export::requests::as_of(&record);
                    let out = work.path().join(format!(
                        "{engine}-{}-requests.{}",
                        assessment.id,
                        format.extension()
                    ));
                    tickmark::export::requests::write(&list, format, as_of, &out).unwrap();
                    std::fs::read(&out).unwrap()
                })
                .collect();
            assert!(
                written[0] == written[1],
                "requests {format:?} of {}",
                assessment.name
            );
            compared += 1;
        }
    }
    assert_eq!(compared, assessments.len() * (ExportFormat::ALL.len() + 2));
    // The comparison sees a difference in the record: a review saved on the
    // server only changes the server's export.
    let mut on_server = on_server;
    let current = on_server
        .assessment(tickmark::sample::ASSESSMENT_NAME)
        .unwrap()
        .unwrap();
    let catalog = tickmark::catalog::builtin(&current.catalog_id).unwrap();
    let auditor = on_server
        .profiles()
        .unwrap()
        .into_iter()
        .find(|p| p.name == tickmark::sample::AUDITOR_NAME)
        .unwrap();
    on_server
        .set_review(
            &Actor::with_profile(auditor.id),
            current.id,
            catalog,
            "12.1.1",
            &ReviewInput {
                finding: Some(Finding::InPlace),
                note: "Read again on the server.".into(),
                ..ReviewInput::default()
            },
        )
        .unwrap();
    let json = |store: &Store, engine: &str| {
        let out = work.path().join(format!("{engine}-after.json"));
        export(
            store,
            catalog,
            current.id,
            ExportFormat::Json,
            &out,
            &mut |_| {},
            &cancel,
        )
        .unwrap();
        std::fs::read(out).unwrap()
    };
    assert!(json(&on_file, "file") != json(&on_server, "server"));
}

/// A large stored file goes to the server a piece at a time and comes back
/// whole: a 13 MiB attachment (four pieces, the last one short) and a small
/// one, each read back byte for byte through a colleague's fresh local
/// copy; the server's copy verifies, and the server holds each once.
#[test]
fn a_large_attachment_travels_in_pieces_and_arrives_whole() {
    let Some(db) = pg_support::database("large_attachment") else {
        return;
    };
    init_server(&db.url, &[]);
    let work = tempfile::tempdir().unwrap();
    let open = |copy: &str| {
        Store::open_with(
            Path::new(&db.url),
            &OpenOptions {
                replica_dir: Some(work.path().join(copy)),
                ..OpenOptions::default()
            },
        )
        .unwrap()
    };
    let catalog = tickmark::catalog::default_catalog();
    let requirement = catalog
        .requirements()
        .find(|n| n.is_assessed())
        .unwrap()
        .id
        .clone();
    let mut mine = open("mine");
    let lead = mine
        .create_profile(
            &Actor::os_user_only(),
            &tickmark::store::NewProfile {
                name: "Ana Auditor".into(),
                email: "ana@example.com".into(),
                role: tickmark::store::Role::Auditor,
            },
        )
        .unwrap();
    let assessment = mine
        .create_assessment(
            &Actor::os_user_only(),
            &tickmark::store::NewAssessment {
                name: "FY27".into(),
                cluster: "aks-prod".into(),
                period_start: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                period_end: chrono::NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
                catalog_id: catalog.id.clone(),
            },
        )
        .unwrap();
    // Bytes that no piece boundary can hide a mistake in: each 8-byte
    // word holds its own offset.
    let large: Vec<u8> = (0..(13 << 20) / 8 + 3)
        .flat_map(|word: u64| (word * 8).to_le_bytes())
        .collect();
    let small = b"%PDF-1.7 the firewall rule set, signed by the network team".to_vec();
    let mut attached = Vec::new();
    for (name, bytes) in [("rule-set-export.bin", &large), ("rules.pdf", &small)] {
        attached.push(
            mine.add_attachment(
                &Actor::with_profile(lead.id),
                assessment.id,
                catalog,
                &requirement,
                name,
                None,
                bytes,
            )
            .unwrap(),
        );
    }
    let theirs = open("theirs");
    for (meta, bytes) in attached.iter().zip([&large, &small]) {
        let back = theirs.attachment_bytes(meta.id).unwrap();
        assert_eq!(back.len(), bytes.len(), "{}", meta.file_name);
        assert!(back == *bytes, "{} differs", meta.file_name);
    }
    assert!(theirs.verify().unwrap().is_intact());
    let report = Store::verify_server_copy(&db.url, &work.path().join("scratch")).unwrap();
    assert!(report.is_intact(), "{report:?}");
    let lengths: Vec<i32> = db
        .client()
        .query(
            "SELECT length(bytes) FROM tickmark.blobs ORDER BY length(bytes) DESC",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(lengths[0] as usize, large.len());
    assert_eq!(
        lengths
            .iter()
            .filter(|&&n| n as usize == large.len())
            .count(),
        1
    );
}
