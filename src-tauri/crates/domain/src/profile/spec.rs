//! The admin's choices for one enrollment profile (the wizard, PRO-1..12 and PRO-18).

use std::fmt;

use serde_json::{Map, Value};

use super::skip_keys::{ApplePlatform, SkipKey};

/// Every setting of an enrollment profile, as the wizard and a `depot.profile/v1`
/// file hold them. This is a draft: any combination can be represented, and
/// [`ProfileSpec::validate`] turns it into a [`super::ValidProfile`] or lists
/// every problem.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileSpec {
    pub name: String,
    /// Local only; never sent to Apple.
    pub description: Option<String>,
    pub platform: ProfilePlatform,
    pub user_affinity: UserAffinity,
    /// Required with user affinity, `None` without.
    pub authentication: Option<Authentication>,
    pub install_company_portal: bool,
    /// A VPP token's id or name.
    pub company_portal_vpp_token: Option<String>,
    pub single_app_mode_until_authentication: bool,
    pub supervised: bool,
    pub locked_enrollment: bool,
    pub await_final_configuration: bool,
    pub shared_ipad: bool,
    pub maximum_cached_users: Option<i64>,
    pub sync_with_computers: SyncWithComputers,
    /// Base64 of DER, one per certificate.
    pub configurator_certificates: Vec<String>,
    pub device_name_template: Option<String>,
    pub department: Option<Department>,
    pub hidden_screens: Vec<SkipKey>,
    /// `None`: the token's or workspace's setting.
    pub enrollment_url: Option<String>,
    /// `None`: the token's or workspace's setting.
    pub configuration_web_url: Option<String>,
    /// tvOS and macOS 11+: Setup Assistant moves on by itself (`auto_advance_setup`).
    pub auto_advance_setup: bool,
    /// tvOS and macOS 11+: the Setup Assistant language, ISO 639 (`language`).
    pub language: Option<String>,
    /// tvOS and macOS 11+: the region, ISO 3166-1 alpha-2 (`region`).
    pub region: Option<String>,
    /// iOS/visionOS 26+: Return to Service after an erase (`is_return_to_service`).
    pub return_to_service: bool,
    /// iOS/visionOS 26+: a restored backup does not bring back an old enrollment
    /// profile (`do_not_use_profile_from_backup`).
    pub do_not_use_profile_from_backup: bool,
    /// Free-form, preserved, ignored by Depot.
    pub extensions: Map<String, Value>,
}

impl ProfileSpec {
    /// A new profile with the wizard's defaults: iOS, without user affinity,
    /// supervised, await final configuration on, pairing allowed (Apple's default).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: None,
            platform: ProfilePlatform::Ios,
            user_affinity: UserAffinity::WithoutUserAffinity,
            authentication: None,
            install_company_portal: false,
            company_portal_vpp_token: None,
            single_app_mode_until_authentication: false,
            supervised: true,
            locked_enrollment: false,
            await_final_configuration: true,
            shared_ipad: false,
            maximum_cached_users: None,
            sync_with_computers: SyncWithComputers::AllowAll,
            configurator_certificates: Vec::new(),
            device_name_template: None,
            department: None,
            hidden_screens: Vec::new(),
            enrollment_url: None,
            configuration_web_url: None,
            auto_advance_setup: false,
            language: None,
            region: None,
            return_to_service: false,
            do_not_use_profile_from_backup: false,
            extensions: Map::new(),
        }
    }

    /// A new profile with the wizard's defaults for `platform` (PLT-1).
    pub fn new_for(name: impl Into<String>, platform: ProfilePlatform) -> Self {
        Self {
            platform,
            ..Self::new(name)
        }
    }
}

/// The platform a profile is for (PLT-1): `iOS` covers iOS and iPadOS. The same
/// type as the skip-key catalogue's platform.
pub type ProfilePlatform = ApplePlatform;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserAffinity {
    WithUserAffinity,
    WithoutUserAffinity,
}

/// Where a user with affinity signs in (PRO-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Authentication {
    CompanyPortal,
    /// Setup Assistant (legacy).
    SetupAssistant,
    /// Setup Assistant with modern authentication (iOS 13+): `configuration_web_url`.
    SetupAssistantModern,
}

/// Sync with computers (PRO-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncWithComputers {
    /// The port charges only.
    DenyAll,
    AllowAll,
    /// Only Macs holding one of the profile's Apple Configurator certificates.
    AllowByCertificate,
}

/// Shown under "About Configuration" and "Need Help" during setup. Each part optional.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Department {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

macro_rules! wire_names {
    ($ty:ty { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value with its `depot.profile/v1` string.
            pub const ALL: &'static [(Self, &'static str)] = &[$((Self::$variant, $name)),+];

            /// The `depot.profile/v1` string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }

            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().find(|(_, n)| *n == name).map(|(v, _)| *v)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_names!(ApplePlatform {
    Ios => "iOS",
    MacOs => "macOS",
    TvOs => "tvOS",
    VisionOs => "visionOS",
});
wire_names!(UserAffinity {
    WithUserAffinity => "withUserAffinity",
    WithoutUserAffinity => "withoutUserAffinity",
});
wire_names!(Authentication {
    CompanyPortal => "companyPortal",
    SetupAssistant => "setupAssistant",
    SetupAssistantModern => "setupAssistantModern",
});
wire_names!(SyncWithComputers {
    DenyAll => "denyAll",
    AllowAll => "allowAll",
    AllowByCertificate => "allowByCertificate",
});
