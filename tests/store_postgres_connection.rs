//! How a shared record reaches its server: TLS as the URL's `sslmode` and
//! `sslrootcert` say, against a real TLS-only PostgreSQL with a CA made for
//! the run; a client certificate (`sslcert`, `sslkey`) for a server that
//! lets in only those its CA issued; and a connection that drops (its
//! server session terminated) made again by the next operation, without
//! reopening the record.

mod pg_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pg_support::{ClientCert, Issuer};
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

/// Runs the binary with `--db url`.
fn run_tickmark(url: &str, replicas: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .arg("--db")
        .arg(url)
        .args(args)
        .env("TICKMARK_REPLICA_DIR", replicas)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap()
}

/// Runs the binary; asserts success and returns its standard output.
fn tickmark(url: &str, replicas: &Path, args: &[&str]) -> String {
    let out = run_tickmark(url, replicas, args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs the binary; asserts that it failed without panicking and returns
/// its standard error.
fn tickmark_refused(url: &str, replicas: &Path, args: &[&str]) -> String {
    let out = run_tickmark(url, replicas, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{args:?} succeeded\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
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

/// The client certificate's subject the server saw on session `pid`.
fn client_dn_per_server(db: &pg_support::TlsDb, pid: i64) -> Option<String> {
    let pid = i32::try_from(pid).unwrap();
    db.admin("postgres")
        .query_one("SELECT client_dn FROM pg_stat_ssl WHERE pid = $1", &[&pid])
        .unwrap()
        .get(0)
}

/// The URL of `db` as the superuser, trusting the run's CA, with `params`
/// after (no `sslmode`: the default).
fn cert_url(db: &pg_support::TlsDb, params: &str) -> String {
    db.url(
        "localhost",
        &format!("sslrootcert={}&{params}", db.ca.display()),
    )
}

/// The subject of the client certificate a library connection to `url`
/// presented, as the server saw it.
fn presented(db: &pg_support::TlsDb, url: &str, replicas: &Path) -> Option<String> {
    let mut store = open(url, replicas).unwrap();
    let session = store.server_session().unwrap().unwrap();
    assert!(encrypted_per_server(db, session.id));
    client_dn_per_server(db, session.id)
}

/// The server refused a client certificate no CA of its issued: with TLS
/// 1.3 it says so in an alert after the client's side of the handshake,
/// which arrives (`unknown ca`) or is lost as the server closes the
/// connection; either way the message says what to look at.
fn assert_untrusted_certificate_said(err: &str) {
    assert!(
        err.contains("tlsv1 alert unknown ca")
            || err.contains("the server closed the connection as it started"),
        "{err}"
    );
    assert!(
        err.contains("(sslcert)") && err.contains("a CA in the server's ssl_ca_file"),
        "{err}"
    );
}

#[test]
fn a_record_on_a_server_that_asks_for_client_certificates_opens_with_sslcert_and_sslkey() {
    let Some(db) = pg_support::client_cert_database("client_cert") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let mine = db.client_certificate("postgres-client", "postgres", Issuer::TheCa);
    // No sslmode: the default tries TLS, and the certificate goes with it.
    let url = cert_url(&db, &mine.params());
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
    tickmark(&url, &replicas, &["assessment", "create", "--name", "FY27"]);
    let listed = tickmark(&url, &replicas, &["assessment", "list"]);
    assert!(listed.contains("FY27"), "{listed}");
    let verified = tickmark(&url, &work.path().join("auditor"), &["verify"]);
    assert!(verified.contains("Intact"), "{verified}");
    assert!(
        verified.contains("Connection to the server: encrypted (TLSv1."),
        "{verified}"
    );
    // The server saw the certificate, on the library's session too.
    assert_eq!(
        presented(&db, &url, &replicas).as_deref(),
        Some("/CN=postgres")
    );
    // A certificate issued by an intermediate CA the server does not hold:
    // the file carries the chain, and the chain is sent.
    let chained = db.client_certificate("chained", "postgres", Issuer::AnIntermediate);
    let url = cert_url(&db, &chained.params());
    assert_eq!(
        presented(&db, &url, &replicas).as_deref(),
        Some("/CN=postgres")
    );
    // Without the intermediate's certificate in the file, the server cannot
    // tell who issued it, and says so.
    let leaf_only = ClientCert {
        cert: db.dir().join("chained.leaf.pem"),
        key: chained.key.clone(),
    };
    let err = tickmark_refused(
        &cert_url(&db, &leaf_only.params()),
        &replicas,
        &["assessment", "list"],
    );
    assert_untrusted_certificate_said(&err);
}

#[test]
fn a_server_that_refuses_the_client_certificate_is_said_to_and_why() {
    let Some(db) = pg_support::client_cert_database("client_cert_refused") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let replicas = work.path().join("ann");
    let mine = db.client_certificate("postgres-client", "postgres", Issuer::TheCa);
    tickmark::store::init_server(&cert_url(&db, &mine.params()), &[], &[]).unwrap();
    // None given: the server's refusal, and what to give.
    let err = tickmark_refused(&cert_url(&db, ""), &replicas, &["assessment", "list"]);
    assert!(
        err.contains("connection requires a valid client certificate"),
        "{err}"
    );
    assert!(err.contains("sslcert=FILE&sslkey=FILE"), "{err}");
    assert!(err.contains("postgresql://postgres@localhost:"), "{err}");
    // One no CA of the server's issued.
    let stranger = db.client_certificate("stranger", "postgres", Issuer::ItSelf);
    let err = tickmark_refused(
        &cert_url(&db, &stranger.params()),
        &replicas,
        &["assessment", "list"],
    );
    assert_untrusted_certificate_said(&err);
    // One for another login.
    let ben = db.client_certificate("ben", "ben", Issuer::TheCa);
    let err = tickmark_refused(
        &cert_url(&db, &ben.params()),
        &replicas,
        &["assessment", "list"],
    );
    assert!(err.contains("certificate authentication failed"), "{err}");
    assert!(
        err.contains("common name (CN) must be the user name"),
        "{err}"
    );
    // A key that is not the certificate's.
    let mixed = ClientCert {
        cert: mine.cert.clone(),
        key: ben.key.clone(),
    };
    let err = tickmark_refused(
        &cert_url(&db, &mixed.params()),
        &replicas,
        &["assessment", "list"],
    );
    assert!(err.contains("cannot be used together"), "{err}");
    assert!(err.contains(&mine.cert.display().to_string()), "{err}");
    assert!(err.contains(&ben.key.display().to_string()), "{err}");
    // A key of another kind than the certificate's: OpenSSL does not send
    // the certificate at all.
    let ec_key = work.path().join("ec.key");
    let made = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(&ec_key)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let other_kind = ClientCert {
        cert: mine.cert.clone(),
        key: ec_key,
    };
    let err = tickmark_refused(
        &cert_url(&db, &other_kind.params()),
        &replicas,
        &["assessment", "list"],
    );
    assert!(
        err.contains("the client certificate (sslcert) was not sent"),
        "{err}"
    );
    assert!(err.contains("of another kind"), "{err}");
    // Half of the pair.
    let err = tickmark_refused(
        &cert_url(&db, &format!("sslcert={}", mine.cert.display())),
        &replicas,
        &["assessment", "list"],
    );
    assert!(
        err.contains("give both (sslcert=FILE&sslkey=FILE)"),
        "{err}"
    );
}

/// The key file's text, for checking that no message repeats it.
fn key_body(key: &Path) -> String {
    let text = std::fs::read_to_string(key).unwrap();
    text.lines().nth(1).unwrap().to_owned()
}

#[test]
fn a_key_others_may_read_is_refused_like_libpq_refuses_it_naming_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let Some(db) = pg_support::client_cert_database("client_key_mode") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let replicas = work.path().join("ann");
    let mine = db.client_certificate("postgres-client", "postgres", Issuer::TheCa);
    let url = cert_url(&db, &mine.params());
    tickmark::store::init_server(&url, &[], &[]).unwrap();
    std::fs::set_permissions(&mine.key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = tickmark_refused(&url, &replicas, &["assessment", "list"]);
    assert!(
        err.contains(&format!(
            "the client key file {} (sslkey): may be read by others than its owner (mode 0644)",
            mine.key.display()
        )),
        "{err}"
    );
    assert!(err.contains("chmod 600"), "{err}");
    assert!(!err.contains(&key_body(&mine.key)), "{err}");
    // libpq's allowance: a key owned by root may be read by its group.
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&mine.key).unwrap());
    std::fs::set_permissions(&mine.key, std::fs::Permissions::from_mode(0o640)).unwrap();
    if owner == 0 {
        tickmark(&url, &replicas, &["assessment", "list"]);
    } else {
        let err = tickmark_refused(&url, &replicas, &["assessment", "list"]);
        assert!(err.contains("(mode 0640)"), "{err}");
    }
    std::fs::set_permissions(&mine.key, std::fs::Permissions::from_mode(0o600)).unwrap();
    tickmark(&url, &replicas, &["assessment", "list"]);
}

#[test]
fn a_key_in_another_form_is_refused_with_the_openssl_command_that_converts_it() {
    let Some(db) = pg_support::client_cert_database("client_key_form") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let replicas = work.path().join("ann");
    let mine = db.client_certificate("postgres-client", "postgres", Issuer::TheCa);
    tickmark::store::init_server(&cert_url(&db, &mine.params()), &[], &[]).unwrap();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let with_key = |key: &Path| ClientCert {
        cert: mine.cert.clone(),
        key: key.to_owned(),
    };
    let key_in = mine.key.to_str().unwrap();
    // PKCS#1 (OpenSSL's traditional RSA form).
    let pkcs1 = work.path().join("postgres-client.rsa.key");
    let pkcs1_path = pkcs1.to_str().unwrap();
    openssl(&["pkey", "-in", key_in, "-traditional", "-out", pkcs1_path]);
    assert!(
        std::fs::read_to_string(&pkcs1)
            .unwrap()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----")
    );
    let err = tickmark_refused(
        &cert_url(&db, &with_key(&pkcs1).params()),
        &replicas,
        &["assessment", "list"],
    );
    assert!(
        err.contains(&format!(
            "the client key file {pkcs1_path} (sslkey): holds a PKCS#1 RSA key"
        )),
        "{err}"
    );
    let command = format!("openssl pkcs8 -topk8 -nocrypt -in {pkcs1_path} -out {pkcs1_path}.pk8");
    assert!(err.contains(&command), "{err}");
    assert!(!err.contains(&key_body(&pkcs1)), "{err}");
    // The command it gives makes a key that works.
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    openssl(&args);
    let converted = work.path().join("postgres-client.rsa.key.pk8");
    tickmark(
        &cert_url(&db, &with_key(&converted).params()),
        &replicas,
        &["assessment", "list"],
    );
    // A key protected by a passphrase, and one in DER.
    let encrypted = work.path().join("encrypted.key");
    openssl(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:secret",
        "-in",
        key_in,
        "-out",
        encrypted.to_str().unwrap(),
    ]);
    let err = tickmark_refused(
        &cert_url(&db, &with_key(&encrypted).params()),
        &replicas,
        &["assessment", "list"],
    );
    assert!(
        err.contains("encrypted.key (sslkey): is protected by a passphrase"),
        "{err}"
    );
    assert!(err.contains("openssl pkcs8 -topk8 -nocrypt -in "), "{err}");
    let der = work.path().join("der.key");
    openssl(&[
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-outform",
        "DER",
        "-in",
        key_in,
        "-out",
        der.to_str().unwrap(),
    ]);
    let err = tickmark_refused(
        &cert_url(&db, &with_key(&der).params()),
        &replicas,
        &["assessment", "list"],
    );
    assert!(
        err.contains("der.key (sslkey): holds no PEM private key"),
        "{err}"
    );
    assert!(err.contains("-nocrypt -inform DER -in "), "{err}");
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

/// The server itself restarted (`pg_ctl restart`, every session ended
/// and the port closed for a moment) under an app that keeps its record
/// open and listens: its next write lands on a new session, it hears a
/// colleague's write again, and both copies verify.
#[test]
fn a_real_server_restart_under_an_open_record_loses_nothing() {
    let Some(db) = pg_support::database_on_own_server("restart") else {
        return;
    };
    tickmark::store::init_server(&db.url, &[], &[]).unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut store = open(&db.url, &work.path().join("ann")).unwrap();
    let actor = Actor::os_user_only();
    store.create_profile(&actor, &profile("Ann")).unwrap();
    store.listen_for_colleagues().unwrap();
    let before = session_id(&mut store);
    assert!(db.restart_server());
    store.create_profile(&actor, &profile("Ben")).unwrap();
    assert_ne!(session_id(&mut store), before);
    let mut colleague = open(&db.url, &work.path().join("cem")).unwrap();
    assert_eq!(colleague.profiles().unwrap().len(), 2);
    assert!(db.restart_server());
    // The restart ended the listening session too: the next look listens
    // again, and a colleague's write is announced on the new one.
    assert_eq!(store.refresh_when_announced().unwrap(), 0);
    colleague.create_profile(&actor, &profile("Cem")).unwrap();
    let start = Instant::now();
    assert_eq!(
        store.wait_for_colleagues(Duration::from_secs(30)).unwrap(),
        1
    );
    assert!(start.elapsed() < Duration::from_secs(10), "not announced");
    assert_eq!(profile_names(&store), ["Ann", "Ben", "Cem"]);
    let report = store.verify().unwrap();
    assert!(report.is_intact(), "{:?}", report.first_problem());
    let report = Store::verify_server_copy(&db.url, &work.path().join("scratch")).unwrap();
    assert!(report.is_intact(), "{:?}", report.first_problem());
    assert_eq!(report.counts.events, 3);
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
