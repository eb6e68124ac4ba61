use std::sync::Arc;

use depot_core::{DepotOptions, FixedClock};
use depot_sim::{RunningSim, ServerSpec, Simulator};
use serde_json::{Value, json};

use super::*;

const NOW: i64 = 1_790_000_000;

fn depot() -> Arc<Depot> {
    Arc::new(Depot::open_in_memory(DepotOptions::for_tests(Arc::new(FixedClock::at(NOW)))).unwrap())
}

async fn call(depot: &Arc<Depot>, name: &str, payload: Value) -> Result<Value, ApiError> {
    dispatch(Arc::clone(depot), name, payload).await
}

async fn sim() -> RunningSim {
    Simulator::builder()
        .seed(3)
        .server(ServerSpec::new("Sales-East", "Acme Corp", 10))
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn workspace_info_reports_schema_counts_and_key_protection() {
    let answer = call(&depot(), "workspace.info", json!({})).await.unwrap();
    assert_eq!(answer["path"], ":memory:");
    assert!(answer["schemaVersion"].as_u64().unwrap() >= 2);
    assert_eq!(
        answer["counts"],
        json!({"tokens": 0, "profiles": 0, "devices": 0, "auditEntries": 0})
    );
    assert_eq!(answer["keyProtection"], "testKey");
    assert_eq!(answer["simulatorUrl"], Value::Null);
}

#[tokio::test]
async fn tokens_list_starts_empty_and_accepts_a_null_payload() {
    let answer = call(&depot(), "tokens.list", Value::Null).await.unwrap();
    assert_eq!(answer, json!({"tokens": []}));
}

#[tokio::test]
async fn unknown_commands_and_bad_payloads_are_coded_errors() {
    let depot = depot();
    let err = call(&depot, "tokens.explode", json!({})).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownCommand);
    assert!(err.message.contains("tokens.explode"));

    let err = call(&depot, "tokens.list", json!({"surprise": 1}))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::BadRequest);
    assert!(err.message.contains("surprise"), "{}", err.message);

    let err = call(&depot, "tokens.get", json!({"id": "abc"}))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = call(&depot, "tokens.get", json!({"id": "42"}))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);

    // Closed sets are closed: a profile status filter names one of Apple's four.
    let err = call(
        &depot,
        "devices.list",
        json!({"query": {"statuses": ["assigned", "bogus"]}}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::BadRequest);
    assert!(err.message.contains("bogus"), "{}", err.message);
    call(
        &depot,
        "devices.list",
        json!({"query": {"statuses": ["assigned", "pushed"]}}),
    )
    .await
    .unwrap();
}

/// The webview never names a file (issue 11): every command that once took a
/// path (a token file, an export or save target, the handoff folder) refuses
/// one, and nothing is read or written.
#[tokio::test]
async fn no_command_accepts_a_file_path() {
    let depot = depot();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("written-by-the-webview");
    let target = target.to_string_lossy();
    let token_path = json!({"kind": "path", "path": "/etc/passwd"});
    let cases = [
        ("tokens.inspect", json!({"file": token_path})),
        (
            "tokens.add",
            json!({"file": token_path, "appleId": "a@example.com", "scopeTags": []}),
        ),
        (
            "tokens.renew",
            json!({"id": "1", "file": token_path, "appleId": "a@example.com"}),
        ),
        ("tokens.savePublicKey", json!({"path": target})),
        ("devices.export", json!({"query": {}, "path": target})),
        ("audit.export", json!({"path": target})),
        ("profiles.export", json!({"id": "1", "path": target})),
        ("profiles.exportApple", json!({"id": "1", "path": target})),
        ("profiles.handoff", json!({"id": "1", "dir": target})),
    ];
    for (name, payload) in cases {
        let err = call(&depot, name, payload).await.unwrap_err();
        assert!(
            matches!(err.code, ErrorCode::BadRequest | ErrorCode::UnknownCommand),
            "{name}: {err:?}"
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // Contents are what the backend takes instead.
    let err = call(
        &depot,
        "tokens.inspect",
        json!({"file": {"kind": "contents", "fileName": "x.p7m", "contents": "not a token"}}),
    )
    .await
    .unwrap_err();
    assert_ne!(err.code, ErrorCode::BadRequest, "{err:?}");
}

#[tokio::test]
async fn a_panicking_handler_is_an_internal_error_not_a_crash() {
    let answer = CatchPanic {
        name: "tokens.explode",
        answer: Box::pin(async {
            tokio::task::yield_now().await;
            let empty: Vec<u8> = Vec::new();
            // An out-of-bounds index: a bug, as a handler might have one.
            let value = empty[std::hint::black_box(3)];
            Ok(Value::from(value))
        }),
    }
    .await;
    let err = answer.unwrap_err();
    assert_eq!(err.code, ErrorCode::Internal);
    assert!(err.message.contains("tokens.explode"), "{}", err.message);
    // The dispatcher still answers the next command.
    let next = call(&depot(), "tokens.list", json!({})).await.unwrap();
    assert_eq!(next, json!({"tokens": []}));
}

#[test]
fn errors_serialize_as_code_and_message() {
    let err = ApiError::new(ErrorCode::SchemaTooNew, "newer");
    assert_eq!(
        serde_json::to_value(&err).unwrap(),
        json!({"code": "SCHEMA_TOO_NEW", "message": "newer"})
    );
    let err = ApiError::new(ErrorCode::NotATokenFile, "x");
    assert_eq!(
        serde_json::to_value(&err).unwrap()["code"],
        "NOT_A_TOKEN_FILE"
    );
}

#[test]
fn command_names_are_unique() {
    let mut names: Vec<_> = COMMANDS.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), COMMANDS.len());
}

#[tokio::test]
async fn the_whole_token_flow_through_dispatch_never_leaks_a_secret() {
    let sim = sim().await;
    let depot = depot();
    let mut answers = Vec::new();

    let err = call(
        &depot,
        "tokens.inspect",
        json!({"file": {"kind": "contents", "fileName": "x.p7m", "contents": "x"}}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NoPendingKey);

    let key = call(&depot, "tokens.generateKey", json!({})).await.unwrap();
    let again = call(&depot, "tokens.pendingKey", json!({})).await.unwrap();
    assert_eq!(again["pending"]["fingerprint"], key["fingerprint"]);
    let pem = key["certificatePem"].as_str().unwrap().to_owned();
    let file = sim.issue_token("Sales-East", pem.as_bytes()).unwrap();
    let creds = sim.credentials("Sales-East").unwrap();
    let token_file =
        json!({"kind": "contents", "fileName": "Sales-East_Token_smime.p7m", "contents": file});

    let preview = call(
        &depot,
        "tokens.inspect",
        json!({"file": token_file, "appleUrl": sim.base_url()}),
    )
    .await
    .unwrap();
    assert_eq!(preview["serverName"], "Sales-East");
    assert_eq!(preview["orgName"], "Acme Corp");
    assert_eq!(preview["simulator"], true);
    assert_eq!(preview["existingTokenId"], Value::Null);
    assert!(preview["daysLeft"].as_i64().unwrap() >= 364);
    answers.push(preview);

    let err = call(
        &depot,
        "tokens.add",
        json!({"file": token_file, "appleId": "not-an-email", "appleUrl": sim.base_url()}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);

    let added = call(
        &depot,
        "tokens.add",
        json!({"file": token_file, "appleId": "Admin@Acme.example", "scopeTags": ["East", " east "], "appleUrl": sim.base_url()}),
    )
    .await
    .unwrap();
    assert_eq!(added["serverName"], "Sales-East");
    assert_eq!(added["scopeTags"], json!(["East"]));
    assert_eq!(added["status"], "ok");
    let id = added["id"].as_str().unwrap().to_owned();
    answers.push(added);

    // The pending key was consumed; adding the same server again is a duplicate.
    assert_eq!(
        call(&depot, "tokens.pendingKey", json!({})).await.unwrap()["pending"],
        Value::Null
    );
    answers.push(call(&depot, "tokens.list", json!({})).await.unwrap());
    answers.push(call(&depot, "tokens.get", json!({"id": id})).await.unwrap());
    answers.push(call(&depot, "audit.list", json!({})).await.unwrap());
    answers.push(call(&depot, "audit.export", json!({})).await.unwrap());

    let renewed_file = sim.issue_token("Sales-East", pem.as_bytes()).unwrap();
    let renewed = call(
        &depot,
        "tokens.renew",
        json!({"id": id, "appleId": "admin@acme.EXAMPLE",
               "file": {"kind": "contents", "fileName": "r.p7m", "contents": renewed_file}}),
    )
    .await
    .unwrap();
    answers.push(renewed);

    let everything = answers.iter().map(Value::to_string).collect::<String>();
    let new_creds = sim.credentials("Sales-East").unwrap();
    for secret in [
        &creds.consumer_key,
        &creds.consumer_secret,
        &creds.access_token,
        &creds.access_secret,
        &new_creds.access_token,
        &new_creds.access_secret,
    ] {
        assert!(
            !everything.contains(secret.as_str()),
            "an answer contains a credential"
        );
    }
    assert!(!everything.contains("PRIVATE KEY"));
}

/// Issue 14's permission matrix, generated from the command table: every
/// command × every role → allowed or refused, as the role table says. The
/// expected action of each command is written out here on its own, so a new
/// command without a row, or a command whose action changes, fails.
#[tokio::test]
async fn every_command_is_allowed_or_refused_per_role() {
    use depot_core::access::{Actor, Origin, Role};
    use depot_domain::UnixSeconds;
    use depot_domain::records::UserRow;

    const EXPECTED: &[(&str, &str)] = &[
        ("workspace.info", "read"),
        ("tokens.list", "read"),
        ("tokens.get", "read"),
        ("tokens.pendingKey", "manage"),
        ("tokens.generateKey", "manage"),
        ("tokens.inspect", "manage"),
        ("tokens.add", "manage"),
        ("tokens.renew", "manage"),
        ("tokens.setScopeTags", "manage"),
        ("tokens.delete", "manage"),
        ("tokens.check", "sync"),
        ("demo.start", "manage"),
        ("demo.issueToken", "manage"),
        ("sync.overview", "read"),
        ("sync.status", "read"),
        ("sync.start", "sync"),
        ("sync.cancel", "sync"),
        ("sync.history", "read"),
        ("audit.list", "read"),
        ("audit.export", "export"),
        ("profiles.catalogue", "read"),
        ("profiles.list", "read"),
        ("profiles.get", "read"),
        ("profiles.check", "read"),
        ("profiles.create", "manage"),
        ("profiles.edit", "manage"),
        ("profiles.retryUpload", "manage"),
        ("profiles.duplicate", "manage"),
        ("profiles.setDefault", "manage"),
        ("profiles.clearDefault", "manage"),
        ("profiles.delete", "manage"),
        ("profiles.import", "manage"),
        ("profiles.export", "export"),
        ("profiles.exportApple", "export"),
        ("profiles.diff", "read"),
        ("profiles.handoff", "export"),
        ("settings.enrollment", "read"),
        ("settings.setEnrollment", "manage"),
        ("assignments.get", "read"),
        ("assignments.results", "read"),
        ("assignments.cancel", "assign"),
        ("assignments.history", "read"),
        ("assignments.preview", "assign"),
        ("assignments.start", "assign"),
        ("devices.list", "read"),
        ("devices.count", "read"),
        ("devices.facets", "read"),
        ("devices.get", "read"),
        ("devices.replacement", "read"),
        ("devices.export", "export"),
        ("devices.delete", "manage"),
        ("alerts.list", "read"),
        ("alerts.snooze", "manage"),
        ("alerts.unsnooze", "manage"),
        ("dashboard.summary", "read"),
        ("org.list", "read"),
        ("org.get", "read"),
        ("org.add", "manage"),
        ("org.remove", "manage"),
        ("org.sync", "sync"),
        ("org.devices", "read"),
        ("org.export", "export"),
        ("org.device", "read"),
        ("org.preview", "manage"),
        ("org.start", "manage"),
        ("org.activities", "read"),
        ("org.activity", "read"),
        ("vpp.list", "read"),
        ("vpp.get", "read"),
        ("vpp.add", "manage"),
        ("vpp.renew", "manage"),
        ("vpp.delete", "manage"),
        ("vpp.sync", "sync"),
        ("webhooks.list", "read"),
        ("webhooks.add", "manage"),
        ("webhooks.remove", "manage"),
        ("webhooks.test", "manage"),
    ];
    let table: Vec<(&str, &str)> = COMMANDS
        .iter()
        .map(|c| (c.name, c.action.as_str()))
        .collect();
    assert_eq!(
        table, EXPECTED,
        "the command table and this matrix disagree"
    );

    let depot = depot();
    let mut cells = 0;
    for role in Role::ALL {
        let actor = Actor::member(
            &UserRow {
                id: 1,
                name: format!("probe-{role}"),
                role,
                scope_tags: Vec::new(),
                disabled: false,
                has_password: true,
                created_at: UnixSeconds::new(0),
                updated_at: UnixSeconds::new(0),
                session_epoch: 0,
            },
            Origin::Browser,
        );
        for command in COMMANDS {
            // A payload no request type accepts: an allowed command stops at
            // BAD_REQUEST without doing anything, a refused one never reads it.
            let answer = dispatch_as(
                Arc::clone(&depot),
                &actor,
                command.name,
                json!({"__probe": true}),
            )
            .await;
            let code = answer.expect_err(command.name).code;
            if role.allows(command.action) {
                assert_eq!(code, ErrorCode::BadRequest, "{role} {}", command.name);
            } else {
                assert_eq!(code, ErrorCode::Forbidden, "{role} {}", command.name);
            }
            cells += 1;
        }
    }
    assert_eq!(cells, 3 * EXPECTED.len());
    // Each refusal is in the audit log.
    let refused = COMMANDS
        .iter()
        .map(|c| Role::ALL.iter().filter(|r| !r.allows(c.action)).count())
        .sum::<usize>();
    let audit = call(
        &depot,
        "audit.list",
        json!({"filter": {"action": "access.refused"}, "limit": 500}),
    )
    .await
    .unwrap();
    assert_eq!(
        audit["entries"].as_array().unwrap().len(),
        refused,
        "{audit}"
    );
}
