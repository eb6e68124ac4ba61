//! The client against the simulator over loopback, with the simulator's clock
//! and Depot's clock set to the same instant.

use std::sync::Arc;
use std::time::Duration;

use depot_domain::DeviceOp;
use depot_domain::{FixedClock, SecretString};
use depot_sim::{ErrorBurst, Faults, RunningSim, ServerSpec, Simulator};

use super::*;
use crate::{AppleHosts, AppleUrl};

const NOW: i64 = 1_790_000_000;

async fn sim() -> RunningSim {
    Simulator::builder()
        .seed(7)
        .server(ServerSpec::new("Sales-East", "Acme Corp", 25))
        .server(ServerSpec::new("Campus", "Springfield Schools", 5))
        .clock_start(NOW)
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
    let url = AppleUrl::parse(sim.base_url(), AppleHosts::AllowTestHosts).unwrap();
    AppleClient::new(&url, creds, Arc::new(FixedClock::at(NOW)))
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

/// Records the client's waits and returns at once.
#[derive(Default)]
struct Recorded(std::sync::Mutex<Vec<Duration>>);

impl Recorded {
    fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl Pause for Recorded {
    fn pause(
        &self,
        wait: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        self.0.lock().unwrap().push(wait);
        Box::pin(std::future::ready(()))
    }
}

const FAST: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_millis(1),
    max_delay: Duration::from_millis(5),
    max_wait: Duration::from_secs(300),
};

/// Three tries, waits recorded instead of slept.
fn fast(client: AppleClient) -> AppleClient {
    fast_with(client).0
}

fn fast_with(client: AppleClient) -> (AppleClient, Arc<Recorded>) {
    let waits = Arc::new(Recorded::default());
    let client = client
        .with_retry_policy(FAST)
        .with_pause(Arc::clone(&waits) as Arc<dyn Pause>);
    (client, waits)
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

fn count(sim: &RunningSim, method: &str, path: &str) -> usize {
    sim.request_log()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

#[tokio::test]
async fn a_redirect_is_an_error_and_never_followed() {
    let sim = sim().await;
    let elsewhere = Simulator::builder()
        .server(ServerSpec::new("Sales-East", "Acme Corp", 1))
        .start()
        .await
        .unwrap();
    sim.set_faults(Faults {
        redirect_to: Some(format!("{}/session", elsewhere.base_url())),
        ..Faults::default()
    });
    let err = client(&sim, "Sales-East").account().await.unwrap_err();
    match &err {
        AppleError::Redirect {
            endpoint,
            status,
            location,
        } => {
            assert_eq!((endpoint.as_str(), *status), ("/session", 307));
            assert!(
                location
                    .as_deref()
                    .unwrap()
                    .starts_with(elsewhere.base_url())
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("does not follow redirects"),
        "{err}"
    );
    assert_eq!(count(&sim, "GET", "/session"), 1, "not retried either");
    assert!(
        elsewhere.request_log().is_empty(),
        "the redirect was followed"
    );
}

#[tokio::test]
async fn answers_bigger_than_the_endpoints_cap_are_refused() {
    let sim = sim().await;
    let client = client(&sim, "Sales-East");
    client.account().await.unwrap();
    // Over the cap of /account, well under the cap of a device page.
    let padding = max_answer::ACCOUNT + 1;
    sim.set_faults(Faults {
        pad_answers_bytes: padding as u64,
        ..Faults::default()
    });
    let err = client.account().await.unwrap_err();
    assert!(
        matches!(&err, AppleError::TooLarge { endpoint, limit } if endpoint == "/account" && *limit == max_answer::ACCOUNT),
        "{err:?}"
    );
    assert!(err.to_string().contains("larger than"), "{err}");
    let page = client.fetch_devices(None, 10).await.unwrap();
    assert_eq!(page.changes.len(), 10);

    sim.set_faults(Faults {
        pad_answers_bytes: max_answer::DEVICE_PAGE as u64,
        ..Faults::default()
    });
    let err = client.fetch_devices(None, 10).await.unwrap_err();
    assert!(matches!(err, AppleError::TooLarge { .. }), "{err:?}");
}

/// A server that answers every request with an endless chunked body (no
/// `Content-Length`), counting what it wrote.
async fn endless_server() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let written = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&written);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
                // Stops when the client hangs up (or after 1 GiB).
                for _ in 0..16_384 {
                    if stream.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                    counter.fetch_add(0x10000, std::sync::atomic::Ordering::SeqCst);
                }
            });
        }
    });
    (url, written)
}

#[tokio::test]
async fn an_endless_answer_is_cut_off_at_the_cap() {
    let (url, written) = endless_server().await;
    let sim = sim().await;
    let mut client = client(&sim, "Sales-East");
    client.base_url = url;
    *client.session.lock().await = Some(SecretString::new("session"));
    let err = client.account().await.unwrap_err();
    assert!(
        matches!(err, AppleError::TooLarge { limit, .. } if limit == max_answer::ACCOUNT),
        "{err:?}"
    );
    // The client stopped reading soon after the cap, not at the end of the body.
    let sent = written.load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < 64 * 1024 * 1024, "{sent} bytes were read");
}

#[tokio::test]
async fn a_profile_that_may_have_reached_apple_is_not_sent_again() {
    let sim = sim().await;
    let (client, waits) = fast_with(client(&sim, "Sales-East"));
    client.account().await.unwrap();
    let profile =
        serde_json::json!({ "profile_name": "Staff", "url": "https://mdm.example.com/enroll" });

    // The connection breaks after the request was read: Apple may have made it.
    sim.set_faults(Faults {
        drop_connections: 1,
        ..Faults::default()
    });
    let err = client.define_profile(&profile).await.unwrap_err();
    assert!(matches!(err, AppleError::Uncertain { .. }), "{err:?}");
    assert!(err.to_string().contains("did not send it again"), "{err}");
    assert_eq!(count(&sim, "POST", "/profile"), 1);

    // A 5xx may come after Apple created it: not repeated either.
    sim.set_faults(Faults {
        errors: vec![ErrorBurst::new(503, 1).on_path("/profile").retry_after(1)],
        ..Faults::default()
    });
    let err = client.define_profile(&profile).await.unwrap_err();
    assert!(
        matches!(err, AppleError::Status { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(count(&sim, "POST", "/profile"), 2);
    assert!(waits.waits().is_empty(), "{:?}", waits.waits());

    // The same faults on a read are tried again.
    sim.set_faults(Faults {
        drop_connections: 1,
        errors: vec![ErrorBurst::new(503, 1).on_path("/account").retry_after(1)],
        ..Faults::default()
    });
    client.account().await.unwrap();
    assert_eq!(waits.waits().len(), 2);

    sim.set_faults(Faults::default());
    client.define_profile(&profile).await.unwrap();
    assert_eq!(sim.profiles("Sales-East").unwrap().len(), 1);
}

#[tokio::test]
async fn a_profile_is_sent_again_when_the_connection_never_opened() {
    // A port nobody listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let sim = sim().await;
    let (mut client, waits) = fast_with(client(&sim, "Sales-East"));
    client.base_url = closed.clone();
    *client.session.lock().await = Some(SecretString::new("session"));
    let err = client
        .define_profile(&serde_json::json!({ "profile_name": "Staff" }))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppleError::Unreachable { url, .. } if url.starts_with(&closed)),
        "{err:?}"
    );
    assert_eq!(waits.waits().len(), 2, "three tries in all");
}

#[tokio::test]
async fn retry_after_is_honoured_in_seconds_and_as_a_date() {
    let sim = sim().await;
    let (client, waits) = fast_with(client(&sim, "Sales-East"));
    client.account().await.unwrap();
    sim.set_faults(Faults {
        errors: vec![
            ErrorBurst::new(429, 1).on_path("/account").retry_after(30),
            ErrorBurst::new(503, 1)
                .on_path("/account")
                .retry_after_date(90),
        ],
        ..Faults::default()
    });
    client.account().await.unwrap();
    assert_eq!(
        waits.waits(),
        [Duration::from_secs(30), Duration::from_secs(90)],
        "exactly what Apple asked, read against the injected clock"
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_runs_time_stops_the_call() {
    let sim = sim().await;
    let (client, waits) = fast_with(client(&sim, "Sales-East"));
    client.account().await.unwrap();
    // Longer than max_wait (300 s).
    sim.set_faults(Faults {
        errors: vec![ErrorBurst::new(503, 1).on_path("/account").retry_after(600)],
        ..Faults::default()
    });
    let err = client.account().await.unwrap_err();
    assert!(
        matches!(err, AppleError::Busy { status: 503, retry_at, .. } if retry_at == NOW + 600),
        "{err:?}"
    );
    assert!(err.to_string().contains("Try again after"), "{err}");
    assert!(waits.waits().is_empty());
    assert_eq!(count(&sim, "GET", "/account"), 2);

    // Within max_wait but past the run's deadline.
    let client = client.with_deadline(UnixSeconds::new(NOW + 60));
    sim.set_faults(Faults {
        errors: vec![
            ErrorBurst::new(429, 1)
                .on_path("/account")
                .retry_after_date(120),
        ],
        ..Faults::default()
    });
    let err = client.account().await.unwrap_err();
    assert!(
        matches!(err, AppleError::Busy { status: 429, retry_at, .. } if retry_at == NOW + 120),
        "{err:?}"
    );
    assert!(waits.waits().is_empty());
}

async fn skewed_sim(ahead: i64) -> RunningSim {
    Simulator::builder()
        .seed(7)
        .server(ServerSpec::new("Sales-East", "Acme Corp", 5))
        .clock_start(NOW + ahead)
        .frozen_clock(true)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_401_from_a_wrong_clock_is_reported_as_clock_skew() {
    // Apple is an hour ahead of this computer: the OAuth timestamp is refused.
    let sim = skewed_sim(3600).await;
    let err = client(&sim, "Sales-East").account().await.unwrap_err();
    match err {
        AppleError::ClockSkew { apple, ours } => assert_eq!((apple, ours), (NOW + 3600, NOW)),
        other => panic!("{other:?}"),
    }
    assert!(err_text(&sim).await.contains("60 minutes off"));

    // Two minutes apart is not skew: a refused token is still a refused token.
    let sim = skewed_sim(120).await;
    let mut wrong = client(&sim, "Sales-East");
    wrong.credentials.access_secret = SecretString::new("AS_not_the_secret");
    let err = wrong.account().await.unwrap_err();
    assert!(matches!(err, AppleError::Rejected), "{err:?}");
}

async fn err_text(sim: &RunningSim) -> String {
    let err = client(sim, "Sales-East").account().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("clock"), "{text}");
    text
}

#[test]
fn protocol_10_facts_are_read_leniently() {
    let long = "9".repeat(65);
    let many: Vec<String> = (0..20).map(|i| format!("3500000000000{i:02}")).collect();
    let page = format!(
        r#"{{"cursor": "c", "devices": [
            {{"serial_number": "C02AAA0001", "imei": ["351234567890123", "351234567890123", 5, "<b>", "{long}"],
              "meid": "A0000012345678", "eid": "89049032000000000000000000000001",
              "wifi_mac_address": "f0:18:98:aa:bb:cc", "bluetooth_mac_address": {{"x": 1}},
              "ethernet_mac_address": "", "is_replacement_device": "true"}},
            {{"serial_number": "C02AAA0002", "imei": {many}, "is_replacement_device": 1,
              "released_by_replacement": false, "op_type": "deleted"}},
            {{"serial_number": "C02AAA0003", "imei": null, "eid": 7, "meid": [[["x"]], {{"a": [1]}}],
              "wifi_mac_address": "a\u0000b", "ethernet_mac_address": "\u202E00:11:22:33:44:55"}}
        ]}}"#,
        many = serde_json::to_string(&many).unwrap()
    );
    let wire: DevicePageWire = decode("/devices/sync", &page).unwrap();
    let changes: Vec<DeviceChange> = wire
        .devices
        .unwrap()
        .into_iter()
        .filter_map(DeviceWire::into_change)
        .collect();
    assert_eq!(changes.len(), 3, "a bad fact never loses the record");
    let first = &changes[0].record.facts;
    assert_eq!(
        first.imei,
        ["351234567890123"],
        "repeats and bad entries dropped"
    );
    assert_eq!(
        first.meid,
        ["A0000012345678"],
        "a lone string is a list of one"
    );
    assert_eq!(
        first.eid.as_deref(),
        Some("89049032000000000000000000000001")
    );
    assert_eq!(first.wifi_mac.as_deref(), Some("f0:18:98:aa:bb:cc"));
    assert_eq!(first.bluetooth_mac, None);
    assert_eq!(first.ethernet_mac, None);
    assert_eq!(first.is_replacement, Some(true));
    let second = &changes[1].record.facts;
    assert_eq!(
        second.imei.len(),
        depot_domain::device::MAX_IDENTIFIERS_PER_LIST
    );
    assert_eq!(second.is_replacement, None, "1 is not a boolean");
    assert_eq!(second.released_by_replacement, Some(false));
    assert!(changes[2].record.facts.is_empty());
}

#[tokio::test]
async fn devices_carry_protocol_10_facts_and_replacements_their_details() {
    let sim = Simulator::builder()
        .seed(7)
        .server(ServerSpec::new("Big", "Acme Corp", 400))
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap();
    let client = client(&sim, "Big");
    let page = client.fetch_devices(None, 1000).await.unwrap();
    assert_eq!(page.changes.len(), 400);
    let facts = |c: &DeviceChange| c.record.facts.clone();
    assert!(page.changes.iter().all(|c| facts(c).wifi_mac.is_some()));
    assert!(
        page.changes
            .iter()
            .any(|c| !facts(c).imei.is_empty() && facts(c).eid.is_some())
    );
    let replacement = page
        .changes
        .iter()
        .find(|c| facts(c).is_replacement == Some(true))
        .expect("about 1 in 64 devices is a replacement");
    let details = client
        .replacement_details(&replacement.record.serial)
        .await
        .unwrap()
        .expect("a replacement has details");
    assert!(details.original_serial.is_some());
    let day = details.replaced_on.unwrap();
    assert_eq!((day.len(), &day[4..5], &day[7..8]), (10, "-", "-"));
    let plain = page
        .changes
        .iter()
        .find(|c| facts(c).is_replacement == Some(false))
        .unwrap();
    assert_eq!(
        client
            .replacement_details(&plain.record.serial)
            .await
            .unwrap(),
        None,
        "DEVICE_NOT_FOUND: no replacement"
    );
}
