//! The assignment engine (DEV-2..4, PRO-14, SYN-7): sends a profile (or its
//! removal) for a list of serials in batches of at most 1,000, records every
//! serial's answer, retries `THROTTLED` serials after Apple's
//! `retry_after_seconds` within the run (bounded), and puts `FAILED` serials in
//! a 24-hour cooldown that later runs honour. `THROTTLED` serials still
//! waiting when a run ends are kept: a follow-up run is written with them,
//! to be sent once Apple's time has come (never dropped).
//!
//! A run is written with every serial pending before anything is sent; each
//! batch's answers and the devices they change are committed together. A run
//! interrupted by a crash stays `running` and [`Depot::resume_assignments`]
//! sends exactly the serials that have no answer yet.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use depot_apple::{AppleClient, AssignAnswer, SerialOutcome};
use depot_domain::limits::MAX_SERIALS_PER_ASSIGNMENT;
pub use depot_domain::records::{
    AssignReason, AssignmentKind, AssignmentResultRow, Outcome, RunResult,
};
use depot_domain::{ProfileId, RunId, UnixSeconds};
use depot_domain::{SerialNumber, TokenId};
use depot_store::Db;
use depot_store::assignments::{AssignmentRunRow, NewAssignmentRun};
use serde_json::json;

use crate::audit::AuditEvent;
use crate::audit::{profile_object, token_object};
use crate::writer::Writer;
use crate::{Change, CoreError, Depot, Result};

/// FAILED serials are not sent again for this long (Apple's guidance, §3.12).
pub const FAILED_COOLDOWN_SECS: i64 = 24 * 60 * 60;
/// THROTTLED serials are sent again at most this many times within one run...
pub const MAX_THROTTLE_ROUNDS: u32 = 2;
/// ...and only when Apple asks to wait no longer than this; otherwise they stay
/// THROTTLED in this run and a follow-up run sends them after the time Apple
/// gave (this long when Apple gave none).
pub const MAX_THROTTLE_WAIT: Duration = Duration::from_secs(120);
/// The scheduler sends follow-up runs this long after they are due, so that
/// a run another process has just written is left to that process.
pub const RESUME_GRACE_SECS: i64 = 120;

/// What to send: `profile` Some → assign that profile's current version;
/// None → remove whatever profile the serials hold (DEV-4).
#[derive(Debug, Clone)]
pub struct AssignRequest {
    pub token: TokenId,
    pub profile: Option<ProfileId>,
    pub serials: Vec<SerialNumber>,
    pub reason: AssignReason,
}

/// A run's state and counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentSummary {
    pub run_id: RunId,
    pub token_id: TokenId,
    pub kind: AssignmentKind,
    pub reason: AssignReason,
    pub profile_id: Option<ProfileId>,
    pub profile_version: Option<i64>,
    pub operator: String,
    pub started_at: UnixSeconds,
    pub finished_at: Option<UnixSeconds>,
    pub result: RunResult,
    pub error: Option<String>,
    pub total: u64,
    pub pending: u64,
    pub succeeded: u64,
    pub not_accessible: u64,
    pub failed: u64,
    pub throttled: u64,
    /// Of `throttled`: serials kept for a later run (a follow-up run written
    /// when this one ended sends them once Apple allows). Every serial still
    /// throttled at the end of a run that was not cancelled.
    pub throttled_kept: u64,
    /// A follow-up run that is not due yet: not sent before this time (Unix
    /// seconds). Its `started_at` is the same time.
    pub waiting_until: Option<UnixSeconds>,
    pub cooldown: u64,
    pub not_sent: u64,
}

impl AssignmentSummary {
    /// The summary of `row` as of `now`.
    fn of(row: AssignmentRunRow, now: UnixSeconds) -> Self {
        let finished_kept = matches!(row.result, RunResult::Partial | RunResult::Failed);
        AssignmentSummary {
            throttled_kept: if finished_kept {
                row.count(Outcome::Throttled)
            } else {
                0
            },
            waiting_until: (row.result == RunResult::Running && row.started_at > now)
                .then_some(row.started_at),
            succeeded: row.count(Outcome::Success),
            not_accessible: row.count(Outcome::NotAccessible),
            failed: row.count(Outcome::Failed),
            throttled: row.count(Outcome::Throttled),
            cooldown: row.count(Outcome::Cooldown),
            not_sent: row.count(Outcome::NotSent),
            run_id: row.id,
            token_id: row.token_id,
            kind: row.kind,
            reason: row.reason,
            profile_id: row.profile_id,
            profile_version: row.profile_version,
            operator: row.operator,
            started_at: row.started_at,
            finished_at: row.finished_at,
            result: row.result,
            error: row.error,
            total: row.total,
            pending: row.pending,
        }
    }
}

/// Runs in progress in this process: one per token, each cancellable.
#[derive(Default)]
pub(crate) struct RunningAssignments {
    runs: std::sync::Mutex<HashMap<TokenId, (RunId, Arc<AtomicBool>)>>,
}

impl RunningAssignments {
    /// Asks every run of this process to stop after its batch in flight;
    /// how many are running.
    pub(crate) fn cancel_all(&self) -> usize {
        self.runs.lock().map_or(0, |runs| {
            for (_, flag) in runs.values() {
                flag.store(true, Ordering::SeqCst);
            }
            runs.len()
        })
    }

    pub(crate) fn count(&self) -> usize {
        self.runs.lock().map_or(0, |runs| runs.len())
    }
}

/// Removes the token's entry when the run ends, however it ends.
struct RunGuard<'a> {
    running: &'a RunningAssignments,
    token: TokenId,
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut runs) = self.running.runs.lock() {
            runs.remove(&self.token);
        }
    }
}

/// One assign or remove call for a batch.
async fn call_apple(
    client: &AppleClient,
    row: &AssignmentRunRow,
    batch: &[SerialNumber],
) -> Result<AssignAnswer> {
    Ok(match (&row.kind, &row.apple_uuid) {
        (AssignmentKind::Assign, Some(uuid)) => client.assign_profile(uuid, batch).await?,
        (AssignmentKind::Assign, None) => {
            return Err(CoreError::InvalidInput {
                field: "profile",
                message: "the run has no Apple profile to assign".into(),
            });
        }
        (AssignmentKind::Remove, _) => client.remove_profile(batch).await?,
    })
}

impl Depot {
    /// Writes a new run with every serial pending (serials in their 24-hour
    /// cooldown are recorded as `COOLDOWN` and not sent). Returns its id; send
    /// it with [`Depot::run_assignment`] or [`Depot::spawn_assignment`].
    pub fn start_assignment(&self, request: &AssignRequest) -> Result<RunId> {
        let operator = self.acting_operator();
        let mut seen = HashSet::new();
        let mut serials = Vec::with_capacity(request.serials.len());
        for serial in &request.serials {
            if seen.insert(serial) {
                serials.push(serial.clone());
            }
        }
        if serials.is_empty() {
            return Err(CoreError::InvalidInput {
                field: "serials",
                message: "no serial numbers were given".into(),
            });
        }
        let now = self.clock.now();
        self.workspace.write(|db| {
            let token = self.token_row(db, request.token)?;
            let mut guard = None;
            let (profile, version, uuid, object) = match request.profile {
                Some(id) => {
                    let row = db
                        .get_profile(id)?
                        .ok_or_else(|| CoreError::NotFound(format!("profile {id}")))?;
                    guard = Some((
                        row.platform,
                        crate::stored::stored_spec(&row.current)?.shared_ipad,
                    ));
                    if row.token_id != request.token {
                        return Err(CoreError::InvalidInput {
                            field: "profile",
                            message: format!(
                                "'{}' belongs to '{}', not to '{}'",
                                row.name, row.token_name, token.server_name
                            ),
                        });
                    }
                    let uuid = row.current.apple_uuid.clone().ok_or_else(|| {
                        CoreError::InvalidInput {
                            field: "profile",
                            message: format!(
                                "'{}' (version {}) is not uploaded to Apple yet; retry its upload first",
                                row.name, row.current_version
                            ),
                        }
                    })?;
                    (
                        Some(id),
                        Some(row.current_version),
                        Some(uuid),
                        profile_object(id, &row.name),
                    )
                }
                None => (
                    None,
                    None,
                    None,
                    token_object(request.token, &token.server_name),
                ),
            };
            let kind = if profile.is_some() {
                AssignmentKind::Assign
            } else {
                AssignmentKind::Remove
            };
            let run = db.insert_assignment_run(
                &NewAssignmentRun {
                    token: request.token,
                    kind,
                    reason: request.reason,
                    profile_id: profile,
                    profile_version: version,
                    apple_uuid: uuid.as_deref(),
                    operator: &operator,
                    started_at: now,
                },
                &serials,
                MAX_SERIALS_PER_ASSIGNMENT,
            )?;
            let cooling = db.cooldowns(request.token, now)?;
            let in_cooldown: Vec<(SerialNumber, Outcome, Option<String>)> = serials
                .iter()
                .filter_map(|s| {
                    cooling.get(s.as_str()).map(|until| {
                        (
                            s.clone(),
                            Outcome::Cooldown,
                            Some(format!(
                                "failed recently; Apple asks not to retry before {}",
                                until.rfc3339()
                            )),
                        )
                    })
                })
                .collect();
            // PLT-3: a device of another platform (or not an iPad, for a
            // Shared iPad profile) is never sent, whoever started the run.
            let mut refused: Vec<(SerialNumber, Outcome, Option<String>)> = Vec::new();
            if let Some((platform, shared_ipad)) = guard {
                let families = db.device_families(request.token, &serials)?;
                for serial in &serials {
                    let Some(family) = families.get(serial.as_str()) else {
                        continue;
                    };
                    if cooling.contains_key(serial.as_str()) {
                        continue;
                    }
                    if let Some(reason) = depot_domain::profile::assignment_refusal(
                        platform,
                        shared_ipad,
                        &depot_domain::DeviceFamily::parse(family),
                    ) {
                        refused.push((
                            serial.clone(),
                            Outcome::NotSent,
                            Some(format!("refused: {reason}")),
                        ));
                    }
                }
            }
            db.record_assignment_results(run, &in_cooldown, now)?;
            db.record_assignment_results(run, &refused, now)?;
            self.audit(
                db,
                AuditEvent {
                    action: match kind {
                        AssignmentKind::Assign => "assignment.start",
                        AssignmentKind::Remove => "assignment.remove_start",
                    },
                    object,
                    token: Some(request.token),
                    before: None,
                    after: Some(json!({
                        "run": run,
                        "reason": request.reason.as_str(),
                        "serials": serials.len(),
                        "inCooldown": in_cooldown.len(),
                        "refused": refused.len(),
                        "profileVersion": version,
                        "token": token.server_name,
                    })),
                },
            )?;
            Ok(run)
        })
    }

    /// Sends a run in the background (the UI polls [`Depot::assignment_summary`]).
    pub fn spawn_assignment(self: &Arc<Self>, run: RunId) {
        let depot = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(err) = depot.run_assignment(run).await {
                tracing::warn!(%err, %run, "assignment run stopped");
            }
        });
    }

    /// Sends every pending serial of a run (also one left by a crash) and
    /// returns the final counts.
    pub async fn run_assignment(&self, run: RunId) -> Result<AssignmentSummary> {
        let row = self.assignment_row(run)?;
        let now = self.clock.now();
        if row.result != RunResult::Running || row.started_at > now {
            return Ok(AssignmentSummary::of(row, now));
        }
        let token = row.token_id;
        let cancel = Arc::new(AtomicBool::new(false));
        {
            let mut runs = self
                .assignments
                .runs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if runs.contains_key(&token) {
                let server_name = self
                    .token_row(&self.workspace.connect()?, token)?
                    .server_name;
                return Err(CoreError::AssignmentRunning { server_name });
            }
            runs.insert(token, (run, Arc::clone(&cancel)));
        }
        let _guard = RunGuard {
            running: &self.assignments,
            token,
        };
        // Also across processes: another Depot on this workspace may be
        // sending for this token.
        let _file = match crate::locks::try_lock(&self.workspace, &format!("assign-token-{token}"))?
        {
            crate::locks::Locked::Held(file) => file,
            crate::locks::Locked::Busy => {
                let server_name = self
                    .token_row(&self.workspace.connect()?, token)?
                    .server_name;
                return Err(CoreError::AssignmentRunning { server_name });
            }
        };
        let outcome = self.send_run(&row, &cancel).await;
        let now = self.clock.now();
        // `None`: sent to the end; the counts decide between ok and partial.
        let (result, error, wait) = match &outcome {
            Ok(_) if cancel.load(Ordering::SeqCst) => (Some(RunResult::Cancelled), None, None),
            Ok(wait) => (None, None, *wait),
            Err(err) => (Some(RunResult::Failed), Some(err.to_string()), None),
        };
        self.workspace.write(|db| {
            let reason = match (result, &error) {
                (Some(RunResult::Cancelled), _) => "cancelled before it was sent".to_owned(),
                (_, Some(err)) => format!("not sent: {err}"),
                _ => "not sent".to_owned(),
            };
            db.close_pending_assignments(run, &reason, now)?;
            if result != Some(RunResult::Cancelled) {
                let wait = wait.unwrap_or(MAX_THROTTLE_WAIT.as_secs());
                self.keep_throttled(db, &row, now + i64::try_from(wait).unwrap_or(i64::MAX))?;
            }
            let counts = db
                .assignment_run(run)?
                .ok_or_else(|| CoreError::NotFound(format!("assignment run {run}")))?;
            let final_result = match result {
                None if counts.count(Outcome::Success) == counts.total => RunResult::Ok,
                None => RunResult::Partial,
                Some(ended) => ended,
            };
            db.finish_assignment_run(run, final_result, error.as_deref(), now)?;
            let token_row = self.token_row(db, token)?;
            self.audit(
                db,
                AuditEvent {
                    action: match row.kind {
                        AssignmentKind::Assign => "assignment.finish",
                        AssignmentKind::Remove => "assignment.remove_finish",
                    },
                    object: token_object(token, &token_row.server_name),
                    token: Some(token),
                    before: None,
                    after: Some(json!({
                        "run": run,
                        "result": final_result.as_str(),
                        "succeeded": counts.count(Outcome::Success),
                        "notAccessible": counts.count(Outcome::NotAccessible),
                        "failed": counts.count(Outcome::Failed),
                        "throttled": counts.count(Outcome::Throttled),
                        "cooldown": counts.count(Outcome::Cooldown),
                        "notSent": counts.count(Outcome::NotSent),
                        "error": error,
                    })),
                },
            )
        })?;
        self.changes.send(Change::AssignmentFinished { token, run });
        self.assignment_summary(run)
    }

    /// Writes a follow-up run with the serials of `row` still THROTTLED, not
    /// to be sent before `not_before`, and says so on each of them.
    fn keep_throttled(
        &self,
        db: &Db,
        row: &AssignmentRunRow,
        not_before: UnixSeconds,
    ) -> Result<()> {
        let kept: Vec<SerialNumber> = db
            .assignment_results(row.id)?
            .into_iter()
            .filter(|r| r.outcome == Some(Outcome::Throttled))
            .map(|r| r.serial)
            .collect();
        if kept.is_empty() {
            return Ok(());
        }
        let follow_up = db.insert_assignment_run(
            &NewAssignmentRun {
                token: row.token_id,
                kind: row.kind,
                reason: row.reason,
                profile_id: row.profile_id,
                profile_version: row.profile_version,
                apple_uuid: row.apple_uuid.as_deref(),
                operator: &row.operator,
                // Written ahead: the run starts when Apple allows.
                started_at: not_before,
            },
            &kept,
            MAX_SERIALS_PER_ASSIGNMENT,
        )?;
        let when = not_before.rfc3339();
        let detail =
            format!("throttled by Apple: kept, and sent again by run {follow_up} after {when}");
        let results: Vec<(SerialNumber, Outcome, Option<String>)> = kept
            .iter()
            .map(|s| (s.clone(), Outcome::Throttled, Some(detail.clone())))
            .collect();
        db.record_assignment_results(row.id, &results, self.clock.now())?;
        let token = self.token_row(db, row.token_id)?;
        self.audit(
            db,
            AuditEvent {
                action: "assignment.throttled_kept",
                object: token_object(row.token_id, &token.server_name),
                token: Some(row.token_id),
                before: None,
                after: Some(json!({
                    "run": row.id,
                    "followUpRun": follow_up,
                    "serials": kept.len(),
                    "notBefore": when,
                })),
            },
        )
    }

    /// Sends the run; `Some(seconds)` is Apple's last `retry_after_seconds`
    /// when serials are still throttled at the end.
    async fn send_run(&self, row: &AssignmentRunRow, cancel: &AtomicBool) -> Result<Option<u64>> {
        // One connection for the whole run: its page cache stays warm.
        let db = self.workspace.connect()?;
        let token = self.token_row(&db, row.token_id)?;
        let client = self.client_for(&token).await?;
        // Each answer is committed by the writer while the next batch is on
        // its way to Apple.
        let run = row.clone();
        let mut writer: AnswerWriter = Writer::start(
            self.workspace.connect()?,
            1,
            move |db, answered: Answered| commit_answer(db, &run, &answered),
        );
        let sent = self
            .send_rounds(db, &client, row, cancel, &mut writer)
            .await;
        let finished = writer.finish(&mut |_| {}).await;
        let wait = sent?;
        finished?;
        Ok(wait)
    }

    /// Sends the pending serials in batches, then the throttled ones again
    /// (bounded rounds and waits). Returns Apple's last `retry_after_seconds`
    /// when serials are still throttled at the end.
    async fn send_rounds(
        &self,
        db: Db,
        client: &AppleClient,
        row: &AssignmentRunRow,
        cancel: &AtomicBool,
        writer: &mut AnswerWriter,
    ) -> Result<Option<u64>> {
        let mut rounds = 0;
        loop {
            let mut retry_after: Option<u64> = None;
            let mut throttled = 0;
            let mut on_commit = |(after, n): (Option<u64>, usize)| {
                retry_after = retry_after.max(after);
                throttled += n;
                self.changes.send(Change::AssignmentProgress {
                    token: row.token_id,
                    run: row.id,
                });
            };
            let pending = db.pending_assignment_serials(row.id, usize::MAX)?;
            for batch in pending.chunks(MAX_SERIALS_PER_ASSIGNMENT) {
                if cancel.load(Ordering::SeqCst) {
                    writer.drain(&mut on_commit).await?;
                    return Ok(None);
                }
                let answer = call_apple(client, row, batch).await?;
                let answered = Answered {
                    serials: batch.to_vec(),
                    answer,
                    at: self.clock.now(),
                };
                writer.submit(answered, &mut on_commit).await?;
            }
            writer.drain(&mut on_commit).await?;
            let wait = Duration::from_secs(retry_after.unwrap_or(0));
            if throttled == 0 {
                return Ok(None);
            }
            if rounds >= MAX_THROTTLE_ROUNDS || wait > MAX_THROTTLE_WAIT {
                // Kept for a later run.
                return Ok(retry_after);
            }
            rounds += 1;
            tracing::info!(
                throttled,
                ?wait,
                "Apple throttled serials; sending them again"
            );
            if !self.pause(wait, cancel).await {
                return Ok(None);
            }
            db.requeue_throttled(row.id)?;
        }
    }

    /// Sleeps `wait`, waking early (false) when the run is cancelled.
    async fn pause(&self, wait: Duration, cancel: &AtomicBool) -> bool {
        let step = Duration::from_millis(100);
        let mut left = wait;
        while !left.is_zero() {
            if cancel.load(Ordering::SeqCst) {
                return false;
            }
            let nap = left.min(step);
            tokio::time::sleep(nap).await;
            left -= nap;
        }
        !cancel.load(Ordering::SeqCst)
    }

    /// Asks a running assignment of this process to stop after its current
    /// batch. False when the run is not running here.
    pub fn cancel_assignment(&self, run: RunId) -> Result<bool> {
        self.run_in_scope(run)?;
        let Ok(runs) = self.assignments.runs.lock() else {
            return Ok(false);
        };
        Ok(match runs.values().find(|(id, _)| *id == run) {
            Some((_, flag)) => {
                flag.store(true, Ordering::SeqCst);
                true
            }
            None => false,
        })
    }

    pub fn assignment_summary(&self, run: RunId) -> Result<AssignmentSummary> {
        self.run_in_scope(run)?;
        Ok(AssignmentSummary::of(
            self.assignment_row(run)?,
            self.clock.now(),
        ))
    }

    /// Per-serial results of a run, in batch order.
    pub fn assignment_results(&self, run: RunId) -> Result<Vec<AssignmentResultRow>> {
        self.run_in_scope(run)?;
        Ok(self.workspace.connect()?.assignment_results(run)?)
    }

    /// The latest runs the acting person may see (`scope`), newest first.
    pub fn assignment_history(
        &self,
        token: Option<TokenId>,
        limit: u32,
    ) -> Result<Vec<AssignmentSummary>> {
        let db = self.workspace.connect()?;
        if let Some(token) = token {
            self.token_row(&db, token)?;
        }
        let scope = self.scope()?;
        let limit = limit.clamp(1, 200);
        // A limited account's runs are looked for among more of the latest.
        let looked_at = if scope == crate::scope::Scope::All {
            limit
        } else {
            limit * 10
        };
        let mut out = Vec::new();
        for id in db.assignment_runs(token, looked_at)? {
            if out.len() == limit as usize {
                break;
            }
            if let Some(row) = db.assignment_run(id)?
                && scope.contains(row.token_id)
            {
                out.push(AssignmentSummary::of(row, self.clock.now()));
            }
        }
        Ok(out)
    }

    /// Continues every run a crash or kill left `running`, and sends every
    /// follow-up run of throttled serials that is due (app start, CLI).
    pub async fn resume_assignments(&self) -> Result<Vec<AssignmentSummary>> {
        self.resume_assignments_due_at(self.clock.now()).await
    }

    /// Sends the follow-up runs of throttled serials that are due (the
    /// scheduler, every minute while the app runs). Runs are picked up
    /// [`RESUME_GRACE_SECS`] after they are due, so one another process is
    /// writing and sending right now is left alone.
    pub async fn send_due_follow_ups(&self) -> Result<Vec<AssignmentSummary>> {
        self.resume_assignments_due_at(self.clock.now() - RESUME_GRACE_SECS)
            .await
    }

    async fn resume_assignments_due_at(&self, due: UnixSeconds) -> Result<Vec<AssignmentSummary>> {
        let db = self.workspace.connect()?;
        let mut runs = Vec::new();
        for run in db.unfinished_assignment_runs()? {
            if db.assignment_run(run)?.is_some_and(|r| r.started_at <= due) {
                runs.push(run);
            }
        }
        drop(db);
        let mut out = Vec::with_capacity(runs.len());
        for run in runs {
            let busy = self
                .assignments
                .runs
                .lock()
                .map(|r| r.values().any(|(id, _)| *id == run))
                .unwrap_or(true);
            if busy {
                continue;
            }
            match self.run_assignment(run).await {
                Ok(summary) => out.push(summary),
                // Another process on this workspace is sending it.
                Err(CoreError::AssignmentRunning { .. }) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(out)
    }

    fn assignment_row(&self, run: RunId) -> Result<AssignmentRunRow> {
        self.workspace
            .connect()?
            .assignment_run(run)?
            .ok_or_else(|| CoreError::NotFound(format!("assignment run {run}")))
    }
}

/// One batch and Apple's answer to it.
struct Answered {
    serials: Vec<SerialNumber>,
    answer: AssignAnswer,
    /// When the answer came.
    at: UnixSeconds,
}

/// Commits answers (retry-after, throttled count) in the background.
type AnswerWriter = Writer<Answered, (Option<u64>, usize)>;

/// Commits one answer: every serial's outcome and the devices it changes,
/// in one transaction. Returns Apple's `retry_after_seconds` and how many
/// serials were throttled.
fn commit_answer(
    db: &Db,
    row: &AssignmentRunRow,
    answered: &Answered,
) -> Result<(Option<u64>, usize)> {
    let Answered {
        serials: batch,
        answer,
        at: now,
    } = answered;
    let now = *now;
    let mut results = Vec::with_capacity(batch.len());
    let mut failed = Vec::new();
    for serial in batch {
        let (outcome, detail) = match answer.devices.get(serial.as_str()) {
            Some(SerialOutcome::Success) => (Outcome::Success, None),
            Some(SerialOutcome::NotAccessible) => (
                Outcome::NotAccessible,
                Some("Apple does not assign this device to this MDM server".to_owned()),
            ),
            Some(SerialOutcome::Failed) => (Outcome::Failed, None),
            Some(SerialOutcome::Throttled) => (
                Outcome::Throttled,
                answer
                    .retry_after_seconds
                    .map(|s| format!("Apple asked to wait {s} s before sending it again")),
            ),
            Some(SerialOutcome::Unknown(value)) => {
                (Outcome::Failed, Some(format!("Apple answered '{value}'")))
            }
            None => (
                Outcome::Failed,
                Some("missing from Apple's answer".to_owned()),
            ),
        };
        if outcome == Outcome::Failed {
            failed.push(serial.clone());
        }
        results.push((serial.clone(), outcome, detail));
    }
    let throttled = results.iter().filter(|r| r.1 == Outcome::Throttled).count();
    let assigned = match row.kind {
        AssignmentKind::Assign => row.apple_uuid.as_deref(),
        AssignmentKind::Remove => None,
    };
    db.write(|db| {
        db.record_assignment_results(row.id, &results, now)?;
        db.apply_assignment_outcomes(row.token_id, row.id, &results, assigned, now)?;
        db.set_cooldowns(row.token_id, &failed, now + FAILED_COOLDOWN_SECS)?;
        Ok::<_, CoreError>(())
    })?;
    let retry_after = answer.retry_after_seconds.filter(|_| throttled > 0);
    Ok((retry_after, throttled))
}
