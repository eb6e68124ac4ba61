//! Benchmark: a full fetch of 200,000 devices in 1,000-device pages.
//!
//! Reports pages/s for the simulator and the ratio to serving the very same
//! response bytes from a static in-memory buffer over the same HTTP stack and
//! client, measured in the same run. Run with
//! `cargo bench -p depot-sim --bench fetch_200k`.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use depot_sim::{ServerSpec, Simulator};
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

const DEVICES: u32 = 200_000;
const PAGE: u32 = 1_000;
const ROUNDS: usize = 3;

#[derive(serde::Deserialize)]
struct PageHead {
    cursor: String,
    more_to_follow: bool,
    #[allow(dead_code)]
    devices: serde::de::IgnoredAny,
}

/// Fetches every page from `base`; returns (elapsed, response bodies).
async fn full_fetch(client: &reqwest::Client, base: &str, session: &str) -> (Duration, Vec<Bytes>) {
    let mut bodies = Vec::with_capacity((DEVICES / PAGE) as usize + 1);
    let mut cursor: Option<String> = None;
    let start = Instant::now();
    loop {
        let body = match &cursor {
            Some(c) => format!("{{\"limit\":{PAGE},\"cursor\":\"{c}\"}}"),
            None => format!("{{\"limit\":{PAGE}}}"),
        };
        let resp = client
            .post(format!("{base}/server/devices"))
            .header("User-Agent", "DepotBench/1.0")
            .header("X-Server-Protocol-Version", "10")
            .header("X-ADM-Auth-Session", session)
            .header("Content-Type", "application/json;charset=UTF8")
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 200);
        let bytes = resp.bytes().await.expect("body");
        // Same client work for both servers: validate the JSON, keep the paging fields.
        let page: PageHead = serde_json::from_slice(&bytes).expect("json");
        let more = page.more_to_follow;
        cursor = Some(page.cursor);
        bodies.push(bytes);
        if !more {
            break;
        }
    }
    (start.elapsed(), bodies)
}

/// A server that answers the n-th request with the n-th recorded body.
async fn static_server(bodies: Arc<Vec<Bytes>>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let counter = next.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let bodies = bodies.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let bodies = bodies.clone();
                    let counter = counter.clone();
                    async move {
                        let _ = req.into_body().collect().await;
                        let i = counter.fetch_add(1, Ordering::Relaxed) % bodies.len();
                        Ok::<_, Infallible>(
                            Response::builder()
                                .header("Content-Type", "application/json;charset=UTF8")
                                .body(Full::new(bodies[i].clone()))
                                .unwrap(),
                        )
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (format!("http://{addr}"), next)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let sim = Simulator::builder()
        .seed(42)
        .server(ServerSpec::new("bench", "Bench Org", DEVICES))
        .start()
        .await
        .expect("start simulator");
    let session = sim.mint_session("bench").expect("session");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();

    // Warm-up, and the bytes the static server will replay.
    let (_, bodies) = full_fetch(&client, sim.base_url(), &session).await;
    let pages = bodies.len();
    let total_bytes: usize = bodies.iter().map(Bytes::len).sum();
    let devices: usize = bodies
        .iter()
        .map(|b| {
            serde_json::from_slice::<serde_json::Value>(b).unwrap()["devices"]
                .as_array()
                .map_or(0, Vec::len)
        })
        .sum();
    assert_eq!(devices, DEVICES as usize);

    let bodies = Arc::new(bodies);
    let (static_base, counter) = static_server(bodies.clone()).await;
    let mut sim_times = Vec::new();
    let mut static_times = Vec::new();
    for _ in 0..ROUNDS {
        // The minted session stays valid: rotation adds tokens, it does not revoke.
        let (t, _) = full_fetch(&client, sim.base_url(), &session).await;
        sim_times.push(t);
        counter.store(0, Ordering::Relaxed);
        let (t, _) = full_fetch(&client, &static_base, &session).await;
        static_times.push(t);
    }
    let sim_t = median(sim_times);
    let static_t = median(static_times);
    let pps = |t: Duration| pages as f64 / t.as_secs_f64();
    println!(
        "fetch_200k: {DEVICES} devices, {pages} pages of {PAGE}, {:.1} MB per full fetch",
        total_bytes as f64 / 1e6
    );
    println!(
        "  simulator:     {:>8.1} ms  {:>8.1} pages/s  {:>7.1} MB/s",
        sim_t.as_secs_f64() * 1e3,
        pps(sim_t),
        total_bytes as f64 / 1e6 / sim_t.as_secs_f64()
    );
    println!(
        "  static buffer: {:>8.1} ms  {:>8.1} pages/s  {:>7.1} MB/s",
        static_t.as_secs_f64() * 1e3,
        pps(static_t),
        total_bytes as f64 / 1e6 / static_t.as_secs_f64()
    );
    println!(
        "  ratio simulator/static time: {:.2}x (median of {ROUNDS} rounds)",
        sim_t.as_secs_f64() / static_t.as_secs_f64()
    );
    sim.shutdown().await;
}
