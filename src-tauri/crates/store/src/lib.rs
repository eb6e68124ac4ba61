//! Depot's workspace store: the only crate that runs SQL.
//!
//! A workspace is one SQLite file (`depot.sqlite`) in a directory, in WAL mode.
//! Its schema comes from embedded, append-only migrations ([`migrations`]); a
//! workspace written by a newer Depot is refused rather than misread, and the
//! file is copied aside before any migration touches it.

mod error;
pub mod migrations;
pub mod orgs;
mod turns;
mod workspace;

pub mod alerts;
pub mod assignments;
pub mod audit;
pub mod dashboard;
pub mod device_facts;
pub mod devices;
pub mod profiles;
pub mod sessions;
pub mod sync;
pub mod tokens;
pub mod users;
pub mod vault;
pub mod vpp;

pub use error::{DatabaseError, StoreError};
pub use vault::{
    FixedKey, KeyFile, KeyProvider, KeychainKeys, Protection, SecretSlot, Vault, VaultError,
    WorkspaceKey,
};
pub use workspace::{Counts, Db, WORKSPACE_FILE_NAME, Workspace};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
