//! Devices (DEV-1..8): the paged list, facets, detail, export, the assignment
//! preview and starting assignment runs.

use depot_core::devices as core;
use depot_domain::TokenId;
use depot_domain::UnixSeconds;
use depot_domain::time::rfc3339;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto::AssignmentRun;
use crate::{ApiError, ErrorCode};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DeviceSortKey {
    #[default]
    Serial,
    Model,
    /// Apple's date the device was assigned to the MDM server.
    AssignedDate,
    Status,
}

/// Apple's profile status of a device, as a filter names it. Apple has
/// documented these four; a status it adds later shows in the facets as text
/// but cannot be filtered on until it is named here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ProfileStatus")]
pub enum ProfileStatusDto {
    Empty,
    Assigned,
    Pushed,
    Removed,
}

impl ProfileStatusDto {
    pub fn to_domain(self) -> depot_domain::ProfileStatus {
        use depot_domain::ProfileStatus as S;
        match self {
            Self::Empty => S::Empty,
            Self::Assigned => S::Assigned,
            Self::Pushed => S::Pushed,
            Self::Removed => S::Removed,
        }
    }
}

/// The device list's filters and sort. Absent/empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct DeviceQueryDto {
    #[ts(optional)]
    pub token_id: Option<String>,
    /// Profile statuses (any of).
    #[ts(optional)]
    pub statuses: Option<Vec<ProfileStatusDto>>,
    /// A Depot profile id, or `none` for devices without a Depot profile.
    #[ts(optional)]
    pub profile_id: Option<String>,
    #[ts(optional)]
    pub families: Option<Vec<String>>,
    #[ts(optional)]
    pub models: Option<Vec<String>>,
    #[ts(optional)]
    pub scope_tag: Option<String>,
    /// PRO-17: the name of the Depot profile the device holds (any case).
    #[ts(optional)]
    pub enrollment_profile_name: Option<String>,
    /// `SUCCESS`, `NOT_ACCESSIBLE`, `FAILED`, `THROTTLED`, `COOLDOWN`,
    /// `NOT_SENT`, `PENDING` or `NONE`.
    #[ts(optional)]
    pub last_result: Option<String>,
    #[ts(optional)]
    pub serial_prefix: Option<String>,
    /// Words matched in serial, model, description, color, asset tag, OS.
    #[ts(optional)]
    pub text: Option<String>,
    #[ts(optional)]
    pub include_removed: Option<bool>,
    #[ts(optional)]
    pub sort: Option<DeviceSortKey>,
    #[ts(optional)]
    pub descending: Option<bool>,
}

fn some_text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl DeviceQueryDto {
    pub fn to_query(&self) -> Result<core::DeviceQuery, ApiError> {
        let token = match some_text(&self.token_id) {
            Some(id) => Some(TokenId::new(id.parse::<i64>().map_err(|_| {
                ApiError::new(ErrorCode::InvalidInput, format!("'{id}' is not a token id"))
            })?)),
            None => None,
        };
        let profile = match some_text(&self.profile_id).as_deref() {
            None => None,
            Some("none") => Some(core::ProfileFilter::NoDepotProfile),
            Some(id) => Some(core::ProfileFilter::Profile(depot_domain::ProfileId::new(
                id.parse::<i64>().map_err(|_| {
                    ApiError::new(
                        ErrorCode::InvalidInput,
                        format!("'{id}' is not a profile id"),
                    )
                })?,
            ))),
        };
        Ok(core::DeviceQuery {
            token,
            statuses: self
                .statuses
                .iter()
                .flatten()
                .map(|s| s.to_domain())
                .collect(),
            profile,
            families: self.families.clone().unwrap_or_default(),
            models: self.models.clone().unwrap_or_default(),
            scope_tag: some_text(&self.scope_tag),
            // The acting person's scope is core's to apply.
            within: None,
            enrollment_profile_name: some_text(&self.enrollment_profile_name),
            last_result: some_text(&self.last_result),
            serial_prefix: some_text(&self.serial_prefix),
            text: some_text(&self.text),
            include_removed: self.include_removed.unwrap_or(false),
            sort: match self.sort.unwrap_or_default() {
                DeviceSortKey::Serial => core::DeviceSort::Serial,
                DeviceSortKey::Model => core::DeviceSort::Model,
                DeviceSortKey::AssignedDate => core::DeviceSort::AssignedDate,
                DeviceSortKey::Status => core::DeviceSort::Status,
            },
            descending: self.descending.unwrap_or(false),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceListRequest {
    #[serde(default)]
    pub query: DeviceQueryDto,
    /// From the previous page's `next`.
    #[serde(default)]
    #[ts(optional)]
    pub cursor: Option<String>,
    /// Rows per page (1–500, default 100).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceRow {
    pub token_id: String,
    pub token_name: String,
    pub serial: String,
    pub model: String,
    pub description: String,
    pub color: String,
    pub asset_tag: Option<String>,
    pub os: Option<String>,
    pub family: String,
    pub profile_status: String,
    pub profile_uuid: Option<String>,
    pub depot_profile_id: Option<String>,
    pub depot_profile_name: Option<String>,
    pub depot_profile_version: Option<i64>,
    pub profile_assigned_at: Option<String>,
    pub profile_pushed_at: Option<String>,
    /// Apple's date and operator of the device's assignment to the MDM server.
    pub assigned_at: Option<String>,
    pub assigned_by: Option<String>,
    pub removed_at: Option<String>,
    /// The newest assignment run's outcome for this device (null while waiting).
    pub last_result: Option<String>,
    pub last_result_at: Option<String>,
    pub last_run_id: Option<String>,
}

impl From<&core::DeviceListRow> for DeviceRow {
    fn from(r: &core::DeviceListRow) -> Self {
        DeviceRow {
            token_id: r.token_id.to_string(),
            token_name: r.token_name.clone(),
            serial: r.serial.clone(),
            model: r.model.clone(),
            description: r.description.clone(),
            color: r.color.clone(),
            asset_tag: r.asset_tag.clone(),
            os: r.os.clone(),
            family: r.family.clone(),
            profile_status: r.profile_status.clone(),
            profile_uuid: r.profile_uuid.clone(),
            depot_profile_id: r.depot_profile.as_ref().map(|p| p.id.to_string()),
            depot_profile_name: r.depot_profile.as_ref().map(|p| p.name.clone()),
            depot_profile_version: r.depot_profile.as_ref().map(|p| p.version),
            profile_assigned_at: r.profile_assign_time.map(UnixSeconds::rfc3339),
            profile_pushed_at: r.profile_push_time.map(UnixSeconds::rfc3339),
            assigned_at: r.assigned_at.map(UnixSeconds::rfc3339),
            assigned_by: r.assigned_by.clone(),
            removed_at: r.removed_at.map(UnixSeconds::rfc3339),
            last_result: r.last_result.as_ref().and_then(|l| l.outcome.clone()),
            last_result_at: r
                .last_result
                .as_ref()
                .and_then(|l| l.at)
                .map(UnixSeconds::rfc3339),
            last_run_id: r.last_result.as_ref().map(|l| l.run_id.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DevicePage {
    pub rows: Vec<DeviceRow>,
    /// The cursor of the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceQueryRequest {
    #[serde(default)]
    pub query: DeviceQueryDto,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCount {
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FacetValue {
    /// The filter value (`none` for "no Depot profile").
    pub value: String,
    pub label: String,
    pub count: u64,
}

/// Counts for the filter chips; each facet ignores its own filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceFacetsDto {
    pub statuses: Vec<FacetValue>,
    pub families: Vec<FacetValue>,
    pub models: Vec<FacetValue>,
    pub profiles: Vec<FacetValue>,
    pub last_results: Vec<FacetValue>,
    pub tokens: Vec<FacetValue>,
}

impl From<core::DeviceFacets> for DeviceFacetsDto {
    fn from(f: core::DeviceFacets) -> Self {
        let plain = |list: Vec<core::FacetCount>| {
            list.into_iter()
                .map(|c| FacetValue {
                    label: c.value.clone(),
                    value: c.value,
                    count: c.count,
                })
                .collect()
        };
        DeviceFacetsDto {
            statuses: plain(f.statuses),
            families: plain(f.families),
            models: plain(f.models),
            last_results: plain(f.last_results),
            profiles: f
                .profiles
                .into_iter()
                .map(|p| FacetValue {
                    value: p.profile_id.map_or("none".into(), |id| id.to_string()),
                    label: p.name.unwrap_or_else(|| "No Depot profile".into()),
                    count: p.count,
                })
                .collect(),
            tokens: f
                .tokens
                .into_iter()
                .map(|t| FacetValue {
                    value: t.token_id.to_string(),
                    label: t.token_name,
                    count: t.count,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceRef {
    pub serial: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceRecordDto {
    pub device: DeviceRow,
    /// The name the profile's template gives the device.
    pub rendered_name: Option<String>,
    /// When the device became this token's (new or back after removal).
    pub added_at: Option<String>,
    /// Apple's date of the last change Depot applied.
    pub apple_changed_at: Option<String>,
    pub updated_at: Option<String>,
    /// Not sent again before this time after a FAILED answer.
    pub cooldown_until: Option<String>,
    /// What syncs did to the device on this token, newest first (DEV-6).
    pub events: Vec<DeviceSyncEvent>,
    /// Apple's hardware identifiers and replacement flags (protocol 10).
    pub facts: DeviceFactsDto,
}

/// The protocol-10 facts of a device; empty lists and nulls when Apple did
/// not send them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceFactsDto {
    pub imei: Vec<String>,
    pub meid: Vec<String>,
    pub eid: Option<String>,
    pub wifi_mac: Option<String>,
    pub bluetooth_mac: Option<String>,
    pub ethernet_mac: Option<String>,
    /// Apple's `is_replacement_device`: the device took another's place.
    pub is_replacement: bool,
    /// Apple released this device because a replacement took its place.
    pub released_by_replacement: bool,
    /// Apple's replacement details, when Depot has asked already (else ask
    /// with `devices.replacement`).
    pub replacement: Option<DeviceReplacementDto>,
}

/// Apple's answer to "which device did this replacement device replace?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceReplacementDto {
    /// Null when Apple names no replaced device.
    pub original_serial: Option<String>,
    /// `YYYY-MM-DD` (UTC).
    pub replaced_on: Option<String>,
}

impl From<&core::ReplacementRow> for DeviceReplacementDto {
    fn from(r: &core::ReplacementRow) -> Self {
        DeviceReplacementDto {
            original_serial: r.original_serial.clone(),
            replaced_on: r.replaced_on.clone(),
        }
    }
}

/// `devices.replacement`: ask Apple (once; the answer is kept) which device
/// a replacement device replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceReplacementRequest {
    pub token_id: String,
    pub serial: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceSyncEvent {
    /// When Depot applied it.
    pub at: String,
    /// Apple's time of the change, when Apple gave one.
    pub apple_at: Option<String>,
    /// `added`, `modified`, `removed` or `returned` (back after removal).
    pub kind: String,
    /// `removed`: `released` (Apple released it) or `unlisted` (missing from a
    /// full fetch).
    pub reason: Option<String>,
    /// `modified`: the fields Apple changed.
    pub changes: Vec<DeviceFieldChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceFieldChange {
    /// Apple's field: `profile_status`, `profile_uuid`, `model`, `description`,
    /// `color`, `os`, `asset_tag`, `family`, `assigned_by`,
    /// `profile_assign_time`, `profile_push_time`, `assigned_at`; `imei`,
    /// `meid` (comma-separated lists), `eid`, `wifi_mac`, `bluetooth_mac`,
    /// `ethernet_mac`, `is_replacement`.
    pub field: String,
    /// Times as RFC 3339.
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<&core::DeviceEventRow> for DeviceSyncEvent {
    fn from(e: &core::DeviceEventRow) -> Self {
        let mut reason = None;
        let mut changes = Vec::new();
        match e.kind.as_str() {
            "modified" => {
                let list: Vec<serde_json::Value> = e
                    .detail
                    .as_deref()
                    .and_then(|d| serde_json::from_str(d).ok())
                    .unwrap_or_default();
                let value = |v: &serde_json::Value| match v {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) => n.as_i64().map(rfc3339),
                    other => Some(other.to_string()),
                };
                for change in &list {
                    changes.push(DeviceFieldChange {
                        field: change["field"].as_str().unwrap_or_default().to_owned(),
                        before: value(&change["before"]),
                        after: value(&change["after"]),
                    });
                }
            }
            _ => reason = e.detail.clone(),
        }
        DeviceSyncEvent {
            at: e.at.rfc3339(),
            apple_at: e.op_date.map(UnixSeconds::rfc3339),
            kind: e.kind.clone(),
            reason,
            changes,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceHistoryEntry {
    pub run_id: String,
    pub kind: super::RunKind,
    pub reason: super::RunReason,
    pub profile_id: Option<String>,
    pub profile_name: Option<String>,
    pub profile_version: Option<i64>,
    pub operator: String,
    pub outcome: Option<String>,
    pub detail: Option<String>,
    pub at: Option<String>,
    pub started_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceDetailDto {
    pub serial: String,
    pub records: Vec<DeviceRecordDto>,
    pub history: Vec<DeviceHistoryEntry>,
}

impl From<core::DeviceDetail> for DeviceDetailDto {
    fn from(d: core::DeviceDetail) -> Self {
        DeviceDetailDto {
            serial: d.serial,
            records: d
                .records
                .iter()
                .map(|r| DeviceRecordDto {
                    device: (&r.row).into(),
                    rendered_name: r.rendered_name.clone(),
                    added_at: r.added_at.map(UnixSeconds::rfc3339),
                    apple_changed_at: r.op_date.map(UnixSeconds::rfc3339),
                    updated_at: r.updated_at.map(UnixSeconds::rfc3339),
                    cooldown_until: r.cooldown_until.map(UnixSeconds::rfc3339),
                    events: r.events.iter().map(Into::into).collect(),
                    facts: DeviceFactsDto {
                        imei: r.facts.imei.clone(),
                        meid: r.facts.meid.clone(),
                        eid: r.facts.eid.clone(),
                        wifi_mac: r.facts.wifi_mac.clone(),
                        bluetooth_mac: r.facts.bluetooth_mac.clone(),
                        ethernet_mac: r.facts.ethernet_mac.clone(),
                        is_replacement: r.facts.is_replacement == Some(true),
                        released_by_replacement: r.facts.released_by_replacement == Some(true),
                        replacement: r.replacement.as_ref().map(Into::into),
                    },
                })
                .collect(),
            history: d
                .history
                .iter()
                .map(|h| DeviceHistoryEntry {
                    run_id: h.run_id.to_string(),
                    kind: h.kind.into(),
                    reason: h.reason.into(),
                    profile_id: h.profile_id.map(|p| p.to_string()),
                    profile_name: h.profile_id.and_then(|p| d.profile_names.get(&p).cloned()),
                    profile_version: h.profile_version,
                    operator: h.operator.clone(),
                    outcome: h.outcome.map(|o| o.as_str().to_owned()),
                    detail: h.detail.clone(),
                    at: h.at.map(UnixSeconds::rfc3339),
                    started_at: h.started_at.rfc3339(),
                })
                .collect(),
        }
    }
}

/// `devices.export`: the filtered list as CSV text; the desktop shell's save
/// dialog or a browser download turns it into a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceExportRequest {
    #[serde(default)]
    pub query: DeviceQueryDto,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceExport {
    pub rows: u64,
    /// The CSV.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteDevicesRequest {
    pub token_id: String,
    pub serials: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DevicesDeleted {
    pub deleted: u64,
}

/// `assignments.preview`: pasted text or an imported CSV/TXT file's text
/// (`text`), or serials already chosen (`serials`). No `profileId`: a removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignmentPreviewRequest {
    pub token_id: String,
    #[serde(default)]
    #[ts(optional)]
    pub profile_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub text: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub serials: Option<Vec<String>>,
    /// Every device of the token matching this filter ("all N matching").
    #[serde(default)]
    #[ts(optional)]
    pub query: Option<DeviceQueryDto>,
}

/// Most preview rows one answer carries; counts always cover every serial.
pub const PREVIEW_MAX_ROWS: usize = 5_000;

/// How the assignment preview classifies a serial (DEV-2, PLT-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PreviewClass")]
pub enum PreviewClassDto {
    /// On this token; sent.
    Ready,
    /// Not synced into Depot; sent, Apple decides.
    Unknown,
    /// Apple lists it for another token; not sent.
    OtherToken,
    /// Already holds this profile's current version; not sent.
    AlreadyOnProfile,
    /// Failed less than 24 hours ago; not sent.
    Cooldown,
    /// Already set up; sent, applies after an erase.
    SetUp,
    /// Known only as removed from its token; not sent.
    Removed,
    /// Another platform's profile, or Shared iPad on a non-iPad; never sent.
    Refused,
}

shown_as_wire_name!(PreviewClassDto);

impl From<depot_core::devices::PreviewClass> for PreviewClassDto {
    fn from(class: depot_core::devices::PreviewClass) -> Self {
        use depot_core::devices::PreviewClass as C;
        match class {
            C::Ready => Self::Ready,
            C::Unknown => Self::Unknown,
            C::OtherToken => Self::OtherToken,
            C::AlreadyOnProfile => Self::AlreadyOnProfile,
            C::Cooldown => Self::Cooldown,
            C::SetUp => Self::SetUp,
            C::Removed => Self::Removed,
            C::Refused => Self::Refused,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRowDto {
    pub serial: String,
    pub class: PreviewClassDto,
    pub detail: String,
    /// Whether confirming sends this serial.
    pub will_send: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BadRowDto {
    pub line: u64,
    pub text: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentPreviewDto {
    pub rows: Vec<PreviewRowDto>,
    pub bad_rows: Vec<BadRowDto>,
    pub duplicates: u64,
    /// Counts per class (every serial, also beyond the rows shown).
    pub counts: Vec<FacetValue>,
    /// How many serials were checked; `rows` holds the first
    /// `PREVIEW_MAX_ROWS` of them when `truncated`.
    pub total: u64,
    pub truncated: bool,
    /// How many serials confirming sends.
    pub send_count: u64,
    /// The serials confirming sends (for a device filter: empty, start the
    /// run with the same filter instead).
    pub to_send: Vec<String>,
    /// What to know before confirming (e.g. too few Company Portal
    /// licences for the profile's devices).
    pub warnings: Vec<String>,
}

impl From<core::AssignmentPreview> for AssignmentPreviewDto {
    fn from(p: core::AssignmentPreview) -> Self {
        let mut counts: Vec<FacetValue> = Vec::new();
        for row in &p.rows {
            match counts.iter_mut().find(|c| c.value == row.class.as_str()) {
                Some(c) => c.count += 1,
                None => counts.push(FacetValue {
                    value: row.class.as_str().to_owned(),
                    label: row.class.as_str().to_owned(),
                    count: 1,
                }),
            }
        }
        let truncated = p.rows.len() > PREVIEW_MAX_ROWS;
        AssignmentPreviewDto {
            warnings: p.warnings.clone(),
            total: p.rows.len() as u64,
            truncated,
            send_count: p.to_send.len() as u64,
            rows: p
                .rows
                .iter()
                .take(PREVIEW_MAX_ROWS)
                .map(|r| PreviewRowDto {
                    serial: r.serial.clone(),
                    class: r.class.into(),
                    detail: r.detail.clone(),
                    will_send: r.class.is_sent(),
                })
                .collect(),
            bad_rows: p
                .bad_rows
                .iter()
                .map(|b| BadRowDto {
                    line: b.line as u64,
                    text: b.text.clone(),
                    reason: b.reason.clone(),
                })
                .collect(),
            duplicates: p.duplicates as u64,
            counts,
            to_send: p.to_send,
        }
    }
}

/// `assignments.start`: sends `profileId` (or removes profiles when absent)
/// to `serials`, or to every device matching `query` ("select all N matching").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignmentStartRequest {
    pub token_id: String,
    #[serde(default)]
    #[ts(optional)]
    pub profile_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub serials: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional)]
    pub query: Option<DeviceQueryDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentStarted {
    pub run: AssignmentRun,
}
