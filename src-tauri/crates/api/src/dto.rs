//! Request and response DTOs: the UI's view of Depot. camelCase on the wire.
//! Explicit conversions from `core` types live next to each DTO.

use depot_core::{TokenOverview, WorkspaceInfo as CoreWorkspaceInfo};
use depot_domain::TokenStatus as DomainTokenStatus;
use depot_domain::time::rfc3339;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The request of commands that take no input. `{}` (or `null`) on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(type = "Record<string, never>")]
pub struct Empty {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceCounts {
    pub tokens: u64,
    pub profiles: u64,
    pub devices: u64,
    pub audit_entries: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceInfo {
    /// The workspace database file.
    pub path: String,
    pub schema_version: u32,
    pub counts: WorkspaceCounts,
}

impl From<CoreWorkspaceInfo> for WorkspaceInfo {
    fn from(info: CoreWorkspaceInfo) -> Self {
        Self {
            path: info.path,
            schema_version: info.schema_version,
            counts: WorkspaceCounts {
                tokens: info.tokens,
                profiles: info.profiles,
                devices: info.devices,
                audit_entries: info.audit_entries,
            },
        }
    }
}

/// TOK-4 status column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TokenStatus {
    Ok,
    Expiring,
    Expired,
    TermsNotAccepted,
    Rejected,
}

impl From<DomainTokenStatus> for TokenStatus {
    fn from(status: DomainTokenStatus) -> Self {
        match status {
            DomainTokenStatus::Ok => Self::Ok,
            DomainTokenStatus::Expiring => Self::Expiring,
            DomainTokenStatus::Expired => Self::Expired,
            DomainTokenStatus::TermsNotAccepted => Self::TermsNotAccepted,
            DomainTokenStatus::Rejected => Self::Rejected,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenSummary {
    pub id: String,
    pub server_name: String,
    pub org_name: String,
    pub apple_id: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
    pub status: TokenStatus,
    pub device_count: u64,
    pub profile_count: u64,
    pub scope_tags: Vec<String>,
}

impl From<TokenOverview> for TokenSummary {
    fn from(token: TokenOverview) -> Self {
        Self {
            id: token.id.to_string(),
            server_name: token.server_name,
            org_name: token.org_name,
            apple_id: token.apple_id,
            expires_at: rfc3339(token.expires_at),
            status: token.status.into(),
            device_count: token.device_count,
            profile_count: token.profile_count,
            scope_tags: token.scope_tags,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenList {
    pub tokens: Vec<TokenSummary>,
}
