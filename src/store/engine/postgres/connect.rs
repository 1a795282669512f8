//! Connecting to the server: the URL (with libpq's `sslmode`,
//! `sslrootcert`, `sslcert` and `sslkey`), TLS, the password, and
//! connecting again after the connection dropped.
//!
//! # TLS
//!
//! `sslmode` takes libpq's values; the certificate chain is checked
//! against the system's trusted authorities plus those in the PEM file
//! `sslrootcert=FILE` names (a team's private CA):
//!
//! | `sslmode`     | encrypted            | certificate chain | host name |
//! |---------------|----------------------|-------------------|-----------|
//! | `disable`     | never                | —                 | —         |
//! | `allow`, `prefer` (default) | when the server offers it | checked | checked |
//! | `require`     | always               | checked           | checked   |
//! | `verify-ca`   | always               | checked           | not checked |
//! | `verify-full` | always               | checked           | checked   |
//!
//! This is stricter than libpq, whose `prefer` and `require` accept any
//! certificate: a review record is evidence, and a connection that any
//! machine in the middle can answer is not one it should travel over. A
//! server with a certificate of its own CA is reached with
//! `sslrootcert=CA.pem`; `verify-ca` is for a server reached by a name its
//! certificate does not carry (an IP address, a tunnel). `prefer` still
//! talks in clear to a server that offers no TLS at all, so a team whose
//! server has TLS should say `verify-full`.
//!
//! # Client certificates
//!
//! `sslcert=FILE&sslkey=FILE` (both, or neither) present a certificate to
//! a server that asks for one (`hostssl … cert` in its `pg_hba.conf`, or
//! `clientcert=verify-full`): the certificate file is PEM and may carry
//! the chain after it; the key is PEM PKCS#8 (`-----BEGIN PRIVATE
//! KEY-----`), unencrypted, and readable only by its owner, as libpq
//! insists (0600; 0640 for a key owned by root). The other key forms are
//! refused with the `openssl` command that converts them
//! ([`client_cert`]). Unlike libpq, `~/.postgresql/postgresql.crt` is not
//! looked for, and a certificate with `sslmode=disable` is refused rather
//! than ignored.
//!
//! # Passwords
//!
//! From the URL, one given this session (the app's password field,
//! [`remember_password`]), `PGPASSWORD`, the `.pgpass` file (`PGPASSFILE`)
//! or, on a terminal from the command line, a prompt. The password a
//! connection was made with is kept in memory for the session (to connect
//! again after a drop), never written.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use postgres::config::SslMode;
use postgres::{Client, Config};
use postgres_native_tls::MakeTlsConnector;

use super::display_url;
use crate::store::error::{Result, StoreError};

mod client_cert;

use client_cert::ClientCertFiles;

/// How long connecting may take when the URL sets no `connect_timeout`
/// (libpq waits for ever; the app's worker should not).
pub const DEFAULT_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// libpq's `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Never encrypt.
    Disable,
    /// Encrypt when the server offers it (`allow` too); the certificate is
    /// checked when it does.
    Prefer,
    /// Always encrypt; chain and host name checked (stricter than libpq).
    Require,
    /// Always encrypt; chain checked, host name not.
    VerifyCa,
    /// Always encrypt; chain and host name checked.
    VerifyFull,
}

impl TlsMode {
    fn parse(value: &str) -> Option<TlsMode> {
        Some(match value {
            "disable" => TlsMode::Disable,
            "allow" | "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            _ => return None,
        })
    }

    fn driver_mode(self) -> SslMode {
        match self {
            TlsMode::Disable => SslMode::Disable,
            TlsMode::Prefer => SslMode::Prefer,
            TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull => SslMode::Require,
        }
    }
}

/// A URL taken apart: what the driver parses, and the TLS settings it does
/// not.
#[derive(Debug, PartialEq, Eq)]
struct ParsedUrl {
    driver_url: String,
    mode: TlsMode,
    root_cert: Option<PathBuf>,
    client_cert: Option<ClientCertFiles>,
}

/// Takes `sslmode`, `sslrootcert`, `sslcert` and `sslkey` out of `url`'s
/// query string.
fn parse_url(url: &str) -> Result<ParsedUrl> {
    let shown = display_url(url);
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut mode = TlsMode::Prefer;
    let mut root_cert = None;
    let mut cert_file = None;
    let mut key_file = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match decode(key).as_ref() {
            "sslmode" => {
                let value = decode(value);
                mode = TlsMode::parse(&value).ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "{shown}: sslmode={value} is not one of disable, allow, prefer, require, verify-ca, verify-full"
                    ))
                })?;
            }
            "sslrootcert" => {
                let value = decode(value);
                root_cert = match value.as_ref() {
                    // libpq's word for the system's authorities alone.
                    "system" => None,
                    "" => {
                        return Err(StoreError::Invalid(format!(
                            "{shown}: sslrootcert names no file"
                        )));
                    }
                    path => Some(PathBuf::from(path)),
                };
            }
            name @ ("sslcert" | "sslkey") => {
                let value = decode(value);
                if value.is_empty() {
                    return Err(StoreError::Invalid(format!(
                        "{shown}: {name} names no file"
                    )));
                }
                let slot = if name == "sslcert" {
                    &mut cert_file
                } else {
                    &mut key_file
                };
                *slot = Some(PathBuf::from(value.as_ref()));
            }
            _ => kept.push(pair),
        }
    }
    let client_cert = client_cert_files(&shown, mode, cert_file, key_file)?;
    let driver_url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok(ParsedUrl {
        driver_url,
        mode,
        root_cert,
        client_cert,
    })
}

/// The client certificate `sslcert` and `sslkey` name: both or neither,
/// and not with a mode that never encrypts.
fn client_cert_files(
    shown: &str,
    mode: TlsMode,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
) -> Result<Option<ClientCertFiles>> {
    let files = match (cert, key) {
        (None, None) => return Ok(None),
        (Some(cert), Some(key)) => ClientCertFiles { cert, key },
        (Some(_), None) => {
            return Err(StoreError::Invalid(format!(
                "{shown}: sslcert names a client certificate but no sslkey its private key: give both (sslcert=FILE&sslkey=FILE)"
            )));
        }
        (None, Some(_)) => {
            return Err(StoreError::Invalid(format!(
                "{shown}: sslkey names a private key but no sslcert the client certificate that goes with it: give both (sslcert=FILE&sslkey=FILE)"
            )));
        }
    };
    if mode == TlsMode::Disable {
        return Err(StoreError::Invalid(format!(
            "{shown}: a client certificate (sslcert) is sent only over TLS, which sslmode=disable turns off: remove one or the other"
        )));
    }
    Ok(Some(files))
}

fn decode(text: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy()
}

/// The TLS connector the URL's `sslmode`, `sslrootcert`, `sslcert` and
/// `sslkey` ask for.
fn tls_connector(shown: &str, parsed: &ParsedUrl) -> Result<MakeTlsConnector> {
    let mut builder = native_tls::TlsConnector::builder();
    if let Some(file) = &parsed.root_cert {
        let named = format!(
            "{shown}: the CA certificate file {} (sslrootcert)",
            file.display()
        );
        for cert in read_certificates(&named, file)?.1 {
            builder.add_root_certificate(cert);
        }
    }
    if let Some(files) = &parsed.client_cert {
        builder.identity(files.identity(shown)?);
    }
    builder.danger_accept_invalid_hostnames(parsed.mode == TlsMode::VerifyCa);
    let connector = builder.build().map_err(|e| match &parsed.client_cert {
        // The key is checked against the certificate here.
        Some(files) => files.mismatch(shown, &e),
        None => StoreError::Server(format!("{shown}: TLS is not available: {e}")),
    })?;
    Ok(MakeTlsConnector::new(connector))
}

/// The bytes of the PEM file `file` and the certificates in it (at least
/// one); `named` says which file it is in messages.
fn read_certificates(named: &str, file: &Path) -> Result<(Vec<u8>, Vec<native_tls::Certificate>)> {
    let pem = std::fs::read(file)
        .map_err(|e| StoreError::Invalid(format!("{named}: cannot be read: {e}")))?;
    let holds_key = || {
        if client_cert::pem_labels(&pem).any(|label| label.ends_with("PRIVATE KEY")) {
            " — it holds a private key (is it the file sslkey should name?)"
        } else {
            ""
        }
    };
    let certs = native_tls::Certificate::stack_from_pem(&pem).map_err(|e| {
        StoreError::Invalid(format!("{named}: not PEM certificates: {e}{}", holds_key()))
    })?;
    if certs.is_empty() {
        return Err(StoreError::Invalid(format!(
            "{named}: holds no PEM certificate (-----BEGIN CERTIFICATE-----){}",
            holds_key()
        )));
    }
    Ok((pem, certs))
}

/// Passwords given to this process for a server (the app's password
/// field), by the server's URL without a password. Kept in memory until
/// the process ends; never written anywhere.
static SESSION_PASSWORDS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Whether a missing password may be asked for on the terminal (the
/// command line); the desktop app asks in its own window instead.
static TERMINAL_PROMPT: AtomicBool = AtomicBool::new(true);

/// Keeps `password` for the server at `url` for the rest of this process
/// (the app's "Open record" dialog): every connection the process opens
/// to that server uses it. Never written to disk.
pub fn remember_password(url: &str, password: &str) {
    let key = display_url(url);
    if let Ok(mut kept) = SESSION_PASSWORDS.lock() {
        kept.retain(|(k, _)| *k != key);
        kept.push((key, password.to_owned()));
    }
}

/// Forgets a password given this session for `url` (the server refused it).
pub fn forget_password(url: &str) {
    let key = display_url(url);
    if let Ok(mut kept) = SESSION_PASSWORDS.lock() {
        kept.retain(|(k, _)| *k != key);
    }
}

fn session_password(url: &str) -> Option<String> {
    let key = display_url(url);
    let kept = SESSION_PASSWORDS.lock().ok()?;
    kept.iter().find(|(k, _)| *k == key).map(|(_, p)| p.clone())
}

/// Never ask for a password on the terminal in this process (the desktop
/// app: its worker threads cannot be answered there);
/// [`StoreError::PasswordNeeded`] instead.
pub fn never_prompt_on_terminal() {
    TERMINAL_PROMPT.store(false, Ordering::Relaxed);
}

/// `url` without its password, and the password it carried (kept for the
/// session with [`remember_password`] by callers that keep the URL).
pub fn split_password(url: &str) -> (String, Option<String>) {
    let password = parse_url(url)
        .ok()
        .and_then(|parsed| Config::from_str(&parsed.driver_url).ok())
        .and_then(|c| {
            c.get_password()
                .map(|p| String::from_utf8_lossy(p).into_owned())
        });
    (display_url(url), password)
}

/// How to reach the server again: the parsed URL, the password the first
/// connection was made with (in memory only) and the TLS settings.
pub(crate) struct Connector {
    config: Config,
    tls: MakeTlsConnector,
    mode: TlsMode,
    presents_certificate: bool,
    shown: String,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("url", &self.shown)
            .field("mode", &self.mode)
            .field("presents_certificate", &self.presents_certificate)
            .finish()
    }
}

impl Connector {
    /// A new connection with the settings (and password) of the first.
    pub(crate) fn reconnect(&self) -> Result<Client> {
        self.config
            .connect(self.tls.clone())
            .map_err(|e| self.connect_error(&e))
    }

    /// What went wrong connecting, said plainly for the common cases.
    fn connect_error(&self, e: &postgres::Error) -> StoreError {
        let detail = super::error_detail(e);
        let hint = if detail.contains("hostname mismatch") || detail.contains("IP address mismatch")
        {
            " — the server's certificate is not issued for the host name or address in the URL (sslmode=verify-full, require and prefer check it): connect by a name the certificate carries, or use sslmode=verify-ca"
        } else if detail.contains("certificate verify failed") {
            " — the server's certificate is not signed by an authority this machine trusts: name your CA's certificate with sslrootcert=FILE in the URL"
        } else if self.mode == TlsMode::Disable && detail.contains("no encryption") {
            " — the server accepts this connection only encrypted: remove sslmode=disable from the URL"
        } else if self.presents_certificate
            && detail.contains("requires a valid client certificate")
        {
            " — the client certificate (sslcert) was not sent: OpenSSL sends it only with its own key, and the key sslkey names is of another kind (an EC key for an RSA certificate, or the reverse)"
        } else if detail.contains("requires a valid client certificate") {
            " — the server accepts only a client certificate its CA issued: name yours and its key with sslcert=FILE&sslkey=FILE in the URL"
        } else if detail.contains("alert unknown ca") {
            " — the server does not trust the authority that issued the client certificate (sslcert): it must be issued by a CA in the server's ssl_ca_file"
        } else if self.presents_certificate && closed_while_starting(&detail) {
            // TLS 1.3: the server checks the client's certificate after
            // the client's side of the handshake is done; its alert may
            // be lost when it closes the connection.
            " — the server closed the connection as it started: a server that checks client certificates does so when it does not trust the client certificate (sslcert): it must be issued by a CA in the server's ssl_ca_file"
        } else if detail.contains("certificate authentication failed") {
            " — the client certificate's common name (CN) must be the user name in the URL, unless the server maps it (pg_ident.conf)"
        } else {
            ""
        };
        StoreError::Server(format!("{}: {detail}{hint}", self.shown))
    }
}

/// True when `detail` says the server closed the connection or reset it.
fn closed_while_starting(detail: &str) -> bool {
    [
        "Connection reset",
        "connection closed",
        "unexpected EOF",
        "Broken pipe",
    ]
    .iter()
    .any(|said| detail.contains(said))
}

/// How [`StoreError::PasswordNeeded`] says that no source gave the
/// password the server asks for.
pub const ASKS_FOR_PASSWORD: &str = "the server asks for a password";

/// How [`StoreError::PasswordNeeded`] says that the server refused the
/// password given this session.
pub const REFUSED_PASSWORD: &str = "the server refused the password";

/// Opens a connection to `url`, with the password from the URL,
/// `PGPASSWORD`, the `.pgpass` file or (on a terminal) a prompt, and TLS as
/// `sslmode`, `sslrootcert`, `sslcert` and `sslkey` say; returns it with
/// what reconnects.
pub(crate) fn open(url: &str) -> Result<(Client, Connector)> {
    let shown = display_url(url);
    let parsed = parse_url(url)?;
    let mut config = Config::from_str(&parsed.driver_url)
        .map_err(|e| StoreError::Invalid(format!("{shown}: not a PostgreSQL URL: {e}")))?;
    config.ssl_mode(parsed.mode.driver_mode());
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
    }
    let given_here = config.get_password().is_none() && session_password(url).is_some();
    if config.get_password().is_none()
        && let Some(password) = session_password(url).or_else(|| password_for(&config))
    {
        config.password(password);
    }
    let tls = tls_connector(&shown, &parsed)?;
    let mut connector = Connector {
        config,
        tls,
        mode: parsed.mode,
        presents_certificate: parsed.client_cert.is_some(),
        shown,
    };
    match connector.config.connect(connector.tls.clone()) {
        Ok(client) => Ok((client, connector)),
        Err(e) if given_here && refused_password(&e) => {
            forget_password(url);
            let shown = connector.shown;
            Err(StoreError::PasswordNeeded {
                message: format!(
                    "{shown}: {REFUSED_PASSWORD} ({})",
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |d| d.message().to_owned())
                ),
                url: shown,
                refused: true,
            })
        }
        Err(e) if connector.config.get_password().is_none() && asks_for_password(&e) => {
            let shown = &connector.shown;
            let terminal = TERMINAL_PROMPT.load(Ordering::Relaxed)
                && std::io::IsTerminal::is_terminal(&std::io::stdin());
            if !terminal {
                return Err(StoreError::PasswordNeeded {
                    url: shown.clone(),
                    message: format!(
                        "{shown}: {ASKS_FOR_PASSWORD}: type it when opening the record, set PGPASSWORD or add a line to ~/.pgpass (Tickmark never stores it)"
                    ),
                    refused: false,
                });
            }
            let password =
                rpassword::prompt_password(format!("Password for {shown}: ")).map_err(|io| {
                    StoreError::Io {
                        path: shown.clone(),
                        source: io,
                    }
                })?;
            connector.config.password(password);
            let client = connector.reconnect()?;
            Ok((client, connector))
        }
        Err(e) => Err(connector.connect_error(&e)),
    }
}

fn asks_for_password(e: &postgres::Error) -> bool {
    let source = std::error::Error::source(e).map(ToString::to_string);
    e.to_string().contains("password missing")
        || source.is_some_and(|s| s.contains("password missing"))
}

/// The server said the password is wrong (`invalid_password`, 28P01).
fn refused_password(e: &postgres::Error) -> bool {
    e.as_db_error().map(|d| d.code().code()) == Some("28P01")
}

/// The password `PGPASSWORD` or the `.pgpass` file gives for `config`.
fn password_for(config: &Config) -> Option<String> {
    if let Ok(password) = std::env::var("PGPASSWORD") {
        return Some(password);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().unwrap_or_default();
    let user = config.get_user().unwrap_or_default();
    pgpass_lookup(&text, [&host, &port, db, user])
}

/// The password of the first `.pgpass` line whose four fields (host, port,
/// database, user; `*` matches anything) match `wanted`.
fn pgpass_lookup(text: &str, wanted: [&str; 4]) -> Option<String> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = pgpass_fields(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then(|| fields[4].clone())
        })
}

/// A `.pgpass` line's fields: `:` separates, `\` escapes.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && let Some(last) = fields.last_mut()
                {
                    last.push(next);
                }
            }
            ':' => fields.push(String::new()),
            c => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgpass_lines_match_field_by_field_with_wildcards_and_escapes() {
        let text = "# comment\nother:5432:audit:ann:wrong\ndb.example:*:audit:ann:pa\\:ss\n*:*:*:*:fallback\n";
        assert_eq!(
            pgpass_lookup(text, ["db.example", "5433", "audit", "ann"]).as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_lookup(text, ["x", "1", "y", "z"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass_lookup("h:1:d:u\n", ["h", "1", "d", "u"]), None);
    }

    #[test]
    fn libpq_tls_settings_are_taken_out_of_the_url_and_the_rest_kept() {
        let parsed = parse_url(
            "postgresql://ann:pw@db.example:5433/audit?application_name=t&sslmode=verify-full&sslrootcert=%2Fetc%2Fteam%20ca.pem",
        )
        .unwrap();
        assert_eq!(
            parsed,
            ParsedUrl {
                driver_url: "postgresql://ann:pw@db.example:5433/audit?application_name=t".into(),
                mode: TlsMode::VerifyFull,
                root_cert: Some(PathBuf::from("/etc/team ca.pem")),
                client_cert: None,
            }
        );
        let plain = parse_url("postgres://h/db").unwrap();
        assert_eq!(plain.mode, TlsMode::Prefer);
        assert_eq!(plain.driver_url, "postgres://h/db");
        for (value, mode) in [
            ("disable", TlsMode::Disable),
            ("allow", TlsMode::Prefer),
            ("require", TlsMode::Require),
            ("verify-ca", TlsMode::VerifyCa),
        ] {
            let parsed = parse_url(&format!("postgres://h/db?sslmode={value}")).unwrap();
            assert_eq!(parsed.mode, mode, "{value}");
            assert_eq!(parsed.driver_url, "postgres://h/db");
        }
        assert_eq!(
            parse_url("postgres://h/db?sslrootcert=system")
                .unwrap()
                .root_cert,
            None
        );
        assert_eq!(
            split_password("postgresql://ann:pw@h/db?sslmode=verify-full&sslrootcert=/ca.pem"),
            (
                "postgresql://ann@h/db?sslmode=verify-full&sslrootcert=/ca.pem".to_owned(),
                Some("pw".to_owned())
            )
        );
    }

    #[test]
    fn a_client_certificate_and_its_key_are_taken_out_of_the_url_together() {
        let parsed = parse_url(
            "postgresql://ann:pw@db.example/audit?sslcert=%2Fhome%2Fann%2Fann%20cert.pem&application_name=t&sslkey=/home/ann/ann.key",
        )
        .unwrap();
        assert_eq!(
            parsed,
            ParsedUrl {
                driver_url: "postgresql://ann:pw@db.example/audit?application_name=t".into(),
                // Without sslmode, the default tries TLS first (libpq's
                // prefer), so the certificate is presented.
                mode: TlsMode::Prefer,
                root_cert: None,
                client_cert: Some(ClientCertFiles {
                    cert: PathBuf::from("/home/ann/ann cert.pem"),
                    key: PathBuf::from("/home/ann/ann.key"),
                }),
            }
        );
        assert_eq!(parsed.mode.driver_mode(), SslMode::Prefer);
        let full =
            parse_url("postgres://h/db?sslmode=verify-full&sslcert=c.pem&sslkey=c.key").unwrap();
        assert_eq!(full.mode, TlsMode::VerifyFull);
        assert!(full.client_cert.is_some());
        // The paths are no secret: the URL is shown with them, without the
        // password.
        assert_eq!(
            display_url("postgresql://ann:pw@h/db?sslcert=/c.pem&sslkey=/c.key"),
            "postgresql://ann@h/db?sslcert=/c.pem&sslkey=/c.key"
        );
    }

    #[test]
    fn half_a_client_certificate_or_one_without_tls_is_refused_saying_what_is_missing() {
        for (query, says) in [
            ("sslcert=/c.pem", "no sslkey its private key"),
            ("sslkey=/c.key", "no sslcert the client certificate"),
            ("sslcert=&sslkey=/c.key", "sslcert names no file"),
            ("sslcert=/c.pem&sslkey=", "sslkey names no file"),
            (
                "sslmode=disable&sslcert=/c.pem&sslkey=/c.key",
                "sslmode=disable turns off",
            ),
        ] {
            let err = parse_url(&format!("postgresql://ann:secret@h/db?{query}"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{query}: {err}");
            assert!(err.contains("postgresql://ann@h/db"), "{err}");
            assert!(!err.contains("secret"), "{err}");
        }
    }

    #[test]
    fn a_private_key_named_as_the_certificate_is_refused_saying_so() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("ann.key");
        std::fs::write(
            &key,
            "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let err = open(&format!(
            "postgresql://h/db?sslcert={0}&sslkey={0}",
            key.display()
        ))
        .map(|_| ())
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("ann.key (sslcert): holds no PEM certificate"),
            "{err}"
        );
        assert!(err.contains("it holds a private key"), "{err}");
    }

    #[test]
    fn a_wrong_sslmode_or_unreadable_ca_file_is_refused_naming_url_and_file() {
        let err = parse_url("postgresql://ann:secret@h/db?sslmode=verify_full").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("postgresql://ann@h/db"), "{text}");
        assert!(text.contains("sslmode=verify_full is not one of"), "{text}");
        assert!(!text.contains("secret"), "{text}");
        let err =
            open("postgresql://ann:secret@h/db?sslmode=require&sslrootcert=/nonexistent/ca.pem")
                .map(|_| ())
                .unwrap_err()
                .to_string();
        assert!(err.contains("postgresql://ann@h/db"), "{err}");
        assert!(
            err.contains("/nonexistent/ca.pem (sslrootcert): cannot be read"),
            "{err}"
        );
        assert!(!err.contains("secret"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("ca.pem");
        std::fs::write(&junk, "not a certificate\n").unwrap();
        let err = open(&format!("postgresql://h/db?sslrootcert={}", junk.display()))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(err.contains("ca.pem (sslrootcert)"), "{err}");
        assert!(err.contains("PEM"), "{err}");
    }
}
