//! Alert snoozes and webhooks (migration 0019). A webhook's URL is sealed
//! in the vault: it is written and read only through
//! [`Db::set_webhook_secret`] and [`Db::webhook_secret`].

use depot_domain::UnixSeconds;
use rusqlite::{OptionalExtension, params};

use crate::{Db, Result};

/// An alert hidden for a while.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnoozeRow {
    pub key: String,
    /// The severity when it was snoozed (`info`, `warning`, `critical`).
    pub severity: String,
    pub until: UnixSeconds,
    pub by: String,
    pub at: UnixSeconds,
}

/// Where alerts are delivered (the URL stays sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub id: i64,
    pub name: String,
    /// `json`, `teams` or `slack`.
    pub format: String,
    /// The least severity delivered.
    pub min_severity: String,
    /// Scheme and host, for showing.
    pub url_hint: String,
    pub created_at: UnixSeconds,
    pub created_by: String,
    /// The last message it took.
    pub last_delivered_at: Option<UnixSeconds>,
    /// The first failed delivery since the last good one.
    pub failing_since: Option<UnixSeconds>,
    /// Why the last delivery failed.
    pub last_error: Option<String>,
}

const WEBHOOK_COLUMNS: &str = "id, name, format, min_severity, url_hint, created_at, created_by,
    last_delivered_at, failing_since, last_error";

fn webhook_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<WebhookRow> {
    Ok(WebhookRow {
        id: r.get(0)?,
        name: r.get(1)?,
        format: r.get(2)?,
        min_severity: r.get(3)?,
        url_hint: r.get(4)?,
        created_at: r.get(5)?,
        created_by: r.get(6)?,
        last_delivered_at: r.get(7)?,
        failing_since: r.get(8)?,
        last_error: r.get(9)?,
    })
}

impl Db {
    /// Every snooze, also the ones that ended (see [`Db::drop_snoozes_before`]).
    pub fn snoozes(&self) -> Result<Vec<SnoozeRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, severity, until, by, at FROM alert_snoozes ORDER BY key",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SnoozeRow {
                    key: r.get(0)?,
                    severity: r.get(1)?,
                    until: r.get(2)?,
                    by: r.get(3)?,
                    at: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn put_snooze(&self, row: &SnoozeRow) -> Result<()> {
        self.conn.execute(
            "INSERT INTO alert_snoozes (key, severity, until, by, at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (key) DO UPDATE SET severity = ?2, until = ?3, by = ?4, at = ?5",
            params![row.key, row.severity, row.until, row.by, row.at],
        )?;
        Ok(())
    }

    /// Whether there was a snooze to remove.
    pub fn delete_snooze(&self, key: &str) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM alert_snoozes WHERE key = ?1", [key])?
            > 0)
    }

    pub fn insert_webhook(
        &self,
        name: &str,
        format: &str,
        min_severity: &str,
        url_hint: &str,
        now: UnixSeconds,
        by: &str,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO webhooks (name, format, min_severity, url_hint, secret, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, x'', ?5, ?6)",
            params![name, format, min_severity, url_hint, now, by],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn set_webhook_secret(&self, id: i64, sealed: &[u8]) -> Result<()> {
        self.conn.execute(
            "UPDATE webhooks SET secret = ?2 WHERE id = ?1",
            params![id, sealed],
        )?;
        Ok(())
    }

    pub fn webhook_secret(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row("SELECT secret FROM webhooks WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Every webhook, by name.
    pub fn webhooks(&self) -> Result<Vec<WebhookRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY name COLLATE NOCASE, id"
        ))?;
        let rows = stmt
            .query_map([], webhook_from)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The webhook named `name` (any case), or with id `name`.
    pub fn webhook(&self, name: &str) -> Result<Option<WebhookRow>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {WEBHOOK_COLUMNS} FROM webhooks
                      WHERE name = ?1 COLLATE NOCASE OR CAST(id AS TEXT) = ?1
                      ORDER BY name = ?1 COLLATE NOCASE DESC LIMIT 1"
                ),
                [name],
                webhook_from,
            )
            .optional()?)
    }

    pub fn delete_webhook(&self, id: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM webhooks WHERE id = ?1", [id])?;
        Ok(())
    }

    /// What webhook `id` was last told: alert key → severity.
    pub fn webhook_state(&self, id: i64) -> Result<std::collections::BTreeMap<String, String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT alert_key, severity FROM webhook_state WHERE webhook_id = ?1",
        )?;
        let rows = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// How a delivery to webhook `id` went at `now`: `None` delivered, else why not.
    pub fn record_webhook_outcome(
        &self,
        id: i64,
        now: UnixSeconds,
        error: Option<&str>,
    ) -> Result<()> {
        match error {
            None => self.conn.execute(
                "UPDATE webhooks SET last_delivered_at = ?2, failing_since = NULL,
                    last_error = NULL WHERE id = ?1",
                params![id, now],
            )?,
            Some(e) => self.conn.execute(
                "UPDATE webhooks SET failing_since = COALESCE(failing_since, ?2),
                    last_error = ?3 WHERE id = ?1",
                params![id, now, e],
            )?,
        };
        Ok(())
    }

    /// Webhook `id` was told that alert `key` is at `severity` (`None`: it cleared).
    pub fn set_webhook_state(
        &self,
        id: i64,
        key: &str,
        severity: Option<&str>,
        now: UnixSeconds,
    ) -> Result<()> {
        match severity {
            Some(severity) => self.conn.execute(
                "INSERT INTO webhook_state (webhook_id, alert_key, severity, delivered_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (webhook_id, alert_key) DO UPDATE SET severity = ?3, delivered_at = ?4",
                params![id, key, severity, now],
            )?,
            None => self.conn.execute(
                "DELETE FROM webhook_state WHERE webhook_id = ?1 AND alert_key = ?2",
                params![id, key],
            )?,
        };
        Ok(())
    }
}
