//! What needs attention (issue 16, ALR-1): alerts raised and cleared by the
//! clock and the simulator's switches, through `core`; `depot alerts
//! --fail-on` exit codes through the CLI.

use std::process::Command;
use std::sync::Arc;

use depot_core::sync::SyncRequest;
use depot_core::vpp::AddVppToken;
use depot_core::{Depot, DepotOptions, FixedClock, TokenFileInput};
use depot_domain::alerts::{AlertKind, Severity};
use depot_domain::profile::ProfileSpec;
use depot_sim::{Faults, Fleet, ServerSpec, Simulator, VppLocationSpec};

use crate::support::{TestWorkspace, depot_bin, stderr, stdout};

const NOW: i64 = 1_790_000_000;
const DAY: i64 = 86_400;

fn kinds(depot: &Depot) -> Vec<(AlertKind, Severity)> {
    depot
        .alerts()
        .unwrap()
        .into_iter()
        .map(|a| (a.kind, a.severity))
        .collect()
}

#[tokio::test]
async fn alerts_come_with_their_cause_and_go_with_it() {
    let sim = Simulator::builder()
        .seed(17)
        .fleet(Fleet::Mobile)
        .server(ServerSpec::new("Sales-East", "Acme Corp", 6))
        .vpp_location(VppLocationSpec::new("HQ Apps", "Acme Corp"))
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap();
    let ws = TestWorkspace::new();
    let clock = Arc::new(FixedClock::at(NOW));
    let depot = Arc::new(Depot::open(ws.path(), DepotOptions::for_tests(clock.clone())).unwrap());
    assert!(
        depot.alerts().unwrap().is_empty(),
        "an empty workspace is fine"
    );
    let token =
        crate::support::add_simulator_token(&depot, &sim, "Sales-East", "a@acme.example").await;
    depot
        .set_enrollment_urls(None, Some("https://mdm.acme.example/enroll"), None)
        .unwrap();
    depot
        .sync_token(token, SyncRequest::manual(true), &|_| {})
        .await
        .unwrap();

    // New devices without a profile, and no default for their platform.
    let alerts = depot.alerts().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(
        (alerts[0].kind, alerts[0].severity),
        (AlertKind::NoDefaultProfile, Severity::Warning)
    );
    assert!(
        alerts[0].message.contains("6 iOS devices"),
        "{}",
        alerts[0].message
    );
    assert!(alerts[0].action.contains("default"), "{}", alerts[0].action);
    let profile = depot
        .create_profile(token, &ProfileSpec::new("Staff iPads"))
        .await
        .unwrap();
    depot.set_default_profile(profile.overview.id).unwrap();
    assert!(depot.alerts().unwrap().is_empty(), "a default clears it");

    // Expiry: 30 days out a warning, 7 days critical, then expired.
    let expires = depot.token_detail(token).unwrap().overview.expires_at.get();
    clock.set(expires - 20 * DAY);
    assert!(kinds(&depot).contains(&(AlertKind::TokenExpiring, Severity::Warning)));
    clock.set(expires - 5 * DAY);
    assert!(kinds(&depot).contains(&(AlertKind::TokenExpiring, Severity::Critical)));
    clock.set(expires + 1);
    let now_expired = kinds(&depot);
    assert!(now_expired.contains(&(AlertKind::TokenExpired, Severity::Critical)));
    assert!(
        !now_expired.iter().any(|(k, _)| *k == AlertKind::SyncStale),
        "an expired token's sync is not a second alert: {now_expired:?}"
    );
    clock.set(NOW);

    // No successful sync for more than 48 hours; a sync clears it (Apple's
    // clock, the simulator's, moves on too).
    clock.set(NOW + 3 * DAY);
    sim.advance_clock(std::time::Duration::from_secs(3 * DAY as u64));
    assert!(kinds(&depot).contains(&(AlertKind::SyncStale, Severity::Warning)));
    depot
        .sync_token(token, SyncRequest::manual(false), &|_| {})
        .await
        .unwrap();
    assert!(
        !kinds(&depot)
            .iter()
            .any(|(k, _)| *k == AlertKind::SyncStale)
    );

    // Apple's terms not accepted: critical until checked again.
    sim.set_faults(Faults {
        t_c_not_signed: true,
        ..Faults::default()
    });
    depot.check_token(token).await.unwrap();
    let alerts = depot.alerts().unwrap();
    assert_eq!(
        (alerts[0].kind, alerts[0].severity),
        (AlertKind::TermsNotAccepted, Severity::Critical),
        "worst first: {alerts:?}"
    );
    sim.set_faults(Faults::default());
    depot.check_token(token).await.unwrap();
    assert!(
        !kinds(&depot)
            .iter()
            .any(|(k, _)| *k == AlertKind::TermsNotAccepted)
    );

    // An Apps and Books token Apple revoked.
    let file = TokenFileInput::Contents {
        file_name: "hq.vpptoken".into(),
        contents: sim.issue_vpp_token("HQ Apps").unwrap().into_bytes(),
    };
    let url = sim.vpp_base_url();
    depot
        .add_vpp_token(&AddVppToken {
            file: &file,
            name: None,
            apps_url: Some(&url),
            take_over: false,
        })
        .await
        .unwrap();
    assert!(depot.alerts().unwrap().is_empty());
    sim.vpp_revoke("HQ Apps").unwrap();
    depot.sync_vpp_token("HQ Apps").await.unwrap();
    let alerts = depot.alerts().unwrap();
    assert_eq!(
        (alerts[0].kind, alerts[0].severity),
        (AlertKind::VppRejected, Severity::Critical)
    );
    assert!(
        alerts[0].message.contains("revoked"),
        "{}",
        alerts[0].message
    );
    depot.delete_vpp_token("HQ Apps").unwrap();
    assert!(depot.alerts().unwrap().is_empty());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depot_alerts_fails_on_a_severity_with_exit_code_3() {
    let sim = Simulator::builder()
        .seed(18)
        .fleet(Fleet::Mobile)
        .server(ServerSpec::new("Sales-East", "Acme Corp", 3))
        .start()
        .await
        .unwrap();
    let home = TestWorkspace::new();
    let run = |args: &[&str]| {
        Command::new(depot_bin())
            .arg("--workspace")
            .arg(home.path().join("ws"))
            .args(args)
            .env_remove("DEPOT_WORKSPACE")
            .env("DEPOT_ALLOW_TEST_APPLE_URL", "1")
            .env("HOME", home.path())
            .env("DEPOT_KEY_FILE", home.path().join("workspace.key"))
            .output()
            .unwrap()
    };
    let out = run(&["alerts", "--fail-on", "warning"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Nothing needs attention"));

    let pem = home.path().join("depot.pem");
    assert!(
        run(&["token", "keygen", "--out", pem.to_str().unwrap()])
            .status
            .success()
    );
    let p7m = home.path().join("t.p7m");
    std::fs::write(
        &p7m,
        sim.issue_token("Sales-East", &std::fs::read(&pem).unwrap())
            .unwrap(),
    )
    .unwrap();
    let add = run(&[
        "token",
        "add",
        "--p7m",
        p7m.to_str().unwrap(),
        "--apple-id",
        "a@acme.example",
        "--apple-url",
        sim.base_url(),
    ]);
    assert!(add.status.success(), "{}", stderr(&add));
    assert!(run(&["sync"]).status.success());

    // Devices without a default: a warning.
    let out = run(&["--json", "alerts", "--fail-on", "warning"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["alerts"][0]["kind"], "noDefaultProfile");
    assert_eq!(json["alerts"][0]["severity"], "warning");
    assert_eq!(json["alerts"][0]["subject"]["name"], "Sales-East");
    assert!(stderr(&out).contains("at or above warning"));
    // Nothing critical: 0. A bad severity is bad usage: 2.
    assert!(run(&["alerts", "--fail-on", "critical"]).status.success());
    assert_eq!(run(&["alerts", "--fail-on", "info"]).status.code(), Some(2));
    sim.shutdown().await;
}
