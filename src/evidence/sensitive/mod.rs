//! Sensitive data in evidence files: card numbers, private keys, cloud and
//! Kubernetes credentials, Kubernetes Secret data (also inside
//! `kubectl.kubernetes.io/last-applied-configuration` annotations) and
//! literal environment values whose names say password, secret, token or key.
//!
//! [`scan`] reads a file's bytes and returns [`SensitiveFinding`]s: the kind,
//! the rule, where (a JSON pointer, `doc N /pointer` in a YAML stream of
//! several documents, or `line N`), the Kubernetes object it is in and a
//! masked preview. A finding never holds the value itself. [`redact`] writes
//! a copy of the file in which every finding is replaced by a marker that
//! keeps the JSON or YAML valid and names the kind (`[REDACTED:private_key]`).
//!
//! JSON and YAML are walked as documents without building a tree (any size;
//! pointers exact); other text is scanned as text. The credential patterns
//! are adapted from the gitleaks rule set (MIT licence; the rule IDs are
//! gitleaks' own where one exists), compiled with the `regex` crate.

mod redact;
mod rules;
mod walk;

use serde::{Deserialize, Serialize};

pub use redact::{Redacted, redact};
pub use rules::{is_test_card_number, luhn_valid};

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensitiveKind {
    /// A payment card number (Luhn-valid, a known brand's prefix).
    CardNumber,
    /// One of the card schemes' published test numbers.
    TestCardNumber,
    /// A PEM or OpenSSH private key (or kubeconfig `client-key-data`).
    PrivateKey,
    /// A cloud credential: Azure storage keys, SAS tokens, connection
    /// strings, client secrets; AWS and GitHub keys.
    CloudCredential,
    /// A JSON Web Token.
    Jwt,
    /// A kubeconfig user's token or password.
    KubeconfigToken,
    /// The `data` or `stringData` of a Kubernetes Secret.
    SecretData,
    /// Secret data inside a `last-applied-configuration` annotation.
    SecretInAnnotation,
    /// A literal environment value whose name says password, secret, token
    /// or key.
    EnvSecret,
}

impl SensitiveKind {
    /// The stable ID (`card_number`, `private_key`...), also used in markers.
    pub fn id(self) -> &'static str {
        match self {
            SensitiveKind::CardNumber => "card_number",
            SensitiveKind::TestCardNumber => "test_card_number",
            SensitiveKind::PrivateKey => "private_key",
            SensitiveKind::CloudCredential => "cloud_credential",
            SensitiveKind::Jwt => "jwt",
            SensitiveKind::KubeconfigToken => "kubeconfig_token",
            SensitiveKind::SecretData => "secret_data",
            SensitiveKind::SecretInAnnotation => "secret_in_annotation",
            SensitiveKind::EnvSecret => "env_secret",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            SensitiveKind::CardNumber => "Card number",
            SensitiveKind::TestCardNumber => "Test card number",
            SensitiveKind::PrivateKey => "Private key",
            SensitiveKind::CloudCredential => "Cloud credential",
            SensitiveKind::Jwt => "JSON Web Token",
            SensitiveKind::KubeconfigToken => "Kubeconfig credential",
            SensitiveKind::SecretData => "Kubernetes Secret data",
            SensitiveKind::SecretInAnnotation => "Secret data in last-applied annotation",
            SensitiveKind::EnvSecret => "Literal secret in an environment variable",
        }
    }

    /// The marker a redacted copy holds instead of the value.
    pub fn marker(self) -> String {
        format!("{MARKER_PREFIX}{}]", self.id())
    }
}

/// How every redaction marker starts.
pub const MARKER_PREFIX: &str = "[REDACTED:";

/// True if `value` is (or holds) a redaction marker.
pub fn is_marker(value: &str) -> bool {
    value.contains(MARKER_PREFIX)
}

/// One piece of sensitive data in a file. Holds no part of the value but
/// its masked preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitiveFinding {
    /// What it is.
    pub kind: SensitiveKind,
    /// The rule that found it (`aws-access-token`, `luhn-card-number`...).
    pub rule: String,
    /// Where: a JSON pointer, `doc N /pointer`, or `line N`.
    pub location: String,
    /// Inside an annotation that holds a whole object: the pointer in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner: Option<String>,
    /// The Kubernetes object it is in (`namespace/Kind/name`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The environment variable or Secret key it is the value of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A masked preview (`card ending 1111, 16 digits`, `AKI… (20 chars)`).
    pub preview: String,
    /// True if the value is already a redaction marker: the place held a
    /// secret, the file holds none.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
    /// The file (set when the finding is part of typed evidence).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// Byte range of the finding in its string (whole string when `None`);
    /// only for redaction, never stored.
    #[serde(skip)]
    pub(crate) span: Option<(usize, usize)>,
}

impl SensitiveFinding {
    /// `location` with the pointer inside an annotation, if any.
    pub fn place(&self) -> String {
        match &self.inner {
            Some(inner) => format!("{} → {inner}", self.location),
            None => self.location.clone(),
        }
    }

    /// True for a finding in a container's `env` list.
    pub fn in_env(&self) -> bool {
        self.inner.is_none() && is_env_value_pointer(&self.location)
    }
}

/// True for `.../env/N/value`.
fn is_env_value_pointer(pointer: &str) -> bool {
    let mut parts = pointer.rsplit('/');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some("value"), Some(index), Some("env")) if index.parse::<usize>().is_ok()
    )
}

/// What [`scan`] found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// The findings, in file order (redaction markers included, flagged).
    pub findings: Vec<SensitiveFinding>,
    /// How the file was read: `JSON`, `YAML`, `text`, or why not scanned.
    pub method: &'static str,
}

impl Scan {
    /// The findings that still hold a value (not redaction markers).
    pub fn open(&self) -> impl Iterator<Item = &SensitiveFinding> {
        self.findings.iter().filter(|f| !f.redacted)
    }
}

/// How a file's content is structured, for scanning and redacting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Json,
    Yaml,
    Text,
    Binary,
}

/// Scans `bytes` for sensitive data.
pub fn scan(bytes: &[u8]) -> Scan {
    let Ok((text, _)) = super::text::decode(bytes) else {
        return Scan {
            findings: Vec::new(),
            method: "not scanned (binary or empty)",
        };
    };
    let (shape, findings) = scan_text(&text);
    Scan {
        findings,
        method: match shape {
            Shape::Json => "JSON",
            Shape::Yaml => "YAML",
            Shape::Text => "text",
            Shape::Binary => "not scanned",
        },
    }
}

/// Scans decoded text: as JSON, as YAML, or as plain text.
pub(crate) fn scan_text(text: &str) -> (Shape, Vec<SensitiveFinding>) {
    if super::document_kind(text.as_bytes()).is_some() {
        return (Shape::Binary, Vec::new());
    }
    let rules = rules::rules();
    if matches!(super::text::first_significant_char(text), Some('{' | '[')) {
        if let Some(findings) = walk::json(text, rules) {
            return (Shape::Json, findings);
        }
    } else if let Some(findings) = walk::yaml(text, rules) {
        return (Shape::Yaml, findings);
    }
    (Shape::Text, rules::scan_plain(text, rules))
}

/// A masked preview of `value` for a finding of `kind`.
pub(crate) fn mask(kind: SensitiveKind, value: &str) -> String {
    let chars = value.chars().count();
    match kind {
        SensitiveKind::CardNumber | SensitiveKind::TestCardNumber => {
            let digits: String = value.chars().filter(char::is_ascii_digit).collect();
            let last: String = digits
                .chars()
                .skip(digits.len().saturating_sub(4))
                .collect();
            format!("card ending {last}, {} digits", digits.len())
        }
        SensitiveKind::PrivateKey => {
            let header = value
                .lines()
                .next()
                .filter(|l| l.starts_with("-----BEGIN"))
                .unwrap_or("key");
            format!("{header} … ({chars} chars)")
        }
        _ if chars >= 16 => {
            let head: String = value.chars().take(3).collect();
            format!("{head}… ({chars} chars)")
        }
        _ => format!("•••• ({chars} chars)"),
    }
}

#[cfg(test)]
mod tests;
