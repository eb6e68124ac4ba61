//! One client per token: OAuth 1.0a `GET /session`, the session token cached and
//! replaced from `X-ADM-Auth-Session`, one re-auth + retry on 401 / 403
//! `FORBIDDEN`, typed errors for what the admin must act on (spec §2.3, §3.11).

use std::sync::Arc;
use std::time::Duration;

use depot_domain::Clock;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::oauth::{OAuthCredentials, OAuthRequest, SignError, authorization_header};
use crate::{SERVER_PROTOCOL_VERSION, user_agent};

const SESSION_HEADER: &str = "X-ADM-Auth-Session";
const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF8";

/// What went wrong talking to Apple, with the facts kept.
#[derive(Debug, thiserror::Error)]
pub enum AppleError {
    #[error(
        "Apple refused this token (it was revoked, replaced by a newer download, or is not valid). Download a new token for this MDM server from Apple's portal"
    )]
    Rejected,
    #[error(
        "the organisation has not accepted Apple's latest terms and conditions. An administrator must accept them in Apple Business Manager or Apple School Manager, then try again"
    )]
    TermsNotAccepted,
    #[error(
        "Apple denied this MDM server access (ACCESS_DENIED). Check the MDM server in Apple's portal"
    )]
    AccessDenied,
    #[error("could not reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{endpoint} answered HTTP {status}{}", if .code.is_empty() { String::new() } else { format!(" {}", .code) })]
    Status {
        endpoint: String,
        status: u16,
        code: String,
    },
    #[error("the answer of {endpoint} could not be read at {path}: {reason}")]
    Decode {
        endpoint: String,
        path: String,
        reason: String,
    },
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// The account facts of `GET /account`, in Depot's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    pub server_name: String,
    pub server_uuid: String,
    pub org_name: String,
    pub org_id: Option<String>,
    pub org_type: Option<String>,
    /// `admin_id`, or the deprecated `facilitator_id` when Apple leaves it empty.
    pub admin_id: Option<String>,
}

/// `GET /account` as Apple sends it (v3+ fields optional).
#[derive(Debug, Deserialize)]
struct AccountWire {
    server_name: String,
    server_uuid: String,
    org_name: String,
    #[serde(default)]
    org_id: Option<String>,
    #[serde(default)]
    org_type: Option<String>,
    #[serde(default)]
    admin_id: Option<String>,
    #[serde(default)]
    facilitator_id: Option<String>,
}

impl From<AccountWire> for AccountInfo {
    fn from(wire: AccountWire) -> Self {
        let non_empty =
            |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Self {
            server_name: wire.server_name,
            server_uuid: wire.server_uuid,
            org_name: wire.org_name,
            org_id: non_empty(wire.org_id),
            org_type: non_empty(wire.org_type),
            admin_id: non_empty(wire.admin_id).or_else(|| non_empty(wire.facilitator_id)),
        }
    }
}

#[derive(Debug, Deserialize)]
struct SessionWire {
    auth_session_token: String,
}

pub struct AppleClient {
    base_url: String,
    credentials: OAuthCredentials,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    /// The current session token. Held across the `/session` call so that
    /// concurrent requests share one re-auth.
    session: tokio::sync::Mutex<Option<String>>,
}

impl std::fmt::Debug for AppleClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppleClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl AppleClient {
    pub fn new(base_url: &str, credentials: OAuthCredentials, clock: Arc<dyn Clock>) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(user_agent())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap_or_default();
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            credentials,
            http,
            clock,
            session: tokio::sync::Mutex::new(None),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `GET /account`: who this token belongs to.
    pub async fn account(&self) -> Result<AccountInfo, AppleError> {
        let wire: AccountWire = self.request(Method::GET, "/account", None).await?;
        Ok(wire.into())
    }

    /// Sends one request with the session, re-authenticating once if Apple says
    /// the session is gone, and decodes the JSON answer.
    async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<T, AppleError> {
        let mut retried = false;
        loop {
            let session = self.session_token(None).await?;
            let url = format!("{}{path}", self.base_url);
            let mut req = self
                .http
                .request(method.clone(), &url)
                .header(SESSION_HEADER, &session)
                .header(
                    "X-Server-Protocol-Version",
                    SERVER_PROTOCOL_VERSION.to_string(),
                )
                .header("Accept", JSON_CONTENT_TYPE);
            if let Some(body) = body {
                req = req
                    .header("Content-Type", JSON_CONTENT_TYPE)
                    .body(body.to_string());
            }
            let resp = req.send().await.map_err(|e| unreachable_error(&url, &e))?;
            self.remember_rotated_session(&resp).await;
            let status = resp.status();
            let text = resp.text().await.map_err(|e| unreachable_error(&url, &e))?;
            let code = error_code(&text);
            let session_gone = status == StatusCode::UNAUTHORIZED
                || (status == StatusCode::FORBIDDEN && code == "FORBIDDEN");
            if session_gone && !retried {
                retried = true;
                self.session_token(Some(&session)).await?;
                continue;
            }
            if !status.is_success() {
                return Err(classify(path, status, code));
            }
            return decode(path, &text);
        }
    }

    /// The cached session token, or a new one from `GET /session`. With
    /// `failed`, that token is known dead: a new one is fetched unless another
    /// request already replaced it.
    async fn session_token(&self, failed: Option<&str>) -> Result<String, AppleError> {
        let mut slot = self.session.lock().await;
        match (slot.as_deref(), failed) {
            (Some(current), Some(dead)) if current != dead => return Ok(current.to_owned()),
            (Some(current), None) => return Ok(current.to_owned()),
            _ => {}
        }
        let token = self.new_session().await?;
        *slot = Some(token.clone());
        Ok(token)
    }

    async fn new_session(&self) -> Result<String, AppleError> {
        let url = format!("{}/session", self.base_url);
        let nonce = nonce();
        let header = authorization_header(
            &self.credentials,
            &OAuthRequest {
                method: "GET",
                url: &url,
                timestamp: self.clock.now(),
                nonce: &nonce,
            },
        )?;
        let resp = self
            .http
            .get(&url)
            .header("Authorization", header)
            .header(
                "X-Server-Protocol-Version",
                SERVER_PROTOCOL_VERSION.to_string(),
            )
            .header("Accept", JSON_CONTENT_TYPE)
            .send()
            .await
            .map_err(|e| unreachable_error(&url, &e))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| unreachable_error(&url, &e))?;
        if status == StatusCode::UNAUTHORIZED {
            return Err(AppleError::Rejected);
        }
        if !status.is_success() {
            return Err(classify("/session", status, error_code(&text)));
        }
        let wire: SessionWire = decode("/session", &text)?;
        if wire.auth_session_token.trim().is_empty() {
            return Err(AppleError::Decode {
                endpoint: "/session".into(),
                path: "auth_session_token".into(),
                reason: "empty session token".into(),
            });
        }
        Ok(wire.auth_session_token)
    }

    async fn remember_rotated_session(&self, resp: &reqwest::Response) {
        let rotated = resp
            .headers()
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok());
        if let Some(value) = rotated.map(str::trim).filter(|v| !v.is_empty()) {
            *self.session.lock().await = Some(value.to_owned());
        }
    }
}

/// Apple's error bodies are the bare code or the code in JSON quotes (§2.4).
fn error_code(body: &str) -> String {
    let trimmed = body.trim().trim_matches('"').trim();
    if !trimmed.is_empty() && trimmed.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
        trimmed.to_owned()
    } else {
        String::new()
    }
}

fn classify(endpoint: &str, status: StatusCode, code: String) -> AppleError {
    match (status.as_u16(), code.as_str()) {
        (403, "T_C_NOT_SIGNED") => AppleError::TermsNotAccepted,
        (403, "ACCESS_DENIED") => AppleError::AccessDenied,
        (401, _) if endpoint == "/session" => AppleError::Rejected,
        (status, _) => AppleError::Status {
            endpoint: endpoint.to_owned(),
            status,
            code,
        },
    }
}

fn decode<T: DeserializeOwned>(endpoint: &str, text: &str) -> Result<T, AppleError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|err| AppleError::Decode {
        endpoint: endpoint.to_owned(),
        path: err.path().to_string(),
        reason: err.inner().to_string(),
    })
}

fn unreachable_error(url: &str, err: &reqwest::Error) -> AppleError {
    let mut reason = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    AppleError::Unreachable {
        url: url.to_owned(),
        reason,
    }
}

fn nonce() -> String {
    let mut bytes = [0u8; 16];
    // A failure of the system RNG leaves zeros; the timestamp still varies.
    let _ = openssl::rand::rand_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
