//! The loopback control API and the `depot-sim` binary.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use depot_sim::ChangeBatch;
use serde_json::{Value, json};

use crate::support::*;

async fn control(sim_base: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = http().request(method, format!("{sim_base}/control{path}"));
    if let Some(b) = body {
        rb = rb.body(b.to_string());
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn control_api_drives_the_simulator() {
    let sim = builder(10)
        .script([ChangeBatch {
            added: 2,
            ..ChangeBatch::default()
        }])
        .start()
        .await
        .unwrap();
    let base = sim.base_url().to_string();

    let (s, servers) = control(&base, "GET", "/servers", None).await;
    assert_eq!(
        (
            s,
            servers[0]["name"].clone(),
            servers[0]["devices_assigned"].clone()
        ),
        (200, json!(SERVER), json!(10))
    );
    let (_, creds) = control(
        &base,
        "GET",
        &format!("/servers/{SERVER}/credentials"),
        None,
    )
    .await;
    assert_eq!(
        creds["consumer_key"],
        sim.credentials(SERVER).unwrap().consumer_key
    );

    // A minted session works without OAuth.
    let (_, minted) = control(&base, "POST", &format!("/servers/{SERVER}/session"), None).await;
    let mut api = Api::new(&sim);
    api.session = Some(minted["auth_session_token"].as_str().unwrap().to_string());
    let (_, cursor, _) = api.fetch_all(100).await;

    let (_, applied) = control(
        &base,
        "POST",
        "/changes",
        Some(json!({ "server": SERVER, "added": 1, "released": 1 })),
    )
    .await;
    assert_eq!(applied["added"].as_array().unwrap().len(), 1);
    let (_, stepped) = control(&base, "POST", "/advance", None).await;
    assert_eq!(stepped[0]["added"].as_array().unwrap().len(), 2);
    let (_, none_left) = control(&base, "POST", "/advance", None).await;
    assert_eq!(none_left, json!([]));
    let s = api.sync(&cursor, 100).await.json();
    assert_eq!(s["devices"].as_array().unwrap().len(), 4);

    let (_, clock) = control(&base, "GET", "/clock", None).await;
    assert_eq!(clock["now"], "2026-01-01T00:00:00Z");
    let (_, clock) = control(
        &base,
        "POST",
        "/clock/advance",
        Some(json!({ "seconds": 8 * 86400 })),
    )
    .await;
    assert_eq!(clock["now"], "2026-01-09T00:00:00Z");
    let (_, clock) = control(
        &base,
        "PUT",
        "/clock",
        Some(json!({ "now": "2026-01-02T00:00:00Z" })),
    )
    .await;
    assert_eq!(clock["now_ms"], T0_MS + 86_400_000);

    let (s, faults) = control(
        &base,
        "PUT",
        "/faults",
        Some(json!({ "errors": [{ "status": 503, "count": 1 }], "latency_ms": 0 })),
    )
    .await;
    assert_eq!(
        (s, faults["errors"][0]["status"].clone()),
        (200, json!(503))
    );
    api.call("GET", "/account", None)
        .await
        .assert_error(503, "SERVER_ERROR");
    let (s, _) = control(
        &base,
        "PUT",
        "/faults",
        Some(json!({ "no_such_switch": true })),
    )
    .await;
    assert_eq!(s, 400);

    control(&base, "POST", "/cursors/expire", None).await;
    let (_, _) = control(&base, "POST", "/sessions/expire", None).await;
    api.call("GET", "/account", None)
        .await
        .assert_error(401, "UNAUTHORIZED");
    let mut api = Api::login(&sim, SERVER).await;
    api.sync(&cursor, 10)
        .await
        .assert_error(400, "EXPIRED_CURSOR");

    let (_, log) = control(&base, "GET", "/log", None).await;
    let paths: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.iter().all(|p| !p.starts_with("/control")),
        "control calls are not logged: {paths:?}"
    );
    assert!(paths.contains(&"/devices/sync"));
    control(&base, "DELETE", "/log", None).await;
    assert!(sim.request_log().is_empty());
    let (s, _) = control(&base, "GET", "/nope", None).await;
    assert_eq!(s, 404);
}

#[test]
fn help_documents_flags_and_control_calls() {
    let out = Command::new(env!("CARGO_BIN_EXE_depot-sim"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "--port",
        "--seed",
        "--servers",
        "--devices",
        "--quoted-errors",
        "--session-ttl-secs",
        "--fail-next",
        "--latency-ms",
        "--t-c-not-signed",
        "--access-denied",
        "--echo-cursor",
        "--throttle",
        "--fail-serial",
        "--drop-next",
        "--expire-sessions-after",
        "--script-step",
        "/control/faults",
        "/control/clock/advance",
        "/control/changes",
        "/control/log",
        "/portal/servers/{name}/token",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
}

/// The binary starts, prints its URL and credentials, and applies fault flags.
#[tokio::test]
async fn binary_serves_with_flags() {
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_depot-sim"))
            .args([
                "--json",
                "--seed",
                "3",
                "--devices",
                "7",
                "--servers",
                "2",
                "--clock-start",
                "2026-01-01T00:00:00Z",
                "--frozen-clock",
                "--quoted-errors",
                "--fail-next",
                "503:1:/account",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap();
    let base = info["base_url"].as_str().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert_eq!(info["servers"].as_array().unwrap().len(), 2);
    let creds: depot_sim::Credentials =
        serde_json::from_value(info["servers"][0]["credentials"].clone()).unwrap();

    let mut api = Api {
        http: http(),
        base: base.clone(),
        session: None,
        protocol_version: Some(10),
        user_agent: Some(UA.into()),
    };
    let r = api
        .session_call(&creds, 1_767_225_600, &fresh_nonce())
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    api.session = Some(r.json()["auth_session_token"].as_str().unwrap().to_string());
    let r = api.call("GET", "/account", None).await;
    assert_eq!((r.status, r.text.as_str()), (503, "\"SERVER_ERROR\""));
    assert_eq!(
        api.call("GET", "/account", None).await.json()["server_name"],
        "sim-server-1"
    );
    let (devices, _, _) = api.fetch_all(100).await;
    assert_eq!(devices.len(), 7);
    drop(child);
}

/// Stops the spawned simulator even when an assertion fails first.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A restart on the same port with the same seed: old sessions are unknown
/// (403 FORBIDDEN), credentials and cursors still verify.
#[tokio::test]
async fn restart_on_a_fixed_port() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let sim = builder(12).port(port).start().await.unwrap();
    assert_eq!(sim.base_url(), format!("http://127.0.0.1:{port}"));
    let mut api = Api::login(&sim, SERVER).await;
    let (_, cursor, _) = api.fetch_all(100).await;
    sim.shutdown().await;

    let sim = builder(12).port(port).start().await.unwrap();
    api.http = http();
    api.call("GET", "/account", None)
        .await
        .assert_error(403, "FORBIDDEN");
    let mut api = Api::login(&sim, SERVER).await;
    let s = api.sync(&cursor, 10).await;
    assert_eq!(s.status, 200, "{s:?}");
    // Scripted steps through the library.
    drop(sim);
    let sim = builder(12)
        .script([ChangeBatch {
            released: 2,
            ..ChangeBatch::default()
        }])
        .start()
        .await
        .unwrap();
    let reports = sim.advance();
    assert_eq!(reports[0].released.len(), 2);
    assert!(sim.advance().is_empty());
    assert_eq!(sim.serials(SERVER, 0, 100).unwrap().len(), 10);
}
