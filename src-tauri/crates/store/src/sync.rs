//! Devices and the sync state machine's tables (`devices`, `sync_state`,
//! `sync_runs`). The engine in `core` decides; this module only stores.

use depot_domain::device::identifier_key;
use depot_domain::{DeviceChange, DeviceFacts, DeviceOp, DeviceRecord, TokenId};
use rusqlite::{OptionalExtension, params};

use crate::{Db, Result};

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
    pub cursor_at: Option<i64>,
    pub fetch_run: Option<i64>,
    pub last_full_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_manual_at: Option<i64>,
    pub last_error_code: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
}

/// Counts from applying one page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
}

/// One thing a sync did to a device (DEV-6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEventRow {
    /// When Depot applied it.
    pub at: i64,
    /// Apple's time of the change.
    pub op_date: Option<i64>,
    /// `added`, `modified`, `removed` or `returned`.
    pub kind: String,
    /// `modified`: a JSON list of `{"field", "before", "after"}`; `removed`:
    /// `released` (Apple said so) or `unlisted` (missing from a full fetch).
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRunRow {
    pub id: i64,
    pub token_id: TokenId,
    pub kind: String,
    pub trigger: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub result: String,
    pub pages: u32,
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    pub error_code: Option<String>,
    pub error: Option<String>,
}

/// The stored facts a page is compared with.
struct Stored {
    rowid: i64,
    removed_at: Option<i64>,
    op_date: Option<i64>,
    profile_status: String,
    profile_uuid: Option<String>,
    model: String,
    color: String,
    os: Option<String>,
    description: String,
    asset_tag: Option<String>,
    family: String,
    profile_assign_time: Option<i64>,
    profile_push_time: Option<i64>,
    assigned_at: Option<i64>,
    assigned_by: Option<String>,
    facts: StoredFacts,
}

/// The protocol-10 columns of a stored device (lists as their JSON text).
#[derive(Debug, Default, PartialEq, Eq)]
struct StoredFacts {
    imei: Option<String>,
    meid: Option<String>,
    eid: Option<String>,
    wifi_mac: Option<String>,
    bluetooth_mac: Option<String>,
    ethernet_mac: Option<String>,
    is_replacement: Option<bool>,
}

/// A list column: its JSON text, `None` for an empty list.
fn json_list(list: &[String]) -> Option<String> {
    (!list.is_empty()).then(|| serde_json::Value::from(list).to_string())
}

impl StoredFacts {
    /// The columns as `facts` fills them.
    fn of(facts: &DeviceFacts) -> Self {
        Self {
            imei: json_list(&facts.imei),
            meid: json_list(&facts.meid),
            eid: facts.eid.clone(),
            wifi_mac: facts.wifi_mac.clone(),
            bluetooth_mac: facts.bluetooth_mac.clone(),
            ethernet_mac: facts.ethernet_mac.clone(),
            is_replacement: facts.is_replacement,
        }
    }

    /// Whether Depot ever stored facts for the device (rows synced before
    /// protocol-10 support have none: their first facts are no change).
    fn known(&self) -> bool {
        *self != Self::default()
    }

    /// Whether the identifier columns hold what `facts` says (no allocation
    /// for the common case of a device without lists).
    fn same_identifiers(&self, facts: &DeviceFacts) -> bool {
        let same_list = |stored: &Option<String>, list: &[String]| match stored {
            None => list.is_empty(),
            Some(text) => !list.is_empty() && json_list(list).as_deref() == Some(text.as_str()),
        };
        same_list(&self.imei, &facts.imei)
            && same_list(&self.meid, &facts.meid)
            && self.eid == facts.eid
            && self.wifi_mac == facts.wifi_mac
            && self.bluetooth_mac == facts.bluetooth_mac
            && self.ethernet_mac == facts.ethernet_mac
    }

    fn same(&self, facts: &DeviceFacts) -> bool {
        self.is_replacement == facts.is_replacement && self.same_identifiers(facts)
    }

    /// The search keys of the stored identifiers (what device_identifiers holds).
    fn identifier_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for text in [&self.imei, &self.meid].into_iter().flatten() {
            let items: Vec<String> = serde_json::from_str(text).unwrap_or_default();
            keys.extend(items.iter().map(|v| identifier_key(v)));
        }
        for v in [
            &self.eid,
            &self.wifi_mac,
            &self.bluetooth_mac,
            &self.ethernet_mac,
        ]
        .into_iter()
        .flatten()
        {
            keys.push(identifier_key(v));
        }
        keys.sort();
        keys.dedup();
        keys
    }
}

impl Stored {
    /// Whether `change` tells something new (a full fetch re-lists everyone).
    fn differs_from(&self, change: &DeviceChange) -> bool {
        change.op == DeviceOp::Modified
            || self.op_date != change.op_date
            || !self.same_record(&change.record)
            || (self.facts.known() && !self.facts.same(&change.record.facts))
    }

    /// The columns `r` changes, for the device's sync events:
    /// `{"field", "before", "after"}` each.
    fn field_changes(&self, r: &DeviceRecord) -> Vec<serde_json::Value> {
        use serde_json::json;
        [
            (
                "profile_status",
                json!(self.profile_status),
                json!(r.profile_status.as_str()),
            ),
            (
                "profile_uuid",
                json!(self.profile_uuid),
                json!(r.profile_uuid),
            ),
            ("model", json!(self.model), json!(r.model)),
            ("description", json!(self.description), json!(r.description)),
            ("color", json!(self.color), json!(r.color)),
            ("os", json!(self.os), json!(r.os)),
            ("asset_tag", json!(self.asset_tag), json!(r.asset_tag)),
            ("family", json!(self.family), json!(r.family.as_str())),
            ("assigned_by", json!(self.assigned_by), json!(r.assigned_by)),
            (
                "profile_assign_time",
                json!(self.profile_assign_time),
                json!(r.profile_assign_time),
            ),
            (
                "profile_push_time",
                json!(self.profile_push_time),
                json!(r.profile_push_time),
            ),
            ("assigned_at", json!(self.assigned_at), json!(r.assigned_at)),
        ]
        .into_iter()
        .chain(self.fact_changes(r))
        .filter(|(_, before, after)| before != after)
        .map(|(field, before, after)| json!({"field": field, "before": before, "after": after}))
        .collect()
    }

    /// The protocol-10 facts `r` changes; none when Depot never stored any
    /// (their first arrival is no change of the device).
    fn fact_changes(
        &self,
        r: &DeviceRecord,
    ) -> Vec<(&'static str, serde_json::Value, serde_json::Value)> {
        use serde_json::json;
        if !self.facts.known() {
            return Vec::new();
        }
        let new = StoredFacts::of(&r.facts);
        let list = |text: &Option<String>| -> serde_json::Value {
            text.as_deref()
                .and_then(|t| serde_json::from_str::<Vec<String>>(t).ok())
                .map_or(serde_json::Value::Null, |v| json!(v.join(", ")))
        };
        let old = &self.facts;
        vec![
            ("imei", list(&old.imei), list(&new.imei)),
            ("meid", list(&old.meid), list(&new.meid)),
            ("eid", json!(old.eid), json!(new.eid)),
            ("wifi_mac", json!(old.wifi_mac), json!(new.wifi_mac)),
            (
                "bluetooth_mac",
                json!(old.bluetooth_mac),
                json!(new.bluetooth_mac),
            ),
            (
                "ethernet_mac",
                json!(old.ethernet_mac),
                json!(new.ethernet_mac),
            ),
            (
                "is_replacement",
                json!(old.is_replacement),
                json!(new.is_replacement),
            ),
        ]
    }

    /// Every column Apple's record fills holds the same value already.
    fn same_record(&self, r: &DeviceRecord) -> bool {
        self.profile_status == r.profile_status.as_str()
            && self.profile_uuid == r.profile_uuid
            && self.model == r.model
            && self.color == r.color
            && self.os == r.os
            && self.description == r.description
            && self.asset_tag == r.asset_tag
            && self.family == r.family.as_str()
            && self.profile_assign_time == r.profile_assign_time
            && self.profile_push_time == r.profile_push_time
            && self.assigned_at == r.assigned_at
            && self.assigned_by == r.assigned_by
    }
}

/// Runs kept per token (SYN-6).
pub const SYNC_HISTORY_KEPT: i64 = 50;

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
    pub fn begin_full_fetch(&self, token: TokenId, run: i64) -> Result<()> {
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
    pub fn set_cursor(&self, token: TokenId, cursor: &str, now: i64) -> Result<()> {
        self.ensure_sync_state(token)?;
        self.conn.execute(
            "UPDATE sync_state SET cursor = ?2, cursor_at = ?3 WHERE token_id = ?1",
            params![token.get(), cursor, now],
        )?;
        Ok(())
    }

    /// The full fetch finished: devices it did not list are marked removed,
    /// and the state moves to delta sync. Returns how many were removed.
    pub fn complete_full_fetch(&self, token: TokenId, run: i64, now: i64) -> Result<u64> {
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
        self.conn.execute(
            "UPDATE sync_state SET phase = 'sync', fetch_run = NULL, last_full_at = ?2 WHERE token_id = ?1",
            params![token.get(), now],
        )?;
        Ok(removed as u64)
    }

    /// Applies one page of records (already reduced to the latest per serial).
    /// `seen_run`: the full fetch listing these devices, if any.
    pub fn apply_device_changes(
        &self,
        token: TokenId,
        changes: &[DeviceChange],
        seen_run: Option<i64>,
        now: i64,
    ) -> Result<Applied> {
        // New devices join the search index in one statement at the end (see
        // migration 0005): the insert trigger stands aside meanwhile, and is
        // back whatever happens.
        self.conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES ('search_deferred', '1')",
            [],
        )?;
        let applied = self.apply_changes_deferred(token, changes, seen_run, now);
        let restored = self
            .conn
            .execute("DELETE FROM settings WHERE key = 'search_deferred'", []);
        let applied = applied?;
        restored?;
        Ok(applied)
    }

    fn apply_changes_deferred(
        &self,
        token: TokenId,
        changes: &[DeviceChange],
        seen_run: Option<i64>,
        now: i64,
    ) -> Result<Applied> {
        let mut applied = Applied::default();
        let mut inserted: Vec<i64> = Vec::new();
        let mut new_records: Vec<&DeviceRecord> = Vec::new();
        let mut existing = self.conn.prepare_cached(
            "SELECT removed_at, op_date, profile_status, profile_uuid, model, color, os,
                    description, asset_tag, family, profile_assign_time, profile_push_time,
                    assigned_at, assigned_by, rowid, imei, meid, eid, wifi_mac, bluetooth_mac,
                    ethernet_mac, is_replacement
             FROM devices WHERE token_id = ?1 AND serial = ?2",
        )?;
        let mut event = self.conn.prepare_cached(
            "INSERT INTO device_events (device, at, op_date, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut upsert = self.conn.prepare_cached(
            "INSERT INTO devices (token_id, serial, model, description, color, asset_tag, os, family,
                                  profile_status, profile_uuid, profile_assign_time, profile_push_time,
                                  assigned_at, assigned_by, op_date, updated_at, removed_at, seen_run,
                                  added_at, imei, meid, eid, wifi_mac, bluetooth_mac, ethernet_mac,
                                  is_replacement, released_by_replacement)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, NULL, ?17, ?16,
                     ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)
             ON CONFLICT (token_id, serial) DO UPDATE SET
                 model = excluded.model, description = excluded.description, color = excluded.color,
                 asset_tag = excluded.asset_tag, os = excluded.os, family = excluded.family,
                 profile_status = excluded.profile_status, profile_uuid = excluded.profile_uuid,
                 profile_assign_time = excluded.profile_assign_time,
                 profile_push_time = excluded.profile_push_time, assigned_at = excluded.assigned_at,
                 assigned_by = excluded.assigned_by, op_date = excluded.op_date,
                 updated_at = excluded.updated_at, removed_at = NULL,
                 added_at = CASE WHEN devices.removed_at IS NULL THEN devices.added_at
                                 ELSE excluded.added_at END,
                 seen_run = COALESCE(excluded.seen_run, devices.seen_run),
                 imei = excluded.imei, meid = excluded.meid, eid = excluded.eid,
                 wifi_mac = excluded.wifi_mac, bluetooth_mac = excluded.bluetooth_mac,
                 ethernet_mac = excluded.ethernet_mac, is_replacement = excluded.is_replacement,
                 released_by_replacement = excluded.released_by_replacement",
        )?;
        // An active device re-listed with the same facts: only the bookkeeping
        // columns change, which no index covers (an upsert would rewrite every
        // index entry of the row, even with equal values).
        let mut touch = self.conn.prepare_cached(
            "UPDATE devices SET op_date = ?3, seen_run = COALESCE(?4, seen_run)
             WHERE token_id = ?1 AND serial = ?2",
        )?;
        let mut remove = self.conn.prepare_cached(
            "UPDATE devices SET removed_at = ?3, updated_at = ?3, op_date = ?4,
                    released_by_replacement = ?5
             WHERE token_id = ?1 AND serial = ?2 AND removed_at IS NULL",
        )?;
        // Identifier search rows: the old keys of a device whose identifiers
        // changed go first; new ones are added in key order at the end.
        let mut forget_identifier = self
            .conn
            .prepare_cached("DELETE FROM device_identifiers WHERE value = ?1 AND device = ?2")?;
        let mut identifiers: Vec<(String, i64, &'static str)> = Vec::new();
        for change in changes {
            let serial = change.record.serial.as_str();
            let before: Option<Stored> = existing
                .query_row(params![token.get(), serial], |r| {
                    Ok(Stored {
                        rowid: r.get(14)?,
                        removed_at: r.get(0)?,
                        op_date: r.get(1)?,
                        profile_status: r.get(2)?,
                        profile_uuid: r.get(3)?,
                        model: r.get(4)?,
                        color: r.get(5)?,
                        os: r.get(6)?,
                        description: r.get(7)?,
                        asset_tag: r.get(8)?,
                        family: r.get(9)?,
                        profile_assign_time: r.get(10)?,
                        profile_push_time: r.get(11)?,
                        assigned_at: r.get(12)?,
                        assigned_by: r.get(13)?,
                        facts: StoredFacts {
                            imei: r.get(15)?,
                            meid: r.get(16)?,
                            eid: r.get(17)?,
                            wifi_mac: r.get(18)?,
                            bluetooth_mac: r.get(19)?,
                            ethernet_mac: r.get(20)?,
                            is_replacement: r.get(21)?,
                        },
                    })
                })
                .optional()?;
            // An older record than the one stored changes nothing (latest op_date wins).
            if let (
                Some(Stored {
                    op_date: Some(stored),
                    ..
                }),
                Some(date),
            ) = (&before, change.op_date)
                && date < *stored
                && change.op != DeviceOp::Listed
            {
                continue;
            }
            match change.op {
                DeviceOp::Deleted => {
                    let released = change.record.facts.released_by_replacement;
                    if remove.execute(params![
                        token.get(),
                        serial,
                        now,
                        change.op_date,
                        released
                    ])? > 0
                    {
                        applied.removed += 1;
                        if let Some(stored) = &before {
                            event.execute(params![
                                stored.rowid,
                                now,
                                change.op_date,
                                "removed",
                                "released"
                            ])?;
                        }
                    }
                }
                DeviceOp::Listed | DeviceOp::Added | DeviceOp::Modified
                    if before.as_ref().is_some_and(|b| {
                        b.removed_at.is_none()
                            && b.same_record(&change.record)
                            && b.facts.same(&change.record.facts)
                    }) =>
                {
                    touch.execute(params![token.get(), serial, change.op_date, seen_run])?;
                    if before
                        .as_ref()
                        .is_some_and(|stored| stored.differs_from(change))
                    {
                        applied.modified += 1;
                    }
                }
                DeviceOp::Listed | DeviceOp::Added | DeviceOp::Modified => {
                    let r: &DeviceRecord = &change.record;
                    let f = &r.facts;
                    upsert.execute(params![
                        token.get(),
                        serial,
                        r.model,
                        r.description,
                        r.color,
                        r.asset_tag,
                        r.os,
                        r.family.as_str(),
                        r.profile_status.as_str(),
                        r.profile_uuid,
                        r.profile_assign_time,
                        r.profile_push_time,
                        r.assigned_at,
                        r.assigned_by,
                        change.op_date,
                        now,
                        seen_run,
                        json_list(&f.imei),
                        json_list(&f.meid),
                        f.eid.as_deref(),
                        f.wifi_mac.as_deref(),
                        f.bluetooth_mac.as_deref(),
                        f.ethernet_mac.as_deref(),
                        f.is_replacement,
                        r.facts.released_by_replacement,
                    ])?;
                    let rowid = match &before {
                        None => {
                            let rowid = self.conn.last_insert_rowid();
                            inserted.push(rowid);
                            new_records.push(r);
                            Some(rowid)
                        }
                        Some(stored) if !stored.facts.same_identifiers(&r.facts) => {
                            for key in stored.facts.identifier_keys() {
                                forget_identifier.execute(params![key, stored.rowid])?;
                            }
                            // Not yet written, if the same call listed it before.
                            identifiers.retain(|(_, device, _)| *device != stored.rowid);
                            Some(stored.rowid)
                        }
                        Some(_) => None,
                    };
                    if let Some(rowid) = rowid {
                        for (kind, key) in r.facts.identifier_keys() {
                            identifiers.push((key, rowid, kind.as_str()));
                        }
                    }
                    match &before {
                        Some(stored) if stored.removed_at.is_none() => {
                            if stored.differs_from(change) {
                                applied.modified += 1;
                            }
                            let fields = stored.field_changes(r);
                            if !fields.is_empty() {
                                let detail = serde_json::Value::Array(fields).to_string();
                                event.execute(params![
                                    stored.rowid,
                                    now,
                                    change.op_date,
                                    "modified",
                                    detail
                                ])?;
                            }
                        }
                        Some(stored) => {
                            applied.added += 1;
                            event.execute(params![
                                stored.rowid,
                                now,
                                change.op_date,
                                "returned",
                                None::<String>
                            ])?;
                        }
                        // New: its 'added' event is written with the others below.
                        None => applied.added += 1,
                    }
                }
            }
        }
        if !identifiers.is_empty() {
            identifiers.sort_unstable();
            let mut add = self.conn.prepare_cached(
                "INSERT OR IGNORE INTO device_identifiers (value, device, kind) VALUES (?1, ?2, ?3)",
            )?;
            for (key, rowid, kind) in &identifiers {
                add.execute(params![key, rowid, kind])?;
            }
        }
        if !inserted.is_empty() {
            // The distinct values of the new devices (a handful per group).
            let mut values = std::collections::BTreeSet::new();
            for r in &new_records {
                for (field, value) in [
                    ("model", r.model.as_str()),
                    ("description", r.description.as_str()),
                    ("color", r.color.as_str()),
                    ("os", r.os.as_deref().unwrap_or("")),
                ] {
                    if !value.is_empty() {
                        values.insert((field, value));
                    }
                }
            }
            let mut add_value = self.conn.prepare_cached(
                "INSERT INTO device_values (field, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?;
            for (field, value) in values {
                add_value.execute(params![field, value])?;
            }
            let ids = serde_json::to_string(&inserted)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            self.conn.execute(
                "INSERT INTO device_events (device, at, op_date, kind)
                 SELECT rowid, ?2, op_date, 'added' FROM devices
                  WHERE rowid IN (SELECT value FROM json_each(?1)) ORDER BY rowid",
                params![ids, now],
            )?;
            self.conn.execute(
                "INSERT OR REPLACE INTO device_search (rowid, serial, asset_tag, token_id)
                 SELECT rowid, serial, asset_tag, token_id FROM devices
                  WHERE rowid IN (SELECT value FROM json_each(?1))",
                [ids],
            )?;
        }
        Ok(applied)
    }

    /// The sync events of `serial` on `token`, newest first.
    pub fn device_events(
        &self,
        token: TokenId,
        serial: &str,
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
        since: i64,
    ) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT serial, family FROM devices
             WHERE token_id = ?1 AND removed_at IS NULL AND added_at >= ?2
               AND profile_uuid IS NULL AND profile_status IN ('empty', 'removed', '')
             ORDER BY serial",
        )?;
        let rows = stmt
            .query_map(params![token.get(), since], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
        Ok(rows)
    }

    /// When the device became the token's, Apple's date of its last change,
    /// and Depot's last write of it.
    pub fn device_sync_facts(
        &self,
        token: TokenId,
        serial: &str,
    ) -> Result<(Option<i64>, Option<i64>, Option<i64>)> {
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
    pub fn active_serials(&self, token: TokenId) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT serial FROM devices WHERE token_id = ?1 AND removed_at IS NULL ORDER BY serial",
        )?;
        let rows = stmt.query_map([token.get()], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes devices removed more than `age` seconds before `now` (SYN-3).
    pub fn purge_removed_devices(&self, token: TokenId, older_than: i64) -> Result<u64> {
        let n = self.conn.execute(
            "DELETE FROM devices WHERE token_id = ?1 AND removed_at IS NOT NULL AND removed_at < ?2",
            params![token.get(), older_than],
        )?;
        Ok(n as u64)
    }

    pub fn record_sync_success(&self, token: TokenId, now: i64) -> Result<()> {
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
        now: i64,
    ) -> Result<()> {
        self.ensure_sync_state(token)?;
        self.conn.execute(
            "UPDATE sync_state SET last_error_code = ?2, last_error = ?3, last_error_at = ?4 WHERE token_id = ?1",
            params![token.get(), code, message, now],
        )?;
        Ok(())
    }

    pub fn record_manual_sync(&self, token: TokenId, now: i64) -> Result<()> {
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
        now: i64,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO sync_runs (token_id, kind, trigger, started_at) VALUES (?1, ?2, ?3, ?4)",
            params![token.get(), kind, trigger, now],
        )?;
        let id = self.conn.last_insert_rowid();
        // Keep the newest runs only.
        self.conn.execute(
            "DELETE FROM sync_runs WHERE token_id = ?1 AND id NOT IN
                 (SELECT id FROM sync_runs WHERE token_id = ?1 ORDER BY id DESC LIMIT ?2)",
            params![token.get(), SYNC_HISTORY_KEPT],
        )?;
        Ok(id)
    }

    pub fn set_sync_run_kind(&self, run: i64, kind: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_runs SET kind = ?2 WHERE id = ?1",
            params![run, kind],
        )?;
        Ok(())
    }

    pub fn add_to_sync_run(&self, run: i64, pages: u32, applied: Applied) -> Result<()> {
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
        run: i64,
        result: &str,
        error_code: Option<&str>,
        error: Option<&str>,
        now: i64,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_runs SET result = ?2, error_code = ?3, error = ?4, finished_at = ?5 WHERE id = ?1",
            params![run, result, error_code, error, now],
        )?;
        Ok(())
    }

    /// Runs left `running` by a process that died: they ended, without a result.
    pub fn close_abandoned_runs(&self, token: TokenId, now: i64) -> Result<()> {
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
    use depot_domain::{DeviceFamily, ProfileStatus, SerialNumber};

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
                expires_at: 1,
            },
            apple_id: "a@b.example",
            apple_url: "https://x",
            environment: Environment::Apple,
            scope_tags: &[],
            key_fingerprint: "",
            created_at: 1,
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
            .apply_device_changes(t, &[change("MOVED00001", DeviceOp::Modified, 10)], None, 10)
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
        db.apply_device_changes(t, &[change("DEV0000001", DeviceOp::Added, 50)], None, 50)
            .unwrap();
        let stale = db
            .apply_device_changes(t, &[change("DEV0000001", DeviceOp::Deleted, 40)], None, 60)
            .unwrap();
        assert_eq!(stale, Applied::default());
        assert_eq!(db.active_device_count(t).unwrap(), 1);
        let newer = db
            .apply_device_changes(t, &[change("DEV0000001", DeviceOp::Deleted, 70)], None, 70)
            .unwrap();
        assert_eq!(newer.removed, 1);
        assert_eq!(db.active_device_count(t).unwrap(), 0);
        // A delete for a serial Depot never had changes nothing.
        let unknown = db
            .apply_device_changes(t, &[change("NEVER00001", DeviceOp::Deleted, 80)], None, 80)
            .unwrap();
        assert_eq!(unknown, Applied::default());
        // Back again after removal: counted as added.
        let back = db
            .apply_device_changes(t, &[change("DEV0000001", DeviceOp::Added, 90)], None, 90)
            .unwrap();
        assert_eq!(back.added, 1);
    }

    #[test]
    fn each_sync_change_of_a_device_is_an_event() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        let t = token(&db);
        let kinds = |db: &Db, serial: &str| -> Vec<(String, Option<String>)> {
            db.device_events(t, serial, 10)
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
            Some(1),
            100,
        )
        .unwrap();
        assert_eq!(kinds(&db, "EVT0000001"), [("added".to_owned(), None)]);
        let added = &db.device_events(t, "EVT0000001", 10).unwrap()[0];
        assert_eq!((added.at, added.op_date), (100, Some(10)));

        // Re-listed unchanged: nothing happened to it.
        db.apply_device_changes(
            t,
            &[change("EVT0000001", DeviceOp::Listed, 10)],
            Some(2),
            110,
        )
        .unwrap();
        assert_eq!(kinds(&db, "EVT0000001").len(), 1);

        // Apple changes fields: the event names them, before and after.
        let mut moved = change("EVT0000001", DeviceOp::Modified, 20);
        moved.record.color = "SILVER".into();
        moved.record.profile_status = ProfileStatus::Assigned;
        db.apply_device_changes(t, &[moved], None, 120).unwrap();
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
        db.apply_device_changes(t, &[change("EVT0000001", DeviceOp::Deleted, 30)], None, 130)
            .unwrap();
        db.apply_device_changes(t, &[change("EVT0000001", DeviceOp::Added, 40)], None, 140)
            .unwrap();
        db.begin_full_fetch(t, 3).unwrap();
        db.apply_device_changes(
            t,
            &[change("EVT0000002", DeviceOp::Listed, 10)],
            Some(3),
            150,
        )
        .unwrap();
        assert_eq!(db.complete_full_fetch(t, 3, 160).unwrap(), 1);
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
        assert_eq!(db.purge_removed_devices(t, 1_000).unwrap(), 1);
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
            db.apply_device_changes(t, &page, Some(1), 10)
                .unwrap()
                .added,
            2
        );
        assert_eq!(
            db.apply_device_changes(t, &page, Some(2), 20).unwrap(),
            Applied::default()
        );
        assert_eq!(db.complete_full_fetch(t, 2, 20).unwrap(), 0);
        let history = db.insert_sync_run(t, "full", "manual", 1).unwrap();
        for _ in 0..SYNC_HISTORY_KEPT + 5 {
            db.insert_sync_run(t, "delta", "automatic", 2).unwrap();
        }
        let runs = db.sync_runs(t).unwrap();
        assert_eq!(runs.len() as i64, SYNC_HISTORY_KEPT);
        assert!(
            runs.iter().all(|r| r.id != history),
            "the oldest runs are dropped"
        );
    }
}
