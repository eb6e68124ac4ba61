//! The portal's "Download Token": a `.p7m` shaped like Apple's.
//!
//! Apple's file is MIME headers + base64 of a BER (indefinite-length) CMS
//! EnvelopedData, one KeyTransRecipientInfo (IssuerAndSerialNumber, PKCS#1
//! v1.5 RSA key transport) and AES-128-CBC content encryption. OpenSSL's CMS
//! writer emits DER, so the structure is written here with a small BER writer;
//! only the primitives (RSA, AES, random bytes, certificate parsing) come from
//! OpenSSL.

use openssl::rand::rand_bytes;
use openssl::rsa::Padding;
use openssl::symm::{Cipher, encrypt};
use openssl::x509::X509;

use crate::Credentials;

/// Why the portal refused a certificate.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("the upload is not a PEM X.509 certificate")]
    NotACertificate,
    #[error("the certificate's public key is not RSA; Apple's portal only does RSA key transport")]
    NotRsa,
    #[error("encryption failed: {0}")]
    Crypto(#[from] openssl::error::ErrorStack),
}

const OID_ENVELOPED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x03];
const OID_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01];
const OID_RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
const OID_AES_128_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02];
/// Size of each primitive OCTET STRING chunk inside the constructed encrypted content.
const CHUNK: usize = 1024;

/// Minimal BER writer.
mod ber {
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    pub const CONTEXT_0_CONSTRUCTED: u8 = 0xA0;

    /// Tag + definite length + content.
    pub fn definite(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(content);
        out
    }

    /// Constructed tag + indefinite length (0x80) + parts + end-of-contents (00 00).
    pub fn indefinite(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let mut out = vec![tag, 0x80];
        for p in parts {
            out.extend_from_slice(p);
        }
        out.extend_from_slice(&[0, 0]);
        out
    }

    /// A non-negative INTEGER from big-endian magnitude bytes.
    pub fn unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
        let trimmed: Vec<u8> = magnitude.iter().copied().skip_while(|&b| b == 0).collect();
        let mut content = Vec::with_capacity(trimmed.len() + 1);
        if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
            content.push(0);
        }
        content.extend_from_slice(&trimmed);
        definite(INTEGER, &content)
    }
}

/// The plaintext inside the envelope: a small MIME entity (CRLF headers, LF body).
pub(crate) fn token_plaintext(credentials: &Credentials) -> String {
    let json = serde_json::to_string(credentials).unwrap_or_default();
    format!(
        "Content-Type: text/plain;charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n-----BEGIN MESSAGE-----\n{json}\n-----END MESSAGE-----\n"
    )
}

/// Encrypts `plaintext` to the certificate and returns the BER ContentInfo.
pub(crate) fn envelope(cert_pem: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, PortalError> {
    let cert = X509::from_pem(cert_pem).map_err(|_| PortalError::NotACertificate)?;
    let rsa = cert
        .public_key()
        .map_err(|_| PortalError::NotACertificate)?
        .rsa()
        .map_err(|_| PortalError::NotRsa)?;

    let mut key = [0u8; 16];
    let mut iv = [0u8; 16];
    rand_bytes(&mut key)?;
    rand_bytes(&mut iv)?;
    let mut encrypted_key = vec![0u8; rsa.size() as usize];
    let n = rsa.public_encrypt(&key, &mut encrypted_key, Padding::PKCS1)?;
    encrypted_key.truncate(n);
    let ciphertext = encrypt(Cipher::aes_128_cbc(), &key, Some(&iv), plaintext)?;

    let issuer = cert.issuer_name().to_der()?;
    let serial = cert.serial_number().to_bn()?.to_vec();
    let issuer_and_serial = ber::definite(
        ber::SEQUENCE,
        &[issuer.as_slice(), &ber::unsigned_integer(&serial)].concat(),
    );
    let key_alg = ber::definite(
        ber::SEQUENCE,
        &[
            ber::definite(ber::OID, OID_RSA_ENCRYPTION),
            ber::definite(ber::NULL, &[]),
        ]
        .concat(),
    );
    let recipient = ber::definite(
        ber::SEQUENCE,
        &[
            ber::unsigned_integer(&[0]),
            issuer_and_serial,
            key_alg,
            ber::definite(ber::OCTET_STRING, &encrypted_key),
        ]
        .concat(),
    );
    let recipient_infos = ber::definite(ber::SET, &recipient);

    let content_alg = ber::definite(
        ber::SEQUENCE,
        &[
            ber::definite(ber::OID, OID_AES_128_CBC),
            ber::definite(ber::OCTET_STRING, &iv),
        ]
        .concat(),
    );
    let chunks: Vec<Vec<u8>> = ciphertext
        .chunks(CHUNK)
        .map(|c| ber::definite(ber::OCTET_STRING, c))
        .collect();
    let chunk_refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
    // [0] IMPLICIT OCTET STRING, constructed, indefinite length.
    let encrypted_content = ber::indefinite(ber::CONTEXT_0_CONSTRUCTED, &chunk_refs);
    let data_oid = ber::definite(ber::OID, OID_DATA);
    let encrypted_content_info = ber::indefinite(
        ber::SEQUENCE,
        &[&data_oid, &content_alg, &encrypted_content],
    );
    let version = ber::unsigned_integer(&[0]);
    let enveloped_data = ber::indefinite(
        ber::SEQUENCE,
        &[&version, &recipient_infos, &encrypted_content_info],
    );
    let explicit = ber::indefinite(ber::CONTEXT_0_CONSTRUCTED, &[&enveloped_data]);
    let oid = ber::definite(ber::OID, OID_ENVELOPED_DATA);
    Ok(ber::indefinite(ber::SEQUENCE, &[&oid, &explicit]))
}

/// The whole `.p7m` file: Apple's MIME headers, a blank line, base64 in 76-column lines.
pub(crate) fn p7m_file(cert_pem: &[u8], credentials: &Credentials) -> Result<String, PortalError> {
    let der = envelope(cert_pem, token_plaintext(credentials).as_bytes())?;
    let b64 = openssl::base64::encode_block(&der);
    let mut out = String::from(
        "Content-Type: application/pkcs7-mime; name=\"smime.p7m\"; smime-type=enveloped-data\n\
         Content-Transfer-Encoding: base64\n\
         Content-Disposition: attachment; filename=\"smime.p7m\"\n\
         Content-Description: S/MIME Encrypted Message\n\n",
    );
    for line in b64.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::cms::CmsContentInfo;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use openssl::x509::X509NameBuilder;

    pub(crate) fn self_signed() -> (PKey<openssl::pkey::Private>, X509) {
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "unit").unwrap();
        let name = name.build();
        let mut b = X509::builder().unwrap();
        b.set_version(2).unwrap();
        // High bit set: exercises the INTEGER sign byte.
        let serial = BigNum::from_hex_str("80FF01")
            .unwrap()
            .to_asn1_integer()
            .unwrap();
        b.set_serial_number(&serial).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(&key).unwrap();
        b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        b.sign(&key, MessageDigest::sha256()).unwrap();
        (key, b.build())
    }

    #[test]
    fn envelope_is_ber_and_decrypts_with_openssl() {
        let (key, cert) = self_signed();
        let plaintext = vec![b'x'; 3000];
        let der = envelope(&cert.to_pem().unwrap(), &plaintext).unwrap();
        assert_eq!(&der[..2], &[0x30, 0x80]);
        let cms = CmsContentInfo::from_der(&der).unwrap();
        let out = cms.decrypt(&key, &cert).unwrap();
        assert_eq!(out, plaintext);
    }

    #[test]
    fn rejects_non_certificates() {
        assert!(matches!(
            envelope(b"hello", b"x"),
            Err(PortalError::NotACertificate)
        ));
    }
}
