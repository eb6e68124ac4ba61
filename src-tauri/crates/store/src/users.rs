//! People who sign in to a shared workspace (`users`, migration 0011). The
//! password hash is written and read only here and by `core::users`; rows
//! handed upwards never carry it.

use depot_domain::UnixSeconds;
use depot_domain::access::Role;
use rusqlite::{OptionalExtension, Row, params};

pub use depot_domain::records::UserRow;

use crate::{Db, Result};

const COLUMNS: &str = "id, name, role, scope_tags, disabled, password_hash IS NOT NULL, created_at, updated_at, session_epoch";

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    let role: String = r.get(2)?;
    let tags: String = r.get(3)?;
    Ok(UserRow {
        id: r.get(0)?,
        name: r.get(1)?,
        // The table's CHECK allows only the three names.
        role: Role::parse(&role).unwrap_or(Role::ReadOnly),
        scope_tags: serde_json::from_str(&tags).unwrap_or_default(),
        disabled: r.get(4)?,
        has_password: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        session_epoch: r.get(8)?,
    })
}

/// What signing in needs to know about a name.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: UserRow,
    pub password_hash: Option<String>,
}

impl Db {
    pub fn insert_user(
        &self,
        name: &str,
        role: Role,
        scope_tags: &[String],
        password_hash: Option<&str>,
        now: UnixSeconds,
    ) -> Result<UserRow> {
        let tags = serde_json::to_string(scope_tags)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        self.conn.execute(
            "INSERT INTO users (name, role, scope_tags, password_hash, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![name, role.as_str(), tags, password_hash, now],
        )?;
        let id = self.conn.last_insert_rowid();
        Ok(self.conn.query_row(
            &format!("SELECT {COLUMNS} FROM users WHERE id = ?1"),
            [id],
            user_from_row,
        )?)
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<UserRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM users ORDER BY name"))?;
        let rows = stmt
            .query_map([], user_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The user called `name` (any case).
    pub fn user_by_name(&self, name: &str) -> Result<Option<UserRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM users WHERE name = ?1"),
                [name],
                user_from_row,
            )
            .optional()?)
    }

    /// The user an identity provider's `subject` (`<issuer>#<sub>`) signed
    /// in as before.
    pub fn user_by_oidc_subject(&self, subject: &str) -> Result<Option<UserRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM users WHERE oidc_subject = ?1"),
                [subject],
                user_from_row,
            )
            .optional()?)
    }

    /// A person an identity provider vouches for, without a password.
    pub fn insert_oidc_user(
        &self,
        name: &str,
        role: Role,
        scope_tags: &[String],
        subject: &str,
        now: UnixSeconds,
    ) -> Result<UserRow> {
        let user = self.insert_user(name, role, scope_tags, None, now)?;
        self.conn.execute(
            "UPDATE users SET oidc_subject = ?2 WHERE id = ?1",
            params![user.id, subject],
        )?;
        Ok(user)
    }

    pub fn user_credentials(&self, name: &str) -> Result<Option<Credentials>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS}, password_hash FROM users WHERE name = ?1"),
                [name],
                |r| {
                    Ok(Credentials {
                        user: user_from_row(r)?,
                        password_hash: r.get(9)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn count_users_with_role(&self, role: Role) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM users WHERE role = ?1 AND disabled = 0",
            [role.as_str()],
            |r| r.get(0),
        )?;
        Ok(n.unsigned_abs())
    }

    pub fn set_user_role(&self, id: i64, role: Role, now: UnixSeconds) -> Result<()> {
        self.conn.execute(
            "UPDATE users SET role = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, role.as_str(), now],
        )?;
        Ok(())
    }

    pub fn set_user_scope(&self, id: i64, scope_tags: &[String], now: UnixSeconds) -> Result<()> {
        let tags = serde_json::to_string(scope_tags)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        self.conn.execute(
            "UPDATE users SET scope_tags = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, tags, now],
        )?;
        Ok(())
    }

    /// Disabling also ends every session the user has.
    pub fn set_user_disabled(&self, id: i64, disabled: bool, now: UnixSeconds) -> Result<()> {
        self.conn.execute(
            "UPDATE users SET disabled = ?2, updated_at = ?3,
                    session_epoch = session_epoch + ?2
             WHERE id = ?1",
            params![id, disabled, now],
        )?;
        Ok(())
    }

    /// A new password hash ends every session signed in with the old one.
    pub fn set_user_password_hash(&self, id: i64, hash: &str, now: UnixSeconds) -> Result<()> {
        self.conn.execute(
            "UPDATE users SET password_hash = ?2, updated_at = ?3, session_epoch = session_epoch + 1
             WHERE id = ?1",
            params![id, hash, now],
        )?;
        Ok(())
    }

    /// Ends every session of the user: the epoch they signed in with is gone.
    pub fn end_user_sessions(&self, id: i64, now: UnixSeconds) -> Result<()> {
        self.conn.execute(
            "UPDATE users SET session_epoch = session_epoch + 1, updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        self.conn
            .execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
        Ok(())
    }

    pub fn delete_user(&self, id: i64) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM users WHERE id = ?1", [id])? == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;

    #[test]
    fn users_are_stored_without_exposing_the_hash() {
        let ws = Workspace::open_in_memory().unwrap();
        let db = ws.connect().unwrap();
        let t = UnixSeconds::new(100);
        let ana = db
            .insert_user(
                "ana",
                Role::HelpDesk,
                &["Paris".to_owned()],
                Some("$argon2id$…"),
                t,
            )
            .unwrap();
        assert_eq!(
            (ana.role, ana.scope_tags.clone(), ana.has_password),
            (Role::HelpDesk, vec!["Paris".to_owned()], true)
        );
        // Names are unique in any case.
        assert!(db.insert_user("ANA", Role::ReadOnly, &[], None, t).is_err());
        assert_eq!(db.user_by_name("Ana").unwrap().unwrap().id, ana.id);

        db.set_user_disabled(ana.id, true, UnixSeconds::new(200))
            .unwrap();
        let creds = db.user_credentials("ana").unwrap().unwrap();
        assert!(creds.user.disabled);
        assert_eq!(creds.user.session_epoch, 1);
        assert_eq!(creds.password_hash.as_deref(), Some("$argon2id$…"));
        assert_eq!(db.count_users_with_role(Role::HelpDesk).unwrap(), 0);

        assert!(db.delete_user(ana.id).unwrap());
        assert!(db.users().unwrap().is_empty());
    }
}
