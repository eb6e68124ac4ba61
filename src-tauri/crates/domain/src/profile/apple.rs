//! A valid profile as Apple's profile JSON (`POST /profile`, `docs/apple-wire.md` §4).
//!
//! Why here and not in `depot-apple` (which holds the other wire formats):
//! this JSON is the last step of the profile rules, not transport. It is pure
//! (no IO, no clock), the wizard's Review step and `profile export --apple`
//! show it before anything is sent, and the golden tests pin it per platform
//! next to the rules that produce it. `depot-apple` sends it as an opaque
//! JSON value; only `domain` decides what goes in it.

use std::fmt;

use serde::Serialize;

use super::certificate::Certificate;
use super::skip_keys::ApplePlatform;
use super::spec::{Authentication, SyncWithComputers};
use super::validate::{HttpsUrl, ProfileField, ProfileProblem, ValidProfile, non_blank};

/// Apple's `org_magic`: a stable, non-empty identifier of the organisation, at most
/// 256 characters. The workspace creates it once and keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgMagic(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgMagicError {
    #[error("the organisation identifier (org_magic) is empty")]
    Empty,
    #[error("the organisation identifier (org_magic) is longer than 256 characters")]
    TooLong,
}

impl OrgMagic {
    pub const MAX_CHARS: usize = 256;

    pub fn parse(input: &str) -> Result<Self, OrgMagicError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(OrgMagicError::Empty);
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(OrgMagicError::TooLong);
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgMagic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the Apple JSON needs from outside the profile: the token's or workspace's
/// settings (PRO-18). The profile's own URLs, when set, win over these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppleProfileContext {
    pub enrollment_url: Option<HttpsUrl>,
    pub configuration_web_url: Option<HttpsUrl>,
    pub org_magic: OrgMagic,
    /// TLS trust anchors for the enrollment servers (pinning); usually empty.
    pub anchor_certs: Vec<Certificate>,
}

/// Apple's profile JSON, keys exactly as Apple names them. Optional strings are
/// omitted rather than sent empty. The booleans every platform uses are always
/// sent; a key only some platforms use is sent only for them (`is_multi_user`
/// and `allow_pairing` on iOS/iPadOS, `auto_advance_setup` on tvOS and macOS),
/// and the OS 26 keys only when turned on (older devices never see them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppleProfile {
    pub profile_name: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration_web_url: Option<String>,
    pub is_supervised: bool,
    pub is_mdm_removable: bool,
    pub is_mandatory: bool,
    pub await_device_configured: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_advance_setup: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_multi_user: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_pairing: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supervising_host_certs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub anchor_certs: Vec<String>,
    pub org_magic: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_email_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub skip_setup_items: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_return_to_service: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub do_not_use_profile_from_backup: Option<bool>,
}

impl AppleProfile {
    /// Pretty JSON, as shown on Review + Create and exported.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl ValidProfile {
    /// The JSON to upload. Fails only when an enrollment URL is missing: neither the
    /// profile nor the context has `url`, or modern authentication has no
    /// `configuration_web_url`.
    ///
    /// `is_mandatory` is always true: no wizard setting lets users skip enrollment,
    /// and iOS 13+ treats every ADE enrollment as mandatory anyway.
    pub fn apple_profile(
        &self,
        context: &AppleProfileContext,
    ) -> Result<AppleProfile, Vec<ProfileProblem>> {
        let spec = self.spec();
        let modern = spec.authentication == Some(Authentication::SetupAssistantModern);
        let url = self.enrollment_url().or(context.enrollment_url.as_ref());
        let configuration_web_url = if modern {
            self.configuration_web_url()
                .or(context.configuration_web_url.as_ref())
        } else {
            None
        };
        let mut problems = Vec::new();
        if url.is_none() {
            problems.push(ProfileProblem::new(
                ProfileField::EnrollmentUrl,
                "There is no enrollment URL: set the MDM server's enrollment URL in the workspace settings, the token, or this profile.",
            ));
        }
        if modern && configuration_web_url.is_none() {
            problems.push(ProfileProblem::new(
                ProfileField::ConfigurationWebUrl,
                "Modern authentication needs a configuration web URL: set it in the workspace settings, the token, or this profile.",
            ));
        }
        let Some(url) = url.filter(|_| problems.is_empty()) else {
            return Err(problems);
        };

        let department = spec.department.as_ref();
        let text = |value: Option<&String>| non_blank(value).map(str::to_owned);
        let mut skip_setup_items: Vec<String> = Vec::new();
        for key in &spec.hidden_screens {
            let key = key.as_str().trim();
            if !key.is_empty() && !skip_setup_items.iter().any(|k| k == key) {
                skip_setup_items.push(key.to_owned());
            }
        }
        let platform = spec.platform;
        let ios = platform == ApplePlatform::Ios;
        let pairs = matches!(platform, ApplePlatform::Ios | ApplePlatform::VisionOs);
        let tv_or_mac = matches!(platform, ApplePlatform::TvOs | ApplePlatform::MacOs);
        let when_on = |on: bool| (pairs && on).then_some(true);
        Ok(AppleProfile {
            profile_name: spec.name.trim().to_owned(),
            url: url.as_str().to_owned(),
            configuration_web_url: configuration_web_url.map(|u| u.as_str().to_owned()),
            is_supervised: spec.supervised,
            is_mdm_removable: !spec.locked_enrollment,
            is_mandatory: true,
            await_device_configured: spec.await_final_configuration,
            auto_advance_setup: tv_or_mac.then_some(spec.auto_advance_setup),
            is_multi_user: ios.then_some(spec.shared_ipad),
            allow_pairing: pairs.then_some(spec.sync_with_computers == SyncWithComputers::AllowAll),
            supervising_host_certs: self
                .configurator_certificates()
                .iter()
                .map(Certificate::to_base64)
                .collect(),
            anchor_certs: context
                .anchor_certs
                .iter()
                .map(Certificate::to_base64)
                .collect(),
            org_magic: context.org_magic.as_str().to_owned(),
            department: text(department.and_then(|d| d.name.as_ref())),
            support_phone_number: text(department.and_then(|d| d.phone.as_ref())),
            support_email_address: text(department.and_then(|d| d.email.as_ref())),
            language: self
                .language()
                .filter(|_| tv_or_mac)
                .map(|l| l.as_str().to_owned()),
            region: self
                .region()
                .filter(|_| tv_or_mac)
                .map(|r| r.as_str().to_owned()),
            skip_setup_items,
            is_return_to_service: when_on(spec.return_to_service),
            do_not_use_profile_from_backup: when_on(spec.do_not_use_profile_from_backup),
        })
    }
}
