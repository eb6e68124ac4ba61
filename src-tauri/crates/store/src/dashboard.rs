//! The dashboard's figures (issue 16): few queries, each one pass over an
//! index, so `dashboard.summary` stays fast at 200,000 devices.

use depot_domain::{TokenId, UnixSeconds};
use rusqlite::params;

use crate::{Db, Result};

/// Active devices sharing a token, Apple's profile status, family and model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceGroup {
    pub token: TokenId,
    pub status: String,
    pub family: String,
    pub model: String,
    /// The devices hold no profile at all.
    pub no_profile: bool,
    pub count: u64,
}

/// Assignment answers of one token on one UTC day with one outcome
/// (`None`: still waiting to be sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeDay {
    pub token: TokenId,
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    pub outcome: Option<String>,
    pub count: u64,
}

/// A token's failed sync runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncFailures {
    /// Since its last successful run.
    pub since_success: u64,
    /// Since the time asked for.
    pub recent: u64,
}

impl Db {
    /// Active devices grouped by (token, profile status, family, model, has
    /// no profile), read from the `devices_summary` index alone.
    pub fn device_groups(&self) -> Result<Vec<DeviceGroup>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT token_id, profile_status, family, model, profile_uuid IS NULL, COUNT(*)
               FROM devices WHERE removed_at IS NULL
              GROUP BY token_id, profile_status, family, model, profile_uuid IS NULL",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DeviceGroup {
                    token: TokenId::new(r.get(0)?),
                    status: r.get(1)?,
                    family: r.get(2)?,
                    model: r.get(3)?,
                    no_profile: r.get(4)?,
                    count: r.get::<_, i64>(5)?.unsigned_abs(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Assignment answers recorded at or after `since`, per token, UTC day and
    /// outcome.
    pub fn assignment_outcome_days(&self, since: UnixSeconds) -> Result<Vec<OutcomeDay>> {
        // A run answers within hours of its start: runs that started a day
        // before the window are the earliest that can answer inside it.
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.token_id, ar.at / 86400, ar.outcome, COUNT(*)
               FROM assignment_runs r JOIN assignment_results ar ON ar.run_id = r.id
              WHERE r.started_at >= ?1 - 86400 AND ar.at >= ?1
              GROUP BY 1, 2, 3",
        )?;
        let rows = stmt
            .query_map(params![since], |r| {
                Ok(OutcomeDay {
                    token: TokenId::new(r.get(0)?),
                    day: r.get(1)?,
                    outcome: r.get(2)?,
                    count: r.get::<_, i64>(3)?.unsigned_abs(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Per token: failed sync runs since its last successful one, and since
    /// `since`.
    pub fn sync_failures(
        &self,
        since: UnixSeconds,
    ) -> Result<std::collections::HashMap<TokenId, SyncFailures>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.token_id,
                    SUM(s.result = 'failed' AND s.id > coalesce(
                        (SELECT max(ok.id) FROM sync_runs ok
                          WHERE ok.token_id = s.token_id AND ok.result = 'ok'), 0)),
                    SUM(s.result = 'failed' AND s.started_at >= ?1)
               FROM sync_runs s GROUP BY s.token_id",
        )?;
        let rows = stmt
            .query_map(params![since], |r| {
                Ok((
                    TokenId::new(r.get(0)?),
                    SyncFailures {
                        since_success: r.get::<_, i64>(1)?.unsigned_abs(),
                        recent: r.get::<_, i64>(2)?.unsigned_abs(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}
