//! Spec §3.3: fetch and sync, limits and every cursor rule.

use std::collections::HashSet;
use std::time::Duration;

use depot_sim::{ChangeBatch, LimitPolicy, ServerSpec};
use serde_json::{Value, json};

use crate::support::*;

async fn fetch(api: &mut Api, body: Value) -> Resp {
    api.call("POST", "/server/devices", Some(body)).await
}

#[tokio::test]
async fn fetch_pages_default_limit_order_and_no_op_type() {
    let sim = start(250).await;
    let mut api = Api::login(&sim, SERVER).await;
    let first = fetch(&mut api, json!({})).await.json();
    let devices = first["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 100, "default limit is 100");
    assert_eq!(first["more_to_follow"], true);
    assert!(first["fetched_until"].is_string());
    for d in devices {
        assert!(
            d.get("op_type").is_none() && d.get("op_date").is_none(),
            "{d}"
        );
        assert_eq!(d["profile_status"], "empty");
    }
    let (all, _, pages) = api.fetch_all(100).await;
    assert_eq!((all.len(), pages), (250, 3));
    let dates: Vec<&str> = all
        .iter()
        .map(|d| d["device_assigned_date"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "ordered by op time");
    let unique: HashSet<String> = serials_of(&all).into_iter().collect();
    assert_eq!(unique.len(), 250);
}

#[tokio::test]
async fn limit_is_clamped_or_rejected() {
    let sim = start(1500).await;
    let mut api = Api::login(&sim, SERVER).await;
    let page = fetch(&mut api, json!({ "limit": 5000 })).await.json();
    assert_eq!(
        page["devices"].as_array().unwrap().len(),
        1000,
        "clamped to 1000"
    );
    for bad in [
        json!({ "limit": 0 }),
        json!({ "limit": -3 }),
        json!({ "limit": "ten" }),
    ] {
        fetch(&mut api, bad)
            .await
            .assert_error(400, "MALFORMED_REQUEST_BODY");
    }
    let r = api
        .raw("POST", "/server/devices", None, Some("{not json"))
        .await;
    r.assert_error(400, "MALFORMED_REQUEST_BODY");

    let strict = builder(1500)
        .limit_policy(LimitPolicy::Reject)
        .start()
        .await
        .unwrap();
    let mut api = Api::login(&strict, SERVER).await;
    fetch(&mut api, json!({ "limit": 1001 }))
        .await
        .assert_error(400, "MALFORMED_REQUEST_BODY");
    let ok = fetch(&mut api, json!({ "limit": 1000 })).await.json();
    assert_eq!(ok["devices"].as_array().unwrap().len(), 1000);
}

#[tokio::test]
async fn consumed_fetch_cursor_is_exhausted_and_pages_replay() {
    let sim = start(30).await;
    let mut api = Api::login(&sim, SERVER).await;
    let p1 = fetch(&mut api, json!({ "limit": 10 })).await.json();
    let c1 = p1["cursor"].as_str().unwrap().to_string();
    let p2 = fetch(&mut api, json!({ "limit": 10, "cursor": c1 }))
        .await
        .json();
    let p2_again = fetch(&mut api, json!({ "limit": 10, "cursor": c1 }))
        .await
        .json();
    assert_eq!(
        p2["devices"], p2_again["devices"],
        "a page cursor can be replayed"
    );
    let (_, last, _) = api.fetch_all(10).await;
    fetch(&mut api, json!({ "cursor": last }))
        .await
        .assert_error(400, "EXHAUSTED_CURSOR");
    // The consumed cursor is the starting point for sync.
    let s = api.sync(&last, 100).await.json();
    assert_eq!(s["devices"], json!([]));
    assert_eq!(s["more_to_follow"], false);
    // A sync cursor is not a fetch cursor either.
    let sc = s["cursor"].as_str().unwrap().to_string();
    fetch(&mut api, json!({ "cursor": sc }))
        .await
        .assert_error(400, "EXHAUSTED_CURSOR");
}

#[tokio::test]
async fn sync_cursor_required_invalid_and_foreign() {
    let sim = builder(10)
        .server(ServerSpec::new("Other", "Other Org", 10))
        .start()
        .await
        .unwrap();
    let mut api = Api::login(&sim, SERVER).await;
    for body in [json!({}), json!({ "cursor": "" }), json!({ "limit": 5 })] {
        api.call("POST", "/devices/sync", Some(body))
            .await
            .assert_error(400, "CURSOR_REQUIRED");
    }
    for garbage in ["garbage", "MTY1NzE0NzA5My0x", "!!!!"] {
        api.sync(garbage, 10)
            .await
            .assert_error(400, "INVALID_CURSOR");
        fetch(&mut api, json!({ "cursor": garbage }))
            .await
            .assert_error(400, "INVALID_CURSOR");
    }
    let (_, cursor, _) = api.fetch_all(100).await;
    // Tamper with one character of the decoded payload.
    let raw = openssl::base64::decode_block(&cursor).unwrap();
    let mut tampered = raw.clone();
    tampered[2] = if tampered[2] == b'9' { b'8' } else { b'9' };
    let tampered = openssl::base64::encode_block(&tampered);
    api.sync(&tampered, 10)
        .await
        .assert_error(400, "INVALID_CURSOR");
    // Another server's cursor is not valid here.
    let mut other = Api::login(&sim, "Other").await;
    other
        .sync(&cursor, 10)
        .await
        .assert_error(400, "INVALID_CURSOR");
}

#[tokio::test]
async fn sync_reports_added_modified_deleted_since_cursor() {
    let sim = start(40).await;
    let mut api = Api::login(&sim, SERVER).await;
    let (_, cursor, _) = api.fetch_all(1000).await;
    sim.advance_clock(Duration::from_secs(600));
    let report = sim
        .apply_changes(
            SERVER,
            ChangeBatch {
                added: 3,
                modified: 2,
                released: 1,
                set_up: 0,
            },
        )
        .unwrap();
    assert_eq!(
        (
            report.added.len(),
            report.modified.len(),
            report.released.len()
        ),
        (3, 2, 1)
    );
    let mut seen = Vec::new();
    let mut c = cursor.clone();
    loop {
        let page = api.sync(&c, 2).await.json();
        let devices = page["devices"].as_array().unwrap();
        assert!(devices.len() <= 2);
        seen.extend(devices.iter().cloned());
        c = page["cursor"].as_str().unwrap().to_string();
        if !page["more_to_follow"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(seen.len(), 6);
    let by_op = |op: &str| -> Vec<String> {
        let picked: Vec<Value> = seen
            .iter()
            .filter(|d| d["op_type"] == op)
            .cloned()
            .collect();
        serials_of(&picked)
    };
    assert_eq!(by_op("added"), report.added);
    assert_eq!(by_op("deleted"), report.released);
    let mut modified = by_op("modified");
    let mut expected = report.modified.clone();
    modified.sort();
    expected.sort();
    assert_eq!(modified, expected);
    let now = "2026-01-01T00:10:00Z";
    for d in &seen {
        assert_eq!(d["op_date"], now, "{d}");
        if d["op_type"] == "added" {
            assert_eq!(
                d["device_assigned_date"], now,
                "op_date equals device_assigned_date"
            );
        }
        if d["op_type"] == "deleted" {
            assert_eq!(d["released_by_replacement"], false);
        }
    }
    // Nothing new since the last cursor.
    let empty = api.sync(&c, 100).await.json();
    assert_eq!(
        (empty["devices"].clone(), empty["more_to_follow"].clone()),
        (json!([]), json!(false))
    );
    // A full fetch reflects the changes.
    let (all, _, _) = api.fetch_all(1000).await;
    let serials: HashSet<String> = serials_of(&all).into_iter().collect();
    assert_eq!(all.len(), 42);
    assert!(report.added.iter().all(|s| serials.contains(s)));
    assert!(!serials.contains(&report.released[0]));
    // Syncing again from the old cursor repeats the same history.
    let replay = api.sync(&cursor, 1000).await.json();
    assert_eq!(replay["devices"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn cursors_expire_after_seven_simulated_days() {
    let sim = start(10).await;
    let mut api = Api::login(&sim, SERVER).await;
    let (_, cursor, _) = api.fetch_all(100).await;
    sim.advance_clock(Duration::from_secs(6 * 24 * 3600));
    let mut api = Api::login(&sim, SERVER).await;
    let fresh = api.sync(&cursor, 10).await.json()["cursor"]
        .as_str()
        .unwrap()
        .to_string();
    sim.advance_clock(Duration::from_secs(24 * 3600 + 1));
    let mut api = Api::login(&sim, SERVER).await;
    api.sync(&cursor, 10)
        .await
        .assert_error(400, "EXPIRED_CURSOR");
    // The cursor handed out on day 6 is only one day old.
    let newer = api.sync(&fresh, 10).await;
    assert_eq!(newer.status, 200);
    let newest = newer.json()["cursor"].as_str().unwrap().to_string();
    sim.expire_cursors();
    api.sync(&newest, 10)
        .await
        .assert_error(400, "EXPIRED_CURSOR");
}

#[tokio::test]
async fn echoed_cursor_fault_loops_forever() {
    let sim = start(10).await;
    let mut api = Api::login(&sim, SERVER).await;
    let first = fetch(&mut api, json!({ "limit": 5 })).await.json();
    let c = first["cursor"].as_str().unwrap().to_string();
    sim.update_faults(|f| f.echo_cursor = true);
    for _ in 0..5 {
        let p = fetch(&mut api, json!({ "limit": 5, "cursor": c }))
            .await
            .json();
        assert_eq!(
            (p["cursor"].as_str().unwrap(), &p["more_to_follow"]),
            (c.as_str(), &json!(true))
        );
        assert_eq!(p["devices"], json!([]));
        let s = api.sync(&c, 5).await.json();
        assert_eq!(
            (s["cursor"].as_str().unwrap(), &s["more_to_follow"]),
            (c.as_str(), &json!(true))
        );
    }
}

#[tokio::test]
async fn device_shape_follows_protocol_version() {
    let sim = start(300).await;
    let mut api = Api::login(&sim, SERVER).await;
    let page = fetch(&mut api, json!({ "limit": 300 })).await.json();
    let devices = page["devices"].as_array().unwrap();
    let families: HashSet<&str> = devices
        .iter()
        .map(|d| d["device_family"].as_str().unwrap())
        .collect();
    assert_eq!(families.len(), 5, "{families:?}");
    for d in devices {
        let serial = d["serial_number"].as_str().unwrap();
        assert!(serial.len() == 10 || serial.len() == 12, "{serial}");
        for k in [
            "model",
            "description",
            "color",
            "device_assigned_by",
            "os",
            "wifi_mac_address",
        ] {
            assert!(d[k].as_str().is_some_and(|v| !v.is_empty()), "{k} in {d}");
        }
        assert!(d["is_replacement_device"].is_boolean());
        let os_ok = match d["device_family"].as_str().unwrap() {
            "iPhone" => d["os"] == "iOS",
            "iPad" => d["os"] == "iPadOS",
            "Mac" => d["os"] == "OSX",
            "AppleTV" => d["os"] == "tvOS",
            "Vision" => d["os"] == "visionOS",
            _ => false,
        };
        assert!(os_ok, "{d}");
        assert!(d["device_assigned_date"].as_str().unwrap().ends_with('Z'));
    }
    api.protocol_version = Some(5);
    let v5 = fetch(&mut api, json!({ "limit": 300 })).await.json();
    assert!(
        v5["devices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["os"] != "iPadOS" && d.get("wifi_mac_address").is_none())
    );
    api.protocol_version = None;
    let v1 = fetch(&mut api, json!({ "limit": 300 })).await.json();
    assert!(
        v1["devices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d.get("os").is_none() && d.get("device_family").is_none())
    );
}

#[tokio::test]
async fn large_servers_serve_pages_without_building_everything() {
    let sim = start(250_000).await;
    let mut api = Api::login(&sim, SERVER).await;
    let page = fetch(&mut api, json!({ "limit": 1000 })).await.json();
    assert_eq!(page["devices"].as_array().unwrap().len(), 1000);
    assert_eq!(page["more_to_follow"], true);
    let summary = &sim.servers()[0];
    assert_eq!(summary.devices_assigned, 250_000);
    // The far end of the catalogue is addressable too.
    let tail = sim.serials(SERVER, 249_999, 5).unwrap();
    assert_eq!(tail.len(), 1);
    let d = api
        .call("POST", "/devices", Some(json!({ "devices": tail })))
        .await
        .json();
    assert_eq!(d["devices"][&tail[0]]["response_status"], "SUCCESS");
}
