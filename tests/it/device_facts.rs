//! The protocol-10 device facts (issue 12): a sync against the simulator
//! stores IMEI, EID, MACs and replacement flags; search finds devices by
//! them; Apple's replacement details are asked once and kept; the CLI's
//! `devices show` lists them.

use std::process::Command;
use std::sync::Arc;

use depot_core::devices::DeviceQuery;
use depot_core::sync::{SyncKind, SyncRequest};
use depot_core::{CoreError, Depot, DepotOptions, FixedClock};
use depot_domain::{SerialNumber, TokenId};
use depot_sim::{ChangeBatch, ErrorBurst, Faults, RunningSim, ServerSpec, Simulator};
use serde_json::Value;

use crate::support::{TestWorkspace, depot_bin, stderr, stdout};

const NOW: i64 = 1_790_000_000;
const SERVER: &str = "Sales-East";
/// Enough devices for a few replacements (about 1 in 64) and every family.
const DEVICES: u32 = 300;

/// Every device as Apple's protocol-10 JSON shows it.
fn apple_devices(sim: &RunningSim) -> Vec<Value> {
    sim.serials(SERVER, 0, 10_000)
        .unwrap()
        .iter()
        .map(|s| sim.device(SERVER, s, 10).unwrap().unwrap())
        .collect()
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

async fn synced() -> (RunningSim, Arc<Depot>, TokenId, TestWorkspace) {
    let sim = Simulator::builder()
        .seed(33)
        .server(ServerSpec::new(SERVER, "Acme Corp", DEVICES))
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap();
    let ws = TestWorkspace::new();
    let clock = Arc::new(FixedClock::at(NOW));
    let depot = Arc::new(Depot::open(ws.path(), DepotOptions::for_tests(clock)).unwrap());
    let token = crate::support::add_simulator_token(&depot, &sim, SERVER, "a@acme.example").await;
    depot
        .sync_token(token, SyncRequest::manual(true), &|_| {})
        .await
        .unwrap();
    (sim, depot, token, ws)
}

fn search(depot: &Depot, text: &str) -> Vec<String> {
    let query = DeviceQuery {
        text: Some(text.into()),
        ..DeviceQuery::default()
    };
    depot
        .list_devices(&query, None, 500)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.serial)
        .collect()
}

fn replacement_calls(sim: &RunningSim) -> usize {
    sim.request_log()
        .iter()
        .filter(|r| r.path.starts_with("/device/replacementDetails"))
        .count()
}

#[tokio::test]
async fn a_sync_stores_the_facts_and_search_finds_devices_by_them() {
    let (sim, depot, token, _ws) = synced().await;
    let apple = apple_devices(&sim);
    let phone = apple
        .iter()
        .find(|d| d["imei"].is_array() && d["eid"].is_string())
        .expect("the simulator gives iPhones an IMEI and an EID");
    let serial = phone["serial_number"].as_str().unwrap();
    let detail = depot.device_detail(serial).unwrap();
    let facts = &detail.records[0].facts;
    let imei: Vec<String> = phone["imei"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(text)
        .collect();
    assert_eq!(facts.imei, imei);
    assert_eq!(facts.eid, text(&phone["eid"]));
    assert_eq!(facts.wifi_mac, text(&phone["wifi_mac_address"]));
    assert_eq!(facts.bluetooth_mac, text(&phone["bluetooth_mac_address"]));
    assert_eq!(facts.ethernet_mac, text(&phone["ethernet_mac_address"]));
    assert_eq!(
        facts.is_replacement,
        phone["is_replacement_device"].as_bool()
    );

    // Every device Apple sent facts for has them.
    let stored = depot.workspace().connect().unwrap();
    for d in &apple {
        let f = stored
            .device_facts(
                token,
                &SerialNumber::parse(d["serial_number"].as_str().unwrap()).unwrap(),
            )
            .unwrap();
        assert_eq!(f.wifi_mac, text(&d["wifi_mac_address"]));
    }

    // Search: the full IMEI, its first 6 digits, the EID, a MAC as Apple
    // writes it, without separators, in the other case, with dashes.
    let wifi = facts.wifi_mac.clone().unwrap();
    let bare: String = wifi.chars().filter(|c| *c != ':').collect();
    for word in [
        imei[0].clone(),
        imei[0][..6].to_owned(),
        facts.eid.clone().unwrap(),
        wifi.clone(),
        bare.to_ascii_uppercase(),
        bare.to_ascii_lowercase(),
        wifi.replace(':', "-"),
    ] {
        let found = search(&depot, &word);
        assert!(found.iter().any(|s| s == serial), "{word}: {found:?}");
    }
    assert_eq!(search(&depot, &wifi), [serial], "a full MAC is one device");

    // Deleted from Depot: no longer found.
    depot
        .delete_devices(token, &[SerialNumber::parse(serial).unwrap()])
        .unwrap();
    assert!(search(&depot, &imei[0]).is_empty());
    assert!(search(&depot, &bare).is_empty());
}

/// The identifier index holds exactly what the devices' identifiers call
/// for: after the full sync (its new devices indexed in one pass when the
/// fetch completes) and after a delta that adds, changes and releases
/// devices (indexed with its pages).
#[tokio::test]
async fn the_identifier_index_follows_the_full_sync_and_a_delta() {
    let (sim, depot, token, _ws) = synced().await;
    let differences = || {
        depot
            .workspace()
            .connect()
            .unwrap()
            .identifier_index_differences()
            .unwrap()
    };
    assert_eq!(differences(), Vec::<String>::new(), "after the full sync");

    let before = sim.serials(SERVER, 0, 10_000).unwrap();
    sim.apply_changes(
        SERVER,
        ChangeBatch {
            added: 30,
            modified: 30,
            released: 30,
            set_up: 0,
        },
    )
    .unwrap();
    let delta = depot
        .sync_token(
            token,
            SyncRequest {
                ignore_pacing: true,
                ..SyncRequest::manual(false)
            },
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(delta.kind, SyncKind::Delta);
    assert_eq!(differences(), Vec::<String>::new(), "after the delta");
    let added = apple_devices(&sim)
        .into_iter()
        .find(|d| {
            d["imei"].is_array()
                && !before
                    .iter()
                    .any(|s| d["serial_number"].as_str() == Some(s.as_str()))
        })
        .expect("the delta adds a phone");
    let imei = added["imei"][0].as_str().unwrap();
    assert_eq!(
        search(&depot, imei),
        [added["serial_number"].as_str().unwrap()]
    );
}

#[tokio::test]
async fn replacement_details_are_asked_once_and_kept() {
    let (sim, depot, token, _ws) = synced().await;
    let apple = apple_devices(&sim);
    let replacement = apple
        .iter()
        .find(|d| d["is_replacement_device"] == true)
        .expect("about 1 in 64 devices is a replacement");
    let serial = replacement["serial_number"].as_str().unwrap();
    let plain = apple
        .iter()
        .find(|d| d["is_replacement_device"] == false)
        .unwrap()["serial_number"]
        .as_str()
        .unwrap();

    // Apple out of reach: a clear error, nothing kept.
    sim.set_faults(Faults {
        errors: vec![ErrorBurst {
            path: Some("/device/replacementDetails".into()),
            ..ErrorBurst::new(500, 10)
        }],
        ..Faults::default()
    });
    let err = depot.device_replacement(token, serial).await.unwrap_err();
    assert!(matches!(err, CoreError::Apple(_)), "{err:?}");
    assert!(
        depot.device_detail(serial).unwrap().records[0]
            .replacement
            .is_none()
    );
    sim.set_faults(Faults::default());

    sim.clear_request_log();
    let answer = depot.device_replacement(token, serial).await.unwrap();
    let original = answer.original_serial.clone().expect("Apple names it");
    assert_ne!(original, serial);
    let day = answer.replaced_on.clone().unwrap();
    assert!(
        day.len() == 10 && day.as_bytes()[4] == b'-' && day.as_bytes()[7] == b'-',
        "{day}"
    );
    // Kept: the detail shows it and Apple is not asked again.
    assert_eq!(
        depot.device_detail(serial).unwrap().records[0].replacement,
        Some(answer.clone())
    );
    assert_eq!(
        depot.device_replacement(token, serial).await.unwrap(),
        answer
    );
    assert_eq!(replacement_calls(&sim), 1);

    // A device Apple does not mark as a replacement is not asked about.
    let err = depot.device_replacement(token, plain).await.unwrap_err();
    assert!(matches!(err, CoreError::InvalidInput { .. }), "{err:?}");
    assert_eq!(replacement_calls(&sim), 1);
}

/// `depot devices show` and `--search` through the CLI binary (wall clock,
/// so the simulator runs on real time).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_show_lists_the_facts_and_the_replaced_device() {
    let sim = Simulator::builder()
        .seed(33)
        .server(ServerSpec::new(SERVER, "Acme Corp", DEVICES))
        .start()
        .await
        .unwrap();
    let home = TestWorkspace::new();
    let run = |args: &[&str]| {
        let out = Command::new(depot_bin())
            .arg("--workspace")
            .arg(home.path().join("ws"))
            .args(args)
            .env_remove("DEPOT_WORKSPACE")
            .env("DEPOT_ALLOW_TEST_APPLE_URL", "1")
            .env("HOME", home.path())
            .env("DEPOT_KEY_FILE", home.path().join("workspace.key"))
            .output()
            .unwrap();
        assert!(out.status.success(), "depot {args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let pem_path = home.path().join("depot.pem").display().to_string();
    run(&["token", "keygen", "--out", &pem_path]);
    let pem = std::fs::read_to_string(&pem_path).unwrap();
    let p7m_path = home.path().join("t.p7m").display().to_string();
    std::fs::write(&p7m_path, sim.issue_token(SERVER, pem.as_bytes()).unwrap()).unwrap();
    run(&[
        "token",
        "add",
        "--p7m",
        &p7m_path,
        "--apple-id",
        "a@acme.example",
        "--apple-url",
        sim.base_url(),
    ]);
    run(&["sync", SERVER]);

    let apple = apple_devices(&sim);
    let phone = apple
        .iter()
        .find(|d| d["imei"].is_array() && d["is_replacement_device"] == false)
        .unwrap();
    let serial = phone["serial_number"].as_str().unwrap();
    let imei = phone["imei"][0].as_str().unwrap();
    let wifi = phone["wifi_mac_address"].as_str().unwrap();
    let shown = run(&["devices", "show", serial]);
    assert!(shown.contains(&format!("IMEI:     {imei}")), "{shown}");
    assert!(shown.contains(&format!("Wi-Fi MAC:     {wifi}")), "{shown}");
    assert!(!shown.contains("Replacement device"), "{shown}");
    let found = run(&["devices", "list", "--search", &imei[..8]]);
    assert!(found.contains(serial), "{found}");

    let replacement = apple
        .iter()
        .find(|d| d["is_replacement_device"] == true)
        .unwrap()["serial_number"]
        .as_str()
        .unwrap();
    let shown = run(&["devices", "show", replacement]);
    let line = shown
        .lines()
        .find(|l| l.starts_with("Replacement device: replaced "))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(line.contains(" on "), "{line}");
    let json: Value =
        serde_json::from_str(&run(&["--json", "devices", "show", replacement])).unwrap();
    let kept = &json["records"][0]["facts"]["replacement"];
    assert!(
        line.contains(kept["originalSerial"].as_str().unwrap()),
        "{json}"
    );
    assert_eq!(replacement_calls(&sim), 1, "asked once, then kept");
}
