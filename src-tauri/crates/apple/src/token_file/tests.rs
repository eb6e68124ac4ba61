//! Token file fixtures are generated here, with the openssl crate and the
//! `openssl` command line (the commands are spelled out below), never committed.

use std::io::Write;
use std::process::Command;

use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::stack::Stack;
use openssl::symm::Cipher;

use super::*;

const NOW: UnixSeconds = UnixSeconds::new(1_790_000_000);
const EXPIRY: &str = "2027-06-01T10:00:00Z";

fn inner(json: &str, crlf_headers: bool, markers: bool) -> Vec<u8> {
    let nl = if crlf_headers { "\r\n" } else { "\n" };
    let mut text = format!(
        "Content-Type: text/plain;charset=UTF-8{nl}Content-Transfer-Encoding: 7bit{nl}{nl}"
    );
    if markers {
        text.push_str(&format!("{BEGIN}\n{json}\n{END}\n"));
    } else {
        text.push_str(json);
    }
    text.into_bytes()
}

fn good_json() -> String {
    format!(
        r#"{{"consumer_key":"CK_0011","consumer_secret":"CS_2233","access_token":"AT_O1O2O3","access_secret":"AS_4455","access_token_expiry":"{EXPIRY}"}}"#
    )
}

/// DER EnvelopedData (what `openssl smime -encrypt` writes), RSA + AES-128-CBC.
fn der_envelope(keys: &TokenKeyPair, plaintext: &[u8]) -> Vec<u8> {
    let mut certs = Stack::new().unwrap();
    certs.push(keys.certificate().unwrap()).unwrap();
    let cms = CmsContentInfo::encrypt(&certs, plaintext, Cipher::aes_128_cbc(), CMSOptions::BINARY)
        .unwrap();
    cms.to_der().unwrap()
}

/// Apple's outer MIME wrapping around base64 in 76-column lines.
fn apple_mime(cms: &[u8], newline: &str) -> Vec<u8> {
    let b64 = openssl::base64::encode_block(cms);
    let mut out = [
        "Content-Type: application/pkcs7-mime; name=\"smime.p7m\"; smime-type=enveloped-data",
        "Content-Transfer-Encoding: base64",
        "Content-Disposition: attachment; filename=\"smime.p7m\"",
        "Content-Description: S/MIME Encrypted Message",
        "",
    ]
    .join(newline);
    out.push_str(newline);
    for chunk in b64.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push_str(newline);
    }
    out.into_bytes()
}

/// `openssl <args>` with the certificate and plaintext in a temp folder.
fn openssl_cli(keys: &TokenKeyPair, plaintext: &[u8], args: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let input = dir.path().join("inner.txt");
    std::fs::write(&cert, keys.certificate_pem()).unwrap();
    std::fs::File::create(&input)
        .unwrap()
        .write_all(plaintext)
        .unwrap();
    let out = Command::new("openssl")
        .args(args)
        .arg("-in")
        .arg(&input)
        .arg(&cert)
        .output()
        .expect("the openssl command line is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn keys() -> TokenKeyPair {
    TokenKeyPair::generate("fixture", NOW - 86_400).unwrap()
}

fn expect_ok(file: &[u8], keys: &TokenKeyPair) {
    let token = decrypt_token_file(file, keys, NOW).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(token.credentials.consumer_key.expose(), "CK_0011");
    assert_eq!(token.credentials.consumer_secret.expose(), "CS_2233");
    assert_eq!(token.credentials.access_token.expose(), "AT_O1O2O3");
    assert_eq!(token.credentials.access_secret.expose(), "AS_4455");
    assert_eq!(Some(token.expires_at.get()), parse_rfc3339(EXPIRY));
}

#[test]
fn accepts_ber_from_openssl_cms_stream() {
    // openssl cms -encrypt -stream -binary -aes128 -outform DER -in inner.txt cert.pem
    // With -stream, the "DER" output uses indefinite lengths: BER, like Apple's files.
    let keys = keys();
    let ber = openssl_cli(
        &keys,
        &inner(&good_json(), true, true),
        &[
            "cms", "-encrypt", "-stream", "-binary", "-aes128", "-outform", "DER",
        ],
    );
    assert_eq!(
        &ber[..2],
        &[0x30, 0x80],
        "the fixture is BER with indefinite lengths"
    );
    expect_ok(&apple_mime(&ber, "\n"), &keys);
    expect_ok(&apple_mime(&ber, "\r\n"), &keys);
    expect_ok(&ber, &keys); // a raw binary download
}

#[test]
fn accepts_der_from_openssl_smime_with_its_own_headers() {
    // openssl smime -encrypt -aes128 -binary -in inner.txt cert.pem
    // writes MIME-Version first and application/x-pkcs7-mime.
    let keys = keys();
    let smime = openssl_cli(
        &keys,
        &inner(&good_json(), true, true),
        &["smime", "-encrypt", "-aes128", "-binary"],
    );
    let text = String::from_utf8(smime.clone()).unwrap();
    assert!(text.starts_with("MIME-Version: 1.0"), "{text}");
    assert!(text.contains("application/x-pkcs7-mime"), "{text}");
    expect_ok(&smime, &keys);
}

#[test]
fn accepts_lf_crlf_and_missing_markers_and_headers() {
    let keys = keys();
    for (crlf, markers) in [(true, true), (false, true), (true, false), (false, false)] {
        let der = der_envelope(&keys, &inner(&good_json(), crlf, markers));
        expect_ok(&apple_mime(&der, "\n"), &keys);
        expect_ok(&apple_mime(&der, "\r\n"), &keys);
    }
    // No inner headers at all, just the JSON.
    let der = der_envelope(&keys, good_json().as_bytes());
    expect_ok(&apple_mime(&der, "\n"), &keys);
    // No outer headers: bare base64.
    let bare = openssl::base64::encode_block(&der);
    expect_ok(bare.as_bytes(), &keys);
}

fn check_err(file: &[u8], keys: &TokenKeyPair, expect: impl Fn(&TokenFileError) -> bool) {
    match decrypt_token_file(file, keys, NOW) {
        Ok(_) => panic!("expected an error"),
        Err(e) => assert!(expect(&e), "unexpected error: {e:?}"),
    }
}

#[test]
fn each_failure_has_its_own_error() {
    let keys = keys();
    let good = apple_mime(
        &der_envelope(&keys, &inner(&good_json(), true, true)),
        "\r\n",
    );

    // Not a token file: a picture, a text note, a PEM certificate, an empty file.
    let not_token = |e: &TokenFileError| matches!(e, TokenFileError::NotATokenFile(_));
    check_err(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &keys, not_token);
    check_err(b"Dear admin, here is the token.\n", &keys, not_token);
    check_err(keys.certificate_pem().as_bytes(), &keys, not_token);
    check_err(b"", &keys, not_token);
    check_err(
        b"Content-Type: text/html\n\n<html></html>",
        &keys,
        not_token,
    );

    // Encrypted to a different key.
    let other = TokenKeyPair::generate("other", NOW).unwrap();
    check_err(&good, &other, |e| matches!(e, TokenFileError::WrongKey));

    // Corrupted: truncated, bit-flipped, not base64 under pkcs7 headers.
    let corrupted = |e: &TokenFileError| matches!(e, TokenFileError::Corrupted(_));
    check_err(&good[..good.len() / 2], &keys, corrupted);
    let body_start = good.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut flipped = good.clone();
    let target = body_start + (good.len() - body_start) * 3 / 4;
    flipped[target] = if flipped[target] == b'A' { b'B' } else { b'A' };
    check_err(&flipped, &keys, corrupted);
    let mut not_b64 = good[..body_start].to_vec();
    not_b64.extend_from_slice(b"this is ~not~ base64 at all!!\r\n");
    check_err(&not_b64, &keys, corrupted);

    // Wrong JSON inside.
    let wrong = apple_mime(
        &der_envelope(&keys, &inner("{\"hello\": ", true, true)),
        "\n",
    );
    check_err(&wrong, &keys, corrupted);

    // Missing credentials, named.
    let partial = format!(
        r#"{{"consumer_key":"CK_1","access_token":"AT_1","access_token_expiry":"{EXPIRY}"}}"#
    );
    let missing = apple_mime(&der_envelope(&keys, &inner(&partial, true, true)), "\n");
    check_err(
        &missing,
        &keys,
        |e| matches!(e, TokenFileError::MissingCredentials(names) if names == &["consumer_secret", "access_secret"]),
    );

    // Expired.
    let old = good_json().replace(EXPIRY, "2026-01-01T00:00:00Z");
    let expired = apple_mime(&der_envelope(&keys, &inner(&old, true, true)), "\n");
    check_err(&expired, &keys, |e| {
        matches!(e, TokenFileError::Expired { .. })
    });
    let message = decrypt_token_file(&expired, &keys, NOW)
        .unwrap_err()
        .to_string();
    assert!(message.contains("2026-01-01"), "{message}");
}

#[test]
fn error_messages_never_contain_credentials() {
    let keys = keys();
    let partial = r#"{"consumer_key":"CK_SECRETVALUE","access_token":"AT_SECRETVALUE"}"#;
    let file = apple_mime(&der_envelope(&keys, &inner(partial, true, true)), "\n");
    let err = decrypt_token_file(&file, &keys, NOW).unwrap_err();
    assert!(!format!("{err} {err:?}").contains("SECRETVALUE"));
}

/// Property tests of the `.p7m` reader (issue 11): whatever the file holds —
/// noise, a real token file cut short, bytes flipped, headers mangled, a
/// plaintext with odd JSON — the answer is a token or an error, never a panic.
mod properties {
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;

    /// One key pair and one real token file for every case (RSA key generation
    /// is the slow part).
    fn fixture() -> &'static (TokenKeyPair, Vec<u8>) {
        static FIXTURE: OnceLock<(TokenKeyPair, Vec<u8>)> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let keys = keys();
            let file = apple_mime(
                &der_envelope(&keys, &inner(&good_json(), true, true)),
                "\r\n",
            );
            (keys, file)
        })
    }

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(256),
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    #[derive(Debug, Clone)]
    enum Damage {
        Truncate(usize),
        Flip(usize, u8),
        Insert(usize, Vec<u8>),
        Drop(usize, usize),
    }

    fn damage() -> impl Strategy<Value = Damage> {
        prop_oneof![
            any::<usize>().prop_map(Damage::Truncate),
            (any::<usize>(), 1..=255u8).prop_map(|(at, x)| Damage::Flip(at, x)),
            (
                any::<usize>(),
                proptest::collection::vec(
                    prop_oneof![any::<u8>(), Just(b'\n'), Just(b'='), Just(0xE2)],
                    1..16
                )
            )
                .prop_map(|(at, bytes)| Damage::Insert(at, bytes)),
            (any::<usize>(), 1..64usize).prop_map(|(at, n)| Damage::Drop(at, n)),
        ]
    }

    fn apply(file: &[u8], damage: &Damage) -> Vec<u8> {
        let mut out = file.to_vec();
        let at = |i: usize| if out.is_empty() { 0 } else { i % out.len() };
        match damage {
            Damage::Truncate(n) => {
                let n = at(*n);
                out.truncate(n);
            }
            Damage::Flip(i, x) => {
                let i = at(*i);
                if let Some(b) = out.get_mut(i) {
                    *b ^= x;
                }
            }
            Damage::Insert(i, bytes) => {
                let i = at(*i);
                out.splice(i..i, bytes.iter().copied());
            }
            Damage::Drop(i, n) => {
                let i = at(*i);
                let end = (i + n).min(out.len());
                out.drain(i..end);
            }
        }
        out
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn noise_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let (keys, _) = fixture();
            prop_assert!(decrypt_token_file(&bytes, keys, NOW).is_err());
        }

        #[test]
        fn a_damaged_token_file_is_a_token_or_an_error(
            damages in proptest::collection::vec(damage(), 1..4)
        ) {
            let (keys, file) = fixture();
            let mut bytes = file.clone();
            for d in &damages {
                bytes = apply(&bytes, d);
            }
            // A flip inside a header line can leave the file readable: fine.
            let _ = decrypt_token_file(&bytes, keys, NOW);
        }

        #[test]
        fn odd_plaintexts_are_refused_or_read(
            json in prop_oneof![
                "[ -~]{0,200}",
                Just(String::from("{\"consumer_key\":\"\u{20ac}\",\"access_token_expiry\":\"\u{20ac}2027-06-01T10:00:00Z\"}")),
                Just(String::from("{\"access_token_expiry\":\"99999999999-01-01T00:00:00+0000\"}")),
                Just(String::from("{\"access_token_expiry\":\"2027-06-01T10:00:00\u{e9}0000\"}")),
            ],
            crlf in any::<bool>(),
            markers in any::<bool>(),
        ) {
            let (keys, _) = fixture();
            let file = apple_mime(&der_envelope(keys, &inner(&json, crlf, markers)), "\n");
            let _ = decrypt_token_file(&file, keys, NOW);
        }
    }
}
