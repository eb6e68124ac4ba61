use depot_store::StoreError;

/// Everything a use case can fail with. `api` maps each variant to an error
/// code the UI branches on; messages are written for the admin.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The workspace was written by a newer Depot; nothing was changed.
    #[error(transparent)]
    SchemaTooNew(StoreError),

    /// The workspace could not be opened, read or written.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CoreError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::SchemaTooNew { .. } => CoreError::SchemaTooNew(err),
            other => CoreError::Store(other),
        }
    }
}
