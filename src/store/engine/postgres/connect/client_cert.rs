//! A TLS client certificate for the server (libpq's `sslcert` and
//! `sslkey`): the two PEM files read into a `native_tls::Identity`, with
//! libpq's rule for who may read the key, and plain words for the key
//! formats native-tls does not take.
//!
//! Only the PEM armour lines (`-----BEGIN …-----`) are looked at here, to
//! say what a file holds; the certificates and the key themselves are
//! parsed by native-tls (OpenSSL). Nothing read from the key file is ever
//! put in a message.

use std::path::{Path, PathBuf};

use crate::store::error::{Result, StoreError};

/// The files `sslcert=FILE&sslkey=FILE` name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ClientCertFiles {
    /// The client's certificate, PEM, optionally followed by the
    /// intermediate certificates of its chain.
    pub(super) cert: PathBuf,
    /// Its private key, PEM, PKCS#8, unencrypted.
    pub(super) key: PathBuf,
}

impl ClientCertFiles {
    /// The identity the TLS connector presents to the server; `shown` is
    /// the URL as messages show it.
    pub(super) fn identity(&self, shown: &str) -> Result<native_tls::Identity> {
        let (cert, _) = super::read_certificates(&cert_named(shown, &self.cert), &self.cert)?;
        let key = read_key(shown, &self.key)?;
        native_tls::Identity::from_pkcs8(&cert, &key).map_err(|e| {
            StoreError::Invalid(format!(
                "{}: not a usable PKCS#8 private key: {e}",
                key_named(shown, &self.key)
            ))
        })
    }

    /// What refusing the pair (the key is not the certificate's) says.
    pub(super) fn mismatch(&self, shown: &str, e: &native_tls::Error) -> StoreError {
        StoreError::Invalid(format!(
            "{shown}: the client certificate {} (sslcert) and the key {} (sslkey) cannot be used together: {e} — the key must be the one the certificate was issued for",
            self.cert.display(),
            self.key.display()
        ))
    }
}

fn cert_named(shown: &str, file: &Path) -> String {
    format!(
        "{shown}: the client certificate file {} (sslcert)",
        file.display()
    )
}

fn key_named(shown: &str, file: &Path) -> String {
    format!("{shown}: the client key file {} (sslkey)", file.display())
}

/// The key file's PKCS#8 PEM block (from its armour line on), after
/// libpq's checks of the file itself.
fn read_key(shown: &str, file: &Path) -> Result<Vec<u8>> {
    let named = key_named(shown, file);
    let meta = std::fs::metadata(file)
        .map_err(|e| StoreError::Invalid(format!("{named}: cannot be read: {e}")))?;
    if !meta.is_file() {
        return Err(StoreError::Invalid(format!(
            "{named}: is not a regular file"
        )));
    }
    check_key_mode(&named, &meta)?;
    let pem = std::fs::read(file)
        .map_err(|e| StoreError::Invalid(format!("{named}: cannot be read: {e}")))?;
    let convert = format!(
        "convert it with `openssl pkcs8 -topk8 -nocrypt -in {0} -out {0}.pk8` and name the new file with sslkey=",
        file.display()
    );
    let Some(start) = first_armour(&pem) else {
        return Err(StoreError::Invalid(format!(
            "{named}: holds no PEM private key (-----BEGIN PRIVATE KEY-----); for a DER (binary) key, {}",
            convert.replace("-nocrypt", "-nocrypt -inform DER")
        )));
    };
    let block = &pem[start..];
    let label = pem_labels(block).next().unwrap_or_default();
    let encrypted = label == "ENCRYPTED PRIVATE KEY"
        || String::from_utf8_lossy(block)
            .lines()
            .take(3)
            .any(|line| line.trim() == "Proc-Type: 4,ENCRYPTED");
    let refusal = if encrypted {
        format!(
            "is protected by a passphrase, which Tickmark does not ask for: write an unencrypted copy with `openssl pkcs8 -topk8 -nocrypt -in {0} -out {0}.pk8` (it asks for the passphrase) and name the new file with sslkey=",
            file.display()
        )
    } else {
        match label.as_str() {
            "PRIVATE KEY" => return Ok(block.to_vec()),
            "RSA PRIVATE KEY" => format!(
                "holds a PKCS#1 RSA key (-----BEGIN RSA PRIVATE KEY-----), and Tickmark reads PKCS#8 keys (-----BEGIN PRIVATE KEY-----): {convert}"
            ),
            "EC PRIVATE KEY" => format!(
                "holds an EC key in OpenSSL's traditional form (-----BEGIN EC PRIVATE KEY-----), and Tickmark reads PKCS#8 keys (-----BEGIN PRIVATE KEY-----): {convert}"
            ),
            "DSA PRIVATE KEY" => format!(
                "holds a DSA key in OpenSSL's traditional form (-----BEGIN DSA PRIVATE KEY-----), and Tickmark reads PKCS#8 keys (-----BEGIN PRIVATE KEY-----): {convert}"
            ),
            "CERTIFICATE" => "holds a certificate, not a private key: are sslcert and sslkey the wrong way round?".to_owned(),
            other => format!(
                "holds a PEM block of kind {other:?}, not a private key (-----BEGIN PRIVATE KEY-----)"
            ),
        }
    };
    Err(StoreError::Invalid(format!("{named}: {refusal}")))
}

/// libpq's rule: a key file owned by root may be readable by its group
/// (0640 or less), any other owner's only by the owner (0600 or less).
#[cfg(unix)]
fn check_key_mode(named: &str, meta: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    if key_mode_too_open(meta.uid(), meta.mode()) {
        return Err(StoreError::Invalid(format!(
            "{named}: may be read by others than its owner (mode {:04o}); a private key must be readable only by you: `chmod 600` it (0640 is allowed for a key owned by root)",
            meta.mode() & 0o7777
        )));
    }
    Ok(())
}

/// Windows has no such modes; libpq does not check there either.
#[cfg(not(unix))]
fn check_key_mode(_named: &str, _meta: &std::fs::Metadata) -> Result<()> {
    Ok(())
}

/// True when libpq would refuse a key file of `owner` with `mode`.
#[cfg_attr(not(unix), allow(dead_code))]
fn key_mode_too_open(owner: u32, mode: u32) -> bool {
    let forbidden = if owner == 0 {
        // Group write or execute, anything for others.
        0o037
    } else {
        // Anything for group or others.
        0o077
    };
    mode & forbidden != 0
}

/// Where the first PEM armour line (`-----BEGIN `) starts in `pem`.
fn first_armour(pem: &[u8]) -> Option<usize> {
    let mut offset = 0;
    for line in pem.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"-----BEGIN ") {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// The labels of the PEM armour lines in `pem` (`PRIVATE KEY` for
/// `-----BEGIN PRIVATE KEY-----`), in order.
pub(super) fn pem_labels(pem: &[u8]) -> impl Iterator<Item = String> + '_ {
    pem.split(|&b| b == b'\n').filter_map(|line| {
        let line = String::from_utf8_lossy(line);
        line.trim_end()
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
            .map(str::to_owned)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(key_pem: &str, mode: u32) -> String {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("client.key");
        std::fs::write(&key, key_pem).unwrap();
        set_mode(&key, mode);
        read_key("postgresql://ann@h/db", &key)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    }

    fn set_mode(file: &Path, mode: u32) {
        #[cfg(unix)]
        std::fs::set_permissions(file, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
        #[cfg(not(unix))]
        let _ = (file, mode);
    }

    #[test]
    fn libpqs_rule_for_who_may_read_a_key_file() {
        for mode in [0o600, 0o400, 0o100600] {
            assert!(!key_mode_too_open(1000, mode), "{mode:o}");
            assert!(!key_mode_too_open(0, mode), "{mode:o}");
        }
        for mode in [0o640, 0o440] {
            assert!(key_mode_too_open(1000, mode), "{mode:o}");
            assert!(!key_mode_too_open(0, mode), "{mode:o}");
        }
        for mode in [0o644, 0o604, 0o660, 0o650, 0o666, 0o100644] {
            assert!(key_mode_too_open(1000, mode), "{mode:o}");
            assert!(key_mode_too_open(0, mode), "{mode:o}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_key_others_may_read_is_refused_naming_the_file_and_its_mode() {
        let err = refusal("-----BEGIN PRIVATE KEY-----\nAA==\n", 0o644);
        assert!(err.contains("postgresql://ann@h/db"), "{err}");
        assert!(err.contains("client.key (sslkey)"), "{err}");
        assert!(err.contains("mode 0644"), "{err}");
        assert!(err.contains("chmod 600"), "{err}");
    }

    #[test]
    fn keys_native_tls_does_not_take_are_refused_with_the_command_that_converts_them() {
        for (pem, says) in [
            (
                "-----BEGIN RSA PRIVATE KEY-----\nAA==\n-----END RSA PRIVATE KEY-----\n",
                "PKCS#1 RSA key",
            ),
            (
                "-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----\n",
                "EC key in OpenSSL's traditional form",
            ),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAA==\n",
                "protected by a passphrase",
            ),
            (
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n",
                "protected by a passphrase",
            ),
        ] {
            let err = refusal(pem, 0o600);
            assert!(err.contains(says), "{err}");
            assert!(err.contains("client.key (sslkey)"), "{err}");
            assert!(err.contains("openssl pkcs8 -topk8 -nocrypt -in "), "{err}");
            assert!(!err.contains("AA=="), "{err}");
        }
        let err = refusal("not a key at all\n", 0o600);
        assert!(err.contains("holds no PEM private key"), "{err}");
        assert!(err.contains("-inform DER"), "{err}");
        let err = refusal("-----BEGIN CERTIFICATE-----\nAA==\n", 0o600);
        assert!(err.contains("the wrong way round"), "{err}");
    }

    #[test]
    fn text_before_the_armour_line_is_left_out_of_what_native_tls_reads() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("client.key");
        std::fs::write(
            &key,
            "Bag Attributes\n    friendlyName: ann\n-----BEGIN PRIVATE KEY-----\nAA==\n",
        )
        .unwrap();
        set_mode(&key, 0o600);
        let block = read_key("postgresql://h/db", &key).unwrap();
        assert!(block.starts_with(b"-----BEGIN PRIVATE KEY-----\n"));
    }

    #[test]
    fn a_missing_file_or_a_directory_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let files = ClientCertFiles {
            cert: dir.path().join("missing.pem"),
            key: dir.path().join("client.key"),
        };
        let err = files
            .identity("postgresql://h/db")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("missing.pem (sslcert): cannot be read"),
            "{err}"
        );
        let err = read_key("postgresql://h/db", dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("(sslkey): is not a regular file"), "{err}");
        let missing = dir.path().join("none.key");
        let err = read_key("postgresql://h/db", &missing)
            .unwrap_err()
            .to_string();
        assert!(err.contains("none.key (sslkey): cannot be read"), "{err}");
    }
}
