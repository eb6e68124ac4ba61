use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::migrations::{self, MIGRATIONS, Migration};
use crate::{Result, StoreError};

/// The database file inside a workspace folder.
pub const WORKSPACE_FILE_NAME: &str = "depot.sqlite";

/// How long a writer waits for another writer (another window, the CLI) before
/// giving up with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open workspace. Cheap to share by reference; every unit of work takes its
/// own [`Db`] connection, so no lock is held around a connection.
#[derive(Debug)]
pub struct Workspace {
    location: Location,
    schema_version: u32,
    /// For tests: the most pages the database may grow to (0: no limit).
    page_limit: AtomicU32,
    /// Keeps a shared in-memory database alive while the workspace lives. Never
    /// locked: the Mutex only makes the workspace `Sync` (a Connection is not).
    _keeper: Option<std::sync::Mutex<Connection>>,
    /// Writers of this process take turns (see `turns`).
    turns: Arc<crate::turns::WriteTurns>,
}

#[derive(Debug, Clone)]
enum Location {
    File(PathBuf),
    Memory(String),
}

/// One connection to the workspace database.
#[derive(Debug)]
pub struct Db {
    pub(crate) conn: Connection,
    /// The workspace's queue of writers (see `turns`).
    turns: Arc<crate::turns::WriteTurns>,
}

/// Row counts shown on the dashboard and by `depot workspace info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub tokens: u64,
    pub profiles: u64,
    pub devices: u64,
    pub audit_entries: u64,
}

impl Db {
    /// For tests: a connection of its own, with a queue of writers of its own.
    #[cfg(test)]
    pub(crate) fn from_connection(conn: Connection) -> Self {
        Self {
            conn,
            turns: Arc::default(),
        }
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction on this connection
    /// (long jobs keep one connection, and so its page cache, across many
    /// transactions).
    pub fn write<T, E: From<StoreError>>(
        &self,
        work: impl FnOnce(&Db) -> Result<T, E>,
    ) -> Result<T, E> {
        let _turn = self.turns.take(BUSY_TIMEOUT);
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(StoreError::from)?;
        match work(self) {
            Ok(value) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => Ok(value),
                // A COMMIT can fail and leave the transaction open (a full
                // disk, a deferred constraint): undone, so this connection's
                // next transaction does not start inside it.
                Err(err) => {
                    self.rollback();
                    Err(StoreError::from(err).into())
                }
            },
            Err(err) => {
                self.rollback();
                Err(err)
            }
        }
    }

    fn rollback(&self) {
        // SQLite may already have rolled back (e.g. after SQLITE_FULL).
        if self.conn.is_autocommit() {
            return;
        }
        if let Err(rollback) = self.conn.execute_batch("ROLLBACK") {
            tracing::error!(%rollback, "rollback failed");
        }
    }
}

impl Workspace {
    /// Opens (creating if needed) the workspace in folder `dir`, upgrading its
    /// schema after copying the old file aside.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(dir.as_ref(), MIGRATIONS)
    }

    /// For tests: [`Workspace::open`] on a disk that is full once the
    /// database, or the backup made before a migration, holds `pages` pages
    /// (SQLite's `max_page_count`; see [`Workspace::set_page_limit`]).
    #[doc(hidden)]
    pub fn open_with_page_limit(dir: impl AsRef<Path>, pages: u32) -> Result<Self> {
        Self::open_inner(dir.as_ref(), MIGRATIONS, pages)
    }

    /// For tests: the disk is full once the database holds `pages` pages
    /// (`None`: no limit). Applies to connections opened from now on (a
    /// running sync or assignment keeps the limit its connection was opened
    /// with). Writes that need more pages fail with SQLite's "database or
    /// disk is full", as on a full disk.
    #[doc(hidden)]
    pub fn set_page_limit(&self, pages: Option<u32>) {
        self.page_limit.store(pages.unwrap_or(0), Ordering::Relaxed);
    }

    /// The number of pages the database holds now.
    #[doc(hidden)]
    pub fn page_count(&self) -> Result<u32> {
        Ok(self
            .connect()?
            .conn
            .query_row("PRAGMA page_count", [], |row| row.get(0))?)
    }

    /// A private workspace in memory, for tests.
    pub fn open_in_memory() -> Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "file:depot-memory-{}-{}?mode=memory&cache=shared",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let location = Location::Memory(name);
        let mut keeper = connect(&location, 0)?;
        migrations::apply_pending(&mut keeper, MIGRATIONS)?;
        let schema_version = migrations::current_version(&keeper)?;
        Ok(Self {
            location,
            schema_version,
            page_limit: AtomicU32::new(0),
            _keeper: Some(std::sync::Mutex::new(keeper)),
            turns: Arc::default(),
        })
    }

    pub(crate) fn open_with(dir: &Path, migrations: &[Migration]) -> Result<Self> {
        Self::open_inner(dir, migrations, 0)
    }

    fn open_inner(dir: &Path, migrations: &[Migration], page_limit: u32) -> Result<Self> {
        let folder_error = |source| StoreError::Folder {
            path: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(folder_error)?;
        // Before SQLite creates anything in it.
        restrict_to_owner(dir, Restrict::Folder);
        let file = std::path::absolute(dir.join(WORKSPACE_FILE_NAME)).map_err(folder_error)?;
        let location = Location::File(file.clone());
        let mut conn = connect(&location, page_limit)?;
        let found = migrations::check(&conn, migrations)?;
        let target = migrations.last().map_or(0, |m| m.version);
        if found > 0 && found < target {
            backup(&conn, &file, found, page_limit)?;
        }
        migrations::apply_pending(&mut conn, migrations)?;
        restrict_to_owner(dir, Restrict::DatabaseFiles);
        Ok(Self {
            location,
            schema_version: target,
            page_limit: AtomicU32::new(page_limit),
            _keeper: None,
            turns: Arc::default(),
        })
    }

    /// The database file, or `None` for an in-memory workspace.
    pub fn file(&self) -> Option<&Path> {
        match &self.location {
            Location::File(path) => Some(path),
            Location::Memory(_) => None,
        }
    }

    /// A human description of where the workspace lives.
    pub fn describe(&self) -> String {
        match &self.location {
            Location::File(path) => path.display().to_string(),
            Location::Memory(_) => ":memory:".to_owned(),
        }
    }

    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// A new connection for one unit of work.
    pub fn connect(&self) -> Result<Db> {
        Ok(Db {
            conn: connect(&self.location, self.page_limit.load(Ordering::Relaxed))?,
            turns: Arc::clone(&self.turns),
        })
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction on a new connection:
    /// committed when it returns `Ok`, rolled back otherwise (and if it panics,
    /// the connection closes and SQLite rolls back).
    pub fn write<T, E: From<StoreError>>(
        &self,
        work: impl FnOnce(&Db) -> Result<T, E>,
    ) -> Result<T, E> {
        self.connect()?.write(work)
    }

    pub fn counts(&self) -> Result<Counts> {
        let db = self.connect()?;
        let count = |table: &str| -> Result<u64> {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let n: i64 = db.conn.query_row(&sql, [], |row| row.get(0))?;
            Ok(n.unsigned_abs())
        };
        Ok(Counts {
            tokens: count("tokens")?,
            profiles: count("profiles")?,
            devices: count("devices WHERE removed_at IS NULL")?,
            audit_entries: count("audit_log")?,
        })
    }
}

fn connect(location: &Location, page_limit: u32) -> Result<Connection> {
    let conn = match location {
        Location::File(path) => Connection::open(path)?,
        Location::Memory(uri) => Connection::open_with_flags(uri, OpenFlags::default())?,
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    if let Location::File(_) = location {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "the workspace could not switch to WAL mode");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // A 200,000-device workspace is ~100 MB: a larger page cache and memory
        // mapping keep syncs and device lists from re-reading pages through
        // system calls (measured: full sync of 200,000 devices 6.6 s → 5.6 s).
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
    }
    if page_limit > 0 {
        conn.pragma_update(None, "max_page_count", page_limit)?;
    }
    Ok(conn)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restrict {
    Folder,
    DatabaseFiles,
}

/// Makes the workspace private to its owner, on create and again on every
/// open (fixing a folder copied or unpacked with looser permissions):
///
/// - unix: the folder 0700; `depot.sqlite`, its `-wal`/`-shm` files and its
///   backups (`depot.sqlite.v<N>.bak`) 0600. Symbolic links are left alone. A
///   change that fails (a folder owned by someone else) is logged, not fatal.
/// - Windows: nothing is changed. The default workspace lives under the
///   user's `%APPDATA%`, whose inherited ACL already admits only the user,
///   SYSTEM and Administrators; a folder chosen with `--workspace` keeps the
///   ACL its parent gives it.
fn restrict_to_owner(dir: &Path, what: Restrict) {
    #[cfg(unix)]
    {
        match what {
            Restrict::Folder => set_mode(dir, 0o700),
            Restrict::DatabaseFiles => {
                let Ok(entries) = std::fs::read_dir(dir) else {
                    return;
                };
                for entry in entries.flatten() {
                    let is_file = entry.file_type().is_ok_and(|t| t.is_file());
                    let ours = entry
                        .file_name()
                        .to_str()
                        .is_some_and(|name| name.starts_with(WORKSPACE_FILE_NAME));
                    if is_file && ours {
                        set_mode(&entry.path(), 0o600);
                    }
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, what);
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    if meta.file_type().is_symlink() || meta.permissions().mode() & 0o777 == mode {
        return;
    }
    if let Err(err) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        tracing::warn!(path = %path.display(), %err, "could not make the workspace private to you");
    }
}

impl Workspace {
    /// An online copy of the workspace into `out`, a new file (never one that
    /// exists): SQLite's backup API gives a consistent snapshot while other
    /// connections (a running `depot serve`) keep writing. The copy is written
    /// under a name of its own and gets `out`'s name only when complete, so a
    /// kill or a full disk leaves no half backup. Owner-only permissions; the
    /// secrets inside stay sealed with the workspace key, which is not copied.
    /// Returns the backup's size in bytes.
    pub fn backup_to(&self, out: &Path) -> Result<u64> {
        let fail = |reason: String| StoreError::BackupTo {
            path: out.to_path_buf(),
            reason,
        };
        if self.file().is_none() {
            return Err(fail("an in-memory workspace has no file to back up".into()));
        }
        if out.exists() {
            return Err(fail(
                "a file with that name exists; Depot never overwrites one".into(),
            ));
        }
        let name = out
            .file_name()
            .ok_or_else(|| fail("name a file, not a folder".into()))?
            .to_string_lossy()
            .into_owned();
        let partial = out.with_file_name(format!(".{name}.partial-{}", std::process::id()));
        let remove_partial = || {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
            }
        };
        remove_partial();
        let db = self.connect()?;
        let copy = || -> rusqlite::Result<()> {
            let mut target = Connection::open(&partial)?;
            rusqlite::backup::Backup::new(&db.conn, &mut target)?.run_to_completion(
                4096,
                Duration::from_millis(10),
                None,
            )?;
            target.pragma_update(None, "journal_mode", "DELETE")?;
            Ok(())
        };
        if let Err(err) = copy() {
            remove_partial();
            return Err(fail(err.to_string()));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o600));
        }
        // A hard link claims the name atomically and fails if it is taken.
        let claimed = std::fs::hard_link(&partial, out).or_else(|err| {
            if err.kind() == std::io::ErrorKind::AlreadyExists || out.exists() {
                Err(err)
            } else {
                std::fs::rename(&partial, out)
            }
        });
        remove_partial();
        claimed.map_err(|e| fail(e.to_string()))?;
        Ok(std::fs::metadata(out).map(|m| m.len()).unwrap_or(0))
    }
}

/// Copies the database to `depot.sqlite.v<version>.bak` (or `.bak.N` if taken)
/// with SQLite's online backup: a consistent snapshot even in WAL mode while
/// another process writes. The copy is written under a name of its own
/// (`….bak.partial-<pid>`) and only a complete copy gets the backup's name, so
/// a kill or a full disk never leaves a half backup that looks whole; two
/// processes upgrading the same workspace at once each keep their own.
fn backup(conn: &Connection, file: &Path, version: u32, page_limit: u32) -> Result<PathBuf> {
    let base = format!("{}.v{version}.bak", file.display());
    let partial = PathBuf::from(format!("{base}.partial-{}", std::process::id()));
    let remove_partial = || {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
        }
    };
    remove_partial();
    let copy = || -> rusqlite::Result<()> {
        let mut out = Connection::open(&partial)?;
        if page_limit > 0 {
            out.pragma_update(None, "max_page_count", page_limit)?;
        }
        // Restarted by SQLite if another connection writes meanwhile.
        rusqlite::backup::Backup::new(conn, &mut out)?.run_to_completion(
            4096,
            Duration::from_millis(10),
            None,
        )?;
        // The copied header says WAL; the backup is one plain file.
        out.pragma_update(None, "journal_mode", "DELETE")?;
        Ok(())
    };
    if let Err(source) = copy() {
        remove_partial();
        let doing =
            || format!("back up the workspace to {base} before upgrading it; it was not changed");
        return Err(StoreError::or_disk_full(source, doing, |source| {
            StoreError::Backup {
                path: PathBuf::from(&base),
                source: crate::error::DatabaseError(source),
            }
        }));
    }
    // A hard link claims the first free name atomically.
    let mut target = PathBuf::from(&base);
    let mut n = 1;
    loop {
        match std::fs::hard_link(&partial, &target) {
            Ok(()) => break,
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                target = PathBuf::from(format!("{base}.{n}"));
                n += 1;
            }
            // No hard links on this file system: a rename (not atomic
            // against another process; the names are still checked).
            Err(_) if !target.exists() => {
                std::fs::rename(&partial, &target).map_err(|source| StoreError::Folder {
                    path: target.clone(),
                    source,
                })?;
                break;
            }
            Err(source) => {
                remove_partial();
                return Err(StoreError::Folder {
                    path: target,
                    source,
                });
            }
        }
    }
    remove_partial();
    tracing::info!(backup = %target.display(), "backed up the workspace before upgrading it");
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real migrations plus one more, as a newer Depot would have them.
    fn with_extra() -> Vec<Migration> {
        let mut all: Vec<Migration> = MIGRATIONS
            .iter()
            .map(|m| Migration {
                version: m.version,
                name: m.name,
                sql: m.sql,
            })
            .collect();
        all.push(Migration {
            version: migrations::latest_version() + 1,
            name: "test-extra",
            sql: "CREATE TABLE extra (x INTEGER) STRICT;",
        });
        all
    }

    #[test]
    fn a_workspace_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Workspace>();
    }

    #[test]
    fn a_new_folder_becomes_a_wal_workspace_at_the_latest_schema() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path().join("nested/ws")).unwrap();
        assert_eq!(ws.schema_version(), migrations::latest_version());
        assert!(ws.file().unwrap().ends_with("nested/ws/depot.sqlite"));
        let db = ws.connect().unwrap();
        let mode: String = db
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(ws.counts().unwrap(), Counts::default());
    }

    #[test]
    fn reopening_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        {
            let ws = Workspace::open(dir.path()).unwrap();
            ws.connect()
                .unwrap()
                .conn
                .execute("INSERT INTO settings (key, value) VALUES ('k', 'v')", [])
                .unwrap();
        }
        let ws = Workspace::open(dir.path()).unwrap();
        let value: String = ws
            .connect()
            .unwrap()
            .conn
            .query_row("SELECT value FROM settings WHERE key = 'k'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(value, "v");
    }

    #[test]
    fn an_older_binary_refuses_a_newer_schema_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        Workspace::open_with(dir.path(), &with_extra()).unwrap();
        let file = dir.path().join(WORKSPACE_FILE_NAME);
        let before = std::fs::read(&file).unwrap();

        let err = Workspace::open(dir.path()).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::SchemaTooNew { found, supported } if found == supported + 1 && supported == migrations::latest_version()
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("newer version of Depot"), "{err}");
        assert_eq!(std::fs::read(&file).unwrap(), before);
    }

    #[test]
    fn the_file_is_backed_up_before_a_migration_runs() {
        let dir = tempfile::tempdir().unwrap();
        {
            let ws = Workspace::open(dir.path()).unwrap();
            ws.connect()
                .unwrap()
                .conn
                .execute(
                    "INSERT INTO settings (key, value) VALUES ('before', 'upgrade')",
                    [],
                )
                .unwrap();
        }
        let ws = Workspace::open_with(dir.path(), &with_extra()).unwrap();
        let latest = migrations::latest_version();
        assert_eq!(ws.schema_version(), latest + 1);

        let backup = dir.path().join(format!("depot.sqlite.v{latest}.bak"));
        let old = Connection::open(&backup).unwrap();
        assert_eq!(migrations::current_version(&old).unwrap(), latest);
        let value: String = old
            .query_row("SELECT value FROM settings WHERE key = 'before'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(value, "upgrade");
        let has_extra: i64 = old
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(has_extra, 0, "the backup is the old schema");

        // A fresh workspace has nothing to back up.
        let fresh = tempfile::tempdir().unwrap();
        Workspace::open_with(fresh.path(), &with_extra()).unwrap();
        assert!(
            !fresh
                .path()
                .join(format!("depot.sqlite.v{latest}.bak"))
                .exists()
        );
        assert!(!fresh.path().join("depot.sqlite.v0.bak").exists());
    }

    #[test]
    fn in_memory_workspaces_are_private_and_shared_across_connections() {
        let a = Workspace::open_in_memory().unwrap();
        let b = Workspace::open_in_memory().unwrap();
        a.connect()
            .unwrap()
            .conn
            .execute(
                "INSERT INTO audit_log (at, operator, action, object) VALUES (1, 'o', 'a', 'x')",
                [],
            )
            .unwrap();
        assert_eq!(a.counts().unwrap().audit_entries, 1);
        assert_eq!(b.counts().unwrap().audit_entries, 0);
        assert_eq!(a.describe(), ":memory:");
    }

    #[test]
    fn the_audit_log_is_append_only() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        db.conn
            .execute(
                "INSERT INTO audit_log (at, operator, action, object) VALUES (1, 'o', 'a', 'x')",
                [],
            )
            .unwrap();
        let update = db
            .conn
            .execute("UPDATE audit_log SET action = 'b'", [])
            .unwrap_err();
        assert!(update.to_string().contains("append-only"), "{update}");
        let delete = db.conn.execute("DELETE FROM audit_log", []).unwrap_err();
        assert!(delete.to_string().contains("append-only"), "{delete}");
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        meta.permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_and_its_database_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("ws");
        let files = ["depot.sqlite", "depot.sqlite-wal", "depot.sqlite-shm"];
        let ws = Workspace::open(&dir).unwrap();
        // The -wal and -shm files appear with the first write (SQLite gives
        // them the database file's mode) and stay while a connection is open.
        let db = ws.connect().unwrap();
        db.conn
            .execute("INSERT INTO settings (key, value) VALUES ('k', 'v')", [])
            .unwrap();
        assert_eq!(mode(&dir), 0o700);
        for name in files {
            assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
        }

        // Loosened (a copy, an unpacked archive, another tool): fixed by the
        // next open, here a second process's while the first still runs.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        for name in files {
            std::fs::set_permissions(dir.join(name), std::fs::Permissions::from_mode(0o644))
                .unwrap();
        }
        let other = dir.join("notes.txt");
        std::fs::write(&other, b"not Depot's").unwrap();
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o644)).unwrap();
        let _again = Workspace::open_with(&dir, &with_extra()).unwrap();
        assert_eq!(mode(&dir), 0o700);
        for name in files {
            assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
        }
        let backup = dir.join(format!(
            "depot.sqlite.v{}.bak",
            migrations::latest_version()
        ));
        assert_eq!(mode(&backup), 0o600, "the backup before the migration");
        assert_eq!(mode(&other), 0o644, "other files are left alone");
        drop(db);
    }

    /// A COMMIT that fails leaves no transaction open: the same connection
    /// (a sync's writer keeps one) writes again afterwards.
    #[test]
    fn a_failed_commit_is_rolled_back() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        db.conn
            .execute_batch(
                "CREATE TABLE parent (id INTEGER PRIMARY KEY);
                 CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);",
            )
            .unwrap();
        let err = db
            .write(|db| Ok::<_, StoreError>(db.conn.execute("INSERT INTO child VALUES (7)", [])?))
            .unwrap_err();
        assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
        assert!(db.conn.is_autocommit(), "rolled back");
        db.write(|db| Ok::<_, StoreError>(db.conn.execute("INSERT INTO parent VALUES (1)", [])?))
            .unwrap();
        let children: i64 = db
            .conn
            .query_row("SELECT COUNT(*) FROM child", [], |r| r.get(0))
            .unwrap();
        assert_eq!(children, 0);
    }

    /// A full disk while backing up before a migration: a clear message, no
    /// half backup, the workspace as it was; with room again, the next open
    /// backs up and upgrades.
    #[test]
    fn a_full_disk_during_the_backup_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        {
            let ws = Workspace::open(dir.path()).unwrap();
            let db = ws.connect().unwrap();
            db.conn
                .execute_batch(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                     INSERT INTO settings (key, value) SELECT 'k' || i, hex(randomblob(200)) FROM n;",
                )
                .unwrap();
        }
        let pages = Workspace::open(dir.path()).unwrap().page_count().unwrap();
        let file = dir.path().join(WORKSPACE_FILE_NAME);
        let latest = migrations::latest_version();
        let backups = || {
            std::fs::read_dir(dir.path())
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .contains(".bak")
                })
                .count()
        };

        let err = Workspace::open_inner(dir.path(), &with_extra(), pages / 2).unwrap_err();
        assert!(matches!(err, StoreError::DiskFull { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.starts_with("the disk is full"), "{message}");
        assert!(message.contains("back up the workspace"), "{message}");
        assert_eq!(backups(), 0, "no half backup is left");
        let conn = Connection::open(&file).unwrap();
        assert_eq!(migrations::current_version(&conn).unwrap(), latest);
        drop(conn);

        let ws = Workspace::open_with(dir.path(), &with_extra()).unwrap();
        assert_eq!(ws.schema_version(), latest + 1);
        assert_eq!(backups(), 1);
        let old = Connection::open(dir.path().join(format!("depot.sqlite.v{latest}.bak"))).unwrap();
        let rows: i64 = old
            .query_row("SELECT COUNT(*) FROM settings", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 2000);
    }

    #[test]
    fn an_unusable_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"not a folder").unwrap();
        let err = Workspace::open(blocker.join("ws")).unwrap_err();
        assert!(matches!(err, StoreError::Folder { .. }), "{err:?}");
        assert!(
            err.to_string().contains("cannot use the workspace folder"),
            "{err}"
        );
    }
}
