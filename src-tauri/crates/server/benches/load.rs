//! Issue 14's load benchmark: `depot serve` on a 200,000-device workspace,
//! with 50 signed-in clients listing, filtering and searching devices over
//! HTTP on loopback while an assignment run of 10,000 serials and a delta
//! sync of 10,000 changes proceed. Prints p50/p95/p99 per call kind and the
//! run's time against the same run with no clients (ratio), measured in the
//! same process.
//!
//! `cargo bench -p depot-server --bench load`. Not a test: numbers are
//! printed, never asserted. Bounded: `DEPOT_BENCH_PHASES` (a comma list of
//! CLIENTS:THINK_MS, the pause between one client's calls; default
//! `1:0,50:0,50:250,50:2000`: one client alone for each call's own cost,
//! 50 flat out, 50 clicking fast, 50 at a person's pace),
//! `DEPOT_BENCH_SECONDS` per phase (default
//! 60), `DEPOT_BENCH_DEVICES` (default 200,000), `DEPOT_BENCH_APPLE_MS`
//! (default 0: an instant simulator; with N, every Apple call of the run
//! and of its no-clients baseline answers after N ms, as Apple's do).
//! Everything (simulator, server, clients) shares the machine's cores.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use depot_core::access::{Actor, Origin, Role};
use depot_core::assign::{AssignReason, AssignRequest};
use depot_core::sync::SyncRequest;
use depot_core::{Depot, DepotOptions, SystemClock, TokenFileInput};
use depot_domain::profile::ProfileSpec;
use depot_domain::records::DeviceQuery;
use depot_domain::{SecretString, SerialNumber, TokenId};
use depot_server::ServeOptions;
use depot_sim::{ChangeBatch, RunningSim, ServerSpec, Simulator};
use serde_json::{Value, json};

const SERVER: &str = "Load";
const PASSWORD: &str = "a benchmark password";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// The calls a client cycles through: (kind, command, payload).
fn calls() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "list (first page)",
            "devices.list",
            json!({"query": {}, "limit": 100}),
        ),
        (
            "filter (status)",
            "devices.list",
            json!({"query": {"statuses": ["assigned"]}, "limit": 100}),
        ),
        (
            "filter (family, sorted by model)",
            "devices.list",
            json!({"query": {"families": ["iPad"], "sort": "model"}, "limit": 100}),
        ),
        (
            "search (text)",
            "devices.list",
            json!({"query": {"text": "space gray"}, "limit": 100}),
        ),
        (
            "search (serial prefix)",
            "devices.list",
            json!({"query": {"serialPrefix": "F"}, "limit": 100}),
        ),
        ("count", "devices.count", json!({"query": {}})),
    ]
}

type Samples = Arc<Mutex<BTreeMap<&'static str, Vec<Duration>>>>;

/// One client: signs in, then calls until `until`, pausing `think` between
/// calls. Failed calls are counted apart.
async fn client(
    url: String,
    until: Instant,
    think: Duration,
    offset: usize,
    samples: Samples,
    failures: Arc<Mutex<u64>>,
) {
    let http = reqwest::Client::new();
    let signed: Value = http
        .post(format!("{url}/api/v1/session"))
        .json(&json!({"username": "bench", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = format!("Bearer {}", signed["token"].as_str().unwrap());
    let calls = calls();
    let mut i = offset;
    let mut mine: Vec<(&'static str, Duration)> = Vec::new();
    let mut failed = 0;
    while Instant::now() < until {
        let (kind, name, payload) = &calls[i % calls.len()];
        i += 1;
        let start = Instant::now();
        let answer = http
            .post(format!("{url}/api/v1/rpc"))
            .header("authorization", &bearer)
            .json(&json!({"name": name, "payload": payload}))
            .send()
            .await;
        let ok = match answer {
            Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
            Err(_) => false,
        };
        if ok {
            mine.push((kind, start.elapsed()));
        } else {
            failed += 1;
        }
        if !think.is_zero() {
            tokio::time::sleep(think).await;
        }
    }
    let mut all = samples.lock().unwrap();
    for (kind, took) in mine {
        all.entry(kind).or_default().push(took);
    }
    *failures.lock().unwrap() += failed;
}

/// The work the clients must not slow down: an assignment run of `serials`
/// and a delta sync of 10,000 changes, side by side. Returns (assignment,
/// sync, both) in seconds.
async fn run(
    depot: &Arc<Depot>,
    sim: &RunningSim,
    token: TokenId,
    profile: depot_domain::ProfileId,
    serials: Vec<SerialNumber>,
) -> (f64, f64, f64) {
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
    let start = Instant::now();
    let assign = async {
        let t = Instant::now();
        let run = depot
            .start_assignment(&AssignRequest {
                token,
                profile: Some(profile),
                serials,
                reason: AssignReason::Manual,
            })
            .unwrap();
        depot.run_assignment(run).await.unwrap();
        t.elapsed().as_secs_f64()
    };
    let sync = async {
        let t = Instant::now();
        let request = SyncRequest {
            ignore_pacing: true,
            ..SyncRequest::manual(false)
        };
        depot.sync_token(token, request, &|_| {}).await.unwrap();
        t.elapsed().as_secs_f64()
    };
    let (a, s) = tokio::join!(assign, sync);
    (a, s, start.elapsed().as_secs_f64())
}

fn main() {
    let seconds = env_number("DEPOT_BENCH_SECONDS", 60);
    let devices = env_number("DEPOT_BENCH_DEVICES", 200_000) as u32;
    let phases: Vec<(usize, u64)> = std::env::var("DEPOT_BENCH_PHASES")
        .unwrap_or_else(|_| "1:0,50:0,50:250,50:2000".into())
        .split(',')
        .map(|phase| {
            let (c, t) = phase
                .trim()
                .split_once(':')
                .expect("DEPOT_BENCH_PHASES: CLIENTS:THINK_MS,…");
            (
                c.parse().expect("clients: a number"),
                t.parse().expect("think time: a number"),
            )
        })
        .collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let sim = Simulator::builder()
            .seed(14)
            .server(ServerSpec::new(SERVER, "Benchmark Org", devices))
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
        let p7m = sim
            .issue_token(SERVER, key.certificate_pem.as_bytes())
            .unwrap();
        let file = TokenFileInput::Contents {
            file_name: "load.p7m".into(),
            contents: p7m.into_bytes(),
        };
        let token = depot
            .add_token(&file, "bench@example.com", &[], Some(sim.base_url()))
            .await
            .unwrap()
            .id;
        let t = Instant::now();
        depot
            .sync_token(
                token,
                SyncRequest {
                    ignore_pacing: true,
                    ..SyncRequest::manual(false)
                },
                &|_| {},
            )
            .await
            .unwrap();
        println!(
            "workspace: {devices} devices synced in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        depot
            .set_enrollment_urls(None, Some("https://mdm.example.org/enroll"), None)
            .unwrap();
        let profile = depot
            .create_profile(token, &ProfileSpec::new("Load test iPads"))
            .await
            .unwrap()
            .overview
            .id;
        let owner = Actor::owner("bench", Origin::Cli);
        depot
            .add_user(
                &owner,
                "bench",
                Role::HelpDesk,
                &[],
                Some(&SecretString::new(PASSWORD.to_owned())),
            )
            .unwrap();
        let serials = depot.matching_serials(&DeviceQuery::default()).unwrap();
        let mut batches = serials.chunks(10_000).map(<[SerialNumber]>::to_vec);

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(depot_server::serve(
            Arc::clone(&depot),
            listener,
            ServeOptions {
                plain_http_on_loopback: true,
                ui_dir: None,
                oidc: None,
                webhooks: Default::default(),
            },
            async {
                let _ = stopped.await;
            },
        ));

        let apple_ms = env_number("DEPOT_BENCH_APPLE_MS", 0);
        sim.update_faults(|f| f.latency_ms = apple_ms);
        if apple_ms > 0 {
            println!("Apple's answers (the simulator's) take {apple_ms} ms each from here on");
        }
        let (a0, s0, both0) = run(&depot, &sim, token, profile, batches.next().unwrap()).await;
        println!(
            "no clients: assignment of 10,000 serials {a0:.2} s, delta sync {s0:.2} s, both side by side {both0:.2} s"
        );
        for (clients, think) in phases {
            let samples: Samples = Arc::default();
            let failures = Arc::new(Mutex::new(0u64));
            let until = Instant::now() + Duration::from_secs(seconds);
            let mut tasks = Vec::new();
            for i in 0..clients {
                tasks.push(tokio::spawn(client(
                    url.clone(),
                    until,
                    Duration::from_millis(think),
                    i,
                    Arc::clone(&samples),
                    Arc::clone(&failures),
                )));
            }
            // Let the clients sign in and settle, then the same run again.
            tokio::time::sleep(Duration::from_secs(seconds.min(10) / 2)).await;
            let (a, s, both) = run(&depot, &sim, token, profile, batches.next().unwrap()).await;
            for task in tasks {
                task.await.unwrap();
            }
            println!(
                "{clients} clients, {think} ms between one client's calls, {seconds} s:"
            );
            let all = samples.lock().unwrap();
            let mut total = 0;
            for (kind, list) in all.iter() {
                let mut sorted = list.clone();
                sorted.sort_unstable();
                total += sorted.len();
                println!(
                    "  {kind:<34} {:>7} calls  p50 {:>7.1} ms  p95 {:>7.1} ms  p99 {:>7.1} ms",
                    sorted.len(),
                    percentile(&sorted, 0.50),
                    percentile(&sorted, 0.95),
                    percentile(&sorted, 0.99)
                );
            }
            println!(
                "  {total} calls ({:.0}/s), {} failed",
                total as f64 / seconds as f64,
                failures.lock().unwrap()
            );
            println!(
                "  the run meanwhile: assignment {a:.2} s (ratio {:.2}), delta sync {s:.2} s (ratio {:.2}), both {both:.2} s (ratio {:.2})",
                a / a0,
                s / s0,
                both / both0
            );
        }
        let _ = stop.send(());
        let _ = server.await;
    });
}
