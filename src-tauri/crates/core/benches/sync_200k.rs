//! NFR-1 sync benchmark: a full sync of 200,000 devices from the simulator into
//! a file workspace, then a delta sync of 10,000 changes, each against a
//! baseline measured in the same run that only downloads and JSON-decodes the
//! same pages. Prints devices/s, the ratio sync/baseline and peak RSS.
//!
//! `cargo bench -p depot-core --bench sync_200k --features demo` (release build). Not a test:
//! numbers are printed, never asserted.
//!
//! The simulator answers as fast as loopback allows, which shows Depot's own
//! cost; Apple takes far longer per page. `DEPOT_BENCH_LATENCY_MS` (default
//! `0,25`) lists the answer delays to run with: each gets a new workspace and
//! its own baseline with the same delay. Experiments: `DEPOT_BENCH_DROP` drops
//! triggers/indexes first, `DEPOT_BENCH_SQL` runs SQL on the new workspace, `DEPOT_BENCH_PAGES_PER_COMMIT` sets the group size.

use std::sync::Arc;
use std::time::Instant;

use depot_core::sync::SyncRequest;
use depot_core::{Depot, DepotOptions, SystemClock, TokenFileInput};
use depot_sim::{ChangeBatch, RunningSim, ServerSpec, Simulator};

const DEVICES: u32 = 200_000;
const SERVER: &str = "Bench";

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Downloads and decodes every page from `cursor` (or a full fetch), like a
/// sync minus everything Depot does with the devices.
async fn baseline(
    client: &depot_apple::AppleClient,
    cursor: Option<String>,
    delta: bool,
) -> (usize, f64) {
    let (n, s, _) = baseline_pages(client, cursor, delta, false).await;
    (n, s)
}

/// [`baseline`], keeping the decoded pages when `keep`.
async fn baseline_pages(
    client: &depot_apple::AppleClient,
    cursor: Option<String>,
    delta: bool,
    keep: bool,
) -> (usize, f64, Vec<depot_apple::DevicePage>) {
    let start = Instant::now();
    let mut cursor = cursor;
    let mut n = 0;
    let mut pages = Vec::new();
    loop {
        let page = if delta {
            client
                .sync_devices(cursor.as_deref().unwrap(), 1000)
                .await
                .unwrap()
        } else {
            client.fetch_devices(cursor.as_deref(), 1000).await.unwrap()
        };
        n += page.changes.len();
        cursor = Some(page.cursor.clone());
        let more = page.more_to_follow;
        if keep {
            pages.push(page);
        }
        if !more {
            break;
        }
    }
    (n, start.elapsed().as_secs_f64(), pages)
}

/// What SQLite alone costs: the decoded records inserted into one table with
/// no index, trigger or lookup, 25 pages per transaction, in a WAL file
/// configured like a workspace. Depot cannot write its devices faster.
fn sqlite_floor(dir: &std::path::Path, pages: &[depot_apple::DevicePage]) -> f64 {
    let conn = rusqlite::Connection::open(dir.join("floor.sqlite")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;
         CREATE TABLE d (serial TEXT, model TEXT, description TEXT, color TEXT, asset_tag TEXT,
                         os TEXT, family TEXT, profile_status TEXT, profile_uuid TEXT,
                         profile_assign_time INTEGER, profile_push_time INTEGER,
                         assigned_at INTEGER, assigned_by TEXT, op_date INTEGER);",
    )
    .unwrap();
    let start = Instant::now();
    for group in pages.chunks(25) {
        let tx = conn.unchecked_transaction().unwrap();
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO d VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")
                .unwrap();
            for change in group.iter().flat_map(|p| &p.changes) {
                let r = &change.record;
                insert
                    .execute(rusqlite::params![
                        r.serial.as_str(),
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
                        change.op_date
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    start.elapsed().as_secs_f64()
}

fn main() {
    let latencies: Vec<u64> = std::env::var("DEPOT_BENCH_LATENCY_MS")
        .unwrap_or_else(|_| "0,25".into())
        .split(',')
        .map(|n| n.trim().parse().expect("DEPOT_BENCH_LATENCY_MS: numbers"))
        .collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let sim = Simulator::builder()
            .seed(9)
            .server(ServerSpec::new(SERVER, "Benchmark Org", DEVICES))
            .start()
            .await
            .unwrap();
        for latency in latencies {
            sim.update_faults(|f| f.latency_ms = 0);
            scenario(&sim, latency).await;
        }
        match peak_rss_mib() {
            Some(mib) => println!("peak RSS (simulator + Depot in one process): {mib:.0} MiB"),
            None => println!("peak RSS: not available on this platform"),
        }
    });
}

/// A full sync into a new workspace, then a delta of 10,000 changes, each
/// after its baseline, with the simulator answering after `latency` ms.
async fn scenario(sim: &RunningSim, latency: u64) {
    println!("simulator answer delay {latency} ms per call:");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SystemClock);
    let options = DepotOptions {
        clock: clock.clone(),
        ..DepotOptions::for_tests(clock.clone())
    };
    let depot = Depot::open(dir.path(), options).unwrap();
    let key = depot.generate_key(false).unwrap();
    let p7m = sim
        .issue_token(SERVER, key.certificate_pem.as_bytes())
        .unwrap();
    let file = TokenFileInput::Contents {
        file_name: "b.p7m".into(),
        contents: p7m.into_bytes(),
    };
    let token = depot
        .add_token(&file, "bench@example.com", &[], Some(sim.base_url()))
        .await
        .unwrap()
        .id;
    let creds = sim.credentials(SERVER).unwrap();
    let oauth = depot_apple::OAuthCredentials {
        consumer_key: depot_domain::SecretString::new(creds.consumer_key.clone()),
        consumer_secret: depot_domain::SecretString::new(creds.consumer_secret.clone()),
        access_token: depot_domain::SecretString::new(creds.access_token.clone()),
        access_secret: depot_domain::SecretString::new(creds.access_secret.clone()),
    };
    let url = depot_apple::AppleUrl::parse(sim.base_url(), depot_apple::AppleHosts::AllowTestHosts)
        .unwrap();
    let client = depot_apple::AppleClient::new(&url, oauth, clock.clone());
    if let Ok(list) = std::env::var("DEPOT_BENCH_DROP") {
        let conn = rusqlite::Connection::open(depot.workspace().file().unwrap()).unwrap();
        for name in list.split(',').filter(|n| !n.is_empty()) {
            conn.execute_batch(&format!(
                "DROP TRIGGER IF EXISTS {name}; DROP INDEX IF EXISTS {name};"
            ))
            .unwrap();
        }
    }
    if let Ok(sql) = std::env::var("DEPOT_BENCH_SQL") {
        let conn = rusqlite::Connection::open(depot.workspace().file().unwrap()).unwrap();
        conn.execute_batch(&sql).unwrap();
    }
    let mut request = SyncRequest {
        ignore_pacing: true,
        ..SyncRequest::manual(false)
    };
    if let Ok(n) = std::env::var("DEPOT_BENCH_PAGES_PER_COMMIT") {
        request.pages_per_commit = n.parse().unwrap();
    }
    sim.update_faults(|f| f.latency_ms = latency);

    let (base_n, base_s, pages) = baseline_pages(&client, None, false, latency == 0).await;
    if !pages.is_empty() {
        let floor_s = sqlite_floor(dir.path(), &pages);
        println!(
            "  SQLite floor: the same records into one unindexed table {floor_s:.2} s (ratio to baseline {:.2})",
            floor_s / base_s
        );
    }
    drop(pages);
    let start = Instant::now();
    let full = depot.sync_token(token, request, &|_| {}).await.unwrap();
    let full_s = start.elapsed().as_secs_f64();
    println!(
        "  full sync   {:>7} devices  {:>6.2} s  {:>9.0} devices/s | baseline (download + decode) {:>6.2} s, {:>9.0} devices/s | ratio {:.2}",
        full.device_count,
        full_s,
        full.device_count as f64 / full_s,
        base_s,
        base_n as f64 / base_s,
        full_s / base_s
    );

    let cursor = depot
        .workspace()
        .connect()
        .unwrap()
        .sync_state(token)
        .unwrap()
        .cursor;
    sim.apply_changes(
        SERVER,
        ChangeBatch {
            added: 4_000,
            modified: 3_000,
            released: 3_000,
            set_up: 0,
        },
    )
    .unwrap();
    let (dbase_n, dbase_s) = baseline(&client, cursor, true).await;
    let start = Instant::now();
    let delta = depot.sync_token(token, request, &|_| {}).await.unwrap();
    let delta_s = start.elapsed().as_secs_f64();
    let changes = delta.added + delta.modified + delta.removed;
    println!(
        "  delta sync  {:>7} changes  {:>6.2} s  {:>9.0} changes/s | baseline {:>6.2} s ({} records) | ratio {:.2}",
        changes,
        delta_s,
        changes as f64 / delta_s,
        dbase_s,
        dbase_n,
        delta_s / dbase_s
    );
}
