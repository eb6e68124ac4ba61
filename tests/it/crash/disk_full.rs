//! A full disk, simulated with SQLite's `max_page_count` on the workspace's
//! connections (`Workspace::set_page_limit`): the operation stops with "the
//! disk is full", keeps only whole transactions, and the next run, with room
//! again, finishes. (The backup before a migration: store's
//! `a_full_disk_during_the_backup_changes_nothing`.)

use std::sync::Arc;

use depot_core::assign::{AssignReason, AssignRequest};
use depot_core::devices::parse_serials;
use depot_core::sync::{PAGE_LIMIT, SyncRequest};
use depot_core::{Depot, DepotOptions, FixedClock};
use depot_domain::TokenId;
use depot_domain::profile::ProfileSpec;
use depot_sim::{RunningSim, ServerSpec, Simulator};

use crate::support::TestWorkspace;

const NOW: i64 = 1_790_000_000;
const SERVER: &str = "Campus";

struct Setup {
    sim: RunningSim,
    depot: Arc<Depot>,
    token: TokenId,
    _ws: TestWorkspace,
}

async fn setup(devices: u32) -> Setup {
    let sim = Simulator::builder()
        .seed(84)
        .fleet(depot_sim::Fleet::Mobile)
        .server(ServerSpec::new(SERVER, "Springfield Schools", devices))
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap();
    let ws = TestWorkspace::new();
    let clock = Arc::new(FixedClock::at(NOW));
    let depot = Arc::new(Depot::open(ws.path(), DepotOptions::for_tests(clock)).unwrap());
    let token = crate::support::add_simulator_token(&depot, &sim, SERVER, "a@b.example").await;
    Setup {
        sim,
        depot,
        token,
        _ws: ws,
    }
}

impl Setup {
    fn in_depot(&self) -> Vec<String> {
        let mut serials = self
            .depot
            .workspace()
            .connect()
            .unwrap()
            .active_serials(self.token)
            .unwrap()
            .into_iter()
            .map(|s| s.as_str().to_owned())
            .collect::<Vec<_>>();
        serials.sort();
        serials
    }

    fn at_apple(&self, from: usize, count: usize) -> Vec<String> {
        let mut serials = self.sim.serials(SERVER, from, count).unwrap();
        serials.sort();
        serials
    }

    /// Room for `pages` more pages than the workspace holds now.
    fn fill_disk_but(&self, pages: u32) {
        let ws = self.depot.workspace();
        ws.set_page_limit(Some(ws.page_count().unwrap() + pages));
    }
}

/// A full sync that runs out of room part-way: "the disk is full", every
/// committed page group whole with its cursor (the devices are exactly the
/// first pages of Apple's list), and the next sync resumes from there and
/// ends equal to the simulator. Catches a page group half written, a cursor
/// committed apart from its devices, a dead transaction that blocks the
/// next one, and a message that does not say what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_during_sync_keeps_whole_page_groups_and_the_next_sync_finishes() {
    const DEVICES: u32 = 6_000;
    let s = setup(DEVICES).await;
    // One page per commit; room for a page or two of devices, not six.
    s.fill_disk_but(250);
    let request = SyncRequest {
        pages_per_commit: 1,
        ..SyncRequest::manual(true)
    };
    let err = s
        .depot
        .sync_token(s.token, request, &|_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("the disk is full"), "{err}");
    let committed = s.in_depot();
    assert!(
        !committed.is_empty() && committed.len() < DEVICES as usize,
        "some pages fitted, not all ({} devices)",
        committed.len()
    );
    assert_eq!(
        committed.len() % PAGE_LIMIT as usize,
        0,
        "whole pages only ({} devices)",
        committed.len()
    );
    assert!(
        committed == s.at_apple(0, committed.len()),
        "the committed devices are the first pages of Apple's list"
    );
    let history = s.depot.sync_history(s.token).unwrap();
    assert_eq!(history[0].result, "failed", "{history:?}");

    s.depot.workspace().set_page_limit(None);
    let request = SyncRequest {
        ignore_pacing: true,
        ..request
    };
    s.depot.sync_token(s.token, request, &|_| {}).await.unwrap();
    assert!(
        s.in_depot() == s.at_apple(0, DEVICES as usize),
        "after resuming, the devices equal the simulator's"
    );
    // The pages that fitted before the disk filled were indexed by the
    // resumed fetch's completion.
    assert_eq!(
        s.depot
            .workspace()
            .connect()
            .unwrap()
            .identifier_index_differences()
            .unwrap(),
        Vec::<String>::new()
    );
}

/// An assignment whose run cannot be written ahead: "the disk is full",
/// nothing sent to Apple and no run left half written; with room again the
/// same assignment goes through and matches the simulator. Catches serials
/// sent to Apple before the run recording them is committed (their answers
/// would have nowhere to go) and a half-written run that a resume would
/// send.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_when_an_assignment_starts_sends_nothing_and_the_retry_finishes() {
    const DEVICES: u32 = 3_000;
    let s = setup(DEVICES).await;
    s.depot
        .set_enrollment_urls(None, Some("https://mdm.springfield.example/enroll"), None)
        .unwrap();
    let profile = s
        .depot
        .create_profile(s.token, &ProfileSpec::new("Labs"))
        .await
        .unwrap()
        .overview
        .id;
    s.depot
        .sync_token(s.token, SyncRequest::manual(true), &|_| {})
        .await
        .unwrap();
    let serials = s.sim.serials(SERVER, 0, DEVICES as usize).unwrap();
    let request = AssignRequest {
        token: s.token,
        profile: Some(profile),
        serials: parse_serials(&serials).unwrap(),
        reason: AssignReason::Manual,
    };
    let runs = || {
        s.depot
            .workspace()
            .connect()
            .unwrap()
            .assignment_runs(None, 100)
            .unwrap()
            .len()
    };

    s.sim.clear_request_log();
    s.fill_disk_but(0);
    let err = s.depot.start_assignment(&request).unwrap_err();
    assert!(err.to_string().contains("the disk is full"), "{err}");
    assert_eq!(runs(), 0, "no half-written run");
    assert!(s.depot.resume_assignments().await.unwrap().is_empty());
    assert!(
        !s.sim
            .request_log()
            .iter()
            .any(|r| r.path == "/profile/devices"),
        "nothing was sent to Apple"
    );

    s.depot.workspace().set_page_limit(None);
    let run = s.depot.start_assignment(&request).unwrap();
    let summary = s.depot.run_assignment(run).await.unwrap();
    assert_eq!(summary.succeeded, u64::from(DEVICES), "{summary:?}");
    let uuid = s.sim.profiles(SERVER).unwrap()[0]["profile_uuid"].clone();
    for serial in serials.iter().step_by(97) {
        let device = s.sim.device(SERVER, serial, 10).unwrap().unwrap();
        assert_eq!(device["profile_uuid"], uuid, "{serial}");
    }
}
