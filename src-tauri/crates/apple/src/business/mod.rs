//! Apple Business Manager / Apple School Manager API (2025): the
//! organisation's devices, its MDM servers, and assigning devices to them
//! (issue 17; wire: `docs/business-api-wire.md`).
//!
//! OAuth 2.0 client credentials with a JWT client assertion Depot signs
//! ([`jwt`]); access tokens cached until shortly before they expire and
//! fetched again once on a 401; JSON:API documents with cursor paging and
//! sparse fieldsets; 429 and 5xx tried again after `Retry-After` within the
//! retry policy, then [`OrgError::Busy`].

pub mod jwt;
mod wire;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use depot_domain::{Clock, SecretString, UnixSeconds};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::base_url::{AppleHosts, AppleUrlError};
use crate::client::{
    Pause, ReadError, RealTime, RetryPolicy, header, http_client, read_answer, wait,
};
pub use jwt::{AccountKey, KeyFileError};
pub use wire::{
    Activity, ActivityKind, ActivityLogRow, CoverageRecord, MdmServer, OrgDevice, OrgDeviceStatus,
};

/// Apple Business Manager's API host.
pub const BUSINESS_API_URL: &str = "https://api-business.apple.com";
/// Apple School Manager's API host.
pub const SCHOOL_API_URL: &str = "https://api-school.apple.com";
/// Apple's token endpoint (both).
pub const TOKEN_URL: &str = "https://account.apple.com/auth/oauth2/token";
/// The most devices Depot asks for per page (Apple's documented maximum).
pub const PAGE_LIMIT: u32 = 1000;
/// Pages read at most for one list (1,000 per page: a million devices).
const MAX_PAGES: u32 = 1_000;
/// The most of one answer Depot reads.
const MAX_ANSWER: usize = 16 * 1024 * 1024;
/// The device attributes Depot reads (`fields[orgDevices]`): a sparse
/// fieldset keeps pages small and names what Depot relies on.
const DEVICE_FIELDS: &str = "serialNumber,status,deviceModel,productFamily,productType,color,\
deviceCapacity,partNumber,orderNumber,orderDateTime,purchaseSourceType,purchaseSourceId,imei,meid,\
eid,wifiMacAddress,bluetoothMacAddress,addedToOrgDateTime,updatedDateTime,releasedFromOrgDateTime";
/// Without `fields[mdmServers]` Apple answers a default subset; Depot asks
/// for what it shows.
const SERVER_FIELDS: &str = "serverName,serverType,createdDateTime,updatedDateTime";
/// What polling an activity needs.
const ACTIVITY_FIELDS: &str = "status,subStatus,createdDateTime,completedDateTime,downloadUrl";
/// An access token is fetched again this long before it expires.
const TOKEN_MARGIN_SECS: i64 = 60;

/// Which of Apple's two organisation APIs an account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgKind {
    Business,
    School,
}

impl OrgKind {
    /// From the client id's prefix (`BUSINESSAPI.` / `SCHOOLAPI.`).
    pub fn of_client_id(client_id: &str) -> Option<Self> {
        if client_id.starts_with("BUSINESSAPI.") {
            Some(OrgKind::Business)
        } else if client_id.starts_with("SCHOOLAPI.") {
            Some(OrgKind::School)
        } else {
            None
        }
    }

    pub fn scope(self) -> &'static str {
        match self {
            OrgKind::Business => "business.api",
            OrgKind::School => "school.api",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Business => "business",
            OrgKind::School => "school",
        }
    }
}

/// Where the two halves of the API are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUrls {
    /// `…/auth/oauth2/token`.
    pub token: String,
    /// The API base; paths under `/v1/`.
    pub api: String,
    /// Apple's own hosts.
    pub apple: bool,
}

impl OrgUrls {
    /// Apple's hosts for `kind`.
    pub fn apple(kind: OrgKind) -> Self {
        OrgUrls {
            token: TOKEN_URL.to_owned(),
            api: match kind {
                OrgKind::Business => BUSINESS_API_URL,
                OrgKind::School => SCHOOL_API_URL,
            }
            .to_owned(),
            apple: true,
        }
    }

    /// `--api-url URL`: both halves at one base (a simulator): the token at
    /// `URL/auth/oauth2/token`, the API at `URL/v1/…`. Apple's hosts only
    /// unless test hosts are allowed.
    pub fn at(base: &str, hosts: AppleHosts) -> Result<Self, AppleUrlError> {
        let (text, _) = crate::base_url::checked_url(base, hosts, "api-business.apple.com", false)?;
        let apple = text == BUSINESS_API_URL || text == SCHOOL_API_URL;
        if apple {
            return Ok(OrgUrls {
                token: TOKEN_URL.to_owned(),
                api: text,
                apple: true,
            });
        }
        Ok(OrgUrls {
            token: format!("{text}/auth/oauth2/token"),
            api: text,
            apple: false,
        })
    }
}

/// An error from the organisation API, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    /// The token endpoint refused the account (RFC 6749 error).
    #[error("{}", auth_advice(.error, .description))]
    Auth { error: String, description: String },
    /// A JSON:API error.
    #[error("{}", api_advice(*.status, .code, .detail))]
    Api {
        status: u16,
        code: String,
        title: String,
        detail: String,
    },
    /// 429 or a server error, still after the retries; Apple asked to wait
    /// `retry_after` seconds when it said.
    #[error("Apple's organisation API is busy{}; try again later", .retry_after.map(|s| format!(" (it asks to wait {s} s)")).unwrap_or_default())]
    Busy { retry_after: Option<u64> },
    #[error("Apple's organisation API could not be reached: {0}")]
    Unreachable(String),
    #[error("Apple's organisation API answered something Depot cannot read: {0}")]
    Answer(String),
    #[error(transparent)]
    Key(#[from] KeyFileError),
}

fn auth_advice(error: &str, description: &str) -> String {
    let what = match error {
        "invalid_client" => {
            "Apple does not accept this API account: check the client id and key id in Apple's portal (Preferences → API), or generate a new private key there"
        }
        "invalid_grant" => {
            "Apple refused the account's signed assertion: the key may have been revoked or regenerated in Apple's portal"
        }
        "invalid_scope" => {
            "the API account is not for this kind of organisation (Business accounts start with BUSINESSAPI., School accounts with SCHOOLAPI.)"
        }
        _ => "Apple refused to sign the API account in",
    };
    if description.is_empty() {
        format!("{what} ({error})")
    } else {
        format!("{what} ({error}: {description})")
    }
}

fn api_advice(status: u16, code: &str, detail: &str) -> String {
    let what = match status {
        401 => "Apple no longer accepts the access token",
        403 => "the API account may not do this (its role in Apple's portal)",
        404 => "Apple does not know this",
        409 => "Apple refused the change because of the current state",
        422 => "Apple refused the request's content",
        _ => "Apple refused the request",
    };
    format!("{what}: {detail} (HTTP {status}, {code})")
}

impl OrgError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, OrgError::Api { status: 404, .. })
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    pub total: Option<u64>,
}

/// An API account, ready to sign in.
pub struct OrgAccount {
    pub client_id: String,
    pub key_id: String,
    pub key: AccountKey,
}

impl std::fmt::Debug for OrgAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrgAccount")
            .field("client_id", &self.client_id)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

struct CachedToken {
    token: SecretString,
    expires_at: UnixSeconds,
}

/// A client for one API account.
pub struct OrgClient {
    account: OrgAccount,
    kind: OrgKind,
    urls: OrgUrls,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    pause: Arc<dyn Pause>,
    token: Mutex<Option<CachedToken>>,
    /// Access tokens fetched (for tests and the audit of sign-ins).
    sign_ins: std::sync::atomic::AtomicU32,
}

impl std::fmt::Debug for OrgClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrgClient")
            .field("account", &self.account)
            .field("urls", &self.urls)
            .finish_non_exhaustive()
    }
}

impl OrgClient {
    pub fn new(account: OrgAccount, kind: OrgKind, urls: OrgUrls, clock: Arc<dyn Clock>) -> Self {
        Self {
            account,
            kind,
            urls,
            http: http_client(),
            clock,
            retry: RetryPolicy {
                max_attempts: 4,
                base_delay: Duration::from_secs(2),
                max_delay: Duration::from_secs(30),
                max_wait: Duration::from_secs(90),
            },
            pause: Arc::new(RealTime),
            token: Mutex::new(None),
            sign_ins: std::sync::atomic::AtomicU32::new(0),
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

    /// How many access tokens this client fetched.
    pub fn sign_ins(&self) -> u32 {
        self.sign_ins.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets the cached access token (the next call signs in again).
    pub fn forget_token(&self) {
        if let Ok(mut t) = self.token.lock() {
            *t = None;
        }
    }

    /// A valid access token: the cached one, or a new one from the token
    /// endpoint (a fresh client assertion each time).
    pub async fn access_token(&self) -> Result<SecretString, OrgError> {
        let now = self.clock.now();
        if let Ok(cached) = self.token.lock()
            && let Some(t) = cached.as_ref()
            && t.expires_at.seconds_since(now) > TOKEN_MARGIN_SECS
        {
            return Ok(t.token.clone());
        }
        let assertion = jwt::client_assertion(
            &self.account.key,
            &self.account.client_id,
            &self.account.key_id,
            now,
            jwt::ASSERTION_LIFETIME_SECS,
        )?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.account.client_id.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.expose()),
            ("scope", self.kind.scope()),
        ];
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut attempt = 1;
        loop {
            let last = attempt >= self.retry.max_attempts;
            let sent = self
                .http
                .post(&self.urls.token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .body(body.clone())
                .send()
                .await;
            let resp = match sent {
                Ok(resp) => resp,
                Err(err) if last => {
                    return Err(OrgError::Unreachable(err.without_url().to_string()));
                }
                Err(_) => {
                    self.pause.pause(self.retry.delay(attempt, None)).await;
                    attempt += 1;
                    continue;
                }
            };
            let status = resp.status();
            let retry_after = header(&resp, "Retry-After")
                .and_then(|v| wait::retry_after(v, self.clock.now().get()));
            let text = self.read(resp, "token").await?;
            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                if last || retry_after.is_some_and(|d| d > self.retry.max_wait) {
                    return Err(OrgError::Busy {
                        retry_after: retry_after.map(|d| d.as_secs()),
                    });
                }
                self.pause
                    .pause(self.retry.delay(attempt, retry_after))
                    .await;
                attempt += 1;
                continue;
            }
            let value: Value = serde_json::from_str(&text).map_err(|_| {
                OrgError::Answer(format!(
                    "the token endpoint's HTTP {status} answer is not JSON"
                ))
            })?;
            if !status.is_success() {
                return Err(OrgError::Auth {
                    error: value["error"]
                        .as_str()
                        .unwrap_or("unknown")
                        .chars()
                        .take(100)
                        .collect(),
                    description: value["error_description"]
                        .as_str()
                        .unwrap_or("")
                        .chars()
                        .take(300)
                        .collect(),
                });
            }
            let token = value["access_token"]
                .as_str()
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    OrgError::Answer("the token endpoint gave no access_token".into())
                })?;
            let lifetime = value["expires_in"]
                .as_i64()
                .unwrap_or(3_600)
                .clamp(1, 86_400);
            let secret = SecretString::new(token.to_owned());
            if let Ok(mut cached) = self.token.lock() {
                *cached = Some(CachedToken {
                    token: secret.clone(),
                    expires_at: now.plus(lifetime),
                });
            }
            self.sign_ins
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(secret);
        }
    }

    async fn read(&self, resp: reqwest::Response, what: &str) -> Result<String, OrgError> {
        match read_answer(resp, what, MAX_ANSWER).await {
            Ok(text) => Ok(text),
            Err(ReadError::TooLarge) => {
                Err(OrgError::Answer("an answer larger than 16 MiB".into()))
            }
            Err(ReadError::Broken(err)) => {
                Err(OrgError::Unreachable(err.without_url().to_string()))
            }
        }
    }

    /// One call: signs in when needed, once more after a 401, and waits out
    /// 429 / 5xx within the retry policy. `path` is below the API base
    /// (`/v1/…`) or a full URL Apple gave (`links.next`).
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, OrgError> {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            // Only Apple's own links on the same API are followed.
            if !path.starts_with(&format!("{}/", self.urls.api)) {
                return Err(OrgError::Answer(format!("a link to another host ({path})")));
            }
            path.to_owned()
        } else {
            format!("{}{path}", self.urls.api)
        };
        let mut attempt = 1;
        let mut signed_in_again = false;
        loop {
            let last = attempt >= self.retry.max_attempts;
            let token = self.access_token().await?;
            let mut request = self
                .http
                .request(method.clone(), &url)
                .header("Authorization", format!("Bearer {}", token.expose()))
                .header("Accept", "application/json");
            if let Some(body) = body {
                request = request
                    .header("Content-Type", "application/json")
                    .body(body.to_string());
            }
            let resp = match request.send().await {
                Ok(resp) => resp,
                Err(err) if last => {
                    return Err(OrgError::Unreachable(err.without_url().to_string()));
                }
                Err(_) => {
                    self.pause.pause(self.retry.delay(attempt, None)).await;
                    attempt += 1;
                    continue;
                }
            };
            let status = resp.status();
            if status.is_redirection() {
                return Err(OrgError::Answer(format!("a redirect (HTTP {status})")));
            }
            let retry_after = header(&resp, "Retry-After")
                .and_then(|v| wait::retry_after(v, self.clock.now().get()));
            let text = self.read(resp, path).await?;
            if status == StatusCode::UNAUTHORIZED && !signed_in_again {
                // The access token expired or was revoked: a new one, once.
                signed_in_again = true;
                self.forget_token();
                continue;
            }
            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                if last || retry_after.is_some_and(|d| d > self.retry.max_wait) {
                    return Err(OrgError::Busy {
                        retry_after: retry_after.map(|d| d.as_secs()),
                    });
                }
                tracing::info!(%status, attempt, "Apple's organisation API is busy; trying again");
                self.pause
                    .pause(self.retry.delay(attempt, retry_after))
                    .await;
                attempt += 1;
                continue;
            }
            let value: Option<Value> = serde_json::from_str(&text).ok();
            if !status.is_success() {
                return Err(wire::api_error(status.as_u16(), value.as_ref()));
            }
            return value
                .ok_or_else(|| OrgError::Answer(format!("the answer to {path} is not JSON")));
        }
    }

    /// Every item of a paged list, following cursors: `first` is the first
    /// page's path with its query (`?limit=…`); `what` names the items for
    /// the error when a list never ends.
    async fn all_pages<T>(
        &self,
        first: &str,
        item: impl Fn(&Value) -> Option<T>,
        what: &str,
    ) -> Result<Vec<T>, OrgError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let path = match &cursor {
                None => first.to_owned(),
                Some(c) => format!(
                    "{first}&cursor={}",
                    url::form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>()
                ),
            };
            let doc = self.call(Method::GET, &path, None).await?;
            let page = wire::page(&doc, &item)?;
            out.extend(page.items);
            match page.next_cursor {
                Some(next) if Some(&next) != cursor.as_ref() => cursor = Some(next),
                Some(_) => return Err(OrgError::Answer("the same cursor twice".into())),
                None => return Ok(out),
            }
        }
        Err(OrgError::Answer(format!(
            "more than {MAX_PAGES} pages of {what}"
        )))
    }

    /// Every device the organisation owns (`GET /v1/orgDevices`), every page.
    pub async fn org_devices(&self) -> Result<Vec<OrgDevice>, OrgError> {
        self.all_pages(
            &format!("/v1/orgDevices?limit={PAGE_LIMIT}&fields%5BorgDevices%5D={DEVICE_FIELDS}"),
            wire::org_device,
            "devices",
        )
        .await
    }

    /// One device (`GET /v1/orgDevices/{serial}`).
    pub async fn org_device(&self, serial: &str) -> Result<OrgDevice, OrgError> {
        let doc = self
            .call(
                Method::GET,
                &format!(
                    "/v1/orgDevices/{}?fields%5BorgDevices%5D={DEVICE_FIELDS}",
                    path_part(serial)?
                ),
                None,
            )
            .await?;
        wire::org_device(&doc["data"])
            .ok_or_else(|| OrgError::Answer("a device without its serial number".into()))
    }

    /// The MDM server a device is assigned to (`None`: unassigned).
    pub async fn assigned_server(&self, serial: &str) -> Result<Option<String>, OrgError> {
        let path = format!(
            "/v1/orgDevices/{}/relationships/assignedServer",
            path_part(serial)?
        );
        match self.call(Method::GET, &path, None).await {
            Ok(doc) => Ok(doc["data"]["id"].as_str().map(str::to_owned)),
            // Apple's answer for an unassigned device is unconfirmed: a 404
            // is read as "none" too.
            Err(err) if err.is_not_found() => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// A device's AppleCare coverage (`GET /v1/orgDevices/{serial}/appleCareCoverage`).
    pub async fn apple_care(&self, serial: &str) -> Result<Vec<CoverageRecord>, OrgError> {
        let path = format!(
            "/v1/orgDevices/{}/appleCareCoverage?limit={PAGE_LIMIT}",
            path_part(serial)?
        );
        self.all_pages(&path, wire::coverage, "AppleCare coverage")
            .await
    }

    /// Every MDM server of the organisation (`GET /v1/mdmServers`).
    pub async fn mdm_servers(&self) -> Result<Vec<MdmServer>, OrgError> {
        self.all_pages(
            &format!("/v1/mdmServers?limit={PAGE_LIMIT}&fields%5BmdmServers%5D={SERVER_FIELDS}"),
            wire::mdm_server,
            "MDM servers",
        )
        .await
    }

    /// The serial numbers assigned to MDM server `id`.
    pub async fn server_serials(&self, id: &str) -> Result<Vec<String>, OrgError> {
        let path = format!(
            "/v1/mdmServers/{}/relationships/devices?limit={PAGE_LIMIT}",
            path_part(id)?
        );
        self.all_pages(
            &path,
            |d| d["id"].as_str().map(str::to_owned),
            "serial numbers",
        )
        .await
    }

    /// Starts assigning or unassigning `serials` to/from MDM server
    /// `server` (`POST /v1/orgDeviceActivities`).
    pub async fn start_activity(
        &self,
        kind: ActivityKind,
        server: &str,
        serials: &[String],
    ) -> Result<Activity, OrgError> {
        let body = wire::activity_body(kind, server, serials);
        let doc = self
            .call(Method::POST, "/v1/orgDeviceActivities", Some(&body))
            .await?;
        wire::activity(&doc["data"])
            .ok_or_else(|| OrgError::Answer("an activity without its id".into()))
    }

    /// An activity's state (`GET /v1/orgDeviceActivities/{id}`).
    pub async fn activity(&self, id: &str) -> Result<Activity, OrgError> {
        let doc = self
            .call(
                Method::GET,
                &format!(
                    "/v1/orgDeviceActivities/{}?fields%5BorgDeviceActivities%5D={ACTIVITY_FIELDS}",
                    path_part(id)?
                ),
                None,
            )
            .await?;
        wire::activity(&doc["data"])
            .ok_or_else(|| OrgError::Answer("an activity without its id".into()))
    }

    /// The CSV log of a completed activity (its `downloadUrl`: a pre-signed
    /// URL, fetched without the access token).
    pub async fn activity_log(&self, download_url: &str) -> Result<Vec<ActivityLogRow>, OrgError> {
        let parsed = url::Url::parse(download_url)
            .map_err(|_| OrgError::Answer("the activity's log URL is not a URL".into()))?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
        if parsed.scheme() != "https"
            && !(parsed.scheme() == "http" && loopback && !self.urls.apple)
        {
            return Err(OrgError::Answer(
                "the activity's log URL is not https".into(),
            ));
        }
        let resp = self
            .http
            .get(parsed)
            .send()
            .await
            .map_err(|e| OrgError::Unreachable(e.without_url().to_string()))?;
        let status = resp.status();
        let text = self.read(resp, "activity log").await?;
        if !status.is_success() {
            return Err(OrgError::Answer(format!(
                "the activity's log answered HTTP {status}"
            )));
        }
        Ok(wire::activity_log(&text))
    }
}

/// A path segment from an id or serial: letters, digits, `-` and `_` only
/// (Apple's serials and ids), so nothing can change the path.
fn path_part(id: &str) -> Result<&str, OrgError> {
    let id = id.trim();
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(OrgError::Answer(format!(
            "'{id}' is not a serial number or id"
        )));
    }
    Ok(id)
}
