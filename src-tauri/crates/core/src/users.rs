//! People who sign in to a shared workspace (issue 14): adding them, their
//! role and scope, disabling, passwords (argon2id; the password itself is
//! never stored or logged) and checking a sign-in. Every change needs
//! [`Action::ManageUsers`] and is audited.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use depot_domain::SecretString;
use depot_domain::access::{Action, MIN_PASSWORD_CHARS, Role, check_user_name};
use depot_domain::records::UserRow;
use serde_json::json;

use crate::access::Actor;
use crate::audit::AuditEvent;
use crate::{CoreError, Depot, Result};

/// A session ends after this long without a request.
pub const SESSION_IDLE_SECS: i64 = 60 * 60;
/// A session ends this long after its sign-in, however busy.
pub const SESSION_LIFETIME_SECS: i64 = 12 * 60 * 60;
/// A session's last request is written down at most this often (the idle
/// timeout is that much less exact; busy clients cost no write per call).
const SESSION_TOUCH_SECS: i64 = 60;

/// What the workspace keeps of a session token: its SHA-256, in hex.
fn token_hash(token: &SecretString) -> String {
    openssl::sha::sha256(token.expose().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Scope tags as given: trimmed, no empties, each at most 64 characters, no
/// duplicates (any case).
pub(crate) fn clean_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > 64 || tag.chars().any(char::is_control) {
            return Err(CoreError::InvalidInput {
                field: "scopeTags",
                message: format!(
                    "'{}' is not a scope tag (at most 64 characters, no control characters)",
                    tag.escape_default()
                ),
            });
        }
        if !out.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            out.push(tag.to_owned());
        }
    }
    Ok(out)
}

fn check_password(password: &SecretString) -> Result<()> {
    if password.expose().chars().count() < MIN_PASSWORD_CHARS {
        return Err(CoreError::InvalidInput {
            field: "password",
            message: format!("a password needs at least {MIN_PASSWORD_CHARS} characters"),
        });
    }
    Ok(())
}

/// An argon2id hash (PHC string) with a fresh 16-byte salt.
fn hash_password(password: &SecretString) -> Result<String> {
    let mut salt = [0u8; 16];
    openssl::rand::rand_bytes(&mut salt)
        .map_err(|e| CoreError::Internal(format!("no random salt: {e}")))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| CoreError::Internal(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(format!("password hash: {e}")))
}

/// The same refusal whatever was wrong (unknown name, wrong password,
/// disabled): a sign-in form must not tell which.
fn refused() -> CoreError {
    CoreError::SignInRefused
}

impl Depot {
    fn user_row(&self, name: &str) -> Result<UserRow> {
        self.workspace
            .connect()?
            .user_by_name(name.trim())?
            .ok_or_else(|| CoreError::NotFound(format!("user '{}'", name.trim())))
    }

    pub fn users(&self, actor: &Actor) -> Result<Vec<UserRow>> {
        self.authorize(actor, Action::ManageUsers, "users.list")?;
        Ok(self.workspace.connect()?.users()?)
    }

    pub fn user(&self, actor: &Actor, name: &str) -> Result<UserRow> {
        self.authorize(actor, Action::ManageUsers, "users.show")?;
        self.user_row(name)
    }

    /// Adds a person. Without a password they cannot sign in until one is set.
    pub fn add_user(
        &self,
        actor: &Actor,
        name: &str,
        role: Role,
        scope_tags: &[String],
        password: Option<&SecretString>,
    ) -> Result<UserRow> {
        self.authorize(actor, Action::ManageUsers, "users.add")?;
        let name = check_user_name(name).map_err(|message| CoreError::InvalidInput {
            field: "name",
            message,
        })?;
        let tags = clean_tags(scope_tags)?;
        let hash = match password {
            Some(p) => {
                check_password(p)?;
                Some(hash_password(p)?)
            }
            None => None,
        };
        let now = self.clock.now();
        self.workspace.write(|db| {
            if db.user_by_name(name)?.is_some() {
                return Err(CoreError::InvalidInput {
                    field: "name",
                    message: format!("there is already a user called '{name}'"),
                });
            }
            let row = db.insert_user(name, role, &tags, hash.as_deref(), now)?;
            self.audit(
                db,
                AuditEvent {
                    action: "user.add",
                    object: format!("user '{}'", row.name),
                    token: None,
                    before: None,
                    after: Some(json!({ "role": role.as_str(), "scopeTags": tags, "password": hash.is_some() })),
                },
            )?;
            Ok(row)
        })
    }

    fn change_user(
        &self,
        actor: &Actor,
        request: &str,
        name: &str,
        action: &'static str,
        change: impl FnOnce(
            &depot_store::Db,
            &UserRow,
        ) -> Result<(serde_json::Value, serde_json::Value)>,
    ) -> Result<UserRow> {
        self.authorize(actor, Action::ManageUsers, request)?;
        let name = name.trim();
        self.workspace.write(|db| {
            let row = db
                .user_by_name(name)?
                .ok_or_else(|| CoreError::NotFound(format!("user '{name}'")))?;
            let (before, after) = change(db, &row)?;
            self.audit(
                db,
                AuditEvent {
                    action,
                    object: format!("user '{}'", row.name),
                    token: None,
                    before: Some(before),
                    after: Some(after),
                },
            )?;
            db.user_by_name(name)?
                .ok_or_else(|| CoreError::NotFound(format!("user '{name}'")))
        })
    }

    pub fn set_user_role(&self, actor: &Actor, name: &str, role: Role) -> Result<UserRow> {
        let now = self.clock.now();
        self.change_user(actor, "users.setRole", name, "user.role", |db, row| {
            db.set_user_role(row.id, role, now)?;
            Ok((
                json!({ "role": row.role.as_str() }),
                json!({ "role": role.as_str() }),
            ))
        })
    }

    pub fn set_user_scope(&self, actor: &Actor, name: &str, tags: &[String]) -> Result<UserRow> {
        let tags = clean_tags(tags)?;
        let now = self.clock.now();
        self.change_user(actor, "users.setScope", name, "user.scope", |db, row| {
            db.set_user_scope(row.id, &tags, now)?;
            Ok((
                json!({ "scopeTags": row.scope_tags }),
                json!({ "scopeTags": tags }),
            ))
        })
    }

    /// Disabling ends the user's sessions at once; enabling does not sign
    /// anyone in.
    pub fn set_user_disabled(&self, actor: &Actor, name: &str, disabled: bool) -> Result<UserRow> {
        let now = self.clock.now();
        let (request, action) = if disabled {
            ("users.disable", "user.disable")
        } else {
            ("users.enable", "user.enable")
        };
        self.change_user(actor, request, name, action, |db, row| {
            db.set_user_disabled(row.id, disabled, now)?;
            Ok((
                json!({ "disabled": row.disabled }),
                json!({ "disabled": disabled }),
            ))
        })
    }

    /// A new password ends every session signed in with the old one.
    pub fn reset_user_password(
        &self,
        actor: &Actor,
        name: &str,
        password: &SecretString,
    ) -> Result<UserRow> {
        check_password(password)?;
        let hash = hash_password(password)?;
        let now = self.clock.now();
        self.change_user(
            actor,
            "users.resetPassword",
            name,
            "user.password",
            |db, row| {
                db.set_user_password_hash(row.id, &hash, now)?;
                Ok((
                    json!({ "password": row.has_password }),
                    json!({ "password": true }),
                ))
            },
        )
    }

    /// "Sign out everywhere": every session of the user ends now.
    pub fn end_user_sessions(&self, actor: &Actor, name: &str) -> Result<UserRow> {
        let now = self.clock.now();
        self.change_user(
            actor,
            "users.signOutEverywhere",
            name,
            "user.signOutEverywhere",
            |db, row| {
                db.end_user_sessions(row.id, now)?;
                Ok((json!({}), json!({ "sessionsEndedAt": now.rfc3339() })))
            },
        )
    }

    pub fn delete_user(&self, actor: &Actor, name: &str) -> Result<()> {
        self.authorize(actor, Action::ManageUsers, "users.delete")?;
        let name = name.trim();
        self.workspace.write(|db| {
            let row = db
                .user_by_name(name)?
                .ok_or_else(|| CoreError::NotFound(format!("user '{name}'")))?;
            db.delete_user(row.id)?;
            self.audit(
                db,
                AuditEvent {
                    action: "user.delete",
                    object: format!("user '{}'", row.name),
                    token: None,
                    before: Some(json!({ "role": row.role.as_str(), "scopeTags": row.scope_tags })),
                    after: None,
                },
            )
        })
    }

    /// Keeps a new session of `user` (a password or identity-provider
    /// sign-in the caller has just checked), by the SHA-256 of its token
    /// only, and forgets sessions that have run out.
    pub fn keep_session(&self, token: &SecretString, user: &UserRow) -> Result<()> {
        let now = self.clock.now();
        let hash = token_hash(token);
        self.workspace.write(|db| {
            db.delete_stale_sessions(now - SESSION_IDLE_SECS, now - SESSION_LIFETIME_SECS)?;
            db.insert_session(&hash, user.id, user.session_epoch, now)?;
            Ok(())
        })
    }

    /// The actor of the session `token`, its user read fresh (role, scope,
    /// disabled) on every request: `None` when the session is unknown, idle
    /// for longer than [`SESSION_IDLE_SECS`], older than
    /// [`SESSION_LIFETIME_SECS`], or its user is gone, disabled or had their
    /// sessions ended since (a password reset, "sign out everywhere").
    /// Sessions are kept in the workspace, so a restarted server keeps them.
    pub fn session_actor(
        &self,
        token: &SecretString,
        origin: depot_domain::access::Origin,
    ) -> Result<Option<Actor>> {
        let now = self.clock.now();
        let hash = token_hash(token);
        let db = self.workspace.connect()?;
        let Some(session) = db.session(&hash)? else {
            return Ok(None);
        };
        let user = db
            .user_credentials(&session.user_name)?
            .map(|c| c.user)
            .filter(|u| !u.disabled && u.session_epoch == session.epoch);
        let expired = now >= session.last_seen + SESSION_IDLE_SECS
            || now >= session.signed_in_at + SESSION_LIFETIME_SECS;
        let Some(user) = user.filter(|_| !expired) else {
            self.workspace
                .write(|db| db.delete_session(&hash).map(|_| ()))?;
            return Ok(None);
        };
        if now >= session.last_seen + SESSION_TOUCH_SECS {
            self.workspace.write(|db| db.touch_session(&hash, now))?;
        }
        Ok(Some(Actor::member(&user, origin)))
    }

    /// Ends the session `token` (signing out); whether it was live.
    pub fn end_session(&self, token: &SecretString) -> Result<bool> {
        let hash = token_hash(token);
        Ok(self.workspace.write(|db| db.delete_session(&hash))?)
    }

    /// Checks a sign-in: the user, if the name exists, is enabled and the
    /// password matches its hash. Every failure is the same refusal, and is
    /// audited (the name as typed, never the password).
    pub fn check_sign_in(&self, name: &str, password: &SecretString) -> Result<UserRow> {
        let name = name.trim();
        let creds = self.workspace.connect()?.user_credentials(name)?;
        let verdict = match &creds {
            Some(c) if !c.user.disabled => match &c.password_hash {
                Some(hash) => PasswordHash::new(hash).ok().is_some_and(|parsed| {
                    Argon2::default()
                        .verify_password(password.expose().as_bytes(), &parsed)
                        .is_ok()
                }),
                None => false,
            },
            _ => false,
        };
        let (action, object) = match (&creds, verdict) {
            (Some(c), true) => ("session.signIn", format!("user '{}'", c.user.name)),
            _ => (
                "session.signInRefused",
                format!("user '{}'", name.chars().take(64).collect::<String>()),
            ),
        };
        self.workspace.write(|db| {
            self.audit(
                db,
                AuditEvent {
                    action,
                    object,
                    token: None,
                    before: None,
                    after: None,
                },
            )
        })?;
        match creds {
            Some(c) if verdict => Ok(c.user),
            _ => Err(refused()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use depot_domain::FixedClock;
    use depot_domain::access::Origin;

    use super::*;
    use crate::DepotOptions;

    fn depot() -> Depot {
        Depot::open_in_memory(DepotOptions::for_tests(Arc::new(FixedClock::at(
            1_790_000_000,
        ))))
        .unwrap()
    }

    fn secret(s: &str) -> SecretString {
        SecretString::new(s.to_owned())
    }

    #[test]
    fn people_are_added_changed_and_signed_in() {
        let depot = depot();
        let owner = Actor::owner("root", Origin::Cli);
        let ana = depot
            .add_user(
                &owner,
                "ana",
                Role::HelpDesk,
                &[" Paris ".into(), "paris".into()],
                Some(&secret("correct horse battery")),
            )
            .unwrap();
        assert_eq!(ana.scope_tags, ["Paris"]);
        // The hash is argon2id and never the password.
        let creds = depot
            .workspace()
            .connect()
            .unwrap()
            .user_credentials("ana")
            .unwrap()
            .unwrap();
        let hash = creds.password_hash.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("horse"));

        assert_eq!(
            depot
                .check_sign_in("ANA", &secret("correct horse battery"))
                .unwrap()
                .id,
            ana.id
        );
        for (name, password) in [
            ("ana", "wrong password!!"),
            ("nobody", "correct horse battery"),
        ] {
            assert!(matches!(
                depot.check_sign_in(name, &secret(password)),
                Err(CoreError::SignInRefused)
            ));
        }
        depot.set_user_disabled(&owner, "ana", true).unwrap();
        assert!(
            depot
                .check_sign_in("ana", &secret("correct horse battery"))
                .is_err()
        );
        depot.set_user_disabled(&owner, "ana", false).unwrap();

        assert_eq!(
            depot
                .set_user_role(&owner, "ana", Role::ReadOnly)
                .unwrap()
                .role,
            Role::ReadOnly
        );
        assert!(
            depot
                .set_user_scope(&owner, "ana", &[])
                .unwrap()
                .scope_tags
                .is_empty()
        );
        depot
            .reset_user_password(&owner, "ana", &secret("another long password"))
            .unwrap();
        assert!(
            depot
                .check_sign_in("ana", &secret("correct horse battery"))
                .is_err()
        );
        depot
            .check_sign_in("ana", &secret("another long password"))
            .unwrap();

        // Bad input changes nothing.
        assert!(
            depot
                .add_user(&owner, "ana", Role::ReadOnly, &[], None)
                .is_err()
        );
        assert!(
            depot
                .add_user(&owner, "two words", Role::ReadOnly, &[], None)
                .is_err()
        );
        assert!(
            depot
                .add_user(&owner, "bob", Role::ReadOnly, &[], Some(&secret("short")))
                .is_err()
        );
        assert_eq!(depot.users(&owner).unwrap().len(), 1);

        // Only administrators manage people.
        let helpdesk = Actor::member(&depot.user(&owner, "ana").unwrap(), Origin::Browser);
        assert!(matches!(
            depot.add_user(&helpdesk, "eve", Role::Administrator, &[], None),
            Err(CoreError::Forbidden { .. })
        ));

        depot.delete_user(&owner, "ana").unwrap();
        assert!(depot.users(&owner).unwrap().is_empty());
        let actions: Vec<String> = depot
            .workspace()
            .connect()
            .unwrap()
            .query_audit(&depot_store::audit::AuditQuery::default())
            .unwrap()
            .into_iter()
            .map(|r| r.action)
            .collect();
        for want in [
            "user.add",
            "session.signIn",
            "session.signInRefused",
            "user.disable",
            "user.role",
            "user.password",
            "access.refused",
            "user.delete",
        ] {
            assert!(
                actions.iter().any(|a| a == want),
                "{want} not in {actions:?}"
            );
        }
    }

    #[test]
    fn sessions_end_when_idle_when_old_or_when_their_user_changes() {
        let clock = Arc::new(FixedClock::at(1_790_000_000));
        let depot = Depot::open_in_memory(DepotOptions::for_tests(clock.clone())).unwrap();
        let owner = Actor::owner("root", Origin::Cli);
        let ana = depot
            .add_user(
                &owner,
                "ana",
                Role::HelpDesk,
                &[],
                Some(&secret("correct horse battery")),
            )
            .unwrap();
        let live = |token: &str| {
            depot
                .session_actor(&secret(token), Origin::Browser)
                .unwrap()
                .map(|actor| actor.name)
        };
        depot.keep_session(&secret("token-1"), &ana).unwrap();
        assert_eq!(live("token-1").as_deref(), Some("ana"));
        assert_eq!(live("another token"), None);
        // Only the hash is kept.
        let db = depot.workspace().connect().unwrap();
        let kept = db
            .session(&token_hash(&secret("token-1")))
            .unwrap()
            .unwrap();
        assert_eq!(kept.token_hash.len(), 64);
        assert!(db.session("token-1").unwrap().is_none());

        // Busy: a request every 50 minutes keeps it alive...
        for _ in 0..15 {
            clock.advance(50 * 60);
            if depot_domain::Clock::now(clock.as_ref()).get()
                < 1_790_000_000 + SESSION_LIFETIME_SECS
            {
                assert_eq!(live("token-1").as_deref(), Some("ana"));
            }
        }
        // ...but not past its lifetime, and then it is forgotten.
        assert_eq!(live("token-1"), None);
        assert_eq!(db.count_user_sessions(ana.id).unwrap(), 0);

        // Idle for longer than the timeout.
        depot.keep_session(&secret("token-2"), &ana).unwrap();
        clock.advance(SESSION_IDLE_SECS - 1);
        assert_eq!(live("token-2").as_deref(), Some("ana"));
        clock.advance(SESSION_IDLE_SECS);
        assert_eq!(live("token-2"), None);

        // Signing out, and "sign out everywhere".
        depot.keep_session(&secret("token-3"), &ana).unwrap();
        depot.keep_session(&secret("token-4"), &ana).unwrap();
        assert!(depot.end_session(&secret("token-3")).unwrap());
        assert_eq!(live("token-3"), None);
        assert_eq!(live("token-4").as_deref(), Some("ana"));
        depot.end_user_sessions(&owner, "ana").unwrap();
        assert_eq!(live("token-4"), None);

        // A disabled user's session ends; enabling them again does not revive it.
        let ana = depot.user(&owner, "ana").unwrap();
        depot.keep_session(&secret("token-5"), &ana).unwrap();
        depot.set_user_disabled(&owner, "ana", true).unwrap();
        assert_eq!(live("token-5"), None);
        depot.set_user_disabled(&owner, "ana", false).unwrap();
        assert_eq!(live("token-5"), None);
    }
}
