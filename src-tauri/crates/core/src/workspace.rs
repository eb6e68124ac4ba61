use std::path::Path;

use depot_store::Protection;
use serde_json::json;

use crate::audit::AuditEvent;
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
    /// The workspace, with the counts of what the acting person sees
    /// (`scope`).
    pub fn workspace_info(&self) -> Result<WorkspaceInfo> {
        let mut counts = self.workspace.counts()?;
        if let crate::scope::Scope::Tokens(_) = self.scope()? {
            let tokens = self.list_tokens()?;
            counts.tokens = tokens.len() as u64;
            counts.profiles = tokens.iter().map(|t| t.profile_count).sum();
            counts.devices = tokens.iter().map(|t| t.device_count).sum();
            counts.audit_entries = self.audit_count()?;
        }
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

/// What `depot workspace key export` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyExport {
    pub file: String,
    pub workspace_id: String,
}

/// What `depot workspace key import` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyImport {
    pub workspace_id: String,
    /// Where the key provider keeps it now ("the OS keychain (…)", "the key file …").
    pub stored_in: String,
    pub key_protection: Protection,
}

impl Depot {
    /// Writes the workspace key to a new file at `out`, readable only by the
    /// user (unix 0600; an owner-only ACL on Windows). Refuses to replace a
    /// file. The file works as `DEPOT_KEY_FILE` and for `key import`.
    pub fn export_workspace_key(&self, out: &Path) -> Result<KeyExport> {
        let vault = self.vault()?;
        vault.export_key(out)?;
        let file = out.display().to_string();
        self.workspace.write(|db| {
            self.audit(
                db,
                AuditEvent {
                    action: "key.export",
                    object: "workspace key".into(),
                    token: None,
                    before: None,
                    after: Some(json!({ "file": file })),
                },
            )
        })?;
        Ok(KeyExport {
            file,
            workspace_id: vault.workspace_id().to_owned(),
        })
    }

    /// `depot workspace backup --out FILE` (issue 14): an online copy of the
    /// workspace that is safe while a server or the app keeps writing; a new
    /// file only, owner-only, audited. The secrets inside stay sealed with the
    /// workspace key (back that up on its own: `workspace key export`).
    pub fn backup_workspace(&self, out: &Path) -> Result<u64> {
        let bytes = self.workspace.backup_to(out)?;
        let file = out.display().to_string();
        self.workspace.write(|db| {
            self.audit(
                db,
                AuditEvent {
                    action: "workspace.backup",
                    object: "workspace".into(),
                    token: None,
                    before: None,
                    after: Some(json!({ "file": file, "bytes": bytes })),
                },
            )
        })?;
        Ok(bytes)
    }

    /// Puts the key saved in `file` where this workspace's key provider keeps
    /// it (the keychain entry, or the key file), after checking that it opens
    /// this workspace's vault: a key that does not is refused and nothing is
    /// stored.
    pub fn import_workspace_key(&self, file: &Path) -> Result<KeyImport> {
        let key = depot_store::vault::read_key_file(file)?;
        let workspace_id = self.workspace.connect()?.check_workspace_key(&key)?;
        self.keys.store(&workspace_id, &key)?;
        // Opens with the provider as every later use will (and brings an old
        // vault's blobs to the current format).
        self.vault()?;
        self.workspace.write(|db| {
            self.audit(
                db,
                AuditEvent {
                    action: "key.import",
                    object: "workspace key".into(),
                    token: None,
                    before: None,
                    after: Some(json!({ "file": file.display().to_string() })),
                },
            )
        })?;
        Ok(KeyImport {
            stored_in: self.keys.location(&workspace_id),
            workspace_id,
            key_protection: self.keys.protection(),
        })
    }
}
