//! The command table: every command the UI can call, as `name(Request) -> Response`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use depot_core::access::{Action, Actor, Origin};
use depot_core::{Depot, TokenFileInput};
use depot_domain::TokenId;
use serde_json::Value;

use crate::dto::*;
use crate::{ApiError, ErrorCode};

mod devices;
mod profiles;
use devices::*;
use profiles::*;

type Answer = Pin<Box<dyn Future<Output = Result<Value, ApiError>> + Send>>;
type Handler = fn(Arc<Depot>, Value) -> Answer;

/// One row of the command table.
pub struct CommandInfo {
    pub name: &'static str,
    /// What the command does, for the role table (`depot_domain::access`):
    /// `core` decides whether an actor may run it.
    pub action: Action,
    /// TypeScript type names of the request and response.
    pub request_type: fn() -> String,
    pub response_type: fn() -> String,
    /// Writes the request and response TypeScript types (and what they use) into a folder.
    pub export_types: fn(&ts_rs::Config) -> Result<(), ts_rs::ExportError>,
    handler: Handler,
}

/// How a handler runs: `blocking` ones (store work, no network) on tokio's
/// blocking pool, so SQLite never stalls the runtime's worker threads;
/// `awaits` ones (they talk to Apple) as futures on the runtime.
macro_rules! run {
    (blocking $func:ident($depot:ident, $request:ident)) => {
        blocking(move || $func($depot, $request)).await
    };
    (awaits $func:ident($depot:ident, $request:ident)) => {
        $func($depot, $request).await
    };
}

/// Runs a store-bound handler on the blocking pool; a panic there is an
/// `INTERNAL` error like anywhere else.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    // Who acts travels to the blocking thread (audit entries name them).
    let acting = depot_core::access::acting_now();
    match tokio::task::spawn_blocking(move || depot_core::access::acting_as_blocking(acting, work))
        .await
    {
        Ok(answer) => answer,
        Err(err) => {
            let what = match err.try_into_panic() {
                Ok(payload) => payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_owned()),
                Err(err) => err.to_string(),
            };
            tracing::error!(panic = %what, "a command handler panicked");
            Err(ApiError::new(
                ErrorCode::Internal,
                format!(
                    "Depot hit an internal error ({what}); nothing more was done. Please report it."
                ),
            ))
        }
    }
}

/// The role-table action a command row names.
macro_rules! action {
    (read) => {
        Action::Read
    };
    (export) => {
        Action::Export
    };
    (assign) => {
        Action::Assign
    };
    (sync) => {
        Action::Sync
    };
    (manage) => {
        Action::Manage
    };
}

macro_rules! command_table {
    ($( $name:literal => $action:ident $kind:ident $func:ident($req:ty) -> $res:ty; )*) => {
        /// Every command, in the order the bindings list them.
        pub static COMMANDS: &[CommandInfo] = &[$(
            CommandInfo {
                name: $name,
                action: action!($action),
                request_type: || <$req as ts_rs::TS>::name(&ts_rs::Config::new()),
                response_type: || <$res as ts_rs::TS>::name(&ts_rs::Config::new()),
                export_types: |cfg| {
                    <$req as ts_rs::TS>::export_all(cfg)?;
                    <$res as ts_rs::TS>::export_all(cfg)
                },
                handler: |depot, payload| Box::pin(async move {
                    let request: $req = parse_request($name, payload)?;
                    let response: $res = run!($kind $func(depot, request))?;
                    serde_json::to_value(response).map_err(|err| {
                        ApiError::new(ErrorCode::Internal, format!("could not encode the answer to {}: {err}", $name))
                    })
                }),
            },
        )*];
    };
}

command_table! {
    "workspace.info" => read blocking workspace_info(Empty) -> WorkspaceInfo;
    "tokens.list" => read blocking tokens_list(Empty) -> TokenList;
    "tokens.get" => read blocking tokens_get(TokenRef) -> TokenDetail;
    "tokens.pendingKey" => manage blocking tokens_pending_key(Empty) -> PendingKeyState;
    "tokens.generateKey" => manage blocking tokens_generate_key(GenerateKeyRequest) -> PendingKey;
    "tokens.inspect" => manage awaits tokens_inspect(InspectTokenRequest) -> TokenPreview;
    "tokens.add" => manage awaits tokens_add(AddTokenRequest) -> TokenSummary;
    "tokens.renew" => manage awaits tokens_renew(RenewTokenRequest) -> TokenSummary;
    "tokens.setScopeTags" => manage blocking tokens_set_scope_tags(SetScopeTagsRequest) -> TokenSummary;
    "tokens.delete" => manage blocking tokens_delete(TokenRef) -> Empty;
    "tokens.check" => sync awaits tokens_check(TokenRef) -> TokenSummary;
    "demo.start" => manage awaits demo_start(Empty) -> DemoStarted;
    "demo.issueToken" => manage awaits demo_issue_token(IssueDemoTokenRequest) -> IssuedDemoToken;
    "sync.overview" => read blocking sync_overview(Empty) -> SyncOverview;
    "sync.status" => read blocking sync_status(TokenRef) -> SyncStatus;
    "sync.start" => sync blocking sync_start(SyncStartRequest) -> SyncStarted;
    "sync.cancel" => sync blocking sync_cancel(TokenRef) -> Empty;
    "sync.history" => read blocking sync_history(TokenRef) -> SyncHistory;
    "audit.list" => read blocking audit_list(AuditListRequest) -> AuditPage;
    "audit.export" => export blocking audit_export(AuditExportRequest) -> AuditExport;
    "profiles.catalogue" => read blocking profiles_catalogue(Empty) -> SkipKeyCatalogue;
    "profiles.list" => read blocking profiles_list(ProfileListRequest) -> ProfileList;
    "profiles.get" => read blocking profiles_get(ProfileRef) -> ProfileDetail;
    "profiles.check" => read blocking profiles_check(ProfileCheckRequest) -> ProfileCheck;
    "profiles.create" => manage awaits profiles_create(ProfileCreateRequest) -> ProfileDetail;
    "profiles.edit" => manage awaits profiles_edit(ProfileEditRequest) -> ProfileSaved;
    "profiles.retryUpload" => manage awaits profiles_retry_upload(ProfileRef) -> ProfileSaved;
    "profiles.duplicate" => manage awaits profiles_duplicate(ProfileDuplicateRequest) -> ProfileDetail;
    "profiles.setDefault" => manage blocking profiles_set_default(ProfileRef) -> ProfileSummary;
    "profiles.clearDefault" => manage blocking profiles_clear_default(ClearDefaultRequest) -> Empty;
    "profiles.delete" => manage blocking profiles_delete(ProfileRef) -> Empty;
    "profiles.import" => manage awaits profiles_import(ProfileImportRequest) -> ProfileDetail;
    "profiles.export" => export blocking profiles_export(ProfileExportRequest) -> ExportedFile;
    "profiles.exportApple" => export blocking profiles_export_apple(ProfileExportRequest) -> ExportedFile;
    "profiles.diff" => read blocking profiles_diff(ProfileDiffRequest) -> ProfileDiff;
    "profiles.handoff" => export blocking profiles_handoff(HandoffRequest) -> Handoff;
    "settings.enrollment" => read blocking settings_enrollment(Empty) -> EnrollmentSettings;
    "settings.setEnrollment" => manage blocking settings_set_enrollment(SetEnrollmentUrlsRequest) -> EnrollmentSettings;
    "assignments.get" => read blocking assignments_get(AssignmentRef) -> AssignmentRun;
    "assignments.results" => read blocking assignments_results(AssignmentRef) -> AssignmentResults;
    "assignments.cancel" => assign blocking assignments_cancel(AssignmentRef) -> Empty;
    "assignments.history" => read blocking assignments_history(AssignmentHistoryRequest) -> AssignmentHistory;
    "assignments.preview" => assign blocking assignments_preview(AssignmentPreviewRequest) -> AssignmentPreviewDto;
    "assignments.start" => assign blocking assignments_start(AssignmentStartRequest) -> AssignmentStarted;
    "devices.list" => read blocking devices_list(DeviceListRequest) -> DevicePage;
    "devices.count" => read blocking devices_count(DeviceQueryRequest) -> DeviceCount;
    "devices.facets" => read blocking devices_facets(DeviceQueryRequest) -> DeviceFacetsDto;
    "devices.get" => read blocking devices_get(DeviceRef) -> DeviceDetailDto;
    "devices.replacement" => read awaits devices_replacement(DeviceReplacementRequest) -> DeviceReplacementDto;
    "devices.export" => export blocking devices_export(DeviceExportRequest) -> DeviceExport;
    "devices.delete" => manage blocking devices_delete(DeleteDevicesRequest) -> DevicesDeleted;
    "alerts.list" => read blocking alerts_list(Empty) -> AlertList;
    "alerts.snooze" => manage blocking alerts_snooze(SnoozeAlertRequest) -> AlertList;
    "alerts.unsnooze" => manage blocking alerts_unsnooze(AlertRef) -> AlertList;
    "dashboard.summary" => read blocking dashboard_summary(Empty) -> DashboardSummary;
    "org.list" => read blocking org_list(Empty) -> OrgAccountList;
    "org.get" => read blocking org_get(OrgAccountRef) -> OrgAccountDto;
    "org.add" => manage awaits org_add(AddOrgAccountRequest) -> OrgAccountDto;
    "org.remove" => manage blocking org_remove(OrgAccountRef) -> Empty;
    "org.sync" => sync awaits org_sync(OrgSyncRequest) -> OrgAccountList;
    "org.devices" => read blocking org_devices(OrgDeviceListRequest) -> OrgDevicePage;
    "org.export" => export blocking org_export(OrgDeviceListRequest) -> OrgDeviceExport;
    "org.device" => read awaits org_device(OrgDeviceRef) -> OrgDeviceDetail;
    "org.preview" => manage blocking org_preview(OrgActivityRequest) -> OrgPreviewDto;
    "org.start" => manage awaits org_start(OrgActivityRequest) -> OrgActivityList;
    "org.activities" => read blocking org_activities(Empty) -> OrgActivityList;
    "org.activity" => read blocking org_activity(OrgActivityRef) -> OrgActivityDto;
    "vpp.list" => read blocking vpp_list(Empty) -> VppTokenList;
    "vpp.get" => read blocking vpp_get(VppTokenRef) -> VppToken;
    "vpp.add" => manage awaits vpp_add(AddVppTokenRequest) -> VppToken;
    "vpp.renew" => manage awaits vpp_renew(RenewVppTokenRequest) -> VppToken;
    "vpp.delete" => manage blocking vpp_delete(VppTokenRef) -> Empty;
    "vpp.sync" => sync awaits vpp_sync(VppSyncRequest) -> VppTokenList;
    "webhooks.list" => read blocking webhooks_list(Empty) -> WebhookList;
    "webhooks.add" => manage blocking webhooks_add(AddWebhookRequest) -> WebhookDto;
    "webhooks.remove" => manage blocking webhooks_remove(WebhookRef) -> Empty;
    "webhooks.test" => manage awaits webhooks_test(WebhookRef) -> WebhookTestResult;
}

/// Runs command `name` with a JSON payload as the workspace's owner (the
/// desktop app on its own workspace) and returns its JSON answer.
pub async fn dispatch(depot: Arc<Depot>, name: &str, payload: Value) -> Result<Value, ApiError> {
    let owner = Actor::owner(depot.operator().to_owned(), Origin::Desktop);
    dispatch_as(depot, &owner, name, payload).await
}

/// Runs command `name` for `actor`: refused with `FORBIDDEN` (and audited)
/// before the payload is even read when the actor's role does not allow the
/// command's action.
pub async fn dispatch_as(
    depot: Arc<Depot>,
    actor: &Actor,
    name: &str,
    payload: Value,
) -> Result<Value, ApiError> {
    let command = COMMANDS.iter().find(|c| c.name == name).ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnknownCommand,
            format!("there is no command named '{name}'"),
        )
    })?;
    depot_core::access::acting_as(
        depot_core::access::Acting {
            name: actor.name.clone(),
            origin: actor.origin,
            scope_tags: actor
                .member
                .as_ref()
                .map(|m| m.scope_tags.clone())
                .unwrap_or_default(),
        },
        run_command(depot, actor, command, payload),
    )
    .await
}

async fn run_command(
    depot: Arc<Depot>,
    actor: &Actor,
    command: &'static CommandInfo,
    payload: Value,
) -> Result<Value, ApiError> {
    let name = command.name;
    if actor.check(command.action).is_err() {
        let (depot, actor, action, what) = (
            Arc::clone(&depot),
            actor.clone(),
            command.action,
            command.name,
        );
        blocking(move || Ok(depot.authorize(&actor, action, what)?)).await?;
        // `authorize` refused above; reaching here would be a bug in the table.
        return Err(ApiError::new(
            ErrorCode::Internal,
            format!("'{name}' was neither allowed nor refused"),
        ));
    }
    CatchPanic {
        name: command.name,
        answer: (command.handler)(depot, payload),
    }
    .await
}

/// A handler's answer with its panics turned into an `INTERNAL` error: a bug
/// in one command must not take down the window or the server with it.
struct CatchPanic {
    name: &'static str,
    answer: Answer,
}

impl Future for CatchPanic {
    type Output = Result<Value, ApiError>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let name = self.name;
        let answer = &mut self.answer;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| answer.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => {
                let what = payload
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("a panic");
                tracing::error!(
                    command = name,
                    panic = what,
                    "a command failed unexpectedly"
                );
                std::task::Poll::Ready(Err(ApiError::new(
                    ErrorCode::Internal,
                    format!(
                        "Depot hit an internal error while running '{name}'; nothing further was changed. Please report this."
                    ),
                )))
            }
        }
    }
}

fn parse_request<T: serde::de::DeserializeOwned>(
    name: &str,
    payload: Value,
) -> Result<T, ApiError> {
    let payload = if payload.is_null() {
        Value::Object(Default::default())
    } else {
        payload
    };
    serde_json::from_value(payload).map_err(|err| {
        ApiError::new(
            ErrorCode::BadRequest,
            format!("the request for '{name}' is not valid: {err}"),
        )
    })
}

fn token_id(id: &str) -> Result<TokenId, ApiError> {
    id.trim()
        .parse::<i64>()
        .map(TokenId::new)
        .map_err(|_| ApiError::new(ErrorCode::InvalidInput, format!("'{id}' is not a token id")))
}

fn file_input(file: TokenFile) -> TokenFileInput {
    match file {
        TokenFile::Contents {
            file_name,
            contents,
        } => TokenFileInput::Contents {
            file_name,
            contents: contents.into_bytes(),
        },
    }
}

fn workspace_info(depot: Arc<Depot>, _: Empty) -> Result<WorkspaceInfo, ApiError> {
    Ok(depot.workspace_info()?.into())
}

fn tokens_list(depot: Arc<Depot>, _: Empty) -> Result<TokenList, ApiError> {
    let tokens = depot.list_tokens()?.into_iter().map(Into::into).collect();
    Ok(TokenList { tokens })
}

fn tokens_get(depot: Arc<Depot>, req: TokenRef) -> Result<TokenDetail, ApiError> {
    Ok(depot.token_detail(token_id(&req.id)?)?.into())
}

fn tokens_pending_key(depot: Arc<Depot>, _: Empty) -> Result<PendingKeyState, ApiError> {
    Ok(PendingKeyState {
        pending: depot.pending_key()?.map(Into::into),
    })
}

fn tokens_generate_key(depot: Arc<Depot>, req: GenerateKeyRequest) -> Result<PendingKey, ApiError> {
    Ok(depot.generate_key(req.replace)?.into())
}

async fn tokens_inspect(
    depot: Arc<Depot>,
    req: InspectTokenRequest,
) -> Result<TokenPreview, ApiError> {
    let preview = depot
        .inspect_token(&file_input(req.file), req.apple_url.as_deref())
        .await?;
    Ok(preview.into())
}

fn alerts_list(depot: Arc<Depot>, _: Empty) -> Result<AlertList, ApiError> {
    Ok(AlertList {
        alerts: depot.alerts()?.into_iter().map(Into::into).collect(),
    })
}

fn alerts_snooze(depot: Arc<Depot>, req: SnoozeAlertRequest) -> Result<AlertList, ApiError> {
    Ok(AlertList {
        alerts: depot
            .snooze_alert(&req.key, req.hours)?
            .into_iter()
            .map(Into::into)
            .collect(),
    })
}

fn alerts_unsnooze(depot: Arc<Depot>, req: AlertRef) -> Result<AlertList, ApiError> {
    Ok(AlertList {
        alerts: depot
            .unsnooze_alert(&req.key)?
            .into_iter()
            .map(Into::into)
            .collect(),
    })
}

fn dashboard_summary(depot: Arc<Depot>, _: Empty) -> Result<DashboardSummary, ApiError> {
    Ok(depot.dashboard_summary()?.into())
}

fn org_list(depot: Arc<Depot>, _: Empty) -> Result<OrgAccountList, ApiError> {
    Ok(OrgAccountList {
        accounts: depot.org_accounts()?.into_iter().map(Into::into).collect(),
    })
}

fn org_get(depot: Arc<Depot>, req: OrgAccountRef) -> Result<OrgAccountDto, ApiError> {
    Ok(depot.org_account(&req.id)?.into())
}

async fn org_add(depot: Arc<Depot>, req: AddOrgAccountRequest) -> Result<OrgAccountDto, ApiError> {
    let TokenFile::Contents { contents, .. } = req.key;
    let pem = depot_domain::SecretString::new(contents);
    Ok(depot
        .add_org_account(&depot_core::orgs::AddOrgAccount {
            name: req.name.as_deref(),
            client_id: &req.client_id,
            key_id: &req.key_id,
            key_pem: &pem,
            school: req.school,
            api_url: req.api_url.as_deref(),
        })
        .await?
        .into())
}

fn org_remove(depot: Arc<Depot>, req: OrgAccountRef) -> Result<Empty, ApiError> {
    depot.remove_org_account(&req.id)?;
    Ok(Empty {})
}

async fn org_sync(depot: Arc<Depot>, req: OrgSyncRequest) -> Result<OrgAccountList, ApiError> {
    Ok(OrgAccountList {
        accounts: depot
            .sync_org(req.id.as_deref())
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    })
}

fn org_query(
    depot: &Depot,
    req: &OrgDeviceListRequest,
) -> Result<Vec<depot_core::orgs::OrgDeviceView>, ApiError> {
    Ok(depot.org_devices(
        req.account.as_deref(),
        req.status.as_deref().filter(|s| !s.is_empty()),
        req.server.as_deref().filter(|s| !s.is_empty()),
        req.search.as_deref(),
        req.limit,
    )?)
}

fn org_devices(depot: Arc<Depot>, req: OrgDeviceListRequest) -> Result<OrgDevicePage, ApiError> {
    Ok(OrgDevicePage {
        devices: org_query(&depot, &req)?
            .into_iter()
            .map(Into::into)
            .collect(),
    })
}

fn org_export(depot: Arc<Depot>, req: OrgDeviceListRequest) -> Result<OrgDeviceExport, ApiError> {
    let devices = org_query(&depot, &OrgDeviceListRequest { limit: None, ..req })?;
    Ok(OrgDeviceExport {
        rows: devices.len() as u64,
        text: depot_core::orgs::org_devices_csv(&devices),
    })
}

async fn org_device(depot: Arc<Depot>, req: OrgDeviceRef) -> Result<OrgDeviceDetail, ApiError> {
    let (device, coverage) = depot.org_device(&req.serial).await?;
    Ok(OrgDeviceDetail {
        device: device.into(),
        coverage: coverage.into_iter().map(Into::into).collect(),
    })
}

fn activity_kind(kind: &str) -> Result<depot_core::orgs::ActivityKind, ApiError> {
    depot_core::orgs::ActivityKind::parse(kind.trim()).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidInput,
            format!("'{kind}' is not an activity: use assign or unassign"),
        )
    })
}

fn org_preview(depot: Arc<Depot>, req: OrgActivityRequest) -> Result<OrgPreviewDto, ApiError> {
    Ok(depot
        .preview_org_activity(
            req.account.as_deref(),
            activity_kind(&req.kind)?,
            &req.server,
            &req.serials,
        )?
        .into())
}

/// Starts the activities and follows each in the background (the UI polls
/// `org.activity`).
async fn org_start(
    depot: Arc<Depot>,
    req: OrgActivityRequest,
) -> Result<OrgActivityList, ApiError> {
    let started = depot
        .start_org_activity(
            req.account.as_deref(),
            activity_kind(&req.kind)?,
            &req.server,
            &req.serials,
        )
        .await?;
    for activity in &started {
        let (depot, id) = (Arc::clone(&depot), activity.row.id.clone());
        tokio::spawn(async move {
            if let Err(err) = depot.follow_org_activity(&id).await {
                tracing::warn!(%err, activity = %id, "the activity could not be followed");
            }
        });
    }
    Ok(OrgActivityList {
        activities: started.into_iter().map(Into::into).collect(),
    })
}

fn org_activities(depot: Arc<Depot>, _: Empty) -> Result<OrgActivityList, ApiError> {
    Ok(OrgActivityList {
        activities: depot
            .org_activities(100)?
            .into_iter()
            .map(Into::into)
            .collect(),
    })
}

fn org_activity(depot: Arc<Depot>, req: OrgActivityRef) -> Result<OrgActivityDto, ApiError> {
    Ok(depot.org_activity(&req.id)?.into())
}

fn vpp_list(depot: Arc<Depot>, _: Empty) -> Result<VppTokenList, ApiError> {
    Ok(VppTokenList {
        tokens: depot.vpp_tokens()?.into_iter().map(Into::into).collect(),
    })
}

fn vpp_get(depot: Arc<Depot>, req: VppTokenRef) -> Result<VppToken, ApiError> {
    Ok(depot.vpp_token(&req.id)?.into())
}

async fn vpp_add(depot: Arc<Depot>, req: AddVppTokenRequest) -> Result<VppToken, ApiError> {
    let file = file_input(req.file);
    Ok(depot
        .add_vpp_token(&depot_core::vpp::AddVppToken {
            file: &file,
            name: req.name.as_deref(),
            apps_url: req.apps_url.as_deref(),
            take_over: req.take_over,
        })
        .await?
        .into())
}

async fn vpp_renew(depot: Arc<Depot>, req: RenewVppTokenRequest) -> Result<VppToken, ApiError> {
    Ok(depot
        .renew_vpp_token(&req.id, &file_input(req.file), req.other_location)
        .await?
        .into())
}

fn vpp_delete(depot: Arc<Depot>, req: VppTokenRef) -> Result<Empty, ApiError> {
    depot.delete_vpp_token(&req.id)?;
    Ok(Empty {})
}

async fn vpp_sync(depot: Arc<Depot>, req: VppSyncRequest) -> Result<VppTokenList, ApiError> {
    let rows = match req.id {
        Some(id) => vec![depot.sync_vpp_token(&id).await?],
        None => depot.sync_vpp_tokens().await?,
    };
    Ok(VppTokenList {
        tokens: rows.into_iter().map(Into::into).collect(),
    })
}

fn webhooks_list(depot: Arc<Depot>, _: Empty) -> Result<WebhookList, ApiError> {
    Ok(WebhookList {
        webhooks: depot.webhooks()?.into_iter().map(Into::into).collect(),
    })
}

fn webhooks_add(depot: Arc<Depot>, req: AddWebhookRequest) -> Result<WebhookDto, ApiError> {
    let url = depot_domain::SecretString::new(req.url);
    Ok(depot
        .add_webhook(&depot_core::webhooks::AddWebhook {
            name: &req.name,
            url: &url,
            format: req.format.into(),
            min_severity: req.min_severity.into(),
        })?
        .into())
}

fn webhooks_remove(depot: Arc<Depot>, req: WebhookRef) -> Result<Empty, ApiError> {
    depot.remove_webhook(&req.id)?;
    Ok(Empty {})
}

async fn webhooks_test(depot: Arc<Depot>, req: WebhookRef) -> Result<WebhookTestResult, ApiError> {
    let (_, outcome) = depot
        .test_webhook(&req.id, &depot_core::webhooks::WebhookPolicy::default())
        .await?;
    Ok(match outcome {
        Ok(status) => WebhookTestResult {
            delivered: true,
            status: Some(status),
            error: None,
        },
        Err(error) => WebhookTestResult {
            delivered: false,
            status: None,
            error: Some(error),
        },
    })
}

async fn tokens_add(depot: Arc<Depot>, req: AddTokenRequest) -> Result<TokenSummary, ApiError> {
    let token = depot
        .add_token(
            &file_input(req.file),
            &req.apple_id,
            &req.scope_tags,
            req.apple_url.as_deref(),
        )
        .await?;
    Ok(token.into())
}

async fn tokens_renew(depot: Arc<Depot>, req: RenewTokenRequest) -> Result<TokenSummary, ApiError> {
    let id = token_id(&req.id)?;
    Ok(depot
        .renew_token(id, &file_input(req.file), &req.apple_id, req.force)
        .await?
        .into())
}

fn tokens_set_scope_tags(
    depot: Arc<Depot>,
    req: SetScopeTagsRequest,
) -> Result<TokenSummary, ApiError> {
    Ok(depot
        .set_scope_tags(token_id(&req.id)?, &req.scope_tags)?
        .into())
}

fn tokens_delete(depot: Arc<Depot>, req: TokenRef) -> Result<Empty, ApiError> {
    depot.delete_token(token_id(&req.id)?)?;
    Ok(Empty {})
}

async fn demo_start(depot: Arc<Depot>, _: Empty) -> Result<DemoStarted, ApiError> {
    let token = depot.start_demo().await?;
    let simulator_url = depot.simulator_url().unwrap_or_default();
    Ok(DemoStarted {
        token: token.into(),
        simulator_url,
    })
}

async fn tokens_check(depot: Arc<Depot>, req: TokenRef) -> Result<TokenSummary, ApiError> {
    Ok(depot.check_token(token_id(&req.id)?).await?.into())
}

async fn demo_issue_token(
    depot: Arc<Depot>,
    req: IssueDemoTokenRequest,
) -> Result<IssuedDemoToken, ApiError> {
    let for_token = req.for_token.as_deref().map(token_id).transpose()?;
    let (file_name, contents) = depot.issue_demo_token(for_token).await?;
    Ok(IssuedDemoToken {
        file: TokenFile::Contents {
            file_name,
            contents,
        },
        apple_url: depot_core::SIMULATOR_URL.to_owned(),
    })
}

fn status_of(depot: &Depot, id: TokenId) -> Result<SyncStatus, ApiError> {
    Ok(SyncStatus {
        token_id: id.to_string(),
        running: depot.sync_progress(id).map(Into::into),
        health: depot.sync_health(id)?.into(),
    })
}

fn sync_overview(depot: Arc<Depot>, _: Empty) -> Result<SyncOverview, ApiError> {
    let mut tokens = Vec::new();
    for token in depot.list_tokens()? {
        let status = status_of(&depot, token.id)?;
        tokens.push(TokenSyncStatus {
            token: token.into(),
            status,
        });
    }
    Ok(SyncOverview { tokens })
}

fn sync_status(depot: Arc<Depot>, req: TokenRef) -> Result<SyncStatus, ApiError> {
    status_of(&depot, token_id(&req.id)?)
}

fn sync_start(depot: Arc<Depot>, req: SyncStartRequest) -> Result<SyncStarted, ApiError> {
    let id = token_id(&req.id)?;
    let control = depot.start_sync(id, depot_core::sync::SyncRequest::manual(req.full))?;
    // The run row is written as the task starts; report what is known now.
    let run_id = control.progress().run_id;
    Ok(SyncStarted {
        run_id: run_id.to_string(),
    })
}

fn sync_cancel(depot: Arc<Depot>, req: TokenRef) -> Result<Empty, ApiError> {
    depot.cancel_sync(token_id(&req.id)?)?;
    Ok(Empty {})
}

fn sync_history(depot: Arc<Depot>, req: TokenRef) -> Result<SyncHistory, ApiError> {
    let runs = depot
        .sync_history(token_id(&req.id)?)?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(SyncHistory { runs })
}

fn audit_list(depot: Arc<Depot>, req: AuditListRequest) -> Result<AuditPage, ApiError> {
    let before = match req.before.as_deref() {
        Some(id) => Some(id.trim().parse::<i64>().map_err(|_| {
            ApiError::new(
                ErrorCode::InvalidInput,
                format!("'{id}' is not an audit entry id"),
            )
        })?),
        None => None,
    };
    let page = depot.audit_page(&req.filter.into(), before, req.limit.unwrap_or(100))?;
    Ok(page.into())
}

fn audit_export(depot: Arc<Depot>, req: AuditExportRequest) -> Result<AuditExport, ApiError> {
    let (csv, rows) = depot.audit_csv(&req.filter.into())?;
    Ok(AuditExport { rows, csv })
}

#[cfg(test)]
mod scope_tests;
#[cfg(test)]
mod tests;
