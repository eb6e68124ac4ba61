//! The organisation API's JSON:API documents, read leniently: Apple's
//! examples and schemas disagree on a few fields (`imei` as an array or a
//! string, `purchaseSourceId` or `purchaseSourceUid`), empty strings occur,
//! and unknown attributes are ignored.

use depot_domain::UnixSeconds;
use serde_json::{Value, json};

use super::{OrgError, Page};

/// `ASSIGNED` / `UNASSIGNED` (anything else is kept as Apple wrote it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgDeviceStatus {
    Assigned,
    Unassigned,
    Other(String),
}

impl OrgDeviceStatus {
    fn parse(text: &str) -> Self {
        match text {
            "ASSIGNED" => Self::Assigned,
            "UNASSIGNED" => Self::Unassigned,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Assigned => "ASSIGNED",
            Self::Unassigned => "UNASSIGNED",
            Self::Other(s) => s,
        }
    }
}

/// One device the organisation owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDevice {
    pub serial: String,
    pub status: OrgDeviceStatus,
    pub model: String,
    pub family: String,
    pub product_type: String,
    pub color: String,
    pub capacity: String,
    pub part_number: String,
    pub order_number: String,
    pub ordered_at: Option<UnixSeconds>,
    pub purchase_source_type: String,
    pub purchase_source_id: String,
    pub imei: Vec<String>,
    pub meid: Vec<String>,
    pub eid: String,
    pub wifi_mac: String,
    pub bluetooth_mac: String,
    pub added_at: Option<UnixSeconds>,
    pub updated_at: Option<UnixSeconds>,
    pub released_at: Option<UnixSeconds>,
}

/// An MDM server of the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdmServer {
    pub id: String,
    pub name: String,
    /// `MDM`, `APPLE_CONFIGURATOR`, `APPLE_MDM`.
    pub server_type: String,
    pub created_at: Option<UnixSeconds>,
    pub updated_at: Option<UnixSeconds>,
}

/// One AppleCare (or warranty) coverage of a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRecord {
    pub description: String,
    /// `ACTIVE` / `INACTIVE`.
    pub status: String,
    pub payment_type: String,
    pub starts_at: Option<UnixSeconds>,
    pub ends_at: Option<UnixSeconds>,
    pub renewable: bool,
    pub canceled: bool,
    pub agreement_number: Option<String>,
}

/// What an activity does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    Assign,
    Unassign,
}

impl ActivityKind {
    pub fn wire(self) -> &'static str {
        match self {
            ActivityKind::Assign => "ASSIGN_DEVICES",
            ActivityKind::Unassign => "UNASSIGN_DEVICES",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ASSIGN_DEVICES" | "assign" => Some(ActivityKind::Assign),
            "UNASSIGN_DEVICES" | "unassign" => Some(ActivityKind::Unassign),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Assign => "assign",
            ActivityKind::Unassign => "unassign",
        }
    }
}

/// An assign/unassign activity as Apple reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub id: String,
    /// `IN_PROGRESS`, `COMPLETED`, `FAILED`, `STOPPED`.
    pub status: String,
    /// `SUBMITTED` … `COMPLETED_WITH_SUCCESS` / `_WITH_ERROR` / `_WITH_FAILURE`.
    pub sub_status: String,
    pub created_at: Option<UnixSeconds>,
    pub completed_at: Option<UnixSeconds>,
    /// The CSV log, once completed.
    pub download_url: Option<String>,
}

impl Activity {
    /// Apple is done with it (whatever the outcome).
    pub fn is_finished(&self) -> bool {
        matches!(self.status.as_str(), "COMPLETED" | "FAILED" | "STOPPED")
    }
}

/// One row of an activity's CSV log: the serial, and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityLogRow {
    pub serial: String,
    /// As Apple wrote it (e.g. `SUCCESS`, `FAILED`).
    pub result: String,
    pub message: String,
}

impl ActivityLogRow {
    pub fn succeeded(&self) -> bool {
        matches!(
            self.result.to_ascii_uppercase().as_str(),
            "SUCCESS" | "SUCCEEDED" | "COMPLETED" | "OK"
        )
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().map(text).filter(|s| !s.is_empty()).collect(),
        Value::String(s) if !s.trim().is_empty() => vec![s.trim().to_owned()],
        _ => Vec::new(),
    }
}

/// An ISO-8601 UTC time (`2025-04-30T22:05:14.192Z`, with or without
/// fractions) as Unix seconds.
pub fn parse_time(v: &Value) -> Option<UnixSeconds> {
    let s = v.as_str()?.trim();
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time = time.split(['.', '+']).next()?;
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, min, sec) = (t.next()??, t.next()??, t.next().flatten().unwrap_or(0));
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || min > 59 || sec > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(UnixSeconds::new(days * 86_400 + h * 3_600 + min * 60 + sec))
}

pub(super) fn org_device(data: &Value) -> Option<OrgDevice> {
    let a = &data["attributes"];
    let serial = {
        let s = text(&a["serialNumber"]);
        if s.is_empty() { text(&data["id"]) } else { s }
    };
    if serial.is_empty() {
        return None;
    }
    Some(OrgDevice {
        serial,
        status: OrgDeviceStatus::parse(&text(&a["status"])),
        model: text(&a["deviceModel"]),
        family: text(&a["productFamily"]),
        product_type: text(&a["productType"]),
        color: text(&a["color"]),
        capacity: text(&a["deviceCapacity"]),
        part_number: text(&a["partNumber"]),
        order_number: text(&a["orderNumber"]),
        ordered_at: parse_time(&a["orderDateTime"]),
        purchase_source_type: text(&a["purchaseSourceType"]),
        purchase_source_id: {
            let id = text(&a["purchaseSourceId"]);
            if id.is_empty() {
                text(&a["purchaseSourceUid"])
            } else {
                id
            }
        },
        imei: list(&a["imei"]),
        meid: list(&a["meid"]),
        eid: text(&a["eid"]),
        wifi_mac: text(&a["wifiMacAddress"]),
        bluetooth_mac: text(&a["bluetoothMacAddress"]),
        added_at: parse_time(&a["addedToOrgDateTime"]),
        updated_at: parse_time(&a["updatedDateTime"]),
        released_at: parse_time(&a["releasedFromOrgDateTime"]),
    })
}

pub(super) fn mdm_server(data: &Value) -> Option<MdmServer> {
    let id = text(&data["id"]);
    if id.is_empty() {
        return None;
    }
    let a = &data["attributes"];
    Some(MdmServer {
        id,
        name: text(&a["serverName"]),
        server_type: text(&a["serverType"]),
        created_at: parse_time(&a["createdDateTime"]),
        updated_at: parse_time(&a["updatedDateTime"]),
    })
}

pub(super) fn coverage(data: &Value) -> Option<CoverageRecord> {
    let a = &data["attributes"];
    Some(CoverageRecord {
        description: text(&a["description"]),
        status: text(&a["status"]),
        payment_type: text(&a["paymentType"]),
        starts_at: parse_time(&a["startDateTime"]),
        ends_at: parse_time(&a["endDateTime"]),
        renewable: a["isRenewable"].as_bool().unwrap_or(false),
        canceled: a["isCanceled"].as_bool().unwrap_or(false),
        agreement_number: a["agreementNumber"].as_str().map(str::to_owned),
    })
}

pub(super) fn activity(data: &Value) -> Option<Activity> {
    let id = text(&data["id"]);
    if id.is_empty() {
        return None;
    }
    let a = &data["attributes"];
    Some(Activity {
        id,
        status: text(&a["status"]),
        sub_status: text(&a["subStatus"]),
        created_at: parse_time(&a["createdDateTime"]),
        completed_at: parse_time(&a["completedDateTime"]),
        download_url: a["downloadUrl"]
            .as_str()
            .filter(|u| !u.trim().is_empty())
            .map(str::to_owned),
    })
}

pub(super) fn activity_body(kind: super::ActivityKind, server: &str, serials: &[String]) -> Value {
    json!({"data": {
        "type": "orgDeviceActivities",
        "attributes": {"activityType": kind.wire()},
        "relationships": {
            "mdmServer": {"data": {"type": "mdmServers", "id": server}},
            "devices": {"data": serials.iter().map(|s| json!({"type": "orgDevices", "id": s})).collect::<Vec<_>>()},
        },
    }})
}

/// A list document: its items (those that read) and the next cursor.
pub(super) fn page<T>(
    doc: &Value,
    item: impl Fn(&Value) -> Option<T>,
) -> Result<Page<T>, OrgError> {
    let data = doc["data"]
        .as_array()
        .ok_or_else(|| OrgError::Answer("a list without 'data'".into()))?;
    let paging = &doc["meta"]["paging"];
    let next_cursor = paging["nextCursor"]
        .as_str()
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            // Only `links.next`: its `cursor` parameter.
            let next = doc["links"]["next"].as_str()?;
            let url = url::Url::parse(next).ok()?;
            url.query_pairs()
                .find(|(k, _)| k == "cursor")
                .map(|(_, v)| v.into_owned())
        });
    Ok(Page {
        items: data.iter().filter_map(item).collect(),
        next_cursor,
        total: paging["total"].as_u64(),
    })
}

/// A JSON:API error document as an [`OrgError`].
pub(super) fn api_error(status: u16, doc: Option<&Value>) -> OrgError {
    let first = doc.and_then(|d| d["errors"].get(0));
    let field = |name: &str| {
        first
            .and_then(|e| e[name].as_str())
            .unwrap_or("")
            .chars()
            .take(300)
            .collect::<String>()
    };
    let detail = {
        let d = field("detail");
        if d.is_empty() { field("title") } else { d }
    };
    OrgError::Api {
        status,
        code: {
            let c = field("code");
            if c.is_empty() {
                format!("HTTP_{status}")
            } else {
                c
            }
        },
        title: field("title"),
        detail: if detail.is_empty() {
            format!("HTTP {status} without an error document")
        } else {
            detail
        },
    }
}

/// Reads an activity's CSV log: a header row naming the columns; the
/// serial column is the one whose name has "serial" in it, the result the
/// one with "status" or "result", the message the one with "message",
/// "detail" or "reason" (Apple's layout is unconfirmed).
pub(super) fn activity_log(csv: &str) -> Vec<ActivityLogRow> {
    let mut rows = csv.lines().filter(|l| !l.trim().is_empty()).map(split_csv);
    let Some(header) = rows.next() else {
        return Vec::new();
    };
    let find = |words: &[&str]| {
        header.iter().position(|h| {
            let h = h.to_ascii_lowercase();
            words.iter().any(|w| h.contains(w))
        })
    };
    let serial = find(&["serial"]).unwrap_or(0);
    let result = find(&["status", "result"]);
    let message = find(&["message", "detail", "reason", "error"]);
    rows.filter_map(|row| {
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).cloned().unwrap_or_default();
        let serial = cell(Some(serial));
        (!serial.is_empty()).then(|| ActivityLogRow {
            serial,
            result: cell(result),
            message: cell(message),
        })
    })
    .collect()
}

/// One CSV line (RFC 4180 quotes; no line breaks inside fields).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field).trim().to_owned()),
            (c, _) => field.push(c),
        }
    }
    out.push(field.trim().to_owned());
    out
}
