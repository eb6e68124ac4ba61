//! Every Apple platform (PLT-1..3) through `core` against the simulator over
//! loopback HTTP: a default profile per platform, sync giving each new device
//! its own platform's default, and the guards that keep a profile off devices
//! of another platform (or a Shared iPad profile off anything but an iPad).

use std::collections::HashMap;

use depot_core::devices::{PreviewClass, parse_serials};
use depot_core::sync::SyncRequest;
use depot_domain::DeviceFamily;
use depot_domain::profile::{ApplePlatform, ProfileSpec};
use depot_sim::ChangeBatch;

use crate::profiles::{SERVER, Setup, setup_with};

/// A token whose fleet has every family.
async fn setup(devices: u32) -> Setup {
    setup_with(devices, depot_sim::Fleet::Mixed).await
}

/// The token's active devices by family: serial → family.
fn families(s: &Setup) -> HashMap<String, String> {
    let db = s.depot.workspace().connect().unwrap();
    db.device_families(s.token, &parse_serials(&s.serials()).unwrap())
        .unwrap()
}

fn platform_of(family: &str) -> Option<ApplePlatform> {
    DeviceFamily::parse(family).platform()
}

/// Which Depot profile (by name) each device holds at Apple (the simulator).
fn holders(s: &Setup, names: &HashMap<String, String>) -> HashMap<String, Option<String>> {
    s.serials()
        .into_iter()
        .map(|serial| {
            let name = s
                .apple_uuid_of(&serial)
                .and_then(|u| names.get(&u).cloned());
            (serial, name)
        })
        .collect()
}

#[tokio::test]
async fn each_new_device_gets_the_default_of_its_own_platform_and_never_another() {
    let s = setup(400).await;
    // Before any sync: Apple has not said which families the token holds.
    let mut uuids = HashMap::new();
    let mut by_platform = HashMap::new();
    for (platform, name) in [
        (ApplePlatform::Ios, "Phones and iPads"),
        (ApplePlatform::MacOs, "Macs"),
        (ApplePlatform::TvOs, "Meeting room TVs"),
    ] {
        let id = s.create(&ProfileSpec::new_for(name, platform)).await;
        s.depot.set_default_profile(id).unwrap();
        let detail = s.depot.profile_detail(id).unwrap();
        uuids.insert(detail.overview.upload.apple_uuid.unwrap(), name.to_owned());
        by_platform.insert(platform, name.to_owned());
    }
    // A second macOS default replaces the first, and only for macOS.
    let mac2 = s
        .create(&ProfileSpec::new_for("Macs (2027)", ApplePlatform::MacOs))
        .await;
    s.depot.set_default_profile(mac2).unwrap();
    let detail = s.depot.profile_detail(mac2).unwrap();
    uuids.insert(
        detail.overview.upload.apple_uuid.unwrap(),
        "Macs (2027)".into(),
    );
    by_platform.insert(ApplePlatform::MacOs, "Macs (2027)".into());
    let token = s.depot.token_detail(s.token).unwrap();
    let defaults: Vec<(ApplePlatform, &str)> = token
        .overview
        .default_profiles
        .iter()
        .map(|(p, n)| (*p, n.as_str()))
        .collect();
    assert_eq!(
        defaults,
        [
            (ApplePlatform::Ios, "Phones and iPads"),
            (ApplePlatform::MacOs, "Macs (2027)"),
            (ApplePlatform::TvOs, "Meeting room TVs"),
        ]
    );

    // First sync: every device is new to the token.
    let outcome = s.sync().await;
    let families = families(&s);
    let count = |platform| {
        families
            .values()
            .filter(|f| platform_of(f) == Some(platform))
            .count()
    };
    for platform in [
        ApplePlatform::Ios,
        ApplePlatform::MacOs,
        ApplePlatform::TvOs,
        ApplePlatform::VisionOs,
    ] {
        assert!(
            count(platform) > 0,
            "the simulator gave no {platform:?} device"
        );
    }
    // One run per platform that has a default, in platform order.
    assert_eq!(outcome.default_assignments.len(), 3, "{outcome:?}");
    for run in &outcome.default_assignments {
        assert_eq!(run.reason, depot_core::assign::AssignReason::Default);
        assert_eq!(run.succeeded, run.total, "{run:?}");
        assert_eq!(run.not_sent, 0, "{run:?}");
    }
    let held = holders(&s, &uuids);
    for (serial, family) in &families {
        let platform = platform_of(family).unwrap();
        let expected = by_platform.get(&platform).cloned();
        assert_eq!(
            held[serial], expected,
            "{serial} ({family}) holds {:?}, expected {expected:?}",
            held[serial]
        );
    }

    // visionOS has no default: those devices wait, counted on the token page.
    let token = s.depot.token_detail(s.token).unwrap();
    assert_eq!(
        token.devices_without_default,
        [("visionOS".to_owned(), count(ApplePlatform::VisionOs) as u64)]
    );
    assert!(token.platform_mismatches.is_empty());

    // A delta sync brings more devices: again each to its own platform.
    let report = s
        .sim
        .apply_changes(
            SERVER,
            ChangeBatch {
                added: 40,
                ..ChangeBatch::default()
            },
        )
        .unwrap();
    s.clock.advance(16 * 60);
    s.sim.advance_clock(std::time::Duration::from_secs(16 * 60));
    let outcome = s
        .depot
        .sync_token(s.token, SyncRequest::manual(false), &|_| {})
        .await
        .unwrap();
    assert_eq!(outcome.added, 40);
    let families = self::families(&s);
    let held = holders(&s, &uuids);
    let mut seen = HashMap::new();
    for serial in &report.added {
        let family = &families[serial];
        let platform = platform_of(family).unwrap();
        *seen.entry(platform).or_insert(0) += 1;
        assert_eq!(
            held[serial],
            by_platform.get(&platform).cloned(),
            "{serial} ({family})"
        );
    }
    let sent: u64 = outcome.default_assignments.iter().map(|r| r.total).sum();
    assert_eq!(
        sent as usize,
        report.added.len() - seen.get(&ApplePlatform::VisionOs).copied().unwrap_or(0)
    );

    // Clearing the tvOS default leaves the others.
    s.depot
        .clear_default_profile(s.token, ApplePlatform::TvOs)
        .unwrap();
    let token = s.depot.token_detail(s.token).unwrap();
    assert_eq!(token.overview.default_profiles.len(), 2);
}

#[tokio::test]
async fn the_preview_refuses_other_platforms_and_shared_ipad_on_non_ipads_and_nothing_refused_is_sent()
 {
    let s = setup(300).await;
    s.sync().await;
    let families = families(&s);
    let pick = |family: &str| -> String {
        families
            .iter()
            .filter(|(_, f)| *f == family)
            .map(|(s, _)| s.clone())
            .min()
            .unwrap_or_else(|| panic!("no {family} in the simulator's fleet"))
    };
    let (ipad, iphone, mac, tv) = (pick("iPad"), pick("iPhone"), pick("Mac"), pick("AppleTV"));
    let serials = vec![ipad.clone(), iphone.clone(), mac.clone(), tv.clone()];

    // A Shared iPad profile: only the iPad may take it.
    let mut shared = ProfileSpec::new("Cart iPads");
    shared.shared_ipad = true;
    shared.maximum_cached_users = Some(4);
    let shared = s.create(&shared).await;
    let preview = s
        .depot
        .preview_serials(
            s.token,
            Some(shared),
            &parse_serials(&serials).unwrap(),
            Vec::new(),
            0,
        )
        .unwrap();
    let class: HashMap<&str, (PreviewClass, &str)> = preview
        .rows
        .iter()
        .map(|r| (r.serial.as_str(), (r.class, r.detail.as_str())))
        .collect();
    assert_eq!(class[ipad.as_str()].0, PreviewClass::Ready);
    assert_eq!(class[iphone.as_str()].0, PreviewClass::Refused);
    assert!(
        class[iphone.as_str()]
            .1
            .contains("Shared iPad profiles are for iPads only")
    );
    assert_eq!(class[mac.as_str()].0, PreviewClass::Refused);
    assert!(
        class[mac.as_str()].1.contains("needs a macOS profile"),
        "{:?}",
        class[mac.as_str()]
    );
    assert_eq!(class[tv.as_str()].0, PreviewClass::Refused);
    assert_eq!(preview.to_send, std::slice::from_ref(&ipad));

    // Even a run started without the preview (scripts, the scheduler) never
    // sends a refused serial to Apple.
    s.sim.clear_request_log();
    let run = s.assign(Some(shared), serials.clone()).await;
    assert_eq!(
        (run.total, run.succeeded, run.not_sent),
        (4, 1, 3),
        "{run:?}"
    );
    let sent: Vec<serde_json::Value> = s
        .sim
        .request_log()
        .iter()
        .filter(|r| r.path == "/profile/devices")
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["devices"], serde_json::json!([ipad]));
    let results = s.depot.assignment_results(run.run_id).unwrap();
    let refused: Vec<&str> = results
        .iter()
        .filter(|r| {
            r.detail
                .as_deref()
                .is_some_and(|d| d.starts_with("refused:"))
        })
        .map(|r| r.serial.as_str())
        .collect();
    assert_eq!(refused.len(), 3, "{results:?}");
    assert_eq!(s.apple_uuid_of(&mac), None);

    // A macOS profile goes to the Mac only.
    let macs = s
        .create(&ProfileSpec::new_for("Macs", ApplePlatform::MacOs))
        .await;
    let preview = s
        .depot
        .preview_serials(
            s.token,
            Some(macs),
            &parse_serials(&serials).unwrap(),
            Vec::new(),
            0,
        )
        .unwrap();
    assert_eq!(preview.to_send, std::slice::from_ref(&mac));
    // Removing a profile has no platform: every device may lose its profile.
    let removal = s
        .depot
        .preview_serials(
            s.token,
            None,
            &parse_serials(&serials).unwrap(),
            Vec::new(),
            0,
        )
        .unwrap();
    assert!(
        removal
            .rows
            .iter()
            .all(|r| r.class != PreviewClass::Refused)
    );
}

#[tokio::test]
async fn a_profile_keeps_its_platform_and_macs_on_an_ios_profile_are_listed() {
    let s = setup(200).await;
    s.sync().await;
    let ios = s.create(&ProfileSpec::new("Everything")).await;
    // The edit cannot move the profile to another platform.
    let err = s
        .depot
        .edit_profile(
            ios,
            &ProfileSpec::new_for("Everything", ApplePlatform::MacOs),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("keeps the platform"), "{err}");

    // A Mac that received an iOS profile before platforms existed (written
    // straight into the store, as an old workspace holds it).
    let families = families(&s);
    let mac = families
        .iter()
        .find(|(_, f)| *f == "Mac")
        .map(|(s, _)| s.clone())
        .unwrap();
    let uuid = s
        .depot
        .profile_detail(ios)
        .unwrap()
        .overview
        .upload
        .apple_uuid
        .unwrap();
    let db = rusqlite::Connection::open(s.ws.path().join("depot.sqlite")).unwrap();
    db.execute(
        "UPDATE devices SET profile_uuid = ?1, profile_status = 'assigned' WHERE serial = ?2",
        rusqlite::params![uuid, mac],
    )
    .unwrap();
    let token = s.depot.token_detail(s.token).unwrap();
    let listed: Vec<(&str, &str, &str)> = token
        .platform_mismatches
        .iter()
        .map(|m| {
            (
                m.serial.as_str(),
                m.family.as_str(),
                m.profile_name.as_str(),
            )
        })
        .collect();
    assert_eq!(listed, [(mac.as_str(), "Mac", "Everything")]);
}

/// The golden profile files of every platform: each imports, its Apple JSON
/// is exactly the golden one, and the simulator (which refuses any key Apple
/// does not document) accepts it.
#[tokio::test]
async fn every_platforms_golden_profile_uploads_with_exactly_its_apple_json() {
    const GOLDEN: &[(&str, &str)] = &[
        (
            include_str!(
                "../../src-tauri/crates/domain/src/profile/golden/shared-ipad.profile.json"
            ),
            "shared-ipad",
        ),
        (
            include_str!("../../src-tauri/crates/domain/src/profile/golden/macos-lab.profile.json"),
            "macos-lab",
        ),
        (
            include_str!(
                "../../src-tauri/crates/domain/src/profile/golden/tvos-rooms.profile.json"
            ),
            "tvos-rooms",
        ),
        (
            include_str!(
                "../../src-tauri/crates/domain/src/profile/golden/visionos-loaners.profile.json"
            ),
            "visionos-loaners",
        ),
    ];
    let s = setup(10).await;
    s.depot
        .set_enrollment_urls(
            None,
            Some("https://mdm.example.com/ade/enroll"),
            Some("https://mdm.example.com/ade/sso"),
        )
        .unwrap();
    for (file, name) in GOLDEN {
        let detail = s
            .depot
            .import_profile(s.token, file)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            detail.overview.upload.state,
            depot_core::profiles::UploadState::Uploaded,
            "{name}: {:?}",
            detail.overview.upload
        );
        let sent: serde_json::Value = serde_json::from_str(&detail.apple_json).unwrap();
        let platform = ProfileSpec::from_profile_file(file).unwrap().platform;
        assert_eq!(detail.overview.platform, platform, "{name}");
        // What the simulator stored is what was sent, key for key.
        let uuid = detail.overview.upload.apple_uuid.unwrap();
        let stored = s
            .sim
            .profiles(SERVER)
            .unwrap()
            .into_iter()
            .find(|p| p["profile_uuid"] == uuid.as_str())
            .unwrap_or_else(|| panic!("{name}: not at the simulator"));
        for (key, value) in sent.as_object().unwrap() {
            assert_eq!(&stored[key], value, "{name}: {key}");
        }
    }
}
