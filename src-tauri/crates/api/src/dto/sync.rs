//! Device sync with Apple (SYN-1..8).

use depot_core::sync as core;
use depot_domain::UnixSeconds;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `sync.start`: a manual sync of one token (SYN-1 pacing applies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncStartRequest {
    pub id: String,
    /// A full fetch of every device (at most once every 7 days) instead of a delta sync.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub full: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStarted {
    pub run_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncKind {
    /// Every device assigned to the server (`POST /server/devices`).
    Full,
    /// Changes since the last cursor (`POST /devices/sync`).
    Delta,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncPhase {
    /// Listing every device.
    Fetch,
    /// Reading changes.
    Sync,
    /// Marking devices Apple no longer lists.
    Finishing,
}

/// A running sync's progress (SYN-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub run_id: String,
    pub kind: SyncKind,
    pub phase: SyncPhase,
    /// RFC 3339.
    pub started_at: String,
    pub pages: u32,
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    pub cancelling: bool,
}

/// The last error in plain language (SYN-6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncError {
    /// A stable code, e.g. `TERMS_NOT_ACCEPTED`, `APPLE_UNAVAILABLE`, `ECHOED_CURSOR`.
    pub code: String,
    pub message: String,
    /// What the admin should do about it.
    pub advice: String,
    /// RFC 3339.
    pub at: String,
}

/// Sync health of one token (SYN-6). Times are RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncHealth {
    pub last_success_at: Option<String>,
    pub last_full_sync_at: Option<String>,
    pub last_error: Option<SyncError>,
    /// When the automatic delta sync runs next (every 12 hours while Depot runs).
    pub next_automatic_at: Option<String>,
    /// When a manual sync is allowed again (null: now).
    pub manual_allowed_at: Option<String>,
    /// When a full sync is allowed again (null: now).
    pub full_allowed_at: Option<String>,
    /// Age of the stored cursor in seconds (null: no cursor yet).
    pub cursor_age_seconds: Option<i64>,
    /// Devices currently assigned to this token in Depot.
    pub device_count: u64,
    /// Pacing does not apply (simulator tokens with pacing switched off).
    pub pacing_exempt: bool,
}

/// `sync.status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub token_id: String,
    pub running: Option<SyncProgress>,
    pub health: SyncHealth,
}

/// `sync.overview`: every token's sync status, for the Sync page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncOverview {
    pub tokens: Vec<TokenSyncStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenSyncStatus {
    pub token: super::TokenSummary,
    pub status: SyncStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncTrigger {
    Manual,
    Automatic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncResult {
    Running,
    Ok,
    Failed,
    Cancelled,
}

impl SyncResult {
    /// From the store's `sync_runs.result` text.
    pub fn from_stored(result: &str) -> Self {
        match result {
            "running" => SyncResult::Running,
            "ok" => SyncResult::Ok,
            "cancelled" => SyncResult::Cancelled,
            _ => SyncResult::Failed,
        }
    }
}

/// One row of the sync history (last 50 runs per token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncRun {
    pub id: String,
    pub kind: SyncKind,
    pub trigger: SyncTrigger,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub result: SyncResult,
    pub pages: u32,
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    pub error_code: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncHistory {
    pub runs: Vec<SyncRun>,
}

impl From<core::SyncKind> for SyncKind {
    fn from(kind: core::SyncKind) -> Self {
        match kind {
            core::SyncKind::Full => SyncKind::Full,
            core::SyncKind::Delta => SyncKind::Delta,
        }
    }
}

impl From<core::SyncProgress> for SyncProgress {
    fn from(p: core::SyncProgress) -> Self {
        Self {
            run_id: p.run_id.to_string(),
            kind: p.kind.into(),
            phase: match p.phase {
                core::SyncPhase::Fetch => SyncPhase::Fetch,
                core::SyncPhase::Sync => SyncPhase::Sync,
                core::SyncPhase::Finishing => SyncPhase::Finishing,
            },
            started_at: p.started_at.rfc3339(),
            pages: p.pages,
            added: p.added,
            modified: p.modified,
            removed: p.removed,
            cancelling: p.cancelling,
        }
    }
}

impl From<core::SyncHealth> for SyncHealth {
    fn from(h: core::SyncHealth) -> Self {
        Self {
            last_success_at: h.last_success_at.map(UnixSeconds::rfc3339),
            last_full_sync_at: h.last_full_at.map(UnixSeconds::rfc3339),
            last_error: h.last_error.map(|(code, message, at)| SyncError {
                advice: core::sync_error_advice(&code).to_owned(),
                code,
                message,
                at: at.rfc3339(),
            }),
            next_automatic_at: h.next_automatic_at.map(UnixSeconds::rfc3339),
            manual_allowed_at: h.manual_allowed_at.map(UnixSeconds::rfc3339),
            full_allowed_at: h.full_allowed_at.map(UnixSeconds::rfc3339),
            cursor_age_seconds: h.cursor_age,
            device_count: h.device_count,
            pacing_exempt: h.pacing_exempt,
        }
    }
}

impl From<depot_core::SyncRunRow> for SyncRun {
    fn from(r: depot_core::SyncRunRow) -> Self {
        Self {
            id: r.id.to_string(),
            kind: if r.kind == "full" {
                SyncKind::Full
            } else {
                SyncKind::Delta
            },
            trigger: if r.trigger == "manual" {
                SyncTrigger::Manual
            } else {
                SyncTrigger::Automatic
            },
            started_at: r.started_at.rfc3339(),
            finished_at: r.finished_at.map(UnixSeconds::rfc3339),
            result: SyncResult::from_stored(&r.result),
            pages: r.pages,
            added: r.added,
            modified: r.modified,
            removed: r.removed,
            error_code: r.error_code,
            error: r.error,
        }
    }
}
