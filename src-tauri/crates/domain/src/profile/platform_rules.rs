//! PLT-1: the settings only some platforms use. A profile that sets one its
//! platform has no use for is refused with that setting named; the wizard
//! shows each setting only on the platforms listed here (the UI reads this
//! table through the catalogue, so the two never disagree).

use super::skip_keys::ApplePlatform::{self, Ios, MacOs, TvOs, VisionOs};
use super::spec::{Authentication, ProfileSpec, SyncWithComputers, UserAffinity};
use super::validate::{ProfileField, non_blank};
use crate::device::DeviceFamily;

/// One setting that only some platforms use.
#[derive(Debug, Clone, Copy)]
pub struct PlatformRule {
    pub field: ProfileField,
    /// The setting as the wizard names it.
    pub setting: &'static str,
    /// The platforms that use it.
    pub platforms: &'static [ApplePlatform],
    /// Whether the profile uses the setting (holds anything but its "off" value).
    pub is_set: fn(&ProfileSpec) -> bool,
    /// What to do on another platform.
    pub fix: &'static str,
}

impl PlatformRule {
    pub fn applies_to(&self, platform: ApplePlatform) -> bool {
        self.platforms.contains(&platform)
    }
}

const IOS: &[ApplePlatform] = &[Ios];
const IOS_MACOS: &[ApplePlatform] = &[Ios, MacOs];
const IOS_VISIONOS: &[ApplePlatform] = &[Ios, VisionOs];
const TVOS_MACOS: &[ApplePlatform] = &[TvOs, MacOs];

/// Every platform-bound setting. Settings not listed here (supervision,
/// locked enrollment, await final configuration, device name template,
/// department, enrollment URLs) apply to every platform.
pub const PLATFORM_RULES: &[PlatformRule] = &[
    PlatformRule {
        field: ProfileField::UserAffinity,
        setting: "Enrollment with user affinity",
        platforms: IOS_MACOS,
        is_set: |s| s.user_affinity == UserAffinity::WithUserAffinity,
        fix: "enroll without user affinity",
    },
    PlatformRule {
        field: ProfileField::Authentication,
        setting: "Company Portal authentication",
        platforms: IOS,
        is_set: |s| s.authentication == Some(Authentication::CompanyPortal),
        fix: "choose Setup Assistant with modern authentication",
    },
    PlatformRule {
        field: ProfileField::InstallCompanyPortal,
        setting: "Install Company Portal",
        platforms: IOS,
        is_set: |s| s.install_company_portal,
        fix: "turn Install Company Portal off",
    },
    PlatformRule {
        field: ProfileField::CompanyPortalVppToken,
        setting: "A VPP token for the Company Portal",
        platforms: IOS,
        is_set: |s| non_blank(s.company_portal_vpp_token.as_ref()).is_some(),
        fix: "clear the VPP token",
    },
    PlatformRule {
        field: ProfileField::SingleAppModeUntilAuthentication,
        setting: "Single App Mode until authentication",
        platforms: IOS,
        is_set: |s| s.single_app_mode_until_authentication,
        fix: "turn Single App Mode off",
    },
    PlatformRule {
        field: ProfileField::SharedIPad,
        setting: "Shared iPad",
        platforms: IOS,
        is_set: |s| s.shared_ipad,
        fix: "turn Shared iPad off",
    },
    PlatformRule {
        field: ProfileField::SyncWithComputers,
        setting: "Limiting sync with computers",
        platforms: IOS_VISIONOS,
        is_set: |s| s.sync_with_computers != SyncWithComputers::AllowAll,
        fix: "leave Sync with computers at Allow all",
    },
    PlatformRule {
        field: ProfileField::ConfiguratorCertificates,
        setting: "Apple Configurator certificates",
        platforms: IOS_VISIONOS,
        is_set: |s| !s.configurator_certificates.is_empty(),
        fix: "remove the certificates",
    },
    PlatformRule {
        field: ProfileField::AutoAdvanceSetup,
        setting: "Auto advance Setup Assistant",
        platforms: TVOS_MACOS,
        is_set: |s| s.auto_advance_setup,
        fix: "turn Auto advance off",
    },
    PlatformRule {
        field: ProfileField::Language,
        setting: "A Setup Assistant language",
        platforms: TVOS_MACOS,
        is_set: |s| non_blank(s.language.as_ref()).is_some(),
        fix: "clear the language",
    },
    PlatformRule {
        field: ProfileField::Region,
        setting: "A Setup Assistant region",
        platforms: TVOS_MACOS,
        is_set: |s| non_blank(s.region.as_ref()).is_some(),
        fix: "clear the region",
    },
    PlatformRule {
        field: ProfileField::ReturnToService,
        setting: "Return to Service",
        platforms: IOS_VISIONOS,
        is_set: |s| s.return_to_service,
        fix: "turn Return to Service off",
    },
    PlatformRule {
        field: ProfileField::DoNotUseProfileFromBackup,
        setting: "Ignoring the enrollment profile of a restored backup",
        platforms: IOS_VISIONOS,
        is_set: |s| s.do_not_use_profile_from_backup,
        fix: "turn the option off",
    },
];

/// The rule for `field`, if only some platforms use it.
pub fn rule_for(field: ProfileField) -> Option<&'static PlatformRule> {
    PLATFORM_RULES.iter().find(|rule| rule.field == field)
}

/// "iOS/iPadOS and visionOS".
fn list(platforms: &[ApplePlatform]) -> String {
    let labels: Vec<&str> = platforms.iter().map(|p| p.label()).collect();
    match labels.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Every setting `spec` uses that its platform has no use for.
pub(crate) fn problems(spec: &ProfileSpec) -> Vec<(ProfileField, String)> {
    PLATFORM_RULES
        .iter()
        .filter(|rule| !rule.applies_to(spec.platform) && (rule.is_set)(spec))
        .map(|rule| {
            (
                rule.field,
                format!(
                    "{}: only for {} profiles, not {}; {}.",
                    rule.setting,
                    list(rule.platforms),
                    spec.platform.label(),
                    rule.fix
                ),
            )
        })
        .collect()
}

/// PLT-3: why a profile for `platform` (a Shared iPad profile when
/// `shared_ipad`) must not be sent for a device of `family`, or `None` when it
/// may. A family Depot does not know is left to Apple.
pub fn assignment_refusal(
    platform: ApplePlatform,
    shared_ipad: bool,
    family: &DeviceFamily,
) -> Option<String> {
    let device_platform = family.platform()?;
    let name = match family {
        DeviceFamily::AppleTv => "Apple TV",
        DeviceFamily::Vision => "Apple Vision Pro",
        other => other.as_str(),
    };
    if device_platform != platform {
        return Some(format!(
            "platform mismatch: this {name} needs {} {} profile, not {} {} one",
            article(device_platform.label()),
            device_platform.label(),
            article(platform.label()),
            platform.label()
        ));
    }
    if shared_ipad && *family != DeviceFamily::IPad {
        return Some(format!(
            "Shared iPad profiles are for iPads only; this is {} {name}",
            article(name)
        ));
    }
    None
}

/// "an iPhone", "an Apple TV", "a Mac", "a macOS profile".
fn article(word: &str) -> &'static str {
    if word.starts_with(['i', 'A']) {
        "an"
    } else {
        "a"
    }
}
