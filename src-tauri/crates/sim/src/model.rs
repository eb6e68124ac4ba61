//! The simulated world: orgs, MDM servers, device overlays, change logs,
//! sessions, profiles, faults and the request log, behind one mutex that is
//! never held across an `.await`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;

use crate::clock::SimClock;
use crate::devices::{self, BaseDevice, MAX_DEVICES_PER_SERVER};
use crate::util::{DAY_MS, SeededRng, plus_one_year, rfc3339};
use crate::{
    ChangeBatch, ChangeReport, Credentials, Faults, LimitPolicy, LoggedRequest, ServerSpec,
    ServerSummary, SimError, SimulatorBuilder,
};

/// Most requests kept in the log (oldest dropped first).
const LOG_CAPACITY: usize = 100_000;

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub seed: devices::World,
    pub quoted_errors: bool,
    pub session_ttl_ms: i64,
    pub rotate_sessions: bool,
    pub oauth_window_ms: i64,
    pub cursor_max_age_ms: i64,
    pub limit_policy: LimitPolicy,
    pub public_base_url: String,
    pub base_url: String,
    pub new_server_devices: u32,
    /// What control calls must send as `Authorization: Bearer …`.
    pub control_token: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Org {
    pub name: String,
    pub domain: String,
    pub phone: String,
    pub address: String,
    pub org_id: String,
    pub org_id_hash: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ProfileStatus {
    #[default]
    Empty,
    Assigned,
    Pushed,
    Removed,
}

impl ProfileStatus {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            ProfileStatus::Empty => "empty",
            ProfileStatus::Assigned => "assigned",
            ProfileStatus::Pushed => "pushed",
            ProfileStatus::Removed => "removed",
        }
    }
}

/// What changed about one device since generation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overlay {
    pub released: bool,
    pub added_ms: Option<i64>,
    pub asset_tag: Option<String>,
    pub profile_uuid: Option<String>,
    pub status: ProfileStatus,
    pub assign_ms: Option<i64>,
    pub push_ms: Option<i64>,
    /// The device's home `(slot, idx)` when it came to this server from
    /// elsewhere in the organisation (an `ASSIGN_DEVICES` activity).
    pub origin: Option<(u16, u32)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Added,
    Modified,
    Deleted,
}

impl Op {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            Op::Added => "added",
            Op::Modified => "modified",
            Op::Deleted => "deleted",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Change {
    pub at_ms: i64,
    pub idx: u32,
    pub op: Op,
}

#[derive(Debug, Clone)]
pub(crate) struct StoredProfile {
    /// Definition order within the server.
    pub seq: u64,
    pub fields: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug)]
pub(crate) struct Server {
    pub slot: u16,
    pub name: String,
    pub org: usize,
    pub uuid: String,
    pub admin_id: String,
    pub credentials: Credentials,
    pub token_expiry_ms: i64,
    /// Indices `0..next_idx` exist; those past the initial count were added later.
    pub next_idx: u32,
    pub assign_start_ms: i64,
    pub assign_step_ms: i64,
    pub overlay: HashMap<u32, Overlay>,
    pub released: u32,
    /// Change log; change number n (1-based) is `changes[n - 1]`.
    pub changes: Vec<Change>,
    pub profiles: HashMap<String, StoredProfile>,
    pub cursor_generation: u32,
    /// Serial → index of devices that came from elsewhere in the organisation.
    pub aliases: HashMap<String, u32>,
    /// Indices holding devices that came from elsewhere (each keeps its origin).
    pub foreign: u32,
}

impl Server {
    /// The `(slot, idx)` the device at `idx` was generated as.
    pub(crate) fn home(&self, idx: u32) -> (u16, u32) {
        self.overlay
            .get(&idx)
            .and_then(|o| o.origin)
            .unwrap_or((self.slot, idx))
    }

    pub(crate) fn serial_of(&self, seed: devices::World, idx: u32) -> String {
        let (slot, home) = self.home(idx);
        devices::serial(seed, slot, home)
    }

    pub(crate) fn is_active(&self, idx: u32) -> bool {
        idx < self.next_idx && !self.overlay.get(&idx).is_some_and(|o| o.released)
    }

    pub(crate) fn find(&self, seed: devices::World, serial: &str) -> Option<u32> {
        if let Some(&idx) = self.aliases.get(serial) {
            return Some(idx);
        }
        match devices::decode_serial(seed, serial) {
            Some((slot, idx))
                if slot == self.slot
                    && idx < self.next_idx
                    && self.overlay.get(&idx).is_none_or(|o| o.origin.is_none()) =>
            {
                Some(idx)
            }
            _ => None,
        }
    }

    pub(crate) fn assigned_ms(&self, idx: u32) -> i64 {
        self.overlay
            .get(&idx)
            .and_then(|o| o.added_ms)
            .unwrap_or(self.assign_start_ms + i64::from(idx) * self.assign_step_ms)
    }

    pub(crate) fn record(&mut self, idx: u32, op: Op, at_ms: i64) {
        self.changes.push(Change { at_ms, idx, op });
    }

    pub(crate) fn active_count(&self) -> u64 {
        u64::from(self.next_idx) - u64::from(self.released)
    }
}

/// One device as Apple's JSON shows it. Optional fields are omitted, not null.
#[derive(Debug, Serialize)]
pub(crate) struct DeviceOut {
    pub serial_number: String,
    pub model: &'static str,
    pub description: String,
    pub color: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_tag: Option<String>,
    pub profile_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_assign_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_push_time: Option<String>,
    pub device_assigned_date: String,
    pub device_assigned_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_family: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_replacement_device: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub released_by_replacement: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ethernet_mac_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wifi_mac_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bluetooth_mac_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imei: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub server: usize,
    pub expires_ms: i64,
}

pub(crate) struct Inner {
    pub orgs: Vec<Org>,
    pub servers: Vec<Server>,
    pub sessions: HashMap<String, Session>,
    /// (consumer key, nonce) → oauth_timestamp (ms) of first use.
    pub nonces: HashMap<(String, String), i64>,
    pub faults: Faults,
    pub calls_until_session_expiry: Option<u32>,
    pub log: VecDeque<LoggedRequest>,
    pub log_seq: u64,
    pub rng: SeededRng,
    pub script: VecDeque<ChangeBatch>,
    pub vpp: crate::vpp::VppState,
    pub business: crate::business::BusinessState,
}

impl Inner {
    pub(crate) fn server_index(&self, name: &str) -> Option<usize> {
        self.servers.iter().position(|s| s.name == name)
    }

    pub(crate) fn server_by_consumer_key(&self, ck: &str) -> Option<usize> {
        self.servers
            .iter()
            .position(|s| s.credentials.consumer_key == ck)
    }

    /// Whether the fault switches apply to a request attributed to `server`.
    pub(crate) fn faults_apply(&self, server: Option<usize>) -> bool {
        if self.faults.servers.is_empty() {
            return true;
        }
        server.is_some_and(|i| self.faults.servers.contains(&self.servers[i].name))
    }

    fn org_index(&mut self, name: &str) -> usize {
        if let Some(i) = self.orgs.iter().position(|o| o.name == name) {
            return i;
        }
        let slug: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let slug = if slug.is_empty() {
            "org".to_string()
        } else {
            slug
        };
        let n = self.rng.next_u64();
        self.orgs.push(Org {
            name: name.to_string(),
            domain: format!("{slug}.example.com"),
            phone: format!("+1 555 01{:02}", n % 100),
            address: format!("{} Infinite Loop, Cupertino CA 95014, USA", 1 + n % 900),
            org_id: format!("{}", 1_000_000 + (n >> 8) % 9_000_000),
            org_id_hash: self.rng.hex_lower(32),
        });
        self.orgs.len() - 1
    }

    fn new_credentials(&mut self, now_ms: i64) -> (Credentials, i64) {
        let expiry = plus_one_year(now_ms);
        let creds = Credentials {
            consumer_key: format!("CK_{}", self.rng.hex_lower(48)),
            consumer_secret: format!("CS_{}", self.rng.hex_lower(20)),
            access_token: format!(
                "AT_O{:010}O{}O{}",
                self.rng.below(10_000_000_000),
                self.rng.hex_lower(20),
                now_ms
            ),
            access_secret: format!("AS_{}", self.rng.hex_lower(20)),
            access_token_expiry: rfc3339(expiry),
        };
        (creds, expiry)
    }

    pub(crate) fn add_server(&mut self, spec: &ServerSpec, now_ms: i64) -> Result<usize, SimError> {
        if self.server_index(&spec.name).is_some() {
            return Err(SimError::Config(format!(
                "duplicate server name '{}'",
                spec.name
            )));
        }
        if spec.name.is_empty() {
            return Err(SimError::Config("server name is empty".into()));
        }
        if spec.device_count >= MAX_DEVICES_PER_SERVER / 2 {
            return Err(SimError::Config(format!(
                "at most {} devices per server",
                MAX_DEVICES_PER_SERVER / 2
            )));
        }
        if self.servers.len() >= 0x7FFF {
            return Err(SimError::Config("too many servers".into()));
        }
        let org = self.org_index(&spec.org);
        let (generated, generated_expiry) = self.new_credentials(now_ms);
        let (credentials, token_expiry_ms) = match &spec.credentials {
            Some(c) => {
                let expiry = crate::util::parse_time(&c.access_token_expiry).ok_or_else(|| {
                    SimError::Config(format!(
                        "access_token_expiry '{}' is not RFC 3339",
                        c.access_token_expiry
                    ))
                })?;
                (c.clone(), expiry)
            }
            None => (generated, generated_expiry),
        };
        if self
            .server_by_consumer_key(&credentials.consumer_key)
            .is_some()
        {
            return Err(SimError::Config("two servers share a consumer key".into()));
        }
        let generated_uuid = self.rng.hex_upper(16);
        let uuid = spec.server_uuid.clone().unwrap_or(generated_uuid);
        if self.servers.iter().any(|s| s.uuid == uuid) {
            return Err(SimError::Config(format!(
                "two servers share the UUID {uuid}"
            )));
        }
        let admin_id = format!("admin@{}", self.orgs[org].domain);
        let count = spec.device_count;
        // Base devices were assigned over the 30 days before start, in index order.
        let span = 30 * DAY_MS;
        let step = if count == 0 {
            0
        } else {
            (span / i64::from(count)).max(1)
        };
        self.servers.push(Server {
            slot: self.servers.len() as u16,
            name: spec.name.clone(),
            org,
            uuid,
            admin_id,
            credentials,
            token_expiry_ms,
            next_idx: count,
            assign_start_ms: now_ms - span,
            assign_step_ms: step,
            overlay: HashMap::new(),
            released: 0,
            changes: Vec::new(),
            profiles: spec
                .profiles
                .iter()
                .enumerate()
                .map(|(seq, (uuid, fields))| {
                    (
                        uuid.clone(),
                        StoredProfile {
                            seq: seq as u64,
                            fields: fields.clone(),
                        },
                    )
                })
                .collect(),
            cursor_generation: 0,
            aliases: HashMap::new(),
            foreign: 0,
        });
        Ok(self.servers.len() - 1)
    }

    /// Picks up to `n` distinct indices satisfying `ok`, deterministically.
    fn pick(&mut self, server: usize, n: u32, ok: impl Fn(&Server, u32) -> bool) -> Vec<u32> {
        let total = self.servers[server].next_idx;
        let mut chosen = Vec::new();
        let mut seen = HashSet::new();
        let mut attempts = 0u64;
        let budget = u64::from(n) * 50 + 200;
        while chosen.len() < n as usize && attempts < budget && total > 0 {
            attempts += 1;
            let idx = self.rng.below(u64::from(total)) as u32;
            if seen.insert(idx) && ok(&self.servers[server], idx) {
                chosen.push(idx);
            }
        }
        chosen
    }

    pub(crate) fn apply_batch(
        &mut self,
        seed: devices::World,
        server: usize,
        batch: ChangeBatch,
        now: i64,
    ) -> ChangeReport {
        let mut report = ChangeReport {
            server: self.servers[server].name.clone(),
            ..ChangeReport::default()
        };
        let slot = self.servers[server].slot;
        for _ in 0..batch.added {
            let s = &mut self.servers[server];
            if s.next_idx >= MAX_DEVICES_PER_SERVER - 1 {
                break;
            }
            let idx = s.next_idx;
            s.next_idx += 1;
            s.overlay.entry(idx).or_default().added_ms = Some(now);
            s.record(idx, Op::Added, now);
            report.added.push(devices::serial(seed, slot, idx));
        }
        for idx in self.pick(server, batch.modified, Server::is_active) {
            let tag = format!("AT-M{:05}", self.rng.below(100_000));
            let s = &mut self.servers[server];
            s.overlay.entry(idx).or_default().asset_tag = Some(tag);
            s.record(idx, Op::Modified, now);
            report
                .modified
                .push(self.servers[server].serial_of(seed, idx));
        }
        for idx in self.pick(server, batch.released, Server::is_active) {
            let s = &mut self.servers[server];
            s.overlay.entry(idx).or_default().released = true;
            s.released += 1;
            s.record(idx, Op::Deleted, now);
            report
                .released
                .push(self.servers[server].serial_of(seed, idx));
        }
        if batch.set_up > 0 {
            let s = &self.servers[server];
            let mut assigned: Vec<u32> = s
                .overlay
                .iter()
                .filter(|(_, o)| !o.released && o.status == ProfileStatus::Assigned)
                .map(|(&i, _)| i)
                .collect();
            assigned.sort_unstable();
            assigned.truncate(batch.set_up as usize);
            for idx in assigned {
                self.push_profile(server, idx, now);
                report
                    .set_up
                    .push(self.servers[server].serial_of(seed, idx));
            }
        }
        report
    }

    /// A device ran Setup Assistant and fetched its profile.
    pub(crate) fn push_profile(&mut self, server: usize, idx: u32, now: i64) -> bool {
        let s = &mut self.servers[server];
        let Some(o) = s.overlay.get_mut(&idx) else {
            return false;
        };
        if o.released || o.status != ProfileStatus::Assigned {
            return false;
        }
        o.status = ProfileStatus::Pushed;
        o.push_ms = Some(now);
        s.record(idx, Op::Modified, now);
        true
    }

    pub(crate) fn render(
        &self,
        seed: devices::World,
        server: usize,
        idx: u32,
        protocol_version: u32,
        op: Option<(Op, i64)>,
    ) -> DeviceOut {
        let s = &self.servers[server];
        let ov = s.overlay.get(&idx);
        let (slot, home) = ov.and_then(|o| o.origin).unwrap_or((s.slot, idx));
        let base: BaseDevice = devices::base_device(seed, slot, home);
        let status = ov.map_or(ProfileStatus::Empty, |o| o.status);
        let v10 = protocol_version >= 10;
        let v2 = protocol_version >= 2;
        DeviceOut {
            serial_number: base.serial,
            model: base.model,
            description: base.description,
            color: base.color,
            asset_tag: ov.and_then(|o| o.asset_tag.clone()).or(base.asset_tag),
            profile_status: status.wire(),
            profile_uuid: ov.and_then(|o| o.profile_uuid.clone()),
            profile_assign_time: ov.and_then(|o| o.assign_ms).map(rfc3339),
            profile_push_time: ov.and_then(|o| o.push_ms).map(rfc3339),
            device_assigned_date: rfc3339(s.assigned_ms(idx)),
            device_assigned_by: format!("{}@{}", base.assigned_by_user, self.orgs[s.org].domain),
            os: v2.then(|| base.family.os(protocol_version)),
            device_family: v2.then(|| base.family.wire()),
            op_type: op.map(|(o, _)| o.wire()),
            op_date: op.map(|(_, at)| rfc3339(at)),
            response_status: None,
            is_replacement_device: v10.then_some(base.is_replacement),
            released_by_replacement: (v10 && matches!(op, Some((Op::Deleted, _)))).then_some(false),
            eid: if v10 { base.eid } else { None },
            ethernet_mac_address: if v10 { base.ethernet_mac } else { None },
            wifi_mac_address: v10.then_some(base.wifi_mac),
            bluetooth_mac_address: v10.then_some(base.bluetooth_mac),
            imei: (v10 && !base.imei.is_empty()).then_some(base.imei),
        }
    }

    pub(crate) fn push_log(&mut self, mut entry: LoggedRequest) {
        self.log_seq += 1;
        entry.seq = self.log_seq;
        if self.log.len() >= LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(entry);
    }
}

/// Milliseconds of a duration, saturating (so `Duration::MAX` means "never").
fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Everything a running simulator shares between connections.
pub(crate) struct Shared {
    pub config: Config,
    pub clock: SimClock,
    pub cursor_key: Vec<u8>,
    inner: Mutex<Inner>,
    /// Bumped by every `set_faults`, so held answers look again.
    faults_changed: tokio::sync::watch::Sender<u64>,
    /// Answers held back right now (`Faults::hold_answers`).
    held: AtomicUsize,
}

/// 32 random bytes as hex: not from the seed, so it differs on every run.
fn random_control_token() -> Result<String, SimError> {
    let mut bytes = [0u8; 32];
    openssl::rand::rand_bytes(&mut bytes)
        .map_err(|e| SimError::Config(format!("no random control token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Shared {
    pub(crate) fn new(b: SimulatorBuilder, base_url: String) -> Result<Self, SimError> {
        let start = b.clock_start_ms.unwrap_or_else(SimClock::real_now_ms);
        let business = crate::business::BusinessState::new(&b, start)?;
        let clock = SimClock::new(start, b.frozen_clock);
        let mut rng = SeededRng::new(b.seed);
        let cursor_key = rng.bytes(32);
        let config = Config {
            seed: devices::World {
                seed: b.seed,
                fleet: b.fleet,
            },
            quoted_errors: b.quoted_errors,
            session_ttl_ms: millis(b.session_ttl),
            rotate_sessions: b.rotate_sessions,
            oauth_window_ms: millis(b.oauth_window),
            cursor_max_age_ms: millis(b.cursor_max_age),
            limit_policy: b.limit_policy,
            public_base_url: b.public_base_url.trim_end_matches('/').to_string(),
            base_url,
            new_server_devices: b.new_server_devices,
            control_token: match b.control_token {
                Some(token) => token,
                None => random_control_token()?,
            },
        };
        let calls_until_session_expiry = b.faults.expire_sessions_after_calls;
        let mut inner = Inner {
            orgs: Vec::new(),
            servers: Vec::new(),
            sessions: HashMap::new(),
            nonces: HashMap::new(),
            faults: b.faults,
            calls_until_session_expiry,
            log: VecDeque::new(),
            log_seq: 0,
            rng,
            script: b.script.into_iter().collect(),
            vpp: crate::vpp::VppState::new(b.seed, &b.vpp_locations, b.vpp_page_size)?,
            business,
        };
        for spec in &b.servers {
            inner.add_server(spec, start)?;
        }
        Ok(Shared {
            config,
            clock,
            cursor_key,
            inner: Mutex::new(inner),
            faults_changed: tokio::sync::watch::Sender::new(0),
            held: AtomicUsize::new(0),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn server_idx(inner: &Inner, name: &str) -> Result<usize, SimError> {
        inner
            .server_index(name)
            .ok_or_else(|| SimError::UnknownServer(name.to_string()))
    }

    pub(crate) fn credentials(&self, server: &str) -> Option<Credentials> {
        let inner = self.lock();
        let i = inner.server_index(server)?;
        Some(inner.servers[i].credentials.clone())
    }

    pub(crate) fn new_session_token() -> String {
        let mut bytes = [0u8; 64];
        if openssl::rand::rand_bytes(&mut bytes).is_err() {
            // Practically unreachable; fall back to a counter-free but unique value.
            bytes[..8].copy_from_slice(&SimClock::real_now_ms().to_le_bytes());
        }
        crate::util::hex_upper(&bytes)
    }

    pub(crate) fn open_session(&self, inner: &mut Inner, server: usize) -> String {
        let now = self.clock.now_ms();
        if inner.sessions.len() > 50_000 {
            inner
                .sessions
                .retain(|_, s| s.expires_ms.saturating_add(DAY_MS) > now);
        }
        let token = Self::new_session_token();
        inner.sessions.insert(
            token.clone(),
            Session {
                server,
                expires_ms: now.saturating_add(self.config.session_ttl_ms),
            },
        );
        token
    }

    pub(crate) fn mint_session(&self, server: &str) -> Result<String, SimError> {
        let mut inner = self.lock();
        let i = Self::server_idx(&inner, server)?;
        Ok(self.open_session(&mut inner, i))
    }

    pub(crate) fn summaries(&self) -> Vec<ServerSummary> {
        let inner = self.lock();
        inner
            .servers
            .iter()
            .map(|s| ServerSummary {
                name: s.name.clone(),
                org: inner.orgs[s.org].name.clone(),
                server_uuid: s.uuid.clone(),
                consumer_key: s.credentials.consumer_key.clone(),
                devices_total: u64::from(s.next_idx),
                devices_assigned: s.active_count(),
                profiles: s.profiles.len() as u64,
                changes: s.changes.len() as u64,
            })
            .collect()
    }

    pub(crate) fn serials(
        &self,
        server: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<String>, SimError> {
        let inner = self.lock();
        let i = Self::server_idx(&inner, server)?;
        let s = &inner.servers[i];
        Ok((0..s.next_idx)
            .filter(|&idx| s.is_active(idx))
            .skip(offset)
            .take(limit)
            .map(|idx| s.serial_of(self.config.seed, idx))
            .collect())
    }

    pub(crate) fn request_log(&self) -> Vec<LoggedRequest> {
        self.lock().log.iter().cloned().collect()
    }

    pub(crate) fn clear_request_log(&self) {
        self.lock().log.clear();
    }

    pub(crate) fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        let mut inner = self.lock();
        inner.calls_until_session_expiry = faults.expire_sessions_after_calls;
        inner.faults = faults;
        drop(inner);
        self.faults_changed.send_modify(|n| *n += 1);
    }

    /// Waits while `Faults::hold_answers` names this request (the answer is
    /// ready; the request was carried out and logged).
    pub(crate) async fn hold_answer(&self, method: &str, path: &str) {
        struct Held<'a>(&'a AtomicUsize);
        impl Drop for Held<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        // Subscribed before looking, so a change in between is not missed.
        let mut changed = self.faults_changed.subscribe();
        self.held.fetch_add(1, Ordering::SeqCst);
        let _held = Held(&self.held);
        while self.lock().faults.holds(method, path) {
            if changed.changed().await.is_err() {
                break;
            }
        }
    }

    pub(crate) fn held_answers(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    pub(crate) fn apply_changes(
        &self,
        server: &str,
        batch: ChangeBatch,
    ) -> Result<ChangeReport, SimError> {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let i = Self::server_idx(&inner, server)?;
        Ok(inner.apply_batch(self.config.seed, i, batch, now))
    }

    pub(crate) fn advance_script(&self) -> Vec<ChangeReport> {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let Some(step) = inner.script.pop_front() else {
            return Vec::new();
        };
        (0..inner.servers.len())
            .map(|i| inner.apply_batch(self.config.seed, i, step, now))
            .collect()
    }

    pub(crate) fn set_up_devices(
        &self,
        server: &str,
        serials: &[String],
    ) -> Result<Vec<String>, SimError> {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let i = Self::server_idx(&inner, server)?;
        let mut done = Vec::new();
        for serial in serials {
            if let Some(idx) = inner.servers[i].find(self.config.seed, serial)
                && inner.push_profile(i, idx, now)
            {
                done.push(serial.clone());
            }
        }
        Ok(done)
    }

    pub(crate) fn device_json(
        &self,
        server: &str,
        serial: &str,
        protocol_version: u32,
    ) -> Result<Option<serde_json::Value>, SimError> {
        let inner = self.lock();
        let i = Self::server_idx(&inner, server)?;
        let s = &inner.servers[i];
        Ok(s.find(self.config.seed, serial)
            .filter(|&idx| s.is_active(idx))
            .and_then(|idx| {
                serde_json::to_value(inner.render(self.config.seed, i, idx, protocol_version, None))
                    .ok()
            }))
    }

    pub(crate) fn profiles(&self, server: &str) -> Result<Vec<serde_json::Value>, SimError> {
        let inner = self.lock();
        let i = Self::server_idx(&inner, server)?;
        let mut list: Vec<(&String, &StoredProfile)> = inner.servers[i].profiles.iter().collect();
        list.sort_by_key(|(_, p)| p.seq);
        Ok(list
            .into_iter()
            .map(|(uuid, p)| {
                let mut fields = p.fields.clone();
                fields.insert("profile_uuid".into(), uuid.clone().into());
                serde_json::Value::Object(fields)
            })
            .collect())
    }

    pub(crate) fn expire_sessions(&self) {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        for s in inner.sessions.values_mut() {
            s.expires_ms = s.expires_ms.min(now);
        }
    }

    pub(crate) fn forget_sessions(&self) {
        self.lock().sessions.clear();
    }

    pub(crate) fn expire_cursors(&self) {
        let mut inner = self.lock();
        for s in &mut inner.servers {
            s.cursor_generation += 1;
        }
    }

    /// Portal "Download Token": creates the server if needed, rotates its
    /// access token and returns `(file name, .p7m text)`.
    pub(crate) fn portal_issue(
        &self,
        server: &str,
        org: Option<&str>,
        devices: Option<u32>,
        cert_pem: &[u8],
    ) -> Result<(String, String), SimError> {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let i = match inner.server_index(server) {
            Some(i) => i,
            None => {
                let org = org
                    .map(str::to_string)
                    .or_else(|| inner.orgs.first().map(|o| o.name.clone()))
                    .unwrap_or_else(|| "Simulated Organization".to_string());
                let spec = ServerSpec::new(
                    server,
                    org,
                    devices.unwrap_or(self.config.new_server_devices),
                );
                // Validate the certificate before creating anything.
                crate::portal::envelope(cert_pem, b"probe")?;
                inner.add_server(&spec, now)?
            }
        };
        let (fresh, expiry) = inner.new_credentials(now);
        let old = inner.servers[i].credentials.clone();
        let creds = Credentials {
            consumer_key: old.consumer_key,
            consumer_secret: old.consumer_secret,
            ..fresh
        };
        let text = crate::portal::p7m_file(cert_pem, &creds)?;
        let s = &mut inner.servers[i];
        s.credentials = creds;
        s.token_expiry_ms = expiry;
        let file_name = format!(
            "{}_Token_{}_smime.p7m",
            s.name,
            crate::util::file_stamp(now)
        );
        Ok((file_name, text))
    }
}
