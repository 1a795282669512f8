//! `tickmark collect --subscription S --resource-group RG --cluster NAME
//! [--kube-context C] --out DIR [--timeout SECONDS] [--script bash|powershell]`:
//! run the collection plan with the user's own az and kubectl, or print it
//! as a script.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::{EXIT_OK, EXIT_UNUSABLE, ScriptLanguage};
use crate::collect::script::{self, Language, ScriptOptions};
use crate::collect::{self, Options, Progress, Target, shell_quote};
use crate::evidence::custody::{MANIFEST_FILE, StepStatus};

/// Runs `tickmark collect`.
pub(super) fn run(
    target: &Target,
    out: &Path,
    timeout: Option<u64>,
    script: Option<ScriptLanguage>,
) -> ExitCode {
    let plan = collect::builtin();
    let timeout_seconds = timeout.unwrap_or(plan.timeout_seconds).max(1);
    let command_line = std::env::args()
        .map(|arg| shell_quote(&arg))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(language) = script {
        let language = match language {
            ScriptLanguage::Bash => Language::Bash,
            ScriptLanguage::Powershell => Language::PowerShell,
        };
        let out = out.to_string_lossy();
        let text = script::render(
            plan,
            language,
            &ScriptOptions {
                target,
                out: &out,
                timeout_seconds,
                command_line: &command_line,
            },
        );
        let mut stdout = std::io::stdout().lock();
        return match stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Ok(()) => ExitCode::from(EXIT_OK),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_OK),
            Err(e) => {
                eprintln!("tickmark collect: cannot write the script: {e}");
                ExitCode::from(EXIT_UNUSABLE)
            }
        };
    }
    let options = Options {
        out: out.to_owned(),
        timeout: Duration::from_secs(timeout_seconds),
        command_line,
    };
    let result = collect::collect(plan, target, &options, &mut |event| report(event));
    match result {
        Ok(manifest) => {
            let written = manifest
                .steps
                .iter()
                .filter(|s| s.status == StepStatus::Ok && s.file.is_some())
                .count();
            eprintln!(
                "tickmark collect: {written} file(s) and {MANIFEST_FILE} written to {}",
                out.display()
            );
            if manifest.failures.is_empty() {
                ExitCode::from(EXIT_OK)
            } else {
                eprintln!(
                    "tickmark collect: {} command(s) failed: {}; the other files are written and the manifest names the failures",
                    manifest.failures.len(),
                    manifest.failures.join(", ")
                );
                ExitCode::from(EXIT_UNUSABLE)
            }
        }
        Err(e) => {
            eprintln!("tickmark collect: {e}");
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

/// Progress on stderr: one line per step, its outcome, and the error
/// output of a failed one.
fn report(event: Progress<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = match event {
        Progress::Started { index, total, step } => {
            writeln!(err, "[{index:>2}/{total}] {}", step.title)
        }
        Progress::Finished { record, took } => {
            let mut line = format!("        {}", record.status.id());
            if let Some(file) = &record.file {
                line.push_str(&format!(" {file} ({} bytes)", record.size.unwrap_or(0)));
            }
            if let Some(reason) = &record.reason {
                line.push_str(&format!(": {reason}"));
            }
            line.push_str(&format!(" [{:.1} s]", took.as_secs_f64()));
            let mut text = writeln!(err, "{line}");
            if record.status != StepStatus::Ok
                && let Some(stderr) = &record.stderr
            {
                for l in stderr.lines() {
                    text = text.and_then(|()| writeln!(err, "        | {l}"));
                }
            }
            text
        }
        Progress::Warning(warning) => writeln!(err, "warning: {warning}"),
    };
}
