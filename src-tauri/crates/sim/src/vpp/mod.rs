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

mod endpoints;
mod shared;

use endpoints::*;

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
