//! Enrollment profiles (PRO-13..18): create and upload, versions on edit with
//! re-assignment, the default profile per token, import/export, and the
//! enrollment URL settings the Apple JSON needs.
//!
//! A profile version is written (with the exact Apple JSON) before it is sent;
//! Apple's answer is recorded afterwards. A failed or interrupted upload leaves
//! the version "not uploaded", to be retried — never half a profile.

use std::sync::Arc;

use depot_domain::TokenId;
use depot_domain::limits::MAX_PROFILES_PER_TOKEN;
use depot_domain::profile::{
    ApplePlatform, CertificateSummary, ProfileField, ProfileProblem, ProfileSpec, ValidProfile,
};
pub use depot_domain::records::UploadState;
use depot_domain::{ProfileId, UnixSeconds};
use depot_store::Db;
use depot_store::profiles::{NewProfileVersion, ProfileRow, ProfileVersionRow};
use depot_store::tokens::TokenRow;
use serde_json::{Value, json};

use crate::assign::{AssignReason, AssignRequest, AssignmentSummary};
use crate::audit::AuditEvent;
use crate::audit::{profile_object, token_object};
use crate::stored::stored_spec;
use crate::{CoreError, Depot, Result};

mod settings;
mod upload;

pub use depot_domain::profile::{FieldChange, diff_specs, group_rule};
use depot_domain::profile::{device_name_preview, licensing_note};
pub use settings::{
    DEMO_CONFIGURATION_WEB_URL, DEMO_ENROLLMENT_URL, EnrollmentSettings, TokenEnrollmentUrls,
};

/// A profile as the list shows it (PRO-15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileOverview {
    pub id: ProfileId,
    pub token_id: TokenId,
    pub token_name: String,
    pub name: String,
    pub description: Option<String>,
    /// Fixed at creation (PLT-1).
    pub platform: ApplePlatform,
    pub version: i64,
    pub device_count: u64,
    /// The token's default for this platform (PLT-2).
    pub is_default: bool,
    pub created_at: UnixSeconds,
    pub updated_at: UnixSeconds,
    pub upload: UploadInfo,
}

/// Whether a version reached Apple, and Apple's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadInfo {
    pub state: UploadState,
    pub apple_uuid: Option<String>,
    pub uploaded_at: Option<UnixSeconds>,
    pub error: Option<String>,
    /// The `depot.profile/v1` path Apple's refusal points at, when known.
    pub error_field: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileVersionInfo {
    pub version: i64,
    pub created_at: UnixSeconds,
    pub created_by: String,
    pub upload: UploadInfo,
}

/// Everything the profile detail shows.
#[derive(Debug, Clone)]
pub struct ProfileDetail {
    pub overview: ProfileOverview,
    pub spec: ProfileSpec,
    /// The current version as a `depot.profile/v1` file.
    pub spec_file: String,
    /// The exact JSON of the current version, pretty-printed.
    pub apple_json: String,
    pub warnings: Vec<ProfileProblem>,
    pub versions: Vec<ProfileVersionInfo>,
    /// PRO-17: the dynamic group rule matching this profile's devices.
    pub group_rule: String,
    /// DEV-8: the license each enrolled device needs.
    pub licensing_note: String,
}

/// What the wizard shows while the admin types (per-step validation, Review).
#[derive(Debug, Clone)]
pub struct ProfileCheck {
    pub problems: Vec<ProfileProblem>,
    pub warnings: Vec<ProfileProblem>,
    /// The JSON that would be uploaded, when there are no problems.
    pub apple_json: Option<String>,
    /// One entry per configurator certificate, in order.
    pub certificates: Vec<Result<CertificateSummary, String>>,
    /// The name template rendered on a sample device.
    pub device_name_preview: Option<String>,
    pub licensing_note: String,
}

/// The result of an edit: the new version, and the re-assignment it started.
#[derive(Debug, Clone)]
pub struct EditOutcome {
    pub detail: ProfileDetail,
    pub reassignment: Option<AssignmentSummary>,
}

pub use crate::handoff::HandoffFile;

impl Depot {
    // ----- reading -------------------------------------------------------------

    /// The profiles of `token` (or of every token) the acting person may see.
    pub fn list_profiles(&self, token: Option<TokenId>) -> Result<Vec<ProfileOverview>> {
        let db = self.workspace.connect()?;
        if let Some(token) = token {
            self.token_row(&db, token)?;
        }
        let scope = self.scope()?;
        Ok(db
            .list_profiles(token)?
            .iter()
            .filter(|p| scope.contains(p.token_id))
            .map(overview)
            .collect())
    }

    pub fn profile_detail(&self, id: ProfileId) -> Result<ProfileDetail> {
        let db = self.workspace.connect()?;
        let row = profile_row(&db, id)?;
        let versions = db.profile_versions(id)?;
        let mut detail = detail(&row, &versions)?;
        let vpp = crate::vpp::profile_warnings(&db, &detail.spec, Some(id), self.clock.now())?;
        detail.warnings.extend(vpp);
        Ok(detail)
    }

    /// Finds a profile by id or by name (case-insensitive; `token` narrows a name
    /// used on several tokens). For the CLI's `P` arguments.
    pub fn resolve_profile(&self, reference: &str, token: Option<TokenId>) -> Result<ProfileId> {
        let db = self.workspace.connect()?;
        if let Ok(id) = reference.trim().parse::<i64>().map(ProfileId::new)
            && profile_row(&db, id).is_ok()
        {
            return Ok(id);
        }
        let scope = self.scope()?;
        let matches: Vec<ProfileRow> = db
            .list_profiles(token)?
            .into_iter()
            .filter(|p| scope.contains(p.token_id))
            .filter(|p| p.name.eq_ignore_ascii_case(reference.trim()))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one.id),
            [] => Err(CoreError::NotFound(format!("profile '{reference}'"))),
            _ => Err(CoreError::InvalidInput {
                field: "profile",
                message: format!(
                    "'{reference}' names a profile on {} tokens; give the token or the profile id",
                    matches.len()
                ),
            }),
        }
    }

    /// Validates a draft for `token` without saving anything: every problem with
    /// its field, warnings, and the Apple JSON it would upload.
    pub fn check_profile(
        &self,
        token: TokenId,
        spec: &ProfileSpec,
        editing: Option<ProfileId>,
    ) -> Result<ProfileCheck> {
        let db = self.workspace.connect()?;
        let row = self.token_row(&db, token)?;
        let mut apple_json = None;
        let problems = match validated(&db, token, spec, editing)? {
            Ok(valid) => {
                let context = self.profile_context(&db, &row, false)?;
                match valid.apple_profile(&context) {
                    Ok(profile) => {
                        apple_json = Some(profile.to_json_pretty());
                        Vec::new()
                    }
                    Err(problems) => problems,
                }
            }
            Err(problems) => problems,
        };
        let certificates = spec
            .configurator_certificates
            .iter()
            .map(|text| {
                depot_domain::profile::Certificate::from_base64(text)
                    .map_err(|e| e.to_string())
                    .and_then(|c| {
                        c.summary()
                            .ok_or_else(|| "the certificate's details could not be read".into())
                    })
            })
            .collect();
        let mut warnings = spec.warnings();
        warnings.extend(crate::vpp::profile_warnings(
            &db,
            spec,
            editing,
            self.clock.now(),
        )?);
        Ok(ProfileCheck {
            problems,
            warnings,
            apple_json,
            certificates,
            device_name_preview: device_name_preview(spec),
            licensing_note: licensing_note(spec),
        })
    }

    // ----- create, edit, upload --------------------------------------------------

    /// PRO-13: saves version 1 and uploads it. An upload Apple refuses (or that
    /// cannot reach Apple) leaves the profile saved as "not uploaded".
    pub async fn create_profile(
        &self,
        token: TokenId,
        spec: &ProfileSpec,
    ) -> Result<ProfileDetail> {
        let operator = self.acting_operator();
        let (id, version) = self.workspace.write(|db| {
            let row = self.token_row(db, token)?;
            if db.count_profiles(token)? >= MAX_PROFILES_PER_TOKEN as u64 {
                return Err(CoreError::LimitReached(format!(
                    "'{}' already has {MAX_PROFILES_PER_TOKEN} profiles, the most a token can have. Delete one first",
                    row.server_name
                )));
            }
            let (valid, apple_json) = self.prepare(db, &row, spec, None)?;
            let now = self.clock.now();
            let name = valid.spec().name.trim();
            let description = valid.spec().description.as_deref();
            let id = db.insert_profile(token, name, description, valid.spec().platform, now)?;
            db.insert_profile_version(&NewProfileVersion {
                profile_id: id,
                version: 1,
                spec: &valid.spec().to_profile_file(),
                apple_json: &apple_json,
                created_at: now,
                created_by: &operator,
            })?;
            self.audit(
                db,
                AuditEvent {
                    action: "profile.create",
                    object: profile_object(id, name),
                    token: Some(token),
                    before: None,
                    after: Some(audit_summary(&row, valid.spec(), 1)),
                },
            )?;
            Ok::<_, CoreError>((id, 1))
        })?;
        self.upload_version(id, version).await?;
        self.profile_detail(id)
    }

    /// PRO-14: saves the edit as a new version, uploads it as a new Apple
    /// profile, and re-assigns every device holding an older version.
    pub async fn edit_profile(
        self: &Arc<Self>,
        id: ProfileId,
        spec: &ProfileSpec,
    ) -> Result<EditOutcome> {
        let operator = self.acting_operator();
        let version = self.workspace.write(|db| {
            let current = profile_row(db, id)?;
            let row = self.token_row(db, current.token_id)?;
            let (valid, apple_json) = self.prepare(db, &row, spec, Some(id))?;
            let now = self.clock.now();
            let version = current.current_version + 1;
            let name = valid.spec().name.trim();
            let description = valid.spec().description.as_deref();
            db.insert_profile_version(&NewProfileVersion {
                profile_id: id,
                version,
                spec: &valid.spec().to_profile_file(),
                apple_json: &apple_json,
                created_at: now,
                created_by: &operator,
            })?;
            db.set_current_profile_version(id, version, name, description, now)?;
            let before_spec = ProfileSpec::from_profile_file(&current.current.spec).ok();
            let changes = before_spec
                .map(|b| diff_specs(&b, valid.spec()))
                .unwrap_or_default();
            self.audit(
                db,
                AuditEvent {
                    action: "profile.edit",
                    object: profile_object(id, name),
                    token: Some(current.token_id),
                    before: Some(json!({ "version": current.current_version })),
                    after: Some(json!({
                        "version": version,
                        "changes": changes.iter().map(|c| json!({
                            "field": c.field, "before": c.before, "after": c.after,
                        })).collect::<Vec<_>>(),
                    })),
                },
            )?;
            Ok::<_, CoreError>(version)
        })?;
        self.upload_version(id, version).await?;
        let reassignment = self.reassign_older_versions(id).await?;
        Ok(EditOutcome {
            detail: self.profile_detail(id)?,
            reassignment,
        })
    }

    /// Sends the current version again after a failed or interrupted upload,
    /// then moves devices on older versions to it.
    pub async fn retry_profile_upload(self: &Arc<Self>, id: ProfileId) -> Result<EditOutcome> {
        let row = profile_row(&self.workspace.connect()?, id)?;
        if row.current.upload_state != UploadState::Uploaded {
            self.upload_version(id, row.current_version).await?;
        }
        let reassignment = self.reassign_older_versions(id).await?;
        Ok(EditOutcome {
            detail: self.profile_detail(id)?,
            reassignment,
        })
    }

    /// A copy of a profile (its current settings) under a new name, uploaded.
    pub async fn duplicate_profile(&self, id: ProfileId, name: &str) -> Result<ProfileDetail> {
        let row = profile_row(&self.workspace.connect()?, id)?;
        let mut spec = stored_spec(&row.current)?;
        spec.name = name.trim().to_owned();
        self.create_profile(row.token_id, &spec).await
    }

    /// PRO-16: creates a profile from a `depot.profile/v1` file.
    pub async fn import_profile(&self, token: TokenId, text: &str) -> Result<ProfileDetail> {
        self.in_scope(token)?;
        crate::files::check_size(text.len(), crate::files::FileKind::ProfileFile, "file")?;
        let spec = ProfileSpec::from_profile_file(text).map_err(|e| CoreError::InvalidInput {
            field: "file",
            message: e.to_string(),
        })?;
        self.create_profile(token, &spec).await
    }

    /// Validates against the token, checks the name, and builds the Apple JSON.
    fn prepare(
        &self,
        db: &Db,
        token: &TokenRow,
        spec: &ProfileSpec,
        editing: Option<ProfileId>,
    ) -> Result<(ValidProfile, String)> {
        let valid = validated(db, token.id, spec, editing)?.map_err(CoreError::ProfileInvalid)?;
        let context = self.profile_context(db, token, true)?;
        let apple = valid
            .apple_profile(&context)
            .map_err(CoreError::ProfileInvalid)?;
        let apple_json = serde_json::to_string(&apple).map_err(|e| CoreError::InvalidInput {
            field: "profile",
            message: e.to_string(),
        })?;
        Ok((valid, apple_json))
    }

    /// Devices on an older version of `id` get the current one (PRO-14).
    async fn reassign_older_versions(
        self: &Arc<Self>,
        id: ProfileId,
    ) -> Result<Option<AssignmentSummary>> {
        let (row, serials) = {
            let db = self.workspace.connect()?;
            let row = profile_row(&db, id)?;
            let Some(uuid) = row.current.apple_uuid.clone() else {
                return Ok(None);
            };
            let serials = db.serials_on_older_versions(id, &uuid)?;
            (row, serials)
        };
        if serials.is_empty() {
            return Ok(None);
        }
        let run = self.start_assignment(&AssignRequest {
            token: row.token_id,
            profile: Some(id),
            serials,
            reason: AssignReason::Edit,
        })?;
        Ok(Some(self.run_assignment(run).await?))
    }

    // ----- default, delete --------------------------------------------------------

    /// PRO-15, PLT-2: new devices of the token whose platform is this
    /// profile's get it after each sync. Replaces the token's earlier default
    /// for that platform; other platforms' defaults stay.
    pub fn set_default_profile(&self, id: ProfileId) -> Result<ProfileOverview> {
        self.workspace.write(|db| {
            let row = profile_row(db, id)?;
            let platform = row.platform;
            let previous = db.default_profile(row.token_id, platform)?;
            db.set_default_profile(row.token_id, platform, Some(id))?;
            let token = self.token_row(db, row.token_id)?;
            self.audit(
                db,
                AuditEvent {
                    action: "profile.set_default",
                    object: token_object(row.token_id, &token.server_name),
                    token: Some(row.token_id),
                    before: Some(
                        json!({ "platform": platform.as_str(), "defaultProfileId": previous }),
                    ),
                    after: Some(json!({
                        "platform": platform.as_str(),
                        "defaultProfileId": id,
                        "defaultProfile": row.name,
                    })),
                },
            )
        })?;
        let db = self.workspace.connect()?;
        Ok(overview(&profile_row(&db, id)?))
    }

    /// Clears the token's default for `platform`; new devices of that platform
    /// then stay without a profile until an admin assigns one.
    pub fn clear_default_profile(&self, token: TokenId, platform: ApplePlatform) -> Result<()> {
        self.workspace.write(|db| {
            let row = self.token_row(db, token)?;
            let previous = db.default_profile(token, platform)?;
            db.set_default_profile(token, platform, None)?;
            self.audit(
                db,
                AuditEvent {
                    action: "profile.clear_default",
                    object: token_object(token, &row.server_name),
                    token: Some(token),
                    before: Some(
                        json!({ "platform": platform.as_str(), "defaultProfileId": previous }),
                    ),
                    after: None,
                },
            )
        })
    }

    /// Deletes a profile and its versions, unless it is the default or devices
    /// hold it (Apple keeps the profile; it is just no longer managed here).
    pub fn delete_profile(&self, id: ProfileId) -> Result<()> {
        self.workspace.write(|db| {
            let row = profile_row(db, id)?;
            let mut blockers = Vec::new();
            if row.is_default {
                blockers.push(format!(
                    "it is the default {} profile of '{}' — clear the default first",
                    row.platform.label(),
                    row.token_name
                ));
            }
            if row.device_count > 0 {
                let n = row.device_count;
                blockers.push(format!(
                    "{n} device{} {} it — remove the profile from {} or assign another profile first",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "holds" } else { "hold" },
                    if n == 1 { "it" } else { "them" },
                ));
            }
            if !blockers.is_empty() {
                return Err(CoreError::ProfileInUse(blockers));
            }
            db.delete_profile(id)?;
            self.audit(
                db,
                AuditEvent {
                    action: "profile.delete",
                    object: profile_object(id, &row.name),
                    token: Some(row.token_id),
                    before: Some(json!({
                        "token": row.token_name,
                        "version": row.current_version,
                        "appleProfileUuid": row.current.apple_uuid,
                    })),
                    after: None,
                },
            )
        })
    }

    // ----- export, diff, handoff ----------------------------------------------------

    /// PRO-16: the current version as a `depot.profile/v1` file: (file name, text).
    pub fn export_profile(&self, id: ProfileId) -> Result<(String, String)> {
        let row = profile_row(&self.workspace.connect()?, id)?;
        Ok((
            format!("{}.depot-profile.json", file_stem(&row.name)),
            row.current.spec.clone(),
        ))
    }

    /// PRO-16: the exact Apple JSON of the current version: (file name, text).
    pub fn export_apple_json(&self, id: ProfileId) -> Result<(String, String)> {
        let row = profile_row(&self.workspace.connect()?, id)?;
        Ok((
            format!("{}.apple-profile.json", file_stem(&row.name)),
            pretty(&row.current.apple_json),
        ))
    }

    /// Field-by-field differences from version `from` to version `to`.
    pub fn profile_diff(&self, id: ProfileId, from: i64, to: i64) -> Result<Vec<FieldChange>> {
        let db = self.workspace.connect()?;
        profile_row(&db, id)?;
        let version = |v: i64| {
            db.profile_version(id, v)?
                .ok_or_else(|| CoreError::NotFound(format!("version {v} of profile {id}")))
                .and_then(|row| stored_spec(&row))
        };
        Ok(diff_specs(&version(from)?, &version(to)?))
    }

    /// PRO-19: the MDM command payloads for what Apple's profile cannot carry.
    pub fn profile_handoff(&self, id: ProfileId) -> Result<Vec<HandoffFile>> {
        let db = self.workspace.connect()?;
        let row = profile_row(&db, id)?;
        let spec = stored_spec(&row.current)?;
        let devices = db.devices_on_profile(id)?;
        let licences = spec
            .company_portal_vpp_token
            .as_deref()
            .map(str::trim)
            .filter(|t| spec.install_company_portal && !t.is_empty())
            .map(|t| db.vpp_token_by_name(t))
            .transpose()?
            .flatten()
            .map(|t| crate::handoff::LicenceSource {
                token: t.name,
                location: t.location_name,
                org: t.org_name,
            });
        crate::handoff::files(
            &row.name,
            row.current_version,
            &spec,
            &devices,
            licences.as_ref(),
        )
    }
}

/// The profile `id`, if the acting person may see its token (`scope`): one
/// outside their scope is not found, like one that does not exist.
pub(super) fn profile_row(db: &Db, id: ProfileId) -> Result<ProfileRow> {
    db.get_profile(id)?
        .filter(|row| crate::scope::token_visible(db, row.token_id).unwrap_or(false))
        .ok_or_else(|| CoreError::NotFound(format!("profile {id}")))
}

/// The spec's rules and the token's name uniqueness, every problem at once.
fn validated(
    db: &Db,
    token: TokenId,
    spec: &ProfileSpec,
    editing: Option<ProfileId>,
) -> Result<std::result::Result<ValidProfile, Vec<ProfileProblem>>> {
    let (normalized, vpp_problems) = crate::vpp::resolve_profile_token(db, spec)?;
    let spec = normalized.as_ref().unwrap_or(spec);
    let mut taken = name_taken(db, token, &spec.name, editing)?;
    taken.extend(vpp_problems);
    if let Some(id) = editing
        && let Some(row) = db.get_profile(id)?
        && row.platform != spec.platform
    {
        taken.push(ProfileProblem::new(
            ProfileField::Platform,
            format!(
                "A profile keeps the platform it was created for: this is a {} profile. Create a new profile for {}.",
                row.platform.label(),
                spec.platform.label()
            ),
        ));
    }
    Ok(match spec.validate() {
        Ok(valid) if taken.is_empty() => Ok(valid),
        Ok(_) => Err(taken),
        Err(mut problems) => {
            problems.extend(taken);
            Err(problems)
        }
    })
}

fn name_taken(
    db: &Db,
    token: TokenId,
    name: &str,
    editing: Option<ProfileId>,
) -> Result<Vec<ProfileProblem>> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(Vec::new());
    }
    Ok(match db.find_profile_by_name(token, name)? {
        Some(existing) if Some(existing) != editing => vec![ProfileProblem::new(
            ProfileField::Name,
            format!(
                "This token already has a profile called '{name}'. Names are unique per token."
            ),
        )],
        _ => Vec::new(),
    })
}

fn upload_info(version: &ProfileVersionRow) -> UploadInfo {
    UploadInfo {
        state: version.upload_state,
        apple_uuid: version.apple_uuid.clone(),
        uploaded_at: version.uploaded_at,
        error: version.upload_error.clone(),
        error_field: version.upload_error_field.clone(),
    }
}

fn overview(row: &ProfileRow) -> ProfileOverview {
    ProfileOverview {
        id: row.id,
        token_id: row.token_id,
        token_name: row.token_name.clone(),
        name: row.name.clone(),
        description: row.description.clone(),
        platform: row.platform,
        version: row.current_version,
        device_count: row.device_count,
        is_default: row.is_default,
        created_at: row.created_at,
        updated_at: row.updated_at,
        upload: upload_info(&row.current),
    }
}

fn detail(row: &ProfileRow, versions: &[ProfileVersionRow]) -> Result<ProfileDetail> {
    let spec = stored_spec(&row.current)?;
    Ok(ProfileDetail {
        overview: overview(row),
        warnings: spec.warnings(),
        licensing_note: licensing_note(&spec),
        spec,
        spec_file: row.current.spec.clone(),
        apple_json: pretty(&row.current.apple_json),
        versions: versions
            .iter()
            .map(|v| ProfileVersionInfo {
                version: v.version,
                created_at: v.created_at,
                created_by: v.created_by.clone(),
                upload: upload_info(v),
            })
            .collect(),
        group_rule: group_rule(&row.name),
    })
}

fn audit_summary(token: &TokenRow, spec: &ProfileSpec, version: i64) -> Value {
    json!({
        "token": token.server_name,
        "version": version,
        "userAffinity": spec.user_affinity.as_str(),
        "supervised": spec.supervised,
        "sharedIPad": spec.shared_ipad,
    })
}

fn pretty(json_text: &str) -> String {
    serde_json::from_str::<Value>(json_text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| json_text.to_owned())
}

/// A file name from a profile name: letters, digits, `-` and `_` kept.
pub(crate) fn file_stem(name: &str) -> String {
    let stem: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() {
        "profile".into()
    } else {
        stem.to_owned()
    }
}
