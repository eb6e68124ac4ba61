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
