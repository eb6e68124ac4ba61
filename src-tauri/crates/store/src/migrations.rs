//! Embedded, append-only schema migrations.
//!
//! Each entry is applied once, in order, inside one transaction together with
//! its row in `schema_migrations`. Never edit or reorder an entry that has
//! shipped: add the next one (a test compares every file with its checksum).
//!
//! Several processes may open an old workspace at once (the app and the CLI):
//! each migration first takes the write lock (`BEGIN IMMEDIATE`), then reads
//! the version again, so one of them applies it and the others find it done.
//! A kill or a failed COMMIT leaves the version before, never half a one.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::{Result, StoreError};

pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "tokens",
        sql: include_str!("../migrations/0002_tokens.sql"),
    },
    Migration {
        version: 3,
        name: "sync",
        sql: include_str!("../migrations/0003_sync.sql"),
    },
    Migration {
        version: 4,
        name: "profiles",
        sql: include_str!("../migrations/0004_profiles.sql"),
    },
    Migration {
        version: 5,
        name: "device_queries",
        sql: include_str!("../migrations/0005_device_queries.sql"),
    },
    Migration {
        version: 6,
        name: "deferred_values",
        sql: include_str!("../migrations/0006_deferred_values.sql"),
    },
    Migration {
        version: 7,
        name: "device_events",
        sql: include_str!("../migrations/0007_device_events.sql"),
    },
    Migration {
        version: 8,
        name: "vault_format",
        sql: include_str!("../migrations/0008_vault_format.sql"),
    },
    Migration {
        version: 9,
        name: "device_facts",
        sql: include_str!("../migrations/0009_device_facts.sql"),
    },
    Migration {
        version: 10,
        name: "platforms",
        sql: include_str!("../migrations/0010_platforms.sql"),
    },
    Migration {
        version: 11,
        name: "users",
        sql: include_str!("../migrations/0011_users.sql"),
    },
    Migration {
        version: 12,
        name: "audit_origin",
        sql: include_str!("../migrations/0012_audit_origin.sql"),
    },
    Migration {
        version: 13,
        name: "identifier_keys",
        sql: include_str!("../migrations/0013_identifier_keys.sql"),
    },
    Migration {
        version: 14,
        name: "audit_token",
        sql: include_str!("../migrations/0014_audit_token.sql"),
    },
    Migration {
        version: 15,
        name: "oidc_users",
        sql: include_str!("../migrations/0015_oidc_users.sql"),
    },
    Migration {
        version: 16,
        name: "family_model",
        sql: include_str!("../migrations/0016_family_model.sql"),
    },
    Migration {
        version: 17,
        name: "sessions",
        sql: include_str!("../migrations/0017_sessions.sql"),
    },
    Migration {
        version: 18,
        name: "vpp_tokens",
        sql: include_str!("../migrations/0018_vpp_tokens.sql"),
    },
    Migration {
        version: 19,
        name: "alert_delivery",
        sql: include_str!("../migrations/0019_alert_delivery.sql"),
    },
    Migration {
        version: 20,
        name: "organisations",
        sql: include_str!("../migrations/0020_organisations.sql"),
    },
    Migration {
        version: 21,
        name: "org_sync_attempts",
        sql: include_str!("../migrations/0021_org_sync_attempts.sql"),
    },
    Migration {
        version: 22,
        name: "webhook_health",
        sql: include_str!("../migrations/0022_webhook_health.sql"),
    },
];

/// The schema version this build writes and understands.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT";

/// The highest applied version, 0 for a new file.
pub(crate) fn current_version(conn: &Connection) -> Result<u32> {
    let has_table: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    if has_table.is_none() {
        return Ok(0);
    }
    let version: Option<u32> =
        conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |row| {
            row.get(0)
        })?;
    Ok(version.unwrap_or(0))
}

/// Refuses a schema newer than `migrations` know; returns the current version.
pub(crate) fn check(conn: &Connection, migrations: &[Migration]) -> Result<u32> {
    let found = current_version(conn)?;
    let supported = migrations.last().map_or(0, |m| m.version);
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    Ok(found)
}

/// Applies every pending migration of `migrations`. Returns the versions applied.
pub(crate) fn apply_pending(conn: &mut Connection, migrations: &[Migration]) -> Result<Vec<u32>> {
    let found = check(conn, migrations)?;
    let mut applied = Vec::new();
    for migration in migrations.iter().filter(|m| m.version > found) {
        let failed = |source| {
            StoreError::or_disk_full(
                source,
                || {
                    format!(
                        "upgrade the workspace (migration {} {}); it stays at the version before",
                        migration.version, migration.name
                    )
                },
                |source| StoreError::Migration {
                    version: migration.version,
                    name: migration.name,
                    source: crate::error::DatabaseError(source),
                },
            )
        };
        // Dropped without a commit (an error, a failed COMMIT): rolled back.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if check(&tx, migrations)? >= migration.version {
            // Another process applied it while this one waited for the lock.
            continue;
        }
        tx.execute_batch(VERSION_TABLE).map_err(failed)?;
        tx.execute_batch(migration.sql).map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
            params![migration.version, migration.name],
        )
        .map_err(failed)?;
        tx.commit().map_err(failed)?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
        applied.push(migration.version);
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_strictly_increasing_from_one() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version as usize, index + 1, "{}", migration.name);
        }
    }

    #[test]
    fn applying_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(
            apply_pending(&mut conn, MIGRATIONS).unwrap().len(),
            MIGRATIONS.len()
        );
        assert!(apply_pending(&mut conn, MIGRATIONS).unwrap().is_empty());
        assert_eq!(current_version(&conn).unwrap(), latest_version());
    }

    /// A COMMIT that fails (here a deferred foreign key; a full disk alike)
    /// leaves the version before and no transaction open on the connection.
    #[test]
    fn a_failed_commit_is_rolled_back_and_the_version_stays() {
        const PARENTS: &str = "CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);";
        let broken = [
            Migration {
                version: 1,
                name: "parents",
                sql: PARENTS,
            },
            Migration {
                version: 2,
                name: "orphan",
                sql: "CREATE TABLE extra (x INTEGER); INSERT INTO child VALUES (7);",
            },
        ];
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        let err = apply_pending(&mut conn, &broken).unwrap_err();
        assert!(
            matches!(err, StoreError::Migration { version: 2, .. }),
            "{err:?}"
        );
        assert!(conn.is_autocommit(), "no transaction left open");
        assert_eq!(current_version(&conn).unwrap(), 1);
        let extra: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(extra, 0, "nothing of migration 2 is left");

        let fixed = [
            Migration {
                version: 1,
                name: "parents",
                sql: PARENTS,
            },
            Migration {
                version: 2,
                name: "orphan",
                sql: "CREATE TABLE extra (x INTEGER);",
            },
        ];
        assert_eq!(apply_pending(&mut conn, &fixed).unwrap(), [2]);
    }
}

/// For tests that build workspaces of an older schema by hand (the
/// `test-support` feature): the store's normal API names no SQLite type.
#[cfg(feature = "test-support")]
pub mod test_support {
    use rusqlite::Connection;

    use super::Migration;
    use crate::Result;

    pub fn apply_pending(conn: &mut Connection, migrations: &[Migration]) -> Result<Vec<u32>> {
        super::apply_pending(conn, migrations)
    }

    pub fn current_version(conn: &Connection) -> Result<u32> {
        super::current_version(conn)
    }
}
