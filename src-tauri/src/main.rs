//! Depot's desktop shell. Boring on purpose: it opens the workspace, registers
//! one `rpc` command that forwards to `depot_api::dispatch` (or, when the
//! window is connected to a Depot server, to that server: `server`), three
//! file commands that go through the native dialogs (`files`: the webview
//! sends and receives contents, never a path), forwards the background
//! changes to the window as events, and shows the window. No SQL and no
//! business rules here.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod files;
mod server;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use depot_api::{ApiError, ErrorCode};
use depot_core::{Depot, DepotOptions, location};
use tauri::{Emitter, Manager};

/// The workspace, or why it could not be opened (shown by every command).
enum AppState {
    Ready(Arc<Depot>),
    Unavailable(ApiError),
}

#[tauri::command]
async fn rpc(
    state: tauri::State<'_, AppState>,
    server: tauri::State<'_, Arc<server::ServerState>>,
    name: String,
    payload: serde_json::Value,
) -> Result<serde_json::Value, ApiError> {
    if let Some(remote) = server.remote().await {
        return remote.rpc(&name, payload).await;
    }
    match state.inner() {
        AppState::Ready(depot) => depot_api::dispatch(Arc::clone(depot), &name, payload).await,
        AppState::Unavailable(err) => Err(err.clone()),
    }
}

fn open_workspace(app: &tauri::App, connected: Arc<AtomicBool>) -> AppState {
    let dir: Option<PathBuf> =
        location::resolve(None, std::env::var_os(location::WORKSPACE_ENV), || {
            app.path().app_data_dir().ok()
        });
    let Some(dir) = dir else {
        return AppState::Unavailable(ApiError::new(
            ErrorCode::WorkspaceUnavailable,
            "Depot could not find an app-data folder for its workspace; set DEPOT_WORKSPACE",
        ));
    };
    let options = DepotOptions::for_this_machine(
        location::key_file_from_env(),
        location::operator_from_env(),
    );
    match Depot::open(&dir, options) {
        Ok(depot) => {
            tracing::info!(workspace = %dir.display(), "workspace open");
            let depot = Arc::new(depot);
            // SYN-1: automatic delta syncs every 12 hours while the app runs,
            // and at start for tokens that are overdue.
            tauri::async_runtime::spawn(Arc::clone(&depot).run_scheduler());
            // DEV-3: assignment runs a crash or kill left unfinished continue
            // with the serials Apple has not answered yet.
            let resuming = Arc::clone(&depot);
            tauri::async_runtime::spawn(async move {
                if let Err(err) = resuming.resume_assignments().await {
                    tracing::warn!(%err, "unfinished assignment runs could not be resumed");
                }
            });
            // Syncs and assignment runs in the background: the UI refreshes
            // what they touch as they happen instead of at its next poll.
            let mut changes = depot.subscribe_changes();
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                use tokio::sync::broadcast::error::RecvError;
                loop {
                    match changes.recv().await {
                        // Connected to a server: its changes are the ones shown.
                        Ok(_) if connected.load(Ordering::SeqCst) => {}
                        Ok(change) => {
                            let event = depot_api::dto::ChangeEvent::from(change);
                            if let Err(err) = handle.emit(depot_api::dto::CHANGE_EVENT, event) {
                                tracing::debug!(%err, "a change could not reach the window");
                            }
                        }
                        Err(RecvError::Lagged(missed)) => {
                            tracing::debug!(missed, "the window missed some changes");
                        }
                        Err(RecvError::Closed) => break,
                    }
                }
            });
            AppState::Ready(depot)
        }
        Err(err) => AppState::Unavailable(err.into()),
    }
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DEPOT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let server = Arc::new(server::ServerState::default());
            if let Ok(dir) = app.path().app_config_dir() {
                server.set_config_dir(dir);
            }
            let state = open_workspace(app, Arc::clone(&server.connected));
            app.manage(state);
            app.manage(Arc::clone(&server));
            // The server this window was connected to last time, if its
            // session still holds.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { server.resume(&handle).await });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            rpc,
            files::open_token_file,
            files::save_file,
            files::save_files,
            server::server_probe,
            server::server_status,
            server::server_connect,
            server::server_connect_browser,
            server::server_disconnect
        ])
        .run(tauri::generate_context!())
        .expect("Depot's window could not start");
}
