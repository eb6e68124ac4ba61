//! Who is asking (issue 14). Every request to a shared workspace carries an
//! [`Actor`]; the role table (`depot_domain::access`) and the token scope
//! tags are applied here, in `core`, once: the API, the server and the UI
//! ask, they do not decide.

pub use depot_domain::access::{Action, Origin, Role};

pub use crate::acting::{Acting, acting_as, acting_as_blocking, acting_now};
use depot_domain::records::UserRow;
use serde_json::json;

use crate::audit::AuditEvent;
use crate::{CoreError, Depot, Result};

/// A signed-in person's rights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub role: Role,
    /// Empty: every token. Else only tokens carrying one of these.
    pub scope_tags: Vec<String>,
}

/// Who a request comes from, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Shown in the audit log.
    pub name: String,
    /// `None`: the workspace's owner (the desktop app or the CLI on the
    /// workspace itself), who may do everything.
    pub member: Option<Member>,
    pub origin: Origin,
}

impl Actor {
    /// The workspace's owner: every right, every token.
    pub fn owner(name: impl Into<String>, origin: Origin) -> Self {
        Self {
            name: name.into(),
            member: None,
            origin,
        }
    }

    /// A signed-in person.
    pub fn member(user: &UserRow, origin: Origin) -> Self {
        Self {
            name: user.name.clone(),
            member: Some(Member {
                id: user.id,
                role: user.role,
                scope_tags: user.scope_tags.clone(),
            }),
            origin,
        }
    }

    /// The role the actor acts with (the owner acts as an administrator).
    pub fn role(&self) -> Role {
        self.member.as_ref().map_or(Role::Administrator, |m| m.role)
    }

    pub fn may(&self, action: Action) -> bool {
        self.role().allows(action)
    }

    /// The whole decision for `action`, without writing anything:
    /// [`Depot::authorize`] is this plus the audit entry of a refusal.
    pub fn check(&self, action: Action) -> Result<()> {
        // Scope tags are applied by each use case to what it names or lists
        // (`crate::scope`); the role decides what may be done at all.
        if self.may(action) {
            Ok(())
        } else {
            Err(CoreError::Forbidden {
                role: self.role(),
                action,
            })
        }
    }

    /// Whether a token carrying `token_tags` is in the actor's scope (tags
    /// compare in any case).
    pub fn sees_token(&self, token_tags: &[String]) -> bool {
        self.member
            .as_ref()
            .is_none_or(|m| crate::scope::tags_allow(&m.scope_tags, token_tags))
    }
}

impl Depot {
    /// Whether `actor` may hear of `change` (the server's event stream): the
    /// change's token must be in their scope (`scope`).
    pub fn change_visible_to(&self, actor: &Actor, change: &crate::Change) -> bool {
        actor
            .member
            .as_ref()
            .is_none_or(|m| self.tags_see_token(&m.scope_tags, change.token()))
    }

    /// Refuses `action` to an actor whose role does not allow it, and writes
    /// the refusal to the audit log (`what` names the request, e.g. the
    /// command). The owner is never refused.
    pub fn authorize(&self, actor: &Actor, action: Action, what: &str) -> Result<()> {
        let Err(refusal) = actor.check(action) else {
            return Ok(());
        };
        let audited = self.workspace.write(|db| {
            self.audit(
                db,
                AuditEvent {
                    action: "access.refused",
                    object: format!("user '{}'", actor.name),
                    token: None,
                    before: None,
                    after: Some(json!({
                        "request": what,
                        "role": actor.role().as_str(),
                        "needs": action.as_str(),
                        "origin": actor.origin.as_str(),
                    })),
                },
            )
        });
        if let Err(err) = audited {
            tracing::warn!(%err, "a refusal could not be audited");
        }
        Err(refusal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use depot_domain::UnixSeconds;

    fn user(role: Role, tags: &[&str]) -> Actor {
        Actor::member(
            &UserRow {
                id: 7,
                name: "ana".into(),
                role,
                scope_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                disabled: false,
                has_password: true,
                created_at: UnixSeconds::new(0),
                updated_at: UnixSeconds::new(0),
                session_epoch: 0,
            },
            Origin::Browser,
        )
    }

    #[test]
    fn scope_tags_limit_the_tokens_a_member_sees() {
        let tags = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(Actor::owner("me", Origin::Cli).sees_token(&tags(&["Paris"])));
        assert!(user(Role::HelpDesk, &[]).sees_token(&tags(&["Paris"])));
        assert!(user(Role::HelpDesk, &["paris"]).sees_token(&tags(&["Lyon", "Paris"])));
        assert!(!user(Role::HelpDesk, &["Paris"]).sees_token(&tags(&["Lyon"])));
        assert!(!user(Role::HelpDesk, &["Paris"]).sees_token(&[]));
    }

    #[test]
    fn refusals_are_errors_and_audited() {
        let clock = std::sync::Arc::new(depot_domain::FixedClock::at(1_790_000_000));
        let depot = Depot::open_in_memory(crate::DepotOptions::for_tests(clock)).unwrap();
        let owner = Actor::owner("me", Origin::Cli);
        depot
            .authorize(&owner, Action::ManageUsers, "users.add")
            .unwrap();
        let viewer = user(Role::ReadOnly, &[]);
        depot
            .authorize(&viewer, Action::Read, "devices.list")
            .unwrap();
        let err = depot
            .authorize(&viewer, Action::Assign, "assignments.start")
            .unwrap_err();
        assert!(matches!(err, CoreError::Forbidden { .. }), "{err}");
        assert!(err.to_string().contains("read-only"), "{err}");
        let db = depot.workspace().connect().unwrap();
        let audit = db
            .query_audit(&depot_store::audit::AuditQuery::default())
            .unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "access.refused");
        assert!(
            audit[0]
                .after_json
                .as_deref()
                .unwrap()
                .contains("assignments.start")
        );
    }
}
