//! Signing keys and SSH signatures: what makes a sign-off, an approval or a
//! seal prove who made it.
//!
//! A reviewer's key is an ordinary SSH key (Ed25519, ECDSA, or a FIDO
//! security key `sk-…` held by ssh-agent); Tickmark keeps only the public
//! half, bound to the profile by an event. Signatures are SSHSIG, the format
//! of `ssh-keygen -Y sign` and of git's SSH commit signing, in the
//! [`NAMESPACE`] namespace, so that anyone can check one with
//! `ssh-keygen -Y verify` and an `allowed_signers` file, without Tickmark.
//!
//! Every format here is RustCrypto's `ssh-key` (keys, SSHSIG encoding,
//! verification); signing uses either a private key file the user points
//! to ([`KeyFile`], the passphrase is used once and never kept) or the
//! running ssh-agent through OpenSSH's own `ssh-keygen -Y sign -U`
//! ([`Agent`]), the way git signs with SSH keys. A signature is checked
//! against the registered key before it is used, whoever made it.

mod agent;

use std::path::{Path, PathBuf};

use ssh_key::{Algorithm, EcdsaCurve, HashAlg, LineEnding, SshSig};

pub use agent::Agent;

/// The SSHSIG namespace of every Tickmark signature (`ssh-keygen -Y verify
/// -n tickmark-review`): a signature made for another purpose (a git
/// commit, a file) never verifies as a Tickmark statement, and the other
/// way round.
pub const NAMESPACE: &str = "tickmark-review";

/// Why a key could not be read or a signature not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    /// The text is not a usable public key.
    #[error("{0}")]
    PublicKey(String),
    /// The private key file could not be read or used.
    #[error("{path}: {message}", path = path.display())]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The private key is encrypted and no passphrase was given.
    #[error("{path}: the key is protected by a passphrase; give it to sign", path = path.display())]
    NeedsPassphrase {
        /// The file.
        path: PathBuf,
    },
    /// The passphrase does not open the key.
    #[error("{path}: the passphrase does not open this key", path = path.display())]
    WrongPassphrase {
        /// The file.
        path: PathBuf,
    },
    /// ssh-agent could not sign.
    #[error("ssh-agent: {0}")]
    Agent(String),
    /// The signer holds another key than the one registered.
    #[error(
        "the key used ({used}) is not the key registered for this profile ({registered}); sign with the registered key"
    )]
    WrongKey {
        /// The fingerprint of the key used.
        used: String,
        /// The fingerprint of the registered key.
        registered: String,
    },
    /// A signature did not verify.
    #[error("{0}")]
    Signature(String),
}

/// A public key as a profile registers it: algorithm and key, without the
/// comment of the `.pub` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: ssh_key::PublicKey,
}

impl PublicKey {
    /// Reads one OpenSSH public key line (`ssh-ed25519 AAAA… comment`).
    /// Ed25519, ECDSA (P-256, P-384, P-521) and the FIDO security-key kinds
    /// are accepted; RSA and DSA are not.
    pub fn parse(text: &str) -> Result<PublicKey, SigningError> {
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.contains("PRIVATE KEY") {
            return Err(SigningError::PublicKey(
                "this is a private key; register the public key (the .pub file) — the private key never leaves your machine".to_owned(),
            ));
        }
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let line = lines
            .next()
            .ok_or_else(|| SigningError::PublicKey("no public key given (it is empty)".into()))?;
        if lines.next().is_some() {
            return Err(SigningError::PublicKey(
                "more than one line: give one public key (one line of a .pub file)".into(),
            ));
        }
        let mut key = ssh_key::PublicKey::from_openssh(line).map_err(|e| {
            SigningError::PublicKey(format!(
                "not an OpenSSH public key ({e}); expected a line such as `ssh-ed25519 AAAA… name@host`"
            ))
        })?;
        check_algorithm(key.algorithm())?;
        key.set_comment("");
        Ok(PublicKey { key })
    }

    /// Reads the public key file at `path` (a `.pub` file).
    pub fn read_file(path: &Path) -> Result<PublicKey, SigningError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            SigningError::PublicKey(format!("{}: cannot read it: {e}", path.display()))
        })?;
        PublicKey::parse(&text)
            .map_err(|e| SigningError::PublicKey(format!("{}: {e}", path.display())))
    }

    /// The key as one OpenSSH line without a comment
    /// (`ssh-ed25519 AAAA…`).
    pub fn openssh(&self) -> String {
        self.key
            .to_openssh()
            .map(|text| text.trim().to_owned())
            .unwrap_or_default()
    }

    /// The SHA-256 fingerprint as OpenSSH prints it (`SHA256:…`).
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }

    /// The kind of key in words, e.g. `Ed25519` or `ECDSA P-256 security key`.
    pub fn kind(&self) -> &'static str {
        match self.key.algorithm() {
            Algorithm::Ed25519 => "Ed25519",
            Algorithm::SkEd25519 => "Ed25519 security key",
            Algorithm::SkEcdsaSha2NistP256 => "ECDSA P-256 security key",
            Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP256,
            } => "ECDSA P-256",
            Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP384,
            } => "ECDSA P-384",
            Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP521,
            } => "ECDSA P-521",
            _ => "unsupported",
        }
    }

    /// True for a FIDO security key (`sk-…`), which signs only through
    /// ssh-agent.
    pub fn is_security_key(&self) -> bool {
        matches!(
            self.key.algorithm(),
            Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256
        )
    }

    /// Checks that `armored` (`-----BEGIN SSH SIGNATURE-----…`) is this
    /// key's SSHSIG signature of `message` in the [`NAMESPACE`] namespace.
    pub fn verify(&self, message: &[u8], armored: &str) -> Result<(), SigningError> {
        let signature = SshSig::from_pem(armored.trim().as_bytes()).map_err(|e| {
            SigningError::Signature(format!("the signature is not an SSH signature ({e})"))
        })?;
        if signature.namespace() != NAMESPACE {
            return Err(SigningError::Signature(format!(
                "the signature is for namespace \"{}\", not \"{NAMESPACE}\"",
                signature.namespace()
            )));
        }
        if signature.public_key() != self.key.key_data() {
            let used = ssh_key::PublicKey::new(signature.public_key().clone(), "");
            return Err(SigningError::Signature(format!(
                "the signature was made with key {}, not with {}",
                used.fingerprint(HashAlg::Sha256),
                self.fingerprint()
            )));
        }
        self.key
            .verify(NAMESPACE, message, &signature)
            .map_err(|_| {
                SigningError::Signature(
                    "the signature does not match the signed text: the text or the signature was changed after signing".to_owned(),
                )
            })
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} key {}", self.kind(), self.fingerprint())
    }
}

fn check_algorithm(algorithm: Algorithm) -> Result<(), SigningError> {
    match algorithm {
        Algorithm::Ed25519
        | Algorithm::SkEd25519
        | Algorithm::SkEcdsaSha2NistP256
        | Algorithm::Ecdsa { .. } => Ok(()),
        Algorithm::Rsa { .. } => Err(SigningError::PublicKey(
            "RSA keys are not accepted; use an Ed25519 key (`ssh-keygen -t ed25519`), an ECDSA key or a security key (`-t ed25519-sk`)".to_owned(),
        )),
        other => Err(SigningError::PublicKey(format!(
            "{other} keys are not accepted; use an Ed25519 key (`ssh-keygen -t ed25519`), an ECDSA key or a security key"
        ))),
    }
}

/// Something that signs with one key: a private key file or ssh-agent.
pub trait Signer {
    /// The public key it signs with.
    fn public_key(&self) -> &PublicKey;

    /// Signs `message`: the armored SSHSIG signature
    /// (`-----BEGIN SSH SIGNATURE-----…`), already checked against
    /// [`Signer::public_key`].
    fn sign(&self, message: &[u8]) -> Result<String, SigningError>;

    /// How it signs, in words (`ssh-agent`, `key file ~/.ssh/id_ed25519`).
    fn describe(&self) -> String;
}

/// A private key read from an OpenSSH key file and, if it is protected,
/// opened with the passphrase given. It lives only as long as this value
/// (the key bytes are wiped when it is dropped); the passphrase is not kept.
pub struct KeyFile {
    key: ssh_key::PrivateKey,
    public: PublicKey,
    path: PathBuf,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("path", &self.path)
            .field("public", &self.public.fingerprint())
            .finish_non_exhaustive()
    }
}

impl KeyFile {
    /// Reads the private key at `path`, opening it with `passphrase` when
    /// it is protected by one.
    pub fn open(path: &Path, passphrase: Option<&str>) -> Result<KeyFile, SigningError> {
        let file_error = |message: String| SigningError::KeyFile {
            path: path.to_owned(),
            message,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| file_error(format!("cannot read it: {e}")))?;
        if text.trim_start().starts_with("ssh-") || text.trim_start().starts_with("ecdsa-") {
            return Err(file_error(
                "this is a public key; point to the private key file (the one without .pub)"
                    .to_owned(),
            ));
        }
        let key = ssh_key::PrivateKey::from_openssh(text.trim()).map_err(|e| {
            file_error(format!(
                "not an OpenSSH private key ({e}); keys made by `ssh-keygen` start with -----BEGIN OPENSSH PRIVATE KEY-----"
            ))
        })?;
        check_algorithm(key.algorithm()).map_err(|e| file_error(e.to_string()))?;
        let key = if key.is_encrypted() {
            let passphrase = passphrase.filter(|p| !p.is_empty()).ok_or_else(|| {
                SigningError::NeedsPassphrase {
                    path: path.to_owned(),
                }
            })?;
            key.decrypt(passphrase)
                .map_err(|_| SigningError::WrongPassphrase {
                    path: path.to_owned(),
                })?
        } else {
            key
        };
        let mut public = key.public_key().clone();
        public.set_comment("");
        let public = PublicKey { key: public };
        if public.is_security_key() {
            return Err(file_error(
                "a security key (sk-) signs only through ssh-agent: add it with `ssh-add` and sign with the agent".to_owned(),
            ));
        }
        Ok(KeyFile {
            key,
            public,
            path: path.to_owned(),
        })
    }

    /// True if the key file at `path` is protected by a passphrase (false
    /// also when it cannot be read: [`KeyFile::open`] says why).
    pub fn needs_passphrase(path: &Path) -> bool {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| ssh_key::PrivateKey::from_openssh(text.trim()).ok())
            .is_some_and(|key| key.is_encrypted())
    }
}

impl Signer for KeyFile {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, message: &[u8]) -> Result<String, SigningError> {
        let signature = self
            .key
            .sign(NAMESPACE, HashAlg::Sha512, message)
            .map_err(|e| SigningError::KeyFile {
                path: self.path.clone(),
                message: format!("signing failed: {e}"),
            })?;
        let armored = signature
            .to_pem(LineEnding::LF)
            .map_err(|e| SigningError::Signature(format!("cannot encode the signature: {e}")))?;
        self.public.verify(message, &armored)?;
        Ok(armored)
    }

    fn describe(&self) -> String {
        format!("key file {}", self.path.display())
    }
}

/// The name a signer goes by in an `allowed_signers` file and after
/// `ssh-keygen -Y verify -I`: the profile's e-mail address when it has a
/// usable one, else `profile-<ID>@tickmark`.
pub fn principal(profile: i64, email: &str) -> String {
    let email = email.trim();
    let usable = email.contains('@')
        && !email.is_empty()
        && email.chars().all(|c| {
            !c.is_whitespace() && !c.is_control() && !matches!(c, ',' | '"' | '*' | '?' | '!')
        });
    if usable {
        email.to_owned()
    } else {
        format!("profile-{profile}@tickmark")
    }
}

/// One line of an `allowed_signers` file (see `ssh-keygen(1)`, ALLOWED
/// SIGNERS): `principal namespaces="tickmark-review" key`.
pub fn allowed_signers_line(principal: &str, key: &PublicKey) -> String {
    format!("{principal} namespaces=\"{NAMESPACE}\" {}", key.openssh())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED25519: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0yOwP8U5ZSexhKoS5vSs96FG0p0ZkZzJCGOrv+NmrC ana@example";

    #[test]
    fn public_keys_are_read_without_their_comment() {
        let key = PublicKey::parse(&format!("\u{feff}{ED25519}\n")).unwrap();
        assert_eq!(key.kind(), "Ed25519");
        assert!(!key.openssh().contains("ana@example"));
        assert!(key.fingerprint().starts_with("SHA256:"));
        assert_eq!(
            allowed_signers_line("ana@example.com", &key),
            format!(
                "ana@example.com namespaces=\"tickmark-review\" {}",
                key.openssh()
            )
        );
    }

    #[test]
    fn unusable_keys_are_refused_with_a_reason() {
        let rsa = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDO6r1Ed8ESE0HBw2vrUhFx76j/i7sJic7ypn+WBbvL55rx3eg1Jt1wYOQPdRUHW5Zd3hQlQbw21Eo5xiUIH1HNgC0YZ3nciN8mIGnGUUOKg6l+iGGfxxsxzDsWDNe2QDMVvUIZSb15aKL35VYpv/kKFkxs6X0hEyKdZ9wnbk+sJw== x";
        assert!(
            PublicKey::parse(rsa)
                .unwrap_err()
                .to_string()
                .contains("RSA keys are not accepted")
        );
        assert!(
            PublicKey::parse("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n")
                .unwrap_err()
                .to_string()
                .contains("private key")
        );
        assert!(PublicKey::parse("").is_err());
        assert!(PublicKey::parse("ssh-ed25519 notbase64").is_err());
        assert!(
            PublicKey::parse(&format!("{ED25519}\n{ED25519}"))
                .unwrap_err()
                .to_string()
                .contains("more than one line")
        );
    }

    #[test]
    fn principals_are_e_mail_addresses_or_profile_numbers() {
        assert_eq!(principal(3, "ana@example.com"), "ana@example.com");
        assert_eq!(principal(3, ""), "profile-3@tickmark");
        assert_eq!(principal(4, "a b@example.com"), "profile-4@tickmark");
        assert_eq!(principal(5, "a,b@example.com"), "profile-5@tickmark");
    }
}
