//! Demo mode with the simulator linked in (the `demo` feature).

use depot_apple::{AppleHosts, AppleUrl, TokenKeyPair};
use depot_sim::{Credentials, RunningSim, ServerSpec, Simulator, VppLocationSpec};
use depot_store::tokens::Environment;

use crate::tokens::TokenOverview;
use crate::{CoreError, Depot, Result};

use super::{
    DEMO_APPLE_ID, DEMO_DEVICES, DEMO_ORG, DEMO_ORG_ACCOUNT, DEMO_ORG_POOL, DEMO_SERVER,
    DEMO_VPP_LICENCES, DEMO_VPP_LOCATION,
};

/// Names the simulated portal offers for tokens made through the Add token
/// wizard in demo mode, in order; the first one not taken is used.
const DEMO_WIZARD_SERVERS: [&str; 3] = [
    "Simulator — Contoso Retail",
    "Simulator — Contoso Schools",
    "Simulator — Contoso Labs",
];
const DEMO_SEED: u64 = 2026;
#[derive(Default)]
pub(crate) struct DemoSimulator {
    running: tokio::sync::Mutex<Option<RunningSim>>,
    url: std::sync::Mutex<Option<String>>,
}

impl DemoSimulator {
    /// The running simulator's base URL, if it runs.
    pub(crate) fn url(&self) -> Option<String> {
        self.url.lock().ok().and_then(|u| u.clone())
    }
}

impl Depot {
    /// The in-process simulator's base URL while it runs.
    pub fn simulator_url(&self) -> Option<String> {
        self.demo.url()
    }

    /// Starts the in-process simulator if needed, with a server for every
    /// simulator token (using that token's credentials) and the demo server.
    pub(crate) async fn ensure_simulator(&self) -> Result<String> {
        let mut running = self.demo.running.lock().await;
        if let Some(sim) = running.as_ref() {
            return Ok(sim.base_url().to_owned());
        }
        let mut builder = Simulator::builder()
            .seed(DEMO_SEED)
            .new_server_devices(DEMO_DEVICES)
            .clock_start(self.clock.now().get());
        // Tests of the desktop app drive the demo simulator's switches
        // (`/control/…`) with a control token they choose; otherwise it is
        // random and never leaves the process.
        if let Ok(token) = std::env::var("DEPOT_DEMO_CONTROL_TOKEN")
            && token.len() >= 16
        {
            builder = builder.control_token(token);
        }
        let mut has_demo_server = false;
        for row in self.workspace.connect()?.list_tokens()? {
            if row.environment != Environment::Simulator {
                continue;
            }
            let secrets = self.token_secrets(row.id)?;
            let c = &secrets.credentials;
            let credentials = Credentials {
                consumer_key: c.consumer_key.expose().to_owned(),
                consumer_secret: c.consumer_secret.expose().to_owned(),
                access_token: c.access_token.expose().to_owned(),
                access_secret: c.access_secret.expose().to_owned(),
                access_token_expiry: secrets.expires_at.rfc3339(),
            };
            has_demo_server |= row.server_name == DEMO_SERVER;
            let mut spec =
                ServerSpec::new(row.server_name.clone(), row.org_name.clone(), DEMO_DEVICES)
                    .with_credentials(credentials)
                    .with_server_uuid(row.server_uuid.clone());
            // Profiles uploaded before the app restarted stay known to the
            // simulator, so assigning them keeps working.
            for (uuid, json) in self.workspace.connect()?.uploaded_profiles(row.id)? {
                if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(&json) {
                    spec = spec.with_profile(uuid, fields);
                }
            }
            builder = builder.server(spec);
        }
        if !has_demo_server {
            builder = builder.server(ServerSpec::new(DEMO_SERVER, DEMO_ORG, DEMO_DEVICES));
        }
        // Apps and Books: the demo location, and every location demo tokens
        // were added for, accepting those tokens again.
        let known = self.demo_vpp_tokens()?;
        let mut locations: Vec<String> = vec![DEMO_VPP_LOCATION.to_owned()];
        for (location, _) in &known {
            if !locations.contains(location) {
                locations.push(location.clone());
            }
        }
        for location in locations {
            let mut spec = VppLocationSpec::new(location.clone(), DEMO_ORG).with_asset(
                depot_sim::COMPANY_PORTAL_ADAM_ID,
                DEMO_VPP_LICENCES,
                true,
            );
            for (_, secret) in known.iter().filter(|(l, _)| *l == location) {
                spec = spec.with_token(secret.expose());
            }
            builder = builder.vpp_location(spec);
        }
        // The organisation: devices no server holds yet (to assign from
        // Depot), a few released ones, and demo API accounts added before.
        builder = builder
            .org_unassigned_devices(DEMO_ORG_POOL)
            .org_released_devices(3);
        for row in self.workspace.connect()?.org_accounts()? {
            if row.api_url != crate::orgs::SIMULATOR_API_URL {
                continue;
            }
            match self.org_public_key(&row) {
                Ok(public_key_pem) => {
                    builder = builder.business_account(depot_sim::BusinessAccountSpec {
                        client_id: row.client_id.clone(),
                        key_id: row.key_id.clone(),
                        public_key_pem,
                    });
                }
                Err(err) => tracing::warn!(%err, "a demo API account's key could not be read"),
            }
        }
        let sim = builder
            .start()
            .await
            .map_err(|e| CoreError::Simulator(e.to_string()))?;
        let url = sim.base_url().to_owned();
        tracing::info!(%url, "demo simulator started");
        // A new simulator knows no assignment: give back the ones Depot holds,
        // so that the next sync agrees with what the admin did before.
        if let Err(err) = self.replay_demo_assignments(&url).await {
            tracing::warn!(%err, "the simulator did not take back the assignments");
        }
        if let Ok(mut slot) = self.demo.url.lock() {
            *slot = Some(url.clone());
        }
        *running = Some(sim);
        Ok(url)
    }

    /// Assigns, on the just-started simulator at `url`, every uploaded profile
    /// to the devices Depot knows hold it (simulator tokens only).
    async fn replay_demo_assignments(&self, url: &str) -> Result<()> {
        // Read everything first (one connection), then talk to the simulator.
        let mut replay = Vec::new();
        {
            let db = self.workspace.connect()?;
            for row in db.list_tokens()? {
                if row.environment != Environment::Simulator {
                    continue;
                }
                let mut held = Vec::new();
                for (uuid, _) in db.uploaded_profiles(row.id)? {
                    let serials = db.serials_holding_profile(row.id, &uuid)?;
                    if !serials.is_empty() {
                        held.push((uuid, serials));
                    }
                }
                if !held.is_empty() {
                    replay.push((self.token_secrets(row.id)?.credentials, held));
                }
            }
        }
        let url = AppleUrl::parse(url, AppleHosts::AllowTestHosts)
            .map_err(|e| CoreError::Simulator(e.to_string()))?;
        for (credentials, held) in replay {
            let client = self.apple_client(&url, credentials);
            for (uuid, serials) in held {
                for batch in serials.chunks(depot_domain::limits::MAX_SERIALS_PER_ASSIGNMENT) {
                    client.assign_profile(&uuid, batch).await?;
                }
            }
        }
        Ok(())
    }

    /// The simulated portal's "Download token" button, for the Add token wizard
    /// in demo mode (for the pending key) or a renewal (`for_token`: that
    /// token's own certificate and server). Returns the file name and the
    /// `.p7m` text, exactly as a download from Apple would be.
    pub async fn issue_demo_token(
        &self,
        for_token: Option<depot_domain::TokenId>,
    ) -> Result<(String, String)> {
        self.workspace_wide("the simulator")?;
        let (server, certificate) = match for_token {
            Some(id) => {
                let row = self
                    .workspace
                    .connect()?
                    .get_token(id)?
                    .ok_or_else(|| CoreError::NotFound(format!("token {id}")))?;
                if row.environment != Environment::Simulator {
                    return Err(CoreError::InvalidInput {
                        field: "forToken",
                        message:
                            "this token comes from Apple; download its new token in Apple's portal"
                                .into(),
                    });
                }
                (
                    row.server_name,
                    self.token_secrets(id)?.keys.certificate_pem().to_owned(),
                )
            }
            None => {
                let pending = self.pending_key()?.ok_or(CoreError::NoPendingKey)?;
                let taken: Vec<String> = self
                    .workspace
                    .connect()?
                    .list_tokens()?
                    .into_iter()
                    .map(|t| t.server_name)
                    .collect();
                let server = DEMO_WIZARD_SERVERS
                    .iter()
                    .find(|name| !taken.iter().any(|t| t == *name))
                    .ok_or_else(|| {
                        CoreError::LimitReached(
                            "every simulated MDM server already has a token".into(),
                        )
                    })?;
                ((*server).to_owned(), pending.certificate_pem)
            }
        };
        self.ensure_simulator().await?;
        let running = self.demo.running.lock().await;
        let sim = running
            .as_ref()
            .ok_or_else(|| CoreError::Simulator("it stopped".into()))?;
        let text = sim
            .issue_token(&server, certificate.as_bytes())
            .map_err(|e| CoreError::Simulator(e.to_string()))?;
        let stamp = self.clock.now().rfc3339().replace(':', "-");
        let file_name = format!(
            "{}_Token_{stamp}_smime.p7m",
            server.replace(" — ", "_").replace(' ', "_")
        );
        Ok((file_name, text))
    }

    /// "Try with the simulator": creates the demo token through the real flow.
    pub async fn start_demo(&self) -> Result<TokenOverview> {
        self.workspace_wide("demo mode")?;
        if let Some(existing) = self
            .workspace
            .connect()?
            .list_tokens()?
            .into_iter()
            .find(|t| t.environment == Environment::Simulator && t.server_name == DEMO_SERVER)
        {
            return Err(CoreError::DuplicateToken {
                existing: existing.id,
                server_name: existing.server_name,
            });
        }
        let url = self.demo_apple_url().await?;
        // A key pair of its own: an admin's pending key for a real token stays untouched.
        let keys = TokenKeyPair::generate("Depot demo (simulator)", self.clock.now())?;
        let file = {
            let running = self.demo.running.lock().await;
            let sim = running
                .as_ref()
                .ok_or_else(|| CoreError::Simulator("it stopped".into()))?;
            sim.issue_token(DEMO_SERVER, keys.certificate_pem().as_bytes())
                .map_err(|e| CoreError::Simulator(e.to_string()))?
        };
        let input = crate::TokenFileInput::Contents {
            file_name: "demo_Token_smime.p7m".into(),
            contents: file.into_bytes(),
        };
        let (token, account) = self.open_token_file(&input, &keys, &url).await?;
        let id = self.commit_new_token(
            &token,
            &account,
            &keys,
            DEMO_APPLE_ID,
            &["Demo".to_owned()],
            crate::tokens::SIMULATOR_URL,
            Environment::Simulator,
            false,
        )?;
        // An Apps and Books token too, so the Company Portal with licences
        // can be tried.
        if let Err(err) = self.add_demo_vpp_token().await {
            tracing::warn!(%err, "demo mode has no Apps and Books token");
        }
        // And an Apple Business Manager API account, so the organisation's
        // devices can be seen and assigned.
        if let Err(err) = self.add_demo_org_account().await {
            tracing::warn!(%err, "demo mode has no organisation API account");
        }
        self.list_tokens()?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| CoreError::NotFound(format!("token {id}")))
    }

    /// Demo mode's Apps and Books token, unless the workspace has one for
    /// the demo location already.
    async fn add_demo_vpp_token(&self) -> Result<()> {
        let exists = self.vpp_tokens()?.iter().any(|t| {
            t.apps_url == crate::vpp::SIMULATOR_APPS_URL && t.location_name == DEMO_VPP_LOCATION
        });
        if exists {
            return Ok(());
        }
        self.ensure_simulator().await?;
        let content = {
            let running = self.demo.running.lock().await;
            let sim = running
                .as_ref()
                .ok_or_else(|| CoreError::Simulator("it stopped".into()))?;
            sim.issue_vpp_token(DEMO_VPP_LOCATION)
                .map_err(|e| CoreError::Simulator(e.to_string()))?
        };
        let file = crate::TokenFileInput::Contents {
            file_name: "Contoso_Apps.vpptoken".into(),
            contents: content.into_bytes(),
        };
        self.add_vpp_token(&crate::vpp::AddVppToken {
            file: &file,
            name: Some("Contoso Apps (demo)"),
            apps_url: Some(crate::vpp::SIMULATOR_APPS_URL),
            take_over: false,
        })
        .await?;
        Ok(())
    }

    /// Demo mode's API account, unless the workspace has one already.
    async fn add_demo_org_account(&self) -> Result<()> {
        let exists = self
            .workspace
            .connect()?
            .org_accounts()?
            .iter()
            .any(|a| a.api_url == crate::orgs::SIMULATOR_API_URL);
        if exists {
            return Ok(());
        }
        self.ensure_simulator().await?;
        let account = {
            let running = self.demo.running.lock().await;
            let sim = running
                .as_ref()
                .ok_or_else(|| CoreError::Simulator("it stopped".into()))?;
            sim.issue_business_account("")
                .map_err(|e| CoreError::Simulator(e.to_string()))?
        };
        self.add_org_account(&crate::orgs::AddOrgAccount {
            name: Some(DEMO_ORG_ACCOUNT),
            client_id: &account.client_id,
            key_id: &account.key_id,
            key_pem: &depot_domain::SecretString::new(account.private_key_pem.clone()),
            school: false,
            api_url: Some(crate::orgs::SIMULATOR_API_URL),
        })
        .await?;
        Ok(())
    }
}
