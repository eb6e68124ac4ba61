//! SIM-4: fault switches and the request log.

use std::time::{Duration, Instant};

use depot_sim::{ErrorBurst, Faults, ServerSpec};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn scripted_errors_answer_in_order_with_retry_after() {
    let sim = start(5).await;
    let mut api = Api::login(&sim, SERVER).await;
    sim.update_faults(|f| {
        f.errors = vec![
            ErrorBurst::new(503, 2).retry_after(7),
            ErrorBurst::new(429, 1),
            ErrorBurst::new(401, 1),
            ErrorBurst::new(403, 1),
            ErrorBurst::new(500, 1),
        ];
    });
    for _ in 0..2 {
        let r = api.call("GET", "/account", None).await;
        r.assert_error(503, "SERVER_ERROR");
        assert_eq!(r.header("retry-after").as_deref(), Some("7"));
    }
    let r = api.call("GET", "/account", None).await;
    r.assert_error(429, "TOO_MANY_REQUESTS");
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    api.call("GET", "/account", None)
        .await
        .assert_error(401, "UNAUTHORIZED");
    api.call("GET", "/account", None)
        .await
        .assert_error(403, "FORBIDDEN");
    api.call("GET", "/account", None)
        .await
        .assert_error(500, "SERVER_ERROR");
    assert_eq!(api.call("GET", "/account", None).await.status, 200);
    assert!(sim.faults().errors.is_empty(), "bursts are consumed");
}

#[tokio::test]
async fn errors_can_target_one_path_and_come_from_the_builder() {
    let sim = builder(5)
        .faults(Faults {
            errors: vec![ErrorBurst::new(500, 1).on_path("/devices/sync")],
            ..Faults::default()
        })
        .start()
        .await
        .unwrap();
    let mut api = Api::login(&sim, SERVER).await;
    let (_, cursor, _) = api.fetch_all(100).await;
    assert_eq!(api.call("GET", "/account", None).await.status, 200);
    api.sync(&cursor, 10)
        .await
        .assert_error(500, "SERVER_ERROR");
    assert_eq!(api.sync(&cursor, 10).await.status, 200);
}

#[tokio::test]
async fn terms_not_signed_and_access_denied() {
    let sim = start(5).await;
    let mut api = Api::login(&sim, SERVER).await;
    let creds = sim.credentials(SERVER).unwrap();
    sim.update_faults(|f| f.t_c_not_signed = true);
    api.call("GET", "/account", None)
        .await
        .assert_error(403, "T_C_NOT_SIGNED");
    api.session_call(&creds, sim.now(), &fresh_nonce())
        .await
        .assert_error(403, "T_C_NOT_SIGNED");
    sim.set_faults(Faults {
        access_denied: true,
        ..Faults::default()
    });
    api.call("GET", "/account", None)
        .await
        .assert_error(403, "ACCESS_DENIED");
    api.session_call(&creds, sim.now(), &fresh_nonce())
        .await
        .assert_error(403, "ACCESS_DENIED");
    sim.set_faults(Faults::default());
    assert_eq!(api.call("GET", "/account", None).await.status, 200);
}

#[tokio::test]
async fn faults_can_be_scoped_to_servers() {
    let sim = builder(5)
        .server(ServerSpec::new("Other", "Acme Corp", 5))
        .start()
        .await
        .unwrap();
    let mut east = Api::login(&sim, SERVER).await;
    let mut other = Api::login(&sim, "Other").await;
    sim.set_faults(Faults {
        servers: vec!["Other".into()],
        t_c_not_signed: true,
        ..Faults::default()
    });
    assert_eq!(east.call("GET", "/account", None).await.status, 200);
    other
        .call("GET", "/account", None)
        .await
        .assert_error(403, "T_C_NOT_SIGNED");
}

#[tokio::test]
async fn sessions_expire_after_n_calls() {
    let sim = start(5).await;
    sim.update_faults(|f| f.expire_sessions_after_calls = Some(3));
    for _round in 0..2 {
        let mut api = Api::login(&sim, SERVER).await;
        for _ in 0..3 {
            assert_eq!(api.call("GET", "/account", None).await.status, 200);
        }
        api.call("GET", "/account", None)
            .await
            .assert_error(401, "UNAUTHORIZED");
    }
}

#[tokio::test]
async fn dropped_connections_get_no_answer() {
    let sim = start(5).await;
    let mut api = Api::login(&sim, SERVER).await;
    sim.update_faults(|f| f.drop_connections = 1);
    let err = api
        .http
        .get(format!("{}/account", sim.base_url()))
        .header("User-Agent", UA)
        .header("X-ADM-Auth-Session", api.session.clone().unwrap())
        .send()
        .await
        .expect_err("the connection is closed without a response");
    assert!(
        err.is_request() || err.is_connect() || err.is_body(),
        "{err:?}"
    );
    assert_eq!(api.call("GET", "/account", None).await.status, 200);
    let log = sim.request_log();
    let dropped: Vec<_> = log.iter().filter(|e| e.dropped).collect();
    assert_eq!(dropped.len(), 1);
    assert_eq!(
        (dropped[0].path.as_str(), dropped[0].status),
        ("/account", 0)
    );
}

#[tokio::test]
async fn latency_delays_answers() {
    let sim = start(5).await;
    let mut api = Api::login(&sim, SERVER).await;
    sim.update_faults(|f| f.latency_ms = 120);
    let t = Instant::now();
    assert_eq!(api.call("GET", "/account", None).await.status, 200);
    // A lower bound only: the answer cannot come before the delay.
    assert!(t.elapsed() >= Duration::from_millis(120));
}

#[tokio::test]
async fn request_log_records_what_clients_did() {
    let sim = start(5).await;
    sim.clear_request_log();
    let mut api = Api::login(&sim, SERVER).await;
    let body = json!({ "limit": 3 });
    api.call("POST", "/server/devices", Some(body.clone()))
        .await;
    api.sync("garbage", 5).await;
    let log = sim.request_log();
    let summary: Vec<(&str, &str, u16, Option<&str>)> = log
        .iter()
        .map(|e| {
            (
                e.method.as_str(),
                e.path.as_str(),
                e.status,
                e.error_code.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("GET", "/session", 200, None),
            ("POST", "/server/devices", 200, None),
            ("POST", "/devices/sync", 400, Some("INVALID_CURSOR")),
        ]
    );
    assert!(log.iter().all(|e| e.server.as_deref() == Some(SERVER)));
    assert!(log.iter().all(|e| e.user_agent.as_deref() == Some(UA)));
    assert_eq!(log[1].protocol_version.as_deref(), Some("10"));
    assert_eq!(
        log[1].content_type.as_deref(),
        Some("application/json;charset=UTF8")
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&log[1].body).unwrap(),
        body
    );
    assert!(!log[0].had_session_header && log[1].had_session_header);
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    sim.clear_request_log();
    assert!(sim.request_log().is_empty());
}

#[tokio::test]
async fn answers_carry_the_simulated_date_retry_after_dates_and_padding() {
    let sim = start(5).await;
    let mut api = Api::login(&sim, SERVER).await;
    let r = api.call("GET", "/account", None).await;
    assert_eq!(
        r.header("date").as_deref(),
        Some("Thu, 01 Jan 2026 00:00:00 GMT")
    );
    sim.advance_clock(Duration::from_secs(600));
    let r = api.call("GET", "/account", None).await;
    assert_eq!(
        r.header("date").as_deref(),
        Some("Thu, 01 Jan 2026 00:10:00 GMT"),
        "the header follows the simulated clock"
    );

    sim.update_faults(|f| {
        f.errors = vec![ErrorBurst::new(503, 1).retry_after_date(60)];
    });
    let r = api.call("GET", "/account", None).await;
    r.assert_error(503, "SERVER_ERROR");
    assert_eq!(
        r.header("retry-after").as_deref(),
        Some("Thu, 01 Jan 2026 00:11:00 GMT")
    );

    sim.update_faults(|f| f.pad_answers_bytes = 10_000);
    let r = api.call("GET", "/account", None).await;
    assert_eq!(r.status, 200);
    assert!(r.text.len() > 10_000, "{}", r.text.len());
    let account: serde_json::Value = serde_json::from_str(&r.text).unwrap();
    assert_eq!(account["server_name"], SERVER);
}
