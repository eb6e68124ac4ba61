//! The token endpoint: OAuth 2.0 client credentials with an ES256 JWT client
//! assertion (RFC 7523), parameters in a form body and/or the query string.

use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;
use openssl::hash::{MessageDigest, hash};
use serde_json::{Value, json};

use super::{AccessToken, BusinessState};
use crate::model::Shared;
use crate::oauth::pct_decode;
use crate::service::{Reply, Req};

/// The `aud` every assertion must carry.
pub(crate) const AUDIENCE: &str = "https://account.apple.com/auth/oauth2/v2/token";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Longest assertion lifetime (`exp - iat`).
const MAX_ASSERTION_SECONDS: i64 = 180 * 86_400;

/// An RFC 6749 §5.2 error (HTTP 400).
fn oauth_error(error: &str, description: impl Into<String>) -> Reply {
    let mut reply = Reply::json(
        400,
        &json!({ "error": error, "error_description": description.into() }),
    );
    reply.error_code = Some(error.to_string());
    reply
        .headers
        .push(("Content-Type", "application/json".into()));
    reply.headers.push(("Cache-Control", "no-store".into()));
    reply
}

/// `application/x-www-form-urlencoded` pairs.
fn form_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((
                pct_decode(&k.replace('+', " "))?,
                pct_decode(&v.replace('+', " "))?,
            ))
        })
        .collect()
}

fn b64url(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || text.contains(['+', '/', '=']) {
        return None;
    }
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

fn json_part(text: &str) -> Option<serde_json::Map<String, Value>> {
    match serde_json::from_slice(&b64url(text)?).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn number(claims: &serde_json::Map<String, Value>, name: &str) -> Option<i64> {
    let v = claims.get(name)?;
    v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
}

/// Checks the assertion; `Err` is the refusal.
fn verify(
    state: &BusinessState,
    client_id: &str,
    assertion: &str,
    now_s: i64,
) -> Result<usize, Reply> {
    let bad = |d: &str| Err(oauth_error("invalid_client", d));
    let Some(ai) = state.account_index(client_id) else {
        return bad("unknown client_id");
    };
    let account = &state.accounts[ai];
    let parts: Vec<&str> = assertion.split('.').collect();
    let [h, p, sig] = parts.as_slice() else {
        return bad("client_assertion is not a compact JWS (three dot-separated parts)");
    };
    let (Some(header), Some(claims)) = (json_part(h), json_part(p)) else {
        return bad("client_assertion header or payload is not base64url JSON");
    };
    if header.get("alg").and_then(Value::as_str) != Some("ES256") {
        return bad("alg must be ES256");
    }
    if header.get("kid").and_then(Value::as_str) != Some(account.key_id.as_str()) {
        return bad("kid does not name this client's key");
    }
    let Some(sig) = b64url(sig) else {
        return bad("signature is not base64url");
    };
    if sig.len() != 64 {
        return bad("ES256 signature must be 64 bytes (raw r||s, not DER)");
    }
    let verified = (|| -> Result<bool, openssl::error::ErrorStack> {
        let r = BigNum::from_slice(&sig[..32])?;
        let s = BigNum::from_slice(&sig[32..])?;
        let ecdsa = EcdsaSig::from_private_components(r, s)?;
        let digest = hash(MessageDigest::sha256(), format!("{h}.{p}").as_bytes())?;
        ecdsa.verify(&digest, &*account.key.ec_key()?)
    })()
    .unwrap_or(false);
    if !verified {
        return bad("signature does not verify with this client's key");
    }
    let text = |k: &str| claims.get(k).and_then(Value::as_str);
    if text("iss") != Some(client_id) {
        return bad("iss must be the client id");
    }
    if text("sub") != Some(client_id) {
        return bad("sub must be the client id");
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == AUDIENCE,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(AUDIENCE)),
        _ => false,
    };
    if !aud_ok {
        return bad(&format!("aud must be {AUDIENCE}"));
    }
    let (Some(iat), Some(exp)) = (number(&claims, "iat"), number(&claims, "exp")) else {
        return bad("iat and exp are required");
    };
    if exp <= iat {
        return bad("exp must be after iat");
    }
    if exp - iat > MAX_ASSERTION_SECONDS {
        return bad("exp must be at most 180 days after iat");
    }
    if exp <= now_s {
        return bad("client_assertion has expired");
    }
    if text("jti").is_none_or(str::is_empty) {
        return bad("jti is required");
    }
    Ok(ai)
}

impl Shared {
    /// `POST /auth/oauth2/token` (and `/auth/oauth2/v2/token`).
    pub(super) fn business_token(&self, state: &mut BusinessState, req: &Req, now: i64) -> Reply {
        if req.method != "POST" {
            let mut r = oauth_error("invalid_request", "use POST");
            r.status = 405;
            return r;
        }
        let mut params = form_pairs(req.query.as_deref().unwrap_or(""));
        params.extend(form_pairs(&String::from_utf8_lossy(&req.body)));
        let get = |k: &str| {
            params
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.as_str())
        };
        let Some(grant) = get("grant_type") else {
            return oauth_error("invalid_request", "grant_type is required");
        };
        if grant != "client_credentials" {
            return oauth_error(
                "unsupported_grant_type",
                "grant_type must be client_credentials",
            );
        }
        let Some(client_id) = get("client_id") else {
            return oauth_error("invalid_request", "client_id is required");
        };
        if get("client_assertion_type") != Some(ASSERTION_TYPE) {
            return oauth_error(
                "invalid_request",
                format!("client_assertion_type must be {ASSERTION_TYPE}"),
            );
        }
        let Some(assertion) = get("client_assertion") else {
            return oauth_error("invalid_request", "client_assertion is required");
        };
        let ai = match verify(state, client_id, assertion, now.div_euclid(1000)) {
            Ok(ai) => ai,
            Err(reply) => return reply,
        };
        let expected = state.accounts[ai].scope();
        match get("scope") {
            None => return oauth_error("invalid_scope", format!("scope is required ({expected})")),
            Some(s) if s != expected => {
                return oauth_error(
                    "invalid_scope",
                    format!("scope must be {expected} for this client"),
                );
            }
            Some(_) => {}
        }
        if state.tokens.len() > 50_000 {
            state.tokens.retain(|_, t| t.expires_ms > now);
        }
        let token = Shared::new_session_token().to_ascii_lowercase();
        let lifetime = state.token_lifetime_ms;
        state.tokens.insert(
            token.clone(),
            AccessToken {
                account: ai,
                expires_ms: now.saturating_add(lifetime),
            },
        );
        let mut reply = Reply::json(
            200,
            &json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": lifetime / 1000,
                "scope": expected,
            }),
        );
        reply
            .headers
            .push(("Content-Type", "application/json".into()));
        reply.headers.push(("Cache-Control", "no-store".into()));
        reply
    }
}
