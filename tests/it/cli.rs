use crate::support::{TestWorkspace, depot, stderr, stdout};

#[test]
fn workspace_info_prints_text_and_json() {
    let home = TestWorkspace::new();
    let ws = home.path().join("my workspace");
    let ws_arg = ws.to_str().unwrap();

    let text = depot(home.path(), &["--workspace", ws_arg, "workspace", "info"]);
    assert!(text.status.success(), "{}", stderr(&text));
    let out = stdout(&text);
    assert!(
        out.contains(&ws.join("depot.sqlite").display().to_string()),
        "{out}"
    );
    assert!(out.contains("Schema version: 1"), "{out}");
    assert!(out.contains("Tokens:         0"), "{out}");

    let json = depot(
        home.path(),
        &["workspace", "info", "--json", "--workspace", ws_arg],
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(value["schemaVersion"], 1);
    assert_eq!(value["counts"]["devices"], 0);
}

#[test]
fn depot_workspace_env_is_honoured_and_the_flag_wins() {
    let home = TestWorkspace::new();
    let from_env = home.path().join("env-ws");
    let from_flag = home.path().join("flag-ws");
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(crate::support::depot_bin());
        cmd.args(args)
            .env("HOME", home.path())
            .env("DEPOT_WORKSPACE", &from_env);
        cmd.output().unwrap()
    };
    let out = run(&["--json", "workspace", "info"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("env-ws"), "{}", stdout(&out));

    let out = run(&[
        "--json",
        "--workspace",
        from_flag.to_str().unwrap(),
        "workspace",
        "info",
    ]);
    assert!(stdout(&out).contains("flag-ws"), "{}", stdout(&out));
}

#[test]
fn a_workspace_from_a_newer_depot_is_refused_with_a_clear_message() {
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    let ws_arg = ws.to_str().unwrap();
    assert!(
        depot(home.path(), &["--workspace", ws_arg, "workspace", "info"])
            .status
            .success()
    );
    // Pretend a future Depot upgraded it (tests may write SQL; the app only via store).
    let conn = rusqlite::Connection::open(ws.join("depot.sqlite")).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, name) VALUES (99, 'future')",
        [],
    )
    .unwrap();
    drop(conn);

    let out = depot(home.path(), &["--workspace", ws_arg, "workspace", "info"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("newer version of Depot"), "{err}");
}

#[test]
fn bad_usage_exits_with_2() {
    let home = TestWorkspace::new();
    let out = depot(home.path(), &["workspace", "explode"]);
    assert_eq!(out.status.code(), Some(2));
}
