//! Secrets at rest (TOK-3): AES-256-GCM under a 32-byte workspace key that a
//! [`KeyProvider`] supplies — the OS keychain by default, an owner-only key
//! file when configured (headless machines, CI), a fixed key in tests.
//!
//! Blob layout: `format (1) | nonce (12) | tag (16) | ciphertext`. Format 2
//! authenticates, as AEAD associated data, the blob's purpose, the workspace
//! id and the token id ([`SecretSlot`]): a blob copied to another column,
//! token or workspace fails to decrypt. Format 1 (older workspaces)
//! authenticated the purpose only; [`Db::open_vault`] re-encrypts such blobs
//! in one transaction before anything reads them.
//!
//! The key is never made up for a vault that already holds secrets: a missing
//! keychain entry or key file is an error that names the fix.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use depot_domain::{SecretBytes, TokenId};
use openssl::symm::{Cipher, decrypt_aead, encrypt_aead};
use rusqlite::{OptionalExtension, params};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

pub use depot_domain::records::Protection;

use crate::{Db, Result, StoreError};

/// Blobs written before associated data named the workspace and token.
const LEGACY_FORMAT: u8 = 1;
const FORMAT: u8 = 2;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const KEY_CHECK_PLAINTEXT: &[u8] = b"depot-vault-key-check";
/// A key file holds 64 hex digits and a newline; anything much larger is not one.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// The keychain service name Depot's workspace keys are stored under.
pub const KEYCHAIN_SERVICE: &str = "Depot workspace key";

/// What a blob is for and whom it belongs to: the associated data it is
/// sealed under (with the workspace id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSlot {
    /// The known value that tells a wrong key from damaged data.
    KeyCheck,
    /// The private key of the key pair waiting for Apple's token file.
    PendingPrivateKey,
    /// A token's four OAuth values and expiry (JSON).
    TokenCredentials(TokenId),
    /// The private key a token's server token is encrypted to.
    TokenPrivateKey(TokenId),
    /// An Apps and Books token's `.vpptoken` content.
    VppToken(depot_domain::VppTokenId),
    /// A webhook's URL (Slack and Teams URLs are secrets).
    WebhookUrl(i64),
    /// An organisation API account's private key (PEM).
    OrgKey(i64),
}

impl SecretSlot {
    /// The purpose string; format 1 authenticated only this.
    pub fn purpose(self) -> &'static str {
        match self {
            SecretSlot::KeyCheck => "vault-key-check",
            SecretSlot::PendingPrivateKey => "pending-private-key",
            SecretSlot::TokenCredentials(_) => "token-credentials",
            SecretSlot::TokenPrivateKey(_) => "token-private-key",
            SecretSlot::VppToken(_) => "vpp-token",
            SecretSlot::WebhookUrl(_) => "webhook-url",
            SecretSlot::OrgKey(_) => "org-key",
        }
    }

    /// The row the secret belongs to (bound into the associated data).
    fn row(self) -> Option<i64> {
        match self {
            SecretSlot::TokenCredentials(id) | SecretSlot::TokenPrivateKey(id) => Some(id.get()),
            SecretSlot::VppToken(id) => Some(id.get()),
            SecretSlot::WebhookUrl(id) | SecretSlot::OrgKey(id) => Some(id),
            SecretSlot::KeyCheck | SecretSlot::PendingPrivateKey => None,
        }
    }

    /// For messages: "the credentials of token 3".
    fn describe(self) -> String {
        match self {
            SecretSlot::KeyCheck => "key check".into(),
            SecretSlot::PendingPrivateKey => "private key of the waiting key pair".into(),
            SecretSlot::TokenCredentials(id) => format!("credentials of token {id}"),
            SecretSlot::TokenPrivateKey(id) => format!("private key of token {id}"),
            SecretSlot::VppToken(id) => format!("Apps and Books token {id}"),
            SecretSlot::WebhookUrl(id) => format!("URL of webhook {id}"),
            SecretSlot::OrgKey(id) => format!("private key of API account {id}"),
        }
    }

    /// Format 2 associated data: fields separated by NUL (none can hold one).
    fn associated_data(self, workspace_id: &str) -> Vec<u8> {
        let token = self.row().map(|t| t.to_string()).unwrap_or_default();
        format!("depot-vault/2\0{}\0{workspace_id}\0{token}", self.purpose()).into_bytes()
    }
}

/// A 256-bit key. `Debug` never shows it; wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct WorkspaceKey([u8; 32]);

impl fmt::Debug for WorkspaceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WorkspaceKey([redacted])")
    }
}

impl WorkspaceKey {
    fn random() -> Result<Self, VaultError> {
        let mut key = Self([0u8; 32]);
        openssl::rand::rand_bytes(&mut key.0).map_err(|e| VaultError::Crypto(e.to_string()))?;
        Ok(key)
    }

    /// The key as 64 hex digits (what a key file and the keychain hold).
    fn to_hex(&self) -> Zeroizing<String> {
        let mut hex = Zeroizing::new(String::with_capacity(64));
        for byte in &self.0 {
            hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
            hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xf)]));
        }
        hex
    }

    /// Parses 64 hex digits (surrounding whitespace allowed).
    pub fn from_hex(text: &str) -> Option<Self> {
        let text = text.trim().as_bytes();
        if text.len() != 64 {
            return None;
        }
        let digit = |c: u8| {
            char::from(c)
                .to_digit(16)
                .and_then(|d| u8::try_from(d).ok())
        };
        let mut key = Self([0u8; 32]);
        for (i, byte) in key.0.iter_mut().enumerate() {
            *byte = (digit(text[i * 2])? << 4) | digit(text[i * 2 + 1])?;
        }
        Some(key)
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
        "this workspace's secrets are encrypted, but its key is missing from {location}. Depot does not make a new key for a workspace that holds secrets. Restore the key there, import a saved copy with `depot workspace key import FILE`, or set DEPOT_KEY_FILE to the file that holds it"
    )]
    KeyMissing { location: String },
    #[error(
        "the workspace key does not open this workspace's secrets: they were encrypted with another key (a different keychain entry or key file). Use the key this workspace was created with, or import a saved copy with `depot workspace key import FILE`"
    )]
    WrongKey,
    #[error(
        "the stored {what} does not decrypt: it is damaged, or it was copied here from another token or workspace (each secret is bound to where Depot stored it)"
    )]
    NotAuthentic { what: String },
    #[error("a stored secret is damaged and cannot be decrypted ({0})")]
    Damaged(String),
    #[error(
        "this workspace holds no secrets yet, so it has no key to export or import (add a token first)"
    )]
    NoVault,
    #[error("encryption failed: {0}")]
    Crypto(String),
}

/// Keeps workspace keys: reads them, and stores a new or imported one.
pub trait KeyProvider: Send + Sync {
    /// The stored key of workspace `workspace_id`, or `None` if there is none.
    fn load(&self, workspace_id: &str) -> Result<Option<WorkspaceKey>, VaultError>;
    /// Stores `key` for `workspace_id` (a new vault, or an import). Never
    /// silently replaces a different key another workspace may need.
    fn store(&self, workspace_id: &str, key: &WorkspaceKey) -> Result<(), VaultError>;
    fn protection(&self) -> Protection;
    /// Where the key is kept, for messages ("the key file /x/workspace.key").
    fn location(&self, workspace_id: &str) -> String;
}

/// The OS keychain (macOS Keychain, Windows Credential Manager, Secret
/// Service): one entry per workspace id.
#[derive(Debug, Default)]
pub struct KeychainKeys;

impl KeychainKeys {
    fn entry(workspace_id: &str) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(KEYCHAIN_SERVICE, workspace_id)
            .map_err(|e| VaultError::Keychain(e.to_string()))
    }
}

impl KeyProvider for KeychainKeys {
    fn load(&self, workspace_id: &str) -> Result<Option<WorkspaceKey>, VaultError> {
        match Self::entry(workspace_id)?.get_password() {
            Ok(hex) => {
                let hex = Zeroizing::new(hex);
                WorkspaceKey::from_hex(&hex).map(Some).ok_or_else(|| {
                    VaultError::Keychain("the stored key is not 64 hex digits".into())
                })
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(VaultError::Keychain(e.to_string())),
        }
    }

    fn store(&self, workspace_id: &str, key: &WorkspaceKey) -> Result<(), VaultError> {
        // The entry is this workspace's own: an entry that is there holds a key
        // that did not open the vault (an import checked the new one first).
        Self::entry(workspace_id)?
            .set_password(&key.to_hex())
            .map_err(|e| VaultError::Keychain(e.to_string()))
    }

    fn protection(&self) -> Protection {
        Protection::Keychain
    }

    fn location(&self, workspace_id: &str) -> String {
        format!("the OS keychain (entry '{KEYCHAIN_SERVICE}', account {workspace_id})")
    }
}

/// A key file readable only by its owner. It may serve several workspaces,
/// so a file holding another key is never overwritten.
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
    fn load(&self, _workspace_id: &str) -> Result<Option<WorkspaceKey>, VaultError> {
        match std::fs::symlink_metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.error(e.to_string())),
            Ok(_) => {}
        }
        let text = read_owner_only(&self.path).map_err(|reason| self.error(reason))?;
        WorkspaceKey::from_hex(&text)
            .map(Some)
            .ok_or_else(|| self.error("it does not hold a 64-hex-digit key"))
    }

    fn store(&self, workspace_id: &str, key: &WorkspaceKey) -> Result<(), VaultError> {
        match self.load(workspace_id)? {
            Some(existing) if existing == *key => Ok(()),
            Some(_) => Err(self.error(
                "it already holds a different key (perhaps another workspace's); move it aside or set DEPOT_KEY_FILE to a new path",
            )),
            None => write_key_file(&self.path, key),
        }
    }

    fn protection(&self) -> Protection {
        Protection::KeyFile
    }

    fn location(&self, _workspace_id: &str) -> String {
        format!("the key file {} (DEPOT_KEY_FILE)", self.path.display())
    }
}

/// Writes `key` to a new file at `path` that only its owner can read (unix
/// mode 0600; on Windows an ACL granting only the owner). Refuses to replace
/// a file that is there. The file works as a `DEPOT_KEY_FILE`.
pub fn write_key_file(path: &Path, key: &WorkspaceKey) -> Result<(), VaultError> {
    let error = |reason: String| VaultError::KeyFile {
        path: path.to_owned(),
        reason,
    };
    let mut text = key.to_hex();
    text.push('\n');
    write_owner_only(path, text.as_bytes()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            error("a file is already there, and Depot never overwrites one with a key; choose a new name".into())
        } else {
            error(e.to_string())
        }
    })
}

/// Reads a key from `path` (e.g. an exported backup to import). The file
/// need not be owner-only here: it is checked against the vault, then stored
/// where the workspace's key provider keeps keys.
pub fn read_key_file(path: &Path) -> Result<WorkspaceKey, VaultError> {
    let error = |reason: String| VaultError::KeyFile {
        path: path.to_owned(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| error(e.to_string()))?;
    if !meta.is_file() {
        return Err(error("it is not a regular file".into()));
    }
    let mut text = Zeroizing::new(String::new());
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_KEY_FILE_BYTES).read_to_string(&mut text))
        .map_err(|e| error(e.to_string()))?;
    WorkspaceKey::from_hex(&text).ok_or_else(|| error("it does not hold a 64-hex-digit key".into()))
}

/// Reads a key file after checking it: a regular file (not a symbolic link),
/// owned by the user Depot runs as, unreadable by others (unix).
fn read_owner_only(path: &Path) -> Result<Zeroizing<String>, String> {
    let link = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    if link.file_type().is_symlink() {
        return Err(
            "it is a symbolic link; Depot only reads a key file at its real path (set DEPOT_KEY_FILE to it)".into(),
        );
    }
    if !link.is_file() {
        return Err("it is not a regular file".into());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    check_owner_only(&link, &meta)?;
    let mut text = Zeroizing::new(String::new());
    file.take(MAX_KEY_FILE_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    Ok(text)
}

/// Why a file owned by `file_uid` with `mode` is no key file for the user
/// `my_uid`, if it is not.
#[cfg(unix)]
fn owner_only_problem(file_uid: u32, mode: u32, my_uid: u32) -> Option<String> {
    if file_uid != my_uid {
        return Some(format!(
            "it belongs to another user (uid {file_uid}, Depot runs as uid {my_uid}); Depot only uses a key file you own"
        ));
    }
    if mode & 0o077 != 0 {
        return Some(format!(
            "other users can read it (permissions {:o}); run `chmod 600` on it",
            mode & 0o777
        ));
    }
    None
}

/// `link` is the path's own metadata (lstat), `opened` that of the opened
/// handle: they must be the same file, owned by us, owner-only.
#[cfg(unix)]
fn check_owner_only(link: &std::fs::Metadata, opened: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    if (link.dev(), link.ino()) != (opened.dev(), opened.ino()) {
        return Err("it was replaced while Depot opened it".into());
    }
    let me = rustix::process::geteuid().as_raw();
    match owner_only_problem(opened.uid(), opened.mode(), me) {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// Windows: the key file's ACL is set owner-only when Depot writes it; an
/// existing file's ACL is not inspected (left out: reading ACLs needs the
/// Win32 security API).
#[cfg(not(unix))]
fn check_owner_only(_link: &std::fs::Metadata, _opened: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

/// Creates `path` (never replacing a file; `create_new` also refuses a
/// symbolic link there) readable only by its owner, with `bytes`.
fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(windows)]
    if let Err(err) = restrict_to_owner(path) {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(err);
    }
    file.write_all(bytes)?;
    file.sync_all()
}

/// Windows: replaces the new file's inherited ACL with one entry that gives
/// its owner (the user who just created it) full control, before the key is
/// written into it. `icacls` ships with every Windows since Vista; `*S-1-3-4`
/// is the well-known "OWNER RIGHTS" SID. Not run by the tests here (Linux).
#[cfg(windows)]
fn restrict_to_owner(path: &Path) -> std::io::Result<()> {
    let status = std::process::Command::new("icacls")
        .arg(path)
        .args(["/inheritance:r", "/grant:r", "*S-1-3-4:(F)"])
        .stdout(std::process::Stdio::null())
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(
            "icacls could not make the file readable only by you",
        ))
    }
}

/// A fixed key, for tests only.
#[derive(Debug, Clone)]
pub struct FixedKey(pub [u8; 32]);

impl KeyProvider for FixedKey {
    fn load(&self, _workspace_id: &str) -> Result<Option<WorkspaceKey>, VaultError> {
        Ok(Some(WorkspaceKey(self.0)))
    }

    fn store(&self, _workspace_id: &str, key: &WorkspaceKey) -> Result<(), VaultError> {
        if key.0 == self.0 {
            Ok(())
        } else {
            Err(VaultError::Crypto(
                "a fixed test key cannot be replaced".into(),
            ))
        }
    }

    fn protection(&self) -> Protection {
        Protection::TestKey
    }

    fn location(&self, _workspace_id: &str) -> String {
        "the fixed test key".into()
    }
}

/// An open vault: seals and unseals with the workspace key.
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

    /// Encrypts `plaintext` for `slot` of this workspace.
    pub fn seal(&self, slot: SecretSlot, plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        seal_with(
            &self.key,
            FORMAT,
            &slot.associated_data(&self.workspace_id),
            plaintext,
        )
    }

    /// Decrypts a blob sealed for `slot` of this workspace; a blob from
    /// another slot, token or workspace is refused.
    pub fn unseal(&self, slot: SecretSlot, blob: &[u8]) -> Result<SecretBytes, VaultError> {
        unseal_with(&self.key, &self.workspace_id, slot, blob)
    }

    /// Writes this workspace's key to a new owner-only file at `path`.
    pub fn export_key(&self, path: &Path) -> Result<(), VaultError> {
        write_key_file(path, &self.key)
    }
}

fn seal_with(
    key: &WorkspaceKey,
    format: u8,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, VaultError> {
    let mut nonce = [0u8; NONCE_LEN];
    openssl::rand::rand_bytes(&mut nonce).map_err(|e| VaultError::Crypto(e.to_string()))?;
    let mut tag = [0u8; TAG_LEN];
    let ciphertext = encrypt_aead(
        Cipher::aes_256_gcm(),
        &key.0,
        Some(&nonce),
        aad,
        plaintext,
        &mut tag,
    )
    .map_err(|e| VaultError::Crypto(e.to_string()))?;
    let mut blob = Vec::with_capacity(1 + NONCE_LEN + TAG_LEN + ciphertext.len());
    blob.push(format);
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&tag);
    blob.extend_from_slice(&ciphertext);
    Ok(blob)
}

/// Decrypts a blob of either format (format 1: the purpose alone was
/// authenticated).
fn unseal_with(
    key: &WorkspaceKey,
    workspace_id: &str,
    slot: SecretSlot,
    blob: &[u8],
) -> Result<SecretBytes, VaultError> {
    let aad = match blob.first() {
        Some(&FORMAT) => slot.associated_data(workspace_id),
        Some(&LEGACY_FORMAT) => slot.purpose().as_bytes().to_vec(),
        _ => {
            return Err(VaultError::Damaged(format!(
                "{}: unknown format",
                slot.describe()
            )));
        }
    };
    if blob.len() < 1 + NONCE_LEN + TAG_LEN {
        return Err(VaultError::Damaged(format!(
            "{}: too short",
            slot.describe()
        )));
    }
    let (nonce, rest) = blob[1..].split_at(NONCE_LEN);
    let (tag, ciphertext) = rest.split_at(TAG_LEN);
    decrypt_aead(
        Cipher::aes_256_gcm(),
        &key.0,
        Some(nonce),
        &aad,
        ciphertext,
        tag,
    )
    .map(SecretBytes::new)
    .map_err(|_| VaultError::NotAuthentic {
        what: slot.describe(),
    })
}

/// The vault row: the workspace id (names the keychain entry), the key check
/// and the blob format.
struct VaultRow {
    workspace_id: String,
    key_check: Vec<u8>,
    format: u8,
}

impl Db {
    fn vault_row(&self) -> Result<Option<VaultRow>> {
        Ok(self
            .conn
            .query_row(
                "SELECT workspace_id, key_check, format FROM vault WHERE id = 1",
                [],
                |r| {
                    Ok(VaultRow {
                        workspace_id: r.get(0)?,
                        key_check: r.get(1)?,
                        format: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Whether any secret is sealed in this workspace (tokens, pending key).
    fn vault_holds_secrets(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM token_secrets) OR EXISTS (SELECT 1 FROM pending_key)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Opens the workspace's vault with `keys`, creating it on first use, and
    /// brings format-1 blobs to format 2.
    pub fn open_vault(&self, keys: &dyn KeyProvider) -> Result<Vault> {
        let Some(row) = self.vault_row()? else {
            return self.create_vault(keys);
        };
        let key = match keys.load(&row.workspace_id)? {
            Some(key) => key,
            None if self.vault_holds_secrets()? => {
                return Err(VaultError::KeyMissing {
                    location: keys.location(&row.workspace_id),
                }
                .into());
            }
            // Nothing sealed yet: nothing is lost by starting with a new key.
            None => return self.replace_empty_vault_key(keys, row.workspace_id),
        };
        check_key(&key, &row)?;
        let vault = Vault {
            key,
            workspace_id: row.workspace_id,
        };
        if row.format == LEGACY_FORMAT {
            self.migrate_legacy_blobs(&vault)?;
        }
        Ok(vault)
    }

    fn create_vault(&self, keys: &dyn KeyProvider) -> Result<Vault> {
        let mut id = [0u8; 16];
        openssl::rand::rand_bytes(&mut id).map_err(|e| VaultError::Crypto(e.to_string()))?;
        let workspace_id: String = id.iter().map(|b| format!("{b:02x}")).collect();
        // A key file may already hold a key (it can serve several workspaces).
        let key = match keys.load(&workspace_id)? {
            Some(key) => key,
            None => {
                let key = WorkspaceKey::random()?;
                keys.store(&workspace_id, &key)?;
                key
            }
        };
        let vault = Vault { key, workspace_id };
        let check = vault.seal(SecretSlot::KeyCheck, KEY_CHECK_PLAINTEXT)?;
        self.conn.execute(
            "INSERT INTO vault (id, workspace_id, key_check, format) VALUES (1, ?1, ?2, ?3)",
            params![vault.workspace_id, check, FORMAT],
        )?;
        Ok(vault)
    }

    fn replace_empty_vault_key(
        &self,
        keys: &dyn KeyProvider,
        workspace_id: String,
    ) -> Result<Vault> {
        let key = WorkspaceKey::random()?;
        keys.store(&workspace_id, &key)?;
        let vault = Vault { key, workspace_id };
        let check = vault.seal(SecretSlot::KeyCheck, KEY_CHECK_PLAINTEXT)?;
        self.write(|db| -> Result<()> {
            if db.vault_holds_secrets()? {
                return Err(VaultError::KeyMissing {
                    location: keys.location(&vault.workspace_id),
                }
                .into());
            }
            db.conn.execute(
                "UPDATE vault SET key_check = ?1, format = ?2 WHERE id = 1",
                params![check, FORMAT],
            )?;
            Ok(())
        })?;
        tracing::info!("the workspace held no secrets and had no key: made a new one");
        Ok(vault)
    }

    /// Re-encrypts every format-1 blob as format 2 in one transaction (all or
    /// nothing). Rows are read inside the transaction, so a second process
    /// doing the same finds the work done.
    fn migrate_legacy_blobs(&self, vault: &Vault) -> Result<()> {
        let reseal = |slot: SecretSlot, blob: &[u8]| -> Result<Option<Vec<u8>>> {
            if blob.first() != Some(&LEGACY_FORMAT) {
                return Ok(None);
            }
            let plain = vault.unseal(slot, blob)?;
            Ok(Some(vault.seal(slot, plain.expose())?))
        };
        let migrated = self.write(|db| -> Result<usize> {
            let Some(row) = db.vault_row()? else {
                return Ok(0);
            };
            if row.format != LEGACY_FORMAT {
                return Ok(0);
            }
            let mut count = 0;
            let secrets: Vec<(i64, Vec<u8>, Vec<u8>)> = {
                let mut stmt = db
                    .conn
                    .prepare("SELECT token_id, credentials, private_key FROM token_secrets")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                rows.collect::<Result<_, _>>()?
            };
            for (token, credentials, private_key) in secrets {
                let id = TokenId::new(token);
                if let Some(blob) = reseal(SecretSlot::TokenCredentials(id), &credentials)? {
                    db.conn.execute(
                        "UPDATE token_secrets SET credentials = ?2 WHERE token_id = ?1",
                        params![token, blob],
                    )?;
                    count += 1;
                }
                if let Some(blob) = reseal(SecretSlot::TokenPrivateKey(id), &private_key)? {
                    db.conn.execute(
                        "UPDATE token_secrets SET private_key = ?2 WHERE token_id = ?1",
                        params![token, blob],
                    )?;
                    count += 1;
                }
            }
            let pending: Option<Vec<u8>> = db
                .conn
                .query_row(
                    "SELECT private_key FROM pending_key WHERE id = 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(blob) = pending
                && let Some(blob) = reseal(SecretSlot::PendingPrivateKey, &blob)?
            {
                db.conn.execute(
                    "UPDATE pending_key SET private_key = ?1 WHERE id = 1",
                    [blob],
                )?;
                count += 1;
            }
            let check = vault.seal(SecretSlot::KeyCheck, KEY_CHECK_PLAINTEXT)?;
            db.conn.execute(
                "UPDATE vault SET key_check = ?1, format = ?2 WHERE id = 1",
                params![check, FORMAT],
            )?;
            Ok(count)
        })?;
        if migrated > 0 {
            tracing::info!(
                blobs = migrated,
                "re-encrypted the workspace's secrets bound to their token and workspace"
            );
        }
        Ok(())
    }

    /// Checks that `key` opens this workspace's vault; returns the workspace
    /// id (what the key provider files the key under). For `key import`.
    pub fn check_workspace_key(&self, key: &WorkspaceKey) -> Result<String> {
        let row = self.vault_row()?.ok_or(VaultError::NoVault)?;
        check_key(key, &row)?;
        Ok(row.workspace_id)
    }
}

/// The key check decrypts to the known value under `key`, or the key is wrong.
fn check_key(key: &WorkspaceKey, row: &VaultRow) -> Result<(), VaultError> {
    match unseal_with(key, &row.workspace_id, SecretSlot::KeyCheck, &row.key_check) {
        Ok(plain) if plain.expose() == KEY_CHECK_PLAINTEXT => Ok(()),
        Ok(_) | Err(VaultError::NotAuthentic { .. }) => Err(VaultError::WrongKey),
        Err(other) => Err(other),
    }
}

impl From<VaultError> for StoreError {
    fn from(err: VaultError) -> Self {
        StoreError::Vault(err)
    }
}

#[cfg(test)]
mod tests;
