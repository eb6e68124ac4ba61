//! Tokens end to end (TOK-1..9): the pending key pair, importing Apple's token
//! file, renew, scope tags, delete. Every mutation writes an audit entry in the
//! same transaction.

use depot_apple::{AccountInfo, AppleHosts, AppleUrl, OAuthCredentials, ServerToken, TokenKeyPair};
use depot_domain::UnixSeconds;
use depot_domain::limits::MAX_TOKENS_PER_WORKSPACE;
use depot_domain::profile::ApplePlatform;
use depot_domain::{SecretString, TokenId, TokenStatus, TokenStatusInput};
use depot_store::tokens::{
    Environment, NewToken, PendingKeyRow, SealedSecrets, TokenFacts, TokenRow,
};
use depot_store::{Db, SecretSlot, Vault};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::audit::{AuditEvent, token_object};
use crate::{CoreError, Depot, Result};

/// Token files are a few kilobytes; anything this big is something else.
const MAX_TOKEN_FILE_BYTES: usize = 1024 * 1024;
const MAX_SCOPE_TAGS: usize = 50;
const MAX_SCOPE_TAG_LEN: usize = 64;
/// The `appleUrl` that means "Depot's in-process simulator" (demo mode).
pub const SIMULATOR_URL: &str = "simulator";

/// A token as the token list shows it (TOK-4). No secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOverview {
    pub id: TokenId,
    pub server_name: String,
    pub org_name: String,
    pub apple_id: String,
    pub expires_at: UnixSeconds,
    pub days_left: i64,
    pub status: TokenStatus,
    pub simulator: bool,
    pub device_count: u64,
    pub profile_count: u64,
    /// The default profile per platform (PLT-2), by platform.
    pub default_profiles: Vec<(ApplePlatform, String)>,
    /// More devices than Apple allows on one token (200,000): a warning.
    pub over_device_limit: bool,
    pub scope_tags: Vec<String>,
    /// The last finished sync: when, and `ok` / `failed` / `cancelled`.
    pub last_sync: Option<(UnixSeconds, String)>,
}

/// The token detail page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDetail {
    pub overview: TokenOverview,
    pub server_uuid: String,
    pub org_id: Option<String>,
    pub org_type: Option<String>,
    pub admin_id: Option<String>,
    pub apple_url: String,
    pub created_at: UnixSeconds,
    pub renewed_at: Option<UnixSeconds>,
    pub key_fingerprint: String,
    pub delete_blockers: Vec<DeleteBlocker>,
    /// Devices without a profile whose platform has no default (PLT-2):
    /// (platform, or Apple's family when Depot does not know it, count).
    pub devices_without_default: Vec<(String, u64)>,
    /// Devices holding a Depot profile of another platform (PLT-2), at most
    /// [`MISMATCHES_SHOWN`].
    pub platform_mismatches: Vec<depot_domain::records::PlatformMismatch>,
}

/// Devices on a profile of another platform that the token page lists.
pub const MISMATCHES_SHOWN: u32 = 500;

/// Why a token cannot be deleted yet (TOK-6), with the admin-facing message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteBlocker {
    pub kind: DeleteBlockerKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteBlockerKind {
    /// Devices of this token are still in Depot (delete them on the Devices page).
    Devices,
    /// The token has a default profile (clear it on the Profiles page).
    DefaultProfile,
}

/// The public side of the pending key pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingKeyInfo {
    pub created_at: UnixSeconds,
    pub certificate_expires_at: UnixSeconds,
    pub subject: String,
    pub fingerprint: String,
    pub certificate_pem: String,
}

/// What the admin confirms before a token is created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPreview {
    pub account: AccountInfo,
    pub expires_at: UnixSeconds,
    pub days_left: i64,
    pub apple_url: String,
    pub simulator: bool,
    pub existing_token: Option<TokenId>,
}

/// A token file as the admin gave it: its contents (the CLI and the desktop
/// shell read the chosen file with `files::read_file`; a browser uploads it).
#[derive(Debug, Clone)]
pub enum TokenFileInput {
    Contents {
        file_name: String,
        contents: Vec<u8>,
    },
}

impl TokenFileInput {
    pub(crate) fn read(&self) -> Result<Vec<u8>> {
        let TokenFileInput::Contents { contents, .. } = self;
        let bytes = contents.clone();
        if bytes.len() > MAX_TOKEN_FILE_BYTES {
            return Err(depot_apple::TokenFileError::NotATokenFile(
                "it is far larger than a token file".into(),
            )
            .into());
        }
        Ok(bytes)
    }
}

/// The four credentials and expiry as sealed in the vault. Wiped on drop.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct StoredCredentials {
    consumer_key: String,
    consumer_secret: String,
    access_token: String,
    access_secret: String,
    /// Unix seconds (kept a plain number: this is the vault's JSON).
    expires_at: i64,
}

impl StoredCredentials {
    fn from_token(token: &ServerToken) -> Self {
        let c = &token.credentials;
        Self {
            consumer_key: c.consumer_key.expose().to_owned(),
            consumer_secret: c.consumer_secret.expose().to_owned(),
            access_token: c.access_token.expose().to_owned(),
            access_secret: c.access_secret.expose().to_owned(),
            expires_at: token.expires_at.get(),
        }
    }

    /// Moves the values (no copies left behind) into typed secrets.
    fn into_oauth(mut self) -> OAuthCredentials {
        let take = |value: &mut String| SecretString::new(std::mem::take(value));
        OAuthCredentials {
            consumer_key: take(&mut self.consumer_key),
            consumer_secret: take(&mut self.consumer_secret),
            access_token: take(&mut self.access_token),
            access_secret: take(&mut self.access_secret),
        }
    }
}

/// A token's unsealed secrets, kept inside `core`.
pub(crate) struct TokenSecrets {
    pub credentials: OAuthCredentials,
    /// Read by demo mode (the simulator gets the token's own credentials back).
    #[cfg_attr(not(feature = "demo"), allow(dead_code))]
    pub expires_at: UnixSeconds,
    pub keys: TokenKeyPair,
}

impl Depot {
    // ----- reading -------------------------------------------------------

    /// Every token with its status as of the injected clock's "now".
    /// Those the acting person may see (`scope`).
    pub fn list_tokens(&self) -> Result<Vec<TokenOverview>> {
        let rows = self.workspace.connect()?.list_tokens()?;
        Ok(rows
            .iter()
            .filter(|row| crate::scope::visible(&row.scope_tags))
            .map(|row| self.overview(row))
            .collect())
    }

    pub fn token_detail(&self, id: TokenId) -> Result<TokenDetail> {
        let db = self.workspace.connect()?;
        let row = self.token_row(&db, id)?;
        Ok(TokenDetail {
            devices_without_default: db.devices_without_default(id)?,
            platform_mismatches: db.platform_mismatches(id, MISMATCHES_SHOWN)?,
            overview: self.overview(&row),
            server_uuid: row.server_uuid.clone(),
            org_id: row.org_id.clone(),
            org_type: row.org_type.clone(),
            admin_id: row.admin_id.clone(),
            apple_url: match row.environment {
                Environment::Apple => row.apple_url.clone(),
                Environment::Simulator => self
                    .demo
                    .url()
                    .unwrap_or_else(|| "Depot's built-in simulator".into()),
            },
            created_at: row.created_at,
            renewed_at: row.renewed_at,
            key_fingerprint: row.key_fingerprint.clone(),
            delete_blockers: delete_blockers(&row),
        })
    }

    fn overview(&self, row: &TokenRow) -> TokenOverview {
        let now = self.clock.now();
        TokenOverview {
            id: row.id,
            server_name: row.server_name.clone(),
            org_name: row.org_name.clone(),
            apple_id: row.apple_id.clone(),
            expires_at: row.expires_at,
            days_left: TokenStatus::days_left(row.expires_at, now),
            status: TokenStatus::evaluate(
                TokenStatusInput {
                    expires_at: row.expires_at,
                    terms_not_accepted: row.terms_not_accepted,
                    rejected_by_apple: row.rejected,
                },
                now,
            ),
            simulator: is_test_token(row),
            device_count: row.device_count,
            profile_count: row.profile_count,
            default_profiles: row.default_profiles.clone(),
            over_device_limit: row.device_count
                > depot_domain::limits::MAX_DEVICES_PER_TOKEN as u64,
            scope_tags: row.scope_tags.clone(),
            last_sync: row.last_sync.clone(),
        }
    }

    /// The token `id`, if the acting person may see it (`scope`): one outside
    /// their scope is not found, like one that does not exist.
    pub(crate) fn token_row(&self, db: &Db, id: TokenId) -> Result<TokenRow> {
        db.get_token(id)?
            .filter(|row| crate::scope::visible(&row.scope_tags))
            .ok_or_else(|| CoreError::NotFound(format!("token {id}")))
    }

    // ----- the pending key pair (TOK-1 step 2) -----------------------------

    pub fn pending_key(&self) -> Result<Option<PendingKeyInfo>> {
        let Some(row) = self.workspace.connect()?.pending_key()? else {
            return Ok(None);
        };
        let keys = self.unseal_pending(&row)?;
        Ok(Some(pending_info(&keys, row.created_at)?))
    }

    /// Returns the pending key pair, generating one if there is none (or if
    /// `replace`). Persisted encrypted, so it survives restarts.
    pub fn generate_key(&self, replace: bool) -> Result<PendingKeyInfo> {
        if let Some(existing) = self.pending_key()? {
            if !replace {
                return Ok(existing);
            }
            // The pending key is the workspace's one: another administrator
            // may be halfway through adding a token with it (its public key
            // uploaded to Apple), which replacing it would break.
            self.workspace_wide("replacing the pending key pair")?;
        }
        let vault = self.vault()?;
        let now = self.clock.now();
        let short_id: String = vault.workspace_id().chars().take(8).collect();
        let keys = TokenKeyPair::generate(&format!("Depot ADE token key ({short_id})"), now)?;
        let info = pending_info(&keys, now)?;
        let sealed = vault.seal(
            SecretSlot::PendingPrivateKey,
            keys.private_key_pem().expose().as_bytes(),
        )?;
        self.workspace.write(|db| -> Result<()> {
            let replaced = db.pending_key()?.is_some();
            db.put_pending_key(&PendingKeyRow {
                private_key: sealed,
                certificate_pem: keys.certificate_pem().to_owned(),
                created_at: now,
            })?;
            self.audit(
                db,
                AuditEvent {
                    action: "key.generate",
                    object: "pending key pair".into(),
                    token: None,
                    before: None,
                    after: Some(json!({ "fingerprint": info.fingerprint, "replaced": replaced })),
                },
            )
        })?;
        Ok(info)
    }

    fn unseal_pending(&self, row: &PendingKeyRow) -> Result<TokenKeyPair> {
        let pem = self
            .vault()?
            .unseal(SecretSlot::PendingPrivateKey, &row.private_key)?
            .into_secret_string()
            .ok_or_else(|| depot_apple::KeyError::Damaged("pending private key".into()))?;
        Ok(TokenKeyPair::from_pem(pem, row.certificate_pem.clone())?)
    }

    fn pending_keys(&self) -> Result<TokenKeyPair> {
        let row = self
            .workspace
            .connect()?
            .pending_key()?
            .ok_or(CoreError::NoPendingKey)?;
        self.unseal_pending(&row)
    }

    // ----- importing a token (TOK-1 steps 5–7, TOK-2) ----------------------

    /// Decrypts the file with the pending key and asks Apple who it belongs to.
    /// Changes nothing.
    pub async fn inspect_token(
        &self,
        file: &TokenFileInput,
        apple_url: Option<&str>,
    ) -> Result<TokenPreview> {
        let keys = self.pending_keys()?;
        let (url, environment) = self.resolve_apple_url(apple_url).await?;
        let (token, account) = self.open_token_file(file, &keys, &url).await?;
        self.preview(&token, account, url, environment == Environment::Simulator)
    }

    /// `None` → Apple; `"simulator"` → Depot's in-process simulator (demo
    /// mode); otherwise a URL checked by [`AppleUrl::parse`]: Apple's own,
    /// or — only with the test setting — a test host (http only to a
    /// loopback IP; never a user name or password).
    async fn resolve_apple_url(&self, apple_url: Option<&str>) -> Result<(AppleUrl, Environment)> {
        match apple_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(SIMULATOR_URL) => Ok((self.demo_apple_url().await?, Environment::Simulator)),
            Some(text) => Ok((
                AppleUrl::parse(text, self.apple_hosts).map_err(|e| CoreError::InvalidInput {
                    field: "appleUrl",
                    message: e.to_string(),
                })?,
                Environment::Apple,
            )),
            None => Ok((AppleUrl::apple(), Environment::Apple)),
        }
    }

    /// The base URL of Depot's in-process simulator (started if needed).
    pub(crate) async fn demo_apple_url(&self) -> Result<AppleUrl> {
        let url = self.ensure_simulator().await?;
        AppleUrl::parse(&url, AppleHosts::AllowTestHosts)
            .map_err(|e| CoreError::Simulator(e.to_string()))
    }

    /// Asks Apple about the token again (`GET /account`) and records the
    /// verdict: terms not accepted, rejected, or fine (TOK-8).
    pub async fn check_token(&self, id: TokenId) -> Result<TokenOverview> {
        let row = self.token_row(&self.workspace.connect()?, id)?;
        let secrets = self.token_secrets(id)?;
        let url = self.apple_url_for(&row).await?;
        let client = self.apple_client(&url, secrets.credentials);
        let verdict = match client.account().await {
            Ok(_) => (false, false),
            Err(depot_apple::AppleError::TermsNotAccepted) => (true, false),
            Err(depot_apple::AppleError::Rejected) => (false, true),
            Err(other) => return Err(other.into()),
        };
        if verdict != (row.terms_not_accepted, row.rejected) {
            self.workspace
                .connect()?
                .set_token_verdicts(id, verdict.0, verdict.1)?;
        }
        self.overview_of(id)
    }

    fn preview(
        &self,
        token: &ServerToken,
        account: AccountInfo,
        url: AppleUrl,
        simulator: bool,
    ) -> Result<TokenPreview> {
        let existing = self
            .workspace
            .connect()?
            .find_token_by_server(&account.server_uuid)?
            .map(|t| t.id);
        Ok(TokenPreview {
            days_left: TokenStatus::days_left(token.expires_at, self.clock.now()),
            expires_at: token.expires_at,
            simulator: simulator || !url.is_apple(),
            apple_url: url.to_string(),
            account,
            existing_token: existing,
        })
    }

    /// Creates a token from Apple's file: decrypt with the pending key, check
    /// with `GET /account`, then commit token, secrets and audit entry at once.
    pub async fn add_token(
        &self,
        file: &TokenFileInput,
        apple_id: &str,
        scope_tags: &[String],
        apple_url: Option<&str>,
    ) -> Result<TokenOverview> {
        let apple_id = validate_apple_id(apple_id)?;
        let tags = validate_scope_tags(scope_tags)?;
        self.tags_keep_in_scope(&tags)?;
        let keys = self.pending_keys()?;
        let (url, environment) = self.resolve_apple_url(apple_url).await?;
        let (token, account) = self.open_token_file(file, &keys, &url).await?;
        let stored_url = if environment == Environment::Simulator {
            SIMULATOR_URL
        } else {
            url.as_str()
        };
        let id = self.commit_new_token(
            &token,
            &account,
            &keys,
            &apple_id,
            &tags,
            stored_url,
            environment,
            true,
        )?;
        self.overview_of(id)
    }

    pub(crate) async fn open_token_file(
        &self,
        file: &TokenFileInput,
        keys: &TokenKeyPair,
        url: &AppleUrl,
    ) -> Result<(ServerToken, AccountInfo)> {
        let bytes = file.read()?;
        let token = depot_apple::decrypt_token_file(&bytes, keys, self.clock.now())?;
        let client = self.apple_client(url, token.credentials.clone());
        let account = client.account().await?;
        Ok((token, account))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn commit_new_token(
        &self,
        token: &ServerToken,
        account: &AccountInfo,
        keys: &TokenKeyPair,
        apple_id: &str,
        tags: &[String],
        url: &str,
        environment: Environment,
        consumes_pending_key: bool,
    ) -> Result<TokenId> {
        let vault = self.vault()?;
        let fingerprint = keys.certificate_info()?.fingerprint;
        let now = self.clock.now();
        self.workspace.write(|db| {
            if let Some(existing) = db.find_token_by_server(&account.server_uuid)? {
                return Err(CoreError::DuplicateToken {
                    existing: existing.id,
                    server_name: existing.server_name,
                });
            }
            if db.count_tokens()? >= MAX_TOKENS_PER_WORKSPACE as u64 {
                return Err(CoreError::LimitReached(format!(
                    "this workspace already holds {MAX_TOKENS_PER_WORKSPACE} tokens, the most Depot supports"
                )));
            }
            let id = db.insert_token(&NewToken {
                facts: facts(account, token.expires_at),
                apple_id,
                apple_url: url,
                environment,
                scope_tags: tags,
                key_fingerprint: &fingerprint,
                created_at: now,
            })?;
            // Sealed for this token's id, so the blobs open only here.
            db.put_token_secrets(id, &seal(&vault, id, token, keys)?)?;
            if consumes_pending_key {
                db.clear_pending_key()?;
            }
            self.audit(db, AuditEvent {
                action: "token.add",
                object: token_object(id, &account.server_name),
                token: Some(id),
                before: None,
                after: Some(public_facts(account, token.expires_at, apple_id, tags)),
            })?;
            Ok(id)
        })
    }

    fn overview_of(&self, id: TokenId) -> Result<TokenOverview> {
        let row = self.token_row(&self.workspace.connect()?, id)?;
        Ok(self.overview(&row))
    }

    // ----- renew (TOK-5) ----------------------------------------------------

    pub async fn renew_token(
        &self,
        id: TokenId,
        file: &TokenFileInput,
        apple_id: &str,
        force: bool,
    ) -> Result<TokenOverview> {
        let row = self.token_row(&self.workspace.connect()?, id)?;
        let apple_id = validate_apple_id(apple_id)?;
        if !apple_id.eq_ignore_ascii_case(&row.apple_id) {
            return Err(CoreError::AppleIdMismatch {
                expected: row.apple_id,
            });
        }
        let current = self.token_secrets(id)?;
        let url = self.apple_url_for(&row).await?;
        let (token, account) = self.open_token_file(file, &current.keys, &url).await?;
        let same_server = account.server_uuid == row.server_uuid
            && token.credentials.consumer_key == current.credentials.consumer_key;
        if !same_server && !force {
            return Err(CoreError::OtherServer {
                expected: row.server_name,
                found: account.server_name,
            });
        }
        let vault = self.vault()?;
        let sealed = vault.seal(SecretSlot::TokenCredentials(id), &credentials_json(&token)?)?;
        let now = self.clock.now();
        self.workspace.write(|db| {
            if let Some(other) = db.find_token_by_server(&account.server_uuid)?
                && other.id != id
            {
                return Err(CoreError::DuplicateToken {
                    existing: other.id,
                    server_name: other.server_name,
                });
            }
            db.renew_token(id, &facts(&account, token.expires_at), &sealed, now)?;
            self.audit(
                db,
                AuditEvent {
                    action: "token.renew",
                    object: token_object(id, &account.server_name),
                    token: Some(id),
                    before: Some(json!({
                        "serverName": row.server_name,
                        "serverUuid": row.server_uuid,
                        "expiresAt": row.expires_at.rfc3339(),
                    })),
                    after: Some(json!({
                        "serverName": account.server_name,
                        "serverUuid": account.server_uuid,
                        "expiresAt": token.expires_at.rfc3339(),
                        "forced": !same_server,
                    })),
                },
            )
        })?;
        self.overview_of(id)
    }

    /// The token's unsealed credentials and key pair.
    pub(crate) fn token_secrets(&self, id: TokenId) -> Result<TokenSecrets> {
        let sealed = self
            .workspace
            .connect()?
            .token_secrets(id)?
            .ok_or_else(|| CoreError::NotFound(format!("the secrets of token {id}")))?;
        let vault = self.vault()?;
        let plain = vault.unseal(SecretSlot::TokenCredentials(id), &sealed.credentials)?;
        let creds: StoredCredentials = serde_json::from_slice(plain.expose())
            .map_err(|_| depot_store::VaultError::Damaged("token credentials".into()))?;
        let pem = vault
            .unseal(SecretSlot::TokenPrivateKey(id), &sealed.private_key)?
            .into_secret_string()
            .ok_or_else(|| depot_store::VaultError::Damaged("token private key".into()))?;
        let keys = TokenKeyPair::from_pem(pem, sealed.certificate_pem)?;
        let expires_at = UnixSeconds::new(creds.expires_at);
        Ok(TokenSecrets {
            credentials: creds.into_oauth(),
            expires_at,
            keys,
        })
    }

    /// Where this token's Apple service lives right now. The stored URL is
    /// checked again, so a token saved with a URL this Depot may not use
    /// (another host without the test setting, a user name before '@')
    /// never reaches it.
    pub(crate) async fn apple_url_for(&self, row: &TokenRow) -> Result<AppleUrl> {
        match row.environment {
            Environment::Apple => AppleUrl::parse(&row.apple_url, self.apple_hosts).map_err(|e| {
                CoreError::InvalidInput {
                    field: "appleUrl",
                    message: format!("the token '{}' cannot be used: {e}", row.server_name),
                }
            }),
            Environment::Simulator => self.demo_apple_url().await,
        }
    }

    // ----- scope tags (TOK-9) and delete (TOK-6) ------------------------------

    pub fn set_scope_tags(&self, id: TokenId, scope_tags: &[String]) -> Result<TokenOverview> {
        let tags = validate_scope_tags(scope_tags)?;
        self.workspace.write(|db| {
            let row = self.token_row(db, id)?;
            self.tags_keep_in_scope(&tags)?;
            db.set_scope_tags(id, &tags)?;
            self.audit(
                db,
                AuditEvent {
                    action: "token.scope_tags",
                    object: token_object(id, &row.server_name),
                    token: Some(id),
                    before: Some(json!({ "scopeTags": row.scope_tags })),
                    after: Some(json!({ "scopeTags": tags })),
                },
            )
        })?;
        self.overview_of(id)
    }

    /// Deletes a token with its secrets, profiles and sync state, unless devices
    /// or a default profile still depend on it.
    pub fn delete_token(&self, id: TokenId) -> Result<()> {
        self.workspace.write(|db| {
            let row = self.token_row(db, id)?;
            let blockers = delete_blockers(&row);
            if !blockers.is_empty() {
                return Err(CoreError::TokenInUse(
                    blockers.into_iter().map(|b| b.message).collect(),
                ));
            }
            db.delete_token(id)?;
            self.audit(
                db,
                AuditEvent {
                    action: "token.delete",
                    object: token_object(id, &row.server_name),
                    token: Some(id),
                    before: Some(json!({
                        "serverName": row.server_name,
                        "serverUuid": row.server_uuid,
                        "orgName": row.org_name,
                        "appleId": row.apple_id,
                        "expiresAt": row.expires_at.rfc3339(),
                    })),
                    after: None,
                },
            )
        })
    }
}

fn delete_blockers(row: &TokenRow) -> Vec<DeleteBlocker> {
    let mut blockers = Vec::new();
    if row.device_count > 0 {
        let n = row.device_count;
        blockers.push(DeleteBlocker {
            kind: DeleteBlockerKind::Devices,
            message: format!(
                "{n} device{} of this token {} in Depot — delete them on the Devices page first",
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" },
            ),
        });
    }
    for (platform, profile) in &row.default_profiles {
        blockers.push(DeleteBlocker {
            kind: DeleteBlockerKind::DefaultProfile,
            message: format!(
                "'{profile}' is its default {} profile — clear the default on the Profiles page first",
                platform.label()
            ),
        });
    }
    blockers
}

fn seal(
    vault: &Vault,
    id: TokenId,
    token: &ServerToken,
    keys: &TokenKeyPair,
) -> Result<SealedSecrets> {
    Ok(SealedSecrets {
        credentials: vault.seal(SecretSlot::TokenCredentials(id), &credentials_json(token)?)?,
        private_key: vault.seal(
            SecretSlot::TokenPrivateKey(id),
            keys.private_key_pem().expose().as_bytes(),
        )?,
        certificate_pem: keys.certificate_pem().to_owned(),
    })
}

/// The credentials as the JSON the vault seals (wiped when dropped).
fn credentials_json(token: &ServerToken) -> Result<Zeroizing<Vec<u8>>> {
    serde_json::to_vec(&StoredCredentials::from_token(token))
        .map(Zeroizing::new)
        .map_err(|e| CoreError::Vault(depot_store::VaultError::Crypto(e.to_string())))
}

fn facts(account: &AccountInfo, expires_at: UnixSeconds) -> TokenFacts<'_> {
    TokenFacts {
        server_name: &account.server_name,
        server_uuid: &account.server_uuid,
        org_name: &account.org_name,
        org_id: account.org_id.as_deref(),
        org_type: account.org_type.as_deref(),
        admin_id: account.admin_id.as_deref(),
        expires_at,
    }
}

/// What the audit log keeps about a token: public facts only.
fn public_facts(
    account: &AccountInfo,
    expires_at: UnixSeconds,
    apple_id: &str,
    tags: &[String],
) -> serde_json::Value {
    json!({
        "serverName": account.server_name,
        "serverUuid": account.server_uuid,
        "orgName": account.org_name,
        "appleId": apple_id,
        "expiresAt": expires_at.rfc3339(),
        "scopeTags": tags,
    })
}

fn pending_info(keys: &TokenKeyPair, created_at: UnixSeconds) -> Result<PendingKeyInfo> {
    let info = keys.certificate_info()?;
    Ok(PendingKeyInfo {
        created_at,
        certificate_expires_at: info.not_after,
        subject: info.subject,
        fingerprint: info.fingerprint,
        certificate_pem: keys.certificate_pem().to_owned(),
    })
}

/// A token of Depot's simulator (demo mode) or of a test URL (which only the
/// test setting lets in): not Apple's service. Only these may skip Apple's
/// pacing rules.
pub(crate) fn is_test_token(row: &TokenRow) -> bool {
    is_test_service(row.environment, &row.apple_url)
}

fn is_test_service(environment: Environment, apple_url: &str) -> bool {
    environment == Environment::Simulator
        || !AppleUrl::parse(apple_url, AppleHosts::AllowTestHosts).is_ok_and(|u| u.is_apple())
}

/// An Apple ID is an email-shaped account name.
pub(crate) fn validate_apple_id(input: &str) -> Result<String> {
    let id = input.trim();
    let invalid = |message: &str| CoreError::InvalidInput {
        field: "appleId",
        message: message.to_owned(),
    };
    if id.is_empty() {
        return Err(invalid(
            "enter the Apple ID that created the token in Apple's portal",
        ));
    }
    if let Err(bad) = depot_domain::text::check_line(id) {
        return Err(invalid(&format!("the Apple ID {bad}")));
    }
    let Some((local, domain)) = id.split_once('@') else {
        return Err(invalid(
            "an Apple ID looks like an email address (name@example.com)",
        ));
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if local.is_empty() || !domain_ok || id.len() > 254 || id.chars().any(char::is_whitespace) {
        return Err(invalid(
            "an Apple ID looks like an email address (name@example.com)",
        ));
    }
    Ok(id.to_owned())
}

/// Trims, drops empties and case-insensitive duplicates, enforces limits.
pub(crate) fn validate_scope_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim();
        if tag.is_empty() || out.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            continue;
        }
        if let Err(bad) = depot_domain::text::check_line(tag) {
            return Err(CoreError::InvalidInput {
                field: "scopeTags",
                message: format!("the scope tag '{}' {bad}", tag.escape_default()),
            });
        }
        if tag.chars().count() > MAX_SCOPE_TAG_LEN {
            return Err(CoreError::InvalidInput {
                field: "scopeTags",
                message: format!("'{tag}' is longer than {MAX_SCOPE_TAG_LEN} characters"),
            });
        }
        out.push(tag.to_owned());
    }
    if out.len() > MAX_SCOPE_TAGS {
        return Err(CoreError::InvalidInput {
            field: "scopeTags",
            message: format!("a token can have at most {MAX_SCOPE_TAGS} scope tags"),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_ids_must_look_like_email_addresses() {
        assert_eq!(
            validate_apple_id("  Admin@Example.com ").unwrap(),
            "Admin@Example.com"
        );
        for bad in [
            "",
            "admin",
            "admin@",
            "@example.com",
            "admin@example",
            "a b@example.com",
            "a@ex..com",
            "ad\u{202E}min@example.com",
            "admin\u{0}@example.com",
        ] {
            assert!(validate_apple_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scope_tags_are_cleaned() {
        let tags = vec![
            " Berlin ".into(),
            "berlin".into(),
            "".into(),
            "Retail".into(),
        ];
        assert_eq!(validate_scope_tags(&tags).unwrap(), ["Berlin", "Retail"]);
        assert!(validate_scope_tags(&["x".repeat(65)]).is_err());
    }

    #[test]
    fn scope_tags_with_hidden_characters_are_refused_by_name() {
        for bad in [
            "Ber\u{202E}lin",
            "Retail\u{0}",
            "two\nlines",
            "\u{2067}Paris",
        ] {
            let err = validate_scope_tags(&[bad.to_owned()]).unwrap_err();
            let CoreError::InvalidInput { field, message } = &err else {
                panic!("{bad:?}: {err}");
            };
            assert_eq!(*field, "scopeTags");
            assert!(message.contains("invisible"), "{message}");
        }
        assert!(validate_scope_tags(&["Zürich – Nord".into()]).is_ok());
    }

    #[test]
    fn only_tokens_off_apples_host_count_as_test_tokens() {
        let test = |url: &str, env| is_test_service(env, url);
        assert!(!test("https://mdmenrollment.apple.com", Environment::Apple));
        assert!(test(SIMULATOR_URL, Environment::Simulator));
        assert!(test("http://127.0.0.1:8080", Environment::Apple));
        assert!(test("https://staging.example", Environment::Apple));
        assert!(test("http://localhost:80@evil.example", Environment::Apple));
    }
}
