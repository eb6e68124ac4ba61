//! Apple's endpoints (spec §3): routing, session checks, faults, cursors,
//! profiles and the request log. Everything here runs under the state lock
//! and never awaits.

use std::collections::BTreeMap;

use bytes::Bytes;
use hyper::HeaderMap;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::cursor::{Cursor, CursorKind};
use crate::devices;
use crate::model::{DeviceOut, Inner, Op, ProfileStatus, Shared, StoredProfile};
use crate::oauth::{self, OAuthRejection};
use crate::util::{date_only, http_date, rfc3339};
use crate::{LimitPolicy, LoggedRequest};

/// Apple's content type, on every answer.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF8";
pub(crate) const SESSION_HEADER: &str = "x-adm-auth-session";
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;
const MAX_SERIALS: usize = 1000;

/// A request as the service sees it.
pub(crate) struct Req {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn query_param(&self, name: &str) -> Option<String> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (oauth::pct_decode(k).as_deref() == Some(name))
                .then(|| oauth::pct_decode(&v.replace('+', " ")))
                .flatten()
        })
    }
}

/// An answer, before it becomes an HTTP response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
    pub error_code: Option<String>,
    /// Close the connection without answering.
    pub drop: bool,
    /// Hold the answer back while `Faults::hold_answers` names the request.
    pub hold: bool,
}

impl Reply {
    pub(crate) fn json(status: u16, value: &impl Serialize) -> Reply {
        Self::json_sized(status, value, 256)
    }

    /// Like [`Reply::json`], with a capacity hint to avoid regrowing big pages.
    fn json_sized(status: u16, value: &impl Serialize, capacity: usize) -> Reply {
        let mut body = Vec::with_capacity(capacity);
        if serde_json::to_writer(&mut body, value).is_err() {
            body.clear();
        }
        Reply {
            status,
            body,
            headers: Vec::new(),
            error_code: None,
            drop: false,
            hold: false,
        }
    }

    fn dropped() -> Reply {
        Reply {
            status: 0,
            body: Vec::new(),
            headers: Vec::new(),
            error_code: None,
            drop: true,
            hold: false,
        }
    }
}

/// Routes Apple answers; `None` = unknown path.
fn allowed_methods(path: &str) -> Option<&'static [&'static str]> {
    Some(match path {
        "/session" | "/account" | "/device/replacementDetails" => &["GET"],
        "/server/devices" | "/devices/sync" | "/devices" | "/devices/disown" => &["POST"],
        "/profile" => &["GET", "POST"],
        "/profile/devices" => &["PUT", "POST", "DELETE"],
        _ => return None,
    })
}

fn protocol_version(req: &Req) -> u32 {
    req.header("x-server-protocol-version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
}

/// Per-request facts the assign logic needs.
#[derive(Debug, Clone, Copy)]
struct Call {
    now: i64,
    pv: u32,
    faulty: bool,
}

#[derive(Serialize)]
struct PageOut<'a> {
    devices: Vec<DeviceOut>,
    cursor: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fetched_until: Option<String>,
    more_to_follow: bool,
}

impl Shared {
    pub(crate) fn error(&self, status: u16, code: &str) -> Reply {
        let body = if self.config.quoted_errors {
            serde_json::to_vec(code).unwrap_or_default()
        } else {
            code.as_bytes().to_vec()
        };
        Reply {
            status,
            body,
            headers: Vec::new(),
            error_code: Some(code.to_string()),
            drop: false,
            hold: false,
        }
    }

    /// Serves one request to an Apple endpoint and logs it.
    pub(crate) fn apple(&self, req: &Req) -> Reply {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        // Organisation API activities whose time has come change the servers first.
        inner.business_settle(self.config.seed, now);
        let server = attribute(&inner, req);
        let mut rotated = false;
        let mut reply = self.apple_inner(&mut inner, req, server, now, &mut rotated);
        // Every answer carries the simulated time, as Apple's carry Apple's.
        reply.headers.push(("Date", http_date(now)));
        reply.hold =
            !reply.drop && inner.faults_apply(server) && inner.faults.holds(&req.method, &req.path);
        let padding = inner.faults.pad_answers_bytes;
        if padding > 0 && !reply.drop && inner.faults_apply(server) {
            let padding = usize::try_from(padding).unwrap_or(usize::MAX);
            reply
                .body
                .resize(reply.body.len().saturating_add(padding), b' ');
        }
        let entry = LoggedRequest {
            seq: 0,
            at_ms: now,
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            server: attribute(&inner, req)
                .or(server)
                .map(|i| inner.servers[i].name.clone()),
            status: reply.status,
            error_code: reply.error_code.clone(),
            dropped: reply.drop,
            user_agent: req.header("user-agent").map(str::to_string),
            protocol_version: req.header("x-server-protocol-version").map(str::to_string),
            content_type: req.header("content-type").map(str::to_string),
            had_session_header: req.headers.contains_key(SESSION_HEADER),
            rotated_session: rotated,
            body: String::from_utf8_lossy(&req.body[..req.body.len().min(64 * 1024)]).into_owned(),
        };
        inner.push_log(entry);
        reply
    }

    fn apple_inner(
        &self,
        inner: &mut Inner,
        req: &Req,
        server: Option<usize>,
        now: i64,
        rotated: &mut bool,
    ) -> Reply {
        let faulty = inner.faults_apply(server);
        if faulty && inner.faults.drop_connections > 0 {
            inner.faults.drop_connections -= 1;
            return Reply::dropped();
        }
        if faulty && let Some(to) = inner.faults.redirect_to.clone() {
            let mut reply = Reply::json(307, &"TEMPORARY_REDIRECT");
            reply.headers.push(("Location", to));
            return reply;
        }
        if req
            .header("user-agent")
            .is_none_or(|ua| ua.trim().is_empty())
        {
            return self.error(400, "USER_AGENT_MISSING");
        }
        if faulty && let Some(reply) = self.scripted_error(inner, &req.path) {
            return reply;
        }
        let Some(methods) = allowed_methods(&req.path) else {
            return self.error(404, "NOT_FOUND");
        };
        if !methods.contains(&req.method.as_str()) {
            return self.error(405, "METHOD_NOT_ALLOWED");
        }
        if req.path == "/session" {
            return self.session(inner, req, now, faulty);
        }

        // Every other endpoint needs a live session.
        let token = req.header(SESSION_HEADER).unwrap_or("").trim();
        if token.is_empty() {
            return self.error(401, "UNAUTHORIZED");
        }
        let Some(session) = inner.sessions.get(token).cloned() else {
            return self.error(403, "FORBIDDEN");
        };
        if session.expires_ms <= now {
            return self.error(401, "UNAUTHORIZED");
        }
        let s = session.server;
        if faulty && inner.faults.t_c_not_signed {
            return self.error(403, "T_C_NOT_SIGNED");
        }
        if faulty && inner.faults.access_denied {
            return self.error(403, "ACCESS_DENIED");
        }

        let pv = protocol_version(req);
        let mut reply = match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/account") => self.account(inner, s, pv),
            ("POST", "/server/devices") => self.fetch(inner, s, req, now, pv, faulty),
            ("POST", "/devices/sync") => self.sync(inner, s, req, now, pv, faulty),
            ("POST", "/devices") => self.details(inner, s, req, pv),
            ("POST", "/devices/disown") => self.disown(inner, s, req, now),
            ("POST", "/profile") => self.define_profile(inner, s, req, now, pv, faulty),
            ("GET", "/profile") => self.get_profile(inner, s, req),
            ("DELETE", "/profile/devices") => self.remove_profile(inner, s, req, now),
            (_, "/profile/devices") => self.assign_profile(inner, s, req, now, pv, faulty),
            ("GET", "/device/replacementDetails") => self.replacement(inner, s, req),
            _ => self.error(405, "METHOD_NOT_ALLOWED"),
        };

        if self.config.rotate_sessions {
            let fresh = self.open_session(inner, s);
            reply.headers.push(("X-ADM-Auth-Session", fresh));
            *rotated = true;
        }
        if faulty && let Some(left) = inner.calls_until_session_expiry.as_mut() {
            *left = left.saturating_sub(1);
            if *left == 0 {
                inner.calls_until_session_expiry = inner.faults.expire_sessions_after_calls;
                let scoped: Vec<String> = inner.faults.servers.clone();
                for sess in inner.sessions.values_mut() {
                    let name = &inner.servers[sess.server].name;
                    if scoped.is_empty() || scoped.contains(name) {
                        sess.expires_ms = sess.expires_ms.min(now);
                    }
                }
            }
        }
        reply
    }

    fn scripted_error(&self, inner: &mut Inner, path: &str) -> Option<Reply> {
        let pos = inner
            .faults
            .errors
            .iter()
            .position(|e| e.count > 0 && e.path.as_deref().is_none_or(|p| p == path))?;
        let burst = inner.faults.errors[pos].clone();
        inner.faults.errors[pos].count -= 1;
        if inner.faults.errors[pos].count == 0 {
            inner.faults.errors.remove(pos);
        }
        let default_body = match burst.status {
            401 => "UNAUTHORIZED",
            403 => "FORBIDDEN",
            429 => "TOO_MANY_REQUESTS",
            400 => "MALFORMED_REQUEST_BODY",
            404 => "NOT_FOUND",
            _ => "SERVER_ERROR",
        };
        let mut reply = self.error(burst.status, burst.body.as_deref().unwrap_or(default_body));
        if matches!(burst.status, 429 | 503) {
            let seconds = burst.retry_after_seconds.unwrap_or(1);
            let value = if burst.retry_after_as_date {
                http_date(self.clock.now_ms() + i64::from(seconds) * 1000)
            } else {
                seconds.to_string()
            };
            reply.headers.push(("Retry-After", value));
        }
        Some(reply)
    }

    fn session(&self, inner: &mut Inner, req: &Req, now: i64, faulty: bool) -> Reply {
        let Some(header) = req.header("authorization") else {
            return self.error(401, "UNAUTHORIZED");
        };
        let auth = match oauth::parse_authorization(header) {
            Ok(a) => a,
            Err(OAuthRejection::BadRequest(_)) => return self.error(400, "BAD_REQUEST"),
        };
        let Some(si) = inner.server_by_consumer_key(&auth.consumer_key) else {
            return self.error(401, "UNAUTHORIZED");
        };
        let server = &inner.servers[si];
        let creds = &server.credentials;
        if auth.token != creds.access_token || now >= server.token_expiry_ms {
            return self.error(401, "UNAUTHORIZED");
        }
        if auth
            .timestamp
            .saturating_mul(1000)
            .saturating_sub(now)
            .saturating_abs()
            > self.config.oauth_window_ms
        {
            return self.error(401, "UNAUTHORIZED");
        }
        let mut urls = vec![
            format!("{}/session", self.config.base_url),
            format!("{}/session", self.config.public_base_url),
        ];
        if let Some(host) = req.header("host") {
            urls.push(format!("http://{}/session", host.to_ascii_lowercase()));
        }
        let valid = urls.iter().any(|url| {
            let base = oauth::base_string("GET", url, &auth.signed_params);
            let expected =
                oauth::hmac_sha1_signature(&creds.consumer_secret, &creds.access_secret, &base);
            oauth::signatures_match(&auth.signature, &expected)
        });
        if !valid {
            return self.error(401, "UNAUTHORIZED");
        }
        let nonce_key = (auth.consumer_key.clone(), auth.nonce.clone());
        if inner.nonces.contains_key(&nonce_key) {
            return self.error(401, "UNAUTHORIZED");
        }
        if inner.nonces.len() > 100_000 {
            let horizon = now.saturating_sub(self.config.oauth_window_ms.saturating_mul(2));
            inner.nonces.retain(|_, ts| *ts >= horizon);
        }
        inner
            .nonces
            .insert(nonce_key, auth.timestamp.saturating_mul(1000));
        if faulty && inner.faults.t_c_not_signed {
            return self.error(403, "T_C_NOT_SIGNED");
        }
        if faulty && inner.faults.access_denied {
            return self.error(403, "ACCESS_DENIED");
        }
        let token = self.open_session(inner, si);
        Reply::json(200, &json!({ "auth_session_token": token }))
    }

    fn account(&self, inner: &Inner, s: usize, pv: u32) -> Reply {
        let server = &inner.servers[s];
        let org = &inner.orgs[server.org];
        let mut out = Map::new();
        out.insert("server_name".into(), server.name.clone().into());
        out.insert("server_uuid".into(), server.uuid.clone().into());
        out.insert("admin_id".into(), server.admin_id.clone().into());
        out.insert("facilitator_id".into(), server.admin_id.clone().into());
        out.insert("org_name".into(), org.name.clone().into());
        out.insert("org_email".into(), format!("it@{}", org.domain).into());
        out.insert("org_phone".into(), org.phone.clone().into());
        out.insert("org_address".into(), org.address.clone().into());
        if pv >= 3 {
            out.insert("org_id".into(), org.org_id.clone().into());
            out.insert("org_id_hash".into(), org.org_id_hash.clone().into());
            out.insert("org_type".into(), "org".into());
            out.insert("org_version".into(), "v2".into());
            let limit = json!({ "default": DEFAULT_LIMIT, "maximum": MAX_LIMIT });
            out.insert(
                "urls".into(),
                json!([
                    { "uri": "/account", "http_method": ["GET"] },
                    { "uri": "/server/devices", "http_method": ["POST"], "limit": limit },
                    { "uri": "/devices/sync", "http_method": ["POST"], "limit": limit },
                    { "uri": "/devices", "http_method": ["POST"] },
                    { "uri": "/devices/disown", "http_method": ["POST"] },
                    { "uri": "/profile", "http_method": ["GET", "POST"] },
                    { "uri": "/profile/devices", "http_method": ["DELETE", "POST", "PUT"] },
                    { "uri": "/device/replacementDetails", "http_method": ["GET"] }
                ]),
            );
        }
        Reply::json(200, &Value::Object(out))
    }

    fn body_object(&self, req: &Req) -> Result<Map<String, Value>, Reply> {
        if req.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        match serde_json::from_slice::<Value>(&req.body) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(self.error(400, "MALFORMED_REQUEST_BODY")),
        }
    }

    fn limit(&self, body: &Map<String, Value>) -> Result<usize, Reply> {
        let malformed = || self.error(400, "MALFORMED_REQUEST_BODY");
        match body.get("limit") {
            None | Some(Value::Null) => Ok(DEFAULT_LIMIT),
            Some(v) => {
                let n = v.as_i64().ok_or_else(malformed)?;
                if n < 1 {
                    Err(malformed())
                } else if n as usize > MAX_LIMIT {
                    match self.config.limit_policy {
                        LimitPolicy::Clamp => Ok(MAX_LIMIT),
                        LimitPolicy::Reject => Err(malformed()),
                    }
                } else {
                    Ok(n as usize)
                }
            }
        }
    }

    /// The `cursor` member: absent/empty → `None`; not a string → malformed.
    fn cursor_text<'a>(&self, body: &'a Map<String, Value>) -> Result<Option<&'a str>, Reply> {
        match body.get("cursor") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.error(400, "MALFORMED_REQUEST_BODY")),
        }
    }

    fn decode_cursor(&self, inner: &Inner, s: usize, text: &str) -> Result<Cursor, Reply> {
        match Cursor::decode(&self.cursor_key, text) {
            Some(c) if c.server == inner.servers[s].slot => Ok(c),
            _ => Err(self.error(400, "INVALID_CURSOR")),
        }
    }

    fn echo(&self, cursor: &str, fetch: bool, now: i64) -> Reply {
        Reply::json(
            200,
            &PageOut {
                devices: Vec::new(),
                cursor,
                fetched_until: fetch.then(|| rfc3339(now)),
                more_to_follow: true,
            },
        )
    }

    fn fetch(&self, inner: &Inner, s: usize, req: &Req, now: i64, pv: u32, faulty: bool) -> Reply {
        let body = match self.body_object(req) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let (limit, text) = match (self.limit(&body), self.cursor_text(&body)) {
            (Ok(l), Ok(t)) => (l, t),
            (Err(r), _) | (_, Err(r)) => return r,
        };
        let server = &inner.servers[s];
        let (start, snapshot) = match text {
            None => (0u32, server.changes.len() as u64),
            Some(text) => {
                let c = match self.decode_cursor(inner, s, text) {
                    Ok(c) => c,
                    Err(r) => return r,
                };
                if c.kind == CursorKind::Sync || c.exhausted {
                    return self.error(400, "EXHAUSTED_CURSOR");
                }
                if faulty && inner.faults.echo_cursor {
                    return self.echo(text, true, now);
                }
                (c.position.min(u64::from(u32::MAX)) as u32, c.snapshot)
            }
        };
        let mut devices_out = Vec::with_capacity(limit.min(server.active_count() as usize));
        let mut idx = start;
        let mut last_date = None;
        while idx < server.next_idx && devices_out.len() < limit {
            if server.is_active(idx) {
                last_date = Some(server.assigned_ms(idx));
                devices_out.push(inner.render(self.config.seed, s, idx, pv, None));
            }
            idx += 1;
        }
        let mut probe = idx;
        while probe < server.next_idx && !server.is_active(probe) {
            probe += 1;
        }
        let more = probe < server.next_idx;
        let cursor = Cursor {
            kind: CursorKind::Fetch,
            server: server.slot,
            position: u64::from(idx),
            snapshot,
            issued_ms: now,
            exhausted: !more,
            generation: server.cursor_generation,
        }
        .encode(&self.cursor_key);
        let capacity = devices_out.len() * 600 + 256;
        Reply::json_sized(
            200,
            &PageOut {
                devices: devices_out,
                cursor: &cursor,
                fetched_until: Some(rfc3339(last_date.unwrap_or(now))),
                more_to_follow: more,
            },
            capacity,
        )
    }

    fn sync(&self, inner: &Inner, s: usize, req: &Req, now: i64, pv: u32, faulty: bool) -> Reply {
        let body = match self.body_object(req) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let (limit, text) = match (self.limit(&body), self.cursor_text(&body)) {
            (Ok(l), Ok(Some(t))) => (l, t),
            (Ok(_), Ok(None)) => return self.error(400, "CURSOR_REQUIRED"),
            (Err(r), _) | (_, Err(r)) => return r,
        };
        let c = match self.decode_cursor(inner, s, text) {
            Ok(c) => c,
            Err(r) => return r,
        };
        let server = &inner.servers[s];
        if now.saturating_sub(c.issued_ms) > self.config.cursor_max_age_ms
            || c.generation < server.cursor_generation
        {
            return self.error(400, "EXPIRED_CURSOR");
        }
        if faulty && inner.faults.echo_cursor {
            return self.echo(text, false, now);
        }
        let from = match c.kind {
            CursorKind::Fetch => c.snapshot,
            CursorKind::Sync => c.position,
        }
        .min(server.changes.len() as u64) as usize;
        let to = (from + limit).min(server.changes.len());
        let devices_out = server.changes[from..to]
            .iter()
            .map(|ch| inner.render(self.config.seed, s, ch.idx, pv, Some((ch.op, ch.at_ms))))
            .collect();
        let cursor = Cursor {
            kind: CursorKind::Sync,
            server: server.slot,
            position: to as u64,
            snapshot: to as u64,
            issued_ms: now,
            exhausted: false,
            generation: server.cursor_generation,
        }
        .encode(&self.cursor_key);
        Reply::json(
            200,
            &PageOut {
                devices: devices_out,
                cursor: &cursor,
                fetched_until: None,
                more_to_follow: to < server.changes.len(),
            },
        )
    }

    /// `devices: [serial…]`, 1 to `MAX_SERIALS` of them (`max` = None: no cap).
    fn serial_list(
        &self,
        body: &Map<String, Value>,
        max: Option<usize>,
    ) -> Result<Vec<String>, Reply> {
        let list = match body.get("devices") {
            None | Some(Value::Null) => return Err(self.error(400, "DEVICE_ID_REQUIRED")),
            Some(Value::Array(a)) => a,
            Some(_) => return Err(self.error(400, "MALFORMED_REQUEST_BODY")),
        };
        let serials: Option<Vec<String>> = list
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect();
        let serials = serials.ok_or_else(|| self.error(400, "MALFORMED_REQUEST_BODY"))?;
        if serials.is_empty() {
            return Err(self.error(400, "DEVICE_ID_REQUIRED"));
        }
        if max.is_some_and(|m| serials.len() > m) {
            return Err(self.error(400, "MALFORMED_REQUEST_BODY"));
        }
        Ok(serials)
    }

    fn details(&self, inner: &Inner, s: usize, req: &Req, pv: u32) -> Reply {
        let serials = match self
            .body_object(req)
            .and_then(|b| self.serial_list(&b, None))
        {
            Ok(v) => v,
            Err(r) => return r,
        };
        let server = &inner.servers[s];
        let mut out = BTreeMap::new();
        for serial in serials {
            let value = match server.find(self.config.seed, &serial) {
                Some(idx) if server.is_active(idx) => {
                    let mut d = inner.render(self.config.seed, s, idx, pv, None);
                    d.response_status = Some("SUCCESS");
                    serde_json::to_value(d).unwrap_or(Value::Null)
                }
                _ => json!({ "serial_number": serial, "response_status": "NOT_ACCESSIBLE" }),
            };
            out.insert(serial, value);
        }
        Reply::json(200, &json!({ "devices": out }))
    }

    fn disown(&self, inner: &mut Inner, s: usize, req: &Req, now: i64) -> Reply {
        let serials = match self
            .body_object(req)
            .and_then(|b| self.serial_list(&b, None))
        {
            Ok(v) => v,
            Err(r) => return r,
        };
        let seed = self.config.seed;
        let server = &mut inner.servers[s];
        let mut out = BTreeMap::new();
        for serial in serials {
            let status = match server.find(seed, &serial) {
                Some(idx) if server.is_active(idx) => {
                    server.overlay.entry(idx).or_default().released = true;
                    server.released += 1;
                    server.record(idx, Op::Deleted, now);
                    "SUCCESS"
                }
                _ => "NOT_ACCESSIBLE",
            };
            out.insert(serial, status);
        }
        Reply::json(200, &json!({ "devices": out }))
    }

    /// Assigns `uuid` to each serial; returns per-serial statuses and whether any was throttled.
    fn assign(
        &self,
        inner: &mut Inner,
        s: usize,
        uuid: &str,
        serials: &[String],
        call: Call,
    ) -> (BTreeMap<String, &'static str>, bool) {
        let Call { now, pv, faulty } = call;
        let seed = self.config.seed;
        let faults = inner.faults.clone();
        let server = &mut inner.servers[s];
        let mut out = BTreeMap::new();
        let mut throttled = false;
        for serial in serials {
            let status = match server.find(seed, serial) {
                Some(idx) if server.is_active(idx) => {
                    if faulty && faults.failed_serials.contains(serial) {
                        "FAILED"
                    } else if faulty
                        && (faults.throttle_all || faults.throttled_serials.contains(serial))
                    {
                        if pv >= 9 {
                            throttled = true;
                            "THROTTLED"
                        } else {
                            "FAILED"
                        }
                    } else {
                        let o = server.overlay.entry(idx).or_default();
                        o.profile_uuid = Some(uuid.to_string());
                        o.status = ProfileStatus::Assigned;
                        o.assign_ms = Some(now);
                        o.push_ms = None;
                        server.record(idx, Op::Modified, now);
                        "SUCCESS"
                    }
                }
                _ => "NOT_ACCESSIBLE",
            };
            out.insert(serial.clone(), status);
        }
        (out, throttled)
    }

    fn define_profile(
        &self,
        inner: &mut Inner,
        s: usize,
        req: &Req,
        now: i64,
        pv: u32,
        faulty: bool,
    ) -> Reply {
        let body = match self.body_object(req) {
            Ok(b) => Value::Object(b),
            Err(r) => return r,
        };
        let profile = match crate::profiles::validate(&body) {
            Ok(p) => p,
            Err(code) => return self.error(400, code),
        };
        let uuid = inner.rng.hex_upper(16);
        let seq = inner.servers[s].profiles.len() as u64;
        inner.servers[s].profiles.insert(
            uuid.clone(),
            StoredProfile {
                seq,
                fields: profile.fields,
            },
        );
        let mut out = Map::new();
        out.insert("profile_uuid".into(), uuid.clone().into());
        if !profile.devices.is_empty() {
            let (statuses, throttled) =
                self.assign(inner, s, &uuid, &profile.devices, Call { now, pv, faulty });
            out.insert("devices".into(), json!(statuses));
            if throttled && pv >= 10 {
                out.insert(
                    "retry_after_seconds".into(),
                    inner.faults.retry_after_seconds.into(),
                );
            }
        }
        Reply::json(200, &Value::Object(out))
    }

    fn get_profile(&self, inner: &Inner, s: usize, req: &Req) -> Reply {
        let Some(uuid) = req.query_param("profile_uuid").filter(|u| !u.is_empty()) else {
            return self.error(400, "PROFILE_UUID_REQUIRED");
        };
        let Some(p) = inner.servers[s].profiles.get(&uuid) else {
            return self.error(400, "NOT_FOUND");
        };
        let mut out = p.fields.clone();
        out.insert("profile_uuid".into(), uuid.into());
        Reply::json(200, &Value::Object(out))
    }

    fn assign_profile(
        &self,
        inner: &mut Inner,
        s: usize,
        req: &Req,
        now: i64,
        pv: u32,
        faulty: bool,
    ) -> Reply {
        let body = match self.body_object(req) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let uuid = match body.get("profile_uuid") {
            Some(Value::String(u)) if !u.is_empty() => u.clone(),
            None | Some(Value::Null) | Some(Value::String(_)) => {
                return self.error(400, "PROFILE_UUID_REQUIRED");
            }
            Some(_) => return self.error(400, "MALFORMED_REQUEST_BODY"),
        };
        let serials = match self.serial_list(&body, Some(MAX_SERIALS)) {
            Ok(v) => v,
            Err(r) => return r,
        };
        if !inner.servers[s].profiles.contains_key(&uuid) {
            return self.error(404, "NOT_FOUND");
        }
        let (statuses, throttled) =
            self.assign(inner, s, &uuid, &serials, Call { now, pv, faulty });
        let mut out = Map::new();
        out.insert("profile_uuid".into(), uuid.into());
        out.insert("devices".into(), json!(statuses));
        if throttled && pv >= 10 {
            out.insert(
                "retry_after_seconds".into(),
                inner.faults.retry_after_seconds.into(),
            );
        }
        Reply::json(200, &Value::Object(out))
    }

    fn remove_profile(&self, inner: &mut Inner, s: usize, req: &Req, now: i64) -> Reply {
        let serials = match self
            .body_object(req)
            .and_then(|b| self.serial_list(&b, Some(MAX_SERIALS)))
        {
            Ok(v) => v,
            Err(r) => return r,
        };
        let seed = self.config.seed;
        let server = &mut inner.servers[s];
        let mut out = BTreeMap::new();
        for serial in serials {
            let status = match server.find(seed, &serial) {
                Some(idx) if server.is_active(idx) => {
                    let o = server.overlay.entry(idx).or_default();
                    o.profile_uuid = None;
                    o.status = ProfileStatus::Removed;
                    o.assign_ms = None;
                    o.push_ms = None;
                    server.record(idx, Op::Modified, now);
                    "SUCCESS"
                }
                _ => "NOT_ACCESSIBLE",
            };
            out.insert(serial, status);
        }
        Reply::json(200, &json!({ "devices": out }))
    }

    fn replacement(&self, inner: &Inner, s: usize, req: &Req) -> Reply {
        let Some(serial) = req.query_param("device").filter(|d| !d.is_empty()) else {
            return self.error(400, "DEVICE_ID_REQUIRED");
        };
        let seed = self.config.seed;
        let server = &inner.servers[s];
        match server.find(seed, &serial) {
            Some(idx)
                if server.is_active(idx) && {
                    let (slot, home) = server.home(idx);
                    devices::base_device(seed, slot, home).is_replacement
                } =>
            {
                let (slot, home) = server.home(idx);
                let original = devices::original_serial(seed, slot, home);
                Reply::json(
                    200,
                    &json!({
                        "serial_number": serial,
                        "original_device_serial_number": original,
                        "replacement_date": date_only(server.assigned_ms(idx) - 2 * crate::util::DAY_MS),
                    }),
                )
            }
            _ => self.error(404, "DEVICE_NOT_FOUND"),
        }
    }
}

/// Which server a request belongs to: by OAuth consumer key or by session.
fn attribute(inner: &Inner, req: &Req) -> Option<usize> {
    if req.path == "/session" {
        let auth = oauth::parse_authorization(req.header("authorization")?).ok()?;
        inner.server_by_consumer_key(&auth.consumer_key)
    } else {
        let token = req.header(SESSION_HEADER)?.trim();
        inner.sessions.get(token).map(|s| s.server)
    }
}
