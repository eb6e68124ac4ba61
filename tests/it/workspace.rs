use std::sync::Arc;

use depot_core::{Depot, FixedClock};
use serde_json::json;

use crate::support::TestWorkspace;

fn open(ws: &TestWorkspace) -> Depot {
    Depot::open(ws.path(), Arc::new(FixedClock::at(1_700_000_000))).unwrap()
}

#[test]
fn a_new_workspace_answers_through_dispatch_and_survives_reopen() {
    let ws = TestWorkspace::new();
    let info = depot_api::dispatch(&open(&ws), "workspace.info", json!({})).unwrap();
    let file = ws.path().join("depot.sqlite");
    assert_eq!(info["path"], json!(file.display().to_string()));
    assert_eq!(info["counts"]["tokens"], 0);
    assert!(file.exists());

    let again = depot_api::dispatch(&open(&ws), "workspace.info", json!(null)).unwrap();
    assert_eq!(again, info);
    assert_eq!(
        depot_api::dispatch(&open(&ws), "tokens.list", json!({})).unwrap(),
        json!({"tokens": []})
    );
}

#[test]
fn two_handles_on_one_workspace_see_each_others_writes() {
    // The desktop app and the CLI may have the same workspace open at once.
    let ws = TestWorkspace::new();
    let a = open(&ws);
    let b = open(&ws);
    assert_eq!(a.workspace_info().unwrap().tokens, 0);
    assert_eq!(
        b.workspace_info().unwrap().schema_version,
        a.workspace_info().unwrap().schema_version
    );
}
