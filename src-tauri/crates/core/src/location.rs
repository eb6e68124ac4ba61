//! Where the workspace lives: `--workspace`, then `DEPOT_WORKSPACE`, then the
//! OS app-data folder (the desktop app passes Tauri's `app_data_dir` instead).

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variable that overrides the default workspace folder.
pub const WORKSPACE_ENV: &str = "DEPOT_WORKSPACE";

/// The environment variable naming an owner-only key file for the workspace
/// key (TOK-3); without it the OS keychain is used.
pub const KEY_FILE_ENV: &str = "DEPOT_KEY_FILE";

/// The test setting that lets tokens use an Apple base URL other than
/// Apple's own (a simulator, a test service): `1` turns it on.
pub const ALLOW_TEST_APPLE_URL_ENV: &str = "DEPOT_ALLOW_TEST_APPLE_URL";

/// Whether `DEPOT_ALLOW_TEST_APPLE_URL` allows test hosts (`1`, `true` or `yes`).
pub fn test_apple_hosts_from_env() -> depot_apple::AppleHosts {
    let on = std::env::var(ALLOW_TEST_APPLE_URL_ENV)
        .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"));
    if on {
        depot_apple::AppleHosts::AllowTestHosts
    } else {
        depot_apple::AppleHosts::AppleOnly
    }
}

/// `DEPOT_KEY_FILE`, if set and not empty.
pub fn key_file_from_env() -> Option<PathBuf> {
    std::env::var_os(KEY_FILE_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The OS user name, for the audit log's operator column: `USER` /
/// `USERNAME` / `LOGNAME` when set, else the account database's name for
/// this process's user (services and containers often set no variable).
pub fn operator_from_env() -> Option<String> {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok())
        .filter(|v| !v.trim().is_empty())
        .or_else(|| whoami::username().ok())
}

/// Picks the workspace folder: an explicit choice wins, then a non-empty
/// `DEPOT_WORKSPACE` value, then `default`.
pub fn resolve(
    explicit: Option<PathBuf>,
    env_value: Option<OsString>,
    default: impl FnOnce() -> Option<PathBuf>,
) -> Option<PathBuf> {
    explicit
        .or_else(|| env_value.filter(|v| !v.is_empty()).map(PathBuf::from))
        .or_else(default)
}

/// The app's identifier (`identifier` in `src-tauri/tauri.conf.json`); Tauri's
/// `app_data_dir` is the OS data folder joined with it.
pub const APP_IDENTIFIER: &str = "app.depot.desktop";

/// The OS app-data folder for Depot — the same folder the desktop app uses, so
/// the app and the CLI open one workspace: `~/.local/share/app.depot.desktop`
/// on Linux, `~/Library/Application Support/app.depot.desktop` on macOS,
/// `%APPDATA%\app.depot.desktop` on Windows.
pub fn os_default() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.data_dir().join(APP_IDENTIFIER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_default_is_the_desktop_apps_folder() {
        let conf: &str = include_str!("../../../tauri.conf.json");
        assert!(
            conf.contains(&format!("\"identifier\": \"{APP_IDENTIFIER}\"")),
            "tauri.conf.json identifier"
        );
        if let Some(dir) = os_default() {
            assert!(dir.ends_with(APP_IDENTIFIER), "{}", dir.display());
        }
    }

    #[test]
    fn explicit_beats_env_beats_default() {
        let default = || Some(PathBuf::from("/default"));
        assert_eq!(
            resolve(Some("/flag".into()), Some("/env".into()), default),
            Some(PathBuf::from("/flag"))
        );
        assert_eq!(
            resolve(None, Some("/env".into()), default),
            Some(PathBuf::from("/env"))
        );
        assert_eq!(
            resolve(None, Some("".into()), default),
            Some(PathBuf::from("/default"))
        );
        assert_eq!(
            resolve(None, None, default),
            Some(PathBuf::from("/default"))
        );
        assert_eq!(resolve(None, None, || None), None);
    }
}
