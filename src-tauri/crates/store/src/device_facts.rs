//! The protocol-10 facts of a device (IMEI, MEID, EID, MACs, replacement
//! flags; migration 0009) and the cached answers of Apple's replacement
//! details. The sync writes the facts (`sync.rs`); the device list searches
//! their identifiers (`devices.rs`).

use depot_domain::{DeviceFacts, SerialNumber, TokenId};
use rusqlite::{OptionalExtension, params};

pub use depot_domain::records::ReplacementRow;

use crate::{Db, Result};

fn list(text: Option<String>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

impl Db {
    /// The facts of `serial` on `token` (empty when the device is unknown or
    /// was synced before Depot kept them).
    pub fn device_facts(&self, token: TokenId, serial: &SerialNumber) -> Result<DeviceFacts> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT imei, meid, eid, wifi_mac, bluetooth_mac, ethernet_mac, is_replacement,
                        released_by_replacement
                   FROM devices WHERE token_id = ?1 AND serial = ?2",
            )?
            .query_row(params![token.get(), serial], |r| {
                Ok(DeviceFacts {
                    imei: list(r.get(0)?),
                    meid: list(r.get(1)?),
                    eid: r.get(2)?,
                    wifi_mac: r.get(3)?,
                    bluetooth_mac: r.get(4)?,
                    ethernet_mac: r.get(5)?,
                    is_replacement: r.get(6)?,
                    released_by_replacement: r.get(7)?,
                })
            })
            .optional()?
            .unwrap_or_default())
    }

    /// The cached replacement details of `serial` on `token`, if Apple was asked.
    pub fn replacement(
        &self,
        token: TokenId,
        serial: &SerialNumber,
    ) -> Result<Option<ReplacementRow>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT original_serial, replaced_on, fetched_at FROM device_replacements
                  WHERE token_id = ?1 AND serial = ?2",
            )?
            .query_row(params![token.get(), serial], |r| {
                Ok(ReplacementRow {
                    original_serial: r.get(0)?,
                    replaced_on: r.get(1)?,
                    fetched_at: r.get(2)?,
                })
            })
            .optional()?)
    }

    /// Caches Apple's answer about `serial` on `token` (replacing an older one).
    pub fn save_replacement(
        &self,
        token: TokenId,
        serial: &str,
        row: &ReplacementRow,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO device_replacements (token_id, serial, original_serial, replaced_on, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (token_id, serial) DO UPDATE SET
                 original_serial = excluded.original_serial, replaced_on = excluded.replaced_on,
                 fetched_at = excluded.fetched_at",
            params![
                token.get(),
                serial,
                row.original_serial,
                row.replaced_on,
                row.fetched_at
            ],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use depot_domain::{DeviceChange, DeviceFamily, DeviceOp, DeviceRecord, ProfileStatus};
    use depot_domain::{SerialNumber, SyncRunId, UnixSeconds};

    use super::*;
    use crate::Workspace;
    use crate::devices::DeviceQuery;

    fn workspace() -> (Workspace, Db) {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        db.conn
            .execute_batch(
                "INSERT INTO tokens (id, server_name, server_uuid, org_name, apple_id, expires_at,
                                     created_at)
                 VALUES (1, 'Alpha', 'u-1', 'Org', 'a@example.com', 0, 0),
                        (2, 'Beta', 'u-2', 'Org', 'a@example.com', 0, 0);",
            )
            .unwrap();
        (ws, db)
    }

    fn t(id: i64) -> TokenId {
        TokenId::new(id)
    }

    fn change(serial: &str, op: DeviceOp, at: i64, facts: DeviceFacts) -> DeviceChange {
        DeviceChange {
            op,
            op_date: Some(at),
            record: DeviceRecord {
                serial: SerialNumber::parse(serial).unwrap(),
                model: "iPhone 15".into(),
                description: String::new(),
                color: "BLACK".into(),
                asset_tag: None,
                os: Some("iOS".into()),
                family: DeviceFamily::IPhone,
                profile_status: ProfileStatus::Empty,
                profile_uuid: None,
                profile_assign_time: None,
                profile_push_time: None,
                assigned_at: Some(at),
                assigned_by: None,
                facts,
            },
        }
    }

    fn phone(imei: &str, wifi: &str) -> DeviceFacts {
        DeviceFacts {
            imei: vec![imei.to_owned(), "359999999999990".to_owned()],
            eid: Some("89049032000000000000000000000077".into()),
            wifi_mac: Some(wifi.to_owned()),
            bluetooth_mac: Some("F0:18:98:00:00:02".into()),
            is_replacement: Some(false),
            ..DeviceFacts::default()
        }
    }

    fn search(db: &Db, text: &str) -> Vec<String> {
        db.query_devices(
            &DeviceQuery {
                text: Some(text.into()),
                include_removed: true,
                ..DeviceQuery::default()
            },
            None,
            100,
        )
        .unwrap()
        .into_iter()
        .map(|r| format!("{}:{}", r.token_id, r.serial))
        .collect()
    }

    fn identifier_rows(db: &Db) -> i64 {
        db.conn
            .query_row("SELECT COUNT(*) FROM device_identifiers", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn facts_are_stored_and_found_by_imei_eid_and_mac() {
        let (_ws, db) = workspace();
        db.apply_device_changes(
            t(1),
            &[
                change(
                    "PHONE00001",
                    DeviceOp::Listed,
                    10,
                    phone("351234567890123", "f0:18:98:aa:bb:cc"),
                ),
                change("IPAD000002", DeviceOp::Listed, 10, DeviceFacts::default()),
            ],
            Some(SyncRunId::new(1)),
            UnixSeconds::new(10),
        )
        .unwrap();
        let facts = db
            .device_facts(t(1), &SerialNumber::parse("PHONE00001").unwrap())
            .unwrap();
        assert_eq!(facts.imei, ["351234567890123", "359999999999990"]);
        assert_eq!(facts.wifi_mac.as_deref(), Some("f0:18:98:aa:bb:cc"));
        assert_eq!(facts.is_replacement, Some(false));
        assert!(
            db.device_facts(t(1), &SerialNumber::parse("IPAD000002").unwrap())
                .unwrap()
                .is_empty()
        );
        assert!(
            db.device_facts(t(1), &SerialNumber::parse("NOPE000000").unwrap())
                .unwrap()
                .is_empty()
        );

        let found = ["1:PHONE00001"];
        assert_eq!(search(&db, "351234567890123"), found, "full IMEI");
        assert_eq!(search(&db, "351234"), found, "IMEI prefix of 6");
        assert!(search(&db, "35123").is_empty(), "5 characters are too few");
        assert_eq!(search(&db, "8904903200000000"), found, "EID prefix");
        assert_eq!(search(&db, "F0:18:98:AA:BB:CC"), found, "MAC with colons");
        assert_eq!(search(&db, "f01898aabbcc"), found, "MAC without separators");
        assert_eq!(search(&db, "f0-18-98-aa"), found, "MAC prefix with dashes");
        assert_eq!(search(&db, "iphone 351234"), found, "with another word");
        assert!(search(&db, "ipad 351234").is_empty());
        // Two devices share a MAC prefix (the maker's part).
        assert_eq!(search(&db, "F01898"), found);
        // Stored once per distinct key: two IMEIs, EID, two MACs.
        assert_eq!(identifier_rows(&db), 5);
        // The devices without identifiers wrote none, and serial search still works.
        assert_eq!(search(&db, "ipad000002"), ["1:IPAD000002"]);
    }

    #[test]
    fn deleted_and_purged_devices_leave_the_identifier_index() {
        let (_ws, db) = workspace();
        let facts = phone("351234567890123", "f0:18:98:aa:bb:cc");
        for token in [1, 2] {
            db.apply_device_changes(
                t(token),
                &[change("PHONE00001", DeviceOp::Listed, 10, facts.clone())],
                Some(SyncRunId::new(1)),
                UnixSeconds::new(10),
            )
            .unwrap();
        }
        assert_eq!(
            search(&db, "351234567890123"),
            ["1:PHONE00001", "2:PHONE00001"]
        );
        assert_eq!(
            db.delete_devices(t(1), &[SerialNumber::parse("PHONE00001").unwrap()])
                .unwrap(),
            1
        );
        assert_eq!(search(&db, "351234567890123"), ["2:PHONE00001"]);
        assert_eq!(search(&db, "f0:18:98:aa:bb:cc"), ["2:PHONE00001"]);
        assert_eq!(identifier_rows(&db), 5);

        // Released (with the flag Apple sends on deleted records), then purged.
        let mut released = change("PHONE00001", DeviceOp::Deleted, 20, DeviceFacts::default());
        released.record.facts.released_by_replacement = Some(true);
        db.apply_device_changes(t(2), &[released], None, UnixSeconds::new(20))
            .unwrap();
        assert_eq!(
            db.device_facts(t(2), &SerialNumber::parse("PHONE00001").unwrap())
                .unwrap()
                .released_by_replacement,
            Some(true)
        );
        assert_eq!(
            search(&db, "351234"),
            ["2:PHONE00001"],
            "removed, still known"
        );
        assert_eq!(
            db.purge_removed_devices(t(2), UnixSeconds::new(1_000))
                .unwrap(),
            1
        );
        assert!(search(&db, "351234").is_empty());
        assert_eq!(identifier_rows(&db), 0);
    }

    #[test]
    fn changed_identifiers_replace_their_search_rows() {
        let (_ws, db) = workspace();
        let before = phone("351234567890123", "f0:18:98:aa:bb:cc");
        db.apply_device_changes(
            t(1),
            &[change("PHONE00001", DeviceOp::Listed, 10, before.clone())],
            Some(SyncRunId::new(1)),
            UnixSeconds::new(10),
        )
        .unwrap();
        // Re-listed unchanged: nothing written, nothing counted.
        let same = db
            .apply_device_changes(
                t(1),
                &[change("PHONE00001", DeviceOp::Listed, 10, before.clone())],
                Some(SyncRunId::new(2)),
                UnixSeconds::new(20),
            )
            .unwrap();
        assert_eq!(same, crate::sync::Applied::default());
        let mut after = before.clone();
        after.imei = vec!["357777777777777".into()];
        after.wifi_mac = Some("f0:18:98:11:22:33".into());
        let applied = db
            .apply_device_changes(
                t(1),
                &[change("PHONE00001", DeviceOp::Modified, 30, after)],
                None,
                UnixSeconds::new(30),
            )
            .unwrap();
        assert_eq!(applied.modified, 1);
        assert!(search(&db, "351234567890123").is_empty());
        assert!(search(&db, "f01898aabbcc").is_empty());
        assert_eq!(search(&db, "357777777777777"), ["1:PHONE00001"]);
        assert_eq!(search(&db, "f0:18:98:11:22:33"), ["1:PHONE00001"]);
        assert_eq!(identifier_rows(&db), 4);
        assert_eq!(
            db.identifier_index_differences().unwrap(),
            Vec::<String>::new()
        );
        let events = db
            .device_events(t(1), &SerialNumber::parse("PHONE00001").unwrap(), 10)
            .unwrap();
        let detail: Vec<serde_json::Value> =
            serde_json::from_str(events[0].detail.as_deref().unwrap()).unwrap();
        let fields: Vec<&str> = detail.iter().filter_map(|c| c["field"].as_str()).collect();
        assert_eq!(fields, ["assigned_at", "imei", "wifi_mac"]);
    }

    #[test]
    fn first_facts_of_a_known_device_are_no_change() {
        // A device synced before Depot kept facts gets them silently.
        let (_ws, db) = workspace();
        db.apply_device_changes(
            t(1),
            &[change(
                "OLD0000001",
                DeviceOp::Listed,
                10,
                DeviceFacts::default(),
            )],
            Some(SyncRunId::new(1)),
            UnixSeconds::new(10),
        )
        .unwrap();
        let applied = db
            .apply_device_changes(
                t(1),
                &[change(
                    "OLD0000001",
                    DeviceOp::Listed,
                    10,
                    phone("351234567890123", "f0:18:98:aa:bb:cc"),
                )],
                Some(SyncRunId::new(2)),
                UnixSeconds::new(20),
            )
            .unwrap();
        assert_eq!(applied, crate::sync::Applied::default());
        assert_eq!(
            db.device_events(t(1), &SerialNumber::parse("OLD0000001").unwrap(), 10)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(search(&db, "351234"), ["1:OLD0000001"]);
    }

    #[test]
    fn replacement_answers_are_cached_per_token_and_leave_with_the_device() {
        let (_ws, db) = workspace();
        let facts = DeviceFacts {
            is_replacement: Some(true),
            ..DeviceFacts::default()
        };
        db.apply_device_changes(
            t(1),
            &[change("REPL000001", DeviceOp::Listed, 10, facts)],
            Some(SyncRunId::new(1)),
            UnixSeconds::new(10),
        )
        .unwrap();
        assert_eq!(
            db.replacement(t(1), &SerialNumber::parse("REPL000001").unwrap())
                .unwrap(),
            None
        );
        let row = ReplacementRow {
            original_serial: Some("ORIG000001".into()),
            replaced_on: Some("2025-01-15".into()),
            fetched_at: UnixSeconds::new(50),
        };
        db.save_replacement(t(1), "REPL000001", &row).unwrap();
        assert_eq!(
            db.replacement(t(1), &SerialNumber::parse("REPL000001").unwrap())
                .unwrap(),
            Some(row.clone())
        );
        assert_eq!(
            db.replacement(t(2), &SerialNumber::parse("REPL000001").unwrap())
                .unwrap(),
            None
        );
        let again = ReplacementRow {
            fetched_at: UnixSeconds::new(60),
            ..row
        };
        db.save_replacement(t(1), "REPL000001", &again).unwrap();
        assert_eq!(
            db.replacement(t(1), &SerialNumber::parse("REPL000001").unwrap())
                .unwrap(),
            Some(again)
        );
        db.delete_devices(t(1), &[SerialNumber::parse("REPL000001").unwrap()])
            .unwrap();
        assert_eq!(
            db.replacement(t(1), &SerialNumber::parse("REPL000001").unwrap())
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_many_device_identifier_prefix_is_tested_through_the_table() {
        let (_ws, db) = workspace();
        // More devices than a driving filter may match share a MAC prefix.
        let count = crate::devices::DRIVING_ROWS as usize + 10;
        let changes: Vec<DeviceChange> = (0..count)
            .map(|i| {
                let facts = DeviceFacts {
                    wifi_mac: Some(format!(
                        "A4:83:E7:{:02X}:{:02X}:{:02X}",
                        i >> 16,
                        (i >> 8) & 255,
                        i & 255
                    )),
                    ..DeviceFacts::default()
                };
                change(&format!("MANY{i:06}"), DeviceOp::Listed, 10, facts)
            })
            .collect();
        db.apply_device_changes(
            t(1),
            &changes,
            Some(SyncRunId::new(1)),
            UnixSeconds::new(10),
        )
        .unwrap();
        let all = DeviceQuery {
            text: Some("a4:83:e7".into()),
            ..DeviceQuery::default()
        };
        assert_eq!(db.count_devices(&all).unwrap(), count as u64);
        assert_eq!(db.query_devices(&all, None, 5).unwrap().len(), 5);
        assert_eq!(search(&db, "a483e7000003"), ["1:MANY000003"]);
    }

    #[test]
    fn a_rare_identifier_drives_the_page_through_its_index() {
        let (_ws, db) = workspace();
        let mut changes: Vec<DeviceChange> = (0..crate::devices::DRIVING_ROWS + 100)
            .map(|i| {
                change(
                    &format!("AAAA{i:06}"),
                    DeviceOp::Listed,
                    10,
                    DeviceFacts::default(),
                )
            })
            .collect();
        changes[7].record.facts = phone("351234567890123", "f0:18:98:aa:bb:cc");
        db.apply_device_changes(
            t(1),
            &changes,
            Some(SyncRunId::new(1)),
            UnixSeconds::new(10),
        )
        .unwrap();
        let query = DeviceQuery {
            text: Some("f0:18:98:aa".into()),
            ..DeviceQuery::default()
        };
        let plan = db.device_query_plan(&query, None).unwrap().join("\n");
        assert!(plan.contains("MULTI-INDEX OR"), "{plan}");
        assert!(plan.contains("USING INTEGER PRIMARY KEY"), "{plan}");
        assert!(
            !plan
                .lines()
                .any(|l| l == "SCAN d" || l.starts_with("SCAN d ")),
            "no walk through every device: {plan}"
        );
        assert_eq!(search(&db, "f0:18:98:aa"), ["1:AAAA000007"]);
        // A hexadecimal word that is no identifier keeps the serial search's plan.
        let serial = DeviceQuery {
            text: Some("aaaa00".into()),
            ..DeviceQuery::default()
        };
        let plan = db.device_query_plan(&serial, None).unwrap().join("\n");
        assert!(
            plan.contains("SCAN d USING INDEX devices_by_serial"),
            "{plan}"
        );
    }

    /// Device `i` of a fetch: a phone with two IMEIs, an EID and two MACs;
    /// every fifth also has an MEID and an Ethernet MAC, every tenth nothing.
    fn numbered(i: usize, op: DeviceOp) -> DeviceChange {
        let facts = if i % 10 == 9 {
            DeviceFacts::default()
        } else {
            DeviceFacts {
                imei: vec![format!("35{i:013}"), format!("36{i:013}")],
                meid: if i.is_multiple_of(5) {
                    vec![format!("A1{i:012X}")]
                } else {
                    Vec::new()
                },
                eid: Some(format!("8904{i:028}")),
                wifi_mac: Some(format!("f0:18:98:{:02x}:{:02x}:01", i >> 8, i & 255)),
                bluetooth_mac: Some(format!("F0-18-98-{:02X}-{:02X}-02", i >> 8, i & 255)),
                ethernet_mac: i
                    .is_multiple_of(5)
                    .then(|| format!("f018.98{:02x}.{:02x}03", i >> 8, i & 255)),
                is_replacement: Some(false),
                ..DeviceFacts::default()
            }
        };
        change(&format!("FETCH{i:05}"), op, 10, facts)
    }

    fn numbered_range(range: std::ops::Range<usize>) -> Vec<DeviceChange> {
        range.map(|i| numbered(i, DeviceOp::Listed)).collect()
    }

    /// The identifier rows of `token` as (key, serial), sorted.
    fn index_of(db: &Db, token: i64) -> Vec<(String, String)> {
        db.conn
            .prepare(
                "SELECT i.value, d.serial FROM device_identifiers i
                   JOIN devices d ON d.rowid = i.device
                  WHERE d.token_id = ?1 ORDER BY 1, 2",
            )
            .unwrap()
            .query_map([token], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_full_fetch_indexes_the_identifiers_of_its_new_devices_when_it_completes() {
        let (_ws, db) = workspace();
        let run = SyncRunId::new(1);
        db.begin_full_fetch(t(1), run).unwrap();
        for page in [0..150, 150..300] {
            let applied = db
                .apply_fetched_devices(t(1), &numbered_range(page), run, UnixSeconds::new(10))
                .unwrap();
            assert_eq!(applied.added, 150);
        }
        // The fetch is not complete: its devices are listed, not yet found
        // by identifier.
        assert_eq!(identifier_rows(&db), 0);
        assert_eq!(search(&db, "FETCH00007"), ["1:FETCH00007"]);
        assert!(search(&db, "350000000000007").is_empty());
        assert_eq!(
            db.complete_full_fetch(t(1), run, UnixSeconds::new(20))
                .unwrap(),
            0
        );
        assert_eq!(
            db.identifier_index_differences().unwrap(),
            Vec::<String>::new()
        );
        // 270 phones: 2 IMEIs, EID, 2 MACs; 60 of them with an MEID and an
        // Ethernet MAC.
        assert_eq!(identifier_rows(&db), 270 * 5 + 60 * 2);
        assert_eq!(search(&db, "350000000000007"), ["1:FETCH00007"]);
        assert_eq!(search(&db, "f01898000701"), ["1:FETCH00007"]);
        assert_eq!(
            search(&db, "f0:18:98:00:2c:02"),
            ["1:FETCH00044"],
            "Bluetooth"
        );
        assert_eq!(search(&db, "a10000000000c8"), ["1:FETCH00200"], "MEID");
        assert_eq!(search(&db, "F01898000A03"), ["1:FETCH00010"], "Ethernet");
        assert!(
            search(&db, "350000000000009").is_empty(),
            "no facts, no rows"
        );

        // The same devices written page by page (a delta) get the same rows.
        let added: Vec<DeviceChange> = (0..300).map(|i| numbered(i, DeviceOp::Added)).collect();
        db.apply_device_changes(t(2), &added, None, UnixSeconds::new(30))
            .unwrap();
        assert_eq!(index_of(&db, 2), index_of(&db, 1));

        // Re-listed unchanged by the next fetch: nothing written, nothing left
        // waiting.
        let again = SyncRunId::new(2);
        db.begin_full_fetch(t(1), again).unwrap();
        let applied = db
            .apply_fetched_devices(t(1), &numbered_range(0..300), again, UnixSeconds::new(40))
            .unwrap();
        assert_eq!(applied, crate::sync::Applied::default());
        assert_eq!(db.setting("identifiers_pending.1").unwrap(), None);
        db.complete_full_fetch(t(1), again, UnixSeconds::new(40))
            .unwrap();
        assert_eq!(identifier_rows(&db), 2 * (270 * 5 + 60 * 2));
        assert_eq!(
            db.identifier_index_differences().unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_fetch_that_resumes_or_starts_over_indexes_what_the_stopped_one_added() {
        let (_ws, db) = workspace();
        let first = SyncRunId::new(1);
        db.begin_full_fetch(t(1), first).unwrap();
        db.apply_fetched_devices(t(1), &numbered_range(0..100), first, UnixSeconds::new(10))
            .unwrap();
        // The process stops here; the next run resumes the same fetch.
        db.apply_fetched_devices(t(1), &numbered_range(100..200), first, UnixSeconds::new(11))
            .unwrap();
        // And stops again; this time the fetch starts over (a new run): the
        // first pages again, one device with a new Wi-Fi MAC, one deleted
        // from Depot meanwhile, then the rest.
        db.delete_devices(t(1), &[SerialNumber::parse("FETCH00150").unwrap()])
            .unwrap();
        let second = SyncRunId::new(2);
        db.begin_full_fetch(t(1), second).unwrap();
        let mut page = numbered_range(0..100);
        page[42].record.facts.wifi_mac = Some("f0:18:98:aa:bb:cc".into());
        db.apply_fetched_devices(t(1), &page, second, UnixSeconds::new(20))
            .unwrap();
        // A device that existed changes its rows right away.
        assert_eq!(search(&db, "f01898aabbcc"), ["1:FETCH00042"]);
        db.apply_fetched_devices(
            t(1),
            &numbered_range(100..250),
            second,
            UnixSeconds::new(21),
        )
        .unwrap();
        assert_eq!(
            db.complete_full_fetch(t(1), second, UnixSeconds::new(30))
                .unwrap(),
            0
        );
        assert_eq!(
            db.identifier_index_differences().unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(search(&db, "f01898aabbcc"), ["1:FETCH00042"]);
        assert!(search(&db, "f0:18:98:00:2a:01").is_empty(), "the old MAC");
        assert_eq!(search(&db, "350000000000150"), ["1:FETCH00150"], "back");
        assert_eq!(search(&db, "350000000000248"), ["1:FETCH00248"]);
        assert_eq!(search(&db, "350000000000007"), ["1:FETCH00007"]);
        assert_eq!(db.setting("identifiers_pending.1").unwrap(), None);
    }

    #[test]
    fn devices_synced_before_identifiers_get_their_rows_when_the_next_fetch_completes() {
        let (_ws, db) = workspace();
        let old: Vec<DeviceChange> = (0..100)
            .map(|i| {
                let mut c = numbered(i, DeviceOp::Listed);
                c.record.facts = DeviceFacts::default();
                c
            })
            .collect();
        db.apply_device_changes(t(1), &old, Some(SyncRunId::new(1)), UnixSeconds::new(10))
            .unwrap();
        let run = SyncRunId::new(2);
        db.begin_full_fetch(t(1), run).unwrap();
        // Their first facts are no change, and their rows wait for the end.
        let applied = db
            .apply_fetched_devices(t(1), &numbered_range(0..100), run, UnixSeconds::new(20))
            .unwrap();
        assert_eq!(applied, crate::sync::Applied::default());
        assert_eq!(identifier_rows(&db), 0);
        db.complete_full_fetch(t(1), run, UnixSeconds::new(30))
            .unwrap();
        assert_eq!(identifier_rows(&db), 90 * 5 + 20 * 2);
        assert_eq!(
            db.identifier_index_differences().unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(search(&db, "360000000000042"), ["1:FETCH00042"]);
    }
}
