//! Server side of OAuth 1.0a HMAC-SHA1 as `GET /session` checks it
//! (RFC 5849 §3.4, spec §2.2).

use std::collections::BTreeMap;

use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;

/// Why an `Authorization` header was refused, split the way Apple splits it:
/// malformed requests are 400, bad credentials are 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OAuthRejection {
    /// Missing, duplicated or unsupported parameter, or unsupported method.
    BadRequest(&'static str),
}

/// RFC 3986 percent-encoding: unreserved characters kept, everything else
/// `%XX` with uppercase hex.
pub(crate) fn pct_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; `None` on a broken escape or invalid UTF-8.
pub(crate) fn pct_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The parameters `GET /session` needs, already percent-decoded.
#[derive(Debug, Clone)]
pub(crate) struct SessionAuth {
    pub consumer_key: String,
    pub token: String,
    pub signature: String,
    pub timestamp: i64,
    pub nonce: String,
    /// Every `oauth_*` parameter except the signature (decoded), for the base string.
    pub signed_params: BTreeMap<String, String>,
}

const KNOWN: &[&str] = &[
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_signature",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_version",
];

/// Parses `OAuth realm="ADM", oauth_consumer_key="…", …`.
pub(crate) fn parse_authorization(value: &str) -> Result<SessionAuth, OAuthRejection> {
    let value = value.trim();
    let rest = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("OAuth") => rest,
        _ => return Err(OAuthRejection::BadRequest("not an OAuth authorization")),
    };
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (key, raw) = part
            .split_once('=')
            .ok_or(OAuthRejection::BadRequest("parameter without a value"))?;
        let key = key.trim();
        let raw = raw.trim();
        let quoted = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .ok_or(OAuthRejection::BadRequest("parameter value not quoted"))?;
        let decoded =
            pct_decode(quoted).ok_or(OAuthRejection::BadRequest("bad percent-encoding"))?;
        if key != "realm" && !KNOWN.contains(&key) {
            return Err(OAuthRejection::BadRequest("unsupported parameter"));
        }
        if params.insert(key.to_string(), decoded).is_some() {
            return Err(OAuthRejection::BadRequest("duplicated parameter"));
        }
    }
    let take = |k: &str| -> Result<String, OAuthRejection> {
        params
            .get(k)
            .cloned()
            .filter(|v| !v.is_empty())
            .ok_or(OAuthRejection::BadRequest("missing required parameter"))
    };
    let consumer_key = take("oauth_consumer_key")?;
    let token = take("oauth_token")?;
    let method = take("oauth_signature_method")?;
    let signature = take("oauth_signature")?;
    let timestamp = take("oauth_timestamp")?;
    let nonce = take("oauth_nonce")?;
    if method != "HMAC-SHA1" {
        return Err(OAuthRejection::BadRequest("unsupported signature method"));
    }
    if let Some(v) = params.get("oauth_version")
        && v != "1.0"
    {
        return Err(OAuthRejection::BadRequest("unsupported oauth_version"));
    }
    let timestamp = timestamp
        .parse::<i64>()
        .map_err(|_| OAuthRejection::BadRequest("timestamp is not a number"))?;
    let signed_params = params
        .into_iter()
        .filter(|(k, _)| k != "realm" && k != "oauth_signature")
        .collect();
    Ok(SessionAuth {
        consumer_key,
        token,
        signature,
        timestamp,
        nonce,
        signed_params,
    })
}

/// `METHOD&pct(url)&pct(k=v&k=v…)` with parameters sorted by encoded key, then value.
pub(crate) fn base_string(method: &str, url: &str, params: &BTreeMap<String, String>) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (pct_encode(k), pct_encode(v)))
        .collect();
    pairs.sort();
    let joined = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        pct_encode(url),
        pct_encode(&joined)
    )
}

/// base64(HMAC-SHA1(pct(consumer_secret)&pct(access_secret), base)).
pub(crate) fn hmac_sha1_signature(
    consumer_secret: &str,
    access_secret: &str,
    base: &str,
) -> String {
    let key = format!(
        "{}&{}",
        pct_encode(consumer_secret),
        pct_encode(access_secret)
    );
    let mac = PKey::hmac(key.as_bytes())
        .and_then(|pkey| {
            let mut signer = Signer::new(MessageDigest::sha1(), &pkey)?;
            signer.update(base.as_bytes())?;
            signer.sign_to_vec()
        })
        .unwrap_or_default();
    openssl::base64::encode_block(&mac)
}

/// Constant-time comparison of the presented and expected signatures.
pub(crate) fn signatures_match(presented: &str, expected: &str) -> bool {
    presented.len() == expected.len()
        && openssl::memcmp::eq(presented.as_bytes(), expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector of spec §2.2.
    #[test]
    fn spec_vector() {
        let header = "OAuth realm=\"ADM\", oauth_consumer_key=\"CK_test\", oauth_token=\"AT_test\", \
             oauth_signature_method=\"HMAC-SHA1\", oauth_signature=\"yKMo0l5IPgIm%2B6%2FwaA0kXXRMqkQ%3D\", \
             oauth_timestamp=\"1700000000\", oauth_nonce=\"abc123\", oauth_version=\"1.0\"";
        let auth = parse_authorization(header).unwrap();
        let base = base_string(
            "GET",
            "https://mdmenrollment.apple.com/session",
            &auth.signed_params,
        );
        assert_eq!(
            base,
            "GET&https%3A%2F%2Fmdmenrollment.apple.com%2Fsession&oauth_consumer_key%3DCK_test%26oauth_nonce%3Dabc123%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3DAT_test%26oauth_version%3D1.0"
        );
        let sig = hmac_sha1_signature("CS_secret", "AS_secret", &base);
        assert_eq!(sig, "yKMo0l5IPgIm+6/waA0kXXRMqkQ=");
        assert!(signatures_match(&auth.signature, &sig));
    }

    #[test]
    fn rejects_malformed_headers() {
        let ok = "oauth_consumer_key=\"a\", oauth_token=\"b\", oauth_signature_method=\"HMAC-SHA1\", oauth_signature=\"c\", oauth_timestamp=\"1\", oauth_nonce=\"n\"";
        assert!(parse_authorization(&format!("OAuth {ok}")).is_ok());
        assert!(parse_authorization(&format!("Bearer {ok}")).is_err());
        assert!(parse_authorization(&format!("OAuth {ok}, oauth_nonce=\"x\"")).is_err());
        assert!(parse_authorization(&format!("OAuth {ok}, oauth_callback=\"x\"")).is_err());
        let plaintext = ok.replace("HMAC-SHA1", "PLAINTEXT");
        assert!(parse_authorization(&format!("OAuth {plaintext}")).is_err());
        let missing = ok.replace("oauth_nonce=\"n\"", "");
        assert!(parse_authorization(&format!("OAuth {missing}")).is_err());
    }
}
