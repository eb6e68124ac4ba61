//! The assignment engine (DEV-2..4, PRO-14, SYN-7): sends a profile (or its
//! removal) for a list of serials in batches of at most 1,000, records every
//! serial's answer, retries `THROTTLED` serials after Apple's
//! `retry_after_seconds` within the run (bounded), and puts `FAILED` serials in
//! a 24-hour cooldown that later runs honour.
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
use depot_domain::{SerialNumber, TokenId};
use depot_store::Db;
pub use depot_store::assignments::{AssignmentKind, AssignmentResultRow, Outcome};
use depot_store::assignments::{AssignmentRunRow, NewAssignmentRun};
use serde_json::json;

use crate::audit::AuditEvent;
use crate::profiles::profile_object;
use crate::tokens::token_object;
use crate::writer::Writer;
use crate::{Change, CoreError, Depot, Result};

/// FAILED serials are not sent again for this long (Apple's guidance, §3.12).
pub const FAILED_COOLDOWN_SECS: i64 = 24 * 60 * 60;
/// THROTTLED serials are sent again at most this many times within one run...
pub const MAX_THROTTLE_ROUNDS: u32 = 2;
/// ...and only when Apple asks to wait no longer than this; otherwise they stay
/// THROTTLED with the time Apple gave.
pub const MAX_THROTTLE_WAIT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignReason {
    /// The admin chose the serials.
    Manual,
    /// A profile edit moves devices to the new version (PRO-14).
    Edit,
    /// New devices get the token's default profile after a sync (SYN-7).
    Default,
}

impl AssignReason {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignReason::Manual => "manual",
            AssignReason::Edit => "edit",
            AssignReason::Default => "default",
        }
    }
}

/// What to send: `profile` Some → assign that profile's current version;
/// None → remove whatever profile the serials hold (DEV-4).
#[derive(Debug, Clone)]
pub struct AssignRequest {
    pub token: TokenId,
    pub profile: Option<i64>,
    pub serials: Vec<String>,
    pub reason: AssignReason,
}

/// A run's state and counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentSummary {
    pub run_id: i64,
    pub token_id: TokenId,
    pub kind: AssignmentKind,
    pub reason: String,
    pub profile_id: Option<i64>,
    pub profile_version: Option<i64>,
    pub operator: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// `running`, `ok`, `partial`, `failed` or `cancelled`.
    pub result: String,
    pub error: Option<String>,
    pub total: u64,
    pub pending: u64,
    pub succeeded: u64,
    pub not_accessible: u64,
    pub failed: u64,
    pub throttled: u64,
    pub cooldown: u64,
    pub not_sent: u64,
}

impl From<AssignmentRunRow> for AssignmentSummary {
    fn from(row: AssignmentRunRow) -> Self {
        AssignmentSummary {
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
    runs: std::sync::Mutex<HashMap<TokenId, (i64, Arc<AtomicBool>)>>,
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
    batch: &[String],
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
    pub fn start_assignment(&self, request: &AssignRequest) -> Result<i64> {
        let mut seen = HashSet::new();
        let mut serials = Vec::with_capacity(request.serials.len());
        for raw in &request.serials {
            let serial = SerialNumber::parse(raw).map_err(|e| CoreError::InvalidInput {
                field: "serials",
                message: format!("'{}': {e}", raw.trim()),
            })?;
            if seen.insert(serial.as_str().to_owned()) {
                serials.push(serial.as_str().to_owned());
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
            let (profile, version, uuid, object) = match request.profile {
                Some(id) => {
                    let row = db
                        .get_profile(id)?
                        .ok_or_else(|| CoreError::NotFound(format!("profile {id}")))?;
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
                    reason: request.reason.as_str(),
                    profile_id: profile,
                    profile_version: version,
                    apple_uuid: uuid.as_deref(),
                    operator: &self.operator,
                    started_at: now,
                },
                &serials,
                MAX_SERIALS_PER_ASSIGNMENT,
            )?;
            let cooling = db.cooldowns(request.token, now)?;
            let in_cooldown: Vec<(String, Outcome, Option<String>)> = serials
                .iter()
                .filter_map(|s| {
                    cooling.get(s).map(|until| {
                        (
                            s.clone(),
                            Outcome::Cooldown,
                            Some(format!(
                                "failed recently; Apple asks not to retry before {}",
                                depot_domain::time::rfc3339(*until)
                            )),
                        )
                    })
                })
                .collect();
            db.record_assignment_results(run, &in_cooldown, now)?;
            self.audit(
                db,
                AuditEvent {
                    action: match kind {
                        AssignmentKind::Assign => "assignment.start",
                        AssignmentKind::Remove => "assignment.remove_start",
                    },
                    object,
                    before: None,
                    after: Some(json!({
                        "run": run,
                        "reason": request.reason.as_str(),
                        "serials": serials.len(),
                        "inCooldown": in_cooldown.len(),
                        "profileVersion": version,
                        "token": token.server_name,
                    })),
                },
            )?;
            Ok(run)
        })
    }

    /// Sends a run in the background (the UI polls [`Depot::assignment_summary`]).
    pub fn spawn_assignment(self: &Arc<Self>, run: i64) {
        let depot = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(err) = depot.run_assignment(run).await {
                tracing::warn!(%err, run, "assignment run stopped");
            }
        });
    }

    /// Sends every pending serial of a run (also one left by a crash) and
    /// returns the final counts.
    pub async fn run_assignment(&self, run: i64) -> Result<AssignmentSummary> {
        let row = self.assignment_row(run)?;
        if row.result != "running" {
            return Ok(row.into());
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
        let (result, error) = match &outcome {
            Ok(()) if cancel.load(Ordering::SeqCst) => ("cancelled", None),
            Ok(()) => ("done", None),
            Err(err) => ("failed", Some(err.to_string())),
        };
        self.workspace.write(|db| {
            let reason = match (result, &error) {
                ("cancelled", _) => "cancelled before it was sent".to_owned(),
                (_, Some(err)) => format!("not sent: {err}"),
                _ => "not sent".to_owned(),
            };
            db.close_pending_assignments(run, &reason, now)?;
            let counts = db
                .assignment_run(run)?
                .ok_or_else(|| CoreError::NotFound(format!("assignment run {run}")))?;
            let final_result = match result {
                "done" if counts.count(Outcome::Success) == counts.total => "ok",
                "done" => "partial",
                other => other,
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
                    before: None,
                    after: Some(json!({
                        "run": run,
                        "result": final_result,
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

    async fn send_run(&self, row: &AssignmentRunRow, cancel: &AtomicBool) -> Result<()> {
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
        sent?;
        finished
    }

    /// Sends the pending serials in batches, then the throttled ones again
    /// (bounded rounds and waits).
    async fn send_rounds(
        &self,
        db: Db,
        client: &AppleClient,
        row: &AssignmentRunRow,
        cancel: &AtomicBool,
        writer: &mut AnswerWriter,
    ) -> Result<()> {
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
                    return writer.drain(&mut on_commit).await;
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
            if throttled == 0 || rounds >= MAX_THROTTLE_ROUNDS || wait > MAX_THROTTLE_WAIT {
                return Ok(());
            }
            rounds += 1;
            tracing::info!(
                throttled,
                ?wait,
                "Apple throttled serials; sending them again"
            );
            if !self.pause(wait, cancel).await {
                return Ok(());
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
    pub fn cancel_assignment(&self, run: i64) -> bool {
        let Ok(runs) = self.assignments.runs.lock() else {
            return false;
        };
        match runs.values().find(|(id, _)| *id == run) {
            Some((_, flag)) => {
                flag.store(true, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    pub fn assignment_summary(&self, run: i64) -> Result<AssignmentSummary> {
        Ok(self.assignment_row(run)?.into())
    }

    /// Per-serial results of a run, in batch order.
    pub fn assignment_results(&self, run: i64) -> Result<Vec<AssignmentResultRow>> {
        Ok(self.workspace.connect()?.assignment_results(run)?)
    }

    /// The latest runs, newest first.
    pub fn assignment_history(
        &self,
        token: Option<TokenId>,
        limit: u32,
    ) -> Result<Vec<AssignmentSummary>> {
        let db = self.workspace.connect()?;
        let mut out = Vec::new();
        for id in db.assignment_runs(token, limit.clamp(1, 200))? {
            if let Some(row) = db.assignment_run(id)? {
                out.push(row.into());
            }
        }
        Ok(out)
    }

    /// Continues every run a crash or kill left `running` (app start, CLI).
    pub async fn resume_assignments(&self) -> Result<Vec<AssignmentSummary>> {
        let runs = self.workspace.connect()?.unfinished_assignment_runs()?;
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

    fn assignment_row(&self, run: i64) -> Result<AssignmentRunRow> {
        self.workspace
            .connect()?
            .assignment_run(run)?
            .ok_or_else(|| CoreError::NotFound(format!("assignment run {run}")))
    }
}

/// One batch and Apple's answer to it.
struct Answered {
    serials: Vec<String>,
    answer: AssignAnswer,
    /// When the answer came.
    at: i64,
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
        let (outcome, detail) = match answer.devices.get(serial) {
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
