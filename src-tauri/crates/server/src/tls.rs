//! TLS for `depot serve` (issue 14): rustls with the ring provider. Either
//! the admin's certificate and key (PEM files), or a self-signed certificate
//! Depot makes once and keeps next to the workspace, so its SHA-256
//! fingerprint stays the same across restarts (the desktop pins it).

use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A ready server configuration and the leaf certificate's fingerprint.
pub struct TlsMaterial {
    pub config: Arc<ServerConfig>,
    /// SHA-256 of the certificate (DER), `AA:BB:…`.
    pub fingerprint: String,
}

fn fingerprint(der: &[u8]) -> String {
    openssl::sha::sha256(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A configuration from PEM text: the certificate chain (leaf first) and its
/// private key. Bad input is a message saying what is wrong, never a panic.
pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<TlsMaterial, String> {
    let certs: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut &cert_pem[..])
        .collect::<Result<_, _>>()
        .map_err(|e| format!("the certificate file is not readable PEM: {e}"))?;
    let Some(leaf) = certs.first() else {
        return Err(
            "the certificate file holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)"
                .into(),
        );
    };
    let fingerprint = fingerprint(leaf.as_ref());
    let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut &key_pem[..])
        .map_err(|e| format!("the key file is not readable PEM: {e}"))?
        .ok_or("the key file holds no private key (expected PEM: -----BEGIN PRIVATE KEY-----)")?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("the certificate and the key do not go together: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsMaterial {
        config: Arc::new(config),
        fingerprint,
    })
}

/// Reads `--tls-cert` and `--tls-key`.
pub fn from_files(cert: &Path, key: &Path) -> Result<TlsMaterial, String> {
    let read = |path: &Path, what: &str| {
        std::fs::read(path).map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))
    };
    from_pem(&read(cert, "certificate")?, &read(key, "key")?)
}

/// `--self-signed`: the certificate kept in `dir` (made on first use, for
/// `names`: host names or IP addresses), key readable only by the owner.
pub fn self_signed(dir: &Path, names: &[String]) -> Result<TlsMaterial, String> {
    let cert_path = dir.join("server-cert.pem");
    let key_path = dir.join("server-key.pem");
    if !cert_path.exists() || !key_path.exists() {
        let made = rcgen::generate_simple_self_signed(names.to_vec())
            .map_err(|e| format!("could not make a self-signed certificate: {e}"))?;
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        write_private(&key_path, made.key_pair.serialize_pem().as_bytes())?;
        std::fs::write(&cert_path, made.cert.pem())
            .map_err(|e| format!("cannot write {}: {e}", cert_path.display()))?;
    }
    from_files(&cert_path, &key_path)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_is_kept_and_bad_files_are_explained() {
        let dir = std::env::temp_dir().join(format!("depot-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let first = self_signed(&dir, &names).unwrap();
        let again = self_signed(&dir, &names).unwrap();
        assert_eq!(first.fingerprint, again.fingerprint, "kept across restarts");
        assert_eq!(first.fingerprint.len(), 32 * 3 - 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("server-key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let cert = std::fs::read(dir.join("server-cert.pem")).unwrap();
        let key = std::fs::read(dir.join("server-key.pem")).unwrap();
        for (c, k, says) in [
            (&b"not pem"[..], &key[..], "no certificate"),
            (&cert[..], &b""[..], "no private key"),
            (&key[..], &key[..], "no certificate"),
        ] {
            let err = from_pem(c, k).err().unwrap();
            assert!(err.contains(says), "{err}");
        }
        let other = rcgen::generate_simple_self_signed(vec!["other".to_owned()]).unwrap();
        let err = from_pem(&cert, other.key_pair.serialize_pem().as_bytes())
            .err()
            .unwrap();
        assert!(err.contains("do not go together"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
