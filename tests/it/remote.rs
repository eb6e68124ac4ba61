//! The desktop app's client of `depot serve` (`depot-remote`, issue 14)
//! against a real server with a self-signed certificate: the fingerprint
//! read without sending anything, a pinned sign-in, commands and the event
//! stream, a resumed session, and a wrong pin refused before any request.

use depot_api::ErrorCode;
use depot_remote::{Remote, Saved, probe};
use serde_json::json;

use crate::server::{add_user, start_with};
use crate::support::TestWorkspace;

#[tokio::test]
async fn the_desktop_client_pins_a_self_signed_server_and_forwards_commands() {
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    let ws = ws.to_str().unwrap();
    add_user(&home, ws, "root", "administrator");
    let server = start_with(&home, ws, &["--self-signed"]);
    let url = server.url.clone();
    let printed = server.fingerprint.clone().unwrap();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");

    // First contact: the certificate's fingerprint, nothing sent.
    assert_eq!(probe(&url).await.unwrap(), printed);

    // A wrong pin: refused during the handshake, so the password never leaves.
    let wrong = "00:".repeat(31) + "00";
    let err = Remote::sign_in(&url, Some(&wrong), "root", "a long enough secret")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ServerUnavailable);
    assert!(
        err.message.contains("not the pinned one"),
        "{}",
        err.message
    );
    // Without a pin, the system's CAs do not vouch for a self-signed server.
    let err = Remote::sign_in(&url, None, "root", "a long enough secret")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ServerUnavailable);

    // The right pin, typed in lower case without colons, works.
    let typed = printed.replace(':', "").to_lowercase();
    let (remote, me) = Remote::sign_in(&url, Some(&typed), "root", "a long enough secret")
        .await
        .unwrap();
    assert_eq!(
        (me.name.as_str(), me.role.as_str()),
        ("root", "administrator")
    );
    assert_eq!(
        remote.rpc("tokens.list", json!({})).await.unwrap(),
        json!({"tokens": []})
    );
    // Errors keep their code, as from the local workspace.
    let err = remote
        .rpc("tokens.get", json!({"id": "42"}))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = remote
        .rpc("devices.list", json!({"query": {}, "limit": 0}))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);

    // The event stream opens (and is dropped with the task).
    let listener = remote.clone();
    let events = tokio::spawn(async move { listener.events(|_| {}).await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!events.is_finished(), "the stream stays open");
    events.abort();

    // A kept session resumes after a restart of the app; once signed out, not.
    let saved: Saved = remote.saved();
    let token = remote.token().to_owned();
    let (again, me) = Remote::resume(&saved, &token).await.unwrap();
    assert_eq!(me.name, "root");
    again.sign_out().await;
    let err = Remote::resume(&saved, &token).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);

    // Plain http only to this computer.
    let err = probe("http://depot.example.org").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    drop(server);
}
