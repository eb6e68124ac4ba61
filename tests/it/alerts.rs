//! What needs attention (issue 16, ALR-1): alerts raised and cleared by the
//! clock and the simulator's switches, through `core`; `depot alerts
//! --fail-on` exit codes through the CLI.

use std::sync::Arc;

use depot_core::sync::SyncRequest;
use depot_core::vpp::AddVppToken;
use depot_core::{Depot, DepotOptions, FixedClock, TokenFileInput};
use depot_domain::alerts::{AlertKind, Severity};
use depot_domain::profile::ProfileSpec;
use depot_sim::{Faults, Fleet, ServerSpec, Simulator, VppLocationSpec};

use crate::support::{CliHome, TestWorkspace, stderr, stdout};

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
    let home = CliHome::new();
    let run = |args: &[&str]| home.run(args);
    let out = run(&["alerts", "--fail-on", "warning"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Nothing needs attention"));
    home.add_simulator_token(&sim, "Sales-East");

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

#[tokio::test]
async fn a_snooze_hides_an_alert_until_its_time_or_until_it_gets_worse() {
    let s = crate::profiles::setup(4).await;
    s.sync().await;
    let key = s.depot.alerts().unwrap()[0].key.clone();
    assert!(key.starts_with("noDefaultProfile:"), "{key}");

    // Bad requests change nothing.
    assert!(matches!(
        s.depot.snooze_alert(&key, 0),
        Err(depot_core::CoreError::InvalidInput { field: "hours", .. })
    ));
    assert!(s.depot.snooze_alert(&key, 721).is_err());
    let err = s.depot.snooze_alert("tokenExpired:99", 24).unwrap_err();
    assert!(matches!(err, depot_core::CoreError::NotFound(_)), "{err}");
    assert!(s.depot.unsnooze_alert(&key).is_err(), "not snoozed yet");

    let alerts = s.depot.snooze_alert(&key, 24).unwrap();
    let snoozed = alerts[0].snoozed.clone().expect("snoozed");
    assert_eq!(snoozed.until.get(), NOW + DAY);
    assert!(s.depot.active_alerts().unwrap().is_empty());
    let audit = s
        .depot
        .audit_page(&depot_core::AuditFilter::default(), None, 10)
        .unwrap();
    let entry = &audit.entries[0];
    assert_eq!(entry.action, "alert.snoozed");
    assert!(entry.after.as_deref().unwrap().contains("\"hours\":24"));

    // Its time runs out: active again.
    s.clock.set(NOW + DAY + 1);
    assert_eq!(s.depot.active_alerts().unwrap().len(), 1);
    s.clock.set(NOW);

    // Unsnoozed: active again, audited.
    s.depot.unsnooze_alert(&key).unwrap();
    assert_eq!(s.depot.active_alerts().unwrap().len(), 1);
    let audit = s
        .depot
        .audit_page(&depot_core::AuditFilter::default(), None, 1)
        .unwrap();
    assert_eq!(audit.entries[0].action, "alert.unsnoozed");

    // A snoozed expiry warning comes back when it turns critical.
    let expires = s
        .depot
        .token_detail(s.token)
        .unwrap()
        .overview
        .expires_at
        .get();
    s.clock.set(expires - 20 * DAY);
    s.sim.advance_clock(std::time::Duration::from_secs(
        (expires - 20 * DAY - NOW) as u64,
    ));
    let expiring = s
        .depot
        .alerts()
        .unwrap()
        .into_iter()
        .find(|a| a.kind == AlertKind::TokenExpiring)
        .unwrap();
    s.depot.snooze_alert(&expiring.key, 720).unwrap();
    assert!(
        !s.depot
            .active_alerts()
            .unwrap()
            .iter()
            .any(|a| a.kind == AlertKind::TokenExpiring)
    );
    s.clock.set(expires - 5 * DAY);
    let active = s.depot.active_alerts().unwrap();
    assert!(
        active
            .iter()
            .any(|a| (a.kind, a.severity) == (AlertKind::TokenExpiring, Severity::Critical)),
        "worse than when snoozed: shown again: {active:?}"
    );
}

#[tokio::test]
async fn serials_apple_keeps_throttling_raise_an_info_alert_until_sent() {
    let s = crate::profiles::setup(4).await;
    s.sync().await;
    let profile = s.create(&ProfileSpec::new("Staff iPads")).await;
    let serials = s.serials();
    // Apple throttles every call for longer than a run waits.
    s.sim.set_faults(Faults {
        throttled_serials: serials.clone(),
        retry_after_seconds: 3_600,
        ..Faults::default()
    });
    s.assign(Some(profile), serials.clone()).await;
    let throttled: Vec<_> = s
        .depot
        .alerts()
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == AlertKind::SerialsThrottled)
        .collect();
    assert_eq!(throttled.len(), 1, "{throttled:?}");
    assert_eq!(throttled[0].severity, Severity::Info);
    assert!(
        throttled[0].message.contains("4 serials"),
        "{}",
        throttled[0].message
    );
    // Apple allows again; the kept serials go out and the alert clears.
    s.sim.set_faults(Faults::default());
    s.clock.set(NOW + 2 * 3_600);
    s.depot.send_due_follow_ups().await.unwrap();
    assert!(
        !s.depot
            .alerts()
            .unwrap()
            .iter()
            .any(|a| a.kind == AlertKind::SerialsThrottled)
    );
}

#[tokio::test]
async fn the_dashboard_summary_counts_devices_results_and_expiries() {
    let s = crate::profiles::setup(6).await;
    let empty = s.depot.dashboard_summary().unwrap();
    assert_eq!(empty.devices, 0);
    assert_eq!(empty.assignments.len(), 30);
    assert_eq!(
        empty.assignments.last().unwrap().date,
        depot_domain::UnixSeconds::new(NOW).rfc3339()[..10]
    );
    s.sync().await;
    let summary = s.depot.dashboard_summary().unwrap();
    assert_eq!(summary.devices, 6);
    let token = &summary.tokens[0];
    assert_eq!(token.devices, 6);
    assert_eq!(token.by_status, vec![("empty".to_owned(), 6)]);
    assert_eq!(token.waiting_for_default, vec![("iOS".to_owned(), 6)]);
    assert_eq!(summary.families.iter().map(|f| f.1).sum::<u64>(), 6);
    assert_eq!(
        summary.models.iter().map(|m| m.2).sum::<u64>() + summary.other_models,
        6
    );
    assert!(token.sync.last_success_at.is_some());
    assert_eq!(token.sync.failures_since_success, 0);
    assert_eq!(
        token.sync.next_run_at.map(|t| t.get()),
        Some(NOW + 12 * 3_600)
    );
    assert_eq!(summary.expiries.len(), 1);
    assert_eq!(summary.expiries[0].name, crate::profiles::SERVER);

    // Two assigned today; a default covers the rest of the iOS devices.
    let profile = s.create(&ProfileSpec::new("Staff iPads")).await;
    let serials = s.serials();
    s.assign(Some(profile), serials[..2].to_vec()).await;
    s.depot.set_default_profile(profile).unwrap();
    let summary = s.depot.dashboard_summary().unwrap();
    let today = summary.assignments.last().unwrap();
    assert_eq!((today.assigned, today.failed), (2, 0));
    let token = &summary.tokens[0];
    assert!(token.waiting_for_default.is_empty(), "{token:?}");
    assert_eq!(
        token.by_status.iter().map(|s| s.1).sum::<u64>(),
        6,
        "{token:?}"
    );

    // A failed sync counts.
    s.sim.set_faults(Faults {
        errors: vec![depot_sim::ErrorBurst {
            status: 500,
            count: 1_000,
            path: None,
            body: None,
            retry_after_seconds: None,
            retry_after_as_date: false,
        }],
        ..Faults::default()
    });
    s.clock.set(NOW + DAY);
    let _ = s
        .depot
        .sync_token(s.token, SyncRequest::manual(false), &|_| {})
        .await;
    let summary = s.depot.dashboard_summary().unwrap();
    assert_eq!(summary.tokens[0].sync.failures_since_success, 1);
    assert_eq!(summary.tokens[0].sync.failures_30_days, 1);
    assert!(summary.tokens[0].sync.last_error.is_some());
}
