//! The enrollment URL settings (PRO-18): the workspace's and each token's
//! `url` / `configuration_web_url`, the organisation's `org_magic`, and what a
//! profile of a token is uploaded with.

use depot_domain::TokenId;
use depot_domain::profile::{AppleProfileContext, HttpsUrl, OrgMagic};
use depot_store::Db;
use depot_store::tokens::{Environment, TokenRow};
use serde_json::json;

use crate::audit::{AuditEvent, token_object};
use crate::{CoreError, Depot, Result};

/// Workspace settings keys (PRO-18 and `org_magic`).
const SETTING_ENROLLMENT_URL: &str = "enrollment_url";
const SETTING_CONFIGURATION_WEB_URL: &str = "configuration_web_url";
const SETTING_ORG_MAGIC: &str = "org_magic";
/// The MDM enrollment endpoints demo (simulator) tokens use when nothing is set:
/// the simulated devices never contact them.
pub const DEMO_ENROLLMENT_URL: &str = "https://mdm.contoso-demo.example/enroll";
pub const DEMO_CONFIGURATION_WEB_URL: &str = "https://mdm.contoso-demo.example/configure";

/// PRO-18: where the Apple JSON's `url` / `configuration_web_url` come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentSettings {
    pub enrollment_url: Option<String>,
    pub configuration_web_url: Option<String>,
    pub tokens: Vec<TokenEnrollmentUrls>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEnrollmentUrls {
    pub token_id: TokenId,
    pub token_name: String,
    /// The token's own values (None: the workspace's).
    pub enrollment_url: Option<String>,
    pub configuration_web_url: Option<String>,
    /// What a new profile of this token would use.
    pub effective_enrollment_url: Option<String>,
    pub effective_configuration_web_url: Option<String>,
    pub is_simulator: bool,
}

impl Depot {
    pub fn enrollment_settings(&self) -> Result<EnrollmentSettings> {
        let db = self.workspace.connect()?;
        let workspace_url = db.setting(SETTING_ENROLLMENT_URL)?;
        let workspace_web = db.setting(SETTING_CONFIGURATION_WEB_URL)?;
        let mut tokens = Vec::new();
        for row in db.list_tokens()? {
            if !crate::scope::visible(&row.scope_tags) {
                continue;
            }
            let (url, web) = db.token_enrollment_urls(row.id)?;
            let (effective_url, effective_web) = effective_urls(
                &row,
                url.clone(),
                web.clone(),
                &workspace_url,
                &workspace_web,
            );
            tokens.push(TokenEnrollmentUrls {
                token_id: row.id,
                token_name: row.server_name.clone(),
                enrollment_url: url,
                configuration_web_url: web,
                effective_enrollment_url: effective_url,
                effective_configuration_web_url: effective_web,
                is_simulator: row.environment == Environment::Simulator,
            });
        }
        Ok(EnrollmentSettings {
            enrollment_url: workspace_url,
            configuration_web_url: workspace_web,
            tokens,
        })
    }

    /// Sets the workspace's URLs (`token` None) or one token's override. Empty
    /// values clear. Existing profiles keep the URLs they were uploaded with.
    pub fn set_enrollment_urls(
        &self,
        token: Option<TokenId>,
        enrollment_url: Option<&str>,
        configuration_web_url: Option<&str>,
    ) -> Result<EnrollmentSettings> {
        let url = parse_url("enrollmentUrl", enrollment_url)?;
        let web = parse_url("configurationWebUrl", configuration_web_url)?;
        self.workspace.write(|db| {
            let (object, before) = match token {
                None => {
                    self.workspace_wide("the workspace's enrollment URLs")?;
                    let before = json!({
                        "enrollmentUrl": db.setting(SETTING_ENROLLMENT_URL)?,
                        "configurationWebUrl": db.setting(SETTING_CONFIGURATION_WEB_URL)?,
                    });
                    db.put_setting(SETTING_ENROLLMENT_URL, url.as_deref())?;
                    db.put_setting(SETTING_CONFIGURATION_WEB_URL, web.as_deref())?;
                    ("workspace".to_owned(), before)
                }
                Some(token) => {
                    let row = self.token_row(db, token)?;
                    let (old_url, old_web) = db.token_enrollment_urls(token)?;
                    db.set_token_enrollment_urls(token, url.as_deref(), web.as_deref())?;
                    (
                        token_object(token, &row.server_name),
                        json!({ "enrollmentUrl": old_url, "configurationWebUrl": old_web }),
                    )
                }
            };
            self.audit(
                db,
                AuditEvent {
                    action: "settings.enrollment_urls",
                    object,
                    token,
                    before: Some(before),
                    after: Some(json!({ "enrollmentUrl": url, "configurationWebUrl": web })),
                },
            )
        })?;
        self.enrollment_settings()
    }

    /// The token's URLs and the workspace's `org_magic` (created once, on the
    /// first write that needs it).
    pub(super) fn profile_context(
        &self,
        db: &Db,
        token: &TokenRow,
        create_magic: bool,
    ) -> Result<AppleProfileContext> {
        let (url, web) = db.token_enrollment_urls(token.id)?;
        let (url, web) = effective_urls(
            token,
            url,
            web,
            &db.setting(SETTING_ENROLLMENT_URL)?,
            &db.setting(SETTING_CONFIGURATION_WEB_URL)?,
        );
        let magic = match db.setting(SETTING_ORG_MAGIC)? {
            Some(magic) => magic,
            None => {
                let magic = new_org_magic();
                if create_magic {
                    db.put_setting(SETTING_ORG_MAGIC, Some(&magic))?;
                }
                magic
            }
        };
        Ok(AppleProfileContext {
            enrollment_url: url.and_then(|u| HttpsUrl::parse(&u).ok()),
            configuration_web_url: web.and_then(|u| HttpsUrl::parse(&u).ok()),
            org_magic: OrgMagic::parse(&magic).map_err(|e| CoreError::InvalidInput {
                field: "org_magic",
                message: e.to_string(),
            })?,
            anchor_certs: Vec::new(),
        })
    }

    /// An Apple client for a token, with its credentials unsealed.
    pub(crate) async fn client_for(&self, token: &TokenRow) -> Result<depot_apple::AppleClient> {
        let url = self.apple_url_for(token).await?;
        let secrets = self.token_secrets(token.id)?;
        Ok(self.apple_client(&url, secrets.credentials))
    }
}

fn effective_urls(
    token: &TokenRow,
    url: Option<String>,
    web: Option<String>,
    workspace_url: &Option<String>,
    workspace_web: &Option<String>,
) -> (Option<String>, Option<String>) {
    let demo = token.environment == Environment::Simulator;
    let url = url
        .or_else(|| workspace_url.clone())
        .or_else(|| demo.then(|| DEMO_ENROLLMENT_URL.to_owned()));
    let web = web
        .or_else(|| workspace_web.clone())
        .or_else(|| demo.then(|| DEMO_CONFIGURATION_WEB_URL.to_owned()));
    (url, web)
}

fn parse_url(field: &'static str, value: Option<&str>) -> Result<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => HttpsUrl::parse(text)
            .map(|u| Some(u.as_str().to_owned()))
            .map_err(|e| CoreError::InvalidInput {
                field,
                message: e.to_string(),
            }),
    }
}

fn new_org_magic() -> String {
    let mut bytes = [0u8; 16];
    // A failed RNG leaves zeros: still a valid, stable identifier once stored.
    let _ = depot_apple::random_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    format!("depot-{hex}")
}
