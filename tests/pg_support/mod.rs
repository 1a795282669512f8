//! A real PostgreSQL for the store tests: the server CI started
//! (`TICKMARK_TEST_POSTGRES`, a superuser URL; each test gets a database of
//! its own), or a throwaway cluster started here with the `initdb` and
//! `pg_ctl` on `PATH` (or `/usr/local/bin`), run as `nobody` when the tests
//! run as root (PostgreSQL refuses root), on a free loopback port, stopped
//! and removed when the test ends. When neither is possible the test says
//! why on standard error and skips.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The environment variable CI sets to a superuser URL of a running server.
pub const SERVER_VAR: &str = "TICKMARK_TEST_POSTGRES";

/// A database for one test, on a server that lives as long as it (when
/// started here).
pub struct TestDb {
    /// The superuser's URL of this test's database.
    pub url: String,
    /// The server's superuser URL (database `postgres`).
    pub admin_url: String,
    cluster: Option<Cluster>,
}

struct Cluster {
    dir: PathBuf,
    as_nobody: bool,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = pg_command("pg_ctl", self.as_nobody)
            .args(["stop", "-m", "immediate", "-w", "-D"])
            .arg(&data)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty database for `test`, or `None` (said on standard error)
/// when no PostgreSQL can be had.
pub fn database(test: &str) -> Option<TestDb> {
    database_with(test, false)
}

/// [`database`] on a cluster that syncs its writes to disk like a
/// production server (for benchmarks; the tests' clusters do not).
pub fn durable_database(test: &str) -> Option<TestDb> {
    database_with(test, true)
}

/// [`database`] on a server of its own, always started here (never the
/// one [`SERVER_VAR`] names), so that the test may restart it.
pub fn database_on_own_server(test: &str) -> Option<TestDb> {
    database_on(test, false, None)
}

fn database_with(test: &str, durable: bool) -> Option<TestDb> {
    let shared = std::env::var(SERVER_VAR).ok().filter(|url| !url.is_empty());
    database_on(test, durable, shared)
}

fn database_on(test: &str, durable: bool, shared: Option<String>) -> Option<TestDb> {
    let (admin_url, cluster) = match shared {
        Some(url) => (url, None),
        None => match start_cluster(durable, Tls::Off) {
            Ok((url, cluster)) => (url, Some(cluster)),
            Err(why) => {
                eprintln!(
                    "skipped ({test}): no PostgreSQL: {why}; set {SERVER_VAR} to a superuser URL to run it"
                );
                return None;
            }
        },
    };
    let name = format!(
        "tickmark_{}_{}_{}",
        test.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(30)
            .collect::<String>(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let mut client = postgres::Client::connect(&admin_url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("connecting to {admin_url}: {e}"));
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("{SERVER_VAR} must end in /DBNAME"),
    };
    Some(TestDb {
        url,
        admin_url,
        cluster,
    })
}

impl TestDb {
    /// Restarts the server (`pg_ctl restart -m fast`: every session is
    /// ended), when it was started here; false otherwise.
    pub fn restart_server(&self) -> bool {
        let Some(cluster) = &self.cluster else {
            return false;
        };
        let out = pg_command("pg_ctl", cluster.as_nobody)
            .args(["restart", "-m", "fast", "-w", "-t", "60", "-D"])
            .arg(cluster.dir.join("data"))
            .arg("-l")
            .arg(cluster.dir.join("log"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl restart: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        true
    }

    /// A client as the superuser, on this test's database.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }

    /// Creates the login `user` with `password`, which the server asks for
    /// (a member of [`PASSWORD_GROUP`]); `None`, said on standard error,
    /// when the server lets it in without one (a server not set up like
    /// `.ci/run`'s).
    pub fn password_login(&self, test: &str, user: &str, password: &str) -> Option<String> {
        // Roles belong to the whole server, which CI shares between tests.
        let user = format!("{user}_{}", std::process::id());
        let mut client = self.client();
        client
            .batch_execute(&format!(
                "DO $$ BEGIN CREATE ROLE {PASSWORD_GROUP} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                 CREATE ROLE {user} LOGIN PASSWORD '{password}' IN ROLE {PASSWORD_GROUP};"
            ))
            .unwrap();
        let url = self.url_as(&user);
        if postgres::Client::connect(&url, postgres::NoTls).is_ok() {
            eprintln!(
                "skipped ({test}): the server lets {user} in without a password (its pg_hba.conf has no line for {PASSWORD_GROUP})"
            );
            return None;
        }
        Some(url)
    }

    /// This database's URL for another user.
    pub fn url_as(&self, user: &str) -> String {
        let (scheme, rest) = self.url.split_once("://").unwrap();
        let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        format!("{scheme}://{user}@{host}")
    }
}

/// A file of the bundled `sample-data/`, as an argument.
pub fn sample(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

fn bin(name: &str) -> PathBuf {
    let local = Path::new("/usr/local/bin").join(name);
    if local.is_file() {
        return local;
    }
    // Debian's postgresql package keeps them under /usr/lib/postgresql/N/bin.
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        versions.sort();
        if let Some(found) = versions
            .iter()
            .rev()
            .map(|v| v.join("bin").join(name))
            .find(|p| p.is_file())
        {
            return found;
        }
    }
    PathBuf::from(name)
}

fn pg_command(name: &str, as_nobody: bool) -> Command {
    if as_nobody {
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--"]).arg(bin(name));
        c
    } else {
        Command::new(bin(name))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn checked(what: &str, out: std::io::Result<Output>) -> Result<(), String> {
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )),
        Err(e) => Err(format!("{what} could not run: {e}")),
    }
}

/// Who signs in how: members of [`PASSWORD_GROUP`] with a password,
/// everyone else trusted on loopback (`.ci/run` writes the same lines).
const PG_HBA: &str = "local all all trust\n\
host all +tickmark_password_login 127.0.0.1/32 scram-sha-256\n\
host all all 127.0.0.1/32 trust\n";

/// The group whose members the test servers ask for a password.
pub const PASSWORD_GROUP: &str = "tickmark_password_login";

/// A database on a cluster of its own that accepts only TLS over TCP
/// (`hostssl` lines; `ssl=on` with a certificate for `localhost` issued by
/// a CA made for the run), and the superuser over its Unix socket.
pub struct TlsDb {
    /// The TCP port.
    pub port: u16,
    /// The database's name.
    pub name: String,
    /// The CA's certificate (PEM) that issued the server's.
    pub ca: PathBuf,
    socket_dir: PathBuf,
    cluster: Cluster,
}

impl TlsDb {
    /// The superuser's URL of this database on `host`, with `params` (a
    /// query string without `?`).
    pub fn url(&self, host: &str, params: &str) -> String {
        let query = if params.is_empty() { "" } else { "?" };
        format!(
            "postgresql://postgres@{host}:{}/{}{query}{params}",
            self.port, self.name
        )
    }

    /// A superuser client over the Unix socket (no TLS needed), on `db`.
    pub fn admin(&self, db: &str) -> postgres::Client {
        postgres::Config::new()
            .host_path(&self.socket_dir)
            .port(self.port)
            .user("postgres")
            .dbname(db)
            .connect(postgres::NoTls)
            .unwrap()
    }

    /// The directory the cluster (and the CA) live in.
    pub fn dir(&self) -> &Path {
        &self.cluster.dir
    }
}

/// A client certificate and its key (PKCS#8 PEM, mode 0600) made for a
/// test.
pub struct ClientCert {
    /// The certificate (PEM), followed by the intermediate CA's when it
    /// was issued by one.
    pub cert: PathBuf,
    /// Its private key.
    pub key: PathBuf,
}

impl ClientCert {
    /// The URL parameters that present it.
    pub fn params(&self) -> String {
        format!(
            "sslcert={}&sslkey={}",
            self.cert.display(),
            self.key.display()
        )
    }
}

/// Who issues a client certificate made for a test.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Issuer {
    /// The run's CA, the one the server trusts.
    TheCa,
    /// An intermediate CA the run's CA issued; the certificate file holds
    /// the chain (the client's certificate, then the intermediate's).
    AnIntermediate,
    /// The certificate itself (no CA the server knows).
    ItSelf,
}

impl TlsDb {
    /// Makes `NAME.pem` and `NAME.key` (RSA) for the login `cn` in the
    /// cluster's directory with the `openssl` command.
    pub fn client_certificate(&self, name: &str, cn: &str, issuer: Issuer) -> ClientCert {
        let dir = self.dir();
        let key = format!("{name}.key");
        let subject = format!("/CN={cn}");
        let rsa = ["-newkey", "rsa:2048", "-nodes", "-keyout", &key];
        if issuer == Issuer::ItSelf {
            let out = format!("{name}.pem");
            openssl(
                dir,
                &[
                    &["req", "-x509", "-days", "2", "-subj", &subject][..],
                    &rsa,
                    &["-out", &out],
                ]
                .concat(),
            )
            .unwrap();
        } else {
            let csr = format!("{name}.csr");
            openssl(
                dir,
                &[&["req", "-subj", &subject][..], &rsa, &["-out", &csr]].concat(),
            )
            .unwrap();
            let (ca, ca_key) = match issuer {
                Issuer::AnIntermediate => {
                    make_intermediate(dir).unwrap();
                    ("intermediate.pem", "intermediate.key")
                }
                _ => ("ca.pem", "ca.key"),
            };
            std::fs::write(
                dir.join("client.ext"),
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n",
            )
            .unwrap();
            let leaf = format!("{name}.leaf.pem");
            openssl(
                dir,
                &[
                    "x509",
                    "-req",
                    "-days",
                    "2",
                    "-in",
                    &csr,
                    "-CA",
                    ca,
                    "-CAkey",
                    ca_key,
                    "-CAcreateserial",
                    "-extfile",
                    "client.ext",
                    "-out",
                    &leaf,
                ],
            )
            .unwrap();
            let mut chain = std::fs::read(dir.join(&leaf)).unwrap();
            if issuer == Issuer::AnIntermediate {
                chain.extend(std::fs::read(dir.join(ca)).unwrap());
            }
            std::fs::write(dir.join(format!("{name}.pem")), chain).unwrap();
        }
        let key = dir.join(key);
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        ClientCert {
            cert: dir.join(format!("{name}.pem")),
            key,
        }
    }
}

/// An intermediate CA (`intermediate.pem`, `.key`) issued by the run's CA.
fn make_intermediate(dir: &Path) -> Result<(), String> {
    if dir.join("intermediate.pem").is_file() {
        return Ok(());
    }
    openssl(
        dir,
        &[
            &["req", "-subj", "/CN=Tickmark test intermediate CA"][..],
            &EC_KEY[..],
            &["-keyout", "intermediate.key", "-out", "intermediate.csr"],
        ]
        .concat(),
    )?;
    std::fs::write(
        dir.join("intermediate.ext"),
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n",
    )
    .map_err(|e| e.to_string())?;
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-days",
            "2",
            "-in",
            "intermediate.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-extfile",
            "intermediate.ext",
            "-out",
            "intermediate.pem",
        ],
    )
}

/// Runs the `openssl` command in `dir`.
fn openssl(dir: &Path, args: &[&str]) -> Result<(), String> {
    checked(
        &format!("openssl {}", args.join(" ")),
        Command::new("openssl").current_dir(dir).args(args).output(),
    )
}

/// A new P-256 key, unencrypted (`openssl req` arguments).
const EC_KEY: [&str; 5] = [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
];

/// A fresh database on a TLS-only cluster started here, or `None` (said on
/// standard error) without PostgreSQL or the `openssl` command.
pub fn tls_database(test: &str) -> Option<TlsDb> {
    tls_database_with(test, Tls::ServerCertificate)
}

/// [`tls_database`] on a cluster that also lets a TCP client in only with a
/// certificate its CA issued (the run's CA, `ssl_ca_file`) whose common
/// name is the login's name (`hostssl … cert` lines).
pub fn client_cert_database(test: &str) -> Option<TlsDb> {
    tls_database_with(test, Tls::ClientCertificates)
}

fn tls_database_with(test: &str, tls: Tls) -> Option<TlsDb> {
    let started = start_cluster(false, tls).and_then(|(url, cluster)| {
        let port = url
            .rsplit_once(':')
            .and_then(|(_, rest)| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .ok_or("no port")?;
        Ok((port, cluster))
    });
    let (port, cluster) = match started {
        Ok(started) => started,
        Err(why) => {
            eprintln!("skipped ({test}): no PostgreSQL with TLS: {why}");
            return None;
        }
    };
    let db = TlsDb {
        port,
        name: format!("tickmark_{test}"),
        ca: cluster.dir.join("ca.pem"),
        socket_dir: cluster.dir.clone(),
        cluster,
    };
    db.admin("postgres")
        .batch_execute(&format!("CREATE DATABASE {}", db.name))
        .unwrap();
    Some(db)
}

/// Makes a CA and a server certificate for `localhost` (key owned by the
/// server's user, mode 0600) in `dir` with the `openssl` command.
fn make_certificates(dir: &Path, as_nobody: bool) -> Result<(), String> {
    let openssl = |args: &[&str]| openssl(dir, args);
    openssl(&["version"])?;
    let ec = EC_KEY;
    openssl(
        &[
            &[
                "req",
                "-x509",
                "-days",
                "2",
                "-subj",
                "/CN=Tickmark test CA",
            ][..],
            &ec[..],
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        ]
        .concat(),
    )?;
    openssl(
        &[
            &["req", "-subj", "/CN=localhost"][..],
            &ec[..],
            &["-keyout", "server.key", "-out", "server.csr"],
        ]
        .concat(),
    )?;
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    openssl(&[
        "x509",
        "-req",
        "-days",
        "2",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ])?;
    let key = dir.join("server.key");
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(|e| e.to_string())?;
    if as_nobody {
        checked(
            "chown nobody",
            Command::new("chown").arg("nobody").arg(&key).output(),
        )?;
    }
    Ok(())
}

/// What a cluster started here asks of TCP clients.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tls {
    /// Nothing: no TLS.
    Off,
    /// TLS, with a certificate for `localhost`.
    ServerCertificate,
    /// TLS, and a client certificate its CA issued.
    ClientCertificates,
}

fn start_cluster(durable: bool, tls: Tls) -> Result<(String, Cluster), String> {
    let as_nobody = is_root();
    let dir = std::env::temp_dir().join(format!(
        "tickmark-pg-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let cluster = Cluster {
        dir: dir.clone(),
        as_nobody,
    };
    if as_nobody {
        checked(
            "chown nobody",
            Command::new("chown").arg("nobody").arg(&dir).output(),
        )?;
    }
    let data = dir.join("data");
    checked(
        "initdb",
        pg_command("initdb", as_nobody)
            .args(["-U", "postgres", "-A", "trust", "--no-sync", "-D"])
            .arg(&data)
            .output(),
    )?;
    std::fs::write(data.join("pg_hba.conf"), PG_HBA).map_err(|e| e.to_string())?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let mut options = format!(
        "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync={} -c max_connections=100",
        dir.display(),
        if durable { "on" } else { "off" }
    );
    if tls != Tls::Off {
        make_certificates(&dir, as_nobody)?;
        let method = if tls == Tls::ClientCertificates {
            options.push_str(&format!(" -c ssl_ca_file={}/ca.pem", dir.display()));
            "cert"
        } else {
            "trust"
        };
        std::fs::write(
            data.join("pg_hba.conf"),
            format!("local all all trust\nhostssl all all 127.0.0.1/32 {method}\nhostssl all all ::1/128 {method}\n"),
        )
        .map_err(|e| e.to_string())?;
        options.push_str(&format!(
            " -c ssl=on -c ssl_cert_file={0}/server.pem -c ssl_key_file={0}/server.key",
            dir.display()
        ));
    }
    checked(
        "pg_ctl start",
        pg_command("pg_ctl", as_nobody)
            .args(["start", "-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-o", &options])
            .output(),
    )?;
    Ok((
        format!("postgresql://postgres@127.0.0.1:{port}/postgres"),
        cluster,
    ))
}

/// Removes the local copy (and its drafts file) that opening `url` with
/// the default options made in the cache directory.
pub fn remove_local_copy(url: &str) {
    let Some(copy) = tickmark::store::local_copy_path(url) else {
        return;
    };
    for path in [copy, tickmark::drafts::path_beside(Path::new(url))] {
        let _ = std::fs::remove_file(&path);
        for suffix in ["-wal", "-shm"] {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}
