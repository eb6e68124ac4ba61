//! The audit log (ACC-1).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Filters for `audit.list` and `audit.export`. All optional; combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditFilter {
    /// Exact action, e.g. `token.add`.
    #[serde(default)]
    #[ts(optional)]
    pub action: Option<String>,
    /// Substring of the object (e.g. a token's server name or id).
    #[serde(default)]
    #[ts(optional)]
    pub object: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub operator: Option<String>,
    /// RFC 3339 or `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    #[ts(optional)]
    pub from: Option<String>,
    /// RFC 3339 or `YYYY-MM-DD`, inclusive (a date means the whole day).
    #[serde(default)]
    #[ts(optional)]
    pub to: Option<String>,
}

/// `audit.list`: newest first, keyset-paged with `before` (an entry id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditListRequest {
    #[serde(default)]
    #[ts(as = "Option<AuditFilter>", optional)]
    pub filter: AuditFilter,
    /// Return entries older than this id (the previous page's `nextBefore`).
    #[serde(default)]
    #[ts(optional)]
    pub before: Option<String>,
    /// Page size, 1–500 (default 100).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: String,
    /// RFC 3339.
    pub at: String,
    pub operator: String,
    /// Where it came from: `desktop`, `browser`, `cli` or `scheduler`;
    /// absent for entries written before Depot recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub origin: Option<String>,
    pub action: String,
    pub object: String,
    /// JSON text (no secrets), or null.
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next page; null on the last page.
    pub next_before: Option<String>,
    /// Distinct actions in the whole log, for the filter drop-down.
    pub actions: Vec<String>,
}

/// `audit.export`: CSV of every matching entry. With `path` (from the native
/// save dialog) the file is written there; without, the CSV text is returned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditExportRequest {
    #[serde(default)]
    #[ts(as = "Option<AuditFilter>", optional)]
    pub filter: AuditFilter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditExport {
    pub rows: u64,
    /// The CSV.
    pub csv: String,
}

impl From<AuditFilter> for depot_core::AuditFilter {
    fn from(f: AuditFilter) -> Self {
        Self {
            action: f.action,
            object: f.object,
            operator: f.operator,
            from: f.from,
            to: f.to,
        }
    }
}

impl From<depot_core::AuditPage> for AuditPage {
    fn from(page: depot_core::AuditPage) -> Self {
        Self {
            entries: page
                .entries
                .into_iter()
                .map(|e| AuditEntry {
                    id: e.id.to_string(),
                    at: e.at.rfc3339(),
                    operator: e.operator,
                    origin: e.origin,
                    action: e.action,
                    object: e.object,
                    before: e.before,
                    after: e.after,
                })
                .collect(),
            next_before: page.next_before.map(|id| id.to_string()),
            actions: page.actions,
        }
    }
}
