//! Running the collection plan: each collected step's command, with a time
//! limit, its output kept as a file or read as values, and a manifest of
//! how every step went.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::Value;

use super::plan::{Output, Piece, Plan, ProvidedBy, Step, pieces, shell_quote};
use crate::evidence::custody::{
    CollectionContext, CollectionManifest, MANIFEST_FILE, MANIFEST_VERSION, Parameters, PlanRef,
    StepRecord, StepStatus, manifest_time,
};
use crate::evidence::sha256_hex;

/// What to collect from: the cluster and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The subscription (ID or name).
    pub subscription: String,
    /// The cluster's resource group.
    pub resource_group: String,
    /// The cluster's name.
    pub cluster: String,
    /// The Kubernetes context; the current one when `None`.
    pub kube_context: Option<String>,
}

impl Target {
    /// The plan's parameters as variables.
    pub(crate) fn variables(&self) -> BTreeMap<String, Vec<String>> {
        let mut vars = BTreeMap::new();
        vars.insert("subscription".to_owned(), vec![self.subscription.clone()]);
        vars.insert(
            "resource_group".to_owned(),
            vec![self.resource_group.clone()],
        );
        vars.insert("cluster".to_owned(), vec![self.cluster.clone()]);
        vars.insert(
            "kube_context".to_owned(),
            self.kube_context.iter().cloned().collect(),
        );
        vars
    }

    /// As recorded in the manifest.
    pub(crate) fn parameters(&self) -> Parameters {
        Parameters {
            subscription: self.subscription.clone(),
            resource_group: self.resource_group.clone(),
            cluster: self.cluster.clone(),
            kube_context: self.kube_context.clone(),
        }
    }
}

/// How to run it.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder to write; it must not exist or be empty.
    pub out: PathBuf,
    /// How long one command may take.
    pub timeout: Duration,
    /// The command line to record in the manifest.
    pub command_line: String,
}

/// What [`collect`] reports while it runs.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// Step `index` of `total` starts (`command` is `None` when skipped).
    Started {
        /// 1-based.
        index: usize,
        /// How many collected steps there are.
        total: usize,
        /// The step.
        step: &'a Step,
    },
    /// The step ended.
    Finished {
        /// How it went.
        record: &'a StepRecord,
        /// How long it took.
        took: Duration,
    },
    /// A check on the discovered values did not hold.
    Warning(&'a str),
}

/// Why a collection could not be done at all (a failed step is not an
/// error: it is recorded and the others go on).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The output folder is not usable.
    #[error("{path}: {message}")]
    Folder {
        /// The folder.
        path: String,
        /// Why.
        message: String,
    },
    /// Writing a file failed.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Runs every collected step of `plan` against `target`, writing the files
/// and the manifest into `options.out`. A step that fails or times out is
/// recorded with its error output and the others go on; steps that need a
/// value it would have found are skipped, saying so.
pub fn collect(
    plan: &Plan,
    target: &Target,
    options: &Options,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<CollectionManifest, CollectError> {
    prepare_folder(&options.out)?;
    let started_at = Utc::now();
    let mut vars = target.variables();
    let steps: Vec<&Step> = plan
        .steps
        .iter()
        .filter(|s| s.provided_by == ProvidedBy::Collect)
        .collect();
    let mut records = Vec::with_capacity(steps.len());
    for (index, step) in steps.iter().enumerate() {
        progress(Progress::Started {
            index: index + 1,
            total: steps.len(),
            step,
        });
        let clock = Instant::now();
        let record = run_step(plan, step, &mut vars, options)?;
        progress(Progress::Finished {
            record: &record,
            took: clock.elapsed(),
        });
        records.push(record);
    }
    let warnings: Vec<String> = plan
        .warnings
        .iter()
        .filter_map(|w| w.check(&vars))
        .collect();
    for warning in &warnings {
        progress(Progress::Warning(warning));
    }
    let manifest = manifest(
        plan,
        target,
        options,
        ManifestParts {
            started_at: manifest_time(&started_at),
            finished_at: manifest_time(&Utc::now()),
            vars: &vars,
            warnings,
            steps: records,
            generator: format!("tickmark collect {}", env!("CARGO_PKG_VERSION")),
            os_user: crate::store::current_os_user(),
        },
    );
    let path = options.out.join(MANIFEST_FILE);
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| CollectError::Write {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    std::fs::write(&path, text + "\n").map_err(|source| CollectError::Write {
        path: path.display().to_string(),
        source,
    })?;
    Ok(manifest)
}

/// The folder must not exist, or be empty: collected evidence never
/// overwrites or mixes with older files.
fn prepare_folder(out: &Path) -> Result<(), CollectError> {
    let fail = |message: String| CollectError::Folder {
        path: out.display().to_string(),
        message,
    };
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(fail(
                    "the folder is not empty; collect into a new or empty folder, so that old and new evidence do not mix".into(),
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(out).map_err(|e| fail(format!("cannot create it: {e}")))?;
        }
        Err(e) => return Err(fail(e.to_string())),
    }
    Ok(())
}

/// The parts of a manifest that a run (or the script) determines.
pub(crate) struct ManifestParts<'a> {
    pub started_at: String,
    pub finished_at: String,
    pub vars: &'a BTreeMap<String, Vec<String>>,
    pub warnings: Vec<String>,
    pub steps: Vec<StepRecord>,
    pub generator: String,
    pub os_user: String,
}

pub(crate) fn manifest(
    plan: &Plan,
    target: &Target,
    options: &Options,
    parts: ManifestParts<'_>,
) -> CollectionManifest {
    let var = |name: &str| {
        parts
            .vars
            .get(name)
            .and_then(|values| values.first())
            .filter(|v| !v.is_empty())
            .cloned()
    };
    let failures: Vec<String> = parts
        .steps
        .iter()
        .filter(|s| s.status.is_failure())
        .map(|s| s.id.clone())
        .collect();
    CollectionManifest {
        tickmark_collection_manifest: MANIFEST_VERSION,
        generator: parts.generator,
        command_line: options.command_line.clone(),
        plan: PlanRef {
            id: plan.id.clone(),
            version: plan.version,
        },
        parameters: target.parameters(),
        context: CollectionContext {
            subscription_id: var("subscription_id"),
            subscription_name: var("subscription_name"),
            tenant_id: var("tenant_id"),
            principal: var("principal"),
            principal_type: var("principal_type"),
            kube_context: var("kube_context"),
            kube_server: var("kube_server"),
            cluster_id: var("cluster_id"),
        },
        tools: [
            ("az", var("az_version")),
            ("kubectl", var("kubectl_version")),
        ]
        .into_iter()
        .map(|(tool, version)| (tool.to_owned(), version))
        .collect(),
        os_user: parts.os_user,
        started_at: parts.started_at,
        finished_at: parts.finished_at,
        outcome: if failures.is_empty() {
            "complete"
        } else {
            "partial"
        }
        .to_owned(),
        failures,
        warnings: parts.warnings,
        steps: parts.steps,
    }
}

/// Runs one step and updates `vars` with what it found.
fn run_step(
    plan: &Plan,
    step: &Step,
    vars: &mut BTreeMap<String, Vec<String>>,
    options: &Options,
) -> Result<StepRecord, CollectError> {
    let mut record = StepRecord {
        id: step.id.clone(),
        tool: step.tool.clone(),
        command: None,
        status: StepStatus::Skipped,
        started_at: None,
        finished_at: None,
        exit_code: None,
        file: None,
        sha256: None,
        size: None,
        values: None,
        stderr: None,
        reason: None,
    };
    if let Some(reason) = skip_reason(plan, step, vars) {
        record.reason = Some(reason);
        apply_otherwise(step, vars, &mut record);
        return Ok(record);
    }
    let args = resolve_args(step, vars);
    record.command = Some(command_line(&step.tool, &args));
    let (partial, target) = match step.file() {
        Some(file) => {
            let target = options.out.join(file);
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                Some(target.with_file_name(format!(".{name}.partial"))),
                Some(target),
            )
        }
        None => (None, None),
    };
    if let Some(partial) = &partial
        && let Some(parent) = partial.parent()
    {
        std::fs::create_dir_all(parent).map_err(|source| CollectError::Write {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let ran = run_command(&step.tool, &args, partial.as_deref(), options.timeout);
    record.started_at = Some(manifest_time(&ran.started_at));
    record.finished_at = Some(manifest_time(&ran.finished_at));
    record.exit_code = ran.exit_code;
    let succeeded = !ran.timed_out && ran.exit_code == Some(0);
    if !succeeded {
        if let Some(partial) = &partial {
            let _ = std::fs::remove_file(partial);
        }
        record.stderr = Some(ran.stderr.clone());
        record.status = if ran.timed_out {
            StepStatus::TimedOut
        } else {
            match &step.unavailable_when {
                Some(text) if ran.stderr.contains(text.as_str()) => {
                    record.reason = Some(unavailable_reason(text));
                    StepStatus::Unavailable
                }
                _ => StepStatus::Failed,
            }
        };
        apply_otherwise(step, vars, &mut record);
        return Ok(record);
    }
    match (&step.output, partial, target) {
        (Output::File { path, .. }, Some(partial), Some(target)) => {
            keep_file(&partial, &target, path, &mut record)?;
        }
        (output, _, _) => {
            record.status = StepStatus::Ok;
            let text = String::from_utf8_lossy(&ran.stdout);
            let found = read_values(output, step.trim_prefix.as_deref(), &text);
            record.values = Some(found.iter().map(|(k, v)| (k.clone(), v.record())).collect());
            for (name, value) in found {
                vars.insert(name, value.into_values());
            }
            apply_otherwise(step, vars, &mut record);
        }
    }
    Ok(record)
}

/// The reason recorded for an unavailable step.
pub(crate) fn unavailable_reason(text: &str) -> String {
    format!("not available on this cluster (the error output says \"{text}\")")
}

/// Why `step` cannot run with `vars`, if it cannot.
pub(crate) fn skip_reason(
    plan: &Plan,
    step: &Step,
    vars: &BTreeMap<String, Vec<String>>,
) -> Option<String> {
    let is_set = |name: &str| {
        vars.get(name)
            .is_some_and(|v| v.iter().any(|s| !s.is_empty()))
    };
    if let Some(name) = &step.unless
        && is_set(name)
    {
        return Some(format!("{name} was given"));
    }
    let missing = step.variables().into_iter().find(|name| !is_set(name))?;
    Some(missing_reason(plan, missing))
}

/// Why a step that needs variable `name` was skipped.
pub(crate) fn missing_reason(plan: &Plan, name: &str) -> String {
    match plan.setter_of(name) {
        Some(setter) => format!("needs {name}, which step {} did not provide", setter.id),
        None => format!("needs {name}, which was not given"),
    }
}

/// Gives a single-value step's variable the `otherwise` variable's value
/// when it found nothing, and says so in the record.
fn apply_otherwise(step: &Step, vars: &mut BTreeMap<String, Vec<String>>, record: &mut StepRecord) {
    let (Some(other), Output::Values(names)) = (&step.otherwise, &step.output) else {
        return;
    };
    let [name] = names.as_slice() else {
        return;
    };
    let found = vars
        .get(name)
        .is_some_and(|v| v.iter().any(|s| !s.is_empty()));
    if found {
        return;
    }
    let fallback = vars.get(other).cloned().unwrap_or_default();
    if fallback.iter().any(|s| !s.is_empty()) {
        let note = format!("{name} not found; using {other}");
        record.reason = Some(match record.reason.take() {
            Some(reason) => format!("{reason}; {note}"),
            None => note,
        });
        vars.insert(name.clone(), fallback);
    }
}

/// The step's arguments with every variable replaced (a list variable
/// standing alone becomes one argument per value).
pub(crate) fn resolve_args(step: &Step, vars: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut out = Vec::with_capacity(step.args.len());
    for arg in &step.args {
        let parts = pieces(arg);
        if let [Piece::Variable(name)] = parts.as_slice() {
            out.extend(vars.get(*name).cloned().unwrap_or_default());
            continue;
        }
        out.push(super::plan::substitute(arg, &|name| {
            vars.get(name)
                .and_then(|v| v.first())
                .cloned()
                .unwrap_or_default()
        }));
    }
    out
}

/// The command line as recorded: the tool and each argument, POSIX quoted.
pub(crate) fn command_line(tool: &str, args: &[String]) -> String {
    std::iter::once(tool.to_owned())
        .chain(args.iter().map(|a| shell_quote(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a discovery found for one variable.
pub(crate) enum Found {
    /// One value (`None`: the line was empty or missing).
    One(Option<String>),
    /// A list.
    Many(Vec<String>),
}

impl Found {
    fn record(&self) -> Value {
        match self {
            Found::One(Some(v)) => Value::String(v.clone()),
            Found::One(None) => Value::Null,
            Found::Many(values) => Value::from(values.clone()),
        }
    }

    fn into_values(self) -> Vec<String> {
        match self {
            Found::One(v) => v.into_iter().collect(),
            Found::Many(values) => values,
        }
    }
}

/// Reads a discovery's output: `values` line by line, a `list` from every
/// non-empty line (each once).
pub(crate) fn read_values(
    output: &Output,
    trim_prefix: Option<&str>,
    text: &str,
) -> Vec<(String, Found)> {
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let line = line.trim();
            trim_prefix
                .and_then(|prefix| line.strip_prefix(prefix))
                .unwrap_or(line)
                .trim()
                .to_owned()
        })
        .collect();
    match output {
        Output::Values(names) => names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let value = lines.get(i).filter(|v| !v.is_empty()).cloned();
                (name.clone(), Found::One(value))
            })
            .collect(),
        Output::List(name) => {
            let mut values: Vec<String> = Vec::new();
            for line in lines {
                if !line.is_empty() && !values.contains(&line) {
                    values.push(line);
                }
            }
            vec![(name.clone(), Found::Many(values))]
        }
        Output::File { .. } => Vec::new(),
    }
}

/// Moves a completed output into place, or drops it when the command
/// returned an empty list.
fn keep_file(
    partial: &Path,
    target: &Path,
    shown: &str,
    record: &mut StepRecord,
) -> Result<(), CollectError> {
    let write_error = |source| CollectError::Write {
        path: target.display().to_string(),
        source,
    };
    let bytes = std::fs::read(partial).map_err(write_error)?;
    if is_empty_list(&bytes) {
        let _ = std::fs::remove_file(partial);
        record.status = StepStatus::Empty;
        record.reason = Some(EMPTY_REASON.to_owned());
        return Ok(());
    }
    std::fs::rename(partial, target).map_err(write_error)?;
    record.status = StepStatus::Ok;
    record.file = Some(shown.to_owned());
    record.sha256 = Some(sha256_hex(&bytes));
    record.size = Some(bytes.len() as u64);
    Ok(())
}

/// What an empty result means, as recorded.
pub(crate) const EMPTY_REASON: &str =
    "the command returned an empty list: there are none; no file was written";

/// True for `[]` and `{"value": []}` (white space aside): an az list of
/// nothing, which is no evidence file Tickmark can read.
pub(crate) fn is_empty_list(bytes: &[u8]) -> bool {
    if bytes.len() > 64 {
        return false;
    }
    let squeezed: String = String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    squeezed == "[]" || squeezed == "{\"value\":[]}"
}

/// How a command went.
struct Ran {
    started_at: chrono::DateTime<Utc>,
    finished_at: chrono::DateTime<Utc>,
    exit_code: Option<i32>,
    timed_out: bool,
    stdout: Vec<u8>,
    stderr: String,
}

/// Error output kept in the manifest, at most this many bytes.
pub(crate) const MAX_STDERR_BYTES: usize = 4000;

/// Runs `tool args`, its output into `stdout_to` (or kept, when `None`),
/// stopping it after `timeout`.
fn run_command(tool: &str, args: &[String], stdout_to: Option<&Path>, timeout: Duration) -> Ran {
    let started_at = Utc::now();
    let finish = |exit_code, timed_out, stdout, stderr: String| Ran {
        started_at,
        finished_at: Utc::now(),
        exit_code,
        timed_out,
        stdout,
        stderr: clip_stderr(&stderr),
    };
    let stdout = match stdout_to.map(std::fs::File::create) {
        Some(Ok(file)) => Stdio::from(file),
        Some(Err(e)) => {
            return finish(
                None,
                false,
                Vec::new(),
                format!("cannot write the output: {e}"),
            );
        }
        None => Stdio::piped(),
    };
    let mut command = Command::new(program(tool));
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped());
    own_process_group(&mut command);
    let spawned = command.spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return finish(
                Some(127),
                false,
                Vec::new(),
                format!("{tool}: command not found"),
            );
        }
        Err(e) => {
            return finish(
                None,
                false,
                Vec::new(),
                format!("{tool}: cannot start: {e}"),
            );
        }
    };
    let stdout_reader = child.stdout.take().map(|mut out| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = out.read_to_end(&mut bytes);
            bytes
        })
    });
    let stderr_reader = child.stderr.take().map(|mut err| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = err.read_to_end(&mut bytes);
            bytes
        })
    });
    let deadline = Instant::now() + timeout;
    let (exit_code, timed_out) = loop {
        match child.try_wait() {
            Ok(Some(status)) => break (status.code(), false),
            Ok(None) if Instant::now() >= deadline => {
                stop(&mut child);
                break (None, true);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break (None, false),
        }
    };
    let stdout = stdout_reader
        .and_then(|h| h.join().ok())
        .unwrap_or_default();
    let mut stderr = stderr_reader
        .and_then(|h| h.join().ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    if timed_out {
        let note = format!("stopped after {} s, the time limit", timeout.as_secs());
        stderr = if stderr.trim().is_empty() {
            note
        } else {
            format!("{}\n{note}", stderr.trim_end())
        };
    }
    finish(exit_code, timed_out, stdout, stderr)
}

/// Error output as kept: trailing white space removed, at most
/// [`MAX_STDERR_BYTES`] bytes (cut at a character boundary).
pub(crate) fn clip_stderr(text: &str) -> String {
    let text = text.trim_end();
    if text.len() <= MAX_STDERR_BYTES {
        return text.to_owned();
    }
    let mut end = MAX_STDERR_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Starts the command in a process group of its own, so that stopping it
/// at the time limit also stops what it started (the Azure CLI is a Python
/// process; a wrapper script starts the real tool), as GNU `timeout` does.
fn own_process_group(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    #[cfg(not(unix))]
    let _ = command;
}

/// Stops a command that ran past its time limit, with everything it
/// started.
fn stop(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The group's ID is the child's process ID (see `own_process_group`).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The program to start for `tool`: on Windows the Azure CLI is a batch
/// file, `az.cmd`, which `CreateProcess` does not find as `az`.
fn program(tool: &str) -> String {
    if cfg!(windows) && tool == "az" {
        "az.cmd".to_owned()
    } else {
        tool.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_line_by_line_and_lists_deduplicated() {
        let found = read_values(
            &Output::Values(vec!["a".into(), "b".into(), "c".into()]),
            None,
            "one\r\n\nthree\n",
        );
        let shown: Vec<Value> = found.iter().map(|(_, f)| f.record()).collect();
        assert_eq!(
            shown,
            vec![Value::from("one"), Value::Null, Value::from("three")]
        );
        let found = read_values(&Output::List("l".into()), None, "x\n\nx\ny\n");
        assert_eq!(found[0].1.record(), serde_json::json!(["x", "y"]));
        let found = read_values(
            &Output::Values(vec!["v".into()]),
            Some("Client Version: "),
            "Client Version: v1.31.2\nKustomize Version: v5.4.2\n",
        );
        assert_eq!(found[0].1.record(), Value::from("v1.31.2"));
    }

    #[test]
    fn empty_lists_are_recognised() {
        assert!(is_empty_list(b"[]\n"));
        assert!(is_empty_list(b"{\n  \"value\": []\n}\n"));
        assert!(!is_empty_list(b"[{}]"));
        assert!(!is_empty_list(b"{\"items\": []}"));
    }

    #[test]
    fn stderr_is_clipped_at_a_character_boundary() {
        let long = "é".repeat(3000);
        let clipped = clip_stderr(&long);
        assert!(clipped.len() <= MAX_STDERR_BYTES);
        assert!(clipped.chars().all(|c| c == 'é'));
    }
}
