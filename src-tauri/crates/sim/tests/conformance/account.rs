//! Spec §3.2 `GET /account`, and many servers/orgs in one simulator.

use depot_sim::ServerSpec;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn account_detail_fields() {
    let sim = start(5).await;
    let mut api = Api::login(&sim, SERVER).await;
    let a = api.call("GET", "/account", None).await.json();
    assert_eq!(a["server_name"], SERVER);
    assert_eq!(a["org_name"], "Acme Corp");
    let uuid = a["server_uuid"].as_str().unwrap();
    assert_eq!(uuid.len(), 32);
    assert!(
        uuid.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
    );
    for k in [
        "admin_id",
        "facilitator_id",
        "org_email",
        "org_phone",
        "org_address",
        "org_id",
        "org_id_hash",
    ] {
        assert!(a[k].as_str().is_some_and(|v| !v.is_empty()), "{k}: {a}");
    }
    assert_eq!(a["org_type"], "org");
    let urls = a["urls"].as_array().unwrap();
    let fetch = urls.iter().find(|u| u["uri"] == "/server/devices").unwrap();
    assert_eq!(fetch["limit"], json!({"default": 100, "maximum": 1000}));
    let assign = urls
        .iter()
        .find(|u| u["uri"] == "/profile/devices")
        .unwrap();
    assert_eq!(assign["http_method"], json!(["DELETE", "POST", "PUT"]));

    // Protocol version 1 (no header): no v3 fields.
    api.protocol_version = None;
    let a1 = api.call("GET", "/account", None).await.json();
    assert!(
        a1.get("org_id").is_none() && a1.get("urls").is_none(),
        "{a1}"
    );
    assert_eq!(a1["server_uuid"], a["server_uuid"]);
}

#[tokio::test]
async fn many_servers_and_orgs_are_isolated() {
    let sim = builder(20)
        .server(ServerSpec::new("Sales-West", "Acme Corp", 7))
        .server(ServerSpec::new("Campus", "Springfield Schools", 3))
        .start()
        .await
        .unwrap();
    let names = ["Sales-East", "Sales-West", "Campus"];
    let mut keys = Vec::new();
    let mut all_serials = Vec::new();
    for (name, count) in names.iter().zip([20usize, 7, 3]) {
        let creds = sim.credentials(name).unwrap();
        keys.push(creds.consumer_key.clone());
        let mut api = Api::login(&sim, name).await;
        let a = api.call("GET", "/account", None).await.json();
        assert_eq!(a["server_name"], *name);
        let (devices, _, _) = api.fetch_all(1000).await;
        assert_eq!(devices.len(), count);
        all_serials.extend(serials_of(&devices));
    }
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 3, "each server has its own credentials");
    let before = all_serials.len();
    all_serials.sort();
    all_serials.dedup();
    assert_eq!(
        all_serials.len(),
        before,
        "serials are unique across servers"
    );

    // One server's session cannot see another server's devices.
    let mut campus = Api::login(&sim, "Campus").await;
    let east_serial = sim.serials("Sales-East", 0, 1).unwrap().remove(0);
    let r = campus
        .call(
            "POST",
            "/devices",
            Some(json!({ "devices": [east_serial.clone()] })),
        )
        .await
        .json();
    assert_eq!(
        r["devices"][&east_serial]["response_status"],
        "NOT_ACCESSIBLE"
    );
    let campus_org = campus.call("GET", "/account", None).await.json();
    assert_eq!(campus_org["org_name"], "Springfield Schools");
}

#[tokio::test]
async fn same_seed_same_world() {
    let a = start(50).await;
    let b = start(50).await;
    assert_eq!(a.credentials(SERVER), b.credentials(SERVER));
    assert_eq!(
        a.serials(SERVER, 0, 50).unwrap(),
        b.serials(SERVER, 0, 50).unwrap()
    );
    let c = builder(50).seed(8).start().await.unwrap();
    assert_ne!(
        a.serials(SERVER, 0, 50).unwrap(),
        c.serials(SERVER, 0, 50).unwrap()
    );
}
