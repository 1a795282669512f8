use super::*;

const KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----";
const STORAGE: &str = "DefaultEndpointsProtocol=https;AccountName=stharbour;AccountKey=Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyYmF6cX==;EndpointSuffix=core.windows.net";
const PAN: &str = "4539148803436467";

fn pods() -> String {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": [{
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "payments-0", "namespace": "a0005-i"},
            "spec": {"containers": [{
                "name": "app",
                "image": "acr.example/app:1",
                "env": [
                    {"name": "DB_PASSWORD", "value": "hunter2-but-longer"},
                    {"name": "STORAGE", "value": STORAGE},
                    {"name": "LOG_LEVEL", "value": "info"},
                    {"name": "TOKEN_PATH", "value": "/var/run/token"},
                    {"name": "TOKENIZATION_KEY_NAME", "value": "pan-tokenization-key"},
                    {"name": "TEST_CARD", "value": PAN},
                ]
            }]}
        }, {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "tls",
                "namespace": "a0005-i",
                "annotations": {
                    "kubectl.kubernetes.io/last-applied-configuration": serde_json::json!({
                        "apiVersion": "v1", "kind": "Secret",
                        "data": {"tls.key": "c2VjcmV0LWtleS1ieXRlcw=="},
                        "metadata": {"name": "tls", "namespace": "a0005-i"}
                    }).to_string()
                }
            },
            "data": {"tls.key": "c2VjcmV0LWtleS1ieXRlcw==", "note": KEY}
        }]
    })
    .to_string()
}

fn kinds(scan: &Scan) -> Vec<(SensitiveKind, String)> {
    scan.findings.iter().map(|f| (f.kind, f.place())).collect()
}

#[test]
fn a_pods_export_is_scanned_with_pointers_and_objects() {
    let text = pods();
    let scan = scan(text.as_bytes());
    assert_eq!(scan.method, "JSON");
    let found = kinds(&scan);
    let has =
        |kind: SensitiveKind, place: &str| found.iter().any(|(k, p)| *k == kind && p == place);
    assert!(
        has(
            SensitiveKind::EnvSecret,
            "/items/0/spec/containers/0/env/0/value"
        ),
        "{found:?}"
    );
    assert!(
        has(
            SensitiveKind::CloudCredential,
            "/items/0/spec/containers/0/env/1/value"
        ),
        "{found:?}"
    );
    assert!(
        has(
            SensitiveKind::CardNumber,
            "/items/0/spec/containers/0/env/5/value"
        ),
        "{found:?}"
    );
    assert!(
        has(SensitiveKind::SecretData, "/items/1/data/tls.key"),
        "{found:?}"
    );
    assert!(
        has(SensitiveKind::PrivateKey, "/items/1/data/note"),
        "{found:?}"
    );
    assert!(
        has(
            SensitiveKind::SecretInAnnotation,
            "/items/1/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration → /data/tls.key"
        ),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(_, p)| p.contains("env/2") || p.contains("env/3") || p.contains("env/4")),
        "{found:?}"
    );
    let env = scan
        .findings
        .iter()
        .find(|f| f.kind == SensitiveKind::EnvSecret)
        .unwrap();
    assert_eq!(env.resource.as_deref(), Some("a0005-i/Pod/payments-0"));
    assert_eq!(env.name.as_deref(), Some("DB_PASSWORD"));
    assert!(env.in_env());
    // No preview holds a value.
    for f in &scan.findings {
        for secret in [
            "hunter2-but-longer",
            "AccountKey=Zm9v",
            PAN,
            "c2VjcmV0",
            "MIIEow",
        ] {
            assert!(!f.preview.contains(secret), "{f:?}");
        }
    }
    let card = scan
        .findings
        .iter()
        .find(|f| f.kind == SensitiveKind::CardNumber)
        .unwrap();
    assert_eq!(card.preview, "card ending 6467, 16 digits");
}

#[test]
fn redaction_keeps_the_json_valid_and_leaves_no_value() {
    let text = pods();
    let redacted = redact(text.as_bytes()).unwrap();
    let out = String::from_utf8(redacted.bytes.clone()).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
    for secret in [
        "hunter2-but-longer",
        "Zm9vYmFy",
        PAN,
        "c2VjcmV0LWtleS1ieXRlcw",
        "MIIEow",
    ] {
        assert!(!out.contains(secret), "{secret} left in {out}");
    }
    assert_eq!(
        parsed["items"][0]["spec"]["containers"][0]["env"][0]["value"],
        "[REDACTED:env_secret]"
    );
    assert_eq!(
        parsed["items"][0]["spec"]["containers"][0]["env"][2]["value"],
        "info"
    );
    let annotation = parsed["items"][1]["metadata"]["annotations"]
        ["kubectl.kubernetes.io/last-applied-configuration"]
        .as_str()
        .unwrap();
    let inner: serde_json::Value = serde_json::from_str(annotation).unwrap();
    assert_eq!(inner["data"]["tls.key"], "[REDACTED:secret_in_annotation]");
    assert!(redacted.replaced.len() >= 6);
    // The copy still shows where secrets were, as redacted findings.
    let again = scan(&redacted.bytes);
    assert_eq!(again.open().count(), 0, "{:?}", again.findings);
    assert!(
        again
            .findings
            .iter()
            .any(|f| f.kind == SensitiveKind::EnvSecret && f.redacted)
    );
    assert!(
        again
            .findings
            .iter()
            .any(|f| f.kind == SensitiveKind::SecretInAnnotation && f.redacted)
    );
}

#[test]
fn yaml_streams_and_plain_text_are_scanned_and_redacted() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: ns\nspec:\n  containers:\n  - name: c\n    env:\n    - name: API_TOKEN\n      value: s3cr3t-t0ken-value\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  aws: AKIAIOSFODNN7EXAMPL3\n".to_owned();
    let found = scan(yaml.as_bytes());
    assert_eq!(found.method, "YAML");
    let places: Vec<String> = found.findings.iter().map(SensitiveFinding::place).collect();
    assert_eq!(
        places,
        ["doc 1 /spec/containers/0/env/0/value", "doc 2 /data/aws"],
        "{:?}",
        found.findings
    );
    let out = String::from_utf8(redact(yaml.as_bytes()).unwrap().bytes).unwrap();
    assert!(
        !out.contains("s3cr3t") && !out.contains("AKIAIOSFODNN7EXAMPL3"),
        "{out}"
    );
    assert_eq!(out.matches("---").count(), 1);

    let text = format!(
        "# notes\nDB_PASSWORD=swordfish99\nkey follows\n{KEY}\ncard {PAN} and test 4111 1111 1111 1111\n"
    );
    let found = scan(text.as_bytes());
    assert_eq!(found.method, "text");
    let kinds: Vec<(SensitiveKind, &str)> = found
        .findings
        .iter()
        .map(|f| (f.kind, f.location.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (SensitiveKind::EnvSecret, "line 2"),
            (SensitiveKind::PrivateKey, "line 4"),
            (SensitiveKind::CardNumber, "line 8"),
            (SensitiveKind::TestCardNumber, "line 8"),
        ]
    );
    let out = String::from_utf8(redact(text.as_bytes()).unwrap().bytes).unwrap();
    assert!(out.contains("DB_PASSWORD=[REDACTED:env_secret]"), "{out}");
    assert!(!out.contains(PAN) && !out.contains("MIIEow"), "{out}");
}

#[test]
fn clean_files_and_documents_find_nothing() {
    assert!(
        scan(br#"{"value": [{"id": "/subscriptions/1/x", "name": "nsg"}]}"#)
            .findings
            .is_empty()
    );
    assert!(scan(b"\x89PNG\r\n\x1a\n\0\0").findings.is_empty());
    // Resource IDs, UUIDs and hashes are not card numbers.
    let ids = br#"{"id": "5b0e9c2a-1f4d-4c1a-9e3b-4539148803436467", "sha": "4539148803436467aa", "t": 1732269600000}"#;
    assert!(scan(ids).findings.is_empty(), "{:?}", scan(ids).findings);
    let redacted = redact(b"{\"a\": 1}").unwrap();
    assert!(redacted.replaced.is_empty());
}
