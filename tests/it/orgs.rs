//! Apple Business/School Manager API (issue 17): an API account added
//! through the real token endpoint of the simulator, the organisation's
//! devices, assigning and unassigning followed to completion and arriving in
//! (or leaving) the ADE token's sync, throttling, expired access tokens, bad
//! accounts; and the CLI.

use std::sync::Arc;

use depot_core::orgs::{ActivityKind, AddOrgAccount};
use depot_core::{CoreError, Depot, DepotOptions, FixedClock};
use depot_domain::SecretString;
use depot_sim::{BusinessRateLimits, Fleet, RunningSim, ServerSpec, Simulator};

use crate::support::{CliHome, TestWorkspace, stderr, stdout};

const NOW: i64 = 1_790_000_000;
const SERVER: &str = "Sales-East";

struct Org {
    sim: RunningSim,
    depot: Arc<Depot>,
    clock: Arc<FixedClock>,
    token: depot_domain::TokenId,
    _ws: TestWorkspace,
}

async fn org() -> Org {
    let sim = Simulator::builder()
        .seed(23)
        .fleet(Fleet::Mobile)
        .server(ServerSpec::new(SERVER, "Acme Corp", 3))
        .server(ServerSpec::new("Lab", "Acme Corp", 2))
        .org_unassigned_devices(5)
        .org_released_devices(1)
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap();
    let ws = TestWorkspace::new();
    let clock = Arc::new(FixedClock::at(NOW));
    let depot = Arc::new(Depot::open(ws.path(), DepotOptions::for_tests(clock.clone())).unwrap());
    let token = crate::support::add_simulator_token(&depot, &sim, SERVER, "a@acme.example").await;
    depot
        .sync_token(token, depot_core::sync::SyncRequest::manual(true), &|_| {})
        .await
        .unwrap();
    Org {
        sim,
        depot,
        clock,
        token,
        _ws: ws,
    }
}

fn active_serials(depot: &Depot, token: depot_domain::TokenId) -> Vec<String> {
    depot
        .workspace()
        .connect()
        .unwrap()
        .active_serials(token)
        .unwrap()
        .into_iter()
        .map(|s| s.as_str().to_owned())
        .collect()
}

async fn add_account(o: &Org) -> depot_core::orgs::OrgAccountInfo {
    let account = o.sim.issue_business_account("").unwrap();
    o.depot
        .add_org_account(&AddOrgAccount {
            name: Some("Acme"),
            client_id: &account.client_id,
            key_id: &account.key_id,
            key_pem: &SecretString::new(account.private_key_pem.clone()),
            school: false,
            api_url: Some(o.sim.business_base_url()),
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_shows_the_organisation_and_moves_devices_to_a_server() {
    let o = org().await;
    let info = add_account(&o).await;
    // Everything the organisation owns: both servers' devices, the pool,
    // and the released one.
    assert_eq!(info.devices, 3 + 2 + 5 + 1, "{info:?}");
    assert_eq!(info.assigned, 5);
    assert_eq!(info.released, 1);
    let sales = info.servers.iter().find(|s| s.name == SERVER).unwrap();
    assert_eq!(sales.token_id, Some(o.token), "linked by server name");
    assert_eq!(sales.devices, 3);
    let lab = info.servers.iter().find(|s| s.name == "Lab").unwrap();
    assert_eq!(lab.token_id, None, "Depot has no token for Lab");

    // Filters.
    let unassigned = o
        .depot
        .org_devices(None, Some("unassigned"), None, None, None)
        .unwrap();
    assert_eq!(unassigned.len(), 6);
    let on_lab = o
        .depot
        .org_devices(None, None, Some("lab"), None, None)
        .unwrap();
    assert_eq!(on_lab.len(), 2);
    assert!(
        on_lab
            .iter()
            .all(|d| d.server_name.as_deref() == Some("Lab"))
    );
    assert!(
        o.depot
            .org_devices(None, Some("lost"), None, None, None)
            .is_err()
    );
    let csv = depot_core::orgs::org_devices_csv(&unassigned);
    assert_eq!(csv.lines().count(), 7, "{csv}");

    // The preview sorts the serials before anything is sent.
    let pool = o.sim.org_pool_serials();
    let released = pool.last().unwrap().clone();
    let on_sales = active_serials(&o.depot, o.token)[0].clone();
    let lab_serial = on_lab[0].device.serial.clone();
    let wanted = vec![
        pool[0].clone(),
        pool[1].clone(),
        on_sales.clone(),
        released.clone(),
        "NOTINORG0001".to_owned(),
        lab_serial.clone(),
    ];
    let preview = o
        .depot
        .preview_org_activity(None, ActivityKind::Assign, SERVER, &wanted)
        .unwrap();
    assert_eq!(
        preview.will_change,
        vec![pool[0].clone(), pool[1].clone(), lab_serial.clone()]
    );
    assert_eq!(preview.already, vec![on_sales.clone()]);
    assert_eq!(
        preview.other_server,
        vec![(lab_serial.clone(), "Lab".to_owned())]
    );
    assert_eq!(preview.released, vec![released.clone()]);
    assert_eq!(preview.unknown, vec!["NOTINORG0001".to_owned()]);
    assert!(
        o.depot
            .preview_org_activity(None, ActivityKind::Assign, "Nowhere", &wanted)
            .unwrap_err()
            .to_string()
            .contains("Sales-East"),
        "an unknown server lists the known ones"
    );

    // Assign: followed to completion; the token's sync brings the devices.
    let started = o
        .depot
        .start_org_activity(None, ActivityKind::Assign, SERVER, &wanted)
        .await
        .unwrap();
    assert_eq!(started.len(), 1);
    assert!(!started[0].finished());
    let done = o
        .depot
        .follow_org_activity(&started[0].row.id)
        .await
        .unwrap();
    assert_eq!(done.row.status, "COMPLETED", "{done:?}");
    assert_eq!(done.results.len(), 3);
    assert!(
        done.results
            .iter()
            .all(|r| r.result.eq_ignore_ascii_case("SUCCESS")),
        "{done:?}"
    );
    assert!(done.row.token_synced);
    let now_on_sales = active_serials(&o.depot, o.token);
    for serial in [&pool[0], &pool[1], &lab_serial] {
        assert!(
            now_on_sales.contains(serial),
            "{serial} arrived: {now_on_sales:?}"
        );
    }
    let view = o
        .depot
        .org_devices(None, None, Some(SERVER), None, None)
        .unwrap();
    assert_eq!(view.len(), 6, "Depot's copy moved them too");
    assert_eq!(
        o.sim.business_device(&pool[0]).unwrap().server.as_deref(),
        Some(SERVER)
    );

    // Unassign one: it leaves the token's devices.
    let started = o
        .depot
        .start_org_activity(
            None,
            ActivityKind::Unassign,
            SERVER,
            std::slice::from_ref(&pool[0]),
        )
        .await
        .unwrap();
    let done = o
        .depot
        .follow_org_activity(&started[0].row.id)
        .await
        .unwrap();
    assert_eq!(done.row.status, "COMPLETED");
    assert!(!active_serials(&o.depot, o.token).contains(&pool[0]));
    // An activity whose follower stopped is picked up by the scheduler's
    // pass once the follow limit has passed.
    let started = o
        .depot
        .start_org_activity(
            None,
            ActivityKind::Assign,
            SERVER,
            std::slice::from_ref(&pool[3]),
        )
        .await
        .unwrap();
    assert_eq!(
        o.depot.resume_org_activities().await.unwrap(),
        0,
        "still young"
    );
    o.clock.set(NOW + 3_600);
    assert_eq!(o.depot.resume_org_activities().await.unwrap(), 1);
    assert!(o.depot.org_activity(&started[0].row.id).unwrap().finished());
    o.clock.set(NOW);

    // Nothing left to do: refused, nothing sent.
    let err = o
        .depot
        .start_org_activity(
            None,
            ActivityKind::Unassign,
            SERVER,
            std::slice::from_ref(&pool[0]),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nothing to unassign"), "{err}");

    // Every activity in the audit log, and listed.
    let actions: Vec<String> = o
        .depot
        .audit_page(&depot_core::AuditFilter::default(), None, 50)
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in [
        "org.added",
        "org.assign_started",
        "org.unassign_started",
        "org.activity_finished",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    assert_eq!(o.depot.org_activities(10).unwrap().len(), 3);

    // Depot asks for the attributes it reads (sparse fieldsets), and pages
    // by cursor.
    let log = o.sim.request_log();
    let listed: Vec<_> = log
        .iter()
        .filter(|r| r.path == "/v1/orgDevices" && r.method == "GET")
        .collect();
    assert!(!listed.is_empty());
    assert!(
        listed.iter().all(|r| r
            .query
            .as_deref()
            .is_some_and(|q| q.contains("fields%5BorgDevices%5D=serialNumber"))),
        "{listed:?}"
    );
    assert!(
        log.iter()
            .filter(|r| r.path.starts_with("/v1/orgDeviceActivities/"))
            .all(|r| r
                .query
                .as_deref()
                .is_some_and(|q| q.contains("fields%5BorgDeviceActivities%5D"))),
    );

    // AppleCare, read from Apple now.
    let (device, _coverage) = o.depot.org_device(&on_sales).await.unwrap();
    assert_eq!(device.device.serial, on_sales);
    o.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_expired_tokens_and_failed_activities_are_handled() {
    let o = org().await;
    add_account(&o).await;

    // Access tokens expire at Apple: Depot signs in again by itself.
    o.sim.expire_business_tokens();
    o.depot.sync_org(None).await.unwrap();

    // A tight GET budget: Apple asks to wait longer than Depot waits within
    // a call: a clear "busy", recorded on the account, nothing lost.
    o.sim.set_business_rate_limits(BusinessRateLimits {
        get_per_minute: Some(1),
        post_per_hour: None,
        retry_after: true,
    });
    let err = o.depot.sync_org(None).await.unwrap_err();
    assert!(matches!(err, CoreError::OrgUnavailable(_)), "{err:?}");
    assert!(err.to_string().contains("busy"), "{err}");
    let account = &o.depot.org_accounts().unwrap()[0];
    assert!(account.row.last_error.as_deref().unwrap().contains("busy"));
    assert_eq!(account.devices, 11, "the last good copy is kept");
    o.sim
        .set_business_rate_limits(BusinessRateLimits::default());
    o.depot.sync_org(None).await.unwrap();
    assert!(o.depot.org_accounts().unwrap()[0].row.last_error.is_none());

    // An activity Apple ends FAILED changes nothing and says so.
    o.sim.fail_next_business_activity();
    let pool = o.sim.org_pool_serials();
    let started = o
        .depot
        .start_org_activity(
            None,
            ActivityKind::Assign,
            SERVER,
            std::slice::from_ref(&pool[2]),
        )
        .await
        .unwrap();
    let done = o
        .depot
        .follow_org_activity(&started[0].row.id)
        .await
        .unwrap();
    assert_eq!(done.row.status, "FAILED");
    assert!(done.row.error.is_some());
    assert!(!active_serials(&o.depot, o.token).contains(&pool[2]));
    assert_eq!(
        o.depot
            .org_devices(None, Some("unassigned"), None, Some(&pool[2]), None)
            .unwrap()
            .len(),
        1
    );
    o.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_accounts_are_refused_and_change_nothing() {
    let o = org().await;
    let account = o.sim.issue_business_account("").unwrap();
    let add = |client_id: &str, key_id: &str, pem: &str, school: bool| {
        let pem = SecretString::new(pem.to_owned());
        let depot = Arc::clone(&o.depot);
        let (client_id, key_id) = (client_id.to_owned(), key_id.to_owned());
        let url = o.sim.business_base_url().to_owned();
        async move {
            depot
                .add_org_account(&AddOrgAccount {
                    name: None,
                    client_id: &client_id,
                    key_id: &key_id,
                    key_pem: &pem,
                    school,
                    api_url: Some(&url),
                })
                .await
        }
    };
    let pem = account.private_key_pem.as_str();
    // Not a key.
    let err = add(&account.client_id, &account.key_id, "hello", false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("PEM"), "{err}");
    // Another key than the one Apple holds.
    let other = depot_apple::business::jwt::generate_key_pem().unwrap();
    let err = add(&account.client_id, &account.key_id, other.expose(), false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Apple"), "{err}");
    // The wrong key id.
    assert!(
        add(&account.client_id, "not-the-kid", pem, false)
            .await
            .is_err()
    );
    // A Business account called a School one.
    let err = add(&account.client_id, &account.key_id, pem, true)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("--school"), "{err}");
    assert!(o.depot.org_accounts().unwrap().is_empty(), "nothing stored");
    // Apple's hosts only without the test setting.
    let strict = Depot::open(
        o._ws.path(),
        DepotOptions {
            apple_hosts: depot_apple::AppleHosts::AppleOnly,
            ..DepotOptions::for_tests(Arc::new(FixedClock::at(NOW)))
        },
    )
    .unwrap();
    let err = strict
        .add_org_account(&AddOrgAccount {
            name: None,
            client_id: &account.client_id,
            key_id: &account.key_id,
            key_pem: &SecretString::new(pem.to_owned()),
            school: false,
            api_url: Some(o.sim.business_base_url()),
        })
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("DEPOT_ALLOW_TEST_APPLE_URL"),
        "{err}"
    );
    o.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_adds_an_account_lists_devices_and_assigns_with_a_preview() {
    let sim = Simulator::builder()
        .seed(29)
        .fleet(Fleet::Mobile)
        .server(ServerSpec::new(SERVER, "Acme Corp", 2))
        .org_unassigned_devices(3)
        .start()
        .await
        .unwrap();
    let home = CliHome::new();
    let run = |args: &[&str]| home.run(args);
    let account = sim.issue_business_account("").unwrap();
    let key = home.path().join("key.pem");
    std::fs::write(&key, &account.private_key_pem).unwrap();
    let out = run(&[
        "org",
        "add",
        "--client-id",
        &account.client_id,
        "--key-id",
        &account.key_id,
        "--key",
        key.to_str().unwrap(),
        "--api-url",
        sim.business_base_url(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("PRIVATE KEY"));
    let out = run(&["--json", "org", "devices", "--status", "unassigned"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let devices = json["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 3);
    let serial = devices[0]["serial"].as_str().unwrap().to_owned();

    let out = run(&["org", "assign", "--server", SERVER, &serial, "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 device(s) to assign to 'Sales-East'"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("dry run"));
    assert_eq!(
        sim.business_device(&serial).unwrap().status,
        "UNASSIGNED",
        "a dry run sends nothing"
    );
    let out = run(&["org", "assign", "--server", SERVER, &serial]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("COMPLETED"), "{}", stdout(&out));
    assert_eq!(sim.business_device(&serial).unwrap().status, "ASSIGNED");
    let csv = home.path().join("org.csv");
    let out = run(&["org", "devices", "--csv", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 6);
    let out = run(&["org", "assign", "--server", "Nowhere", &serial]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no MDM server 'Nowhere'"),
        "{}",
        stderr(&out)
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schedule_reads_each_organisation_every_12_hours_and_a_day_of_failures_is_an_alert() {
    use depot_core::orgs::{ORG_RETRY_AFTER_SECS, ORG_SYNC_EVERY_SECS};
    use depot_domain::UnixSeconds;
    use depot_domain::alerts::{AlertKind, Severity};

    const HOUR: i64 = 3_600;
    let o = org().await;
    let added = add_account(&o).await;
    let at = |s: i64| UnixSeconds::new(NOW + s);
    assert_eq!(added.row.last_sync_at, Some(at(0)), "adding reads it once");
    assert_eq!(added.next_sync_at, at(ORG_SYNC_EVERY_SECS));
    let account = || o.depot.org_accounts().unwrap().remove(0);
    let org_alerts = || {
        o.depot
            .alerts()
            .unwrap()
            .into_iter()
            .filter(|a| a.kind == AlertKind::OrgAccountFailing)
            .collect::<Vec<_>>()
    };

    // Not due before 12 hours have passed; due at 12 hours.
    o.clock.set(NOW + ORG_SYNC_EVERY_SECS - 1);
    assert_eq!(o.depot.sync_due_org_accounts().await.unwrap(), 0);
    assert_eq!(account().row.last_attempt_at, Some(at(0)));
    o.clock.set(NOW + ORG_SYNC_EVERY_SECS);
    assert_eq!(o.depot.sync_due_org_accounts().await.unwrap(), 1);
    assert_eq!(account().row.last_sync_at, Some(at(ORG_SYNC_EVERY_SECS)));
    assert_eq!(account().devices, 11);

    // Apple answers "busy" for good: the failed try is recorded, the
    // schedule rests an hour between tries, and the last good copy stays.
    o.sim.set_business_rate_limits(BusinessRateLimits {
        get_per_minute: Some(1),
        post_per_hour: None,
        retry_after: true,
    });
    let first_failure = 2 * ORG_SYNC_EVERY_SECS;
    o.clock.set(NOW + first_failure);
    assert_eq!(o.depot.sync_due_org_accounts().await.unwrap(), 0);
    let failing = account();
    assert_eq!(failing.row.failing_since, Some(at(first_failure)));
    assert!(failing.row.last_error.as_deref().unwrap().contains("busy"));
    assert_eq!(
        failing.next_sync_at,
        at(first_failure + ORG_RETRY_AFTER_SECS)
    );
    assert_eq!(failing.devices, 11, "the last good copy is kept");
    assert!(
        org_alerts().is_empty(),
        "one failed try is not an alert yet"
    );
    o.clock.set(NOW + first_failure + ORG_RETRY_AFTER_SECS - 1);
    o.depot.sync_due_org_accounts().await.unwrap();
    assert_eq!(
        account().row.last_attempt_at,
        Some(at(first_failure)),
        "resting"
    );

    // Tries an hour apart keep failing; after a day it is an alert that
    // names the account and Apple's answer, since the first failure.
    for hour in 1..=25 {
        o.clock.set(NOW + first_failure + hour * HOUR);
        o.depot.sync_due_org_accounts().await.unwrap();
        assert_eq!(
            account().row.last_attempt_at,
            Some(at(first_failure + hour * HOUR))
        );
    }
    assert_eq!(account().row.failing_since, Some(at(first_failure)));
    let alerts = org_alerts();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].severity, Severity::Warning);
    assert_eq!(alerts[0].since, at(first_failure));
    assert!(
        alerts[0].message.contains("'Acme'"),
        "{}",
        alerts[0].message
    );
    assert!(alerts[0].message.contains("busy"), "{}", alerts[0].message);
    assert!(alerts[0].action.contains("Apple Business Manager"));

    // Apple answers again: the next try reads the organisation and the
    // alert clears itself.
    o.sim
        .set_business_rate_limits(BusinessRateLimits::default());
    let back = first_failure + 26 * HOUR;
    o.clock.set(NOW + back);
    assert_eq!(o.depot.sync_due_org_accounts().await.unwrap(), 1);
    let healthy = account();
    assert_eq!(healthy.row.failing_since, None);
    assert_eq!(healthy.row.last_error, None);
    assert_eq!(healthy.next_sync_at, at(back + ORG_SYNC_EVERY_SECS));
    assert!(org_alerts().is_empty());
    o.sim.shutdown().await;
}
