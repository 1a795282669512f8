//! Writing an export without ever leaving a half file: a temporary file
//! beside the output, renamed over it only when complete.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ExportError;

/// What a committed file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Written {
    pub bytes: u64,
    pub sha256: String,
}

/// A temporary file beside the output. Dropped without [`commit`](Self::commit),
/// it is removed.
#[derive(Debug)]
pub(crate) struct PendingFile {
    out: PathBuf,
    tmp: PathBuf,
    file: Option<File>,
}

impl PendingFile {
    /// Checks that `out` can be written and creates the temporary file
    /// beside it.
    pub fn create(out: &Path) -> Result<PendingFile, ExportError> {
        let fail = |path: &Path, message: String| ExportError::Output {
            path: path.to_owned(),
            message,
        };
        let name = out
            .file_name()
            .ok_or_else(|| fail(out, "the path names no file".to_owned()))?;
        if out.is_dir() {
            return Err(fail(out, "it is a directory; give a file name".to_owned()));
        }
        let dir = match out.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(fail(
                out,
                format!("the directory {} does not exist", dir.display()),
            ));
        }
        let stem = name.to_string_lossy();
        for attempt in 0..100u32 {
            let tmp = dir.join(format!(
                ".{stem}.{}-{attempt}.tickmark-partial",
                std::process::id()
            ));
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(file) => {
                    return Ok(PendingFile {
                        out: out.to_owned(),
                        tmp,
                        file: Some(file),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(fail(
                        out,
                        format!(
                            "cannot create a file in {}: {}",
                            dir.display(),
                            describe_io(&e)
                        ),
                    ));
                }
            }
        }
        Err(fail(
            out,
            format!("too many unfinished exports in {}", dir.display()),
        ))
    }

    /// The open temporary file.
    pub fn file(&mut self) -> Result<&mut File, ExportError> {
        let out = self.out.clone();
        self.file.as_mut().ok_or_else(|| ExportError::Output {
            path: out,
            message: "the temporary file is already closed".to_owned(),
        })
    }

    /// Appends `bytes`.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        let result = self.file()?.write_all(bytes);
        result.map_err(|e| self.error(&e))
    }

    /// An output error about this export.
    pub fn error(&self, e: &io::Error) -> ExportError {
        ExportError::Output {
            path: self.out.clone(),
            message: describe_io(e),
        }
    }

    /// Flushes the file to disk, hashes it and renames it over the output.
    pub fn commit(mut self) -> Result<Written, ExportError> {
        let file = self.file.take();
        if let Some(file) = file {
            file.sync_all().map_err(|e| self.error(&e))?;
        }
        let written = hash_file(&self.tmp).map_err(|e| self.error(&e))?;
        std::fs::rename(&self.tmp, &self.out).map_err(|e| self.error(&e))?;
        sync_dir(&self.out);
        self.tmp = PathBuf::new();
        Ok(written)
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        self.file = None;
        if !self.tmp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The size and SHA-256 of a file, read in chunks.
pub(crate) fn hash_file(path: &Path) -> io::Result<Written> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok(Written {
        bytes,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Makes the rename durable where the platform allows it (best effort).
fn sync_dir(out: &Path) {
    #[cfg(unix)]
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = File::open(dir)
    {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = out;
}

/// An I/O error in words a user understands.
pub(crate) fn describe_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        io::ErrorKind::StorageFull => "the disk is full".to_owned(),
        io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_owned(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_and_drop_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.txt");
        std::fs::write(&out, "old").unwrap();
        let mut pending = PendingFile::create(&out).unwrap();
        pending.write_all(b"half").unwrap();
        drop(pending);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        let mut pending = PendingFile::create(&out).unwrap();
        pending.write_all(b"new").unwrap();
        let written = pending.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        assert_eq!(written.bytes, 3);
        assert_eq!(
            written.sha256,
            "11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn unwritable_paths_are_refused_with_reasons() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir").join("out.csv");
        let e = PendingFile::create(&missing).unwrap_err().to_string();
        assert!(e.contains("does not exist"), "{e}");
        let e = PendingFile::create(dir.path()).unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
    }
}
