//! The organisation API's serving under the state lock (token endpoint,
//! `/v1/…`, activity logs) and the switches tests and the control API use.

use super::endpoints::{self, Ctx};
use super::*;
use crate::LoggedRequest;
use crate::model::Shared;
use crate::service::Req;
use crate::util::http_date;

/// Paths this module serves.
pub(crate) fn serves(path: &str) -> bool {
    path == "/auth/oauth2/token"
        || path == "/auth/oauth2/v2/token"
        || path.starts_with("/v1/")
        || path.starts_with("/business/activity-logs/")
}

fn accepts_json(req: &Req) -> bool {
    req.header("accept").is_some_and(|accept| {
        accept.split(',').any(|media| {
            media
                .split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        })
    })
}

/// Room in a sliding window of `window_ms`; `Err(seconds until room)`.
fn take_budget(
    log: &mut VecDeque<i64>,
    budget: Option<u32>,
    window_ms: i64,
    now: i64,
) -> Result<(), i64> {
    let Some(budget) = budget else {
        return Ok(());
    };
    while log.front().is_some_and(|&t| t + window_ms <= now) {
        log.pop_front();
    }
    if log.len() >= budget as usize {
        let oldest = log.front().copied().unwrap_or(now);
        let wait_ms = (oldest + window_ms - now).max(1);
        return Err((wait_ms + 999) / 1000);
    }
    log.push_back(now);
    Ok(())
}

impl Shared {
    /// Serves one request of the organisation API and logs it.
    pub(crate) fn business(&self, req: &Req) -> Reply {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let mut client = None;
        let mut reply = self.business_inner(&mut inner, req, now, &mut client);
        reply.headers.push(("Date", http_date(now)));
        let entry = LoggedRequest {
            seq: 0,
            at_ms: now,
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            server: client,
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

    fn business_inner(
        &self,
        inner: &mut Inner,
        req: &Req,
        now: i64,
        client: &mut Option<String>,
    ) -> Reply {
        let world = self.config.seed;
        inner.business_settle(world, now);
        let ctx = Ctx {
            world,
            base: &self.config.base_url,
            cursor_key: &self.cursor_key,
            limit_policy: self.config.limit_policy,
            now,
        };
        if req.path.starts_with("/auth/") {
            return self.business_token(&mut inner.business, req, now);
        }
        if let Some(file) = req.path.strip_prefix("/business/activity-logs/") {
            let found = file
                .strip_suffix(".csv")
                .filter(|_| req.method == "GET")
                .and_then(|id| endpoints::activity_log(&ctx, inner, req, id));
            return found.unwrap_or_else(|| {
                let mut r = Reply::json(404, &json!({ "error": "NoSuchKey" }));
                r.headers.push(("Content-Type", "application/json".into()));
                r
            });
        }
        let segs: Vec<String> = req
            .path
            .trim_start_matches("/v1/")
            .split('/')
            .map(|s| crate::oauth::pct_decode(s).unwrap_or_else(|| s.to_string()))
            .collect();
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        let allowed: &[&str] = match segs.as_slice() {
            ["orgDevices"]
            | ["orgDevices", _]
            | ["orgDevices", _, "relationships", "assignedServer"]
            | ["orgDevices", _, "assignedServer"]
            | ["orgDevices", _, "appleCareCoverage"]
            | ["mdmServers"]
            | ["mdmServers", _]
            | ["mdmServers", _, "relationships", "devices"]
            | ["orgDeviceActivities", _] => &["GET"],
            ["orgDeviceActivities"] => &["POST"],
            _ => {
                return api_error(
                    &mut inner.rng,
                    404,
                    "NOT_FOUND",
                    "The specified resource doesn't exist",
                    format!("The path {} is not part of this API", req.path),
                    None,
                );
            }
        };
        if !accepts_json(req) {
            return api_error(
                &mut inner.rng,
                406,
                "NOT_ACCEPTABLE",
                "The requested representation is not available",
                "Send Accept: application/json",
                None,
            );
        }
        let token = req
            .header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or("");
        let known = inner
            .business
            .tokens
            .get(token)
            .map(|t| (t.account, t.expires_ms));
        match known {
            Some((account, expires_ms)) if expires_ms > now => {
                *client = Some(inner.business.accounts[account].client_id.clone());
            }
            Some(_) => {
                return api_error(
                    &mut inner.rng,
                    401,
                    "NOT_AUTHORIZED",
                    "Authentication credentials are missing or invalid",
                    "The access token has expired; request a new one",
                    None,
                );
            }
            None => {
                return api_error(
                    &mut inner.rng,
                    401,
                    "NOT_AUTHORIZED",
                    "Authentication credentials are missing or invalid",
                    "Provide a valid access token as Authorization: Bearer <token>",
                    None,
                );
            }
        }
        if !allowed.contains(&req.method.as_str()) {
            return api_error(
                &mut inner.rng,
                405,
                "METHOD_NOT_ALLOWED",
                "The method is not allowed for this resource",
                format!("Use {}", allowed.join(", ")),
                None,
            );
        }
        let limits = inner.business.limits;
        let budget = if req.method == "GET" {
            take_budget(&mut inner.business.gets, limits.get_per_minute, 60_000, now)
        } else {
            take_budget(
                &mut inner.business.posts,
                limits.post_per_hour,
                3_600_000,
                now,
            )
        };
        if let Err(wait) = budget {
            let mut reply = api_error(
                &mut inner.rng,
                429,
                "RATE_LIMIT_EXCEEDED",
                "The request rate limit has been reached",
                "Too many requests; try again later",
                None,
            );
            if limits.retry_after {
                reply.headers.push(("Retry-After", wait.to_string()));
            }
            return reply;
        }
        match segs.as_slice() {
            ["orgDevices"] => endpoints::org_devices(&ctx, inner, req),
            ["orgDevices", id] => endpoints::org_device(&ctx, inner, req, id),
            ["orgDevices", id, "relationships", "assignedServer"] => {
                endpoints::assigned_server(&ctx, inner, req, id, true)
            }
            ["orgDevices", id, "assignedServer"] => {
                endpoints::assigned_server(&ctx, inner, req, id, false)
            }
            ["orgDevices", id, "appleCareCoverage"] => endpoints::apple_care(&ctx, inner, req, id),
            ["mdmServers"] => endpoints::mdm_servers(&ctx, inner, req),
            ["mdmServers", id] => endpoints::mdm_server(&ctx, inner, req, id),
            ["mdmServers", id, "relationships", "devices"] => {
                endpoints::server_devices(&ctx, inner, req, id)
            }
            ["orgDeviceActivities"] => endpoints::create_activity(&ctx, inner, req),
            ["orgDeviceActivities", id] => endpoints::get_activity(&ctx, inner, req, id),
            _ => not_found(&mut inner.rng, "path", &req.path),
        }
    }

    pub(crate) fn business_register(&self, spec: &BusinessAccountSpec) -> Result<(), SimError> {
        self.lock().business.register(spec)
    }

    /// A new API account (new key pair); `client_id` empty: a generated
    /// `BUSINESSAPI.<uuid>`.
    pub(crate) fn business_issue_account(
        &self,
        client_id: &str,
    ) -> Result<BusinessAccount, SimError> {
        let (private_key_pem, public_key_pem) = new_key_pair()?;
        let mut inner = self.lock();
        let client_id = if client_id.is_empty() {
            format!("BUSINESSAPI.{}", uuid(&mut inner.rng))
        } else {
            client_id.to_string()
        };
        let key_id = uuid(&mut inner.rng);
        inner.business.register(&BusinessAccountSpec {
            client_id: client_id.clone(),
            key_id: key_id.clone(),
            public_key_pem: public_key_pem.clone(),
        })?;
        Ok(BusinessAccount {
            client_id,
            key_id,
            private_key_pem,
            public_key_pem,
        })
    }

    pub(crate) fn business_accounts(&self) -> Vec<BusinessAccountSummary> {
        let now = self.clock.now_ms();
        let inner = self.lock();
        let b = &inner.business;
        b.accounts
            .iter()
            .enumerate()
            .map(|(i, a)| BusinessAccountSummary {
                client_id: a.client_id.clone(),
                key_id: a.key_id.clone(),
                scope: a.scope().to_string(),
                live_tokens: b
                    .tokens
                    .values()
                    .filter(|t| t.account == i && t.expires_ms > now)
                    .count(),
            })
            .collect()
    }

    /// The public key PEM registered for `client_id`.
    pub(crate) fn business_public_key(&self, client_id: &str) -> Option<String> {
        let inner = self.lock();
        let i = inner.business.account_index(client_id)?;
        Some(inner.business.accounts[i].public_pem.clone())
    }

    pub(crate) fn business_expire_tokens(&self) {
        let now = self.clock.now_ms();
        for t in self.lock().business.tokens.values_mut() {
            t.expires_ms = t.expires_ms.min(now);
        }
    }

    pub(crate) fn business_set_token_lifetime(&self, lifetime: Duration) {
        self.lock().business.token_lifetime_ms = millis(lifetime).max(1000);
    }

    pub(crate) fn business_limits(&self) -> BusinessRateLimits {
        self.lock().business.limits
    }

    pub(crate) fn business_set_limits(&self, limits: BusinessRateLimits) {
        let mut inner = self.lock();
        inner.business.limits = limits;
        inner.business.gets.clear();
        inner.business.posts.clear();
    }

    pub(crate) fn business_fail_next_activity(&self) {
        self.lock().business.fail_next = true;
    }

    pub(crate) fn business_servers(&self) -> Vec<BusinessServer> {
        let inner = self.lock();
        inner
            .servers
            .iter()
            .map(|s| BusinessServer {
                name: s.name.clone(),
                id: mdm_server_id(&s.uuid),
                devices: s.active_count(),
            })
            .collect()
    }

    /// One org device in short; activities whose time has come complete first.
    pub(crate) fn business_device(&self, serial: &str) -> Option<BusinessDeviceSummary> {
        let now = self.clock.now_ms();
        let world = self.config.seed;
        let mut inner = self.lock();
        inner.business_settle(world, now);
        let key = inner.org_key(world, serial)?;
        let placed = inner.placement(key);
        Some(BusinessDeviceSummary {
            serial_number: serial.to_string(),
            status: if placed.is_some() {
                "ASSIGNED"
            } else {
                "UNASSIGNED"
            }
            .into(),
            server: placed.map(|(s, _)| inner.servers[s].name.clone()),
            released: inner.business.is_released(key),
        })
    }

    /// Serials of the devices that belonged to no server at start (the
    /// unassigned ones first, then the released ones).
    pub(crate) fn business_pool_serials(&self) -> Vec<String> {
        let inner = self.lock();
        (0..inner.business.pool_len())
            .map(|i| devices::serial(self.config.seed, ORG_SLOT, i))
            .collect()
    }

    pub(crate) fn business_activities(&self) -> Vec<BusinessActivitySummary> {
        let now = self.clock.now_ms();
        let world = self.config.seed;
        let mut inner = self.lock();
        inner.business_settle(world, now);
        inner
            .business
            .activities
            .iter()
            .map(|a| {
                let (status, sub) = a.status_at(now);
                BusinessActivitySummary {
                    id: a.id.clone(),
                    activity_type: a.kind.wire().to_string(),
                    server: inner.servers[a.server].name.clone(),
                    status: status.to_string(),
                    sub_status: sub.to_string(),
                    devices: a.serials.len(),
                }
            })
            .collect()
    }
}
