use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh workspace folder, removed when dropped.
pub struct TestWorkspace {
    dir: tempfile::TempDir,
}

impl TestWorkspace {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// The `depot` binary of this build, built first if `cargo test` did not
/// (cargo builds a package's binaries only for that package's own tests).
pub fn depot_bin() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            // Integration tests live in target/<profile>/deps; binaries one level up.
            let mut dir = std::env::current_exe().expect("test exe");
            dir.pop();
            if dir.ends_with("deps") {
                dir.pop();
            }
            let bin = dir.join(format!("depot{}", std::env::consts::EXE_SUFFIX));
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut build = Command::new(cargo);
            build.args(["build", "--quiet", "-p", "depot-cli", "--bin", "depot"]);
            if dir.file_name().is_some_and(|p| p == "release") {
                build.arg("--release");
            }
            let status = build.status().expect("run cargo build -p depot-cli");
            assert!(status.success(), "cargo build -p depot-cli failed");
            bin
        })
        .clone()
}

/// Runs `depot` with a clean environment: no DEPOT_WORKSPACE leaks in, and HOME
/// points at a temp folder so a default lookup can never touch real data.
pub fn depot(home: &Path, args: &[&str]) -> Output {
    let bin = depot_bin();
    assert!(
        bin.exists(),
        "{} missing: build it with `cargo build -p depot-cli`",
        bin.display()
    );
    Command::new(bin)
        .args(args)
        .env_remove("DEPOT_WORKSPACE")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .output()
        .expect("run depot")
}

/// [`depot`] with `input` on its standard input.
pub fn depot_with_stdin(home: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(depot_bin())
        .args(args)
        .env_remove("DEPOT_WORKSPACE")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run depot");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("depot output")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Adds the simulator's token for `server` to `depot` through the real flow:
/// a key pair, the simulated portal's `.p7m` for it, then `add_token` with
/// the simulator's URL.
pub async fn add_simulator_token(
    depot: &depot_core::Depot,
    sim: &depot_sim::RunningSim,
    server: &str,
    apple_id: &str,
) -> depot_domain::TokenId {
    let key = depot.generate_key(false).unwrap();
    let p7m = sim
        .issue_token(server, key.certificate_pem.as_bytes())
        .unwrap();
    let file = depot_core::TokenFileInput::Contents {
        file_name: "t.p7m".into(),
        contents: p7m.into_bytes(),
    };
    depot
        .add_token(&file, apple_id, &[], Some(sim.base_url()))
        .await
        .unwrap()
        .id
}

/// A CLI test's home: `depot --workspace HOME/ws …` with the test Apple URL
/// allowed and the workspace key in a file under HOME, so every command
/// (and a `depot serve` started with [`CliHome::env`]) opens one workspace.
pub struct CliHome {
    pub home: TestWorkspace,
}

impl CliHome {
    pub fn new() -> Self {
        Self {
            home: TestWorkspace::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.home.path()
    }

    /// The workspace folder, as `--workspace` takes it.
    pub fn ws(&self) -> String {
        self.home.path().join("ws").to_string_lossy().into_owned()
    }

    /// The variables every command of this home runs with.
    pub fn env(&self) -> Vec<(&'static str, std::ffi::OsString)> {
        vec![
            ("DEPOT_ALLOW_TEST_APPLE_URL", "1".into()),
            (
                "DEPOT_KEY_FILE",
                self.home.path().join("workspace.key").into_os_string(),
            ),
            ("HOME", self.home.path().as_os_str().to_owned()),
            (
                "XDG_DATA_HOME",
                self.home.path().join("data").into_os_string(),
            ),
        ]
    }

    /// `depot --workspace WS ARGS`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    /// [`CliHome::run`] with `input` on standard input.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new(depot_bin())
            .arg("--workspace")
            .arg(self.ws())
            .args(args)
            .env_remove("DEPOT_WORKSPACE")
            .envs(self.env())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run depot");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).expect("write stdin");
        drop(stdin);
        child.wait_with_output().expect("depot output")
    }

    /// The simulator's token for `server` added through the CLI (keygen,
    /// the simulated portal's `.p7m`, `token add`), then synced.
    pub fn add_simulator_token(&self, sim: &depot_sim::RunningSim, server: &str) {
        let pem = self.home.path().join("depot.pem");
        let keygen = self.run(&["token", "keygen", "--out", pem.to_str().unwrap()]);
        assert!(keygen.status.success(), "{}", stderr(&keygen));
        let p7m = self.home.path().join("t.p7m");
        std::fs::write(
            &p7m,
            sim.issue_token(server, &std::fs::read(&pem).unwrap())
                .unwrap(),
        )
        .unwrap();
        let add = self.run(&[
            "token",
            "add",
            "--p7m",
            p7m.to_str().unwrap(),
            "--apple-id",
            "a@acme.example",
            "--apple-url",
            sim.base_url(),
        ]);
        assert!(add.status.success(), "{}", stderr(&add));
        let sync = self.run(&["sync"]);
        assert!(sync.status.success(), "{}", stderr(&sync));
    }
}
