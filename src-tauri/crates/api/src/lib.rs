//! Depot's contract with the UI.
//!
//! Every command is `name(Request) -> Response` in [`commands::COMMANDS`]; the
//! DTOs in [`dto`] are exported to TypeScript (`ui/src/bindings/`, committed and
//! drift-checked by `tests::bindings_are_current`). Errors cross as
//! [`ApiError`] `{ code, message }`; the UI branches on `code`, never on text.
//!
//! Invariants: Apple's wire names never appear here; no secret is ever part of
//! a DTO; `dispatch` is the only way in, for the desktop shell, the HTTP host and
//! tests alike.

pub mod commands;
pub mod dto;
mod error;

pub use commands::{COMMANDS, CommandInfo, dispatch, dispatch_as};
pub use error::{ApiError, ErrorCode};

#[cfg(test)]
mod bindings;
