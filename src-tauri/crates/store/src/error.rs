use std::path::PathBuf;

/// An error of the database engine, kept opaque: the store's public API names
/// no type of the SQLite binding, so another backend stays possible.
#[derive(Debug)]
pub struct DatabaseError(pub(crate) rusqlite::Error);

impl std::fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

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

    #[error("could not write the backup {path}: {reason}")]
    BackupTo { path: PathBuf, reason: String },

    #[error("could not back up the workspace to {path} before upgrading it: {source}")]
    Backup {
        path: PathBuf,
        source: DatabaseError,
    },

    #[error("workspace migration {version} ({name}) failed: {source}")]
    Migration {
        version: u32,
        name: &'static str,
        source: DatabaseError,
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
        source: DatabaseError,
    },

    #[error("workspace database error: {0}")]
    Sqlite(DatabaseError),

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
                source: DatabaseError(source),
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
            |source| StoreError::Sqlite(DatabaseError(source)),
        )
    }
}
