//! Depot's simulator of Apple's Automated Device Enrollment web service
//! ("Device Assignment Services") and of the portal's token download.
//!
//! Apple has no sandbox, so development, tests, benchmarks and demo mode run
//! against this. It follows `docs/apple-wire.md`, including the parts that
//! make clients fail, and it shares no code or DTOs with Depot's Apple client.
//!
//! ```no_run
//! # async fn demo() -> Result<(), depot_sim::SimError> {
//! use depot_sim::{ServerSpec, Simulator};
//! let sim = Simulator::builder()
//!     .seed(42)
//!     .server(ServerSpec::new("Sales-East", "Acme Corp", 500))
//!     .start()
//!     .await?;
//! let creds = sim.credentials("Sales-East").expect("configured above");
//! println!("{} {}", sim.base_url(), creds.consumer_key);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Everything is on 127.0.0.1 only. Apple's endpoints live at the root of
//! [`RunningSim::base_url`]; the portal under `/portal/…` and the control API
//! under `/control/…` (see [`CONTROL_HELP`]).

mod business;
mod cli;
mod clock;
mod control;
mod cursor;
mod devices;
mod http;
mod model;
mod oauth;
mod portal;
mod profiles;
mod service;
mod util;
mod vpp;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use business::{
    BusinessAccount, BusinessAccountSpec, BusinessAccountSummary, BusinessActivitySummary,
    BusinessDeviceSummary, BusinessRateLimits, BusinessServer,
};
pub use cli::{ServeArgs, serve_cli};
pub use clock::SimClock;
pub use portal::PortalError;
pub use vpp::{
    COMPANY_PORTAL_ADAM_ID, VppAssetSpec, VppAssetSummary, VppLimits, VppLocationSpec,
    VppLocationSummary, VppMdmInfo,
};

use model::Shared;

/// Errors from starting or driving the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid simulator configuration: {0}")]
    Config(String),
    #[error("no MDM server named '{0}' in this simulator")]
    UnknownServer(String),
    #[error("no Apps and Books location named '{0}' in this simulator")]
    UnknownVppLocation(String),
    #[error("no organisation API account '{0}' in this simulator")]
    UnknownBusinessAccount(String),
    #[error(transparent)]
    Portal(#[from] PortalError),
}

/// The four OAuth credentials of a server token plus its expiry, exactly as the
/// decrypted `.p7m` JSON names them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub access_token: String,
    pub access_secret: String,
    /// RFC 3339 UTC, e.g. `2027-01-17T11:02:21Z`.
    pub access_token_expiry: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &"<redacted>")
            .field("access_token", &"<redacted>")
            .field("access_secret", &"<redacted>")
            .field("access_token_expiry", &self.access_token_expiry)
            .finish()
    }
}

/// One MDM server ("device management service") in the simulated portal.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    /// `server_name`; also the key for every per-server call here.
    pub name: String,
    /// Organisation name; servers naming the same org share it.
    pub org: String,
    /// Devices assigned to this server at start (0 to 16 million).
    pub device_count: u32,
    /// Fixed credentials (e.g. the spec §2.2 test vector); generated from the
    /// seed when `None`.
    pub credentials: Option<Credentials>,
    /// Fixed `server_uuid` (a client restarting a simulator it used before);
    /// generated from the seed when `None`.
    pub server_uuid: Option<String>,
    /// Profiles the server already holds, by profile UUID (a client
    /// restarting a simulator it defined profiles on before).
    pub profiles: Vec<(String, serde_json::Map<String, serde_json::Value>)>,
}

impl ServerSpec {
    pub fn new(name: impl Into<String>, org: impl Into<String>, device_count: u32) -> Self {
        ServerSpec {
            name: name.into(),
            org: org.into(),
            device_count,
            credentials: None,
            server_uuid: None,
            profiles: Vec::new(),
        }
    }

    /// A profile the server holds from the start, under `uuid`, with Apple's
    /// profile JSON `fields` (as `GET /profile` would return them).
    pub fn with_profile(
        mut self,
        uuid: impl Into<String>,
        fields: serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        self.profiles.push((uuid.into(), fields));
        self
    }

    pub fn with_server_uuid(mut self, uuid: impl Into<String>) -> Self {
        self.server_uuid = Some(uuid.into());
        self
    }

    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }
}

/// What to do with a fetch/sync `limit` above Apple's documented maximum (1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum LimitPolicy {
    /// Serve at most 1000 (the default).
    #[default]
    Clamp,
    /// Answer 400 `MALFORMED_REQUEST_BODY`.
    Reject,
}

/// The next `count` matching requests answer `status` instead of being served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBurst {
    /// HTTP status, e.g. 401, 403, 429, 500, 503.
    pub status: u16,
    pub count: u32,
    /// Only requests to this exact path (e.g. `/devices/sync`); any path when `None`.
    #[serde(default)]
    pub path: Option<String>,
    /// Error body; by default `UNAUTHORIZED` (401), `FORBIDDEN` (403),
    /// `TOO_MANY_REQUESTS` (429), `SERVER_ERROR` (5xx).
    #[serde(default)]
    pub body: Option<String>,
    /// `Retry-After` seconds on 429 and 503 (default 1).
    #[serde(default)]
    pub retry_after_seconds: Option<u32>,
    /// Send `Retry-After` as an HTTP-date (simulated now + the seconds)
    /// instead of delta-seconds.
    #[serde(default)]
    pub retry_after_as_date: bool,
}

impl ErrorBurst {
    pub fn new(status: u16, count: u32) -> Self {
        ErrorBurst {
            status,
            count,
            path: None,
            body: None,
            retry_after_seconds: None,
            retry_after_as_date: false,
        }
    }

    pub fn on_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn retry_after(mut self, seconds: u32) -> Self {
        self.retry_after_seconds = Some(seconds);
        self
    }

    /// `Retry-After` as an HTTP-date `seconds` after simulated now.
    pub fn retry_after_date(mut self, seconds: u32) -> Self {
        self.retry_after_seconds = Some(seconds);
        self.retry_after_as_date = true;
        self
    }
}

fn default_retry_after() -> u32 {
    3600
}

/// Fault switches (SIM-4). Apply to Apple's endpoints only (not the portal or
/// the control API). Counters (`errors`, `drop_connections`) are consumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Restrict faults to requests made for these servers (empty: all servers).
    /// A request is attributed by its OAuth consumer key or its session.
    pub servers: Vec<String>,
    /// Every live session expires after this many authenticated calls
    /// (repeating): the N+1-th call gets 401 `UNAUTHORIZED`.
    pub expire_sessions_after_calls: Option<u32>,
    /// Scripted error responses, consumed front to back.
    pub errors: Vec<ErrorBurst>,
    /// Delay before each response, in real milliseconds (all servers: the
    /// delay happens before the request is attributed).
    pub latency_ms: u64,
    /// Every call, `/session` included, answers 403 `T_C_NOT_SIGNED`.
    pub t_c_not_signed: bool,
    /// Every call, `/session` included, answers 403 `ACCESS_DENIED`.
    pub access_denied: bool,
    /// Fetch/sync with a cursor echo that cursor with no devices and
    /// `more_to_follow: true`, forever (micromdm #1016).
    pub echo_cursor: bool,
    /// Assign answers `THROTTLED` for these serials.
    pub throttled_serials: Vec<String>,
    /// Assign answers `THROTTLED` for every serial.
    pub throttle_all: bool,
    /// `retry_after_seconds` sent with `THROTTLED` (protocol version ≥ 10).
    #[serde(default = "default_retry_after")]
    pub retry_after_seconds: u32,
    /// Assign answers `FAILED` for these serials.
    pub failed_serials: Vec<String>,
    /// The next N requests have their connection closed without a response.
    pub drop_connections: u32,
    /// Every call answers `307 Temporary Redirect` to this URL (a
    /// misconfigured proxy or a hijacked host).
    pub redirect_to: Option<String>,
    /// Every answer gets this many trailing spaces: still valid JSON, but far
    /// bigger than Apple's (an oversized body).
    pub pad_answers_bytes: u64,
    /// Requests matching one of these (`"/account"`, or with the method,
    /// `"POST /profile"`) are served, their effects made and logged, but the
    /// answer is held back until the switch no longer names them (the next
    /// `set_faults`) or the simulator stops. [`RunningSim::held_answers`]
    /// counts the answers waiting: a client killed then has had its request
    /// carried out by Apple without ever seeing the answer.
    pub hold_answers: Vec<String>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            servers: Vec::new(),
            expire_sessions_after_calls: None,
            errors: Vec::new(),
            latency_ms: 0,
            t_c_not_signed: false,
            access_denied: false,
            echo_cursor: false,
            throttled_serials: Vec::new(),
            throttle_all: false,
            retry_after_seconds: default_retry_after(),
            failed_serials: Vec::new(),
            drop_connections: 0,
            redirect_to: None,
            pad_answers_bytes: 0,
            hold_answers: Vec::new(),
        }
    }
}

impl Faults {
    /// Whether `hold_answers` names this request.
    pub(crate) fn holds(&self, method: &str, path: &str) -> bool {
        self.hold_answers.iter().any(|entry| {
            entry == path
                || entry
                    .split_once(' ')
                    .is_some_and(|(m, p)| m.eq_ignore_ascii_case(method) && p == path)
        })
    }
}

/// A batch of scripted changes for one server (SIM-3). Devices are picked
/// deterministically from the seed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChangeBatch {
    /// New devices assigned to the server (`added`).
    pub added: u32,
    /// Existing devices whose attributes change (`modified`).
    pub modified: u32,
    /// Devices released from the server (`deleted`).
    pub released: u32,
    /// Devices with an assigned profile that run Setup Assistant: their
    /// `profile_status` becomes `pushed` (`modified`).
    pub set_up: u32,
}

/// Serials touched by a [`ChangeBatch`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeReport {
    pub server: String,
    pub added: Vec<String>,
    pub modified: Vec<String>,
    pub released: Vec<String>,
    pub set_up: Vec<String>,
}

/// One request as the simulator saw it (Apple endpoints and portal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub seq: u64,
    /// Simulated time, Unix milliseconds.
    pub at_ms: i64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Server the request was attributed to, if any.
    pub server: Option<String>,
    /// HTTP status answered; 0 when the connection was dropped.
    pub status: u16,
    /// Apple error code of an error answer (`INVALID_CURSOR`, …).
    pub error_code: Option<String>,
    pub dropped: bool,
    pub user_agent: Option<String>,
    pub protocol_version: Option<String>,
    pub content_type: Option<String>,
    pub had_session_header: bool,
    /// Whether the response carried a new `X-ADM-Auth-Session`.
    pub rotated_session: bool,
    /// Request body (first 64 KiB, lossy UTF-8).
    pub body: String,
}

/// Summary of one server, as the control API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSummary {
    pub name: String,
    pub org: String,
    pub server_uuid: String,
    pub consumer_key: String,
    pub devices_total: u64,
    pub devices_assigned: u64,
    pub profiles: u64,
    pub changes: u64,
}

/// Documentation of the control API, shown by `depot-sim --help`.
pub const CONTROL_HELP: &str = "\
CONTROL API (loopback JSON; not logged, not affected by faults). Every call needs the
token printed at start (random per run): `Authorization: Bearer TOKEN`. Requests whose
Host header is not 127.0.0.1, localhost or [::1] are refused (so no web page can reach
the simulator through DNS rebinding):
  GET    /control/servers                     servers with device/profile counts
  GET    /control/servers/{name}/credentials  the server's token JSON (like a decrypted .p7m)
  POST   /control/servers/{name}/session      mint a session token without OAuth -> {auth_session_token}
  GET    /control/servers/{name}/serials?offset=0&limit=100   serials of current devices
  GET    /control/faults                      current fault switches
  PUT    /control/faults                      replace them, e.g. {\"errors\":[{\"status\":503,\"count\":2}],
                                              \"latency_ms\":50,\"throttled_serials\":[\"F2L...\"]}
  GET    /control/clock                       {now, now_ms}
  POST   /control/clock/advance               {\"seconds\": 691200}
  PUT    /control/clock                       {\"now\": \"2026-01-01T00:00:00Z\"}
  POST   /control/changes                     {\"server\":\"sim-server-1\",\"added\":5,\"modified\":3,
                                              \"released\":1,\"set_up\":2} -> serials touched
  POST   /control/advance                     apply the next scripted step (--script) to every server
  POST   /control/devices/setup               {\"server\":\"…\",\"serials\":[…]}: assigned -> pushed
  POST   /control/sessions/expire             live sessions now answer 401 UNAUTHORIZED
  POST   /control/sessions/forget             sessions unknown (as after a restart): 403 FORBIDDEN
  POST   /control/cursors/expire              every cursor issued so far: EXPIRED_CURSOR
  GET    /control/log  |  DELETE /control/log request log (JSON array) / clear it
APPS AND BOOKS (VPP) API v2, served under /mdm/v2 (use {base}/mdm/v2 as the API base):
  GET    /control/vpp/locations               locations with uId, mdmInfo, assets and counts
  GET    /control/vpp/locations/{name}        one of them (pending events whose time has come complete)
  POST   /control/vpp/locations/{name}/token  issue a .vpptoken -> {\"vpptoken\": \"<file content>\"}
  POST   /control/vpp/locations/{name}/expire every token issued so far answers 9621 (expired)
  POST   /control/vpp/locations/{name}/revoke every token issued so far answers 9625 (revoked)
  POST   /control/vpp/locations/{name}/claim  {\"mdm_name\": \"OtherMDM\"}: another MDM overwrites mdmInfo
  PUT    /control/vpp/locations/{name}/assets/{adamId}/licences   {\"total\": 5} (unknown adamId: added)
  POST   /control/vpp/too-many-requests       {\"count\": 2, \"retry_after_seconds\": 30}: next N calls 429/9646
  POST   /control/vpp/server-errors           {\"count\": 1, \"retry_after_seconds\": 5}: next N calls 500/9603
  PUT    /control/vpp/auth-errors-with-200    {\"enabled\": true}: 9621/9622/9625 with HTTP 200, not 401
  GET    /control/vpp/limits  |  PUT /control/vpp/limits   service/config limits (camelCase, enforced)
ORGANISATION API (Apple School/Business Manager API; token at /auth/oauth2/token, API under /v1):
  GET    /control/business                    accounts, servers with mdmServers ids, limits, activities
  POST   /control/business/accounts           {\"client_id\": \"BUSINESSAPI.…\"} (optional) -> new account with
                                              {client_id, key_id, private_key_pem, public_key_pem}
  PUT    /control/business/accounts           {\"client_id\",\"key_id\",\"public_key_pem\"}: register a key
  POST   /control/business/tokens/expire      every access token issued so far answers 401
  PUT    /control/business/token-lifetime     {\"seconds\": 60}: lifetime of tokens issued from now on
  PUT    /control/business/rate-limits        {\"get_per_minute\": 20, \"post_per_hour\": 10, \"retry_after\": true}
  POST   /control/business/activities/fail-next   the next activity ends FAILED
  GET    /control/business/devices/{serial}   {serial_number, status, server, released}
  GET    /control/business/pool               serials of devices that belonged to no server at start
PORTAL (SIM-2):
  POST   /portal/servers/{name}/token[?org=ORG&devices=N]
         body: the MDM server's PEM certificate -> Apple-style .p7m (new server if unknown;
         renewing keeps consumer_key and server_uuid, invalidates the previous access token)
  GET    /portal/servers                      same list as /control/servers
  GET    /portal/vpp-token?location=NAME      a new Apps and Books .vpptoken (text/plain attachment)
";

/// Entry point: `Simulator::builder()`.
pub struct Simulator;

impl Simulator {
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }
}

/// The families of the generated devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fleet {
    /// iPhones, iPads, Macs, Apple TVs and Vision Pros (about 40/25/25/6/4 %).
    #[default]
    Mixed,
    /// iPhones and iPads only: one iOS profile fits every device.
    Mobile,
    /// iPads only: a Shared iPad profile fits every device.
    IPads,
}

/// Everything configurable before start.
#[derive(Debug, Clone)]
pub struct SimulatorBuilder {
    pub(crate) seed: u64,
    pub(crate) fleet: Fleet,
    pub(crate) port: u16,
    pub(crate) servers: Vec<ServerSpec>,
    pub(crate) quoted_errors: bool,
    pub(crate) session_ttl: Duration,
    pub(crate) rotate_sessions: bool,
    pub(crate) clock_start_ms: Option<i64>,
    pub(crate) frozen_clock: bool,
    pub(crate) oauth_window: Duration,
    pub(crate) cursor_max_age: Duration,
    pub(crate) limit_policy: LimitPolicy,
    pub(crate) faults: Faults,
    pub(crate) script: Vec<ChangeBatch>,
    pub(crate) new_server_devices: u32,
    pub(crate) public_base_url: String,
    pub(crate) control_token: Option<String>,
    pub(crate) vpp_locations: Vec<VppLocationSpec>,
    pub(crate) vpp_page_size: usize,
    pub(crate) business_accounts: Vec<BusinessAccountSpec>,
    pub(crate) business_token_lifetime: Duration,
    pub(crate) business_limits: BusinessRateLimits,
    pub(crate) org_unassigned_devices: u32,
    pub(crate) org_released_devices: u32,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            seed: 1,
            fleet: Fleet::Mixed,
            port: 0,
            servers: Vec::new(),
            quoted_errors: false,
            session_ttl: Duration::from_secs(30 * 60),
            rotate_sessions: true,
            clock_start_ms: None,
            frozen_clock: false,
            oauth_window: Duration::from_secs(300),
            cursor_max_age: Duration::from_secs(7 * 24 * 3600),
            limit_policy: LimitPolicy::Clamp,
            faults: Faults::default(),
            script: Vec::new(),
            new_server_devices: 0,
            public_base_url: "https://mdmenrollment.apple.com".to_string(),
            control_token: None,
            vpp_locations: Vec::new(),
            vpp_page_size: vpp::DEFAULT_PAGE_SIZE,
            business_accounts: Vec::new(),
            business_token_lifetime: Duration::from_secs(3600),
            business_limits: BusinessRateLimits::default(),
            org_unassigned_devices: 0,
            org_released_devices: 0,
        }
    }
}

impl SimulatorBuilder {
    /// Seed for devices, credentials, profile UUIDs and scripted picks.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Which device families the generated fleet holds (default: mixed).
    pub fn fleet(mut self, fleet: Fleet) -> Self {
        self.fleet = fleet;
        self
    }

    /// TCP port on 127.0.0.1; 0 (default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    pub fn server(mut self, spec: ServerSpec) -> Self {
        self.servers.push(spec);
        self
    }

    pub fn servers(mut self, specs: impl IntoIterator<Item = ServerSpec>) -> Self {
        self.servers.extend(specs);
        self
    }

    /// Error bodies as JSON strings (`"INVALID_CURSOR"`) instead of bare codes.
    pub fn quoted_errors(mut self, quoted: bool) -> Self {
        self.quoted_errors = quoted;
        self
    }

    /// Lifetime of a session token from issue (default 30 minutes, simulated time).
    pub fn session_ttl(mut self, ttl: Duration) -> Self {
        self.session_ttl = ttl;
        self
    }

    /// Send a fresh `X-ADM-Auth-Session` on every authenticated response (default on).
    pub fn rotate_sessions(mut self, rotate: bool) -> Self {
        self.rotate_sessions = rotate;
        self
    }

    /// Simulated start time, Unix seconds (Depot's one time unit; the
    /// simulator keeps milliseconds inside for its pacing windows). Default:
    /// the real wall clock at start.
    pub fn clock_start(mut self, unix_seconds: i64) -> Self {
        self.clock_start_ms = Some(unix_seconds.saturating_mul(1000));
        self
    }

    /// Keep simulated time still unless advanced (default: it ticks in real time).
    pub fn frozen_clock(mut self, frozen: bool) -> Self {
        self.frozen_clock = frozen;
        self
    }

    /// Allowed distance between `oauth_timestamp` and simulated now (default
    /// 300 s; `Duration::MAX` accepts any timestamp).
    pub fn oauth_timestamp_window(mut self, window: Duration) -> Self {
        self.oauth_window = window;
        self
    }

    /// Age after which sync cursors answer `EXPIRED_CURSOR` (default 7 days).
    pub fn cursor_max_age(mut self, age: Duration) -> Self {
        self.cursor_max_age = age;
        self
    }

    pub fn limit_policy(mut self, policy: LimitPolicy) -> Self {
        self.limit_policy = policy;
        self
    }

    /// Fault switches in force from the start.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Scripted steps: each [`RunningSim::advance`] applies the next one to every server.
    pub fn script(mut self, steps: impl IntoIterator<Item = ChangeBatch>) -> Self {
        self.script.extend(steps);
        self
    }

    /// Devices given to servers the portal creates on first token download (default 0).
    pub fn new_server_devices(mut self, count: u32) -> Self {
        self.new_server_devices = count;
        self
    }

    /// The base URL a client may have signed `/session` for besides the real
    /// one (default `https://mdmenrollment.apple.com`).
    pub fn public_base_url(mut self, url: impl Into<String>) -> Self {
        self.public_base_url = url.into();
        self
    }

    /// The token the control API requires (`Authorization: Bearer TOKEN`).
    /// Default: a new random one per run, see [`RunningSim::control_token`].
    pub fn control_token(mut self, token: impl Into<String>) -> Self {
        self.control_token = Some(token.into());
        self
    }

    /// An Apps and Books location (served under `/mdm/v2`); tokens for it
    /// come from [`RunningSim::issue_vpp_token`] or the portal.
    pub fn vpp_location(mut self, spec: VppLocationSpec) -> Self {
        self.vpp_locations.push(spec);
        self
    }

    /// Items per page of `/mdm/v2/assets` and `/mdm/v2/assignments`
    /// (default 200; at least 1).
    pub fn vpp_page_size(mut self, size: usize) -> Self {
        self.vpp_page_size = size.max(1);
        self
    }

    /// An organisation API account (Apple School/Business Manager API)
    /// whose assertions verify with `spec.public_key_pem`. Accounts made by
    /// [`RunningSim::issue_business_account`] need no registration.
    pub fn business_account(mut self, spec: BusinessAccountSpec) -> Self {
        self.business_accounts.push(spec);
        self
    }

    /// Lifetime of the organisation API's access tokens (default 3600 s of
    /// simulated time; `expires_in` says the same).
    pub fn business_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.business_token_lifetime = lifetime;
        self
    }

    /// 429 budgets of the organisation API (default: none).
    pub fn business_rate_limits(mut self, limits: BusinessRateLimits) -> Self {
        self.business_limits = limits;
        self
    }

    /// Devices of the organisation assigned to no MDM server (besides every
    /// server's devices, which the organisation holds too). Default 0.
    pub fn org_unassigned_devices(mut self, count: u32) -> Self {
        self.org_unassigned_devices = count;
        self
    }

    /// Devices released from the organisation (listed, `UNASSIGNED`, with
    /// `releasedFromOrgDateTime`; they cannot be assigned). Default 0.
    pub fn org_released_devices(mut self, count: u32) -> Self {
        self.org_released_devices = count;
        self
    }

    /// Binds 127.0.0.1 and starts serving.
    pub async fn start(self) -> Result<RunningSim, SimError> {
        let port = self.port;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|source| SimError::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SimError::Bind { port, source })?;
        let base_url = format!("http://{addr}");
        let shared = Arc::new(Shared::new(self, base_url.clone())?);
        let (stop_tx, stop_rx) = watch::channel(false);
        let task = tokio::spawn(http::serve(listener, shared.clone(), stop_rx));
        Ok(RunningSim {
            shared,
            base_url,
            stop: stop_tx,
            task: Some(task),
        })
    }
}

/// A started simulator. Dropping it stops serving.
pub struct RunningSim {
    shared: Arc<Shared>,
    base_url: String,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RunningSim {
    /// `http://127.0.0.1:PORT` — use as the Apple base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The token every control API call must carry as
    /// `Authorization: Bearer TOKEN` (random per run unless the builder set
    /// one). A web page cannot know it, so it cannot drive the simulator.
    pub fn control_token(&self) -> &str {
        &self.shared.config.control_token
    }

    /// `{base}/portal/servers/{name}/token` (name percent-encoded).
    pub fn portal_token_url(&self, server: &str) -> String {
        format!(
            "{}/portal/servers/{}/token",
            self.base_url,
            oauth::pct_encode(server)
        )
    }

    /// The server's current token credentials, without going through the portal.
    pub fn credentials(&self, server: &str) -> Option<Credentials> {
        self.shared.credentials(server)
    }

    /// Mints a session token for `server` without OAuth (for tests and benches
    /// that are not about `/session`).
    pub fn mint_session(&self, server: &str) -> Result<String, SimError> {
        self.shared.mint_session(server)
    }

    /// Issues a token exactly as the portal does and returns the `.p7m` text.
    pub fn issue_token(&self, server: &str, cert_pem: &[u8]) -> Result<String, SimError> {
        self.shared
            .portal_issue(server, None, None, cert_pem)
            .map(|(_, text)| text)
    }

    pub fn servers(&self) -> Vec<ServerSummary> {
        self.shared.summaries()
    }

    /// Serials of current (not released) devices, in fetch order.
    pub fn serials(
        &self,
        server: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<String>, SimError> {
        self.shared.serials(server, offset, limit)
    }

    /// One current device as Apple's JSON would show it at `protocol_version`
    /// (`None` if the serial is not assigned to this server).
    pub fn device(
        &self,
        server: &str,
        serial: &str,
        protocol_version: u32,
    ) -> Result<Option<serde_json::Value>, SimError> {
        self.shared.device_json(server, serial, protocol_version)
    }

    /// Profiles defined on this server, oldest first, as `GET /profile` shows them.
    pub fn profiles(&self, server: &str) -> Result<Vec<serde_json::Value>, SimError> {
        self.shared.profiles(server)
    }

    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.shared.request_log()
    }

    pub fn clear_request_log(&self) {
        self.shared.clear_request_log();
    }

    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// Answers served but held back by `Faults::hold_answers`, right now.
    pub fn held_answers(&self) -> usize {
        self.shared.held_answers()
    }

    /// Edits the fault switches in place.
    pub fn update_faults(&self, edit: impl FnOnce(&mut Faults)) {
        let mut f = self.faults();
        edit(&mut f);
        self.set_faults(f);
    }

    pub fn clock(&self) -> &SimClock {
        &self.shared.clock
    }

    /// Simulated now, Unix seconds.
    pub fn now(&self) -> i64 {
        self.shared.clock.now_ms().div_euclid(1000)
    }

    /// Simulated now, Unix milliseconds (for tests of the simulator's own
    /// sub-second pacing).
    pub fn now_ms(&self) -> i64 {
        self.shared.clock.now_ms()
    }

    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Applies a batch of changes to one server now.
    pub fn apply_changes(
        &self,
        server: &str,
        batch: ChangeBatch,
    ) -> Result<ChangeReport, SimError> {
        self.shared.apply_changes(server, batch)
    }

    /// Applies the next scripted step to every server (none left: empty).
    pub fn advance(&self) -> Vec<ChangeReport> {
        self.shared.advance_script()
    }

    /// Simulated devices run Setup Assistant: `assigned` → `pushed`.
    /// Returns the serials that changed.
    pub fn set_up_devices(
        &self,
        server: &str,
        serials: &[String],
    ) -> Result<Vec<String>, SimError> {
        self.shared.set_up_devices(server, serials)
    }

    /// Live sessions answer 401 from now on.
    pub fn expire_sessions(&self) {
        self.shared.expire_sessions();
    }

    /// Forgets all sessions, as a restart would: they answer 403 `FORBIDDEN`.
    pub fn forget_sessions(&self) {
        self.shared.forget_sessions();
    }

    /// Every cursor issued so far answers `EXPIRED_CURSOR` on sync.
    pub fn expire_cursors(&self) {
        self.shared.expire_cursors();
    }

    /// A new `.vpptoken` for `location` (the file's content: Base64 of
    /// `{"token", "expDate", "orgName"}`), valid 365 simulated days. Earlier
    /// tokens stay valid until they expire.
    pub fn issue_vpp_token(&self, location: &str) -> Result<String, SimError> {
        self.shared.vpp_issue_token(location)
    }

    /// `{base}/portal/vpp-token?location=NAME`: the portal's token download.
    pub fn portal_vpp_token_url(&self, location: &str) -> String {
        format!(
            "{}/portal/vpp-token?location={}",
            self.base_url,
            oauth::pct_encode(location)
        )
    }

    /// `{base}/mdm/v2`: the Apps and Books API base URL.
    pub fn vpp_base_url(&self) -> String {
        format!("{}/mdm/v2", self.base_url)
    }

    /// Every token issued so far for `location` answers 9621 (expired).
    pub fn vpp_expire(&self, location: &str) -> Result<(), SimError> {
        self.shared.vpp_expire(location)
    }

    /// Every token issued so far for `location` answers 9625 (revoked).
    pub fn vpp_revoke(&self, location: &str) -> Result<(), SimError> {
        self.shared.vpp_revoke(location)
    }

    /// Another MDM claims the location: `mdmInfo` gets a new id and this name.
    pub fn vpp_claim_by_other_mdm(
        &self,
        location: &str,
        mdm_name: &str,
    ) -> Result<VppMdmInfo, SimError> {
        self.shared.vpp_claim_by_other_mdm(location, mdm_name)
    }

    /// Sets the total licences of an app (STDQ) of `location`; an unknown
    /// adamId is added as a device-assignable app. Available = total −
    /// assigned, never below 0.
    pub fn vpp_set_licences(
        &self,
        location: &str,
        adam_id: &str,
        total: u32,
    ) -> Result<VppAssetSummary, SimError> {
        self.shared.vpp_set_licences(location, adam_id, total)
    }

    /// The next `count` requests to `/mdm/v2/…` answer 429 / 9646 with
    /// `Retry-After: retry_after_seconds`.
    pub fn vpp_too_many_requests(&self, count: u32, retry_after_seconds: u32) {
        self.shared
            .vpp_too_many_requests(count, retry_after_seconds);
    }

    /// The next `count` requests to `/mdm/v2/…` (after any 429 burst)
    /// answer 500 / 9603 with `Retry-After: retry_after_seconds`.
    pub fn vpp_server_errors(&self, count: u32, retry_after_seconds: u32) {
        self.shared.vpp_server_errors(count, retry_after_seconds);
    }

    /// Auth errors 9621, 9622 and 9625 with HTTP 200 (as Fleet saw Apple
    /// do) instead of 401.
    pub fn vpp_auth_errors_with_200(&self, on: bool) {
        self.shared.vpp_auth_errors_with_200(on);
    }

    /// The `limits` `service/config` announces and the API enforces.
    pub fn vpp_limits(&self) -> VppLimits {
        self.shared.vpp_limits()
    }

    pub fn vpp_set_limits(&self, limits: VppLimits) {
        self.shared.vpp_set_limits(limits);
    }

    /// A location's state (assets with counts, assignments, `mdmInfo`);
    /// `None` for an unknown name. Events whose time has come complete first.
    pub fn vpp_location(&self, location: &str) -> Option<VppLocationSummary> {
        self.shared.vpp_location(location)
    }

    pub fn vpp_locations(&self) -> Vec<VppLocationSummary> {
        self.shared.vpp_locations()
    }

    /// `{base}/auth/oauth2/token`: the organisation API's token endpoint
    /// (`/auth/oauth2/v2/token` answers the same).
    pub fn business_token_url(&self) -> String {
        format!("{}/auth/oauth2/token", self.base_url)
    }

    /// The organisation API base URL: the simulator's base (paths under `/v1/`).
    pub fn business_base_url(&self) -> &str {
        &self.base_url
    }

    /// Creates an organisation API account with a fresh P-256 key and returns
    /// it with the private key (as the portal's download). `client_id` empty:
    /// a generated `BUSINESSAPI.<uuid>`. An existing client id gets a new key
    /// (the old one stops working).
    pub fn issue_business_account(&self, client_id: &str) -> Result<BusinessAccount, SimError> {
        self.shared.business_issue_account(client_id)
    }

    /// Registers an account whose private key the caller keeps.
    pub fn register_business_account(&self, spec: BusinessAccountSpec) -> Result<(), SimError> {
        self.shared.business_register(&spec)
    }

    pub fn business_accounts(&self) -> Vec<BusinessAccountSummary> {
        self.shared.business_accounts()
    }

    /// The registered public key of `client_id` (PEM).
    pub fn business_public_key(&self, client_id: &str) -> Result<String, SimError> {
        self.shared
            .business_public_key(client_id)
            .ok_or_else(|| SimError::UnknownBusinessAccount(client_id.to_string()))
    }

    /// Every access token issued so far answers 401 from now on.
    pub fn expire_business_tokens(&self) {
        self.shared.business_expire_tokens();
    }

    /// Lifetime of access tokens issued from now on (at least 1 s).
    pub fn set_business_token_lifetime(&self, lifetime: Duration) {
        self.shared.business_set_token_lifetime(lifetime);
    }

    pub fn business_rate_limits(&self) -> BusinessRateLimits {
        self.shared.business_limits()
    }

    /// Replaces the 429 budgets (and starts their windows afresh).
    pub fn set_business_rate_limits(&self, limits: BusinessRateLimits) {
        self.shared.business_set_limits(limits);
    }

    /// The next `POST /v1/orgDeviceActivities` ends `FAILED`, changing nothing.
    pub fn fail_next_business_activity(&self) {
        self.shared.business_fail_next_activity();
    }

    /// The MDM servers with their `mdmServers` ids.
    pub fn business_servers(&self) -> Vec<BusinessServer> {
        self.shared.business_servers()
    }

    /// The `mdmServers` id of an ADE server.
    pub fn business_server_id(&self, server: &str) -> Option<String> {
        self.business_servers()
            .into_iter()
            .find(|s| s.name == server)
            .map(|s| s.id)
    }

    /// One org device in short (`None`: not in the organisation).
    pub fn business_device(&self, serial: &str) -> Option<BusinessDeviceSummary> {
        self.shared.business_device(serial)
    }

    /// Serials of the devices that belonged to no server at start:
    /// [`SimulatorBuilder::org_unassigned_devices`] of them, then the
    /// [`SimulatorBuilder::org_released_devices`].
    pub fn org_pool_serials(&self) -> Vec<String> {
        self.shared.business_pool_serials()
    }

    /// Activities of the last 30 days (those whose time has come complete first).
    pub fn business_activities(&self) -> Vec<BusinessActivitySummary> {
        self.shared.business_activities()
    }

    /// Stops listening and closes open connections.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
