use depot_core::CoreError;
use serde::Serialize;
use ts_rs::TS;

/// What the UI branches on. Add a code only when the UI does something
/// different for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
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
}

/// The error every command can return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
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
        let code = match &err {
            CoreError::SchemaTooNew(_) => ErrorCode::SchemaTooNew,
            CoreError::Store(_) => ErrorCode::WorkspaceUnavailable,
        };
        ApiError::new(code, err.to_string())
    }
}
