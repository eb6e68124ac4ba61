//! Profiles (PRO-13..19) and the assignment engine (DEV-2..4, SYN-7) through
//! `core` against the simulator over loopback HTTP.

use std::sync::Arc;

use depot_core::assign::{AssignReason, AssignRequest, Outcome};
use depot_core::devices::parse_serials;
use depot_core::profiles::UploadState;
use depot_core::sync::SyncRequest;
use depot_core::{CoreError, Depot, DepotOptions, FixedClock};
use depot_domain::profile::{ProfileSpec, UserAffinity};
use depot_domain::{ProfileId, RunId, TokenId, UnixSeconds};
use depot_sim::{ErrorBurst, Faults, Fleet, RunningSim, ServerSpec, Simulator};

use crate::support::TestWorkspace;

pub(crate) const NOW: i64 = 1_790_000_000;
pub(crate) const SERVER: &str = "Sales-East";
const ENROLL: &str = "https://mdm.acme.example/enroll";

pub(crate) struct Setup {
    pub(crate) sim: RunningSim,
    pub(crate) depot: Arc<Depot>,
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) token: TokenId,
    pub(crate) ws: TestWorkspace,
}

/// A token on a simulator whose fleet is iPhones and iPads only, so one iOS
/// profile may go to every device.
pub(crate) async fn setup(devices: u32) -> Setup {
    setup_with(devices, Fleet::Mobile).await
}

/// A token on a simulator with `fleet`'s device families.
pub(crate) async fn setup_with(devices: u32, fleet: Fleet) -> Setup {
    let sim = Simulator::builder()
        .seed(7)
        .fleet(fleet)
        .server(ServerSpec::new(SERVER, "Acme Corp", devices))
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap();
    let ws = TestWorkspace::new();
    let clock = Arc::new(FixedClock::at(NOW));
    let depot = Arc::new(Depot::open(ws.path(), DepotOptions::for_tests(clock.clone())).unwrap());
    let token = crate::support::add_simulator_token(&depot, &sim, SERVER, "a@acme.example").await;
    depot.set_enrollment_urls(None, Some(ENROLL), None).unwrap();
    Setup {
        sim,
        depot,
        clock,
        token,
        ws,
    }
}

impl Setup {
    pub(crate) async fn sync(&self) -> depot_core::sync::SyncOutcome {
        self.depot
            .sync_token(self.token, SyncRequest::manual(true), &|_| {})
            .await
            .unwrap()
    }

    pub(crate) fn serials(&self) -> Vec<String> {
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

    pub(crate) async fn create(&self, spec: &ProfileSpec) -> ProfileId {
        let detail = self.depot.create_profile(self.token, spec).await.unwrap();
        assert_eq!(
            detail.overview.upload.state,
            UploadState::Uploaded,
            "{detail:?}"
        );
        detail.overview.id
    }

    pub(crate) async fn assign(
        &self,
        profile: Option<ProfileId>,
        serials: Vec<String>,
    ) -> depot_core::assign::AssignmentSummary {
        let run = self
            .depot
            .start_assignment(&AssignRequest {
                token: self.token,
                profile,
                serials: parse_serials(&serials).unwrap(),
                reason: AssignReason::Manual,
            })
            .unwrap();
        self.depot.run_assignment(run).await.unwrap()
    }

    /// `POST /profile/devices` calls the simulator answered.
    pub(crate) fn assign_calls(&self) -> usize {
        self.sim
            .request_log()
            .iter()
            .filter(|r| r.path == "/profile/devices" && r.method == "POST")
            .count()
    }

    pub(crate) fn apple_uuid_of(&self, serial: &str) -> Option<String> {
        let device = self.sim.device(SERVER, serial, 10).unwrap()?;
        device["profile_uuid"].as_str().map(str::to_owned)
    }
}

/// Waits for the change `want` picks (a bound stops a hung test; it is not a
/// synchronisation delay).
async fn wait_for_change(
    changes: &mut tokio::sync::broadcast::Receiver<depot_core::Change>,
    want: impl Fn(&depot_core::Change) -> bool,
) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(120), changes.recv()).await {
            Ok(Ok(change)) if want(&change) => return,
            Ok(Ok(_) | Err(RecvError::Lagged(_))) => {}
            Ok(Err(RecvError::Closed)) => panic!("the change channel closed"),
            Err(_) => panic!("the expected change never came"),
        }
    }
}

fn shared_ipad(name: &str) -> ProfileSpec {
    let mut spec = ProfileSpec::new(name);
    spec.shared_ipad = true;
    spec.maximum_cached_users = Some(8);
    spec.locked_enrollment = true;
    spec.device_name_template = Some("{{DEVICETYPE}}-{{SERIAL}}".into());
    spec
}

#[tokio::test]
async fn create_uploads_the_json_apple_then_stores() {
    let s = setup(10).await;
    let id = s.create(&shared_ipad("Store iPads")).await;
    let detail = s.depot.profile_detail(id).unwrap();
    assert_eq!(detail.overview.version, 1);
    let uuid = detail.overview.upload.apple_uuid.clone().unwrap();
    assert_eq!(uuid.len(), 32);

    let sent: serde_json::Value = serde_json::from_str(&detail.apple_json).unwrap();
    assert_eq!(sent["url"], ENROLL);
    assert_eq!(sent["is_multi_user"], true);
    assert_eq!(sent["is_mdm_removable"], false);
    let mut stored = s.sim.profiles(SERVER).unwrap().pop().unwrap();
    assert_eq!(stored["profile_uuid"], uuid.as_str());
    stored.as_object_mut().unwrap().remove("profile_uuid");
    assert_eq!(
        stored, sent,
        "Apple's stored profile differs from the JSON sent"
    );
    assert_eq!(
        detail.group_rule,
        "(device.enrollmentProfileName -eq \"Store iPads\")"
    );
    // org_magic is created once and reused by the next profile.
    let second = s.create(&ProfileSpec::new("Staff")).await;
    let json2: serde_json::Value =
        serde_json::from_str(&s.depot.profile_detail(second).unwrap().apple_json).unwrap();
    assert_eq!(json2["org_magic"], sent["org_magic"]);
}

#[tokio::test]
async fn problems_are_reported_per_field_and_nothing_is_saved() {
    let s = setup(10).await;
    s.depot.set_enrollment_urls(None, None, None).unwrap();
    let check = s
        .depot
        .check_profile(s.token, &ProfileSpec::new("No URL"), None)
        .unwrap();
    assert_eq!(check.problems.len(), 1);
    assert_eq!(check.problems[0].field.path(), "enrollmentUrl");

    let mut bad = shared_ipad("Bad");
    bad.user_affinity = UserAffinity::WithUserAffinity;
    bad.maximum_cached_users = Some(40);
    let err = s.depot.create_profile(s.token, &bad).await.unwrap_err();
    let CoreError::ProfileInvalid(problems) = err else {
        panic!("{err:?}")
    };
    let fields: Vec<String> = problems.iter().map(|p| p.field.path()).collect();
    assert!(
        fields.contains(&"maximumCachedUsers".to_owned()),
        "{fields:?}"
    );
    assert!(fields.contains(&"sharedIPad".to_owned()), "{fields:?}");
    assert!(s.depot.list_profiles(None).unwrap().is_empty());
    assert!(s.sim.profiles(SERVER).unwrap().is_empty());

    // Names are unique per token, whatever the case.
    s.depot
        .set_enrollment_urls(Some(s.token), Some(ENROLL), None)
        .unwrap();
    s.create(&ProfileSpec::new("Staff")).await;
    let check = s
        .depot
        .check_profile(s.token, &ProfileSpec::new("STAFF"), None)
        .unwrap();
    assert_eq!(check.problems[0].field.path(), "name");
}

#[tokio::test]
async fn apple_refusals_and_outages_leave_a_retryable_profile() {
    let s = setup(10).await;
    // Depot accepts any phone text up to 50 characters; Apple is stricter.
    let mut spec = ProfileSpec::new("Helpdesk");
    spec.department = Some(depot_domain::profile::Department {
        name: Some("IT".into()),
        phone: Some("ask the front desk".into()),
        email: None,
    });
    let detail = s.depot.create_profile(s.token, &spec).await.unwrap();
    assert_eq!(detail.overview.upload.state, UploadState::Failed);
    assert_eq!(
        detail.overview.upload.error_field.as_deref(),
        Some("department.phone")
    );
    assert!(
        detail
            .overview
            .upload
            .error
            .as_deref()
            .unwrap()
            .contains("SUPPORT_PHONE_INVALID")
    );

    // Apple down for longer than the retries: saved, not uploaded, retried later.
    s.sim.set_faults(Faults {
        errors: vec![ErrorBurst::new(503, 20).on_path("/profile")],
        ..Faults::default()
    });
    let detail = s
        .depot
        .create_profile(s.token, &ProfileSpec::new("Later"))
        .await
        .unwrap();
    assert_eq!(detail.overview.upload.state, UploadState::Failed);
    assert!(detail.overview.upload.apple_uuid.is_none());
    s.sim.set_faults(Faults::default());
    let retried = s
        .depot
        .retry_profile_upload(detail.overview.id)
        .await
        .unwrap();
    assert_eq!(retried.detail.overview.upload.state, UploadState::Uploaded);
    let audit: Vec<String> = s
        .depot
        .audit_page(&Default::default(), None, 100)
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(audit.contains(&"profile.upload_failed".to_owned()));
    assert!(audit.contains(&"profile.upload".to_owned()));
}

#[tokio::test]
async fn an_edit_is_a_new_version_and_moves_every_device_to_it() {
    // iPads only: the Shared iPad profile fits every device.
    let s = setup_with(1_500, Fleet::IPads).await;
    s.sync().await;
    let serials = s.serials();
    let id = s.create(&shared_ipad("Store iPads")).await;
    let first = s.assign(Some(id), serials.clone()).await;
    assert_eq!(first.succeeded, 1_500, "{first:?}");
    let v1 = s
        .depot
        .profile_detail(id)
        .unwrap()
        .overview
        .upload
        .apple_uuid
        .unwrap();
    assert_eq!(s.apple_uuid_of(&serials[0]), Some(v1.clone()));
    assert_eq!(
        s.depot.profile_detail(id).unwrap().overview.device_count,
        1_500
    );

    let mut edited = shared_ipad("Store iPads");
    edited.maximum_cached_users = Some(12);
    edited.department = Some(depot_domain::profile::Department {
        name: Some("Retail IT".into()),
        ..Default::default()
    });
    s.sim.clear_request_log();
    let outcome = s.depot.edit_profile(id, &edited).await.unwrap();
    assert_eq!(outcome.detail.overview.version, 2);
    let v2 = outcome.detail.overview.upload.apple_uuid.clone().unwrap();
    assert_ne!(v1, v2);
    let re = outcome.reassignment.expect("devices were re-assigned");
    assert_eq!((re.total, re.succeeded), (1_500, 1_500));
    assert_eq!(
        s.assign_calls(),
        2,
        "1,500 serials go in two calls of at most 1,000"
    );
    assert_eq!(s.apple_uuid_of(&serials[1_499]), Some(v2));
    assert_eq!(outcome.detail.versions.len(), 2);

    let diff = s.depot.profile_diff(id, 1, 2).unwrap();
    let fields: Vec<&str> = diff.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["maximumCachedUsers", "department.name"]);
    assert_eq!(
        (diff[0].before.as_str(), diff[0].after.as_str()),
        ("8", "12")
    );
}

#[tokio::test]
async fn mixed_answers_throttling_and_the_24_hour_cooldown() {
    let s = setup(2_500).await;
    s.sync().await;
    let mut serials = s.serials();
    let id = s.create(&ProfileSpec::new("Staff")).await;
    let failed = vec![serials[3].clone(), serials[1_200].clone()];
    let throttled = serials[2_100].clone();
    s.sim.set_faults(Faults {
        failed_serials: failed.clone(),
        throttled_serials: vec![throttled.clone()],
        retry_after_seconds: 1,
        ..Faults::default()
    });
    serials.push("ZZZZ00000001".into()); // not this server's
    s.sim.clear_request_log();
    let mut changes = s.depot.subscribe_changes();
    let run = s.assign(Some(id), serials.clone()).await;
    assert_eq!(run.total, 2_501);
    // The app hears of each committed answer (three batches, then the throttled
    // serial alone, twice) and of the end.
    let mut seen = Vec::new();
    while let Ok(change) = changes.try_recv() {
        seen.push(change);
    }
    let token = s.token;
    let progress = depot_core::Change::AssignmentProgress {
        token,
        run: run.run_id,
    };
    assert_eq!(
        seen.iter().filter(|c| **c == progress).count(),
        5,
        "{seen:?}"
    );
    assert_eq!(
        seen.last(),
        Some(&depot_core::Change::AssignmentFinished {
            token,
            run: run.run_id
        })
    );
    assert_eq!(run.succeeded, 2_497, "{run:?}");
    assert_eq!(run.failed, 2);
    assert_eq!(run.not_accessible, 1);
    assert_eq!(
        run.throttled, 1,
        "still throttled after the bounded retries"
    );
    assert_eq!(run.result, depot_core::assign::RunResult::Partial);
    // Three batches, then the throttled serial alone, twice.
    assert_eq!(s.assign_calls(), 3 + 2);
    // Still throttled after the bounded retries: kept, never dropped.
    assert_eq!(run.throttled_kept, 1, "{run:?}");
    let follow_up = &s.depot.assignment_history(Some(s.token), 1).unwrap()[0];
    assert_eq!(
        follow_up.waiting_until,
        Some(UnixSeconds::new(NOW + 1)),
        "{follow_up:?}"
    );
    assert_eq!((follow_up.total, follow_up.pending), (1, 1));

    // The next run leaves the failed serials alone for 24 hours.
    s.sim.set_faults(Faults::default());
    s.sim.clear_request_log();
    let again = s.assign(Some(id), failed.clone()).await;
    assert_eq!(again.cooldown, 2, "{again:?}");
    assert_eq!(s.assign_calls(), 0);
    s.clock.advance(24 * 3600 + 1);
    s.sim
        .advance_clock(std::time::Duration::from_secs(24 * 3600 + 1));
    let later = s.assign(Some(id), failed).await;
    assert_eq!(later.succeeded, 2, "{later:?}");

    // Remove (DEV-4) goes through the same engine.
    let removed = s.assign(None, vec![throttled.clone()]).await;
    assert_eq!(removed.succeeded, 1);
    assert_eq!(s.apple_uuid_of(&throttled), None);
}

#[tokio::test]
async fn new_devices_get_the_default_profile_after_a_sync() {
    let s = setup(300).await;
    let id = s.create(&ProfileSpec::new("Default")).await;
    s.depot.set_default_profile(id).unwrap();
    let outcome = s.sync().await;
    let [run] = outcome.default_assignments.as_slice() else {
        panic!("one run, for iOS: {:?}", outcome.default_assignments)
    };
    assert!(run.total > 0 && run.succeeded == run.total, "{run:?}");
    assert_eq!(run.reason, depot_core::assign::AssignReason::Default);

    // Neither the default nor a profile with devices can be deleted.
    let err = s.depot.delete_profile(id).unwrap_err();
    let CoreError::ProfileInUse(reasons) = err else {
        panic!("{err:?}")
    };
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    let unused = s.create(&ProfileSpec::new("Unused")).await;
    s.depot.delete_profile(unused).unwrap();
    assert_eq!(s.depot.list_profiles(Some(s.token)).unwrap().len(), 1);
}

#[tokio::test]
async fn a_run_killed_mid_way_resumes_without_resending_finished_batches() {
    let s = setup(2_500).await;
    s.sync().await;
    let serials = s.serials();
    let id = s.create(&ProfileSpec::new("Staff")).await;
    let run = s
        .depot
        .start_assignment(&AssignRequest {
            token: s.token,
            profile: Some(id),
            serials: parse_serials(&serials).unwrap(),
            reason: AssignReason::Manual,
        })
        .unwrap();
    s.sim.set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    s.sim.clear_request_log();
    let depot = Arc::clone(&s.depot);
    let mut changes = s.depot.subscribe_changes();
    let task = tokio::spawn(async move { depot.run_assignment(run).await });
    // Wait until the first batch is committed, then "crash" the process's task.
    wait_for_change(&mut changes, |c| {
        *c == depot_core::Change::AssignmentProgress {
            token: s.token,
            run,
        }
    })
    .await;
    assert!(s.depot.assignment_summary(run).unwrap().succeeded >= 1_000);
    task.abort();
    let _ = task.await;
    s.sim.set_faults(Faults::default());
    let calls_before = s.assign_calls();

    // A new process on the same workspace finishes the run.
    let reopened = Depot::open(s.ws.path(), DepotOptions::for_tests(s.clock.clone())).unwrap();
    let resumed = reopened.resume_assignments().await.unwrap();
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0].succeeded, 2_500, "{:?}", resumed[0]);
    let calls = s.assign_calls() - calls_before;
    assert!(
        (1..=2).contains(&calls),
        "the finished batch was sent again ({calls} calls after the crash)"
    );
}

#[tokio::test]
async fn handoff_and_exports() {
    let s = setup_with(20, Fleet::IPads).await;
    s.sync().await;
    let id = s.create(&shared_ipad("Store iPads")).await;
    s.assign(Some(id), s.serials()[..5].to_vec()).await;
    let files = s.depot.profile_handoff(id).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "shared-ipad-settings.plist",
            "device-names.plist",
            "device-configured.plist",
            "README.txt"
        ]
    );
    let devices: plist::Value = plist::from_bytes(&files[1].contents).unwrap();
    assert_eq!(devices.as_array().unwrap().len(), 5);

    let (name, text) = s.depot.export_profile(id).unwrap();
    assert_eq!(name, "Store-iPads.depot-profile.json");
    let back = ProfileSpec::from_profile_file(&text).unwrap();
    assert_eq!(back, shared_ipad("Store iPads"));
    let imported = s
        .depot
        .import_profile(s.token, &text.replace("Store iPads", "Store iPads 2"))
        .await
        .unwrap();
    assert_eq!(imported.overview.upload.state, UploadState::Uploaded);
    let (apple_name, apple) = s.depot.export_apple_json(id).unwrap();
    assert_eq!(apple_name, "Store-iPads.apple-profile.json");
    assert!(apple.contains("\"is_multi_user\": true"));
}

#[tokio::test]
async fn all_matching_devices_are_previewed_and_assigned_through_dispatch() {
    let s = setup(30).await;
    s.sync().await;
    let id = s.create(&ProfileSpec::new("Staff")).await;
    let token = s.token.to_string();
    let preview = depot_api::dispatch(
        Arc::clone(&s.depot),
        "assignments.preview",
        serde_json::json!({ "tokenId": token, "profileId": id.to_string(), "query": {} }),
    )
    .await
    .unwrap();
    assert_eq!(preview["total"], 30);
    assert_eq!(preview["sendCount"], 30);
    assert_eq!(
        preview["toSend"],
        serde_json::json!([]),
        "a filter run is started by filter"
    );
    let mut changes = s.depot.subscribe_changes();
    let started = depot_api::dispatch(
        Arc::clone(&s.depot),
        "assignments.start",
        serde_json::json!({ "tokenId": token, "profileId": id.to_string(), "query": {} }),
    )
    .await
    .unwrap();
    let run = started["run"]["id"].as_str().unwrap().to_owned();
    let run_id = RunId::new(run.parse().unwrap());
    wait_for_change(
        &mut changes,
        |c| matches!(c, depot_core::Change::AssignmentFinished { run, .. } if *run == run_id),
    )
    .await;
    let summary = depot_api::dispatch(
        Arc::clone(&s.depot),
        "assignments.get",
        serde_json::json!({ "id": run }),
    )
    .await
    .unwrap();
    assert_eq!(summary["result"], "ok", "{summary}");
    assert_eq!(summary["succeeded"], 30);
    let page = depot_api::dispatch(
        Arc::clone(&s.depot),
        "devices.list",
        serde_json::json!({ "query": { "enrollmentProfileName": "staff" }, "limit": 50 }),
    )
    .await
    .unwrap();
    assert_eq!(
        page["rows"].as_array().unwrap().len(),
        30,
        "PRO-17 filter by profile name"
    );
}

#[tokio::test]
async fn one_assignment_run_per_token_also_across_processes() {
    let s = setup(2_000).await;
    s.sync().await;
    let id = s.create(&ProfileSpec::new("Staff")).await;
    let run = s
        .depot
        .start_assignment(&AssignRequest {
            token: s.token,
            profile: Some(id),
            serials: parse_serials(&s.serials()).unwrap(),
            reason: AssignReason::Manual,
        })
        .unwrap();
    s.sim.set_faults(Faults {
        latency_ms: 1_000,
        ..Faults::default()
    });
    let depot = Arc::clone(&s.depot);
    let mut changes = s.depot.subscribe_changes();
    let first = tokio::spawn(async move { depot.run_assignment(run).await });
    // Its first batch is answered: the run holds its locks while the second
    // batch (another second at Apple) is on its way.
    wait_for_change(
        &mut changes,
        |c| matches!(c, depot_core::Change::AssignmentProgress { run: r, .. } if *r == run),
    )
    .await;
    // A second Depot on the same workspace (another app window, the CLI).
    let other = Depot::open(s.ws.path(), DepotOptions::for_tests(s.clock.clone())).unwrap();
    let err = other.run_assignment(run).await.unwrap_err();
    assert!(
        matches!(err, CoreError::AssignmentRunning { .. }),
        "{err:?}"
    );
    assert!(other.resume_assignments().await.unwrap().is_empty());
    let done = first.await.unwrap().unwrap();
    assert_eq!(done.succeeded, 2_000);
}

/// THROTTLED serials Apple asks to wait longer for than a run may are kept: a
/// follow-up run is written with them and sends them once Apple allows (not
/// before), and the first run says so.
#[tokio::test]
async fn serials_apple_throttles_for_long_are_kept_and_sent_by_a_later_run() {
    let s = setup(50).await;
    s.sync().await;
    let serials = s.serials();
    let id = s.create(&ProfileSpec::new("Staff")).await;
    let throttled = vec![serials[4].clone(), serials[7].clone()];
    s.sim.set_faults(Faults {
        throttled_serials: throttled.clone(),
        retry_after_seconds: 3_600,
        ..Faults::default()
    });
    s.sim.clear_request_log();
    let run = s.assign(Some(id), serials.clone()).await;
    assert_eq!(run.succeeded, 48, "{run:?}");
    assert_eq!((run.throttled, run.throttled_kept), (2, 2), "{run:?}");
    assert_eq!(run.result, depot_core::assign::RunResult::Partial);
    assert_eq!(
        s.assign_calls(),
        1,
        "an hour is too long to wait within the run"
    );
    let results = s.depot.assignment_results(run.run_id).unwrap();
    let kept: Vec<&str> = results
        .iter()
        .filter(|r| r.outcome == Some(Outcome::Throttled))
        .map(|r| r.detail.as_deref().unwrap())
        .collect();
    assert_eq!(kept.len(), 2);
    assert!(kept[0].contains("kept, and sent again by run"), "{kept:?}");

    let follow_up = s.depot.assignment_history(Some(s.token), 1).unwrap()[0].clone();
    assert_ne!(follow_up.run_id, run.run_id);
    assert_eq!(follow_up.waiting_until, Some(UnixSeconds::new(NOW + 3_600)));
    assert_eq!((follow_up.total, follow_up.pending), (2, 2));
    assert_eq!(follow_up.profile_version, run.profile_version);

    // Not before Apple's time, even when resumed.
    assert!(s.depot.resume_assignments().await.unwrap().is_empty());
    assert_eq!(
        s.depot
            .run_assignment(follow_up.run_id)
            .await
            .unwrap()
            .pending,
        2
    );
    assert_eq!(s.assign_calls(), 1);

    // Apple's hour has passed: the next start (app, CLI, scheduler) sends them.
    s.sim.set_faults(Faults::default());
    s.clock.advance(3_600);
    s.sim.advance_clock(std::time::Duration::from_secs(3_600));
    let sent = s.depot.resume_assignments().await.unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        (sent[0].succeeded, sent[0].result),
        (2, depot_core::assign::RunResult::Ok)
    );
    assert_eq!(s.assign_calls(), 2);
    let uuid = s.apple_uuid_of(&serials[0]);
    for serial in &throttled {
        assert_eq!(s.apple_uuid_of(serial), uuid);
    }
}
