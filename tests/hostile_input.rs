//! Hostile but well-formed input (issue 19, findings 4, 6 and 8): one long
//! string must not be copied into every result, a deeply nested template
//! expression is refused with a clear error, a 2 GiB sparse file is judged
//! binary from its first bytes, and wrongly typed fields are input errors.
//!
//! Memory is measured on whole commands: the test executable runs itself
//! (`--exact child_runs_the_command_line --ignored`) with the arguments in
//! an environment variable; the child runs the command line as the binary
//! would and writes its exit code and peak resident memory (`VmHWM`) to a
//! file.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use tickmark::evidence::cap::MAX_TEXT_CHARS;

const CHILD_ARGS: &str = "TICKMARK_HOSTILE_ARGS";
const CHILD_REPORT: &str = "TICKMARK_HOSTILE_REPORT";

/// What a measured command did.
#[derive(Debug)]
struct Measured {
    code: u8,
    peak_rss_mib: u64,
    stdout_bytes: u64,
    stderr: String,
}

/// Runs `tickmark ARGS...` in a child process and measures it.
fn measure(dir: &Path, args: &[&str]) -> Measured {
    let report = dir.join("report.txt");
    let stdout = dir.join("stdout.txt");
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_runs_the_command_line",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ARGS, args.join("\u{1f}"))
        .env(CHILD_REPORT, &report)
        .env_remove("DISPLAY")
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&report).unwrap_or_else(|_| {
        panic!(
            "the child wrote no report: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let mut parts = text.split_whitespace();
    let code = parts.next().unwrap().parse().unwrap();
    let peak_kib: u64 = parts.next().unwrap().parse().unwrap();
    Measured {
        code,
        peak_rss_mib: peak_kib / 1024,
        stdout_bytes: std::fs::metadata(&stdout).unwrap().len(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
#[ignore = "child process of the measuring tests in this file"]
fn child_runs_the_command_line() {
    let (Some(args), Some(report)) = (std::env::var_os(CHILD_ARGS), std::env::var_os(CHILD_REPORT))
    else {
        eprintln!("skipped: run by the measuring tests of tests/hostile_input.rs");
        return;
    };
    let args = args.to_string_lossy().into_owned();
    let mut argv = vec!["tickmark".to_owned()];
    argv.extend(args.split('\u{1f}').map(str::to_owned));
    let code = tickmark::cli::main_with(argv);
    let code = (0..=2u8)
        .find(|c| ExitCode::from(*c) == code)
        .unwrap_or(101);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "0".to_owned());
    std::fs::write(PathBuf::from(report), format!("{code} {peak}")).unwrap();
}

/// A valid `az aks show` whose cluster name is `name_bytes` long (the ID
/// repeats it, so the file is about twice that).
fn aks_with_long_name(name_bytes: usize) -> String {
    let name = "a".repeat(name_bytes);
    format!(
        r#"{{"id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/{name}",
  "name": "{name}", "type": "Microsoft.ContainerService/managedClusters", "location": "westeurope",
  "provisioningState": "Succeeded", "kubernetesVersion": "1.29.2", "enableRbac": true,
  "disableLocalAccounts": true,
  "apiServerAccessProfile": {{"enablePrivateCluster": true, "privateDnsZone": "system"}},
  "aadProfile": {{"managed": true, "enableAzureRbac": true}},
  "agentPoolProfiles": [{{"name": "system", "mode": "System", "enableNodePublicIp": false,
     "vnetSubnetId": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"}}],
  "networkProfile": {{"networkPlugin": "azure", "networkPolicy": "azure", "outboundType": "userDefinedRouting"}},
  "addonProfiles": {{"azurepolicy": {{"enabled": true}}}}}}"#
    )
}

/// Peak memory a command may use on an input of `input_bytes`: the
/// process's own start (the catalog, the record) plus a small multiple of
/// the input.
fn allowed_mib(input_bytes: usize) -> u64 {
    120 + 8 * (input_bytes as u64 >> 20)
}

#[test]
fn a_long_cluster_name_is_capped_in_results_output_and_record() {
    // Before: a 16 MB az aks show with an 8 MiB name made `evaluate` use
    // 2.5 GB and print 1.6 GB, and `import` run 44.6 s at 5.6 GB.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aks-long-name.json");
    let text = aks_with_long_name(8 << 20);
    std::fs::write(&file, &text).unwrap();
    let path = file.to_str().unwrap();

    let evaluated = measure(dir.path(), &["evaluate", "--format", "json", path]);
    assert_eq!(evaluated.code, 0, "{}", evaluated.stderr);
    assert!(
        evaluated.peak_rss_mib <= allowed_mib(text.len()),
        "evaluate peaked at {} MiB for a {} MiB file",
        evaluated.peak_rss_mib,
        text.len() >> 20
    );
    assert!(
        evaluated.stdout_bytes < 4 << 20,
        "evaluate printed {} bytes",
        evaluated.stdout_bytes
    );

    let db = dir.path().join("record.sqlite3");
    let imported = measure(
        dir.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "import",
            "--assessment",
            "Long",
            path,
        ],
    );
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    assert!(
        imported.peak_rss_mib <= allowed_mib(text.len()),
        "import peaked at {} MiB for a {} MiB file",
        imported.peak_rss_mib,
        text.len() >> 20
    );
    // The record keeps the file whole and every text derived from it capped.
    let store = tickmark::store::Store::open_existing(&db).unwrap();
    let a = store.assessment("Long").unwrap().unwrap();
    assert!(
        a.cluster.chars().count() <= MAX_TEXT_CHARS + 32,
        "cluster not capped"
    );
    assert!(
        a.cluster.ends_with("(8388608 characters)"),
        "{}",
        &a.cluster[a.cluster.len() - 40..]
    );
    let files = store.evidence_files(a.id).unwrap();
    let bytes = store
        .evidence_bytes(&files[0].provenance.sha256)
        .unwrap()
        .unwrap();
    assert_eq!(bytes, text.as_bytes());
    let run = store.latest_run(a.id).unwrap().unwrap();
    let longest = run
        .verdicts
        .iter()
        .flat_map(|v| v.checks.iter())
        .flat_map(|c| {
            std::iter::once(c.reason.chars().count())
                .chain(c.resources.iter().map(|r| r.resource.chars().count()))
                .chain(
                    c.evidence
                        .iter()
                        .filter_map(|e| e.resource.as_ref().map(|r| r.chars().count())),
                )
        })
        .max()
        .unwrap();
    assert!(
        longest <= MAX_TEXT_CHARS + 32,
        "a stored text of {longest} characters"
    );
    assert!(store.verify().unwrap().is_intact());
}

#[test]
fn a_deeply_nested_template_expression_is_an_input_error() {
    // Before: a 32 MB ARM template with a deeply nested expression took
    // 4.8 GB on import. This one is 32 MB too.
    let dir = tempfile::tempdir().unwrap();
    let depth = 4_000_000;
    let expression = format!("[{}'kv'{}]", "concat(".repeat(depth), ")".repeat(depth));
    let template = format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [{{"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01",
     "name": "{expression}", "properties": {{"enableRbacAuthorization": true}}}}]}}"#
    );
    assert!(template.len() > 30 << 20);
    let file = dir.path().join("deep-template.json");
    std::fs::write(&file, &template).unwrap();
    let db = dir.path().join("record.sqlite3");
    let imported = measure(
        dir.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "import",
            "--assessment",
            "Deep",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(imported.code, 2);
    assert!(
        imported
            .stderr
            .contains("deep-template.json (as Azure resources) at /resources/0/name")
            && imported.stderr.contains("nested 4000001 levels deep")
            && imported.stderr.contains("up to 64 levels"),
        "{}",
        imported.stderr
    );
    assert!(
        imported.peak_rss_mib <= allowed_mib(template.len()),
        "import peaked at {} MiB for a {} MiB file",
        imported.peak_rss_mib,
        template.len() >> 20
    );
}

#[test]
fn a_two_gib_sparse_file_is_judged_from_its_first_bytes() {
    // Before: a 2 GiB sparse file (exactly the size limit) was read whole
    // (2.1 GB RSS) before its first byte was found to be binary.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sparse.bin");
    std::fs::File::create(&file)
        .unwrap()
        .set_len(tickmark::evidence::MAX_FILE_BYTES)
        .unwrap();
    let started = std::time::Instant::now();
    let evaluated = measure(dir.path(), &["evaluate", file.to_str().unwrap()]);
    assert_eq!(evaluated.code, 2);
    assert!(
        evaluated
            .stderr
            .contains("sparse.bin: binary content, not text (byte 0 is not valid UTF-8 text)"),
        "{}",
        evaluated.stderr
    );
    assert!(
        evaluated.peak_rss_mib < 120,
        "{} MiB",
        evaluated.peak_rss_mib
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn wrongly_typed_fields_are_input_errors_and_the_rest_is_judged() {
    // Before: an az aks show whose agentPoolProfiles is a string and
    // apiServerAccessProfile a number was accepted with exit 0.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aks-odd.json");
    let text = aks_with_long_name(8)
        .replace(
            r#""agentPoolProfiles": [{"name": "system", "mode": "System", "enableNodePublicIp": false,
     "vnetSubnetId": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"}]"#,
            r#""agentPoolProfiles": "three pools""#,
        )
        .replace(
            r#""apiServerAccessProfile": {"enablePrivateCluster": true, "privateDnsZone": "system"}"#,
            r#""apiServerAccessProfile": 5"#,
        );
    assert!(text.contains("three pools") && text.contains("\"apiServerAccessProfile\": 5"));
    std::fs::write(&file, &text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(["evaluate", "--format", "json"])
        .arg(&file)
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for expected in [
        "aks-odd.json (as AKS cluster) at /agentPoolProfiles: wrong type: found \"three pools\" (a string)",
        "aks-odd.json (as AKS cluster) at /apiServerAccessProfile: wrong type: found 5 (a number) where an object belongs",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    // The rest of the file is judged and printed.
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let status_of = |check: &str| {
        report["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["checks"].as_array().unwrap())
            .find(|c| c["id"] == check)
            .map(|c| c["status"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(status_of("aks.local-accounts-disabled"), "pass");
    assert_eq!(status_of("aks.private-cluster"), "not_evaluated");
    assert_eq!(report["errors"].as_array().unwrap().len(), 2);
}
