//! `depot serve` (issue 14), as a real process on loopback: health, sign-in,
//! sessions (bearer and cookie), CSRF, roles decided in core, sign-out,
//! "sign out everywhere", failed sign-ins slowed, and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestWorkspace, depot, depot_bin, depot_with_stdin, stderr};

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) url: String,
    /// The TLS certificate's fingerprint line, when served over HTTPS.
    pub(crate) fingerprint: Option<String>,
    /// Kept open: the server writes a last line when it stops.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(home: &TestWorkspace, ws: &str) -> Server {
    start_with(home, ws, &[])
}

pub(crate) fn start_with(home: &TestWorkspace, ws: &str, extra: &[&str]) -> Server {
    start_with_env(home, ws, extra, &[])
}

/// [`start_with`] with more environment variables for the server process.
pub(crate) fn start_with_env(
    home: &TestWorkspace,
    ws: &str,
    extra: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
) -> Server {
    // Any free port, unless the caller names one.
    let listen: &[&str] = if extra.contains(&"--listen") {
        &[]
    } else {
        &["--listen", "127.0.0.1:0"]
    };
    let mut child = Command::new(depot_bin())
        .args(["--workspace", ws, "serve"])
        .args(listen)
        .args(extra)
        .env_remove("DEPOT_WORKSPACE")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start depot serve");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    out.read_line(&mut first).expect("read the first line");
    let url = first
        .trim()
        .strip_prefix("Depot server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
        .to_owned();
    let fingerprint = url.starts_with("https://").then(|| {
        let mut line = String::new();
        out.read_line(&mut line).expect("read the fingerprint");
        line.trim()
            .strip_prefix("TLS certificate SHA-256: ")
            .unwrap_or_else(|| panic!("unexpected second line: {line:?}"))
            .to_owned()
    });
    Server {
        child,
        url,
        fingerprint,
        _stdout: out,
    }
}

/// `depot users add NAME --role ROLE` on the workspace `ws`, with the
/// password the tests sign in with.
pub(crate) fn add_user(home: &TestWorkspace, ws: &str, name: &str, role: &str) {
    let out = depot_with_stdin(
        home.path(),
        &[
            "--workspace",
            ws,
            "users",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
        ],
        "a long enough secret\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

pub(crate) async fn rpc(
    client: &reqwest::Client,
    url: &str,
    auth: &[(&str, String)],
    name: &str,
    payload: Value,
) -> (StatusCode, Value) {
    let mut request = client
        .post(format!("{url}/api/v1/rpc"))
        .json(&json!({ "name": name, "payload": payload }));
    for (header, value) in auth {
        request = request.header(*header, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn sign_in(
    client: &reqwest::Client,
    url: &str,
    user: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{url}/api/v1/session"))
        .json(&json!({ "username": user, "password": password }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_server_signs_people_in_and_core_decides_what_they_may_do() {
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    let ws = ws.to_str().unwrap();
    for (name, role) in [("root", "administrator"), ("ana", "help-desk")] {
        add_user(&home, ws, name, role);
    }
    let server = start(&home, ws);
    let url = server.url.clone();
    let client = reqwest::Client::new();

    assert_eq!(
        client
            .get(format!("{url}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        client
            .get(format!("{url}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // No session: 401 for a command and for the event stream.
    let (status, body) = rpc(&client, &url, &[], "tokens.list", json!({})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("UNAUTHENTICATED"))
    );
    assert_eq!(
        client
            .get(format!("{url}/api/v1/events"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // A wrong password is refused like an unknown name.
    for (user, password) in [
        ("ana", "not the password"),
        ("nobody", "a long enough secret"),
    ] {
        let refused = sign_in(&client, &url, user, password).await;
        assert_eq!(refused.status(), 401);
    }

    // Help desk, bearer: reads, but may not delete a token (403, audited).
    let signed = sign_in(&client, &url, "ana", "a long enough secret").await;
    assert_eq!(signed.status(), 200);
    let cookie = signed.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session: Value = signed.json().await.unwrap();
    assert_eq!(session["user"]["role"], "help-desk");
    let token = session["token"].as_str().unwrap().to_owned();
    let bearer = [("authorization", format!("Bearer {token}"))];
    let (status, body) = rpc(&client, &url, &bearer, "tokens.list", json!({})).await;
    assert_eq!((status, &body), (StatusCode::OK, &json!({"tokens": []})));
    let (status, body) = rpc(&client, &url, &bearer, "tokens.delete", json!({"id": "1"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("FORBIDDEN")),
        "{body}"
    );
    let events = client
        .get(format!("{url}/api/v1/events"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert!(
        events.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    drop(events);

    // The same session as a browser cookie: state-changing calls need the CSRF header.
    let as_cookie = format!("depot_session={token}");
    let (status, _) = rpc(
        &client,
        &url,
        &[("cookie", as_cookie.clone())],
        "tokens.list",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = rpc(
        &client,
        &url,
        &[
            ("cookie", as_cookie.clone()),
            ("x-depot-request", "1".into()),
        ],
        "tokens.list",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // An administrator may; errors keep their code and a fitting status.
    let root: Value = sign_in(&client, &url, "root", "a long enough secret")
        .await
        .json()
        .await
        .unwrap();
    let root_bearer = [(
        "authorization",
        format!("Bearer {}", root["token"].as_str().unwrap()),
    )];
    let (status, body) = rpc(
        &client,
        &url,
        &root_bearer,
        "tokens.delete",
        json!({"id": "1"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("NOT_FOUND")),
        "{body}"
    );
    let (status, body) = rpc(&client, &url, &root_bearer, "no.such", json!({})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("UNKNOWN_COMMAND"))
    );

    // What a person does is audited under their name, not the server's.
    let (status, body) = rpc(
        &client,
        &url,
        &root_bearer,
        "settings.setEnrollment",
        json!({"enrollmentUrl": "https://mdm.example.org/enroll", "configurationWebUrl": null}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let audit = depot(
        home.path(),
        &[
            "--workspace",
            ws,
            "--json",
            "audit",
            "list",
            "--action",
            "settings.enrollment_urls",
        ],
    );
    let entries: Value = serde_json::from_slice(&audit.stdout).unwrap();
    assert_eq!(entries[0]["operator"], "root", "{entries}");
    assert_eq!(
        entries[0]["origin"], "desktop",
        "a bearer session: {entries}"
    );

    // An account limited by scope tags sees only tokens carrying one (none
    // here; the matrix in api/src/commands/scope_tests.rs covers each
    // command).
    let out = depot(
        home.path(),
        &[
            "--workspace",
            ws,
            "users",
            "set-scope",
            "ana",
            "--scope-tag",
            "Paris",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (status, body) = rpc(&client, &url, &bearer, "tokens.list", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tokens"], json!([]), "{body}");

    let out = depot(
        home.path(),
        &["--workspace", ws, "users", "set-scope", "ana"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (status, _) = rpc(&client, &url, &bearer, "tokens.list", json!({})).await;
    assert_eq!(status, StatusCode::OK);

    // "Sign out everywhere" from the workspace ends ana's session at once.
    let out = depot(
        home.path(),
        &["--workspace", ws, "users", "sign-out", "ana"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (status, _) = rpc(&client, &url, &bearer, "tokens.list", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Signing out ends a session; the token is worthless afterwards.
    let gone = client
        .delete(format!("{url}/api/v1/session"))
        .header("authorization", root_bearer[0].1.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    let (status, _) = rpc(&client, &url, &root_bearer, "tokens.list", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Failed sign-ins are slowed: five from this address (two above), then
    // even the right password waits.
    for _ in 0..3 {
        assert_eq!(
            sign_in(&client, &url, "root", "wrong wrong wrong")
                .await
                .status(),
            401
        );
    }
    let slowed = sign_in(&client, &url, "root", "a long enough secret").await;
    assert_eq!(slowed.status(), 429);
    assert!(slowed.headers().contains_key("retry-after"));

    // The audit log names who was refused what.
    let audit = depot(
        home.path(),
        &[
            "--workspace",
            ws,
            "--json",
            "audit",
            "list",
            "--action",
            "access.refused",
        ],
    );
    let text = String::from_utf8_lossy(&audit.stdout).into_owned();
    assert!(
        text.contains("tokens.delete") && text.contains("help-desk"),
        "{text}"
    );

    // A backup while the server runs: a consistent copy, a new file only.
    let backup = home.path().join("backup.sqlite");
    let out = depot(
        home.path(),
        &[
            "--workspace",
            ws,
            "workspace",
            "backup",
            "--out",
            backup.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let copy = rusqlite::Connection::open(&backup).unwrap();
    let users: i64 = copy
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 2);
    let journal: String = copy
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "delete", "one plain file");
    drop(copy);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let again = depot(
        home.path(),
        &[
            "--workspace",
            ws,
            "workspace",
            "backup",
            "--out",
            backup.to_str().unwrap(),
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("never overwrites"),
        "{}",
        stderr(&again)
    );
    let leftovers: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // SIGTERM: requests in flight finish, the process exits cleanly.
    let mut server = server;
    #[cfg(unix)]
    {
        let pid = i32::try_from(server.child.id()).unwrap();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = server.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
    }
}

/// HTTPS: a self-signed certificate made once and kept (same fingerprint
/// after a restart), plain HTTP refused off loopback, bad certificate files
/// explained by `--check`.
#[tokio::test]
async fn the_server_speaks_tls_and_plain_http_only_on_loopback() {
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    let ws = ws.to_str().unwrap();

    let open = depot(
        home.path(),
        &["--workspace", ws, "serve", "--listen", "0.0.0.0:0"],
    );
    assert_eq!(open.status.code(), Some(1));
    assert!(
        stderr(&open).contains("not a loopback address"),
        "{}",
        stderr(&open)
    );

    let bad = home.path().join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let check = depot(
        home.path(),
        &[
            "--workspace",
            ws,
            "serve",
            "--check",
            "--tls-cert",
            bad.to_str().unwrap(),
            "--tls-key",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stderr(&check).contains("no certificate"),
        "{}",
        stderr(&check)
    );

    let server = start_with(&home, ws, &["--self-signed"]);
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let fingerprint = server.fingerprint.clone().unwrap();
    assert_eq!(fingerprint.len(), 95, "{fingerprint}");
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let health = client
        .get(format!("{}/healthz", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let plain = server.url.replace("https://", "http://");
    let plain_answer = reqwest::get(format!("{plain}/healthz")).await;
    assert!(
        plain_answer.map_or(true, |r| r.status() != 200),
        "plain HTTP on the TLS port"
    );
    drop(server);

    let again = start_with(&home, ws, &["--self-signed"]);
    assert_eq!(
        again.fingerprint.as_deref(),
        Some(fingerprint.as_str()),
        "kept across restarts"
    );
}

/// Security: every command of the table needs a session (401 without one,
/// also with a made-up bearer or cookie), a session value a client plants
/// before signing in is never adopted (fixation), and a session signed out
/// is worthless as a cookie too.
#[tokio::test]
async fn every_command_needs_a_session_and_planted_or_ended_ones_are_worthless() {
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    let ws = ws.to_str().unwrap();
    add_user(&home, ws, "root", "administrator");
    let server = start(&home, ws);
    let url = server.url.clone();
    let client = reqwest::Client::new();

    let planted = "0123456789abcdef0123456789abcdef0123456789abcdef";
    let anonymous: [&[(&str, String)]; 3] = [
        &[],
        &[("authorization", format!("Bearer {planted}"))],
        &[
            ("cookie", format!("depot_session={planted}")),
            ("x-depot-request", "1".into()),
        ],
    ];
    for command in depot_api::COMMANDS {
        for auth in anonymous {
            let (status, body) = rpc(&client, &url, auth, command.name, json!({})).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("UNAUTHENTICATED")),
                "{} with {auth:?}",
                command.name
            );
        }
    }

    // Fixation: signing in with a planted cookie gives a new session; the
    // planted value stays worthless.
    let signed = client
        .post(format!("{url}/api/v1/session"))
        .header("cookie", format!("depot_session={planted}"))
        .json(&json!({ "username": "root", "password": "a long enough secret" }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    let session: Value = signed.json().await.unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    assert_ne!(token, planted);
    let (status, _) = rpc(&client, &url, anonymous[2], "tokens.list", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Signed out with the bearer: the same value as a cookie is refused too.
    let cookie = [
        ("cookie", format!("depot_session={token}")),
        ("x-depot-request", "1".to_owned()),
    ];
    let (status, _) = rpc(&client, &url, &cookie, "tokens.list", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let gone = client
        .delete(format!("{url}/api/v1/session"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    let (status, _) = rpc(&client, &url, &cookie, "tokens.list", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    drop(server);
}

#[tokio::test]
async fn sessions_outlive_a_restart_of_the_server_but_not_a_sign_out() {
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    let ws = ws.to_str().unwrap();
    add_user(&home, ws, "ana", "help-desk");
    let client = reqwest::Client::new();
    let server = start(&home, ws);
    let answer: Value = sign_in(&client, &server.url, "ana", "a long enough secret")
        .await
        .json()
        .await
        .unwrap();
    let bearer = [(
        "authorization",
        format!("Bearer {}", answer["token"].as_str().unwrap()),
    )];
    let (status, _) = rpc(&client, &server.url, &bearer, "tokens.list", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    // The server stops (an upgrade, a reboot) and starts again.
    drop(server);
    let server = start(&home, ws);
    let (status, body) = rpc(&client, &server.url, &bearer, "tokens.list", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The workspace file holds no session token, only its hash.
    let token = answer["token"].as_str().unwrap().as_bytes();
    for name in ["depot.sqlite", "depot.sqlite-wal"] {
        let file = std::fs::read(std::path::Path::new(ws).join(name)).unwrap_or_default();
        assert!(!file.windows(token.len()).any(|w| w == token), "{name}");
    }

    let out = client
        .delete(format!("{}/api/v1/session", server.url))
        .header("authorization", &bearer[0].1)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    drop(server);
    let server = start(&home, ws);
    let (status, _) = rpc(&client, &server.url, &bearer, "tokens.list", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
