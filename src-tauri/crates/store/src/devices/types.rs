//! The device list's query, cursor, rows and facets: the types are
//! `depot_domain::records`; here is how rows are read.

pub use depot_domain::records::{
    DepotProfileRef, DeviceCursor, DeviceFacets, DeviceListRow, DeviceQuery, DeviceSort,
    FacetCount, LAST_RESULT_NONE, LAST_RESULT_PENDING, LastResult, MODEL_FACET_LIMIT, ProfileFacet,
    ProfileFilter, SerialPlacement, SortValue, TokenFacet,
};

use std::collections::HashMap;

use depot_domain::{RunId, TokenId};
use rusqlite::Row;

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
