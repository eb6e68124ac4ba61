//! The desktop app as a client of `depot serve` (issue 14). The shell keeps
//! its one `rpc` command; when connected, it hands each call to a
//! [`Remote`], which posts it to the server's `/api/v1/rpc` with the
//! session's bearer token, and forwards the server's change events. The
//! webview, its CSP and every feature stay as they are.
//!
//! TLS: a server with a certificate from a CA the system trusts is checked
//! like any HTTPS site. A self-signed one (`depot serve --self-signed`) is
//! pinned: [`probe`] reads its certificate's SHA-256 fingerprint without
//! sending anything, the admin compares it with the one the server printed,
//! and from then on only a server presenting that exact certificate (and
//! proving it holds its key) is talked to. Plain HTTP only to loopback.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use depot_api::{ApiError, ErrorCode};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

mod browser;
pub use browser::oidc_offered;

/// The largest answer read from a server (a CSV export travels inside).
const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// `AB:CD:…`: SHA-256 of a DER certificate, as `depot serve` prints it.
pub fn fingerprint(der: &[u8]) -> String {
    openssl::sha::sha256(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The same fingerprint however it was typed (case, separators, spaces).
fn normalize(fingerprint: &str) -> String {
    fingerprint
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn error(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Accepts exactly the certificate with the pinned fingerprint (the
/// handshake signature still proves the server holds its key); with no pin,
/// records what it was shown and refuses, so nothing is ever sent.
#[derive(Debug)]
struct Pinned {
    pin: Option<String>,
    seen: Arc<Mutex<Option<String>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let shown = fingerprint(end_entity.as_ref());
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(shown.clone());
        }
        match &self.pin {
            Some(pin) if normalize(pin) == normalize(&shown) => Ok(ServerCertVerified::assertion()),
            _ => Err(rustls::Error::General(format!(
                "the server's certificate SHA-256 is {shown}, not the pinned one"
            ))),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Where a server is: its base URL (no trailing slash), checked.
fn base_url(url: &str) -> Result<String, ApiError> {
    let url = url.trim().trim_end_matches('/');
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| url.starts_with(p));
    if url.starts_with("https://") || loopback {
        Ok(url.to_owned())
    } else {
        Err(error(
            ErrorCode::InvalidInput,
            format!(
                "'{url}' is not a Depot server address: use https://… (plain http only to this computer)"
            ),
        ))
    }
}

fn client(
    pin: Option<&str>,
    seen: Arc<Mutex<Option<String>>>,
) -> Result<reqwest::Client, ApiError> {
    let builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none());
    let builder = match pin {
        Some(pin) => {
            let provider = provider();
            let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
                .with_safe_default_protocol_versions()
                .map_err(|e| error(ErrorCode::Internal, e.to_string()))?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Pinned {
                    pin: Some(pin.to_owned()),
                    seen,
                    provider,
                }))
                .with_no_client_auth();
            builder.tls_backend_preconfigured(config)
        }
        None => builder.tls_backend_native(),
    };
    builder
        .build()
        .map_err(|e| error(ErrorCode::Internal, format!("no HTTP client: {e}")))
}

/// The certificate an `https://` server presents, read without sending
/// anything: its fingerprint, to compare with the one `depot serve` printed.
pub async fn probe(url: &str) -> Result<String, ApiError> {
    let url = base_url(url)?;
    if !url.starts_with("https://") {
        return Err(error(
            ErrorCode::InvalidInput,
            "a plain http server has no certificate to check",
        ));
    }
    let seen = Arc::new(Mutex::new(None));
    let probe = client(Some("none"), Arc::clone(&seen))?;
    let _refused = probe.get(format!("{url}/healthz")).send().await;
    let shown = seen.lock().ok().and_then(|s| s.clone());
    shown.ok_or_else(|| {
        error(
            ErrorCode::ServerUnavailable,
            format!("no Depot server answered at {url}"),
        )
    })
}

/// Who the session is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub name: String,
    pub role: String,
    pub scope_tags: Vec<String>,
}

/// A signed-in connection to a server.
#[derive(Debug, Clone)]
pub struct Remote {
    url: String,
    pin: Option<String>,
    token: String,
    http: reqwest::Client,
}

/// What a connection needs to be made again later (the token goes to the
/// OS keychain, the rest to the app's settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    pub url: String,
    pub fingerprint: Option<String>,
}

async fn read_answer(response: reqwest::Response, what: &str) -> Result<Value, ApiError> {
    let status = response.status();
    if let Some(length) = response.content_length()
        && length as usize > MAX_ANSWER_BYTES
    {
        return Err(error(
            ErrorCode::Internal,
            format!("the server's answer to {what} is larger than 64 MiB"),
        ));
    }
    let bytes = response.bytes().await.map_err(|e| {
        error(
            ErrorCode::ServerUnavailable,
            format!("the server's answer to {what} broke off: {e}"),
        )
    })?;
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body);
    }
    match serde_json::from_value::<ApiError>(body) {
        Ok(err) => Err(err),
        Err(_) => Err(error(
            ErrorCode::Internal,
            format!("the server answered HTTP {status} to {what}"),
        )),
    }
}

fn unreachable(url: &str, err: &reqwest::Error) -> ApiError {
    // The pin check's own message is the useful part of a TLS failure.
    let mut detail = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        detail = inner.to_string();
        source = inner.source();
    }
    error(
        ErrorCode::ServerUnavailable,
        format!("the Depot server at {url} could not be reached: {detail}"),
    )
}

impl Remote {
    /// Signs in with a name and password. `fingerprint`: the pinned
    /// certificate of a self-signed server (`None`: the system's CAs decide).
    pub async fn sign_in(
        url: &str,
        fingerprint: Option<&str>,
        username: &str,
        password: &str,
    ) -> Result<(Self, Identity), ApiError> {
        let url = base_url(url)?;
        let http = client(fingerprint, Arc::default())?;
        let response = http
            .post(format!("{url}/api/v1/session"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .map_err(|e| unreachable(&url, &e))?;
        let answer = read_answer(response, "the sign-in").await?;
        Self::from_session_answer(url, fingerprint, http, &answer)
    }

    /// The connection a new session's answer (`token`, `user`) makes.
    fn from_session_answer(
        url: String,
        fingerprint: Option<&str>,
        http: reqwest::Client,
        answer: &Value,
    ) -> Result<(Self, Identity), ApiError> {
        let token = answer["token"]
            .as_str()
            .ok_or_else(|| {
                error(
                    ErrorCode::Internal,
                    "the server's sign-in answer has no session",
                )
            })?
            .to_owned();
        let identity: Identity = serde_json::from_value(answer["user"].clone()).map_err(|e| {
            error(
                ErrorCode::Internal,
                format!("the server's sign-in answer: {e}"),
            )
        })?;
        let remote = Self {
            url,
            pin: fingerprint.map(str::to_owned),
            token,
            http,
        };
        Ok((remote, identity))
    }

    /// A session kept from before (the keychain), if the server still
    /// honours it.
    pub async fn resume(saved: &Saved, token: &str) -> Result<(Self, Identity), ApiError> {
        let url = base_url(&saved.url)?;
        let http = client(saved.fingerprint.as_deref(), Arc::default())?;
        let remote = Self {
            url,
            pin: saved.fingerprint.clone(),
            token: token.to_owned(),
            http,
        };
        let identity = remote.whoami().await?;
        Ok((remote, identity))
    }

    pub fn saved(&self) -> Saved {
        Saved {
            url: self.url.clone(),
            fingerprint: self.pin.clone(),
        }
    }

    /// The session's bearer token (to keep in the OS keychain).
    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    pub async fn whoami(&self) -> Result<Identity, ApiError> {
        let response = self
            .http
            .get(format!("{}/api/v1/session", self.url))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .send()
            .await
            .map_err(|e| unreachable(&self.url, &e))?;
        let answer = read_answer(response, "who am I").await?;
        serde_json::from_value(answer).map_err(|e| {
            error(
                ErrorCode::Internal,
                format!("the server's session answer: {e}"),
            )
        })
    }

    /// One command, exactly as the local workspace would run it.
    pub async fn rpc(&self, name: &str, payload: Value) -> Result<Value, ApiError> {
        let response = self
            .http
            .post(format!("{}/api/v1/rpc", self.url))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .json(&json!({"name": name, "payload": payload}))
            .send()
            .await
            .map_err(|e| unreachable(&self.url, &e))?;
        read_answer(response, name).await
    }

    /// Ends the session at the server (best effort: it ends there anyway
    /// after an hour idle).
    pub async fn sign_out(&self) {
        let _ = self
            .http
            .delete(format!("{}/api/v1/session", self.url))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .send()
            .await;
    }

    /// Calls `on_event` with each change event's JSON (`"lagged"` events as
    /// `None`: re-read everything) until the stream ends or fails.
    pub async fn events(&self, mut on_event: impl FnMut(Option<Value>)) -> Result<(), ApiError> {
        let mut response = self
            .http
            .get(format!("{}/api/v1/events", self.url))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .send()
            .await
            .map_err(|e| unreachable(&self.url, &e))?;
        if !response.status().is_success() {
            return Err(read_answer(response, "the event stream").await.unwrap_err());
        }
        let mut pending = String::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unreachable(&self.url, &e))?
        {
            pending.push_str(&String::from_utf8_lossy(&chunk));
            if pending.len() > 1024 * 1024 {
                pending.clear();
                on_event(None);
            }
            while let Some(end) = pending.find("\n\n") {
                let block: String = pending.drain(..end + 2).collect();
                let mut kind = "message";
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        kind = if v.trim() == "lagged" {
                            "lagged"
                        } else {
                            "change"
                        };
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                match kind {
                    "lagged" => on_event(None),
                    "change" => {
                        if let Ok(value) = serde_json::from_str(&data) {
                            on_event(Some(value));
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_compare_however_they_were_typed() {
        assert_eq!(normalize("ab:cd:EF"), normalize("ABCDef"));
        assert_eq!(normalize(" AB CD "), "ABCD");
        assert_eq!(fingerprint(b"x").len(), 32 * 3 - 1);
    }

    #[test]
    fn only_https_or_loopback_servers() {
        assert_eq!(
            base_url("https://depot.example.org/").unwrap(),
            "https://depot.example.org"
        );
        assert_eq!(
            base_url("http://127.0.0.1:8750").unwrap(),
            "http://127.0.0.1:8750"
        );
        let err = base_url("http://depot.example.org").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(base_url("depot.example.org").is_err());
    }
}
