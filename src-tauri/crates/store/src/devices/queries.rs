//! The list, count, facets, export and single-device reads.

use std::collections::HashMap;

use depot_domain::{ProfileId, SerialNumber, TokenId};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{OptionalExtension, params, params_from_iter};

use crate::{Db, Result};

use super::plan::*;
use super::types::*;

impl Db {
    /// Whether fewer than [`DRIVING_ROWS`] devices satisfy `condition`.
    pub(super) fn matches_few(&self, condition: &str, params: &[Value]) -> Result<bool> {
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM devices d WHERE {condition} LIMIT {DRIVING_ROWS})"
        );
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(params), |r| r.get(0))?;
        Ok(n < DRIVING_ROWS)
    }

    /// The rowids of the devices satisfying `condition`, if fewer than
    /// [`DRIVING_ROWS`].
    pub(super) fn few_rows(&self, condition: &str, params: &[Value]) -> Result<Option<Vec<i64>>> {
        let sql = format!("SELECT d.rowid FROM devices d WHERE {condition} LIMIT {DRIVING_ROWS}");
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(params), |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok((rows.len() < DRIVING_ROWS as usize).then_some(rows))
    }

    /// Runs `read` in one read transaction (a savepoint, so it also works
    /// inside a caller's transaction): the queries that plan a page and the
    /// page itself see the same data.
    pub(super) fn snapshot<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        self.conn.execute_batch("SAVEPOINT device_read")?;
        let out = read();
        let end = if out.is_ok() {
            "RELEASE device_read"
        } else {
            "ROLLBACK TO device_read; RELEASE device_read"
        };
        self.conn.execute_batch(end)?;
        out
    }

    pub(super) fn device_lookups(&self) -> Result<Lookups> {
        let mut tokens = HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, server_name FROM tokens")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (id, name) = row?;
            tokens.insert(id, name);
        }
        let mut profiles = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.apple_uuid, p.id, p.name, v.version
               FROM profile_versions v JOIN profiles p ON p.id = v.profile_id
              WHERE v.apple_uuid IS NOT NULL",
        )?;
        for row in stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                DepotProfileRef {
                    id: r.get(1)?,
                    name: r.get(2)?,
                    version: r.get(3)?,
                },
            ))
        })? {
            let (uuid, profile) = row?;
            profiles.insert(uuid, profile);
        }
        Ok(Lookups { tokens, profiles })
    }

    /// One page of the device list: at most `limit` rows strictly after
    /// `after` (the cursor of the previous page's last row), in the query's
    /// order.
    pub fn query_devices(
        &self,
        query: &DeviceQuery,
        after: Option<&DeviceCursor>,
        limit: u32,
    ) -> Result<Vec<DeviceListRow>> {
        self.snapshot(|| {
            let lookups = self.device_lookups()?;
            let plan = Plan::new(self, query)?;
            let (sql, params) = plan.select(self, after, Some(limit))?;
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(params_from_iter(params), |r| lookups.row(r))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// SQLite's plan for a page of `query` (EXPLAIN QUERY PLAN, one line per
    /// step): diagnostics for tests and the `device_queries` bench.
    pub fn device_query_plan(
        &self,
        query: &DeviceQuery,
        after: Option<&DeviceCursor>,
    ) -> Result<Vec<String>> {
        let plan = Plan::new(self, query)?;
        let (sql, params) = self.snapshot(|| plan.select(self, after, Some(100)))?;
        let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let lines = stmt
            .query_map(params_from_iter(params), |r| r.get::<_, String>(3))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(lines)
    }

    /// How many devices match (all filters).
    pub fn count_devices(&self, query: &DeviceQuery) -> Result<u64> {
        let plan = Plan::new(self, query)?;
        let (clause, params) = plan.where_clause(false);
        let text = format!("SELECT COUNT(*) FROM devices d WHERE {clause}");
        let n: i64 = self
            .conn
            .prepare_cached(&text)?
            .query_row(params_from_iter(params), |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }

    /// Counts per value of each facet; see [`DeviceFacets`] for the rule.
    /// One pass over the devices matching the non-facet filters.
    pub fn device_facets(&self, query: &DeviceQuery) -> Result<DeviceFacets> {
        let lookups = self.device_lookups()?;
        let plan = Plan::new(self, query)?;
        let (clause, params) = plan.where_clause(true);
        let text = format!(
            "SELECT d.token_id, d.profile_status, d.family, d.model, d.profile_uuid,
                    d.last_run_id, d.last_outcome
               FROM devices d WHERE {clause}"
        );
        let q = query;
        let profile_of = |uuid: &str| lookups.profiles.get(uuid).map(|p| p.id);

        let mut statuses = HashMap::new();
        let mut families = HashMap::new();
        let mut models = HashMap::new();
        let mut last_results = HashMap::new();
        let mut profiles: HashMap<Option<ProfileId>, u64> = HashMap::new();
        let mut tokens: HashMap<i64, u64> = HashMap::new();

        let mut stmt = self.conn.prepare_cached(&text)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        while let Some(r) = rows.next()? {
            let token: i64 = r.get(0)?;
            let status = text_of(r.get_ref(1)?);
            let family = text_of(r.get_ref(2)?);
            let model = text_of(r.get_ref(3)?);
            let profile = match r.get_ref(4)? {
                ValueRef::Text(_) => profile_of(text_of(r.get_ref(4)?)),
                _ => None,
            };
            let last_run: Option<i64> = r.get(5)?;
            let result = match (last_run, r.get_ref(6)?) {
                (None, _) => LAST_RESULT_NONE,
                (Some(_), ValueRef::Text(_)) => text_of(r.get_ref(6)?),
                (Some(_), _) => LAST_RESULT_PENDING,
            };
            // Which facet filters the row fails: counted in a facet only if it
            // fails no other facet's filter.
            let fails = [
                q.token.is_some_and(|t| t.get() != token),
                !q.statuses.is_empty() && !q.statuses.iter().any(|s| s.as_str() == status),
                !q.families.is_empty() && !q.families.iter().any(|f| f == family),
                !q.models.is_empty() && !q.models.iter().any(|m| m == model),
                match q.profile {
                    None => false,
                    Some(ProfileFilter::Profile(id)) => profile != Some(id),
                    Some(ProfileFilter::NoDepotProfile) => profile.is_some(),
                },
                q.last_result.as_deref().is_some_and(|want| want != result),
            ];
            let failed = fails.iter().filter(|f| **f).count();
            if failed > 1 {
                continue;
            }
            let counts = |dim: usize| failed == 0 || fails[dim];
            if counts(0) {
                *tokens.entry(token).or_default() += 1;
            }
            if counts(1) {
                bump(&mut statuses, status);
            }
            if counts(2) {
                bump(&mut families, family);
            }
            if counts(3) {
                bump(&mut models, model);
            }
            if counts(4) {
                *profiles.entry(profile).or_default() += 1;
            }
            if counts(5) {
                bump(&mut last_results, result);
            }
        }

        let mut model_counts = sorted_counts(models);
        let mut kept: Vec<FacetCount> = Vec::new();
        for (rank, facet) in model_counts.drain(..).enumerate() {
            if rank < MODEL_FACET_LIMIT || q.models.contains(&facet.value) {
                kept.push(facet);
            }
        }
        let names: HashMap<ProfileId, &str> = lookups
            .profiles
            .values()
            .map(|p| (p.id, p.name.as_str()))
            .collect();
        let mut profiles: Vec<ProfileFacet> = profiles
            .into_iter()
            .map(|(id, count)| ProfileFacet {
                profile_id: id,
                name: id.and_then(|id| names.get(&id).map(|n| (*n).to_owned())),
                count,
            })
            .collect();
        profiles.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.profile_id.cmp(&b.profile_id))
        });
        let mut tokens: Vec<TokenFacet> = tokens
            .into_iter()
            .map(|(id, count)| TokenFacet {
                token_id: TokenId::new(id),
                token_name: lookups.tokens.get(&id).cloned().unwrap_or_default(),
                count,
            })
            .collect();
        tokens.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.token_name.cmp(&b.token_name))
                .then_with(|| a.token_id.get().cmp(&b.token_id.get()))
        });
        Ok(DeviceFacets {
            statuses: sorted_counts(statuses),
            families: sorted_counts(families),
            models: kept,
            profiles,
            last_results: sorted_counts(last_results),
            tokens,
        })
    }

    /// Every matching row in the query's order, one at a time (the CSV export
    /// of DEV-7): rows are read from SQLite as `out` consumes them, never
    /// collected. An error from `out` stops the export and is returned.
    pub fn export_devices(
        &self,
        query: &DeviceQuery,
        out: &mut dyn FnMut(&DeviceListRow) -> Result<()>,
    ) -> Result<()> {
        self.snapshot(|| {
            let lookups = self.device_lookups()?;
            let plan = Plan::new(self, query)?;
            let (sql, params) = plan.select(self, None, None)?;
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query(params_from_iter(params))?;
            while let Some(r) = rows.next()? {
                out(&lookups.row(r)?)?;
            }
            Ok(())
        })
    }

    /// One device of one token, removed or not.
    pub fn device(&self, token: TokenId, serial: &SerialNumber) -> Result<Option<DeviceListRow>> {
        let lookups = self.device_lookups()?;
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices d WHERE d.token_id = ?1 AND d.serial = ?2"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![token.get(), serial], |r| lookups.row(r))
            .optional()?)
    }

    /// Every token's row for `serial` (removed ones too), by token.
    pub fn devices_by_serial(&self, serial: &SerialNumber) -> Result<Vec<DeviceListRow>> {
        let lookups = self.device_lookups()?;
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices d WHERE d.serial = ?1 ORDER BY d.token_id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map([serial], |r| lookups.row(r))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
