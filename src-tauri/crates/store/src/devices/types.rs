//! The device list's query, cursor, rows and facets.

use std::collections::HashMap;

use depot_domain::{ProfileId, ProfileStatus, RunId, TokenId, UnixSeconds};
use rusqlite::Row;

/// `DeviceQuery::last_result` value: devices never sent in an assignment run.
pub const LAST_RESULT_NONE: &str = "NONE";
/// `DeviceQuery::last_result` value: devices whose newest run has not answered
/// for them yet.
pub const LAST_RESULT_PENDING: &str = "PENDING";

/// Models listed in [`DeviceFacets::models`] (the most frequent ones).
pub const MODEL_FACET_LIMIT: usize = 50;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DeviceSort {
    #[default]
    Serial,
    Model,
    /// Apple's date the device was assigned to the MDM server (`assigned_at`);
    /// devices without one come first ascending, last descending.
    AssignedDate,
    /// Profile status (`empty`, `assigned`, `pushed`, `removed`, ...).
    Status,
}

/// Which Depot profile a device holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileFilter {
    /// Any version of this Depot profile.
    Profile(ProfileId),
    /// No profile, or a profile that is not one of Depot's (another tool's).
    NoDepotProfile,
}

/// What the device list shows. Every set field narrows the list; empty lists
/// and `None` do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceQuery {
    pub token: Option<TokenId>,
    /// Profile statuses (any of).
    pub statuses: Vec<ProfileStatus>,
    pub profile: Option<ProfileFilter>,
    /// Device families (any of), as stored (`iPad`, `Mac`, ...).
    pub families: Vec<String>,
    /// Models (any of), exactly as stored.
    pub models: Vec<String>,
    /// Devices of tokens carrying this scope tag.
    pub scope_tag: Option<String>,
    /// Name of the Depot profile the device holds, any case (PRO-17).
    pub enrollment_profile_name: Option<String>,
    /// The outcome of the device's newest assignment (`SUCCESS`,
    /// `NOT_ACCESSIBLE`, `FAILED`, `THROTTLED`), or [`LAST_RESULT_PENDING`] or
    /// [`LAST_RESULT_NONE`].
    pub last_result: Option<String>,
    /// Serials starting with this (any case).
    pub serial_prefix: Option<String>,
    /// Words that must each appear (any case) in the serial, model,
    /// description, color, asset tag or OS.
    pub text: Option<String>,
    /// Also devices Apple no longer lists for their token.
    pub include_removed: bool,
    pub sort: DeviceSort,
    pub descending: bool,
}

/// The value a sort orders by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SortValue {
    Text(String),
    Int(i64),
}

/// Where the next page starts: strictly after this row in the query's order.
/// Build it with [`DeviceCursor::after`] from the last row of a page, with the
/// same sort as the query it is used with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceCursor {
    pub value: SortValue,
    pub token_id: TokenId,
    pub serial: String,
}

impl DeviceCursor {
    pub fn after(row: &DeviceListRow, sort: DeviceSort) -> Self {
        let value = match sort {
            DeviceSort::Serial => SortValue::Text(row.serial.clone()),
            DeviceSort::Model => SortValue::Text(row.model.clone()),
            DeviceSort::Status => SortValue::Text(row.profile_status.clone()),
            DeviceSort::AssignedDate => SortValue::Int(row.assigned_at.map_or(0, UnixSeconds::get)),
        };
        Self {
            value,
            token_id: row.token_id,
            serial: row.serial.clone(),
        }
    }
}

/// A Depot profile version a device holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepotProfileRef {
    pub id: ProfileId,
    pub name: String,
    /// The version whose Apple uuid the device holds (maybe not the current).
    pub version: i64,
}

/// The device's newest row in an assignment run of its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastResult {
    pub run_id: RunId,
    /// `None` while the run has not sent the serial yet.
    pub outcome: Option<String>,
    pub at: Option<UnixSeconds>,
}

/// One device row of the list (and of the export and device detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceListRow {
    pub token_id: TokenId,
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
    pub depot_profile: Option<DepotProfileRef>,
    pub profile_assign_time: Option<UnixSeconds>,
    pub profile_push_time: Option<UnixSeconds>,
    /// Apple's date (and who) the device was assigned to the MDM server.
    pub assigned_at: Option<UnixSeconds>,
    pub assigned_by: Option<String>,
    /// Set when Apple no longer lists the device for the token.
    pub removed_at: Option<UnixSeconds>,
    pub last_result: Option<LastResult>,
}

/// A count of matching devices per value of one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFacet {
    /// `None`: no Depot profile.
    pub profile_id: Option<ProfileId>,
    pub name: Option<String>,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFacet {
    pub token_id: TokenId,
    pub token_name: String,
    pub count: u64,
}

/// Counts for the filter panel, each sorted by count (largest first), then
/// value. Faceted-search rule: each facet counts the devices matching every
/// filter of the query except its own (the status facet ignores `statuses`,
/// the token facet ignores `token`, the profile facet ignores `profile`, ...),
/// so the panel shows what choosing another value would give. Filters that
/// are no facet (scope tag, enrollment profile name, serial prefix, text,
/// removed devices) always apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceFacets {
    pub statuses: Vec<FacetCount>,
    pub families: Vec<FacetCount>,
    /// The [`MODEL_FACET_LIMIT`] most frequent models, plus any model the
    /// query filters on.
    pub models: Vec<FacetCount>,
    pub profiles: Vec<ProfileFacet>,
    /// Keys: outcomes, [`LAST_RESULT_PENDING`], [`LAST_RESULT_NONE`].
    pub last_results: Vec<FacetCount>,
    pub tokens: Vec<TokenFacet>,
}

/// Where a pasted serial stands, for the assignment preview (DEV-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialPlacement {
    /// Listed by Apple for the token the preview is for.
    OnToken {
        profile_uuid: Option<String>,
        profile_status: String,
        depot_profile: Option<DepotProfileRef>,
        /// Apple's device family (`iPad`, `Mac`, …), for the platform guards.
        family: String,
    },
    /// Listed for another token (the most recently updated one if several).
    OnOtherToken {
        token_id: TokenId,
        token_name: String,
    },
    /// Known to Depot only as removed (no token lists it any more).
    RemovedOnly,
    /// Never seen by Depot.
    Unknown,
}

pub(super) const DEVICE_COLUMNS: &str = "d.token_id, d.serial, d.model, d.description, d.color, \
     d.asset_tag, d.os, d.family, d.profile_status, d.profile_uuid, d.profile_assign_time, \
     d.profile_push_time, d.assigned_at, d.assigned_by, d.removed_at, d.last_run_id, \
     d.last_outcome, d.last_outcome_at";

/// Token names and Depot profiles by Apple uuid: small, read once per call so
/// that device queries touch only the devices table and keep its index order.
pub(super) struct Lookups {
    pub(super) tokens: HashMap<i64, String>,
    pub(super) profiles: HashMap<String, DepotProfileRef>,
}

impl Lookups {
    pub(super) fn row(&self, r: &Row<'_>) -> rusqlite::Result<DeviceListRow> {
        let token: i64 = r.get(0)?;
        let profile_uuid: Option<String> = r.get(9)?;
        let last_run: Option<RunId> = r.get(15)?;
        Ok(DeviceListRow {
            token_id: TokenId::new(token),
            token_name: self.tokens.get(&token).cloned().unwrap_or_default(),
            serial: r.get(1)?,
            model: r.get(2)?,
            description: r.get(3)?,
            color: r.get(4)?,
            asset_tag: r.get(5)?,
            os: r.get(6)?,
            family: r.get(7)?,
            profile_status: r.get(8)?,
            depot_profile: profile_uuid
                .as_deref()
                .and_then(|uuid| self.profiles.get(uuid))
                .cloned(),
            profile_uuid,
            profile_assign_time: r.get(10)?,
            profile_push_time: r.get(11)?,
            assigned_at: r.get(12)?,
            assigned_by: r.get(13)?,
            removed_at: r.get(14)?,
            last_result: match last_run {
                Some(run_id) => Some(LastResult {
                    run_id,
                    outcome: r.get(16)?,
                    at: r.get(17)?,
                }),
                None => None,
            },
        })
    }
}
