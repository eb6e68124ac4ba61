use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "this workspace was written by a newer version of Depot (schema version {found}; this \
         version understands up to {supported}). Update Depot to open it; nothing was changed"
    )]
    SchemaTooNew { found: u32, supported: u32 },

    #[error("cannot use the workspace folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("could not back up the workspace to {path} before upgrading it: {source}")]
    Backup {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error("workspace migration {version} ({name}) failed: {source}")]
    Migration {
        version: u32,
        name: &'static str,
        source: rusqlite::Error,
    },

    #[error(transparent)]
    Vault(crate::vault::VaultError),

    /// SQLite found no room for what it had to write (`SQLITE_FULL`). The
    /// transaction was rolled back: what was saved before is all there.
    #[error(
        "the disk is full: Depot could not {doing}. Free some disk space and try again; \
         everything saved before is kept"
    )]
    DiskFull {
        doing: String,
        #[source]
        source: rusqlite::Error,
    },

    #[error("workspace database error: {0}")]
    Sqlite(rusqlite::Error),

    /// A streamed read (e.g. an export) was stopped because its output failed.
    #[error("could not write the output: {0}")]
    Output(std::io::Error),
}

impl StoreError {
    /// `source` as [`StoreError::DiskFull`] when the disk (or the test page
    /// limit) is full, else as `otherwise`.
    pub(crate) fn or_disk_full(
        source: rusqlite::Error,
        doing: impl FnOnce() -> String,
        otherwise: impl FnOnce(rusqlite::Error) -> StoreError,
    ) -> StoreError {
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
            StoreError::DiskFull {
                doing: doing(),
                source,
            }
        } else {
            otherwise(source)
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(source: rusqlite::Error) -> Self {
        StoreError::or_disk_full(
            source,
            || "write to the workspace".into(),
            StoreError::Sqlite,
        )
    }
}
