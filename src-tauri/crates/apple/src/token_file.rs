//! Apple's server token file (`*_smime.p7m`, spec §1.3–1.6): MIME headers,
//! base64 CMS EnvelopedData (BER with indefinite lengths, or DER), RSA key
//! transport to the MDM server's certificate, an inner MIME entity and the JSON
//! with the four OAuth credentials.

use depot_domain::time::parse_rfc3339;
use depot_domain::{SecretBytes, SecretString, UnixSeconds};
use openssl::cms::CmsContentInfo;

use crate::keys::{KeyError, TokenKeyPair};
use crate::oauth::OAuthCredentials;

/// A decrypted server token.
#[derive(Debug, Clone)]
pub struct ServerToken {
    pub credentials: OAuthCredentials,
    /// `access_token_expiry`, Unix seconds.
    pub expires_at: UnixSeconds,
}

/// Why a token file could not be used. Each maps to its own UI error code.
#[derive(Debug, thiserror::Error)]
pub enum TokenFileError {
    #[error(
        "this is not an Apple server token file ({0}). Download the token (.p7m) for your MDM server from Apple Business Manager or Apple School Manager"
    )]
    NotATokenFile(String),
    #[error(
        "this token file was made for a different public key than the one Depot holds. Upload Depot's public key (.pem) to this MDM server in Apple's portal, then download a new token"
    )]
    WrongKey,
    #[error("the token file is damaged ({0}). Download it again from Apple's portal")]
    Corrupted(String),
    #[error("the token file decrypts but lacks {}. Download a new token from Apple's portal", .0.join(", "))]
    MissingCredentials(Vec<&'static str>),
    #[error("this token expired on {}. Download a new token from Apple's portal", .expired_at)]
    Expired { expired_at: UnixSeconds },
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Decrypts `file` with `keys` and checks it is complete and not expired at `now`.
pub fn decrypt_token_file(
    file: &[u8],
    keys: &TokenKeyPair,
    now: UnixSeconds,
) -> Result<ServerToken, TokenFileError> {
    let der = outer_der(file)?;
    let cms = CmsContentInfo::from_der(&der).map_err(|_| {
        TokenFileError::Corrupted("its encrypted part is not a readable CMS structure".into())
    })?;
    let key = keys.private_key()?;
    let cert = keys.certificate()?;
    let plaintext = cms.decrypt(&key, &cert).map_err(|stack| {
        tracing::debug!(error = %stack, "token file decrypt failed");
        // OpenSSL does not say why (often an empty error stack), so look for the
        // recipient: its IssuerAndSerialNumber names our certificate's serial.
        // A 127-bit random serial does not appear in a file by chance.
        if names_certificate(&der, &cert) {
            TokenFileError::Corrupted("it cannot be decrypted".into())
        } else {
            TokenFileError::WrongKey
        }
    })?;
    // The decrypted file holds the four credentials: wiped when dropped.
    let plaintext = SecretBytes::new(plaintext);
    parse_plaintext(plaintext.expose(), now)
}

fn names_certificate(cms_der: &[u8], cert: &openssl::x509::X509Ref) -> bool {
    let Ok(serial) = cert.serial_number().to_bn().map(|bn| bn.to_vec()) else {
        return false;
    };
    !serial.is_empty()
        && cms_der
            .windows(serial.len())
            .any(|w| w == serial.as_slice())
}

/// The outer layer: headers (optional), base64 → DER/BER bytes. A raw binary
/// CMS file (starts with a SEQUENCE tag) is accepted as is.
fn outer_der(file: &[u8]) -> Result<Vec<u8>, TokenFileError> {
    if file.is_empty() {
        return Err(TokenFileError::NotATokenFile("the file is empty".into()));
    }
    if file[0] == 0x30 {
        return Ok(file.to_vec());
    }
    let text = std::str::from_utf8(file)
        .map_err(|_| TokenFileError::NotATokenFile("it is a binary file".into()))?;
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let (headers, body) = split_headers(&text);
    let declared_pkcs7 = match header(&headers, "content-type") {
        Some(ct) => {
            let ct = ct.to_ascii_lowercase();
            if !(ct.contains("application/pkcs7-mime") || ct.contains("application/x-pkcs7-mime")) {
                return Err(TokenFileError::NotATokenFile(format!(
                    "its content type is {ct}"
                )));
            }
            true
        }
        None => false,
    };
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Err(if declared_pkcs7 {
            TokenFileError::Corrupted("it has headers but no content".into())
        } else {
            TokenFileError::NotATokenFile("it has no content".into())
        });
    }
    let base64_alphabet = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
    if !compact.chars().all(base64_alphabet) {
        return Err(if declared_pkcs7 {
            TokenFileError::Corrupted("its content is not base64".into())
        } else {
            TokenFileError::NotATokenFile("it is neither a MIME token nor base64".into())
        });
    }
    let der = match openssl::base64::decode_block(&compact) {
        Ok(der) => der,
        Err(_) if declared_pkcs7 => {
            return Err(TokenFileError::Corrupted(
                "its base64 content is cut off or altered".into(),
            ));
        }
        Err(_) => {
            return Err(TokenFileError::NotATokenFile(
                "its content is not a token".into(),
            ));
        }
    };
    if der.first() != Some(&0x30) {
        return Err(if declared_pkcs7 {
            TokenFileError::Corrupted("its content does not start like a CMS structure".into())
        } else {
            TokenFileError::NotATokenFile("its content is not a CMS structure".into())
        });
    }
    Ok(der)
}

/// Splits a MIME entity into header lines and body. No header block when the
/// first line is not `Name: value`.
fn split_headers(text: &str) -> (Vec<(String, String)>, &str) {
    let first = text.lines().next().unwrap_or("");
    let looks_like_header = first.split_once(':').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if !looks_like_header {
        return (Vec::new(), text);
    }
    let (head, body) = match text.find("\n\n") {
        Some(i) => (&text[..i], &text[i + 2..]),
        None => (text, ""),
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

const BEGIN: &str = "-----BEGIN MESSAGE-----";
const END: &str = "-----END MESSAGE-----";

/// The decrypted layer: optional MIME headers, optional BEGIN/END MESSAGE
/// markers, then the JSON.
fn parse_plaintext(plaintext: &[u8], now: UnixSeconds) -> Result<ServerToken, TokenFileError> {
    let corrupted = |why: &str| TokenFileError::Corrupted(why.to_owned());
    let text = std::str::from_utf8(plaintext).map_err(|_| corrupted("its content is not text"))?;
    let text = SecretString::new(text.replace("\r\n", "\n"));
    let (_, body) = split_headers(text.expose());
    let json = match body.find(BEGIN) {
        Some(start) => {
            let after = &body[start + BEGIN.len()..];
            let end = after
                .find(END)
                .ok_or_else(|| corrupted("its message has no end marker"))?;
            &after[..end]
        }
        None => body,
    };
    let value: serde_json::Value = serde_json::from_str(json.trim())
        .map_err(|_| corrupted("its decrypted content is not the expected JSON"))?;
    let object = value
        .as_object()
        .ok_or_else(|| corrupted("its JSON is not an object"))?;
    let field = |name: &str| {
        object
            .get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };

    let mut missing = Vec::new();
    let mut take = |name: &'static str| match field(name) {
        Some(v) => SecretString::new(v),
        None => {
            missing.push(name);
            SecretString::new("")
        }
    };
    let credentials = OAuthCredentials {
        consumer_key: take("consumer_key"),
        consumer_secret: take("consumer_secret"),
        access_token: take("access_token"),
        access_secret: take("access_secret"),
    };
    let expires_at = field("access_token_expiry").and_then(parse_rfc3339);
    if expires_at.is_none() {
        missing.push("access_token_expiry");
    }
    if !missing.is_empty() {
        return Err(TokenFileError::MissingCredentials(missing));
    }
    let expires_at = UnixSeconds::new(expires_at.unwrap_or_default());
    if expires_at <= now {
        return Err(TokenFileError::Expired {
            expired_at: expires_at,
        });
    }
    Ok(ServerToken {
        credentials,
        expires_at,
    })
}

#[cfg(test)]
mod tests;
