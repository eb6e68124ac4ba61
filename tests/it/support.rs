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

/// The `depot` binary built by cargo for this test run.
pub fn depot_bin() -> PathBuf {
    // Integration tests live in target/<profile>/deps; binaries one level up.
    let mut path = std::env::current_exe().expect("test exe");
    path.pop();
    if path.ends_with("deps") {
        path.pop();
    }
    path.join(format!("depot{}", std::env::consts::EXE_SUFFIX))
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

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
