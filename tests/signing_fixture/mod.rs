//! Real SSH keys for the signing tests, made by the real `ssh-keygen`, and
//! the real `ssh-keygen -Y verify` to check what Tickmark signed. Tests
//! that need it skip, saying so, where OpenSSH is not installed.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// True when `ssh-keygen` runs here; otherwise prints why the calling test
/// skips.
pub fn have_ssh_keygen() -> bool {
    let found = Command::new("ssh-keygen")
        .arg("-?")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        let test = std::thread::current().name().unwrap_or("a test").to_owned();
        let _ = writeln!(
            std::io::stderr().lock(),
            "skipped ({test}): ssh-keygen (OpenSSH) is not installed, so no real key can be made or checked"
        );
    }
    found
}

/// A key pair made by `ssh-keygen -t KIND` in `dir`: the private key file
/// and the public key file.
pub struct KeyPair {
    pub private: PathBuf,
    pub public: PathBuf,
}

impl KeyPair {
    /// The public key as Tickmark reads it.
    pub fn public_key(&self) -> tickmark::signing::PublicKey {
        tickmark::signing::PublicKey::read_file(&self.public).unwrap()
    }

    /// A signer over the private key file.
    pub fn signer(&self, passphrase: Option<&str>) -> tickmark::signing::KeyFile {
        tickmark::signing::KeyFile::open(&self.private, passphrase).unwrap()
    }
}

/// Makes a key of `kind` (`ed25519`, `ecdsa`) named `name` in `dir`,
/// protected by `passphrase` (empty: none).
pub fn make_key(dir: &Path, name: &str, kind: &str, passphrase: &str) -> KeyPair {
    let private = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", kind, "-N", passphrase, "-C", name, "-f"])
        .arg(&private)
        .status()
        .unwrap();
    assert!(status.success(), "ssh-keygen -t {kind} failed");
    KeyPair {
        public: private.with_extension("pub"),
        private,
    }
}

/// Runs `ssh-keygen -Y verify -f ALLOWED -I PRINCIPAL -n tickmark-review
/// -s SIG < MESSAGE` in `dir`: its success and what it printed.
pub fn ssh_keygen_verify(
    dir: &Path,
    allowed: &str,
    principal: &str,
    signature: &str,
    message: &str,
) -> (bool, String) {
    let input = std::fs::File::open(dir.join(message)).unwrap();
    let out = Command::new("ssh-keygen")
        .current_dir(dir)
        .args([
            "-Y",
            "verify",
            "-f",
            allowed,
            "-I",
            principal,
            "-n",
            "tickmark-review",
            "-s",
            signature,
        ])
        .stdin(input)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}
