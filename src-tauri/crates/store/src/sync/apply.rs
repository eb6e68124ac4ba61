//! Writing one page of Apple's device records: the upsert of each device,
//! its sync events, the search vocabulary and the identifier index (see
//! `identifiers.rs` for when a full fetch writes the latter).

use depot_domain::device::identifier_key;
use depot_domain::{
    DeviceChange, DeviceFacts, DeviceOp, DeviceRecord, SyncRunId, TokenId, UnixSeconds,
};
use rusqlite::{OptionalExtension, params};

use super::Applied;
use crate::{Db, Result};

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
    // Strings always serialize; no JSON value tree is built on the way.
    (!list.is_empty()).then(|| serde_json::to_string(list).unwrap_or_default())
}

/// When devices without identifier search rows yet get them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdentifierRows {
    /// With the page.
    Now,
    /// When the full fetch completes (see `identifiers.rs`).
    AtFetchEnd,
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

impl Db {
    /// Applies one page of records (already reduced to the latest per serial).
    /// `seen_run`: the full fetch listing these devices, if any.
    pub fn apply_device_changes(
        &self,
        token: TokenId,
        changes: &[DeviceChange],
        seen_run: Option<SyncRunId>,
        now: UnixSeconds,
    ) -> Result<Applied> {
        self.apply_page(token, changes, seen_run, IdentifierRows::Now, now)
    }

    /// A page of the full fetch `run`, as [`Self::apply_device_changes`]
    /// applies it, except that devices without identifier search rows yet
    /// (new ones, and ones stored before Depot kept identifiers) get them when
    /// [`Self::complete_full_fetch`] completes the fetch: all at once, in key
    /// order.
    pub fn apply_fetched_devices(
        &self,
        token: TokenId,
        changes: &[DeviceChange],
        run: SyncRunId,
        now: UnixSeconds,
    ) -> Result<Applied> {
        self.apply_page(token, changes, Some(run), IdentifierRows::AtFetchEnd, now)
    }

    fn apply_page(
        &self,
        token: TokenId,
        changes: &[DeviceChange],
        seen_run: Option<SyncRunId>,
        identifier_rows: IdentifierRows,
        now: UnixSeconds,
    ) -> Result<Applied> {
        // New devices join the search index in one statement at the end (see
        // migration 0005): the insert trigger stands aside meanwhile, and is
        // back whatever happens.
        self.conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES ('search_deferred', '1')",
            [],
        )?;
        let applied = self.apply_changes_deferred(token, changes, seen_run, identifier_rows, now);
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
        seen_run: Option<SyncRunId>,
        identifier_rows: IdentifierRows,
        now: UnixSeconds,
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
        let mut identifiers: Vec<(String, i64)> = Vec::new();
        // The devices with keys in `identifiers`.
        let mut keyed: std::collections::HashSet<i64> = std::collections::HashSet::new();
        // In a full fetch, a device without rows yet (new, or stored without
        // identifiers: synced before Depot kept them) gets them at its end;
        // the lowest rowid among those of this page.
        let wait = identifier_rows == IdentifierRows::AtFetchEnd;
        let mut waiting: Option<i64> = None;
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
                            if wait {
                                waiting = Some(waiting.map_or(rowid, |w| w.min(rowid)));
                                None
                            } else {
                                Some(rowid)
                            }
                        }
                        Some(stored) if !stored.facts.same_identifiers(&r.facts) => {
                            let old_keys = stored.facts.identifier_keys();
                            if wait && old_keys.is_empty() {
                                let rowid = stored.rowid;
                                waiting = Some(waiting.map_or(rowid, |w| w.min(rowid)));
                                None
                            } else {
                                for key in old_keys {
                                    forget_identifier.execute(params![key, stored.rowid])?;
                                }
                                // Not yet written, if the same call listed it
                                // before (only a caller that did not reduce
                                // the page to one record per serial does).
                                if keyed.contains(&stored.rowid) {
                                    identifiers.retain(|(_, device)| *device != stored.rowid);
                                }
                                Some(stored.rowid)
                            }
                        }
                        Some(_) => None,
                    };
                    if let Some(rowid) = rowid {
                        keyed.insert(rowid);
                        for (_, key) in r.facts.identifier_keys() {
                            identifiers.push((key, rowid));
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
        identifiers.sort_unstable();
        identifiers.dedup();
        self.add_identifier_rows(
            identifiers
                .iter()
                .map(|(key, rowid)| (key.as_str(), *rowid)),
        )?;
        if let Some(first) = waiting {
            self.defer_identifier_rows(token, first)?;
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
}
