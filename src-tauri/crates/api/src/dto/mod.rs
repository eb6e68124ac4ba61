//! Request and response DTOs: the UI's view of Depot. camelCase on the wire.
//! Explicit conversions from `core` types live next to each DTO.

/// `Display` as the text the UI receives (the serde name), padded like a
/// `str` so CLI tables line up.
macro_rules! shown_as_wire_name {
    ($($ty:ty),*) => {$(
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match serde_json::to_value(self) {
                    Ok(serde_json::Value::String(name)) => f.pad(&name),
                    _ => write!(f, "{self:?}"),
                }
            }
        }
    )*};
}

mod alerts;
mod audit;
mod changes;
mod dashboard;
mod devices;
mod orgs;
mod profiles;
mod sync;
mod tokens;
mod vpp;
mod webhooks;

pub use alerts::*;
pub use audit::*;
pub use changes::*;
pub use dashboard::*;
pub use devices::*;
pub use orgs::*;
pub use profiles::*;
pub use sync::*;
pub use tokens::*;
pub use vpp::*;
pub use webhooks::*;

use depot_core::{TokenOverview, WorkspaceInfo as CoreWorkspaceInfo};
use depot_domain::TokenStatus as DomainTokenStatus;
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
    /// How secrets at rest are protected (TOK-3); a key file is shown as less protected.
    pub key_protection: KeyProtection,
    /// The in-process simulator's base URL while demo mode runs.
    pub simulator_url: Option<String>,
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
            key_protection: info.key_protection.into(),
            simulator_url: info.simulator_url,
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
    /// Whole days until expiry (negative once expired).
    pub days_left: i64,
    pub status: TokenStatus,
    /// The token talks to Depot's simulator, not to Apple.
    pub simulator: bool,
    /// Name of the iOS/iPadOS default profile (PRO-15), if one is set; see
    /// `default_profiles` for every platform.
    pub default_profile: Option<String>,
    /// The default profile of each platform that has one (PLT-2), by platform.
    pub default_profiles: Vec<PlatformDefault>,
    /// More devices than Apple's 200,000 per token: a warning to show.
    pub over_device_limit: bool,
    /// RFC 3339: when the last sync finished (null: never synced).
    pub last_sync_at: Option<String>,
    /// How the last sync ended.
    pub last_sync_result: Option<SyncResult>,
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
            expires_at: token.expires_at.rfc3339(),
            days_left: token.days_left,
            status: token.status.into(),
            simulator: token.simulator,
            default_profile: token
                .default_profiles
                .iter()
                .find(|(p, _)| *p == depot_domain::profile::ApplePlatform::Ios)
                .map(|(_, name)| name.clone()),
            default_profiles: token
                .default_profiles
                .iter()
                .map(|(platform, name)| PlatformDefault {
                    platform: platform.as_str().to_owned(),
                    label: platform.label().to_owned(),
                    profile: name.clone(),
                })
                .collect(),
            over_device_limit: token.over_device_limit,
            last_sync_at: token.last_sync.as_ref().map(|(at, _)| at.rfc3339()),
            last_sync_result: token
                .last_sync
                .as_ref()
                .map(|(_, result)| SyncResult::from_stored(result)),
            device_count: token.device_count,
            profile_count: token.profile_count,
            scope_tags: token.scope_tags,
        }
    }
}

/// A token's default profile for one platform (PLT-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlatformDefault {
    /// `iOS` | `macOS` | `tvOS` | `visionOS`.
    pub platform: String,
    /// `iOS/iPadOS`, `macOS`, …
    pub label: String,
    /// The profile's name.
    pub profile: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenList {
    pub tokens: Vec<TokenSummary>,
}
