//! The identifier search index (`device_identifiers`, migrations 0009 and
//! 0013): one row per (key, device), keyed by the device's rowid.
//!
//! A delta sync writes a page's rows with the page. A full fetch changes the
//! rows of devices that have some; the devices without any yet (new ones,
//! and ones synced before Depot kept identifiers) get theirs when the fetch
//! completes, all in one pass in key order ([`Db::index_pending_identifiers`]).
//! Written page by page, a first fetch of 200,000 devices puts ~600,000 keys
//! at random places of a growing index, and every commit rewrites most of its
//! pages.
//!
//! Which devices wait is kept in the workspace, in the same transaction as
//! the devices: the lowest rowid among them, per token (a setting). A fetch
//! killed halfway and resumed, or started over, still indexes them when it
//! completes. Until then, search does not find them by identifier.

use depot_domain::{DeviceFacts, TokenId};
use rusqlite::params;

use crate::{Db, Result};

/// Rows per INSERT statement: one statement per row costs more in SQLite's
/// per-statement work than the insert itself (600,000 rows in key order:
/// 1.9 s one by one, 0.6 s by 100, when the table still checked the kind).
const ROWS_PER_INSERT: usize = 100;

/// The setting that holds the lowest rowid of `token`'s devices whose
/// identifier rows wait for the end of the full fetch.
fn pending_key(token: TokenId) -> String {
    format!("identifiers_pending.{}", token.get())
}

/// One search key of the pass at the end of a fetch: its text in a shared
/// buffer, with its first 8 bytes as a number so that most comparisons of
/// the sort need no second look.
struct Key {
    head: u64,
    at: u32,
    len: u32,
    device: i64,
}

impl Db {
    /// Inserts identifier rows `(key, device rowid)`, fastest in key order;
    /// rows already there are skipped. Returns how many were added.
    pub(super) fn add_identifier_rows<'a>(
        &self,
        rows: impl Iterator<Item = (&'a str, i64)>,
    ) -> Result<u64> {
        let mut rows = rows.peekable();
        let mut batch: Vec<(&str, i64)> = Vec::with_capacity(ROWS_PER_INSERT);
        let mut added = 0;
        while rows.peek().is_some() {
            batch.clear();
            batch.extend(rows.by_ref().take(ROWS_PER_INSERT));
            let sql = format!(
                "INSERT OR IGNORE INTO device_identifiers (value, device) VALUES {}",
                vec!["(?, ?)"; batch.len()].join(", ")
            );
            let mut insert = self.conn.prepare_cached(&sql)?;
            for (i, (key, device)) in batch.iter().enumerate() {
                insert.raw_bind_parameter(2 * i + 1, key)?;
                insert.raw_bind_parameter(2 * i + 2, device)?;
            }
            added += insert.raw_execute()? as u64;
        }
        Ok(added)
    }

    /// Notes that the devices of `token` from rowid `first` on may lack their
    /// identifier rows until the full fetch completes.
    pub(super) fn defer_identifier_rows(&self, token: TokenId, first: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE
                SET value = CAST(min(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)",
            params![pending_key(token), first.to_string()],
        )?;
        Ok(())
    }

    /// Writes the identifier rows [`Db::apply_fetched_devices`] left for the
    /// end of `token`'s full fetch: the keys of its devices from the noted
    /// rowid on, sorted, then inserted in key order (the index grows at its
    /// end instead of everywhere). Rows already there are skipped. Returns
    /// how many were added.
    pub(crate) fn index_pending_identifiers(&self, token: TokenId) -> Result<u64> {
        let setting = pending_key(token);
        let Some(first) = self.setting(&setting)? else {
            return Ok(0);
        };
        // Not a number (never written so): every device of the token.
        let first: i64 = first.parse().unwrap_or(i64::MIN);
        let mut text: Vec<u8> = Vec::new();
        let mut keys: Vec<Key> = Vec::new();
        {
            // `+token_id`: walk the rowid range, not the token's index.
            let mut select = self.conn.prepare_cached(
                "SELECT rowid, imei, meid, eid, wifi_mac, bluetooth_mac, ethernet_mac
                   FROM devices WHERE rowid >= ?2 AND +token_id = ?1",
            )?;
            let mut rows = select.query(params![token.get(), first])?;
            while let Some(row) = rows.next()? {
                let list = |i: usize| -> rusqlite::Result<Vec<String>> {
                    Ok(row
                        .get::<_, Option<String>>(i)?
                        .and_then(|t| serde_json::from_str(&t).ok())
                        .unwrap_or_default())
                };
                let facts = DeviceFacts {
                    imei: list(1)?,
                    meid: list(2)?,
                    eid: row.get(3)?,
                    wifi_mac: row.get(4)?,
                    bluetooth_mac: row.get(5)?,
                    ethernet_mac: row.get(6)?,
                    ..DeviceFacts::default()
                };
                let device: i64 = row.get(0)?;
                for (_, key) in facts.identifier_keys() {
                    let mut head = [0u8; 8];
                    let n = key.len().min(8);
                    head[..n].copy_from_slice(&key.as_bytes()[..n]);
                    keys.push(Key {
                        head: u64::from_be_bytes(head),
                        at: u32::try_from(text.len()).unwrap_or(u32::MAX),
                        len: u32::try_from(key.len()).unwrap_or(0),
                        device,
                    });
                    text.extend_from_slice(key.as_bytes());
                }
            }
        }
        let key_bytes = |k: &Key| &text[k.at as usize..(k.at + k.len) as usize];
        // The primary key's order: value (binary collation), then device.
        // Keys are letters and digits, so the zero-padded head orders them
        // like their text.
        keys.sort_unstable_by(|a, b| {
            a.head
                .cmp(&b.head)
                .then_with(|| key_bytes(a).cmp(key_bytes(b)))
                .then(a.device.cmp(&b.device))
        });
        let added = self.add_identifier_rows(keys.iter().map(|k| {
            // ASCII, copied from a `String`.
            (
                std::str::from_utf8(key_bytes(k)).unwrap_or_default(),
                k.device,
            )
        }))?;
        self.put_setting(&setting, None)?;
        Ok(added)
    }
}

/// For tests (the `test-support` feature): how `device_identifiers` differs
/// from what the devices' identifier columns call for, computed by the SQL
/// twin of [`depot_domain::device::identifier_key`] (migration 0009), not by
/// the code that writes the rows. Empty when the index is right.
#[cfg(any(test, feature = "test-support"))]
impl Db {
    pub fn identifier_index_differences(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "WITH want AS (
                 SELECT DISTINCT
                        upper(replace(replace(replace(replace(v, ':', ''), '-', ''), '.', ''), ' ', ''))
                            AS value,
                        device
                   FROM (SELECT d.rowid AS device, j.value AS v FROM devices d, json_each(d.imei) j
                         UNION ALL
                         SELECT d.rowid, j.value FROM devices d, json_each(d.meid) j
                         UNION ALL SELECT rowid, eid FROM devices
                         UNION ALL SELECT rowid, wifi_mac FROM devices
                         UNION ALL SELECT rowid, bluetooth_mac FROM devices
                         UNION ALL SELECT rowid, ethernet_mac FROM devices)
                  WHERE v IS NOT NULL),
             have AS (SELECT value, device FROM device_identifiers)
             SELECT 'missing', * FROM (SELECT * FROM want EXCEPT SELECT * FROM have)
             UNION ALL
             SELECT 'extra', * FROM (SELECT * FROM have EXCEPT SELECT * FROM want)
             ORDER BY 2, 3",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{} {} of device {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
