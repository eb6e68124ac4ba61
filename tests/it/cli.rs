use crate::support::{TestWorkspace, depot, depot_with_stdin, stderr, stdout};

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
    assert!(out.contains("Tokens:         0"), "{out}");

    let json = depot(
        home.path(),
        &["workspace", "info", "--json", "--workspace", ws_arg],
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let schema = value["schemaVersion"].as_u64().unwrap();
    assert!(schema >= 3, "{value}");
    assert!(out.contains(&format!("Schema version: {schema}")), "{out}");
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

mod tokens {
    use std::process::Command;

    use depot_sim::{RunningSim, ServerSpec, Simulator};

    use crate::support::{TestWorkspace, depot_bin, stderr, stdout};

    /// The CLI uses the wall clock, so the simulator runs on real time too.
    async fn sim() -> RunningSim {
        Simulator::builder()
            .seed(5)
            .fleet(depot_sim::Fleet::Mobile)
            .server(ServerSpec::new("Sales-East", "Acme Corp", 20))
            .server(ServerSpec::new("Campus", "Acme Corp", 5))
            .start()
            .await
            .unwrap()
    }

    struct Cli {
        home: TestWorkspace,
    }

    impl Cli {
        /// With the test setting that lets tokens use the simulator's URL.
        fn run(&self, args: &[&str]) -> std::process::Output {
            self.command(args)
                .env("DEPOT_ALLOW_TEST_APPLE_URL", "1")
                .output()
                .unwrap()
        }

        fn command(&self, args: &[&str]) -> Command {
            let mut cmd = Command::new(depot_bin());
            cmd.arg("--workspace")
                .arg(self.home.path().join("ws"))
                .args(args)
                .env_remove("DEPOT_WORKSPACE")
                .env_remove("DEPOT_ALLOW_TEST_APPLE_URL")
                .env("HOME", self.home.path())
                .env("DEPOT_KEY_FILE", self.home.path().join("workspace.key"))
                .env("DEPOT_LOG", "trace");
            cmd
        }

        fn ok(&self, args: &[&str]) -> String {
            let out = self.run(args);
            assert!(
                out.status.success(),
                "depot {args:?} failed: {}",
                stderr(&out)
            );
            stdout(&out)
        }

        fn path(&self, name: &str) -> String {
            self.home.path().join(name).display().to_string()
        }
    }

    // Multi-threaded: the test blocks on the child process while the simulator answers it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keygen_add_list_show_renew_delete_with_json() {
        let sim = sim().await;
        let cli = Cli {
            home: TestWorkspace::new(),
        };
        let pem_path = cli.path("depot.pem");
        let key: serde_json::Value =
            serde_json::from_str(&cli.ok(&["--json", "token", "keygen", "--out", &pem_path]))
                .unwrap();
        let pem = std::fs::read_to_string(&pem_path).unwrap();
        assert_eq!(key["certificatePem"], pem.as_str());

        let p7m_path = cli.path("Sales-East_Token_smime.p7m");
        std::fs::write(
            &p7m_path,
            sim.issue_token("Sales-East", pem.as_bytes()).unwrap(),
        )
        .unwrap();

        // Bad input first: nothing changes.
        let out = cli.run(&[
            "token",
            "add",
            "--p7m",
            &pem_path,
            "--apple-id",
            "a@acme.example",
            "--apple-url",
            sim.base_url(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("not an Apple server token file"),
            "{}",
            stderr(&out)
        );
        let out = cli.run(&[
            "token",
            "add",
            "--p7m",
            &p7m_path,
            "--apple-id",
            "nobody",
            "--apple-url",
            sim.base_url(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("email address"), "{}", stderr(&out));
        // Another URL than Apple's needs the test setting...
        let add = |url: &str| {
            vec![
                "token",
                "add",
                "--p7m",
                p7m_path.as_str(),
                "--apple-id",
                "a@acme.example",
                "--apple-url",
                url,
            ]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<String>>()
        };
        let args = add(sim.base_url());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = cli.command(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("DEPOT_ALLOW_TEST_APPLE_URL=1"),
            "{}",
            stderr(&out)
        );
        // ...and a user name before '@' is refused even with it (the host
        // would be evil.example, not this computer).
        let args = add("http://localhost:80@evil.example");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = cli.run(&args);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("'@'"), "{}", stderr(&out));

        let add = cli.run(&[
            "--json",
            "token",
            "add",
            "--p7m",
            &p7m_path,
            "--apple-id",
            "a@acme.example",
            "--scope-tag",
            "East",
            "--scope-tag",
            "Retail",
            "--apple-url",
            sim.base_url(),
        ]);
        assert!(add.status.success(), "{}", stderr(&add));
        let added: serde_json::Value = serde_json::from_str(&stdout(&add)).unwrap();
        assert_eq!(added["serverName"], "Sales-East");
        assert_eq!(added["scopeTags"], serde_json::json!(["East", "Retail"]));

        // Nothing secret in the trace-level log of the import.
        let creds = sim.credentials("Sales-East").unwrap();
        let log = stderr(&add);
        assert!(
            log.contains("TRACE") || log.contains("DEBUG") || log.contains("INFO"),
            "the log is on"
        );
        for secret in [
            &creds.consumer_key,
            &creds.consumer_secret,
            &creds.access_token,
            &creds.access_secret,
        ] {
            assert!(!log.contains(secret.as_str()), "the log holds a credential");
            assert!(!stdout(&add).contains(secret.as_str()));
        }

        let list: serde_json::Value =
            serde_json::from_str(&cli.ok(&["--json", "token", "list"])).unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert!(cli.ok(&["token", "list"]).contains("Sales-East"));
        let show: serde_json::Value =
            serde_json::from_str(&cli.ok(&["--json", "token", "show", "sales-east"])).unwrap();
        assert_eq!(show["summary"]["orgName"], "Acme Corp");

        // Renew with the same server's new file; another server's file is refused.
        std::fs::write(
            &p7m_path,
            sim.issue_token("Sales-East", pem.as_bytes()).unwrap(),
        )
        .unwrap();
        cli.ok(&[
            "token",
            "renew",
            "Sales-East",
            "--p7m",
            &p7m_path,
            "--apple-id",
            "A@ACME.example",
        ]);
        let campus = cli.path("Campus_Token_smime.p7m");
        std::fs::write(&campus, sim.issue_token("Campus", pem.as_bytes()).unwrap()).unwrap();
        let out = cli.run(&[
            "token",
            "renew",
            "1",
            "--p7m",
            &campus,
            "--apple-id",
            "a@acme.example",
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("belongs to the MDM server 'Campus'"),
            "{}",
            stderr(&out)
        );

        let out = cli.run(&["token", "show", "nope"]);
        assert_eq!(out.status.code(), Some(1));
        cli.ok(&["token", "delete", "Sales-East"]);
        assert!(cli.ok(&["token", "list"]).contains("No tokens yet"));
        let audit = cli.ok(&["audit", "list"]);
        for action in ["key.generate", "token.add", "token.renew", "token.delete"] {
            assert!(audit.contains(action), "{audit}");
        }
    }

    /// A token added through the CLI, for the profile tests.
    fn add_token(cli: &Cli, sim: &RunningSim) {
        let pem_path = cli.path("depot.pem");
        cli.ok(&["token", "keygen", "--out", &pem_path]);
        let pem = std::fs::read_to_string(&pem_path).unwrap();
        let p7m_path = cli.path("t.p7m");
        std::fs::write(
            &p7m_path,
            sim.issue_token("Sales-East", pem.as_bytes()).unwrap(),
        )
        .unwrap();
        cli.ok(&[
            "token",
            "add",
            "--p7m",
            &p7m_path,
            "--apple-id",
            "a@acme.example",
            "--apple-url",
            sim.base_url(),
        ]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn profile_create_edit_show_export_import_default_handoff_delete() {
        let sim = sim().await;
        let cli = Cli {
            home: TestWorkspace::new(),
        };
        add_token(&cli, &sim);
        let spec_path = cli.path("spec.json");
        let spec = r#"{
  "format": "depot.profile/v1",
  "name": "Sales iPads",
  "description": null,
  "platform": "iOS",
  "userAffinity": "withoutUserAffinity",
  "authentication": null,
  "installCompanyPortal": false,
  "companyPortalVppToken": null,
  "singleAppModeUntilAuthentication": false,
  "supervised": true,
  "lockedEnrollment": true,
  "awaitFinalConfiguration": true,
  "sharedIPad": true,
  "maximumCachedUsers": 10,
  "syncWithComputers": "denyAll",
  "configuratorCertificates": [],
  "deviceNameTemplate": "{{DEVICETYPE}}-{{SERIAL}}",
  "department": { "name": "Retail IT", "phone": "+49 30 1234567", "email": "it@example.com" },
  "hiddenScreens": ["AppleID", "Siri"],
  "enrollmentUrl": null,
  "configurationWebUrl": null,
  "extensions": {}
}"#;
        std::fs::write(&spec_path, spec).unwrap();

        // No enrollment URL yet: refused at the field, nothing created.
        let out = cli.run(&[
            "profile",
            "create",
            "--token",
            "Sales-East",
            "--from",
            &spec_path,
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("enrollmentUrl"), "{}", stderr(&out));
        assert!(cli.ok(&["profile", "list"]).contains("No profiles"));

        cli.ok(&[
            "settings",
            "enrollment",
            "--url",
            "https://mdm.acme.example/enroll",
        ]);
        let created: serde_json::Value = serde_json::from_str(&cli.ok(&[
            "--json",
            "profile",
            "create",
            "--token",
            "Sales-East",
            "--from",
            &spec_path,
        ]))
        .unwrap();
        assert_eq!(created["profile"]["summary"]["upload"]["state"], "uploaded");
        let apple = cli.ok(&["profile", "show", "Sales iPads", "--apple-json"]);
        let apple: serde_json::Value = serde_json::from_str(&apple).unwrap();
        assert_eq!(
            apple["skip_setup_items"],
            serde_json::json!(["AppleID", "Siri"])
        );
        assert_eq!(apple["url"], "https://mdm.acme.example/enroll");

        std::fs::write(
            &spec_path,
            spec.replace("\"maximumCachedUsers\": 10", "\"maximumCachedUsers\": 12"),
        )
        .unwrap();
        let edited = cli.ok(&["profile", "edit", "Sales iPads", "--from", &spec_path]);
        assert!(edited.contains("version 2"), "{edited}");

        let export_path = cli.path("export.json");
        cli.ok(&["profile", "export", "Sales iPads", "--out", &export_path]);
        let exported = std::fs::read_to_string(&export_path).unwrap();
        assert!(
            exported.contains("\"maximumCachedUsers\": 12"),
            "{exported}"
        );
        std::fs::write(
            &export_path,
            exported.replace("Sales iPads", "Sales iPads copy"),
        )
        .unwrap();
        cli.ok(&["profile", "import", "--token", "Sales-East", &export_path]);

        cli.ok(&["profile", "set-default", "Sales iPads"]);
        let list = cli.ok(&["profile", "list"]);
        assert!(
            list.contains("default") && list.contains("Sales iPads copy"),
            "{list}"
        );
        let out = cli.run(&["profile", "delete", "Sales iPads"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("default"), "{}", stderr(&out));

        let dir = cli.path("handoff");
        cli.ok(&["profile", "handoff", "Sales iPads", "--out", &dir]);
        let plist = std::fs::read_to_string(format!("{dir}/shared-ipad-settings.plist")).unwrap();
        assert!(plist.contains("<integer>12</integer>"), "{plist}");

        cli.ok(&["profile", "delete", "Sales iPads copy"]);
        assert_eq!(
            sim.profiles("Sales-East").unwrap().len(),
            3,
            "v1, v2 and the copy reached Apple"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn devices_list_show_export_assign_with_preview_unassign_delete() {
        let sim = sim().await;
        let cli = Cli {
            home: TestWorkspace::new(),
        };
        add_token(&cli, &sim);
        cli.ok(&[
            "settings",
            "enrollment",
            "--url",
            "https://mdm.acme.example/enroll",
        ]);
        let spec_path = cli.path("spec.json");
        std::fs::write(
            &spec_path,
            depot_domain::profile::ProfileSpec::new("Staff").to_profile_file(),
        )
        .unwrap();
        cli.ok(&[
            "profile",
            "create",
            "--token",
            "Sales-East",
            "--from",
            &spec_path,
        ]);
        cli.ok(&["sync", "Sales-East"]);

        let rows: Vec<serde_json::Value> =
            serde_json::from_str(&cli.ok(&["--json", "devices", "list"])).unwrap();
        assert_eq!(rows.len(), 20);
        let serials: Vec<String> = rows
            .iter()
            .map(|r| r["serial"].as_str().unwrap().to_owned())
            .collect();
        let prefix = &serials[0][..5];
        let found = cli.ok(&["devices", "list", "--serial-prefix", prefix]);
        assert!(found.contains(&serials[0]), "{found}");

        // A CSV with a bad row and a serial Apple does not give this server.
        let csv_path = cli.path("serials.csv");
        let mut csv = String::from("Model,Serial Number\n");
        for s in &serials[..5] {
            csv.push_str(&format!("iPad,{s}\n"));
        }
        csv.push_str("iPad,not a serial!\niPad,ZZZZ00000001\n");
        std::fs::write(&csv_path, csv).unwrap();
        let out = cli.run(&[
            "assign",
            "--profile",
            "Staff",
            "--serials",
            &csv_path,
            "--dry-run",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stderr(&out).contains("line 7"), "{}", stderr(&out));
        let preview = stdout(&out);
        assert!(
            preview.contains("unknown") && preview.contains("nothing was sent"),
            "{preview}"
        );
        assert!(
            sim.device("Sales-East", &serials[0], 10).unwrap().unwrap()["profile_uuid"].is_null()
        );

        let sent = cli.ok(&["assign", "--profile", "Staff", "--serials", &csv_path]);
        assert!(sent.contains("5 succeeded"), "{sent}");
        assert!(sent.contains("1 not accessible"), "{sent}");
        let shown = cli.ok(&["devices", "show", &serials[0]]);
        assert!(shown.contains("Profile:  Staff v1"), "{shown}");
        assert!(shown.contains("SUCCESS"), "{shown}");

        let export_path = cli.path("devices.csv");
        cli.ok(&[
            "devices",
            "export",
            "--out",
            &export_path,
            "--profile",
            "Staff",
        ]);
        let export = std::fs::read_to_string(&export_path).unwrap();
        assert_eq!(export.lines().count(), 1 + 5, "{export}");
        assert!(export.starts_with("Serial Number,Token,Model"));

        let removed = cli.ok(&["unassign", &serials[0]]);
        assert!(removed.contains("1 succeeded"), "{removed}");
        assert!(
            sim.device("Sales-East", &serials[0], 10).unwrap().unwrap()["profile_uuid"].is_null()
        );

        let deleted = cli.ok(&["devices", "delete", &serials[1]]);
        assert!(deleted.contains("Deleted 1 device"), "{deleted}");
        let left: Vec<serde_json::Value> =
            serde_json::from_str(&cli.ok(&["--json", "devices", "list"])).unwrap();
        assert_eq!(left.len(), 19);
    }

    /// PLT-1..3 through the CLI: a macOS profile, a default per platform,
    /// `clear-default --platform`, the token's waiting devices, and a dry run
    /// that refuses the devices of another platform.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn platforms_defaults_and_refused_devices() {
        let sim = Simulator::builder()
            .seed(5)
            .server(ServerSpec::new("Sales-East", "Acme Corp", 60))
            .start()
            .await
            .unwrap();
        let cli = Cli {
            home: TestWorkspace::new(),
        };
        add_token(&cli, &sim);
        cli.ok(&[
            "settings",
            "enrollment",
            "--url",
            "https://mdm.acme.example/enroll",
        ]);
        let write = |name: &str, text: &str| {
            let path = cli.path(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let macs = write(
            "macs.json",
            r#"{"format": "depot.profile/v1", "name": "Macs", "platform": "macOS",
                "userAffinity": "withoutUserAffinity", "supervised": true,
                "autoAdvanceSetup": true, "language": "en", "region": "GB"}"#,
        );
        // A key macOS has no use for is refused with its name.
        let bad = write(
            "bad.json",
            r#"{"format": "depot.profile/v1", "name": "Bad", "platform": "macOS",
                "userAffinity": "withoutUserAffinity", "sharedIPad": true,
                "maximumCachedUsers": 3, "supervised": true}"#,
        );
        let out = cli.run(&["profile", "create", "--token", "Sales-East", "--from", &bad]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("sharedIPad"), "{}", stderr(&out));
        let phones = write(
            "phones.json",
            r#"{"format": "depot.profile/v1", "name": "Phones", "userAffinity": "withoutUserAffinity"}"#,
        );
        for path in [&macs, &phones] {
            cli.ok(&["profile", "create", "--token", "Sales-East", "--from", path]);
        }
        let set = cli.ok(&["profile", "set-default", "Macs"]);
        assert!(set.contains("default macOS profile"), "{set}");
        cli.ok(&["profile", "set-default", "Phones"]);
        let list = cli.ok(&["profile", "list"]);
        assert!(list.contains("macOS") && list.contains("iOS"), "{list}");

        cli.ok(&["sync", "Sales-East"]);
        let shown = cli.ok(&["token", "show", "Sales-East"]);
        assert!(shown.contains("Default for macOS: Macs"), "{shown}");
        assert!(shown.contains("Default for iOS/iPadOS: Phones"), "{shown}");
        // Apple TVs and Vision Pros have no default: counted, not assigned.
        assert!(shown.contains("Waiting:"), "{shown}");
        assert!(!shown.contains("Wrong platform"), "{shown}");

        let out = cli.run(&[
            "profile",
            "clear-default",
            "--token",
            "Sales-East",
            "--platform",
            "watchOS",
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let cleared = cli.ok(&[
            "profile",
            "clear-default",
            "--token",
            "Sales-East",
            "--platform",
            "macOS",
        ]);
        assert!(cleared.contains("no macOS default"), "{cleared}");
        let shown = cli.ok(&["token", "show", "Sales-East"]);
        assert!(
            !shown.contains("Default for macOS") && shown.contains("Phones"),
            "{shown}"
        );

        // A dry run of the macOS profile on every device: only Macs would go.
        let rows: Vec<serde_json::Value> =
            serde_json::from_str(&cli.ok(&["--json", "devices", "list"])).unwrap();
        let list = write(
            "all.txt",
            &rows
                .iter()
                .map(|r| r["serial"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let macs_count = rows.iter().filter(|r| r["family"] == "Mac").count();
        assert!(macs_count > 0 && macs_count < rows.len());
        let preview = cli.ok(&[
            "assign",
            "--profile",
            "Macs",
            "--serials",
            &list,
            "--dry-run",
        ]);
        assert!(preview.contains("refused"), "{preview}");
        assert!(
            preview.contains("needs an iOS/iPadOS profile, not a macOS one"),
            "{preview}"
        );

        // A Mac that got the iOS default before platforms existed is listed
        // in the sync history (and on the token) to be fixed.
        let phones: serde_json::Value =
            serde_json::from_str(&cli.ok(&["--json", "profile", "show", "Phones"])).unwrap();
        let uuid = phones["summary"]["upload"]["appleUuid"].as_str().unwrap();
        let mac = rows
            .iter()
            .find(|r| r["family"] == "Mac")
            .map(|r| r["serial"].as_str().unwrap().to_owned())
            .unwrap();
        let db =
            rusqlite::Connection::open(cli.home.path().join("ws").join("depot.sqlite")).unwrap();
        db.execute(
            "UPDATE devices SET profile_uuid = ?1, profile_status = 'pushed' WHERE serial = ?2",
            rusqlite::params![uuid, mac],
        )
        .unwrap();
        let history = cli.ok(&["sync", "history", "Sales-East"]);
        assert!(
            history.contains("1 device(s) hold a profile made for another platform")
                && history.contains(&mac)
                && history.contains("already set up: erase it"),
            "{history}"
        );
        assert!(
            cli.ok(&["token", "show", "Sales-East"])
                .contains("Wrong platform")
        );
    }
}

#[test]
fn devices_list_above_the_page_limit_is_an_error_that_suggests_all() {
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    let ws_arg = ws.to_str().unwrap();
    for limit in ["100000", "0"] {
        let out = depot(
            home.path(),
            &["--workspace", ws_arg, "devices", "list", "--limit", limit],
        );
        assert_eq!(out.status.code(), Some(1), "{limit}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("500") && err.contains("--all"), "{err}");
    }
    let out = depot(
        home.path(),
        &["--workspace", ws_arg, "devices", "list", "--limit", "500"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn files_that_are_not_regular_files_are_refused_without_waiting() {
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    let ws_arg = ws.to_str().unwrap();
    let folder = home.path().join("a-folder.csv");
    std::fs::create_dir(&folder).unwrap();
    let fifo = home.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for (what, args) in [
        (
            "/dev/zero",
            vec!["profile", "import", "--token", "1", "/dev/zero"],
        ),
        (
            "a folder",
            vec![
                "assign",
                "--profile",
                "P",
                "--serials",
                folder.to_str().unwrap(),
            ],
        ),
        (
            "a FIFO",
            vec![
                "assign",
                "--profile",
                "P",
                "--serials",
                fifo.to_str().unwrap(),
            ],
        ),
        (
            "a FIFO token file",
            vec![
                "token",
                "add",
                "--p7m",
                fifo.to_str().unwrap(),
                "--apple-id",
                "a@example.com",
            ],
        ),
    ] {
        let mut all = vec!["--workspace", ws_arg];
        all.extend(args);
        let out = depot(home.path(), &all);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("not a regular file"),
            "{what}: {}",
            stderr(&out)
        );
    }
}

/// `depot users …` (issue 14): the first administrator is made on the
/// workspace; passwords come from standard input and are never printed or
/// stored; bad input exits non-zero and changes nothing; every change is audited.
#[test]
fn users_are_managed_on_the_workspace() {
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    let ws = ws.to_str().unwrap();
    let run = |args: &[&str]| depot(home.path(), &[&["--workspace", ws], args].concat());
    let with_stdin = |args: &[&str], input: &str| {
        depot_with_stdin(home.path(), &[&["--workspace", ws], args].concat(), input)
    };

    let added = with_stdin(
        &[
            "users",
            "add",
            "root@example.org",
            "--role",
            "administrator",
            "--password-stdin",
        ],
        "a long enough secret\n",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let helpdesk = with_stdin(
        &[
            "users",
            "add",
            "ana",
            "--role",
            "help-desk",
            "--scope-tag",
            "Paris",
            "--scope-tag",
            "paris",
            "--password-stdin",
        ],
        "another long secret\r\n",
    );
    assert!(helpdesk.status.success(), "{}", stderr(&helpdesk));
    assert!(!stdout(&helpdesk).contains("another long secret"));

    // Refused, nothing changed: an unknown role (usage, 2), a short password,
    // a taken name, a bad name (1).
    let bad_role = run(&["users", "add", "bob", "--role", "admin"]);
    assert_eq!(bad_role.status.code(), Some(2), "{}", stderr(&bad_role));
    assert!(stderr(&bad_role).contains("administrator, help-desk or read-only"));
    for (args, input, says) in [
        (
            vec![
                "users",
                "add",
                "bob",
                "--role",
                "read-only",
                "--password-stdin",
            ],
            "short\n",
            "at least 12",
        ),
        (
            vec!["users", "add", "ANA", "--role", "read-only"],
            "",
            "already a user",
        ),
        (
            vec!["users", "add", "two words", "--role", "read-only"],
            "",
            "letters, digits",
        ),
    ] {
        let out = with_stdin(&args, input);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }

    let list = run(&["--json", "users", "list"]);
    let users: serde_json::Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 2, "{users}");
    assert_eq!(users[0]["name"], "ana");
    assert_eq!(users[0]["role"], "help-desk");
    assert_eq!(users[0]["scopeTags"], serde_json::json!(["Paris"]));
    assert_eq!(users[0]["hasPassword"], true);

    for args in [
        vec!["users", "set-role", "ana", "read-only"],
        vec!["users", "set-scope", "ana", "--scope-tag", "Lyon"],
        vec!["users", "disable", "ana"],
        vec!["users", "enable", "ana"],
        vec!["users", "sign-out", "ana"],
    ] {
        let out = run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    let show = run(&["--json", "users", "show", "ANA"]);
    let ana: serde_json::Value = serde_json::from_str(&stdout(&show)).unwrap();
    assert_eq!(
        (ana["role"].as_str(), ana["scopeTags"][0].as_str()),
        (Some("read-only"), Some("Lyon"))
    );

    // A generated password is shown once and is not what the workspace keeps.
    let reset = run(&["users", "reset-password", "ana"]);
    let shown = stdout(&reset);
    let password = shown
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(password.len(), 20, "{shown}");
    for file in ["depot.sqlite", "depot.sqlite-wal"] {
        let bytes = std::fs::read(home.path().join("ws").join(file)).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&password),
            "{file}"
        );
    }

    let deleted = run(&["users", "delete", "ana"]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    assert_eq!(run(&["users", "show", "ana"]).status.code(), Some(1));

    let json = stdout(&run(&["--json", "audit", "list", "--action", "user.add"]));
    let entries: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(entries[0]["origin"], "cli", "{entries}");
    let audit = stdout(&run(&["audit", "list"]));
    for action in [
        "user.add",
        "user.role",
        "user.scope",
        "user.disable",
        "user.enable",
        "user.signOutEverywhere",
        "user.password",
        "user.delete",
    ] {
        assert!(audit.contains(action), "{action} missing:\n{audit}");
    }
}
