//! `dashboard.summary` (issue 16, ALR-3): every figure of the dashboard's
//! charts from one call.

use depot_core::dashboard::{
    DashboardSummary as CoreSummary, DayResults, ExpiryKind, TokenFigures,
};
use serde::Serialize;
use ts_rs::TS;

/// A label and how many devices carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardCount {
    pub label: String,
    pub count: u64,
}

/// One model and its family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardModel {
    pub model: String,
    pub family: String,
    pub count: u64,
}

/// A token's sync health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardSync {
    /// RFC 3339; null: never.
    pub last_success_at: Option<String>,
    pub last_error_at: Option<String>,
    pub last_error: Option<String>,
    /// Failed sync runs since the last success.
    pub failures_since_success: u64,
    /// Failed sync runs within the last 30 days.
    pub failures_30_days: u64,
    /// When the 12-hourly automatic sync is next due (RFC 3339).
    pub next_run_at: Option<String>,
    /// A sync of this token is running in this process.
    pub running: bool,
}

/// One token's devices and health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardToken {
    pub id: String,
    pub name: String,
    /// RFC 3339.
    pub expires_at: String,
    /// Active devices.
    pub devices: u64,
    /// Active devices by Apple's profile status (`empty`, `assigned`,
    /// `pushed`, `removed`), largest first.
    pub by_status: Vec<DashboardCount>,
    /// Devices without a profile whose platform has no default on this token
    /// (`label` is the platform: `iOS`, `macOS`, `tvOS`, `visionOS`, `watchOS`).
    pub waiting_for_default: Vec<DashboardCount>,
    pub sync: DashboardSync,
}

/// One day's assignment results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardDay {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Serials Apple accepted.
    pub assigned: u64,
    /// FAILED or NOT_ACCESSIBLE.
    pub failed: u64,
    /// THROTTLED.
    pub throttled: u64,
    /// Not sent (cooldown, run stopped).
    pub not_sent: u64,
}

/// An expiry on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardExpiry {
    /// `ade`: an enrollment program token; `vpp`: an Apps and Books token.
    pub kind: String,
    pub id: String,
    pub name: String,
    /// RFC 3339.
    pub expires_at: String,
    /// Whole days left (negative once expired).
    pub days_left: i64,
}

/// `dashboard.summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardSummary {
    /// RFC 3339: when these figures were read.
    pub generated_at: String,
    /// Active devices in scope.
    pub devices: u64,
    /// Tokens in scope, by name.
    pub tokens: Vec<DashboardToken>,
    /// Devices by family, largest first.
    pub families: Vec<DashboardCount>,
    /// The most common models, largest first (at most 12)…
    pub models: Vec<DashboardModel>,
    /// …and how many devices the other models hold.
    pub other_models: u64,
    /// The last 30 days, oldest first (today last).
    pub assignments: Vec<DashboardDay>,
    /// ADE and Apps and Books tokens, soonest expiry first.
    pub expiries: Vec<DashboardExpiry>,
}

fn counts(list: Vec<(String, u64)>) -> Vec<DashboardCount> {
    list.into_iter()
        .map(|(label, count)| DashboardCount { label, count })
        .collect()
}

impl From<TokenFigures> for DashboardToken {
    fn from(t: TokenFigures) -> Self {
        Self {
            id: t.id.get().to_string(),
            name: t.name,
            expires_at: t.expires_at.rfc3339(),
            devices: t.devices,
            by_status: counts(t.by_status),
            waiting_for_default: counts(t.waiting_for_default),
            sync: DashboardSync {
                last_success_at: t.sync.last_success_at.map(|t| t.rfc3339()),
                last_error_at: t.sync.last_error_at.map(|t| t.rfc3339()),
                last_error: t.sync.last_error,
                failures_since_success: t.sync.failures_since_success,
                failures_30_days: t.sync.failures_30_days,
                next_run_at: t.sync.next_run_at.map(|t| t.rfc3339()),
                running: t.sync.running,
            },
        }
    }
}

impl From<DayResults> for DashboardDay {
    fn from(d: DayResults) -> Self {
        Self {
            date: d.date,
            assigned: d.assigned,
            failed: d.failed,
            throttled: d.throttled,
            not_sent: d.not_sent,
        }
    }
}

impl From<CoreSummary> for DashboardSummary {
    fn from(s: CoreSummary) -> Self {
        Self {
            generated_at: s.generated_at.rfc3339(),
            devices: s.devices,
            tokens: s.tokens.into_iter().map(Into::into).collect(),
            families: counts(s.families),
            models: s
                .models
                .into_iter()
                .map(|(model, family, count)| DashboardModel {
                    model,
                    family,
                    count,
                })
                .collect(),
            other_models: s.other_models,
            assignments: s.assignments.into_iter().map(Into::into).collect(),
            expiries: s
                .expiries
                .into_iter()
                .map(|e| DashboardExpiry {
                    kind: match e.kind {
                        ExpiryKind::Ade => "ade",
                        ExpiryKind::Vpp => "vpp",
                    }
                    .to_owned(),
                    id: e.id,
                    name: e.name,
                    expires_at: e.expires_at.rfc3339(),
                    days_left: e.days_left,
                })
                .collect(),
        }
    }
}
