//! The client against the simulator over loopback, with the simulator's clock
//! and Depot's clock set to the same instant.

use std::sync::Arc;

use depot_domain::DeviceOp;
use depot_domain::{FixedClock, SecretString};
use depot_sim::{ErrorBurst, Faults, RunningSim, ServerSpec, Simulator};

use super::*;

const NOW: i64 = 1_790_000_000;

async fn sim() -> RunningSim {
    Simulator::builder()
        .seed(7)
        .server(ServerSpec::new("Sales-East", "Acme Corp", 25))
        .server(ServerSpec::new("Campus", "Springfield Schools", 5))
        .clock_start_ms(NOW * 1000)
        .frozen_clock(true)
        .start()
        .await
        .unwrap()
}

fn client(sim: &RunningSim, server: &str) -> AppleClient {
    let c = sim.credentials(server).unwrap();
    let creds = OAuthCredentials {
        consumer_key: SecretString::new(c.consumer_key),
        consumer_secret: SecretString::new(c.consumer_secret),
        access_token: SecretString::new(c.access_token),
        access_secret: SecretString::new(c.access_secret),
    };
    AppleClient::new(sim.base_url(), creds, Arc::new(FixedClock::at(NOW)))
}

#[tokio::test]
async fn account_reports_the_server_and_org() {
    let sim = sim().await;
    let account = client(&sim, "Campus").account().await.unwrap();
    assert_eq!(account.server_name, "Campus");
    assert_eq!(account.org_name, "Springfield Schools");
    assert!(!account.server_uuid.is_empty());
    let summary = sim
        .servers()
        .into_iter()
        .find(|s| s.name == "Campus")
        .unwrap();
    assert_eq!(account.server_uuid, summary.server_uuid);

    let log = sim.request_log();
    let paths: Vec<_> = log
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.status))
        .collect();
    assert_eq!(paths, [("GET", "/session", 200), ("GET", "/account", 200)]);
    let account_call = &log[1];
    assert!(account_call.had_session_header);
    assert_eq!(account_call.protocol_version.as_deref(), Some("10"));
    assert!(
        account_call
            .user_agent
            .as_deref()
            .unwrap()
            .starts_with("Depot/")
    );
}

#[tokio::test]
async fn a_lost_session_is_renewed_once_and_the_request_retried() {
    let sim = sim().await;
    let client = client(&sim, "Sales-East");
    client.account().await.unwrap();
    sim.forget_sessions(); // the next call gets 403 FORBIDDEN
    client.account().await.unwrap();
    sim.expire_sessions(); // the next call gets 401 UNAUTHORIZED
    client.account().await.unwrap();
    let sessions = sim
        .request_log()
        .iter()
        .filter(|r| r.path == "/session")
        .count();
    assert_eq!(sessions, 3);
}

#[tokio::test]
async fn a_second_401_is_not_retried_forever() {
    let sim = sim().await;
    sim.set_faults(Faults {
        errors: vec![ErrorBurst::new(401, 5).on_path("/account")],
        ..Faults::default()
    });
    let err = client(&sim, "Sales-East").account().await.unwrap_err();
    assert!(
        matches!(err, AppleError::Status { status: 401, .. }),
        "{err:?}"
    );
    let accounts = sim
        .request_log()
        .iter()
        .filter(|r| r.path == "/account")
        .count();
    assert_eq!(accounts, 2, "one try and one retry");
}

#[tokio::test]
async fn apple_verdicts_become_typed_errors() {
    let sim = sim().await;
    sim.set_faults(Faults {
        t_c_not_signed: true,
        ..Faults::default()
    });
    let err = client(&sim, "Sales-East").account().await.unwrap_err();
    assert!(matches!(err, AppleError::TermsNotAccepted), "{err:?}");

    sim.set_faults(Faults {
        access_denied: true,
        ..Faults::default()
    });
    let err = client(&sim, "Sales-East").account().await.unwrap_err();
    assert!(matches!(err, AppleError::AccessDenied), "{err:?}");

    sim.set_faults(Faults::default());
    let mut wrong = client(&sim, "Sales-East");
    wrong.credentials.access_secret = SecretString::new("AS_not_the_secret");
    let err = wrong.account().await.unwrap_err();
    assert!(matches!(err, AppleError::Rejected), "{err:?}");
    assert!(!err.to_string().contains("AS_not_the_secret"));
}

#[tokio::test]
async fn an_unreachable_host_is_reported_with_its_url() {
    let sim = sim().await;
    let url = sim.base_url().to_owned();
    let client = fast(client(&sim, "Sales-East"));
    sim.shutdown().await;
    let err = client.account().await.unwrap_err();
    match err {
        AppleError::Unreachable { url: reported, .. } => assert!(reported.starts_with(&url)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn error_bodies_parse_bare_or_quoted() {
    assert_eq!(error_code("T_C_NOT_SIGNED"), "T_C_NOT_SIGNED");
    assert_eq!(error_code("\"FORBIDDEN\"\n"), "FORBIDDEN");
    assert_eq!(error_code("<html>oops</html>"), "");
    assert_eq!(error_code(""), "");
}

#[test]
fn decode_errors_name_the_json_path() {
    let err = decode::<AccountWire>("/account", r#"{"server_name": 5}"#).unwrap_err();
    match err {
        AppleError::Decode { path, .. } => assert_eq!(path, "server_name"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn admin_id_falls_back_to_facilitator_id() {
    let wire: AccountWire = serde_json::from_str(
        r#"{"server_name":"s","server_uuid":"u","org_name":"o","admin_id":"","facilitator_id":"f@example.com"}"#,
    )
    .unwrap();
    assert_eq!(
        AccountInfo::from(wire).admin_id.as_deref(),
        Some("f@example.com")
    );
}

fn fast(client: AppleClient) -> AppleClient {
    client.with_retry_policy(RetryPolicy {
        max_attempts: 3,
        base_delay: std::time::Duration::from_millis(1),
        max_delay: std::time::Duration::from_millis(5),
    })
}

#[tokio::test]
async fn a_full_fetch_pages_until_done_then_the_cursor_is_exhausted() {
    let sim = sim().await;
    let client = client(&sim, "Sales-East");
    let mut cursor: Option<String> = None;
    let mut serials = Vec::new();
    let mut pages = 0;
    loop {
        let page = client.fetch_devices(cursor.as_deref(), 10).await.unwrap();
        pages += 1;
        assert!(
            page.changes.iter().all(|c| c.op == DeviceOp::Listed),
            "fetch has no op_type"
        );
        serials.extend(page.changes.iter().map(|c| c.record.serial.to_string()));
        cursor = Some(page.cursor);
        if !page.more_to_follow {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(serials, sim.serials("Sales-East", 0, 100).unwrap());
    let err = client
        .fetch_devices(cursor.as_deref(), 10)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppleError::Cursor(CursorError::Exhausted)),
        "{err:?}"
    );

    // Sync from the final cursor sees scripted changes with their op types.
    let report = sim
        .apply_changes(
            "Sales-East",
            depot_sim::ChangeBatch {
                added: 2,
                modified: 1,
                released: 1,
                set_up: 0,
            },
        )
        .unwrap();
    let page = client
        .sync_devices(cursor.as_deref().unwrap(), 100)
        .await
        .unwrap();
    let ops = |op: DeviceOp| page.changes.iter().filter(|c| c.op == op).count();
    assert_eq!((ops(DeviceOp::Added), ops(DeviceOp::Deleted)), (2, 1));
    assert!(ops(DeviceOp::Modified) >= 1);
    assert!(page.changes.iter().all(|c| c.op_date.is_some()));
    let released = &report.released[0];
    assert!(
        page.changes
            .iter()
            .any(|c| c.op == DeviceOp::Deleted && c.record.serial.as_str() == released)
    );

    let err = client
        .sync_devices("bm90IGEgY3Vyc29y", 100)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppleError::Cursor(CursorError::Invalid)),
        "{err:?}"
    );
}

#[tokio::test]
async fn transient_failures_are_retried_within_bounds() {
    let sim = sim().await;
    let client = fast(client(&sim, "Sales-East"));
    client.account().await.unwrap();

    sim.set_faults(Faults {
        errors: vec![ErrorBurst::new(503, 2).on_path("/server/devices")],
        ..Faults::default()
    });
    client.fetch_devices(None, 5).await.unwrap();
    sim.set_faults(Faults {
        errors: vec![
            ErrorBurst::new(429, 1)
                .on_path("/server/devices")
                .retry_after(30),
        ],
        ..Faults::default()
    });
    client.fetch_devices(None, 5).await.unwrap();
    sim.set_faults(Faults {
        drop_connections: 1,
        ..Faults::default()
    });
    client.fetch_devices(None, 5).await.unwrap();

    let fetches: Vec<u16> = sim
        .request_log()
        .iter()
        .filter(|r| r.path == "/server/devices")
        .map(|r| r.status)
        .collect();
    assert_eq!(fetches, [503, 503, 200, 429, 200, 0, 200]);

    // Bounded: after max_attempts the last answer stands.
    sim.set_faults(Faults {
        errors: vec![ErrorBurst::new(500, 10).on_path("/server/devices")],
        ..Faults::default()
    });
    let err = client.fetch_devices(None, 5).await.unwrap_err();
    assert!(
        matches!(err, AppleError::Status { status: 500, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_session_expiring_mid_fetch_is_renewed() {
    let sim = sim().await;
    sim.set_faults(Faults {
        expire_sessions_after_calls: Some(2),
        ..Faults::default()
    });
    let client = client(&sim, "Sales-East");
    let mut cursor: Option<String> = None;
    let mut n = 0;
    loop {
        let page = client.fetch_devices(cursor.as_deref(), 5).await.unwrap();
        n += page.changes.len();
        cursor = Some(page.cursor);
        if !page.more_to_follow {
            break;
        }
    }
    assert_eq!(n, 25);
    assert!(
        sim.request_log()
            .iter()
            .filter(|r| r.path == "/session")
            .count()
            >= 3
    );
}

#[test]
fn timestamps_parse_leniently() {
    assert_eq!(lenient_time("2018-09-08T16:49:09Z"), Some(1_536_425_349));
    assert_eq!(
        lenient_time("2018-09-08T16:49:09+00:00"),
        Some(1_536_425_349)
    );
    assert_eq!(
        lenient_time("2018-09-08T16:49:09+0000"),
        Some(1_536_425_349)
    );
    assert_eq!(
        lenient_time("2018-09-08T18:49:09+0200"),
        Some(1_536_425_349)
    );
    assert_eq!(lenient_time("soon"), None);
}
