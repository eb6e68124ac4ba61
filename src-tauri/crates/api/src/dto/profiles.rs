//! Enrollment profiles (PRO-1..19), enrollment URL settings (PRO-18) and
//! assignment runs (DEV-3).

use depot_core::assign::AssignmentSummary as CoreAssignment;
use depot_core::profiles as core;
use depot_domain::DeviceFamily;
use depot_domain::UnixSeconds;
use depot_domain::profile::{
    ApplePlatform, PLATFORM_RULES, ProfileProblem, ProfileSpec, SETUP_LANGUAGES, SKIP_KEYS,
    SkipKeyInfo, regions, skip_key_note,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::{ApiError, ErrorCode};

/// The wizard's draft: the `depot.profile/v1` file without its `format` key
/// (`docs/profile-format.md`). Enumerations travel as the file's strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileDraft {
    pub name: String,
    pub description: Option<String>,
    /// `iOS` | `macOS` | `tvOS` | `visionOS` (PLT-1).
    pub platform: String,
    /// `withUserAffinity` | `withoutUserAffinity`.
    pub user_affinity: String,
    /// `companyPortal` | `setupAssistant` | `setupAssistantModern` | null.
    pub authentication: Option<String>,
    pub install_company_portal: bool,
    pub company_portal_vpp_token: Option<String>,
    pub single_app_mode_until_authentication: bool,
    pub supervised: bool,
    pub locked_enrollment: bool,
    pub await_final_configuration: bool,
    #[serde(rename = "sharedIPad")]
    pub shared_ipad: bool,
    pub maximum_cached_users: Option<i64>,
    /// `denyAll` | `allowAll` | `allowByCertificate`.
    pub sync_with_computers: String,
    /// Base64 DER, one per certificate.
    pub configurator_certificates: Vec<String>,
    pub device_name_template: Option<String>,
    pub department: Option<DraftDepartment>,
    pub hidden_screens: Vec<String>,
    pub enrollment_url: Option<String>,
    pub configuration_web_url: Option<String>,
    /// tvOS, macOS.
    #[serde(default)]
    pub auto_advance_setup: bool,
    /// tvOS, macOS: ISO 639.
    #[serde(default)]
    pub language: Option<String>,
    /// tvOS, macOS: ISO 3166-1 alpha-2.
    #[serde(default)]
    pub region: Option<String>,
    /// iOS, visionOS (26+).
    #[serde(default)]
    pub return_to_service: bool,
    /// iOS, visionOS (26+).
    #[serde(default)]
    pub do_not_use_profile_from_backup: bool,
    #[ts(type = "Record<string, unknown>")]
    pub extensions: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DraftDepartment {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ProfileDraft {
    /// The draft as a domain spec, through the documented file format (so the
    /// UI and `--from` files obey the same rules).
    pub fn to_spec(&self) -> Result<ProfileSpec, ApiError> {
        let mut value = serde_json::to_value(self)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        if let Value::Object(map) = &mut value {
            map.insert(
                "format".into(),
                depot_domain::profile::PROFILE_FORMAT.into(),
            );
            if map.get("extensions").is_some_and(Value::is_null) {
                map.insert("extensions".into(), Value::Object(Default::default()));
            }
        }
        ProfileSpec::from_profile_file(&value.to_string())
            .map_err(|e| ApiError::new(ErrorCode::InvalidInput, e.to_string()))
    }

    pub fn from_spec(spec: &ProfileSpec) -> Result<Self, ApiError> {
        let mut value: Value = serde_json::from_str(&spec.to_profile_file())
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        if let Value::Object(map) = &mut value {
            map.remove("format");
        }
        serde_json::from_value(value).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
    }
}

/// One problem or warning, at the `depot.profile/v1` path it belongs to
/// (`name`, `department.phone`, `hiddenScreens[2]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileIssue {
    pub field: String,
    pub message: String,
}

impl From<&ProfileProblem> for ProfileIssue {
    fn from(p: &ProfileProblem) -> Self {
        ProfileIssue {
            field: p.field.path(),
            message: p.message.clone(),
        }
    }
}

fn issues(list: &[ProfileProblem]) -> Vec<ProfileIssue> {
    list.iter().map(Into::into).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum UploadState {
    /// Saved, not sent to Apple yet.
    Pending,
    Uploaded,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UploadInfo {
    pub state: UploadState,
    /// Apple's profile UUID (32 hex digits) once uploaded.
    pub apple_uuid: Option<String>,
    pub uploaded_at: Option<String>,
    pub error: Option<String>,
    /// The draft path Apple's refusal points at, when known.
    pub error_field: Option<String>,
}

impl From<&core::UploadInfo> for UploadInfo {
    fn from(u: &core::UploadInfo) -> Self {
        use depot_core::profiles::UploadState as S;
        UploadInfo {
            state: match u.state {
                S::Pending => UploadState::Pending,
                S::Uploaded => UploadState::Uploaded,
                S::Failed => UploadState::Failed,
            },
            apple_uuid: u.apple_uuid.clone(),
            uploaded_at: u.uploaded_at.map(UnixSeconds::rfc3339),
            error: u.error.clone(),
            error_field: u.error_field.clone(),
        }
    }
}

/// A row of the profile list (PRO-15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSummary {
    pub id: String,
    pub token_id: String,
    pub token_name: String,
    pub name: String,
    pub description: Option<String>,
    /// `iOS` | `macOS` | `tvOS` | `visionOS`.
    pub platform: String,
    pub version: i64,
    pub device_count: u64,
    /// The token's default for this profile's platform.
    pub is_default: bool,
    pub created_at: String,
    pub updated_at: String,
    pub upload: UploadInfo,
}

impl From<core::ProfileOverview> for ProfileSummary {
    fn from(p: core::ProfileOverview) -> Self {
        ProfileSummary {
            id: p.id.to_string(),
            token_id: p.token_id.to_string(),
            token_name: p.token_name,
            name: p.name,
            description: p.description,
            platform: p.platform.as_str().to_owned(),
            version: p.version,
            device_count: p.device_count,
            is_default: p.is_default,
            created_at: p.created_at.rfc3339(),
            updated_at: p.updated_at.rfc3339(),
            upload: (&p.upload).into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileList {
    pub profiles: Vec<ProfileSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileVersion {
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
    pub upload: UploadInfo,
}

/// Everything the profile detail shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDetail {
    pub summary: ProfileSummary,
    pub draft: ProfileDraft,
    /// The exact JSON sent to Apple, pretty-printed.
    pub apple_json: String,
    pub warnings: Vec<ProfileIssue>,
    /// Newest first.
    pub versions: Vec<ProfileVersion>,
    /// PRO-17: `(device.enrollmentProfileName -eq "<name>")`.
    pub group_rule: String,
    /// DEV-8.
    pub licensing_note: String,
}

impl TryFrom<core::ProfileDetail> for ProfileDetail {
    type Error = ApiError;

    fn try_from(d: core::ProfileDetail) -> Result<Self, ApiError> {
        Ok(ProfileDetail {
            draft: ProfileDraft::from_spec(&d.spec)?,
            summary: d.overview.into(),
            apple_json: d.apple_json,
            warnings: issues(&d.warnings),
            versions: d
                .versions
                .iter()
                .map(|v| ProfileVersion {
                    version: v.version,
                    created_at: v.created_at.rfc3339(),
                    created_by: v.created_by.clone(),
                    upload: (&v.upload).into(),
                })
                .collect(),
            group_rule: d.group_rule,
            licensing_note: d.licensing_note,
        })
    }
}

/// Identifies one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileRef {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileListRequest {
    /// Only this token's profiles; all tokens when absent.
    #[serde(default)]
    #[ts(optional)]
    pub token_id: Option<String>,
}

/// `profiles.check`: validate a draft without saving.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileCheckRequest {
    pub token_id: String,
    pub draft: ProfileDraft,
    /// The profile being edited (its own name is not a clash).
    #[serde(default)]
    #[ts(optional)]
    pub editing: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CertificateCheck {
    pub ok: bool,
    pub subject: Option<String>,
    /// RFC 3339.
    pub expires_at: Option<String>,
    pub expired: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileCheck {
    /// Empty when the draft can be created.
    pub problems: Vec<ProfileIssue>,
    pub warnings: Vec<ProfileIssue>,
    /// The Apple JSON that Create would upload (when there are no problems).
    pub apple_json: Option<String>,
    pub certificates: Vec<CertificateCheck>,
    /// The name template on a sample iPad.
    pub device_name_preview: Option<String>,
    pub licensing_note: String,
}

impl ProfileCheck {
    pub fn from_core(c: core::ProfileCheck, now: UnixSeconds) -> Self {
        ProfileCheck {
            problems: issues(&c.problems),
            warnings: issues(&c.warnings),
            apple_json: c.apple_json,
            certificates: c
                .certificates
                .into_iter()
                .map(|r| match r {
                    Ok(s) => CertificateCheck {
                        ok: true,
                        expired: s.not_after < now,
                        subject: s.subject_common_name,
                        expires_at: Some(s.not_after.rfc3339()),
                        error: None,
                    },
                    Err(e) => CertificateCheck {
                        ok: false,
                        subject: None,
                        expires_at: None,
                        expired: false,
                        error: Some(e),
                    },
                })
                .collect(),
            device_name_preview: c.device_name_preview,
            licensing_note: c.licensing_note,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileCreateRequest {
    pub token_id: String,
    pub draft: ProfileDraft,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileEditRequest {
    pub id: String,
    pub draft: ProfileDraft,
}

/// After an edit or a retried upload: the profile, and the re-assignment of
/// devices on older versions (PRO-14), if any.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSaved {
    pub detail: ProfileDetail,
    pub reassignment: Option<AssignmentRun>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileDuplicateRequest {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearDefaultRequest {
    pub token_id: String,
    /// `iOS` | `macOS` | `tvOS` | `visionOS`: whose default to clear.
    pub platform: String,
}

/// `profiles.import`: a `depot.profile/v1` file's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileImportRequest {
    pub token_id: String,
    pub text: String,
}

/// `profiles.export` / `profiles.exportApple`: the file's text and a
/// suggested name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileExportRequest {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportedFile {
    /// A suggested file name.
    pub file_name: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileDiffRequest {
    pub id: String,
    pub from: i64,
    pub to: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// The draft path (`department.phone`).
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDiff {
    pub from: i64,
    pub to: i64,
    pub changes: Vec<FieldChange>,
}

impl From<core::FieldChange> for FieldChange {
    fn from(c: core::FieldChange) -> Self {
        FieldChange {
            field: c.field,
            label: c.label,
            before: c.before,
            after: c.after,
        }
    }
}

/// `profiles.handoff`: the MDM handoff files (PRO-19); written into `dir` when given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HandoffRequest {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HandoffFileDto {
    pub name: String,
    /// XML property list (or plain text for README.txt).
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Handoff {
    pub files: Vec<HandoffFileDto>,
}

/// The Setup Assistant screens Depot knows (PRO-12).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SkipKeyCatalogue {
    pub keys: Vec<SkipKeyEntry>,
    /// The wizard's starting values for a new profile (iOS).
    pub defaults: ProfileDraft,
    /// The four platforms, in order, each with its starting values (PLT-1).
    pub platforms: Vec<PlatformEntry>,
    /// The settings only some platforms use, by draft key (PLT-1); every
    /// other setting applies to all platforms.
    pub platform_settings: Vec<PlatformSetting>,
    /// The Setup Assistant languages tvOS and macOS offer (ISO 639).
    pub languages: Vec<String>,
    /// ISO 3166-1 alpha-2 regions.
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlatformEntry {
    /// `iOS` | `macOS` | `tvOS` | `visionOS`.
    pub platform: String,
    /// `iOS/iPadOS`, `macOS`, …
    pub label: String,
    /// Apple's device families that take this platform's profiles.
    pub families: Vec<String>,
    pub defaults: ProfileDraft,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlatformSetting {
    /// The draft key (`sharedIPad`, `autoAdvanceSetup`, …).
    pub field: String,
    pub setting: String,
    /// Platform names (`iOS`, …) that use it.
    pub platforms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SkipKeyEntry {
    pub key: String,
    pub label: String,
    pub description: String,
    pub platforms: Vec<SkipKeyPlatform>,
    /// Offered for iOS/iPadOS profiles (exists there and not removed).
    pub offered_for_ios: bool,
    /// The platforms (`iOS`, `macOS`, …) whose wizard offers it.
    pub offered_for: Vec<String>,
    /// Caveats to show at the screen, per platform.
    pub notes: Vec<SkipKeyNote>,
    /// Shown before the device has its configuration: hiding is best-effort.
    pub early_pane: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SkipKeyNote {
    /// `iOS` | `macOS` | `tvOS` | `visionOS`.
    pub platform: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SkipKeyPlatform {
    /// `iOS/iPadOS`, `macOS`, `tvOS`, `visionOS` (labels).
    pub platform: String,
    /// `iOS` | `macOS` | `tvOS` | `visionOS`.
    pub name: String,
    pub since: String,
    pub deprecated_in: Option<String>,
    pub removed_in: Option<String>,
}

impl From<&SkipKeyInfo> for SkipKeyEntry {
    fn from(info: &SkipKeyInfo) -> Self {
        SkipKeyEntry {
            key: info.key.to_owned(),
            label: info.label.to_owned(),
            description: info.description.to_owned(),
            platforms: info
                .platforms
                .iter()
                .map(|p| SkipKeyPlatform {
                    platform: p.platform.label().to_owned(),
                    name: p.platform.as_str().to_owned(),
                    since: p.since.to_string(),
                    deprecated_in: p.deprecated_in.map(|v| v.to_string()),
                    removed_in: p.removed_in.map(|v| v.to_string()),
                })
                .collect(),
            offered_for_ios: info.is_offered_for(ApplePlatform::Ios),
            offered_for: ApplePlatform::ALL
                .iter()
                .filter(|(p, _)| info.is_offered_for(*p))
                .map(|(_, name)| (*name).to_owned())
                .collect(),
            notes: ApplePlatform::ALL
                .iter()
                .filter_map(|(p, name)| {
                    skip_key_note(info.key, *p).map(|text| SkipKeyNote {
                        platform: (*name).to_owned(),
                        text: text.to_owned(),
                    })
                })
                .collect(),
            early_pane: info.early_pane,
        }
    }
}

/// Apple's device families, as `device_family` names them.
const FAMILIES: [&str; 6] = ["iPhone", "iPad", "iPod", "Mac", "AppleTV", "Vision"];

impl SkipKeyCatalogue {
    pub fn build() -> Result<Self, ApiError> {
        let platforms = ApplePlatform::ALL
            .iter()
            .map(|(platform, name)| {
                Ok(PlatformEntry {
                    platform: (*name).to_owned(),
                    label: platform.label().to_owned(),
                    families: FAMILIES
                        .iter()
                        .filter(|f| DeviceFamily::parse(f).platform() == Some(*platform))
                        .map(|f| (*f).to_owned())
                        .collect(),
                    defaults: ProfileDraft::from_spec(&ProfileSpec::new_for("", *platform))?,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(SkipKeyCatalogue {
            keys: SKIP_KEYS.iter().map(Into::into).collect(),
            defaults: ProfileDraft::from_spec(&ProfileSpec::new(""))?,
            platforms,
            platform_settings: PLATFORM_RULES
                .iter()
                .map(|rule| PlatformSetting {
                    field: rule.field.path(),
                    setting: rule.setting.to_owned(),
                    platforms: rule
                        .platforms
                        .iter()
                        .map(|p| p.as_str().to_owned())
                        .collect(),
                })
                .collect(),
            languages: SETUP_LANGUAGES.iter().map(|l| (*l).to_owned()).collect(),
            regions: regions().map(str::to_owned).collect(),
        })
    }
}

// ----- enrollment URL settings (PRO-18) ----------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentSettings {
    pub enrollment_url: Option<String>,
    pub configuration_web_url: Option<String>,
    pub tokens: Vec<TokenEnrollmentUrls>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenEnrollmentUrls {
    pub token_id: String,
    pub token_name: String,
    /// The token's own values; null = the workspace's.
    pub enrollment_url: Option<String>,
    pub configuration_web_url: Option<String>,
    /// What a new profile of this token uses.
    pub effective_enrollment_url: Option<String>,
    pub effective_configuration_web_url: Option<String>,
    pub is_simulator: bool,
}

impl From<core::EnrollmentSettings> for EnrollmentSettings {
    fn from(s: core::EnrollmentSettings) -> Self {
        EnrollmentSettings {
            enrollment_url: s.enrollment_url,
            configuration_web_url: s.configuration_web_url,
            tokens: s
                .tokens
                .into_iter()
                .map(|t| TokenEnrollmentUrls {
                    token_id: t.token_id.to_string(),
                    token_name: t.token_name,
                    enrollment_url: t.enrollment_url,
                    configuration_web_url: t.configuration_web_url,
                    effective_enrollment_url: t.effective_enrollment_url,
                    effective_configuration_web_url: t.effective_configuration_web_url,
                    is_simulator: t.is_simulator,
                })
                .collect(),
        }
    }
}

/// Sets the workspace's URLs, or one token's override when `tokenId` is given.
/// Empty or null values clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetEnrollmentUrlsRequest {
    #[serde(default)]
    #[ts(optional)]
    pub token_id: Option<String>,
    pub enrollment_url: Option<String>,
    pub configuration_web_url: Option<String>,
}

// ----- assignment runs (DEV-3) ---------------------------------------------------

/// An assignment run's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RunKind {
    Assign,
    Remove,
}

/// Why an assignment run was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RunReason {
    /// The admin chose the serials.
    Manual,
    /// A profile edit moves devices to the new version.
    Edit,
    /// New devices get their platform's default profile after a sync.
    Default,
}

/// Where an assignment run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RunResult {
    Running,
    Ok,
    Partial,
    Failed,
    Cancelled,
}

shown_as_wire_name!(RunKind, RunReason, RunResult);

impl From<depot_core::assign::AssignmentKind> for RunKind {
    fn from(kind: depot_core::assign::AssignmentKind) -> Self {
        match kind {
            depot_core::assign::AssignmentKind::Assign => RunKind::Assign,
            depot_core::assign::AssignmentKind::Remove => RunKind::Remove,
        }
    }
}

impl From<depot_core::assign::AssignReason> for RunReason {
    fn from(reason: depot_core::assign::AssignReason) -> Self {
        use depot_core::assign::AssignReason as R;
        match reason {
            R::Manual => RunReason::Manual,
            R::Edit => RunReason::Edit,
            R::Default => RunReason::Default,
        }
    }
}

impl From<depot_core::assign::RunResult> for RunResult {
    fn from(result: depot_core::assign::RunResult) -> Self {
        use depot_core::assign::RunResult as R;
        match result {
            R::Running => RunResult::Running,
            R::Ok => RunResult::Ok,
            R::Partial => RunResult::Partial,
            R::Failed => RunResult::Failed,
            R::Cancelled => RunResult::Cancelled,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentRun {
    pub id: String,
    pub token_id: String,
    pub kind: RunKind,
    pub reason: RunReason,
    pub profile_id: Option<String>,
    pub profile_version: Option<i64>,
    pub operator: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub result: RunResult,
    pub error: Option<String>,
    pub total: u64,
    pub pending: u64,
    pub succeeded: u64,
    pub not_accessible: u64,
    pub failed: u64,
    pub throttled: u64,
    /// Of `throttled`: serials kept and sent by a later run once Apple allows.
    pub throttled_kept: u64,
    /// A follow-up run that is not due yet waits until this time (RFC 3339).
    pub waiting_until: Option<String>,
    pub cooldown: u64,
    pub not_sent: u64,
}

impl From<CoreAssignment> for AssignmentRun {
    fn from(a: CoreAssignment) -> Self {
        AssignmentRun {
            id: a.run_id.to_string(),
            token_id: a.token_id.to_string(),
            kind: a.kind.into(),
            reason: a.reason.into(),
            profile_id: a.profile_id.map(|p| p.to_string()),
            profile_version: a.profile_version,
            operator: a.operator,
            started_at: a.started_at.rfc3339(),
            finished_at: a.finished_at.map(UnixSeconds::rfc3339),
            result: a.result.into(),
            error: a.error,
            total: a.total,
            pending: a.pending,
            succeeded: a.succeeded,
            not_accessible: a.not_accessible,
            failed: a.failed,
            throttled: a.throttled,
            throttled_kept: a.throttled_kept,
            waiting_until: a.waiting_until.map(UnixSeconds::rfc3339),
            cooldown: a.cooldown,
            not_sent: a.not_sent,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignmentRef {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignmentHistoryRequest {
    #[serde(default)]
    #[ts(optional)]
    pub token_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentHistory {
    pub runs: Vec<AssignmentRun>,
}

/// One serial's outcome in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentResult {
    pub serial: String,
    pub batch: i64,
    /// `SUCCESS`, `NOT_ACCESSIBLE`, `FAILED`, `THROTTLED`, `COOLDOWN`, `NOT_SENT`;
    /// null while waiting.
    pub outcome: Option<String>,
    pub detail: Option<String>,
    pub at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentResults {
    pub run: AssignmentRun,
    pub results: Vec<AssignmentResult>,
}

impl From<depot_core::assign::AssignmentResultRow> for AssignmentResult {
    fn from(r: depot_core::assign::AssignmentResultRow) -> Self {
        AssignmentResult {
            serial: r.serial.as_str().to_owned(),
            batch: r.batch,
            outcome: r.outcome.map(|o| o.as_str().to_owned()),
            detail: r.detail,
            at: r.at.map(UnixSeconds::rfc3339),
        }
    }
}
