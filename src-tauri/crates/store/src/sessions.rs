//! Sessions of people signed in to `depot serve` (migration 0017), keyed by
//! the SHA-256 of their token. `core::users` decides what a session may do;
//! this only keeps them.

use depot_domain::UnixSeconds;
use rusqlite::{OptionalExtension, params};

use crate::{Db, Result};

/// A kept session and the name of its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: i64,
    pub user_name: String,
    pub epoch: i64,
    pub signed_in_at: UnixSeconds,
    pub last_seen: UnixSeconds,
}

impl Db {
    pub fn insert_session(
        &self,
        token_hash: &str,
        user_id: i64,
        epoch: i64,
        now: UnixSeconds,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sessions (token_hash, user_id, epoch, signed_in_at, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![token_hash, user_id, epoch, now],
        )?;
        Ok(())
    }

    pub fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        Ok(self
            .conn
            .query_row(
                "SELECT s.token_hash, s.user_id, u.name, s.epoch, s.signed_in_at, s.last_seen
                   FROM sessions s JOIN users u ON u.id = s.user_id
                  WHERE s.token_hash = ?1",
                [token_hash],
                |r| {
                    Ok(SessionRow {
                        token_hash: r.get(0)?,
                        user_id: r.get(1)?,
                        user_name: r.get(2)?,
                        epoch: r.get(3)?,
                        signed_in_at: r.get(4)?,
                        last_seen: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn touch_session(&self, token_hash: &str, now: UnixSeconds) -> Result<()> {
        self.conn.execute(
            "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1 AND last_seen < ?2",
            params![token_hash, now],
        )?;
        Ok(())
    }

    /// Ends one session; whether it existed.
    pub fn delete_session(&self, token_hash: &str) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?
            == 1)
    }

    /// Forgets sessions idle since before `idle_before` or signed in before
    /// `signed_in_before`; how many.
    pub fn delete_stale_sessions(
        &self,
        idle_before: UnixSeconds,
        signed_in_before: UnixSeconds,
    ) -> Result<usize> {
        Ok(self.conn.execute(
            "DELETE FROM sessions WHERE last_seen < ?1 OR signed_in_at < ?2",
            params![idle_before, signed_in_before],
        )?)
    }

    /// How many sessions the user has kept (for `users show`).
    pub fn count_user_sessions(&self, user_id: i64) -> Result<u64> {
        let count: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM sessions WHERE user_id = ?1",
            [user_id],
            |r| r.get(0),
        )?;
        Ok(count.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use depot_domain::access::Role;

    use super::*;
    use crate::Workspace;

    fn at(seconds: i64) -> UnixSeconds {
        UnixSeconds::new(seconds)
    }

    #[test]
    fn sessions_are_kept_by_hash_and_go_with_their_user() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let db = ws.connect().unwrap();
        let ana = db
            .insert_user("ana", Role::HelpDesk, &[], Some("hash"), at(100))
            .unwrap();
        let hash = "a".repeat(64);
        db.insert_session(&hash, ana.id, 0, at(1_000)).unwrap();
        assert!(db.insert_session("short", ana.id, 0, at(1_000)).is_err());
        let kept = db.session(&hash).unwrap().unwrap();
        assert_eq!(
            (kept.user_name.as_str(), kept.epoch, kept.last_seen),
            ("ana", 0, at(1_000))
        );
        db.touch_session(&hash, at(1_500)).unwrap();
        db.touch_session(&hash, at(1_200)).unwrap(); // never backwards
        assert_eq!(db.session(&hash).unwrap().unwrap().last_seen, at(1_500));
        assert_eq!(db.count_user_sessions(ana.id).unwrap(), 1);

        let old = "b".repeat(64);
        db.insert_session(&old, ana.id, 0, at(10)).unwrap();
        assert_eq!(db.delete_stale_sessions(at(500), at(0)).unwrap(), 1);
        assert!(db.session(&old).unwrap().is_none());

        assert!(db.delete_session(&hash).unwrap());
        assert!(!db.delete_session(&hash).unwrap());
        db.insert_session(&hash, ana.id, 0, at(2_000)).unwrap();
        db.delete_user(ana.id).unwrap();
        assert!(db.session(&hash).unwrap().is_none(), "gone with the user");
    }
}
