//! `depot serve` (issue 14): the workspace as a service a team shares.
//!
//! One contract with the desktop: `POST /api/v1/rpc` takes the desktop
//! shell's `{"name", "payload"}` envelope and answers the same JSON, or the
//! same `{code, message}` error with a fitting HTTP status. Who asks is an
//! [`Actor`] made from the session; `core` decides what they may do
//! (`depot_api::dispatch_as` → `Depot::authorize`). This crate only carries
//! requests: sign-in, sessions, CSRF, the event stream, health.
//!
//! Routes:
//! - `POST /api/v1/session` `{"username", "password"}`: signs in; answers a
//!   bearer token (desktop, scripts) and sets an HttpOnly, SameSite=Strict
//!   cookie (browsers; `Secure` unless served on loopback over plain HTTP).
//!   `DELETE /api/v1/session` signs out. `GET /api/v1/session`: who am I,
//!   with the actions the role allows.
//! - `POST /api/v1/rpc`: a command. A cookie session must send
//!   `X-Depot-Request: 1` (a page on another site cannot set it: CSRF).
//! - `GET /api/v1/events`: the core's change events as server-sent events.
//! - `GET /healthz` (the process answers), `GET /readyz` (the workspace opens).
//! - Everything else: the web UI (`ui/dist`, see [`ui`]), with the browser
//!   security headers on every answer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use depot_api::{ApiError, ErrorCode};
use depot_core::Depot;
use depot_core::access::{Actor, Origin};
use depot_domain::access::Action;
use depot_domain::{SecretString, UnixSeconds};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_stream::wrappers::ReceiverStream;

pub mod oidc;
pub mod tls;
pub mod ui;
#[cfg(test)]
mod web_tests;
pub mod webhooks;

/// A session ends after this long without a request, and this long after
/// signing in, whatever happens (decided in `core`, which keeps sessions).
pub use depot_core::users::{SESSION_IDLE_SECS as IDLE_TIMEOUT_SECS, SESSION_LIFETIME_SECS};
/// Failed sign-ins for one account or from one address within the window
/// before further tries are refused until it passes.
pub const MAX_FAILED_SIGN_INS: u32 = 5;
pub const FAILED_SIGN_IN_WINDOW_SECS: i64 = 15 * 60;
/// The largest request body (token files and profiles travel inside).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

const COOKIE: &str = "depot_session";
const CSRF_HEADER: &str = "x-depot-request";

/// How the server was started.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Plain HTTP on loopback: cookies are not marked `Secure` (a browser
    /// would not send them back over `http://`).
    pub plain_http_on_loopback: bool,
    /// The built web UI (`ui/dist`, see [`ui::locate`]), served at `/`.
    /// `None`: `/` says how to build it; the API works all the same.
    pub ui_dir: Option<PathBuf>,
    /// OpenID Connect sign-in (`--oidc-*`), besides names and passwords.
    pub oidc: Option<Arc<oidc::Oidc>>,
    /// How alerts reach webhooks (`--alerts-every`).
    pub webhooks: webhooks::WebhookPolicy,
}

#[derive(Default)]
struct Failures {
    /// Key: `user:<name>` or `addr:<ip>` → (count, window start).
    counts: HashMap<String, (u32, UnixSeconds)>,
}

struct AppState {
    depot: Arc<Depot>,
    options: ServeOptions,
    failures: Mutex<Failures>,
    /// Turns true when the server stops: event streams end.
    stopping: watch::Receiver<bool>,
    _stop: Arc<watch::Sender<bool>>,
}

type Shared = Arc<AppState>;

/// The routes, ready for `axum::serve`.
pub fn router(depot: Arc<Depot>, options: ServeOptions) -> Router {
    let (stop, stopping) = watch::channel(false);
    router_stopping(depot, options, Arc::new(stop), stopping)
}

fn router_stopping(
    depot: Arc<Depot>,
    options: ServeOptions,
    stop: Arc<watch::Sender<bool>>,
    stopping: watch::Receiver<bool>,
) -> Router {
    let state = Arc::new(AppState {
        depot,
        options,
        failures: Mutex::new(Failures::default()),
        stopping,
        _stop: stop,
    });
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route(
            "/api/v1/session",
            post(sign_in).delete(sign_out).get(whoami),
        )
        .route("/api/v1/rpc", post(rpc))
        .route("/api/v1/events", get(events))
        .route("/api/v1/oidc", get(oidc::info))
        .route("/api/v1/oidc/login", get(oidc::login))
        .route("/api/v1/oidc/callback", get(oidc::callback))
        .route("/api/v1/oidc/exchange", post(oidc::exchange))
        .fallback(web_ui)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(ui::security_headers))
        .with_state(state)
}

/// How long a stop waits for the syncs and assignment runs in flight to
/// finish their page group or batch.
pub const WIND_DOWN: Duration = Duration::from_secs(60);

/// The background work of a server: assignment runs a crash or kill left
/// unfinished continue at start; the scheduler (due syncs, throttled
/// follow-ups) and the alerts' delivery to webhooks run alongside.
fn start_background(
    depot: &Arc<Depot>,
    options: &ServeOptions,
) -> Vec<tokio::task::JoinHandle<()>> {
    let resuming = Arc::clone(depot);
    tokio::spawn(async move {
        if let Err(err) = resuming.resume_assignments().await {
            tracing::warn!(%err, "unfinished assignment runs could not be resumed");
        }
    });
    vec![
        tokio::spawn(Arc::clone(depot).run_scheduler()),
        tokio::spawn(webhooks::run(Arc::clone(depot), options.webhooks)),
    ]
}

/// After the last request: no new background work, and the syncs and runs
/// in flight stop after their current page group or batch.
async fn stop_background(depot: &Depot, background: Vec<tokio::task::JoinHandle<()>>) {
    for task in background {
        task.abort();
    }
    let left = depot.wind_down(WIND_DOWN).await;
    if left > 0 {
        tracing::warn!(
            left,
            "stopping with work still running; it resumes at the next start"
        );
    }
}

/// The stop signal, also telling the event streams to end.
fn stop_signal(
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> (
    impl std::future::Future<Output = ()> + Send + 'static,
    Arc<watch::Sender<bool>>,
    watch::Receiver<bool>,
) {
    let (stop, stopping) = watch::channel(false);
    let stop = Arc::new(stop);
    let sender = Arc::clone(&stop);
    let signal = async move {
        shutdown.await;
        let _ = sender.send(true);
    };
    (signal, stop, stopping)
}

/// Serves until `shutdown` completes; requests in flight finish first, then
/// the background work stops after its current step.
pub async fn serve(
    depot: Arc<Depot>,
    listener: tokio::net::TcpListener,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let scheduler = start_background(&depot, &options);
    let (signal, stop, stopping) = stop_signal(shutdown);
    let app = router_stopping(Arc::clone(&depot), options, stop, stopping)
        .into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(signal)
        .await;
    stop_background(&depot, scheduler).await;
    served
}

/// [`serve`] over TLS (`--tls-cert/--tls-key` or `--self-signed`).
pub async fn serve_tls(
    depot: Arc<Depot>,
    listener: std::net::TcpListener,
    tls: tls::TlsMaterial,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let scheduler = start_background(&depot, &options);
    let (signal, stop, stopping) = stop_signal(shutdown);
    let app = router_stopping(Arc::clone(&depot), options, stop, stopping)
        .into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        signal.await;
        // Requests in flight get this long to finish.
        stopper.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    listener.set_nonblocking(true)?;
    let served = axum_server::from_tcp_rustls(
        listener,
        axum_server::tls_rustls::RustlsConfig::from_config(tls.config),
    )
    .handle(handle)
    .serve(app)
    .await;
    stop_background(&depot, scheduler).await;
    served
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// 32 random bytes, URL-safe base64 without padding.
fn new_token() -> Result<String, ApiError> {
    oidc::random_text()
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("no random session: {e}")))
}

/// The HTTP status for an error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound | ErrorCode::UnknownCommand => StatusCode::NOT_FOUND,
        ErrorCode::SyncRunning
        | ErrorCode::AssignmentRunning
        | ErrorCode::DuplicateToken
        | ErrorCode::TokenInUse
        | ErrorCode::ProfileInUse
        | ErrorCode::OtherServer
        | ErrorCode::AppleIdMismatch => StatusCode::CONFLICT,
        ErrorCode::SyncTooSoon | ErrorCode::LimitReached => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::WorkspaceUnavailable | ErrorCode::SchemaTooNew | ErrorCode::AppleUnavailable => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::BAD_REQUEST,
    }
}

pub(crate) struct Failure(pub(crate) ApiError);

impl From<ApiError> for Failure {
    fn from(err: ApiError) -> Self {
        Self(err)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (status_of(self.0.code), Json(self.0)).into_response()
    }
}

fn unauthenticated(message: &str) -> Failure {
    Failure(ApiError::new(ErrorCode::Unauthenticated, message))
}

async fn web_ui(State(state): State<Shared>, method: Method, uri: Uri) -> Response {
    ui::serve_ui(state.options.ui_dir.as_deref(), &method, uri.path()).await
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<Shared>) -> Response {
    let depot = Arc::clone(&state.depot);
    let ready = tokio::task::spawn_blocking(move || depot.workspace().connect().is_ok())
        .await
        .unwrap_or(false);
    if ready {
        (StatusCode::OK, "ready").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the workspace cannot be opened",
        )
            .into_response()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    username: String,
    password: String,
}

impl AppState {
    fn now(&self) -> UnixSeconds {
        self.depot.clock().now()
    }

    /// Refuses a sign-in try while the account or the address is over its
    /// failure budget; answers how long to wait.
    fn throttled(&self, keys: &[String]) -> Option<i64> {
        let now = self.now();
        let failures = lock(&self.failures);
        keys.iter()
            .filter_map(|k| failures.counts.get(k))
            .filter(|(n, start)| {
                *n >= MAX_FAILED_SIGN_INS && now < *start + FAILED_SIGN_IN_WINDOW_SECS
            })
            .map(|(_, start)| (*start + FAILED_SIGN_IN_WINDOW_SECS) - now)
            .max()
    }

    fn record_failure(&self, keys: &[String]) {
        let now = self.now();
        let mut failures = lock(&self.failures);
        for key in keys {
            let entry = failures.counts.entry(key.clone()).or_insert((0, now));
            if now >= entry.1 + FAILED_SIGN_IN_WINDOW_SECS {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    fn clear_failures(&self, keys: &[String]) {
        let mut failures = lock(&self.failures);
        for key in keys {
            failures.counts.remove(key);
        }
    }

    /// A new session for `user` (signed in with a password or through the
    /// identity provider): its token. The workspace keeps only its hash.
    async fn start_session(
        &self,
        user: &depot_domain::records::UserRow,
    ) -> Result<String, ApiError> {
        let token = new_token()?;
        let depot = Arc::clone(&self.depot);
        let (kept, user) = (SecretString::new(token.clone()), user.clone());
        tokio::task::spawn_blocking(move || depot.keep_session(&kept, &user))
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
        Ok(token)
    }

    /// The session a request carries, and whether it came as a cookie.
    fn session_of(&self, headers: &HeaderMap) -> Option<(String, bool)> {
        if let Some(bearer) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            return Some((bearer.trim().to_owned(), false));
        }
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .map(|(_, value)| (value.to_owned(), true))
    }

    /// The actor of a request: a live session (idle timeout, lifetime, the
    /// user's state read fresh) or 401. A cookie session must also carry the
    /// CSRF header when `changes` is set.
    async fn actor(self: &Arc<Self>, headers: &HeaderMap, changes: bool) -> Result<Actor, Failure> {
        let Some((token, from_cookie)) = self.session_of(headers) else {
            return Err(unauthenticated("sign in first (POST /api/v1/session)"));
        };
        if from_cookie
            && changes
            && headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) != Some("1")
        {
            return Err(Failure(ApiError::new(
                ErrorCode::Forbidden,
                "a browser request that changes something must carry the X-Depot-Request: 1 header",
            )));
        }
        let origin = if from_cookie {
            Origin::Browser
        } else {
            Origin::Desktop
        };
        let depot = Arc::clone(&self.depot);
        let token = SecretString::new(token);
        let actor = tokio::task::spawn_blocking(move || depot.session_actor(&token, origin))
            .await
            .map_err(|e| Failure(ApiError::new(ErrorCode::Internal, e.to_string())))?
            .map_err(ApiError::from)?;
        actor.ok_or_else(|| unauthenticated("the session has expired or ended; sign in again"))
    }
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.options.plain_http_on_loopback {
        ""
    } else {
        "; Secure"
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("depot_session=; Max-Age=0"))
}

async fn sign_in(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Option<Json<SignIn>>,
) -> Result<Response, Failure> {
    let Some(Json(body)) = body else {
        return Err(Failure(ApiError::new(
            ErrorCode::BadRequest,
            "send {\"username\": \"…\", \"password\": \"…\"} as JSON",
        )));
    };
    let keys = [
        format!("user:{}", body.username.trim().to_lowercase()),
        format!("addr:{}", peer.ip()),
    ];
    if let Some(wait) = state.throttled(&keys) {
        let mut response = Failure(ApiError::new(
            ErrorCode::LimitReached,
            format!(
                "too many failed sign-ins; try again in {} minutes",
                wait.div_euclid(60) + 1
            ),
        ))
        .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(response);
    }
    let depot = Arc::clone(&state.depot);
    let (name, password) = (body.username, SecretString::new(body.password));
    let checked = tokio::task::spawn_blocking(move || depot.check_sign_in(&name, &password))
        .await
        .map_err(|e| Failure(ApiError::new(ErrorCode::Internal, e.to_string())))?;
    let user = match checked {
        Ok(user) => user,
        Err(err) => {
            state.record_failure(&keys);
            return Err(Failure(ApiError::from(err)));
        }
    };
    state.clear_failures(&keys[..1]);
    let token = state.start_session(&user).await?;
    let mut response = session_answer(&state, &user, &token);
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie(&state, &token, SESSION_LIFETIME_SECS),
    );
    Ok(response)
}

/// The JSON answer of a new session: its bearer token and who it is.
fn session_answer(
    state: &AppState,
    user: &depot_domain::records::UserRow,
    token: &str,
) -> Response {
    let now = state.now();
    Json(json!({
        "token": token,
        "user": { "name": user.name, "role": user.role.as_str(), "scopeTags": user.scope_tags },
        "idleTimeoutSeconds": IDLE_TIMEOUT_SECS,
        "expiresAt": (now + SESSION_LIFETIME_SECS).rfc3339(),
    }))
    .into_response()
}

async fn sign_out(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if let Some((token, _from_cookie)) = state.session_of(&headers) {
        // Signing out needs no CSRF header: ending a session harms no one.
        let depot = Arc::clone(&state.depot);
        let token = SecretString::new(token);
        let ended = tokio::task::spawn_blocking(move || depot.end_session(&token)).await;
        if let Ok(Err(err)) = ended {
            tracing::warn!(%err, "a session could not be ended");
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(&state, "", 0));
    response
}

async fn whoami(State(state): State<Shared>, headers: HeaderMap) -> Result<Json<Value>, Failure> {
    let actor = state.actor(&headers, false).await?;
    let member = actor.member.as_ref();
    Ok(Json(json!({
        "name": actor.name,
        "role": actor.role().as_str(),
        "scopeTags": member.map(|m| m.scope_tags.clone()).unwrap_or_default(),
        // What the role may do (the role table in `domain::access`), so the
        // UI can leave out what would be refused; the server still decides.
        "actions": Action::ALL
            .into_iter()
            .filter(|action| actor.role().allows(*action))
            .map(Action::as_str)
            .collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rpc {
    name: String,
    #[serde(default)]
    payload: Value,
}

async fn rpc(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Json<Rpc>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, Failure> {
    // Authentication first: a caller without a session learns nothing else.
    let actor = state.actor(&headers, true).await?;
    let Json(rpc) = body.map_err(|e| {
        Failure(ApiError::new(
            ErrorCode::BadRequest,
            format!("send {{\"name\": \"…\", \"payload\": {{…}}}} as JSON: {e}"),
        ))
    })?;
    let answer =
        depot_api::dispatch_as(Arc::clone(&state.depot), &actor, &rpc.name, rpc.payload).await?;
    Ok(Json(answer))
}

async fn events(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, std::convert::Infallible>>>, Failure>
{
    let actor = state.actor(&headers, false).await?;
    let depot = Arc::clone(&state.depot);
    let mut changes = state.depot.subscribe_changes();
    let mut stopping = state.stopping.clone();
    // The stream ends when the server stops (so a graceful stop is not held
    // up by open streams) or the listener goes away.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Event, std::convert::Infallible>>(64);
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            let change = tokio::select! {
                _ = stopping.wait_for(|s| *s) => break,
                change = changes.recv() => change,
            };
            let event = match change {
                // Only changes of tokens in the listener's scope (decided in core).
                Ok(change) if !depot.change_visible_to(&actor, &change) => continue,
                Ok(change) => {
                    let dto = depot_api::dto::ChangeEvent::from(change);
                    Event::default()
                        .event("change")
                        .json_data(dto)
                        .unwrap_or_else(|_| Event::default().event("change"))
                }
                // The listener fell behind: tell it to re-read everything.
                Err(RecvError::Lagged(_)) => Event::default().event("lagged").data("{}"),
                Err(RecvError::Closed) => break,
            };
            if tx.send(Ok(event)).await.is_err() {
                break;
            }
        }
    });
    Ok(Sse::new(ReceiverStream::new(rx))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
