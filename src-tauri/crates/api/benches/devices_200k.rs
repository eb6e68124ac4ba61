//! NFR-1 device list and assignment benchmark. A workspace with 200,000
//! devices (made by syncing the simulator), then, each timed through
//! `api::dispatch` (JSON in, JSON out) over many runs, against the same query
//! as bare SQL on the same file in the same run:
//! the first page of the list, a serial-prefix search, a filtered count and a
//! CSV export; and an assignment of 10,000 serials against the simulator next
//! to the bare HTTP calls (the Apple client alone, no database).
//!
//! `cargo bench -p depot-api --bench devices_200k`. Numbers are printed, never asserted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use depot_core::assign::{AssignReason, AssignRequest};
use depot_core::sync::SyncRequest;
use depot_core::{Depot, DepotOptions, SystemClock, TokenFileInput};
use depot_sim::{ServerSpec, Simulator};
use serde_json::json;

const DEVICES: u32 = 200_000;
const SERVER: &str = "Bench";
const RUNS: usize = 200;

struct Stats {
    p50: Duration,
    p95: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Stats {
        p50: at(0.50),
        p95: at(0.95),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(name: &str, api: &Stats, sql: &Stats) {
    println!(
        "{name:<22} api p50 {:>8.2} ms  p95 {:>8.2} ms | bare SQL p50 {:>8.2} ms  p95 {:>8.2} ms | ratio p50 {:>5.2}",
        ms(api.p50),
        ms(api.p95),
        ms(sql.p50),
        ms(sql.p95),
        api.p50.as_secs_f64() / sql.p50.as_secs_f64().max(1e-9)
    );
}

const COLUMNS: &str = "token_id, serial, model, description, color, asset_tag, os, family, \
     profile_status, profile_uuid, profile_assign_time, assigned_at, assigned_by, removed_at";

fn bare_rows(conn: &rusqlite::Connection, sql: &str, params: &[&dyn rusqlite::ToSql]) -> usize {
    let mut stmt = conn.prepare_cached(sql).unwrap();
    let mut rows = stmt.query(params).unwrap();
    let mut n = 0;
    while let Some(row) = rows.next().unwrap() {
        let _: String = row.get(1).unwrap();
        let _: String = row.get(2).unwrap();
        n += 1;
    }
    n
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let sim = Simulator::builder()
            .seed(11)
            .server(ServerSpec::new(SERVER, "Benchmark Org", DEVICES))
            .start()
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(SystemClock);
        let options = DepotOptions {
            clock: clock.clone(),
            ..DepotOptions::for_tests(clock.clone())
        };
        let depot = Arc::new(Depot::open(dir.path(), options).unwrap());
        let key = depot.generate_key(false).unwrap();
        let p7m = sim.issue_token(SERVER, key.certificate_pem.as_bytes()).unwrap();
        let file = TokenFileInput::Contents {
            file_name: "b.p7m".into(),
            contents: p7m.into_bytes(),
        };
        let token = depot
            .add_token(&file, "bench@example.com", &[], Some(sim.base_url()))
            .await
            .unwrap()
            .id;
        let start = Instant::now();
        let request = SyncRequest {
            ignore_pacing: true,
            ..SyncRequest::manual(false)
        };
        depot.sync_token(token, request, &|_| {}).await.unwrap();
        println!(
            "workspace: {DEVICES} devices synced in {:.1} s",
            start.elapsed().as_secs_f64()
        );

        let conn = rusqlite::Connection::open(dir.path().join("depot.sqlite")).unwrap();
        let first_serial: String = conn
            .query_row(
                "SELECT serial FROM devices ORDER BY serial LIMIT 1 OFFSET 77777",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let prefix = first_serial[..3].to_owned();
        let upper = format!("{prefix}\u{7f}");

        let call = |name: &'static str, payload: serde_json::Value| {
            let depot = Arc::clone(&depot);
            async move {
                let t = Instant::now();
                depot_api::dispatch(depot, name, payload).await.unwrap();
                t.elapsed()
            }
        };

        // First page.
        let mut api = Vec::new();
        let mut sql = Vec::new();
        let first_sql = format!(
            "SELECT {COLUMNS} FROM devices WHERE removed_at IS NULL ORDER BY serial, token_id LIMIT 100"
        );
        for _ in 0..RUNS {
            api.push(call("devices.list", json!({ "query": {}, "limit": 100 })).await);
            let t = Instant::now();
            assert_eq!(bare_rows(&conn, &first_sql, &[]), 100);
            sql.push(t.elapsed());
        }
        report("first page (100)", &stats(api), &stats(sql));

        // Serial prefix search.
        let mut api = Vec::new();
        let mut sql = Vec::new();
        let prefix_sql = format!(
            "SELECT {COLUMNS} FROM devices WHERE removed_at IS NULL AND serial >= ?1 AND serial < ?2 \
             ORDER BY serial, token_id LIMIT 100"
        );
        for _ in 0..RUNS {
            api.push(
                call(
                    "devices.list",
                    json!({ "query": { "serialPrefix": prefix }, "limit": 100 }),
                )
                .await,
            );
            let t = Instant::now();
            bare_rows(&conn, &prefix_sql, &[&prefix, &upper]);
            sql.push(t.elapsed());
        }
        report(&format!("prefix '{prefix}' search"), &stats(api), &stats(sql));

        // Free-text search (trigram index) against a bare LIKE scan.
        let mut api = Vec::new();
        let mut sql = Vec::new();
        let needle = first_serial[4..8].to_owned();
        let like_sql = format!(
            "SELECT {COLUMNS} FROM devices WHERE removed_at IS NULL AND serial LIKE ?1 \
             ORDER BY serial, token_id LIMIT 100"
        );
        let pattern = format!("%{needle}%");
        for _ in 0..RUNS / 4 {
            api.push(
                call(
                    "devices.list",
                    json!({ "query": { "text": needle }, "limit": 100 }),
                )
                .await,
            );
            let t = Instant::now();
            bare_rows(&conn, &like_sql, &[&pattern]);
            sql.push(t.elapsed());
        }
        report(&format!("text '{needle}' search"), &stats(api), &stats(sql));

        // Filtered count.
        let mut api = Vec::new();
        let mut sql = Vec::new();
        for _ in 0..RUNS {
            api.push(
                call(
                    "devices.count",
                    json!({ "query": { "families": ["iPad"] } }),
                )
                .await,
            );
            let t = Instant::now();
            let _: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM devices WHERE removed_at IS NULL AND family = 'iPad'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            sql.push(t.elapsed());
        }
        report("count family=iPad", &stats(api), &stats(sql));

        // CSV export of every device: the API answers the CSV text (the
        // desktop's save dialog or the browser writes the file), the bare side
        // builds the same text.
        let mut api = Vec::new();
        let mut sql = Vec::new();
        let all_sql =
            format!("SELECT {COLUMNS} FROM devices WHERE removed_at IS NULL ORDER BY serial, token_id");
        for _ in 0..5 {
            api.push(
                call("devices.export", json!({ "query": {} })).await,
            );
            let t = Instant::now();
            let mut csv = String::with_capacity(32 << 20);
            let mut stmt = conn.prepare_cached(&all_sql).unwrap();
            let mut rows = stmt.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                for i in 1..9 {
                    let v: Option<String> = row.get(i).unwrap();
                    csv.push_str(v.as_deref().unwrap_or(""));
                    csv.push(',');
                }
                csv.push_str("\r\n");
            }
            std::hint::black_box(&csv);
            sql.push(t.elapsed());
        }
        report("CSV export (200k)", &stats(api), &stats(sql));

        // Assignment of 10,000 serials: Depot's engine vs the bare calls.
        let serials: Vec<depot_domain::SerialNumber> = {
            let mut stmt = conn
                .prepare(
                    // iPhones and iPads: an iOS profile refuses other platforms (PLT-3).
                    "SELECT serial FROM devices WHERE family IN ('iPhone', 'iPad')
                      ORDER BY serial LIMIT 10000",
                )
                .unwrap();
            stmt.query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .map(|s| depot_domain::SerialNumber::parse(&s.unwrap()).unwrap())
                .collect()
        };
        depot
            .set_enrollment_urls(None, Some("https://mdm.bench.example/enroll"), None)
            .unwrap();
        let a = depot
            .create_profile(token, &depot_domain::profile::ProfileSpec::new("A"))
            .await
            .unwrap();
        let b = depot
            .create_profile(token, &depot_domain::profile::ProfileSpec::new("B"))
            .await
            .unwrap();
        let creds = sim.credentials(SERVER).unwrap();
        let url =
            depot_apple::AppleUrl::parse(sim.base_url(), depot_apple::AppleHosts::AllowTestHosts)
                .unwrap();
        let client = depot_apple::AppleClient::new(
            &url,
            depot_apple::OAuthCredentials {
                consumer_key: depot_domain::SecretString::new(creds.consumer_key),
                consumer_secret: depot_domain::SecretString::new(creds.consumer_secret),
                access_token: depot_domain::SecretString::new(creds.access_token),
                access_secret: depot_domain::SecretString::new(creds.access_secret),
            },
            clock.clone(),
        );
        let uuid_a = a.overview.upload.apple_uuid.unwrap();
        let t = Instant::now();
        for chunk in serials.chunks(1000) {
            client.assign_profile(&uuid_a, chunk).await.unwrap();
        }
        let bare = t.elapsed();
        let t = Instant::now();
        let run = depot
            .start_assignment(&AssignRequest {
                token,
                profile: Some(b.overview.id),
                serials: serials.clone(),
                reason: AssignReason::Manual,
            })
            .unwrap();
        let summary = depot.run_assignment(run).await.unwrap();
        let engine = t.elapsed();
        assert_eq!(summary.succeeded, 10_000);
        println!(
            "assign 10,000 serials  Depot {:>8.1} ms | bare HTTP calls {:>8.1} ms | ratio {:.2}  (simulator answers at once)",
            ms(engine),
            ms(bare),
            engine.as_secs_f64() / bare.as_secs_f64()
        );

        // The same with an Apple-like answer time per call (the simulator's
        // latency switch): Depot's database work per batch is then a small
        // share of each call.
        let latency = 250;
        sim.set_faults(depot_sim::Faults {
            latency_ms: latency,
            ..depot_sim::Faults::default()
        });
        let t = Instant::now();
        for chunk in serials.chunks(1000) {
            client.assign_profile(&uuid_a, chunk).await.unwrap();
        }
        let bare = t.elapsed();
        let t = Instant::now();
        let run = depot
            .start_assignment(&AssignRequest {
                token,
                profile: Some(b.overview.id),
                serials: serials.clone(),
                reason: AssignReason::Manual,
            })
            .unwrap();
        depot.run_assignment(run).await.unwrap();
        let engine = t.elapsed();
        println!(
            "assign 10,000 serials  Depot {:>8.1} ms | bare HTTP calls {:>8.1} ms | ratio {:.2}  ({latency} ms per call)",
            ms(engine),
            ms(bare),
            engine.as_secs_f64() / bare.as_secs_f64()
        );

        // The dashboard: every chart's figures in one call (issue 16: under
        // 100 ms at 200,000 devices), after 20,000 assignment answers today.
        // Baseline: the least a dashboard can ask, a count of the active
        // devices, on the same file.
        sim.set_faults(depot_sim::Faults::default());
        let mut api = Vec::new();
        let mut sql = Vec::new();
        for _ in 0..RUNS / 2 {
            api.push(call("dashboard.summary", json!({})).await);
            let t = Instant::now();
            let _: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM devices WHERE removed_at IS NULL",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            sql.push(t.elapsed());
        }
        report("dashboard.summary", &stats(api), &stats(sql));
    });
}
