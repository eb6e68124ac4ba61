//! People an OpenID Connect identity provider vouches for (issue 14): which
//! role and scope tags its groups give (the server's `--oidc-role` rules),
//! and their user row, made at the first sign-in and kept in step with the
//! provider's groups at every one after. The protocol itself (discovery,
//! PKCE, the ID token's signature and claims) is the server's; who may do
//! what is decided here, like for every other person.

use depot_domain::access::{Role, check_user_name};
use depot_domain::records::UserRow;
use serde_json::json;

use crate::audit::AuditEvent;
use crate::users::clean_tags;
use crate::{CoreError, Depot, Result};

/// Members of `group` get `role`, limited to `scope_tags` (none: every token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRule {
    pub group: String,
    pub role: Role,
    pub scope_tags: Vec<String>,
}

impl GroupRule {
    /// `GROUP=ROLE` or `GROUP=ROLE:TAG,TAG` (`--oidc-role`). The group is the
    /// value the provider puts in the groups claim (a name, or an object id
    /// in Entra ID).
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let (group, rest) = text
            .split_once('=')
            .ok_or_else(|| format!("'{text}' is not GROUP=ROLE[:TAG,TAG]"))?;
        let (role, tags) = rest.split_once(':').unwrap_or((rest, ""));
        let group = group.trim();
        if group.is_empty() {
            return Err(format!("'{text}' names no group before '='"));
        }
        let role = Role::parse(role.trim()).ok_or_else(|| {
            format!(
                "'{}' is not a role (administrator, help-desk or read-only)",
                role.trim()
            )
        })?;
        let scope_tags = tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(Self {
            group: group.to_owned(),
            role,
            scope_tags,
        })
    }
}

fn rank(role: Role) -> u8 {
    match role {
        Role::Administrator => 3,
        Role::HelpDesk => 2,
        Role::ReadOnly => 1,
    }
}

/// The rights `groups` give under `rules`: the highest role any matching rule
/// gives, limited to the tags of the rules giving that role (one of them
/// without tags: every token). `None`: no rule matches.
pub fn rights_from_groups(groups: &[String], rules: &[GroupRule]) -> Option<(Role, Vec<String>)> {
    let matching: Vec<&GroupRule> = rules
        .iter()
        .filter(|r| groups.iter().any(|g| g.eq_ignore_ascii_case(&r.group)))
        .collect();
    let role = matching.iter().map(|r| r.role).max_by_key(|r| rank(*r))?;
    let giving: Vec<&&GroupRule> = matching.iter().filter(|r| r.role == role).collect();
    let tags = if giving.iter().any(|r| r.scope_tags.is_empty()) {
        Vec::new()
    } else {
        let mut tags: Vec<String> = Vec::new();
        for tag in giving.iter().flat_map(|r| &r.scope_tags) {
            if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                tags.push(tag.clone());
            }
        }
        tags
    };
    Some((role, tags))
}

/// Who the identity provider says signed in.
#[derive(Debug, Clone)]
pub struct Vouched {
    /// The provider's issuer URL and the `sub` claim: the person's key.
    pub issuer: String,
    pub subject: String,
    /// The name shown in Depot (`preferred_username`, else `email`, else `sub`).
    pub name: String,
    /// The groups claim's values.
    pub groups: Vec<String>,
}

impl Depot {
    /// Signs in a person the identity provider vouches for: their rights from
    /// `rules`, their user row made or brought in step. Refused (and audited)
    /// when no rule matches, the account was disabled in Depot, or a local
    /// account already has the name.
    pub fn federated_sign_in(&self, who: &Vouched, rules: &[GroupRule]) -> Result<UserRow> {
        let key = format!("{}#{}", who.issuer.trim_end_matches('/'), who.subject);
        let name: String = who.name.trim().chars().take(64).collect();
        let now = self.clock.now();
        self.workspace.write(|db| -> Result<std::result::Result<UserRow, CoreError>> {
            let refuse = |reason: String, err: CoreError| -> Result<std::result::Result<UserRow, CoreError>> {
                self.audit(
                    db,
                    AuditEvent {
                        action: "session.signInRefused",
                        object: format!("user '{name}'"),
                        token: None,
                        before: None,
                        after: Some(json!({ "via": "oidc", "reason": reason })),
                    },
                )?;
                Ok(Err(err))
            };
            let Some((role, tags)) = rights_from_groups(&who.groups, rules) else {
                return refuse(
                    "no group maps to a role".into(),
                    CoreError::NoRoleForGroups(name.clone()),
                );
            };
            let tags = clean_tags(&tags)?;
            let existing = db.user_by_oidc_subject(&key)?;
            let user = match existing {
                Some(user) if user.disabled => {
                    return refuse("disabled in Depot".into(), CoreError::SignInRefused);
                }
                Some(user) => {
                    if user.role != role || user.scope_tags != tags {
                        db.set_user_role(user.id, role, now)?;
                        db.set_user_scope(user.id, &tags, now)?;
                        self.audit(
                            db,
                            AuditEvent {
                                action: "user.rights_from_provider",
                                object: format!("user '{}'", user.name),
                                token: None,
                                before: Some(json!({ "role": user.role.as_str(), "scopeTags": user.scope_tags })),
                                after: Some(json!({ "role": role.as_str(), "scopeTags": tags })),
                            },
                        )?;
                    }
                    user
                }
                None => {
                    if check_user_name(&name).is_err() || db.user_by_name(&name)?.is_some() {
                        return refuse(
                            "the name is taken or not usable".into(),
                            CoreError::InvalidInput {
                                field: "name",
                                message: format!(
                                    "the identity provider signs this person in as '{name}', which is already a Depot account or not a usable name; an administrator can rename or delete that account"
                                ),
                            },
                        );
                    }
                    let user = db.insert_oidc_user(&name, role, &tags, &key, now)?;
                    self.audit(
                        db,
                        AuditEvent {
                            action: "user.add",
                            object: format!("user '{}'", user.name),
                            token: None,
                            before: None,
                            after: Some(json!({ "via": "oidc", "role": role.as_str(), "scopeTags": tags })),
                        },
                    )?;
                    user
                }
            };
            self.audit(
                db,
                AuditEvent {
                    action: "session.signIn",
                    object: format!("user '{}'", user.name),
                    token: None,
                    before: None,
                    after: Some(json!({ "via": "oidc" })),
                },
            )?;
            Ok(Ok(db.user_by_name(&user.name)?.unwrap_or(user)))
        })?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(list: &[&str]) -> Vec<GroupRule> {
        list.iter().map(|r| GroupRule::parse(r).unwrap()).collect()
    }

    #[test]
    fn rules_parse_and_refuse_what_they_cannot_mean() {
        assert_eq!(
            GroupRule::parse("Depot Help Desk=help-desk:Berlin, Paris").unwrap(),
            GroupRule {
                group: "Depot Help Desk".into(),
                role: Role::HelpDesk,
                scope_tags: vec!["Berlin".into(), "Paris".into()],
            }
        );
        assert!(GroupRule::parse("admins").is_err());
        assert!(GroupRule::parse("=administrator").is_err());
        let err = GroupRule::parse("admins=root").unwrap_err();
        assert!(err.contains("not a role"), "{err}");
    }

    #[test]
    fn the_highest_role_wins_with_the_tags_of_its_rules() {
        let r = rules(&[
            "it-admins=administrator",
            "helpdesk-berlin=help-desk:Berlin",
            "helpdesk-paris=help-desk:Paris",
            "auditors=read-only",
        ]);
        let g = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(rights_from_groups(&g(&["staff"]), &r), None);
        assert_eq!(
            rights_from_groups(&g(&["auditors", "HELPDESK-BERLIN", "helpdesk-paris"]), &r),
            Some((Role::HelpDesk, vec!["Berlin".into(), "Paris".into()]))
        );
        assert_eq!(
            rights_from_groups(&g(&["helpdesk-berlin", "it-admins"]), &r),
            Some((Role::Administrator, vec![]))
        );
    }
}
