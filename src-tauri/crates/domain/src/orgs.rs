//! Apple Business/School Manager API (issue 17): what Depot keeps of an
//! organisation, as the store reads it and core hands it on.

use crate::{TokenId, UnixSeconds};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccountRow {
    pub id: i64,
    pub name: String,
    /// `business` / `school`.
    pub kind: String,
    pub client_id: String,
    pub key_id: String,
    /// `apple`, or a simulator's base URL.
    pub api_url: String,
    pub last_sync_at: Option<UnixSeconds>,
    pub last_error: Option<String>,
    pub created_at: UnixSeconds,
    /// The last try to read the organisation, successful or not.
    pub last_attempt_at: Option<UnixSeconds>,
    /// The first failed try since the last success.
    pub failing_since: Option<UnixSeconds>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgServerRow {
    pub account_id: i64,
    pub id: String,
    pub name: String,
    pub server_type: String,
    pub token_id: Option<TokenId>,
    pub devices: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrgDeviceRow {
    pub account_id: i64,
    pub serial: String,
    /// `ASSIGNED` / `UNASSIGNED`.
    pub status: String,
    pub server_id: Option<String>,
    pub model: String,
    pub family: String,
    pub color: String,
    pub capacity: String,
    pub part_number: String,
    pub order_number: String,
    pub ordered_at: Option<UnixSeconds>,
    pub purchase_source_type: String,
    pub purchase_source_id: String,
    pub added_at: Option<UnixSeconds>,
    pub updated_at: Option<UnixSeconds>,
    pub released_at: Option<UnixSeconds>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgActivityRow {
    pub id: String,
    pub account_id: i64,
    /// `assign` / `unassign`.
    pub kind: String,
    pub server_id: String,
    pub server_name: String,
    /// JSON array of serials.
    pub serials: String,
    pub status: String,
    pub sub_status: String,
    /// JSON `[{serial, result, message}]`, once Apple's log was read.
    pub results: Option<String>,
    pub error: Option<String>,
    pub operator: String,
    pub created_at: UnixSeconds,
    pub finished_at: Option<UnixSeconds>,
    pub token_synced: bool,
}
