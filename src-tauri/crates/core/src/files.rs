//! The files an admin names: a CLI argument, or a choice in the desktop
//! shell's native dialog. The webview never names one (it sends and receives
//! file *contents*); these helpers are what the CLI and the shell use to turn a
//! chosen path into bytes and back.
//!
//! Reading is defensive: only regular files (a FIFO or `/dev/zero` would block
//! or never end), at most the cap for that kind of file (reading stops at
//! cap + 1 byte, so a huge file costs nothing), and a message that names the
//! file and what was wrong. Writing goes to a temporary file beside the target
//! that is renamed over it, so a failed write never leaves half a file.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// What a file is for: names it in messages and sets its size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Apple's server token (`.p7m`): a few kilobytes.
    TokenFile,
    /// A configurator/supervision certificate (`.cer`, `.der`, `.pem`).
    Certificate,
    /// A `depot.profile/v1` file.
    ProfileFile,
    /// A list of serial numbers (text or CSV): 200,000 serials with extra
    /// columns fit easily.
    SerialList,
    /// A workspace key backup.
    KeyFile,
}

impl FileKind {
    /// The largest file of this kind Depot reads.
    pub const fn max_bytes(self) -> u64 {
        match self {
            FileKind::TokenFile => 1024 * 1024,
            FileKind::Certificate => 256 * 1024,
            FileKind::ProfileFile => 1024 * 1024,
            FileKind::SerialList => 32 * 1024 * 1024,
            FileKind::KeyFile => 4 * 1024,
        }
    }

    /// In a sentence: "a token file".
    pub const fn noun(self) -> &'static str {
        match self {
            FileKind::TokenFile => "a token file",
            FileKind::Certificate => "a certificate",
            FileKind::ProfileFile => "a profile file",
            FileKind::SerialList => "a serial number list",
            FileKind::KeyFile => "a workspace key file",
        }
    }
}

/// Why a file could not be read or written. The message names the file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    #[error("{path} is not a regular file (a folder, device or pipe cannot be {noun})")]
    NotRegular { path: String, noun: &'static str },
    #[error("{path} is larger than {noun} can be (at most {max} bytes)")]
    TooLarge {
        path: String,
        noun: &'static str,
        max: u64,
    },
    #[error("could not read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("could not write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("'{name}' is not a plain file name")]
    BadName { name: String },
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Opens `path` for reading without blocking on a FIFO (unix), so a pipe is
/// refused by the regular-file check instead of hanging the process.
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads the file at `path` as a `kind`: a regular file of at most
/// `kind.max_bytes()`.
pub fn read_file(path: &Path, kind: FileKind) -> Result<Vec<u8>, FileError> {
    read_capped(path, kind.noun(), kind.max_bytes())
}

/// Reads the file at `path` as text (UTF-8) of `kind`.
pub fn read_text_file(path: &Path, kind: FileKind) -> Result<String, FileError> {
    let bytes = read_file(path, kind)?;
    String::from_utf8(bytes).map_err(|_| FileError::Read {
        path: shown(path),
        reason: format!("it is not text (UTF-8), so it cannot be {}", kind.noun()),
    })
}

fn read_capped(path: &Path, noun: &'static str, max: u64) -> Result<Vec<u8>, FileError> {
    let read_error = |e: std::io::Error| FileError::Read {
        path: shown(path),
        reason: e.to_string(),
    };
    // Refuse before opening: opening a FIFO without O_NONBLOCK would wait for
    // a writer forever; and check the opened handle again (it may have been
    // swapped in between).
    let before = std::fs::metadata(path).map_err(read_error)?;
    if !before.is_file() {
        return Err(FileError::NotRegular {
            path: shown(path),
            noun,
        });
    }
    let file = open_for_reading(path).map_err(read_error)?;
    let meta = file.metadata().map_err(read_error)?;
    if !meta.is_file() {
        return Err(FileError::NotRegular {
            path: shown(path),
            noun,
        });
    }
    if meta.len() > max {
        return Err(FileError::TooLarge {
            path: shown(path),
            noun,
            max,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > max {
        return Err(FileError::TooLarge {
            path: shown(path),
            noun,
            max,
        });
    }
    Ok(bytes)
}

/// Contents that arrived without a file (uploaded, pasted) get the same cap
/// as the file would have: refused with the field named.
pub fn check_size(len: usize, kind: FileKind, field: &'static str) -> Result<(), crate::CoreError> {
    let max = kind.max_bytes();
    if len as u64 > max {
        return Err(crate::CoreError::InvalidInput {
            field,
            message: format!(
                "this is larger than {} can be (at most {max} bytes)",
                kind.noun()
            ),
        });
    }
    Ok(())
}

/// A temporary name beside `path` for writing before the rename.
fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "depot-output".into());
    path.with_file_name(format!(".{name}.depot-partial-{}", std::process::id()))
}

/// Writes `bytes` to `path` (replacing a file that is there): into a
/// temporary file first, renamed over the target once complete.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_with(path, |out| out.write_all(bytes))
}

/// Writes what `fill` produces to `path` the same way as [`write_file`], for
/// outputs that are streamed (a CSV of 200,000 devices).
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), FileError> {
    let write_error = |e: std::io::Error| FileError::Write {
        path: shown(path),
        reason: e.to_string(),
    };
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        return Err(FileError::Write {
            path: shown(path),
            reason: "something that is not a regular file is already there".into(),
        });
    }
    let partial = temporary_beside(path);
    let result = (|| {
        let file = std::fs::File::create(&partial)?;
        let mut out = std::io::BufWriter::new(file);
        fill(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&partial, path)
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(write_error(err));
    }
    Ok(())
}

/// Checks that `name` is one plain file name (no folder part, not `..`), as
/// the files Depot writes into a folder the admin chose must be.
pub fn plain_file_name(name: &str) -> Result<&str, FileError> {
    let bad = || FileError::BadName { name: name.into() };
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\', '\0'])
        || name.chars().any(char::is_control)
        || name.len() > 255
    {
        return Err(bad());
    }
    Ok(name)
}

/// Writes each `(name, contents)` into `dir` (created when missing); names
/// must be plain file names.
pub fn write_files_into(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), FileError> {
    for (name, _) in files {
        plain_file_name(name)?;
    }
    std::fs::create_dir_all(dir).map_err(|e| FileError::Write {
        path: shown(dir),
        reason: e.to_string(),
    })?;
    for (name, contents) in files {
        write_file(&dir.join(name), contents)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_within_its_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serials.csv");
        std::fs::write(&path, "C02X000001\n").unwrap();
        assert_eq!(
            read_text_file(&path, FileKind::SerialList).unwrap(),
            "C02X000001\n"
        );
    }

    #[test]
    fn refuses_a_file_over_its_cap_and_names_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.p7m");
        let max = FileKind::TokenFile.max_bytes();
        std::fs::write(&path, vec![b'a'; usize::try_from(max).unwrap() + 1]).unwrap();
        let err = read_file(&path, FileKind::TokenFile).unwrap_err();
        assert!(matches!(err, FileError::TooLarge { .. }), "{err}");
        assert!(err.to_string().contains(&max.to_string()), "{err}");
        // Exactly at the cap is fine.
        std::fs::write(&path, vec![b'a'; usize::try_from(max).unwrap()]).unwrap();
        assert_eq!(
            read_file(&path, FileKind::TokenFile).unwrap().len() as u64,
            max
        );
    }

    #[test]
    fn refuses_folders_and_devices() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_file(dir.path(), FileKind::ProfileFile).unwrap_err();
        assert!(matches!(err, FileError::NotRegular { .. }), "{err}");
        #[cfg(unix)]
        {
            let err = read_file(Path::new("/dev/zero"), FileKind::TokenFile).unwrap_err();
            assert!(matches!(err, FileError::NotRegular { .. }), "{err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_fifo_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.p7m");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let err = read_file(&fifo, FileKind::TokenFile).unwrap_err();
        assert!(matches!(err, FileError::NotRegular { .. }), "{err}");
    }

    #[test]
    fn refuses_binary_where_text_is_expected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profile.json");
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        let err = read_text_file(&path, FileKind::ProfileFile).unwrap_err();
        assert!(err.to_string().contains("not text"), "{err}");
    }

    #[test]
    fn writes_whole_files_and_leaves_nothing_behind_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        write_file(&path, b"one").unwrap();
        write_file(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");

        let err = write_with(&path, |out| {
            out.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no partial file is left");
    }

    #[test]
    fn writes_into_a_folder_only_plain_names() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("handoff");
        for bad in ["../evil", "a/b", "..", "", "x\u{7}"] {
            let err = write_files_into(&target, &[(bad.to_string(), b"x".to_vec())]).unwrap_err();
            assert!(matches!(err, FileError::BadName { .. }), "{bad:?}: {err}");
        }
        assert!(
            !target.exists(),
            "nothing is written when a name is refused"
        );
        write_files_into(&target, &[("README.txt".into(), b"hi".to_vec())]).unwrap();
        assert_eq!(std::fs::read(target.join("README.txt")).unwrap(), b"hi");
    }
}
