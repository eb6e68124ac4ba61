//! X.509 certificates as the profile carries them: base64 of the DER bytes.
//!
//! The domain has no crypto library, so this is a *structural* check: the bytes
//! are DER (every length consistent, nothing trailing) and have the shape of a
//! certificate (`SEQUENCE { tbsCertificate SEQUENCE, algorithm SEQUENCE,
//! signature BIT STRING }`). Signatures are not verified. The subject's common
//! name and the validity dates are read out for display.

use std::fmt;

use crate::time::parse_rfc3339;

/// A certificate that parsed as DER with a certificate's shape.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("the certificate is empty")]
    Empty,
    #[error("the certificate is not base64 text (unexpected character {0:?})")]
    NotBase64(char),
    #[error("the certificate is not DER: {0}")]
    NotDer(&'static str),
    #[error("the file holds DER data but not an X.509 certificate: {0}")]
    NotCertificate(&'static str),
    #[error("the PEM file has no complete 'BEGIN CERTIFICATE' block")]
    NoPemBlock,
    #[error("the certificate is larger than a certificate can be (at most {max} bytes)")]
    TooLarge { max: usize },
}

/// The largest certificate Depot reads (real ones are 1–4 KB; a chain of
/// extensions stays far below this).
pub const MAX_CERTIFICATE_BYTES: usize = 64 * 1024;
/// DER values nested deeper than this are refused (a certificate needs about
/// ten levels); a limit keeps a hostile file from exhausting the stack.
const MAX_DER_DEPTH: usize = 32;

/// What the UI shows next to an uploaded certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSummary {
    /// The subject's common name (CN), when it has one.
    pub subject_common_name: Option<String>,
    pub not_before: crate::UnixSeconds,
    pub not_after: crate::UnixSeconds,
}

impl Certificate {
    /// Base64 of DER, as stored in profiles and sent to Apple. Line breaks and
    /// spaces (wrapped base64) are ignored.
    pub fn from_base64(text: &str) -> Result<Self, CertificateError> {
        // Base64 is 4/3 of the bytes, plus line breaks.
        if text.len() > MAX_CERTIFICATE_BYTES * 2 {
            return Err(CertificateError::TooLarge {
                max: MAX_CERTIFICATE_BYTES,
            });
        }
        let der = base64_decode(text)?;
        Self::from_der(der)
    }

    /// The bytes of an uploaded `.cer`/`.crt`: DER, or PEM with a
    /// `-----BEGIN CERTIFICATE-----` block (the first one is used).
    pub fn from_file_bytes(bytes: &[u8]) -> Result<Self, CertificateError> {
        if bytes.len() > MAX_CERTIFICATE_BYTES * 2 {
            return Err(CertificateError::TooLarge {
                max: MAX_CERTIFICATE_BYTES,
            });
        }
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        if bytes.first() == Some(&0x30) {
            return Self::from_der(bytes.to_vec());
        }
        let text = String::from_utf8_lossy(bytes);
        let start = text.find(BEGIN).ok_or(CertificateError::NoPemBlock)? + BEGIN.len();
        let len = text[start..]
            .find(END)
            .ok_or(CertificateError::NoPemBlock)?;
        Self::from_base64(&text[start..start + len])
    }

    fn from_der(der: Vec<u8>) -> Result<Self, CertificateError> {
        if der.is_empty() {
            return Err(CertificateError::Empty);
        }
        if der.len() > MAX_CERTIFICATE_BYTES {
            return Err(CertificateError::TooLarge {
                max: MAX_CERTIFICATE_BYTES,
            });
        }
        certificate_fields(&der)?;
        Ok(Self { der })
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Canonical base64 (standard alphabet, padded, no line breaks).
    pub fn to_base64(&self) -> String {
        base64_encode(&self.der)
    }

    /// Subject common name and validity. `None` when the certificate's inner
    /// fields are unusual enough that this simple reader cannot find them.
    pub fn summary(&self) -> Option<CertificateSummary> {
        let fields = certificate_fields(&self.der).ok()?;
        Some(CertificateSummary {
            subject_common_name: common_name(fields.subject),
            not_before: crate::UnixSeconds::new(asn1_time(fields.not_before)?),
            not_after: crate::UnixSeconds::new(asn1_time(fields.not_after)?),
        })
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Certificate({} bytes)", self.der.len())
    }
}

// ---------------------------------------------------------------- DER reading

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const VERSION_TAG: u8 = 0xA0;

struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
}

/// Reads one tag-length-value from the front of `input`; returns it and the rest.
fn read_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), CertificateError> {
    let (&tag, rest) = input
        .split_first()
        .ok_or(CertificateError::NotDer("it ends early"))?;
    if tag & 0x1F == 0x1F {
        return Err(CertificateError::NotDer("it uses a multi-byte tag"));
    }
    let (&first, mut rest) = rest
        .split_first()
        .ok_or(CertificateError::NotDer("it ends early"))?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 {
            return Err(CertificateError::NotDer(
                "a length is indefinite or too large",
            ));
        }
        if rest.len() < count {
            return Err(CertificateError::NotDer("it ends early"));
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        if bytes[0] == 0 || (count == 1 && bytes[0] < 0x80) {
            return Err(CertificateError::NotDer(
                "a length is not in its shortest form",
            ));
        }
        bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    if rest.len() < len {
        return Err(CertificateError::NotDer("a length runs past the end"));
    }
    let (content, rest) = rest.split_at(len);
    Ok((Tlv { tag, content }, rest))
}

/// Reads a TLV that must have `tag`.
fn expect<'a>(
    input: &'a [u8],
    tag: u8,
    what: &'static str,
) -> Result<(&'a [u8], &'a [u8]), CertificateError> {
    let (tlv, rest) = read_tlv(input)?;
    if tlv.tag != tag {
        return Err(CertificateError::NotCertificate(what));
    }
    Ok((tlv.content, rest))
}

/// Every constructed value's children must fill it exactly, at most
/// `MAX_DER_DEPTH` levels down.
fn check_nested(mut input: &[u8], depth: usize) -> Result<(), CertificateError> {
    if depth > MAX_DER_DEPTH {
        return Err(CertificateError::NotDer("it is nested too deeply"));
    }
    while !input.is_empty() {
        let (tlv, rest) = read_tlv(input)?;
        if tlv.tag & 0x20 != 0 {
            check_nested(tlv.content, depth + 1)?;
        }
        input = rest;
    }
    Ok(())
}

struct CertificateFields<'a> {
    subject: &'a [u8],
    not_before: Tlv<'a>,
    not_after: Tlv<'a>,
}

fn certificate_fields(der: &[u8]) -> Result<CertificateFields<'_>, CertificateError> {
    let (outer, trailing) = read_tlv(der)?;
    if !trailing.is_empty() {
        return Err(CertificateError::NotDer("there are bytes after the end"));
    }
    if outer.tag != SEQUENCE {
        return Err(CertificateError::NotCertificate(
            "it does not start with a SEQUENCE",
        ));
    }
    check_nested(outer.content, 1)?;
    let (tbs, rest) = expect(outer.content, SEQUENCE, "the signed part is missing")?;
    let (_, rest) = expect(rest, SEQUENCE, "the signature algorithm is missing")?;
    let (_, rest) = expect(rest, BIT_STRING, "the signature is missing")?;
    if !rest.is_empty() {
        return Err(CertificateError::NotCertificate(
            "it has extra top-level fields",
        ));
    }
    // tbsCertificate: [0] version (optional), serial, signature, issuer, validity, subject, …
    let mut fields = tbs;
    if fields.first() == Some(&VERSION_TAG) {
        fields = read_tlv(fields)?.1;
    }
    let (_, fields) = expect(fields, INTEGER, "the serial number is missing")?;
    let (_, fields) = expect(fields, SEQUENCE, "the signature algorithm is missing")?;
    let (_, fields) = expect(fields, SEQUENCE, "the issuer is missing")?;
    let (validity, fields) = expect(fields, SEQUENCE, "the validity is missing")?;
    let (subject, _) = expect(fields, SEQUENCE, "the subject is missing")?;
    let (not_before, rest) = read_tlv(validity)?;
    let (not_after, _) = read_tlv(rest)?;
    for time in [&not_before, &not_after] {
        if time.tag != UTC_TIME && time.tag != GENERALIZED_TIME {
            return Err(CertificateError::NotCertificate(
                "the validity dates are not times",
            ));
        }
    }
    Ok(CertificateFields {
        subject,
        not_before,
        not_after,
    })
}

/// The first CN (OID 2.5.4.3) of a Name.
fn common_name(mut name: &[u8]) -> Option<String> {
    const CN: [u8; 3] = [0x55, 0x04, 0x03];
    while !name.is_empty() {
        let (rdn, rest) = read_tlv(name).ok()?;
        name = rest;
        if rdn.tag != SET {
            continue;
        }
        let mut attributes = rdn.content;
        while !attributes.is_empty() {
            let (attribute, rest) = read_tlv(attributes).ok()?;
            attributes = rest;
            let (oid, value) = expect(attribute.content, OID, "").ok()?;
            if oid == CN {
                let (value, _) = read_tlv(value).ok()?;
                return Some(String::from_utf8_lossy(value.content).into_owned());
            }
        }
    }
    None
}

/// UTCTime `YYMMDDHHMMSSZ` (years 1950–2049) or GeneralizedTime `YYYYMMDDHHMMSSZ`.
fn asn1_time(time: Tlv<'_>) -> Option<i64> {
    let text = std::str::from_utf8(time.content).ok()?;
    let digits = text.strip_suffix('Z')?;
    // Digits only before any slicing: a multi-byte character must not split.
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let full = match (time.tag, digits.len()) {
        (UTC_TIME, 12) => {
            let yy: u32 = digits[..2].parse().ok()?;
            let century = if yy >= 50 { "19" } else { "20" };
            format!("{century}{digits}")
        }
        (GENERALIZED_TIME, 14) => digits.to_owned(),
        _ => return None,
    };
    parse_rfc3339(&format!(
        "{}-{}-{}T{}:{}:{}Z",
        &full[0..4],
        &full[4..6],
        &full[6..8],
        &full[8..10],
        &full[10..12],
        &full[12..14]
    ))
}

// ---------------------------------------------------------------- base64

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 0x3F]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Result<Vec<u8>, CertificateError> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    let mut padding = 0usize;
    let mut symbols = 0usize;
    for c in text.chars().filter(|c| !c.is_ascii_whitespace()) {
        if c == '=' {
            padding += 1;
            symbols += 1;
            continue;
        }
        if padding > 0 {
            return Err(CertificateError::NotBase64('='));
        }
        let value = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '+' => 62,
            '/' => 63,
            other => return Err(CertificateError::NotBase64(other)),
        };
        symbols += 1;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    if symbols == 0 {
        return Err(CertificateError::Empty);
    }
    if padding > 2
        || (padding > 0 && !symbols.is_multiple_of(4))
        || (padding == 0 && symbols % 4 == 1)
    {
        return Err(CertificateError::NotBase64('='));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("golden/configurator-cert.b64");

    fn check(input: &str, expect: Result<(), CertificateError>) {
        let got = Certificate::from_base64(input).map(|_| ());
        assert_eq!(got, expect, "{input:?}");
    }

    #[test]
    fn base64_round_trips() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            let text = base64_encode(bytes);
            assert_eq!(
                base64_decode(&text).ok(),
                (!bytes.is_empty()).then(|| bytes.to_vec())
            );
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
    }

    #[test]
    fn accepts_a_real_certificate_and_reads_its_summary() {
        check(FIXTURE, Ok(()));
        let wrapped: String = FIXTURE
            .trim()
            .as_bytes()
            .chunks(64)
            .map(|line| format!("{}\n", String::from_utf8_lossy(line)))
            .collect();
        check(&wrapped, Ok(()));
        let cert = Certificate::from_base64(FIXTURE).unwrap();
        assert_eq!(cert.to_base64(), FIXTURE.trim());
        let summary = cert.summary().unwrap();
        assert_eq!(
            summary.subject_common_name.as_deref(),
            Some("Depot Test Configurator")
        );
        assert_eq!(summary.not_before.rfc3339(), "2026-11-26T18:44:21Z");
        assert_eq!(summary.not_after.rfc3339(), "2036-11-23T18:44:21Z");
    }

    #[test]
    fn reads_der_and_pem_files() {
        let cert = Certificate::from_base64(FIXTURE).unwrap();
        assert_eq!(Certificate::from_file_bytes(cert.der()), Ok(cert.clone()));
        let pem =
            format!("junk\n-----BEGIN CERTIFICATE-----\n{FIXTURE}\n-----END CERTIFICATE-----\n");
        assert_eq!(Certificate::from_file_bytes(pem.as_bytes()), Ok(cert));
        assert_eq!(
            Certificate::from_file_bytes(b"-----BEGIN CERTIFICATE-----\nMIIB"),
            Err(CertificateError::NoPemBlock)
        );
    }

    #[test]
    fn rejects_what_is_not_a_certificate() {
        let der = Certificate::from_base64(FIXTURE).unwrap().der().to_vec();
        let truncated = base64_encode(&der[..der.len() - 1]);
        let mut trailing = der.clone();
        trailing.push(0);
        check("", Err(CertificateError::Empty));
        check("  \n", Err(CertificateError::Empty));
        check("MII*", Err(CertificateError::NotBase64('*')));
        check("Zm9v=YmFy", Err(CertificateError::NotBase64('=')));
        check(
            &truncated,
            Err(CertificateError::NotDer("a length runs past the end")),
        );
        check(
            &base64_encode(&trailing),
            Err(CertificateError::NotDer("there are bytes after the end")),
        );
        // "foobar": tag 0x66 — DER, but no certificate.
        check(
            "Zm9vYmFy",
            Err(CertificateError::NotDer("a length runs past the end")),
        );
        // SEQUENCE { INTEGER 1 }: DER, wrong shape.
        check(
            &base64_encode(&[0x30, 0x03, 0x02, 0x01, 0x01]),
            Err(CertificateError::NotCertificate(
                "the signed part is missing",
            )),
        );
        // INTEGER at top level.
        check(
            &base64_encode(&[0x02, 0x01, 0x01]),
            Err(CertificateError::NotCertificate(
                "it does not start with a SEQUENCE",
            )),
        );
        // Long-form length that should have been short.
        check(
            &base64_encode(&[0x30, 0x81, 0x03, 0x02, 0x01, 0x01]),
            Err(CertificateError::NotDer(
                "a length is not in its shortest form",
            )),
        );
        // Inner lengths inconsistent: the SEQUENCE says 3 but its child says 5.
        check(
            &base64_encode(&[0x30, 0x05, 0x30, 0x03, 0x02, 0x05, 0x01]),
            Err(CertificateError::NotDer("a length runs past the end")),
        );
    }
}
