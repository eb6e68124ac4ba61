//! Spec §3.5–3.6 and §4: define/get/assign/remove profiles, details, disown.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::support::*;

fn profile() -> Value {
    json!({
        "profile_name": "Sales iPads",
        "url": "https://mdm.example.com/ade/enroll/8f1c",
        "configuration_web_url": "https://mdm.example.com/ade/sso/8f1c",
        "is_supervised": true,
        "is_mdm_removable": false,
        "is_mandatory": true,
        "await_device_configured": true,
        "allow_pairing": false,
        "org_magic": "6A0C2F3E-0D7B-4B7B-9E2C-0C8E1B7C9A11",
        "department": "Sales IT",
        "support_phone_number": "+1 555 0100",
        "support_email_address": "it@example.com",
        "language": "en",
        "region": "US",
        "skip_setup_items": ["AppleID", "Android", "Payment", "Siri", "TOS", "Diagnostics"]
    })
}

fn is_profile_uuid(u: &str) -> bool {
    u.len() == 32
        && u.chars()
            .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
}

#[tokio::test]
async fn define_and_get() {
    let sim = start(10).await;
    let mut api = Api::login(&sim, SERVER).await;
    let r = api.call("POST", "/profile", Some(profile())).await;
    assert_eq!(r.status, 200, "{r:?}");
    let uuid = r.json()["profile_uuid"].as_str().unwrap().to_string();
    assert!(is_profile_uuid(&uuid), "{uuid}");
    let again = api.call("POST", "/profile", Some(profile())).await.json();
    assert_ne!(
        again["profile_uuid"].as_str().unwrap(),
        uuid,
        "each define is a new profile"
    );

    let got = api
        .call("GET", &format!("/profile?profile_uuid={uuid}"), None)
        .await
        .json();
    assert_eq!(got["profile_uuid"], uuid.as_str());
    assert_eq!(got["profile_name"], "Sales iPads");
    assert_eq!(got["skip_setup_items"], profile()["skip_setup_items"]);

    // Only the keys Apple documents are accepted (a typo fails loudly).
    let mut typo = profile();
    typo["some_future_key"] = json!({"ignored": true});
    api.call("POST", "/profile", Some(typo))
        .await
        .assert_error(400, "MALFORMED_REQUEST_BODY");

    api.call("GET", "/profile", None)
        .await
        .assert_error(400, "PROFILE_UUID_REQUIRED");
    api.call(
        "GET",
        "/profile?profile_uuid=0000000000000000000000000000000F",
        None,
    )
    .await
    .assert_error(400, "NOT_FOUND");
}

#[tokio::test]
async fn define_validates_like_apple() {
    let sim = start(10).await;
    let mut api = Api::login(&sim, SERVER).await;
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut p = profile();
        edit(&mut p);
        p
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            with(&|p| {
                p.as_object_mut().unwrap().remove("profile_name");
            }),
            "CONFIG_NAME_REQUIRED",
        ),
        (
            with(&|p| p["profile_name"] = "".into()),
            "CONFIG_NAME_REQUIRED",
        ),
        (
            with(&|p| p["profile_name"] = "n".repeat(126).into()),
            "CONFIG_NAME_INVALID",
        ),
        (
            with(&|p| {
                p.as_object_mut().unwrap().remove("url");
            }),
            "CONFIG_URL_REQUIRED",
        ),
        (
            with(&|p| p["url"] = "not a url".into()),
            "CONFIG_URL_INVALID",
        ),
        (
            with(&|p| p["url"] = format!("https://a.example.com/{}", "x".repeat(2000)).into()),
            "CONFIG_URL_INVALID",
        ),
        (
            with(&|p| p["is_supervised"] = false.into()),
            "FLAGS_INVALID",
        ),
        (
            with(&|p| {
                p.as_object_mut().unwrap().remove("is_supervised");
            }),
            "FLAGS_INVALID",
        ),
        (with(&|p| p["org_magic"] = "".into()), "MAGIC_INVALID"),
        (
            with(&|p| p["department"] = "d".repeat(126).into()),
            "DEPARTMENT_INVALID",
        ),
        (
            with(&|p| p["support_email_address"] = "not-an-email".into()),
            "SUPPORT_EMAIL_INVALID",
        ),
        (
            with(&|p| p["support_phone_number"] = "phone me maybe".into()),
            "SUPPORT_PHONE_INVALID",
        ),
        (
            with(&|p| p["language"] = "English".into()),
            "LOCALE_INVALID",
        ),
        (
            with(&|p| p["is_mandatory"] = "yes".into()),
            "MALFORMED_REQUEST_BODY",
        ),
    ];
    for (body, code) in cases {
        api.call("POST", "/profile", Some(body.clone()))
            .await
            .assert_error(400, code);
    }
    let r = api.raw("POST", "/profile", None, Some("[]")).await;
    r.assert_error(400, "MALFORMED_REQUEST_BODY");
    // Removable MDM without supervision is fine.
    let ok = with(&|p| {
        p["is_supervised"] = false.into();
        p["is_mdm_removable"] = true.into();
    });
    assert_eq!(api.call("POST", "/profile", Some(ok)).await.status, 200);
}

fn statuses(v: &Value) -> BTreeMap<String, String> {
    v["devices"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn assign_statuses_status_transitions_and_sync() {
    let sim = start(20).await;
    let serials = sim.serials(SERVER, 0, 20).unwrap();
    let mut api = Api::login(&sim, SERVER).await;
    let (_, cursor, _) = api.fetch_all(100).await;
    let uuid = api.call("POST", "/profile", Some(profile())).await.json()["profile_uuid"]
        .as_str()
        .unwrap()
        .to_string();

    sim.update_faults(|f| {
        f.throttled_serials = vec![serials[1].clone()];
        f.failed_serials = vec![serials[2].clone()];
        f.retry_after_seconds = 1800;
    });
    let foreign = "C02ZZZZZZZZZ".to_string();
    let body =
        json!({ "profile_uuid": uuid, "devices": [serials[0], serials[1], serials[2], foreign] });
    let r = api.call("POST", "/profile/devices", Some(body)).await;
    assert_eq!(r.status, 200, "{r:?}");
    let out = r.json();
    assert_eq!(out["profile_uuid"], uuid.as_str());
    let st = statuses(&out);
    assert_eq!(st[&serials[0]], "SUCCESS");
    assert_eq!(st[&serials[1]], "THROTTLED");
    assert_eq!(st[&serials[2]], "FAILED");
    assert_eq!(st[&foreign], "NOT_ACCESSIBLE");
    assert_eq!(out["retry_after_seconds"], 1800);

    // PUT (legacy) is accepted too.
    sim.set_faults(Default::default());
    let r = api
        .call(
            "PUT",
            "/profile/devices",
            Some(json!({ "profile_uuid": uuid, "devices": [serials[3]] })),
        )
        .await
        .json();
    assert_eq!(statuses(&r)[&serials[3]], "SUCCESS");
    assert!(r.get("retry_after_seconds").is_none());

    let details = api
        .call(
            "POST",
            "/devices",
            Some(json!({ "devices": [serials[0], serials[4]] })),
        )
        .await
        .json();
    let d0 = &details["devices"][&serials[0]];
    assert_eq!(
        (
            &d0["profile_status"],
            &d0["profile_uuid"],
            &d0["response_status"]
        ),
        (&json!("assigned"), &json!(uuid), &json!("SUCCESS"))
    );
    assert_eq!(d0["profile_assign_time"], "2026-01-01T00:00:00Z");
    assert_eq!(details["devices"][&serials[4]]["profile_status"], "empty");

    // The simulated device runs Setup Assistant.
    assert_eq!(
        sim.set_up_devices(SERVER, &[serials[0].clone(), serials[4].clone()])
            .unwrap(),
        vec![serials[0].clone()]
    );
    let d0 = api
        .call("POST", "/devices", Some(json!({ "devices": [serials[0]] })))
        .await
        .json();
    assert_eq!(d0["devices"][&serials[0]]["profile_status"], "pushed");
    let direct = sim.device(SERVER, &serials[0], 10).unwrap().unwrap();
    assert_eq!(direct["profile_status"], "pushed");
    assert_eq!(sim.device(SERVER, "C02ZZZZZZZZZ", 10).unwrap(), None);
    let defined = sim.profiles(SERVER).unwrap();
    assert_eq!(defined.len(), 1);
    assert_eq!(defined[0]["profile_uuid"], uuid.as_str());
    assert!(d0["devices"][&serials[0]]["profile_push_time"].is_string());

    // Remove.
    let rm = api
        .call(
            "DELETE",
            "/profile/devices",
            Some(json!({ "devices": [serials[3], foreign] })),
        )
        .await
        .json();
    assert_eq!(statuses(&rm)[&serials[3]], "SUCCESS");
    assert_eq!(statuses(&rm)[&foreign], "NOT_ACCESSIBLE");
    let d3 = api
        .call("POST", "/devices", Some(json!({ "devices": [serials[3]] })))
        .await
        .json();
    assert_eq!(d3["devices"][&serials[3]]["profile_status"], "removed");
    assert!(d3["devices"][&serials[3]].get("profile_uuid").is_none());

    // Sync saw each change as `modified`.
    let s = api.sync(&cursor, 100).await.json();
    let ops: Vec<(String, String)> = s["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["serial_number"].as_str().unwrap().into(),
                d["op_type"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            (serials[0].clone(), "modified".into()),
            (serials[3].clone(), "modified".into()),
            (serials[0].clone(), "modified".into()),
            (serials[3].clone(), "modified".into()),
        ]
    );
}

#[tokio::test]
async fn define_with_devices_assigns_them() {
    let sim = start(5).await;
    let serials = sim.serials(SERVER, 0, 2).unwrap();
    let mut api = Api::login(&sim, SERVER).await;
    let mut p = profile();
    p["devices"] = json!([serials[0], serials[1]]);
    let r = api.call("POST", "/profile", Some(p)).await.json();
    assert!(is_profile_uuid(r["profile_uuid"].as_str().unwrap()));
    assert_eq!(statuses(&r).values().filter(|s| *s == "SUCCESS").count(), 2);
}

#[tokio::test]
async fn assign_request_errors() {
    let sim = start(5).await;
    let serial = sim.serials(SERVER, 0, 1).unwrap().remove(0);
    let mut api = Api::login(&sim, SERVER).await;
    let uuid = api.call("POST", "/profile", Some(profile())).await.json()["profile_uuid"]
        .as_str()
        .unwrap()
        .to_string();
    api.call(
        "POST",
        "/profile/devices",
        Some(json!({ "devices": [serial] })),
    )
    .await
    .assert_error(400, "PROFILE_UUID_REQUIRED");
    api.call(
        "POST",
        "/profile/devices",
        Some(json!({ "profile_uuid": uuid })),
    )
    .await
    .assert_error(400, "DEVICE_ID_REQUIRED");
    api.call(
        "POST",
        "/profile/devices",
        Some(json!({ "profile_uuid": uuid, "devices": [] })),
    )
    .await
    .assert_error(400, "DEVICE_ID_REQUIRED");
    api.call(
        "POST",
        "/profile/devices",
        Some(json!({ "profile_uuid": "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "devices": [serial] })),
    )
    .await
    .assert_error(404, "NOT_FOUND");
    let many: Vec<String> = (0..1001).map(|i| format!("X{i:011}")).collect();
    api.call(
        "POST",
        "/profile/devices",
        Some(json!({ "profile_uuid": uuid, "devices": many })),
    )
    .await
    .assert_error(400, "MALFORMED_REQUEST_BODY");
    let thousand: Vec<String> = (0..1000).map(|i| format!("X{i:011}")).collect();
    let r = api
        .call(
            "POST",
            "/profile/devices",
            Some(json!({ "profile_uuid": uuid, "devices": thousand })),
        )
        .await;
    assert_eq!(r.status, 200, "1000 serials is the maximum, not over it");
    api.call("DELETE", "/profile/devices", Some(json!({})))
        .await
        .assert_error(400, "DEVICE_ID_REQUIRED");
    api.call("POST", "/devices", Some(json!({ "devices": [] })))
        .await
        .assert_error(400, "DEVICE_ID_REQUIRED");
}

#[tokio::test]
async fn throttle_all_and_old_protocol_versions() {
    let sim = start(5).await;
    let serial = sim.serials(SERVER, 0, 1).unwrap().remove(0);
    let mut api = Api::login(&sim, SERVER).await;
    let uuid = api.call("POST", "/profile", Some(profile())).await.json()["profile_uuid"]
        .as_str()
        .unwrap()
        .to_string();
    sim.update_faults(|f| f.throttle_all = true);
    let body = json!({ "profile_uuid": uuid, "devices": [serial] });
    let r = api
        .call("POST", "/profile/devices", Some(body.clone()))
        .await
        .json();
    assert_eq!(statuses(&r)[&serial], "THROTTLED");
    assert_eq!(r["retry_after_seconds"], 3600);
    api.protocol_version = Some(9);
    let r = api
        .call("POST", "/profile/devices", Some(body.clone()))
        .await
        .json();
    assert_eq!(statuses(&r)[&serial], "THROTTLED");
    assert!(
        r.get("retry_after_seconds").is_none(),
        "retry_after_seconds is v10+"
    );
    api.protocol_version = Some(8);
    let r = api
        .call("POST", "/profile/devices", Some(body))
        .await
        .json();
    assert_eq!(statuses(&r)[&serial], "FAILED", "THROTTLED is v9+");
}

#[tokio::test]
async fn disown_releases_devices() {
    let sim = start(5).await;
    let serials = sim.serials(SERVER, 0, 5).unwrap();
    let mut api = Api::login(&sim, SERVER).await;
    let (_, cursor, _) = api.fetch_all(100).await;
    let r = api
        .call(
            "POST",
            "/devices/disown",
            Some(json!({ "devices": [serials[0], "C02ZZZZZZZZZ"] })),
        )
        .await
        .json();
    assert_eq!(r["devices"][&serials[0]], "SUCCESS");
    assert_eq!(r["devices"]["C02ZZZZZZZZZ"], "NOT_ACCESSIBLE");
    let again = api
        .call(
            "POST",
            "/devices/disown",
            Some(json!({ "devices": [serials[0]] })),
        )
        .await
        .json();
    assert_eq!(again["devices"][&serials[0]], "NOT_ACCESSIBLE");
    let s = api.sync(&cursor, 10).await.json();
    assert_eq!(s["devices"][0]["op_type"], "deleted");
    let (all, _, _) = api.fetch_all(100).await;
    assert_eq!(all.len(), 4);
}

#[tokio::test]
async fn replacement_details() {
    let sim = start(400).await;
    let mut api = Api::login(&sim, SERVER).await;
    let (all, _, _) = api.fetch_all(1000).await;
    let replacement = all
        .iter()
        .find(|d| d["is_replacement_device"] == true)
        .expect("about 1 in 64 devices is a replacement");
    let serial = replacement["serial_number"].as_str().unwrap();
    let r = api
        .call(
            "GET",
            &format!("/device/replacementDetails?device={serial}"),
            None,
        )
        .await
        .json();
    assert_eq!(r["serial_number"], serial);
    let original = r["original_device_serial_number"].as_str().unwrap();
    assert!(original != serial && (original.len() == 10 || original.len() == 12));
    let date = r["replacement_date"].as_str().unwrap();
    assert_eq!(date.len(), 10, "day precision: {date}");
    let normal = all
        .iter()
        .find(|d| d["is_replacement_device"] == false)
        .unwrap();
    api.call(
        "GET",
        &format!(
            "/device/replacementDetails?device={}",
            normal["serial_number"].as_str().unwrap()
        ),
        None,
    )
    .await
    .assert_error(404, "DEVICE_NOT_FOUND");
    api.call("GET", "/device/replacementDetails", None)
        .await
        .assert_error(400, "DEVICE_ID_REQUIRED");
}
