//! The loopback control API and the `depot-sim` binary.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use depot_sim::ChangeBatch;
use serde_json::{Value, json};

use crate::support::*;

/// One control call with the run's token.
async fn control(sim: &Sim<'_>, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = http()
        .request(method, format!("{}/control{path}", sim.base))
        .bearer_auth(sim.token);
    if let Some(b) = body {
        rb = rb.body(b.to_string());
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// Where a simulator listens and its control token.
struct Sim<'a> {
    base: &'a str,
    token: &'a str,
}

/// Sends `request` (raw HTTP/1.1) to the simulator at `base` and returns the
/// status and body: headers exactly as written, Host included.
fn raw(base: &str, request: &str) -> (u16, String) {
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

// Multi-threaded: `raw` blocks on a std socket while the simulator answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_control_api_needs_the_runs_token_and_a_loopback_host() {
    let sim = builder(3).start().await.unwrap();
    let other = builder(3).start().await.unwrap();
    assert_eq!(sim.control_token().len(), 64);
    assert_ne!(sim.control_token(), other.control_token(), "random per run");
    let base = sim.base_url().to_string();
    let port = base.rsplit(':').next().unwrap().to_string();

    // Without the token, or with another run's: refused, nothing changed.
    let r = http()
        .post(format!("{base}/control/clock/advance"))
        .body(r#"{"seconds": 86400}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.text().await.unwrap().contains("Authorization: Bearer"));
    for token in [other.control_token(), "", "x"] {
        let r = http()
            .post(format!("{base}/control/clock/advance"))
            .bearer_auth(token)
            .body(r#"{"seconds": 86400}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "token {token:?}");
    }
    assert_eq!(sim.now_ms(), T0_MS, "the clock did not move");

    // The right token from a loopback Host works, by any loopback name.
    let token = sim.control_token();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "[::1]".to_string(),
    ] {
        let (status, body) = raw(
            &base,
            &format!(
                "GET /control/clock HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
            ),
        );
        assert_eq!(status, 200, "{host}: {body}");
    }
    // A page that rebinds its own name to 127.0.0.1 sends its own Host:
    // refused even with the token, and for Apple's endpoints and the portal.
    for (path, host) in [
        ("/control/clock", format!("evil.example:{port}")),
        ("/control/clock", format!("127.0.0.1.evil.example:{port}")),
        ("/control/clock", format!("localhost:{port}x")),
        ("/account", format!("evil.example:{port}")),
        ("/portal/servers", "evil.example".to_string()),
    ] {
        let (status, body) = raw(
            &base,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
            ),
        );
        assert_eq!(status, 403, "{path} for {host}: {body}");
        assert!(body.contains("127.0.0.1, localhost or [::1]"), "{body}");
    }
    let (status, _) = raw(
        &base,
        "GET /control/clock HTTP/1.0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 403, "no Host at all");

    // A fixed token from the builder (what an in-process owner may choose).
    let fixed = builder(1)
        .control_token("fixed-token")
        .start()
        .await
        .unwrap();
    assert_eq!(fixed.control_token(), "fixed-token");
    let me = Sim {
        base: fixed.base_url(),
        token: "fixed-token",
    };
    assert_eq!(control(&me, "GET", "/clock", None).await.0, 200);
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
    let base = Sim {
        base: sim.base_url(),
        token: sim.control_token(),
    };

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
    // The printed control token drives it; none does not.
    let token = info["control_token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    let me = Sim {
        base: &base,
        token: &token,
    };
    let (status, servers) = control(&me, "GET", "/servers", None).await;
    assert_eq!((status, servers.as_array().unwrap().len()), (200, 2));
    let wrong = Sim {
        base: &base,
        token: "guess",
    };
    assert_eq!(control(&wrong, "GET", "/servers", None).await.0, 401);

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
