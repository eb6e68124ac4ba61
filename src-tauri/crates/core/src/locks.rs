//! Exclusive lock files under `<workspace>/locks/`: one sync or one assignment
//! run per token at a time, also across processes on the same workspace.

use depot_store::Workspace;

use crate::{CoreError, Result};

/// Outcome of trying a lock.
pub(crate) enum Locked {
    /// Held until the file is dropped (`None` for an in-memory workspace,
    /// which no other process can open).
    Held(Option<std::fs::File>),
    /// Another holder has it.
    Busy,
}

/// Tries the lock `<name>.lock` without waiting.
pub(crate) fn try_lock(workspace: &Workspace, name: &str) -> Result<Locked> {
    let Some(file) = workspace.file() else {
        return Ok(Locked::Held(None));
    };
    let dir = file.with_file_name("locks");
    let path = dir.join(format!("{name}.lock"));
    let failed = |e: std::io::Error| CoreError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let opened = std::fs::create_dir_all(&dir)
        .and_then(|_| {
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
        })
        .map_err(failed)?;
    match opened.try_lock() {
        Ok(()) => Ok(Locked::Held(Some(opened))),
        Err(std::fs::TryLockError::WouldBlock) => Ok(Locked::Busy),
        Err(std::fs::TryLockError::Error(e)) => Err(failed(e)),
    }
}
