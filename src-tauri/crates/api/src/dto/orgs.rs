//! Apple Business/School Manager API (issue 17, ORG): accounts, the
//! organisation's devices, and assign/unassign activities.

use depot_core::orgs::{
    CoverageRecord, OrgAccountInfo, OrgActivityInfo, OrgDeviceView, OrgPreview,
};
use depot_domain::UnixSeconds;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::TokenFile;

fn time(t: Option<UnixSeconds>) -> Option<String> {
    t.map(UnixSeconds::rfc3339)
}

/// An MDM server of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgServerDto {
    pub id: String,
    pub name: String,
    /// `MDM`, `APPLE_CONFIGURATOR`, `APPLE_MDM`.
    pub server_type: String,
    /// Depot's ADE token for this server (same server name), if any.
    pub token_id: Option<String>,
    /// Devices assigned to it, as of the last sync.
    pub devices: u64,
}

/// An API account (never its key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgAccountDto {
    pub id: String,
    pub name: String,
    /// `business` / `school`.
    pub kind: String,
    pub client_id: String,
    pub key_id: String,
    /// `apple`, or the simulator's base URL.
    pub api_url: String,
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
    /// RFC 3339: the first failed read since the last good one (null while
    /// reads succeed).
    pub failing_since: Option<String>,
    /// RFC 3339: when the schedule reads the organisation next (12 hours
    /// after a good read, an hour after a failed one; while Depot runs).
    pub next_sync_at: String,
    pub devices: u64,
    pub assigned: u64,
    pub unassigned: u64,
    pub released: u64,
    pub servers: Vec<OrgServerDto>,
}

impl From<OrgAccountInfo> for OrgAccountDto {
    fn from(a: OrgAccountInfo) -> Self {
        Self {
            id: a.row.id.to_string(),
            name: a.row.name,
            kind: a.row.kind,
            client_id: a.row.client_id,
            key_id: a.row.key_id,
            api_url: a.row.api_url,
            last_sync_at: time(a.row.last_sync_at),
            last_error: a.row.last_error,
            failing_since: time(a.row.failing_since),
            next_sync_at: a.next_sync_at.rfc3339(),
            devices: a.devices,
            assigned: a.assigned,
            unassigned: a.unassigned,
            released: a.released,
            servers: a
                .servers
                .into_iter()
                .map(|s| OrgServerDto {
                    id: s.id,
                    name: s.name,
                    server_type: s.server_type,
                    token_id: s.token_id.map(|t| t.get().to_string()),
                    devices: s.devices,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgAccountList {
    pub accounts: Vec<OrgAccountDto>,
}

/// `org.add`: an API account from Apple's portal (Preferences → API).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddOrgAccountRequest {
    /// Depot's name for it (default: the client id).
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    /// `BUSINESSAPI.…` or `SCHOOLAPI.…`.
    pub client_id: String,
    pub key_id: String,
    /// The private key `.pem` Apple's portal downloaded.
    pub key: TokenFile,
    /// Apple School Manager.
    #[serde(default)]
    pub school: bool,
    /// A simulator's base URL (test setting).
    #[serde(default)]
    #[ts(optional)]
    pub api_url: Option<String>,
}

/// An account by name, client id or id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgAccountRef {
    pub id: String,
}

/// `org.sync`: one account, or every one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgSyncRequest {
    #[serde(default)]
    #[ts(optional)]
    pub id: Option<String>,
}

/// `org.devices` / `org.export`: filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgDeviceListRequest {
    #[serde(default)]
    #[ts(optional)]
    pub account: Option<String>,
    /// `assigned` / `unassigned`.
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<String>,
    /// An MDM server's name or id.
    #[serde(default)]
    #[ts(optional)]
    pub server: Option<String>,
    /// Part of the serial, model, family, order number or colour.
    #[serde(default)]
    #[ts(optional)]
    pub search: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// One device the organisation owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgDeviceDto {
    pub serial: String,
    /// `ASSIGNED` / `UNASSIGNED`.
    pub status: String,
    pub server_id: Option<String>,
    pub server_name: Option<String>,
    /// Depot's ADE token of its server, if any.
    pub token_id: Option<String>,
    pub model: String,
    pub family: String,
    pub color: String,
    pub capacity: String,
    pub part_number: String,
    pub order_number: String,
    pub ordered_at: Option<String>,
    /// `APPLE`, `RESELLER`, `MANUALLY_ADDED`.
    pub purchase_source_type: String,
    pub purchase_source_id: String,
    pub added_at: Option<String>,
    pub updated_at: Option<String>,
    pub released_at: Option<String>,
}

impl From<OrgDeviceView> for OrgDeviceDto {
    fn from(v: OrgDeviceView) -> Self {
        let d = v.device;
        Self {
            serial: d.serial,
            status: d.status,
            server_id: d.server_id,
            server_name: v.server_name,
            token_id: v.token_id.map(|t| t.get().to_string()),
            model: d.model,
            family: d.family,
            color: d.color,
            capacity: d.capacity,
            part_number: d.part_number,
            order_number: d.order_number,
            ordered_at: time(d.ordered_at),
            purchase_source_type: d.purchase_source_type,
            purchase_source_id: d.purchase_source_id,
            added_at: time(d.added_at),
            updated_at: time(d.updated_at),
            released_at: time(d.released_at),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgDevicePage {
    pub devices: Vec<OrgDeviceDto>,
}

/// `org.export`: the CSV text (the desktop saves it, a browser downloads it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgDeviceExport {
    pub rows: u64,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgDeviceRef {
    pub serial: String,
}

/// One AppleCare (or warranty) coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CoverageDto {
    pub description: String,
    /// `ACTIVE` / `INACTIVE`.
    pub status: String,
    pub payment_type: String,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub renewable: bool,
    pub canceled: bool,
    pub agreement_number: Option<String>,
}

impl From<CoverageRecord> for CoverageDto {
    fn from(c: CoverageRecord) -> Self {
        Self {
            description: c.description,
            status: c.status,
            payment_type: c.payment_type,
            starts_at: time(c.starts_at),
            ends_at: time(c.ends_at),
            renewable: c.renewable,
            canceled: c.canceled,
            agreement_number: c.agreement_number,
        }
    }
}

/// `org.device`: a device with its AppleCare coverage, read from Apple now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgDeviceDetail {
    pub device: OrgDeviceDto,
    pub coverage: Vec<CoverageDto>,
}

/// `org.preview` / `org.start`: assign to or unassign from an MDM server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgActivityRequest {
    #[serde(default)]
    #[ts(optional)]
    pub account: Option<String>,
    /// `assign` / `unassign`.
    pub kind: String,
    /// The MDM server's name or id.
    pub server: String,
    pub serials: Vec<String>,
}

/// A serial on another server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SerialOnServer {
    pub serial: String,
    pub server: String,
}

/// What an assign/unassign would do, before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgPreviewDto {
    pub server_id: String,
    pub server_name: String,
    pub token_id: Option<String>,
    /// Sent to Apple.
    pub will_change: Vec<String>,
    /// Assign: already on the server; unassign: not on it.
    pub already: Vec<String>,
    /// Assign: on another server now (the activity moves them).
    pub other_server: Vec<SerialOnServer>,
    /// Released from the organisation: left out.
    pub released: Vec<String>,
    /// Not in the organisation (as of the last sync): left out.
    pub unknown: Vec<String>,
}

impl From<OrgPreview> for OrgPreviewDto {
    fn from(p: OrgPreview) -> Self {
        Self {
            server_id: p.server_id,
            server_name: p.server_name,
            token_id: p.token_id.map(|t| t.get().to_string()),
            will_change: p.will_change,
            already: p.already,
            other_server: p
                .other_server
                .into_iter()
                .map(|(serial, server)| SerialOnServer { serial, server })
                .collect(),
            released: p.released,
            unknown: p.unknown,
        }
    }
}

/// One device's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgActivityResultDto {
    pub serial: String,
    /// As Apple's log says (`SUCCESS`, `FAILED` …).
    pub result: String,
    pub message: String,
}

/// An activity Depot started and follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgActivityDto {
    pub id: String,
    /// `assign` / `unassign`.
    pub kind: String,
    pub server_id: String,
    pub server_name: String,
    pub serials: Vec<String>,
    /// Apple's `IN_PROGRESS`, `COMPLETED`, `FAILED`, `STOPPED`.
    pub status: String,
    pub sub_status: String,
    pub results: Vec<OrgActivityResultDto>,
    pub error: Option<String>,
    pub operator: String,
    pub created_at: String,
    /// Set once Depot read Apple's log.
    pub finished_at: Option<String>,
    /// The server's ADE token was synced afterwards.
    pub token_synced: bool,
}

impl From<OrgActivityInfo> for OrgActivityDto {
    fn from(a: OrgActivityInfo) -> Self {
        Self {
            id: a.row.id,
            kind: a.row.kind,
            server_id: a.row.server_id,
            server_name: a.row.server_name,
            serials: a.serials,
            status: a.row.status,
            sub_status: a.row.sub_status,
            results: a
                .results
                .into_iter()
                .map(|r| OrgActivityResultDto {
                    serial: r.serial,
                    result: r.result,
                    message: r.message,
                })
                .collect(),
            error: a.row.error,
            operator: a.row.operator,
            created_at: a.row.created_at.rfc3339(),
            finished_at: time(a.row.finished_at),
            token_synced: a.row.token_synced,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrgActivityList {
    pub activities: Vec<OrgActivityDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgActivityRef {
    pub id: String,
}
