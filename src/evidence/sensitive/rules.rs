//! The patterns: credential rules adapted from gitleaks (MIT), card numbers
//! (Luhn and the schemes' prefixes), and the key names that mark secrets.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::{SensitiveFinding, SensitiveKind, mask};

/// One pattern; group 1 (when present) is the secret, else the whole match.
pub(super) struct Rule {
    pub id: &'static str,
    pub kind: SensitiveKind,
    pub regex: Regex,
}

/// Every pattern, compiled once.
pub(crate) struct Rules {
    pub(super) patterns: Vec<Rule>,
    /// The same patterns as one set: one pass says whether any matches.
    set: RegexSet,
    /// A run of 13 to 19 digits, optionally grouped by spaces or dashes.
    card: Regex,
    /// Names of environment variables and keys that hold secrets.
    secret_name: Regex,
    /// Names that say they hold something about a secret, not the secret
    /// (`TOKENIZATION_KEY_NAME`, `API_KEY_PATH`, `KEYVAULT_URI`).
    not_secret_name: Regex,
    /// `NAME=value` lines of env files whose name says it is a secret.
    env_line: Regex,
}

/// (gitleaks rule ID or our own, kind, pattern).
const PATTERNS: &[(&str, SensitiveKind, &str)] = &[
    (
        "private-key",
        SensitiveKind::PrivateKey,
        r"(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----",
    ),
    (
        "aws-access-token",
        SensitiveKind::CloudCredential,
        r"\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
    ),
    (
        "github-pat",
        SensitiveKind::CloudCredential,
        r"\b(ghp_[0-9a-zA-Z]{36})\b",
    ),
    (
        "github-fine-grained-pat",
        SensitiveKind::CloudCredential,
        r"\b(github_pat_\w{82})\b",
    ),
    (
        "github-oauth",
        SensitiveKind::CloudCredential,
        r"\b(gho_[0-9a-zA-Z]{36})\b",
    ),
    (
        "github-app-token",
        SensitiveKind::CloudCredential,
        r"\b((?:ghu|ghs)_[0-9a-zA-Z]{36})\b",
    ),
    (
        "github-refresh-token",
        SensitiveKind::CloudCredential,
        r"\b(ghr_[0-9a-zA-Z]{36})\b",
    ),
    (
        "azure-ad-client-secret",
        SensitiveKind::CloudCredential,
        r#"(?:^|[\\'"`\s>=:(,)])([a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\'"`\s<),])"#,
    ),
    (
        "azure-storage-account-key",
        SensitiveKind::CloudCredential,
        r"(?i)AccountKey=([A-Za-z0-9+/]{40,}={0,2})",
    ),
    (
        "azure-connection-string-key",
        SensitiveKind::CloudCredential,
        r"(?i)(?:^|[;'\x22\s])(?:SharedAccessKey|Password|Pwd)=([^;'\x22\s]{8,})",
    ),
    (
        "azure-sas-token",
        SensitiveKind::CloudCredential,
        r"(?i)(?:[?&;]|SharedAccessSignature=)sig=([A-Za-z0-9%+/=]{20,})",
    ),
    (
        "jwt",
        SensitiveKind::Jwt,
        r"\b(ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?)",
    ),
];

/// The schemes' published test numbers: reported as test numbers.
const TEST_CARD_NUMBERS: &[&str] = &[
    "4111111111111111",
    "4242424242424242",
    "4012888888881881",
    "4222222222222",
    "4000056655665556",
    "4000000000000002",
    "5555555555554444",
    "5105105105105100",
    "5200828282828210",
    "2223003122003222",
    "2223000048400011",
    "378282246310005",
    "371449635398431",
    "378734493671000",
    "6011111111111117",
    "6011000990139424",
    "6011000400000000",
    "3530111333300000",
    "3566002020360505",
    "30569309025904",
    "38520000023237",
    "36227206271667",
    "6200000000000005",
    "6759649826438453",
];

static RULES: LazyLock<Rules> = LazyLock::new(Rules::compile);

/// The compiled rules.
pub(crate) fn rules() -> &'static Rules {
    &RULES
}

impl Rules {
    fn compile() -> Rules {
        // The patterns are constants, checked by the tests below.
        #[allow(clippy::expect_used)]
        let patterns: Vec<Rule> = PATTERNS
            .iter()
            .map(|(id, kind, pattern)| Rule {
                id,
                kind: *kind,
                regex: Regex::new(pattern).expect("a valid built-in pattern"),
            })
            .collect();
        #[allow(clippy::expect_used)]
        let set = RegexSet::new(PATTERNS.iter().map(|(_, _, p)| *p)).expect("valid patterns");
        #[allow(clippy::expect_used)]
        let compile = |p: &str| Regex::new(p).expect("a valid built-in pattern");
        Rules {
            patterns,
            set,
            card: compile(r"\d(?:[ -]?\d){12,18}"),
            secret_name: compile(
                r"(?i)(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?key|(?:^|[_.-])key$|credential|conn(?:ection)?[_-]?str)",
            ),
            not_secret_name: compile(
                r"(?i)[_.-](?:names?|uri|url|id|path|file|dir|host|endpoint|ref|version|type|mode|length|size|ttl|count|enabled|header|algorithm|vault|issuer)$",
            ),
            env_line: compile(
                r"(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*([^\s#]{4,})",
            ),
        }
    }

    /// Every finding of the patterns and card numbers in one string (a JSON
    /// or YAML value), with spans in it. `location` names the string.
    pub(super) fn in_string(&self, value: &str, location: &str) -> Vec<SensitiveFinding> {
        let mut found = Vec::new();
        if self.set.is_match(value) {
            for rule in &self.patterns {
                for captures in rule.regex.captures_iter(value) {
                    let Some(secret) = captures.get(1).or_else(|| captures.get(0)) else {
                        continue;
                    };
                    if overlaps(&found, secret.start(), secret.end()) {
                        continue;
                    }
                    found.push(finding(
                        rule.kind,
                        rule.id,
                        location,
                        secret.as_str(),
                        Some((secret.start(), secret.end())),
                    ));
                }
            }
        }
        for (start, end, test) in self.card_numbers(value) {
            if overlaps(&found, start, end) {
                continue;
            }
            let kind = if test {
                SensitiveKind::TestCardNumber
            } else {
                SensitiveKind::CardNumber
            };
            found.push(finding(
                kind,
                "luhn-card-number",
                location,
                &value[start..end],
                Some((start, end)),
            ));
        }
        found.sort_by_key(|f| f.span);
        found
    }

    /// Card numbers in `value`: (start, end, is a test number).
    fn card_numbers(&self, value: &str) -> Vec<(usize, usize, bool)> {
        if value.bytes().filter(u8::is_ascii_digit).count() < 13 {
            return Vec::new();
        }
        let bytes = value.as_bytes();
        let mut out = Vec::new();
        for m in self.card.find_iter(value) {
            if !standalone(bytes, m.start(), m.end()) {
                continue;
            }
            let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
            if !consistent_grouping(m.as_str()) || !luhn_valid(&digits) || !known_brand(&digits) {
                continue;
            }
            out.push((m.start(), m.end(), is_test_card_number(&digits)));
        }
        out
    }

    /// True if a variable or key named `name` holds a secret by its name.
    pub(super) fn is_secret_name(&self, name: &str) -> bool {
        self.secret_name.is_match(name) && !self.not_secret_name.is_match(name)
    }

    /// `NAME=value` lines of plain text (env files) whose name says secret.
    fn env_lines(&self, text: &str) -> Vec<SensitiveFinding> {
        let mut found = Vec::new();
        for captures in self.env_line.captures_iter(text) {
            let (Some(name), Some(value)) = (captures.get(1), captures.get(2)) else {
                continue;
            };
            if !self.is_secret_name(name.as_str()) || super::is_marker(value.as_str()) {
                continue;
            }
            let mut f = finding(
                SensitiveKind::EnvSecret,
                "env-literal-secret",
                "",
                value.as_str(),
                Some((value.start(), value.end())),
            );
            f.name = Some(name.as_str().to_owned());
            found.push(f);
        }
        found
    }
}

/// Scans plain text: every pattern over the whole text (a PEM key spans
/// lines), located by line.
pub(super) fn scan_plain(text: &str, rules: &Rules) -> Vec<SensitiveFinding> {
    let mut found = rules.in_string(text, "");
    for line in rules.env_lines(text) {
        let (start, end) = line.span.unwrap_or_default();
        if !overlaps(&found, start, end) {
            found.push(line);
        }
    }
    found.sort_by_key(|f| f.span);
    for f in &mut found {
        let start = f.span.map_or(0, |(s, _)| s);
        let line = text[..start].bytes().filter(|b| *b == b'\n').count() + 1;
        f.location = format!("line {line}");
    }
    found
}

fn finding(
    kind: SensitiveKind,
    rule: &str,
    location: &str,
    value: &str,
    span: Option<(usize, usize)>,
) -> SensitiveFinding {
    SensitiveFinding {
        kind,
        rule: rule.to_owned(),
        location: location.to_owned(),
        inner: None,
        resource: None,
        name: None,
        preview: mask(kind, value),
        redacted: false,
        path: String::new(),
        span,
    }
}

/// A finding of a whole value (Secret data, an env value, a token).
pub(super) fn whole(
    kind: SensitiveKind,
    rule: &str,
    location: &str,
    value: &str,
) -> SensitiveFinding {
    finding(kind, rule, location, value, None)
}

fn overlaps(found: &[SensitiveFinding], start: usize, end: usize) -> bool {
    found
        .iter()
        .filter_map(|f| f.span)
        .any(|(s, e)| start < e && s < end)
}

/// Not part of a longer number, a hash, a UUID, a version or a timestamp:
/// no letter, digit or joining punctuation right before or after.
fn standalone(bytes: &[u8], start: usize, end: usize) -> bool {
    let joins = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'/' | b'+');
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(end).copied();
    let digit_beyond =
        |i: Option<usize>| i.and_then(|i| bytes.get(i)).is_some_and(u8::is_ascii_digit);
    let alnum_beyond = |i: Option<usize>| {
        i.and_then(|i| bytes.get(i))
            .is_some_and(u8::is_ascii_alphanumeric)
    };
    let joined_before = before.is_some_and(|b| {
        joins(b)
            || (b == b'-' && alnum_beyond(start.checked_sub(2)))
            || (b == b' ' && digit_beyond(start.checked_sub(2)))
    });
    let joined_after = after.is_some_and(|b| {
        joins(b)
            || (b == b'-' && alnum_beyond(Some(end + 1)))
            || (b == b' ' && digit_beyond(Some(end + 1)))
    });
    !joined_before && !joined_after
}

/// Digits written in one run, or in groups split by one kind of separator.
fn consistent_grouping(text: &str) -> bool {
    let spaces = text.contains(' ');
    let dashes = text.contains('-');
    !(spaces && dashes)
}

/// The Luhn checksum of a string of digits.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A card scheme's prefix and one of its lengths.
fn known_brand(digits: &str) -> bool {
    let len = digits.len();
    let prefix = |n: usize| {
        digits
            .get(..n)
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let visa = digits.starts_with('4') && matches!(len, 13 | 16 | 19);
    let mastercard =
        ((51..=55).contains(&prefix(2)) || (2221..=2720).contains(&prefix(4))) && len == 16;
    let amex = matches!(prefix(2), 34 | 37) && len == 15;
    let discover = (prefix(4) == 6011 || (644..=649).contains(&prefix(3)) || prefix(2) == 65)
        && (16..=19).contains(&len);
    let jcb = (3528..=3589).contains(&prefix(4)) && (16..=19).contains(&len);
    let diners = ((300..=305).contains(&prefix(3)) || matches!(prefix(2), 36 | 38 | 39))
        && (14..=19).contains(&len);
    let unionpay = prefix(2) == 62 && (16..=19).contains(&len);
    let maestro = (prefix(2) == 50 || (56..=69).contains(&prefix(2))) && (12..=19).contains(&len);
    visa || mastercard || amex || discover || jcb || diners || unionpay || maestro
}

/// True for a scheme's published test number.
pub fn is_test_card_number(digits: &str) -> bool {
    TEST_CARD_NUMBERS.contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(rules().patterns.len(), PATTERNS.len());
    }

    #[test]
    fn luhn_and_brands() {
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(known_brand("4111111111111111"));
        assert!(known_brand("378282246310005"));
        assert!(!known_brand("1234567812345670"));
        assert!(is_test_card_number("4111111111111111"));
    }

    #[test]
    fn card_numbers_stand_alone() {
        let r = rules();
        let found = |s: &str| r.card_numbers(s).len();
        assert_eq!(found("pan 4539 1488 0343 6467 here"), 1);
        assert_eq!(found("pan 4539-1488-0343-6467"), 1);
        assert_eq!(found("45391488034364670"), 0, "part of a longer number");
        assert_eq!(found("sha 4539148803436467abcdef"), 0, "part of a hash");
        assert_eq!(found("v1.4539148803436467"), 0, "part of a version");
        assert_eq!(found("4539 1488-0343 6467"), 0, "mixed grouping");
        assert_eq!(found("45391488-0343-6467-1234-567890123456"), 0, "a UUID");
        assert_eq!(found("1732269600000"), 0, "a millisecond timestamp");
    }
}
