//! Setup Assistant screens an enrollment profile can hide (`skip_setup_items`).
//!
//! The catalogue follows `docs/apple-wire.md` §4.3 key for key. A profile holds
//! [`SkipKey`]s, which may be strings this catalogue does not know: imported
//! profiles keep them and Depot passes them to Apple unchanged.

use std::fmt;

/// An Apple operating system family, as the catalogue and profiles name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplePlatform {
    /// iOS and iPadOS.
    Ios,
    MacOs,
    TvOs,
    VisionOs,
}

impl ApplePlatform {
    /// Position in lists: iOS, macOS, tvOS, visionOS.
    pub fn order(self) -> u8 {
        match self {
            Self::Ios => 0,
            Self::MacOs => 1,
            Self::TvOs => 2,
            Self::VisionOs => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Ios => "iOS/iPadOS",
            Self::MacOs => "macOS",
            Self::TvOs => "tvOS",
            Self::VisionOs => "visionOS",
        }
    }
}

/// An OS version such as 17.1 or 10.12.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OsVersion {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

impl OsVersion {
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }
}

impl fmt::Display for OsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.minor, self.patch) {
            (minor, 0) => write!(f, "{}.{minor}", self.major),
            (minor, patch) => write!(f, "{}.{minor}.{patch}", self.major),
        }
    }
}

/// Where a key works: from which OS version, and since when it is deprecated or gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformSupport {
    pub platform: ApplePlatform,
    pub since: OsVersion,
    /// Still accepted, but Apple marks it deprecated from this version.
    pub deprecated_in: Option<OsVersion>,
    /// The screen no longer exists from this version; the key does nothing there.
    pub removed_in: Option<OsVersion>,
}

/// One catalogue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkipKeyInfo {
    /// Apple's exact string for `skip_setup_items`.
    pub key: &'static str,
    /// The screen's name in the UI ("Hide <label>").
    pub label: &'static str,
    /// What the screen does, in an admin's words.
    pub description: &'static str,
    pub platforms: &'static [PlatformSupport],
    /// Shown before the device has its cloud configuration: hiding is best-effort.
    pub early_pane: bool,
}

impl SkipKeyInfo {
    pub fn support(&self, platform: ApplePlatform) -> Option<&PlatformSupport> {
        self.platforms.iter().find(|s| s.platform == platform)
    }

    /// Offered in the wizard for `platform`: the key applies there and its screen
    /// has not been removed.
    pub fn is_offered_for(&self, platform: ApplePlatform) -> bool {
        self.support(platform)
            .is_some_and(|s| s.removed_in.is_none())
    }
}

/// A `skip_setup_items` string as a profile holds it — known to the catalogue or not.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SkipKey(String);

impl SkipKey {
    /// Any string is kept (profiles keep keys Depot does not know); validation
    /// reports empty and unknown ones.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The catalogue entry, when this is a current Apple key.
    pub fn info(&self) -> Option<&'static SkipKeyInfo> {
        skip_key_info(&self.0)
    }

    /// One of the historical or undocumented strings of §4.3: passed through, never offered.
    pub fn is_legacy(&self) -> bool {
        LEGACY_SKIP_KEYS.contains(&self.0.as_str())
    }
}

impl fmt::Display for SkipKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The catalogue entry for Apple's exact key string (case-sensitive, as Apple is).
pub fn skip_key_info(key: &str) -> Option<&'static SkipKeyInfo> {
    SKIP_KEYS.iter().find(|info| info.key == key)
}

/// Strings seen in the wild that are not in Apple's current list (§4.3): kept when
/// imported, not offered in the wizard.
pub const LEGACY_SKIP_KEYS: &[&str] = &[
    "IntendedUser",
    "ExpressLanguage",
    "PreferredLanguage",
    "Registration",
    "TrueToneDisplay",
    "Avatar",
    "DeviceProtection",
    "AgeAssurance",
    "AgeBasedSafetySettings",
    "AdditionalPrivacySettings",
    "CloudStorage",
    "LockdownMode",
    "Language",
    "Region",
    "LanguageAndLocale",
    "TransferData",
    "WiFi",
    "Display",
    "Tone",
    "TouchID",
];

use ApplePlatform::{Ios, MacOs, TvOs, VisionOs};

const fn on(platform: ApplePlatform, major: u16, minor: u16, patch: u16) -> PlatformSupport {
    PlatformSupport {
        platform,
        since: OsVersion::new(major, minor, patch),
        deprecated_in: None,
        removed_in: None,
    }
}

const fn deprecated(support: PlatformSupport, major: u16, minor: u16) -> PlatformSupport {
    PlatformSupport {
        deprecated_in: Some(OsVersion::new(major, minor, 0)),
        ..support
    }
}

const fn removed(support: PlatformSupport, major: u16, minor: u16) -> PlatformSupport {
    PlatformSupport {
        removed_in: Some(OsVersion::new(major, minor, 0)),
        ..support
    }
}

const fn key(
    key: &'static str,
    label: &'static str,
    description: &'static str,
    platforms: &'static [PlatformSupport],
) -> SkipKeyInfo {
    SkipKeyInfo {
        key,
        label,
        description,
        platforms,
        early_pane: false,
    }
}

const fn early(info: SkipKeyInfo) -> SkipKeyInfo {
    SkipKeyInfo {
        early_pane: true,
        ..info
    }
}

/// Every key of Apple's current SkipKeys list (`docs/apple-wire.md` §4.3).
pub const SKIP_KEYS: &[SkipKeyInfo] = &[
    key(
        "Accessibility",
        "Accessibility",
        "Accessibility options; on macOS shown only when a further user is set up, not at first setup.",
        &[on(MacOs, 11, 0, 0)],
    ),
    early(key(
        "AccessibilityAppearance",
        "Accessibility Appearance",
        "Larger text and other appearance aids offered at the very start of setup.",
        &[on(Ios, 17, 0, 0)],
    )),
    key(
        "ActionButton",
        "Action Button",
        "Choosing what the Action button does.",
        &[on(Ios, 17, 0, 0)],
    ),
    key(
        "Android",
        "Android Migration",
        "The 'Move from Android' choice on the Apps & Data screen (when Restore is shown).",
        &[on(Ios, 9, 0, 0)],
    ),
    key(
        "Appearance",
        "Appearance",
        "Choosing the light or dark look.",
        &[on(Ios, 13, 0, 0), on(MacOs, 10, 14, 0)],
    ),
    key(
        "AppleID",
        "Apple Account and iCloud",
        "Signing in with an Apple Account and turning on iCloud.",
        &[
            on(Ios, 7, 0, 0),
            on(MacOs, 10, 9, 0),
            on(TvOs, 10, 2, 0),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    key(
        "AppStore",
        "App Store",
        "An information screen about the App Store.",
        &[on(Ios, 14, 3, 0), on(MacOs, 11, 1, 0)],
    ),
    key(
        "Biometric",
        "Touch ID and Face ID",
        "Enrolling a fingerprint or face for unlocking.",
        &[
            on(Ios, 8, 1, 0),
            on(MacOs, 10, 12, 4),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    key(
        "CameraButton",
        "Camera Control",
        "An introduction to the Camera Control button.",
        &[on(Ios, 18, 0, 0)],
    ),
    key(
        "DeviceFeaturesTour",
        "Device Features Tour",
        "A tour of the device's features.",
        &[on(Ios, 27, 0, 0)],
    ),
    key(
        "DeviceToDeviceMigration",
        "Device to Device Migration",
        "Transferring data directly from another iPhone or iPad.",
        &[on(Ios, 12, 4, 0)],
    ),
    key(
        "Diagnostics",
        "Diagnostics Data",
        "Sharing analytics and diagnostics with Apple and developers.",
        &[
            on(Ios, 7, 0, 0),
            on(MacOs, 10, 9, 0),
            on(TvOs, 10, 2, 0),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    key(
        "DisplayTone",
        "Display Tone",
        "Turning on True Tone for the display.",
        &[
            deprecated(on(Ios, 9, 3, 2), 15, 0),
            deprecated(on(MacOs, 10, 13, 6), 12, 0),
        ],
    ),
    key(
        "EnableLockdownMode",
        "Lockdown Mode",
        "Turning on Lockdown Mode; shown after an Apple Account is signed in.",
        &[on(Ios, 17, 1, 0), on(MacOs, 14, 0, 0)],
    ),
    key(
        "FileVault",
        "FileVault",
        "Turning on FileVault disk encryption.",
        &[on(MacOs, 10, 10, 0)],
    ),
    key(
        "HomeButtonSensitivity",
        "Home Button",
        "Choosing the click feel of the Home button (iPhone 7, 8 and SE).",
        &[deprecated(on(Ios, 10, 0, 0), 15, 0)],
    ),
    key(
        "iCloudDiagnostics",
        "iCloud Analytics",
        "Sharing iCloud analytics with Apple.",
        &[on(MacOs, 10, 12, 4)],
    ),
    key(
        "iCloudStorage",
        "iCloud Storage",
        "Storing Desktop and Documents in iCloud.",
        &[on(MacOs, 10, 13, 4)],
    ),
    key(
        "iMessageAndFaceTime",
        "iMessage and FaceTime",
        "Turning on iMessage and FaceTime.",
        &[on(Ios, 12, 0, 0)],
    ),
    key(
        "Intelligence",
        "Apple Intelligence",
        "Turning on Apple Intelligence.",
        &[
            on(Ios, 18, 0, 0),
            on(MacOs, 15, 0, 0),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    early(key(
        "Keyboard",
        "Keyboard",
        "Choosing keyboard languages and layouts.",
        &[on(Ios, 13, 0, 0)],
    )),
    key(
        "LiquidGlass",
        "Liquid Glass",
        "Choosing how the Liquid Glass look appears.",
        &[on(Ios, 27, 0, 0), on(MacOs, 27, 0, 0)],
    ),
    key(
        "Location",
        "Location Services",
        "Turning on Location Services.",
        &[
            on(Ios, 7, 0, 0),
            on(MacOs, 10, 11, 0),
            on(TvOs, 10, 2, 0),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    key(
        "MessagingActivationUsingPhoneNumber",
        "iMessage Activation by Phone Number",
        "Activating iMessage with the phone number (some regions only).",
        &[on(Ios, 10, 0, 0)],
    ),
    key(
        "Multitasking",
        "Multitasking",
        "Choosing how apps share the screen.",
        &[on(Ios, 26, 0, 0)],
    ),
    key(
        "OnBoarding",
        "Onboarding",
        "Tips on going Home, the Cover Sheet, Control Center and the like.",
        &[deprecated(on(Ios, 11, 0, 0), 14, 0)],
    ),
    key(
        "OSShowcase",
        "OS Showcase",
        "A showcase of what is new in the operating system.",
        &[
            removed(on(Ios, 26, 0, 0), 27, 0),
            removed(on(MacOs, 26, 1, 0), 27, 0),
        ],
    ),
    key(
        "Passcode",
        "Passcode",
        "Setting a passcode; hiding it also leaves the device without one until the user sets it.",
        &[
            on(Ios, 7, 0, 0),
            on(MacOs, 10, 9, 0),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    key(
        "Payment",
        "Apple Pay",
        "Adding cards to Apple Pay.",
        &[
            on(Ios, 8, 1, 0),
            on(MacOs, 10, 12, 4),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    key(
        "Privacy",
        "Privacy",
        "The Data & Privacy information screen.",
        &[
            on(Ios, 11, 3, 0),
            on(MacOs, 10, 13, 4),
            on(TvOs, 11, 3, 0),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    key(
        "Restore",
        "Restore",
        "The Apps & Data screen: restoring or transferring from a backup.",
        &[on(Ios, 7, 0, 0), on(MacOs, 10, 9, 0)],
    ),
    key(
        "RestoreCompleted",
        "Restore Completed",
        "The screen confirming a restore has finished.",
        &[on(Ios, 14, 0, 0)],
    ),
    key(
        "Safety",
        "Emergency SOS",
        "Safety features such as Emergency SOS.",
        &[on(Ios, 16, 0, 0)],
    ),
    early(key(
        "SafetyAndHandling",
        "Safety and Handling",
        "Safety and handling information for the device.",
        &[on(Ios, 18, 4, 0)],
    )),
    key(
        "ScreenSaver",
        "Screen Saver",
        "Choosing the aerial screen saver.",
        &[on(TvOs, 10, 2, 0)],
    ),
    key(
        "ScreenTime",
        "Screen Time",
        "Turning on Screen Time.",
        &[
            on(Ios, 12, 0, 0),
            on(MacOs, 10, 15, 0),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    key(
        "SIMSetup",
        "SIM Setup",
        "Adding a cellular plan; hiding it also stops automatic eSIM setup.",
        &[on(Ios, 12, 0, 0)],
    ),
    key(
        "Siri",
        "Siri",
        "Turning on and training Siri.",
        &[
            on(Ios, 7, 0, 0),
            on(MacOs, 10, 12, 0),
            on(TvOs, 10, 2, 0),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    key(
        "SoftwareUpdate",
        "Software Update",
        "The mandatory software update screen.",
        &[
            on(Ios, 12, 0, 0),
            on(MacOs, 15, 4, 0),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    early(key(
        "SpokenLanguage",
        "Dictation",
        "Choosing the dictation language.",
        &[on(Ios, 13, 0, 0)],
    )),
    key(
        "TapToSetup",
        "Tap to Set Up",
        "Setting up Apple TV with an iPhone or iPad; cannot always be skipped.",
        &[on(TvOs, 10, 2, 0)],
    ),
    early(key(
        "TermsOfAddress",
        "Terms of Address",
        "Choosing how the device addresses the user.",
        &[on(Ios, 16, 0, 0), on(MacOs, 13, 0, 0)],
    )),
    key(
        "Tips",
        "Tips",
        "The Tips screen.",
        &[on(VisionOs, 26, 0, 0)],
    ),
    key(
        "TOS",
        "Terms and Conditions",
        "Accepting Apple's terms and conditions.",
        &[
            on(Ios, 7, 0, 0),
            on(MacOs, 10, 9, 0),
            on(TvOs, 10, 2, 0),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    key(
        "TVHomeScreenSync",
        "Home Screen Sync",
        "Keeping the Apple TV home screen layout in sync with other Apple TVs.",
        &[on(TvOs, 11, 0, 0)],
    ),
    key(
        "TVProviderSignIn",
        "TV Provider",
        "Signing in to a TV provider.",
        &[on(TvOs, 11, 0, 0)],
    ),
    key(
        "TVRoom",
        "Where is this Apple TV?",
        "Choosing the room the Apple TV is in.",
        &[on(TvOs, 11, 4, 0)],
    ),
    key(
        "UnlockWithWatch",
        "Unlock with Apple Watch",
        "Unlocking the Mac with an Apple Watch.",
        &[on(MacOs, 15, 0, 0)],
    ),
    key(
        "UpdateCompleted",
        "Software Update Completed",
        "The screen confirming a software update has finished.",
        &[on(Ios, 14, 0, 0), on(MacOs, 26, 1, 0)],
    ),
    key(
        "Wallpaper",
        "Wallpaper",
        "Choosing a desktop picture.",
        &[removed(on(MacOs, 14, 1, 0), 26, 0)],
    ),
    key(
        "WatchMigration",
        "Watch Migration",
        "Moving an Apple Watch over to this iPhone.",
        &[on(Ios, 11, 0, 0)],
    ),
    key(
        "WebContentFiltering",
        "Web Content Filtering",
        "Choosing web content limits.",
        &[removed(on(Ios, 18, 2, 0), 26, 1)],
    ),
    key(
        "Welcome",
        "Get Started",
        "The Get Started welcome screen.",
        &[
            on(Ios, 13, 0, 0),
            on(MacOs, 15, 0, 0),
            on(VisionOs, 26, 0, 0),
        ],
    ),
    key(
        "Zoom",
        "Zoom",
        "Choosing the display zoom.",
        &[deprecated(on(Ios, 8, 3, 0), 17, 0), on(VisionOs, 26, 0, 0)],
    ),
];

/// A caveat the wizard shows next to a screen on `platform`, and that
/// [`super::ProfileSpec::warnings`] repeats when the screen is hidden.
pub fn skip_key_note(key: &str, platform: ApplePlatform) -> Option<&'static str> {
    match (key, platform) {
        ("Passcode", Ios) => Some(
            "From iOS and iPadOS 14.5 this screen appears even when hidden: the device asks for a passcode anyway. Hiding it still works on older versions.",
        ),
        ("Biometric", Ios) => Some(
            "From iOS and iPadOS 14.5 this screen appears even when hidden: Touch ID and Face ID setup is always offered. Hiding it still works on older versions.",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: &str, expect: Option<(&str, &[(ApplePlatform, &str)])>) {
        let got = skip_key_info(key).map(|info| {
            let platforms: Vec<(ApplePlatform, String)> = info
                .platforms
                .iter()
                .map(|s| (s.platform, s.since.to_string()))
                .collect();
            (info.label, platforms)
        });
        let expect = expect.map(|(label, platforms)| {
            let platforms: Vec<(ApplePlatform, String)> = platforms
                .iter()
                .map(|(p, v)| (*p, (*v).to_owned()))
                .collect();
            (label, platforms)
        });
        assert_eq!(got, expect, "{key}");
    }

    #[test]
    fn looks_up_keys_exactly_as_apple_spells_them() {
        check(
            "AppleID",
            Some((
                "Apple Account and iCloud",
                &[
                    (Ios, "7.0"),
                    (MacOs, "10.9"),
                    (TvOs, "10.2"),
                    (VisionOs, "26.0"),
                ],
            )),
        );
        check(
            "Biometric",
            Some((
                "Touch ID and Face ID",
                &[(Ios, "8.1"), (MacOs, "10.12.4"), (VisionOs, "26.0")],
            )),
        );
        check(
            "DisplayTone",
            Some(("Display Tone", &[(Ios, "9.3.2"), (MacOs, "10.13.6")])),
        );
        check(
            "UnlockWithWatch",
            Some(("Unlock with Apple Watch", &[(MacOs, "15.0")])),
        );
        check("appleid", None);
        check("ExpressLanguage", None);
        check("", None);
    }

    #[test]
    fn catalogue_has_every_key_of_the_spec_once() {
        assert_eq!(SKIP_KEYS.len(), 54);
        for (i, info) in SKIP_KEYS.iter().enumerate() {
            assert!(!info.platforms.is_empty(), "{}", info.key);
            assert!(
                !info.label.is_empty() && !info.description.is_empty(),
                "{}",
                info.key
            );
            assert!(
                SKIP_KEYS[..i].iter().all(|other| other.key != info.key),
                "{} twice",
                info.key
            );
            assert!(!LEGACY_SKIP_KEYS.contains(&info.key), "{}", info.key);
        }
    }

    #[test]
    fn flags_deprecated_and_removed_screens_per_platform() {
        let display_tone = skip_key_info("DisplayTone").unwrap();
        assert_eq!(
            display_tone.support(Ios).unwrap().deprecated_in,
            Some(OsVersion::new(15, 0, 0))
        );
        assert_eq!(
            display_tone.support(MacOs).unwrap().deprecated_in,
            Some(OsVersion::new(12, 0, 0))
        );
        assert!(display_tone.is_offered_for(Ios));
        let filtering = skip_key_info("WebContentFiltering").unwrap();
        assert_eq!(
            filtering
                .support(Ios)
                .unwrap()
                .removed_in
                .unwrap()
                .to_string(),
            "26.1"
        );
        assert!(!filtering.is_offered_for(Ios));
        assert!(!skip_key_info("FileVault").unwrap().is_offered_for(Ios));
        assert!(skip_key_info("Keyboard").unwrap().early_pane);
        assert!(SkipKey::new("IntendedUser").is_legacy());
        assert!(!SkipKey::new("Siri").is_legacy());
    }
}
