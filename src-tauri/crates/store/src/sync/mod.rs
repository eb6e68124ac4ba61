//! Devices and the sync state machine's tables (`devices`, `sync_state`,
//! `sync_runs`). The engine in `core` decides; this module only stores.

use depot_domain::{SerialNumber, SyncRunId, TokenId, UnixSeconds};
use rusqlite::{OptionalExtension, params};

pub use depot_domain::records::{DeviceEventRow, SyncRunRow};

use crate::{Db, Result};

mod apply;
mod identifiers;

/// Runs kept per token (SYN-6).
pub const SYNC_HISTORY_KEPT: i64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Fetch,
    Sync,
}

/// A token's row in `sync_state` (defaults when it has never synced).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncState {
    pub phase: Option<Phase>,
    pub cursor: Option<String>,
    pub cursor_at: Option<UnixSeconds>,
    pub fetch_run: Option<SyncRunId>,
    pub last_full_at: Option<UnixSeconds>,
    pub last_success_at: Option<UnixSeconds>,
    pub last_manual_at: Option<UnixSeconds>,
    pub last_error_code: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<UnixSeconds>,
}

/// Counts from applying one page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
}

impl Db {
    pub fn sync_state(&self, token: TokenId) -> Result<SyncState> {
        let row = self
            .conn
            .query_row(
                "SELECT phase, cursor, cursor_at, fetch_run, last_full_at, last_success_at,
                        last_manual_at, last_error_code, last_error, last_error_at
                 FROM sync_state WHERE token_id = ?1",
                [token.get()],
                |r| {
                    let phase: String = r.get(0)?;
                    Ok(SyncState {
                        phase: Some(if phase == "sync" {
                            Phase::Sync
                        } else {
                            Phase::Fetch
                        }),
                        cursor: r.get(1)?,
                        cursor_at: r.get(2)?,
                        fetch_run: r.get(3)?,
                        last_full_at: r.get(4)?,
                        last_success_at: r.get(5)?,
                        last_manual_at: r.get(6)?,
                        last_error_code: r.get(7)?,
                        last_error: r.get(8)?,
                        last_error_at: r.get(9)?,
                    })
                },
            )
            .optional()?;
        Ok(row.unwrap_or_default())
    }

    fn ensure_sync_state(&self, token: TokenId) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sync_state (token_id) VALUES (?1) ON CONFLICT (token_id) DO NOTHING",
            [token.get()],
        )?;
        Ok(())
    }

    /// Starts a new full fetch for `run`: no cursor, phase `fetch`.
    pub fn begin_full_fetch(&self, token: TokenId, run: SyncRunId) -> Result<()> {
        self.ensure_sync_state(token)?;
        self.conn.execute(
            "UPDATE sync_state SET phase = 'fetch', cursor = NULL, cursor_at = NULL, fetch_run = ?2
             WHERE token_id = ?1",
            params![token.get(), run],
        )?;
        Ok(())
    }

    /// Stores the cursor that follows a committed page, and when Apple issued it
    /// (its age decides whether Apple still accepts it).
    pub fn set_cursor(&self, token: TokenId, cursor: &str, now: UnixSeconds) -> Result<()> {
        self.ensure_sync_state(token)?;
        self.conn.execute(
            "UPDATE sync_state SET cursor = ?2, cursor_at = ?3 WHERE token_id = ?1",
            params![token.get(), cursor, now],
        )?;
        Ok(())
    }

    /// The full fetch finished: devices it did not list are marked removed,
    /// the devices it added get their identifier search rows, and the state
    /// moves to delta sync. Returns how many were removed.
    pub fn complete_full_fetch(
        &self,
        token: TokenId,
        run: SyncRunId,
        now: UnixSeconds,
    ) -> Result<u64> {
        self.conn.execute(
            "INSERT INTO device_events (device, at, kind, detail)
             SELECT rowid, ?3, 'removed', 'unlisted' FROM devices
              WHERE token_id = ?1 AND removed_at IS NULL AND (seen_run IS NULL OR seen_run <> ?2)
              ORDER BY rowid",
            params![token.get(), run, now],
        )?;
        let removed = self.conn.execute(
            "UPDATE devices SET removed_at = ?3, updated_at = ?3
             WHERE token_id = ?1 AND removed_at IS NULL AND (seen_run IS NULL OR seen_run <> ?2)",
            params![token.get(), run, now],
        )?;
        self.index_pending_identifiers(token)?;
        self.conn.execute(
            "UPDATE sync_state SET phase = 'sync', fetch_run = NULL, last_full_at = ?2 WHERE token_id = ?1",
            params![token.get(), now],
        )?;
        Ok(removed as u64)
    }

    /// The sync events of `serial` on `token`, newest first.
    pub fn device_events(
        &self,
        token: TokenId,
        serial: &SerialNumber,
        limit: usize,
    ) -> Result<Vec<DeviceEventRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, op_date, kind, detail FROM device_events
              WHERE device = (SELECT rowid FROM devices WHERE token_id = ?1 AND serial = ?2)
              ORDER BY id DESC LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(
                params![
                    token.get(),
                    serial,
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |r| {
                    Ok(DeviceEventRow {
                        at: r.get(0)?,
                        op_date: r.get(1)?,
                        kind: r.get(2)?,
                        detail: r.get(3)?,
                    })
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Active devices of `token` that became its own at or after `since` and
    /// hold no profile (`empty` / `removed`): candidates for the default
    /// profile of their platform. (serial, Apple's device family), by serial.
    pub fn new_devices_without_profile(
        &self,
        token: TokenId,
        since: UnixSeconds,
    ) -> Result<Vec<(SerialNumber, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT serial, family FROM devices
             WHERE token_id = ?1 AND removed_at IS NULL AND added_at >= ?2
               AND profile_uuid IS NULL AND profile_status IN ('empty', 'removed', '')
             ORDER BY serial",
        )?;
        let rows = stmt
            .query_map(params![token.get(), since], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<(SerialNumber, String)>>>()?;
        Ok(rows)
    }

    /// When the device became the token's, Apple's date of its last change,
    /// and Depot's last write of it.
    pub fn device_sync_facts(
        &self,
        token: TokenId,
        serial: &SerialNumber,
    ) -> Result<(
        Option<UnixSeconds>,
        Option<UnixSeconds>,
        Option<UnixSeconds>,
    )> {
        Ok(self
            .conn
            .query_row(
                "SELECT added_at, op_date, updated_at FROM devices WHERE token_id = ?1 AND serial = ?2",
                params![token.get(), serial],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .unwrap_or((None, None, None)))
    }

    /// Devices of `token` Apple currently assigns to it.
    pub fn active_device_count(&self, token: TokenId) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM devices WHERE token_id = ?1 AND removed_at IS NULL",
            [token.get()],
            |r| r.get(0),
        )?;
        Ok(n.unsigned_abs())
    }

    /// Every active serial of `token`, sorted (tests, reconciliation).
    pub fn active_serials(&self, token: TokenId) -> Result<Vec<SerialNumber>> {
        let mut stmt = self.conn.prepare(
            "SELECT serial FROM devices WHERE token_id = ?1 AND removed_at IS NULL ORDER BY serial",
        )?;
        let rows = stmt.query_map([token.get()], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes devices removed more than `age` seconds before `now` (SYN-3).
    pub fn purge_removed_devices(&self, token: TokenId, older_than: UnixSeconds) -> Result<u64> {
        let n = self.conn.execute(
            "DELETE FROM devices WHERE token_id = ?1 AND removed_at IS NOT NULL AND removed_at < ?2",
            params![token.get(), older_than],
        )?;
        Ok(n as u64)
    }

    pub fn record_sync_success(&self, token: TokenId, now: UnixSeconds) -> Result<()> {
        self.ensure_sync_state(token)?;
        self.conn.execute(
            "UPDATE sync_state SET last_success_at = ?2, last_error_code = NULL, last_error = NULL,
                    last_error_at = NULL WHERE token_id = ?1",
            params![token.get(), now],
        )?;
        Ok(())
    }

    pub fn record_sync_error(
        &self,
        token: TokenId,
        code: &str,
        message: &str,
        now: UnixSeconds,
    ) -> Result<()> {
        self.ensure_sync_state(token)?;
        self.conn.execute(
            "UPDATE sync_state SET last_error_code = ?2, last_error = ?3, last_error_at = ?4 WHERE token_id = ?1",
            params![token.get(), code, message, now],
        )?;
        Ok(())
    }

    pub fn record_manual_sync(&self, token: TokenId, now: UnixSeconds) -> Result<()> {
        self.ensure_sync_state(token)?;
        self.conn.execute(
            "UPDATE sync_state SET last_manual_at = ?2 WHERE token_id = ?1",
            params![token.get(), now],
        )?;
        Ok(())
    }

    pub fn insert_sync_run(
        &self,
        token: TokenId,
        kind: &str,
        trigger: &str,
        now: UnixSeconds,
    ) -> Result<SyncRunId> {
        self.conn.execute(
            "INSERT INTO sync_runs (token_id, kind, trigger, started_at) VALUES (?1, ?2, ?3, ?4)",
            params![token.get(), kind, trigger, now],
        )?;
        let id = SyncRunId::new(self.conn.last_insert_rowid());
        // Keep the newest runs only.
        self.conn.execute(
            "DELETE FROM sync_runs WHERE token_id = ?1 AND id NOT IN
                 (SELECT id FROM sync_runs WHERE token_id = ?1 ORDER BY id DESC LIMIT ?2)",
            params![token.get(), SYNC_HISTORY_KEPT],
        )?;
        Ok(id)
    }

    pub fn set_sync_run_kind(&self, run: SyncRunId, kind: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_runs SET kind = ?2 WHERE id = ?1",
            params![run, kind],
        )?;
        Ok(())
    }

    pub fn add_to_sync_run(&self, run: SyncRunId, pages: u32, applied: Applied) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_runs SET pages = pages + ?2, added = added + ?3, modified = modified + ?4,
                    removed = removed + ?5 WHERE id = ?1",
            params![
                run,
                pages,
                applied.added as i64,
                applied.modified as i64,
                applied.removed as i64
            ],
        )?;
        Ok(())
    }

    pub fn finish_sync_run(
        &self,
        run: SyncRunId,
        result: &str,
        error_code: Option<&str>,
        error: Option<&str>,
        now: UnixSeconds,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_runs SET result = ?2, error_code = ?3, error = ?4, finished_at = ?5 WHERE id = ?1",
            params![run, result, error_code, error, now],
        )?;
        Ok(())
    }

    /// Runs left `running` by a process that died: they ended, without a result.
    pub fn close_abandoned_runs(&self, token: TokenId, now: UnixSeconds) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_runs SET result = 'failed', error_code = 'INTERRUPTED',
                    error = 'Depot stopped during this sync; the next sync resumed it', finished_at = ?2
             WHERE token_id = ?1 AND result = 'running'",
            params![token.get(), now],
        )?;
        Ok(())
    }

    pub fn sync_runs(&self, token: TokenId) -> Result<Vec<SyncRunRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, token_id, kind, trigger, started_at, finished_at, result, pages, added,
                    modified, removed, error_code, error
             FROM sync_runs WHERE token_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![token.get(), SYNC_HISTORY_KEPT], |r| {
            Ok(SyncRunRow {
                id: r.get(0)?,
                token_id: TokenId::new(r.get(1)?),
                kind: r.get(2)?,
                trigger: r.get(3)?,
                started_at: r.get(4)?,
                finished_at: r.get(5)?,
                result: r.get(6)?,
                pages: r.get(7)?,
                added: r.get::<_, i64>(8)?.unsigned_abs(),
                modified: r.get::<_, i64>(9)?.unsigned_abs(),
                removed: r.get::<_, i64>(10)?.unsigned_abs(),
                error_code: r.get(11)?,
                error: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use depot_domain::{
        DeviceChange, DeviceFacts, DeviceFamily, DeviceOp, DeviceRecord, ProfileStatus,
        SerialNumber,
    };

    use super::*;
    use crate::Workspace;
    use crate::tokens::{Environment, NewToken, TokenFacts};

    fn token(db: &Db) -> TokenId {
        db.insert_token(&NewToken {
            facts: TokenFacts {
                server_name: "s",
                server_uuid: "u",
                org_name: "o",
                org_id: None,
                org_type: None,
                admin_id: None,
                expires_at: UnixSeconds::new(1),
            },
            apple_id: "a@b.example",
            apple_url: "https://x",
            environment: Environment::Apple,
            scope_tags: &[],
            key_fingerprint: "",
            created_at: UnixSeconds::new(1),
        })
        .unwrap()
    }

    fn change(serial: &str, op: DeviceOp, at: i64) -> DeviceChange {
        DeviceChange {
            op,
            op_date: Some(at),
            record: DeviceRecord {
                serial: SerialNumber::parse(serial).unwrap(),
                model: "iPad Air".into(),
                description: String::new(),
                color: "BLUE".into(),
                asset_tag: None,
                os: Some("iPadOS".into()),
                family: DeviceFamily::IPad,
                profile_status: ProfileStatus::Empty,
                profile_uuid: None,
                profile_assign_time: None,
                profile_push_time: None,
                assigned_at: Some(at),
                assigned_by: None,
                facts: DeviceFacts::default(),
            },
        }
    }

    #[test]
    fn modified_for_an_unknown_serial_is_an_addition() {
        // A device moved in from another MDM server may arrive as `modified` only.
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        let t = token(&db);
        let applied = db
            .apply_device_changes(
                t,
                &[change("MOVED00001", DeviceOp::Modified, 10)],
                None,
                UnixSeconds::new(10),
            )
            .unwrap();
        assert_eq!(
            applied,
            Applied {
                added: 1,
                modified: 0,
                removed: 0
            }
        );
        assert_eq!(db.active_serials(t).unwrap(), ["MOVED00001"]);
    }

    #[test]
    fn an_older_record_does_not_overwrite_a_newer_one() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        let t = token(&db);
        db.apply_device_changes(
            t,
            &[change("DEV0000001", DeviceOp::Added, 50)],
            None,
            UnixSeconds::new(50),
        )
        .unwrap();
        let stale = db
            .apply_device_changes(
                t,
                &[change("DEV0000001", DeviceOp::Deleted, 40)],
                None,
                UnixSeconds::new(60),
            )
            .unwrap();
        assert_eq!(stale, Applied::default());
        assert_eq!(db.active_device_count(t).unwrap(), 1);
        let newer = db
            .apply_device_changes(
                t,
                &[change("DEV0000001", DeviceOp::Deleted, 70)],
                None,
                UnixSeconds::new(70),
            )
            .unwrap();
        assert_eq!(newer.removed, 1);
        assert_eq!(db.active_device_count(t).unwrap(), 0);
        // A delete for a serial Depot never had changes nothing.
        let unknown = db
            .apply_device_changes(
                t,
                &[change("NEVER00001", DeviceOp::Deleted, 80)],
                None,
                UnixSeconds::new(80),
            )
            .unwrap();
        assert_eq!(unknown, Applied::default());
        // Back again after removal: counted as added.
        let back = db
            .apply_device_changes(
                t,
                &[change("DEV0000001", DeviceOp::Added, 90)],
                None,
                UnixSeconds::new(90),
            )
            .unwrap();
        assert_eq!(back.added, 1);
    }

    #[test]
    fn each_sync_change_of_a_device_is_an_event() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        let t = token(&db);
        let kinds = |db: &Db, serial: &str| -> Vec<(String, Option<String>)> {
            db.device_events(t, &SerialNumber::parse(serial).unwrap(), 10)
                .unwrap()
                .into_iter()
                .map(|e| (e.kind, e.detail))
                .collect()
        };
        db.apply_device_changes(
            t,
            &[
                change("EVT0000001", DeviceOp::Listed, 10),
                change("EVT0000002", DeviceOp::Listed, 10),
            ],
            Some(SyncRunId::new(1)),
            UnixSeconds::new(100),
        )
        .unwrap();
        assert_eq!(kinds(&db, "EVT0000001"), [("added".to_owned(), None)]);
        let added = &db
            .device_events(t, &SerialNumber::parse("EVT0000001").unwrap(), 10)
            .unwrap()[0];
        assert_eq!(
            (added.at.get(), added.op_date.map(UnixSeconds::get)),
            (100, Some(10))
        );

        // Re-listed unchanged: nothing happened to it.
        db.apply_device_changes(
            t,
            &[change("EVT0000001", DeviceOp::Listed, 10)],
            Some(SyncRunId::new(2)),
            UnixSeconds::new(110),
        )
        .unwrap();
        assert_eq!(kinds(&db, "EVT0000001").len(), 1);

        // Apple changes fields: the event names them, before and after.
        let mut moved = change("EVT0000001", DeviceOp::Modified, 20);
        moved.record.color = "SILVER".into();
        moved.record.profile_status = ProfileStatus::Assigned;
        db.apply_device_changes(t, &[moved], None, UnixSeconds::new(120))
            .unwrap();
        let events = kinds(&db, "EVT0000001");
        assert_eq!(events[0].0, "modified");
        let fields: Vec<serde_json::Value> =
            serde_json::from_str(events[0].1.as_deref().unwrap()).unwrap();
        assert_eq!(
            fields,
            [
                serde_json::json!({"field": "profile_status", "before": "empty", "after": "assigned"}),
                serde_json::json!({"field": "color", "before": "BLUE", "after": "SILVER"}),
                serde_json::json!({"field": "assigned_at", "before": 10, "after": 20}),
            ]
        );

        // Released, back again, then missing from a completed full fetch.
        db.apply_device_changes(
            t,
            &[change("EVT0000001", DeviceOp::Deleted, 30)],
            None,
            UnixSeconds::new(130),
        )
        .unwrap();
        db.apply_device_changes(
            t,
            &[change("EVT0000001", DeviceOp::Added, 40)],
            None,
            UnixSeconds::new(140),
        )
        .unwrap();
        db.begin_full_fetch(t, SyncRunId::new(3)).unwrap();
        db.apply_device_changes(
            t,
            &[change("EVT0000002", DeviceOp::Listed, 10)],
            Some(SyncRunId::new(3)),
            UnixSeconds::new(150),
        )
        .unwrap();
        assert_eq!(
            db.complete_full_fetch(t, SyncRunId::new(3), UnixSeconds::new(160))
                .unwrap(),
            1
        );
        let events = kinds(&db, "EVT0000001");
        let names: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            names,
            ["removed", "returned", "removed", "modified", "added"]
        );
        assert_eq!(events[0].1.as_deref(), Some("unlisted"));
        assert_eq!(events[2].1.as_deref(), Some("released"));
        assert_eq!(kinds(&db, "EVT0000002"), [("added".to_owned(), None)]);

        // Purged with the device: a reused rowid starts with no history.
        assert_eq!(
            db.purge_removed_devices(t, UnixSeconds::new(1_000))
                .unwrap(),
            1
        );
        let left: i64 = db
            .conn
            .query_row("SELECT COUNT(*) FROM device_events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 1, "only EVT0000002's arrival is left");
    }

    #[test]
    fn a_refetch_of_unchanged_devices_counts_no_modifications() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        let t = token(&db);
        let page = [
            change("AAAA000001", DeviceOp::Listed, 5),
            change("AAAA000002", DeviceOp::Listed, 6),
        ];
        assert_eq!(
            db.apply_device_changes(t, &page, Some(SyncRunId::new(1)), UnixSeconds::new(10))
                .unwrap()
                .added,
            2
        );
        assert_eq!(
            db.apply_device_changes(t, &page, Some(SyncRunId::new(2)), UnixSeconds::new(20))
                .unwrap(),
            Applied::default()
        );
        assert_eq!(
            db.complete_full_fetch(t, SyncRunId::new(2), UnixSeconds::new(20))
                .unwrap(),
            0
        );
        let history = db
            .insert_sync_run(t, "full", "manual", UnixSeconds::new(1))
            .unwrap();
        for _ in 0..SYNC_HISTORY_KEPT + 5 {
            db.insert_sync_run(t, "delta", "automatic", UnixSeconds::new(2))
                .unwrap();
        }
        let runs = db.sync_runs(t).unwrap();
        assert_eq!(runs.len() as i64, SYNC_HISTORY_KEPT);
        assert!(
            runs.iter().all(|r| r.id != history),
            "the oldest runs are dropped"
        );
    }
}
