//! Tokens end to end through `core` against the simulator on loopback:
//! keygen → portal → add → list → renew → delete rules, and the secret scan.

use std::sync::Arc;

use depot_core::{CoreError, Depot, DepotOptions, FixedClock, TokenFileInput};
use depot_domain::{TokenStatus, UnixSeconds};
use depot_sim::{Faults, RunningSim, ServerSpec, Simulator};

use crate::support::TestWorkspace;

const NOW: i64 = 1_790_000_000;

async fn sim() -> RunningSim {
    Simulator::builder()
        .seed(11)
        .server(ServerSpec::new("Sales-East", "Acme Corp", 20))
        .server(ServerSpec::new("Campus", "Acme Corp", 5))
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap()
}

fn depot(ws: &TestWorkspace, clock: Arc<FixedClock>) -> Depot {
    Depot::open(ws.path(), DepotOptions::for_tests(clock)).unwrap()
}

fn file(text: String) -> TokenFileInput {
    TokenFileInput::Contents {
        file_name: "token.p7m".into(),
        contents: text.into_bytes(),
    }
}

#[tokio::test]
async fn keygen_portal_add_list_renew_and_delete() {
    let sim = sim().await;
    let ws = TestWorkspace::new();
    let clock = Arc::new(FixedClock::at(NOW));
    let depot = depot(&ws, clock.clone());

    // The pending key pair survives a restart.
    let key = depot.generate_key(false).unwrap();
    drop(depot);
    let depot = self::depot(&ws, clock.clone());
    assert_eq!(
        depot.pending_key().unwrap().unwrap().fingerprint,
        key.fingerprint
    );
    assert_eq!(
        depot.generate_key(false).unwrap().fingerprint,
        key.fingerprint,
        "reused, not replaced"
    );

    let p7m = sim
        .issue_token("Sales-East", key.certificate_pem.as_bytes())
        .unwrap();
    let preview = depot
        .inspect_token(&file(p7m.clone()), Some(sim.base_url()))
        .await
        .unwrap();
    assert_eq!(preview.account.server_name, "Sales-East");
    assert_eq!(
        depot.list_tokens().unwrap().len(),
        0,
        "inspect changes nothing"
    );

    let added = depot
        .add_token(
            &file(p7m.clone()),
            "admin@acme.example",
            &["East".into()],
            Some(sim.base_url()),
        )
        .await
        .unwrap();
    assert_eq!(added.server_name, "Sales-East");
    assert_eq!(added.status, TokenStatus::Ok);
    assert!(added.simulator);
    assert!(
        depot.pending_key().unwrap().is_none(),
        "the key pair now belongs to the token"
    );

    // The same file again: no pending key any more; with a new key, a duplicate server.
    let err = depot
        .add_token(&file(p7m), "admin@acme.example", &[], Some(sim.base_url()))
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::NoPendingKey), "{err:?}");

    // Renew: a new download for the same server, decrypted with the token's own key.
    let renewal = sim
        .issue_token("Sales-East", key.certificate_pem.as_bytes())
        .unwrap();
    let err = depot
        .renew_token(
            added.id,
            &file(renewal.clone()),
            "someone@else.example",
            false,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::AppleIdMismatch { .. }), "{err:?}");
    clock.advance(86_400);
    sim.advance_clock(std::time::Duration::from_secs(86_400));
    let renewed = depot
        .renew_token(added.id, &file(renewal), "ADMIN@acme.example", false)
        .await
        .unwrap();
    assert_eq!(renewed.id, added.id);
    assert!(renewed.expires_at >= added.expires_at);

    // A file for another MDM server is refused, unless forced.
    let other = sim
        .issue_token("Campus", key.certificate_pem.as_bytes())
        .unwrap();
    let err = depot
        .renew_token(added.id, &file(other.clone()), "admin@acme.example", false)
        .await
        .unwrap_err();
    match &err {
        CoreError::OtherServer { expected, found } => {
            assert_eq!(
                (expected.as_str(), found.as_str()),
                ("Sales-East", "Campus")
            );
        }
        other => panic!("{other:?}"),
    }
    let forced = depot
        .renew_token(added.id, &file(other), "admin@acme.example", true)
        .await
        .unwrap();
    assert_eq!(forced.server_name, "Campus");

    // Delete rules: a device, then a default profile, block it; the message names which.
    let db = rusqlite::Connection::open(ws.path().join("depot.sqlite")).unwrap();
    db.execute(
        "INSERT INTO devices (token_id, serial) VALUES (?1, 'F4KX9Q2LM1')",
        [added.id.get()],
    )
    .unwrap();
    db.execute(
        "INSERT INTO profiles (id, token_id, name, created_at) VALUES (7, ?1, 'Sales iPads', 1)",
        [added.id.get()],
    )
    .unwrap();
    db.execute(
        "INSERT INTO token_defaults (token_id, platform, profile_id) VALUES (?1, 'iOS', 7)",
        [added.id.get()],
    )
    .unwrap();
    let err = depot.delete_token(added.id).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, CoreError::TokenInUse(ref b) if b.len() == 2),
        "{message}"
    );
    assert!(
        message.contains("1 device") && message.contains("Sales iPads"),
        "{message}"
    );
    db.execute("DELETE FROM devices", []).unwrap();
    let message = depot.delete_token(added.id).unwrap_err().to_string();
    assert!(
        !message.contains("device") && message.contains("default iOS/iPadOS profile"),
        "{message}"
    );
    db.execute("DELETE FROM token_defaults", []).unwrap();
    depot.delete_token(added.id).unwrap();
    assert!(depot.list_tokens().unwrap().is_empty());
    assert_eq!(
        depot.workspace_info().unwrap().profiles,
        0,
        "its profiles went with it"
    );

    let actions: Vec<String> = depot
        .audit_page(&Default::default(), None, 100)
        .unwrap()
        .entries
        .into_iter()
        .rev()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "key.generate",
            "token.add",
            "token.renew",
            "token.renew",
            "token.delete"
        ]
    );
}

/// Adds a token from `text` and returns why it was refused.
async fn add_failure(depot: &Depot, sim: &RunningSim, text: String) -> CoreError {
    depot
        .add_token(&file(text), "a@b.example", &[], Some(sim.base_url()))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn bad_token_files_change_nothing() {
    let sim = sim().await;
    let ws = TestWorkspace::new();
    let depot = depot(&ws, Arc::new(FixedClock::at(NOW)));
    let key = depot.generate_key(false).unwrap();
    let audit_before = depot.workspace_info().unwrap().audit_entries;

    // A token made for a key Depot does not hold.
    let stranger =
        depot_apple::TokenKeyPair::generate("someone else", UnixSeconds::new(NOW)).unwrap();
    let foreign = sim
        .issue_token("Sales-East", stranger.certificate_pem().as_bytes())
        .unwrap();
    let err = add_failure(&depot, &sim, foreign).await;
    assert!(
        matches!(
            err,
            CoreError::TokenFile(depot_apple::TokenFileError::WrongKey)
        ),
        "{err:?}"
    );

    // Not a token, and damaged.
    let err = add_failure(&depot, &sim, "hello".into()).await;
    assert!(
        matches!(
            err,
            CoreError::TokenFile(depot_apple::TokenFileError::NotATokenFile(_))
        ),
        "{err:?}"
    );
    let good = sim
        .issue_token("Sales-East", key.certificate_pem.as_bytes())
        .unwrap();
    let truncated = good[..good.len() * 2 / 3].to_owned();
    let err = add_failure(&depot, &sim, truncated).await;
    assert!(
        matches!(
            err,
            CoreError::TokenFile(depot_apple::TokenFileError::Corrupted(_))
        ),
        "{err:?}"
    );

    // Apple's verdicts.
    sim.set_faults(Faults {
        t_c_not_signed: true,
        ..Faults::default()
    });
    let err = add_failure(&depot, &sim, good.clone()).await;
    assert!(
        matches!(
            err,
            CoreError::Apple(depot_apple::AppleError::TermsNotAccepted)
        ),
        "{err:?}"
    );
    sim.set_faults(Faults::default());

    // A newer download revokes the older one: Apple rejects it.
    let _newer = sim
        .issue_token("Sales-East", key.certificate_pem.as_bytes())
        .unwrap();
    let err = add_failure(&depot, &sim, good).await;
    assert!(
        matches!(err, CoreError::Apple(depot_apple::AppleError::Rejected)),
        "{err:?}"
    );

    let info = depot.workspace_info().unwrap();
    assert_eq!((info.tokens, info.audit_entries), (0, audit_before));
    assert_eq!(
        depot.pending_key().unwrap().unwrap().fingerprint,
        key.fingerprint,
        "the key pair is kept"
    );
}

#[tokio::test]
async fn no_secret_reaches_the_database_file_answers_or_logs() {
    let sim = sim().await;
    let ws = TestWorkspace::new();
    let depot = Arc::new(depot(&ws, Arc::new(FixedClock::at(NOW))));
    let mut answers = String::new();
    let key = depot_api::dispatch(
        Arc::clone(&depot),
        "tokens.generateKey",
        serde_json::json!({}),
    )
    .await
    .unwrap();
    answers.push_str(&key.to_string());
    let p7m = sim
        .issue_token(
            "Sales-East",
            key["certificatePem"].as_str().unwrap().as_bytes(),
        )
        .unwrap();
    let token_file = serde_json::json!({"kind": "contents", "fileName": "t.p7m", "contents": p7m});
    for (name, request) in [
        (
            "tokens.inspect",
            serde_json::json!({"file": token_file, "appleUrl": sim.base_url()}),
        ),
        (
            "tokens.add",
            serde_json::json!({"file": token_file, "appleId": "a@b.example", "appleUrl": sim.base_url()}),
        ),
    ] {
        let answer = depot_api::dispatch(Arc::clone(&depot), name, request)
            .await
            .unwrap();
        answers.push_str(&answer.to_string());
    }
    for name in [
        "tokens.list",
        "workspace.info",
        "audit.list",
        "audit.export",
    ] {
        let answer = depot_api::dispatch(Arc::clone(&depot), name, serde_json::json!({}))
            .await
            .unwrap();
        answers.push_str(&answer.to_string());
    }
    let detail = depot_api::dispatch(
        Arc::clone(&depot),
        "tokens.get",
        serde_json::json!({"id": "1"}),
    )
    .await
    .unwrap();
    answers.push_str(&detail.to_string());
    drop(depot);

    let mut stored = Vec::new();
    for entry in std::fs::read_dir(ws.path()).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let creds = sim.credentials("Sales-East").unwrap();
    for secret in [
        &creds.consumer_key,
        &creds.consumer_secret,
        &creds.access_token,
        &creds.access_secret,
    ] {
        assert!(
            !answers.contains(secret.as_str()),
            "an IPC answer holds a credential"
        );
        assert!(
            !stored.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the workspace files hold a credential in plaintext"
        );
    }
    assert!(
        !stored.windows(11).any(|w| w == b"PRIVATE KEY"),
        "a private key is stored in plaintext"
    );
}

#[tokio::test]
async fn demo_mode_runs_the_real_flow_and_survives_a_restart() {
    let ws = TestWorkspace::new();
    let clock = Arc::new(FixedClock::at(NOW));
    let depot = depot(&ws, clock.clone());
    let demo = depot.start_demo().await.unwrap();
    assert_eq!(demo.server_name, depot_core::DEMO_SERVER);
    assert!(demo.simulator);
    assert!(
        depot
            .simulator_url()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    let err = depot.start_demo().await.unwrap_err();
    assert!(matches!(err, CoreError::DuplicateToken { .. }), "{err:?}");

    // Demo mode has an Apps and Books token with Company Portal licences.
    let vpp = depot.vpp_tokens().unwrap();
    assert_eq!(vpp.len(), 1, "{vpp:?}");
    assert_eq!(vpp[0].location_name, "Contoso Apps (simulated)");
    assert_eq!(vpp[0].portal.map(|p| p.available), Some(500));

    // The wizard in demo mode: the simulated portal issues a file for the pending key.
    let key = depot.generate_key(false).unwrap();
    let (name, text) = depot.issue_demo_token(None).await.unwrap();
    assert!(name.ends_with("_smime.p7m"), "{name}");
    let wizard = depot
        .add_token(&file(text), "it@fabrikam.example", &[], Some("simulator"))
        .await
        .unwrap();
    assert!(
        wizard.simulator && wizard.server_name.contains("Contoso Retail"),
        "{wizard:?}"
    );
    assert_ne!(wizard.id, demo.id);
    let _ = key;
    // A profile on the demo token uses the simulator's demo enrollment URL.
    let profile = depot
        .create_profile(
            demo.id,
            &depot_domain::profile::ProfileSpec::new("Demo iPads"),
        )
        .await
        .unwrap();
    assert!(profile.overview.upload.apple_uuid.is_some(), "{profile:?}");
    drop(depot);

    // After a restart the simulator comes back with the tokens' own credentials.
    let clock_again = clock.clone();
    let depot = self::depot(&ws, clock);
    assert!(depot.simulator_url().is_none(), "started only when needed");
    let checked = depot.check_token(demo.id).await.unwrap();
    assert_eq!(checked.status, TokenStatus::Ok);
    // The restarted simulator accepts the demo Apps and Books token again.
    let vpp = depot.sync_vpp_token("Contoso Apps (demo)").await.unwrap();
    assert_eq!(
        (vpp.state, vpp.problem.clone()),
        (depot_domain::records::VppState::Ok, None)
    );
    // And the demo's organisation API account (issue 17): every device
    // of the demo server plus the ones no server holds yet.
    let orgs = depot.sync_org(None).await.unwrap();
    assert_eq!(orgs.len(), 1, "{orgs:?}");
    assert_eq!(orgs[0].row.name, depot_core::DEMO_ORG_ACCOUNT);
    assert_eq!(orgs[0].unassigned, u64::from(depot_core::DEMO_ORG_POOL) + 3);
    assert!(
        orgs[0].servers.iter().any(|s| s.token_id == Some(demo.id)),
        "the demo server is linked to the demo token: {orgs:?}"
    );
    let (_, renewal) = depot.issue_demo_token(Some(wizard.id)).await.unwrap();
    let renewed = depot
        .renew_token(wizard.id, &file(renewal), "IT@fabrikam.example", false)
        .await
        .unwrap();
    assert_eq!(renewed.server_name, wizard.server_name);
    // The restarted simulator still knows the profile: assigning it works.
    depot
        .sync_token(
            demo.id,
            depot_core::sync::SyncRequest::manual(true),
            &|_| {},
        )
        .await
        .unwrap();
    // The demo fleet has every family: three iPhones or iPads take the iOS profile.
    let db = depot.workspace().connect().unwrap();
    let all = db.active_serials(demo.id).unwrap();
    let families = db.device_families(demo.id, &all).unwrap();
    let serials: Vec<_> = all
        .into_iter()
        .filter(|s| matches!(families[s.as_str()].as_str(), "iPhone" | "iPad"))
        .take(3)
        .collect();
    drop(db);
    let run = depot
        .start_assignment(&depot_core::assign::AssignRequest {
            token: demo.id,
            profile: Some(profile.overview.id),
            serials: serials.clone(),
            reason: depot_core::assign::AssignReason::Manual,
        })
        .unwrap();
    let done = depot.run_assignment(run).await.unwrap();
    assert_eq!(done.succeeded, 3, "{done:?}");
    assert_eq!(
        depot.token_detail(demo.id).unwrap().apple_url,
        depot.simulator_url().unwrap()
    );
    drop(depot);

    // Another restart: the new simulator gets the assignments back, so a full
    // sync still shows the three devices on the profile.
    let depot = self::depot(&ws, clock_again);
    depot
        .sync_token(
            demo.id,
            depot_core::sync::SyncRequest {
                ignore_pacing: true,
                ..depot_core::sync::SyncRequest::manual(true)
            },
            &|_| {},
        )
        .await
        .unwrap();
    let uuid = profile.overview.upload.apple_uuid.clone().unwrap();
    let db = depot.workspace().connect().unwrap();
    assert_eq!(
        db.serials_holding_profile(demo.id, &uuid).unwrap(),
        serials[..3].to_vec()
    );
}

/// Real tokens reach only Apple: without the test setting the simulator's URL
/// is refused when a token is added, and a token saved with it cannot be used
/// (no sync, no pacing exemption); user info in a URL is refused always.
#[tokio::test]
async fn the_apple_url_is_apples_unless_the_test_setting_allows_another() {
    let sim = sim().await;
    let ws = TestWorkspace::new();
    let clock = Arc::new(FixedClock::at(NOW));
    let apple_only = |clock: Arc<FixedClock>| {
        Depot::open(
            ws.path(),
            DepotOptions {
                apple_hosts: depot_apple::AppleHosts::AppleOnly,
                ..DepotOptions::for_tests(clock)
            },
        )
        .unwrap()
    };
    let depot = apple_only(clock.clone());
    let key = depot.generate_key(false).unwrap();
    let p7m = sim
        .issue_token("Sales-East", key.certificate_pem.as_bytes())
        .unwrap();
    for url in [
        sim.base_url().to_owned(),
        "https://mdmenrollment.apple.com.evil.example".to_owned(),
        "http://localhost:80@evil.example".to_owned(),
    ] {
        let err = depot
            .add_token(&file(p7m.clone()), "a@acme.example", &[], Some(&url))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                CoreError::InvalidInput {
                    field: "appleUrl",
                    ..
                }
            ),
            "{url}: {err:?}"
        );
    }
    assert!(depot.list_tokens().unwrap().is_empty());
    assert!(sim.request_log().is_empty(), "nothing was sent anywhere");

    // With the test setting (as in every other test) the simulator is fine,
    // http only to a loopback IP, and never with user info.
    drop(depot);
    let depot = self::depot(&ws, clock.clone());
    let err = depot
        .add_token(
            &file(p7m.clone()),
            "a@acme.example",
            &[],
            Some(&sim.base_url().replace("127.0.0.1", "admin@127.0.0.1")),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("'@'"), "{err}");
    let token = depot
        .add_token(&file(p7m), "a@acme.example", &[], Some(sim.base_url()))
        .await
        .unwrap();
    assert!(token.simulator, "a test URL is not Apple");
    let exempt = depot_core::sync::SyncRequest {
        ignore_pacing: true,
        ..depot_core::sync::SyncRequest::manual(false)
    };
    depot.sync_token(token.id, exempt, &|_| {}).await.unwrap();

    // The same workspace without the test setting: the token stays listed but
    // is never connected.
    drop(depot);
    let depot = apple_only(clock);
    sim.clear_request_log();
    let err = depot
        .sync_token(token.id, exempt, &|_| {})
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("DEPOT_ALLOW_TEST_APPLE_URL=1"),
        "{err}"
    );
    assert!(sim.request_log().is_empty());
}
