//! The window as a client of a Depot server (issue 14): Settings → "Connect
//! to a Depot server". While connected, the shell's `rpc` goes to the server
//! (`depot_remote`) and the server's change events reach the window like
//! local ones; the webview and its CSP do not change. One click goes back to
//! this computer's workspace.
//!
//! Kept between launches: the server's address and pinned fingerprint in
//! the app's config folder (`server.json`), the session in the OS keychain.
//! Without a keychain the session lasts until the window closes.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use depot_api::{ApiError, ErrorCode};
use depot_remote::{Identity, Remote, Saved};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter};
use tokio::sync::RwLock;

const KEYCHAIN_SERVICE: &str = "Depot";
const SAVED_FILE: &str = "server.json";

struct Connection {
    remote: Remote,
    identity: Identity,
    listener: tauri::async_runtime::JoinHandle<()>,
}

/// The connection, if any, and what went wrong with the last one.
#[derive(Default)]
pub struct ServerState {
    connection: RwLock<Option<Connection>>,
    problem: std::sync::Mutex<Option<String>>,
    /// Set while connected: the local workspace's own changes are not shown.
    pub connected: Arc<AtomicBool>,
    config_dir: std::sync::OnceLock<PathBuf>,
}

/// What the window shows about where it works.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerStatus {
    pub connected: bool,
    pub url: Option<String>,
    pub fingerprint: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub scope_tags: Vec<String>,
    /// Why the last connection ended or could not be made again.
    pub problem: Option<String>,
    /// False when the OS has no keychain: the session ends with the window.
    pub session_kept: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectRequest {
    url: String,
    /// The pinned certificate (self-signed servers); none: the system's CAs.
    fingerprint: Option<String>,
    username: String,
    password: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BrowserConnectRequest {
    url: String,
    fingerprint: Option<String>,
}

/// How long the person has to sign in at their identity provider.
const BROWSER_SIGN_IN_WAIT: std::time::Duration = std::time::Duration::from_secs(5 * 60);

fn keychain(url: &str) -> Option<keyring::Entry> {
    keyring::Entry::new(KEYCHAIN_SERVICE, &format!("server session {url}")).ok()
}

impl ServerState {
    pub fn set_config_dir(&self, dir: PathBuf) {
        let _ = self.config_dir.set(dir);
    }

    fn saved_path(&self) -> Option<PathBuf> {
        self.config_dir.get().map(|d| d.join(SAVED_FILE))
    }

    fn save(&self, saved: Option<&Saved>) {
        let Some(path) = self.saved_path() else {
            return;
        };
        let result = match saved {
            Some(saved) => std::fs::create_dir_all(path.parent().unwrap_or(&path)).and_then(|_| {
                std::fs::write(&path, serde_json::to_vec_pretty(saved).unwrap_or_default())
            }),
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        };
        if let Err(err) = result {
            tracing::warn!(%err, "the server connection could not be remembered");
        }
    }

    fn set_problem(&self, problem: Option<String>) {
        if let Ok(mut p) = self.problem.lock() {
            *p = problem;
        }
    }

    pub async fn status(&self) -> ServerStatus {
        let connection = self.connection.read().await;
        let problem = self.problem.lock().ok().and_then(|p| p.clone());
        match connection.as_ref() {
            Some(c) => {
                let saved = c.remote.saved();
                ServerStatus {
                    connected: true,
                    url: Some(saved.url.clone()),
                    fingerprint: saved.fingerprint,
                    name: Some(c.identity.name.clone()),
                    role: Some(c.identity.role.clone()),
                    scope_tags: c.identity.scope_tags.clone(),
                    problem,
                    session_kept: keychain(&saved.url).is_some_and(|k| k.get_password().is_ok()),
                }
            }
            None => ServerStatus {
                connected: false,
                url: None,
                fingerprint: None,
                name: None,
                role: None,
                scope_tags: Vec::new(),
                problem,
                session_kept: false,
            },
        }
    }

    /// The connected server's client, if any.
    pub async fn remote(&self) -> Option<Remote> {
        self.connection
            .read()
            .await
            .as_ref()
            .map(|c| c.remote.clone())
    }

    /// Makes `remote` the window's backend and listens to its events.
    async fn adopt(&self, app: &AppHandle, remote: Remote, identity: Identity) {
        let listener = {
            let remote = remote.clone();
            let app = app.clone();
            tauri::async_runtime::spawn(async move { forward_events(app, remote).await })
        };
        let mut connection = self.connection.write().await;
        if let Some(old) = connection.take() {
            old.listener.abort();
        }
        *connection = Some(Connection {
            remote,
            identity,
            listener,
        });
        self.connected.store(true, Ordering::SeqCst);
        self.set_problem(None);
        // Everything shown came from the other backend.
        let _ = app.emit(depot_api::dto::CHANGE_EVENT, everything());
    }

    async fn drop_connection(&self, app: &AppHandle) -> Option<Remote> {
        let old = self.connection.write().await.take();
        self.connected.store(false, Ordering::SeqCst);
        let _ = app.emit(depot_api::dto::CHANGE_EVENT, everything());
        old.map(|c| {
            c.listener.abort();
            c.remote
        })
    }

    /// At start: the kept connection, if its session still holds.
    pub async fn resume(&self, app: &AppHandle) {
        let Some(path) = self.saved_path() else {
            return;
        };
        let Ok(text) = std::fs::read(&path) else {
            return;
        };
        let Ok(saved) = serde_json::from_slice::<Saved>(&text) else {
            self.set_problem(Some(format!(
                "{} is not readable; connect again",
                path.display()
            )));
            return;
        };
        let token = keychain(&saved.url).and_then(|k| k.get_password().ok());
        let Some(token) = token else {
            self.set_problem(Some(format!(
                "the session with {} was not kept; sign in again",
                saved.url
            )));
            return;
        };
        match Remote::resume(&saved, &token).await {
            Ok((remote, identity)) => self.adopt(app, remote, identity).await,
            Err(err) => self.set_problem(Some(format!(
                "{} (working on this computer's workspace meanwhile)",
                err.message
            ))),
        }
    }
}

/// "Everything may have changed" in the change events' shape (what the web
/// UI's event source also says after a gap): the window re-reads what it
/// shows.
fn everything() -> serde_json::Value {
    serde_json::json!({"kind": "syncFinished", "tokenId": "", "runId": null})
}

/// The server's change events to the window, again after a broken stream
/// (a server restart) while the connection lasts.
async fn forward_events(app: AppHandle, remote: Remote) {
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        let started = std::time::Instant::now();
        let result = remote
            .events(|event| {
                let payload = event.unwrap_or_else(everything);
                if let Err(err) = app.emit(depot_api::dto::CHANGE_EVENT, payload) {
                    tracing::debug!(%err, "a server change could not reach the window");
                }
            })
            .await;
        if let Err(err) = result {
            tracing::info!(%err, "the server's event stream ended");
            if err.code == ErrorCode::Unauthenticated {
                return;
            }
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            wait = std::time::Duration::from_secs(1);
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(std::time::Duration::from_secs(60));
    }
}

/// The certificate an https server presents, to compare before connecting.
#[tauri::command]
pub async fn server_probe(url: String) -> Result<String, ApiError> {
    depot_remote::probe(&url).await
}

#[tauri::command]
pub async fn server_status(
    state: tauri::State<'_, Arc<ServerState>>,
) -> Result<ServerStatus, ApiError> {
    Ok(state.status().await)
}

/// Signs in to a server and works there from now on.
#[tauri::command]
pub async fn server_connect(
    app: AppHandle,
    state: tauri::State<'_, Arc<ServerState>>,
    request: ConnectRequest,
) -> Result<ServerStatus, ApiError> {
    let fingerprint = request
        .fingerprint
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty());
    let (remote, identity) = Remote::sign_in(
        &request.url,
        fingerprint,
        &request.username,
        &request.password,
    )
    .await?;
    keep_and_adopt(&app, &state, remote, identity).await
}

/// Signs in through the server's identity provider in the system browser
/// (single sign-on), then works there like [`server_connect`].
#[tauri::command]
pub async fn server_connect_browser(
    app: AppHandle,
    state: tauri::State<'_, Arc<ServerState>>,
    request: BrowserConnectRequest,
) -> Result<ServerStatus, ApiError> {
    use tauri_plugin_opener::OpenerExt;
    let fingerprint = request
        .fingerprint
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty());
    if !depot_remote::oidc_offered(&request.url, fingerprint).await? {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "this server has no identity provider configured (depot serve --oidc-issuer …): sign in with a name and password",
        ));
    }
    let opener = app.clone();
    let (remote, identity) = Remote::sign_in_with_browser(
        &request.url,
        fingerprint,
        move |login| {
            opener
                .opener()
                .open_url(login, None::<&str>)
                .map_err(|e| e.to_string())
        },
        BROWSER_SIGN_IN_WAIT,
    )
    .await?;
    keep_and_adopt(&app, &state, remote, identity).await
}

/// Keeps a new connection (settings file, keychain) and works there.
async fn keep_and_adopt(
    app: &AppHandle,
    state: &ServerState,
    remote: Remote,
    identity: Identity,
) -> Result<ServerStatus, ApiError> {
    let saved = remote.saved();
    state.save(Some(&saved));
    if let Some(entry) = keychain(&saved.url)
        && let Err(err) = entry.set_password(remote.token())
    {
        tracing::info!(%err, "no keychain: the server session ends with the window");
    }
    state.adopt(app, remote, identity).await;
    Ok(state.status().await)
}

/// Signs out of the server and goes back to this computer's workspace.
#[tauri::command]
pub async fn server_disconnect(
    app: AppHandle,
    state: tauri::State<'_, Arc<ServerState>>,
) -> Result<ServerStatus, ApiError> {
    if let Some(remote) = state.drop_connection(&app).await {
        remote.sign_out().await;
        if let Some(entry) = keychain(remote.url()) {
            let _ = entry.delete_credential();
        }
    }
    state.save(None);
    state.set_problem(None);
    Ok(state.status().await)
}
