//! Apple's organisation API ("Apple School Manager and Apple Business API",
//! 2025): OAuth client credentials with an ES256 client assertion at
//! `/auth/oauth2/token`, and JSON:API resources under `/v1/…` (`orgDevices`,
//! `mdmServers`, `orgDeviceActivities`). See `docs/business-api-wire.md`.
//!
//! It plays the same organisation as the ADE side: every device of every MDM
//! server is an org device assigned to that server, plus devices of the
//! organisation that belong to no server (some released). An activity that
//! assigns or unassigns devices changes the ADE servers when it completes, so
//! the next ADE fetch/sync shows them `added` or `deleted`.
//!
//! Like the ADE endpoints, everything here runs under the state lock and
//! never awaits.

mod endpoints;
mod jwt;
mod shared;

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use openssl::pkey::{PKey, Public};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::devices::{self, ORG_SLOT};
use crate::model::{Inner, Op};
use crate::service::Reply;
use crate::util::{DAY_MS, SeededRng, mix64, rfc3339};
use crate::{SimError, SimulatorBuilder};

pub(crate) use jwt::AUDIENCE;
pub(crate) use shared::serves;

/// Simulated time per activity sub-state.
const STEP_MS: i64 = 2_000;
/// Sub-states an activity shows while `IN_PROGRESS`, in order.
const SUB_STATES: [&str; 5] = [
    "SUBMITTED",
    "PRE_PROCESSING",
    "PENDING",
    "PROCESSING",
    "POST_PROCESSING",
];
/// Activities are retrievable (and their logs downloadable) this long.
const ACTIVITY_RETENTION_MS: i64 = 30 * DAY_MS;
/// Most devices in one activity (Apple documents none; see the wire notes).
pub(crate) const MAX_ACTIVITY_DEVICES: usize = 1000;
/// Most API accounts per organisation.
const MAX_ACCOUNTS: usize = 50;

/// An API account to register at start (its public key only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessAccountSpec {
    /// `BUSINESSAPI.<uuid>` (scope `business.api`) or `SCHOOLAPI.<uuid>`
    /// (scope `school.api`).
    pub client_id: String,
    /// The Key ID the assertion's `kid` must name.
    pub key_id: String,
    /// The P-256 public key, PEM (`BEGIN PUBLIC KEY`).
    pub public_key_pem: String,
}

/// A new API account with its freshly generated private key, as the portal's
/// "Generate Private Key" hands it out once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessAccount {
    pub client_id: String,
    pub key_id: String,
    /// P-256 private key, SEC1 PEM (`BEGIN EC PRIVATE KEY`), like Apple's download.
    pub private_key_pem: String,
    /// The matching public key, PEM (to register it with another simulator).
    pub public_key_pem: String,
}

impl std::fmt::Debug for BusinessAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusinessAccount")
            .field("client_id", &self.client_id)
            .field("key_id", &self.key_id)
            .field("private_key_pem", &"<redacted>")
            .finish()
    }
}

/// 429 budgets of the organisation API (one budget for the whole
/// organisation, on the simulator's clock; sliding windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BusinessRateLimits {
    /// GET requests under `/v1/` allowed per 60 s; `None`: unlimited.
    pub get_per_minute: Option<u32>,
    /// `POST /v1/orgDeviceActivities` allowed per 3600 s; `None`: unlimited.
    pub post_per_hour: Option<u32>,
    /// Send `Retry-After: <seconds>` with the 429 (seconds until the
    /// window has room again).
    pub retry_after: bool,
}

impl Default for BusinessRateLimits {
    /// No limits (tests that are not about 429).
    fn default() -> Self {
        BusinessRateLimits {
            get_per_minute: None,
            post_per_hour: None,
            retry_after: true,
        }
    }
}

impl BusinessRateLimits {
    /// What terraform-provider-axm measured at Apple: 20 GET/min, 10 POST/h.
    pub fn apple_observed() -> Self {
        BusinessRateLimits {
            get_per_minute: Some(20),
            post_per_hour: Some(10),
            retry_after: true,
        }
    }
}

/// An organisation API account as the control API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessAccountSummary {
    pub client_id: String,
    pub key_id: String,
    pub scope: String,
    /// Access tokens issued and not yet expired.
    pub live_tokens: usize,
}

/// An MDM server as the organisation API names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessServer {
    /// The ADE server name (`serverName`).
    pub name: String,
    /// The `mdmServers` id (32 upper-case hex, stable for a `server_uuid`).
    pub id: String,
    pub devices: u64,
}

/// One org device in short, for tests and the control API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessDeviceSummary {
    pub serial_number: String,
    /// `ASSIGNED` or `UNASSIGNED`.
    pub status: String,
    /// ADE server name when assigned.
    pub server: Option<String>,
    pub released: bool,
}

/// An activity as the simulator holds it, for tests and the control API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessActivitySummary {
    pub id: String,
    pub activity_type: String,
    pub server: String,
    pub status: String,
    pub sub_status: String,
    pub devices: usize,
}

pub(crate) struct Account {
    pub client_id: String,
    pub key_id: String,
    pub key: PKey<Public>,
    pub public_pem: String,
}

impl Account {
    pub(crate) fn scope(&self) -> &'static str {
        scope_for(&self.client_id).unwrap_or("")
    }
}

pub(crate) fn scope_for(client_id: &str) -> Option<&'static str> {
    if client_id.starts_with("BUSINESSAPI.") {
        Some("business.api")
    } else if client_id.starts_with("SCHOOLAPI.") {
        Some("school.api")
    } else {
        None
    }
}

pub(crate) struct AccessToken {
    pub account: usize,
    pub expires_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActivityKind {
    Assign,
    Unassign,
}

impl ActivityKind {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            ActivityKind::Assign => "ASSIGN_DEVICES",
            ActivityKind::Unassign => "UNASSIGN_DEVICES",
        }
    }
}

/// One CSV row: serial, success, message.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub serial: String,
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Done {
    pub at_ms: i64,
    /// The whole activity failed (switch): nothing changed.
    pub failed: bool,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone)]
pub(crate) struct Activity {
    pub id: String,
    pub kind: ActivityKind,
    pub server: usize,
    pub serials: Vec<String>,
    pub created_ms: i64,
    /// GETs of the activity so far: each moves it at least one step.
    pub polls: u32,
    pub fail: bool,
    pub done: Option<Done>,
}

impl Activity {
    /// Steps reached: 0..5 in progress, 5 = finished.
    fn step(&self, now: i64) -> u32 {
        let by_clock = (now.saturating_sub(self.created_ms) / STEP_MS).clamp(0, 5) as u32;
        by_clock.max(self.polls).min(5)
    }

    /// When it finishes: by the clock, or now if polls finished it first.
    fn finish_ms(&self, now: i64) -> i64 {
        (self.created_ms + 5 * STEP_MS).min(now)
    }

    pub(crate) fn status(&self) -> (&'static str, &'static str) {
        match &self.done {
            None => ("IN_PROGRESS", SUB_STATES[0]),
            Some(d) if d.failed => ("FAILED", "COMPLETED_WITH_FAILURE"),
            Some(d) => {
                let ok = d.rows.iter().filter(|r| r.ok).count();
                let sub = if ok == d.rows.len() {
                    "COMPLETED_WITH_SUCCESS"
                } else if ok == 0 {
                    "COMPLETED_WITH_FAILURE"
                } else {
                    "COMPLETED_WITH_ERROR"
                };
                ("COMPLETED", sub)
            }
        }
    }

    pub(crate) fn status_at(&self, now: i64) -> (&'static str, &'static str) {
        if self.done.is_some() {
            self.status()
        } else {
            ("IN_PROGRESS", SUB_STATES[self.step(now).min(4) as usize])
        }
    }
}

/// Where an org device lives when it is not where it was generated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Moved {
    /// `(server index, idx on that server)`; `None`: unassigned.
    pub placed: Option<(usize, u32)>,
    pub updated_ms: i64,
}

/// A device's identity in the org: the `(slot, idx)` it was generated as.
pub(crate) type Key = (u16, u32);

pub(crate) struct BusinessState {
    pub accounts: Vec<Account>,
    pub tokens: HashMap<String, AccessToken>,
    pub token_lifetime_ms: i64,
    pub limits: BusinessRateLimits,
    pub gets: VecDeque<i64>,
    pub posts: VecDeque<i64>,
    pub activities: Vec<Activity>,
    pub fail_next: bool,
    pub pool_unassigned: u32,
    pub pool_released: u32,
    pub start_ms: i64,
    pub moved: HashMap<Key, Moved>,
}

pub(crate) fn parse_public_key(pem: &str) -> Result<PKey<Public>, SimError> {
    let key = PKey::public_key_from_pem(pem.as_bytes())
        .map_err(|e| SimError::Config(format!("not a PEM public key: {e}")))?;
    let ec = key
        .ec_key()
        .map_err(|_| SimError::Config("the API account key must be an EC (P-256) key".into()))?;
    if ec.group().curve_name() != Some(openssl::nid::Nid::X9_62_PRIME256V1) {
        return Err(SimError::Config(
            "the API account key must be on P-256".into(),
        ));
    }
    Ok(key)
}

/// A fresh P-256 key pair: (SEC1 private PEM, public PEM).
pub(crate) fn new_key_pair() -> Result<(String, String), SimError> {
    let make = || -> Result<(String, String), openssl::error::ErrorStack> {
        let group = openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1)?;
        let key = openssl::ec::EcKey::generate(&group)?;
        let private = String::from_utf8_lossy(&key.private_key_to_pem()?).into_owned();
        let public = String::from_utf8_lossy(&key.public_key_to_pem()?).into_owned();
        Ok((private, public))
    };
    make().map_err(|e| SimError::Config(format!("could not generate a P-256 key: {e}")))
}

/// A UUID-shaped (version 4 layout) string from the generator.
pub(crate) fn uuid(rng: &mut SeededRng) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0x0FFF,
        0x8000 | ((b >> 48) & 0x3FFF),
        b & 0xFFFF_FFFF_FFFF
    )
}

/// `2025-04-30T22:05:14.192Z`: Apple's dates here carry milliseconds.
pub(crate) fn rfc3339_ms(ms: i64) -> String {
    let s = rfc3339(ms);
    format!("{}.{:03}Z", s.trim_end_matches('Z'), ms.rem_euclid(1000))
}

/// The `mdmServers` id of an ADE server: 32 upper-case hex digits from its
/// `server_uuid` (so a client restarting with the same uuid keeps the id).
pub(crate) fn mdm_server_id(server_uuid: &str) -> String {
    let digest = openssl::hash::hash(
        openssl::hash::MessageDigest::sha256(),
        format!("depot-sim mdmServers {server_uuid}").as_bytes(),
    )
    .map(|d| d.to_vec())
    .unwrap_or_else(|_| vec![0; 32]);
    crate::util::hex_upper(&digest[..16])
}

impl BusinessState {
    pub(crate) fn new(b: &SimulatorBuilder, start_ms: i64) -> Result<Self, SimError> {
        let mut state = BusinessState {
            accounts: Vec::new(),
            tokens: HashMap::new(),
            token_lifetime_ms: millis(b.business_token_lifetime),
            limits: b.business_limits,
            gets: VecDeque::new(),
            posts: VecDeque::new(),
            activities: Vec::new(),
            fail_next: false,
            pool_unassigned: b.org_unassigned_devices,
            pool_released: b.org_released_devices,
            start_ms,
            moved: HashMap::new(),
        };
        if u64::from(b.org_unassigned_devices) + u64::from(b.org_released_devices)
            >= u64::from(devices::MAX_DEVICES_PER_SERVER)
        {
            return Err(SimError::Config(
                "too many unassigned organisation devices".into(),
            ));
        }
        for spec in &b.business_accounts {
            state.register(spec)?;
        }
        Ok(state)
    }

    pub(crate) fn register(&mut self, spec: &BusinessAccountSpec) -> Result<(), SimError> {
        if scope_for(&spec.client_id).is_none() {
            return Err(SimError::Config(format!(
                "client id '{}' must start with BUSINESSAPI. or SCHOOLAPI.",
                spec.client_id
            )));
        }
        if spec.key_id.trim().is_empty() {
            return Err(SimError::Config("key id is empty".into()));
        }
        let key = parse_public_key(&spec.public_key_pem)?;
        let account = Account {
            client_id: spec.client_id.clone(),
            key_id: spec.key_id.clone(),
            key,
            public_pem: spec.public_key_pem.clone(),
        };
        match self
            .accounts
            .iter()
            .position(|a| a.client_id == spec.client_id)
        {
            // A regenerated key replaces the old one (which stops working).
            Some(i) => self.accounts[i] = account,
            None if self.accounts.len() >= MAX_ACCOUNTS => {
                return Err(SimError::Config(format!(
                    "at most {MAX_ACCOUNTS} API accounts per organisation"
                )));
            }
            None => self.accounts.push(account),
        }
        Ok(())
    }

    pub(crate) fn account_index(&self, client_id: &str) -> Option<usize> {
        self.accounts.iter().position(|a| a.client_id == client_id)
    }

    fn pool_len(&self) -> u32 {
        self.pool_unassigned + self.pool_released
    }

    pub(crate) fn is_released(&self, key: Key) -> bool {
        key.0 == ORG_SLOT && key.1 >= self.pool_unassigned && key.1 < self.pool_len()
    }
}

/// Milliseconds of a duration, saturating.
pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Inner {
    /// Whether `key` names an org device.
    pub(crate) fn org_exists(&self, key: Key) -> bool {
        if key.0 == ORG_SLOT {
            return key.1 < self.business.pool_len();
        }
        self.servers.get(usize::from(key.0)).is_some_and(|s| {
            key.1 < s.next_idx && s.overlay.get(&key.1).is_none_or(|o| o.origin.is_none())
        })
    }

    /// The org device a serial number names.
    pub(crate) fn org_key(&self, world: devices::World, serial: &str) -> Option<Key> {
        devices::decode_serial(world, serial).filter(|&k| self.org_exists(k))
    }

    /// `(server index, idx)` the device is assigned to right now.
    pub(crate) fn placement(&self, key: Key) -> Option<(usize, u32)> {
        if let Some(m) = self.business.moved.get(&key) {
            return m.placed.filter(|&(s, i)| self.servers[s].is_active(i));
        }
        if key.0 == ORG_SLOT {
            return None;
        }
        let s = usize::from(key.0);
        self.servers
            .get(s)
            .filter(|server| server.is_active(key.1))
            .map(|_| (s, key.1))
    }

    /// Segments of the org listing, in order: server slots, then the pool.
    fn segment_len(&self, slot: u16) -> u32 {
        if slot == ORG_SLOT {
            self.business.pool_len()
        } else {
            self.servers
                .get(usize::from(slot))
                .map_or(0, |s| s.next_idx)
        }
    }

    /// Up to `limit` org devices from `from` on, and where the next page
    /// starts (`None`: no more devices).
    pub(crate) fn org_page(&self, from: Key, limit: usize) -> (Vec<Key>, Option<Key>) {
        let mut out = Vec::with_capacity(limit.min(1000));
        let slots = (0..self.servers.len() as u16).chain(std::iter::once(ORG_SLOT));
        for slot in slots.filter(|&s| s >= from.0) {
            let start = if slot == from.0 { from.1 } else { 0 };
            for idx in start..self.segment_len(slot) {
                if !self.org_exists((slot, idx)) {
                    continue;
                }
                if out.len() == limit {
                    return (out, Some((slot, idx)));
                }
                out.push((slot, idx));
            }
        }
        (out, None)
    }

    /// How many devices the organisation has (released ones included).
    pub(crate) fn org_total(&self) -> u64 {
        let on_servers: u64 = self
            .servers
            .iter()
            .map(|s| u64::from(s.next_idx) - u64::from(s.foreign))
            .sum();
        on_servers + u64::from(self.business.pool_len())
    }

    /// Completes the activities whose time has come.
    pub(crate) fn business_settle(&mut self, world: devices::World, now: i64) {
        for i in 0..self.business.activities.len() {
            let a = &self.business.activities[i];
            if a.done.is_none() && a.step(now) >= 5 {
                let at = a.finish_ms(now);
                self.complete_activity(world, i, at);
            }
        }
        // Forget activities past retention (their logs go with them).
        self.business
            .activities
            .retain(|a| a.created_ms + ACTIVITY_RETENTION_MS > now);
    }

    fn complete_activity(&mut self, world: devices::World, i: usize, at: i64) {
        let a = self.business.activities[i].clone();
        if a.fail {
            let rows = a
                .serials
                .iter()
                .map(|s| Row {
                    serial: s.clone(),
                    ok: false,
                    message: "The activity failed; nothing was changed".into(),
                })
                .collect();
            self.business.activities[i].done = Some(Done {
                at_ms: at,
                failed: true,
                rows,
            });
            return;
        }
        let target = a.server;
        let target_name = self.servers[target].name.clone();
        let mut rows = Vec::with_capacity(a.serials.len());
        for serial in &a.serials {
            let (ok, message) = match self.org_key(world, serial) {
                None => (false, "Device not found in the organization".to_string()),
                Some(key) if self.business.is_released(key) => (
                    false,
                    "Device was released from the organization".to_string(),
                ),
                Some(key) => match (a.kind, self.placement(key)) {
                    (ActivityKind::Assign, Some((s, _))) if s == target => {
                        (true, format!("Already assigned to {target_name}"))
                    }
                    (ActivityKind::Assign, current) => {
                        if let Some((s, idx)) = current {
                            self.release_from(s, idx, at);
                        }
                        if self.place_on(world, key, serial, target, at) {
                            (true, format!("Assigned to {target_name}"))
                        } else {
                            (false, format!("{target_name} holds too many devices"))
                        }
                    }
                    (ActivityKind::Unassign, Some((s, idx))) if s == target => {
                        self.release_from(s, idx, at);
                        self.business.moved.insert(
                            key,
                            Moved {
                                placed: None,
                                updated_ms: at,
                            },
                        );
                        (true, format!("Unassigned from {target_name}"))
                    }
                    (ActivityKind::Unassign, _) => {
                        (false, format!("Device is not assigned to {target_name}"))
                    }
                },
            };
            rows.push(Row {
                serial: serial.clone(),
                ok,
                message,
            });
        }
        self.business.activities[i].done = Some(Done {
            at_ms: at,
            failed: false,
            rows,
        });
    }

    /// The device leaves server `s` (ADE: `deleted`).
    fn release_from(&mut self, s: usize, idx: u32, at: i64) {
        let server = &mut self.servers[s];
        if server.is_active(idx) {
            server.overlay.entry(idx).or_default().released = true;
            server.released += 1;
            server.record(idx, Op::Deleted, at);
        }
    }

    /// The device joins server `s` under a new index (ADE: `added`).
    fn place_on(
        &mut self,
        _world: devices::World,
        key: Key,
        serial: &str,
        s: usize,
        at: i64,
    ) -> bool {
        let server = &mut self.servers[s];
        if server.next_idx >= devices::MAX_DEVICES_PER_SERVER - 1 {
            return false;
        }
        let idx = server.next_idx;
        server.next_idx += 1;
        server.foreign += 1;
        let o = server.overlay.entry(idx).or_default();
        o.origin = Some(key);
        o.added_ms = Some(at);
        server.aliases.insert(serial.to_string(), idx);
        server.record(idx, Op::Added, at);
        self.business.moved.insert(
            key,
            Moved {
                placed: Some((s, idx)),
                updated_ms: at,
            },
        );
        true
    }

    /// When the device joined the org, and (for released devices) left it.
    fn org_dates(&self, world: devices::World, key: Key) -> (i64, Option<i64>) {
        let h = mix64(world.seed ^ (u64::from(key.0) << 32 | u64::from(key.1)) ^ 0x0A11_DA7E);
        if key.0 == ORG_SLOT {
            let added = self.business.start_ms - 90 * DAY_MS + (h % (60 * DAY_MS as u64)) as i64;
            let released = self
                .business
                .is_released(key)
                .then(|| added + (1 + (h >> 20) % 20) as i64 * DAY_MS + (h >> 8) as i64 % 1000);
            (added, released)
        } else {
            let assigned = self.servers[usize::from(key.0)].assigned_ms(key.1);
            (assigned - (h % 3_600_000) as i64, None)
        }
    }

    /// Every attribute of an org device.
    pub(crate) fn org_attributes(&self, world: devices::World, key: Key) -> Map<String, Value> {
        let base = devices::base_device(world, key.0, key.1);
        let h = mix64(world.seed.rotate_left(7) ^ (u64::from(key.0) << 32 | u64::from(key.1)));
        let (added, released) = self.org_dates(world, key);
        let updated = self
            .business
            .moved
            .get(&key)
            .map_or(added, |m| m.updated_ms.max(added))
            .max(released.unwrap_or(i64::MIN));
        let order_ms = (added - (1 + (h % 14) as i64) * DAY_MS).div_euclid(1000) * 1000;
        let alphabet = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        let letter = |shift: u32| alphabet[((h >> shift) % 34) as usize] as char;
        let part = format!(
            "M{}{}{}{}LL/A",
            letter(3),
            letter(9),
            letter(15),
            (b'1' + ((h >> 21) % 9) as u8) as char
        );
        let (source_type, source_id) = match (h >> 40) % 10 {
            0..=5 => ("RESELLER", format!("{:07}", (h >> 12) % 10_000_000)),
            6..=8 => ("APPLE", format!("{:07}", (h >> 16) % 10_000_000)),
            _ => ("MANUALLY_ADDED", String::new()),
        };
        let capacity = base.capacity.rsplit('/').next().unwrap_or(base.capacity);
        let meid: Vec<String> =
            if matches!(base.family, devices::Family::IPhone) && h.is_multiple_of(3) {
                base.imei
                    .iter()
                    .map(|i| i[..14.min(i.len())].to_string())
                    .collect()
            } else {
                Vec::new()
            };
        let assigned = self.placement(key).is_some();
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        put("serialNumber", base.serial.clone().into());
        put("addedToOrgDateTime", rfc3339_ms(added).into());
        put("releasedFromOrgDateTime", released.map(rfc3339_ms).into());
        put("updatedDateTime", rfc3339_ms(updated).into());
        put("deviceModel", base.model.into());
        put("productFamily", base.family.wire().into());
        put("productType", product_type(base.model).into());
        put("deviceCapacity", capacity.into());
        put("partNumber", part.into());
        put(
            "orderNumber",
            format!("W{:09}", (h >> 8) % 1_000_000_000).into(),
        );
        put("color", base.color.into());
        put(
            "status",
            if assigned { "ASSIGNED" } else { "UNASSIGNED" }.into(),
        );
        put("orderDateTime", rfc3339(order_ms).into());
        put("imei", json!(base.imei));
        put("meid", json!(meid));
        put("eid", base.eid.clone().into());
        put("wifiMacAddress", base.wifi_mac.clone().into());
        put("bluetoothMacAddress", base.bluetooth_mac.clone().into());
        put(
            "ethernetMacAddress",
            json!(base.ethernet_mac.iter().collect::<Vec<_>>()),
        );
        put("purchaseSourceId", source_id.into());
        put("purchaseSourceType", source_type.into());
        m
    }

    /// AppleCare coverages of an org device: the limited warranty, and for
    /// some devices AppleCare+.
    pub(crate) fn coverages(&self, world: devices::World, key: Key, now: i64) -> Vec<Value> {
        let base = devices::base_device(world, key.0, key.1);
        let (added, _) = self.org_dates(world, key);
        let h = mix64(world.seed ^ 0xC0DE_CA4E ^ (u64::from(key.0) << 32 | u64::from(key.1)));
        let start = added.div_euclid(1000) * 1000;
        let warranty_end = start + 365 * DAY_MS;
        let id = |n: u64| crate::util::hex_upper(&mix64(h ^ n).to_be_bytes());
        let status = |end: Option<i64>| {
            if end.is_none_or(|e| e > now) {
                "ACTIVE"
            } else {
                "INACTIVE"
            }
        };
        let mut out = vec![json!({
            "type": "appleCareCoverage",
            "id": id(1),
            "attributes": {
                "status": status(Some(warranty_end)),
                "paymentType": "NONE",
                "description": "Limited Warranty",
                "startDateTime": rfc3339(start),
                "endDateTime": rfc3339(warranty_end),
                "isRenewable": false,
                "isCanceled": false,
                "contractCancelDateTime": null,
                "agreementNumber": null,
            },
        })];
        if h % 10 < 3 {
            let subscription = h.is_multiple_of(10);
            let end = (!subscription).then_some(start + 3 * 365 * DAY_MS);
            out.push(json!({
                "type": "appleCareCoverage",
                "id": id(2),
                "attributes": {
                    "status": status(end),
                    "paymentType": if subscription { "SUBSCRIPTION" } else { "PAID_UP_FRONT" },
                    "description": format!("AppleCare+ for {}", base.family.wire()),
                    "startDateTime": rfc3339(start),
                    "endDateTime": end.map(rfc3339),
                    "isRenewable": subscription,
                    "isCanceled": false,
                    "contractCancelDateTime": null,
                    "agreementNumber": format!("{:010}", (h >> 10) % 10_000_000_000),
                },
            }));
        }
        out
    }
}

/// Apple's model identifier of a catalogue model.
fn product_type(model: &str) -> &'static str {
    match model {
        "iPhone 13" => "iPhone14,5",
        "iPhone 14" => "iPhone14,7",
        "iPhone 15" => "iPhone15,4",
        "iPhone 15 Pro" => "iPhone16,1",
        "iPhone 16" => "iPhone17,3",
        "iPhone 16 Pro" => "iPhone17,1",
        "iPhone 16e" => "iPhone17,5",
        "iPad (10th generation)" => "iPad13,18",
        "iPad Air 11-inch (M2)" => "iPad14,8",
        "iPad Pro 11-inch (M4)" => "iPad16,4",
        "iPad mini (A17 Pro)" => "iPad16,1",
        "MacBook Air (13-inch, M2, 2022)" => "Mac14,2",
        "MacBook Air (15-inch, M3, 2024)" => "Mac15,13",
        "MacBook Pro (14-inch, M3 Pro, 2023)" => "Mac15,6",
        "Mac mini (2024)" => "Mac16,10",
        "iMac (24-inch, 2024)" => "Mac16,3",
        "Apple TV 4K (3rd generation)" | "Apple TV 4K (3rd generation) Wi-Fi + Ethernet" => {
            "AppleTV14,1"
        }
        "Apple TV HD" => "AppleTV5,3",
        "Apple Vision Pro" => "RealityDevice14,1",
        _ => "",
    }
}

/// A JSON:API error document.
pub(crate) fn api_error(
    rng: &mut SeededRng,
    status: u16,
    code: &str,
    title: &str,
    detail: impl Into<String>,
    source: Option<Value>,
) -> Reply {
    let mut e = json!({
        "id": uuid(rng),
        "status": status.to_string(),
        "code": code,
        "title": title,
        "detail": detail.into(),
    });
    if let Some(source) = source {
        e["source"] = source;
    }
    let mut reply = Reply::json(status, &json!({ "errors": [e] }));
    reply.error_code = Some(code.to_string());
    reply
        .headers
        .push(("Content-Type", "application/json".into()));
    reply
}

pub(crate) fn not_found(rng: &mut SeededRng, kind: &str, id: &str) -> Reply {
    api_error(
        rng,
        404,
        "NOT_FOUND",
        "The specified resource doesn't exist",
        format!("There is no resource of type '{kind}' with id '{id}'"),
        None,
    )
}
