//! The loopback control API (`/control/…`) and the portal (`/portal/…`).
//! See [`crate::CONTROL_HELP`] for the list.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::model::Shared;
use crate::oauth::pct_decode;
use crate::service::{JSON_CONTENT_TYPE, Req};
use crate::util::{parse_time, rfc3339};
use crate::{ChangeBatch, Faults, LoggedRequest, SimError};

fn respond(status: u16, content_type: &str, body: Vec<u8>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("Content-Type", content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn ok(value: &Value) -> Response<Full<Bytes>> {
    respond(
        200,
        JSON_CONTENT_TYPE,
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

fn problem(status: u16, message: impl std::fmt::Display) -> Response<Full<Bytes>> {
    let body = json!({ "error": message.to_string() });
    respond(
        status,
        JSON_CONTENT_TYPE,
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

/// A refused control call: HTTP status and message.
struct Problem(u16, String);

impl From<SimError> for Problem {
    fn from(e: SimError) -> Self {
        match e {
            SimError::UnknownServer(_)
            | SimError::UnknownVppLocation(_)
            | SimError::UnknownBusinessAccount(_) => Problem(404, e.to_string()),
            _ => Problem(400, e.to_string()),
        }
    }
}

fn parse<T: DeserializeOwned>(req: &Req) -> Result<T, Problem> {
    let body: &[u8] = if req.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &req.body
    };
    serde_json::from_slice(body).map_err(|e| Problem(400, format!("bad JSON body: {e}")))
}

fn sim_error(e: SimError) -> Response<Full<Bytes>> {
    let Problem(status, message) = e.into();
    problem(status, message)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetClock {
    now: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Changes {
    server: String,
    #[serde(flatten)]
    batch: ChangeBatch,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    server: String,
    serials: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Claim {
    mdm_name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Licences {
    total: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TooMany {
    count: u32,
    #[serde(default = "one")]
    retry_after_seconds: u32,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Switch {
    enabled: bool,
}

/// `/control/vpp/…`: Apps and Books locations and switches.
fn vpp_call(shared: &Shared, req: &Req, segs: &[&str]) -> Result<Value, Problem> {
    let done = json!({ "ok": true });
    Ok(match (req.method.as_str(), segs) {
        ("GET", ["locations"]) => json!(shared.vpp_locations()),
        ("GET", ["locations", name]) => json!(
            shared
                .vpp_location(name)
                .ok_or_else(|| SimError::UnknownVppLocation(name.to_string()))?
        ),
        ("POST", ["locations", name, "token"]) => {
            json!({ "vpptoken": shared.vpp_issue_token(name)? })
        }
        ("POST", ["locations", name, "expire"]) => {
            shared.vpp_expire(name)?;
            done
        }
        ("POST", ["locations", name, "revoke"]) => {
            shared.vpp_revoke(name)?;
            done
        }
        ("POST", ["locations", name, "claim"]) => {
            let c = parse::<Claim>(req)?;
            json!({ "mdmInfo": shared.vpp_claim_by_other_mdm(name, &c.mdm_name)? })
        }
        ("PUT", ["locations", name, "assets", adam_id, "licences"]) => {
            let l = parse::<Licences>(req)?;
            json!(shared.vpp_set_licences(name, adam_id, l.total)?)
        }
        ("POST", ["too-many-requests"]) => {
            let t = parse::<TooMany>(req)?;
            shared.vpp_too_many_requests(t.count, t.retry_after_seconds);
            done
        }
        ("POST", ["server-errors"]) => {
            let t = parse::<TooMany>(req)?;
            shared.vpp_server_errors(t.count, t.retry_after_seconds);
            done
        }
        ("PUT", ["auth-errors-with-200"]) => {
            let s = parse::<Switch>(req)?;
            shared.vpp_auth_errors_with_200(s.enabled);
            json!({ "enabled": s.enabled })
        }
        ("GET", ["limits"]) => json!(shared.vpp_limits()),
        ("PUT", ["limits"]) => {
            shared.vpp_set_limits(parse::<crate::VppLimits>(req)?);
            json!(shared.vpp_limits())
        }
        _ => {
            return Err(Problem(
                404,
                "unknown control call; see depot-sim --help".into(),
            ));
        }
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewAccount {
    #[serde(default)]
    client_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyRegistration {
    client_id: String,
    key_id: String,
    public_key_pem: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Lifetime {
    seconds: u64,
}

/// `/control/business/…`: the organisation API's accounts and switches.
fn business_call(shared: &Shared, req: &Req, segs: &[&str]) -> Result<Value, Problem> {
    let done = json!({ "ok": true });
    Ok(match (req.method.as_str(), segs) {
        ("GET", []) => json!({
            "accounts": shared.business_accounts(),
            "servers": shared.business_servers(),
            "rate_limits": shared.business_limits(),
            "activities": shared.business_activities(),
            "token_url": format!("{}/auth/oauth2/token", shared.config.base_url),
            "audience": crate::business::AUDIENCE,
        }),
        ("POST", ["accounts"]) => {
            let n = parse::<NewAccount>(req)?;
            json!(shared.business_issue_account(&n.client_id)?)
        }
        ("PUT", ["accounts"]) => {
            let k = parse::<KeyRegistration>(req)?;
            shared.business_register(&crate::BusinessAccountSpec {
                client_id: k.client_id,
                key_id: k.key_id,
                public_key_pem: k.public_key_pem,
            })?;
            done
        }
        ("POST", ["tokens", "expire"]) => {
            shared.business_expire_tokens();
            done
        }
        ("PUT", ["token-lifetime"]) => {
            let l = parse::<Lifetime>(req)?;
            shared.business_set_token_lifetime(Duration::from_secs(l.seconds));
            done
        }
        ("PUT", ["rate-limits"]) => {
            shared.business_set_limits(parse::<crate::BusinessRateLimits>(req)?);
            json!(shared.business_limits())
        }
        ("POST", ["activities", "fail-next"]) => {
            shared.business_fail_next_activity();
            done
        }
        ("GET", ["devices", serial]) => json!(
            shared
                .business_device(serial)
                .ok_or_else(|| Problem(404, format!("no org device {serial}")))?
        ),
        ("GET", ["pool"]) => json!(shared.business_pool_serials()),
        _ => {
            return Err(Problem(
                404,
                "unknown control call; see depot-sim --help".into(),
            ));
        }
    })
}

fn clock_json(shared: &Shared) -> Value {
    let now = shared.clock.now_ms();
    json!({ "now": rfc3339(now), "now_ms": now })
}

/// An error answer outside the Apple endpoints.
pub(crate) fn refuse(status: u16, message: &str) -> Response<Full<Bytes>> {
    problem(status, message)
}

/// Whether the request carries `Authorization: Bearer <the run's token>`
/// (compared in constant time).
fn authorized(shared: &Shared, req: &Req) -> bool {
    let expected = shared.config.control_token.as_bytes();
    req.header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .is_some_and(|given| {
            given.len() == expected.len() && openssl::memcmp::eq(given.as_bytes(), expected)
        })
}

/// `/control/…`
pub(crate) fn handle(shared: &Shared, req: &Req) -> Response<Full<Bytes>> {
    if !authorized(shared, req) {
        return problem(
            401,
            "the control API needs the token depot-sim printed at start: send `Authorization: Bearer TOKEN`",
        );
    }
    let segments: Vec<String> = req
        .path
        .trim_start_matches("/control")
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| pct_decode(s).unwrap_or_else(|| s.to_string()))
        .collect();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    match control_call(shared, req, &segs) {
        Ok(value) => ok(&value),
        Err(Problem(status, message)) => problem(status, message),
    }
}

fn control_call(shared: &Shared, req: &Req, segs: &[&str]) -> Result<Value, Problem> {
    Ok(match (req.method.as_str(), segs) {
        ("GET", ["servers"]) => json!(shared.summaries()),
        ("GET", ["servers", name, "credentials"]) => json!(
            shared
                .credentials(name)
                .ok_or_else(|| SimError::UnknownServer(name.to_string()))?
        ),
        ("POST", ["servers", name, "session"]) => {
            json!({ "auth_session_token": shared.mint_session(name)? })
        }
        ("GET", ["servers", name, "serials"]) => {
            let num = |k: &str, d: usize| {
                req.query_param(k)
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(d)
            };
            json!(shared.serials(name, num("offset", 0), num("limit", 100))?)
        }
        ("GET", ["faults"]) => json!(shared.faults()),
        ("PUT", ["faults"]) => {
            shared.set_faults(parse::<Faults>(req)?);
            json!(shared.faults())
        }
        ("GET", ["clock"]) => clock_json(shared),
        ("POST", ["clock", "advance"]) => {
            let a = parse::<Advance>(req)?;
            shared.clock.advance(Duration::from_secs(a.seconds));
            clock_json(shared)
        }
        ("PUT", ["clock"]) => {
            let s = parse::<SetClock>(req)?;
            let ms = parse_time(&s.now)
                .ok_or_else(|| Problem(400, "now must be RFC 3339 or Unix seconds".into()))?;
            shared.clock.set_ms(ms);
            clock_json(shared)
        }
        ("POST", ["changes"]) => {
            let c = parse::<Changes>(req)?;
            json!(shared.apply_changes(&c.server, c.batch)?)
        }
        ("POST", ["advance"]) => json!(shared.advance_script()),
        ("POST", ["devices", "setup"]) => {
            let s = parse::<Setup>(req)?;
            json!({ "set_up": shared.set_up_devices(&s.server, &s.serials)? })
        }
        ("POST", ["sessions", "expire"]) => {
            shared.expire_sessions();
            json!({ "ok": true })
        }
        ("POST", ["sessions", "forget"]) => {
            shared.forget_sessions();
            json!({ "ok": true })
        }
        ("POST", ["cursors", "expire"]) => {
            shared.expire_cursors();
            json!({ "ok": true })
        }
        ("GET", ["log"]) => {
            let log: Vec<LoggedRequest> = shared.request_log();
            json!(log)
        }
        ("DELETE", ["log"]) => {
            shared.clear_request_log();
            json!({ "ok": true })
        }
        (_, ["vpp", rest @ ..]) => vpp_call(shared, req, rest)?,
        (_, ["business", rest @ ..]) => business_call(shared, req, rest)?,
        _ => {
            return Err(Problem(
                404,
                "unknown control call; see depot-sim --help".into(),
            ));
        }
    })
}

/// `/portal/…`: the simulated Apple Business Manager.
pub(crate) fn portal(shared: &Shared, req: &Req) -> Response<Full<Bytes>> {
    let rest = req.path.trim_start_matches("/portal/");
    let segs: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| pct_decode(s).unwrap_or_else(|| s.to_string()))
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let now = shared.clock.now_ms();
    let mut server = segs.get(1).map(|s| s.to_string());
    let (status, error, response) = match (req.method.as_str(), segs.as_slice()) {
        ("GET", ["servers"]) => (200, None, ok(&json!(shared.summaries()))),
        ("GET", ["vpp-token"]) => {
            let location = req.query_param("location").unwrap_or_default();
            server = Some(location.clone());
            match shared.vpp_issue_token(&location) {
                Ok(text) => {
                    let file_name: String = location
                        .chars()
                        .map(|c| {
                            if c == '"' || c == '\\' || !c.is_ascii() || c.is_ascii_control() {
                                '_'
                            } else {
                                c
                            }
                        })
                        .collect();
                    let response = Response::builder()
                        .status(200)
                        .header("Content-Type", "text/plain;charset=UTF-8")
                        .header(
                            "Content-Disposition",
                            format!("attachment; filename=\"{file_name}.vpptoken\""),
                        )
                        .body(Full::new(Bytes::from(text)))
                        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
                    (200, None, response)
                }
                Err(e) => (404, Some(e.to_string()), sim_error(e)),
            }
        }
        ("POST", ["servers", name, "token"]) => {
            let org = req.query_param("org");
            let devices = req.query_param("devices").and_then(|d| d.parse().ok());
            match shared.portal_issue(name, org.as_deref(), devices, &req.body) {
                Ok((file_name, text)) => {
                    let response = Response::builder()
                        .status(200)
                        .header(
                            "Content-Type",
                            "application/pkcs7-mime; smime-type=enveloped-data",
                        )
                        .header(
                            "Content-Disposition",
                            format!("attachment; filename=\"{file_name}\""),
                        )
                        .body(Full::new(Bytes::from(text)))
                        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
                    (200, None, response)
                }
                Err(e) => (400, Some(e.to_string()), sim_error(e)),
            }
        }
        _ => (
            404,
            Some("unknown portal call".to_string()),
            problem(404, "unknown portal call; see depot-sim --help"),
        ),
    };
    let mut inner = shared.lock();
    inner.push_log(LoggedRequest {
        seq: 0,
        at_ms: now,
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        server,
        status,
        error_code: error,
        dropped: false,
        user_agent: req.header("user-agent").map(str::to_string),
        protocol_version: None,
        content_type: req.header("content-type").map(str::to_string),
        had_session_header: false,
        rotated_session: false,
        body: String::from_utf8_lossy(&req.body[..req.body.len().min(64 * 1024)]).into_owned(),
    });
    response
}
