//! Kills at fixed points: Apple (the simulator) has carried out a request and
//! holds its answer; the `depot` CLI is SIGKILLed before it sees it. After a
//! reopen and a retry, the workspace must hold each thing once and agree with
//! the simulator.

use depot_sim::{Faults, ServerSpec, Simulator};

use super::{
    add_token_args, assert_devices_match, count, depot, kill_while_held, run_ok, spawn, token_file,
    wait_until,
};
use crate::support::{TestWorkspace, stderr};

fn hold(paths: &[&str]) -> Faults {
    Faults {
        hold_answers: paths.iter().map(|p| (*p).to_owned()).collect(),
        ..Faults::default()
    }
}

/// Token add and renew killed while Apple's `GET /account` answer is held.
/// Catches: a token (or its secrets) written before Apple's answer, the
/// pending key consumed without a token, a retried add refused or doubled,
/// a renew half-applied (new facts with old credentials, an audit entry
/// without the change).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_add_or_renew_killed_mid_answer_leaves_the_token_once_or_not_at_all() {
    let sim = Simulator::builder()
        .seed(81)
        .server(ServerSpec::new("Campus", "Springfield Schools", 30))
        .start()
        .await
        .unwrap();
    let home = TestWorkspace::new();
    let p7m = token_file(&home, &sim, "Campus");
    let add = add_token_args(&p7m, &sim);

    // Add, killed after Apple answered GET /account.
    sim.set_faults(hold(&["/account"]));
    kill_while_held(&sim, spawn(&home, &add), 0);
    assert_eq!(count(&home, "SELECT COUNT(*) FROM tokens"), 0, "no token");
    assert_eq!(count(&home, "SELECT COUNT(*) FROM token_secrets"), 0);
    assert_eq!(
        count(&home, "SELECT COUNT(*) FROM pending_key"),
        1,
        "the key pair still waits for its token file"
    );
    assert_eq!(
        count(
            &home,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'token.add'"
        ),
        0
    );

    // The same file imports on retry, once: the key pair went with it.
    run_ok(&home, &add);
    let again = depot(&home, &add).output().unwrap();
    assert!(!again.status.success(), "a second add must be refused");
    assert!(
        stderr(&again).contains("no key pair waiting"),
        "{}",
        stderr(&again)
    );
    assert_eq!(count(&home, "SELECT COUNT(*) FROM tokens"), 1);
    assert_eq!(count(&home, "SELECT COUNT(*) FROM token_secrets"), 1);
    assert_eq!(
        count(&home, "SELECT COUNT(*) FROM pending_key"),
        0,
        "consumed with the token"
    );
    assert_eq!(
        count(
            &home,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'token.add'"
        ),
        1
    );
    run_ok(&home, &["sync", "Campus"]);
    assert_devices_match(&home, &sim, "Campus");

    // Renew: the portal issues a new file for the same key pair (and stops
    // accepting the old access token); the renew is killed mid-answer.
    let renewal = home.path().join("renewal.p7m");
    let cert = std::fs::read(home.path().join("depot.pem")).unwrap();
    std::fs::write(&renewal, sim.issue_token("Campus", &cert).unwrap()).unwrap();
    let renew = [
        "token",
        "renew",
        "Campus",
        "--p7m",
        renewal.to_str().unwrap(),
        "--apple-id",
        "a@b.example",
    ];
    let secrets_before: Vec<u8> = rusqlite::Connection::open(home.path().join("ws/depot.sqlite"))
        .unwrap()
        .query_row("SELECT credentials FROM token_secrets", [], |r| r.get(0))
        .unwrap();
    sim.set_faults(hold(&["/account"]));
    kill_while_held(&sim, spawn(&home, &renew), 0);
    let secrets_after: Vec<u8> = rusqlite::Connection::open(home.path().join("ws/depot.sqlite"))
        .unwrap()
        .query_row("SELECT credentials FROM token_secrets", [], |r| r.get(0))
        .unwrap();
    assert!(
        secrets_after == secrets_before,
        "the old credentials stay until the renew commits"
    );
    assert_eq!(
        count(
            &home,
            "SELECT COUNT(*) FROM tokens WHERE renewed_at IS NULL"
        ),
        1,
        "not renewed"
    );
    assert_eq!(
        count(
            &home,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'token.renew'"
        ),
        0
    );

    run_ok(&home, &renew);
    assert_eq!(count(&home, "SELECT COUNT(*) FROM tokens"), 1);
    assert_eq!(
        count(
            &home,
            "SELECT COUNT(*) FROM tokens WHERE renewed_at IS NOT NULL"
        ),
        1
    );
    assert_eq!(
        count(
            &home,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'token.renew'"
        ),
        1
    );
    assert_eq!(count(&home, "SELECT COUNT(*) FROM pending_key"), 0);
    // The renewed credentials work (the old access token no longer would).
    sim.apply_changes(
        "Campus",
        depot_sim::ChangeBatch {
            added: 3,
            ..Default::default()
        },
    )
    .unwrap();
    run_ok(&home, &["sync", "Campus", "--ignore-pacing"]);
    assert_devices_match(&home, &sim, "Campus");
}

/// `profile create` killed between Apple's answer to `POST /profile` and
/// Depot's commit of it. Apple keeps a profile nobody uses (it has no delete;
/// harmless, and what a real network failure at that moment would leave too).
/// Depot keeps one profile, version 1, "not uploaded"; `retry-upload` sends
/// it again and devices get the uploaded one. Catches: the profile saved only
/// after the upload (lost) or saved again on retry (doubled), a version marked
/// uploaded with no Apple UUID, a retry that refuses a never-answered upload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_upload_killed_before_its_commit_is_retried_without_a_duplicate() {
    let sim = Simulator::builder()
        .seed(82)
        .server(ServerSpec::new("Campus", "Springfield Schools", 20))
        .start()
        .await
        .unwrap();
    let home = TestWorkspace::new();
    let p7m = token_file(&home, &sim, "Campus");
    run_ok(&home, &add_token_args(&p7m, &sim));
    run_ok(
        &home,
        &[
            "settings",
            "enrollment",
            "--url",
            "https://mdm.springfield.example/enroll",
        ],
    );
    let spec = home.path().join("spec.json");
    std::fs::write(
        &spec,
        depot_domain::profile::ProfileSpec::new("Labs").to_profile_file(),
    )
    .unwrap();
    let create = [
        "profile",
        "create",
        "--token",
        "Campus",
        "--from",
        spec.to_str().unwrap(),
    ];

    sim.set_faults(hold(&["POST /profile"]));
    kill_while_held(&sim, spawn(&home, &create), 0);
    assert_eq!(sim.profiles("Campus").unwrap().len(), 1, "Apple made one");
    assert_eq!(count(&home, "SELECT COUNT(*) FROM profiles"), 1);
    assert_eq!(
        count(
            &home,
            "SELECT COUNT(*) FROM profile_versions
             WHERE upload_state = 'pending' AND apple_uuid IS NULL"
        ),
        1,
        "saved before the upload, not marked uploaded"
    );

    // Creating it again is refused by name: no second Depot profile.
    let again = depot(&home, &create).output().unwrap();
    assert!(!again.status.success(), "a second create must be refused");
    assert_eq!(count(&home, "SELECT COUNT(*) FROM profiles"), 1);
    assert_eq!(sim.profiles("Campus").unwrap().len(), 1, "nothing sent");

    run_ok(&home, &["profile", "retry-upload", "Labs"]);
    assert_eq!(count(&home, "SELECT COUNT(*) FROM profiles"), 1);
    assert_eq!(count(&home, "SELECT COUNT(*) FROM profile_versions"), 1);
    let uuid: String = rusqlite::Connection::open(home.path().join("ws/depot.sqlite"))
        .unwrap()
        .query_row(
            "SELECT apple_uuid FROM profile_versions WHERE upload_state = 'uploaded'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let at_apple = sim.profiles("Campus").unwrap();
    assert_eq!(at_apple.len(), 2, "the retry defines it once more");
    assert_eq!(at_apple[1]["profile_uuid"], uuid.as_str());
    assert_eq!(
        count(
            &home,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'profile.upload'"
        ),
        1
    );

    // And it is usable: assigned devices get the uploaded profile.
    run_ok(&home, &["sync", "Campus"]);
    let serials = sim.serials("Campus", 0, 2).unwrap();
    run_ok(
        &home,
        &["assign", "--profile", "Labs", &serials[0], &serials[1]],
    );
    for serial in &serials {
        let device = sim.device("Campus", serial, 10).unwrap().unwrap();
        assert_eq!(device["profile_uuid"], uuid.as_str(), "{serial}");
    }
}

/// Two `depot sync` processes on the same token: the second is refused by
/// the cross-process lock while the first is mid-fetch, and sends nothing;
/// the first finishes and matches the simulator. A sync killed while holding
/// the lock frees it (the OS drops the lock with the process), and the next
/// sync resumes. Catches: a lock only within one process (two fetches writing
/// the same cursor), a refusal without a clear message, a lock file that
/// outlives a killed process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_syncing_one_token_are_serialised_by_the_workspace_lock() {
    let sim = Simulator::builder()
        .seed(83)
        .server(ServerSpec::new("Campus", "Springfield Schools", 2_500))
        .start()
        .await
        .unwrap();
    let home = TestWorkspace::new();
    let p7m = token_file(&home, &sim, "Campus");
    run_ok(&home, &add_token_args(&p7m, &sim));
    let sync = ["sync", "Campus", "--ignore-pacing"];
    let fetch_calls = || {
        sim.request_log()
            .iter()
            .filter(|r| r.path == "/server/devices" || r.path == "/devices/sync")
            .count()
    };

    // The first sync holds the lock while its first page is on its way.
    sim.set_faults(hold(&["/server/devices"]));
    let mut first = spawn(&home, &sync);
    wait_until("the first sync is mid-fetch", || sim.held_answers() == 1);
    let calls = fetch_calls();
    let second = depot(&home, &sync).output().unwrap();
    assert!(!second.status.success(), "the second sync must be refused");
    assert!(
        stderr(&second).contains("'Campus' is already syncing"),
        "{}",
        stderr(&second)
    );
    assert_eq!(fetch_calls(), calls, "the refused sync asked Apple nothing");
    assert_eq!(count(&home, "SELECT COUNT(*) FROM sync_runs"), 1);

    sim.set_faults(Faults::default());
    let status = first.wait().unwrap();
    assert!(status.success(), "the first sync finishes");
    assert_devices_match(&home, &sim, "Campus");
    assert_eq!(
        count(&home, "SELECT COUNT(*) FROM sync_runs WHERE result = 'ok'"),
        1
    );

    // A sync killed while it holds the lock does not keep it.
    sim.apply_changes(
        "Campus",
        depot_sim::ChangeBatch {
            added: 40,
            modified: 25,
            released: 10,
            set_up: 0,
        },
    )
    .unwrap();
    sim.set_faults(hold(&["/devices/sync"]));
    kill_while_held(&sim, spawn(&home, &sync), 0);
    wait_until("the held answer is let go", || sim.held_answers() == 0);
    run_ok(&home, &sync);
    assert_devices_match(&home, &sim, "Campus");
    assert_eq!(
        count(
            &home,
            "SELECT COUNT(*) FROM sync_runs WHERE result = 'running'"
        ),
        0,
        "the killed run is not left running"
    );
}
