//! Apps and Books (VPP) tokens (issue 15): adding one (its file checked,
//! its location read from Apple and claimed for Depot, with the admin's
//! consent when another MDM holds it), renewing, deleting (refused while a
//! profile installs the Company Portal with it), and syncing the Company
//! Portal's licence counts, by hand and on the 12-hour schedule.
//!
//! Tokens concern every ADE token (a profile of any token may use one), so
//! accounts limited by scope tags may read them but not change them.

use depot_apple::vpp::{AppsUrl, COMPANY_PORTAL_ADAM_ID, MdmInfo, VppClient, VppTokenFile};
use depot_domain::records::{LicenceCounts, VppState, VppTokenRow};
use depot_domain::{SecretString, UnixSeconds, VppTokenId};
use depot_store::Db;
use depot_store::vault::SecretSlot;
use depot_store::vpp::{NewVppToken, VppStanding};
use serde_json::json;

pub use depot_apple::vpp::{VppError, VppTokenError};

use crate::audit::AuditEvent;
use crate::tokens::TokenFileInput;
use crate::{CoreError, Depot, Result};

/// How often the schedule reads each token's licence counts.
pub const VPP_SYNC_EVERY_SECS: i64 = 12 * 60 * 60;
/// After a failure Apple gave no wait for, the schedule tries again after this.
const RETRY_AFTER_FAILURE_SECS: i64 = 60 * 60;
/// Apple's Apps and Books API (a token's `apps_url` starts with it).
pub const APPLE_APPS_URL: &str = depot_apple::vpp::DEFAULT_APPS_URL;
/// `--apps-url simulator`: the in-process simulator of demo mode.
pub const SIMULATOR_APPS_URL: &str = "simulator";

/// What Depot tells Apple about itself when it claims a location.
fn depot_mdm(workspace_id: &str) -> MdmInfo {
    let short: String = workspace_id.chars().take(8).collect();
    MdmInfo {
        id: format!("depot-{workspace_id}").chars().take(100).collect(),
        name: "Depot".into(),
        metadata: format!("Depot workspace {short}"),
    }
}

/// A request to add a token.
#[derive(Debug, Clone)]
pub struct AddVppToken<'a> {
    pub file: &'a TokenFileInput,
    /// Depot's name for it; the location's name when `None`.
    pub name: Option<&'a str>,
    /// `None`: Apple's service. A simulator needs the test setting, or
    /// [`SIMULATOR_APPS_URL`] for demo mode's.
    pub apps_url: Option<&'a str>,
    /// Claim the location even though another MDM holds it.
    pub take_over: bool,
}

fn file_error(e: depot_apple::vpp::VppTokenError) -> CoreError {
    CoreError::VppFile(e)
}

/// Apple's answer about a token, as Depot records it.
fn standing_after(err: &VppError, now: UnixSeconds) -> VppStanding {
    let state = match err.number() {
        Some(9621) => VppState::Expired,
        Some(9625) => VppState::Revoked,
        _ if err.rejects_token() => VppState::Invalid,
        _ => VppState::Failing,
    };
    let retry_at = match err {
        VppError::Busy {
            retry_after: Some(s),
        } => Some(now.plus(i64::try_from(*s).unwrap_or(i64::MAX / 4))),
        _ if state == VppState::Failing => Some(now.plus(RETRY_AFTER_FAILURE_SECS)),
        _ => None,
    };
    VppStanding {
        state,
        problem: Some(err.to_string()),
        problem_number: err.number(),
        other_mdm: None,
        retry_at,
    }
}

fn ok_standing() -> VppStanding {
    VppStanding {
        state: VppState::Ok,
        problem: None,
        problem_number: None,
        other_mdm: None,
        retry_at: None,
    }
}

/// The Company Portal row of a location's assets: the device-assignable
/// standard licences first.
fn portal_counts(
    assets: &[depot_apple::vpp::AssetCounts],
    now: UnixSeconds,
) -> Option<LicenceCounts> {
    let pick = assets
        .iter()
        .find(|a| a.device_assignable && a.pricing_param == "STDQ")
        .or_else(|| assets.first())?;
    Some(LicenceCounts {
        total: pick.total,
        assigned: pick.assigned,
        available: pick.available,
        retired: pick.retired,
        device_assignable: pick.device_assignable,
        as_of: now,
    })
}

impl Depot {
    async fn apps_url(&self, text: Option<&str>) -> Result<AppsUrl> {
        match text.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(AppsUrl::apple()),
            Some(SIMULATOR_APPS_URL) => {
                let base = self.ensure_simulator().await?;
                AppsUrl::parse(
                    &format!("{}/mdm/v2", base.trim_end_matches('/')),
                    depot_apple::AppleHosts::AllowTestHosts,
                )
                .map_err(|e| CoreError::Simulator(e.to_string()))
            }
            Some(text) => {
                AppsUrl::parse(text, self.apple_hosts).map_err(|e| CoreError::InvalidInput {
                    field: "appsUrl",
                    message: e.to_string(),
                })
            }
        }
    }

    /// Where a stored token's service is now.
    async fn row_apps_url(&self, row: &VppTokenRow) -> Result<AppsUrl> {
        if row.apps_url == SIMULATOR_APPS_URL {
            return self.apps_url(Some(SIMULATOR_APPS_URL)).await;
        }
        AppsUrl::parse(&row.apps_url, depot_apple::AppleHosts::AllowTestHosts).map_err(|e| {
            CoreError::InvalidInput {
                field: "appsUrl",
                message: e.to_string(),
            }
        })
    }

    /// Demo mode's tokens with their location (for the simulator to accept
    /// them again after a restart).
    #[cfg(feature = "demo")]
    pub(crate) fn demo_vpp_tokens(&self) -> Result<Vec<(String, SecretString)>> {
        let db = self.workspace.connect()?;
        let mut out = Vec::new();
        for row in db.vpp_tokens()? {
            if row.apps_url == SIMULATOR_APPS_URL {
                out.push((row.location_name.clone(), self.vpp_secret(&db, row.id)?));
            }
        }
        Ok(out)
    }

    fn vpp_client(&self, url: &AppsUrl, secret: SecretString) -> VppClient {
        VppClient::new(url, secret, self.clock.clone())
    }

    fn vpp_secret(&self, db: &Db, id: VppTokenId) -> Result<SecretString> {
        let sealed = db
            .vpp_secret(id)?
            .ok_or_else(|| CoreError::NotFound(format!("Apps and Books token {id}")))?;
        let plain = self.vault()?.unseal(SecretSlot::VppToken(id), &sealed)?;
        plain
            .into_secret_string()
            .ok_or_else(|| CoreError::InvalidInput {
                field: "token",
                message: format!("the stored Apps and Books token {id} is damaged: renew it"),
            })
    }

    /// Every Apps and Books token, by name.
    pub fn vpp_tokens(&self) -> Result<Vec<VppTokenRow>> {
        Ok(self.workspace.connect()?.vpp_tokens()?)
    }

    /// A token by id (digits) or name (any case).
    pub fn vpp_token(&self, reference: &str) -> Result<VppTokenRow> {
        let db = self.workspace.connect()?;
        let reference = reference.trim();
        let by_id = reference
            .parse::<i64>()
            .ok()
            .map(|n| db.vpp_token(VppTokenId::new(n)))
            .transpose()?
            .flatten();
        match by_id {
            Some(row) => Ok(row),
            None => db
                .vpp_token_by_name(reference)?
                .ok_or_else(|| CoreError::NotFound(format!("Apps and Books token '{reference}'"))),
        }
    }

    /// Adds a token: the file is checked, its location read from Apple and
    /// claimed for Depot (refused while another MDM holds it, unless
    /// `take_over`), and the Company Portal's licences read. Nothing is
    /// stored when any of it fails.
    pub async fn add_vpp_token(&self, request: &AddVppToken<'_>) -> Result<VppTokenRow> {
        self.workspace_wide("adding an Apps and Books token")?;
        let now = self.clock.now();
        let file = VppTokenFile::parse(&request.file.read()?, now).map_err(file_error)?;
        let url = self.apps_url(request.apps_url).await?;
        let client = self.vpp_client(&url, file.secret.clone());
        let config = client.client_config().await?;
        if let Some(existing) = self
            .workspace
            .connect()?
            .vpp_token_by_location(&config.uid)?
        {
            return Err(CoreError::VppDuplicate {
                existing: existing.name,
                location: config.location_name,
            });
        }
        let ours = depot_mdm(self.vault()?.workspace_id());
        let other = config.mdm_info.as_ref().filter(|m| m.id != ours.id);
        if let Some(other) = other
            && !request.take_over
        {
            return Err(CoreError::VppClaimed {
                location: config.location_name,
                mdm: other.name.clone(),
            });
        }
        let taken_from = other.map(|m| m.name.clone());
        client.claim(&ours).await?;
        let portal = match client.asset_counts(COMPANY_PORTAL_ADAM_ID).await {
            Ok(assets) => portal_counts(&assets, now),
            Err(e) if e.is_transient() => None,
            Err(e) => return Err(e.into()),
        };
        let name = request
            .name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(&config.location_name)
            .to_owned();
        if name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(CoreError::InvalidInput {
                field: "name",
                message: "a name is at most 100 characters, without control characters".into(),
            });
        }
        // Demo mode's simulator moves to another port at every start: its
        // tokens keep the word, not the address.
        let simulator = request.apps_url.map(str::trim) == Some(SIMULATOR_APPS_URL);
        let stored_url = if simulator {
            SIMULATOR_APPS_URL
        } else {
            url.as_str()
        };
        let vault = self.vault()?;
        let id = self.workspace.write(|db| {
            if let Some(taken) = db.vpp_token_by_name(&name)? {
                return Err(CoreError::InvalidInput {
                    field: "name",
                    message: format!(
                        "an Apps and Books token is already called '{}': choose another name",
                        taken.name
                    ),
                });
            }
            let id = db.insert_vpp_token(
                &NewVppToken {
                    name: &name,
                    location_name: &config.location_name,
                    location_uid: &config.uid,
                    org_name: &file.org_name,
                    apps_url: stored_url,
                    expires_at: file.expires_at,
                },
                now,
            )?;
            db.set_vpp_secret(
                id,
                &vault.seal(SecretSlot::VppToken(id), file.secret.expose().as_bytes())?,
            )?;
            db.record_vpp_sync(id, &ok_standing(), portal.as_ref(), now)?;
            self.audit(
                db,
                AuditEvent {
                    action: "vpp.add",
                    object: format!("Apps and Books token '{name}'"),
                    token: None,
                    before: taken_from.as_ref().map(|mdm| json!({ "claimedBy": mdm })),
                    after: Some(json!({
                        "location": config.location_name,
                        "expiresAt": file.expires_at.rfc3339(),
                        "claimedBy": "Depot",
                    })),
                },
            )?;
            Ok(id)
        })?;
        self.vpp_token(&id.get().to_string())
    }

    /// Replaces a token's file with a new one for the same location (for
    /// another location only with `other_location`). Apple's last verdict
    /// is cleared and the location claimed again.
    pub async fn renew_vpp_token(
        &self,
        reference: &str,
        file: &TokenFileInput,
        other_location: bool,
    ) -> Result<VppTokenRow> {
        self.workspace_wide("renewing an Apps and Books token")?;
        let row = self.vpp_token(reference)?;
        let now = self.clock.now();
        let parsed = VppTokenFile::parse(&file.read()?, now).map_err(file_error)?;
        let url = self.row_apps_url(&row).await?;
        let client = self.vpp_client(&url, parsed.secret.clone());
        let config = client.client_config().await?;
        if config.uid != row.location_uid && !other_location {
            return Err(CoreError::VppOtherLocation {
                expected: row.location_name,
                found: config.location_name,
            });
        }
        client
            .claim(&depot_mdm(self.vault()?.workspace_id()))
            .await?;
        let portal = client
            .asset_counts(COMPANY_PORTAL_ADAM_ID)
            .await
            .ok()
            .and_then(|a| portal_counts(&a, now));
        let vault = self.vault()?;
        self.workspace.write(|db| {
            if let Some(other) = db.vpp_token_by_location(&config.uid)?
                && other.id != row.id
            {
                return Err(CoreError::VppDuplicate {
                    existing: other.name,
                    location: config.location_name.clone(),
                });
            }
            let sealed = vault.seal(SecretSlot::VppToken(row.id), parsed.secret.expose().as_bytes())?;
            db.renew_vpp_token(
                row.id,
                &NewVppToken {
                    name: &row.name,
                    location_name: &config.location_name,
                    location_uid: &config.uid,
                    org_name: &parsed.org_name,
                    apps_url: &row.apps_url,
                    expires_at: parsed.expires_at,
                },
                &sealed,
                now,
            )?;
            db.record_vpp_sync(row.id, &ok_standing(), portal.as_ref(), now)?;
            self.audit(
                db,
                AuditEvent {
                    action: "vpp.renew",
                    object: format!("Apps and Books token '{}'", row.name),
                    token: None,
                    before: Some(json!({ "location": row.location_name, "expiresAt": row.expires_at.rfc3339() })),
                    after: Some(json!({ "location": config.location_name, "expiresAt": parsed.expires_at.rfc3339() })),
                },
            )
        })?;
        self.vpp_token(&row.id.get().to_string())
    }

    /// The profiles (latest versions) that install the Company Portal with
    /// the token called `name`: "profile 'X' of token 'Y'".
    pub(crate) fn profiles_using_vpp(&self, db: &Db, name: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for profile in db.list_profiles(None)? {
            let Some(version) = db.profile_version(profile.id, profile.current_version)? else {
                continue;
            };
            let spec = crate::stored::stored_spec(&version)?;
            let uses = spec.install_company_portal
                && spec
                    .company_portal_vpp_token
                    .as_deref()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case(name));
            if uses {
                out.push(format!(
                    "profile '{}' of token '{}'",
                    profile.name, profile.token_name
                ));
            }
        }
        Ok(out)
    }

    /// Deletes a token, refused while a profile installs the Company Portal
    /// with it (and says which).
    pub fn delete_vpp_token(&self, reference: &str) -> Result<()> {
        self.workspace_wide("deleting an Apps and Books token")?;
        let row = self.vpp_token(reference)?;
        self.workspace.write(|db| {
            let users = self.profiles_using_vpp(db, &row.name)?;
            if !users.is_empty() {
                return Err(CoreError::VppInUse {
                    name: row.name.clone(),
                    profiles: users,
                });
            }
            db.delete_vpp_token(row.id)?;
            self.audit(
                db,
                AuditEvent {
                    action: "vpp.delete",
                    object: format!("Apps and Books token '{}'", row.name),
                    token: None,
                    before: Some(json!({ "location": row.location_name })),
                    after: None,
                },
            )
        })
    }

    /// Reads a token's standing and the Company Portal's licences from
    /// Apple, and records them. Apple's refusals are recorded on the token
    /// (answered, not raised): a rejected token is marked, not retried.
    pub async fn sync_vpp_token(&self, reference: &str) -> Result<VppTokenRow> {
        let row = self.vpp_token(reference)?;
        let now = self.clock.now();
        let (standing, portal) = if row.expires_at <= now {
            let standing = VppStanding {
                state: VppState::Expired,
                problem: Some(format!(
                    "The Apps and Books token expired on {}: download a new one for this location from Apple's portal and renew it in Depot",
                    row.expires_at.rfc3339()
                )),
                problem_number: None,
                other_mdm: None,
                retry_at: None,
            };
            (standing, None)
        } else {
            let secret = self.vpp_secret(&self.workspace.connect()?, row.id)?;
            let url = self.row_apps_url(&row).await?;
            self.read_standing(&self.vpp_client(&url, secret), now)
                .await
        };
        self.workspace.write(|db| {
            db.record_vpp_sync(row.id, &standing, portal.as_ref(), now)?;
            if standing.state == VppState::Ok && portal.is_none() {
                db.clear_vpp_counts(row.id)?;
            }
            Ok::<_, CoreError>(())
        })?;
        self.vpp_token(&row.id.get().to_string())
    }

    async fn read_standing(
        &self,
        client: &VppClient,
        now: UnixSeconds,
    ) -> (VppStanding, Option<LicenceCounts>) {
        let config = match client.client_config().await {
            Ok(config) => config,
            Err(e) => return (standing_after(&e, now), None),
        };
        let ours = match self.vault() {
            Ok(vault) => depot_mdm(vault.workspace_id()),
            Err(e) => {
                let standing = VppStanding {
                    problem: Some(e.to_string()),
                    ..standing_after(&VppError::Unreachable(String::new()), now)
                };
                return (standing, None);
            }
        };
        match &config.mdm_info {
            Some(other) if other.id != ours.id => {
                let standing = VppStanding {
                    state: VppState::TakenOver,
                    problem: Some(format!(
                        "'{}' claimed this location after Depot: two MDMs assigning one location's licences give unpredictable results. Renew the token in Depot to claim it back, or delete it here",
                        other.name
                    )),
                    problem_number: None,
                    other_mdm: Some(other.name.clone()),
                    retry_at: None,
                };
                return (standing, None);
            }
            Some(_) => {}
            None => {
                if let Err(e) = client.claim(&ours).await {
                    return (standing_after(&e, now), None);
                }
            }
        }
        match client.asset_counts(COMPANY_PORTAL_ADAM_ID).await {
            Ok(assets) => (ok_standing(), portal_counts(&assets, now)),
            Err(e) => (standing_after(&e, now), None),
        }
    }

    /// Syncs every token (`depot vpp sync` without a name).
    pub async fn sync_vpp_tokens(&self) -> Result<Vec<VppTokenRow>> {
        let mut out = Vec::new();
        for row in self.vpp_tokens()? {
            out.push(self.sync_vpp_token(&row.id.get().to_string()).await?);
        }
        Ok(out)
    }

    /// The schedule's part: tokens not synced for 12 hours, not rejected by
    /// Apple, and not asked to wait; how many were synced.
    pub async fn sync_due_vpp_tokens(&self) -> Result<usize> {
        let now = self.clock.now();
        let due: Vec<VppTokenRow> = self
            .vpp_tokens()?
            .into_iter()
            .filter(|t| !t.state.rejected() && t.state != VppState::TakenOver)
            .filter(|t| t.retry_at.is_none_or(|at| at <= now))
            .filter(|t| {
                t.last_sync_at
                    .is_none_or(|at| now.seconds_since(at) >= VPP_SYNC_EVERY_SECS)
            })
            .collect();
        for token in &due {
            self.sync_vpp_token(&token.id.get().to_string()).await?;
        }
        Ok(due.len())
    }
}

// ----- in profiles (PRO-4, PRO-5) -------------------------------------------------

use depot_domain::ProfileId;
use depot_domain::profile::{ProfileField, ProfileProblem, ProfileSpec};
use depot_domain::records::{DeviceQuery, ProfileFilter};

/// `12,345`: counts in messages read like the app's.
pub(crate) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `2026-12-03 17:39 UTC`: a time in messages.
fn when(t: UnixSeconds) -> String {
    let text = t.rfc3339();
    format!("{} {} UTC", &text[..10], &text[11..16])
}

/// A token expiring within this many days is warned about.
pub const VPP_EXPIRY_WARNING_DAYS: i64 = 30;

/// The token a spec installs the Company Portal with, if it names one.
fn named_token(spec: &ProfileSpec) -> Option<&str> {
    spec.install_company_portal
        .then_some(spec.company_portal_vpp_token.as_deref())
        .flatten()
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Finds the token a profile names by name (any case) or id.
fn find_for_profile(db: &Db, reference: &str) -> Result<Option<VppTokenRow>> {
    if let Some(row) = db.vpp_token_by_name(reference)? {
        return Ok(Some(row));
    }
    match reference.parse::<i64>() {
        Ok(id) => Ok(db.vpp_token(VppTokenId::new(id))?),
        Err(_) => Ok(None),
    }
}

/// The spec with its Apps and Books token written as the token's name
/// (`companyPortalVppToken` may give a name in any case, or an id), or a
/// problem at that field when no such token exists.
pub(crate) fn resolve_profile_token(
    db: &Db,
    spec: &ProfileSpec,
) -> Result<(Option<ProfileSpec>, Vec<ProfileProblem>)> {
    let Some(reference) = named_token(spec) else {
        return Ok((None, Vec::new()));
    };
    match find_for_profile(db, reference)? {
        Some(row) if row.name == spec.company_portal_vpp_token.as_deref().unwrap_or_default() => {
            Ok((None, Vec::new()))
        }
        Some(row) => {
            let mut normalized = spec.clone();
            normalized.company_portal_vpp_token = Some(row.name);
            Ok((Some(normalized), Vec::new()))
        }
        None => {
            let known: Vec<String> = db.vpp_tokens()?.into_iter().map(|t| t.name).collect();
            let choices = if known.is_empty() {
                "This workspace has no Apps and Books tokens yet: add one first (Apps and Books tokens, or `depot vpp add`).".to_owned()
            } else {
                format!("Choose one of: {}.", known.join(", "))
            };
            Ok((
                None,
                vec![ProfileProblem::new(
                    ProfileField::CompanyPortalVppToken,
                    format!("There is no Apps and Books token called '{reference}'. {choices}"),
                )],
            ))
        }
    }
}

/// Devices holding `profile` that have not set up yet (they will need a
/// Company Portal licence when they do).
fn waiting_devices(db: &Db, profile: ProfileId) -> Result<u64> {
    Ok(db.count_devices(&DeviceQuery {
        profile: Some(ProfileFilter::Profile(profile)),
        statuses: vec![depot_domain::ProfileStatus::Assigned],
        ..DeviceQuery::default()
    })?)
}

/// Devices waiting to set up (status assigned) with any profile that
/// installs the Company Portal with the token called `name`.
pub(crate) fn waiting_for_token(db: &Db, name: &str) -> Result<u64> {
    let mut total = 0;
    for profile in db.list_profiles(None)? {
        let Some(version) = db.profile_version(profile.id, profile.current_version)? else {
            continue;
        };
        let spec = crate::stored::stored_spec(&version)?;
        if named_token(&spec).is_some_and(|t| t.eq_ignore_ascii_case(name)) {
            total += waiting_devices(db, profile.id)?;
        }
    }
    Ok(total)
}

/// Warnings about the profile's Apps and Books token (Review, the profile
/// page): it expires within 30 days; Apple no longer takes it (the install
/// falls back to the App Store, which ADE setups cannot use); fewer
/// available licences than devices assigned to the profile that have not
/// set up yet.
pub(crate) fn profile_warnings(
    db: &Db,
    spec: &ProfileSpec,
    profile: Option<ProfileId>,
    now: UnixSeconds,
) -> Result<Vec<ProfileProblem>> {
    let Some(reference) = named_token(spec) else {
        return Ok(Vec::new());
    };
    let Some(token) = find_for_profile(db, reference)? else {
        return Ok(Vec::new());
    };
    let field = ProfileField::CompanyPortalVppToken;
    let mut out = Vec::new();
    let fallback = "the Company Portal would be installed from the App Store instead, which needs an Apple Account that ADE setups do not have";
    let expired = token.expires_at <= now;
    if expired || token.state.rejected() || token.state == VppState::TakenOver {
        let why = match token.state {
            _ if expired => format!("expired on {}", when(token.expires_at)),
            VppState::Revoked => "was revoked by Apple".to_owned(),
            VppState::Invalid => "is not accepted by Apple".to_owned(),
            VppState::TakenOver => format!(
                "is now managed by another MDM ({})",
                token.other_mdm.as_deref().unwrap_or("unknown")
            ),
            _ => "expired".to_owned(),
        };
        out.push(ProfileProblem::new(
            field,
            format!(
                "The Apps and Books token '{}' {why}: {fallback}. Renew the token.",
                token.name
            ),
        ));
    } else {
        let days = token.expires_at.seconds_since(now).div_euclid(86_400);
        if days < VPP_EXPIRY_WARNING_DAYS {
            out.push(ProfileProblem::new(
                field,
                format!(
                    "The Apps and Books token '{}' expires on {} (in {days} days): renew it before then, or {fallback}.",
                    token.name,
                    when(token.expires_at)
                ),
            ));
        }
    }
    if let Some(portal) = &token.portal {
        let waiting = match profile {
            Some(id) => waiting_devices(db, id)?,
            None => 0,
        };
        if !portal.device_assignable {
            out.push(ProfileProblem::new(
                field,
                format!(
                    "The Company Portal licences of '{}' cannot be assigned to devices, which ADE needs: buy device-assignable licences in Apple's portal.",
                    token.name
                ),
            ));
        } else if portal.available < waiting || (waiting == 0 && portal.available == 0) {
            out.push(ProfileProblem::new(
                field,
                format!(
                    "Only {} Company Portal licences are available on '{}' (as of {}), for {} devices assigned to this profile that have not set up yet: {} short. Buy more licences or free some, or {fallback} on the rest.",
                    count(portal.available),
                    token.name,
                    when(portal.as_of),
                    count(waiting),
                    count(waiting.saturating_sub(portal.available).max(u64::from(waiting == 0)))
                ),
            ));
        }
    }
    Ok(out)
}

/// The assignment preview's warning: sending `sending` more devices to
/// `profile` would take its waiting devices past the token's available
/// Company Portal licences.
pub(crate) fn preview_warning(
    db: &Db,
    spec: &ProfileSpec,
    profile: ProfileId,
    sending: u64,
) -> Result<Option<String>> {
    let Some(reference) = named_token(spec) else {
        return Ok(None);
    };
    let Some(token) = find_for_profile(db, reference)? else {
        return Ok(None);
    };
    let Some(portal) = token.portal else {
        return Ok(None);
    };
    let waiting = waiting_devices(db, profile)? + sending;
    if sending == 0 || waiting <= portal.available {
        return Ok(None);
    }
    Ok(Some(format!(
        "After this run {} devices would wait to set up with this profile, but the Apps and Books token '{}' has only {} Company Portal licences available (as of {}): {} devices would get no licence, and the App Store version cannot install during an ADE setup. Buy more licences or free some first.",
        count(waiting),
        token.name,
        count(portal.available),
        when(portal.as_of),
        count(waiting - portal.available)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_times_read_like_the_app() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_635), "1,635");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(
            when(UnixSeconds::new(1_790_000_000)),
            "2026-09-21 14:13 UTC"
        );
    }
}
