//! The simulator's Apps and Books side: serving `/mdm/v2` requests under the
//! state lock, issuing tokens, and the switches tests and the control API use.

use super::*;

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
