//! The client assertion of Apple's organisation API (wire reference §2.1):
//! a JWT signed with the API account's P-256 key (ES256), made by Depot for
//! each access-token request.

use depot_domain::{SecretString, UnixSeconds};
use openssl::ec::EcKey;
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use serde_json::json;

/// The audience Apple names for the assertion (note the `/v2/`): the same for
/// Apple's token endpoint and for a simulator's.
pub const AUDIENCE: &str = "https://account.apple.com/auth/oauth2/v2/token";
/// How long one assertion is valid. Apple allows up to 180 days; Depot makes
/// a fresh one for every access-token request, so a short life loses nothing
/// and a leaked assertion is worth little.
pub const ASSERTION_LIFETIME_SECS: i64 = 15 * 60;
/// Apple's limit.
pub const MAX_ASSERTION_LIFETIME_SECS: i64 = 180 * 86_400;

/// Why an API account's key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
    #[error(
        "the key file is not a PEM private key (it should start with -----BEGIN EC PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)"
    )]
    NotPem,
    #[error("the key is not an elliptic-curve key: Apple's API accounts use P-256 keys")]
    NotEc,
    #[error(
        "the key is on curve {0}, not P-256: is this the key Apple's portal generated for the API account?"
    )]
    WrongCurve(String),
    #[error("the key could not be used to sign: {0}")]
    Sign(String),
}

/// An API account's private key, checked: P-256.
pub struct AccountKey(PKey<Private>);

impl std::fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccountKey([redacted])")
    }
}

fn pem_body(pem: &str) -> Option<Vec<u8>> {
    let mut body = String::new();
    let mut inside = false;
    for line in pem.lines() {
        let line = line.trim();
        if line.starts_with("-----BEGIN ") {
            inside = true;
        } else if line.starts_with("-----END ") {
            break;
        } else if inside {
            body.push_str(line);
        }
    }
    openssl::base64::decode_block(&body).ok()
}

impl AccountKey {
    /// Reads the `.pem` Apple's portal downloads: SEC1 (`EC PRIVATE KEY`)
    /// or PKCS#8 — also PKCS#8 under the `EC PRIVATE KEY` label, which
    /// other clients have met.
    pub fn from_pem(pem: &SecretString) -> Result<Self, KeyFileError> {
        let text = pem.expose();
        if !text.contains("-----BEGIN ") {
            return Err(KeyFileError::NotPem);
        }
        let key = PKey::private_key_from_pem(text.as_bytes())
            .ok()
            .or_else(|| {
                let der = pem_body(text)?;
                PKey::private_key_from_der(&der).ok().or_else(|| {
                    EcKey::private_key_from_der(&der)
                        .ok()
                        .and_then(|k| PKey::from_ec_key(k).ok())
                })
            })
            .ok_or(KeyFileError::NotPem)?;
        let ec = key.ec_key().map_err(|_| KeyFileError::NotEc)?;
        let curve = ec.group().curve_name();
        if curve != Some(Nid::X9_62_PRIME256V1) {
            let name = curve
                .and_then(|n| n.short_name().ok())
                .unwrap_or("unknown")
                .to_owned();
            return Err(KeyFileError::WrongCurve(name));
        }
        ec.check_key()
            .map_err(|e| KeyFileError::Sign(e.to_string()))?;
        Ok(Self(key))
    }

    /// The public key, PEM (SubjectPublicKeyInfo): what Apple's portal keeps.
    pub fn public_key_pem(&self) -> Result<String, KeyFileError> {
        let pem = self
            .0
            .public_key_to_pem()
            .map_err(|e| KeyFileError::Sign(e.to_string()))?;
        String::from_utf8(pem).map_err(|e| KeyFileError::Sign(e.to_string()))
    }

    /// ES256 over `data`: the raw 64-byte `r || s` JWS wants (not DER).
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, KeyFileError> {
        let digest = openssl::sha::sha256(data);
        let ec = self.0.ec_key().map_err(|_| KeyFileError::NotEc)?;
        let sig = EcdsaSig::sign(&digest, &ec).map_err(|e| KeyFileError::Sign(e.to_string()))?;
        let mut out = Vec::with_capacity(64);
        for part in [sig.r(), sig.s()] {
            let bytes = part
                .to_vec_padded(32)
                .map_err(|e| KeyFileError::Sign(e.to_string()))?;
            out.extend_from_slice(&bytes);
        }
        Ok(out)
    }
}

/// Base64url without padding (RFC 7515 §2).
pub fn b64url(bytes: &[u8]) -> String {
    openssl::base64::encode_block(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    let _ = openssl::rand::rand_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A signed client assertion for `client_id` with key `key_id`, valid from
/// `now` for `lifetime` seconds (at most 180 days), with a fresh `jti`.
pub fn client_assertion(
    key: &AccountKey,
    client_id: &str,
    key_id: &str,
    now: UnixSeconds,
    lifetime: i64,
) -> Result<SecretString, KeyFileError> {
    let lifetime = lifetime.clamp(1, MAX_ASSERTION_LIFETIME_SECS);
    let header = json!({"alg": "ES256", "kid": key_id, "typ": "JWT"});
    let claims = json!({
        "iss": client_id,
        "sub": client_id,
        "aud": AUDIENCE,
        "iat": now.get(),
        "exp": now.get() + lifetime,
        "jti": uuid_v4(),
    });
    let signing_input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let signature = key.sign(signing_input.as_bytes())?;
    Ok(SecretString::new(format!(
        "{signing_input}.{}",
        b64url(&signature)
    )))
}

/// A new P-256 key as SEC1 PEM (tests and the demo's API account).
pub fn generate_key_pem() -> Result<SecretString, KeyFileError> {
    let group = openssl::ec::EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)
        .map_err(|e| KeyFileError::Sign(e.to_string()))?;
    let key = EcKey::generate(&group).map_err(|e| KeyFileError::Sign(e.to_string()))?;
    let pem = key
        .private_key_to_pem()
        .map_err(|e| KeyFileError::Sign(e.to_string()))?;
    String::from_utf8(pem)
        .map(SecretString::new)
        .map_err(|e| KeyFileError::Sign(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Claims {
        iss: String,
        sub: String,
        aud: String,
        iat: i64,
        exp: i64,
        jti: String,
    }

    /// The assertion checked by an independent implementation (the
    /// `jsonwebtoken` crate, RustCrypto's P-256), not by Depot's own code.
    #[test]
    fn an_independent_verifier_accepts_the_assertion() {
        let pem = generate_key_pem().unwrap();
        let key = AccountKey::from_pem(&pem).unwrap();
        let public = key.public_key_pem().unwrap();
        // Far from the wall clock on purpose: validation of times is off
        // below and checked by hand, so the test never depends on today.
        let now = UnixSeconds::new(1_790_000_000);
        let jwt = client_assertion(&key, "BUSINESSAPI.abc", "kid-1", now, 600).unwrap();

        let header = jsonwebtoken::decode_header(jwt.expose()).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
        assert_eq!(header.kid.as_deref(), Some("kid-1"));
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.validate_exp = false;
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&["BUSINESSAPI.abc"]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        let decoded = jsonwebtoken::decode::<Claims>(
            jwt.expose(),
            &jsonwebtoken::DecodingKey::from_ec_pem(public.as_bytes()).unwrap(),
            &validation,
        )
        .unwrap();
        let c = decoded.claims;
        assert_eq!(
            (c.iss.as_str(), c.sub.as_str()),
            ("BUSINESSAPI.abc", "BUSINESSAPI.abc")
        );
        assert_eq!(c.aud, AUDIENCE);
        assert_eq!((c.iat, c.exp), (now.get(), now.get() + 600));
        assert_eq!(c.jti.len(), 36);

        // A fresh jti each time; the lifetime never exceeds Apple's 180 days.
        let again = client_assertion(&key, "BUSINESSAPI.abc", "kid-1", now, i64::MAX).unwrap();
        let c2 = jsonwebtoken::decode::<Claims>(
            again.expose(),
            &jsonwebtoken::DecodingKey::from_ec_pem(public.as_bytes()).unwrap(),
            &validation,
        )
        .unwrap()
        .claims;
        assert_ne!(c.jti, c2.jti);
        assert_eq!(c2.exp - c2.iat, MAX_ASSERTION_LIFETIME_SECS);

        // Another key's signature is refused by the verifier.
        let other = AccountKey::from_pem(&generate_key_pem().unwrap()).unwrap();
        let forged = client_assertion(&other, "BUSINESSAPI.abc", "kid-1", now, 600).unwrap();
        assert!(
            jsonwebtoken::decode::<Claims>(
                forged.expose(),
                &jsonwebtoken::DecodingKey::from_ec_pem(public.as_bytes()).unwrap(),
                &validation,
            )
            .is_err()
        );
    }

    #[test]
    fn key_files_are_read_in_both_encodings_and_bad_ones_refused() {
        let sec1 = generate_key_pem().unwrap();
        let key = AccountKey::from_pem(&sec1).unwrap();
        // PKCS#8 under the SEC1 label, as some portal downloads are.
        let pkcs8 = key.0.private_key_to_pem_pkcs8().unwrap();
        let pkcs8 = String::from_utf8(pkcs8).unwrap();
        assert!(AccountKey::from_pem(&SecretString::new(pkcs8.clone())).is_ok());
        let relabelled = pkcs8.replace("PRIVATE KEY", "EC PRIVATE KEY");
        assert!(AccountKey::from_pem(&SecretString::new(relabelled)).is_ok());
        assert_eq!(
            AccountKey::from_pem(&SecretString::new("hello")).unwrap_err(),
            KeyFileError::NotPem
        );
        let rsa = openssl::rsa::Rsa::generate(2048).unwrap();
        let rsa = String::from_utf8(
            PKey::from_rsa(rsa)
                .unwrap()
                .private_key_to_pem_pkcs8()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            AccountKey::from_pem(&SecretString::new(rsa)).unwrap_err(),
            KeyFileError::NotEc
        );
        let p384 = EcKey::generate(&openssl::ec::EcGroup::from_curve_name(Nid::SECP384R1).unwrap())
            .unwrap();
        let p384 = String::from_utf8(p384.private_key_to_pem().unwrap()).unwrap();
        assert!(matches!(
            AccountKey::from_pem(&SecretString::new(p384)).unwrap_err(),
            KeyFileError::WrongCurve(_)
        ));
    }
}
