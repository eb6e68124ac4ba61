//! The organisation API's JSON:API answers: orgDevices, mdmServers and
//! orgDeviceActivities, with cursor paging and sparse fieldsets.

use serde_json::{Map, Value, json};

use super::*;
use crate::LimitPolicy;
use crate::service::Req;

pub(super) const DEFAULT_LIMIT: usize = 100;
pub(super) const MAX_LIMIT: usize = 1000;

pub(super) const DEVICE_FIELDS: &[&str] = &[
    "serialNumber",
    "addedToOrgDateTime",
    "releasedFromOrgDateTime",
    "updatedDateTime",
    "deviceModel",
    "productFamily",
    "productType",
    "deviceCapacity",
    "partNumber",
    "orderNumber",
    "color",
    "status",
    "orderDateTime",
    "imei",
    "meid",
    "eid",
    "wifiMacAddress",
    "bluetoothMacAddress",
    "ethernetMacAddress",
    "purchaseSourceId",
    "purchaseSourceType",
    "assignedServer",
];
const SERVER_FIELDS: &[&str] = &[
    "serverName",
    "serverType",
    "createdDateTime",
    "updatedDateTime",
    "status",
    "deviceCount",
    "devices",
];
/// What `mdmServers` show without `fields[mdmServers]`.
const SERVER_DEFAULT_FIELDS: &[&str] = &[
    "serverName",
    "serverType",
    "createdDateTime",
    "updatedDateTime",
];
const ACTIVITY_FIELDS: &[&str] = &[
    "status",
    "subStatus",
    "createdDateTime",
    "completedDateTime",
    "downloadUrl",
];

/// What every answer needs besides the state.
pub(super) struct Ctx<'a> {
    pub world: devices::World,
    pub base: &'a str,
    pub cursor_key: &'a [u8],
    pub limit_policy: LimitPolicy,
    pub now: i64,
}

impl Ctx<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn b64url_encode(bytes: &[u8]) -> String {
    openssl::base64::encode_block(bytes)
        .chars()
        .filter(|&c| c != '=')
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect()
}

fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut s: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    openssl::base64::decode_block(&s).ok()
}

/// An opaque, tamper-evident cursor for `kind` at position `(a, b)`.
fn encode_cursor(key: &[u8], kind: &str, a: u64, b: u64) -> String {
    let payload = format!("{kind}:{a}:{b}");
    let t = crate::cursor::tag(key, &payload);
    b64url_encode(format!("{payload}:{t}").as_bytes())
}

fn decode_cursor(key: &[u8], kind: &str, text: &str) -> Option<(u64, u64)> {
    if text.is_empty() || text.len() > 200 {
        return None;
    }
    let raw = String::from_utf8(b64url_decode(text)?).ok()?;
    let (payload, presented) = raw.rsplit_once(':')?;
    let expected = crate::cursor::tag(key, payload);
    if presented.len() != expected.len()
        || !openssl::memcmp::eq(presented.as_bytes(), expected.as_bytes())
    {
        return None;
    }
    let mut parts = payload.split(':');
    if parts.next()? != kind {
        return None;
    }
    let a = parts.next()?.parse().ok()?;
    let b = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((a, b))
}

fn bad_parameter(rng: &mut SeededRng, name: &str, detail: impl Into<String>) -> Reply {
    api_error(
        rng,
        400,
        "PARAMETER_ERROR.INVALID",
        "A parameter has an invalid value",
        detail,
        Some(json!({ "parameter": name })),
    )
}

pub(super) struct Paging {
    pub limit: usize,
    pub cursor: Option<(u64, u64)>,
}

fn paging(ctx: &Ctx<'_>, rng: &mut SeededRng, req: &Req, kind: &str) -> Result<Paging, Reply> {
    let limit = match req.query_param("limit") {
        None => DEFAULT_LIMIT,
        Some(text) => match text.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            Ok(n) if n > MAX_LIMIT && ctx.limit_policy == LimitPolicy::Clamp => MAX_LIMIT,
            _ => {
                return Err(bad_parameter(
                    rng,
                    "limit",
                    format!("limit must be an integer from 1 to {MAX_LIMIT}"),
                ));
            }
        },
    };
    let cursor = match req.query_param("cursor") {
        None => None,
        Some(text) if text.is_empty() => None,
        Some(text) => Some(
            decode_cursor(ctx.cursor_key, kind, &text)
                .ok_or_else(|| bad_parameter(rng, "cursor", "The cursor is not valid"))?,
        ),
    };
    Ok(Paging { limit, cursor })
}

/// `fields[kind]`: `None` when absent.
fn fieldset(
    rng: &mut SeededRng,
    req: &Req,
    kind: &str,
    allowed: &[&str],
) -> Result<Option<Vec<String>>, Reply> {
    let name = format!("fields[{kind}]");
    let Some(text) = req.query_param(&name) else {
        return Ok(None);
    };
    let list: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(bad) = list.iter().find(|f| !allowed.contains(&f.as_str())) {
        return Err(bad_parameter(
            rng,
            &name,
            format!("'{bad}' is not a field of {kind}"),
        ));
    }
    Ok(Some(list))
}

fn keep(attrs: Map<String, Value>, fields: Option<&[String]>, default: Option<&[&str]>) -> Value {
    let attrs = match (fields, default) {
        (Some(f), _) => attrs
            .into_iter()
            .filter(|(k, _)| f.iter().any(|x| x == k))
            .collect(),
        (None, Some(d)) => attrs
            .into_iter()
            .filter(|(k, _)| d.contains(&k.as_str()))
            .collect(),
        (None, None) => attrs,
    };
    Value::Object(attrs)
}

/// `links` and `meta.paging` of a page; `next` = where the next page starts.
fn page_parts(
    ctx: &Ctx<'_>,
    req: &Req,
    limit: usize,
    next: Option<String>,
    total: Option<u64>,
) -> (Value, Value) {
    let query = req.query.as_deref().unwrap_or("");
    let self_link = if query.is_empty() {
        ctx.url(&req.path)
    } else {
        format!("{}?{query}", ctx.url(&req.path))
    };
    let mut links = json!({ "self": self_link });
    let mut paging = json!({ "limit": limit });
    if let Some(t) = total {
        paging["total"] = t.into();
    }
    if let Some(cursor) = next {
        let mut kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("cursor=") && !p.starts_with("limit="))
            .collect();
        let tail = format!("cursor={cursor}&limit={limit}");
        kept.push(&tail);
        links["next"] = format!("{}?{}", ctx.url(&req.path), kept.join("&")).into();
        paging["nextCursor"] = cursor.into();
    }
    (links, json!({ "paging": paging }))
}

pub(super) fn device_resource(
    ctx: &Ctx<'_>,
    inner: &Inner,
    key: Key,
    fields: Option<&[String]>,
) -> Value {
    let attrs = inner.org_attributes(ctx.world, key);
    let serial = attrs
        .get("serialNumber")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let path = format!("/v1/orgDevices/{serial}");
    let mut out = json!({
        "type": "orgDevices",
        "id": serial,
        "attributes": keep(attrs, fields, None),
        "links": { "self": ctx.url(&path) },
    });
    if fields.is_none_or(|f| f.iter().any(|x| x == "assignedServer")) {
        out["relationships"] = json!({ "assignedServer": { "links": {
            "self": ctx.url(&format!("{path}/relationships/assignedServer")),
            "related": ctx.url(&format!("{path}/assignedServer")),
        }}});
    }
    out
}

pub(super) fn server_resource(
    ctx: &Ctx<'_>,
    inner: &Inner,
    s: usize,
    fields: Option<&[String]>,
) -> Value {
    let server = &inner.servers[s];
    let id = mdm_server_id(&server.uuid);
    let created = server.assign_start_ms - 7 * DAY_MS;
    let updated = server
        .changes
        .last()
        .map_or(created, |c| c.at_ms.max(created));
    let mut attrs = Map::new();
    attrs.insert("serverName".into(), server.name.clone().into());
    attrs.insert("serverType".into(), "MDM".into());
    attrs.insert("createdDateTime".into(), rfc3339_ms(created).into());
    attrs.insert("updatedDateTime".into(), rfc3339_ms(updated).into());
    attrs.insert("status".into(), "ACTIVE".into());
    attrs.insert("deviceCount".into(), server.active_count().into());
    let path = format!("/v1/mdmServers/{id}");
    let mut out = json!({
        "type": "mdmServers",
        "id": id,
        "attributes": keep(attrs, fields, Some(SERVER_DEFAULT_FIELDS)),
        "links": { "self": ctx.url(&path) },
    });
    if fields.is_none_or(|f| f.iter().any(|x| x == "devices")) {
        out["relationships"] = json!({ "devices": { "links": {
            "self": ctx.url(&format!("{path}/relationships/devices")),
        }}});
    }
    out
}

pub(super) fn server_by_id(inner: &Inner, id: &str) -> Option<usize> {
    inner
        .servers
        .iter()
        .position(|s| mdm_server_id(&s.uuid) == id)
}

/// The pre-signed URL of an activity's CSV log.
pub(super) fn log_url(ctx: &Ctx<'_>, id: &str) -> String {
    let sig = crate::cursor::tag(ctx.cursor_key, &format!("log:{id}"));
    ctx.url(&format!("/business/activity-logs/{id}.csv?signature={sig}"))
}

pub(super) fn activity_resource(ctx: &Ctx<'_>, a: &Activity, fields: Option<&[String]>) -> Value {
    let (status, sub) = a.status_at(ctx.now);
    let mut attrs = Map::new();
    attrs.insert("status".into(), status.into());
    attrs.insert("subStatus".into(), sub.into());
    attrs.insert("createdDateTime".into(), rfc3339_ms(a.created_ms).into());
    if let Some(done) = &a.done {
        attrs.insert("completedDateTime".into(), rfc3339_ms(done.at_ms).into());
        if !done.failed {
            attrs.insert("downloadUrl".into(), log_url(ctx, &a.id).into());
        }
    }
    json!({
        "type": "orgDeviceActivities",
        "id": a.id,
        "attributes": keep(attrs, fields, None),
        "links": { "self": ctx.url(&format!("/v1/orgDeviceActivities/{}", a.id)) },
    })
}

fn ok(value: Value) -> Reply {
    let mut reply = Reply::json(200, &value);
    reply
        .headers
        .push(("Content-Type", "application/json".into()));
    reply
}

/// `GET /v1/orgDevices`
pub(super) fn org_devices(ctx: &Ctx<'_>, inner: &mut Inner, req: &Req) -> Reply {
    let (p, fields) = match (
        paging(ctx, &mut inner.rng, req, "D"),
        fieldset(&mut inner.rng, req, "orgDevices", DEVICE_FIELDS),
    ) {
        (Ok(p), Ok(f)) => (p, f),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let from = p.cursor.map_or((0, 0), |(a, b)| {
        (
            a.min(u64::from(u16::MAX)) as u16,
            b.min(u64::from(u32::MAX)) as u32,
        )
    });
    let (keys, next) = inner.org_page(from, p.limit);
    let data: Vec<Value> = keys
        .iter()
        .map(|&k| device_resource(ctx, inner, k, fields.as_deref()))
        .collect();
    let next = next.map(|(a, b)| encode_cursor(ctx.cursor_key, "D", u64::from(a), u64::from(b)));
    let (links, meta) = page_parts(ctx, req, p.limit, next, Some(inner.org_total()));
    ok(json!({ "data": data, "links": links, "meta": meta }))
}

fn device_key(ctx: &Ctx<'_>, inner: &mut Inner, serial: &str) -> Result<Key, Reply> {
    inner
        .org_key(ctx.world, serial)
        .ok_or_else(|| not_found(&mut inner.rng, "orgDevices", serial))
}

/// `GET /v1/orgDevices/{id}`
pub(super) fn org_device(ctx: &Ctx<'_>, inner: &mut Inner, req: &Req, serial: &str) -> Reply {
    let fields = match fieldset(&mut inner.rng, req, "orgDevices", DEVICE_FIELDS) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let key = match device_key(ctx, inner, serial) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let data = device_resource(ctx, inner, key, fields.as_deref());
    ok(json!({ "data": data, "links": { "self": ctx.url(&req.path) } }))
}

/// `GET /v1/orgDevices/{id}/relationships/assignedServer` (`linkage`) and
/// `GET /v1/orgDevices/{id}/assignedServer`.
pub(super) fn assigned_server(
    ctx: &Ctx<'_>,
    inner: &mut Inner,
    req: &Req,
    serial: &str,
    linkage: bool,
) -> Reply {
    let fields = if linkage {
        None
    } else {
        match fieldset(&mut inner.rng, req, "mdmServers", SERVER_FIELDS) {
            Ok(f) => f,
            Err(r) => return r,
        }
    };
    let key = match device_key(ctx, inner, serial) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let placed = inner.placement(key).map(|(s, _)| s);
    let base = format!("/v1/orgDevices/{serial}");
    if linkage {
        let data = placed.map_or(
            Value::Null,
            |s| json!({ "type": "mdmServers", "id": mdm_server_id(&inner.servers[s].uuid) }),
        );
        return ok(json!({ "data": data, "links": {
            "self": ctx.url(&format!("{base}/relationships/assignedServer")),
            "related": ctx.url(&format!("{base}/assignedServer")),
        }}));
    }
    let data = placed.map_or(Value::Null, |s| {
        server_resource(ctx, inner, s, fields.as_deref())
    });
    ok(json!({ "data": data, "links": { "self": ctx.url(&req.path) } }))
}

/// Pages a small list by offset.
fn offset_page(ctx: &Ctx<'_>, req: &Req, p: &Paging, kind: &str, items: Vec<Value>) -> Reply {
    let total = items.len();
    let start = p.cursor.map_or(0, |(_, b)| b as usize).min(total);
    let end = (start + p.limit).min(total);
    let next = (end < total).then(|| encode_cursor(ctx.cursor_key, kind, 0, end as u64));
    let data: Vec<Value> = items[start..end].to_vec();
    let (links, meta) = page_parts(ctx, req, p.limit, next, Some(total as u64));
    ok(json!({ "data": data, "links": links, "meta": meta }))
}

/// `GET /v1/orgDevices/{id}/appleCareCoverage`
pub(super) fn apple_care(ctx: &Ctx<'_>, inner: &mut Inner, req: &Req, serial: &str) -> Reply {
    let p = match paging(ctx, &mut inner.rng, req, "C") {
        Ok(p) => p,
        Err(r) => return r,
    };
    let key = match device_key(ctx, inner, serial) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let items = inner.coverages(ctx.world, key, ctx.now);
    offset_page(ctx, req, &p, "C", items)
}

/// `GET /v1/mdmServers`
pub(super) fn mdm_servers(ctx: &Ctx<'_>, inner: &mut Inner, req: &Req) -> Reply {
    let (p, fields) = match (
        paging(ctx, &mut inner.rng, req, "S"),
        fieldset(&mut inner.rng, req, "mdmServers", SERVER_FIELDS),
    ) {
        (Ok(p), Ok(f)) => (p, f),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let items = (0..inner.servers.len())
        .map(|s| server_resource(ctx, inner, s, fields.as_deref()))
        .collect();
    offset_page(ctx, req, &p, "S", items)
}

/// `GET /v1/mdmServers/{id}`
pub(super) fn mdm_server(ctx: &Ctx<'_>, inner: &mut Inner, req: &Req, id: &str) -> Reply {
    let fields = match fieldset(&mut inner.rng, req, "mdmServers", SERVER_FIELDS) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(s) = server_by_id(inner, id) else {
        return not_found(&mut inner.rng, "mdmServers", id);
    };
    let data = server_resource(ctx, inner, s, fields.as_deref());
    ok(json!({ "data": data, "links": { "self": ctx.url(&req.path) } }))
}

/// `GET /v1/mdmServers/{id}/relationships/devices`
pub(super) fn server_devices(ctx: &Ctx<'_>, inner: &mut Inner, req: &Req, id: &str) -> Reply {
    let p = match paging(ctx, &mut inner.rng, req, "L") {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(s) = server_by_id(inner, id) else {
        return not_found(&mut inner.rng, "mdmServers", id);
    };
    // A cursor names the server it belongs to, so it cannot wander.
    let start = match p.cursor {
        Some((server, idx)) if server == s as u64 => idx.min(u64::from(u32::MAX)) as u32,
        Some(_) => {
            return bad_parameter(&mut inner.rng, "cursor", "The cursor is not valid");
        }
        None => 0,
    };
    let server = &inner.servers[s];
    let mut data = Vec::new();
    let mut idx = start;
    let mut next = None;
    while idx < server.next_idx {
        if server.is_active(idx) {
            if data.len() == p.limit {
                next = Some(encode_cursor(ctx.cursor_key, "L", s as u64, u64::from(idx)));
                break;
            }
            data.push(json!({ "type": "orgDevices", "id": server.serial_of(ctx.world, idx) }));
        }
        idx += 1;
    }
    let total = server.active_count();
    let (mut links, meta) = page_parts(ctx, req, p.limit, next, Some(total));
    links["related"] = ctx.url(&format!("/v1/mdmServers/{id}/devices")).into();
    ok(json!({ "data": data, "links": links, "meta": meta }))
}

fn unprocessable(rng: &mut SeededRng, pointer: &str, detail: impl Into<String>) -> Reply {
    api_error(
        rng,
        422,
        "ENTITY_UNPROCESSABLE",
        "The request entity is not valid",
        detail,
        Some(json!({ "pointer": pointer })),
    )
}

fn conflict(rng: &mut SeededRng, code: &str, pointer: &str, detail: impl Into<String>) -> Reply {
    api_error(
        rng,
        409,
        code,
        "The provided entity includes an invalid value",
        detail,
        Some(json!({ "pointer": pointer })),
    )
}

/// `POST /v1/orgDeviceActivities`
pub(super) fn create_activity(ctx: &Ctx<'_>, inner: &mut Inner, req: &Req) -> Reply {
    let rng = &mut inner.rng;
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return unprocessable(rng, "", format!("The body is not JSON: {e}")),
    };
    let Some(data) = body.get("data").filter(|d| d.is_object()) else {
        return unprocessable(rng, "/data", "A 'data' object is required");
    };
    if data.get("type").and_then(Value::as_str) != Some("orgDeviceActivities") {
        return conflict(
            rng,
            "ENTITY_ERROR.TYPE_MISMATCH",
            "/data/type",
            "type must be orgDeviceActivities",
        );
    }
    let kind = match data
        .pointer("/attributes/activityType")
        .and_then(Value::as_str)
    {
        Some("ASSIGN_DEVICES") => ActivityKind::Assign,
        Some("UNASSIGN_DEVICES") => ActivityKind::Unassign,
        Some(other) => {
            return conflict(
                rng,
                "ENTITY_ERROR.ATTRIBUTE.INVALID",
                "/data/attributes/activityType",
                format!(
                    "activityType '{other}' is not supported (ASSIGN_DEVICES, UNASSIGN_DEVICES)"
                ),
            );
        }
        None => {
            return conflict(
                rng,
                "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
                "/data/attributes/activityType",
                "activityType is required",
            );
        }
    };
    let server = data.pointer("/relationships/mdmServer/data");
    let server_id = match server {
        Some(Value::Object(linkage))
            if linkage.get("type").and_then(Value::as_str) == Some("mdmServers") =>
        {
            match linkage.get("id").and_then(Value::as_str) {
                Some(id) if !id.is_empty() => id.to_string(),
                _ => {
                    return conflict(
                        rng,
                        "ENTITY_ERROR.RELATIONSHIP.INVALID",
                        "/data/relationships/mdmServer/data/id",
                        "mdmServer needs an id",
                    );
                }
            }
        }
        Some(_) => {
            return conflict(
                rng,
                "ENTITY_ERROR.RELATIONSHIP.INVALID",
                "/data/relationships/mdmServer/data",
                "mdmServer must be a linkage of type mdmServers",
            );
        }
        None => {
            return conflict(
                rng,
                "ENTITY_ERROR.RELATIONSHIP.REQUIRED",
                "/data/relationships/mdmServer",
                "mdmServer is required",
            );
        }
    };
    let Some(list) = data
        .pointer("/relationships/devices/data")
        .and_then(Value::as_array)
    else {
        return conflict(
            rng,
            "ENTITY_ERROR.RELATIONSHIP.REQUIRED",
            "/data/relationships/devices/data",
            "devices is required (an array of orgDevices linkages)",
        );
    };
    let mut serials: Vec<String> = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        match (
            item.get("type").and_then(Value::as_str),
            item.get("id").and_then(Value::as_str),
        ) {
            (Some("orgDevices"), Some(id)) if !id.is_empty() => {
                if !serials.iter().any(|s| s == id) {
                    serials.push(id.to_string());
                }
            }
            _ => {
                return conflict(
                    rng,
                    "ENTITY_ERROR.RELATIONSHIP.INVALID",
                    &format!("/data/relationships/devices/data/{i}"),
                    "each device must be a linkage of type orgDevices with an id",
                );
            }
        }
    }
    if serials.is_empty() {
        return unprocessable(
            rng,
            "/data/relationships/devices/data",
            "At least one device is required",
        );
    }
    if serials.len() > MAX_ACTIVITY_DEVICES {
        return unprocessable(
            rng,
            "/data/relationships/devices/data",
            format!("At most {MAX_ACTIVITY_DEVICES} devices per activity"),
        );
    }
    let Some(s) = server_by_id(inner, &server_id) else {
        return not_found(&mut inner.rng, "mdmServers", &server_id);
    };
    let id = uuid(&mut inner.rng);
    let fail = std::mem::take(&mut inner.business.fail_next);
    let activity = Activity {
        id,
        kind,
        server: s,
        serials,
        created_ms: ctx.now,
        polls: 0,
        fail,
        done: None,
    };
    let data = activity_resource(ctx, &activity, None);
    inner.business.activities.push(activity);
    let mut reply = Reply::json(
        201,
        &json!({ "data": data, "links": { "self": ctx.url("/v1/orgDeviceActivities") } }),
    );
    reply
        .headers
        .push(("Content-Type", "application/json".into()));
    reply
}

/// `GET /v1/orgDeviceActivities/{id}`: each GET moves the activity at
/// least one sub-state on.
pub(super) fn get_activity(ctx: &Ctx<'_>, inner: &mut Inner, req: &Req, id: &str) -> Reply {
    let fields = match fieldset(&mut inner.rng, req, "orgDeviceActivities", ACTIVITY_FIELDS) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(i) = inner.business.activities.iter().position(|a| a.id == id) else {
        return not_found(&mut inner.rng, "orgDeviceActivities", id);
    };
    inner.business.activities[i].polls += 1;
    inner.business_settle(ctx.world, ctx.now);
    let Some(a) = inner.business.activities.iter().find(|a| a.id == id) else {
        return not_found(&mut inner.rng, "orgDeviceActivities", id);
    };
    let data = activity_resource(ctx, a, fields.as_deref());
    ok(json!({ "data": data, "links": { "self": ctx.url(&req.path) } }))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `GET /business/activity-logs/{id}.csv?signature=…`: the log of a
/// completed activity (no bearer token: the URL is pre-signed).
pub(super) fn activity_log(ctx: &Ctx<'_>, inner: &Inner, req: &Req, id: &str) -> Option<Reply> {
    let expected = crate::cursor::tag(ctx.cursor_key, &format!("log:{id}"));
    let given = req.query_param("signature")?;
    if given.len() != expected.len() || !openssl::memcmp::eq(given.as_bytes(), expected.as_bytes())
    {
        return None;
    }
    let a = inner.business.activities.iter().find(|a| a.id == id)?;
    let done = a.done.as_ref().filter(|d| !d.failed)?;
    let mut text = String::from("serialNumber,result,message\r\n");
    for row in &done.rows {
        text.push_str(&format!(
            "{},{},{}\r\n",
            csv_field(&row.serial),
            if row.ok { "SUCCESS" } else { "FAILED" },
            csv_field(&row.message)
        ));
    }
    let mut reply = Reply::json(200, &Value::Null);
    reply.body = text.into_bytes();
    reply
        .headers
        .push(("Content-Type", "text/csv; charset=utf-8".into()));
    reply.headers.push((
        "Content-Disposition",
        format!("attachment; filename=\"{id}.csv\""),
    ));
    Some(reply)
}
