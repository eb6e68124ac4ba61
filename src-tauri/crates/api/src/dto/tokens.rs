//! Tokens (TOK-1..9), the pending key pair and demo mode.

use depot_core::{
    PendingKeyInfo, Protection, TokenDetail as CoreTokenDetail, TokenPreview as CoreTokenPreview,
};
use depot_domain::UnixSeconds;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Identifies one token in requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenRef {
    pub id: String,
}

/// A token file the admin picked, as its contents: the desktop shell reads the
/// file chosen in its native dialog, a browser uploads it. Never a path: the
/// backend reads no file the UI names (`{"kind": "path"}` is refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum TokenFile {
    Contents { file_name: String, contents: String },
}

/// The key pair waiting for Apple's token file (TOK-1 step 2). It survives
/// restarts until a token consumes it. Public parts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PendingKey {
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when the certificate stops being valid.
    pub certificate_expires_at: String,
    /// e.g. `CN=Depot (workspace …)`.
    pub subject: String,
    /// SHA-256 of the certificate (DER), colon-separated hex.
    pub fingerprint: String,
    /// The certificate to upload to Apple's portal (PEM text, public).
    pub certificate_pem: String,
    /// Suggested file name for the save dialog, e.g. `Depot_public_key.pem`.
    pub file_name: String,
}

/// `tokens.pendingKey` answer: the pending key, if there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PendingKeyState {
    pub pending: Option<PendingKey>,
}

/// `tokens.generateKey`: returns the existing pending key unless `replace`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerateKeyRequest {
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub replace: bool,
}

/// `tokens.inspect`: decrypts the file with the pending key and asks Apple who
/// it belongs to. Changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InspectTokenRequest {
    pub file: TokenFile,
    /// Apple's base URL; default `https://mdmenrollment.apple.com`.
    #[serde(default)]
    #[ts(optional)]
    pub apple_url: Option<String>,
}

/// What the admin confirms before creating the token (TOK-1 step 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenPreview {
    pub server_name: String,
    pub server_uuid: String,
    pub org_name: String,
    pub org_id: Option<String>,
    /// `edu` / `org` as Apple reports it, if it does.
    pub org_type: Option<String>,
    /// The Apple account that created the token in the portal, as Apple reports it.
    pub admin_id: Option<String>,
    /// RFC 3339.
    pub expires_at: String,
    pub days_left: i64,
    pub apple_url: String,
    pub simulator: bool,
    /// Set when this server already has a token in the workspace (renew it instead).
    pub existing_token_id: Option<String>,
}

/// `tokens.add` (TOK-1 step 7): everything is committed at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddTokenRequest {
    pub file: TokenFile,
    pub apple_id: String,
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub scope_tags: Vec<String>,
    #[serde(default)]
    #[ts(optional)]
    pub apple_url: Option<String>,
}

/// `tokens.renew` (TOK-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RenewTokenRequest {
    pub id: String,
    pub file: TokenFile,
    pub apple_id: String,
    /// Accept a token file that belongs to another MDM server.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub force: bool,
}

/// `tokens.setScopeTags` (TOK-9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetScopeTagsRequest {
    pub id: String,
    pub scope_tags: Vec<String>,
}

/// Everything the token detail page shows. No secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenDetail {
    pub summary: super::TokenSummary,
    pub server_uuid: String,
    pub org_id: Option<String>,
    pub org_type: Option<String>,
    pub admin_id: Option<String>,
    pub apple_url: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, when the token file was last replaced (renew).
    pub renewed_at: Option<String>,
    /// SHA-256 fingerprint of the token's certificate (the public key on file at Apple).
    pub key_fingerprint: String,
    /// What blocks deleting this token; empty when it can be deleted.
    pub delete_blockers: Vec<DeleteBlocker>,
    /// Devices without a profile whose platform has no default (PLT-2).
    pub devices_without_default: Vec<PlatformCount>,
    /// Devices holding a Depot profile made for another platform (at most 500).
    pub platform_mismatches: Vec<PlatformMismatchDto>,
}

/// How many devices of one platform (or unknown family).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlatformCount {
    /// `iOS` | `macOS` | `tvOS` | `visionOS`, or Apple's family name when Depot
    /// does not know it.
    pub platform: String,
    pub count: u64,
}

/// A device on a profile of another platform, to fix by assigning the right one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlatformMismatchDto {
    pub serial: String,
    /// Apple's device family (`Mac`, `AppleTV`, …).
    pub family: String,
    pub profile_id: String,
    pub profile_name: String,
    /// The profile's platform (`iOS`, …).
    pub profile_platform: String,
    /// `assigned`: assign the right profile; `pushed`: also erase the device.
    pub profile_status: String,
}

/// One reason a token cannot be deleted yet (TOK-6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeleteBlocker {
    pub kind: DeleteBlockerKind,
    /// In the admin's words, saying where to fix it.
    pub message: String,
}

/// `devices`: delete the token's devices on the Devices page;
/// `defaultProfile`: clear the default on the Profiles page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DeleteBlockerKind {
    Devices,
    DefaultProfile,
}

/// `demo.start` answer (SIM-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoStarted {
    pub token: super::TokenSummary,
    pub simulator_url: String,
}

/// How the workspace key is protected (TOK-3), for the Settings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum KeyProtection {
    /// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service).
    Keychain,
    /// An owner-only key file (`DEPOT_KEY_FILE`): less protected.
    KeyFile,
    /// A fixed key: tests only.
    TestKey,
}

impl From<Protection> for KeyProtection {
    fn from(p: Protection) -> Self {
        match p {
            Protection::Keychain => KeyProtection::Keychain,
            Protection::KeyFile => KeyProtection::KeyFile,
            Protection::TestKey => KeyProtection::TestKey,
        }
    }
}

impl From<PendingKeyInfo> for PendingKey {
    fn from(key: PendingKeyInfo) -> Self {
        Self {
            created_at: key.created_at.rfc3339(),
            certificate_expires_at: key.certificate_expires_at.rfc3339(),
            subject: key.subject,
            fingerprint: key.fingerprint,
            certificate_pem: key.certificate_pem,
            file_name: "Depot_public_key.pem".into(),
        }
    }
}

impl From<CoreTokenPreview> for TokenPreview {
    fn from(p: CoreTokenPreview) -> Self {
        Self {
            server_name: p.account.server_name,
            server_uuid: p.account.server_uuid,
            org_name: p.account.org_name,
            org_id: p.account.org_id,
            org_type: p.account.org_type,
            admin_id: p.account.admin_id,
            expires_at: p.expires_at.rfc3339(),
            days_left: p.days_left,
            apple_url: p.apple_url,
            simulator: p.simulator,
            existing_token_id: p.existing_token.map(|id| id.to_string()),
        }
    }
}

impl From<CoreTokenDetail> for TokenDetail {
    fn from(d: CoreTokenDetail) -> Self {
        Self {
            summary: d.overview.into(),
            server_uuid: d.server_uuid,
            org_id: d.org_id,
            org_type: d.org_type,
            admin_id: d.admin_id,
            apple_url: d.apple_url,
            created_at: d.created_at.rfc3339(),
            renewed_at: d.renewed_at.map(UnixSeconds::rfc3339),
            key_fingerprint: d.key_fingerprint,
            delete_blockers: d
                .delete_blockers
                .into_iter()
                .map(|b| DeleteBlocker {
                    kind: match b.kind {
                        depot_core::DeleteBlockerKind::Devices => DeleteBlockerKind::Devices,
                        depot_core::DeleteBlockerKind::DefaultProfile => {
                            DeleteBlockerKind::DefaultProfile
                        }
                    },
                    message: b.message,
                })
                .collect(),
            devices_without_default: d
                .devices_without_default
                .into_iter()
                .map(|(platform, count)| PlatformCount { platform, count })
                .collect(),
            platform_mismatches: d
                .platform_mismatches
                .into_iter()
                .map(|m| PlatformMismatchDto {
                    serial: m.serial,
                    family: m.family,
                    profile_id: m.profile_id.to_string(),
                    profile_name: m.profile_name,
                    profile_platform: m.profile_platform.as_str().to_owned(),
                    profile_status: m.profile_status,
                })
                .collect(),
        }
    }
}

/// `demo.issueToken`: the simulated portal's "Download token" (demo mode).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssueDemoTokenRequest {
    /// Renewal: a new file for this simulator token (its own key and server).
    /// Without it, a file for the pending key and a new simulated server.
    #[serde(default)]
    #[ts(optional)]
    pub for_token: Option<String>,
}

/// A token file as the simulated portal hands it out. Pass `file` and
/// `appleUrl` on to `tokens.inspect` / `tokens.add` / `tokens.renew`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IssuedDemoToken {
    pub file: TokenFile,
    /// Always `"simulator"`: the token talks to Depot's built-in simulator.
    pub apple_url: String,
}
