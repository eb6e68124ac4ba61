//! Apple Business/School Manager API (issue 17, ORG): API accounts, the
//! organisation's devices (assigned to an MDM server or not), its MDM
//! servers linked to Depot's ADE tokens by name, and assigning devices to a
//! server (or unassigning them) as activities Depot follows to completion,
//! then syncs the affected token so the devices arrive with its default
//! profile.
//!
//! Everything here concerns the whole organisation: only accounts without
//! scope tags may use it.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use depot_apple::business::{
    AccountKey, Activity, OrgAccount, OrgClient, OrgError, OrgKind, OrgUrls,
};
pub use depot_apple::business::{ActivityKind, CoverageRecord};
use depot_domain::orgs::{OrgAccountRow, OrgActivityRow, OrgDeviceRow, OrgServerRow};
use depot_domain::{SecretString, TokenId, UnixSeconds};
use depot_store::orgs::OrgDeviceQuery;
use depot_store::vault::SecretSlot;
use serde_json::json;

use crate::audit::AuditEvent;
use crate::sync::SyncRequest;
use crate::{CoreError, Depot, Result};

/// The most serials Depot sends in one activity (Apple documents no
/// maximum; larger selections become several activities).
pub const MAX_SERIALS_PER_ACTIVITY: usize = 1_000;
/// `api_url` of demo mode's account: the in-process simulator, wherever it
/// listens this time.
pub const SIMULATOR_API_URL: &str = "simulator";
/// How long Depot follows an activity before leaving it for later.
pub const FOLLOW_LIMIT: Duration = Duration::from_secs(15 * 60);
/// The schedule reads each organisation again this long after its last good read…
pub const ORG_SYNC_EVERY_SECS: i64 = 12 * 3_600;
/// …and, after a failed try, waits this long before the next.
pub const ORG_RETRY_AFTER_SECS: i64 = 3_600;

/// When the schedule reads this account next: 12 hours after its last good
/// read, an hour after a failed try, or at once when never read.
fn org_next_sync(row: &OrgAccountRow) -> UnixSeconds {
    let after_success = row
        .last_sync_at
        .map_or(UnixSeconds::new(0), |at| at.plus(ORG_SYNC_EVERY_SECS));
    match (row.failing_since, row.last_attempt_at) {
        (Some(_), Some(tried)) => after_success.max(tried.plus(ORG_RETRY_AFTER_SECS)),
        _ => after_success,
    }
}

/// What `add_org_account` needs.
pub struct AddOrgAccount<'a> {
    pub name: Option<&'a str>,
    pub client_id: &'a str,
    pub key_id: &'a str,
    pub key_pem: &'a SecretString,
    /// Apple School Manager (else Business).
    pub school: bool,
    /// A simulator's base for both halves (test setting); `None`: Apple.
    pub api_url: Option<&'a str>,
}

/// An account as shown (never its key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccountInfo {
    pub row: OrgAccountRow,
    pub servers: Vec<OrgServerRow>,
    pub devices: u64,
    pub assigned: u64,
    pub unassigned: u64,
    pub released: u64,
    /// When the schedule reads the organisation next (while Depot runs).
    pub next_sync_at: UnixSeconds,
}

/// A device with the name of its server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDeviceView {
    pub device: OrgDeviceRow,
    pub server_name: Option<String>,
    /// The ADE token of its server, when Depot has it.
    pub token_id: Option<TokenId>,
}

/// Which devices an assign/unassign would change, and why not the rest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrgPreview {
    pub server_id: String,
    pub server_name: String,
    pub token_id: Option<TokenId>,
    /// Sent to Apple.
    pub will_change: Vec<String>,
    /// Assign: already on this server; unassign: not on it.
    pub already: Vec<String>,
    /// Assign: on another server (moved by the activity): (serial, server).
    pub other_server: Vec<(String, String)>,
    /// Released from the organisation: left out.
    pub released: Vec<String>,
    /// Not in the organisation (as of the last sync): left out.
    pub unknown: Vec<String>,
}

/// One device's outcome in an activity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActivityResult {
    pub serial: String,
    pub result: String,
    pub message: String,
}

/// An activity as Depot follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgActivityInfo {
    pub row: OrgActivityRow,
    pub serials: Vec<String>,
    pub results: Vec<ActivityResult>,
}

impl OrgActivityInfo {
    fn from_row(row: OrgActivityRow) -> Self {
        let serials = serde_json::from_str(&row.serials).unwrap_or_default();
        let results = row
            .results
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .unwrap_or_default();
        Self {
            row,
            serials,
            results,
        }
    }

    pub fn finished(&self) -> bool {
        self.row.finished_at.is_some()
    }
}

fn org_error(err: OrgError) -> CoreError {
    match err {
        OrgError::Key(e) => CoreError::InvalidInput {
            field: "key",
            message: e.to_string(),
        },
        OrgError::Busy { .. } | OrgError::Unreachable(_) => {
            CoreError::OrgUnavailable(err.to_string())
        }
        other => CoreError::InvalidInput {
            field: "organisation",
            message: other.to_string(),
        },
    }
}

impl Depot {
    /// Where an account's API is: Apple's hosts, demo mode's simulator, or a
    /// simulator named with the test setting.
    async fn org_urls(&self, kind: OrgKind, api_url: Option<&str>) -> Result<OrgUrls> {
        match api_url.map(str::trim) {
            None | Some("apple") => Ok(OrgUrls::apple(kind)),
            Some(SIMULATOR_API_URL) => {
                let base = self.ensure_simulator().await?;
                OrgUrls::at(&base, depot_apple::AppleHosts::AllowTestHosts)
                    .map_err(|e| CoreError::Simulator(e.to_string()))
            }
            Some(url) => OrgUrls::at(url, self.apple_hosts).map_err(|e| CoreError::InvalidInput {
                field: "apiUrl",
                message: e.to_string(),
            }),
        }
    }

    /// The account's public key (PEM): demo mode registers it again with a
    /// restarted simulator.
    #[cfg_attr(not(feature = "demo"), allow(dead_code))]
    pub(crate) fn org_public_key(&self, row: &OrgAccountRow) -> Result<String> {
        let sealed = self
            .workspace
            .connect()?
            .org_secret(row.id)?
            .ok_or_else(|| CoreError::NotFound(format!("the API account '{}'", row.name)))?;
        let pem = self
            .vault()?
            .unseal(SecretSlot::OrgKey(row.id), &sealed)?
            .into_secret_string()
            .ok_or_else(|| CoreError::Internal("a stored API key is not text".into()))?;
        public_key_of(&pem)
    }

    async fn org_client(&self, row: &OrgAccountRow) -> Result<OrgClient> {
        let sealed = self
            .workspace
            .connect()?
            .org_secret(row.id)?
            .ok_or_else(|| CoreError::NotFound(format!("the API account '{}'", row.name)))?;
        let pem = self
            .vault()?
            .unseal(SecretSlot::OrgKey(row.id), &sealed)?
            .into_secret_string()
            .ok_or_else(|| CoreError::Internal("a stored API key is not text".into()))?;
        let key = AccountKey::from_pem(&pem).map_err(|e| org_error(e.into()))?;
        let kind = if row.kind == "school" {
            OrgKind::School
        } else {
            OrgKind::Business
        };
        let urls = self.org_urls(kind, Some(&row.api_url)).await?;
        Ok(OrgClient::new(
            OrgAccount {
                client_id: row.client_id.clone(),
                key_id: row.key_id.clone(),
                key,
            },
            kind,
            urls,
            self.clock.clone(),
        )
        .with_retry_policy(self.retry))
    }

    fn org_row(&self, name: &str) -> Result<OrgAccountRow> {
        self.workspace_wide("the organisation's API accounts")?;
        self.workspace
            .connect()?
            .org_account(name.trim())?
            .ok_or_else(|| CoreError::NotFound(format!("the API account '{}'", name.trim())))
    }

    /// The only account, or the one named (several need a name).
    fn org_row_or_only(&self, name: Option<&str>) -> Result<OrgAccountRow> {
        if let Some(name) = name {
            return self.org_row(name);
        }
        self.workspace_wide("the organisation's API accounts")?;
        let mut rows = self.workspace.connect()?.org_accounts()?;
        match rows.len() {
            0 => Err(CoreError::NotFound(
                "an API account (add one with `depot org add`)".into(),
            )),
            1 => Ok(rows.remove(0)),
            _ => Err(CoreError::InvalidInput {
                field: "account",
                message: format!(
                    "there are {} API accounts: name one ({})",
                    rows.len(),
                    rows.iter()
                        .map(|r| r.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }

    fn org_info(&self, row: OrgAccountRow) -> Result<OrgAccountInfo> {
        let db = self.workspace.connect()?;
        let servers = db.org_servers(Some(row.id))?;
        let devices = db.org_devices(&OrgDeviceQuery {
            account_id: Some(row.id),
            ..OrgDeviceQuery::default()
        })?;
        let released = devices.iter().filter(|d| d.released_at.is_some()).count() as u64;
        let assigned = devices.iter().filter(|d| d.status == "ASSIGNED").count() as u64;
        Ok(OrgAccountInfo {
            next_sync_at: org_next_sync(&row),
            row,
            servers,
            devices: devices.len() as u64,
            assigned,
            unassigned: devices.len() as u64 - assigned,
            released,
        })
    }

    /// Adds an API account: checks the key, signs in and reads the
    /// organisation before anything is stored; then stores the key sealed
    /// and syncs the devices. Audited without the key.
    pub async fn add_org_account(&self, add: &AddOrgAccount<'_>) -> Result<OrgAccountInfo> {
        self.workspace_wide("an API account")?;
        let client_id = add.client_id.trim();
        let key_id = add.key_id.trim();
        let kind = match (OrgKind::of_client_id(client_id), add.school) {
            (Some(OrgKind::School), _) | (None, true) => OrgKind::School,
            (Some(OrgKind::Business), true) => {
                return Err(CoreError::InvalidInput {
                    field: "clientId",
                    message: format!(
                        "'{client_id}' is an Apple Business Manager account (BUSINESSAPI.…), but --school was given"
                    ),
                });
            }
            _ => OrgKind::Business,
        };
        if client_id.is_empty()
            || client_id.len() > 200
            || client_id.chars().any(char::is_whitespace)
        {
            return Err(CoreError::InvalidInput {
                field: "clientId",
                message: "the client id is Apple's 'Client ID' of the API account (BUSINESSAPI.… or SCHOOLAPI.…)".into(),
            });
        }
        if key_id.is_empty() || key_id.len() > 200 || key_id.chars().any(char::is_whitespace) {
            return Err(CoreError::InvalidInput {
                field: "keyId",
                message: "the key id is Apple's 'Key ID' of the API account (a UUID)".into(),
            });
        }
        let key = AccountKey::from_pem(add.key_pem).map_err(|e| CoreError::InvalidInput {
            field: "key",
            message: e.to_string(),
        })?;
        let urls = self.org_urls(kind, add.api_url).await?;
        let stored_url = if urls.apple {
            "apple".to_owned()
        } else if add.api_url.map(str::trim) == Some(SIMULATOR_API_URL) {
            SIMULATOR_API_URL.to_owned()
        } else {
            urls.api.clone()
        };
        let name = add
            .name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(client_id)
            .to_owned();
        if name.chars().count() > 100 {
            return Err(CoreError::InvalidInput {
                field: "name",
                message: "a name has at most 100 characters".into(),
            });
        }
        if let Some(taken) = self.workspace.connect()?.org_account(&name)?
            && (taken.name.eq_ignore_ascii_case(&name) || taken.client_id == client_id)
        {
            return Err(CoreError::InvalidInput {
                field: "name",
                message: format!("the API account '{}' is already here", taken.name),
            });
        }
        // Proves the account before anything is stored.
        let client = OrgClient::new(
            OrgAccount {
                client_id: client_id.to_owned(),
                key_id: key_id.to_owned(),
                key,
            },
            kind,
            urls,
            self.clock.clone(),
        )
        .with_retry_policy(self.retry);
        let servers = client.mdm_servers().await.map_err(org_error)?;
        let now = self.clock.now();
        let vault = self.vault()?;
        let id = self.workspace.write(|db| {
            let id =
                db.insert_org_account(&name, kind.as_str(), client_id, key_id, &stored_url, now)?;
            db.set_org_secret(
                id,
                &vault.seal(
                    SecretSlot::OrgKey(id),
                    add.key_pem.expose().trim().as_bytes(),
                )?,
            )?;
            self.audit(
                db,
                AuditEvent {
                    action: "org.added",
                    object: format!("API account '{name}'"),
                    token: None,
                    before: None,
                    after: Some(json!({
                        "clientId": client_id,
                        "keyId": key_id,
                        "kind": kind.as_str(),
                        "servers": servers.iter().map(|s| &s.name).collect::<Vec<_>>(),
                    })),
                },
            )?;
            Ok::<_, CoreError>(id)
        })?;
        let row = self.org_row(&id.to_string())?;
        self.sync_org_with(&row, &client).await?;
        self.org_info(self.org_row(&id.to_string())?)
    }

    pub fn org_accounts(&self) -> Result<Vec<OrgAccountInfo>> {
        self.workspace_wide("the organisation's API accounts")?;
        let rows = self.workspace.connect()?.org_accounts()?;
        rows.into_iter().map(|r| self.org_info(r)).collect()
    }

    pub fn org_account(&self, name: &str) -> Result<OrgAccountInfo> {
        self.org_info(self.org_row(name)?)
    }

    /// Removes an account and what Depot read with it (audited).
    pub fn remove_org_account(&self, name: &str) -> Result<()> {
        let row = self.org_row(name)?;
        self.workspace.write(|db| {
            db.delete_org_account(row.id)?;
            self.audit(
                db,
                AuditEvent {
                    action: "org.removed",
                    object: format!("API account '{}'", row.name),
                    token: None,
                    before: Some(json!({"clientId": row.client_id, "keyId": row.key_id})),
                    after: None,
                },
            )
        })
    }

    /// Reads the organisation again: its MDM servers (linked to Depot's
    /// tokens by server name), which devices each holds, and every device.
    pub async fn sync_org(&self, name: Option<&str>) -> Result<Vec<OrgAccountInfo>> {
        let rows = match name {
            Some(n) => vec![self.org_row(n)?],
            None => {
                self.workspace_wide("the organisation's API accounts")?;
                self.workspace.connect()?.org_accounts()?
            }
        };
        let mut out = Vec::new();
        for row in rows {
            self.read_org(&row).await?;
            out.push(self.org_info(self.org_row(&row.id.to_string())?)?);
        }
        Ok(out)
    }

    /// Reads the organisation of `row` with a client made from its stored
    /// key. Any failure, the key or the address included, is recorded on
    /// the account as a failed read.
    async fn read_org(&self, row: &OrgAccountRow) -> Result<()> {
        match self.org_client(row).await {
            Ok(client) => self.sync_org_with(row, &client).await,
            Err(err) => {
                let message = err.to_string();
                let now = self.clock.now();
                self.workspace
                    .write(|db| db.record_org_sync(row.id, now, Some(&message)))?;
                Err(err)
            }
        }
    }

    async fn sync_org_with(&self, row: &OrgAccountRow, client: &OrgClient) -> Result<()> {
        let read = async {
            let servers = client.mdm_servers().await?;
            let mut holder: HashMap<String, String> = HashMap::new();
            let mut counts: HashMap<String, u64> = HashMap::new();
            for server in &servers {
                let serials = client.server_serials(&server.id).await?;
                counts.insert(server.id.clone(), serials.len() as u64);
                for s in serials {
                    holder.insert(s, server.id.clone());
                }
            }
            let devices = client.org_devices().await?;
            Ok::<_, OrgError>((servers, holder, counts, devices))
        };
        let now = self.clock.now();
        let (servers, holder, counts, devices) = match read.await {
            Ok(read) => read,
            Err(err) => {
                let message = err.to_string();
                self.workspace
                    .write(|db| db.record_org_sync(row.id, now, Some(&message)))?;
                return Err(org_error(err));
            }
        };
        let tokens = self.workspace.connect()?.list_tokens()?;
        let server_rows: Vec<OrgServerRow> = servers
            .iter()
            .map(|s| OrgServerRow {
                account_id: row.id,
                id: s.id.clone(),
                name: s.name.clone(),
                server_type: s.server_type.clone(),
                token_id: tokens
                    .iter()
                    .find(|t| {
                        t.server_name.eq_ignore_ascii_case(&s.name)
                            || t.server_uuid.eq_ignore_ascii_case(&s.id)
                    })
                    .map(|t| t.id),
                devices: counts.get(&s.id).copied().unwrap_or(0),
            })
            .collect();
        let device_rows: Vec<OrgDeviceRow> = devices
            .into_iter()
            .map(|d| OrgDeviceRow {
                account_id: row.id,
                server_id: holder.get(&d.serial).cloned(),
                status: d.status.as_str().to_owned(),
                serial: d.serial,
                model: d.model,
                family: d.family,
                color: d.color,
                capacity: d.capacity,
                part_number: d.part_number,
                order_number: d.order_number,
                ordered_at: d.ordered_at,
                purchase_source_type: d.purchase_source_type,
                purchase_source_id: d.purchase_source_id,
                added_at: d.added_at,
                updated_at: d.updated_at,
                released_at: d.released_at,
            })
            .collect();
        self.workspace.write(|db| {
            db.replace_org_servers(row.id, &server_rows)?;
            db.replace_org_devices(row.id, &device_rows)?;
            db.record_org_sync(row.id, now, None)
        })?;
        Ok(())
    }

    /// The organisation's devices, as of the last sync.
    pub fn org_devices(
        &self,
        account: Option<&str>,
        status: Option<&str>,
        server: Option<&str>,
        search: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<OrgDeviceView>> {
        self.workspace_wide("the organisation's devices")?;
        let account_id = account.map(|a| self.org_row(a)).transpose()?.map(|r| r.id);
        let db = self.workspace.connect()?;
        let servers = db.org_servers(account_id)?;
        let server_id = match server {
            None => None,
            Some(name) => Some(
                find_server(&servers, name)
                    .map(|s| s.id.clone())
                    .ok_or_else(|| unknown_server(name, &servers))?,
            ),
        };
        let status = match status.map(|s| s.trim().to_ascii_lowercase()) {
            None => None,
            Some(s) if s == "assigned" => Some("ASSIGNED".to_owned()),
            Some(s) if s == "unassigned" => Some("UNASSIGNED".to_owned()),
            Some(other) => {
                return Err(CoreError::InvalidInput {
                    field: "status",
                    message: format!("'{other}' is not a status: use assigned or unassigned"),
                });
            }
        };
        let rows = db.org_devices(&OrgDeviceQuery {
            account_id,
            status,
            server_id,
            search: search.map(str::to_owned),
            limit,
        })?;
        let by_id: HashMap<(i64, &str), &OrgServerRow> = servers
            .iter()
            .map(|s| ((s.account_id, s.id.as_str()), s))
            .collect();
        Ok(rows
            .into_iter()
            .map(|d| {
                let server = d
                    .server_id
                    .as_deref()
                    .and_then(|id| by_id.get(&(d.account_id, id)));
                OrgDeviceView {
                    server_name: server.map(|s| s.name.clone()),
                    token_id: server.and_then(|s| s.token_id),
                    device: d,
                }
            })
            .collect())
    }

    /// One device, with its AppleCare coverage read from Apple now.
    pub async fn org_device(&self, serial: &str) -> Result<(OrgDeviceView, Vec<CoverageRecord>)> {
        self.workspace_wide("the organisation's devices")?;
        let serial = serial.trim().to_ascii_uppercase();
        let device = self
            .workspace
            .connect()?
            .org_device(&serial)?
            .ok_or_else(|| {
                CoreError::NotFound(format!("the device {serial} in the organisation"))
            })?;
        let row = self.org_row(&device.account_id.to_string())?;
        let coverage = self
            .org_client(&row)
            .await?
            .apple_care(&serial)
            .await
            .map_err(org_error)?;
        let view = self
            .org_devices(
                Some(&row.id.to_string()),
                None,
                None,
                Some(&serial),
                Some(50),
            )?
            .into_iter()
            .find(|v| v.device.serial == serial)
            .ok_or_else(|| CoreError::NotFound(format!("the device {serial}")))?;
        Ok((view, coverage))
    }

    /// What assigning (or unassigning) `serials` to/from `server` would do.
    pub fn preview_org_activity(
        &self,
        account: Option<&str>,
        kind: ActivityKind,
        server: &str,
        serials: &[String],
    ) -> Result<OrgPreview> {
        let row = self.org_row_or_only(account)?;
        let db = self.workspace.connect()?;
        let servers = db.org_servers(Some(row.id))?;
        let target =
            find_server(&servers, server).ok_or_else(|| unknown_server(server, &servers))?;
        let mut preview = OrgPreview {
            server_id: target.id.clone(),
            server_name: target.name.clone(),
            token_id: target.token_id,
            ..OrgPreview::default()
        };
        let names: HashMap<&str, &str> = servers
            .iter()
            .map(|s| (s.id.as_str(), s.name.as_str()))
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        for raw in serials {
            let serial = raw.trim().to_ascii_uppercase();
            if serial.is_empty() || !seen.insert(serial.clone()) {
                continue;
            }
            let device = db.org_devices(&OrgDeviceQuery {
                account_id: Some(row.id),
                search: Some(serial.clone()),
                limit: Some(20),
                ..OrgDeviceQuery::default()
            })?;
            let Some(device) = device.into_iter().find(|d| d.serial == serial) else {
                preview.unknown.push(serial);
                continue;
            };
            if device.released_at.is_some() {
                preview.released.push(serial);
                continue;
            }
            let on = device.server_id.as_deref();
            match kind {
                ActivityKind::Assign if on == Some(target.id.as_str()) => {
                    preview.already.push(serial)
                }
                ActivityKind::Assign => {
                    if let Some(other) = on {
                        preview.other_server.push((
                            serial.clone(),
                            names.get(other).copied().unwrap_or(other).to_owned(),
                        ));
                    }
                    preview.will_change.push(serial);
                }
                ActivityKind::Unassign if on == Some(target.id.as_str()) => {
                    preview.will_change.push(serial)
                }
                ActivityKind::Unassign => preview.already.push(serial),
            }
        }
        Ok(preview)
    }

    /// Starts the activities for the preview's devices (1,000 per
    /// activity), recorded and audited. Follow them with
    /// [`Depot::follow_org_activity`].
    pub async fn start_org_activity(
        &self,
        account: Option<&str>,
        kind: ActivityKind,
        server: &str,
        serials: &[String],
    ) -> Result<Vec<OrgActivityInfo>> {
        let row = self.org_row_or_only(account)?;
        let preview =
            self.preview_org_activity(Some(&row.id.to_string()), kind, server, serials)?;
        if preview.will_change.is_empty() {
            return Err(CoreError::InvalidInput {
                field: "serials",
                message: format!(
                    "nothing to {}: {} already, {} released, {} unknown to the organisation",
                    kind.as_str(),
                    preview.already.len(),
                    preview.released.len(),
                    preview.unknown.len()
                ),
            });
        }
        let client = self.org_client(&row).await?;
        let operator =
            crate::acting::acting_now().map_or_else(|| self.operator.clone(), |a| a.name);
        let mut out = Vec::new();
        for chunk in preview.will_change.chunks(MAX_SERIALS_PER_ACTIVITY) {
            let activity = client
                .start_activity(kind, &preview.server_id, chunk)
                .await
                .map_err(org_error)?;
            let record = OrgActivityRow {
                id: activity.id.clone(),
                account_id: row.id,
                kind: kind.as_str().to_owned(),
                server_id: preview.server_id.clone(),
                server_name: preview.server_name.clone(),
                serials: serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into()),
                status: activity.status.clone(),
                sub_status: activity.sub_status.clone(),
                results: None,
                error: None,
                operator: operator.clone(),
                created_at: self.clock.now(),
                finished_at: None,
                token_synced: false,
            };
            self.workspace.write(|db| {
                db.insert_org_activity(&record)?;
                self.audit(
                    db,
                    AuditEvent {
                        action: if kind == ActivityKind::Assign {
                            "org.assign_started"
                        } else {
                            "org.unassign_started"
                        },
                        object: format!("MDM server '{}'", preview.server_name),
                        token: preview.token_id,
                        before: None,
                        after: Some(json!({
                            "activity": activity.id,
                            "serials": chunk.len(),
                            "movedFromOtherServers": preview.other_server.len(),
                        })),
                    },
                )
            })?;
            out.push(OrgActivityInfo::from_row(record));
        }
        Ok(out)
    }

    /// Follows an activity until Apple finishes it (polling with growing
    /// pauses, at most [`FOLLOW_LIMIT`]), reads its log, records each
    /// device's result, moves the devices in Depot's copy, and syncs the
    /// ADE token of the server so the devices arrive (or leave) with its
    /// default profile. Audited.
    pub async fn follow_org_activity(&self, id: &str) -> Result<OrgActivityInfo> {
        self.workspace_wide("the organisation's activities")?;
        let mut record = self
            .workspace
            .connect()?
            .org_activity(id.trim())?
            .ok_or_else(|| CoreError::NotFound(format!("the activity {}", id.trim())))?;
        if record.finished_at.is_some() {
            return Ok(OrgActivityInfo::from_row(record));
        }
        let row = self.org_row(&record.account_id.to_string())?;
        let client = self.org_client(&row).await?;
        let started = std::time::Instant::now();
        let mut pause = self.retry.base_delay.max(Duration::from_millis(10));
        let activity: Activity = loop {
            let activity = client.activity(&record.id).await.map_err(org_error)?;
            record.status = activity.status.clone();
            record.sub_status = activity.sub_status.clone();
            if activity.is_finished() {
                break activity;
            }
            self.workspace.write(|db| db.update_org_activity(&record))?;
            if started.elapsed() > FOLLOW_LIMIT {
                return Ok(OrgActivityInfo::from_row(record));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(30));
        };
        let serials: Vec<String> = serde_json::from_str(&record.serials).unwrap_or_default();
        let log = match &activity.download_url {
            Some(url) => client.activity_log(url).await.map_err(org_error)?,
            None => Vec::new(),
        };
        let logged: BTreeMap<String, (String, String)> = log
            .iter()
            .map(|r| {
                (
                    r.serial.to_ascii_uppercase(),
                    (r.result.clone(), r.message.clone()),
                )
            })
            .collect();
        let completed = activity.status == "COMPLETED";
        let results: Vec<ActivityResult> = serials
            .iter()
            .map(|s| match logged.get(s) {
                Some((result, message)) => ActivityResult {
                    serial: s.clone(),
                    result: result.clone(),
                    message: message.clone(),
                },
                None => ActivityResult {
                    serial: s.clone(),
                    result: if completed && activity.sub_status == "COMPLETED_WITH_SUCCESS" {
                        "SUCCESS".into()
                    } else {
                        "UNKNOWN".into()
                    },
                    message: if log.is_empty() {
                        format!("Apple's log named no result ({})", activity.sub_status)
                    } else {
                        "not in Apple's log".into()
                    },
                },
            })
            .collect();
        let moved: Vec<String> = results
            .iter()
            .filter(|r| {
                matches!(
                    r.result.to_ascii_uppercase().as_str(),
                    "SUCCESS" | "SUCCEEDED" | "COMPLETED" | "OK"
                )
            })
            .map(|r| r.serial.clone())
            .collect();
        let now = self.clock.now();
        record.finished_at = Some(now);
        record.results = serde_json::to_string(&results).ok();
        if !completed {
            record.error = Some(format!(
                "Apple ended the activity as {} ({})",
                activity.status, activity.sub_status
            ));
        }
        let kind = ActivityKind::parse(&record.kind).unwrap_or(ActivityKind::Assign);
        let token = self
            .workspace
            .connect()?
            .org_servers(Some(row.id))?
            .into_iter()
            .find(|s| s.id == record.server_id)
            .and_then(|s| s.token_id);
        self.workspace.write(|db| {
            db.move_org_devices(
                row.id,
                &moved,
                (kind == ActivityKind::Assign).then_some(record.server_id.as_str()),
                now,
            )?;
            db.update_org_activity(&record)?;
            self.audit(
                db,
                AuditEvent {
                    action: "org.activity_finished",
                    object: format!("MDM server '{}'", record.server_name),
                    token,
                    before: None,
                    after: Some(json!({
                        "activity": record.id,
                        "kind": record.kind,
                        "status": activity.status,
                        "subStatus": activity.sub_status,
                        "succeeded": moved.len(),
                        "failed": results.len() - moved.len(),
                    })),
                },
            )
        })?;
        // The devices arrive in (or leave) the token's next sync: now.
        if let Some(token) = token
            && !moved.is_empty()
        {
            match self
                .sync_token(token, SyncRequest::automatic(), &|_| {})
                .await
            {
                Ok(_) => {
                    record.token_synced = true;
                    self.workspace.write(|db| db.update_org_activity(&record))?;
                }
                Err(err) => {
                    tracing::warn!(%err, "the token of the activity's server could not be synced")
                }
            }
        }
        Ok(OrgActivityInfo::from_row(record))
    }

    /// The schedule's part: reads again every organisation whose last good
    /// read is [`ORG_SYNC_EVERY_SECS`] old (or that was never read), unless
    /// its last try failed less than [`ORG_RETRY_AFTER_SECS`] ago. A failed
    /// try is recorded on the account (an alert after a day of failures).
    /// Returns how many were read.
    pub async fn sync_due_org_accounts(&self) -> Result<usize> {
        let now = self.clock.now();
        let due: Vec<OrgAccountRow> = self
            .workspace
            .connect()?
            .org_accounts()?
            .into_iter()
            .filter(|row| now >= org_next_sync(row))
            .collect();
        let mut read = 0;
        for row in due {
            match self.read_org(&row).await {
                Ok(()) => read += 1,
                Err(err) => {
                    tracing::warn!(%err, account = %row.name, "the organisation could not be read")
                }
            }
        }
        Ok(read)
    }

    /// Follows again the activities nobody finished following (the app or
    /// the server stopped meanwhile, or Apple took longer than
    /// [`FOLLOW_LIMIT`]): the scheduler calls this. Activities younger than
    /// the limit are left to whoever started them.
    pub async fn resume_org_activities(&self) -> Result<usize> {
        let now = self.clock.now();
        let limit = i64::try_from(FOLLOW_LIMIT.as_secs()).unwrap_or(i64::MAX) + 300;
        let stale: Vec<String> = self
            .workspace
            .connect()?
            .org_activities(500)?
            .into_iter()
            .filter(|a| a.finished_at.is_none() && now.seconds_since(a.created_at) > limit)
            .map(|a| a.id)
            .collect();
        let mut finished = 0;
        for id in stale {
            match self.follow_org_activity(&id).await {
                Ok(a) if a.finished() => finished += 1,
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(%err, activity = %id, "an activity could not be followed")
                }
            }
        }
        Ok(finished)
    }

    pub fn org_activities(&self, limit: u32) -> Result<Vec<OrgActivityInfo>> {
        self.workspace_wide("the organisation's activities")?;
        Ok(self
            .workspace
            .connect()?
            .org_activities(limit.clamp(1, 500))?
            .into_iter()
            .map(OrgActivityInfo::from_row)
            .collect())
    }

    pub fn org_activity(&self, id: &str) -> Result<OrgActivityInfo> {
        self.workspace_wide("the organisation's activities")?;
        self.workspace
            .connect()?
            .org_activity(id.trim())?
            .map(OrgActivityInfo::from_row)
            .ok_or_else(|| CoreError::NotFound(format!("the activity {}", id.trim())))
    }
}

fn find_server<'a>(servers: &'a [OrgServerRow], name: &str) -> Option<&'a OrgServerRow> {
    let name = name.trim();
    servers
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
        .or_else(|| servers.iter().find(|s| s.id.eq_ignore_ascii_case(name)))
}

fn unknown_server(name: &str, servers: &[OrgServerRow]) -> CoreError {
    CoreError::InvalidInput {
        field: "server",
        message: format!(
            "the organisation has no MDM server '{}' (it has: {}); sync the account if it was added lately",
            name.trim(),
            servers
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// For the key file: the public key Apple's portal should hold.
pub fn public_key_of(pem: &SecretString) -> Result<String> {
    AccountKey::from_pem(pem)
        .and_then(|k| k.public_key_pem())
        .map_err(|e| CoreError::InvalidInput {
            field: "key",
            message: e.to_string(),
        })
}

/// The organisation's devices as CSV (a header row, then one per device).
pub fn org_devices_csv(devices: &[OrgDeviceView]) -> String {
    use depot_domain::csv::line;
    let mut out = line([
        "serial",
        "status",
        "server",
        "model",
        "family",
        "color",
        "capacity",
        "part_number",
        "order_number",
        "ordered_at",
        "purchase_source",
        "purchase_source_id",
        "added_at",
        "released_at",
    ]);
    out.push_str("\r\n");
    for v in devices {
        let d = &v.device;
        let t = |t: Option<depot_domain::UnixSeconds>| t.map(|t| t.rfc3339()).unwrap_or_default();
        let (ordered, added, released) = (t(d.ordered_at), t(d.added_at), t(d.released_at));
        out.push_str(&line([
            d.serial.as_str(),
            d.status.as_str(),
            v.server_name.as_deref().unwrap_or(""),
            d.model.as_str(),
            d.family.as_str(),
            d.color.as_str(),
            d.capacity.as_str(),
            d.part_number.as_str(),
            d.order_number.as_str(),
            ordered.as_str(),
            d.purchase_source_type.as_str(),
            d.purchase_source_id.as_str(),
            added.as_str(),
            released.as_str(),
        ]));
        out.push_str("\r\n");
    }
    out
}
