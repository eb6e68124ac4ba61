//! OpenID Connect sign-in of `depot serve` (issue 14) against a small
//! identity provider this test starts on loopback: discovery, a key set,
//! an authorization endpoint that approves at once, and a token endpoint
//! that checks the code, the client secret and the PKCE verifier and signs
//! an ID token (RS256). The browser is a reqwest client following the
//! redirects by hand.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::sign::Signer;
use serde_json::{Value, json};

use crate::server::{add_user, rpc, start_with};
use crate::support::{TestWorkspace, depot, stderr};

const CLIENT_ID: &str = "depot-test";
const CLIENT_SECRET: &str = "the client secret";

fn b64url(bytes: &[u8]) -> String {
    openssl::base64::encode_block(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

fn form_pairs(text: &str) -> HashMap<String, String> {
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

/// How the provider misbehaves for the next sign-in.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Trick {
    None,
    WrongNonce,
    Expired,
    OtherAudience,
    ForeignKey,
}

struct Grant {
    nonce: String,
    challenge: String,
    redirect_uri: String,
}

struct Idp {
    issuer: String,
    key: PKey<Private>,
    foreign: PKey<Private>,
    codes: Mutex<HashMap<String, Grant>>,
    /// Who signs in next: (sub, preferred_username, groups).
    person: Mutex<(String, String, Vec<String>)>,
    trick: Mutex<Trick>,
    counter: Mutex<u32>,
}

type Shared = Arc<Idp>;

async fn discovery(State(idp): State<Shared>) -> Response {
    axum::Json(json!({
        "issuer": idp.issuer,
        "authorization_endpoint": format!("{}/authorize", idp.issuer),
        "token_endpoint": format!("{}/token", idp.issuer),
        "jwks_uri": format!("{}/keys", idp.issuer),
    }))
    .into_response()
}

async fn keys(State(idp): State<Shared>) -> Response {
    let rsa = idp.key.rsa().unwrap();
    axum::Json(json!({"keys": [{
        "kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
        "n": b64url(&rsa.n().to_vec()), "e": b64url(&rsa.e().to_vec()),
    }]}))
    .into_response()
}

async fn authorize(
    State(idp): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["scope"].split(' ').any(|s| s == "openid"));
    let code = {
        let mut n = idp.counter.lock().unwrap();
        *n += 1;
        format!("code-{n}")
    };
    idp.codes.lock().unwrap().insert(
        code.clone(),
        Grant {
            nonce: q["nonce"].clone(),
            challenge: q["code_challenge"].clone(),
            redirect_uri: q["redirect_uri"].clone(),
        },
    );
    let location = format!("{}?code={code}&state={}", q["redirect_uri"], q["state"]);
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

fn sign(key: &PKey<Private>, claims: &Value) -> String {
    let head = b64url(br#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#);
    let body = b64url(claims.to_string().as_bytes());
    let mut signer = Signer::new(MessageDigest::sha256(), key).unwrap();
    signer.update(format!("{head}.{body}").as_bytes()).unwrap();
    format!("{head}.{body}.{}", b64url(&signer.sign_to_vec().unwrap()))
}

async fn token(State(idp): State<Shared>, body: String) -> Response {
    let form = form_pairs(&body);
    let refuse = |why: &str| {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_grant", "error_description": why})),
        )
            .into_response()
    };
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
    {
        return refuse("client");
    }
    let Some(grant) = idp.codes.lock().unwrap().remove(&form["code"]) else {
        return refuse("code");
    };
    if form["redirect_uri"] != grant.redirect_uri {
        return refuse("redirect_uri");
    }
    let verifier = &form["code_verifier"];
    if b64url(&openssl::sha::sha256(verifier.as_bytes())) != grant.challenge {
        return refuse("pkce");
    }
    let trick = *idp.trick.lock().unwrap();
    let (sub, name, groups) = idp.person.lock().unwrap().clone();
    // The served workspace runs on the real clock, so the tokens do too.
    let now = depot_domain::Clock::now(&depot_core::SystemClock).get();
    let claims = json!({
        "iss": idp.issuer,
        "sub": sub,
        "aud": if trick == Trick::OtherAudience { "someone-else" } else { CLIENT_ID },
        "exp": if trick == Trick::Expired { now - 3600 } else { now + 300 },
        "iat": now,
        "nonce": if trick == Trick::WrongNonce { "not-the-nonce".to_owned() } else { grant.nonce },
        "preferred_username": name,
        "groups": groups,
    });
    let key = if trick == Trick::ForeignKey {
        &idp.foreign
    } else {
        &idp.key
    };
    axum::Json(
        json!({"access_token": "at", "token_type": "Bearer", "id_token": sign(key, &claims)}),
    )
    .into_response()
}

async fn start_idp() -> Shared {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let idp = Arc::new(Idp {
        issuer,
        key: PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap(),
        foreign: PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap(),
        codes: Mutex::new(HashMap::new()),
        person: Mutex::new((
            "0001".into(),
            "ana@example.org".into(),
            vec!["staff".into(), "helpdesk-berlin".into()],
        )),
        trick: Mutex::new(Trick::None),
        counter: Mutex::new(0),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/keys", get(keys))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .with_state(Arc::clone(&idp));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    idp
}

/// Follows the sign-in through the provider; answers Depot's last answer
/// (the callback's) and the callback URL.
async fn sign_in_through(client: &reqwest::Client, url: &str) -> (reqwest::Response, String) {
    let login = client
        .get(format!("{url}/api/v1/oidc/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let at_idp = login.headers()[header::LOCATION.as_str()]
        .to_str()
        .unwrap()
        .to_owned();
    let back = client.get(&at_idp).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let callback = back.headers()[header::LOCATION.as_str()]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(callback.starts_with(url), "{callback}");
    (client.get(&callback).send().await.unwrap(), callback)
}

fn session_cookie(response: &reqwest::Response) -> String {
    let set = response.headers()[header::SET_COOKIE.as_str()]
        .to_str()
        .unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// `depot serve` on plain loopback HTTP with `idp` as its identity
/// provider: it-admins are administrators, helpdesk-berlin help-desk in
/// Berlin.
fn serve_with(home: &TestWorkspace, ws: &str, idp: &Idp) -> crate::server::Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let public = format!("http://127.0.0.1:{port}");
    let secret = home.path().join("client-secret");
    std::fs::write(&secret, format!("{CLIENT_SECRET}\n")).unwrap();
    let listen = format!("127.0.0.1:{port}");
    let server = start_with(
        home,
        ws,
        &[
            "--listen",
            &listen,
            "--public-url",
            &public,
            "--oidc-issuer",
            &idp.issuer,
            "--oidc-client-id",
            CLIENT_ID,
            "--oidc-client-secret-file",
            secret.to_str().unwrap(),
            "--oidc-role",
            "it-admins=administrator",
            "--oidc-role",
            "helpdesk-berlin=help-desk:Berlin",
        ],
    );
    assert_eq!(server.url, public);
    server
}

#[tokio::test]
async fn people_sign_in_through_the_identity_provider_with_the_rights_of_their_groups() {
    let idp = start_idp().await;
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    let ws = ws.to_str().unwrap();
    // A local account whose name the provider will also use, later.
    add_user(&home, ws, "bob@example.org", "read-only");
    let server = serve_with(&home, ws, &idp);
    let url = server.url.clone();

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let info: Value = client
        .get(format!("{url}/api/v1/oidc"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["enabled"], true);

    // Ana, in helpdesk-berlin: a help-desk account limited to Berlin, made
    // at her first sign-in.
    let (done, callback) = sign_in_through(&client, &url).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()[header::LOCATION.as_str()], "/");
    let cookie = session_cookie(&done);
    let me: Value = client
        .get(format!("{url}/api/v1/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "ana@example.org");
    assert_eq!(me["role"], "help-desk");
    assert_eq!(me["scopeTags"], json!(["Berlin"]));
    let as_browser = [("cookie", cookie.clone()), ("x-depot-request", "1".into())];
    let (status, body) = rpc(&client, &url, &as_browser, "tokens.list", json!({})).await;
    assert_eq!(
        (status, &body),
        (reqwest::StatusCode::OK, &json!({"tokens": []}))
    );
    let (status, body) = rpc(
        &client,
        &url,
        &as_browser,
        "settings.setEnrollment",
        json!({"enrollmentUrl": null, "configurationWebUrl": null}),
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN, "{body}");

    // The same answer again (a replayed callback) is refused.
    let replay = client.get(&callback).send().await.unwrap();
    assert_eq!(replay.status(), 401);
    assert!(replay.text().await.unwrap().contains("already used"));

    // Her groups change at the provider: her rights follow at the next sign-in.
    idp.person.lock().unwrap().2 = vec!["it-admins".into(), "helpdesk-berlin".into()];
    let (done, _) = sign_in_through(&client, &url).await;
    assert_eq!(done.status(), 303);
    let me: Value = client
        .get(format!("{url}/api/v1/session"))
        .header("cookie", session_cookie(&done))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me["role"].as_str(), &me["scopeTags"]),
        (Some("administrator"), &json!([]))
    );

    // A provider that misbehaves gets nobody in.
    for (trick, says) in [
        (Trick::WrongNonce, "nonce"),
        (Trick::Expired, "expired"),
        (Trick::OtherAudience, "another application"),
        (Trick::ForeignKey, "signature"),
    ] {
        *idp.trick.lock().unwrap() = trick;
        let (done, _) = sign_in_through(&client, &url).await;
        assert_eq!(done.status(), 401, "{trick:?}");
        assert!(
            done.headers()
                .get(header::SET_COOKIE.as_str())
                .is_none_or(|c| c.to_str().unwrap().contains("Max-Age=0")),
            "{trick:?}"
        );
        let page = done.text().await.unwrap();
        assert!(page.contains(says), "{trick:?}: {page}");
    }
    *idp.trick.lock().unwrap() = Trick::None;

    // No group with a role: refused, and said so.
    *idp.person.lock().unwrap() = (
        "0002".into(),
        "carl@example.org".into(),
        vec!["staff".into()],
    );
    let (done, _) = sign_in_through(&client, &url).await;
    assert_eq!(done.status(), 403);
    assert!(done.text().await.unwrap().contains("none of their groups"));

    // A name a local account has is not taken over.
    *idp.person.lock().unwrap() = (
        "0003".into(),
        "bob@example.org".into(),
        vec!["it-admins".into()],
    );
    let (done, _) = sign_in_through(&client, &url).await;
    assert_ne!(done.status(), 303);
    assert!(
        done.text()
            .await
            .unwrap()
            .contains("already a Depot account")
    );

    // An administrator disables Ana in Depot: the provider cannot sign her in.
    let out = depot(
        home.path(),
        &["--workspace", ws, "users", "disable", "ana@example.org"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    *idp.person.lock().unwrap() = (
        "0001".into(),
        "ana@example.org".into(),
        vec!["it-admins".into()],
    );
    let (done, _) = sign_in_through(&client, &url).await;
    assert_eq!(done.status(), 401);

    // Each sign-in and refusal is in the audit log.
    let audit = depot(home.path(), &["--workspace", ws, "--json", "audit", "list"]);
    let text = String::from_utf8_lossy(&audit.stdout).into_owned();
    for expected in [
        "session.signIn",
        "session.signInRefused",
        "no group maps to a role",
        "user.rights_from_provider",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    drop(server);
}

/// The browser of the desktop app's sign-in: follows the redirects from
/// `login` through the provider and Depot's callback; answers the address
/// Depot sends it back to (the app's loopback listener).
async fn browse_to_app(login: String) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut at = login;
    for _ in 0..3 {
        let answer = browser.get(&at).send().await.unwrap();
        assert_eq!(answer.status(), 303, "{at}");
        at = answer.headers()[header::LOCATION.as_str()]
            .to_str()
            .unwrap()
            .to_owned();
    }
    at
}

#[tokio::test]
async fn the_desktop_app_signs_in_through_the_system_browser() {
    let idp = start_idp().await;
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    let ws = ws.to_str().unwrap();
    let server = serve_with(&home, ws, &idp);
    let url = server.url.clone();
    assert!(depot_remote::oidc_offered(&url, None).await.unwrap());

    // The app opens the browser; the person signs in at the provider; the
    // browser lands on the app's loopback port, which says so.
    let landed = Arc::new(Mutex::new(None::<(String, u16, String)>));
    let seen = Arc::clone(&landed);
    let (remote, who) = depot_remote::Remote::sign_in_with_browser(
        &url,
        None,
        move |login| {
            let login = login.to_owned();
            tokio::spawn(async move {
                let app = browse_to_app(login).await;
                let page = reqwest::get(&app).await.unwrap();
                let status = page.status().as_u16();
                *seen.lock().unwrap() = Some((app, status, page.text().await.unwrap()));
            });
            Ok(())
        },
        std::time::Duration::from_secs(60),
    )
    .await
    .unwrap();
    assert_eq!(who.name, "ana@example.org");
    assert_eq!(
        (who.role.as_str(), who.scope_tags.clone()),
        ("help-desk", vec!["Berlin".to_owned()])
    );
    let tokens = remote.rpc("tokens.list", json!({})).await.unwrap();
    assert_eq!(tokens, json!({"tokens": []}));
    let (app, status, page) = loop {
        if let Some(done) = landed.lock().unwrap().clone() {
            break done;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(
        app.starts_with("http://127.0.0.1:") && app.contains("/signed-in?code="),
        "{app}"
    );
    assert_eq!(status, 200);
    assert!(page.contains("Signed in to Depot"), "{page}");

    let exchange = {
        let client = reqwest::Client::new();
        let url = url.clone();
        move |code: String, verifier: &'static str| {
            let client = client.clone();
            let url = url.clone();
            async move {
                client
                    .post(format!("{url}/api/v1/oidc/exchange"))
                    .json(&json!({"code": code, "verifier": verifier}))
                    .send()
                    .await
                    .unwrap()
            }
        }
    };
    // The code was for one use.
    let code = app.split("code=").nth(1).unwrap().to_owned();
    let again = exchange(code, "anything").await;
    assert_eq!(again.status(), 401);

    // Another program that catches a code cannot use it without the app's
    // secret, and the code is gone: the app's own sign-in then fails too,
    // with a clear message (it never gets someone else's session).
    let caught = Arc::new(Mutex::new(None::<u16>));
    let thief = Arc::clone(&caught);
    let exchange_as_thief = exchange.clone();
    let failed = depot_remote::Remote::sign_in_with_browser(
        &url,
        None,
        move |login| {
            let login = login.to_owned();
            tokio::spawn(async move {
                let app = browse_to_app(login).await;
                let code = app.split("code=").nth(1).unwrap().to_owned();
                let stolen = exchange_as_thief(code, "a guessed verifier").await;
                *thief.lock().unwrap() = Some(stolen.status().as_u16());
                // Then the browser still reaches the app.
                let _ = reqwest::get(&app).await;
            });
            Ok(())
        },
        std::time::Duration::from_secs(60),
    )
    .await
    .unwrap_err();
    assert_eq!(*caught.lock().unwrap(), Some(401));
    assert_eq!(
        failed.code,
        depot_api::ErrorCode::Unauthenticated,
        "{failed:?}"
    );
    assert!(
        failed.message.contains("sign in again"),
        "{}",
        failed.message
    );

    // Depot sends a code only back to this computer.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let challenge = b64url(&[9u8; 32]);
    for target in [
        "https://evil.example/",
        "http://localhost:9/",
        "http://127.0.0.1:9/?x=https://evil.example",
    ] {
        let encoded: String = target
            .chars()
            .map(|c| match c {
                ':' | '/' | '?' | '=' => format!("%{:02X}", c as u32),
                c => c.to_string(),
            })
            .collect();
        let refused = no_redirects
            .get(format!(
                "{url}/api/v1/oidc/login?app_redirect={encoded}&app_challenge={challenge}"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 400, "{target}");
        assert!(
            refused.text().await.unwrap().contains("desktop app"),
            "{target}"
        );
    }
    // A browser that gives up: the app stops waiting, and says why.
    let waited = depot_remote::Remote::sign_in_with_browser(
        &url,
        None,
        |_| Ok(()),
        std::time::Duration::from_millis(300),
    )
    .await
    .unwrap_err();
    assert!(
        waited.message.contains("did not finish"),
        "{}",
        waited.message
    );
}
