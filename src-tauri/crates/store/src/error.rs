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

    #[error("workspace database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    /// A streamed read (e.g. an export) was stopped because its output failed.
    #[error("could not write the output: {0}")]
    Output(std::io::Error),
}
