//! Crash safety (NFR-2, SYN-2): the `depot` CLI is killed with SIGKILL at
//! random points of a large full sync, then resumed; every time, the devices
//! in the workspace must equal the simulator's, with no duplicates.
//!
//! The submodules kill it at fixed points instead: while the simulator holds
//! an answer it has already acted on (`Faults::hold_answers`), so Apple has
//! done the work and Depot has not recorded it.

mod answers;
mod disk_full;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use depot_sim::{Faults, RunningSim, ServerSpec, Simulator};

use crate::support::{TestWorkspace, depot_bin, stderr};

const DEVICES: u32 = 20_000;
const SEEDS: u64 = 20;
// With 50 ms per request a sync of 20 pages lasts at least a second; kill
// delays spread over the time one uninterrupted sync took (see the test).

fn depot(home: &TestWorkspace, args: &[&str]) -> Command {
    let mut cmd = Command::new(depot_bin());
    cmd.arg("--workspace")
        .arg(home.path().join("ws"))
        .args(args)
        .env_remove("DEPOT_WORKSPACE")
        .env("HOME", home.path())
        .env("DEPOT_KEY_FILE", home.path().join("workspace.key"))
        // The tokens here talk to a simulator.
        .env("DEPOT_ALLOW_TEST_APPLE_URL", "1");
    cmd
}

/// Runs `depot` to the end; it must succeed.
fn run_ok(home: &TestWorkspace, args: &[&str]) -> Output {
    let out = depot(home, args).output().unwrap();
    assert!(out.status.success(), "depot {args:?}: {}", stderr(&out));
    out
}

/// Starts `depot` in the background (its output discarded).
fn spawn(home: &TestWorkspace, args: &[&str]) -> std::process::Child {
    depot(home, args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits (polling) until `done`, failing after a minute: a deterministic
/// condition, not a timing assertion.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// SIGKILLs `child` while the simulator holds an answer it has already acted
/// on, then lets the simulator go on. `held` is how many answers the
/// simulator was holding before the child started.
fn kill_while_held(sim: &RunningSim, mut child: std::process::Child, held: usize) {
    wait_until("the simulator holds the answer", || {
        sim.held_answers() > held
            || child
                .try_wait()
                .unwrap()
                .is_some_and(|status| panic!("depot ended before the kill point: {status}"))
    });
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    sim.set_faults(Faults::default());
}

/// One number from the workspace database, read directly.
fn count(home: &TestWorkspace, sql: &str) -> i64 {
    rusqlite::Connection::open(home.path().join("ws/depot.sqlite"))
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// `token keygen` and a token file for `server` from the simulator's portal.
fn token_file(home: &TestWorkspace, sim: &RunningSim, server: &str) -> String {
    let pem = home.path().join("depot.pem");
    run_ok(home, &["token", "keygen", "--out", pem.to_str().unwrap()]);
    let p7m = home.path().join(format!("{server}.p7m"));
    std::fs::write(
        &p7m,
        sim.issue_token(server, &std::fs::read(&pem).unwrap())
            .unwrap(),
    )
    .unwrap();
    p7m.to_str().unwrap().to_owned()
}

fn add_token_args<'a>(p7m: &'a str, sim: &'a RunningSim) -> [&'a str; 8] {
    [
        "token",
        "add",
        "--p7m",
        p7m,
        "--apple-id",
        "a@b.example",
        "--apple-url",
        sim.base_url(),
    ]
}

/// The workspace's current devices equal the simulator's, each once.
fn assert_devices_match(home: &TestWorkspace, sim: &RunningSim, server: &str) {
    let mut expected = sim.serials(server, 0, 1_000_000).unwrap();
    expected.sort();
    let db = rusqlite::Connection::open(home.path().join("ws/depot.sqlite")).unwrap();
    let mut stmt = db
        .prepare("SELECT serial FROM devices WHERE removed_at IS NULL ORDER BY serial")
        .unwrap();
    let got: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // Sorted, so a serial listed twice shows as a difference too. (Rows of
    // devices Apple released stay, marked removed.)
    assert_eq!(got.len(), expected.len(), "device count");
    assert!(
        got == expected,
        "the device set differs from the simulator's"
    );
}

/// A small deterministic generator for kill delays (no time-of-day, no RNG crate).
fn delay_for(seed: u64, max_ms: u64) -> Duration {
    let mut x = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    x ^= x >> 33;
    Duration::from_millis(x % max_ms)
}

/// A new workspace in `home` with the simulator's "Campus" token.
fn add_campus_token(home: &TestWorkspace, sim: &depot_sim::RunningSim) {
    let pem = home.path().join("depot.pem");
    let out = depot(home, &["token", "keygen", "--out", pem.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let p7m = home.path().join("campus.p7m");
    let cert = std::fs::read(&pem).unwrap();
    std::fs::write(&p7m, sim.issue_token("Campus", &cert).unwrap()).unwrap();
    let out = depot(
        home,
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

    // Kill points are spread over the time a whole sync takes on this machine
    // right now (measured once, uninterrupted): on a busy machine the process
    // starts and commits later, and a fixed window would kill most runs before
    // their first commit.
    let window_ms = {
        let home = TestWorkspace::new();
        add_campus_token(&home, &sim);
        let started = std::time::Instant::now();
        let out = depot(
            &home,
            &[
                "sync",
                "Campus",
                "--ignore-pacing",
                "--pages-per-commit",
                "2",
            ],
        )
        .output()
        .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        u64::try_from(started.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .max(900)
    };

    for seed in 0..SEEDS {
        let home = TestWorkspace::new();
        add_campus_token(&home, &sim);
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
        std::thread::sleep(delay_for(seed, window_ms));
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
        // The devices the killed fetch added were indexed when the resumed
        // one completed.
        assert!(count(&home, "SELECT COUNT(*) FROM device_identifiers") > 0);
        let workspace = depot_store::Workspace::open(home.path().join("ws")).unwrap();
        assert_eq!(
            workspace
                .connect()
                .unwrap()
                .identifier_index_differences()
                .unwrap(),
            Vec::<String>::new(),
            "seed {seed}: the identifier index matches the devices"
        );
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

/// DEV-3: a bulk assignment killed with SIGKILL after some batches resumes on
/// the next `depot assign` and sends only the serials Apple has not answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_bulk_assignment_resumes_without_resending_answered_batches() {
    const SERIALS: u32 = 5_000;
    let sim = Simulator::builder()
        .seed(78)
        .fleet(depot_sim::Fleet::Mobile)
        .server(ServerSpec::new("Campus", "Springfield Schools", SERIALS))
        .start()
        .await
        .unwrap();
    let home = TestWorkspace::new();
    let run = |args: &[&str]| {
        let out = depot(&home, args).output().unwrap();
        assert!(out.status.success(), "depot {args:?}: {}", stderr(&out));
        out
    };
    let pem = home.path().join("depot.pem");
    run(&["token", "keygen", "--out", pem.to_str().unwrap()]);
    let p7m = home.path().join("campus.p7m");
    std::fs::write(
        &p7m,
        sim.issue_token("Campus", &std::fs::read(&pem).unwrap())
            .unwrap(),
    )
    .unwrap();
    run(&[
        "token",
        "add",
        "--p7m",
        p7m.to_str().unwrap(),
        "--apple-id",
        "a@b.example",
        "--apple-url",
        sim.base_url(),
    ]);
    run(&[
        "settings",
        "enrollment",
        "--url",
        "https://mdm.springfield.example/enroll",
    ]);
    let spec = home.path().join("spec.json");
    std::fs::write(
        &spec,
        depot_domain::profile::ProfileSpec::new("Labs").to_profile_file(),
    )
    .unwrap();
    run(&[
        "profile",
        "create",
        "--token",
        "Campus",
        "--from",
        spec.to_str().unwrap(),
    ]);
    run(&["sync", "Campus"]);
    let serials = sim.serials("Campus", 0, SERIALS as usize).unwrap();
    let list = home.path().join("serials.txt");
    std::fs::write(&list, serials.join("\n")).unwrap();

    // Slow answers, so that the kill lands between batches.
    sim.set_faults(Faults {
        latency_ms: 300,
        ..Faults::default()
    });
    sim.clear_request_log();
    let assign_calls = || {
        sim.request_log()
            .iter()
            .filter(|r| r.path == "/profile/devices" && r.status == 200)
            .count()
    };
    let mut child = depot(
        &home,
        &[
            "assign",
            "--profile",
            "Labs",
            "--serials",
            list.to_str().unwrap(),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while assign_calls() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the assignment never got going"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = assign_calls();
    assert!(
        before < 5,
        "the run finished before the kill ({before} calls)"
    );

    // The next assign finishes the killed run first.
    sim.set_faults(Faults::default());
    let out = run(&["assign", "--profile", "Labs", "--dry-run", &serials[0]]);
    assert!(
        stderr(&out).contains("Resumed unfinished run"),
        "{}",
        stderr(&out)
    );
    let after = assign_calls() - before;
    // The unanswered batches; at most one batch Apple answered just before the
    // kill, but whose answer was not committed yet, is sent again.
    assert!(
        after <= (5 - before) + 1,
        "{after} calls after the kill: answered batches were sent again"
    );
    let profiles = sim.profiles("Campus").unwrap();
    let uuid = profiles[0]["profile_uuid"].as_str().unwrap();
    for serial in &serials {
        let device = sim.device("Campus", serial, 10).unwrap().unwrap();
        assert_eq!(
            device["profile_uuid"], uuid,
            "{serial} did not get the profile"
        );
    }
}
