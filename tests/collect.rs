//! `tickmark collect` against stand-in `az` and `kubectl` programs that
//! answer the plan's commands from fixture files (`tests/fixtures/collect/`
//! and `sample-data/`): the folder it writes, the manifest, partial failure,
//! time limits, the bash script doing the same, and the chain of custody an
//! import reads from the manifest.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tickmark::collect;
use tickmark::store::Store;

const SUBSCRIPTION: &str = "sub-harbourline-cde-prod";
const RESOURCE_GROUP: &str = "rg-bu0001a0005";
const CLUSTER: &str = "aks-bu0001a0005-01";

/// The stand-in: answers a command line from the answers file, logs every
/// call, and can fail or hang on request.
const STANDIN: &str = r#"#!/usr/bin/env bash
key="$(basename "$0")"
for a in "$@"; do key="$key $a"; done
printf '%s\n' "$key" >> "$STANDIN_LOG"
while IFS=$'\t' read -r k answer code err; do
  case "$k" in '#'*) continue ;; esac
  if [ "$k" = "$key" ]; then
    case "$answer" in
      -) ;;
      @*) cat "$STANDIN_ROOT/${answer#@}" ;;
      '!sleep '*) sleep "${answer#!sleep }" ;;
      *) printf '%b' "$answer" ;;
    esac
    [ -n "$err" ] && printf '%b\n' "$err" >&2
    exit "$code"
  fi
done < "$STANDIN_ANSWERS"
printf 'stand-in %s: no answer for: %s\n' "$(basename "$0")" "$key" >&2
exit 64
"#;

/// A temporary world with the stand-ins on `PATH`.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    /// Stand-ins answering from the fixture answers, with `change` applied
    /// to the answer of each command line it names: (command line, answer,
    /// exit code, error output).
    fn new(changes: &[(&str, &str, i32, &str)]) -> World {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        for tool in ["az", "kubectl"] {
            let path = bin.join(tool);
            std::fs::write(&path, STANDIN).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        let fixture = common::project_dir().join("tests/fixtures/collect/answers.tsv");
        let mut answers = std::fs::read_to_string(fixture).unwrap();
        for (key, answer, code, err) in changes {
            let line = answers
                .lines()
                .find(|l| l.split('\t').next() == Some(key))
                .unwrap_or_else(|| panic!("no answer to change for {key}"))
                .to_owned();
            answers = answers.replace(&line, &format!("{key}\t{answer}\t{code}\t{err}"));
        }
        std::fs::write(dir.path().join("answers.tsv"), answers).unwrap();
        World { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.path("bin")];
        paths.extend(std::env::split_paths(&path));
        command
            .env("PATH", std::env::join_paths(paths).unwrap())
            .env("STANDIN_ROOT", common::project_dir())
            .env("STANDIN_ANSWERS", self.path("answers.tsv"))
            .env("STANDIN_LOG", self.path("calls.log"));
        command
    }

    fn collect(&self, out: &Path, extra: &[&str]) -> Output {
        let mut args = vec![
            "collect",
            "--subscription",
            SUBSCRIPTION,
            "--resource-group",
            RESOURCE_GROUP,
            "--cluster",
            CLUSTER,
            "--out",
        ];
        let out = out.to_str().unwrap();
        args.push(out);
        args.extend_from_slice(extra);
        self.command(env!("CARGO_BIN_EXE_tickmark"))
            .args(&args)
            .output()
            .unwrap()
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn manifest(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("collection-manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn step<'a>(manifest: &'a Value, id: &str) -> &'a Value {
    manifest["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id} in the manifest"))
}

/// Every file below `dir`, relative, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn evaluate(world: &World, dir: &Path) -> (Output, Value) {
    let output = world
        .command(env!("CARGO_BIN_EXE_tickmark"))
        .args(["evaluate", "--format", "json", "--schema", "1"])
        .arg(dir)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output, json)
}

/// The checks that are not evaluated in an `evaluate --format json` report.
fn not_evaluated(report: &Value) -> BTreeSet<String> {
    report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["checks"].as_array().unwrap())
        .filter(|c| c["status"] == "not_evaluated")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn collect_writes_every_file_and_a_manifest_that_evaluate_reads_completely() {
    let world = World::new(&[]);
    let out = world.path("evidence");
    let output = world.collect(&out, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("[ 1/"), "progress is on stderr: {stderr}");

    let m = manifest(&out);
    assert_eq!(m["tickmark_collection_manifest"], 1);
    assert_eq!(m["outcome"], "complete");
    assert_eq!(m["failures"], serde_json::json!([]));
    assert_eq!(m["warnings"], serde_json::json!([]));
    assert_eq!(
        m["context"]["principal"],
        "mara.lindqvist@harbourline.example"
    );
    assert_eq!(m["context"]["principal_type"], "user");
    assert_eq!(
        m["context"]["tenant_id"],
        "5f2c8e71-3a94-4d6b-9e1f-7c0a2b8d4e63"
    );
    assert_eq!(
        m["context"]["subscription_id"],
        "0b7d5e2a-6c41-4f83-a9e2-3d1c8f47b905"
    );
    assert_eq!(m["context"]["kube_context"], CLUSTER);
    assert_eq!(m["tools"]["az"], "2.67.0");
    assert_eq!(m["tools"]["kubectl"], "v1.33.5");
    assert_eq!(m["parameters"]["kube_context"], Value::Null);
    assert!(
        m["command_line"]
            .as_str()
            .unwrap()
            .contains("collect --subscription")
    );

    // Every collected step of the plan is in the manifest, in order.
    let plan = collect::builtin();
    let ids: Vec<&str> = m["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = plan
        .steps
        .iter()
        .filter(|s| s.provided_by == collect::ProvidedBy::Collect)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(ids, expected);

    // Each file is recorded with its command, times, exit code and hash.
    let aks = step(&m, "aks-cluster");
    assert_eq!(
        aks["command"],
        format!(
            "az aks show --subscription {SUBSCRIPTION} --resource-group {RESOURCE_GROUP} --name {CLUSTER} --output json"
        )
    );
    assert_eq!(aks["exit_code"], 0);
    assert!(aks["started_at"].as_str().unwrap().ends_with('Z'));
    let bytes = std::fs::read(out.join("azure/aks-cluster.json")).unwrap();
    assert_eq!(aks["sha256"], tickmark::evidence::sha256_hex(&bytes));
    assert_eq!(aks["size"], bytes.len());
    // Discovered values feed later steps: the firewall behind the route.
    assert_eq!(
        step(&m, "egress-next-hop")["values"]["egress_next_hop"],
        "10.200.0.4"
    );
    assert!(
        out.join("azure/firewall-policy-rule-collection-groups.json")
            .is_file()
    );
    // An empty az list is recorded, not written as a file Tickmark cannot read.
    let endpoints = step(&m, "private-endpoints");
    assert_eq!(endpoints["status"], "empty");
    assert!(!out.join("azure/private-endpoints.json").exists());
    // The context was discovered, not given.
    assert_eq!(step(&m, "kube-context")["status"], "ok");
    // Each command ran once.
    let calls = world.calls();
    assert_eq!(calls.len(), expected.len(), "{calls:#?}");

    // `tickmark evaluate` reads the whole folder (the manifest included)...
    let (output, report) = evaluate(&world, &out);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let inputs = report["inputs"].as_array().unwrap();
    let written = files(&out);
    assert_eq!(inputs.len(), written.len());
    assert!(inputs.iter().any(|i| i["format"] == "collection-manifest"));
    let with_custody = inputs.iter().filter(|i| i["custody"].is_object()).count();
    assert_eq!(with_custody, written.len() - 1);
    // ...and no check is left not evaluated for lack of a file the plan
    // collects: only checks that only scanner output (provided by the
    // platform team) feeds.
    for check in not_evaluated(&report) {
        let steps: Vec<_> = plan.steps_for_check(&check).collect();
        assert!(
            steps
                .iter()
                .all(|s| s.provided_by == collect::ProvidedBy::Client),
            "{check} is not evaluated, though the plan collects {:?}",
            steps.iter().map(|s| &s.id).collect::<Vec<_>>()
        );
    }
    assert!(not_evaluated(&report).contains("scan.kube-bench"));
}

#[test]
fn a_failing_command_gives_exit_2_the_other_files_and_a_manifest_naming_it() {
    let nsg = format!(
        "az network nsg list --subscription {SUBSCRIPTION} --resource-group rg-enterprise-networking-spokes --output json"
    );
    let denied = "ERROR: (AuthorizationFailed) The client does not have authorization to perform action 'Microsoft.Network/networkSecurityGroups/read'.";
    let world = World::new(&[(&nsg, "-", 1, denied)]);
    let out = world.path("evidence");
    let output = world.collect(&out, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("AuthorizationFailed"), "{stderr}");
    assert!(stderr.contains("1 command(s) failed: nsgs"), "{stderr}");
    let m = manifest(&out);
    assert_eq!(m["outcome"], "partial");
    assert_eq!(m["failures"], serde_json::json!(["nsgs"]));
    let failed = step(&m, "nsgs");
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["exit_code"], 1);
    assert_eq!(failed["stderr"], denied);
    assert!(!out.join("azure/nsgs.json").exists());
    assert!(!out.join("azure/.nsgs.json.partial").exists());
    assert!(out.join("azure/route-tables.json").is_file());
    assert!(out.join("kubernetes/pods.json").is_file());
    let (output, report) = evaluate(&world, &out);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(not_evaluated(&report).contains("nsg.no-ssh-rdp-from-internet"));
}

#[test]
fn a_command_that_hangs_is_stopped_at_the_time_limit_and_its_dependents_skipped() {
    let firewall_id = "az network firewall list --subscription sub-harbourline-cde-prod --query [?ipConfigurations[?privateIPAddress=='10.200.0.4']].id | [0] --output tsv";
    let world = World::new(&[(firewall_id, "!sleep 30", 0, "")]);
    let out = world.path("evidence");
    let started = std::time::Instant::now();
    let output = world.collect(&out, &["--timeout", "1"]);
    assert!(
        started.elapsed().as_secs() < 25,
        "the hung command was not stopped"
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let m = manifest(&out);
    let hung = step(&m, "firewall-id");
    assert_eq!(hung["status"], "timed_out");
    assert!(hung.get("exit_code").is_none());
    assert!(hung["stderr"].as_str().unwrap().contains("time limit"));
    let skipped = step(&m, "firewall");
    assert_eq!(skipped["status"], "skipped");
    assert_eq!(
        skipped["reason"],
        "needs firewall_id, which step firewall-id did not provide"
    );
    assert!(out.join("azure/aks-cluster.json").is_file());
}

#[test]
fn an_operator_that_is_not_installed_is_unavailable_not_a_failure() {
    let key = "kubectl get clustercompliancereports --context aks-bu0001a0005-01 --output json";
    let world = World::new(&[(
        key,
        "-",
        1,
        "error: the server doesn't have a resource type \"clustercompliancereports\"",
    )]);
    let out = world.path("evidence");
    let output = world.collect(&out, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let m = manifest(&out);
    let step = step(&m, "trivy-operator-compliance");
    assert_eq!(step["status"], "unavailable");
    assert!(step["reason"].as_str().unwrap().contains("not available"));
}

#[test]
fn collect_refuses_a_folder_that_holds_files() {
    let world = World::new(&[]);
    let out = world.path("old");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("nsgs.json"), "[]").unwrap();
    let output = world.collect(&out, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("not empty"),
        "{}",
        text(&output.stderr)
    );
    assert!(world.calls().is_empty());
}

/// The manifest without what differs between two runs: times, the
/// generator and the command line that printed or ran the plan.
fn comparable(mut manifest: Value) -> Value {
    for key in ["started_at", "finished_at", "generator", "command_line"] {
        manifest[key] = Value::Null;
    }
    for step in manifest["steps"].as_array_mut().unwrap() {
        for key in ["started_at", "finished_at"] {
            if step.get(key).is_some() {
                step[key] = Value::from("T");
            }
        }
    }
    manifest
}

fn bash_available() -> bool {
    Command::new("bash")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run_script(world: &World, script: &str, out: &Path) -> Output {
    let path = world.path("collect.sh");
    std::fs::write(&path, script).unwrap();
    world.command("bash").arg(&path).arg(out).output().unwrap()
}

#[test]
fn the_bash_script_writes_the_same_files_and_manifest() {
    if !bash_available() {
        eprintln!("skipped: no bash");
        return;
    }
    for (case, changes) in [
        ("complete", vec![]),
        (
            "partial",
            vec![(
                "az network firewall show --ids /subscriptions/0b7d5e2a-6c41-4f83-a9e2-3d1c8f47b905/resourceGroups/rg-enterprise-networking-hubs/providers/Microsoft.Network/azureFirewalls/fw-eastus2 --query firewallPolicy.id --output tsv",
                "-",
                3,
                "ERROR: \\x1b[91mThe resource 'fw-eastus2' was \"not found\"\\x1b[0m\\n\\tat line 2",
            )],
        ),
    ] {
        let world = World::new(&changes);
        let extra = ["--kube-context", CLUSTER];
        let by_tickmark = world.path("by-tickmark");
        let ran = world.collect(&by_tickmark, &extra);
        let printed = world.collect(
            &world.path("unused"),
            &[&extra[..], &["--script", "bash"]].concat(),
        );
        assert_eq!(printed.status.code(), Some(0), "{}", text(&printed.stderr));
        assert!(
            !world.path("unused").exists(),
            "printing the script ran nothing"
        );
        let script = text(&printed.stdout);
        assert!(script.starts_with("#!/usr/bin/env bash\n"));
        let by_script = world.path("by-script");
        let scripted = run_script(&world, &script, &by_script);
        assert_eq!(
            scripted.status.code(),
            ran.status.code(),
            "{case}: {}",
            text(&scripted.stderr)
        );
        let (a, b) = (files(&by_tickmark), files(&by_script));
        let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&a), names(&b), "{case}");
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            if name != "collection-manifest.json" {
                assert!(x == y, "{case}: {name} differs");
            }
        }
        let (m1, m2) = (manifest(&by_tickmark), manifest(&by_script));
        assert_eq!(
            m2["generator"],
            format!(
                "tickmark collect --script bash {}",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert_eq!(comparable(m1), comparable(m2), "{case}");
    }
}

#[test]
fn the_powershell_script_covers_every_step() {
    let world = World::new(&[]);
    let printed = world.collect(&world.path("out"), &["--script", "powershell"]);
    assert_eq!(printed.status.code(), Some(0));
    let script = text(&printed.stdout);
    assert!(script.starts_with("#Requires -Version 7\n"));
    for step in collect::builtin()
        .steps
        .iter()
        .filter(|s| s.provided_by == collect::ProvidedBy::Collect)
    {
        assert!(
            script.contains(&format!("New-TmStep '{}'", step.id)),
            "{}",
            step.id
        );
    }
    assert!(script.contains("collection-manifest.json"));
}

#[test]
fn an_imported_collection_records_custody_and_flags_a_file_edited_afterwards() {
    let world = World::new(&[]);
    let out = world.path("evidence");
    assert_eq!(world.collect(&out, &[]).status.code(), Some(0));
    // Someone "tidies" the NSG export after it was collected.
    let nsgs = out.join("azure/nsgs.json");
    let edited = std::fs::read_to_string(&nsgs)
        .unwrap()
        .replace("\n", "\r\n");
    std::fs::write(&nsgs, edited).unwrap();
    let db = world.path("record.sqlite3");
    let output = world
        .command(env!("CARGO_BIN_EXE_tickmark"))
        .arg("--db")
        .arg(&db)
        .args(["import", "--assessment", "Collected"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let store = Store::open_existing(&db).unwrap();
    let assessment = store.assessment("Collected").unwrap().unwrap();
    let record = store.record(assessment.id).unwrap();
    let custody = |suffix: &str| {
        record
            .files
            .iter()
            .find(|f| f.provenance.path.ends_with(suffix))
            .and_then(|f| f.provenance.custody.clone())
            .unwrap_or_else(|| panic!("no custody for {suffix}"))
    };
    let aks = custody("azure/aks-cluster.json");
    assert!(!aks.modified);
    assert_eq!(
        aks.principal.as_deref(),
        Some("mara.lindqvist@harbourline.example")
    );
    assert_eq!(aks.tool_version.as_deref(), Some("2.67.0"));
    assert!(aks.command.starts_with("az aks show "));
    assert_eq!(
        aks.subscription_id.as_deref(),
        Some("0b7d5e2a-6c41-4f83-a9e2-3d1c8f47b905")
    );
    let pods = custody("kubernetes/pods.json");
    assert_eq!(pods.kube_context.as_deref(), Some(CLUSTER));
    assert_eq!(pods.tool_version.as_deref(), Some("v1.33.5"));
    let nsg = custody("azure/nsgs.json");
    assert!(nsg.modified, "an edited file is flagged");
    assert!(nsg.summary().contains("MODIFIED after collection"));
    assert!(store.verify().unwrap().is_intact());
    drop(store);

    // The report and OSCAL say how each file was collected, and flag the edit.
    let export = |format: &str, name: &str| {
        let out = world.path(name);
        let output = world
            .command(env!("CARGO_BIN_EXE_tickmark"))
            .arg("--db")
            .arg(&db)
            .args([
                "export",
                "--assessment",
                "Collected",
                "--format",
                format,
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        std::fs::read_to_string(out).unwrap()
    };
    let html = export("html", "report.html");
    assert!(
        html.contains("Modified after collection"),
        "the report flags the edited file"
    );
    assert!(html.contains("Collected ") && html.contains("mara.lindqvist@harbourline.example"));
    let oscal: Value = serde_json::from_str(&export("oscal", "oscal.json")).unwrap();
    let result = &oscal["assessment-results"]["results"][0];
    let components = result["local-definitions"]["assessment-assets"]["components"]
        .as_array()
        .unwrap();
    assert!(components.iter().any(|c| c["title"] == "az 2.67.0"));
    let observation = result["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["props"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["value"] == "aks.private-cluster"))
        })
        .unwrap();
    assert_eq!(
        observation["collected"],
        aks.collected_at
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string()
    );
    let origins = observation["origins"].as_array().unwrap();
    assert_eq!(
        origins.len(),
        2,
        "Tickmark, and the az that collected the file"
    );
    let actor = &origins[1]["actors"][0];
    assert!(
        actor["props"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "collected-by"
                && p["value"].as_str().unwrap().starts_with("mara.lindqvist@"))
    );
    let resources = oscal["assessment-results"]["back-matter"]["resources"]
        .as_array()
        .unwrap();
    let nsg_resource = resources
        .iter()
        .find(|r| r["title"] == "nsgs.json")
        .unwrap();
    assert!(
        nsg_resource["props"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "modified-after-collection" && p["value"] == "true")
    );
}
