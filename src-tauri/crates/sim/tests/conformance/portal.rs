//! Spec §1 / SIM-2: the portal's `.p7m`, checked with the `openssl` command line.

use std::path::Path;
use std::process::Command;

use depot_sim::Credentials;
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::{X509, X509NameBuilder};

use crate::support::*;

/// An MDM-side key pair and self-signed certificate like nanodep's (spec §1.2).
fn key_and_cert() -> (PKey<Private>, X509) {
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "depot-conformance")
        .unwrap();
    let name = name.build();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    b.set_serial_number(&BigNum::from_u32(1).unwrap().to_asn1_integer().unwrap())
        .unwrap();
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

async fn download(url: &str, cert: &X509) -> reqwest::Response {
    http()
        .post(url)
        .header("Content-Type", "application/x-pem-file")
        .body(cert.to_pem().unwrap())
        .send()
        .await
        .unwrap()
}

fn openssl_decrypt(
    dir: &Path,
    file: &Path,
    inform: &str,
    key: &PKey<Private>,
    cert: &X509,
) -> String {
    let key_path = dir.join("key.pem");
    let cert_path = dir.join("cert.pem");
    std::fs::write(&key_path, key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    std::fs::write(&cert_path, cert.to_pem().unwrap()).unwrap();
    let out = Command::new("openssl")
        .args(["cms", "-decrypt", "-inform", inform, "-in"])
        .arg(file)
        .arg("-inkey")
        .arg(&key_path)
        .arg("-recip")
        .arg(&cert_path)
        .output()
        .expect("the openssl command line is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Spec §1.4: strip the inner MIME headers, take the text between the markers.
fn token_json(plaintext: &str) -> Credentials {
    let (headers, body) = plaintext.split_once("\r\n\r\n").expect("CRLF header block");
    assert!(
        headers.contains("Content-Type: text/plain;charset=UTF-8"),
        "{headers}"
    );
    let inner = body
        .strip_prefix("-----BEGIN MESSAGE-----\n")
        .and_then(|b| b.strip_suffix("-----END MESSAGE-----\n"))
        .unwrap_or_else(|| panic!("markers: {body:?}"));
    serde_json::from_str(inner.trim()).unwrap()
}

#[tokio::test]
async fn p7m_is_apple_shaped_ber_and_decrypts_with_openssl_cli() {
    let sim = start(5).await;
    let (key, cert) = key_and_cert();
    let resp = download(&sim.portal_token_url(SERVER), &cert).await;
    assert_eq!(resp.status(), 200);
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"{SERVER}_Token_2026-01-01T00-00-00Z_smime.p7m\"")
    );
    let text = resp.text().await.unwrap();
    let (headers, b64) = text.split_once("\n\n").unwrap();
    assert_eq!(
        headers,
        "Content-Type: application/pkcs7-mime; name=\"smime.p7m\"; smime-type=enveloped-data\n\
         Content-Transfer-Encoding: base64\n\
         Content-Disposition: attachment; filename=\"smime.p7m\"\n\
         Content-Description: S/MIME Encrypted Message"
    );
    assert!(
        b64.starts_with("MIAG"),
        "BER indefinite length: {}",
        &b64[..10]
    );
    assert!(b64.lines().all(|l| l.len() <= 76));
    let der = openssl::base64::decode_block(&b64.replace('\n', "")).unwrap();
    assert_eq!(&der[..2], &[0x30, 0x80]);

    let dir = tempfile::tempdir().unwrap();
    let p7m = dir.path().join("token.p7m");
    std::fs::write(&p7m, &text).unwrap();
    let plain = openssl_decrypt(dir.path(), &p7m, "SMIME", &key, &cert);
    let creds = token_json(&plain);
    assert_eq!(Some(creds.clone()), sim.credentials(SERVER));
    assert!(creds.consumer_key.starts_with("CK_"));
    assert!(creds.consumer_secret.starts_with("CS_"));
    assert!(creds.access_token.starts_with("AT_O"));
    assert!(creds.access_secret.starts_with("AS_"));
    assert_eq!(
        creds.access_token_expiry, "2027-01-01T00:00:00Z",
        "one year ahead"
    );
    // The raw BER decrypts the same way.
    let ber = dir.path().join("token.ber");
    std::fs::write(&ber, &der).unwrap();
    assert_eq!(openssl_decrypt(dir.path(), &ber, "DER", &key, &cert), plain);

    // Openssl's own view of the structure: aes-128-cbc, one RSA recipient.
    let out = Command::new("openssl")
        .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"])
        .arg(&ber)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("aes-128-cbc"), "{printed}");
    assert!(printed.contains("rsaEncryption"), "{printed}");
}

#[tokio::test]
async fn renewal_keeps_identity_and_revokes_the_old_token() {
    let sim = start(5).await;
    let (key, cert) = key_and_cert();
    let dir = tempfile::tempdir().unwrap();
    let mut issued = Vec::new();
    for i in 0..2 {
        let text = download(&sim.portal_token_url(SERVER), &cert)
            .await
            .text()
            .await
            .unwrap();
        let p = dir.path().join(format!("t{i}.p7m"));
        std::fs::write(&p, text).unwrap();
        issued.push(token_json(&openssl_decrypt(
            dir.path(),
            &p,
            "SMIME",
            &key,
            &cert,
        )));
    }
    assert_eq!(issued[0].consumer_key, issued[1].consumer_key);
    assert_ne!(issued[0].access_token, issued[1].access_token);
    let api = Api::new(&sim);
    let ts = sim.now();
    api.session_call(&issued[0], ts, &fresh_nonce())
        .await
        .assert_error(401, "UNAUTHORIZED");
    let mut api = Api::login(&sim, SERVER).await;
    let account = api.call("GET", "/account", None).await.json();
    assert_eq!(account["server_name"], SERVER);
    let uuid_before = account["server_uuid"].clone();
    let r = api.session_call(&issued[1], ts, &fresh_nonce()).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        api.call("GET", "/account", None).await.json()["server_uuid"],
        uuid_before
    );
}

#[tokio::test]
async fn portal_creates_new_servers_and_rejects_bad_uploads() {
    let sim = start(5).await;
    let (key, cert) = key_and_cert();
    let url = format!(
        "{}/portal/servers/New%20Server/token?org=Globex&devices=12",
        sim.base_url()
    );
    let text = download(&url, &cert).await.text().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.p7m");
    std::fs::write(&p, text).unwrap();
    let creds = token_json(&openssl_decrypt(dir.path(), &p, "SMIME", &key, &cert));
    assert_eq!(sim.credentials("New Server"), Some(creds));
    let mut api = Api::login(&sim, "New Server").await;
    let account = api.call("GET", "/account", None).await.json();
    assert_eq!(
        (account["server_name"].clone(), account["org_name"].clone()),
        ("New Server".into(), "Globex".into())
    );
    let (devices, _, _) = api.fetch_all(100).await;
    assert_eq!(devices.len(), 12);

    let bad = http()
        .post(sim.portal_token_url("Another"))
        .body("not a certificate")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(
        sim.credentials("Another").is_none(),
        "nothing created on a bad upload"
    );
    let log = sim.request_log();
    assert!(
        log.iter()
            .any(|e| e.path.starts_with("/portal/") && e.status == 400)
    );
}
