//! Apple's Apps and Books API v2 ("App and Book Management", formerly VPP)
//! under `/mdm/v2/…`: content tokens (`.vpptoken`), locations holding
//! licences and assignments, asynchronous associate / disassociate / revoke
//! events, pages with `versionId`, and the switches tests need. See
//! `docs/apps-and-books-wire.md`.
//!
//! Like the ADE endpoints, everything here runs under the state lock and
//! never awaits.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::model::{Inner, Shared};
use crate::service::{Reply, Req};
use crate::util::{DAY_MS, SeededRng, http_date, mix64, rfc3339};
use crate::{LoggedRequest, SimError};

/// App Store id of Microsoft's Intune Company Portal, the asset a location
/// holds when its spec names none.
pub const COMPANY_PORTAL_ADAM_ID: &str = "719171358";

/// Where the API lives on the simulator (`{base_url}/mdm/v2`).
pub(crate) const PREFIX: &str = "/mdm/v2";
/// Items per page unless the builder says otherwise.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 200;
/// Simulated time an event stays `PENDING`.
const EVENT_DELAY_MS: i64 = 2_000;
/// A content token is valid for one year (365 days) from its download.
const TOKEN_LIFETIME_MS: i64 = 365 * DAY_MS;
const NOTIFICATION_TYPES: [&str; 4] = [
    "ASSET_MANAGEMENT",
    "ASSET_COUNT",
    "USER_MANAGEMENT",
    "USER_ASSOCIATED",
];

/// One asset a location owns licences for at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VppAssetSpec {
    pub adam_id: String,
    pub total: u32,
    pub device_assignable: bool,
}

/// An Apps and Books location (the unit a `.vpptoken` belongs to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VppLocationSpec {
    /// `locationName`; also the key of every per-location call here.
    pub name: String,
    /// `orgName` inside the token file.
    pub org: String,
    /// Apps (`STDQ`) the location holds; none given: the Intune Company
    /// Portal with 100 device-assignable licences.
    pub assets: Vec<VppAssetSpec>,
    /// `.vpptoken` contents issued by an earlier run of a simulator with
    /// this location, accepted again until their `expDate` (a client that
    /// restarts its simulator, like demo mode).
    pub known_tokens: Vec<String>,
}

impl VppLocationSpec {
    pub fn new(location_name: impl Into<String>, org_name: impl Into<String>) -> Self {
        VppLocationSpec {
            name: location_name.into(),
            org: org_name.into(),
            assets: Vec::new(),
            known_tokens: Vec::new(),
        }
    }

    /// Accepts `content`, a token an earlier simulator issued for this
    /// location, as if this one had issued it.
    pub fn with_token(mut self, content: impl Into<String>) -> Self {
        self.known_tokens.push(content.into());
        self
    }

    /// An app (product type `App`, pricing `STDQ`) with `total` licences.
    pub fn with_asset(mut self, adam_id: &str, total: u32, device_assignable: bool) -> Self {
        self.assets.push(VppAssetSpec {
            adam_id: adam_id.to_string(),
            total,
            device_assignable,
        });
        self
    }
}

/// The MDM that claimed a location (`mdmInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VppMdmInfo {
    pub id: String,
    pub name: String,
    pub metadata: String,
}

/// One asset of a location with its counts, for tests and the control API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VppAssetSummary {
    pub adam_id: String,
    pub pricing_param: String,
    pub product_type: String,
    pub total_count: u32,
    pub assigned_count: u32,
    pub available_count: u32,
    pub retired_count: u32,
    pub device_assignable: bool,
    pub revocable: bool,
}

/// A location's state as the simulator holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VppLocationSummary {
    pub name: String,
    pub org: String,
    /// `uId`.
    pub uid: String,
    pub mdm_info: Option<VppMdmInfo>,
    /// The current `versionId`.
    pub version_id: String,
    pub assets: Vec<VppAssetSummary>,
    /// Assignments (device and user) in force.
    pub assignments: usize,
    /// Events not yet `COMPLETE` or `FAILED`.
    pub pending_events: usize,
    /// Content tokens issued for the location so far.
    pub tokens_issued: usize,
}

/// `limits` of `service/config`; enforced on associate, disassociate, revoke
/// and client/config. Field names as Apple's JSON has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct VppLimits {
    pub max_assets: u32,
    pub max_serial_numbers: u32,
    pub max_client_user_ids: u32,
    pub max_revoke_serial_numbers: u32,
    pub max_revoke_client_user_ids: u32,
    pub max_users: u32,
    pub max_notification_length: u32,
    pub max_mdm_id_length: u32,
    pub max_mdm_name_length: u32,
    pub max_mdm_metadata_length: u32,
}

impl Default for VppLimits {
    /// The values of Apple's documented example.
    fn default() -> Self {
        VppLimits {
            max_assets: 25,
            max_serial_numbers: 1000,
            max_client_user_ids: 1000,
            max_revoke_serial_numbers: 100,
            max_revoke_client_user_ids: 100,
            max_users: 100,
            max_notification_length: 512,
            max_mdm_id_length: 100,
            max_mdm_name_length: 100,
            max_mdm_metadata_length: 255,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum TargetKind {
    Serial,
    User,
}

/// An assignment: (adamId, pricingParam, serial number or client user id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct AssignKey {
    adam_id: String,
    pricing: String,
    kind: TargetKind,
    target: String,
}

#[derive(Debug, Clone)]
struct Asset {
    adam_id: String,
    pricing: String,
    product_type: String,
    total: u32,
    device_assignable: bool,
    revocable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventKind {
    Associate,
    Disassociate,
    Revoke,
}

impl EventKind {
    fn wire(self) -> &'static str {
        match self {
            EventKind::Associate => "ASSOCIATE",
            EventKind::Disassociate => "DISASSOCIATE",
            EventKind::Revoke => "REVOKE",
        }
    }
}

#[derive(Debug, Clone)]
struct Outcome {
    failed: bool,
    requested: u32,
    completed: u32,
    failures: Vec<Value>,
}

#[derive(Debug, Clone)]
struct Event {
    id: String,
    kind: EventKind,
    created_ms: i64,
    /// (adamId, pricingParam); empty for revoke.
    assets: Vec<(String, String)>,
    serials: Vec<String>,
    users: Vec<String>,
    outcome: Option<Outcome>,
}

impl Event {
    fn targets(&self) -> impl Iterator<Item = (TargetKind, &String)> {
        self.serials
            .iter()
            .map(|s| (TargetKind::Serial, s))
            .chain(self.users.iter().map(|u| (TargetKind::User, u)))
    }

    fn requested(&self) -> u32 {
        let targets = (self.serials.len() + self.users.len()) as u32;
        match self.kind {
            EventKind::Revoke => targets,
            _ => targets.saturating_mul(self.assets.len() as u32),
        }
    }
}

#[derive(Debug, Clone)]
struct TokenRecord {
    location: usize,
    expires_ms: i64,
    expired: bool,
    revoked: bool,
}

#[derive(Debug)]
pub(crate) struct Location {
    name: String,
    org: String,
    uid: String,
    mdm_info: Option<VppMdmInfo>,
    notification_url: Option<String>,
    notification_token: Option<String>,
    notification_types: Vec<String>,
    assets: Vec<Asset>,
    /// Assignment → the version (index into `versions`) that last wrote it.
    assignments: BTreeMap<AssignKey, usize>,
    /// Every `versionId` the location has had, oldest first.
    versions: Vec<String>,
    events: Vec<Event>,
}

/// All Apps and Books state of a simulator.
#[derive(Debug)]
pub(crate) struct VppState {
    seed: u64,
    locations: Vec<Location>,
    /// Whole `.vpptoken` content → its record.
    tokens: HashMap<String, TokenRecord>,
    limits: VppLimits,
    page_size: usize,
    too_many_left: u32,
    too_many_retry_after: u32,
    server_errors_left: u32,
    server_errors_retry_after: u32,
    auth_errors_with_200: bool,
}

/// FNV-1a, for ids derived from names.
fn name_hash(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

/// A UUID-shaped (version 4 layout) string from two numbers.
fn uuid_from(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0x0FFF,
        0x8000 | ((b >> 48) & 0x3FFF),
        b & 0xFFFF_FFFF_FFFF
    )
}

fn random_uuid(rng: &mut SeededRng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    uuid_from(a, b)
}

/// The `expDate` of a `.vpptoken`'s content, in Unix milliseconds.
fn known_token_expiry(content: &str) -> Option<i64> {
    let json = openssl::base64::decode_block(content.trim()).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&json).ok()?;
    let date = value.get("expDate")?.as_str()?;
    // Written by `vpp_date`: `…+0000` stands for `…Z`.
    crate::util::parse_time(&format!("{}Z", date.strip_suffix("+0000")?))
}

/// `2031-02-03T10:00:00+0000`: the date shape of the token file and answers.
pub(crate) fn vpp_date(ms: i64) -> String {
    let text = rfc3339(ms);
    format!("{}+0000", text.trim_end_matches('Z'))
}

fn message(number: u32) -> &'static str {
    match number {
        9601 => "Login required: send Authorization: Bearer followed by the content token.",
        9602 => "Invalid argument.",
        9603 => "Internal error.",
        9621 => "The content token has expired. Download a new one from Apple Business Manager.",
        9622 => "Invalid authentication token.",
        9625 => "The content token was revoked by the server.",
        9646 => "Too many requests for this organization. Retry later.",
        9650 => "The page index is out of range.",
        9700 => "Too many assets in the request.",
        9701 => "Too many client user ids in the request.",
        9702 => "Too many serial numbers in the request.",
        9703 => "The request names an asset more than once.",
        9704 => "The request names a client user id more than once.",
        9705 => "The request names a serial number more than once.",
        9706 => "The asset cannot be revoked.",
        9707 => "The asset cannot be assigned to a device.",
        9708 => "No event with this eventId.",
        9709 => "There are not enough licences available for this asset.",
        9710 => "notificationUrl and notificationAuthToken must be given together.",
        9712 => "notificationUrl must be an https URL.",
        9713 => "mdmInfo.metadata is too long.",
        9718 => "The request has no assets.",
        9719 => "The request has neither serialNumbers nor clientUserIds.",
        9721 => "Unknown versionId.",
        9722 => "The Authorization header is malformed: expected Bearer and a token.",
        9723 => "mdmInfo needs id, name and metadata.",
        9724 => "mdmInfo.id is too long.",
        9725 => "mdmInfo.name is too long.",
        9726 => "This HTTP method is not supported here.",
        9727 => "Unsupported Content-Type: send application/json.",
        _ => "Error.",
    }
}

/// Error numbers listed in `service/config`.
const ERROR_NUMBERS: [u32; 30] = [
    9601, 9602, 9603, 9621, 9622, 9625, 9646, 9650, 9700, 9701, 9702, 9703, 9704, 9705, 9706, 9707,
    9708, 9709, 9710, 9712, 9713, 9718, 9719, 9721, 9722, 9723, 9724, 9725, 9726, 9727,
];

fn failure(number: u32, info: Option<Value>) -> Value {
    let mut body = json!({ "errorNumber": number, "errorMessage": message(number) });
    if let Some(info) = info {
        body["errorInfo"] = info;
    }
    body
}

/// An error answer in Apple's envelope.
fn vpp_error(status: u16, number: u32, info: Option<Value>) -> Reply {
    let mut reply = Reply::json(status, &failure(number, info));
    reply.error_code = Some(number.to_string());
    reply
}

fn invalid(info: Value) -> Reply {
    vpp_error(400, 9602, Some(info))
}

/// Methods of each path below `/mdm/v2`; `None` = unknown path.
fn methods(sub: &str) -> Option<&'static [&'static str]> {
    Some(match sub {
        "/service/config" | "/assets" | "/assignments" | "/status" => &["GET"],
        "/client/config" => &["GET", "POST"],
        "/assets/associate" | "/assets/disassociate" | "/assets/revoke" => &["POST"],
        _ => return None,
    })
}

fn json_content_type(req: &Req) -> bool {
    req.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/json")
    })
}

fn body_object(req: &Req) -> Result<Map<String, Value>, Reply> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(invalid(json!({ "body": "not a JSON object" }))),
    }
}

/// A list of strings (absent or null: empty).
fn string_list(body: &Map<String, Value>, key: &str) -> Result<Vec<String>, Reply> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid(json!({ key: "expected an array of strings" }))),
        Some(_) => Err(invalid(json!({ key: "expected an array of strings" }))),
    }
}

fn duplicates<T: Clone + Eq + std::hash::Hash>(items: &[T]) -> Vec<T> {
    let mut seen = HashSet::new();
    let mut dup = Vec::new();
    for item in items {
        if !seen.insert(item) && !dup.contains(item) {
            dup.push(item.clone());
        }
    }
    dup
}

fn asset_refs(assets: &[(String, String)]) -> Value {
    Value::Array(
        assets
            .iter()
            .map(|(a, p)| json!({ "adamId": a, "pricingParam": p }))
            .collect(),
    )
}

fn bool_filter(req: &Req, key: &str) -> Result<Option<bool>, Reply> {
    match req.query_param(key).as_deref() {
        None | Some("") => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(invalid(json!({ key: "expected true or false" }))),
    }
}

fn count_filter(req: &Req, key: &str) -> Result<Option<u32>, Reply> {
    match req.query_param(key).as_deref() {
        None | Some("") => Ok(None),
        Some(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| invalid(json!({ key: "expected a non-negative number" }))),
    }
}

fn text_filter(req: &Req, key: &str) -> Option<String> {
    req.query_param(key).filter(|v| !v.is_empty())
}

/// Cuts one page out of `items`; adds the paging fields to `out`.
fn page_of(
    req: &Req,
    items: Vec<Value>,
    page_size: usize,
    out: &mut Map<String, Value>,
) -> Result<Vec<Value>, Reply> {
    let index = match req.query_param("pageIndex").as_deref() {
        None | Some("") => 0,
        Some(v) => v
            .trim()
            .parse::<usize>()
            .map_err(|_| vpp_error(400, 9650, None))?,
    };
    let size = page_size.max(1);
    let total_pages = items.len().div_ceil(size).max(1);
    if index >= total_pages {
        return Err(vpp_error(400, 9650, None));
    }
    let page: Vec<Value> = items.into_iter().skip(index * size).take(size).collect();
    out.insert("currentPageIndex".into(), index.into());
    if index + 1 < total_pages {
        out.insert("nextPageIndex".into(), (index + 1).into());
    }
    out.insert("size".into(), page.len().into());
    out.insert("totalPages".into(), total_pages.into());
    Ok(page)
}

impl Location {
    fn new(spec: &crate::VppLocationSpec, seed: u64) -> Location {
        let h = mix64(seed ^ name_hash(&spec.name));
        let uid = format!("{}", 4_100_000_000_000_000u64 + h % 100_000_000_000_000);
        let specs: Vec<VppAssetSpec> = if spec.assets.is_empty() {
            vec![VppAssetSpec {
                adam_id: COMPANY_PORTAL_ADAM_ID.to_string(),
                total: 100,
                device_assignable: true,
            }]
        } else {
            spec.assets.clone()
        };
        let mut location = Location {
            name: spec.name.clone(),
            org: spec.org.clone(),
            uid,
            mdm_info: None,
            notification_url: None,
            notification_token: None,
            notification_types: Vec::new(),
            assets: specs
                .iter()
                .map(|a| Asset::app(&a.adam_id, a.total, a.device_assignable))
                .collect(),
            assignments: BTreeMap::new(),
            versions: Vec::new(),
            events: Vec::new(),
        };
        location.bump(seed);
        location
    }

    /// A new `versionId`; returns its index.
    fn bump(&mut self, seed: u64) -> usize {
        let n = self.versions.len() as u64;
        let a = mix64(seed ^ name_hash(&self.uid) ^ n.wrapping_mul(0x9E37_79B9));
        let b = mix64(a ^ n);
        self.versions.push(uuid_from(a, b));
        self.versions.len() - 1
    }

    fn version_id(&self) -> &str {
        self.versions.last().map(String::as_str).unwrap_or("")
    }

    fn asset_index(&self, adam_id: &str, pricing: &str) -> Option<usize> {
        self.assets
            .iter()
            .position(|a| a.adam_id == adam_id && a.pricing == pricing)
    }

    fn assigned(&self, adam_id: &str, pricing: &str) -> u32 {
        self.assignments
            .keys()
            .filter(|k| k.adam_id == adam_id && k.pricing == pricing)
            .count() as u32
    }

    fn summary_of(&self, asset: &Asset) -> VppAssetSummary {
        let assigned = self.assigned(&asset.adam_id, &asset.pricing);
        VppAssetSummary {
            adam_id: asset.adam_id.clone(),
            pricing_param: asset.pricing.clone(),
            product_type: asset.product_type.clone(),
            total_count: asset.total,
            assigned_count: assigned,
            available_count: asset.total.saturating_sub(assigned),
            retired_count: 0,
            device_assignable: asset.device_assignable,
            revocable: asset.revocable,
        }
    }

    /// Completes every event whose time has come, oldest first.
    fn settle(&mut self, now: i64, seed: u64) {
        for i in 0..self.events.len() {
            let due = self.events[i].outcome.is_none()
                && self.events[i].created_ms.saturating_add(EVENT_DELAY_MS) <= now;
            if !due {
                continue;
            }
            let version = self.bump(seed);
            let event = self.events[i].clone();
            let outcome = match event.kind {
                EventKind::Associate => self.associate(&event, version),
                EventKind::Disassociate => self.disassociate(&event),
                EventKind::Revoke => self.revoke(&event),
            };
            self.events[i].outcome = Some(outcome);
        }
    }

    fn associate(&mut self, event: &Event, version: usize) -> Outcome {
        let mut completed = 0u32;
        let mut failures = Vec::new();
        for (adam_id, pricing) in &event.assets {
            let total = self
                .asset_index(adam_id, pricing)
                .map_or(0, |i| self.assets[i].total);
            let mut assigned = self.assigned(adam_id, pricing);
            let mut short_serials = Vec::new();
            let mut short_users = Vec::new();
            for (kind, target) in event.targets() {
                let key = AssignKey {
                    adam_id: adam_id.clone(),
                    pricing: pricing.clone(),
                    kind,
                    target: target.clone(),
                };
                match self.assignments.entry(key) {
                    // Already assigned: nothing to do, and no licence used.
                    std::collections::btree_map::Entry::Occupied(_) => completed += 1,
                    std::collections::btree_map::Entry::Vacant(slot) if assigned < total => {
                        slot.insert(version);
                        assigned += 1;
                        completed += 1;
                    }
                    std::collections::btree_map::Entry::Vacant(_) => match kind {
                        TargetKind::Serial => short_serials.push(target.clone()),
                        TargetKind::User => short_users.push(target.clone()),
                    },
                }
            }
            if !short_serials.is_empty() || !short_users.is_empty() {
                let mut info = Map::new();
                info.insert(
                    "assets".into(),
                    asset_refs(&[(adam_id.clone(), pricing.clone())]),
                );
                if !short_serials.is_empty() {
                    info.insert("serialNumbers".into(), json!(short_serials));
                }
                if !short_users.is_empty() {
                    info.insert("clientUserIds".into(), json!(short_users));
                }
                failures.push(failure(9709, Some(Value::Object(info))));
            }
        }
        Outcome {
            failed: !failures.is_empty(),
            requested: event.requested(),
            completed,
            failures,
        }
    }

    fn disassociate(&mut self, event: &Event) -> Outcome {
        for (adam_id, pricing) in &event.assets {
            for (kind, target) in event.targets() {
                self.assignments.remove(&AssignKey {
                    adam_id: adam_id.clone(),
                    pricing: pricing.clone(),
                    kind,
                    target: target.clone(),
                });
            }
        }
        Outcome {
            failed: false,
            requested: event.requested(),
            completed: event.requested(),
            failures: Vec::new(),
        }
    }

    fn revoke(&mut self, event: &Event) -> Outcome {
        let targets: HashSet<(TargetKind, &String)> = event.targets().collect();
        let assets = &self.assets;
        self.assignments.retain(|key, _| {
            let revocable = assets
                .iter()
                .any(|a| a.adam_id == key.adam_id && a.pricing == key.pricing && a.revocable);
            !(revocable && targets.contains(&(key.kind, &key.target)))
        });
        Outcome {
            failed: false,
            requested: event.requested(),
            completed: event.requested(),
            failures: Vec::new(),
        }
    }

    fn summary(&self) -> VppLocationSummary {
        VppLocationSummary {
            name: self.name.clone(),
            org: self.org.clone(),
            uid: self.uid.clone(),
            mdm_info: self.mdm_info.clone(),
            version_id: self.version_id().to_string(),
            assets: self.assets.iter().map(|a| self.summary_of(a)).collect(),
            assignments: self.assignments.len(),
            pending_events: self.events.iter().filter(|e| e.outcome.is_none()).count(),
            tokens_issued: 0,
        }
    }
}

impl Asset {
    fn app(adam_id: &str, total: u32, device_assignable: bool) -> Asset {
        Asset {
            adam_id: adam_id.to_string(),
            pricing: "STDQ".to_string(),
            product_type: "App".to_string(),
            total,
            device_assignable,
            revocable: true,
        }
    }
}

impl VppState {
    pub(crate) fn new(
        seed: u64,
        specs: &[crate::VppLocationSpec],
        page_size: usize,
    ) -> Result<VppState, SimError> {
        let mut locations: Vec<Location> = Vec::new();
        for spec in specs {
            if spec.name.trim().is_empty() {
                return Err(SimError::Config(
                    "Apps and Books location name is empty".into(),
                ));
            }
            if locations.iter().any(|l| l.name == spec.name) {
                return Err(SimError::Config(format!(
                    "duplicate Apps and Books location '{}'",
                    spec.name
                )));
            }
            locations.push(Location::new(spec, seed));
        }
        let mut tokens = HashMap::new();
        for (li, spec) in specs.iter().enumerate() {
            for content in &spec.known_tokens {
                let expires_ms = known_token_expiry(content).ok_or_else(|| {
                    SimError::Config(format!(
                        "a known token of '{}' is not a .vpptoken this simulator could have issued",
                        spec.name
                    ))
                })?;
                tokens.insert(
                    content.trim().to_owned(),
                    TokenRecord {
                        location: li,
                        expires_ms,
                        expired: false,
                        revoked: false,
                    },
                );
            }
        }
        Ok(VppState {
            seed,
            locations,
            tokens,
            limits: VppLimits::default(),
            page_size: page_size.max(1),
            too_many_left: 0,
            too_many_retry_after: 0,
            server_errors_left: 0,
            server_errors_retry_after: 0,
            auth_errors_with_200: false,
        })
    }

    fn index(&self, name: &str) -> Result<usize, SimError> {
        self.locations
            .iter()
            .position(|l| l.name == name)
            .ok_or_else(|| SimError::UnknownVppLocation(name.to_string()))
    }

    fn summary(&self, i: usize) -> VppLocationSummary {
        let mut s = self.locations[i].summary();
        s.tokens_issued = self.tokens.values().filter(|t| t.location == i).count();
        s
    }

    /// `Authorization: Bearer <token file>` → (location, token expiry).
    fn authenticate(&self, req: &Req, now: i64) -> Result<(usize, i64), Reply> {
        let Some(value) = req.headers.get("authorization") else {
            return Err(vpp_error(401, 9601, None));
        };
        let malformed = || vpp_error(401, 9722, None);
        let text = value.to_str().map_err(|_| malformed())?.trim();
        let (scheme, token) = text.split_once(' ').ok_or_else(malformed)?;
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer")
            || token.is_empty()
            || token.contains(char::is_whitespace)
        {
            return Err(malformed());
        }
        let status = if self.auth_errors_with_200 { 200 } else { 401 };
        let Some(record) = self.tokens.get(token) else {
            return Err(vpp_error(status, 9622, None));
        };
        if record.revoked {
            return Err(vpp_error(status, 9625, None));
        }
        if record.expired || record.expires_ms <= now {
            return Err(vpp_error(status, 9621, None));
        }
        Ok((record.location, record.expires_ms))
    }

    fn service_config(&self, base_url: &str) -> Value {
        let url = |path: &str| format!("{base_url}{PREFIX}{path}");
        json!({
            "limits": self.limits,
            "notificationTypes": NOTIFICATION_TYPES,
            "urls": {
                "clientConfig": url("/client/config"),
                "getAssets": url("/assets"),
                "getAssignments": url("/assignments"),
                "associateAssets": url("/assets/associate"),
                "disassociateAssets": url("/assets/disassociate"),
                "revokeAssets": url("/assets/revoke"),
                "eventStatus": url("/status"),
                "serviceConfig": url("/service/config"),
            },
            "errorCodes": ERROR_NUMBERS
                .iter()
                .map(|&n| json!({ "errorNumber": n, "errorMessage": message(n) }))
                .collect::<Vec<_>>(),
        })
    }
}

fn client_config(loc: &Location) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("locationName".into(), loc.name.clone().into());
    out.insert("countryISO2ACode".into(), "US".into());
    out.insert("defaultPlatform".into(), "volumestore".into());
    out.insert(
        "subscribedNotificationTypes".into(),
        json!(loc.notification_types),
    );
    if let Some(url) = &loc.notification_url {
        out.insert("notificationUrl".into(), url.clone().into());
    }
    if let Some(token) = &loc.notification_token {
        out.insert("notificationAuthToken".into(), token.clone().into());
    }
    out
}

fn optional_text(body: &Map<String, Value>, key: &str) -> Result<Option<String>, Reply> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(json!({ key: "expected a string" }))),
    }
}

fn post_client_config(
    loc: &mut Location,
    limits: &VppLimits,
    req: &Req,
) -> Result<Map<String, Value>, Reply> {
    let body = body_object(req)?;
    let mdm_info = match body.get("mdmInfo") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => {
            let field = |k: &str| {
                m.get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            let (Some(id), Some(name), Some(metadata)) =
                (field("id"), field("name"), field("metadata"))
            else {
                return Err(vpp_error(400, 9723, None));
            };
            let too_long = |s: &str, max: u32| s.chars().count() > max as usize;
            if too_long(&id, limits.max_mdm_id_length) {
                return Err(vpp_error(400, 9724, None));
            }
            if too_long(&name, limits.max_mdm_name_length) {
                return Err(vpp_error(400, 9725, None));
            }
            if too_long(&metadata, limits.max_mdm_metadata_length) {
                return Err(vpp_error(400, 9713, None));
            }
            Some(VppMdmInfo { id, name, metadata })
        }
        Some(_) => return Err(vpp_error(400, 9723, None)),
    };
    let url = optional_text(&body, "notificationUrl")?;
    let token = optional_text(&body, "notificationAuthToken")?;
    if url.is_some() != token.is_some() {
        return Err(vpp_error(400, 9710, None));
    }
    if let Some(url) = &url
        && !url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    {
        return Err(vpp_error(400, 9712, None));
    }
    let types = string_list(&body, "notificationTypes")?;
    if let Some(bad) = types
        .iter()
        .find(|t| !NOTIFICATION_TYPES.contains(&t.as_str()))
    {
        return Err(invalid(json!({ "notificationTypes": [bad] })));
    }
    if let Some(info) = mdm_info {
        loc.mdm_info = Some(info);
    }
    if url.is_some() {
        loc.notification_url = url;
        loc.notification_token = token;
    }
    if body.contains_key("notificationTypes") {
        loc.notification_types = types;
    }
    Ok(client_config(loc))
}

fn asset_json(loc: &Location, asset: &Asset) -> (VppAssetSummary, Value) {
    let s = loc.summary_of(asset);
    let value = json!({
        "adamId": s.adam_id,
        "pricingParam": s.pricing_param,
        "productType": s.product_type,
        "assignedCount": s.assigned_count,
        "availableCount": s.available_count,
        "retiredCount": s.retired_count,
        "totalCount": s.total_count,
        "deviceAssignable": s.device_assignable,
        "revocable": s.revocable,
        "supportedPlatforms": ["iOS", "macOS"],
    });
    (s, value)
}

fn get_assets(loc: &Location, req: &Req, page_size: usize) -> Result<Map<String, Value>, Reply> {
    let adam_id = text_filter(req, "adamId");
    let pricing = text_filter(req, "pricingParam");
    if let Some(p) = &pricing
        && p != "STDQ"
        && p != "PLUS"
    {
        return Err(invalid(json!({ "pricingParam": "expected STDQ or PLUS" })));
    }
    let product = text_filter(req, "productType");
    if let Some(p) = &product
        && p != "App"
        && p != "Book"
    {
        return Err(invalid(json!({ "productType": "expected App or Book" })));
    }
    let device_assignable = bool_filter(req, "deviceAssignable")?;
    let revocable = bool_filter(req, "revocable")?;
    let min_assigned = count_filter(req, "minAssignedCount")?;
    let max_assigned = count_filter(req, "maxAssignedCount")?;
    let min_available = count_filter(req, "minAvailableCount")?;
    let max_available = count_filter(req, "maxAvailableCount")?;
    let items: Vec<Value> = loc
        .assets
        .iter()
        .map(|a| asset_json(loc, a))
        .filter(|(s, _)| {
            adam_id.as_ref().is_none_or(|v| *v == s.adam_id)
                && pricing.as_ref().is_none_or(|v| *v == s.pricing_param)
                && product.as_ref().is_none_or(|v| *v == s.product_type)
                && device_assignable.is_none_or(|v| v == s.device_assignable)
                && revocable.is_none_or(|v| v == s.revocable)
                && min_assigned.is_none_or(|v| s.assigned_count >= v)
                && max_assigned.is_none_or(|v| s.assigned_count <= v)
                && min_available.is_none_or(|v| s.available_count >= v)
                && max_available.is_none_or(|v| s.available_count <= v)
        })
        .map(|(_, v)| v)
        .collect();
    let mut out = Map::new();
    let page = page_of(req, items, page_size, &mut out)?;
    out.insert("assets".into(), Value::Array(page));
    out.insert("versionId".into(), loc.version_id().into());
    Ok(out)
}

fn get_assignments(
    loc: &Location,
    req: &Req,
    page_size: usize,
) -> Result<Map<String, Value>, Reply> {
    let since = match text_filter(req, "sinceVersionId") {
        None => None,
        Some(v) => Some(
            loc.versions
                .iter()
                .position(|known| *known == v)
                .ok_or_else(|| vpp_error(400, 9721, None))?,
        ),
    };
    let adam_id = text_filter(req, "adamId");
    let pricing = text_filter(req, "pricingParam");
    let serial = text_filter(req, "serialNumber");
    let user = text_filter(req, "clientUserId");
    let items: Vec<Value> = loc
        .assignments
        .iter()
        .filter(|(k, written)| {
            since.is_none_or(|s| **written > s)
                && adam_id.as_ref().is_none_or(|v| *v == k.adam_id)
                && pricing.as_ref().is_none_or(|v| *v == k.pricing)
                && serial
                    .as_ref()
                    .is_none_or(|v| k.kind == TargetKind::Serial && *v == k.target)
                && user
                    .as_ref()
                    .is_none_or(|v| k.kind == TargetKind::User && *v == k.target)
        })
        .map(|(k, _)| {
            let target = match k.kind {
                TargetKind::Serial => "serialNumber",
                TargetKind::User => "clientUserId",
            };
            json!({ "adamId": k.adam_id, "pricingParam": k.pricing, target: k.target })
        })
        .collect();
    let mut out = Map::new();
    let page = page_of(req, items, page_size, &mut out)?;
    out.insert("assignments".into(), Value::Array(page));
    out.insert("versionId".into(), loc.version_id().into());
    Ok(out)
}

/// `assets: [{adamId, pricingParam}]` (pricingParam defaults to STDQ).
fn parse_assets(body: &Map<String, Value>) -> Result<Vec<(String, String)>, Reply> {
    let items = match body.get("assets") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid(json!({ "assets": "expected an array" }))),
    };
    items
        .iter()
        .map(|item| {
            let adam_id = match item.get("adamId") {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err(invalid(json!({ "assets": "each needs an adamId" }))),
            };
            let pricing = match item.get("pricingParam") {
                None | Some(Value::Null) => "STDQ".to_string(),
                Some(Value::String(s)) => s.clone(),
                Some(_) => return Err(invalid(json!({ "assets": "pricingParam is a string" }))),
            };
            Ok((adam_id, pricing))
        })
        .collect()
}

/// associate / disassociate / revoke: checks the request, records a pending
/// event and answers its id.
fn manage(
    loc: &mut Location,
    limits: &VppLimits,
    req: &Req,
    kind: EventKind,
    now: i64,
    rng: &mut SeededRng,
) -> Result<Map<String, Value>, Reply> {
    let body = body_object(req)?;
    let assets = match kind {
        EventKind::Revoke => Vec::new(),
        _ => parse_assets(&body)?,
    };
    let serials = string_list(&body, "serialNumbers")?;
    let users = string_list(&body, "clientUserIds")?;
    if kind != EventKind::Revoke && assets.is_empty() {
        return Err(vpp_error(400, 9718, None));
    }
    if serials.is_empty() && users.is_empty() {
        return Err(vpp_error(400, 9719, None));
    }
    let (max_serials, max_users) = match kind {
        EventKind::Revoke => (
            limits.max_revoke_serial_numbers,
            limits.max_revoke_client_user_ids,
        ),
        _ => (limits.max_serial_numbers, limits.max_client_user_ids),
    };
    if assets.len() > limits.max_assets as usize {
        return Err(vpp_error(400, 9700, None));
    }
    if users.len() > max_users as usize {
        return Err(vpp_error(400, 9701, None));
    }
    if serials.len() > max_serials as usize {
        return Err(vpp_error(400, 9702, None));
    }
    let dup = duplicates(&assets);
    if !dup.is_empty() {
        return Err(vpp_error(
            400,
            9703,
            Some(json!({ "assets": asset_refs(&dup) })),
        ));
    }
    let dup = duplicates(&users);
    if !dup.is_empty() {
        return Err(vpp_error(400, 9704, Some(json!({ "clientUserIds": dup }))));
    }
    let dup = duplicates(&serials);
    if !dup.is_empty() {
        return Err(vpp_error(400, 9705, Some(json!({ "serialNumbers": dup }))));
    }
    let unknown: Vec<(String, String)> = assets
        .iter()
        .filter(|(a, p)| loc.asset_index(a, p).is_none())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(invalid(json!({ "assets": asset_refs(&unknown) })));
    }
    if kind == EventKind::Associate && !serials.is_empty() {
        let refused: Vec<(String, String)> = assets
            .iter()
            .filter(|(a, p)| {
                loc.asset_index(a, p)
                    .is_some_and(|i| !loc.assets[i].device_assignable)
            })
            .cloned()
            .collect();
        if !refused.is_empty() {
            return Err(vpp_error(
                400,
                9707,
                Some(json!({ "assets": asset_refs(&refused) })),
            ));
        }
    }
    let id = random_uuid(rng);
    loc.events.push(Event {
        id: id.clone(),
        kind,
        created_ms: now,
        assets,
        serials,
        users,
        outcome: None,
    });
    let mut out = Map::new();
    out.insert("eventId".into(), id.into());
    Ok(out)
}

fn status(loc: &Location, req: &Req) -> Result<Map<String, Value>, Reply> {
    let id = req.query_param("eventId").unwrap_or_default();
    let Some(event) = loc.events.iter().find(|e| e.id == id) else {
        return Err(vpp_error(400, 9708, None));
    };
    let mut out = Map::new();
    out.insert("eventType".into(), event.kind.wire().into());
    out.insert("numRequested".into(), event.requested().into());
    match &event.outcome {
        None => {
            out.insert("eventStatus".into(), "PENDING".into());
            out.insert("numCompleted".into(), 0.into());
        }
        Some(o) => {
            let status = if o.failed { "FAILED" } else { "COMPLETE" };
            out.insert("eventStatus".into(), status.into());
            out.insert("numRequested".into(), o.requested.into());
            out.insert("numCompleted".into(), o.completed.into());
            if !o.failures.is_empty() {
                out.insert("failures".into(), Value::Array(o.failures.clone()));
            }
        }
    }
    Ok(out)
}

/// A random opaque token (not from the seed: a token of an earlier run is unknown).
fn opaque_token(rng: &mut SeededRng) -> String {
    let mut bytes = [0u8; 24];
    if openssl::rand::rand_bytes(&mut bytes).is_err() {
        bytes.copy_from_slice(&rng.bytes(24));
    }
    openssl::base64::encode_block(&bytes)
}

impl Shared {
    /// Serves one request below `/mdm/v2` and logs it.
    pub(crate) fn vpp(&self, req: &Req) -> Reply {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let mut location = None;
        let mut reply = self.vpp_inner(&mut inner, req, now, &mut location);
        reply.headers.push(("Date", http_date(now)));
        let entry = LoggedRequest {
            seq: 0,
            at_ms: now,
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            server: location.map(|i| inner.vpp.locations[i].name.clone()),
            status: reply.status,
            error_code: reply.error_code.clone(),
            dropped: false,
            user_agent: req.header("user-agent").map(str::to_string),
            protocol_version: None,
            content_type: req.header("content-type").map(str::to_string),
            had_session_header: false,
            rotated_session: false,
            body: String::from_utf8_lossy(&req.body[..req.body.len().min(64 * 1024)]).into_owned(),
        };
        inner.push_log(entry);
        reply
    }

    fn vpp_inner(
        &self,
        inner: &mut Inner,
        req: &Req,
        now: i64,
        located: &mut Option<usize>,
    ) -> Reply {
        let Inner { vpp, rng, .. } = inner;
        let sub = req.path.strip_prefix(PREFIX).unwrap_or("");
        let Some(allowed) = methods(sub) else {
            return vpp_error(404, 9602, Some(json!({ "path": req.path })));
        };
        if vpp.too_many_left > 0 {
            vpp.too_many_left -= 1;
            let mut reply = vpp_error(429, 9646, None);
            reply
                .headers
                .push(("Retry-After", vpp.too_many_retry_after.to_string()));
            return reply;
        }
        if vpp.server_errors_left > 0 {
            vpp.server_errors_left -= 1;
            let mut reply = vpp_error(500, 9603, None);
            reply
                .headers
                .push(("Retry-After", vpp.server_errors_retry_after.to_string()));
            return reply;
        }
        if !allowed.contains(&req.method.as_str()) {
            return vpp_error(405, 9726, None);
        }
        if sub == "/service/config" {
            return Reply::json(200, &vpp.service_config(&self.config.base_url));
        }
        let (li, token_expiry) = match vpp.authenticate(req, now) {
            Ok(found) => found,
            Err(reply) => return reply,
        };
        *located = Some(li);
        if req.method == "POST" && !json_content_type(req) {
            return vpp_error(415, 9727, None);
        }
        let (seed, limits, page_size) = (vpp.seed, vpp.limits, vpp.page_size);
        let loc = &mut vpp.locations[li];
        loc.settle(now, seed);
        let answer = match (req.method.as_str(), sub) {
            ("GET", "/client/config") => Ok(client_config(loc)),
            ("POST", "/client/config") => post_client_config(loc, &limits, req),
            ("GET", "/assets") => get_assets(loc, req, page_size),
            ("GET", "/assignments") => get_assignments(loc, req, page_size),
            ("POST", "/assets/associate") => {
                manage(loc, &limits, req, EventKind::Associate, now, rng)
            }
            ("POST", "/assets/disassociate") => {
                manage(loc, &limits, req, EventKind::Disassociate, now, rng)
            }
            ("POST", "/assets/revoke") => manage(loc, &limits, req, EventKind::Revoke, now, rng),
            ("GET", "/status") => status(loc, req),
            _ => Err(vpp_error(405, 9726, None)),
        };
        match answer {
            Ok(mut out) => {
                out.insert("uId".into(), loc.uid.clone().into());
                out.insert("tokenExpirationDate".into(), vpp_date(token_expiry).into());
                if let Some(info) = &loc.mdm_info {
                    out.insert("mdmInfo".into(), json!(info));
                }
                Reply::json(200, &Value::Object(out))
            }
            Err(reply) => reply,
        }
    }

    /// A new `.vpptoken` (file content) for `location`, valid 365 days.
    pub(crate) fn vpp_issue_token(&self, location: &str) -> Result<String, SimError> {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let Inner { vpp, rng, .. } = &mut *inner;
        let li = vpp.index(location)?;
        let expires_ms = now.div_euclid(1000) * 1000 + TOKEN_LIFETIME_MS;
        let file = json!({
            "token": opaque_token(rng),
            "expDate": vpp_date(expires_ms),
            "orgName": vpp.locations[li].org,
        });
        let content = openssl::base64::encode_block(file.to_string().as_bytes());
        vpp.tokens.insert(
            content.clone(),
            TokenRecord {
                location: li,
                expires_ms,
                expired: false,
                revoked: false,
            },
        );
        Ok(content)
    }

    fn vpp_tokens_of(
        &self,
        location: &str,
        edit: impl Fn(&mut TokenRecord),
    ) -> Result<(), SimError> {
        let mut inner = self.lock();
        let li = inner.vpp.index(location)?;
        inner
            .vpp
            .tokens
            .values_mut()
            .filter(|t| t.location == li)
            .for_each(edit);
        Ok(())
    }

    /// Every token issued so far for `location` answers 9621.
    pub(crate) fn vpp_expire(&self, location: &str) -> Result<(), SimError> {
        self.vpp_tokens_of(location, |t| t.expired = true)
    }

    /// Every token issued so far for `location` answers 9625.
    pub(crate) fn vpp_revoke(&self, location: &str) -> Result<(), SimError> {
        self.vpp_tokens_of(location, |t| t.revoked = true)
    }

    /// Another MDM writes its own `mdmInfo` over the location's.
    pub(crate) fn vpp_claim_by_other_mdm(
        &self,
        location: &str,
        mdm_name: &str,
    ) -> Result<VppMdmInfo, SimError> {
        let mut inner = self.lock();
        let Inner { vpp, rng, .. } = &mut *inner;
        let li = vpp.index(location)?;
        let loc = &mut vpp.locations[li];
        let mut id = random_uuid(rng);
        while loc.mdm_info.as_ref().is_some_and(|m| m.id == id) {
            id = random_uuid(rng);
        }
        let info = VppMdmInfo {
            id,
            name: mdm_name.to_string(),
            metadata: "other-mdm.example.com".to_string(),
        };
        loc.mdm_info = Some(info.clone());
        Ok(info)
    }

    /// Sets an asset's total licences (an unknown adamId becomes a new
    /// device-assignable App, STDQ); a new `versionId`.
    pub(crate) fn vpp_set_licences(
        &self,
        location: &str,
        adam_id: &str,
        total: u32,
    ) -> Result<VppAssetSummary, SimError> {
        if adam_id.is_empty() {
            return Err(SimError::Config("adamId is empty".into()));
        }
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let vpp = &mut inner.vpp;
        let seed = vpp.seed;
        let li = vpp.index(location)?;
        let loc = &mut vpp.locations[li];
        loc.settle(now, seed);
        let i = match loc.asset_index(adam_id, "STDQ") {
            Some(i) => i,
            None => {
                loc.assets.push(Asset::app(adam_id, total, true));
                loc.assets.len() - 1
            }
        };
        loc.assets[i].total = total;
        loc.bump(seed);
        Ok(loc.summary_of(&loc.assets[i]))
    }

    pub(crate) fn vpp_too_many_requests(&self, count: u32, retry_after_seconds: u32) {
        let mut inner = self.lock();
        inner.vpp.too_many_left = count;
        inner.vpp.too_many_retry_after = retry_after_seconds;
    }

    pub(crate) fn vpp_server_errors(&self, count: u32, retry_after_seconds: u32) {
        let mut inner = self.lock();
        inner.vpp.server_errors_left = count;
        inner.vpp.server_errors_retry_after = retry_after_seconds;
    }

    pub(crate) fn vpp_auth_errors_with_200(&self, on: bool) {
        self.lock().vpp.auth_errors_with_200 = on;
    }

    pub(crate) fn vpp_limits(&self) -> VppLimits {
        self.lock().vpp.limits
    }

    pub(crate) fn vpp_set_limits(&self, limits: VppLimits) {
        self.lock().vpp.limits = limits;
    }

    /// A location's state; events whose time has come complete first.
    pub(crate) fn vpp_location(&self, location: &str) -> Option<VppLocationSummary> {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let li = inner.vpp.index(location).ok()?;
        let seed = inner.vpp.seed;
        inner.vpp.locations[li].settle(now, seed);
        Some(inner.vpp.summary(li))
    }

    pub(crate) fn vpp_locations(&self) -> Vec<VppLocationSummary> {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let seed = inner.vpp.seed;
        for loc in &mut inner.vpp.locations {
            loc.settle(now, seed);
        }
        (0..inner.vpp.locations.len())
            .map(|i| inner.vpp.summary(i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ids_have_apples_shapes() {
        assert_eq!(vpp_date(1_700_000_000_000), "2023-11-14T22:13:20+0000");
        let id = uuid_from(u64::MAX, 0);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        let loc = Location::new(&crate::VppLocationSpec::new("HQ", "Acme"), 7);
        assert_eq!(loc.uid.len(), 16);
        assert!(loc.uid.starts_with("41"));
        assert_eq!(loc.assets[0].adam_id, COMPANY_PORTAL_ADAM_ID);
        assert_eq!(loc.assets[0].total, 100);
        let same = Location::new(&crate::VppLocationSpec::new("HQ", "Acme"), 7);
        assert_eq!(loc.uid, same.uid, "stable for a seed");
        assert_eq!(loc.version_id(), same.version_id());
    }

    #[test]
    fn duplicates_are_found_once() {
        assert_eq!(duplicates(&["a", "b", "a", "a"]), vec!["a"]);
        assert!(duplicates::<&str>(&[]).is_empty());
    }
}
