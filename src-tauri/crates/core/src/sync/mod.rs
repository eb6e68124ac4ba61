//! Device sync (SYN-1..8): the cursor state machine, pacing, one sync per
//! token (also across processes), progress, cancellation, history and health.
//!
//! Crash safety: each page's devices and the cursor that follows them are
//! committed in one transaction, so a killed process resumes from the last
//! committed cursor with nothing lost and nothing counted twice.

use std::collections::HashMap;
use std::fs::File;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use depot_apple::AppleError;
use depot_domain::{ProfileId, SyncRunId, UnixSeconds};
use depot_domain::{SerialNumber, TokenId};
use depot_store::sync::Phase;
use depot_store::tokens::TokenRow;
use serde_json::json;

use crate::audit::AuditEvent;
use crate::audit::token_object;
use crate::{Change, CoreError, Depot, Result};

mod pacing;
mod pages;
mod scheduler;

use pages::PageLoop;

/// SYN-1: a full sync at most once every 7 days per token.
pub const FULL_SYNC_INTERVAL: i64 = 7 * 86_400;
/// SYN-1: the automatic delta sync every 12 hours.
pub const AUTO_SYNC_INTERVAL: i64 = 12 * 3_600;
/// SYN-1: a manual sync at most once every 15 minutes per token.
pub const MANUAL_SYNC_INTERVAL: i64 = 15 * 60;
/// SYN-1: every sync gets 15 minutes, then it is cancelled cleanly.
pub const SYNC_BUDGET: i64 = 15 * 60;
/// Apple refuses cursors older than 7 days; Depot starts over before that.
pub const CURSOR_MAX_AGE: i64 = 7 * 86_400;
/// SYN-3: removed devices are kept this long for history, then purged.
pub const REMOVED_RETENTION: i64 = 30 * 86_400;
/// Apple's maximum page size.
pub const PAGE_LIMIT: u32 = 1_000;
/// Pages per transaction: 25 pages (25,000 devices) per commit.
pub const PAGES_PER_COMMIT: u32 = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncTrigger {
    Manual,
    Automatic,
}

impl SyncTrigger {
    fn as_str(self) -> &'static str {
        match self {
            SyncTrigger::Manual => "manual",
            SyncTrigger::Automatic => "automatic",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncKind {
    Full,
    #[default]
    Delta,
}

impl SyncKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncKind::Full => "full",
            SyncKind::Delta => "delta",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncPhase {
    #[default]
    Fetch,
    Sync,
    Finishing,
}

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct SyncRequest {
    pub trigger: SyncTrigger,
    /// A full fetch even if a delta would do (pacing: once per 7 days).
    pub full: bool,
    /// Skip pacing: allowed for simulator tokens only.
    pub ignore_pacing: bool,
    /// Seconds this run may take before it is cancelled cleanly.
    pub budget: i64,
    /// Pages committed per transaction (progress is reported per commit).
    pub pages_per_commit: u32,
}

impl SyncRequest {
    pub fn manual(full: bool) -> Self {
        Self {
            trigger: SyncTrigger::Manual,
            full,
            ignore_pacing: false,
            budget: SYNC_BUDGET,
            pages_per_commit: PAGES_PER_COMMIT,
        }
    }

    pub fn automatic() -> Self {
        Self {
            trigger: SyncTrigger::Automatic,
            ..Self::manual(false)
        }
    }
}

/// A running sync's progress (SYN-5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncProgress {
    pub run_id: SyncRunId,
    pub kind: SyncKind,
    pub phase: SyncPhase,
    pub started_at: UnixSeconds,
    pub pages: u32,
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    pub cancelling: bool,
}

/// Shared between a running sync and whoever watches or cancels it.
#[derive(Debug, Default)]
pub struct SyncControl {
    cancel: AtomicBool,
    progress: Mutex<SyncProgress>,
}

impl SyncControl {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
        if let Ok(mut p) = self.progress.lock() {
            p.cancelling = true;
        }
    }

    pub fn progress(&self) -> SyncProgress {
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    fn update(&self, edit: impl FnOnce(&mut SyncProgress)) {
        if let Ok(mut p) = self.progress.lock() {
            edit(&mut p);
        }
    }
}

/// How a finished run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    pub run_id: SyncRunId,
    pub kind: SyncKind,
    pub pages: u32,
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    /// Cancelled by the admin or by the 15-minute budget; what was committed stays.
    pub cancelled: bool,
    pub device_count: u64,
    /// SYN-7: the default profile sent to the devices this sync brought.
    /// The default-profile runs this sync started: one per platform that has
    /// a default and new devices (PLT-2).
    pub default_assignments: Vec<crate::assign::AssignmentSummary>,
}

/// Sync health (SYN-6). Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncHealth {
    pub last_success_at: Option<UnixSeconds>,
    pub last_full_at: Option<UnixSeconds>,
    pub last_error: Option<(String, String, UnixSeconds)>,
    pub next_automatic_at: Option<UnixSeconds>,
    pub manual_allowed_at: Option<UnixSeconds>,
    pub full_allowed_at: Option<UnixSeconds>,
    pub cursor_age: Option<i64>,
    pub device_count: u64,
    pub pacing_exempt: bool,
}

/// What [`Depot::begin_run`] decided.
#[derive(Debug, Clone, Copy)]
struct RunPlan {
    run: SyncRunId,
    kind: SyncKind,
    resume_fetch: bool,
}

/// In-process registry of running syncs (one per token).
#[derive(Default, Clone)]
pub(crate) struct RunningSyncs(Arc<Mutex<HashMap<TokenId, Arc<SyncControl>>>>);

impl RunningSyncs {
    /// Asks every sync of this process to stop after the page group in
    /// flight; how many are running.
    pub(crate) fn cancel_all(&self) -> usize {
        self.0.lock().map_or(0, |map| {
            for control in map.values() {
                control.cancel();
            }
            map.len()
        })
    }

    pub(crate) fn count(&self) -> usize {
        self.0.lock().map_or(0, |map| map.len())
    }
}

/// Held while a token syncs: the in-process slot and, for file workspaces, an
/// OS file lock (released by the OS if the process dies).
struct SyncLock {
    syncs: RunningSyncs,
    token: TokenId,
    _file: Option<File>,
}

impl Drop for SyncLock {
    fn drop(&mut self) {
        if let Ok(mut map) = self.syncs.0.lock() {
            map.remove(&self.token);
        }
    }
}

impl Depot {
    fn lock_sync(&self, row: &TokenRow) -> Result<(SyncLock, Arc<SyncControl>)> {
        let busy = || CoreError::SyncRunning {
            server_name: row.server_name.clone(),
        };
        let control = Arc::new(SyncControl::default());
        {
            let mut map = self.syncs.0.lock().map_err(|_| busy())?;
            if map.contains_key(&row.id) {
                return Err(busy());
            }
            map.insert(row.id, Arc::clone(&control));
        }
        let mut lock = SyncLock {
            syncs: self.syncs.clone(),
            token: row.id,
            _file: None,
        };
        match crate::locks::try_lock(&self.workspace, &format!("sync-token-{}", row.id))? {
            crate::locks::Locked::Held(file) => lock._file = file,
            crate::locks::Locked::Busy => return Err(busy()),
        }
        Ok((lock, control))
    }

    /// Runs one sync of `id` to the end (or cancellation), reporting progress
    /// on `control` if given. The CLI calls this; the app uses [`Depot::start_sync`].
    pub async fn sync_token(
        &self,
        id: TokenId,
        request: SyncRequest,
        on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
    ) -> Result<SyncOutcome> {
        let row = self.token_row(&self.workspace.connect()?, id)?;
        let exempt = self.pacing_exempt(&row, &request)?;
        self.check_pacing(&row, &request, exempt)?;
        let (_lock, control) = self.lock_sync(&row)?;
        let plan = self.begin_run(&row, request, &control)?;
        self.run_sync(&row, request, plan, &control, on_progress)
            .await
    }

    /// Starts a sync in the background (the app). Returns the control to watch
    /// or cancel it; `sync_status` finds it too.
    pub fn start_sync(
        self: &Arc<Self>,
        id: TokenId,
        request: SyncRequest,
    ) -> Result<Arc<SyncControl>> {
        let row = self.token_row(&self.workspace.connect()?, id)?;
        let exempt = self.pacing_exempt(&row, &request)?;
        self.check_pacing(&row, &request, exempt)?;
        // Take the lock here so a refusal reaches the caller; the task holds it.
        let (lock, control) = self.lock_sync(&row)?;
        let plan = self.begin_run(&row, request, &control)?;
        let depot = Arc::clone(self);
        let task_control = Arc::clone(&control);
        tokio::spawn(async move {
            let _lock = lock;
            if let Err(err) = depot
                .run_sync(&row, request, plan, &task_control, &|_| {})
                .await
            {
                tracing::warn!(token = %id, %err, "sync failed");
            }
        });
        Ok(control)
    }

    /// Asks a running sync of `id` to stop after the current page. Whether
    /// one was running.
    pub fn cancel_sync(&self, id: TokenId) -> Result<bool> {
        self.in_scope(id)?;
        let control = self.syncs.0.lock().ok().and_then(|m| m.get(&id).cloned());
        match control {
            Some(control) => {
                control.cancel();
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The running sync's progress, if `id` is syncing in this process.
    pub fn sync_progress(&self, id: TokenId) -> Option<SyncProgress> {
        self.syncs
            .0
            .lock()
            .ok()
            .and_then(|m| m.get(&id).map(|c| c.progress()))
    }

    pub fn sync_health(&self, id: TokenId) -> Result<SyncHealth> {
        let db = self.workspace.connect()?;
        self.token_row(&db, id)?;
        let state = db.sync_state(id)?;
        let now = self.clock.now();
        let future = |at: UnixSeconds| (at > now).then_some(at);
        Ok(SyncHealth {
            last_success_at: state.last_success_at,
            last_full_at: state.last_full_at,
            last_error: match (state.last_error_code, state.last_error, state.last_error_at) {
                (Some(code), Some(message), Some(at)) => Some((code, message, at)),
                _ => None,
            },
            next_automatic_at: Some(
                state
                    .last_success_at
                    .map_or(now, |t| (t + AUTO_SYNC_INTERVAL).max(now)),
            ),
            manual_allowed_at: state
                .last_manual_at
                .and_then(|t| future(t + MANUAL_SYNC_INTERVAL)),
            full_allowed_at: state
                .last_full_at
                .and_then(|t| future(t + FULL_SYNC_INTERVAL)),
            cursor_age: state
                .cursor_at
                .filter(|_| state.cursor.is_some())
                .map(|t| now - t),
            device_count: db.active_device_count(id)?,
            pacing_exempt: false,
        })
    }

    pub fn sync_history(&self, id: TokenId) -> Result<Vec<depot_domain::records::SyncRunRow>> {
        let db = self.workspace.connect()?;
        self.token_row(&db, id)?;
        Ok(db.sync_runs(id)?)
    }

    /// Opens a run: closes runs a dead process left open, decides full or
    /// delta (or resumes a full fetch), and writes the run row.
    fn begin_run(
        &self,
        row: &TokenRow,
        request: SyncRequest,
        control: &SyncControl,
    ) -> Result<RunPlan> {
        let id = row.id;
        let started = self.clock.now();
        let db = self.workspace.connect()?;
        db.close_abandoned_runs(id, started)?;
        let state = db.sync_state(id)?;
        let cursor_fresh = state
            .cursor_at
            .is_some_and(|t| started - t < CURSOR_MAX_AGE);
        let resume_fetch = !request.full
            && state.phase == Some(Phase::Fetch)
            && state.cursor.is_some()
            && state.fetch_run.is_some();
        let delta = !request.full
            && state.phase == Some(Phase::Sync)
            && state.cursor.is_some()
            && cursor_fresh;
        let kind = if delta {
            SyncKind::Delta
        } else {
            SyncKind::Full
        };
        let run = self.workspace.write(|db| -> Result<SyncRunId> {
            let run = db.insert_sync_run(id, kind.as_str(), request.trigger.as_str(), started)?;
            if request.trigger == SyncTrigger::Manual {
                db.record_manual_sync(id, started)?;
            }
            if kind == SyncKind::Full && !resume_fetch {
                db.begin_full_fetch(id, run)?;
            }
            Ok(run)
        })?;
        control.update(|p| {
            *p = SyncProgress {
                run_id: run,
                kind,
                phase: if delta {
                    SyncPhase::Sync
                } else {
                    SyncPhase::Fetch
                },
                started_at: started,
                ..SyncProgress::default()
            }
        });
        Ok(RunPlan {
            run,
            kind,
            resume_fetch,
        })
    }

    async fn run_sync(
        &self,
        row: &TokenRow,
        request: SyncRequest,
        plan: RunPlan,
        control: &SyncControl,
        on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
    ) -> Result<SyncOutcome> {
        let id = row.id;
        let RunPlan {
            run,
            kind,
            resume_fetch,
        } = plan;
        on_progress(&control.progress());

        let notify = |progress: &SyncProgress| {
            on_progress(progress);
            self.changes.send(Change::SyncProgress { token: id });
        };
        let result = self
            .sync_pages(PageLoop {
                row,
                run,
                kind,
                resume_fetch,
                request,
                control,
                on_progress: &notify,
            })
            .await;
        let now = self.clock.now();
        let progress = control.progress();
        let (result_text, code, message) = match &result {
            Ok(cancelled) => (if *cancelled { "cancelled" } else { "ok" }, None, None),
            Err(err) => (
                "failed",
                Some(SyncErrorCode::of(err)),
                Some(err.to_string()),
            ),
        };
        self.workspace.write(|db| -> Result<()> {
            db.finish_sync_run(
                run,
                result_text,
                code.map(SyncErrorCode::as_str),
                message.as_deref(),
                now,
            )?;
            match (&result, code) {
                (Ok(false), _) => {
                    db.record_sync_success(id, now)?;
                    if row.terms_not_accepted || row.rejected {
                        db.set_token_verdicts(id, false, false)?;
                    }
                }
                (Err(_), Some(code)) => {
                    db.record_sync_error(
                        id,
                        code.as_str(),
                        message.as_deref().unwrap_or_default(),
                        now,
                    )?;
                    match code {
                        SyncErrorCode::TermsNotAccepted => {
                            db.set_token_verdicts(id, true, false)?
                        }
                        SyncErrorCode::AppleRejected => db.set_token_verdicts(id, false, true)?,
                        _ => {}
                    }
                }
                _ => {}
            }
            db.purge_removed_devices(id, now - REMOVED_RETENTION)?;
            self.audit(
                db,
                AuditEvent {
                    action: "sync.run",
                    object: token_object(id, &row.server_name),
                    token: Some(id),
                    before: None,
                    after: Some(json!({
                        "kind": progress.kind.as_str(),
                        "trigger": request.trigger.as_str(),
                        "result": result_text,
                        "pages": progress.pages,
                        "added": progress.added,
                        "modified": progress.modified,
                        "removed": progress.removed,
                        "errorCode": code.map(SyncErrorCode::as_str),
                    })),
                },
            )
        })?;
        self.changes.send(Change::SyncFinished { token: id });
        let cancelled = result?;
        let default_assignments = if cancelled {
            Vec::new()
        } else {
            self.assign_default_profiles(id, progress.started_at).await
        };
        Ok(SyncOutcome {
            default_assignments,
            run_id: run,
            kind: progress.kind,
            pages: progress.pages,
            added: progress.added,
            modified: progress.modified,
            removed: progress.removed,
            cancelled,
            device_count: self.workspace.connect()?.active_device_count(id)?,
        })
    }

    /// SYN-7, PLT-2: devices new to the token since `since` with no profile get
    /// the token's default profile of their own platform; one run per platform.
    /// A device whose platform has no default (or whose family Depot does not
    /// know) stays without a profile and is counted on the token page. A
    /// failure here does not fail the sync: the assignment run records it.
    async fn assign_default_profiles(
        &self,
        id: TokenId,
        since: UnixSeconds,
    ) -> Vec<crate::assign::AssignmentSummary> {
        use depot_domain::DeviceFamily;
        use depot_domain::profile::ApplePlatform;
        let plan = (|| {
            let db = self.workspace.connect()?;
            if db.default_profiles(id)?.is_empty() {
                return Ok(Vec::new());
            }
            let mut by_platform: Vec<(ApplePlatform, ProfileId, Vec<SerialNumber>)> = Vec::new();
            for (serial, family) in db.new_devices_without_profile(id, since)? {
                let Some(platform) = DeviceFamily::parse(&family).platform() else {
                    continue;
                };
                if let Some(entry) = by_platform.iter_mut().find(|(p, ..)| *p == platform) {
                    entry.2.push(serial);
                } else if let Some(profile) = db.default_profile(id, platform)? {
                    by_platform.push((platform, profile, vec![serial]));
                }
            }
            by_platform.sort_by_key(|(platform, ..)| platform.order());
            Ok::<_, CoreError>(by_platform)
        })();
        let plan = match plan {
            Ok(plan) => plan,
            Err(err) => {
                tracing::warn!(token = %id, %err, "the default profiles could not be read");
                return Vec::new();
            }
        };
        let mut summaries = Vec::new();
        for (platform, profile, serials) in plan {
            let work = async {
                let run = self.start_assignment(&crate::assign::AssignRequest {
                    token: id,
                    profile: Some(profile),
                    serials,
                    reason: crate::assign::AssignReason::Default,
                })?;
                self.run_assignment(run).await
            };
            match work.await {
                Ok(summary) => summaries.push(summary),
                Err(err) => tracing::warn!(
                    token = %id,
                    platform = platform.as_str(),
                    %err,
                    "the default profile could not be assigned"
                ),
            }
        }
        summaries
    }
}

/// A stable code for the history and health panel.
/// Why a sync failed, as stored with the run and shown with its advice (SYN-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncErrorCode {
    TermsNotAccepted,
    AppleRejected,
    AccessDenied,
    CursorRefused,
    AppleUnavailable,
    EchoedCursor,
    /// The process stopped during the sync (found when Depot starts again).
    Interrupted,
    Workspace,
    Internal,
}

impl SyncErrorCode {
    pub const ALL: [SyncErrorCode; 9] = [
        SyncErrorCode::TermsNotAccepted,
        SyncErrorCode::AppleRejected,
        SyncErrorCode::AccessDenied,
        SyncErrorCode::CursorRefused,
        SyncErrorCode::AppleUnavailable,
        SyncErrorCode::EchoedCursor,
        SyncErrorCode::Interrupted,
        SyncErrorCode::Workspace,
        SyncErrorCode::Internal,
    ];

    /// The stored text (`sync_runs.error_code`, `sync_state.last_error_code`).
    pub fn as_str(self) -> &'static str {
        match self {
            SyncErrorCode::TermsNotAccepted => "TERMS_NOT_ACCEPTED",
            SyncErrorCode::AppleRejected => "APPLE_REJECTED",
            SyncErrorCode::AccessDenied => "ACCESS_DENIED",
            SyncErrorCode::CursorRefused => "CURSOR_REFUSED",
            SyncErrorCode::AppleUnavailable => "APPLE_UNAVAILABLE",
            SyncErrorCode::EchoedCursor => "ECHOED_CURSOR",
            SyncErrorCode::Interrupted => "INTERRUPTED",
            SyncErrorCode::Workspace => "WORKSPACE",
            SyncErrorCode::Internal => "INTERNAL",
        }
    }

    /// A stored code; one this build does not know reads as `Internal`.
    pub fn parse(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == text)
            .unwrap_or(SyncErrorCode::Internal)
    }

    /// The code of an error that ended a sync.
    pub(crate) fn of(err: &CoreError) -> Self {
        match err {
            CoreError::Apple(AppleError::TermsNotAccepted) => SyncErrorCode::TermsNotAccepted,
            CoreError::Apple(AppleError::Rejected) => SyncErrorCode::AppleRejected,
            CoreError::Apple(AppleError::AccessDenied) => SyncErrorCode::AccessDenied,
            CoreError::Apple(AppleError::Cursor(_)) => SyncErrorCode::CursorRefused,
            CoreError::Apple(_) => SyncErrorCode::AppleUnavailable,
            CoreError::EchoedCursor => SyncErrorCode::EchoedCursor,
            CoreError::Vault(_) | CoreError::Store(_) | CoreError::SchemaTooNew(_) => {
                SyncErrorCode::Workspace
            }
            _ => SyncErrorCode::Internal,
        }
    }

    /// What the admin should do about it.
    pub fn advice(self) -> &'static str {
        match self {
            SyncErrorCode::TermsNotAccepted => {
                "An administrator must accept Apple's latest terms in Apple Business Manager or Apple School Manager. Sync again afterwards."
            }
            SyncErrorCode::AppleRejected => {
                "Apple no longer accepts this token. Download a new token for this MDM server in Apple's portal and renew the token in Depot."
            }
            SyncErrorCode::AccessDenied => {
                "Check that the MDM server still exists in Apple's portal and that this token belongs to it."
            }
            SyncErrorCode::AppleUnavailable => {
                "Apple could not be reached or answered with an error. Check the network; Depot tries again automatically."
            }
            SyncErrorCode::EchoedCursor => {
                "Apple kept returning the same position. Depot stopped to avoid a loop; try again later or run a full sync."
            }
            SyncErrorCode::CursorRefused => {
                "Apple refused the sync position twice. Run a full sync."
            }
            SyncErrorCode::Interrupted => {
                "Depot stopped during the sync. The next sync continues where it left off."
            }
            SyncErrorCode::Workspace => {
                "The workspace could not be written. Check free disk space and that no other program locks the file."
            }
            SyncErrorCode::Internal => "Try again. If it keeps failing, the log has details.",
        }
    }
}

/// What the admin should do about a stored sync error code (SYN-6).
pub fn sync_error_advice(code: &str) -> &'static str {
    SyncErrorCode::parse(code).advice()
}

#[cfg(test)]
mod tests {
    use super::SyncErrorCode;

    #[test]
    fn every_sync_error_code_round_trips_and_has_advice() {
        for code in SyncErrorCode::ALL {
            assert_eq!(SyncErrorCode::parse(code.as_str()), code);
            assert!(code.advice().ends_with('.'), "{code:?}");
        }
        assert_eq!(
            SyncErrorCode::parse("SOMETHING_NEW"),
            SyncErrorCode::Internal
        );
        // Stored by the store itself when a killed run is found.
        assert_eq!(
            SyncErrorCode::parse("INTERRUPTED"),
            SyncErrorCode::Interrupted
        );
    }
}
