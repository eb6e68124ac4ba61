//! Who may do what (issue 14): the three roles of people who reach a shared
//! workspace through `depot serve`, the kinds of action a command is, and the
//! one table that says which role may take which action. `core` decides with
//! it (`core::access`); the API, the UI and the server only ask.

use std::fmt;

/// A person's role. Intune's built-in roles are the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Everything, including people and tokens.
    Administrator,
    /// Reads tokens (never their secrets), profiles and devices in scope;
    /// assigns and removes profiles; starts a sync. Nothing else.
    HelpDesk,
    /// Reads in scope and exports.
    ReadOnly,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Administrator, Role::HelpDesk, Role::ReadOnly];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::HelpDesk => "help-desk",
            Role::ReadOnly => "read-only",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The table: whether this role may take `action`.
    pub fn allows(self, action: Action) -> bool {
        match self {
            Role::Administrator => true,
            Role::HelpDesk => matches!(
                action,
                Action::Read | Action::Export | Action::Assign | Action::Sync
            ),
            Role::ReadOnly => matches!(action, Action::Read | Action::Export),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a command does, for the role table. Every command names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Reads what the workspace holds (never a secret).
    Read,
    /// Writes a file from what the workspace holds (CSV, profile files, the
    /// audit log, MDM handoff files).
    Export,
    /// Assigns or removes profiles, and previews doing so.
    Assign,
    /// Starts or cancels a sync.
    Sync,
    /// Changes tokens, profiles, defaults, enrollment settings or devices;
    /// starts demo mode.
    Manage,
    /// Adds, changes or removes people.
    ManageUsers,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Read,
        Action::Export,
        Action::Assign,
        Action::Sync,
        Action::Manage,
        Action::ManageUsers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Export => "export",
            Action::Assign => "assign",
            Action::Sync => "sync",
            Action::Manage => "manage",
            Action::ManageUsers => "manage-users",
        }
    }
}

/// Where a request came from, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    Desktop,
    Browser,
    Cli,
    Scheduler,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Desktop => "desktop",
            Origin::Browser => "browser",
            Origin::Cli => "cli",
            Origin::Scheduler => "scheduler",
        }
    }
}

/// A person's name as an account: 1 to 64 characters, letters, digits and
/// `. _ @ -` (an e-mail address works), no spaces.
pub fn check_user_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a user name is needed".into());
    }
    if name.chars().count() > 64 {
        return Err(format!("'{name}' is longer than 64 characters"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '@' | '-')))
    {
        return Err(format!(
            "'{name}' contains '{}'; use letters, digits and . _ @ - only",
            bad.escape_default()
        ));
    }
    Ok(name)
}

/// The shortest password Depot accepts for a local account.
pub const MIN_PASSWORD_CHARS: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_table() {
        let allowed = |role: Role| -> Vec<&str> {
            Action::ALL
                .into_iter()
                .filter(|a| role.allows(*a))
                .map(Action::as_str)
                .collect()
        };
        assert_eq!(allowed(Role::Administrator).len(), Action::ALL.len());
        assert_eq!(
            allowed(Role::HelpDesk),
            ["read", "export", "assign", "sync"]
        );
        assert_eq!(allowed(Role::ReadOnly), ["read", "export"]);
    }

    #[test]
    fn roles_read_back_and_names_are_checked() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse(" Help-Desk "), Some(Role::HelpDesk));
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(check_user_name(" ana@example.org "), Ok("ana@example.org"));
        assert!(check_user_name("").is_err());
        assert!(check_user_name("two words").is_err());
        assert!(check_user_name(&"x".repeat(65)).is_err());
        assert!(check_user_name("bad\u{202e}name").is_err());
    }
}
