//! One client per token: OAuth 1.0a `GET /session`, the session token cached and
//! replaced from `X-ADM-Auth-Session`, one re-auth + retry on 401 / 403
//! `FORBIDDEN`, typed errors for what the admin must act on (spec §2.3, §3.11).

use std::sync::Arc;
use std::time::Duration;

use depot_domain::time::{parse_rfc3339, rfc3339};
use depot_domain::{
    Clock, DeviceChange, DeviceFacts, DeviceFamily, DeviceOp, DeviceRecord, ProfileStatus,
    SecretString, SerialNumber, UnixSeconds,
};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::base_url::AppleUrl;
use crate::oauth::{OAuthCredentials, OAuthRequest, SignError, authorization_header};
use crate::{SERVER_PROTOCOL_VERSION, user_agent};

pub use wait::{Pause, RealTime};

const SESSION_HEADER: &str = "X-ADM-Auth-Session";
const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF8";
/// A 401 whose `Date` header is further than this from Depot's clock is
/// reported as clock skew (OAuth requests carry a timestamp Apple checks).
pub const MAX_CLOCK_SKEW_SECS: i64 = 5 * 60;

/// The most Depot reads of one answer, per endpoint. Apple's answers are far
/// smaller; a bigger one is an error, never read into memory whole.
pub mod max_answer {
    /// `GET /session`: one session token.
    pub const SESSION: usize = 64 * 1024;
    /// `GET /account`: the account facts and its list of URLs.
    pub const ACCOUNT: usize = 256 * 1024;
    /// `POST /server/devices`, `POST /devices/sync`: Depot asks for pages of
    /// 1,000 devices, about 0.5 MB at protocol 10 (~450 bytes per device);
    /// 8 MiB also holds the 5,000-device pages an old `/account` advertised.
    pub const DEVICE_PAGE: usize = 8 * 1024 * 1024;
    /// Profile define/get (a profile with ten certificates is ~100 KB) and
    /// assign/remove answers (1,000 serials: ~40 KB).
    pub const PROFILE: usize = 1024 * 1024;
    /// `GET /device/replacementDetails`: two serials and a date.
    pub const REPLACEMENT: usize = 64 * 1024;
}

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
    /// Apple's service answered with a redirect; Depot never follows one.
    #[error(
        "{endpoint} answered with a redirect (HTTP {status}{}) and Depot does not follow redirects on calls to Apple. Check the token's Apple URL",
        .location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default()
    )]
    Redirect {
        endpoint: String,
        status: u16,
        location: Option<String>,
    },
    #[error(
        "the answer of {endpoint} is larger than {} MB, far more than Apple sends; Depot stopped reading it",
        .limit / (1024 * 1024)
    )]
    TooLarge { endpoint: String, limit: usize },
    /// The connection broke after a request that must not be repeated (e.g.
    /// `POST /profile`) may have reached Apple.
    #[error(
        "the connection broke after {endpoint} was sent, so Apple may or may not have taken it ({reason}). Depot did not send it again, to avoid a duplicate"
    )]
    Uncertain { endpoint: String, reason: String },
    /// Apple asked to wait longer than this run may.
    #[error(
        "{endpoint} answered HTTP {status} and Apple asked Depot to wait until {} before trying again; that is longer than this run may wait. Try again after that time",
        rfc3339(*.retry_at)
    )]
    Busy {
        endpoint: String,
        status: u16,
        /// Unix seconds.
        retry_at: i64,
    },
    /// A 401 while Apple's clock and this computer's are far apart.
    #[error(
        "Apple refused the request, and this computer's clock ({}) is {} minutes off Apple's ({}). Apple checks the time of every signed request: set this computer's date and time correctly (turn on automatic time), then try again. The token itself may be fine",
        rfc3339(*.ours), (.apple - .ours).unsigned_abs().div_ceil(60), rfc3339(*.apple)
    )]
    ClockSkew {
        /// Apple's `Date` header, Unix seconds.
        apple: i64,
        /// Depot's clock at the answer, Unix seconds.
        ours: i64,
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
/// exponential backoff with jitter, or exactly Apple's `Retry-After` when it
/// fits the run's time (at most `max_wait`, and not past the client's deadline;
/// otherwise the call stops with [`AppleError::Busy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    /// Cap of the exponential backoff.
    pub max_delay: Duration,
    /// The longest `Retry-After` waited for.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_wait: Duration::from_secs(5 * 60),
        }
    }
}

impl RetryPolicy {
    /// The pause before try `attempt + 1` (`attempt` ≥ 1): `Retry-After` if
    /// given (already checked against the budget), else `base · 2^(attempt−1)`
    /// with jitter, capped.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after;
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

/// `GET /device/replacementDetails` (spec §3.9): the device a replacement
/// device replaced, and the day (UTC) it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacementDetails {
    /// `None` when Apple's answer holds no usable serial number.
    pub original_serial: Option<SerialNumber>,
    /// `YYYY-MM-DD`; `None` when Apple's answer holds no usable date.
    pub replaced_on: Option<String>,
}

/// Apple's answer, every field optional and of any type (read leniently).
#[derive(Debug, Deserialize)]
struct ReplacementWire {
    #[serde(default)]
    original_device_serial_number: Option<serde_json::Value>,
    #[serde(default)]
    replacement_date: Option<serde_json::Value>,
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
    // Protocol 10, read leniently (see [`lenient`]): a wrong type or a bad
    // value loses that fact only, never the record or the page.
    #[serde(default, deserialize_with = "lenient::identifiers")]
    imei: Vec<String>,
    #[serde(default, deserialize_with = "lenient::identifiers")]
    meid: Vec<String>,
    #[serde(default, deserialize_with = "lenient::identifier")]
    eid: Option<String>,
    #[serde(default, deserialize_with = "lenient::identifier")]
    wifi_mac_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::identifier")]
    bluetooth_mac_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::identifier")]
    ethernet_mac_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::boolean")]
    is_replacement_device: Option<bool>,
    #[serde(default, deserialize_with = "lenient::boolean")]
    released_by_replacement: Option<bool>,
}

/// Deserializers that take any JSON value and keep only what Depot can use,
/// without building a value tree (a sync decodes hundreds of thousands of
/// records): an identifier that passes [`depot_domain::device::identifier`],
/// a list of such (a lone string counts as a list of one; bad entries and
/// repeats dropped, at most [`depot_domain::device::MAX_IDENTIFIERS_PER_LIST`]
/// kept), a boolean (also `"true"` / `"false"`). Anything else is `None` / empty.
mod lenient {
    use std::fmt;

    use depot_domain::device::{MAX_IDENTIFIERS_PER_LIST, identifier as checked};
    use serde::Deserializer;
    use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};

    /// What one JSON value held, as far as these fields care.
    enum Seen {
        Text(Option<String>),
        List(Vec<String>),
        Bool(bool),
        Other,
    }

    struct AnyValue;

    impl<'de> Visitor<'de> for AnyValue {
        type Value = Seen;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_str<E>(self, v: &str) -> Result<Seen, E> {
            let word = v.trim();
            Ok(if word.eq_ignore_ascii_case("true") {
                Seen::Bool(true)
            } else if word.eq_ignore_ascii_case("false") {
                Seen::Bool(false)
            } else {
                Seen::Text(checked(v))
            })
        }

        fn visit_bool<E>(self, v: bool) -> Result<Seen, E> {
            Ok(Seen::Bool(v))
        }

        fn visit_i64<E>(self, _: i64) -> Result<Seen, E> {
            Ok(Seen::Other)
        }

        fn visit_u64<E>(self, _: u64) -> Result<Seen, E> {
            Ok(Seen::Other)
        }

        fn visit_f64<E>(self, _: f64) -> Result<Seen, E> {
            Ok(Seen::Other)
        }

        fn visit_unit<E>(self) -> Result<Seen, E> {
            Ok(Seen::Other)
        }

        fn visit_none<E>(self) -> Result<Seen, E> {
            Ok(Seen::Other)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Seen, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seen, A::Error> {
            let mut out: Vec<String> = Vec::new();
            // Every element is read (the JSON must be consumed); only valid
            // strings are kept, up to the cap.
            while let Some(item) = seq.next_element::<Item>()? {
                if let Item(Some(id)) = item
                    && out.len() < MAX_IDENTIFIERS_PER_LIST
                    && !out.contains(&id)
                {
                    out.push(id);
                }
            }
            Ok(Seen::List(out))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Seen, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Seen::Other)
        }
    }

    /// One list element: a valid identifier, or nothing (any other value).
    struct Item(Option<String>);

    impl<'de> serde::Deserialize<'de> for Item {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Ok(Item(match d.deserialize_any(AnyValue)? {
                Seen::Text(text) => text,
                _ => None,
            }))
        }
    }

    pub(super) fn identifier<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match d.deserialize_any(AnyValue)? {
            Seen::Text(text) => text,
            _ => None,
        })
    }

    pub(super) fn identifiers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(match d.deserialize_any(AnyValue)? {
            Seen::Text(Some(one)) => vec![one],
            Seen::List(list) => list,
            _ => Vec::new(),
        })
    }

    pub(super) fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        Ok(match d.deserialize_any(AnyValue)? {
            Seen::Bool(b) => Some(b),
            _ => None,
        })
    }
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
        let facts = DeviceFacts {
            imei: self.imei,
            meid: self.meid,
            eid: self.eid,
            wifi_mac: self.wifi_mac_address,
            bluetooth_mac: self.bluetooth_mac_address,
            ethernet_mac: self.ethernet_mac_address,
            is_replacement: self.is_replacement_device,
            released_by_replacement: self.released_by_replacement,
        };
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
                facts,
            },
        })
    }
}

/// Apple's timestamps, leniently: RFC 3339, or `+0000`-style offsets.
fn lenient_time(text: &str) -> Option<i64> {
    let text = text.trim();
    parse_rfc3339(text).or_else(|| {
        // `2018-09-08T16:49:09+0000` → insert the colon RFC 3339 wants.
        // `split_at_checked`: Apple's text may hold a multi-byte character there.
        let (head, tail) = text.split_at_checked(text.len().checked_sub(5)?)?;
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
    /// The current session token (a secret: wiped when replaced or dropped).
    /// Held across the `/session` call so that concurrent requests share one
    /// re-auth.
    session: tokio::sync::Mutex<Option<SecretString>>,
    retry: RetryPolicy,
    pause: Arc<dyn Pause>,
    /// Unix seconds (on `clock`) after which no `Retry-After` is waited for:
    /// the end of the run's time budget.
    deadline: Option<UnixSeconds>,
}

impl std::fmt::Debug for AppleClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppleClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// One call to Apple: what to send and how carefully.
struct Call<'a> {
    method: Method,
    path: &'a str,
    body: Option<&'a serde_json::Value>,
    /// The most of the answer that is read (see [`max_answer`]).
    max_answer: usize,
    /// Whether a try may be sent again after it may have reached Apple.
    /// `false` for calls that create something (`POST /profile`): those are
    /// repeated only when the connection was never established.
    repeatable: bool,
}

/// An answer read whole.
struct Answer {
    status: StatusCode,
    text: String,
    /// Apple's `Date` header, Unix seconds.
    date: Option<i64>,
}

impl AppleClient {
    /// A client for the service at `base_url` (parsed and checked by
    /// [`AppleUrl::parse`]). Redirects are never followed.
    pub fn new(base_url: &AppleUrl, credentials: OAuthCredentials, clock: Arc<dyn Clock>) -> Self {
        let http = http_client();
        Self {
            base_url: base_url.as_str().to_owned(),
            credentials,
            http,
            clock,
            session: tokio::sync::Mutex::new(None),
            retry: RetryPolicy::default(),
            pause: Arc::new(RealTime),
            deadline: None,
        }
    }

    /// Replaces the retry policy (tests use millisecond delays).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Replaces how the client waits between tries (tests record the waits
    /// instead of sleeping).
    pub fn with_pause(mut self, pause: Arc<dyn Pause>) -> Self {
        self.pause = pause;
        self
    }

    /// No `Retry-After` is waited for past `deadline` (Unix seconds on the
    /// client's clock): the end of the run's time budget.
    pub fn with_deadline(mut self, deadline: UnixSeconds) -> Self {
        self.deadline = Some(deadline);
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
        let wire: DevicePageWire = self
            .request(Call {
                method: Method::POST,
                path,
                body: Some(body),
                max_answer: max_answer::DEVICE_PAGE,
                repeatable: true,
            })
            .await?;
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
        let wire: AccountWire = self
            .request(Call {
                method: Method::GET,
                path: "/account",
                body: None,
                max_answer: max_answer::ACCOUNT,
                repeatable: true,
            })
            .await?;
        Ok(wire.into())
    }

    /// `GET /device/replacementDetails?device=<serial>`: which device `serial`
    /// replaced. `None` when Apple says it is no replacement
    /// (`DEVICE_NOT_FOUND`, as a 404 or a 400).
    pub async fn replacement_details(
        &self,
        serial: &SerialNumber,
    ) -> Result<Option<ReplacementDetails>, AppleError> {
        // A serial number is letters and digits only: nothing to escape.
        let path = format!("/device/replacementDetails?device={}", serial.as_str());
        let answer: Result<ReplacementWire, AppleError> = self
            .request(Call {
                method: Method::GET,
                path: &path,
                body: None,
                max_answer: max_answer::REPLACEMENT,
                repeatable: true,
            })
            .await;
        let wire = match answer {
            Ok(wire) => wire,
            Err(AppleError::Status { status: 404, .. }) => return Ok(None),
            Err(AppleError::Status {
                status: 400,
                ref code,
                ..
            }) if code == "DEVICE_NOT_FOUND" => return Ok(None),
            Err(other) => return Err(other),
        };
        let original_serial = wire
            .original_device_serial_number
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .and_then(|s| SerialNumber::parse(s).ok());
        let replaced_on = wire
            .replacement_date
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .and_then(lenient_time)
            .map(|t| rfc3339(t)[..10].to_owned());
        Ok(Some(ReplacementDetails {
            original_serial,
            replaced_on,
        }))
    }

    /// Sends one request with the session, re-authenticating once if Apple says
    /// the session is gone, and decodes the JSON answer.
    async fn request<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, AppleError> {
        let Call {
            method,
            path,
            body,
            max_answer,
            repeatable,
        } = call;
        let mut retried = false;
        loop {
            let session = self.session_token(None).await?;
            let url = format!("{}{path}", self.base_url);
            let answer = self
                .send(path, &url, max_answer, repeatable, || {
                    let mut req = self
                        .http
                        .request(method.clone(), &url)
                        .header(SESSION_HEADER, session.expose())
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
            let status = answer.status;
            let code = error_code(&answer.text);
            // A 401 / 403 FORBIDDEN means Apple did not take the request, so
            // sending it again after a new session is safe for every call.
            let session_gone = status == StatusCode::UNAUTHORIZED
                || (status == StatusCode::FORBIDDEN && code == "FORBIDDEN");
            if session_gone && !retried {
                retried = true;
                self.session_token(Some(session.expose())).await?;
                continue;
            }
            if status == StatusCode::UNAUTHORIZED
                && let Some(skew) = self.clock_skew(answer.date)
            {
                return Err(skew);
            }
            if !status.is_success() {
                return Err(classify(path, status, code));
            }
            return decode(path, &answer.text);
        }
    }

    /// Sends a request built by `build`, retrying connection errors, 5xx and
    /// 429 per the retry policy (a call that is not `repeatable` only when
    /// the connection was never established), and reads at most `max_answer`
    /// bytes of the answer. Remembers a rotated session token. A redirect is
    /// an error.
    async fn send(
        &self,
        endpoint: &str,
        url: &str,
        max_answer: usize,
        repeatable: bool,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Answer, AppleError> {
        let mut attempt = 1;
        loop {
            let last = attempt >= self.retry.max_attempts;
            let retry_after = match build().send().await {
                Err(err) => {
                    // Never connected: Apple cannot have seen the request.
                    let resend = repeatable || err.is_connect();
                    if !resend {
                        return Err(uncertain(endpoint, &err));
                    }
                    if last {
                        return Err(unreachable_error(url, &err));
                    }
                    tracing::warn!(%err, attempt, "request failed; retrying");
                    None
                }
                Ok(resp) => {
                    self.remember_rotated_session(&resp).await;
                    let status = resp.status();
                    if status.is_redirection() {
                        return Err(AppleError::Redirect {
                            endpoint: endpoint.to_owned(),
                            status: status.as_u16(),
                            location: header(&resp, "Location").map(str::to_owned),
                        });
                    }
                    let now = self.clock.now().get();
                    let retry_after =
                        header(&resp, "Retry-After").and_then(|v| wait::retry_after(v, now));
                    let date = header(&resp, "Date").and_then(wait::http_date);
                    let text = match read_answer(resp, endpoint, max_answer).await {
                        Ok(text) => text,
                        Err(ReadError::TooLarge) => {
                            return Err(AppleError::TooLarge {
                                endpoint: endpoint.to_owned(),
                                limit: max_answer,
                            });
                        }
                        Err(ReadError::Broken(err)) if !repeatable => {
                            return Err(uncertain(endpoint, &err));
                        }
                        Err(ReadError::Broken(err)) if last => {
                            return Err(unreachable_error(url, &err));
                        }
                        Err(ReadError::Broken(err)) => {
                            tracing::warn!(%err, attempt, "answer broke off; retrying");
                            self.pause.pause(self.retry.delay(attempt, None)).await;
                            attempt += 1;
                            continue;
                        }
                    };
                    let busy = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS;
                    if !busy || !repeatable || last {
                        return Ok(Answer { status, text, date });
                    }
                    if let Some(after) = retry_after
                        && !self.may_wait(after)
                    {
                        return Err(AppleError::Busy {
                            endpoint: endpoint.to_owned(),
                            status: status.as_u16(),
                            retry_at: now.saturating_add(secs(after)),
                        });
                    }
                    tracing::warn!(%status, attempt, url, "Apple is busy; retrying");
                    retry_after
                }
            };
            self.pause
                .pause(self.retry.delay(attempt, retry_after))
                .await;
            attempt += 1;
        }
    }

    /// Whether waiting `after` fits this run: within `max_wait` and before
    /// the deadline.
    fn may_wait(&self, after: Duration) -> bool {
        after <= self.retry.max_wait
            && self
                .deadline
                .is_none_or(|end| self.clock.now() + secs(after) <= end)
    }

    /// Clock skew, when Apple's `Date` is far from Depot's clock.
    fn clock_skew(&self, apple: Option<i64>) -> Option<AppleError> {
        let apple = apple?;
        let ours = self.clock.now().get();
        ((apple - ours).abs() > MAX_CLOCK_SKEW_SECS)
            .then_some(AppleError::ClockSkew { apple, ours })
    }

    /// The cached session token, or a new one from `GET /session`. With
    /// `failed`, that token is known dead: a new one is fetched unless another
    /// request already replaced it.
    async fn session_token(&self, failed: Option<&str>) -> Result<SecretString, AppleError> {
        let mut slot = self.session.lock().await;
        match (slot.as_ref(), failed) {
            (Some(current), Some(dead)) if current.expose() != dead => return Ok(current.clone()),
            (Some(current), None) => return Ok(current.clone()),
            _ => {}
        }
        let token = self.new_session().await?;
        *slot = Some(token.clone());
        Ok(token)
    }

    async fn new_session(&self) -> Result<SecretString, AppleError> {
        let url = format!("{}/session", self.base_url);
        let answer = self
            .send("/session", &url, max_answer::SESSION, true, || {
                let nonce = nonce();
                let header = authorization_header(
                    &self.credentials,
                    &OAuthRequest {
                        method: "GET",
                        url: &url,
                        timestamp: self.clock.now().get(),
                        nonce: &nonce,
                    },
                )
                .unwrap_or_else(|_| SecretString::new(""));
                self.http
                    .get(&url)
                    .header("Authorization", header.expose())
                    .header(
                        "X-Server-Protocol-Version",
                        SERVER_PROTOCOL_VERSION.to_string(),
                    )
                    .header("Accept", JSON_CONTENT_TYPE)
            })
            .await?;
        if answer.status == StatusCode::UNAUTHORIZED {
            return Err(self.clock_skew(answer.date).unwrap_or(AppleError::Rejected));
        }
        if !answer.status.is_success() {
            return Err(classify(
                "/session",
                answer.status,
                error_code(&answer.text),
            ));
        }
        let wire: SessionWire = decode("/session", &answer.text)?;
        let token = SecretString::new(wire.auth_session_token);
        if token.expose().trim().is_empty() {
            return Err(AppleError::Decode {
                endpoint: "/session".into(),
                path: "auth_session_token".into(),
                reason: "empty session token".into(),
            });
        }
        Ok(token)
    }

    async fn remember_rotated_session(&self, resp: &reqwest::Response) {
        let rotated = header(resp, SESSION_HEADER);
        if let Some(value) = rotated.map(str::trim).filter(|v| !v.is_empty()) {
            *self.session.lock().await = Some(SecretString::new(value));
        }
    }
}

/// The HTTP client of every Apple service: Depot's user agent, no
/// redirects followed, 10 s to connect, 60 s per call.
pub(crate) fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(user_agent())
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap_or_default()
}

pub(crate) fn header<'r>(resp: &'r reqwest::Response, name: &str) -> Option<&'r str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

pub(crate) enum ReadError {
    TooLarge,
    Broken(reqwest::Error),
}

/// Reads the answer chunk by chunk, stopping as soon as it is longer than
/// `max` (a `Content-Length` above it is refused before reading).
pub(crate) async fn read_answer(
    mut resp: reqwest::Response,
    endpoint: &str,
    max: usize,
) -> Result<String, ReadError> {
    if resp
        .content_length()
        .is_some_and(|n| n > u64::try_from(max).unwrap_or(u64::MAX))
    {
        return Err(ReadError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(ReadError::Broken)? {
        if body.len() + chunk.len() > max {
            tracing::warn!(endpoint, max, "answer too large; stopped reading");
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn uncertain(endpoint: &str, err: &reqwest::Error) -> AppleError {
    AppleError::Uncertain {
        endpoint: endpoint.to_owned(),
        reason: error_chain(err),
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
    AppleError::Unreachable {
        url: url.to_owned(),
        reason: error_chain(err),
    }
}

/// The error and its causes, one line.
fn error_chain(err: &reqwest::Error) -> String {
    let mut reason = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    reason
}

fn nonce() -> String {
    let mut bytes = [0u8; 16];
    // A failure of the system RNG leaves zeros; the timestamp still varies.
    let _ = openssl::rand::rand_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

mod profiles;
pub(crate) mod wait;

pub use profiles::{AssignAnswer, MAX_SERIALS_PER_CALL, SerialOutcome};

#[cfg(test)]
mod tests;
