//! Apple Business/School Manager API accounts, their MDM servers, the
//! devices the organisation owns and the activities Depot started
//! (migration 0020). The sealed private key is written and read only through
//! [`Db::set_org_secret`] and [`Db::org_secret`].

use depot_domain::{TokenId, UnixSeconds};
use rusqlite::{OptionalExtension, Row, params};

use crate::{Db, Result};

pub use depot_domain::orgs::{OrgAccountRow, OrgActivityRow, OrgDeviceRow, OrgServerRow};

/// Filters of the organisation's device list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgDeviceQuery {
    pub account_id: Option<i64>,
    /// `ASSIGNED` / `UNASSIGNED`.
    pub status: Option<String>,
    pub server_id: Option<String>,
    /// Part of the serial, model, order number or colour (any case).
    pub search: Option<String>,
    pub limit: Option<u32>,
}

const ACCOUNT_COLUMNS: &str =
    "id, name, kind, client_id, key_id, api_url, last_sync_at, last_error, created_at,
    last_attempt_at, failing_since";

fn account_from(r: &Row<'_>) -> rusqlite::Result<OrgAccountRow> {
    Ok(OrgAccountRow {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        client_id: r.get(3)?,
        key_id: r.get(4)?,
        api_url: r.get(5)?,
        last_sync_at: r.get(6)?,
        last_error: r.get(7)?,
        created_at: r.get(8)?,
        last_attempt_at: r.get(9)?,
        failing_since: r.get(10)?,
    })
}

const DEVICE_COLUMNS: &str =
    "account_id, serial, status, server_id, model, family, color, capacity,
    part_number, order_number, ordered_at, purchase_source_type, purchase_source_id, added_at,
    updated_at, released_at";

fn device_from(r: &Row<'_>) -> rusqlite::Result<OrgDeviceRow> {
    Ok(OrgDeviceRow {
        account_id: r.get(0)?,
        serial: r.get(1)?,
        status: r.get(2)?,
        server_id: r.get(3)?,
        model: r.get(4)?,
        family: r.get(5)?,
        color: r.get(6)?,
        capacity: r.get(7)?,
        part_number: r.get(8)?,
        order_number: r.get(9)?,
        ordered_at: r.get(10)?,
        purchase_source_type: r.get(11)?,
        purchase_source_id: r.get(12)?,
        added_at: r.get(13)?,
        updated_at: r.get(14)?,
        released_at: r.get(15)?,
    })
}

const ACTIVITY_COLUMNS: &str = "id, account_id, kind, server_id, server_name, serials, status,
    sub_status, results, error, operator, created_at, finished_at, token_synced";

fn activity_from(r: &Row<'_>) -> rusqlite::Result<OrgActivityRow> {
    Ok(OrgActivityRow {
        id: r.get(0)?,
        account_id: r.get(1)?,
        kind: r.get(2)?,
        server_id: r.get(3)?,
        server_name: r.get(4)?,
        serials: r.get(5)?,
        status: r.get(6)?,
        sub_status: r.get(7)?,
        results: r.get(8)?,
        error: r.get(9)?,
        operator: r.get(10)?,
        created_at: r.get(11)?,
        finished_at: r.get(12)?,
        token_synced: r.get(13)?,
    })
}

impl Db {
    #[allow(clippy::too_many_arguments)]
    pub fn insert_org_account(
        &self,
        name: &str,
        kind: &str,
        client_id: &str,
        key_id: &str,
        api_url: &str,
        now: UnixSeconds,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO org_accounts (name, kind, client_id, key_id, api_url, secret, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, x'', ?6)",
            params![name, kind, client_id, key_id, api_url, now],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn set_org_secret(&self, id: i64, sealed: &[u8]) -> Result<()> {
        self.conn.execute(
            "UPDATE org_accounts SET secret = ?2 WHERE id = ?1",
            params![id, sealed],
        )?;
        Ok(())
    }

    pub fn org_secret(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row("SELECT secret FROM org_accounts WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn org_accounts(&self) -> Result<Vec<OrgAccountRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM org_accounts ORDER BY name COLLATE NOCASE, id"
        ))?;
        let rows = stmt
            .query_map([], account_from)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The account named `name` (any case), with client id or id `name`.
    pub fn org_account(&self, name: &str) -> Result<Option<OrgAccountRow>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM org_accounts
                      WHERE name = ?1 COLLATE NOCASE OR client_id = ?1 OR CAST(id AS TEXT) = ?1
                      ORDER BY name = ?1 COLLATE NOCASE DESC LIMIT 1"
                ),
                [name],
                account_from,
            )
            .optional()?)
    }

    pub fn delete_org_account(&self, id: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM org_accounts WHERE id = ?1", [id])?;
        Ok(())
    }

    pub fn record_org_sync(&self, id: i64, at: UnixSeconds, error: Option<&str>) -> Result<()> {
        match error {
            None => self.conn.execute(
                "UPDATE org_accounts SET last_sync_at = ?2, last_attempt_at = ?2,
                    last_error = NULL, failing_since = NULL WHERE id = ?1",
                params![id, at],
            )?,
            Some(e) => self.conn.execute(
                "UPDATE org_accounts SET last_error = ?2, last_attempt_at = ?3,
                    failing_since = COALESCE(failing_since, ?3) WHERE id = ?1",
                params![id, e, at],
            )?,
        };
        Ok(())
    }

    /// Replaces the account's MDM servers.
    pub fn replace_org_servers(&self, account: i64, servers: &[OrgServerRow]) -> Result<()> {
        self.conn
            .execute("DELETE FROM org_servers WHERE account_id = ?1", [account])?;
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO org_servers (account_id, id, name, server_type, token_id, devices)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for s in servers {
            stmt.execute(params![
                account,
                s.id,
                s.name,
                s.server_type,
                s.token_id.map(TokenId::get),
                i64::try_from(s.devices).unwrap_or(i64::MAX)
            ])?;
        }
        Ok(())
    }

    pub fn org_servers(&self, account: Option<i64>) -> Result<Vec<OrgServerRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT account_id, id, name, server_type, token_id, devices FROM org_servers
              WHERE ?1 IS NULL OR account_id = ?1 ORDER BY name COLLATE NOCASE, id",
        )?;
        let rows = stmt
            .query_map([account], |r| {
                Ok(OrgServerRow {
                    account_id: r.get(0)?,
                    id: r.get(1)?,
                    name: r.get(2)?,
                    server_type: r.get(3)?,
                    token_id: r.get::<_, Option<i64>>(4)?.map(TokenId::new),
                    devices: r.get::<_, i64>(5)?.unsigned_abs(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Replaces the account's devices (one transaction by the caller).
    pub fn replace_org_devices(&self, account: i64, devices: &[OrgDeviceRow]) -> Result<()> {
        self.conn
            .execute("DELETE FROM org_devices WHERE account_id = ?1", [account])?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "INSERT OR REPLACE INTO org_devices ({DEVICE_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        ))?;
        for d in devices {
            stmt.execute(params![
                account,
                d.serial,
                d.status,
                d.server_id,
                d.model,
                d.family,
                d.color,
                d.capacity,
                d.part_number,
                d.order_number,
                d.ordered_at,
                d.purchase_source_type,
                d.purchase_source_id,
                d.added_at,
                d.updated_at,
                d.released_at
            ])?;
        }
        Ok(())
    }

    /// After an activity: these serials are now on `server` (`None`: unassigned).
    pub fn move_org_devices(
        &self,
        account: i64,
        serials: &[String],
        server: Option<&str>,
        now: UnixSeconds,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE org_devices SET server_id = ?3, status = ?4, updated_at = ?5
              WHERE account_id = ?1 AND serial = ?2",
        )?;
        let status = if server.is_some() {
            "ASSIGNED"
        } else {
            "UNASSIGNED"
        };
        for s in serials {
            stmt.execute(params![account, s, server, status, now])?;
        }
        Ok(())
    }

    /// The organisation's devices matching `query`, by serial.
    pub fn org_devices(&self, query: &OrgDeviceQuery) -> Result<Vec<OrgDeviceRow>> {
        let search = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                format!(
                    "%{}%",
                    s.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DEVICE_COLUMNS} FROM org_devices
              WHERE (?1 IS NULL OR account_id = ?1)
                AND (?2 IS NULL OR status = ?2)
                AND (?3 IS NULL OR server_id = ?3)
                AND (?4 IS NULL OR serial LIKE ?4 ESCAPE '\\' OR model LIKE ?4 ESCAPE '\\'
                     OR order_number LIKE ?4 ESCAPE '\\' OR color LIKE ?4 ESCAPE '\\'
                     OR family LIKE ?4 ESCAPE '\\')
              ORDER BY serial, account_id LIMIT ?5"
        ))?;
        let rows = stmt
            .query_map(
                params![
                    query.account_id,
                    query.status,
                    query.server_id,
                    search,
                    query.limit.map_or(-1, i64::from)
                ],
                device_from,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn org_device(&self, serial: &str) -> Result<Option<OrgDeviceRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {DEVICE_COLUMNS} FROM org_devices WHERE serial = ?1 LIMIT 1"),
                [serial],
                device_from,
            )
            .optional()?)
    }

    pub fn insert_org_activity(&self, row: &OrgActivityRow) -> Result<()> {
        self.conn.execute(
            &format!(
                "INSERT INTO org_activities ({ACTIVITY_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
            ),
            params![
                row.id,
                row.account_id,
                row.kind,
                row.server_id,
                row.server_name,
                row.serials,
                row.status,
                row.sub_status,
                row.results,
                row.error,
                row.operator,
                row.created_at,
                row.finished_at,
                row.token_synced
            ],
        )?;
        Ok(())
    }

    pub fn update_org_activity(&self, row: &OrgActivityRow) -> Result<()> {
        self.conn.execute(
            "UPDATE org_activities SET status = ?2, sub_status = ?3, results = ?4, error = ?5,
                    finished_at = ?6, token_synced = ?7 WHERE id = ?1",
            params![
                row.id,
                row.status,
                row.sub_status,
                row.results,
                row.error,
                row.finished_at,
                row.token_synced
            ],
        )?;
        Ok(())
    }

    pub fn org_activity(&self, id: &str) -> Result<Option<OrgActivityRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {ACTIVITY_COLUMNS} FROM org_activities WHERE id = ?1"),
                [id],
                activity_from,
            )
            .optional()?)
    }

    /// The newest activities first.
    pub fn org_activities(&self, limit: u32) -> Result<Vec<OrgActivityRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ACTIVITY_COLUMNS} FROM org_activities ORDER BY created_at DESC, id LIMIT ?1"
        ))?;
        let rows = stmt
            .query_map([limit], activity_from)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
