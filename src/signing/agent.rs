//! Signing with the running ssh-agent, through OpenSSH's own
//! `ssh-keygen -Y sign -U` (as git does for SSH-signed commits): the agent
//! protocol and the security-key touch are OpenSSH's; Tickmark only hands
//! over the public key and the text, and checks the signature it gets back.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{PublicKey, Signer, SigningError};

/// How long signing may take (a security key waits for a touch).
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// Signs with the key of this public key, held by the running ssh-agent
/// (`SSH_AUTH_SOCK`).
#[derive(Debug, Clone)]
pub struct Agent {
    public: PublicKey,
    program: PathBuf,
}

impl Agent {
    /// An agent signer for `public`. Refused when no agent is running
    /// (`SSH_AUTH_SOCK` is not set).
    pub fn new(public: PublicKey) -> Result<Agent, SigningError> {
        if !Agent::available() {
            return Err(SigningError::Agent(
                "no ssh-agent is running here (SSH_AUTH_SOCK is not set); start one and `ssh-add` your key".to_owned(),
            ));
        }
        Ok(Agent {
            public,
            program: PathBuf::from("ssh-keygen"),
        })
    }

    /// True when an ssh-agent is announced (`SSH_AUTH_SOCK` is set).
    pub fn available() -> bool {
        std::env::var_os("SSH_AUTH_SOCK").is_some_and(|v| !v.is_empty())
    }
}

impl Signer for Agent {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, message: &[u8]) -> Result<String, SigningError> {
        let dir = TempDir::new()?;
        let key_path = dir.path().join("signing-key.pub");
        std::fs::write(&key_path, format!("{}\n", self.public.openssh()))
            .map_err(|e| SigningError::Agent(format!("cannot write a temporary file: {e}")))?;
        let output = run(&self.program, &key_path, message)?;
        let armored = String::from_utf8(output)
            .map_err(|_| SigningError::Agent("ssh-keygen wrote no text signature".to_owned()))?;
        self.public.verify(message, &armored)?;
        Ok(armored)
    }

    fn describe(&self) -> String {
        "ssh-agent".to_owned()
    }
}

/// Runs `ssh-keygen -Y sign -U` on `message`; its standard output.
fn run(program: &Path, key_path: &Path, message: &[u8]) -> Result<Vec<u8>, SigningError> {
    let mut child = Command::new(program)
        .args(["-Y", "sign", "-U", "-n", super::NAMESPACE, "-f"])
        .arg(key_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            SigningError::Agent(format!(
                "cannot run ssh-keygen (OpenSSH), which asks the agent to sign: {e}"
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(message)
            .map_err(|e| SigningError::Agent(format!("ssh-keygen did not read the text: {e}")))?;
    }
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut err = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut out);
        }
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_end(&mut err);
        }
        (out, err)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SigningError::Agent(format!(
                    "no signature within {} seconds (a security key waits for a touch)",
                    TIME_LIMIT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(SigningError::Agent(format!("waiting for ssh-keygen: {e}"))),
        }
    };
    let (out, err) = reader
        .join()
        .map_err(|_| SigningError::Agent("reading ssh-keygen's output failed".to_owned()))?;
    if status.success() {
        return Ok(out);
    }
    let said = String::from_utf8_lossy(&err)
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.contains("Signing data on standard input"))
        .collect::<Vec<_>>()
        .join("; ");
    let hint = if said.contains("Couldn't find key in agent") {
        " (add the key to the agent with `ssh-add`, or sign with the private key file)"
    } else {
        ""
    };
    Err(SigningError::Agent(format!(
        "ssh-keygen could not sign: {}{hint}",
        if said.is_empty() {
            format!("it exited with {status}")
        } else {
            said
        }
    )))
}

/// A private temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, SigningError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let path =
            std::env::temp_dir().join(format!("tickmark-sign-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path)
            .map_err(|e| SigningError::Agent(format!("cannot make a temporary folder: {e}")))?;
        Ok(TempDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
