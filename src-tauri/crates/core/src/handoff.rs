//! MDM handoff (PRO-19): the settings Apple's profile JSON cannot carry, as the
//! MDM command payloads (property lists) an MDM server sends after enrollment.
//!
//! Files of one profile:
//! - `shared-ipad-settings.plist`: a `Settings` command with the
//!   `SharedDeviceConfiguration` item (Shared iPad, maximum cached users).
//! - `device-names.plist`: per device, the `Settings` command with the
//!   `DeviceName` item rendered from the name template.
//! - `company-portal-install.plist`: the `InstallApplication` command for
//!   Company Portal (through VPP when a VPP token is chosen).
//! - `single-app-mode.mobileconfig`: an App Lock payload keeping Company
//!   Portal in front until the user has signed in.
//! - `host-pairing-restriction.mobileconfig` (iOS, visionOS; pairing denied or
//!   limited to Configurator certificates): a Restrictions payload with
//!   `allowHostPairing` off. From iOS 13 the profile's `allow_pairing` is no
//!   longer honoured; only this restriction (supervised devices) blocks pairing.
//! - `macos-account-setup.plist` (macOS awaiting final configuration): the
//!   `AccountConfiguration` command the MDM sends while the Mac waits in Setup
//!   Assistant, so the local accounts are as the organisation wants them.
//! - `return-to-service-erase.plist` (iOS, visionOS with Return to Service): the
//!   `EraseDevice` command with `ReturnToService`, for the MDM to send when the
//!   device is handed back.
//! - `device-configured.plist` (every platform awaiting final configuration):
//!   the `DeviceConfigured` command that lets the device leave Setup Assistant
//!   once the MDM has sent the rest.
//! - `README.txt`: what each file is for.
//!
//! Command UUIDs are left to the MDM server, which issues each command.

use depot_domain::profile::{
    ApplePlatform, DeviceNameTemplate, ProfileSpec, SyncWithComputers, UserAffinity,
};
use depot_domain::{DeviceFamily, SerialNumber};
use plist::{Dictionary, Value};

use crate::{CoreError, Result};

/// A file of the MDM handoff (PRO-19).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffFile {
    pub name: String,
    pub contents: Vec<u8>,
}

/// Company Portal's App Store id and bundle id.
const COMPANY_PORTAL_STORE_ID: i64 = 719_171_358;
const COMPANY_PORTAL_BUNDLE_ID: &str = "com.microsoft.CompanyPortal";

/// The Apps and Books token a profile installs the Company Portal with, as
/// the MDM needs to know it: which location's licences to assign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LicenceSource {
    pub token: String,
    pub location: String,
    pub org: String,
}

pub(crate) fn files(
    profile_name: &str,
    version: i64,
    spec: &ProfileSpec,
    devices: &[(String, String)],
    licences: Option<&LicenceSource>,
) -> Result<Vec<HandoffFile>> {
    let mut files = Vec::new();
    let mut readme = format!(
        "MDM handoff for the enrollment profile '{profile_name}' (version {version}), written by Depot.\n\
         Apple's enrollment profile cannot carry these settings; send them from your MDM server after enrollment.\n\n"
    );

    if spec.shared_ipad {
        let mut item = Dictionary::new();
        item.insert("Item".into(), "SharedDeviceConfiguration".into());
        if let Some(users) = spec.maximum_cached_users {
            item.insert("ResidentUsers".into(), Value::Integer(users.into()));
        }
        files.push(file(
            "shared-ipad-settings.plist",
            &settings_command(vec![Value::Dictionary(item)]),
        )?);
        readme.push_str(
            "shared-ipad-settings.plist — Settings command (SharedDeviceConfiguration): how many users a Shared iPad keeps cached.\n",
        );
    }

    if let Some(template) = spec
        .device_name_template
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let template =
            DeviceNameTemplate::parse(template).map_err(|e| CoreError::InvalidInput {
                field: "deviceNameTemplate",
                message: e.to_string(),
            })?;
        let mut entries = Vec::with_capacity(devices.len());
        for (serial, family) in devices {
            let Ok(parsed) = SerialNumber::parse(serial) else {
                continue;
            };
            let name = template.render(&parsed, &DeviceFamily::parse(family));
            let mut item = Dictionary::new();
            item.insert("Item".into(), "DeviceName".into());
            item.insert("DeviceName".into(), name.clone().into());
            let mut entry = Dictionary::new();
            entry.insert("SerialNumber".into(), serial.clone().into());
            entry.insert("DeviceName".into(), name.into());
            entry.insert(
                "Command".into(),
                settings_command(vec![Value::Dictionary(item)]),
            );
            entries.push(Value::Dictionary(entry));
        }
        files.push(file("device-names.plist", &Value::Array(entries))?);
        readme.push_str(&format!(
            "device-names.plist — one Settings command (DeviceName) per device holding this profile ({} now), names from the template '{template}'. Export again after assigning more devices.\n",
            devices.len()
        ));
    }

    if spec.install_company_portal {
        let mut command = Dictionary::new();
        command.insert("RequestType".into(), "InstallApplication".into());
        command.insert(
            "iTunesStoreID".into(),
            Value::Integer(COMPANY_PORTAL_STORE_ID.into()),
        );
        // 1: remove the app when the MDM profile is removed.
        command.insert("ManagementFlags".into(), Value::Integer(1.into()));
        let vpp = spec
            .company_portal_vpp_token
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty());
        if vpp.is_some() {
            let mut options = Dictionary::new();
            // 1: a volume-purchase (VPP) license, no Apple ID prompt.
            options.insert("PurchaseMethod".into(), Value::Integer(1.into()));
            command.insert("Options".into(), Value::Dictionary(options));
        }
        let mut root = Dictionary::new();
        root.insert("Command".into(), Value::Dictionary(command));
        if vpp.is_some() {
            // Beside the command, for the MDM (not sent to the device): which
            // licences to assign before sending it.
            root.insert("LicenseType".into(), "VPP device license".into());
            if let Some(source) = licences {
                root.insert("VPPToken".into(), source.token.clone().into());
                root.insert("VPPLocation".into(), source.location.clone().into());
                root.insert("VPPOrganization".into(), source.org.clone().into());
            }
        }
        files.push(file(
            "company-portal-install.plist",
            &Value::Dictionary(root),
        )?);
        let location = licences.map_or_else(String::new, |s| {
            format!(", location '{}' of {}", s.location, s.org)
        });
        readme.push_str(&match vpp {
            Some(token) => format!(
                "company-portal-install.plist — InstallApplication command for Company Portal with a VPP device license (Apps and Books token '{token}'{location}; assign that location's Company Portal license to the device's serial number first, then send the Command).\n"
            ),
            None => "company-portal-install.plist — InstallApplication command for Company Portal from the App Store (the user is asked for an Apple ID).\n".into(),
        });
    }

    if spec.single_app_mode_until_authentication {
        let mut app = Dictionary::new();
        app.insert("Identifier".into(), COMPANY_PORTAL_BUNDLE_ID.into());
        let mut payload = Dictionary::new();
        payload.insert("PayloadType".into(), "com.apple.app.lock".into());
        payload.insert("PayloadVersion".into(), Value::Integer(1.into()));
        payload.insert(
            "PayloadIdentifier".into(),
            "app.depot.handoff.single-app-mode.applock".into(),
        );
        payload.insert(
            "PayloadUUID".into(),
            stable_uuid(profile_name, version, "applock").into(),
        );
        payload.insert(
            "PayloadDisplayName".into(),
            "Company Portal until sign-in".into(),
        );
        payload.insert("App".into(), Value::Dictionary(app));
        let mut root = Dictionary::new();
        root.insert("PayloadType".into(), "Configuration".into());
        root.insert("PayloadVersion".into(), Value::Integer(1.into()));
        root.insert(
            "PayloadIdentifier".into(),
            "app.depot.handoff.single-app-mode".into(),
        );
        root.insert(
            "PayloadUUID".into(),
            stable_uuid(profile_name, version, "profile").into(),
        );
        root.insert(
            "PayloadDisplayName".into(),
            format!("{profile_name}: Single App Mode until sign-in").into(),
        );
        root.insert(
            "PayloadContent".into(),
            Value::Array(vec![Value::Dictionary(payload)]),
        );
        files.push(file(
            "single-app-mode.mobileconfig",
            &Value::Dictionary(root),
        )?);
        readme.push_str(
            "single-app-mode.mobileconfig — App Lock profile keeping Company Portal in front until the user signs in (iOS 11.3.1+); remove it after authentication.\n",
        );
    }

    let pairs = matches!(spec.platform, ApplePlatform::Ios | ApplePlatform::VisionOs);
    if pairs && spec.sync_with_computers != SyncWithComputers::AllowAll {
        let mut restriction = Dictionary::new();
        restriction.insert("PayloadType".into(), "com.apple.applicationaccess".into());
        restriction.insert("PayloadVersion".into(), Value::Integer(1.into()));
        restriction.insert(
            "PayloadIdentifier".into(),
            "app.depot.handoff.host-pairing.restrictions".into(),
        );
        restriction.insert(
            "PayloadUUID".into(),
            stable_uuid(profile_name, version, "host-pairing").into(),
        );
        restriction.insert("allowHostPairing".into(), Value::Boolean(false));
        files.push(file(
            "host-pairing-restriction.mobileconfig",
            &configuration(
                profile_name,
                version,
                "host-pairing",
                "No pairing with computers",
                restriction,
            ),
        )?);
        readme.push_str(match spec.sync_with_computers {
            SyncWithComputers::AllowByCertificate => {
                "host-pairing-restriction.mobileconfig — Restrictions payload with allowHostPairing off (supervised devices): from iOS 13 this, not the enrollment profile, stops pairing; Macs holding one of the profile's Apple Configurator certificates can still pair.
"
            }
            _ => {
                "host-pairing-restriction.mobileconfig — Restrictions payload with allowHostPairing off (supervised devices): from iOS 13 this, not the enrollment profile, stops the device pairing with any computer.
"
            }
        });
    }

    if spec.platform == ApplePlatform::MacOs && spec.await_final_configuration {
        let mut command = Dictionary::new();
        command.insert("RequestType".into(), "AccountConfiguration".into());
        // The user creates their own account in Setup Assistant; with user
        // affinity it is a standard account (the organisation keeps admin).
        command.insert(
            "SkipPrimarySetupAccountCreation".into(),
            Value::Boolean(false),
        );
        command.insert(
            "SetPrimarySetupAccountAsRegularUser".into(),
            Value::Boolean(spec.user_affinity == UserAffinity::WithUserAffinity),
        );
        // The MDM adds its managed administrator: Depot holds no password hash.
        command.insert("AutoSetupAdminAccounts".into(), Value::Array(Vec::new()));
        let mut root = Dictionary::new();
        root.insert("Command".into(), Value::Dictionary(command));
        files.push(file("macos-account-setup.plist", &Value::Dictionary(root))?);
        readme.push_str(
            "macos-account-setup.plist — AccountConfiguration command to send while the Mac waits in Setup Assistant: the user still creates the first account (a standard account when the profile has user affinity); add your managed administrator under AutoSetupAdminAccounts (short name, full name, salted password hash) before sending.
",
        );
    }

    if pairs && spec.return_to_service {
        let mut rts = Dictionary::new();
        rts.insert("Enabled".into(), Value::Boolean(true));
        let mut command = Dictionary::new();
        command.insert("RequestType".into(), "EraseDevice".into());
        command.insert("ReturnToService".into(), Value::Dictionary(rts));
        let mut root = Dictionary::new();
        root.insert("Command".into(), Value::Dictionary(command));
        files.push(file(
            "return-to-service-erase.plist",
            &Value::Dictionary(root),
        )?);
        readme.push_str(
            "return-to-service-erase.plist — EraseDevice command with ReturnToService on (OS 26 and later): the device erases, joins Wi-Fi and enrolls again without anyone at it. Add WiFiProfileData (a Wi-Fi profile) unless the device has a wired or cellular connection.
",
        );
    }

    if spec.await_final_configuration {
        let mut command = Dictionary::new();
        command.insert("RequestType".into(), "DeviceConfigured".into());
        let mut root = Dictionary::new();
        root.insert("Command".into(), Value::Dictionary(command));
        files.push(file("device-configured.plist", &Value::Dictionary(root))?);
        readme.push_str(
            "device-configured.plist — DeviceConfigured command: the profile holds the device in Setup Assistant until the MDM sends it; send it last, after the settings above.
",
        );
    }

    if files.is_empty() {
        readme.push_str(
            "This profile needs nothing from the MDM server beyond Apple's enrollment profile.\n",
        );
    }
    files.push(HandoffFile {
        name: "README.txt".into(),
        contents: readme.into_bytes(),
    });
    Ok(files)
}

/// A configuration profile holding one payload, with stable identifiers.
fn configuration(
    profile_name: &str,
    version: i64,
    part: &str,
    display: &str,
    payload: Dictionary,
) -> Value {
    let mut root = Dictionary::new();
    root.insert("PayloadType".into(), "Configuration".into());
    root.insert("PayloadVersion".into(), Value::Integer(1.into()));
    root.insert(
        "PayloadIdentifier".into(),
        format!("app.depot.handoff.{part}").into(),
    );
    root.insert(
        "PayloadUUID".into(),
        stable_uuid(profile_name, version, &format!("{part}-profile")).into(),
    );
    root.insert(
        "PayloadDisplayName".into(),
        format!("{profile_name}: {display}").into(),
    );
    root.insert(
        "PayloadContent".into(),
        Value::Array(vec![Value::Dictionary(payload)]),
    );
    Value::Dictionary(root)
}

fn settings_command(items: Vec<Value>) -> Value {
    let mut command = Dictionary::new();
    command.insert("RequestType".into(), "Settings".into());
    command.insert("Settings".into(), Value::Array(items));
    let mut root = Dictionary::new();
    root.insert("Command".into(), Value::Dictionary(command));
    Value::Dictionary(root)
}

fn file(name: &str, value: &Value) -> Result<HandoffFile> {
    let mut contents = Vec::new();
    plist::to_writer_xml(&mut contents, value).map_err(|e| CoreError::File {
        path: name.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(HandoffFile {
        name: name.to_owned(),
        contents,
    })
}

/// A UUID that stays the same for one profile version, so exporting twice
/// gives identical files (the MDM server sees the same payload).
fn stable_uuid(name: &str, version: i64, part: &str) -> String {
    let digest = fnv_pair(&format!("{name}\u{0}{version}\u{0}{part}"));
    let hex: String = digest.iter().map(|b| format!("{b:02X}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// 16 bytes from FNV-1a over two seeds: stable, not a security property.
fn fnv_pair(text: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (half, seed) in [0xcbf2_9ce4_8422_2325_u64, 0x8422_2325_cbf2_9ce4]
        .iter()
        .enumerate()
    {
        let mut hash = *seed;
        for byte in text.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        out[half * 8..half * 8 + 8].copy_from_slice(&hash.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_ipad() -> ProfileSpec {
        let mut spec = ProfileSpec::new("Store iPads");
        spec.shared_ipad = true;
        spec.maximum_cached_users = Some(12);
        spec.device_name_template = Some("{{DEVICETYPE}}-{{SERIAL}}".into());
        spec
    }

    fn text(files: &[HandoffFile], name: &str) -> String {
        let file = files.iter().find(|f| f.name == name).expect(name);
        String::from_utf8(file.contents.clone()).unwrap()
    }

    #[test]
    fn shared_ipad_and_device_names_become_settings_commands() {
        let devices = vec![("F9FXK2ABCD12".to_owned(), "iPad".to_owned())];
        let files = files("Store iPads", 2, &shared_ipad(), &devices, None).unwrap();
        let shared: Value =
            plist::from_bytes(text(&files, "shared-ipad-settings.plist").as_bytes()).unwrap();
        let command = shared.as_dictionary().unwrap()["Command"]
            .as_dictionary()
            .unwrap();
        assert_eq!(command["RequestType"].as_string(), Some("Settings"));
        let item = command["Settings"].as_array().unwrap()[0]
            .as_dictionary()
            .unwrap();
        assert_eq!(item["Item"].as_string(), Some("SharedDeviceConfiguration"));
        assert_eq!(item["ResidentUsers"].as_signed_integer(), Some(12));

        let names: Value =
            plist::from_bytes(text(&files, "device-names.plist").as_bytes()).unwrap();
        let entry = names.as_array().unwrap()[0].as_dictionary().unwrap();
        assert_eq!(entry["SerialNumber"].as_string(), Some("F9FXK2ABCD12"));
        assert_eq!(entry["DeviceName"].as_string(), Some("iPad-F9FXK2ABCD12"));
        assert!(text(&files, "README.txt").contains("version 2"));
        assert!(
            !files
                .iter()
                .any(|f| f.name == "company-portal-install.plist")
        );
    }

    #[test]
    fn company_portal_with_vpp_and_single_app_mode() {
        let mut spec = ProfileSpec::new("Staff");
        spec.user_affinity = depot_domain::profile::UserAffinity::WithUserAffinity;
        spec.install_company_portal = true;
        spec.company_portal_vpp_token = Some("Contoso VPP".into());
        spec.single_app_mode_until_authentication = true;
        let source = LicenceSource {
            token: "Contoso VPP".into(),
            location: "HQ Apps".into(),
            org: "Contoso".into(),
        };
        let files = files("Staff", 1, &spec, &[], Some(&source)).unwrap();
        let install = text(&files, "company-portal-install.plist");
        assert!(install.contains("InstallApplication") && install.contains("719171358"));
        assert!(install.contains("PurchaseMethod"));
        // The MDM learns which licences to assign: type and location.
        let root: Value = plist::from_bytes(install.as_bytes()).unwrap();
        let root = root.as_dictionary().unwrap();
        assert_eq!(root["LicenseType"].as_string(), Some("VPP device license"));
        assert_eq!(root["VPPLocation"].as_string(), Some("HQ Apps"));
        assert_eq!(root["VPPToken"].as_string(), Some("Contoso VPP"));
        assert!(text(&files, "README.txt").contains("location 'HQ Apps' of Contoso"));
        let lock = text(&files, "single-app-mode.mobileconfig");
        assert!(lock.contains("com.apple.app.lock") && lock.contains(COMPANY_PORTAL_BUNDLE_ID));
        // Stable across exports.
        assert_eq!(
            lock,
            text(
                &super::files("Staff", 1, &spec, &[], None).unwrap(),
                "single-app-mode.mobileconfig"
            )
        );
    }

    #[test]
    fn a_plain_profile_gets_only_the_readme() {
        let mut spec = ProfileSpec::new("Plain");
        spec.await_final_configuration = false;
        let files = files("Plain", 1, &spec, &[], None).unwrap();
        assert_eq!(files.len(), 1);
        assert!(text(&files, "README.txt").contains("needs nothing"));
    }

    fn names(files: &[HandoffFile]) -> Vec<&str> {
        files.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn each_platform_gets_what_its_mdm_must_send() {
        use ApplePlatform::{Ios, MacOs, TvOs, VisionOs};
        // (platform, change, files besides README.txt)
        type Change = fn(&mut ProfileSpec);
        let rows: &[(ApplePlatform, Change, &[&str])] = &[
            (Ios, |_| {}, &["device-configured.plist"]),
            (
                Ios,
                |s| s.sync_with_computers = SyncWithComputers::DenyAll,
                &[
                    "host-pairing-restriction.mobileconfig",
                    "device-configured.plist",
                ],
            ),
            (
                VisionOs,
                |s| {
                    s.sync_with_computers = SyncWithComputers::DenyAll;
                    s.return_to_service = true;
                },
                &[
                    "host-pairing-restriction.mobileconfig",
                    "return-to-service-erase.plist",
                    "device-configured.plist",
                ],
            ),
            (
                MacOs,
                |_| {},
                &["macos-account-setup.plist", "device-configured.plist"],
            ),
            (MacOs, |s| s.await_final_configuration = false, &[]),
            (TvOs, |_| {}, &["device-configured.plist"]),
        ];
        for (platform, change, expected) in rows {
            let mut spec = ProfileSpec::new_for("P", *platform);
            change(&mut spec);
            let files = files("P", 1, &spec, &[], None).unwrap();
            let mut want: Vec<&str> = expected.to_vec();
            want.push("README.txt");
            assert_eq!(names(&files), want, "{platform:?}");
        }

        let mut deny = ProfileSpec::new("Locked down");
        deny.sync_with_computers = SyncWithComputers::DenyAll;
        let locked = files("Locked down", 3, &deny, &[], None).unwrap();
        let profile: Value =
            plist::from_bytes(text(&locked, "host-pairing-restriction.mobileconfig").as_bytes())
                .unwrap();
        let payload = profile.as_dictionary().unwrap()["PayloadContent"]
            .as_array()
            .unwrap()[0]
            .as_dictionary()
            .unwrap();
        assert_eq!(
            payload["PayloadType"].as_string(),
            Some("com.apple.applicationaccess")
        );
        assert_eq!(payload["allowHostPairing"].as_boolean(), Some(false));

        let mut mac = ProfileSpec::new_for("Engineering Macs", MacOs);
        mac.user_affinity = UserAffinity::WithUserAffinity;
        mac.authentication = Some(depot_domain::profile::Authentication::SetupAssistantModern);
        let macs = files("Engineering Macs", 1, &mac, &[], None).unwrap();
        let account: Value =
            plist::from_bytes(text(&macs, "macos-account-setup.plist").as_bytes()).unwrap();
        let command = account.as_dictionary().unwrap()["Command"]
            .as_dictionary()
            .unwrap();
        assert_eq!(
            command["RequestType"].as_string(),
            Some("AccountConfiguration")
        );
        assert_eq!(
            command["SetPrimarySetupAccountAsRegularUser"].as_boolean(),
            Some(true)
        );
        let configured: Value =
            plist::from_bytes(text(&macs, "device-configured.plist").as_bytes()).unwrap();
        assert_eq!(
            configured.as_dictionary().unwrap()["Command"]
                .as_dictionary()
                .unwrap()["RequestType"]
                .as_string(),
            Some("DeviceConfigured")
        );
    }
}
