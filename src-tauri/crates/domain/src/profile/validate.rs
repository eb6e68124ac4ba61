//! The profile rules (PRO-1..12, PRO-18): every problem at once, each with its field.

use std::fmt;

use super::certificate::Certificate;
use super::locale::{Language, Region};
use super::platform_rules;
use super::skip_keys::{SKIP_KEYS, SkipKey, skip_key_note};
use super::spec::{Authentication, ProfileSpec, SyncWithComputers, UserAffinity};
use super::template::DeviceNameTemplate;

pub const MAX_NAME_CHARS: usize = 125;
pub const MAX_DEPARTMENT_CHARS: usize = 125;
pub const MAX_PHONE_CHARS: usize = 50;
pub const MAX_EMAIL_CHARS: usize = 250;
pub const MAX_CACHED_USERS: i64 = 24;
pub const MAX_CONFIGURATOR_CERTIFICATES: usize = 10;
pub const MAX_URL_CHARS: usize = 2_000;

/// The setting a problem belongs to. [`ProfileField::path`] is the camelCase path
/// of the `depot.profile/v1` key (`department.phone`, `hiddenScreens[3]`), which
/// the UI maps to a wizard step and an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileField {
    Name,
    Description,
    Platform,
    UserAffinity,
    Authentication,
    InstallCompanyPortal,
    CompanyPortalVppToken,
    SingleAppModeUntilAuthentication,
    Supervised,
    LockedEnrollment,
    AwaitFinalConfiguration,
    SharedIPad,
    MaximumCachedUsers,
    SyncWithComputers,
    ConfiguratorCertificates,
    /// One certificate, by position.
    ConfiguratorCertificate(usize),
    DeviceNameTemplate,
    DepartmentName,
    DepartmentPhone,
    DepartmentEmail,
    /// One hidden screen's key, by position.
    HiddenScreen(usize),
    EnrollmentUrl,
    ConfigurationWebUrl,
    AutoAdvanceSetup,
    Language,
    Region,
    ReturnToService,
    DoNotUseProfileFromBackup,
}

impl ProfileField {
    /// The top-level `depot.profile/v1` key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Description => "description",
            Self::Platform => "platform",
            Self::UserAffinity => "userAffinity",
            Self::Authentication => "authentication",
            Self::InstallCompanyPortal => "installCompanyPortal",
            Self::CompanyPortalVppToken => "companyPortalVppToken",
            Self::SingleAppModeUntilAuthentication => "singleAppModeUntilAuthentication",
            Self::Supervised => "supervised",
            Self::LockedEnrollment => "lockedEnrollment",
            Self::AwaitFinalConfiguration => "awaitFinalConfiguration",
            Self::SharedIPad => "sharedIPad",
            Self::MaximumCachedUsers => "maximumCachedUsers",
            Self::SyncWithComputers => "syncWithComputers",
            Self::ConfiguratorCertificates | Self::ConfiguratorCertificate(_) => {
                "configuratorCertificates"
            }
            Self::DeviceNameTemplate => "deviceNameTemplate",
            Self::DepartmentName | Self::DepartmentPhone | Self::DepartmentEmail => "department",
            Self::HiddenScreen(_) => "hiddenScreens",
            Self::EnrollmentUrl => "enrollmentUrl",
            Self::ConfigurationWebUrl => "configurationWebUrl",
            Self::AutoAdvanceSetup => "autoAdvanceSetup",
            Self::Language => "language",
            Self::Region => "region",
            Self::ReturnToService => "returnToService",
            Self::DoNotUseProfileFromBackup => "doNotUseProfileFromBackup",
        }
    }

    /// The full path: `department.email`, `configuratorCertificates[1]`.
    pub fn path(self) -> String {
        match self {
            Self::ConfiguratorCertificate(i) | Self::HiddenScreen(i) => {
                format!("{}[{i}]", self.key())
            }
            Self::DepartmentName => "department.name".to_owned(),
            Self::DepartmentPhone => "department.phone".to_owned(),
            Self::DepartmentEmail => "department.email".to_owned(),
            other => other.key().to_owned(),
        }
    }
}

impl fmt::Display for ProfileField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

impl serde::Serialize for ProfileField {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.path())
    }
}

/// One thing to fix (or, from [`ProfileSpec::warnings`], to know).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProfileProblem {
    pub field: ProfileField,
    /// What is wrong and what to do, in the admin's words.
    pub message: String,
}

impl ProfileProblem {
    pub fn new(field: ProfileField, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for ProfileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// An `https://` URL with a host, at most 2,000 characters (Apple's `url` rules).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpsUrl(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpsUrlError {
    #[error("the address must start with https:// (devices only enroll over TLS)")]
    NotHttps,
    #[error("the address has no host name after https://")]
    NoHost,
    #[error(
        "the address contains spaces, control or invisible direction characters; percent-encode them"
    )]
    Whitespace,
    #[error("the address is longer than Apple's 2,000 characters")]
    TooLong,
}

impl HttpsUrl {
    pub fn parse(input: &str) -> Result<Self, HttpsUrlError> {
        let url = input.trim();
        if url.chars().any(|c| c.is_whitespace() || c.is_control())
            || crate::text::check_line(url).is_err()
        {
            return Err(HttpsUrlError::Whitespace);
        }
        if url.len() > MAX_URL_CHARS {
            return Err(HttpsUrlError::TooLong);
        }
        let rest = url
            .get(..8)
            .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
            .map(|_| &url[8..])
            .ok_or(HttpsUrlError::NotHttps)?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        if host.is_empty() || host.starts_with(':') {
            return Err(HttpsUrlError::NoHost);
        }
        Ok(Self(url.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HttpsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A profile that passed every rule, with its parsed parts. Only this maps to Apple JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidProfile {
    spec: ProfileSpec,
    enrollment_url: Option<HttpsUrl>,
    configuration_web_url: Option<HttpsUrl>,
    certificates: Vec<Certificate>,
    device_name_template: Option<DeviceNameTemplate>,
    language: Option<Language>,
    region: Option<Region>,
}

impl ValidProfile {
    pub fn spec(&self) -> &ProfileSpec {
        &self.spec
    }

    pub fn into_spec(self) -> ProfileSpec {
        self.spec
    }

    /// The profile's own enrollment URL, overriding the token's/workspace's.
    pub fn enrollment_url(&self) -> Option<&HttpsUrl> {
        self.enrollment_url.as_ref()
    }

    /// The profile's own configuration web URL (modern authentication only).
    pub fn configuration_web_url(&self) -> Option<&HttpsUrl> {
        self.configuration_web_url.as_ref()
    }

    /// Apple Configurator certificates; empty unless syncing is allowed by certificate.
    pub fn configurator_certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    pub fn device_name_template(&self) -> Option<&DeviceNameTemplate> {
        self.device_name_template.as_ref()
    }

    /// The Setup Assistant language (tvOS, macOS), normalised (`fr`).
    pub fn language(&self) -> Option<&Language> {
        self.language.as_ref()
    }

    /// The Setup Assistant region (tvOS, macOS), normalised (`CA`).
    pub fn region(&self) -> Option<&Region> {
        self.region.as_ref()
    }
}

/// A non-blank optional string, trimmed. Blank strings count as unset, so a cleared
/// form field and a missing key mean the same.
pub(crate) fn non_blank(value: Option<&String>) -> Option<&str> {
    value.map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.split('.').count() >= 2
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
}

impl ProfileSpec {
    /// Every rule, every problem: `Ok` only when there are none.
    pub fn validate(&self) -> Result<ValidProfile, Vec<ProfileProblem>> {
        use ProfileField as F;
        let mut problems = Vec::new();
        let mut problem =
            |field, message: String| problems.push(ProfileProblem::new(field, message));
        let spec = self;
        let with_affinity = spec.user_affinity == UserAffinity::WithUserAffinity;

        // PRO-1
        let name_chars = spec.name.trim().chars().count();
        if name_chars == 0 {
            problem(F::Name, "Enter a name for the profile.".into());
        } else if name_chars > MAX_NAME_CHARS {
            problem(
                F::Name,
                format!(
                    "The name has {name_chars} characters; Apple allows at most {MAX_NAME_CHARS}."
                ),
            );
        }

        // Free text shows in lists, on devices and in the audit log: no
        // control or bidirectional-override characters (issue 11).
        {
            let department = spec.department.as_ref();
            let lines = [
                (F::Name, "name", Some(&spec.name)),
                (
                    F::CompanyPortalVppToken,
                    "VPP token",
                    spec.company_portal_vpp_token.as_ref(),
                ),
                (
                    F::DeviceNameTemplate,
                    "device name template",
                    spec.device_name_template.as_ref(),
                ),
                (
                    F::DepartmentName,
                    "department name",
                    department.and_then(|d| d.name.as_ref()),
                ),
                (
                    F::DepartmentPhone,
                    "department phone",
                    department.and_then(|d| d.phone.as_ref()),
                ),
                (
                    F::DepartmentEmail,
                    "support email",
                    department.and_then(|d| d.email.as_ref()),
                ),
            ];
            for (field, what, value) in lines {
                if let Some(Err(bad)) = value.map(|v| crate::text::check_line(v)) {
                    problem(field, format!("The {what} {bad}."));
                }
            }
            if let Some(Err(bad)) = spec
                .description
                .as_ref()
                .map(|v| crate::text::check_multiline(v))
            {
                problem(F::Description, format!("The description {bad}."));
            }
        }

        // PRO-2, PRO-3
        match (with_affinity, spec.authentication) {
            (true, None) => problem(
                F::Authentication,
                "Choose where users authenticate: Company Portal, Setup Assistant, or Setup Assistant with modern authentication.".into(),
            ),
            (false, Some(_)) => problem(
                F::Authentication,
                "Devices enrolled without user affinity have no user to authenticate; clear the authentication method or enroll with user affinity.".into(),
            ),
            _ => {}
        }

        // PRO-4, PRO-5
        if spec.authentication == Some(Authentication::CompanyPortal)
            && !spec.install_company_portal
        {
            problem(
                F::InstallCompanyPortal,
                "With Company Portal authentication the Company Portal is always installed; turn Install Company Portal on.".into(),
            );
        }
        if !with_affinity && spec.install_company_portal {
            problem(
                F::InstallCompanyPortal,
                "The Company Portal does not work on devices without user affinity; turn Install Company Portal off.".into(),
            );
        }
        let vpp_token = non_blank(spec.company_portal_vpp_token.as_ref());
        if vpp_token.is_some() && !spec.install_company_portal {
            problem(
                F::CompanyPortalVppToken,
                "A VPP token is only used to install the Company Portal; turn Install Company Portal on or clear the VPP token.".into(),
            );
        }
        if spec.single_app_mode_until_authentication && vpp_token.is_none() {
            problem(
                F::SingleAppModeUntilAuthentication,
                "Single App Mode needs the Company Portal installed with a VPP token; choose a VPP token or turn Single App Mode off.".into(),
            );
        }

        // PRO-7
        if spec.locked_enrollment && !spec.supervised {
            problem(
                F::LockedEnrollment,
                "Locked enrollment works only on supervised devices; set Supervised to Yes or turn Locked enrollment off.".into(),
            );
        }

        // PRO-8
        if spec.shared_ipad && with_affinity {
            problem(
                F::SharedIPad,
                "Shared iPad needs enrollment without user affinity; change User affinity or turn Shared iPad off.".into(),
            );
        }
        if spec.shared_ipad && !spec.supervised {
            problem(
                F::SharedIPad,
                "Shared iPad works only on supervised devices; set Supervised to Yes or turn Shared iPad off.".into(),
            );
        }
        match (spec.shared_ipad, spec.maximum_cached_users) {
            (true, None) => problem(
                F::MaximumCachedUsers,
                format!("Enter the maximum number of cached users (1 to {MAX_CACHED_USERS}) for Shared iPad."),
            ),
            (true, Some(n)) if !(1..=MAX_CACHED_USERS).contains(&n) => problem(
                F::MaximumCachedUsers,
                format!("{n} users cannot be cached; enter a number from 1 to {MAX_CACHED_USERS}."),
            ),
            (false, Some(_)) => problem(
                F::MaximumCachedUsers,
                "Maximum cached users applies only to Shared iPad; clear it or turn Shared iPad on.".into(),
            ),
            _ => {}
        }

        // PLT-1: auto advance leaves nobody at the device to sign in.
        if spec.auto_advance_setup && with_affinity {
            problem(
                F::AutoAdvanceSetup,
                "Auto advance runs Setup Assistant with nobody at the device, so no user could sign in; enroll without user affinity or turn Auto advance off.".into(),
            );
        }

        // PRO-10
        let by_certificate = spec.sync_with_computers == SyncWithComputers::AllowByCertificate;
        let count = spec.configurator_certificates.len();
        if by_certificate && count == 0 {
            problem(
                F::ConfiguratorCertificates,
                "Add at least one Apple Configurator certificate, or choose another Sync with computers option.".into(),
            );
        } else if by_certificate && count > MAX_CONFIGURATOR_CERTIFICATES {
            problem(
                F::ConfiguratorCertificates,
                format!(
                    "There are {count} Apple Configurator certificates; remove some to keep at most {MAX_CONFIGURATOR_CERTIFICATES}."
                ),
            );
        } else if !by_certificate && count > 0 {
            problem(
                F::ConfiguratorCertificates,
                "Certificates are only used with 'Allow Apple Configurator by certificate'; remove them or choose that option.".into(),
            );
        }
        let mut certificates = Vec::new();
        for (i, text) in spec.configurator_certificates.iter().enumerate() {
            match Certificate::from_base64(text) {
                Ok(cert) => certificates.push(cert),
                Err(err) => problem(
                    F::ConfiguratorCertificate(i),
                    format!(
                        "Certificate {} cannot be used: {err}. Upload the .cer or .crt file again.",
                        i + 1
                    ),
                ),
            }
        }

        // PRO-11
        let device_name_template = match spec
            .device_name_template
            .as_deref()
            .map(DeviceNameTemplate::parse)
        {
            None => None,
            Some(Ok(template)) => Some(template),
            Some(Err(err)) => {
                problem(
                    F::DeviceNameTemplate,
                    format!("The device name template cannot be used: {err}."),
                );
                None
            }
        };

        // PRO-12
        if let Some(department) = &spec.department {
            let limits = [
                (
                    F::DepartmentName,
                    &department.name,
                    "department name",
                    MAX_DEPARTMENT_CHARS,
                ),
                (
                    F::DepartmentPhone,
                    &department.phone,
                    "department phone",
                    MAX_PHONE_CHARS,
                ),
                (
                    F::DepartmentEmail,
                    &department.email,
                    "support email",
                    MAX_EMAIL_CHARS,
                ),
            ];
            for (field, value, what, max) in limits {
                let Some(value) = non_blank(value.as_ref()) else {
                    continue;
                };
                let chars = value.chars().count();
                if chars > max {
                    problem(
                        field,
                        format!("The {what} has {chars} characters; Apple allows at most {max}."),
                    );
                }
            }
            if let Some(email) = non_blank(department.email.as_ref())
                && !is_email(email)
            {
                problem(
                    F::DepartmentEmail,
                    format!("'{email}' is not an email address; enter one like it@example.com."),
                );
            }
        }
        for (i, key) in spec.hidden_screens.iter().enumerate() {
            if key.as_str().trim().is_empty() {
                problem(
                    F::HiddenScreen(i),
                    "A hidden screen has an empty key; remove it.".into(),
                );
            }
        }

        // PRO-18
        let enrollment_url = match non_blank(spec.enrollment_url.as_ref()).map(HttpsUrl::parse) {
            None => None,
            Some(Ok(url)) => Some(url),
            Some(Err(err)) => {
                problem(
                    F::EnrollmentUrl,
                    format!("The enrollment URL cannot be used: {err}."),
                );
                None
            }
        };
        let configuration_web_url = match non_blank(spec.configuration_web_url.as_ref()) {
            None => None,
            Some(_) if spec.authentication != Some(Authentication::SetupAssistantModern) => {
                problem(
                    F::ConfigurationWebUrl,
                    "A configuration web URL is only used with Setup Assistant with modern authentication; clear it or choose that method.".into(),
                );
                None
            }
            Some(text) => match HttpsUrl::parse(text) {
                Ok(url) => Some(url),
                Err(err) => {
                    problem(
                        F::ConfigurationWebUrl,
                        format!("The configuration web URL cannot be used: {err}."),
                    );
                    None
                }
            },
        };

        // PLT-1: settings the profile's platform has no use for, and the
        // Setup Assistant language and region.
        for (field, message) in platform_rules::problems(spec) {
            problem(field, message);
        }
        let (language, region) = match super::locale::check(
            non_blank(spec.language.as_ref()),
            non_blank(spec.region.as_ref()),
        ) {
            Ok(pair) => pair,
            Err(found) => {
                for (field, message) in found {
                    problem(field, message);
                }
                (None, None)
            }
        };

        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ValidProfile {
            spec: spec.clone(),
            enrollment_url,
            configuration_web_url,
            certificates,
            device_name_template,
            language,
            region,
        })
    }

    /// Every rule's problems; empty when [`ProfileSpec::validate`] succeeds.
    pub fn problems(&self) -> Vec<ProfileProblem> {
        self.validate().err().unwrap_or_default()
    }

    /// Things that do not block saving but the admin should see (PRO-13): hidden
    /// screens Depot does not know, that do nothing on the profile's platform, that
    /// Apple deprecated or removed, or that are listed twice.
    pub fn warnings(&self) -> Vec<ProfileProblem> {
        let platform = self.platform;
        let mut warnings = Vec::new();
        for (i, key) in self.hidden_screens.iter().enumerate() {
            let field = ProfileField::HiddenScreen(i);
            let mut warn = |message: String| warnings.push(ProfileProblem::new(field, message));
            if key.as_str().trim().is_empty() {
                continue;
            }
            if self.hidden_screens[..i].contains(key) {
                warn(format!("'{key}' is listed twice; it is sent once."));
                continue;
            }
            let Some(info) = key.info() else {
                warn(unknown_key_message(key));
                continue;
            };
            match info.support(platform) {
                None => warn(format!(
                    "'{}' ({key}) does not exist on {}; hiding it has no effect.",
                    info.label,
                    platform.label()
                )),
                Some(support) => {
                    if let Some(note) = skip_key_note(key.as_str(), platform) {
                        warn(note.to_owned());
                    }
                    if let Some(version) = support.removed_in {
                        warn(format!(
                            "Apple removed the '{}' screen ({key}) in {} {version}; hiding it only matters on older versions.",
                            info.label,
                            platform.label()
                        ));
                    } else if let Some(version) = support.deprecated_in {
                        warn(format!(
                            "Apple deprecated the '{}' screen ({key}) in {} {version}.",
                            info.label,
                            platform.label()
                        ));
                    }
                }
            }
        }
        warnings
    }
}

fn unknown_key_message(key: &SkipKey) -> String {
    if let Some(info) = SKIP_KEYS
        .iter()
        .find(|info| info.key.eq_ignore_ascii_case(key.as_str()))
    {
        return format!(
            "'{key}' is not an Apple screen key; keys are case-sensitive — did you mean '{}'? It is sent as written.",
            info.key
        );
    }
    if key.is_legacy() {
        return format!(
            "'{key}' is not in Apple's current list of screens (an older or undocumented key); it is kept and sent as written."
        );
    }
    format!("Depot does not know the screen key '{key}'; it is kept and sent to Apple as written.")
}
