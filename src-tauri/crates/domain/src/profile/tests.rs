//! Profile rules, warnings, the file format and the Apple JSON, table-driven.

use super::*;
use ProfileField as F;

const CERT: &str = include_str!("golden/configurator-cert.b64");

fn cert() -> String {
    CERT.trim().to_owned()
}

/// A valid profile to change one thing at a time.
fn base() -> ProfileSpec {
    ProfileSpec::new("Sales iPads")
}

fn with_affinity(auth: Authentication) -> ProfileSpec {
    ProfileSpec {
        user_affinity: UserAffinity::WithUserAffinity,
        authentication: Some(auth),
        ..base()
    }
}

fn shared_ipad() -> ProfileSpec {
    ProfileSpec {
        shared_ipad: true,
        maximum_cached_users: Some(10),
        ..base()
    }
}

fn by_certificate(certs: Vec<String>) -> ProfileSpec {
    ProfileSpec {
        sync_with_computers: SyncWithComputers::AllowByCertificate,
        configurator_certificates: certs,
        ..base()
    }
}

fn department(name: &str, phone: &str, email: &str) -> ProfileSpec {
    let part = |s: &str| Some(s.to_owned());
    ProfileSpec {
        department: Some(Department {
            name: part(name),
            phone: part(phone),
            email: part(email),
        }),
        ..base()
    }
}

/// `expect`: the fields that have a problem, in order; empty means valid.
fn check(input: ProfileSpec, expect: &[ProfileField]) {
    let problems = input.problems();
    let fields: Vec<ProfileField> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, expect, "{input:#?}\n{problems:#?}");
    assert_eq!(input.validate().is_ok(), expect.is_empty());
    for problem in &problems {
        assert!(problem.message.ends_with('.'), "{problem}");
    }
}

#[test]
fn name_is_required_and_at_most_125_characters() {
    check(base(), &[]);
    check(ProfileSpec::new(""), &[F::Name]);
    check(ProfileSpec::new("   "), &[F::Name]);
    check(ProfileSpec::new("n".repeat(125)), &[]);
    check(ProfileSpec::new("é".repeat(125)), &[]);
    check(ProfileSpec::new("n".repeat(126)), &[F::Name]);
}

#[test]
fn free_text_with_control_or_bidi_override_characters_is_refused_by_field() {
    let cases: Vec<(ProfileSpec, &[ProfileField])> = vec![
        (ProfileSpec::new("Sales\u{202E}sdapi"), &[F::Name]),
        (ProfileSpec::new("Sales\u{7}"), &[F::Name]),
        (ProfileSpec::new("Sales\niPads"), &[F::Name]),
        (ProfileSpec::new("עברית\u{200F}"), &[]),
        (
            ProfileSpec {
                description: Some("Line one\nline two".into()),
                ..base()
            },
            &[],
        ),
        (
            ProfileSpec {
                description: Some("hidden\u{2066}text".into()),
                ..base()
            },
            &[F::Description],
        ),
        (department("Retail\u{0} IT", "", ""), &[F::DepartmentName]),
        (department("", "+49\u{202D}30", ""), &[F::DepartmentPhone]),
        (
            ProfileSpec {
                device_name_template: Some("{{SERIAL}}\u{1b}[31m".into()),
                ..base()
            },
            &[F::DeviceNameTemplate],
        ),
    ];
    for (spec, expect) in cases {
        check(spec, expect);
    }
    let problems = ProfileSpec::new("Sales\u{202E}sdapi").problems();
    assert!(
        problems[0].message.contains("right-to-left override"),
        "{}",
        problems[0]
    );
}

#[test]
fn authentication_goes_with_user_affinity() {
    check(with_affinity(Authentication::SetupAssistant), &[]);
    check(
        ProfileSpec {
            user_affinity: UserAffinity::WithUserAffinity,
            ..base()
        },
        &[F::Authentication],
    );
    check(
        ProfileSpec {
            authentication: Some(Authentication::SetupAssistant),
            ..base()
        },
        &[F::Authentication],
    );
}

#[test]
fn company_portal_and_vpp_rules() {
    let portal = || ProfileSpec {
        install_company_portal: true,
        ..with_affinity(Authentication::CompanyPortal)
    };
    let vpp = |token: &str| Some(token.to_owned());
    check(portal(), &[]);
    check(
        with_affinity(Authentication::CompanyPortal),
        &[F::InstallCompanyPortal],
    );
    check(with_affinity(Authentication::SetupAssistant), &[]);
    check(
        ProfileSpec {
            install_company_portal: true,
            ..base()
        },
        &[F::InstallCompanyPortal],
    );
    check(
        ProfileSpec {
            company_portal_vpp_token: vpp("vpp-1"),
            ..portal()
        },
        &[],
    );
    check(
        ProfileSpec {
            company_portal_vpp_token: vpp("vpp-1"),
            ..with_affinity(Authentication::SetupAssistant)
        },
        &[F::CompanyPortalVppToken],
    );
    check(
        ProfileSpec {
            company_portal_vpp_token: vpp("  "),
            ..with_affinity(Authentication::SetupAssistant)
        },
        &[],
    );
    check(
        ProfileSpec {
            company_portal_vpp_token: vpp("vpp-1"),
            single_app_mode_until_authentication: true,
            ..portal()
        },
        &[],
    );
    check(
        ProfileSpec {
            single_app_mode_until_authentication: true,
            ..portal()
        },
        &[F::SingleAppModeUntilAuthentication],
    );
}

#[test]
fn locked_enrollment_needs_supervision() {
    let locked = |supervised| ProfileSpec {
        locked_enrollment: true,
        supervised,
        ..base()
    };
    check(locked(true), &[]);
    check(locked(false), &[F::LockedEnrollment]);
    check(
        ProfileSpec {
            supervised: false,
            ..base()
        },
        &[],
    );
}

#[test]
fn shared_ipad_needs_no_affinity_supervision_and_cached_users() {
    let cached = |n| ProfileSpec {
        maximum_cached_users: n,
        ..shared_ipad()
    };
    check(shared_ipad(), &[]);
    check(
        ProfileSpec {
            user_affinity: UserAffinity::WithUserAffinity,
            authentication: Some(Authentication::SetupAssistant),
            ..shared_ipad()
        },
        &[F::SharedIPad],
    );
    check(
        ProfileSpec {
            supervised: false,
            ..shared_ipad()
        },
        &[F::SharedIPad],
    );
    check(
        ProfileSpec {
            supervised: false,
            user_affinity: UserAffinity::WithUserAffinity,
            authentication: Some(Authentication::SetupAssistant),
            ..shared_ipad()
        },
        &[F::SharedIPad, F::SharedIPad],
    );
    check(cached(Some(1)), &[]);
    check(cached(Some(24)), &[]);
    check(cached(None), &[F::MaximumCachedUsers]);
    check(cached(Some(0)), &[F::MaximumCachedUsers]);
    check(cached(Some(25)), &[F::MaximumCachedUsers]);
    check(cached(Some(-3)), &[F::MaximumCachedUsers]);
    check(
        ProfileSpec {
            maximum_cached_users: Some(5),
            ..base()
        },
        &[F::MaximumCachedUsers],
    );
}

#[test]
fn configurator_certificates_one_to_ten_valid_ones_only_by_certificate() {
    check(by_certificate(vec![cert()]), &[]);
    check(by_certificate(vec![cert(); 10]), &[]);
    check(by_certificate(vec![]), &[F::ConfiguratorCertificates]);
    check(
        by_certificate(vec![cert(); 11]),
        &[F::ConfiguratorCertificates],
    );
    check(
        by_certificate(vec!["not a certificate".into()]),
        &[F::ConfiguratorCertificate(0)],
    );
    check(
        by_certificate(vec![cert(), "MIIB".into(), cert(), String::new()]),
        &[F::ConfiguratorCertificate(1), F::ConfiguratorCertificate(3)],
    );
    check(
        ProfileSpec {
            sync_with_computers: SyncWithComputers::DenyAll,
            configurator_certificates: vec![cert()],
            ..base()
        },
        &[F::ConfiguratorCertificates],
    );
    check(
        ProfileSpec {
            sync_with_computers: SyncWithComputers::DenyAll,
            ..base()
        },
        &[],
    );
}

#[test]
fn device_name_template_tokens_and_length() {
    let template = |t: &str| ProfileSpec {
        device_name_template: Some(t.to_owned()),
        ..base()
    };
    check(template("{{DEVICETYPE}}-{{SERIAL}}"), &[]);
    check(template("Store-{{SERIAL}}"), &[]);
    check(template(&"x".repeat(63)), &[]);
    check(template("{{NAME}}-{{SERIAL}}"), &[F::DeviceNameTemplate]);
    check(template("{{SERIAL"), &[F::DeviceNameTemplate]);
    check(template(&"x".repeat(64)), &[F::DeviceNameTemplate]);
    check(
        template(&format!("{}{{{{SERIAL}}}}", "x".repeat(50))),
        &[F::DeviceNameTemplate],
    );
    check(template(""), &[F::DeviceNameTemplate]);
}

#[test]
fn department_lengths_and_email() {
    check(
        department("Retail IT", "+49 30 1234567", "it@example.com"),
        &[],
    );
    check(department("", " ", ""), &[]);
    check(department(&"d".repeat(125), &"1".repeat(50), "a@b.co"), &[]);
    check(department(&"d".repeat(126), "", ""), &[F::DepartmentName]);
    check(department("", &"1".repeat(51), ""), &[F::DepartmentPhone]);
    check(department("", "", "it@example"), &[F::DepartmentEmail]);
    check(
        department("", "", "it example@example.com"),
        &[F::DepartmentEmail],
    );
    check(department("", "", "a@b@example.com"), &[F::DepartmentEmail]);
    check(department("", "", "@example.com"), &[F::DepartmentEmail]);
    check(department("", "", "it@.example.com"), &[F::DepartmentEmail]);
    let long_email = format!("{}@example.com", "a".repeat(239));
    check(department("", "", &long_email), &[F::DepartmentEmail]);
    check(
        department("", "", &format!("{}@example.com", "a".repeat(238))),
        &[],
    );
}

#[test]
fn hidden_screens_keep_any_key_but_not_an_empty_one() {
    let hidden = |keys: &[&str]| ProfileSpec {
        hidden_screens: keys.iter().map(|k| SkipKey::new(*k)).collect(),
        ..base()
    };
    check(
        hidden(&["AppleID", "Siri", "ExpressLanguage", "SomethingNew"]),
        &[],
    );
    check(hidden(&["AppleID", " "]), &[F::HiddenScreen(1)]);
}

#[test]
fn enrollment_urls_are_https() {
    let url = |u: &str| ProfileSpec {
        enrollment_url: Some(u.to_owned()),
        ..base()
    };
    let web = |auth, u: &str| ProfileSpec {
        configuration_web_url: Some(u.to_owned()),
        ..with_affinity(auth)
    };
    check(url("https://mdm.example.com/ade/enroll"), &[]);
    check(url("HTTPS://mdm.example.com:8443"), &[]);
    check(url(""), &[]);
    check(
        url("http://mdm.example.com/ade/enroll"),
        &[F::EnrollmentUrl],
    );
    check(url("mdm.example.com/ade/enroll"), &[F::EnrollmentUrl]);
    check(url("https://"), &[F::EnrollmentUrl]);
    check(url("https:///enroll"), &[F::EnrollmentUrl]);
    check(url("https://mdm.example.com/a b"), &[F::EnrollmentUrl]);
    check(
        url(&format!("https://mdm.example.com/{}", "a".repeat(1_980))),
        &[F::EnrollmentUrl],
    );
    let modern = Authentication::SetupAssistantModern;
    check(web(modern, "https://sso.example.com/start"), &[]);
    check(
        web(modern, "http://sso.example.com/start"),
        &[F::ConfigurationWebUrl],
    );
    check(
        web(
            Authentication::SetupAssistant,
            "https://sso.example.com/start",
        ),
        &[F::ConfigurationWebUrl],
    );
}

#[test]
fn reports_every_problem_at_once_in_admin_words() {
    let spec = ProfileSpec {
        name: String::new(),
        supervised: false,
        locked_enrollment: true,
        shared_ipad: true,
        sync_with_computers: SyncWithComputers::AllowByCertificate,
        ..base()
    };
    let problems: Vec<String> = spec.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "name: Enter a name for the profile.",
            "lockedEnrollment: Locked enrollment works only on supervised devices; set Supervised to Yes or turn Locked enrollment off.",
            "sharedIPad: Shared iPad works only on supervised devices; set Supervised to Yes or turn Shared iPad off.",
            "maximumCachedUsers: Enter the maximum number of cached users (1 to 24) for Shared iPad.",
            "configuratorCertificates: Add at least one Apple Configurator certificate, or choose another Sync with computers option.",
        ]
    );
    let json = serde_json::to_value(&spec.problems()[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"field": "name", "message": "Enter a name for the profile."})
    );
}

#[test]
fn field_paths_match_the_profile_file_keys() {
    let paths: Vec<String> = [
        F::SharedIPad,
        F::DepartmentEmail,
        F::ConfiguratorCertificate(2),
        F::HiddenScreen(0),
        F::SingleAppModeUntilAuthentication,
    ]
    .iter()
    .map(|f| f.path())
    .collect();
    assert_eq!(
        paths,
        [
            "sharedIPad",
            "department.email",
            "configuratorCertificates[2]",
            "hiddenScreens[0]",
            "singleAppModeUntilAuthentication"
        ]
    );
}

// ------------------------------------------------------------------ warnings

/// `expect`: (position in hiddenScreens, a phrase of the warning).
fn check_warnings(keys: &[&str], expect: &[(usize, &str)]) {
    let spec = ProfileSpec {
        hidden_screens: keys.iter().map(|k| SkipKey::new(*k)).collect(),
        ..base()
    };
    let warnings = spec.warnings();
    assert_eq!(warnings.len(), expect.len(), "{keys:?}: {warnings:#?}");
    for (warning, (index, phrase)) in warnings.iter().zip(expect) {
        assert_eq!(warning.field, F::HiddenScreen(*index), "{keys:?}");
        assert!(
            warning.message.contains(phrase),
            "{warning} lacks {phrase:?}"
        );
    }
}

#[test]
fn warns_about_unknown_foreign_deprecated_removed_and_repeated_screens() {
    check_warnings(&["AppleID", "Siri", "TOS"], &[]);
    check_warnings(
        &["Unicorn"],
        &[(0, "does not know the screen key 'Unicorn'")],
    );
    check_warnings(&["appleid"], &[(0, "did you mean 'AppleID'")]);
    check_warnings(&["ExpressLanguage"], &[(0, "not in Apple's current list")]);
    check_warnings(&["FileVault"], &[(0, "does not exist on iOS/iPadOS")]);
    check_warnings(
        &["DisplayTone"],
        &[(
            0,
            "deprecated the 'Display Tone' screen (DisplayTone) in iOS/iPadOS 15.0",
        )],
    );
    check_warnings(
        &["WebContentFiltering"],
        &[(
            0,
            "removed the 'Web Content Filtering' screen (WebContentFiltering) in iOS/iPadOS 26.1",
        )],
    );
    check_warnings(
        &["Siri", "Zoom", "Siri"],
        &[(1, "deprecated"), (2, "listed twice")],
    );
    check_warnings(&[""], &[]);
}

// ------------------------------------------------------------------ file format

fn check_file(text: &str, expect: Result<(), &[(&str, &str)]>) {
    let got = ProfileSpec::from_profile_file(text);
    match (got, expect) {
        (Ok(_), Ok(())) => {}
        (Err(ProfileFileError::Fields(problems)), Err(expect)) => {
            let got: Vec<(&str, &str)> = problems
                .iter()
                .map(|p| (p.path.as_str(), p.message.as_str()))
                .collect();
            assert_eq!(got.len(), expect.len(), "{text}\n{got:#?}");
            for ((path, message), (want_path, phrase)) in got.iter().zip(expect) {
                assert_eq!(path, want_path, "{text}");
                assert!(
                    message.contains(phrase),
                    "{path}: {message} lacks {phrase:?}"
                );
            }
        }
        (got, expect) => panic!("{text}\ngot {got:?}\nexpected {expect:?}"),
    }
}

const MINIMAL: &str =
    r#"{"format": "depot.profile/v1", "name": "Kiosk", "userAffinity": "withoutUserAffinity"}"#;

fn minimal_with(extra: &str) -> String {
    format!(
        r#"{{"format": "depot.profile/v1", "name": "Kiosk", "userAffinity": "withoutUserAffinity", {extra}}}"#
    )
}

#[test]
fn reads_profile_files_and_names_the_path_of_every_bad_value() {
    check_file(MINIMAL, Ok(()));
    check_file(
        &minimal_with(r#""extensions": {"x": [1, {"y": null}]}"#),
        Ok(()),
    );
    check_file(
        &minimal_with(r#""description": null, "department": null"#),
        Ok(()),
    );
    check_file(
        &minimal_with(r#""supervisd": true"#),
        Err(&[("supervisd", "unknown key")]),
    );
    check_file(
        &minimal_with(r#""department": {"name": "IT", "fax": "1"}"#),
        Err(&[("department.fax", "unknown key")]),
    );
    check_file(
        &minimal_with(r#""supervised": "yes""#),
        Err(&[("supervised", "must be true or false, not a string")]),
    );
    check_file(
        &minimal_with(r#""syncWithComputers": "allow""#),
        Err(&[(
            "syncWithComputers",
            r#""allow" is not one of "denyAll", "allowAll", "allowByCertificate""#,
        )]),
    );
    check_file(
        &minimal_with(r#""maximumCachedUsers": 2.5"#),
        Err(&[("maximumCachedUsers", "whole number")]),
    );
    check_file(
        &minimal_with(r#""hiddenScreens": ["Siri", 3]"#),
        Err(&[("hiddenScreens[1]", "must be a string, not a number")]),
    );
    check_file(
        &minimal_with(r#""department": {"phone": 1234}"#),
        Err(&[("department.phone", "must be a string")]),
    );
    check_file(
        &minimal_with(r#""extensions": []"#),
        Err(&[("extensions", "must be an object")]),
    );
    check_file(
        &minimal_with(r#""platform": "watchOS""#),
        Err(&[(
            "platform",
            r#""watchOS" is not one of "iOS", "macOS", "tvOS", "visionOS""#,
        )]),
    );
    check_file(
        r#"{"format": "depot.profile/v2", "platform": "iOS"}"#,
        Err(&[
            ("format", "expected \"depot.profile/v1\""),
            ("name", "required"),
            ("userAffinity", "required"),
        ]),
    );
    check_file(
        r#"{"name": "x", "userAffinity": "withUserAffinity"}"#,
        Err(&[("format", "required")]),
    );
    check_file(
        "[1]",
        Err(&[("(file)", "must be a JSON object, not an array")]),
    );
}

#[test]
fn reports_json_syntax_errors_with_the_position() {
    let err = ProfileSpec::from_profile_file("{\n  \"name\": }").unwrap_err();
    assert!(
        matches!(
            err,
            ProfileFileError::Syntax {
                line: 2,
                column: 11,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn missing_keys_take_the_documented_defaults() {
    let spec = ProfileSpec::from_profile_file(MINIMAL).unwrap();
    assert_eq!(
        spec,
        ProfileSpec {
            supervised: false,
            ..ProfileSpec::new("Kiosk")
        }
    );
    assert!(spec.await_final_configuration);
    assert_eq!(spec.sync_with_computers, SyncWithComputers::AllowAll);
}

// ------------------------------------------------------------------ golden files

const GOLDEN: &[(&str, &str, &str)] = &[
    (
        "macos-lab",
        include_str!("golden/macos-lab.profile.json"),
        include_str!("golden/macos-lab.apple.json"),
    ),
    (
        "tvos-rooms",
        include_str!("golden/tvos-rooms.profile.json"),
        include_str!("golden/tvos-rooms.apple.json"),
    ),
    (
        "visionos-loaners",
        include_str!("golden/visionos-loaners.profile.json"),
        include_str!("golden/visionos-loaners.apple.json"),
    ),
    (
        "shared-ipad",
        include_str!("golden/shared-ipad.profile.json"),
        include_str!("golden/shared-ipad.apple.json"),
    ),
    (
        "company-portal",
        include_str!("golden/company-portal.profile.json"),
        include_str!("golden/company-portal.apple.json"),
    ),
    (
        "modern-auth",
        include_str!("golden/modern-auth.profile.json"),
        include_str!("golden/modern-auth.apple.json"),
    ),
];

/// The workspace settings the golden Apple JSON was written for; `modern-auth`
/// also pins the TLS anchor.
fn golden_context(name: &str) -> AppleProfileContext {
    AppleProfileContext {
        enrollment_url: Some(HttpsUrl::parse("https://mdm.example.com/ade/enroll").unwrap()),
        configuration_web_url: Some(HttpsUrl::parse("https://mdm.example.com/ade/sso").unwrap()),
        org_magic: OrgMagic::parse("6A0C2F3E-0D7B-4B7B-9E2C-0C8E1B7C9A11").unwrap(),
        anchor_certs: if name == "modern-auth" {
            vec![Certificate::from_base64(CERT).unwrap()]
        } else {
            Vec::new()
        },
    }
}

#[test]
fn golden_profile_files_round_trip_byte_for_byte() {
    for (name, file, _) in GOLDEN {
        let spec = ProfileSpec::from_profile_file(file).unwrap();
        assert_eq!(spec.to_profile_file(), *file, "{name}");
    }
}

#[test]
fn golden_profiles_map_to_the_expected_apple_json() {
    for (name, file, apple) in GOLDEN {
        let valid = ProfileSpec::from_profile_file(file)
            .unwrap()
            .validate()
            .unwrap_or_else(|problems| panic!("{name}: {problems:#?}"));
        let json = valid.apple_profile(&golden_context(name)).unwrap();
        assert_eq!(json.to_json_pretty(), apple.trim_end(), "{name}");
    }
}

#[test]
fn profile_urls_override_the_workspace_and_missing_ones_are_reported() {
    let context = |url: Option<&str>, web: Option<&str>| AppleProfileContext {
        enrollment_url: url.map(|u| HttpsUrl::parse(u).unwrap()),
        configuration_web_url: web.map(|u| HttpsUrl::parse(u).unwrap()),
        org_magic: OrgMagic::parse("1").unwrap(),
        anchor_certs: Vec::new(),
    };
    let map = |spec: ProfileSpec, ctx| {
        spec.validate()
            .unwrap()
            .apple_profile(&ctx)
            .map(|json| (json.url, json.configuration_web_url))
            .map_err(|problems| problems.iter().map(|p| p.field).collect::<Vec<_>>())
    };
    let ws = "https://ws.example.com/enroll";
    let own = "https://own.example.com/enroll";
    let web = "https://ws.example.com/sso";
    let own_profile = ProfileSpec {
        enrollment_url: Some(own.into()),
        ..base()
    };
    let modern = with_affinity(Authentication::SetupAssistantModern);
    assert_eq!(
        map(base(), context(Some(ws), Some(web))),
        Ok((ws.into(), None))
    );
    assert_eq!(
        map(own_profile.clone(), context(Some(ws), None)),
        Ok((own.into(), None))
    );
    assert_eq!(
        map(own_profile, context(None, None)),
        Ok((own.into(), None))
    );
    assert_eq!(
        map(base(), context(None, Some(web))),
        Err(vec![F::EnrollmentUrl])
    );
    assert_eq!(
        map(modern.clone(), context(Some(ws), Some(web))),
        Ok((ws.into(), Some(web.into())))
    );
    assert_eq!(
        map(modern.clone(), context(Some(ws), None)),
        Err(vec![F::ConfigurationWebUrl])
    );
    assert_eq!(
        map(modern, context(None, None)),
        Err(vec![F::EnrollmentUrl, F::ConfigurationWebUrl])
    );
}

#[test]
fn org_magic_is_non_empty_and_at_most_256_characters() {
    assert_eq!(
        OrgMagic::parse(" 1 ").map(|m| m.as_str().to_owned()),
        Ok("1".into())
    );
    assert_eq!(
        OrgMagic::parse("x".repeat(256).as_str()).map(|_| ()),
        Ok(())
    );
    assert_eq!(OrgMagic::parse(""), Err(OrgMagicError::Empty));
    assert_eq!(
        OrgMagic::parse(&"x".repeat(257)),
        Err(OrgMagicError::TooLong)
    );
}

#[test]
fn valid_profile_renders_device_names() {
    let spec = ProfileSpec {
        device_name_template: Some("{{DEVICETYPE}}-{{SERIAL}}".into()),
        ..base()
    };
    let valid = spec.validate().unwrap();
    let serial = crate::SerialNumber::parse("dmpxl0abcd").unwrap();
    let name = valid
        .device_name_template()
        .map(|t| t.render(&serial, &crate::DeviceFamily::IPhone));
    assert_eq!(name.as_deref(), Some("iPhone-DMPXL0ABCD"));
}

// ------------------------------------------------------------------ platforms (PLT-1)

use ApplePlatform::{Ios, MacOs, TvOs, VisionOs};

const ALL_PLATFORMS: [ApplePlatform; 4] = [Ios, MacOs, TvOs, VisionOs];

impl ProfileSpec {
    fn clone_for(self, platform: ApplePlatform) -> Self {
        Self { platform, ..self }
    }
}

/// A profile for `platform` that is valid there.
fn on(platform: ApplePlatform) -> ProfileSpec {
    ProfileSpec::new_for("Fleet", platform)
}

/// One row per platform-bound setting: the change that turns it on (on top of
/// a valid profile of the platform) and, per platform where it is refused, the
/// fields named; on the platforms not listed the same change is valid.
#[test]
fn every_platform_bound_setting_is_refused_by_field_where_it_does_not_apply() {
    type Change = fn(&mut ProfileSpec);
    type Refused = &'static [(ApplePlatform, &'static [ProfileField])];
    let rows: &[(&str, Change, Refused)] = &[
        (
            "user affinity, modern auth",
            |s| {
                s.user_affinity = UserAffinity::WithUserAffinity;
                s.authentication = Some(Authentication::SetupAssistantModern);
            },
            &[(TvOs, &[F::UserAffinity]), (VisionOs, &[F::UserAffinity])],
        ),
        (
            "company portal authentication",
            |s| {
                s.user_affinity = UserAffinity::WithUserAffinity;
                s.authentication = Some(Authentication::CompanyPortal);
                s.install_company_portal = true;
            },
            &[
                (MacOs, &[F::Authentication, F::InstallCompanyPortal]),
                (
                    TvOs,
                    &[F::UserAffinity, F::Authentication, F::InstallCompanyPortal],
                ),
                (
                    VisionOs,
                    &[F::UserAffinity, F::Authentication, F::InstallCompanyPortal],
                ),
            ],
        ),
        (
            "company portal with a VPP token and single app mode (macOS)",
            |s| {
                s.user_affinity = UserAffinity::WithUserAffinity;
                s.authentication = Some(Authentication::SetupAssistantModern);
                s.install_company_portal = true;
                s.company_portal_vpp_token = Some("Main VPP".into());
                s.single_app_mode_until_authentication = true;
            },
            &[
                (
                    MacOs,
                    &[
                        F::InstallCompanyPortal,
                        F::CompanyPortalVppToken,
                        F::SingleAppModeUntilAuthentication,
                    ],
                ),
                (
                    TvOs,
                    &[
                        F::UserAffinity,
                        F::InstallCompanyPortal,
                        F::CompanyPortalVppToken,
                        F::SingleAppModeUntilAuthentication,
                    ],
                ),
                (
                    VisionOs,
                    &[
                        F::UserAffinity,
                        F::InstallCompanyPortal,
                        F::CompanyPortalVppToken,
                        F::SingleAppModeUntilAuthentication,
                    ],
                ),
            ],
        ),
        (
            "shared iPad",
            |s| {
                s.shared_ipad = true;
                s.maximum_cached_users = Some(5);
            },
            &[
                (MacOs, &[F::SharedIPad]),
                (TvOs, &[F::SharedIPad]),
                (VisionOs, &[F::SharedIPad]),
            ],
        ),
        (
            "deny pairing",
            |s| s.sync_with_computers = SyncWithComputers::DenyAll,
            &[
                (MacOs, &[F::SyncWithComputers]),
                (TvOs, &[F::SyncWithComputers]),
            ],
        ),
        (
            "configurator certificates",
            |s| {
                s.sync_with_computers = SyncWithComputers::AllowByCertificate;
                s.configurator_certificates = vec![cert()];
            },
            &[
                (MacOs, &[F::SyncWithComputers, F::ConfiguratorCertificates]),
                (TvOs, &[F::SyncWithComputers, F::ConfiguratorCertificates]),
            ],
        ),
        (
            "auto advance",
            |s| s.auto_advance_setup = true,
            &[
                (Ios, &[F::AutoAdvanceSetup]),
                (VisionOs, &[F::AutoAdvanceSetup]),
            ],
        ),
        (
            "language and region",
            |s| {
                s.language = Some("de".into());
                s.region = Some("AT".into());
            },
            &[
                (Ios, &[F::Language, F::Region]),
                (VisionOs, &[F::Language, F::Region]),
            ],
        ),
        (
            "return to service",
            |s| s.return_to_service = true,
            &[
                (MacOs, &[F::ReturnToService]),
                (TvOs, &[F::ReturnToService]),
            ],
        ),
        (
            "no profile from a backup",
            |s| s.do_not_use_profile_from_backup = true,
            &[
                (MacOs, &[F::DoNotUseProfileFromBackup]),
                (TvOs, &[F::DoNotUseProfileFromBackup]),
            ],
        ),
        (
            "settings every platform has",
            |s| {
                s.locked_enrollment = true;
                s.await_final_configuration = false;
                s.device_name_template = Some("D-{{SERIAL}}".into());
                s.department = Some(Department {
                    name: Some("IT".into()),
                    phone: None,
                    email: Some("it@example.com".into()),
                });
            },
            &[],
        ),
    ];
    for (what, change, refused) in rows {
        for platform in ALL_PLATFORMS {
            let mut spec = on(platform);
            change(&mut spec);
            let expect: &[ProfileField] = refused
                .iter()
                .find(|(p, _)| *p == platform)
                .map_or(&[], |(_, fields)| fields);
            let problems = spec.problems();
            let fields: Vec<ProfileField> = problems.iter().map(|p| p.field).collect();
            assert_eq!(
                fields,
                expect,
                "{what} on {}: {problems:#?}",
                platform.label()
            );
            for problem in &problems {
                assert!(
                    problem.message.contains(platform.label()),
                    "{what}: {problem} does not name the platform"
                );
            }
        }
    }
}

#[test]
fn every_rule_in_the_table_is_exercised_and_names_platforms_that_exist() {
    for rule in PLATFORM_RULES {
        assert!(
            !rule.platforms.is_empty() && rule.platforms.len() < 4,
            "{}",
            rule.setting
        );
        assert_eq!(rule_for(rule.field).map(|r| r.setting), Some(rule.setting));
        // Off on a new profile of any platform.
        for platform in ALL_PLATFORMS {
            assert!(
                !(rule.is_set)(&on(platform)),
                "{} is on by default",
                rule.setting
            );
        }
    }
}

#[test]
fn language_and_region_are_checked_on_tvos_and_macos() {
    let with = |platform, language: Option<&str>, region: Option<&str>| ProfileSpec {
        language: language.map(str::to_owned),
        region: region.map(str::to_owned),
        ..on(platform)
    };
    check(with(TvOs, Some("fr"), Some("CA")), &[]);
    check(with(MacOs, Some("EN"), Some("gb")), &[]);
    check(with(MacOs, Some("  "), Some("")), &[]);
    check(with(TvOs, None, Some("US")), &[F::Region]);
    check(with(TvOs, Some("xx"), None), &[F::Language]);
    check(with(MacOs, Some("en"), Some("UK")), &[F::Region]);
    // On iOS both are refused as platform settings (the codes themselves are fine).
    check(with(Ios, Some("en"), Some("US")), &[F::Language, F::Region]);
    // Auto advance leaves nobody to sign in.
    check(
        ProfileSpec {
            auto_advance_setup: true,
            ..with_affinity(Authentication::SetupAssistantModern)
        }
        .clone_for(MacOs),
        &[F::AutoAdvanceSetup],
    );
    let valid = with(MacOs, Some("Fr"), Some("be")).validate().unwrap();
    assert_eq!(valid.language().map(Language::as_str), Some("fr"));
    assert_eq!(valid.region().map(Region::as_str), Some("BE"));
}

fn apple_json(spec: ProfileSpec) -> serde_json::Value {
    let apple = spec
        .validate()
        .unwrap()
        .apple_profile(&golden_context("plain"))
        .unwrap();
    serde_json::to_value(apple).unwrap()
}

#[test]
fn apple_json_carries_only_the_keys_of_the_platform() {
    let keys = |platform| {
        let json = apple_json(on(platform));
        let mut keys: Vec<String> = json.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys.join(" ")
    };
    let common = "await_device_configured is_mandatory is_mdm_removable is_supervised org_magic profile_name skip_setup_items url";
    let with = |extra: &str| {
        let mut all: Vec<&str> = common.split(' ').chain(extra.split(' ')).collect();
        all.sort_unstable();
        all.join(" ")
    };
    assert_eq!(keys(Ios), with("allow_pairing is_multi_user"));
    assert_eq!(keys(VisionOs), with("allow_pairing"));
    assert_eq!(keys(MacOs), with("auto_advance_setup"));
    assert_eq!(keys(TvOs), with("auto_advance_setup"));
    // The OS 26 keys only when on.
    let json = apple_json(ProfileSpec {
        return_to_service: true,
        ..on(Ios)
    });
    assert_eq!(json["is_return_to_service"], true);
    assert!(json.get("do_not_use_profile_from_backup").is_none());
}

#[test]
fn passcode_and_touch_id_carry_the_ios_14_5_note() {
    for key in ["Passcode", "Biometric"] {
        assert!(skip_key_note(key, Ios).unwrap().contains("14.5"));
        assert_eq!(skip_key_note(key, MacOs), None);
        let spec = ProfileSpec {
            hidden_screens: vec![SkipKey::new(key)],
            ..on(Ios)
        };
        let warnings = spec.warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("14.5"));
    }
}

#[test]
fn each_platform_offers_its_own_screens() {
    let offered = |platform| -> Vec<&str> {
        SKIP_KEYS
            .iter()
            .filter(|info| info.is_offered_for(platform))
            .map(|info| info.key)
            .collect()
    };
    let mac = offered(MacOs);
    for key in [
        "FileVault",
        "iCloudDiagnostics",
        "iCloudStorage",
        "Accessibility",
        "Appearance",
        "ScreenTime",
        "Biometric",
        "UnlockWithWatch",
    ] {
        assert!(mac.contains(&key), "macOS lacks {key}");
    }
    assert!(!mac.contains(&"SIMSetup") && !mac.contains(&"ScreenSaver"));
    let tv = offered(TvOs);
    for key in [
        "ScreenSaver",
        "TapToSetup",
        "TVHomeScreenSync",
        "TVProviderSignIn",
        "TVRoom",
        "AppleID",
        "Siri",
    ] {
        assert!(tv.contains(&key), "tvOS lacks {key}");
    }
    assert!(!tv.contains(&"Passcode") && !tv.contains(&"FileVault"));
    let vision = offered(VisionOs);
    for key in ["Tips", "Passcode", "Biometric", "Intelligence", "Zoom"] {
        assert!(vision.contains(&key), "visionOS lacks {key}");
    }
    assert!(!vision.contains(&"FileVault") && !vision.contains(&"TVRoom"));
    // Every offered key of every platform has a label and a description.
    for platform in ALL_PLATFORMS {
        for info in SKIP_KEYS.iter().filter(|i| i.is_offered_for(platform)) {
            assert!(
                !info.label.is_empty() && info.description.ends_with('.'),
                "{}",
                info.key
            );
        }
    }
}

#[test]
fn assignments_are_refused_across_platforms_and_shared_ipad_goes_to_ipads_only() {
    use crate::DeviceFamily as D;
    // (profile platform, shared iPad, family, refused with this phrase or sent)
    let rows: &[(ApplePlatform, bool, D, Option<&str>)] = &[
        (Ios, false, D::IPhone, None),
        (Ios, false, D::IPad, None),
        (Ios, false, D::IPod, None),
        (Ios, true, D::IPad, None),
        (
            Ios,
            true,
            D::IPhone,
            Some("Shared iPad profiles are for iPads only; this is an iPhone"),
        ),
        (Ios, true, D::IPod, Some("this is an iPod")),
        (
            Ios,
            false,
            D::Mac,
            Some("this Mac needs a macOS profile, not an iOS/iPadOS one"),
        ),
        (
            Ios,
            false,
            D::AppleTv,
            Some("this Apple TV needs a tvOS profile"),
        ),
        (
            Ios,
            false,
            D::Vision,
            Some("this Apple Vision Pro needs a visionOS profile"),
        ),
        (MacOs, false, D::Mac, None),
        (
            MacOs,
            false,
            D::IPad,
            Some("this iPad needs an iOS/iPadOS profile, not a macOS one"),
        ),
        (TvOs, false, D::AppleTv, None),
        (TvOs, false, D::Mac, Some("platform mismatch")),
        (VisionOs, false, D::Vision, None),
        (VisionOs, false, D::IPhone, Some("platform mismatch")),
        (MacOs, false, D::Unknown("Watch".into()), None),
        (Ios, true, D::Unknown(String::new()), None),
    ];
    for (platform, shared, family, expect) in rows {
        let got = assignment_refusal(*platform, *shared, family);
        match (got, expect) {
            (None, None) => {}
            (Some(reason), Some(phrase)) => {
                assert!(reason.contains(phrase), "{reason} lacks {phrase:?}")
            }
            (got, expect) => {
                panic!("{platform:?} {shared} {family:?}: {got:?}, expected {expect:?}")
            }
        }
    }
}
