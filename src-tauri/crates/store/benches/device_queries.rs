//! Device list queries at 200,000 devices (DEV-1, DEV-7).
//!
//! `cargo bench -p depot-store --bench device_queries --features test-support` builds a workspace file
//! in a temporary folder with 200,000 devices on two tokens through the sync
//! path, then times each query over many runs and prints p50 / p95 / max.
//! `DEPOT_BENCH_DEVICES` and `DEPOT_BENCH_RUNS` override the sizes.

use std::io::Write;
use std::time::{Duration, Instant};

use depot_domain::{
    DeviceChange, DeviceFamily, DeviceOp, DeviceRecord, ProfileId, ProfileStatus, SerialNumber,
    SyncRunId, TokenId, UnixSeconds,
};
use depot_store::Db;
use depot_store::assignments::{AssignmentKind, NewAssignmentRun, Outcome};
use depot_store::devices::{DeviceCursor, DeviceListRow, DeviceQuery, DeviceSort, ProfileFilter};
use depot_store::migrations::MIGRATIONS;
use depot_store::migrations::test_support::apply_pending;
use depot_store::profiles::NewProfileVersion;
use depot_store::tokens::{Environment, NewToken, TokenFacts};
use depot_store::{Result, Workspace};

/// A small deterministic generator (no entropy: runs are comparable).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn serial(&mut self) -> String {
        const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        (0..12)
            .map(|_| char::from(CHARS[self.next(CHARS.len())]))
            .collect()
    }
}

const MODELS: &[(&str, &str, DeviceFamily, &str)] = &[
    (
        "iPad Air (5th generation)",
        "IPAD AIR WI-FI 64GB",
        DeviceFamily::IPad,
        "iPadOS",
    ),
    (
        "iPad (10th generation)",
        "IPAD WI-FI 64GB",
        DeviceFamily::IPad,
        "iPadOS",
    ),
    (
        "iPad Pro 11-inch",
        "IPAD PRO 11 WI-FI 256GB",
        DeviceFamily::IPad,
        "iPadOS",
    ),
    (
        "MacBook Air 13-inch M2",
        "MBA 13.6 M2 8C CPU 8GB 256GB",
        DeviceFamily::Mac,
        "OSX",
    ),
    (
        "MacBook Pro 14-inch M3",
        "MBP 14 M3 8C CPU 16GB 512GB",
        DeviceFamily::Mac,
        "OSX",
    ),
    (
        "iMac 24-inch",
        "IMAC 24 M3 8C GPU 8GB 256GB",
        DeviceFamily::Mac,
        "OSX",
    ),
    ("iPhone 15", "IPHONE 15 128GB", DeviceFamily::IPhone, "iOS"),
    ("iPhone 14", "IPHONE 14 128GB", DeviceFamily::IPhone, "iOS"),
    (
        "Apple TV 4K",
        "APPLE TV 4K WI-FI 64GB",
        DeviceFamily::AppleTv,
        "tvOS",
    ),
];
/// One device in 2,000 (about 100 of 200,000).
const RARE_MODEL: (&str, &str, DeviceFamily, &str) = (
    "Apple Vision Pro",
    "VISION PRO 256GB",
    DeviceFamily::Vision,
    "visionOS",
);
const COLORS: &[&str] = &["SILVER", "SPACE GRAY", "BLUE", "STARLIGHT", "MIDNIGHT"];

struct Fleet {
    serials: Vec<(TokenId, SerialNumber)>,
    profile_ids: Vec<ProfileId>,
}

fn token(db: &Db, name: &str, tags: &[String]) -> Result<TokenId> {
    db.insert_token(&NewToken {
        facts: TokenFacts {
            server_name: name,
            server_uuid: name,
            org_name: "Bench School District",
            org_id: None,
            org_type: None,
            admin_id: None,
            expires_at: UnixSeconds::new(1_900_000_000),
        },
        apple_id: "admin@example.com",
        apple_url: "https://mdmenrollment.apple.com",
        environment: Environment::Apple,
        scope_tags: tags,
        key_fingerprint: "",
        created_at: UnixSeconds::new(1_700_000_000),
    })
}

fn record(rng: &mut Lcg, serial: &str, uuids: &[String]) -> DeviceRecord {
    let (model, description, family, os) = if rng.next(2_000) == 0 {
        &RARE_MODEL
    } else {
        &MODELS[rng.next(MODELS.len())]
    };
    let status = match rng.next(10) {
        0..=2 => ProfileStatus::Empty,
        3..=6 => ProfileStatus::Assigned,
        7..=8 => ProfileStatus::Pushed,
        _ => ProfileStatus::Removed,
    };
    let profile_uuid = match status {
        ProfileStatus::Assigned | ProfileStatus::Pushed => match rng.next(10) {
            0 => Some(format!("FOREIGN-{}", rng.next(5))),
            _ => Some(uuids[rng.next(uuids.len())].clone()),
        },
        _ => None,
    };
    DeviceRecord {
        serial: SerialNumber::parse(serial).expect("generated serials are valid"),
        model: (*model).to_owned(),
        description: (*description).to_owned(),
        color: COLORS[rng.next(COLORS.len())].to_owned(),
        asset_tag: (rng.next(10) < 3).then(|| format!("AT-{:06}", rng.next(1_000_000))),
        os: Some((*os).to_owned()),
        family: family.clone(),
        profile_status: status,
        profile_uuid,
        profile_assign_time: Some(1_700_000_000 + rng.next(30_000_000) as i64),
        profile_push_time: None,
        assigned_at: (rng.next(20) != 0).then(|| 1_600_000_000 + rng.next(100_000_000) as i64),
        assigned_by: Some("admin@example.com".to_owned()),
        facts: Default::default(),
    }
}

/// Two tokens, three profiles with two uploaded versions each, `count`
/// devices written through the sync path in pages of 1,000, 1% removed, and
/// one assignment run per token with results for 10,000 devices.
fn build(ws: &Workspace, count: usize) -> Result<Fleet> {
    let db = ws.connect()?;
    let tokens = db.write(|db| {
        Ok::<_, depot_store::StoreError>([
            token(
                db,
                "Lakeside Schools",
                &["school".to_owned(), "north".to_owned()],
            )?,
            token(db, "Hillview Office", &["office".to_owned()])?,
        ])
    })?;
    let mut uuids = Vec::new();
    let mut profile_ids = Vec::new();
    db.write(|db| {
        for (i, name) in ["Student iPads", "Staff Macs", "Kiosk"].iter().enumerate() {
            let token = tokens[i % 2];
            let id = db.insert_profile(
                token,
                name,
                None,
                depot_domain::profile::ApplePlatform::Ios,
                UnixSeconds::new(0),
            )?;
            profile_ids.push(id);
            for version in [1, 2] {
                db.insert_profile_version(&NewProfileVersion {
                    profile_id: id,
                    version,
                    spec: "{}",
                    apple_json: "{}",
                    created_at: UnixSeconds::new(0),
                    created_by: "bench",
                })?;
                let uuid = format!("{:032X}", (id.get() * 10 + version) * 7_919);
                db.record_profile_upload(id, version, Ok(&uuid), UnixSeconds::new(0))?;
                uuids.push(uuid);
            }
        }
        Ok::<_, depot_store::StoreError>(())
    })?;

    // Pages of a full fetch, generated up front so that a re-fetch lists the
    // very same records.
    let mut rng = Lcg(42);
    let mut serials = Vec::with_capacity(count);
    let mut pages: Vec<(TokenId, Vec<DeviceChange>)> = Vec::new();
    for (t, token) in tokens.iter().enumerate() {
        let share = if t == 0 {
            count * 3 / 5
        } else {
            count - count * 3 / 5
        };
        let mut left = share;
        while left > 0 {
            let n = left.min(1000);
            left -= n;
            let changes: Vec<DeviceChange> = (0..n)
                .map(|_| {
                    let serial = rng.serial();
                    serials.push((*token, SerialNumber::parse(&serial).expect("a serial")));
                    DeviceChange {
                        op: DeviceOp::Listed,
                        op_date: Some(1_700_000_000),
                        record: record(&mut rng, &serial, &uuids),
                    }
                })
                .collect();
            pages.push((*token, changes));
        }
    }
    // Experiments: DEPOT_BENCH_DROP=name,name drops triggers/indexes before
    // the fetches, to see what each costs a sync.
    if let Ok(list) = std::env::var("DEPOT_BENCH_DROP") {
        let conn = rusqlite::Connection::open(ws.file().expect("a file workspace"))?;
        for name in list.split(',').filter(|n| !n.is_empty()) {
            conn.execute_batch(&format!(
                "DROP TRIGGER IF EXISTS {name}; DROP INDEX IF EXISTS {name};"
            ))?;
        }
    }
    for (run, what) in [
        (1, "first full fetch"),
        (2, "full re-fetch, nothing changed"),
    ] {
        let started = Instant::now();
        for (token, changes) in &pages {
            db.write(|db| {
                db.apply_device_changes(
                    *token,
                    changes,
                    Some(SyncRunId::new(run)),
                    UnixSeconds::new(1_700_000_000),
                )
            })?;
        }
        println!(
            "{what}: {count} devices through apply_device_changes in pages of 1,000: {:.2?}",
            started.elapsed()
        );
    }

    if std::env::var_os("DEPOT_BENCH_INSERT_ONLY").is_some() {
        std::process::exit(0);
    }
    // 1% removed (Apple no longer lists them).
    db.write(|db| {
        for (token, serial) in serials.iter().step_by(100) {
            let change = DeviceChange {
                op: DeviceOp::Deleted,
                op_date: Some(1_700_000_100),
                record: record(&mut Lcg(1), serial.as_str(), &uuids),
            };
            db.apply_device_changes(*token, &[change], None, UnixSeconds::new(1_700_000_100))?;
        }
        Ok::<_, depot_store::StoreError>(())
    })?;

    // One assignment run per token over 5,000 of its devices, mixed outcomes.
    let started = Instant::now();
    for token in tokens {
        let run_serials: Vec<SerialNumber> = serials
            .iter()
            .filter(|(t, _)| *t == token)
            .skip(7)
            .step_by(7)
            .take(5_000)
            .map(|(_, s)| s.clone())
            .collect();
        db.write(|db| {
            let run = db.insert_assignment_run(
                &NewAssignmentRun {
                    token,
                    kind: AssignmentKind::Assign,
                    reason: depot_store::assignments::AssignReason::Manual,
                    profile_id: Some(profile_ids[0]),
                    profile_version: Some(2),
                    apple_uuid: Some(&uuids[1]),
                    operator: "bench",
                    started_at: UnixSeconds::new(1_700_000_000),
                },
                &run_serials,
                1000,
            )?;
            let results: Vec<(SerialNumber, Outcome, Option<String>)> = run_serials
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let outcome = match i % 50 {
                        0 => Outcome::Failed,
                        1 => Outcome::NotAccessible,
                        _ => Outcome::Success,
                    };
                    (s.clone(), outcome, None)
                })
                .collect();
            db.record_assignment_results(run, &results, UnixSeconds::new(1_700_000_500))
        })?;
    }
    println!(
        "2 assignment runs of 5,000 serials (pending rows, then results): {:.2?}",
        started.elapsed()
    );
    Ok(Fleet {
        serials,
        profile_ids,
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

struct Report {
    lines: Vec<(String, Duration, Duration, Duration, String)>,
}

impl Report {
    fn time<T>(
        &mut self,
        name: &str,
        runs: usize,
        mut work: impl FnMut(usize) -> Result<T>,
        describe: impl Fn(&T) -> String,
    ) -> Result<()> {
        let mut times = Vec::with_capacity(runs);
        let mut last = None;
        work(0)?; // warm the page cache and the statement cache
        for i in 0..runs {
            let started = Instant::now();
            let out = work(i + 1)?;
            times.push(started.elapsed());
            last = Some(out);
        }
        times.sort();
        let note = last.as_ref().map(describe).unwrap_or_default();
        self.lines.push((
            name.to_owned(),
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            *times.last().unwrap_or(&Duration::ZERO),
            note,
        ));
        let (n, p50, p95, max, note) = self.lines.last().expect("just pushed");
        println!("{n:<44} p50 {p50:>10.2?}  p95 {p95:>10.2?}  max {max:>10.2?}  {note}");
        Ok(())
    }
}

fn csv_field(out: &mut Vec<u8>, text: &str) {
    if text.contains([',', '"', '\n']) {
        out.push(b'"');
        out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

fn csv_row(out: &mut Vec<u8>, row: &DeviceListRow) -> std::io::Result<()> {
    csv_field(out, &row.token_name);
    out.push(b',');
    csv_field(out, &row.serial);
    out.push(b',');
    csv_field(out, &row.model);
    out.push(b',');
    csv_field(out, &row.description);
    out.push(b',');
    csv_field(out, &row.color);
    out.push(b',');
    csv_field(out, row.asset_tag.as_deref().unwrap_or(""));
    out.push(b',');
    csv_field(out, row.os.as_deref().unwrap_or(""));
    out.push(b',');
    csv_field(out, &row.family);
    out.push(b',');
    csv_field(out, &row.profile_status);
    out.push(b',');
    csv_field(
        out,
        row.depot_profile.as_ref().map_or("", |p| p.name.as_str()),
    );
    writeln!(
        out,
        ",{},{}",
        row.assigned_at.unwrap_or_default(),
        row.last_result
            .as_ref()
            .and_then(|r| r.outcome.as_deref())
            .unwrap_or("")
    )
}

/// The write cost of migration 0005 (indexes, search index, triggers) and of
/// 0016 (the family + model index): the sync's upsert of `count` new
/// devices, then of the same devices unchanged (a full re-fetch), on schema
/// 4, on schema 15 and on the current schema.
fn write_cost(dir: &std::path::Path, count: usize) -> Result<()> {
    const UPSERT: &str = "INSERT INTO devices (token_id, serial, model, description, color,
            asset_tag, os, family, profile_status, profile_uuid, assigned_at, updated_at, seen_run)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, 'iPadOS', 'iPad', 'assigned', ?6, ?7, ?8, 1)
         ON CONFLICT (token_id, serial) DO UPDATE SET
             model = excluded.model, description = excluded.description, color = excluded.color,
             asset_tag = excluded.asset_tag, os = excluded.os, family = excluded.family,
             profile_status = excluded.profile_status, profile_uuid = excluded.profile_uuid,
             assigned_at = excluded.assigned_at, updated_at = excluded.updated_at,
             removed_at = NULL, seen_run = excluded.seen_run";
    for (label, schema) in [
        ("schema 4", &MIGRATIONS[..4]),
        (
            "schema 15 (before the family + model index)",
            &MIGRATIONS[..15],
        ),
        ("current schema", MIGRATIONS),
    ] {
        let path = dir.join(format!("write-{}.sqlite", schema.len()));
        let mut conn = rusqlite::Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "wal")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "cache_size", -65_536)?;
        apply_pending(&mut conn, schema)?;
        conn.execute_batch(
            "INSERT INTO tokens (id, server_name, server_uuid, org_name, apple_id, expires_at,
                                 created_at) VALUES (1, 'w', 'w', 'o', 'a', 0, 0)",
        )?;
        let mut times = Vec::new();
        for pass in 0..2 {
            let mut rng = Lcg(9);
            let started = Instant::now();
            let mut left = count;
            while left > 0 {
                let tx = conn.transaction()?;
                {
                    let mut upsert = tx.prepare_cached(UPSERT)?;
                    for _ in 0..left.min(1000) {
                        let (model, description, _, _) = &MODELS[rng.next(MODELS.len())];
                        upsert.execute(rusqlite::params![
                            rng.serial(),
                            model,
                            description,
                            COLORS[rng.next(COLORS.len())],
                            format!("AT-{:06}", rng.next(1_000_000)),
                            format!("UUID-{}", rng.next(3)),
                            1_600_000_000 + rng.next(100_000_000) as i64,
                            1_700_000_000 + pass,
                        ])?;
                    }
                }
                tx.commit()?;
                left -= left.min(1000);
            }
            times.push(started.elapsed());
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
            + std::fs::metadata(path.with_extension("sqlite-wal"))
                .map(|m| m.len())
                .unwrap_or(0);
        println!(
            "write cost, {label}: insert {count} {:.2?}, re-upsert unchanged {:.2?}, file+wal {:.1} MB",
            times[0],
            times[1],
            size as f64 / 1e6
        );
    }
    Ok(())
}

fn main() -> Result<()> {
    let count: usize = std::env::var("DEPOT_BENCH_DEVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let runs: usize = std::env::var("DEPOT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().map_err(|e| depot_store::StoreError::Folder {
        path: std::env::temp_dir(),
        source: e,
    })?;
    if std::env::var_os("DEPOT_BENCH_INSERT_ONLY").is_none() {
        write_cost(dir.path(), count)?;
    }
    if std::env::var_os("DEPOT_BENCH_WRITE_ONLY").is_some() {
        return Ok(());
    }

    let ws = Workspace::open(dir.path().join("ws"))?;
    let fleet = build(&ws, count)?;
    let file = ws.file().expect("a file workspace");
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!("workspace file: {:.1} MB", size as f64 / 1e6);

    let db = ws.connect()?;
    let mut rng = Lcg(5);
    // Cursors at random devices: a page "deep in the list".
    let mut cursors: Vec<DeviceCursor> = Vec::new();
    for _ in 0..64 {
        let (token, serial) = &fleet.serials[rng.next(fleet.serials.len())];
        if let Some(row) = db.device(*token, serial)? {
            cursors.push(DeviceCursor::after(&row, DeviceSort::Serial));
        }
    }
    let serial_at = |i: usize| fleet.serials[(i * 7_919) % fleet.serials.len()].1.clone();
    let default = DeviceQuery::default();
    let first_token = fleet.serials[0].0;

    println!();
    println!("plans:");
    let show = |name: &str, q: &DeviceQuery, after: Option<&DeviceCursor>| -> Result<()> {
        println!("  {name}: {}", db.device_query_plan(q, after)?.join(" / "));
        Ok(())
    };
    show("first page", &default, None)?;
    show("next page", &default, cursors.first())?;
    show(
        "token, next page",
        &DeviceQuery {
            token: Some(first_token),
            ..DeviceQuery::default()
        },
        cursors.first(),
    )?;
    show(
        "model sort, next page",
        &DeviceQuery {
            sort: DeviceSort::Model,
            ..DeviceQuery::default()
        },
        cursors
            .first()
            .map(|c| DeviceCursor {
                value: depot_store::devices::SortValue::Text("iPad".into()),
                ..c.clone()
            })
            .as_ref(),
    )?;
    show(
        "prefix",
        &DeviceQuery {
            serial_prefix: Some("C02".into()),
            ..DeviceQuery::default()
        },
        None,
    )?;
    show(
        "text",
        &DeviceQuery {
            text: Some("c02x".into()),
            ..DeviceQuery::default()
        },
        None,
    )?;
    for text in ["vision", "at-", "ipad 64gb"] {
        show(
            &format!("text {text:?}"),
            &DeviceQuery {
                text: Some(text.into()),
                ..DeviceQuery::default()
            },
            None,
        )?;
    }
    show(
        "model sort, family iPad",
        &DeviceQuery {
            families: vec!["iPad".into()],
            sort: DeviceSort::Model,
            ..DeviceQuery::default()
        },
        None,
    )?;
    show(
        "model sort, small filter (Vision family)",
        &DeviceQuery {
            families: vec!["Vision".into()],
            models: vec!["Apple Vision Pro".into()],
            sort: DeviceSort::Model,
            ..DeviceQuery::default()
        },
        None,
    )?;
    show(
        "status",
        &DeviceQuery {
            statuses: vec![ProfileStatus::Assigned],
            ..DeviceQuery::default()
        },
        None,
    )?;
    show(
        "last result FAILED",
        &DeviceQuery {
            last_result: Some("FAILED".into()),
            ..DeviceQuery::default()
        },
        None,
    )?;
    println!();

    let mut report = Report { lines: Vec::new() };
    let rows = |r: &Vec<DeviceListRow>| format!("{} rows", r.len());
    report.time(
        "first page, serial sort (limit 100)",
        runs,
        |_| db.query_devices(&default, None, 100),
        rows,
    )?;
    report.time(
        "page deep in the list (cursor), serial",
        runs,
        |i| db.query_devices(&default, Some(&cursors[i % cursors.len()]), 100),
        rows,
    )?;
    let one_token = DeviceQuery {
        token: Some(first_token),
        ..DeviceQuery::default()
    };
    report.time(
        "page deep, one token",
        runs,
        |i| db.query_devices(&one_token, Some(&cursors[i % cursors.len()]), 100),
        rows,
    )?;
    for (name, sort) in [
        ("page deep, model sort desc", DeviceSort::Model),
        ("page deep, assigned date sort", DeviceSort::AssignedDate),
        ("page deep, status sort", DeviceSort::Status),
    ] {
        let query = DeviceQuery {
            sort,
            descending: sort == DeviceSort::Model,
            ..DeviceQuery::default()
        };
        // Cursors of this sort: rows at random places.
        let mut sorted_cursors = Vec::new();
        for c in &cursors {
            if let Some(row) = db.device(
                c.token_id,
                &SerialNumber::parse(&c.serial).expect("a serial"),
            )? {
                sorted_cursors.push(DeviceCursor::after(&row, sort));
            }
        }
        report.time(
            name,
            runs,
            |i| db.query_devices(&query, Some(&sorted_cursors[i % sorted_cursors.len()]), 100),
            rows,
        )?;
    }
    report.time(
        "serial prefix (3 chars), first page",
        runs,
        |i| {
            let q = DeviceQuery {
                serial_prefix: Some(serial_at(i).as_str()[..3].to_lowercase()),
                ..DeviceQuery::default()
            };
            db.query_devices(&q, None, 100)
        },
        rows,
    )?;
    report.time(
        "serial prefix (1 char), model sort",
        runs,
        |i| {
            let q = DeviceQuery {
                serial_prefix: Some(serial_at(i).as_str()[..1].to_owned()),
                sort: DeviceSort::Model,
                ..DeviceQuery::default()
            };
            db.query_devices(&q, None, 100)
        },
        rows,
    )?;
    report.time(
        "text: 4 chars of a serial, first page",
        runs,
        |i| {
            let q = DeviceQuery {
                text: Some(serial_at(i).as_str()[3..7].to_owned()),
                ..DeviceQuery::default()
            };
            db.query_devices(&q, None, 100)
        },
        rows,
    )?;
    report.time(
        "text: asset tag \"AT-1234\", first page",
        runs,
        |i| {
            let q = DeviceQuery {
                text: Some(format!("at-{:04}", 1000 + i % 9000)),
                ..DeviceQuery::default()
            };
            db.query_devices(&q, None, 100)
        },
        rows,
    )?;
    let broad = DeviceQuery {
        text: Some("macbook air".into()),
        ..DeviceQuery::default()
    };
    report.time(
        "text: \"macbook air\" (~11% of rows)",
        runs,
        |_| db.query_devices(&broad, None, 100),
        rows,
    )?;
    for (name, text) in [
        ("text: \"vision\" (a model on 0.05%)", "vision"),
        ("text: \"at-\" (every asset tag, 30%)", "at-"),
        ("text: \"ipad 64gb\" (two model words)", "ipad 64gb"),
    ] {
        let query = DeviceQuery {
            text: Some(text.into()),
            ..DeviceQuery::default()
        };
        report.time(name, runs, |_| db.query_devices(&query, None, 100), rows)?;
    }
    let short = DeviceQuery {
        text: Some("m2".into()),
        ..DeviceQuery::default()
    };
    report.time(
        "text: \"m2\" (2 chars: LIKE scan)",
        runs,
        |_| db.query_devices(&short, None, 100),
        rows,
    )?;
    let assigned = DeviceQuery {
        statuses: vec![ProfileStatus::Assigned],
        ..DeviceQuery::default()
    };
    report.time(
        "status = assigned, page deep",
        runs,
        |i| db.query_devices(&assigned, Some(&cursors[i % cursors.len()]), 100),
        rows,
    )?;
    let failed = DeviceQuery {
        last_result: Some("FAILED".into()),
        ..DeviceQuery::default()
    };
    report.time(
        "last result FAILED, first page",
        runs,
        |_| db.query_devices(&failed, None, 100),
        rows,
    )?;
    let tv = DeviceQuery {
        families: vec!["AppleTV".into()],
        ..DeviceQuery::default()
    };
    report.time(
        "family AppleTV (~11%), first page",
        runs,
        |_| db.query_devices(&tv, None, 100),
        rows,
    )?;
    // The device list's "family" facet with the model column sorted: the
    // load benchmark's slowest call before migration 0016.
    let ipad_by_model = DeviceQuery {
        families: vec!["iPad".into()],
        sort: DeviceSort::Model,
        ..DeviceQuery::default()
    };
    report.time(
        "family iPad, model sort, first page",
        runs,
        |_| db.query_devices(&ipad_by_model, None, 100),
        rows,
    )?;
    report.time(
        "family iPad, model sort, page deep",
        runs,
        |i| {
            let (token, serial) = &fleet.serials[(i * 7_919) % fleet.serials.len()];
            let cursor = db
                .device(*token, serial)?
                .map(|row| DeviceCursor::after(&row, DeviceSort::Model));
            db.query_devices(&ipad_by_model, cursor.as_ref(), 100)
        },
        rows,
    )?;
    report.time(
        "count, family iPad",
        runs,
        |_| db.count_devices(&ipad_by_model),
        |n| format!("{n}"),
    )?;
    let profile = DeviceQuery {
        profile: Some(ProfileFilter::Profile(fleet.profile_ids[0])),
        ..DeviceQuery::default()
    };
    report.time(
        "Depot profile, first page",
        runs,
        |_| db.query_devices(&profile, None, 100),
        rows,
    )?;
    report.time(
        "count, all active",
        runs,
        |_| db.count_devices(&default),
        |n| format!("{n}"),
    )?;
    let filtered = DeviceQuery {
        token: Some(first_token),
        statuses: vec![ProfileStatus::Assigned, ProfileStatus::Pushed],
        families: vec!["iPad".into()],
        ..DeviceQuery::default()
    };
    report.time(
        "count, token + 2 statuses + family",
        runs,
        |_| db.count_devices(&filtered),
        |n| format!("{n}"),
    )?;
    report.time(
        "facets, no filter",
        runs,
        |_| db.device_facets(&default),
        |f| format!("{} models, {} profiles", f.models.len(), f.profiles.len()),
    )?;
    report.time(
        "facets, token + 2 statuses + family",
        runs,
        |_| db.device_facets(&filtered),
        |f| format!("{} statuses", f.statuses.len()),
    )?;
    report.time(
        "facets, text \"macbook\"",
        runs,
        |_| {
            db.device_facets(&DeviceQuery {
                text: Some("macbook".into()),
                ..DeviceQuery::default()
            })
        },
        |f| format!("{} models", f.models.len()),
    )?;
    let lookups: Vec<SerialNumber> = (0..10_000).map(serial_at).collect();
    report.time(
        "classify 10,000 pasted serials",
        runs.min(50),
        |_| db.classify_serials(first_token, &lookups),
        |m| format!("{} serials", m.len()),
    )?;
    report.time(
        "export every active row to CSV (Vec)",
        runs,
        |_| {
            let mut out = Vec::with_capacity(32 << 20);
            let mut n = 0u64;
            db.export_devices(&default, &mut |row| {
                n += 1;
                csv_row(&mut out, row).map_err(|e| depot_store::StoreError::Folder {
                    path: "csv".into(),
                    source: e,
                })
            })?;
            Ok((n, out.len()))
        },
        |(n, bytes)| format!("{n} rows, {:.1} MB", *bytes as f64 / 1e6),
    )?;
    let doomed: Vec<SerialNumber> = fleet
        .serials
        .iter()
        .filter(|(t, _)| *t == first_token)
        .take(10_000)
        .map(|(_, s)| s.clone())
        .collect();
    let started = Instant::now();
    let deleted = db.write(|db| db.delete_devices(first_token, &doomed))?;
    println!(
        "\ndelete_devices of {deleted} devices (one transaction): {:.2?}",
        started.elapsed()
    );
    println!(
        "{count} devices, {runs} runs each (classify: {}).",
        runs.min(50)
    );
    Ok(())
}
