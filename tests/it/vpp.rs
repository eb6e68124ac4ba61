//! Apps and Books tokens through the `depot` CLI against the simulator's
//! Apps and Books service on loopback (issue 15): add, the claim conflict
//! with another MDM, licence counts, expiry, revocation, renewal, bad files.

use std::process::Command;

use depot_sim::{RunningSim, ServerSpec, Simulator, VppLocationSpec};
use serde_json::Value;

use crate::support::{TestWorkspace, depot_bin, stderr, stdout};

/// The CLI uses the wall clock, so the simulator runs on real time too.
async fn sim() -> RunningSim {
    Simulator::builder()
        .seed(15)
        .server(ServerSpec::new("Sales-East", "Acme Corp", 5))
        .vpp_location(VppLocationSpec::new("HQ Apps", "Acme Corp"))
        .vpp_location(VppLocationSpec::new("Lab Apps", "Acme Corp"))
        .start()
        .await
        .unwrap()
}

/// One workspace (one Depot, one MDM in Apple's eyes).
struct Workspace {
    home: TestWorkspace,
}

impl Workspace {
    fn new() -> Self {
        Self {
            home: TestWorkspace::new(),
        }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(depot_bin())
            .arg("--workspace")
            .arg(self.home.path().join("ws"))
            .args(args)
            .env_remove("DEPOT_WORKSPACE")
            .env("DEPOT_ALLOW_TEST_APPLE_URL", "1")
            .env("HOME", self.home.path())
            .env("DEPOT_KEY_FILE", self.home.path().join("workspace.key"))
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(out.status.success(), "depot {args:?}: {}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "depot {args:?}: {}",
            stdout(&out)
        );
        stderr(&out)
    }

    /// Writes `contents` as a file in the home folder; its path.
    fn file(&self, name: &str, contents: &str) -> String {
        let path = self.home.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path.to_string_lossy().into_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_added_claimed_synced_renewed_and_refused_when_apple_refuses_them() {
    let sim = sim().await;
    let url = sim.vpp_base_url();
    let a = Workspace::new();
    let hq = a.file("hq.vpptoken", &sim.issue_vpp_token("HQ Apps").unwrap());

    // A file that is not a token changes nothing.
    let junk = a.file("junk.vpptoken", "MIME-Version: 1.0\nnot a token");
    let said = a.fails(&["vpp", "add", "--file", &junk, "--apps-url", &url]);
    assert!(said.contains("not an Apps and Books token"), "{said}");
    assert_eq!(a.json(&["vpp", "list"])["tokens"], serde_json::json!([]));

    let added = a.json(&["vpp", "add", "--file", &hq, "--apps-url", &url]);
    assert_eq!(added["name"], "HQ Apps");
    assert_eq!(added["locationName"], "HQ Apps");
    assert_eq!(added["state"], "ok");
    assert_eq!(added["simulator"], true);
    assert_eq!(added["companyPortal"]["available"], 100);
    assert_eq!(added["companyPortal"]["deviceAssignable"], true);
    // Depot claimed the location.
    let location = sim.vpp_location("HQ Apps").unwrap();
    assert_eq!(location.mdm_info.map(|m| m.name), Some("Depot".to_owned()));
    // Never shown again: not in any output.
    let listed = a.run(&["vpp", "list"]);
    let token = std::fs::read_to_string(&hq).unwrap();
    assert!(!stdout(&listed).contains(token.trim()));
    assert!(
        stdout(&listed).contains("100/100 available"),
        "{}",
        stdout(&listed)
    );
    // The same location twice: renew instead.
    let again = a.file("hq2.vpptoken", &sim.issue_vpp_token("HQ Apps").unwrap());
    let said = a.fails(&["vpp", "add", "--file", &again, "--apps-url", &url]);
    assert!(said.contains("renew that one"), "{said}");

    // Licences change at Apple; a sync reads them.
    sim.vpp_set_licences("HQ Apps", depot_sim::COMPANY_PORTAL_ADAM_ID, 30)
        .unwrap();
    let synced = a.json(&["vpp", "sync", "HQ Apps"]);
    assert_eq!(synced["tokens"][0]["companyPortal"]["total"], 30);
    assert_eq!(
        a.json(&["vpp", "show", "hq apps"])["companyPortal"]["available"],
        30
    );

    // Another Depot (another MDM to Apple) wants the same location: it is
    // told who has it, and takes it only when told to.
    let b = Workspace::new();
    let hq_b = b.file("hq.vpptoken", &sim.issue_vpp_token("HQ Apps").unwrap());
    let said = b.fails(&["vpp", "add", "--file", &hq_b, "--apps-url", &url]);
    assert!(said.contains("another MDM, 'Depot'"), "{said}");
    assert_eq!(b.json(&["vpp", "list"])["tokens"], serde_json::json!([]));
    b.json(&[
        "vpp",
        "add",
        "--file",
        &hq_b,
        "--apps-url",
        &url,
        "--take-over",
    ]);
    // The first workspace notices at its next sync, and says so.
    let out = a.run(&["vpp", "sync"]);
    assert_eq!(out.status.code(), Some(1));
    let shown = a.json(&["vpp", "show", "HQ Apps"]);
    assert_eq!(shown["state"], "takenOver");
    assert_eq!(shown["otherMdm"], "Depot");
    // Renewing claims it back.
    let renewed = a.json(&["vpp", "renew", "HQ Apps", "--file", &again]);
    assert_eq!(renewed["state"], "ok");

    // A file for another location is refused on renew unless confirmed.
    let lab = a.file("lab.vpptoken", &sim.issue_vpp_token("Lab Apps").unwrap());
    let said = a.fails(&["vpp", "renew", "HQ Apps", "--file", &lab]);
    assert!(
        said.contains("for the location 'Lab Apps', not 'HQ Apps'"),
        "{said}"
    );

    // Apple revokes the token: marked, with what to do, and the sync fails.
    sim.vpp_revoke("HQ Apps").unwrap();
    let out = a.run(&["vpp", "sync", "HQ Apps"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("revoked"), "{}", stderr(&out));
    let shown = a.json(&["vpp", "show", "HQ Apps"]);
    assert_eq!(
        (shown["state"].as_str(), shown["problemNumber"].as_u64()),
        (Some("revoked"), Some(9625))
    );

    // Expired at Apple: marked expired.
    a.json(&[
        "vpp",
        "add",
        "--file",
        &lab,
        "--apps-url",
        &url,
        "--name",
        "Lab",
    ]);
    sim.vpp_expire("Lab Apps").unwrap();
    let _ = a.run(&["vpp", "sync", "Lab"]);
    let shown = a.json(&["vpp", "show", "Lab"]);
    assert_eq!(shown["state"], "expired");
    assert!(
        shown["problem"]
            .as_str()
            .unwrap()
            .contains("download a new one")
    );

    // Deleting: gone; an unknown name is said so.
    a.json(&["vpp", "delete", "Lab"]);
    let said = a.fails(&["vpp", "show", "Lab"]);
    assert!(said.contains("was not found"), "{said}");
    sim.shutdown().await;
}

mod in_profiles {
    //! Apps and Books tokens in profiles, through `core` with the clock
    //! injected: the profile names a token (resolved by name or id, unknown
    //! is a problem at that field), the warnings at Review and on the profile
    //! page, the assignment preview's licence warning, delete refused while
    //! used, the handoff naming the location, and the schedule.

    use std::sync::Arc;

    use depot_core::assign::{AssignReason, AssignRequest};
    use depot_core::devices::parse_serials;
    use depot_core::sync::SyncRequest;
    use depot_core::vpp::AddVppToken;
    use depot_core::{CoreError, Depot, DepotOptions, FixedClock, TokenFileInput};
    use depot_domain::profile::{Authentication, ProfileField, ProfileSpec, UserAffinity};
    use depot_domain::records::VppState;
    use depot_sim::{COMPANY_PORTAL_ADAM_ID, Fleet, ServerSpec, Simulator, VppLocationSpec};

    use crate::support::TestWorkspace;

    const NOW: i64 = 1_790_000_000;

    fn portal_spec(name: &str, token: &str) -> ProfileSpec {
        ProfileSpec {
            user_affinity: UserAffinity::WithUserAffinity,
            authentication: Some(Authentication::CompanyPortal),
            install_company_portal: true,
            company_portal_vpp_token: Some(token.to_owned()),
            ..ProfileSpec::new(name)
        }
    }

    #[tokio::test]
    async fn profiles_name_a_real_token_and_warn_before_licences_run_out() {
        let sim = Simulator::builder()
            .seed(16)
            .fleet(Fleet::Mobile)
            .server(ServerSpec::new("Sales-East", "Acme Corp", 8))
            .vpp_location(VppLocationSpec::new("HQ Apps", "Acme Corp"))
            .clock_start(NOW)
            .frozen_clock(true)
            .start()
            .await
            .unwrap();
        let ws = TestWorkspace::new();
        let clock = Arc::new(FixedClock::at(NOW));
        let depot =
            Arc::new(Depot::open(ws.path(), DepotOptions::for_tests(clock.clone())).unwrap());
        let token =
            crate::support::add_simulator_token(&depot, &sim, "Sales-East", "a@acme.example").await;
        depot
            .set_enrollment_urls(None, Some("https://mdm.acme.example/enroll"), None)
            .unwrap();
        depot
            .sync_token(token, SyncRequest::manual(true), &|_| {})
            .await
            .unwrap();
        let file = TokenFileInput::Contents {
            file_name: "hq.vpptoken".into(),
            contents: sim.issue_vpp_token("HQ Apps").unwrap().into_bytes(),
        };
        let vpp_url = sim.vpp_base_url();
        let vpp = depot
            .add_vpp_token(&AddVppToken {
                file: &file,
                name: None,
                apps_url: Some(&vpp_url),
                take_over: false,
            })
            .await
            .unwrap();

        // An unknown token is a problem at its field, with the choices.
        let err = depot
            .create_profile(token, &portal_spec("Staff", "Contoso VPP"))
            .await
            .unwrap_err();
        let CoreError::ProfileInvalid(problems) = err else {
            panic!("{err:?}")
        };
        assert_eq!(problems[0].field, ProfileField::CompanyPortalVppToken);
        assert!(
            problems[0].message.contains("Choose one of: HQ Apps"),
            "{problems:?}"
        );
        // By id or in another case: stored as the token's name.
        let created = depot
            .create_profile(token, &portal_spec("Staff", &vpp.id.get().to_string()))
            .await
            .unwrap();
        assert_eq!(
            created.spec.company_portal_vpp_token.as_deref(),
            Some("HQ Apps")
        );
        let other = depot
            .create_profile(token, &portal_spec("Lab", "hq apps"))
            .await
            .unwrap();
        assert_eq!(
            other.spec.company_portal_vpp_token.as_deref(),
            Some("HQ Apps")
        );
        let profile = created.overview.id;
        assert!(created.warnings.is_empty(), "{:?}", created.warnings);

        // Fewer licences than devices waiting for this profile: said at the
        // preview before the run, then on the profile.
        sim.vpp_set_licences("HQ Apps", COMPANY_PORTAL_ADAM_ID, 3)
            .unwrap();
        depot.sync_vpp_token("HQ Apps").await.unwrap();
        let serials: Vec<String> = depot
            .workspace()
            .connect()
            .unwrap()
            .active_serials(token)
            .unwrap()
            .into_iter()
            .map(|s| s.as_str().to_owned())
            .take(5)
            .collect();
        let preview = depot
            .preview_assignment(token, Some(profile), &serials.join("\n"))
            .unwrap();
        assert_eq!(preview.warnings.len(), 1, "{preview:?}");
        assert!(
            preview.warnings[0].contains("only 3 Company Portal licences"),
            "{:?}",
            preview.warnings
        );
        assert!(
            preview.warnings[0].contains("2 devices would get no licence"),
            "{:?}",
            preview.warnings
        );
        let run = depot
            .start_assignment(&AssignRequest {
                token,
                profile: Some(profile),
                serials: parse_serials(&serials).unwrap(),
                reason: AssignReason::Manual,
            })
            .unwrap();
        depot.run_assignment(run).await.unwrap();
        let detail = depot.profile_detail(profile).unwrap();
        let warning = detail
            .warnings
            .iter()
            .find(|w| w.field == ProfileField::CompanyPortalVppToken)
            .expect("a licence warning");
        assert!(
            warning.message.contains("Only 3 Company Portal licences"),
            "{warning:?}"
        );
        assert!(
            warning.message.contains("for 5 devices") && warning.message.contains("2 short"),
            "{warning:?}"
        );
        // Enough licences again: no warning.
        sim.vpp_set_licences("HQ Apps", COMPANY_PORTAL_ADAM_ID, 50)
            .unwrap();
        depot.sync_vpp_token("HQ Apps").await.unwrap();
        assert!(depot.profile_detail(profile).unwrap().warnings.is_empty());

        // The handoff's install command names the licence type and location.
        let files = depot.profile_handoff(profile).unwrap();
        let install = files
            .iter()
            .find(|f| f.name == "company-portal-install.plist")
            .unwrap();
        let text = String::from_utf8_lossy(&install.contents);
        assert!(
            text.contains("VPP device license") && text.contains("HQ Apps"),
            "{text}"
        );

        // Deleting the token is refused while profiles use it, naming them.
        let err = depot.delete_vpp_token("HQ Apps").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("profile 'Staff'") && text.contains("profile 'Lab'"),
            "{text}"
        );

        // 20 days before the token expires: a warning at Review.
        let expires = depot.vpp_token("HQ Apps").unwrap().expires_at;
        clock.set(expires.get() - 20 * 86_400);
        let check = depot
            .check_profile(token, &portal_spec("Review", "HQ Apps"), None)
            .unwrap();
        assert!(
            check
                .warnings
                .iter()
                .any(|w| w.message.contains("expires on") && w.message.contains("in 20 days")),
            "{:?}",
            check.warnings
        );
        clock.set(NOW);

        // Apple revokes it: the profile says the install falls back to the
        // App Store; the schedule marks it once and then leaves it alone.
        sim.vpp_revoke("HQ Apps").unwrap();
        clock.set(NOW + 13 * 3_600);
        assert_eq!(depot.sync_due_vpp_tokens().await.unwrap(), 1);
        assert_eq!(depot.vpp_token("HQ Apps").unwrap().state, VppState::Revoked);
        let warnings = depot.profile_detail(profile).unwrap().warnings;
        assert!(
            warnings
                .iter()
                .any(|w| w.message.contains("was revoked") && w.message.contains("App Store")),
            "{warnings:?}"
        );
        clock.set(NOW + 40 * 3_600);
        assert_eq!(
            depot.sync_due_vpp_tokens().await.unwrap(),
            0,
            "not retried in a loop"
        );
        sim.shutdown().await;
    }
}
