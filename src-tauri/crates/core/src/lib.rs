//! Depot's use cases. The desktop shell, the api HTTP host and the CLI all call
//! these functions; none of them runs SQL or speaks to Apple directly.
//!
//! Invariants: time comes from a [`Clock`], never from the system directly;
//! Apple base URLs are injected (per token); secrets never appear in returned
//! values, errors or logs; every mutation writes an audit entry in the same
//! transaction.

pub mod access;
mod acting;
pub mod alerts;
pub mod assign;
mod audit;
mod changes;
pub mod dashboard;
mod demo;
pub mod devices;
mod error;
pub mod federated;
pub mod files;
mod handoff;
pub mod location;
mod locks;
pub mod orgs;
pub mod profiles;
pub mod scope;
mod stored;
pub mod sync;
mod tokens;
pub mod users;
pub mod vpp;
pub mod webhooks;
mod wind_down;
mod workspace;
mod writer;

pub use audit::{AuditFilter, AuditPage, AuditRecord};
pub use changes::Change;
pub use demo::{
    DEMO_APPLE_ID, DEMO_DEVICES, DEMO_ORG, DEMO_ORG_ACCOUNT, DEMO_ORG_POOL, DEMO_SERVER,
    DEMO_VPP_LICENCES, DEMO_VPP_LOCATION,
};
pub use depot_apple::{AppleError, TokenFileError};
pub use depot_domain::records::Protection;
pub use depot_domain::records::SyncRunRow;
pub use depot_domain::{Clock, FixedClock, SystemClock};
pub use error::CoreError;
pub use tokens::{
    DeleteBlocker, DeleteBlockerKind, PendingKeyInfo, SIMULATOR_URL, TokenDetail, TokenFileInput,
    TokenOverview, TokenPreview,
};
pub use workspace::{KeyExport, KeyImport, WorkspaceInfo};

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use depot_store::{KeyFile, KeyProvider, KeychainKeys, Vault, Workspace};

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// What a [`Depot`] is built with: injected so tests control time, keys and the
/// operator name.
#[derive(Clone)]
pub struct DepotOptions {
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<dyn KeyProvider>,
    /// Who is acting, for the audit log (the OS user name for now).
    pub operator: String,
    /// How Apple requests are retried (tests use millisecond delays).
    pub retry: depot_apple::RetryPolicy,
    /// Which Apple base URLs tokens may use: Apple's own only, unless a test
    /// setting allows others (the CLI's `DEPOT_ALLOW_TEST_APPLE_URL=1`;
    /// always in tests). Depot's built-in simulator is always allowed.
    pub apple_hosts: depot_apple::AppleHosts,
}

impl DepotOptions {
    /// Options for the app and the CLI: the wall clock, the OS user, and the
    /// workspace key from `key_file` (e.g. `DEPOT_KEY_FILE`) or the OS keychain.
    pub fn for_this_machine(key_file: Option<PathBuf>, operator: Option<String>) -> Self {
        let keys: Arc<dyn KeyProvider> = match key_file {
            Some(path) => Arc::new(KeyFile::new(path)),
            None => Arc::new(KeychainKeys),
        };
        Self {
            clock: Arc::new(SystemClock),
            keys,
            operator: operator
                .filter(|o| !o.trim().is_empty())
                .unwrap_or_else(|| "unknown".into()),
            retry: depot_apple::RetryPolicy::default(),
            apple_hosts: depot_apple::AppleHosts::AppleOnly,
        }
    }

    /// Options for tests: the given clock, a fixed key, operator "test",
    /// retries after milliseconds instead of seconds.
    pub fn for_tests(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            keys: Arc::new(depot_store::FixedKey([42; 32])),
            operator: "test".into(),
            retry: depot_apple::RetryPolicy {
                max_attempts: 4,
                base_delay: std::time::Duration::from_millis(2),
                max_delay: std::time::Duration::from_millis(20),
                max_wait: std::time::Duration::from_secs(5),
            },
            apple_hosts: depot_apple::AppleHosts::AllowTestHosts,
        }
    }
}

/// One open workspace and the services around it. Share it with `Arc`.
pub struct Depot {
    workspace: Workspace,
    clock: Arc<dyn Clock>,
    keys: Arc<dyn KeyProvider>,
    operator: String,
    retry: depot_apple::RetryPolicy,
    apple_hosts: depot_apple::AppleHosts,
    vault: OnceLock<Arc<Vault>>,
    demo: demo::DemoSimulator,
    syncs: sync::RunningSyncs,
    assignments: assign::RunningAssignments,
    changes: changes::Changes,
}

impl Depot {
    /// Opens (creating if needed) the workspace in `dir`.
    pub fn open(dir: &Path, options: DepotOptions) -> Result<Self> {
        Ok(Self::with(Workspace::open(dir)?, options))
    }

    /// Who acts when the desktop app or the CLI works on its own workspace
    /// (the audit log's operator).
    pub fn operator(&self) -> &str {
        &self.operator
    }

    /// A throwaway in-memory workspace, for tests.
    pub fn open_in_memory(options: DepotOptions) -> Result<Self> {
        Ok(Self::with(Workspace::open_in_memory()?, options))
    }

    fn with(workspace: Workspace, options: DepotOptions) -> Self {
        Self {
            workspace,
            clock: options.clock,
            keys: options.keys,
            operator: options.operator,
            retry: options.retry,
            apple_hosts: options.apple_hosts,
            vault: OnceLock::new(),
            demo: demo::DemoSimulator::default(),
            syncs: sync::RunningSyncs::default(),
            assignments: assign::RunningAssignments::default(),
            changes: changes::Changes::default(),
        }
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub fn key_protection(&self) -> Protection {
        self.keys.protection()
    }

    /// The vault, opened on first use (so reading the workspace never needs the keychain).
    /// A client for one token's Apple service.
    pub(crate) fn apple_client(
        &self,
        url: &depot_apple::AppleUrl,
        credentials: depot_apple::OAuthCredentials,
    ) -> depot_apple::AppleClient {
        depot_apple::AppleClient::new(url, credentials, self.clock.clone())
            .with_retry_policy(self.retry)
    }

    fn vault(&self) -> Result<Arc<Vault>> {
        if let Some(vault) = self.vault.get() {
            return Ok(Arc::clone(vault));
        }
        let vault = Arc::new(self.workspace.connect()?.open_vault(self.keys.as_ref())?);
        Ok(Arc::clone(self.vault.get_or_init(|| vault)))
    }
}
