//! Workspace limits (TOK-7). Exceeding one is a clear error, never a silent truncation.

/// At most this many ADE tokens in one workspace.
pub const MAX_TOKENS_PER_WORKSPACE: usize = 2_000;
/// At most this many enrollment profiles per token.
pub const MAX_PROFILES_PER_TOKEN: usize = 1_000;
/// Depot handles at least this many devices per token (current vendor guidance).
pub const MAX_DEVICES_PER_TOKEN: usize = 200_000;
/// Apple accepts at most this many serials per assignment call.
pub const MAX_SERIALS_PER_ASSIGNMENT: usize = 1_000;
/// A token is "expiring" when it expires within this many days.
pub const TOKEN_EXPIRY_WARNING_DAYS: i64 = 30;
