//! Enrollment profiles (PRO-1..12, PRO-16, PRO-18): the admin's choices
//! ([`ProfileSpec`]), their rules ([`ProfileSpec::validate`]), the
//! `depot.profile/v1` file, the Setup Assistant skip-key catalogue, device name
//! templates, and the mapping to Apple's profile JSON ([`AppleProfile`]).
//!
//! Flow: file or wizard → [`ProfileSpec`] → [`ProfileSpec::validate`] →
//! [`ValidProfile`] → [`ValidProfile::apple_profile`] with the workspace's
//! [`AppleProfileContext`] → [`AppleProfile`] JSON.

mod apple;
mod certificate;
mod describe;
mod file;
mod locale;
mod platform_rules;
mod skip_keys;
mod spec;
mod template;
mod validate;

pub use apple::{AppleProfile, AppleProfileContext, OrgMagic, OrgMagicError};
pub use certificate::{Certificate, CertificateError, CertificateSummary};
pub use describe::{FieldChange, device_name_preview, diff_specs, group_rule, licensing_note};
pub use file::{FileProblem, PROFILE_FORMAT, ProfileFileError};
pub use locale::{Language, Region, SETUP_LANGUAGES, is_iso_639, is_iso_3166, regions};
pub use platform_rules::{PLATFORM_RULES, PlatformRule, assignment_refusal, rule_for};
pub use skip_keys::{
    ApplePlatform, LEGACY_SKIP_KEYS, OsVersion, PlatformSupport, SKIP_KEYS, SkipKey, SkipKeyInfo,
    skip_key_info, skip_key_note,
};
pub use spec::{
    Authentication, Department, ProfilePlatform, ProfileSpec, SyncWithComputers, UserAffinity,
};
pub use template::{
    DeviceNameTemplate, MAX_DEVICE_NAME_CHARS, MAX_DEVICE_TYPE_CHARS, TemplateError,
};
pub use validate::{
    HttpsUrl, HttpsUrlError, MAX_CACHED_USERS, MAX_CONFIGURATOR_CERTIFICATES, MAX_DEPARTMENT_CHARS,
    MAX_EMAIL_CHARS, MAX_NAME_CHARS, MAX_PHONE_CHARS, MAX_URL_CHARS, ProfileField, ProfileProblem,
    ValidProfile,
};

#[cfg(test)]
mod tests;
