//! One client per token: OAuth 1.0a `GET /session`, the session token cached and
//! replaced from `X-ADM-Auth-Session`, one re-auth + retry on 401 / 403
//! `FORBIDDEN`, typed errors for what the admin must act on (spec §2.3, §3.11).

use std::sync::Arc;
use std::time::Duration;

use depot_domain::time::parse_rfc3339;
use depot_domain::{
    Clock, DeviceChange, DeviceFamily, DeviceOp, DeviceRecord, ProfileStatus, SerialNumber,
};
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
    #[error("{0}")]
    Cursor(CursorError),
    /// Depot was about to send something Apple cannot take; nothing was sent.
    #[error("{0}")]
    Request(String),
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// Apple's answers about a fetch/sync cursor (§3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    #[error("the fetch cursor has delivered every device (EXHAUSTED_CURSOR)")]
    Exhausted,
    #[error("the sync cursor is older than Apple keeps it (EXPIRED_CURSOR)")]
    Expired,
    #[error("Apple does not recognise the cursor (INVALID_CURSOR)")]
    Invalid,
    #[error("Apple needs a cursor for a sync (CURSOR_REQUIRED)")]
    Required,
}

/// How transient failures (connection errors, 5xx, 429) are retried:
/// exponential backoff with jitter, `Retry-After` honoured up to `max_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The pause before try `attempt + 1` (`attempt` ≥ 1): `Retry-After` if
    /// given, else `base · 2^(attempt−1)` with jitter, both capped.
    fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max_delay);
        }
        let exp = self
            .base_delay
            .saturating_mul(1u32 << (attempt - 1).min(16));
        let capped = exp.min(self.max_delay);
        let mut byte = [0u8; 1];
        let _ = openssl::rand::rand_bytes(&mut byte);
        // Jitter: between half and the whole delay.
        capped.mul_f64(0.5 + f64::from(byte[0]) / 510.0)
    }
}

/// One page of `POST /server/devices` or `POST /devices/sync`.
#[derive(Debug, Clone)]
pub struct DevicePage {
    pub changes: Vec<DeviceChange>,
    pub cursor: String,
    pub more_to_follow: bool,
    /// Records Depot could not use (e.g. no valid serial number), skipped.
    pub skipped: usize,
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

/// A device record as Apple sends it (§3.4). Everything but the serial is optional.
#[derive(Debug, Deserialize)]
struct DeviceWire {
    serial_number: String,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    color: Option<String>,
    #[serde(default)]
    asset_tag: Option<String>,
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    device_family: Option<String>,
    #[serde(default)]
    profile_status: Option<String>,
    #[serde(default)]
    profile_uuid: Option<String>,
    #[serde(default)]
    profile_assign_time: Option<String>,
    #[serde(default)]
    profile_push_time: Option<String>,
    #[serde(default)]
    device_assigned_date: Option<String>,
    #[serde(default)]
    device_assigned_by: Option<String>,
    #[serde(default)]
    op_type: Option<String>,
    #[serde(default)]
    op_date: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DevicePageWire {
    #[serde(default)]
    devices: Option<Vec<DeviceWire>>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    more_to_follow: Option<bool>,
}

impl DeviceWire {
    /// `None` when the record has no usable serial number.
    fn into_change(self) -> Option<DeviceChange> {
        let serial = SerialNumber::parse(&self.serial_number).ok()?;
        let time = |v: &Option<String>| v.as_deref().and_then(lenient_time);
        let text = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let op = match self.op_type.as_deref().map(str::trim) {
            None | Some("") => DeviceOp::Listed,
            Some("added") => DeviceOp::Added,
            Some("deleted") => DeviceOp::Deleted,
            // "modified", and anything newer Apple may send, updates the record.
            Some(_) => DeviceOp::Modified,
        };
        let assigned_at = time(&self.device_assigned_date);
        let op_date = time(&self.op_date).or(assigned_at);
        Some(DeviceChange {
            op,
            op_date,
            record: DeviceRecord {
                serial,
                model: self.model.unwrap_or_default(),
                description: self.description.unwrap_or_default(),
                color: self.color.unwrap_or_default(),
                asset_tag: text(self.asset_tag),
                os: text(self.os),
                family: DeviceFamily::parse(self.device_family.as_deref().unwrap_or("").trim()),
                profile_status: ProfileStatus::parse(
                    self.profile_status.as_deref().unwrap_or("").trim(),
                ),
                profile_uuid: text(self.profile_uuid),
                profile_assign_time: time(&self.profile_assign_time),
                profile_push_time: time(&self.profile_push_time),
                assigned_at,
                assigned_by: text(self.device_assigned_by),
            },
        })
    }
}

/// Apple's timestamps, leniently: RFC 3339, or `+0000`-style offsets.
fn lenient_time(text: &str) -> Option<i64> {
    let text = text.trim();
    parse_rfc3339(text).or_else(|| {
        // `2018-09-08T16:49:09+0000` → insert the colon RFC 3339 wants.
        let (head, tail) = text.split_at(text.len().checked_sub(5)?);
        let sign = tail.chars().next()?;
        if (sign == '+' || sign == '-') && tail[1..].chars().all(|c| c.is_ascii_digit()) {
            parse_rfc3339(&format!("{head}{}:{}", &tail[..3], &tail[3..]))
        } else {
            None
        }
    })
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
    retry: RetryPolicy,
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
            retry: RetryPolicy::default(),
        }
    }

    /// Replaces the retry policy (tests use millisecond delays).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// `POST /server/devices`: one page of every device assigned to this server.
    pub async fn fetch_devices(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<DevicePage, AppleError> {
        let mut body = serde_json::json!({ "limit": limit });
        if let Some(cursor) = cursor {
            body["cursor"] = cursor.into();
        }
        self.device_page("/server/devices", &body).await
    }

    /// `POST /devices/sync`: changes since `cursor`.
    pub async fn sync_devices(&self, cursor: &str, limit: u32) -> Result<DevicePage, AppleError> {
        let body = serde_json::json!({ "cursor": cursor, "limit": limit });
        self.device_page("/devices/sync", &body).await
    }

    async fn device_page(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<DevicePage, AppleError> {
        let wire: DevicePageWire = self.request(Method::POST, path, Some(body)).await?;
        let records = wire.devices.unwrap_or_default();
        let total = records.len();
        let changes: Vec<DeviceChange> = records
            .into_iter()
            .filter_map(DeviceWire::into_change)
            .collect();
        let skipped = total - changes.len();
        if skipped > 0 {
            tracing::warn!(
                skipped,
                path,
                "device records without a usable serial number were skipped"
            );
        }
        let cursor = wire.cursor.unwrap_or_default();
        if cursor.is_empty() {
            return Err(AppleError::Decode {
                endpoint: path.to_owned(),
                path: "cursor".into(),
                reason: "the answer has no cursor".into(),
            });
        }
        Ok(DevicePage {
            changes,
            cursor,
            more_to_follow: wire.more_to_follow.unwrap_or(false),
            skipped,
        })
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
            let (status, text) = self
                .send(&url, || {
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
                    req
                })
                .await?;
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

    /// Sends a request built by `build`, retrying connection errors, 5xx and
    /// 429 per the retry policy. Remembers a rotated session token.
    async fn send(
        &self,
        url: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<(StatusCode, String), AppleError> {
        let mut attempt = 1;
        loop {
            let last = attempt >= self.retry.max_attempts;
            let outcome = match build().send().await {
                Ok(resp) => {
                    self.remember_rotated_session(&resp).await;
                    let status = resp.status();
                    let retry_after = resp
                        .headers()
                        .get("Retry-After")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    match resp.text().await {
                        Ok(text) => Ok((status, text, retry_after)),
                        Err(e) => Err(unreachable_error(url, &e)),
                    }
                }
                Err(e) => Err(unreachable_error(url, &e)),
            };
            let retry_after = match outcome {
                Ok((status, text, retry_after))
                    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS =>
                {
                    if last {
                        return Ok((status, text));
                    }
                    tracing::warn!(%status, attempt, url, "Apple is busy; retrying");
                    retry_after
                }
                Ok((status, text, _)) => return Ok((status, text)),
                Err(err) => {
                    if last {
                        return Err(err);
                    }
                    tracing::warn!(%err, attempt, "request failed; retrying");
                    None
                }
            };
            tokio::time::sleep(self.retry.delay(attempt, retry_after)).await;
            attempt += 1;
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
        let (status, text) = self
            .send(&url, || {
                let nonce = nonce();
                let header = authorization_header(
                    &self.credentials,
                    &OAuthRequest {
                        method: "GET",
                        url: &url,
                        timestamp: self.clock.now(),
                        nonce: &nonce,
                    },
                )
                .unwrap_or_default();
                self.http
                    .get(&url)
                    .header("Authorization", header)
                    .header(
                        "X-Server-Protocol-Version",
                        SERVER_PROTOCOL_VERSION.to_string(),
                    )
                    .header("Accept", JSON_CONTENT_TYPE)
            })
            .await?;
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
        (400, "EXHAUSTED_CURSOR") => AppleError::Cursor(CursorError::Exhausted),
        (400, "EXPIRED_CURSOR") => AppleError::Cursor(CursorError::Expired),
        (400, "INVALID_CURSOR") => AppleError::Cursor(CursorError::Invalid),
        (400, "CURSOR_REQUIRED") => AppleError::Cursor(CursorError::Required),
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

mod profiles;

pub use profiles::{AssignAnswer, MAX_SERIALS_PER_CALL, SerialOutcome};

#[cfg(test)]
mod tests;
