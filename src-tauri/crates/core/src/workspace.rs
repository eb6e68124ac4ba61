use depot_store::Protection;

use crate::{Depot, Result};

/// What `workspace.info` and `depot workspace info` show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceInfo {
    pub path: String,
    pub schema_version: u32,
    pub tokens: u64,
    pub profiles: u64,
    pub devices: u64,
    pub audit_entries: u64,
    pub key_protection: Protection,
    pub simulator_url: Option<String>,
}

impl Depot {
    pub fn workspace_info(&self) -> Result<WorkspaceInfo> {
        let counts = self.workspace.counts()?;
        Ok(WorkspaceInfo {
            path: self.workspace.describe(),
            schema_version: self.workspace.schema_version(),
            tokens: counts.tokens,
            profiles: counts.profiles,
            devices: counts.devices,
            audit_entries: counts.audit_entries,
            key_protection: self.keys.protection(),
            simulator_url: self.simulator_url(),
        })
    }
}
