//! Sync (SYN-1..8) through `core` against the simulator: the cursor state
//! machine, Apple's failure modes, pacing with a fake clock, locking, budget.

use std::sync::Arc;

use depot_core::sync::SyncRequest;
use depot_core::{CoreError, Depot, DepotOptions, FixedClock, TokenFileInput};
use depot_domain::{SyncRunId, TokenId, TokenStatus, UnixSeconds};
use depot_sim::{ChangeBatch, ErrorBurst, Faults, RunningSim, ServerSpec, Simulator};

use crate::support::TestWorkspace;

const NOW: i64 = 1_790_000_000;
const DEVICES: u32 = 2_500;

struct Setup {
    sim: RunningSim,
    depot: Arc<Depot>,
    clock: Arc<FixedClock>,
    token: TokenId,
    _ws: TestWorkspace,
}

async fn setup() -> Setup {
    let sim = Simulator::builder()
        .seed(21)
        .server(ServerSpec::new("Sales-East", "Acme Corp", DEVICES))
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap();
    let ws = TestWorkspace::new();
    let clock = Arc::new(FixedClock::at(NOW));
    let depot = Arc::new(Depot::open(ws.path(), DepotOptions::for_tests(clock.clone())).unwrap());
    let key = depot.generate_key(false).unwrap();
    let p7m = sim
        .issue_token("Sales-East", key.certificate_pem.as_bytes())
        .unwrap();
    let file = TokenFileInput::Contents {
        file_name: "t.p7m".into(),
        contents: p7m.into_bytes(),
    };
    let token = depot
        .add_token(&file, "a@acme.example", &[], Some(sim.base_url()))
        .await
        .unwrap()
        .id;
    Setup {
        sim,
        depot,
        clock,
        token,
        _ws: ws,
    }
}

impl Setup {
    /// Moves both clocks forward (Depot's and the simulator's).
    fn advance(&self, seconds: i64) {
        self.clock.advance(seconds);
        self.sim
            .advance_clock(std::time::Duration::from_secs(seconds as u64));
    }

    async fn sync(&self, request: SyncRequest) -> Result<depot_core::sync::SyncOutcome, CoreError> {
        self.depot.sync_token(self.token, request, &|_| {}).await
    }

    fn in_depot(&self) -> Vec<String> {
        self.depot
            .workspace()
            .connect()
            .unwrap()
            .active_serials(self.token)
            .unwrap()
            .into_iter()
            .map(|s| s.as_str().to_owned())
            .collect()
    }

    fn at_apple(&self) -> Vec<String> {
        let mut serials = self.sim.serials("Sales-East", 0, 1_000_000).unwrap();
        serials.sort();
        serials
    }
}

fn exempt() -> SyncRequest {
    SyncRequest {
        ignore_pacing: true,
        ..SyncRequest::manual(false)
    }
}

#[tokio::test]
async fn a_full_fetch_then_deltas_track_apple_exactly() {
    let s = setup().await;
    let first = s.sync(SyncRequest::manual(false)).await.unwrap();
    assert_eq!(first.kind.as_str(), "full");
    assert_eq!(
        (first.pages, first.added, first.device_count),
        (4, 2_500, 2_500)
    );
    assert_eq!(s.in_depot(), s.at_apple());

    let report = s
        .sim
        .apply_changes(
            "Sales-East",
            ChangeBatch {
                added: 7,
                modified: 4,
                released: 3,
                set_up: 0,
            },
        )
        .unwrap();
    s.advance(16 * 60);
    let delta = s.sync(SyncRequest::manual(false)).await.unwrap();
    assert_eq!(delta.kind.as_str(), "delta");
    assert_eq!((delta.added, delta.removed), (7, 3));
    assert!(delta.modified >= 4);
    assert_eq!(s.in_depot(), s.at_apple());
    for serial in &report.released {
        assert!(!s.in_depot().contains(serial));
    }
    // DEV-6: each device's detail tells what the syncs did to it.
    let events = |serial: &str| -> Vec<(String, Option<String>)> {
        s.depot.device_detail(serial).unwrap().records[0]
            .events
            .iter()
            .map(|e| (e.kind.clone(), e.detail.clone()))
            .collect()
    };
    assert_eq!(events(&report.added[0]), [("added".to_owned(), None)]);
    let released = events(&report.released[0]);
    assert_eq!(
        released[0],
        ("removed".to_owned(), Some("released".to_owned()))
    );
    assert_eq!(released[1].0, "added");
    let modified = events(&report.modified[0]);
    assert_eq!(modified.len(), 2, "{modified:?}");
    assert_eq!(modified[0].0, "modified");
    assert!(modified[0].1.as_deref().unwrap().contains("\"field\""));

    let listed = &s.depot.list_tokens().unwrap()[0];
    assert_eq!(
        listed.last_sync.as_ref().map(|(_, r)| r.as_str()),
        Some("ok")
    );
    let history = s.depot.sync_history(s.token).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[0].kind.as_str(), history[0].result.as_str()),
        ("delta", "ok")
    );
    let audit = s.depot.audit_page(&Default::default(), None, 50).unwrap();
    assert_eq!(
        audit
            .entries
            .iter()
            .filter(|e| e.action == "sync.run")
            .count(),
        2
    );
}

#[tokio::test]
async fn pacing_follows_apples_rules_on_a_fake_clock() {
    let s = setup().await;
    s.sync(SyncRequest::manual(false)).await.unwrap();

    // Manual: once per 15 minutes, and the refusal says when.
    let err = s.sync(SyncRequest::manual(false)).await.unwrap_err();
    match &err {
        CoreError::SyncTooSoon { allowed_at, .. } => {
            assert_eq!(*allowed_at, UnixSeconds::new(NOW + 15 * 60))
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("manual sync"), "{err}");
    s.advance(15 * 60 - 1);
    assert!(matches!(
        s.sync(SyncRequest::manual(false)).await,
        Err(CoreError::SyncTooSoon { .. })
    ));
    s.advance(1);
    s.sync(SyncRequest::manual(false)).await.unwrap();

    // Full: once per 7 days.
    s.advance(16 * 60);
    let err = s.sync(SyncRequest::manual(true)).await.unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::SyncTooSoon {
                what: "a full sync",
                ..
            }
        ),
        "{err:?}"
    );
    s.advance(7 * 86_400);
    let full = s.sync(SyncRequest::manual(true)).await.unwrap();
    assert_eq!(full.kind.as_str(), "full");

    // Simulator tokens may skip pacing on request.
    s.sync(exempt()).await.unwrap();
    s.sync(SyncRequest {
        full: true,
        ..exempt()
    })
    .await
    .unwrap();

    // The automatic scheduler: due after 12 hours.
    assert!(s.depot.run_due_syncs().unwrap().is_empty());
    s.advance(12 * 3_600);
    assert_eq!(s.depot.run_due_syncs().unwrap(), [s.token]);
}

#[tokio::test]
async fn apple_failures_mid_sync_are_survived() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        expire_sessions_after_calls: Some(2),
        errors: vec![
            ErrorBurst::new(503, 2).on_path("/server/devices"),
            ErrorBurst::new(429, 1)
                .on_path("/server/devices")
                .retry_after(2),
            ErrorBurst::new(401, 1).on_path("/server/devices"),
        ],
        drop_connections: 1,
        ..Faults::default()
    });
    let out = s.sync(exempt()).await.unwrap();
    assert_eq!(out.device_count, u64::from(DEVICES));
    assert_eq!(s.in_depot(), s.at_apple());
    let statuses: Vec<u16> = s.sim.request_log().iter().map(|r| r.status).collect();
    for expected in [503, 429, 401, 0] {
        assert!(
            statuses.contains(&expected),
            "{expected} was not exercised: {statuses:?}"
        );
    }
}

#[tokio::test]
async fn terms_not_accepted_stops_the_sync_and_marks_the_token() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        t_c_not_signed: true,
        ..Faults::default()
    });
    let err = s.sync(exempt()).await.unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::Apple(depot_apple::AppleError::TermsNotAccepted)
        ),
        "{err:?}"
    );
    let token = &s.depot.list_tokens().unwrap()[0];
    assert_eq!(token.status, TokenStatus::TermsNotAccepted);
    let health = s.depot.sync_health(s.token).unwrap();
    assert_eq!(health.last_error.unwrap().0, "TERMS_NOT_ACCEPTED");
    assert_eq!(
        s.depot.sync_history(s.token).unwrap()[0]
            .error_code
            .as_deref(),
        Some("TERMS_NOT_ACCEPTED")
    );

    s.sim.set_faults(Faults::default());
    s.sync(exempt()).await.unwrap();
    assert_eq!(s.depot.list_tokens().unwrap()[0].status, TokenStatus::Ok);
    assert!(s.depot.sync_health(s.token).unwrap().last_error.is_none());
}

#[tokio::test]
async fn refused_cursors_fall_back_to_a_full_fetch() {
    let s = setup().await;
    s.sync(exempt()).await.unwrap();
    s.sim.expire_cursors();
    s.sim
        .apply_changes(
            "Sales-East",
            ChangeBatch {
                added: 2,
                ..ChangeBatch::default()
            },
        )
        .unwrap();
    let out = s.sync(exempt()).await.unwrap();
    assert_eq!(
        out.kind.as_str(),
        "full",
        "EXPIRED_CURSOR → full fetch, recorded as such"
    );
    assert_eq!(s.in_depot(), s.at_apple());

    // A cursor older than 7 days is not even tried.
    s.advance(8 * 86_400);
    let before = s.sim.request_log().len();
    let out = s.sync(exempt()).await.unwrap();
    assert_eq!(out.kind.as_str(), "full");
    assert!(
        s.sim.request_log()[before..]
            .iter()
            .all(|r| r.path != "/devices/sync" || r.status == 200)
    );
}

#[tokio::test]
async fn an_echoed_cursor_stops_after_a_bound() {
    let s = setup().await;
    s.sync(exempt()).await.unwrap();
    s.sim.set_faults(Faults {
        echo_cursor: true,
        ..Faults::default()
    });
    let err = s.sync(exempt()).await.unwrap_err();
    assert!(matches!(err, CoreError::EchoedCursor), "{err:?}");
    let syncs = s
        .sim
        .request_log()
        .iter()
        .filter(|r| r.path == "/devices/sync")
        .count();
    assert!(syncs <= 4, "stopped after a few echoes, not {syncs}");
    assert_eq!(
        s.depot.sync_health(s.token).unwrap().last_error.unwrap().0,
        "ECHOED_CURSOR"
    );
}

#[tokio::test]
async fn devices_missing_from_a_completed_full_fetch_are_marked_removed() {
    let s = setup().await;
    s.sync(exempt()).await.unwrap();
    // A device Depot knows but Apple no longer lists (e.g. released while Depot was off).
    let db = rusqlite::Connection::open(s._ws.path().join("depot.sqlite")).unwrap();
    db.execute(
        "INSERT INTO devices (token_id, serial, seen_run) VALUES (?1, 'GHOST00001', 1)",
        [s.token.get()],
    )
    .unwrap();
    assert_eq!(
        s.depot.sync_health(s.token).unwrap().device_count,
        u64::from(DEVICES) + 1
    );
    let out = s
        .sync(SyncRequest {
            full: true,
            ..exempt()
        })
        .await
        .unwrap();
    assert_eq!(out.removed, 1);
    assert_eq!(s.in_depot(), s.at_apple());
    let removed_at: Option<i64> = db
        .query_row(
            "SELECT removed_at FROM devices WHERE serial = 'GHOST00001'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(removed_at.is_some(), "kept for history, marked removed");
    // Purged 30 days later.
    s.advance(31 * 86_400);
    s.sync(exempt()).await.unwrap();
    let left: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM devices WHERE serial = 'GHOST00001'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn one_sync_per_token_and_the_budget_cancels_cleanly() {
    let s = setup().await;
    s.sim.set_faults(Faults {
        latency_ms: 30,
        ..Faults::default()
    });
    let control = s.depot.start_sync(s.token, exempt()).unwrap();
    let err = s.sync(exempt()).await.unwrap_err();
    assert!(matches!(err, CoreError::SyncRunning { .. }), "{err:?}");
    assert!(s.depot.cancel_sync(s.token).unwrap());
    while s.depot.sync_progress(s.token).is_some() {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(control.progress().cancelling);
    assert_eq!(
        s.depot.sync_history(s.token).unwrap()[0].result,
        "cancelled"
    );
    s.sim.set_faults(Faults::default());

    // The 15-minute budget: the fake clock jumps 16 minutes after the first page
    // of a fresh full fetch.
    s.sync(SyncRequest {
        full: true,
        ..exempt()
    })
    .await
    .unwrap();
    s.depot
        .workspace()
        .write(|db| db.begin_full_fetch(s.token, SyncRunId::new(999)))
        .unwrap();
    // (The simulator's clock moves too, so OAuth timestamps stay in its window.)
    let outcome = s
        .depot
        .sync_token(
            s.token,
            // One page per commit, so progress (and the clock jump) comes after page 1.
            SyncRequest {
                pages_per_commit: 1,
                ..exempt()
            },
            &|p| {
                if p.pages == 1 {
                    s.advance(16 * 60);
                }
            },
        )
        .await
        .unwrap();
    assert!(outcome.cancelled);
    // Pages download while earlier ones are committed: at most the page being
    // written, one queued and the one just read get in after the jump.
    assert!((1..=3).contains(&outcome.pages), "{}", outcome.pages);
    let kept = s.depot.sync_health(s.token).unwrap().device_count;
    assert!(kept >= 1_000, "what was committed stays ({kept})");

    // The next run resumes the fetch and ends with Apple's device set.
    s.sync(exempt()).await.unwrap();
    assert_eq!(s.in_depot(), s.at_apple());
}

/// The app hears about background work as it happens: a sync reports its
/// progress and its end to every subscriber.
#[tokio::test]
async fn a_sync_reports_its_progress_and_end_as_changes() {
    let s = setup().await;
    let mut changes = s.depot.subscribe_changes();
    s.sync(SyncRequest {
        pages_per_commit: 1,
        ..exempt()
    })
    .await
    .unwrap();
    let mut seen = Vec::new();
    while let Ok(change) = changes.try_recv() {
        seen.push(change);
    }
    let progress = depot_core::Change::SyncProgress { token: s.token };
    assert!(
        seen.iter().filter(|c| **c == progress).count() >= 4,
        "one per committed page at least: {seen:?}"
    );
    assert_eq!(
        seen.last(),
        Some(&depot_core::Change::SyncFinished { token: s.token })
    );
}
