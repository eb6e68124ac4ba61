//! Handlers of the `profiles.*`, `settings.enrollment*` and `assignments.*` commands.

use std::sync::Arc;

use depot_core::Depot;
use depot_domain::{ProfileId, RunId};

use super::token_id;
use crate::dto::*;
use crate::{ApiError, ErrorCode};

fn profile_id(id: &str) -> Result<ProfileId, ApiError> {
    id.trim().parse::<i64>().map(ProfileId::new).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidInput,
            format!("'{id}' is not a profile id"),
        )
    })
}

fn run_id(id: &str) -> Result<RunId, ApiError> {
    id.trim().parse::<i64>().map(RunId::new).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidInput,
            format!("'{id}' is not an assignment run id"),
        )
    })
}

pub(super) fn profiles_catalogue(_: Arc<Depot>, _: Empty) -> Result<SkipKeyCatalogue, ApiError> {
    SkipKeyCatalogue::build()
}

pub(super) fn profiles_list(
    depot: Arc<Depot>,
    req: ProfileListRequest,
) -> Result<ProfileList, ApiError> {
    let token = req.token_id.as_deref().map(token_id).transpose()?;
    Ok(ProfileList {
        profiles: depot
            .list_profiles(token)?
            .into_iter()
            .map(Into::into)
            .collect(),
    })
}

pub(super) fn profiles_get(depot: Arc<Depot>, req: ProfileRef) -> Result<ProfileDetail, ApiError> {
    depot.profile_detail(profile_id(&req.id)?)?.try_into()
}

pub(super) fn profiles_check(
    depot: Arc<Depot>,
    req: ProfileCheckRequest,
) -> Result<ProfileCheck, ApiError> {
    let token = token_id(&req.token_id)?;
    let editing = req.editing.as_deref().map(profile_id).transpose()?;
    let spec = req.draft.to_spec()?;
    let check = depot.check_profile(token, &spec, editing)?;
    Ok(ProfileCheck::from_core(check, depot.clock().now()))
}

pub(super) async fn profiles_create(
    depot: Arc<Depot>,
    req: ProfileCreateRequest,
) -> Result<ProfileDetail, ApiError> {
    let spec = req.draft.to_spec()?;
    depot
        .create_profile(token_id(&req.token_id)?, &spec)
        .await?
        .try_into()
}

fn saved(outcome: depot_core::profiles::EditOutcome) -> Result<ProfileSaved, ApiError> {
    Ok(ProfileSaved {
        detail: outcome.detail.try_into()?,
        reassignment: outcome.reassignment.map(Into::into),
    })
}

pub(super) async fn profiles_edit(
    depot: Arc<Depot>,
    req: ProfileEditRequest,
) -> Result<ProfileSaved, ApiError> {
    let spec = req.draft.to_spec()?;
    saved(depot.edit_profile(profile_id(&req.id)?, &spec).await?)
}

pub(super) async fn profiles_retry_upload(
    depot: Arc<Depot>,
    req: ProfileRef,
) -> Result<ProfileSaved, ApiError> {
    saved(depot.retry_profile_upload(profile_id(&req.id)?).await?)
}

pub(super) async fn profiles_duplicate(
    depot: Arc<Depot>,
    req: ProfileDuplicateRequest,
) -> Result<ProfileDetail, ApiError> {
    depot
        .duplicate_profile(profile_id(&req.id)?, &req.name)
        .await?
        .try_into()
}

pub(super) fn profiles_set_default(
    depot: Arc<Depot>,
    req: ProfileRef,
) -> Result<ProfileSummary, ApiError> {
    Ok(depot.set_default_profile(profile_id(&req.id)?)?.into())
}

pub(super) fn profiles_clear_default(
    depot: Arc<Depot>,
    req: ClearDefaultRequest,
) -> Result<Empty, ApiError> {
    let platform = depot_domain::profile::ApplePlatform::from_name(req.platform.trim())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "'{}' is not a platform; use iOS, macOS, tvOS or visionOS",
                    req.platform
                ),
            )
        })?;
    depot.clear_default_profile(token_id(&req.token_id)?, platform)?;
    Ok(Empty {})
}

pub(super) fn profiles_delete(depot: Arc<Depot>, req: ProfileRef) -> Result<Empty, ApiError> {
    depot.delete_profile(profile_id(&req.id)?)?;
    Ok(Empty {})
}

pub(super) async fn profiles_import(
    depot: Arc<Depot>,
    req: ProfileImportRequest,
) -> Result<ProfileDetail, ApiError> {
    depot
        .import_profile(token_id(&req.token_id)?, &req.text)
        .await?
        .try_into()
}

fn exported((file_name, text): (String, String)) -> ExportedFile {
    ExportedFile { file_name, text }
}

pub(super) fn profiles_export(
    depot: Arc<Depot>,
    req: ProfileExportRequest,
) -> Result<ExportedFile, ApiError> {
    Ok(exported(depot.export_profile(profile_id(&req.id)?)?))
}

pub(super) fn profiles_export_apple(
    depot: Arc<Depot>,
    req: ProfileExportRequest,
) -> Result<ExportedFile, ApiError> {
    Ok(exported(depot.export_apple_json(profile_id(&req.id)?)?))
}

pub(super) fn profiles_diff(
    depot: Arc<Depot>,
    req: ProfileDiffRequest,
) -> Result<ProfileDiff, ApiError> {
    let changes = depot.profile_diff(profile_id(&req.id)?, req.from, req.to)?;
    Ok(ProfileDiff {
        from: req.from,
        to: req.to,
        changes: changes.into_iter().map(Into::into).collect(),
    })
}

pub(super) fn profiles_handoff(
    depot: Arc<Depot>,
    req: HandoffRequest,
) -> Result<Handoff, ApiError> {
    let files = depot.profile_handoff(profile_id(&req.id)?)?;
    Ok(Handoff {
        files: files
            .into_iter()
            .map(|f| HandoffFileDto {
                name: f.name,
                text: String::from_utf8_lossy(&f.contents).into_owned(),
            })
            .collect(),
    })
}

pub(super) fn settings_enrollment(
    depot: Arc<Depot>,
    _: Empty,
) -> Result<EnrollmentSettings, ApiError> {
    Ok(depot.enrollment_settings()?.into())
}

pub(super) fn settings_set_enrollment(
    depot: Arc<Depot>,
    req: SetEnrollmentUrlsRequest,
) -> Result<EnrollmentSettings, ApiError> {
    let token = req.token_id.as_deref().map(token_id).transpose()?;
    Ok(depot
        .set_enrollment_urls(
            token,
            req.enrollment_url.as_deref(),
            req.configuration_web_url.as_deref(),
        )?
        .into())
}

pub(super) fn assignments_get(
    depot: Arc<Depot>,
    req: AssignmentRef,
) -> Result<AssignmentRun, ApiError> {
    Ok(depot.assignment_summary(run_id(&req.id)?)?.into())
}

pub(super) fn assignments_results(
    depot: Arc<Depot>,
    req: AssignmentRef,
) -> Result<AssignmentResults, ApiError> {
    let run = run_id(&req.id)?;
    Ok(AssignmentResults {
        run: depot.assignment_summary(run)?.into(),
        results: depot
            .assignment_results(run)?
            .into_iter()
            .map(Into::into)
            .collect(),
    })
}

pub(super) fn assignments_cancel(depot: Arc<Depot>, req: AssignmentRef) -> Result<Empty, ApiError> {
    depot.cancel_assignment(run_id(&req.id)?)?;
    Ok(Empty {})
}

pub(super) fn assignments_history(
    depot: Arc<Depot>,
    req: AssignmentHistoryRequest,
) -> Result<AssignmentHistory, ApiError> {
    let token = req.token_id.as_deref().map(token_id).transpose()?;
    Ok(AssignmentHistory {
        runs: depot
            .assignment_history(token, 50)?
            .into_iter()
            .map(Into::into)
            .collect(),
    })
}
