//! Secrets on disk and in logs (issue 11): the workspace key's export and
//! import through the `depot` CLI, a missing key named with its fix, and a
//! trace-level log of a whole token add + sync + assignment that holds no
//! credential, session token or private key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use depot_core::assign::{AssignReason, AssignRequest};
use depot_core::devices::parse_serials;
use depot_core::sync::SyncRequest;
use depot_core::{Depot, DepotOptions, FixedClock};
use depot_domain::profile::ProfileSpec;
use depot_sim::{ServerSpec, Simulator};
use depot_store::{FixedKey, SecretSlot, Workspace};

use crate::support::{TestWorkspace, depot_bin, stderr, stdout};

const NOW: i64 = 1_790_000_000;
const SERVER: &str = "Sales-East";
/// `DepotOptions::for_tests` seals with this fixed key.
const TEST_KEY: [u8; 32] = [42; 32];

// ----- the key through the CLI --------------------------------------------------

/// `depot` with its own HOME and a key file (never the real keychain).
struct Cli {
    home: TestWorkspace,
}

impl Cli {
    fn new() -> Self {
        Self {
            home: TestWorkspace::new(),
        }
    }

    fn key_file(&self) -> PathBuf {
        self.home.path().join("keys/workspace.key")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    fn run_with_key_file(&self, key_file: &Path, args: &[&str]) -> Output {
        Command::new(depot_bin())
            .arg("--workspace")
            .arg(self.home.path().join("ws"))
            .args(args)
            .env_remove("DEPOT_WORKSPACE")
            .env("HOME", self.home.path())
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("DEPOT_KEY_FILE", key_file)
            .output()
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with_key_file(&self.key_file(), args)
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "depot {args:?} failed: {}",
            stderr(&out)
        );
        stdout(&out)
    }

    /// Runs `args`, expecting failure (exit 1); returns stderr.
    #[track_caller]
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "depot {args:?} should fail: {}",
            stdout(&out)
        );
        stderr(&out)
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_workspace_key_is_exported_owner_only_and_imported_back_after_a_loss() {
    let cli = Cli::new();
    // A key pair is a sealed secret: from now on the vault holds secrets.
    let pem = cli.path("depot.pem");
    cli.ok(&["token", "keygen", "--out", pem.to_str().unwrap()]);
    let original = std::fs::read(cli.key_file()).unwrap();

    let backup = cli.path("backup/workspace-key.txt");
    let exported: serde_json::Value = serde_json::from_str(&cli.ok(&[
        "--json",
        "workspace",
        "key",
        "export",
        "--out",
        backup.to_str().unwrap(),
    ]))
    .unwrap();
    assert_eq!(exported["file"], backup.to_str().unwrap());
    assert_eq!(exported["workspaceId"].as_str().unwrap().len(), 32);
    assert_eq!(std::fs::read(&backup).unwrap(), original, "the same key");
    #[cfg(unix)]
    assert_eq!(mode(&backup), 0o600);

    // Never over an existing file (text mode this time).
    let err = cli.fails(&["workspace", "key", "export", "--out", pem.to_str().unwrap()]);
    assert!(err.contains("never overwrites"), "{err}");
    assert!(
        std::fs::read_to_string(&pem)
            .unwrap()
            .contains("CERTIFICATE"),
        "the certificate is untouched"
    );

    // The key file is lost: a clear error, and no new key made up.
    std::fs::remove_file(cli.key_file()).unwrap();
    let err = cli.fails(&["token", "keygen", "--out", pem.to_str().unwrap()]);
    for fix in [
        "key is missing",
        "depot workspace key import FILE",
        "DEPOT_KEY_FILE",
    ] {
        assert!(err.contains(fix), "{err}");
    }
    assert!(!cli.key_file().exists(), "Depot made up a key");

    // Another workspace's key is refused, and nothing is stored.
    let other = Cli::new();
    other.ok(&["token", "keygen", "--out", pem.to_str().unwrap()]);
    let wrong = cli.path("wrong.key");
    other.ok(&[
        "workspace",
        "key",
        "export",
        "--out",
        wrong.to_str().unwrap(),
    ]);
    let err = cli.fails(&["workspace", "key", "import", wrong.to_str().unwrap()]);
    assert!(err.contains("does not open this workspace"), "{err}");
    assert!(!cli.key_file().exists());

    // The backup goes back where DEPOT_KEY_FILE says, owner-only.
    let imported: serde_json::Value = serde_json::from_str(&cli.ok(&[
        "--json",
        "workspace",
        "key",
        "import",
        backup.to_str().unwrap(),
    ]))
    .unwrap();
    assert_eq!(imported["workspaceId"], exported["workspaceId"]);
    assert_eq!(imported["keyProtection"], "keyFile");
    assert!(
        imported["storedIn"]
            .as_str()
            .unwrap()
            .contains(cli.key_file().to_str().unwrap()),
        "{imported}"
    );
    assert_eq!(std::fs::read(cli.key_file()).unwrap(), original);
    #[cfg(unix)]
    assert_eq!(mode(&cli.key_file()), 0o600);
    cli.ok(&["token", "keygen", "--out", pem.to_str().unwrap()]);

    let audit = cli.ok(&["audit", "list"]);
    assert!(
        audit.contains("key.export") && audit.contains("key.import"),
        "{audit}"
    );
}

#[cfg(unix)]
#[test]
fn a_key_file_behind_a_symbolic_link_is_refused() {
    let cli = Cli::new();
    let pem = cli.path("depot.pem");
    cli.ok(&["token", "keygen", "--out", pem.to_str().unwrap()]);
    let link = cli.path("link.key");
    std::os::unix::fs::symlink(cli.key_file(), &link).unwrap();
    let out = cli.run_with_key_file(&link, &["token", "keygen", "--out", pem.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
}

// ----- nothing secret in a trace-level log ----------------------------------------

/// Log output of the whole test binary while a capture is on.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

static CAPTURING: AtomicBool = AtomicBool::new(false);

/// Installs, once, a global subscriber that formats every event and span at
/// TRACE level (and `log` records: reqwest's) into a buffer, but only while
/// [`CAPTURING`] is on, so the other tests of this binary pay nothing. Global,
/// not thread-local: core's writer thread and the runtime's workers log too.
fn trace_buffer() -> &'static Buffer {
    static BUFFER: OnceLock<Buffer> = OnceLock::new();
    BUFFER.get_or_init(|| {
        use tracing_subscriber::prelude::*;
        let buffer = Buffer::default();
        let layer = tracing_subscriber::fmt::layer()
            .with_writer(buffer.clone())
            .with_ansi(false)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .with_filter(tracing_subscriber::filter::dynamic_filter_fn(|_, _| {
                CAPTURING.load(Ordering::SeqCst)
            }));
        tracing_subscriber::registry()
            .with(layer)
            .try_init()
            .expect("no other global subscriber in this test binary");
        buffer
    })
}

/// Session tokens are long upper-case hex runs (the simulator's are 128).
fn longest_upper_hex_run(text: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_digit() || ('A'..='F').contains(&c) {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trace_log_of_add_sync_and_assign_holds_no_secret() {
    let buffer = trace_buffer();
    let sim = Simulator::builder()
        .seed(5)
        .server(ServerSpec::new(SERVER, "Acme Corp", 30))
        .fleet(depot_sim::Fleet::Mobile)
        .clock_start(NOW)
        .frozen_clock(true)
        .start()
        .await
        .unwrap();
    let ws = TestWorkspace::new();
    let clock = Arc::new(FixedClock::at(NOW));

    CAPTURING.store(true, Ordering::SeqCst);
    tracing::trace!("capture started");
    let depot = Arc::new(Depot::open(ws.path(), DepotOptions::for_tests(clock)).unwrap());
    let token = crate::support::add_simulator_token(&depot, &sim, SERVER, "a@acme.example").await;
    depot
        .sync_token(token, SyncRequest::manual(true), &|_| {})
        .await
        .unwrap();
    // A session Apple forgets: the client signs in again mid-way.
    sim.expire_sessions();
    depot
        .set_enrollment_urls(None, Some("https://mdm.acme.example/enroll"), None)
        .unwrap();
    let profile = depot
        .create_profile(token, &ProfileSpec::new("Sales iPads"))
        .await
        .unwrap()
        .overview
        .id;
    let serials = sim.serials(SERVER, 0, 10).unwrap();
    let run = depot
        .start_assignment(&AssignRequest {
            token,
            profile: Some(profile),
            serials: parse_serials(&serials).unwrap(),
            reason: AssignReason::Manual,
        })
        .unwrap();
    let summary = depot.run_assignment(run).await.unwrap();
    assert_eq!(summary.succeeded, 10, "{summary:?}");
    drop(depot);
    tracing::trace!("capture stopped");
    CAPTURING.store(false, Ordering::SeqCst);

    let log = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
    assert!(
        log.contains("capture started") && log.contains("TRACE"),
        "the capture is on"
    );
    assert!(
        log.contains("depot_store") && log.contains("reqwest") && log.contains("hyper"),
        "the log covers Depot and its HTTP calls"
    );

    // The four credentials, exactly as the portal issued them.
    let creds = sim.credentials(SERVER).unwrap();
    for (what, secret) in [
        ("consumer key", &creds.consumer_key),
        ("consumer secret", &creds.consumer_secret),
        ("access token", &creds.access_token),
        ("access secret", &creds.access_secret),
    ] {
        assert!(!log.contains(secret.as_str()), "the log holds the {what}");
    }
    // Session tokens (sent by the simulator, never kept by Depot on disk).
    assert!(
        longest_upper_hex_run(&log) < 64,
        "the log holds something shaped like a session token"
    );
    // The token's private key: its PEM body, line by line, read back from the
    // vault with the tests' fixed key.
    let store = Workspace::open(ws.path()).unwrap();
    let db = store.connect().unwrap();
    let vault = db.open_vault(&FixedKey(TEST_KEY)).unwrap();
    let sealed = db.token_secrets(token).unwrap().unwrap();
    let pem = vault
        .unseal(SecretSlot::TokenPrivateKey(token), &sealed.private_key)
        .unwrap()
        .into_secret_string()
        .unwrap();
    let body: Vec<&str> = pem
        .expose()
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .collect();
    assert!(body.len() > 10, "a real PEM body");
    for line in body {
        assert!(!log.contains(line), "the log holds the private key");
    }
    assert!(
        !log.contains("PRIVATE KEY"),
        "the log holds a PEM private key"
    );
    // Nor the workspace key.
    assert!(
        !log.contains(&"2a".repeat(32)),
        "the log holds the workspace key"
    );
}
