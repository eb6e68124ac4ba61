use std::sync::Arc;

use depot_core::{Depot, DepotOptions, FixedClock};
use serde_json::json;

use crate::support::TestWorkspace;

fn open(ws: &TestWorkspace) -> Depot {
    Depot::open(
        ws.path(),
        DepotOptions::for_tests(Arc::new(FixedClock::at(1_700_000_000))),
    )
    .unwrap()
}

async fn dispatch(depot: Depot, name: &str, payload: serde_json::Value) -> serde_json::Value {
    depot_api::dispatch(Arc::new(depot), name, payload)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_workspace_answers_through_dispatch_and_survives_reopen() {
    let ws = TestWorkspace::new();
    let info = dispatch(open(&ws), "workspace.info", json!({})).await;
    let file = ws.path().join("depot.sqlite");
    assert_eq!(info["path"], json!(file.display().to_string()));
    assert_eq!(info["counts"]["tokens"], 0);
    assert!(file.exists());

    let again = dispatch(open(&ws), "workspace.info", json!(null)).await;
    assert_eq!(again, info);
    assert_eq!(
        dispatch(open(&ws), "tokens.list", json!({})).await,
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
