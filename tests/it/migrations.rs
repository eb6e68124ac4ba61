//! Schema migrations: append-only (checksums), applied once when two
//! processes open an old workspace at once, and atomic under SIGKILL.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use depot_store::migrations::MIGRATIONS;
use depot_store::migrations::test_support::{apply_pending, current_version};
use rusqlite::Connection;

use crate::support::{TestWorkspace, depot_bin, stderr};

/// FNV-1a (64 bit) of each shipped migration file, line endings normalised
/// (a Windows checkout may have CRLF). Adding a migration means adding its
/// line here; an old line never changes.
const SHIPPED: &[(u32, &str, u64)] = &[
    (1, "init", 0xd4bf_12ea_2c66_bbff),
    (2, "tokens", 0x0f65_7abc_c2cd_7229),
    (3, "sync", 0x0f8d_4940_0bb7_a634),
    (4, "profiles", 0xf33f_afe6_f3a1_58e6),
    (5, "device_queries", 0xfa6b_5d3e_9da1_d89b),
    (6, "deferred_values", 0xb1b8_06b2_814f_a42b),
    (7, "device_events", 0xa966_6003_be10_5535),
    (8, "vault_format", 0x6c6f_2199_1079_bb43),
    (9, "device_facts", 0x49b2_8849_476f_3f66),
    (10, "platforms", 0x1c1de986b7557399),
    (11, "users", 0xaf7c_b918_5226_e720),
    (12, "audit_origin", 0x3b01_857a_9eeb_1510),
    (13, "identifier_keys", 0x6ba4_5411_4065_3ae9),
    (14, "audit_token", 0x42f2_2e57_3a36_27a8),
    (15, "oidc_users", 0x0dd7_264c_efc7_ad96),
    (16, "family_model", 0x51fa_61c1_8eb8_8d93),
    (17, "sessions", 0x9c50_c4f2_d7a3_f758),
    (18, "vpp_tokens", 0x0806_4562_44cc_0ece),
    (19, "alert_delivery", 0xa2d5_75a3_603e_51c6),
    (20, "organisations", 0x568f_312f_b6fe_bbee),
    (21, "org_sync_attempts", 0x7a30_eb2e_8164_caea),
    (22, "webhook_health", 0x9a0e_4d0b_bdaf_7183),
];

fn fnv1a(text: &str) -> u64 {
    text.replace("\r\n", "\n")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

/// Catches an edited, renamed, reordered or removed shipped migration, and a
/// new one without its line in `SHIPPED`.
#[test]
fn shipped_migrations_never_change() {
    for (index, &(version, name, checksum)) in SHIPPED.iter().enumerate() {
        let Some(migration) = MIGRATIONS.get(index) else {
            panic!("migration {version} ({name}) was removed: migrations are append-only");
        };
        assert!(
            migration.version == version && migration.name == name,
            "migration {version} ({name}) is now {} ({}): migrations are append-only, never \
             renumber or rename one",
            migration.version,
            migration.name
        );
        let found = fnv1a(migration.sql);
        assert!(
            found == checksum,
            "migration {version} ({name}) was edited (checksum {found:#018x}, shipped \
             {checksum:#018x}). Migrations are append-only: workspaces out there already ran \
             the shipped text. Undo the edit and add a new migration instead"
        );
    }
    if let Some(migration) = MIGRATIONS.get(SHIPPED.len()) {
        panic!(
            "new migration {} ({}): add its line to SHIPPED in tests/it/migrations.rs: \
             ({}, \"{}\", {:#018x}),",
            migration.version,
            migration.name,
            migration.version,
            migration.name,
            fnv1a(migration.sql)
        );
    }
}

const OLD_VERSION: usize = 6;

/// A workspace as Depot left it at schema `OLD_VERSION`: one token and
/// `devices` devices (migration 7 gives each an event).
fn old_workspace(dir: &Path, devices: u32) {
    std::fs::create_dir_all(dir).unwrap();
    let mut conn = Connection::open(dir.join("depot.sqlite")).unwrap();
    conn.pragma_update(None, "journal_mode", "wal").unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    apply_pending(&mut conn, &MIGRATIONS[..OLD_VERSION]).unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO tokens (id, server_name, server_uuid, org_name, apple_id, expires_at, created_at)
             VALUES (1, 'Campus', 'uuid-1', 'Springfield Schools', 'a@b.example', 1900000000, 1700000000);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {devices})
         INSERT INTO devices (token_id, serial, model, family, updated_at)
             SELECT 1, printf('C02X%08d', i), 'iPad Air', 'iPad', 1700000000 FROM n;"
    ))
    .unwrap();
}

/// The schema (sqlite_master) of a workspace migrated to `version` in one go.
fn schema_at(version: usize) -> Vec<(String, String, Option<String>)> {
    let mut conn = Connection::open_in_memory().unwrap();
    apply_pending(&mut conn, &MIGRATIONS[..version]).unwrap();
    schema(&conn)
}

fn schema(conn: &Connection) -> Vec<(String, String, Option<String>)> {
    let mut stmt = conn
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn depot(ws: &Path, home: &TestWorkspace) -> Command {
    let mut cmd = Command::new(depot_bin());
    cmd.arg("--workspace")
        .arg(ws)
        .args(["--json", "workspace", "info"])
        .env_remove("DEPOT_WORKSPACE")
        .env("HOME", home.path())
        .env("DEPOT_KEY_FILE", home.path().join("workspace.key"));
    cmd
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The files named like a backup (`depot.sqlite.v<N>.bak[.N]`, not a
/// `.partial-<pid>` copy in progress).
fn backups(ws: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(ws)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.contains(".bak") && !name.contains("partial") && !name.ends_with("-journal")
        })
        .collect()
}

/// Two `depot` processes open the same old workspace while a third
/// connection holds the write lock, so both wait for it with the version they
/// read before. Released, one migrates, the other finds the work done.
/// Catches migrations in a deferred transaction (the second process fails
/// with "database is locked" or "table already exists") or without the
/// version read again inside the lock (each migration applied twice).
#[test]
fn two_processes_opening_an_old_workspace_migrate_it_once() {
    let home = TestWorkspace::new();
    let ws = home.path().join("ws");
    old_workspace(&ws, 500);

    let holder = Connection::open(ws.join("depot.sqlite")).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let spawn = || {
        depot(&ws, &home)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    // Each backs up first (to its own file), then waits for the lock.
    let deadline = Instant::now() + Duration::from_secs(60);
    while backups(&ws).len() < 2 {
        assert!(
            Instant::now() < deadline,
            "the two processes never got going"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Time to reach the lock; if they have not, the test is merely weaker.
    std::thread::sleep(Duration::from_millis(300));
    holder.execute_batch("COMMIT").unwrap();

    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let conn = Connection::open(ws.join("depot.sqlite")).unwrap();
    assert_eq!(
        current_version(&conn).unwrap() as usize,
        MIGRATIONS.len(),
        "at the latest version"
    );
    let rows = count(&conn, "SELECT COUNT(*) FROM schema_migrations");
    assert_eq!(rows as usize, MIGRATIONS.len(), "each version once");
    assert_eq!(schema(&conn), schema_at(MIGRATIONS.len()));
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM device_events"),
        500,
        "migration 7's backfill ran once"
    );
    for backup in backups(&ws) {
        let old = Connection::open(&backup).unwrap();
        assert_eq!(current_version(&old).unwrap() as usize, OLD_VERSION);
        assert_eq!(count(&old, "SELECT COUNT(*) FROM devices"), 500);
    }
}

/// `depot` killed at points spread over its upgrade of an old workspace
/// (backup, then migrations 7 and 8): each time the file is at the old or a
/// new version with exactly that version's schema and all its data, any
/// backup named as one is whole, and the next open finishes the upgrade.
/// Catches a migration not in one transaction with its version row (a
/// half-migrated schema, or a schema ahead of its recorded version) and a
/// half-written backup under a backup's name.
#[test]
fn a_migration_killed_at_any_point_leaves_a_whole_version() {
    const DEVICES: u32 = 30_000;
    const KILLS: u32 = 8;
    let home = TestWorkspace::new();
    let template = home.path().join("template");
    old_workspace(&template, DEVICES);
    let copy_of_template = |name: &str| {
        let ws = home.path().join(name);
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::copy(template.join("depot.sqlite"), ws.join("depot.sqlite")).unwrap();
        ws
    };
    let schemas: Vec<_> = (OLD_VERSION..=MIGRATIONS.len()).map(schema_at).collect();

    // How long an upgrade takes here, so the kills spread over it.
    let ws = copy_of_template("calibration");
    let started = Instant::now();
    let out = depot(&ws, &home).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let upgrade = started.elapsed();

    let mut versions_seen = Vec::new();
    for kill in 0..KILLS {
        let ws = copy_of_template(&format!("kill-{kill}"));
        let mut child = depot(&ws, &home)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(upgrade * kill / KILLS);
        child.kill().unwrap();
        child.wait().unwrap();

        let conn = Connection::open(ws.join("depot.sqlite")).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "kill {kill}");
        let version = current_version(&conn).unwrap() as usize;
        assert!(version >= OLD_VERSION, "kill {kill}: version {version}");
        assert!(
            schema(&conn) == schemas[version - OLD_VERSION],
            "kill {kill}: the schema is not exactly version {version}'s"
        );
        assert_eq!(
            count(&conn, "SELECT COUNT(*) FROM devices"),
            i64::from(DEVICES)
        );
        if version >= 7 {
            assert_eq!(
                count(&conn, "SELECT COUNT(*) FROM device_events"),
                i64::from(DEVICES),
                "kill {kill}: migration 7 is all there"
            );
        }
        for backup in backups(&ws) {
            let old = Connection::open(&backup).unwrap();
            assert_eq!(current_version(&old).unwrap() as usize, OLD_VERSION);
            assert_eq!(
                count(&old, "SELECT COUNT(*) FROM devices"),
                i64::from(DEVICES),
                "kill {kill}: {} is a whole backup",
                backup.display()
            );
        }
        versions_seen.push(version);
        drop(conn);

        let out = depot(&ws, &home).output().unwrap();
        assert!(out.status.success(), "kill {kill}: {}", stderr(&out));
        let conn = Connection::open(ws.join("depot.sqlite")).unwrap();
        assert_eq!(current_version(&conn).unwrap() as usize, MIGRATIONS.len());
        assert!(schema(&conn) == schemas[schemas.len() - 1]);
        assert_eq!(
            count(&conn, "SELECT COUNT(*) FROM device_events"),
            i64::from(DEVICES)
        );
    }
    assert!(
        versions_seen.contains(&OLD_VERSION),
        "the first kill lands before the upgrade: {versions_seen:?}"
    );
}

/// PLT-1/2: a workspace from before platforms (schema 9) keeps its profiles as
/// iOS profiles and its one default as the token's iOS default; a Mac that
/// got that default is then listed as holding another platform's profile.
#[test]
fn profiles_before_platforms_become_ios_and_the_default_stays_the_ios_default() {
    let mut conn = Connection::open_in_memory().unwrap();
    apply_pending(&mut conn, &MIGRATIONS[..9]).unwrap();
    conn.execute_batch(
        "INSERT INTO tokens (id, server_name, server_uuid, org_name, apple_id, expires_at, created_at)
             VALUES (1, 'Campus', 'uuid-1', 'Springfield Schools', 'a@b.example', 1900000000, 1700000000),
                    (2, 'Office', 'uuid-2', 'Springfield Schools', 'a@b.example', 1900000000, 1700000000);
         INSERT INTO profiles (id, token_id, name, created_at) VALUES (7, 1, 'Everything', 1), (8, 1, 'Spare', 1);
         INSERT INTO profile_versions (profile_id, version, spec, apple_json, apple_uuid, created_at, created_by)
             VALUES (7, 1, '{}', '{}', 'UUID-EVERYTHING', 1, 'test'), (8, 1, '{}', '{}', NULL, 1, 'test');
         UPDATE tokens SET default_profile_id = 7 WHERE id = 1;
         INSERT INTO devices (token_id, serial, family, profile_uuid, profile_status)
             VALUES (1, 'C02MAC000001', 'Mac', 'UUID-EVERYTHING', 'pushed'),
                    (1, 'DMPIPAD00001', 'iPad', 'UUID-EVERYTHING', 'assigned');",
    )
    .unwrap();
    apply_pending(&mut conn, MIGRATIONS).unwrap();
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM profiles WHERE platform = 'iOS'"
        ),
        2
    );
    let defaults: Vec<(i64, String, i64)> = conn
        .prepare("SELECT token_id, platform, profile_id FROM token_defaults")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(defaults, [(1, "iOS".to_owned(), 7)]);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM tokens WHERE default_profile_id IS NOT NULL"
        ),
        0
    );
    // The Mac holds an iOS profile: the query behind the token page's list.
    let mismatched: String = conn
        .query_row(
            &format!(
                "SELECT group_concat(d.serial) FROM devices d
                   JOIN profile_versions v ON v.apple_uuid = d.profile_uuid
                   JOIN profiles p ON p.id = v.profile_id
                  WHERE {0} IS NOT NULL AND {0} <> p.platform",
                depot_store::profiles::FAMILY_PLATFORM
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(mismatched, "C02MAC000001");
    // A platform name outside the four is refused by the schema.
    assert!(
        conn.execute("UPDATE profiles SET platform = 'watchOS' WHERE id = 8", [])
            .is_err()
    );
    drop(conn);
}

/// Migration 13: the identifier index keeps one row per (key, device), its
/// kind dropped (a key a device had as two kinds stays once), and deleting a
/// device still removes its rows.
#[test]
fn identifier_rows_keep_key_and_device_and_leave_with_the_device() {
    let mut conn = Connection::open_in_memory().unwrap();
    apply_pending(&mut conn, &MIGRATIONS[..12]).unwrap();
    conn.execute_batch(
        "INSERT INTO tokens (id, server_name, server_uuid, org_name, apple_id, expires_at, created_at)
             VALUES (1, 'Campus', 'uuid-1', 'Springfield Schools', 'a@b.example', 1900000000, 1700000000);
         INSERT INTO devices (rowid, token_id, serial, family, imei, wifi_mac, ethernet_mac)
             VALUES (1, 1, 'C02MAC000001', 'Mac', NULL, 'f0:18:98:aa:bb:cc', 'F0-18-98-AA-BB-CC'),
                    (2, 1, 'F2LPHONE0001', 'iPhone', '[\"351234567890123\"]', 'f0:18:98:00:00:01', NULL);
         INSERT INTO device_identifiers (value, device, kind)
             VALUES ('F01898AABBCC', 1, 'wifi_mac'), ('F01898AABBCC', 1, 'ethernet_mac'),
                    ('351234567890123', 2, 'imei'), ('F01898000001', 2, 'wifi_mac');",
    )
    .unwrap();
    apply_pending(&mut conn, MIGRATIONS).unwrap();
    let rows = |conn: &Connection| -> Vec<(String, i64)> {
        conn.prepare("SELECT value, device FROM device_identifiers ORDER BY 1, 2")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        rows(&conn),
        [
            ("351234567890123".to_owned(), 2),
            ("F01898000001".to_owned(), 2),
            ("F01898AABBCC".to_owned(), 1),
        ]
    );
    assert!(
        conn.prepare("SELECT kind FROM device_identifiers").is_err(),
        "no kind column"
    );
    conn.execute("DELETE FROM devices WHERE serial = 'F2LPHONE0001'", [])
        .unwrap();
    assert_eq!(rows(&conn), [("F01898AABBCC".to_owned(), 1)]);
}
