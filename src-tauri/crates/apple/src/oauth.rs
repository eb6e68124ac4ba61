//! OAuth 1.0a request signing for `GET /session` (HMAC-SHA1, RFC 5849 §3.4).

use depot_domain::SecretString;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;

/// The four credentials from a decrypted server token. All four are treated as
/// secrets (typed, redacted in `Debug`), the consumer key included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthCredentials {
    pub consumer_key: SecretString,
    pub consumer_secret: SecretString,
    pub access_token: SecretString,
    pub access_secret: SecretString,
}

/// Per-request values the caller supplies (from its clock and nonce source).
#[derive(Debug, Clone)]
pub struct OAuthRequest<'a> {
    pub method: &'a str,
    /// The full URL without query, e.g. `https://mdmenrollment.apple.com/session`.
    pub url: &'a str,
    pub timestamp: i64,
    pub nonce: &'a str,
}

#[derive(Debug, thiserror::Error)]
#[error("could not compute the OAuth signature: {0}")]
pub struct SignError(#[from] openssl::error::ErrorStack);

/// RFC 3986 percent-encoding: unreserved characters kept, the rest as `%XX`
/// with uppercase hex.
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for byte in input.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char);
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The OAuth parameters, sorted. The values hold the consumer key and access
/// token, so every intermediate string is a [`SecretString`] (wiped on drop).
fn oauth_params(
    creds: &OAuthCredentials,
    req: &OAuthRequest<'_>,
) -> Vec<(&'static str, SecretString)> {
    let mut params = vec![
        ("oauth_consumer_key", creds.consumer_key.clone()),
        ("oauth_nonce", SecretString::new(req.nonce)),
        ("oauth_signature_method", SecretString::new("HMAC-SHA1")),
        (
            "oauth_timestamp",
            SecretString::new(req.timestamp.to_string()),
        ),
        ("oauth_token", creds.access_token.clone()),
        ("oauth_version", SecretString::new("1.0")),
    ];
    params.sort_by(|(a, x), (b, y)| (a, x.expose()).cmp(&(b, y.expose())));
    params
}

/// The signature base string (`realm` is never part of it). It holds the
/// consumer key and access token: callers keep it secret.
pub fn base_string(creds: &OAuthCredentials, req: &OAuthRequest<'_>) -> SecretString {
    let pairs: Vec<SecretString> = oauth_params(creds, req)
        .iter()
        .map(|(k, v)| {
            let value = SecretString::new(percent_encode(v.expose()));
            SecretString::new(format!("{}={}", percent_encode(k), value.expose()))
        })
        .collect();
    // `join` sizes its buffer once, so no unwiped copy is left behind.
    let normalized = SecretString::new(
        pairs
            .iter()
            .map(SecretString::expose)
            .collect::<Vec<_>>()
            .join("&"),
    );
    let encoded = SecretString::new(percent_encode(normalized.expose()));
    SecretString::new(format!(
        "{}&{}&{}",
        req.method.to_ascii_uppercase(),
        percent_encode(req.url),
        encoded.expose()
    ))
}

/// `base64(HMAC-SHA1(pct(consumer_secret) & pct(access_secret), base string))`.
/// The HMAC key and its parts are wiped when dropped.
pub fn signature(creds: &OAuthCredentials, req: &OAuthRequest<'_>) -> Result<String, SignError> {
    let consumer_secret = SecretString::new(percent_encode(creds.consumer_secret.expose()));
    let access_secret = SecretString::new(percent_encode(creds.access_secret.expose()));
    let key = SecretString::new(format!(
        "{}&{}",
        consumer_secret.expose(),
        access_secret.expose()
    ));
    let pkey = PKey::hmac(key.expose().as_bytes())?;
    let mut signer = Signer::new(MessageDigest::sha1(), &pkey)?;
    signer.update(base_string(creds, req).expose().as_bytes())?;
    Ok(openssl::base64::encode_block(&signer.sign_to_vec()?))
}

/// The full `Authorization` header value, in the parameter order Apple
/// documents. It carries the consumer key and access token: a secret.
pub fn authorization_header(
    creds: &OAuthCredentials,
    req: &OAuthRequest<'_>,
) -> Result<SecretString, SignError> {
    let sig = signature(creds, req)?;
    let consumer_key = SecretString::new(percent_encode(creds.consumer_key.expose()));
    let access_token = SecretString::new(percent_encode(creds.access_token.expose()));
    Ok(SecretString::new(format!(
        "OAuth realm=\"ADM\", oauth_consumer_key=\"{}\", oauth_token=\"{}\", \
         oauth_signature_method=\"HMAC-SHA1\", oauth_signature=\"{}\", oauth_timestamp=\"{}\", \
         oauth_nonce=\"{}\", oauth_version=\"1.0\"",
        consumer_key.expose(),
        access_token.expose(),
        percent_encode(&sig),
        req.timestamp,
        percent_encode(req.nonce),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_vector() -> (OAuthCredentials, OAuthRequest<'static>) {
        (
            OAuthCredentials {
                consumer_key: SecretString::new("CK_test"),
                consumer_secret: SecretString::new("CS_secret"),
                access_token: SecretString::new("AT_test"),
                access_secret: SecretString::new("AS_secret"),
            },
            OAuthRequest {
                method: "GET",
                url: "https://mdmenrollment.apple.com/session",
                timestamp: 1_700_000_000,
                nonce: "abc123",
            },
        )
    }

    #[test]
    fn matches_the_spec_test_vector() {
        let (creds, req) = spec_vector();
        assert_eq!(
            base_string(&creds, &req).expose(),
            "GET&https%3A%2F%2Fmdmenrollment.apple.com%2Fsession&oauth_consumer_key%3DCK_test\
             %26oauth_nonce%3Dabc123%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp\
             %3D1700000000%26oauth_token%3DAT_test%26oauth_version%3D1.0"
        );
        assert_eq!(
            signature(&creds, &req).unwrap(),
            "yKMo0l5IPgIm+6/waA0kXXRMqkQ="
        );
        let header = authorization_header(&creds, &req).unwrap();
        let header = header.expose();
        assert!(
            header.contains("oauth_signature=\"yKMo0l5IPgIm%2B6%2FwaA0kXXRMqkQ%3D\""),
            "{header}"
        );
        assert!(header.starts_with("OAuth realm=\"ADM\", oauth_consumer_key=\"CK_test\""));
    }

    #[test]
    fn percent_encoding_follows_rfc_3986() {
        assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(percent_encode("a b+c/d=é"), "a%20b%2Bc%2Fd%3D%C3%A9");
    }

    #[test]
    fn credentials_never_show_in_debug_output() {
        let (creds, _) = spec_vector();
        let shown = format!("{creds:?}");
        assert!(
            !shown.contains("CS_secret") && !shown.contains("AT_test"),
            "{shown}"
        );
    }
}
