//! The UI's fake backend (`ui/src/test/fakeProfiles.ts`, `fakeDevices.ts`)
//! answers from data this module renders from the real code, so it cannot
//! drift from the backend's rules:
//!
//! - `profileCatalogue.json`: what `profiles.catalogue` answers (the api DTO);
//! - `profileRules.json`: the profile limits, the platform rules with their
//!   fixes, the codes the locale check knows, the PLT-3 refusals, and a table
//!   of drafts (a valid baseline per platform plus one change) with the
//!   problems and warnings the domain validation gives for each. A vitest test
//!   (`ui/src/test/fakeProfiles.test.ts`) runs the fake over every case.
//!
//! The test fails when a committed file differs from what the code says;
//! rewrite them with
//! `DEPOT_UPDATE_FIXTURES=1 cargo test -p depot-tests --test it -- ui_fixtures`.

use std::path::{Path, PathBuf};

use depot_api::ApiError;
use depot_api::dto::{ProfileDraft, ProfileIssue, SkipKeyCatalogue};
use depot_domain::DeviceFamily;
use depot_domain::SerialNumber;
use depot_domain::profile::{
    ApplePlatform, AppleProfileContext, Authentication, LEGACY_SKIP_KEYS, MAX_CACHED_USERS,
    MAX_CONFIGURATOR_CERTIFICATES, MAX_DEPARTMENT_CHARS, MAX_DEVICE_NAME_CHARS,
    MAX_DEVICE_TYPE_CHARS, MAX_EMAIL_CHARS, MAX_NAME_CHARS, MAX_PHONE_CHARS, MAX_URL_CHARS,
    OrgMagic, PLATFORM_RULES, ProfilePlatform, ProfileProblem, ProfileSpec, SyncWithComputers,
    UserAffinity, assignment_refusal, is_iso_639,
};
use serde_json::{Value, json};

const REGENERATE: &str =
    "DEPOT_UPDATE_FIXTURES=1 cargo test -p depot-tests --test it -- ui_fixtures";

/// Every baseline has its own enrollment URL, so it is valid without the
/// workspace's; a case that clears it shows the "no enrollment URL" problem.
const BASELINE_URL: &str = "https://mdm.example.com/enroll";

/// Apple's device families, as `device_family` names them.
const FAMILIES: [&str; 6] = ["iPhone", "iPad", "iPod", "Mac", "AppleTV", "Vision"];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/test/fixtures")
}

/// One draft and the backend's answer to it: a refused request (`error`,
/// when the draft is not even a profile file), or the problems and warnings.
struct Case {
    name: String,
    platform: ProfilePlatform,
    /// Keys of the baseline's draft this case replaces.
    change: Value,
    error: Option<ApiError>,
    problems: Vec<ProfileIssue>,
    warnings: Vec<ProfileIssue>,
}

impl Case {
    fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "platform": self.platform.as_str(),
            "change": self.change,
            "error": self.error,
            "problems": self.problems,
            "warnings": self.warnings,
        })
    }
}

fn baseline(platform: ProfilePlatform) -> ProfileDraft {
    let mut spec = ProfileSpec::new_for(format!("{platform} baseline"), platform);
    spec.enrollment_url = Some(BASELINE_URL.to_owned());
    ProfileDraft::from_spec(&spec).unwrap()
}

fn issues(list: &[ProfileProblem]) -> Vec<ProfileIssue> {
    list.iter().map(Into::into).collect()
}

/// What the backend says about `draft` in a workspace with no enrollment URLs
/// of its own: the domain rules, then (when they pass) Apple's JSON's needs.
/// The rules that need stored profiles (a name taken, a platform changed)
/// are `core`'s and not part of the table.
fn answer(name: &str, platform: ProfilePlatform, change: Value) -> Case {
    let mut draft = serde_json::to_value(baseline(platform)).unwrap();
    for (key, value) in change.as_object().expect("a change is an object") {
        assert!(draft.get(key).is_some(), "{name}: no draft key {key}");
        draft[key] = value.clone();
    }
    let draft: ProfileDraft = serde_json::from_value(draft).unwrap();
    let mut case = Case {
        name: name.to_owned(),
        platform,
        change,
        error: None,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let spec = match draft.to_spec() {
        Ok(spec) => spec,
        Err(error) => {
            case.error = Some(error);
            return case;
        }
    };
    let context = AppleProfileContext {
        enrollment_url: None,
        configuration_web_url: None,
        org_magic: OrgMagic::parse("depot-fixtures").unwrap(),
        anchor_certs: Vec::new(),
    };
    let problems = match spec.validate() {
        Ok(valid) => valid.apple_profile(&context).err().unwrap_or_default(),
        Err(problems) => problems,
    };
    case.problems = issues(&problems);
    case.warnings = issues(&spec.warnings());
    case
}

/// A change that turns on a platform-bound setting (with what it needs to be
/// valid otherwise), by the rule's field.
fn turn_on(field: &str) -> Value {
    let with_user = json!({"userAffinity": "withUserAffinity", "authentication": "setupAssistant"});
    let mut change = match field {
        "userAffinity" => with_user.clone(),
        "authentication" => json!({
            "userAffinity": "withUserAffinity",
            "authentication": "companyPortal",
            "installCompanyPortal": true,
        }),
        "installCompanyPortal" => json!({"installCompanyPortal": true}),
        "companyPortalVppToken" => json!({
            "installCompanyPortal": true,
            "companyPortalVppToken": "Contoso VPP",
        }),
        "singleAppModeUntilAuthentication" => json!({
            "installCompanyPortal": true,
            "companyPortalVppToken": "Contoso VPP",
            "singleAppModeUntilAuthentication": true,
        }),
        "sharedIPad" => json!({"sharedIPad": true, "maximumCachedUsers": 8}),
        "syncWithComputers" => json!({"syncWithComputers": "denyAll"}),
        // Not base64: the fake cannot read real certificates.
        "configuratorCertificates" => json!({
            "syncWithComputers": "allowByCertificate",
            "configuratorCertificates": ["not a certificate!"],
        }),
        "autoAdvanceSetup" => json!({"autoAdvanceSetup": true}),
        "language" => json!({"language": "en"}),
        "region" => json!({"language": "en", "region": "GB"}),
        "returnToService" => json!({"returnToService": true}),
        "doNotUseProfileFromBackup" => json!({"doNotUseProfileFromBackup": true}),
        other => panic!("ui_fixtures: add a change that turns on '{other}' to turn_on()"),
    };
    if matches!(
        field,
        "installCompanyPortal" | "companyPortalVppToken" | "singleAppModeUntilAuthentication"
    ) {
        // The Company Portal needs a user.
        for (key, value) in with_user.as_object().unwrap() {
            change[key] = value.clone();
        }
    }
    change
}

/// Every platform-bound setting on every platform, used or refused.
fn platform_rule_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for rule in PLATFORM_RULES {
        let field = rule.field.path();
        for (platform, _) in ApplePlatform::ALL {
            let change = turn_on(&field);
            let case = answer(
                &format!("{} on {}", rule.setting, platform.label()),
                *platform,
                change,
            );
            // The change must really turn the setting on.
            let mut draft = serde_json::to_value(baseline(*platform)).unwrap();
            for (key, value) in case.change.as_object().unwrap() {
                draft[key] = value.clone();
            }
            let spec = serde_json::from_value::<ProfileDraft>(draft)
                .unwrap()
                .to_spec()
                .unwrap();
            assert!((rule.is_set)(&spec), "turn_on({field}) leaves it off");
            let refused = case
                .problems
                .iter()
                .any(|p| p.field == field && p.message.contains(rule.setting));
            assert_eq!(refused, !rule.applies_to(*platform), "{}", case.name);
            cases.push(case);
        }
    }
    cases
}

fn cases() -> Vec<Case> {
    use ApplePlatform::{Ios, MacOs, TvOs, VisionOs};
    let long = |n: usize| "x".repeat(n);
    let modern = json!({
        "userAffinity": "withUserAffinity",
        "authentication": "setupAssistantModern",
    });
    let with_modern = |more: Value| {
        let mut change = modern.clone();
        for (key, value) in more.as_object().unwrap() {
            change[key] = value.clone();
        }
        change
    };
    let department = |name: Value, phone: Value, email: Value| json!({"department": {"name": name, "phone": phone, "email": email}});
    let hidden = |keys: &[&str]| json!({ "hiddenScreens": keys });
    let table: Vec<(&str, ApplePlatform, Value)> = vec![
        // A valid draft per platform.
        ("the iOS baseline", Ios, json!({})),
        ("the macOS baseline", MacOs, json!({})),
        ("the tvOS baseline", TvOs, json!({})),
        ("the visionOS baseline", VisionOs, json!({})),
        // PRO-1 and free text.
        ("an empty name", Ios, json!({"name": ""})),
        ("a blank name", Ios, json!({"name": "   "})),
        (
            "a name at the limit",
            Ios,
            json!({ "name": long(MAX_NAME_CHARS) }),
        ),
        (
            "a name over the limit",
            Ios,
            json!({ "name": long(MAX_NAME_CHARS + 1) }),
        ),
        (
            "a name over the limit in letters, not bytes",
            Ios,
            json!({ "name": "é".repeat(MAX_NAME_CHARS) }),
        ),
        (
            "a name with a right-to-left override",
            Ios,
            json!({"name": "Sales\u{202E}sdapi"}),
        ),
        ("a name with a tab", Ios, json!({"name": "Sales\tiPads"})),
        (
            "a description over lines",
            Ios,
            json!({"description": "For the shop floor.\n\tAsk IT first."}),
        ),
        (
            "a description with a control character",
            Ios,
            json!({"description": "Bell\u{7}"}),
        ),
        (
            "a description with a bidirectional isolate",
            Ios,
            json!({"description": "a\u{2067}b"}),
        ),
        // PRO-2..5
        (
            "user affinity without authentication",
            Ios,
            json!({"userAffinity": "withUserAffinity"}),
        ),
        (
            "authentication without user affinity",
            Ios,
            json!({"authentication": "setupAssistant"}),
        ),
        (
            "Company Portal authentication without the Company Portal",
            Ios,
            json!({"userAffinity": "withUserAffinity", "authentication": "companyPortal"}),
        ),
        (
            "Company Portal authentication with the Company Portal",
            Ios,
            json!({
                "userAffinity": "withUserAffinity",
                "authentication": "companyPortal",
                "installCompanyPortal": true,
            }),
        ),
        (
            "the Company Portal without user affinity",
            Ios,
            json!({"installCompanyPortal": true}),
        ),
        (
            "a VPP token without the Company Portal",
            Ios,
            json!({"companyPortalVppToken": "Contoso VPP"}),
        ),
        (
            "a blank VPP token",
            Ios,
            json!({"companyPortalVppToken": "  "}),
        ),
        (
            "a VPP token with a line break",
            Ios,
            json!({
                "userAffinity": "withUserAffinity",
                "authentication": "setupAssistant",
                "installCompanyPortal": true,
                "companyPortalVppToken": "Contoso\nVPP",
            }),
        ),
        (
            "Single App Mode without a VPP token",
            Ios,
            json!({"singleAppModeUntilAuthentication": true}),
        ),
        // PRO-7, PRO-8
        (
            "locked enrollment on unsupervised devices",
            Ios,
            json!({"lockedEnrollment": true, "supervised": false}),
        ),
        (
            "Shared iPad without cached users",
            Ios,
            json!({"sharedIPad": true}),
        ),
        (
            "Shared iPad with 0 cached users",
            Ios,
            json!({"sharedIPad": true, "maximumCachedUsers": 0}),
        ),
        (
            "Shared iPad with 1 cached user",
            Ios,
            json!({"sharedIPad": true, "maximumCachedUsers": 1}),
        ),
        (
            "Shared iPad with the most cached users",
            Ios,
            json!({"sharedIPad": true, "maximumCachedUsers": MAX_CACHED_USERS}),
        ),
        (
            "Shared iPad with one cached user too many",
            Ios,
            json!({"sharedIPad": true, "maximumCachedUsers": MAX_CACHED_USERS + 1}),
        ),
        (
            "Shared iPad with a negative number of cached users",
            Ios,
            json!({"sharedIPad": true, "maximumCachedUsers": -3}),
        ),
        (
            "cached users without Shared iPad",
            Ios,
            json!({"maximumCachedUsers": 5}),
        ),
        (
            "Shared iPad with user affinity",
            Ios,
            json!({
                "sharedIPad": true,
                "maximumCachedUsers": 5,
                "userAffinity": "withUserAffinity",
                "authentication": "setupAssistant",
            }),
        ),
        (
            "Shared iPad on unsupervised devices",
            Ios,
            json!({"sharedIPad": true, "maximumCachedUsers": 5, "supervised": false}),
        ),
        // PLT-1: auto advance needs nobody at the device.
        (
            "auto advance with user affinity",
            MacOs,
            json!({
                "autoAdvanceSetup": true,
                "userAffinity": "withUserAffinity",
                "authentication": "setupAssistant",
            }),
        ),
        // PRO-10
        (
            "sync by certificate without certificates",
            Ios,
            json!({"syncWithComputers": "allowByCertificate"}),
        ),
        (
            "a certificate that is not base64",
            Ios,
            json!({
                "syncWithComputers": "allowByCertificate",
                "configuratorCertificates": ["MIIB not base64!"],
            }),
        ),
        (
            "an empty certificate",
            Ios,
            json!({
                "syncWithComputers": "allowByCertificate",
                "configuratorCertificates": [" "],
            }),
        ),
        (
            "base64 that goes on after its padding",
            Ios,
            json!({
                "syncWithComputers": "allowByCertificate",
                "configuratorCertificates": ["AB==CD"],
            }),
        ),
        (
            "certificates without sync by certificate",
            VisionOs,
            json!({"configuratorCertificates": ["%"]}),
        ),
        (
            "one certificate too many",
            Ios,
            json!({
                "syncWithComputers": "allowByCertificate",
                "configuratorCertificates": vec!["!"; MAX_CONFIGURATOR_CERTIFICATES + 1],
            }),
        ),
        // PRO-11
        (
            "a device name template",
            Ios,
            json!({"deviceNameTemplate": "Shop-{{DEVICETYPE}}-{{SERIAL}}"}),
        ),
        (
            "an empty device name template",
            Ios,
            json!({"deviceNameTemplate": ""}),
        ),
        (
            "a blank device name template",
            Ios,
            json!({"deviceNameTemplate": "  "}),
        ),
        (
            "a device name template with an unknown token",
            Ios,
            json!({"deviceNameTemplate": "Shop-{{serial}}"}),
        ),
        (
            "a device name template with an unclosed token",
            Ios,
            json!({"deviceNameTemplate": "Shop-{{SERIAL"}),
        ),
        (
            "a device name template at the limit",
            TvOs,
            json!({ "deviceNameTemplate": format!("{}{{{{SERIAL}}}}{{{{DEVICETYPE}}}}", long(42)) }),
        ),
        (
            "a device name template over the limit",
            Ios,
            json!({ "deviceNameTemplate": format!("{}{{{{SERIAL}}}}", long(50)) }),
        ),
        (
            "a device name template with a tab",
            Ios,
            json!({"deviceNameTemplate": "Shop\t{{SERIAL}}"}),
        ),
        // PRO-12
        (
            "a department",
            Ios,
            department(
                json!("IT"),
                json!("+1 555 0100"),
                json!(" help@contoso.example "),
            ),
        ),
        (
            "an empty department",
            Ios,
            department(Value::Null, Value::Null, Value::Null),
        ),
        (
            "a department name over the limit",
            Ios,
            department(
                json!(long(MAX_DEPARTMENT_CHARS + 1)),
                Value::Null,
                Value::Null,
            ),
        ),
        (
            "a department phone over the limit",
            Ios,
            department(
                Value::Null,
                json!("5".repeat(MAX_PHONE_CHARS + 1)),
                Value::Null,
            ),
        ),
        (
            "a support email over the limit",
            Ios,
            department(
                Value::Null,
                Value::Null,
                json!(format!("{}@contoso.example", long(MAX_EMAIL_CHARS))),
            ),
        ),
        (
            "a support email without @",
            Ios,
            department(Value::Null, Value::Null, json!("helpdesk")),
        ),
        (
            "a support email without a domain",
            Ios,
            department(Value::Null, Value::Null, json!("help@contoso")),
        ),
        (
            "a support email with a space",
            Ios,
            department(Value::Null, Value::Null, json!("help desk@contoso.example")),
        ),
        (
            "a support email with two @",
            Ios,
            department(Value::Null, Value::Null, json!("a@b@contoso.example")),
        ),
        (
            "a support email with a hyphen at a label's edge",
            Ios,
            department(Value::Null, Value::Null, json!("help@-contoso.example")),
        ),
        (
            "a department phone with a control character",
            Ios,
            department(Value::Null, json!("555\u{1b}0100"), Value::Null),
        ),
        // PRO-13: hidden screens.
        ("no hidden screens", Ios, hidden(&[])),
        ("a hidden screen", Ios, hidden(&["Siri", "AppleID"])),
        ("an empty hidden screen", Ios, hidden(&["Siri", ""])),
        ("a blank hidden screen", Ios, hidden(&["  "])),
        (
            "a screen hidden twice",
            Ios,
            hidden(&["Siri", "Payment", "Siri"]),
        ),
        ("a screen key in the wrong case", Ios, hidden(&["siri"])),
        ("a legacy screen key", Ios, hidden(&["IntendedUser"])),
        ("an unknown screen key", Ios, hidden(&["NoSuchScreen"])),
        ("a macOS screen on iOS", Ios, hidden(&["FileVault"])),
        ("the Passcode screen on iOS", Ios, hidden(&["Passcode"])),
        ("the Passcode screen on macOS", MacOs, hidden(&["Passcode"])),
        ("the Touch ID screen on iOS", Ios, hidden(&["Biometric"])),
        ("a screen deprecated on iOS", Ios, hidden(&["DisplayTone"])),
        (
            "a screen deprecated on macOS",
            MacOs,
            hidden(&["DisplayTone"]),
        ),
        (
            "a screen removed on iOS",
            Ios,
            hidden(&["WebContentFiltering"]),
        ),
        ("a screen removed on macOS", MacOs, hidden(&["Wallpaper"])),
        ("Zoom on iOS", Ios, hidden(&["Zoom"])),
        ("Zoom on visionOS", VisionOs, hidden(&["Zoom"])),
        ("a tvOS screen on tvOS", TvOs, hidden(&["TVRoom", "Siri"])),
        ("an iOS screen on tvOS", TvOs, hidden(&["SIMSetup"])),
        // PRO-18
        ("no enrollment URL", Ios, json!({"enrollmentUrl": null})),
        (
            "a blank enrollment URL",
            Ios,
            json!({"enrollmentUrl": "   "}),
        ),
        (
            "an enrollment URL over http",
            Ios,
            json!({"enrollmentUrl": "http://mdm.example.com/enroll"}),
        ),
        (
            "an enrollment URL in capitals",
            Ios,
            json!({"enrollmentUrl": "HTTPS://MDM.EXAMPLE.COM/enroll"}),
        ),
        (
            "an enrollment URL without a host",
            Ios,
            json!({"enrollmentUrl": "https://"}),
        ),
        (
            "an enrollment URL with only a port",
            Ios,
            json!({"enrollmentUrl": "https://:8443/enroll"}),
        ),
        (
            "an enrollment URL with a space",
            Ios,
            json!({"enrollmentUrl": "https://mdm.example.com/en roll"}),
        ),
        (
            "an enrollment URL with a direction override",
            Ios,
            json!({"enrollmentUrl": "https://mdm.example.com/\u{202E}enroll"}),
        ),
        (
            "an enrollment URL over the limit",
            Ios,
            json!({ "enrollmentUrl": format!("https://mdm.example.com/{}", long(MAX_URL_CHARS)) }),
        ),
        (
            "a configuration web URL without modern authentication",
            Ios,
            json!({"configurationWebUrl": "https://mdm.example.com/configure"}),
        ),
        (
            "modern authentication without a configuration web URL",
            Ios,
            modern.clone(),
        ),
        (
            "modern authentication with a configuration web URL",
            Ios,
            with_modern(json!({"configurationWebUrl": "https://mdm.example.com/configure"})),
        ),
        (
            "modern authentication with a bad configuration web URL",
            Ios,
            with_modern(json!({"configurationWebUrl": "mdm.example.com/configure"})),
        ),
        (
            "modern authentication without any URL",
            Ios,
            with_modern(json!({"enrollmentUrl": null})),
        ),
        // PLT-1: the Setup Assistant language and region.
        (
            "a language and a region",
            MacOs,
            json!({"language": "fr", "region": "CA"}),
        ),
        (
            "a language and a region in the other case",
            TvOs,
            json!({"language": "EN", "region": "gb"}),
        ),
        ("a language with spaces", MacOs, json!({"language": " de "})),
        ("a three-letter language", MacOs, json!({"language": "yue"})),
        ("a blank language", MacOs, json!({"language": "  "})),
        (
            "a region without a language",
            MacOs,
            json!({"region": "US"}),
        ),
        (
            "a language that is not ISO 639",
            MacOs,
            json!({"language": "xx", "region": "US"}),
        ),
        ("a language name", TvOs, json!({"language": "english"})),
        (
            "a language Setup Assistant does not offer",
            MacOs,
            json!({"language": "la", "region": "VA"}),
        ),
        (
            "a region that is not ISO 3166-1",
            MacOs,
            json!({"language": "en", "region": "UK"}),
        ),
        (
            "codes that are not ASCII",
            TvOs,
            json!({"language": "é", "region": "ÉU"}),
        ),
        (
            "a bad region without a language",
            MacOs,
            json!({"region": "XX"}),
        ),
        // Not a profile file at all: the request is refused.
        ("an unknown platform", Ios, json!({"platform": "watchOS"})),
        (
            "an unknown user affinity",
            Ios,
            json!({"userAffinity": "sometimes"}),
        ),
        (
            "an unknown authentication method",
            Ios,
            json!({"userAffinity": "withUserAffinity", "authentication": "password"}),
        ),
        (
            "unknown choices everywhere",
            Ios,
            json!({
                "userAffinity": "always",
                "platform": "windows",
                "authentication": "",
                "syncWithComputers": "some",
            }),
        ),
    ];
    let mut cases: Vec<Case> = table
        .into_iter()
        .map(|(name, platform, change)| answer(name, platform, change))
        .collect();
    cases.extend(platform_rule_cases());
    cases
}

/// The `depot.profile/v1` strings of an enumeration, in its order.
fn names<T>(all: &[(T, &'static str)]) -> Vec<&'static str> {
    all.iter().map(|(_, name)| *name).collect()
}

/// Every ISO 639 code the language check takes as a code (the catalogue's
/// `languages` are the ones Setup Assistant offers).
fn language_codes() -> Vec<String> {
    let mut codes = Vec::new();
    for a in 'a'..='z' {
        for b in 'a'..='z' {
            let two = format!("{a}{b}");
            for c in std::iter::once(String::new()).chain(('a'..='z').map(String::from)) {
                let code = format!("{two}{c}");
                if is_iso_639(&code) {
                    codes.push(code);
                }
            }
        }
    }
    codes
}

/// PLT-3: why a profile must not be sent to a device, for every platform,
/// Shared iPad or not, and device family (`null`: it may).
fn refusals() -> Vec<Value> {
    let mut rows = Vec::new();
    for (platform, name) in ApplePlatform::ALL {
        for shared_ipad in [false, true] {
            for family in FAMILIES {
                let refusal =
                    assignment_refusal(*platform, shared_ipad, &DeviceFamily::parse(family));
                rows.push(json!({
                    "platform": name,
                    "sharedIPad": shared_ipad,
                    "family": family,
                    "refusal": refusal,
                }));
            }
        }
    }
    rows
}

/// `profileRules.json`.
fn rules(cases: &[Case]) -> Value {
    json!({
        "generatedBy": format!("tests/it/ui_fixtures.rs; regenerate with `{REGENERATE}`"),
        "limits": {
            "nameChars": MAX_NAME_CHARS,
            "departmentChars": MAX_DEPARTMENT_CHARS,
            "phoneChars": MAX_PHONE_CHARS,
            "emailChars": MAX_EMAIL_CHARS,
            "cachedUsers": MAX_CACHED_USERS,
            "configuratorCertificates": MAX_CONFIGURATOR_CERTIFICATES,
            "urlChars": MAX_URL_CHARS,
            "deviceNameChars": MAX_DEVICE_NAME_CHARS,
            "deviceTypeChars": MAX_DEVICE_TYPE_CHARS,
            "serialChars": SerialNumber::MAX_LEN,
        },
        // In the file reader's order: its "is not one of" message lists them so.
        "choices": {
            "userAffinity": names(UserAffinity::ALL),
            "platform": names(ApplePlatform::ALL),
            "authentication": names(Authentication::ALL),
            "syncWithComputers": names(SyncWithComputers::ALL),
        },
        "platformRules": PLATFORM_RULES
            .iter()
            .map(|rule| json!({
                "field": rule.field.path(),
                "setting": rule.setting,
                "platforms": rule.platforms.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
                "fix": rule.fix,
            }))
            .collect::<Vec<_>>(),
        "legacySkipKeys": LEGACY_SKIP_KEYS,
        "languageCodes": language_codes(),
        "refusals": refusals(),
        // A valid draft per platform; each case changes some keys of one.
        "baselines": ApplePlatform::ALL
            .iter()
            .map(|(platform, name)| (name.to_string(), json!(baseline(*platform))))
            .collect::<serde_json::Map<_, _>>(),
        "cases": cases.iter().map(Case::to_json).collect::<Vec<_>>(),
    })
}

/// Pretty JSON with a final newline. Invisible characters (controls,
/// direction overrides) are written as `\u` escapes so the file reads as what
/// it holds.
fn render(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    for ch in text.chars() {
        let invisible = (ch.is_control() && ch != '\n')
            || matches!(
                ch,
                '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'
            );
        if invisible {
            out.push_str(&format!("\\u{:04x}", u32::from(ch)));
        } else {
            out.push(ch);
        }
    }
    out.push('\n');
    out
}

#[test]
fn ui_fixtures_are_current() {
    // Serialised as the DTO, so its keys keep the wire's order.
    let catalogue = serde_json::to_string_pretty(&SkipKeyCatalogue::build().unwrap()).unwrap();
    let cases = cases();
    // Each case's name says which rule it shows; two alike would hide one.
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    let count = names.len();
    names.dedup();
    assert_eq!(names.len(), count, "two cases share a name");
    for case in &cases[..4] {
        assert!(
            case.error.is_none() && case.problems.is_empty() && case.warnings.is_empty(),
            "{} is not valid",
            case.name
        );
    }
    let files = [
        ("profileCatalogue.json", render(&catalogue)),
        (
            "profileRules.json",
            render(&serde_json::to_string_pretty(&rules(&cases)).unwrap()),
        ),
    ];
    let dir = fixtures_dir();
    let update = std::env::var_os("DEPOT_UPDATE_FIXTURES").is_some();
    let mut stale = Vec::new();
    for (name, generated) in &files {
        let path = dir.join(name);
        let current = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .replace("\r\n", "\n");
        if current == *generated {
            continue;
        }
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, generated).unwrap();
        } else {
            stale.push(*name);
        }
    }
    assert!(
        stale.is_empty(),
        "ui/src/test/fixtures/{stale:?} differ from what the backend's rules say; \
         regenerate them with `{REGENERATE}` and check the UI with `cd ui && npx vitest run`"
    );
}
