//! Profile assignment runs (DEV-2..4): `assignment_runs`, their per-serial
//! `assignment_results`, and the 24-hour `assignment_cooldowns`.
//!
//! A run writes every serial as pending when it starts; each batch's answers
//! are written in one transaction, together with the devices they change, so a
//! run killed at any point resumes with exactly the serials not yet answered.

use std::collections::HashMap;

use depot_domain::{ProfileId, RunId, SerialNumber, TokenId, UnixSeconds};
use rusqlite::{OptionalExtension, Row, params};

pub use depot_domain::records::{
    AssignReason, AssignmentKind, AssignmentResultRow, Outcome, RunResult, SerialAssignmentRow,
};

use crate::{Db, Result};

#[derive(Debug, Clone)]
pub struct NewAssignmentRun<'a> {
    pub token: TokenId,
    pub kind: AssignmentKind,
    /// `manual`, `edit` (re-assign after a profile edit) or `default` (SYN-7).
    pub reason: AssignReason,
    pub profile_id: Option<ProfileId>,
    pub profile_version: Option<i64>,
    pub apple_uuid: Option<&'a str>,
    pub operator: &'a str,
    pub started_at: UnixSeconds,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRunRow {
    pub id: RunId,
    pub token_id: TokenId,
    pub kind: AssignmentKind,
    pub reason: AssignReason,
    pub profile_id: Option<ProfileId>,
    pub profile_version: Option<i64>,
    pub apple_uuid: Option<String>,
    pub operator: String,
    pub started_at: UnixSeconds,
    pub finished_at: Option<UnixSeconds>,
    pub result: RunResult,
    pub error: Option<String>,
    pub total: u64,
    pub pending: u64,
    pub counts: HashMap<&'static str, u64>,
}

impl AssignmentRunRow {
    pub fn count(&self, outcome: Outcome) -> u64 {
        self.counts.get(outcome.as_str()).copied().unwrap_or(0)
    }
}

impl Db {
    /// Starts a run with every serial pending, in batches of `batch_size`.
    pub fn insert_assignment_run(
        &self,
        run: &NewAssignmentRun<'_>,
        serials: &[SerialNumber],
        batch_size: usize,
    ) -> Result<RunId> {
        self.conn.execute(
            "INSERT INTO assignment_runs (token_id, kind, reason, profile_id, profile_version,
                                          apple_uuid, operator, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                run.token.get(),
                run.kind.as_str(),
                run.reason.as_str(),
                run.profile_id,
                run.profile_version,
                run.apple_uuid,
                run.operator,
                run.started_at
            ],
        )?;
        let id = RunId::new(self.conn.last_insert_rowid());
        let mut insert = self.conn.prepare_cached(
            "INSERT OR IGNORE INTO assignment_results (run_id, serial, batch) VALUES (?1, ?2, ?3)",
        )?;
        for (i, serial) in serials.iter().enumerate() {
            let batch = i64::try_from(i / batch_size.max(1)).unwrap_or(i64::MAX);
            insert.execute(params![id, serial, batch])?;
        }
        Ok(id)
    }

    /// Up to `limit` serials of the run still waiting for an answer, in batch order.
    pub fn pending_assignment_serials(
        &self,
        run: RunId,
        limit: usize,
    ) -> Result<Vec<SerialNumber>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT serial FROM assignment_results WHERE run_id = ?1 AND outcome IS NULL
             ORDER BY batch, serial LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(
                params![run, i64::try_from(limit).unwrap_or(i64::MAX)],
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<Vec<SerialNumber>>>()?;
        Ok(rows)
    }

    /// Throttled serials of the run, to send again.
    pub fn requeue_throttled(&self, run: RunId) -> Result<u64> {
        let n = self.conn.execute(
            "UPDATE assignment_results SET outcome = NULL WHERE run_id = ?1 AND outcome = 'THROTTLED'",
            [run],
        )?;
        Ok(n as u64)
    }

    pub fn record_assignment_results(
        &self,
        run: RunId,
        results: &[(SerialNumber, Outcome, Option<String>)],
        now: UnixSeconds,
    ) -> Result<()> {
        let mut update = self.conn.prepare_cached(
            "UPDATE assignment_results SET outcome = ?3, detail = ?4, at = ?5
             WHERE run_id = ?1 AND serial = ?2",
        )?;
        for (serial, outcome, detail) in results {
            update.execute(params![run, serial, outcome.as_str(), detail, now])?;
        }
        Ok(())
    }

    /// Closes the serials still waiting when a run stops for good: `NOT_SENT`
    /// with the reason.
    pub fn close_pending_assignments(
        &self,
        run: RunId,
        reason: &str,
        now: UnixSeconds,
    ) -> Result<u64> {
        let n = self.conn.execute(
            "UPDATE assignment_results SET outcome = 'NOT_SENT', detail = ?2, at = ?3
             WHERE run_id = ?1 AND outcome IS NULL",
            params![run, reason, now],
        )?;
        Ok(n as u64)
    }

    /// What one batch's answers change on the devices, one statement per
    /// serial: the device's last result (the device list's "last assignment
    /// result"), and on `SUCCESS` its profile — `assigned` (Apple's uuid) for
    /// an assign, none for a remove. Apple's own view arrives with the next
    /// sync and agrees.
    pub fn apply_assignment_outcomes(
        &self,
        token: TokenId,
        run: RunId,
        results: &[(SerialNumber, Outcome, Option<String>)],
        assigned: Option<&str>,
        now: UnixSeconds,
    ) -> Result<()> {
        let mut success = self.conn.prepare_cached(
            "UPDATE devices SET profile_uuid = ?3,
                    profile_status = CASE WHEN ?3 IS NULL THEN 'empty' ELSE 'assigned' END,
                    profile_assign_time = CASE WHEN ?3 IS NULL THEN NULL ELSE ?5 END,
                    updated_at = ?5, last_run_id = ?4, last_outcome = 'SUCCESS', last_outcome_at = ?5
             WHERE token_id = ?1 AND serial = ?2",
        )?;
        let mut other = self.conn.prepare_cached(
            "UPDATE devices SET last_run_id = ?3, last_outcome = ?4, last_outcome_at = ?5
             WHERE token_id = ?1 AND serial = ?2",
        )?;
        for (serial, outcome, _) in results {
            if *outcome == Outcome::Success {
                success.execute(params![token.get(), serial, assigned, run, now])?;
            } else {
                other.execute(params![token.get(), serial, run, outcome.as_str(), now])?;
            }
        }
        Ok(())
    }

    pub fn set_cooldowns(
        &self,
        token: TokenId,
        serials: &[SerialNumber],
        until: UnixSeconds,
    ) -> Result<()> {
        let mut upsert = self.conn.prepare_cached(
            "INSERT INTO assignment_cooldowns (token_id, serial, until) VALUES (?1, ?2, ?3)
             ON CONFLICT (token_id, serial) DO UPDATE SET until = excluded.until",
        )?;
        for serial in serials {
            upsert.execute(params![token.get(), serial, until])?;
        }
        Ok(())
    }

    /// Serials of `token` in cooldown at `now`, with when each ends.
    pub fn cooldowns(
        &self,
        token: TokenId,
        now: UnixSeconds,
    ) -> Result<HashMap<String, UnixSeconds>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT serial, until FROM assignment_cooldowns WHERE token_id = ?1 AND until > ?2",
        )?;
        let rows = stmt
            .query_map(params![token.get(), now], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<HashMap<String, UnixSeconds>>>()?;
        Ok(rows)
    }

    /// When `serial`'s cooldown on `token` ends, if it is in one at `now`.
    pub fn cooldown_until(
        &self,
        token: TokenId,
        serial: &SerialNumber,
        now: UnixSeconds,
    ) -> Result<Option<UnixSeconds>> {
        Ok(self
            .conn
            .query_row(
                "SELECT until FROM assignment_cooldowns
                 WHERE token_id = ?1 AND serial = ?2 AND until > ?3",
                params![token.get(), serial, now],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn finish_assignment_run(
        &self,
        run: RunId,
        result: RunResult,
        error: Option<&str>,
        now: UnixSeconds,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE assignment_runs SET result = ?2, error = ?3, finished_at = ?4 WHERE id = ?1",
            params![run, result.as_str(), error, now],
        )?;
        Ok(())
    }

    pub fn assignment_run(&self, run: RunId) -> Result<Option<AssignmentRunRow>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, token_id, kind, reason, profile_id, profile_version, apple_uuid,
                        operator, started_at, finished_at, result, error
                 FROM assignment_runs WHERE id = ?1",
                [run],
                run_from_row,
            )
            .optional()?;
        let Some(mut row) = row else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT outcome, COUNT(*) FROM assignment_results WHERE run_id = ?1 GROUP BY outcome",
        )?;
        let groups = stmt
            .query_map([run], |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (outcome, n) in groups {
            let n = n.unsigned_abs();
            row.total += n;
            match outcome.as_deref().and_then(Outcome::parse) {
                Some(o) => {
                    row.counts.insert(o.as_str(), n);
                }
                None => row.pending += n,
            }
        }
        Ok(Some(row))
    }

    /// Runs that were still running when the app stopped (to resume).
    pub fn unfinished_assignment_runs(&self) -> Result<Vec<RunId>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM assignment_runs WHERE result = 'running' ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<RunId>>>()?;
        Ok(rows)
    }

    /// The latest runs, newest first (optionally of one token).
    pub fn assignment_runs(&self, token: Option<TokenId>, limit: u32) -> Result<Vec<RunId>> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM assignment_runs WHERE (?1 IS NULL OR token_id = ?1)
             ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![token.map(TokenId::get), limit], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<RunId>>>()?;
        Ok(rows)
    }

    pub fn assignment_results(&self, run: RunId) -> Result<Vec<AssignmentResultRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT serial, batch, outcome, detail, at FROM assignment_results
             WHERE run_id = ?1 ORDER BY batch, serial",
        )?;
        let rows = stmt
            .query_map([run], |r| {
                Ok(AssignmentResultRow {
                    serial: r.get(0)?,
                    batch: r.get(1)?,
                    outcome: r
                        .get::<_, Option<String>>(2)?
                        .as_deref()
                        .and_then(Outcome::parse),
                    detail: r.get(3)?,
                    at: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every run that included `serial` (any token), newest first.
    pub fn serial_assignments(&self, serial: &SerialNumber) -> Result<Vec<SerialAssignmentRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, r.kind, r.reason, r.profile_id, r.profile_version, r.operator,
                    a.outcome, a.detail, a.at, r.started_at
             FROM assignment_results a JOIN assignment_runs r ON r.id = a.run_id
             WHERE a.serial = ?1 ORDER BY r.id DESC LIMIT 100",
        )?;
        let rows = stmt
            .query_map([serial], |r| {
                Ok(SerialAssignmentRow {
                    run_id: r.get(0)?,
                    kind: AssignmentKind::parse(&r.get::<_, String>(1)?),
                    reason: AssignReason::parse(&r.get::<_, String>(2)?),
                    profile_id: r.get(3)?,
                    profile_version: r.get(4)?,
                    operator: r.get(5)?,
                    outcome: r
                        .get::<_, Option<String>>(6)?
                        .as_deref()
                        .and_then(Outcome::parse),
                    detail: r.get(7)?,
                    at: r.get(8)?,
                    started_at: r.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

fn run_from_row(r: &Row<'_>) -> rusqlite::Result<AssignmentRunRow> {
    Ok(AssignmentRunRow {
        id: r.get(0)?,
        token_id: TokenId::new(r.get(1)?),
        kind: AssignmentKind::parse(&r.get::<_, String>(2)?),
        reason: AssignReason::parse(&r.get::<_, String>(3)?),
        profile_id: r.get(4)?,
        profile_version: r.get(5)?,
        apple_uuid: r.get(6)?,
        operator: r.get(7)?,
        started_at: r.get(8)?,
        finished_at: r.get(9)?,
        result: RunResult::parse(&r.get::<_, String>(10)?),
        error: r.get(11)?,
        total: 0,
        pending: 0,
        counts: HashMap::new(),
    })
}
