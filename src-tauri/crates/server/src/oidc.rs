//! OpenID Connect sign-in (issue 14): the authorization code flow with PKCE
//! against an identity provider (Entra ID, Okta, Google Workspace, …).
//!
//! - `GET /api/v1/oidc`: whether it is configured (the sign-in page offers
//!   the button).
//! - `GET /api/v1/oidc/login`: a fresh `state`, `nonce` and PKCE verifier
//!   (kept here for 10 minutes, used once), then a redirect to the
//!   provider's authorization endpoint.
//! - `GET /api/v1/oidc/callback?code&state`: the code is exchanged at the
//!   token endpoint (with the verifier and the client secret); the ID
//!   token's signature (RS256 or ES256, the provider's published keys), its
//!   issuer, audience, lifetime and nonce are checked; then `core` decides
//!   the person's rights from their groups (`depot_core::federated`) and a
//!   session starts as with a password (the cookie), and the browser goes
//!   to `/`.
//!
//! The desktop app signs in through the system browser (RFC 8252's pattern
//! for native apps): it listens on a loopback port and opens
//! `/api/v1/oidc/login?app_redirect=http://127.0.0.1:PORT/&app_challenge=C`,
//! where `C` is the base64url SHA-256 of a secret it keeps. After the
//! provider, instead of a cookie the browser is sent to `app_redirect` with a
//! one-time code (2 minutes), which the app trades for a bearer session at
//! `POST /api/v1/oidc/exchange` `{"code", "verifier"}`: only the holder of
//! the secret can, so a code seen by another program on the computer is
//! worthless. `app_redirect` may only name this computer (127.0.0.1 or
//! [::1]), never another site.
//!
//! The provider's discovery document and keys are read at the first sign-in
//! and kept for an hour; a key id not among them makes Depot read the keys
//! again once (the provider rotated them).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use depot_core::federated::{GroupRule, Vouched};
use depot_domain::{SecretString, UnixSeconds};
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::sign::Verifier;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{Shared, lock};

/// How long a started sign-in may take at the provider.
const PENDING_SECS: i64 = 10 * 60;
/// How long the discovery document and keys are kept.
const PROVIDER_KEPT: Duration = Duration::from_secs(60 * 60);
/// Clock difference tolerated between the provider and this server.
const SKEW_SECS: i64 = 120;
/// Sign-ins in progress kept at most (each answer of /login adds one).
const MAX_PENDING: usize = 10_000;
/// How long the desktop app has to trade its one-time code.
const HANDOFF_SECS: i64 = 120;

/// `depot serve --oidc-*`.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The provider's issuer URL, exactly as its ID tokens name it.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// The claim that lists a person's groups (`groups` by default).
    pub groups_claim: String,
    /// Which groups give which role and scope tags.
    pub rules: Vec<GroupRule>,
    /// Where browsers reach this server (`--public-url`); the provider sends
    /// people back to `{public_url}/api/v1/oidc/callback`.
    pub public_url: String,
}

impl OidcConfig {
    /// Refuses a configuration that cannot work or would be unsafe: an
    /// issuer or public URL that is not `https://` (plain HTTP only on
    /// loopback), no rules.
    pub fn check(&self) -> Result<(), String> {
        for (what, url) in [
            ("--oidc-issuer", &self.issuer),
            ("--public-url", &self.public_url),
        ] {
            let plain_loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
                .iter()
                .any(|p| url.starts_with(p));
            if !url.starts_with("https://") && !plain_loopback {
                return Err(format!(
                    "{what} must be an https:// URL (plain http only on loopback), not '{url}'"
                ));
            }
        }
        if self.client_id.trim().is_empty() {
            return Err("--oidc-client-id is empty".into());
        }
        if self.client_secret.expose().is_empty() {
            return Err("the OpenID Connect client secret is empty (DEPOT_OIDC_CLIENT_SECRET or --oidc-client-secret-file)".into());
        }
        if self.rules.is_empty() {
            return Err(
                "no --oidc-role GROUP=ROLE rule: nobody signing in through the identity provider would get a role"
                    .into(),
            );
        }
        Ok(())
    }

    fn redirect_uri(&self) -> String {
        format!(
            "{}/api/v1/oidc/callback",
            self.public_url.trim_end_matches('/')
        )
    }
}

struct Pending {
    verifier: String,
    nonce: String,
    at: UnixSeconds,
    /// A sign-in for the desktop app: where its loopback listener waits.
    app: Option<AppReturn>,
}

/// The desktop app's half of a sign-in through the browser.
#[derive(Clone)]
struct AppReturn {
    redirect: String,
    challenge: String,
}

/// A finished sign-in waiting for the desktop app to trade its code.
struct Handoff {
    user: depot_domain::records::UserRow,
    challenge: String,
    at: UnixSeconds,
}

#[derive(Clone)]
struct Provider {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    keys: Vec<Value>,
    read_at: Instant,
}

/// The running OpenID Connect sign-in.
pub struct Oidc {
    config: OidcConfig,
    http: reqwest::Client,
    provider: tokio::sync::Mutex<Option<Provider>>,
    pending: Mutex<HashMap<String, Pending>>,
    handoffs: Mutex<HashMap<String, Handoff>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.config.issuer)
            .finish_non_exhaustive()
    }
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Result<Self, String> {
        config.check()?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("no HTTP client: {e}"))?;
        Ok(Self {
            config,
            http,
            provider: tokio::sync::Mutex::new(None),
            pending: Mutex::new(HashMap::new()),
            handoffs: Mutex::new(HashMap::new()),
        })
    }

    async fn get_json(&self, url: &str) -> Result<Value, String> {
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| format!("the identity provider did not answer at {url}: {e}"))?;
        if !response.status().is_success() {
            return Err(format!(
                "the identity provider answered HTTP {} at {url}",
                response.status()
            ));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("reading {url}: {e}"))?;
        if bytes.len() > 1024 * 1024 {
            return Err(format!("the answer at {url} is larger than 1 MiB"));
        }
        serde_json::from_slice(&bytes).map_err(|e| format!("the answer at {url} is not JSON: {e}"))
    }

    /// The provider's endpoints and keys, read again after an hour or when
    /// `refresh` (an unknown key id).
    async fn provider(&self, refresh: bool) -> Result<Provider, String> {
        let mut cached = self.provider.lock().await;
        if let Some(p) = cached.as_ref()
            && !refresh
            && p.read_at.elapsed() < PROVIDER_KEPT
        {
            return Ok(p.clone());
        }
        let issuer = self.config.issuer.trim_end_matches('/');
        let doc = self
            .get_json(&format!("{issuer}/.well-known/openid-configuration"))
            .await?;
        let text = |name: &str| -> Result<String, String> {
            doc[name]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("the provider's discovery document has no '{name}'"))
        };
        let named_issuer = text("issuer")?;
        if named_issuer.trim_end_matches('/') != issuer {
            return Err(format!(
                "the provider calls itself '{named_issuer}', not '{}' as configured",
                self.config.issuer
            ));
        }
        let jwks_uri = text("jwks_uri")?;
        let keys = self.get_json(&jwks_uri).await?["keys"]
            .as_array()
            .cloned()
            .ok_or_else(|| "the provider's key set has no 'keys'".to_owned())?;
        let provider = Provider {
            issuer: named_issuer,
            authorization_endpoint: text("authorization_endpoint")?,
            token_endpoint: text("token_endpoint")?,
            keys,
            read_at: Instant::now(),
        };
        *cached = Some(provider.clone());
        Ok(provider)
    }
}

/// Base64url without padding (RFC 7515 §2).
fn b64url(bytes: &[u8]) -> String {
    openssl::base64::encode_block(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

fn b64url_decode(text: &str) -> Result<Vec<u8>, String> {
    if !text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err("not base64url".into());
    }
    let mut standard = text.replace('-', "+").replace('_', "/");
    while !standard.len().is_multiple_of(4) {
        standard.push('=');
    }
    openssl::base64::decode_block(&standard).map_err(|_| "not base64url".to_owned())
}

/// 32 random bytes as base64url: sessions, `state`, `nonce`, PKCE verifiers.
pub(crate) fn random_text() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    openssl::rand::rand_bytes(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(b64url(&bytes))
}

/// `application/x-www-form-urlencoded` (also a query string).
fn form(pairs: &[(&str, &str)]) -> String {
    fn encode(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Checks a JWS signature made with `key` (a JWK): RS256 or ES256 only.
fn signature_is_valid(alg: &str, key: &Value, signed: &[u8], sig: &[u8]) -> Result<bool, String> {
    let bn = |field: &str| -> Result<BigNum, String> {
        let text = key[field]
            .as_str()
            .ok_or_else(|| format!("the provider's key has no '{field}'"))?;
        BigNum::from_slice(&b64url_decode(text)?).map_err(|e| e.to_string())
    };
    match (alg, key["kty"].as_str()) {
        ("RS256", Some("RSA")) => {
            let rsa = Rsa::from_public_components(bn("n")?, bn("e")?).map_err(|e| e.to_string())?;
            let pkey = PKey::from_rsa(rsa).map_err(|e| e.to_string())?;
            let mut verifier =
                Verifier::new(MessageDigest::sha256(), &pkey).map_err(|e| e.to_string())?;
            verifier.update(signed).map_err(|e| e.to_string())?;
            Ok(verifier.verify(sig).unwrap_or(false))
        }
        ("ES256", Some("EC")) if key["crv"].as_str() == Some("P-256") => {
            if sig.len() != 64 {
                return Ok(false);
            }
            let group =
                EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(|e| e.to_string())?;
            let (x, y) = (bn("x")?, bn("y")?);
            let ec = EcKey::from_public_key_affine_coordinates(&group, &x, &y)
                .map_err(|e| e.to_string())?;
            let r = BigNum::from_slice(&sig[..32]).map_err(|e| e.to_string())?;
            let s = BigNum::from_slice(&sig[32..]).map_err(|e| e.to_string())?;
            let ecdsa = EcdsaSig::from_private_components(r, s).map_err(|e| e.to_string())?;
            let digest = openssl::sha::sha256(signed);
            Ok(ecdsa.verify(&digest, &ec).unwrap_or(false))
        }
        _ => Err(format!(
            "the ID token is signed with '{alg}', which Depot does not accept (RS256 or ES256)"
        )),
    }
}

/// The claims of an ID token whose signature and claims check out.
fn verified_claims(
    token: &str,
    provider: &Provider,
    client_id: &str,
    nonce: &str,
    now: UnixSeconds,
) -> Result<Value, String> {
    let parts: Vec<&str> = token.split('.').collect();
    let [head, body, sig] = parts.as_slice() else {
        return Err("the ID token is not a signed JWT".into());
    };
    let header: Value = serde_json::from_slice(&b64url_decode(head)?)
        .map_err(|_| "the ID token's header is not JSON".to_owned())?;
    let alg = header["alg"].as_str().unwrap_or("none");
    let kid = header["kid"].as_str();
    let candidates: Vec<&Value> = provider
        .keys
        .iter()
        .filter(|k| kid.is_none_or(|kid| k["kid"].as_str() == Some(kid)))
        .filter(|k| k["use"].as_str().is_none_or(|u| u == "sig"))
        .collect();
    if candidates.is_empty() {
        return Err(format!(
            "the provider publishes no key '{}'",
            kid.unwrap_or("(none)")
        ));
    }
    let signed = format!("{head}.{body}");
    let sig = b64url_decode(sig)?;
    let mut valid = false;
    for key in candidates {
        if signature_is_valid(alg, key, signed.as_bytes(), &sig)? {
            valid = true;
            break;
        }
    }
    if !valid {
        return Err("the ID token's signature does not match the provider's keys".into());
    }
    let claims: Value = serde_json::from_slice(&b64url_decode(body)?)
        .map_err(|_| "the ID token's claims are not JSON".to_owned())?;
    if claims["iss"].as_str() != Some(provider.issuer.as_str()) {
        return Err(format!(
            "the ID token was issued by {}, not {}",
            claims["iss"], provider.issuer
        ));
    }
    let audiences: Vec<&str> = match &claims["aud"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !audiences.contains(&client_id) {
        return Err("the ID token is meant for another application (aud)".into());
    }
    if audiences.len() > 1 && claims["azp"].as_str() != Some(client_id) {
        return Err("the ID token names several audiences and another party (azp)".into());
    }
    let exp = claims["exp"].as_i64().ok_or("the ID token has no expiry")?;
    if now.get() > exp + SKEW_SECS {
        return Err("the ID token has expired".into());
    }
    if let Some(iat) = claims["iat"].as_i64()
        && iat > now.get() + SKEW_SECS
    {
        return Err("the ID token was issued in the future".into());
    }
    if claims["nonce"].as_str() != Some(nonce) {
        return Err("the ID token does not answer this sign-in (nonce)".into());
    }
    if claims["sub"].as_str().is_none_or(str::is_empty) {
        return Err("the ID token names nobody (sub)".into());
    }
    Ok(claims)
}

/// The groups claim's values (a list, or one text).
fn groups_of(claims: &Value, claim: &str) -> Vec<String> {
    match &claims[claim] {
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Value::String(one) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// A short page for the browser when signing in did not work.
fn failed_page(status: StatusCode, reason: &str) -> Response {
    let escaped = reason
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Depot: sign-in failed</title></head>\
         <body><h1>Signing in did not work</h1><p>{escaped}</p><p><a href=\"/\">Back to Depot</a></p></body></html>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `GET /api/v1/oidc`.
pub(crate) async fn info(State(state): State<Shared>) -> Response {
    let enabled = state.options.oidc.is_some();
    axum::Json(json!({
        "enabled": enabled,
        "loginUrl": enabled.then_some("/api/v1/oidc/login"),
    }))
    .into_response()
}

#[derive(Deserialize)]
pub(crate) struct LoginParams {
    app_redirect: Option<String>,
    app_challenge: Option<String>,
}

/// The desktop app's return address, if it is one: `http://127.0.0.1:PORT/…`
/// or `http://[::1]:PORT/…`, without a query, fragment or user name. Anything
/// else (another host, `localhost`, which a hosts file may point elsewhere)
/// is refused, so the server never sends a code off this computer.
fn loopback_return(redirect: &str) -> Result<String, String> {
    let refuse = || {
        format!(
            "'{redirect}' is not the desktop app's address: it must be http://127.0.0.1:PORT/ or http://[::1]:PORT/"
        )
    };
    let rest = redirect
        .strip_prefix("http://127.0.0.1:")
        .or_else(|| redirect.strip_prefix("http://[::1]:"))
        .ok_or_else(refuse)?;
    let (port, path) = rest.split_once('/').unwrap_or((rest, ""));
    let port_ok = !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>().is_ok_and(|p| p != 0);
    let path_ok = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b));
    if port_ok && path_ok {
        Ok(redirect.to_owned())
    } else {
        Err(refuse())
    }
}

/// A PKCE S256 challenge: 43 base64url characters.
fn is_challenge(text: &str) -> bool {
    text.len() == 43
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GET /api/v1/oidc/login[?app_redirect=…&app_challenge=…]`.
pub(crate) async fn login(
    State(state): State<Shared>,
    Query(params): Query<LoginParams>,
) -> Response {
    let Some(oidc) = state.options.oidc.clone() else {
        return failed_page(
            StatusCode::NOT_FOUND,
            "this server has no identity provider configured; sign in with a name and password",
        );
    };
    let app = match (params.app_redirect, params.app_challenge) {
        (None, None) => None,
        (Some(redirect), Some(challenge)) if is_challenge(&challenge) => {
            match loopback_return(&redirect) {
                Ok(redirect) => Some(AppReturn {
                    redirect,
                    challenge,
                }),
                Err(reason) => return failed_page(StatusCode::BAD_REQUEST, &reason),
            }
        }
        _ => {
            return failed_page(
                StatusCode::BAD_REQUEST,
                "a sign-in for the desktop app needs both app_redirect and app_challenge (43 base64url characters)",
            );
        }
    };
    let provider = match oidc.provider(false).await {
        Ok(p) => p,
        Err(reason) => return failed_page(StatusCode::BAD_GATEWAY, &reason),
    };
    let (Ok(st), Ok(nonce), Ok(verifier)) = (random_text(), random_text(), random_text()) else {
        return failed_page(StatusCode::INTERNAL_SERVER_ERROR, "no randomness");
    };
    let challenge = b64url(&openssl::sha::sha256(verifier.as_bytes()));
    let now = state.now();
    {
        let mut pending = lock(&oidc.pending);
        pending.retain(|_, p| now.get() < p.at.get() + PENDING_SECS);
        if pending.len() >= MAX_PENDING {
            return failed_page(
                StatusCode::TOO_MANY_REQUESTS,
                "too many sign-ins are in progress; try again in a few minutes",
            );
        }
        pending.insert(
            st.clone(),
            Pending {
                verifier,
                nonce: nonce.clone(),
                at: now,
                app,
            },
        );
    }
    let redirect_uri = oidc.config.redirect_uri();
    let query = form(&[
        ("response_type", "code"),
        ("client_id", &oidc.config.client_id),
        ("redirect_uri", &redirect_uri),
        ("scope", "openid profile email"),
        ("state", &st),
        ("nonce", &nonce),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let separator = if provider.authorization_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    let location = format!("{}{separator}{query}", provider.authorization_endpoint);
    let mut response = StatusCode::SEE_OTHER.into_response();
    match HeaderValue::from_str(&location) {
        Ok(v) => {
            response.headers_mut().insert(header::LOCATION, v);
            response
        }
        Err(_) => failed_page(
            StatusCode::BAD_GATEWAY,
            "the provider's authorization endpoint is not a usable URL",
        ),
    }
}

#[derive(Deserialize)]
pub(crate) struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /api/v1/oidc/callback`.
pub(crate) async fn callback(
    State(state): State<Shared>,
    Query(answer): Query<Callback>,
) -> Response {
    let Some(oidc) = state.options.oidc.clone() else {
        return failed_page(StatusCode::NOT_FOUND, "no identity provider is configured");
    };
    if let Some(error) = answer.error {
        let detail = answer.error_description.unwrap_or_default();
        return failed_page(
            StatusCode::UNAUTHORIZED,
            &format!("the identity provider refused: {error} {detail}"),
        );
    }
    let (Some(code), Some(st)) = (answer.code, answer.state) else {
        return failed_page(StatusCode::BAD_REQUEST, "the answer has no code or state");
    };
    let now = state.now();
    // One use only, and only while fresh.
    let pending = lock(&oidc.pending).remove(&st);
    let Some(pending) = pending.filter(|p| now.get() < p.at.get() + PENDING_SECS) else {
        return failed_page(
            StatusCode::UNAUTHORIZED,
            "this sign-in is unknown, was already used or took too long; start again",
        );
    };
    match finish(&state, &oidc, &code, &pending, now).await {
        Ok(response) => response,
        Err((status, reason)) => {
            tracing::warn!(%reason, "an OpenID Connect sign-in failed");
            failed_page(status, &reason)
        }
    }
}

async fn finish(
    state: &Shared,
    oidc: &Oidc,
    code: &str,
    pending: &Pending,
    now: UnixSeconds,
) -> Result<Response, (StatusCode, String)> {
    let gateway = |reason: String| (StatusCode::BAD_GATEWAY, reason);
    let provider = oidc.provider(false).await.map_err(gateway)?;
    let redirect_uri = oidc.config.redirect_uri();
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &redirect_uri),
        ("client_id", &oidc.config.client_id),
        ("client_secret", oidc.config.client_secret.expose()),
        ("code_verifier", &pending.verifier),
    ]);
    let response = oidc
        .http
        .post(&provider.token_endpoint)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| gateway(format!("the provider's token endpoint did not answer: {e}")))?;
    let status = response.status();
    let tokens: Value = response
        .json()
        .await
        .map_err(|_| gateway("the provider's token answer is not JSON".into()))?;
    if !status.is_success() {
        return Err((
            StatusCode::UNAUTHORIZED,
            format!(
                "the provider did not accept the sign-in: {} {}",
                tokens["error"].as_str().unwrap_or("error"),
                tokens["error_description"].as_str().unwrap_or("")
            ),
        ));
    }
    let id_token = tokens["id_token"]
        .as_str()
        .ok_or_else(|| gateway("the provider's answer has no ID token".into()))?;
    let unauthorized = |reason: String| (StatusCode::UNAUTHORIZED, reason);
    let claims = match verified_claims(
        id_token,
        &provider,
        &oidc.config.client_id,
        &pending.nonce,
        now,
    ) {
        Ok(claims) => claims,
        Err(reason) if reason.starts_with("the provider publishes no key") => {
            // Perhaps rotated since they were read: once more with fresh keys.
            let fresh = oidc.provider(true).await.map_err(gateway)?;
            verified_claims(
                id_token,
                &fresh,
                &oidc.config.client_id,
                &pending.nonce,
                now,
            )
            .map_err(unauthorized)?
        }
        Err(reason) => return Err(unauthorized(reason)),
    };
    let text = |name: &str| claims[name].as_str().filter(|s| !s.is_empty());
    let subject = text("sub").unwrap_or_default().to_owned();
    let who = Vouched {
        issuer: provider.issuer.clone(),
        name: text("preferred_username")
            .or_else(|| text("email"))
            .unwrap_or(&subject)
            .to_owned(),
        subject,
        groups: groups_of(&claims, &oidc.config.groups_claim),
    };
    let depot = std::sync::Arc::clone(&state.depot);
    let rules = oidc.config.rules.clone();
    let user = tokio::task::spawn_blocking(move || depot.federated_sign_in(&who, &rules))
        .await
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|e| {
            let api = depot_api::ApiError::from(e);
            (crate::status_of(api.code), api.message)
        })?;
    if let Some(app) = &pending.app {
        // The desktop app: no cookie in this browser; a one-time code for the
        // app's loopback listener instead.
        let code = random_text().map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
        {
            let mut handoffs = lock(&oidc.handoffs);
            handoffs.retain(|_, h| now.get() < h.at.get() + HANDOFF_SECS);
            if handoffs.len() >= MAX_PENDING {
                return Err((
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many sign-ins are waiting for their app; try again in a few minutes"
                        .into(),
                ));
            }
            handoffs.insert(
                code.clone(),
                Handoff {
                    user,
                    challenge: app.challenge.clone(),
                    at: now,
                },
            );
        }
        let location = format!("{}?code={code}", app.redirect);
        let mut response = StatusCode::SEE_OTHER.into_response();
        let value = HeaderValue::from_str(&location).map_err(|_| {
            (
                StatusCode::BAD_REQUEST,
                "the app's address is not usable".into(),
            )
        })?;
        response.headers_mut().insert(header::LOCATION, value);
        return Ok(response);
    }
    let token = state
        .start_session(&user)
        .await
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.message))?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/"));
    response.headers_mut().insert(
        header::SET_COOKIE,
        crate::cookie(state, &token, crate::SESSION_LIFETIME_SECS),
    );
    Ok(response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Exchange {
    code: String,
    verifier: String,
}

/// `POST /api/v1/oidc/exchange` `{"code", "verifier"}`: the desktop app
/// trades the one-time code its loopback listener received for a bearer
/// session, proving with the verifier that it started the sign-in.
pub(crate) async fn exchange(
    State(state): State<Shared>,
    body: Option<axum::Json<Exchange>>,
) -> Result<Response, crate::Failure> {
    use depot_api::{ApiError, ErrorCode};
    let refused =
        |message: &str| crate::Failure(ApiError::new(ErrorCode::Unauthenticated, message));
    let Some(axum::Json(body)) = body else {
        return Err(crate::Failure(ApiError::new(
            ErrorCode::BadRequest,
            "send {\"code\": \"…\", \"verifier\": \"…\"} as JSON",
        )));
    };
    let now = state.now();
    let handoff = state
        .options
        .oidc
        .as_ref()
        .and_then(|oidc| lock(&oidc.handoffs).remove(&body.code))
        .filter(|h| now.get() < h.at.get() + HANDOFF_SECS);
    let Some(handoff) = handoff else {
        return Err(refused(
            "this sign-in code is unknown, was already used or took too long; sign in again",
        ));
    };
    let proof = b64url(&openssl::sha::sha256(body.verifier.as_bytes()));
    if !openssl::memcmp::eq(proof.as_bytes(), handoff.challenge.as_bytes()) {
        tracing::warn!(user = %handoff.user.name, "a sign-in code came with the wrong verifier");
        return Err(refused(
            "this sign-in code belongs to another program; sign in again",
        ));
    }
    let token = state.start_session(&handoff.user).await?;
    Ok(crate::session_answer(&state, &handoff.user, &token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_may_only_be_sent_back_to_this_computer() {
        for ok in [
            "http://127.0.0.1:53682/",
            "http://127.0.0.1:53682",
            "http://[::1]:8080/depot/done",
        ] {
            assert_eq!(loopback_return(ok).as_deref(), Ok(ok), "{ok}");
        }
        for bad in [
            "https://evil.example/",
            "http://localhost:53682/",
            "http://127.0.0.1.evil.example:80/",
            "http://127.0.0.1:53682@evil.example/",
            "http://127.0.0.1:/",
            "http://127.0.0.1:0/",
            "http://127.0.0.1:99999/",
            "http://127.0.0.1:53682/?next=https://evil.example",
            "http://127.0.0.1:53682/#x",
            "http://127.0.0.1:53682/%2F%2Fevil",
            "http://127.0.0.2:53682/",
        ] {
            assert!(loopback_return(bad).is_err(), "{bad}");
        }
        assert!(is_challenge(&b64url(&[7u8; 32])));
        assert!(!is_challenge("short"));
        assert!(!is_challenge(&format!("{}=", &b64url(&[7u8; 32])[..42])));
    }

    #[test]
    fn base64url_round_trips_and_refuses_other_alphabets() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", &[0xfb, 0xff, 0xfe]] {
            assert_eq!(b64url_decode(&b64url(bytes)).unwrap(), bytes);
        }
        assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
        assert!(b64url_decode("a+b/").is_err());
    }

    #[test]
    fn forms_encode_everything_but_the_unreserved() {
        assert_eq!(
            form(&[
                ("redirect_uri", "https://x.example/cb?a=1&b"),
                ("s", "a b~")
            ]),
            "redirect_uri=https%3A%2F%2Fx.example%2Fcb%3Fa%3D1%26b&s=a%20b~"
        );
    }

    #[test]
    fn unsafe_configurations_are_refused() {
        let good = OidcConfig {
            issuer: "https://login.example.org/tenant/v2.0".into(),
            client_id: "depot".into(),
            client_secret: SecretString::new("s3cret"),
            groups_claim: "groups".into(),
            rules: vec![GroupRule::parse("admins=administrator").unwrap()],
            public_url: "https://depot.example.org".into(),
        };
        good.check().unwrap();
        let plain = OidcConfig {
            issuer: "http://login.example.org".into(),
            ..good.clone()
        };
        assert!(plain.check().unwrap_err().contains("https://"));
        let loopback = OidcConfig {
            issuer: "http://127.0.0.1:9999".into(),
            ..good.clone()
        };
        loopback.check().unwrap();
        let no_rules = OidcConfig {
            rules: Vec::new(),
            ..good
        };
        assert!(no_rules.check().unwrap_err().contains("--oidc-role"));
    }
}
