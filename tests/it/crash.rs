//! Crash safety (NFR-2, SYN-2): the `depot` CLI is killed with SIGKILL at
//! random points of a large full sync, then resumed; every time, the devices
//! in the workspace must equal the simulator's, with no duplicates.

use std::process::{Command, Stdio};
use std::time::Duration;

use depot_sim::{Faults, ServerSpec, Simulator};

use crate::support::{TestWorkspace, depot_bin, stderr};

const DEVICES: u32 = 20_000;
const SEEDS: u64 = 20;
// With 50 ms per request a sync of 20 pages outlasts the longest kill delay
// (900 ms), so every kill lands inside it, whatever the machine's speed.

fn depot(home: &TestWorkspace, args: &[&str]) -> Command {
    let mut cmd = Command::new(depot_bin());
    cmd.arg("--workspace")
        .arg(home.path().join("ws"))
        .args(args)
        .env_remove("DEPOT_WORKSPACE")
        .env("HOME", home.path())
        .env("DEPOT_KEY_FILE", home.path().join("workspace.key"));
    cmd
}

/// A small deterministic generator for kill delays (no time-of-day, no RNG crate).
fn delay_for(seed: u64, max_ms: u64) -> Duration {
    let mut x = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    x ^= x >> 33;
    Duration::from_millis(x % max_ms)
}

// Multi-threaded: the test blocks on child processes while the simulator answers them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_sync_at_random_points_loses_and_duplicates_nothing() {
    let sim = Simulator::builder()
        .seed(77)
        .server(ServerSpec::new("Campus", "Springfield Schools", DEVICES))
        .faults(Faults {
            latency_ms: 50,
            ..Faults::default()
        })
        .start()
        .await
        .unwrap();
    let mut expected = sim.serials("Campus", 0, DEVICES as usize + 10).unwrap();
    expected.sort();
    let mut killed_mid_sync = 0;
    let mut resumed_mid_fetch = 0;

    for seed in 0..SEEDS {
        let home = TestWorkspace::new();
        let pem = home.path().join("depot.pem");
        let out = depot(&home, &["token", "keygen", "--out", pem.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let p7m = home.path().join("campus.p7m");
        let cert = std::fs::read(&pem).unwrap();
        std::fs::write(&p7m, sim.issue_token("Campus", &cert).unwrap()).unwrap();
        let out = depot(
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
        )
        .output()
        .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));

        // Start a full sync and kill it at a seed-chosen moment.
        // Two pages per commit, so kills land between commits as well as inside them.
        let mut child = depot(
            &home,
            &[
                "sync",
                "Campus",
                "--ignore-pacing",
                "--pages-per-commit",
                "2",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        std::thread::sleep(delay_for(seed, 900));
        let finished_before_kill = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL on Unix
        child.wait().unwrap();
        if !finished_before_kill {
            killed_mid_sync += 1;
        }
        let committed: i64 = rusqlite::Connection::open(home.path().join("ws/depot.sqlite"))
            .unwrap()
            .query_row("SELECT COUNT(*) FROM devices", [], |r| r.get(0))
            .unwrap();
        if committed > 0 && committed < i64::from(DEVICES) {
            resumed_mid_fetch += 1;
        }

        // Resume until a sync completes.
        let out = depot(&home, &["--json", "sync", "Campus", "--ignore-pacing"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "seed {seed}: resume failed: {}",
            stderr(&out)
        );

        let db = rusqlite::Connection::open(home.path().join("ws/depot.sqlite")).unwrap();
        let mut stmt = db
            .prepare("SELECT serial FROM devices WHERE removed_at IS NULL ORDER BY serial")
            .unwrap();
        let got: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let rows: i64 = db
            .query_row("SELECT COUNT(*) FROM devices", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            rows as usize,
            got.len(),
            "seed {seed}: no duplicate or stray rows"
        );
        assert_eq!(got.len(), expected.len(), "seed {seed}: device count");
        assert!(
            got == expected,
            "seed {seed}: the device set differs from the simulator's"
        );
        let interrupted: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM sync_runs WHERE result = 'running'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(interrupted, 0, "seed {seed}: no run is left 'running'");
    }
    assert!(
        killed_mid_sync >= SEEDS / 2,
        "most kills must land inside a sync ({killed_mid_sync})"
    );
    assert!(
        resumed_mid_fetch >= 3,
        "some resumes must start from a partly committed fetch ({resumed_mid_fetch})"
    );
}
