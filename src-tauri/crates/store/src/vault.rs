//! Secrets at rest (TOK-3): AES-256-GCM under a 32-byte workspace key that a
//! [`KeyProvider`] supplies — the OS keychain by default, an owner-only key
//! file when configured (headless machines, CI), a fixed key in tests.
//!
//! Blob layout: `version (1) | nonce (12) | tag (16) | ciphertext`. The purpose
//! string (e.g. `token-credentials`) is authenticated data, so a blob cannot be
//! moved to another column and still decrypt.

use std::fmt;
use std::path::{Path, PathBuf};

use openssl::symm::{Cipher, decrypt_aead, encrypt_aead};
use rusqlite::OptionalExtension;

use crate::{Db, Result, StoreError};

const BLOB_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const KEY_CHECK_PLAINTEXT: &[u8] = b"depot-vault-key-check";
const KEY_CHECK_PURPOSE: &str = "vault-key-check";

/// The keychain service name Depot's workspace keys are stored under.
pub const KEYCHAIN_SERVICE: &str = "Depot workspace key";

/// How the workspace key is kept, for the Settings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    Keychain,
    KeyFile,
    TestKey,
}

/// A 256-bit key. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct WorkspaceKey([u8; 32]);

impl fmt::Debug for WorkspaceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WorkspaceKey([redacted])")
    }
}

impl WorkspaceKey {
    fn random() -> Result<Self, VaultError> {
        let mut key = [0u8; 32];
        openssl::rand::rand_bytes(&mut key).map_err(|e| VaultError::Crypto(e.to_string()))?;
        Ok(Self(key))
    }

    fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn from_hex(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
        }
        Some(Self(key))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(
        "Depot could not use the OS keychain ({0}). On a machine without one, set DEPOT_KEY_FILE to a file path and Depot keeps the workspace key there (readable only by you)"
    )]
    Keychain(String),
    #[error("the key file {path} cannot be used: {reason}")]
    KeyFile { path: PathBuf, reason: String },
    #[error(
        "the workspace key does not open this workspace's secrets: they were encrypted with another key (a different keychain entry or key file). Use the key this workspace was created with"
    )]
    WrongKey,
    #[error("a stored secret is damaged and cannot be decrypted ({0})")]
    Damaged(String),
    #[error("encryption failed: {0}")]
    Crypto(String),
}

/// Supplies the workspace key, creating it on first use.
pub trait KeyProvider: Send + Sync {
    fn workspace_key(&self, workspace_id: &str) -> Result<WorkspaceKey, VaultError>;
    fn protection(&self) -> Protection;
}

/// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service).
#[derive(Debug, Default)]
pub struct KeychainKeys;

impl KeyProvider for KeychainKeys {
    fn workspace_key(&self, workspace_id: &str) -> Result<WorkspaceKey, VaultError> {
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, workspace_id)
            .map_err(|e| VaultError::Keychain(e.to_string()))?;
        match entry.get_password() {
            Ok(hex) => WorkspaceKey::from_hex(&hex)
                .ok_or_else(|| VaultError::Keychain("the stored key is not 64 hex digits".into())),
            Err(keyring::Error::NoEntry) => {
                let key = WorkspaceKey::random()?;
                entry
                    .set_password(&key.to_hex())
                    .map_err(|e| VaultError::Keychain(e.to_string()))?;
                Ok(key)
            }
            Err(e) => Err(VaultError::Keychain(e.to_string())),
        }
    }

    fn protection(&self) -> Protection {
        Protection::Keychain
    }
}

/// A key file readable only by its owner (created so if missing).
#[derive(Debug, Clone)]
pub struct KeyFile {
    path: PathBuf,
}

impl KeyFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, reason: impl Into<String>) -> VaultError {
        VaultError::KeyFile {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }
}

impl KeyProvider for KeyFile {
    fn workspace_key(&self, _workspace_id: &str) -> Result<WorkspaceKey, VaultError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => {
                check_owner_only(&self.path).map_err(|reason| self.error(reason))?;
                WorkspaceKey::from_hex(&text)
                    .ok_or_else(|| self.error("it does not hold a 64-hex-digit key"))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = WorkspaceKey::random()?;
                write_owner_only(&self.path, &key.to_hex())
                    .map_err(|e| self.error(e.to_string()))?;
                Ok(key)
            }
            Err(e) => Err(self.error(e.to_string())),
        }
    }

    fn protection(&self) -> Protection {
        Protection::KeyFile
    }
}

#[cfg(unix)]
fn check_owner_only(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| e.to_string())?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "other users can read it (permissions {:o}); run `chmod 600` on it",
            mode & 0o777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_only(_path: &Path) -> Result<(), String> {
    Ok(())
}

fn write_owner_only(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// A fixed key, for tests only.
#[derive(Debug, Clone)]
pub struct FixedKey(pub [u8; 32]);

impl KeyProvider for FixedKey {
    fn workspace_key(&self, _workspace_id: &str) -> Result<WorkspaceKey, VaultError> {
        Ok(WorkspaceKey(self.0))
    }

    fn protection(&self) -> Protection {
        Protection::TestKey
    }
}

/// An open vault: encrypts and decrypts with the workspace key.
pub struct Vault {
    key: WorkspaceKey,
    workspace_id: String,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("workspace_id", &self.workspace_id)
            .finish_non_exhaustive()
    }
}

impl Vault {
    pub fn workspace_id(&self) -> &str {
        &self.workspace_id
    }

    pub fn encrypt(&self, purpose: &str, plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        let mut nonce = [0u8; NONCE_LEN];
        openssl::rand::rand_bytes(&mut nonce).map_err(|e| VaultError::Crypto(e.to_string()))?;
        let mut tag = [0u8; TAG_LEN];
        let ciphertext = encrypt_aead(
            Cipher::aes_256_gcm(),
            &self.key.0,
            Some(&nonce),
            purpose.as_bytes(),
            plaintext,
            &mut tag,
        )
        .map_err(|e| VaultError::Crypto(e.to_string()))?;
        let mut blob = Vec::with_capacity(1 + NONCE_LEN + TAG_LEN + ciphertext.len());
        blob.push(BLOB_VERSION);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&tag);
        blob.extend_from_slice(&ciphertext);
        Ok(blob)
    }

    pub fn decrypt(&self, purpose: &str, blob: &[u8]) -> Result<Vec<u8>, VaultError> {
        if blob.len() < 1 + NONCE_LEN + TAG_LEN || blob[0] != BLOB_VERSION {
            return Err(VaultError::Damaged(format!("{purpose}: unknown format")));
        }
        let (nonce, rest) = blob[1..].split_at(NONCE_LEN);
        let (tag, ciphertext) = rest.split_at(TAG_LEN);
        decrypt_aead(
            Cipher::aes_256_gcm(),
            &self.key.0,
            Some(nonce),
            purpose.as_bytes(),
            ciphertext,
            tag,
        )
        .map_err(|_| VaultError::Damaged(format!("{purpose}: authentication failed")))
    }
}

impl Db {
    /// Opens the workspace's vault with `keys`, creating it on first use.
    pub fn open_vault(&self, keys: &dyn KeyProvider) -> Result<Vault> {
        let row: Option<(String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT workspace_id, key_check FROM vault WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            Some((workspace_id, check)) => {
                let key = keys.workspace_key(&workspace_id)?;
                let vault = Vault { key, workspace_id };
                match vault.decrypt(KEY_CHECK_PURPOSE, &check) {
                    Ok(plain) if plain == KEY_CHECK_PLAINTEXT => Ok(vault),
                    _ => Err(VaultError::WrongKey.into()),
                }
            }
            None => {
                let mut id = [0u8; 16];
                openssl::rand::rand_bytes(&mut id)
                    .map_err(|e| VaultError::Crypto(e.to_string()))?;
                let workspace_id: String = id.iter().map(|b| format!("{b:02x}")).collect();
                let key = keys.workspace_key(&workspace_id)?;
                let vault = Vault { key, workspace_id };
                let check = vault.encrypt(KEY_CHECK_PURPOSE, KEY_CHECK_PLAINTEXT)?;
                self.conn.execute(
                    "INSERT INTO vault (id, workspace_id, key_check) VALUES (1, ?1, ?2)",
                    rusqlite::params![vault.workspace_id, check],
                )?;
                Ok(vault)
            }
        }
    }
}

impl From<VaultError> for StoreError {
    fn from(err: VaultError) -> Self {
        StoreError::Vault(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;

    #[test]
    fn round_trips_and_binds_the_purpose() {
        let ws = Workspace::open_in_memory().unwrap();
        let vault = ws
            .connect()
            .unwrap()
            .open_vault(&FixedKey([7; 32]))
            .unwrap();
        let blob = vault.encrypt("token-credentials", b"AS_secret").unwrap();
        assert!(!blob.windows(9).any(|w| w == b"AS_secret"));
        assert_eq!(
            vault.decrypt("token-credentials", &blob).unwrap(),
            b"AS_secret"
        );
        assert!(matches!(
            vault.decrypt("private-key", &blob),
            Err(VaultError::Damaged(_))
        ));
        let mut flipped = blob.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(matches!(
            vault.decrypt("token-credentials", &flipped),
            Err(VaultError::Damaged(_))
        ));
    }

    #[test]
    fn the_same_vault_reopens_and_a_wrong_key_is_named() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        let first = db.open_vault(&FixedKey([1; 32])).unwrap();
        let again = db.open_vault(&FixedKey([1; 32])).unwrap();
        assert_eq!(first.workspace_id(), again.workspace_id());
        let blob = first.encrypt("p", b"x").unwrap();
        assert_eq!(again.decrypt("p", &blob).unwrap(), b"x");
        let err = db.open_vault(&FixedKey([2; 32])).unwrap_err();
        assert!(
            matches!(err, StoreError::Vault(VaultError::WrongKey)),
            "{err:?}"
        );
    }

    #[test]
    fn a_key_file_is_created_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/workspace.key");
        let file = KeyFile::new(&path);
        let a = file.workspace_key("ws").unwrap();
        let b = file.workspace_key("ws").unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = file.workspace_key("ws").unwrap_err();
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
    }

    #[test]
    fn a_damaged_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("workspace.key");
        write_owner_only(&path, "not a key").unwrap();
        let err = KeyFile::new(&path).workspace_key("ws").unwrap_err();
        assert!(err.to_string().contains("64-hex-digit"), "{err}");
    }

    #[test]
    fn keys_never_show_in_debug_output() {
        let key = WorkspaceKey([9; 32]);
        assert_eq!(format!("{key:?}"), "WorkspaceKey([redacted])");
        let ws = Workspace::open_in_memory().unwrap();
        let vault = ws
            .connect()
            .unwrap()
            .open_vault(&FixedKey([0xA7; 32]))
            .unwrap();
        // The workspace id is random hex, so look for the key's byte patterns
        // rather than short substrings that an id may contain by chance.
        let shown = format!("{vault:?}").to_lowercase();
        for leak in ["a7a7a7a7", "167, 167", "0xa7"] {
            assert!(!shown.contains(leak), "{shown}");
        }
    }
}
