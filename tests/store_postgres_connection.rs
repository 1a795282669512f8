//! How a shared record reaches its server: TLS as the URL's `sslmode` and
//! `sslrootcert` say, against a real TLS-only PostgreSQL with a CA made for
//! the run; and a connection that drops (its server session terminated)
//! made again by the next operation, without reopening the record.

mod pg_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tickmark::store::{Actor, NewProfile, OpenOptions, Role, Store, StoreError};

fn open(url: &str, replicas: &Path) -> Result<Store, StoreError> {
    Store::open_with(
        Path::new(url),
        &OpenOptions {
            replica_dir: Some(replicas.to_owned()),
            ..OpenOptions::default()
        },
    )
}

fn profile(name: &str) -> NewProfile {
    NewProfile {
        name: name.into(),
        email: String::new(),
        role: Role::Auditor,
    }
}

/// Runs the binary; asserts success and returns its standard output.
fn tickmark(url: &str, replicas: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .arg("--db")
        .arg(url)
        .args(args)
        .env("TICKMARK_REPLICA_DIR", replicas)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// True when the server sees session `pid` as encrypted (asked from the
/// superuser's own connection).
fn encrypted_per_server(db: &pg_support::TlsDb, pid: i64) -> bool {
    let pid = i32::try_from(pid).unwrap();
    db.admin("postgres")
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = $1", &[&pid])
        .unwrap()
        .get(0)
}

#[test]
fn a_whole_review_runs_over_verify_full_tls_with_the_teams_ca() {
    let Some(db) = pg_support::tls_database("tls_flow") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let url = db.url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", db.ca.display()),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(["init-server", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replicas = work.path().join("ann");
    tickmark(
        &url,
        &replicas,
        &[
            "import",
            "--assessment",
            "FY27",
            &pg_support::sample("azure/log-analytics-workspace.json"),
        ],
    );
    tickmark(
        &url,
        &replicas,
        &["profile", "add", "--name", "Ann", "--role", "auditor"],
    );
    let note = work.path().join("note.md");
    std::fs::write(&note, "Policies are published and known to all parties.").unwrap();
    tickmark(
        &url,
        &replicas,
        &[
            "review",
            "--assessment",
            "FY27",
            "--profile",
            "Ann",
            "--requirement",
            "12.1.1",
            "--finding",
            "in-place",
            "--note-file",
            note.to_str().unwrap(),
        ],
    );
    tickmark(
        &url,
        &replicas,
        &[
            "sign-off",
            "--assessment",
            "FY27",
            "--requirement",
            "12.1.1",
            "--profile",
            "Ann",
        ],
    );
    let out = tickmark(&url, &work.path().join("auditor"), &["verify"]);
    assert!(out.contains("Intact"), "{out}");
    assert!(out.contains("1 sign-off(s)"), "{out}");
    assert!(
        out.contains("Connection to the server: encrypted (TLSv1."),
        "{out}"
    );
    // The library's session is encrypted, as it says and as the server sees.
    let mut store = open(&url, &replicas).unwrap();
    let session = store.server_session().unwrap().unwrap();
    assert!(
        session
            .encryption
            .as_deref()
            .is_some_and(|v| v.starts_with("TLS")),
        "{session:?}"
    );
    assert!(encrypted_per_server(&db, session.id));
}

#[test]
fn each_sslmode_checks_what_it_says() {
    let Some(db) = pg_support::tls_database("tls_modes") else {
        return;
    };
    let ca = format!("sslrootcert={}", db.ca.display());
    tickmark::store::init_server(
        &db.url("localhost", &format!("sslmode=verify-full&{ca}")),
        &[],
        &[],
    )
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let connects = |host: &str, params: &str| -> Result<Option<String>, String> {
        let url = db.url(host, params);
        let mut store = open(&url, work.path()).map_err(|e| e.to_string())?;
        let session = store.server_session().unwrap().unwrap();
        assert_eq!(
            session.encryption.is_some(),
            encrypted_per_server(&db, session.id),
            "{url}"
        );
        Ok(session.encryption)
    };
    // verify-full: chain and host name.
    assert!(
        connects("localhost", &format!("sslmode=verify-full&{ca}"))
            .unwrap()
            .is_some()
    );
    let err = connects("127.0.0.1", &format!("sslmode=verify-full&{ca}")).unwrap_err();
    assert!(err.contains("IP address mismatch"), "{err}");
    assert!(
        err.contains("certificate is not issued for the host name or address in the URL"),
        "{err}"
    );
    // verify-ca: the chain, whatever the name.
    assert!(
        connects("127.0.0.1", &format!("sslmode=verify-ca&{ca}"))
            .unwrap()
            .is_some()
    );
    // Without the team's CA the chain is not trusted, whatever the mode
    // (require and prefer are stricter than libpq's).
    for mode in ["verify-full", "verify-ca", "require", "prefer"] {
        let err = connects("localhost", &format!("sslmode={mode}")).unwrap_err();
        assert!(err.contains("certificate verify failed"), "{mode}: {err}");
        assert!(err.contains("sslrootcert=FILE"), "{mode}: {err}");
        assert!(err.contains("postgresql://postgres@localhost:"), "{err}");
    }
    // require and the default (prefer) with the CA: encrypted, host checked.
    for params in [format!("sslmode=require&{ca}"), ca.clone()] {
        assert!(
            connects("localhost", &params).unwrap().is_some(),
            "{params}"
        );
    }
    let err = connects("127.0.0.1", &format!("sslmode=require&{ca}")).unwrap_err();
    assert!(
        err.contains("certificate is not issued for the host"),
        "{err}"
    );
    // disable against a server that accepts only TLS: refused, saying so.
    let err = connects("localhost", "sslmode=disable").unwrap_err();
    assert!(err.contains("no encryption"), "{err}");
    assert!(err.contains("remove sslmode=disable"), "{err}");
    // A mode libpq does not know, and a CA file that is not there.
    let err = connects("localhost", "sslmode=verify").unwrap_err();
    assert!(err.contains("sslmode=verify is not one of"), "{err}");
    let missing = db.dir().join("missing.pem");
    let err = connects(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", missing.display()),
    )
    .unwrap_err();
    assert!(
        err.contains(&format!(
            "{} (sslrootcert): cannot be read",
            missing.display()
        )),
        "{err}"
    );
}

/// Ends the server session `pid` from the superuser's connection.
fn terminate(db: &pg_support::TestDb, pid: i64) {
    let pid = i32::try_from(pid).unwrap();
    let ended: bool = db
        .client()
        .query_one("SELECT pg_terminate_backend($1, 5000)", &[&pid])
        .unwrap()
        .get(0);
    assert!(ended, "session {pid} did not end");
}

fn profile_names(store: &Store) -> Vec<String> {
    store
        .profiles()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

fn session_id(store: &mut Store) -> i64 {
    store.server_session().unwrap().unwrap().id
}

#[test]
fn a_dropped_connection_is_made_again_by_the_next_write_and_the_next_refresh() {
    let Some(db) = pg_support::database("reconnect") else {
        return;
    };
    tickmark::store::init_server(&db.url, &[], &[]).unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut store = open(&db.url, &work.path().join("ann")).unwrap();
    let mut colleague = open(&db.url, &work.path().join("ben")).unwrap();
    let actor = Actor::os_user_only();
    store.create_profile(&actor, &profile("Ann")).unwrap();
    // A write after the session was ended lands, on a new session.
    let first = session_id(&mut store);
    terminate(&db, first);
    store.create_profile(&actor, &profile("Ben")).unwrap();
    let second = session_id(&mut store);
    assert_ne!(first, second);
    // A refresh after the session was ended brings a colleague's work.
    colleague.create_profile(&actor, &profile("Cem")).unwrap();
    terminate(&db, second);
    assert_eq!(store.refresh().unwrap(), 1);
    // A listening app listens again on the new session: a colleague's
    // write is announced, not found by the timeout.
    store.listen_for_colleagues().unwrap();
    terminate(&db, session_id(&mut store));
    assert_eq!(store.refresh_when_announced().unwrap(), 0);
    colleague.create_profile(&actor, &profile("Dee")).unwrap();
    let start = Instant::now();
    assert_eq!(
        store.wait_for_colleagues(Duration::from_secs(30)).unwrap(),
        1
    );
    assert!(start.elapsed() < Duration::from_secs(10), "not announced");
    let names = profile_names(&store);
    assert_eq!(names.len(), 4, "{names:?}");
    let report = store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.first_problem());
    let report = Store::verify_server_copy(&db.url, &work.path().join("scratch")).unwrap();
    assert!(report.is_intact(), "{:?}", report.first_problem());
}

#[test]
fn a_write_whose_connection_dropped_before_commit_is_pushed_again_once() {
    let Some(db) = pg_support::database("repush") else {
        return;
    };
    tickmark::store::init_server(&db.url, &[], &[]).unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut store = open(&db.url, &work.path().join("ann")).unwrap();
    let actor = Actor::os_user_only();
    // The session ends while the write holds the server's lock, before
    // anything is pushed: the server rolls back; the same events are
    // pushed again on a new session.
    store
        .atomically(|store| -> Result<(), StoreError> {
            store.create_profile(&actor, &profile("Ann"))?;
            let pid = session_id(store);
            terminate(&db, pid);
            store.create_profile(&actor, &profile("Ben"))?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.profiles().unwrap().len(), 2);
    let report = Store::verify_server_copy(&db.url, &work.path().join("scratch")).unwrap();
    assert!(report.is_intact(), "{:?}", report.first_problem());
    assert_eq!(report.counts.events, 2);
    // When a colleague wrote while the connection was down, nothing of
    // ours is pushed over theirs: the write is refused plainly, the local
    // copy rolled back, and it still follows the server.
    let mut colleague = open(&db.url, &work.path().join("ben")).unwrap();
    let err = store
        .atomically(|store| -> Result<(), StoreError> {
            store.create_profile(&actor, &profile("Cem"))?;
            let pid = session_id(store);
            terminate(&db, pid);
            colleague.create_profile(&actor, &profile("Dee"))?;
            Ok(())
        })
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("the connection to the server dropped"),
        "{text}"
    );
    assert!(
        text.contains("nothing of this change was recorded"),
        "{text}"
    );
    assert_eq!(store.refresh().unwrap(), 1);
    assert_eq!(profile_names(&store), ["Ann", "Ben", "Dee"]);
    let report = store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.first_problem());
}
