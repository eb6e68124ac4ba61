//! The `.vpptoken` file Apple's portal gives for one location ("content
//! token"): Base64 of a JSON object with `token`, `expDate` and `orgName`.
//! The whole Base64 text is the credential; it is checked here before
//! anything is stored or sent.

use depot_domain::{SecretString, UnixSeconds};
use serde::Deserialize;

/// Larger than any content token Apple issues (a few hundred bytes).
const MAX_FILE_BYTES: usize = 16 * 1024;
/// Apple's content tokens last a year; a date much further away is not one
/// Apple wrote.
const MAX_LIFETIME_SECS: i64 = 2 * 366 * 86_400;

/// Why a `.vpptoken` file was refused. Shown to the admin as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VppTokenError {
    #[error(
        "the file is empty: choose the .vpptoken file downloaded from Apple Business Manager or Apple School Manager (Preferences → Payments and Billing → Apps and Books)"
    )]
    Empty,
    #[error(
        "the file is larger than an Apps and Books token can be ({0} bytes): is it the right file?"
    )]
    TooLarge(usize),
    #[error(
        "the file is not an Apps and Books token: its content is not Base64 text (is it an enrollment program token, .p7m, instead?)"
    )]
    NotBase64,
    #[error(
        "the file is not an Apps and Books token: its decoded content is not the JSON Apple writes ({0})"
    )]
    NotJson(String),
    #[error("the token file has no '{0}': download a new one from Apple's portal")]
    Missing(&'static str),
    #[error("the token's expiry '{0}' is not a date")]
    BadDate(String),
    #[error(
        "this Apps and Books token expired on {0}: download a new one for this location from Apple's portal"
    )]
    Expired(String),
    #[error(
        "the token's expiry {0} is more than two years away, which Apple never gives (tokens last a year): the file is not one Apple wrote"
    )]
    FarFuture(String),
}

/// A checked content token.
#[derive(Debug, Clone)]
pub struct VppTokenFile {
    /// The whole Base64 text, as the `Authorization` header carries it.
    pub secret: SecretString,
    pub org_name: String,
    pub expires_at: UnixSeconds,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    token: Option<String>,
    exp_date: Option<String>,
    org_name: Option<String>,
}

/// Apple writes `2031-02-03T10:00:00+0000` (no colon in the offset); RFC
/// 3339 forms are taken too.
pub(crate) fn parse_apple_date(text: &str) -> Option<UnixSeconds> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let n = bytes.len();
    let normalized = if n > 5
        && matches!(bytes[n - 5], b'+' | b'-')
        && bytes[n - 4..].iter().all(u8::is_ascii_digit)
        && bytes[..n - 5].contains(&b'T')
    {
        format!("{}:{}", &text[..n - 2], &text[n - 2..])
    } else {
        text.to_owned()
    };
    depot_domain::time::parse_rfc3339(&normalized).map(UnixSeconds::new)
}

impl VppTokenFile {
    /// Reads a `.vpptoken` file's bytes, checked against `now`.
    pub fn parse(bytes: &[u8], now: UnixSeconds) -> Result<Self, VppTokenError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(VppTokenError::TooLarge(bytes.len()));
        }
        let text: String = std::str::from_utf8(bytes)
            .map_err(|_| VppTokenError::NotBase64)?
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        if text.is_empty() {
            return Err(VppTokenError::Empty);
        }
        let alphabet = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
        let body = text.trim_end_matches('=');
        if !body.bytes().all(alphabet) || text.len() - body.len() > 2 || body.len() % 4 == 1 {
            return Err(VppTokenError::NotBase64);
        }
        let mut padded = body.to_owned();
        while !padded.len().is_multiple_of(4) {
            padded.push('=');
        }
        let json = openssl::base64::decode_block(&padded).map_err(|_| VppTokenError::NotBase64)?;
        let wire: Wire = serde_json::from_slice(&json).map_err(|e| {
            let mut reason = e.to_string();
            reason.truncate(120);
            VppTokenError::NotJson(reason)
        })?;
        let present = |v: Option<String>, name| {
            v.map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .ok_or(VppTokenError::Missing(name))
        };
        present(wire.token, "token")?;
        let exp = present(wire.exp_date, "expDate")?;
        let org_name = present(wire.org_name, "orgName")?;
        let expires_at =
            parse_apple_date(&exp).ok_or_else(|| VppTokenError::BadDate(exp.clone()))?;
        if expires_at <= now {
            return Err(VppTokenError::Expired(expires_at.rfc3339()));
        }
        if expires_at.seconds_since(now) > MAX_LIFETIME_SECS {
            return Err(VppTokenError::FarFuture(expires_at.rfc3339()));
        }
        Ok(VppTokenFile {
            secret: SecretString::new(text),
            org_name,
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000; // 2026-09-21

    fn file(json: &str) -> Vec<u8> {
        openssl::base64::encode_block(json.as_bytes()).into_bytes()
    }

    fn parse(bytes: &[u8]) -> Result<VppTokenFile, VppTokenError> {
        VppTokenFile::parse(bytes, UnixSeconds::new(NOW))
    }

    #[test]
    fn a_good_token_is_read_whole() {
        let bytes =
            file(r#"{"token":"QUJD","expDate":"2027-02-03T10:00:00+0000","orgName":"Acme Corp"}"#);
        let token = parse(&bytes).unwrap();
        assert_eq!(token.org_name, "Acme Corp");
        assert_eq!(token.expires_at.rfc3339(), "2027-02-03T10:00:00Z");
        // The credential is the whole Base64 text, not the inner token.
        assert_eq!(token.secret.expose().as_bytes(), bytes.as_slice());
        // Line breaks and a trailing newline (an editor) are fine.
        let mut wrapped = bytes[..20].to_vec();
        wrapped.extend_from_slice(b"\r\n");
        wrapped.extend_from_slice(&bytes[20..]);
        wrapped.push(b'\n');
        assert_eq!(
            parse(&wrapped).unwrap().secret.expose().as_bytes(),
            bytes.as_slice()
        );
        // RFC 3339 forms of the date too.
        let z = file(r#"{"token":"x","expDate":"2027-02-03T10:00:00Z","orgName":"A"}"#);
        assert_eq!(parse(&z).unwrap().expires_at, token.expires_at);
    }

    #[test]
    fn bad_files_are_refused_with_what_is_wrong() {
        assert_eq!(parse(b"  \n").unwrap_err(), VppTokenError::Empty);
        assert_eq!(
            parse(b"not base64 at all!").unwrap_err(),
            VppTokenError::NotBase64
        );
        assert_eq!(parse(b"\xff\xfe").unwrap_err(), VppTokenError::NotBase64);
        assert_eq!(
            parse(b"MIME-Version: 1.0\nContent-Type: application/pkcs7-mime").unwrap_err(),
            VppTokenError::NotBase64
        );
        assert!(matches!(
            parse(&file("just text")).unwrap_err(),
            VppTokenError::NotJson(_)
        ));
        assert!(matches!(
            parse(&file("[1,2]")).unwrap_err(),
            VppTokenError::NotJson(_)
        ));
        assert_eq!(
            parse(&file(
                r#"{"expDate":"2027-02-03T10:00:00+0000","orgName":"A"}"#
            ))
            .unwrap_err(),
            VppTokenError::Missing("token")
        );
        assert_eq!(
            parse(&file(r#"{"token":"x","orgName":"A"}"#)).unwrap_err(),
            VppTokenError::Missing("expDate")
        );
        assert_eq!(
            parse(&file(
                r#"{"token":"x","expDate":"2027-02-03T10:00:00+0000","orgName":" "}"#
            ))
            .unwrap_err(),
            VppTokenError::Missing("orgName")
        );
        assert_eq!(
            parse(&file(
                r#"{"token":"x","expDate":"next year","orgName":"A"}"#
            ))
            .unwrap_err(),
            VppTokenError::BadDate("next year".into())
        );
        let expired = parse(&file(
            r#"{"token":"x","expDate":"2026-01-31T00:00:00+0000","orgName":"A"}"#,
        ));
        assert_eq!(
            expired.unwrap_err(),
            VppTokenError::Expired("2026-01-31T00:00:00Z".into())
        );
        let far = parse(&file(
            r#"{"token":"x","expDate":"2099-01-01T00:00:00+0000","orgName":"A"}"#,
        ));
        assert!(matches!(far.unwrap_err(), VppTokenError::FarFuture(_)));
        assert!(matches!(
            parse(&vec![b'A'; 20_000]).unwrap_err(),
            VppTokenError::TooLarge(_)
        ));
        // The messages say what to do.
        assert!(
            VppTokenError::Expired("x".into())
                .to_string()
                .contains("download a new one")
        );
    }

    #[test]
    fn apple_dates_with_and_without_a_colon_in_the_offset() {
        let at = |s: &str| parse_apple_date(s).map(UnixSeconds::get);
        assert_eq!(at("2026-09-21T14:13:20+0000"), Some(NOW));
        assert_eq!(at("2026-09-21T16:13:20+0200"), Some(NOW));
        assert_eq!(at("2026-09-21T14:13:20Z"), Some(NOW));
        assert_eq!(at("2026-09-21T14:13:20+00:00"), Some(NOW));
        assert_eq!(at("+0000"), None);
        assert_eq!(at("2026-13-01T00:00:00+0000"), None);
    }
}
