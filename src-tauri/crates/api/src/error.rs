use depot_core::CoreError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the UI branches on. Add a code only when the UI does something
/// different for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The request JSON does not match the command's request type.
    BadRequest,
    /// No command of that name.
    UnknownCommand,
    /// The workspace could not be opened or read.
    WorkspaceUnavailable,
    /// The workspace was written by a newer Depot.
    SchemaTooNew,
    /// A bug or an unexpected failure; the message says what happened.
    Internal,
    /// A field of the request is not acceptable (e.g. an Apple ID that is not an
    /// email address); the message names the field.
    InvalidInput,
    /// The token, profile, … named in the request does not exist.
    NotFound,
    /// A workspace limit (TOK-7) would be exceeded.
    LimitReached,
    /// A file could not be read or written.
    FileUnreadable,
    /// No key pair is waiting for a token file: generate one first (wizard step 2).
    NoPendingKey,
    /// The file is not an Apple server token (.p7m).
    NotATokenFile,
    /// The token file was made for another public key than the one Depot holds.
    WrongKey,
    /// The token file is damaged (truncated, altered, bad encoding).
    TokenCorrupted,
    /// The token file decrypts but lacks some of the four credentials.
    MissingCredentials,
    /// The token file has already expired: download a new one.
    TokenExpired,
    /// Apple refused the token's credentials (401 on /session): download a new token.
    AppleRejected,
    /// The organisation must accept Apple's new terms in the portal (T_C_NOT_SIGNED).
    TermsNotAccepted,
    /// Apple denied access for this server (ACCESS_DENIED).
    AccessDenied,
    /// Apple (or the simulator) could not be reached or answered unexpectedly.
    AppleUnavailable,
    /// This MDM server already has a token in the workspace: renew it instead.
    DuplicateToken,
    /// Renew: the Apple ID differs from the one the token was created with.
    AppleIdMismatch,
    /// Renew: the file belongs to another MDM server; retry with force to accept.
    OtherServer,
    /// Delete refused: devices are assigned or a default profile is set.
    TokenInUse,
    /// A sync of this token is already running (here or in another Depot window/CLI).
    SyncRunning,
    /// Pacing (SYN-1): a manual or full sync is not allowed yet; the message says when.
    SyncTooSoon,
    /// A profile draft breaks the rules; the message lists every problem
    /// (`profiles.check` returns them per field).
    ProfileInvalid,
    /// Delete refused: devices hold the profile or it is a default.
    ProfileInUse,
    /// An assignment of this token is already running.
    AssignmentRunning,
    /// The signed-in person's role does not allow this command (issue 14).
    Forbidden,
    /// No valid session: sign in (the server's answer to a missing, expired or
    /// ended session, and to a refused sign-in).
    Unauthenticated,
    /// The desktop app is connected to a Depot server that cannot be reached
    /// now (the UI offers to switch back to this computer's workspace).
    ServerUnavailable,
    /// Another MDM manages the Apps and Books location: adding it here
    /// needs the admin's explicit "use it here anyway" (`takeOver`).
    VppClaimed,
}

/// The error every command can return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

/// The one place a core error becomes an `ApiError`. The whole `source()` chain
/// is logged here; the message shown is the admin-facing top-level text.
impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        let mut chain = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::warn!(error = %chain, "command failed");
        let code = code_of(&err);
        ApiError::new(code, err.to_string())
    }
}

fn code_of(err: &CoreError) -> ErrorCode {
    use depot_core::{AppleError, TokenFileError};
    match err {
        CoreError::SchemaTooNew(_) => ErrorCode::SchemaTooNew,
        CoreError::Store(_) | CoreError::Vault(_) => ErrorCode::WorkspaceUnavailable,
        CoreError::InvalidInput { .. } => ErrorCode::InvalidInput,
        CoreError::NotFound(_) => ErrorCode::NotFound,
        CoreError::LimitReached(_) => ErrorCode::LimitReached,
        CoreError::File { .. } | CoreError::Files(_) => ErrorCode::FileUnreadable,
        CoreError::NoPendingKey => ErrorCode::NoPendingKey,
        CoreError::TokenFile(file) => match file {
            TokenFileError::NotATokenFile(_) => ErrorCode::NotATokenFile,
            TokenFileError::WrongKey => ErrorCode::WrongKey,
            TokenFileError::Corrupted(_) => ErrorCode::TokenCorrupted,
            TokenFileError::MissingCredentials(_) => ErrorCode::MissingCredentials,
            TokenFileError::Expired { .. } => ErrorCode::TokenExpired,
            TokenFileError::Key(_) => ErrorCode::Internal,
        },
        CoreError::Apple(apple) => match apple {
            AppleError::Rejected => ErrorCode::AppleRejected,
            AppleError::TermsNotAccepted => ErrorCode::TermsNotAccepted,
            AppleError::AccessDenied => ErrorCode::AccessDenied,
            AppleError::Unreachable { .. }
            | AppleError::Status { .. }
            | AppleError::Decode { .. }
            | AppleError::Redirect { .. }
            | AppleError::TooLarge { .. }
            | AppleError::Uncertain { .. }
            | AppleError::Busy { .. }
            | AppleError::ClockSkew { .. } => ErrorCode::AppleUnavailable,
            AppleError::Sign(_) => ErrorCode::Internal,
            AppleError::Cursor(_) => ErrorCode::AppleUnavailable,
            AppleError::Request(_) => ErrorCode::InvalidInput,
        },
        CoreError::Key(_) => ErrorCode::Internal,
        CoreError::DuplicateToken { .. } => ErrorCode::DuplicateToken,
        CoreError::AppleIdMismatch { .. } => ErrorCode::AppleIdMismatch,
        CoreError::OtherServer { .. } => ErrorCode::OtherServer,
        CoreError::TokenInUse(_) => ErrorCode::TokenInUse,
        CoreError::Simulator(_) | CoreError::Internal(_) => ErrorCode::Internal,
        CoreError::SyncRunning { .. } => ErrorCode::SyncRunning,
        CoreError::SyncTooSoon { .. } => ErrorCode::SyncTooSoon,
        CoreError::EchoedCursor | CoreError::OrgUnavailable(_) => ErrorCode::AppleUnavailable,
        CoreError::ProfileInvalid(_) => ErrorCode::ProfileInvalid,
        CoreError::ProfileInUse(_) => ErrorCode::ProfileInUse,
        CoreError::AssignmentRunning { .. } => ErrorCode::AssignmentRunning,
        CoreError::Forbidden { .. }
        | CoreError::OutsideScope(_)
        | CoreError::NoRoleForGroups(_) => ErrorCode::Forbidden,
        CoreError::SignInRefused => ErrorCode::Unauthenticated,
        CoreError::VppFile(e) => match e {
            depot_core::vpp::VppTokenError::Expired(_) => ErrorCode::TokenExpired,
            _ => ErrorCode::NotATokenFile,
        },
        CoreError::Vpp(e) => match e.number() {
            Some(9621) => ErrorCode::TokenExpired,
            _ if e.rejects_token() => ErrorCode::AppleRejected,
            Some(_) => ErrorCode::InvalidInput,
            None => ErrorCode::AppleUnavailable,
        },
        CoreError::VppClaimed { .. } => ErrorCode::VppClaimed,
        CoreError::VppDuplicate { .. } => ErrorCode::DuplicateToken,
        CoreError::VppOtherLocation { .. } => ErrorCode::OtherServer,
        CoreError::VppInUse { .. } => ErrorCode::TokenInUse,
    }
}

#[cfg(test)]
mod tests {
    use depot_core::vpp::{VppError, VppTokenError};

    use super::*;

    #[test]
    fn apps_and_books_errors_get_the_code_the_ui_branches_on() {
        let api = |number| {
            ApiError::from(CoreError::Vpp(VppError::Api {
                number,
                message: "Apple's words".into(),
            }))
        };
        assert_eq!(api(9621).code, ErrorCode::TokenExpired);
        for rejected in [9601, 9622, 9625, 9722] {
            assert_eq!(api(rejected).code, ErrorCode::AppleRejected, "{rejected}");
        }
        assert_eq!(api(9709).code, ErrorCode::InvalidInput);
        assert!(
            api(9625).message.contains("revoked"),
            "{}",
            api(9625).message
        );
        let busy = ApiError::from(CoreError::Vpp(VppError::Busy {
            retry_after: Some(30),
        }));
        assert_eq!(busy.code, ErrorCode::AppleUnavailable);
        assert!(busy.message.contains("30 s"), "{}", busy.message);
        assert_eq!(
            ApiError::from(CoreError::VppFile(VppTokenError::Expired(
                "2026-01-01".into()
            )))
            .code,
            ErrorCode::TokenExpired
        );
        assert_eq!(
            ApiError::from(CoreError::VppFile(VppTokenError::NotBase64)).code,
            ErrorCode::NotATokenFile
        );
        let claimed = ApiError::from(CoreError::VppClaimed {
            location: "HQ Apps".into(),
            mdm: "Other MDM".into(),
        });
        assert_eq!(claimed.code, ErrorCode::VppClaimed);
        assert!(
            claimed.message.contains("'Other MDM'"),
            "{}",
            claimed.message
        );
    }
}
