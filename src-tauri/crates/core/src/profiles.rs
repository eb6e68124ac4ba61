//! Enrollment profiles (PRO-13..18): create and upload, versions on edit with
//! re-assignment, the default profile per token, import/export, and the
//! enrollment URL settings the Apple JSON needs.
//!
//! A profile version is written (with the exact Apple JSON) before it is sent;
//! Apple's answer is recorded afterwards. A failed or interrupted upload leaves
//! the version "not uploaded", to be retried — never half a profile.

use std::sync::Arc;

use depot_domain::limits::MAX_PROFILES_PER_TOKEN;
use depot_domain::profile::{
    ApplePlatform, AppleProfileContext, CertificateSummary, HttpsUrl, OrgMagic, ProfileField,
    ProfileProblem, ProfileSpec, ValidProfile,
};
use depot_domain::{DeviceFamily, SerialNumber, TokenId};
use depot_store::Db;
pub use depot_store::profiles::UploadState;
use depot_store::profiles::{NewProfileVersion, ProfileRow, ProfileVersionRow};
use depot_store::tokens::{Environment, TokenRow};
use serde_json::{Value, json};

use crate::assign::{AssignReason, AssignRequest, AssignmentSummary};
use crate::audit::AuditEvent;
use crate::audit::{profile_object, token_object};
use crate::stored::stored_spec;
use crate::{CoreError, Depot, Result};

/// Workspace settings keys (PRO-18 and `org_magic`).
const SETTING_ENROLLMENT_URL: &str = "enrollment_url";
const SETTING_CONFIGURATION_WEB_URL: &str = "configuration_web_url";
const SETTING_ORG_MAGIC: &str = "org_magic";

/// The MDM enrollment endpoints demo (simulator) tokens use when nothing is set:
/// the simulated devices never contact them.
pub const DEMO_ENROLLMENT_URL: &str = "https://mdm.contoso-demo.example/enroll";
pub const DEMO_CONFIGURATION_WEB_URL: &str = "https://mdm.contoso-demo.example/configure";

/// A profile as the list shows it (PRO-15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileOverview {
    pub id: i64,
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
    pub created_at: i64,
    pub updated_at: i64,
    pub upload: UploadInfo,
}

/// Whether a version reached Apple, and Apple's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadInfo {
    pub state: UploadState,
    pub apple_uuid: Option<String>,
    pub uploaded_at: Option<i64>,
    pub error: Option<String>,
    /// The `depot.profile/v1` path Apple's refusal points at, when known.
    pub error_field: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileVersionInfo {
    pub version: i64,
    pub created_at: i64,
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

/// One setting that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

/// The result of an edit: the new version, and the re-assignment it started.
#[derive(Debug, Clone)]
pub struct EditOutcome {
    pub detail: ProfileDetail,
    pub reassignment: Option<AssignmentSummary>,
}

/// PRO-18: where the Apple JSON's `url` / `configuration_web_url` come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentSettings {
    pub enrollment_url: Option<String>,
    pub configuration_web_url: Option<String>,
    pub tokens: Vec<TokenEnrollmentUrls>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEnrollmentUrls {
    pub token_id: TokenId,
    pub token_name: String,
    /// The token's own values (None: the workspace's).
    pub enrollment_url: Option<String>,
    pub configuration_web_url: Option<String>,
    /// What a new profile of this token would use.
    pub effective_enrollment_url: Option<String>,
    pub effective_configuration_web_url: Option<String>,
    pub is_simulator: bool,
}

pub use crate::handoff::HandoffFile;

impl Depot {
    // ----- reading -------------------------------------------------------------

    pub fn list_profiles(&self, token: Option<TokenId>) -> Result<Vec<ProfileOverview>> {
        let db = self.workspace.connect()?;
        Ok(db.list_profiles(token)?.iter().map(overview).collect())
    }

    pub fn profile_detail(&self, id: i64) -> Result<ProfileDetail> {
        let db = self.workspace.connect()?;
        let row = profile_row(&db, id)?;
        let versions = db.profile_versions(id)?;
        detail(&row, &versions)
    }

    /// Finds a profile by id or by name (case-insensitive; `token` narrows a name
    /// used on several tokens). For the CLI's `P` arguments.
    pub fn resolve_profile(&self, reference: &str, token: Option<TokenId>) -> Result<i64> {
        let db = self.workspace.connect()?;
        if let Ok(id) = reference.trim().parse::<i64>()
            && db.get_profile(id)?.is_some()
        {
            return Ok(id);
        }
        let matches: Vec<ProfileRow> = db
            .list_profiles(token)?
            .into_iter()
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
        editing: Option<i64>,
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
        Ok(ProfileCheck {
            problems,
            warnings: spec.warnings(),
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
                created_by: &self.operator,
            })?;
            self.audit(
                db,
                AuditEvent {
                    action: "profile.create",
                    object: profile_object(id, name),
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
        id: i64,
        spec: &ProfileSpec,
    ) -> Result<EditOutcome> {
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
                created_by: &self.operator,
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
    pub async fn retry_profile_upload(self: &Arc<Self>, id: i64) -> Result<EditOutcome> {
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
    pub async fn duplicate_profile(&self, id: i64, name: &str) -> Result<ProfileDetail> {
        let row = profile_row(&self.workspace.connect()?, id)?;
        let mut spec = stored_spec(&row.current)?;
        spec.name = name.trim().to_owned();
        self.create_profile(row.token_id, &spec).await
    }

    /// PRO-16: creates a profile from a `depot.profile/v1` file.
    pub async fn import_profile(&self, token: TokenId, text: &str) -> Result<ProfileDetail> {
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
        editing: Option<i64>,
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

    /// `POST /profile` for one stored version; records Apple's answer either way.
    async fn upload_version(&self, id: i64, version: i64) -> Result<()> {
        let (token, stored) = {
            let db = self.workspace.connect()?;
            let row = profile_row(&db, id)?;
            let stored = db
                .profile_version(id, version)?
                .ok_or_else(|| CoreError::NotFound(format!("version {version} of profile {id}")))?;
            (self.token_row(&db, row.token_id)?, stored)
        };
        let body: Value =
            serde_json::from_str(&stored.apple_json).map_err(|e| CoreError::InvalidInput {
                field: "profile",
                message: format!("the stored Apple JSON is damaged: {e}"),
            })?;
        let answer = match self.client_for(&token).await {
            Ok(client) => client.define_profile(&body).await.map_err(CoreError::from),
            Err(err) => Err(err),
        };
        let now = self.clock.now();
        self.workspace.write(|db| {
            let (action, after) = match &answer {
                Ok(uuid) => {
                    db.record_profile_upload(id, version, Ok(uuid), now)?;
                    (
                        "profile.upload",
                        json!({ "version": version, "appleProfileUuid": uuid }),
                    )
                }
                Err(err) => {
                    let (message, field) = upload_error(err);
                    db.record_profile_upload(id, version, Err((&message, field)), now)?;
                    (
                        "profile.upload_failed",
                        json!({ "version": version, "error": message, "field": field }),
                    )
                }
            };
            let row = profile_row(db, id)?;
            self.audit(
                db,
                AuditEvent {
                    action,
                    object: profile_object(id, &row.name),
                    before: None,
                    after: Some(after),
                },
            )
        })?;
        Ok(())
    }

    /// Devices on an older version of `id` get the current one (PRO-14).
    async fn reassign_older_versions(
        self: &Arc<Self>,
        id: i64,
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
    pub fn set_default_profile(&self, id: i64) -> Result<ProfileOverview> {
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
    pub fn delete_profile(&self, id: i64) -> Result<()> {
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
    pub fn export_profile(&self, id: i64) -> Result<(String, String)> {
        let row = profile_row(&self.workspace.connect()?, id)?;
        Ok((
            format!("{}.depot-profile.json", file_stem(&row.name)),
            row.current.spec.clone(),
        ))
    }

    /// PRO-16: the exact Apple JSON of the current version: (file name, text).
    pub fn export_apple_json(&self, id: i64) -> Result<(String, String)> {
        let row = profile_row(&self.workspace.connect()?, id)?;
        Ok((
            format!("{}.apple-profile.json", file_stem(&row.name)),
            pretty(&row.current.apple_json),
        ))
    }

    /// Field-by-field differences from version `from` to version `to`.
    pub fn profile_diff(&self, id: i64, from: i64, to: i64) -> Result<Vec<FieldChange>> {
        let db = self.workspace.connect()?;
        let version = |v: i64| {
            db.profile_version(id, v)?
                .ok_or_else(|| CoreError::NotFound(format!("version {v} of profile {id}")))
                .and_then(|row| stored_spec(&row))
        };
        Ok(diff_specs(&version(from)?, &version(to)?))
    }

    /// PRO-19: the MDM command payloads for what Apple's profile cannot carry.
    pub fn profile_handoff(&self, id: i64) -> Result<Vec<HandoffFile>> {
        let db = self.workspace.connect()?;
        let row = profile_row(&db, id)?;
        let spec = stored_spec(&row.current)?;
        let devices = db.devices_on_profile(id)?;
        crate::handoff::files(&row.name, row.current_version, &spec, &devices)
    }

    // ----- enrollment URL settings (PRO-18) ---------------------------------------------

    pub fn enrollment_settings(&self) -> Result<EnrollmentSettings> {
        let db = self.workspace.connect()?;
        let workspace_url = db.setting(SETTING_ENROLLMENT_URL)?;
        let workspace_web = db.setting(SETTING_CONFIGURATION_WEB_URL)?;
        let mut tokens = Vec::new();
        for row in db.list_tokens()? {
            let (url, web) = db.token_enrollment_urls(row.id)?;
            let (effective_url, effective_web) = effective_urls(
                &row,
                url.clone(),
                web.clone(),
                &workspace_url,
                &workspace_web,
            );
            tokens.push(TokenEnrollmentUrls {
                token_id: row.id,
                token_name: row.server_name.clone(),
                enrollment_url: url,
                configuration_web_url: web,
                effective_enrollment_url: effective_url,
                effective_configuration_web_url: effective_web,
                is_simulator: row.environment == Environment::Simulator,
            });
        }
        Ok(EnrollmentSettings {
            enrollment_url: workspace_url,
            configuration_web_url: workspace_web,
            tokens,
        })
    }

    /// Sets the workspace's URLs (`token` None) or one token's override. Empty
    /// values clear. Existing profiles keep the URLs they were uploaded with.
    pub fn set_enrollment_urls(
        &self,
        token: Option<TokenId>,
        enrollment_url: Option<&str>,
        configuration_web_url: Option<&str>,
    ) -> Result<EnrollmentSettings> {
        let url = parse_url("enrollmentUrl", enrollment_url)?;
        let web = parse_url("configurationWebUrl", configuration_web_url)?;
        self.workspace.write(|db| {
            let (object, before) = match token {
                None => {
                    let before = json!({
                        "enrollmentUrl": db.setting(SETTING_ENROLLMENT_URL)?,
                        "configurationWebUrl": db.setting(SETTING_CONFIGURATION_WEB_URL)?,
                    });
                    db.put_setting(SETTING_ENROLLMENT_URL, url.as_deref())?;
                    db.put_setting(SETTING_CONFIGURATION_WEB_URL, web.as_deref())?;
                    ("workspace".to_owned(), before)
                }
                Some(token) => {
                    let row = self.token_row(db, token)?;
                    let (old_url, old_web) = db.token_enrollment_urls(token)?;
                    db.set_token_enrollment_urls(token, url.as_deref(), web.as_deref())?;
                    (
                        token_object(token, &row.server_name),
                        json!({ "enrollmentUrl": old_url, "configurationWebUrl": old_web }),
                    )
                }
            };
            self.audit(
                db,
                AuditEvent {
                    action: "settings.enrollment_urls",
                    object,
                    before: Some(before),
                    after: Some(json!({ "enrollmentUrl": url, "configurationWebUrl": web })),
                },
            )
        })?;
        self.enrollment_settings()
    }

    /// The token's URLs and the workspace's `org_magic` (created once, on the
    /// first write that needs it).
    fn profile_context(
        &self,
        db: &Db,
        token: &TokenRow,
        create_magic: bool,
    ) -> Result<AppleProfileContext> {
        let (url, web) = db.token_enrollment_urls(token.id)?;
        let (url, web) = effective_urls(
            token,
            url,
            web,
            &db.setting(SETTING_ENROLLMENT_URL)?,
            &db.setting(SETTING_CONFIGURATION_WEB_URL)?,
        );
        let magic = match db.setting(SETTING_ORG_MAGIC)? {
            Some(magic) => magic,
            None => {
                let magic = new_org_magic();
                if create_magic {
                    db.put_setting(SETTING_ORG_MAGIC, Some(&magic))?;
                }
                magic
            }
        };
        Ok(AppleProfileContext {
            enrollment_url: url.and_then(|u| HttpsUrl::parse(&u).ok()),
            configuration_web_url: web.and_then(|u| HttpsUrl::parse(&u).ok()),
            org_magic: OrgMagic::parse(&magic).map_err(|e| CoreError::InvalidInput {
                field: "org_magic",
                message: e.to_string(),
            })?,
            anchor_certs: Vec::new(),
        })
    }

    /// An Apple client for a token, with its credentials unsealed.
    pub(crate) async fn client_for(&self, token: &TokenRow) -> Result<depot_apple::AppleClient> {
        let url = self.apple_url_for(token).await?;
        let secrets = self.token_secrets(token.id)?;
        Ok(self.apple_client(&url, secrets.credentials))
    }
}

fn effective_urls(
    token: &TokenRow,
    url: Option<String>,
    web: Option<String>,
    workspace_url: &Option<String>,
    workspace_web: &Option<String>,
) -> (Option<String>, Option<String>) {
    let demo = token.environment == Environment::Simulator;
    let url = url
        .or_else(|| workspace_url.clone())
        .or_else(|| demo.then(|| DEMO_ENROLLMENT_URL.to_owned()));
    let web = web
        .or_else(|| workspace_web.clone())
        .or_else(|| demo.then(|| DEMO_CONFIGURATION_WEB_URL.to_owned()));
    (url, web)
}

fn parse_url(field: &'static str, value: Option<&str>) -> Result<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => HttpsUrl::parse(text)
            .map(|u| Some(u.as_str().to_owned()))
            .map_err(|e| CoreError::InvalidInput {
                field,
                message: e.to_string(),
            }),
    }
}

fn new_org_magic() -> String {
    let mut bytes = [0u8; 16];
    // A failed RNG leaves zeros: still a valid, stable identifier once stored.
    let _ = depot_apple::random_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    format!("depot-{hex}")
}

fn profile_row(db: &Db, id: i64) -> Result<ProfileRow> {
    db.get_profile(id)?
        .ok_or_else(|| CoreError::NotFound(format!("profile {id}")))
}

/// The spec's rules and the token's name uniqueness, every problem at once.
fn validated(
    db: &Db,
    token: TokenId,
    spec: &ProfileSpec,
    editing: Option<i64>,
) -> Result<std::result::Result<ValidProfile, Vec<ProfileProblem>>> {
    let mut taken = name_taken(db, token, &spec.name, editing)?;
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
    editing: Option<i64>,
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

/// PRO-17: the rule a directory's dynamic device group would use.
pub fn group_rule(name: &str) -> String {
    format!(
        "(device.enrollmentProfileName -eq \"{}\")",
        name.replace('"', "\\\"")
    )
}

/// DEV-8.
fn licensing_note(spec: &ProfileSpec) -> String {
    use depot_domain::profile::UserAffinity;
    match spec.user_affinity {
        UserAffinity::WithUserAffinity => "Devices enrolled with this profile are tied to a user: each user needs a user license for your MDM service.".into(),
        UserAffinity::WithoutUserAffinity => "Devices enrolled with this profile have no user: each device needs a device license for your MDM service.".into(),
    }
}

fn device_name_preview(spec: &ProfileSpec) -> Option<String> {
    let text = spec.device_name_template.as_deref()?.trim();
    if text.is_empty() {
        return None;
    }
    let template = depot_domain::profile::DeviceNameTemplate::parse(text).ok()?;
    let serial = SerialNumber::parse("F9FXK2ABCD12").ok()?;
    let family = match spec.platform {
        ApplePlatform::Ios => "iPad",
        ApplePlatform::MacOs => "Mac",
        ApplePlatform::TvOs => "AppleTV",
        ApplePlatform::VisionOs => "Vision",
    };
    Some(template.render(&serial, &DeviceFamily::parse(family)))
}

fn upload_error(err: &CoreError) -> (String, Option<&'static str>) {
    let field = match err {
        CoreError::Apple(depot_apple::AppleError::Status { code, .. }) => apple_code_field(code),
        _ => None,
    };
    let message = match (err, field) {
        (CoreError::Apple(depot_apple::AppleError::Status { code, .. }), Some(field)) => format!(
            "Apple refused the profile ({code}): check '{field}' and save the profile again"
        ),
        _ => format!("{err}. The profile is saved but not uploaded; retry the upload"),
    };
    (message, field)
}

/// The `depot.profile/v1` key Apple's profile error code points at.
fn apple_code_field(code: &str) -> Option<&'static str> {
    Some(match code {
        "CONFIG_NAME_REQUIRED" | "CONFIG_NAME_INVALID" => "name",
        "CONFIG_URL_REQUIRED" | "CONFIG_URL_INVALID" => "enrollmentUrl",
        "FLAGS_INVALID" => "lockedEnrollment",
        "DEPARTMENT_INVALID" => "department.name",
        "SUPPORT_PHONE_INVALID" => "department.phone",
        "SUPPORT_EMAIL_INVALID" => "department.email",
        "MAGIC_INVALID" => "org_magic",
        _ => return None,
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

/// Labels for the diff view, in wizard order.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("description", "Description"),
    ("platform", "Platform"),
    ("userAffinity", "User affinity"),
    ("authentication", "Authentication method"),
    ("installCompanyPortal", "Install Company Portal"),
    ("companyPortalVppToken", "Company Portal VPP token"),
    (
        "singleAppModeUntilAuthentication",
        "Single App Mode until authentication",
    ),
    ("supervised", "Supervised"),
    ("lockedEnrollment", "Locked enrollment"),
    ("awaitFinalConfiguration", "Await final configuration"),
    ("sharedIPad", "Shared iPad"),
    ("maximumCachedUsers", "Maximum cached users"),
    ("syncWithComputers", "Sync with computers"),
    (
        "configuratorCertificates",
        "Apple Configurator certificates",
    ),
    ("deviceNameTemplate", "Device name template"),
    ("department.name", "Department name"),
    ("department.phone", "Department phone"),
    ("department.email", "Support email"),
    ("hiddenScreens", "Hidden Setup Assistant screens"),
    ("enrollmentUrl", "Enrollment URL"),
    ("configurationWebUrl", "Configuration web URL"),
    ("extensions", "Extensions"),
];

/// Field-by-field changes between two specs, via their `depot.profile/v1` form.
pub fn diff_specs(before: &ProfileSpec, after: &ProfileSpec) -> Vec<FieldChange> {
    let flat = |spec: &ProfileSpec| -> serde_json::Map<String, Value> {
        let mut map = match serde_json::from_str::<Value>(&spec.to_profile_file()) {
            Ok(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let department = map.remove("department");
        for part in ["name", "phone", "email"] {
            let value = department
                .as_ref()
                .and_then(|d| d.get(part))
                .cloned()
                .unwrap_or(Value::Null);
            map.insert(format!("department.{part}"), value);
        }
        map
    };
    let (a, b) = (flat(before), flat(after));
    FIELD_LABELS
        .iter()
        .filter_map(|(field, label)| {
            let x = a.get(*field).cloned().unwrap_or(Value::Null);
            let y = b.get(*field).cloned().unwrap_or(Value::Null);
            (x != y).then(|| FieldChange {
                field: (*field).to_owned(),
                label: (*label).to_owned(),
                before: show(&x),
                after: show(&y),
            })
        })
        .collect()
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "—".into(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "—".into(),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                // Characters, not bytes: a cut must not split a multi-byte one.
                Value::String(s) if s.chars().count() > 24 => {
                    format!("{}…", s.chars().take(16).collect::<String>())
                }
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Property tests of profile diffs (issue 11): any two specs compare without
/// a panic, whatever their text holds (multi-byte characters at the cut of a
/// long value included), and a spec never differs from itself.
#[cfg(test)]
mod diff_properties {
    use depot_domain::profile::{ProfileSpec, SkipKey};
    use proptest::prelude::*;

    use super::diff_specs;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(256),
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                proptest::char::range('a', 'z'),
                Just('é'),
                Just('€'),
                Just('😀'),
                Just('ß'),
                any::<char>(),
            ],
            0..40,
        )
        .prop_map(|c| c.into_iter().collect())
    }

    fn spec() -> impl Strategy<Value = ProfileSpec> {
        (
            text(),
            proptest::option::of(text()),
            proptest::collection::vec(text(), 0..6),
            proptest::option::of(text()),
            any::<bool>(),
        )
            .prop_map(|(name, description, hidden, template, supervised)| {
                let mut spec = ProfileSpec::new(name);
                spec.description = description;
                spec.hidden_screens = hidden.into_iter().map(SkipKey::new).collect();
                spec.device_name_template = template;
                spec.supervised = supervised;
                spec
            })
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_two_specs_compare(a in spec(), b in spec()) {
            let changes = diff_specs(&a, &b);
            for change in &changes {
                prop_assert!(!change.label.is_empty());
            }
            prop_assert!(diff_specs(&a, &a).is_empty());
        }
    }
}
