//! The calls Depot makes to Apple's Apps and Books service: read a
//! location's settings (`GET client/config`), claim it for Depot (`POST
//! client/config` with `mdmInfo`), and read one app's licence counts (`GET
//! assets?adamId=…`, every page).
//!
//! Apple's errors come as `{errorNumber, errorMessage}`, sometimes with HTTP
//! 200 (an invalid token, as other MDMs have seen), so every answer's body
//! is checked for `errorNumber` whatever its status. 9646 / 429 and 5xx are
//! tried again after `Retry-After` (or a growing pause) within the retry
//! policy; beyond it the call ends with [`VppError::Busy`].

use std::sync::Arc;
use std::time::Duration;

use depot_domain::{Clock, SecretString, UnixSeconds};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::AppsUrl;
use super::token_file::parse_apple_date;
use crate::client::{
    Pause, ReadError, RealTime, RetryPolicy, header, http_client, read_answer, wait,
};

/// The most of one answer Depot reads (Apple's are a few kilobytes).
const MAX_ANSWER: usize = 4 * 1024 * 1024;
/// Pages of `GET assets` read at most for one app (it has one row per
/// pricing; more means the service misbehaves).
const MAX_PAGES: u32 = 20;

/// An error from the Apps and Books service, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VppError {
    /// Apple answered with an error number.
    #[error("{advice} (Apple's error {number}: {message})", advice = advice(*number, message))]
    Api { number: u32, message: String },
    /// Too many requests or a server error, still after the retries; Apple
    /// asked to wait `retry_after` (seconds) when it said.
    #[error("Apple's Apps and Books service is busy{}; Depot tries again later", .retry_after.map(|s| format!(" (it asks to wait {s} s)")).unwrap_or_default())]
    Busy { retry_after: Option<u64> },
    #[error("Apple's Apps and Books service could not be reached: {0}")]
    Unreachable(String),
    #[error("Apple's Apps and Books service answered something Depot cannot read: {0}")]
    Answer(String),
}

/// What the admin should do about error `number`.
fn advice(number: u32, message: &str) -> String {
    match number {
        9621 => "The Apps and Books token has expired: download a new one for this location from Apple's portal and renew it in Depot".into(),
        9625 => "Apple revoked this Apps and Books token (a newer one was downloaded, or the password of the account that downloaded it changed): download a new one and renew it in Depot".into(),
        9601 | 9622 | 9722 => "Apple does not accept this Apps and Books token: download a new one for this location and renew it in Depot".into(),
        9646 => "Apple asks to slow down; Depot tries again later".into(),
        9603 => "Apple's Apps and Books service had an internal error; Depot tries again later".into(),
        9634 => "Apple says this Apps and Books service is no longer available".into(),
        9709 => "There are not enough licences for this app at this location: buy more in Apple's portal or free some".into(),
        _ => format!("Apple's Apps and Books service refused the request: {message}"),
    }
}

impl VppError {
    pub fn number(&self) -> Option<u32> {
        match self {
            VppError::Api { number, .. } => Some(*number),
            _ => None,
        }
    }

    /// Apple no longer takes the token itself (expired, revoked, invalid):
    /// asking again cannot help, a new token can.
    pub fn rejects_token(&self) -> bool {
        matches!(self.number(), Some(9601 | 9621 | 9622 | 9625 | 9722))
    }

    /// Worth trying again later by itself.
    pub fn is_transient(&self) -> bool {
        matches!(self, VppError::Busy { .. } | VppError::Unreachable(_))
            || matches!(self.number(), Some(9603 | 9646))
    }
}

/// The MDM a location is claimed by (`mdmInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct MdmInfo {
    pub id: String,
    pub name: String,
    pub metadata: String,
}

/// A location's settings (`GET client/config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    pub location_name: String,
    /// Apple's library id: two tokens with the same one are the same
    /// location.
    pub uid: String,
    pub country: Option<String>,
    /// The MDM that claimed the location, if one did.
    pub mdm_info: Option<MdmInfo>,
    pub token_expires_at: Option<UnixSeconds>,
}

/// One app's licences at a location (one row of `GET assets`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetCounts {
    pub adam_id: String,
    pub pricing_param: String,
    pub total: u64,
    pub assigned: u64,
    pub available: u64,
    pub retired: u64,
    pub device_assignable: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigWire {
    location_name: Option<String>,
    #[serde(rename = "uId")]
    uid: Option<String>,
    #[serde(rename = "countryISO2ACode")]
    country: Option<String>,
    mdm_info: Option<MdmInfo>,
    token_expiration_date: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssetWire {
    adam_id: Option<String>,
    pricing_param: Option<String>,
    total_count: Option<u64>,
    assigned_count: Option<u64>,
    available_count: Option<u64>,
    retired_count: Option<u64>,
    device_assignable: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssetsWire {
    #[serde(default)]
    assets: Vec<AssetWire>,
    next_page_index: Option<u32>,
}

/// A client for one content token.
pub struct VppClient {
    base: String,
    token: SecretString,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    pause: Arc<dyn Pause>,
}

impl std::fmt::Debug for VppClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VppClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl VppClient {
    pub fn new(base: &AppsUrl, token: SecretString, clock: Arc<dyn Clock>) -> Self {
        Self {
            base: base.as_str().to_owned(),
            token,
            http: http_client(),
            clock,
            // Three tries, 5 s then 15 s, as other MDMs do; Apple's
            // Retry-After is waited for up to a minute.
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_secs(5),
                max_delay: Duration::from_secs(15),
                max_wait: Duration::from_secs(60),
            },
            pause: Arc::new(RealTime),
        }
    }

    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn with_pause(mut self, pause: Arc<dyn Pause>) -> Self {
        self.pause = pause;
        self
    }

    /// `GET client/config`: the location this token belongs to.
    pub async fn client_config(&self) -> Result<ClientConfig, VppError> {
        let wire: ConfigWire = self.call(Method::GET, "client/config", None).await?;
        config_from(wire)
    }

    /// `POST client/config` with `mdmInfo`: claims the location for Depot
    /// (only one MDM should assign a location's licences).
    pub async fn claim(&self, mdm: &MdmInfo) -> Result<ClientConfig, VppError> {
        let body = json!({ "mdmInfo": mdm });
        let wire: ConfigWire = self
            .call(Method::POST, "client/config", Some(&body))
            .await?;
        config_from(wire)
    }

    /// `GET assets?adamId=…`, every page: the licences of one app.
    pub async fn asset_counts(&self, adam_id: &str) -> Result<Vec<AssetCounts>, VppError> {
        if adam_id.is_empty() || !adam_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VppError::Answer(format!(
                "'{adam_id}' is not an App Store id"
            )));
        }
        let mut out = Vec::new();
        let mut page = 0;
        for _ in 0..MAX_PAGES {
            let path = format!("assets?adamId={adam_id}&pageIndex={page}");
            let wire: AssetsWire = self.call(Method::GET, &path, None).await?;
            out.extend(wire.assets.into_iter().filter_map(|a| {
                Some(AssetCounts {
                    adam_id: a.adam_id?,
                    pricing_param: a.pricing_param.unwrap_or_else(|| "STDQ".into()),
                    total: a.total_count.unwrap_or(0),
                    assigned: a.assigned_count.unwrap_or(0),
                    available: a.available_count.unwrap_or(0),
                    retired: a.retired_count.unwrap_or(0),
                    device_assignable: a.device_assignable.unwrap_or(false),
                })
            }));
            match wire.next_page_index {
                Some(next) if next > page => page = next,
                _ => return Ok(out.into_iter().filter(|a| a.adam_id == adam_id).collect()),
            }
        }
        Err(VppError::Answer(format!(
            "more than {MAX_PAGES} pages of licences for one app"
        )))
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T, VppError> {
        let url = format!("{}/{path}", self.base);
        let mut attempt = 1;
        loop {
            let last = attempt >= self.retry.max_attempts;
            let mut request = self
                .http
                .request(method.clone(), &url)
                .header("Authorization", format!("Bearer {}", self.token.expose()))
                .header("Accept", "application/json");
            if let Some(body) = body {
                request = request
                    .header("Content-Type", "application/json")
                    .body(body.to_string());
            }
            let (retry_after, busy) = match request.send().await {
                Err(err) if last => return Err(VppError::Unreachable(err.to_string())),
                Err(err) => {
                    tracing::warn!(%err, attempt, "Apps and Books request failed; retrying");
                    (None, None)
                }
                Ok(resp) => {
                    let status = resp.status();
                    if status.is_redirection() {
                        return Err(VppError::Answer(format!("a redirect (HTTP {status})")));
                    }
                    let retry_after = header(&resp, "Retry-After")
                        .and_then(|v| wait::retry_after(v, self.clock.now().get()));
                    let text = match read_answer(resp, path, MAX_ANSWER).await {
                        Ok(text) => text,
                        Err(ReadError::TooLarge) => {
                            return Err(VppError::Answer("an answer larger than 4 MiB".into()));
                        }
                        Err(ReadError::Broken(err)) if last => {
                            return Err(VppError::Unreachable(err.to_string()));
                        }
                        Err(ReadError::Broken(_)) => {
                            self.pause.pause(self.retry.delay(attempt, None)).await;
                            attempt += 1;
                            continue;
                        }
                    };
                    let value: Option<Value> = serde_json::from_str(&text).ok();
                    let number = value
                        .as_ref()
                        .and_then(|v| v.get("errorNumber"))
                        .and_then(Value::as_u64)
                        .and_then(|n| u32::try_from(n).ok());
                    let busy = status == StatusCode::TOO_MANY_REQUESTS
                        || status.is_server_error()
                        || matches!(number, Some(9646 | 9603));
                    if !busy {
                        if let Some(number) = number {
                            let message = value
                                .as_ref()
                                .and_then(|v| v.get("errorMessage"))
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .chars()
                                .take(300)
                                .collect();
                            return Err(VppError::Api { number, message });
                        }
                        if !status.is_success() {
                            return Err(VppError::Answer(format!(
                                "HTTP {status} without an error number"
                            )));
                        }
                        let value = value.ok_or_else(|| VppError::Answer("not JSON".into()))?;
                        return serde_json::from_value(value)
                            .map_err(|e| VppError::Answer(e.to_string()));
                    }
                    (retry_after, Some(retry_after.map(|d| d.as_secs())))
                }
            };
            if let Some(asked) = busy {
                let too_long = retry_after.is_some_and(|d| d > self.retry.max_wait);
                if last || too_long {
                    return Err(VppError::Busy { retry_after: asked });
                }
                tracing::warn!(
                    attempt,
                    url,
                    "Apple's Apps and Books service is busy; retrying"
                );
            }
            self.pause
                .pause(self.retry.delay(attempt, retry_after))
                .await;
            attempt += 1;
        }
    }
}

fn config_from(wire: ConfigWire) -> Result<ClientConfig, VppError> {
    let location_name = wire
        .location_name
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| VppError::Answer("the location has no name (locationName)".into()))?;
    let uid = wire
        .uid
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| VppError::Answer("the location has no id (uId)".into()))?;
    Ok(ClientConfig {
        location_name,
        uid,
        country: wire.country,
        mdm_info: wire.mdm_info,
        token_expires_at: wire
            .token_expiration_date
            .as_deref()
            .and_then(parse_apple_date),
    })
}
