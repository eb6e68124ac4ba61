//! A clean stop of `depot serve` (issue 14): SIGTERM while a full sync of a
//! large fleet runs and a browser's event stream is open. The page group in
//! flight commits, the sync ends as cancelled, the event stream ends, the
//! process exits 0; the next sync picks up where it stopped.

use std::ffi::OsStr;
use std::process::{Command, Output};
use std::time::Duration;

use depot_sim::{ServerSpec, Simulator};
use serde_json::{Value, json};

use crate::server::{rpc, start_with_env};
use crate::support::{TestWorkspace, depot_bin, stderr};

const DEVICES: u32 = 40_000;

fn cli(home: &TestWorkspace, args: &[&str], input: Option<&str>) -> Output {
    let mut cmd = Command::new(depot_bin());
    cmd.arg("--workspace")
        .arg(home.path().join("ws"))
        .args(args)
        .env_remove("DEPOT_WORKSPACE")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("DEPOT_KEY_FILE", home.path().join("workspace.key"))
        .env("DEPOT_ALLOW_TEST_APPLE_URL", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = input {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "depot {args:?}: {}", stderr(&out));
    out
}

fn devices_in(home: &TestWorkspace) -> i64 {
    rusqlite::Connection::open(home.path().join("ws/depot.sqlite"))
        .unwrap()
        .query_row("SELECT COUNT(*) FROM devices", [], |r| r.get(0))
        .unwrap()
}

// The simulator answers on the runtime's other thread while the CLI runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_page_group_in_flight_commit_and_exits_cleanly() {
    let sim = Simulator::builder()
        .seed(31)
        .server(ServerSpec::new("Fleet", "Acme Corp", DEVICES))
        .start()
        .await
        .unwrap();
    let home = TestWorkspace::new();
    cli(
        &home,
        &[
            "users",
            "add",
            "root",
            "--role",
            "administrator",
            "--password-stdin",
        ],
        Some("a long enough secret\n"),
    );
    let pem = home.path().join("depot.pem");
    cli(
        &home,
        &["token", "keygen", "--out", pem.to_str().unwrap()],
        None,
    );
    let p7m = home.path().join("Fleet.p7m");
    std::fs::write(
        &p7m,
        sim.issue_token("Fleet", &std::fs::read(&pem).unwrap())
            .unwrap(),
    )
    .unwrap();
    cli(
        &home,
        &[
            "token",
            "add",
            "--p7m",
            p7m.to_str().unwrap(),
            "--apple-id",
            "a@b.example",
            "--apple-url",
            sim.base_url(),
        ],
        None,
    );
    // 40 pages of 1,000 at 60 ms each: the sync takes seconds, in groups of 25 pages.
    sim.update_faults(|f| f.latency_ms = 60);

    let key = home.path().join("workspace.key");
    let ws = home.path().join("ws");
    let mut server = start_with_env(
        &home,
        ws.to_str().unwrap(),
        &[],
        &[
            ("DEPOT_KEY_FILE", key.as_os_str()),
            ("DEPOT_ALLOW_TEST_APPLE_URL", OsStr::new("1")),
        ],
    );
    let url = server.url.clone();
    let client = reqwest::Client::new();
    let signed: Value = client
        .post(format!("{url}/api/v1/session"))
        .json(&json!({"username": "root", "password": "a long enough secret"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = [(
        "authorization",
        format!("Bearer {}", signed["token"].as_str().unwrap()),
    )];
    // A browser's event stream stays open across the stop.
    let events = client
        .get(format!("{url}/api/v1/events"))
        .header("authorization", bearer[0].1.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    // The scheduler starts the first sync of a new token on its own; asking
    // again finds it running.
    let (status, body) = rpc(&client, &url, &bearer, "sync.start", json!({"id": "1"})).await;
    assert!(
        status == reqwest::StatusCode::OK || body["code"] == "SYNC_RUNNING",
        "{status} {body}"
    );
    // Wait for the first progress event (a page group committed or under way).
    let mut events = events;
    let first = tokio::time::timeout(Duration::from_secs(60), events.chunk())
        .await
        .expect("an event within a minute")
        .unwrap()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&first).contains("sync"),
        "{first:?}"
    );

    #[cfg(unix)]
    {
        let pid = server.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        // The event stream ends (the server does not wait for it forever).
        let ended = tokio::time::timeout(Duration::from_secs(90), async {
            while let Ok(Some(_)) = events.chunk().await {}
        })
        .await;
        assert!(ended.is_ok(), "the event stream outlived the stop");
        let status = server.child.wait().unwrap();
        assert!(status.success(), "{status:?}");

        let db = rusqlite::Connection::open(home.path().join("ws/depot.sqlite")).unwrap();
        let (result, pages): (String, i64) = db
            .query_row(
                "SELECT result, pages FROM sync_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        drop(db);
        let stored = devices_in(&home);
        eprintln!("stopped: {result} after {pages} pages, {stored} devices");
        assert!(
            result == "cancelled" || (result == "ok" && stored == i64::from(DEVICES)),
            "{result} after {pages} pages"
        );
        // Whole pages only: what committed is what the run counted.
        assert_eq!(stored, pages * 1000, "{result}");

        // The next sync resumes the fetch and completes it.
        sim.update_faults(|f| f.latency_ms = 0);
        cli(&home, &["sync"], None);
        assert_eq!(devices_in(&home), i64::from(DEVICES));
    }
    drop(server);
}
