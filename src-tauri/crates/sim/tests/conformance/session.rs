//! Spec §2: OAuth 1.0a `/session`, session use, rotation, expiry, User-Agent.

use std::time::Duration;

use depot_sim::{Credentials, ServerSpec, Simulator};

use crate::support::*;

fn vector_credentials() -> Credentials {
    Credentials {
        consumer_key: "CK_test".into(),
        consumer_secret: "CS_secret".into(),
        access_token: "AT_test".into(),
        access_secret: "AS_secret".into(),
        access_token_expiry: "2030-01-01T00:00:00Z".into(),
    }
}

/// Spec §2.2's vector, signed for https://mdmenrollment.apple.com/session, is
/// accepted; replaying its nonce is not.
#[tokio::test]
async fn spec_test_vector_verifies() {
    let sim = Simulator::builder()
        .clock_start(1_700_000_000)
        .frozen_clock(true)
        .server(ServerSpec::new("vector", "Org", 3).with_credentials(vector_credentials()))
        .start()
        .await
        .unwrap();
    let api = Api::new(&sim);
    let header = "OAuth realm=\"ADM\", oauth_consumer_key=\"CK_test\", oauth_token=\"AT_test\", \
        oauth_signature_method=\"HMAC-SHA1\", oauth_signature=\"yKMo0l5IPgIm%2B6%2FwaA0kXXRMqkQ%3D\", \
        oauth_timestamp=\"1700000000\", oauth_nonce=\"abc123\", oauth_version=\"1.0\"";
    let r = api.raw("GET", "/session", Some(header.into()), None).await;
    assert_eq!(r.status, 200, "{r:?}");
    let token = r.json()["auth_session_token"].as_str().unwrap().to_string();
    assert!(!token.is_empty());
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json;charset=UTF8")
    );
    // Same nonce again: refused.
    let again = api.raw("GET", "/session", Some(header.into()), None).await;
    again.assert_error(401, "UNAUTHORIZED");
    // The test signer reproduces the vector's signature.
    let ours = oauth_header(
        &vector_credentials(),
        "https://mdmenrollment.apple.com/session",
        1_700_000_000,
        "abc123",
        true,
    );
    assert!(
        ours.contains("oauth_signature=\"yKMo0l5IPgIm%2B6%2FwaA0kXXRMqkQ%3D\""),
        "{ours}"
    );
}

#[tokio::test]
async fn signed_for_own_url_with_or_without_realm() {
    let sim = start(5).await;
    let api = Api::new(&sim);
    let creds = sim.credentials(SERVER).unwrap();
    let url = format!("{}/session", sim.base_url());
    let ts = sim.now();
    for realm in [true, false] {
        let h = oauth_header(&creds, &url, ts, &fresh_nonce(), realm);
        let r = api.raw("GET", "/session", Some(h), None).await;
        assert_eq!(r.status, 200, "{r:?}");
    }
}

#[tokio::test]
async fn bad_credentials_are_401() {
    let sim = start(5).await;
    let api = Api::new(&sim);
    let good = sim.credentials(SERVER).unwrap();
    let ts = sim.now();
    let cases: Vec<(&str, Credentials, i64)> = vec![
        (
            "wrong consumer key",
            Credentials {
                consumer_key: "CK_nope".into(),
                ..good.clone()
            },
            ts,
        ),
        (
            "wrong access token",
            Credentials {
                access_token: "AT_nope".into(),
                ..good.clone()
            },
            ts,
        ),
        (
            "wrong consumer secret (bad signature)",
            Credentials {
                consumer_secret: "CS_nope".into(),
                ..good.clone()
            },
            ts,
        ),
        (
            "wrong access secret (bad signature)",
            Credentials {
                access_secret: "AS_nope".into(),
                ..good.clone()
            },
            ts,
        ),
        ("timestamp too old", good.clone(), ts - 301),
        ("timestamp too new", good.clone(), ts + 301),
    ];
    for (what, creds, ts) in cases {
        let r = api.session_call(&creds, ts, &fresh_nonce()).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (401, "UNAUTHORIZED"),
            "{what}"
        );
    }
    let r = api.session_call(&good, ts - 299, &fresh_nonce()).await;
    assert_eq!(r.status, 200, "inside the window: {r:?}");
    // A reused nonce is refused even with a valid signature.
    let nonce = fresh_nonce();
    assert_eq!(api.session_call(&good, ts, &nonce).await.status, 200);
    api.session_call(&good, ts, &nonce)
        .await
        .assert_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn malformed_oauth_is_400_and_missing_header_401() {
    let sim = start(5).await;
    let api = Api::new(&sim);
    let creds = sim.credentials(SERVER).unwrap();
    let url = format!("{}/session", sim.base_url());
    let good = oauth_header(&creds, &url, sim.now(), &fresh_nonce(), true);
    let variants = [
        good.replace("HMAC-SHA1", "PLAINTEXT"),
        good.replace(", oauth_nonce=", ", oauth_callback=\"x\", oauth_nonce="),
        format!("{good}, oauth_nonce=\"again\""),
        good.split(", oauth_nonce=").next().unwrap().to_string(),
    ];
    for h in variants {
        let r = api.raw("GET", "/session", Some(h.clone()), None).await;
        assert_eq!(r.status, 400, "{h}: {r:?}");
    }
    api.raw("GET", "/session", None, None)
        .await
        .assert_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn expired_server_token_is_401() {
    let sim = start(5).await;
    let api = Api::new(&sim);
    let creds = sim.credentials(SERVER).unwrap();
    sim.advance_clock(Duration::from_secs(366 * 24 * 3600));
    api.session_call(&creds, sim.now(), &fresh_nonce())
        .await
        .assert_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn session_rules_missing_unknown_expired() {
    let sim = builder(5)
        .session_ttl(Duration::from_secs(60))
        .rotate_sessions(false)
        .start()
        .await
        .unwrap();
    let mut api = Api::new(&sim);
    api.call("GET", "/account", None)
        .await
        .assert_error(401, "UNAUTHORIZED");
    api.session = Some("0123456789ABCDEF".into());
    api.call("GET", "/account", None)
        .await
        .assert_error(403, "FORBIDDEN");

    let mut api = Api::login(&sim, SERVER).await;
    let r = api.call("GET", "/account", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-adm-auth-session"), None, "rotation is off");
    sim.advance_clock(Duration::from_secs(61));
    api.call("GET", "/account", None)
        .await
        .assert_error(401, "UNAUTHORIZED");

    let mut api = Api::login(&sim, SERVER).await;
    sim.expire_sessions();
    api.call("GET", "/account", None)
        .await
        .assert_error(401, "UNAUTHORIZED");
    let mut api = Api::login(&sim, SERVER).await;
    sim.forget_sessions();
    api.call("GET", "/account", None)
        .await
        .assert_error(403, "FORBIDDEN");
}

/// Each authenticated answer carries a new token; following it keeps the
/// client alive past the first token's lifetime.
#[tokio::test]
async fn sessions_rotate_through_the_response_header() {
    let sim = builder(5)
        .session_ttl(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let mut api = Api::login(&sim, SERVER).await;
    let first = api.session.clone().unwrap();
    let r = api.call("GET", "/account", None).await;
    let rotated = r.header("x-adm-auth-session").expect("rotated token");
    assert_ne!(rotated, first);
    for _ in 0..3 {
        sim.advance_clock(Duration::from_secs(45));
        assert_eq!(api.call("GET", "/account", None).await.status, 200);
    }
    // The first token has expired by now.
    api.session = Some(first);
    api.call("GET", "/account", None)
        .await
        .assert_error(401, "UNAUTHORIZED");
    let log = sim.request_log();
    assert!(
        log.iter()
            .filter(|e| e.path == "/account" && e.status == 200)
            .all(|e| e.rotated_session)
    );
}

#[tokio::test]
async fn user_agent_is_required_everywhere() {
    let sim = start(5).await;
    let mut api = Api::login(&sim, SERVER).await;
    for ua in [None, Some("  ".to_string())] {
        api.user_agent = ua;
        api.call("GET", "/account", None)
            .await
            .assert_error(400, "USER_AGENT_MISSING");
        api.call("POST", "/server/devices", Some(serde_json::json!({})))
            .await
            .assert_error(400, "USER_AGENT_MISSING");
        let creds = sim.credentials(SERVER).unwrap();
        api.session_call(&creds, sim.now(), &fresh_nonce())
            .await
            .assert_error(400, "USER_AGENT_MISSING");
    }
}

#[tokio::test]
async fn quoted_errors_switch() {
    let sim = builder(5).quoted_errors(true).start().await.unwrap();
    let mut api = Api::new(&sim);
    let r = api.call("GET", "/account", None).await;
    assert_eq!((r.status, r.text.as_str()), (401, "\"UNAUTHORIZED\""));
    let sim = start(5).await;
    let mut api = Api::new(&sim);
    let r = api.call("GET", "/account", None).await;
    assert_eq!((r.status, r.text.as_str()), (401, "UNAUTHORIZED"));
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json;charset=UTF8")
    );
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods() {
    let sim = start(5).await;
    let mut api = Api::login(&sim, SERVER).await;
    api.call("GET", "/nope", None)
        .await
        .assert_error(404, "NOT_FOUND");
    assert_eq!(api.call("GET", "/server/devices", None).await.status, 405);
    assert_eq!(api.call("POST", "/session", None).await.status, 405);
}
