//! Bicep files: recognised by their content, evaluated through the ARM JSON
//! the Bicep compiler makes of them.
//!
//! Tickmark does not compile Bicep itself. When a `bicep` executable (else
//! an `az` with its Bicep extension) is on `PATH`, [`compile`] runs
//! `bicep build --stdout FILE` (`az bicep build --file FILE --stdout`) and
//! the compiled template is imported as a file of its own, next to the
//! Bicep source, so that both hashes are recorded. Without a compiler the
//! import says so and gives the command to run.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a compiler may take before it is stopped.
const TIMEOUT: Duration = Duration::from_secs(300);

/// True if `text` reads as Bicep: a `resource`, `module`, `param`, `var`,
/// `output` or `targetScope` declaration written the Bicep way, and not
/// JSON.
pub fn looks_like_bicep(text: &str) -> bool {
    if matches!(super::text::first_significant_char(text), Some('{' | '['))
        || text.lines().any(|l| l.trim_start().starts_with("```"))
    {
        return false;
    }
    text.lines().map(str::trim_start).any(|line| {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("resource" | "module") => {
                // resource name 'Microsoft.X/y@2023-01-01' = {
                words.next().is_some_and(is_identifier)
                    && words.next().is_some_and(|t| {
                        t.starts_with('\'') && (t.contains('@') || t.ends_with(".bicep'"))
                    })
            }
            Some("param" | "output") => {
                words.next().is_some_and(is_identifier)
                    && words.next().is_some_and(|t| {
                        matches!(t, "string" | "int" | "bool" | "object" | "array")
                            || t.starts_with("resource")
                    })
            }
            Some("targetScope") => words.next() == Some("="),
            _ => false,
        }
    })
}

fn is_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A Bicep file compiled to ARM JSON.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The ARM template the compiler printed.
    pub json: Vec<u8>,
    /// The command that was run.
    pub command: String,
    /// The compiler's own account of its version, where it gives one.
    pub version: Option<String>,
}

/// Why a Bicep file could not be compiled: no compiler, or the compiler's
/// own complaint. Either way the message gives the command to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// Neither `bicep` nor `az` is on `PATH`.
    NoCompiler,
    /// The compiler ran and failed (or was stopped).
    Failed(String),
}

/// The command a user runs to compile `path` themselves.
pub fn manual_command(path: &str) -> String {
    format!("bicep build --stdout {path} > {}", compiled_name(path))
}

/// The name the compiled template is imported under: the Bicep file's path
/// with `.json` appended (it is not written to disk).
pub fn compiled_name(path: &str) -> String {
    format!("{path}.json")
}

/// Compiles the Bicep file at `path` with the compiler found on `PATH`.
pub fn compile(path: &Path) -> Result<Compiled, CompileError> {
    let (program, args, name) = if let Some(bicep) = find_on_path("bicep") {
        let args = vec![
            "build".into(),
            "--stdout".into(),
            path.as_os_str().to_owned(),
        ];
        (bicep, args, "bicep build --stdout")
    } else if let Some(az) = find_on_path("az") {
        let args = vec![
            "bicep".into(),
            "build".into(),
            "--file".into(),
            path.as_os_str().to_owned(),
            "--stdout".into(),
        ];
        (az, args, "az bicep build --stdout")
    } else {
        return Err(CompileError::NoCompiler);
    };
    let command = format!("{name} {}", super::display_path(path));
    let output =
        run(&program, &args).map_err(|e| CompileError::Failed(format!("{command}: {e}")))?;
    if !output.success {
        let complaint = first_lines(&output.stderr, 5);
        return Err(CompileError::Failed(format!(
            "{command} failed{}",
            if complaint.is_empty() {
                String::new()
            } else {
                format!(": {complaint}")
            }
        )));
    }
    if output.stdout.iter().all(u8::is_ascii_whitespace) {
        return Err(CompileError::Failed(format!("{command} printed nothing")));
    }
    let version = version_args(name)
        .and_then(|v| run(&program, &v).ok())
        .filter(|o| o.success)
        .map(|o| first_lines(&o.stdout, 1))
        .filter(|v| !v.is_empty());
    Ok(Compiled {
        json: output.stdout,
        command,
        version,
    })
}

fn version_args(name: &str) -> Option<Vec<std::ffi::OsString>> {
    if name.starts_with("bicep") {
        Some(vec!["--version".into()])
    } else {
        Some(vec!["bicep".into(), "version".into()])
    }
}

fn first_lines(bytes: &[u8], n: usize) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(n)
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The executable `name` in a folder of `PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let names: Vec<String> = if cfg!(windows) {
        ["exe", "cmd", "bat"]
            .iter()
            .map(|e| format!("{name}.{e}"))
            .collect()
    } else {
        vec![name.to_owned()]
    };
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

struct Output {
    success: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `program` with `args`, no input, reading its output, and stops it
/// after [`TIMEOUT`].
fn run(program: &Path, args: &[std::ffi::OsString]) -> std::io::Result<Output> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let reader = |stream: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buffer = Vec::new();
            if let Some(mut stream) = stream {
                let _ = stream.read_to_end(&mut buffer);
            }
            buffer
        })
    };
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let stderr = reader(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("stopped after {} seconds", TIMEOUT.as_secs()),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(Output {
        success: status.success(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bicep_is_told_from_other_text() {
        assert!(looks_like_bicep(
            "param location string = resourceGroup().location\n\nresource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {\n  name: 'kv'\n}\n"
        ));
        assert!(looks_like_bicep("targetScope = 'subscription'\n"));
        assert!(looks_like_bicep("module net './network.bicep' = {\n}\n"));
        assert!(!looks_like_bicep(
            "# Notes\n\nThe resource group is shared.\n"
        ));
        assert!(!looks_like_bicep("{\"resource\": 1}"));
        assert!(!looks_like_bicep("resource: x\nkind: Pod\n"));
        assert_eq!(compiled_name("infra/main.bicep"), "infra/main.bicep.json");
        assert!(
            manual_command("infra/main.bicep").starts_with("bicep build --stdout infra/main.bicep")
        );
    }
}
