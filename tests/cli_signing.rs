//! Signing from the command line as a user scripts it (issue 12): the real
//! binary, real SSH keys made by `ssh-keygen`, the real `ssh-keygen -Y
//! verify` on what `export --format signatures` wrote, an ssh-agent started
//! for the test, and `verify --against` an earlier export after the last
//! events were deleted.

mod signing_fixture;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use signing_fixture::*;

fn tickmark(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tickmark"));
    command
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("SSH_AUTH_SOCK")
        .stdin(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

/// Runs and asserts the exit code; returns stdout and stderr.
fn run(db: &Path, args: &[&str], code: i32) -> (String, String) {
    run_with(db, args, &[], code)
}

fn run_with(db: &Path, args: &[&str], env: &[(&str, &str)], code: i32) -> (String, String) {
    let out = tickmark(db, args, env);
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

fn sample(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A record with auditor Ana (Ed25519 key), leads Lee and Kim (keys), one
/// assessment "H1" with 1.2.1 concluded by Ana.
struct Setup {
    dir: tempfile::TempDir,
    db: PathBuf,
    ana: KeyPair,
    lee: KeyPair,
    kim: KeyPair,
}

fn setup() -> Option<Setup> {
    if !have_ssh_keygen() {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("record.sqlite3");
    let ana = make_key(dir.path(), "ana", "ed25519", "");
    let lee = make_key(dir.path(), "lee", "ed25519", "");
    let kim = make_key(dir.path(), "kim", "ecdsa", "");
    for (name, email, role, key) in [
        ("Ana Auditor", "ana@example.com", "auditor", &ana),
        ("Lee Lead", "lee@example.com", "lead", &lee),
        ("Kim Lead", "kim@example.com", "lead", &kim),
    ] {
        let (out, _) = run(
            &db,
            &[
                "profile",
                "add",
                "--name",
                name,
                "--email",
                email,
                "--role",
                role,
                "--ssh-key",
                &path(&key.public),
            ],
            0,
        );
        assert!(out.contains("key SHA256:"), "{out}");
    }
    run(
        &db,
        &[
            "import",
            "--assessment",
            "H1",
            &sample("azure/aks-cluster.json"),
        ],
        0,
    );
    run(
        &db,
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
    Some(Setup {
        dir,
        db,
        ana,
        lee,
        kim,
    })
}

#[test]
fn a_sign_off_made_with_an_ed25519_key_is_verified_by_ssh_keygen_from_the_exported_files_alone() {
    let Some(s) = setup() else {
        return;
    };
    // A profile with a key signs; without --key and without an agent it
    // cannot, and says how to.
    let (_, err) = run(
        &s.db,
        &[
            "sign-off",
            "--assessment",
            "H1",
            "--requirement",
            "1.2.1",
            "--profile",
            "Ana Auditor",
        ],
        2,
    );
    assert!(err.contains("no ssh-agent is running"), "{err}");
    assert!(err.contains("--key"), "{err}");
    let (out, _) = run(
        &s.db,
        &[
            "sign-off",
            "--assessment",
            "H1",
            "--requirement",
            "1.2.1",
            "--profile",
            "Ana Auditor",
            "--key",
            &path(&s.ana.private),
        ],
        0,
    );
    assert!(out.contains("signed with SHA256:"), "{out}");
    let folder = s.dir.path().join("signatures");
    run(
        &s.db,
        &[
            "export",
            "--assessment",
            "H1",
            "--format",
            "signatures",
            "--out",
            &path(&folder),
        ],
        0,
    );
    let readme = std::fs::read_to_string(folder.join("README.txt")).unwrap();
    let line = readme
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("ssh-keygen -Y verify"))
        .expect("the README gives the command")
        .to_owned();
    // The statement's file is named after its event's sequence number,
    // which depends on how many events the import recorded.
    let (command, statement) = line.split_once(" < ").expect("input redirected");
    assert!(
        statement.starts_with("event-") && statement.ends_with("-sign-off-1.2.1.json"),
        "{line}"
    );
    assert_eq!(
        command,
        format!(
            "ssh-keygen -Y verify -f allowed_signers -I ana@example.com -n tickmark-review -s {statement}.sig"
        )
    );
    // The exact line from the README, run by a shell in the exported folder.
    let out = Command::new("sh")
        .arg("-c")
        .arg(&line)
        .current_dir(&folder)
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("Good \"tickmark-review\" signature for ana@example.com with ED25519 key"),
        "{said}"
    );
    // Another principal's key does not vouch for it.
    let (ok, said) = ssh_keygen_verify(
        &folder,
        "allowed_signers",
        "lee@example.com",
        &format!("{statement}.sig"),
        statement,
    );
    assert!(!ok, "{said}");
    // A rewritten statement does not verify.
    let statement_path = folder.join(statement);
    let text = std::fs::read_to_string(&statement_path).unwrap();
    std::fs::write(
        &statement_path,
        text.replace("\"in_place\"", "\"not_applicable\""),
    )
    .unwrap();
    let (ok, said) = ssh_keygen_verify(
        &folder,
        "allowed_signers",
        "ana@example.com",
        &format!("{statement}.sig"),
        statement,
    );
    assert!(!ok, "a changed statement verified: {said}");
    // An existing folder is not overwritten.
    let (_, err) = run(
        &s.db,
        &[
            "export",
            "--assessment",
            "H1",
            "--format",
            "signatures",
            "--out",
            &path(&folder),
        ],
        2,
    );
    assert!(err.contains("not an empty folder"), "{err}");
}

#[test]
fn the_approver_who_signed_off_cannot_approve_and_open_items_need_an_override() {
    let Some(s) = setup() else {
        return;
    };
    // Lee signs off a requirement himself.
    run(
        &s.db,
        &[
            "review",
            "--assessment",
            "H1",
            "--requirement",
            "1.2.2",
            "--finding",
            "in-place",
            "--profile",
            "Ana Auditor",
        ],
        0,
    );
    run(
        &s.db,
        &[
            "sign-off",
            "--assessment",
            "H1",
            "--requirement",
            "1.2.2",
            "--profile",
            "Lee Lead",
            "--key",
            &path(&s.lee.private),
        ],
        0,
    );
    let (_, err) = run(
        &s.db,
        &[
            "approve",
            "--assessment",
            "H1",
            "--profile",
            "Lee Lead",
            "--key",
            &path(&s.lee.private),
        ],
        1,
    );
    assert!(
        err.contains("refused: segregation of duties: Lee Lead signed off 1.2.2"),
        "{err}"
    );
    // Kim may approve, but not an assessment with unconcluded requirements
    // without an override.
    let (_, err) = run(
        &s.db,
        &[
            "approve",
            "--assessment",
            "H1",
            "--profile",
            "Kim Lead",
            "--key",
            &path(&s.kim.private),
        ],
        1,
    );
    assert!(err.contains("without a conclusion"), "{err}");
    assert!(err.contains("--override-template"), "{err}");
    let (template, _) = run(
        &s.db,
        &["approve", "--assessment", "H1", "--override-template"],
        0,
    );
    assert!(template.contains("unconcluded = [\"1.1.1\""), "{template}");
    assert!(
        template.contains("not_signed_off = [\"1.2.1\"]"),
        "{template}"
    );
    let override_file = s.dir.path().join("override.toml");
    std::fs::write(&override_file, &template).unwrap();
    let (_, err) = run(
        &s.db,
        &[
            "approve",
            "--assessment",
            "H1",
            "--profile",
            "Kim Lead",
            "--key",
            &path(&s.kim.private),
            "--override-file",
            &path(&override_file),
        ],
        1,
    );
    assert!(err.contains("at least a sentence"), "{err}");
    std::fs::write(
        &override_file,
        template.replace(
            "justification = \"\"",
            "justification = \"This interim approval covers the network segment only; the annual review concludes the rest.\"",
        ),
    )
    .unwrap();
    let (out, _) = run(
        &s.db,
        &[
            "approve",
            "--assessment",
            "H1",
            "--profile",
            "Kim Lead",
            "--key",
            &path(&s.kim.private),
            "--override-file",
            &path(&override_file),
        ],
        0,
    );
    assert!(out.contains("Approved \"H1\""), "{out}");
    assert!(out.contains("signed with SHA256:"), "{out}");
    assert!(out.contains("open item(s)"), "{out}");
    let (out, _) = run(&s.db, &["verify"], 0);
    assert!(out.contains("every signature verifies"), "{out}");
    assert!(out.contains("2 signature(s) checked"), "{out}");
}

#[test]
fn deleting_the_events_after_a_seal_is_found_by_verify_against_the_earlier_export() {
    let Some(s) = setup() else {
        return;
    };
    let (out, _) = run(
        &s.db,
        &[
            "seal",
            "--assessment",
            "H1",
            "--profile",
            "Ana Auditor",
            "--note",
            "Before the QSA visit",
            "--key",
            &path(&s.ana.private),
        ],
        0,
    );
    assert!(out.contains("Sealed the record for \"H1\""), "{out}");
    let seal_event: i64 = out
        .split("event #")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    // More work after the seal, then every kind of export.
    run(
        &s.db,
        &[
            "review",
            "--assessment",
            "H1",
            "--requirement",
            "1.2.2",
            "--finding",
            "not-tested",
            "--profile",
            "Ana Auditor",
        ],
        0,
    );
    let exports: Vec<PathBuf> = ["bundle", "json", "oscal", "html"]
        .iter()
        .map(|format| {
            let out = s.dir.path().join(format!("H1.{format}"));
            run(
                &s.db,
                &[
                    "export",
                    "--assessment",
                    "H1",
                    "--format",
                    format,
                    "--out",
                    &path(&out),
                ],
                0,
            );
            out
        })
        .collect();
    for export in &exports {
        let (out, _) = run(&s.db, &["verify", "--against", &path(export)], 0);
        assert!(
            out.contains("Matches: the record holds exactly the history"),
            "{out}"
        );
        assert!(
            out.contains(&format!("sealed at event #{seal_event} by ana@example.com")),
            "{out}"
        );
    }
    // Someone deletes the events after the seal (dropping the guard and
    // putting it back) and the state they wrote.
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER events_no_delete;
         DELETE FROM events WHERE seq > {seal_event};
         CREATE TRIGGER events_no_delete BEFORE DELETE ON events
         BEGIN SELECT RAISE(ABORT, 'the event log is append-only: an event cannot be deleted'); END;
         DROP TRIGGER reviews_no_delete;
         DELETE FROM reviews WHERE requirement = '1.2.2';
         CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
         BEGIN SELECT RAISE(ABORT, 'nothing is deleted from the review record'); END;"
    ))
    .unwrap();
    drop(conn);
    // The record alone still verifies: the seal covers what is left.
    let (out, _) = run(&s.db, &["verify"], 0);
    assert!(out.contains("Intact"), "{out}");
    // Every earlier export finds the missing events.
    for export in &exports {
        let (out, err) = run(&s.db, &["verify", "--against", &path(export)], 1);
        assert!(out.contains("DOES NOT MATCH: event #"), "{out}");
        assert!(
            out.contains(&format!("the record now ends at event #{seal_event}")),
            "{out}"
        );
        assert!(err.contains("no longer holds what"), "{err}");
    }
    // A report that is not a Tickmark export is unusable, not "tampered".
    let other = s.dir.path().join("other.txt");
    std::fs::write(&other, "hello").unwrap();
    let (_, err) = run(&s.db, &["verify", "--against", &path(&other)], 2);
    assert!(err.contains("not an export Tickmark wrote"), "{err}");
}

/// An ssh-agent of the test's own, ended when dropped (by its process ID).
struct TestAgent {
    child: Child,
    socket: PathBuf,
}

impl TestAgent {
    fn start(dir: &Path) -> Option<TestAgent> {
        let socket = dir.join("agent.sock");
        let child = Command::new("ssh-agent")
            .args(["-D", "-a"])
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        for _ in 0..100 {
            if socket.exists() {
                return Some(TestAgent { child, socket });
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }
}

impl Drop for TestAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_profile_signs_through_a_running_ssh_agent() {
    let Some(s) = setup() else {
        return;
    };
    let Some(agent) = TestAgent::start(s.dir.path()) else {
        eprintln!(
            "skipped (a_profile_signs_through_a_running_ssh_agent): ssh-agent could not be started"
        );
        return;
    };
    let sock = path(&agent.socket);
    let env = [("SSH_AUTH_SOCK", sock.as_str())];
    let args = [
        "sign-off",
        "--assessment",
        "H1",
        "--requirement",
        "1.2.1",
        "--profile",
        "Ana Auditor",
    ];
    // The agent does not hold Ana's key yet.
    let (_, err) = run_with(&s.db, &args, &env, 2);
    assert!(
        err.contains("add the key to the agent with `ssh-add`"),
        "{err}"
    );
    let added = Command::new("ssh-add")
        .arg(&s.ana.private)
        .env("SSH_AUTH_SOCK", &agent.socket)
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    let (out, _) = run_with(&s.db, &args, &env, 0);
    assert!(out.contains("signed with SHA256:"), "{out}");
    let (out, _) = run(&s.db, &["verify"], 0);
    assert!(out.contains("1 signature(s) checked"), "{out}");
    let _ = (&s.lee, &s.kim);
}
