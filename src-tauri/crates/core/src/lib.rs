//! Depot's use cases. The desktop shell, the api HTTP host and the CLI all call
//! these functions; none of them runs SQL or speaks to Apple directly.
//!
//! Invariants: time comes from a [`Clock`], never from the system directly;
//! Apple base URLs are injected; secrets never appear in returned values.

pub mod clock;
mod error;
pub mod location;
mod tokens;
mod workspace;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::CoreError;
pub use tokens::TokenOverview;
pub use workspace::WorkspaceInfo;

use std::path::Path;
use std::sync::Arc;

use depot_store::Workspace;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// One open workspace and the services around it. Cheap to share (`Arc` it).
pub struct Depot {
    workspace: Workspace,
    clock: Arc<dyn Clock>,
}

impl Depot {
    /// Opens (creating if needed) the workspace in `dir`.
    pub fn open(dir: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        Ok(Self {
            workspace: Workspace::open(dir)?,
            clock,
        })
    }

    /// A throwaway in-memory workspace, for tests.
    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<Self> {
        Ok(Self {
            workspace: Workspace::open_in_memory()?,
            clock,
        })
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }
}
