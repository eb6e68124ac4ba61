//! Handlers of the `devices.*` commands and of starting assignment runs.

use std::sync::Arc;

use depot_core::Depot;
use depot_core::assign::{AssignReason, AssignRequest};
use depot_domain::ProfileId;

use super::token_id;
use crate::dto::*;
use crate::{ApiError, ErrorCode};

fn profile_id(id: Option<&str>) -> Result<Option<ProfileId>, ApiError> {
    id.map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| {
            id.parse::<i64>().map(ProfileId::new).map_err(|_| {
                ApiError::new(
                    ErrorCode::InvalidInput,
                    format!("'{id}' is not a profile id"),
                )
            })
        })
        .transpose()
}

pub(super) fn devices_list(
    depot: Arc<Depot>,
    req: DeviceListRequest,
) -> Result<DevicePage, ApiError> {
    let query = req.query.to_query()?;
    let page = depot.list_devices(&query, req.cursor.as_deref(), req.limit.unwrap_or(100))?;
    Ok(DevicePage {
        rows: page.rows.iter().map(Into::into).collect(),
        next: page.next,
    })
}

pub(super) fn devices_count(
    depot: Arc<Depot>,
    req: DeviceQueryRequest,
) -> Result<DeviceCount, ApiError> {
    Ok(DeviceCount {
        count: depot.count_devices(&req.query.to_query()?)?,
    })
}

pub(super) fn devices_facets(
    depot: Arc<Depot>,
    req: DeviceQueryRequest,
) -> Result<DeviceFacetsDto, ApiError> {
    Ok(depot.device_facets(&req.query.to_query()?)?.into())
}

pub(super) fn devices_get(depot: Arc<Depot>, req: DeviceRef) -> Result<DeviceDetailDto, ApiError> {
    Ok(depot.device_detail(&req.serial)?.into())
}

pub(super) async fn devices_replacement(
    depot: Arc<Depot>,
    req: DeviceReplacementRequest,
) -> Result<DeviceReplacementDto, ApiError> {
    let answer = depot
        .device_replacement(token_id(&req.token_id)?, &req.serial)
        .await?;
    Ok((&answer).into())
}

pub(super) fn devices_export(
    depot: Arc<Depot>,
    req: DeviceExportRequest,
) -> Result<DeviceExport, ApiError> {
    let query = req.query.to_query()?;
    let mut buffer = Vec::new();
    let rows = depot.export_devices_csv(&query, &mut buffer)?;
    Ok(DeviceExport {
        rows,
        text: String::from_utf8_lossy(&buffer).into_owned(),
    })
}

pub(super) fn devices_delete(
    depot: Arc<Depot>,
    req: DeleteDevicesRequest,
) -> Result<DevicesDeleted, ApiError> {
    Ok(DevicesDeleted {
        deleted: depot.delete_devices(
            token_id(&req.token_id)?,
            &depot_core::devices::parse_serials(&req.serials)?,
        )?,
    })
}

pub(super) fn assignments_preview(
    depot: Arc<Depot>,
    req: AssignmentPreviewRequest,
) -> Result<AssignmentPreviewDto, ApiError> {
    let token = token_id(&req.token_id)?;
    let profile = profile_id(req.profile_id.as_deref())?;
    if let Some(query) = req.query {
        let mut query = query.to_query()?;
        query.token = Some(token);
        let serials = depot.matching_serials(&query)?;
        let mut preview: AssignmentPreviewDto = depot
            .preview_serials(token, profile, &serials, Vec::new(), 0)?
            .into();
        // Up to 200,000 serials: the run is started with the same filter.
        preview.to_send.clear();
        return Ok(preview);
    }
    let text = match (req.text, req.serials) {
        (Some(text), _) => text,
        (None, Some(serials)) => serials.join("\n"),
        (None, None) => {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "give the serial numbers (text, serials or a device filter)",
            ));
        }
    };
    Ok(depot.preview_assignment(token, profile, &text)?.into())
}

pub(super) fn assignments_start(
    depot: Arc<Depot>,
    req: AssignmentStartRequest,
) -> Result<AssignmentStarted, ApiError> {
    let token = token_id(&req.token_id)?;
    let profile = profile_id(req.profile_id.as_deref())?;
    let serials = match (req.serials, req.query) {
        (Some(serials), _) => depot_core::devices::parse_serials(&serials)?,
        (None, Some(query)) => {
            let mut query = query.to_query()?;
            query.token = Some(token);
            depot.matching_serials(&query)?
        }
        (None, None) => {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "give the serial numbers or a device filter",
            ));
        }
    };
    let run = depot.start_assignment(&AssignRequest {
        token,
        profile,
        serials,
        reason: AssignReason::Manual,
    })?;
    depot.spawn_assignment(run);
    Ok(AssignmentStarted {
        run: depot.assignment_summary(run)?.into(),
    })
}
