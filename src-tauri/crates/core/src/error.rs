use depot_apple::{AppleError, KeyError, TokenFileError};
use depot_domain::TokenId;
use depot_store::{StoreError, VaultError};

/// Everything a use case can fail with. `api` maps each variant to an error
/// code the UI branches on; messages are written for the admin and never
/// contain secrets.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The workspace was written by a newer Depot; nothing was changed.
    #[error(transparent)]
    SchemaTooNew(StoreError),

    /// The workspace could not be opened, read or written.
    #[error(transparent)]
    Store(StoreError),

    /// The secrets vault could not be opened (keychain, key file, wrong key).
    #[error(transparent)]
    Vault(VaultError),

    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },

    #[error("{0} was not found")]
    NotFound(String),

    /// Apple's organisation API is busy or unreachable (try again later).
    #[error("{0}")]
    OrgUnavailable(String),

    #[error("{0}")]
    LimitReached(String),

    #[error("could not read or write {path}: {reason}")]
    File { path: String, reason: String },

    #[error(transparent)]
    Files(#[from] crate::files::FileError),

    #[error(
        "there is no key pair waiting for a token file. Start by downloading Depot's public key (step 2 of Add token)"
    )]
    NoPendingKey,

    #[error(transparent)]
    TokenFile(#[from] TokenFileError),

    #[error(transparent)]
    Apple(#[from] AppleError),

    #[error(transparent)]
    Key(#[from] KeyError),

    #[error(
        "the MDM server '{server_name}' already has a token in this workspace. Renew that token instead of adding it again"
    )]
    DuplicateToken {
        existing: TokenId,
        server_name: String,
    },

    #[error(
        "the Apple ID does not match the one this token was created with ({expected}). Use the same Apple ID as the original token"
    )]
    AppleIdMismatch { expected: String },

    #[error(
        "this token file belongs to the MDM server '{found}', not to '{expected}'. Renew '{expected}' with its own token, or confirm that you want to replace it"
    )]
    OtherServer { expected: String, found: String },

    #[error("this token cannot be deleted yet: {}", .0.join("; "))]
    TokenInUse(Vec<String>),

    #[error(
        "'{server_name}' is already syncing (in this window or another Depot on this workspace). Wait for it to finish"
    )]
    SyncRunning { server_name: String },

    #[error("{what} of this token is allowed again at {} (Apple's pacing rules)", .allowed_at)]
    SyncTooSoon {
        what: &'static str,
        allowed_at: depot_domain::UnixSeconds,
    },

    #[error(
        "Apple kept returning the same sync position with more to follow; Depot stopped the sync"
    )]
    EchoedCursor,

    /// A profile draft breaks the rules; every problem with its field.
    #[error("the profile is not valid: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    ProfileInvalid(Vec<depot_domain::profile::ProfileProblem>),

    #[error("this profile cannot be deleted yet: {}", .0.join("; "))]
    ProfileInUse(Vec<String>),

    #[error("an assignment is already running for '{server_name}'. Wait for it to finish")]
    AssignmentRunning { server_name: String },

    #[error(transparent)]
    VppFile(depot_apple::vpp::VppTokenError),

    #[error(transparent)]
    Vpp(#[from] depot_apple::vpp::VppError),

    #[error(
        "another MDM, '{mdm}', manages the Apps and Books location '{location}'. Two MDMs assigning one location's licences give unpredictable results: add it here only if '{mdm}' no longer uses it (confirm, or --take-over)"
    )]
    VppClaimed { location: String, mdm: String },

    #[error(
        "the Apps and Books token '{existing}' is already for the location '{location}': renew that one instead"
    )]
    VppDuplicate { existing: String, location: String },

    #[error(
        "this file is for the location '{found}', not '{expected}': renew with a token for '{expected}', or confirm that the token should move to '{found}'"
    )]
    VppOtherLocation { expected: String, found: String },

    #[error("the Apps and Books token '{name}' is used by {}: choose another token there first", .profiles.join(", "))]
    VppInUse { name: String, profiles: Vec<String> },

    #[error("the simulator could not start: {0}")]
    Simulator(String),

    /// The actor's role does not allow this (issue 14).
    #[error("a {role} may not {}; ask an administrator", action_words(*.action))]
    Forbidden {
        role: depot_domain::access::Role,
        action: depot_domain::access::Action,
    },

    /// A change an account limited by scope tags may not make (see `scope`).
    #[error("{0}")]
    OutsideScope(String),

    /// The identity provider signed a person in, but none of their groups
    /// is given a role (the server's `--oidc-role` rules).
    #[error(
        "'{0}' signed in at the identity provider, but none of their groups is given a role in Depot; ask an administrator to add a rule for one of them"
    )]
    NoRoleForGroups(String),

    /// A sign-in was refused: unknown name, wrong password or a disabled
    /// account (the message does not say which).
    #[error("the user name or password is not right, or the account is disabled")]
    SignInRefused,

    /// A background worker of an operation stopped without an answer.
    #[error("internal error: {0}")]
    Internal(String),
}

fn action_words(action: depot_domain::access::Action) -> &'static str {
    use depot_domain::access::Action;
    match action {
        Action::Read => "read this",
        Action::Export => "export this",
        Action::Assign => "assign or remove profiles",
        Action::Sync => "start or stop a sync",
        Action::Manage => "change tokens, profiles, settings or devices",
        Action::ManageUsers => "manage people",
    }
}

impl From<StoreError> for CoreError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::SchemaTooNew { .. } => CoreError::SchemaTooNew(err),
            StoreError::Vault(vault) => CoreError::Vault(vault),
            other => CoreError::Store(other),
        }
    }
}

impl From<VaultError> for CoreError {
    fn from(err: VaultError) -> Self {
        CoreError::Vault(err)
    }
}
