//! Issue 14's scope half of the permission matrix: every command, called by
//! an administrator whose account carries the tag `paris`, about a token in
//! their scope ("Paris") and one outside it ("Lyon"). How each command
//! meets the scope is written out here, one row per command, so a new
//! command without a row fails:
//! - `Names`: the request names a token, profile, run or device. About Lyon
//!   it is answered `NOT_FOUND` (exactly like something that does not
//!   exist); about Paris it is not refused for scope.
//! - `Lists`: the answer is cut to Paris: nothing of Lyon in it, and it
//!   differs from the owner's answer, which has Lyon in it.
//! - `EveryToken`: a change that concerns every token: `FORBIDDEN` to a
//!   limited account, allowed to one without tags.
//! - `NoToken`: nothing of any token is involved.

use std::sync::Arc;

use depot_core::access::{Actor, Origin, Role};
use depot_core::{Depot, DepotOptions, FixedClock};
use depot_domain::UnixSeconds;
use depot_domain::profile::ProfileSpec;
use depot_domain::records::UserRow;
use depot_sim::{RunningSim, ServerSpec, Simulator};
use serde_json::{Value, json};

use super::*;
use crate::dto::ProfileDraft;

const NOW: i64 = 1_790_000_000;

/// One token's side of the workspace, as the payloads name it.
struct Side {
    token: String,
    profile: String,
    run: String,
    serial: String,
    /// Text that appears in any answer about this side (its server name).
    marker: &'static str,
}

enum Case {
    Names(fn(&Side) -> Value),
    Lists(fn(&Side) -> Value),
    EveryToken(fn(&Side) -> Value),
    NoToken(fn(&Side) -> Value),
}

fn draft(name: &str) -> Value {
    serde_json::to_value(ProfileDraft::from_spec(&ProfileSpec::new(name)).unwrap()).unwrap()
}

fn rows() -> Vec<(&'static str, Case)> {
    use Case::*;
    vec![
        ("workspace.info", Lists(|_| json!({}))),
        ("tokens.list", Lists(|_| json!({}))),
        ("tokens.get", Names(|s| json!({"id": s.token}))),
        ("tokens.pendingKey", NoToken(|_| json!({}))),
        ("tokens.generateKey", NoToken(|_| json!({}))),
        (
            "tokens.inspect",
            NoToken(
                |_| json!({"file": {"kind": "contents", "fileName": "x.p7m", "contents": "x"}}),
            ),
        ),
        (
            // The new token must carry one of the account's tags (checked
            // after the file: a bad file is refused as such first).
            "tokens.add",
            NoToken(|_| {
                json!({"file": {"kind": "contents", "fileName": "x.p7m", "contents": "x"},
                       "appleId": "a@b.example", "scopeTags": ["paris"]})
            }),
        ),
        (
            "tokens.renew",
            Names(|s| {
                json!({"id": s.token, "appleId": "a@b.example",
                       "file": {"kind": "contents", "fileName": "x.p7m", "contents": "x"}})
            }),
        ),
        (
            "tokens.setScopeTags",
            Names(|s| json!({"id": s.token, "scopeTags": ["paris", "lyon"]})),
        ),
        ("tokens.delete", Names(|s| json!({"id": s.token}))),
        ("tokens.check", Names(|s| json!({"id": s.token}))),
        ("demo.start", EveryToken(|_| json!({}))),
        ("demo.issueToken", EveryToken(|_| json!({}))),
        ("sync.overview", Lists(|_| json!({}))),
        ("sync.status", Names(|s| json!({"id": s.token}))),
        ("sync.start", Names(|s| json!({"id": s.token}))),
        ("sync.cancel", Names(|s| json!({"id": s.token}))),
        ("sync.history", Names(|s| json!({"id": s.token}))),
        ("audit.list", Lists(|_| json!({"limit": 500}))),
        ("audit.export", Lists(|_| json!({}))),
        ("profiles.catalogue", NoToken(|_| json!({}))),
        ("profiles.list", Lists(|_| json!({}))),
        ("profiles.get", Names(|s| json!({"id": s.profile}))),
        (
            "profiles.check",
            Names(|s| json!({"tokenId": s.token, "draft": draft("Checked")})),
        ),
        (
            "profiles.create",
            Names(|s| json!({"tokenId": s.token, "draft": draft("Created")})),
        ),
        (
            "profiles.edit",
            Names(|s| json!({"id": s.profile, "draft": draft(&format!("{} edited", s.marker))})),
        ),
        ("profiles.retryUpload", Names(|s| json!({"id": s.profile}))),
        (
            "profiles.duplicate",
            Names(|s| json!({"id": s.profile, "name": "Copy"})),
        ),
        ("profiles.setDefault", Names(|s| json!({"id": s.profile}))),
        (
            "profiles.clearDefault",
            Names(|s| json!({"tokenId": s.token, "platform": "iOS"})),
        ),
        ("profiles.delete", Names(|s| json!({"id": s.profile}))),
        (
            "profiles.import",
            Names(|s| json!({"tokenId": s.token, "text": "not a profile file"})),
        ),
        ("profiles.export", Names(|s| json!({"id": s.profile}))),
        ("profiles.exportApple", Names(|s| json!({"id": s.profile}))),
        (
            "profiles.diff",
            Names(|s| json!({"id": s.profile, "from": 1, "to": 1})),
        ),
        ("profiles.handoff", Names(|s| json!({"id": s.profile}))),
        ("settings.enrollment", Lists(|_| json!({}))),
        (
            "settings.setEnrollment",
            EveryToken(
                |_| json!({"enrollmentUrl": "https://mdm.example.org/enroll", "configurationWebUrl": null}),
            ),
        ),
        ("assignments.get", Names(|s| json!({"id": s.run}))),
        ("assignments.results", Names(|s| json!({"id": s.run}))),
        ("assignments.cancel", Names(|s| json!({"id": s.run}))),
        ("assignments.history", Lists(|_| json!({}))),
        (
            "assignments.preview",
            Names(|s| json!({"tokenId": s.token, "profileId": s.profile, "serials": [s.serial]})),
        ),
        (
            "assignments.start",
            Names(|s| json!({"tokenId": s.token, "profileId": s.profile, "serials": [s.serial]})),
        ),
        ("devices.list", Lists(|_| json!({"query": {}}))),
        ("devices.count", Lists(|_| json!({"query": {}}))),
        ("devices.facets", Lists(|_| json!({"query": {}}))),
        ("devices.get", Names(|s| json!({"serial": s.serial}))),
        (
            "devices.replacement",
            Names(|s| json!({"tokenId": s.token, "serial": s.serial})),
        ),
        ("devices.export", Lists(|_| json!({"query": {}}))),
        (
            "devices.delete",
            Names(|s| json!({"tokenId": s.token, "serials": [s.serial]})),
        ),
        // Both tokens' devices have no default profile: each side has an alert.
        ("alerts.list", Lists(|_| json!({}))),
        // An alert is found by its key only within the person's scope.
        (
            "alerts.snooze",
            Names(|s| json!({"key": format!("noDefaultProfile:{}:iOS", s.token), "hours": 24})),
        ),
        (
            "alerts.unsnooze",
            Names(|s| json!({"key": format!("noDefaultProfile:{}:iOS", s.token)})),
        ),
        ("dashboard.summary", Lists(|_| json!({}))),
        // The organisation API concerns every token: refused to an account
        // limited by scope tags, allowed (or refused for other reasons) to
        // one without tags.
        ("org.list", EveryToken(|_| json!({}))),
        ("org.get", EveryToken(|_| json!({"id": "1"}))),
        (
            "org.add",
            EveryToken(
                |_| json!({"clientId": "BUSINESSAPI.x", "keyId": "k", "key": {"kind": "contents", "fileName": "k.pem", "contents": "not a key"}}),
            ),
        ),
        ("org.remove", EveryToken(|_| json!({"id": "1"}))),
        ("org.sync", EveryToken(|_| json!({}))),
        ("org.devices", EveryToken(|_| json!({}))),
        ("org.export", EveryToken(|_| json!({}))),
        ("org.device", EveryToken(|s| json!({"serial": s.serial}))),
        (
            "org.preview",
            EveryToken(|s| json!({"kind": "assign", "server": "x", "serials": [s.serial]})),
        ),
        (
            "org.start",
            EveryToken(|s| json!({"kind": "assign", "server": "x", "serials": [s.serial]})),
        ),
        ("org.activities", EveryToken(|_| json!({}))),
        ("org.activity", EveryToken(|_| json!({"id": "x"}))),
        // Apps and Books tokens belong to no ADE token: anyone may read
        // them; changing them concerns every token.
        ("vpp.list", NoToken(|_| json!({}))),
        ("vpp.get", NoToken(|_| json!({"id": "1"}))),
        (
            "vpp.add",
            EveryToken(
                |_| json!({"file": {"kind": "contents", "fileName": "x.vpptoken", "contents": "bm90IGEgdG9rZW4="}}),
            ),
        ),
        (
            "vpp.renew",
            EveryToken(
                |_| json!({"id": "1", "file": {"kind": "contents", "fileName": "x.vpptoken", "contents": ""}}),
            ),
        ),
        ("vpp.delete", EveryToken(|_| json!({"id": "1"}))),
        ("vpp.sync", NoToken(|_| json!({}))),
        // Webhooks receive every token's alerts: workspace-wide.
        ("webhooks.list", EveryToken(|_| json!({}))),
        (
            "webhooks.add",
            EveryToken(
                |_| json!({"name": "ops", "url": "https://hooks.example.com/x", "format": "json", "minSeverity": "warning"}),
            ),
        ),
        (
            "webhooks.remove",
            EveryToken(|_| json!({"id": "no-such-webhook"})),
        ),
        (
            "webhooks.test",
            EveryToken(|_| json!({"id": "no-such-webhook"})),
        ),
    ]
}

fn member(tags: &[&str]) -> Actor {
    Actor::member(
        &UserRow {
            id: 9,
            name: format!("admin-{}", tags.join("-")),
            role: Role::Administrator,
            scope_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            disabled: false,
            has_password: true,
            created_at: UnixSeconds::new(0),
            updated_at: UnixSeconds::new(0),
            session_epoch: 0,
        },
        Origin::Browser,
    )
}

async fn owner_call(depot: &Arc<Depot>, name: &str, payload: Value) -> Value {
    dispatch(Arc::clone(depot), name, payload)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// A workspace with the tokens Paris (tag `paris`) and Lyon (tag `lyon`),
/// each synced, with a profile and an assignment run.
///
/// A workspace file, as in use (WAL, writers taking turns): the in-memory
/// one of unit tests shares a cache whose table locks fail a reader at once
/// while a run writes its results.
async fn two_scopes(sim: &RunningSim) -> (Arc<Depot>, Side, Side, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let depot = Arc::new(
        Depot::open(
            dir.path(),
            DepotOptions::for_tests(Arc::new(FixedClock::at(NOW))),
        )
        .unwrap(),
    );
    owner_call(
        &depot,
        "settings.setEnrollment",
        json!({"enrollmentUrl": "https://mdm.example.org/enroll", "configurationWebUrl": null}),
    )
    .await;
    let mut sides = Vec::new();
    for (server, tag) in [("Paris", "paris"), ("Lyon", "lyon")] {
        let key = owner_call(&depot, "tokens.generateKey", json!({})).await;
        let file = sim
            .issue_token(server, key["certificatePem"].as_str().unwrap().as_bytes())
            .unwrap();
        let added = owner_call(
            &depot,
            "tokens.add",
            json!({"file": {"kind": "contents", "fileName": format!("{server}.p7m"), "contents": file},
                   "appleId": "admin@acme.example", "scopeTags": [tag], "appleUrl": sim.base_url()}),
        )
        .await;
        let token = added["id"].as_str().unwrap().to_owned();
        depot
            .sync_token(
                depot_domain::TokenId::new(token.parse().unwrap()),
                depot_core::sync::SyncRequest::manual(false),
                &|_| {},
            )
            .await
            .unwrap();
        let profile = owner_call(
            &depot,
            "profiles.create",
            json!({"tokenId": token, "draft": draft(&format!("{server} iPads"))}),
        )
        .await["summary"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let devices = owner_call(
            &depot,
            "devices.list",
            json!({"query": {"tokenId": token}, "limit": 1}),
        )
        .await;
        let serial = devices["rows"][0]["serial"].as_str().unwrap().to_owned();
        let started = owner_call(
            &depot,
            "assignments.start",
            json!({"tokenId": token, "profileId": profile, "serials": [serial]}),
        )
        .await;
        let run = started["run"]["id"].as_str().unwrap().to_owned();
        sides.push(Side {
            token,
            profile,
            run,
            serial,
            marker: server,
        });
    }
    // Each run ends before the matrix starts.
    for side in &sides {
        for _ in 0..200 {
            let run = owner_call(&depot, "assignments.get", json!({"id": side.run})).await;
            if run["finishedAt"] != Value::Null {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    let lyon = sides.pop().unwrap();
    let paris = sides.pop().unwrap();
    (depot, paris, lyon, dir)
}

#[tokio::test]
async fn every_command_keeps_to_the_scope_tags_of_whoever_calls_it() {
    let sim = Simulator::builder()
        .seed(5)
        .server(ServerSpec::new("Paris", "Acme Corp", 6))
        .server(ServerSpec::new("Lyon", "Acme Corp", 6))
        .vpp_location(depot_sim::VppLocationSpec::new("Acme Apps", "Acme Corp"))
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap();
    let rows = rows();
    let named: Vec<&str> = rows.iter().map(|(name, _)| *name).collect();
    let table: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
    assert_eq!(
        named, table,
        "every command needs its row here, in table order"
    );

    // Commands that take away what later cells name get a workspace of
    // their own; the rest share one.
    const DESTRUCTIVE: &[&str] = &["tokens.delete", "profiles.delete", "devices.delete"];
    let shared = two_scopes(&sim).await;
    // An Apps and Books token, "1", for the vpp.* rows.
    let vpp_file = sim.issue_vpp_token("Acme Apps").unwrap();
    owner_call(
        &shared.0,
        "vpp.add",
        json!({"file": {"kind": "contents", "fileName": "acme.vpptoken", "contents": vpp_file},
               "appsUrl": sim.vpp_base_url()}),
    )
    .await;
    let mut cells = 0;
    for (name, case) in &rows {
        let own;
        let (depot, paris, lyon) = if DESTRUCTIVE.contains(name) {
            own = two_scopes(&sim).await;
            (&own.0, &own.1, &own.2)
        } else {
            (&shared.0, &shared.1, &shared.2)
        };
        let limited = member(&["Paris"]);
        let as_limited = |payload: Value| dispatch_as(Arc::clone(depot), &limited, name, payload);
        match case {
            Case::Names(payload) => {
                let outside = as_limited(payload(lyon)).await;
                assert_eq!(
                    outside.as_ref().map_err(|e| e.code),
                    Err(ErrorCode::NotFound),
                    "{name} about Lyon: {outside:?}"
                );
                let inside = as_limited(payload(paris)).await;
                if let Err(err) = &inside {
                    assert!(
                        !matches!(err.code, ErrorCode::NotFound | ErrorCode::Forbidden),
                        "{name} about Paris was refused: {err:?}"
                    );
                }
            }
            Case::Lists(payload) => {
                let mine = as_limited(payload(paris))
                    .await
                    .unwrap_or_else(|e| panic!("{name}: {e:?}"))
                    .to_string();
                let everything = owner_call(depot, name, payload(paris)).await.to_string();
                assert_ne!(mine, everything, "{name}: the owner sees more");
                for hidden in [lyon.marker, lyon.serial.as_str()] {
                    assert!(
                        !mine.contains(hidden),
                        "{name} shows {hidden} to a Paris account: {mine}"
                    );
                }
            }
            Case::EveryToken(payload) => {
                let refused = as_limited(payload(paris)).await;
                assert_eq!(
                    refused.as_ref().map_err(|e| e.code),
                    Err(ErrorCode::Forbidden),
                    "{name}: {refused:?}"
                );
                let everyone = member(&[]);
                let allowed = dispatch_as(Arc::clone(depot), &everyone, name, payload(paris)).await;
                if let Err(err) = &allowed {
                    assert_ne!(err.code, ErrorCode::Forbidden, "{name}: {err:?}");
                }
            }
            Case::NoToken(payload) => {
                if let Err(err) = as_limited(payload(paris)).await {
                    assert!(
                        !matches!(err.code, ErrorCode::NotFound | ErrorCode::Forbidden),
                        "{name}: {err:?}"
                    );
                }
            }
        }
        cells += 1;
    }
    assert_eq!(cells, COMMANDS.len());
}

#[tokio::test]
async fn a_limited_account_adds_and_tags_tokens_only_within_its_scope() {
    let sim = Simulator::builder()
        .seed(6)
        .server(ServerSpec::new("Paris", "Acme Corp", 2))
        .server(ServerSpec::new("Lyon", "Acme Corp", 2))
        .server(ServerSpec::new("Nice", "Acme Corp", 2))
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap();
    let (depot, paris, _lyon, _dir) = two_scopes(&sim).await;
    let limited = member(&["paris"]);
    let key = dispatch_as(
        Arc::clone(&depot),
        &limited,
        "tokens.generateKey",
        json!({}),
    )
    .await
    .unwrap();
    // The pending key pair is the workspace's one: the limited account gets
    // the existing pair but may not replace it under another administrator.
    let err = dispatch_as(
        Arc::clone(&depot),
        &limited,
        "tokens.generateKey",
        json!({"replace": true}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden, "{err:?}");
    let pending = dispatch_as(Arc::clone(&depot), &limited, "tokens.pendingKey", json!({}))
        .await
        .unwrap();
    assert_eq!(pending["pending"]["certificatePem"], key["certificatePem"]);
    let file = sim
        .issue_token("Nice", key["certificatePem"].as_str().unwrap().as_bytes())
        .unwrap();
    let add = |tags: Value| {
        dispatch_as(
            Arc::clone(&depot),
            &limited,
            "tokens.add",
            json!({"file": {"kind": "contents", "fileName": "Nice.p7m", "contents": file},
                   "appleId": "admin@acme.example", "scopeTags": tags, "appleUrl": sim.base_url()}),
        )
    };
    let err = add(json!(["nice"])).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden, "{err:?}");
    assert!(err.message.contains("paris"), "{}", err.message);
    let added = add(json!(["Nice", "PARIS"])).await.unwrap();
    assert_eq!(added["serverName"], "Nice");

    // Tagging Paris away from the account is refused; it stays visible.
    let err = dispatch_as(
        Arc::clone(&depot),
        &limited,
        "tokens.setScopeTags",
        json!({"id": paris.token, "scopeTags": ["lyon"]}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden, "{err:?}");
    let listed = dispatch_as(Arc::clone(&depot), &limited, "tokens.list", json!({}))
        .await
        .unwrap();
    let names: Vec<&str> = listed["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["serverName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(
        names.contains(&"Paris") && names.contains(&"Nice"),
        "{names:?}"
    );

    // The audit log of the limited account: its own tokens' entries only.
    let audit = dispatch_as(
        Arc::clone(&depot),
        &limited,
        "audit.list",
        json!({"limit": 500}),
    )
    .await
    .unwrap();
    let objects: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["object"].as_str().unwrap())
        .collect();
    assert!(!objects.is_empty());
    assert!(
        objects
            .iter()
            .all(|o| o.contains("Paris") || o.contains("Nice")),
        "{objects:?}"
    );
}
