//! Apple's Device Assignment web service ("DEP", ADE), from Depot's side.
//!
//! Invariants: the base URL, the clock and nonces are given by the caller; no
//! Apple host is hard-coded outside [`DEFAULT_BASE_URL`], which callers pass in
//! explicitly. Apple's wire names stay in this crate.

pub mod oauth;

/// Apple's production host. Every request is resolved against a base URL the
/// caller chooses, so tests and demo mode point at the simulator.
pub const DEFAULT_BASE_URL: &str = "https://mdmenrollment.apple.com";

/// The `User-Agent` Depot sends on every request (Apple rejects a missing one).
pub fn user_agent() -> String {
    format!("Depot/{}", env!("CARGO_PKG_VERSION"))
}

/// The protocol level Depot speaks (`X-Server-Protocol-Version`).
pub const SERVER_PROTOCOL_VERSION: u32 = 10;
