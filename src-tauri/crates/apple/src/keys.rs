//! The key pair an MDM server's token is encrypted to (spec §1.2): RSA-2048 and
//! a self-signed X.509 certificate, uploaded to Apple's portal as a `.pem`.

use std::fmt;

use depot_domain::{SecretString, UnixSeconds};
use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, KeyUsage};
use openssl::x509::{X509, X509NameBuilder};

/// How long the certificate is valid. Apple re-encrypts renewed tokens to the
/// certificate on file, so it must outlive many yearly renewals' worth of use.
pub const CERTIFICATE_VALID_DAYS: u32 = 3 * 365;

/// A private key and its certificate, both PEM. The private key is a secret.
#[derive(Clone)]
pub struct TokenKeyPair {
    private_key_pem: SecretString,
    certificate_pem: String,
}

impl fmt::Debug for TokenKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKeyPair")
            .field("private_key_pem", &"[redacted]")
            .field("certificate_pem", &self.certificate_pem)
            .finish()
    }
}

/// Public facts about a certificate, for the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    pub subject: String,
    pub not_after: UnixSeconds,
    /// SHA-256 of the DER encoding, `AA:BB:…`.
    pub fingerprint: String,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not create the key pair: {0}")]
    Crypto(#[from] openssl::error::ErrorStack),
    #[error("the stored key pair is damaged: {0}")]
    Damaged(String),
}

impl TokenKeyPair {
    /// Generates a fresh RSA-2048 key and a certificate for `common_name`,
    /// valid from ten minutes before `now` (clock skew) for
    /// [`CERTIFICATE_VALID_DAYS`].
    pub fn generate(common_name: &str, now: UnixSeconds) -> Result<Self, KeyError> {
        let rsa = Rsa::generate(2048)?;
        let key = PKey::from_rsa(rsa)?;

        let mut name = X509NameBuilder::new()?;
        name.append_entry_by_text("CN", common_name)?;
        name.append_entry_by_text("O", "Depot")?;
        let name = name.build();

        let mut serial = BigNum::new()?;
        serial.rand(127, MsbOption::MAYBE_ZERO, false)?;

        let mut cert = X509::builder()?;
        cert.set_version(2)?;
        let serial = serial.to_asn1_integer()?;
        cert.set_serial_number(&serial)?;
        cert.set_subject_name(&name)?;
        cert.set_issuer_name(&name)?;
        cert.set_pubkey(&key)?;
        let not_before = Asn1Time::from_unix((now - 600).get())?;
        let not_after =
            Asn1Time::from_unix((now + i64::from(CERTIFICATE_VALID_DAYS) * 86_400).get())?;
        cert.set_not_before(&not_before)?;
        cert.set_not_after(&not_after)?;
        cert.append_extension(BasicConstraints::new().critical().build()?)?;
        cert.append_extension(
            KeyUsage::new()
                .critical()
                .digital_signature()
                .key_encipherment()
                .build()?,
        )?;
        cert.sign(&key, MessageDigest::sha256())?;
        let cert = cert.build();

        let private_key_pem = String::from_utf8(key.private_key_to_pem_pkcs8()?)
            .map_err(|e| KeyError::Damaged(e.to_string()))?;
        let certificate_pem =
            String::from_utf8(cert.to_pem()?).map_err(|e| KeyError::Damaged(e.to_string()))?;
        Ok(Self {
            private_key_pem: SecretString::new(private_key_pem),
            certificate_pem,
        })
    }

    /// Rebuilds a key pair from stored PEM text, checking the two belong together.
    pub fn from_pem(
        private_key_pem: SecretString,
        certificate_pem: String,
    ) -> Result<Self, KeyError> {
        let pair = Self {
            private_key_pem,
            certificate_pem,
        };
        let key = pair.private_key()?;
        let cert = pair.certificate()?;
        if !cert.public_key()?.public_eq(&key) {
            return Err(KeyError::Damaged(
                "the certificate does not match the private key".into(),
            ));
        }
        Ok(pair)
    }

    pub fn private_key_pem(&self) -> &SecretString {
        &self.private_key_pem
    }

    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    pub(crate) fn private_key(&self) -> Result<PKey<Private>, KeyError> {
        PKey::private_key_from_pem(self.private_key_pem.expose().as_bytes())
            .map_err(|e| KeyError::Damaged(format!("private key: {e}")))
    }

    pub(crate) fn certificate(&self) -> Result<X509, KeyError> {
        X509::from_pem(self.certificate_pem.as_bytes())
            .map_err(|e| KeyError::Damaged(format!("certificate: {e}")))
    }

    pub fn certificate_info(&self) -> Result<CertificateInfo, KeyError> {
        let cert = self.certificate()?;
        let subject = cert
            .subject_name()
            .entries()
            .map(|entry| {
                let field = entry.object().nid().short_name().unwrap_or("?");
                let value = entry.data().to_string().unwrap_or_default();
                format!("{field}={value}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let epoch = Asn1Time::from_unix(0)?;
        let diff = epoch.diff(cert.not_after())?;
        let not_after = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
        let digest = cert.digest(MessageDigest::sha256())?;
        let fingerprint = digest
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":");
        Ok(CertificateInfo {
            subject,
            not_after: UnixSeconds::new(not_after),
            fingerprint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000;

    #[test]
    fn generates_a_self_signed_rsa_2048_certificate_for_key_encipherment() {
        let pair = TokenKeyPair::generate("Depot workspace test", UnixSeconds::new(NOW)).unwrap();
        let cert = pair.certificate().unwrap();
        assert_eq!(cert.public_key().unwrap().rsa().unwrap().size(), 256);
        assert!(
            cert.verify(&cert.public_key().unwrap()).unwrap(),
            "self-signed"
        );
        assert_eq!(
            cert.signature_algorithm().object().nid(),
            openssl::nid::Nid::SHA256WITHRSAENCRYPTION
        );
        let text = String::from_utf8(cert.to_text().unwrap()).unwrap();
        assert!(
            text.contains("Digital Signature, Key Encipherment"),
            "{text}"
        );

        let info = pair.certificate_info().unwrap();
        assert_eq!(info.subject, "CN=Depot workspace test, O=Depot");
        assert!(
            info.not_after.get() - NOW >= 365 * 86_400,
            "valid at least a year"
        );
        assert_eq!(info.fingerprint.len(), 32 * 3 - 1);
        assert!(
            pair.certificate_pem()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        assert!(!format!("{pair:?}").contains("PRIVATE KEY"));
    }

    #[test]
    fn stored_pem_round_trips_and_mismatches_are_refused() {
        let a = TokenKeyPair::generate("a", UnixSeconds::new(NOW)).unwrap();
        let b = TokenKeyPair::generate("b", UnixSeconds::new(NOW)).unwrap();
        let again = TokenKeyPair::from_pem(a.private_key_pem().clone(), a.certificate_pem().into())
            .unwrap();
        assert_eq!(
            again.certificate_info().unwrap(),
            a.certificate_info().unwrap()
        );
        let mixed = TokenKeyPair::from_pem(a.private_key_pem().clone(), b.certificate_pem().into());
        assert!(matches!(mixed, Err(KeyError::Damaged(_))));
        let junk = TokenKeyPair::from_pem(SecretString::new("junk"), a.certificate_pem().into());
        assert!(matches!(junk, Err(KeyError::Damaged(_))));
    }
}
