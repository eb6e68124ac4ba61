use std::collections::HashSet;

use depot_domain::{
    ProfileId, ProfileStatus, RunId, SerialNumber, SyncRunId, TokenId, UnixSeconds,
};
use rusqlite::params;

use super::*;
use crate::Db;
use crate::Workspace;
use crate::assignments::{AssignmentKind, NewAssignmentRun, Outcome};

fn a() -> TokenId {
    TokenId::new(1)
}

fn b() -> TokenId {
    TokenId::new(2)
}

/// A workspace with tokens 1 ("Alpha", tags school+north) and 2 ("Beta",
/// tag school) and no devices.
fn workspace() -> (Workspace, Db) {
    let ws = Workspace::open_in_memory().unwrap();
    let db = ws.connect().unwrap();
    db.conn
        .execute_batch(
            "INSERT INTO tokens (id, server_name, server_uuid, org_name, apple_id, expires_at,
                                 created_at, scope_tags)
             VALUES (1, 'Alpha', 'u-1', 'Org', 'a@example.com', 0, 0, '[\"school\",\"north\"]'),
                    (2, 'Beta', 'u-2', 'Org', 'a@example.com', 0, 0, '[\"school\"]');",
        )
        .unwrap();
    (ws, db)
}

#[derive(Clone)]
struct Dev {
    token: i64,
    serial: String,
    model: String,
    description: String,
    color: String,
    asset_tag: Option<String>,
    os: Option<String>,
    family: String,
    status: String,
    uuid: Option<String>,
    assigned_at: Option<i64>,
    removed_at: Option<i64>,
}

fn dev(token: TokenId, serial: &str) -> Dev {
    Dev {
        token: token.get(),
        serial: serial.to_owned(),
        model: "iPad Air".to_owned(),
        description: "IPAD AIR WI-FI 64GB".to_owned(),
        color: "BLUE".to_owned(),
        asset_tag: None,
        os: Some("iPadOS".to_owned()),
        family: "iPad".to_owned(),
        status: "empty".to_owned(),
        uuid: None,
        assigned_at: Some(1_700_000_000),
        removed_at: None,
    }
}

fn insert(db: &Db, d: &Dev) {
    db.conn
        .execute(
            "INSERT INTO devices (token_id, serial, model, description, color, asset_tag, os,
                                  family, profile_status, profile_uuid, assigned_at,
                                  assigned_by, removed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'admin@example.com', ?12)",
            params![
                d.token,
                d.serial,
                d.model,
                d.description,
                d.color,
                d.asset_tag,
                d.os,
                d.family,
                d.status,
                d.uuid,
                d.assigned_at,
                d.removed_at
            ],
        )
        .unwrap();
}

/// Profile `id` of `token` named `name`, with versions 1 and 2 uploaded as
/// `<uuid>-v1` and `<uuid>-v2`.
fn profile(db: &Db, id: i64, token: TokenId, name: &str, uuid: &str) {
    db.conn
        .execute(
            "INSERT INTO profiles (id, token_id, name, created_at, current_version)
             VALUES (?1, ?2, ?3, 0, 2)",
            params![id, token.get(), name],
        )
        .unwrap();
    for version in [1, 2] {
        db.conn
            .execute(
                "INSERT INTO profile_versions (profile_id, version, spec, apple_json,
                                               apple_uuid, created_at, created_by)
                 VALUES (?1, ?2, '', '', ?3, 0, 'test')",
                params![id, version, format!("{uuid}-v{version}")],
            )
            .unwrap();
    }
}

/// A serial number the test knows is one.
fn sn(s: &str) -> SerialNumber {
    SerialNumber::parse(s).unwrap()
}

fn run(db: &Db, token: TokenId, serials: &[&str]) -> RunId {
    let serials: Vec<SerialNumber> = serials.iter().map(|s| sn(s)).collect();
    db.insert_assignment_run(
        &NewAssignmentRun {
            token,
            kind: AssignmentKind::Assign,
            reason: crate::assignments::AssignReason::Manual,
            profile_id: None,
            profile_version: None,
            apple_uuid: None,
            operator: "test",
            started_at: UnixSeconds::new(0),
        },
        &serials,
        1000,
    )
    .unwrap()
}

/// Records an answer and, as the assignment engine does in the same
/// transaction, the device's last result.
fn answer(db: &Db, run: RunId, serial: &str, outcome: Outcome, at: i64) {
    let at = UnixSeconds::new(at);
    db.record_assignment_results(
        run,
        &[(SerialNumber::parse(serial).unwrap(), outcome, None)],
        at,
    )
    .unwrap();
    db.conn
        .execute(
            "UPDATE devices SET last_run_id = ?1, last_outcome = ?3, last_outcome_at = ?4
             WHERE serial = ?2
               AND token_id = (SELECT token_id FROM assignment_runs WHERE id = ?1)",
            params![run, serial, outcome.as_str(), at],
        )
        .unwrap();
}

/// A small deterministic generator (tests read no clock or entropy).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn serial(&mut self) -> String {
        const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        (0..10)
            .map(|_| char::from(CHARS[self.next(CHARS.len() as u64) as usize]))
            .collect()
    }
}

/// 2 × 120 devices with repeated models, statuses and dates (some none),
/// some serials on both tokens, some removed.
fn fleet(db: &Db) -> Vec<Dev> {
    let mut rng = Lcg(7);
    let models = ["iPad Air", "MacBook Pro", "iPhone 15", "Apple TV"];
    let statuses = ["empty", "assigned", "pushed", "removed"];
    let mut all = Vec::new();
    let mut shared = Vec::new();
    for token in [a(), b()] {
        for i in 0..120 {
            let serial = if token == b() && i < 10 {
                shared.pop().unwrap()
            } else {
                rng.serial()
            };
            if token == a() && i < 10 {
                shared.push(serial.clone());
            }
            let mut d = dev(token, &serial);
            d.model = models[rng.next(4) as usize].to_owned();
            d.family = d.model.split(' ').next().unwrap().to_owned();
            d.status = statuses[rng.next(4) as usize].to_owned();
            d.assigned_at = match rng.next(5) {
                0 => None,
                n => Some(1_700_000_000 + n as i64 * 1000),
            };
            d.removed_at = (rng.next(10) == 0).then_some(1_800_000_000);
            insert(db, &d);
            all.push(d);
        }
    }
    all
}

fn key(d: &Dev, sort: DeviceSort) -> (String, i64, String, i64) {
    match sort {
        DeviceSort::Serial => (String::new(), 0, d.serial.clone(), d.token),
        DeviceSort::Model => (d.model.clone(), 0, d.serial.clone(), d.token),
        DeviceSort::Status => (d.status.clone(), 0, d.serial.clone(), d.token),
        DeviceSort::AssignedDate => (
            String::new(),
            d.assigned_at.unwrap_or(0),
            d.serial.clone(),
            d.token,
        ),
    }
}

fn walk(db: &Db, query: &DeviceQuery, limit: u32) -> Vec<(i64, String)> {
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = db.query_devices(query, cursor.as_ref(), limit).unwrap();
        assert!(page.len() <= limit as usize);
        seen.extend(page.iter().map(|r| (r.token_id.get(), r.serial.clone())));
        match page.last() {
            Some(last) if page.len() == limit as usize => {
                cursor = Some(DeviceCursor::after(last, query.sort));
            }
            _ => break,
        }
    }
    seen
}

const SORTS: [DeviceSort; 4] = [
    DeviceSort::Serial,
    DeviceSort::Model,
    DeviceSort::AssignedDate,
    DeviceSort::Status,
];

#[test]
fn pages_walk_every_row_once_in_every_sort_and_direction() {
    let (_ws, db) = workspace();
    let all = fleet(&db);
    for sort in SORTS {
        for descending in [false, true] {
            for token in [None, Some(a()), Some(b())] {
                for include_removed in [false, true] {
                    let query = DeviceQuery {
                        token,
                        include_removed,
                        sort,
                        descending,
                        ..DeviceQuery::default()
                    };
                    let mut expected: Vec<&Dev> = all
                        .iter()
                        .filter(|d| token.is_none_or(|t| t.get() == d.token))
                        .filter(|d| include_removed || d.removed_at.is_none())
                        .collect();
                    expected.sort_by_key(|d| key(d, sort));
                    if descending {
                        expected.reverse();
                    }
                    let expected: Vec<(i64, String)> = expected
                        .iter()
                        .map(|d| (d.token, d.serial.clone()))
                        .collect();
                    let what = format!("{query:?}");
                    assert_eq!(walk(&db, &query, 7), expected, "{what}");
                    assert_eq!(walk(&db, &query, 1000), expected, "{what}");
                    assert_eq!(
                        db.count_devices(&query).unwrap(),
                        expected.len() as u64,
                        "{what}"
                    );
                    let mut exported = Vec::new();
                    db.export_devices(&query, &mut |row| {
                        exported.push((row.token_id.get(), row.serial.clone()));
                        Ok(())
                    })
                    .unwrap();
                    assert_eq!(exported, expected, "{what}");
                }
            }
        }
    }
}

#[test]
fn pages_with_filters_also_walk_every_row_once() {
    let (_ws, db) = workspace();
    let all = fleet(&db);
    let query = DeviceQuery {
        statuses: vec![ProfileStatus::Assigned, ProfileStatus::Pushed],
        scope_tag: Some("school".into()),
        sort: DeviceSort::Model,
        descending: true,
        ..DeviceQuery::default()
    };
    let mut expected: Vec<&Dev> = all
        .iter()
        .filter(|d| d.removed_at.is_none() && (d.status == "assigned" || d.status == "pushed"))
        .collect();
    expected.sort_by_key(|d| key(d, DeviceSort::Model));
    expected.reverse();
    let expected: Vec<(i64, String)> = expected
        .iter()
        .map(|d| (d.token, d.serial.clone()))
        .collect();
    assert_eq!(walk(&db, &query, 5), expected);
}

fn serials(rows: &[DeviceListRow]) -> Vec<String> {
    rows.iter()
        .map(|r| format!("{}:{}", r.token_id.get(), r.serial))
        .collect()
}

fn find(db: &Db, query: DeviceQuery) -> Vec<String> {
    let rows = db.query_devices(&query, None, 1000).unwrap();
    assert_eq!(db.count_devices(&query).unwrap(), rows.len() as u64);
    serials(&rows)
}

/// Six devices with distinct facts on two tokens, two Depot profiles.
fn sample(db: &Db) {
    profile(db, 10, a(), "Sales", "uuid-sales");
    profile(db, 11, b(), "Lab", "uuid-lab");
    let mut d = dev(a(), "C02AAA0001");
    d.status = ProfileStatus::Assigned.as_str().to_owned();
    d.uuid = Some("uuid-sales-v1".into());
    d.asset_tag = Some("TAG-77".into());
    insert(db, &d);
    let mut d = dev(a(), "C02AAA0002");
    d.model = "MacBook Pro 14".into();
    d.description = "MBP 14 M3 SILVER".into();
    d.family = "Mac".into();
    d.os = Some("OSX".into());
    d.color = "SILVER".into();
    d.status = ProfileStatus::Pushed.as_str().to_owned();
    d.uuid = Some("uuid-sales-v2".into());
    insert(db, &d);
    let mut d = dev(a(), "DMPBBB0003");
    d.uuid = Some("foreign-uuid".into());
    d.status = ProfileStatus::Assigned.as_str().to_owned();
    insert(db, &d);
    let mut d = dev(b(), "DMPBBB0004");
    d.status = ProfileStatus::Assigned.as_str().to_owned();
    d.uuid = Some("uuid-lab-v2".into());
    d.description = "100% \"quoted\" name".into();
    insert(db, &d);
    let mut d = dev(b(), "C02AAA0001");
    d.removed_at = Some(5);
    insert(db, &d);
    let mut d = dev(b(), "F9XCCC0006");
    d.model = "iPhone 15".into();
    d.family = "iPhone".into();
    d.description = "IPHONE 15 BLACK 128GB".into();
    d.color = "BLACK".into();
    d.os = Some("iOS".into());
    insert(db, &d);
}

#[test]
fn filters_narrow_the_list() {
    let (_ws, db) = workspace();
    sample(&db);
    let q = DeviceQuery::default;
    // Each query with the rows it finds ("token:serial", in serial order)
    // or only how many.
    enum Expect {
        Rows(&'static [&'static str]),
        Count(usize),
    }
    use Expect::{Count, Rows};
    let cases: Vec<(DeviceQuery, Expect)> = vec![
        (
            q(),
            Rows(&[
                "1:C02AAA0001",
                "1:C02AAA0002",
                "1:DMPBBB0003",
                "2:DMPBBB0004",
                "2:F9XCCC0006",
            ]),
        ),
        (
            DeviceQuery {
                include_removed: true,
                ..q()
            },
            Count(6),
        ),
        (
            DeviceQuery {
                token: Some(b()),
                ..q()
            },
            Rows(&["2:DMPBBB0004", "2:F9XCCC0006"]),
        ),
        (
            DeviceQuery {
                statuses: vec![ProfileStatus::Assigned],
                ..q()
            },
            Rows(&["1:C02AAA0001", "1:DMPBBB0003", "2:DMPBBB0004"]),
        ),
        (
            DeviceQuery {
                statuses: vec![ProfileStatus::Pushed, ProfileStatus::Empty],
                ..q()
            },
            Rows(&["1:C02AAA0002", "2:F9XCCC0006"]),
        ),
        (
            DeviceQuery {
                families: vec!["Mac".into(), "iPhone".into()],
                ..q()
            },
            Rows(&["1:C02AAA0002", "2:F9XCCC0006"]),
        ),
        (
            DeviceQuery {
                models: vec!["iPhone 15".into()],
                ..q()
            },
            Rows(&["2:F9XCCC0006"]),
        ),
        (
            DeviceQuery {
                profile: Some(ProfileFilter::Profile(ProfileId::new(10))),
                ..q()
            },
            Rows(&["1:C02AAA0001", "1:C02AAA0002"]),
        ),
        (
            DeviceQuery {
                profile: Some(ProfileFilter::NoDepotProfile),
                ..q()
            },
            Rows(&["1:DMPBBB0003", "2:F9XCCC0006"]),
        ),
        (
            DeviceQuery {
                enrollment_profile_name: Some("sALES".into()),
                ..q()
            },
            Rows(&["1:C02AAA0001", "1:C02AAA0002"]),
        ),
        (
            DeviceQuery {
                enrollment_profile_name: Some("Sale".into()),
                ..q()
            },
            Rows(&[]),
        ),
        (
            DeviceQuery {
                scope_tag: Some("north".into()),
                ..q()
            },
            Rows(&["1:C02AAA0001", "1:C02AAA0002", "1:DMPBBB0003"]),
        ),
        (
            DeviceQuery {
                scope_tag: Some("school".into()),
                ..q()
            },
            Count(5),
        ),
        (
            DeviceQuery {
                scope_tag: Some("nowhere".into()),
                ..q()
            },
            Rows(&[]),
        ),
        (
            DeviceQuery {
                scope_tag: Some("north".into()),
                token: Some(b()),
                ..q()
            },
            Rows(&[]),
        ),
        // Serial prefix: any case, a range on the serial.
        (
            DeviceQuery {
                serial_prefix: Some(" dmp".into()),
                ..q()
            },
            Rows(&["1:DMPBBB0003", "2:DMPBBB0004"]),
        ),
        (
            DeviceQuery {
                serial_prefix: Some("C02AAA0001".into()),
                include_removed: true,
                ..q()
            },
            Rows(&["1:C02AAA0001", "2:C02AAA0001"]),
        ),
        (
            DeviceQuery {
                serial_prefix: Some("C02AAA00011".into()),
                ..q()
            },
            Rows(&[]),
        ),
        (
            DeviceQuery {
                serial_prefix: Some("  ".into()),
                ..q()
            },
            Count(5),
        ),
    ];
    for (i, (query, expect)) in cases.into_iter().enumerate() {
        let found = find(&db, query.clone());
        match expect {
            Rows(rows) => assert_eq!(found, rows, "case {i}: {query:?}"),
            Count(n) => assert_eq!(found.len(), n, "case {i}: {query:?}"),
        }
    }

    // Text: every word somewhere, any case, substrings.
    let text = |t: &str| {
        find(
            &db,
            DeviceQuery {
                text: Some(t.into()),
                ..q()
            },
        )
    };
    assert_eq!(text("macbook"), ["1:C02AAA0002"]);
    assert_eq!(text("aaa00"), ["1:C02AAA0001", "1:C02AAA0002"]);
    assert_eq!(text("tag-77"), ["1:C02AAA0001"]);
    assert_eq!(text("silver m3"), ["1:C02AAA0002"]);
    assert_eq!(text("ios"), ["2:F9XCCC0006"]);
    assert_eq!(
        text("pados"),
        ["1:C02AAA0001", "1:DMPBBB0003", "2:DMPBBB0004"]
    );
    assert_eq!(text("15 black"), ["2:F9XCCC0006"]);
    assert_eq!(text("osx 14"), ["1:C02AAA0002"]);
    assert_eq!(text("\"quoted\""), ["2:DMPBBB0004"]);
    assert_eq!(text("100%"), ["2:DMPBBB0004"]);
    assert_eq!(text("0%"), ["2:DMPBBB0004"]);
    assert!(text("a_r").is_empty());
    assert!(text("ipad mac").is_empty());
    assert_eq!(text("   ").len(), 5);
    assert_eq!(
        find(
            &db,
            DeviceQuery {
                text: Some("aaa0001".into()),
                include_removed: true,
                ..q()
            }
        ),
        ["1:C02AAA0001", "2:C02AAA0001"]
    );
    assert_eq!(
        find(
            &db,
            DeviceQuery {
                text: Some("ipad".into()),
                token: Some(a()),
                sort: DeviceSort::Status,
                descending: true,
                ..q()
            }
        ),
        ["1:DMPBBB0003", "1:C02AAA0001"]
    );
}

#[test]
fn rows_carry_the_depot_profile_token_name_and_last_result() {
    let (_ws, db) = workspace();
    sample(&db);
    let row = db
        .device(a(), &SerialNumber::parse("C02AAA0001").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(row.token_name, "Alpha");
    assert_eq!(row.asset_tag.as_deref(), Some("TAG-77"));
    assert_eq!(row.assigned_by.as_deref(), Some("admin@example.com"));
    assert_eq!(
        row.depot_profile,
        Some(DepotProfileRef {
            id: ProfileId::new(10),
            name: "Sales".into(),
            version: 1
        })
    );
    assert_eq!(row.last_result, None);
    let other = db
        .device(a(), &SerialNumber::parse("DMPBBB0003").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(other.profile_uuid.as_deref(), Some("foreign-uuid"));
    assert_eq!(other.depot_profile, None);
    assert!(
        db.device(a(), &SerialNumber::parse("NOPE000000").unwrap())
            .unwrap()
            .is_none()
    );

    // Pages read in a savepoint: also inside a caller's transaction.
    let inside = db
        .write(|db| db.query_devices(&DeviceQuery::default(), None, 2))
        .unwrap();
    assert_eq!(serials(&inside), ["1:C02AAA0001", "1:C02AAA0002"]);

    let both = db
        .devices_by_serial(&SerialNumber::parse("C02AAA0001").unwrap())
        .unwrap();
    assert_eq!(serials(&both), ["1:C02AAA0001", "2:C02AAA0001"]);
    assert_eq!(both[1].removed_at, Some(UnixSeconds::new(5)));
    assert_eq!(both[1].token_name, "Beta");
    assert!(
        db.devices_by_serial(&SerialNumber::parse("NOPE000000").unwrap())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_last_assignment_result_follows_runs_of_the_same_token() {
    let (_ws, db) = workspace();
    sample(&db);
    let last = |token: TokenId, serial: &str| {
        db.device(token, &SerialNumber::parse(serial).unwrap())
            .unwrap()
            .unwrap()
            .last_result
    };
    let first = run(&db, a(), &["C02AAA0001", "C02AAA0002"]);
    // Waiting serials keep their previous result (none yet) until Apple answers.
    assert_eq!(last(a(), "C02AAA0001"), None);
    // The same serial on another token is not touched.
    assert_eq!(last(b(), "C02AAA0001"), None);
    answer(&db, first, "C02AAA0001", Outcome::Failed, 100);
    answer(&db, first, "C02AAA0002", Outcome::Success, 100);
    assert_eq!(
        last(a(), "C02AAA0001"),
        Some(LastResult {
            run_id: RunId::new(first.get()),
            outcome: Some("FAILED".into()),
            at: Some(UnixSeconds::new(100))
        })
    );

    let second = run(&db, a(), &["C02AAA0001", "F9XCCC0007"]);
    answer(&db, second, "C02AAA0001", Outcome::Success, 200);
    assert_eq!(
        last(a(), "C02AAA0001"),
        Some(LastResult {
            run_id: RunId::new(second.get()),
            outcome: Some("SUCCESS".into()),
            at: Some(UnixSeconds::new(200))
        })
    );
    let by_result = |r: &str| {
        find(
            &db,
            DeviceQuery {
                last_result: Some(r.into()),
                ..DeviceQuery::default()
            },
        )
    };
    assert_eq!(by_result("SUCCESS"), ["1:C02AAA0001", "1:C02AAA0002"]);
    assert!(by_result("FAILED").is_empty());
    assert_eq!(
        by_result(LAST_RESULT_NONE),
        ["1:DMPBBB0003", "2:DMPBBB0004", "2:F9XCCC0006"]
    );
    assert!(by_result(LAST_RESULT_PENDING).is_empty());

    // A device that syncs in after a run it was in gets that run's result.
    let mut late = dev(a(), "F9XCCC0007");
    late.model = "iPhone 15".into();
    insert(&db, &late);
    assert_eq!(
        last(a(), "F9XCCC0007"),
        Some(LastResult {
            run_id: RunId::new(second.get()),
            outcome: None,
            at: None
        })
    );
    assert_eq!(by_result(LAST_RESULT_PENDING), ["1:F9XCCC0007"]);

    // Deleting the newest run falls back to the one before.
    db.conn
        .execute("DELETE FROM assignment_runs WHERE id = ?1", [second])
        .unwrap();
    assert_eq!(
        last(a(), "C02AAA0001"),
        Some(LastResult {
            run_id: RunId::new(first.get()),
            outcome: Some("FAILED".into()),
            at: Some(UnixSeconds::new(100))
        })
    );
    assert_eq!(last(a(), "F9XCCC0007"), None);
}

#[test]
fn facets_count_each_dimension_without_its_own_filter() {
    let (_ws, db) = workspace();
    sample(&db);
    let r = run(&db, a(), &["C02AAA0001"]);
    answer(&db, r, "C02AAA0001", Outcome::Failed, 1);
    let counts = |f: &[FacetCount]| -> Vec<(String, u64)> {
        f.iter().map(|c| (c.value.clone(), c.count)).collect()
    };
    let pairs = |p: &[(&str, u64)]| -> Vec<(String, u64)> {
        p.iter().map(|(v, n)| ((*v).to_owned(), *n)).collect()
    };

    let all = db.device_facets(&DeviceQuery::default()).unwrap();
    assert_eq!(
        counts(&all.statuses),
        pairs(&[("assigned", 3), ("empty", 1), ("pushed", 1)])
    );
    assert_eq!(
        counts(&all.families),
        pairs(&[("iPad", 3), ("Mac", 1), ("iPhone", 1)])
    );
    assert_eq!(
        counts(&all.models),
        pairs(&[("iPad Air", 3), ("MacBook Pro 14", 1), ("iPhone 15", 1)])
    );
    assert_eq!(
        counts(&all.last_results),
        pairs(&[("NONE", 4), ("FAILED", 1)])
    );
    assert_eq!(
        all.profiles,
        vec![
            ProfileFacet {
                profile_id: None,
                name: None,
                count: 2
            },
            ProfileFacet {
                profile_id: Some(ProfileId::new(10)),
                name: Some("Sales".into()),
                count: 2
            },
            ProfileFacet {
                profile_id: Some(ProfileId::new(11)),
                name: Some("Lab".into()),
                count: 1
            },
        ]
    );
    assert_eq!(
        all.tokens,
        vec![
            TokenFacet {
                token_id: a(),
                token_name: "Alpha".into(),
                count: 3
            },
            TokenFacet {
                token_id: b(),
                token_name: "Beta".into(),
                count: 2
            },
        ]
    );

    // Token and status chosen: the token facet still shows Beta (with the
    // status filter), the status facet shows Alpha's other statuses.
    let q = DeviceQuery {
        token: Some(a()),
        statuses: vec![ProfileStatus::Assigned],
        ..DeviceQuery::default()
    };
    let f = db.device_facets(&q).unwrap();
    assert_eq!(
        counts(&f.statuses),
        pairs(&[("assigned", 2), ("pushed", 1)])
    );
    assert_eq!(
        f.tokens
            .iter()
            .map(|t| (t.token_id, t.count))
            .collect::<Vec<_>>(),
        [(a(), 2), (b(), 1)]
    );
    assert_eq!(counts(&f.families), pairs(&[("iPad", 2)]));
    assert_eq!(
        counts(&f.last_results),
        pairs(&[("FAILED", 1), ("NONE", 1)])
    );
    let profiles: u64 = f.profiles.iter().map(|p| p.count).sum();
    assert_eq!(profiles, db.count_devices(&q).unwrap());

    // Non-facet filters apply to every facet.
    let f = db
        .device_facets(&DeviceQuery {
            text: Some("c02".into()),
            ..DeviceQuery::default()
        })
        .unwrap();
    assert_eq!(
        counts(&f.statuses),
        pairs(&[("assigned", 1), ("pushed", 1)])
    );
    assert_eq!(f.tokens.len(), 1);

    // A chosen model outside the top 50 is still listed.
    for i in 0..60 {
        let mut d = dev(b(), &format!("ZZZ{i:07}"));
        d.model = format!("Model {i:02}");
        insert(&db, &d);
        if i < 30 {
            let mut d = dev(a(), &format!("ZZZ{i:07}"));
            d.model = format!("Model {i:02}");
            insert(&db, &d);
        }
    }
    let f = db
        .device_facets(&DeviceQuery {
            models: vec!["Model 59".into()],
            ..DeviceQuery::default()
        })
        .unwrap();
    assert_eq!(f.models.len(), MODEL_FACET_LIMIT + 1);
    assert!(
        f.models
            .iter()
            .any(|m| m.value == "Model 59" && m.count == 1)
    );
    assert_eq!(f.models[0].value, "iPad Air");
}

#[test]
fn serials_are_classified_for_the_assignment_preview() {
    let (_ws, db) = workspace();
    sample(&db);
    let mut removed_only = dev(a(), "GONE000001");
    removed_only.removed_at = Some(1);
    insert(&db, &removed_only);
    let asked: Vec<SerialNumber> = [
        "C02AAA0001",
        "DMPBBB0004",
        "GONE000001",
        "NEW0000001",
        "C02AAA0001",
    ]
    .iter()
    .map(|s| sn(s))
    .collect();
    let got = db.classify_serials(a(), &asked).unwrap();
    assert_eq!(got.len(), 4);
    assert_eq!(
        got["C02AAA0001"],
        SerialPlacement::OnToken {
            profile_uuid: Some("uuid-sales-v1".into()),
            profile_status: ProfileStatus::Assigned.as_str().to_owned(),
            depot_profile: Some(DepotProfileRef {
                id: ProfileId::new(10),
                name: "Sales".into(),
                version: 1
            }),
            family: "iPad".into(),
        }
    );
    assert_eq!(
        got["DMPBBB0004"],
        SerialPlacement::OnOtherToken {
            token_id: b(),
            token_name: "Beta".into()
        }
    );
    assert_eq!(got["GONE000001"], SerialPlacement::RemovedOnly);
    assert_eq!(got["NEW0000001"], SerialPlacement::Unknown);
    // C02AAA0001 is removed on Beta and active on Alpha: for Beta it is elsewhere.
    let got = db.classify_serials(b(), &asked[..1]).unwrap();
    assert_eq!(
        got["C02AAA0001"],
        SerialPlacement::OnOtherToken {
            token_id: a(),
            token_name: "Alpha".into()
        }
    );
    assert!(db.classify_serials(a(), &[]).unwrap().is_empty());

    let many: Vec<SerialNumber> = (0..10_000).map(|i| sn(&format!("X{i:09}"))).collect();
    let got = db.classify_serials(a(), &many).unwrap();
    assert_eq!(got.len(), 10_000);
    assert!(got.values().all(|p| *p == SerialPlacement::Unknown));
}

#[test]
fn deleted_devices_leave_the_list_and_the_search_index() {
    let (_ws, db) = workspace();
    sample(&db);
    let search = |t: &str| {
        find(
            &db,
            DeviceQuery {
                text: Some(t.into()),
                include_removed: true,
                ..DeviceQuery::default()
            },
        )
    };
    assert_eq!(search("aaa0001"), ["1:C02AAA0001", "2:C02AAA0001"]);
    let gone = db
        .delete_devices(
            a(),
            &[
                SerialNumber::parse("C02AAA0001").unwrap(),
                sn("NOPE000000"),
                sn("DMPBBB0004"),
            ],
        )
        .unwrap();
    assert_eq!(gone, 1, "DMPBBB0004 is Beta's");
    assert_eq!(search("aaa0001"), ["2:C02AAA0001"]);
    assert!(
        db.device(a(), &SerialNumber::parse("C02AAA0001").unwrap())
            .unwrap()
            .is_none()
    );
    assert_eq!(db.delete_devices(a(), &[]).unwrap(), 0);
    let entries: i64 = db
        .conn
        .query_row("SELECT COUNT(*) FROM device_search", [], |r| r.get(0))
        .unwrap();
    assert_eq!(entries, 5);

    // Back from a sync: searchable again; edits reach the index.
    insert(&db, &dev(a(), "C02AAA0001"));
    assert_eq!(search("aaa0001"), ["1:C02AAA0001", "2:C02AAA0001"]);
    db.conn
        .execute(
            "UPDATE devices SET model = 'Vision Pro', asset_tag = 'X-9' WHERE serial = 'DMPBBB0004'",
            [],
        )
        .unwrap();
    assert_eq!(search("vision"), ["2:DMPBBB0004"]);
    assert_eq!(search("x-9"), ["2:DMPBBB0004"]);
    assert!(search("quoted ipad air").is_empty());
    assert_eq!(search("quoted"), ["2:DMPBBB0004"]);
    // The same values written again (every sync does) leave the index alone.
    db.conn
        .execute("UPDATE devices SET model = model, updated_at = 9", [])
        .unwrap();
    assert_eq!(search("vision"), ["2:DMPBBB0004"]);
    db.conn
        .execute(
            "INSERT INTO device_search(device_search) VALUES ('integrity-check')",
            [],
        )
        .unwrap();
}

#[test]
fn devices_written_by_a_sync_are_searchable() {
    let (_ws, db) = workspace();
    let change = |serial: &str, tag: &str| depot_domain::DeviceChange {
        op: depot_domain::DeviceOp::Listed,
        op_date: Some(1),
        record: depot_domain::DeviceRecord {
            serial: depot_domain::SerialNumber::parse(serial).unwrap(),
            model: "iPad Air".into(),
            description: "IPAD AIR".into(),
            color: "BLUE".into(),
            asset_tag: Some(tag.into()),
            os: Some("iPadOS".into()),
            family: depot_domain::DeviceFamily::IPad,
            profile_status: depot_domain::ProfileStatus::Empty,
            profile_uuid: None,
            profile_assign_time: None,
            profile_push_time: None,
            assigned_at: None,
            assigned_by: None,
            facts: Default::default(),
        },
    };
    db.write(|db| {
        db.apply_device_changes(
            a(),
            &[change("F9QQQ00001", "LAB-1"), change("F9QQQ00002", "LAB-2")],
            Some(SyncRunId::new(1)),
            UnixSeconds::new(1),
        )
    })
    .unwrap();
    let search = |t: &str| {
        find(
            &db,
            DeviceQuery {
                text: Some(t.into()),
                ..DeviceQuery::default()
            },
        )
    };
    assert_eq!(search("qqq00002"), ["1:F9QQQ00002"]);
    assert_eq!(search("lab-1"), ["1:F9QQQ00001"]);
    // Their model, description, color and OS values join the vocabulary
    // once per group (migration 0006), so words of those columns find them.
    assert_eq!(search("air"), ["1:F9QQQ00001", "1:F9QQQ00002"]);
    assert_eq!(search("ipados"), ["1:F9QQQ00001", "1:F9QQQ00002"]);
    let values: Vec<(String, String)> = db
        .conn
        .prepare("SELECT field, value FROM device_values ORDER BY field")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let has = |f: &str, v: &str| values.iter().any(|(a, b)| a == f && b == v);
    assert!(has("model", "iPad Air") && has("description", "IPAD AIR"));
    assert!(has("color", "BLUE") && has("os", "iPadOS"), "{values:?}");
    // The deferral ends with the call: a device inserted otherwise is indexed at once.
    assert!(db.setting("search_deferred").unwrap().is_none());
    db.conn
        .execute(
            "INSERT INTO device_search(device_search) VALUES ('integrity-check')",
            [],
        )
        .unwrap();
}

#[test]
fn an_export_error_stops_the_export() {
    let (_ws, db) = workspace();
    sample(&db);
    let mut seen = 0;
    let err = db
        .export_devices(&DeviceQuery::default(), &mut |_| {
            seen += 1;
            if seen == 2 {
                Err(rusqlite::Error::InvalidQuery.into())
            } else {
                Ok(())
            }
        })
        .unwrap_err();
    assert!(
        matches!(
            &err,
            crate::StoreError::Sqlite(inner) if matches!(inner.0, rusqlite::Error::InvalidQuery)
        ),
        "{err:?}"
    );
    assert_eq!(seen, 2);
}

fn plan(db: &Db, query: &DeviceQuery, cursor: Option<&DeviceCursor>) -> String {
    db.device_query_plan(query, cursor).unwrap().join("\n")
}

/// `count` devices on `token` with serials `<prefix>000001`...
fn bulk(db: &Db, token: TokenId, prefix: &str, count: usize) {
    for i in 0..count {
        let mut d = dev(token, &format!("{prefix}{i:06}"));
        d.model = ["iPad Air", "MacBook Pro", "iPhone 15"][i % 3].to_owned();
        insert(db, &d);
    }
}

#[test]
fn every_sort_reads_its_index_in_order_on_every_page() {
    let (_ws, db) = workspace();
    // Token A holds more devices than a driving filter may match.
    bulk(&db, a(), "AAAA", DRIVING_ROWS as usize + 100);
    bulk(&db, b(), "BBBB", 5);
    let cursor = DeviceCursor {
        value: SortValue::Text("M".into()),
        token_id: a(),
        serial: "M".into(),
    };
    for sort in SORTS {
        let cursor = DeviceCursor {
            value: match sort {
                DeviceSort::AssignedDate => SortValue::Int(5),
                _ => cursor.value.clone(),
            },
            ..cursor.clone()
        };
        for token in [None, Some(a())] {
            for descending in [false, true] {
                let query = DeviceQuery {
                    sort,
                    token,
                    descending,
                    ..DeviceQuery::default()
                };
                for after in [None, Some(&cursor)] {
                    let plan = plan(&db, &query, after);
                    let what = format!("{query:?} after {after:?}:\n{plan}");
                    assert!(!plan.contains("TEMP B-TREE"), "{what}");
                    assert!(plan.contains("USING INDEX"), "{what}");
                    if after.is_some() {
                        // The cursor bounds the index range (no scan from the start).
                        assert!(plan.contains(">") || plan.contains("<"), "{what}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_filter_matching_few_devices_drives_the_page() {
    let (_ws, db) = workspace();
    bulk(&db, a(), "AAAA", DRIVING_ROWS as usize + 100);
    bulk(&db, b(), "BBBB", 5);
    let model_sort = |token| DeviceQuery {
        sort: DeviceSort::Model,
        token: Some(token),
        ..DeviceQuery::default()
    };
    // Token B's 5 devices are read through the token index and sorted.
    let small = plan(&db, &model_sort(b()), None);
    assert!(small.contains("(token_id=?"), "{small}");
    assert!(small.contains("TEMP B-TREE"), "{small}");
    // Token A's are read in model order, skipping B's inside the index.
    let large = plan(&db, &model_sort(a()), None);
    assert!(large.contains("devices_by_model"), "{large}");
    assert!(!large.contains("TEMP B-TREE"), "{large}");
    // Both give the same rows as the walk would.
    assert_eq!(walk(&db, &model_sort(b()), 2).len(), 5);

    // A word found in few serials reads the search index first; one
    // found in most serials filters the serial order.
    let text = |t: &str| DeviceQuery {
        text: Some(t.into()),
        ..DeviceQuery::default()
    };
    let rare = plan(&db, &text("bbbb"), None);
    assert!(rare.contains("VIRTUAL TABLE"), "{rare}");
    assert!(rare.contains("TEMP B-TREE"), "{rare}");
    let common = plan(&db, &text("aaaa"), None);
    assert!(
        common.contains("SCAN d USING INDEX devices_by_serial"),
        "{common}"
    );
    assert!(!common.contains("TEMP B-TREE"), "{common}");
    assert_eq!(find(&db, text("bbbb")).len(), 5);
    assert_eq!(
        db.count_devices(&text("aaaa")).unwrap(),
        DRIVING_ROWS as u64 + 100
    );
    // A rare family drives the page through the family index; a word
    // that only a rare model matches (no index serves it) is found by one
    // table scan, whose few rows are then read by rowid and sorted (not a
    // walk through every entry of the sort index).
    for (i, serial) in ["VVVV000003", "VVVV000001", "VVVV000002"]
        .iter()
        .enumerate()
    {
        let mut d = dev(if i == 1 { b() } else { a() }, serial);
        d.family = "Vision".into();
        d.model = "Apple Vision Pro".into();
        insert(&db, &d);
    }
    for sort in SORTS {
        let vision = DeviceQuery {
            families: vec!["Vision".into()],
            sort,
            descending: true,
            ..DeviceQuery::default()
        };
        let read = plan(&db, &vision, None);
        assert!(
            read.starts_with("SEARCH d USING INDEX devices_by_family_model (family=?)"),
            "{read}"
        );
        assert_eq!(
            walk(&db, &vision, 2),
            [
                (1, "VVVV000003".to_owned()),
                (1, "VVVV000002".to_owned()),
                (2, "VVVV000001".to_owned())
            ]
        );
    }
    let word = plan(&db, &text("vision"), None);
    assert!(
        word.starts_with("SEARCH d USING INTEGER PRIMARY KEY"),
        "{word}"
    );
    assert_eq!(find(&db, text("vision")).len(), 3);

    // Model words match the model column through its values.
    assert_eq!(db.count_devices(&text("iphone")).unwrap(), 700 + 1);
}

#[test]
fn a_copy_made_by_vacuum_searches_the_same() {
    let (_ws, db) = workspace();
    sample(&db);
    db.delete_devices(a(), &[SerialNumber::parse("C02AAA0002").unwrap()])
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    db.conn
        .execute(
            "VACUUM INTO ?1",
            [dir.path().join("depot.sqlite").to_string_lossy()],
        )
        .unwrap();
    let copy = Workspace::open(dir.path()).unwrap().connect().unwrap();
    for text in ["aaa0001", "tag-77", "bbb000", "iphone", "m3"] {
        let query = DeviceQuery {
            text: Some(text.into()),
            include_removed: true,
            ..DeviceQuery::default()
        };
        assert_eq!(find(&copy, query.clone()), find(&db, query), "{text}");
    }
    // The copy keeps every device's rowid, which its search entry is keyed by.
    let aligned = |db: &Db| -> (i64, i64) {
        db.conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM devices),
                        (SELECT COUNT(*) FROM device_search s JOIN devices d
                           ON d.rowid = s.rowid AND d.serial = s.serial
                          AND d.token_id = s.token_id)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    assert_eq!(aligned(&copy), (5, 5));
    copy.delete_devices(b(), &[SerialNumber::parse("DMPBBB0004").unwrap()])
        .unwrap();
    copy.conn
        .execute(
            "UPDATE devices SET asset_tag = 'NEW-1' WHERE serial = 'F9XCCC0006'",
            [],
        )
        .unwrap();
    assert_eq!(aligned(&copy), (4, 4));
    copy.conn
        .execute(
            "INSERT INTO device_search(device_search) VALUES ('integrity-check')",
            [],
        )
        .unwrap();
}

#[test]
fn the_migration_fills_the_new_tables_from_existing_rows() {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    crate::migrations::apply_pending(&mut conn, &crate::migrations::MIGRATIONS[..4]).unwrap();
    conn.execute_batch(
        "INSERT INTO tokens (id, server_name, server_uuid, org_name, apple_id, expires_at, created_at)
         VALUES (1, 'Alpha', 'u-1', 'Org', 'a@example.com', 0, 0);
         INSERT INTO devices (token_id, serial, model) VALUES (1, 'C02AAA0001', 'iPad Air'),
                                                              (1, 'C02AAA0002', 'Mac mini');
         INSERT INTO assignment_runs (id, token_id, kind, reason, operator, started_at)
         VALUES (1, 1, 'assign', 'manual', 't', 0), (2, 1, 'assign', 'manual', 't', 0);
         INSERT INTO assignment_results (run_id, serial, batch, outcome, at)
         VALUES (1, 'C02AAA0001', 0, 'FAILED', 5), (2, 'C02AAA0001', 0, 'SUCCESS', 6);",
    )
    .unwrap();
    crate::migrations::apply_pending(&mut conn, crate::migrations::MIGRATIONS).unwrap();
    let db = Db::from_connection(conn);
    assert_eq!(
        db.device(a(), &SerialNumber::parse("C02AAA0001").unwrap())
            .unwrap()
            .unwrap()
            .last_result,
        Some(LastResult {
            run_id: RunId::new(2),
            outcome: Some("SUCCESS".into()),
            at: Some(UnixSeconds::new(6))
        })
    );
    let found = find(
        &db,
        DeviceQuery {
            text: Some("mini".into()),
            ..DeviceQuery::default()
        },
    );
    assert_eq!(found, ["1:C02AAA0002"]);
    let distinct: HashSet<String> = find(&db, DeviceQuery::default()).into_iter().collect();
    assert_eq!(distinct.len(), 2);
}

#[test]
fn one_family_sorted_by_model_reads_the_family_model_index_in_order() {
    let (_ws, db) = workspace();
    // More iPads than a driving filter may match, and Macs and phones whose
    // models sort before and after theirs.
    let mut ipads = Vec::new();
    for i in 0..DRIVING_ROWS as usize + 100 {
        let mut d = dev(if i % 2 == 0 { a() } else { b() }, &format!("PAD{i:07}"));
        d.family = "iPad".into();
        d.model = ["iPad Air", "iPad Pro", "iPad mini"][i % 3].into();
        insert(&db, &d);
        ipads.push((d.model.clone(), d.serial.clone(), d.token));
        let mut mac = dev(a(), &format!("MAC{i:07}"));
        mac.family = "Mac".into();
        mac.model = "MacBook Pro".into();
        insert(&db, &mac);
    }
    for token in [None, Some(a())] {
        for descending in [false, true] {
            let query = DeviceQuery {
                families: vec!["iPad".into()],
                sort: DeviceSort::Model,
                token,
                descending,
                ..DeviceQuery::default()
            };
            let cursor = DeviceCursor {
                value: SortValue::Text("iPad Pro".into()),
                token_id: a(),
                serial: "PAD0001000".into(),
            };
            for after in [None, Some(&cursor)] {
                let plan = plan(&db, &query, after);
                let what = format!("{query:?} after {after:?}:\n{plan}");
                assert!(plan.contains("devices_by_family_model (family=?"), "{what}");
                assert!(!plan.contains("TEMP B-TREE"), "{what}");
            }
            // Page by page: every iPad of the token(s), in (model, serial,
            // token) order.
            let mut expected: Vec<_> = ipads
                .iter()
                .filter(|(_, _, t)| token.is_none_or(|only| only.get() == *t))
                .cloned()
                .collect();
            expected.sort();
            if descending {
                expected.reverse();
            }
            let expected: Vec<(i64, String)> =
                expected.into_iter().map(|(_, s, t)| (t, s)).collect();
            assert_eq!(walk(&db, &query, 97), expected, "{query:?}");
        }
    }
}
